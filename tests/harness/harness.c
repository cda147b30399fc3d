/* harness.c: shared helpers for vmcompat's GTest suites. */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>

static VmcCatalog *test_catalog;
static VmcCatalog *test_cpu_map_catalog;

const char *
vmc_test_shared_dir(void)
{
    const char *d = g_getenv("VMC_SHARED_DATA");
    if (!d || !g_file_test(d, G_FILE_TEST_IS_DIR))
        return NULL;
    return d;
}

static char *
vmc_test_build_path(const char *root, const char *first, va_list ap)
{
    g_autoptr(GPtrArray) parts = g_ptr_array_new();
    g_ptr_array_add(parts, (gpointer) root);
    for (const char *p = first; p; p = va_arg(ap, const char *))
        g_ptr_array_add(parts, (gpointer) p);
    g_ptr_array_add(parts, NULL);
    return g_build_filenamev((char **) parts->pdata);
}

char *
vmc_test_shared_path(const char *first, ...)
{
    va_list ap;
    char *r;
    const char *root = vmc_test_shared_dir();
    if (!root)
        root = "../shared";
    va_start(ap, first);
    r = vmc_test_build_path(root, first, ap);
    va_end(ap);
    return r;
}

char *
vmc_test_source_path(const char *first, ...)
{
    va_list ap;
    char *r;
    const char *root = g_getenv("VMC_SOURCE_ROOT");
    va_start(ap, first);
    r = vmc_test_build_path(root ? root : ".", first, ap);
    va_end(ap);
    return r;
}

char *
vmc_test_read(const char *path, gsize *len)
{
    g_autoptr(GError) error = NULL;
    char *data = NULL;
    if (!g_file_get_contents(path, &data, len, &error)) {
        g_test_message("cannot read %s: %s", path, error->message);
        g_test_fail();
        return NULL;
    }
    return data;
}

VmcCatalog *
vmc_test_catalog(void)
{
    if (!test_catalog) {
        g_autoptr(GError) error = NULL;
        test_catalog = vmc_catalog_load(NULL, VMC_CATALOG_NO_OVERLAYS, &error);
        if (!test_catalog)
            g_error("cannot load the built-in catalog: %s", error->message);
    }
    return test_catalog;
}

VmcCatalog *
vmc_test_cpu_map_catalog(void)
{
    if (!test_cpu_map_catalog) {
        g_autoptr(GError) error = NULL;
        g_autofree char *dir = vmc_test_shared_path("data", "libvirt", "cpu_map", NULL);
        VmcCatalog *cat = vmc_catalog_load(NULL, VMC_CATALOG_NO_OVERLAYS, &error);
        if (!cat || !vmc_catalog_load_cpu_map(cat, dir, &error))
            g_error("cannot load cpu_map %s: %s", dir, error->message);
        test_cpu_map_catalog = cat;
    }
    return test_cpu_map_catalog;
}

gboolean
vmc_test_golden(const char *expected_path, const char *actual)
{
    g_autofree char *expected = NULL;
    const char *regen = g_getenv("VMC_TEST_REGENERATE_OUTPUT");

    if (regen && g_str_equal(regen, "1")) {
        g_autoptr(GError) error = NULL;
        g_autofree char *dir = g_path_get_dirname(expected_path);
        g_mkdir_with_parents(dir, 0755);
        if (!g_file_set_contents(expected_path, actual, -1, &error)) {
            g_test_message("cannot write %s: %s", expected_path, error->message);
            return FALSE;
        }
        return TRUE;
    }
    if (!g_file_get_contents(expected_path, &expected, NULL, NULL)) {
        g_test_message("missing expected file %s (run with VMC_TEST_REGENERATE_OUTPUT=1)",
                       expected_path);
        return FALSE;
    }
    if (g_str_equal(expected, actual))
        return TRUE;
    if (g_getenv("VMC_TEST_DEBUG")) {
        g_auto(GStrv) e = g_strsplit(expected, "\n", -1);
        g_auto(GStrv) a = g_strsplit(actual, "\n", -1);
        guint ne = g_strv_length(e), na = g_strv_length(a);
        for (guint i = 0, shown = 0; (i < ne || i < na) && shown < 20; i++) {
            const char *x = i < ne ? e[i] : "";
            const char *y = i < na ? a[i] : "";
            if (!g_str_equal(x, y)) {
                g_printerr("%s:%u:\n- %s\n+ %s\n", expected_path, i + 1, x, y);
                shown++;
            }
        }
    }
    g_test_message("output differs from %s (VMC_TEST_DEBUG=1 shows a diff)", expected_path);
    return FALSE;
}

GHashTable *
vmc_test_rows_by_name(GArray *rows)
{
    GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < rows->len; i++) {
        VmcModelAvailability *row = &g_array_index(rows, VmcModelAvailability, i);
        g_hash_table_insert(t, (gpointer) row->name, row);
    }
    return t;
}

gboolean
vmc_test_have_program(const char *name)
{
    g_autofree char *p = g_find_program_in_path(name);
    return p != NULL;
}
