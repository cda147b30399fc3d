/* test-fleet-store.c: the fleet inventory's store, the same cases on SQLite
 * and on PostgreSQL (a private server, tests/harness/pg-server.h; the
 * PostgreSQL cases skip when its binaries are absent).
 *
 *  - import: new/updated/unchanged counts, idempotent re-import, a name
 *    repeated in a batch, host documents that are not JSON Lines;
 *  - kinds: hosts differing only in name, kernel patch level, notes,
 *    source, QEMU binary or array order share a kind; a CPU feature or a
 *    kernel release makes a new one; the 08f895a fingerprints hold;
 *  - filters: cluster, host globs, label.K, kind, vendor (any ASCII case,
 *    CPUID strings; non-ASCII folds the same on both), arch, and their
 *    errors; the vendors of a selection and the one-vendor check;
 *  - forget (the kind goes with its last host), guests add/get;
 *  - schema: created at version 1, a newer one refused, an 08f895a SQLite
 *    inventory still read (its hosts re-import unchanged);
 *  - bad lines: the error names file:line, earlier batches stay.
 * Backend-free: the fingerprint against 08f895a's implementation on random
 * documents, and the line path against the tree path on mutated lines.
 */
#include "harness.h"
#include "pg-server.h"

#include <glib/gstdio.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "base/json-util.h"
#include "fleet/fleet-private.h"

typedef enum { BACKEND_SQLITE, BACKEND_PG } Backend;
static const char *const backend_names[] = { "sqlite", "postgresql" };
static const Backend backend_sqlite = BACKEND_SQLITE, backend_pg = BACKEND_PG;

/* Per test binary: the scratch directory, the PostgreSQL server. */
static char *test_dir;
static VmcTestPg *test_pg;
static char *test_pg_skip;
static guint test_db_counter;

static const char *const scenario[] = {
    "cascadelake-noble", "cascadelake-noble-tsx-off", "jammy-qemu-8.2", "opteron-jammy",
    "opteron-qemu-5.1", "skylake-jammy", "skylake-noble-mpx-off",
};

/* ---- helpers ------------------------------------------------------------------ */

/* A fresh inventory on @b (NULL: the test is skipped). */
static char *
test_db(Backend b)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *name = g_strdup_printf("t%u", ++test_db_counter);

    if (b == BACKEND_SQLITE)
        return g_strdup_printf("%s/%s.db", test_dir, name);
    if (!test_pg && !test_pg_skip) {
        test_pg = vmc_test_pg_start(FALSE, &test_pg_skip, &error);
        if (!test_pg && !test_pg_skip)
            test_pg_skip = g_strdup_printf("PostgreSQL server did not start: %s", error->message);
    }
    if (!test_pg) {
        g_test_skip(test_pg_skip);
        return NULL;
    }
    {
        char *uri = vmc_test_pg_create_db(test_pg, name, &error);
        if (!uri) {
            g_test_message("%s", error->message);
            g_test_fail();
        }
        return uri;
    }
}

static VmcFleet *
test_open(const char *db)
{
    g_autoptr(GError) error = NULL;
    VmcFleet *fleet = vmc_fleet_open(vmc_test_catalog(), db, &error);
    if (!fleet)
        g_error("opening %s: %s", db, error->message);
    return fleet;
}

/* Scenario document @i (a new object). */
static json_object *
scenario_doc(guint i)
{
    g_autofree char *path = NULL, *file = g_strdup_printf("%s.json", scenario[i]);
    g_autofree char *text = NULL;
    gsize len;
    g_autoptr(GError) error = NULL;
    json_object *doc;

    path = vmc_test_source_path("tests", "data", "hosts", "scenario", file, NULL);
    text = vmc_test_read(path, &len);
    g_assert_nonnull(text);
    doc = vmc_json_parse(text, len, path, &error);
    g_assert_no_error(error);
    return doc;
}

/* A host line: scenario doc @i named @name, with @kernel, @cluster and
 * @labels ("k=v,k=v") when not NULL. */
static char *
host_line(guint i, const char *name, const char *kernel, const char *cluster, const char *labels)
{
    json_object *doc = scenario_doc(i);
    char *text;

    json_object_object_add(doc, "name", json_object_new_string(name));
    if (kernel)
        json_object_object_add(doc, "kernel", json_object_new_string(kernel));
    if (cluster)
        json_object_object_add(doc, "cluster", json_object_new_string(cluster));
    if (labels) {
        g_auto(GStrv) kv = g_strsplit(labels, ",", -1);
        json_object *l = json_object_new_object();
        for (char **p = kv; *p; p++) {
            g_auto(GStrv) pair = g_strsplit(*p, "=", 2);
            json_object_object_add(l, pair[0], json_object_new_string(pair[1]));
        }
        json_object_object_add(doc, "labels", l);
    }
    text = g_strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
    json_object_put(doc);
    return text;
}

/* Write @lines (NULL-terminated) as @name.jsonl in the scratch directory. */
static char *
write_jsonl(const char *name, const char *const *lines)
{
    g_autofree char *file = g_strdup_printf("%s.jsonl", name);
    char *path = g_build_filename(test_dir, file, NULL);
    g_autoptr(GString) text = g_string_new(NULL);
    g_autoptr(GError) error = NULL;

    for (const char *const *l = lines; *l; l++) {
        g_string_append(text, *l);
        g_string_append_c(text, '\n');
    }
    g_file_set_contents(path, text->str, (gssize) text->len, &error);
    g_assert_no_error(error);
    return path;
}

static gboolean
import_files(VmcFleet *fleet, const char *path, guint batch, VmcFleetImportStats *st, GError **error)
{
    const char *paths[] = { path, NULL };
    return vmc_fleet_import(fleet, paths, NULL, batch, st, error);
}

/* The hosts of a filter, names joined with ' '. */
static char *
host_names(VmcFleet *fleet, const char *where)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) hosts = vmc_fleet_hosts(fleet, where, &error);
    g_autoptr(GString) s = g_string_new(NULL);

    g_assert_no_error(error);
    for (guint i = 0; i < hosts->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "", g_array_index(hosts, VmcFleetHost, i).name);
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* Host @name of @hosts (the test ends when it is not there). */
static const VmcFleetHost *
find_host(GArray *hosts, const char *name)
{
    for (guint i = 0; hosts && i < hosts->len; i++)
        if (g_str_equal(g_array_index(hosts, VmcFleetHost, i).name, name))
            return &g_array_index(hosts, VmcFleetHost, i);
    g_error("no host '%s' in the inventory", name);
}

#define ASSERT_STATS(st, new_, upd, same, kinds) \
    G_STMT_START { \
        g_assert_cmpuint((st).hosts_new, ==, (new_)); \
        g_assert_cmpuint((st).hosts_updated, ==, (upd)); \
        g_assert_cmpuint((st).hosts_unchanged, ==, (same)); \
        g_assert_cmpuint((st).kinds_new, ==, (kinds)); \
    } G_STMT_END

/* ---- import ----------------------------------------------------------------------- */

static void
test_import(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *path = NULL, *path2 = NULL, *path3 = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) hosts = NULL;
    VmcFleetImportStats st;

    if (!db)
        return;
    fleet = test_open(db);
    for (guint i = 0; i < 21; i++) {
        g_autofree char *name = g_strdup_printf("h%02u", i);
        g_ptr_array_add(lines, host_line(i % 7, name, NULL, i % 2 ? "odd" : NULL, "rack=r1"));
    }
    g_ptr_array_add(lines, NULL);
    path = write_jsonl("import", (const char *const *) lines->pdata);

    VMC_ASSERT_OK(import_files(fleet, path, 5, &st, &error), error);
    ASSERT_STATS(st, 21, 0, 0, 7);
    g_assert_cmpuint(st.batches, ==, 5);
    g_assert_cmpuint(vmc_fleet_count_kinds(fleet), ==, 7);

    /* a batch is held in memory: bounded */
    g_assert_false(import_files(fleet, path, 100001, &st, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_LIMIT);
    g_clear_error(&error);

    /* idempotent */
    VMC_ASSERT_OK(import_files(fleet, path, 0, &st, &error), error);
    ASSERT_STATS(st, 0, 0, 21, 0);
    g_assert_cmpuint(st.batches, ==, 1);

    /* a default cluster applies to hosts without one: those change */
    {
        const char *paths[] = { path, NULL };
        VMC_ASSERT_OK(vmc_fleet_import(fleet, paths, "default", 0, &st, &error), error);
        ASSERT_STATS(st, 0, 11, 10, 0);
    }
    hosts = vmc_fleet_hosts(fleet, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(hosts->len, ==, 21);
    g_assert_cmpstr(find_host(hosts, "h00")->cluster, ==, "default");
    g_assert_cmpstr(find_host(hosts, "h01")->cluster, ==, "odd");
    g_assert_cmpstr(find_host(hosts, "h01")->labels, ==, "{\"rack\":\"r1\"}");
    g_assert_cmpstr(find_host(hosts, "h05")->kernel, ==, "5.15.0-105-generic");
    g_assert_cmpuint(strlen(find_host(hosts, "h05")->kind_fingerprint), ==, 64);
    g_clear_pointer(&hosts, g_array_unref);

    /* changed labels, cluster, kernel patch: updated, no new kind; a name
     * repeated in one batch counts line by line, the last line wins */
    {
        g_autofree char *a = host_line(0, "h00", NULL, "default", "rack=r2");
        g_autofree char *c = host_line(1, "h01", NULL, "even", "rack=r1");
        g_autofree char *d = host_line(5, "h05", "5.15.0-200-generic", "default", "rack=r1");
        g_autofree char *e = host_line(2, "new1", NULL, NULL, NULL);
        g_autofree char *f = host_line(2, "new1", NULL, NULL, NULL);
        g_autofree char *g = host_line(2, "new1", NULL, "x", NULL);
        const char *const changed[] = { a, c, d, e, f, g, NULL };
        path2 = write_jsonl("import-changed", changed);
    }
    VMC_ASSERT_OK(import_files(fleet, path2, 0, &st, &error), error);
    /* new1: new, then unchanged (same line), then updated (cluster x) */
    ASSERT_STATS(st, 1, 4, 1, 0);
    hosts = vmc_fleet_hosts(fleet, NULL, &error);
    g_assert_cmpuint(hosts->len, ==, 22);
    g_assert_cmpstr(find_host(hosts, "h00")->labels, ==, "{\"rack\":\"r2\"}");
    g_assert_cmpstr(find_host(hosts, "h01")->cluster, ==, "even");
    g_assert_cmpstr(find_host(hosts, "h05")->kernel, ==, "5.15.0-200-generic");
    g_assert_cmpstr(find_host(hosts, "new1")->cluster, ==, "x");
    g_assert_cmpstr(find_host(hosts, "new1")->labels, ==, "{}");
    g_clear_pointer(&hosts, g_array_unref);

    /* a host document (any host input, not JSON Lines): the tree path */
    path3 = vmc_test_source_path("tests", "data", "hosts", "scenario", "opteron-jammy.json", NULL);
    VMC_ASSERT_OK(import_files(fleet, path3, 0, &st, &error), error);
    ASSERT_STATS(st, 1, 0, 0, 0);
    g_assert_cmpuint(vmc_fleet_count_kinds(fleet), ==, 7);
    hosts = vmc_fleet_hosts(fleet, "host=opteron-jammy", &error);
    g_assert_cmpuint(hosts->len, ==, 1);
    g_assert_cmpstr(g_array_index(hosts, VmcFleetHost, 0).kind_fingerprint, ==,
                    "106a3067b15936a9ec7f5beb526634c2be40c640785d366b3e4bb1500deca91a");
}

/* ---- kinds ----------------------------------------------------------------------- */

static void
test_kinds(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *path = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) hosts = NULL;
    VmcFleetImportStats st;
    json_object *doc, *v, *hw;
    const char *fp_base;

    if (!db)
        return;
    fleet = test_open(db);
    /* skylake-jammy (5) and variants */
    g_ptr_array_add(lines, host_line(5, "base", NULL, NULL, NULL));
    g_ptr_array_add(lines, host_line(5, "patch", "5.15.7-999-generic", "c2", "a=b"));
    doc = scenario_doc(5);
    json_object_object_add(doc, "name", json_object_new_string("cosmetic"));
    json_object_object_add(doc, "notes", json_object_new_string("other notes"));
    json_object_object_add(doc, "source", json_object_new_string("probe"));
    json_object_object_get_ex(doc, "qemu", &v);
    json_object_object_add(v, "binary", json_object_new_string("/opt/qemu/bin/qemu-system-x86_64"));
    json_object_object_get_ex(v, "machine_types", &v);
    {
        /* the same set in another order */
        json_object *rev = json_object_new_array();
        for (size_t i = json_object_array_length(v); i > 0; i--)
            json_object_array_add(rev, json_object_get(json_object_array_get_idx(v, i - 1)));
        json_object_object_get_ex(doc, "qemu", &v);
        json_object_object_add(v, "machine_types", rev);
    }
    /* pretty-printed with spaces: the same document to JSON */
    g_ptr_array_add(lines, g_strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_SPACED)));
    json_object_put(doc);
    /* one hardware feature less: another kind */
    doc = scenario_doc(5);
    json_object_object_add(doc, "name", json_object_new_string("feature"));
    json_object_object_get_ex(doc, "cpu", &v);
    json_object_object_get_ex(v, "hardware_features", &hw);
    json_object_array_del_idx(hw, json_object_array_length(hw) - 1, 1);
    g_ptr_array_add(lines, g_strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN)));
    json_object_put(doc);
    /* another kernel release: another kind */
    g_ptr_array_add(lines, host_line(5, "release", "6.1.0-18-amd64", NULL, NULL));
    g_ptr_array_add(lines, NULL);
    path = write_jsonl("kinds", (const char *const *) lines->pdata);

    VMC_ASSERT_OK(import_files(fleet, path, 2, &st, &error), error);
    ASSERT_STATS(st, 5, 0, 0, 3);
    g_assert_cmpuint(vmc_fleet_count_kinds(fleet), ==, 3);
    hosts = vmc_fleet_hosts(fleet, NULL, &error);
    g_assert_no_error(error);
    fp_base = find_host(hosts, "base")->kind_fingerprint;
    g_assert_cmpstr(fp_base, ==, "ffa38e6c70ac85449c269f88e95a0181db358da08f51e0ca4304f698f5af3051");
    g_assert_cmpstr(find_host(hosts, "patch")->kind_fingerprint, ==, fp_base);
    g_assert_cmpstr(find_host(hosts, "cosmetic")->kind_fingerprint, ==, fp_base);
    g_assert_cmpint(find_host(hosts, "cosmetic")->kind, ==, find_host(hosts, "base")->kind);
    g_assert_cmpstr(find_host(hosts, "feature")->kind_fingerprint, !=, fp_base);
    g_assert_cmpstr(find_host(hosts, "release")->kind_fingerprint, !=, fp_base);
    g_assert_cmpstr(find_host(hosts, "release")->kind_fingerprint, !=,
                    find_host(hosts, "feature")->kind_fingerprint);

    /* the kind's document is a host the answers can use */
    {
        const VmcHost *h = vmc__fleet_kind_host(fleet, find_host(hosts, "feature")->kind, &error);
        g_assert_no_error(error);
        g_assert_nonnull(h);
    }
}

/* The 7 scenario documents keep the fingerprints 08f895a gave them, by
 * the tree path and by the line path. */
static void
test_fingerprints_08f895a(void)
{
    g_autofree char *path = vmc_test_source_path("tests", "data", "fleet", "store",
                                                 "fingerprints-08f895a.txt", NULL);
    g_autofree char *text = vmc_test_read(path, NULL);
    g_auto(GStrv) rows = g_strsplit(text, "\n", -1);
    g_autoptr(VmcHostLineCache) cache = vmc__fleet_host_line_cache_new();
    guint n = 0;

    for (char **r = rows; *r; r++) {
        g_auto(GStrv) f = NULL;
        if (!**r || **r == '#')
            continue;
        f = g_strsplit(*r, " ", 2);
        for (guint i = 0; i < G_N_ELEMENTS(scenario); i++) {
            json_object *doc;
            g_autofree char *fp = NULL, *line = NULL;
            VmcFleetHostLine hl = { 0 };

            if (!g_str_equal(scenario[i], f[0]))
                continue;
            doc = scenario_doc(i);
            fp = vmc__fleet_fingerprint(doc);
            g_assert_cmpstr(fp, ==, f[1]);
            line = g_strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
            g_assert_true(vmc__fleet_host_line_scan(cache, line, strlen(line), &hl));
            g_assert_cmpstr(hl.fp, ==, f[1]);
            vmc__fleet_host_line_clear(&hl);
            json_object_put(doc);
            n++;
        }
    }
    g_assert_cmpuint(n, ==, G_N_ELEMENTS(scenario));
}

/* ---- the fingerprint against 08f895a's implementation ------------------------------- */

static json_object *old_canonical(json_object *o);

static int
old_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* 08f895a's vmc_canonical, verbatim: the naive model. */
static json_object *
old_canonical(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_object: {
        g_autoptr(GPtrArray) keys = g_ptr_array_new();
        json_object *out = json_object_new_object();
        json_object_object_foreach(o, key, val) {
            (void) val;
            g_ptr_array_add(keys, key);
        }
        g_ptr_array_sort(keys, old_cmp);
        for (guint i = 0; i < keys->len; i++) {
            const char *name = g_ptr_array_index(keys, i);
            json_object_object_add(out, name, old_canonical(json_object_object_get(o, name)));
        }
        return out;
    }
    case json_type_array: {
        size_t n = json_object_array_length(o);
        g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
        json_object *out = json_object_new_array();
        for (size_t i = 0; i < n; i++) {
            json_object *c = old_canonical(json_object_array_get_idx(o, i));
            g_ptr_array_add(texts, g_strdup(json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN)));
            json_object_put(c);
        }
        g_ptr_array_sort(texts, old_cmp);
        for (guint i = 0; i < texts->len; i++)
            json_object_array_add(out, json_tokener_parse(g_ptr_array_index(texts, i)));
        return out;
    }
    default:
        return json_object_get(o);
    }
}

/* 08f895a's vmc__fleet_fingerprint, verbatim. */
static char *
old_fingerprint(json_object *doc)
{
    json_object *c = old_canonical(doc);
    json_object *qemu;
    const char *kernel;
    g_autofree char *kx = NULL;
    char *sum;

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

static const char *const rand_keys[] = {
    "format", "arch", "name", "kernel", "qemu", "kvm", "cpu", "notes", "source", "cluster",
    "labels", "binary", "a/b", "x\"y", "é", "features", "b", "a",
};
static const char *const rand_strings[] = {
    "", "a", "b", "x86_64", "5.15.0-105-generic", "6.1", "abc", "a/b", "q\"uote", "back\\slash",
    "tab\there", "nl\nx", "\x01" "ctl", "\x7f", "é", "\xe2\x82\xac", "pc-q35-7.2", "Z", "0x0000000d",
};
static const char *const rand_numbers[] = {
    "0", "1", "-1", "42", "9223372036854775807", "-9223372036854775808", "1.5", "2.50", "1e10",
    "-0.0", "3.14159265358979", "0.1", "100", "7",
};

/* Random JSON text, @depth levels at most. */
static void
rand_json(GString *out, guint depth)
{
    guint pick = g_test_rand_int_range(0, depth ? 9 : 5);

    switch (pick) {
    case 0:
    case 1: {
        const char *s = rand_strings[g_test_rand_int_range(0, G_N_ELEMENTS(rand_strings))];
        json_object *o = json_object_new_string(s);
        g_string_append(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        break;
    }
    case 2:
        g_string_append(out, rand_numbers[g_test_rand_int_range(0, G_N_ELEMENTS(rand_numbers))]);
        break;
    case 3:
        g_string_append(out, g_test_rand_bit() ? "true" : "false");
        break;
    case 4:
        g_string_append(out, "null");
        break;
    case 5:
    case 6: {
        guint n = g_test_rand_int_range(0, 6);
        g_string_append_c(out, '[');
        for (guint i = 0; i < n; i++) {
            if (i)
                g_string_append_c(out, ',');
            rand_json(out, depth - 1);
        }
        g_string_append_c(out, ']');
        break;
    }
    default: {
        guint n = g_test_rand_int_range(0, 5);
        g_string_append_c(out, '{');
        for (guint i = 0; i < n; i++) {
            json_object *k = json_object_new_string(rand_keys[g_test_rand_int_range(0, G_N_ELEMENTS(rand_keys))]);
            if (i)
                g_string_append_c(out, ',');
            g_string_append_printf(out, "%s:", json_object_to_json_string_ext(k, JSON_C_TO_STRING_PLAIN));
            json_object_put(k);
            rand_json(out, depth - 1);
        }
        g_string_append_c(out, '}');
        break;
    }
    }
}

/* A random document: an object whose members are random JSON. */
static char *
rand_doc(void)
{
    GString *out = g_string_new("{");
    guint n = g_test_rand_int_range(1, 10);

    for (guint i = 0; i < n; i++) {
        json_object *k = json_object_new_string(rand_keys[g_test_rand_int_range(0, G_N_ELEMENTS(rand_keys))]);
        if (i)
            g_string_append_c(out, ',');
        g_string_append_printf(out, "%s:", json_object_to_json_string_ext(k, JSON_C_TO_STRING_PLAIN));
        json_object_put(k);
        rand_json(out, 4);
    }
    g_string_append_c(out, '}');
    return g_string_free(out, FALSE);
}

static void
test_fingerprint_vs_08f895a(void)
{
    guint rounds = g_test_thorough() ? 20000 : 3000;

    for (guint i = 0; i < rounds; i++) {
        g_autofree char *text = rand_doc();
        json_object *doc = json_tokener_parse(text);
        g_autofree char *fp = NULL, *want = NULL;

        g_assert_nonnull(doc);
        fp = vmc__fleet_fingerprint(doc);
        want = old_fingerprint(doc);
        if (!g_str_equal(fp, want))
            g_error("fingerprint differs from 08f895a's for %s", text);
        json_object_put(doc);
    }
    /* and the real documents */
    for (guint i = 0; i < G_N_ELEMENTS(scenario); i++) {
        json_object *doc = scenario_doc(i);
        g_autofree char *fp = vmc__fleet_fingerprint(doc), *want = old_fingerprint(doc);
        g_assert_cmpstr(fp, ==, want);
        json_object_put(doc);
    }
}

/* ---- the line path against the tree path --------------------------------------------- */

/* Both paths on @line; the line path may decline, never disagree. */
static gboolean
check_line_paths(VmcHostLineCache *cache, const char *line, gsize len)
{
    g_autoptr(GError) error = NULL;
    VmcFleetHostLine tree = { 0 }, fast = { 0 };
    json_object *doc = vmc_json_parse(line, len, "line", &error);
    gboolean tree_ok = doc && vmc__fleet_host_line_from_doc(doc, "line", &tree, &error);
    gboolean fast_ok = vmc__fleet_host_line_scan(cache, line, len, &fast);

    json_object_put(doc);
    if (fast_ok) {
        if (!tree_ok)
            g_error("the line path took a line the tree path refuses (%s): %.*s",
                    error ? error->message : "?", (int) MIN(len, 400), line);
        if (g_strcmp0(tree.name, fast.name) || g_strcmp0(tree.cluster, fast.cluster) ||
            g_strcmp0(tree.labels, fast.labels) || g_strcmp0(tree.kernel, fast.kernel) ||
            strcmp(tree.fp, fast.fp))
            g_error("the two paths disagree on %.*s", (int) MIN(len, 400), line);
    }
    vmc__fleet_host_line_clear(&tree);
    vmc__fleet_host_line_clear(&fast);
    return fast_ok;
}

/* Replace the first @from in @s by @to (transfer full). */
static char *
replace_first(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    if (!at)
        return g_strdup(s);
    return g_strdup_printf("%.*s%s%s", (int) (at - s), s, to, at + strlen(from));
}

static void
test_line_paths(void)
{
    g_autoptr(VmcHostLineCache) cache = vmc__fleet_host_line_cache_new();
    static const char *const edits[][2] = {
        { "{\"format\":1,", "{\"format\":1,\"format\":1," },
        { "{\"format\":1,", "{\"format\":1.0," },
        { "{\"format\":1,", "{\"format\":01," },
        { "{\"format\":1,", "{\"format\":-0," },
        { "{\"format\":1,", "{\"format\":1e0," },
        { "{\"format\":1,", "{\"format\":true," },
        { "{\"format\":1,", "{\"format\":\"1\"," },
        { "{\"format\":1,", "{ \"format\" : 1 , " },
        { "{\"format\":1,", "{\"format\":1,/* c */" },
        { "{\"format\":1,", "{\"format\":1,\"name\":\"dup\"," },
        { "{\"format\":1,", "{\"format\":1,\"x\":'single'," },
        { "{\"format\":1,", "{\"fo\\u0072mat\":1," },
        { "{\"format\":1,", "{\"format\":1,\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]," },
        { "{\"format\":1,", "{\"format\":1,\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]," },
        { "{\"format\":1,", "{\"format\":1,\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]," },
        { "{\"format\":1,", "{\"format\":1,\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]," },
        { "{\"format\":1,", "{\"format\":1,\"x\":NaN," },
        { "{\"format\":1,", "{\"format\":1,\"x\":Infinity," },
        { "{\"format\":1,", "{\"format\":1,\"x\":True," },
        { "{\"format\":1,", "{\"format\":1,\"x\":[1,]," },
        { "{\"format\":1,", "{\"format\":1,\"x\":{\"a\":1,}," },
        { "{\"format\":1,", "{\"format\":1,\"x\":\"\\u00e9\\/\"," },
        { "{\"format\":1,", "\xef\xbb\xbf{\"format\":1," },
        { "\"name\":\"", "\"name\":\"\\u0061" },
        { "\"name\":\"", "\"name\":\"/" },
        { "\"name\":\"", "\"name\":null,\"n\":\"" },
        { "\"name\":\"", "\"name\":7,\"n\":\"" },
        { "\"name\":\"", "\"name\":\"\",\"n\":\"" },
        { "\"kernel\":\"", "\"kernel\":null,\"k\":\"" },
        { "\"kernel\":\"", "\"kernel\":5,\"k\":\"" },
        { "\"kernel\":\"", "\"kernel\":\"\\t" },
        { "\"kernel\":\"", "\"kernel\":\"x" },
        { "\"kernel\":\"", "\"kernel\":\"\",\"k\":\"" },
        { "\"qemu\":{", "\"qemu\":{\"binary\":\"/a\\/b\"," },
        { "\"qemu\":{", "\"qemu\":[],\"q\":{" },
        { "\"arch\":", "\"cluster\":\"c\",\"labels\":{\"a\":\"b\",\"c\":\"\\u00e9\"},\"arch\":" },
        { "\"arch\":", "\"cluster\":3,\"arch\":" },
        { "\"arch\":", "\"cluster\":null,\"arch\":" },
        { "\"arch\":", "\"labels\":{\"a\":1},\"arch\":" },
        { "\"arch\":", "\"labels\":[],\"arch\":" },
        { "\"arch\":", "\"labels\":null,\"arch\":" },
        { "\"arch\":", "\"labels\":{\"a\":\"b\",\"a\":\"c\"},\"arch\":" },
        { "\"arch\":", "\"notes\":[\"a\"},\"arch\":" },
        { "\"arch\":", "\"notes\":\"x\",\"arch\":" },
        { "\"arch\":", "\"source\":{\"a\":[1,2]},\"arch\":" },
    };
    static const char mutants[] = " \t\r\n\f\v\"{}[],:\\/'0a\x01\x80-.e";
    guint accepted = 0, declined = 0, total = 0;
    guint rounds = g_test_thorough() ? 20000 : 2500;

    for (guint i = 0; i < G_N_ELEMENTS(scenario); i++) {
        g_autofree char *base = host_line(i, scenario[i], NULL, NULL, NULL);
        g_assert_true(check_line_paths(cache, base, strlen(base)));
        for (guint e = 0; e < G_N_ELEMENTS(edits); e++) {
            g_autofree char *line = replace_first(base, edits[e][0], edits[e][1]);
            if (check_line_paths(cache, line, strlen(line)))
                accepted++;
            else
                declined++;
            total++;
        }
    }
    /* random byte edits */
    for (guint r = 0; r < rounds; r++) {
        guint i = g_test_rand_int_range(0, G_N_ELEMENTS(scenario));
        g_autofree char *base = host_line(i, "m", NULL, "c", g_test_rand_bit() ? "k=v" : NULL);
        GString *line = g_string_new(base);
        guint edits_n = g_test_rand_int_range(1, 4);

        for (guint e = 0; e < edits_n; e++) {
            guint at = g_test_rand_int_range(0, (gint32) line->len);
            char ch = mutants[g_test_rand_int_range(0, sizeof(mutants) - 1)];
            switch (g_test_rand_int_range(0, 3)) {
            case 0:
                g_string_insert_c(line, at, ch);
                break;
            case 1:
                line->str[at] = ch;
                break;
            default:
                g_string_erase(line, at, 1);
                break;
            }
        }
        if (check_line_paths(cache, line->str, line->len))
            accepted++;
        else
            declined++;
        total++;
        g_string_free(line, TRUE);
    }
    /* random documents made host-like */
    for (guint r = 0; r < rounds; r++) {
        g_autofree char *doc = rand_doc();
        g_autofree char *line = g_strdup_printf("{\"format\":1,\"name\":\"r\",%s", doc + 1);
        if (check_line_paths(cache, line, strlen(line)))
            accepted++;
        else
            declined++;
        total++;
    }
    g_test_message("line path: %u accepted, %u declined of %u", accepted, declined, total);
    /* both outcomes are exercised */
    g_assert_cmpuint(accepted, >, total / 10);
    g_assert_cmpuint(declined, >, total / 10);
}

/* ---- filters ---------------------------------------------------------------------------- */

static void
check_filter(VmcFleet *fleet, Backend b, const char *where, const char *want)
{
    g_autofree char *got = host_names(fleet, where);
    if (!g_str_equal(got, want))
        g_error("%s: --where '%s': got '%s', want '%s'", backend_names[b], where ? where : "(none)",
                got, want);
}

/* vmc_fleet_vendors of @where as "arch vendor hosts/kinds; ..." */
static char *
vendor_rows(VmcFleet *fleet, const char *where)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) rows = vmc_fleet_vendors(fleet, where, &error);
    g_autoptr(GString) s = g_string_new(NULL);

    g_assert_no_error(error);
    for (guint i = 0; i < rows->len; i++) {
        const VmcFleetVendor *v = &g_array_index(rows, VmcFleetVendor, i);
        g_string_append_printf(s, "%s%s %s %u/%u", i ? "; " : "", v->arch,
                               v->vendor ? v->vendor : "-", v->n_hosts, v->n_kinds);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* Vendors and arches on test_filters' inventory, plus an s390x host (its
 * kind records no vendor) and a vendor outside ASCII, which both backends
 * fold in ASCII only. */
static void
test_filters_vendors(VmcFleet *fleet, Backend b)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *s390x = vmc_test_source_path("tests", "data", "hosts", "s390x-kernel-6.1.json",
                                                  NULL);
    g_autofree char *path = NULL, *rows = NULL;
    VmcFleetImportStats st;

#define CHECK(where, want) check_filter(fleet, b, where, want)
    rows = vendor_rows(fleet, NULL);
    g_assert_cmpstr(rows, ==, "x86_64 Intel 4/2; x86_64 AMD 2/1");
    g_clear_pointer(&rows, g_free);
    VMC_ASSERT_OK(vmc_fleet_check_one_vendor(fleet, "vendor=intel", &error), error);
    VMC_ASSERT_OK(vmc_fleet_check_one_vendor(fleet, "cluster=nope", &error), error);
    g_assert_false(vmc_fleet_check_one_vendor(fleet, "cluster=prod", &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE);
    g_assert_cmpstr(error->message, ==, "the 3 hosts where cluster=prod have no common CPU: they mix "
                    "CPU vendors — Intel (2 hosts), AMD (1 host); narrow them with "
                    "--where cluster=prod,vendor=Intel or --where cluster=prod,vendor=AMD");
    g_clear_error(&error);

    VMC_ASSERT_OK(import_files(fleet, s390x, 0, &st, &error), error);
    {
        json_object *doc = scenario_doc(5), *cpu;
        g_autofree char *line = NULL;
        const char *lines[] = { NULL, NULL };
        json_object_object_add(doc, "name", json_object_new_string("exotic"));
        json_object_object_get_ex(doc, "cpu", &cpu);
        /* Ëxotic */
        json_object_object_add(cpu, "vendor", json_object_new_string("\xc3\x8bxotic"));
        line = g_strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
        json_object_put(doc);
        lines[0] = line;
        path = write_jsonl("filters-vendors", lines);
    }
    VMC_ASSERT_OK(import_files(fleet, path, 0, &st, &error), error);
    CHECK("arch=s390x", "bookworm-kvm-z.example.org");
    CHECK("arch=s390", "bookworm-kvm-z.example.org");
    CHECK("vendor=IBM", "");
    CHECK("vendor=Intel", "Web4.dc2 web1.dc1 web2.dc1 x.y*z");
    CHECK("vendor=\xc3\x8bxotic", "exotic");
    CHECK("vendor=\xc3\x8bXOTIC", "exotic");
    CHECK("vendor=\xc3\xabxotic", "");      /* ëxotic: not an ASCII letter */
#undef CHECK
    rows = vendor_rows(fleet, NULL);
    g_assert_cmpstr(rows, ==,
                    "x86_64 Intel 4/2; x86_64 AMD 2/1; s390x - 1/1; x86_64 \xc3\x8bxotic 1/1");
    g_clear_pointer(&rows, g_free);
    rows = vendor_rows(fleet, "cluster=nope");
    g_assert_cmpstr(rows, ==, "");
    g_assert_false(vmc_fleet_check_one_vendor(fleet, NULL, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE);
    g_assert_cmpstr(error->message, ==, "the 8 hosts have no common CPU: they mix architectures — "
                    "x86_64 Intel (4 hosts), x86_64 AMD (2 hosts), s390x (1 host), x86_64 \xc3\x8bxotic "
                    "(1 host); narrow them with --where vendor=Intel, --where vendor=AMD, "
                    "--where arch=s390x or --where vendor=\xc3\x8bxotic");
    g_clear_error(&error);
}

static void
test_filters(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    g_autoptr(VmcFleet) fleet = NULL;
    g_autofree char *path = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) all = NULL;
    VmcFleetImportStats st;
    static const char *const bad[][2] = {
        { "cluster", "expected KEY=VALUE" },
        { "colour=red", "unknown key 'colour'" },
        { "host=web[12", "'[' without its ']'" },
        { "kind=abc", "a kind is a number" },
        { "label.a\"b=1", "cannot contain '\"'" },
        { "arch=arm", "unknown arch 'arm'" },
        { "rack=1", "(cluster, host, label.K, kind, vendor, arch)" },
    };

    if (!db)
        return;
    fleet = test_open(db);
    {
        g_autofree char *l0 = host_line(0, "web1.dc1", NULL, "prod", "zone=a,tier=web");
        g_autofree char *l1 = host_line(0, "web2.dc1", NULL, "prod", "zone=b,tier=web");
        g_autofree char *l2 = host_line(3, "db1.dc1", NULL, "prod", "zone=a,tier=db");
        g_autofree char *l3 = host_line(3, "web3.dc2", NULL, "test", "zone=a");
        g_autofree char *l4 = host_line(5, "x.y*z", NULL, NULL, "odd=a.b");
        g_autofree char *l5 = host_line(5, "Web4.dc2", NULL, "test", NULL);
        const char *const lines[] = { l0, l1, l2, l3, l4, l5, NULL };
        path = write_jsonl("filters", lines);
    }
    VMC_ASSERT_OK(import_files(fleet, path, 0, &st, &error), error);
    all = vmc_fleet_hosts(fleet, NULL, &error);

#define CHECK(where, want) check_filter(fleet, b, where, want)
    CHECK(NULL, "Web4.dc2 db1.dc1 web1.dc1 web2.dc1 web3.dc2 x.y*z");
    CHECK("cluster=prod", "db1.dc1 web1.dc1 web2.dc1");
    CHECK("cluster=nope", "");
    CHECK("host=web*", "web1.dc1 web2.dc1 web3.dc2");
    CHECK("host=*.dc1", "db1.dc1 web1.dc1 web2.dc1");
    CHECK("host=web?.dc?", "web1.dc1 web2.dc1 web3.dc2");
    CHECK("host=web[13].*", "web1.dc1 web3.dc2");
    CHECK("host=web[^1].*", "web2.dc1 web3.dc2");
    CHECK("host=[Ww]eb[3-4].dc2", "Web4.dc2 web3.dc2");
    CHECK("host=x.y[*]z", "x.y*z");
    CHECK("host=x?y*", "x.y*z");
    CHECK("host=web1.dc1", "web1.dc1");
    CHECK("host=web1", "");
    CHECK("host=web1.dc.", "");
    CHECK("label.zone=a", "db1.dc1 web1.dc1 web3.dc2");
    CHECK("label.zone=a,label.tier=web", "web1.dc1");
    CHECK("label.odd=a.b", "x.y*z");
    CHECK("label.tier=db,cluster=prod", "db1.dc1");
    CHECK("label.nope=a", "");
    {
        g_autofree char *k = g_strdup_printf("kind=%" G_GINT64_FORMAT, find_host(all, "db1.dc1")->kind);
        CHECK(k, "db1.dc1 web3.dc2");
        g_free(k);
        k = g_strdup_printf("kind=%" G_GINT64_FORMAT ",cluster=test", find_host(all, "x.y*z")->kind);
        CHECK(k, "Web4.dc2");
    }
    /* the kind's CPU vendor (as recorded: "Intel", "AMD"), any ASCII case,
     * or its CPUID vendor string; an unknown vendor matches nothing */
    CHECK("vendor=AMD", "db1.dc1 web3.dc2");
    CHECK("vendor=amd", "db1.dc1 web3.dc2");
    CHECK("vendor=AuthenticAMD", "db1.dc1 web3.dc2");
    CHECK("vendor=Intel", "Web4.dc2 web1.dc1 web2.dc1 x.y*z");
    CHECK("vendor=GenuineIntel", "Web4.dc2 web1.dc1 web2.dc1 x.y*z");
    CHECK("vendor=iNTEL,cluster=prod", "web1.dc1 web2.dc1");
    CHECK("cluster=test,vendor=intel", "Web4.dc2");
    CHECK("vendor=Intel,vendor=AMD", "");
    CHECK("vendor=IBM", "");
    CHECK("vendor=", "");
    CHECK("vendor=Int*", "");
    CHECK("arch=x86_64", "Web4.dc2 db1.dc1 web1.dc1 web2.dc1 web3.dc2 x.y*z");
    CHECK("arch=x86,vendor=amd", "db1.dc1 web3.dc2");
    CHECK("arch=s390x", "");
#undef CHECK
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GArray) none = vmc_fleet_hosts(fleet, bad[i][0], &error);
        g_assert_null(none);
        g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
        if (!strstr(error->message, bad[i][1]))
            g_error("--where '%s': %s", bad[i][0], error->message);
        g_clear_error(&error);
    }
    /* per kind, for the answers */
    {
        g_autoptr(GHashTable) examples = NULL;
        g_autoptr(GHashTable) counts = vmc__fleet_kind_counts(fleet, "cluster=prod", &examples, &error);
        gint64 web = find_host(all, "web1.dc1")->kind;
        g_assert_no_error(error);
        g_assert_cmpuint(g_hash_table_size(counts), ==, 2);
        g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(counts, &web)), ==, 2);
        g_assert_cmpstr(g_hash_table_lookup(examples, &web), ==, "web1.dc1");
    }
    test_filters_vendors(fleet, b);
}

/* ---- forget, guests ------------------------------------------------------------------------ */

static void
test_forget(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    g_autoptr(VmcFleet) fleet = NULL;
    g_autofree char *path = NULL;
    g_autoptr(GError) error = NULL;
    VmcFleetImportStats st;
    gint64 kind;

    if (!db)
        return;
    fleet = test_open(db);
    {
        g_autofree char *a = host_line(0, "a", NULL, NULL, NULL);
        g_autofree char *b2 = host_line(0, "b", NULL, NULL, NULL);
        g_autofree char *c = host_line(1, "c", NULL, NULL, NULL);
        const char *const lines[] = { a, b2, c, NULL };
        path = write_jsonl("forget", lines);
    }
    VMC_ASSERT_OK(import_files(fleet, path, 0, &st, &error), error);
    g_assert_cmpuint(vmc_fleet_count_kinds(fleet), ==, 2);
    VMC_ASSERT_OK(vmc__fleet_host_kind(fleet, "a", &kind, &error), error);
    g_assert_nonnull(vmc__fleet_kind_host(fleet, kind, &error));

    /* one of two hosts of a kind: the kind stays */
    VMC_ASSERT_OK(vmc_fleet_forget(fleet, "a", &error), error);
    g_assert_cmpuint(vmc_fleet_count_kinds(fleet), ==, 2);
    g_assert_false(vmc__fleet_host_kind(fleet, "a", &kind, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN);
    g_clear_error(&error);
    /* its last host: the kind goes */
    VMC_ASSERT_OK(vmc_fleet_forget(fleet, "b", &error), error);
    g_assert_cmpuint(vmc_fleet_count_kinds(fleet), ==, 1);
    g_assert_null(vmc__fleet_kind_host(fleet, kind, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN);
    g_clear_error(&error);
    /* no such host */
    g_assert_false(vmc_fleet_forget(fleet, "a", &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN);
    g_assert_nonnull(strstr(error->message, "no host 'a'"));
    g_clear_error(&error);
    {
        g_autofree char *names = host_names(fleet, NULL);
        g_assert_cmpstr(names, ==, "c");
    }
    /* and it comes back as a new kind */
    VMC_ASSERT_OK(import_files(fleet, path, 0, &st, &error), error);
    ASSERT_STATS(st, 2, 0, 1, 1);
}

typedef struct {
    GString *seen;
} GuestSeen;

static gboolean
collect_guest(const char *name, const char *abi_doc, const char *abi_fp, const char *host, gpointer data)
{
    GuestSeen *s = data;
    g_string_append_printf(s->seen, "%s@%s:%.8s ", name, host ? host : "-", abi_fp);
    g_assert_true(abi_doc && *abi_doc == '{');
    return TRUE;
}

/* A fresh inventory @db holding one host, node1 (scenario 5), imported
 * from a JSON Lines file named after @tag. */
static VmcFleet *
open_one_host(const char *db, const char *tag)
{
    g_autofree char *a = host_line(5, "node1", NULL, NULL, NULL);
    const char *const lines[] = { a, NULL };
    g_autofree char *path = write_jsonl(tag, lines);
    g_autoptr(GError) error = NULL;
    VmcFleet *fleet = test_open(db);
    VmcFleetImportStats st;

    if (!import_files(fleet, path, 0, &st, &error))
        g_error("importing %s: %s", path, error ? error->message : "(no error set)");
    return fleet;
}

static void
test_guests(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    g_autoptr(VmcFleet) fleet = NULL;
    g_autofree char *abi_path = NULL, *abi2_path = NULL, *host = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcAbi) abi = NULL, abi2 = NULL, got = NULL;
    GuestSeen seen = { g_string_new(NULL) };
    g_autofree char *want = NULL;

    if (!db)
        return;
    fleet = open_one_host(db, "guests");
    abi_path = vmc_test_source_path("tests", "data", "abis", "plain-q35-jammy.json", NULL);
    abi2_path = vmc_test_source_path("tests", "data", "abis", "web-uso-noble.json", NULL);
    abi = vmc_abi_load(vmc_test_catalog(), abi_path, &error);
    g_assert_no_error(error);
    abi2 = vmc_abi_load(vmc_test_catalog(), abi2_path, &error);
    g_assert_no_error(error);

    VMC_ASSERT_OK(vmc_fleet_guest_add(fleet, "vm1", abi, "node1", &error), error);
    VMC_ASSERT_OK(vmc_fleet_guest_add(fleet, "vm2", abi, NULL, &error), error);
    got = vmc_fleet_guest_get(fleet, "vm1", &host, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(vmc_abi_get_fingerprint(got), ==, vmc_abi_get_fingerprint(abi));
    g_assert_cmpstr(host, ==, "node1");
    g_clear_pointer(&host, g_free);
    g_clear_pointer(&got, vmc_abi_unref);
    /* again: updated in place */
    VMC_ASSERT_OK(vmc_fleet_guest_add(fleet, "vm1", abi2, NULL, &error), error);
    got = vmc_fleet_guest_get(fleet, "vm1", &host, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(vmc_abi_get_fingerprint(got), ==, vmc_abi_get_fingerprint(abi2));
    g_assert_null(host);
    /* an unknown host, an unknown guest */
    g_assert_false(vmc_fleet_guest_add(fleet, "vm3", abi, "nohost", &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN);
    g_clear_error(&error);
    g_assert_null(vmc_fleet_guest_get(fleet, "vm3", NULL, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN);
    g_clear_error(&error);

    VMC_ASSERT_OK(vmc__fleet_foreach_guest(fleet, collect_guest, &seen, &error), error);
    want = g_strdup_printf("vm1@-:%.8s vm2@-:%.8s ", vmc_abi_get_fingerprint(abi2),
                           vmc_abi_get_fingerprint(abi));
    g_assert_cmpstr(seen.seen->str, ==, want);
    g_string_free(seen.seen, TRUE);
}

/* ---- schema -------------------------------------------------------------------------------- */

static void
test_schema(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcStoreStmt) st = NULL;

    if (!db)
        return;
    /* created at the current version; opening again changes nothing */
    fleet = test_open(db);
    g_clear_pointer(&fleet, vmc_fleet_close);
    fleet = test_open(db);
    st = vmc__store_prepare(fleet->store, "SELECT value FROM meta WHERE key = 'schema_version'");
    g_assert_nonnull(st);
    g_assert_cmpint(vmc__store_step(st), ==, VMC_STORE_ROW);
    g_assert_cmpint(g_ascii_strtoll(vmc__store_column_text(st, 0), NULL, 10), ==, VMC_FLEET_SCHEMA_VERSION);
    g_clear_pointer(&st, vmc__store_finalize);

    /* a newer vmcompat wrote it: refused */
    {
        g_autofree char *sql = g_strdup_printf("UPDATE meta SET value = '%d' WHERE key = 'schema_version'",
                                               VMC_FLEET_SCHEMA_VERSION + 1);
        g_autofree char *want = g_strdup_printf("schema version %d is newer than this vmcompat's (%d)",
                                                VMC_FLEET_SCHEMA_VERSION + 1, VMC_FLEET_SCHEMA_VERSION);
        g_assert_true(vmc__store_exec(fleet->store, sql));
        g_clear_pointer(&fleet, vmc_fleet_close);
        g_assert_null(vmc_fleet_open(vmc_test_catalog(), db, &error));
        g_assert_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED);
        g_assert_nonnull(strstr(error->message, want));
    }
    g_clear_error(&error);
}

/* A password in a URI never reaches a message. */
static void
test_display_name(void)
{
    static const char *const cases[][2] = {
        { "fleet.db", "fleet.db" },
        { "postgresql:///fleet?host=/run/postgresql", "postgresql:///fleet?host=/run/postgresql" },
        { "postgresql://ops:s3cret@db.example:5432/fleet", "postgresql://ops:***@db.example:5432/fleet" },
        { "postgres://ops@db/fleet?password=s3cret&sslmode=require",
          "postgres://ops@db/fleet?password=***&sslmode=require" },
        { "postgresql://a:b@c/d?x=1&password=p", "postgresql://a:***@c/d?x=1&password=***" },
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *d = vmc__store_display_name(cases[i][0]);
        g_assert_cmpstr(d, ==, cases[i][1]);
    }
}

/* An inventory 08f895a made (its SQL dump: 1 kind, 2 hosts) opens, and
 * its hosts re-import unchanged: same schema, fingerprints and digests. */
static void
test_sqlite_08f895a(void)
{
    g_autofree char *db = test_db(BACKEND_SQLITE);
    g_autofree char *dump_path = vmc_test_source_path("tests", "data", "fleet", "store",
                                                      "inventory-08f895a.sql", NULL);
    g_autofree char *dump = vmc_test_read(dump_path, NULL);
    g_autofree char *path = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    VmcFleetImportStats st;

    {
        g_autoptr(VmcStore) store = vmc__store_open(db, &error);
        g_assert_no_error(error);
        if (!vmc__store_exec(store, dump))
            g_error("loading %s: %s", dump_path, vmc__store_errmsg(store));
    }
    fleet = test_open(db);
    {
        /* as tests/data/fleet/store/inventory-08f895a.sql was made */
        json_object *doc = scenario_doc(5), *q;
        g_autofree char *a = host_line(5, "skylake-jammy", NULL, NULL, NULL);
        char *bl;
        json_object_object_add(doc, "name", json_object_new_string("skylake-jammy-b"));
        json_object_object_add(doc, "kernel", json_object_new_string("5.15.7-105-generic"));
        json_object_object_add(doc, "notes", json_object_new_array());
        json_object_array_add(json_object_object_get(doc, "notes"), json_object_new_string("x"));
        json_object_object_add(doc, "source", json_object_new_string("probe"));
        json_object_object_get_ex(doc, "qemu", &q);
        json_object_object_add(q, "binary", json_object_new_string("/opt/q"));
        json_object_object_add(doc, "cluster", json_object_new_string("c1"));
        json_object_object_add(doc, "labels", json_object_new_object());
        json_object_object_add(json_object_object_get(doc, "labels"), "rack", json_object_new_string("r1"));
        bl = g_strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_SPACED));
        json_object_put(doc);
        {
            const char *const lines[] = { a, bl, NULL };
            path = write_jsonl("old", lines);
        }
        g_free(bl);
    }
    VMC_ASSERT_OK(import_files(fleet, path, 0, &st, &error), error);
    ASSERT_STATS(st, 0, 0, 2, 0);
    g_assert_cmpuint(vmc_fleet_count_kinds(fleet), ==, 1);
}

/* ---- bad lines ------------------------------------------------------------------------------- */

static void
test_bad_lines(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(GError) error = NULL;
    VmcFleetImportStats st;
    static const struct {
        const char *bad;
        const char *message;
    } cases[] = {
        { "{\"format\":1,\"name\":\"x\",", ":8: byte 23: invalid JSON" },
        { "[1,2]", ":8: not a host document" },
        { "{\"format\":1,\"arch\":\"x86_64\"}", ":8: field 'name': a fleet host needs a name" },
        { "{\"format\":1,\"name\":\"x\",\"labels\":{\"a\":1}}", ":8: field 'labels': an object of strings" },
        { "{\"format\":1,\"name\":\"x\",\"cluster\":[]}", ":8: field 'cluster': a string" },
        { "{\"format\":1,\"name\":\"x\",\"arch\":\"mips\"}", ":8: " },
    };

    if (!db)
        return;
    fleet = test_open(db);
    for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
        g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
        g_autofree char *path = NULL, *prefix = NULL, *file = g_strdup_printf("bad%u", c);
        g_autofree char *names = NULL;

        /* 7 good lines (one blank line among them), the bad line 8, one more */
        for (guint i = 0; i < 6; i++) {
            g_autofree char *name = g_strdup_printf("b%u-%u", c, i);
            g_ptr_array_add(lines, host_line(i % 7, name, NULL, NULL, NULL));
        }
        g_ptr_array_insert(lines, 3, g_strdup("   "));
        g_ptr_array_add(lines, g_strdup(cases[c].bad));
        g_ptr_array_add(lines, host_line(0, "after", NULL, NULL, NULL));
        g_ptr_array_add(lines, NULL);
        path = write_jsonl(file, (const char *const *) lines->pdata);

        g_assert_false(import_files(fleet, path, 3, &st, &error));
        g_assert_nonnull(error);
        prefix = g_strconcat(path, cases[c].message, NULL);
        if (!g_str_has_prefix(error->message, prefix))
            g_error("%s: got '%s', want it to start with '%s'", backend_names[b], error->message, prefix);
        g_clear_error(&error);
        /* the batches before it stay (hosts of lines 1-2,4 and 5-7), the one
         * it is in does not */
        g_assert_cmpuint(st.batches, ==, 2);
        g_assert_cmpuint(st.hosts_new, ==, 6);
        {
            g_autofree char *glob = g_strdup_printf("host=b%u-*", c);
            g_autofree char *want = g_strdup_printf("b%u-0 b%u-1 b%u-2 b%u-3 b%u-4 b%u-5", c, c, c, c, c, c);
            names = host_names(fleet, glob);
            g_assert_cmpstr(names, ==, want);
        }
    }
    {
        g_autofree char *after = host_names(fleet, "host=after");
        g_assert_cmpstr(after, ==, "");
    }
    /* a missing file */
    {
        g_autofree char *missing = g_build_filename(test_dir, "missing.jsonl", NULL);
        g_assert_false(import_files(fleet, missing, 0, &st, &error));
        g_assert_error(error, VMC_ERROR, VMC_ERROR_IO);
        g_assert_true(g_str_has_prefix(error->message, missing));
    }
}

/* ---- PostgreSQL: a deadlock between nodes --------------------------------------------- */

typedef struct {
    VmcFleet *fleet;
    const char *path;
    VmcFleetImportStats st;
    GError *error;
    gboolean ok;
} ImportThread;

static gpointer
import_thread(gpointer data)
{
    ImportThread *t = data;
    t->ok = import_files(t->fleet, t->path, 10, &t->st, &t->error);
    return NULL;
}

/* Another node (this thread) holds new kind B and waits for A, which the
 * import (a thread) inserted, then the import waits for B: PostgreSQL
 * fails the import's transaction (its deadlock_timeout is the shorter),
 * and the import runs the batch again and succeeds. A trigger slows the
 * import's insert of A so the other node is waiting first. Without the
 * retry the import fails; with it, the other node stored both kinds. */
static void
test_pg_deadlock_retry(void)
{
    g_autofree char *db = test_db(BACKEND_PG);
    g_autofree char *path = NULL, *import_uri = NULL, *a = NULL, *b = NULL, *create = NULL;
    g_autoptr(VmcFleet) other = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcStoreStmt) st = NULL;
    VmcFleetHostLine la = { 0 }, lb = { 0 };
    ImportThread t = { 0 };
    GThread *thread;
    json_object *doc;

    if (!db)
        return;
    a = host_line(0, "dA", NULL, NULL, NULL);
    b = host_line(3, "dB", NULL, NULL, NULL);
    doc = json_tokener_parse(a);
    VMC_ASSERT_OK(vmc__fleet_host_line_from_doc(doc, "a", &la, &error), error);
    json_object_put(doc);
    doc = json_tokener_parse(b);
    VMC_ASSERT_OK(vmc__fleet_host_line_from_doc(doc, "b", &lb, &error), error);
    json_object_put(doc);
    {
        const char *const lines[] = { a, b, NULL };
        path = write_jsonl("deadlock", lines);
    }

    other = test_open(db);
    create = g_strdup_printf(
        "CREATE FUNCTION vmc_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.fingerprint = '%s' AND current_setting('deadlock_timeout') = '100ms' THEN "
        "PERFORM pg_sleep(0.6); END IF; RETURN NEW; END $$; "
        "CREATE TRIGGER vmc_test_slow AFTER INSERT ON kind FOR EACH ROW "
        "EXECUTE FUNCTION vmc_test_slow()", la.fp);
    g_assert_true(vmc__store_exec(other->store, create));
    g_assert_true(vmc__store_exec(other->store, "SET deadlock_timeout = '20s'"));
    g_assert_true(vmc__store_begin(other->store));
    st = vmc__store_prepare(other->store, "INSERT INTO kind (fingerprint, arch, doc) VALUES (?, 'x86_64', ?)");
    vmc__store_bind_text(st, 1, lb.fp);
    vmc__store_bind_text(st, 2, b);
    g_assert_cmpint(vmc__store_step(st), ==, VMC_STORE_DONE);

    /* the importing node: deadlocks are its to detect */
    import_uri = g_strdup_printf("%s&options=-c%%20deadlock_timeout%%3D100ms", db);
    t.fleet = test_open(import_uri);
    t.path = path;
    thread = g_thread_new("import", import_thread, &t);
    g_usleep(250 * 1000);           /* it holds A (in the trigger's sleep) */
    vmc__store_reset(st);
    vmc__store_bind_text(st, 1, la.fp);
    vmc__store_bind_text(st, 2, a);
    /* waits for the import, which then waits for B: the import is failed */
    if (vmc__store_step(st) != VMC_STORE_DONE)
        g_error("the other node failed: %s", vmc__store_errmsg(other->store));
    g_assert_true(vmc__store_commit(other->store));
    g_thread_join(thread);

    if (!t.ok)
        g_error("the import did not survive the deadlock: %s", t.error->message);
    ASSERT_STATS(t.st, 2, 0, 0, 0);   /* both kinds are the other node's */
    g_assert_cmpuint(t.st.batches, ==, 1);
    g_assert_cmpuint(vmc_fleet_count_kinds(other), ==, 2);
    {
        g_autofree char *names = host_names(other, NULL);
        g_assert_cmpstr(names, ==, "dA dB");
    }
    vmc_fleet_close(t.fleet);
    vmc__fleet_host_line_clear(&la);
    vmc__fleet_host_line_clear(&lb);
}

/* PostgreSQL: a server that is not there is an error naming it. */
static void
test_pg_unreachable(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *uri = g_strdup_printf("postgresql://u:pw@/nodb?host=%s/nothing&connect_timeout=2",
                                           test_dir);
    g_assert_null(vmc_fleet_open(vmc_test_catalog(), uri, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_IO);
    g_assert_nonnull(strstr(error->message, "cannot connect"));
    g_assert_null(strstr(error->message, "pw@"));
    g_assert_nonnull(strstr(error->message, "u:***@"));
}

static void
remove_dir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        g_remove(p);
    }
    g_rmdir(dir);
}

/* Kind counts are kept between answers, and follow a change made through
 * another connection (another process, another management node). */
static void
test_counts_follow_changes(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    g_autoptr(VmcFleet) fleet = NULL, other = NULL;
    g_autofree char *path = NULL, *path2 = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GHashTable) c1 = NULL, c2 = NULL, c3 = NULL, c4 = NULL;
    VmcFleetImportStats st;

    if (!db)
        return;
    fleet = test_open(db);
    other = test_open(db);
    {
        g_autofree char *a = host_line(0, "a", NULL, "west", NULL);
        g_autofree char *b2 = host_line(0, "b", NULL, "west", NULL);
        g_autofree char *c = host_line(3, "c", NULL, "east", NULL);
        const char *const lines[] = { a, b2, c, NULL };
        const char *const more[] = { c, NULL };
        path = write_jsonl("counts", lines);
        path2 = write_jsonl("counts-again", more);
    }
    VMC_ASSERT_OK(import_files(fleet, path, 0, &st, &error), error);
    c1 = vmc__fleet_kind_counts(fleet, NULL, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_hash_table_size(c1), ==, 2);
    /* unchanged: the same (kept) answer */
    c2 = vmc__fleet_kind_counts(fleet, NULL, NULL, &error);
    g_assert_true(c1 == c2);
    /* an import that changes nothing keeps it too */
    VMC_ASSERT_OK(import_files(other, path2, 0, &st, &error), error);
    ASSERT_STATS(st, 0, 0, 1, 0);
    g_clear_pointer(&c2, g_hash_table_unref);
    c2 = vmc__fleet_kind_counts(fleet, NULL, NULL, &error);
    g_assert_true(c1 == c2);
    /* another connection forgets a host: counted again */
    VMC_ASSERT_OK(vmc_fleet_forget(other, "c", &error), error);
    c3 = vmc__fleet_kind_counts(fleet, NULL, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(c3 != c1);
    g_assert_cmpuint(g_hash_table_size(c3), ==, 1);
    /* and imports one back, under a filter */
    VMC_ASSERT_OK(import_files(other, path2, 0, &st, &error), error);
    c4 = vmc__fleet_kind_counts(fleet, "cluster=east", NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_hash_table_size(c4), ==, 1);
    {
        g_autoptr(GArray) rungs = vmc_fleet_ladder(fleet, NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(g_array_index(rungs, VmcFleetRung, 0).n_total, ==, 3);
    }
}

/* Requirement vectors: kept when a guest is recorded, recomputed for ABIs
 * without one under this catalog (an older inventory, another vmcompat). */
static void
test_vectors(gconstpointer data)
{
    Backend b = *(const Backend *) data;
    g_autofree char *db = test_db(b);
    g_autoptr(VmcFleet) fleet = NULL, mapped = NULL;
    g_autofree char *abi_path = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(GHashTable) v1 = NULL, v2 = NULL, v3 = NULL;
    g_autoptr(VmcAbiNeeds) needs = NULL;
    g_autofree char *want = NULL;
    guint computed = 99;
    GHashTableIter it;
    gpointer val;

    if (!db)
        return;
    fleet = open_one_host(db, "vectors");
    abi_path = vmc_test_source_path("tests", "data", "abis", "plain-q35-jammy.json", NULL);
    abi = vmc_abi_load(vmc_test_catalog(), abi_path, &error);
    g_assert_no_error(error);
    VMC_ASSERT_OK(vmc_fleet_guest_add(fleet, "vm1", abi, "node1", &error), error);
    needs = vmc__abi_needs_new(abi, VMC_CPU_CHECK_DEFAULT);
    want = vmc__abi_needs_vector(needs);
    g_assert_true(g_str_has_suffix(want, "\n"));
    /* kept by guest add */
    v1 = vmc__fleet_abi_vectors(fleet, &computed, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(computed, ==, 0);
    g_assert_cmpuint(g_hash_table_size(v1), ==, 1);
    g_hash_table_iter_init(&it, v1);
    g_assert_true(g_hash_table_iter_next(&it, NULL, &val));
    g_assert_cmpstr(val, ==, want);
    /* gone (an inventory of schema 1): computed, kept, not computed again */
    g_assert_true(vmc__store_exec(fleet->store, "DELETE FROM abi_vector"));
    v2 = vmc__fleet_abi_vectors(fleet, &computed, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(computed, ==, 1);
    g_clear_pointer(&v2, g_hash_table_unref);
    v2 = vmc__fleet_abi_vectors(fleet, &computed, &error);
    g_assert_cmpuint(computed, ==, 0);
    g_hash_table_iter_init(&it, v2);
    g_assert_true(g_hash_table_iter_next(&it, NULL, &val));
    g_assert_cmpstr(val, ==, want);
    /* another catalog (an overlay adds a model): its own vectors, beside these */
    {
        g_autofree char *dir = g_build_filename(test_dir, "overlay", "cpu", "x86_64", NULL);
        g_autofree char *models = g_build_filename(dir, "models.json", NULL);
        g_autofree char *top = g_build_filename(test_dir, "overlay", NULL);
        const char *dirs[] = { top, NULL };
        g_autoptr(VmcCatalog) cat = NULL;
        g_mkdir_with_parents(dir, 0755);
        g_assert_true(g_file_set_contents(models,
            "{\"format\":1,\"arch\":\"x86_64\",\"models\":[{\"name\":\"Corp-Base-v1\","
            "\"vendor\":\"Intel\",\"features\":[\"fpu\",\"sse4_2\"]}]}", -1, NULL));
        cat = vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(vmc_catalog_get_digest(cat), !=, vmc_catalog_get_digest(vmc_test_catalog()));
        mapped = vmc_fleet_open(cat, db, &error);
        g_assert_no_error(error);
    }
    v3 = vmc__fleet_abi_vectors(mapped, &computed, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(computed, ==, 1);
    g_clear_pointer(&v2, g_hash_table_unref);
    v2 = vmc__fleet_abi_vectors(fleet, &computed, &error);
    g_assert_cmpuint(computed, ==, 0);
    g_clear_pointer(&v3, g_hash_table_unref);
    v3 = vmc__fleet_abi_vectors(mapped, &computed, &error);
    g_assert_cmpuint(computed, ==, 0);
    /* an ABI this catalog cannot read: a clear error naming it */
    g_clear_pointer(&mapped, vmc_fleet_close);
    mapped = vmc_fleet_open(vmc_test_cpu_map_catalog(), db, &error);
    g_assert_no_error(error);
    g_assert_null(vmc__fleet_abi_vectors(mapped, &computed, &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, vmc_abi_get_fingerprint(abi)));
}

int
main(int argc, char **argv)
{
    static const struct {
        const char *name;
        GTestDataFunc fn;
    } both[] = {
        { "import", test_import },
        { "kinds", test_kinds },
        { "filters", test_filters },
        { "forget", test_forget },
        { "guests", test_guests },
        { "schema", test_schema },
        { "counts-follow-changes", test_counts_follow_changes },
        { "vectors", test_vectors },
        { "bad-lines", test_bad_lines },
    };
    g_autoptr(GError) error = NULL;
    int rc;

    g_test_init(&argc, &argv, NULL);
    test_dir = g_dir_make_tmp("vmc-fleet-store-XXXXXX", &error);
    g_assert_no_error(error);
    for (guint i = 0; i < G_N_ELEMENTS(both); i++) {
        g_autofree char *s = g_strdup_printf("/fleet-store/sqlite/%s", both[i].name);
        g_autofree char *p = g_strdup_printf("/fleet-store/postgresql/%s", both[i].name);
        g_test_add_data_func(s, &backend_sqlite, both[i].fn);
        g_test_add_data_func(p, &backend_pg, both[i].fn);
    }
    g_test_add_func("/fleet-store/sqlite/inventory-08f895a", test_sqlite_08f895a);
    g_test_add_func("/fleet-store/postgresql/unreachable", test_pg_unreachable);
    g_test_add_func("/fleet-store/postgresql/deadlock-retry", test_pg_deadlock_retry);
    g_test_add_func("/fleet-store/fingerprints-08f895a", test_fingerprints_08f895a);
    g_test_add_func("/fleet-store/fingerprint-vs-08f895a", test_fingerprint_vs_08f895a);
    g_test_add_func("/fleet-store/line-paths", test_line_paths);
    g_test_add_func("/fleet-store/display-name", test_display_name);
    rc = g_test_run();
    vmc_test_pg_stop(test_pg);
    g_free(test_pg_skip);
    remove_dir(test_dir);
    g_free(test_dir);
    return rc;
}
