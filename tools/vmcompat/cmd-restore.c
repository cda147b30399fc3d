/* cmd-restore.c: `vmcompat restore show` — what a libvirt QEMU save image
 * (`virsh save`, managed save) would restore: its header, the guest, the
 * original CPU (domain XML) and the updated CPU QEMU presented (cookie).
 * Only the header and the XML are read, never the memory (save-image.h). */
#include "cli.h"

#include <stdio.h>

/* "custom Westmere, match exact, check full" */
static char *
restore_cpu_line(const VmcCpuDef *def)
{
    const char *model = vmc_cpu_def_get_model(def);
    return g_strdup_printf("%s%s%s, match %s, check %s",
                           vmc_cpu_mode_to_string(vmc_cpu_def_get_mode(def)),
                           model ? " " : "", model ? model : "",
                           vmc_cpu_match_to_string(vmc_cpu_def_get_match(def)),
                           vmc_cpu_check_to_string(vmc_cpu_def_get_check(def)));
}

/* "pclmulqdq=require, ds-cpl=disable", or "(none)" (transfer full). */
static char *
restore_cpu_features(const VmcCpuDef *def)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(def); i++) {
        VmcFeaturePolicy p;
        const VmcFeature *f = vmc_cpu_def_get_feature(def, i, &p);
        g_ptr_array_add(names, g_strdup_printf("%s=%s", vmc_feature_get_name(f),
                                               vmc_feature_policy_to_string(p)));
    }
    return names->len ? vmc_cli_join(names, ", ", 0) : g_strdup("(none)");
}

static const char *
restore_policy(VmcFeaturePolicy p)
{
    return p == VMC_FEATURE_POLICY_N ? "not listed" : vmc_feature_policy_to_string(p);
}

/* The text form of `restore show`. */
static void
restore_print(const VmcSaveImage *img)
{
    const VmcGuest *g = vmc_save_image_get_guest(img);
    const VmcCpuDef *orig = vmc_guest_get_cpu(g);
    const VmcCpuDef *upd = vmc_save_image_get_cookie_cpu(img);
    GPtrArray *notes = vmc_save_image_get_notes(img);
    guint32 off = vmc_save_image_get_cookie_offset(img);

    printf("%s: libvirt QEMU save image\n", vmc_save_image_get_name(img));
    printf("  version:      %u (%s)\n", vmc_save_image_get_version(img),
           vmc_save_image_get_big_endian(img) ? "big-endian" : "little-endian");
    if (off)
        printf("  data:         %u bytes after the header (domain XML, cookie at %u)\n",
               vmc_save_image_get_data_len(img), off);
    else
        printf("  data:         %u bytes after the header (domain XML, no cookie)\n",
               vmc_save_image_get_data_len(img));
    printf("  was running:  %s\n", vmc_save_image_get_was_running(img) ?
           "yes (a restore resumes the guest)" : "no (a restore leaves the guest paused)");
    printf("  memory:       %s, %" G_GUINT64_FORMAT " bytes (not read)\n",
           vmc_save_format_to_string(vmc_save_image_get_format(img)),
           vmc_save_image_get_stream_len(img));
    printf("guest: %s (%s, machine %s, accel %s)\n",
           vmc_guest_get_name(g) ? vmc_guest_get_name(g) : "(unnamed)",
           vmc_arch_to_string(vmc_guest_get_arch(g)),
           vmc_guest_get_machine(g) ? vmc_guest_get_machine(g) : "default",
           vmc_guest_get_accel(g) == VMC_ACCEL_NONE ? "default" :
           vmc_accel_to_string(vmc_guest_get_accel(g)));
    if (orig) {
        g_autofree char *line = restore_cpu_line(orig);
        g_autofree char *feats = restore_cpu_features(orig);
        printf("original CPU (domain XML): %s\n  features: %s\n", line, feats);
    } else {
        printf("original CPU (domain XML): none (QEMU's default model)\n");
    }
    if (upd) {
        g_autofree char *line = restore_cpu_line(upd);
        g_autoptr(GArray) changes = vmc_save_image_cpu_changes(img);
        printf("updated CPU (cookie): %s\n", line);
        if (!orig) {
            g_autofree char *feats = restore_cpu_features(upd);
            printf("  features: %s\n", feats);
        } else if (!changes->len) {
            printf("  features: as the original\n");
        } else {
            printf("  differs from the original:\n");
            for (guint i = 0; i < changes->len; i++) {
                const VmcSaveImageCpuChange *c = &g_array_index(changes, VmcSaveImageCpuChange, i);
                printf("    %-36s %s -> %s\n", c->feature, restore_policy(c->original),
                       restore_policy(c->updated));
            }
        }
    } else if (vmc_save_image_get_cookie_xml(img)) {
        printf("updated CPU (cookie): none recorded (QEMU presented the original CPU)\n");
    } else {
        printf("updated CPU (cookie): unknown (the image has no cookie)\n");
    }
    printf("slirp helper: %s\n", vmc_save_image_get_slirp_helper(img) ? "yes" : "no");
    for (guint i = 0; i < notes->len; i++)
        printf("note: %s\n", (const char *) g_ptr_array_index(notes, i));
}

/* ---- restore show -------------------------------------------------------- */

static int
cmd_restore_show(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("IMAGE - what a libvirt save image would restore");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcSaveImage) img = NULL;
    VmcCatalog *cat;
    int rc;

    g_option_context_set_description(ctx,
        "IMAGE is a file written by 'virsh save' or a managed save. Prints the header\n"
        "(version, byte order, data length, cookie offset, was running, memory format),\n"
        "the guest, the original CPU from the domain XML and the updated CPU from the\n"
        "save cookie — what QEMU actually presented — with the features that differ.\n"
        "Only the header and the XML are read, never the memory. Exit status 0, or 2\n"
        "when IMAGE is not a complete, well-formed save image (the error names the\n"
        "field).\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one save IMAGE");
    if (!(cat = vmc_cli_catalog(cli, &error)) ||
        !(img = vmc_save_image_load(cat, argv[1], &error)))
        return vmc_cli_fail(cli, error);
    if (cli->json) {
        g_autofree char *json = vmc_save_image_to_json(img);
        fputs(json, stdout);
    } else {
        restore_print(img);
    }
    return VMC_EXIT_OK;
}

/* ---- restore check ------------------------------------------------------- */

static int
cmd_restore_check(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *host_arg = NULL, *check = NULL;
    GOptionEntry entries[] = {
        { "host", 0, 0, G_OPTION_ARG_FILENAME, &host_arg, "the host to restore on (required)", "HOST" },
        { "check", 0, 0, G_OPTION_ARG_STRING, &check,
          "CPU check mode: none, partial, full (default: the domain's own, as libvirt)", "MODE" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("IMAGE --host HOST - can this save image be restored on HOST?");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcSaveImage) img = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    VmcCpuCheck mode;
    VmcCatalog *cat;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Resolves the image's domain (its original CPU) on HOST — fail, never flip:\n"
        "a machine type, capability or CPU the host lacks is an error\n"
        "(restore-unresolvable) — and compares the CPU the guest saw when it was\n"
        "saved (the save cookie's updated CPU) with what QEMU on HOST would present:\n"
        "features it would lose are cpu-feature-lost, errors under check=full (and\n"
        "under partial when the original CPU asks for them). docs/migration.md.\n"
        "Exit status 0 restorable, 1 not, 2 bad input.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one save IMAGE");
    if (!host_arg)
        return vmc_cli_usage_error(cli, "--host HOST is required");
    if (!vmc_cli_check_mode(cli, check, &mode, &rc))
        return rc;
    if (!(cat = vmc_cli_catalog(cli, &error)) ||
        !(img = vmc_save_image_load(cat, argv[1], &error)) ||
        !(host = vmc_cli_read_host(cli, host_arg, &error)))
        return vmc_cli_fail(cli, error);
    v = vmc_restore_check(cat, img, host, mode, &abi);
    if (cli->json) {
        json_object *o = vmc_qmp_restore_info(v, abi, mode);
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        printf("%s on %s", vmc_save_image_get_name(img), vmc_host_get_name(host));
        if (abi)
            printf(" (%s, check=%s)", vmc_abi_get_machine(abi),
                   vmc_cpu_check_to_string(mode == VMC_CPU_CHECK_DEFAULT ? vmc_abi_get_check(abi) : mode));
        printf(": %s\n", vmc_verdict_ok(v) ? "restorable" : "not restorable");
        vmc_cli_print_reasons(v, "  ");
    }
    return vmc_verdict_ok(v) ? VMC_EXIT_OK : VMC_EXIT_NEGATIVE;
}

/* The sub-commands of `vmcompat restore`. */
static const VmcCliCommand restore_commands[] = {
    { "show", "a save image: header, guest, original and updated CPU", cmd_restore_show },
    { "check", "can this save image be restored on HOST, and if not why", cmd_restore_check },
    { NULL },
};

int
vmc_cmd_restore(VmcCli *cli, int argc, char **argv)
{
    return vmc_cli_dispatch(cli, "restore", restore_commands, argc, argv);
}
