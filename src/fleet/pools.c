/* pools.c: migration pools ("these 3,200 guests move freely among these
 * 41,000 hosts"), two-host compatibility (seed 004), upgrade impact.
 *
 * A pool is the set of recorded guest ABIs that can run on exactly the same
 * host kinds (vmc_abi_check_mode per ABI × kind, memoised): within a pool
 * every guest can go to every host. Per pool: its baseline CPU (the kinds'
 * host-models), the machine types every kind offers, the newest platform
 * every kind supports, and the *limiting kinds* — kinds whose removal would
 * raise the baseline, with the features dropping them would gain.
 */
#include "fleet/fleet-private.h"
#include "fleet/answers-private.h"

#include <string.h>

#include <vmcompat/cpu-ops.h>
#include <vmcompat/error.h>
#include <vmcompat/migrate.h>

#include "base/util.h"

void
vmc_fleet_pool_clear(VmcFleetPool *p)
{
    g_clear_pointer(&p->guests, g_ptr_array_unref);
    g_clear_pointer(&p->kinds, g_array_unref);
    g_clear_pointer(&p->baseline, vmc_cpu_def_unref);
    g_clear_pointer(&p->machine_types, g_ptr_array_unref);
    g_free(p->machine);
    g_free(p->platform);
    g_clear_pointer(&p->limiting, g_array_unref);
}

static void
vmc_limit_clear(gpointer p)
{
    VmcFleetLimit *l = p;
    g_clear_pointer(&l->gains, g_ptr_array_unref);
}

typedef struct {
    VmcFleet *fleet;
    VmcCpuCheck mode;
    GArray *kind_ids;        /* gint64, sorted */
    GHashTable *kind_hosts;  /* id → n hosts */
    GHashTable *by_abi;      /* abi fingerprint → GString key of runnable kinds */
    GHashTable *pools;       /* kinds key → VmcFleetPool* (index into rows) */
    GArray *rows;            /* VmcFleetPool */
    GError *error;
} VmcPoolBuild;

static void
vmc_gstring_free(gpointer s)
{
    g_string_free(s, TRUE);
}

static gboolean
vmc_pool_guest(const char *name, const char *abi_doc, const char *abi_fp, const char *host,
               gpointer data)
{
    VmcPoolBuild *b = data;
    GString *key = g_hash_table_lookup(b->by_abi, abi_fp);
    VmcFleetPool *pool;
    gpointer idx;

    if (!key) {
        g_autoptr(VmcAbi) abi = vmc_abi_parse(b->fleet->cat, abi_doc, strlen(abi_doc), name, &b->error);
        if (!abi)
            return FALSE;
        key = g_string_new(NULL);
        for (guint i = 0; i < b->kind_ids->len; i++) {
            gint64 kind = g_array_index(b->kind_ids, gint64, i);
            const VmcHost *h = vmc__fleet_kind_host(b->fleet, kind, &b->error);
            g_autoptr(VmcVerdict) v = NULL;
            if (!h) {
                g_string_free(key, TRUE);
                return FALSE;
            }
            v = vmc_abi_check_mode(abi, h, b->mode);
            if (vmc_verdict_ok(v))
                g_string_append_printf(key, "%" G_GINT64_FORMAT ",", kind);
        }
        g_hash_table_insert(b->by_abi, g_strdup(abi_fp), key);
    }
    idx = g_hash_table_lookup(b->pools, key->str);
    if (!idx) {
        VmcFleetPool p = { 0 };
        g_auto(GStrv) ids = g_strsplit(key->str, ",", -1);
        p.guests = g_ptr_array_new_with_free_func(g_free);
        p.kinds = g_array_new(FALSE, FALSE, sizeof(gint64));
        for (char **s = ids; *s && **s; s++) {
            gint64 k = g_ascii_strtoll(*s, NULL, 10);
            g_array_append_val(p.kinds, k);
            p.n_hosts += GPOINTER_TO_UINT(g_hash_table_lookup(b->kind_hosts, &k));
        }
        g_array_append_val(b->rows, p);
        idx = GUINT_TO_POINTER(b->rows->len);
        g_hash_table_insert(b->pools, g_strdup(key->str), idx);
    }
    pool = &g_array_index(b->rows, VmcFleetPool, GPOINTER_TO_UINT(idx) - 1);
    g_ptr_array_add(pool->guests, g_strdup(name));
    (void) host;
    return TRUE;
}

/* Features of @b that @a lacks (transfer full), by name. */
static GPtrArray *
vmc_pool_gains(VmcCatalog *cat, const VmcCpuDef *a, const VmcCpuDef *b)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    VmcFeatureSet fa, fb;
    VmcArch arch = vmc_cpu_def_get_arch(a);

    if (!vmc_cpu_effective_features(a, &fa, NULL) || !vmc_cpu_effective_features(b, &fb, NULL))
        return out;
    for (guint id = 0; id < vmc_catalog_feature_count(cat, arch); id++)
        if (vmc_feature_set_has(&fb, id) && !vmc_feature_set_has(&fa, id))
            g_ptr_array_add(out, g_strdup(vmc_feature_get_name(vmc_catalog_feature(cat, arch, id))));
    return out;
}

static gint
vmc_limit_cmp(gconstpointer a, gconstpointer b)
{
    const VmcFleetLimit *x = a, *y = b;
    if (x->gains->len != y->gains->len)
        return x->gains->len > y->gains->len ? -1 : 1;
    return x->n_hosts < y->n_hosts ? -1 : x->n_hosts > y->n_hosts;
}

/* Baseline, machine types, platform and limiting kinds of one pool. */
static gboolean
vmc_pool_describe(VmcFleet *fleet, VmcFleetPool *p, GHashTable *kind_hosts, GError **error)
{
    g_autoptr(GHashTable) mts = NULL;
    g_autoptr(GArray) first = NULL;     /* the first kind's platform rows */
    gint best = G_MAXINT;

    p->limiting = g_array_new(FALSE, TRUE, sizeof(VmcFleetLimit));
    g_array_set_clear_func(p->limiting, vmc_limit_clear);
    p->machine_types = g_ptr_array_new_with_free_func(g_free);
    if (p->kinds->len == 0)
        return TRUE;
    for (guint i = 0; i < p->kinds->len; i++) {
        gint64 k = g_array_index(p->kinds, gint64, i);
        const VmcHost *h = vmc__fleet_kind_host(fleet, k, error);
        GPtrArray *hm;
        g_autoptr(GHashTable) mine = g_hash_table_new(g_str_hash, g_str_equal);
        GArray *plats;
        gint newest = -1;
        if (!h)
            return FALSE;
        hm = vmc_host_get_machine_types(h);
        for (guint j = 0; hm && j < hm->len; j++)
            g_hash_table_add(mine, g_ptr_array_index(hm, j));
        if (!mts) {
            mts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            for (guint j = 0; hm && j < hm->len; j++)
                g_hash_table_add(mts, g_strdup(g_ptr_array_index(hm, j)));
        } else {
            GHashTableIter it;
            gpointer name;
            g_hash_table_iter_init(&it, mts);
            while (g_hash_table_iter_next(&it, &name, NULL))
                if (!g_hash_table_contains(mine, name))
                    g_hash_table_iter_remove(&it);
        }
        /* the newest platform every kind supports (rows in catalog order) */
        plats = vmc_host_query_platforms(h, fleet->cat);
        for (guint j = 0; j < plats->len; j++)
            if (g_array_index(plats, VmcHostPlatform, j).supported)
                newest = (gint) j;
        best = MIN(best, newest);
        if (!first) {
            first = plats;
        } else {
            for (guint j = 0; j < plats->len; j++)
                vmc_host_platform_clear(&g_array_index(plats, VmcHostPlatform, j));
            g_array_unref(plats);
        }
    }
    if (mts) {
        GHashTableIter it;
        gpointer name;
        g_hash_table_iter_init(&it, mts);
        while (g_hash_table_iter_next(&it, &name, NULL))
            g_ptr_array_add(p->machine_types, g_strdup(name));
        g_ptr_array_sort(p->machine_types, vmc_strptr_cmp);
        p->machine = vmc__fleet_newest_machine(fleet->cat,
                                               vmc_host_get_arch(vmc__fleet_kind_host(fleet, g_array_index(p->kinds, gint64, 0), NULL)),
                                               p->machine_types);
    }
    if (first && best >= 0 && best < (gint) first->len)
        p->platform = g_strdup(vmc_platform_get_name(g_array_index(first, VmcHostPlatform, best).platform));
    for (guint j = 0; first && j < first->len; j++)
        vmc_host_platform_clear(&g_array_index(first, VmcHostPlatform, j));
    {
        g_autoptr(GError) local = NULL;
        p->baseline = vmc__fleet_kinds_baseline(fleet, p->kinds, -1, FALSE, &local);
        if (!p->baseline) {
            p->baseline_error = local ? g_strdup(local->message) : NULL;
            return TRUE;
        }
    }
    /* limiting kinds: dropping one raises the baseline */
    for (guint i = 0; i < p->kinds->len && p->kinds->len > 1; i++) {
        gint64 k = g_array_index(p->kinds, gint64, i);
        g_autoptr(VmcCpuDef) without = vmc__fleet_kinds_baseline(fleet, p->kinds, k, FALSE, NULL);
        VmcFleetLimit l = { .kind = k, .n_hosts = GPOINTER_TO_UINT(g_hash_table_lookup(kind_hosts, &k)) };
        if (!without)
            continue;
        l.gains = vmc_pool_gains(fleet->cat, p->baseline, without);
        if (l.gains->len == 0) {
            g_ptr_array_unref(l.gains);
            continue;
        }
        g_array_append_val(p->limiting, l);
    }
    g_array_sort(p->limiting, vmc_limit_cmp);
    return TRUE;
}

static gint
vmc_pool_cmp(gconstpointer a, gconstpointer b)
{
    const VmcFleetPool *x = a, *y = b;
    if (x->guests->len != y->guests->len)
        return x->guests->len > y->guests->len ? -1 : 1;
    return x->n_hosts > y->n_hosts ? -1 : x->n_hosts < y->n_hosts;
}

GArray *
vmc_fleet_pools(VmcFleet *fleet, const char *where, VmcCpuCheck mode, GError **error)
{
    g_autoptr(GHashTable) counts = vmc__fleet_kind_counts(fleet, where, NULL, error);
    VmcPoolBuild b = { .fleet = fleet, .mode = mode };
    GHashTableIter it;
    gpointer k, v;
    GArray *rows;

    if (!counts)
        return NULL;
    b.kind_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_hash_table_iter_init(&it, counts);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_array_append_val(b.kind_ids, *(gint64 *) k);
    g_array_sort(b.kind_ids, vmc__gint64_cmp);
    b.kind_hosts = counts;
    b.by_abi = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, vmc_gstring_free);
    b.pools = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    b.rows = g_array_new(FALSE, TRUE, sizeof(VmcFleetPool));
    g_array_set_clear_func(b.rows, (GDestroyNotify) vmc_fleet_pool_clear);
    if (!vmc__fleet_foreach_guest(fleet, vmc_pool_guest, &b, error) || b.error) {
        if (b.error)
            g_propagate_error(error, b.error);
        goto fail;
    }
    for (guint i = 0; i < b.rows->len; i++)
        if (!vmc_pool_describe(fleet, &g_array_index(b.rows, VmcFleetPool, i), counts, error))
            goto fail;
    g_array_sort(b.rows, vmc_pool_cmp);
    rows = b.rows;
    g_array_unref(b.kind_ids);
    g_hash_table_unref(b.by_abi);
    g_hash_table_unref(b.pools);
    return rows;
fail:
    g_array_unref(b.kind_ids);
    g_hash_table_unref(b.by_abi);
    g_hash_table_unref(b.pools);
    g_array_unref(b.rows);
    return NULL;
}
