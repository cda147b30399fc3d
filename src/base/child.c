/* child.c: spawn-side helpers shared by every child process the library
 * starts (src/base/qmp-client.c, src/host/run.c). */
#include "base/child.h"

#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

void
vmc__child_setup(gpointer data)
{
    (void) data;
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

gboolean
vmc__child_gone(GPid pid, int *ret_status)
{
    pid_t r;

    do {
        r = waitpid(pid, ret_status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    return r == pid || (r < 0 && errno == ECHILD);
}

void
vmc__child_kill(GPid pid)
{
    int status = 0;

    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 1000; i++) {
        if (vmc__child_gone(pid, &status))
            return;
        g_usleep(i < 50 ? 200 : 1000);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
}
