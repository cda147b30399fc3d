/* bench-fleet-import.c: how fast `fleet import` fills an inventory.
 *
 * Generates N hosts (default 100,000) as JSON Lines in a temporary
 * directory (tests/harness/fleet-gen.h: the 7 scenario hosts renamed, other
 * kernel patch levels, 20 clusters, rack/zone labels, 77 kinds, ~12 KB a
 * line), then times, in this process:
 *   baseline    reading the lines and parsing each with json-c (no store)
 *   sqlite      vmc_fleet_import into a new SQLite file, then again (all
 *               hosts unchanged)
 *   postgresql  the same into a private server (fsync on) or --pg URI
 * and once more on N/10 "distinct" lines whose large members differ byte
 * for byte (the import's memo caches miss: its worst case).
 * Target: 100,000 hosts ≤ 10 s on SQLite.
 *
 * Usage: bench-fleet-import [--hosts N] [--batch B] [--pg URI | --no-pg] [--keep]
 */
#include "harness.h"
#include "fleet-gen.h"
#include "pg-server.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static gint opt_hosts = 100000;
static gint opt_batch = 0;
static char *opt_pg = NULL;
static gboolean opt_no_pg = FALSE;
static gboolean opt_keep = FALSE;

static double
secs_since(gint64 t0)
{
    return (g_get_monotonic_time() - t0) / 1e6;
}

/* Read and parse every line with json-c: the floor any import stands on. */
static double
baseline(const char *path, guint expect)
{
    FILE *f = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    guint lines = 0;
    json_tokener *tok = json_tokener_new();
    gint64 t0 = g_get_monotonic_time();
    double t;

    g_assert_nonnull(f);
    while ((n = getline(&line, &cap, f)) > 0) {
        json_object *o;
        json_tokener_reset(tok);
        o = json_tokener_parse_ex(tok, line, (int) n);
        if (!o)
            g_error("%s:%u: not JSON", path, lines + 1);
        json_object_put(o);
        lines++;
    }
    t = secs_since(t0);
    g_assert_cmpuint(lines, ==, expect);
    json_tokener_free(tok);
    free(line);
    fclose(f);
    return t;
}

static void
row(const char *what, guint n, double t)
{
    printf("  %-44s %8.2f s %10.0f hosts/s\n", what, t, n / t);
}

/* Import @path into @db twice: new, then unchanged. */
static void
import_twice(const char *label, const char *db, const char *path, guint n)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = vmc_fleet_open(vmc_test_catalog(), db, &error);
    const char *paths[] = { path, NULL };
    VmcFleetImportStats st;
    g_autofree char *what = NULL;
    gint64 t0;

    if (!fleet)
        g_error("%s: %s", db, error->message);
    t0 = g_get_monotonic_time();
    if (!vmc_fleet_import(fleet, paths, NULL, (guint) opt_batch, &st, &error))
        g_error("%s: %s", label, error->message);
    what = g_strdup_printf("%s, new inventory (%u kinds)", label, st.kinds_new);
    row(what, n, secs_since(t0));
    g_assert_cmpuint(st.hosts_new, ==, n);
    g_clear_pointer(&what, g_free);
    t0 = g_get_monotonic_time();
    if (!vmc_fleet_import(fleet, paths, NULL, (guint) opt_batch, &st, &error))
        g_error("%s: %s", label, error->message);
    what = g_strdup_printf("%s, again (all unchanged)", label);
    row(what, n, secs_since(t0));
    g_assert_cmpuint(st.hosts_unchanged, ==, n);
}

/* One data set: generate, baseline, both backends. */
static void
run(const char *dir, VmcTestFleetFlags flags, guint n, VmcTestPg *pg, guint *db_counter)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcTestFleetGen) gen = vmc_test_fleet_gen_new(flags, &error);
    const char *name = flags & VMC_TEST_FLEET_DISTINCT ? "distinct" : "plain";
    g_autofree char *file = g_strdup_printf("%s-%u.jsonl", name, n);
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *sqlite = NULL;
    guint64 bytes = 0;
    gint64 t0;
    double t;

    if (!gen)
        g_error("%s", error->message);
    t0 = g_get_monotonic_time();
    if (!vmc_test_fleet_gen_write(gen, path, 0, n, &bytes, &error))
        g_error("%s", error->message);
    printf("%s: %u hosts, %.2f GB of JSON Lines (%.1f KB a line), generated in %.1f s\n", name, n,
           bytes / 1e9, bytes / 1024.0 / n, secs_since(t0));
    t = baseline(path, n);
    row("baseline: read + json-c parse every line", n, t);

    sqlite = g_strdup_printf("%s/%s.db", dir, name);
    import_twice("sqlite", sqlite, path, n);
    if (pg || opt_pg) {
        g_autofree char *uri = NULL;
        g_autofree char *dbname = g_strdup_printf("bench%u", ++*db_counter);
        if (opt_pg) {
            uri = g_strdup(opt_pg);
            if (*db_counter > 1) {
                printf("  (postgresql: --pg is used once, for the plain set)\n");
                goto done;
            }
        } else if (!(uri = vmc_test_pg_create_db(pg, dbname, &error))) {
            g_error("%s", error->message);
        }
        import_twice("postgresql", uri, path, n);
    }
 done:
    if (!opt_keep) {
        g_autofree char *wal = g_strdup_printf("%s-wal", sqlite), *shm = g_strdup_printf("%s-shm", sqlite);
        remove(path);
        remove(sqlite);
        remove(wal);
        remove(shm);
    }
}

int
main(int argc, char **argv)
{
    GOptionEntry entries[] = {
        { "hosts", 0, 0, G_OPTION_ARG_INT, &opt_hosts, "hosts to generate (default 100000)", "N" },
        { "batch", 0, 0, G_OPTION_ARG_INT, &opt_batch, "hosts per transaction (default: the import's)", "B" },
        { "pg", 0, 0, G_OPTION_ARG_STRING, &opt_pg, "an empty PostgreSQL database to use", "URI" },
        { "no-pg", 0, 0, G_OPTION_ARG_NONE, &opt_no_pg, "SQLite only", NULL },
        { "keep", 0, 0, G_OPTION_ARG_NONE, &opt_keep, "keep the generated files", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- time fleet import");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcTestPg) pg = NULL;
    g_autofree char *dir = NULL, *skip = NULL;
    guint db_counter = 0;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error) || opt_hosts <= 0 || opt_batch < 0) {
        fprintf(stderr, "bench-fleet-import: %s\n", error ? error->message : "bad --hosts/--batch");
        return 2;
    }
    if (!g_getenv("VMC_SOURCE_ROOT"))
        g_setenv("VMC_SOURCE_ROOT", SOURCE_ROOT, TRUE);
    if (!(dir = g_dir_make_tmp("vmc-bench-fleet-XXXXXX", &error)))
        g_error("%s", error->message);
    if (!opt_no_pg && !opt_pg) {
        if (!(pg = vmc_test_pg_start(TRUE, &skip, &error)))
            printf("postgresql: %s\n", skip ? skip : error->message);
        else
            printf("postgresql: a private server (fsync on) in %s\n", vmc_test_pg_dir(pg));
    }
    printf("batch: %d hosts per transaction\n", opt_batch ? opt_batch : 1000);
    run(dir, VMC_TEST_FLEET_PLAIN, (guint) opt_hosts, pg, &db_counter);
    run(dir, VMC_TEST_FLEET_DISTINCT, MAX((guint) opt_hosts / 10, 1), pg, &db_counter);
    if (!opt_keep)
        remove(dir);
    else
        printf("kept: %s\n", dir);
    return 0;
}
