/* os-check.c: what in a machine type's defaults (and a guest's devices) an
 * OS cannot use, with the fix; the OS's tier on that machine type; and the
 * typed reasons `guest resolve` / `guest check` report (seed 002).
 *
 * The rules, from QEMU and libvirt behaviour (docs/guestos.md cites them):
 *  - A virtio device on a PCI Express port (q35's default slot for
 *    libvirt-placed devices) is virtio 1.0 only (QEMU ≥ 2.7); elsewhere it
 *    is transitional. model='virtio-non-transitional' is 1.0 only anywhere;
 *    model='virtio-transitional' only fits conventional PCI.
 *  - An OS drives a virtio kind if osinfo-db lists its 1.0 PCI id (modern),
 *    its transitional id (legacy), or an installable driver for either.
 *  - q35: an OS is known to run on it when osinfo-db lists the q35 chipset or
 *    virtio 1.0 drivers (the latter implies a kernel new enough for q35).
 * An OS for which osinfo-db lists no device at all is not judged: a note.
 *
 * Workload: one OS × one machine type × a handful of devices.
 */
#include "policy/policy-private.h"

#include <json-c/json.h>
#include <string.h>

#include <vmcompat/error.h>
#include <vmcompat/machine.h>

struct _VmcOsCheck {
    char *os;                /* short id (or id) */
    char *os_name;
    char *machine;
    char *date;
    char *policy;
    VmcOsTier policy_tier;
    char *policy_reason;
    VmcOsTier tier;
    GArray *problems;        /* VmcOsProblem, strings in @strings */
    GPtrArray *notes;
    GStringChunk *strings;
};

void
vmc_os_check_free(VmcOsCheck *c)
{
    if (!c)
        return;
    g_free(c->os);
    g_free(c->os_name);
    g_free(c->machine);
    g_free(c->date);
    g_free(c->policy);
    g_free(c->policy_reason);
    g_array_unref(c->problems);
    g_ptr_array_unref(c->notes);
    g_string_chunk_free(c->strings);
    g_free(c);
}

/* One device as the check sees it. */
typedef struct {
    char *what;
    int kind;                /* index into vmc__virtio_kinds */
    VmcVirtioModel model;
    const char *slot;
} VmcCheckDev;

gboolean
vmc__virtio_slot_is_pcie_port(const char *slot)
{
    return g_str_equal(slot, "pcie-root-port") || g_str_equal(slot, "pcie-switch-downstream-port");
}

gboolean
vmc__virtio_legacy_visible(VmcVirtioModel model, const char *slot)
{
    switch (model) {
    case VMC_VIRTIO_MODEL_TRANSITIONAL:
        return TRUE;
    case VMC_VIRTIO_MODEL_NON_TRANSITIONAL:
        return FALSE;
    case VMC_VIRTIO_MODEL_AUTO:
    default:
        return !vmc__virtio_slot_is_pcie_port(slot);
    }
}

/* Problems found for one code, gathered over devices. */
typedef struct {
    GPtrArray *devices;      /* "disk vda (virtio on pcie-root-port)" */
    GPtrArray *subjects;     /* "disk vda" */
    GPtrArray *kinds;        /* "virtio-block" (unique) */
} VmcGather;

static void
vmc_gather_add(VmcGather *g, const char *subject, const char *detail, int kind)
{
    const char *label = vmc__virtio_kinds[kind].label;
    if (!g->devices) {
        g->devices = g_ptr_array_new_with_free_func(g_free);
        g->subjects = g_ptr_array_new_with_free_func(g_free);
        g->kinds = g_ptr_array_new();
    }
    g_ptr_array_add(g->devices, g_strdup(detail));
    g_ptr_array_add(g->subjects, g_strdup(subject));
    if (!g_ptr_array_find_with_equal_func(g->kinds, label, g_str_equal, NULL))
        g_ptr_array_add(g->kinds, (gpointer) label);
}

static void
vmc_gather_clear(VmcGather *g)
{
    g_clear_pointer(&g->devices, g_ptr_array_unref);
    g_clear_pointer(&g->subjects, g_ptr_array_unref);
    g_clear_pointer(&g->kinds, g_ptr_array_unref);
}

static char *
vmc_join(GPtrArray *a, const char *sep)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; a && i < a->len; i++)
        g_string_append_printf(s, "%s%s", i ? sep : "", (const char *) g_ptr_array_index(a, i));
    return g_string_free(s, FALSE);
}

static void
vmc_os_check_add(VmcOsCheck *c, const char *code, const char *subject, gboolean fixable,
                 const char *fix, const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static void
vmc_os_check_add(VmcOsCheck *c, const char *code, const char *subject, gboolean fixable,
                 const char *fix, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    VmcOsProblem p;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    p = (VmcOsProblem) {
        .code = g_string_chunk_insert_const(c->strings, code),
        .subject = g_string_chunk_insert(c->strings, subject),
        .problem = g_string_chunk_insert(c->strings, msg),
        .fix = g_string_chunk_insert(c->strings, fix),
        .fixable = fixable,
    };
    g_array_append_val(c->problems, p);
}

/* The i440fx machine type of the same version, else the newest. */
static const char *
vmc_i440fx_for(VmcCatalog *cat, const VmcMachineType *mt)
{
    g_autofree char *name = g_strdup_printf("pc-i440fx-%s", vmc_machine_type_get_version(mt));
    const VmcMachineType *alt = vmc_catalog_machine_lookup(cat, VMC_ARCH_X86_64, name, NULL);
    if (!alt)
        alt = vmc_catalog_machine_lookup(cat, VMC_ARCH_X86_64, "pc", NULL);
    return alt ? vmc_machine_type_get_name(alt) : "pc-i440fx";
}

static void
vmc_os_check_devices(VmcOsCheck *c, VmcCatalog *cat, const VmcOsInfo *os,
                     const VmcMachineType *mt, GArray *devs, gboolean assumed)
{
    gboolean q35 = g_str_equal(vmc_machine_type_get_family(mt), "pc-q35");
    const char *i440fx = vmc_i440fx_for(cat, mt);
    VmcGather legacy = { 0 }, nodrv = { 0 }, needdrv = { 0 }, badslot = { 0 };

    /* virtio 1.0 support lives in the transport (virtio_pci), not in each
     * device driver, and osinfo-db's lists are not exhaustive (RHEL 6 lists
     * no balloon, yet has virtio_balloon): judge by what the OS lists at all */
    gboolean t_modern = FALSE, t_legacy = FALSE, d_modern = FALSE, d_legacy = FALSE;
    for (guint k = 0; k < os->n_virtio; k++) {
        t_modern |= os->virtio[k].modern;
        t_legacy |= os->virtio[k].legacy;
        d_modern |= os->virtio[k].driver_modern;
        d_legacy |= os->virtio[k].driver_legacy;
    }
    for (guint i = 0; i < devs->len; i++) {
        const VmcCheckDev *d = &g_array_index(devs, VmcCheckDev, i);
        gboolean pcie_port = vmc__virtio_slot_is_pcie_port(d->slot);
        gboolean no_legacy_variant = vmc__virtio_kinds[d->kind].legacy_id == 0;
        gboolean modern_only = no_legacy_variant || !vmc__virtio_legacy_visible(d->model, d->slot);
        g_autofree char *detail = g_strdup_printf("%s: %s on %s", d->what,
                                                  vmc_virtio_model_to_string(d->model), d->slot);

        if (d->model == VMC_VIRTIO_MODEL_TRANSITIONAL && pcie_port)
            vmc_gather_add(&badslot, d->what, detail, d->kind);
        if (t_modern || (!modern_only && t_legacy))
            continue;
        if (t_legacy && !no_legacy_variant)
            vmc_gather_add(&legacy, d->what, detail, d->kind);
        else if (!t_legacy && (d_modern || (!modern_only && d_legacy)))
            vmc_gather_add(&needdrv, d->what, detail, d->kind);
        else
            vmc_gather_add(&nodrv, d->what, detail, d->kind);
    }
    if (legacy.devices) {
        g_autofree char *kinds = vmc_join(legacy.kinds, ", ");
        g_autofree char *subj = vmc_join(legacy.subjects, ", ");
        g_autofree char *details = vmc_join(legacy.devices, "; ");
        g_autofree char *fix = NULL;
        if (assumed)
            fix = g_strdup_printf("give these devices model='virtio-transitional' (QEMU's "
                                  "virtio-*-pci-transitional): libvirt then places them on "
                                  "conventional PCI (a pcie-to-pci-bridge) instead of a PCIe "
                                  "root port; or use machine type %s",
                                  q35 ? i440fx : "pc-i440fx");
        else
            fix = g_strdup_printf("set model='virtio-transitional' on %s and drop their "
                                  "<address> so libvirt moves them to conventional PCI (a "
                                  "pcie-to-pci-bridge), or place them on a pci-bridge%s%s",
                                  subj, q35 ? "; or use machine type " : "", q35 ? i440fx : "");
        if (assumed)
            vmc_os_check_add(c, "virtio-legacy-only", kinds, TRUE, fix,
                             "%s drives only legacy virtio (0.9) — osinfo-db lists its "
                             "transitional PCI ids, no virtio 1.0 id — but %s puts virtio devices "
                             "(%s) on PCI Express root ports, where QEMU (since 2.7: "
                             "disable-legacy=auto) presents them as virtio 1.0 only",
                             os->name ? os->name : c->os, vmc_machine_type_get_name(mt), kinds);
        else
            vmc_os_check_add(c, "virtio-legacy-only", subj, TRUE, fix,
                             "%s drives only legacy virtio (0.9) — osinfo-db lists its "
                             "transitional PCI ids, no virtio 1.0 id — but the guest presents "
                             "%s as virtio 1.0 only (%s)", os->name ? os->name : c->os, kinds,
                             details);
    }
    if (badslot.devices) {
        g_autofree char *subj = vmc_join(badslot.subjects, ", ");
        g_ptr_array_add(c->notes, g_strdup_printf(
            "%s: transitional virtio on a PCI Express port — QEMU 7.2 accepts it and keeps the "
            "legacy interface, but each port then takes I/O space from the 64 KiB window; "
            "libvirt puts transitional devices on conventional PCI (a pcie-to-pci-bridge)", subj));
    }
    if (needdrv.devices) {
        g_autofree char *kinds = vmc_join(needdrv.kinds, ", ");
        g_autofree char *subj = vmc_join(needdrv.subjects, ", ");
        vmc_os_check_add(c, "virtio-needs-driver", assumed ? kinds : subj, TRUE,
                         "install the vendor's virtio drivers in the guest (for Windows: the "
                         "virtio-win drivers osinfo-db lists), or use emulated devices",
                         "%s has no built-in driver for %s, only an installable one",
                         os->name ? os->name : c->os, kinds);
    }
    if (nodrv.devices) {
        g_autofree char *kinds = vmc_join(nodrv.kinds, ", ");
        g_autofree char *subj = vmc_join(nodrv.subjects, ", ");
        vmc_os_check_add(c, "virtio-no-driver", subj, TRUE,
                         "use emulated devices the OS drives (an IDE/SATA disk, an e1000 NIC) "
                         "instead",
                         "osinfo-db lists no driver of %s for %s%s",
                         os->name ? os->name : c->os, kinds,
                         t_legacy ? " (a virtio 1.0-only device; the OS drives legacy virtio "
                                    "only)" : "");
    }
    vmc_gather_clear(&legacy);
    vmc_gather_clear(&nodrv);
    vmc_gather_clear(&needdrv);
    vmc_gather_clear(&badslot);
}

static void
vmc_check_dev_clear(gpointer p)
{
    g_free(((VmcCheckDev *) p)->what);
}

VmcOsCheck *
vmc_os_check(VmcCatalog *cat, const VmcOsPolicy *policy, const VmcOsInfo *os,
             const char *machine, const VmcGuestVirtio *devices, int n_devices,
             const GDate *date, GError **error)
{
    g_autoptr(VmcOsCheck) c = g_new0(VmcOsCheck, 1);
    g_autoptr(GArray) devs = g_array_new(FALSE, TRUE, sizeof(VmcCheckDev));
    const VmcMachineType *mt;
    VmcArch arch = VMC_ARCH_N;
    gboolean q35;

    g_array_set_clear_func(devs, vmc_check_dev_clear);
    c->problems = g_array_new(FALSE, TRUE, sizeof(VmcOsProblem));
    c->notes = g_ptr_array_new_with_free_func(g_free);
    c->strings = g_string_chunk_new(1024);
    c->os = g_strdup(os->short_id ? os->short_id : os->id);
    c->os_name = g_strdup(os->name ? os->name : c->os);
    c->policy = g_strdup(vmc_os_policy_get_name(policy));
    c->date = vmc_date_to_string(date);

    mt = vmc_catalog_machine_find(cat, machine, NULL, &arch);
    if (!mt) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "unknown machine type '%s' (see 'vmcompat machine list')", machine);
        return NULL;
    }
    c->machine = g_strdup(vmc_machine_type_get_name(mt));
    c->policy_tier = vmc_os_policy_tier(policy, os, date, &c->policy_reason);
    q35 = g_str_equal(vmc_machine_type_get_family(mt), "pc-q35");

    if (arch != VMC_ARCH_X86_64) {
        g_ptr_array_add(c->notes, g_strdup_printf("%s: virtio-ccw devices have no legacy/1.0 "
                                                  "split by slot; no machine-type default checks "
                                                  "for %s", c->machine, vmc_arch_to_string(arch)));
    } else if (!os->has_devices) {
        g_ptr_array_add(c->notes, g_strdup_printf("osinfo-db lists no devices for %s: what it can "
                                                  "drive is unknown, so %s's defaults are not "
                                                  "checked", c->os, c->machine));
    } else {
        gboolean any_modern = FALSE;
        for (guint k = 0; k < os->n_virtio; k++)
            any_modern |= os->virtio[k].modern;
        if (n_devices >= 0) {
            for (int i = 0; i < n_devices; i++) {
                const VmcGuestVirtio *gv = &devices[i];
                int k = vmc__virtio_kind_index(gv->kind);
                const char *slot = gv->slot;
                VmcCheckDev d;
                if (k < 0)
                    continue;
                if (g_str_equal(slot, "root-bus"))
                    slot = q35 ? "pcie-root" : "pci-root";
                d = (VmcCheckDev) { g_strdup(gv->what), k, gv->model,
                                    g_string_chunk_insert_const(c->strings, slot) };
                g_array_append_val(devs, d);
            }
        } else {
            /* what virt-install would add: virtio for every kind the OS drives built in */
            for (guint k = 0; k < os->n_virtio; k++) {
                VmcCheckDev d;
                if (!os->virtio[k].legacy && !os->virtio[k].modern)
                    continue;
                d = (VmcCheckDev) { g_strdup(vmc__virtio_kinds[k].label), (int) k,
                                    VMC_VIRTIO_MODEL_AUTO, q35 ? "pcie-root-port" : "pci-root" };
                g_array_append_val(devs, d);
            }
        }
        if (q35 && !os->q35 && !any_modern) {
            g_autofree char *fix = g_strdup_printf("use machine type %s (i440fx + PIIX)",
                                                   vmc_i440fx_for(cat, mt));
            vmc_os_check_add(c, "chipset-q35-unrecorded", c->machine, TRUE, fix,
                             "osinfo-db does not record that %s runs on the Q35 chipset (it "
                             "lists neither the q35 chipset nor virtio 1.0 drivers)", c->os_name);
        }
        vmc_os_check_devices(c, cat, os, mt, devs, n_devices < 0);
    }
    c->tier = c->policy_tier;
    if (c->tier != VMC_OS_TIER_UNSUPPORTED && c->problems->len) {
        gboolean all_fixable = TRUE;
        for (guint i = 0; i < c->problems->len; i++)
            all_fixable &= g_array_index(c->problems, VmcOsProblem, i).fixable;
        c->tier = all_fixable ? VMC_OS_TIER_SUPPORTED : VMC_OS_TIER_UNSUPPORTED;
    }
    return g_steal_pointer(&c);
}

const char *vmc_os_check_get_machine(const VmcOsCheck *c) { return c->machine; }
VmcOsTier vmc_os_check_get_policy_tier(const VmcOsCheck *c) { return c->policy_tier; }
const char *vmc_os_check_get_policy_reason(const VmcOsCheck *c) { return c->policy_reason; }
VmcOsTier vmc_os_check_get_tier(const VmcOsCheck *c) { return c->tier; }
guint vmc_os_check_get_problem_count(const VmcOsCheck *c) { return c->problems->len; }
GPtrArray *vmc_os_check_get_notes(const VmcOsCheck *c) { return c->notes; }

const VmcOsProblem *
vmc_os_check_get_problem(const VmcOsCheck *c, guint idx)
{
    g_return_val_if_fail(c && idx < c->problems->len, NULL);
    return &g_array_index(c->problems, VmcOsProblem, idx);
}

char *
vmc_os_check_to_json(const VmcOsCheck *c)
{
    json_object *o = json_object_new_object();
    json_object *probs = json_object_new_array();
    json_object *notes = json_object_new_array();
    char *out;

    json_object_object_add(o, "os", json_object_new_string(c->os));
    json_object_object_add(o, "machine", json_object_new_string(c->machine));
    json_object_object_add(o, "date", json_object_new_string(c->date));
    json_object_object_add(o, "policy", json_object_new_string(c->policy));
    json_object_object_add(o, "policy-tier",
                           json_object_new_string(vmc_os_tier_to_string(c->policy_tier)));
    json_object_object_add(o, "policy-reason", json_object_new_string(c->policy_reason));
    json_object_object_add(o, "tier", json_object_new_string(vmc_os_tier_to_string(c->tier)));
    for (guint i = 0; i < c->problems->len; i++) {
        const VmcOsProblem *p = &g_array_index(c->problems, VmcOsProblem, i);
        json_object *e = json_object_new_object();
        json_object_object_add(e, "code", json_object_new_string(p->code));
        json_object_object_add(e, "subject", json_object_new_string(p->subject));
        json_object_object_add(e, "problem", json_object_new_string(p->problem));
        json_object_object_add(e, "fix", json_object_new_string(p->fix));
        json_object_object_add(e, "fixable", json_object_new_boolean(p->fixable));
        json_object_array_add(probs, e);
    }
    json_object_object_add(o, "problems", probs);
    for (guint i = 0; i < c->notes->len; i++)
        json_object_array_add(notes, json_object_new_string(g_ptr_array_index(c->notes, i)));
    json_object_object_add(o, "notes", notes);
    out = g_strdup_printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                                 JSON_C_TO_STRING_SPACED |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return out;
}

/* ---- reasons for guest resolve / guest check ------------------------------ */

void
vmc_os_check_abi_reasons(VmcCatalog *cat, const VmcOsDb *db, const GError *db_error,
                         const VmcOsPolicy *policy, const VmcAbi *abi, const GDate *date,
                         VmcVerdict *v)
{
    const char *name = vmc_abi_get_os(abi);
    const VmcOsInfo *os;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcOsCheck) c = NULL;

    if (!name)
        return;
    if (!db) {
        vmc_verdict_add(v, VMC_SEVERITY_WARNING, "guest-os-unknown", name,
                        "the guest names its OS (%s) but the osinfo database is not available "
                        "(%s): its support is not checked", name,
                        db_error ? db_error->message : "not opened");
        return;
    }
    if (!(os = vmc_os_db_lookup(db, name, &error))) {
        vmc_verdict_add(v, VMC_SEVERITY_WARNING, "guest-os-unknown", name, "%s", error->message);
        return;
    }
    c = vmc_os_check(cat, policy, os, vmc_abi_get_machine(abi),
                     vmc_abi_get_virtio_count(abi) ? vmc_abi_get_virtio(abi, 0) : NULL,
                     (int) vmc_abi_get_virtio_count(abi), date, &error);
    if (!c) {
        vmc_verdict_add(v, VMC_SEVERITY_WARNING, "guest-os-unknown", name, "%s", error->message);
        return;
    }
    for (guint i = 0; i < c->problems->len; i++) {
        const VmcOsProblem *p = &g_array_index(c->problems, VmcOsProblem, i);
        /* a certain failure is an error; "not recorded" and "needs a driver
         * the guest may have installed" are warnings */
        gboolean certain = !g_str_equal(p->code, "chipset-q35-unrecorded") &&
                           !g_str_equal(p->code, "virtio-needs-driver");
        vmc_verdict_add(v, certain ? VMC_SEVERITY_ERROR : VMC_SEVERITY_WARNING,
                        "guest-os-needs-settings", p->subject, "%s [%s]: %s — fix: %s", c->os,
                        p->code, p->problem, p->fix);
    }
    if (c->tier == VMC_OS_TIER_UNSUPPORTED)
        vmc_verdict_add(v, VMC_SEVERITY_WARNING, "guest-os-unsupported", c->os,
                        "%s is Unsupported on %s (policy %s, %s): %s", c->os, c->machine,
                        c->policy, c->date, c->policy_reason);
    else
        vmc_verdict_add(v, VMC_SEVERITY_NOTE, "guest-os-tier", c->os,
                        "%s is %s on %s (policy %s, %s): %s%s", c->os,
                        vmc_os_tier_title(c->tier), c->machine, c->policy, c->date,
                        c->policy_reason, c->problems->len ? "; with the settings above" : "");
}
