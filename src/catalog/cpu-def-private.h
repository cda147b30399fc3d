/* cpu-def-private.h: the body of VmcCpuDef, for the library's layers and
 * tests. Not installed.
 *
 * Invariants: features holds each feature id at most once, in the order it
 * was listed; model_ref is the resolved catalog model of model (or NULL when
 * no model is named); cat is referenced for the definition's lifetime.
 */
#pragma once

#include <vmcompat/cpu-def.h>
#include "catalog/catalog-private.h"

typedef struct {
    guint id;
    VmcFeaturePolicy policy;
} VmcCpuFeature;

struct _VmcCpuDef {
    gint refs;
    VmcCatalog *cat;
    VmcArch arch;
    VmcCpuType type;
    VmcCpuMode mode;
    VmcCpuMatch match;
    VmcCpuCheck check;
    VmcCpuFallback fallback;
    VmcCpuOrigin origin;
    gboolean has_match;       /* match= was given (libvirt writes it back) */
    char *model;              /* as written */
    const VmcCpuModel *model_ref;
    char *vendor;             /* vendor name */
    char *vendor_id;          /* <model vendor_id=...> */
    gboolean has_signature;
    guint sig_family, sig_model, sig_stepping;
    GArray *features;         /* VmcCpuFeature */
    char *source;             /* "file:line" or NULL */
    char *foreign_arch;       /* host CPU of an arch without a driver ("ia64") */
    /* Host CPUs: features the host-model disables because they are
     * deprecated, while the hardware still has them (seed 000). */
    VmcFeatureSet host_deprecated_disabled;
};

/* vmc__cpu_def_policy_set: the set of listed features with @policy. */
void vmc__cpu_def_policy_set(const VmcCpuDef *def, VmcFeaturePolicy policy,
                             VmcFeatureSet *ret);

/* vmc__cpu_def_set_model_ref: set the model from a catalog model. */
void vmc__cpu_def_set_model_ref(VmcCpuDef *def, const VmcCpuModel *m);
