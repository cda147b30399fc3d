/* guest.h: a guest definition as people already write it.
 *
 * Read from a libvirt <domain> (os/type/@machine, <cpu>, the devices that
 * carry host-dependent tunables, <qemu:commandline> -global arguments and
 * <qemu:override> frontend properties), a QEMU command line
 * ("-machine pc-q35-9.1 -platform linux-6.9 -cpu Skylake-Client-v4,+avx512f
 * -device virtio-net-pci,host_uso=on"), or a guest JSON document
 * (docs/abi.md, "Guests"). A guest may leave things open — machine type alias,
 * platform, accelerator — that resolution (abi.h) makes explicit.
 */
#pragma once

#include <glib.h>
#include <vmcompat/arch.h>
#include <vmcompat/catalog.h>
#include <vmcompat/cpu-def.h>
#include <vmcompat/cpu-ops.h>

G_BEGIN_DECLS

typedef struct _VmcGuest VmcGuest;

/* How a virtio PCI device is modelled: libvirt's model="virtio" (QEMU's
 * virtio-*-pci: legacy support decided by the slot), "virtio-transitional"
 * (virtio-*-pci-transitional: legacy + 1.0, conventional PCI only) or
 * "virtio-non-transitional" (virtio 1.0 only). */
typedef enum {
    VMC_VIRTIO_MODEL_AUTO,
    VMC_VIRTIO_MODEL_TRANSITIONAL,
    VMC_VIRTIO_MODEL_NON_TRANSITIONAL,
} VmcVirtioModel;

/* One virtio PCI device of a guest and where it sits. @slot is the kind of
 * bus it is plugged into, by libvirt's controller model names:
 * "pcie-root-port", "pcie-switch-downstream-port" (PCI Express ports),
 * "pci-bridge", "pcie-to-pci-bridge", "pci-root" (conventional PCI),
 * "pcie-root" (integrated on q35's root complex), "root-bus" (a QEMU
 * command line without bus=: the machine's root bus), "unknown". */
typedef struct {
    const char *what;       /* "disk vda", "interface 52:54:00:12:34:56", "-device virtio-blk-pci,id=d0" */
    const char *kind;       /* net block scsi console balloon rng 9p gpu input vsock fs */
    VmcVirtioModel model;
    const char *slot;
    gboolean slot_by_default;  /* not written: where libvirt would place it */
    const char *where;      /* "file:line" */
} VmcGuestVirtio;

const char *vmc_virtio_model_to_string(VmcVirtioModel model);
/* "virtio-transitional" → VMC_VIRTIO_MODEL_TRANSITIONAL; FALSE when unknown. */
gboolean vmc_virtio_model_from_string(const char *s, VmcVirtioModel *ret);

/* One explicitly set device/CPU property. */
typedef struct {
    const char *driver;     /* as written: "virtio-net-pci", "x86_64-cpu" */
    const char *property;
    const char *value;
    const char *where;      /* "-global virtio-net-pci.host_uso=on", "file:line" */
} VmcGuestProp;

/* vmc_guest_load: a file — libvirt domain XML, guest JSON, or a text file
 * holding a QEMU command line (shell quoting); "-" reads stdin. */
VmcGuest *vmc_guest_load(VmcCatalog *cat, const char *path, GError **error);
VmcGuest *vmc_guest_parse(VmcCatalog *cat, const char *data, gsize len,
                          const char *name, GError **error);
/* A QEMU command line as an argument vector (argv[0] may be the binary,
 * whose name gives the arch). */
VmcGuest *vmc_guest_parse_argv(VmcCatalog *cat, const char *const *argv,
                               const char *name, GError **error);

VmcGuest *vmc_guest_ref(VmcGuest *guest);
void vmc_guest_unref(VmcGuest *guest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcGuest, vmc_guest_unref)

const char *vmc_guest_get_name(const VmcGuest *guest);
VmcArch vmc_guest_get_arch(const VmcGuest *guest);
/* As written (maybe an alias such as "q35"), or NULL: the default. */
const char *vmc_guest_get_machine(const VmcGuest *guest);
/* As written, or NULL: the host's default platform. */
const char *vmc_guest_get_platform(const VmcGuest *guest);
/* VMC_ACCEL_NONE when the guest does not say (KVM when the host has it). */
VmcAccel vmc_guest_get_accel(const VmcGuest *guest);
/* The guest CPU as asked, or NULL (QEMU's default model). */
const VmcCpuDef *vmc_guest_get_cpu(const VmcGuest *guest);
/* QEMU -device types, sorted, unique. */
const char *const *vmc_guest_get_devices(const VmcGuest *guest);
guint vmc_guest_get_prop_count(const VmcGuest *guest);
const VmcGuestProp *vmc_guest_get_prop(const VmcGuest *guest, guint idx);
/* The guest's operating system as it names it (libvirt <metadata>
 * <libosinfo:os id=...>, guest JSON "os"): an osinfo id or short id, or NULL. */
const char *vmc_guest_get_os(const VmcGuest *guest);
/* Its virtio PCI devices (x86_64; none for s390x's virtio-ccw), in input order. */
guint vmc_guest_get_virtio_count(const VmcGuest *guest);
const VmcGuestVirtio *vmc_guest_get_virtio(const VmcGuest *guest, guint idx);
/* What the reader skipped, and why. */
GPtrArray *vmc_guest_get_notes(const VmcGuest *guest);

G_END_DECLS
