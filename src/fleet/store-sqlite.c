/* store-sqlite.c: the SQLite backend of the fleet inventory — one file,
 * WAL journal, synchronous=NORMAL (a killed process loses nothing it
 * committed; a power loss may lose the last transactions, never half of
 * one), foreign keys on, a 10 s busy timeout. A write transaction is BEGIN
 * IMMEDIATE: it takes the write lock at once, so writers from several
 * processes queue instead of deadlocking.
 *
 * Workload: the import's few prepared statements stepped 100,000 times;
 * a thin shim over sqlite3_*.
 */
#include "fleet/store-private.h"

#include <sqlite3.h>

#include <vmcompat/error.h>

typedef struct {
    VmcStore base;
    sqlite3 *db;
} VmcSqliteStore;

typedef struct {
    VmcStoreStmt base;
    sqlite3_stmt *st;
    gint64 changes;
} VmcSqliteStmt;

#define SQ(s) ((VmcSqliteStore *) (s))
#define SQST(s) ((VmcSqliteStmt *) (s))

/* The database's last message as the store's. */
static gboolean
vmc_sqlite_fail(VmcStore *store)
{
    return vmc__store_set_errmsg(store, "%s", sqlite3_errmsg(SQ(store)->db));
}

static void
vmc_sqlite_close(VmcStore *store)
{
    sqlite3_close(SQ(store)->db);
    g_free(store->display);
    g_free(store->errmsg);
    g_free(store);
}

static gboolean
vmc_sqlite_exec(VmcStore *store, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(SQ(store)->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (msg)
            vmc__store_set_errmsg(store, "%s", msg);
        else
            vmc_sqlite_fail(store);
        sqlite3_free(msg);
        return FALSE;
    }
    return TRUE;
}

static VmcStore *
vmc_sqlite_open(const char *target, const char *display, GError **error)
{
    VmcSqliteStore *s = g_new0(VmcSqliteStore, 1);

    s->base.ops = &vmc__store_sqlite_ops;
    s->base.display = g_strdup(display);
    if (sqlite3_open_v2(target, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
        (sqlite3_busy_timeout(s->db, 10000),
         !vmc_sqlite_exec(&s->base, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                          "PRAGMA foreign_keys=ON"))) {
        if (!s->base.errmsg)
            vmc_sqlite_fail(&s->base);
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "fleet inventory %s: cannot open: %s", display,
                    s->base.errmsg);
        vmc_sqlite_close(&s->base);
        return NULL;
    }
    return &s->base;
}

static VmcStoreStmt *
vmc_sqlite_prepare(VmcStore *store, const char *sql)
{
    sqlite3_stmt *st = NULL;
    VmcSqliteStmt *s;

    if (sqlite3_prepare_v2(SQ(store)->db, sql, -1, &st, NULL) != SQLITE_OK) {
        vmc_sqlite_fail(store);
        sqlite3_finalize(st);
        return NULL;
    }
    s = g_new0(VmcSqliteStmt, 1);
    s->base.store = store;
    s->st = st;
    return &s->base;
}

static void
vmc_sqlite_reset(VmcStoreStmt *st)
{
    sqlite3_reset(SQST(st)->st);
    sqlite3_clear_bindings(SQST(st)->st);
}

static void
vmc_sqlite_bind_text(VmcStoreStmt *st, guint i, const char *value)
{
    if (value)
        sqlite3_bind_text(SQST(st)->st, (int) i, value, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(SQST(st)->st, (int) i);
}

static void
vmc_sqlite_bind_int64(VmcStoreStmt *st, guint i, gint64 value)
{
    sqlite3_bind_int64(SQST(st)->st, (int) i, value);
}

static VmcStoreStep
vmc_sqlite_step(VmcStoreStmt *st)
{
    switch (sqlite3_step(SQST(st)->st)) {
    case SQLITE_ROW:
        return VMC_STORE_ROW;
    case SQLITE_DONE:
        SQST(st)->changes = sqlite3_changes64(SQ(st->store)->db);
        return VMC_STORE_DONE;
    default:
        vmc_sqlite_fail(st->store);
        return VMC_STORE_ERROR;
    }
}

static const char *
vmc_sqlite_column_text(VmcStoreStmt *st, guint col)
{
    return (const char *) sqlite3_column_text(SQST(st)->st, (int) col);
}

static gsize
vmc_sqlite_column_bytes(VmcStoreStmt *st, guint col)
{
    return (gsize) sqlite3_column_bytes(SQST(st)->st, (int) col);
}

static gint64
vmc_sqlite_column_int64(VmcStoreStmt *st, guint col)
{
    return sqlite3_column_int64(SQST(st)->st, (int) col);
}

static gint64
vmc_sqlite_changes(VmcStoreStmt *st)
{
    return SQST(st)->changes;
}

static void
vmc_sqlite_finalize(VmcStoreStmt *st)
{
    sqlite3_finalize(SQST(st)->st);
    g_free(st);
}

/* A label: json_extract's path "$."K"" (the filter refuses '"' in K). */
static char *
vmc_sqlite_label_arg(const char *key)
{
    return g_strdup_printf("$.\"%s\"", key);
}

static char *
vmc_sqlite_glob_arg(const char *glob)
{
    return g_strdup(glob);
}

const VmcStoreOps vmc__store_sqlite_ops = {
    .name = "sqlite",
    .open = vmc_sqlite_open,
    .close = vmc_sqlite_close,
    .exec = vmc_sqlite_exec,
    .prepare = vmc_sqlite_prepare,
    .reset = vmc_sqlite_reset,
    .bind_text = vmc_sqlite_bind_text,
    .bind_int64 = vmc_sqlite_bind_int64,
    .step = vmc_sqlite_step,
    .column_text = vmc_sqlite_column_text,
    .column_bytes = vmc_sqlite_column_bytes,
    .column_int64 = vmc_sqlite_column_int64,
    .changes = vmc_sqlite_changes,
    .finalize = vmc_sqlite_finalize,

    .id_column = "INTEGER PRIMARY KEY",
    .begin_write = "BEGIN IMMEDIATE",
    .schema_lock = NULL,
    .lock_share = "",
    .lock_update = "",
    .has_table = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
    .label_cond = "json_extract(h.labels, ?) = ?",
    .label_arg = vmc_sqlite_label_arg,
    .glob_cond = "h.name GLOB ?",
    .glob_arg = vmc_sqlite_glob_arg,
    .bytewise = "",                   /* BINARY is the default collation */
};
