/* qmp-client.h: a small QMP client for tests, benchmarks and daemon tests.
 *
 * Spawns a QEMU (or connects to any QMP server on a UNIX socket), reads the
 * greeting, negotiates capabilities, then sends commands one at a time and
 * returns each reply ({"return": ...} or {"error": ...}) as a json_object.
 * Asynchronous events are skipped. Every read waits at most the client's
 * timeout, and a reply larger than VMC_QMP_CLIENT_MAX_MESSAGE is an error.
 *
 * A spawned QEMU is killed when the client is freed, and (Linux) also when
 * the process that spawned it dies, so an aborting test leaves no QEMU
 * behind. Not thread-safe: one client per thread.
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>
#include <vmcompat/vmcompat.h>

G_BEGIN_DECLS

/* g_autoptr(json_object); guarded in case a library header defines it. */
#ifndef VMC_JSON_OBJECT_AUTOPTR_DEFINED
#define VMC_JSON_OBJECT_AUTOPTR_DEFINED 1
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)
#endif

#define VMC_QMP_CLIENT_MAX_MESSAGE (64u * 1024u * 1024u)
#define VMC_QMP_CLIENT_DEFAULT_TIMEOUT_MS 30000u

typedef struct _VmcQmpClient VmcQmpClient;

/**
 * vmc_qmp_client_spawn:
 * @binary: the QEMU program (name on PATH or a path)
 * @args: (array zero-terminated=1) (nullable): arguments after the program,
 *     e.g. { "-machine", "none", "-accel", "tcg", "-nodefaults",
 *     "-nographic", "-S", NULL }; the client adds
 *     "-qmp unix:<tmpdir>/qmp.sock,server=on,wait=off"
 * @timeout_ms: how long to wait for the socket and for each reply
 *     (0: VMC_QMP_CLIENT_DEFAULT_TIMEOUT_MS)
 * @error: return location for a #GError
 *
 * Starts QEMU with its QMP monitor on a UNIX socket in a fresh temporary
 * directory, connects, reads the greeting and sends qmp_capabilities.
 * QEMU's stderr goes to a file whose tail is quoted in errors.
 *
 * Returns: (transfer full): a connected client, or NULL with @error set
 *     (QEMU killed and the directory removed).
 */
VmcQmpClient *vmc_qmp_client_spawn(const char *binary,
                                   const char *const *args,
                                   guint timeout_ms, GError **error);

/**
 * vmc_qmp_client_connect:
 * @socket_path: a QMP server's UNIX socket
 * @timeout_ms: per-read timeout (0: the default)
 *
 * Connects to a running QMP server (greeting + qmp_capabilities).
 * Returns: (transfer full): the client, or NULL with @error set.
 */
VmcQmpClient *vmc_qmp_client_connect(const char *socket_path,
                                     guint timeout_ms, GError **error);

/**
 * vmc_qmp_client_execute:
 * @command: the QMP command name
 * @arguments: (nullable) (transfer none): its arguments object
 *
 * Returns: (transfer full): the reply object — {"return": ...} or
 *     {"error": {"class", "desc"}} — or NULL with @error set on I/O or
 *     protocol failure. A QMP error is a reply, not a GError.
 */
json_object *vmc_qmp_client_execute(VmcQmpClient *c, const char *command,
                                    json_object *arguments, GError **error);

/**
 * vmc_qmp_client_request:
 * @request: (transfer none): a whole request {"execute": ..., "arguments":
 *     ...}, e.g. one read from a capture file
 *
 * Like vmc_qmp_client_execute() for a prepared request.
 */
json_object *vmc_qmp_client_request(VmcQmpClient *c, json_object *request,
                                    GError **error);

/** vmc_qmp_client_greeting: the greeting QEMU sent (transfer none). */
json_object *vmc_qmp_client_greeting(const VmcQmpClient *c);

/** vmc_qmp_client_pid: the spawned QEMU's pid, or 0 when connected. */
GPid vmc_qmp_client_pid(const VmcQmpClient *c);

/**
 * vmc_qmp_client_free:
 * Closes the connection; a spawned QEMU is killed (SIGTERM, then SIGKILL
 * after a second), reaped, and its temporary directory removed. NULL-safe.
 */
void vmc_qmp_client_free(VmcQmpClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcQmpClient, vmc_qmp_client_free)

G_END_DECLS

/* ---- Reading CPU-model answers by meaning ------------------------------
 * QEMU's answers name feature groups ("msa8") and order props arbitrarily;
 * tests compare them with ours as feature sets over a catalog.
 */
G_BEGIN_DECLS

/**
 * vmc_qmp_model_info_features:
 * @info: a CpuModelInfo {"name": ..., "props": {...}}
 * @ret: (out): the catalog features of model "name" with the boolean props
 *     applied (true adds, false removes; a group name stands for all its
 *     features; non-boolean props are ignored)
 *
 * Returns: FALSE with @error when the model, a feature or a group is not in
 *     @cat.
 */
gboolean vmc_qmp_model_info_features(VmcCatalog *cat, VmcArch arch,
                                     json_object *info, VmcFeatureSet *ret,
                                     GError **error);

/**
 * vmc_qmp_names_features:
 * @names: a JSON array of feature or group names (responsible-properties)
 * @ret: (out): their features
 * @others: (nullable): receives (g_strdup) names that are neither, e.g.
 *     "type"
 */
void vmc_qmp_names_features(VmcCatalog *cat, VmcArch arch, json_object *names,
                            VmcFeatureSet *ret, GPtrArray *others);

/**
 * vmc_qmp_replies_agree:
 * @request: the request both sides answered; its "execute" says how to
 *     read the replies (query-cpu-model-expansion, -baseline, -comparison)
 * @expected: QEMU's reply ({"return": ...} or {"error": ...})
 * @actual: the reply to check, in the same shape
 * @universe: (nullable): compare feature sets only on these features
 *     (e.g. the ones an older QEMU knows)
 * @diag: receives one line per difference
 *
 * Compares two replies by meaning. Models (expansion, baseline): the same
 * model name and the same features, groups expanded. Comparisons: the same
 * result, the same responsible features and the same other responsible
 * properties ("type"). Errors: both are errors (texts differ between
 * implementations).
 *
 * Returns: TRUE when they agree.
 */
gboolean vmc_qmp_replies_agree(VmcCatalog *cat, VmcArch arch,
                               json_object *request, json_object *expected,
                               json_object *actual,
                               const VmcFeatureSet *universe, GString *diag);

/**
 * vmc_qmp_reply_from_def / _from_comparison / _from_error:
 * vmcompat's answers in QMP reply shape, for vmc_qmp_replies_agree().
 * Returns: (transfer full).
 */
json_object *vmc_qmp_reply_from_def(const VmcCpuDef *def);
json_object *vmc_qmp_reply_from_comparison(VmcCompareResult result,
                                           GPtrArray *responsible);
json_object *vmc_qmp_reply_from_error(const GError *error);

G_END_DECLS
