/* cpu-ops.c: public CPU operations — validate, then dispatch to the arch
 * driver table. Holds the arch-independent pieces (result names, deprecated
 * feature list, bounds).
 */
#include "cpu/arch/arch-ops.h"

#include "base/util.h"
#include <vmcompat/error.h>

static const VmcArchOps *const vmc_arch_ops_table[] = {
    [VMC_ARCH_X86_64] = &vmc_x86_64_ops,
    [VMC_ARCH_S390X] = &vmc_s390x_ops,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_arch_ops_table) == VMC_ARCH_N);

static const char *const vmc_compare_result_names[] = {
    [VMC_COMPARE_INCOMPATIBLE] = "incompatible",
    [VMC_COMPARE_IDENTICAL] = "identical",
    [VMC_COMPARE_SUPERSET] = "superset",
    [VMC_COMPARE_SUBSET] = "subset",
};
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_compare_result_names) == VMC_COMPARE_N);

static const char *const vmc_expansion_type_names[] = { "static", "full" };
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_expansion_type_names) == VMC_EXPANSION_N);

const char *
vmc_compare_result_to_string(VmcCompareResult r)
{
    return (guint) r < VMC_COMPARE_N ? vmc_compare_result_names[r] : NULL;
}

const char *
vmc_expansion_type_to_string(VmcExpansionType t)
{
    return (guint) t < VMC_EXPANSION_N ? vmc_expansion_type_names[t] : NULL;
}

VmcExpansionType
vmc_expansion_type_from_string(const char *s)
{
    int i = vmc_enum_from_string(vmc_expansion_type_names, VMC_EXPANSION_N, s);
    return i < 0 ? VMC_EXPANSION_N : (VmcExpansionType) i;
}

const VmcArchOps *
vmc__arch_ops(VmcArch arch)
{
    g_assert((guint) arch < VMC_ARCH_N);
    return vmc_arch_ops_table[arch];
}

void
vmc__cpu_required_features(const VmcCatalog *cat, VmcArch arch,
                           const VmcFeatureSet *model, const VmcFeatureSet *host,
                           VmcFeatureSet *ret)
{
    const GArray *groups = vmc_catalog_arch(cat, arch)->dep_groups;

    *ret = *model;
    for (guint i = 0; i < groups->len; i++) {
        const VmcFeatureDepGroup *g = &g_array_index(groups, VmcFeatureDepGroup, i);
        /* No dependency: QEMU clears the group. The dependency but none of
         * the group: the data cannot show the group (a CPUID dump carries
         * no MSRs); unknown is not absent. */
        if (!vmc_feature_set_has(host, g->feature) ||
            !vmc_feature_set_intersects(host, &g->dependents))
            vmc_feature_set_andnot(ret, ret, &g->dependents);
    }
}

/* A CPU of an arch vmcompat has no driver for (read from libvirt XML). */
static gboolean
vmc_check_foreign(const VmcCpuDef *def, GError **error)
{
    if (!def->foreign_arch)
        return TRUE;
    g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                "%s: CPU of unsupported architecture '%s'",
                def->source ? def->source : "CPU", def->foreign_arch);
    return FALSE;
}

static gboolean
vmc_unsupported(VmcArch arch, const char *what, GError **error)
{
    g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                "CPU %s is not supported for arch '%s'", what,
                vmc_arch_to_string(arch));
    return FALSE;
}

gboolean
vmc_cpu_compare(const VmcCpuDef *a, const VmcCpuDef *b,
                VmcCompareResult *ret_result, GPtrArray **ret_responsible,
                GError **error)
{
    const VmcArchOps *ops;

    g_return_val_if_fail(a != NULL && b != NULL && ret_result != NULL, FALSE);
    if (a->arch != b->arch || a->foreign_arch || b->foreign_arch) {
        /* libvirt: a CPU of another arch is incompatible with the host. */
        *ret_result = VMC_COMPARE_INCOMPATIBLE;
        if (ret_responsible)
            *ret_responsible = g_ptr_array_new_with_free_func(g_free);
        return TRUE;
    }
    ops = vmc__arch_ops(a->arch);
    if (!ops->compare)
        return vmc_unsupported(a->arch, "comparison", error);
    return ops->compare(a, b, ret_result, ret_responsible, error);
}

VmcCpuDef *
vmc_cpu_baseline(VmcCpuDef *const *cpus, gsize n_cpus,
                 const char *const *allowed_models, VmcBaselineFlags flags,
                 GError **error)
{
    const VmcArchOps *ops;

    g_return_val_if_fail(cpus != NULL || n_cpus == 0, NULL);
    if (n_cpus == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "baseline needs at least one CPU");
        return NULL;
    }
    if (n_cpus > VMC_BASELINE_MAX_CPUS) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "baseline of %zu CPUs exceeds the limit of %d", n_cpus,
                    VMC_BASELINE_MAX_CPUS);
        return NULL;
    }
    for (gsize i = 0; i < n_cpus; i++)
        if (!vmc_check_foreign(cpus[i], error))
            return NULL;
    for (gsize i = 1; i < n_cpus; i++) {
        if (cpus[i]->arch != cpus[0]->arch) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                        "CPU %zu is %s but CPU 1 is %s: cannot baseline across architectures",
                        i + 1, vmc_arch_to_string(cpus[i]->arch),
                        vmc_arch_to_string(cpus[0]->arch));
            return NULL;
        }
    }
    ops = vmc__arch_ops(cpus[0]->arch);
    if (!ops->baseline) {
        vmc_unsupported(cpus[0]->arch, "baseline", error);
        return NULL;
    }
    return ops->baseline(cpus, n_cpus, allowed_models, flags, error);
}

VmcCpuDef *
vmc_cpu_update(const VmcCpuDef *cpu, const VmcCpuDef *host, VmcUpdateFlags flags,
               GError **error)
{
    const VmcArchOps *ops;

    g_return_val_if_fail(cpu != NULL, NULL);
    if (!vmc_check_foreign(cpu, error) || (host && !vmc_check_foreign(host, error)))
        return NULL;
    if (host && host->arch != cpu->arch) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                    "guest CPU is %s but the host is %s",
                    vmc_arch_to_string(cpu->arch), vmc_arch_to_string(host->arch));
        return NULL;
    }
    ops = vmc__arch_ops(cpu->arch);
    if (!ops->update) {
        vmc_unsupported(cpu->arch, "update", error);
        return NULL;
    }
    return ops->update(cpu, host, flags, error);
}

VmcCpuDef *
vmc_cpu_translate(const VmcCpuDef *cpu, const char *const *models, GError **error)
{
    const VmcArchOps *ops;

    g_return_val_if_fail(cpu != NULL, NULL);
    if (!vmc_check_foreign(cpu, error))
        return NULL;
    ops = vmc__arch_ops(cpu->arch);
    if (!ops->translate) {
        vmc_unsupported(cpu->arch, "translation", error);
        return NULL;
    }
    return ops->translate(cpu, models, error);
}

VmcCpuDef *
vmc_cpu_decode_features(VmcCatalog *cat, VmcArch arch, const VmcFeatureSet *features,
                        const char *vendor, gboolean has_sig, guint family,
                        guint model, guint stepping, VmcCpuType type,
                        const char *const *allowed_models,
                        const char *preferred_model, GError **error)
{
    const VmcArchOps *ops;

    g_return_val_if_fail(cat != NULL && features != NULL, NULL);
    ops = vmc__arch_ops(arch);
    if (!ops->decode) {
        vmc_unsupported(arch, "decoding", error);
        return NULL;
    }
    return ops->decode(cat, features, vendor, has_sig, family, model, stepping,
                       type, allowed_models, preferred_model, error);
}

VmcCpuDef *
vmc_cpu_decode(VmcCatalog *cat, const VmcCpuidData *data, VmcCpuType type,
               const char *const *allowed_models, const char *preferred_model,
               GError **error)
{
    VmcFeatureSet set;
    g_autofree char *vendor_string = NULL;
    const char *vendor = NULL;
    guint32 sig = 0;
    guint family = 0, model = 0, stepping = 0;
    gboolean has_sig;

    g_return_val_if_fail(cat != NULL && data != NULL, NULL);
    vmc_cpuid_data_features(data, cat, &set);
    vendor_string = vmc_cpuid_data_vendor(data);
    if (vendor_string)
        vendor = vmc_catalog_vendor_name(cat, VMC_ARCH_X86_64, vendor_string);
    has_sig = vmc_cpuid_data_signature(data, &sig, &family, &model, &stepping);
    return vmc_cpu_decode_features(cat, VMC_ARCH_X86_64, &set, vendor, has_sig,
                                   family, model, stepping, type,
                                   allowed_models, preferred_model, error);
}

VmcCpuDef *
vmc_cpu_expand(const VmcCpuDef *def, VmcExpansionType type,
               GPtrArray **ret_deprecated, GError **error)
{
    const VmcArchOps *ops;

    g_return_val_if_fail(def != NULL && (guint) type < VMC_EXPANSION_N, NULL);
    if (!vmc_check_foreign(def, error))
        return NULL;
    ops = vmc__arch_ops(def->arch);
    if (!ops->expand) {
        vmc_unsupported(def->arch, "expansion", error);
        return NULL;
    }
    return ops->expand(def, type, ret_deprecated, error);
}

gboolean
vmc_cpu_effective_features(const VmcCpuDef *def, VmcFeatureSet *ret, GError **error)
{
    const VmcArchOps *ops;

    g_return_val_if_fail(def != NULL && ret != NULL, FALSE);
    if (!vmc_check_foreign(def, error))
        return FALSE;
    ops = vmc__arch_ops(def->arch);
    if (!ops->effective_features)
        return vmc_unsupported(def->arch, "feature expansion", error);
    return ops->effective_features(def, ret, error);
}

GPtrArray *
vmc_cpu_deprecated_features(const VmcCatalog *cat, VmcArch arch)
{
    g_return_val_if_fail(cat != NULL && (guint) arch < VMC_ARCH_N, NULL);
    return vmc__catalog_set_names(cat, arch, vmc_catalog_deprecated_features(cat, arch));
}
