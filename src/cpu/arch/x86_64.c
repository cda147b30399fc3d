/* x86_64.c: the x86_64 CPU driver — compare, update, translate, baseline,
 * expansion and effective features (decoding lives in x86-decode.c).
 *
 * Two rule sets, chosen by where a definition came from:
 *  - libvirt XML (VMC_CPU_ORIGIN_LIBVIRT_XML) follows libvirt 10.7's x86
 *    driver exactly (x86Compute, virCPUx86Update, virCPUx86Translate,
 *    virCPUx86Baseline, virCPUx86ExpandFeatures), so that answers match
 *    libvirt's on its own test corpus;
 *  - everything else (QMP, -cpu strings, the API) compares the effective
 *    feature sets the way QEMU's query-cpu-model-comparison does.
 * Every feature is one CPUID/MSR bit of its own (see x86-private.h), so all
 * of libvirt's CPUID algebra is done on VmcFeatureSet bitmaps.
 *
 * Workload: compare is the hot path (fleet checks call it for every pair):
 * it makes one pass over each definition's listed features and then only
 * does word-wide bitmap operations, without allocating unless the caller
 * asks for the responsible features.
 */
#include "cpu/arch/x86-private.h"

#include <string.h>
#include <vmcompat/error.h>

/* ---- feature sets of a definition ------------------------------------ */

/* Where a definition came from, for error messages. */
static const char *
vmc_x86_where(const VmcCpuDef *def)
{
    return def->source ? def->source : "CPU definition";
}

gboolean
vmc__x86_model_features(const VmcCpuDef *def, VmcFeatureSet *ret, GError **error)
{
    if (def->model_ref) {
        *ret = def->model_ref->features;
        return TRUE;
    }
    vmc_feature_set_clear(ret);
    if (def->model && !g_str_equal(def->model, VMC_X86_BASE_MODEL)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "%s: field 'model': unknown x86_64 CPU model '%s'",
                    vmc_x86_where(def), def->model);
        return FALSE;
    }
    return TRUE;
}

/* Adds the listed features of a guest @def as libvirt's x86Compute groups
 * them: to @require (require), @covered (force, optional, disable) and
 * @forbid.
 * This is the hot loop of compare: a feature's bit is gathered in a
 * register while the listing stays within one 64-feature word (listings
 * mostly follow catalog order) and stored once per word, instead of a
 * read-modify-write of memory per feature. */
static void
vmc_x86_guest_sets(const VmcCpuDef *def, VmcFeatureSet *require, VmcFeatureSet *covered,
                   VmcFeatureSet *forbid)
{
    const VmcCpuFeature *cf = (const VmcCpuFeature *) (const void *) def->features->data;
    const guint n = def->features->len;
    guint64 req = 0, cov = 0, forb = 0;
    guint word = 0;

    for (guint i = 0; i <= n; i++) {
        guint w = i < n ? cf[i].id / 64 : G_MAXUINT;
        guint64 bit;

        if (w != word) {
            require->w[word] |= req;
            covered->w[word] |= cov;
            forbid->w[word] |= forb;
            req = cov = forb = 0;
            if (i == n)
                break;
            g_assert(w < VMC_FEATURE_SET_WORDS);
            word = w;
        }
        bit = G_GUINT64_CONSTANT(1) << (cf[i].id % 64);
        if (cf[i].policy == VMC_FEATURE_POLICY_REQUIRE)
            req |= bit;
        else if (cf[i].policy == VMC_FEATURE_POLICY_FORBID)
            forb |= bit;
        else
            cov |= bit;
    }
}

/* The features @def enables (libvirt x86ModelFromCPU(cpu, -1)): its model
 * plus required and forced features minus disabled and forbidden ones; a
 * host CPU has its model plus every listed feature. As each feature is
 * listed once, that is (model ∪ on) − off, gathered per 64-feature word as
 * in vmc_x86_guest_sets. */
static gboolean
vmc_x86_effective(const VmcCpuDef *def, VmcFeatureSet *ret, GError **error)
{
    const VmcCpuFeature *cf = (const VmcCpuFeature *) (const void *) def->features->data;
    const guint n = def->features->len;
    const gboolean host = def->type == VMC_CPU_TYPE_HOST;
    guint64 on = 0, off = 0;
    guint word = 0;

    if (!vmc__x86_model_features(def, ret, error))
        return FALSE;
    for (guint i = 0; i <= n; i++) {
        guint w = i < n ? cf[i].id / 64 : G_MAXUINT;
        guint64 bit;

        if (w != word) {
            ret->w[word] = (ret->w[word] | on) & ~off;
            on = off = 0;
            if (i == n)
                break;
            g_assert(w < VMC_FEATURE_SET_WORDS);
            word = w;
        }
        bit = G_GUINT64_CONSTANT(1) << (cf[i].id % 64);
        if (host || cf[i].policy == VMC_FEATURE_POLICY_REQUIRE ||
            cf[i].policy == VMC_FEATURE_POLICY_FORCE)
            on |= bit;
        else if (cf[i].policy != VMC_FEATURE_POLICY_OPTIONAL)
            off |= bit;
    }
    return TRUE;
}

/* What a reference CPU really has: its effective features, plus for a host
 * CPU the deprecated features its host-model hides (seed 000). */
static gboolean
vmc_x86_reference_features(const VmcCpuDef *def, VmcFeatureSet *ret, GError **error)
{
    if (!vmc_x86_effective(def, ret, error))
        return FALSE;
    if (def->type == VMC_CPU_TYPE_HOST)
        vmc_feature_set_or(ret, ret, &def->host_deprecated_disabled);
    return TRUE;
}

static gboolean
vmc_x86_effective_features(const VmcCpuDef *def, VmcFeatureSet *ret, GError **error)
{
    return vmc_x86_effective(def, ret, error);
}

/* ---- compare --------------------------------------------------------- */

/* libvirt's x86Compute(host, cpu): how @host relates to @cpu, and in
 * @responsible the features behind an INCOMPATIBLE or SUPERSET answer. */
static gboolean
vmc_x86_compare_libvirt(const VmcCpuDef *host, const VmcCpuDef *cpu,
                        VmcCompareResult *ret, VmcFeatureSet *responsible,
                        GError **error)
{
    VmcFeatureSet have;
    VmcFeatureSet require;
    VmcFeatureSet covered = { { 0 } };
    VmcFeatureSet forbid = { { 0 } };

    /* libvirt: a host CPU without a model is an unknown host CPU, and a CPU
     * that names a vendor needs a host of that vendor (step 2). */
    if (!host->model ||
        (cpu->vendor && (!host->vendor || !g_str_equal(cpu->vendor, host->vendor)))) {
        vmc_feature_set_clear(responsible);
        *ret = VMC_COMPARE_INCOMPATIBLE;
        return TRUE;
    }
    /* Step 3: bit sets of both; a host-type CPU only requires. */
    if (!vmc_x86_reference_features(host, &have, error))
        return FALSE;
    if (cpu->type == VMC_CPU_TYPE_HOST) {
        if (!vmc_x86_effective(cpu, &require, error))
            return FALSE;
    } else {
        if (!vmc__x86_model_features(cpu, &require, error))
            return FALSE;
        vmc_x86_guest_sets(cpu, &require, &covered, &forbid);
    }
    /* Step 4: forbidden features the host has. */
    vmc_feature_set_and(responsible, &forbid, &have);
    if (!vmc_feature_set_is_empty(responsible)) {
        *ret = VMC_COMPARE_INCOMPATIBLE;
        return TRUE;
    }
    /* Step 5: required features (minus forced, optional, disabled). */
    vmc_feature_set_andnot(&require, &require, &covered);
    vmc_feature_set_andnot(responsible, &require, &have);
    if (!vmc_feature_set_is_empty(responsible)) {
        *ret = VMC_COMPARE_INCOMPATIBLE;
        return TRUE;
    }
    /* Step 6: what the host has beyond the CPU. */
    vmc_feature_set_or(&covered, &covered, &require);
    vmc_feature_set_andnot(responsible, &have, &covered);
    if (vmc_feature_set_is_empty(responsible))
        *ret = VMC_COMPARE_IDENTICAL;
    else if (cpu->type == VMC_CPU_TYPE_GUEST && cpu->match == VMC_CPU_MATCH_STRICT)
        *ret = VMC_COMPARE_INCOMPATIBLE;   /* step 7 */
    else
        *ret = VMC_COMPARE_SUPERSET;
    return TRUE;
}

/* QEMU's relation of two effective feature sets; @responsible gets the
 * features in which they differ. */
static gboolean
vmc_x86_compare_qemu(const VmcCpuDef *a, const VmcCpuDef *b,
                     VmcCompareResult *ret, VmcFeatureSet *responsible,
                     GError **error)
{
    VmcFeatureSet fa, fb, only_a, only_b;

    if (!vmc_x86_reference_features(a, &fa, error) ||
        !vmc_x86_effective(b, &fb, error))
        return FALSE;
    vmc_feature_set_andnot(&only_a, &fa, &fb);
    vmc_feature_set_andnot(&only_b, &fb, &fa);
    vmc_feature_set_or(responsible, &only_a, &only_b);
    if (vmc_feature_set_is_empty(responsible))
        *ret = VMC_COMPARE_IDENTICAL;
    else if (vmc_feature_set_is_empty(&only_b))
        *ret = VMC_COMPARE_SUPERSET;
    else if (vmc_feature_set_is_empty(&only_a))
        *ret = VMC_COMPARE_SUBSET;
    else
        *ret = VMC_COMPARE_INCOMPATIBLE;
    return TRUE;
}

static gboolean
vmc_x86_compare(const VmcCpuDef *a, const VmcCpuDef *b, VmcCompareResult *ret_result,
                GPtrArray **ret_responsible, GError **error)
{
    VmcFeatureSet responsible;
    VmcCompareResult result;
    gboolean ok;

    /* Feature ids only mean the same within one catalog. */
    if (a->cat != b->cat) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                    "%s and %s were read with different catalogs and cannot be compared",
                    vmc_x86_where(a), vmc_x86_where(b));
        return FALSE;
    }
    if (a->origin == VMC_CPU_ORIGIN_LIBVIRT_XML || b->origin == VMC_CPU_ORIGIN_LIBVIRT_XML)
        ok = vmc_x86_compare_libvirt(a, b, &result, &responsible, error);
    else
        ok = vmc_x86_compare_qemu(a, b, &result, &responsible, error);
    if (!ok)
        return FALSE;
    *ret_result = result;
    if (ret_responsible)
        *ret_responsible = vmc__catalog_set_names(a->cat, VMC_ARCH_X86_64, &responsible);
    return TRUE;
}

/* ---- update ---------------------------------------------------------- */

/* libvirt virCPUx86DisableRemovedFeatures: list every feature the model
 * marks removed='yes' as disabled unless it is listed already. */
static void
vmc_x86_disable_removed(VmcCpuDef *def, const VmcCpuModel *m)
{
    VMC_FEATURE_SET_FOREACH(&m->removed, i) {
        if (vmc_cpu_def_get_policy(def, (guint) i) < 0)
            vmc_cpu_def_set_feature(def, (guint) i, VMC_FEATURE_POLICY_DISABLE);
    }
}

/* libvirt virCPUx86CopyMigratable: @host without its non-migratable
 * listed features. */
static VmcCpuDef *
vmc_x86_copy_migratable(const VmcCpuDef *host)
{
    VmcCpuDef *copy = vmc_cpu_def_copy(host);
    const VmcFeatureSet *mig = vmc_catalog_migratable_features(host->cat, VMC_ARCH_X86_64);

    for (guint i = copy->features->len; i-- > 0;) {
        const VmcCpuFeature *cf = &g_array_index(copy->features, VmcCpuFeature, i);
        if (!vmc_feature_set_has(mig, cf->id))
            g_array_remove_index(copy->features, i);
    }
    return copy;
}

/* libvirt x86UpdateHostModel: @guest becomes a custom CPU with the host's
 * model and features, its own features overriding by name. */
static void
vmc_x86_update_host_model(VmcCpuDef *guest, const VmcCpuDef *host)
{
    g_autoptr(GArray) features = g_array_copy(host->features);
    gboolean keep_vendor = guest->mode == VMC_CPU_MODE_CUSTOM;
    GArray *own = guest->features;

    if (host->type == VMC_CPU_TYPE_HOST) {
        for (guint i = 0; i < features->len; i++)
            g_array_index(features, VmcCpuFeature, i).policy = VMC_FEATURE_POLICY_REQUIRE;
    }
    guest->features = g_steal_pointer(&features);
    for (guint i = 0; i < own->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(own, VmcCpuFeature, i);
        vmc_cpu_def_set_feature(guest, cf->id, cf->policy);
    }
    g_array_unref(own);
    vmc__cpu_def_set_model_ref(guest, host->model_ref);
    g_free(guest->model);
    guest->model = g_strdup(host->model);
    if (!keep_vendor) {
        vmc_cpu_def_set_vendor(guest, host->vendor);
        if (!guest->vendor_id)
            guest->vendor_id = g_strdup(host->vendor_id);
    }
    guest->mode = VMC_CPU_MODE_CUSTOM;
    vmc_cpu_def_set_match(guest, VMC_CPU_MATCH_EXACT);
}

/* Is @def relative to the host (libvirt virCPUUpdate)? */
static gboolean
vmc_x86_is_relative(const VmcCpuDef *def)
{
    if (def->mode == VMC_CPU_MODE_HOST_MODEL || def->match == VMC_CPU_MATCH_MINIMUM)
        return TRUE;
    for (guint i = 0; i < def->features->len; i++)
        if (g_array_index(def->features, VmcCpuFeature, i).policy ==
            VMC_FEATURE_POLICY_OPTIONAL)
            return TRUE;
    return FALSE;
}

static VmcCpuDef *
vmc_x86_update(const VmcCpuDef *cpu, const VmcCpuDef *host_in, VmcUpdateFlags flags,
               GError **error)
{
    g_autoptr(VmcCpuDef) guest = vmc_cpu_def_copy(cpu);
    g_autoptr(VmcCpuDef) host = NULL;

    if (cpu->mode == VMC_CPU_MODE_HOST_PASSTHROUGH || cpu->mode == VMC_CPU_MODE_MAXIMUM)
        return g_steal_pointer(&guest);
    if (host_in && host_in->cat != cpu->cat) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                    "%s and the host CPU %s were read with different catalogs",
                    vmc_x86_where(cpu), vmc_x86_where(host_in));
        return NULL;
    }
    if (host_in)
        host = (flags & VMC_UPDATE_HOST_MIGRATABLE) ? vmc_x86_copy_migratable(host_in)
                                                    : vmc_cpu_def_ref((VmcCpuDef *) host_in);
    if (vmc_x86_is_relative(cpu)) {
        VmcFeatureSet have;

        gboolean to_host = guest->mode == VMC_CPU_MODE_HOST_MODEL ||
                           guest->match == VMC_CPU_MATCH_MINIMUM;

        if (!host || (to_host && !host->model)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_HOST_CAPABILITY,
                        "%s: updating a %s CPU with match '%s' needs a host CPU with a model",
                        vmc_x86_where(cpu), vmc_cpu_mode_to_string(cpu->mode),
                        vmc_cpu_match_to_string(cpu->match));
            return NULL;
        }
        if (!vmc_x86_effective(host, &have, error))
            return NULL;
        for (guint i = 0; i < guest->features->len; i++) {
            VmcCpuFeature *cf = &g_array_index(guest->features, VmcCpuFeature, i);
            if (cf->policy == VMC_FEATURE_POLICY_OPTIONAL)
                cf->policy = vmc_feature_set_has(&have, cf->id) ? VMC_FEATURE_POLICY_REQUIRE
                                                                : VMC_FEATURE_POLICY_DISABLE;
        }
        if (to_host)
            vmc_x86_update_host_model(guest, host);
    }
    if (!guest->model)
        return g_steal_pointer(&guest);
    if (!guest->model_ref) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "%s: field 'model': unknown x86_64 CPU model '%s'",
                    vmc_x86_where(cpu), guest->model);
        return NULL;
    }
    vmc_x86_disable_removed(guest, guest->model_ref);
    return g_steal_pointer(&guest);
}

/* ---- translate ------------------------------------------------------- */

/* The hypervisor model list of plain names (no blockers). */
static VmcX86HvModel *
vmc_x86_hv_models(const char *const *names, gsize *ret_n)
{
    gsize n = names ? g_strv_length((char **) names) : 0;
    VmcX86HvModel *hv = g_new0(VmcX86HvModel, n + 1);

    for (gsize i = 0; i < n; i++)
        hv[i].name = names[i];
    *ret_n = n;
    return hv;
}

static VmcCpuDef *
vmc_x86_translate(const VmcCpuDef *cpu, const char *const *models, GError **error)
{
    g_autoptr(VmcCpuDef) result = vmc_cpu_def_copy(cpu);
    g_autoptr(VmcCpuDef) decoded = NULL;
    g_autofree VmcX86HvModel *hv = NULL;
    const VmcCpuModel *m = cpu->model_ref;
    VmcFeatureSet features;
    VmcX86DecodeArgs args = { 0 };

    if (cpu->mode == VMC_CPU_MODE_HOST_PASSTHROUGH || cpu->mode == VMC_CPU_MODE_MAXIMUM ||
        !models || !cpu->model || g_strv_contains(models, cpu->model) ||
        (m && g_strv_contains(models, m->name)))
        return g_steal_pointer(&result);
    if (cpu->fallback != VMC_CPU_FALLBACK_ALLOW) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "%s: CPU model '%s' is not supported by the hypervisor (fallback='forbid')",
                    vmc_x86_where(cpu), cpu->model);
        return NULL;
    }
    if (!vmc_x86_effective(cpu, &features, error))
        return NULL;
    /* Decode the CPU's bits plus its model's vendor and first signature. */
    args.features = &features;
    args.vendor = m ? m->vendor : NULL;
    if (m && m->signatures && m->signatures->len > 0) {
        const VmcSignature *s = &g_array_index(m->signatures, VmcSignature, 0);
        args.has_sig = TRUE;
        args.family = s->family;
        args.model = s->model;
        args.stepping = s->has_stepping ? s->stepping_min : 0;
    }
    args.type = VMC_CPU_TYPE_GUEST;
    args.models = hv = vmc_x86_hv_models(models, &args.n_models);
    args.fallback = cpu->fallback;
    if (!(decoded = vmc__x86_decode(cpu->cat, &args, error)))
        return NULL;
    /* The decoded model and features, with the CPU's own features
     * re-applied; the vendor stays the CPU's own. */
    vmc__cpu_def_set_model_ref(result, decoded->model_ref);
    g_array_unref(result->features);
    result->features = g_array_ref(decoded->features);
    for (guint i = 0; i < cpu->features->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(cpu->features, VmcCpuFeature, i);
        vmc_cpu_def_set_feature(result, cf->id, cf->policy);
    }
    return g_steal_pointer(&result);
}

/* ---- baseline -------------------------------------------------------- */

/* libvirt virCPUx86ExpandFeatures on a guest CPU: every model feature as
 * require, the listed require/disable features over them, and the model's
 * removed features disabled. */
static void
vmc_x86_expand_features(VmcCpuDef *def)
{
    GArray *own = def->features;

    def->features = g_array_new(FALSE, TRUE, sizeof(VmcCpuFeature));
    if (def->model_ref) {
        VMC_FEATURE_SET_FOREACH(&def->model_ref->features, i)
            vmc_cpu_def_set_feature(def, (guint) i, VMC_FEATURE_POLICY_REQUIRE);
    }
    for (guint i = 0; i < own->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(own, VmcCpuFeature, i);
        if (cf->policy == VMC_FEATURE_POLICY_REQUIRE || cf->policy == VMC_FEATURE_POLICY_DISABLE)
            vmc_cpu_def_set_feature(def, cf->id, cf->policy);
    }
    g_array_unref(own);
    if (def->model_ref)
        vmc_x86_disable_removed(def, def->model_ref);
}

/* The known vendor name @vendor of CPU @idx (1-based), or an error. */
static gboolean
vmc_x86_vendor_known(const VmcCpuDef *def, gsize idx, const char *vendor, GError **error)
{
    if (vmc_catalog_vendor_string(def->cat, VMC_ARCH_X86_64, vendor))
        return TRUE;
    g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                "%s: field 'vendor': CPU %zu has unknown x86_64 CPU vendor '%s'",
                vmc_x86_where(def), idx, vendor);
    return FALSE;
}

/* Adds the model name of @def to @names unless it is there already. */
static void
vmc_x86_add_model_name(GPtrArray *names, GHashTable *seen, const VmcCpuDef *def)
{
    const char *name = def->model_ref ? def->model_ref->name : def->model;

    if (name && g_hash_table_add(seen, (gpointer) name))
        g_ptr_array_add(names, (gpointer) name);
}

/* libvirt virCPUx86Baseline (+ virCPUx86ExpandFeatures when asked). */
static VmcCpuDef *
vmc_x86_baseline(VmcCpuDef *const *cpus, gsize n_cpus, const char *const *allowed_models,
                 VmcBaselineFlags flags, GError **error)
{
    VmcCatalog *cat = cpus[0]->cat;
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    g_autofree VmcX86HvModel *hv = NULL;
    g_autoptr(VmcCpuDef) result = NULL;
    VmcX86DecodeArgs args = { 0 };
    const char *vendor = NULL;
    gsize vendor_idx = 0;
    gboolean output_vendor = TRUE;
    VmcFeatureSet base;
    VmcFeatureSet set;

    if (!vmc_x86_effective(cpus[0], &base, error))
        return NULL;
    if (cpus[0]->vendor) {
        if (!vmc_x86_vendor_known(cpus[0], 1, cpus[0]->vendor, error))
            return NULL;
        vendor = cpus[0]->vendor;
        vendor_idx = 1;
    } else {
        output_vendor = FALSE;
    }
    vmc_x86_add_model_name(names, seen, cpus[0]);

    for (gsize i = 1; i < n_cpus; i++) {
        const VmcCpuDef *c = cpus[i];
        const char *model_vendor = c->model_ref ? c->model_ref->vendor : NULL;
        const char *vn = c->vendor;

        if (c->cat != cat) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                        "%s: CPU %zu was read with another catalog than CPU 1",
                        vmc_x86_where(c), i + 1);
            return NULL;
        }
        vmc_x86_add_model_name(names, seen, c);
        if (!vmc_x86_effective(c, &set, error))
            return NULL;
        if (c->vendor && model_vendor && !g_str_equal(c->vendor, model_vendor)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                        "%s: CPU %zu: vendor '%s' differs from vendor '%s' of its model '%s'",
                        vmc_x86_where(c), i + 1, c->vendor, model_vendor,
                        c->model_ref->name);
            return NULL;
        }
        if (!vn) {
            output_vendor = FALSE;
            vn = model_vendor;
        }
        if (vn && !vendor) {
            if (!vmc_x86_vendor_known(c, i + 1, vn, error))
                return NULL;
            vendor = vn;
            vendor_idx = i + 1;
        } else if (vn && !g_str_equal(vendor, vn)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                        "CPU vendors do not match: CPU %zu is '%s' but CPU %zu is '%s'",
                        vendor_idx, vendor, i + 1, vn);
            return NULL;
        }
        vmc_feature_set_and(&base, &base, &set);
    }
    if (vmc_feature_set_is_empty(&base)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                    "the %zu CPUs have no feature in common", n_cpus);
        return NULL;
    }

    /* Decode the common features as a guest CPU, preferring the inputs'
     * own models. */
    g_ptr_array_add(names, NULL);
    args.features = &base;
    args.vendor = vendor;
    args.type = VMC_CPU_TYPE_GUEST;
    if (allowed_models)
        args.models = hv = vmc_x86_hv_models(allowed_models, &args.n_models);
    args.preferred = (const char *const *) names->pdata;
    args.fallback = VMC_CPU_FALLBACK_ALLOW;
    args.migratable = (flags & VMC_BASELINE_MIGRATABLE) != 0;
    if (!(result = vmc__x86_decode(cat, &args, error)))
        return NULL;
    g_ptr_array_set_size(names, names->len - 1);

    if (names->len == 1 && g_str_equal(result->model, g_ptr_array_index(names, 0)))
        result->fallback = VMC_CPU_FALLBACK_FORBID;
    if (!output_vendor)
        vmc_cpu_def_set_vendor(result, NULL);
    result->origin = cpus[0]->origin;
    if (flags & VMC_BASELINE_EXPAND_FEATURES)
        vmc_x86_expand_features(result);
    return g_steal_pointer(&result);
}

/* ---- QEMU expansion -------------------------------------------------- */

static VmcCpuDef *
vmc_x86_expand(const VmcCpuDef *def, VmcExpansionType type, GPtrArray **ret_deprecated,
               GError **error)
{
    guint n = vmc_catalog_feature_count(def->cat, VMC_ARCH_X86_64);
    g_autoptr(VmcCpuDef) out = NULL;
    VmcFeatureSet enabled;

    if (!vmc_x86_effective(def, &enabled, error))
        return NULL;
    out = vmc_cpu_def_new(def->cat, VMC_ARCH_X86_64, VMC_CPU_TYPE_GUEST);
    out->origin = def->origin;
    out->source = g_strdup(def->source);
    vmc_cpu_def_set_vendor(out, def->vendor);
    if (type == VMC_EXPANSION_STATIC) {
        /* QEMU expands x86 CPUs statically over the empty "base" model. */
        out->model = g_strdup(VMC_X86_BASE_MODEL);
    } else {
        out->model = g_strdup(def->model);
        out->model_ref = def->model_ref;
    }
    /* Every catalog feature, on or off, in catalog order. */
    g_array_set_size(out->features, n);
    for (guint i = 0; i < n; i++) {
        VmcCpuFeature *cf = &g_array_index(out->features, VmcCpuFeature, i);
        cf->id = i;
        cf->policy = vmc_feature_set_has(&enabled, i) ? VMC_FEATURE_POLICY_REQUIRE
                                                      : VMC_FEATURE_POLICY_DISABLE;
    }
    if (ret_deprecated) {
        VmcFeatureSet dep;
        vmc_feature_set_and(&dep, &enabled,
                            vmc_catalog_deprecated_features(def->cat, VMC_ARCH_X86_64));
        *ret_deprecated = vmc__catalog_set_names(def->cat, VMC_ARCH_X86_64, &dep);
    }
    return g_steal_pointer(&out);
}

const VmcArchOps vmc_x86_64_ops = {
    .arch = VMC_ARCH_X86_64,
    .compare = vmc_x86_compare,
    .baseline = vmc_x86_baseline,
    .update = vmc_x86_update,
    .translate = vmc_x86_translate,
    .decode = vmc__x86_decode_hook,
    .expand = vmc_x86_expand,
    .effective_features = vmc_x86_effective_features,
};
