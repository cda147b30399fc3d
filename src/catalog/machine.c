/* machine.c: machine types (compat arrays, version chains, effective
 * properties) and the hypervisor-release table.
 *
 * Workload: a few hundred machine types and ~60 arrays, loaded once per
 * catalog; effective properties are computed once, at load, by walking each
 * version's parent chain (QEMU's compat_props_add order) and then looked up
 * by binary search.
 */
#include "catalog/catalog-private.h"
#include "catalog/machine-private.h"

#include <stdlib.h>
#include <string.h>

#include "base/json-util.h"
#include <vmcompat/error.h>

/* ---- releases -------------------------------------------------------- */

gboolean
vmc_release_parse(const char *text, VmcRelease *ret, GError **error)
{
    const char *p = text;
    guint64 major, minor;
    char *end;

    if (!text)
        goto bad;
    if (g_str_has_prefix(p, "qemu-"))
        p += 5;
    if (!g_ascii_isdigit(*p))
        goto bad;
    major = g_ascii_strtoull(p, &end, 10);
    if (*end != '.' || !g_ascii_isdigit(end[1]) || major > 1000)
        goto bad;
    minor = g_ascii_strtoull(end + 1, &end, 10);
    if (minor > 1000)
        goto bad;
    if (*end == '.') {   /* micro: accepted, ignored */
        if (!g_ascii_isdigit(end[1]))
            goto bad;
        g_ascii_strtoull(end + 1, &end, 10);
    }
    if (*end)
        goto bad;
    ret->major = (guint) major;
    ret->minor = (guint) minor;
    return TRUE;
bad:
    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                "'%s' is not a hypervisor release (expected qemu-X.Y, e.g. qemu-7.2)",
                text ? text : "(null)");
    return FALSE;
}

char *
vmc_release_to_string(const VmcRelease *rel)
{
    return g_strdup_printf("qemu-%u.%u", rel->major, rel->minor);
}

int
vmc_release_compare(const VmcRelease *a, const VmcRelease *b)
{
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    return 0;
}

static void
vmc_since_free(VmcSince *s)
{
    g_free(s->name);
    g_free(s->text);
    g_free(s);
}

static VmcReleaseKnows
vmc_release_knows(GHashTable *table, const VmcRelease *rel, const char *name,
                  const char **since_out)
{
    VmcSince *s = table ? g_hash_table_lookup(table, name) : NULL;

    if (since_out)
        *since_out = s ? s->text : NULL;
    if (!s)
        return VMC_RELEASE_KNOWS_UNKNOWN;
    if (vmc_release_compare(&s->since, rel) <= 0)
        return VMC_RELEASE_KNOWS_YES;
    /* introduced later when exact; with only an upper bound, not known */
    return s->exact ? VMC_RELEASE_KNOWS_NO : VMC_RELEASE_KNOWS_UNKNOWN;
}

VmcReleaseKnows
vmc_release_knows_model(const VmcCatalog *cat, VmcArch arch,
                        const VmcRelease *rel, const char *model,
                        const char **since_out)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N && rel && model,
                         VMC_RELEASE_KNOWS_UNKNOWN);
    return vmc_release_knows(cat->pc.releases.models[arch], rel, model, since_out);
}

VmcReleaseKnows
vmc_release_knows_feature(const VmcCatalog *cat, VmcArch arch,
                          const VmcRelease *rel, const char *feature,
                          const char **since_out)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N && rel && feature,
                         VMC_RELEASE_KNOWS_UNKNOWN);
    return vmc_release_knows(cat->pc.releases.features[arch], rel, feature, since_out);
}

gboolean
vmc_catalog_newest_release(const VmcCatalog *cat, VmcRelease *ret)
{
    gboolean found = FALSE;

    g_return_val_if_fail(cat && ret, FALSE);
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        const GPtrArray *types = cat->pc.machines[a].types;
        for (guint i = 0; types && i < types->len; i++) {
            const VmcMachineType *mt = g_ptr_array_index(types, i);
            if (!found || vmc_release_compare(&mt->since, ret) > 0) {
                *ret = mt->since;
                found = TRUE;
            }
        }
    }
    if (cat->pc.releases.releases && cat->pc.releases.releases->len) {
        const VmcRelease *last = &g_array_index(cat->pc.releases.releases, VmcRelease,
                                                cat->pc.releases.releases->len - 1);
        if (!found || vmc_release_compare(last, ret) > 0) {
            *ret = *last;
            found = TRUE;
        }
    }
    return found;
}

static gboolean
vmc_releases_load_since(GHashTable *table, json_object *obj, const char *file,
                        const char *what, GError **error)
{
    json_object_object_foreach(obj, key, val) {
        const char *exact = vmc_json_str(val, "since");
        const char *bound = vmc_json_str(val, "since_at_most");
        VmcSince *s;

        if (!json_object_is_type(val, json_type_object) || (!exact && !bound)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field '%s.%s': needs \"since\" or \"since_at_most\"",
                        file, what, key);
            return FALSE;
        }
        s = g_new0(VmcSince, 1);
        s->name = g_strdup(key);
        s->exact = exact != NULL;
        s->text = g_strdup(exact ? exact : bound);
        if (!vmc_release_parse(s->text, &s->since, error)) {
            g_prefix_error(error, "%s: field '%s.%s': ", file, what, key);
            vmc_since_free(s);
            return FALSE;
        }
        g_hash_table_replace(table, s->name, s);
    }
    return TRUE;
}

static gint
vmc_release_cmp_ptr(gconstpointer a, gconstpointer b)
{
    return vmc_release_compare(a, b);
}

gboolean
vmc__releases_load_json(VmcPlatformCatalog *pc, const char *json, gsize len,
                        const char *name, GError **error)
{
    json_object *root = vmc_json_parse(json, len, name, error);
    VmcReleaseTable *rt = &pc->releases;
    json_object *list;
    const char *policy;
    gboolean ok = FALSE;

    if (!root)
        return FALSE;
    list = vmc_json_get(root, "releases", json_type_array);
    if (!list) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: field 'releases': missing or not an array", name);
        goto out;
    }
    g_array_set_size(rt->releases, 0);
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        VmcRelease rel;
        const char *rname = vmc_json_str(json_object_array_get_idx(list, i), "name");
        if (!vmc_release_parse(rname, &rel, error)) {
            g_prefix_error(error, "%s: field 'releases[%zu].name': ", name, i);
            goto out;
        }
        g_array_append_val(rt->releases, rel);
    }
    g_array_sort(rt->releases, vmc_release_cmp_ptr);
    policy = vmc_json_str(root, "deprecation_policy_since");
    if (policy && !vmc_release_parse(policy, &rt->policy_since, error)) {
        g_prefix_error(error, "%s: field 'deprecation_policy_since': ", name);
        goto out;
    }
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        json_object *arch = vmc_json_get(root, vmc_arch_to_string(a), json_type_object);
        json_object *models, *features;
        if (!arch)
            continue;
        g_hash_table_remove_all(rt->models[a]);
        g_hash_table_remove_all(rt->features[a]);
        models = vmc_json_get(arch, "models", json_type_object);
        features = vmc_json_get(arch, "features", json_type_object);
        if ((models && !vmc_releases_load_since(rt->models[a], models, name, "models", error)) ||
            (features && !vmc_releases_load_since(rt->features[a], features, name, "features", error)))
            goto out;
    }
    ok = TRUE;
out:
    json_object_put(root);
    return ok;
}

/* ---- machine types ----------------------------------------------------- */

static void
vmc_compat_entry_free(VmcCompatEntry *e)
{
    g_free(e->driver);
    g_free(e->property);
    g_free(e->value);
    g_free(e->aspect);
    g_free(e->reason);
    g_free(e->since);
    g_free(e);
}

static void
vmc_compat_array_free(VmcCompatArray *a)
{
    g_free(a->name);
    g_ptr_array_unref(a->entries);
    g_free(a);
}

static void
vmc_machine_type_free(VmcMachineType *mt)
{
    g_free(mt->name);
    g_free(mt->family);
    g_free(mt->version);
    g_free(mt->parent_version);
    g_strfreev(mt->own_arrays);
    g_strfreev(mt->arrays);
    g_strfreev(mt->family_aliases);
    if (mt->props)
        g_array_unref(mt->props);
    g_free(mt);
}

static void
vmc_machine_catalog_init(VmcMachineCatalog *mc)
{
    mc->types = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_machine_type_free);
    mc->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    mc->arrays = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) vmc_compat_array_free);
}

static void
vmc_machine_catalog_clear(VmcMachineCatalog *mc)
{
    g_clear_pointer(&mc->source, g_free);
    g_clear_pointer(&mc->by_name, g_hash_table_unref);
    g_clear_pointer(&mc->types, g_ptr_array_unref);
    g_clear_pointer(&mc->arrays, g_hash_table_unref);
}

void
vmc__platform_catalog_init(VmcPlatformCatalog *pc)
{
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        vmc_machine_catalog_init(&pc->machines[a]);
        pc->releases.models[a] = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) vmc_since_free);
        pc->releases.features[a] = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) vmc_since_free);
    }
    pc->releases.releases = g_array_new(FALSE, FALSE, sizeof(VmcRelease));
    pc->releases.policy_since = (VmcRelease) { 9, 1 };
    vmc__tunables_init(pc);
}

void
vmc__platform_catalog_clear(VmcPlatformCatalog *pc)
{
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        vmc_machine_catalog_clear(&pc->machines[a]);
        g_clear_pointer(&pc->releases.models[a], g_hash_table_unref);
        g_clear_pointer(&pc->releases.features[a], g_hash_table_unref);
    }
    g_clear_pointer(&pc->releases.releases, g_array_unref);
    vmc__tunables_clear(pc);
}

static gboolean
vmc_machine_load_arrays(VmcMachineCatalog *mc, json_object *arrays,
                        const char *file, GError **error)
{
    json_object_object_foreach(arrays, aname, list) {
        VmcCompatArray *arr;
        if (!json_object_is_type(list, json_type_array)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'arrays.%s': not an array", file, aname);
            return FALSE;
        }
        arr = g_new0(VmcCompatArray, 1);
        arr->name = g_strdup(aname);
        arr->entries = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_compat_entry_free);
        g_hash_table_replace(mc->arrays, arr->name, arr);
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            json_object *o = json_object_array_get_idx(list, i);
            const char *driver = vmc_json_str(o, "driver");
            const char *prop = vmc_json_str(o, "property");
            const char *value = vmc_json_str(o, "value");
            const char *dep = vmc_json_str(o, "host_dependency");
            VmcCompatEntry *e;

            if (!driver || !prop || !value || !dep ||
                (strcmp(dep, "host-dependent") && strcmp(dep, "guest-abi-only"))) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: field 'arrays.%s[%zu]': needs driver, property, value and "
                            "host_dependency (host-dependent or guest-abi-only)",
                            file, aname, i);
                return FALSE;
            }
            e = g_new0(VmcCompatEntry, 1);
            e->driver = g_strdup(driver);
            e->property = g_strdup(prop);
            e->value = g_strdup(value);
            e->dep = strcmp(dep, "host-dependent") == 0 ?
                     VMC_HOST_DEP_HOST_DEPENDENT : VMC_HOST_DEP_GUEST_ABI_ONLY;
            e->aspect = g_strdup(vmc_json_str(o, "aspect"));
            e->reason = g_strdup(vmc_json_str(o, "reason"));
            e->since = g_strdup(vmc_json_str(o, "since"));
            e->array = arr->name;
            g_ptr_array_add(arr->entries, e);
        }
    }
    return TRUE;
}

gboolean
vmc__machine_load_json(VmcPlatformCatalog *pc, const char *json, gsize len,
                       const char *name, GError **error)
{
    json_object *root = vmc_json_parse(json, len, name, error);
    json_object *arrays, *families;
    const char *arch_name;
    VmcMachineCatalog *mc;
    VmcArch arch;
    gboolean ok = FALSE;

    if (!root)
        return FALSE;
    arch_name = vmc_json_str(root, "arch");
    arch = arch_name ? vmc_arch_from_string(arch_name) : VMC_ARCH_N;
    if (arch == VMC_ARCH_N) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: field 'arch': missing or unknown arch '%s'", name,
                    arch_name ? arch_name : "");
        goto out;
    }
    arrays = vmc_json_get(root, "arrays", json_type_object);
    families = vmc_json_get(root, "families", json_type_array);
    if (!arrays || !families) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: needs objects 'arrays' and 'families'", name);
        goto out;
    }
    mc = &pc->machines[arch];
    vmc_machine_catalog_clear(mc);
    vmc_machine_catalog_init(mc);
    mc->source = g_strdup(name);
    if (!vmc_machine_load_arrays(mc, arrays, name, error))
        goto out;

    for (size_t f = 0; f < json_object_array_length(families); f++) {
        json_object *fam = json_object_array_get_idx(families, f);
        const char *fname = vmc_json_str(fam, "name");
        const char *defaults = vmc_json_str(fam, "defaults_array");
        json_object *versions = vmc_json_get(fam, "versions", json_type_array);
        json_object *is_default = vmc_json_get(fam, "default", json_type_boolean);
        g_autofree char *afield = g_strdup_printf("families[%zu].aliases", f);
        g_auto(GStrv) aliases = vmc__catalog_strv(vmc_json_get(fam, "aliases", json_type_array),
                                                  name, afield, error);

        if (!aliases)
            goto out;
        if (!fname || !versions) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: field 'families[%zu]': needs name and versions", name, f);
            goto out;
        }
        for (size_t v = 0; v < json_object_array_length(versions); v++) {
            json_object *o = json_object_array_get_idx(versions, v);
            const char *tname = vmc_json_str(o, "name");
            const char *ver = vmc_json_str(o, "version");
            const char *parent = vmc_json_str(o, "inherits_from");
            const char *since = vmc_json_str(o, "since");
            VmcMachineType *mt;

            if (!tname || !ver) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: field 'families[%zu].versions[%zu]': needs name and version",
                            name, f, v);
                goto out;
            }
            if (g_hash_table_contains(mc->by_name, tname)) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: machine type %s defined twice", name, tname);
                goto out;
            }
            mt = g_new0(VmcMachineType, 1);
            mt->arch = arch;
            mt->name = g_strdup(tname);
            mt->family = g_strdup(fname);
            mt->version = g_strdup(ver);
            mt->parent_version = g_strdup(parent);
            mt->family_aliases = g_strdupv(aliases);
            mt->family_default = is_default && json_object_get_boolean(is_default);
            g_ptr_array_add(mc->types, mt);
            g_hash_table_insert(mc->by_name, mt->name, mt);
            {
                g_autofree char *vfield = g_strdup_printf("families[%zu].versions[%zu].arrays", f, v);
                mt->own_arrays = vmc__catalog_strv(vmc_json_get(o, "arrays", json_type_array),
                                                   name, vfield, error);
                if (!mt->own_arrays)
                    goto out;
            }
            if (!vmc_release_parse(since ? since : ver, &mt->since, error)) {
                g_prefix_error(error, "%s: machine type %s: field 'since': ", name, tname);
                goto out;
            }
            if (!parent && defaults) {
                /* the newest: its family defaults come first */
                g_auto(GStrv) own = mt->own_arrays;
                GStrvBuilder *b = g_strv_builder_new();
                g_strv_builder_add(b, defaults);
                g_strv_builder_addv(b, (const char **) own);
                mt->own_arrays = g_strv_builder_end(b);
                g_strv_builder_unref(b);
            }
        }
    }
    ok = TRUE;
out:
    json_object_put(root);
    return ok;
}

static int
vmc_compat_prop_cmp(const void *a, const void *b)
{
    const VmcCompatProp *x = a, *y = b;
    int r = strcmp(x->driver, y->driver);
    return r ? r : strcmp(x->property, y->property);
}

/* Effective arrays: the parent's, then our own (compat_props_add appends);
 * effective props: every entry in that order, later wins. */
static gboolean
vmc_machine_type_compute(VmcMachineCatalog *mc, VmcMachineType *mt, guint depth,
                         GError **error)
{
    g_autoptr(GHashTable) winner = NULL;
    g_autoptr(GPtrArray) order = NULL;
    GStrvBuilder *b;

    if (mt->arrays)
        return TRUE;
    if (depth > 256) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s: machine type %s: inherits_from chain loops", mc->source, mt->name);
        return FALSE;
    }
    b = g_strv_builder_new();
    if (mt->parent_version) {
        VmcMachineType *parent = NULL;
        for (guint i = 0; i < mc->types->len; i++) {
            VmcMachineType *o = g_ptr_array_index(mc->types, i);
            if (strcmp(o->family, mt->family) == 0 && strcmp(o->version, mt->parent_version) == 0)
                parent = o;
        }
        if (!parent) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: machine type %s inherits from unknown version %s",
                        mc->source, mt->name, mt->parent_version);
            g_strv_builder_unref(b);
            return FALSE;
        }
        if (!vmc_machine_type_compute(mc, parent, depth + 1, error)) {
            g_strv_builder_unref(b);
            return FALSE;
        }
        mt->parent = parent;
        g_strv_builder_addv(b, (const char **) parent->arrays);
    }
    g_strv_builder_addv(b, (const char **) mt->own_arrays);
    mt->arrays = g_strv_builder_end(b);
    g_strv_builder_unref(b);

    winner = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    order = g_ptr_array_new_with_free_func(g_free);
    for (char **a = mt->arrays; *a; a++) {
        VmcCompatArray *arr = g_hash_table_lookup(mc->arrays, *a);
        if (!arr) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                        "%s: machine type %s applies unknown compat array %s",
                        mc->source, mt->name, *a);
            return FALSE;
        }
        for (guint i = 0; i < arr->entries->len; i++) {
            VmcCompatEntry *e = g_ptr_array_index(arr->entries, i);
            char *key = g_strconcat(e->driver, "\n", e->property, NULL);
            if (!g_hash_table_contains(winner, key))
                g_ptr_array_add(order, g_strdup(key));
            g_hash_table_replace(winner, key, e);   /* later wins */
        }
    }
    mt->props = g_array_sized_new(FALSE, TRUE, sizeof(VmcCompatProp), order->len);
    for (guint i = 0; i < order->len; i++) {
        const VmcCompatEntry *e = g_hash_table_lookup(winner, g_ptr_array_index(order, i));
        VmcCompatProp p = {
            .driver = e->driver, .property = e->property, .value = e->value,
            .host_dependency = e->dep, .aspect = e->aspect, .reason = e->reason,
            .array = e->array, .since = e->since,
        };
        g_array_append_val(mt->props, p);
    }
    g_array_sort(mt->props, (GCompareFunc) vmc_compat_prop_cmp);
    return TRUE;
}

gboolean
vmc__machines_finish(VmcPlatformCatalog *pc, GError **error)
{
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        VmcMachineCatalog *mc = &pc->machines[a];
        for (guint i = 0; i < mc->types->len; i++)
            if (!vmc_machine_type_compute(mc, g_ptr_array_index(mc->types, i), 0, error))
                return FALSE;
    }
    return TRUE;
}

/* ---- accessors --------------------------------------------------------- */

guint
vmc_catalog_machine_count(const VmcCatalog *cat, VmcArch arch)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, 0);
    return cat->pc.machines[arch].types->len;
}

const VmcMachineType *
vmc_catalog_machine(const VmcCatalog *cat, VmcArch arch, guint idx)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, NULL);
    g_return_val_if_fail(idx < cat->pc.machines[arch].types->len, NULL);
    return g_ptr_array_index(cat->pc.machines[arch].types, idx);
}

static const VmcMachineType *
vmc_machine_newest_of(const VmcMachineCatalog *mc, const char *family,
                      gboolean want_default, const char *alias,
                      const VmcRelease *rel)
{
    /* Types are stored newest first within a family. */
    for (guint i = 0; i < mc->types->len; i++) {
        const VmcMachineType *mt = g_ptr_array_index(mc->types, i);
        VmcMachineStatus st;
        if (family && strcmp(mt->family, family) != 0)
            continue;
        if (want_default && !mt->family_default)
            continue;
        if (alias && !g_strv_contains((const char *const *) mt->family_aliases, alias))
            continue;
        if (!rel)
            return mt;
        st = vmc_machine_type_status(mt, rel);
        if (st == VMC_MACHINE_SUPPORTED || st == VMC_MACHINE_DEPRECATED)
            return mt;
    }
    return NULL;
}

const VmcMachineType *
vmc__machine_newest(const VmcCatalog *cat, VmcArch arch, const char *family)
{
    return vmc_machine_newest_of(&cat->pc.machines[arch], family, FALSE, NULL, NULL);
}

const VmcMachineType *
vmc_catalog_machine_lookup(const VmcCatalog *cat, VmcArch arch, const char *name,
                           const VmcRelease *rel)
{
    const VmcMachineCatalog *mc;
    const VmcMachineType *mt;

    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N && name, NULL);
    mc = &cat->pc.machines[arch];
    mt = g_hash_table_lookup(mc->by_name, name);
    if (mt)
        return mt;
    return vmc_machine_newest_of(mc, NULL, FALSE, name, rel);
}

const VmcMachineType *
vmc_catalog_machine_find(const VmcCatalog *cat, const char *name,
                         const VmcRelease *rel, VmcArch *ret_arch)
{
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        const VmcMachineType *mt = vmc_catalog_machine_lookup(cat, a, name, rel);
        if (mt) {
            if (ret_arch)
                *ret_arch = a;
            return mt;
        }
    }
    return NULL;
}

const VmcMachineType *
vmc_catalog_machine_default(const VmcCatalog *cat, VmcArch arch,
                            const VmcRelease *rel)
{
    g_return_val_if_fail(cat && (guint) arch < VMC_ARCH_N, NULL);
    return vmc_machine_newest_of(&cat->pc.machines[arch], NULL, TRUE, NULL, rel);
}

const char *vmc_machine_type_get_name(const VmcMachineType *mt) { return mt->name; }
const char *vmc_machine_type_get_family(const VmcMachineType *mt) { return mt->family; }
const char *vmc_machine_type_get_version(const VmcMachineType *mt) { return mt->version; }
VmcArch vmc_machine_type_get_arch(const VmcMachineType *mt) { return mt->arch; }
const VmcMachineType *vmc_machine_type_get_parent(const VmcMachineType *mt) { return mt->parent; }
const VmcRelease *vmc_machine_type_get_since(const VmcMachineType *mt) { return &mt->since; }

const char *const *
vmc_machine_type_get_arrays(const VmcMachineType *mt)
{
    return (const char *const *) mt->arrays;
}

VmcMachineStatus
vmc_machine_type_status(const VmcMachineType *mt, const VmcRelease *rel)
{
    VmcRelease v;
    guint age;

    g_return_val_if_fail(mt && rel, VMC_MACHINE_SUPPORTED);
    if (vmc_release_compare(&mt->since, rel) > 0)
        return VMC_MACHINE_NOT_YET;
    /* QEMU's rule (include/hw/core/boards.h), in force from 9.1 */
    if (rel->major < 9 || (rel->major == 9 && rel->minor < 1))
        return VMC_MACHINE_SUPPORTED;
    if (!vmc_release_parse(mt->version, &v, NULL))
        return VMC_MACHINE_SUPPORTED;
    age = rel->major - v.major;
    if (age > 6 || (age == 6 && v.minor <= rel->minor))
        return VMC_MACHINE_DELETED;
    if (age > 3 || (age == 3 && v.minor <= rel->minor))
        return VMC_MACHINE_DEPRECATED;
    return VMC_MACHINE_SUPPORTED;
}

const char *
vmc_machine_status_to_string(VmcMachineStatus status)
{
    static const char *const names[] = { "supported", "deprecated", "deleted", "not-yet" };
    return (guint) status < G_N_ELEMENTS(names) ? names[status] : "unknown";
}

const VmcCompatProp *
vmc_machine_type_compat_props(const VmcMachineType *mt, guint *n)
{
    g_return_val_if_fail(mt && n, NULL);
    *n = mt->props ? mt->props->len : 0;
    return mt->props ? (const VmcCompatProp *) mt->props->data : NULL;
}

const VmcCompatProp *
vmc_machine_type_compat_lookup(const VmcMachineType *mt, const char *driver,
                               const char *property)
{
    VmcCompatProp key = { .driver = driver, .property = property };

    g_return_val_if_fail(mt && driver && property, NULL);
    if (!mt->props || !mt->props->len)
        return NULL;
    return bsearch(&key, mt->props->data, mt->props->len, sizeof(VmcCompatProp),
                   vmc_compat_prop_cmp);
}

const char *
vmc_host_dependency_to_string(VmcHostDependency dep)
{
    return dep == VMC_HOST_DEP_HOST_DEPENDENT ? "host-dependent" : "guest-abi-only";
}
