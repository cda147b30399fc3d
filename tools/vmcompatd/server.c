/* server.c: vmcompatd's QMP server (server.h).
 *
 * One thread runs a GLib main loop; one GSource watches an epoll set that
 * holds every listening socket, every connection and an eventfd the worker
 * threads signal. Sockets are non-blocking; nothing on the loop ever waits.
 * Inline commands (comparison, expansion: microseconds) run on the loop;
 * worker commands (documents to parse, catalogs to load) run on a thread
 * pool and come back through a queue, so a slow request never stalls
 * another client. No thread per client.
 *
 * A connection reads a byte stream and cuts it into JSON texts the way
 * QEMU's JSON streamer does (objects and arrays by nesting outside
 * strings, scalars by delimiters), so requests may span reads and several
 * may arrive in one. Replies leave in request order: each request gets an
 * entry in the connection's queue; an entry is written once it and every
 * entry before it are done.
 *
 * Bounds (VmcdLimits), each answered with an error a person can act on:
 *  - max_clients: a connection beyond it gets one error line and is closed;
 *  - max_message_size: a longer request gets an error and the connection
 *    is closed (the stream cannot be trusted after it); at most
 *    max_message_size + one read is ever buffered;
 *  - max_in_flight: a request beyond it is refused (GenericError) in order;
 *    at twice the limit the connection is no longer read until replies
 *    drain; pending output beyond max(1 MiB, max_message_size) also stops
 *    reading (a client that never reads cannot make the daemon buffer).
 *    Both are checked before every request, not per read: what is left of
 *    a read waits (at most one read) until replies drain, so small requests
 *    with large answers cannot amplify the output past the bound;
 *  - idle_timeout_s: a connection with no complete request and no reply
 *    progress for that long is closed (with an error line when it is
 *    merely idle); partial bytes do not count, so trickling does not keep
 *    a connection forever;
 *  - at most 64 nesting levels per request.
 *
 * Invariants: a VmcdConn is only touched by the loop thread; a worker owns
 * its entry's arguments and result until it hands the entry back; a closed
 * connection is freed after the dispatch that closed it, once no entry
 * refers to it.
 *
 * Workload: thousands of connections, tens of thousands of small requests
 * per second per core.
 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#define VMCD_READ_CHUNK 65536
#define VMCD_MAX_EVENTS 256
#define VMCD_ACCEPT_BATCH 64
#define VMCD_READS_PER_EVENT 4
#define VMCD_ROUNDS_PER_DISPATCH 8

typedef enum {
    VMCD_ITEM_LISTENER,
    VMCD_ITEM_CONN,
    VMCD_ITEM_WAKE,
} VmcdItemKind;

/* The first member of everything in the epoll set. */
typedef struct {
    VmcdItemKind kind;
} VmcdItem;

typedef struct {
    VmcdItem item;
    int fd;
    char *path;              /* UNIX socket we created (unlinked at the end) */
    char *name;              /* for logs */
    gboolean paused;         /* out of descriptors: accept later */
} VmcdListener;

typedef struct _VmcdConn VmcdConn;

/* One request, from arrival until its reply is written. */
typedef struct {
    VmcdConn *conn;          /* a reference */
    json_object *id;         /* the request's "id" (NULL: none, or null) */
    gboolean has_id;         /* the request had an "id", maybe null */
    const VmcQmpCommand *cmd;
    json_object *args;
    json_object *ret;        /* once done: the return value ... */
    GError *error;           /* ... or the error */
    const char *error_class; /* with error: "GenericError", "CommandNotFound" */
    gboolean done;
    gboolean quit;           /* close the connection after this reply */
} VmcdEntry;

struct _VmcdConn {
    VmcdItem item;
    VmcdServer *srv;
    int fd;                  /* -1 once closed */
    guint refs;              /* the server's list + entries */
    guint64 serial;          /* for logs */
    gboolean negotiated;     /* qmp_capabilities done */
    gboolean closing;        /* read no more; close once the queue is out */
    gboolean cur_has_id;     /* the request being handled has an "id" */
    /* The JSON framer: where the stream stands in the current text. */
    GString *in;             /* bytes of an unfinished text */
    GString *backlog;        /* read but not yet looked at: the connection
                              * was blocked (at most one read) */
    guint depth;
    gboolean in_str, esc, scalar, msg;
    GQueue queue;            /* VmcdEntry*, request order, not yet written */
    GString *out;            /* replies not yet written */
    gsize out_off;
    guint32 events;          /* registered epoll events */
    gint64 last_activity;    /* monotonic µs: complete request or reply progress */
    GList link;              /* in srv->conns */
};

struct _VmcdServer {
    VmcQmp *qmp;
    VmcdLimits limits;
    gsize max_output;
    GMainContext *ctx;
    GMainLoop *loop;
    int epfd;
    GSource *epoll_source;
    VmcdItem wake_item;
    int wake_fd;             /* eventfd the workers write */
    GAsyncQueue *done;       /* VmcdEntry* back from workers */
    GThreadPool *pool;
    guint jobs;              /* entries on workers */
    GPtrArray *listeners;    /* VmcdListener* */
    GQueue conns;            /* VmcdConn* (links embedded) */
    GPtrArray *graveyard;    /* closed VmcdConn*, unref'd after dispatch */
    guint n_conns;
    guint64 next_serial;
    json_tokener *tok;       /* loop thread only */
    char *greeting;          /* greeting line */
    gsize greeting_len;
    char rbuf[VMCD_READ_CHUNK];
    gboolean stopping;
    guint idle_source, shutdown_source, resume_source;
    guint sig_term, sig_int;
    GError *fatal;
};

static void vmcd_conn_close(VmcdConn *c, const char *why);
static void vmcd_conn_flush(VmcdConn *c);

/* ---- entries and connections ------------------------------------------------ */

static VmcdConn *
vmcd_conn_ref(VmcdConn *c)
{
    c->refs++;
    return c;
}

static void
vmcd_conn_unref(VmcdConn *c)
{
    if (!c || --c->refs > 0)
        return;
    g_assert(c->fd < 0);
    g_string_free(c->in, TRUE);
    g_string_free(c->backlog, TRUE);
    g_string_free(c->out, TRUE);
    g_free(c);
}

static VmcdEntry *
vmcd_entry_new(VmcdConn *c, json_object *id)
{
    VmcdEntry *e = g_new0(VmcdEntry, 1);

    e->conn = vmcd_conn_ref(c);
    e->id = id ? json_object_get(id) : NULL;
    e->has_id = c->cur_has_id;
    return e;
}

static void
vmcd_entry_free(gpointer p)
{
    VmcdEntry *e = p;

    json_object_put(e->id);
    json_object_put(e->args);
    json_object_put(e->ret);
    g_clear_error(&e->error);
    vmcd_conn_unref(e->conn);
    g_free(e);
}

/* Too much owed to @c (replies not written, requests not answered) to take
 * another request from it now. */
static gboolean
vmcd_conn_blocked(const VmcdConn *c)
{
    return c->out->len - c->out_off > c->srv->max_output ||
           g_queue_get_length((GQueue *) &c->queue) >= 2 * c->srv->limits.max_in_flight;
}

/* The epoll events @c wants now. */
static guint32
vmcd_conn_wanted(const VmcdConn *c)
{
    guint32 ev = 0;
    gsize pending = c->out->len - c->out_off;

    if (!c->closing && c->backlog->len == 0 && !vmcd_conn_blocked(c))
        ev |= EPOLLIN;
    if (pending > 0)
        ev |= EPOLLOUT;
    return ev;
}

static void
vmcd_conn_update_events(VmcdConn *c)
{
    guint32 ev;

    if (c->fd < 0)
        return;
    ev = vmcd_conn_wanted(c);
    if (ev != c->events) {
        struct epoll_event e = { .events = ev, .data.ptr = &c->item };
        if (epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &e) == 0)
            c->events = ev;
    }
}

/* Append the reply of @e to the output. */
static void
vmcd_conn_write_reply(VmcdConn *c, VmcdEntry *e)
{
    json_object *reply = json_object_new_object();
    const char *text;
    gsize len = 0;

    if (e->error_class) {
        json_object *err = json_object_new_object();
        json_object_object_add(err, "class", json_object_new_string(e->error_class));
        json_object_object_add(err, "desc", json_object_new_string(
                                   e->error ? e->error->message : "unknown error"));
        json_object_object_add(reply, "error", err);
    } else {
        json_object_object_add(reply, "return", e->ret);
        e->ret = NULL;
    }
    if (e->has_id) {
        json_object_object_add(reply, "id", e->id);   /* null stays null */
        e->id = NULL;
    }
    text = json_object_to_json_string_length(reply, JSON_C_TO_STRING_PLAIN, &len);
    g_string_append_len(c->out, text, (gssize) len);
    g_string_append_len(c->out, "\r\n", 2);
    json_object_put(reply);
}

/* Move every finished entry at the head of the queue to the output. */
static void
vmcd_conn_advance(VmcdConn *c)
{
    VmcdEntry *e;

    while ((e = g_queue_peek_head(&c->queue)) && e->done) {
        g_queue_pop_head(&c->queue);
        vmcd_conn_write_reply(c, e);
        vmcd_entry_free(e);
    }
}

/* Queue a finished entry (an error or an immediate answer) and write what
 * can be written. */
static void
vmcd_conn_push_done(VmcdConn *c, VmcdEntry *e)
{
    e->done = TRUE;
    g_queue_push_tail(&c->queue, e);
    vmcd_conn_advance(c);
}

/* Queue an error reply to the request with @id (nullable). */
static void
vmcd_conn_push_error(VmcdConn *c, json_object *id, const char *klass, GError *error)
{
    VmcdEntry *e = vmcd_entry_new(c, id);

    e->error_class = klass;
    e->error = error;
    vmcd_conn_push_done(c, e);
}

static void G_GNUC_PRINTF(4, 5)
vmcd_conn_push_errorf(VmcdConn *c, json_object *id, const char *klass, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vmcd_conn_push_error(c, id, klass, g_error_new_literal(VMC_ERROR, VMC_ERROR_PARSE, msg));
}

/* ---- requests ------------------------------------------------------------------- */

/* The pool drops a command it never ran (the daemon stops): answer it. */
static void
vmcd_entry_dropped(gpointer p)
{
    VmcdEntry *e = p;

    e->error_class = "GenericError";
    e->error = g_error_new_literal(VMC_ERROR, VMC_ERROR_FAILED,
                                   "the daemon is stopping: the command did not run");
    g_async_queue_push(e->conn->srv->done, e);
}

/* On a worker thread: run one command. */
static void
vmcd_worker(gpointer data, gpointer user_data)
{
    VmcdEntry *e = data;
    VmcdServer *srv = user_data;
    guint64 one = 1;

    e->ret = vmc_qmp_run(srv->qmp, e->cmd, e->args, &e->error);
    if (!e->ret)
        e->error_class = "GenericError";
    g_async_queue_push(srv->done, e);
    if (write(srv->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
        g_warning("cannot wake the event loop: %s", g_strerror(errno));
}

/* Check the members of a request object as QEMU does; FALSE with an error
 * queued. */
static gboolean
vmcd_check_request(VmcdConn *c, json_object *req, json_object *id,
                   const char **ret_execute, json_object **ret_args)
{
    *ret_execute = NULL;
    *ret_args = NULL;
    json_object_object_foreach(req, key, val) {
        if (g_str_equal(key, "execute")) {
            if (!json_object_is_type(val, json_type_string)) {
                vmcd_conn_push_errorf(c, id, "GenericError",
                                      "QMP input member 'execute' must be a string");
                return FALSE;
            }
            *ret_execute = json_object_get_string(val);
        } else if (g_str_equal(key, "arguments")) {
            if (!json_object_is_type(val, json_type_object)) {
                vmcd_conn_push_errorf(c, id, "GenericError",
                                      "QMP input member 'arguments' must be an object");
                return FALSE;
            }
            *ret_args = val;
        } else if (!g_str_equal(key, "id")) {
            vmcd_conn_push_errorf(c, id, "GenericError", "QMP input member '%s' is unexpected",
                                  key);
            return FALSE;
        }
    }
    if (!*ret_execute) {
        vmcd_conn_push_errorf(c, id, "GenericError", "QMP input lacks member 'execute'");
        return FALSE;
    }
    return TRUE;
}

/* qmp_capabilities. */
static void
vmcd_conn_capabilities(VmcdConn *c, json_object *id, json_object *args)
{
    VmcdServer *srv = c->srv;
    const VmcQmpCommand *cmd = vmc_qmp_lookup(srv->qmp, "qmp_capabilities");
    GError *error = NULL;
    json_object *enable = NULL;
    VmcdEntry *e;

    if (c->negotiated) {
        vmcd_conn_push_errorf(c, id, "CommandNotFound",
                              "Capabilities negotiation is already complete, command ignored");
        return;
    }
    if (!vmc_qmp_check_arguments(srv->qmp, cmd, args, &error)) {
        vmcd_conn_push_error(c, id, "GenericError", error);
        return;
    }
    if (args && json_object_object_get_ex(args, "enable", &enable) &&
        json_object_array_length(enable) > 0) {
        vmcd_conn_push_errorf(c, id, "GenericError", "Capability '%s' not available",
                              json_object_get_string(json_object_array_get_idx(enable, 0)));
        return;
    }
    c->negotiated = TRUE;
    e = vmcd_entry_new(c, id);
    e->ret = json_object_new_object();
    vmcd_conn_push_done(c, e);
}

static void vmcd_conn_request(VmcdConn *c, json_object *req, json_object *id);

/* One complete JSON text of @len bytes (NUL-terminated at @len when
 * @terminated: scalars need it to end). */
static void
vmcd_conn_message(VmcdConn *c, const char *text, gsize len, gboolean terminated)
{
    VmcdServer *srv = c->srv;
    g_autoptr(json_object) req = NULL;
    enum json_tokener_error jerr;
    json_object *id = NULL;

    c->last_activity = g_get_monotonic_time();
    json_tokener_reset(srv->tok);
    req = json_tokener_parse_ex(srv->tok, text, (int) (terminated ? len + 1 : len));
    jerr = json_tokener_get_error(srv->tok);
    if (!req && jerr != json_tokener_success) {
        vmcd_conn_push_errorf(c, NULL, "GenericError", "JSON parse error, %s",
                              jerr == json_tokener_continue ? "unexpected end of input"
                                                            : json_tokener_error_desc(jerr));
        return;
    }
    if (!json_object_is_type(req, json_type_object)) {
        vmcd_conn_push_errorf(c, NULL, "GenericError", "QMP input must be a JSON object");
        return;
    }
    c->cur_has_id = json_object_object_get_ex(req, "id", &id);
    vmcd_conn_request(c, req, id);
    c->cur_has_id = FALSE;
}

/* A request object (@id: its "id"). */
static void
vmcd_conn_request(VmcdConn *c, json_object *req, json_object *id)
{
    VmcdServer *srv = c->srv;
    json_object *args;
    const char *execute;
    const VmcQmpCommand *cmd;
    GError *error = NULL;
    VmcdEntry *e;

    if (!vmcd_check_request(c, req, id, &execute, &args))
        return;
    if (g_str_equal(execute, "qmp_capabilities")) {
        vmcd_conn_capabilities(c, id, args);
        return;
    }
    if (!c->negotiated) {
        vmcd_conn_push_errorf(c, id, "CommandNotFound",
                              "Expecting capabilities negotiation with 'qmp_capabilities'");
        return;
    }
    if (!(cmd = vmc_qmp_lookup(srv->qmp, execute))) {
        vmcd_conn_push_errorf(c, id, "CommandNotFound", "The command %s has not been found",
                              execute);
        return;
    }
    if (g_queue_get_length(&c->queue) >= srv->limits.max_in_flight) {
        vmcd_conn_push_errorf(c, id, "GenericError",
                              "too many requests in flight on this connection (limit %u, "
                              "--max-in-flight): read the replies before sending more",
                              srv->limits.max_in_flight);
        return;
    }
    if (!vmc_qmp_check_arguments(srv->qmp, cmd, args, &error)) {
        vmcd_conn_push_error(c, id, "GenericError", error);
        return;
    }
    e = vmcd_entry_new(c, id);
    e->cmd = cmd;
    switch (vmc_qmp_command_get_run(cmd)) {
    case VMC_QMP_RUN_SESSION:          /* quit */
        e->ret = json_object_new_object();
        e->quit = TRUE;
        c->closing = TRUE;
        vmcd_conn_push_done(c, e);
        return;
    case VMC_QMP_RUN_INLINE:
        e->ret = vmc_qmp_run(srv->qmp, cmd, args, &e->error);
        if (!e->ret)
            e->error_class = "GenericError";
        vmcd_conn_push_done(c, e);
        return;
    default:
        e->args = args ? json_object_get(args) : NULL;
        g_queue_push_tail(&c->queue, e);
        srv->jobs++;
        g_thread_pool_push(srv->pool, e, NULL);
        return;
    }
}

/* The request being read is too long: say so and close (the rest of the
 * stream cannot be told apart from new requests). */
static void
vmcd_conn_too_long(VmcdConn *c)
{
    VmcdServer *srv = c->srv;

    g_debug("connection %" G_GUINT64_FORMAT ": request longer than %zu bytes", c->serial,
            srv->limits.max_message_size);
    vmcd_conn_push_errorf(c, NULL, "GenericError",
                          "request longer than %zu bytes (--max-message-size): "
                          "closing the connection", srv->limits.max_message_size);
    g_string_truncate(c->in, 0);
    c->closing = TRUE;
}

/* End the current text at @p[@end) (exclusive), which began at @p[@start)
 * or earlier (c->in). */
static void
vmcd_conn_end_text(VmcdConn *c, const char *p, gsize start, gsize end)
{
    gsize len = c->in->len + (end - start);

    c->msg = c->scalar = FALSE;
    if (len > c->srv->limits.max_message_size) {
        vmcd_conn_too_long(c);
        return;
    }
    if (c->in->len == 0 && p[start] != '"' && (p[start] == '{' || p[start] == '[')) {
        vmcd_conn_message(c, p + start, end - start, FALSE);
        return;
    }
    /* Scalars (and texts that span reads) are parsed from a NUL-terminated
     * copy: json-c ends a number at the NUL. */
    g_string_append_len(c->in, p + start, (gssize) (end - start));
    vmcd_conn_message(c, c->in->str, c->in->len, TRUE);
    g_string_truncate(c->in, 0);
}

/* Feed @len bytes read from the socket to the framer. Between requests,
 * a blocked connection keeps the rest in its backlog. */
static void
vmcd_conn_feed(VmcdConn *c, const char *p, gsize len)
{
    gsize start = 0;

    for (gsize i = 0; i < len && !c->closing; i++) {
        char ch = p[i];

        if (!c->msg && vmcd_conn_blocked(c)) {
            g_string_append_len(c->backlog, p + i, (gssize) (len - i));
            return;
        }

        if (c->in_str) {
            if (c->esc)
                c->esc = FALSE;
            else if (ch == '\\')
                c->esc = TRUE;
            else if (ch == '"') {
                c->in_str = FALSE;
                if (c->depth == 0)
                    vmcd_conn_end_text(c, p, start, i + 1);
            }
            continue;
        }
        switch (ch) {
        case '{':
        case '[':
            if (c->scalar)
                vmcd_conn_end_text(c, p, start, i);
            if (!c->msg) {
                c->msg = TRUE;
                start = i;
            }
            if (++c->depth > VMCD_MAX_DEPTH) {
                vmcd_conn_push_errorf(c, NULL, "GenericError",
                                      "JSON parse error, nesting deeper than %d levels: "
                                      "closing the connection", VMCD_MAX_DEPTH);
                c->closing = TRUE;
            }
            break;
        case '}':
        case ']':
            if (c->scalar)
                vmcd_conn_end_text(c, p, start, i);
            if (c->depth == 0) {
                vmcd_conn_push_errorf(c, NULL, "GenericError",
                                      "JSON parse error, unexpected '%c'", ch);
                break;
            }
            if (--c->depth == 0)
                vmcd_conn_end_text(c, p, start, i + 1);
            break;
        case '"':
            if (c->scalar)
                vmcd_conn_end_text(c, p, start, i);
            if (!c->msg) {
                c->msg = TRUE;
                start = i;
            }
            c->in_str = TRUE;
            break;
        case ' ':
        case '\t':
        case '\r':
        case '\n':
            if (c->scalar)
                vmcd_conn_end_text(c, p, start, i);
            break;
        default:
            if (!c->msg) {
                c->msg = c->scalar = TRUE;
                start = i;
            }
            break;
        }
    }
    if (c->msg && !c->closing) {
        if (c->in->len + (len - start) > c->srv->limits.max_message_size)
            vmcd_conn_too_long(c);
        else
            g_string_append_len(c->in, p + start, (gssize) (len - start));
    }
}

/* ---- socket I/O ----------------------------------------------------------------- */

static void vmcd_conn_resume(VmcdConn *c);

/* Write what can be written; close when done closing or on error. */
static void
vmcd_conn_flush(VmcdConn *c)
{
    while (c->fd >= 0 && c->out_off < c->out->len) {
        ssize_t n = send(c->fd, c->out->str + c->out_off, c->out->len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n < 0) {
            vmcd_conn_close(c, g_strerror(errno));
            return;
        }
        c->out_off += (gsize) n;
        c->last_activity = g_get_monotonic_time();
    }
    if (c->fd < 0)
        return;
    if (c->out_off == c->out->len) {
        g_string_truncate(c->out, 0);
        c->out_off = 0;
        if (c->closing && g_queue_is_empty(&c->queue)) {
            vmcd_conn_close(c, NULL);
            return;
        }
    } else if (c->out_off > 65536 && c->out_off > c->out->len / 2) {
        g_string_erase(c->out, 0, (gssize) c->out_off);
        c->out_off = 0;
    }
    if (c->backlog->len && !c->closing && !vmcd_conn_blocked(c)) {
        vmcd_conn_resume(c);
        return;
    }
    vmcd_conn_update_events(c);
}

/* Replies drained: take the requests the backlog still holds. */
static void
vmcd_conn_resume(VmcdConn *c)
{
    GString *pending = c->backlog;

    c->backlog = g_string_new(NULL);
    vmcd_conn_feed(c, pending->str, pending->len);
    g_string_free(pending, TRUE);
    vmcd_conn_flush(c);
}

/* The socket is readable. */
static void
vmcd_conn_readable(VmcdConn *c)
{
    VmcdServer *srv = c->srv;

    for (guint r = 0; r < VMCD_READS_PER_EVENT && c->fd >= 0 && !c->closing; r++) {
        ssize_t n = recv(c->fd, srv->rbuf, sizeof(srv->rbuf), MSG_DONTWAIT);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            /* The peer is gone (or half-closed: it sends no more). Replies
             * still owed are written if it still reads. */
            c->closing = TRUE;
            if (n < 0 || g_queue_is_empty(&c->queue)) {
                vmcd_conn_flush(c);
                if (c->fd >= 0 && c->out_off == c->out->len)
                    vmcd_conn_close(c, n < 0 ? g_strerror(errno) : NULL);
            }
            break;
        }
        vmcd_conn_feed(c, srv->rbuf, (gsize) n);
        if ((gsize) n < sizeof(srv->rbuf))
            break;
        if (!(vmcd_conn_wanted(c) & EPOLLIN))
            break;
    }
    if (c->fd >= 0)
        vmcd_conn_flush(c);
}

static void
vmcd_conn_close(VmcdConn *c, const char *why)
{
    VmcdServer *srv = c->srv;

    if (c->fd < 0)
        return;
    g_debug("connection %" G_GUINT64_FORMAT " closed%s%s", c->serial, why ? ": " : "",
            why ? why : "");
    epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->closing = TRUE;
    /* Entries still on workers keep a reference; the rest go now. */
    while (!g_queue_is_empty(&c->queue)) {
        VmcdEntry *e = g_queue_pop_head(&c->queue);
        if (e->done)
            vmcd_entry_free(e);
    }
    g_queue_unlink(&srv->conns, &c->link);
    srv->n_conns--;
    g_ptr_array_add(srv->graveyard, c);    /* the list's reference */
    if (srv->stopping && srv->n_conns == 0 && srv->jobs == 0)
        g_main_loop_quit(srv->loop);
}

/* Send @line to a socket we are about to close (best effort). */
static void
vmcd_say_and_close(int fd, const char *line)
{
    if (send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        g_debug("could not tell a refused client why: %s", g_strerror(errno));
    close(fd);
}

static gboolean vmcd_resume_listeners(gpointer data);

/* Accept what is waiting on @l. */
static void
vmcd_listener_accept(VmcdServer *srv, VmcdListener *l)
{
    for (guint i = 0; i < VMCD_ACCEPT_BATCH; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct epoll_event ev = { .events = EPOLLIN };
        VmcdConn *c;

        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* Out of descriptors: stop accepting for a moment instead
                 * of spinning on a readable listener. */
                g_warning("%s: cannot accept: %s; pausing for 100 ms", l->name,
                          g_strerror(errno));
                epoll_ctl(srv->epfd, EPOLL_CTL_DEL, l->fd, NULL);
                l->paused = TRUE;
                if (!srv->resume_source)
                    srv->resume_source = g_timeout_add(100, vmcd_resume_listeners, srv);
            }
            return;
        }
        if (srv->n_conns >= srv->limits.max_clients) {
            g_autofree char *line = g_strdup_printf(
                "{\"error\":{\"class\":\"GenericError\",\"desc\":\"too many clients "
                "(limit %u, --max-clients): try again later\"}}\r\n",
                srv->limits.max_clients);
            vmcd_say_and_close(fd, line);
            continue;
        }
        if (l->path == NULL) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        }
        c = g_new0(VmcdConn, 1);
        c->item.kind = VMCD_ITEM_CONN;
        c->srv = srv;
        c->fd = fd;
        c->refs = 1;
        c->serial = srv->next_serial++;
        c->in = g_string_new(NULL);
        c->backlog = g_string_new(NULL);
        c->out = g_string_sized_new(4096);
        c->last_activity = g_get_monotonic_time();
        c->link.data = c;
        c->events = EPOLLIN;
        ev.data.ptr = &c->item;
        if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            g_warning("%s: cannot watch a new connection: %s", l->name, g_strerror(errno));
            close(fd);
            c->fd = -1;
            vmcd_conn_unref(c);
            continue;
        }
        g_queue_push_tail_link(&srv->conns, &c->link);
        srv->n_conns++;
        g_debug("connection %" G_GUINT64_FORMAT " on %s", c->serial, l->name);
        g_string_append_len(c->out, srv->greeting, (gssize) srv->greeting_len);
        vmcd_conn_flush(c);
    }
}

static gboolean
vmcd_resume_listeners(gpointer data)
{
    VmcdServer *srv = data;

    srv->resume_source = 0;
    for (guint i = 0; i < srv->listeners->len && !srv->stopping; i++) {
        VmcdListener *l = g_ptr_array_index(srv->listeners, i);
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &l->item };
        if (l->paused && epoll_ctl(srv->epfd, EPOLL_CTL_ADD, l->fd, &ev) == 0)
            l->paused = FALSE;
    }
    return G_SOURCE_REMOVE;
}

/* Entries back from the workers. */
static void
vmcd_server_collect(VmcdServer *srv)
{
    guint64 n;
    VmcdEntry *e;

    if (read(srv->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
        g_warning("cannot read the wake-up counter: %s", g_strerror(errno));
    while ((e = g_async_queue_try_pop(srv->done))) {
        VmcdConn *c = e->conn;

        srv->jobs--;
        e->done = TRUE;
        json_object_put(e->args);
        e->args = NULL;
        if (c->fd < 0) {
            vmcd_entry_free(e);          /* the client left */
            continue;
        }
        c->last_activity = g_get_monotonic_time();
        vmcd_conn_advance(c);
        vmcd_conn_flush(c);
    }
    if (srv->stopping && srv->n_conns == 0 && srv->jobs == 0)
        g_main_loop_quit(srv->loop);
}

/* The epoll source fired: handle what is ready. */
static gboolean
vmcd_epoll_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
    VmcdServer *srv = *(VmcdServer **) (source + 1);
    struct epoll_event evs[VMCD_MAX_EVENTS];
    int n;

    /* Under load, more is ready by the time a batch is done: take a few
     * batches per main-loop iteration (bounded, so timers and signals
     * still run). */
    for (guint round = 0; round < VMCD_ROUNDS_PER_DISPATCH; round++) {
        do {
            n = epoll_wait(srv->epfd, evs, VMCD_MAX_EVENTS, 0);
        } while (n < 0 && errno == EINTR);
        if (n <= 0)
            break;
        for (int i = 0; i < n; i++) {
            VmcdItem *item = evs[i].data.ptr;

            switch (item->kind) {
            case VMCD_ITEM_LISTENER:
                vmcd_listener_accept(srv, (VmcdListener *) item);
                break;
            case VMCD_ITEM_WAKE:
                vmcd_server_collect(srv);
                break;
            case VMCD_ITEM_CONN: {
                VmcdConn *c = (VmcdConn *) item;
                if (c->fd < 0)
                    break;                       /* closed earlier in this batch */
                if (evs[i].events & (EPOLLHUP | EPOLLERR)) {
                    /* Both directions are gone: nobody will read a reply. */
                    vmcd_conn_close(c, "the client hung up");
                    break;
                }
                if (evs[i].events & EPOLLIN)
                    vmcd_conn_readable(c);
                if (c->fd >= 0 && (evs[i].events & EPOLLOUT))
                    vmcd_conn_flush(c);
                break;
            }
            }
        }
        g_ptr_array_set_size(srv->graveyard, 0);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs vmcd_epoll_funcs = {
    .dispatch = vmcd_epoll_dispatch,
};

/* ---- timers and signals ---------------------------------------------------------- */

/* Close connections idle (or stalled) longer than the limit. */
static gboolean
vmcd_idle_check(gpointer data)
{
    VmcdServer *srv = data;
    gint64 now = g_get_monotonic_time();
    gint64 limit = (gint64) srv->limits.idle_timeout_s * G_USEC_PER_SEC;
    GList *l = srv->conns.head;

    while (l) {
        VmcdConn *c = l->data;
        gboolean working = FALSE;

        l = l->next;
        for (GList *q = c->queue.head; q && !working; q = q->next)
            working = !((VmcdEntry *) q->data)->done;
        if (working || now - c->last_activity <= limit)
            continue;
        if (c->out_off < c->out->len) {
            vmcd_conn_close(c, "replies not read within --idle-timeout");
            continue;
        }
        g_string_append_printf(c->out, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"no "
                               "request for %u s (--idle-timeout): closing the connection\"}}\r\n",
                               srv->limits.idle_timeout_s);
        c->closing = TRUE;
        vmcd_conn_flush(c);
        vmcd_conn_close(c, "idle");
    }
    g_ptr_array_set_size(srv->graveyard, 0);
    return G_SOURCE_CONTINUE;
}

static gboolean
vmcd_shutdown_expired(gpointer data)
{
    VmcdServer *srv = data;

    srv->shutdown_source = 0;
    g_message("shutdown: %u connection(s) and %u request(s) still busy after %u s; stopping",
              srv->n_conns, srv->jobs, srv->limits.shutdown_timeout_s);
    g_main_loop_quit(srv->loop);
    return G_SOURCE_REMOVE;
}

/* Stop accepting and close the listening sockets (and their files). */
static void
vmcd_server_close_listeners(VmcdServer *srv)
{
    for (guint i = 0; i < srv->listeners->len; i++) {
        VmcdListener *l = g_ptr_array_index(srv->listeners, i);
        if (l->fd < 0)
            continue;
        if (!l->paused)
            epoll_ctl(srv->epfd, EPOLL_CTL_DEL, l->fd, NULL);
        close(l->fd);
        l->fd = -1;
        if (l->path)
            g_unlink(l->path);
    }
}

/* SIGTERM / SIGINT: graceful shutdown. */
static gboolean
vmcd_on_signal(gpointer data)
{
    VmcdServer *srv = data;
    GList *l = srv->conns.head;

    if (srv->stopping)
        return G_SOURCE_CONTINUE;
    g_message("shutting down: %u connection(s), %u request(s) running", srv->n_conns,
              srv->jobs);
    srv->stopping = TRUE;
    vmcd_server_close_listeners(srv);
    while (l) {
        VmcdConn *c = l->data;
        l = l->next;
        c->closing = TRUE;
        vmcd_conn_flush(c);
    }
    g_ptr_array_set_size(srv->graveyard, 0);
    if (srv->n_conns == 0 && srv->jobs == 0)
        g_main_loop_quit(srv->loop);
    else
        srv->shutdown_source = g_timeout_add_seconds(srv->limits.shutdown_timeout_s,
                                                     vmcd_shutdown_expired, srv);
    return G_SOURCE_CONTINUE;
}

/* ---- the server ------------------------------------------------------------------------ */

static void
vmcd_listener_free(gpointer p)
{
    VmcdListener *l = p;

    if (l->fd >= 0)
        close(l->fd);
    g_free(l->path);
    g_free(l->name);
    g_free(l);
}

VmcdServer *
vmcd_server_new(VmcQmp *qmp, const VmcdLimits *limits, GError **error)
{
    g_autoptr(VmcdServer) srv = g_new0(VmcdServer, 1);
    g_autoptr(json_object) greeting = NULL;
    g_autoptr(GError) pool_error = NULL;
    struct epoll_event ev = { .events = EPOLLIN };
    const char *text;
    guint workers;

    srv->epfd = srv->wake_fd = -1;
    srv->qmp = vmc_qmp_ref(qmp);
    srv->limits = *limits;
    srv->max_output = MAX((gsize) 1024 * 1024, limits->max_message_size);
    srv->listeners = g_ptr_array_new_with_free_func(vmcd_listener_free);
    srv->graveyard = g_ptr_array_new_with_free_func((GDestroyNotify) vmcd_conn_unref);
    srv->done = g_async_queue_new();
    srv->tok = json_tokener_new_ex(VMCD_MAX_DEPTH + 1);
    json_tokener_set_flags(srv->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    greeting = vmc_qmp_get_greeting(qmp);
    text = json_object_to_json_string_ext(greeting, JSON_C_TO_STRING_SPACED);
    srv->greeting = g_strdup_printf("%s\r\n", text);
    srv->greeting_len = strlen(srv->greeting);

    srv->epfd = epoll_create1(EPOLL_CLOEXEC);
    srv->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (srv->epfd < 0 || srv->wake_fd < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "cannot create the event loop: %s",
                    g_strerror(errno));
        return NULL;
    }
    srv->wake_item.kind = VMCD_ITEM_WAKE;
    ev.data.ptr = &srv->wake_item;
    if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->wake_fd, &ev) < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "cannot watch the wake-up counter: %s",
                    g_strerror(errno));
        return NULL;
    }
    workers = limits->workers ? limits->workers : MAX(1u, g_get_num_processors());
    srv->pool = g_thread_pool_new_full(vmcd_worker, srv, vmcd_entry_dropped, (gint) workers,
                                       FALSE, &pool_error);
    if (!srv->pool) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED, "cannot start %u worker threads: %s",
                    workers, pool_error->message);
        return NULL;
    }
    srv->ctx = g_main_context_ref_thread_default();
    srv->loop = g_main_loop_new(srv->ctx, FALSE);
    /* before any listener exists: a SIGTERM sent as soon as the socket
     * appears must not find the default action (it is dispatched once the
     * loop runs) */
    srv->sig_term = g_unix_signal_add(SIGTERM, vmcd_on_signal, srv);
    srv->sig_int = g_unix_signal_add(SIGINT, vmcd_on_signal, srv);
    return g_steal_pointer(&srv);
}

/* Watch a listening socket. */
static gboolean
vmcd_server_add_listener(VmcdServer *srv, int fd, const char *path, const char *name,
                         GError **error)
{
    VmcdListener *l = g_new0(VmcdListener, 1);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };

    l->item.kind = VMCD_ITEM_LISTENER;
    l->fd = fd;
    l->path = g_strdup(path);
    l->name = g_strdup(name);
    g_ptr_array_add(srv->listeners, l);
    if (listen(fd, 1024) < 0 || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s: cannot listen: %s", name,
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

/* Is a daemon answering on @path? */
static gboolean
vmcd_socket_alive(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    gboolean alive;

    if (fd < 0)
        return FALSE;
    alive = connect(fd, (const struct sockaddr *) addr, sizeof(*addr)) == 0;
    close(fd);
    return alive;
}

gboolean
vmcd_server_listen_unix(VmcdServer *srv, const char *path, gint64 gid, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct stat st;
    mode_t old_mask;
    int fd, r;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "'%s': socket path longer than %zu bytes", path, sizeof(addr.sun_path) - 1);
        return FALSE;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s' exists and is not a socket: not replacing it", path);
            return FALSE;
        }
        if (vmcd_socket_alive(&addr)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s': another server is listening there", path);
            return FALSE;
        }
        g_unlink(path);                 /* stale, from a daemon that died */
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "cannot create a socket: %s",
                    g_strerror(errno));
        return FALSE;
    }
    old_mask = umask(0177);              /* created 0600, never wider */
    r = bind(fd, (struct sockaddr *) &addr, sizeof(addr));
    umask(old_mask);
    if (r < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "'%s': cannot bind: %s", path,
                    g_strerror(errno));
        close(fd);
        return FALSE;
    }
    if (gid >= 0 && (chown(path, (uid_t) -1, (gid_t) gid) < 0 || chmod(path, 0660) < 0)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "'%s': cannot give group %" G_GINT64_FORMAT
                    " access: %s", path, gid, g_strerror(errno));
        close(fd);
        g_unlink(path);
        return FALSE;
    }
    if (!vmcd_server_add_listener(srv, fd, path, path, error)) {
        g_unlink(path);
        return FALSE;
    }
    g_message("listening on %s", path);
    return TRUE;
}

gboolean
vmcd_server_listen_tcp(VmcdServer *srv, const char *address, GError **error)
{
    g_autofree char *host = NULL;
    const char *colon = strrchr(address, ':');
    struct sockaddr_storage ss = { 0 };
    socklen_t len;
    char *end = NULL;
    guint64 port;
    int fd, one = 1;

    if (!colon || colon == address) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "--listen '%s': expected ADDRESS:PORT (127.0.0.1:4444, [::1]:4444)", address);
        return FALSE;
    }
    host = g_strndup(address, (gsize) (colon - address));
    port = g_ascii_strtoull(colon + 1, &end, 10);
    if (!*(colon + 1) || *end || port == 0 || port > 65535) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "--listen '%s': bad port '%s'",
                    address, colon + 1);
        return FALSE;
    }
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *) &ss;
        host[strlen(host) - 1] = '\0';
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((guint16) port);
        if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1 ||
            !IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "--listen '%s': only loopback addresses (QMP has no authentication)",
                        address);
            return FALSE;
        }
        len = sizeof(*a6);
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *) &ss;
        a4->sin_family = AF_INET;
        a4->sin_port = htons((guint16) port);
        if (inet_pton(AF_INET, host, &a4->sin_addr) != 1 ||
            (ntohl(a4->sin_addr.s_addr) >> 24) != 127) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "--listen '%s': only loopback addresses (QMP has no authentication)",
                        address);
            return FALSE;
        }
        len = sizeof(*a4);
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "cannot create a socket: %s",
                    g_strerror(errno));
        return FALSE;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *) &ss, len) < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "--listen '%s': cannot bind: %s", address,
                    g_strerror(errno));
        close(fd);
        return FALSE;
    }
    if (!vmcd_server_add_listener(srv, fd, NULL, address, error))
        return FALSE;
    g_message("listening on %s (TCP)", address);
    return TRUE;
}

gboolean
vmcd_server_run(VmcdServer *srv, void (*ready)(void), GError **error)
{
    guint interval_ms;

    if (srv->listeners->len == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED, "nothing to listen on");
        return FALSE;
    }
    srv->epoll_source = g_source_new(&vmcd_epoll_funcs, sizeof(GSource) + sizeof(VmcdServer *));
    *(VmcdServer **) (srv->epoll_source + 1) = srv;
    g_source_add_unix_fd(srv->epoll_source, srv->epfd, G_IO_IN);
    g_source_set_name(srv->epoll_source, "vmcompatd epoll");
    g_source_attach(srv->epoll_source, srv->ctx);
    if (srv->limits.idle_timeout_s) {
        interval_ms = MIN(1000u, srv->limits.idle_timeout_s * 250u);
        srv->idle_source = g_timeout_add(interval_ms, vmcd_idle_check, srv);
    }
    if (ready)
        ready();
    g_main_loop_run(srv->loop);
    g_message("stopped");
    return TRUE;
}

void
vmcd_server_free(VmcdServer *srv)
{
    VmcdEntry *e;

    if (!srv)
        return;
    /* Workers first: running commands finish, queued ones are dropped. */
    if (srv->pool)
        g_thread_pool_free(srv->pool, TRUE, TRUE);
    while (srv->done && (e = g_async_queue_try_pop(srv->done))) {
        e->done = TRUE;
        srv->jobs--;
        if (e->conn->fd >= 0)
            g_queue_remove(&e->conn->queue, e);
        vmcd_entry_free(e);
    }
    while (srv->conns.head)
        vmcd_conn_close(srv->conns.head->data, "the daemon stops");
    if (srv->listeners) {
        vmcd_server_close_listeners(srv);
        g_ptr_array_unref(srv->listeners);
    }
    if (srv->graveyard)
        g_ptr_array_unref(srv->graveyard);
    g_clear_handle_id(&srv->idle_source, g_source_remove);
    g_clear_handle_id(&srv->shutdown_source, g_source_remove);
    g_clear_handle_id(&srv->resume_source, g_source_remove);
    g_clear_handle_id(&srv->sig_term, g_source_remove);
    g_clear_handle_id(&srv->sig_int, g_source_remove);
    if (srv->epoll_source) {
        g_source_destroy(srv->epoll_source);
        g_source_unref(srv->epoll_source);
    }
    if (srv->loop)
        g_main_loop_unref(srv->loop);
    if (srv->ctx)
        g_main_context_unref(srv->ctx);
    if (srv->done)
        g_async_queue_unref(srv->done);
    if (srv->tok)
        json_tokener_free(srv->tok);
    if (srv->epfd >= 0)
        close(srv->epfd);
    if (srv->wake_fd >= 0)
        close(srv->wake_fd);
    g_free(srv->greeting);
    vmc_qmp_unref(srv->qmp);
    g_clear_error(&srv->fatal);
    g_free(srv);
}
