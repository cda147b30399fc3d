/* policy-private.h: shared by the guest OS policy sources. Not installed. */
#pragma once

#include <vmcompat/guestos.h>

/* The virtio device kinds and their PCI device ids (virtio 1.0 spec,
 * 4.1.2.1: transitional devices use 0x1000-0x103f, a virtio 1.0 device
 * 0x1040 + its virtio device id). legacy_id 0: no transitional device
 * exists (gpu, input, vsock, fs are virtio 1.0 only). */
typedef struct {
    const char *kind;
    const char *label;        /* "virtio-net" */
    guint16 legacy_id;
    guint16 modern_id;
} VmcVirtioKind;

#define VMC_OS_VIRTIO_KINDS 11
extern const VmcVirtioKind vmc__virtio_kinds[VMC_OS_VIRTIO_KINDS];
/* Index into vmc__virtio_kinds, or -1. */
int vmc__virtio_kind_index(const char *kind);

/* Whether a virtio PCI device of @model in a slot of kind @slot (libvirt's
 * controller model names, "pcie-root", "pci-root") also offers the legacy
 * (0.9) interface — QEMU's disable-legacy=auto rule: off on a PCI Express
 * port, on elsewhere; -transitional always, -non-transitional never. Kinds
 * without a transitional id never do (the caller checks). */
gboolean vmc__virtio_legacy_visible(VmcVirtioModel model, const char *slot);
gboolean vmc__virtio_slot_is_pcie_port(const char *slot);
