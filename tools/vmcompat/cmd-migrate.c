/* cmd-migrate.c: vmcompat migrate check — can this guest move live from
 * one host to another (and back), under its CPU check mode. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

/* The ABI of argument @arg: a migration record (docs/record.md), a resolved
 * ABI (JSON with a fingerprint), else
 * a guest definition resolved on @host (fail, never flip). */
static VmcAbi *
read_abi_or_guest(VmcCli *cli, const char *arg, const VmcHost *host, GError **error)
{
    VmcCatalog *cat = vmc_cli_catalog(cli, error);
    g_autofree char *text = NULL;
    gsize len = 0;

    if (!cat)
        return NULL;
    if (!g_file_get_contents(arg, &text, &len, error)) {
        g_prefix_error(error, "%s: ", arg);
        return NULL;
    }
    if (len >= 8 && memcmp(text, "\x89VMC\r\n\x1a\n", 8) == 0) {   /* a migration record */
        g_autoptr(VmcRecord) rec = vmc_record_parse((const guint8 *) text, len, arg, error);
        return rec ? vmc_record_get_abi(rec, cat, error) : NULL;
    }
    if (strstr(text, "\"fingerprint\"") && text[strspn(text, " \t\r\n")] == '{')
        return vmc_abi_parse(cat, text, len, arg, error);
    {
        g_autoptr(VmcGuest) g = vmc_guest_load(cat, arg, error);
        if (!g)
            return NULL;
        return vmc_guest_resolve(cat, g, host, NULL, error);
    }
}

static int
cmd_migrate_check(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *from = NULL, *to = NULL, *check = NULL;
    gboolean both = FALSE;
    GOptionEntry entries[] = {
        { "from", 0, 0, G_OPTION_ARG_FILENAME, &from, "the source host (required)", "SRC" },
        { "to", 0, 0, G_OPTION_ARG_FILENAME, &to, "the destination host (required)", "DST" },
        { "both-ways", 0, 0, G_OPTION_ARG_NONE, &both, "also check the way back, DST to SRC", NULL },
        { "check", 0, 0, G_OPTION_ARG_STRING, &check,
          "CPU check mode: none, partial, full (default: the ABI's own, as libvirt)", "MODE" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("ABI --from SRC --to DST - can this guest migrate live?");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) src = NULL;
    g_autoptr(VmcHost) dst = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(VmcVerdict) there = NULL;
    g_autoptr(VmcVerdict) back = NULL;
    VmcCpuCheck mode;
    gboolean ok;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "ABI is a resolved ABI ('vmcompat guest resolve'), a migration record ('vmcompat\n"
        "record write') or a guest definition (libvirt\n"
        "domain XML, QEMU command line, guest JSON), then resolved on SRC. SRC and DST\n"
        "are host documents or anything 'vmcompat host convert' reads.\n"
        "\n"
        "The destination must present the same guest: its QEMU must have the machine\n"
        "type, know every tunable and have the capabilities their values need, and\n"
        "present the CPU as the check mode says: full — the updated CPU exactly;\n"
        "partial — what the original CPU asks for (features the hypervisor added are\n"
        "warnings: the guest would lose them); none — CPU differences are warnings.\n"
        "See docs/migration.md.\n"
        "\n"
        "Exit status: 0 the migration works (every direction asked), 1 it does not,\n"
        "2 bad input.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one ABI or guest");
    if (!from || !to)
        return vmc_cli_usage_error(cli, "--from SRC and --to DST are required");
    if (!vmc_cli_check_mode(cli, check, &mode, &rc))
        return rc;
    if (!(src = vmc_cli_read_host(cli, from, &error)) ||
        !(dst = vmc_cli_read_host(cli, to, &error)) ||
        !(abi = read_abi_or_guest(cli, argv[1], src, &error)))
        return vmc_cli_fail(cli, error);
    if (mode == VMC_CPU_CHECK_DEFAULT)
        mode = vmc_abi_get_check(abi);
    there = vmc_migrate_check(abi, src, dst, mode);
    if (both)
        back = vmc_migrate_check(abi, dst, src, mode);
    ok = vmc_verdict_ok(there) && (!back || vmc_verdict_ok(back));
    if (cli->json) {
        json_object *o = vmc_qmp_migration_info(abi, src, dst, mode, there, back);
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        g_autofree char *rel = vmc_release_to_string(vmc_abi_get_release(abi));
        printf("guest %s (%s, %s, CPU %s), check=%s\n", vmc_abi_get_fingerprint(abi),
               vmc_abi_get_machine(abi), rel,
               vmc_cpu_def_get_model(vmc_abi_get_cpu_updated(abi)) ?
               vmc_cpu_def_get_model(vmc_abi_get_cpu_updated(abi)) : "-",
               vmc_cpu_check_to_string(mode));
        for (guint d = 0; d < (back ? 2u : 1u); d++) {
            const VmcHost *a = d ? dst : src, *b = d ? src : dst;
            const VmcVerdict *v = d ? back : there;
            printf("%s -> %s: %s\n", vmc_host_get_name(a), vmc_host_get_name(b),
                   vmc_verdict_ok(v) ? "yes" : "no");
            vmc_cli_print_reasons(v, "  ");
        }
    }
    return ok ? VMC_EXIT_OK : VMC_EXIT_NEGATIVE;
}

static const VmcCliCommand migrate_commands[] = {
    { "check", "can this guest migrate live from SRC to DST (and back)?", cmd_migrate_check },
    { NULL },
};

int
vmc_cmd_migrate(VmcCli *cli, int argc, char **argv)
{
    return vmc_cli_dispatch(cli, "migrate", migrate_commands, argc, argv);
}
