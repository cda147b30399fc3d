/* qmp-json.c: every answer of vmcompat as the JSON a QMP command returns
 * (qmp.h, "Answers"). The CLI's --json output and vmcompatd's "return"
 * values are these objects; member names are QAPI's.
 *
 * Invariants: the functions only read their inputs; lists of names are
 * emitted in the order the library gave them (the library sorts where
 * order matters). Workload: one call per answer — on the daemon's hot path
 * for comparison and expansion (a few hundred ns each).
 */
#include <vmcompat/qmp.h>

#include "formats/formats-private.h"

/* A JSON array of the strings of @names (NULL: empty). */
static json_object *
vmc_qmp_strv(GPtrArray *names)
{
    json_object *a = json_object_new_array_ext(names ? (int) names->len : 0);

    for (guint i = 0; names && i < names->len; i++)
        json_object_array_add(a, json_object_new_string(g_ptr_array_index(names, i)));
    return a;
}

json_object *
vmc_qmp_cpu_definition_info_list(GArray *rows)
{
    json_object *a;

    g_return_val_if_fail(rows != NULL, NULL);
    a = json_object_new_array_ext((int) rows->len);
    for (guint i = 0; i < rows->len; i++) {
        const VmcModelAvailability *r = &g_array_index(rows, VmcModelAvailability, i);
        json_object *o = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(r->name));
        if (r->unavailable)
            json_object_object_add(o, "unavailable-features", vmc_qmp_strv(r->unavailable));
        json_object_object_add(o, "static", json_object_new_boolean(r->is_static));
        json_object_object_add(o, "migration-safe", json_object_new_boolean(TRUE));
        json_object_object_add(o, "deprecated", json_object_new_boolean(r->deprecated != NULL));
        if (r->deprecated)
            json_object_object_add(o, "deprecated-since", json_object_new_string(r->deprecated));
        if (r->alias_of)
            json_object_object_add(o, "alias-of", json_object_new_string(r->alias_of));
        json_object_array_add(a, o);
    }
    return a;
}

json_object *
vmc_qmp_cpu_model_expansion_info(const VmcCpuDef *model, GPtrArray *deprecated)
{
    json_object *o;

    g_return_val_if_fail(model != NULL, NULL);
    o = json_object_new_object();
    json_object_object_add(o, "model", vmc__cpu_def_to_json(model));
    json_object_object_add(o, "deprecated-props", vmc_qmp_strv(deprecated));
    return o;
}

json_object *
vmc_qmp_cpu_model_compare_info(VmcCompareResult result, GPtrArray *responsible)
{
    json_object *o;

    g_return_val_if_fail(result < VMC_COMPARE_N, NULL);
    o = json_object_new_object();
    json_object_object_add(o, "result",
                           json_object_new_string(vmc_compare_result_to_string(result)));
    json_object_object_add(o, "responsible-properties", vmc_qmp_strv(responsible));
    return o;
}

json_object *
vmc_qmp_cpu_model_baseline_info(const VmcCpuDef *def)
{
    guint fam, mod, step;
    json_object *o;

    g_return_val_if_fail(def != NULL, NULL);
    o = json_object_new_object();
    json_object_object_add(o, "model", vmc__cpu_def_to_json(def));
    if (vmc_cpu_def_get_vendor(def))
        json_object_object_add(o, "vendor", json_object_new_string(vmc_cpu_def_get_vendor(def)));
    if (vmc_cpu_def_get_signature(def, &fam, &mod, &step)) {
        json_object *sig = json_object_new_object();
        json_object_object_add(sig, "family", json_object_new_int((int) fam));
        json_object_object_add(sig, "model", json_object_new_int((int) mod));
        json_object_object_add(sig, "stepping", json_object_new_int((int) step));
        json_object_object_add(o, "signature", sig);
    }
    return o;
}

json_object *
vmc_qmp_cpu_deprecated_info(const VmcCatalog *cat, VmcArch arch)
{
    g_autoptr(GPtrArray) names = NULL;
    json_object *o, *props;

    g_return_val_if_fail(cat != NULL && arch < VMC_ARCH_N, NULL);
    names = vmc_cpu_deprecated_features(cat, arch);
    o = json_object_new_object();
    props = json_object_new_array_ext((int) names->len);
    for (guint i = 0; i < names->len; i++) {
        const VmcFeature *f = vmc_catalog_feature_lookup(cat, arch, g_ptr_array_index(names, i));
        json_object *p = json_object_new_object();
        json_object_object_add(p, "name", json_object_new_string(vmc_feature_get_name(f)));
        json_object_object_add(p, "since", json_object_new_string(vmc_feature_get_deprecated(f)));
        json_object_array_add(props, p);
    }
    json_object_object_add(o, "arch", json_object_new_string(vmc_arch_to_string(arch)));
    json_object_object_add(o, "props", props);
    return o;
}

json_object *
vmc_qmp_host_model_info(const VmcCpuDef *model, GPtrArray *disabled)
{
    json_object *o;

    g_return_val_if_fail(model != NULL, NULL);
    o = json_object_new_object();
    json_object_object_add(o, "model", vmc__cpu_def_to_json(model));
    json_object_object_add(o, "deprecated-disabled", vmc_qmp_strv(disabled));
    return o;
}

json_object *
vmc_qmp_platform_info_list(GArray *rows)
{
    json_object *arr;

    g_return_val_if_fail(rows != NULL, NULL);
    arr = json_object_new_array_ext((int) rows->len);
    for (guint i = 0; i < rows->len; i++) {
        const VmcHostPlatform *r = &g_array_index(rows, VmcHostPlatform, i);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(vmc_platform_get_name(r->platform)));
        json_object_object_add(o, "kernel", json_object_new_string(vmc_platform_get_kernel(r->platform)));
        if (vmc_platform_get_based_on(r->platform))
            json_object_object_add(o, "based-on",
                                   json_object_new_string(vmc_platform_get_based_on(r->platform)));
        json_object_object_add(o, "supported", json_object_new_boolean(r->supported));
        json_object_object_add(o, "default", json_object_new_boolean(r->is_default));
        json_object_object_add(o, "missing", vmc_qmp_strv(r->missing));
        json_object_array_add(arr, o);
    }
    return arr;
}

json_object *
vmc_qmp_machine_info_list(const VmcCatalog *cat, VmcArch arch, const VmcRelease *release)
{
    json_object *arr;

    g_return_val_if_fail(cat != NULL && release != NULL, NULL);
    arr = json_object_new_array();
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        if (arch != VMC_ARCH_N && arch != a)
            continue;
        for (guint i = 0; i < vmc_catalog_machine_count(cat, a); i++) {
            const VmcMachineType *mt = vmc_catalog_machine(cat, a, i);
            VmcMachineStatus st = vmc_machine_type_status(mt, release);
            g_autofree char *since = vmc_release_to_string(vmc_machine_type_get_since(mt));
            guint n, hd = 0;
            const VmcCompatProp *p = vmc_machine_type_compat_props(mt, &n);
            json_object *o = json_object_new_object();

            for (guint k = 0; k < n; k++)
                hd += p[k].host_dependency == VMC_HOST_DEP_HOST_DEPENDENT;
            json_object_object_add(o, "name", json_object_new_string(vmc_machine_type_get_name(mt)));
            json_object_object_add(o, "arch", json_object_new_string(vmc_arch_to_string(a)));
            json_object_object_add(o, "family", json_object_new_string(vmc_machine_type_get_family(mt)));
            json_object_object_add(o, "since", json_object_new_string(since));
            json_object_object_add(o, "status", json_object_new_string(vmc_machine_status_to_string(st)));
            json_object_object_add(o, "compat-props", json_object_new_int((int) n));
            json_object_object_add(o, "host-dependent", json_object_new_int((int) hd));
            json_object_array_add(arr, o);
        }
    }
    return arr;
}

json_object *
vmc_qmp_verdict_info(const VmcVerdict *v)
{
    g_autofree char *text = NULL;

    g_return_val_if_fail(v != NULL, NULL);
    text = vmc_verdict_to_json(v);
    return json_tokener_parse(text);
}

/* One direction of a migration: the verdict plus "from" and "to". */
static json_object *
vmc_qmp_direction(const VmcHost *from, const VmcHost *to, const VmcVerdict *v)
{
    json_object *o = vmc_qmp_verdict_info(v);

    json_object_object_add(o, "from", json_object_new_string(vmc_host_get_name(from) ?
                                                             vmc_host_get_name(from) : ""));
    json_object_object_add(o, "to", json_object_new_string(vmc_host_get_name(to) ?
                                                           vmc_host_get_name(to) : ""));
    return o;
}

json_object *
vmc_qmp_migration_info(const VmcAbi *abi, const VmcHost *src, const VmcHost *dst,
                       VmcCpuCheck mode, const VmcVerdict *there, const VmcVerdict *back)
{
    json_object *o, *dirs;
    gboolean ok;

    g_return_val_if_fail(abi != NULL && src != NULL && dst != NULL && there != NULL, NULL);
    ok = vmc_verdict_ok(there) && (!back || vmc_verdict_ok(back));
    o = json_object_new_object();
    dirs = json_object_new_array();
    json_object_object_add(o, "ok", json_object_new_boolean(ok));
    json_object_object_add(o, "check", json_object_new_string(vmc_cpu_check_to_string(mode)));
    json_object_object_add(o, "fingerprint", json_object_new_string(vmc_abi_get_fingerprint(abi)));
    json_object_array_add(dirs, vmc_qmp_direction(src, dst, there));
    if (back)
        json_object_array_add(dirs, vmc_qmp_direction(dst, src, back));
    json_object_object_add(o, "directions", dirs);
    return o;
}

json_object *
vmc_qmp_restore_info(const VmcVerdict *v, const VmcAbi *abi, VmcCpuCheck mode)
{
    json_object *o;

    g_return_val_if_fail(v != NULL, NULL);
    o = vmc_qmp_verdict_info(v);
    if (abi) {
        VmcCpuCheck used = mode == VMC_CPU_CHECK_DEFAULT ? vmc_abi_get_check(abi) : mode;
        json_object_object_add(o, "check", json_object_new_string(vmc_cpu_check_to_string(used)));
        json_object_object_add(o, "fingerprint", json_object_new_string(vmc_abi_get_fingerprint(abi)));
    }
    return o;
}
