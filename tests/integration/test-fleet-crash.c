/* test-fleet-crash.c: the inventory survives a killed import, and
 * concurrent importers, on SQLite and on PostgreSQL.
 *
 * crash: `vmcompat fleet import --batch 100` of 5,000 generated hosts
 * (tests/harness/fleet-gen.h) is killed with SIGKILL at a random moment
 * (GTest's seed; --seed to replay), round after round on the same
 * inventory (a new one once an import got through). After each kill: the schema opens; no host without its kind
 * and no kind without a host; the hosts are exactly the first k lines of
 * the file with k a multiple of the batch (or all of them), each exactly
 * as its line says (cluster, labels, kernel, kind fingerprint); k never
 * goes down. SQLite: PRAGMA integrity_check. Finally an import that runs
 * to the end adds the missing hosts and finds the others unchanged.
 * VMC_TEST_CRASH_ROUNDS: rounds per backend (default 10).
 *
 * concurrent: two importers at once on a new inventory (so both create
 * the schema), one file in order, the other shuffled and overlapping, then
 * a third with forgets running meanwhile: all succeed, nothing is lost.
 */
#include "harness.h"
#include "fleet-gen.h"
#include "pg-server.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "base/json-util.h"
#include "fleet/fleet-private.h"

#define CRASH_HOSTS 5000
#define CRASH_BATCH 100

typedef enum { BACKEND_SQLITE, BACKEND_PG } Backend;
static const Backend backend_sqlite = BACKEND_SQLITE, backend_pg = BACKEND_PG;

static char *test_dir;
static VmcTestPg *test_pg;
static char *test_pg_skip;
static guint test_db_counter;
static char *test_jsonl;                  /* CRASH_HOSTS lines */
static VmcFleetHostLine *test_expected;   /* what each line says */

static char *
test_db(Backend b)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *name = g_strdup_printf("crash%u", ++test_db_counter);
    char *uri;

    if (b == BACKEND_SQLITE)
        return g_strdup_printf("%s/%s.db", test_dir, name);
    if (!test_pg && !test_pg_skip) {
        test_pg = vmc_test_pg_start(FALSE, &test_pg_skip, &error);
        if (!test_pg && !test_pg_skip)
            test_pg_skip = g_strdup_printf("PostgreSQL server did not start: %s", error->message);
        g_clear_error(&error);
    }
    if (!test_pg) {
        g_test_skip(test_pg_skip);
        return NULL;
    }
    if (!(uri = vmc_test_pg_create_db(test_pg, name, &error)))
        g_error("%s", error->message);
    return uri;
}

static char *
test_cli(void)
{
    const char *root = g_getenv("VMC_BUILD_ROOT");
    return g_build_filename(root ? root : ".", "tools", "vmcompat", "vmcompat", NULL);
}

/* Start `vmcompat fleet import --db DB --batch B FILE...`; its stdout into
 * *ret_out when not NULL (then it is waited for). */
static GPid
spawn_import(const char *db, const char *const *files, int *ret_out_fd)
{
    g_autofree char *cli = test_cli();
    g_autofree char *batch = g_strdup_printf("%d", CRASH_BATCH);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autoptr(GError) error = NULL;
    GPid pid;

    g_ptr_array_add(argv, cli);
    g_ptr_array_add(argv, (char *) "fleet");
    g_ptr_array_add(argv, (char *) "import");
    g_ptr_array_add(argv, (char *) "--db");
    g_ptr_array_add(argv, (char *) db);
    g_ptr_array_add(argv, (char *) "--batch");
    g_ptr_array_add(argv, batch);
    for (const char *const *f = files; *f; f++)
        g_ptr_array_add(argv, (char *) *f);
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_async_with_pipes(NULL, (char **) argv->pdata, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD | (ret_out_fd ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL),
                                  NULL, NULL, &pid, NULL, ret_out_fd, NULL, &error))
        g_error("spawning %s: %s", cli, error->message);
    return pid;
}

/* Run an import to its end: its exit status and stdout. */
static int
run_import(const char *db, const char *const *files, char **ret_out)
{
    int fd, status;
    GPid pid = spawn_import(db, files, &fd);
    GString *out = g_string_new(NULL);
    char buf[4096];
    ssize_t n;

    while ((n = read(fd, buf, sizeof(buf))) > 0)
        g_string_append_len(out, buf, n);
    close(fd);
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    *ret_out = g_string_free(out, FALSE);
    return status;
}

static gint64
count_rows(VmcFleet *fleet, const char *sql)
{
    g_autoptr(VmcStoreStmt) st = vmc__store_prepare(fleet->store, sql);
    if (!st || vmc__store_step(st) != VMC_STORE_ROW)
        g_error("%s: %s", sql, vmc__store_errmsg(fleet->store));
    return vmc__store_column_int64(st, 0);
}

/* The inventory is whole: see the header. Returns the number of hosts. */
static guint
check_consistent(const char *db, Backend b, guint at_least, guint lines)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = vmc_fleet_open(vmc_test_catalog(), db, &error);
    g_autoptr(GArray) hosts = NULL;
    gint64 n;

    if (!fleet)
        g_error("after a kill the inventory does not open: %s", error->message);
    n = count_rows(fleet, "SELECT count(*) FROM host");
    g_assert_cmpint(count_rows(fleet, "SELECT count(*) FROM host h WHERE NOT EXISTS "
                               "(SELECT 1 FROM kind k WHERE k.id = h.kind)"), ==, 0);
    g_assert_cmpint(count_rows(fleet, "SELECT count(*) FROM kind k WHERE NOT EXISTS "
                               "(SELECT 1 FROM host h WHERE h.kind = k.id)"), ==, 0);
    if (b == BACKEND_SQLITE) {
        g_autoptr(VmcStoreStmt) st = vmc__store_prepare(fleet->store, "PRAGMA integrity_check");
        g_assert_nonnull(st);
        g_assert_cmpint(vmc__store_step(st), ==, VMC_STORE_ROW);
        g_assert_cmpstr(vmc__store_column_text(st, 0), ==, "ok");
    }
    if (n % CRASH_BATCH != 0 && n != lines)
        g_error("%" G_GINT64_FORMAT " hosts: not whole batches of %d", n, CRASH_BATCH);
    g_assert_cmpint(n, >=, at_least);
    hosts = vmc_fleet_hosts(fleet, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpint(hosts->len, ==, n);
    /* the first n lines: names sort as the lines go */
    for (guint i = 0; i < hosts->len; i++) {
        const VmcFleetHost *h = &g_array_index(hosts, VmcFleetHost, i);
        const VmcFleetHostLine *want = &test_expected[i];
        if (g_strcmp0(h->name, want->name) || g_strcmp0(h->cluster, want->cluster) ||
            g_strcmp0(h->labels, want->labels) || g_strcmp0(h->kernel, want->kernel) ||
            g_strcmp0(h->kind_fingerprint, want->fp))
            g_error("host %u: %s/%s/%s/%s/%.12s, its line says %s/%s/%s/%s/%.12s", i, h->name,
                    h->cluster, h->labels, h->kernel, h->kind_fingerprint, want->name, want->cluster,
                    want->labels, want->kernel, want->fp);
    }
    return (guint) n;
}

/* How long a whole import takes here, in µs (a scratch inventory). */
static gint64
calibrate(Backend b)
{
    g_autofree char *db = test_db(b);
    const char *files[] = { test_jsonl, NULL };
    g_autofree char *out = NULL;
    gint64 t0 = g_get_monotonic_time();
    int status = run_import(db, files, &out);

    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return g_get_monotonic_time() - t0;
}

static void
test_crash(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    const char *files[] = { test_jsonl, NULL };
    const char *rounds_env = g_getenv("VMC_TEST_CRASH_ROUNDS");
    guint rounds = rounds_env ? (guint) g_ascii_strtoull(rounds_env, NULL, 10) : 10;
    guint have = 0, killed = 0, partial = 0;
    gint64 full;
    g_autofree char *out = NULL;
    guint got_new = 0, got_upd = 0, got_same = 0;
    int status;

    if (!db)
        return;
    full = calibrate(b);
    g_test_message("a whole import of %d hosts: %.0f ms", CRASH_HOSTS, full / 1000.0);
    for (guint r = 0; r < rounds; r++) {
        /* anywhere from before the schema exists to the last commit */
        gint64 delay = g_test_rand_int_range(0, (gint32) MAX(full * 11 / 10, 1000));
        GPid pid = spawn_import(db, files, NULL);
        guint now;

        g_usleep((gulong) delay);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        g_spawn_close_pid(pid);
        if (WIFSIGNALED(status))
            killed++;
        now = check_consistent(db, b, have, CRASH_HOSTS);
        g_test_message("round %u: killed after %.1f ms (%s): %u hosts", r, delay / 1000.0,
                       WIFSIGNALED(status) ? "running" : "had ended", now);
        if (WIFSIGNALED(status) && now > have && now < CRASH_HOSTS)
            partial++;
        have = now;
        if (have == CRASH_HOSTS && r + 1 < rounds) {
            /* complete: kill the next ones on a new inventory */
            g_free(db);
            db = test_db(b);
            have = 0;
        }
    }
    g_test_message("%u rounds: %u killed while running, %u of them after some commits", rounds,
                   killed, partial);
    if (rounds >= 5)
        g_assert_cmpuint(killed, >, 0);

    /* re-running the import completes it */
    status = run_import(db, files, &out);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (sscanf(out, "imported: %u new, %u updated, %u unchanged", &got_new, &got_upd, &got_same) != 3)
        g_error("unexpected import output: %s", out);
    g_assert_cmpuint(got_new, ==, CRASH_HOSTS - have);
    g_assert_cmpuint(got_upd, ==, 0);
    g_assert_cmpuint(got_same, ==, have);
    g_assert_cmpuint(check_consistent(db, b, have, CRASH_HOSTS), ==, CRASH_HOSTS);
}

/* Two importers at once, the second overlapping and shuffled, then one
 * with forgets meanwhile. */
static void
test_concurrent(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    g_autofree char *shuffled = NULL;
    g_autoptr(GString) text = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcTestFleetGen) gen = NULL;
    g_autofree guint *order = NULL;
    const char *first[] = { test_jsonl, NULL };
    const char *second[] = { NULL, NULL };
    GPid pids[2];
    int status;

    if (!db)
        return;
    /* lines 2500.. and 0..499, shuffled: overlapping in both directions */
    gen = vmc_test_fleet_gen_new(VMC_TEST_FLEET_PLAIN, &error);
    g_assert_no_error(error);
    order = g_new(guint, 3000);
    for (guint i = 0; i < 3000; i++)
        order[i] = i < 2500 ? 2500 + i : i - 2500;
    for (guint i = 2999; i > 0; i--) {
        guint j = g_test_rand_int_range(0, (gint32) i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (guint i = 0; i < 3000; i++) {
        vmc_test_fleet_gen_line(gen, order[i], text);
        g_string_append_c(text, '\n');
    }
    shuffled = g_build_filename(test_dir, "shuffled.jsonl", NULL);
    g_file_set_contents(shuffled, text->str, (gssize) text->len, &error);
    g_assert_no_error(error);
    second[0] = shuffled;

    pids[0] = spawn_import(db, first, NULL);
    pids[1] = spawn_import(db, second, NULL);
    for (guint i = 0; i < 2; i++) {
        waitpid(pids[i], &status, 0);
        g_spawn_close_pid(pids[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            g_error("concurrent importer %u failed (status %d)", i, status);
    }
    g_assert_cmpuint(check_consistent(db, b, CRASH_HOSTS, CRASH_HOSTS), ==, CRASH_HOSTS);

    /* forgetting hosts while an import rewrites them */
    {
        g_autoptr(VmcFleet) fleet = vmc_fleet_open(vmc_test_catalog(), db, &error);
        GPid pid = spawn_import(db, second, NULL);
        guint forgotten = 0;

        g_assert_no_error(error);
        for (guint i = 0; i < 200; i++) {
            g_autofree char *name = g_strdup_printf("h%07u", order[i]);
            if (vmc_fleet_forget(fleet, name, &error))
                forgotten++;
            else
                g_error("forget %s during an import: %s", name, error->message);
        }
        waitpid(pid, &status, 0);
        g_spawn_close_pid(pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        g_assert_cmpuint(forgotten, ==, 200);
        /* whatever the order, no orphans either way */
        g_assert_cmpint(count_rows(fleet, "SELECT count(*) FROM kind k WHERE NOT EXISTS "
                                   "(SELECT 1 FROM host h WHERE h.kind = k.id)"), ==, 0);
        g_assert_cmpint(count_rows(fleet, "SELECT count(*) FROM host h WHERE NOT EXISTS "
                                   "(SELECT 1 FROM kind k WHERE k.id = h.kind)"), ==, 0);
    }
    /* and everything is back after one more import */
    {
        g_autofree char *out = NULL;
        status = run_import(db, second, &out);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        g_assert_cmpuint(check_consistent(db, b, CRASH_HOSTS, CRASH_HOSTS), ==, CRASH_HOSTS);
    }
}

static void
remove_dir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        (void) remove(p);
    }
    (void) remove(dir);
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcTestFleetGen) gen = NULL;
    g_autoptr(GString) line = g_string_new(NULL);
    g_autofree char *cli = NULL;
    int rc;

    g_test_init(&argc, &argv, NULL);
    cli = test_cli();
    if (!g_file_test(cli, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_message("no vmcompat CLI at %s (set VMC_BUILD_ROOT)", cli);
        return 77;
    }
    test_dir = g_dir_make_tmp("vmc-fleet-crash-XXXXXX", &error);
    g_assert_no_error(error);
    gen = vmc_test_fleet_gen_new(VMC_TEST_FLEET_PLAIN, &error);
    g_assert_no_error(error);
    test_jsonl = g_build_filename(test_dir, "fleet.jsonl", NULL);
    if (!vmc_test_fleet_gen_write(gen, test_jsonl, 0, CRASH_HOSTS, NULL, &error))
        g_error("%s", error->message);
    test_expected = g_new0(VmcFleetHostLine, CRASH_HOSTS);
    for (guint i = 0; i < CRASH_HOSTS; i++) {
        json_object *doc;
        g_string_truncate(line, 0);
        vmc_test_fleet_gen_line(gen, i, line);
        doc = vmc_json_parse(line->str, line->len, "generated", &error);
        g_assert_no_error(error);
        if (!vmc__fleet_host_line_from_doc(doc, "generated", &test_expected[i], &error))
            g_error("%s", error->message);
        json_object_put(doc);
    }

    g_test_add_data_func("/fleet-crash/sqlite/kill", &backend_sqlite, test_crash);
    g_test_add_data_func("/fleet-crash/postgresql/kill", &backend_pg, test_crash);
    g_test_add_data_func("/fleet-crash/sqlite/concurrent", &backend_sqlite, test_concurrent);
    g_test_add_data_func("/fleet-crash/postgresql/concurrent", &backend_pg, test_concurrent);
    rc = g_test_run();

    for (guint i = 0; i < CRASH_HOSTS; i++)
        vmc__fleet_host_line_clear(&test_expected[i]);
    g_free(test_expected);
    vmc_test_pg_stop(test_pg);
    g_free(test_pg_skip);
    remove_dir(test_dir);
    g_free(test_dir);
    g_free(test_jsonl);
    return rc;
}
