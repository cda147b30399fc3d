/* test-catalog.c: the built-in catalog and the libvirt cpu_map loader, on
 * real data. */
#include "harness.h"
#include <glib/gstdio.h>
#include "catalog/catalog-private.h"

static void
test_builtin_loads(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    const VmcCpuModel *m;
    const VmcFeature *f;

    g_assert_cmpuint(vmc_catalog_feature_count(cat, VMC_ARCH_X86_64), >, 300);
    g_assert_cmpuint(vmc_catalog_feature_count(cat, VMC_ARCH_S390X), >, 300);
    m = vmc_catalog_model_lookup(cat, VMC_ARCH_X86_64, "Skylake-Client");
    g_assert_nonnull(m);
    g_assert_cmpstr(vmc_cpu_model_get_name(m), ==, "Skylake-Client-v1");
    m = vmc_catalog_model_lookup(cat, VMC_ARCH_X86_64, "Skylake-Client-noTSX-IBRS");
    g_assert_cmpstr(vmc_cpu_model_get_name(m), ==, "Skylake-Client-v3");
    f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "hle");
    g_assert_false(vmc_feature_set_has(vmc_cpu_model_get_features(m), vmc_feature_get_id(f)));
    /* Aliases: QEMU legacy and libvirt spellings. */
    g_assert_true(vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "sse4_1") ==
                  vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "sse4.1"));
    g_assert_true(vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "lahf_lm") ==
                  vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "lahf-lm"));
    /* s390x: z14 and z14-base; csske deprecated since 9.1. */
    m = vmc_catalog_model_lookup(cat, VMC_ARCH_S390X, "z14-base");
    g_assert_true(vmc_cpu_model_is_static(m));
    f = vmc_catalog_feature_lookup(cat, VMC_ARCH_S390X, "csske");
    g_assert_cmpstr(vmc_feature_get_deprecated(f), ==, "9.1");
}

static void
test_cpu_map_loads(void)
{
    VmcCatalog *cat = vmc_test_cpu_map_catalog();
    const VmcFeature *f;
    const VmcCpuModel *m;

    g_assert_cmpuint(vmc_catalog_feature_count(cat, VMC_ARCH_X86_64), ==, 341);
    g_assert_cmpuint(vmc_catalog_model_count(cat, VMC_ARCH_X86_64), ==, 61);
    f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "pclmulqdq");
    g_assert_nonnull(f);
    g_assert_cmpstr(vmc_feature_get_name(f), ==, "pclmuldq");
    g_assert_false(vmc_feature_is_migratable(vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "invtsc")));
    m = vmc_catalog_model_lookup(cat, VMC_ARCH_X86_64, "Skylake-Client");
    f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "mpx");
    g_assert_true(vmc_feature_set_has(&m->removed, vmc_feature_get_id(f)));
    g_assert_false(vmc_feature_set_has(&m->features, vmc_feature_get_id(f)));
}

static void
test_cpu_map_errors(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCatalog) cat = vmc_catalog_load(NULL, VMC_CATALOG_NO_OVERLAYS, &error);
    g_autofree char *tmp = g_dir_make_tmp("vmc-cpumap-XXXXXX", NULL);
    g_autofree char *idx = g_build_filename(tmp, "index.xml", NULL);

    g_assert_nonnull(cat);
    g_assert_false(vmc_catalog_load_cpu_map(cat, tmp, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_IO);
    g_clear_error(&error);
    g_file_set_contents(idx, "<cpus><arch name='x86'><include filename='x.xml'/>", -1, NULL);
    g_assert_false(vmc_catalog_load_cpu_map(cat, tmp, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
    g_assert_nonnull(strstr(error->message, "index.xml:1"));
    /* The catalog is unchanged after a failed load. */
    g_assert_cmpstr(vmc_catalog_source(cat, VMC_ARCH_X86_64), ==, "builtin");
    g_unlink(idx);
    g_rmdir(tmp);
}

static void
test_overlay(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *tmp = g_dir_make_tmp("vmc-overlay-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(tmp, "cpu", "x86_64", NULL);
    g_autofree char *models = g_build_filename(dir, "models.json", NULL);
    const char *dirs[] = { tmp, NULL };
    g_autoptr(VmcCatalog) cat = NULL;

    g_mkdir_with_parents(dir, 0755);
    g_file_set_contents(models,
        "{\"format\":1,\"arch\":\"x86_64\",\"models\":[{\"name\":\"Corp-Base-v1\","
        "\"vendor\":\"Intel\",\"features\":[\"fpu\",\"sse4_2\"]}],"
        "\"aliases\":[{\"name\":\"Corp-Base\",\"alias_of\":\"Corp-Base-v1\"}]}", -1, NULL);
    cat = vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS, &error);
    g_assert_no_error(error);
    g_assert_nonnull(vmc_catalog_model_lookup(cat, VMC_ARCH_X86_64, "Corp-Base"));
    g_clear_pointer(&cat, vmc_catalog_unref);

    /* Redefining a final model is refused, naming the file and field. */
    g_file_set_contents(models,
        "{\"models\":[{\"name\":\"Skylake-Client-v4\",\"features\":[\"fpu\"]}]}", -1, NULL);
    cat = vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS, &error);
    g_assert_null(cat);
    g_assert_error(error, VMC_ERROR, VMC_ERROR_CATALOG);
    g_assert_nonnull(strstr(error->message, "models[0].name"));
    g_clear_error(&error);

    g_file_set_contents(models, "{\"models\":[{\"name\":\"X-v1\",\"features\":[\"nosuch\"]}]}", -1, NULL);
    cat = vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS, &error);
    g_assert_null(cat);
    g_assert_nonnull(strstr(error->message, "unknown feature 'nosuch'"));
    g_clear_error(&error);

    g_file_set_contents(models, "{\"models\": [", -1, NULL);
    cat = vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS, &error);
    g_assert_null(cat);
    g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
    g_unlink(models);
    g_rmdir(dir);
    {
        g_autofree char *cpu = g_build_filename(tmp, "cpu", NULL);
        g_rmdir(cpu);
    }
    g_rmdir(tmp);
}

/* The digest names the content: equal for two loads of the same data,
 * different with an overlay or a libvirt cpu_map, unchanged by a failed
 * cpu_map load. */
static void
test_digest(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCatalog) a = vmc_catalog_load(NULL, VMC_CATALOG_NO_OVERLAYS, &error);
    g_autoptr(VmcCatalog) b = vmc_catalog_load(NULL, VMC_CATALOG_NO_OVERLAYS, &error);
    g_autoptr(VmcCatalog) c = NULL;
    g_autofree char *tmp = g_dir_make_tmp("vmc-digest-XXXXXX", NULL);
    g_autofree char *dir = g_build_filename(tmp, "cpu", "x86_64", NULL);
    g_autofree char *models = g_build_filename(dir, "models.json", NULL);
    g_autofree char *empty = g_dir_make_tmp("vmc-digest-XXXXXX", NULL);
    g_autofree char *da = NULL;
    const char *dirs[] = { tmp, NULL };

    g_assert_no_error(error);
    da = g_strdup(vmc_catalog_get_digest(a));
    g_assert_true(g_str_has_prefix(da, "sha256:"));
    g_assert_cmpuint(strlen(da), ==, strlen("sha256:") + 64);
    g_assert_cmpstr(vmc_catalog_get_digest(a), ==, vmc_catalog_get_digest(b));
    /* an overlay model changes it */
    g_mkdir_with_parents(dir, 0755);
    g_file_set_contents(models,
        "{\"format\":1,\"arch\":\"x86_64\",\"models\":[{\"name\":\"Corp-Base-v1\","
        "\"vendor\":\"Intel\",\"features\":[\"fpu\",\"sse4_2\"]}]}", -1, NULL);
    c = vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(vmc_catalog_get_digest(c), !=, da);
    /* a failed cpu_map load leaves it; a libvirt cpu_map changes it */
    g_assert_false(vmc_catalog_load_cpu_map(b, empty, &error));
    g_clear_error(&error);
    g_assert_cmpstr(vmc_catalog_get_digest(b), ==, da);
    g_assert_cmpstr(vmc_catalog_get_digest(vmc_test_cpu_map_catalog()), !=, da);
    g_unlink(models);
    g_rmdir(dir);
    {
        g_autofree char *cpu = g_build_filename(tmp, "cpu", NULL);
        g_rmdir(cpu);
    }
    g_rmdir(tmp);
    g_rmdir(empty);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/catalog/builtin", test_builtin_loads);
    g_test_add_func("/catalog/cpu-map", test_cpu_map_loads);
    g_test_add_func("/catalog/cpu-map-errors", test_cpu_map_errors);
    g_test_add_func("/catalog/overlay", test_overlay);
    g_test_add_func("/catalog/digest", test_digest);
    return g_test_run();
}
