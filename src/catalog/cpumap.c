/* cpumap.c: load the x86 part of the catalog from a libvirt cpu_map
 * directory (index.xml, x86_vendors.xml, x86_features.xml, x86_<Model>.xml),
 * so vmcompat can give libvirt's exact answers.
 *
 * Format (libvirt src/cpu_map, as documented in shared/data/libvirt/README):
 * index.xml lists the include files of each arch in model order; features
 * carry a CPUID (eax_in, ecx_in, register masks) or MSR (index, eax, edx)
 * location; models carry decode flags, signatures, a vendor and features,
 * some marked removed='yes' or added='yes'.
 */
#include "catalog/catalog-private.h"

#include <string.h>

#include "base/util.h"
#include "base/xml-util.h"
#include <vmcompat/error.h>

typedef struct {
    VmcCatalog *cat;         /* the catalog being replaced (for QEMU names) */
    VmcArchCatalog ac;       /* the new x86 part */
    const char *dir;
    GPtrArray *sources;      /* the files read, for the catalog's digest */
} VmcCpuMapLoader;

static gboolean
vmc_ptr_array_has_str(GPtrArray *arr, const char *s)
{
    for (guint i = 0; i < arr->len; i++)
        if (g_str_equal(g_ptr_array_index(arr, i), s))
            return TRUE;
    return FALSE;
}

static xmlDoc *
vmc_cpumap_read(const char *dir, const char *name, GPtrArray *sources, GError **error)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *data = NULL;
    g_autoptr(GBytes) b = NULL;
    gsize len = 0;

    if (!vmc_file_read(path, &data, &len, error))
        return NULL;
    b = g_bytes_new(data, len);
    vmc__catalog_add_source(sources, path, b);
    return vmc_xml_parse(data, len, path, error);
}

/* A feature of the previous (QEMU) x86 catalog at the same location. */
static const VmcFeature *
vmc_cpumap_match_old(const VmcArchCatalog *old, const VmcFeature *f)
{
    for (guint i = 0; i < old->features->len; i++) {
        const VmcFeature *o = g_ptr_array_index(old->features, i);
        if (o->loc != f->loc)
            continue;
        if (f->loc == VMC_FEATURE_LOC_CPUID &&
            (o->leaf != f->leaf || o->subleaf != f->subleaf))
            continue;
        if (f->loc == VMC_FEATURE_LOC_MSR && o->msr_index != f->msr_index)
            continue;
        if (memcmp(o->regs, f->regs, sizeof(f->regs)) == 0)
            return o;
    }
    return NULL;
}

static gboolean
vmc_cpumap_feature(VmcCpuMapLoader *ld, xmlNode *n, const char *file, GError **error)
{
    g_autofree char *name = vmc_xml_prop(n, "name");
    g_autofree char *migratable = vmc_xml_prop(n, "migratable");
    g_autoptr(GPtrArray) aliases = g_ptr_array_new_with_free_func(g_free);
    VmcArchCatalog *ac = &ld->ac;
    const VmcFeature *old;
    VmcFeature *f;

    if (!name) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: field 'feature/@name': missing", file, xmlGetLineNo(n));
        return FALSE;
    }
    if (g_hash_table_contains(ac->feature_by_name, name)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s:%ld: feature '%s' is defined twice", file, xmlGetLineNo(n), name);
        return FALSE;
    }
    if (ac->features->len >= VMC_FEATURE_SET_BITS) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT, "%s: more than %d features",
                    file, VMC_FEATURE_SET_BITS);
        return FALSE;
    }
    f = g_new0(VmcFeature, 1);
    f->arch = VMC_ARCH_X86_64;
    f->id = ac->features->len;
    f->name = g_steal_pointer(&name);
    f->migratable = !(migratable && g_str_equal(migratable, "no"));
    f->depends = G_MAXUINT;   /* cpu_map has no dependency data */
    f->qemu = TRUE;           /* unknown: libvirt names, often QEMU aliases */
    g_ptr_array_add(ac->features, f);
    g_hash_table_insert(ac->feature_by_name, f->name, f);

    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(c->name, (const xmlChar *) "alias")) {
            char *a = vmc_xml_prop(c, "name");
            if (a)
                g_ptr_array_add(aliases, a);
        } else if (xmlStrEqual(c->name, (const xmlChar *) "cpuid")) {
            f->loc = VMC_FEATURE_LOC_CPUID;
            if (!vmc_xml_prop_u32(c, "eax_in", &f->leaf, TRUE, file, error) ||
                !vmc_xml_prop_u32(c, "ecx_in", &f->subleaf, FALSE, file, error) ||
                !vmc_xml_prop_u32(c, "eax", &f->regs[VMC_REG_EAX], FALSE, file, error) ||
                !vmc_xml_prop_u32(c, "ebx", &f->regs[VMC_REG_EBX], FALSE, file, error) ||
                !vmc_xml_prop_u32(c, "ecx", &f->regs[VMC_REG_ECX], FALSE, file, error) ||
                !vmc_xml_prop_u32(c, "edx", &f->regs[VMC_REG_EDX], FALSE, file, error))
                return FALSE;
        } else if (xmlStrEqual(c->name, (const xmlChar *) "msr")) {
            f->loc = VMC_FEATURE_LOC_MSR;
            if (!vmc_xml_prop_u32(c, "index", &f->msr_index, TRUE, file, error) ||
                !vmc_xml_prop_u32(c, "eax", &f->regs[VMC_REG_EAX], FALSE, file, error) ||
                !vmc_xml_prop_u32(c, "edx", &f->regs[VMC_REG_EDX], FALSE, file, error))
                return FALSE;
        }
    }
    if (f->loc == VMC_FEATURE_LOC_NONE) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: feature '%s' has neither <cpuid> nor <msr>", file,
                    xmlGetLineNo(n), f->name);
        return FALSE;
    }
    /* Keep QEMU's spelling and facts of the same bit usable. */
    old = vmc_cpumap_match_old(&ld->cat->arch[VMC_ARCH_X86_64], f);
    if (old) {
        if (!g_str_equal(old->name, f->name))
            g_ptr_array_add(aliases, g_strdup(old->name));
        for (char **a = old->aliases; *a; a++)
            g_ptr_array_add(aliases, g_strdup(*a));
        f->deprecated = g_strdup(old->deprecated);
    }
    {
        g_autoptr(GPtrArray) uniq = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; i < aliases->len; i++) {
            const char *a = g_ptr_array_index(aliases, i);
            if (g_str_equal(a, f->name) || vmc_ptr_array_has_str(uniq, a))
                continue;
            g_ptr_array_add(uniq, g_strdup(a));
        }
        g_ptr_array_add(uniq, NULL);
        f->aliases = (GStrv) g_ptr_array_free(g_steal_pointer(&uniq), FALSE);
    }
    if (f->migratable)
        vmc_feature_set_add(&ac->migratable, f->id);
    if (f->deprecated)
        vmc_feature_set_add(&ac->deprecated, f->id);
    return TRUE;
}

static gboolean
vmc_cpumap_model(VmcCpuMapLoader *ld, xmlNode *n, const char *file, GError **error)
{
    g_autofree char *name = vmc_xml_prop(n, "name");
    VmcArchCatalog *ac = &ld->ac;
    VmcCpuModel *m;

    if (!name) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: field 'model/@name': missing", file, xmlGetLineNo(n));
        return FALSE;
    }
    if (g_hash_table_contains(ac->model_by_name, name)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                    "%s:%ld: model '%s' is defined twice", file, xmlGetLineNo(n), name);
        return FALSE;
    }
    m = g_new0(VmcCpuModel, 1);
    m->arch = VMC_ARCH_X86_64;
    m->idx = ac->models->len;
    m->name = g_steal_pointer(&name);
    m->signatures = g_array_new(FALSE, TRUE, sizeof(VmcSignature));
    m->decode_host = m->decode_guest = TRUE;
    g_ptr_array_add(ac->models, m);
    g_hash_table_insert(ac->model_by_name, m->name, m);

    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(c->name, (const xmlChar *) "decode")) {
            g_autofree char *h = vmc_xml_prop(c, "host");
            g_autofree char *g = vmc_xml_prop(c, "guest");
            if (h)
                m->decode_host = !g_str_equal(h, "off");
            if (g)
                m->decode_guest = !g_str_equal(g, "off");
        } else if (xmlStrEqual(c->name, (const xmlChar *) "signature")) {
            VmcSignature s = { 0 };
            g_autofree char *st = vmc_xml_prop(c, "stepping");
            if (!vmc_xml_prop_u32(c, "family", &s.family, TRUE, file, error) ||
                !vmc_xml_prop_u32(c, "model", &s.model, TRUE, file, error))
                return FALSE;
            s.stepping_max = 255;
            if (st) {
                g_auto(GStrv) parts = g_strsplit(st, "-", 2);
                guint32 lo = 0, hi = 0;
                if (!vmc_parse_uint32(parts[0], &lo) ||
                    (parts[1] && !vmc_parse_uint32(parts[1], &hi))) {
                    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                                "%s:%ld: field 'signature/@stepping': invalid '%s'",
                                file, xmlGetLineNo(c), st);
                    return FALSE;
                }
                s.has_stepping = TRUE;
                s.stepping_min = lo;
                s.stepping_max = parts[1] ? hi : lo;
            }
            g_array_append_val(m->signatures, s);
        } else if (xmlStrEqual(c->name, (const xmlChar *) "vendor")) {
            g_autofree char *v = vmc_xml_prop(c, "name");
            gboolean known = FALSE;
            for (guint i = 0; v && i < ac->vendor_names->len; i++)
                known |= g_str_equal(g_ptr_array_index(ac->vendor_names, i), v);
            if (!known) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s:%ld: model '%s': unknown vendor '%s'", file,
                            xmlGetLineNo(c), m->name, v ? v : "");
                return FALSE;
            }
            g_free(m->vendor);
            m->vendor = g_steal_pointer(&v);
        } else if (xmlStrEqual(c->name, (const xmlChar *) "model")) {
            g_autofree char *anc = vmc_xml_prop(c, "name");
            const VmcCpuModel *a = anc ? g_hash_table_lookup(ac->model_by_name, anc) : NULL;
            if (!a) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s:%ld: model '%s': unknown ancestor '%s'", file,
                            xmlGetLineNo(c), m->name, anc ? anc : "");
                return FALSE;
            }
            m->features = a->features;
            m->removed = a->removed;
            m->added = a->added;
            if (!m->vendor)
                m->vendor = g_strdup(a->vendor);
        } else if (xmlStrEqual(c->name, (const xmlChar *) "feature")) {
            g_autofree char *fname = vmc_xml_prop(c, "name");
            g_autofree char *removed = vmc_xml_prop(c, "removed");
            g_autofree char *added = vmc_xml_prop(c, "added");
            VmcFeature *f = fname ? g_hash_table_lookup(ac->feature_by_name, fname) : NULL;
            if (!f) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s:%ld: model '%s': unknown feature '%s'", file,
                            xmlGetLineNo(c), m->name, fname ? fname : "");
                return FALSE;
            }
            if (removed && g_str_equal(removed, "yes"))
                vmc_feature_set_add(&m->removed, f->id);
            else if (added && g_str_equal(added, "yes"))
                vmc_feature_set_add(&m->added, f->id);
            else
                vmc_feature_set_add(&m->features, f->id);
        }
    }
    return TRUE;
}

static gboolean
vmc_cpumap_include(VmcCpuMapLoader *ld, const char *filename, GError **error)
{
    g_autoptr(xmlDoc) doc = vmc_cpumap_read(ld->dir, filename, ld->sources, error);
    g_autofree char *path = g_build_filename(ld->dir, filename, NULL);
    xmlNode *root;

    if (!doc)
        return FALSE;
    root = xmlDocGetRootElement(doc);
    if (!root || !xmlStrEqual(root->name, (const xmlChar *) "cpus")) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:1: expected a <cpus> document", path);
        return FALSE;
    }
    for (xmlNode *n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(n->name, (const xmlChar *) "vendor")) {
            char *vn = vmc_xml_prop(n, "name");
            char *vs = vmc_xml_prop(n, "string");
            if (!vn || !vs) {
                g_free(vn);
                g_free(vs);
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s:%ld: vendor needs name and string", path, xmlGetLineNo(n));
                return FALSE;
            }
            g_ptr_array_add(ld->ac.vendor_names, vn);
            g_ptr_array_add(ld->ac.vendor_strings, vs);
        } else if (xmlStrEqual(n->name, (const xmlChar *) "feature")) {
            if (!vmc_cpumap_feature(ld, n, path, error))
                return FALSE;
        } else if (xmlStrEqual(n->name, (const xmlChar *) "model")) {
            if (!vmc_cpumap_model(ld, n, path, error))
                return FALSE;
        }
    }
    return TRUE;
}


static void
vmc_cpumap_remap_props(const VmcArchCatalog *old, const VmcArchCatalog *nw,
                       const GArray *src, GArray *dst)
{
    for (guint i = 0; i < src->len; i++) {
        const VmcFeatureProp *p = &g_array_index(src, VmcFeatureProp, i);
        const VmcFeature *of = g_ptr_array_index(old->features, p->feature);
        const VmcFeature *nf = g_hash_table_lookup(nw->feature_by_name, of->name);
        if (nf) {
            VmcFeatureProp np = { nf->id, p->value };
            g_array_append_val(dst, np);
        }
    }
}

gboolean
vmc_catalog_load_cpu_map(VmcCatalog *cat, const char *dir, GError **error)
{
    g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func((GDestroyNotify) g_bytes_unref);
    VmcCpuMapLoader ld = { .cat = cat, .dir = dir, .sources = sources };
    g_autoptr(xmlDoc) index = NULL;
    xmlNode *root;
    gboolean found = FALSE;

    g_return_val_if_fail(cat != NULL && dir != NULL, FALSE);
    vmc__arch_catalog_init(&ld.ac);
    g_free(ld.ac.source);
    ld.ac.source = g_strdup(dir);

    if (!(index = vmc_cpumap_read(dir, "index.xml", ld.sources, error)))
        goto fail;
    root = xmlDocGetRootElement(index);
    for (xmlNode *a = root ? root->children : NULL; a; a = a->next) {
        g_autofree char *aname = NULL;
        if (a->type != XML_ELEMENT_NODE || !xmlStrEqual(a->name, (const xmlChar *) "arch"))
            continue;
        aname = vmc_xml_prop(a, "name");
        if (!aname || !g_str_equal(aname, "x86"))
            continue;
        found = TRUE;
        for (xmlNode *inc = a->children; inc; inc = inc->next) {
            g_autofree char *fn = NULL;
            if (inc->type != XML_ELEMENT_NODE ||
                !xmlStrEqual(inc->name, (const xmlChar *) "include"))
                continue;
            fn = vmc_xml_prop(inc, "filename");
            if (!fn || strchr(fn, '/')) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s/index.xml:%ld: field 'include/@filename': invalid",
                            dir, xmlGetLineNo(inc));
                goto fail;
            }
            if (!vmc_cpumap_include(&ld, fn, error))
                goto fail;
        }
    }
    if (!found || ld.ac.features->len == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s/index.xml: no x86 features or models (not a libvirt cpu_map directory?)",
                    dir);
        goto fail;
    }
    /* Aliases last, so no alias can shadow a later canonical name. */
    for (guint i = 0; i < ld.ac.features->len; i++) {
        VmcFeature *f = g_ptr_array_index(ld.ac.features, i);
        for (char **a = f->aliases; *a; a++)
            if (!g_hash_table_contains(ld.ac.feature_by_name, *a))
                g_hash_table_insert(ld.ac.feature_by_name, *a, f);
    }
    /* QEMU aliases of the old catalog that did not match by location
     * remain unknown: with a cpu_map, libvirt's feature list is the truth. */
    vmc_cpumap_remap_props(&cat->arch[VMC_ARCH_X86_64], &ld.ac,
                           cat->arch[VMC_ARCH_X86_64].defaults_always, ld.ac.defaults_always);
    vmc_cpumap_remap_props(&cat->arch[VMC_ARCH_X86_64], &ld.ac,
                           cat->arch[VMC_ARCH_X86_64].defaults_kvm, ld.ac.defaults_kvm);
    vmc_cpumap_remap_props(&cat->arch[VMC_ARCH_X86_64], &ld.ac,
                           cat->arch[VMC_ARCH_X86_64].defaults_tcg, ld.ac.defaults_tcg);
    vmc__arch_catalog_clear(&cat->arch[VMC_ARCH_X86_64]);
    cat->arch[VMC_ARCH_X86_64] = ld.ac;
    /* a new catalog: its digest covers the cpu_map too (not shared yet, so
     * nobody holds the old digest) */
    g_ptr_array_extend_and_steal(cat->sources, g_steal_pointer(&sources));
    g_free((char *) cat->digest);
    cat->digest = 0;
    return TRUE;

 fail:
    vmc__arch_catalog_clear(&ld.ac);
    return FALSE;
}
