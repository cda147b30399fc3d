/* host.h: a host — what one machine can give a guest — as a host document.
 *
 * A VmcHost is made by the probe (CPUID instruction, /dev/kvm ioctls, kernel,
 * tap/vhost backends, the installed QEMU, optionally QEMU's own answers over
 * QMP) or read from what people already have: our host document (JSON,
 * "format": 1, docs/host-document.md), libvirt `virsh capabilities` and
 * `virsh domcapabilities` XML, a libvirt CPUID dump, or a directory of QMP
 * captures. Every command that takes a HOST accepts all of them.
 */
#pragma once

#include <glib.h>
#include <vmcompat/catalog.h>
#include <vmcompat/cpu-def.h>
#include <vmcompat/cpu-ops.h>
#include <vmcompat/platform.h>

G_BEGIN_DECLS

typedef struct _VmcHost VmcHost;

/** VmcHostSource: where a host document came from. */
typedef enum {
    VMC_HOST_SOURCE_PROBE,
    VMC_HOST_SOURCE_DOCUMENT,
    VMC_HOST_SOURCE_LIBVIRT_CAPABILITIES,
    VMC_HOST_SOURCE_LIBVIRT_DOMCAPABILITIES,
    VMC_HOST_SOURCE_CPUID_DUMP,
    VMC_HOST_SOURCE_QMP_CAPTURE,
    VMC_HOST_SOURCE_N,
} VmcHostSource;

const char *vmc_host_source_to_string(VmcHostSource s);

/**
 * VmcHostProbeOptions:
 * @version: 1
 * @qemu: (nullable): a QEMU binary to start (-machine none, -S) and ask over
 *     QMP; NULL: only look for an installed QEMU's version and machine types
 * @sysroot: (nullable): prefix for /dev, /proc and /sys paths (tests)
 */
typedef struct {
    guint version;
    const char *qemu;
    const char *sysroot;
} VmcHostProbeOptions;

#define VMC_HOST_PROBE_OPTIONS_VERSION 1

/**
 * vmc_host_probe:
 * Probes this machine. Never fails for a missing /dev/kvm or QEMU: the
 * document says what is absent and why. Fails only when nothing at all can
 * be learned (or when --qemu was asked for and cannot be run).
 */
VmcHost *vmc_host_probe(VmcCatalog *cat, const VmcHostProbeOptions *opts,
                        GError **error);

/**
 * vmc_host_load:
 * Reads a host from a file or capture directory of any accepted format.
 * Errors name the file, line/field, and say which formats are accepted.
 */
VmcHost *vmc_host_load(VmcCatalog *cat, const char *path, GError **error);

/** vmc_host_parse: the same from text already in memory. */
VmcHost *vmc_host_parse(VmcCatalog *cat, const char *data, gsize len,
                        const char *name, GError **error);

/** vmc_host_save: writes the host document atomically (temp + rename). */
gboolean vmc_host_save(const VmcHost *host, const char *path, GError **error);

/** vmc_host_to_json: the host document text, "format": 1 (transfer full). */
char *vmc_host_to_json(const VmcHost *host);

VmcHost *vmc_host_ref(VmcHost *host);
void vmc_host_unref(VmcHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcHost, vmc_host_unref)

VmcArch vmc_host_get_arch(const VmcHost *host);
VmcHostSource vmc_host_get_source(const VmcHost *host);
/** vmc_host_get_name: hostname or the file it was read from. */
const char *vmc_host_get_name(const VmcHost *host);
/** vmc_host_get_kernel: kernel release ("6.1.0-18-amd64") or NULL. */
const char *vmc_host_get_kernel(const VmcHost *host);
/** vmc_host_get_qemu_version: "7.2.22" or NULL when unknown. */
const char *vmc_host_get_qemu_version(const VmcHost *host);
/** vmc_host_has_kvm: TRUE when KVM is usable on the host. */
gboolean vmc_host_has_kvm(const VmcHost *host);
/**
 * vmc_host_default_accel:
 * The accelerator QEMU would run guests with on @host: KVM when present;
 * TCG for a QMP capture of a TCG QEMU; otherwise none (plain hardware).
 * Since: 0.1
 */
VmcAccel vmc_host_default_accel(const VmcHost *host);

/**
 * vmc_host_get_cpu:
 * The CPU a guest can get on this host, as a host-type definition: the
 * features KVM can give a guest when KVM is present (else what the CPU
 * has), decoded to a model + features, vendor and signature. The
 * deprecated features the hardware has are in it (seed 000).
 * Returns: (transfer none)
 */
const VmcCpuDef *vmc_host_get_cpu(const VmcHost *host);

/**
 * vmc_host_model:
 * The host-model CPU (seed 000): the host CPU as a guest definition
 * (custom, exact, fallback forbid) with every deprecated feature the host
 * has set to policy disable.
 * @ret_disabled: (out) (optional) (transfer full) (element-type utf8):
 *     the deprecated features disabled
 */
VmcCpuDef *vmc_host_model(const VmcHost *host, GPtrArray **ret_disabled,
                          GError **error);

/**
 * vmc_host_get_capabilities:
 * Returns: (transfer none) (element-type utf8 utf8): named host capabilities
 *     ("kvm.cap.x2apic-api", "tap.uso", "vhost-net") → value ("yes", "no",
 *     a number, or "unknown: reason").
 */
GHashTable *vmc_host_get_capabilities(const VmcHost *host);
/** vmc_host_has_capability: TRUE when @name is present with a true value. */
gboolean vmc_host_has_capability(const VmcHost *host, const char *name);

/** vmc_host_get_machine_types: (transfer none) (element-type utf8) or NULL. */
GPtrArray *vmc_host_get_machine_types(const VmcHost *host);

/** vmc_host_get_notes: (transfer none) (element-type utf8): what could not
 * be probed and why ("no /dev/kvm: KVM absent", ...). */
GPtrArray *vmc_host_get_notes(const VmcHost *host);

/* ---- platforms of a host (query-platforms) ---------------------------- */

typedef struct {
    const VmcPlatform *platform;
    gboolean supported;
    gboolean is_default;   /* the newest platform the host supports */
    GPtrArray *missing;    /* (element-type utf8) capabilities it lacks */
} VmcHostPlatform;

void vmc_host_platform_clear(VmcHostPlatform *row);

/**
 * vmc_host_query_platforms:
 * Every platform of @cat, oldest first: whether @host supports it (it has
 * every capability the platform lists for the host's arch), which
 * capabilities it lacks, and the default — the newest supported platform,
 * not the newest known; when the host's kernel release is known, the newest
 * supported one not newer than that kernel (platforms whose capabilities
 * the host all has but that stand for a later kernel are supported, not
 * the default).
 * Returns: (transfer full) (element-type VmcHostPlatform)
 */
GArray *vmc_host_query_platforms(const VmcHost *host, const VmcCatalog *cat);
/* The default platform of @host, or NULL when it supports none. */
const VmcPlatform *vmc_host_default_platform(const VmcHost *host,
                                             const VmcCatalog *cat);
/* "5.15" of "5.15.0-91-generic" (transfer full), or NULL. */
char *vmc_host_kernel_version(const VmcHost *host);

/**
 * vmc_host_with_kernel:
 * @cat: the catalog (its upstream platforms and tunables)
 * @host: a host whose document names its kernel
 * @kernel: a mainline Linux release, "X.Y" or "X.Y.Z"
 * @error: return location for a #GError, or NULL
 *
 * @host as it would be on mainline Linux @kernel: the same document with
 * that kernel and the kernel-dependent capabilities the data dates — a
 * capability released after @kernel is "no" (a downgrade takes it away);
 * one the catalog's rules ask of the host's arch (a platform requires it
 * there, a tunable there needs it) released after the host's kernel and
 * not after @kernel is "yes" (KVM ones only where the host has KVM);
 * everything else, the CPU KVM offers included, keeps its probed value.
 * Releases: "since" of data/host/kvm-capabilities.json for KVM's, the
 * oldest upstream platform requiring it for the others. A note in the
 * document lists what changed. docs/fleet.md ("upgrade-impact").
 *
 * Errors: VMC_ERROR_PARSE (@kernel is no release: "abc", "6"),
 * VMC_ERROR_UNSUPPORTED (a distribution kernel, "5.14.0-427.el9", whose
 * backports the data cannot know; a host whose document names no kernel).
 *
 * Returns: (transfer full): the host on @kernel, or NULL with @error set.
 * Since: 0.1
 */
VmcHost *vmc_host_with_kernel(VmcCatalog *cat, const VmcHost *host, const char *kernel,
                              GError **error);

G_END_DECLS
