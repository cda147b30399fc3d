/* guest-virtio.c: the virtio PCI devices of a guest, their model
 * (virtio / virtio-transitional / virtio-non-transitional) and the kind of
 * slot each sits in. That is what decides whether a guest sees a device as
 * virtio 1.0 only or also as legacy virtio 0.9 — the question old guest
 * kernels (RHEL 6) care about (seed 002, docs/guestos.md).
 *
 * Placement rules, as QEMU and libvirt apply them:
 *  - QEMU 2.7 (commit 9a4c0e22) made virtio-*-pci devices plugged into a
 *    PCI Express port (root port or switch downstream port) virtio 1.0 only
 *    (disable-legacy=auto); on conventional PCI, and integrated on q35's
 *    root complex (pcie.0), they stay transitional.
 *  - QEMU 4.0 (commit f6e501a2) added virtio-*-pci-transitional (conventional
 *    PCI only: it has an I/O BAR) and -non-transitional.
 *  - libvirt places a device without <address> on a q35 guest on a
 *    pcie-root-port, except model='virtio-transitional', which it puts on a
 *    conventional PCI slot (libvirt 9.0 adds a pcie-to-pci-bridge for it;
 *    checked with `virsh define` + `dumpxml`, tests/data/guestos/guests/);
 *    on i440fx everything sits on pci-root.
 *
 * Workload: a handful of devices per guest; linear scans are fine.
 */
#include "guest/guest-private.h"

#include <string.h>

#include "base/xml-util.h"

/* QEMU driver (without -transitional/-non-transitional) → virtio kind. */
static const struct {
    const char *driver;
    const char *kind;
} vmc_virtio_drivers[] = {
    { "virtio-net-pci", "net" },
    { "virtio-blk-pci", "block" },
    { "vhost-user-blk-pci", "block" },
    { "virtio-scsi-pci", "scsi" },
    { "vhost-scsi-pci", "scsi" },
    { "vhost-user-scsi-pci", "scsi" },
    { "virtio-serial-pci", "console" },
    { "virtio-balloon-pci", "balloon" },
    { "virtio-rng-pci", "rng" },
    { "virtio-9p-pci", "9p" },
    { "virtio-gpu-pci", "gpu" },
    { "virtio-vga", "gpu" },
    { "virtio-keyboard-pci", "input" },
    { "virtio-mouse-pci", "input" },
    { "virtio-tablet-pci", "input" },
    { "virtio-input-host-pci", "input" },
    { "vhost-vsock-pci", "vsock" },
    { "vhost-user-fs-pci", "fs" },
};

/* QEMU bus controllers → libvirt's model names for the slot they give. */
static const struct {
    const char *driver;
    const char *slot;
} vmc_virtio_buses[] = {
    { "pcie-root-port", "pcie-root-port" },
    { "ioh3420", "pcie-root-port" },
    { "xio3130-downstream", "pcie-switch-downstream-port" },
    { "pci-bridge", "pci-bridge" },
    { "pcie-pci-bridge", "pcie-to-pci-bridge" },
    { "pxb", "pci-root" },
    { "pxb-pcie", "pcie-root" },
};

const char *
vmc_virtio_model_to_string(VmcVirtioModel model)
{
    switch (model) {
    case VMC_VIRTIO_MODEL_TRANSITIONAL:
        return "virtio-transitional";
    case VMC_VIRTIO_MODEL_NON_TRANSITIONAL:
        return "virtio-non-transitional";
    case VMC_VIRTIO_MODEL_AUTO:
    default:
        return "virtio";
    }
}

gboolean
vmc_virtio_model_from_string(const char *s, VmcVirtioModel *ret)
{
    for (int m = VMC_VIRTIO_MODEL_AUTO; m <= VMC_VIRTIO_MODEL_NON_TRANSITIONAL; m++)
        if (s && g_str_equal(s, vmc_virtio_model_to_string(m))) {
            *ret = m;
            return TRUE;
        }
    return FALSE;
}

const char *
vmc__virtio_kind_of_driver(const char *driver, VmcVirtioModel *model)
{
    g_autofree char *base = g_strdup(driver);
    VmcVirtioModel m = VMC_VIRTIO_MODEL_AUTO;

    if (g_str_has_suffix(base, "-non-transitional")) {
        base[strlen(base) - strlen("-non-transitional")] = '\0';
        m = VMC_VIRTIO_MODEL_NON_TRANSITIONAL;
    } else if (g_str_has_suffix(base, "-transitional")) {
        base[strlen(base) - strlen("-transitional")] = '\0';
        m = VMC_VIRTIO_MODEL_TRANSITIONAL;
    }
    for (guint i = 0; i < G_N_ELEMENTS(vmc_virtio_drivers); i++)
        if (g_str_equal(base, vmc_virtio_drivers[i].driver)) {
            if (model)
                *model = m;
            return vmc_virtio_drivers[i].kind;
        }
    return NULL;
}

void
vmc__virtio_append(GArray *into, GStringChunk *strings, const char *what, const char *kind,
                   VmcVirtioModel model, const char *slot, gboolean by_default, const char *where)
{
    VmcGuestVirtio v = {
        .what = g_string_chunk_insert(strings, what),
        .kind = g_string_chunk_insert_const(strings, kind),
        .model = model,
        .slot = g_string_chunk_insert_const(strings, slot),
        .slot_by_default = by_default,
        .where = where ? g_string_chunk_insert(strings, where) : NULL,
    };
    g_array_append_val(into, v);
}

static void
vmc_guest_virtio_add(VmcGuest *g, const char *what, const char *kind, VmcVirtioModel model,
                     const char *slot, gboolean by_default, const char *where)
{
    vmc__virtio_append(g->virtio, g->strings, what, kind, model, slot, by_default, where);
}

/* ---- libvirt domain XML -------------------------------------------------- */

static gboolean
vmc_virtio_el(xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !n->ns &&
           xmlStrEqual(n->name, (const xmlChar *) name);
}

/* A libvirt model attribute value: "virtio*" gives the model; others are
 * no virtio device. */
static gboolean
vmc_virtio_xml_model(const char *value, VmcVirtioModel *ret)
{
    return value && vmc_virtio_model_from_string(value, ret);
}

/* The device's kind, model and a human name, or NULL kind: not virtio PCI. */
static const char *
vmc_virtio_xml_kind(xmlNode *d, VmcVirtioModel *model, char **what)
{
    g_autofree char *type = vmc_xml_prop(d, "type");
    g_autofree char *mattr = vmc_xml_prop(d, "model");

    if (vmc_virtio_el(d, "disk")) {
        xmlNode *target = vmc_xml_child(d, "target");
        g_autofree char *bus = target ? vmc_xml_prop(target, "bus") : NULL;
        g_autofree char *dev = target ? vmc_xml_prop(target, "dev") : NULL;
        if (!bus || !g_str_equal(bus, "virtio"))
            return NULL;
        if (mattr && !vmc_virtio_xml_model(mattr, model))
            return NULL;
        *what = g_strdup_printf("disk %s", dev ? dev : "(no target)");
        return "block";
    }
    if (vmc_virtio_el(d, "interface")) {
        xmlNode *m = vmc_xml_child(d, "model");
        xmlNode *mac = vmc_xml_child(d, "mac");
        g_autofree char *mtype = m ? vmc_xml_prop(m, "type") : NULL;
        g_autofree char *addr = mac ? vmc_xml_prop(mac, "address") : NULL;
        if (!vmc_virtio_xml_model(mtype, model))
            return NULL;
        *what = g_strdup_printf("interface %s", addr ? addr : type ? type : "");
        return "net";
    }
    if (vmc_virtio_el(d, "controller")) {
        g_autofree char *index = vmc_xml_prop(d, "index");
        if (type && g_str_equal(type, "scsi") && mattr &&
            (g_str_equal(mattr, "virtio-scsi") || vmc_virtio_xml_model(mattr, model))) {
            *what = g_strdup_printf("controller scsi %s", index ? index : "0");
            return "scsi";
        }
        if (type && g_str_equal(type, "virtio-serial") &&
            (!mattr || vmc_virtio_xml_model(mattr, model))) {
            *what = g_strdup_printf("controller virtio-serial %s", index ? index : "0");
            return "console";
        }
        return NULL;
    }
    if (vmc_virtio_el(d, "memballoon") || vmc_virtio_el(d, "rng")) {
        if (!vmc_virtio_xml_model(mattr, model))
            return NULL;
        *what = g_strdup((const char *) d->name);
        return vmc_virtio_el(d, "rng") ? "rng" : "balloon";
    }
    if (vmc_virtio_el(d, "filesystem")) {
        xmlNode *drv = vmc_xml_child(d, "driver");
        xmlNode *target = vmc_xml_child(d, "target");
        g_autofree char *dtype = drv ? vmc_xml_prop(drv, "type") : NULL;
        g_autofree char *dir = target ? vmc_xml_prop(target, "dir") : NULL;
        if (mattr && !vmc_virtio_xml_model(mattr, model))
            return NULL;
        *what = g_strdup_printf("filesystem %s", dir ? dir : "");
        return dtype && g_str_equal(dtype, "virtiofs") ? "fs" : "9p";
    }
    if (vmc_virtio_el(d, "input")) {
        g_autofree char *bus = vmc_xml_prop(d, "bus");
        if (!bus || !g_str_equal(bus, "virtio"))
            return NULL;
        if (mattr && !vmc_virtio_xml_model(mattr, model))
            return NULL;
        *what = g_strdup_printf("input %s", type ? type : "");
        return "input";
    }
    if (vmc_virtio_el(d, "video")) {
        xmlNode *m = vmc_xml_child(d, "model");
        g_autofree char *mtype = m ? vmc_xml_prop(m, "type") : NULL;
        if (!mtype || !g_str_equal(mtype, "virtio"))
            return NULL;
        *what = g_strdup("video virtio");
        return "gpu";
    }
    if (vmc_virtio_el(d, "vsock")) {
        if (mattr && !vmc_virtio_xml_model(mattr, model))
            return NULL;
        *what = g_strdup("vsock");
        return "vsock";
    }
    return NULL;
}

void
vmc__guest_virtio_from_xml(VmcGuest *g, xmlNode *devices, const char *file)
{
    /* PCI controller index → model */
    g_autoptr(GHashTable) buses = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    gboolean q35 = g->machine && strstr(g->machine, "q35") != NULL;

    if (!devices || g->arch != VMC_ARCH_X86_64)
        return;
    for (xmlNode *d = devices->children; d; d = d->next) {
        g_autofree char *type = NULL, *model = NULL;
        guint32 index = 0;
        if (!vmc_virtio_el(d, "controller"))
            continue;
        type = vmc_xml_prop(d, "type");
        model = vmc_xml_prop(d, "model");
        if (!type || !g_str_equal(type, "pci") || !model ||
            !vmc_xml_prop_u32(d, "index", &index, FALSE, file, NULL))
            continue;
        g_hash_table_replace(buses, GUINT_TO_POINTER(index + 1), g_steal_pointer(&model));
    }
    for (xmlNode *d = devices->children; d; d = d->next) {
        VmcVirtioModel model = VMC_VIRTIO_MODEL_AUTO;
        g_autofree char *what = NULL, *where = NULL, *atype = NULL;
        const char *kind, *slot;
        gboolean by_default = FALSE;
        xmlNode *addr;

        if (d->type != XML_ELEMENT_NODE || !(kind = vmc_virtio_xml_kind(d, &model, &what)))
            continue;
        where = g_strdup_printf("%s:%ld", file, xmlGetLineNo(d));
        addr = vmc_xml_child(d, "address");
        atype = addr ? vmc_xml_prop(addr, "type") : NULL;
        if (atype && !g_str_equal(atype, "pci"))
            continue;              /* virtio-mmio, ccw: no PCI slot */
        if (addr) {
            guint32 bus = 0;
            if (!vmc_xml_prop_u32(addr, "bus", &bus, FALSE, file, NULL))
                slot = "unknown";
            else if (!(slot = g_hash_table_lookup(buses, GUINT_TO_POINTER(bus + 1))))
                slot = bus == 0 ? (q35 ? "pcie-root" : "pci-root") : "unknown";
        } else {
            by_default = TRUE;
            if (!q35)
                slot = "pci-root";
            else if (model == VMC_VIRTIO_MODEL_TRANSITIONAL)
                slot = "pcie-to-pci-bridge";
            else
                slot = "pcie-root-port";
        }
        vmc_guest_virtio_add(g, what, kind, model, slot, by_default, where);
    }
}

/* ---- QEMU command lines -------------------------------------------------- */

void
vmc__guest_virtio_from_device(VmcGuest *g, const char *driver, GHashTable *opts,
                              const char *where)
{
    const char *id = g_hash_table_lookup(opts, "id");
    const char *bus = g_hash_table_lookup(opts, "bus");
    const char *legacy = g_hash_table_lookup(opts, "disable-legacy");
    VmcVirtioModel model = VMC_VIRTIO_MODEL_AUTO;
    const char *kind;
    g_autofree char *what = NULL;

    if (id)
        g_hash_table_replace(g->cli_ids, g_strdup(id), g_strdup(driver));
    if (g->arch == VMC_ARCH_S390X || !(kind = vmc__virtio_kind_of_driver(driver, &model)))
        return;
    if (legacy && model == VMC_VIRTIO_MODEL_AUTO) {
        if (g_str_equal(legacy, "on") || g_str_equal(legacy, "true"))
            model = VMC_VIRTIO_MODEL_NON_TRANSITIONAL;
        else if (g_str_equal(legacy, "off") || g_str_equal(legacy, "false"))
            model = VMC_VIRTIO_MODEL_TRANSITIONAL;
    }
    what = id ? g_strdup_printf("-device %s,id=%s", driver, id) : g_strdup_printf("-device %s", driver);
    /* the bus id for now; vmc__guest_virtio_finish turns it into a slot kind */
    vmc_guest_virtio_add(g, what, kind, model, bus ? bus : "root-bus", !bus, where);
}

void
vmc__guest_virtio_finish(VmcGuest *g)
{
    for (guint i = 0; i < g->virtio->len; i++) {
        VmcGuestVirtio *v = &g_array_index(g->virtio, VmcGuestVirtio, i);
        const char *drv;
        const char *slot = "unknown";

        if (!v->slot_by_default && g_str_has_prefix(v->what, "-device ")) {
            if (g_str_equal(v->slot, "pcie.0"))
                slot = "pcie-root";
            else if (g_str_equal(v->slot, "pci.0"))
                slot = "pci-root";
            else if ((drv = g_hash_table_lookup(g->cli_ids, v->slot))) {
                for (guint j = 0; j < G_N_ELEMENTS(vmc_virtio_buses); j++)
                    if (g_str_equal(drv, vmc_virtio_buses[j].driver))
                        slot = vmc_virtio_buses[j].slot;
            }
            v->slot = g_string_chunk_insert_const(g->strings, slot);
        }
    }
}

/* ---- accessors ----------------------------------------------------------- */

const char *vmc_guest_get_os(const VmcGuest *g) { return g->os; }
guint vmc_guest_get_virtio_count(const VmcGuest *g) { return g->virtio->len; }

const VmcGuestVirtio *
vmc_guest_get_virtio(const VmcGuest *g, guint idx)
{
    g_return_val_if_fail(g && idx < g->virtio->len, NULL);
    return &g_array_index(g->virtio, VmcGuestVirtio, idx);
}
