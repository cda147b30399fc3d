/* abi.h: the resolved ABI — a guest made fully explicit for one hypervisor
 * release on one host (DESIGN.md): concrete machine type, platform, every
 * host-dependent tunable with its value and where it came from, the CPU as
 * asked (*original*) and as QEMU presents it (*updated*, seed 001), and a
 * SHA-256 fingerprint over its canonical JSON that is identical for
 * identical ABIs. This is what migrates. Format: docs/abi.md.
 *
 * Fail, never flip (seed 004): resolution fails with a sentence naming the
 * missing capability instead of quietly picking another value.
 */
#pragma once

#include <glib.h>
#include <vmcompat/catalog.h>
#include <vmcompat/cpu-def.h>
#include <vmcompat/cpu-ops.h>
#include <vmcompat/guest.h>
#include <vmcompat/host.h>
#include <vmcompat/release.h>
#include <vmcompat/verdict.h>

G_BEGIN_DECLS

typedef struct _VmcAbi VmcAbi;

typedef struct {
    const char *name;      /* "virtio-net-device.host_uso" */
    const char *driver;
    const char *property;
    const char *value;
    const char *source;    /* guest, machine-type, platform, default */
} VmcAbiTunable;

/* vmc_guest_resolve: @release nullable — the host's QEMU release, else the
 * catalog's newest. Errors: VMC_ERROR_HOST_CAPABILITY ("host does not
 * support running this guest: ..." — a capability, a machine type or
 * tunable the host's QEMU lacks, another arch), VMC_ERROR_UNKNOWN (a machine
 * type or platform no catalog knows). */
VmcAbi *vmc_guest_resolve(VmcCatalog *cat, const VmcGuest *guest,
                          const VmcHost *host, const VmcRelease *release,
                          GError **error);

/* Checks a resolved ABI against a host: runnable or not, with reasons —
 * under check=full (the updated CPU exactly). */
VmcVerdict *vmc_abi_check(const VmcAbi *abi, const VmcHost *host);

/* The check mode of @abi: its original CPU's check attribute, else
 * libvirt's default for the CPU mode (none for host-passthrough and
 * maximum, partial otherwise). Never VMC_CPU_CHECK_DEFAULT. */
VmcCpuCheck vmc_abi_get_check(const VmcAbi *abi);

/* vmc_abi_check_mode: what starting @abi on @host under @mode would do
 * (VMC_CPU_CHECK_DEFAULT: the ABI's own mode). Machine type, tunables of
 * devices and the accelerator are judged alike in every mode; the CPU:
 *  - full: every enabled feature of the *updated* CPU must be known to the
 *    host's QEMU and offered by its KVM (errors);
 *  - partial: the features of the *original* CPU (its model — with the
 *    bits the machine type sets on it — and the features it names) are
 *    errors when missing; features the hypervisor added (accelerator and
 *    platform paravirt bits) that the host cannot present are warnings:
 *    the guest would lose them;
 *  - none: nothing about the CPU is an error; what would change is a
 *    warning, never silent.
 * Features the accelerator itself provides (x2apic, hypervisor under KVM)
 * are never asked of the host CPU (seed 001). docs/migration.md. */
VmcVerdict *vmc_abi_check_mode(const VmcAbi *abi, const VmcHost *host, VmcCpuCheck mode);

/* The QEMU arguments that start exactly this ABI (argv without the
 * binary): -machine, -accel, -cpu with every feature explicit and enforce,
 * a -global per tunable and per explicit guest property. */
GStrv vmc_abi_qemu_args(const VmcAbi *abi, GError **error);
/* The same for a QEMU of release @target (nullable: the ABI's): CPU features
 * and tunables @target lacks are left out when off / at their safe value
 * (that QEMU behaves so without them), an error otherwise. */
GStrv vmc_abi_qemu_args_for(const VmcAbi *abi, const VmcRelease *target,
                            GError **error);

char *vmc_abi_to_json(const VmcAbi *abi);
VmcAbi *vmc_abi_parse(VmcCatalog *cat, const char *data, gsize len,
                      const char *name, GError **error);
VmcAbi *vmc_abi_load(VmcCatalog *cat, const char *path, GError **error);

VmcAbi *vmc_abi_ref(VmcAbi *abi);
void vmc_abi_unref(VmcAbi *abi);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcAbi, vmc_abi_unref)

VmcArch vmc_abi_get_arch(const VmcAbi *abi);
const VmcRelease *vmc_abi_get_release(const VmcAbi *abi);
VmcAccel vmc_abi_get_accel(const VmcAbi *abi);
const char *vmc_abi_get_machine(const VmcAbi *abi);
const char *vmc_abi_get_platform(const VmcAbi *abi);
/* Whether the guest named its platform ("platform-named" in the document,
 * outside the fingerprint: it changes nothing the guest sees, only what a
 * restart elsewhere picks). FALSE also for ABIs written before vmcompat
 * recorded it. */
gboolean vmc_abi_get_platform_named(const VmcAbi *abi);
const char *const *vmc_abi_get_devices(const VmcAbi *abi);
guint vmc_abi_get_tunable_count(const VmcAbi *abi);
const VmcAbiTunable *vmc_abi_get_tunable(const VmcAbi *abi, guint idx);
const VmcAbiTunable *vmc_abi_lookup_tunable(const VmcAbi *abi, const char *name);
const VmcCpuDef *vmc_abi_get_cpu_original(const VmcAbi *abi);
const VmcCpuDef *vmc_abi_get_cpu_updated(const VmcAbi *abi);
/* "sha256:<64 hex>" */
const char *vmc_abi_get_fingerprint(const VmcAbi *abi);
/* The guest's name as resolved ("guest" member), or NULL. */
const char *vmc_abi_get_guest_name(const VmcAbi *abi);
/* The guest's OS as it named it (NULL: none), and its virtio PCI devices
 * (recorded only when it names one): "guest-os" in the ABI document, not
 * part of the fingerprint. */
const char *vmc_abi_get_os(const VmcAbi *abi);
guint vmc_abi_get_virtio_count(const VmcAbi *abi);
const VmcGuestVirtio *vmc_abi_get_virtio(const VmcAbi *abi, guint idx);

/* ---- resolving again: the guest an ABI records, what changed ------------ */

/**
 * VmcAbiGuestFlags:
 * @VMC_ABI_GUEST_DEFAULT: every choice of the guest as recorded, its
 *     platform included
 * @VMC_ABI_GUEST_HOST_PLATFORM: name no platform: resolution takes the
 *     host's default (an ABI does not record whether the guest named its
 *     platform; the caller decides)
 */
typedef enum {
    VMC_ABI_GUEST_DEFAULT = 0,
    VMC_ABI_GUEST_HOST_PLATFORM = 1 << 0,
} VmcAbiGuestFlags;

/**
 * vmc_abi_to_guest:
 * @cat: the catalog @abi was read with
 * @abi: a resolved ABI
 * @flags: what to leave open
 * @error: return location for a #GError, or NULL
 *
 * The guest definition @abi records — what the guest asked for: its name,
 * arch, accelerator, machine type (the concrete one: libvirt stores a
 * domain with its machine alias expanded once it is defined), platform
 * (see @flags), devices, original CPU (none: QEMU's default), explicit
 * settings (tunables whose source is "guest", and the properties), its OS
 * and virtio devices. What resolution chose — values from the machine
 * type, the platform or a default, the updated CPU — is left to the next
 * vmc_guest_resolve(), on whatever host. Resolved again on the host and
 * release @abi came from, it gives @abi again (same fingerprint).
 *
 * Returns: (transfer full): the guest, or NULL with @error set.
 * Since: 0.1
 */
VmcGuest *vmc_abi_to_guest(VmcCatalog *cat, const VmcAbi *abi, VmcAbiGuestFlags flags,
                           GError **error);

/* One item by which two ABIs differ. */
typedef enum {
    VMC_ABI_CHANGE_RELEASE,
    VMC_ABI_CHANGE_ACCEL,
    VMC_ABI_CHANGE_MACHINE,
    VMC_ABI_CHANGE_PLATFORM,
    VMC_ABI_CHANGE_CPU_ORIGINAL,  /* the CPU as asked: -cpu text (XML if -cpu cannot tell) */
    VMC_ABI_CHANGE_CPU_MODEL,     /* the model QEMU presents */
    VMC_ABI_CHANGE_CPU_FEATURE,   /* subject: a feature; "on" / "off" as QEMU presents it */
    VMC_ABI_CHANGE_TUNABLE,       /* subject: "driver.property" */
    VMC_ABI_CHANGE_PROPERTY,      /* subject: "driver.property" */
    VMC_ABI_CHANGE_DEVICE,        /* subject: a device type; its name or NULL */
    VMC_ABI_CHANGE_N,
} VmcAbiChangeKind;

typedef struct {
    VmcAbiChangeKind kind;
    char *subject;           /* what changed for the kinds with many (NULL for the others) */
    char *before;            /* NULL: absent (no platform, no such tunable, ...) */
    char *after;             /* NULL: absent; never equal to @before */
} VmcAbiChange;
void vmc_abi_change_clear(VmcAbiChange *c);
/* "release", "accel", "machine", "platform", "cpu-original", "cpu-model",
 * "cpu-feature", "tunable", "property", "device". */
const char *vmc_abi_change_kind_to_string(VmcAbiChangeKind kind);

/**
 * vmc_abi_diff:
 * @before: a resolved ABI
 * @after: a resolved ABI of the same arch (e.g. the same guest resolved again)
 *
 * What differs, item by item: release, accelerator, machine type, platform,
 * the CPU as asked, the CPU model QEMU presents and each feature it turns
 * on or off, each tunable and property by value (values that mean the
 * same, on and true, are equal; where a value came from is not part of an
 * ABI), the devices — in the order of #VmcAbiChangeKind, then by subject.
 * Empty when the fingerprints are equal.
 *
 * Returns: (transfer full) (element-type VmcAbiChange): the changes.
 * Since: 0.1
 */
GArray *vmc_abi_diff(const VmcAbi *before, const VmcAbi *after);

G_END_DECLS
