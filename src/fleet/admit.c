/* admit.c: would a host lower the baseline of the hosts it joins
 * (`fleet admit`), and the one-vendor check that explains a selection with
 * no common CPU (admit's selection, `fleet baseline`).
 *
 * The answer is the single-host rule twice: vmc_fleet_baseline of the
 * selection (once per kind), then vmc_cpu_baseline of that and the host's
 * host-model; the lost features are the difference of their effective
 * features. A host of another arch or CPU vendor has no CPU in common with
 * the selection: that is an answer (it cannot join, and why), not an error.
 *
 * Workload: one call per question; the selection's baseline dominates
 * (a few hundred kinds), the rest is one pair baseline.
 */
#include "fleet/fleet-private.h"
#include "fleet/answers-private.h"

#include <vmcompat/cpu-ops.h>
#include <vmcompat/error.h>

/* ---- one vendor ---------------------------------------------------------- */

/* The --where that selects @v within @where: vendor=V, or arch=A for
 * kinds with no vendor (transfer full). */
static char *
vmc_admit_vendor_where(const char *where, const VmcFleetVendor *v)
{
    g_autofree char *sel = v->vendor ? g_strdup_printf("vendor=%s", v->vendor)
                                     : g_strdup_printf("arch=%s", v->arch);

    if (where && *where)
        return g_strdup_printf("--where %s,%s", where, sel);
    return g_strdup_printf("--where %s", sel);
}

gboolean
vmc_fleet_check_one_vendor(VmcFleet *fleet, const char *where, GError **error)
{
    g_autoptr(GArray) vendors = NULL;
    g_autoptr(GString) list = NULL;
    g_autoptr(GString) narrow = NULL;
    gboolean arches = FALSE;
    guint hosts = 0;

    g_return_val_if_fail(fleet != NULL, FALSE);
    if (!(vendors = vmc_fleet_vendors(fleet, where, error)))
        return FALSE;
    if (vendors->len <= 1)
        return TRUE;
    list = g_string_new(NULL);
    narrow = g_string_new(NULL);
    for (guint i = 0; i < vendors->len; i++) {
        const VmcFleetVendor *v = &g_array_index(vendors, VmcFleetVendor, i);
        arches = arches || !g_str_equal(v->arch, g_array_index(vendors, VmcFleetVendor, 0).arch);
        hosts += v->n_hosts;
    }
    for (guint i = 0; i < vendors->len; i++) {
        const VmcFleetVendor *v = &g_array_index(vendors, VmcFleetVendor, i);
        g_autofree char *sel = vmc_admit_vendor_where(where, v);
        if (i)
            g_string_append(list, ", ");
        if (arches)
            g_string_append_printf(list, "%s%s%s", v->arch, v->vendor ? " " : "",
                                   v->vendor ? v->vendor : "");
        else
            g_string_append(list, v->vendor ? v->vendor : "no vendor");
        g_string_append_printf(list, " (%u host%s)", v->n_hosts, v->n_hosts == 1 ? "" : "s");
        g_string_append_printf(narrow, "%s%s", i == 0 ? "" : i + 1 < vendors->len ? ", " : " or ",
                               sel);
    }
    if (arches)
        g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                    "the %u hosts%s%s have no common CPU: they mix architectures — %s; narrow them with %s",
                    hosts, where ? " where " : "", where ? where : "", list->str, narrow->str);
    else
        g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                    "the %u hosts%s%s have no common CPU: they mix CPU vendors — %s; narrow them with %s",
                    hosts, where ? " where " : "", where ? where : "", list->str, narrow->str);
    return FALSE;
}

/* ---- admit ----------------------------------------------------------------- */

void
vmc_fleet_admit_clear(VmcFleetAdmit *a)
{
    if (!a)
        return;
    g_clear_pointer(&a->before, vmc_cpu_def_unref);
    g_clear_pointer(&a->after, vmc_cpu_def_unref);
    g_clear_pointer(&a->lost, g_ptr_array_unref);
    g_clear_pointer(&a->refusal, g_free);
}

/* Why a CPU of @mine cannot join hosts whose baseline is @before, or NULL
 * (transfer full). */
static char *
vmc_admit_refusal(const VmcCpuDef *before, const VmcCpuDef *mine, guint n_hosts)
{
    VmcArch ab = vmc_cpu_def_get_arch(before), am = vmc_cpu_def_get_arch(mine);
    const char *vb = vmc_cpu_def_get_vendor(before), *vm = vmc_cpu_def_get_vendor(mine);

    if (ab != am)
        return g_strdup_printf(
            "its architecture is %s, the %u hosts' is %s: no guest can move between them",
            vmc_arch_to_string(am), n_hosts, vmc_arch_to_string(ab));
    if (vb && vm && !g_str_equal(vb, vm))
        return g_strdup_printf(
            "its CPU vendor is %s, the %u hosts' is %s: no CPU model runs on both",
            vm, n_hosts, vb);
    return NULL;
}

gboolean
vmc_fleet_admit(VmcFleet *fleet, const VmcHost *host, const char *where, VmcFleetAdmit *ret,
                GError **error)
{
    g_autoptr(VmcCpuDef) before = NULL, mine = NULL, after = NULL;
    g_autoptr(GPtrArray) lost = NULL;
    g_autoptr(GError) local = NULL;
    g_autofree char *refusal = NULL;
    guint n_hosts = 0;

    g_return_val_if_fail(fleet && host && ret, FALSE);
    /* the selection's baseline (a vendor mix is explained there) */
    if (!(before = vmc_fleet_baseline(fleet, where, FALSE, &n_hosts, error)) ||
        !(mine = vmc_host_model(host, NULL, error)))
        return FALSE;
    lost = g_ptr_array_new_with_free_func(g_free);
    if (!(refusal = vmc_admit_refusal(before, mine, n_hosts))) {
        VmcCpuDef *pair[2] = { before, mine };
        after = vmc_cpu_baseline(pair, 2, NULL, VMC_BASELINE_MIGRATABLE, &local);
        if (!after && !g_error_matches(local, VMC_ERROR, VMC_ERROR_INCOMPATIBLE)) {
            g_propagate_error(error, g_steal_pointer(&local));
            return FALSE;
        }
        /* no common CPU for another reason than arch or vendor: say it */
        if (!after)
            refusal = g_strdup(local->message);
    }
    if (after) {
        g_clear_pointer(&lost, g_ptr_array_unref);
        if (!(lost = vmc__fleet_features_lost(fleet->cat, before, after, error)))
            return FALSE;
    }
    ret->n_hosts = n_hosts;
    ret->before = g_steal_pointer(&before);
    ret->after = g_steal_pointer(&after);
    ret->lost = g_steal_pointer(&lost);
    ret->refusal = g_steal_pointer(&refusal);
    return TRUE;
}
