/* store-pg.c: the PostgreSQL backend of the fleet inventory (libpq), so
 * several management nodes can share one inventory. The target is any
 * libpq connection URI: postgresql://user@host/db, postgres:///db?host=
 * /run/postgresql (a UNIX socket directory), with any libpq parameter.
 *
 * Statements: `?` placeholders become $1, $2, ... (outside quoted text).
 * A statement runs unnamed the first time (one round trip) and is prepared
 * on the server when it runs again, so the import's hot statements are
 * parsed once. Results are read whole (PQexecParams); values travel as text.
 * Concurrency is the callers' (store.c, store-import.c): READ COMMITTED
 * transactions, rows locked kinds first, then hosts by name, a kind race
 * settled by ON CONFLICT DO NOTHING and a second look; a deadlock or
 * serialization failure (SQLSTATE 40P01, 40001) marks the store
 * retryable, and the writer runs its transaction again.
 *
 * Server notices (e.g. "relation already exists, skipping") go to
 * g_debug: the library never prints.
 */
#include "fleet/store-private.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include <vmcompat/error.h>

typedef struct {
    VmcStore base;
    PGconn *conn;
    guint next_name;                  /* prepared statements: vmc_<n> */
    GPtrArray *stale;                 /* names to DEALLOCATE once out of a failed transaction */
} VmcPgStore;

typedef struct {
    VmcStoreStmt base;
    char *sql;                        /* with $n placeholders */
    guint n_params;
    char **params;                    /* n_params values, NULL: SQL NULL */
    char *name;                       /* prepared on the server (after one run), or NULL */
    guint runs;
    PGresult *res;                    /* the current execution's rows */
    int row, n_rows;
    gint64 changes;
} VmcPgStmt;

#define PG(s) ((VmcPgStore *) (s))
#define PGST(s) ((VmcPgStmt *) (s))

/* @msg without its trailing newline as the store's message; FALSE. */
static gboolean
vmc_pg_fail(VmcStore *store, const char *msg)
{
    g_autofree char *m = g_strdup(msg && *msg ? msg : PQerrorMessage(PG(store)->conn));
    return vmc__store_set_errmsg(store, "%s", g_strchomp(m));
}

/* A failed result's primary message (falls back to the connection's). */
static gboolean
vmc_pg_fail_result(VmcStore *store, PGresult *res)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    vmc_pg_fail(store, primary);
    /* deadlock_detected, serialization_failure */
    store->retryable = g_strcmp0(state, "40P01") == 0 || g_strcmp0(state, "40001") == 0;
    return FALSE;
}

static void
vmc_pg_notice(void *arg, const char *message)
{
    (void) arg;
    g_debug("fleet inventory (postgresql): %s", message);
}

static void
vmc_pg_close(VmcStore *store)
{
    if (PG(store)->conn)
        PQfinish(PG(store)->conn);
    g_ptr_array_unref(PG(store)->stale);
    g_free(store->display);
    g_free(store->errmsg);
    g_free(store);
}

/* DEALLOCATE what finalize could not while a transaction was failed. */
static void
vmc_pg_flush_stale(VmcPgStore *s)
{
    while (s->stale->len && PQtransactionStatus(s->conn) != PQTRANS_INERROR) {
        g_autofree char *sql = g_strdup_printf("DEALLOCATE %s", (char *) g_ptr_array_index(s->stale, 0));
        PQclear(PQexec(s->conn, sql));
        g_ptr_array_remove_index_fast(s->stale, 0);
    }
}

static gboolean
vmc_pg_exec(VmcStore *store, const char *sql)
{
    PGresult *res = PQexec(PG(store)->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

    if (!ok) {
        vmc_pg_fail_result(store, res);
    } else if (g_str_equal(sql, "COMMIT") && g_str_equal(PQcmdStatus(res), "ROLLBACK")) {
        /* COMMIT of a failed transaction "succeeds" by rolling it back */
        vmc__store_set_errmsg(store, "the transaction had failed and was rolled back");
        ok = FALSE;
    }
    PQclear(res);
    if (ok)
        vmc_pg_flush_stale(PG(store));
    return ok;
}

static VmcStore *
vmc_pg_open(const char *target, const char *display, GError **error)
{
    VmcPgStore *s = g_new0(VmcPgStore, 1);

    s->base.ops = &vmc__store_pg_ops;
    s->base.display = g_strdup(display);
    s->stale = g_ptr_array_new_with_free_func(g_free);
    s->conn = PQconnectdb(target);
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
        g_autofree char *msg = g_strdup(s->conn ? PQerrorMessage(s->conn) : "out of memory");
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "fleet inventory %s: cannot connect: %s",
                    display, g_strchomp(msg));
        vmc_pg_close(&s->base);
        return NULL;
    }
    PQsetNoticeProcessor(s->conn, vmc_pg_notice, NULL);
    if (PQsetClientEncoding(s->conn, "UTF8") != 0) {
        g_autofree char *msg = g_strdup(PQerrorMessage(s->conn));
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "fleet inventory %s: client encoding UTF8: %s",
                    display, g_strchomp(msg));
        vmc_pg_close(&s->base);
        return NULL;
    }
    return &s->base;
}

/* @sql with its `?` placeholders numbered ($1, $2, ...) outside '...',
 * "..." and -- comments; *ret_n: how many. */
static char *
vmc_pg_number_placeholders(const char *sql, guint *ret_n)
{
    GString *out = g_string_sized_new(strlen(sql) + 16);
    guint n = 0;

    for (const char *p = sql; *p; p++) {
        if (*p == '\'' || *p == '"') {
            const char *end = strchr(p + 1, *p);
            if (!end)
                end = p + strlen(p) - 1;
            g_string_append_len(out, p, end - p + 1);
            p = end;
        } else if (p[0] == '-' && p[1] == '-') {
            const char *end = strchr(p, '\n');
            if (!end)
                end = p + strlen(p) - 1;
            g_string_append_len(out, p, end - p + 1);
            p = end;
        } else if (*p == '?') {
            g_string_append_printf(out, "$%u", ++n);
        } else {
            g_string_append_c(out, *p);
        }
    }
    *ret_n = n;
    return g_string_free(out, FALSE);
}

static VmcStoreStmt *
vmc_pg_prepare(VmcStore *store, const char *sql)
{
    VmcPgStmt *s = g_new0(VmcPgStmt, 1);

    s->base.store = store;
    s->sql = vmc_pg_number_placeholders(sql, &s->n_params);
    s->params = g_new0(char *, s->n_params + 1);
    return &s->base;
}

static void
vmc_pg_reset(VmcStoreStmt *st)
{
    VmcPgStmt *s = PGST(st);

    g_clear_pointer(&s->res, PQclear);
    for (guint i = 0; i < s->n_params; i++)
        g_clear_pointer(&s->params[i], g_free);
    s->row = s->n_rows = 0;
}

static void
vmc_pg_bind_text(VmcStoreStmt *st, guint i, const char *value)
{
    VmcPgStmt *s = PGST(st);

    g_return_if_fail(i >= 1 && i <= s->n_params);
    g_free(s->params[i - 1]);
    s->params[i - 1] = g_strdup(value);
}

static void
vmc_pg_bind_int64(VmcStoreStmt *st, guint i, gint64 value)
{
    VmcPgStmt *s = PGST(st);

    g_return_if_fail(i >= 1 && i <= s->n_params);
    g_free(s->params[i - 1]);
    s->params[i - 1] = g_strdup_printf("%" G_GINT64_FORMAT, value);
}

/* Run the statement with its bound values; the rows are kept. */
static gboolean
vmc_pg_run(VmcPgStmt *s)
{
    VmcPgStore *store = PG(s->base.store);
    PGresult *res;
    ExecStatusType status;

    if (++s->runs >= 2 && !s->name) {
        /* it runs again: parse it once on the server */
        g_autofree char *name = g_strdup_printf("vmc_%u", ++store->next_name);
        res = PQprepare(store->conn, name, s->sql, (int) s->n_params, NULL);
        status = PQresultStatus(res);
        if (status != PGRES_COMMAND_OK) {
            vmc_pg_fail_result(&store->base, res);
            PQclear(res);
            return FALSE;
        }
        PQclear(res);
        s->name = g_steal_pointer(&name);
    }
    if (s->name)
        res = PQexecPrepared(store->conn, s->name, (int) s->n_params,
                             (const char *const *) s->params, NULL, NULL, 0);
    else
        res = PQexecParams(store->conn, s->sql, (int) s->n_params, NULL,
                           (const char *const *) s->params, NULL, NULL, 0);
    status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        vmc_pg_fail_result(&store->base, res);
        PQclear(res);
        return FALSE;
    }
    s->res = res;
    s->n_rows = status == PGRES_TUPLES_OK ? PQntuples(res) : 0;
    s->row = -1;
    s->changes = g_ascii_strtoll(PQcmdTuples(res), NULL, 10);
    return TRUE;
}

static VmcStoreStep
vmc_pg_step(VmcStoreStmt *st)
{
    VmcPgStmt *s = PGST(st);

    if (!s->res && !vmc_pg_run(s))
        return VMC_STORE_ERROR;
    if (s->row + 1 < s->n_rows) {
        s->row++;
        return VMC_STORE_ROW;
    }
    s->row = s->n_rows;
    return VMC_STORE_DONE;
}

static const char *
vmc_pg_column_text(VmcStoreStmt *st, guint col)
{
    VmcPgStmt *s = PGST(st);

    g_return_val_if_fail(s->res && s->row >= 0 && s->row < s->n_rows, NULL);
    if (PQgetisnull(s->res, s->row, (int) col))
        return NULL;
    return PQgetvalue(s->res, s->row, (int) col);
}

static gsize
vmc_pg_column_bytes(VmcStoreStmt *st, guint col)
{
    VmcPgStmt *s = PGST(st);

    g_return_val_if_fail(s->res && s->row >= 0 && s->row < s->n_rows, 0);
    return (gsize) PQgetlength(s->res, s->row, (int) col);
}

static gint64
vmc_pg_column_int64(VmcStoreStmt *st, guint col)
{
    const char *v = vmc_pg_column_text(st, col);
    return v ? g_ascii_strtoll(v, NULL, 10) : 0;
}

static gint64
vmc_pg_changes(VmcStoreStmt *st)
{
    return PGST(st)->changes;
}

static void
vmc_pg_finalize(VmcStoreStmt *st)
{
    VmcPgStmt *s = PGST(st);
    VmcPgStore *store = PG(st->store);

    vmc_pg_reset(st);
    if (s->name) {
        g_ptr_array_add(store->stale, g_steal_pointer(&s->name));
        vmc_pg_flush_stale(store);
    }
    g_free(s->params);
    g_free(s->sql);
    g_free(s);
}

static char *
vmc_pg_label_arg(const char *key)
{
    return g_strdup(key);
}

const VmcStoreOps vmc__store_pg_ops = {
    .name = "postgresql",
    .open = vmc_pg_open,
    .close = vmc_pg_close,
    .exec = vmc_pg_exec,
    .prepare = vmc_pg_prepare,
    .reset = vmc_pg_reset,
    .bind_text = vmc_pg_bind_text,
    .bind_int64 = vmc_pg_bind_int64,
    .step = vmc_pg_step,
    .column_text = vmc_pg_column_text,
    .column_bytes = vmc_pg_column_bytes,
    .column_int64 = vmc_pg_column_int64,
    .changes = vmc_pg_changes,
    .finalize = vmc_pg_finalize,

    .id_column = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    .begin_write = "BEGIN",
    /* one key for "the vmcompat fleet schema": concurrent first opens queue */
    .schema_lock = "SELECT pg_advisory_xact_lock(7305613837482409985)",
    .lock_share = " FOR KEY SHARE",
    .lock_update = " FOR UPDATE",
    .has_table = "SELECT count(*) FROM pg_catalog.pg_tables "
                 "WHERE schemaname = current_schema() AND tablename = ?",
    .label_cond = "(h.labels::jsonb ->> CAST(? AS TEXT)) = ?",
    .label_arg = vmc_pg_label_arg,
    .glob_cond = "h.name ~ ?",
    .glob_arg = vmc__store_glob_to_regex,
    /* names sort as on SQLite whatever the database's locale */
    .bytewise = " COLLATE \"C\"",
};
