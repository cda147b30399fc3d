/* test-migrate.c: migration scenarios (seed 001) from real CPU data.
 *
 * One directory per case in tests/data/migrate/<case>/:
 *   guest.*   the guest (QEMU command line, libvirt XML, guest JSON),
 *             resolved on the source host
 *   hosts     "FROM TO" — host documents under tests/data/hosts/
 *   modes     the check modes to run, e.g. "none partial full" or "default";
 *             "both-ways" also checks TO -> FROM
 *   expected  the verdicts, golden (VMC_TEST_REGENERATE_OUTPUT=1 rewrites)
 *   must      what the case is about, asserted whatever the golden says:
 *               MODE there|back ok|no
 *               MODE there|back error|warning|note KIND SUBJECT
 *               MODE there|back absent KIND SUBJECT   (no such reason)
 */
#include <json-c/json.h>
#include <string.h>

#include "harness.h"
#include "base/util.h"

typedef struct {
    VmcCpuCheck mode;
    VmcVerdict *there, *back;
} ModeRun;

static const VmcReason *
find_reason(const VmcVerdict *v, const char *kind, const char *subject)
{
    for (guint i = 0; i < vmc_verdict_count(v); i++) {
        const VmcReason *r = vmc_verdict_get(v, i);
        if (g_str_equal(r->kind, kind) && g_strcmp0(r->subject, subject) == 0)
            return r;
    }
    return NULL;
}

static json_object *
verdict_json(const VmcVerdict *v)
{
    g_autofree char *s = vmc_verdict_to_json(v);
    return json_tokener_parse(s);
}

static void
check_must(const char *dir, GPtrArray *runs)
{
    g_autofree char *path = g_build_filename(dir, "must", NULL);
    g_autofree char *text = vmc_test_read(path, NULL);
    g_auto(GStrv) lines = NULL;
    guint checked = 0;

    if (!text)
        return;   /* vmc_test_read failed the test */
    lines = g_strsplit(text, "\n", -1);
    for (guint l = 0; lines[l]; l++) {
        g_auto(GStrv) w = g_strsplit(g_strstrip(lines[l]), " ", 5);
        const VmcVerdict *v = NULL;
        guint n = g_strv_length(w);
        if (n == 0 || !*w[0] || w[0][0] == '#')
            continue;
        g_assert_cmpuint(n, >=, 3);
        for (guint i = 0; i < runs->len; i++) {
            ModeRun *r = g_ptr_array_index(runs, i);
            if (g_str_equal(vmc_cpu_check_to_string(r->mode), w[0]))
                v = g_str_equal(w[1], "back") ? r->back : r->there;
        }
        if (!v) {
            g_test_message("%s: line %u: no run for mode %s / direction %s", path, l + 1, w[0], w[1]);
            g_test_fail();
            continue;
        }
        checked++;
        if (g_str_equal(w[2], "ok") || g_str_equal(w[2], "no")) {
            if (vmc_verdict_ok(v) != g_str_equal(w[2], "ok")) {
                g_test_message("%s: line %u: expected %s", path, l + 1, w[2]);
                g_test_fail();
            }
            continue;
        }
        g_assert_cmpuint(n, ==, 5);
        {
            const VmcReason *r = find_reason(v, w[3], w[4]);
            if (g_str_equal(w[2], "absent")) {
                if (r) {
                    g_test_message("%s: line %u: unexpected %s [%s] %s", path, l + 1,
                                   vmc_severity_to_string(r->severity), r->kind, r->message);
                    g_test_fail();
                }
            } else if (!r || !g_str_equal(vmc_severity_to_string(r->severity), w[2])) {
                g_test_message("%s: line %u: no %s [%s] on '%s'%s%s", path, l + 1, w[2], w[3], w[4],
                               r ? "; it is a " : "", r ? vmc_severity_to_string(r->severity) : "");
                g_test_fail();
            }
        }
    }
    g_assert_cmpuint(checked, >, 0);
}

static void
mode_run_free(gpointer p)
{
    ModeRun *r = p;
    g_clear_pointer(&r->there, vmc_verdict_unref);
    g_clear_pointer(&r->back, vmc_verdict_unref);
    g_free(r);
}

static void
run_case(gconstpointer data)
{
    const char *dir = data;
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autofree char *guest_file = NULL;
    g_autofree char *hosts_text = NULL, *modes_text = NULL;
    g_auto(GStrv) hosts = NULL, modes = NULL;
    g_autoptr(VmcHost) src = NULL, dst = NULL;
    g_autoptr(VmcGuest) guest = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func(mode_run_free);
    json_object *out = json_object_new_object();
    gboolean both;
    const char *n;

    while ((n = g_dir_read_name(d)))
        if (g_str_has_prefix(n, "guest."))
            guest_file = g_build_filename(dir, n, NULL);
    g_assert_nonnull(guest_file);
    {
        g_autofree char *p = g_build_filename(dir, "hosts", NULL);
        hosts_text = vmc_test_read(p, NULL);
        hosts = g_strsplit_set(g_strstrip(hosts_text), " \t\n", -1);
        g_assert_cmpuint(g_strv_length(hosts), ==, 2);
    }
    {
        g_autofree char *p = g_build_filename(dir, "modes", NULL);
        modes_text = vmc_test_read(p, NULL);
        modes = g_strsplit_set(g_strstrip(modes_text), " \t\n", -1);
    }
    both = g_strv_contains((const char *const *) modes, "both-ways");
    {
        g_autofree char *a = vmc_test_source_path("tests", "data", "hosts", hosts[0], NULL);
        g_autofree char *b = vmc_test_source_path("tests", "data", "hosts", hosts[1], NULL);
        VMC_ASSERT_OK((src = vmc_host_load(cat, a, &error)), error);
        VMC_ASSERT_OK((dst = vmc_host_load(cat, b, &error)), error);
    }
    VMC_ASSERT_OK((guest = vmc_guest_load(cat, guest_file, &error)), error);
    VMC_ASSERT_OK((abi = vmc_guest_resolve(cat, guest, src, NULL, &error)), error);
    json_object_object_add(out, "machine", json_object_new_string(vmc_abi_get_machine(abi)));
    json_object_object_add(out, "cpu", json_object_new_string(
        vmc_cpu_def_get_model(vmc_abi_get_cpu_updated(abi))));
    for (guint i = 0; modes[i]; i++) {
        ModeRun *r;
        json_object *o;
        if (g_str_equal(modes[i], "both-ways") || !*modes[i])
            continue;
        r = g_new0(ModeRun, 1);
        r->mode = vmc_cpu_check_from_string(modes[i]);
        g_assert_cmpint(r->mode, <, VMC_CPU_CHECK_N);
        if (r->mode == VMC_CPU_CHECK_DEFAULT)
            r->mode = vmc_abi_get_check(abi);
        r->there = vmc_migrate_check(abi, src, dst, r->mode);
        o = json_object_new_object();
        json_object_object_add(o, "there", verdict_json(r->there));
        if (both) {
            r->back = vmc_migrate_check(abi, dst, src, r->mode);
            json_object_object_add(o, "back", verdict_json(r->back));
        }
        json_object_object_add(out, g_str_equal(modes[i], "default") ? "default" : modes[i], o);
        if (g_str_equal(modes[i], "default"))
            json_object_object_add(o, "mode", json_object_new_string(vmc_cpu_check_to_string(r->mode)));
        g_ptr_array_add(runs, r);
    }
    {
        g_autofree char *exp = g_build_filename(dir, "expected", NULL);
        g_autofree char *text = g_strconcat(json_object_to_json_string_ext(out,
                                            JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                            JSON_C_TO_STRING_NOSLASHESCAPE), "\n", NULL);
        g_assert_true(vmc_test_golden(exp, text));
    }
    json_object_put(out);
    check_must(dir, runs);
}

/* The seed-001 false failure: features the accelerator provides (x2apic,
 * hypervisor under KVM) are never asked of the destination's CPU, even
 * when its hardware lacks them (AMD Bulldozer: no x2APIC). */
static void
test_accel_features_not_asked(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GError) error = NULL;
    g_autofree char *sp = vmc_test_source_path("tests", "data", "hosts", "scenario", "opteron-jammy.json", NULL);
    g_autoptr(VmcHost) src = NULL;
    g_autoptr(VmcGuest) g = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    const char *argv[] = { "-machine", "pc-q35-6.2", "-enable-kvm", "-cpu", "Opteron_G4", NULL };
    VmcFeatureSet hw;

    VMC_ASSERT_OK((src = vmc_host_load(cat, sp, &error)), error);
    VMC_ASSERT_OK(vmc_cpu_effective_features(vmc_host_get_cpu(src), &hw, &error), error);
    g_assert_false(vmc_feature_set_has(&hw, vmc_feature_get_id(
        vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "x2apic"))));
    VMC_ASSERT_OK((g = vmc_guest_parse_argv(cat, argv, "argv", &error)), error);
    VMC_ASSERT_OK((abi = vmc_guest_resolve(cat, g, src, NULL, &error)), error);
    g_assert_cmpint(vmc_cpu_def_get_policy(vmc_abi_get_cpu_updated(abi), vmc_feature_get_id(
        vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "x2apic"))), ==, VMC_FEATURE_POLICY_REQUIRE);
    v = vmc_migrate_check(abi, src, src, VMC_CPU_CHECK_FULL);
    g_assert_true(vmc_verdict_ok(v));
}

/* A real libvirt 9.0 + QEMU 7.2 save image (tests/data/save-images) checked
 * against two hosts: QEMU 8.2 restores it; QEMU 6.2 lacks its machine type. */
static void
test_restore_real_image(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GError) error = NULL;
    g_autofree char *ip = vmc_test_source_path("tests", "data", "save-images",
                                               "real-9.0-westmere-running", "image.save", NULL);
    g_autofree char *h1 = vmc_test_source_path("tests", "data", "hosts", "x86_64-kernel-6.8.json", NULL);
    g_autofree char *h2 = vmc_test_source_path("tests", "data", "hosts", "x86_64-kernel-5.15.json", NULL);
    g_autoptr(VmcSaveImage) img = NULL;
    g_autoptr(VmcHost) noble = NULL, jammy = NULL;
    g_autoptr(VmcVerdict) ok = NULL, bad = NULL, full = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    const VmcReason *r;

    VMC_ASSERT_OK((img = vmc_save_image_load(cat, ip, &error)), error);
    VMC_ASSERT_OK((noble = vmc_host_load(cat, h1, &error)), error);
    VMC_ASSERT_OK((jammy = vmc_host_load(cat, h2, &error)), error);
    g_assert_nonnull(vmc_save_image_get_cookie_cpu(img));
    ok = vmc_restore_check(cat, img, noble, VMC_CPU_CHECK_DEFAULT, &abi);
    g_assert_true(vmc_verdict_ok(ok));
    g_assert_nonnull(abi);
    g_assert_cmpstr(vmc_abi_get_machine(abi), ==, "pc-q35-7.2");
    full = vmc_restore_check(cat, img, noble, VMC_CPU_CHECK_FULL, NULL);
    g_assert_true(vmc_verdict_ok(full));
    bad = vmc_restore_check(cat, img, jammy, VMC_CPU_CHECK_DEFAULT, NULL);
    g_assert_false(vmc_verdict_ok(bad));
    r = vmc_verdict_first_error(bad);
    g_assert_cmpstr(r->kind, ==, "restore-unresolvable");
    g_assert_nonnull(strstr(r->message, "pc-q35-7.2"));
}

int
main(int argc, char **argv)
{
    g_autofree char *root = NULL;
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *n;

    g_test_init(&argc, &argv, NULL);
    root = vmc_test_source_path("tests", "data", "migrate", NULL);
    d = g_dir_open(root, 0, NULL);
    while (d && (n = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(n));
    g_ptr_array_sort(names, vmc_strptr_cmp);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_strdup_printf("/migrate/scenario/%s", (char *) names->pdata[i]);
        g_test_add_data_func_full(path, g_build_filename(root, names->pdata[i], NULL), run_case, g_free);
    }
    g_test_add_func("/migrate/accel-features-not-asked", test_accel_features_not_asked);
    g_test_add_func("/migrate/restore/real-image-two-hosts", test_restore_real_image);
    return g_test_run();
}
