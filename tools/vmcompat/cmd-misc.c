/* cmd-misc.c: `vmcompat catalog info` and `vmcompat demo`. */
#include "cli.h"

#include <stdio.h>

static int
cmd_catalog_info(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("- where the catalog comes from and what it holds");
    g_autoptr(GError) error = NULL;
    VmcCatalog *cat;
    json_object *a;
    int rc;

    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (!(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);
    a = json_object_new_array();
    for (guint i = 0; i < VMC_ARCH_N; i++) {
        g_autoptr(GPtrArray) dep = vmc_cpu_deprecated_features(cat, i);
        if (cli->arch != VMC_ARCH_N && cli->arch != i)
            continue;
        if (cli->json) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "arch", json_object_new_string(vmc_arch_to_string(i)));
            json_object_object_add(o, "source", json_object_new_string(vmc_catalog_source(cat, i)));
            json_object_object_add(o, "features", json_object_new_int((int) vmc_catalog_feature_count(cat, i)));
            json_object_object_add(o, "models", json_object_new_int((int) vmc_catalog_model_count(cat, i)));
            json_object_object_add(o, "aliases", json_object_new_int((int) vmc_catalog_alias_count(cat, i)));
            json_object_object_add(o, "deprecated-features", json_object_new_int((int) dep->len));
            json_object_array_add(a, o);
        } else {
            printf("%-7s %4u features, %4u models, %3u aliases, %u deprecated features  (%s)\n",
                   vmc_arch_to_string(i), vmc_catalog_feature_count(cat, i),
                   vmc_catalog_model_count(cat, i), vmc_catalog_alias_count(cat, i),
                   dep->len, vmc_catalog_source(cat, i));
        }
    }
    if (cli->json)
        vmc_cli_print_json(a);
    json_object_put(a);
    return VMC_EXIT_OK;
}

/* "builtin", or a directory holding a whole catalog tree (data/ layout);
 * with @overlay, the directory is applied over the built-in catalog. */
static VmcCatalog *
lint_load(const char *arg, gboolean overlay, GError **error)
{
    const char *dirs[] = { arg, NULL };

    if (g_str_equal(arg, "builtin"))
        return vmc_catalog_load(NULL, VMC_CATALOG_NO_OVERLAYS, error);
    if (!g_file_test(arg, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "%s: not a catalog directory (or 'builtin')", arg);
        return NULL;
    }
    return vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS |
                            (overlay ? 0 : VMC_CATALOG_NO_BUILTIN), error);
}

static int
cmd_catalog_lint(VmcCli *cli, int argc, char **argv)
{
    gboolean overlay = FALSE;
    GOptionEntry entries[] = {
        { "overlay", 0, 0, G_OPTION_ARG_NONE, &overlay,
          "OLD/NEW directories are overlays on the built-in catalog (e.g. /etc/vmcompat)", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("[OLD] NEW - seed 003: no new host-side requirements");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCatalog) old_cat = NULL;
    g_autoptr(VmcCatalog) new_cat = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    guint errors = 0;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "OLD and NEW are catalog directories (the data/ layout: cpu/<arch>/*.json,\n"
        "machine/*.json, releases/qemu.json, platforms/*.json) or 'builtin'. Fails (exit 1)\n"
        "when a CPU model version's features changed, when a new machine-type version\n"
        "turns on a host-dependent default, when a KVM paravirt CPUID bit is on by\n"
        "default without a platform, or when a host-dependent compat property is not\n"
        "in the tunables table. With one argument, NEW is linted against itself.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2 && argc != 3)
        return vmc_cli_usage_error(cli, "expected [OLD] NEW");
    if (!(old_cat = lint_load(argv[1], overlay, &error)) ||
        !(new_cat = argc == 3 ? lint_load(argv[2], overlay, &error) : vmc_catalog_ref(old_cat)))
        return vmc_cli_fail(cli, error);
    v = vmc_catalog_lint(old_cat, new_cat);
    if (cli->json) {
        g_autofree char *s = vmc_verdict_to_json(v);
        printf("%s\n", s);
    } else {
        for (guint i = 0; i < vmc_verdict_count(v); i++) {
            const VmcReason *r = vmc_verdict_get(v, i);
            errors += r->severity == VMC_SEVERITY_ERROR;
            printf("%s [%s] %s\n", vmc_severity_to_string(r->severity), r->kind, r->message);
        }
        printf("lint: %s (%u error%s, %u reason%s)\n", vmc_verdict_ok(v) ? "ok" : "FAILED",
               errors, errors == 1 ? "" : "s", vmc_verdict_count(v),
               vmc_verdict_count(v) == 1 ? "" : "s");
    }
    return vmc_verdict_ok(v) ? VMC_EXIT_OK : VMC_EXIT_NEGATIVE;
}

static int
cmd_catalog_platforms(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the platforms the catalog knows");
    g_autoptr(GError) error = NULL;
    json_object *arr = NULL;
    VmcCatalog *cat;
    int rc;

    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);
    if (cli->json)
        arr = json_object_new_array();
    for (guint i = 0; i < vmc_catalog_platform_count(cat); i++) {
        const VmcPlatform *p = vmc_catalog_platform(cat, i);
        VmcArch arch = cli->arch == VMC_ARCH_N ? VMC_ARCH_X86_64 : cli->arch;
        g_autoptr(GPtrArray) caps = vmc_platform_capabilities(p, arch);
        if (arr) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "name", json_object_new_string(vmc_platform_get_name(p)));
            json_object_object_add(o, "kernel", json_object_new_string(vmc_platform_get_kernel(p)));
            if (vmc_platform_get_based_on(p))
                json_object_object_add(o, "based-on", json_object_new_string(vmc_platform_get_based_on(p)));
            json_object_object_add(o, "arch", json_object_new_string(vmc_arch_to_string(arch)));
            json_object_object_add(o, "capabilities", vmc_cli_json_strv(caps));
            json_object_array_add(arr, o);
        } else {
            g_autofree char *list = vmc_cli_join(caps, ", ", 0);
            printf("%-16s kernel %-6s %s\n    %s capabilities: %s\n", vmc_platform_get_name(p),
                   vmc_platform_get_kernel(p),
                   vmc_platform_get_description(p) ? vmc_platform_get_description(p) : "",
                   vmc_arch_to_string(arch), *list ? list : "(none)");
        }
    }
    if (arr) {
        vmc_cli_print_json(arr);
        json_object_put(arr);
    }
    return VMC_EXIT_OK;
}

static const VmcCliCommand catalog_commands[] = {
    { "info", "sources and sizes of the catalog", cmd_catalog_info },
    { "platforms", "the platforms the catalog knows and their capabilities", cmd_catalog_platforms },
    { "lint", "seed 003: reject catalog changes that add host-side requirements", cmd_catalog_lint },
    { NULL },
};

int
vmc_cmd_catalog(VmcCli *cli, int argc, char **argv)
{
    return vmc_cli_dispatch(cli, "catalog", catalog_commands, argc, argv);
}

/* One comparison line of the demo. A host A is the hardware of that model:
 * a host-type CPU, as the probe or libvirt capabilities would give it. */
static void
demo_compare(VmcCatalog *cat, VmcArch arch, const char *a_str, gboolean a_host,
             const char *b_str, const char *why)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) a = NULL;
    g_autoptr(VmcCpuDef) b = vmc_cpu_def_parse_cli(cat, arch, b_str, &error);
    g_autoptr(GPtrArray) resp = NULL;
    g_autoptr(GPtrArray) v = g_ptr_array_new();
    g_autofree char *joined = NULL;
    g_autofree char *label = NULL;
    VmcCompareResult r;

    if (a_host) {
        a = vmc_cpu_def_new(cat, arch, VMC_CPU_TYPE_HOST);
        if (!vmc_cpu_def_set_model(a, a_str, &error))
            g_clear_pointer(&a, vmc_cpu_def_unref);
    } else if (b) {
        a = vmc_cpu_def_parse_cli(cat, arch, a_str, &error);
    }
    if (!a || !b || !vmc_cpu_compare(a, b, &r, &resp, &error)) {
        printf("  %s vs %s: error: %s\n", a_str, b_str, error->message);
        return;
    }
    for (guint i = 0; resp && i < resp->len && i < 6; i++)
        g_ptr_array_add(v, g_ptr_array_index(resp, i));
    if (resp && resp->len > 6)
        g_ptr_array_add(v, (gpointer) "...");
    g_ptr_array_add(v, NULL);
    joined = g_strjoinv(",", (char **) v->pdata);
    label = a_host ? g_strdup_printf("host(%s)", a_str) : g_strdup(a_str);
    printf("  %-27s vs %-22s %-12s [%s]\n      %s\n", label, b_str,
           vmc_compare_result_to_string(r), joined, why);
}

int
vmc_cmd_demo(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("- a tour of the catalog and the CPU engine");
    g_autoptr(GError) error = NULL;
    VmcCatalog *cat;
    int rc;

    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (!(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);

    printf("vmcompat %s — built-in catalog\n\n", VMC_VERSION);
    for (guint i = 0; i < VMC_ARCH_N; i++) {
        g_autoptr(GPtrArray) dep = vmc_cpu_deprecated_features(cat, i);
        g_autoptr(GPtrArray) v = g_ptr_array_new();
        g_autofree char *joined = NULL;
        for (guint k = 0; k < dep->len; k++)
            g_ptr_array_add(v, g_ptr_array_index(dep, k));
        g_ptr_array_add(v, NULL);
        joined = g_strjoinv(", ", (char **) v->pdata);
        printf("%-7s %u features, %u CPU models (+%u aliases); deprecated: %s\n",
               vmc_arch_to_string(i), vmc_catalog_feature_count(cat, i),
               vmc_catalog_model_count(cat, i), vmc_catalog_alias_count(cat, i),
               *joined ? joined : "none");
    }
    printf("\nComparisons (A vs B; superset = B runs wherever A runs):\n");
    demo_compare(cat, VMC_ARCH_S390X, "z14", FALSE, "z13",
                 "a newer generation is a superset of an older one");
    demo_compare(cat, VMC_ARCH_S390X, "z14,csske=off", FALSE, "z14",
                 "seed 000, model vs model: QEMU's answer is kept (csske responsible)");
    demo_compare(cat, VMC_ARCH_S390X, "z14", TRUE, "z14",
                 "seed 000, host vs model: the z14 hardware still has csske, so identical");
    demo_compare(cat, VMC_ARCH_X86_64, "Cascadelake-Server-v1", FALSE, "Skylake-Server-v1",
                 "x86: Skylake-Server guests run on Cascadelake-Server");
    demo_compare(cat, VMC_ARCH_X86_64, "Cascadelake-Server-v1", FALSE, "Skylake-Client-v1",
                 "x86: not a superset: Cascadelake-Server lacks vmx-eptp-switching (QEMU's data)");
    demo_compare(cat, VMC_ARCH_X86_64, "Skylake-Client-v4", FALSE, "Skylake-Client-v1",
                 "x86: v4 drops TSX (hle, rtm) that v1 enables: a final model never changes, a new version does");

    printf("\nNext: vmcompat cpu models --arch s390x; vmcompat cpu expand --type static z14;\n"
           "      vmcompat cpu compare HOST.xml GUEST.xml; vmcompat cpu baseline A.xml B.xml\n");
    return VMC_EXIT_OK;
}
