/* cmd-guest.c: `vmcompat guest resolve|check|qemu-args`, `vmcompat host
 * platforms` and `vmcompat machine list|show` — guests made explicit for a
 * host (seeds 003/004): fail, never flip. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static gboolean
vmc_cli_write(const char *path, const char *text, GError **error)
{
    if (!path || g_str_equal(path, "-")) {
        fputs(text, stdout);
        return TRUE;
    }
    return g_file_set_contents(path, text, -1, error);
}

/* ---- guest resolve ------------------------------------------------------ */

static int
cmd_guest_resolve(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *host_arg = NULL, *release_arg = NULL, *out = NULL;
    g_autofree char *os_policy = NULL, *os_date = NULL, *os_db = NULL;
    GOptionEntry entries[] = {
        { "host", 0, 0, G_OPTION_ARG_FILENAME, &host_arg, "the host to resolve for (required)", "HOST" },
        { "release", 0, 0, G_OPTION_ARG_STRING, &release_arg,
          "the QEMU release (default: the host's QEMU, else the newest known)", "qemu-X.Y" },
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "write the ABI to FILE", "FILE" },
        VMC_CLI_OS_ENTRIES(os_policy, os_date, os_db),
        { NULL },
    };
    g_autoptr(VmcOsPolicy) policy = NULL;
    g_autoptr(VmcVerdict) osv = vmc_verdict_new();
    GDate date;
    g_autoptr(GOptionContext) ctx = g_option_context_new("GUEST --host HOST - the resolved ABI of a guest on a host");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(VmcGuest) guest = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autofree char *json = NULL;
    VmcRelease rel;
    VmcCatalog *cat;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "GUEST is libvirt domain XML, a guest JSON document, or a file holding a QEMU\n"
        "command line (-machine pc-q35-9.1 -platform linux-6.9 -cpu Skylake-Client-v4,+avx512f\n"
        "-device virtio-net-pci,host_uso=on). The resolved ABI names the concrete machine\n"
        "type, the platform (the host's default when the guest names none), every\n"
        "host-dependent tunable with its value, and the CPU as asked and as QEMU presents\n"
        "it, with a SHA-256 fingerprint. If the host cannot give what the guest asks for,\n"
        "nothing is flipped: resolution fails naming the missing capability (exit 1).\n\n"
        "A guest that names its OS (libvirt <metadata><libosinfo:os id=...>, guest\n"
        "JSON \"os\") is also judged by the guest OS policy (docs/guestos.md): the\n"
        "reasons go to stderr — guest-os-needs-settings (error: a device the OS cannot\n"
        "drive, with the fix; the ABI is still written, exit 1), guest-os-unsupported\n"
        "(warning), guest-os-unknown (warning), guest-os-tier (note).\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one GUEST");
    if (!host_arg)
        return vmc_cli_usage_error(cli, "--host HOST is required");
    if (!vmc_cli_os_context(cli, os_policy, os_date, &policy, &date, &rc))
        return rc;
    if (release_arg && !vmc_release_parse(release_arg, &rel, &error))
        return vmc_cli_fail(cli, error);
    if (!(cat = vmc_cli_catalog(cli, &error)) ||
        !(host = vmc_cli_read_host(cli, host_arg, &error)) ||
        !(guest = vmc_guest_load(cat, argv[1], &error)))
        return vmc_cli_fail(cli, error);
    abi = vmc_guest_resolve(cat, guest, host, release_arg ? &rel : NULL, &error);
    if (!abi)
        return vmc_cli_fail_answer(cli, error);
    json = vmc_abi_to_json(abi);
    if (!vmc_cli_write(out, json, &error))
        return vmc_cli_fail(cli, error);
    vmc_cli_os_reasons(cli, os_db, policy, &date, abi, osv);
    for (guint i = 0; i < vmc_verdict_count(osv); i++) {
        const VmcReason *r = vmc_verdict_get(osv, i);
        fprintf(stderr, "%s: %s [%s] %s\n", cli->prog, vmc_severity_to_string(r->severity),
                r->kind, r->message);
    }
    return vmc_verdict_ok(osv) ? VMC_EXIT_OK : VMC_EXIT_NEGATIVE;
}

/* ---- guest check -------------------------------------------------------- */

static int
cmd_guest_check(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *host_arg = NULL;
    g_autofree char *check = NULL;
    g_autofree char *os_policy = NULL, *os_date = NULL, *os_db = NULL;
    GOptionEntry entries[] = {
        { "host", 0, 0, G_OPTION_ARG_FILENAME, &host_arg, "the host (required)", "HOST" },
        { "check", 0, 0, G_OPTION_ARG_STRING, &check,
          "CPU check mode: none, partial, full (default: the ABI's own, as libvirt)", "MODE" },
        VMC_CLI_OS_ENTRIES(os_policy, os_date, os_db),
        { NULL },
    };
    g_autoptr(VmcOsPolicy) policy = NULL;
    GDate date;
    g_autoptr(GOptionContext) ctx = g_option_context_new("ABI --host HOST - can this resolved ABI run on HOST?");
    VmcCpuCheck mode;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    VmcCatalog *cat;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Exit status 0 when the ABI runs on HOST as resolved, 1 when it cannot (each\n"
        "reason typed: host-capability-missing, cpu-feature-missing,\n"
        "machine-type-unknown, tunable-unknown, accel-unavailable, ...), 2 on bad input.\n"
        "The check mode decides what is asked of the CPU (docs/migration.md): full —\n"
        "the updated CPU exactly; partial — the original CPU, features the hypervisor\n"
        "added are warnings; none — CPU differences are warnings only.\n\n"
        "When the guest names its OS, the guest OS policy adds guest-os-needs-settings\n"
        "(error), guest-os-unsupported (warning), guest-os-unknown, guest-os-tier\n"
        "(docs/guestos.md).\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one ABI (from 'vmcompat guest resolve')");
    if (!vmc_cli_check_mode(cli, check, &mode, &rc))
        return rc;
    if (!host_arg)
        return vmc_cli_usage_error(cli, "--host HOST is required");
    if (!vmc_cli_os_context(cli, os_policy, os_date, &policy, &date, &rc))
        return rc;
    if (!(cat = vmc_cli_catalog(cli, &error)) ||
        !(abi = vmc_abi_load(cat, argv[1], &error)) ||
        !(host = vmc_cli_read_host(cli, host_arg, &error)))
        return vmc_cli_fail(cli, error);
    v = vmc_abi_check_mode(abi, host, mode);
    vmc_cli_os_reasons(cli, os_db, policy, &date, abi, v);
    vmc_cli_print_verdict(cli, v, "runnable");
    return vmc_verdict_ok(v) ? VMC_EXIT_OK : VMC_EXIT_NEGATIVE;
}

/* ---- guest qemu-args ---------------------------------------------------- */

static int
cmd_guest_qemu_args(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *host_arg = NULL, *release_arg = NULL;
    GOptionEntry entries[] = {
        { "host", 0, 0, G_OPTION_ARG_FILENAME, &host_arg,
          "check the ABI against HOST first; refuse (exit 1) when it cannot run there; "
          "write arguments for HOST's QEMU", "HOST" },
        { "release", 0, 0, G_OPTION_ARG_STRING, &release_arg,
          "write arguments for that QEMU release (default: the ABI's, or HOST's)", "qemu-X.Y" },
        { NULL },
    };
    VmcRelease target;
    gboolean have_target = FALSE;
    g_autoptr(GOptionContext) ctx = g_option_context_new("ABI - the QEMU command line that starts exactly this ABI");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_auto(GStrv) args = NULL;
    VmcCatalog *cat;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Prints -machine (concrete type), -accel, -cpu with every feature explicit and\n"
        "enforce, and a -global for each host-dependent tunable and each explicit guest\n"
        "property. With --json, a JSON array of arguments. With --host, a tunable or\n"
        "model that host's QEMU does not know is an error before start, not a QEMU failure.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one ABI (from 'vmcompat guest resolve')");
    if (!(cat = vmc_cli_catalog(cli, &error)) || !(abi = vmc_abi_load(cat, argv[1], &error)))
        return vmc_cli_fail(cli, error);
    if (host_arg) {
        g_autoptr(VmcHost) host = vmc_cli_read_host(cli, host_arg, &error);
        g_autoptr(VmcVerdict) v = NULL;
        const VmcReason *bad;
        if (!host)
            return vmc_cli_fail(cli, error);
        v = vmc_abi_check(abi, host);
        if ((bad = vmc_verdict_first_error(v))) {
            fprintf(stderr, "vmcompat: host does not support running this guest: %s\n", bad->message);
            return VMC_EXIT_NEGATIVE;
        }
        have_target = vmc_host_get_qemu_version(host) &&
                      vmc_release_parse(vmc_host_get_qemu_version(host), &target, NULL);
    }
    if (release_arg && !vmc_release_parse(release_arg, &target, &error))
        return vmc_cli_fail(cli, error);
    if (!(args = vmc_abi_qemu_args_for(abi, have_target || release_arg ? &target : NULL, &error)))
        return vmc_cli_fail_answer(cli, error);
    if (cli->json) {
        json_object *arr = json_object_new_array();
        for (char **a = args; *a; a++)
            json_object_array_add(arr, json_object_new_string(*a));
        vmc_cli_print_json(arr);
        json_object_put(arr);
    } else {
        for (char **a = args; *a; a++) {
            g_autofree char *q = g_shell_quote(*a);
            printf("%s%s", a == args ? "" : (**a == '-' ? " \\\n  " : " "), q);
        }
        printf("\n");
    }
    return VMC_EXIT_OK;
}

static const VmcCliCommand guest_commands[] = {
    { "resolve", "make a guest explicit for a host: the resolved ABI", cmd_guest_resolve },
    { "check", "can a resolved ABI run on a host?", cmd_guest_check },
    { "qemu-args", "the QEMU command line of a resolved ABI", cmd_guest_qemu_args },
    { NULL },
};

int
vmc_cmd_guest(VmcCli *cli, int argc, char **argv)
{
    return vmc_cli_dispatch(cli, "guest", guest_commands, argc, argv);
}

/* ---- host platforms ----------------------------------------------------- */

int
vmc_cmd_host_platforms(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOST - the platforms a host supports (query-platforms)");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(GArray) rows = NULL;
    VmcCatalog *cat;
    int rc;

    g_option_context_set_description(ctx,
        "Every platform of the catalog, oldest first: supported or not, the capabilities\n"
        "an unsupported one lacks, and the default — the newest platform this host\n"
        "supports (not the newest known). Downstream platforms come from\n"
        "/etc/vmcompat/platforms/, $VMCOMPAT_DATA_DIRS and --catalog DIR.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one HOST");
    if (!(cat = vmc_cli_catalog(cli, &error)) || !(host = vmc_cli_read_host(cli, argv[1], &error)))
        return vmc_cli_fail(cli, error);
    rows = vmc_host_query_platforms(host, cat);
    if (cli->json) {
        json_object *arr = vmc_qmp_platform_info_list(rows);
        vmc_cli_print_json(arr);
        json_object_put(arr);
        return VMC_EXIT_OK;
    }
    {
        g_autofree char *kernel = vmc_host_kernel_version(host);
        printf("Platforms of %s (kernel %s):\n", vmc_host_get_name(host) ? vmc_host_get_name(host) : argv[1],
               kernel ? kernel : "unknown");
    }
    for (guint i = 0; i < rows->len; i++) {
        const VmcHostPlatform *r = &g_array_index(rows, VmcHostPlatform, i);
        g_autofree char *missing = vmc_cli_join(r->missing, ", ", 6);
        if (r->supported)
            printf("  %-18s %s\n", vmc_platform_get_name(r->platform),
                   r->is_default ? "default" : "supported");
        else
            printf("  %-18s %-11s lacks %s\n", vmc_platform_get_name(r->platform), "unsupported",
                   missing);
    }
    if (!rows->len)
        printf("  (the catalog has no platforms)\n");
    return VMC_EXIT_OK;
}

/* ---- machine list / show ------------------------------------------------ */

static int
cmd_machine_list(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *release_arg = NULL;
    GOptionEntry entries[] = {
        { "release", 0, 0, G_OPTION_ARG_STRING, &release_arg,
          "status in that QEMU release (default: the newest known)", "qemu-X.Y" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- machine types of the catalog");
    g_autoptr(GError) error = NULL;
    json_object *arr = NULL;
    VmcCatalog *cat;
    VmcRelease rel;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);
    if (release_arg ? !vmc_release_parse(release_arg, &rel, &error) : !vmc_catalog_newest_release(cat, &rel))
        return vmc_cli_fail(cli, error);
    if (cli->json) {
        arr = vmc_qmp_machine_info_list(cat, cli->arch, &rel);
        vmc_cli_print_json(arr);
        json_object_put(arr);
        return VMC_EXIT_OK;
    }
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        if (cli->arch != VMC_ARCH_N && cli->arch != a)
            continue;
        for (guint i = 0; i < vmc_catalog_machine_count(cat, a); i++) {
            const VmcMachineType *mt = vmc_catalog_machine(cat, a, i);
            VmcMachineStatus st = vmc_machine_type_status(mt, &rel);
            g_autofree char *since = vmc_release_to_string(vmc_machine_type_get_since(mt));
            guint n, hd = 0;
            const VmcCompatProp *p = vmc_machine_type_compat_props(mt, &n);
            for (guint k = 0; k < n; k++)
                hd += p[k].host_dependency == VMC_HOST_DEP_HOST_DEPENDENT;
            printf("%-24s %-7s since %-10s %-10s %3u compat props (%u host-dependent)\n",
                   vmc_machine_type_get_name(mt), vmc_arch_to_string(a), since,
                   vmc_machine_status_to_string(st), n, hd);
        }
    }
    return VMC_EXIT_OK;
}

static int
cmd_machine_show(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *release_arg = NULL;
    GOptionEntry entries[] = {
        { "release", 0, 0, G_OPTION_ARG_STRING, &release_arg, "resolve aliases for that QEMU release", "qemu-X.Y" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("TYPE - a machine type's effective compat properties");
    g_autoptr(GError) error = NULL;
    const VmcMachineType *mt;
    const VmcCompatProp *p;
    VmcCatalog *cat;
    VmcRelease rel;
    guint n;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "TYPE is a machine type or an alias (q35, pc, s390-ccw-virtio). Prints every\n"
        "compat property QEMU applies for it — driver, property, value, the array that\n"
        "set it, and whether it is guest-ABI-only or host-dependent (seed 003).\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one machine TYPE");
    if (release_arg && !vmc_release_parse(release_arg, &rel, &error))
        return vmc_cli_fail(cli, error);
    if (!(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);
    mt = vmc_catalog_machine_find(cat, argv[1], release_arg ? &rel : NULL, NULL);
    if (!mt) {
        fprintf(stderr, "vmcompat: unknown machine type '%s' (see 'vmcompat machine list')\n", argv[1]);
        return VMC_EXIT_BAD_INPUT;
    }
    p = vmc_machine_type_compat_props(mt, &n);
    if (cli->json) {
        json_object *o = json_object_new_object(), *arr = json_object_new_array();
        g_autofree char *since = vmc_release_to_string(vmc_machine_type_get_since(mt));
        json_object_object_add(o, "name", json_object_new_string(vmc_machine_type_get_name(mt)));
        json_object_object_add(o, "since", json_object_new_string(since));
        for (guint i = 0; i < n; i++) {
            json_object *e = json_object_new_object();
            json_object_object_add(e, "driver", json_object_new_string(p[i].driver));
            json_object_object_add(e, "property", json_object_new_string(p[i].property));
            json_object_object_add(e, "value", json_object_new_string(p[i].value));
            json_object_object_add(e, "host-dependency",
                                   json_object_new_string(vmc_host_dependency_to_string(p[i].host_dependency)));
            json_object_object_add(e, "array", json_object_new_string(p[i].array));
            json_object_array_add(arr, e);
        }
        json_object_object_add(o, "compat-props", arr);
        vmc_cli_print_json(o);
        json_object_put(o);
        return VMC_EXIT_OK;
    }
    printf("%s: %u compat properties\n", vmc_machine_type_get_name(mt), n);
    for (guint i = 0; i < n; i++)
        printf("  %-14s %s.%s=%s  (%s)\n",
               p[i].host_dependency == VMC_HOST_DEP_HOST_DEPENDENT ? "host-dependent" : "guest-abi-only",
               p[i].driver, p[i].property, p[i].value, p[i].array);
    return VMC_EXIT_OK;
}

static const VmcCliCommand machine_commands[] = {
    { "list", "machine types: since, status, compat property counts", cmd_machine_list },
    { "show", "a machine type's effective compat properties", cmd_machine_show },
    { NULL },
};

int
vmc_cmd_machine(VmcCli *cli, int argc, char **argv)
{
    return vmc_cli_dispatch(cli, "machine", machine_commands, argc, argv);
}
