/* qmp-agree.c: QMP answers compared by meaning, for tests and benchmarks
 * that ask QEMU and vmcompat the same question (the client itself is the
 * library's, base/qmp-client.c).
 *
 * Workload: a few thousand replies per test run.
 */
#include "qmp-agree.h"

#include <string.h>

#include <vmcompat/error.h>

/* ---- Reading CPU-model answers by meaning ---------------------------- */

#include "catalog/catalog-private.h"

/* The features of group or feature @name, or FALSE when it is neither. */
static gboolean
vmc_qmp_name_features(VmcCatalog *cat, VmcArch arch, const char *name,
                      VmcFeatureSet *ret)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, arch);
    const VmcFeature *f = vmc_catalog_feature_lookup(cat, arch, name);

    vmc_feature_set_clear(ret);
    if (f) {
        vmc_feature_set_add(ret, vmc_feature_get_id(f));
        return TRUE;
    }
    for (guint i = 0; i < ac->group_names->len; i++) {
        if (g_str_equal(g_ptr_array_index(ac->group_names, i), name)) {
            *ret = *(const VmcFeatureSet *) g_ptr_array_index(ac->group_sets, i);
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
vmc_qmp_model_info_features(VmcCatalog *cat, VmcArch arch, json_object *info,
                            VmcFeatureSet *ret, GError **error)
{
    json_object *name_o = NULL;
    json_object *props = NULL;
    const VmcCpuModel *m;
    VmcFeatureSet set;

    if (!json_object_object_get_ex(info, "name", &name_o)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "CpuModelInfo without 'name'");
        return FALSE;
    }
    m = vmc_catalog_model_lookup(cat, arch, json_object_get_string(name_o));
    if (!m) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "unknown %s CPU model '%s'",
                    vmc_arch_to_string(arch), json_object_get_string(name_o));
        return FALSE;
    }
    set = *vmc_cpu_model_get_features(m);
    if (json_object_object_get_ex(info, "props", &props)) {
        json_object_object_foreach(props, key, val) {
            VmcFeatureSet fs;
            if (!json_object_is_type(val, json_type_boolean))
                continue;
            if (!vmc_qmp_name_features(cat, arch, key, &fs)) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                            "field 'props.%s': unknown %s feature or group", key,
                            vmc_arch_to_string(arch));
                return FALSE;
            }
            if (json_object_get_boolean(val))
                vmc_feature_set_or(&set, &set, &fs);
            else
                vmc_feature_set_andnot(&set, &set, &fs);
        }
    }
    *ret = set;
    return TRUE;
}

void
vmc_qmp_names_features(VmcCatalog *cat, VmcArch arch, json_object *names,
                       VmcFeatureSet *ret, GPtrArray *others)
{
    vmc_feature_set_clear(ret);
    for (gsize i = 0; names && i < json_object_array_length(names); i++) {
        const char *n = json_object_get_string(json_object_array_get_idx(names, i));
        VmcFeatureSet fs;
        if (n && vmc_qmp_name_features(cat, arch, n, &fs))
            vmc_feature_set_or(ret, ret, &fs);
        else if (n && others)
            g_ptr_array_add(others, g_strdup(n));
    }
}

static gint
vmc_qmp_strptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Names of @set (at most 30), for diagnostics (transfer full). */
static char *
vmc_qmp_set_names(VmcCatalog *cat, VmcArch arch, const VmcFeatureSet *set)
{
    g_autoptr(GString) s = g_string_new(NULL);
    guint n = 0;

    VMC_FEATURE_SET_FOREACH(set, i) {
        if (n++ == 30) {
            g_string_append(s, ",...");
            break;
        }
        g_string_append_printf(s, "%s%s", s->len ? "," : "",
                               vmc_feature_get_name(vmc_catalog_feature(cat, arch, (guint) i)));
    }
    return g_strdup(s->len ? s->str : "(none)");
}

/* Equal on @universe, or explain the difference in @diag. */
static gboolean
vmc_qmp_sets_agree(VmcCatalog *cat, VmcArch arch, const char *what,
                   const VmcFeatureSet *expected, const VmcFeatureSet *actual,
                   const VmcFeatureSet *universe, GString *diag)
{
    VmcFeatureSet e = *expected, a = *actual, only_e, only_a;

    if (universe) {
        vmc_feature_set_and(&e, &e, universe);
        vmc_feature_set_and(&a, &a, universe);
    }
    if (vmc_feature_set_equal(&e, &a))
        return TRUE;
    vmc_feature_set_andnot(&only_e, &e, &a);
    vmc_feature_set_andnot(&only_a, &a, &e);
    {
        g_autofree char *x = vmc_qmp_set_names(cat, arch, &only_e);
        g_autofree char *y = vmc_qmp_set_names(cat, arch, &only_a);
        g_string_append_printf(diag, "%s: only QEMU: %s; only ours: %s\n", what, x, y);
    }
    return FALSE;
}

static json_object *
vmc_qmp_get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Model answers: the same name and the same features. */
static gboolean
vmc_qmp_models_agree(VmcCatalog *cat, VmcArch arch, json_object *e, json_object *a,
                     const VmcFeatureSet *universe, GString *diag)
{
    g_autoptr(GError) error = NULL;
    const char *en = json_object_get_string(vmc_qmp_get(e, "name"));
    const char *an = json_object_get_string(vmc_qmp_get(a, "name"));
    VmcFeatureSet es, as;

    if (g_strcmp0(en, an) != 0) {
        g_string_append_printf(diag, "model: QEMU '%s', ours '%s'\n", en, an);
        return FALSE;
    }
    if (!vmc_qmp_model_info_features(cat, arch, e, &es, &error) ||
        !vmc_qmp_model_info_features(cat, arch, a, &as, &error)) {
        g_string_append_printf(diag, "cannot read a model answer: %s\n", error->message);
        return FALSE;
    }
    return vmc_qmp_sets_agree(cat, arch, "features", &es, &as, universe, diag);
}

/* Comparison answers: result, responsible features, other properties. */
static gboolean
vmc_qmp_comparisons_agree(VmcCatalog *cat, VmcArch arch, json_object *e, json_object *a,
                          const VmcFeatureSet *universe, GString *diag)
{
    g_autoptr(GPtrArray) eo = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) ao = g_ptr_array_new_with_free_func(g_free);
    const char *er = json_object_get_string(vmc_qmp_get(e, "result"));
    const char *ar = json_object_get_string(vmc_qmp_get(a, "result"));
    VmcFeatureSet es, as;
    gboolean ok = TRUE;

    if (g_strcmp0(er, ar) != 0) {
        g_string_append_printf(diag, "result: QEMU '%s', ours '%s'\n", er, ar);
        ok = FALSE;
    }
    vmc_qmp_names_features(cat, arch, vmc_qmp_get(e, "responsible-properties"), &es, eo);
    vmc_qmp_names_features(cat, arch, vmc_qmp_get(a, "responsible-properties"), &as, ao);
    if (!vmc_qmp_sets_agree(cat, arch, "responsible-properties", &es, &as, universe, diag))
        ok = FALSE;
    g_ptr_array_sort(eo, vmc_qmp_strptr_cmp);
    g_ptr_array_sort(ao, vmc_qmp_strptr_cmp);
    for (guint i = 0; i < MAX(eo->len, ao->len); i++) {
        const char *x = i < eo->len ? g_ptr_array_index(eo, i) : NULL;
        const char *y = i < ao->len ? g_ptr_array_index(ao, i) : NULL;
        if (g_strcmp0(x, y) != 0) {
            g_string_append_printf(diag, "responsible-properties: QEMU '%s', ours '%s'\n",
                                   x ? x : "(none)", y ? y : "(none)");
            ok = FALSE;
        }
    }
    return ok;
}

gboolean
vmc_qmp_replies_agree(VmcCatalog *cat, VmcArch arch, json_object *request,
                      json_object *expected, json_object *actual,
                      const VmcFeatureSet *universe, GString *diag)
{
    const char *cmd = json_object_get_string(vmc_qmp_get(request, "execute"));
    json_object *eerr = vmc_qmp_get(expected, "error");
    json_object *aerr = vmc_qmp_get(actual, "error");
    json_object *eret = vmc_qmp_get(expected, "return");
    json_object *aret = vmc_qmp_get(actual, "return");

    if (eerr || aerr) {
        if (eerr && aerr)
            return TRUE;
        g_string_append_printf(diag, "QEMU %s, ours %s: %s\n",
                               eerr ? "refused" : "answered", aerr ? "refused" : "answered",
                               json_object_get_string(vmc_qmp_get(eerr ? eerr : aerr, "desc")));
        return FALSE;
    }
    if (g_strcmp0(cmd, "query-cpu-model-comparison") == 0)
        return vmc_qmp_comparisons_agree(cat, arch, eret, aret, universe, diag);
    if (g_strcmp0(cmd, "query-cpu-model-expansion") == 0 ||
        g_strcmp0(cmd, "query-cpu-model-baseline") == 0)
        return vmc_qmp_models_agree(cat, arch, vmc_qmp_get(eret, "model"),
                                    vmc_qmp_get(aret, "model"), universe, diag);
    g_string_append_printf(diag, "cannot compare replies to '%s'\n", cmd ? cmd : "(none)");
    return FALSE;
}

json_object *
vmc_qmp_reply_from_def(const VmcCpuDef *def)
{
    g_autofree char *text = vmc_cpu_def_format_qmp(def);
    json_object *ret = json_object_new_object();
    json_object *reply = json_object_new_object();

    json_object_object_add(ret, "model", json_tokener_parse(text));
    json_object_object_add(reply, "return", ret);
    return reply;
}

json_object *
vmc_qmp_reply_from_comparison(VmcCompareResult result, GPtrArray *responsible)
{
    json_object *ret = json_object_new_object();
    json_object *arr = json_object_new_array();
    json_object *reply = json_object_new_object();

    for (guint i = 0; responsible && i < responsible->len; i++)
        json_object_array_add(arr, json_object_new_string(g_ptr_array_index(responsible, i)));
    json_object_object_add(ret, "result",
                           json_object_new_string(vmc_compare_result_to_string(result)));
    json_object_object_add(ret, "responsible-properties", arr);
    json_object_object_add(reply, "return", ret);
    return reply;
}

json_object *
vmc_qmp_reply_from_error(const GError *error)
{
    json_object *err = json_object_new_object();
    json_object *reply = json_object_new_object();

    json_object_object_add(err, "class", json_object_new_string("GenericError"));
    json_object_object_add(err, "desc", json_object_new_string(error->message));
    json_object_object_add(reply, "error", err);
    return reply;
}
