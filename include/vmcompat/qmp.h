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

/* g_autoptr(json_object), guarded so that a program defining it too (or
 * another vmcompat header) does not clash. */
#ifndef VMC_JSON_OBJECT_AUTOPTR_DEFINED
#define VMC_JSON_OBJECT_AUTOPTR_DEFINED 1
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)
#endif

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

/* ---- The command set ------------------------------------------------------ */

typedef struct _VmcQmp VmcQmp;
typedef struct _VmcQmpCommand VmcQmpCommand;

/**
 * VmcQmpRun:
 * @VMC_QMP_RUN_INLINE: cheap (microseconds): a server may run it on its
 *     event loop
 * @VMC_QMP_RUN_WORKER: parses documents or loads catalogs: a server runs it
 *     on a worker thread so that other clients are not stalled
 * @VMC_QMP_RUN_SESSION: about the connection itself (qmp_capabilities,
 *     quit): the server implements it; vmc_qmp_run() refuses it
 *
 * Where a command runs, as the schema's "run" says. Since: 0.1
 */
typedef enum {
    VMC_QMP_RUN_INLINE,
    VMC_QMP_RUN_WORKER,
    VMC_QMP_RUN_SESSION,
    VMC_QMP_RUN_N,
} VmcQmpRun;

const char *vmc_qmp_run_to_string(VmcQmpRun run);

/**
 * VmcQmpOptions:
 * @version: VMC_QMP_OPTIONS_VERSION
 * @default_arch: the arch of commands that name none and whose inputs do
 *     not tell (query-cpu-definitions, deprecated features, "max"); usually
 *     the arch the server runs on
 * @check_returns: check every return value against the schema too (tests,
 *     developers): a mismatch is an error naming the member
 * @osinfo: open the osinfo database once, for the guest OS commands
 *     (query-guest-os-support; guest-os-* reasons of check-runnable); when
 *     FALSE or when it cannot be opened, they say why
 * @osinfo_dir: (nullable): its directory; NULL: libosinfo's default
 *     locations
 *
 * Since: 0.1
 */
typedef struct {
    guint version;
    VmcArch default_arch;
    gboolean check_returns;
    gboolean osinfo;
    const char *osinfo_dir;
} VmcQmpOptions;

#define VMC_QMP_OPTIONS_VERSION 1

/**
 * vmc_qmp_new:
 * @cat: the catalog every command answers from (a reference is kept)
 * @opts: (nullable): options; NULL: x86_64, no return checks
 * @error: return location for a #GError
 *
 * Loads the embedded schema, resolves its types and binds every command
 * to its implementation, and opens the osinfo database when @opts asks
 * (~0.5 s; a database that cannot be opened is not an error here). A schema command without an implementation (or
 * an implementation the schema does not declare) is VMC_ERROR_CATALOG:
 * the schema and the code never drift apart.
 *
 * The command set is immutable: vmc_qmp_run() may be called from several
 * threads at once, on distinct argument objects.
 *
 * Returns: (transfer full): the command set, or NULL with @error set.
 * Since: 0.1
 */
VmcQmp *vmc_qmp_new(VmcCatalog *cat, const VmcQmpOptions *opts, GError **error);
VmcQmp *vmc_qmp_ref(VmcQmp *qmp);
void vmc_qmp_unref(VmcQmp *qmp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcQmp, vmc_qmp_unref)

/**
 * vmc_qmp_lookup:
 * Returns: (transfer none) (nullable): the command named @name, or NULL
 *     (QMP's CommandNotFound).
 */
const VmcQmpCommand *vmc_qmp_lookup(const VmcQmp *qmp, const char *name);
const char *vmc_qmp_command_get_name(const VmcQmpCommand *cmd);
VmcQmpRun vmc_qmp_command_get_run(const VmcQmpCommand *cmd);

/**
 * vmc_qmp_check_arguments:
 * @arguments: (nullable): the request's "arguments" (NULL: none)
 *
 * Checks @arguments against the command's declaration, with QEMU's
 * wording: "Parameter 'modelb' is missing", "Invalid parameter type for
 * 'modelb.name', expected: string", "Parameter 'x' is unexpected",
 * "Parameter 'type' does not accept value 'bogus'".
 *
 * Returns: FALSE with @error (VMC_ERROR_PARSE) when they do not fit.
 */
gboolean vmc_qmp_check_arguments(const VmcQmp *qmp, const VmcQmpCommand *cmd,
                                 json_object *arguments, GError **error);

/**
 * vmc_qmp_run:
 * @arguments: (nullable): arguments that passed vmc_qmp_check_arguments()
 *
 * Runs an inline or worker command. Thread-safe.
 *
 * Returns: (transfer full): the "return" value, or NULL with @error (in
 *     QMP: GenericError with the error's message).
 */
json_object *vmc_qmp_run(const VmcQmp *qmp, const VmcQmpCommand *cmd,
                         json_object *arguments, GError **error);

/**
 * vmc_qmp_execute:
 * vmc_qmp_lookup() + vmc_qmp_check_arguments() + vmc_qmp_run(); an unknown
 * or session command is VMC_ERROR_UNKNOWN ("The command X has not been
 * found").
 */
json_object *vmc_qmp_execute(const VmcQmp *qmp, const char *name,
                             json_object *arguments, GError **error);

/**
 * vmc_qmp_get_osinfo_error:
 * Returns: (transfer none) (nullable): why the guest OS commands cannot
 *     answer (the osinfo database was not asked for, or could not be
 *     opened), or NULL when they can.
 */
const GError *vmc_qmp_get_osinfo_error(const VmcQmp *qmp);

/**
 * vmc_qmp_get_greeting:
 * Returns: (transfer full): {"QMP": {"version": {"vmcompat": {"major",
 *     "minor", "micro"}, "package"}, "capabilities": []}}.
 */
json_object *vmc_qmp_get_greeting(const VmcQmp *qmp);

G_END_DECLS
