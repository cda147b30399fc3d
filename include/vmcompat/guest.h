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
/* What the reader skipped, and why. */
GPtrArray *vmc_guest_get_notes(const VmcGuest *guest);

G_END_DECLS
