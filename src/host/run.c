/* run.c: programs as subprocesses, for the host probe — run one (QEMU
 * -version, -machine help) with a deadline and keep its bounded output.
 * (QEMU over QMP is the QMP client's, base/qmp-client.c.)
 *
 * Invariants: no shell; stdin is /dev/null; at most VMC_HOST_RUN_MAX_OUTPUT
 * bytes of stdout/stderr are kept; every descriptor is O_CLOEXEC; a program
 * is always killed and reaped (SIGTERM, then SIGKILL), and dies with the
 * spawning thread on Linux (PR_SET_PDEATHSIG).
 *
 * Workload: two short runs per probe, overlapping the KVM ioctls.
 */
#include "host/host-private.h"

#include "base/child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <vmcompat/error.h>

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
                                  vmc__child_setup, NULL, &run->pid, NULL,
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
    for (guint i = 0; !vmc__child_gone(run->pid, &status); i++) {
        if (g_get_monotonic_time() > deadline) {
            g_autofree char *tail = vmc_host_tail(run->err->str, run->err->len);
            vmc__child_kill(run->pid);
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
    vmc__child_kill(run->pid);
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
