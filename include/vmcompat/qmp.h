/* qmp.h: vmcompat's answers in QMP shape, and its QMP command set.
 *
 * Two parts, one source of truth for every JSON answer vmcompat gives:
 *
 *  - Answers: each operation's result as the JSON object a QMP command
 *    returns (QAPI member names: "responsible-properties",
 *    "unavailable-features", ...). `vmcompat ... --json` prints exactly
 *    these, and vmcompatd returns them — neither builds its own.
 *
 *  - The command set (VmcQmp): the QMP commands of vmcompatd, declared once
 *    in the schema data/qmp/schema.json (embedded). Arguments are checked
 *    against the schema before a command runs, with QEMU's wording;
 *    query-qmp-schema and the manual are made from the same file.
 *
 * This header needs json-c (the "json-c" pkg-config module); it is not part
 * of the umbrella vmcompat.h. Every function returning a json_object gives
 * a new reference (transfer full).
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>
#include <vmcompat/vmcompat.h>

G_BEGIN_DECLS

/* ---- Answers ------------------------------------------------------------ */

/**
 * vmc_qmp_cpu_definition_info_list:
 * @rows: (element-type VmcModelAvailability): vmc_cpu_models_accel() rows
 *
 * query-cpu-definitions: [{"name", "unavailable-features" (with a host),
 * "static", "migration-safe", "deprecated", "deprecated-since"?,
 * "alias-of"?}].
 *
 * Returns: (transfer full): a JSON array.
 * Since: 0.1
 */
json_object *vmc_qmp_cpu_definition_info_list(GArray *rows);

/**
 * vmc_qmp_cpu_model_expansion_info:
 * @model: the expansion (vmc_cpu_expand())
 * @deprecated: (nullable) (element-type utf8): its deprecated-props
 *
 * query-cpu-model-expansion: {"model": CpuModelInfo, "deprecated-props"}.
 * Since: 0.1
 */
json_object *vmc_qmp_cpu_model_expansion_info(const VmcCpuDef *model,
                                              GPtrArray *deprecated);

/**
 * vmc_qmp_cpu_model_compare_info:
 * @result: the relation of A to B
 * @responsible: (nullable) (element-type utf8): responsible properties
 *
 * query-cpu-model-comparison: {"result", "responsible-properties"}.
 * Since: 0.1
 */
json_object *vmc_qmp_cpu_model_compare_info(VmcCompareResult result,
                                            GPtrArray *responsible);

/**
 * vmc_qmp_cpu_model_baseline_info:
 * @def: a resulting CPU (baseline, decode, update)
 *
 * {"model": CpuModelInfo, "vendor"?, "signature"? {"family", "model",
 * "stepping"}} — QEMU's CpuModelBaselineInfo plus what vmcompat knows.
 * Since: 0.1
 */
json_object *vmc_qmp_cpu_model_baseline_info(const VmcCpuDef *def);

/**
 * vmc_qmp_cpu_deprecated_info:
 *
 * query-cpu-model-deprecated-features (seed 000) for @arch:
 * {"arch", "props": [{"name", "since"}]}.
 * Since: 0.1
 */
json_object *vmc_qmp_cpu_deprecated_info(const VmcCatalog *cat, VmcArch arch);

/**
 * vmc_qmp_host_model_info:
 * @model: vmc_host_model()'s CPU
 * @disabled: (nullable) (element-type utf8): the deprecated features it
 *     disables
 *
 * query-host-model: {"model": CpuModelInfo, "deprecated-disabled"}.
 * Since: 0.1
 */
json_object *vmc_qmp_host_model_info(const VmcCpuDef *model, GPtrArray *disabled);

/**
 * vmc_qmp_platform_info_list:
 * @rows: (element-type VmcHostPlatform): vmc_host_query_platforms() rows
 *
 * query-platforms (seed 004): [{"name", "kernel", "based-on"?,
 * "supported", "default", "missing"}].
 * Since: 0.1
 */
json_object *vmc_qmp_platform_info_list(GArray *rows);

/**
 * vmc_qmp_machine_info_list:
 * @arch: one arch, or VMC_ARCH_N for all
 * @release: the release whose status is reported
 *
 * The catalog's machine types: [{"name", "arch", "family", "since",
 * "status", "compat-props", "host-dependent"}].
 * Since: 0.1
 */
json_object *vmc_qmp_machine_info_list(const VmcCatalog *cat, VmcArch arch,
                                       const VmcRelease *release);

/**
 * vmc_qmp_verdict_info:
 *
 * A verdict: {"ok", "reasons": [{"severity", "kind", "subject",
 * "message"}]} (vmc_verdict_to_json()).
 * Since: 0.1
 */
json_object *vmc_qmp_verdict_info(const VmcVerdict *v);

/**
 * vmc_qmp_migration_info:
 * @abi: the guest
 * @src: the source host
 * @dst: the destination host
 * @mode: the check mode used (not VMC_CPU_CHECK_DEFAULT)
 * @there: the verdict @src → @dst
 * @back: (nullable): the verdict @dst → @src, when asked
 *
 * check-migration: {"ok", "check", "fingerprint", "directions": [verdict +
 * "from", "to"]}; "ok" is TRUE when every direction asked is.
 * Since: 0.1
 */
json_object *vmc_qmp_migration_info(const VmcAbi *abi, const VmcHost *src,
                                    const VmcHost *dst, VmcCpuCheck mode,
                                    const VmcVerdict *there,
                                    const VmcVerdict *back);

/**
 * vmc_qmp_restore_info:
 * @v: vmc_restore_check()'s verdict
 * @abi: (nullable): the ABI the guest would get (NULL: unresolvable)
 * @mode: the check mode asked (VMC_CPU_CHECK_DEFAULT: the domain's own)
 *
 * check-restore: the verdict plus, when @abi, "check" and "fingerprint".
 * Since: 0.1
 */
json_object *vmc_qmp_restore_info(const VmcVerdict *v, const VmcAbi *abi,
                                  VmcCpuCheck mode);

G_END_DECLS
