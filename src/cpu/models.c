/* models.c: the model list of query-cpu-definitions — every catalog model
 * and alias, with deprecated/alias-of/static and, against a host, the
 * unavailable-features that keep a model from running there.
 *
 * A model's unavailable features are computed the way QEMU instantiates
 * it: accelerator defaults that turn features off, then QEMU's feature
 * dependencies (the catalog's "depends"), then what the host can be asked
 * for (vmc__cpu_required_features), minus the host's features.
 *
 * Workload: one call per `cpu models` / report; a few hundred rows with a
 * handful of bitmap operations each.
 */
#include "cpu/arch/arch-ops.h"

#include "base/util.h"
#include <vmcompat/error.h>

static const char *const vmc_accel_names[] = {
    [VMC_ACCEL_NONE] = "none",
    [VMC_ACCEL_KVM] = "kvm",
    [VMC_ACCEL_TCG] = "tcg",
};
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_accel_names) == VMC_ACCEL_N);

const char *
vmc_accel_to_string(VmcAccel accel)
{
    return (guint) accel < VMC_ACCEL_N ? vmc_accel_names[accel] : NULL;
}

VmcAccel
vmc_accel_from_string(const char *name)
{
    int i = vmc_enum_from_string(vmc_accel_names, VMC_ACCEL_N, name);
    return i < 0 ? VMC_ACCEL_N : (VmcAccel) i;
}

void
vmc_model_availability_clear(VmcModelAvailability *row)
{
    if (row && row->unavailable)
        g_clear_pointer(&row->unavailable, g_ptr_array_unref);
}

static void
vmc_models_clear_row(gpointer p)
{
    vmc_model_availability_clear(p);
}

/* Applies accelerator default @props to @off: a false value turns the
 * feature off, a true one cancels an earlier false. */
static void
vmc_models_defaults_off(const GArray *props, VmcFeatureSet *off)
{
    for (guint i = 0; i < props->len; i++) {
        const VmcFeatureProp *p = &g_array_index(props, VmcFeatureProp, i);
        if (p->value)
            vmc_feature_set_remove(off, p->feature);
        else
            vmc_feature_set_add(off, p->feature);
    }
}

/* The features @accel's defaults turn off (none for VMC_ACCEL_NONE). The
 * features they turn on are the accelerator's own (KVM paravirt bits,
 * hypervisor) and never asked of the host, so they are not added. */
static void
vmc_models_accel_off(const VmcArchCatalog *ac, VmcAccel accel, VmcFeatureSet *off)
{
    vmc_feature_set_clear(off);
    if (accel == VMC_ACCEL_NONE)
        return;
    vmc_models_defaults_off(ac->defaults_always, off);
    vmc_models_defaults_off(accel == VMC_ACCEL_KVM ? ac->defaults_kvm : ac->defaults_tcg, off);
}

void
vmc__cpu_accel_on(const VmcCatalog *cat, VmcArch arch, VmcAccel accel, VmcFeatureSet *ret)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, arch);
    VmcFeatureSet off;

    /* what the defaults touch, minus what they leave off */
    vmc_feature_set_clear(ret);
    if (accel == VMC_ACCEL_NONE)
        return;
    vmc_models_accel_off(ac, accel, &off);
    for (guint l = 0; l < 2; l++) {
        const GArray *props = l ? (accel == VMC_ACCEL_KVM ? ac->defaults_kvm : ac->defaults_tcg)
                                : ac->defaults_always;
        for (guint i = 0; i < props->len; i++)
            if (g_array_index(props, VmcFeatureProp, i).value)
                vmc_feature_set_add(ret, g_array_index(props, VmcFeatureProp, i).feature);
    }
    vmc_feature_set_andnot(ret, ret, &off);
}

/* What QEMU instantiates of @m: its features minus @off, minus every
 * group of dependents whose dependency is then off (QEMU
 * feature_dependencies[] in x86_cpu_expand_features). */
static void
vmc_models_instantiate(const VmcArchCatalog *ac, const VmcCpuModel *m,
                       const VmcFeatureSet *off, VmcFeatureSet *ret)
{
    vmc_feature_set_andnot(ret, &m->features, off);
    for (guint i = 0; i < ac->dep_groups->len; i++) {
        const VmcFeatureDepGroup *g = &g_array_index(ac->dep_groups, VmcFeatureDepGroup, i);
        if (!vmc_feature_set_has(ret, g->feature))
            vmc_feature_set_andnot(ret, ret, &g->dependents);
    }
}

/* The unavailable features of @m on @host (names, id order). */
static GPtrArray *
vmc_models_unavailable(VmcCatalog *cat, VmcArch arch, const VmcCpuModel *m,
                       const VmcFeatureSet *off, const VmcFeatureSet *host)
{
    VmcFeatureSet inst, required, missing;

    vmc_models_instantiate(vmc_catalog_arch(cat, arch), m, off, &inst);
    vmc__cpu_required_features(cat, arch, &inst, host, &required);
    vmc_feature_set_andnot(&missing, &required, host);
    return vmc__catalog_set_names(cat, arch, &missing);
}

GArray *
vmc_cpu_models_accel(VmcCatalog *cat, VmcArch arch, const VmcCpuDef *host,
                     VmcAccel accel, GError **error)
{
    g_autoptr(GArray) rows = NULL;
    VmcFeatureSet host_set;
    VmcFeatureSet off;
    const VmcArchCatalog *ac;

    g_return_val_if_fail(cat != NULL && (guint) arch < VMC_ARCH_N, NULL);
    g_return_val_if_fail((guint) accel < VMC_ACCEL_N, NULL);
    if (host) {
        if (host->arch != arch) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                        "the host is %s, not %s", vmc_arch_to_string(host->arch),
                        vmc_arch_to_string(arch));
            return NULL;
        }
        if (!vmc_cpu_effective_features(host, &host_set, error))
            return NULL;
        /* The hardware still has what the host-model disabled (seed 000). */
        vmc_feature_set_or(&host_set, &host_set, &host->host_deprecated_disabled);
    }
    ac = vmc_catalog_arch(cat, arch);
    vmc_models_accel_off(ac, accel, &off);
    rows = g_array_new(FALSE, TRUE, sizeof(VmcModelAvailability));
    g_array_set_clear_func(rows, vmc_models_clear_row);
    for (guint i = 0; i < ac->models->len; i++) {
        const VmcCpuModel *m = g_ptr_array_index(ac->models, i);
        VmcModelAvailability row = {
            .model = m, .name = m->name, .is_static = m->is_static,
            .deprecated = m->deprecated,
        };
        if (host)
            row.unavailable = vmc_models_unavailable(cat, arch, m, &off, &host_set);
        g_array_append_val(rows, row);
    }
    for (guint i = 0; i < ac->alias_names->len; i++) {
        const VmcCpuModel *m = g_ptr_array_index(ac->alias_targets, i);
        VmcModelAvailability row = {
            .model = m, .name = g_ptr_array_index(ac->alias_names, i),
            .alias_of = m->name, .is_static = FALSE, .deprecated = m->deprecated,
        };
        if (host)
            row.unavailable = vmc_models_unavailable(cat, arch, m, &off, &host_set);
        g_array_append_val(rows, row);
    }
    return g_steal_pointer(&rows);
}

GArray *
vmc_cpu_models(VmcCatalog *cat, VmcArch arch, const VmcCpuDef *host, GError **error)
{
    return vmc_cpu_models_accel(cat, arch, host, VMC_ACCEL_NONE, error);
}

/* ---- the CPU QEMU presents ------------------------------------------- */

static void
vmc_present_apply(VmcFeatureSet *set, const GArray *props)
{
    for (guint i = 0; i < props->len; i++) {
        const VmcFeatureProp *p = &g_array_index(props, VmcFeatureProp, i);
        if (p->value)
            vmc_feature_set_add(set, p->feature);
        else
            vmc_feature_set_remove(set, p->feature);
    }
}

VmcCpuDef *
vmc_cpu_present(const VmcCpuDef *def, const VmcCpuDef *host, VmcAccel accel,
                GError **error)
{
    g_autoptr(VmcCpuDef) out = NULL;
    const VmcArchCatalog *ac;
    VmcFeatureSet set, host_set;

    g_return_val_if_fail(def != NULL && (guint) accel < VMC_ACCEL_N, NULL);
    if (def->mode != VMC_CPU_MODE_CUSTOM || !def->model_ref) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "only a custom CPU with a model can be expanded to what QEMU presents "
                    "(this one is %s%s)", vmc_cpu_mode_to_string(def->mode),
                    def->model_ref ? "" : " without a model");
        return NULL;
    }
    if (host && !vmc_cpu_effective_features(host, &host_set, error))
        return NULL;
    ac = vmc_catalog_arch(def->cat, def->arch);
    set = def->model_ref->features;
    /* accelerator defaults come before user options (x86_cpu_load_model) */
    if (accel != VMC_ACCEL_NONE) {
        vmc_present_apply(&set, ac->defaults_always);
        vmc_present_apply(&set, accel == VMC_ACCEL_KVM ? ac->defaults_kvm : ac->defaults_tcg);
    }
    for (guint i = 0; i < def->features->len; i++) {
        const VmcCpuFeature *f = &g_array_index(def->features, VmcCpuFeature, i);
        switch (f->policy) {
        case VMC_FEATURE_POLICY_FORCE:
        case VMC_FEATURE_POLICY_REQUIRE:
            vmc_feature_set_add(&set, f->id);
            break;
        case VMC_FEATURE_POLICY_OPTIONAL:
            if (host && vmc_feature_set_has(&host_set, f->id))
                vmc_feature_set_add(&set, f->id);
            else
                vmc_feature_set_remove(&set, f->id);
            break;
        case VMC_FEATURE_POLICY_DISABLE:
        case VMC_FEATURE_POLICY_FORBID:
        case VMC_FEATURE_POLICY_N:
            vmc_feature_set_remove(&set, f->id);
            break;
        }
    }
    for (guint i = 0; ac->dep_groups && i < ac->dep_groups->len; i++) {
        const VmcFeatureDepGroup *g = &g_array_index(ac->dep_groups, VmcFeatureDepGroup, i);
        if (!vmc_feature_set_has(&set, g->feature))
            vmc_feature_set_andnot(&set, &set, &g->dependents);
    }
    out = vmc_cpu_def_new(def->cat, def->arch, VMC_CPU_TYPE_GUEST);
    vmc__cpu_def_set_model_ref(out, def->model_ref);
    out->mode = VMC_CPU_MODE_CUSTOM;
    out->check = def->check;
    out->match = def->match;
    out->has_match = def->has_match;
    for (guint id = 0; id < ac->features->len; id++) {
        const VmcFeature *f = g_ptr_array_index(ac->features, id);
        if (!f->qemu)
            continue;
        vmc_cpu_def_set_feature(out, id, vmc_feature_set_has(&set, id) ?
                                VMC_FEATURE_POLICY_REQUIRE : VMC_FEATURE_POLICY_DISABLE);
    }
    return g_steal_pointer(&out);
}
