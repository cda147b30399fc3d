/* store.c: the fleet inventory in SQLite — schema (versioned, migrated on
 * open), host kinds, bulk import, hosts, guests.
 *
 * Host kinds: a host document minus what does not change a verdict (its
 * name, the kernel's patch level, notes, who measured it, the QEMU binary
 * path), in canonical JSON (object keys sorted, arrays sorted — every array
 * of a host document is a set), hashed with SHA-256. The kernel string is
 * cut to X.Y because platforms and KVM capabilities follow the release;
 * hosts differing only in patch level share a kind.
 *
 * Import: one transaction per batch (default 1000 hosts); a host is keyed
 * by name (INSERT ... ON CONFLICT DO UPDATE), so importing twice changes
 * nothing; a kind's document is stored once. A host is never half there:
 * its row and its kind commit together. WAL journal, synchronous=NORMAL.
 *
 * Workload: 100,000 hosts in a few hundred kinds; kinds are cached in
 * memory while the inventory is open.
 */
#include "fleet/fleet-private.h"

#include <json-c/json.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "base/json-util.h"
#include "base/util.h"
#include <vmcompat/error.h>

#define VMC_FLEET_DEFAULT_BATCH 1000
#define VMC_FLEET_MAX_LINE (16 * 1024 * 1024)

static const char *const vmc_fleet_schema_v1[] = {
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS kind ("
    "  id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, arch TEXT NOT NULL,"
    "  vendor TEXT, cpu TEXT, qemu TEXT, kernel TEXT, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS host ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    "  kind INTEGER NOT NULL REFERENCES kind(id), cluster TEXT, labels TEXT NOT NULL DEFAULT '{}',"
    "  kernel TEXT, digest TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS host_kind ON host(kind)",
    "CREATE INDEX IF NOT EXISTS host_cluster ON host(cluster)",
    "CREATE TABLE IF NOT EXISTS abi ("
    "  id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS guest ("
    "  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
    "  abi INTEGER NOT NULL REFERENCES abi(id), host TEXT)",
};

gboolean
vmc__fleet_sql_fail(VmcFleet *fleet, GError **error, const char *what)
{
    g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "fleet inventory %s: %s: %s", fleet->path, what,
                sqlite3_errmsg(fleet->db));
    return FALSE;
}

static gboolean
vmc_fleet_exec(VmcFleet *fleet, const char *sql, GError **error)
{
    char *msg = NULL;
    if (sqlite3_exec(fleet->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "fleet inventory %s: %s", fleet->path,
                    msg ? msg : sqlite3_errmsg(fleet->db));
        sqlite3_free(msg);
        return FALSE;
    }
    return TRUE;
}

static void
vmc_fleet_kind_free(gpointer p)
{
    VmcFleetKind *k = p;
    g_free(k->fingerprint);
    g_clear_pointer(&k->host, vmc_host_unref);
    g_free(k);
}

void
vmc_fleet_close(VmcFleet *fleet)
{
    if (!fleet)
        return;
    if (fleet->db)
        sqlite3_close(fleet->db);
    g_hash_table_unref(fleet->kinds);
    vmc_catalog_unref(fleet->cat);
    g_free(fleet->path);
    g_free(fleet);
}

/* The schema version recorded in the file, 0 for a new file. */
static gboolean
vmc_fleet_schema_version(VmcFleet *fleet, int *ret, GError **error)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *ret = 0;
    rc = sqlite3_prepare_v2(fleet->db,
                            "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        /* no meta table: a new inventory */
        sqlite3_finalize(st);
        return TRUE;
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        *ret = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    (void) error;
    return TRUE;
}

VmcFleet *
vmc_fleet_open(VmcCatalog *cat, const char *db, GError **error)
{
    g_autoptr(VmcFleet) fleet = g_new0(VmcFleet, 1);
    int version;

    g_return_val_if_fail(cat && db, NULL);
    fleet->cat = vmc_catalog_ref(cat);
    fleet->path = g_strdup(db);
    fleet->kinds = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, vmc_fleet_kind_free);
    if (g_str_has_prefix(db, "postgresql:") || g_str_has_prefix(db, "postgres:")) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "fleet inventory %s: the PostgreSQL backend is not built yet; use an SQLite file",
                    db);
        return NULL;
    }
    if (sqlite3_open_v2(db, &fleet->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        vmc__fleet_sql_fail(fleet, error, "cannot open");
        return NULL;
    }
    sqlite3_busy_timeout(fleet->db, 10000);
    if (!vmc_fleet_exec(fleet, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                        "PRAGMA foreign_keys=ON", error))
        return NULL;
    if (!vmc_fleet_schema_version(fleet, &version, error))
        return NULL;
    if (version > VMC_FLEET_SCHEMA_VERSION) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "fleet inventory %s: schema version %d is newer than this vmcompat's (%d)",
                    db, version, VMC_FLEET_SCHEMA_VERSION);
        return NULL;
    }
    if (version < VMC_FLEET_SCHEMA_VERSION) {
        /* version 0 → 1: create everything (later versions add steps here) */
        if (!vmc_fleet_exec(fleet, "BEGIN IMMEDIATE", error))
            return NULL;
        for (guint i = 0; i < G_N_ELEMENTS(vmc_fleet_schema_v1); i++)
            if (!vmc_fleet_exec(fleet, vmc_fleet_schema_v1[i], error)) {
                vmc_fleet_exec(fleet, "ROLLBACK", NULL);
                return NULL;
            }
        if (!vmc_fleet_exec(fleet, "INSERT OR REPLACE INTO meta VALUES ('schema_version', '1')", error) ||
            !vmc_fleet_exec(fleet, "COMMIT", error))
            return NULL;
    }
    return g_steal_pointer(&fleet);
}

/* ---- fingerprints ---------------------------------------------------------- */

static json_object *vmc_canonical(json_object *o);

static int
vmc_canonical_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* A copy with object keys sorted and arrays sorted by their canonical text. */
static json_object *
vmc_canonical(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_object: {
        g_autoptr(GPtrArray) keys = g_ptr_array_new();
        json_object *out = json_object_new_object();
        json_object_object_foreach(o, key, val) {
            (void) val;
            g_ptr_array_add(keys, key);
        }
        g_ptr_array_sort(keys, vmc_canonical_cmp);
        for (guint i = 0; i < keys->len; i++) {
            const char *name = g_ptr_array_index(keys, i);
            json_object_object_add(out, name, vmc_canonical(json_object_object_get(o, name)));
        }
        return out;
    }
    case json_type_array: {
        size_t n = json_object_array_length(o);
        g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
        json_object *out = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
            json_object *c = vmc_canonical(json_object_array_get_idx(o, i));
            g_ptr_array_add(texts, g_strdup(json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN)));
            json_object_put(c);
        }
        g_ptr_array_sort(texts, vmc_canonical_cmp);
        for (guint i = 0; i < texts->len; i++)
            json_object_array_add(out, json_tokener_parse(g_ptr_array_index(texts, i)));
        return out;
    }
    default:
        return json_object_get(o);
    }
}

char *
vmc__fleet_fingerprint(json_object *doc)
{
    json_object *c = vmc_canonical(doc);
    json_object *qemu;
    const char *kernel;
    g_autofree char *kx = NULL;
    char *sum;

    /* what does not change a verdict */
    json_object_object_del(c, "name");
    json_object_object_del(c, "notes");
    json_object_object_del(c, "source");
    json_object_object_del(c, "cluster");
    json_object_object_del(c, "labels");
    if (json_object_object_get_ex(c, "qemu", &qemu) && json_object_is_type(qemu, json_type_object))
        json_object_object_del(qemu, "binary");
    kernel = vmc_json_str(c, "kernel");
    if (kernel) {
        unsigned x = 0, y = 0;
        if (sscanf(kernel, "%u.%u", &x, &y) == 2)
            kx = g_strdup_printf("%u.%u", x, y);
        json_object_object_add(c, "kernel", kx ? json_object_new_string(kx) : json_object_new_string(kernel));
    }
    sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
                                        json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN), -1);
    json_object_put(c);
    return sum;
}

/* ---- kinds ---------------------------------------------------------------- */

const VmcHost *
vmc__fleet_kind_host(VmcFleet *fleet, gint64 kind, GError **error)
{
    VmcFleetKind *k = g_hash_table_lookup(fleet->kinds, &kind);
    sqlite3_stmt *st = NULL;
    g_autofree char *name = NULL;

    if (k && k->host)
        return k->host;
    if (sqlite3_prepare_v2(fleet->db, "SELECT fingerprint, doc FROM kind WHERE id = ?", -1, &st,
                           NULL) != SQLITE_OK) {
        vmc__fleet_sql_fail(fleet, error, "reading a host kind");
        return NULL;
    }
    sqlite3_bind_int64(st, 1, kind);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "fleet inventory %s: no host kind %" G_GINT64_FORMAT,
                    fleet->path, kind);
        return NULL;
    }
    if (!k) {
        gint64 *key = g_new(gint64, 1);
        *key = kind;
        k = g_new0(VmcFleetKind, 1);
        k->id = kind;
        k->fingerprint = g_strdup((const char *) sqlite3_column_text(st, 0));
        g_hash_table_insert(fleet->kinds, key, k);
    }
    name = g_strdup_printf("kind %" G_GINT64_FORMAT " (%.12s)", kind, k->fingerprint);
    k->host = vmc_host_parse(fleet->cat, (const char *) sqlite3_column_text(st, 1),
                             (gsize) sqlite3_column_bytes(st, 1), name, error);
    sqlite3_finalize(st);
    return k->host;
}

/* ---- filters ---------------------------------------------------------------- */

/* "cluster=C,host=GLOB,label.K=V,kind=N" → SQL conditions on host h, with
 * the values to bind in order. */
static gboolean
vmc_fleet_filter(const char *where, GString *sql, GPtrArray *binds, GError **error)
{
    g_auto(GStrv) parts = NULL;

    g_string_append(sql, " WHERE 1");
    if (!where || !*where)
        return TRUE;
    parts = g_strsplit(where, ",", -1);
    for (char **p = parts; *p; p++) {
        const char *eq = strchr(*p, '=');
        g_autofree char *key = eq ? g_strndup(*p, eq - *p) : NULL;
        if (!eq || !*key) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "--where '%s': expected KEY=VALUE (cluster=C, host=GLOB, label.K=V, kind=N)", *p);
            return FALSE;
        }
        if (g_str_equal(key, "cluster")) {
            g_string_append(sql, " AND h.cluster = ?");
        } else if (g_str_equal(key, "host")) {
            g_string_append(sql, " AND h.name GLOB ?");
        } else if (g_str_equal(key, "kind")) {
            g_string_append(sql, " AND h.kind = CAST(? AS INTEGER)");
        } else if (g_str_has_prefix(key, "label.") && key[6]) {
            g_autofree char *path = g_strdup_printf("$.\"%s\"", key + 6);
            if (strchr(key + 6, '"')) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "--where '%s': a label name "
                            "cannot contain '\"'", *p);
                return FALSE;
            }
            g_string_append(sql, " AND json_extract(h.labels, ?) = ?");
            g_ptr_array_add(binds, g_steal_pointer(&path));
        } else {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "--where '%s': unknown key '%s' (cluster, host, label.K, kind)", *p, key);
            return FALSE;
        }
        g_ptr_array_add(binds, g_strdup(eq + 1));
    }
    return TRUE;
}

static sqlite3_stmt *
vmc_fleet_prepare_filtered(VmcFleet *fleet, const char *head, const char *tail, const char *where,
                           GError **error)
{
    g_autoptr(GString) sql = g_string_new(head);
    g_autoptr(GPtrArray) binds = g_ptr_array_new_with_free_func(g_free);
    sqlite3_stmt *st = NULL;

    if (!vmc_fleet_filter(where, sql, binds, error))
        return NULL;
    g_string_append(sql, tail);
    if (sqlite3_prepare_v2(fleet->db, sql->str, -1, &st, NULL) != SQLITE_OK) {
        vmc__fleet_sql_fail(fleet, error, "query");
        return NULL;
    }
    for (guint i = 0; i < binds->len; i++)
        sqlite3_bind_text(st, (int) i + 1, g_ptr_array_index(binds, i), -1, SQLITE_TRANSIENT);
    return st;
}

GHashTable *
vmc__fleet_kind_counts(VmcFleet *fleet, const char *where, GHashTable **ret_examples, GError **error)
{
    sqlite3_stmt *st = vmc_fleet_prepare_filtered(fleet, "SELECT h.kind, count(*), min(h.name) FROM host h",
                                                  " GROUP BY h.kind", where, error);
    GHashTable *counts;
    int rc;

    if (!st)
        return NULL;
    counts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    if (ret_examples)
        *ret_examples = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        gint64 *k = g_new(gint64, 1);
        *k = sqlite3_column_int64(st, 0);
        g_hash_table_insert(counts, k, GUINT_TO_POINTER((guint) sqlite3_column_int(st, 1)));
        if (ret_examples) {
            gint64 *k2 = g_new(gint64, 1);
            *k2 = *k;
            g_hash_table_insert(*ret_examples, k2, g_strdup((const char *) sqlite3_column_text(st, 2)));
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        g_hash_table_unref(counts);
        vmc__fleet_sql_fail(fleet, error, "counting hosts per kind");
        return NULL;
    }
    return counts;
}

/* ---- import ---------------------------------------------------------------- */

typedef struct {
    VmcFleet *fleet;
    GHashTable *fp_to_kind;  /* fingerprint → gint64 id + 1 (as pointer-size int) */
    sqlite3_stmt *find_kind, *add_kind, *find_host, *upsert_host;
    VmcFleetImportStats *stats;
    guint in_batch, batch;
} VmcImport;

static void
vmc_import_finish(VmcImport *im)
{
    sqlite3_finalize(im->find_kind);
    sqlite3_finalize(im->add_kind);
    sqlite3_finalize(im->find_host);
    sqlite3_finalize(im->upsert_host);
    g_hash_table_unref(im->fp_to_kind);
}

/* The kind id of @fp, adding it (the document, validated by parsing it as a
 * host) when new. */
static gboolean
vmc_import_kind(VmcImport *im, const char *fp, json_object *doc, const char *where, gint64 *ret,
                GError **error)
{
    VmcFleet *fleet = im->fleet;
    gpointer cached = g_hash_table_lookup(im->fp_to_kind, fp);
    g_autoptr(VmcHost) host = NULL;
    const char *text;
    const VmcCpuDef *cpu;
    const char *model;

    if (cached) {
        *ret = GPOINTER_TO_SIZE(cached) - 1;
        return TRUE;
    }
    sqlite3_reset(im->find_kind);
    sqlite3_bind_text(im->find_kind, 1, fp, -1, SQLITE_STATIC);
    if (sqlite3_step(im->find_kind) == SQLITE_ROW) {
        *ret = sqlite3_column_int64(im->find_kind, 0);
        g_hash_table_insert(im->fp_to_kind, g_strdup(fp), GSIZE_TO_POINTER((gsize) *ret + 1));
        return TRUE;
    }
    /* a new kind: the document must be a host this vmcompat reads */
    text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
    host = vmc_host_parse(fleet->cat, text, strlen(text), where, error);
    if (!host)
        return FALSE;
    cpu = vmc_host_get_cpu(host);
    model = cpu ? vmc_cpu_def_get_model(cpu) : NULL;
    sqlite3_reset(im->add_kind);
    sqlite3_bind_text(im->add_kind, 1, fp, -1, SQLITE_STATIC);
    sqlite3_bind_text(im->add_kind, 2, vmc_arch_to_string(vmc_host_get_arch(host)), -1, SQLITE_STATIC);
    sqlite3_bind_text(im->add_kind, 3, cpu ? vmc_cpu_def_get_vendor(cpu) : NULL, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(im->add_kind, 4, model, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(im->add_kind, 5, vmc_host_get_qemu_version(host), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(im->add_kind, 6, vmc_host_get_kernel(host), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(im->add_kind, 7, text, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(im->add_kind) != SQLITE_DONE)
        return vmc__fleet_sql_fail(fleet, error, "adding a host kind");
    *ret = sqlite3_last_insert_rowid(fleet->db);
    g_hash_table_insert(im->fp_to_kind, g_strdup(fp), GSIZE_TO_POINTER((gsize) *ret + 1));
    im->stats->kinds_new++;
    return TRUE;
}

static gboolean
vmc_import_commit(VmcImport *im, GError **error)
{
    if (im->in_batch == 0)
        return TRUE;
    if (!vmc_fleet_exec(im->fleet, "COMMIT", error))
        return FALSE;
    im->in_batch = 0;
    im->stats->batches++;
    return TRUE;
}

/* One host document (a parsed JSON object, consumed). */
static gboolean
vmc_import_host(VmcImport *im, json_object *doc, const char *cluster, const char *where,
                GError **error)
{
    VmcFleet *fleet = im->fleet;
    g_autofree char *fp = NULL, *digest = NULL;
    const char *name, *c, *kernel;
    json_object *labels = NULL;
    const char *labels_text = "{}";
    gint64 kind = 0;
    int rc;

    if (!json_object_is_type(doc, json_type_object) || !vmc_json_get(doc, "format", json_type_int)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: not a host document (a JSON object "
                    "with \"format\": 1)", where);
        return FALSE;
    }
    name = vmc_json_str(doc, "name");
    if (!name || !*name) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'name': a fleet host needs a name",
                    where);
        return FALSE;
    }
    c = vmc_json_str(doc, "cluster");
    if (!c)
        c = cluster;
    if (json_object_object_get_ex(doc, "labels", &labels)) {
        if (!json_object_is_type(labels, json_type_object)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'labels': an object of strings",
                        where);
            return FALSE;
        }
        labels_text = json_object_to_json_string_ext(labels, JSON_C_TO_STRING_PLAIN);
    }
    kernel = vmc_json_str(doc, "kernel");
    if (im->in_batch == 0 && !vmc_fleet_exec(fleet, "BEGIN IMMEDIATE", error))
        return FALSE;
    fp = vmc__fleet_fingerprint(doc);
    if (!vmc_import_kind(im, fp, doc, where, &kind, error))
        return FALSE;
    digest = g_strdup_printf("%s|%s|%s|%s", fp, c ? c : "", labels_text, kernel ? kernel : "");
    sqlite3_reset(im->find_host);
    sqlite3_bind_text(im->find_host, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(im->find_host);
    if (rc == SQLITE_ROW && g_str_equal((const char *) sqlite3_column_text(im->find_host, 0), digest)) {
        im->stats->hosts_unchanged++;
    } else {
        if (rc == SQLITE_ROW)
            im->stats->hosts_updated++;
        else
            im->stats->hosts_new++;
        sqlite3_reset(im->upsert_host);
        sqlite3_bind_text(im->upsert_host, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(im->upsert_host, 2, kind);
        sqlite3_bind_text(im->upsert_host, 3, c, -1, SQLITE_STATIC);
        sqlite3_bind_text(im->upsert_host, 4, labels_text, -1, SQLITE_STATIC);
        sqlite3_bind_text(im->upsert_host, 5, kernel, -1, SQLITE_STATIC);
        sqlite3_bind_text(im->upsert_host, 6, digest, -1, SQLITE_STATIC);
        if (sqlite3_step(im->upsert_host) != SQLITE_DONE)
            return vmc__fleet_sql_fail(fleet, error, "storing a host");
    }
    if (++im->in_batch >= im->batch)
        return vmc_import_commit(im, error);
    return TRUE;
}

static gboolean
vmc_import_jsonl(VmcImport *im, const char *path, const char *cluster, GError **error)
{
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GFileInputStream) in = g_file_read(file, NULL, error);
    g_autoptr(GDataInputStream) data = NULL;
    guint line = 0;

    if (!in) {
        g_prefix_error(error, "%s: ", path);
        return FALSE;
    }
    data = g_data_input_stream_new(G_INPUT_STREAM(in));
    g_buffered_input_stream_set_buffer_size(G_BUFFERED_INPUT_STREAM(data), 1 << 20);
    for (;;) {
        gsize len = 0;
        g_autoptr(GError) local = NULL;
        g_autofree char *text = g_data_input_stream_read_line(data, &len, NULL, &local);
        g_autofree char *where = NULL;
        json_object *doc;
        gboolean ok;

        if (!text) {
            if (local) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s:%u: %s", path, line + 1, local->message);
                return FALSE;
            }
            return TRUE;
        }
        line++;
        if (len == 0 || text[strspn(text, " \t\r")] == '\0')
            continue;
        where = g_strdup_printf("%s:%u", path, line);
        if (len > VMC_FLEET_MAX_LINE) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT, "%s: a line longer than %d MiB", where,
                        VMC_FLEET_MAX_LINE >> 20);
            return FALSE;
        }
        if (!(doc = vmc_json_parse(text, len, where, error)))
            return FALSE;
        ok = vmc_import_host(im, doc, cluster, where, error);
        json_object_put(doc);
        if (!ok)
            return FALSE;
    }
}

gboolean
vmc_fleet_import(VmcFleet *fleet, const char *const *paths, const char *cluster, guint batch,
                 VmcFleetImportStats *stats, GError **error)
{
    VmcImport im = { .fleet = fleet, .stats = stats, .batch = batch ? batch : VMC_FLEET_DEFAULT_BATCH };
    VmcFleetImportStats dummy;
    gboolean ok = TRUE;

    if (!stats)
        im.stats = &dummy;
    memset(im.stats, 0, sizeof(*im.stats));
    im.fp_to_kind = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (sqlite3_prepare_v2(fleet->db, "SELECT id FROM kind WHERE fingerprint = ?", -1, &im.find_kind, NULL) ||
        sqlite3_prepare_v2(fleet->db, "INSERT INTO kind (fingerprint, arch, vendor, cpu, qemu, kernel, doc) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &im.add_kind, NULL) ||
        sqlite3_prepare_v2(fleet->db, "SELECT digest FROM host WHERE name = ?", -1, &im.find_host, NULL) ||
        sqlite3_prepare_v2(fleet->db, "INSERT INTO host (name, kind, cluster, labels, kernel, digest) "
                           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, "
                           "cluster = excluded.cluster, labels = excluded.labels, kernel = excluded.kernel, "
                           "digest = excluded.digest", -1, &im.upsert_host, NULL)) {
        vmc_import_finish(&im);
        return vmc__fleet_sql_fail(fleet, error, "preparing the import");
    }
    for (const char *const *p = paths; ok && p && *p; p++) {
        if (g_str_has_suffix(*p, ".jsonl")) {
            ok = vmc_import_jsonl(&im, *p, cluster, error);
        } else {
            /* any host input: read it as a host, store its document */
            g_autoptr(VmcHost) host = vmc_host_load(fleet->cat, *p, error);
            g_autofree char *text = host ? vmc_host_to_json(host) : NULL;
            json_object *doc = text ? json_tokener_parse(text) : NULL;
            ok = doc && vmc_import_host(&im, doc, cluster, *p, error);
            if (doc)
                json_object_put(doc);
        }
    }
    if (ok)
        ok = vmc_import_commit(&im, error);
    else if (!sqlite3_get_autocommit(fleet->db))
        vmc_fleet_exec(fleet, "ROLLBACK", NULL);   /* the failed batch only */
    vmc_import_finish(&im);
    return ok;
}

gboolean
vmc_fleet_forget(VmcFleet *fleet, const char *host, GError **error)
{
    sqlite3_stmt *st = NULL;

    if (!vmc_fleet_exec(fleet, "BEGIN IMMEDIATE", error))
        return FALSE;
    if (sqlite3_prepare_v2(fleet->db, "DELETE FROM host WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_changes(fleet->db) == 0) {
        vmc_fleet_exec(fleet, "ROLLBACK", NULL);
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "fleet inventory %s: no host '%s'",
                    fleet->path, host);
        return FALSE;
    }
    if (!vmc_fleet_exec(fleet, "DELETE FROM kind WHERE id NOT IN (SELECT DISTINCT kind FROM host)",
                        error) ||
        !vmc_fleet_exec(fleet, "COMMIT", error))
        return FALSE;
    g_hash_table_remove_all(fleet->kinds);
    return TRUE;
fail:
    sqlite3_finalize(st);
    vmc__fleet_sql_fail(fleet, error, "forgetting a host");
    vmc_fleet_exec(fleet, "ROLLBACK", NULL);
    return FALSE;
}

void
vmc_fleet_host_clear(VmcFleetHost *h)
{
    g_free(h->name);
    g_free(h->cluster);
    g_free(h->labels);
    g_free(h->kernel);
    g_free(h->kind_fingerprint);
}

GArray *
vmc_fleet_hosts(VmcFleet *fleet, const char *where, GError **error)
{
    sqlite3_stmt *st = vmc_fleet_prepare_filtered(
        fleet, "SELECT h.name, h.cluster, h.labels, h.kernel, h.kind, k.fingerprint "
               "FROM host h JOIN kind k ON k.id = h.kind", " ORDER BY h.name", where, error);
    GArray *rows;
    int rc;

    if (!st)
        return NULL;
    rows = g_array_new(FALSE, TRUE, sizeof(VmcFleetHost));
    g_array_set_clear_func(rows, (GDestroyNotify) vmc_fleet_host_clear);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        VmcFleetHost h = {
            .name = g_strdup((const char *) sqlite3_column_text(st, 0)),
            .cluster = g_strdup((const char *) sqlite3_column_text(st, 1)),
            .labels = g_strdup((const char *) sqlite3_column_text(st, 2)),
            .kernel = g_strdup((const char *) sqlite3_column_text(st, 3)),
            .kind = sqlite3_column_int64(st, 4),
            .kind_fingerprint = g_strdup((const char *) sqlite3_column_text(st, 5)),
        };
        g_array_append_val(rows, h);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        g_array_unref(rows);
        vmc__fleet_sql_fail(fleet, error, "listing hosts");
        return NULL;
    }
    return rows;
}

guint
vmc_fleet_count_kinds(VmcFleet *fleet)
{
    sqlite3_stmt *st = NULL;
    guint n = 0;
    if (sqlite3_prepare_v2(fleet->db, "SELECT count(*) FROM kind", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = (guint) sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* ---- guests ------------------------------------------------------------------ */

gboolean
vmc_fleet_guest_add(VmcFleet *fleet, const char *name, const VmcAbi *abi, const char *host,
                    GError **error)
{
    g_autofree char *json = vmc_abi_to_json(abi);
    sqlite3_stmt *st = NULL;
    gint64 abi_id = 0;

    if (host) {
        g_autoptr(GArray) h = NULL;
        g_autofree char *filter = g_strdup_printf("host=%s", host);
        if (strpbrk(host, "*?[,") || !(h = vmc_fleet_hosts(fleet, filter, error)) || h->len != 1) {
            if (error && !*error)
                g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "fleet inventory %s: no host '%s'",
                            fleet->path, host);
            return FALSE;
        }
    }
    if (!vmc_fleet_exec(fleet, "BEGIN IMMEDIATE", error))
        return FALSE;
    if (sqlite3_prepare_v2(fleet->db, "INSERT INTO abi (fingerprint, doc) VALUES (?, ?) "
                           "ON CONFLICT(fingerprint) DO UPDATE SET doc = doc RETURNING id", -1, &st,
                           NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, vmc_abi_get_fingerprint(abi), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        goto fail;
    abi_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(fleet->db, "INSERT INTO guest (name, abi, host) VALUES (?, ?, ?) "
                           "ON CONFLICT(name) DO UPDATE SET abi = excluded.abi, host = excluded.host",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, abi_id);
    sqlite3_bind_text(st, 3, host, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    return vmc_fleet_exec(fleet, "COMMIT", error);
fail:
    sqlite3_finalize(st);
    vmc__fleet_sql_fail(fleet, error, "storing a guest");
    vmc_fleet_exec(fleet, "ROLLBACK", NULL);
    return FALSE;
}

VmcAbi *
vmc_fleet_guest_get(VmcFleet *fleet, const char *name, char **ret_host, GError **error)
{
    sqlite3_stmt *st = NULL;
    g_autofree char *where = g_strdup_printf("%s: guest '%s'", fleet->path, name);
    VmcAbi *abi;

    if (sqlite3_prepare_v2(fleet->db, "SELECT a.doc, g.host FROM guest g JOIN abi a ON a.id = g.abi "
                           "WHERE g.name = ?", -1, &st, NULL) != SQLITE_OK) {
        vmc__fleet_sql_fail(fleet, error, "reading a guest");
        return NULL;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "fleet inventory %s: no guest '%s'",
                    fleet->path, name);
        return NULL;
    }
    abi = vmc_abi_parse(fleet->cat, (const char *) sqlite3_column_text(st, 0),
                        (gsize) sqlite3_column_bytes(st, 0), where, error);
    if (abi && ret_host)
        *ret_host = g_strdup((const char *) sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    return abi;
}

gboolean
vmc__fleet_foreach_guest(VmcFleet *fleet, VmcFleetGuestFn fn, gpointer user_data, GError **error)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (sqlite3_prepare_v2(fleet->db, "SELECT g.name, a.doc, a.fingerprint, g.host FROM guest g "
                           "JOIN abi a ON a.id = g.abi ORDER BY g.name", -1, &st, NULL) != SQLITE_OK)
        return vmc__fleet_sql_fail(fleet, error, "listing guests");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (!fn((const char *) sqlite3_column_text(st, 0), (const char *) sqlite3_column_text(st, 1),
                (const char *) sqlite3_column_text(st, 2), (const char *) sqlite3_column_text(st, 3),
                user_data))
            break;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return vmc__fleet_sql_fail(fleet, error, "listing guests");
    return TRUE;
}

/* The kind id of a host by name. */
gboolean
vmc__fleet_host_kind(VmcFleet *fleet, const char *name, gint64 *ret, GError **error)
{
    sqlite3_stmt *st = NULL;
    gboolean found;

    if (sqlite3_prepare_v2(fleet->db, "SELECT kind FROM host WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
        return vmc__fleet_sql_fail(fleet, error, "finding a host");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        *ret = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (!found)
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "fleet inventory %s: no host '%s'",
                    fleet->path, name);
    return found;
}

