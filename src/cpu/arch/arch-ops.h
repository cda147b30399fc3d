/* arch-ops.h: the per-arch CPU driver table (libvirt cpuArchDriver style).
 *
 * cpu-ops.c validates arguments and dispatches here; a NULL hook is answered
 * with VMC_ERROR_UNSUPPORTED naming the arch. Arch files keep their data and
 * rules to themselves.
 */
#pragma once

#include <vmcompat/cpu-ops.h>
#include "catalog/cpu-def-private.h"

typedef struct {
    VmcArch arch;
    /* compare: how @a (host or reference) relates to @b. */
    gboolean (*compare)(const VmcCpuDef *a, const VmcCpuDef *b,
                        VmcCompareResult *ret_result,
                        GPtrArray **ret_responsible, GError **error);
    VmcCpuDef *(*baseline)(VmcCpuDef *const *cpus, gsize n_cpus,
                           const char *const *allowed_models,
                           VmcBaselineFlags flags, GError **error);
    VmcCpuDef *(*update)(const VmcCpuDef *cpu, const VmcCpuDef *host,
                         VmcUpdateFlags flags, GError **error);
    VmcCpuDef *(*translate)(const VmcCpuDef *cpu, const char *const *models,
                            GError **error);
    VmcCpuDef *(*decode)(VmcCatalog *cat, const VmcFeatureSet *features,
                         const char *vendor, gboolean has_sig, guint family,
                         guint model, guint stepping, VmcCpuType type,
                         const char *const *allowed_models,
                         const char *preferred_model, GError **error);
    VmcCpuDef *(*expand)(const VmcCpuDef *def, VmcExpansionType type,
                         GPtrArray **ret_deprecated, GError **error);
    gboolean (*effective_features)(const VmcCpuDef *def, VmcFeatureSet *ret,
                                   GError **error);
} VmcArchOps;

extern const VmcArchOps vmc_x86_64_ops;
extern const VmcArchOps vmc_s390x_ops;

/* vmc__arch_ops: the ops table of @arch (never NULL for a valid arch). */
const VmcArchOps *vmc__arch_ops(VmcArch arch);

/**
 * vmc__cpu_required_features:
 * @model: the features a model (or CPU) enables
 * @host: the features known of the host
 * @ret: (out): the part of @model the host must have (may alias @model)
 *
 * The features a model requires on a host, given the catalog's feature
 * dependencies (vmx → vmx-*, svm → SVM leaf): @model minus every group of
 * dependents whose dependency @host lacks (QEMU clears them), and minus
 * every group @host shows none of although it has the dependency (a CPUID
 * dump carries no MSRs: unknown is not absent). Without dependency data
 * (a libvirt cpu_map catalog) this is @model itself.
 */
void vmc__cpu_required_features(const VmcCatalog *cat, VmcArch arch,
                                const VmcFeatureSet *model,
                                const VmcFeatureSet *host, VmcFeatureSet *ret);

/*
 * vmc__cpu_accel_on:
 * The features @accel's defaults turn on (the hypervisor bit; under KVM its
 * paravirt bits and x2apic): the accelerator's own, never asked of the host
 * CPU. Empty for VMC_ACCEL_NONE.
 */
void vmc__cpu_accel_on(const VmcCatalog *cat, VmcArch arch, VmcAccel accel,
                       VmcFeatureSet *ret);
