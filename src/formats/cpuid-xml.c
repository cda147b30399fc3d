/* cpuid-xml.c: raw x86 CPUID/MSR data and libvirt's CPUID dump format
 * (<cpudata arch='x86'><cpuid eax_in= ecx_in= eax= ebx= ecx= edx=/>
 *  <msr index= eax= edx=/></cpudata>, libvirt tests/cputestdata).
 *
 * Workload: one dump per host (≤ a few hundred leaves); lookups linear.
 */
#include <vmcompat/cpuid.h>

#include "base/util.h"
#include "base/xml-util.h"
#include "catalog/catalog-private.h"
#include <vmcompat/error.h>

#define VMC_CPUID_MAX_LEAVES 4096

struct _VmcCpuidData {
    GArray *leaves;   /* VmcCpuidLeaf */
    GArray *msrs;     /* VmcMsr */
};

VmcCpuidData *
vmc_cpuid_data_new(void)
{
    VmcCpuidData *d = g_new0(VmcCpuidData, 1);
    d->leaves = g_array_new(FALSE, TRUE, sizeof(VmcCpuidLeaf));
    d->msrs = g_array_new(FALSE, TRUE, sizeof(VmcMsr));
    return d;
}

void
vmc_cpuid_data_free(VmcCpuidData *d)
{
    if (!d)
        return;
    g_array_unref(d->leaves);
    g_array_unref(d->msrs);
    g_free(d);
}

void
vmc_cpuid_data_add_leaf(VmcCpuidData *d, const VmcCpuidLeaf *leaf)
{
    for (guint i = 0; i < d->leaves->len; i++) {
        VmcCpuidLeaf *l = &g_array_index(d->leaves, VmcCpuidLeaf, i);
        if (l->eax_in == leaf->eax_in && l->ecx_in == leaf->ecx_in) {
            *l = *leaf;
            return;
        }
    }
    g_array_append_val(d->leaves, *leaf);
}

void
vmc_cpuid_data_add_msr(VmcCpuidData *d, const VmcMsr *msr)
{
    for (guint i = 0; i < d->msrs->len; i++) {
        VmcMsr *m = &g_array_index(d->msrs, VmcMsr, i);
        if (m->index == msr->index) {
            *m = *msr;
            return;
        }
    }
    g_array_append_val(d->msrs, *msr);
}

guint
vmc_cpuid_data_leaf_count(const VmcCpuidData *d)
{
    return d->leaves->len;
}

const VmcCpuidLeaf *
vmc_cpuid_data_leaf(const VmcCpuidData *d, guint idx)
{
    return idx < d->leaves->len ? &g_array_index(d->leaves, VmcCpuidLeaf, idx) : NULL;
}

const VmcCpuidLeaf *
vmc_cpuid_data_find(const VmcCpuidData *d, guint32 eax_in, guint32 ecx_in)
{
    for (guint i = 0; i < d->leaves->len; i++) {
        const VmcCpuidLeaf *l = &g_array_index(d->leaves, VmcCpuidLeaf, i);
        if (l->eax_in == eax_in && l->ecx_in == ecx_in)
            return l;
    }
    return NULL;
}

const VmcMsr *
vmc_cpuid_data_find_msr(const VmcCpuidData *d, guint32 index)
{
    for (guint i = 0; i < d->msrs->len; i++) {
        const VmcMsr *m = &g_array_index(d->msrs, VmcMsr, i);
        if (m->index == index)
            return m;
    }
    return NULL;
}

char *
vmc_cpuid_data_vendor(const VmcCpuidData *d)
{
    const VmcCpuidLeaf *l = vmc_cpuid_data_find(d, 0, 0);
    char v[13];
    if (!l)
        return NULL;
    /* Vendor string order is EBX, EDX, ECX. */
    memcpy(v, &l->ebx, 4);
    memcpy(v + 4, &l->edx, 4);
    memcpy(v + 8, &l->ecx, 4);
    v[12] = '\0';
    return g_strdup(v);
}

gboolean
vmc_cpuid_data_signature(const VmcCpuidData *d, guint32 *ret_sig, guint *ret_family,
                         guint *ret_model, guint *ret_stepping)
{
    const VmcCpuidLeaf *l = vmc_cpuid_data_find(d, 1, 0);
    guint32 sig;
    if (!l)
        return FALSE;
    sig = l->eax & 0x0fff3fff;
    if (ret_sig)
        *ret_sig = sig;
    if (ret_family)
        *ret_family = ((sig >> 20) & 0xff) + ((sig >> 8) & 0xf);
    if (ret_model)
        *ret_model = ((sig >> 12) & 0xf0) + ((sig >> 4) & 0xf);
    if (ret_stepping)
        *ret_stepping = sig & 0xf;
    return TRUE;
}

void
vmc_cpuid_data_features(const VmcCpuidData *d, const VmcCatalog *cat, VmcFeatureSet *ret)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, VMC_ARCH_X86_64);

    vmc_feature_set_clear(ret);
    for (guint i = 0; i < ac->features->len; i++) {
        const VmcFeature *f = g_ptr_array_index(ac->features, i);
        if (f->loc == VMC_FEATURE_LOC_CPUID) {
            const VmcCpuidLeaf *l = vmc_cpuid_data_find(d, f->leaf, f->subleaf);
            if (!l)
                continue;
            if ((l->eax & f->regs[VMC_REG_EAX]) == f->regs[VMC_REG_EAX] &&
                (l->ebx & f->regs[VMC_REG_EBX]) == f->regs[VMC_REG_EBX] &&
                (l->ecx & f->regs[VMC_REG_ECX]) == f->regs[VMC_REG_ECX] &&
                (l->edx & f->regs[VMC_REG_EDX]) == f->regs[VMC_REG_EDX])
                vmc_feature_set_add(ret, f->id);
        } else if (f->loc == VMC_FEATURE_LOC_MSR) {
            const VmcMsr *m = vmc_cpuid_data_find_msr(d, f->msr_index);
            if (!m)
                continue;
            if ((m->eax & f->regs[VMC_REG_EAX]) == f->regs[VMC_REG_EAX] &&
                (m->edx & f->regs[VMC_REG_EDX]) == f->regs[VMC_REG_EDX])
                vmc_feature_set_add(ret, f->id);
        }
    }
}

VmcCpuidData *
vmc_cpuid_data_parse_xml(const char *data, gssize len, const char *filename, GError **error)
{
    const char *file = filename ? filename : "(cpuid)";
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(VmcCpuidData) d = NULL;
    xmlNode *root;

    if (len < 0)
        len = (gssize) strlen(data);
    if (!(doc = vmc_xml_parse(data, (gsize) len, file, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root || !xmlStrEqual(root->name, (const xmlChar *) "cpudata")) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: expected a libvirt CPUID dump (<cpudata>), found <%s>",
                    file, root ? xmlGetLineNo(root) : 1L,
                    root ? (const char *) root->name : "nothing");
        return NULL;
    }
    {
        g_autofree char *arch = vmc_xml_prop(root, "arch");
        if (arch && !g_str_equal(arch, "x86")) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                        "%s:%ld: field 'cpudata/@arch': CPUID data of arch '%s' is not supported",
                        file, xmlGetLineNo(root), arch);
            return NULL;
        }
    }
    d = vmc_cpuid_data_new();
    for (xmlNode *n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (d->leaves->len + d->msrs->len >= VMC_CPUID_MAX_LEAVES) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                        "%s:%ld: more than %d CPUID/MSR entries", file,
                        xmlGetLineNo(n), VMC_CPUID_MAX_LEAVES);
            return NULL;
        }
        if (xmlStrEqual(n->name, (const xmlChar *) "cpuid")) {
            VmcCpuidLeaf l = { 0 };
            if (!vmc_xml_prop_u32(n, "eax_in", &l.eax_in, TRUE, file, error) ||
                !vmc_xml_prop_u32(n, "ecx_in", &l.ecx_in, FALSE, file, error) ||
                !vmc_xml_prop_u32(n, "eax", &l.eax, TRUE, file, error) ||
                !vmc_xml_prop_u32(n, "ebx", &l.ebx, TRUE, file, error) ||
                !vmc_xml_prop_u32(n, "ecx", &l.ecx, TRUE, file, error) ||
                !vmc_xml_prop_u32(n, "edx", &l.edx, TRUE, file, error))
                return NULL;
            vmc_cpuid_data_add_leaf(d, &l);
        } else if (xmlStrEqual(n->name, (const xmlChar *) "msr")) {
            VmcMsr m = { 0 };
            if (!vmc_xml_prop_u32(n, "index", &m.index, TRUE, file, error) ||
                !vmc_xml_prop_u32(n, "eax", &m.eax, TRUE, file, error) ||
                !vmc_xml_prop_u32(n, "edx", &m.edx, TRUE, file, error))
                return NULL;
            vmc_cpuid_data_add_msr(d, &m);
        } else {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s:%ld: unexpected element <%s> in <cpudata>", file,
                        xmlGetLineNo(n), (const char *) n->name);
            return NULL;
        }
    }
    if (d->leaves->len == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: <cpudata> holds no <cpuid> entries", file, xmlGetLineNo(root));
        return NULL;
    }
    return g_steal_pointer(&d);
}
