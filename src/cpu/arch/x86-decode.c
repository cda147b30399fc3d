/* x86-decode.c: which catalog model plus which listed features best
 * describe a set of x86 CPUID bits — libvirt 10.7's x86Decode, rule for
 * rule, so that host-model, baseline and translation give libvirt's answers.
 *
 * The rules (libvirt src/cpu/cpu_x86.c, shared/data/libvirt/README):
 *  1. Intel family 6 model 60/69/70, or 63 with stepping < 4, has broken
 *     TSX: hle and rtm are dropped from the data first.
 *  2. Models are walked from the newest (last in the catalog) to the oldest,
 *     skipping those the hypervisor does not offer, those of another vendor
 *     and those whose decode flag (host/guest) is off.
 *  3. A candidate lists the data's extras as require and the model's
 *     missing features (plus hypervisor blockers) as disable; a guest
 *     candidate also disables the model's removed features. A host
 *     candidate must not disable anything. "Missing" counts only what the
 *     model requires on this CPU (vmc__cpu_required_features): with the
 *     built-in catalog, vmx-* bits need vmx and data that shows VMX MSRs
 *     at all (a CPUID dump has none); a libvirt cpu_map has no such
 *     dependencies, so libvirt's rule is unchanged.
 *  4. A sole preferred model wins at once; a model whose signature matches
 *     the CPU beats one that does not; otherwise the lower cost wins (see
 *     vmc_x86_candidate_cost), ties going to fewer disabled features, and a
 *     preferred model also wins with fewer disabled features.
 *
 * Invariant: the result only names catalog features, each once.
 * Workload: one call per host probe, baseline or translation; a walk of at
 * most a few hundred models with a handful of bitmap operations each.
 */
#include "cpu/arch/x86-private.h"

#include <string.h>
#include <vmcompat/error.h>

/* One candidate model and the features it would list. */
typedef struct {
    const VmcCpuModel *model;
    VmcFeatureSet require;   /* data − model: extras */
    VmcFeatureSet disable;   /* model − data, plus blockers not in extras */
    VmcFeatureSet removed;   /* guest: removed model features not listed yet */
    gsize cost;              /* libvirt's cost of the listing */
    gsize penalty;           /* the disabled part of the cost */
} VmcX86Candidate;

/* Base penalty of the first disabled feature (libvirt BASE_PENALTY). */
#define VMC_X86_BASE_PENALTY 2

/* The cost of a listing of @n features whose last @n_disabled are disabled,
 * as libvirt's virCPUx86CompareCandidateFeatureList computes it. libvirt
 * walks the list while i < enabled and decrements enabled at every disabled
 * feature, so with the disabled ones at the end it counts only the first
 * ceil(n_disabled / 2) of them, at penalties 2, 3, 4, ...; the remaining
 * disabled features cost 1 like enabled ones. Matching libvirt's answers
 * needs this exact arithmetic. Host listings cost their length. */
static void
vmc_x86_candidate_cost(VmcX86Candidate *c, VmcCpuType type)
{
    gsize n_disabled = (gsize) vmc_feature_set_count(&c->disable) +
                       vmc_feature_set_count(&c->removed);
    gsize n = (gsize) vmc_feature_set_count(&c->require) + n_disabled;
    gsize k = (n_disabled + 1) / 2;

    if (type == VMC_CPU_TYPE_HOST) {
        c->cost = n;
        c->penalty = 0;
        return;
    }
    c->penalty = VMC_X86_BASE_PENALTY * k + (k ? k * (k - 1) / 2 : 0);
    c->cost = n - k + c->penalty;
}

/* Does one of @m's signatures match family/model/stepping? */
static gboolean
vmc_x86_signature_match(const VmcCpuModel *m, guint family, guint model,
                        guint stepping)
{
    for (guint i = 0; m->signatures && i < m->signatures->len; i++) {
        const VmcSignature *s = &g_array_index(m->signatures, VmcSignature, i);
        if (s->family == family && s->model == model &&
            (!s->has_stepping ||
             (stepping >= s->stepping_min && stepping <= s->stepping_max)))
            return TRUE;
    }
    return FALSE;
}

/* Rule 1: drop hle and rtm on Intel CPUs with broken TSX. */
static void
vmc_x86_drop_broken_tsx(const VmcCatalog *cat, VmcFeatureSet *data,
                        const VmcX86DecodeArgs *args)
{
    static const char *const tsx[] = { "hle", "rtm" };

    if (!args->vendor || !g_str_equal(args->vendor, "Intel") || !args->has_sig)
        return;
    if (args->family != 6 ||
        !((args->model == 63 && args->stepping < 4) || args->model == 60 ||
          args->model == 69 || args->model == 70))
        return;
    for (guint i = 0; i < G_N_ELEMENTS(tsx); i++) {
        const VmcFeature *f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64,
                                                         tsx[i]);
        if (f)
            vmc_feature_set_remove(data, f->id);
    }
}

/* Rule 3: the listing @m would need for @data. */
static void
vmc_x86_candidate_init(VmcX86Candidate *c, const VmcCatalog *cat,
                       const VmcCpuModel *m, const VmcX86HvModel *hv,
                       const VmcFeatureSet *data, VmcCpuType type)
{
    VmcFeatureSet required;

    c->model = m;
    vmc__cpu_required_features(cat, VMC_ARCH_X86_64, &m->features, data, &required);
    vmc_feature_set_andnot(&c->require, data, &m->features);
    vmc_feature_set_andnot(&c->disable, &required, data);
    if (hv) {
        /* Blockers the CPU does not provide as extras block the model
         * and must be disabled (libvirt x86DataToCPU). */
        VmcFeatureSet blocked;
        vmc_feature_set_andnot(&blocked, &hv->blockers, &c->require);
        vmc_feature_set_or(&c->disable, &c->disable, &blocked);
    }
    vmc_feature_set_clear(&c->removed);
    if (type == VMC_CPU_TYPE_GUEST) {
        vmc_feature_set_andnot(&c->removed, &m->removed, &c->require);
        vmc_feature_set_andnot(&c->removed, &c->removed, &c->disable);
    }
    vmc_x86_candidate_cost(c, type);
}

/* Rule 4 after the preferred shortcut: is @cand better than @cur? */
static gboolean
vmc_x86_candidate_better(const VmcX86Candidate *cur,
                         const VmcX86Candidate *cand,
                         const VmcX86DecodeArgs *args, gboolean use_sig,
                         gboolean is_preferred)
{
    if (use_sig) {
        gboolean cur_match = vmc_x86_signature_match(cur->model, args->family,
                                                     args->model, args->stepping);
        gboolean cand_match = vmc_x86_signature_match(cand->model, args->family,
                                                      args->model, args->stepping);
        if (cur_match && !cand_match)
            return FALSE;
        if (!cur_match && cand_match)
            return TRUE;
    }
    if (cand->cost < cur->cost ||
        (cand->cost == cur->cost && cand->penalty < cur->penalty))
        return TRUE;
    return is_preferred && cand->penalty < cur->penalty;
}

/* Append the members of @set to @def's features with @policy, in id order,
 * keeping only migratable ones when @migratable is set. */
static void
vmc_x86_list_features(VmcCpuDef *def, const VmcFeatureSet *set,
                      VmcFeaturePolicy policy, const VmcFeatureSet *migratable)
{
    VMC_FEATURE_SET_FOREACH(set, i) {
        if (migratable && !vmc_feature_set_has(migratable, (guint) i))
            continue;
        vmc_cpu_def_set_feature(def, (guint) i, policy);
    }
}

/* The hypervisor model of each catalog model (by exact name), or NULL. */
static const VmcX86HvModel **
vmc_x86_map_hv_models(const VmcArchCatalog *ac, const VmcX86DecodeArgs *args)
{
    const VmcX86HvModel **by_idx = g_new0(const VmcX86HvModel *, ac->models->len + 1);

    for (gsize i = 0; i < args->n_models; i++) {
        const VmcCpuModel *m;
        if (!args->models[i].name)
            continue;
        m = g_hash_table_lookup(ac->model_by_name, args->models[i].name);
        if (m && g_str_equal(m->name, args->models[i].name) && !by_idx[m->idx])
            by_idx[m->idx] = &args->models[i];
    }
    return by_idx;
}

VmcCpuDef *
vmc__x86_decode(VmcCatalog *cat, const VmcX86DecodeArgs *args, GError **error)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, VMC_ARCH_X86_64);
    const char *const *preferred = args->preferred;
    g_autofree const VmcX86HvModel **hv_by_idx = NULL;
    VmcFeatureSet data = *args->features;
    VmcX86Candidate best = { 0 };
    VmcX86Candidate cand;
    gboolean use_sig;
    gboolean single;
    g_autoptr(VmcCpuDef) def = NULL;

    if (preferred && !preferred[0])
        preferred = NULL;
    single = preferred && !preferred[1];
    use_sig = args->has_sig && (args->family || args->model || args->stepping);
    vmc_x86_drop_broken_tsx(cat, &data, args);
    if (args->models)
        hv_by_idx = vmc_x86_map_hv_models(ac, args);

    for (gint i = (gint) ac->models->len - 1; i >= 0; i--) {
        const VmcCpuModel *m = g_ptr_array_index(ac->models, i);
        const VmcX86HvModel *hv = hv_by_idx ? hv_by_idx[m->idx] : NULL;
        gboolean is_preferred;

        if (args->models && !hv) {
            if (single && g_str_equal(m->name, preferred[0]) &&
                args->fallback != VMC_CPU_FALLBACK_ALLOW) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                            "CPU model '%s' is not supported by the hypervisor",
                            preferred[0]);
                return NULL;
            }
            continue;
        }
        if (args->vendor && m->vendor && !g_str_equal(args->vendor, m->vendor))
            continue;
        if (args->type == VMC_CPU_TYPE_HOST ? !m->decode_host : !m->decode_guest)
            continue;
        vmc_x86_candidate_init(&cand, cat, m, hv, &data, args->type);
        if (args->type == VMC_CPU_TYPE_HOST && !vmc_feature_set_is_empty(&cand.disable))
            continue;
        is_preferred = preferred && g_strv_contains(preferred, m->name);
        if (is_preferred && single) {
            best = cand;
            break;
        }
        if (!best.model ||
            vmc_x86_candidate_better(&best, &cand, args, use_sig, is_preferred))
            best = cand;
    }
    if (!best.model) {
        if (args->models)
            g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                        "none of the %zu allowed x86_64 CPU models fits the given CPU features",
                        args->n_models);
        else
            g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                        "no x86_64 CPU model of the catalog (%s) fits the given CPU features",
                        ac->source);
        return NULL;
    }

    def = vmc_cpu_def_new(cat, VMC_ARCH_X86_64, args->type);
    def->origin = VMC_CPU_ORIGIN_CPUID;
    vmc__cpu_def_set_model_ref(def, best.model);
    vmc_cpu_def_set_vendor(def, args->vendor);
    {
        const VmcFeatureSet *mig = args->migratable ? &ac->migratable : NULL;
        vmc_x86_list_features(def, &best.require, VMC_FEATURE_POLICY_REQUIRE, mig);
        vmc_x86_list_features(def, &best.disable, VMC_FEATURE_POLICY_DISABLE, mig);
        vmc_x86_list_features(def, &best.removed, VMC_FEATURE_POLICY_DISABLE, mig);
    }
    if (args->type == VMC_CPU_TYPE_HOST) {
        def->has_signature = args->has_sig;
        def->sig_family = args->family;
        def->sig_model = args->model;
        def->sig_stepping = args->stepping;
    } else {
        vmc_cpu_def_set_match(def, VMC_CPU_MATCH_EXACT);
        def->fallback = args->fallback;
    }
    g_debug("x86 decode: model %s (cost %zu, penalty %zu) for %s CPU %u/%u/%u",
            best.model->name, best.cost, best.penalty,
            args->vendor ? args->vendor : "unknown", args->family, args->model,
            args->stepping);
    return g_steal_pointer(&def);
}

VmcCpuDef *
vmc__x86_decode_hook(VmcCatalog *cat, const VmcFeatureSet *features,
                     const char *vendor, gboolean has_sig, guint family,
                     guint model, guint stepping, VmcCpuType type,
                     const char *const *allowed_models,
                     const char *preferred_model, GError **error)
{
    g_autofree VmcX86HvModel *hv = NULL;
    const char *preferred[] = { preferred_model, NULL };
    VmcX86DecodeArgs args = {
        .features = features,
        .vendor = vendor,
        .has_sig = has_sig,
        .family = family,
        .model = model,
        .stepping = stepping,
        .type = type,
        .preferred = preferred_model ? preferred : NULL,
        .fallback = VMC_CPU_FALLBACK_ALLOW,
    };
    VmcCpuDef *def;

    if (allowed_models) {
        gsize n = g_strv_length((char **) allowed_models);
        hv = g_new0(VmcX86HvModel, n + 1);
        for (gsize i = 0; i < n; i++)
            hv[i].name = allowed_models[i];
        args.models = hv;
        args.n_models = n;
    }
    def = vmc__x86_decode(cat, &args, error);
    /* A decoded guest CPU is exactly this model (libvirt cputest). */
    if (def && type == VMC_CPU_TYPE_GUEST)
        def->fallback = VMC_CPU_FALLBACK_FORBID;
    return def;
}
