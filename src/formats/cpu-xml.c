/* cpu-xml.c: libvirt <cpu> XML — parse every <cpu> of any document (as
 * virsh does: a bare <cpu>, <cpuTest>, <domain>, <capabilities>, and the
 * host-model of <domainCapabilities>) and format one back.
 *
 * Rules follow libvirt's virCPUDefParseXML (VIR_CPU_TYPE_AUTO): a <cpu> with
 * an <arch> child is a host CPU whose features have no policy; otherwise a
 * guest CPU, mode custom, match exact, fallback allow, feature policy
 * require by default. Unknown models and features are errors that name the
 * file, line and field.
 */
#include <vmcompat/cpu-def.h>

#include "base/util.h"
#include "base/xml-util.h"
#include "catalog/cpu-def-private.h"
#include <vmcompat/error.h>

#define VMC_XML_MAX_CPUS 100000

static gboolean
vmc_xml_enum_attr(xmlNode *n, const char *attr, const char *file,
                  const char *const *names, guint n_names, int *ret, GError **error)
{
    g_autofree char *v = vmc_xml_prop(n, attr);
    int i;

    if (!v)
        return TRUE;
    i = vmc_enum_from_string(names, n_names, v);
    if (i < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: field '%s/@%s': invalid value '%s'", file,
                    xmlGetLineNo(n), (const char *) n->name, attr, v);
        return FALSE;
    }
    *ret = i;
    return TRUE;
}

static const char *const mode_names[] = { "custom", "host-model", "host-passthrough", "maximum" };
static const char *const match_names[] = { "exact", "minimum", "strict" };
static const char *const check_names[] = { "default", "none", "partial", "full" };
static const char *const fallback_names[] = { "allow", "forbid" };
static const char *const policy_names[] = { "force", "require", "optional", "disable", "forbid" };

static gboolean
vmc_xml_parse_feature(VmcCpuDef *def, xmlNode *n, const char *file,
                      gboolean host, GError **error)
{
    g_autofree char *name = vmc_xml_prop(n, "name");
    int policy = VMC_FEATURE_POLICY_REQUIRE;
    const VmcFeature *f;

    if (!name || !*name) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: field 'feature/@name': missing", file, xmlGetLineNo(n));
        return FALSE;
    }
    if (!host && !vmc_xml_enum_attr(n, "policy", file, policy_names,
                                    G_N_ELEMENTS(policy_names), &policy, error))
        return FALSE;
    f = vmc_catalog_feature_lookup(def->cat, def->arch, name);
    if (!f) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "%s:%ld: field 'feature/@name': unknown %s CPU feature '%s'",
                    file, xmlGetLineNo(n), vmc_arch_to_string(def->arch), name);
        return FALSE;
    }
    if (vmc_cpu_def_get_policy(def, vmc_feature_get_id(f)) >= 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: field 'feature/@name': CPU feature '%s' specified more than once",
                    file, xmlGetLineNo(n), name);
        return FALSE;
    }
    vmc_cpu_def_set_feature(def, vmc_feature_get_id(f), (VmcFeaturePolicy) policy);
    return TRUE;
}

static gboolean
vmc_xml_parse_model(VmcCpuDef *def, xmlNode *m, const char *file, GError **error)
{
    g_autofree char *name = vmc_xml_content(m);
    int fallback = def->fallback;

    if (!vmc_xml_enum_attr(m, "fallback", file, fallback_names,
                           G_N_ELEMENTS(fallback_names), &fallback, error))
        return FALSE;
    def->fallback = (VmcCpuFallback) fallback;
    g_free(def->vendor_id);
    def->vendor_id = vmc_xml_prop(m, "vendor_id");
    /* libvirt accepts a nameless <model> that only carries fallback or
     * vendor_id; "features without a model" is checked by the caller. */
    if (!name || !*name)
        return TRUE;
    if (!vmc_catalog_model_lookup(def->cat, def->arch, name)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "%s:%ld: field 'model': unknown %s CPU model '%s'", file,
                    xmlGetLineNo(m), vmc_arch_to_string(def->arch), name);
        return FALSE;
    }
    return vmc_cpu_def_set_model(def, name, error);
}

/* One <cpu> element (libvirt domain/capabilities schema). */
static VmcCpuDef *
vmc_xml_parse_cpu(VmcCatalog *cat, VmcArch default_arch, xmlNode *cpu,
                  const char *file, GError **error)
{
    xmlNode *arch_node = vmc_xml_child(cpu, "arch");
    gboolean host = arch_node != NULL;
    VmcArch arch = default_arch;
    g_autoptr(VmcCpuDef) def = NULL;
    int mode = VMC_CPU_MODE_CUSTOM, match = VMC_CPU_MATCH_EXACT;
    int check = VMC_CPU_CHECK_DEFAULT;

    if (host) {
        g_autofree char *a = vmc_xml_content(arch_node);
        arch = vmc_arch_from_string(a);
        if (arch == VMC_ARCH_N) {
            /* libvirt reads a host CPU of any arch; comparing it with one of
             * ours answers incompatible, anything else is unsupported. Its
             * model and features cannot be resolved, so they are not read. */
            if (!a || !*a) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s:%ld: field 'arch': empty", file, xmlGetLineNo(arch_node));
                return NULL;
            }
            def = vmc_cpu_def_new(cat, default_arch, VMC_CPU_TYPE_HOST);
            def->origin = VMC_CPU_ORIGIN_LIBVIRT_XML;
            def->foreign_arch = g_strdup(a);
            def->source = g_strdup_printf("%s:%ld", file, xmlGetLineNo(cpu));
            return g_steal_pointer(&def);
        }
    }
    def = vmc_cpu_def_new(cat, arch, host ? VMC_CPU_TYPE_HOST : VMC_CPU_TYPE_GUEST);
    def->origin = VMC_CPU_ORIGIN_LIBVIRT_XML;
    def->source = g_strdup_printf("%s:%ld", file, xmlGetLineNo(cpu));
    if (!host) {
        g_autofree char *m = vmc_xml_prop(cpu, "match");
        if (!vmc_xml_enum_attr(cpu, "mode", file, mode_names, G_N_ELEMENTS(mode_names),
                               &mode, error) ||
            !vmc_xml_enum_attr(cpu, "match", file, match_names, G_N_ELEMENTS(match_names),
                               &match, error) ||
            !vmc_xml_enum_attr(cpu, "check", file, check_names, G_N_ELEMENTS(check_names),
                               &check, error))
            return NULL;
        def->mode = (VmcCpuMode) mode;
        def->match = (VmcCpuMatch) match;
        def->has_match = m != NULL;
        def->check = (VmcCpuCheck) check;
    }
    for (xmlNode *n = cpu->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(n->name, (const xmlChar *) "model")) {
            if (!vmc_xml_parse_model(def, n, file, error))
                return NULL;
        } else if (xmlStrEqual(n->name, (const xmlChar *) "vendor")) {
            g_autofree char *v = vmc_xml_content(n);
            if (!v || !*v) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s:%ld: field 'vendor': empty", file, xmlGetLineNo(n));
                return NULL;
            }
            vmc_cpu_def_set_vendor(def, v);
        } else if (xmlStrEqual(n->name, (const xmlChar *) "signature")) {
            guint32 fam = 0, mod = 0, step = 0;
            if (!vmc_xml_prop_u32(n, "family", &fam, TRUE, file, error) ||
                !vmc_xml_prop_u32(n, "model", &mod, TRUE, file, error) ||
                !vmc_xml_prop_u32(n, "stepping", &step, FALSE, file, error))
                return NULL;
            def->has_signature = TRUE;
            def->sig_family = fam;
            def->sig_model = mod;
            def->sig_stepping = step;
        } else if (xmlStrEqual(n->name, (const xmlChar *) "feature")) {
            if (def->features->len >= VMC_FEATURE_SET_BITS) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                            "%s:%ld: more than %d <feature> elements", file,
                            xmlGetLineNo(n), VMC_FEATURE_SET_BITS);
                return NULL;
            }
            if (!vmc_xml_parse_feature(def, n, file, host, error))
                return NULL;
        }
        /* <topology>, <cache>, <numa>, <microcode>, <counter>, <maxphysaddr>
         * do not affect CPU compatibility and are ignored. */
    }
    if (def->mode == VMC_CPU_MODE_CUSTOM && !def->model && def->features->len > 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: field 'model': CPU features given without a CPU model",
                    file, xmlGetLineNo(cpu));
        return NULL;
    }
    return g_steal_pointer(&def);
}

/* The host-model of <domainCapabilities> as a guest CPU definition. */
static VmcCpuDef *
vmc_xml_parse_domcaps_mode(VmcCatalog *cat, VmcArch arch, xmlNode *mode,
                           const char *file, GError **error)
{
    g_autoptr(VmcCpuDef) def = vmc_cpu_def_new(cat, arch, VMC_CPU_TYPE_GUEST);

    def->origin = VMC_CPU_ORIGIN_LIBVIRT_XML;
    def->source = g_strdup_printf("%s:%ld", file, xmlGetLineNo(mode));
    for (xmlNode *n = mode->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(n->name, (const xmlChar *) "model")) {
            if (!vmc_xml_parse_model(def, n, file, error))
                return NULL;
        } else if (xmlStrEqual(n->name, (const xmlChar *) "vendor")) {
            g_autofree char *v = vmc_xml_content(n);
            vmc_cpu_def_set_vendor(def, v);
        } else if (xmlStrEqual(n->name, (const xmlChar *) "feature")) {
            if (!vmc_xml_parse_feature(def, n, file, FALSE, error))
                return NULL;
        }
    }
    return g_steal_pointer(&def);
}

static gboolean
vmc_xml_collect(VmcCatalog *cat, VmcArch arch, xmlNode *node, const char *file,
                GPtrArray *out, GError **error)
{
    for (xmlNode *n = node; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(n->name, (const xmlChar *) "cpu")) {
            VmcCpuDef *def;
            if (out->len >= VMC_XML_MAX_CPUS) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                            "%s:%ld: more than %d <cpu> elements", file,
                            xmlGetLineNo(n), VMC_XML_MAX_CPUS);
                return FALSE;
            }
            if (!(def = vmc_xml_parse_cpu(cat, arch, n, file, error)))
                return FALSE;
            g_ptr_array_add(out, def);
            continue;  /* no <cpu> nests inside a <cpu> */
        }
        if (!vmc_xml_collect(cat, arch, n->children, file, out, error))
            return FALSE;
    }
    return TRUE;
}

GPtrArray *
vmc_cpu_def_parse_xml(VmcCatalog *cat, VmcArch default_arch, const char *data,
                      gssize len, const char *filename, GError **error)
{
    const char *file = filename ? filename : "(xml)";
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(GPtrArray) out = NULL;
    xmlNode *root;

    g_return_val_if_fail(cat != NULL && data != NULL, NULL);
    if (len < 0)
        len = (gssize) strlen(data);
    if (!(doc = vmc_xml_parse(data, (gsize) len, file, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    out = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);

    if (root && xmlStrEqual(root->name, (const xmlChar *) "domainCapabilities")) {
        xmlNode *cpu = vmc_xml_child(root, "cpu");
        g_autofree char *a = vmc_xml_content(vmc_xml_child(root, "arch"));
        VmcArch arch = a ? vmc_arch_from_string(a) : default_arch;
        if (arch == VMC_ARCH_N) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                        "%s: field 'arch': unsupported architecture '%s'", file, a);
            return NULL;
        }
        for (xmlNode *m = cpu ? cpu->children : NULL; m; m = m->next) {
            g_autofree char *name = NULL;
            g_autofree char *supported = NULL;
            if (m->type != XML_ELEMENT_NODE || !xmlStrEqual(m->name, (const xmlChar *) "mode"))
                continue;
            name = vmc_xml_prop(m, "name");
            supported = vmc_xml_prop(m, "supported");
            if (name && g_str_equal(name, "host-model") &&
                !(supported && g_str_equal(supported, "no"))) {
                VmcCpuDef *def = vmc_xml_parse_domcaps_mode(cat, arch, m, file, error);
                if (!def)
                    return NULL;
                g_ptr_array_add(out, def);
            }
        }
    } else if (!vmc_xml_collect(cat, default_arch, root, file, out, error)) {
        return NULL;
    }
    if (out->len == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: no <cpu> element in <%s>", file,
                    root ? xmlGetLineNo(root) : 1L,
                    root ? (const char *) root->name : "(empty)");
        return NULL;
    }
    return g_steal_pointer(&out);
}

char *
vmc_cpu_def_format_xml(const VmcCpuDef *def, VmcCpuFormatFlags flags)
{
    GString *s = g_string_new(NULL);
    gboolean host = def->type == VMC_CPU_TYPE_HOST;

    g_return_val_if_fail(def != NULL, NULL);
    if (host) {
        g_string_append(s, "<cpu>\n");
        g_string_append_printf(s, "  <arch>%s</arch>\n",
                               def->foreign_arch ? def->foreign_arch : vmc_arch_to_string(def->arch));
    } else {
        g_string_append_printf(s, "<cpu mode='%s'", vmc_cpu_mode_to_string(def->mode));
        if (def->mode == VMC_CPU_MODE_CUSTOM || def->has_match)
            g_string_append_printf(s, " match='%s'", vmc_cpu_match_to_string(def->match));
        if (def->check != VMC_CPU_CHECK_DEFAULT)
            g_string_append_printf(s, " check='%s'", vmc_cpu_check_to_string(def->check));
        g_string_append(s, ">\n");
    }
    if (def->model) {
        g_autofree char *esc = g_markup_escape_text(def->model, -1);
        g_string_append(s, "  <model");
        if (!host)
            g_string_append_printf(s, " fallback='%s'",
                                   vmc_cpu_fallback_to_string(def->fallback));
        if (def->vendor_id) {
            g_autofree char *vid = g_markup_escape_text(def->vendor_id, -1);
            g_string_append_printf(s, " vendor_id='%s'", vid);
        }
        g_string_append_printf(s, ">%s</model>\n", esc);
    }
    if (def->vendor) {
        g_autofree char *esc = g_markup_escape_text(def->vendor, -1);
        g_string_append_printf(s, "  <vendor>%s</vendor>\n", esc);
    }
    if (def->has_signature)
        g_string_append_printf(s, "  <signature family='%u' model='%u' stepping='%u'/>\n",
                               def->sig_family, def->sig_model, def->sig_stepping);
    for (guint i = 0; i < def->features->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(def->features, VmcCpuFeature, i);
        const VmcFeature *f = vmc_catalog_feature(def->cat, def->arch, cf->id);
        if (host)
            g_string_append_printf(s, "  <feature name='%s'/>\n", vmc_feature_get_name(f));
        else
            g_string_append_printf(s, "  <feature policy='%s' name='%s'/>\n",
                                   vmc_feature_policy_to_string(cf->policy),
                                   vmc_feature_get_name(f));
    }
    g_string_append(s, "</cpu>\n");
    return g_string_free(s, FALSE);
}
