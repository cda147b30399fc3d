/* abi-diff.c: what differs between two resolved ABIs, item by item — the
 * release, accelerator, machine type, platform, the CPU as asked and as
 * presented (model, each feature turned on or off), every tunable and
 * explicit property by value, the devices.
 *
 * Two ABIs (of one arch) with equal fingerprints have no change, and
 * every difference the fingerprint covers is one — except values that
 * mean the same (on and true). Where a tunable's value came from (its
 * "source") is not part of an ABI: the same value from another source is
 * no change. Changes come in the order of VmcAbiChangeKind, then by
 * subject.
 *
 * Workload: once per guest in an upgrade report; ~60 tunables, ~400 CPU
 * features (set algebra over the feature bitmaps).
 */
#include <json-c/json.h>
#include <string.h>

#include "base/util.h"
#include "catalog/cpu-def-private.h"
#include <vmcompat/abi.h>
#include <vmcompat/platform.h>

static const char *const vmc_abi_change_kind_names[] = {
    [VMC_ABI_CHANGE_RELEASE] = "release",
    [VMC_ABI_CHANGE_ACCEL] = "accel",
    [VMC_ABI_CHANGE_MACHINE] = "machine",
    [VMC_ABI_CHANGE_PLATFORM] = "platform",
    [VMC_ABI_CHANGE_CPU_ORIGINAL] = "cpu-original",
    [VMC_ABI_CHANGE_CPU_MODEL] = "cpu-model",
    [VMC_ABI_CHANGE_CPU_FEATURE] = "cpu-feature",
    [VMC_ABI_CHANGE_TUNABLE] = "tunable",
    [VMC_ABI_CHANGE_PROPERTY] = "property",
    [VMC_ABI_CHANGE_DEVICE] = "device",
};
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_abi_change_kind_names) == VMC_ABI_CHANGE_N);

const char *
vmc_abi_change_kind_to_string(VmcAbiChangeKind kind)
{
    g_return_val_if_fail(kind < VMC_ABI_CHANGE_N, NULL);
    return vmc_abi_change_kind_names[kind];
}

void
vmc_abi_change_clear(VmcAbiChange *c)
{
    if (!c)
        return;
    g_clear_pointer(&c->subject, g_free);
    g_clear_pointer(&c->before, g_free);
    g_clear_pointer(&c->after, g_free);
}

/* Appends a change when @before and @after differ (NULL: absent). */
static void
vmc_abi_diff_add(GArray *out, VmcAbiChangeKind kind, const char *subject, const char *before,
                 const char *after)
{
    VmcAbiChange c = { .kind = kind };

    if (g_strcmp0(before, after) == 0)
        return;
    c.subject = g_strdup(subject);
    c.before = g_strdup(before);
    c.after = g_strdup(after);
    g_array_append_val(out, c);
}

/* The name QEMU presents a CPU under (the concrete model). */
static const char *
vmc_abi_diff_model(const VmcCpuDef *def)
{
    return def->model_ref ? vmc_cpu_model_get_name(def->model_ref) : def->model;
}

/* The features QEMU turns on in @def. */
static void
vmc_abi_diff_enabled(const VmcCpuDef *def, VmcFeatureSet *ret)
{
    VmcFeatureSet forced;

    vmc__cpu_def_policy_set(def, VMC_FEATURE_POLICY_REQUIRE, ret);
    vmc__cpu_def_policy_set(def, VMC_FEATURE_POLICY_FORCE, &forced);
    vmc_feature_set_or(ret, ret, &forced);
}

static void
vmc_abi_diff_cpu(GArray *out, const VmcAbi *a, const VmcAbi *b)
{
    const VmcCpuDef *oa = vmc_abi_get_cpu_original(a), *ob = vmc_abi_get_cpu_original(b);
    const VmcCpuDef *ua = vmc_abi_get_cpu_updated(a), *ub = vmc_abi_get_cpu_updated(b);
    g_autofree char *xa = oa ? vmc_cpu_def_format_xml(oa, 0) : NULL;
    g_autofree char *xb = ob ? vmc_cpu_def_format_xml(ob, 0) : NULL;
    VmcFeatureSet on_a, on_b, changed, tmp;

    if (g_strcmp0(xa, xb) != 0) {
        g_autofree char *ca = oa ? vmc_cpu_def_format_cli(oa) : NULL;
        g_autofree char *cb = ob ? vmc_cpu_def_format_cli(ob) : NULL;
        /* two CPUs can differ in what -cpu cannot say (check, match) */
        vmc_abi_diff_add(out, VMC_ABI_CHANGE_CPU_ORIGINAL, NULL, g_strcmp0(ca, cb) ? ca : xa,
                         g_strcmp0(ca, cb) ? cb : xb);
    }
    vmc_abi_diff_add(out, VMC_ABI_CHANGE_CPU_MODEL, NULL, vmc_abi_diff_model(ua),
                     vmc_abi_diff_model(ub));
    vmc_abi_diff_enabled(ua, &on_a);
    vmc_abi_diff_enabled(ub, &on_b);
    vmc_feature_set_andnot(&changed, &on_a, &on_b);
    vmc_feature_set_andnot(&tmp, &on_b, &on_a);
    vmc_feature_set_or(&changed, &changed, &tmp);
    for (gint id = vmc_feature_set_next(&changed, 0); id >= 0;
         id = vmc_feature_set_next(&changed, (guint) id + 1)) {
        const VmcFeature *f = vmc_catalog_feature(ua->cat, ua->arch, (guint) id);
        gboolean was = vmc_feature_set_has(&on_a, (guint) id);
        vmc_abi_diff_add(out, VMC_ABI_CHANGE_CPU_FEATURE, vmc_feature_get_name(f),
                         was ? "on" : "off", was ? "off" : "on");
    }
}

/* Tunables ("driver.property" → value), both sorted by name: a merge. */
static void
vmc_abi_diff_tunables(GArray *out, const VmcAbi *a, const VmcAbi *b)
{
    guint i = 0, j = 0, na = vmc_abi_get_tunable_count(a), nb = vmc_abi_get_tunable_count(b);

    while (i < na || j < nb) {
        const VmcAbiTunable *ta = i < na ? vmc_abi_get_tunable(a, i) : NULL;
        const VmcAbiTunable *tb = j < nb ? vmc_abi_get_tunable(b, j) : NULL;

        if (ta && tb && strcmp(ta->name, tb->name) == 0) {
            if (!vmc_tunable_value_equal(ta->value, tb->value))
                vmc_abi_diff_add(out, VMC_ABI_CHANGE_TUNABLE, ta->name, ta->value, tb->value);
            i++, j++;
        } else if (ta && (!tb || strcmp(ta->name, tb->name) < 0)) {
            vmc_abi_diff_add(out, VMC_ABI_CHANGE_TUNABLE, ta->name, ta->value, NULL);
            i++;
        } else if (tb) {
            vmc_abi_diff_add(out, VMC_ABI_CHANGE_TUNABLE, tb->name, NULL, tb->value);
            j++;
        }
    }
}

/* "driver.property" → value of the explicit properties, from the JSON
 * (VmcAbi has no getter for them). */
static GHashTable *
vmc_abi_diff_properties(const VmcAbi *abi)
{
    GHashTable *props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autofree char *text = vmc_abi_to_json(abi);
    json_object *root = json_tokener_parse(text);
    json_object *list = NULL;

    if (root && json_object_object_get_ex(root, "properties", &list) &&
        json_object_is_type(list, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            json_object *p = json_object_array_get_idx(list, i), *d, *n, *v;
            if (json_object_object_get_ex(p, "driver", &d) &&
                json_object_object_get_ex(p, "property", &n) &&
                json_object_object_get_ex(p, "value", &v))
                g_hash_table_insert(props, g_strdup_printf("%s.%s", json_object_get_string(d),
                                                           json_object_get_string(n)),
                                    g_strdup(json_object_get_string(v)));
        }
    }
    json_object_put(root);
    return props;
}

static void
vmc_abi_diff_props(GArray *out, const VmcAbi *a, const VmcAbi *b)
{
    g_autoptr(GHashTable) pa = vmc_abi_diff_properties(a);
    g_autoptr(GHashTable) pb = vmc_abi_diff_properties(b);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;

    for (guint s = 0; s < 2; s++) {
        g_hash_table_iter_init(&it, s ? pb : pa);
        while (g_hash_table_iter_next(&it, &k, NULL))
            if (!s || !g_hash_table_contains(pa, k))
                g_ptr_array_add(names, k);
    }
    g_ptr_array_sort(names, vmc_strptr_cmp);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        vmc_abi_diff_add(out, VMC_ABI_CHANGE_PROPERTY, n, g_hash_table_lookup(pa, n),
                         g_hash_table_lookup(pb, n));
    }
}

/* Devices, both lists sorted: a merge. */
static void
vmc_abi_diff_devices(GArray *out, const VmcAbi *a, const VmcAbi *b)
{
    const char *const *da = vmc_abi_get_devices(a), *const *db = vmc_abi_get_devices(b);
    guint i = 0, j = 0;

    while ((da && da[i]) || (db && db[j])) {
        const char *x = da ? da[i] : NULL, *y = db ? db[j] : NULL;
        int c = !x ? 1 : !y ? -1 : strcmp(x, y);
        if (c != 0)
            vmc_abi_diff_add(out, VMC_ABI_CHANGE_DEVICE, c < 0 ? x : y, c < 0 ? x : NULL,
                             c > 0 ? y : NULL);
        i += c <= 0;
        j += c >= 0;
    }
}

GArray *
vmc_abi_diff(const VmcAbi *before, const VmcAbi *after)
{
    GArray *out;
    g_autofree char *ra = NULL, *rb = NULL;

    g_return_val_if_fail(before != NULL && after != NULL, NULL);
    out = g_array_new(FALSE, TRUE, sizeof(VmcAbiChange));
    g_array_set_clear_func(out, (GDestroyNotify) vmc_abi_change_clear);
    if (g_str_equal(vmc_abi_get_fingerprint(before), vmc_abi_get_fingerprint(after)))
        return out;
    ra = vmc_release_to_string(vmc_abi_get_release(before));
    rb = vmc_release_to_string(vmc_abi_get_release(after));
    vmc_abi_diff_add(out, VMC_ABI_CHANGE_RELEASE, NULL, ra, rb);
    vmc_abi_diff_add(out, VMC_ABI_CHANGE_ACCEL, NULL,
                     vmc_accel_to_string(vmc_abi_get_accel(before)),
                     vmc_accel_to_string(vmc_abi_get_accel(after)));
    vmc_abi_diff_add(out, VMC_ABI_CHANGE_MACHINE, NULL, vmc_abi_get_machine(before),
                     vmc_abi_get_machine(after));
    vmc_abi_diff_add(out, VMC_ABI_CHANGE_PLATFORM, NULL, vmc_abi_get_platform(before),
                     vmc_abi_get_platform(after));
    if (vmc_abi_get_arch(before) == vmc_abi_get_arch(after))
        vmc_abi_diff_cpu(out, before, after);
    vmc_abi_diff_tunables(out, before, after);
    vmc_abi_diff_props(out, before, after);
    vmc_abi_diff_devices(out, before, after);
    return out;
}
