/* qmp-commands.c: the implementations of vmcompatd's commands (declared in
 * data/qmp/schema.json; bound by name in vmc__qmp_handlers).
 *
 * Each turns its QMP arguments — already checked against the schema — into
 * library calls and returns the answer the CLI's --json prints for the
 * same operation (qmp-json.c): no rule is decided here. Documents arrive
 * inline (a JSON object, or text in any format the CLI reads from a file);
 * errors name the argument ("modelb: field 'name': unknown s390x CPU model
 * 'z99'").
 *
 * Invariants: handlers only read the command set and the catalog, so any
 * number run at once on distinct arguments. Workload: comparison and
 * expansion are the hot path (a few microseconds, on the event loop);
 * documents and catalogs are parsed on worker threads.
 */
#include "qmp/qmp-private.h"

#include <string.h>

#include "base/json-util.h"
#include "base/util.h"
#include "catalog/catalog-private.h"
#include "formats/formats-private.h"

/* ---- arguments --------------------------------------------------------------- */

static json_object *
vmc_qmp_arg(json_object *args, const char *name)
{
    json_object *v = NULL;

    return json_object_object_get_ex(args, name, &v) ? v : NULL;
}

static const char *
vmc_qmp_arg_str(json_object *args, const char *name)
{
    json_object *v = vmc_qmp_arg(args, name);

    return v ? json_object_get_string(v) : NULL;
}

static gboolean
vmc_qmp_arg_bool(json_object *args, const char *name)
{
    json_object *v = vmc_qmp_arg(args, name);

    return v && json_object_get_boolean(v);
}

/* The arch argument @name, or VMC_ARCH_N when absent. */
static VmcArch
vmc_qmp_arg_arch(json_object *args, const char *name)
{
    const char *s = vmc_qmp_arg_str(args, name);

    return s ? vmc_arch_from_string(s) : VMC_ARCH_N;
}

/* The check mode argument, or VMC_CPU_CHECK_DEFAULT when absent. */
static VmcCpuCheck
vmc_qmp_arg_check(json_object *args)
{
    const char *s = vmc_qmp_arg_str(args, "check");

    return s ? vmc_cpu_check_from_string(s) : VMC_CPU_CHECK_DEFAULT;
}

/* The text of a document argument: a JSON object serialized, or the string
 * itself. Points into @value (valid while it lives). */
static const char *
vmc_qmp_document_text(json_object *value, gsize *ret_len)
{
    gsize len = 0;
    const char *text;

    if (json_object_is_type(value, json_type_string)) {
        *ret_len = (gsize) json_object_get_string_len(value);
        return json_object_get_string(value);
    }
    text = json_object_to_json_string_length(value, JSON_C_TO_STRING_PLAIN, &len);
    *ret_len = len;
    return text;
}

/* A host argument (HostInput). */
static VmcHost *
vmc_qmp_arg_host(const VmcQmp *qmp, json_object *args, const char *name, GError **error)
{
    gsize len;
    const char *text = vmc_qmp_document_text(vmc_qmp_arg(args, name), &len);

    return vmc_host_parse(qmp->cat, text, len, name, error);
}

/* A guest argument (GuestInput), named @source (nullable: the argument's
 * name) in errors and in the ABI. */
static VmcGuest *
vmc_qmp_arg_guest(const VmcQmp *qmp, json_object *args, const char *name, const char *source,
                  GError **error)
{
    gsize len;
    const char *text = vmc_qmp_document_text(vmc_qmp_arg(args, name), &len);

    return vmc_guest_parse(qmp->cat, text, len, source ? source : name, error);
}

/* A resolved ABI argument (AbiInput). */
static VmcAbi *
vmc_qmp_arg_abi(const VmcQmp *qmp, json_object *args, const char *name, GError **error)
{
    gsize len;
    const char *text = vmc_qmp_document_text(vmc_qmp_arg(args, name), &len);

    return vmc_abi_parse(qmp->cat, text, len, name, error);
}

/* A base64 argument, decoded (transfer full); characters outside the
 * base64 alphabet are refused rather than skipped. */
static guint8 *
vmc_qmp_arg_base64(json_object *args, const char *name, gsize *ret_len, GError **error)
{
    const char *s = vmc_qmp_arg_str(args, name);
    gsize n = strlen(s), bad = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789+/=\r\n");

    if (n == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: empty", name);
        return NULL;
    }
    if (bad != n) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: not base64 (byte %zu)", name, bad);
        return NULL;
    }
    return g_base64_decode(s, ret_len);
}

/* The arch of CPU models: @explicit, else the first model name a catalog
 * arch knows ("host"/"max" are every arch's), else the default. */
static VmcArch
vmc_qmp_models_arch(const VmcQmp *qmp, VmcArch explicit_arch, json_object *const *infos,
                    gsize n)
{
    if (explicit_arch != VMC_ARCH_N)
        return explicit_arch;
    for (gsize i = 0; i < n; i++) {
        const char *name = vmc_qmp_arg_str(infos[i], "name");
        VmcArch a = name ? vmc__catalog_guess_arch(qmp->cat, name) : VMC_ARCH_N;
        if (a != VMC_ARCH_N)
            return a;
    }
    return qmp->opts.default_arch;
}

/* A CpuModelInfo argument as a definition; errors start with @where. */
static VmcCpuDef *
vmc_qmp_cpu(const VmcQmp *qmp, VmcArch arch, json_object *info, const char *where,
            GError **error)
{
    return vmc__cpu_def_from_json(qmp->cat, arch, info, where, error);
}

/* The guest OS policy of a request (@policy_key: vendor when absent) and
 * its day (@date_key: today when absent), as the CLI's --os-policy and
 * --os-date. */
static VmcOsPolicy *
vmc_qmp_os_context(json_object *args, const char *policy_key, const char *date_key,
                   GDate *ret_date, GError **error)
{
    const char *date = vmc_qmp_arg_str(args, date_key);

    if (date) {
        if (!vmc_date_parse(date, ret_date, error)) {
            g_prefix_error(error, "%s: ", date_key);
            return NULL;
        }
    } else {
        g_autoptr(GDateTime) now = g_date_time_new_now_local();
        g_date_clear(ret_date, 1);
        g_date_set_dmy(ret_date, (GDateDay) g_date_time_get_day_of_month(now),
                       (GDateMonth) g_date_time_get_month(now),
                       (GDateYear) g_date_time_get_year(now));
    }
    return vmc_os_policy_parse(vmc_qmp_arg_str(args, policy_key), error);
}

/* ---- introspection --------------------------------------------------------- */

static json_object *
vmc_qmp_query_commands(const VmcQmp *qmp, json_object *args, GError **error)
{
    json_object *arr = json_object_new_array_ext((int) qmp->command_order->len);

    for (guint i = 0; i < qmp->command_order->len; i++) {
        const VmcQmpCommand *c = g_ptr_array_index(qmp->command_order, i);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(c->name));
        json_object_array_add(arr, o);
    }
    return arr;
}

static json_object *
vmc_qmp_query_qmp_schema(const VmcQmp *qmp, json_object *args, GError **error)
{
    json_object *copy = NULL;

    /* A copy: json-c reference counts are not atomic, and workers may run
     * this while another thread serializes an earlier answer. */
    if (json_object_deep_copy(qmp->introspection, &copy, NULL) != 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED, "cannot copy the schema");
        return NULL;
    }
    return copy;
}

/* ---- CPU models -------------------------------------------------------------- */

static json_object *
vmc_qmp_query_cpu_definitions(const VmcQmp *qmp, json_object *args, GError **error)
{
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(GArray) rows = NULL;
    const VmcCpuDef *cpu = NULL;
    const char *accel_s = vmc_qmp_arg_str(args, "accel");
    VmcArch arch = vmc_qmp_arg_arch(args, "arch");
    VmcAccel accel = accel_s ? vmc_accel_from_string(accel_s) : VMC_ACCEL_N;

    if (vmc_qmp_arg(args, "host")) {
        if (!(host = vmc_qmp_arg_host(qmp, args, "host", error)))
            return NULL;
        if (!(cpu = vmc_host_get_cpu(host))) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                        "host: the host document holds no CPU features");
            return NULL;
        }
        if (accel == VMC_ACCEL_N)
            accel = vmc_host_default_accel(host);
        if (arch == VMC_ARCH_N)
            arch = vmc_cpu_def_get_arch(cpu);
    }
    if (accel == VMC_ACCEL_N)
        accel = VMC_ACCEL_NONE;
    if (arch == VMC_ARCH_N)
        arch = qmp->opts.default_arch;
    if (!(rows = vmc_cpu_models_accel(qmp->cat, arch, cpu, accel, error)))
        return NULL;
    return vmc_qmp_cpu_definition_info_list(rows);
}

static json_object *
vmc_qmp_query_cpu_model_expansion(const VmcQmp *qmp, json_object *args, GError **error)
{
    json_object *info = vmc_qmp_arg(args, "model");
    VmcArch arch = vmc_qmp_models_arch(qmp, vmc_qmp_arg_arch(args, "arch"), &info, 1);
    VmcExpansionType type = vmc_expansion_type_from_string(vmc_qmp_arg_str(args, "type"));
    g_autoptr(VmcCpuDef) def = vmc_qmp_cpu(qmp, arch, info, "model", error);
    g_autoptr(VmcCpuDef) exp = NULL;
    g_autoptr(GPtrArray) deprecated = NULL;

    if (!def || !(exp = vmc_cpu_expand(def, type, &deprecated, error)))
        return NULL;
    return vmc_qmp_cpu_model_expansion_info(exp, deprecated);
}

static json_object *
vmc_qmp_query_cpu_model_comparison(const VmcQmp *qmp, json_object *args, GError **error)
{
    json_object *infos[2] = { vmc_qmp_arg(args, "modela"), vmc_qmp_arg(args, "modelb") };
    VmcArch arch = vmc_qmp_models_arch(qmp, vmc_qmp_arg_arch(args, "arch"), infos, 2);
    g_autoptr(VmcCpuDef) a = vmc_qmp_cpu(qmp, arch, infos[0], "modela", error);
    g_autoptr(VmcCpuDef) b = NULL;
    g_autoptr(GPtrArray) resp = NULL;
    VmcCompareResult result;

    if (!a || !(b = vmc_qmp_cpu(qmp, arch, infos[1], "modelb", error)) ||
        !vmc_cpu_compare(a, b, &result, &resp, error))
        return NULL;
    return vmc_qmp_cpu_model_compare_info(result, resp);
}

static json_object *
vmc_qmp_query_cpu_model_baseline(const VmcQmp *qmp, json_object *args, GError **error)
{
    g_autoptr(GPtrArray) infos = g_ptr_array_new();
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);
    g_autoptr(VmcCpuDef) result = NULL;
    json_object *models = vmc_qmp_arg(args, "models");
    VmcBaselineFlags flags = VMC_BASELINE_DEFAULT;
    VmcArch arch;

    if (models && (vmc_qmp_arg(args, "modela") || vmc_qmp_arg(args, "modelb"))) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "give either 'models' or 'modela' and 'modelb', not both");
        return NULL;
    }
    if (models) {
        for (gsize i = 0; i < json_object_array_length(models); i++)
            g_ptr_array_add(infos, json_object_array_get_idx(models, i));
        if (infos->len == 0) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "Parameter 'models' must hold at least one model");
            return NULL;
        }
    } else {
        const char *names[] = { "modela", "modelb" };
        for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
            if (!vmc_qmp_arg(args, names[i])) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "Parameter '%s' is missing", names[i]);
                return NULL;
            }
            g_ptr_array_add(infos, vmc_qmp_arg(args, names[i]));
        }
    }
    if (infos->len > VMC_BASELINE_MAX_CPUS) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "Parameter 'models': %u models, at most %u", infos->len,
                    (guint) VMC_BASELINE_MAX_CPUS);
        return NULL;
    }
    arch = vmc_qmp_models_arch(qmp, vmc_qmp_arg_arch(args, "arch"),
                               (json_object *const *) infos->pdata, infos->len);
    for (guint i = 0; i < infos->len; i++) {
        g_autofree char *where = models ? g_strdup_printf("models[%u]", i)
                                        : g_strdup(i ? "modelb" : "modela");
        VmcCpuDef *d = vmc_qmp_cpu(qmp, arch, g_ptr_array_index(infos, i), where, error);
        if (!d)
            return NULL;
        g_ptr_array_add(defs, d);
    }
    if (vmc_qmp_arg_bool(args, "features"))
        flags |= VMC_BASELINE_EXPAND_FEATURES;
    if (vmc_qmp_arg_bool(args, "migratable"))
        flags |= VMC_BASELINE_MIGRATABLE;
    result = vmc_cpu_baseline((VmcCpuDef *const *) defs->pdata, defs->len, NULL, flags, error);
    return result ? vmc_qmp_cpu_model_baseline_info(result) : NULL;
}

static json_object *
vmc_qmp_query_cpu_model_deprecated_features(const VmcQmp *qmp, json_object *args,
                                            GError **error)
{
    VmcArch arch = vmc_qmp_arg_arch(args, "arch");

    return vmc_qmp_cpu_deprecated_info(qmp->cat, arch == VMC_ARCH_N ? qmp->opts.default_arch
                                                                     : arch);
}

/* ---- hosts ------------------------------------------------------------------- */

static json_object *
vmc_qmp_query_host_model(const VmcQmp *qmp, json_object *args, GError **error)
{
    g_autoptr(VmcHost) host = vmc_qmp_arg_host(qmp, args, "host", error);
    g_autoptr(VmcCpuDef) model = NULL;
    g_autoptr(GPtrArray) disabled = NULL;

    if (!host || !(model = vmc_host_model(host, &disabled, error)))
        return NULL;
    return vmc_qmp_host_model_info(model, disabled);
}

static json_object *
vmc_qmp_query_platforms(const VmcQmp *qmp, json_object *args, GError **error)
{
    g_autoptr(VmcHost) host = vmc_qmp_arg_host(qmp, args, "host", error);
    g_autoptr(GArray) rows = NULL;

    if (!host)
        return NULL;
    rows = vmc_host_query_platforms(host, qmp->cat);
    return vmc_qmp_platform_info_list(rows);
}

static json_object *
vmc_qmp_query_machines(const VmcQmp *qmp, json_object *args, GError **error)
{
    const char *release = vmc_qmp_arg_str(args, "release");
    VmcRelease rel;

    if (release ? !vmc_release_parse(release, &rel, error)
                : !vmc_catalog_newest_release(qmp->cat, &rel)) {
        if (!release)
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG, "the catalog knows no QEMU release");
        return NULL;
    }
    return vmc_qmp_machine_info_list(qmp->cat, vmc_qmp_arg_arch(args, "arch"), &rel);
}

/* ---- guests -------------------------------------------------------------------- */

static json_object *
vmc_qmp_resolve_guest(const VmcQmp *qmp, json_object *args, GError **error)
{
    const char *release = vmc_qmp_arg_str(args, "release");
    g_autoptr(VmcGuest) guest = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autofree char *json = NULL;
    VmcRelease rel;

    if ((release && !vmc_release_parse(release, &rel, error)) ||
        !(host = vmc_qmp_arg_host(qmp, args, "host", error)) ||
        !(guest = vmc_qmp_arg_guest(qmp, args, "guest", vmc_qmp_arg_str(args, "name"), error)) ||
        !(abi = vmc_guest_resolve(qmp->cat, guest, host, release ? &rel : NULL, error)))
        return NULL;
    json = vmc_abi_to_json(abi);
    return vmc_json_parse(json, strlen(json), "abi", error);
}

static json_object *
vmc_qmp_check_runnable(const VmcQmp *qmp, json_object *args, GError **error)
{
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(VmcOsPolicy) policy = NULL;
    GDate date;

    if (!(policy = vmc_qmp_os_context(args, "os-policy", "os-date", &date, error)) ||
        !(abi = vmc_qmp_arg_abi(qmp, args, "abi", error)) ||
        !(host = vmc_qmp_arg_host(qmp, args, "host", error)))
        return NULL;
    v = vmc_abi_check_mode(abi, host, vmc_qmp_arg_check(args));
    /* A guest that names its OS: the guest-os-* reasons, as guest check. */
    vmc_os_check_abi_reasons(qmp->cat, qmp->osdb, qmp->osdb_error, policy, abi, &date, v);
    return vmc_qmp_verdict_info(v);
}

/* The guest of check-migration: exactly one of abi, guest (resolved on
 * @src) and record. */
static VmcAbi *
vmc_qmp_migration_abi(const VmcQmp *qmp, json_object *args, const VmcHost *src,
                      GError **error)
{
    guint given = !!vmc_qmp_arg(args, "abi") + !!vmc_qmp_arg(args, "guest") +
                  !!vmc_qmp_arg(args, "record");

    if (given != 1) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "give exactly one of 'abi', 'guest' and 'record' (%u given)", given);
        return NULL;
    }
    if (vmc_qmp_arg(args, "abi"))
        return vmc_qmp_arg_abi(qmp, args, "abi", error);
    if (vmc_qmp_arg(args, "guest")) {
        g_autoptr(VmcGuest) g = vmc_qmp_arg_guest(qmp, args, "guest", NULL, error);
        return g ? vmc_guest_resolve(qmp->cat, g, src, NULL, error) : NULL;
    }
    {
        gsize len = 0;
        g_autofree guint8 *data = vmc_qmp_arg_base64(args, "record", &len, error);
        g_autoptr(VmcRecord) rec = data ? vmc_record_parse(data, len, "record", error) : NULL;
        return rec ? vmc_record_get_abi(rec, qmp->cat, error) : NULL;
    }
}

static json_object *
vmc_qmp_check_migration(const VmcQmp *qmp, json_object *args, GError **error)
{
    g_autoptr(VmcHost) src = NULL;
    g_autoptr(VmcHost) dst = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(VmcVerdict) there = NULL;
    g_autoptr(VmcVerdict) back = NULL;
    VmcCpuCheck mode = vmc_qmp_arg_check(args);

    if (!(src = vmc_qmp_arg_host(qmp, args, "from", error)) ||
        !(dst = vmc_qmp_arg_host(qmp, args, "to", error)) ||
        !(abi = vmc_qmp_migration_abi(qmp, args, src, error)))
        return NULL;
    if (mode == VMC_CPU_CHECK_DEFAULT)
        mode = vmc_abi_get_check(abi);
    there = vmc_migrate_check(abi, src, dst, mode);
    if (vmc_qmp_arg_bool(args, "both-ways"))
        back = vmc_migrate_check(abi, dst, src, mode);
    return vmc_qmp_migration_info(abi, src, dst, mode, there, back);
}

static json_object *
vmc_qmp_check_restore(const VmcQmp *qmp, json_object *args, GError **error)
{
    gsize len = 0;
    g_autofree guint8 *data = vmc_qmp_arg_base64(args, "image", &len, error);
    g_autoptr(VmcSaveImage) img = NULL;
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    VmcCpuCheck mode = vmc_qmp_arg_check(args);

    if (!data || !(img = vmc_save_image_parse(qmp->cat, data, len, "image", error)) ||
        !(host = vmc_qmp_arg_host(qmp, args, "host", error)))
        return NULL;
    v = vmc_restore_check(qmp->cat, img, host, mode, &abi);
    return vmc_qmp_restore_info(v, abi, mode);
}

/* ---- guest OS support ----------------------------------------------------------- */

static json_object *
vmc_qmp_query_guest_os_support(const VmcQmp *qmp, json_object *args, GError **error)
{
    const char *machine = vmc_qmp_arg_str(args, "machine");
    g_autoptr(VmcOsPolicy) policy = NULL;
    g_autoptr(VmcGuest) guest = NULL;
    g_autoptr(VmcOsCheck) check = NULL;
    g_autofree char *json = NULL;
    const VmcOsInfo *os;
    GDate date;

    if (!(policy = vmc_qmp_os_context(args, "policy", "date", &date, error)))
        return NULL;
    if (vmc_qmp_arg(args, "guest")) {
        if (!(guest = vmc_qmp_arg_guest(qmp, args, "guest", NULL, error)))
            return NULL;
        if (!machine)
            machine = vmc_guest_get_machine(guest);
    }
    if (!machine) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "Parameter 'machine' is missing (the guest names no machine type)");
        return NULL;
    }
    if (!qmp->osdb) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "the osinfo database is not available: %s", qmp->osdb_error->message);
        return NULL;
    }
    if (!(os = vmc_os_db_lookup(qmp->osdb, vmc_qmp_arg_str(args, "os"), error)) ||
        !(check = vmc_os_check(qmp->cat, policy, os, machine,
                               guest && vmc_guest_get_virtio_count(guest) ?
                               vmc_guest_get_virtio(guest, 0) : NULL,
                               guest ? (int) vmc_guest_get_virtio_count(guest) : -1, &date,
                               error)))
        return NULL;
    json = vmc_os_check_to_json(check);
    return vmc_json_parse(json, strlen(json), "guest OS check", error);
}

/* ---- catalogs ---------------------------------------------------------------------- */

/* "builtin", or a catalog directory (the data/ layout); with @overlay the
 * directory is applied over the built-in catalog. */
static VmcCatalog *
vmc_qmp_lint_load(const char *arg, const char *name, gboolean overlay, GError **error)
{
    const char *dirs[] = { arg, NULL };

    if (g_str_equal(arg, "builtin"))
        return vmc_catalog_load(NULL, VMC_CATALOG_NO_OVERLAYS, error);
    if (!g_path_is_absolute(arg) || !g_file_test(arg, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "%s: '%s' is not an absolute path to a catalog directory (or 'builtin')",
                    name, arg);
        return NULL;
    }
    return vmc_catalog_load(dirs, VMC_CATALOG_NO_OVERLAYS |
                            (overlay ? 0 : VMC_CATALOG_NO_BUILTIN), error);
}

static json_object *
vmc_qmp_lint_catalog(const VmcQmp *qmp, json_object *args, GError **error)
{
    const char *old_s = vmc_qmp_arg_str(args, "old");
    const char *new_s = vmc_qmp_arg_str(args, "new");
    gboolean overlay = vmc_qmp_arg_bool(args, "overlay");
    g_autoptr(VmcCatalog) old_cat = NULL;
    g_autoptr(VmcCatalog) new_cat = NULL;
    g_autoptr(VmcVerdict) v = NULL;

    if (!(new_cat = vmc_qmp_lint_load(new_s, "new", overlay, error)) ||
        !(old_cat = old_s ? vmc_qmp_lint_load(old_s, "old", overlay, error)
                          : vmc_catalog_ref(new_cat)))
        return NULL;
    v = vmc_catalog_lint(old_cat, new_cat);
    return vmc_qmp_verdict_info(v);
}

const VmcQmpHandlerEntry vmc__qmp_handlers[] = {
    { "query-commands", vmc_qmp_query_commands },
    { "query-qmp-schema", vmc_qmp_query_qmp_schema },
    { "query-cpu-definitions", vmc_qmp_query_cpu_definitions },
    { "query-cpu-model-expansion", vmc_qmp_query_cpu_model_expansion },
    { "query-cpu-model-comparison", vmc_qmp_query_cpu_model_comparison },
    { "query-cpu-model-baseline", vmc_qmp_query_cpu_model_baseline },
    { "query-cpu-model-deprecated-features", vmc_qmp_query_cpu_model_deprecated_features },
    { "query-host-model", vmc_qmp_query_host_model },
    { "query-platforms", vmc_qmp_query_platforms },
    { "query-machines", vmc_qmp_query_machines },
    { "resolve-guest", vmc_qmp_resolve_guest },
    { "check-runnable", vmc_qmp_check_runnable },
    { "check-migration", vmc_qmp_check_migration },
    { "check-restore", vmc_qmp_check_restore },
    { "lint-catalog", vmc_qmp_lint_catalog },
    { "query-guest-os-support", vmc_qmp_query_guest_os_support },
    { NULL, NULL },
};
