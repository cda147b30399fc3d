/* cmd-cpu.c: `vmcompat cpu ...` — models, expand, compare, baseline,
 * deprecated, decode, update. Thin: parse arguments, call the library,
 * print text or JSON (QMP field names), map errors to exit codes. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static GPtrArray *
vmc_cli_names(GPtrArray *names)
{
    return names ? names : g_ptr_array_new_with_free_func(g_free);
}

/* The first CPU of an argument (virsh takes the first <cpu> too). */
static VmcCpuDef *
vmc_cli_read_one(VmcCli *cli, const char *arg, GError **error)
{
    g_autoptr(GPtrArray) cpus = vmc_cli_read_cpus(cli, arg, error);
    if (!cpus)
        return NULL;
    return vmc_cpu_def_ref(g_ptr_array_index(cpus, 0));
}

/* A host CPU from anything that describes a host: a host document, virsh
 * capabilities/domcapabilities, a CPUID dump, a QMP capture directory —
 * or, failing those, any CPU definition (a libvirt host <cpu>). */
static VmcCpuDef *
vmc_cli_read_host_cpu(VmcCli *cli, const char *arg, VmcAccel *ret_accel, GError **error)
{
    g_autoptr(GError) host_error = NULL;
    g_autoptr(VmcHost) host = vmc_cli_read_host(cli, arg, &host_error);
    VmcCpuDef *def;

    if (host) {
        const VmcCpuDef *cpu = vmc_host_get_cpu(host);
        if (ret_accel)
            *ret_accel = vmc_host_default_accel(host);
        if (cpu)
            return vmc_cpu_def_copy(cpu);
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "%s: the host document holds no CPU features", arg);
        return NULL;
    }
    if (g_file_test(arg, G_FILE_TEST_IS_DIR)) {
        g_propagate_error(error, g_steal_pointer(&host_error));
        return NULL;
    }
    def = vmc_cli_read_one(cli, arg, NULL);
    if (!def)
        g_propagate_error(error, g_steal_pointer(&host_error));
    return def;
}

/* ---- cpu models ------------------------------------------------------ */

static int
cmd_cpu_models(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("- list CPU models (query-cpu-definitions)");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) host = NULL;
    g_autoptr(GArray) rows = NULL;
    g_autofree char *host_file = NULL;
    g_autofree char *accel_s = NULL;
    VmcAccel accel = VMC_ACCEL_N;
    int rc;
    GOptionEntry entries[] = {
        { "accel", 0, 0, G_OPTION_ARG_STRING, &accel_s,
          "Accelerator whose CPU defaults apply: kvm, tcg or none (default: kvm when the HOST has KVM, tcg for a TCG QMP capture, else none)",
          "ACCEL" },
        { "host", 0, 0, G_OPTION_ARG_FILENAME, &host_file,
          "Compute unavailable-features against this HOST (host document, virsh capabilities or domcapabilities, CPUID dump, QMP capture directory, libvirt host <cpu>)",
          "HOST" },
        { NULL },
    };
    VmcCatalog *cat;
    VmcArch arch;
    VmcAccel host_accel = VMC_ACCEL_NONE;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Lists every CPU model of an arch with deprecated, alias-of and, with --host,\n"
        "the unavailable-features that keep it from running on that host.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc > 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);
    if (accel_s) {
        accel = vmc_accel_from_string(accel_s);
        if (accel == VMC_ACCEL_N)
            return vmc_cli_usage_error(cli, "unknown accelerator '%s' (kvm, tcg, none)", accel_s);
    }
    if (host_file && !(host = vmc_cli_read_host_cpu(cli, host_file, &host_accel, &error)))
        return vmc_cli_fail(cli, error);
    if (accel == VMC_ACCEL_N)
        accel = host_accel;
    arch = host ? vmc_cpu_def_get_arch(host) : cli->arch;
    if (arch == VMC_ARCH_N)
        arch = VMC_ARCH_X86_64;
    if (!(rows = vmc_cpu_models_accel(cat, arch, host, accel, &error)))
        return vmc_cli_fail(cli, error);

    if (cli->json) {
        json_object *a = vmc_qmp_cpu_definition_info_list(rows);
        vmc_cli_print_json(a);
        json_object_put(a);
        return VMC_EXIT_OK;
    }
    printf("%-34s %-26s %-10s %s\n", "MODEL", "ALIAS-OF", "DEPRECATED",
           host ? "UNAVAILABLE-FEATURES" : "");
    for (guint i = 0; i < rows->len; i++) {
        const VmcModelAvailability *r = &g_array_index(rows, VmcModelAvailability, i);
        g_autofree char *un = r->unavailable ? vmc_cli_join(r->unavailable, ",", 0) : NULL;
        printf("%-34s %-26s %-10s %s\n", r->name, r->alias_of ? r->alias_of : "-",
               r->deprecated ? r->deprecated : "-",
               !host ? "" : (un && *un ? un : "(usable)"));
    }
    return VMC_EXIT_OK;
}

/* ---- cpu expand ------------------------------------------------------ */

static int
cmd_cpu_expand(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("CPU - expand a CPU model (query-cpu-model-expansion)");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) def = NULL;
    g_autoptr(VmcCpuDef) exp = NULL;
    g_autoptr(GPtrArray) deprecated = NULL;
    g_autofree char *type_s = NULL;
    VmcExpansionType type = VMC_EXPANSION_FULL;
    int rc;
    GOptionEntry entries[] = {
        { "type", 't', 0, G_OPTION_ARG_STRING, &type_s,
          "static (a static base model + the differences) or full (default)", "TYPE" },
        { NULL },
    };

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "CPU is a -cpu string (\"z14,csske=off\"), QMP CpuModelInfo JSON, or a file\n"
        "with libvirt <cpu> XML or JSON. Prints the expanded model and the\n"
        "deprecated-props it enables.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected exactly one CPU");
    if (type_s) {
        type = vmc_expansion_type_from_string(type_s);
        if (type == VMC_EXPANSION_N)
            return vmc_cli_usage_error(cli, "unknown expansion type '%s' (static, full)", type_s);
    }
    if (!(def = vmc_cli_read_one(cli, argv[1], &error)) ||
        !(exp = vmc_cpu_expand(def, type, &deprecated, &error)))
        return vmc_cli_fail(cli, error);
    deprecated = vmc_cli_names(g_steal_pointer(&deprecated));

    if (cli->json) {
        json_object *o = vmc_qmp_cpu_model_expansion_info(exp, deprecated);
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        g_autofree char *dep = vmc_cli_join(deprecated, ", ", 0);
        printf("model: %s\n", vmc_cpu_def_get_model(exp) ? vmc_cpu_def_get_model(exp) : "(none)");
        for (guint i = 0; i < vmc_cpu_def_get_feature_count(exp); i++) {
            VmcFeaturePolicy p;
            const VmcFeature *f = vmc_cpu_def_get_feature(exp, i, &p);
            printf("  %s=%s\n", vmc_feature_get_name(f),
                   p == VMC_FEATURE_POLICY_REQUIRE || p == VMC_FEATURE_POLICY_FORCE ? "on" : "off");
        }
        printf("deprecated-props: %s\n", *dep ? dep : "(none)");
    }
    return VMC_EXIT_OK;
}

/* ---- cpu compare ----------------------------------------------------- */

/* A of compare is read as a host when it is a host document or directory;
 * libvirt XML keeps its own rules (virsh cpu-compare reads <cpu> as is). */
static gboolean
looks_like_host(const char *arg)
{
    g_autofree char *head = NULL;
    gsize len = 0;

    if (g_file_test(arg, G_FILE_TEST_IS_DIR))
        return TRUE;
    if (!g_file_test(arg, G_FILE_TEST_IS_REGULAR) ||
        !g_file_get_contents(arg, &head, &len, NULL))
        return FALSE;
    return len > 0 && strstr(head, "\"format\"") != NULL && head[strspn(head, " \t\r\n")] == '{';
}

static int
cmd_cpu_compare(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("A B - how CPU A relates to CPU B (query-cpu-model-comparison)");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) a = NULL;
    g_autoptr(VmcCpuDef) b = NULL;
    g_autoptr(GPtrArray) resp = NULL;
    gboolean fail_incompatible = FALSE;
    VmcCompareResult result;
    int rc;
    GOptionEntry entries[] = {
        { "fail-incompatible", 0, 0, G_OPTION_ARG_NONE, &fail_incompatible,
          "Exit 1 when the result is subset or incompatible", NULL },
        { NULL },
    };

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Results (QEMU's CpuModelCompareResult):\n"
        "  identical     A and B are the same CPU\n"
        "  superset      A has everything B needs and more: B runs wherever A runs\n"
        "  subset        B has more than A: A runs wherever B runs\n"
        "  incompatible  neither runs where the other does\n"
        "with the responsible-properties. When A is a host CPU (libvirt host XML,\n"
        "CPUID dump) and B libvirt XML, libvirt's compare rules apply exactly\n"
        "(virsh cpu-compare A B). A host counts the deprecated features its\n"
        "hardware still has as present.\n"
        "Exit status: 0 answered, 1 negative with --fail-incompatible, 2 bad input.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 3)
        return vmc_cli_usage_error(cli, "expected two CPUs, A and B");
    a = looks_like_host(argv[1]) ? vmc_cli_read_host_cpu(cli, argv[1], NULL, &error)
                                 : vmc_cli_read_one(cli, argv[1], &error);
    if (!a || !(b = vmc_cli_read_one(cli, argv[2], &error)) ||
        !vmc_cpu_compare(a, b, &result, &resp, &error))
        return vmc_cli_fail(cli, error);
    resp = vmc_cli_names(g_steal_pointer(&resp));

    if (cli->json) {
        json_object *o = vmc_qmp_cpu_model_compare_info(result, resp);
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        g_autofree char *r = vmc_cli_join(resp, ", ", 0);
        printf("%s\n", vmc_compare_result_to_string(result));
        if (*r)
            printf("responsible-properties: %s\n", r);
    }
    if (fail_incompatible &&
        (result == VMC_COMPARE_SUBSET || result == VMC_COMPARE_INCOMPATIBLE))
        return VMC_EXIT_NEGATIVE;
    return VMC_EXIT_OK;
}

/* ---- cpu baseline ---------------------------------------------------- */

static int
cmd_cpu_baseline(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("CPU... - a CPU that runs on every input (query-cpu-model-baseline)");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) cpus = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);
    g_autoptr(VmcCpuDef) result = NULL;
    gboolean features = FALSE, migratable = FALSE;
    VmcBaselineFlags flags = VMC_BASELINE_DEFAULT;
    int rc;
    GOptionEntry entries[] = {
        { "features", 0, 0, G_OPTION_ARG_NONE, &features,
          "List every feature of the model (virsh --features)", NULL },
        { "migratable", 0, 0, G_OPTION_ARG_NONE, &migratable,
          "Drop features that block migration (virsh --migratable)", NULL },
        { NULL },
    };

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Each argument is a file with one or more CPUs (every <cpu> of an XML\n"
        "file, as virsh cpu-baseline reads it; a CPUID dump; QMP JSON) or an\n"
        "inline -cpu string. All inputs must share an arch and a vendor.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc < 2)
        return vmc_cli_usage_error(cli, "expected at least one CPU");
    for (int i = 1; i < argc; i++) {
        g_autoptr(GPtrArray) some = vmc_cli_read_cpus(cli, argv[i], &error);
        if (!some)
            return vmc_cli_fail(cli, error);
        for (guint k = 0; k < some->len; k++)
            g_ptr_array_add(cpus, vmc_cpu_def_ref(g_ptr_array_index(some, k)));
    }
    if (features)
        flags |= VMC_BASELINE_EXPAND_FEATURES;
    if (migratable)
        flags |= VMC_BASELINE_MIGRATABLE;
    if (!(result = vmc_cpu_baseline((VmcCpuDef *const *) cpus->pdata, cpus->len, NULL,
                                    flags, &error)))
        return vmc_cli_fail(cli, error);
    vmc_cli_print_cpu(cli, result);
    return VMC_EXIT_OK;
}

/* ---- cpu deprecated -------------------------------------------------- */

static int
cmd_cpu_deprecated(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("- deprecated CPU features (query-cpu-model-deprecated-features)");
    g_autoptr(GError) error = NULL;
    VmcCatalog *cat;
    json_object *all;
    int rc;

    g_option_context_set_description(ctx,
        "Features the CPU vendor has announced will disappear from future\n"
        "hardware (seed 000: s390x csske, bpb, te, cte). host-model disables them;\n"
        "comparison against a host still counts them when the hardware has them.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc > 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);
    all = json_object_new_array();
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        g_autoptr(GPtrArray) names = NULL;
        if (cli->arch != VMC_ARCH_N && cli->arch != a)
            continue;
        names = vmc_cpu_deprecated_features(cat, a);
        if (!cli->json) {
            printf("%s:", vmc_arch_to_string(a));
            for (guint i = 0; i < names->len; i++) {
                const VmcFeature *f = vmc_catalog_feature_lookup(cat, a, g_ptr_array_index(names, i));
                printf("%s %s (since %s)", i ? "," : "", vmc_feature_get_name(f),
                       vmc_feature_get_deprecated(f));
            }
            printf("%s\n", names->len ? "" : " (none)");
            continue;
        }
        json_object_array_add(all, vmc_qmp_cpu_deprecated_info(cat, a));
    }
    if (cli->json) {
        if (cli->arch != VMC_ARCH_N) {
            json_object *one = json_object_get(json_object_array_get_idx(all, 0));
            vmc_cli_print_json(one);
            json_object_put(one);
        } else {
            vmc_cli_print_json(all);
        }
    }
    json_object_put(all);
    return VMC_EXIT_OK;
}

/* ---- cpu decode / update --------------------------------------------- */

static int
cmd_cpu_decode(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("DUMP - decode a libvirt CPUID dump to a CPU");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuidData) data = NULL;
    g_autoptr(VmcCpuDef) def = NULL;
    g_autofree char *text = NULL;
    gboolean guest = FALSE;
    g_autofree char *models = NULL;
    g_auto(GStrv) model_list = NULL;
    gsize len = 0;
    VmcCatalog *cat;
    int rc;
    GOptionEntry entries[] = {
        { "guest", 0, 0, G_OPTION_ARG_NONE, &guest,
          "Decode as a guest CPU (features with policies) instead of a host CPU", NULL },
        { "models", 0, 0, G_OPTION_ARG_STRING, &models,
          "Comma separated list of allowed models", "LIST" },
        { NULL },
    };

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one CPUID dump file");
    if (!(cat = vmc_cli_catalog(cli, &error)) ||
        !g_file_get_contents(argv[1], &text, &len, &error) ||
        !(data = vmc_cpuid_data_parse_xml(text, (gssize) len, argv[1], &error)))
        return vmc_cli_fail(cli, error);
    if (models)
        model_list = g_strsplit(models, ",", -1);
    if (!(def = vmc_cpu_decode(cat, data, guest ? VMC_CPU_TYPE_GUEST : VMC_CPU_TYPE_HOST,
                               (const char *const *) model_list, NULL, &error)))
        return vmc_cli_fail(cli, error);
    vmc_cli_print_cpu(cli, def);
    return VMC_EXIT_OK;
}

/* A host document (JSON with "format") or a QMP capture directory, rather
 * than a CPU. */
static gboolean
is_host_document(const char *path)
{
    g_autofree char *text = NULL;

    if (g_file_test(path, G_FILE_TEST_IS_DIR))
        return TRUE;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return FALSE;
    return text[strspn(text, " \t\r\n")] == '{' && strstr(text, "\"format\"") != NULL;
}

static int
cmd_cpu_update(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("CPU - the updated guest CPU on a host (seed 001)");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) cpu = NULL;
    g_autoptr(VmcCpuDef) host = NULL;
    g_autoptr(VmcCpuDef) upd = NULL;
    g_autofree char *host_file = NULL;
    int rc;
    GOptionEntry entries[] = {
        { "host", 0, 0, G_OPTION_ARG_FILENAME, &host_file, "Host CPU, or a host (document, QMP capture directory) (required)", "FILE" },
        { NULL },
    };

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2 || !host_file)
        return vmc_cli_usage_error(cli, "expected one CPU and --host FILE");
    if (!(cpu = vmc_cli_read_one(cli, argv[1], &error)))
        return vmc_cli_fail(cli, error);
    if (is_host_document(host_file)) {
        /* a host: the CPU a guest can get there (KVM's, else the hardware's) */
        g_autoptr(VmcHost) h = vmc_cli_read_host(cli, host_file, &error);
        if (!h)
            return vmc_cli_fail(cli, error);
        if (!vmc_host_get_cpu(h))
            return vmc_cli_usage_error(cli, "%s: the host document has no CPU", host_file);
        host = vmc_cpu_def_ref((VmcCpuDef *) vmc_host_get_cpu(h));
    } else if (!(host = vmc_cli_read_one(cli, host_file, &error))) {
        return vmc_cli_fail(cli, error);
    }
    if (!(upd = vmc_cpu_update(cpu, host, VMC_UPDATE_HOST_MIGRATABLE, &error)))
        return vmc_cli_fail(cli, error);
    vmc_cli_print_cpu(cli, upd);
    return VMC_EXIT_OK;
}

static const VmcCliCommand cpu_commands[] = {
    { "models", "list CPU models, with blockers against a host", cmd_cpu_models },
    { "expand", "expand a CPU model (static or full)", cmd_cpu_expand },
    { "compare", "how CPU A relates to CPU B", cmd_cpu_compare },
    { "baseline", "a CPU that runs on every input CPU", cmd_cpu_baseline },
    { "deprecated", "deprecated CPU features per arch", cmd_cpu_deprecated },
    { "decode", "decode a libvirt CPUID dump", cmd_cpu_decode },
    { "update", "the updated guest CPU on a host", cmd_cpu_update },
    { NULL },
};

int
vmc_cmd_cpu(VmcCli *cli, int argc, char **argv)
{
    return vmc_cli_dispatch(cli, "cpu", cpu_commands, argc, argv);
}
