/* catalog.c: the CPU catalog — load (embedded GResource, overlays), index,
 * look up.
 *
 * Workload: loaded once per process (a few ms), then read-only lookups by
 * name (hash) and by id (array). All objects are owned by the catalog.
 */
#include "catalog/catalog-private.h"

#include <gio/gio.h>
#include <json-c/json.h>
#include <string.h>

#include "base/json-util.h"
#include "base/util.h"
#include "vmcompat-resources.h"
#include <vmcompat/error.h>

#define VMC_RESOURCE_PREFIX "/org/vmcompat/data"

static void
vmc_feature_free(VmcFeature *f)
{
    if (!f)
        return;
    g_free(f->name);
    g_strfreev(f->aliases);
    g_free(f->deprecated);
    g_free(f->facility_type);
    g_free(f->desc);
    g_free(f);
}

static void
vmc_cpu_model_free(VmcCpuModel *m)
{
    if (!m)
        return;
    g_free(m->name);
    g_free(m->vendor);
    g_free(m->description);
    g_free(m->deprecated);
    g_free(m->family_name);
    if (m->signatures)
        g_array_unref(m->signatures);
    g_free(m);
}

void
vmc__arch_catalog_init(VmcArchCatalog *ac)
{
    ac->source = g_strdup("builtin");
    ac->features = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_feature_free);
    ac->feature_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    ac->models = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_model_free);
    ac->model_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    ac->alias_names = g_ptr_array_new_with_free_func(g_free);
    ac->alias_targets = g_ptr_array_new();
    ac->vendor_names = g_ptr_array_new_with_free_func(g_free);
    ac->vendor_strings = g_ptr_array_new_with_free_func(g_free);
    ac->group_names = g_ptr_array_new_with_free_func(g_free);
    ac->group_sets = g_ptr_array_new_with_free_func(g_free);
    ac->defaults_always = g_array_new(FALSE, TRUE, sizeof(VmcFeatureProp));
    ac->defaults_kvm = g_array_new(FALSE, TRUE, sizeof(VmcFeatureProp));
    ac->defaults_tcg = g_array_new(FALSE, TRUE, sizeof(VmcFeatureProp));
    ac->dep_groups = g_array_new(FALSE, TRUE, sizeof(VmcFeatureDepGroup));
}

void
vmc__arch_catalog_clear(VmcArchCatalog *ac)
{
    g_clear_pointer(&ac->source, g_free);
    g_clear_pointer(&ac->feature_by_name, g_hash_table_unref);
    g_clear_pointer(&ac->model_by_name, g_hash_table_unref);
    g_clear_pointer(&ac->alias_names, g_ptr_array_unref);
    g_clear_pointer(&ac->alias_targets, g_ptr_array_unref);
    g_clear_pointer(&ac->models, g_ptr_array_unref);
    g_clear_pointer(&ac->features, g_ptr_array_unref);
    g_clear_pointer(&ac->vendor_names, g_ptr_array_unref);
    g_clear_pointer(&ac->vendor_strings, g_ptr_array_unref);
    g_clear_pointer(&ac->group_names, g_ptr_array_unref);
    g_clear_pointer(&ac->group_sets, g_ptr_array_unref);
    g_clear_pointer(&ac->defaults_always, g_array_unref);
    g_clear_pointer(&ac->defaults_kvm, g_array_unref);
    g_clear_pointer(&ac->defaults_tcg, g_array_unref);
    g_clear_pointer(&ac->dep_groups, g_array_unref);
}

VmcCatalog *
vmc_catalog_ref(VmcCatalog *cat)
{
    g_return_val_if_fail(cat != NULL, NULL);
    g_atomic_int_inc(&cat->refs);
    return cat;
}

void
vmc_catalog_unref(VmcCatalog *cat)
{
    if (!cat || !g_atomic_int_dec_and_test(&cat->refs))
        return;
    for (guint a = 0; a < VMC_ARCH_N; a++)
        vmc__arch_catalog_clear(&cat->arch[a]);
    vmc__platform_catalog_clear(&cat->pc);
    g_ptr_array_unref(cat->sources);
    g_free((char *) cat->digest);
    g_free(cat);
}

static VmcCatalog *
vmc_catalog_new_empty(void)
{
    VmcCatalog *cat = g_new0(VmcCatalog, 1);
    cat->refs = 1;
    for (guint a = 0; a < VMC_ARCH_N; a++)
        vmc__arch_catalog_init(&cat->arch[a]);
    vmc__platform_catalog_init(&cat->pc);
    cat->sources = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
    return cat;
}

void
vmc__catalog_add_source(GPtrArray *sources, const char *name, GBytes *data)
{
    g_ptr_array_add(sources, g_bytes_new(name, strlen(name)));
    g_ptr_array_add(sources, g_bytes_ref(data));
}

const char *
vmc_catalog_get_digest(VmcCatalog *cat)
{
    g_return_val_if_fail(cat != NULL, NULL);
    if (g_once_init_enter(&cat->digest)) {
        g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
        for (guint i = 0; i < cat->sources->len; i++) {
            gsize len = 0;
            const guchar *data = g_bytes_get_data(g_ptr_array_index(cat->sources, i), &len);
            char head[32];
            /* length-prefixed: no two source lists hash alike */
            g_snprintf(head, sizeof(head), "%" G_GSIZE_FORMAT ":", len);
            g_checksum_update(sum, (const guchar *) head, -1);
            g_checksum_update(sum, data, (gssize) len);
        }
        g_once_init_leave(&cat->digest, (gsize) g_strconcat("sha256:", g_checksum_get_string(sum), NULL));
    }
    return (const char *) cat->digest;
}

/* ---- building -------------------------------------------------------- */

static gboolean
vmc_catalog_add_name(GHashTable *index, const char *name, gpointer obj,
                     const char *file, const char *what, GError **error)
{
    gpointer old = g_hash_table_lookup(index, name);
    if (old && old != obj) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: %s name '%s' is defined twice", file, what, name);
        return FALSE;
    }
    g_hash_table_insert(index, (gpointer) name, obj);
    return TRUE;
}

static gboolean
vmc_catalog_set_from_names(const VmcArchCatalog *ac, json_object *list,
                           VmcFeatureSet *set, const char *file,
                           const char *field, GError **error)
{
    gsize n = list ? json_object_array_length(list) : 0;
    for (gsize i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(list, i);
        const char *name = json_object_get_string(e);
        VmcFeature *f = name ? g_hash_table_lookup(ac->feature_by_name, name) : NULL;
        if (!f) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field '%s[%zu]': unknown feature '%s'",
                        file, field, i, name ? name : "(not a string)");
            return FALSE;
        }
        vmc_feature_set_add(set, f->id);
    }
    return TRUE;
}

static gboolean
vmc_catalog_parse_deprecated(json_object *o, char **ret)
{
    json_object *d = vmc_json_get(o, "deprecated", json_type_object);
    const char *since;
    if (!d)
        return TRUE;
    since = vmc_json_str(d, "since");
    *ret = g_strdup(since ? since : "yes");
    return TRUE;
}

/* A "depends" name of a feature added by the file being loaded. */
typedef struct {
    VmcFeature *feature;
    gsize idx;               /* index in the file's features[] */
    const char *name;        /* owned by the JSON document */
} VmcPendingDep;

/* Rebuilds ac->dep_groups from the features' depends ids. */
static void
vmc_catalog_build_dep_groups(VmcArchCatalog *ac)
{
    g_array_set_size(ac->dep_groups, 0);
    for (guint i = 0; i < ac->features->len; i++) {
        const VmcFeature *f = g_ptr_array_index(ac->features, i);
        VmcFeatureDepGroup *g = NULL;

        if (f->depends == G_MAXUINT)
            continue;
        for (guint k = 0; k < ac->dep_groups->len && !g; k++) {
            VmcFeatureDepGroup *gk = &g_array_index(ac->dep_groups, VmcFeatureDepGroup, k);
            if (gk->feature == f->depends)
                g = gk;
        }
        if (!g) {
            VmcFeatureDepGroup ng = { .feature = f->depends };
            g_array_append_val(ac->dep_groups, ng);
            g = &g_array_index(ac->dep_groups, VmcFeatureDepGroup, ac->dep_groups->len - 1);
        }
        vmc_feature_set_add(&g->dependents, f->id);
    }
}

/* Resolves the "depends" names of the features @file added: each names
 * another feature of the arch, and a dependency has none of its own (the
 * one-level rule users of dep_groups rely on). */
static gboolean
vmc_catalog_resolve_depends(VmcArchCatalog *ac, GArray *pending, const char *file,
                            GError **error)
{
    for (guint i = 0; i < pending->len; i++) {
        VmcPendingDep *p = &g_array_index(pending, VmcPendingDep, i);
        const VmcFeature *d = g_hash_table_lookup(ac->feature_by_name, p->name);
        if (!d) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'features[%zu].depends': unknown feature '%s'",
                        file, p->idx, p->name);
            return FALSE;
        }
        if (d == p->feature) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'features[%zu].depends': feature '%s' depends on itself",
                        file, p->idx, p->name);
            return FALSE;
        }
        p->feature->depends = d->id;
    }
    for (guint i = 0; i < pending->len; i++) {
        const VmcPendingDep *p = &g_array_index(pending, VmcPendingDep, i);
        const VmcFeature *d = g_ptr_array_index(ac->features, p->feature->depends);
        if (d->depends != G_MAXUINT) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'features[%zu].depends': '%s' depends on '%s' itself; a dependency must have none",
                        file, p->idx, d->name,
                        ((const VmcFeature *) g_ptr_array_index(ac->features, d->depends))->name);
            return FALSE;
        }
    }
    vmc_catalog_build_dep_groups(ac);
    return TRUE;
}

static gboolean
vmc_catalog_load_features(VmcArchCatalog *ac, VmcArch arch, json_object *root,
                          const char *file, GError **error)
{
    json_object *list = vmc_json_get(root, "features", json_type_array);
    json_object *vendors = vmc_json_get(root, "vendors", json_type_array);
    json_object *groups = vmc_json_get(root, "groups", json_type_array);
    g_autoptr(GArray) pending = g_array_new(FALSE, FALSE, sizeof(VmcPendingDep));
    gsize n;

    if (!list) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: field 'features': missing or not an array", file);
        return FALSE;
    }
    n = json_object_array_length(list);
    for (gsize i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(list, i);
        const char *name = vmc_json_str(o, "name");
        json_object *loc;
        json_object *aliases;
        g_autoptr(GPtrArray) alias_v = g_ptr_array_new_with_free_func(g_free);
        VmcFeature *f;

        if (!name) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'features[%zu].name': missing", file, i);
            return FALSE;
        }
        if (g_hash_table_lookup(ac->feature_by_name, name))
            continue;  /* overlay repeating a known feature */
        if (ac->features->len >= VMC_FEATURE_SET_BITS) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                        "%s: more than %d features for one arch", file,
                        VMC_FEATURE_SET_BITS);
            return FALSE;
        }
        f = g_new0(VmcFeature, 1);
        f->arch = arch;
        f->id = ac->features->len;
        f->name = g_strdup(name);
        f->migratable = TRUE;
        f->depends = G_MAXUINT;
        g_ptr_array_add(ac->features, f);
        if (json_object_object_get_ex(o, "migratable", &loc))
            f->migratable = json_object_get_boolean(loc);
        f->qemu = TRUE;
        if (json_object_object_get_ex(o, "qemu", &loc))
            f->qemu = json_object_get_boolean(loc);
        vmc_catalog_parse_deprecated(o, &f->deprecated);
        f->desc = g_strdup(vmc_json_str(o, "desc"));
        if (json_object_object_get_ex(o, "depends", &loc) && loc) {
            VmcPendingDep p = { .feature = f, .idx = i,
                                .name = json_object_get_string(loc) };
            if (!json_object_is_type(loc, json_type_string)) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: field 'features[%zu].depends': expected a feature name or null",
                            file, i);
                return FALSE;
            }
            g_array_append_val(pending, p);
        }
        if ((loc = vmc_json_get(o, "cpuid", json_type_object))) {
            f->loc = VMC_FEATURE_LOC_CPUID;
            if (!vmc_json_u32(loc, "leaf", &f->leaf) ||
                !vmc_json_u32(loc, "subleaf", &f->subleaf) ||
                !vmc_json_u32(loc, "eax", &f->regs[VMC_REG_EAX]) ||
                !vmc_json_u32(loc, "ebx", &f->regs[VMC_REG_EBX]) ||
                !vmc_json_u32(loc, "ecx", &f->regs[VMC_REG_ECX]) ||
                !vmc_json_u32(loc, "edx", &f->regs[VMC_REG_EDX])) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: field 'features[%zu].cpuid': bad location of '%s'",
                            file, i, name);
                return FALSE;
            }
        } else if ((loc = vmc_json_get(o, "msr", json_type_object))) {
            f->loc = VMC_FEATURE_LOC_MSR;
            if (!vmc_json_u32(loc, "index", &f->msr_index) ||
                !vmc_json_u32(loc, "eax", &f->regs[VMC_REG_EAX]) ||
                !vmc_json_u32(loc, "edx", &f->regs[VMC_REG_EDX])) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: field 'features[%zu].msr': bad location of '%s'",
                            file, i, name);
                return FALSE;
            }
        } else if ((loc = vmc_json_get(o, "facility", json_type_object))) {
            guint32 bit = 0;
            f->loc = VMC_FEATURE_LOC_FACILITY;
            f->facility_type = g_strdup(vmc_json_str(loc, "type"));
            vmc_json_u32(loc, "bit", &bit);
            f->facility_bit = bit;
        }
        if (!vmc_catalog_add_name(ac->feature_by_name, f->name, f, file,
                                  "feature", error))
            return FALSE;
        aliases = vmc_json_get(o, "aliases", json_type_array);
        for (gsize k = 0; aliases && k < json_object_array_length(aliases); k++) {
            const char *a = json_object_get_string(json_object_array_get_idx(aliases, k));
            if (a && !g_hash_table_contains(ac->feature_by_name, a))
                g_ptr_array_add(alias_v, g_strdup(a));
        }
        g_ptr_array_add(alias_v, NULL);
        f->aliases = (GStrv) g_ptr_array_free(g_steal_pointer(&alias_v), FALSE);
        for (char **a = f->aliases; *a; a++)
            g_hash_table_insert(ac->feature_by_name, *a, f);
        if (f->deprecated)
            vmc_feature_set_add(&ac->deprecated, f->id);
        if (f->migratable)
            vmc_feature_set_add(&ac->migratable, f->id);
    }
    if (!vmc_catalog_resolve_depends(ac, pending, file, error))
        return FALSE;

    for (gsize i = 0; vendors && i < json_object_array_length(vendors); i++) {
        json_object *o = json_object_array_get_idx(vendors, i);
        const char *vn = vmc_json_str(o, "name");
        const char *vs = vmc_json_str(o, "string");
        if (!vn || !vs) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'vendors[%zu]': needs name and string", file, i);
            return FALSE;
        }
        g_ptr_array_add(ac->vendor_names, g_strdup(vn));
        g_ptr_array_add(ac->vendor_strings, g_strdup(vs));
    }

    for (gsize i = 0; groups && i < json_object_array_length(groups); i++) {
        json_object *o = json_object_array_get_idx(groups, i);
        const char *gn = vmc_json_str(o, "name");
        VmcFeatureSet *set = g_new0(VmcFeatureSet, 1);
        g_autofree char *field = g_strdup_printf("groups[%zu].features", i);
        if (!gn || !vmc_catalog_set_from_names(ac, vmc_json_get(o, "features", json_type_array),
                                               set, file, field, error)) {
            g_free(set);
            if (!gn)
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: field 'groups[%zu].name': missing", file, i);
            return FALSE;
        }
        g_ptr_array_add(ac->group_names, g_strdup(gn));
        g_ptr_array_add(ac->group_sets, set);
    }
    return TRUE;
}

static gboolean
vmc_catalog_vendor_string_internal_check(const VmcArchCatalog *ac,
                                         const char *vendor)
{
    for (guint i = 0; i < ac->vendor_names->len; i++)
        if (g_str_equal(g_ptr_array_index(ac->vendor_names, i), vendor))
            return TRUE;
    return FALSE;
}

static VmcCpuModel *
vmc_catalog_new_model(VmcArchCatalog *ac, VmcArch arch, const char *name)
{
    VmcCpuModel *m = g_new0(VmcCpuModel, 1);
    m->arch = arch;
    m->idx = ac->models->len;
    m->name = g_strdup(name);
    m->signatures = g_array_new(FALSE, TRUE, sizeof(VmcSignature));
    m->decode_host = m->decode_guest = TRUE;
    g_ptr_array_add(ac->models, m);
    return m;
}

static gboolean
vmc_catalog_load_props(VmcArchCatalog *ac, json_object *obj, GArray *out,
                       const char *file, const char *field, GError **error)
{
    if (!obj)
        return TRUE;
    json_object_object_foreach(obj, key, val) {
        VmcFeature *f = g_hash_table_lookup(ac->feature_by_name, key);
        VmcFeatureProp p;
        if (!f) {
            /* Accelerator defaults may name non-feature properties. */
            g_debug("%s: %s: skipping non-feature property '%s'", file, field, key);
            continue;
        }
        p.feature = f->id;
        p.value = json_object_get_boolean(val);
        g_array_append_val(out, p);
    }
    return TRUE;
}

static gboolean
vmc_catalog_load_models(VmcArchCatalog *ac, VmcArch arch, json_object *root,
                        const char *file, GError **error)
{
    json_object *list = vmc_json_get(root, "models", json_type_array);
    json_object *aliases = vmc_json_get(root, "aliases", json_type_array);
    json_object *defaults = vmc_json_get(root, "defaults", json_type_object);
    json_object *ignored = vmc_json_get(root, "ignored_base_features", json_type_array);

    if (!list) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: field 'models': missing or not an array", file);
        return FALSE;
    }
    for (gsize i = 0; i < json_object_array_length(list); i++) {
        json_object *o = json_object_array_get_idx(list, i);
        const char *name = vmc_json_str(o, "name");
        g_autofree char *field = NULL;
        VmcCpuModel *m;

        if (!name) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'models[%zu].name': missing", file, i);
            return FALSE;
        }
        if (g_hash_table_lookup(ac->model_by_name, name)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'models[%zu].name': model '%s' is already defined (models are final: add a new version instead)",
                        file, i, name);
            return FALSE;
        }
        if (arch == VMC_ARCH_S390X) {
            g_autofree char *base_name = g_strdup_printf("%s-base", name);
            VmcCpuModel *base;
            guint32 v = 0;

            m = vmc_catalog_new_model(ac, arch, name);
            base = vmc_catalog_new_model(ac, arch, base_name);
            base->is_static = TRUE;
            base->base_model = base;
            m->base_model = base;
            field = g_strdup_printf("models[%zu].base", i);
            if (!vmc_catalog_set_from_names(ac, vmc_json_get(o, "base", json_type_array),
                                            &base->features, file, field, error))
                return FALSE;
            g_free(field);
            field = g_strdup_printf("models[%zu].default", i);
            if (!vmc_catalog_set_from_names(ac, vmc_json_get(o, "default", json_type_array),
                                            &m->features, file, field, error))
                return FALSE;
            g_free(field);
            field = g_strdup_printf("models[%zu].full", i);
            if (!vmc_catalog_set_from_names(ac, vmc_json_get(o, "full", json_type_array),
                                            &m->full, file, field, error))
                return FALSE;
            base->full = m->full;
            vmc_json_u32(o, "gen", &v);
            m->gen = base->gen = v;
            v = 0;
            vmc_json_u32(o, "ec_ga", &v);
            m->ec_ga = base->ec_ga = v;
            v = 0;
            vmc_json_u32(o, "type", &v);
            m->cpu_type = base->cpu_type = v;
            m->description = g_strdup(vmc_json_str(o, "desc"));
            base->description = g_strdup(m->description);
            vmc_catalog_parse_deprecated(o, &m->deprecated);
            base->deprecated = g_strdup(m->deprecated);
            if (!vmc_catalog_add_name(ac->model_by_name, m->name, m, file, "model", error) ||
                !vmc_catalog_add_name(ac->model_by_name, base->name, base, file, "model", error))
                return FALSE;
            continue;
        }

        m = vmc_catalog_new_model(ac, arch, name);
        m->vendor = g_strdup(vmc_json_str(o, "vendor"));
        m->description = g_strdup(vmc_json_str(o, "model_id"));
        m->family_name = g_strdup(vmc_json_str(o, "family_name"));
        {
            guint32 v = 0;
            if (vmc_json_u32(o, "version", &v))
                m->version = v;
        }
        vmc_catalog_parse_deprecated(o, &m->deprecated);
        {
            json_object *sig = vmc_json_get(o, "signature", json_type_object);
            if (sig) {
                VmcSignature s = { 0 };
                guint32 v = 0;
                if (vmc_json_u32(sig, "family", &v))
                    s.family = v;
                if (vmc_json_u32(sig, "model", &v))
                    s.model = v;
                if (vmc_json_u32(sig, "stepping", &v))
                    s.stepping_min = s.stepping_max = v;
                g_array_append_val(m->signatures, s);
            }
        }
        field = g_strdup_printf("models[%zu].features", i);
        if (!vmc_catalog_set_from_names(ac, vmc_json_get(o, "features", json_type_array),
                                        &m->features, file, field, error))
            return FALSE;
        g_free(field);
        field = g_strdup_printf("models[%zu].removed", i);
        if (!vmc_catalog_set_from_names(ac, vmc_json_get(o, "removed", json_type_array),
                                        &m->removed, file, field, error))
            return FALSE;
        if (m->vendor && !vmc_catalog_vendor_string_internal_check(ac, m->vendor)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'models[%zu].vendor': unknown vendor '%s'",
                        file, i, m->vendor);
            return FALSE;
        }
        if (!vmc_catalog_add_name(ac->model_by_name, m->name, m, file, "model", error))
            return FALSE;
    }

    for (gsize i = 0; aliases && i < json_object_array_length(aliases); i++) {
        json_object *o = json_object_array_get_idx(aliases, i);
        const char *name = vmc_json_str(o, "name");
        const char *target = vmc_json_str(o, "alias_of");
        VmcCpuModel *m = target ? g_hash_table_lookup(ac->model_by_name, target) : NULL;
        if (!name || !m) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'aliases[%zu]': alias '%s' of unknown model '%s'",
                        file, i, name ? name : "", target ? target : "");
            return FALSE;
        }
        if (g_hash_table_contains(ac->model_by_name, name)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'aliases[%zu]': alias '%s' collides with a model name",
                        file, i, name);
            return FALSE;
        }
        g_ptr_array_add(ac->alias_names, g_strdup(name));
        g_ptr_array_add(ac->alias_targets, m);
        g_hash_table_insert(ac->model_by_name,
                            g_ptr_array_index(ac->alias_names, ac->alias_names->len - 1), m);
    }

    if (defaults) {
        if (!vmc_catalog_load_props(ac, vmc_json_get(defaults, "always", json_type_object),
                                    ac->defaults_always, file, "defaults.always", error) ||
            !vmc_catalog_load_props(ac, vmc_json_get(defaults, "kvm", json_type_object),
                                    ac->defaults_kvm, file, "defaults.kvm", error) ||
            !vmc_catalog_load_props(ac, vmc_json_get(defaults, "tcg", json_type_object),
                                    ac->defaults_tcg, file, "defaults.tcg", error))
            return FALSE;
    }
    if (ignored && !vmc_catalog_set_from_names(ac, ignored, &ac->ignored_base, file,
                                               "ignored_base_features", error))
        return FALSE;
    return TRUE;
}

gboolean
vmc__catalog_load_json(VmcCatalog *cat, VmcArch arch,
                       const char *features_json, gsize flen,
                       const char *features_name,
                       const char *models_json, gsize mlen,
                       const char *models_name, GError **error)
{
    VmcArchCatalog *ac = &cat->arch[arch];

    if (features_json) {
        json_object *root = vmc_json_parse(features_json, flen, features_name, error);
        gboolean ok;
        if (!root)
            return FALSE;
        ok = vmc_catalog_load_features(ac, arch, root, features_name, error);
        json_object_put(root);
        if (!ok)
            return FALSE;
    }
    if (models_json) {
        json_object *root = vmc_json_parse(models_json, mlen, models_name, error);
        gboolean ok;
        if (!root)
            return FALSE;
        ok = vmc_catalog_load_models(ac, arch, root, models_name, error);
        json_object_put(root);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

typedef gboolean (*VmcJsonLoader)(VmcPlatformCatalog *pc, const char *json,
                                  gsize len, const char *name, GError **error);

static gboolean
vmc_catalog_load_resource(VmcCatalog *cat, GResource *res, const char *rel,
                          gboolean required, VmcJsonLoader load, GError **error)
{
    g_autofree char *path = g_strconcat(VMC_RESOURCE_PREFIX "/", rel, NULL);
    g_autoptr(GBytes) b = g_resource_lookup_data(res, path, 0, NULL);
    gsize len = 0;
    const char *data;

    if (!b) {
        if (!required)
            return TRUE;
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "built-in catalog lacks %s (library built without data/%s)", rel, rel);
        return FALSE;
    }
    data = g_bytes_get_data(b, &len);
    vmc__catalog_add_source(cat->sources, path, b);
    return load(&cat->pc, data, len, path, error);
}

/* Machine types, releases, tunables and the platforms listed in
 * platforms/index.json. */
static gboolean
vmc_catalog_load_builtin_machines(VmcCatalog *cat, GResource *res, GError **error)
{
    g_autoptr(GBytes) index = NULL;
    json_object *root, *list;

    for (guint a = 0; a < VMC_ARCH_N; a++) {
        g_autofree char *rel = g_strdup_printf("machine/%s.json", vmc_arch_to_string(a));
        if (!vmc_catalog_load_resource(cat, res, rel, TRUE, vmc__machine_load_json, error))
            return FALSE;
    }
    if (!vmc_catalog_load_resource(cat, res, "releases/qemu.json", TRUE,
                                   vmc__releases_load_json, error) ||
        !vmc_catalog_load_resource(cat, res, "machine/tunables.json", FALSE,
                                   vmc__tunables_load_json, error))
        return FALSE;
    index = g_resource_lookup_data(res, VMC_RESOURCE_PREFIX "/platforms/index.json", 0, NULL);
    if (!index)
        return TRUE;
    vmc__catalog_add_source(cat->sources, VMC_RESOURCE_PREFIX "/platforms/index.json", index);
    root = vmc_json_parse(g_bytes_get_data(index, NULL), g_bytes_get_size(index),
                          "platforms/index.json", error);
    if (!root)
        return FALSE;
    list = vmc_json_get(root, "platforms", json_type_array);
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        const char *name = json_object_get_string(json_object_array_get_idx(list, i));
        g_autofree char *rel = g_strdup_printf("platforms/%s.json", name ? name : "");
        if (!vmc_catalog_load_resource(cat, res, rel, TRUE, vmc__platform_load_json, error)) {
            json_object_put(root);
            return FALSE;
        }
    }
    json_object_put(root);
    return TRUE;
}

static gboolean
vmc_catalog_load_builtin(VmcCatalog *cat, GError **error)
{
    GResource *res = vmc_get_resource();

    for (guint a = 0; a < VMC_ARCH_N; a++) {
        const char *arch = vmc_arch_to_string(a);
        g_autofree char *fpath = g_strdup_printf(VMC_RESOURCE_PREFIX "/cpu/%s/features.json", arch);
        g_autofree char *mpath = g_strdup_printf(VMC_RESOURCE_PREFIX "/cpu/%s/models.json", arch);
        g_autoptr(GBytes) fb = g_resource_lookup_data(res, fpath, 0, NULL);
        g_autoptr(GBytes) mb = g_resource_lookup_data(res, mpath, 0, NULL);
        gsize flen = 0, mlen = 0;
        const char *fd, *md;

        if (!fb || !mb) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "built-in catalog lacks %s data (library built without data/cpu/%s)",
                        arch, arch);
            return FALSE;
        }
        fd = g_bytes_get_data(fb, &flen);
        md = g_bytes_get_data(mb, &mlen);
        vmc__catalog_add_source(cat->sources, fpath, fb);
        vmc__catalog_add_source(cat->sources, mpath, mb);
        if (!vmc__catalog_load_json(cat, a, fd, flen, fpath, md, mlen, mpath, error))
            return FALSE;
    }
    return vmc_catalog_load_builtin_machines(cat, res, error);
}

static gboolean
vmc_catalog_load_file(VmcCatalog *cat, const char *path, VmcJsonLoader load,
                      GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return TRUE;
    if (!vmc_file_read(path, &data, &len, error))
        return FALSE;
    {
        g_autoptr(GBytes) b = g_bytes_new(data, len);
        vmc__catalog_add_source(cat->sources, path, b);
    }
    return load(&cat->pc, data, len, path, error);
}

/* machine/<arch>.json, machine/tunables.json, releases/qemu.json and every
 * platforms/<name>.json of an overlay directory (platforms in name order). */
static gboolean
vmc_catalog_load_overlay_machines(VmcCatalog *cat, const char *dir, GError **error)
{
    g_autofree char *tpath = g_build_filename(dir, "machine", "tunables.json", NULL);
    g_autofree char *rpath = g_build_filename(dir, "releases", "qemu.json", NULL);
    g_autofree char *pdir = g_build_filename(dir, "platforms", NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    for (guint a = 0; a < VMC_ARCH_N; a++) {
        g_autofree char *base = g_strconcat(vmc_arch_to_string(a), ".json", NULL);
        g_autofree char *mpath = g_build_filename(dir, "machine", base, NULL);
        if (!vmc_catalog_load_file(cat, mpath, vmc__machine_load_json, error))
            return FALSE;
    }
    if (!vmc_catalog_load_file(cat, rpath, vmc__releases_load_json, error) ||
        !vmc_catalog_load_file(cat, tpath, vmc__tunables_load_json, error))
        return FALSE;
    if (g_file_test(pdir, G_FILE_TEST_IS_DIR)) {
        g_autoptr(GDir) d = g_dir_open(pdir, 0, error);
        const char *n;
        if (!d) {
            g_prefix_error(error, "catalog overlay %s: ", dir);
            return FALSE;
        }
        while ((n = g_dir_read_name(d)))
            if (g_str_has_suffix(n, ".json") && strcmp(n, "index.json") != 0)
                g_ptr_array_add(names, g_build_filename(pdir, n, NULL));
        g_ptr_array_sort(names, vmc_strptr_cmp);
        for (guint i = 0; i < names->len; i++)
            if (!vmc_catalog_load_file(cat, g_ptr_array_index(names, i),
                                       vmc__platform_load_json, error))
                return FALSE;
    }
    return TRUE;
}

static gboolean
vmc_catalog_load_overlay(VmcCatalog *cat, const char *dir, GError **error)
{
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        g_autofree char *fpath = g_build_filename(dir, "cpu", vmc_arch_to_string(a),
                                                  "features.json", NULL);
        g_autofree char *mpath = g_build_filename(dir, "cpu", vmc_arch_to_string(a),
                                                  "models.json", NULL);
        g_autofree char *fdata = NULL;
        g_autofree char *mdata = NULL;
        gsize flen = 0, mlen = 0;

        if (g_file_test(fpath, G_FILE_TEST_EXISTS) &&
            !vmc_file_read(fpath, &fdata, &flen, error))
            return FALSE;
        if (g_file_test(mpath, G_FILE_TEST_EXISTS) &&
            !vmc_file_read(mpath, &mdata, &mlen, error))
            return FALSE;
        if (!fdata && !mdata)
            continue;
        g_debug("catalog overlay %s for %s", dir, vmc_arch_to_string(a));
        for (guint k = 0; k < 2; k++) {
            const char *d = k ? mdata : fdata;
            g_autoptr(GBytes) b = d ? g_bytes_new(d, k ? mlen : flen) : NULL;
            if (b)
                vmc__catalog_add_source(cat->sources, k ? mpath : fpath, b);
        }
        if (!vmc__catalog_load_json(cat, a, fdata, flen, fpath, mdata, mlen, mpath, error))
            return FALSE;
    }
    return vmc_catalog_load_overlay_machines(cat, dir, error);
}

VmcCatalog *
vmc_catalog_load(const char *const *overlay_dirs, VmcCatalogFlags flags,
                 GError **error)
{
    g_autoptr(VmcCatalog) cat = vmc_catalog_new_empty();

    if (!(flags & VMC_CATALOG_NO_BUILTIN) && !vmc_catalog_load_builtin(cat, error))
        return NULL;
    if (!(flags & VMC_CATALOG_NO_OVERLAYS)) {
        const char *env = g_getenv("VMCOMPAT_DATA_DIRS");
        if (g_file_test("/etc/vmcompat", G_FILE_TEST_IS_DIR) &&
            !vmc_catalog_load_overlay(cat, "/etc/vmcompat", error))
            return NULL;
        if (env && *env) {
            g_auto(GStrv) dirs = g_strsplit(env, ":", -1);
            for (char **d = dirs; *d; d++)
                if (**d && !vmc_catalog_load_overlay(cat, *d, error))
                    return NULL;
        }
    }
    for (const char *const *d = overlay_dirs; d && *d; d++)
        if (!vmc_catalog_load_overlay(cat, *d, error))
            return NULL;
    if (!vmc__platform_catalog_finish(&cat->pc, error))
        return NULL;
    return g_steal_pointer(&cat);
}

/* ---- accessors --------------------------------------------------------- */

const char *
vmc_catalog_source(const VmcCatalog *cat, VmcArch arch)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, NULL);
    return cat->arch[arch].source;
}

guint
vmc_catalog_feature_count(const VmcCatalog *cat, VmcArch arch)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, 0);
    return cat->arch[arch].features->len;
}

const VmcFeature *
vmc_catalog_feature(const VmcCatalog *cat, VmcArch arch, guint id)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, NULL);
    if (id >= cat->arch[arch].features->len)
        return NULL;
    return g_ptr_array_index(cat->arch[arch].features, id);
}

const VmcFeature *
vmc_catalog_feature_lookup(const VmcCatalog *cat, VmcArch arch, const char *name)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N && name, NULL);
    return g_hash_table_lookup(cat->arch[arch].feature_by_name, name);
}

guint
vmc_catalog_model_count(const VmcCatalog *cat, VmcArch arch)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, 0);
    return cat->arch[arch].models->len;
}

const VmcCpuModel *
vmc_catalog_model(const VmcCatalog *cat, VmcArch arch, guint idx)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, NULL);
    if (idx >= cat->arch[arch].models->len)
        return NULL;
    return g_ptr_array_index(cat->arch[arch].models, idx);
}

const VmcCpuModel *
vmc_catalog_model_lookup(const VmcCatalog *cat, VmcArch arch, const char *name)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N && name, NULL);
    return g_hash_table_lookup(cat->arch[arch].model_by_name, name);
}

VmcArch
vmc__catalog_guess_arch(const VmcCatalog *cat, const char *name)
{
    for (guint a = 0; a < VMC_ARCH_N; a++)
        if (g_hash_table_contains(cat->arch[a].model_by_name, name))
            return (VmcArch) a;
    return VMC_ARCH_N;
}

guint
vmc_catalog_alias_count(const VmcCatalog *cat, VmcArch arch)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, 0);
    return cat->arch[arch].alias_names->len;
}

const char *
vmc_catalog_alias(const VmcCatalog *cat, VmcArch arch, guint idx,
                  const VmcCpuModel **ret_target)
{
    const VmcArchCatalog *ac;
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, NULL);
    ac = &cat->arch[arch];
    if (idx >= ac->alias_names->len)
        return NULL;
    if (ret_target)
        *ret_target = g_ptr_array_index(ac->alias_targets, idx);
    return g_ptr_array_index(ac->alias_names, idx);
}

const char *
vmc_catalog_vendor_string(const VmcCatalog *cat, VmcArch arch, const char *vendor)
{
    const VmcArchCatalog *ac;
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N && vendor, NULL);
    ac = &cat->arch[arch];
    for (guint i = 0; i < ac->vendor_names->len; i++)
        if (g_str_equal(g_ptr_array_index(ac->vendor_names, i), vendor))
            return g_ptr_array_index(ac->vendor_strings, i);
    return NULL;
}

const char *
vmc_catalog_vendor_name(const VmcCatalog *cat, VmcArch arch, const char *vendor_string)
{
    const VmcArchCatalog *ac;
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N && vendor_string, NULL);
    ac = &cat->arch[arch];
    for (guint i = 0; i < ac->vendor_strings->len; i++)
        if (g_str_equal(g_ptr_array_index(ac->vendor_strings, i), vendor_string))
            return g_ptr_array_index(ac->vendor_names, i);
    return NULL;
}

const VmcFeatureSet *
vmc_catalog_deprecated_features(const VmcCatalog *cat, VmcArch arch)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, NULL);
    return &cat->arch[arch].deprecated;
}

const VmcFeatureSet *
vmc_catalog_migratable_features(const VmcCatalog *cat, VmcArch arch)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, NULL);
    return &cat->arch[arch].migratable;
}

GPtrArray *
vmc__catalog_set_names(const VmcCatalog *cat, VmcArch arch, const VmcFeatureSet *set)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    VMC_FEATURE_SET_FOREACH(set, i) {
        const VmcFeature *f = vmc_catalog_feature(cat, arch, (guint) i);
        if (f)
            g_ptr_array_add(names, g_strdup(f->name));
    }
    return names;
}

char *
vmc__catalog_format_set(const VmcCatalog *cat, VmcArch arch, const VmcFeatureSet *set)
{
    /* borrowed names: verdicts format many sets, this is their hot path */
    g_autoptr(GPtrArray) names = g_ptr_array_sized_new(vmc_feature_set_count(set));
    GString *out = g_string_new(NULL);

    VMC_FEATURE_SET_FOREACH(set, i) {
        const VmcFeature *f = vmc_catalog_feature(cat, arch, (guint) i);
        if (f)
            g_ptr_array_add(names, f->name);
    }
    g_ptr_array_sort(names, vmc_strptr_cmp);
    for (guint i = 0; i < names->len; i++) {
        if (i)
            g_string_append(out, ", ");
        g_string_append(out, g_ptr_array_index(names, i));
    }
    return g_string_free(out, FALSE);
}

const char *vmc_feature_get_name(const VmcFeature *f) { return f->name; }
guint vmc_feature_get_id(const VmcFeature *f) { return f->id; }
VmcArch vmc_feature_get_arch(const VmcFeature *f) { return f->arch; }
gboolean vmc_feature_is_migratable(const VmcFeature *f) { return f->migratable; }
gboolean vmc_feature_is_qemu(const VmcFeature *f) { return f->qemu; }
const char *vmc_feature_get_deprecated(const VmcFeature *f) { return f->deprecated; }
const char *const *vmc_feature_get_aliases(const VmcFeature *f)
{
    return (const char *const *) f->aliases;
}

const char *vmc_cpu_model_get_name(const VmcCpuModel *m) { return m->name; }
VmcArch vmc_cpu_model_get_arch(const VmcCpuModel *m) { return m->arch; }
const char *vmc_cpu_model_get_vendor(const VmcCpuModel *m) { return m->vendor; }
const VmcFeatureSet *vmc_cpu_model_get_features(const VmcCpuModel *m) { return &m->features; }
const char *vmc_cpu_model_get_deprecated(const VmcCpuModel *m) { return m->deprecated; }
gboolean vmc_cpu_model_is_static(const VmcCpuModel *m) { return m->is_static; }
const char *vmc_cpu_model_get_description(const VmcCpuModel *m) { return m->description; }
