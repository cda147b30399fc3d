/* cmd-record.c: `vmcompat record write|show` — the migration record
 * (docs/record.md): a resolved ABI with its original and updated CPUs as
 * libvirt XML, the guest text and extensions, in a binary container an
 * older vmcompat still reads. Damaged input exits 2 naming file and section.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bound on the --guest file, as on every input. */
#define VMC_CLI_MAX_GUEST (64 * 1024 * 1024)

/* The section's type as people read it: "abi", "unknown (0x10001)". */
static char *
vmc_cli_section_name(guint32 type)
{
    const char *name = vmc_record_section_type_to_string(type);
    return name ? g_strdup(name) : g_strdup_printf("unknown (0x%x)", type);
}

/* ---- record write --------------------------------------------------------- */

/* "now" in UTC as ISO 8601, or SOURCE_DATE_EPOCH (reproducible builds). */
static char *
vmc_cli_created_at(void)
{
    const char *sde = g_getenv("SOURCE_DATE_EPOCH");
    g_autoptr(GDateTime) t = NULL;
    guint64 secs;

    if (sde && g_ascii_string_to_unsigned(sde, 10, 0, G_MAXINT64, &secs, NULL))
        t = g_date_time_new_from_unix_utc((gint64) secs);
    if (!t)
        t = g_date_time_new_now_utc();
    return g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
}

/* --guest FILE: read verbatim (bounded), and check it reads as a guest. */
static char *
vmc_cli_read_guest_text(VmcCli *cli, const char *path, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(VmcGuest) guest = NULL;
    VmcCatalog *cat;
    struct stat st;
    gsize len = 0;

    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > VMC_CLI_MAX_GUEST) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT, "%s: file larger than the %d MiB input limit",
                    path, VMC_CLI_MAX_GUEST / (1024 * 1024));
        return NULL;
    }
    if (!(cat = vmc_cli_catalog(cli, error)) || !(guest = vmc_guest_load(cat, path, error)))
        return NULL;
    if (!g_file_get_contents(path, &text, &len, NULL) || strlen(text) != len) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: cannot be stored verbatim (unreadable or holds NUL bytes)", path);
        return NULL;
    }
    return g_steal_pointer(&text);
}

/* --extension KEY=VALUE...: the pairs, over created-by and created-at. */
static GHashTable *
vmc_cli_extensions(VmcCli *cli, char **args, int *ret_exit)
{
    g_autoptr(GHashTable) ext = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    g_hash_table_insert(ext, g_strdup("created-by"), g_strdup("vmcompat " VMC_VERSION));
    g_hash_table_insert(ext, g_strdup("created-at"), vmc_cli_created_at());
    for (char **a = args; a && *a; a++) {
        const char *eq = strchr(*a, '=');
        if (!eq || eq == *a) {
            *ret_exit = vmc_cli_usage_error(cli, "--extension '%s': expected KEY=VALUE", *a);
            return NULL;
        }
        g_hash_table_replace(ext, g_strndup(*a, (gsize) (eq - *a)), g_strdup(eq + 1));
    }
    return g_steal_pointer(&ext);
}

static int
cmd_record_write(VmcCli *cli, int argc, char **argv)
{
    g_autofree char *out = NULL, *guest_arg = NULL;
    g_auto(GStrv) ext_args = NULL;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out,
          "write the record to FILE (required; '-' is stdout, not a terminal)", "FILE" },
        { "guest", 0, 0, G_OPTION_ARG_FILENAME, &guest_arg,
          "also store the guest definition the ABI was resolved from", "FILE" },
        { "extension", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ext_args,
          "a free-form extension pair (repeatable)", "KEY=VALUE" },
        { NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("ABI -o FILE - write the migration record of a resolved ABI");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(VmcRecord) rec = NULL;
    g_autoptr(GHashTable) ext = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *guest_text = NULL, *list = NULL;
    VmcCatalog *cat;
    int rc;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "ABI is a resolved ABI (from 'vmcompat guest resolve'); its fingerprint is verified.\n"
        "The record holds the sections abi (critical), cpu-original and cpu-updated (the\n"
        "CPUs as libvirt <cpu> XML), guest (with --guest, verbatim) and extensions:\n"
        "created-by and created-at (UTC; SOURCE_DATE_EPOCH when set) unless given,\n"
        "and every --extension. A regular FILE is replaced atomically. Format:\n"
        "docs/record.md. Exit status 0 written, 2 bad input or a write error.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one ABI (from 'vmcompat guest resolve')");
    if (!out)
        return vmc_cli_usage_error(cli, "-o FILE is required");
    if (g_str_equal(out, "-") && isatty(STDOUT_FILENO))
        return vmc_cli_usage_error(cli, "refusing to write a binary record to a terminal");
    if (!(ext = vmc_cli_extensions(cli, ext_args, &rc)))
        return rc;
    if (!(cat = vmc_cli_catalog(cli, &error)) || !(abi = vmc_abi_load(cat, argv[1], &error)) ||
        (guest_arg && !(guest_text = vmc_cli_read_guest_text(cli, guest_arg, &error))) ||
        !(rec = vmc_record_new_from_abi(abi, guest_text, ext, &error)))
        return vmc_cli_fail(cli, error);
    if (g_str_equal(out, "-")) {
        g_autoptr(GBytes) bytes = vmc_record_serialize(rec);
        gsize len = 0;
        const void *data = g_bytes_get_data(bytes, &len);
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
            fprintf(stderr, "vmcompat: (stdout): cannot write: %s\n", g_strerror(errno));
            return VMC_EXIT_BAD_INPUT;
        }
        return VMC_EXIT_OK;
    }
    if (!vmc_record_save(rec, out, &error))
        return vmc_cli_fail(cli, error);
    for (guint i = 0; i < vmc_record_get_section_count(rec); i++)
        g_ptr_array_add(names, vmc_cli_section_name(vmc_record_get_section_type(rec, i)));
    if (cli->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "file", json_object_new_string(out));
        json_object_object_add(o, "format", json_object_new_string(
            G_STRINGIFY(VMC_RECORD_FORMAT_MAJOR) "." G_STRINGIFY(VMC_RECORD_FORMAT_MINOR)));
        json_object_object_add(o, "size", json_object_new_int64((gint64) vmc_record_get_size(rec)));
        json_object_object_add(o, "sections", vmc_cli_json_strv(names));
        json_object_object_add(o, "fingerprint", json_object_new_string(vmc_abi_get_fingerprint(abi)));
        vmc_cli_print_json(o);
        json_object_put(o);
        return VMC_EXIT_OK;
    }
    list = vmc_cli_join(names, ", ", 0);
    printf("%s: record format %d.%d, %zu bytes, %u sections (%s)\n", out, VMC_RECORD_FORMAT_MAJOR,
           VMC_RECORD_FORMAT_MINOR, vmc_record_get_size(rec), names->len, list);
    printf("  ABI %s\n", vmc_abi_get_fingerprint(abi));
    return VMC_EXIT_OK;
}

/* ---- record show ------------------------------------------------------------ */

/* The "guest" member of the ABI section (informational, not in VmcAbi's
 * accessors), or NULL. */
static char *
vmc_cli_abi_guest_name(const VmcRecord *rec)
{
    GBytes *b = vmc_record_lookup(rec, VMC_RECORD_SECTION_ABI);
    json_tokener *tok;
    json_object *o, *g;
    char *name = NULL;
    gsize len = 0;
    const char *data = b ? g_bytes_get_data(b, &len) : NULL;

    if (!data || len > G_MAXINT)
        return NULL;
    tok = json_tokener_new();
    o = json_tokener_parse_ex(tok, data, (int) len);
    json_tokener_free(tok);
    if (o && json_object_object_get_ex(o, "guest", &g) && json_object_is_type(g, json_type_string))
        name = g_strdup(json_object_get_string(g));
    json_object_put(o);
    return name;
}

/* Count the enabled and disabled features of @def. */
static void
vmc_cli_count_features(const VmcCpuDef *def, guint *ret_on, guint *ret_off)
{
    *ret_on = *ret_off = 0;
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(def); i++) {
        VmcFeaturePolicy p;
        vmc_cpu_def_get_feature(def, i, &p);
        if (p == VMC_FEATURE_POLICY_REQUIRE || p == VMC_FEATURE_POLICY_FORCE)
            (*ret_on)++;
        else
            (*ret_off)++;
    }
}

static gint
vmc_cli_key_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The extensions' keys, sorted (the table owns them). */
static GPtrArray *
vmc_cli_sorted_keys(GHashTable *ext)
{
    GPtrArray *keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;

    g_hash_table_iter_init(&it, ext);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(keys, k);
    g_ptr_array_sort(keys, vmc_cli_key_cmp);
    return keys;
}

static json_object *
vmc_cli_record_json(const char *path, const VmcRecord *rec, const VmcAbi *abi,
                    const char *guest, GHashTable *ext)
{
    json_object *o = json_object_new_object(), *secs = json_object_new_array();
    json_object *a = json_object_new_object(), *jext = json_object_new_object();
    json_object *notes = json_object_new_array();
    const VmcCpuDef *orig = vmc_abi_get_cpu_original(abi), *upd = vmc_abi_get_cpu_updated(abi);
    g_autofree char *format = NULL, *release = vmc_release_to_string(vmc_abi_get_release(abi));
    g_autoptr(GPtrArray) keys = vmc_cli_sorted_keys(ext);
    gsize off = vmc_record_get_size(rec);
    guint major, minor, on, off_count;

    vmc_record_get_version(rec, &major, &minor);
    format = g_strdup_printf("%u.%u", major, minor);
    for (guint i = 0; i < vmc_record_get_section_count(rec); i++)
        off -= g_bytes_get_size(vmc_record_get_section_payload(rec, i));
    json_object_object_add(o, "file", json_object_new_string(path));
    json_object_object_add(o, "format", json_object_new_string(format));
    json_object_object_add(o, "size", json_object_new_int64((gint64) vmc_record_get_size(rec)));
    for (guint i = 0; i < vmc_record_get_section_count(rec); i++) {
        guint32 type = vmc_record_get_section_type(rec, i);
        GBytes *p = vmc_record_get_section_payload(rec, i);
        gsize len = 0;
        const void *data = g_bytes_get_data(p, &len);
        const char *name = vmc_record_section_type_to_string(type);
        json_object *s = json_object_new_object(), *flags = json_object_new_array();
        g_autofree char *crc = g_strdup_printf("0x%08x", vmc_record_crc32c(0, data, len));

        if (vmc_record_get_section_flags(rec, i) & VMC_RECORD_SECTION_CRITICAL)
            json_object_array_add(flags, json_object_new_string("critical"));
        json_object_object_add(s, "index", json_object_new_int((int) i));
        json_object_object_add(s, "type", json_object_new_int64(type));
        json_object_object_add(s, "name", name ? json_object_new_string(name) : NULL);
        json_object_object_add(s, "flags", flags);
        json_object_object_add(s, "offset", json_object_new_int64((gint64) off));
        json_object_object_add(s, "length", json_object_new_int64((gint64) len));
        json_object_object_add(s, "crc32c", json_object_new_string(crc));
        json_object_object_add(s, "status", json_object_new_string(name ? "ok" : "skipped"));
        json_object_array_add(secs, s);
        off += len;
    }
    json_object_object_add(o, "sections", secs);
    json_object_object_add(a, "guest", guest ? json_object_new_string(guest) : NULL);
    json_object_object_add(a, "release", json_object_new_string(release));
    json_object_object_add(a, "machine", json_object_new_string(vmc_abi_get_machine(abi)));
    json_object_object_add(a, "platform", vmc_abi_get_platform(abi) ?
                           json_object_new_string(vmc_abi_get_platform(abi)) : NULL);
    json_object_object_add(a, "accel", json_object_new_string(vmc_accel_to_string(vmc_abi_get_accel(abi))));
    json_object_object_add(a, "arch", json_object_new_string(vmc_arch_to_string(vmc_abi_get_arch(abi))));
    if (orig) {
        json_object *c = json_object_new_object();
        json_object_object_add(c, "mode", json_object_new_string(vmc_cpu_mode_to_string(vmc_cpu_def_get_mode(orig))));
        json_object_object_add(c, "model", vmc_cpu_def_get_model(orig) ?
                               json_object_new_string(vmc_cpu_def_get_model(orig)) : NULL);
        json_object_object_add(c, "check", json_object_new_string(vmc_cpu_check_to_string(vmc_cpu_def_get_check(orig))));
        json_object_object_add(a, "cpu-original", c);
    } else {
        json_object_object_add(a, "cpu-original", NULL);
    }
    {
        json_object *c = json_object_new_object();
        vmc_cli_count_features(upd, &on, &off_count);
        json_object_object_add(c, "model", json_object_new_string(vmc_cpu_def_get_model(upd)));
        json_object_object_add(c, "enabled", json_object_new_int((int) on));
        json_object_object_add(c, "disabled", json_object_new_int((int) off_count));
        json_object_object_add(a, "cpu-updated", c);
    }
    json_object_object_add(a, "fingerprint", json_object_new_string(vmc_abi_get_fingerprint(abi)));
    json_object_object_add(o, "abi", a);
    for (guint i = 0; i < keys->len; i++)
        json_object_object_add(jext, g_ptr_array_index(keys, i),
                               json_object_new_string(g_hash_table_lookup(ext, g_ptr_array_index(keys, i))));
    json_object_object_add(o, "extensions", jext);
    for (const char *const *n = vmc_record_get_notes(rec); *n; n++)
        json_object_array_add(notes, json_object_new_string(*n));
    json_object_object_add(o, "notes", notes);
    return o;
}

static void
vmc_cli_record_print(const char *path, const VmcRecord *rec, const VmcAbi *abi,
                     const char *guest, GHashTable *ext)
{
    const VmcCpuDef *orig = vmc_abi_get_cpu_original(abi), *upd = vmc_abi_get_cpu_updated(abi);
    g_autofree char *release = vmc_release_to_string(vmc_abi_get_release(abi));
    g_autoptr(GPtrArray) keys = vmc_cli_sorted_keys(ext);
    gsize off = vmc_record_get_size(rec);
    guint major, minor, n = vmc_record_get_section_count(rec), on, off_count;
    const char *const *notes = vmc_record_get_notes(rec);

    vmc_record_get_version(rec, &major, &minor);
    for (guint i = 0; i < n; i++)
        off -= g_bytes_get_size(vmc_record_get_section_payload(rec, i));
    printf("%s: vmcompat record, format %u.%u, %zu bytes, %u sections\n", path, major, minor,
           vmc_record_get_size(rec), n);
    printf("  %-3s %-22s %-9s %8s %8s  %s\n", "#", "type", "flags", "offset", "length", "crc32c");
    for (guint i = 0; i < n; i++) {
        guint32 type = vmc_record_get_section_type(rec, i);
        GBytes *p = vmc_record_get_section_payload(rec, i);
        gsize len = 0;
        const void *data = g_bytes_get_data(p, &len);
        g_autofree char *name = vmc_cli_section_name(type);
        gboolean critical = vmc_record_get_section_flags(rec, i) & VMC_RECORD_SECTION_CRITICAL;

        printf("  %-3u %-22s %-9s %8zu %8zu  0x%08x %s\n", i, name, critical ? "critical" : "-",
               off, len, vmc_record_crc32c(0, data, len),
               vmc_record_section_type_is_known(type) ? "ok" : "ok, skipped");
        off += len;
    }
    printf("ABI:\n");
    printf("  %-13s %s\n", "guest", guest ? guest : "(unnamed)");
    printf("  %-13s %s\n", "release", release);
    printf("  %-13s %s\n", "machine", vmc_abi_get_machine(abi));
    printf("  %-13s %s\n", "platform", vmc_abi_get_platform(abi) ? vmc_abi_get_platform(abi) : "(none)");
    printf("  %-13s %s (%s)\n", "accel", vmc_accel_to_string(vmc_abi_get_accel(abi)),
           vmc_arch_to_string(vmc_abi_get_arch(abi)));
    if (orig)
        printf("  %-13s %s, mode %s, check %s\n", "original CPU",
               vmc_cpu_def_get_model(orig) ? vmc_cpu_def_get_model(orig) : "(no model)",
               vmc_cpu_mode_to_string(vmc_cpu_def_get_mode(orig)),
               vmc_cpu_check_to_string(vmc_cpu_def_get_check(orig)));
    else
        printf("  %-13s %s\n", "original CPU", "(none: the guest named no CPU)");
    vmc_cli_count_features(upd, &on, &off_count);
    printf("  %-13s %s, %u features enabled, %u disabled\n", "updated CPU",
           vmc_cpu_def_get_model(upd), on, off_count);
    printf("  %-13s %s\n", "fingerprint", vmc_abi_get_fingerprint(abi));
    if (keys->len) {
        printf("extensions:\n");
        for (guint i = 0; i < keys->len; i++)
            printf("  %-13s %s\n", (char *) g_ptr_array_index(keys, i),
                   (char *) g_hash_table_lookup(ext, g_ptr_array_index(keys, i)));
    }
    if (*notes) {
        printf("notes:\n");
        for (; *notes; notes++)
            printf("  %s\n", *notes);
    }
}

static int
cmd_record_show(VmcCli *cli, int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("FILE - what a migration record holds, verified");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcRecord) rec = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(GHashTable) ext = NULL;
    g_autofree char *guest = NULL;
    VmcCatalog *cat;
    int rc;

    g_option_context_set_description(ctx,
        "Verifies the whole record — magic, format version, the CRC32C of the header, of\n"
        "the section table and of every section — then reads the ABI (its fingerprint\n"
        "verified) and checks that the cpu-original and cpu-updated sections agree with it.\n"
        "Prints the format version, the sections (index, type, flags, offset, length,\n"
        "CRC), the ABI (guest, release, machine, platform, accelerator, original and\n"
        "updated CPU, fingerprint), the extensions, and notes on sections this vmcompat\n"
        "does not know (skipped unless critical). Exit status 0, or 2 for a damaged,\n"
        "truncated or unreadable record, naming the file and the section.\n");
    if (!vmc_cli_parse(cli, ctx, &argc, &argv, &rc))
        return rc;
    if (argc != 2)
        return vmc_cli_usage_error(cli, "expected one record FILE");
    if (!(rec = vmc_record_load(argv[1], &error)) || !(cat = vmc_cli_catalog(cli, &error)) ||
        !(abi = vmc_record_get_abi(rec, cat, &error)) ||
        !(ext = vmc_record_get_extensions(rec, &error)))
        return vmc_cli_fail(cli, error);
    guest = vmc_cli_abi_guest_name(rec);
    if (cli->json) {
        json_object *o = vmc_cli_record_json(argv[1], rec, abi, guest, ext);
        vmc_cli_print_json(o);
        json_object_put(o);
    } else {
        vmc_cli_record_print(argv[1], rec, abi, guest, ext);
    }
    return VMC_EXIT_OK;
}

static const VmcCliCommand record_commands[] = {
    { "write", "write the migration record of a resolved ABI", cmd_record_write },
    { "show", "verify a migration record and show what it holds", cmd_record_show },
    { NULL },
};

int
vmc_cmd_record(VmcCli *cli, int argc, char **argv)
{
    return vmc_cli_dispatch(cli, "record", record_commands, argc, argv);
}
