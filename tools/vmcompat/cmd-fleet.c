/* cmd-fleet.c: `vmcompat fleet ...` — the inventory (import, hosts, forget,
 * guest add) and its answers (where, baseline, admit, ladder, labels).
 * docs/fleet.md. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char fleet_db_help[] =
    "The inventory: --db FILE (SQLite, created on first use) or --db postgresql://...\n"
    "(a PostgreSQL database several management nodes share), else $VMCOMPAT_FLEET_DB.\n"
    "Filters (--where): cluster=C, host=GLOB, label.K=V, kind=N, vendor=V (the CPU vendor:\n"
    "Intel, AMD, any case, or GenuineIntel...), arch=A (x86_64, s390x), joined with ','.\n";

#define FLEET_DB_ENTRY(db) \
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "the inventory: an SQLite file or a postgresql:// URI", "FILE|URI" }
#define FLEET_WHERE_ENTRY(where) \
    { "where", 0, 0, G_OPTION_ARG_STRING, &where, \
      "only these hosts: cluster=C, host=GLOB, label.K=V, kind=N, vendor=V, arch=A", \
      "KEY=VALUE,..." }

static VmcFleet *
fleet_open(VmcCli *cli, const char *db, GError **error)
{
    VmcCatalog *cat = vmc_cli_catalog(cli, error);
    const char *path = db ? db : g_getenv("VMCOMPAT_FLEET_DB");

    if (!cat)
        return NULL;
    if (!path || !*path) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "no inventory: pass --db FILE or set VMCOMPAT_FLEET_DB");
        return NULL;
    }
    return vmc_fleet_open(cat, path, error);
}

/* ---- import / hosts / forget ------------------------------------------------ */

static int
cmd_fleet_import(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL, *cluster = NULL;
    gint batch = 0;
    GOptionEntry entries[] = {
        FLEET_DB_ENTRY(db),
        { "cluster", 0, 0, G_OPTION_ARG_STRING, &cluster, "cluster of hosts whose input names none", "C" },
        { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "hosts per transaction (default 1000)", "N" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOSTDOC... - add or update hosts");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    VmcFleetImportStats st;
    gboolean ok;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "HOSTDOC is any host input (host document, virsh capabilities/domcapabilities,\n"
        "CPUID dump, QMP capture directory) or a JSON Lines file (*.jsonl: one host\n"
        "document per line, with optional \"cluster\" and \"labels\" members). Hosts are\n"
        "keyed by name: importing again updates them (idempotent). One transaction per\n"
        "batch: a host is stored entirely or not at all; on a bad line the earlier\n"
        "batches stay and the error names file and line (exit 2).\n\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc < 2)
        return vmc_cli_usage_error(cli, "expected at least one HOSTDOC");
    if (batch < 0)
        return vmc_cli_usage_error(cli, "--batch: a positive number");
    if (!(fleet = fleet_open(cli, db, &error)))
        return vmc_cli_fail(cli, error);
    ok = vmc_fleet_import(fleet, (const char *const *) argv + 1, cluster, (guint) batch, &st, &error);
    if (cli->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "hosts-new", json_object_new_int(st.hosts_new));
        json_object_object_add(o, "hosts-updated", json_object_new_int(st.hosts_updated));
        json_object_object_add(o, "hosts-unchanged", json_object_new_int(st.hosts_unchanged));
        json_object_object_add(o, "kinds-new", json_object_new_int(st.kinds_new));
        json_object_object_add(o, "kinds", json_object_new_int(vmc_fleet_count_kinds(fleet)));
        json_object_object_add(o, "batches", json_object_new_int(st.batches));
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        printf("imported: %u new, %u updated, %u unchanged hosts; %u new host kinds (%u kinds); "
               "%u batches committed\n", st.hosts_new, st.hosts_updated, st.hosts_unchanged,
               st.kinds_new, vmc_fleet_count_kinds(fleet), st.batches);
    }
    return ok ? VMC_EXIT_OK : vmc_cli_fail(cli, error);
}

static int
cmd_fleet_hosts(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL, *where = NULL;
    GOptionEntry entries[] = {
        FLEET_DB_ENTRY(db),
        { "where", 0, 0, G_OPTION_ARG_STRING, &where, "filter", "KEY=VALUE,..." },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the hosts of the inventory");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(GArray) hosts = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!(fleet = fleet_open(cli, db, &error)) || !(hosts = vmc_fleet_hosts(fleet, where, &error)))
        return vmc_cli_fail(cli, error);
    if (cli->json) {
        json_object *a = json_object_new_array();
        for (guint i = 0; i < hosts->len; i++) {
            const VmcFleetHost *h = &g_array_index(hosts, VmcFleetHost, i);
            json_object *o = json_object_new_object();
            json_object_object_add(o, "name", json_object_new_string(h->name));
            json_object_object_add(o, "cluster", h->cluster ? json_object_new_string(h->cluster) : NULL);
            json_object_object_add(o, "labels", json_tokener_parse(h->labels));
            json_object_object_add(o, "kernel", h->kernel ? json_object_new_string(h->kernel) : NULL);
            json_object_object_add(o, "kind", json_object_new_int64(h->kind));
            json_object_object_add(o, "kind-fingerprint", json_object_new_string(h->kind_fingerprint));
            json_object_array_add(a, o);
        }
        vmc_cli_print_json(a);
        json_object_put(a);
        return VMC_EXIT_OK;
    }
    printf("%-32s %-16s %-6s %-28s %s\n", "HOST", "CLUSTER", "KIND", "KERNEL", "LABELS");
    for (guint i = 0; i < hosts->len; i++) {
        const VmcFleetHost *h = &g_array_index(hosts, VmcFleetHost, i);
        printf("%-32s %-16s %-6" G_GINT64_FORMAT " %-28s %s\n", h->name, h->cluster ? h->cluster : "-",
               h->kind, h->kernel ? h->kernel : "-", h->labels);
    }
    printf("# %u hosts, %u host kinds in the inventory\n", hosts->len, vmc_fleet_count_kinds(fleet));
    return VMC_EXIT_OK;
}

static int
cmd_fleet_forget(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL;
    GOptionEntry entries[] = { FLEET_DB_ENTRY(db), { NULL } };
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOST... - remove hosts from the inventory");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc < 2)
        return vmc_cli_usage_error(cli, "expected at least one HOST");
    if (!(fleet = fleet_open(cli, db, &error)))
        return vmc_cli_fail(cli, error);
    for (int i = 1; i < argc; i++)
        if (!vmc_fleet_forget(fleet, argv[i], &error))
            return vmc_cli_fail(cli, error);
    return VMC_EXIT_OK;
}

/* ---- guests ----------------------------------------------------------------- */

static int
cmd_fleet_guest_add(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL, *host_name = NULL, *name = NULL;
    GOptionEntry entries[] = {
        FLEET_DB_ENTRY(db),
        { "host", 0, 0, G_OPTION_ARG_STRING, &host_name, "the inventory host it runs on (required)", "HOST" },
        { "name", 0, 0, G_OPTION_ARG_STRING, &name,
          "the guest's name (default: its own — libvirt <name>, JSON \"name\" — else the file)", "NAME" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("GUEST|ABI --host H - record a guest and where it runs");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    VmcCatalog *cat;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "A guest definition (libvirt XML, guest JSON, QEMU command line) is resolved on\n"
        "HOST's kind, as `guest resolve` would; a resolved ABI is stored as is.\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one GUEST or ABI");
    if (!host_name)
        return vmc_cli_usage_error(cli, "--host HOST is required");
    if (!(fleet = fleet_open(cli, db, &error)) || !(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);
    abi = vmc_abi_load(cat, argv[1], NULL);
    if (!abi) {
        g_autoptr(VmcGuest) guest = vmc_guest_load(cat, argv[1], &error);
        if (!guest)
            return vmc_cli_fail(cli, error);
        if (!(abi = vmc_fleet_resolve(fleet, guest, host_name, &error)))
            return vmc_cli_fail_answer(cli, error);
    }
    /* the guest's own name (libvirt <name>, JSON "name"; a command line has
     * none and is named after its file) unless --name says otherwise */
    if (!vmc_fleet_guest_add(fleet, name ? name : vmc_abi_get_guest_name(abi) ? vmc_abi_get_guest_name(abi) :
                             argv[1], abi, host_name, &error))
        return vmc_cli_fail(cli, error);
    return VMC_EXIT_OK;
}

/* ---- where ------------------------------------------------------------------ */

static void
fleet_print_where(VmcCli *cli, GArray *rows, const char *what)
{
    guint ok_hosts = 0, ok_kinds = 0, hosts = 0;

    for (guint i = 0; i < rows->len; i++) {
        const VmcFleetKindVerdict *kv = &g_array_index(rows, VmcFleetKindVerdict, i);
        hosts += kv->n_hosts;
        if (vmc_verdict_ok(kv->verdict)) {
            ok_hosts += kv->n_hosts;
            ok_kinds++;
        }
    }
    if (cli->json) {
        json_object *o = json_object_new_object();
        json_object *a = json_object_new_array();
        json_object_object_add(o, "hosts", json_object_new_int(hosts));
        json_object_object_add(o, "hosts-ok", json_object_new_int(ok_hosts));
        json_object_object_add(o, "kinds", json_object_new_int(rows->len));
        json_object_object_add(o, "kinds-ok", json_object_new_int(ok_kinds));
        for (guint i = 0; i < rows->len; i++) {
            const VmcFleetKindVerdict *kv = &g_array_index(rows, VmcFleetKindVerdict, i);
            g_autofree char *vj = vmc_verdict_to_json(kv->verdict);
            json_object *k = json_object_new_object();
            json_object_object_add(k, "kind", json_object_new_int64(kv->kind));
            json_object_object_add(k, "fingerprint", json_object_new_string(kv->fingerprint));
            json_object_object_add(k, "hosts", json_object_new_int(kv->n_hosts));
            json_object_object_add(k, "example", json_object_new_string(kv->example));
            json_object_object_add(k, "verdict", json_tokener_parse(vj));
            json_object_array_add(a, k);
        }
        json_object_object_add(o, "by-kind", a);
        vmc_cli_print_json(o);
        json_object_put(o);
        return;
    }
    printf("%s: %u of %u hosts (%u of %u host kinds)\n", what, ok_hosts, hosts, ok_kinds, rows->len);
    for (guint i = 0; i < rows->len; i++) {
        const VmcFleetKindVerdict *kv = &g_array_index(rows, VmcFleetKindVerdict, i);
        const VmcReason *bad = vmc_verdict_first_error(kv->verdict);
        printf("  kind %-4" G_GINT64_FORMAT " %6u hosts (e.g. %s): %s\n", kv->kind, kv->n_hosts,
               kv->example, bad ? "no" : "yes");
        if (bad)
            vmc_cli_print_reasons(kv->verdict, "      ");
    }
}

static int
cmd_fleet_where(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL, *where = NULL, *check = NULL, *guest_name = NULL;
    GOptionEntry entries[] = {
        FLEET_DB_ENTRY(db),
        FLEET_WHERE_ENTRY(where),
        { "check", 0, 0, G_OPTION_ARG_STRING, &check, "CPU check mode: none, partial, full", "MODE" },
        { "guest", 0, 0, G_OPTION_ARG_STRING, &guest_name,
          "a recorded guest: where can it migrate from the host it runs on", "NAME" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("[ABI|GUEST] - the hosts that can run a guest");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(VmcGuest) guest = NULL;
    g_autoptr(GArray) rows = NULL;
    g_autofree char *from = NULL;
    VmcCpuCheck mode;
    VmcCatalog *cat;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "ABI (from 'guest resolve'): the hosts that can start it as resolved (guest\n"
        "check). GUEST (a definition): resolved on every host kind, then checked.\n"
        "--guest NAME: a recorded guest — the hosts it can migrate to live from the host\n"
        "it runs on (migrate check). The reasons are given per host kind that cannot.\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if ((argc == 2) == (guest_name != NULL))
        return vmc_cli_usage_error(cli, "expected one ABI or GUEST, or --guest NAME");
    if (!vmc_cli_check_mode(cli, check, &mode, &rc))
        return rc;
    if (!(fleet = fleet_open(cli, db, &error)) || !(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);
    if (guest_name) {
        if (!(abi = vmc_fleet_guest_get(fleet, guest_name, &from, &error)))
            return vmc_cli_fail(cli, error);
    } else if (!(abi = vmc_abi_load(cat, argv[1], NULL)) &&
               !(guest = vmc_guest_load(cat, argv[1], &error))) {
        return vmc_cli_fail(cli, error);
    }
    rows = vmc_fleet_where(fleet, abi, abi ? NULL : guest, from, mode, where, &error);
    if (!rows)
        return vmc_cli_fail(cli, error);
    if (from) {
        g_autofree char *what = g_strdup_printf("%s can migrate from %s to", guest_name, from);
        fleet_print_where(cli, rows, what);
    } else {
        fleet_print_where(cli, rows, abi ? "runnable on" : "resolvable and runnable on");
    }
    return VMC_EXIT_OK;
}

/* ---- baseline / admit / ladder / labels ---------------------------------------- */

static int
cmd_fleet_baseline(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL, *where = NULL;
    gboolean keep = FALSE;
    GOptionEntry entries[] = {
        FLEET_DB_ENTRY(db),
        FLEET_WHERE_ENTRY(where),
        { "keep-deprecated", 0, 0, G_OPTION_ARG_NONE, &keep,
          "baseline the hardware CPUs: deprecated features the hosts have count", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- the CPU every matching host can run");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(VmcCpuDef) cpu = NULL;
    guint hosts = 0;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "The baseline of the hosts' host-models (deprecated features disabled, seed 000),\n"
        "computed once per host kind with libvirt's baseline rules, migratable features\n"
        "only. Printed as libvirt <cpu> XML (--json: QMP CpuModelInfo).\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!(fleet = fleet_open(cli, db, &error)) ||
        !(cpu = vmc_fleet_baseline(fleet, where, keep, &hosts, &error)))
        return vmc_cli_fail(cli, error);
    if (!cli->json)
        printf("<!-- baseline of %u hosts%s%s -->\n", hosts, where ? " where " : "", where ? where : "");
    vmc_cli_print_cpu(cli, cpu);
    return VMC_EXIT_OK;
}

static int
cmd_fleet_admit(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL, *where = NULL;
    GOptionEntry entries[] = {
        FLEET_DB_ENTRY(db),
        { "where", 0, 0, G_OPTION_ARG_STRING, &where, "the cluster (required)", "cluster=C" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOSTDOC --where cluster=C - would this host lower the baseline?");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_auto(VmcFleetAdmit) ad = { 0 };
    VmcCatalog *cat;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Exit 0 when the cluster's baseline stays as it is with HOST in it, 1 when HOST\n"
        "would lower it (the features the cluster's guests could no longer be given are\n"
        "listed) or cannot join it at all (another architecture or CPU vendor: the reason\n"
        "is given), 2 on bad input.\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one HOSTDOC");
    if (!where)
        return vmc_cli_usage_error(cli, "--where cluster=C is required");
    if (!(fleet = fleet_open(cli, db, &error)) || !(cat = vmc_cli_catalog(cli, &error)) ||
        !(host = vmc_host_load(cat, argv[1], &error)) ||
        !vmc_fleet_admit(fleet, host, where, &ad, &error))
        return vmc_cli_fail(cli, error);
    if (cli->json) {
        json_object *o = json_object_new_object();
        const char *before = vmc_cpu_def_get_model(ad.before);
        if (ad.refusal) {
            json_object_object_add(o, "joins", json_object_new_boolean(FALSE));
            json_object_object_add(o, "reason", json_object_new_string(ad.refusal));
            json_object_object_add(o, "before", json_object_new_string(before));
        } else {
            json_object_object_add(o, "lowers", json_object_new_boolean(ad.lost->len > 0));
            json_object_object_add(o, "before", json_object_new_string(before));
            json_object_object_add(o, "after",
                                   json_object_new_string(vmc_cpu_def_get_model(ad.after)));
            json_object_object_add(o, "lost", vmc_cli_json_strv(ad.lost));
        }
        vmc_cli_print_json(o);
        json_object_put(o);
    } else if (ad.refusal) {
        printf("%s cannot join %s: %s\n", vmc_host_get_name(host), where, ad.refusal);
    } else if (ad.lost->len) {
        g_autofree char *names = vmc_cli_join(ad.lost, ", ", 0);
        printf("%s would lower the baseline of %s: %s → %s; lost: %s\n", vmc_host_get_name(host), where,
               vmc_cpu_def_get_model(ad.before), vmc_cpu_def_get_model(ad.after), names);
    } else {
        printf("%s keeps the baseline of %s (%s)\n", vmc_host_get_name(host), where,
               vmc_cpu_def_get_model(ad.before));
    }
    return ad.refusal || ad.lost->len ? VMC_EXIT_NEGATIVE : VMC_EXIT_OK;
}

static int
cmd_fleet_ladder(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL, *where = NULL;
    gboolean all = FALSE;
    GOptionEntry entries[] = {
        FLEET_DB_ENTRY(db),
        FLEET_WHERE_ENTRY(where),
        { "all", 0, 0, G_OPTION_ARG_NONE, &all, "also models no host runs", NULL },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- how many hosts run each CPU model");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(GArray) rungs = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "For each catalog CPU model (catalog order, oldest first): the hosts that can\n"
        "run it (query-cpu-definitions' unavailable-features empty on the host's kind)\n"
        "— the table for picking a cluster CPU model (like VMware EVC or oVirt's\n"
        "cluster CPU type).\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!(fleet = fleet_open(cli, db, &error)) || !(rungs = vmc_fleet_ladder(fleet, where, &error)))
        return vmc_cli_fail(cli, error);
    if (cli->json) {
        json_object *a = json_object_new_array();
        for (guint i = 0; i < rungs->len; i++) {
            const VmcFleetRung *r = &g_array_index(rungs, VmcFleetRung, i);
            json_object *o;
            if (!all && r->n_hosts == 0)
                continue;
            o = json_object_new_object();
            json_object_object_add(o, "model", json_object_new_string(r->model));
            json_object_object_add(o, "deprecated", json_object_new_boolean(r->deprecated));
            json_object_object_add(o, "hosts", json_object_new_int(r->n_hosts));
            json_object_object_add(o, "of", json_object_new_int(r->n_total));
            json_object_array_add(a, o);
        }
        vmc_cli_print_json(a);
        json_object_put(a);
        return VMC_EXIT_OK;
    }
    printf("%-34s %8s %7s\n", "MODEL", "HOSTS", "SHARE");
    for (guint i = 0; i < rungs->len; i++) {
        const VmcFleetRung *r = &g_array_index(rungs, VmcFleetRung, i);
        if (!all && r->n_hosts == 0)
            continue;
        printf("%-34s %8u %6.1f%%%s\n", r->model, r->n_hosts,
               r->n_total ? 100.0 * r->n_hosts / r->n_total : 0.0, r->deprecated ? "  (deprecated)" : "");
    }
    return VMC_EXIT_OK;
}

static int
cmd_fleet_labels(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL;
    GOptionEntry entries[] = { FLEET_DB_ENTRY(db), { NULL } };
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOST - KubeVirt node-labeller labels of a host");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(GPtrArray) labels = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "HOST is an inventory host name, or with no --db/$VMCOMPAT_FLEET_DB a host\n"
        "document. Labels as KubeVirt's node-labeller sets them: cpu-model.node.kubevirt.io/M\n"
        "(usable, not obsolete), cpu-model-migration.node.kubevirt.io/M,\n"
        "cpu-feature.node.kubevirt.io/F (host-model features), host-model-cpu.node.kubevirt.io/M,\n"
        "host-model-required-features.node.kubevirt.io/F, cpu-vendor.node.kubevirt.io/V,\n"
        "machine-type.node.kubevirt.io/T.\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one HOST");
    if (!db && !g_getenv("VMCOMPAT_FLEET_DB")) {
        VmcCatalog *cat = vmc_cli_catalog(cli, &error);
        g_autoptr(VmcHost) host = cat ? vmc_host_load(cat, argv[1], &error) : NULL;
        if (!host || !(labels = vmc_host_kubevirt_labels(cat, host, &error)))
            return vmc_cli_fail(cli, error);
    } else if (!(fleet = fleet_open(cli, db, &error)) ||
               !(labels = vmc_fleet_labels(fleet, argv[1], &error))) {
        return vmc_cli_fail(cli, error);
    }
    if (cli->json) {
        json_object *o = json_object_new_object();
        for (guint i = 0; i < labels->len; i++) {
            g_auto(GStrv) kv = g_strsplit(g_ptr_array_index(labels, i), "=", 2);
            json_object_object_add(o, kv[0], json_object_new_string(kv[1] ? kv[1] : ""));
        }
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        for (guint i = 0; i < labels->len; i++)
            printf("%s\n", (const char *) g_ptr_array_index(labels, i));
    }
    return VMC_EXIT_OK;
}

static int
cmd_fleet_pools(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL, *where = NULL, *check = NULL;
    GOptionEntry entries[] = {
        FLEET_DB_ENTRY(db),
        FLEET_WHERE_ENTRY(where),
        { "check", 0, 0, G_OPTION_ARG_STRING, &check, "CPU check mode: none, partial, full", "MODE" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- migration pools: guests grouped by the hosts that can run them");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(GArray) pools = NULL;
    VmcCpuCheck mode;
    json_object *arr = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Recorded guests (fleet guest add) with the same set of host kinds they can run on\n"
        "(guest check per ABI and kind) form a pool: they move freely among those hosts.\n"
        "Per pool: guests, hosts, baseline CPU, machine types every host offers, the\n"
        "newest platform every host supports, and the limiting kinds — hosts whose\n"
        "removal would raise the baseline, with what it would gain.\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!vmc_cli_check_mode(cli, check, &mode, &rc))
        return rc;
    if (!(fleet = fleet_open(cli, db, &error)) || !(pools = vmc_fleet_pools(fleet, where, mode, &error)))
        return vmc_cli_fail(cli, error);
    if (cli->json)
        arr = json_object_new_array();
    for (guint i = 0; i < pools->len; i++) {
        const VmcFleetPool *p = &g_array_index(pools, VmcFleetPool, i);
        const char *model = p->baseline ? vmc_cpu_def_get_model(p->baseline) : NULL;
        const char *newest_mt = p->machine;
        if (arr) {
            json_object *o = json_object_new_object();
            json_object *lim = json_object_new_array();
            json_object *kinds = json_object_new_array();
            for (guint j = 0; j < p->kinds->len; j++)
                json_object_array_add(kinds, json_object_new_int64(g_array_index(p->kinds, gint64, j)));
            for (guint j = 0; j < p->limiting->len; j++) {
                const VmcFleetLimit *l = &g_array_index(p->limiting, VmcFleetLimit, j);
                json_object *e = json_object_new_object();
                json_object_object_add(e, "kind", json_object_new_int64(l->kind));
                json_object_object_add(e, "hosts", json_object_new_int(l->n_hosts));
                json_object_object_add(e, "gains", vmc_cli_json_strv(l->gains));
                json_object_array_add(lim, e);
            }
            json_object_object_add(o, "guests", vmc_cli_json_strv(p->guests));
            json_object_object_add(o, "hosts", json_object_new_int(p->n_hosts));
            json_object_object_add(o, "kinds", kinds);
            json_object_object_add(o, "baseline", model ? json_object_new_string(model) : NULL);
            json_object_object_add(o, "machine-types", vmc_cli_json_strv(p->machine_types));
            json_object_object_add(o, "machine", p->machine ? json_object_new_string(p->machine) : NULL);
            json_object_object_add(o, "platform", p->platform ? json_object_new_string(p->platform) : NULL);
            json_object_object_add(o, "limiting", lim);
            json_object_array_add(arr, o);
            continue;
        }
        printf("pool %u: %u guests move freely among %u hosts (%u host kinds)\n", i + 1,
               p->guests->len, p->n_hosts, p->kinds->len);
        if (p->kinds->len == 0) {
            printf("  no host can run them\n");
        } else {
            printf("  baseline CPU: %s\n", model ? model : p->baseline_error ? p->baseline_error : "-");
            printf("  machine types: %u in common%s%s\n", p->machine_types->len,
                   newest_mt ? ", newest " : "", newest_mt ? newest_mt : "");
            printf("  newest common platform: %s\n", p->platform ? p->platform : "none");
        }
        for (guint j = 0; j < p->limiting->len && j < 5; j++) {
            const VmcFleetLimit *l = &g_array_index(p->limiting, VmcFleetLimit, j);
            g_autofree char *gains = vmc_cli_join(l->gains, ", ", 8);
            printf("  limiting: kind %" G_GINT64_FORMAT " (%u hosts) — without it the baseline gains %u "
                   "features: %s\n", l->kind, l->n_hosts, l->gains->len, gains);
        }
        {
            g_autofree char *names = vmc_cli_join(p->guests, ", ", 6);
            printf("  guests: %s\n", names);
        }
    }
    if (arr) {
        vmc_cli_print_json(arr);
        json_object_put(arr);
    }
    return VMC_EXIT_OK;
}

/* upgrade-impact --json: what a restart on the upgraded host gives. */
static json_object *
fleet_impact_restart_json(const VmcFleetImpact *r)
{
    json_object *o = json_object_new_object();
    json_object *changes;

    json_object_object_add(o, "resolves", json_object_new_boolean(r->restart_abi != NULL));
    json_object_object_add(o, "platform-rule", json_object_new_string(r->restart_platform_kept ?
                                                                      "kept" : "host-default"));
    if (!r->restart_abi) {
        json_object_object_add(o, "error", json_object_new_string(r->restart_error));
        return o;
    }
    json_object_object_add(o, "fingerprint", json_object_new_string(vmc_abi_get_fingerprint(r->restart_abi)));
    json_object_object_add(o, "platform", vmc_abi_get_platform(r->restart_abi) ?
                           json_object_new_string(vmc_abi_get_platform(r->restart_abi)) : NULL);
    changes = json_object_new_array();
    for (guint i = 0; i < r->restart_changes->len; i++) {
        const VmcAbiChange *c = &g_array_index(r->restart_changes, VmcAbiChange, i);
        const VmcAbiTunable *t = c->kind == VMC_ABI_CHANGE_TUNABLE && c->after ?
                                 vmc_abi_lookup_tunable(r->restart_abi, c->subject) : NULL;
        json_object *e = json_object_new_object();
        json_object_object_add(e, "item", json_object_new_string(vmc_abi_change_kind_to_string(c->kind)));
        if (c->subject)
            json_object_object_add(e, "subject", json_object_new_string(c->subject));
        json_object_object_add(e, "before", c->before ? json_object_new_string(c->before) : NULL);
        json_object_object_add(e, "after", c->after ? json_object_new_string(c->after) : NULL);
        if (t)
            json_object_object_add(e, "source", json_object_new_string(t->source));
        json_object_array_add(changes, e);
    }
    json_object_object_add(o, "changes", changes);
    return o;
}

/* upgrade-impact: what a restart on the upgraded host gives, for people. */
static void
fleet_impact_restart_print(const VmcFleetImpact *r)
{
    const char *platform = r->restart_abi ? vmc_abi_get_platform(r->restart_abi) : NULL;
    const char *recorded = NULL;    /* the recorded platform, when it changes */
    g_autoptr(GPtrArray) gained = g_ptr_array_new();
    g_autoptr(GPtrArray) lost = g_ptr_array_new();

    if (!r->restart_abi) {
        printf("    restarted there from its definition, it does not resolve: %s\n", r->restart_error);
        return;
    }
    for (guint i = 0; i < r->restart_changes->len; i++) {
        const VmcAbiChange *c = &g_array_index(r->restart_changes, VmcAbiChange, i);
        if (c->kind == VMC_ABI_CHANGE_PLATFORM)
            recorded = c->before;
    }
    if (r->restart_platform_kept)
        printf("    restarted there from its definition: platform %s, kept (the guest named it); %s\n",
               platform, r->restart_changes->len ? "its ABI changes:" : "the same ABI");
    else if (recorded)
        printf("    restarted there from its definition: platform %s, the upgraded host's default "
               "(the recorded %s was its host's default, so taken as not named); %s\n",
               platform ? platform : "none", recorded,
               r->restart_changes->len ? "its ABI changes:" : "the same ABI");
    else
        printf("    restarted there from its definition: platform %s, the upgraded host's default; %s\n",
               platform ? platform : "none", r->restart_changes->len ? "its ABI changes:" : "the same ABI");
    for (guint i = 0; i < r->restart_changes->len; i++) {
        const VmcAbiChange *c = &g_array_index(r->restart_changes, VmcAbiChange, i);
        const VmcAbiTunable *t = NULL;
        if (c->kind == VMC_ABI_CHANGE_CPU_FEATURE) {
            g_ptr_array_add(g_str_equal(c->after, "on") ? gained : lost, c->subject);
            continue;
        }
        if (c->kind == VMC_ABI_CHANGE_TUNABLE && c->after)
            t = vmc_abi_lookup_tunable(r->restart_abi, c->subject);
        printf("      %s%s%s: %s → %s%s%s%s\n", vmc_abi_change_kind_to_string(c->kind),
               c->subject ? " " : "", c->subject ? c->subject : "", c->before ? c->before : "(none)",
               c->after ? c->after : "(none)", t ? " (" : "", t ? t->source : "", t ? ")" : "");
    }
    if (gained->len || lost->len) {
        g_autofree char *on = vmc_cli_join(gained, ", ", 0);
        g_autofree char *off = vmc_cli_join(lost, ", ", 0);
        printf("      CPU features gained: %s; lost: %s\n", gained->len ? on : "none",
               lost->len ? off : "none");
    }
}

static int
cmd_fleet_upgrade_impact(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL, *hosts = NULL, *release = NULL, *kernel = NULL, *as = NULL, *check = NULL;
    GOptionEntry entries[] = {
        FLEET_DB_ENTRY(db),
        { "hosts", 0, 0, G_OPTION_ARG_STRING, &hosts, "the hosts upgraded (required)", "KEY=VALUE,..." },
        { "to-release", 0, 0, G_OPTION_ARG_STRING, &release, "their QEMU becomes this release", "qemu-X.Y" },
        { "to-kernel", 0, 0, G_OPTION_ARG_STRING, &kernel, "their kernel becomes this mainline release",
          "X.Y[.Z]" },
        { "as", 0, 0, G_OPTION_ARG_FILENAME, &as, "they become this host document", "HOSTDOC" },
        { "check", 0, 0, G_OPTION_ARG_STRING, &check, "CPU check mode: none, partial, full", "MODE" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new(
        "--hosts SEL (--to-release R | --to-kernel K | --as HOSTDOC) - what an upgrade does to the guests");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(VmcHost) as_host = NULL;
    g_autoptr(GArray) rows = NULL;
    VmcFleetUpgradeOptions opts = VMC_FLEET_UPGRADE_OPTIONS_INIT;
    VmcRelease rel;
    VmcCatalog *cat;
    guint n_hosts = 0, stranded = 0, norestart = 0, most = 0, changed = 0, unresolved = 0;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "The selected hosts become:\n"
        "  --to-release R  the same hosts with QEMU release R (its machine types)\n"
        "  --to-kernel K   the same hosts on mainline Linux K (X.Y or X.Y.Z): what was\n"
        "                  released after K is taken away; what the platforms and\n"
        "                  tunables of the host's arch ask for, released after the old\n"
        "                  kernel and not after K, is added; the rest stays as probed\n"
        "                  (releases: data/host/kvm-capabilities.json, the platforms).\n"
        "                  A distribution kernel (5.14.0-427.el9) is refused: use --as\n"
        "  --as HOSTDOC    that host document\n"
        "\n"
        "Every recorded guest's ABI is checked (guest check) on its own host after the\n"
        "upgrade (can it migrate back, be restored, start as recorded) and on every host\n"
        "before and after: guests whose ABI cannot run on their upgraded host, guests\n"
        "left with no host (stranded), guests losing more than half their targets, with\n"
        "reasons. A guest whose host is upgraded is also resolved again there, as a\n"
        "restart from its definition would: the definition its ABI records (CPU, machine\n"
        "type, explicit properties), the platform kept when the guest named it (ABIs\n"
        "record that; for older ones: when it is not its host's default), else the\n"
        "upgraded host's default; what changes (platform,\n"
        "CPU model and features, tunables) is listed. Exit 1 when some guest's ABI cannot\n"
        "run on its upgraded host, some guest is stranded or does not resolve there.\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!hosts)
        return vmc_cli_usage_error(cli, "--hosts SEL is required");
    if ((release != NULL) + (kernel != NULL) + (as != NULL) != 1)
        return vmc_cli_usage_error(cli, "give one of --to-release, --to-kernel and --as");
    if (!vmc_cli_check_mode(cli, check, &opts.mode, &rc))
        return rc;
    if (release && !vmc_release_parse(release, &rel, &error))
        return vmc_cli_fail(cli, error);
    opts.to_release = release ? &rel : NULL;
    opts.to_kernel = kernel;
    if (!(fleet = fleet_open(cli, db, &error)) || !(cat = vmc_cli_catalog(cli, &error)) ||
        (as && !(as_host = vmc_host_load(cat, as, &error))))
        return vmc_cli_fail(cli, error);
    opts.as = as_host;
    if (!(rows = vmc_fleet_upgrade_impact_opts(fleet, hosts, &opts, &n_hosts, &error)))
        return vmc_cli_fail(cli, error);
    for (guint i = 0; i < rows->len; i++) {
        const VmcFleetImpact *r = &g_array_index(rows, VmcFleetImpact, i);
        stranded += r->stranded;
        norestart += r->restart && !vmc_verdict_ok(r->restart);
        most += r->loses_most && !r->stranded;
        changed += r->restart_changes && r->restart_changes->len > 0;
        unresolved += r->restart && !r->restart_abi;
    }
    if (cli->json) {
        json_object *o = json_object_new_object();
        json_object *a = json_object_new_array();
        json_object_object_add(o, "hosts-upgraded", json_object_new_int(n_hosts));
        json_object_object_add(o, "stranded", json_object_new_int(stranded));
        json_object_object_add(o, "cannot-restart", json_object_new_int(norestart));
        json_object_object_add(o, "lose-most-targets", json_object_new_int(most));
        json_object_object_add(o, "restart-abi-changes", json_object_new_int(changed));
        json_object_object_add(o, "restart-does-not-resolve", json_object_new_int(unresolved));
        for (guint i = 0; i < rows->len; i++) {
            const VmcFleetImpact *r = &g_array_index(rows, VmcFleetImpact, i);
            json_object *e = json_object_new_object();
            json_object_object_add(e, "guest", json_object_new_string(r->guest));
            json_object_object_add(e, "host", r->host ? json_object_new_string(r->host) : NULL);
            json_object_object_add(e, "targets-before", json_object_new_int(r->before));
            json_object_object_add(e, "targets-after", json_object_new_int(r->after));
            json_object_object_add(e, "stranded", json_object_new_boolean(r->stranded));
            if (r->restart) {
                g_autofree char *vj = vmc_verdict_to_json(r->restart);
                json_object_object_add(e, "restart", json_tokener_parse(vj));
                json_object_object_add(e, "restart-abi", fleet_impact_restart_json(r));
            }
            json_object_array_add(a, e);
        }
        json_object_object_add(o, "guests", a);
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        printf("upgrading %u hosts (%s): %u guests stranded, %u whose ABI cannot run on their upgraded "
               "host, %u lose most of their targets; restarted from their definition there, %u would "
               "get another ABI, %u would not resolve\n", n_hosts, hosts, stranded, norestart, most,
               changed, unresolved);
        for (guint i = 0; i < rows->len; i++) {
            const VmcFleetImpact *r = &g_array_index(rows, VmcFleetImpact, i);
            printf("  %s (on %s): hosts that can run it %u → %u%s%s\n", r->guest, r->host ? r->host : "-",
                   r->before, r->after, r->stranded ? " — stranded" : "",
                   r->restart && !vmc_verdict_ok(r->restart) ? " — its ABI cannot run on its upgraded host" :
                   "");
            if (r->restart && !vmc_verdict_ok(r->restart))
                vmc_cli_print_reasons(r->restart, "      ");
            if (r->restart)
                fleet_impact_restart_print(r);
        }
    }
    return stranded || norestart || unresolved ? VMC_EXIT_NEGATIVE : VMC_EXIT_OK;
}

static int
cmd_fleet_report(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL, *where = NULL, *html = NULL;
    GOptionEntry entries[] = {
        FLEET_DB_ENTRY(db),
        FLEET_WHERE_ENTRY(where),
        { "html", 0, 0, G_OPTION_ARG_FILENAME, &html, "write the page to FILE ('-': stdout) (required)", "FILE" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("--html FILE - one self-contained page: kinds, pools, ladder, matrix");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autofree char *page = NULL;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "The page has no script and loads nothing: host kinds, migration pools, the CPU\n"
        "model ladder, and the migration matrix between host kinds (a guest with the\n"
        "source's defaults migrated to each destination; the reason on hover).\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    if (!html)
        return vmc_cli_usage_error(cli, "--html FILE is required");
    if (!(fleet = fleet_open(cli, db, &error)) || !(page = vmc_fleet_report_html(fleet, where, &error)))
        return vmc_cli_fail(cli, error);
    if (g_str_equal(html, "-"))
        fputs(page, stdout);
    else if (!g_file_set_contents(html, page, -1, &error))
        return vmc_cli_fail(cli, error);
    return VMC_EXIT_OK;
}

static int
cmd_fleet_guest_import(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *db = NULL;
    GOptionEntry entries[] = { FLEET_DB_ENTRY(db), { NULL } };
    g_autoptr(GOptionContext) ctx = g_option_context_new("GUESTS.jsonl... - record many guests");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func(g_free);
    guint added = 0, failed = 0;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Each line: {\"name\": N, \"host\": H, \"guest\": GUEST-JSON} (tools/gen/gen-fleet.py's\n"
        "guests.jsonl). Each guest is resolved on H's kind and recorded; a guest that\n"
        "does not resolve there is reported (exit 1).\n");
    g_option_context_set_summary(ctx, fleet_db_help);
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc < 2)
        return vmc_cli_usage_error(cli, "expected at least one GUESTS.jsonl");
    if (!(fleet = fleet_open(cli, db, &error)))
        return vmc_cli_fail(cli, error);
    for (int i = 1; i < argc; i++) {
        guint a = 0, f = 0;
        if (!vmc_fleet_guest_import(fleet, argv[i], &a, &f, failures, &error))
            return vmc_cli_fail(cli, error);
        added += a;
        failed += f;
    }
    for (guint i = 0; i < failures->len && i < 20; i++)
        fprintf(stderr, "%s: %s\n", cli->prog, (const char *) g_ptr_array_index(failures, i));
    printf("guests: %u recorded, %u do not resolve on their host\n", added, failed);
    return failed ? VMC_EXIT_NEGATIVE : VMC_EXIT_OK;
}

static int
cmd_fleet_guest(VmcCli *cli, int argc, char **argv)
{
    static const VmcCliCommand cmds[] = {
        { "add", "record a guest (its resolved ABI) and the host it runs on", cmd_fleet_guest_add },
        { "import", "record many guests (JSON Lines)", cmd_fleet_guest_import },
        { NULL },
    };
    return vmc_cli_dispatch(cli, "fleet guest", cmds, argc, argv);
}

/* ---- host compat A B ---------------------------------------------------------- */

int
vmc_cmd_host_compat(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("A B - are two hosts compatible?");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) a = NULL, b = NULL;
    g_autoptr(VmcHostCompat) c = NULL;
    gboolean common_ok;
    VmcCatalog *cat;
    int rc;

    g_option_context_set_description(ctx,
        "Seed 004: the platforms both hosts support and the pair's platform (newest\n"
        "common, not newer than either default), the machine types both QEMUs offer,\n"
        "the baseline of their host-models, and four guests through resolution and the\n"
        "migration check: A's defaults A→B, B's defaults B→A, and the common guest\n"
        "(pair platform, newest common machine type, baseline CPU) both ways.\n\n"
        "Exit 0 when the common guest moves both ways, 1 when not, 2 on bad input.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 3)
        return vmc_cli_usage_error(cli, "expected two hosts A and B");
    if (!(cat = vmc_cli_catalog(cli, &error)) || !(a = vmc_cli_read_host(cli, argv[1], &error)) ||
        !(b = vmc_cli_read_host(cli, argv[2], &error)) || !(c = vmc_host_compat(cat, a, b, &error)))
        return vmc_cli_fail(cli, error);
    common_ok = vmc_verdict_ok(c->moves[2].verdict) && vmc_verdict_ok(c->moves[3].verdict);
    if (cli->json) {
        json_object *o = json_object_new_object();
        json_object *moves = json_object_new_array();
        json_object_object_add(o, "compatible", json_object_new_boolean(common_ok));
        json_object_object_add(o, "platforms", vmc_cli_json_strv(c->platforms));
        json_object_object_add(o, "platform", c->platform ? json_object_new_string(c->platform) : NULL);
        json_object_object_add(o, "machine-types", json_object_new_int(c->machine_types->len));
        json_object_object_add(o, "machine", c->machine ? json_object_new_string(c->machine) : NULL);
        json_object_object_add(o, "baseline", c->baseline ?
                               json_object_new_string(vmc_cpu_def_get_model(c->baseline)) : NULL);
        for (guint i = 0; i < G_N_ELEMENTS(c->moves); i++) {
            g_autofree char *vj = vmc_verdict_to_json(c->moves[i].verdict);
            json_object *m = json_object_new_object();
            json_object_object_add(m, "what", json_object_new_string(c->moves[i].what));
            json_object_object_add(m, "verdict", json_tokener_parse(vj));
            json_object_array_add(moves, m);
        }
        json_object_object_add(o, "moves", moves);
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        g_autofree char *plats = vmc_cli_join(c->platforms, ", ", 0);
        printf("%s and %s: %s\n", vmc_host_get_name(a), vmc_host_get_name(b),
               common_ok ? "compatible" : "not compatible");
        printf("  platforms both support: %s\n", *plats ? plats : "none");
        printf("  platform of the pair: %s\n", c->platform ? c->platform : "none");
        printf("  machine types both offer: %u%s%s\n", c->machine_types->len,
               c->machine ? ", newest " : "", c->machine ? c->machine : "");
        printf("  baseline CPU: %s\n", c->baseline ? vmc_cpu_def_get_model(c->baseline) :
               c->baseline_error ? c->baseline_error : "-");
        for (guint i = 0; i < G_N_ELEMENTS(c->moves); i++) {
            printf("  %s: %s\n", c->moves[i].what, vmc_verdict_ok(c->moves[i].verdict) ? "yes" : "no");
            vmc_cli_print_reasons(c->moves[i].verdict, "      ");
        }
    }
    return common_ok ? VMC_EXIT_OK : VMC_EXIT_NEGATIVE;
}

static const VmcCliCommand fleet_commands[] = {
    { "import", "add or update hosts (host documents, JSON Lines)", cmd_fleet_import },
    { "hosts", "the hosts of the inventory", cmd_fleet_hosts },
    { "forget", "remove hosts", cmd_fleet_forget },
    { "guest", "guests: add", cmd_fleet_guest },
    { "where", "the hosts that can run (or take by migration) a guest, with reasons", cmd_fleet_where },
    { "pools", "migration pools: guests by the hosts that can run them", cmd_fleet_pools },
    { "baseline", "the CPU every matching host can run", cmd_fleet_baseline },
    { "admit", "would this host lower a cluster's baseline?", cmd_fleet_admit },
    { "ladder", "how many hosts run each CPU model", cmd_fleet_ladder },
    { "upgrade-impact", "what upgrading some hosts does to the guests", cmd_fleet_upgrade_impact },
    { "report", "one HTML page: kinds, pools, ladder, migration matrix", cmd_fleet_report },
    { "labels", "KubeVirt node labels of a host", cmd_fleet_labels },
    { NULL },
};

int
vmc_cmd_fleet(VmcCli *cli, int argc, char **argv)
{
    return vmc_cli_dispatch(cli, "fleet", fleet_commands, argc, argv);
}
