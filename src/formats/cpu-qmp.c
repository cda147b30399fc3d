/* cpu-qmp.c: QMP CpuModelInfo JSON — {"name": "z14", "props": {"csske":
 * false}} — parsed into and formatted from a CPU definition.
 *
 * Boolean props are features (true → require, false → disable); on s390x a
 * feature-group name ("msa8") stands for all its features. Non-boolean props
 * of full expansions (vendor, family, model, stepping, model-id, ...) set the
 * vendor and signature where they map, and are otherwise ignored.
 */
#include <vmcompat/cpu-def.h>

#include <json-c/json.h>

#include "base/util.h"
#include "formats/formats-private.h"
#include <vmcompat/error.h>

/* Names QEMU accepts for the accelerator-defined CPUs. */
static gboolean
vmc_qmp_special_model(VmcCpuDef *def, const char *name)
{
    if (g_str_equal(name, "host")) {
        def->mode = VMC_CPU_MODE_HOST_PASSTHROUGH;
        return TRUE;
    }
    if (g_str_equal(name, "max")) {
        def->mode = VMC_CPU_MODE_MAXIMUM;
        return TRUE;
    }
    return FALSE;
}

static const VmcFeatureSet *
vmc_qmp_group(const VmcCpuDef *def, const char *name)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(def->cat, def->arch);
    for (guint i = 0; i < ac->group_names->len; i++)
        if (g_str_equal(g_ptr_array_index(ac->group_names, i), name))
            return g_ptr_array_index(ac->group_sets, i);
    return NULL;
}


gboolean
vmc__cpu_def_apply_prop(VmcCpuDef *def, const char *name, gboolean on,
                        const char *where, GError **error)
{
    const VmcFeature *f = vmc_catalog_feature_lookup(def->cat, def->arch, name);
    VmcFeaturePolicy policy = on ? VMC_FEATURE_POLICY_REQUIRE : VMC_FEATURE_POLICY_DISABLE;
    const VmcFeatureSet *group;

    if (f) {
        vmc_cpu_def_set_feature(def, vmc_feature_get_id(f), policy);
        return TRUE;
    }
    group = vmc_qmp_group(def, name);
    if (group) {
        VMC_FEATURE_SET_FOREACH(group, i)
            vmc_cpu_def_set_feature(def, (guint) i, policy);
        return TRUE;
    }
    g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                "%s: unknown %s CPU feature '%s'", where,
                vmc_arch_to_string(def->arch), name);
    return FALSE;
}

static gboolean
vmc_qmp_nonbool_prop(VmcCpuDef *def, const char *key, json_object *val)
{
    if (g_str_equal(key, "vendor") && json_object_is_type(val, json_type_string)) {
        const char *vn = vmc_catalog_vendor_name(def->cat, def->arch,
                                                 json_object_get_string(val));
        vmc_cpu_def_set_vendor(def, vn ? vn : json_object_get_string(val));
        return TRUE;
    }
    if (json_object_is_type(val, json_type_int)) {
        gint64 v = json_object_get_int64(val);
        if (v < 0 || v > 0xffff)
            return TRUE;
        if (g_str_equal(key, "family")) {
            def->sig_family = (guint) v;
            def->has_signature = TRUE;
        } else if (g_str_equal(key, "model")) {
            def->sig_model = (guint) v;
            def->has_signature = TRUE;
        } else if (g_str_equal(key, "stepping")) {
            def->sig_stepping = (guint) v;
        }
    }
    return TRUE;
}

VmcCpuDef *
vmc__cpu_def_from_json(VmcCatalog *cat, VmcArch arch, json_object *obj,
                       const char *file, GError **error)
{
    json_object *name_o = NULL;
    json_object *props = NULL;
    json_object *inner = NULL;
    const char *name;
    g_autoptr(VmcCpuDef) def = NULL;

    if (json_object_is_type(obj, json_type_object) &&
        json_object_object_get_ex(obj, "return", &inner))
        obj = inner;
    if (json_object_is_type(obj, json_type_object) &&
        !json_object_object_get_ex(obj, "name", NULL) &&
        json_object_object_get_ex(obj, "model", &inner))
        obj = inner;
    if (!json_object_is_type(obj, json_type_object)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: expected a CpuModelInfo object {\"name\": ..., \"props\": {...}}",
                    file);
        return NULL;
    }
    if (!json_object_object_get_ex(obj, "name", &name_o) ||
        !json_object_is_type(name_o, json_type_string)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'name': missing or not a string", file);
        return NULL;
    }
    name = json_object_get_string(name_o);
    if (arch == VMC_ARCH_N)
        arch = vmc__catalog_guess_arch(cat, name);
    if (arch == VMC_ARCH_N) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "%s: field 'name': unknown CPU model '%s' (give --arch for host/max)",
                    file, name);
        return NULL;
    }
    def = vmc_cpu_def_new(cat, arch, VMC_CPU_TYPE_GUEST);
    def->origin = VMC_CPU_ORIGIN_QMP;
    def->source = g_strdup(file);
    if (!vmc_qmp_special_model(def, name)) {
        if (!vmc_catalog_model_lookup(cat, arch, name)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                        "%s: field 'name': unknown %s CPU model '%s'", file,
                        vmc_arch_to_string(arch), name);
            return NULL;
        }
        if (!vmc_cpu_def_set_model(def, name, error))
            return NULL;
    }
    if (json_object_object_get_ex(obj, "props", &props)) {
        if (!json_object_is_type(props, json_type_object)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field 'props': not an object", file);
            return NULL;
        }
        json_object_object_foreach(props, key, val) {
            if (json_object_is_type(val, json_type_boolean)) {
                /* the field's name is formatted only for the error (hot path
                 * of vmcompatd's comparisons) */
                if (!vmc__cpu_def_apply_prop(def, key, json_object_get_boolean(val), NULL,
                                             NULL)) {
                    g_autofree char *where = g_strdup_printf("%s: field 'props.%s'", file, key);
                    vmc__cpu_def_apply_prop(def, key, json_object_get_boolean(val), where,
                                            error);
                    return NULL;
                }
            } else if (!val || json_object_is_type(val, json_type_object) ||
                       json_object_is_type(val, json_type_array)) {
                /* QEMU's properties are booleans, numbers and strings */
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s: field 'props.%s': not a boolean, number or string", file, key);
                return NULL;
            } else {
                vmc_qmp_nonbool_prop(def, key, val);
            }
        }
    }
    return g_steal_pointer(&def);
}

VmcCpuDef *
vmc_cpu_def_parse_qmp(VmcCatalog *cat, VmcArch arch, const char *json, gssize len,
                      const char *filename, GError **error)
{
    const char *file = filename ? filename : "(json)";
    json_tokener *tok;
    json_object *obj;
    enum json_tokener_error jerr;
    VmcCpuDef *def;

    g_return_val_if_fail(cat != NULL && json != NULL, NULL);
    if (len < 0)
        len = (gssize) strlen(json);
    if (len == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:1: empty input", file);
        return NULL;
    }
    if ((gsize) len > VMC_MAX_INPUT_SIZE) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT, "%s: input too large", file);
        return NULL;
    }
    tok = json_tokener_new_ex(64);
    obj = json_tokener_parse_ex(tok, json, (int) len);
    jerr = json_tokener_get_error(tok);
    if (!obj || jerr != json_tokener_success) {
        gsize off = json_tokener_get_parse_end(tok);
        guint line = 1;
        for (gsize i = 0; i < off && i < (gsize) len; i++)
            line += json[i] == '\n';
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:%u: invalid JSON: %s",
                    file, line,
                    jerr == json_tokener_success || jerr == json_tokener_continue ?
                    "unexpected end of input (truncated?)" : json_tokener_error_desc(jerr));
        json_object_put(obj);
        json_tokener_free(tok);
        return NULL;
    }
    json_tokener_free(tok);
    def = vmc__cpu_def_from_json(cat, arch, obj, file, error);
    json_object_put(obj);
    return def;
}

static const char *
vmc_qmp_model_name(const VmcCpuDef *def)
{
    if (def->model)
        return def->model;
    switch (def->mode) {
    case VMC_CPU_MODE_HOST_PASSTHROUGH:
    case VMC_CPU_MODE_HOST_MODEL:
        return "host";
    case VMC_CPU_MODE_MAXIMUM:
        return "max";
    default:
        return def->type == VMC_CPU_TYPE_HOST ? "host" : "base";
    }
}


json_object *
vmc__cpu_def_to_json(const VmcCpuDef *def)
{
    json_object *o = json_object_new_object();
    json_object *props = json_object_new_object();

    json_object_object_add(o, "name", json_object_new_string(vmc_qmp_model_name(def)));
    for (guint i = 0; i < def->features->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(def->features, VmcCpuFeature, i);
        const VmcFeature *f = vmc_catalog_feature(def->cat, def->arch, cf->id);
        if (cf->policy == VMC_FEATURE_POLICY_OPTIONAL)
            continue;
        json_object_object_add(props, vmc_feature_get_name(f),
                               json_object_new_boolean(cf->policy == VMC_FEATURE_POLICY_REQUIRE ||
                                                       cf->policy == VMC_FEATURE_POLICY_FORCE));
    }
    if (json_object_object_length(props) > 0)
        json_object_object_add(o, "props", props);
    else
        json_object_put(props);
    return o;
}

char *
vmc_cpu_def_format_qmp(const VmcCpuDef *def)
{
    json_object *o;
    char *s;

    g_return_val_if_fail(def != NULL, NULL);
    o = vmc__cpu_def_to_json(def);
    s = g_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_SPACED |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}
