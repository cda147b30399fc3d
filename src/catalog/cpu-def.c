/* cpu-def.c: VmcCpuDef — lifecycle, enum tables, accessors and setters.
 *
 * Workload: created per parsed input or per operation result; copied by
 * operations that return a modified definition. Feature lists are short
 * (≤ a few hundred), so lookups are linear.
 */
#include "catalog/cpu-def-private.h"

#include "base/util.h"
#include <vmcompat/error.h>

static const char *const vmc_cpu_type_names[] = { "guest", "host" };
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_cpu_type_names) == VMC_CPU_TYPE_N);
static const char *const vmc_cpu_mode_names[] = {
    "custom", "host-model", "host-passthrough", "maximum",
};
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_cpu_mode_names) == VMC_CPU_MODE_N);
static const char *const vmc_cpu_match_names[] = { "exact", "minimum", "strict" };
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_cpu_match_names) == VMC_CPU_MATCH_N);
static const char *const vmc_cpu_check_names[] = { "default", "none", "partial", "full" };
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_cpu_check_names) == VMC_CPU_CHECK_N);
static const char *const vmc_cpu_fallback_names[] = { "allow", "forbid" };
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_cpu_fallback_names) == VMC_CPU_FALLBACK_N);
static const char *const vmc_feature_policy_names[] = {
    "force", "require", "optional", "disable", "forbid",
};
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_feature_policy_names) == VMC_FEATURE_POLICY_N);

#define VMC_ENUM_IMPL(lower, Type, table, N) \
    const char *vmc_##lower##_to_string(Type v) \
    { \
        return (guint) v < N ? table[v] : NULL; \
    }
#define VMC_ENUM_PARSE(lower, Type, table, N) \
    Type vmc_##lower##_from_string(const char *s) \
    { \
        int i = vmc_enum_from_string(table, N, s); \
        return i < 0 ? (Type) N : (Type) i; \
    }

VMC_ENUM_IMPL(cpu_type, VmcCpuType, vmc_cpu_type_names, VMC_CPU_TYPE_N)
VMC_ENUM_IMPL(cpu_mode, VmcCpuMode, vmc_cpu_mode_names, VMC_CPU_MODE_N)
VMC_ENUM_PARSE(cpu_mode, VmcCpuMode, vmc_cpu_mode_names, VMC_CPU_MODE_N)
VMC_ENUM_IMPL(cpu_match, VmcCpuMatch, vmc_cpu_match_names, VMC_CPU_MATCH_N)
VMC_ENUM_PARSE(cpu_match, VmcCpuMatch, vmc_cpu_match_names, VMC_CPU_MATCH_N)
VMC_ENUM_IMPL(cpu_check, VmcCpuCheck, vmc_cpu_check_names, VMC_CPU_CHECK_N)
VMC_ENUM_PARSE(cpu_check, VmcCpuCheck, vmc_cpu_check_names, VMC_CPU_CHECK_N)
VMC_ENUM_IMPL(cpu_fallback, VmcCpuFallback, vmc_cpu_fallback_names, VMC_CPU_FALLBACK_N)
VMC_ENUM_PARSE(cpu_fallback, VmcCpuFallback, vmc_cpu_fallback_names, VMC_CPU_FALLBACK_N)
VMC_ENUM_IMPL(feature_policy, VmcFeaturePolicy, vmc_feature_policy_names, VMC_FEATURE_POLICY_N)
VMC_ENUM_PARSE(feature_policy, VmcFeaturePolicy, vmc_feature_policy_names, VMC_FEATURE_POLICY_N)

VmcCpuDef *
vmc_cpu_def_new(VmcCatalog *cat, VmcArch arch, VmcCpuType type)
{
    VmcCpuDef *def;

    g_return_val_if_fail(cat != NULL && (guint) arch < VMC_ARCH_N, NULL);
    def = g_new0(VmcCpuDef, 1);
    def->refs = 1;
    def->cat = vmc_catalog_ref(cat);
    def->arch = arch;
    def->type = type;
    def->mode = VMC_CPU_MODE_CUSTOM;
    def->match = VMC_CPU_MATCH_EXACT;
    def->check = VMC_CPU_CHECK_DEFAULT;
    def->fallback = VMC_CPU_FALLBACK_ALLOW;
    def->origin = VMC_CPU_ORIGIN_API;
    def->features = g_array_new(FALSE, TRUE, sizeof(VmcCpuFeature));
    return def;
}

VmcCpuDef *
vmc_cpu_def_copy(const VmcCpuDef *def)
{
    VmcCpuDef *c;

    g_return_val_if_fail(def != NULL, NULL);
    c = g_new0(VmcCpuDef, 1);
    *c = *def;
    c->refs = 1;
    vmc_catalog_ref(c->cat);
    c->model = g_strdup(def->model);
    c->vendor = g_strdup(def->vendor);
    c->vendor_id = g_strdup(def->vendor_id);
    c->source = g_strdup(def->source);
    c->foreign_arch = g_strdup(def->foreign_arch);
    c->features = g_array_copy(def->features);
    return c;
}

VmcCpuDef *
vmc_cpu_def_ref(VmcCpuDef *def)
{
    g_return_val_if_fail(def != NULL, NULL);
    g_atomic_int_inc(&def->refs);
    return def;
}

void
vmc_cpu_def_unref(VmcCpuDef *def)
{
    if (!def || !g_atomic_int_dec_and_test(&def->refs))
        return;
    vmc_catalog_unref(def->cat);
    g_free(def->model);
    g_free(def->vendor);
    g_free(def->vendor_id);
    g_free(def->source);
    g_free(def->foreign_arch);
    g_array_unref(def->features);
    g_free(def);
}

VmcCatalog *vmc_cpu_def_get_catalog(const VmcCpuDef *def) { return def->cat; }
VmcArch vmc_cpu_def_get_arch(const VmcCpuDef *def) { return def->arch; }
VmcCpuType vmc_cpu_def_get_type(const VmcCpuDef *def) { return def->type; }
VmcCpuMode vmc_cpu_def_get_mode(const VmcCpuDef *def) { return def->mode; }
VmcCpuMatch vmc_cpu_def_get_match(const VmcCpuDef *def) { return def->match; }
VmcCpuCheck vmc_cpu_def_get_check(const VmcCpuDef *def) { return def->check; }
VmcCpuFallback vmc_cpu_def_get_fallback(const VmcCpuDef *def) { return def->fallback; }
VmcCpuOrigin vmc_cpu_def_get_origin(const VmcCpuDef *def) { return def->origin; }
const char *vmc_cpu_def_get_model(const VmcCpuDef *def) { return def->model; }
const char *vmc_cpu_def_get_vendor(const VmcCpuDef *def) { return def->vendor; }
const char *vmc_cpu_def_get_source(const VmcCpuDef *def) { return def->source; }
guint vmc_cpu_def_get_feature_count(const VmcCpuDef *def) { return def->features->len; }

const VmcFeature *
vmc_cpu_def_get_feature(const VmcCpuDef *def, guint idx, VmcFeaturePolicy *ret_policy)
{
    const VmcCpuFeature *cf;
    g_return_val_if_fail(def != NULL, NULL);
    if (idx >= def->features->len)
        return NULL;
    cf = &g_array_index(def->features, VmcCpuFeature, idx);
    if (ret_policy)
        *ret_policy = cf->policy;
    return vmc_catalog_feature(def->cat, def->arch, cf->id);
}

int
vmc_cpu_def_get_policy(const VmcCpuDef *def, guint feature_id)
{
    for (guint i = 0; i < def->features->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(def->features, VmcCpuFeature, i);
        if (cf->id == feature_id)
            return (int) cf->policy;
    }
    return -1;
}

gboolean
vmc_cpu_def_get_signature(const VmcCpuDef *def, guint *family, guint *model,
                          guint *stepping)
{
    if (!def->has_signature)
        return FALSE;
    if (family)
        *family = def->sig_family;
    if (model)
        *model = def->sig_model;
    if (stepping)
        *stepping = def->sig_stepping;
    return TRUE;
}

void vmc_cpu_def_set_mode(VmcCpuDef *def, VmcCpuMode mode) { def->mode = mode; }
void vmc_cpu_def_set_check(VmcCpuDef *def, VmcCpuCheck check) { def->check = check; }
void vmc_cpu_def_set_fallback(VmcCpuDef *def, VmcCpuFallback fb) { def->fallback = fb; }

void
vmc_cpu_def_set_match(VmcCpuDef *def, VmcCpuMatch match)
{
    def->match = match;
    def->has_match = TRUE;
}

void
vmc_cpu_def_set_vendor(VmcCpuDef *def, const char *vendor)
{
    g_free(def->vendor);
    def->vendor = g_strdup(vendor);
}

void
vmc__cpu_def_set_model_ref(VmcCpuDef *def, const VmcCpuModel *m)
{
    g_free(def->model);
    def->model = m ? g_strdup(m->name) : NULL;
    def->model_ref = m;
}

gboolean
vmc_cpu_def_set_model(VmcCpuDef *def, const char *name, GError **error)
{
    const VmcCpuModel *m = NULL;

    g_return_val_if_fail(def != NULL, FALSE);
    if (name) {
        m = vmc_catalog_model_lookup(def->cat, def->arch, name);
        if (!m) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                        "unknown %s CPU model '%s'", vmc_arch_to_string(def->arch), name);
            return FALSE;
        }
    }
    g_free(def->model);
    def->model = g_strdup(name);
    def->model_ref = m;
    return TRUE;
}

void
vmc_cpu_def_set_feature(VmcCpuDef *def, guint feature_id, VmcFeaturePolicy policy)
{
    VmcCpuFeature cf = { feature_id, policy };
    for (guint i = 0; i < def->features->len; i++) {
        VmcCpuFeature *e = &g_array_index(def->features, VmcCpuFeature, i);
        if (e->id == feature_id) {
            e->policy = policy;
            return;
        }
    }
    g_array_append_val(def->features, cf);
}

void
vmc_cpu_def_remove_feature(VmcCpuDef *def, guint feature_id)
{
    for (guint i = 0; i < def->features->len; i++) {
        if (g_array_index(def->features, VmcCpuFeature, i).id == feature_id) {
            g_array_remove_index(def->features, i);
            return;
        }
    }
}

void
vmc__cpu_def_policy_set(const VmcCpuDef *def, VmcFeaturePolicy policy, VmcFeatureSet *ret)
{
    vmc_feature_set_clear(ret);
    for (guint i = 0; i < def->features->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(def->features, VmcCpuFeature, i);
        if (cf->policy == policy)
            vmc_feature_set_add(ret, cf->id);
    }
}
