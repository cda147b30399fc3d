/* test-x86-deps.c: x86 feature dependencies (the catalog's "depends": vmx →
 * vmx-*, svm → SVM leaf) and what they change.
 *
 * 1. Catalog: the built-in x86 catalog has exactly two dependency groups,
 *    vmx (every VMX capability MSR feature, 0x480-0x491) and svm (every
 *    CPUID 0x8000000A feature); a libvirt cpu_map catalog has none; bad
 *    "depends" in an overlay are located catalog errors.
 * 2. vmc__cpu_required_features against a naive model on random sets.
 * 3. Decoding with the built-in catalog: the Core i7-8700 CPUID dump (vmx,
 *    no VMX MSRs) is a Skylake-Client; for every one of libvirt's 61 CPUID
 *    dumps the host decode gives a model whose required features (by the
 *    naive model) are features of the dump, and a guest decode disables no
 *    dependent feature the dump cannot show.
 * 4. vmc_cpu_models_accel: NONE is vmc_cpu_models, the accelerator names,
 *    and a TCG/KVM difference that only the defaults explain.
 */
#include "harness.h"
#include "base/util.h"

#include <string.h>
#include <glib/gstdio.h>

#include "catalog/catalog-private.h"
#include "cpu/arch/arch-ops.h"

#define N_ROUNDS 500

/* ---- helpers ------------------------------------------------------------ */

static const VmcFeature *
feature(VmcCatalog *cat, const char *name)
{
    const VmcFeature *f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, name);
    if (!f)
        g_error("no x86 feature '%s'", name);
    return f;
}

static char *
names(VmcCatalog *cat, const VmcFeatureSet *set)
{
    g_autoptr(GString) s = g_string_new(NULL);
    VMC_FEATURE_SET_FOREACH(set, i)
        g_string_append_printf(s, "%s%s", s->len ? "," : "",
                               vmc_feature_get_name(vmc_catalog_feature(cat, VMC_ARCH_X86_64,
                                                                        (guint) i)));
    return g_strdup(s->len ? s->str : "(none)");
}

/* The naive model of vmc__cpu_required_features, feature by feature: a
 * feature with a dependency is required only if the host has the
 * dependency and at least one feature with the same dependency. */
static void
naive_required(VmcCatalog *cat, const VmcFeatureSet *model, const VmcFeatureSet *host,
               VmcFeatureSet *ret)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, VMC_ARCH_X86_64);

    vmc_feature_set_clear(ret);
    VMC_FEATURE_SET_FOREACH(model, i) {
        const VmcFeature *f = g_ptr_array_index(ac->features, i);
        gboolean shown = FALSE;

        if (f->depends == G_MAXUINT) {
            vmc_feature_set_add(ret, f->id);
            continue;
        }
        for (guint k = 0; k < ac->features->len && !shown; k++) {
            const VmcFeature *o = g_ptr_array_index(ac->features, k);
            shown = o->depends == f->depends && vmc_feature_set_has(host, o->id);
        }
        if (shown && vmc_feature_set_has(host, f->depends))
            vmc_feature_set_add(ret, f->id);
    }
}

/* The x86_64-cpuid-<H>.xml dumps of libvirt's test data, sorted (transfer
 * full; file names). */
static GPtrArray *
list_cpuid_dumps(void)
{
    static const char *const skip[] = {
        "-host.xml", "-guest.xml", "-json.xml", "-enabled.xml", "-disabled.xml",
    };
    g_autofree char *dir = vmc_test_shared_path("data", "libvirt", "data", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        gboolean keep = g_str_has_prefix(n, "x86_64-cpuid-") &&
                        g_str_has_suffix(n, ".xml") && !strstr(n, "baseline");
        for (guint i = 0; keep && i < G_N_ELEMENTS(skip); i++)
            keep = !g_str_has_suffix(n, skip[i]);
        if (keep)
            g_ptr_array_add(out, g_strdup(n));
    }
    g_ptr_array_sort(out, vmc_strptr_cmp);
    return out;
}

static VmcCpuidData *
read_dump(const char *file)
{
    g_autofree char *path = vmc_test_shared_path("data", "libvirt", "data", file, NULL);
    g_autofree char *xml = NULL;
    g_autoptr(GError) error = NULL;
    VmcCpuidData *data;
    gsize len = 0;

    xml = vmc_test_read(path, &len);
    g_assert_nonnull(xml);
    data = vmc_cpuid_data_parse_xml(xml, (gssize) len, path, &error);
    if (!data)
        g_error("%s: %s", path, error->message);
    return data;
}

/* ---- 1. the catalog ------------------------------------------------------ */

static void
test_catalog_groups(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, VMC_ARCH_X86_64);
    guint vmx = vmc_feature_get_id(feature(cat, "vmx"));
    guint svm = vmc_feature_get_id(feature(cat, "svm"));
    VmcFeatureSet want_vmx = { { 0 } }, want_svm = { { 0 } };

    for (guint i = 0; i < ac->features->len; i++) {
        const VmcFeature *f = g_ptr_array_index(ac->features, i);
        gboolean is_vmx = f->loc == VMC_FEATURE_LOC_MSR && f->msr_index >= 0x480 &&
                          f->msr_index <= 0x491;
        gboolean is_svm = f->loc == VMC_FEATURE_LOC_CPUID && f->leaf == 0x8000000a;

        if (is_vmx)
            vmc_feature_set_add(&want_vmx, f->id);
        if (is_svm)
            vmc_feature_set_add(&want_svm, f->id);
        g_assert_cmpuint(f->depends, ==, is_vmx ? vmx : is_svm ? svm : G_MAXUINT);
    }
    g_assert_cmpuint(ac->dep_groups->len, ==, 2);
    for (guint i = 0; i < ac->dep_groups->len; i++) {
        const VmcFeatureDepGroup *g = &g_array_index(ac->dep_groups, VmcFeatureDepGroup, i);
        g_assert_true(g->feature == vmx || g->feature == svm);
        g_assert_true(vmc_feature_set_equal(&g->dependents,
                                            g->feature == vmx ? &want_vmx : &want_svm));
    }
    g_assert_cmpuint(vmc_feature_set_count(&want_vmx), ==, 98);
    g_assert_cmpuint(vmc_feature_set_count(&want_svm), ==, 15);
    /* No model enables vmx, yet most carry vmx-* bits: that is the case
     * the dependency rules are for. */
    for (guint i = 0; i < ac->models->len; i++)
        g_assert_false(vmc_feature_set_has(&((const VmcCpuModel *)
                                             g_ptr_array_index(ac->models, i))->features, vmx));
}

static void
test_catalog_cpu_map(void)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(vmc_test_cpu_map_catalog(), VMC_ARCH_X86_64);

    g_assert_cmpuint(ac->dep_groups->len, ==, 0);
    for (guint i = 0; i < ac->features->len; i++)
        g_assert_cmpuint(((const VmcFeature *) g_ptr_array_index(ac->features, i))->depends,
                         ==, G_MAXUINT);
}

typedef struct {
    const char *features;    /* the overlay's features[] */
    const char *expect;      /* substring of the error */
} BadDepends;

static const BadDepends bad_depends[] = {
    { "[{\"name\": \"x-a\", \"depends\": \"no-such-feature\"}]",
      "field 'features[0].depends': unknown feature 'no-such-feature'" },
    { "[{\"name\": \"x-a\"}, {\"name\": \"x-b\", \"depends\": \"x-b\"}]",
      "field 'features[1].depends': feature 'x-b' depends on itself" },
    { "[{\"name\": \"x-a\", \"depends\": \"npt\"}]",
      "field 'features[0].depends': 'npt' depends on 'svm' itself; a dependency must have none" },
    { "[{\"name\": \"x-a\", \"depends\": 7}]",
      "field 'features[0].depends': expected a feature name or null" },
};

static void
test_catalog_bad_depends(void)
{
    g_autoptr(GError) tmp_error = NULL;
    g_autofree char *dir = g_dir_make_tmp("vmc-test-deps-XXXXXX", &tmp_error);
    g_autofree char *sub = NULL;
    g_autofree char *file = NULL;

    g_assert_no_error(tmp_error);
    sub = g_build_filename(dir, "cpu", "x86_64", NULL);
    file = g_build_filename(sub, "features.json", NULL);
    g_assert_cmpint(g_mkdir_with_parents(sub, 0700), ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS(bad_depends); i++) {
        const char *dirs[] = { dir, NULL };
        g_autofree char *doc =
            g_strdup_printf("{\"format\": 1, \"arch\": \"x86_64\", \"features\": %s}\n",
                            bad_depends[i].features);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcCatalog) cat = NULL;

        g_assert_true(g_file_set_contents(file, doc, -1, NULL));
        cat = vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS, &error);
        g_assert_null(cat);
        g_assert_error(error, VMC_ERROR, VMC_ERROR_CATALOG);
        g_test_message("%s", error->message);
        g_assert_nonnull(strstr(error->message, file));
        g_assert_nonnull(strstr(error->message, bad_depends[i].expect));
    }
    /* A good one: a new feature that depends on vmx joins the vmx group. */
    {
        const char *dirs[] = { dir, NULL };
        static const char doc[] =
            "{\"format\": 1, \"arch\": \"x86_64\", \"features\": ["
            "{\"name\": \"x-vmx-new\", \"msr\": {\"index\": \"0x491\", \"eax\": \"0x00000000\","
            " \"edx\": \"0x80000000\"}, \"depends\": \"vmx\"}]}\n";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcCatalog) cat = NULL;
        const VmcArchCatalog *ac;
        const VmcFeature *f;
        gboolean found = FALSE;

        g_assert_true(g_file_set_contents(file, doc, -1, NULL));
        cat = vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS, &error);
        VMC_ASSERT_OK(cat != NULL, error);
        ac = vmc_catalog_arch(cat, VMC_ARCH_X86_64);
        f = feature(cat, "x-vmx-new");
        g_assert_cmpuint(f->depends, ==, vmc_feature_get_id(feature(cat, "vmx")));
        for (guint i = 0; i < ac->dep_groups->len; i++) {
            const VmcFeatureDepGroup *g = &g_array_index(ac->dep_groups, VmcFeatureDepGroup, i);
            found |= g->feature == f->depends && vmc_feature_set_has(&g->dependents, f->id);
        }
        g_assert_true(found);
        g_assert_cmpuint(ac->dep_groups->len, ==, 2);
    }
    g_unlink(file);
    g_rmdir(sub);
    {
        g_autofree char *cpu = g_build_filename(dir, "cpu", NULL);
        g_rmdir(cpu);
    }
    g_rmdir(dir);
}

/* ---- 2. the helper against the naive model ---------------------------------- */

/* A random subset of the first @n features, each in it with @percent %. */
static void
random_set(GRand *r, guint n, gint percent, VmcFeatureSet *s)
{
    vmc_feature_set_clear(s);
    for (guint i = 0; i < n; i++)
        if (g_rand_int_range(r, 0, 100) < percent)
            vmc_feature_set_add(s, i);
}

static void
test_required_naive(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, VMC_ARCH_X86_64);
    guint n = ac->features->len;
    guint vmx = vmc_feature_get_id(feature(cat, "vmx"));
    guint svm = vmc_feature_get_id(feature(cat, "svm"));
    g_autoptr(GRand) r = g_rand_new_with_seed(20250101);

    for (guint round = 0; round < N_ROUNDS; round++) {
        VmcFeatureSet model, host, got, want;
        static const gint density[] = { 1, 10, 50, 90 };

        random_set(r, n, density[round % 4], &model);
        random_set(r, n, density[(round / 4) % 4], &host);
        /* Also hosts with the dependency but none of its group (a CPUID
         * dump), and with the group but not the dependency. */
        for (guint i = 0; i < ac->dep_groups->len; i++) {
            const VmcFeatureDepGroup *g = &g_array_index(ac->dep_groups, VmcFeatureDepGroup, i);
            switch (g_rand_int_range(r, 0, 3)) {
            case 0:
                vmc_feature_set_andnot(&host, &host, &g->dependents);
                vmc_feature_set_add(&host, g->feature);
                break;
            case 1:
                vmc_feature_set_remove(&host, g->feature);
                break;
            default:
                break;
            }
        }
        if (round % 7 == 0) {
            vmc_feature_set_add(&model, vmx);
            vmc_feature_set_add(&model, svm);
        }
        vmc__cpu_required_features(cat, VMC_ARCH_X86_64, &model, &host, &got);
        naive_required(cat, &model, &host, &want);
        if (!vmc_feature_set_equal(&got, &want)) {
            VmcFeatureSet d1, d2;
            g_autofree char *n1 = NULL, *n2 = NULL;
            vmc_feature_set_andnot(&d1, &got, &want);
            vmc_feature_set_andnot(&d2, &want, &got);
            n1 = names(cat, &d1);
            n2 = names(cat, &d2);
            g_error("round %u: helper only: %s; naive only: %s", round, n1, n2);
        }
        g_assert_true(vmc_feature_set_is_subset(&got, &model));
        /* In place. */
        vmc__cpu_required_features(cat, VMC_ARCH_X86_64, &model, &host, &model);
        g_assert_true(vmc_feature_set_equal(&model, &got));
    }
    /* Without dependency data the model is required as is. */
    {
        VmcCatalog *cm = vmc_test_cpu_map_catalog();
        VmcFeatureSet model, host, got;
        random_set(r, vmc_catalog_feature_count(cm, VMC_ARCH_X86_64), 50, &model);
        vmc_feature_set_clear(&host);
        vmc__cpu_required_features(cm, VMC_ARCH_X86_64, &model, &host, &got);
        g_assert_true(vmc_feature_set_equal(&got, &model));
    }
}

/* ---- 3. decoding with the built-in catalog -------------------------------- */

static void
test_decode_i7_8700(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(VmcCpuidData) data = read_dump("x86_64-cpuid-Core-i7-8700.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) host = NULL;
    g_autoptr(VmcCpuDef) guest = NULL;
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, VMC_ARCH_X86_64);
    const VmcCpuModel *m;
    VmcFeatureSet set, shown;

    vmc_cpuid_data_features(data, cat, &set);
    g_assert_true(vmc_feature_set_has(&set, vmc_feature_get_id(feature(cat, "vmx"))));
    for (guint i = 0; i < ac->dep_groups->len; i++) {
        const VmcFeatureDepGroup *g = &g_array_index(ac->dep_groups, VmcFeatureDepGroup, i);
        vmc_feature_set_and(&shown, &set, &g->dependents);
        g_assert_true(vmc_feature_set_is_empty(&shown));   /* no MSRs in the dump */
    }
    host = vmc_cpu_decode(cat, data, VMC_CPU_TYPE_HOST, NULL, NULL, &error);
    VMC_ASSERT_OK(host != NULL, error);
    m = vmc_catalog_model_lookup(cat, VMC_ARCH_X86_64, vmc_cpu_def_get_model(host));
    g_assert_nonnull(m);
    g_test_message("Core-i7-8700 (built-in catalog): %s", m->name);
    g_assert_cmpstr(m->family_name, ==, "Skylake-Client");
    /* libvirt's cpu_map answer is Skylake-Client-IBRS: the same version. */
    g_assert_cmpstr(m->name, ==, "Skylake-Client-v2");
    g_assert_cmpstr(vmc_cpu_def_get_vendor(host), ==, "Intel");

    /* As a guest: nothing the dump cannot show is disabled. */
    guest = vmc_cpu_decode(cat, data, VMC_CPU_TYPE_GUEST, NULL, NULL, &error);
    VMC_ASSERT_OK(guest != NULL, error);
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(guest); i++) {
        VmcFeaturePolicy policy;
        const VmcFeature *f = vmc_cpu_def_get_feature(guest, i, &policy);
        if (policy == VMC_FEATURE_POLICY_DISABLE && f->depends != G_MAXUINT)
            g_error("guest decode disables %s, which the dump cannot show", f->name);
    }
}

/* Every CPUID dump: the host decode's model requires only what the dump has. */
static void
test_decode_dumps(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GPtrArray) dumps = list_cpuid_dumps();

    g_assert_cmpuint(dumps->len, ==, 61);
    for (guint i = 0; i < dumps->len; i++) {
        const char *file = g_ptr_array_index(dumps, i);
        g_autoptr(VmcCpuidData) data = read_dump(file);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcCpuDef) host = NULL;
        const VmcCpuModel *m;
        VmcFeatureSet set, required, missing, eff;

        vmc_cpuid_data_features(data, cat, &set);
        host = vmc_cpu_decode(cat, data, VMC_CPU_TYPE_HOST, NULL, NULL, &error);
        VMC_ASSERT_OK(host != NULL, error);
        m = vmc_catalog_model_lookup(cat, VMC_ARCH_X86_64, vmc_cpu_def_get_model(host));
        g_assert_nonnull(m);
        naive_required(cat, &m->features, &set, &required);
        vmc_feature_set_andnot(&missing, &required, &set);
        if (!vmc_feature_set_is_empty(&missing)) {
            g_autofree char *n = names(cat, &missing);
            g_error("%s: model %s requires %s, which the dump lacks", file, m->name, n);
        }
        /* The host CPU has every feature of the dump (but hle and rtm,
         * which decoding drops on CPUs with broken TSX). */
        VMC_ASSERT_OK(vmc_cpu_effective_features(host, &eff, &error), error);
        vmc_feature_set_remove(&set, vmc_feature_get_id(feature(cat, "hle")));
        vmc_feature_set_remove(&set, vmc_feature_get_id(feature(cat, "rtm")));
        g_assert_true(vmc_feature_set_is_subset(&set, &eff));
        g_test_message("%s: %s", file, m->name);
    }
}

/* ---- 4. vmc_cpu_models_accel ---------------------------------------------- */


static gboolean
row_lists(const VmcModelAvailability *row, const char *name)
{
    return g_ptr_array_find_with_equal_func(row->unavailable, name, g_str_equal, NULL);
}

static void
test_models_accel(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(VmcCpuidData) data = read_dump("x86_64-cpuid-EPYC-7601-32-Core.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) host = NULL;
    g_autoptr(GArray) none = NULL;
    g_autoptr(GArray) plain = NULL;
    g_autoptr(GArray) kvm = NULL;
    g_autoptr(GArray) tcg = NULL;
    g_autoptr(GHashTable) by_kvm = NULL;
    g_autoptr(GHashTable) by_tcg = NULL;
    g_autoptr(GHashTable) by_none = NULL;
    const VmcModelAvailability *row;

    for (guint a = 0; a < VMC_ACCEL_N; a++)
        g_assert_cmpint(vmc_accel_from_string(vmc_accel_to_string(a)), ==, a);
    g_assert_cmpstr(vmc_accel_to_string(VMC_ACCEL_KVM), ==, "kvm");
    g_assert_cmpint(vmc_accel_from_string("hvf"), ==, VMC_ACCEL_N);
    g_assert_null(vmc_accel_to_string(VMC_ACCEL_N));

    /* An AMD host (svm and the SVM leaf in its data, no VMX)... */
    host = vmc_cpu_decode(cat, data, VMC_CPU_TYPE_HOST, NULL, NULL, &error);
    VMC_ASSERT_OK(host != NULL, error);
    none = vmc_cpu_models_accel(cat, VMC_ARCH_X86_64, host, VMC_ACCEL_NONE, &error);
    VMC_ASSERT_OK(none != NULL, error);
    plain = vmc_cpu_models(cat, VMC_ARCH_X86_64, host, &error);
    VMC_ASSERT_OK(plain != NULL, error);
    g_assert_cmpuint(none->len, ==, plain->len);
    for (guint i = 0; i < none->len; i++) {
        const VmcModelAvailability *x = &g_array_index(none, VmcModelAvailability, i);
        const VmcModelAvailability *y = &g_array_index(plain, VmcModelAvailability, i);
        g_assert_cmpstr(x->name, ==, y->name);
        g_assert_cmpuint(x->unavailable->len, ==, y->unavailable->len);
        for (guint k = 0; k < x->unavailable->len; k++)
            g_assert_cmpstr(g_ptr_array_index(x->unavailable, k), ==,
                            g_ptr_array_index(y->unavailable, k));
    }
    kvm = vmc_cpu_models_accel(cat, VMC_ARCH_X86_64, host, VMC_ACCEL_KVM, &error);
    VMC_ASSERT_OK(kvm != NULL, error);
    tcg = vmc_cpu_models_accel(cat, VMC_ARCH_X86_64, host, VMC_ACCEL_TCG, &error);
    VMC_ASSERT_OK(tcg != NULL, error);
    by_none = vmc_test_rows_by_name(none);
    by_kvm = vmc_test_rows_by_name(kvm);
    by_tcg = vmc_test_rows_by_name(tcg);

    /* ... runs EPYC-v1 (svm, npt, nrip-save) with every accelerator. */
    row = g_hash_table_lookup(by_none, "EPYC-v1");
    g_assert_nonnull(row);
    g_assert_cmpuint(row->unavailable->len, ==, 0);
    row = g_hash_table_lookup(by_kvm, "EPYC-v1");
    g_assert_cmpuint(row->unavailable->len, ==, 0);

    /* A host without svm: KVM turns svm off (no npt either), TCG and no
     * accelerator ask for svm; vme: TCG turns it off. */
    {
        g_autoptr(VmcCpuDef) nosvm = vmc_cpu_def_new(cat, VMC_ARCH_X86_64, VMC_CPU_TYPE_HOST);
        g_autoptr(GArray) k2 = NULL, t2 = NULL, n2 = NULL;
        g_autoptr(GHashTable) bk = NULL, bt = NULL, bn = NULL;
        VmcFeatureSet eff;

        /* The same host without svm and vme, as a model-less feature list
         * (the SVM leaf stays: only its dependency goes). */
        VMC_ASSERT_OK(vmc_cpu_effective_features(host, &eff, &error), error);
        vmc_feature_set_remove(&eff, vmc_feature_get_id(feature(cat, "svm")));
        vmc_feature_set_remove(&eff, vmc_feature_get_id(feature(cat, "vme")));
        VMC_FEATURE_SET_FOREACH(&eff, i)
            vmc_cpu_def_set_feature(nosvm, (guint) i, VMC_FEATURE_POLICY_REQUIRE);
        k2 = vmc_cpu_models_accel(cat, VMC_ARCH_X86_64, nosvm, VMC_ACCEL_KVM, &error);
        VMC_ASSERT_OK(k2 != NULL, error);
        t2 = vmc_cpu_models_accel(cat, VMC_ARCH_X86_64, nosvm, VMC_ACCEL_TCG, &error);
        VMC_ASSERT_OK(t2 != NULL, error);
        n2 = vmc_cpu_models_accel(cat, VMC_ARCH_X86_64, nosvm, VMC_ACCEL_NONE, &error);
        VMC_ASSERT_OK(n2 != NULL, error);
        bk = vmc_test_rows_by_name(k2);
        bt = vmc_test_rows_by_name(t2);
        bn = vmc_test_rows_by_name(n2);
        row = g_hash_table_lookup(bk, "EPYC-v1");
        g_assert_false(row_lists(row, "svm"));
        g_assert_false(row_lists(row, "npt"));
        g_assert_true(row_lists(row, "vme"));
        row = g_hash_table_lookup(bt, "EPYC-v1");
        g_assert_true(row_lists(row, "svm"));
        g_assert_false(row_lists(row, "npt"));   /* its dependency is absent */
        g_assert_false(row_lists(row, "vme"));
        row = g_hash_table_lookup(bn, "EPYC-v1");
        g_assert_true(row_lists(row, "svm"));
        g_assert_true(row_lists(row, "vme"));
    }
    /* Intel models list no vmx-* bit on an AMD host (their vmx is off). */
    row = g_hash_table_lookup(by_tcg, "Skylake-Client-v1");
    g_assert_nonnull(row);
    for (guint k = 0; k < row->unavailable->len; k++)
        g_assert_false(g_str_has_prefix(g_ptr_array_index(row->unavailable, k), "vmx"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!vmc_test_shared_dir()) {
        g_test_skip("VMC_SHARED_DATA is not set or not a directory");
        g_print("1..0 # SKIP VMC_SHARED_DATA is not set\n");
        return 0;
    }
    g_test_add_func("/x86-deps/catalog/groups", test_catalog_groups);
    g_test_add_func("/x86-deps/catalog/cpu-map", test_catalog_cpu_map);
    g_test_add_func("/x86-deps/catalog/bad-depends", test_catalog_bad_depends);
    g_test_add_func("/x86-deps/required/naive", test_required_naive);
    g_test_add_func("/x86-deps/decode/i7-8700", test_decode_i7_8700);
    g_test_add_func("/x86-deps/decode/dumps", test_decode_dumps);
    g_test_add_func("/x86-deps/models/accel", test_models_accel);
    return g_test_run();
}
