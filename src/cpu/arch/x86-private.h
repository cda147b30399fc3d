/* x86-private.h: what the x86_64 CPU driver's two files (x86_64.c: compare,
 * update, translate, baseline, expand; x86-decode.c: libvirt's x86Decode)
 * share with each other and with their tests. Not installed.
 *
 * Every feature of an x86 catalog is exactly one CPUID or MSR bit and no two
 * features share a bit (true of libvirt 10.7's cpu_map and of QEMU's list),
 * so libvirt's bit-level CPUID algebra is the same as set algebra on
 * VmcFeatureSet, which is what the driver uses throughout.
 */
#pragma once

#include "cpu/arch/arch-ops.h"

/* VMC_X86_BASE_MODEL: the model name of QEMU's static x86 expansion ("base",
 * no features); it is not a catalog model, so a definition naming it has no
 * model_ref. */
#define VMC_X86_BASE_MODEL "base"

/**
 * VmcX86HvModel:
 * @name: a CPU model the hypervisor offers (a query-cpu-definitions row),
 *     matched by exact name against catalog models
 * @blockers: its unavailable-features; decoding to this model disables
 *     those of them the CPU does not have as extras (libvirt x86DataToCPU)
 */
typedef struct {
    const char *name;
    VmcFeatureSet blockers;
} VmcX86HvModel;

/**
 * VmcX86DecodeArgs: the inputs of libvirt's x86Decode.
 * @features: the CPU's features (its CPUID/MSR bits)
 * @vendor: (nullable): vendor name found in the data; NULL: any model vendor
 * @has_sig, @family, @model, @stepping: the CPUID.1.EAX signature
 * @type: HOST: only models that are a subset of @features; features are
 *     the extras. GUEST: extras required, missing and removed disabled
 * @models: (nullable) (array length=n_models): restrict the choice to these
 *     hypervisor models; NULL: any catalog model
 * @preferred: (nullable) (array zero-terminated=1): preferred model names
 * @fallback: when the single preferred model is not allowed: FORBID is an
 *     error, ALLOW picks the closest allowed model
 * @migratable: drop non-migratable features from the result
 */
typedef struct {
    const VmcFeatureSet *features;
    const char *vendor;
    gboolean has_sig;
    guint family, model, stepping;
    VmcCpuType type;
    const VmcX86HvModel *models;
    gsize n_models;
    const char *const *preferred;
    VmcCpuFallback fallback;
    gboolean migratable;
} VmcX86DecodeArgs;

/**
 * vmc__x86_decode:
 * libvirt's x86Decode over a feature set: broken-TSX drop, the newest to
 * oldest model walk with allowed/vendor/decode-flag filters, the
 * signature preference and libvirt's cost function.
 *
 * Returns: (transfer full): a definition of @args->type with the chosen
 *     model, the vendor (when known), the listed features (HOST: the extras
 *     as require; GUEST: require extras, disable missing, blocked and
 *     removed) and, for HOST, the signature; NULL with @error when no model
 *     fits (VMC_ERROR_INCOMPATIBLE) or the preferred model is not allowed
 *     with fallback forbid (VMC_ERROR_UNSUPPORTED).
 */
VmcCpuDef *vmc__x86_decode(VmcCatalog *cat, const VmcX86DecodeArgs *args,
                           GError **error);

/* vmc__x86_decode_hook: the ops-table decode hook (names-only model list). */
VmcCpuDef *vmc__x86_decode_hook(VmcCatalog *cat, const VmcFeatureSet *features,
                                const char *vendor, gboolean has_sig,
                                guint family, guint model, guint stepping,
                                VmcCpuType type,
                                const char *const *allowed_models,
                                const char *preferred_model, GError **error);

/**
 * vmc__x86_model_features:
 * The features of @def's model: empty without a model or for
 * VMC_X86_BASE_MODEL; an error (VMC_ERROR_UNKNOWN) for a model name the
 * catalog does not know.
 */
gboolean vmc__x86_model_features(const VmcCpuDef *def, VmcFeatureSet *ret,
                                 GError **error);
