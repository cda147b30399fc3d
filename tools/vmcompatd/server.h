/* server.h: vmcompatd's QMP server — listening sockets, connections, the
 * event loop (a GLib main loop whose one epoll source carries every
 * socket), worker threads for expensive commands, limits.
 */
#pragma once

#include <glib.h>
#include <vmcompat/qmp.h>

/* Limits on what one client, or all of them, can make the daemon hold.
 * Each is answered with a clear error before it is reached. */
typedef struct {
    guint max_clients;        /* connections at once; more are refused */
    gsize max_message_size;   /* bytes of one request; more closes the connection */
    guint max_in_flight;      /* unanswered requests per connection */
    guint idle_timeout_s;     /* no request and no reply for that long; 0: never */
    guint workers;            /* worker threads; 0: one per CPU */
    guint shutdown_timeout_s; /* SIGTERM: how long running requests may finish */
} VmcdLimits;

#define VMCD_DEFAULT_MAX_CLIENTS 1024
#define VMCD_DEFAULT_MAX_MESSAGE_SIZE (4u * 1024u * 1024u)
#define VMCD_DEFAULT_MAX_IN_FLIGHT 64
#define VMCD_DEFAULT_IDLE_TIMEOUT_S 600
#define VMCD_DEFAULT_SHUTDOWN_TIMEOUT_S 10
/* Nesting of one request (json-c's own default is 32). */
#define VMCD_MAX_DEPTH 64

typedef struct _VmcdServer VmcdServer;

/* vmcd_server_new: a server answering from @qmp, not listening yet. */
VmcdServer *vmcd_server_new(VmcQmp *qmp, const VmcdLimits *limits, GError **error);

/* vmcd_server_listen_unix: create @path (mode 0600, or 0660 and group @gid
 * when @gid >= 0); a stale socket there is replaced, a live one (another
 * daemon answers) or any other file is an error. */
gboolean vmcd_server_listen_unix(VmcdServer *srv, const char *path, gint64 gid,
                                 GError **error);

/* vmcd_server_listen_tcp: "127.0.0.1:4444" or "[::1]:4444" — loopback
 * addresses only (QMP has no authentication). */
gboolean vmcd_server_listen_tcp(VmcdServer *srv, const char *address, GError **error);

/* vmcd_server_run: serve until SIGTERM/SIGINT, then stop accepting, let
 * running requests finish and their replies go out (at most
 * shutdown_timeout_s), close everything and return. @ready is called once
 * the loop runs (sd_notify). Returns FALSE with @error on a fatal error. */
gboolean vmcd_server_run(VmcdServer *srv, void (*ready)(void), GError **error);

/* vmcd_server_free: close everything, remove the UNIX sockets it created.
 * NULL-safe. */
void vmcd_server_free(VmcdServer *srv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcdServer, vmcd_server_free)
