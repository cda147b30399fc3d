/* child.h: child processes the library spawns (QEMU for the QMP client,
 * helpers of the host probe). Not installed. */
#pragma once

#include <glib.h>

/* A GSpawnChildSetupFunc: in the child, before exec, die with the thread
 * that spawned it (Linux: PR_SET_PDEATHSIG). */
void vmc__child_setup(gpointer data);
/* Reap @pid if it has exited; TRUE (and *ret_status) when it is gone. */
gboolean vmc__child_gone(GPid pid, int *ret_status);
/* Stop and reap @pid: SIGTERM, up to a second of grace, then SIGKILL. */
void vmc__child_kill(GPid pid);
