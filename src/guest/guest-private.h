/* guest-private.h: the body of VmcGuest. Not installed.
 *
 * Invariants: devices is sorted and unique (built from device_list when a
 * reader finishes); props holds each driver.property once, the last
 * setting winning; strings owns every string of props.
 */
#pragma once

#include <libxml/tree.h>
#include <vmcompat/abi.h>
#include <vmcompat/guest.h>
#include <vmcompat/platform.h>
#include <vmcompat/release.h>

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
    char *os;                 /* osinfo id or short id as written, or NULL */
    GArray *virtio;           /* VmcGuestVirtio; strings in @strings */
    GHashTable *cli_ids;      /* command line: -device id → driver (bus= lookups) */
};

/* The body of VmcAbi (abi.c builds and reads it, abi-check.c checks it).
 * Invariants: tunables sorted by name; every string in @strings. */
struct _VmcAbi {
    gint refs;
    VmcCatalog *cat;
    VmcArch arch;
    VmcRelease release;
    VmcAccel accel;
    char *machine;
    char *platform;
    gboolean platform_named; /* the guest named @platform ("platform-named") */
    GStrv devices;
    GArray *tunables;        /* VmcAbiTunable, sorted by name; strings in @strings */
    GArray *properties;      /* VmcAbiTunable: explicit guest-ABI-only settings */
    GStringChunk *strings;
    VmcCpuDef *original;     /* NULL: QEMU's default model */
    VmcCpuDef *updated;
    char *guest_name;
    char *fingerprint;
    char *os;                /* the guest's OS as it names it, or NULL */
    GArray *virtio;          /* VmcGuestVirtio (strings in @strings), kept with @os */
};

/* The CPU model name a definition resolves to ("Skylake-Client-v4"). */
const char *vmc__abi_model_name(const VmcCpuDef *def);
/* Whether QEMU @rel predates tunable @t (it arrived in a later release). */
gboolean vmc__tunable_after(const VmcTunable *t, const VmcRelease *rel);
/* The same for a tunable's first release already parsed (@since NULL: the
 * catalog does not say, so never after). */
gboolean vmc__release_after(const VmcRelease *since, const VmcRelease *rel);

/* guest.c: an empty guest (arch unset, no accelerator) named @name. */
VmcGuest *vmc__guest_new(VmcCatalog *cat, const char *name);
/* An explicit DRIVER.PROPERTY=VALUE setting; a later one of the same
 * property replaces it, as in QEMU. @where says where it was written. */
void vmc__guest_add_prop(VmcGuest *g, const char *driver, const char *prop,
                         const char *value, const char *where);

/* guest-virtio.c: the virtio PCI devices of a guest and their slots. */
/* libvirt <devices>: every virtio device, its model and slot (explicit
 * <address type='pci' bus=...> through the <controller type='pci'> of that
 * index, else where libvirt would place it on this machine type). */
void vmc__guest_virtio_from_xml(VmcGuest *g, xmlNode *devices, const char *file);
/* A QEMU -device DRIVER with its options (id, bus, disable-legacy). */
void vmc__guest_virtio_from_device(VmcGuest *g, const char *driver, GHashTable *opts,
                                   const char *where);
/* Append a VmcGuestVirtio to @into, its strings copied into @strings
 * (@where nullable): guests and resolved ABIs keep their devices so. */
void vmc__virtio_append(GArray *into, GStringChunk *strings, const char *what, const char *kind,
                        VmcVirtioModel model, const char *slot, gboolean by_default,
                        const char *where);
/* Command lines: turn bus=ID into the slot kind once every -device is known. */
void vmc__guest_virtio_finish(VmcGuest *g);
/* "net" for virtio-net-pci[-transitional|-non-transitional], NULL when the
 * driver is no virtio PCI device; *model from the suffix. */
const char *vmc__virtio_kind_of_driver(const char *driver, VmcVirtioModel *model);
