/* platform.c: host-dependent tunables and platforms (seed 004).
 *
 * Workload: ~60 tunables and a dozen platforms, loaded once per catalog
 * (built-in files, then overlay directories' platforms/<name>.json, which add or
 * replace by name). A downstream platform may extend an upstream one
 * (based_on): it inherits its capabilities and tunable values.
 */
#include "catalog/catalog-private.h"
#include "catalog/machine-private.h"

#include <string.h>

#include "base/json-util.h"
#include <vmcompat/error.h>

#define VMC_MAX_PLATFORM_DEPTH 16

/* ---- values ------------------------------------------------------------ */

static int
vmc_bool_value(const char *v)
{
    static const char *const yes[] = { "on", "true", "yes" };
    static const char *const no[] = { "off", "false", "no" };
    for (guint i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_ascii_strcasecmp(v, yes[i]) == 0)
            return 1;
        if (g_ascii_strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

gboolean
vmc_tunable_value_equal(const char *a, const char *b)
{
    int ba, bb;

    if (!a || !b)
        return a == b;
    ba = vmc_bool_value(a);
    bb = vmc_bool_value(b);
    if (ba >= 0 || bb >= 0)
        return ba == bb;
    return strcmp(a, b) == 0;
}

/* ---- tunables ---------------------------------------------------------- */

static void
vmc_tunable_free(VmcTunable *t)
{
    g_free(t->driver);
    g_free(t->property);
    g_free(t->name);
    g_strfreev(t->applies_to);
    g_free(t->safe);
    g_free(t->qemu_default);
    g_free(t->since);
    g_free(t->source);
    g_strfreev(t->need_values);
    g_clear_pointer(&t->need_caps, g_ptr_array_unref);
    g_free(t);
}

static void
vmc_platform_free(VmcPlatform *p)
{
    g_free(p->name);
    g_free(p->kernel);
    g_free(p->based_on);
    g_free(p->description);
    g_free(p->origin);
    g_strfreev(p->capabilities);
    for (guint a = 0; a < VMC_ARCH_N; a++)
        g_strfreev(p->arch_capabilities[a]);
    g_clear_pointer(&p->tunables, g_hash_table_unref);
    g_clear_pointer(&p->sources, g_hash_table_unref);
    g_free(p);
}

void
vmc__tunables_init(VmcPlatformCatalog *pc)
{
    pc->tunables = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_tunable_free);
    pc->tunable_by_name = g_hash_table_new(g_str_hash, g_str_equal);
    pc->platforms = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_platform_free);
}

void
vmc__tunables_clear(VmcPlatformCatalog *pc)
{
    g_clear_pointer(&pc->tunable_by_name, g_hash_table_unref);
    g_clear_pointer(&pc->tunables, g_ptr_array_unref);
    g_clear_pointer(&pc->platforms, g_ptr_array_unref);
}

GStrv
vmc__catalog_strv(json_object *arr, const char *file, const char *field,
                  GError **error)
{
    GStrvBuilder *b;
    GStrv out;

    if (!arr)
        return g_new0(char *, 1);
    if (!json_object_is_type(arr, json_type_array)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: field '%s': not an array of strings", file, field);
        return NULL;
    }
    b = g_strv_builder_new();
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *s = json_object_array_get_idx(arr, i);
        if (!json_object_is_type(s, json_type_string)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field '%s[%zu]': not a string", file, field, i);
            g_strv_builder_unref(b);
            return NULL;
        }
        g_strv_builder_add(b, json_object_get_string(s));
    }
    out = g_strv_builder_end(b);
    g_strv_builder_unref(b);
    return out;
}

static const char *const vmc_tunable_kinds[] = { "platform", "backend", "cpu-feature" };

const char *
vmc_tunable_kind_to_string(VmcTunableKind kind)
{
    return (guint) kind < G_N_ELEMENTS(vmc_tunable_kinds) ? vmc_tunable_kinds[kind] : "unknown";
}

static VmcTunable *
vmc_tunable_parse(json_object *o, const char *file, size_t idx, GError **error)
{
    g_autofree char *field = g_strdup_printf("tunables[%zu]", idx);
    const char *driver = vmc_json_str(o, "driver");
    const char *prop = vmc_json_str(o, "property");
    const char *kind = vmc_json_str(o, "kind");
    const char *safe = vmc_json_str(o, "safe");
    json_object *arch = vmc_json_get(o, "arch", json_type_array);
    json_object *needs = vmc_json_get(o, "needs", json_type_object);
    VmcTunable *t;
    GStrvBuilder *vb;
    int k = -1;

    for (guint i = 0; kind && i < G_N_ELEMENTS(vmc_tunable_kinds); i++)
        if (strcmp(kind, vmc_tunable_kinds[i]) == 0)
            k = (int) i;
    if (!driver || !prop || !safe || k < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: field '%s': needs driver, property, safe and kind "
                    "(platform, backend or cpu-feature)", file, field);
        return NULL;
    }
    t = g_new0(VmcTunable, 1);
    t->driver = g_strdup(driver);
    t->property = g_strdup(prop);
    t->name = g_strconcat(driver, ".", prop, NULL);
    t->kind = (VmcTunableKind) k;
    t->safe = g_strdup(safe);
    t->qemu_default = g_strdup(vmc_json_str(o, "qemu_default"));
    t->since = g_strdup(vmc_json_str(o, "since"));
    t->source = g_strdup(vmc_json_str(o, "source"));
    t->need_caps = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
    t->applies_to = vmc__catalog_strv(vmc_json_get(o, "applies_to", json_type_array),
                                       file, "applies_to", error);
    if (!t->applies_to)
        goto fail;
    if (arch) {
        for (size_t i = 0; i < json_object_array_length(arch); i++) {
            const char *an = json_object_get_string(json_object_array_get_idx(arch, i));
            VmcArch a = an ? vmc_arch_from_string(an) : VMC_ARCH_N;
            if (a == VMC_ARCH_N) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: field '%s.arch[%zu]': unknown arch '%s'", file, field, i,
                            an ? an : "");
                goto fail;
            }
            t->arch[a] = TRUE;
        }
    } else {
        for (guint a = 0; a < VMC_ARCH_N; a++)
            t->arch[a] = TRUE;
    }
    vb = g_strv_builder_new();
    if (needs) {
        json_object_object_foreach(needs, value, caps) {
            g_autofree char *f = g_strdup_printf("%s.needs.%s", field, value);
            GStrv v = vmc__catalog_strv(caps, file, f, error);
            if (!v) {
                g_strv_builder_unref(vb);
                goto fail;
            }
            g_strv_builder_add(vb, value);
            g_ptr_array_add(t->need_caps, v);
        }
    }
    t->need_values = g_strv_builder_end(vb);
    g_strv_builder_unref(vb);
    if (vmc_tunable_needs(t, t->safe)[0]) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: field '%s': tunable %s: the safe value '%s' needs host capabilities",
                    file, field, t->name, t->safe);
        goto fail;
    }
    return t;
fail:
    vmc_tunable_free(t);
    return NULL;
}

gboolean
vmc__tunables_load_json(VmcPlatformCatalog *pc, const char *json, gsize len,
                        const char *name, GError **error)
{
    json_object *root = vmc_json_parse(json, len, name, error);
    json_object *list;
    gboolean ok = FALSE;

    if (!root)
        return FALSE;
    list = vmc_json_get(root, "tunables", json_type_array);
    if (!list) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: field 'tunables': missing or not an array", name);
        goto out;
    }
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        VmcTunable *t = vmc_tunable_parse(json_object_array_get_idx(list, i), name, i, error);
        VmcTunable *old;
        if (!t)
            goto out;
        old = g_hash_table_lookup(pc->tunable_by_name, t->name);
        if (old) {   /* an overlay replaces a tunable by name */
            g_hash_table_remove(pc->tunable_by_name, old->name);
            g_ptr_array_remove(pc->tunables, old);
        }
        g_ptr_array_add(pc->tunables, t);
        g_hash_table_insert(pc->tunable_by_name, t->name, t);
    }
    ok = TRUE;
out:
    json_object_put(root);
    return ok;
}

guint
vmc_catalog_tunable_count(const VmcCatalog *cat)
{
    g_return_val_if_fail(cat, 0);
    return cat->pc.tunables->len;
}

const VmcTunable *
vmc_catalog_tunable(const VmcCatalog *cat, guint idx)
{
    g_return_val_if_fail(cat && idx < cat->pc.tunables->len, NULL);
    return g_ptr_array_index(cat->pc.tunables, idx);
}

const VmcTunable *
vmc_catalog_tunable_lookup(const VmcCatalog *cat, const char *driver,
                           const char *property)
{
    g_autofree char *key = NULL;

    g_return_val_if_fail(cat && driver, NULL);
    if (!property)
        return g_hash_table_lookup(cat->pc.tunable_by_name, driver);
    key = g_strconcat(driver, ".", property, NULL);
    return g_hash_table_lookup(cat->pc.tunable_by_name, key);
}

const char *vmc_tunable_get_driver(const VmcTunable *t) { return t->driver; }
const char *vmc_tunable_get_property(const VmcTunable *t) { return t->property; }
const char *vmc_tunable_get_name(const VmcTunable *t) { return t->name; }
VmcTunableKind vmc_tunable_get_kind(const VmcTunable *t) { return t->kind; }
const char *vmc_tunable_get_safe_value(const VmcTunable *t) { return t->safe; }
const char *vmc_tunable_get_qemu_default(const VmcTunable *t) { return t->qemu_default; }
const char *vmc_tunable_get_since(const VmcTunable *t) { return t->since; }
const char *vmc_tunable_get_source(const VmcTunable *t) { return t->source; }

gboolean
vmc_tunable_has_arch(const VmcTunable *t, VmcArch arch)
{
    return (guint) arch < VMC_ARCH_N && t->arch[arch];
}

const char *const *
vmc_tunable_get_applies_to(const VmcTunable *t)
{
    return (const char *const *) t->applies_to;
}

const char *const *
vmc_tunable_needs(const VmcTunable *t, const char *value)
{
    static const char *const none[] = { NULL };

    for (guint i = 0; value && t->need_values[i]; i++)
        if (vmc_tunable_value_equal(t->need_values[i], value))
            return (const char *const *) g_ptr_array_index(t->need_caps, i);
    return none;
}

/* ---- platforms --------------------------------------------------------- */

static gboolean
vmc_kernel_parse(const char *kernel, guint *major, guint *minor)
{
    char *end;
    guint64 ma, mi;

    if (!kernel || !g_ascii_isdigit(*kernel))
        return FALSE;
    ma = g_ascii_strtoull(kernel, &end, 10);
    if (*end != '.' || !g_ascii_isdigit(end[1]))
        return FALSE;
    mi = g_ascii_strtoull(end + 1, &end, 10);
    if (ma > 1000 || mi > 1000)
        return FALSE;
    *major = (guint) ma;
    *minor = (guint) mi;
    return TRUE;
}

gboolean
vmc__platform_load_json(VmcPlatformCatalog *pc, const char *json, gsize len,
                        const char *name, GError **error)
{
    json_object *root = vmc_json_parse(json, len, name, error);
    g_autoptr(GError) local = NULL;
    json_object *archs, *tunables, *sources;
    const char *pname, *kernel;
    VmcPlatform *p = NULL;
    gboolean ok = FALSE;

    if (!root)
        return FALSE;
    pname = vmc_json_str(root, "name");
    kernel = vmc_json_str(root, "kernel");
    if (!pname || !*pname) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: field 'name': missing (a platform is named, e.g. \"linux-6.2\")", name);
        goto out;
    }
    p = g_new0(VmcPlatform, 1);
    p->name = g_strdup(pname);
    p->kernel = g_strdup(kernel);
    p->origin = g_strdup(name);
    p->based_on = g_strdup(vmc_json_str(root, "based_on"));
    p->description = g_strdup(vmc_json_str(root, "description"));
    if (!vmc_kernel_parse(kernel, &p->kernel_major, &p->kernel_minor)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: field 'kernel': '%s' is not a kernel release x.y", name,
                    kernel ? kernel : "");
        goto out;
    }
    p->capabilities = vmc__catalog_strv(vmc_json_get(root, "capabilities", json_type_array),
                                         name, "capabilities", error);
    if (!p->capabilities)
        goto out;
    archs = vmc_json_get(root, "arch_capabilities", json_type_object);
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        json_object *list = archs ? vmc_json_get(archs, vmc_arch_to_string(a), json_type_array) : NULL;
        g_autofree char *field = g_strdup_printf("arch_capabilities.%s", vmc_arch_to_string(a));
        p->arch_capabilities[a] = vmc__catalog_strv(list, name, field, error);
        if (!p->arch_capabilities[a])
            goto out;
    }
    p->tunables = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    p->sources = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    tunables = vmc_json_get(root, "tunables", json_type_object);
    if (tunables) {
        json_object_object_foreach(tunables, key, val) {
            if (!json_object_is_type(val, json_type_string)) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: field 'tunables.%s': value must be a string", name, key);
                goto out;
            }
            g_hash_table_replace(p->tunables, g_strdup(key),
                                 g_strdup(json_object_get_string(val)));
        }
    }
    sources = vmc_json_get(root, "sources", json_type_object);
    if (sources) {
        json_object_object_foreach(sources, key, val)
            if (json_object_is_type(val, json_type_string))
                g_hash_table_replace(p->sources, g_strdup(key),
                                     g_strdup(json_object_get_string(val)));
    }
    for (guint i = 0; i < pc->platforms->len; i++) {
        VmcPlatform *old = g_ptr_array_index(pc->platforms, i);
        if (strcmp(old->name, p->name) == 0) {   /* overlay replaces */
            g_ptr_array_remove_index(pc->platforms, i);
            break;
        }
    }
    g_ptr_array_add(pc->platforms, g_steal_pointer(&p));
    ok = TRUE;
out:
    if (p)
        vmc_platform_free(p);
    json_object_put(root);
    return ok;
}

/* @own becomes @base's entries, then its own ones @base lacks. */
static void
vmc_strv_merge(GStrv *own, char **base)
{
    GStrvBuilder *b = g_strv_builder_new();

    g_strv_builder_addv(b, (const char **) base);
    for (char **s = *own; *s; s++)
        if (!g_strv_contains((const char *const *) base, *s))
            g_strv_builder_add(b, *s);
    g_strfreev(*own);
    *own = g_strv_builder_end(b);
    g_strv_builder_unref(b);
}

/* Pull in what a downstream platform inherits (recursively). */
static gboolean
vmc_platform_inherit(VmcPlatformCatalog *pc, VmcPlatform *p, GHashTable *done,
                     guint depth, GError **error)
{
    VmcPlatform *base = NULL;
    GHashTableIter it;
    gpointer k, v;

    if (!p->based_on || g_hash_table_contains(done, p))
        return TRUE;
    if (depth > VMC_MAX_PLATFORM_DEPTH) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: platform %s: based_on chain loops", p->origin, p->name);
        return FALSE;
    }
    for (guint i = 0; i < pc->platforms->len; i++) {
        VmcPlatform *o = g_ptr_array_index(pc->platforms, i);
        if (strcmp(o->name, p->based_on) == 0)
            base = o;
    }
    if (!base || base == p) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: platform %s: field 'based_on': unknown platform '%s'",
                    p->origin, p->name, p->based_on);
        return FALSE;
    }
    if (!vmc_platform_inherit(pc, base, done, depth + 1, error))
        return FALSE;
    vmc_strv_merge(&p->capabilities, base->capabilities);
    for (guint a = 0; a < VMC_ARCH_N; a++)
        vmc_strv_merge(&p->arch_capabilities[a], base->arch_capabilities[a]);
    g_hash_table_iter_init(&it, base->tunables);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (!g_hash_table_contains(p->tunables, k))
            g_hash_table_insert(p->tunables, g_strdup(k), g_strdup(v));
    g_hash_table_iter_init(&it, base->sources);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (!g_hash_table_contains(p->sources, k))
            g_hash_table_insert(p->sources, g_strdup(k), g_strdup(v));
    g_hash_table_add(done, p);
    return TRUE;
}

static gint
vmc_platform_cmp(gconstpointer a, gconstpointer b)
{
    const VmcPlatform *x = *(const VmcPlatform *const *) a;
    const VmcPlatform *y = *(const VmcPlatform *const *) b;

    if (x->kernel_major != y->kernel_major)
        return x->kernel_major < y->kernel_major ? -1 : 1;
    if (x->kernel_minor != y->kernel_minor)
        return x->kernel_minor < y->kernel_minor ? -1 : 1;
    /* an upstream platform sorts before the downstream ones built on it */
    if (!x->based_on != !y->based_on)
        return x->based_on ? 1 : -1;
    return strcmp(x->name, y->name);
}

static gboolean
vmc_platform_check(const VmcPlatformCatalog *pc, const VmcPlatform *p,
                   GError **error)
{
    GHashTableIter it;
    gpointer k, v;

    g_hash_table_iter_init(&it, p->tunables);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const VmcTunable *t = g_hash_table_lookup(pc->tunable_by_name, k);
        const char *const *caps;
        if (!t) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: platform %s: field 'tunables.%s': no such tunable "
                        "(tunables are listed in machine/tunables.json)",
                        p->origin, p->name, (const char *) k);
            return FALSE;
        }
        caps = vmc_tunable_needs(t, v);
        for (guint a = 0; a < VMC_ARCH_N; a++) {
            if (!t->arch[a])
                continue;
            for (guint i = 0; caps[i]; i++) {
                if (g_strv_contains((const char *const *) p->capabilities, caps[i]) ||
                    g_strv_contains((const char *const *) p->arch_capabilities[a], caps[i]))
                    continue;
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: platform %s sets %s=%s, which needs capability %s, "
                            "but does not list that capability (for %s)",
                            p->origin, p->name, t->name, (const char *) v, caps[i],
                            vmc_arch_to_string(a));
                return FALSE;
            }
        }
    }
    return TRUE;
}

gboolean
vmc__platform_catalog_finish(VmcPlatformCatalog *pc, GError **error)
{
    g_autoptr(GHashTable) done = g_hash_table_new(g_direct_hash, g_direct_equal);

    if (!vmc__machines_finish(pc, error))
        return FALSE;
    for (guint i = 0; i < pc->platforms->len; i++)
        if (!vmc_platform_inherit(pc, g_ptr_array_index(pc->platforms, i), done, 0, error))
            return FALSE;
    g_ptr_array_sort(pc->platforms, vmc_platform_cmp);
    for (guint i = 0; i < pc->platforms->len; i++)
        if (!vmc_platform_check(pc, g_ptr_array_index(pc->platforms, i), error))
            return FALSE;
    return TRUE;
}

guint
vmc_catalog_platform_count(const VmcCatalog *cat)
{
    g_return_val_if_fail(cat, 0);
    return cat->pc.platforms->len;
}

const VmcPlatform *
vmc_catalog_platform(const VmcCatalog *cat, guint idx)
{
    g_return_val_if_fail(cat && idx < cat->pc.platforms->len, NULL);
    return g_ptr_array_index(cat->pc.platforms, idx);
}

const VmcPlatform *
vmc_catalog_platform_lookup(const VmcCatalog *cat, const char *name)
{
    g_return_val_if_fail(cat && name, NULL);
    for (guint i = 0; i < cat->pc.platforms->len; i++) {
        const VmcPlatform *p = g_ptr_array_index(cat->pc.platforms, i);
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

const char *vmc_platform_get_name(const VmcPlatform *p) { return p->name; }
const char *vmc_platform_get_kernel(const VmcPlatform *p) { return p->kernel; }
const char *vmc_platform_get_based_on(const VmcPlatform *p) { return p->based_on; }
const char *vmc_platform_get_description(const VmcPlatform *p) { return p->description; }
const char *vmc_platform_get_origin(const VmcPlatform *p) { return p->origin; }

GPtrArray *
vmc_platform_capabilities(const VmcPlatform *p, VmcArch arch)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    g_return_val_if_fail(p && (guint) arch < VMC_ARCH_N, out);
    for (char **c = p->capabilities; *c; c++)
        g_ptr_array_add(out, g_strdup(*c));
    for (char **c = p->arch_capabilities[arch]; *c; c++)
        if (!g_strv_contains((const char *const *) p->capabilities, *c))
            g_ptr_array_add(out, g_strdup(*c));
    return out;
}

const char *
vmc_platform_capability_source(const VmcPlatform *p, const char *capability)
{
    return g_hash_table_lookup(p->sources, capability);
}

const char *
vmc_platform_tunable_value(const VmcPlatform *p, const VmcTunable *t)
{
    g_return_val_if_fail(p && t, NULL);
    return g_hash_table_lookup(p->tunables, t->name);
}

const VmcPlatform *
vmc_catalog_platform_first_with(const VmcCatalog *cat, const VmcTunable *t,
                                const char *value)
{
    g_return_val_if_fail(cat && t && value, NULL);
    for (guint i = 0; i < cat->pc.platforms->len; i++) {
        const VmcPlatform *p = g_ptr_array_index(cat->pc.platforms, i);
        if (!p->based_on && vmc_tunable_value_equal(vmc_platform_tunable_value(p, t), value))
            return p;
    }
    return NULL;
}
