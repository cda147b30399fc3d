/* daemon.c: a vmcompatd per test (daemon.h). */
#include "daemon.h"
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
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

struct _VmcTestDaemon {
    char *dir;
    char *socket;
    char *log;
    GPid pid;                /* 0 once reaped */
};

char **
vmc_test_child_environ(void)
{
    char **envp = g_get_environ();

    /* Under ASan, libosinfo's own loader leaks are suppressed as in
     * scripts/test (tests/lsan.supp), also when a suite runs alone. */
    if (!g_environ_getenv(envp, "LSAN_OPTIONS")) {
        g_autofree char *supp = vmc_test_source_path("tests", "lsan.supp", NULL);
        g_autofree char *opt = g_strdup_printf("suppressions=%s:print_suppressions=0", supp);
        envp = g_environ_setenv(envp, "LSAN_OPTIONS", opt, TRUE);
    }
    return envp;
}

char *
vmc_test_daemon_binary(void)
{
    const char *root = g_getenv("VMC_BUILD_ROOT");

    return g_build_filename(root ? root : ".", "tools", "vmcompatd", "vmcompatd", NULL);
}

static void
vmc_test_daemon_child_setup(gpointer data)
{
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* Can we connect yet? */
static gboolean
vmc_test_daemon_ready(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    gboolean ok;

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    ok = fd >= 0 && connect(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

VmcTestDaemon *
vmc_test_daemon_start(const char *const *extra, GError **error)
{
    g_autoptr(VmcTestDaemon) d = g_new0(VmcTestDaemon, 1);
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_auto(GStrv) envp = vmc_test_child_environ();
    gint64 deadline;
    int null_fd, log_fd;
    gboolean ok;

    d->dir = g_dir_make_tmp("vmcd-test-XXXXXX", error);
    if (!d->dir)
        return NULL;
    d->socket = g_build_filename(d->dir, "vmcompatd.sock", NULL);
    d->log = g_build_filename(d->dir, "stderr.log", NULL);
    g_ptr_array_add(argv, vmc_test_daemon_binary());
    g_ptr_array_add(argv, g_strdup("--socket"));
    g_ptr_array_add(argv, g_strdup(d->socket));
    g_ptr_array_add(argv, g_strdup("--check-returns"));
    for (gsize i = 0; extra && extra[i]; i++)
        g_ptr_array_add(argv, g_strdup(extra[i]));
    g_ptr_array_add(argv, NULL);

    null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    log_fd = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ok = g_spawn_async_with_fds(d->dir, (char **) argv->pdata, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                                vmc_test_daemon_child_setup, NULL, &d->pid, null_fd, null_fd,
                                log_fd, error);
    close(null_fd);
    close(log_fd);
    if (!ok)
        return NULL;
    deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    while (!vmc_test_daemon_ready(d->socket)) {
        int status;
        if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
            g_autofree char *log = vmc_test_daemon_log(d);
            d->pid = 0;
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "vmcompatd exited (status %d): %s",
                        status, log);
            return NULL;
        }
        if (g_get_monotonic_time() > deadline) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "vmcompatd did not listen within 20 s");
            return NULL;
        }
        g_usleep(2000);
    }
    return g_steal_pointer(&d);
}

const char *
vmc_test_daemon_socket(const VmcTestDaemon *d)
{
    return d->socket;
}

const char *
vmc_test_daemon_dir(const VmcTestDaemon *d)
{
    return d->dir;
}

GPid
vmc_test_daemon_pid(const VmcTestDaemon *d)
{
    return d->pid;
}

char *
vmc_test_daemon_log(const VmcTestDaemon *d)
{
    char *text = NULL;

    if (!g_file_get_contents(d->log, &text, NULL, NULL))
        return g_strdup("(no log)");
    return text;
}

int
vmc_test_daemon_fd_count(const VmcTestDaemon *d)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int) d->pid);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    int n = 0;

    if (!dir)
        return -1;
    while (g_dir_read_name(dir))
        n++;
    return n;
}

long
vmc_test_daemon_rss_kib(const VmcTestDaemon *d)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) d->pid);
    g_autofree char *text = NULL;
    const char *p;

    if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strstr(text, "VmRSS:")))
        return -1;
    return strtol(p + 6, NULL, 10);
}

gboolean
vmc_test_daemon_stop(VmcTestDaemon *d, guint timeout_ms, int *ret_status)
{
    if (d->pid <= 0)
        return FALSE;
    kill(d->pid, SIGTERM);
    return vmc_test_daemon_wait(d, timeout_ms, ret_status);
}

gboolean
vmc_test_daemon_wait(VmcTestDaemon *d, guint timeout_ms, int *ret_status)
{
    gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
    int status = -1;

    if (d->pid <= 0)
        return FALSE;
    for (;;) {
        pid_t r = waitpid(d->pid, &status, WNOHANG);
        if (r == d->pid)
            break;
        if (g_get_monotonic_time() > deadline) {
            kill(d->pid, SIGKILL);
            waitpid(d->pid, &status, 0);
            status = -1;
            break;
        }
        g_usleep(5000);
    }
    d->pid = 0;
    if (ret_status)
        *ret_status = status;
    return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void
vmc_test_daemon_free(VmcTestDaemon *d)
{
    if (!d)
        return;
    if (d->pid > 0) {
        kill(d->pid, SIGKILL);
        waitpid(d->pid, NULL, 0);
    }
    if (d->socket)
        g_unlink(d->socket);
    if (d->log)
        g_unlink(d->log);
    if (d->dir)
        g_rmdir(d->dir);
    g_free(d->dir);
    g_free(d->socket);
    g_free(d->log);
    g_free(d);
}
