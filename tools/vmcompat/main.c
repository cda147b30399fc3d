/* main.c: the vmcompat command-line tool — a thin shell over libvmcompat:
 * parse arguments, call the library, print, exit with a documented status. */
#include "cli.h"

#include <locale.h>
#include <stdio.h>

static const VmcCliCommand top_commands[] = {
    { "report", "the main job: what this machine (or HOST) can run, and why not", vmc_cmd_report },
    { "host", "hosts: probe, model, platforms", vmc_cmd_host },
    { "guest", "guests: resolve (the resolved ABI), check, qemu-args", vmc_cmd_guest },
    { "migrate", "migration: check (can a guest move live from SRC to DST)", vmc_cmd_migrate },
    { "record", "migration records: write, show", vmc_cmd_record },
    { "restore", "libvirt save images: show, check", vmc_cmd_restore },
    { "machine", "machine types: list, show (compat properties)", vmc_cmd_machine },
    { "guestos", "guest OS support: tier, list, check (osinfo-db), policy", vmc_cmd_guestos },
    { "fleet", "an inventory of hosts: import, where, baseline, admit, ladder, labels", vmc_cmd_fleet },
    { "cpu", "CPU models: models, expand, compare, baseline, deprecated, decode, update",
      vmc_cmd_cpu },
    { "catalog", "the catalog: info", vmc_cmd_catalog },
    { "demo", "a tour of the built-in catalog and the CPU engine", vmc_cmd_demo },
    { NULL },
};

static void
vmc_usage(FILE *out)
{
    fprintf(out,
            "Usage: vmcompat COMMAND [SUBCOMMAND] [OPTIONS] ARGS...\n"
            "\n"
            "Says ahead of time, with exact reasons, whether a QEMU/KVM guest can start\n"
            "on a host, migrate to another host, or be restored there.\n"
            "\nCommands:\n");
    for (const VmcCliCommand *c = top_commands; c->name; c++)
        fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out,
            "\nCommon options: --json, --arch ARCH, --catalog DIR, --cpu-map DIR\n"
            "Exit status: 0 answered, 1 negative answer with --fail-*, 2 bad input.\n"
            "See vmcompat(1).\n");
}

int
main(int argc, char **argv)
{
    VmcCli cli = { .prog = "vmcompat", .arch = VMC_ARCH_N };
    int rc;

    setlocale(LC_ALL, "");
    if (argc < 2) {
        vmc_usage(stderr);
        return VMC_EXIT_BAD_INPUT;
    }
    if (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") ||
        g_str_equal(argv[1], "help")) {
        vmc_usage(stdout);
        return VMC_EXIT_OK;
    }
    if (g_str_equal(argv[1], "--version")) {
        printf("vmcompat %s\n", VMC_VERSION);
        return VMC_EXIT_OK;
    }
    rc = -1;
    for (const VmcCliCommand *c = top_commands; c->name; c++) {
        if (g_str_equal(c->name, argv[1])) {
            g_autofree char *prog = g_strdup_printf("vmcompat %s", c->name);
            cli.prog = prog;
            rc = c->run(&cli, argc - 1, argv + 1);
            break;
        }
    }
    if (rc < 0) {
        fprintf(stderr, "vmcompat: unknown command '%s'\n", argv[1]);
        vmc_usage(stderr);
        rc = VMC_EXIT_BAD_INPUT;
    }
    g_clear_pointer(&cli.cat, vmc_catalog_unref);
    g_strfreev(cli.overlays);
    g_free(cli.cpu_map);
    return rc;
}
