/* host-private.h: the body of VmcHost, for the host layer and tests.
 *
 * Invariants: cpu is a host-type VmcCpuDef bound to cat; kvm_features is
 * meaningful only when has_kvm; hw_features is what CPUID reported (x86) —
 * both sets are catalog feature ids of arch. capabilities maps names to
 * strings ("yes"/"no"/numbers/"unknown: why"); notes say what was not probed.
 */
#pragma once

#include <vmcompat/host.h>
#include <vmcompat/cpuid.h>
#include "catalog/cpu-def-private.h"

struct _VmcHost {
    gint refs;
    VmcCatalog *cat;
    VmcArch arch;
    VmcHostSource source;
    char *name;                /* hostname or file */
    char *kernel;              /* uname -r */
    char *qemu_version;        /* "7.2.22" */
    char *qemu_binary;
    gboolean has_kvm;
    int kvm_api_version;       /* -1 unknown */
    char *vendor;              /* vendor name ("Intel") */
    gboolean has_signature;
    guint family, model, stepping;
    VmcFeatureSet hw_features;     /* CPUID (hardware) */
    VmcFeatureSet kvm_features;    /* KVM_GET_SUPPORTED_CPUID + feature MSRs */
    VmcCpuidData *cpuid;           /* raw hardware CPUID, when probed/read */
    VmcCpuDef *cpu;                /* the guest-usable host CPU (host type) */
    GHashTable *capabilities;      /* char* → char* */
    GPtrArray *machine_types;      /* char*, NULL when unknown */
    GPtrArray *notes;              /* char* */
    /* QEMU's own answers over QMP, when asked (--qemu) or read from a
     * capture: command name (+ "-static"/"-full") → json text. */
    GHashTable *qmp;
};

/* vmc__host_new: an empty host of @arch (no CPU yet). */
VmcHost *vmc__host_new(VmcCatalog *cat, VmcArch arch, VmcHostSource source);

/* vmc__host_finish: decode the guest-usable feature set into host->cpu
 * (x86: libvirt's host decode; s390x: the newest model whose features are
 * a subset), keep vendor/signature. Called by every producer of a host. */
gboolean vmc__host_finish(VmcHost *host, GError **error);

/* vmc__host_set_capability: record a named capability value. */
void vmc__host_set_capability(VmcHost *host, const char *name, const char *value);

/* vmc__host_note: record what could not be probed, printf-style. */
void vmc__host_note(VmcHost *host, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
