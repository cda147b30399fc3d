/* store-import.c: bulk import of host documents into the inventory, on
 * either backend.
 *
 * A batch (default 1000 lines) is read and digested in memory first —
 * each line to a VmcFleetHostLine by the fast line path or the tree path
 * (store-hostline.c) — and then written in one short transaction:
 *   1. its kinds: one SELECT ... IN (...) (locking the rows against a
 *      concurrent forget on PostgreSQL), then an INSERT ... ON CONFLICT DO
 *      NOTHING RETURNING id per missing kind in the order the lines named
 *      them (so kind ids number kinds as they first appeared), looking again
 *      when another node inserted it first;
 *   2. the stored digests of its hosts (SELECT ... IN), for the counts;
 *   3. its new and changed hosts, in name order, by multi-row INSERT ...
 *      ON CONFLICT (name) DO UPDATE ... WHERE the digest differs.
 * So a host is never half there: its row and its kind commit together, and
 * a killed import leaves whole batches. Rows are locked kinds first, then
 * hosts by name, so concurrent importers on one PostgreSQL inventory queue;
 * the one deadlock left — two nodes inserting the same new kinds in
 * another order — PostgreSQL breaks by failing one transaction, and that
 * batch, still in memory, runs again (VMC_IMPORT_ATTEMPTS). A name repeated
 * within a batch counts as it would line by line; the last line wins.
 *
 * A new kind's document is validated by reading it as a host (vmc_host_parse)
 * once per import; its text is what json-c prints of the whole document.
 *
 * Workload: 100,000 lines of ~12 KB in a few hundred kinds, ≤ 10 s on
 * SQLite (bench/bench-fleet-import.c). Round trips per batch are a handful,
 * not one per host, which is what makes PostgreSQL fast too.
 */
#include "fleet/fleet-private.h"

#include <string.h>

#include "base/json-util.h"
#include <vmcompat/error.h>

#define VMC_FLEET_DEFAULT_BATCH 1000
#define VMC_FLEET_MAX_BATCH 100000       /* a batch is held in memory */
#define VMC_IMPORT_IN_CHUNK 500       /* values in one IN (...) */
#define VMC_IMPORT_ROW_CHUNK 100      /* hosts in one INSERT */
#define VMC_IMPORT_MAX_KINDS 4096     /* kinds remembered across batches */
#define VMC_IMPORT_ATTEMPTS 8         /* a batch that deadlocked runs again */

/* A host kind met during the import. */
typedef struct {
    gint refs;
    char fp[65];
    char *doc;                        /* the document stored for the kind */
    char *arch, *vendor, *cpu, *qemu, *kernel;
    gint64 id;                        /* in the current batch's transaction; 0: not yet */
} VmcImportKind;

/* One host of the batch (the last line with its name). */
typedef struct {
    VmcFleetHostLine line;
    char *cluster;                    /* the line's, or the import's default */
    char *digest;
    char *first_digest;               /* of the batch's first line with this name */
    VmcImportKind *kind;
} VmcImportHost;

typedef struct {
    VmcFleet *fleet;
    const char *cluster;
    guint batch;
    VmcFleetImportStats *stats;
    VmcFleetImportStats pending_stats; /* the batch's repeated names, counted as read */
    VmcFleetImportStats flush_stats;  /* the batch against the inventory, while writing */
    GHashTable *kinds;                /* fingerprint → VmcImportKind* */
    GPtrArray *hosts;                 /* VmcImportHost*, the batch */
    GHashTable *by_name;              /* name → VmcImportHost* in hosts */
    GPtrArray *kind_order;            /* VmcImportKind*, the batch's, as first named */
    GHashTable *kind_seen;            /* VmcImportKind* in kind_order */
    guint lines;                      /* host lines in the batch */
    GHashTable *stmts;                /* SQL text → VmcStoreStmt*, reused */
    VmcHostLineCache *cache;
} VmcImport;

static VmcImportKind *
vmc_import_kind_ref(VmcImportKind *k)
{
    k->refs++;
    return k;
}

static void
vmc_import_kind_unref(gpointer p)
{
    VmcImportKind *k = p;

    if (!k || --k->refs > 0)
        return;
    g_free(k->doc);
    g_free(k->arch);
    g_free(k->vendor);
    g_free(k->cpu);
    g_free(k->qemu);
    g_free(k->kernel);
    g_free(k);
}

static void
vmc_import_host_free(gpointer p)
{
    VmcImportHost *h = p;

    vmc__fleet_host_line_clear(&h->line);
    g_free(h->cluster);
    g_free(h->digest);
    g_free(h->first_digest);
    vmc_import_kind_unref(h->kind);
    g_free(h);
}

/* A statement for @sql, prepared once per import. */
static VmcStoreStmt *
vmc_import_stmt(VmcImport *im, const char *sql, GError **error)
{
    VmcStoreStmt *st = g_hash_table_lookup(im->stmts, sql);

    if (st) {
        vmc__store_reset(st);
        return st;
    }
    if (!(st = vmc__store_prepare(im->fleet->store, sql))) {
        vmc__fleet_sql_fail(im->fleet, error, "preparing the import");
        return NULL;
    }
    g_hash_table_insert(im->stmts, g_strdup(sql), st);
    return st;
}

/* "HEAD (?, ?, ...) TAIL" with @n placeholders per group of @per. */
static char *
vmc_import_sql_list(const char *head, guint n, guint per, const char *tail)
{
    GString *sql = g_string_new(head);

    for (guint i = 0; i < n; i++) {
        g_string_append(sql, i ? ", " : "");
        if (per > 1)
            g_string_append_c(sql, '(');
        for (guint j = 0; j < per; j++)
            g_string_append(sql, j ? ", ?" : "?");
        if (per > 1)
            g_string_append_c(sql, ')');
    }
    g_string_append(sql, tail);
    return g_string_free(sql, FALSE);
}

/* ---- batch: kinds ------------------------------------------------------------ */

/* Ids of @kinds already stored, locking their rows. */
static gboolean
vmc_import_find_kinds(VmcImport *im, GPtrArray *kinds, GError **error)
{
    GHashTable *by_fp = g_hash_table_new(g_str_hash, g_str_equal);
    gboolean ok = TRUE;

    for (guint i = 0; i < kinds->len; i++) {
        VmcImportKind *k = g_ptr_array_index(kinds, i);
        g_hash_table_insert(by_fp, k->fp, k);
    }
    for (guint at = 0; ok && at < kinds->len; at += VMC_IMPORT_IN_CHUNK) {
        guint n = MIN(VMC_IMPORT_IN_CHUNK, kinds->len - at);
        g_autofree char *tail = g_strdup_printf(")%s", im->fleet->store->ops->lock_share);
        g_autofree char *sql = vmc_import_sql_list("SELECT fingerprint, id FROM kind WHERE fingerprint IN (",
                                                   n, 1, tail);
        VmcStoreStmt *st = vmc_import_stmt(im, sql, error);
        VmcStoreStep rc;

        if (!st) {
            ok = FALSE;
            break;
        }
        for (guint i = 0; i < n; i++)
            vmc__store_bind_text(st, i + 1, ((VmcImportKind *) g_ptr_array_index(kinds, at + i))->fp);
        while ((rc = vmc__store_step(st)) == VMC_STORE_ROW) {
            VmcImportKind *k = g_hash_table_lookup(by_fp, vmc__store_column_text(st, 0));
            if (k)
                k->id = vmc__store_column_int64(st, 1);
        }
        if (rc != VMC_STORE_DONE)
            ok = vmc__fleet_sql_fail(im->fleet, error, "looking up host kinds");
    }
    g_hash_table_unref(by_fp);
    return ok;
}

/* Store kind @k, or find the row another node stored first. */
static gboolean
vmc_import_add_kind(VmcImport *im, VmcImportKind *k, GError **error)
{
    g_autofree char *find = g_strdup_printf("SELECT id FROM kind WHERE fingerprint = ?%s",
                                            im->fleet->store->ops->lock_share);

    for (guint attempt = 0; attempt < 3; attempt++) {
        VmcStoreStmt *st = vmc_import_stmt(im, "INSERT INTO kind (fingerprint, arch, vendor, cpu, qemu, "
                                           "kernel, doc) VALUES (?, ?, ?, ?, ?, ?, ?) "
                                           "ON CONFLICT (fingerprint) DO NOTHING RETURNING id", error);
        VmcStoreStep rc;

        if (!st)
            return FALSE;
        vmc__store_bind_text(st, 1, k->fp);
        vmc__store_bind_text(st, 2, k->arch);
        vmc__store_bind_text(st, 3, k->vendor);
        vmc__store_bind_text(st, 4, k->cpu);
        vmc__store_bind_text(st, 5, k->qemu);
        vmc__store_bind_text(st, 6, k->kernel);
        vmc__store_bind_text(st, 7, k->doc);
        if ((rc = vmc__store_step(st)) == VMC_STORE_ROW) {
            k->id = vmc__store_column_int64(st, 0);
            im->flush_stats.kinds_new++;
            while ((rc = vmc__store_step(st)) == VMC_STORE_ROW)
                ;
            return rc == VMC_STORE_DONE || vmc__fleet_sql_fail(im->fleet, error, "adding a host kind");
        }
        if (rc == VMC_STORE_ERROR)
            return vmc__fleet_sql_fail(im->fleet, error, "adding a host kind");
        /* inserted by another node since we looked */
        if (!(st = vmc_import_stmt(im, find, error)))
            return FALSE;
        vmc__store_bind_text(st, 1, k->fp);
        if ((rc = vmc__store_step(st)) == VMC_STORE_ROW) {
            k->id = vmc__store_column_int64(st, 0);
            while ((rc = vmc__store_step(st)) == VMC_STORE_ROW)
                ;
        }
        if (rc == VMC_STORE_ERROR)
            return vmc__fleet_sql_fail(im->fleet, error, "looking up a host kind");
        if (k->id)
            return TRUE;
        /* ... and forgotten again: try once more */
    }
    g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED, "fleet inventory %s: host kind %.12s keeps "
                "appearing and disappearing", im->fleet->path, k->fp);
    return FALSE;
}

/* Ids for the kinds of the batch's hosts: found, or stored in the order
 * the lines first named them. */
static gboolean
vmc_import_resolve_kinds(VmcImport *im, GError **error)
{
    g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
    g_autoptr(GPtrArray) kinds = g_ptr_array_new();

    for (guint i = 0; i < im->hosts->len; i++)
        g_hash_table_add(used, ((VmcImportHost *) g_ptr_array_index(im->hosts, i))->kind);
    /* a kind only a replaced line had is not stored: no host would have it */
    for (guint i = 0; i < im->kind_order->len; i++) {
        VmcImportKind *k = g_ptr_array_index(im->kind_order, i);
        if (g_hash_table_contains(used, k)) {
            k->id = 0;
            g_ptr_array_add(kinds, k);
        }
    }
    if (!vmc_import_find_kinds(im, kinds, error))
        return FALSE;
    for (guint i = 0; i < kinds->len; i++) {
        VmcImportKind *k = g_ptr_array_index(kinds, i);
        if (!k->id && !vmc_import_add_kind(im, k, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- batch: hosts --------------------------------------------------------------- */

static int
vmc_import_host_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp((*(VmcImportHost *const *) a)->line.name, (*(VmcImportHost *const *) b)->line.name);
}

/* name → stored digest of the batch's hosts that are stored. */
static GHashTable *
vmc_import_stored_digests(VmcImport *im, GError **error)
{
    g_autoptr(GHashTable) digests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    for (guint at = 0; at < im->hosts->len; at += VMC_IMPORT_IN_CHUNK) {
        guint n = MIN(VMC_IMPORT_IN_CHUNK, im->hosts->len - at);
        g_autofree char *sql = vmc_import_sql_list("SELECT name, digest FROM host WHERE name IN (",
                                                   n, 1, ")");
        VmcStoreStmt *st = vmc_import_stmt(im, sql, error);
        VmcStoreStep rc;

        if (!st)
            return NULL;
        for (guint i = 0; i < n; i++)
            vmc__store_bind_text(st, i + 1, ((VmcImportHost *) g_ptr_array_index(im->hosts, at + i))->line.name);
        while ((rc = vmc__store_step(st)) == VMC_STORE_ROW)
            g_hash_table_insert(digests, g_strdup(vmc__store_column_text(st, 0)),
                                g_strdup(vmc__store_column_text(st, 1)));
        if (rc != VMC_STORE_DONE) {
            vmc__fleet_sql_fail(im->fleet, error, "reading hosts");
            return NULL;
        }
    }
    return g_steal_pointer(&digests);
}

/* Write @rows (VmcImportHost*, by name) in multi-row upserts. */
static gboolean
vmc_import_write_hosts(VmcImport *im, GPtrArray *rows, GError **error)
{
    for (guint at = 0; at < rows->len; at += VMC_IMPORT_ROW_CHUNK) {
        guint n = MIN(VMC_IMPORT_ROW_CHUNK, rows->len - at);
        g_autofree char *sql = vmc_import_sql_list(
            "INSERT INTO host (name, kind, cluster, labels, kernel, digest) VALUES ", n, 6,
            " ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, cluster = excluded.cluster, "
            "labels = excluded.labels, kernel = excluded.kernel, digest = excluded.digest "
            "WHERE host.digest <> excluded.digest");
        VmcStoreStmt *st = vmc_import_stmt(im, sql, error);

        if (!st)
            return FALSE;
        for (guint i = 0; i < n; i++) {
            VmcImportHost *h = g_ptr_array_index(rows, at + i);
            vmc__store_bind_text(st, 6 * i + 1, h->line.name);
            vmc__store_bind_int64(st, 6 * i + 2, h->kind->id);
            vmc__store_bind_text(st, 6 * i + 3, h->cluster);
            vmc__store_bind_text(st, 6 * i + 4, h->line.labels);
            vmc__store_bind_text(st, 6 * i + 5, h->line.kernel);
            vmc__store_bind_text(st, 6 * i + 6, h->digest);
        }
        if (vmc__store_step(st) != VMC_STORE_DONE)
            return vmc__fleet_sql_fail(im->fleet, error, "storing hosts");
    }
    return TRUE;
}

static void
vmc_import_clear_batch(VmcImport *im)
{
    g_hash_table_remove_all(im->by_name);
    g_ptr_array_set_size(im->hosts, 0);
    g_hash_table_remove_all(im->kind_seen);
    g_ptr_array_set_size(im->kind_order, 0);
    im->lines = 0;
    memset(&im->pending_stats, 0, sizeof(im->pending_stats));
}

/* Write the batch in one transaction (one attempt). */
static gboolean
vmc_import_write(VmcImport *im, GError **error)
{
    VmcStore *store = im->fleet->store;
    g_autoptr(GHashTable) stored = NULL;
    g_autoptr(GPtrArray) rows = g_ptr_array_new();
    VmcFleetImportStats *s = &im->flush_stats;

    memset(s, 0, sizeof(*s));
    if (!vmc__store_begin(store))
        return vmc__fleet_sql_fail(im->fleet, error, "starting an import batch");
    if (!vmc_import_resolve_kinds(im, error) || !(stored = vmc_import_stored_digests(im, error)))
        goto fail;
    for (guint i = 0; i < im->hosts->len; i++) {
        VmcImportHost *h = g_ptr_array_index(im->hosts, i);
        const char *was = g_hash_table_lookup(stored, h->line.name);

        if (!was)
            s->hosts_new++;
        else if (g_str_equal(was, h->first_digest))
            s->hosts_unchanged++;
        else
            s->hosts_updated++;
        if (!was || !g_str_equal(was, h->digest))
            g_ptr_array_add(rows, h);
    }
    if (!vmc_import_write_hosts(im, rows, error))
        goto fail;
    /* last: the lock order is kinds, hosts, then meta */
    if (rows->len && !vmc__fleet_bump_generation(im->fleet)) {
        vmc__fleet_sql_fail(im->fleet, error, "recording an import batch");
        goto fail;
    }
    if (!vmc__store_commit(store)) {
        vmc__fleet_sql_fail(im->fleet, error, "committing an import batch");
        goto fail;
    }
    return TRUE;
 fail:
    vmc__store_rollback(store);
    return FALSE;
}

/* Write the batch, again if PostgreSQL broke a deadlock by failing it. */
static gboolean
vmc_import_flush(VmcImport *im, GError **error)
{
    if (im->lines == 0)
        return TRUE;
    /* the lock order between nodes: hosts by name */
    g_ptr_array_sort(im->hosts, vmc_import_host_cmp);
    for (guint attempt = 1;; attempt++) {
        g_autoptr(GError) local = NULL;

        if (vmc_import_write(im, &local))
            break;
        if (!im->fleet->store->retryable || attempt == VMC_IMPORT_ATTEMPTS) {
            g_propagate_error(error, g_steal_pointer(&local));
            return FALSE;
        }
        g_debug("fleet import: %s; the batch again (attempt %u)", local->message, attempt + 1);
        g_usleep(5000 * attempt);
    }
    im->stats->hosts_new += im->pending_stats.hosts_new + im->flush_stats.hosts_new;
    im->stats->hosts_updated += im->pending_stats.hosts_updated + im->flush_stats.hosts_updated;
    im->stats->hosts_unchanged += im->pending_stats.hosts_unchanged + im->flush_stats.hosts_unchanged;
    im->stats->kinds_new += im->flush_stats.kinds_new;
    im->stats->batches++;
    vmc_import_clear_batch(im);
    return TRUE;
}

/* ---- lines ------------------------------------------------------------------------ */

/* The kind of @line, made (and its document validated) when new. @doc:
 * the parsed document, or NULL to parse @text. */
static VmcImportKind *
vmc_import_kind(VmcImport *im, const VmcFleetHostLine *line, json_object *doc, const char *text,
                gsize len, const char *where, GError **error)
{
    VmcImportKind *k = g_hash_table_lookup(im->kinds, line->fp);
    json_object *parsed = NULL;
    g_autoptr(VmcHost) host = NULL;
    const VmcCpuDef *cpu;
    const char *doc_text;

    if (k)
        return k;
    if (!doc && !(doc = parsed = vmc_json_parse(text, len, where, error)))
        return NULL;
    doc_text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
    host = vmc_host_parse(im->fleet->cat, doc_text, strlen(doc_text), where, error);
    if (!host) {
        json_object_put(parsed);
        return NULL;
    }
    k = g_new0(VmcImportKind, 1);
    k->refs = 1;
    memcpy(k->fp, line->fp, sizeof(k->fp));
    k->doc = g_strdup(doc_text);
    json_object_put(parsed);
    cpu = vmc_host_get_cpu(host);
    k->arch = g_strdup(vmc_arch_to_string(vmc_host_get_arch(host)));
    k->vendor = g_strdup(cpu ? vmc_cpu_def_get_vendor(cpu) : NULL);
    k->cpu = g_strdup(cpu ? vmc_cpu_def_get_model(cpu) : NULL);
    k->qemu = g_strdup(vmc_host_get_qemu_version(host));
    k->kernel = g_strdup(vmc_host_get_kernel(host));
    if (g_hash_table_size(im->kinds) >= VMC_IMPORT_MAX_KINDS)
        g_hash_table_remove_all(im->kinds);   /* the batch keeps its own references */
    g_hash_table_insert(im->kinds, k->fp, k);
    return k;
}

/* Add one host line to the batch (@line is consumed); flush when full. */
static gboolean
vmc_import_add(VmcImport *im, VmcFleetHostLine *line, json_object *doc, const char *text, gsize len,
               const char *where, GError **error)
{
    VmcImportKind *kind = vmc_import_kind(im, line, doc, text, len, where, error);
    const char *cluster = line->cluster ? line->cluster : im->cluster;
    VmcImportHost *h;
    char *digest;

    if (!kind) {
        vmc__fleet_host_line_clear(line);
        return FALSE;
    }
    digest = g_strdup_printf("%s|%s|%s|%s", line->fp, cluster ? cluster : "", line->labels,
                             line->kernel ? line->kernel : "");
    if ((h = g_hash_table_lookup(im->by_name, line->name))) {
        /* again in this batch: counted against its previous line */
        if (g_str_equal(h->digest, digest)) {
            im->pending_stats.hosts_unchanged++;
            g_free(digest);
            vmc__fleet_host_line_clear(line);
        } else {
            im->pending_stats.hosts_updated++;
            g_hash_table_remove(im->by_name, h->line.name);
            vmc__fleet_host_line_clear(&h->line);
            h->line = *line;
            g_free(h->cluster);
            h->cluster = g_strdup(cluster);
            g_free(h->digest);
            h->digest = digest;
            vmc_import_kind_unref(h->kind);
            h->kind = vmc_import_kind_ref(kind);
            g_hash_table_insert(im->by_name, h->line.name, h);
        }
    } else {
        h = g_new0(VmcImportHost, 1);
        h->line = *line;
        h->cluster = g_strdup(cluster);
        h->digest = digest;
        h->first_digest = g_strdup(digest);
        h->kind = vmc_import_kind_ref(kind);
        g_ptr_array_add(im->hosts, h);
        g_hash_table_insert(im->by_name, h->line.name, h);
    }
    if (g_hash_table_add(im->kind_seen, kind))
        g_ptr_array_add(im->kind_order, vmc_import_kind_ref(kind));
    memset(line, 0, sizeof(*line));
    if (++im->lines >= im->batch)
        return vmc_import_flush(im, error);
    return TRUE;
}

/* A parsed host document (not consumed). */
static gboolean
vmc_import_doc(VmcImport *im, json_object *doc, const char *where, GError **error)
{
    VmcFleetHostLine line = { 0 };

    if (!vmc__fleet_host_line_from_doc(doc, where, &line, error))
        return FALSE;
    return vmc_import_add(im, &line, doc, NULL, 0, where, error);
}

/* One line of a JSON Lines file: the fast path, else the tree path. */
static gboolean
vmc_import_line(VmcImport *im, const char *text, gsize len, const char *path, guint lineno,
                GError **error)
{
    VmcFleetHostLine line = { 0 };
    g_autofree char *where = g_strdup_printf("%s:%u", path, lineno);
    json_object *doc;
    gboolean ok;

    if (vmc__fleet_host_line_scan(im->cache, text, len, &line))
        return vmc_import_add(im, &line, NULL, text, len, where, error);
    if (!(doc = vmc_json_parse(text, len, where, error)))
        return FALSE;
    ok = vmc_import_doc(im, doc, where, error);
    json_object_put(doc);
    return ok;
}

/* One non-blank line of a hosts file. */
static gboolean
vmc_import_jsonl_line(char *line, gsize len, const char *path, guint lineno, gpointer data,
                      GError **error)
{
    return vmc_import_line(data, line, len, path, lineno, error);
}

gboolean
vmc_fleet_import(VmcFleet *fleet, const char *const *paths, const char *cluster, guint batch,
                 VmcFleetImportStats *stats, GError **error)
{
    VmcFleetImportStats dummy;
    VmcImport im = {
        .fleet = fleet,
        .cluster = cluster,
        .batch = batch ? batch : VMC_FLEET_DEFAULT_BATCH,
        .stats = stats ? stats : &dummy,
    };
    gboolean ok = TRUE;

    g_return_val_if_fail(fleet, FALSE);
    memset(im.stats, 0, sizeof(*im.stats));
    if (batch > VMC_FLEET_MAX_BATCH) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT, "fleet import: a batch of %u hosts is more "
                    "than %d", batch, VMC_FLEET_MAX_BATCH);
        return FALSE;
    }
    im.kinds = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, vmc_import_kind_unref);
    im.hosts = g_ptr_array_new_with_free_func(vmc_import_host_free);
    im.by_name = g_hash_table_new(g_str_hash, g_str_equal);
    im.kind_order = g_ptr_array_new_with_free_func(vmc_import_kind_unref);
    im.kind_seen = g_hash_table_new(NULL, NULL);
    im.stmts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify) vmc__store_finalize);
    im.cache = vmc__fleet_host_line_cache_new();
    for (const char *const *p = paths; ok && p && *p; p++) {
        if (g_str_has_suffix(*p, ".jsonl")) {
            ok = vmc__fleet_jsonl_foreach(*p, vmc_import_jsonl_line, &im, error);
        } else {
            /* any host input: read it as a host, store its document */
            g_autoptr(VmcHost) host = vmc_host_load(fleet->cat, *p, error);
            g_autofree char *text = host ? vmc_host_to_json(host) : NULL;
            json_object *doc = text ? vmc_json_parse(text, strlen(text), *p, error) : NULL;
            ok = doc && vmc_import_doc(&im, doc, *p, error);
            json_object_put(doc);
        }
    }
    if (ok)
        ok = vmc_import_flush(&im, error);
    /* on failure the batch in memory is dropped: earlier batches stay */
    g_hash_table_unref(im.stmts);
    g_hash_table_unref(im.by_name);
    g_ptr_array_unref(im.hosts);
    g_hash_table_unref(im.kind_seen);
    g_ptr_array_unref(im.kind_order);
    g_hash_table_unref(im.kinds);
    vmc__fleet_host_line_cache_free(im.cache);
    return ok;
}
