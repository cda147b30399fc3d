/* qmp-client.h: the one QMP client of vmcompat — for the host probe, the
 * tests, the benchmarks and the daemon's tests (semi-private: vmc__).
 *
 * Talks to any QMP server on a UNIX socket: a QEMU it spawns itself, or a
 * running server (vmcompatd, a QEMU started elsewhere). After the greeting
 * and qmp_capabilities it sends requests and reads replies — one at a time
 * (execute/request: the reply carrying our id, events and stale replies
 * skipped) or pipelined (send several, then receive the replies in order).
 *
 * Invariants: every read waits at most the client's timeout and keeps at
 * most VMC_QMP_CLIENT_MAX_MESSAGE bytes of an unfinished message; every
 * descriptor is O_CLOEXEC; a spawned QEMU is always killed and reaped when
 * the client is freed (SIGTERM, then SIGKILL after a second), and dies with
 * the thread that spawned it on Linux (PR_SET_PDEATHSIG), so no QEMU
 * outlives a probe or an aborted test. Not thread-safe: one client per
 * thread.
 *
 * Workload: a probe asks ~10 commands; tests a few thousand; the benchmark
 * keeps 64 clients busy, so the send/receive path allocates only the
 * message itself.
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>

G_BEGIN_DECLS

/* g_autoptr(json_object); guarded: several private headers define it. */
#ifndef VMC_JSON_OBJECT_AUTOPTR_DEFINED
#define VMC_JSON_OBJECT_AUTOPTR_DEFINED 1
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)
#endif

#define VMC_QMP_CLIENT_MAX_MESSAGE (64u * 1024u * 1024u)
#define VMC_QMP_CLIENT_DEFAULT_TIMEOUT_MS 30000u

typedef struct _VmcQmpClient VmcQmpClient;

/* vmc__qmp_client_spawn: start @binary with @args (NULL-terminated, after
 * the program name, e.g. { "-machine", "none", "-accel", "tcg", "-S",
 * NULL }) plus "-qmp unix:<tmpdir>/qmp.sock,server=on,wait=off", without a
 * shell; connect, read the greeting, negotiate capabilities. QEMU's stderr
 * goes to a file in the private temporary directory whose tail is quoted in
 * errors. @timeout_ms bounds the start and every reply (0: the default).
 * Returns: (transfer full) a connected client, or NULL with @error (QEMU
 * killed, the directory removed). */
VmcQmpClient *vmc__qmp_client_spawn(const char *binary, const char *const *args,
                                    guint timeout_ms, GError **error);

/* vmc__qmp_client_open: connect to a running server on @socket_path and
 * read its greeting, without negotiating capabilities (protocol tests). */
VmcQmpClient *vmc__qmp_client_open(const char *socket_path, guint timeout_ms,
                                   GError **error);

/* vmc__qmp_client_connect: _open + qmp_capabilities. */
VmcQmpClient *vmc__qmp_client_connect(const char *socket_path, guint timeout_ms,
                                      GError **error);

/* vmc__qmp_client_execute: one command, @arguments (nullable, transfer
 * none). Returns: (transfer full) the whole reply without its "id" —
 * {"return": ...} or {"error": {"class", "desc"}} — or NULL with @error on
 * I/O or protocol failure. A QMP error is a reply, not a GError. */
json_object *vmc__qmp_client_execute(VmcQmpClient *c, const char *command,
                                     json_object *arguments, GError **error);

/* vmc__qmp_client_request: like _execute for a prepared request
 * {"execute", "arguments"} (transfer none), e.g. one read from a capture
 * file; a copy carrying our own id is sent. */
json_object *vmc__qmp_client_request(VmcQmpClient *c, json_object *request,
                                     GError **error);

/* vmc__qmp_client_send: send @request (transfer none) as it is, one line,
 * without waiting for the reply (pipelining; add your own "id"). */
gboolean vmc__qmp_client_send(VmcQmpClient *c, json_object *request,
                              GError **error);

/* vmc__qmp_client_send_raw: send @len bytes as they are (hostile tests). */
gboolean vmc__qmp_client_send_raw(VmcQmpClient *c, const void *data, gsize len,
                                  GError **error);

/* vmc__qmp_client_receive: the next reply ({"return"} or {"error"}, "id"
 * kept), events skipped. Returns: (transfer full) or NULL with @error. */
json_object *vmc__qmp_client_receive(VmcQmpClient *c, GError **error);

/* vmc__qmp_client_greeting: the greeting the server sent (transfer none). */
json_object *vmc__qmp_client_greeting(const VmcQmpClient *c);

/* vmc__qmp_client_pid: the spawned QEMU's pid, or 0 when connected. */
GPid vmc__qmp_client_pid(const VmcQmpClient *c);

/* vmc__qmp_client_fd: the connected socket (to poll on), or -1. */
int vmc__qmp_client_fd(const VmcQmpClient *c);

/* vmc__qmp_client_free: close; a spawned QEMU is killed and reaped and its
 * temporary directory removed. NULL-safe. */
void vmc__qmp_client_free(VmcQmpClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcQmpClient, vmc__qmp_client_free)

G_END_DECLS
