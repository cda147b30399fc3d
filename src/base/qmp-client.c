/* qmp-client.c: the QMP client (qmp-client.h) — spawn QEMU or connect a
 * UNIX socket, greeting, qmp_capabilities, then requests and replies.
 *
 * Wire format: servers send one JSON object per line ("\r\n"); a reply is
 * an object carrying "return" or "error"; anything else (events) is
 * skipped. Reads are bounded in time (poll, the client's timeout) and size
 * (VMC_QMP_CLIENT_MAX_MESSAGE); descriptors are O_CLOEXEC.
 */
#include "base/qmp-client.h"

#include "base/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>
#include <vmcompat/error.h>

struct _VmcQmpClient {
    int fd;                  /* connected socket or -1 */
    GPid pid;                /* spawned QEMU, or 0 (none, or reaped) */
    char *peer;              /* the binary or socket path, for errors */
    char *tmpdir;            /* private temporary directory or NULL */
    char *sock_path;         /* QEMU's socket in tmpdir, or NULL */
    char *stderr_path;       /* QEMU's stderr file, or NULL */
    GString *buf;            /* bytes read but not yet consumed */
    gsize scanned;           /* buf[0..scanned) holds no newline */
    guint timeout_ms;
    guint64 next_id;
    json_object *greeting;
};

/* ---- child processes ----------------------------------------------------- */

/* The last 400 bytes of QEMU's stderr, stripped (transfer full). */
static char *
vmc_qmp_client_stderr_tail(const VmcQmpClient *c)
{
    g_autofree char *text = NULL;
    gsize len = 0, n;

    if (!c->stderr_path ||
        !g_file_get_contents(c->stderr_path, &text, &len, NULL) || len == 0)
        return g_strdup("(no output)");
    g_strstrip(text);
    n = strlen(text);
    if (n == 0)
        return g_strdup("(no output)");
    return g_strdup(n > 400 ? text + n - 400 : text);
}

/* ---- reading and writing ------------------------------------------------- */

/* Wait until the socket is readable; FALSE with @error on timeout. */
static gboolean
vmc_qmp_client_wait(VmcQmpClient *c, GError **error)
{
    struct pollfd p = { .fd = c->fd, .events = POLLIN };
    int r;

    do {
        r = poll(&p, 1, (int) c->timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "'%s': QMP: no answer within %u ms", c->peer, c->timeout_ms);
        return FALSE;
    }
    if (r < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "'%s': QMP: poll failed: %s",
                    c->peer, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

/* The next JSON object (one line) from the server. */
static json_object *
vmc_qmp_client_read_message(VmcQmpClient *c, GError **error)
{
    for (;;) {
        char *nl = memchr(c->buf->str + c->scanned, '\n', c->buf->len - c->scanned);
        char chunk[65536];
        ssize_t n;

        if (nl) {
            gsize line_len = (gsize) (nl - c->buf->str);
            json_object *obj;
            gsize start = 0, end = line_len;

            c->scanned = 0;
            while (start < end && g_ascii_isspace(c->buf->str[start]))
                start++;
            while (end > start && g_ascii_isspace(c->buf->str[end - 1]))
                end--;
            if (start == end) {
                g_string_erase(c->buf, 0, (gssize) line_len + 1);
                continue;
            }
            c->buf->str[end] = '\0';      /* a space or the newline */
            obj = json_tokener_parse(c->buf->str + start);
            if (!obj || !json_object_is_type(obj, json_type_object)) {
                json_object_put(obj);
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "'%s': QMP: the server sent something that is not a JSON object: '%.80s'",
                            c->peer, c->buf->str + start);
                g_string_erase(c->buf, 0, (gssize) line_len + 1);
                return NULL;
            }
            g_string_erase(c->buf, 0, (gssize) line_len + 1);
            return obj;
        }
        c->scanned = c->buf->len;
        if (c->buf->len > VMC_QMP_CLIENT_MAX_MESSAGE) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                        "'%s': QMP: message longer than %u bytes", c->peer,
                        VMC_QMP_CLIENT_MAX_MESSAGE);
            return NULL;
        }
        if (!vmc_qmp_client_wait(c, error))
            return NULL;
        do {
            n = read(c->fd, chunk, sizeof(chunk));
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "'%s': QMP: read failed: %s",
                        c->peer, g_strerror(errno));
            return NULL;
        }
        if (n == 0) {
            g_autofree char *tail = vmc_qmp_client_stderr_tail(c);
            if (c->stderr_path)
                g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                            "'%s': QMP: QEMU closed the connection (stderr: %s)",
                            c->peer, tail);
            else
                g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                            "'%s': QMP: the server closed the connection", c->peer);
            return NULL;
        }
        g_string_append_len(c->buf, chunk, n);
    }
}

gboolean
vmc__qmp_client_send_raw(VmcQmpClient *c, const void *data, gsize len,
                         GError **error)
{
    const char *p = data;

    g_return_val_if_fail(c != NULL && (data != NULL || len == 0), FALSE);
    while (len > 0) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            struct pollfd pf = { .fd = c->fd, .events = POLLOUT };
            if (poll(&pf, 1, (int) c->timeout_ms) == 0) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                            "'%s': QMP: cannot write within %u ms", c->peer,
                            c->timeout_ms);
                return FALSE;
            }
            continue;
        }
        if (n < 0) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "'%s': QMP: write failed: %s",
                        c->peer, g_strerror(errno));
            return FALSE;
        }
        p += n;
        len -= (gsize) n;
    }
    return TRUE;
}

gboolean
vmc__qmp_client_send(VmcQmpClient *c, json_object *request, GError **error)
{
    gsize len = 0;
    const char *text;
    g_autofree char *line = NULL;

    g_return_val_if_fail(c != NULL && request != NULL, FALSE);
    text = json_object_to_json_string_length(request, JSON_C_TO_STRING_PLAIN, &len);
    line = g_malloc(len + 1);
    memcpy(line, text, len);
    line[len] = '\n';
    return vmc__qmp_client_send_raw(c, line, len + 1, error);
}

json_object *
vmc__qmp_client_receive(VmcQmpClient *c, GError **error)
{
    g_return_val_if_fail(c != NULL, NULL);
    for (;;) {
        json_object *msg = vmc_qmp_client_read_message(c, error);

        if (!msg)
            return NULL;
        if (json_object_object_get_ex(msg, "return", NULL) ||
            json_object_object_get_ex(msg, "error", NULL))
            return msg;
        json_object_put(msg);          /* an event */
    }
}

json_object *
vmc__qmp_client_request(VmcQmpClient *c, json_object *request, GError **error)
{
    g_autoptr(json_object) req = NULL;
    g_autofree char *id = NULL;

    g_return_val_if_fail(c != NULL && request != NULL, NULL);
    if (json_object_deep_copy(request, &req, NULL) != 0 ||
        !json_object_is_type(req, json_type_object)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED,
                    "'%s': QMP: a request must be a JSON object", c->peer);
        return NULL;
    }
    id = g_strdup_printf("vmc-%" G_GUINT64_FORMAT, c->next_id++);
    json_object_object_add(req, "id", json_object_new_string(id));
    if (!vmc__qmp_client_send(c, req, error))
        return NULL;
    for (;;) {
        json_object *msg = vmc__qmp_client_receive(c, error);
        json_object *mid = NULL;

        if (!msg)
            return NULL;
        if (json_object_object_get_ex(msg, "id", &mid) &&
            g_strcmp0(json_object_get_string(mid), id) != 0) {
            json_object_put(msg);      /* a stale reply */
            continue;
        }
        json_object_object_del(msg, "id");
        return msg;
    }
}

json_object *
vmc__qmp_client_execute(VmcQmpClient *c, const char *command,
                        json_object *arguments, GError **error)
{
    g_autoptr(json_object) req = NULL;

    g_return_val_if_fail(c != NULL && command != NULL, NULL);
    req = json_object_new_object();
    json_object_object_add(req, "execute", json_object_new_string(command));
    if (arguments)
        json_object_object_add(req, "arguments", json_object_get(arguments));
    return vmc__qmp_client_request(c, req, error);
}

/* ---- connecting ---------------------------------------------------------- */

static VmcQmpClient *
vmc_qmp_client_new(const char *peer, guint timeout_ms)
{
    VmcQmpClient *c = g_new0(VmcQmpClient, 1);

    c->fd = -1;
    c->peer = g_strdup(peer);
    c->buf = g_string_sized_new(4096);
    c->timeout_ms = timeout_ms ? timeout_ms : VMC_QMP_CLIENT_DEFAULT_TIMEOUT_MS;
    return c;
}

/* Try once to connect @c to @path; errno is kept on failure. */
static gboolean
vmc_qmp_client_try_connect(VmcQmpClient *c, const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gsize len = strlen(path);
    int fd;

    if (len >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return FALSE;
    }
    memcpy(addr.sun_path, path, len + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return FALSE;
    if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return FALSE;
    }
    c->fd = fd;
    return TRUE;
}

/* Read the greeting. */
static gboolean
vmc_qmp_client_read_greeting(VmcQmpClient *c, GError **error)
{
    c->greeting = vmc_qmp_client_read_message(c, error);
    if (!c->greeting)
        return FALSE;
    if (!json_object_object_get_ex(c->greeting, "QMP", NULL)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "'%s': QMP: the first message is not a QMP greeting: %.80s",
                    c->peer, json_object_to_json_string(c->greeting));
        return FALSE;
    }
    return TRUE;
}

/* Capabilities negotiation. */
static gboolean
vmc_qmp_client_negotiate(VmcQmpClient *c, GError **error)
{
    g_autoptr(json_object) reply = vmc__qmp_client_execute(c, "qmp_capabilities",
                                                           NULL, error);

    if (!reply)
        return FALSE;
    if (!json_object_object_get_ex(reply, "return", NULL)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED,
                    "'%s': QMP: qmp_capabilities failed: %s", c->peer,
                    json_object_to_json_string(reply));
        return FALSE;
    }
    return TRUE;
}

VmcQmpClient *
vmc__qmp_client_open(const char *socket_path, guint timeout_ms, GError **error)
{
    g_autoptr(VmcQmpClient) c = NULL;

    g_return_val_if_fail(socket_path != NULL, NULL);
    c = vmc_qmp_client_new(socket_path, timeout_ms);
    if (!vmc_qmp_client_try_connect(c, socket_path)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "'%s': QMP: cannot connect: %s", socket_path, g_strerror(errno));
        return NULL;
    }
    if (!vmc_qmp_client_read_greeting(c, error))
        return NULL;
    return g_steal_pointer(&c);
}

VmcQmpClient *
vmc__qmp_client_connect(const char *socket_path, guint timeout_ms, GError **error)
{
    g_autoptr(VmcQmpClient) c = vmc__qmp_client_open(socket_path, timeout_ms, error);

    if (!c || !vmc_qmp_client_negotiate(c, error))
        return NULL;
    return g_steal_pointer(&c);
}

/* Open /dev/null and the stderr file for the child; FALSE with @error. */
static gboolean
vmc_qmp_client_open_stdio(VmcQmpClient *c, int *ret_null, int *ret_err,
                          GError **error)
{
    *ret_null = open("/dev/null", O_RDWR | O_CLOEXEC);
    *ret_err = open(c->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (*ret_null >= 0 && *ret_err >= 0)
        return TRUE;
    g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "cannot open '%s': %s",
                *ret_null < 0 ? "/dev/null" : c->stderr_path, g_strerror(errno));
    if (*ret_null >= 0)
        close(*ret_null);
    if (*ret_err >= 0)
        close(*ret_err);
    return FALSE;
}

VmcQmpClient *
vmc__qmp_client_spawn(const char *binary, const char *const *args,
                      guint timeout_ms, GError **error)
{
    g_autoptr(VmcQmpClient) c = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) spawn_error = NULL;
    gint64 deadline;
    int null_fd, err_fd;
    gboolean ok;

    g_return_val_if_fail(binary != NULL, NULL);
    c = vmc_qmp_client_new(binary, timeout_ms);
    c->tmpdir = g_dir_make_tmp("vmc-qmp-XXXXXX", error);
    if (!c->tmpdir)
        return NULL;
    c->sock_path = g_build_filename(c->tmpdir, "qmp.sock", NULL);
    c->stderr_path = g_build_filename(c->tmpdir, "stderr.log", NULL);

    g_ptr_array_add(argv, g_strdup(binary));
    for (gsize i = 0; args && args[i]; i++)
        g_ptr_array_add(argv, g_strdup(args[i]));
    g_ptr_array_add(argv, g_strdup("-qmp"));
    g_ptr_array_add(argv, g_strdup_printf("unix:%s,server=on,wait=off", c->sock_path));
    g_ptr_array_add(argv, NULL);

    if (!vmc_qmp_client_open_stdio(c, &null_fd, &err_fd, error))
        return NULL;
    ok = g_spawn_async_with_fds(c->tmpdir, (char **) argv->pdata, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                vmc__child_setup, NULL, &c->pid,
                                null_fd, null_fd, err_fd, &spawn_error);
    close(null_fd);
    close(err_fd);
    if (!ok) {
        c->pid = 0;
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "cannot start '%s': %s",
                    binary, spawn_error->message);
        return NULL;
    }

    /* The socket appears once QEMU has parsed its command line. */
    deadline = g_get_monotonic_time() + (gint64) c->timeout_ms * 1000;
    for (guint i = 0; !vmc_qmp_client_try_connect(c, c->sock_path); i++) {
        int status = 0;

        if (vmc__child_gone(c->pid, &status)) {
            g_autofree char *tail = vmc_qmp_client_stderr_tail(c);
            c->pid = 0;
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s' exited (status %d) before its QMP socket was ready: %s",
                        binary, WIFEXITED(status) ? WEXITSTATUS(status) : -1, tail);
            return NULL;
        }
        if (g_get_monotonic_time() > deadline) {
            g_autofree char *tail = vmc_qmp_client_stderr_tail(c);
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s': QMP socket not ready within %u ms: %s", binary,
                        c->timeout_ms, tail);
            return NULL;
        }
        g_usleep(i < 100 ? 1000 : 10000);
    }
    if (!vmc_qmp_client_read_greeting(c, error) || !vmc_qmp_client_negotiate(c, error))
        return NULL;
    return g_steal_pointer(&c);
}

json_object *
vmc__qmp_client_greeting(const VmcQmpClient *c)
{
    g_return_val_if_fail(c != NULL, NULL);
    return c->greeting;
}

GPid
vmc__qmp_client_pid(const VmcQmpClient *c)
{
    g_return_val_if_fail(c != NULL, 0);
    return c->pid;
}

int
vmc__qmp_client_fd(const VmcQmpClient *c)
{
    g_return_val_if_fail(c != NULL, -1);
    return c->fd;
}

void
vmc__qmp_client_free(VmcQmpClient *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    vmc__child_kill(c->pid);
    if (c->sock_path)
        g_unlink(c->sock_path);
    if (c->stderr_path)
        g_unlink(c->stderr_path);
    if (c->tmpdir)
        g_rmdir(c->tmpdir);
    g_free(c->peer);
    g_free(c->tmpdir);
    g_free(c->sock_path);
    g_free(c->stderr_path);
    if (c->buf)
        g_string_free(c->buf, TRUE);
    json_object_put(c->greeting);
    g_free(c);
}
