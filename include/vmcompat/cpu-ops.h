/* cpu-ops.h: CPU operations — compare, baseline, update, translate, decode,
 * expand, deprecated features. Per-arch behaviour goes through an ops table;
 * an arch without a hook answers VMC_ERROR_UNSUPPORTED naming the arch.
 */
#pragma once

#include <glib.h>
#include <vmcompat/cpu-def.h>
#include <vmcompat/cpuid.h>

G_BEGIN_DECLS

/**
 * VmcCompareResult:
 * How A relates to B (QEMU's CpuModelCompareResult):
 * @VMC_COMPARE_IDENTICAL: same features
 * @VMC_COMPARE_SUPERSET: A has everything B needs and more: B runs wherever
 *     A runs
 * @VMC_COMPARE_SUBSET: B has everything A has and more: A runs wherever B runs
 * @VMC_COMPARE_INCOMPATIBLE: neither runs where the other runs
 */
typedef enum {
    VMC_COMPARE_INCOMPATIBLE,
    VMC_COMPARE_IDENTICAL,
    VMC_COMPARE_SUPERSET,
    VMC_COMPARE_SUBSET,
    VMC_COMPARE_N,
} VmcCompareResult;

const char *vmc_compare_result_to_string(VmcCompareResult r);

/**
 * vmc_cpu_compare:
 * @a: the reference: a host CPU, or a CPU model
 * @b: the CPU to judge against @a
 * @ret_result: (out): the relation of @a to @b
 * @ret_responsible: (out) (optional) (transfer full) (element-type utf8):
 *     the features responsible for a result other than identical
 * @error: return location for a #GError
 *
 * x86_64 inputs read from libvirt XML follow libvirt's compare rules exactly
 * (virCPUCompare(a, b)). Everything else follows QEMU's
 * query-cpu-model-comparison (expansion of both, feature-set relation, and on
 * s390x the CPU generation). When @a is a host CPU, @a stands for what the
 * hardware really has (seed 000): features the host-model disables because
 * they are deprecated still count as present.
 *
 * Returns: FALSE with @error set on bad input (unknown model/feature ...).
 */
gboolean vmc_cpu_compare(const VmcCpuDef *a, const VmcCpuDef *b,
                         VmcCompareResult *ret_result,
                         GPtrArray **ret_responsible, GError **error);

/**
 * VmcBaselineFlags:
 * @VMC_BASELINE_EXPAND_FEATURES: list every feature of the model
 * @VMC_BASELINE_MIGRATABLE: drop features that cannot be migrated
 */
typedef enum {
    VMC_BASELINE_DEFAULT = 0,
    VMC_BASELINE_EXPAND_FEATURES = 1 << 0,
    VMC_BASELINE_MIGRATABLE = 1 << 1,
} VmcBaselineFlags;

#define VMC_BASELINE_MAX_CPUS 100000

/**
 * vmc_cpu_baseline:
 * @cpus: (array length=n_cpus): the CPUs; at least one
 * @allowed_models: (nullable) (array zero-terminated=1): restrict the result
 *     model (NULL: any catalog model)
 *
 * The N-way baseline: a guest CPU that runs on every input. Vendor mismatch
 * is VMC_ERROR_INCOMPATIBLE naming both vendors.
 *
 * Returns: (transfer full): the baseline CPU, or NULL with @error set.
 */
VmcCpuDef *vmc_cpu_baseline(VmcCpuDef *const *cpus, gsize n_cpus,
                            const char *const *allowed_models,
                            VmcBaselineFlags flags, GError **error);

/**
 * VmcUpdateFlags:
 * @VMC_UPDATE_HOST_MIGRATABLE: use only the migratable part of the host
 */
typedef enum {
    VMC_UPDATE_DEFAULT = 0,
    VMC_UPDATE_HOST_MIGRATABLE = 1 << 0,
} VmcUpdateFlags;

/**
 * vmc_cpu_update:
 * The updated guest CPU (seed 001): host-model becomes the host's model and
 * features, optional features are resolved against @host, removed model
 * features are written out as disabled (libvirt virCPUUpdate).
 */
VmcCpuDef *vmc_cpu_update(const VmcCpuDef *cpu, const VmcCpuDef *host,
                          VmcUpdateFlags flags, GError **error);

/**
 * vmc_cpu_translate:
 * Rewrites @cpu to use one of @models (libvirt virCPUTranslate).
 */
VmcCpuDef *vmc_cpu_translate(const VmcCpuDef *cpu,
                             const char *const *models, GError **error);

/**
 * vmc_cpu_decode:
 * @type: HOST: the model must be a subset of the CPU; GUEST: features are
 *     listed with policies, removed features disabled. With the built-in
 *     catalog, a model's features that depend on another (vmx-* on vmx)
 *     count only when the CPU has that feature and shows some of them: a
 *     CPUID dump without VMX MSRs still decodes to its generation's model
 * @allowed_models: (nullable): restrict the model choice
 * @preferred_model: (nullable): prefer this model
 *
 * Decodes raw CPUID data to a model + features (libvirt x86Decode).
 */
VmcCpuDef *vmc_cpu_decode(VmcCatalog *cat, const VmcCpuidData *data,
                          VmcCpuType type, const char *const *allowed_models,
                          const char *preferred_model, GError **error);

/**
 * vmc_cpu_decode_features:
 * Decodes a feature set + vendor (+ signature) to a definition, the same way
 * vmc_cpu_decode does for CPUID data.
 */
VmcCpuDef *vmc_cpu_decode_features(VmcCatalog *cat, VmcArch arch,
                                   const VmcFeatureSet *features,
                                   const char *vendor, gboolean has_sig,
                                   guint family, guint model, guint stepping,
                                   VmcCpuType type,
                                   const char *const *allowed_models,
                                   const char *preferred_model,
                                   GError **error);

/** VmcExpansionType: QEMU's CpuModelExpansionType. */
typedef enum {
    VMC_EXPANSION_STATIC,
    VMC_EXPANSION_FULL,
    VMC_EXPANSION_N,
} VmcExpansionType;

const char *vmc_expansion_type_to_string(VmcExpansionType t);
VmcExpansionType vmc_expansion_type_from_string(const char *s);

/**
 * vmc_cpu_expand:
 * @ret_deprecated: (out) (optional) (transfer full) (element-type utf8):
 *     QEMU's deprecated-props: the deprecated features of the expansion
 *
 * Like query-cpu-model-expansion. STATIC: a static base model plus every
 * property that differs from it; FULL: the model with every feature
 * property set true or false.
 *
 * Returns: (transfer full): a custom definition whose listed features are
 *     require (true) or disable (false), or NULL with @error.
 */
VmcCpuDef *vmc_cpu_expand(const VmcCpuDef *def, VmcExpansionType type,
                          GPtrArray **ret_deprecated, GError **error);

/**
 * vmc_cpu_effective_features:
 * The features a definition enables once its model is expanded and its
 * feature policies applied (require/force on, disable/forbid off; optional
 * off). Host definitions: model + all listed features.
 */
gboolean vmc_cpu_effective_features(const VmcCpuDef *def, VmcFeatureSet *ret,
                                    GError **error);

/**
 * vmc_cpu_deprecated_features:
 * Returns: (transfer full) (element-type utf8): names of the deprecated
 *     features of @arch (query-cpu-model-deprecated-features).
 */
GPtrArray *vmc_cpu_deprecated_features(const VmcCatalog *cat, VmcArch arch);

/**
 * VmcModelAvailability: one row of query-cpu-definitions.
 */
typedef struct {
    const VmcCpuModel *model;
    const char *name;          /* the listed name (model or alias) */
    const char *alias_of;      /* NULL unless an alias */
    gboolean is_static;
    const char *deprecated;    /* release or NULL */
    GPtrArray *unavailable;    /* (element-type utf8) NULL without host */
} VmcModelAvailability;

void vmc_model_availability_clear(VmcModelAvailability *row);

/**
 * vmc_cpu_models:
 * @host: (nullable): host CPU to compute unavailable-features against
 *
 * The same as vmc_cpu_models_accel() with VMC_ACCEL_NONE.
 *
 * Returns: (transfer full) (element-type VmcModelAvailability): models then
 *     aliases, in catalog order.
 */
GArray *vmc_cpu_models(VmcCatalog *cat, VmcArch arch, const VmcCpuDef *host,
                       GError **error);

/**
 * VmcAccel:
 * @VMC_ACCEL_NONE: no accelerator: the catalog models as listed
 * @VMC_ACCEL_KVM: QEMU with KVM (the catalog's defaults.kvm)
 * @VMC_ACCEL_TCG: QEMU with TCG (the catalog's defaults.tcg)
 *
 * The accelerator a model is instantiated with. Wire names are QEMU's
 * accelerator names ("kvm", "tcg") and "none".
 *
 * Since: 0.1
 */
typedef enum {
    VMC_ACCEL_NONE,
    VMC_ACCEL_KVM,
    VMC_ACCEL_TCG,
    VMC_ACCEL_N,
} VmcAccel;

/**
 * vmc_accel_to_string:
 * Returns: the wire name, or NULL for an invalid value.
 */
const char *vmc_accel_to_string(VmcAccel accel);

/**
 * vmc_accel_from_string:
 * Returns: the accelerator named @name, or VMC_ACCEL_N when unknown.
 */
VmcAccel vmc_accel_from_string(const char *name);

/**
 * vmc_cpu_models_accel:
 * @cat: the catalog
 * @arch: the models' arch
 * @host: (nullable): host CPU to compute unavailable-features against
 * @accel: the accelerator the models would run with
 * @error: return location for a #GError
 *
 * query-cpu-definitions of a QEMU with @accel on @host. A model's
 * unavailable-features are the features QEMU would need from the host to
 * instantiate it:
 *  - the model's features without those the accelerator defaults turn
 *    off (KVM: acpi, monitor, svm, ...; TCG: vme). Features a default turns
 *    on are the accelerator's own (KVM paravirt bits, the hypervisor bit)
 *    and are not asked of the host;
 *  - without the features that depend on a feature the instantiated model
 *    lacks (QEMU feature_dependencies[]: no model enables vmx, so its vmx-*
 *    capability bits are cleared; KVM turns svm off);
 *  - without the dependent features the host cannot be asked for: their
 *    dependency is absent there, or the host data shows none of them
 *    (a CPUID dump has no VMX MSRs): unknown is not absent;
 *  - minus what @host has (for a host CPU also the deprecated features its
 *    host-model hides, seed 000).
 * With a libvirt cpu_map catalog there are no feature dependencies.
 *
 * Returns: (transfer full) (element-type VmcModelAvailability): models then
 *     aliases, in catalog order; NULL with @error when @host is of another
 *     arch (VMC_ERROR_INCOMPATIBLE) or cannot be expanded.
 *
 * Since: 0.1
 */
GArray *vmc_cpu_models_accel(VmcCatalog *cat, VmcArch arch, const VmcCpuDef *host,
                             VmcAccel accel, GError **error);

/**
 * vmc_cpu_present:
 * @def: a custom guest CPU with a model (what the user asked for)
 * @host: (nullable): the host CPU, for optional features
 * @accel: the accelerator QEMU runs with
 *
 * The CPU QEMU actually presents (seed 001's *updated* definition): the
 * model's features, then @accel's defaults (QEMU applies them before user
 * options: under KVM the paravirt bits and x2apic on, acpi/monitor/svm off;
 * always the hypervisor bit), then @def's features (require/force on,
 * disable/forbid off, optional on only when @host has it), then every
 * feature that depends on one that ended off is cleared.
 *
 * Returns: (transfer full): a custom definition of the same model listing
 *     every feature QEMU knows as require or disable; NULL with
 *     VMC_ERROR_UNSUPPORTED for host-model/host-passthrough or no model.
 */
VmcCpuDef *vmc_cpu_present(const VmcCpuDef *def, const VmcCpuDef *host,
                           VmcAccel accel, GError **error);

G_END_DECLS
