/* cmd-guestos.c: `vmcompat guestos tier|list|check|policy` — the guest OS
 * support policy of seed 002 on osinfo-db data (docs/guestos.md), and the
 * options `guest resolve` / `guest check` share to report guest-os-*
 * reasons. */
#include "cli.h"

#include <stdio.h>

/* ---- shared with cmd-guest.c ---------------------------------------------- */

gboolean
vmc_cli_os_context(VmcCli *cli, const char *policy, const char *date, VmcOsPolicy **ret_policy,
                   GDate *ret_date, int *ret_exit)
{
    g_autoptr(GError) error = NULL;

    if (date) {
        if (!vmc_date_parse(date, ret_date, &error)) {
            *ret_exit = vmc_cli_usage_error(cli, "--date: %s", error->message);
            return FALSE;
        }
    } else {
        g_autoptr(GDateTime) now = g_date_time_new_now_local();
        g_date_clear(ret_date, 1);
        g_date_set_dmy(ret_date, g_date_time_get_day_of_month(now),
                       g_date_time_get_month(now), g_date_time_get_year(now));
    }
    if (!(*ret_policy = vmc_os_policy_parse(policy, &error))) {
        *ret_exit = vmc_cli_fail(cli, error);
        return FALSE;
    }
    return TRUE;
}

void
vmc_cli_os_reasons(VmcCli *cli, const char *db_dir, const VmcOsPolicy *policy, const GDate *date,
                   const VmcAbi *abi, VmcVerdict *v)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcOsDb) db = NULL;
    VmcCatalog *cat = cli->cat;

    if (!vmc_abi_get_os(abi) || !cat)
        return;
    db = vmc_os_db_open(db_dir, &error);
    vmc_os_check_abi_reasons(cat, db, error, policy, abi, date, v);
}

/* A date for people: "2026-11-22", "-" when osinfo-db gives none. */
static char *
guestos_date(const GDate *d)
{
    char *s = vmc_date_to_string(d);
    return s ? s : g_strdup("-");
}

static json_object *
guestos_json(const VmcOsInfo *os)
{
    json_object *o = json_object_new_object();
    g_autofree char *rel = guestos_date(&os->release);
    g_autofree char *eol = guestos_date(&os->eol);

    json_object_object_add(o, "os", json_object_new_string(os->short_id ? os->short_id : os->id));
    json_object_object_add(o, "id", json_object_new_string(os->id));
    json_object_object_add(o, "name", os->name ? json_object_new_string(os->name) : NULL);
    json_object_object_add(o, "vendor", os->vendor ? json_object_new_string(os->vendor) : NULL);
    json_object_object_add(o, "family", os->family ? json_object_new_string(os->family) : NULL);
    json_object_object_add(o, "release-date", g_date_valid(&os->release) ?
                           json_object_new_string(rel) : NULL);
    json_object_object_add(o, "eol-date", g_date_valid(&os->eol) ? json_object_new_string(eol) : NULL);
    json_object_object_add(o, "status", json_object_new_string(os->status));
    return o;
}

#define GUESTOS_COMMON_ENTRIES(policy, date, db) \
    { "policy", 0, 0, G_OPTION_ARG_STRING, &policy, \
      "vendor (default), age:5y[:10y], or a policy file", "POLICY" }, \
    { "date", 0, 0, G_OPTION_ARG_STRING, &date, "judge on this day (default: today)", "YYYY-MM-DD" }, \
    { "osinfo-db", 0, 0, G_OPTION_ARG_FILENAME, &db, \
      "an osinfo database directory (default: libosinfo's locations, $OSINFO_SYSTEM_DIR)", "DIR" }

static const char guestos_policy_help[] =
    "Tiers (seed 002): Recommended — works with the machine type's defaults;\n"
    "Supported — works, may need special settings; Unsupported — not expected to\n"
    "work, or no longer looked after. Policies: vendor (default): Recommended while\n"
    "the vendor supports the OS, Supported for 5 years after its end of life, then\n"
    "Unsupported; age:5y: Recommended when released within 5 years of the date,\n"
    "Supported within 10 (age:5y:8y sets both); a policy file (JSON, see\n"
    "docs/guestos.md) sets the windows and pins OSes to tiers. OS data comes from\n"
    "osinfo-db through libosinfo.\n";

/* ---- guestos tier ----------------------------------------------------------- */

static int
cmd_guestos_tier(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *policy_arg = NULL, *date_arg = NULL, *db_arg = NULL;
    GOptionEntry entries[] = { GUESTOS_COMMON_ENTRIES(policy_arg, date_arg, db_arg), { NULL } };
    g_autoptr(GOptionContext) ctx = g_option_context_new("OS - the support tier of a guest OS, and why");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcOsPolicy) policy = NULL;
    g_autoptr(VmcOsDb) db = NULL;
    g_autofree char *reason = NULL;
    const VmcOsInfo *os;
    VmcOsTier tier;
    GDate date;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, "OS is a short id (rhel6.10) or an osinfo id\n"
                                     "(http://redhat.com/rhel/6.10).\n\n"
                                     "Exit status 0, or 2 on bad input or an unusable database.\n\n");
    g_option_context_set_summary(ctx, guestos_policy_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one OS (a short id such as rhel6.10)");
    if (!vmc_cli_os_context(cli, policy_arg, date_arg, &policy, &date, &rc))
        return rc;
    if (!(db = vmc_os_db_open(db_arg, &error)) || !(os = vmc_os_db_lookup(db, argv[1], &error)))
        return vmc_cli_fail(cli, error);
    tier = vmc_os_policy_tier(policy, os, &date, &reason);
    if (cli->json) {
        json_object *o = guestos_json(os);
        g_autofree char *d = guestos_date(&date);
        json_object_object_add(o, "tier", json_object_new_string(vmc_os_tier_to_string(tier)));
        json_object_object_add(o, "reason", json_object_new_string(reason));
        json_object_object_add(o, "policy", json_object_new_string(vmc_os_policy_get_name(policy)));
        json_object_object_add(o, "date", json_object_new_string(d));
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        printf("%s: %s — %s\n", os->short_id ? os->short_id : os->id, vmc_os_tier_title(tier), reason);
    }
    return VMC_EXIT_OK;
}

/* ---- guestos list ----------------------------------------------------------- */

static int
cmd_guestos_list(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *policy_arg = NULL, *date_arg = NULL, *db_arg = NULL;
    g_autofree char *tier_arg = NULL, *family_arg = NULL;
    GOptionEntry entries[] = {
        GUESTOS_COMMON_ENTRIES(policy_arg, date_arg, db_arg),
        { "tier", 0, 0, G_OPTION_ARG_STRING, &tier_arg, "only this tier", "recommended|supported|unsupported" },
        { "family", 0, 0, G_OPTION_ARG_STRING, &family_arg, "only this OS family (linux, winnt, ...)", "FAMILY" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the tier of every OS osinfo-db knows");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcOsPolicy) policy = NULL;
    g_autoptr(VmcOsDb) db = NULL;
    json_object *arr = NULL;
    guint counts[3] = { 0 };
    VmcOsTier only = VMC_OS_TIER_RECOMMENDED;
    g_autofree char *d = NULL;
    GDate date;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(ctx, guestos_policy_help);
    g_option_context_set_description(ctx, "One row per OS, sorted by short id: tier, release\n"
                                     "and end-of-life dates, name. --json adds the reason.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (tier_arg && !vmc_os_tier_from_string(tier_arg, &only))
        return vmc_cli_usage_error(cli, "--tier: '%s' is not a tier (recommended, supported, "
                                   "unsupported)", tier_arg);
    if (!vmc_cli_os_context(cli, policy_arg, date_arg, &policy, &date, &rc))
        return rc;
    if (!(db = vmc_os_db_open(db_arg, &error)))
        return vmc_cli_fail(cli, error);
    d = guestos_date(&date);
    if (cli->json)
        arr = json_object_new_array();
    else
        printf("# %s; policy %s on %s\n%-24s %-12s %-10s %-10s %s\n", vmc_os_db_describe(db),
               vmc_os_policy_get_name(policy), d, "OS", "TIER", "RELEASED", "EOL", "NAME");
    for (guint i = 0; i < vmc_os_db_count(db); i++) {
        const VmcOsInfo *os = vmc_os_db_get(db, i);
        g_autofree char *reason = NULL;
        VmcOsTier tier;
        if (family_arg && g_strcmp0(os->family, family_arg) != 0)
            continue;
        tier = vmc_os_policy_tier(policy, os, &date, &reason);
        if (tier_arg && tier != only)
            continue;
        counts[tier]++;
        if (arr) {
            json_object *o = guestos_json(os);
            json_object_object_add(o, "tier", json_object_new_string(vmc_os_tier_to_string(tier)));
            json_object_object_add(o, "reason", json_object_new_string(reason));
            json_object_array_add(arr, o);
        } else {
            g_autofree char *rel = guestos_date(&os->release);
            g_autofree char *eol = guestos_date(&os->eol);
            printf("%-24s %-12s %-10s %-10s %s\n", os->short_id ? os->short_id : os->id,
                   vmc_os_tier_title(tier), rel, eol, os->name ? os->name : "");
        }
    }
    if (arr) {
        vmc_cli_print_json(arr);
        json_object_put(arr);
    } else {
        printf("# %u operating systems: %u Recommended, %u Supported, %u Unsupported\n",
               counts[0] + counts[1] + counts[2], counts[0], counts[1], counts[2]);
    }
    return VMC_EXIT_OK;
}

/* ---- guestos check ---------------------------------------------------------- */

static int
cmd_guestos_check(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *policy_arg = NULL, *date_arg = NULL, *db_arg = NULL, *machine_arg = NULL;
    GOptionEntry entries[] = {
        GUESTOS_COMMON_ENTRIES(policy_arg, date_arg, db_arg),
        { "machine", 'M', 0, G_OPTION_ARG_STRING, &machine_arg,
          "the machine type (name or alias; default: GUEST's)", "MACHINE" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("OS --machine M [GUEST] - what of a machine "
                                                         "type's defaults an OS cannot use, and the fix");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcOsPolicy) policy = NULL;
    g_autoptr(VmcOsDb) db = NULL;
    g_autoptr(VmcGuest) guest = NULL;
    g_autoptr(VmcOsCheck) check = NULL;
    const VmcOsInfo *os;
    VmcCatalog *cat;
    const char *machine;
    GDate date;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(ctx, guestos_policy_help);
    g_option_context_set_description(ctx,
        "Without GUEST, the devices are those management tools add for the OS (virtio\n"
        "for every kind it has built-in drivers for) where the machine type puts them:\n"
        "on q35, PCI Express root ports, where QEMU presents virtio 1.0 only. With\n"
        "GUEST (libvirt domain XML, guest JSON, a QEMU command line), its own virtio\n"
        "devices, models and slots. Problems: virtio-legacy-only, virtio-needs-driver,\n"
        "virtio-no-driver, chipset-q35-unrecorded — each with the\n"
        "fix (transitional virtio on a pci-bridge, or i440fx).\n\n"
        "Exit status 0 when the OS needs nothing and is not Unsupported, 1 otherwise,\n"
        "2 on bad input.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2 && argc != 3)
        return vmc_cli_usage_error(cli, "expected OS and an optional GUEST");
    machine = machine_arg;
    if (!vmc_cli_os_context(cli, policy_arg, date_arg, &policy, &date, &rc))
        return rc;
    if (!(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);
    if (argc == 3) {
        if (!(guest = vmc_guest_load(cat, argv[2], &error)))
            return vmc_cli_fail(cli, error);
        if (!machine)
            machine = vmc_guest_get_machine(guest);
    }
    if (!machine)
        return vmc_cli_usage_error(cli, "--machine MACHINE is required (the guest names none)");
    if (!(db = vmc_os_db_open(db_arg, &error)) || !(os = vmc_os_db_lookup(db, argv[1], &error)))
        return vmc_cli_fail(cli, error);
    check = vmc_os_check(cat, policy, os, machine,
                         guest && vmc_guest_get_virtio_count(guest) ? vmc_guest_get_virtio(guest, 0) : NULL,
                         guest ? (int) vmc_guest_get_virtio_count(guest) : -1, &date, &error);
    if (!check)
        return vmc_cli_fail(cli, error);
    if (cli->json) {
        g_autofree char *json = vmc_os_check_to_json(check);
        fputs(json, stdout);
    } else {
        GPtrArray *notes = vmc_os_check_get_notes(check);
        g_autofree char *d = guestos_date(&date);
        printf("%s on %s: %s%s\n", os->short_id ? os->short_id : os->id,
               vmc_os_check_get_machine(check), vmc_os_tier_title(vmc_os_check_get_tier(check)),
               vmc_os_check_get_problem_count(check) &&
               vmc_os_check_get_tier(check) == VMC_OS_TIER_SUPPORTED ? ", with the settings below" : "");
        printf("  policy %s on %s: %s — %s\n", vmc_os_policy_get_name(policy), d,
               vmc_os_tier_title(vmc_os_check_get_policy_tier(check)),
               vmc_os_check_get_policy_reason(check));
        if (vmc_os_check_get_problem_count(check) == 0)
            printf("  nothing in %s%s stops it\n", vmc_os_check_get_machine(check),
                   guest ? " and the guest's devices" : "'s defaults");
        for (guint i = 0; i < vmc_os_check_get_problem_count(check); i++) {
            const VmcOsProblem *p = vmc_os_check_get_problem(check, i);
            printf("  problem [%s] %s: %s\n    fix: %s\n", p->code, p->subject, p->problem, p->fix);
        }
        for (guint i = 0; i < notes->len; i++)
            printf("  note: %s\n", (const char *) g_ptr_array_index(notes, i));
    }
    return vmc_os_check_get_problem_count(check) == 0 &&
           vmc_os_check_get_tier(check) != VMC_OS_TIER_UNSUPPORTED ? VMC_EXIT_OK : VMC_EXIT_NEGATIVE;
}

/* ---- guestos policy --------------------------------------------------------- */

static int
cmd_guestos_policy(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *policy_arg = NULL;
    GOptionEntry entries[] = {
        { "policy", 0, 0, G_OPTION_ARG_STRING, &policy_arg,
          "vendor (default), age:5y[:10y], or a policy file", "POLICY" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the effective policy, as a policy file");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcOsPolicy) policy = NULL;
    g_autofree char *json = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(ctx, guestos_policy_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!(policy = vmc_os_policy_parse(policy_arg, &error)))
        return vmc_cli_fail(cli, error);
    json = vmc_os_policy_to_json(policy);
    fputs(json, stdout);
    return VMC_EXIT_OK;
}

static const VmcCliCommand guestos_commands[] = {
    { "tier", "the support tier of an OS on a date, and why", cmd_guestos_tier },
    { "list", "the tier of every OS osinfo-db knows", cmd_guestos_list },
    { "check", "what of a machine type's defaults (and a guest's devices) an OS cannot use",
      cmd_guestos_check },
    { "policy", "the effective policy, as a policy file to start from", cmd_guestos_policy },
    { NULL },
};

int
vmc_cmd_guestos(VmcCli *cli, int argc, char **argv)
{
    return vmc_cli_dispatch(cli, "guestos", guestos_commands, argc, argv);
}
