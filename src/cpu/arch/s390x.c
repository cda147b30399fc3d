/* s390x.c: the s390x CPU driver — QEMU's s390x CPU-model semantics over the
 * catalog.
 *
 * Reference: QEMU target/s390x/cpu_models.c (s390_find_cpu_def, the feature
 * and group property setters, init_ignored_base_feat) and
 * target/s390x/cpu_models_system.c (qmp_query_cpu_model_comparison,
 * qmp_query_cpu_model_baseline, qmp_query_cpu_model_expansion,
 * cpu_info_from_model). The algorithms are re-implemented here, not copied.
 *
 * A CPU definition is first turned into a "QEMU model" (VmcS390Model): the
 * catalog model it names — which carries the CPU generation, GA level,
 * machine type and the base/default/full feature layers — plus the feature
 * bitmap once the definition's feature policies are applied. Then:
 *   compare  — generation relation and feature relation, combined the way
 *              QEMU combines them, with responsible properties;
 *   baseline — QEMU's pairwise baseline (intersection, the older CPU
 *              generation, s390_find_cpu_def, strip to the full set), folded
 *              over N inputs exactly as a client chaining QMP calls would;
 *   expand   — static (base model + delta) or full (every feature).
 *
 * Host CPUs (VMC_CPU_TYPE_HOST) stand for the hardware: features the
 * host-model disabled because they are deprecated (host_deprecated_disabled)
 * still count as present (seed 000), and listed features are not checked
 * against the model's full set.
 *
 * Invariants: a VmcS390Model's def is a catalog model of arch s390x (the
 * named one: "z14" or "z14-base"; both carry gen, ec_ga, cpu_type and full;
 * def->base_model is the static base). Feature sets never hold ids beyond
 * the catalog's feature count.
 *
 * Workload: compare and baseline run per guest × host pair over fleets.
 * Each is a few 1024-bit word loops plus one scan of the ≤ 40 CPU
 * definitions, with no allocation besides the result.
 */
#include "cpu/arch/arch-ops.h"

#include <vmcompat/error.h>

/* QEMU's internal model: a CPU definition plus its current features. */
typedef struct {
    const VmcCpuModel *def;     /* the named catalog model */
    VmcFeatureSet features;
} VmcS390Model;

/* The property QEMU names when two CPU generations differ. */
#define VMC_S390X_TYPE_PROP "type"

/* Name of catalog feature @id. */
static const char *
vmc_s390x_feature_name(const VmcCatalog *cat, guint id)
{
    return vmc_feature_get_name(vmc_catalog_feature(cat, VMC_ARCH_S390X, id));
}

/* Report a definition that names no catalog model. */
static gboolean
vmc_s390x_no_model(const VmcCpuDef *def, GError **error)
{
    if (def->mode == VMC_CPU_MODE_HOST_PASSTHROUGH ||
        def->mode == VMC_CPU_MODE_HOST_MODEL ||
        def->mode == VMC_CPU_MODE_MAXIMUM) {
        /* QEMU's "host", "max" and "qemu" models are defined by the
         * accelerator at run time; they are not catalog data. */
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "s390x CPU mode '%s' is defined by the accelerator, not by the catalog: expand it with QEMU (query-cpu-model-expansion) and use the result",
                    vmc_cpu_mode_to_string(def->mode));
    } else if (def->model) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "unknown s390x CPU model '%s'", def->model);
    } else {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "s390x CPU definition names no CPU model");
    }
    return FALSE;
}

/* Features a host CPU's hardware has: its model and listed features, plus
 * the deprecated features its host-model disabled (seed 000). */
static void
vmc_s390x_apply_host(const VmcCpuDef *def, VmcFeatureSet *features)
{
    for (guint i = 0; i < def->features->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(def->features, VmcCpuFeature, i);

        if (cf->policy == VMC_FEATURE_POLICY_DISABLE ||
            cf->policy == VMC_FEATURE_POLICY_FORBID)
            vmc_feature_set_remove(features, cf->id);
        else
            vmc_feature_set_add(features, cf->id);
    }
    vmc_feature_set_or(features, features, &def->host_deprecated_disabled);
}

/* Apply a guest's feature policies the way QEMU's property setters do:
 * enabling a feature outside the model's full set is an error. */
static gboolean
vmc_s390x_apply_guest(const VmcCpuDef *def, VmcFeatureSet *features,
                      GError **error)
{
    const VmcCpuModel *m = def->model_ref;

    for (guint i = 0; i < def->features->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(def->features, VmcCpuFeature, i);

        switch (cf->policy) {
        case VMC_FEATURE_POLICY_FORCE:
        case VMC_FEATURE_POLICY_REQUIRE:
            if (!vmc_feature_set_has(&m->full, cf->id)) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                            "s390x feature '%s' is not available for CPU model '%s': it was introduced with later models",
                            vmc_s390x_feature_name(def->cat, cf->id), def->model);
                return FALSE;
            }
            vmc_feature_set_add(features, cf->id);
            break;
        case VMC_FEATURE_POLICY_DISABLE:
        case VMC_FEATURE_POLICY_FORBID:
            vmc_feature_set_remove(features, cf->id);
            break;
        case VMC_FEATURE_POLICY_OPTIONAL:
        case VMC_FEATURE_POLICY_N:
            /* QEMU has no optional features: the model decides. */
            break;
        }
    }
    return TRUE;
}

/* Turn a definition into QEMU's model (cpu_model_from_info): the named
 * model's features (base set for "-base", default set otherwise) with the
 * definition's properties applied. */
static gboolean
vmc_s390x_model_from_def(const VmcCpuDef *def, VmcS390Model *ret,
                         GError **error)
{
    const VmcCpuModel *m = def->model_ref;
    VmcS390Model model;

    g_assert(def->arch == VMC_ARCH_S390X);
    if (!m)
        return vmc_s390x_no_model(def, error);
    model.def = m;
    model.features = m->features;
    if (def->type == VMC_CPU_TYPE_HOST)
        vmc_s390x_apply_host(def, &model.features);
    else if (!vmc_s390x_apply_guest(def, &model.features, error))
        return FALSE;
    *ret = model;
    return TRUE;
}

/* TRUE when catalog model @m is one of @allowed (by its name or its base
 * model's name); NULL allows everything. */
static gboolean
vmc_s390x_model_allowed(const VmcCpuModel *m, const char *const *allowed)
{
    if (!allowed)
        return TRUE;
    return g_strv_contains(allowed, m->name) ||
           g_strv_contains(allowed, m->base_model->name);
}

/* The generation of the first CPU definition of machine type @type, or 0. */
static guint
vmc_s390x_gen_for_type(const VmcArchCatalog *ac, guint32 type)
{
    for (guint i = 0; i < ac->models->len; i++) {
        const VmcCpuModel *m = g_ptr_array_index(ac->models, i);
        if (!m->is_static && m->cpu_type == type)
            return m->gen;
    }
    return 0;
}

/* QEMU's s390_find_cpu_def: walk the CPU definitions in release order, stop
 * at a newer generation/GA than asked or at the first definition whose base
 * features (minus the ignored ones) are not all in @features; return the
 * exact type/GA match, else the last one of the same type, else the last
 * compatible one. @allowed only restricts which definition may be chosen. */
static const VmcCpuModel *
vmc_s390x_find_cpu_def(const VmcCatalog *cat, guint32 type, guint gen,
                       guint ec_ga, const VmcFeatureSet *features,
                       const char *const *allowed)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, VMC_ARCH_S390X);
    const VmcCpuModel *last_compatible = NULL;
    const VmcCpuModel *matching_type = NULL;

    if (!gen)
        ec_ga = 0;
    if (!gen && type)
        gen = vmc_s390x_gen_for_type(ac, type);

    for (guint i = 0; i < ac->models->len; i++) {
        const VmcCpuModel *m = g_ptr_array_index(ac->models, i);

        if (m->is_static)
            continue;
        if (gen) {
            if (m->gen > gen)
                break;
            if (m->gen == gen && ec_ga && m->ec_ga > ec_ga)
                break;
        }
        if (features) {
            VmcFeatureSet missing;
            vmc_feature_set_andnot(&missing, &m->base_model->features, features);
            vmc_feature_set_andnot(&missing, &missing, &ac->ignored_base);
            if (!vmc_feature_set_is_empty(&missing))
                break;
        }
        if (!vmc_s390x_model_allowed(m, allowed))
            continue;
        if (m->cpu_type == type && m->ec_ga == ec_ga)
            return m;
        if (m->cpu_type == type)
            matching_type = m;
        last_compatible = m;
    }
    return matching_type ? matching_type : last_compatible;
}

/* How generation/GA of @a relates to @b (a "superset" is newer). */
static VmcCompareResult
vmc_s390x_compare_gen(const VmcCpuModel *a, const VmcCpuModel *b)
{
    if (a->gen == b->gen) {
        if (a->ec_ga == b->ec_ga)
            return VMC_COMPARE_IDENTICAL;
        return a->ec_ga < b->ec_ga ? VMC_COMPARE_SUBSET : VMC_COMPARE_SUPERSET;
    }
    return a->gen < b->gen ? VMC_COMPARE_SUBSET : VMC_COMPARE_SUPERSET;
}

/* QEMU's combination: equal results stand; identical yields to the other
 * dimension; any other disagreement is incompatible. */
static VmcCompareResult
vmc_s390x_compare_combine(VmcCompareResult gen_r, VmcCompareResult feat_r)
{
    if (gen_r == feat_r || feat_r == VMC_COMPARE_IDENTICAL)
        return gen_r;
    if (gen_r == VMC_COMPARE_IDENTICAL)
        return feat_r;
    return VMC_COMPARE_INCOMPATIBLE;
}

/* Append the names of @set to @out in descending id order (QEMU prepends
 * each name to its list, so its lists come out reversed). */
static void
vmc_s390x_add_names_reversed(const VmcCatalog *cat, const VmcFeatureSet *set,
                             GPtrArray *out)
{
    guint ids[VMC_FEATURE_SET_BITS];
    guint n = 0;

    VMC_FEATURE_SET_FOREACH(set, i)
        ids[n++] = (guint) i;
    while (n-- > 0)
        g_ptr_array_add(out, g_strdup(vmc_s390x_feature_name(cat, ids[n])));
}

/* Compare two QEMU models (qmp_query_cpu_model_comparison). Responsible
 * properties come in QEMU's order: features only @b has, features only @a
 * has, then "type" when the generations differ. */
static VmcCompareResult
vmc_s390x_compare_models(const VmcCatalog *cat, const VmcS390Model *a,
                         const VmcS390Model *b, GPtrArray *responsible)
{
    VmcCompareResult gen_r = vmc_s390x_compare_gen(a->def, b->def);
    VmcCompareResult feat_r;
    VmcFeatureSet missing, added;

    vmc_feature_set_andnot(&missing, &a->features, &b->features);
    vmc_feature_set_andnot(&added, &b->features, &a->features);
    if (vmc_feature_set_is_empty(&missing) && vmc_feature_set_is_empty(&added))
        feat_r = VMC_COMPARE_IDENTICAL;
    else if (vmc_feature_set_is_empty(&missing))
        feat_r = VMC_COMPARE_SUBSET;
    else if (vmc_feature_set_is_empty(&added))
        feat_r = VMC_COMPARE_SUPERSET;
    else
        feat_r = VMC_COMPARE_INCOMPATIBLE;

    if (responsible) {
        vmc_s390x_add_names_reversed(cat, &added, responsible);
        vmc_s390x_add_names_reversed(cat, &missing, responsible);
        if (gen_r != VMC_COMPARE_IDENTICAL)
            g_ptr_array_add(responsible, g_strdup(VMC_S390X_TYPE_PROP));
    }
    return vmc_s390x_compare_combine(gen_r, feat_r);
}

/* Both definitions must be bound to the same catalog: feature ids are
 * per catalog. */
static gboolean
vmc_s390x_same_catalog(const VmcCpuDef *a, const VmcCpuDef *b, GError **error)
{
    if (a->cat == b->cat)
        return TRUE;
    g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                "s390x CPUs '%s' and '%s' were read against different catalogs",
                a->model ? a->model : "(none)", b->model ? b->model : "(none)");
    return FALSE;
}

/* compare hook: QEMU's query-cpu-model-comparison of @a and @b. */
static gboolean
vmc_s390x_compare(const VmcCpuDef *a, const VmcCpuDef *b,
                  VmcCompareResult *ret_result, GPtrArray **ret_responsible,
                  GError **error)
{
    g_autoptr(GPtrArray) responsible = NULL;
    VmcS390Model ma, mb;
    VmcCompareResult r;

    if (!vmc_s390x_same_catalog(a, b, error) ||
        !vmc_s390x_model_from_def(a, &ma, error) ||
        !vmc_s390x_model_from_def(b, &mb, error))
        return FALSE;
    if (ret_responsible)
        responsible = g_ptr_array_new_with_free_func(g_free);
    r = vmc_s390x_compare_models(a->cat, &ma, &mb, responsible);
    *ret_result = r;
    if (ret_responsible)
        *ret_responsible = g_steal_pointer(&responsible);
    return TRUE;
}

/* One QEMU baseline step (qmp_query_cpu_model_baseline) on models: the
 * common features, the older generation (same generation: the lower GA, and
 * the machine type only when both agree), the best CPU definition for that,
 * and the features stripped to that definition's full set. */
static gboolean
vmc_s390x_baseline_pair(const VmcCatalog *cat, const VmcS390Model *a,
                        const VmcS390Model *b, const VmcFeatureSet *mask,
                        const char *const *allowed, VmcS390Model *ret,
                        GError **error)
{
    const VmcCpuModel *da = a->def, *db = b->def;
    const VmcCpuModel *def;
    VmcFeatureSet features;
    guint32 type;
    guint gen, ec_ga;

    vmc_feature_set_and(&features, &a->features, &b->features);
    if (mask)
        vmc_feature_set_and(&features, &features, mask);
    if (da->gen == db->gen) {
        type = da->cpu_type == db->cpu_type ? da->cpu_type : 0;
        gen = da->gen;
        ec_ga = MIN(da->ec_ga, db->ec_ga);
    } else if (da->gen > db->gen) {
        type = db->cpu_type;
        gen = db->gen;
        ec_ga = db->ec_ga;
    } else {
        type = da->cpu_type;
        gen = da->gen;
        ec_ga = da->ec_ga;
    }
    def = vmc_s390x_find_cpu_def(cat, type, gen, ec_ga, &features, allowed);
    if (!def) {
        if (allowed)
            g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                        "no allowed s390x CPU model is compatible with the baseline features");
        else
            g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                        "no compatible s390x CPU model could be created: important base features are disabled");
        return FALSE;
    }
    ret->def = def;
    vmc_feature_set_and(&ret->features, &features, &def->full);
    return TRUE;
}

/* List feature @id with @policy on a fresh definition; callers list each
 * id at most once, so the linear duplicate check of
 * vmc_cpu_def_set_feature() is not needed (full expansions list every
 * feature). */
static void
vmc_s390x_list_feature(VmcCpuDef *def, guint id, VmcFeaturePolicy policy)
{
    VmcCpuFeature cf = { id, policy };
    g_array_append_val(def->features, cf);
}

/* Express @m as QEMU does in its answers (cpu_info_from_model): always the
 * static base model; @full lists every catalog feature (enabled first), else
 * only the delta to the base set (removed first, then added). */
static VmcCpuDef *
vmc_s390x_def_from_model(VmcCatalog *cat, const VmcS390Model *m, gboolean full)
{
    const VmcCpuModel *base = m->def->base_model;
    VmcCpuDef *def = vmc_cpu_def_new(cat, VMC_ARCH_S390X, VMC_CPU_TYPE_GUEST);
    guint n = vmc_catalog_feature_count(cat, VMC_ARCH_S390X);

    vmc__cpu_def_set_model_ref(def, base);
    if (full) {
        VMC_FEATURE_SET_FOREACH(&m->features, i)
            vmc_s390x_list_feature(def, (guint) i, VMC_FEATURE_POLICY_REQUIRE);
        for (guint i = 0; i < n; i++)
            if (!vmc_feature_set_has(&m->features, i))
                vmc_s390x_list_feature(def, i, VMC_FEATURE_POLICY_DISABLE);
    } else {
        VmcFeatureSet removed, added;
        vmc_feature_set_andnot(&removed, &base->features, &m->features);
        vmc_feature_set_andnot(&added, &m->features, &base->features);
        VMC_FEATURE_SET_FOREACH(&removed, i)
            vmc_s390x_list_feature(def, (guint) i, VMC_FEATURE_POLICY_DISABLE);
        VMC_FEATURE_SET_FOREACH(&added, i)
            vmc_s390x_list_feature(def, (guint) i, VMC_FEATURE_POLICY_REQUIRE);
    }
    return def;
}

/* baseline hook: QEMU's pairwise baseline folded left over @cpus (a single
 * CPU is baselined with itself), as libvirt does when it chains
 * query-cpu-model-baseline calls. Host CPUs take part with the features
 * their hardware has. */
static VmcCpuDef *
vmc_s390x_baseline(VmcCpuDef *const *cpus, gsize n_cpus,
                   const char *const *allowed_models, VmcBaselineFlags flags,
                   GError **error)
{
    VmcCatalog *cat = cpus[0]->cat;
    const VmcFeatureSet *mask = NULL;
    VmcS390Model acc, next;

    if (flags & VMC_BASELINE_MIGRATABLE)
        mask = vmc_catalog_migratable_features(cat, VMC_ARCH_S390X);
    if (!vmc_s390x_model_from_def(cpus[0], &acc, error))
        return NULL;
    if (n_cpus == 1 &&
        !vmc_s390x_baseline_pair(cat, &acc, &acc, mask, allowed_models, &acc, error))
        return NULL;
    for (gsize i = 1; i < n_cpus; i++) {
        if (!vmc_s390x_same_catalog(cpus[0], cpus[i], error) ||
            !vmc_s390x_model_from_def(cpus[i], &next, error) ||
            !vmc_s390x_baseline_pair(cat, &acc, &next, mask, allowed_models,
                                     &acc, error))
            return NULL;
    }
    return vmc_s390x_def_from_model(cat, &acc, (flags & VMC_BASELINE_EXPAND_FEATURES) != 0);
}

/* expand hook: QEMU's query-cpu-model-expansion. STATIC answers the base
 * model and the delta; FULL the base model and every feature (QEMU names
 * the static base model in both). @ret_deprecated follows QEMU 9.1's
 * deprecated-props: all deprecated features for FULL, only the enabled ones
 * for STATIC. */
static VmcCpuDef *
vmc_s390x_expand(const VmcCpuDef *def, VmcExpansionType type,
                 GPtrArray **ret_deprecated, GError **error)
{
    g_autoptr(VmcCpuDef) result = NULL;
    VmcS390Model m;

    if (!vmc_s390x_model_from_def(def, &m, error))
        return NULL;
    result = vmc_s390x_def_from_model(def->cat, &m, type == VMC_EXPANSION_FULL);
    if (ret_deprecated) {
        VmcFeatureSet dep = *vmc_catalog_deprecated_features(def->cat, VMC_ARCH_S390X);
        if (type == VMC_EXPANSION_STATIC)
            vmc_feature_set_and(&dep, &dep, &m.features);
        *ret_deprecated = vmc__catalog_set_names(def->cat, VMC_ARCH_S390X, &dep);
    }
    return g_steal_pointer(&result);
}

/* effective_features hook: the features the definition's CPU has — model
 * features with the policies applied; for a host, what the hardware has. */
static gboolean
vmc_s390x_effective_features(const VmcCpuDef *def, VmcFeatureSet *ret,
                             GError **error)
{
    VmcS390Model m;

    if (!vmc_s390x_model_from_def(def, &m, error))
        return FALSE;
    *ret = m.features;
    return TRUE;
}

const VmcArchOps vmc_s390x_ops = {
    .arch = VMC_ARCH_S390X,
    .compare = vmc_s390x_compare,
    .baseline = vmc_s390x_baseline,
    .expand = vmc_s390x_expand,
    .effective_features = vmc_s390x_effective_features,
};
