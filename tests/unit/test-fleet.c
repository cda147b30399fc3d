/* test-fleet.c: the fleet's answers equal the single-host verdicts.
 *
 * An inventory (a temporary SQLite file) of every x86_64 host fixture —
 * the JSON hosts of tests/data/hosts and the scenario hosts made from real CPUID dumps
 * — each imported several times under different names, clusters and kernel
 * patch levels, plus every valid guest definition of tests/data/guests and
 * tests/data/migrate. Property: on random (guest, host) pairs (seeded) the
 * fleet's per-kind verdict equals
 *   - `guest check` (vmc_abi_check_mode) for an ABI,
 *   - resolve + check for a definition,
 *   - `migrate check` (vmc_migrate_check) for a recorded guest,
 * run on the host's own document; baseline equals vmc_cpu_baseline of the
 * hosts' host-models, and so do admit's before, after and lost features;
 * pools put a guest exactly with the hosts it runs on.
 * upgrade-impact --to-kernel equals, guest by guest, vmc_abi_check_mode on
 * each host's own document edited by vmc_host_with_kernel, and its restart
 * ABI vmc_guest_resolve of the recorded definition there; the kernel rule
 * itself is checked on the real fixtures and against the releases
 * tools/gen/sources/linux-platforms.json cites.
 */
#include "harness.h"

#include <glib/gstdio.h>
#include <json-c/json.h>
#include <string.h>

typedef struct {
    char *dir;
    char *db;
    VmcFleet *fleet;
    GPtrArray *host_names;     /* inventory names */
    GHashTable *host_docs;     /* inventory name → VmcHost (its own document) */
    GPtrArray *guests;         /* VmcGuest* that resolve somewhere */
} Fixture;

static const char *const vmc_host_files[] = {
    "x86_64-example.json", "x86_64-kernel-5.15.json", "x86_64-kernel-6.8.json",
    "scenario/cascadelake-noble.json", "scenario/cascadelake-noble-tsx-off.json",
    "scenario/jammy-qemu-8.2.json", "scenario/opteron-jammy.json",
    "scenario/opteron-qemu-5.1.json", "scenario/skylake-jammy.json",
    "scenario/skylake-noble-mpx-off.json",
};

/* Copies of a host document, renamed, in other clusters, other kernel patch
 * levels: they must fall into the same kind. */
static void
write_jsonl(Fixture *f, const char *path)
{
    g_autoptr(GString) out = g_string_new(NULL);
    VmcCatalog *cat = vmc_test_catalog();

    for (guint i = 0; i < G_N_ELEMENTS(vmc_host_files); i++) {
        g_autofree char *file = vmc_test_source_path("tests", "data", "hosts", vmc_host_files[i], NULL);
        g_autofree char *text = vmc_test_read(file, NULL);
        for (guint copy = 0; copy < 3; copy++) {
            json_object *doc = json_tokener_parse(text);
            g_autofree char *name = g_strdup_printf("h%02u-%u", i, copy);
            const char *kernel;
            g_autoptr(GError) error = NULL;
            VmcHost *host;
            g_assert_nonnull(doc);
            json_object_object_add(doc, "name", json_object_new_string(name));
            json_object_object_add(doc, "cluster", json_object_new_string(copy == 2 ? "east" : "west"));
            kernel = json_object_get_string(json_object_object_get(doc, "kernel"));
            if (kernel && copy) {
                g_autofree char *k2 = g_strdup_printf("%s.%u", kernel, copy);
                /* a longer patch string, same X.Y */
                json_object_object_add(doc, "kernel", json_object_new_string(k2));
            }
            g_string_append_printf(out, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
            host = vmc_host_parse(cat, json_object_to_json_string(doc), strlen(json_object_to_json_string(doc)),
                                  name, &error);
            g_assert_no_error(error);
            g_ptr_array_add(f->host_names, g_strdup(name));
            g_hash_table_insert(f->host_docs, g_strdup(name), host);
            json_object_put(doc);
        }
    }
    g_assert_true(g_file_set_contents(path, out->str, -1, NULL));
}

static void
load_guests(Fixture *f)
{
    VmcCatalog *cat = vmc_test_catalog();
    const char *roots[] = { "guests", "migrate" };

    for (guint r = 0; r < G_N_ELEMENTS(roots); r++) {
        g_autofree char *root = vmc_test_source_path("tests", "data", roots[r], NULL);
        g_autoptr(GDir) d = g_dir_open(root, 0, NULL);
        const char *name;
        while (d && (name = g_dir_read_name(d))) {
            g_autofree char *sub = g_build_filename(root, name, NULL);
            g_autoptr(GDir) cd = g_dir_open(sub, 0, NULL);
            const char *fn;
            if (g_str_has_prefix(name, "bad-"))
                continue;
            while (cd && (fn = g_dir_read_name(cd))) {
                g_autofree char *path = NULL;
                VmcGuest *g;
                if (!g_str_has_prefix(fn, "guest."))
                    continue;
                path = g_build_filename(sub, fn, NULL);
                g = vmc_guest_load(cat, path, NULL);
                if (g && vmc_guest_get_arch(g) == VMC_ARCH_X86_64)
                    g_ptr_array_add(f->guests, g);
                else if (g)
                    vmc_guest_unref(g);
            }
        }
    }
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *jsonl = NULL;
    VmcFleetImportStats st;
    const char *paths[2] = { NULL, NULL };

    f->dir = g_dir_make_tmp("vmc-fleet-XXXXXX", &error);
    g_assert_no_error(error);
    f->db = g_build_filename(f->dir, "fleet.db", NULL);
    f->host_names = g_ptr_array_new_with_free_func(g_free);
    f->host_docs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) vmc_host_unref);
    f->guests = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_guest_unref);
    jsonl = g_build_filename(f->dir, "hosts.jsonl", NULL);
    write_jsonl(f, jsonl);
    load_guests(f);
    f->fleet = vmc_fleet_open(vmc_test_catalog(), f->db, &error);
    g_assert_no_error(error);
    paths[0] = jsonl;
    g_assert_true(vmc_fleet_import(f->fleet, paths, NULL, 7, &st, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(st.hosts_new, ==, 3 * G_N_ELEMENTS(vmc_host_files));
    /* renamed copies with other clusters and patch levels share a kind */
    g_assert_cmpuint(vmc_fleet_count_kinds(f->fleet), ==, G_N_ELEMENTS(vmc_host_files));
    (void) data;
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
    g_autofree char *wal = g_strconcat(f->db, "-wal", NULL);
    g_autofree char *shm = g_strconcat(f->db, "-shm", NULL);
    g_autofree char *jsonl = g_build_filename(f->dir, "hosts.jsonl", NULL);
    vmc_fleet_close(f->fleet);
    g_unlink(f->db);
    g_unlink(wal);
    g_unlink(shm);
    g_unlink(jsonl);
    g_rmdir(f->dir);
    g_free(f->db);
    g_free(f->dir);
    g_ptr_array_unref(f->host_names);
    g_hash_table_unref(f->host_docs);
    g_ptr_array_unref(f->guests);
    (void) data;
}

/* The verdict the fleet gives for @host's kind. */
static const VmcVerdict *
kind_verdict(Fixture *f, GArray *rows, const char *host)
{
    g_autofree char *filter = g_strdup_printf("host=%s", host);
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) h = vmc_fleet_hosts(f->fleet, filter, &error);
    gint64 kind;

    g_assert_no_error(error);
    g_assert_cmpuint(h->len, ==, 1);
    kind = g_array_index(h, VmcFleetHost, 0).kind;
    for (guint i = 0; i < rows->len; i++)
        if (g_array_index(rows, VmcFleetKindVerdict, i).kind == kind)
            return g_array_index(rows, VmcFleetKindVerdict, i).verdict;
    g_assert_not_reached();
    return NULL;
}

static char *
verdict_text(const VmcVerdict *v)
{
    return vmc_verdict_to_json(v);
}

static void
test_property(Fixture *f, gconstpointer data)
{
    GRand *rand = g_rand_new_with_seed(20261122);
    guint pairs = 0, ok = 0;
    VmcCatalog *cat = vmc_test_catalog();

    g_assert_cmpuint(f->guests->len, >, 20);
    for (guint round = 0; round < 60; round++) {
        VmcGuest *g = g_ptr_array_index(f->guests, g_rand_int_range(rand, 0, f->guests->len));
        const char *from = g_ptr_array_index(f->host_names, g_rand_int_range(rand, 0, f->host_names->len));
        const char *to = g_ptr_array_index(f->host_names, g_rand_int_range(rand, 0, f->host_names->len));
        VmcHost *src = g_hash_table_lookup(f->host_docs, from);
        VmcHost *dst = g_hash_table_lookup(f->host_docs, to);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcAbi) abi = vmc_guest_resolve(cat, g, src, NULL, NULL);
        g_autoptr(GArray) by_def = NULL, by_abi = NULL, by_mig = NULL;
        g_autoptr(VmcAbi) on_dst = NULL;
        g_autoptr(VmcVerdict) single = NULL;
        g_autofree char *a = NULL, *b = NULL;
        g_autofree char *name = g_strdup_printf("guest-%u", round);

        /* a definition: resolve + check on the host itself */
        by_def = vmc_fleet_where(f->fleet, NULL, g, NULL, VMC_CPU_CHECK_DEFAULT, NULL, &error);
        g_assert_no_error(error);
        on_dst = vmc_guest_resolve(cat, g, dst, NULL, NULL);
        if (on_dst) {
            single = vmc_abi_check_mode(on_dst, dst, VMC_CPU_CHECK_DEFAULT);
            a = verdict_text(single);
            b = verdict_text(kind_verdict(f, by_def, to));
            g_assert_cmpstr(a, ==, b);
            g_clear_pointer(&a, g_free);
            g_clear_pointer(&b, g_free);
            g_clear_pointer(&single, vmc_verdict_unref);
        } else {
            g_assert_false(vmc_verdict_ok(kind_verdict(f, by_def, to)));
        }
        pairs++;
        if (!abi)
            continue;
        /* an ABI: guest check, for each check mode */
        for (VmcCpuCheck mode = VMC_CPU_CHECK_NONE; mode <= VMC_CPU_CHECK_FULL; mode++) {
            by_abi = vmc_fleet_where(f->fleet, abi, NULL, NULL, mode, NULL, &error);
            g_assert_no_error(error);
            single = vmc_abi_check_mode(abi, dst, mode);
            a = verdict_text(single);
            b = verdict_text(kind_verdict(f, by_abi, to));
            g_assert_cmpstr(a, ==, b);
            ok += vmc_verdict_ok(single);
            g_clear_pointer(&a, g_free);
            g_clear_pointer(&b, g_free);
            g_clear_pointer(&single, vmc_verdict_unref);
            g_clear_pointer(&by_abi, g_array_unref);
            pairs++;
        }
        /* a recorded guest: migrate check from where it runs */
        g_assert_true(vmc_fleet_guest_add(f->fleet, name, abi, from, &error));
        g_assert_no_error(error);
        {
            g_autofree char *got_host = NULL;
            g_autoptr(VmcAbi) back = vmc_fleet_guest_get(f->fleet, name, &got_host, &error);
            g_assert_no_error(error);
            g_assert_cmpstr(vmc_abi_get_fingerprint(back), ==, vmc_abi_get_fingerprint(abi));
            g_assert_cmpstr(got_host, ==, from);
        }
        by_mig = vmc_fleet_where(f->fleet, abi, NULL, from, VMC_CPU_CHECK_DEFAULT, NULL, &error);
        g_assert_no_error(error);
        single = vmc_migrate_check(abi, src, dst, VMC_CPU_CHECK_DEFAULT);
        a = verdict_text(single);
        b = verdict_text(kind_verdict(f, by_mig, to));
        g_assert_cmpstr(a, ==, b);
        pairs++;
    }
    g_test_message("%u (guest, host) pairs agree with the single-host verdicts (%u ABI checks ok)",
                   pairs, ok);
    /* the sample is not one-sided */
    g_assert_cmpuint(ok, >, 0);
    g_assert_cmpuint(ok, <, pairs);
    g_rand_free(rand);
    (void) data;
}

static void
test_baseline(Fixture *f, gconstpointer data)
{
    const char *filters[] = { "cluster=west", "host=h0[3-5]-*", "kind=1" };

    for (guint i = 0; i < G_N_ELEMENTS(filters); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) hosts = vmc_fleet_hosts(f->fleet, filters[i], &error);
        g_autoptr(GPtrArray) cpus = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);
        g_autoptr(VmcCpuDef) fleet_b = NULL, single_b = NULL;
        g_autoptr(GError) e1 = NULL, e2 = NULL;
        guint n = 0;

        g_assert_no_error(error);
        for (guint j = 0; j < hosts->len; j++) {
            VmcHost *h = g_hash_table_lookup(f->host_docs, g_array_index(hosts, VmcFleetHost, j).name);
            g_ptr_array_add(cpus, vmc_host_model(h, NULL, NULL));
        }
        fleet_b = vmc_fleet_baseline(f->fleet, filters[i], FALSE, &n, &e1);
        single_b = vmc_cpu_baseline((VmcCpuDef *const *) cpus->pdata, cpus->len, NULL,
                                    VMC_BASELINE_MIGRATABLE, &e2);
        g_assert_cmpuint(n, ==, fleet_b ? hosts->len : n);
        if (!single_b) {
            /* mixed vendors: both refuse */
            g_assert_null(fleet_b);
            g_assert_error(e1, VMC_ERROR, VMC_ERROR_INCOMPATIBLE);
            continue;
        }
        {
            g_autofree char *x = vmc_cpu_def_format_xml(fleet_b, 0);
            g_autofree char *y = vmc_cpu_def_format_xml(single_b, 0);
            g_assert_cmpstr(x, ==, y);
        }
    }
    (void) data;
}

/* @names ", "-joined. */
static char *
join_names(GPtrArray *names)
{
    g_autoptr(GString) s = g_string_new(NULL);
    for (guint i = 0; i < names->len; i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "",
                               (const char *) g_ptr_array_index(names, i));
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* The features @before enables and @after does not, ", "-joined. */
static char *
lost_features(const VmcCpuDef *before, const VmcCpuDef *after)
{
    VmcCatalog *cat = vmc_test_catalog();
    VmcArch arch = vmc_cpu_def_get_arch(before);
    g_autoptr(GString) s = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    VmcFeatureSet fb, fa;

    g_assert_true(vmc_cpu_effective_features(before, &fb, &error));
    g_assert_true(vmc_cpu_effective_features(after, &fa, &error));
    g_assert_no_error(error);
    for (guint id = 0; id < vmc_catalog_feature_count(cat, arch); id++)
        if (vmc_feature_set_has(&fb, id) && !vmc_feature_set_has(&fa, id))
            g_string_append_printf(s, "%s%s", s->len ? ", " : "",
                                   vmc_feature_get_name(vmc_catalog_feature(cat, arch, id)));
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* Check vmc_fleet_admit of @cand to the hosts @where (all of @members'
 * kinds) against vmc_cpu_baseline of the host-models: before is the
 * members' baseline, after the baseline of the members and @cand, the lost
 * features their difference; another vendor is a refusal. Returns whether
 * the candidate lowers the baseline. */
static gboolean
check_admit(Fixture *f, const char *where, const char *const *members, guint n_members,
            const char *cand)
{
    VmcHost *ch = g_hash_table_lookup(f->host_docs, cand);
    g_autoptr(GPtrArray) cpus = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);
    g_autoptr(VmcCpuDef) before = NULL, after = NULL;
    g_autoptr(GError) error = NULL, e2 = NULL;
    g_auto(VmcFleetAdmit) ad = { 0 };
    g_autofree char *lost = NULL, *want = NULL, *x = NULL, *y = NULL;

    for (guint i = 0; i < n_members; i++)
        g_ptr_array_add(cpus, vmc_host_model(g_hash_table_lookup(f->host_docs, members[i]), NULL,
                                             NULL));
    before = vmc_cpu_baseline((VmcCpuDef *const *) cpus->pdata, cpus->len, NULL,
                              VMC_BASELINE_MIGRATABLE, &error);
    g_assert_no_error(error);
    g_ptr_array_add(cpus, vmc_host_model(ch, NULL, NULL));
    after = vmc_cpu_baseline((VmcCpuDef *const *) cpus->pdata, cpus->len, NULL,
                             VMC_BASELINE_MIGRATABLE, &e2);

    if (!vmc_fleet_admit(f->fleet, ch, where, &ad, &error))
        g_error("admit %s to %s: %s", cand, where, error->message);
    g_assert_cmpuint(ad.n_hosts, ==, n_members);
    x = vmc_cpu_def_format_xml(ad.before, 0);
    y = vmc_cpu_def_format_xml(before, 0);
    g_assert_cmpstr(x, ==, y);
    if (!after) {
        /* another vendor: no CPU in common, and the answer says why */
        g_assert_error(e2, VMC_ERROR, VMC_ERROR_INCOMPATIBLE);
        g_assert_nonnull(ad.refusal);
        g_assert_nonnull(strstr(ad.refusal, "its CPU vendor is "));
        g_assert_null(ad.after);
        g_assert_cmpuint(ad.lost->len, ==, 0);
        return FALSE;
    }
    g_assert_null(ad.refusal);
    lost = join_names(ad.lost);
    want = lost_features(before, after);
    if (!g_str_equal(lost, want))
        g_error("admit %s to %s: lost '%s', the baseline of the host-models loses '%s'",
                cand, where, lost, want);
    return ad.lost->len > 0;
}

/* vmc_fleet_admit against vmc_cpu_baseline: every scenario host (real
 * CPUID dumps) admitted to every other alone — the pair's baseline — and
 * to a three-kind selection; another vendor or arch is refused with the
 * reason; a selection with two vendors or no host is an error. */
static void
test_admit(Fixture *f, gconstpointer data)
{
    /* vmc_host_files 3..9: the scenario hosts */
    static const char *const three[] = {
        "h03-0", "h03-1", "h03-2", "h04-0", "h04-1", "h04-2", "h05-0", "h05-1", "h05-2",
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) s390x = NULL;
    g_auto(VmcFleetAdmit) ad = { 0 };
    guint lowers = 0, refused = 0, pairs = 0;

    for (guint a = 3; a < G_N_ELEMENTS(vmc_host_files); a++) {
        g_autofree char *member = g_strdup_printf("h%02u-0", a);
        g_autofree char *where = g_strdup_printf("host=%s", member);
        const char *members[] = { member };
        for (guint c = 3; c < G_N_ELEMENTS(vmc_host_files); c++) {
            g_autofree char *cand = g_strdup_printf("h%02u-1", c);
            VmcHost *ch = g_hash_table_lookup(f->host_docs, cand);
            g_auto(VmcFleetAdmit) r = { 0 };
            lowers += check_admit(f, where, members, 1, cand);
            VMC_ASSERT_OK(vmc_fleet_admit(f->fleet, ch, where, &r, &error), error);
            refused += r.refusal != NULL;
            pairs++;
        }
    }
    for (guint c = 3; c < G_N_ELEMENTS(vmc_host_files); c++) {
        g_autofree char *cand = g_strdup_printf("h%02u-1", c);
        lowers += check_admit(f, "host=h0[3-5]-*", three, G_N_ELEMENTS(three), cand);
    }
    g_test_message("%u scenario pairs: %u lower the baseline, %u refused (vendors)",
                   pairs, lowers, refused);
    /* not one-sided */
    g_assert_cmpuint(lowers, >, 0);
    g_assert_cmpuint(refused, >, 0);
    g_assert_cmpuint(lowers + refused, <, pairs);

    /* another arch cannot join */
    {
        g_autofree char *path = vmc_test_source_path("tests", "data", "hosts",
                                                     "s390x-kernel-6.1.json", NULL);
        s390x = vmc_host_load(vmc_test_catalog(), path, &error);
        g_assert_no_error(error);
    }
    VMC_ASSERT_OK(vmc_fleet_admit(f->fleet, s390x, "host=h03-*", &ad, &error), error);
    g_assert_cmpstr(ad.refusal, ==, "its architecture is s390x, the 3 hosts' is x86_64: no guest can "
                    "move between them");
    g_assert_null(ad.after);
    vmc_fleet_admit_clear(&ad);
    vmc_fleet_admit_clear(&ad);   /* cleared twice: harmless */

    /* a selection of two vendors (west holds AMD and Intel hosts): no
     * baseline to admit to, named; no host: an error; untouched @ret */
    g_assert_false(vmc_fleet_admit(f->fleet, s390x, "cluster=west", &ad, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE);
    g_assert_nonnull(strstr(error->message, "they mix CPU vendors — Intel"));
    g_assert_nonnull(strstr(error->message, "--where cluster=west,vendor=AMD"));
    g_clear_error(&error);
    g_assert_false(vmc_fleet_admit(f->fleet, s390x, "cluster=nope", &ad, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN);
    g_assert_null(ad.before);
    g_assert_null(ad.lost);
    (void) data;
}

static void
test_import_idempotent(Fixture *f, gconstpointer data)
{
    g_autofree char *jsonl = g_build_filename(f->dir, "hosts.jsonl", NULL);
    g_autofree char *bad = g_build_filename(f->dir, "bad.jsonl", NULL);
    const char *paths[] = { jsonl, NULL };
    const char *bad_paths[] = { bad, NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) hosts = NULL;
    VmcFleetImportStats st;

    g_assert_true(vmc_fleet_import(f->fleet, paths, NULL, 0, &st, &error));
    g_assert_cmpuint(st.hosts_new, ==, 0);
    g_assert_cmpuint(st.hosts_updated, ==, 0);
    g_assert_cmpuint(st.hosts_unchanged, ==, f->host_names->len);
    g_assert_cmpuint(st.kinds_new, ==, 0);
    /* a bad line: an error naming file and line; the batches before it stay */
    g_assert_true(g_file_set_contents(bad, "{\"format\": 1, \"name\": \"x\"}\n{\"format\": 1, ",
                                      -1, NULL));
    g_assert_false(vmc_fleet_import(f->fleet, bad_paths, NULL, 1, &st, &error));
    g_assert_nonnull(error);
    g_test_message("%s", error->message);
    g_clear_error(&error);
    /* forget: the host goes; its kind too when it was the last */
    g_assert_true(vmc_fleet_forget(f->fleet, "h00-0", &error));
    g_assert_false(vmc_fleet_forget(f->fleet, "h00-0", &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN);
    g_clear_error(&error);
    hosts = vmc_fleet_hosts(f->fleet, "cluster=east", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(hosts->len, ==, G_N_ELEMENTS(vmc_host_files));
    g_unlink(bad);
    (void) data;
}

/* Pools: every recorded guest sits in the pool whose kinds are exactly
 * those where vmc_abi_check_mode passes on the host's own document — under
 * the ABIs' own check mode (requirement vectors kept in the inventory) and
 * under full (vectors computed for the call). */
static void
test_pools_property(Fixture *f, gconstpointer data)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GHashTable) abis = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) vmc_abi_unref);
    g_autoptr(GHashTable) kind_doc = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_autoptr(GArray) hosts = NULL;
    g_autoptr(GError) error = NULL;
    guint recorded = 0, placed = 0;

    hosts = vmc_fleet_hosts(f->fleet, NULL, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < hosts->len; i++) {
        const VmcFleetHost *h = &g_array_index(hosts, VmcFleetHost, i);
        g_hash_table_insert(kind_doc, (gpointer) &h->kind, g_hash_table_lookup(f->host_docs, h->name));
    }
    /* every guest, resolved on every third host */
    for (guint g = 0; g < f->guests->len; g++)
        for (guint h = g % 3; h < f->host_names->len; h += 3) {
            const char *name = g_ptr_array_index(f->host_names, h);
            VmcAbi *abi = vmc_guest_resolve(cat, g_ptr_array_index(f->guests, g),
                                            g_hash_table_lookup(f->host_docs, name), NULL, NULL);
            g_autofree char *gname = g_strdup_printf("g%u-%s", g, name);
            if (!abi)
                continue;
            g_assert_true(vmc_fleet_guest_add(f->fleet, gname, abi, name, &error));
            g_assert_no_error(error);
            g_hash_table_insert(abis, g_steal_pointer(&gname), abi);
            recorded++;
        }
    g_assert_cmpuint(recorded, >, 100);
    for (VmcCpuCheck mode = VMC_CPU_CHECK_DEFAULT; mode <= VMC_CPU_CHECK_FULL;
         mode = mode == VMC_CPU_CHECK_DEFAULT ? VMC_CPU_CHECK_FULL : mode + 1) {
        g_autoptr(GArray) pools = vmc_fleet_pools(f->fleet, NULL, mode, &error);
        guint seen = 0;
        g_assert_no_error(error);
        g_assert_cmpuint(pools->len, >, 1);
        for (guint p = 0; p < pools->len; p++) {
            const VmcFleetPool *pool = &g_array_index(pools, VmcFleetPool, p);
            for (guint i = 0; i < pool->guests->len; i++) {
                const VmcAbi *abi = g_hash_table_lookup(abis, g_ptr_array_index(pool->guests, i));
                GHashTableIter it;
                gpointer k, doc;
                guint n_ok = 0;
                g_assert_nonnull(abi);
                g_hash_table_iter_init(&it, kind_doc);
                while (g_hash_table_iter_next(&it, &k, &doc)) {
                    g_autoptr(VmcVerdict) v = vmc_abi_check_mode(abi, doc, mode);
                    gboolean in_pool = FALSE;
                    for (guint j = 0; j < pool->kinds->len; j++)
                        in_pool = in_pool || g_array_index(pool->kinds, gint64, j) == *(gint64 *) k;
                    if (in_pool != vmc_verdict_ok(v))
                        g_error("guest %s, kind %" G_GINT64_FORMAT ", mode %d: pool says %s, the check %s",
                                (const char *) g_ptr_array_index(pool->guests, i), *(gint64 *) k, mode,
                                in_pool ? "runs" : "does not run", vmc_verdict_ok(v) ? "runs" : "does not");
                    n_ok += in_pool;
                }
                g_assert_cmpuint(n_ok, ==, pool->kinds->len);
                seen++;
            }
        }
        g_assert_cmpuint(seen, ==, recorded);
        placed += pools->len;
        if (mode == VMC_CPU_CHECK_FULL)
            break;
    }
    g_test_message("%u guests in %u pools (default and full check) agree with the single-host check",
                   recorded, placed);
    (void) data;
}

/* ---- upgrade-impact --to-kernel ------------------------------------------ */

/* Guests recorded on random hosts: name → VmcAbi*, name → host. */
static void
record_guests(Fixture *f, guint n, GHashTable *abis, GHashTable *on)
{
    GRand *rand = g_rand_new_with_seed(20260807);
    VmcCatalog *cat = vmc_test_catalog();
    guint added = 0;

    for (guint round = 0; added < n && round < 20 * n; round++) {
        VmcGuest *g = g_ptr_array_index(f->guests, g_rand_int_range(rand, 0, f->guests->len));
        const char *host = g_ptr_array_index(f->host_names, g_rand_int_range(rand, 0, f->host_names->len));
        g_autoptr(VmcAbi) abi = vmc_guest_resolve(cat, g, g_hash_table_lookup(f->host_docs, host), NULL, NULL);
        g_autofree char *name = g_strdup_printf("g%02u", added);
        g_autoptr(GError) error = NULL;

        if (!abi)
            continue;
        g_assert_true(vmc_fleet_guest_add(f->fleet, name, abi, host, &error));
        g_assert_no_error(error);
        g_hash_table_insert(abis, g_strdup(name), g_steal_pointer(&abi));
        g_hash_table_insert(on, g_steal_pointer(&name), g_strdup(host));
        added++;
    }
    g_assert_cmpuint(added, ==, n);
    g_rand_free(rand);
}

/* Hosts of @f that can run @abi, each on its own document or (selected)
 * the document @upgraded holds for it. */
static guint
count_targets(Fixture *f, const VmcAbi *abi, GHashTable *upgraded)
{
    guint n = 0;

    for (guint i = 0; i < f->host_names->len; i++) {
        const char *h = g_ptr_array_index(f->host_names, i);
        const VmcHost *doc = upgraded && g_hash_table_contains(upgraded, h) ?
                             g_hash_table_lookup(upgraded, h) : g_hash_table_lookup(f->host_docs, h);
        g_autoptr(VmcVerdict) v = vmc_abi_check_mode(abi, doc, VMC_CPU_CHECK_DEFAULT);
        n += vmc_verdict_ok(v);
    }
    return n;
}

static void
test_upgrade_kernel_property(Fixture *f, gconstpointer data)
{
    static const char *const cases[][2] = {
        { "cluster=west", "5.15" },        /* downgrades from 6.8, upgrades from 5.8 */
        { "cluster=east", "6.8" },
        { "host=h0[3-6]-*", "6.17.2" },    /* adds tap.tunnel-udp */
        { "host=h02-*", "4.18" },
        { "kind=1", "6.1" },
    };
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GHashTable) abis = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                       (GDestroyNotify) vmc_abi_unref);
    g_autoptr(GHashTable) on = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    guint rows_seen = 0, restarts = 0, refused = 0, changed = 0, kept = 0;

    record_guests(f, 24, abis, on);
    for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
        VmcFleetUpgradeOptions opts = VMC_FLEET_UPGRADE_OPTIONS_INIT;
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) sel = vmc_fleet_hosts(f->fleet, cases[c][0], &error);
        g_autoptr(GHashTable) upgraded = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                               (GDestroyNotify) vmc_host_unref);
        g_autoptr(GHashTable) by_guest = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GArray) rows = NULL;
        GHashTableIter it;
        gpointer k, v;
        guint n_hosts = 0;

        g_assert_no_error(error);
        g_assert_cmpuint(sel->len, >, 0);
        /* the single-host side: each selected host's own document, edited */
        for (guint i = 0; i < sel->len; i++) {
            const char *h = g_array_index(sel, VmcFleetHost, i).name;
            VmcHost *up = vmc_host_with_kernel(cat, g_hash_table_lookup(f->host_docs, h), cases[c][1], &error);
            g_assert_no_error(error);
            g_hash_table_insert(upgraded, g_strdup(h), up);
        }
        opts.to_kernel = cases[c][1];
        rows = vmc_fleet_upgrade_impact_opts(f->fleet, cases[c][0], &opts, &n_hosts, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(n_hosts, ==, sel->len);
        for (guint i = 0; i < rows->len; i++)
            g_hash_table_insert(by_guest, g_array_index(rows, VmcFleetImpact, i).guest,
                                &g_array_index(rows, VmcFleetImpact, i));
        g_hash_table_iter_init(&it, abis);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            const VmcAbi *abi = v;
            const char *host = g_hash_table_lookup(on, k);
            const VmcFleetImpact *row = g_hash_table_lookup(by_guest, k);
            const VmcHost *mine = g_hash_table_lookup(upgraded, host);
            guint before = count_targets(f, abi, NULL), after = count_targets(f, abi, upgraded);

            /* listed exactly when its host is upgraded or its targets change */
            g_assert_cmpint(row != NULL, ==, mine != NULL || before != after);
            if (!row)
                continue;
            rows_seen++;
            g_assert_cmpstr(row->host, ==, host);
            g_assert_cmpuint(row->before, ==, before);
            g_assert_cmpuint(row->after, ==, after);
            g_assert_cmpint(row->stranded, ==, before > 0 && after == 0);
            g_assert_cmpint(row->restart != NULL, ==, mine != NULL);
            if (!mine)
                continue;
            restarts++;
            {
                /* the recorded ABI on the edited document */
                g_autoptr(VmcVerdict) single = vmc_abi_check_mode(abi, mine, VMC_CPU_CHECK_DEFAULT);
                g_autofree char *a = verdict_text(single);
                g_autofree char *b = verdict_text(row->restart);
                g_assert_cmpstr(a, ==, b);
                refused += !vmc_verdict_ok(single);
            }
            {
                /* the restart: the recorded definition resolved on it */
                const VmcPlatform *def = vmc_host_default_platform(g_hash_table_lookup(f->host_docs, host), cat);
                const char *p = vmc_abi_get_platform(abi);
                gboolean named = p && (vmc_abi_get_platform_named(abi) ||
                                       !(def && g_str_equal(p, vmc_platform_get_name(def))));
                g_autoptr(VmcGuest) g = vmc_abi_to_guest(cat, abi, named ? VMC_ABI_GUEST_DEFAULT :
                                                         VMC_ABI_GUEST_HOST_PLATFORM, &error);
                g_autoptr(GError) rerr = NULL;
                g_autoptr(VmcAbi) again = NULL;

                g_assert_no_error(error);
                again = vmc_guest_resolve(cat, g, mine, NULL, &rerr);
                g_assert_cmpint(row->restart_platform_kept, ==, named);
                kept += named;
                if (!again) {
                    g_assert_null(row->restart_abi);
                    g_assert_cmpstr(row->restart_error, ==, rerr->message);
                    continue;
                }
                g_assert_nonnull(row->restart_abi);
                g_assert_cmpstr(vmc_abi_get_fingerprint(row->restart_abi), ==, vmc_abi_get_fingerprint(again));
                {
                    g_autoptr(GArray) d = vmc_abi_diff(abi, again);
                    g_assert_cmpuint(row->restart_changes->len, ==, d->len);
                    g_assert_cmpint(d->len == 0, ==, g_str_equal(vmc_abi_get_fingerprint(abi),
                                                                 vmc_abi_get_fingerprint(again)));
                    changed += d->len > 0;
                }
            }
        }
    }
    g_test_message("%u impact rows, %u restarts on upgraded hosts (%u refused as recorded, %u with "
                   "another ABI, %u with a named platform) agree with the single-host rule",
                   rows_seen, restarts, refused, changed, kept);
    /* the sample is not one-sided */
    g_assert_cmpuint(refused, >, 0);
    g_assert_cmpuint(refused, <, restarts);
    g_assert_cmpuint(changed, >, 0);
    g_assert_cmpuint(changed, <, restarts);
    (void) data;
}

static VmcHost *
load_host(const char *file)
{
    g_autofree char *path = vmc_test_source_path("tests", "data", "hosts", file, NULL);
    g_autoptr(GError) error = NULL;
    VmcHost *h = vmc_host_load(vmc_test_catalog(), path, &error);

    g_assert_no_error(error);
    return h;
}

static VmcHost *
with_kernel(const VmcHost *h, const char *kernel)
{
    g_autoptr(GError) error = NULL;
    VmcHost *out = vmc_host_with_kernel(vmc_test_catalog(), h, kernel, &error);

    g_assert_no_error(error);
    g_assert_nonnull(out);
    return out;
}

static const char *
cap_value(const VmcHost *h, const char *name)
{
    return g_hash_table_lookup(vmc_host_get_capabilities(h), name);
}

/* vmc_host_with_kernel on the real fixtures: what a kernel takes away, adds
 * and keeps; refusals. */
static void
test_upgrade_kernel_rule(Fixture *f, gconstpointer data)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(VmcHost) noble = load_host("x86_64-kernel-6.8.json");
    g_autoptr(VmcHost) jammy = load_host("x86_64-kernel-5.15.json");
    g_autoptr(VmcHost) down = with_kernel(noble, "5.15");
    g_autoptr(VmcHost) up = with_kernel(jammy, "6.8");
    g_autoptr(GError) error = NULL;
    GHashTableIter it;
    gpointer k, v;

    g_assert_cmpstr(vmc_host_get_kernel(down), ==, "5.15");
    for (guint i = 0; i < 2; i++) {
        GPtrArray *notes = vmc_host_get_notes(i ? up : down);
        g_assert_cmpuint(notes->len, >, 0);
        g_test_message("%s", (const char *) g_ptr_array_index(notes, notes->len - 1));
    }
    /* a downgrade takes away what arrived later: tap.uso (6.2, a platform's),
     * KVM's memory-fault-info (6.8), xsave2 (5.17) ... */
    g_assert_cmpstr(cap_value(down, "tap.uso"), ==, "no");
    g_assert_cmpstr(cap_value(down, "kvm.cap.memory-fault-info"), ==, "no");
    g_assert_cmpstr(cap_value(down, "kvm.cap.xsave2"), ==, "no");
    /* ... and keeps the rest as probed: older ones, the hardware's, the undated */
    g_assert_cmpstr(cap_value(down, "kvm.pv.async-pf-int"), ==, "yes");
    g_assert_cmpstr(cap_value(down, "kvm.cap.hyperv-enlightened-vmcs"), ==, "no");   /* AMD */
    g_assert_cmpstr(cap_value(down, "kvm.cap.max-vcpus"), ==, "1024");
    g_assert_cmpstr(cap_value(down, "vhost-vsock.seqpacket"), ==, "yes");
    g_assert_cmpstr(vmc_platform_get_name(vmc_host_default_platform(down, cat)), ==, "linux-5.15");
    /* it agrees with the 5.15 fixture on every capability the 6.8 one has
     * and the 5.15 one lacks: all are dated after 5.15 */
    g_hash_table_iter_init(&it, vmc_host_get_capabilities(noble));
    while (g_hash_table_iter_next(&it, &k, &v))
        if (vmc_host_has_capability(noble, k) && cap_value(jammy, k) && !vmc_host_has_capability(jammy, k) &&
            !g_str_has_prefix(k, "kvm.cap.hyperv-enlightened-vmcs"))
            g_assert_false(vmc_host_has_capability(down, k));
    /* an upgrade adds what the rules of the arch ask for (tap.uso), not
     * other KVM capabilities of the new kernel (they depend on hardware) */
    g_assert_cmpstr(cap_value(up, "tap.uso"), ==, "yes");
    g_assert_cmpstr(cap_value(up, "tap.tunnel-udp"), ==, "no");
    g_assert_cmpstr(cap_value(up, "kvm.cap.memory-fault-info"), ==, "no");
    g_assert_cmpstr(vmc_platform_get_name(vmc_host_default_platform(up, cat)), ==, "linux-6.8");
    /* the fixtures claim nothing their own kernel lacks: on their own
     * release they are unchanged */
    for (guint i = 0; i < G_N_ELEMENTS(vmc_host_files); i++) {
        g_autoptr(VmcHost) h = load_host(vmc_host_files[i]);
        g_autofree char *own = vmc_host_kernel_version(h);
        g_autoptr(VmcHost) same = with_kernel(h, own);
        g_hash_table_iter_init(&it, vmc_host_get_capabilities(h));
        while (g_hash_table_iter_next(&it, &k, &v))
            g_assert_cmpstr(cap_value(same, k), ==, v);
        g_assert_cmpuint(g_hash_table_size(vmc_host_get_capabilities(same)), ==,
                         g_hash_table_size(vmc_host_get_capabilities(h)));
    }
    /* refusals */
    g_assert_null(vmc_host_with_kernel(cat, noble, "abc", &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
    g_clear_error(&error);
    g_assert_null(vmc_host_with_kernel(cat, noble, "6", &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
    g_clear_error(&error);
    g_assert_null(vmc_host_with_kernel(cat, noble, "6.8.", &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
    g_clear_error(&error);
    g_assert_null(vmc_host_with_kernel(cat, noble, "5.14.0-427.el9", &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED);
    g_test_message("%s", error->message);
    g_clear_error(&error);
    {
        g_autofree char *caps = vmc_test_source_path("tests", "data", "hosts", "capabilities-i7-8700.xml", NULL);
        g_autoptr(VmcHost) nokernel = vmc_host_load(cat, caps, &error);
        g_assert_no_error(error);
        g_assert_null(vmc_host_get_kernel(nokernel));
        g_assert_null(vmc_host_with_kernel(cat, nokernel, "6.8", &error));
        g_assert_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED);
        g_test_message("%s", error->message);
    }
    (void) f;
    (void) data;
}

/* The releases the rule uses are the ones the platform facts cite: each
 * capability is there on its release and gone on the one before. */
static void
test_upgrade_kernel_since(Fixture *f, gconstpointer data)
{
    g_autofree char *path = vmc_test_source_path("tools", "gen", "sources", "linux-platforms.json", NULL);
    g_autofree char *text = vmc_test_read(path, NULL);
    json_object *root = json_tokener_parse(text), *caps = NULL;
    g_autoptr(VmcHost) x86 = load_host("x86_64-kernel-6.8.json");
    g_autoptr(VmcHost) s390x = load_host("s390x-kernel-6.1.json");
    g_autoptr(VmcHost) x86_new = with_kernel(x86, "6.18");
    g_autoptr(VmcHost) s390x_new = with_kernel(s390x, "6.18");
    guint n = 0;

    g_assert_true(json_object_object_get_ex(root, "capabilities", &caps));
    json_object_object_foreach(caps, name, fact) {
        const char *rel = json_object_get_string(json_object_object_get(fact, "kernel"));
        guint x = 0, y = 0, z = 0;
        int parts = sscanf(rel, "%u.%u.%u", &x, &y, &z);
        const VmcHost *h = vmc_host_has_capability(x86_new, name) ? x86_new : s390x_new;
        g_autofree char *prev = parts == 3 ? g_strdup_printf("%u.%u.%u", x, y, z - 1) :
                                y > 0 ? g_strdup_printf("%u.%u", x, y - 1) : g_strdup_printf("%u.99", x - 1);
        g_autoptr(VmcHost) at = with_kernel(h, rel);
        g_autoptr(VmcHost) before = with_kernel(h, prev);

        g_assert_true(parts >= 2);
        if (!vmc_host_has_capability(h, name))
            g_error("%s: no fixture has it on 6.18", name);
        if (!vmc_host_has_capability(at, name) || vmc_host_has_capability(before, name))
            g_error("%s (Linux %s): on %s %s, on %s %s", name, rel, rel,
                    cap_value(at, name), prev, cap_value(before, name));
        n++;
    }
    g_test_message("%u dated capabilities arrive exactly on their cited release", n);
    g_assert_cmpuint(n, >=, 14);
    json_object_put(root);
    (void) f;
    (void) data;
}

/* The ladder counts, per catalog model, the hosts whose own document says
 * the model is usable (query-cpu-definitions' rule with the host's default
 * accelerator, as `cpu models --host` judges it). */
static void
test_ladder_property(Fixture *f, gconstpointer data)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) rungs = NULL;
    g_autoptr(GHashTable) want = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint nonzero = 0;

    /* and a host without KVM: TCG's answer is not the host's own */
    {
        g_autofree char *file = vmc_test_source_path("tests", "data", "hosts", "x86_64-example.json", NULL);
        g_autofree char *text = vmc_test_read(file, NULL);
        g_autofree char *jsonl = g_build_filename(f->dir, "nokvm.jsonl", NULL);
        json_object *doc = json_tokener_parse(text), *kvm = json_object_new_object();
        const char *paths[] = { jsonl, NULL };
        const char *out;
        VmcFleetImportStats st;
        json_object_object_add(kvm, "present", json_object_new_boolean(FALSE));
        json_object_object_add(doc, "kvm", kvm);
        json_object_object_add(doc, "name", json_object_new_string("nokvm"));
        out = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
        g_assert_true(g_file_set_contents(jsonl, out, -1, NULL));
        g_assert_true(vmc_fleet_import(f->fleet, paths, NULL, 0, &st, &error));
        g_assert_no_error(error);
        g_hash_table_insert(f->host_docs, g_strdup("nokvm"), vmc_host_parse(cat, out, strlen(out), "nokvm", &error));
        g_assert_no_error(error);
        g_ptr_array_add(f->host_names, g_strdup("nokvm"));
        json_object_put(doc);
        g_unlink(jsonl);
        rungs = vmc_fleet_ladder(f->fleet, NULL, &error);
    }
    g_assert_no_error(error);
    for (guint h = 0; h < f->host_names->len; h++) {
        VmcHost *host = g_hash_table_lookup(f->host_docs, g_ptr_array_index(f->host_names, h));
        g_autoptr(GArray) rows = vmc_cpu_models_accel(cat, vmc_host_get_arch(host), vmc_host_get_cpu(host),
                                                      vmc_host_default_accel(host), &error);
        g_assert_no_error(error);
        for (guint i = 0; i < rows->len; i++) {
            VmcModelAvailability *r = &g_array_index(rows, VmcModelAvailability, i);
            if (!r->alias_of && r->unavailable && r->unavailable->len == 0) {
                guint n = GPOINTER_TO_UINT(g_hash_table_lookup(want, r->name));
                g_hash_table_replace(want, g_strdup(r->name), GUINT_TO_POINTER(n + 1));
            }
            vmc_model_availability_clear(r);
        }
    }
    for (guint i = 0; i < rungs->len; i++) {
        const VmcFleetRung *r = &g_array_index(rungs, VmcFleetRung, i);
        g_assert_cmpuint(r->n_total, ==, f->host_names->len);
        if (r->n_hosts != GPOINTER_TO_UINT(g_hash_table_lookup(want, r->model)))
            g_error("ladder: %s on %u hosts, the hosts' own documents say %u", r->model, r->n_hosts,
                    GPOINTER_TO_UINT(g_hash_table_lookup(want, r->model)));
        nonzero += r->n_hosts > 0 && r->n_hosts < r->n_total;
    }
    /* the fixture hosts differ: some models run on some of them only */
    g_assert_cmpuint(nonzero, >, 5);
    (void) data;
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/fleet/property/where-equals-single-host", Fixture, NULL, fixture_setup,
               test_property, fixture_teardown);
    g_test_add("/fleet/property/pools-equal-single-host", Fixture, NULL, fixture_setup,
               test_pools_property, fixture_teardown);
    g_test_add("/fleet/property/ladder-equals-single-host", Fixture, NULL, fixture_setup,
               test_ladder_property, fixture_teardown);
    g_test_add("/fleet/baseline", Fixture, NULL, fixture_setup, test_baseline, fixture_teardown);
    g_test_add("/fleet/admit", Fixture, NULL, fixture_setup, test_admit, fixture_teardown);
    g_test_add("/fleet/import", Fixture, NULL, fixture_setup, test_import_idempotent, fixture_teardown);
    g_test_add("/fleet/upgrade/kernel-equals-single-host", Fixture, NULL, fixture_setup,
               test_upgrade_kernel_property, fixture_teardown);
    g_test_add("/fleet/upgrade/kernel-rule", Fixture, NULL, NULL, test_upgrade_kernel_rule, NULL);
    g_test_add("/fleet/upgrade/kernel-since-cited", Fixture, NULL, NULL, test_upgrade_kernel_since, NULL);
    return g_test_run();
}
