/* test-lint.c: seed 003's catalog rules on the shipped catalog and on
 * synthetic catalogs derived from it (overlay directories written here):
 *  - the shipped catalog passes against itself;
 *  - the catalog as it was at QEMU 8.1 (newer machine versions cut off)
 *    against the shipped one: the real USO case (pc-*-8.2 turned on
 *    virtio-net host_uso, guest_uso4/6, which need tap USO from Linux 6.2);
 *  - a CPU model version whose features changed;
 *  - a KVM paravirt bit on by default without a platform;
 *  - a host-dependent compat property missing from the tunables table
 *    (a platform naming a tunable the table lacks is a load error).
 */
#include <glib/gstdio.h>
#include <json-c/json.h>
#include <string.h>

#include "harness.h"

static json_object *
read_json(const char *rel)
{
    g_autofree char *path = vmc_test_source_path("data", rel, NULL);
    g_autofree char *text = vmc_test_read(path, NULL);
    json_object *o = json_tokener_parse(text);
    g_assert_nonnull(o);
    return o;
}

static void
write_json(const char *dir, const char *rel, json_object *o)
{
    g_autofree char *path = g_build_filename(dir, rel, NULL);
    g_autofree char *parent = g_path_get_dirname(path);
    g_assert_cmpint(g_mkdir_with_parents(parent, 0755), ==, 0);
    g_assert_cmpint(json_object_to_file_ext(path, o, JSON_C_TO_STRING_PLAIN), ==, 0);
}

static VmcCatalog *
load_overlay(const char *dir)
{
    g_autoptr(GError) error = NULL;
    const char *dirs[] = { dir, NULL };
    VmcCatalog *cat = vmc_catalog_load(dir ? dirs : NULL, VMC_CATALOG_NO_OVERLAYS, &error);
    if (!cat)
        g_error("loading catalog overlay %s: %s", dir ? dir : "(none)", error->message);
    return cat;
}

/* A whole catalog tree in @dir (the shipped files, except those already
 * written there), loaded without the built-in catalog — an overlay may
 * not redefine models (they are final), a tree may. */
static VmcCatalog *
load_tree(const char *dir)
{
    static const char *const rels[] = {
        "cpu/x86_64/features.json", "cpu/x86_64/models.json", "cpu/s390x/features.json",
        "cpu/s390x/models.json", "machine/x86_64.json", "machine/s390x.json",
        "machine/tunables.json", "releases/qemu.json",
    };
    g_autoptr(GError) error = NULL;
    const char *dirs[] = { dir, NULL };
    VmcCatalog *cat;

    for (guint i = 0; i < G_N_ELEMENTS(rels); i++) {
        g_autofree char *path = g_build_filename(dir, rels[i], NULL);
        json_object *o;
        if (g_file_test(path, G_FILE_TEST_EXISTS))
            continue;
        o = read_json(rels[i]);
        write_json(dir, rels[i], o);
        json_object_put(o);
    }
    {
        g_autofree char *pdir = vmc_test_source_path("data", "platforms", NULL);
        g_autoptr(GDir) d = g_dir_open(pdir, 0, NULL);
        const char *n;
        g_assert_nonnull(d);
        while ((n = g_dir_read_name(d))) {
            g_autofree char *rel = g_strconcat("platforms/", n, NULL);
            json_object *o = read_json(rel);
            write_json(dir, rel, o);
            json_object_put(o);
        }
    }
    cat = vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS | VMC_CATALOG_NO_BUILTIN, &error);
    if (!cat)
        g_error("loading catalog tree %s: %s", dir, error->message);
    return cat;
}

/* Reasons of @kind, as "subject" strings. */
static GPtrArray *
reasons_of(const VmcVerdict *v, const char *kind)
{
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; i < vmc_verdict_count(v); i++) {
        const VmcReason *r = vmc_verdict_get(v, i);
        if (g_str_equal(r->kind, kind))
            g_ptr_array_add(out, (gpointer) r->message);
    }
    return out;
}

static gboolean
any_contains(GPtrArray *msgs, const char *a, const char *b)
{
    for (guint i = 0; i < msgs->len; i++)
        if (strstr(g_ptr_array_index(msgs, i), a) && (!b || strstr(g_ptr_array_index(msgs, i), b)))
            return TRUE;
    return FALSE;
}

static void
test_shipped_passes(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(VmcVerdict) v = vmc_catalog_lint(cat, cat);

    for (guint i = 0; i < vmc_verdict_count(v); i++)
        g_test_message("%s", vmc_verdict_get(v, i)->message);
    g_assert_true(vmc_verdict_ok(v));
    g_assert_cmpuint(vmc_verdict_count(v), ==, 0);
}

/* The catalog as QEMU 8.1 had it: every family cut at 8.1. */
static void
test_history_uso(void)
{
    g_autofree char *dir = g_dir_make_tmp("vmc-lint-XXXXXX", NULL);
    g_autoptr(VmcCatalog) old_cat = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(GPtrArray) host_req = NULL;
    const char *arches[] = { "x86_64", "s390x" };

    for (guint a = 0; a < G_N_ELEMENTS(arches); a++) {
        g_autofree char *rel = g_strdup_printf("machine/%s.json", arches[a]);
        json_object *doc = read_json(rel), *fams;
        g_assert_true(json_object_object_get_ex(doc, "families", &fams));
        for (size_t f = 0; f < json_object_array_length(fams); f++) {
            json_object *fam = json_object_array_get_idx(fams, f), *vers, *kept = json_object_new_array();
            g_assert_true(json_object_object_get_ex(fam, "versions", &vers));
            for (size_t i = 0; i < json_object_array_length(vers); i++) {
                json_object *ver = json_object_array_get_idx(vers, i), *vs;
                VmcRelease r, cut = { 8, 1 };
                g_assert_true(json_object_object_get_ex(ver, "version", &vs));
                g_assert_true(vmc_release_parse(json_object_get_string(vs), &r, NULL));
                if (vmc_release_compare(&r, &cut) > 0)
                    continue;
                if (json_object_array_length(kept) == 0) {   /* the new newest */
                    json_object_object_add(ver, "inherits_from", NULL);
                    json_object_object_add(ver, "arrays", json_object_new_array());
                }
                json_object_array_add(kept, json_object_get(ver));
            }
            json_object_object_add(fam, "versions", kept);
        }
        write_json(dir, rel, doc);
        json_object_put(doc);
    }
    old_cat = load_overlay(dir);
    g_assert_cmpstr(vmc_machine_type_get_name(vmc_catalog_machine_lookup(old_cat, VMC_ARCH_X86_64,
                                                                          "q35", NULL)),
                    ==, "pc-q35-8.1");
    v = vmc_catalog_lint(old_cat, vmc_test_catalog());
    g_assert_false(vmc_verdict_ok(v));
    host_req = reasons_of(v, "machine-type-host-requirement");
    for (guint i = 0; i < host_req->len; i++)
        g_test_message("%s", (char *) g_ptr_array_index(host_req, i));
    /* QEMU 8.2 turned on USO (needs tap USO, Linux 6.2) */
    g_assert_true(any_contains(host_req, "new machine type pc-q35-8.2", "virtio-net-device.host_uso"));
    g_assert_true(any_contains(host_req, "new machine type pc-i440fx-8.2", "virtio-net-device.guest_uso4"));
    g_assert_true(any_contains(host_req, "hw_compat_8_1 pins the old value off", NULL));
    /* and 10.2 the UDP tunnel offloads (Linux 6.17) */
    g_assert_true(any_contains(host_req, "new machine type pc-q35-10.2", "host_tunnel"));
    /* only host-dependent entries are reported: guest-ABI-only changes are fine */
    g_assert_false(any_contains(host_req, "x-pcie-ext-tag", NULL));
    g_test_message("QEMU 8.2 .. 11.0 added %u host-side requirements by machine type", host_req->len);
}

static void
test_model_changed(void)
{
    g_autofree char *dir = g_dir_make_tmp("vmc-lint-XXXXXX", NULL);
    json_object *doc = read_json("cpu/x86_64/models.json"), *models;
    g_autoptr(VmcCatalog) new_cat = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(GPtrArray) changed = NULL;
    gboolean done = FALSE;

    g_assert_true(json_object_object_get_ex(doc, "models", &models));
    for (size_t i = 0; i < json_object_array_length(models) && !done; i++) {
        json_object *m = json_object_array_get_idx(models, i), *name, *feats;
        g_assert_true(json_object_object_get_ex(m, "name", &name));
        if (!g_str_equal(json_object_get_string(name), "Skylake-Client-v4"))
            continue;
        g_assert_true(json_object_object_get_ex(m, "features", &feats));
        json_object_array_add(feats, json_object_new_string("avx512f"));
        done = TRUE;
    }
    g_assert_true(done);
    write_json(dir, "cpu/x86_64/models.json", doc);
    json_object_put(doc);
    new_cat = load_tree(dir);
    v = vmc_catalog_lint(vmc_test_catalog(), new_cat);
    changed = reasons_of(v, "cpu-model-changed");
    g_assert_cmpuint(changed->len, ==, 1);
    g_assert_true(any_contains(changed, "CPU model Skylake-Client-v4 changed: adds avx512f", NULL));
    g_assert_false(vmc_verdict_ok(v));
}

static void
test_kvm_pv_default(void)
{
    g_autofree char *dir = g_dir_make_tmp("vmc-lint-XXXXXX", NULL);
    json_object *doc = read_json("cpu/x86_64/models.json"), *defaults, *kvm;
    g_autoptr(VmcCatalog) new_cat = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(GPtrArray) pv = NULL;

    g_assert_true(json_object_object_get_ex(doc, "defaults", &defaults));
    g_assert_true(json_object_object_get_ex(defaults, "kvm", &kvm));
    /* KVM_FEATURE_PV_SEND_IPI on by default, as kvmclock was once */
    json_object_object_add(kvm, "kvm-pv-ipi", json_object_new_boolean(TRUE));
    write_json(dir, "cpu/x86_64/models.json", doc);
    json_object_put(doc);
    new_cat = load_tree(dir);
    v = vmc_catalog_lint(vmc_test_catalog(), new_cat);
    pv = reasons_of(v, "kvm-pv-default-without-platform");
    g_assert_cmpuint(pv->len, ==, 1);
    g_assert_true(any_contains(pv, "kvm-pv-ipi", "KVM accelerator default"));
    /* the shipped paravirt defaults (kvmclock, kvm-pv-eoi, ...) are platform tunables */
    g_assert_false(any_contains(pv, "kvm-pv-eoi", NULL));
}

static void
test_unclassified(void)
{
    g_autofree char *dir = g_dir_make_tmp("vmc-lint-XXXXXX", NULL);
    json_object *doc = read_json("machine/tunables.json"), *list, *kept = json_object_new_array();
    g_autoptr(VmcCatalog) new_cat = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(GPtrArray) unc = NULL;

    /* an overlay's tunables add to the built-in ones: drop one in a tree */
    g_assert_true(json_object_object_get_ex(doc, "tunables", &list));
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *t = json_object_array_get_idx(list, i), *prop;
        g_assert_true(json_object_object_get_ex(t, "property", &prop));
        if (!g_str_equal(json_object_get_string(prop), "migrate-pr"))
            json_object_array_add(kept, json_object_get(t));
    }
    json_object_object_add(doc, "tunables", kept);
    write_json(dir, "machine/tunables.json", doc);
    json_object_put(doc);
    new_cat = load_tree(dir);
    v = vmc_catalog_lint(new_cat, new_cat);
    unc = reasons_of(v, "host-dependent-unclassified");
    g_assert_cmpuint(unc->len, ==, 1);
    g_assert_true(any_contains(unc, "scsi-block.migrate-pr is host-dependent (hw_compat_10_2)", NULL));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lint/shipped-passes", test_shipped_passes);
    g_test_add_func("/lint/history-uso", test_history_uso);
    g_test_add_func("/lint/model-changed", test_model_changed);
    g_test_add_func("/lint/kvm-pv-default", test_kvm_pv_default);
    g_test_add_func("/lint/unclassified", test_unclassified);
    return g_test_run();
}
