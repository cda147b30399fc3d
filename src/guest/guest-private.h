/* guest-private.h: the body of VmcGuest. Not installed.
 *
 * Invariants: devices is sorted and unique (built from device_list when a
 * reader finishes); props holds each driver.property once, the last
 * setting winning; strings owns every string of props.
 */
#pragma once

#include <vmcompat/guest.h>

struct _VmcGuest {
    gint refs;
    VmcCatalog *cat;
    char *name;
    VmcArch arch;
    char *machine;
    char *platform;
    VmcAccel accel;
    VmcCpuDef *cpu;
    GPtrArray *device_list;   /* char*, while reading */
    GStrv devices;
    GArray *props;            /* VmcGuestProp */
    GStringChunk *strings;
    GPtrArray *notes;         /* char* */
};
