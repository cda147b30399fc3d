/* answers-private.h: helpers shared by the fleet's answer sources
 * (answers.c, pools.c, compat.c). Not installed. */
#pragma once

#include <vmcompat/fleet.h>

/* The newest machine type of the arch's default family (pc-q35,
 * s390-ccw-virtio) among @names, by the release that introduced it;
 * NULL when none (transfer full). */
char *vmc__fleet_newest_machine(VmcCatalog *cat, VmcArch arch, GPtrArray *names);
