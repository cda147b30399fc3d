/* daemon.h: start a vmcompatd for a test — on a UNIX socket in a private
 * temporary directory, with --check-returns (every reply is also checked
 * against the schema) — and stop it.
 *
 * The daemon is the one of this build ($VMC_BUILD_ROOT/tools/vmcompatd);
 * under the ASan build it is the sanitized one, so a leak or a memory
 * error makes vmc_test_daemon_stop() report a nonzero status and the test
 * fail with the sanitizer's report in its log. The daemon dies with the
 * test (PR_SET_PDEATHSIG) when a test aborts.
 */
#pragma once

#include <glib.h>

typedef struct _VmcTestDaemon VmcTestDaemon;

/* vmc_test_daemon_start: @extra: more options (NULL-terminated, nullable).
 * Waits until the socket accepts connections. */
VmcTestDaemon *vmc_test_daemon_start(const char *const *extra, GError **error);
const char *vmc_test_daemon_socket(const VmcTestDaemon *d);
const char *vmc_test_daemon_dir(const VmcTestDaemon *d);
GPid vmc_test_daemon_pid(const VmcTestDaemon *d);
/* The daemon's stderr so far (transfer full). */
char *vmc_test_daemon_log(const VmcTestDaemon *d);
/* Open descriptors of the daemon now (/proc), or -1. */
int vmc_test_daemon_fd_count(const VmcTestDaemon *d);
/* Resident memory of the daemon in KiB (/proc), or -1. */
long vmc_test_daemon_rss_kib(const VmcTestDaemon *d);
/* vmc_test_daemon_stop: SIGTERM, wait (at most @timeout_ms, then SIGKILL);
 * TRUE when it exited with status 0. *@ret_status gets the wait status. */
gboolean vmc_test_daemon_stop(VmcTestDaemon *d, guint timeout_ms, int *ret_status);
/* vmc_test_daemon_wait: the same without sending a signal (one was sent). */
gboolean vmc_test_daemon_wait(VmcTestDaemon *d, guint timeout_ms, int *ret_status);
/* Kill if still running, remove the directory. NULL-safe. */
void vmc_test_daemon_free(VmcTestDaemon *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcTestDaemon, vmc_test_daemon_free)

/* vmc_test_child_environ: the environment for a program a test starts (the
 * daemon, the CLI): the test's, plus scripts/test's LeakSanitizer
 * suppressions when none are set (transfer full). */
char **vmc_test_child_environ(void);

/* vmc_test_daemon_binary: the daemon of this build (transfer full). */
char *vmc_test_daemon_binary(void);
