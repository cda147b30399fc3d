/* qmp.c: QEMU as a subprocess, for the host probe — a small QMP client
 * (spawn, UNIX socket, greeting, qmp_capabilities, one command at a time)
 * and a bounded "run a program and read its output" helper.
 *
 * Wire format: QMP sends one JSON object per line; the reply to a command
 * is the first object carrying "return" or "error" with our "id" (events
 * and stale replies are skipped). Invariants: every read waits at most the
 * client's timeout and keeps at most VMC_HOST_QMP_MAX_MESSAGE bytes; every
 * descriptor is O_CLOEXEC; a spawned process is always killed and reaped
 * (SIGTERM, then SIGKILL), and dies with the spawning thread on Linux
 * (PR_SET_PDEATHSIG), so no QEMU outlives a probe.
 *
 * Workload: one QEMU per probe and about ten commands; the whole exchange
 * is dominated by QEMU's own start-up (~100 ms with KVM).
 */
#include "host/host-private.h"

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

struct _VmcHostQmp {
    int fd;                  /* connected socket or -1 */
    GPid pid;                /* spawned QEMU or 0 once reaped */
    char *binary;            /* for error messages */
    char *tmpdir;            /* private temporary directory */
    char *sock_path;
    char *stderr_path;       /* QEMU's stderr, quoted in errors */
    GString *buf;            /* bytes read but not yet consumed */
    guint timeout_ms;
    guint64 next_id;
};

/* In the child, before exec: die with the thread that spawned us. */
static void
vmc_host_child_setup(gpointer data)
{
    (void) data;
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* Reap @pid if it has exited; TRUE (and *ret_status) when it has. */
static gboolean
vmc_host_child_gone(GPid pid, int *ret_status)
{
    pid_t r;

    do {
        r = waitpid(pid, ret_status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    return r == pid || (r < 0 && errno == ECHILD);
}

/* Stop and reap @pid: SIGTERM, up to a second of grace, then SIGKILL. */
static void
vmc_host_child_kill(GPid pid)
{
    int status = 0;

    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 1000; i++) {
        if (vmc_host_child_gone(pid, &status))
            return;
        g_usleep(i < 50 ? 200 : 1000);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
}

/* The last 400 bytes of a text, stripped, for error messages. */
static char *
vmc_host_tail(const char *text, gsize len)
{
    g_autofree char *copy = NULL;
    gsize n;

    if (!text || len == 0)
        return g_strdup("(no output)");
    copy = g_strndup(text, len);
    g_strstrip(copy);
    n = strlen(copy);
    if (n == 0)
        return g_strdup("(no output)");
    return g_strdup(n > 400 ? copy + n - 400 : copy);
}

/* The tail of QEMU's stderr file (transfer full). */
static char *
vmc_host_qmp_stderr_tail(const VmcHostQmp *q)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    if (!q->stderr_path ||
        !g_file_get_contents(q->stderr_path, &text, &len, NULL))
        return g_strdup("(no output)");
    return vmc_host_tail(text, len);
}

/* Wait until the socket is readable; FALSE with @error on timeout. */
static gboolean
vmc_host_qmp_wait(VmcHostQmp *q, GError **error)
{
    struct pollfd p = { .fd = q->fd, .events = POLLIN };
    int r;

    do {
        r = poll(&p, 1, (int) q->timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "'%s': QMP: no answer within %u ms", q->binary,
                    q->timeout_ms);
        return FALSE;
    }
    if (r < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "'%s': QMP: poll failed: %s", q->binary,
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

/* Read the next JSON object (one line) from QEMU. */
static json_object *
vmc_host_qmp_read(VmcHostQmp *q, GError **error)
{
    for (;;) {
        char *nl = memchr(q->buf->str, '\n', q->buf->len);
        char chunk[65536];
        ssize_t n;

        if (nl) {
            gsize line_len = (gsize) (nl - q->buf->str);
            g_autofree char *line = g_strndup(q->buf->str, line_len);
            json_object *obj;

            g_string_erase(q->buf, 0, (gssize) line_len + 1);
            g_strstrip(line);
            if (!*line)
                continue;
            obj = json_tokener_parse(line);
            if (!obj || !json_object_is_type(obj, json_type_object)) {
                json_object_put(obj);
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "'%s': QMP: not a JSON object: '%.80s'",
                            q->binary, line);
                return NULL;
            }
            return obj;
        }
        if (q->buf->len > VMC_HOST_QMP_MAX_MESSAGE) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                        "'%s': QMP: message longer than %u bytes", q->binary,
                        VMC_HOST_QMP_MAX_MESSAGE);
            return NULL;
        }
        if (!vmc_host_qmp_wait(q, error))
            return NULL;
        do {
            n = read(q->fd, chunk, sizeof(chunk));
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s': QMP: read failed: %s", q->binary,
                        g_strerror(errno));
            return NULL;
        }
        if (n == 0) {
            g_autofree char *tail = vmc_host_qmp_stderr_tail(q);
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s': QMP: QEMU closed the connection (stderr: %s)",
                        q->binary, tail);
            return NULL;
        }
        g_string_append_len(q->buf, chunk, n);
    }
}

/* Write all of @data to the socket. */
static gboolean
vmc_host_qmp_write(VmcHostQmp *q, const char *data, gsize len, GError **error)
{
    while (len > 0) {
        ssize_t n = send(q->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s': QMP: write failed: %s", q->binary,
                        g_strerror(errno));
            return FALSE;
        }
        data += n;
        len -= (gsize) n;
    }
    return TRUE;
}

json_object *
vmc__host_qmp_execute(VmcHostQmp *q, const char *command,
                      json_object *arguments, GError **error)
{
    g_autoptr(json_object) req = json_object_new_object();
    g_autofree char *id = NULL;
    const char *text;

    g_return_val_if_fail(q != NULL && command != NULL, NULL);
    id = g_strdup_printf("vmc-%" G_GUINT64_FORMAT, q->next_id++);
    json_object_object_add(req, "execute", json_object_new_string(command));
    if (arguments)
        json_object_object_add(req, "arguments", json_object_get(arguments));
    json_object_object_add(req, "id", json_object_new_string(id));
    text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
    if (!vmc_host_qmp_write(q, text, strlen(text), error) ||
        !vmc_host_qmp_write(q, "\n", 1, error))
        return NULL;

    for (;;) {
        g_autoptr(json_object) msg = vmc_host_qmp_read(q, error);
        json_object *mid = NULL;

        if (!msg)
            return NULL;
        if (!json_object_object_get_ex(msg, "return", NULL) &&
            !json_object_object_get_ex(msg, "error", NULL))
            continue;                   /* an event */
        if (!json_object_object_get_ex(msg, "id", &mid) ||
            g_strcmp0(json_object_get_string(mid), id) != 0)
            continue;                   /* not ours */
        json_object_object_del(msg, "id");
        return g_steal_pointer(&msg);
    }
}

/* Try once to connect to @path; errno is kept on failure. */
static gboolean
vmc_host_qmp_try_connect(VmcHostQmp *q, const char *path)
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
    q->fd = fd;
    return TRUE;
}

/* Greeting and capabilities negotiation on a fresh connection. */
static gboolean
vmc_host_qmp_handshake(VmcHostQmp *q, GError **error)
{
    g_autoptr(json_object) greeting = vmc_host_qmp_read(q, error);
    g_autoptr(json_object) reply = NULL;

    if (!greeting)
        return FALSE;
    if (!json_object_object_get_ex(greeting, "QMP", NULL)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "'%s': QMP: the first message is not a greeting: %.80s",
                    q->binary, json_object_to_json_string(greeting));
        return FALSE;
    }
    reply = vmc__host_qmp_execute(q, "qmp_capabilities", NULL, error);
    if (!reply)
        return FALSE;
    if (!json_object_object_get_ex(reply, "return", NULL)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED,
                    "'%s': QMP: qmp_capabilities failed: %s", q->binary,
                    json_object_to_json_string(reply));
        return FALSE;
    }
    return TRUE;
}

/* Open /dev/null and the stderr file for the child; FALSE with @error. */
static gboolean
vmc_host_qmp_open_stdio(VmcHostQmp *q, int *ret_null, int *ret_err,
                        GError **error)
{
    *ret_null = open("/dev/null", O_RDWR | O_CLOEXEC);
    *ret_err = open(q->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                    0600);
    if (*ret_null >= 0 && *ret_err >= 0)
        return TRUE;
    g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "cannot open '%s': %s",
                *ret_null < 0 ? "/dev/null" : q->stderr_path,
                g_strerror(errno));
    if (*ret_null >= 0)
        close(*ret_null);
    if (*ret_err >= 0)
        close(*ret_err);
    return FALSE;
}

VmcHostQmp *
vmc__host_qmp_spawn(const char *binary, const char *const *args,
                    guint timeout_ms, GError **error)
{
    g_autoptr(VmcHostQmp) q = g_new0(VmcHostQmp, 1);
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) spawn_error = NULL;
    gint64 deadline;
    int null_fd, err_fd;
    gboolean ok;

    g_return_val_if_fail(binary != NULL, NULL);
    q->fd = -1;
    q->binary = g_strdup(binary);
    q->buf = g_string_new(NULL);
    q->timeout_ms = timeout_ms ? timeout_ms : VMC_HOST_QMP_TIMEOUT_MS;
    q->tmpdir = g_dir_make_tmp("vmc-probe-XXXXXX", error);
    if (!q->tmpdir)
        return NULL;
    q->sock_path = g_build_filename(q->tmpdir, "qmp.sock", NULL);
    q->stderr_path = g_build_filename(q->tmpdir, "stderr.log", NULL);

    g_ptr_array_add(argv, g_strdup(binary));
    for (gsize i = 0; args && args[i]; i++)
        g_ptr_array_add(argv, g_strdup(args[i]));
    g_ptr_array_add(argv, g_strdup("-qmp"));
    g_ptr_array_add(argv, g_strdup_printf("unix:%s,server=on,wait=off",
                                          q->sock_path));
    g_ptr_array_add(argv, NULL);

    if (!vmc_host_qmp_open_stdio(q, &null_fd, &err_fd, error))
        return NULL;
    ok = g_spawn_async_with_fds(q->tmpdir, (char **) argv->pdata, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                vmc_host_child_setup, NULL, &q->pid,
                                null_fd, null_fd, err_fd, &spawn_error);
    close(null_fd);
    close(err_fd);
    if (!ok) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "cannot start '%s': %s",
                    binary, spawn_error->message);
        return NULL;
    }

    /* The socket appears once QEMU has parsed its command line. */
    deadline = g_get_monotonic_time() + (gint64) q->timeout_ms * 1000;
    for (guint i = 0; !vmc_host_qmp_try_connect(q, q->sock_path); i++) {
        int status = 0;

        if (vmc_host_child_gone(q->pid, &status)) {
            g_autofree char *tail = vmc_host_qmp_stderr_tail(q);
            q->pid = 0;
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s' exited (status %d) before its QMP socket was ready: %s",
                        binary, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                        tail);
            return NULL;
        }
        if (g_get_monotonic_time() > deadline) {
            g_autofree char *tail = vmc_host_qmp_stderr_tail(q);
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s': QMP socket not ready within %u ms: %s", binary,
                        q->timeout_ms, tail);
            return NULL;
        }
        g_usleep(i < 100 ? 1000 : 10000);
    }
    if (!vmc_host_qmp_handshake(q, error))
        return NULL;
    return g_steal_pointer(&q);
}

void
vmc__host_qmp_free(VmcHostQmp *q)
{
    if (!q)
        return;
    if (q->fd >= 0)
        close(q->fd);
    vmc_host_child_kill(q->pid);
    if (q->sock_path)
        g_unlink(q->sock_path);
    if (q->stderr_path)
        g_unlink(q->stderr_path);
    if (q->tmpdir)
        g_rmdir(q->tmpdir);
    g_free(q->binary);
    g_free(q->tmpdir);
    g_free(q->sock_path);
    g_free(q->stderr_path);
    if (q->buf)
        g_string_free(q->buf, TRUE);
    g_free(q);
}

/* ---- Running a program with a deadline ------------------------------- */

struct _VmcHostRun {
    char *program;
    GPid pid;                /* 0 once reaped */
    int out_fd, err_fd;      /* -1 once closed */
    GString *out, *err;
};

/* Append what is readable on *@fd to @out (bounded); close it at EOF. */
static void
vmc_host_run_drain(int *fd, GString *out)
{
    char chunk[16384];
    ssize_t n;

    do {
        n = read(*fd, chunk, sizeof(chunk));
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        close(*fd);
        *fd = -1;
        return;
    }
    if (out->len < VMC_HOST_RUN_MAX_OUTPUT)
        g_string_append_len(out, chunk,
                            MIN((gsize) n, VMC_HOST_RUN_MAX_OUTPUT - out->len));
}

VmcHostRun *
vmc__host_run_start(const char *const *argv, GError **error)
{
    g_autoptr(VmcHostRun) run = g_new0(VmcHostRun, 1);
    g_autoptr(GError) spawn_error = NULL;

    g_return_val_if_fail(argv != NULL && argv[0] != NULL, NULL);
    run->program = g_strdup(argv[0]);
    run->out_fd = run->err_fd = -1;
    run->out = g_string_new(NULL);
    run->err = g_string_new(NULL);
    if (!g_spawn_async_with_pipes(NULL, (char **) argv, NULL,
                                  G_SPAWN_SEARCH_PATH |
                                  G_SPAWN_DO_NOT_REAP_CHILD,
                                  vmc_host_child_setup, NULL, &run->pid, NULL,
                                  &run->out_fd, &run->err_fd, &spawn_error)) {
        run->pid = 0;
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "cannot run '%s': %s",
                    argv[0], spawn_error->message);
        return NULL;
    }
    return g_steal_pointer(&run);
}

gboolean
vmc__host_run_finish(VmcHostRun *run, guint timeout_ms, char **ret_stdout,
                     GError **error)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
    int status = 0;

    g_return_val_if_fail(run != NULL && run->pid > 0, FALSE);
    while (run->out_fd >= 0 || run->err_fd >= 0) {
        struct pollfd p[2] = {
            { .fd = run->out_fd, .events = POLLIN },
            { .fd = run->err_fd, .events = POLLIN },
        };
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        int r;

        if (left <= 0)
            break;
        r = poll(p, 2, (int) MIN(left, G_MAXINT));
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (run->out_fd >= 0 && p[0].revents)
            vmc_host_run_drain(&run->out_fd, run->out);
        if (run->err_fd >= 0 && p[1].revents)
            vmc_host_run_drain(&run->err_fd, run->err);
    }

    /* Output closed (or time is up): the program should be gone. */
    for (guint i = 0; !vmc_host_child_gone(run->pid, &status); i++) {
        if (g_get_monotonic_time() > deadline) {
            g_autofree char *tail = vmc_host_tail(run->err->str, run->err->len);
            vmc_host_child_kill(run->pid);
            run->pid = 0;
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s' did not finish within %u ms: %s", run->program,
                        timeout_ms, tail);
            return FALSE;
        }
        g_usleep(i < 100 ? 100 : 1000);
    }
    run->pid = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_autofree char *tail = vmc_host_tail(run->err->str, run->err->len);
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "'%s' failed (status %d): %s", run->program,
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1, tail);
        return FALSE;
    }
    *ret_stdout = g_strndup(run->out->str, run->out->len);
    return TRUE;
}

void
vmc__host_run_free(VmcHostRun *run)
{
    if (!run)
        return;
    if (run->out_fd >= 0)
        close(run->out_fd);
    if (run->err_fd >= 0)
        close(run->err_fd);
    vmc_host_child_kill(run->pid);
    g_free(run->program);
    if (run->out)
        g_string_free(run->out, TRUE);
    if (run->err)
        g_string_free(run->err, TRUE);
    g_free(run);
}

gboolean
vmc__host_run(const char *const *argv, guint timeout_ms, char **ret_stdout,
              GError **error)
{
    g_autoptr(VmcHostRun) run = vmc__host_run_start(argv, error);

    return run && vmc__host_run_finish(run, timeout_ms, ret_stdout, error);
}
