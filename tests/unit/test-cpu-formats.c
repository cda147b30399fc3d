/* test-cpu-formats.c: data-driven tests of the CPU readers and writers.
 *
 * Each directory tests/data/cpu-formats/<case>/ holds one input —
 * input.xml (libvirt XML), input.json (QMP CpuModelInfo), input.cli (a
 * -cpu string) or input.cpuid.xml (a CPUID dump, features only) — an
 * optional `arch` file, and either expected.txt (every parsed CPU written
 * back as libvirt XML, QMP JSON and a -cpu string) or expected-error.txt
 * (the error code and message, which must name the location).
 * VMC_TEST_REGENERATE_OUTPUT=1 rewrites the expected files.
 */
#include "harness.h"
#include "base/util.h"

#include <string.h>

static const char *const error_codes[] = {
    "parse", "unknown", "unsupported", "incompatible", "host-capability",
    "io", "limit", "catalog", "failed",
};

static char *
format_defs(GPtrArray *defs)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < defs->len; i++) {
        VmcCpuDef *def = g_ptr_array_index(defs, i);
        g_autofree char *xml = vmc_cpu_def_format_xml(def, 0);
        g_autofree char *qmp = vmc_cpu_def_format_qmp(def);
        g_autofree char *cli = vmc_cpu_def_format_cli(def);
        g_string_append_printf(s, "# cpu %u: %s %s\n", i + 1,
                               vmc_arch_to_string(vmc_cpu_def_get_arch(def)),
                               vmc_cpu_type_to_string(vmc_cpu_def_get_type(def)));
        g_string_append(s, xml);
        g_string_append_printf(s, "qmp: %s\ncli: %s\n", qmp, cli);
    }
    return g_string_free(s, FALSE);
}

static char *
cpuid_features(VmcCatalog *cat, const char *data, gsize len, const char *file, GError **error)
{
    g_autoptr(VmcCpuidData) d = vmc_cpuid_data_parse_xml(data, (gssize) len, file, error);
    g_autofree char *vendor = NULL;
    VmcFeatureSet set;
    GString *s;
    guint fam = 0, mod = 0, step = 0;
    guint32 sig = 0;

    if (!d)
        return NULL;
    vmc_cpuid_data_features(d, cat, &set);
    vendor = vmc_cpuid_data_vendor(d);
    vmc_cpuid_data_signature(d, &sig, &fam, &mod, &step);
    s = g_string_new(NULL);
    g_string_append_printf(s, "vendor: %s\nsignature: %06x family %u model %u stepping %u\nfeatures:",
                           vendor ? vendor : "(none)", sig, fam, mod, step);
    VMC_FEATURE_SET_FOREACH(&set, i)
        g_string_append_printf(s, " %s",
                               vmc_feature_get_name(vmc_catalog_feature(cat, VMC_ARCH_X86_64, (guint) i)));
    g_string_append_c(s, '\n');
    return g_string_free(s, FALSE);
}

static void
run_case(gconstpointer data)
{
    const char *dir = data;
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GError) error = NULL;
    g_autofree char *arch_file = g_build_filename(dir, "arch", NULL);
    g_autofree char *expected = g_build_filename(dir, "expected.txt", NULL);
    g_autofree char *expected_err = g_build_filename(dir, "expected-error.txt", NULL);
    g_autofree char *arch_s = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *input = NULL;
    g_autofree char *name = NULL;
    gsize len = 0;
    VmcArch arch = VMC_ARCH_N;
    const char *kinds[] = { "input.xml", "input.json", "input.cli", "input.cpuid.xml" };
    guint kind = G_N_ELEMENTS(kinds);

    if (g_file_get_contents(arch_file, &arch_s, NULL, NULL))
        arch = vmc_arch_from_string(g_strstrip(arch_s));
    for (guint k = 0; k < G_N_ELEMENTS(kinds); k++) {
        g_autofree char *p = g_build_filename(dir, kinds[k], NULL);
        if (g_file_get_contents(p, &input, &len, NULL)) {
            kind = k;
            name = g_strdup(kinds[k]);
            break;
        }
    }
    g_assert_cmpuint(kind, <, G_N_ELEMENTS(kinds));

    switch (kind) {
    case 0: {
        g_autoptr(GPtrArray) defs = vmc_cpu_def_parse_xml(cat, arch == VMC_ARCH_N ? VMC_ARCH_X86_64 : arch,
                                                          input, (gssize) len, name, &error);
        if (defs)
            actual = format_defs(defs);
        break;
    }
    case 1: {
        g_autoptr(VmcCpuDef) def = vmc_cpu_def_parse_qmp(cat, arch, input, (gssize) len, name, &error);
        if (def) {
            g_autoptr(GPtrArray) defs = g_ptr_array_new();
            g_ptr_array_add(defs, def);
            actual = format_defs(defs);
        }
        break;
    }
    case 2: {
        g_autoptr(VmcCpuDef) def = NULL;
        g_strchomp(input);
        def = vmc_cpu_def_parse_cli(cat, arch, input, &error);
        if (def) {
            g_autoptr(GPtrArray) defs = g_ptr_array_new();
            g_autofree char *again = vmc_cpu_def_format_cli(def);
            g_autoptr(VmcCpuDef) def2 = vmc_cpu_def_parse_cli(cat, vmc_cpu_def_get_arch(def), again, &error);
            g_autofree char *twice = def2 ? vmc_cpu_def_format_cli(def2) : NULL;
            /* Round trip: formatting is a fixed point. */
            g_assert_no_error(error);
            g_assert_cmpstr(again, ==, twice);
            g_ptr_array_add(defs, def);
            actual = format_defs(defs);
        }
        break;
    }
    default:
        actual = cpuid_features(cat, input, len, name, &error);
        break;
    }

    if (error) {
        g_autofree char *msg = g_strdup_printf("%s: %s\n", error_codes[error->code], error->message);
        g_assert_true(g_file_test(expected_err, G_FILE_TEST_EXISTS) ||
                      g_getenv("VMC_TEST_REGENERATE_OUTPUT"));
        if (!vmc_test_golden(expected_err, msg))
            g_test_fail_printf("%s: unexpected error: %s", dir, msg);
        return;
    }
    if (g_file_test(expected_err, G_FILE_TEST_EXISTS)) {
        g_test_fail_printf("%s: expected an error, got:\n%s", dir, actual);
        return;
    }
    if (!vmc_test_golden(expected, actual))
        g_test_fail_printf("%s: output differs from expected.txt", dir);
}

int
main(int argc, char **argv)
{
    g_autofree char *root = vmc_test_source_path("tests", "data", "cpu-formats", NULL);
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    g_test_init(&argc, &argv, NULL);
    d = g_dir_open(root, 0, NULL);
    g_assert_nonnull(d);
    for (const char *n; (n = g_dir_read_name(d));)
        g_ptr_array_add(names, g_strdup(n));
    g_ptr_array_sort(names, vmc_strptr_cmp);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        g_autofree char *path = g_strdup_printf("/cpu-formats/%s", n);
        g_test_add_data_func_full(path, g_build_filename(root, n, NULL), run_case, g_free);
    }
    return g_test_run();
}
