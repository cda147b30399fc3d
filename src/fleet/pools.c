/* pools.c: migration pools ("these 3,200 guests move freely among these
 * 41,000 hosts"), two-host compatibility (seed 004), upgrade impact.
 *
 * A pool is the set of recorded guest ABIs that can run on exactly the same
 * host kinds (vmc_abi_check_mode's verdict, decided by each ABI's
 * requirement vector: each distinct key evaluated once per kind): within a
 * pool every guest can go to every host. Per pool: its baseline CPU (the kinds'
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

/* Pools are computed on requirement vectors (guest/abi-check.h, vectors.c):
 * a guest runs on a kind exactly when the kind meets every key of its
 * ABI's vector, so each distinct key is evaluated once per kind and each
 * distinct vector once per kind — not every ABI against every kind. */
typedef struct {
    VmcFleet *fleet;
    VmcCpuCheck mode;
    GArray *kind_ids;        /* gint64, sorted */
    GHashTable *kind_hosts;  /* id → n hosts */
    GHashTable *vectors;     /* default mode: abi id → vector text */
    GHashTable *by_fp;       /* other modes: abi fingerprint → vector text */
    VmcFleetVectors *vs;
    GPtrArray *names;        /* guests in name order */
    GArray *guest_vec;       /* guint: each guest's vector id */
    GHashTable *pools;       /* kinds key → index into rows + 1 */
    GArray *rows;            /* VmcFleetPool */
    GError *error;
} VmcPoolBuild;

static void
vmc_pool_add_guest(VmcPoolBuild *b, const char *name, const char *vector)
{
    guint id = vmc__fleet_vectors_add(b->vs, vector);
    g_ptr_array_add(b->names, g_strdup(name));
    g_array_append_val(b->guest_vec, id);
}

static gboolean
vmc_pool_guest_abi(const char *name, gint64 abi, const char *host, gpointer data)
{
    VmcPoolBuild *b = data;
    const char *vector = g_hash_table_lookup(b->vectors, &abi);

    if (!vector) {
        g_set_error(&b->error, VMC_ERROR, VMC_ERROR_FAILED, "fleet inventory %s: guest %s: "
                    "its ABI has no requirement vector", b->fleet->path, name);
        return FALSE;
    }
    vmc_pool_add_guest(b, name, vector);
    (void) host;
    return TRUE;
}

/* Another check mode than the ABIs' own: their vectors under it, from the
 * documents (not kept). */
static gboolean
vmc_pool_guest_doc(const char *name, const char *abi_doc, const char *abi_fp, const char *host,
                   gpointer data)
{
    VmcPoolBuild *b = data;
    const char *vector = g_hash_table_lookup(b->by_fp, abi_fp);

    if (!vector) {
        g_autoptr(VmcAbi) abi = vmc_abi_parse(b->fleet->cat, abi_doc, strlen(abi_doc), name, &b->error);
        if (!abi)
            return FALSE;
        vector = vmc__abi_vector(abi, b->mode);
        g_hash_table_insert(b->by_fp, g_strdup(abi_fp), (char *) vector);
    }
    vmc_pool_add_guest(b, name, vector);
    (void) host;
    return TRUE;
}

/* Each vector's kinds → its pool; then the guests, in name order. */
static gboolean
vmc_pool_place(VmcPoolBuild *b, GError **error)
{
    guint n_vec = vmc__fleet_vectors_count(b->vs);
    g_autofree gint *pool_of = g_new0(gint, MAX(n_vec, 1));   /* vector id → pool index + 1 */
    g_autoptr(GPtrArray) views = g_ptr_array_new();
    g_autoptr(GString) key = g_string_new(NULL);

    for (guint k = 0; k < b->kind_ids->len; k++) {
        VmcHostView *view = vmc__fleet_kind_view(b->fleet, g_array_index(b->kind_ids, gint64, k), error);
        if (!view)
            return FALSE;
        g_ptr_array_add(views, view);
    }
    for (guint id = 0; id < n_vec; id++) {
        gpointer idx;
        g_string_truncate(key, 0);
        for (guint k = 0; k < b->kind_ids->len; k++) {
            gboolean met = FALSE;
            if (!vmc__fleet_vectors_met(b->vs, id, g_ptr_array_index(views, k), k, &met, error)) {
                g_prefix_error(error, "fleet inventory %s: ", b->fleet->path);
                return FALSE;
            }
            if (met)
                g_string_append_printf(key, "%" G_GINT64_FORMAT ",", g_array_index(b->kind_ids, gint64, k));
        }
        idx = g_hash_table_lookup(b->pools, key->str);
        if (!idx) {
            VmcFleetPool p = { 0 };
            g_auto(GStrv) ids = g_strsplit(key->str, ",", -1);
            p.guests = g_ptr_array_new_with_free_func(g_free);
            p.kinds = g_array_new(FALSE, FALSE, sizeof(gint64));
            for (char **s = ids; *s && **s; s++) {
                gint64 kid = g_ascii_strtoll(*s, NULL, 10);
                g_array_append_val(p.kinds, kid);
                p.n_hosts += GPOINTER_TO_UINT(g_hash_table_lookup(b->kind_hosts, &kid));
            }
            g_array_append_val(b->rows, p);
            idx = GUINT_TO_POINTER(b->rows->len);
            g_hash_table_insert(b->pools, g_strdup(key->str), idx);
        }
        pool_of[id] = GPOINTER_TO_INT(idx);
    }
    for (guint i = 0; i < b->names->len; i++) {
        VmcFleetPool *pool = &g_array_index(b->rows, VmcFleetPool,
                                            pool_of[g_array_index(b->guest_vec, guint, i)] - 1);
        g_ptr_array_add(pool->guests, g_steal_pointer(&b->names->pdata[i]));
    }
    return TRUE;
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
        /* what the baseline lacks and the one without the kind has */
        l.gains = vmc__fleet_features_lost(fleet->cat, without, p->baseline, NULL);
        if (!l.gains || l.gains->len == 0) {
            g_clear_pointer(&l.gains, g_ptr_array_unref);
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
    GArray *rows = NULL;
    gboolean ok;

    if (!counts)
        return NULL;
    b.kind_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_hash_table_iter_init(&it, counts);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_array_append_val(b.kind_ids, *(gint64 *) k);
    g_array_sort(b.kind_ids, vmc__gint64_cmp);
    b.kind_hosts = counts;
    b.vs = vmc__fleet_vectors_new();
    b.names = g_ptr_array_new_with_free_func(g_free);
    b.guest_vec = g_array_new(FALSE, FALSE, sizeof(guint));
    b.pools = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    b.rows = g_array_new(FALSE, TRUE, sizeof(VmcFleetPool));
    g_array_set_clear_func(b.rows, (GDestroyNotify) vmc_fleet_pool_clear);
    if (mode == VMC_CPU_CHECK_DEFAULT) {
        ok = (b.vectors = vmc__fleet_abi_vectors(fleet, NULL, error)) &&
             vmc__fleet_foreach_guest_abi(fleet, vmc_pool_guest_abi, &b, error);
    } else {
        b.by_fp = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        ok = vmc__fleet_foreach_guest(fleet, vmc_pool_guest_doc, &b, error);
    }
    if (ok && b.error) {
        g_propagate_error(error, g_steal_pointer(&b.error));
        ok = FALSE;
    }
    ok = ok && vmc_pool_place(&b, error);
    for (guint i = 0; ok && i < b.rows->len; i++)
        ok = vmc_pool_describe(fleet, &g_array_index(b.rows, VmcFleetPool, i), counts, error);
    if (ok) {
        g_array_sort(b.rows, vmc_pool_cmp);
        rows = g_steal_pointer(&b.rows);
    }
    g_clear_error(&b.error);
    g_ptr_array_unref(b.names);
    g_array_unref(b.guest_vec);
    vmc__fleet_vectors_free(b.vs);
    g_clear_pointer(&b.rows, g_array_unref);
    g_array_unref(b.kind_ids);
    g_clear_pointer(&b.vectors, g_hash_table_unref);
    g_clear_pointer(&b.by_fp, g_hash_table_unref);
    g_hash_table_unref(b.pools);
    return rows;
}
