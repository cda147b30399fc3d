/* compat.c: are two hosts compatible (seed 004: "mgmt app can use
 * query-platforms to validate two hosts are compatible")?
 *
 * The answer is made of single-host rules only: the platforms each host
 * supports (vmc_host_query_platforms), the machine types both QEMUs offer,
 * the baseline of their host-models (vmc_cpu_baseline), and three guests
 * run through resolution and the migration check both ways
 * (vmc_guest_resolve, vmc_migrate_check): a guest with A's defaults, one
 * with B's, and the *common* guest — newest common platform, newest common
 * q35/s390-ccw machine type, baseline CPU — which moves both ways whenever
 * the hosts are compatible at all.
 */
#include "fleet/fleet-private.h"
#include "fleet/answers-private.h"

#include <string.h>

#include <vmcompat/cpu-ops.h>
#include <vmcompat/error.h>
#include <vmcompat/machine.h>
#include <vmcompat/migrate.h>

void
vmc_host_compat_free(VmcHostCompat *c)
{
    if (!c)
        return;
    g_clear_pointer(&c->platforms, g_ptr_array_unref);
    g_free(c->platform);
    g_clear_pointer(&c->machine_types, g_ptr_array_unref);
    g_free(c->machine);
    g_clear_pointer(&c->baseline, vmc_cpu_def_unref);
    g_free(c->baseline_error);
    for (guint i = 0; i < G_N_ELEMENTS(c->moves); i++) {
        g_free(c->moves[i].what);
        g_clear_pointer(&c->moves[i].verdict, vmc_verdict_unref);
    }
    g_free(c);
}

/* The newest machine type of the default family among @names, by the
 * catalog's release order. */
char *
vmc__fleet_newest_machine(VmcCatalog *cat, VmcArch arch, GPtrArray *names)
{
    const char *family = arch == VMC_ARCH_S390X ? "s390-ccw-virtio" : "pc-q35";
    const VmcMachineType *best = NULL;

    for (guint i = 0; i < names->len; i++) {
        const VmcMachineType *mt = vmc_catalog_machine_lookup(cat, arch, g_ptr_array_index(names, i), NULL);
        if (!mt || !g_str_equal(vmc_machine_type_get_family(mt), family))
            continue;
        if (!best || vmc_release_compare(vmc_machine_type_get_since(mt), vmc_machine_type_get_since(best)) > 0)
            best = mt;
    }
    return best ? g_strdup(vmc_machine_type_get_name(best)) : NULL;
}

#define VMC_QEMU_NS "http://libvirt.org/schemas/domain/qemu/1.0"

char *
vmc__fleet_domain_xml(VmcArch arch, const char *machine, const char *cpu_xml, const char *platform)
{
    GString *x = g_string_new(NULL);
    g_string_append_printf(x, "<domain type='kvm' xmlns:qemu='%s'>\n  <name>compat-guest</name>\n"
                           "  <os><type arch='%s' machine='%s'>hvm</type></os>\n%s",
                           VMC_QEMU_NS, vmc_arch_to_string(arch), machine, cpu_xml);
    if (platform)
        g_string_append_printf(x, "  <qemu:commandline><qemu:arg value='-platform'/>"
                               "<qemu:arg value='%s'/></qemu:commandline>\n", platform);
    g_string_append(x, "</domain>\n");
    return g_string_free(x, FALSE);
}

char *
vmc__fleet_default_domain_xml(VmcArch arch)
{
    return vmc__fleet_domain_xml(arch, arch == VMC_ARCH_S390X ? "s390-ccw-virtio" : "q35",
                                 "  <cpu mode='host-model'/>\n", NULL);
}

/* Resolve @xml on @from (*ret_abi), then migrate-check it to @to. */
static VmcVerdict *
vmc_compat_move(VmcCatalog *cat, const char *xml, const VmcHost *from, const VmcHost *to,
                VmcAbi **ret_abi)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcGuest) g = vmc_guest_parse(cat, xml, strlen(xml), "compat-guest", &error);
    g_autoptr(VmcAbi) abi = g ? vmc_guest_resolve(cat, g, from, NULL, &error) : NULL;
    VmcVerdict *v;

    if (abi) {
        v = vmc_migrate_check(abi, from, to, VMC_CPU_CHECK_DEFAULT);
        if (ret_abi)
            *ret_abi = g_steal_pointer(&abi);
        return v;
    }
    v = vmc_verdict_new();
    vmc_verdict_add(v, VMC_SEVERITY_ERROR, "unresolvable", vmc_host_get_name(from),
                    "the guest cannot even start on %s: %s", vmc_host_get_name(from), error->message);
    return v;
}

VmcHostCompat *
vmc_host_compat(VmcCatalog *cat, const VmcHost *a, const VmcHost *b, GError **error)
{
    g_autoptr(VmcHostCompat) c = g_new0(VmcHostCompat, 1);
    g_autoptr(GArray) pa = NULL, pb = NULL;
    g_autoptr(GHashTable) in_b = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *mta = vmc_host_get_machine_types(a), *mtb = vmc_host_get_machine_types(b);
    VmcArch arch = vmc_host_get_arch(a);
    const VmcPlatform *da = vmc_host_default_platform(a, cat), *db = vmc_host_default_platform(b, cat);

    if (arch != vmc_host_get_arch(b)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE, "%s is %s, %s is %s: no guest moves "
                    "between them", vmc_host_get_name(a), vmc_arch_to_string(arch),
                    vmc_host_get_name(b), vmc_arch_to_string(vmc_host_get_arch(b)));
        return NULL;
    }
    /* platforms both support, in catalog order; the newest is the pair's default */
    c->platforms = g_ptr_array_new_with_free_func(g_free);
    pa = vmc_host_query_platforms(a, cat);
    pb = vmc_host_query_platforms(b, cat);
    for (guint i = 0; i < pa->len && i < pb->len; i++) {
        VmcHostPlatform *ra = &g_array_index(pa, VmcHostPlatform, i);
        VmcHostPlatform *rb = &g_array_index(pb, VmcHostPlatform, i);
        if (ra->supported && rb->supported && ra->platform == rb->platform)
            g_ptr_array_add(c->platforms, g_strdup(vmc_platform_get_name(ra->platform)));
    }
    for (guint i = 0; i < pa->len; i++)
        vmc_host_platform_clear(&g_array_index(pa, VmcHostPlatform, i));
    for (guint i = 0; i < pb->len; i++)
        vmc_host_platform_clear(&g_array_index(pb, VmcHostPlatform, i));
    /* the newest common platform not newer than either default */
    for (guint i = 0; i < c->platforms->len; i++) {
        const char *p = g_ptr_array_index(c->platforms, i);
        g_free(c->platform);
        c->platform = g_strdup(p);
        if ((da && g_str_equal(p, vmc_platform_get_name(da))) ||
            (db && g_str_equal(p, vmc_platform_get_name(db))))
            break;
    }
    c->machine_types = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; mtb && i < mtb->len; i++)
        g_hash_table_add(in_b, g_ptr_array_index(mtb, i));
    for (guint i = 0; mta && i < mta->len; i++)
        if (g_hash_table_contains(in_b, g_ptr_array_index(mta, i)))
            g_ptr_array_add(c->machine_types, g_strdup(g_ptr_array_index(mta, i)));
    c->machine = vmc__fleet_newest_machine(cat, arch, c->machine_types);
    /* a guest with each host's defaults (q35 / s390-ccw-virtio, host-model CPU,
     * default platform), resolved there: the CPU its QEMU really presents */
    {
        const char *family = arch == VMC_ARCH_S390X ? "s390-ccw-virtio" : "q35";
        g_autofree char *xml = vmc__fleet_default_domain_xml(arch);
        g_autoptr(VmcAbi) abi_a = NULL, abi_b = NULL;
        c->moves[0].what = g_strdup_printf("a guest with %s's defaults (%s, host-model CPU, default "
                                           "platform) from %s to %s", vmc_host_get_name(a), family,
                                           vmc_host_get_name(a), vmc_host_get_name(b));
        c->moves[0].verdict = vmc_compat_move(cat, xml, a, b, &abi_a);
        c->moves[1].what = g_strdup_printf("a guest with %s's defaults from %s to %s",
                                           vmc_host_get_name(b), vmc_host_get_name(b),
                                           vmc_host_get_name(a));
        c->moves[1].verdict = vmc_compat_move(cat, xml, b, a, &abi_b);
        if (abi_a && abi_b) {
            VmcCpuDef *pair[2] = { (VmcCpuDef *) vmc_abi_get_cpu_updated(abi_a),
                                   (VmcCpuDef *) vmc_abi_get_cpu_updated(abi_b) };
            g_autoptr(GError) local = NULL;
            c->baseline = vmc_cpu_baseline(pair, 2, NULL, VMC_BASELINE_MIGRATABLE, &local);
            if (!c->baseline)
                c->baseline_error = g_strdup(local->message);
        } else {
            c->baseline_error = g_strdup("a host-model guest does not start on both hosts");
        }
    }
    /* the common guest, both ways */
    {
        g_autofree char *cpu = c->baseline ? vmc_cpu_def_format_xml(c->baseline, VMC_CPU_FORMAT_DEFAULT) : NULL;
        g_autofree char *xml = vmc__fleet_domain_xml(arch, c->machine ? c->machine : "q35",
                                              cpu ? cpu : "", c->platform);
        c->moves[2].what = g_strdup_printf("the common guest (%s, platform %s, baseline CPU) from %s to %s",
                                           c->machine ? c->machine : "no common machine type",
                                           c->platform ? c->platform : "none", vmc_host_get_name(a),
                                           vmc_host_get_name(b));
        c->moves[3].what = g_strdup_printf("the common guest from %s to %s", vmc_host_get_name(b),
                                           vmc_host_get_name(a));
        if (!c->baseline || !c->machine) {
            for (guint i = 2; i < 4; i++) {
                c->moves[i].verdict = vmc_verdict_new();
                vmc_verdict_add(c->moves[i].verdict, VMC_SEVERITY_ERROR, "no-common-guest", NULL,
                                "%s", !c->machine ? "the hosts' QEMUs share no machine type" :
                                c->baseline_error);
            }
        } else {
            c->moves[2].verdict = vmc_compat_move(cat, xml, a, b, NULL);
            c->moves[3].verdict = vmc_compat_move(cat, xml, b, a, NULL);
        }
    }
    return g_steal_pointer(&c);
}
