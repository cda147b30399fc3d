/* test-guestos.c: the guest OS support policy (seed 002) on the installed
 * osinfo-db (Debian 12's osinfo-db) and on fixture databases.
 *
 * - tests/data/guestos/tiers: OS, date, policy → tier (both policies, fixed
 *   dates: rhel6.10, centos6.8, the Windows 95 era, current OSes);
 * - tests/data/guestos/checks: OS, machine type, guest → problem codes
 *   (RHEL 6 / CentOS 6 on q35: virtio-legacy-only; i440fx and current OSes:
 *   nothing);
 * - the table is reproducible (two loads, same rows, sorted, unique);
 * - the placement rule agrees with a live QEMU (disable-legacy read back
 *   over QMP for each slot kind), skipped when qemu-system-x86_64 is absent;
 * - broken databases (truncated XML, a bad date, empty, missing) are
 *   errors naming the file/field; policy files are validated;
 * - a guest that names its OS gets guest-os-* reasons.
 * Tests on the installed database skip (with the reason) when osinfo-db is
 * not installed; scripts/deps.sh installs it, so CI runs them.
 */
#include "harness.h"

#include <gio/gio.h>

#include <stdio.h>
#include <string.h>

#include "policy/policy-private.h"

static VmcOsDb *
installed_db(void)
{
    g_autoptr(GError) error = NULL;
    VmcOsDb *db = vmc_os_db_open(NULL, &error);
    if (!db)
        g_test_skip_printf("no installed osinfo database (Debian: osinfo-db): %s", error->message);
    return db;
}

static char *
fixture(const char *name)
{
    return vmc_test_source_path("tests", "data", "guestos", "osinfo", name, NULL);
}

/* Non-comment lines of a data file, split on blanks. */
static GPtrArray *
read_cases(const char *name)
{
    g_autofree char *path = vmc_test_source_path("tests", "data", "guestos", name, NULL);
    g_autofree char *text = vmc_test_read(path, NULL);
    g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
    GPtrArray *cases = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);

    for (char **l = lines; *l; l++) {
        g_autoptr(GPtrArray) words = g_ptr_array_new();
        g_auto(GStrv) parts = NULL;
        if (**l == '#' || !*g_strstrip(*l))
            continue;
        parts = g_strsplit_set(*l, " \t", -1);
        for (char **p = parts; *p; p++)
            if (**p)
                g_ptr_array_add(words, g_strdup(*p));
        g_ptr_array_add(words, NULL);
        g_ptr_array_add(cases, g_ptr_array_steal(words, NULL));
    }
    return cases;
}

static void
test_installed_rhel610(void)
{
    g_autoptr(VmcOsDb) db = installed_db();
    g_autoptr(GError) error = NULL;
    const VmcOsInfo *os, *by_uri;
    char buf[16];

    if (!db)
        return;
    os = vmc_os_db_lookup(db, "rhel6.10", &error);
    VMC_ASSERT_OK(os, error);
    g_date_strftime(buf, sizeof(buf), "%Y-%m-%d", &os->release);
    g_assert_cmpstr(buf, ==, "2018-05-25");
    g_date_strftime(buf, sizeof(buf), "%Y-%m-%d", &os->eol);
    g_assert_cmpstr(buf, ==, "2024-06-30");
    g_assert_cmpstr(os->vendor, ==, "Red Hat, Inc");
    g_assert_cmpstr(os->family, ==, "linux");
    /* virtio 0.9 only, inherited from rhel6.0 through derives-from */
    g_assert_true(os->virtio[vmc__virtio_kind_index("net")].legacy);
    g_assert_false(os->virtio[vmc__virtio_kind_index("net")].modern);
    g_assert_true(os->q35);
    by_uri = vmc_os_db_lookup(db, "http://redhat.com/rhel/6.10", &error);
    g_assert_true(by_uri == os);
    /* CentOS 6.8 has no devices of its own: they come through <clones> */
    os = vmc_os_db_lookup(db, "centos6.8", &error);
    VMC_ASSERT_OK(os, error);
    g_assert_true(os->has_devices);
    g_assert_true(os->virtio[vmc__virtio_kind_index("block")].legacy);
    /* unknown OSes are errors that name close short ids */
    g_assert_null(vmc_os_db_lookup(db, "rhel6.11", &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN);
    g_assert_nonnull(strstr(error->message, "did you mean"));
    g_assert_nonnull(strstr(error->message, "rhel6.1"));
}

static void
test_installed_tiers(void)
{
    g_autoptr(VmcOsDb) db = installed_db();
    g_autoptr(GPtrArray) cases = read_cases("tiers");
    guint n = 0;

    if (!db)
        return;
    for (guint i = 0; i < cases->len; i++) {
        char **c = g_ptr_array_index(cases, i);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcOsPolicy) policy = NULL;
        g_autofree char *reason = NULL;
        const VmcOsInfo *os;
        VmcOsTier want, got;
        GDate date;

        g_assert_cmpuint(g_strv_length(c), ==, 4);
        os = vmc_os_db_lookup(db, c[0], &error);
        VMC_ASSERT_OK(os, error);
        VMC_ASSERT_OK(vmc_date_parse(c[1], &date, &error), error);
        policy = vmc_os_policy_parse(c[2], &error);
        VMC_ASSERT_OK(policy, error);
        g_assert_true(vmc_os_tier_from_string(c[3], &want));
        got = vmc_os_policy_tier(policy, os, &date, &reason);
        if (got != want) {
            g_test_message("%s on %s under %s: %s, expected %s (%s)", c[0], c[1], c[2],
                           vmc_os_tier_to_string(got), c[3], reason);
            g_test_fail();
        }
        g_assert_true(reason && *reason);
        n++;
    }
    g_assert_cmpuint(n, >=, 20);
}

/* Every row of `guestos list`, as text. */
static char *
table(const VmcOsDb *db, const VmcOsPolicy *policy, const GDate *date)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < vmc_os_db_count(db); i++) {
        const VmcOsInfo *os = vmc_os_db_get(db, i);
        g_autofree char *reason = NULL;
        VmcOsTier t = vmc_os_policy_tier(policy, os, date, &reason);
        g_string_append_printf(out, "%s %s %s\n", os->short_id ? os->short_id : os->id,
                               vmc_os_tier_to_string(t), reason);
    }
    return g_string_free(out, FALSE);
}

static void
test_installed_table_reproducible(void)
{
    g_autoptr(VmcOsDb) a = installed_db();
    g_autoptr(VmcOsDb) b = NULL;
    g_autoptr(VmcOsPolicy) vendor = vmc_os_policy_parse("vendor", NULL);
    g_autoptr(VmcOsPolicy) age = vmc_os_policy_parse("age:5y", NULL);
    g_autoptr(GError) error = NULL;
    g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
    guint tiers[3] = { 0 };
    GDate date;

    if (!a)
        return;
    b = vmc_os_db_open(NULL, &error);
    VMC_ASSERT_OK(b, error);
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, 22, 11, 2026);
    t1 = table(a, vendor, &date);
    t2 = table(b, vendor, &date);
    g_assert_cmpstr(t1, ==, t2);
    t3 = table(a, age, &date);
    t4 = table(b, age, &date);
    g_assert_cmpstr(t3, ==, t4);
    g_assert_cmpuint(vmc_os_db_count(a), >, 500);
    for (guint i = 0; i + 1 < vmc_os_db_count(a); i++) {
        const VmcOsInfo *x = vmc_os_db_get(a, i), *y = vmc_os_db_get(a, i + 1);
        g_assert_cmpint(g_strcmp0(x->short_id ? x->short_id : x->id,
                                  y->short_id ? y->short_id : y->id), <=, 0);
    }
    for (guint i = 0; i < vmc_os_db_count(a); i++)
        tiers[vmc_os_policy_tier(vendor, vmc_os_db_get(a, i), &date, NULL)]++;
    /* the database spans every tier */
    g_assert_cmpuint(tiers[0], >, 0);
    g_assert_cmpuint(tiers[1], >, 0);
    g_assert_cmpuint(tiers[2], >, 0);
}

static void
test_installed_checks(void)
{
    g_autoptr(VmcOsDb) db = installed_db();
    g_autoptr(GPtrArray) cases = read_cases("checks");
    g_autoptr(VmcOsPolicy) policy = vmc_os_policy_parse("vendor", NULL);
    VmcCatalog *cat = vmc_test_catalog();
    GDate date;

    if (!db)
        return;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, 22, 11, 2026);
    for (guint i = 0; i < cases->len; i++) {
        char **c = g_ptr_array_index(cases, i);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcGuest) guest = NULL;
        g_autoptr(VmcOsCheck) check = NULL;
        g_autoptr(GPtrArray) codes = g_ptr_array_new();
        g_autofree char *got = NULL;
        const VmcOsInfo *os;

        g_assert_cmpuint(g_strv_length(c), ==, 4);
        os = vmc_os_db_lookup(db, c[0], &error);
        VMC_ASSERT_OK(os, error);
        if (!g_str_equal(c[2], "-")) {
            g_autofree char *path = vmc_test_source_path("tests", "data", "guestos", "guests",
                                                         c[2], NULL);
            guest = vmc_guest_load(cat, path, &error);
            VMC_ASSERT_OK(guest, error);
        }
        check = vmc_os_check(cat, policy, os, c[1],
                             guest && vmc_guest_get_virtio_count(guest) ?
                             vmc_guest_get_virtio(guest, 0) : NULL,
                             guest ? (int) vmc_guest_get_virtio_count(guest) : -1, &date, &error);
        VMC_ASSERT_OK(check, error);
        for (guint j = 0; j < vmc_os_check_get_problem_count(check); j++) {
            const VmcOsProblem *p = vmc_os_check_get_problem(check, j);
            g_assert_true(p->problem && *p->problem && p->fix && *p->fix);
            g_ptr_array_add(codes, (gpointer) p->code);
        }
        g_ptr_array_add(codes, NULL);
        got = codes->len > 1 ? g_strjoinv(",", (char **) codes->pdata) : g_strdup("-");
        if (!g_str_equal(got, c[3])) {
            g_test_message("%s on %s with %s: problems %s, expected %s", c[0], c[1], c[2], got, c[3]);
            g_test_fail();
        }
        /* problems make the OS at best Supported on this machine type */
        if (vmc_os_check_get_problem_count(check))
            g_assert_cmpint(vmc_os_check_get_tier(check), >=, VMC_OS_TIER_SUPPORTED);
        else
            g_assert_cmpint(vmc_os_check_get_tier(check), ==, vmc_os_check_get_policy_tier(check));
    }
}

/* The legacy-interface rule against QEMU itself: one q35 guest with a
 * virtio-net device in each kind of slot; `info qtree` gives the PCI id QEMU
 * presents — 1af4:1000 (transitional: legacy visible) or 1af4:1041 (1.0). */
static void
test_live_placement(void)
{
    static const struct {
        const char *id, *device, *bus;
        VmcVirtioModel model;
        const char *slot;
    } devs[] = {
        { "n1", "virtio-net-pci", "rp1", VMC_VIRTIO_MODEL_AUTO, "pcie-root-port" },
        { "n2", "virtio-net-pci", "pcie.0", VMC_VIRTIO_MODEL_AUTO, "pcie-root" },
        { "n3", "virtio-net-pci", "br2", VMC_VIRTIO_MODEL_AUTO, "pcie-to-pci-bridge" },
        { "n4", "virtio-net-pci-transitional", "br2", VMC_VIRTIO_MODEL_TRANSITIONAL, "pcie-to-pci-bridge" },
        { "n5", "virtio-net-pci-non-transitional", "pcie.0", VMC_VIRTIO_MODEL_NON_TRANSITIONAL, "pcie-root" },
        { "n6", "virtio-net-pci-transitional", "rp3", VMC_VIRTIO_MODEL_TRANSITIONAL, "pcie-root-port" },
        { "n7", "virtio-net-pci", "sw1", VMC_VIRTIO_MODEL_AUTO, "pcie-switch-downstream-port" },
    };
    static const char *const base[] = {
        "-machine", "pc-q35-7.2", "-accel", "tcg", "-nodefaults", "-display", "none", "-S",
        "-qmp", "stdio", "-device", "pcie-root-port,id=rp1,chassis=1",
        "-device", "pcie-root-port,id=rp2,chassis=2", "-device", "pcie-pci-bridge,id=br2,bus=rp2",
        "-device", "pcie-root-port,id=rp3,chassis=3",
        "-device", "pcie-root-port,id=rp4,chassis=4", "-device", "x3130-upstream,id=up1,bus=rp4",
        "-device", "xio3130-downstream,id=sw1,bus=up1,chassis=5",
    };
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GHashTable) pci_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autofree char *current = NULL;
    g_auto(GStrv) lines = NULL;
    GSubprocess *proc;
    const char *input = "{\"execute\":\"qmp_capabilities\"}\n"
                        "{\"execute\":\"human-monitor-command\",\"arguments\":"
                        "{\"command-line\":\"info qtree\"}}\n"
                        "{\"execute\":\"quit\"}\n";

    if (!qemu) {
        g_test_skip("qemu-system-x86_64 not installed (Debian: qemu-system-x86)");
        return;
    }
    g_ptr_array_add(argv, g_strdup(qemu));
    for (guint i = 0; i < G_N_ELEMENTS(base); i++)
        g_ptr_array_add(argv, g_strdup(base[i]));
    for (guint i = 0; i < G_N_ELEMENTS(devs); i++) {
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, g_strdup_printf("%s,id=%s,bus=%s", devs[i].device, devs[i].id, devs[i].bus));
    }
    g_ptr_array_add(argv, NULL);
    proc = g_subprocess_newv((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
    VMC_ASSERT_OK(proc, error);
    if (!g_subprocess_communicate_utf8(proc, input, NULL, &out, &err, &error)) {
        g_object_unref(proc);
        VMC_ASSERT_OK(FALSE, error);
    }
    g_object_unref(proc);
    /* the qtree text sits JSON-escaped in one reply: id \"n1\" ... pci id 1af4:1041 */
    lines = g_strsplit(out ? out : "", "\\r\\n", -1);
    for (char **l = lines; *l; l++) {
        const char *id = strstr(*l, "id \\\"");
        const char *pci = strstr(*l, "pci id ");
        if (id && !pci && !strstr(*l, "pci id")) {
            const char *start = id + strlen("id \\\"");
            const char *end = strstr(start, "\\\"");
            if (end) {
                g_free(current);
                current = g_strndup(start, end - start);
            }
        } else if (pci && current) {
            g_hash_table_replace(pci_id, g_strdup(current), g_strndup(pci + strlen("pci id "), 9));
            g_clear_pointer(&current, g_free);
        }
    }
    for (guint i = 0; i < G_N_ELEMENTS(devs); i++) {
        const char *got = g_hash_table_lookup(pci_id, devs[i].id);
        unsigned vendor = 0, device = 0;
        if (!got || sscanf(got, "%4x:%4x", &vendor, &device) != 2) {
            g_test_message("no PCI id for %s in QEMU's qtree; stderr: %s", devs[i].id, err ? err : "");
            g_test_fail();
            continue;
        }
        g_test_message("%s on %s: QEMU presents %s", devs[i].device, devs[i].slot, got);
        g_assert_cmphex(vendor, ==, 0x1af4);
        g_assert_cmpint(device < 0x1040, ==, vmc__virtio_legacy_visible(devs[i].model, devs[i].slot));
    }
}

static void
test_fixture_db(void)
{
    g_autofree char *good = fixture("good");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcOsDb) db = vmc_os_db_open(good, &error);
    g_autoptr(VmcOsPolicy) vendor = vmc_os_policy_parse("vendor", NULL);
    g_autoptr(VmcOsPolicy) age = vmc_os_policy_parse("age:5y", NULL);
    static const struct {
        const char *os, *date;
        gboolean age;
        VmcOsTier tier;
        const char *in_reason;
    } cases[] = {
        { "rolling", "2026-11-22", FALSE, VMC_OS_TIER_RECOMMENDED, "rolling" },
        { "beta2", "2026-11-22", FALSE, VMC_OS_TIER_SUPPORTED, "prerelease" },
        { "beta2", "2026-09-30", FALSE, VMC_OS_TIER_UNSUPPORTED, "not released until 2026-10-01" },
        { "undated", "2026-11-22", FALSE, VMC_OS_TIER_UNSUPPORTED, "no release date" },
        { "undated", "2026-11-22", TRUE, VMC_OS_TIER_UNSUPPORTED, "no release date" },
        { "rhel9.0", "2027-05-16", FALSE, VMC_OS_TIER_RECOMMENDED, "assumed" },
        { "rhel9.0", "2027-05-17", FALSE, VMC_OS_TIER_SUPPORTED, "ended 2027-05-17" },
        { "rhel6.10", "2023-05-24", TRUE, VMC_OS_TIER_RECOMMENDED, "within the 5 years" },
        { "rhel6.10", "2023-05-25", TRUE, VMC_OS_TIER_SUPPORTED, "older than 5 years" },
        { "centos6.8", "2016-06-01", FALSE, VMC_OS_TIER_RECOMMENDED, "until 2017-04-05" },
    };

    VMC_ASSERT_OK(db, error);
    g_assert_cmpuint(vmc_os_db_count(db), ==, 9);
    g_assert_nonnull(strstr(vmc_os_db_describe(db), "20221130-fixture"));
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        const VmcOsInfo *os = vmc_os_db_lookup(db, cases[i].os, &error);
        g_autofree char *reason = NULL;
        GDate date;
        VMC_ASSERT_OK(os, error);
        VMC_ASSERT_OK(vmc_date_parse(cases[i].date, &date, &error), error);
        g_assert_cmpint(vmc_os_policy_tier(cases[i].age ? age : vendor, os, &date, &reason), ==,
                        cases[i].tier);
        if (!strstr(reason, cases[i].in_reason)) {
            g_test_message("%s on %s: reason '%s' lacks '%s'", cases[i].os, cases[i].date, reason,
                           cases[i].in_reason);
            g_test_fail();
        }
    }
}

static void
test_fixture_no_devices(void)
{
    g_autofree char *good = fixture("good");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcOsDb) db = vmc_os_db_open(good, &error);
    g_autoptr(VmcOsPolicy) vendor = vmc_os_policy_parse("vendor", NULL);
    g_autoptr(VmcOsCheck) check = NULL;
    const VmcOsInfo *os;
    GDate date;

    VMC_ASSERT_OK(db, error);
    os = vmc_os_db_lookup(db, "nodevices1", &error);
    VMC_ASSERT_OK(os, error);
    g_assert_true(vmc_date_parse("2026-11-22", &date, NULL));
    check = vmc_os_check(vmc_test_catalog(), vendor, os, "q35", NULL, -1, &date, &error);
    VMC_ASSERT_OK(check, error);
    g_assert_cmpuint(vmc_os_check_get_problem_count(check), ==, 0);
    g_assert_cmpuint(vmc_os_check_get_notes(check)->len, ==, 1);
    g_assert_nonnull(strstr(g_ptr_array_index(vmc_os_check_get_notes(check), 0), "lists no devices"));
    /* an unknown machine type is an error, not a crash */
    g_assert_null(vmc_os_check(vmc_test_catalog(), vendor, os, "pc-q35-1.0", NULL, -1, &date, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN);
}

static void
test_broken_db(void)
{
    static const struct {
        const char *dir;
        int code;
        const char *in_message;
    } cases[] = {
        { "truncated", VMC_ERROR_PARSE, "rhel-6.10.xml:8" },
        { "bad-date", VMC_ERROR_PARSE, "field 'release-date': '2018-13-45' is not a date" },
        { "empty", VMC_ERROR_IO, "no operating systems" },
        { "missing", VMC_ERROR_IO, "no such directory" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *dir = fixture(cases[i].dir);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcOsDb) db = vmc_os_db_open(dir, &error);
        g_assert_null(db);
        g_assert_error(error, VMC_ERROR, cases[i].code);
        if (!strstr(error->message, cases[i].in_message)) {
            g_test_message("%s: '%s' lacks '%s'", cases[i].dir, error->message, cases[i].in_message);
            g_test_fail();
        }
    }
    /* $OSINFO_SYSTEM_DIR pointing nowhere: the default locations hold nothing */
    {
        g_autofree char *old = g_strdup(g_getenv("OSINFO_SYSTEM_DIR"));
        g_autofree char *home = g_strdup(g_getenv("HOME"));
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcOsDb) db = NULL;
        g_autofree char *empty = fixture("empty");
        g_setenv("OSINFO_SYSTEM_DIR", empty, TRUE);
        g_setenv("OSINFO_LOCAL_DIR", empty, TRUE);
        g_setenv("OSINFO_USER_DIR", empty, TRUE);
        db = vmc_os_db_open(NULL, &error);
        g_assert_null(db);
        g_assert_error(error, VMC_ERROR, VMC_ERROR_IO);
        g_assert_nonnull(strstr(error->message, "install the osinfo-db package"));
        if (old)
            g_setenv("OSINFO_SYSTEM_DIR", old, TRUE);
        else
            g_unsetenv("OSINFO_SYSTEM_DIR");
        g_unsetenv("OSINFO_LOCAL_DIR");
        g_unsetenv("OSINFO_USER_DIR");
    }
}

static void
test_policy_specs(void)
{
    static const struct {
        const char *spec;
        const char *in_error;     /* NULL: valid */
    } cases[] = {
        { "vendor", NULL },
        { "age:5y", NULL },
        { "age:5y:8y", NULL },
        { "age:18m", NULL },
        { "age:", "expected age:" },
        { "age:5x", "not a duration" },
        { "age:5y:8y:9y", "expected age:" },
        { "bogus", "unknown policy 'bogus'" },
        { "@DATA@/policies/site.json", NULL },
        { "@DATA@/policies/bad-key.json", "field 'recomended-within': unknown" },
        { "@DATA@/policies/bad-tier.json", "field 'pin[0]'" },
        { "@DATA@/policies/bad-span.json", "field 'supported-after-eol': 'five years' is not a duration" },
        { "@DATA@/policies/missing.json", "cannot open" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *dir = vmc_test_source_path("tests", "data", "guestos", NULL);
        g_autoptr(GString) spec = g_string_new(cases[i].spec);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcOsPolicy) p = NULL;
        g_string_replace(spec, "@DATA@", dir, 0);
        p = vmc_os_policy_parse(spec->str, &error);
        if (!cases[i].in_error) {
            g_autofree char *json = NULL;
            VMC_ASSERT_OK(p, error);
            json = vmc_os_policy_to_json(p);
            g_assert_nonnull(strstr(json, "\"format\": 1"));
            continue;
        }
        g_assert_null(p);
        g_assert_nonnull(error);
        if (!strstr(error->message, cases[i].in_error)) {
            g_test_message("%s: '%s' lacks '%s'", cases[i].spec, error->message, cases[i].in_error);
            g_test_fail();
        }
    }
}

/* A site policy pins RHEL 6 to Supported and widens the age windows. */
static void
test_policy_file_pins(void)
{
    g_autofree char *path = vmc_test_source_path("tests", "data", "guestos", "policies", "site.json", NULL);
    g_autofree char *good = fixture("good");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcOsPolicy) p = vmc_os_policy_parse(path, &error);
    g_autoptr(VmcOsDb) db = vmc_os_db_open(good, &error);
    g_autofree char *reason = NULL, *r2 = NULL;
    GDate date;

    VMC_ASSERT_OK(p, error);
    VMC_ASSERT_OK(db, error);
    g_assert_cmpstr(vmc_os_policy_get_name(p), ==, "example-site");
    g_assert_true(vmc_date_parse("2040-01-01", &date, NULL));
    g_assert_cmpint(vmc_os_policy_tier(p, vmc_os_db_lookup(db, "rhel6.10", NULL), &date, &reason), ==,
                    VMC_OS_TIER_SUPPORTED);
    g_assert_nonnull(strstr(reason, "pinned by policy example-site (rhel6*)"));
    g_assert_true(vmc_date_parse("2030-01-01", &date, NULL));
    /* age basis, 8 years Recommended: rhel9.0 (2022-05-17) still Recommended */
    g_assert_cmpint(vmc_os_policy_tier(p, vmc_os_db_lookup(db, "rhel9.0", NULL), &date, &r2), ==,
                    VMC_OS_TIER_RECOMMENDED);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guestos/installed/rhel6.10", test_installed_rhel610);
    g_test_add_func("/guestos/installed/tiers", test_installed_tiers);
    g_test_add_func("/guestos/installed/table-reproducible", test_installed_table_reproducible);
    g_test_add_func("/guestos/installed/checks", test_installed_checks);
    g_test_add_func("/guestos/live/placement", test_live_placement);
    g_test_add_func("/guestos/fixture/tiers", test_fixture_db);
    g_test_add_func("/guestos/fixture/no-devices", test_fixture_no_devices);
    g_test_add_func("/guestos/fixture/broken", test_broken_db);
    g_test_add_func("/guestos/policy/specs", test_policy_specs);
    g_test_add_func("/guestos/policy/file-pins", test_policy_file_pins);
    return g_test_run();
}
