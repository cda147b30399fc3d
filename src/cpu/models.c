/* models.c: the model list of query-cpu-definitions — every catalog model
 * and alias, with deprecated/alias-of/static and, against a host, the
 * unavailable-features that keep a model from running there.
 */
#include <vmcompat/cpu-ops.h>

#include "catalog/cpu-def-private.h"
#include <vmcompat/error.h>

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

static GPtrArray *
vmc_models_unavailable(VmcCatalog *cat, VmcArch arch, const VmcCpuModel *m,
                       const VmcFeatureSet *host)
{
    VmcFeatureSet missing;
    vmc_feature_set_andnot(&missing, &m->features, host);
    return vmc__catalog_set_names(cat, arch, &missing);
}

GArray *
vmc_cpu_models(VmcCatalog *cat, VmcArch arch, const VmcCpuDef *host, GError **error)
{
    g_autoptr(GArray) rows = NULL;
    VmcFeatureSet host_set;
    const VmcArchCatalog *ac;

    g_return_val_if_fail(cat != NULL && (guint) arch < VMC_ARCH_N, NULL);
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
    rows = g_array_new(FALSE, TRUE, sizeof(VmcModelAvailability));
    g_array_set_clear_func(rows, vmc_models_clear_row);
    for (guint i = 0; i < ac->models->len; i++) {
        const VmcCpuModel *m = g_ptr_array_index(ac->models, i);
        VmcModelAvailability row = {
            .model = m, .name = m->name, .is_static = m->is_static,
            .deprecated = m->deprecated,
        };
        if (host)
            row.unavailable = vmc_models_unavailable(cat, arch, m, &host_set);
        g_array_append_val(rows, row);
    }
    for (guint i = 0; i < ac->alias_names->len; i++) {
        const VmcCpuModel *m = g_ptr_array_index(ac->alias_targets, i);
        VmcModelAvailability row = {
            .model = m, .name = g_ptr_array_index(ac->alias_names, i),
            .alias_of = m->name, .is_static = FALSE, .deprecated = m->deprecated,
        };
        if (host)
            row.unavailable = vmc_models_unavailable(cat, arch, m, &host_set);
        g_array_append_val(rows, row);
    }
    return g_steal_pointer(&rows);
}
