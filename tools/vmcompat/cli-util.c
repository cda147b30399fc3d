/* cli-util.c: error printing, option parsing, catalog loading and command
 * dispatch shared by every vmcompat sub-command. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static char *arg_arch;

static GOptionEntry vmc_cli_common_entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, NULL,
      "Print JSON (QMP field names) instead of text", NULL },
    { "arch", 'a', 0, G_OPTION_ARG_STRING, &arg_arch,
      "Architecture of the inputs (x86_64, s390x); default: from the input", "ARCH" },
    { "catalog", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL,
      "Overlay catalog directory (repeatable)", "DIR" },
    { "cpu-map", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      "Use the x86 models and features of a libvirt cpu_map directory", "DIR" },
    { NULL },
};

int
vmc_cli_fail(VmcCli *cli, GError *error)
{
    fprintf(stderr, "vmcompat: %s\n", error ? error->message : "unknown error");
    return VMC_EXIT_BAD_INPUT;
}

int
vmc_cli_usage_error(VmcCli *cli, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n",
            cli->prog, msg, cli->prog);
    return VMC_EXIT_BAD_INPUT;
}

gboolean
vmc_cli_parse(VmcCli *cli, GOptionContext *ctx, int *argc, char ***argv, int *ret_exit)
{
    g_autoptr(GError) error = NULL;
    GOptionEntry entries[G_N_ELEMENTS(vmc_cli_common_entries)];

    memcpy(entries, vmc_cli_common_entries, sizeof(entries));
    entries[0].arg_data = &cli->json;
    entries[2].arg_data = &cli->overlays;
    entries[3].arg_data = &cli->cpu_map;
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, argc, argv, &error)) {
        *ret_exit = vmc_cli_usage_error(cli, "%s", error->message);
        return FALSE;
    }
    if (arg_arch) {
        cli->arch = vmc_arch_from_string(arg_arch);
        if (cli->arch == VMC_ARCH_N) {
            *ret_exit = vmc_cli_usage_error(cli, "unknown architecture '%s' (known: x86_64, s390x)",
                                            arg_arch);
            return FALSE;
        }
    }
    return TRUE;
}

VmcCatalog *
vmc_cli_catalog(VmcCli *cli, GError **error)
{
    if (cli->cat)
        return cli->cat;
    cli->cat = vmc_catalog_load((const char *const *) cli->overlays, VMC_CATALOG_DEFAULT, error);
    if (!cli->cat)
        return NULL;
    if (cli->cpu_map && !vmc_catalog_load_cpu_map(cli->cat, cli->cpu_map, error)) {
        g_clear_pointer(&cli->cat, vmc_catalog_unref);
        return NULL;
    }
    return cli->cat;
}

char *
vmc_cli_join(GPtrArray *names, const char *sep, guint max)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; names && i < names->len; i++) {
        if (max && i == max) {
            g_string_append_printf(s, ", ... (%u more)", names->len - max);
            break;
        }
        g_string_append_printf(s, "%s%s", i ? sep : "", (char *) g_ptr_array_index(names, i));
    }
    return g_string_free(s, FALSE);
}

json_object *
vmc_cli_json_strv(GPtrArray *names)
{
    json_object *a = json_object_new_array();
    for (guint i = 0; names && i < names->len; i++)
        json_object_array_add(a, json_object_new_string(g_ptr_array_index(names, i)));
    return a;
}

void
vmc_cli_print_json(json_object *obj)
{
    fputs(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
                                              JSON_C_TO_STRING_SPACED |
                                              JSON_C_TO_STRING_NOSLASHESCAPE),
          stdout);
    fputc('\n', stdout);
}

void
vmc_cli_print_cpu(VmcCli *cli, const VmcCpuDef *def)
{
    json_object *o;

    if (!cli->json) {
        g_autofree char *xml = vmc_cpu_def_format_xml(def, 0);
        fputs(xml, stdout);
        return;
    }
    o = vmc_qmp_cpu_model_baseline_info(def);
    vmc_cli_print_json(o);
    json_object_put(o);
}

GPtrArray *
vmc_cli_read_cpus(VmcCli *cli, const char *arg, GError **error)
{
    VmcCatalog *cat = vmc_cli_catalog(cli, error);
    if (!cat)
        return NULL;
    return vmc_cpu_def_parse_any(cat, cli->arch, arg, error);
}

int
vmc_cli_dispatch(VmcCli *cli, const char *group, const VmcCliCommand *cmds,
                 int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : NULL;

    if (!name || g_str_equal(name, "--help") || g_str_equal(name, "-h") ||
        g_str_equal(name, "help")) {
        FILE *out = name ? stdout : stderr;
        fprintf(out, "Usage: vmcompat %s COMMAND [OPTIONS] ARGS...\n\nCommands:\n", group);
        for (const VmcCliCommand *c = cmds; c->name; c++)
            fprintf(out, "  %-12s %s\n", c->name, c->summary);
        fprintf(out, "\nRun 'vmcompat %s COMMAND --help' for the options of a command.\n", group);
        return name ? VMC_EXIT_OK : VMC_EXIT_BAD_INPUT;
    }
    for (const VmcCliCommand *c = cmds; c->name; c++) {
        if (g_str_equal(c->name, name)) {
            g_autofree char *prog = g_strdup_printf("vmcompat %s %s", group, name);
            cli->prog = prog;
            return c->run(cli, argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "vmcompat %s: unknown command '%s'\nTry 'vmcompat %s --help'.\n",
            group, name, group);
    return VMC_EXIT_BAD_INPUT;
}

void
vmc_cli_print_verdict(VmcCli *cli, const VmcVerdict *v, const char *what)
{
    if (cli->json) {
        g_autofree char *s = vmc_verdict_to_json(v);
        printf("%s\n", s);
        return;
    }
    printf("%s: %s\n", what, vmc_verdict_ok(v) ? "yes" : "no");
    vmc_cli_print_reasons(v, "  ");
}

void
vmc_cli_print_reasons(const VmcVerdict *v, const char *indent)
{
    for (guint i = 0; i < vmc_verdict_count(v); i++) {
        const VmcReason *r = vmc_verdict_get(v, i);
        printf("%s%s [%s] %s\n", indent, vmc_severity_to_string(r->severity), r->kind, r->message);
    }
}

gboolean
vmc_cli_check_mode(VmcCli *cli, const char *arg, VmcCpuCheck *ret, int *ret_exit)
{
    *ret = VMC_CPU_CHECK_DEFAULT;
    if (!arg)
        return TRUE;
    *ret = vmc_cpu_check_from_string(arg);
    if (*ret == VMC_CPU_CHECK_N || *ret == VMC_CPU_CHECK_DEFAULT) {
        *ret_exit = vmc_cli_usage_error(cli, "--check: '%s' is not a check mode "
                                        "(none, partial, full)", arg);
        return FALSE;
    }
    return TRUE;
}

int
vmc_cli_fail_answer(VmcCli *cli, GError *error)
{
    int rc = vmc_cli_fail(cli, error);
    if (error && error->domain == VMC_ERROR && error->code == VMC_ERROR_HOST_CAPABILITY)
        return VMC_EXIT_NEGATIVE;
    return rc;
}
