/* upgrade.c: what an upgrade of some hosts does to the recorded guests.
 *
 * The selected hosts' kinds are replaced by their upgraded documents — the
 * same document with another QEMU release (its version and the machine
 * types that release registers, from the catalog), with another mainline
 * kernel (vmc_host_with_kernel: its kernel-dependent capabilities from the
 * data), or a whole new host document (--as) — and every recorded guest
 * is checked, with the single-host rule (vmc_abi_check_mode), on its own
 * host before and after and on every kind: a guest that cannot restart
 * where it runs, one left with no host at all (stranded), one losing more
 * than half its targets.
 *
 * A guest whose own host is upgraded is also resolved again there
 * (vmc_guest_resolve of the definition its ABI records, vmc_abi_to_guest):
 * the ABI a restart would give it, and what differs (vmc_abi_diff). A
 * platform the guest named ("platform-named") is kept; for ABIs written
 * before vmcompat recorded that, a recorded platform other than the
 * default of its host (before the upgrade) was named — resolution picks
 * the default otherwise. Any other platform becomes the upgraded host's
 * default. docs/fleet.md.
 *
 * Workload: the target counts are requirement vectors (vectors.c) over
 * every kind before and after — each distinct vector once; one check and
 * one resolution per guest on an upgraded host.
 */
#include "fleet/fleet-private.h"

#include <string.h>

#include "host/host-doc.h"
#include "host/host-kernel-private.h"
#include <vmcompat/error.h>
#include <vmcompat/machine.h>
#include <vmcompat/platform.h>

void
vmc_fleet_impact_clear(VmcFleetImpact *i)
{
    g_free(i->guest);
    g_free(i->host);
    g_clear_pointer(&i->restart, vmc_verdict_unref);
    g_clear_pointer(&i->restart_abi, vmc_abi_unref);
    g_clear_pointer(&i->restart_error, g_free);
    g_clear_pointer(&i->restart_changes, g_array_unref);
}

/* The kind's document as QEMU @rel would make it: version and machine types. */
static VmcHost *
vmc_upgrade_release(VmcFleet *fleet, const VmcHost *host, const VmcRelease *rel, GError **error)
{
    json_object *doc = vmc__host_document(host);
    json_object *qemu = NULL, *mts;
    g_autofree char *version = g_strdup_printf("%u.%u.0", rel->major, rel->minor);
    VmcArch arch = vmc_host_get_arch(host);
    VmcHost *out;

    if (!json_object_object_get_ex(doc, "qemu", &qemu) || !json_object_is_type(qemu, json_type_object)) {
        qemu = json_object_new_object();
        json_object_object_add(doc, "qemu", qemu);
    }
    json_object_object_add(qemu, "version", json_object_new_string(version));
    mts = json_object_new_array();
    for (guint i = 0; i < vmc_catalog_machine_count(fleet->cat, arch); i++) {
        const VmcMachineType *mt = vmc_catalog_machine(fleet->cat, arch, i);
        VmcMachineStatus st = vmc_machine_type_status(mt, rel);
        if (st == VMC_MACHINE_SUPPORTED || st == VMC_MACHINE_DEPRECATED)
            json_object_array_add(mts, json_object_new_string(vmc_machine_type_get_name(mt)));
    }
    json_object_object_add(qemu, "machine_types", mts);
    json_object_object_del(doc, "qmp");   /* answers of the old QEMU */
    out = vmc__host_from_document(fleet->cat, doc, vmc_host_get_name(host), error);
    json_object_put(doc);
    return out;
}

typedef struct {
    VmcFleet *fleet;
    VmcCpuCheck mode;
    GHashTable *all;         /* kind → hosts */
    GHashTable *sel;         /* kind → selected hosts */
    GHashTable *upgraded;    /* kind → VmcHost* after */
    GHashTable *up_views;    /* kind → VmcHostView* of it */
    GHashTable *selected;    /* host name → TRUE */
    GArray *kinds;           /* gint64: u->all's kinds; a kind's view slot is its index,
                              * its upgraded view's kinds->len + index */
    VmcFleetVectors *vs;     /* the guests' requirement vectors under @mode */
    GHashTable *fp_vector;   /* ABI fingerprint → vector id + 1 */
    GArray *counts;          /* guint pairs per vector id: hosts before, after; G_MAXUINT: not yet */
    GArray *rows;
    GError *error;
} VmcUpgrade;

/* Hosts that can run vector @id before and after the upgrade: each kind's
 * hosts that are not upgraded judged on the kind, the upgraded ones on its
 * upgraded document (vmc_abi_check_mode's verdict, through the vector). */
static gboolean
vmc_upgrade_targets(VmcUpgrade *u, guint id, guint *before, guint *after)
{
    guint need = 2 * (id + 1);

    while (u->counts->len < need) {
        guint unknown = G_MAXUINT;
        g_array_append_val(u->counts, unknown);
    }
    if (g_array_index(u->counts, guint, 2 * id) == G_MAXUINT) {
        guint nb = 0, na = 0;
        for (guint i = 0; i < u->kinds->len; i++) {
            gint64 kind = g_array_index(u->kinds, gint64, i);
            guint total = GPOINTER_TO_UINT(g_hash_table_lookup(u->all, &kind));
            guint moved = GPOINTER_TO_UINT(g_hash_table_lookup(u->sel, &kind));
            VmcHostView *view = vmc__fleet_kind_view(u->fleet, kind, &u->error);
            gboolean met = FALSE;
            if (!view || !vmc__fleet_vectors_met(u->vs, id, view, i, &met, &u->error))
                return FALSE;
            if (met) {
                nb += total;
                na += total - MIN(moved, total);
            }
            if (moved) {
                if (!vmc__fleet_vectors_met(u->vs, id, g_hash_table_lookup(u->up_views, &kind),
                                            u->kinds->len + i, &met, &u->error))
                    return FALSE;
                if (met)
                    na += moved;
            }
        }
        g_array_index(u->counts, guint, 2 * id) = nb;
        g_array_index(u->counts, guint, 2 * id + 1) = na;
    }
    *before = g_array_index(u->counts, guint, 2 * id);
    *after = g_array_index(u->counts, guint, 2 * id + 1);
    return TRUE;
}

/* The ABI @abi's guest gets when restarted on @up, the upgraded document
 * of kind @kind: its recorded definition, the platform kept only when it
 * is not the kind's default before the upgrade (header comment), resolved
 * there. A guest that does not resolve is an answer (restart_error), not
 * a failure; FALSE (u->error) only when the ABI cannot be read back. */
static gboolean
vmc_upgrade_restart(VmcUpgrade *u, const VmcAbi *abi, gint64 kind, const VmcHost *up,
                    VmcFleetImpact *row)
{
    const VmcHost *before = vmc__fleet_kind_host(u->fleet, kind, &u->error);
    const VmcPlatform *def;
    const char *platform = vmc_abi_get_platform(abi);
    g_autoptr(VmcGuest) guest = NULL;
    g_autoptr(GError) local = NULL;

    if (!before)
        return FALSE;
    def = vmc_host_default_platform(before, u->fleet->cat);
    /* named (recorded since vmcompat records it), or — an older ABI — not
     * its host's default, which only a guest naming it gets */
    row->restart_platform_kept = platform &&
                                 (vmc_abi_get_platform_named(abi) ||
                                  !(def && g_str_equal(platform, vmc_platform_get_name(def))));
    guest = vmc_abi_to_guest(u->fleet->cat, abi, row->restart_platform_kept ?
                             VMC_ABI_GUEST_DEFAULT : VMC_ABI_GUEST_HOST_PLATFORM, &u->error);
    if (!guest)
        return FALSE;
    row->restart_abi = vmc_guest_resolve(u->fleet->cat, guest, up, NULL, &local);
    if (row->restart_abi)
        row->restart_changes = vmc_abi_diff(abi, row->restart_abi);
    else
        row->restart_error = g_strdup(local->message);
    return TRUE;
}

static gboolean
vmc_upgrade_guest(const char *name, const char *abi_doc, const char *abi_fp, const char *host,
                  gpointer data)
{
    VmcUpgrade *u = data;
    g_autoptr(VmcAbi) abi = NULL;
    VmcFleetImpact row = { 0 };
    gboolean upgraded = host && g_hash_table_contains(u->selected, host);
    guint id = GPOINTER_TO_UINT(g_hash_table_lookup(u->fp_vector, abi_fp));
    gint64 kind;

    /* the ABI document is read once per distinct ABI, and for every guest
     * whose host is upgraded (its restart) */
    if ((!id || upgraded) &&
        !(abi = vmc_abi_parse(u->fleet->cat, abi_doc, strlen(abi_doc), name, &u->error)))
        return FALSE;
    if (!id) {
        g_autofree char *vector = vmc__abi_vector(abi, u->mode);
        id = vmc__fleet_vectors_add(u->vs, vector) + 1;
        g_hash_table_insert(u->fp_vector, g_strdup(abi_fp), GUINT_TO_POINTER(id));
    }
    if (!vmc_upgrade_targets(u, id - 1, &row.before, &row.after))
        return FALSE;
    row.guest = g_strdup(name);
    row.host = g_strdup(host);
    if (upgraded && vmc__fleet_host_kind(u->fleet, host, &kind, NULL)) {
        const VmcHost *up = g_hash_table_lookup(u->upgraded, &kind);
        row.restart = vmc_abi_check_mode(abi, up, u->mode);
        if (!vmc_upgrade_restart(u, abi, kind, up, &row)) {
            vmc_fleet_impact_clear(&row);
            return FALSE;
        }
    }
    row.stranded = row.before > 0 && row.after == 0;
    row.loses_most = row.after * 2 < row.before;
    if (row.restart || row.after != row.before)
        g_array_append_val(u->rows, row);
    else
        vmc_fleet_impact_clear(&row);
    return TRUE;
}

/* The upgraded document of a kind's host @h. */
static VmcHost *
vmc_upgrade_host(VmcFleet *fleet, const VmcHost *h, const VmcFleetUpgradeOptions *opts,
                 GError **error)
{
    if (opts->as)
        return vmc_host_ref((VmcHost *) opts->as);
    if (opts->to_kernel)
        return vmc_host_with_kernel(fleet->cat, h, opts->to_kernel, error);
    return vmc_upgrade_release(fleet, h, opts->to_release, error);
}

GArray *
vmc_fleet_upgrade_impact_opts(VmcFleet *fleet, const char *hosts,
                              const VmcFleetUpgradeOptions *opts, guint *ret_hosts, GError **error)
{
    VmcUpgrade u = { .fleet = fleet };
    g_autoptr(GArray) sel_hosts = NULL;
    GHashTableIter it;
    gpointer k, v;
    GArray *rows = NULL;
    guint kernel[3];

    g_return_val_if_fail(fleet != NULL && opts != NULL, NULL);
    g_return_val_if_fail(opts->version == VMC_FLEET_UPGRADE_OPTIONS_VERSION, NULL);
    g_return_val_if_fail((opts->to_release != NULL) + (opts->to_kernel != NULL) +
                         (opts->as != NULL) == 1, NULL);
    u.mode = opts->mode;
    if (!hosts || !*hosts) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "--hosts: which hosts are upgraded "
                    "(cluster=C, host=GLOB, ...)");
        return NULL;
    }
    if (opts->to_kernel && !vmc__kernel_release_parse(opts->to_kernel, kernel, error))
        return NULL;
    if (!(u.all = vmc__fleet_kind_counts(fleet, NULL, NULL, error)) ||
        !(u.sel = vmc__fleet_kind_counts(fleet, hosts, NULL, error)) ||
        !(sel_hosts = vmc_fleet_hosts(fleet, hosts, error)))
        goto out;
    u.upgraded = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) vmc_host_unref);
    u.up_views = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                       (GDestroyNotify) vmc__host_view_free);
    u.kinds = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_hash_table_iter_init(&it, u.all);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_array_append_val(u.kinds, *(gint64 *) k);
    u.vs = vmc__fleet_vectors_new();
    u.fp_vector = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    u.counts = g_array_new(FALSE, FALSE, sizeof(guint));
    u.selected = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < sel_hosts->len; i++)
        g_hash_table_add(u.selected, g_strdup(g_array_index(sel_hosts, VmcFleetHost, i).name));
    if (ret_hosts)
        *ret_hosts = sel_hosts->len;
    g_hash_table_iter_init(&it, u.sel);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        gint64 *key = g_new(gint64, 1);
        const VmcHost *h;
        VmcHost *up;
        *key = *(gint64 *) k;
        if (!(h = vmc__fleet_kind_host(fleet, *key, error)) ||
            !(up = vmc_upgrade_host(fleet, h, opts, error))) {
            g_free(key);
            goto out;
        }
        g_hash_table_insert(u.upgraded, key, up);
        g_hash_table_insert(u.up_views, g_memdup2(key, sizeof(gint64)), vmc__host_view_new(fleet->cat, up));
    }
    u.rows = g_array_new(FALSE, TRUE, sizeof(VmcFleetImpact));
    g_array_set_clear_func(u.rows, (GDestroyNotify) vmc_fleet_impact_clear);
    if (!vmc__fleet_foreach_guest(fleet, vmc_upgrade_guest, &u, error) || u.error) {
        if (u.error)
            g_propagate_error(error, u.error);
        g_array_unref(u.rows);
        goto out;
    }
    rows = u.rows;
out:
    g_clear_pointer(&u.all, g_hash_table_unref);
    g_clear_pointer(&u.sel, g_hash_table_unref);
    g_clear_pointer(&u.upgraded, g_hash_table_unref);
    g_clear_pointer(&u.up_views, g_hash_table_unref);
    g_clear_pointer(&u.kinds, g_array_unref);
    g_clear_pointer(&u.vs, vmc__fleet_vectors_free);
    g_clear_pointer(&u.fp_vector, g_hash_table_unref);
    g_clear_pointer(&u.counts, g_array_unref);
    g_clear_pointer(&u.selected, g_hash_table_unref);
    return rows;
}

GArray *
vmc_fleet_upgrade_impact(VmcFleet *fleet, const char *hosts, const VmcRelease *to_release,
                         const VmcHost *as, VmcCpuCheck mode, guint *ret_hosts, GError **error)
{
    VmcFleetUpgradeOptions opts = VMC_FLEET_UPGRADE_OPTIONS_INIT;

    g_return_val_if_fail((to_release != NULL) != (as != NULL), NULL);
    opts.to_release = to_release;
    opts.as = as;
    opts.mode = mode;
    return vmc_fleet_upgrade_impact_opts(fleet, hosts, &opts, ret_hosts, error);
}
