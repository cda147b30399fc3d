/* cmd-host.c: `vmcompat host probe|model|show` and `vmcompat report` — the
 * main job: what this machine can give a guest, measured from the hardware,
 * KVM and QEMU, for a person (text) or a machine (--json). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

VmcHost *
vmc_cli_read_host(VmcCli *cli, const char *arg, GError **error)
{
    VmcCatalog *cat = vmc_cli_catalog(cli, error);
    if (!cat)
        return NULL;
    return vmc_host_load(cat, arg, error);
}

static gint
cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Capabilities sorted by name (transfer container). */
static GPtrArray *
sorted_caps(const VmcHost *host)
{
    GHashTable *caps = vmc_host_get_capabilities(host);
    GPtrArray *keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;

    if (caps) {
        g_hash_table_iter_init(&it, caps);
        while (g_hash_table_iter_next(&it, &k, NULL))
            g_ptr_array_add(keys, k);
    }
    g_ptr_array_sort(keys, cmp_strp);
    return keys;
}

/* A host document to FILE (atomically) or stdout. */
static int
write_host_document(VmcCli *cli, const VmcHost *host, const char *out)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *json = NULL;

    if (out)
        return vmc_host_save(host, out, &error) ? VMC_EXIT_OK : vmc_cli_fail(cli, error);
    json = vmc_host_to_json(host);
    fputs(json, stdout);
    return VMC_EXIT_OK;
}

static int
cmd_host_probe(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("- probe this machine and write its host document");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autofree char *out = NULL;
    g_autofree char *qemu = NULL;
    VmcHostProbeOptions opts = { .version = VMC_HOST_PROBE_OPTIONS_VERSION };
    VmcCatalog *cat;
    int rc;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
          "Write the host document to FILE (atomically) instead of stdout", "FILE" },
        { "qemu", 0, 0, G_OPTION_ARG_FILENAME, &qemu,
          "Also start this QEMU (-machine none, -S) and record its answers over QMP", "PATH" },
        { NULL },
    };

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Reads CPUID with the instruction, asks /dev/kvm (API version, capabilities,\n"
        "KVM_GET_SUPPORTED_CPUID, feature MSRs), the kernel (release, vhost-net, tap\n"
        "offloads) and the installed QEMU (version, machine types). Without /dev/kvm\n"
        "the probe still succeeds and says KVM is absent. See docs/host-document.md.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc > 1)
        return vmc_cli_usage_error(cli, "unexpected argument '%s'", argv[1]);
    opts.qemu = qemu;
    if (!(cat = vmc_cli_catalog(cli, &error)) ||
        !(host = vmc_host_probe(cat, &opts, &error)))
        return vmc_cli_fail(cli, error);
    return write_host_document(cli, host, out);
}

static int
cmd_host_convert(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOST - write any host input as a host document");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autofree char *out = NULL;
    int rc;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
          "Write the host document to FILE (atomically) instead of stdout", "FILE" },
        { NULL },
    };

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "HOST is a host document, virsh capabilities or domcapabilities XML, a\n"
        "libvirt CPUID dump, or a directory of QMP captures. The result is the host\n"
        "document every command reads (docs/host-document.md), e.g. to keep a\n"
        "fleet's hosts in one format.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one HOST");
    if (!(host = vmc_cli_read_host(cli, argv[1], &error)))
        return vmc_cli_fail(cli, error);
    return write_host_document(cli, host, out);
}

static int
cmd_host_model(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("HOST - the host-model CPU of a host (deprecated features disabled)");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(VmcCpuDef) model = NULL;
    g_autoptr(GPtrArray) disabled = NULL;
    int rc;

    g_option_context_set_description(ctx,
        "HOST is a host document (vmcompat host probe), virsh capabilities or\n"
        "domcapabilities XML, a libvirt CPUID dump, or a directory of QMP captures.\n"
        "Deprecated features the host has are set to disable (seed 000) and listed.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one HOST");
    if (!(host = vmc_cli_read_host(cli, argv[1], &error)) ||
        !(model = vmc_host_model(host, &disabled, &error)))
        return vmc_cli_fail(cli, error);
    if (cli->json) {
        json_object *o = vmc_qmp_host_model_info(model, disabled);
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        g_autofree char *xml = vmc_cpu_def_format_xml(model, 0);
        g_autofree char *d = vmc_cli_join(disabled, ", ", 0);
        fputs(xml, stdout);
        printf("<!-- deprecated features disabled: %s -->\n", *d ? d : "none");
    }
    return VMC_EXIT_OK;
}

/* The report of one host, for a person. */
static void
report_text(VmcCli *cli, VmcHost *host, GArray *rows, VmcCpuDef *model, GPtrArray *disabled)
{
    g_autoptr(GArray) plats = vmc_host_query_platforms(host, cli->cat);
    const VmcCpuDef *cpu = vmc_host_get_cpu(host);
    g_autoptr(GPtrArray) caps = sorted_caps(host);
    GHashTable *capv = vmc_host_get_capabilities(host);
    GPtrArray *notes = vmc_host_get_notes(host);
    GPtrArray *mts = vmc_host_get_machine_types(host);
    g_autoptr(GPtrArray) usable = g_ptr_array_new();
    guint fam = 0, mod = 0, step = 0;
    g_autofree char *dis = vmc_cli_join(disabled, ", ", 0);

    printf("Host %s (%s)\n", vmc_host_get_name(host) ? vmc_host_get_name(host) : "(unnamed)",
           vmc_arch_to_string(vmc_host_get_arch(host)));
    printf("  kernel        %s\n", vmc_host_get_kernel(host) ? vmc_host_get_kernel(host) : "unknown");
    printf("  QEMU          %s", vmc_host_get_qemu_version(host) ? vmc_host_get_qemu_version(host) : "not found");
    if (mts)
        printf(" (%u machine types)", mts->len);
    printf("\n  KVM           %s\n", vmc_host_has_kvm(host) ? "present" : "absent");
    if (cpu) {
        printf("  CPU           %s %s", vmc_cpu_def_get_vendor(cpu) ? vmc_cpu_def_get_vendor(cpu) : "?",
               vmc_cpu_def_get_model(cpu) ? vmc_cpu_def_get_model(cpu) : "(no catalog model fits)");
        if (vmc_cpu_def_get_signature(cpu, &fam, &mod, &step))
            printf(", family %u model %u stepping %u", fam, mod, step);
        printf(", %u features beyond the model\n", vmc_cpu_def_get_feature_count(cpu));
    }
    if (model)
        printf("  host-model    %s, deprecated features disabled: %s\n",
               vmc_cpu_def_get_model(model) ? vmc_cpu_def_get_model(model)
                                            : "no model: QEMU 'base' with every feature listed",
               *dis ? dis : "none");

    /* KVM capabilities: a count and what is missing; the rest one a line. */
    {
        g_autoptr(GPtrArray) kvm_no = g_ptr_array_new();
        g_autoptr(GPtrArray) pv_yes = g_ptr_array_new();
        g_autoptr(GPtrArray) pv_no = g_ptr_array_new();
        guint kvm_n = 0;
        g_autofree char *kn = NULL;
        g_autofree char *py = NULL;
        g_autofree char *pn = NULL;

        printf("\nHost capabilities:\n");
        for (guint i = 0; i < caps->len; i++) {
            const char *k = g_ptr_array_index(caps, i);
            const char *v = g_hash_table_lookup(capv, k);
            gboolean no = g_str_equal(v, "no") || g_str_has_prefix(v, "unknown");
            if (g_str_has_prefix(k, "kvm.cap.")) {
                kvm_n++;
                if (no)
                    g_ptr_array_add(kvm_no, (gpointer) (k + 8));
            } else if (g_str_has_prefix(k, "kvm.pv.")) {
                g_ptr_array_add(no ? pv_no : pv_yes, (gpointer) (k + 7));
            } else {
                printf("  %-20s %s\n", k, v);
            }
        }
        kn = vmc_cli_join(kvm_no, ", ", 0);
        py = vmc_cli_join(pv_yes, ", ", 0);
        pn = vmc_cli_join(pv_no, ", ", 0);
        if (kvm_n)
            printf("  kvm.cap.*            %u checked, %u present; absent: %s\n", kvm_n,
                   kvm_n - kvm_no->len, *kn ? kn : "none");
        if (pv_yes->len || pv_no->len)
            printf("  kvm.pv.* present     %s\n  kvm.pv.* absent      %s\n",
                   *py ? py : "none", *pn ? pn : "none");
    }

    /* Platforms (seed 004): the default fixes every host-dependent tunable. */
    {
        g_autoptr(GPtrArray) sup = g_ptr_array_new();
        const VmcHostPlatform *def = NULL, *next = NULL;
        for (guint i = 0; i < plats->len; i++) {
            const VmcHostPlatform *r = &g_array_index(plats, VmcHostPlatform, i);
            if (r->supported)
                g_ptr_array_add(sup, (gpointer) vmc_platform_get_name(r->platform));
            if (r->is_default)
                def = r;
            else if (def && !r->supported && !next)
                next = r;
        }
        printf("\nPlatforms (host-kernel dependent defaults):\n");
        if (!capv || !g_hash_table_size(capv)) {
            printf("  unknown: this host source carries no kernel/KVM capabilities "
                   "(probe the host: vmcompat host probe)\n");
            goto platforms_done;
        }
        printf("  default       %s\n", def ? vmc_platform_get_name(def->platform) : "none supported");
        {
            g_autofree char *sl = vmc_cli_join(sup, ", ", 0);
            printf("  supported     %s\n", *sl ? sl : "none");
        }
        if (next) {
            g_autofree char *ml = vmc_cli_join(next->missing, ", ", 0);
            printf("  next          %s needs %s\n", vmc_platform_get_name(next->platform), ml);
        }
    }
platforms_done:

    printf("\nCPU models on this host (usable as virsh domcapabilities shows them):\n");
    for (guint i = 0; rows && i < rows->len; i++) {
        const VmcModelAvailability *r = &g_array_index(rows, VmcModelAvailability, i);
        if (r->alias_of)
            continue;
        if (r->unavailable && r->unavailable->len == 0)
            g_ptr_array_add(usable, (gpointer) r->name);
    }
    {
        g_autofree char *u = vmc_cli_join(usable, ", ", 0);
        printf("  usable (%u): %s\n", usable->len, *u ? u : "none");
    }
    printf("  not usable, with the blocking features:\n");
    for (guint i = 0; rows && i < rows->len; i++) {
        const VmcModelAvailability *r = &g_array_index(rows, VmcModelAvailability, i);
        g_autofree char *b = NULL;
        if (r->alias_of || !r->unavailable || r->unavailable->len == 0)
            continue;
        b = vmc_cli_join(r->unavailable, ", ", 8);
        printf("    %-28s %s\n", r->name, b);
    }
    if (notes && notes->len) {
        printf("\nNot probed:\n");
        for (guint i = 0; i < notes->len; i++)
            printf("  - %s\n", (const char *) g_ptr_array_index(notes, i));
    }
}

static int
cmd_report(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("[HOST] - what this machine (or HOST) can run");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(GArray) rows = NULL;
    g_autoptr(VmcCpuDef) model = NULL;
    g_autoptr(GPtrArray) disabled = NULL;
    g_autofree char *qemu = NULL;
    VmcHostProbeOptions opts = { .version = VMC_HOST_PROBE_OPTIONS_VERSION };
    VmcCatalog *cat;
    const VmcCpuDef *cpu;
    int rc;
    GOptionEntry entries[] = {
        { "qemu", 0, 0, G_OPTION_ARG_FILENAME, &qemu,
          "Also ask this QEMU binary over QMP", "PATH" },
        { NULL },
    };

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Probes this machine (or reads HOST) and prints the host CPU and its\n"
        "host-model, KVM and kernel capabilities, which catalog CPU models run here\n"
        "and, for the others, the blocking features, and the deprecated features\n"
        "host-model disables. --json for machines.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc > 2)
        return vmc_cli_usage_error(cli, "expected at most one HOST");
    opts.qemu = qemu;
    if (!(cat = vmc_cli_catalog(cli, &error)))
        return vmc_cli_fail(cli, error);
    host = argc == 2 ? vmc_host_load(cat, argv[1], &error) : vmc_host_probe(cat, &opts, &error);
    if (!host)
        return vmc_cli_fail(cli, error);
    cpu = vmc_host_get_cpu(host);
    if (cpu) {
        /* As QEMU would run guests here: KVM's defaults when KVM is present. */
        VmcAccel accel = vmc_host_default_accel(host);
        if (!(rows = vmc_cpu_models_accel(cat, vmc_host_get_arch(host), cpu, accel, &error)) ||
            !(model = vmc_host_model(host, &disabled, &error)))
            return vmc_cli_fail(cli, error);
    }
    if (!cli->json) {
        report_text(cli, host, rows, model, disabled);
        return VMC_EXIT_OK;
    }
    {
        g_autofree char *doc = vmc_host_to_json(host);
        json_object *o = json_object_new_object();
        json_object *models = json_object_new_array();
        json_object_object_add(o, "host", json_tokener_parse(doc));
        if (model) {
            g_autofree char *m = vmc_cpu_def_format_qmp(model);
            json_object_object_add(o, "host-model", json_tokener_parse(m));
            json_object_object_add(o, "deprecated-disabled", vmc_cli_json_strv(disabled));
        }
        for (guint i = 0; rows && i < rows->len; i++) {
            const VmcModelAvailability *r = &g_array_index(rows, VmcModelAvailability, i);
            json_object *m = json_object_new_object();
            json_object_object_add(m, "name", json_object_new_string(r->name));
            if (r->alias_of)
                json_object_object_add(m, "alias-of", json_object_new_string(r->alias_of));
            json_object_object_add(m, "usable",
                                   json_object_new_boolean(!r->unavailable || r->unavailable->len == 0));
            json_object_object_add(m, "unavailable-features", vmc_cli_json_strv(r->unavailable));
            json_object_array_add(models, m);
        }
        json_object_object_add(o, "cpu-models", models);
        {
            g_autoptr(GArray) plats = vmc_host_query_platforms(host, cat);
            json_object *pa = json_object_new_array();
            for (guint i = 0; i < plats->len; i++) {
                const VmcHostPlatform *r = &g_array_index(plats, VmcHostPlatform, i);
                json_object *p = json_object_new_object();
                json_object_object_add(p, "name", json_object_new_string(vmc_platform_get_name(r->platform)));
                json_object_object_add(p, "supported", json_object_new_boolean(r->supported));
                json_object_object_add(p, "default", json_object_new_boolean(r->is_default));
                json_object_object_add(p, "missing", vmc_cli_json_strv(r->missing));
                json_object_array_add(pa, p);
            }
            json_object_object_add(o, "platforms", pa);
        }
        vmc_cli_print_json(o);
        json_object_put(o);
    }
    return VMC_EXIT_OK;
}

static const VmcCliCommand host_commands[] = {
    { "probe", "probe this machine, write its host document", cmd_host_probe },
    { "model", "the host-model CPU of a host", cmd_host_model },
    { "convert", "write any host input as a host document", cmd_host_convert },
    { "platforms", "the platforms a host supports, and its default", vmc_cmd_host_platforms },
    { "compat", "are two hosts compatible? platforms, machine types, CPU, moves", vmc_cmd_host_compat },
    { NULL },
};

int
vmc_cmd_host(VmcCli *cli, int argc, char **argv)
{
    return vmc_cli_dispatch(cli, "host", host_commands, argc, argv);
}

int
vmc_cmd_report(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *prog = g_strdup("vmcompat report");
    cli->prog = prog;
    return cmd_report(cli, argc, argv);
}
