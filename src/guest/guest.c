/* guest.c: guest definitions from libvirt domain XML, QEMU command lines
 * and guest JSON.
 *
 * Workload: one guest per call, a few KB; inputs are untrusted: bounded
 * sizes, every error names file:line (XML), the argument (command line) or
 * the field (JSON).
 */
#include "guest/guest-private.h"

#include <json-c/json.h>
#include <string.h>

#include "base/json-util.h"
#include "base/util.h"
#include "base/xml-util.h"
#include "catalog/cpu-def-private.h"
#include <vmcompat/error.h>
#include <vmcompat/machine.h>
#include <vmcompat/platform.h>

#define VMC_GUEST_MAX_ARGS 4096
#define VMC_GUEST_MAX_ARG_LEN 4096
#define VMC_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"
#define VMC_LIBOSINFO_NS "http://libosinfo.org/xmlns/libvirt/domain/1.0"

VmcGuest *
vmc__guest_new(VmcCatalog *cat, const char *name)
{
    VmcGuest *g = g_new0(VmcGuest, 1);
    g->refs = 1;
    g->cat = vmc_catalog_ref(cat);
    g->arch = VMC_ARCH_N;
    g->accel = VMC_ACCEL_NONE;
    g->name = g_strdup(name);
    g->device_list = g_ptr_array_new_with_free_func(g_free);
    g->props = g_array_new(FALSE, TRUE, sizeof(VmcGuestProp));
    g->strings = g_string_chunk_new(256);
    g->notes = g_ptr_array_new_with_free_func(g_free);
    g->virtio = g_array_new(FALSE, TRUE, sizeof(VmcGuestVirtio));
    g->cli_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return g;
}

VmcGuest *
vmc_guest_ref(VmcGuest *guest)
{
    g_return_val_if_fail(guest, NULL);
    g_atomic_int_inc(&guest->refs);
    return guest;
}

void
vmc_guest_unref(VmcGuest *guest)
{
    if (!guest || !g_atomic_int_dec_and_test(&guest->refs))
        return;
    g_free(guest->name);
    g_free(guest->machine);
    g_free(guest->platform);
    g_clear_pointer(&guest->cpu, vmc_cpu_def_unref);
    g_ptr_array_unref(guest->device_list);
    g_strfreev(guest->devices);
    g_array_unref(guest->props);
    g_string_chunk_free(guest->strings);
    g_ptr_array_unref(guest->notes);
    g_free(guest->os);
    g_array_unref(guest->virtio);
    g_hash_table_unref(guest->cli_ids);
    vmc_catalog_unref(guest->cat);
    g_free(guest);
}

static void
vmc_guest_add_device(VmcGuest *g, const char *type)
{
    for (guint i = 0; i < g->device_list->len; i++)
        if (strcmp(g_ptr_array_index(g->device_list, i), type) == 0)
            return;
    g_ptr_array_add(g->device_list, g_strdup(type));
}

void
vmc__guest_add_prop(VmcGuest *g, const char *driver, const char *prop,
                    const char *value, const char *where)
{
    VmcGuestProp p = {
        .driver = g_string_chunk_insert_const(g->strings, driver),
        .property = g_string_chunk_insert_const(g->strings, prop),
        .value = g_string_chunk_insert_const(g->strings, value),
        .where = g_string_chunk_insert(g->strings, where),
    };
    /* a later setting of the same property wins, as in QEMU */
    for (guint i = 0; i < g->props->len; i++) {
        VmcGuestProp *o = &g_array_index(g->props, VmcGuestProp, i);
        if (strcmp(o->driver, driver) == 0 && strcmp(o->property, prop) == 0) {
            *o = p;
            return;
        }
    }
    g_array_append_val(g->props, p);
}

static void
vmc_guest_note(VmcGuest *g, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
vmc_guest_note(VmcGuest *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(g->notes, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/* Pick the arch when the input did not say; fix device lists. */
static gboolean
vmc_guest_finish(VmcGuest *g, GError **error)
{
    if (g->arch == VMC_ARCH_N && g->machine)
        vmc_catalog_machine_find(g->cat, g->machine, NULL, &g->arch);
    if (g->arch == VMC_ARCH_N && g->cpu)
        g->arch = vmc_cpu_def_get_arch(g->cpu);
    if (g->arch == VMC_ARCH_N)
        g->arch = VMC_ARCH_X86_64;
    if (g->cpu && vmc_cpu_def_get_arch(g->cpu) != g->arch) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                    "%s: the guest is %s but its CPU is %s", g->name,
                    vmc_arch_to_string(g->arch),
                    vmc_arch_to_string(vmc_cpu_def_get_arch(g->cpu)));
        return FALSE;
    }
    vmc__guest_virtio_finish(g);
    g_ptr_array_sort(g->device_list, vmc_strptr_cmp);
    g_strfreev(g->devices);
    g->devices = g_new0(char *, g->device_list->len + 1);
    for (guint i = 0; i < g->device_list->len; i++)
        g->devices[i] = g_strdup(g_ptr_array_index(g->device_list, i));
    return TRUE;
}

static gboolean
vmc_guest_set_accel(VmcGuest *g, const char *name, const char *where, GError **error)
{
    VmcAccel a;

    if (!name || !*name) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: no accelerator named (kvm or tcg)",
                    where);
        return FALSE;
    }
    /* libvirt's domain type 'qemu' is TCG */
    a = g_str_equal(name, "qemu") ? VMC_ACCEL_TCG : vmc_accel_from_string(name);
    if (a == VMC_ACCEL_N || a == VMC_ACCEL_NONE) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "%s: accelerator '%s' is not supported (kvm or tcg)", where, name);
        return FALSE;
    }
    g->accel = a;
    return TRUE;
}

/* ---- -cpu strings with tunables ---------------------------------------- */

/* Splits properties of the CPU that are tunables but not CPU features
 * (vmware-cpuid-freq=off, ...) off a -cpu string, records them as props of
 * the arch's CPU type, and parses the rest. */
static gboolean
vmc_guest_parse_cpu(VmcGuest *g, VmcArch arch, const char *str, const char *where,
                    GError **error)
{
    g_auto(GStrv) opts = g_strsplit(str, ",", -1);
    g_autoptr(GString) rest = g_string_new(NULL);
    g_autoptr(GError) local = NULL;
    const char *cpu_type = arch == VMC_ARCH_S390X ? "s390x-cpu" : "x86_64-cpu";

    for (guint i = 0; opts[i]; i++) {
        char *eq = i ? strchr(opts[i], '=') : NULL;
        if (eq && arch != VMC_ARCH_N) {
            g_autofree char *key = g_strndup(opts[i], (gsize) (eq - opts[i]));
            if (!vmc_catalog_feature_lookup(g->cat, arch, key) &&
                vmc_catalog_tunable_lookup(g->cat, cpu_type, key)) {
                vmc__guest_add_prop(g, cpu_type, key, eq + 1, where);
                continue;
            }
        }
        if (rest->len)
            g_string_append_c(rest, ',');
        g_string_append(rest, opts[i]);
    }
    g_clear_pointer(&g->cpu, vmc_cpu_def_unref);
    g->cpu = vmc_cpu_def_parse_cli(g->cat, arch, rest->str, &local);
    if (!g->cpu) {
        g_set_error(error, local->domain, local->code, "%s: %s", where, local->message);
        return FALSE;
    }
    return TRUE;
}

/* ---- QEMU command line ---------------------------------------------------- */

static const char *const vmc_qemu_flags[] = {
    "-S", "-s", "-nographic", "-enable-kvm", "-no-reboot", "-no-shutdown",
    "-daemonize", "-snapshot", "-no-hpet", "-no-acpi", "-no-user-config",
    "-nodefaults", "-full-screen", "-preconfig", "-only-migratable",
    "-no-fd-bootchk", "-no-quit", "-version", "-help", "-h", NULL,
};

/* "key=val,key=val" option lists: the first element may be a bare value
 * (@implied names its key). */
static GHashTable *
vmc_qemu_opts(const char *text, const char *implied, char **ret_first)
{
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_auto(GStrv) parts = g_strsplit(text, ",", -1);

    for (guint i = 0; parts[i]; i++) {
        char *eq = strchr(parts[i], '=');
        if (!*parts[i])
            continue;
        if (!eq) {
            if (i == 0 && implied) {
                g_hash_table_replace(h, g_strdup(implied), g_strdup(parts[i]));
                if (ret_first)
                    *ret_first = g_strdup(parts[i]);
            } else {
                /* "on" flags such as -cpu's enforce */
                g_hash_table_replace(h, g_strdup(parts[i]), g_strdup("on"));
            }
            continue;
        }
        g_hash_table_replace(h, g_strndup(parts[i], (gsize) (eq - parts[i])), g_strdup(eq + 1));
    }
    return h;
}

static gboolean
vmc_arch_from_binary(const char *argv0, VmcArch *arch, const char *name, GError **error)
{
    g_autofree char *base = g_path_get_basename(argv0);
    if (g_str_has_prefix(base, "qemu-system-")) {
        *arch = vmc_arch_from_string(base + strlen("qemu-system-"));
        if (*arch == VMC_ARCH_N) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                        "%s: argument 1 '%s': arch '%s' is not supported (x86_64, s390x)", name,
                        argv0, base + strlen("qemu-system-"));
            return FALSE;
        }
    } else if (g_str_has_prefix(base, "qemu-kvm")) {
        *arch = VMC_ARCH_X86_64;
    }
    return TRUE;
}

/* -device TYPE,prop=value,...: the type, and every property (resolution
 * picks the tunables among them). */
static gboolean
vmc_guest_cli_device(VmcGuest *g, const char *arg, const char *where)
{
    static const char *const plumbing[] = {
        "driver", "id", "bus", "addr", "netdev", "drive", "chardev", "mac", "qom-type",
    };
    g_autoptr(GHashTable) opts = vmc_qemu_opts(arg, "driver", NULL);
    const char *drv = g_hash_table_lookup(opts, "driver");
    GHashTableIter it;
    gpointer k, v;

    if (!drv)
        drv = g_hash_table_lookup(opts, "qom-type");
    if (!drv || !*drv)
        return FALSE;
    vmc_guest_add_device(g, drv);
    vmc__guest_virtio_from_device(g, drv, opts, where);
    g_hash_table_iter_init(&it, opts);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        gboolean skip = FALSE;
        for (guint i = 0; i < G_N_ELEMENTS(plumbing); i++)
            skip |= g_str_equal(k, plumbing[i]);
        if (!skip)
            vmc__guest_add_prop(g, drv, k, v, where);
    }
    return TRUE;
}

static gboolean
vmc_guest_cli_global(VmcGuest *g, const char *arg, const char *where, GError **error)
{
    const char *dot = strchr(arg, '.');
    const char *eq = dot ? strchr(dot, '=') : NULL;
    g_autoptr(GHashTable) opts = NULL;

    if (!dot || !eq || dot == arg || eq == dot + 1) {
        /* the long form: driver=...,property=...,value=... */
        const char *d, *p, *v;
        opts = vmc_qemu_opts(arg, NULL, NULL);
        d = g_hash_table_lookup(opts, "driver");
        p = g_hash_table_lookup(opts, "property");
        v = g_hash_table_lookup(opts, "value");
        if (!d || !p || !v) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: expected DRIVER.PROPERTY=VALUE or driver=,property=,value=", where);
            return FALSE;
        }
        vmc__guest_add_prop(g, d, p, v, where);
        return TRUE;
    }
    {
        g_autofree char *driver = g_strndup(arg, (gsize) (dot - arg));
        g_autofree char *prop = g_strndup(dot + 1, (gsize) (eq - dot - 1));
        vmc__guest_add_prop(g, driver, prop, eq + 1, where);
    }
    return TRUE;
}

static const char *
vmc_guest_bus_suffix(VmcArch arch)
{
    return arch == VMC_ARCH_S390X ? "ccw" : "pci";
}

static gboolean
vmc_guest_cli_option(VmcGuest *g, const char *opt, const char *arg, const char *where,
                     char **cpu_arg, GError **error)
{
    if (g_str_equal(opt, "-machine") || g_str_equal(opt, "-M")) {
        g_autoptr(GHashTable) o = vmc_qemu_opts(arg, "type", NULL);
        const char *type = g_hash_table_lookup(o, "type");
        const char *accel = g_hash_table_lookup(o, "accel");
        if (type) {
            g_free(g->machine);
            g->machine = g_strdup(type);
        }
        if (accel) {
            g_auto(GStrv) list = g_strsplit(accel, ":", 2);
            if (!vmc_guest_set_accel(g, list[0] ? list[0] : "", where, error))
                return FALSE;
        }
        return TRUE;
    }
    if (g_str_equal(opt, "-platform")) {
        g_free(g->platform);
        g->platform = g_strdup(arg);
        return TRUE;
    }
    if (g_str_equal(opt, "-accel")) {
        g_autoptr(GHashTable) o = vmc_qemu_opts(arg, "accel", NULL);
        return vmc_guest_set_accel(g, g_hash_table_lookup(o, "accel"), where, error);
    }
    if (g_str_equal(opt, "-cpu")) {
        g_free(*cpu_arg);
        *cpu_arg = g_strdup(arg);
        return TRUE;
    }
    if (g_str_equal(opt, "-device")) {
        if (!vmc_guest_cli_device(g, arg, where)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: no device type", where);
            return FALSE;
        }
        return TRUE;
    }
    if (g_str_equal(opt, "-global"))
        return vmc_guest_cli_global(g, arg, where, error);
    if (g_str_equal(opt, "-object")) {
        g_autoptr(GHashTable) o = vmc_qemu_opts(arg, "qom-type", NULL);
        const char *type = g_hash_table_lookup(o, "qom-type");
        if (type && (g_str_equal(type, "sev-guest") || g_str_equal(type, "sev-snp-guest")))
            return vmc_guest_cli_device(g, arg, where);
        return TRUE;
    }
    if (g_str_equal(opt, "-nic")) {
        g_autoptr(GHashTable) o = vmc_qemu_opts(arg, "type", NULL);
        const char *model = g_hash_table_lookup(o, "model");
        if (model && g_str_equal(model, "virtio")) {
            g_autofree char *t = g_strdup_printf("virtio-net-%s", vmc_guest_bus_suffix(g->arch));
            vmc_guest_add_device(g, t);
        } else if (model) {
            vmc_guest_add_device(g, model);
        }
        return TRUE;
    }
    if (g_str_equal(opt, "-drive")) {
        g_autoptr(GHashTable) o = vmc_qemu_opts(arg, "file", NULL);
        const char *iface = g_hash_table_lookup(o, "if");
        if (iface && g_str_equal(iface, "virtio")) {
            g_autofree char *t = g_strdup_printf("virtio-blk-%s", vmc_guest_bus_suffix(g->arch));
            vmc_guest_add_device(g, t);
        }
        return TRUE;
    }
    vmc_guest_note(g, "%s: not part of the guest ABI vmcompat judges; ignored", where);
    return TRUE;
}

VmcGuest *
vmc_guest_parse_argv(VmcCatalog *cat, const char *const *argv, const char *name,
                     GError **error)
{
    g_autoptr(VmcGuest) g = NULL;
    g_autofree char *cpu_arg = NULL;
    guint n, i = 0;

    g_return_val_if_fail(cat && argv, NULL);
    n = g_strv_length((char **) argv);
    if (n > VMC_GUEST_MAX_ARGS) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "%s: more than %d command-line arguments", name, VMC_GUEST_MAX_ARGS);
        return NULL;
    }
    g = vmc__guest_new(cat, name);
    if (n && argv[0][0] != '-') {
        if (!vmc_arch_from_binary(argv[0], &g->arch, name, error))
            return NULL;
        i = 1;
    }
    for (; i < n; i++) {
        const char *opt = argv[i];
        g_autofree char *where = NULL;
        const char *arg;

        if (strlen(opt) > VMC_GUEST_MAX_ARG_LEN) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                        "%s: argument %u longer than %d bytes", name, i + 1,
                        VMC_GUEST_MAX_ARG_LEN);
            return NULL;
        }
        if (opt[0] != '-' || !opt[1]) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: argument %u '%s': expected an option", name, i + 1, opt);
            return NULL;
        }
        if (opt[1] == '-')   /* QEMU accepts --option */
            opt++;
        if (vmc_strv_contains0(vmc_qemu_flags, opt)) {
            if (g_str_equal(opt, "-enable-kvm"))
                g->accel = VMC_ACCEL_KVM;
            continue;
        }
        if (i + 1 >= n) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: argument %u: option %s needs a value", name, i + 1, opt);
            return NULL;
        }
        arg = argv[++i];
        if (strlen(arg) > VMC_GUEST_MAX_ARG_LEN) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                        "%s: argument %u longer than %d bytes", name, i + 1,
                        VMC_GUEST_MAX_ARG_LEN);
            return NULL;
        }
        where = g_strdup_printf("%s: %s %s", name, opt, arg);
        if (!vmc_guest_cli_option(g, opt, arg, where, &cpu_arg, error))
            return NULL;
    }
    if (g->arch == VMC_ARCH_N && g->machine)
        vmc_catalog_machine_find(cat, g->machine, NULL, &g->arch);
    if (cpu_arg) {
        g_autofree char *where = g_strdup_printf("%s: -cpu %s", name, cpu_arg);
        VmcArch arch = g->arch;
        if (arch == VMC_ARCH_N) {
            g_auto(GStrv) parts = g_strsplit(cpu_arg, ",", 2);
            arch = vmc__catalog_guess_arch(cat, parts[0]);
        }
        if (!vmc_guest_parse_cpu(g, arch, cpu_arg, where, error))
            return NULL;
    }
    if (!vmc_guest_finish(g, error))
        return NULL;
    return g_steal_pointer(&g);
}

/* ---- libvirt domain XML --------------------------------------------------- */

static char *
vmc_xml_where(const char *file, xmlNode *n)
{
    return g_strdup_printf("%s:%ld", file, xmlGetLineNo(n));
}

static gboolean
vmc_xml_is(xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, (const xmlChar *) name) &&
           (!n->ns || !xmlStrEqual(n->ns->href, (const xmlChar *) VMC_QEMU_NS));
}

static gboolean
vmc_xml_is_qemu(xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, (const xmlChar *) name) &&
           n->ns && xmlStrEqual(n->ns->href, (const xmlChar *) VMC_QEMU_NS);
}

/* Devices of <devices>; interfaces also get their aliases (net0, ... or
 * <alias name=>) for <qemu:override>. */
static void
vmc_guest_xml_devices(VmcGuest *g, xmlNode *devices, GHashTable *aliases)
{
    const char *bus = vmc_guest_bus_suffix(g->arch);
    guint nics = 0;

    for (xmlNode *d = devices ? devices->children : NULL; d; d = d->next) {
        g_autofree char *type = NULL;
        g_autofree char *dev = NULL;

        if (d->type != XML_ELEMENT_NODE)
            continue;
        type = vmc_xml_prop(d, "type");
        if (vmc_xml_is(d, "interface")) {
            xmlNode *model = vmc_xml_child(d, "model");
            xmlNode *alias = vmc_xml_child(d, "alias");
            g_autofree char *mtype = model ? vmc_xml_prop(model, "type") : NULL;
            g_autofree char *aname = alias ? vmc_xml_prop(alias, "name") : NULL;
            if (mtype && g_str_equal(mtype, "virtio"))
                dev = g_strdup_printf("virtio-net-%s", bus);
            else if (mtype)
                dev = g_strdup(mtype);
            if (dev)
                g_hash_table_replace(aliases, aname ? g_strdup(aname) : g_strdup_printf("net%u", nics),
                                     g_strdup(dev));
            nics++;
        } else if (vmc_xml_is(d, "disk")) {
            xmlNode *target = vmc_xml_child(d, "target");
            g_autofree char *tbus = target ? vmc_xml_prop(target, "bus") : NULL;
            g_autofree char *device = vmc_xml_prop(d, "device");
            if (type && g_str_equal(type, "vhostuser"))
                dev = g_strdup_printf("vhost-user-blk-%s", bus);
            else if (tbus && g_str_equal(tbus, "virtio"))
                dev = g_strdup_printf("virtio-blk-%s", bus);
            else if (device && g_str_equal(device, "lun") && tbus && g_str_equal(tbus, "scsi"))
                dev = g_strdup("scsi-block");
        } else if (vmc_xml_is(d, "vsock")) {
            dev = g_strdup_printf("vhost-vsock-%s", bus);
        } else if (vmc_xml_is(d, "hostdev")) {
            if (type && g_str_equal(type, "pci"))
                dev = g_strdup("vfio-pci");
            else if (type && g_str_equal(type, "scsi_host"))
                dev = g_strdup_printf("vhost-scsi-%s", bus);
        } else if (vmc_xml_is(d, "controller")) {
            g_autofree char *model = vmc_xml_prop(d, "model");
            if (type && g_str_equal(type, "scsi") && model && g_str_equal(model, "virtio-scsi"))
                dev = g_strdup_printf("virtio-scsi-%s", bus);
        } else if (vmc_xml_is(d, "memballoon") || vmc_xml_is(d, "rng")) {
            g_autofree char *model = vmc_xml_prop(d, "model");
            if (model && g_str_equal(model, "virtio"))
                dev = g_strdup_printf("%s-%s", vmc_xml_is(d, "rng") ? "virtio-rng" : "virtio-balloon", bus);
        }
        if (dev)
            vmc_guest_add_device(g, dev);
    }
}

static gboolean
vmc_guest_xml_qemu(VmcGuest *g, xmlNode *root, const char *file, GHashTable *aliases,
                   GError **error)
{
    for (xmlNode *n = root->children; n; n = n->next) {
        if (vmc_xml_is_qemu(n, "commandline")) {
            g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
            for (xmlNode *a = n->children; a; a = a->next)
                if (vmc_xml_is_qemu(a, "arg")) {
                    char *v = vmc_xml_prop(a, "value");
                    if (args->len >= VMC_GUEST_MAX_ARGS ||
                        (v && strlen(v) > VMC_GUEST_MAX_ARG_LEN)) {
                        g_autofree char *where = vmc_xml_where(file, a);
                        g_free(v);
                        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                                    "%s: <qemu:commandline>: more than %d arguments or one longer "
                                    "than %d bytes", where, VMC_GUEST_MAX_ARGS,
                                    VMC_GUEST_MAX_ARG_LEN);
                        return FALSE;
                    }
                    g_ptr_array_add(args, v ? v : g_strdup(""));
                }
            for (guint i = 0; i < args->len; i++) {
                const char *opt = g_ptr_array_index(args, i);
                g_autofree char *where = vmc_xml_where(file, n);
                g_autofree char *cpu_arg = NULL;
                if (!g_str_equal(opt, "-global") && !g_str_equal(opt, "-device") &&
                    !g_str_equal(opt, "-cpu"))
                    continue;
                if (i + 1 >= args->len) {
                    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                                "%s: <qemu:arg value='%s'/> needs a value", where, opt);
                    return FALSE;
                }
                i++;
                {
                    g_autofree char *line = vmc_xml_where(file, n);
                    g_free(where);
                    where = g_strdup_printf("%s: %s %s", line, opt,
                                            (const char *) g_ptr_array_index(args, i));
                }
                if (!vmc_guest_cli_option(g, opt, g_ptr_array_index(args, i), where, &cpu_arg, error))
                    return FALSE;
                if (cpu_arg && !vmc_guest_parse_cpu(g, g->arch, cpu_arg, where, error))
                    return FALSE;
            }
        } else if (vmc_xml_is_qemu(n, "override")) {
            for (xmlNode *d = n->children; d; d = d->next) {
                g_autofree char *alias = NULL;
                const char *drv;
                if (!vmc_xml_is_qemu(d, "device"))
                    continue;
                alias = vmc_xml_prop(d, "alias");
                drv = alias ? g_hash_table_lookup(aliases, alias) : NULL;
                if (!drv) {
                    g_autofree char *where = vmc_xml_where(file, d);
                    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                                "%s: field 'qemu:device/@alias': '%s' names no device of this domain",
                                where, alias ? alias : "");
                    return FALSE;
                }
                for (xmlNode *fe = d->children; fe; fe = fe->next) {
                    if (!vmc_xml_is_qemu(fe, "frontend"))
                        continue;
                    for (xmlNode *p = fe->children; p; p = p->next) {
                        g_autofree char *pname = NULL, *pval = NULL, *ptype = NULL, *where = NULL;
                        if (!vmc_xml_is_qemu(p, "property"))
                            continue;
                        pname = vmc_xml_prop(p, "name");
                        pval = vmc_xml_prop(p, "value");
                        ptype = vmc_xml_prop(p, "type");
                        where = vmc_xml_where(file, p);
                        if (!pname || !pval) {
                            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                                        "%s: <qemu:property> needs name and value", where);
                            return FALSE;
                        }
                        if (ptype && g_str_equal(ptype, "bool"))
                            vmc__guest_add_prop(g, drv, pname,
                                                vmc_tunable_value_equal(pval, "true") ? "on" : "off", where);
                        else
                            vmc__guest_add_prop(g, drv, pname, pval, where);
                    }
                }
            }
        }
    }
    return TRUE;
}

/* <metadata><libosinfo:libosinfo><libosinfo:os id="..."/> as virt-install
 * writes it: the guest's operating system. */
static gboolean
vmc_guest_xml_os(VmcGuest *g, xmlNode *root, const char *file, GError **error)
{
    xmlNode *meta = vmc_xml_child(root, "metadata");

    for (xmlNode *l = meta ? meta->children : NULL; l; l = l->next) {
        if (l->type != XML_ELEMENT_NODE || !l->ns ||
            !xmlStrEqual(l->ns->href, (const xmlChar *) VMC_LIBOSINFO_NS) ||
            !xmlStrEqual(l->name, (const xmlChar *) "libosinfo"))
            continue;
        for (xmlNode *o = l->children; o; o = o->next) {
            g_autofree char *id = NULL;
            if (o->type != XML_ELEMENT_NODE || !xmlStrEqual(o->name, (const xmlChar *) "os"))
                continue;
            id = vmc_xml_prop(o, "id");
            if (!id || !*id) {
                g_autofree char *where = vmc_xml_where(file, o);
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s: field 'metadata/libosinfo:os/@id': missing or empty", where);
                return FALSE;
            }
            g_free(g->os);
            g->os = g_steal_pointer(&id);
        }
    }
    return TRUE;
}

static VmcGuest *
vmc_guest_parse_domain(VmcCatalog *cat, xmlDoc *doc, const char *data, gsize len,
                       const char *file, GError **error)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    g_autoptr(VmcGuest) g = vmc__guest_new(cat, file);
    g_autoptr(GHashTable) aliases = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autofree char *dtype = vmc_xml_prop(root, "type");
    xmlNode *os = vmc_xml_child(root, "os");
    xmlNode *type = os ? vmc_xml_child(os, "type") : NULL;
    xmlNode *name = vmc_xml_child(root, "name");
    xmlNode *sev = vmc_xml_child(root, "launchSecurity");

    if (name) {
        g_free(g->name);
        g->name = vmc_xml_content(name);
    }
    if (dtype) {
        g_autofree char *where = g_strdup_printf("%s:%ld: field 'domain/@type'", file,
                                                 xmlGetLineNo(root));
        if (!vmc_guest_set_accel(g, dtype, where, error))
            return NULL;
    }
    if (type) {
        g_autofree char *arch = vmc_xml_prop(type, "arch");
        g->machine = vmc_xml_prop(type, "machine");
        if (arch) {
            g->arch = vmc_arch_from_string(arch);
            if (g->arch == VMC_ARCH_N) {
                g_autofree char *where = vmc_xml_where(file, type);
                g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                            "%s: field 'os/type/@arch': arch '%s' is not supported (x86_64, s390x)",
                            where, arch);
                return NULL;
            }
        }
    }
    if (vmc_xml_child(root, "cpu")) {
        g_autoptr(GPtrArray) cpus = vmc_cpu_def_parse_xml(cat, g->arch == VMC_ARCH_N ?
                                                          VMC_ARCH_X86_64 : g->arch,
                                                          data, (gssize) len, file, error);
        if (!cpus)
            return NULL;
        if (cpus->len) {
            VmcCpuDef *c = g_ptr_array_index(cpus, 0);
            if (c->mode != VMC_CPU_MODE_CUSTOM || c->model_ref)
                g->cpu = vmc_cpu_def_ref(c);
        }
    }
    if (sev) {
        g_autofree char *stype = vmc_xml_prop(sev, "type");
        if (stype && g_str_equal(stype, "sev"))
            vmc_guest_add_device(g, "sev-guest");
    }
    if (g->arch == VMC_ARCH_N && g->machine)
        vmc_catalog_machine_find(cat, g->machine, NULL, &g->arch);
    if (g->arch == VMC_ARCH_N)
        g->arch = g->cpu ? vmc_cpu_def_get_arch(g->cpu) : VMC_ARCH_X86_64;
    vmc_guest_xml_devices(g, vmc_xml_child(root, "devices"), aliases);
    vmc__guest_virtio_from_xml(g, vmc_xml_child(root, "devices"), file);
    if (!vmc_guest_xml_os(g, root, file, error))
        return NULL;
    if (!vmc_guest_xml_qemu(g, root, file, aliases, error))
        return NULL;
    if (!vmc_guest_finish(g, error))
        return NULL;
    return g_steal_pointer(&g);
}

/* ---- guest JSON ----------------------------------------------------------- */

static VmcGuest *
vmc_guest_parse_json(VmcCatalog *cat, json_object *root, const char *file, GError **error)
{
    g_autoptr(VmcGuest) g = vmc__guest_new(cat, file);
    json_object *fmt = vmc_json_get(root, "format", json_type_int);
    json_object *devices, *props, *cpu;
    const char *s;

    if (!fmt || json_object_get_int(fmt) != 1) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'format': a guest document needs \"format\": 1", file);
        return NULL;
    }
    if ((s = vmc_json_str(root, "name"))) {
        g_free(g->name);
        g->name = g_strdup(s);
    }
    if ((s = vmc_json_str(root, "arch"))) {
        g->arch = vmc_arch_from_string(s);
        if (g->arch == VMC_ARCH_N) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                        "%s: field 'arch': '%s' is not supported (x86_64, s390x)", file, s);
            return NULL;
        }
    }
    g->machine = g_strdup(vmc_json_str(root, "machine"));
    g->platform = g_strdup(vmc_json_str(root, "platform"));
    if (json_object_object_get_ex(root, "os", NULL)) {
        if (!(s = vmc_json_str(root, "os")) || !*s) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field 'os': an osinfo id or short id (\"rhel6.10\")", file);
            return NULL;
        }
        g->os = g_strdup(s);
    }
    if ((s = vmc_json_str(root, "accel"))) {
        g_autofree char *where = g_strdup_printf("%s: field 'accel'", file);
        if (!vmc_guest_set_accel(g, s, where, error))
            return NULL;
    }
    if (g->arch == VMC_ARCH_N && g->machine)
        vmc_catalog_machine_find(cat, g->machine, NULL, &g->arch);
    devices = vmc_json_get(root, "devices", json_type_array);
    for (size_t i = 0; devices && i < json_object_array_length(devices); i++) {
        json_object *d = json_object_array_get_idx(devices, i);
        if (!json_object_is_type(d, json_type_string) || !*json_object_get_string(d)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field 'devices[%zu]': not a device type name", file, i);
            return NULL;
        }
        vmc_guest_add_device(g, json_object_get_string(d));
    }
    props = vmc_json_get(root, "properties", json_type_object);
    if (props) {
        json_object_object_foreach(props, key, val) {
            g_autofree char *where = g_strdup_printf("%s: field 'properties.%s'", file, key);
            g_autofree char *arg = NULL;
            if (!json_object_is_type(val, json_type_string) &&
                !json_object_is_type(val, json_type_boolean) &&
                !json_object_is_type(val, json_type_int)) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: value must be a string, "
                            "boolean or integer", where);
                return NULL;
            }
            arg = g_strdup_printf("%s=%s", key,
                                  json_object_is_type(val, json_type_boolean) ?
                                  (json_object_get_boolean(val) ? "on" : "off") :
                                  json_object_get_string(val));
            if (!vmc_guest_cli_global(g, arg, where, error))
                return NULL;
        }
    }
    cpu = vmc_json_get(root, "cpu", json_type_string);
    if (cpu) {
        g_autofree char *where = g_strdup_printf("%s: field 'cpu'", file);
        if (!vmc_guest_parse_cpu(g, g->arch, json_object_get_string(cpu), where, error))
            return NULL;
    }
    if (!vmc_guest_finish(g, error))
        return NULL;
    return g_steal_pointer(&g);
}

/* ---- entry points ----------------------------------------------------------- */

VmcGuest *
vmc_guest_parse(VmcCatalog *cat, const char *data, gsize len, const char *name,
                GError **error)
{
    const char *p = data;

    g_return_val_if_fail(cat && data && name, NULL);
    while (p < data + len && g_ascii_isspace(*p))
        p++;
    if (p == data + len) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:1: empty input", name);
        return NULL;
    }
    if (len > VMC_MAX_INPUT_SIZE) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT, "%s: larger than %d MiB", name,
                    VMC_MAX_INPUT_SIZE / (1024 * 1024));
        return NULL;
    }
    if (*p == '<') {
        g_autoptr(xmlDoc) doc = vmc_xml_parse(data, len, name, error);
        xmlNode *root;
        if (!doc)
            return NULL;
        root = xmlDocGetRootElement(doc);
        if (!root || !xmlStrEqual(root->name, (const xmlChar *) "domain")) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s:%ld: not a guest (XML root element <%s>); accepted: libvirt <domain> XML, "
                        "guest JSON, a QEMU command line", name,
                        root ? xmlGetLineNo(root) : 1L, root ? (const char *) root->name : "");
            return NULL;
        }
        return vmc_guest_parse_domain(cat, doc, data, len, name, error);
    }
    if (*p == '{' || *p == '[') {
        json_object *root = vmc_json_parse(data, len, name, error);
        VmcGuest *g;
        if (!root)
            return NULL;
        if (!json_object_is_type(root, json_type_object)) {
            json_object_put(root);
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: not a guest: a guest JSON document is an object with \"format\": 1",
                        name);
            return NULL;
        }
        g = vmc_guest_parse_json(cat, root, name, error);
        json_object_put(root);
        return g;
    }
    {
        g_autofree char *text = g_strndup(data, len);
        g_auto(GStrv) argv = NULL;
        g_autoptr(GError) local = NULL;
        /* line continuations as in shell scripts */
        g_autoptr(GString) joined = g_string_new(NULL);
        for (char *c = text; *c; c++) {
            if (c[0] == '\\' && c[1] == '\n') {
                c++;
                continue;
            }
            g_string_append_c(joined, *c == '\n' ? ' ' : *c);
        }
        if (strlen(text) != len) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: binary data (NUL byte) in a command line", name);
            return NULL;
        }
        if (!g_shell_parse_argv(joined->str, NULL, &argv, &local)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: not a guest: expected libvirt <domain> XML, guest JSON or a QEMU "
                        "command line (%s)", name, local->message);
            return NULL;
        }
        return vmc_guest_parse_argv(cat, (const char *const *) argv, name, error);
    }
}

VmcGuest *
vmc_guest_load(VmcCatalog *cat, const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    g_return_val_if_fail(cat && path, NULL);
    if (g_str_equal(path, "-")) {
        g_autoptr(GIOChannel) ch = g_io_channel_unix_new(0);
        if (g_io_channel_set_encoding(ch, NULL, error) != G_IO_STATUS_NORMAL ||
            g_io_channel_read_to_end(ch, &data, &len, error) != G_IO_STATUS_NORMAL)
            return NULL;
        return vmc_guest_parse(cat, data, len, "<stdin>", error);
    }
    if (!vmc_file_read(path, &data, &len, error))
        return NULL;
    return vmc_guest_parse(cat, data, len, path, error);
}

const char *vmc_guest_get_name(const VmcGuest *g) { return g->name; }
VmcArch vmc_guest_get_arch(const VmcGuest *g) { return g->arch; }
const char *vmc_guest_get_machine(const VmcGuest *g) { return g->machine; }
const char *vmc_guest_get_platform(const VmcGuest *g) { return g->platform; }
VmcAccel vmc_guest_get_accel(const VmcGuest *g) { return g->accel; }
const VmcCpuDef *vmc_guest_get_cpu(const VmcGuest *g) { return g->cpu; }
const char *const *vmc_guest_get_devices(const VmcGuest *g) { return (const char *const *) g->devices; }
guint vmc_guest_get_prop_count(const VmcGuest *g) { return g->props->len; }
GPtrArray *vmc_guest_get_notes(const VmcGuest *g) { return g->notes; }

const VmcGuestProp *
vmc_guest_get_prop(const VmcGuest *g, guint idx)
{
    g_return_val_if_fail(g && idx < g->props->len, NULL);
    return &g_array_index(g->props, VmcGuestProp, idx);
}
