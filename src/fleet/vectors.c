/* vectors.c: requirement vectors (guest/abi-check.h) evaluated over many
 * host views — the fleet's fast path for "which kinds does this ABI run
 * on" (pools, upgrade impact).
 *
 * Vectors are interned (equal text, one id) and split into keys, interned
 * too; each (key, view) pair is evaluated once with vmc__host_view_meets —
 * the predicate the check itself uses — and remembered, so a vector is met
 * by a view when each of its keys is. A vector's answer per view is
 * remembered as well.
 *
 * Workload: thousands of vectors sharing a few hundred keys, hundreds of
 * views: memory is keys × views bytes plus vectors × views bytes.
 */
#include "fleet/fleet-private.h"

#include <string.h>

struct _VmcFleetVectors {
    GHashTable *vector_ids;  /* text → id + 1 */
    GPtrArray *vectors;      /* id → GArray of key ids */
    GHashTable *key_ids;     /* key → id + 1 */
    GPtrArray *keys;         /* id → key text */
    GPtrArray *key_memo;     /* slot → GByteArray: key id → 0 ?, 1 met, 2 not */
    GPtrArray *vec_memo;     /* slot → GByteArray: vector id → 0 ?, 1 met, 2 not */
};

VmcFleetVectors *
vmc__fleet_vectors_new(void)
{
    VmcFleetVectors *vs = g_new0(VmcFleetVectors, 1);
    vs->vector_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    vs->vectors = g_ptr_array_new_with_free_func((GDestroyNotify) g_array_unref);
    vs->key_ids = g_hash_table_new(g_str_hash, g_str_equal);
    vs->keys = g_ptr_array_new_with_free_func(g_free);
    vs->key_memo = g_ptr_array_new_with_free_func((GDestroyNotify) g_byte_array_unref);
    vs->vec_memo = g_ptr_array_new_with_free_func((GDestroyNotify) g_byte_array_unref);
    return vs;
}

void
vmc__fleet_vectors_free(VmcFleetVectors *vs)
{
    if (!vs)
        return;
    g_hash_table_unref(vs->vector_ids);
    g_ptr_array_unref(vs->vectors);
    g_hash_table_unref(vs->key_ids);
    g_ptr_array_unref(vs->keys);
    g_ptr_array_unref(vs->key_memo);
    g_ptr_array_unref(vs->vec_memo);
    g_free(vs);
}

guint
vmc__fleet_vectors_add(VmcFleetVectors *vs, const char *vector)
{
    guint id = GPOINTER_TO_UINT(g_hash_table_lookup(vs->vector_ids, vector));
    g_auto(GStrv) keys = NULL;
    GArray *ids;

    if (id)
        return id - 1;
    ids = g_array_new(FALSE, FALSE, sizeof(guint));
    keys = g_strsplit(vector, "\n", -1);
    for (guint i = 0; keys[i]; i++) {
        guint k;
        if (!*keys[i])
            continue;
        k = GPOINTER_TO_UINT(g_hash_table_lookup(vs->key_ids, keys[i]));
        if (!k) {
            g_ptr_array_add(vs->keys, g_strdup(keys[i]));
            k = vs->keys->len;
            g_hash_table_insert(vs->key_ids, g_ptr_array_index(vs->keys, k - 1), GUINT_TO_POINTER(k));
        }
        k--;
        g_array_append_val(ids, k);
    }
    g_ptr_array_add(vs->vectors, ids);
    g_hash_table_insert(vs->vector_ids, g_strdup(vector), GUINT_TO_POINTER(vs->vectors->len));
    return vs->vectors->len - 1;
}

guint
vmc__fleet_vectors_count(const VmcFleetVectors *vs)
{
    return vs->vectors->len;
}

/* The memo row of @slot in @memo, at least @n long. */
static guint8 *
vmc_vectors_row(GPtrArray *memo, guint slot, guint n)
{
    GByteArray *row;

    while (memo->len <= slot)
        g_ptr_array_add(memo, g_byte_array_new());
    row = g_ptr_array_index(memo, slot);
    if (row->len < n) {
        guint old = row->len;
        g_byte_array_set_size(row, n);
        memset(row->data + old, 0, n - old);
    }
    return row->data;
}

gboolean
vmc__fleet_vectors_met(VmcFleetVectors *vs, guint id, VmcHostView *view, guint slot, gboolean *ret,
                       GError **error)
{
    guint8 *vrow = vmc_vectors_row(vs->vec_memo, slot, vs->vectors->len);
    GArray *ids = g_ptr_array_index(vs->vectors, id);
    guint8 *krow;
    gboolean all = TRUE;

    if (vrow[id]) {
        *ret = vrow[id] == 1;
        return TRUE;
    }
    krow = vmc_vectors_row(vs->key_memo, slot, vs->keys->len);
    for (guint a = 0; a < ids->len && all; a++) {
        guint k = g_array_index(ids, guint, a);
        if (!krow[k]) {
            gboolean yes = FALSE;
            if (!vmc__host_view_meets(view, g_ptr_array_index(vs->keys, k), &yes, error))
                return FALSE;
            krow[k] = yes ? 1 : 2;
        }
        all = krow[k] == 1;
    }
    vrow[id] = all ? 1 : 2;
    *ret = all;
    return TRUE;
}
