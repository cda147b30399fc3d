/* store.c: the fleet inventory — opening it on a backend (SQLite file or
 * PostgreSQL URI, store-private.h), the schema (versioned in `meta`,
 * migrated on open, a newer one refused), filters, hosts, forget, guests.
 * The import is store-import.c; host kinds and fingerprints are
 * store-hostline.c.
 *
 * One schema text for both engines: `@ID@` stands for the backend's
 * auto-assigned 64-bit key. Migrations run in one write transaction under
 * the backend's schema lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
 * advisory lock), after reading the version again inside it, so several
 * nodes opening a new inventory at once create it once.
 *
 * Rows are locked kinds first, then hosts, everywhere: forget locks the
 * host's kind before deleting the host, and deletes the kind only if no
 * host (committed by anyone) still has it, so it never deadlocks with an
 * import. What deadlocks remain on PostgreSQL (two imports inserting the
 * same new kinds in another order) fail one transaction with a retryable
 * error, and its writer runs it again.
 *
 * Workload: reads of 100,000 hosts in a few hundred kinds; kinds are
 * cached in memory while the inventory is open.
 */
#include "fleet/fleet-private.h"

#include <stdarg.h>
#include <string.h>

#include "base/util.h"
#include <vmcompat/error.h>

/* ---- backends ------------------------------------------------------------------ */

static gboolean
vmc_store_is_pg(const char *target)
{
    return g_str_has_prefix(target, "postgresql://") || g_str_has_prefix(target, "postgres://");
}

char *
vmc__store_display_name(const char *target)
{
    GString *out;
    const char *auth, *auth_end, *at, *colon, *p;

    if (!vmc_store_is_pg(target))
        return g_strdup(target);
    out = g_string_new(NULL);
    auth = strstr(target, "://") + 3;
    auth_end = auth + strcspn(auth, "/?#");
    at = NULL;
    for (p = auth; p < auth_end; p++)
        if (*p == '@')
            at = p;
    colon = at ? memchr(auth, ':', at - auth) : NULL;
    if (colon) {
        g_string_append_len(out, target, colon + 1 - target);
        g_string_append(out, "***");
        p = at;
    } else {
        p = target;
    }
    /* and any password=... parameter */
    while (*p) {
        const char *pw = strstr(p, "password=");
        if (!pw || (pw != p && pw[-1] != '?' && pw[-1] != '&')) {
            if (!pw) {
                g_string_append(out, p);
                break;
            }
            g_string_append_len(out, p, pw + 9 - p);
            p = pw + 9;
            continue;
        }
        g_string_append_len(out, p, pw + 9 - p);
        g_string_append(out, "***");
        p = pw + 9 + strcspn(pw + 9, "&#");
    }
    return g_string_free(out, FALSE);
}

gboolean
vmc__store_set_errmsg(VmcStore *store, const char *fmt, ...)
{
    va_list ap;

    g_free(store->errmsg);
    va_start(ap, fmt);
    store->errmsg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    store->retryable = FALSE;
    return FALSE;
}

VmcStore *
vmc__store_open(const char *target, GError **error)
{
    g_autofree char *display = vmc__store_display_name(target);
    const VmcStoreOps *ops = vmc_store_is_pg(target) ? &vmc__store_pg_ops : &vmc__store_sqlite_ops;

    return ops->open(target, display, error);
}

void
vmc__store_close(VmcStore *store)
{
    if (store)
        store->ops->close(store);
}

gboolean
vmc__store_begin(VmcStore *store)
{
    store->retryable = FALSE;
    return vmc__store_exec(store, store->ops->begin_write);
}

gboolean
vmc__store_commit(VmcStore *store)
{
    return vmc__store_exec(store, "COMMIT");
}

void
vmc__store_rollback(VmcStore *store)
{
    g_autofree char *keep = g_strdup(store->errmsg);
    gboolean retryable = store->retryable;

    /* the failure that led here is the one to report */
    vmc__store_exec(store, "ROLLBACK");
    g_free(store->errmsg);
    store->errmsg = g_steal_pointer(&keep);
    store->retryable = retryable;
}

/* The ']' closing the class that opens at @b ('['), or NULL: "[^" negates
 * and a ']' right after the opening is a member (SQLite GLOB). */
static const char *
vmc_glob_class_end(const char *b)
{
    const char *q = b + 1;

    if (*q == '^')
        q++;
    if (*q == ']')
        q++;
    return strchr(q, ']');
}

/* Every '[' of @glob opens a class that closes. */
static gboolean
vmc_glob_valid(const char *glob)
{
    for (const char *p = glob; *p; p++)
        if (*p == '[' && !(p = vmc_glob_class_end(p)))
            return FALSE;
    return TRUE;
}

char *
vmc__store_glob_to_regex(const char *glob)
{
    GString *re = g_string_new("^");
    const char *end;

    for (const char *p = glob; *p; p++) {
        if (*p == '*') {
            g_string_append(re, ".*");
        } else if (*p == '?') {
            g_string_append_c(re, '.');
        } else if (*p == '[' && (end = vmc_glob_class_end(p))) {
            const char *q = p + 1;
            g_string_append_c(re, '[');
            if (*q == '^')
                g_string_append_c(re, *q++);
            if (*q == ']') {
                g_string_append(re, "\\]");
                q++;
            }
            for (; q < end; q++) {
                /* in a PostgreSQL (ARE) bracket expression '\' escapes */
                if (*q == '\\' || *q == '[')
                    g_string_append_c(re, '\\');
                g_string_append_c(re, *q);
            }
            g_string_append_c(re, ']');
            p = end;
        } else {
            if (strchr("\\.^$|()[]{}+*?", *p))
                g_string_append_c(re, '\\');
            g_string_append_c(re, *p);
        }
    }
    g_string_append_c(re, '$');
    return g_string_free(re, FALSE);
}

/* ---- the inventory ------------------------------------------------------------- */

gboolean
vmc__fleet_sql_fail(VmcFleet *fleet, GError **error, const char *what)
{
    g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "fleet inventory %s: %s: %s", fleet->path, what,
                vmc__store_errmsg(fleet->store));
    return FALSE;
}

/* Roll back the current transaction, then fail like vmc__fleet_sql_fail. */
static gboolean
vmc_fleet_abort(VmcFleet *fleet, GError **error, const char *what)
{
    vmc__store_rollback(fleet->store);
    return vmc__fleet_sql_fail(fleet, error, what);
}

static void
vmc_fleet_kind_free(gpointer p)
{
    VmcFleetKind *k = p;
    g_free(k->fingerprint);
    g_clear_pointer(&k->view, vmc__host_view_free);
    g_clear_pointer(&k->host_model, vmc_cpu_def_unref);
    g_clear_pointer(&k->host, vmc_host_unref);
    g_free(k);
}

void
vmc_fleet_close(VmcFleet *fleet)
{
    if (!fleet)
        return;
    vmc__store_close(fleet->store);
    g_hash_table_unref(fleet->kinds);
    g_hash_table_unref(fleet->counts);
    vmc_catalog_unref(fleet->cat);
    g_free(fleet->path);
    g_free(fleet);
}

/* ---- schema ---------------------------------------------------------------------- */

/* Version 1: what 08f895a created in SQLite, in both dialects. */
static const char *const vmc_fleet_schema_v1[] = {
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS kind ("
    "  id @ID@, fingerprint TEXT NOT NULL UNIQUE, arch TEXT NOT NULL,"
    "  vendor TEXT, cpu TEXT, qemu TEXT, kernel TEXT, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS host ("
    "  id @ID@, name TEXT NOT NULL UNIQUE,"
    "  kind BIGINT NOT NULL REFERENCES kind(id), cluster TEXT, labels TEXT NOT NULL DEFAULT '{}',"
    "  kernel TEXT, digest TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS host_kind ON host(kind)",
    "CREATE INDEX IF NOT EXISTS host_cluster ON host(cluster)",
    "CREATE TABLE IF NOT EXISTS abi ("
    "  id @ID@, fingerprint TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS guest ("
    "  id @ID@, name TEXT NOT NULL UNIQUE,"
    "  abi BIGINT NOT NULL REFERENCES abi(id), host TEXT)",
    NULL,
};

/* Version 2: each ABI's requirement vector (guest/abi-check.h) under the
 * default check mode, per catalog digest — derived data, recomputed when
 * missing, so several vmcompat versions can share one inventory. */
static const char *const vmc_fleet_schema_v2[] = {
    "CREATE TABLE IF NOT EXISTS abi_vector ("
    "  abi BIGINT NOT NULL REFERENCES abi(id), catalog TEXT NOT NULL, vector TEXT NOT NULL,"
    "  PRIMARY KEY (abi, catalog))",
    NULL,
};

/* The steps from version N-1 to N, in order; [0] is version 1. */
static const char *const *const vmc_fleet_migrations[] = {
    vmc_fleet_schema_v1,
    vmc_fleet_schema_v2,
};
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_fleet_migrations) == VMC_FLEET_SCHEMA_VERSION);

/* The schema version recorded in the inventory, 0 for a new one. */
static gboolean
vmc_fleet_schema_version(VmcFleet *fleet, gint64 *ret, GError **error)
{
    g_autoptr(VmcStoreStmt) st = vmc__store_prepare(fleet->store, fleet->store->ops->has_table);
    const char *v;
    char *end = NULL;

    *ret = 0;
    if (!st)
        return vmc__fleet_sql_fail(fleet, error, "reading the schema version");
    vmc__store_bind_text(st, 1, "meta");
    if (vmc__store_step(st) != VMC_STORE_ROW)
        return vmc__fleet_sql_fail(fleet, error, "reading the schema version");
    if (vmc__store_column_int64(st, 0) == 0)
        return TRUE;
    g_clear_pointer(&st, vmc__store_finalize);
    st = vmc__store_prepare(fleet->store, "SELECT value FROM meta WHERE key = 'schema_version'");
    if (!st)
        return vmc__fleet_sql_fail(fleet, error, "reading the schema version");
    switch (vmc__store_step(st)) {
    case VMC_STORE_ROW:
        v = vmc__store_column_text(st, 0);
        *ret = v ? g_ascii_strtoll(v, &end, 10) : 0;
        if (!v || end == v || *end || *ret < 0) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "fleet inventory %s: schema version '%s' "
                        "is not a number", fleet->path, v ? v : "(null)");
            return FALSE;
        }
        return TRUE;
    case VMC_STORE_DONE:
        return TRUE;
    default:
        return vmc__fleet_sql_fail(fleet, error, "reading the schema version");
    }
}

static gboolean
vmc_fleet_refuse_newer(VmcFleet *fleet, gint64 version, GError **error)
{
    g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                "fleet inventory %s: schema version %" G_GINT64_FORMAT " is newer than this "
                "vmcompat's (%d)", fleet->path, version, VMC_FLEET_SCHEMA_VERSION);
    return FALSE;
}

/* Bring the schema to VMC_FLEET_SCHEMA_VERSION in one transaction. */
static gboolean
vmc_fleet_migrate(VmcFleet *fleet, GError **error)
{
    VmcStore *store = fleet->store;
    g_autoptr(VmcStoreStmt) st = NULL;
    g_autofree char *version_text = NULL;
    gint64 version;

    if (!vmc__store_begin(store))
        return vmc__fleet_sql_fail(fleet, error, "migrating the schema");
    if (store->ops->schema_lock && !vmc__store_exec(store, store->ops->schema_lock))
        return vmc_fleet_abort(fleet, error, "locking the schema");
    /* again, under the lock: another node may have done it meanwhile */
    if (!vmc_fleet_schema_version(fleet, &version, error)) {
        vmc__store_rollback(store);
        return FALSE;
    }
    if (version > VMC_FLEET_SCHEMA_VERSION) {
        vmc__store_rollback(store);
        return vmc_fleet_refuse_newer(fleet, version, error);
    }
    for (gint64 v = version + 1; v <= VMC_FLEET_SCHEMA_VERSION; v++) {
        for (const char *const *sql = vmc_fleet_migrations[v - 1]; *sql; sql++) {
            g_auto(GStrv) parts = g_strsplit(*sql, "@ID@", -1);
            g_autofree char *text = g_strjoinv(store->ops->id_column, parts);
            if (!vmc__store_exec(store, text))
                return vmc_fleet_abort(fleet, error, "migrating the schema");
        }
    }
    version_text = g_strdup_printf("%d", VMC_FLEET_SCHEMA_VERSION);
    st = vmc__store_prepare(store, "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                            "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    if (!st)
        return vmc_fleet_abort(fleet, error, "migrating the schema");
    vmc__store_bind_text(st, 1, version_text);
    if (vmc__store_step(st) != VMC_STORE_DONE)
        return vmc_fleet_abort(fleet, error, "migrating the schema");
    if (!vmc__store_commit(store))
        return vmc_fleet_abort(fleet, error, "migrating the schema");
    return TRUE;
}

VmcFleet *
vmc_fleet_open(VmcCatalog *cat, const char *db, GError **error)
{
    g_autoptr(VmcFleet) fleet = NULL;
    gint64 version;

    g_return_val_if_fail(cat && db, NULL);
    fleet = g_new0(VmcFleet, 1);
    fleet->cat = vmc_catalog_ref(cat);
    fleet->path = vmc__store_display_name(db);
    fleet->kinds = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, vmc_fleet_kind_free);
    fleet->counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, vmc__fleet_counts_free);
    if (!(fleet->store = vmc__store_open(db, error)))
        return NULL;
    if (!vmc_fleet_schema_version(fleet, &version, error))
        return NULL;
    if (version > VMC_FLEET_SCHEMA_VERSION) {
        vmc_fleet_refuse_newer(fleet, version, error);
        return NULL;
    }
    if (version < VMC_FLEET_SCHEMA_VERSION && !vmc_fleet_migrate(fleet, error))
        return NULL;
    return g_steal_pointer(&fleet);
}

/* ---- kinds ------------------------------------------------------------------------ */

const VmcHost *
vmc__fleet_kind_host(VmcFleet *fleet, gint64 kind, GError **error)
{
    VmcFleetKind *k = g_hash_table_lookup(fleet->kinds, &kind);
    g_autoptr(VmcStoreStmt) st = NULL;
    g_autofree char *name = NULL;
    VmcStoreStep rc;

    if (k && k->host)
        return k->host;
    if (!(st = vmc__store_prepare(fleet->store, "SELECT fingerprint, doc FROM kind WHERE id = ?"))) {
        vmc__fleet_sql_fail(fleet, error, "reading a host kind");
        return NULL;
    }
    vmc__store_bind_int64(st, 1, kind);
    if ((rc = vmc__store_step(st)) != VMC_STORE_ROW) {
        if (rc == VMC_STORE_ERROR)
            vmc__fleet_sql_fail(fleet, error, "reading a host kind");
        else
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "fleet inventory %s: no host kind %"
                        G_GINT64_FORMAT, fleet->path, kind);
        return NULL;
    }
    if (!k) {
        gint64 *key = g_new(gint64, 1);
        *key = kind;
        k = g_new0(VmcFleetKind, 1);
        k->id = kind;
        k->fingerprint = g_strdup(vmc__store_column_text(st, 0));
        g_hash_table_insert(fleet->kinds, key, k);
    }
    name = g_strdup_printf("kind %" G_GINT64_FORMAT " (%.12s)", kind, k->fingerprint);
    k->host = vmc_host_parse(fleet->cat, vmc__store_column_text(st, 1),
                             vmc__store_column_bytes(st, 1), name, error);
    return k->host;
}

/* ---- filters ------------------------------------------------------------------------ */

/* The vendor name a --where vendor=V means: a CPUID vendor string
 * ("GenuineIntel") is its catalog name ("Intel"); anything else is
 * compared as it is, without regard to ASCII case (transfer full). */
static char *
vmc_fleet_filter_vendor(VmcFleet *fleet, const char *value)
{
    for (VmcArch arch = 0; arch < VMC_ARCH_N; arch++) {
        const char *name = vmc_catalog_vendor_name(fleet->cat, arch, value);
        if (name)
            return g_ascii_strdown(name, -1);
    }
    return g_ascii_strdown(value, -1);
}

/* "cluster=C,host=GLOB,label.K=V,kind=N,vendor=V,arch=A" → SQL conditions
 * on host h, with the values to bind in order. The same filter means the
 * same hosts on both backends: a glob is SQLite's GLOB (a POSIX regex on
 * PostgreSQL), label values are strings (the import refuses others), a
 * vendor is folded to lower case in ASCII only (SQLite's lower(), and
 * PostgreSQL's under the "C" collation). Vendor and arch are the kind's
 * columns, asked through a sub-select (a few hundred kinds). */
static gboolean
vmc_fleet_filter(VmcFleet *fleet, const char *where, GString *sql, GPtrArray *binds, GError **error)
{
    const VmcStoreOps *ops = fleet->store->ops;
    g_auto(GStrv) parts = NULL;

    g_string_append(sql, " WHERE TRUE");
    if (!where || !*where)
        return TRUE;
    parts = g_strsplit(where, ",", -1);
    for (char **p = parts; *p; p++) {
        const char *eq = strchr(*p, '=');
        g_autofree char *key = eq ? g_strndup(*p, eq - *p) : NULL;
        const char *value = eq ? eq + 1 : NULL;

        if (!eq || !*key) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "--where '%s': expected KEY=VALUE "
                        "(cluster=C, host=GLOB, label.K=V, kind=N, vendor=V, arch=A)", *p);
            return FALSE;
        }
        if (g_str_equal(key, "cluster")) {
            g_string_append(sql, " AND h.cluster = ?");
            g_ptr_array_add(binds, g_strdup(value));
        } else if (g_str_equal(key, "host")) {
            if (!vmc_glob_valid(value)) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "--where '%s': '[' without its ']' in the host glob", *p);
                return FALSE;
            }
            g_string_append_printf(sql, " AND %s", ops->glob_cond);
            g_ptr_array_add(binds, ops->glob_arg(value));
        } else if (g_str_equal(key, "kind")) {
            char *end = NULL;
            g_ascii_strtoll(value, &end, 10);
            if (!*value || *end) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "--where '%s': a kind is a number", *p);
                return FALSE;
            }
            g_string_append(sql, " AND h.kind = CAST(? AS BIGINT)");
            g_ptr_array_add(binds, g_strdup(value));
        } else if (g_str_equal(key, "vendor")) {
            g_string_append_printf(sql, " AND h.kind IN (SELECT id FROM kind "
                                   "WHERE lower(vendor%s) = ?)", ops->bytewise);
            g_ptr_array_add(binds, vmc_fleet_filter_vendor(fleet, value));
        } else if (g_str_equal(key, "arch")) {
            VmcArch arch = vmc_arch_from_string(value);
            if (arch == VMC_ARCH_N) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "--where '%s': unknown arch '%s' (x86_64, s390x)", *p, value);
                return FALSE;
            }
            g_string_append(sql, " AND h.kind IN (SELECT id FROM kind WHERE arch = ?)");
            g_ptr_array_add(binds, g_strdup(vmc_arch_to_string(arch)));
        } else if (g_str_has_prefix(key, "label.") && key[6]) {
            if (strchr(key + 6, '"')) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "--where '%s': a label name "
                            "cannot contain '\"'", *p);
                return FALSE;
            }
            g_string_append_printf(sql, " AND %s", ops->label_cond);
            g_ptr_array_add(binds, ops->label_arg(key + 6));
            g_ptr_array_add(binds, g_strdup(value));
        } else {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "--where '%s': unknown key '%s' (cluster, host, label.K, kind, vendor, arch)",
                        *p, key);
            return FALSE;
        }
    }
    return TRUE;
}

static VmcStoreStmt *
vmc_fleet_prepare_filtered(VmcFleet *fleet, const char *head, const char *tail, const char *where,
                           GError **error)
{
    g_autoptr(GString) sql = g_string_new(head);
    g_autoptr(GPtrArray) binds = g_ptr_array_new_with_free_func(g_free);
    VmcStoreStmt *st;

    if (!vmc_fleet_filter(fleet, where, sql, binds, error))
        return NULL;
    g_string_append(sql, tail);
    if (!(st = vmc__store_prepare(fleet->store, sql->str))) {
        vmc__fleet_sql_fail(fleet, error, "query");
        return NULL;
    }
    for (guint i = 0; i < binds->len; i++)
        vmc__store_bind_text(st, i + 1, g_ptr_array_index(binds, i));
    return st;
}

gboolean
vmc__fleet_bump_generation(VmcFleet *fleet)
{
    return vmc__store_exec(fleet->store,
                           "INSERT INTO meta (key, value) VALUES ('hosts_generation', '1') "
                           "ON CONFLICT (key) DO UPDATE SET value = "
                           "CAST(CAST(meta.value AS BIGINT) + 1 AS TEXT)");
}

/* The hosts' generation: bumped by every transaction that changes hosts. */
static gboolean
vmc_fleet_generation(VmcFleet *fleet, gint64 *ret, GError **error)
{
    g_autoptr(VmcStoreStmt) st = vmc__store_prepare(fleet->store,
        "SELECT value FROM meta WHERE key = 'hosts_generation'");
    VmcStoreStep rc;

    *ret = 0;
    if (!st)
        return vmc__fleet_sql_fail(fleet, error, "reading the hosts' generation");
    if ((rc = vmc__store_step(st)) == VMC_STORE_ROW)
        *ret = g_ascii_strtoll(vmc__store_column_text(st, 0), NULL, 10);
    else if (rc != VMC_STORE_DONE)
        return vmc__fleet_sql_fail(fleet, error, "reading the hosts' generation");
    return TRUE;
}

typedef struct {
    gint64 generation;
    GHashTable *counts;
    GHashTable *examples;
} VmcFleetCounts;

void
vmc__fleet_counts_free(gpointer p)
{
    VmcFleetCounts *c = p;
    g_hash_table_unref(c->counts);
    g_hash_table_unref(c->examples);
    g_free(c);
}

GHashTable *
vmc__fleet_kind_counts(VmcFleet *fleet, const char *where, GHashTable **ret_examples, GError **error)
{
    g_autofree char *head = g_strdup_printf("SELECT h.kind, count(*), min(h.name%s) FROM host h",
                                            fleet->store->ops->bytewise);
    g_autoptr(VmcStoreStmt) st = NULL;
    g_autoptr(GHashTable) counts = NULL;
    g_autoptr(GHashTable) examples = NULL;
    VmcFleetCounts *cached = g_hash_table_lookup(fleet->counts, where ? where : "");
    VmcStoreStep rc;
    gint64 generation;

    /* a scan of every host: kept while no host changes (in any process) */
    if (!vmc_fleet_generation(fleet, &generation, error))
        return NULL;
    if (cached && cached->generation == generation) {
        if (ret_examples)
            *ret_examples = g_hash_table_ref(cached->examples);
        return g_hash_table_ref(cached->counts);
    }
    if (!(st = vmc_fleet_prepare_filtered(fleet, head, " GROUP BY h.kind", where, error)))
        return NULL;
    counts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    examples = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    while ((rc = vmc__store_step(st)) == VMC_STORE_ROW) {
        gint64 *k = g_new(gint64, 1), *k2 = g_new(gint64, 1);
        *k = *k2 = vmc__store_column_int64(st, 0);
        g_hash_table_insert(counts, k, GUINT_TO_POINTER((guint) vmc__store_column_int64(st, 1)));
        g_hash_table_insert(examples, k2, g_strdup(vmc__store_column_text(st, 2)));
    }
    if (rc != VMC_STORE_DONE) {
        vmc__fleet_sql_fail(fleet, error, "counting hosts per kind");
        return NULL;
    }
    cached = g_new0(VmcFleetCounts, 1);
    cached->generation = generation;
    cached->counts = g_hash_table_ref(counts);
    cached->examples = g_hash_table_ref(examples);
    g_hash_table_replace(fleet->counts, g_strdup(where ? where : ""), cached);
    if (ret_examples)
        *ret_examples = g_steal_pointer(&examples);
    return g_steal_pointer(&counts);
}

/* ---- hosts ----------------------------------------------------------------------------- */

/* Forget @host once: FALSE with *retry when it changed kind meanwhile
 * (or the store's retryable flag: a deadlock). */
static gboolean
vmc_fleet_forget_once(VmcFleet *fleet, const char *host, gboolean *retry, GError **error)
{
    VmcStore *store = fleet->store;
    g_autoptr(VmcStoreStmt) st = NULL;
    g_autofree char *lock = NULL;
    VmcStoreStep rc;
    gint64 kind;

    *retry = FALSE;
    if (!vmc__store_begin(store))
        return vmc__fleet_sql_fail(fleet, error, "forgetting a host");
    if (!(st = vmc__store_prepare(store, "SELECT kind FROM host WHERE name = ?")))
        return vmc_fleet_abort(fleet, error, "forgetting a host");
    vmc__store_bind_text(st, 1, host);
    if ((rc = vmc__store_step(st)) != VMC_STORE_ROW) {
        if (rc == VMC_STORE_ERROR)
            return vmc_fleet_abort(fleet, error, "forgetting a host");
        vmc__store_rollback(store);
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "fleet inventory %s: no host '%s'",
                    fleet->path, host);
        return FALSE;
    }
    kind = vmc__store_column_int64(st, 0);
    g_clear_pointer(&st, vmc__store_finalize);

    /* the kind first (the lock order), then the host */
    lock = g_strdup_printf("SELECT id FROM kind WHERE id = ?%s", store->ops->lock_update);
    if (!(st = vmc__store_prepare(store, lock)))
        return vmc_fleet_abort(fleet, error, "forgetting a host");
    vmc__store_bind_int64(st, 1, kind);
    while ((rc = vmc__store_step(st)) == VMC_STORE_ROW)
        ;
    if (rc == VMC_STORE_ERROR)
        return vmc_fleet_abort(fleet, error, "forgetting a host");
    g_clear_pointer(&st, vmc__store_finalize);
    if (!(st = vmc__store_prepare(store, "DELETE FROM host WHERE name = ? AND kind = ?")))
        return vmc_fleet_abort(fleet, error, "forgetting a host");
    vmc__store_bind_text(st, 1, host);
    vmc__store_bind_int64(st, 2, kind);
    if (vmc__store_step(st) != VMC_STORE_DONE)
        return vmc_fleet_abort(fleet, error, "forgetting a host");
    if (vmc__store_changes(st) == 0) {
        /* re-imported with another kind, or forgotten, since we looked */
        vmc__store_rollback(store);
        *retry = TRUE;
        return FALSE;
    }
    g_clear_pointer(&st, vmc__store_finalize);
    if (!(st = vmc__store_prepare(store, "DELETE FROM kind WHERE id = ? "
                                  "AND NOT EXISTS (SELECT 1 FROM host WHERE kind = ?)")))
        return vmc_fleet_abort(fleet, error, "forgetting a host");
    vmc__store_bind_int64(st, 1, kind);
    vmc__store_bind_int64(st, 2, kind);
    if (vmc__store_step(st) != VMC_STORE_DONE || !vmc__fleet_bump_generation(fleet) ||
        !vmc__store_commit(store))
        return vmc_fleet_abort(fleet, error, "forgetting a host");
    return TRUE;
}

gboolean
vmc_fleet_forget(VmcFleet *fleet, const char *host, GError **error)
{
    gboolean retry = TRUE;

    g_return_val_if_fail(fleet && host, FALSE);
    for (guint attempt = 0; retry && attempt < 5; attempt++) {
        g_autoptr(GError) local = NULL;
        if (vmc_fleet_forget_once(fleet, host, &retry, &local)) {
            g_hash_table_remove_all(fleet->kinds);
            return TRUE;
        }
        /* a deadlock with another node (PostgreSQL): again */
        retry = retry || fleet->store->retryable;
        if (!retry || attempt == 4) {
            if (local)
                g_propagate_error(error, g_steal_pointer(&local));
            else
                g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED, "fleet inventory %s: host '%s' "
                            "keeps changing while being forgotten", fleet->path, host);
            return FALSE;
        }
        g_usleep(1000 * (attempt + 1));
    }
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
    g_autofree char *tail = g_strdup_printf(" ORDER BY h.name%s", fleet->store->ops->bytewise);
    g_autoptr(VmcStoreStmt) st = vmc_fleet_prepare_filtered(
        fleet, "SELECT h.name, h.cluster, h.labels, h.kernel, h.kind, k.fingerprint "
               "FROM host h JOIN kind k ON k.id = h.kind", tail, where, error);
    g_autoptr(GArray) rows = NULL;
    VmcStoreStep rc;

    if (!st)
        return NULL;
    rows = g_array_new(FALSE, TRUE, sizeof(VmcFleetHost));
    g_array_set_clear_func(rows, (GDestroyNotify) vmc_fleet_host_clear);
    while ((rc = vmc__store_step(st)) == VMC_STORE_ROW) {
        VmcFleetHost h = {
            .name = g_strdup(vmc__store_column_text(st, 0)),
            .cluster = g_strdup(vmc__store_column_text(st, 1)),
            .labels = g_strdup(vmc__store_column_text(st, 2)),
            .kernel = g_strdup(vmc__store_column_text(st, 3)),
            .kind = vmc__store_column_int64(st, 4),
            .kind_fingerprint = g_strdup(vmc__store_column_text(st, 5)),
        };
        g_array_append_val(rows, h);
    }
    if (rc != VMC_STORE_DONE) {
        vmc__fleet_sql_fail(fleet, error, "listing hosts");
        return NULL;
    }
    return g_steal_pointer(&rows);
}

guint
vmc_fleet_count_kinds(VmcFleet *fleet)
{
    g_autoptr(VmcStoreStmt) st = vmc__store_prepare(fleet->store, "SELECT count(*) FROM kind");
    if (st && vmc__store_step(st) == VMC_STORE_ROW)
        return (guint) vmc__store_column_int64(st, 0);
    return 0;
}

void
vmc_fleet_vendor_clear(VmcFleetVendor *v)
{
    g_free(v->arch);
    g_free(v->vendor);
}

/* Most hosts first, then arch, then vendor (none last): the same order on
 * both backends, whose NULLs sort differently. */
static gint
vmc_fleet_vendor_cmp(gconstpointer a, gconstpointer b)
{
    const VmcFleetVendor *x = a, *y = b;
    gint c;

    if (x->n_hosts != y->n_hosts)
        return x->n_hosts > y->n_hosts ? -1 : 1;
    if ((c = strcmp(x->arch, y->arch)))
        return c;
    if (!x->vendor || !y->vendor)
        return !x->vendor - !y->vendor;
    return strcmp(x->vendor, y->vendor);
}

GArray *
vmc_fleet_vendors(VmcFleet *fleet, const char *where, GError **error)
{
    g_autoptr(VmcStoreStmt) st = NULL;
    g_autoptr(GArray) rows = NULL;
    VmcStoreStep rc;

    g_return_val_if_fail(fleet != NULL, NULL);
    st = vmc_fleet_prepare_filtered(fleet,
                                    "SELECT k.arch, k.vendor, count(*), count(DISTINCT h.kind) "
                                    "FROM host h JOIN kind k ON k.id = h.kind",
                                    " GROUP BY k.arch, k.vendor", where, error);
    if (!st)
        return NULL;
    rows = g_array_new(FALSE, TRUE, sizeof(VmcFleetVendor));
    g_array_set_clear_func(rows, (GDestroyNotify) vmc_fleet_vendor_clear);
    while ((rc = vmc__store_step(st)) == VMC_STORE_ROW) {
        VmcFleetVendor v = {
            .arch = g_strdup(vmc__store_column_text(st, 0)),
            .vendor = g_strdup(vmc__store_column_text(st, 1)),
            .n_hosts = (guint) vmc__store_column_int64(st, 2),
            .n_kinds = (guint) vmc__store_column_int64(st, 3),
        };
        g_array_append_val(rows, v);
    }
    if (rc != VMC_STORE_DONE) {
        vmc__fleet_sql_fail(fleet, error, "counting hosts per CPU vendor");
        return NULL;
    }
    g_array_sort(rows, vmc_fleet_vendor_cmp);
    return g_steal_pointer(&rows);
}

/* The kind id of a host by name. */
gboolean
vmc__fleet_host_kind(VmcFleet *fleet, const char *name, gint64 *ret, GError **error)
{
    g_autoptr(VmcStoreStmt) st = vmc__store_prepare(fleet->store, "SELECT kind FROM host WHERE name = ?");
    VmcStoreStep rc;

    if (!st)
        return vmc__fleet_sql_fail(fleet, error, "finding a host");
    vmc__store_bind_text(st, 1, name);
    rc = vmc__store_step(st);
    if (rc == VMC_STORE_ERROR)
        return vmc__fleet_sql_fail(fleet, error, "finding a host");
    if (rc != VMC_STORE_ROW) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "fleet inventory %s: no host '%s'",
                    fleet->path, name);
        return FALSE;
    }
    *ret = vmc__store_column_int64(st, 0);
    return TRUE;
}

/* ---- guests ------------------------------------------------------------------------------ */

/* Store one requirement vector under this catalog (an existing one stays),
 * through *@st, prepared on first use and reused. */
static gboolean
vmc_fleet_put_vector(VmcFleet *fleet, VmcStoreStmt **st, gint64 abi_id, const char *vector)
{
    if (!*st && !(*st = vmc__store_prepare(fleet->store,
                                           "INSERT INTO abi_vector (abi, catalog, vector) VALUES (?, ?, ?) "
                                           "ON CONFLICT (abi, catalog) DO NOTHING")))
        return FALSE;
    vmc__store_reset(*st);
    vmc__store_bind_int64(*st, 1, abi_id);
    vmc__store_bind_text(*st, 2, vmc_catalog_get_digest(fleet->cat));
    vmc__store_bind_text(*st, 3, vector);
    return vmc__store_step(*st) == VMC_STORE_DONE;
}

/* Record @abi's requirement vector (default check mode) under this
 * catalog, inside the caller's transaction. */
static gboolean
vmc_fleet_store_vector(VmcFleet *fleet, gint64 abi_id, const VmcAbi *abi, GError **error)
{
    g_autofree char *vector = vmc__abi_vector(abi, VMC_CPU_CHECK_DEFAULT);
    g_autoptr(VmcStoreStmt) st = NULL;

    if (!vmc_fleet_put_vector(fleet, &st, abi_id, vector))
        return vmc__fleet_sql_fail(fleet, error, "storing a requirement vector");
    return TRUE;
}

gboolean
vmc_fleet_guest_add(VmcFleet *fleet, const char *name, const VmcAbi *abi, const char *host,
                    GError **error)
{
    VmcStore *store = fleet->store;
    g_autofree char *json = vmc_abi_to_json(abi);
    g_autoptr(VmcStoreStmt) st = NULL;
    gint64 abi_id, kind;

    if (host && !vmc__fleet_host_kind(fleet, host, &kind, error))
        return FALSE;
    if (!vmc__store_begin(store))
        return vmc__fleet_sql_fail(fleet, error, "storing a guest");
    /* DO UPDATE (a no-op) rather than NOTHING: RETURNING then always has the row */
    if (!(st = vmc__store_prepare(store, "INSERT INTO abi (fingerprint, doc) VALUES (?, ?) "
                                  "ON CONFLICT (fingerprint) DO UPDATE SET fingerprint = "
                                  "excluded.fingerprint RETURNING id")))
        return vmc_fleet_abort(fleet, error, "storing a guest");
    vmc__store_bind_text(st, 1, vmc_abi_get_fingerprint(abi));
    vmc__store_bind_text(st, 2, json);
    if (vmc__store_step(st) != VMC_STORE_ROW)
        return vmc_fleet_abort(fleet, error, "storing a guest");
    abi_id = vmc__store_column_int64(st, 0);
    g_clear_pointer(&st, vmc__store_finalize);
    if (!vmc_fleet_store_vector(fleet, abi_id, abi, error)) {
        vmc__store_rollback(store);
        return FALSE;
    }
    if (!(st = vmc__store_prepare(store, "INSERT INTO guest (name, abi, host) VALUES (?, ?, ?) "
                                  "ON CONFLICT (name) DO UPDATE SET abi = excluded.abi, "
                                  "host = excluded.host")))
        return vmc_fleet_abort(fleet, error, "storing a guest");
    vmc__store_bind_text(st, 1, name);
    vmc__store_bind_int64(st, 2, abi_id);
    vmc__store_bind_text(st, 3, host);
    if (vmc__store_step(st) != VMC_STORE_DONE || !vmc__store_commit(store))
        return vmc_fleet_abort(fleet, error, "storing a guest");
    return TRUE;
}

VmcAbi *
vmc_fleet_guest_get(VmcFleet *fleet, const char *name, char **ret_host, GError **error)
{
    g_autoptr(VmcStoreStmt) st = NULL;
    g_autofree char *where = g_strdup_printf("%s: guest '%s'", fleet->path, name);
    VmcStoreStep rc;
    VmcAbi *abi;

    if (!(st = vmc__store_prepare(fleet->store, "SELECT a.doc, g.host FROM guest g "
                                  "JOIN abi a ON a.id = g.abi WHERE g.name = ?"))) {
        vmc__fleet_sql_fail(fleet, error, "reading a guest");
        return NULL;
    }
    vmc__store_bind_text(st, 1, name);
    if ((rc = vmc__store_step(st)) != VMC_STORE_ROW) {
        if (rc == VMC_STORE_ERROR)
            vmc__fleet_sql_fail(fleet, error, "reading a guest");
        else
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "fleet inventory %s: no guest '%s'",
                        fleet->path, name);
        return NULL;
    }
    abi = vmc_abi_parse(fleet->cat, vmc__store_column_text(st, 0), vmc__store_column_bytes(st, 0),
                        where, error);
    if (abi && ret_host)
        *ret_host = g_strdup(vmc__store_column_text(st, 1));
    return abi;
}

gboolean
vmc__fleet_foreach_guest(VmcFleet *fleet, VmcFleetGuestFn fn, gpointer user_data, GError **error)
{
    g_autofree char *sql = g_strdup_printf("SELECT g.name, a.doc, a.fingerprint, g.host FROM guest g "
                                           "JOIN abi a ON a.id = g.abi ORDER BY g.name%s",
                                           fleet->store->ops->bytewise);
    g_autoptr(VmcStoreStmt) st = vmc__store_prepare(fleet->store, sql);
    VmcStoreStep rc;

    if (!st)
        return vmc__fleet_sql_fail(fleet, error, "listing guests");
    while ((rc = vmc__store_step(st)) == VMC_STORE_ROW)
        if (!fn(vmc__store_column_text(st, 0), vmc__store_column_text(st, 1),
                vmc__store_column_text(st, 2), vmc__store_column_text(st, 3), user_data))
            return TRUE;
    if (rc != VMC_STORE_DONE)
        return vmc__fleet_sql_fail(fleet, error, "listing guests");
    return TRUE;
}

gboolean
vmc__fleet_foreach_guest_abi(VmcFleet *fleet, VmcFleetGuestAbiFn fn, gpointer user_data, GError **error)
{
    g_autofree char *sql = g_strdup_printf("SELECT name, abi, host FROM guest ORDER BY name%s",
                                           fleet->store->ops->bytewise);
    g_autoptr(VmcStoreStmt) st = vmc__store_prepare(fleet->store, sql);
    VmcStoreStep rc;

    if (!st)
        return vmc__fleet_sql_fail(fleet, error, "listing guests");
    while ((rc = vmc__store_step(st)) == VMC_STORE_ROW)
        if (!fn(vmc__store_column_text(st, 0), vmc__store_column_int64(st, 1),
                vmc__store_column_text(st, 2), user_data))
            return TRUE;
    if (rc != VMC_STORE_DONE)
        return vmc__fleet_sql_fail(fleet, error, "listing guests");
    return TRUE;
}

GHashTable *
vmc__fleet_abi_vectors(VmcFleet *fleet, guint *ret_computed, GError **error)
{
    const char *digest = vmc_catalog_get_digest(fleet->cat);
    g_autoptr(GHashTable) out = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_autoptr(GPtrArray) vectors = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(VmcStoreStmt) st = NULL;
    VmcStoreStep rc;

    if (ret_computed)
        *ret_computed = 0;
    if (!(st = vmc__store_prepare(fleet->store, "SELECT abi, vector FROM abi_vector WHERE catalog = ?")))
        return vmc__fleet_sql_fail(fleet, error, "reading requirement vectors"), NULL;
    vmc__store_bind_text(st, 1, digest);
    while ((rc = vmc__store_step(st)) == VMC_STORE_ROW) {
        gint64 *key = g_new(gint64, 1);
        *key = vmc__store_column_int64(st, 0);
        g_hash_table_insert(out, key, g_strdup(vmc__store_column_text(st, 1)));
    }
    if (rc != VMC_STORE_DONE)
        return vmc__fleet_sql_fail(fleet, error, "reading requirement vectors"), NULL;
    g_clear_pointer(&st, vmc__store_finalize);
    /* ABIs recorded before, or under another catalog: compute them now */
    if (!(st = vmc__store_prepare(fleet->store, "SELECT a.id, a.doc, a.fingerprint FROM abi a WHERE NOT EXISTS "
                                  "(SELECT 1 FROM abi_vector v WHERE v.abi = a.id AND v.catalog = ?)")))
        return vmc__fleet_sql_fail(fleet, error, "reading requirement vectors"), NULL;
    vmc__store_bind_text(st, 1, digest);
    while ((rc = vmc__store_step(st)) == VMC_STORE_ROW) {
        gint64 *key = g_new(gint64, 1);
        g_autoptr(VmcAbi) abi = vmc_abi_parse(fleet->cat, vmc__store_column_text(st, 1),
                                              vmc__store_column_bytes(st, 1),
                                              vmc__store_column_text(st, 2), error);
        if (!abi) {
            g_free(key);
            return NULL;
        }
        *key = vmc__store_column_int64(st, 0);
        g_array_append_val(ids, *key);
        g_ptr_array_add(vectors, vmc__abi_vector(abi, VMC_CPU_CHECK_DEFAULT));
        g_hash_table_insert(out, key, g_strdup(g_ptr_array_index(vectors, vectors->len - 1)));
    }
    if (rc != VMC_STORE_DONE)
        return vmc__fleet_sql_fail(fleet, error, "reading requirement vectors"), NULL;
    g_clear_pointer(&st, vmc__store_finalize);
    if (ret_computed)
        *ret_computed = ids->len;
    /* keep them: a cache, so an inventory that cannot be written (or a
     * concurrent writer) only costs the next run the same work */
    if (ids->len && vmc__store_begin(fleet->store)) {
        gboolean ok = TRUE;
        for (guint i = 0; ok && i < ids->len; i++)
            ok = vmc_fleet_put_vector(fleet, &st, g_array_index(ids, gint64, i),
                                      g_ptr_array_index(vectors, i));
        g_clear_pointer(&st, vmc__store_finalize);
        if (!ok || !vmc__store_commit(fleet->store)) {
            g_debug("fleet inventory %s: requirement vectors not kept: %s", fleet->path,
                    vmc__store_errmsg(fleet->store));
            vmc__store_rollback(fleet->store);
        }
    }
    return g_steal_pointer(&out);
}

VmcHostView *
vmc__fleet_kind_view(VmcFleet *fleet, gint64 kind, GError **error)
{
    const VmcHost *host = vmc__fleet_kind_host(fleet, kind, error);
    VmcFleetKind *k;

    if (!host)
        return NULL;
    k = g_hash_table_lookup(fleet->kinds, &kind);
    if (!k->view)
        k->view = vmc__host_view_new(fleet->cat, host);
    return k->view;
}
