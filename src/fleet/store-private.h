/* store-private.h: the fleet inventory's SQL backends — one small interface
 * (prepare/bind/step/exec, transactions, RETURNING for new ids) with an
 * SQLite implementation (store-sqlite.c: a file) and a PostgreSQL one
 * (store-pg.c: libpq, any postgresql:// or postgres:// conninfo URI).
 *
 * The SQL text is shared: statements use `?` placeholders (the PostgreSQL
 * backend numbers them $1, $2, ... outside quoted text), `INSERT ... ON
 * CONFLICT ... DO UPDATE/NOTHING` and `RETURNING`, which both engines run.
 * What differs is a few words of dialect, in the ops table: the identity
 * column, how a write transaction starts and locks, the label and host-glob
 * conditions of a filter, how to ask whether a table exists.
 *
 * Values go in and come out as text or 64-bit integers; bound values are
 * copied. A statement belongs to one store and is used by one thread.
 * Errors: a failing call returns FALSE/NULL/VMC_STORE_ERROR and leaves the
 * backend's message in vmc__store_errmsg() (the caller names what it was
 * doing, see vmc__fleet_sql_fail). Not installed.
 */
#pragma once

#include <glib.h>

typedef struct _VmcStore VmcStore;
typedef struct _VmcStoreStmt VmcStoreStmt;

typedef enum {
    VMC_STORE_ERROR = -1,
    VMC_STORE_DONE = 0,
    VMC_STORE_ROW = 1,
} VmcStoreStep;

/* One backend: its entry points and its dialect. */
typedef struct {
    const char *name;                 /* "sqlite", "postgresql" */
    VmcStore *(*open)(const char *target, const char *display, GError **error);
    void (*close)(VmcStore *store);
    gboolean (*exec)(VmcStore *store, const char *sql);
    VmcStoreStmt *(*prepare)(VmcStore *store, const char *sql);
    void (*reset)(VmcStoreStmt *st);
    void (*bind_text)(VmcStoreStmt *st, guint i, const char *value);
    void (*bind_int64)(VmcStoreStmt *st, guint i, gint64 value);
    VmcStoreStep (*step)(VmcStoreStmt *st);
    const char *(*column_text)(VmcStoreStmt *st, guint col);
    gsize (*column_bytes)(VmcStoreStmt *st, guint col);
    gint64 (*column_int64)(VmcStoreStmt *st, guint col);
    gint64 (*changes)(VmcStoreStmt *st);
    void (*finalize)(VmcStoreStmt *st);

    /* dialect */
    const char *id_column;            /* an auto-assigned 64-bit primary key */
    const char *begin_write;          /* start a transaction that will write */
    const char *schema_lock;          /* (nullable) serialise schema changes */
    const char *lock_share;           /* suffix: keep a selected row from deletion */
    const char *lock_update;          /* suffix: lock a selected row for deletion */
    const char *has_table;            /* one row, count of tables named ? */
    const char *label_cond;           /* labels[K] = V with binds (label_arg(K), V) */
    char *(*label_arg)(const char *key);
    const char *glob_cond;            /* name matches a glob with bind glob_arg(G) */
    char *(*glob_arg)(const char *glob);
    const char *bytewise;             /* suffix: compare/order text byte by byte */
} VmcStoreOps;

/* What every backend's store starts with. */
struct _VmcStore {
    const VmcStoreOps *ops;
    char *display;                    /* the target, without a password */
    char *errmsg;                     /* the last failure's message */
    gboolean retryable;               /* it was a deadlock or serialization failure:
                                       * the transaction may simply run again */
};

/* What every backend's statement starts with. */
struct _VmcStoreStmt {
    VmcStore *store;
};

extern const VmcStoreOps vmc__store_sqlite_ops;
extern const VmcStoreOps vmc__store_pg_ops;

/* Open @target: a postgresql:// or postgres:// URI, else an SQLite file. */
VmcStore *vmc__store_open(const char *target, GError **error);
void vmc__store_close(VmcStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcStore, vmc__store_close)

/* @target for messages: a URI's password replaced by "***" (transfer full). */
char *vmc__store_display_name(const char *target);
/* Record the message of a failure (printf-style; not retryable); returns
 * FALSE. */
gboolean vmc__store_set_errmsg(VmcStore *store, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static inline const char *
vmc__store_errmsg(VmcStore *store)
{
    return store->errmsg ? store->errmsg : "unknown error";
}

static inline gboolean
vmc__store_exec(VmcStore *store, const char *sql)
{
    return store->ops->exec(store, sql);
}

static inline VmcStoreStmt *
vmc__store_prepare(VmcStore *store, const char *sql)
{
    return store->ops->prepare(store, sql);
}

static inline void
vmc__store_reset(VmcStoreStmt *st)
{
    st->store->ops->reset(st);
}

/* Bind parameter @i (from 1); NULL binds SQL NULL. The value is copied. */
static inline void
vmc__store_bind_text(VmcStoreStmt *st, guint i, const char *value)
{
    st->store->ops->bind_text(st, i, value);
}

static inline void
vmc__store_bind_int64(VmcStoreStmt *st, guint i, gint64 value)
{
    st->store->ops->bind_int64(st, i, value);
}

static inline VmcStoreStep
vmc__store_step(VmcStoreStmt *st)
{
    return st->store->ops->step(st);
}

/* Column @col (from 0) of the current row; NULL for SQL NULL. */
static inline const char *
vmc__store_column_text(VmcStoreStmt *st, guint col)
{
    return st->store->ops->column_text(st, col);
}

static inline gsize
vmc__store_column_bytes(VmcStoreStmt *st, guint col)
{
    return st->store->ops->column_bytes(st, col);
}

static inline gint64
vmc__store_column_int64(VmcStoreStmt *st, guint col)
{
    return st->store->ops->column_int64(st, col);
}

/* Rows the last completed INSERT/UPDATE/DELETE of @st changed. */
static inline gint64
vmc__store_changes(VmcStoreStmt *st)
{
    return st->store->ops->changes(st);
}

static inline void
vmc__store_finalize(VmcStoreStmt *st)
{
    if (st)
        st->store->ops->finalize(st);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcStoreStmt, vmc__store_finalize)

/* Transactions: begin one that will write (SQLite takes the write lock now,
 * so two writers never deadlock), commit, roll back (never fails loudly). */
gboolean vmc__store_begin(VmcStore *store);
gboolean vmc__store_commit(VmcStore *store);
void vmc__store_rollback(VmcStore *store);

/* Host-glob → POSIX regular expression, anchored (GLOB semantics: *, ?,
 * [...] with ^ negating). Shared so the tests can check it. */
char *vmc__store_glob_to_regex(const char *glob);

/* ---- host lines (store-hostline.c) ------------------------------------------ */

#include <json-c/json.h>

/* What the inventory keeps of one host document. */
typedef struct {
    char *name;
    char *cluster;                    /* NULL: the document names none */
    char *labels;                     /* JSON object text, "{}" when none */
    char *kernel;                     /* NULL: none */
    char fp[65];                      /* the kind fingerprint, hex SHA-256 */
} VmcFleetHostLine;
void vmc__fleet_host_line_clear(VmcFleetHostLine *h);

/* The tree path: a parsed document (not consumed). Errors name @where. */
gboolean vmc__fleet_host_line_from_doc(json_object *doc, const char *where, VmcFleetHostLine *out,
                                       GError **error);

/* The line path's memo tables, for one import. */
typedef struct _VmcHostLineCache VmcHostLineCache;
VmcHostLineCache *vmc__fleet_host_line_cache_new(void);
void vmc__fleet_host_line_cache_free(VmcHostLineCache *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcHostLineCache, vmc__fleet_host_line_cache_free)

/* The line path: @len bytes of one JSON Lines line. TRUE: @out is what the
 * tree path would give; FALSE: declined (unusual or invalid), @out
 * untouched — take the tree path, which also reports errors. */
gboolean vmc__fleet_host_line_scan(VmcHostLineCache *c, const char *text, gsize len,
                                   VmcFleetHostLine *out);
