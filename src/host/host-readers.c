/* host-readers.c: hosts from what people already have — libvirt `virsh
 * capabilities` and `virsh domcapabilities` XML, libvirt CPUID dumps
 * (<cpudata>), and directories of QMP captures (one {"request",
 * "response"} file per command, as shared/data/qemu-qmp/x86_64-kvm/).
 *
 * What each source tells, and so what the host gets:
 *  - a CPUID dump: the hardware CPU (raw leaves kept), vendor, signature;
 *  - capabilities: the hardware CPU of <host><cpu> (model + features,
 *    vendor, signature), the emulator, machine types and whether KVM is
 *    listed for the host's arch — not what KVM can give a guest;
 *  - domcapabilities: libvirt's host-model (what QEMU offers a guest:
 *    KVM's features under <domain>kvm</domain>), emulator, machine type;
 *  - QMP captures: QEMU's own "host" (else "max") expansion, version,
 *    machine types, KVM; the replies are kept in host->qmp.
 * Each reader notes what its source cannot tell.
 *
 * Invariants: every host returned went through vmc__host_finish(); feature
 * names the catalog does not know are left out with a note (a newer libvirt
 * or QEMU lists features an older catalog lacks) while an unknown CPU
 * model is an error (its features cannot be known); every list read is
 * bounded by VMC_HOST_MAX_ITEMS.
 *
 * Workload: one input per command; inputs are at most a few MB.
 */
#include "host/host-private.h"

#include <string.h>
#include <json-c/json.h>

#include <vmcompat/error.h>
#include "base/util.h"
#include "base/xml-util.h"

#ifndef VMC_JSON_OBJECT_AUTOPTR_DEFINED
#define VMC_JSON_OBJECT_AUTOPTR_DEFINED 1
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)
#endif

/* Names left out of a feature list, for one note. */
typedef struct {
    GString *names;
    guint n;
} VmcSkipped;

static void
vmc_skipped_add(VmcSkipped *s, const char *name)
{
    if (s->n++ < 20)
        g_string_append_printf(s->names, "%s%s", s->names->len ? ", " : "", name);
}

static void
vmc_skipped_note(VmcHost *host, VmcSkipped *s, const char *where)
{
    if (s->n)
        vmc__host_note(host, "%s: %u name(s) that are no feature of this catalog left out: %s%s",
                       where, s->n, s->names->str, s->n > 20 ? ", ..." : "");
    g_string_free(s->names, TRUE);
    s->names = NULL;
}

static gboolean
vmc_xml_is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, (const xmlChar *) name);
}

/* The vendor name of a libvirt <vendor> ("Intel") or CPUID string. */
static char *
vmc_host_xml_vendor(const VmcHost *host, const char *v)
{
    const char *name;

    if (vmc_catalog_vendor_string(host->cat, host->arch, v))
        return g_strdup(v);
    name = vmc_catalog_vendor_name(host->cat, host->arch, v);
    return g_strdup(name ? name : v);
}

/* A libvirt CPU element — <host><cpu> of capabilities, or the host-model
 * <mode> of domcapabilities — as a feature set: the model's features, then
 * each <feature>, present unless (@policies) its policy is disable or
 * forbid; those go to @ret_disabled. Sets vendor and signature. */
static gboolean
vmc_host_xml_cpu(VmcHost *host, xmlNode *cpu, const char *file,
                 gboolean policies, VmcFeatureSet *ret,
                 VmcFeatureSet *ret_disabled, const VmcCpuModel **ret_model,
                 GError **error)
{
    VmcSkipped skipped = { g_string_new(NULL), 0 };
    const VmcCpuModel *model = NULL;
    guint n_features = 0;
    VmcFeatureSet set, disabled;
    g_autofree char *where = NULL;

    vmc_feature_set_clear(&set);
    vmc_feature_set_clear(&disabled);
    for (xmlNode *n = cpu->children; n; n = n->next) {
        if (vmc_xml_is(n, "model")) {
            g_autofree char *name = vmc_xml_content(n);
            if (!name || !*name)
                continue;
            model = vmc_catalog_model_lookup(host->cat, host->arch, name);
            if (!model) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                            "%s:%ld: field 'model': unknown %s CPU model '%s'", file,
                            xmlGetLineNo(n), vmc_arch_to_string(host->arch), name);
                goto fail;
            }
            vmc_feature_set_or(&set, &set, vmc_cpu_model_get_features(model));
        } else if (vmc_xml_is(n, "vendor")) {
            g_autofree char *v = vmc_xml_content(n);
            if (v && *v) {
                g_free(host->vendor);
                host->vendor = vmc_host_xml_vendor(host, v);
            }
        } else if (vmc_xml_is(n, "signature")) {
            guint32 fam = 0, mod = 0, step = 0;
            if (!vmc_xml_prop_u32(n, "family", &fam, TRUE, file, error) ||
                !vmc_xml_prop_u32(n, "model", &mod, TRUE, file, error) ||
                !vmc_xml_prop_u32(n, "stepping", &step, FALSE, file, error))
                goto fail;
            host->has_signature = TRUE;
            host->family = fam;
            host->model = mod;
            host->stepping = step;
        } else if (vmc_xml_is(n, "feature")) {
            g_autofree char *name = vmc_xml_prop(n, "name");
            g_autofree char *policy = policies ? vmc_xml_prop(n, "policy") : NULL;
            const VmcFeature *f;
            VmcFeaturePolicy p = VMC_FEATURE_POLICY_REQUIRE;

            if (++n_features > VMC_HOST_MAX_ITEMS) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                            "%s:%ld: more than %d <feature> elements", file,
                            xmlGetLineNo(n), VMC_HOST_MAX_ITEMS);
                goto fail;
            }
            if (!name || !*name) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s:%ld: field 'feature/@name': missing", file, xmlGetLineNo(n));
                goto fail;
            }
            if (policy) {
                p = vmc_feature_policy_from_string(policy);
                if (p == VMC_FEATURE_POLICY_N) {
                    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                                "%s:%ld: field 'feature/@policy': invalid value '%s'",
                                file, xmlGetLineNo(n), policy);
                    goto fail;
                }
            }
            f = vmc_catalog_feature_lookup(host->cat, host->arch, name);
            if (!f) {
                vmc_skipped_add(&skipped, name);
                continue;
            }
            if (p == VMC_FEATURE_POLICY_DISABLE || p == VMC_FEATURE_POLICY_FORBID) {
                vmc_feature_set_remove(&set, vmc_feature_get_id(f));
                vmc_feature_set_add(&disabled, vmc_feature_get_id(f));
            } else {
                vmc_feature_set_add(&set, vmc_feature_get_id(f));
            }
        }
        /* <topology>, <cache>, <microcode>, <counter>, <pages>,
         * <maxphysaddr>, <numa> tell nothing about features. */
    }
    where = g_strdup_printf("%s:%ld: <feature>", file, xmlGetLineNo(cpu));
    vmc_skipped_note(host, &skipped, where);
    *ret = set;
    if (ret_disabled)
        *ret_disabled = disabled;
    if (ret_model)
        *ret_model = model;
    return TRUE;

 fail:
    g_string_free(skipped.names, TRUE);
    return FALSE;
}

/* The arch named by element @n's text; errors name @field. */
static gboolean
vmc_host_xml_arch(xmlNode *n, const char *file, const char *field,
                  VmcArch *ret, GError **error)
{
    g_autofree char *a = vmc_xml_content(n);

    if (!a || !*a) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:%ld: field '%s': missing",
                    file, n ? xmlGetLineNo(n) : 1L, field);
        return FALSE;
    }
    *ret = vmc_arch_from_string(a);
    if (*ret == VMC_ARCH_N) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "%s:%ld: field '%s': unsupported architecture '%s'", file,
                    xmlGetLineNo(n), field, a);
        return FALSE;
    }
    return TRUE;
}

/* ---- libvirt CPUID dump ------------------------------------------------- */

static VmcHost *
vmc_host_read_cpuid_dump(VmcCatalog *cat, const char *data, gsize len,
                         const char *file, GError **error)
{
    g_autoptr(VmcCpuidData) cpuid = vmc_cpuid_data_parse_xml(data, (gssize) len, file, error);
    g_autoptr(VmcHost) host = NULL;
    g_autofree char *vstr = NULL;
    guint32 sig = 0;

    if (!cpuid)
        return NULL;
    host = vmc__host_new(cat, VMC_ARCH_X86_64, VMC_HOST_SOURCE_CPUID_DUMP);
    host->name = g_strdup(file);
    vmc_cpuid_data_features(cpuid, cat, &host->hw_features);
    vstr = vmc_cpuid_data_vendor(cpuid);
    if (vstr) {
        /* As vmc_cpu_decode(): a vendor the catalog does not know is none. */
        host->vendor = g_strdup(vmc_catalog_vendor_name(cat, VMC_ARCH_X86_64, vstr));
        if (!host->vendor)
            vmc__host_note(host, "CPU vendor '%s' is unknown to this catalog", vstr);
    }
    host->has_signature = vmc_cpuid_data_signature(cpuid, &sig, &host->family,
                                                   &host->model, &host->stepping);
    host->cpuid = g_steal_pointer(&cpuid);
    vmc__host_note(host,
                   "libvirt CPUID dump: the CPU is the hardware's; KVM, kernel and QEMU are unknown");
    if (!vmc__host_finish(host, error))
        return NULL;
    return g_steal_pointer(&host);
}

/* ---- virsh capabilities ------------------------------------------------- */

/* The <guest> of @arch (hvm): emulator, machine types, KVM listed. */
static gboolean
vmc_host_caps_guest(VmcHost *host, xmlNode *root, const char *file,
                    GError **error)
{
    const char *want = vmc_arch_to_string(host->arch);

    for (xmlNode *g = root->children; g; g = g->next) {
        g_autofree char *os = NULL;
        g_autofree char *name = NULL;
        xmlNode *arch;

        if (!vmc_xml_is(g, "guest"))
            continue;
        os = vmc_xml_content(vmc_xml_child(g, "os_type"));
        arch = vmc_xml_child(g, "arch");
        name = arch ? vmc_xml_prop(arch, "name") : NULL;
        if (!os || !g_str_equal(os, "hvm") || !name || !g_str_equal(name, want))
            continue;
        for (xmlNode *n = arch->children; n; n = n->next) {
            if (vmc_xml_is(n, "emulator") && !host->qemu_binary) {
                host->qemu_binary = vmc_xml_content(n);
            } else if (vmc_xml_is(n, "machine")) {
                g_autofree char *canonical = vmc_xml_prop(n, "canonical");
                if (canonical)
                    continue;  /* an alias ("pc"): names only */
                if (!host->machine_types)
                    host->machine_types = g_ptr_array_new_with_free_func(g_free);
                if (host->machine_types->len >= VMC_HOST_MAX_ITEMS) {
                    g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                                "%s:%ld: more than %d <machine> elements", file,
                                xmlGetLineNo(n), VMC_HOST_MAX_ITEMS);
                    return FALSE;
                }
                g_ptr_array_add(host->machine_types, vmc_xml_content(n));
            } else if (vmc_xml_is(n, "domain")) {
                g_autofree char *type = vmc_xml_prop(n, "type");
                if (type && g_str_equal(type, "kvm"))
                    host->has_kvm = TRUE;
            }
        }
        break;
    }
    return TRUE;
}

static VmcHost *
vmc_host_read_capabilities(VmcCatalog *cat, xmlNode *root, const char *file,
                           GError **error)
{
    xmlNode *cpu = vmc_xml_child(vmc_xml_child(root, "host"), "cpu");
    g_autoptr(VmcHost) host = NULL;
    VmcArch arch;

    if (!cpu) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: field 'host/cpu': missing: virsh capabilities describe the host CPU there",
                    file, xmlGetLineNo(root));
        return NULL;
    }
    if (!vmc_host_xml_arch(vmc_xml_child(cpu, "arch"), file, "host/cpu/arch", &arch, error))
        return NULL;
    host = vmc__host_new(cat, arch, VMC_HOST_SOURCE_LIBVIRT_CAPABILITIES);
    host->name = g_strdup(file);
    if (!vmc_host_xml_cpu(host, cpu, file, FALSE, &host->hw_features, NULL, NULL, error) ||
        !vmc_host_caps_guest(host, root, file, error))
        return NULL;
    vmc__host_note(host,
                   "virsh capabilities: the CPU is the hardware's (<host><cpu>); what KVM can give a guest, the kernel and QEMU's version are unknown");
    if (!vmc__host_finish(host, error))
        return NULL;
    return g_steal_pointer(&host);
}

/* ---- virsh domcapabilities ---------------------------------------------- */

/* <cpu><mode name='host-model'> when supported, else NULL. */
static xmlNode *
vmc_host_domcaps_host_model(xmlNode *root)
{
    xmlNode *cpu = vmc_xml_child(root, "cpu");

    for (xmlNode *m = cpu ? cpu->children : NULL; m; m = m->next) {
        g_autofree char *name = NULL;
        g_autofree char *supported = NULL;

        if (!vmc_xml_is(m, "mode"))
            continue;
        name = vmc_xml_prop(m, "name");
        supported = vmc_xml_prop(m, "supported");
        if (name && g_str_equal(name, "host-model"))
            return supported && g_str_equal(supported, "no") ? NULL : m;
    }
    return NULL;
}

static VmcHost *
vmc_host_read_domcaps(VmcCatalog *cat, xmlNode *root, const char *file,
                      GError **error)
{
    g_autofree char *domain = vmc_xml_content(vmc_xml_child(root, "domain"));
    g_autofree char *machine = vmc_xml_content(vmc_xml_child(root, "machine"));
    xmlNode *arch_node = vmc_xml_child(root, "arch");
    g_autoptr(VmcHost) host = NULL;
    const VmcCpuModel *model = NULL;
    VmcFeatureSet set, disabled, hidden;
    xmlNode *mode;
    VmcArch arch;

    if (!arch_node) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:%ld: field 'arch': missing",
                    file, xmlGetLineNo(root));
        return NULL;
    }
    if (!vmc_host_xml_arch(arch_node, file, "arch", &arch, error))
        return NULL;
    host = vmc__host_new(cat, arch, VMC_HOST_SOURCE_LIBVIRT_DOMCAPABILITIES);
    host->name = g_strdup(file);
    host->qemu_binary = vmc_xml_content(vmc_xml_child(root, "path"));
    if (machine && *machine) {
        host->machine_types = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(host->machine_types, g_steal_pointer(&machine));
    }
    host->has_kvm = domain && g_str_equal(domain, "kvm");
    vmc__host_note(host,
                   "virsh domcapabilities: the CPU is libvirt's host-model (what QEMU offers a guest); hardware CPUID, kernel, KVM capabilities and QEMU's version are unknown");
    mode = vmc_host_domcaps_host_model(root);
    if (!mode) {
        vmc__host_note(host, "virsh domcapabilities: no supported host-model CPU");
    } else {
        if (!vmc_host_xml_cpu(host, mode, file, TRUE, &set, &disabled, &model, error))
            return NULL;
        /* Seed 000: libvirt disables deprecated features in the host-model
         * although the hardware has them; those of the model are real. */
        vmc_feature_set_and(&hidden, &disabled, vmc_catalog_deprecated_features(cat, arch));
        if (model)
            vmc_feature_set_and(&hidden, &hidden, vmc_cpu_model_get_features(model));
        else
            vmc_feature_set_clear(&hidden);
        if (!vmc_feature_set_is_empty(&hidden)) {
            g_autofree char *names = vmc__catalog_format_set(cat, arch, &hidden);
            vmc_feature_set_or(&set, &set, &hidden);
            vmc__host_note(host,
                           "virsh domcapabilities: the host-model disables deprecated feature(s) %s of its model: taken as present on the hardware (seed 000)",
                           names);
        }
        if (host->has_kvm)
            host->kvm_features = set;
        else
            host->hw_features = set;
    }
    if (!vmc__host_finish(host, error))
        return NULL;
    return g_steal_pointer(&host);
}

VmcHost *
vmc__host_parse_xml(VmcCatalog *cat, const char *data, gsize len,
                    const char *file, GError **error)
{
    g_autoptr(xmlDoc) doc = vmc_xml_parse(data, len, file, error);
    xmlNode *root;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!root) {
        vmc__host_not_a_host(error, file, 1, "XML without a root element");
        return NULL;
    }
    if (vmc_xml_is(root, "cpudata"))
        return vmc_host_read_cpuid_dump(cat, data, len, file, error);
    if (vmc_xml_is(root, "capabilities"))
        return vmc_host_read_capabilities(cat, root, file, error);
    if (vmc_xml_is(root, "domainCapabilities"))
        return vmc_host_read_domcaps(cat, root, file, error);
    {
        g_autofree char *found = g_strdup_printf("XML root element <%s>",
                                                 (const char *) root->name);
        vmc__host_not_a_host(error, file, xmlGetLineNo(root), found);
    }
    return NULL;
}

/* ---- QMP capture directories -------------------------------------------- */

/* The capture files a host is read from; the CPU comes from the first
 * expansion that answered, in this order. */
static const char *const vmc_qmp_capture_names[] = {
    "query-target",
    "query-version",
    "query-kvm",
    "query-machines",
    "query-cpu-definitions",
    "query-cpu-model-expansion-full-host",
    "query-cpu-model-expansion-static-host",
    "query-cpu-model-expansion-full-max",
    "query-cpu-model-expansion-static-max",
};

#define VMC_QMP_FIRST_EXPANSION 5

/* One capture file: its "response" object (transfer full), or NULL with
 * @error. A missing file answers NULL without an error. */
static json_object *
vmc_qmp_read_capture(const char *dir, const char *name, GError **error)
{
    g_autofree char *base = g_strconcat(name, ".json", NULL);
    g_autofree char *path = g_build_filename(dir, base, NULL);
    g_autofree char *data = NULL;
    g_autoptr(json_object) obj = NULL;
    json_tokener *tok;
    json_object *resp = NULL;
    enum json_tokener_error jerr;
    gsize len = 0;

    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return NULL;
    if (!vmc_file_read(path, &data, &len, error))
        return NULL;
    if (len > G_MAXINT) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT, "%s: input too large", path);
        return NULL;
    }
    tok = json_tokener_new_ex(64);
    obj = json_tokener_parse_ex(tok, data, (int) len);
    jerr = json_tokener_get_error(tok);
    if (!obj || jerr != json_tokener_success) {
        gsize end = json_tokener_get_parse_end(tok);
        long line = 1;
        for (gsize i = 0; i < end && i < len; i++)
            line += data[i] == '\n';
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:%ld: invalid JSON: %s", path, line,
                    jerr == json_tokener_success || jerr == json_tokener_continue ?
                    "unexpected end of input (truncated?)" : json_tokener_error_desc(jerr));
        json_tokener_free(tok);
        return NULL;
    }
    json_tokener_free(tok);
    if (!json_object_is_type(obj, json_type_object) ||
        !json_object_object_get_ex(obj, "response", &resp) ||
        !json_object_is_type(resp, json_type_object)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'response': missing or not an object (a capture file is {\"request\": ..., \"response\": ...})",
                    path);
        return NULL;
    }
    return json_object_get(resp);
}

/* The "return" member of a reply of @type, or NULL. */
static json_object *
vmc_qmp_return(json_object *reply, json_type type)
{
    json_object *r = NULL;

    if (!reply || !json_object_object_get_ex(reply, "return", &r) ||
        !json_object_is_type(r, type))
        return NULL;
    return r;
}

static json_object *
vmc_qmp_member(json_object *o, const char *key, json_type type)
{
    json_object *v = NULL;

    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
        return NULL;
    return v;
}

/* The arch: query-target, else the first CPU model the catalog knows. */
static VmcArch
vmc_qmp_arch(VmcCatalog *cat, json_object *const *replies)
{
    json_object *target = vmc_qmp_return(replies[0], json_type_object);
    json_object *defs = vmc_qmp_return(replies[4], json_type_array);
    json_object *a = vmc_qmp_member(target, "arch", json_type_string);

    if (a)
        return vmc_arch_from_string(json_object_get_string(a));
    for (gsize i = 0; defs && i < json_object_array_length(defs); i++) {
        json_object *n = vmc_qmp_member(json_object_array_get_idx(defs, i), "name",
                                        json_type_string);
        VmcArch arch = n ? vmc__catalog_guess_arch(cat, json_object_get_string(n))
                         : VMC_ARCH_N;
        if (arch != VMC_ARCH_N)
            return arch;
    }
    return VMC_ARCH_N;
}

static void
vmc_qmp_version(VmcHost *host, json_object *reply)
{
    json_object *q = vmc_qmp_member(vmc_qmp_return(reply, json_type_object), "qemu",
                                    json_type_object);
    json_object *maj = vmc_qmp_member(q, "major", json_type_int);
    json_object *min = vmc_qmp_member(q, "minor", json_type_int);
    json_object *mic = vmc_qmp_member(q, "micro", json_type_int);

    if (maj && min && mic)
        host->qemu_version = g_strdup_printf("%d.%d.%d", json_object_get_int(maj),
                                             json_object_get_int(min),
                                             json_object_get_int(mic));
    else
        vmc__host_note(host, "QMP capture: no query-version answer: QEMU's version is unknown");
}

static void
vmc_qmp_kvm(VmcHost *host, json_object *reply)
{
    json_object *r = vmc_qmp_return(reply, json_type_object);
    json_object *enabled = vmc_qmp_member(r, "enabled", json_type_boolean);
    json_object *present = vmc_qmp_member(r, "present", json_type_boolean);

    if (!enabled || !present) {
        vmc__host_note(host, "QMP capture: no query-kvm answer: KVM taken as absent");
        return;
    }
    host->has_kvm = json_object_get_boolean(enabled) && json_object_get_boolean(present);
    if (!host->has_kvm && json_object_get_boolean(present))
        vmc__host_note(host,
                       "QMP capture: KVM is present, but QEMU ran with TCG: the CPU is what TCG offers");
}

static gboolean
vmc_qmp_machines(VmcHost *host, json_object *reply, GError **error)
{
    json_object *list = vmc_qmp_return(reply, json_type_array);

    if (!list)
        return TRUE;
    if (json_object_array_length(list) > VMC_HOST_MAX_ITEMS) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "%s: query-machines: more than %d machine types", host->name,
                    VMC_HOST_MAX_ITEMS);
        return FALSE;
    }
    host->machine_types = g_ptr_array_new_with_free_func(g_free);
    for (gsize i = 0; i < json_object_array_length(list); i++) {
        json_object *n = vmc_qmp_member(json_object_array_get_idx(list, i), "name",
                                        json_type_string);
        if (n)
            g_ptr_array_add(host->machine_types, g_strdup(json_object_get_string(n)));
    }
    return TRUE;
}

/* An s390x feature group ("msa8") of the catalog, or NULL. */
static const VmcFeatureSet *
vmc_qmp_group(const VmcHost *host, const char *name)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(host->cat, host->arch);

    for (guint i = 0; i < ac->group_names->len; i++)
        if (g_str_equal(g_ptr_array_index(ac->group_names, i), name))
            return g_ptr_array_index(ac->group_sets, i);
    return NULL;
}

/* One non-boolean property of an expansion: vendor and signature. */
static void
vmc_qmp_cpu_prop(VmcHost *host, const char *key, json_object *val)
{
    if (g_str_equal(key, "vendor") && json_object_is_type(val, json_type_string)) {
        const char *vn = vmc_catalog_vendor_name(host->cat, host->arch,
                                                 json_object_get_string(val));
        g_free(host->vendor);
        host->vendor = g_strdup(vn ? vn : json_object_get_string(val));
        return;
    }
    if (host->arch != VMC_ARCH_X86_64 || !json_object_is_type(val, json_type_int))
        return;
    if (json_object_get_int64(val) < 0 || json_object_get_int64(val) > 0xffff)
        return;
    if (g_str_equal(key, "family")) {
        host->family = (guint) json_object_get_int64(val);
        host->has_signature = TRUE;
    } else if (g_str_equal(key, "model")) {
        host->model = (guint) json_object_get_int64(val);
        host->has_signature = TRUE;
    } else if (g_str_equal(key, "stepping")) {
        host->stepping = (guint) json_object_get_int64(val);
    }
}

/* The features of an expansion's CpuModelInfo: the named model's (none for
 * QEMU's "host", "max" and x86 "base"), then each boolean property that is
 * a catalog feature (or s390x group); other properties (hv-*, check,
 * pmu, ...) are no features and are left out with a note. */
static gboolean
vmc_qmp_cpu(VmcHost *host, json_object *model, const char *where,
            VmcFeatureSet *ret, GError **error)
{
    VmcSkipped skipped = { g_string_new(NULL), 0 };
    json_object *name = vmc_qmp_member(model, "name", json_type_string);
    json_object *props = vmc_qmp_member(model, "props", json_type_object);
    const char *n = name ? json_object_get_string(name) : NULL;
    const VmcCpuModel *m = NULL;

    vmc_feature_set_clear(ret);
    if (!n) {
        g_string_free(skipped.names, TRUE);
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'response.return.model.name': missing", where);
        return FALSE;
    }
    if (!g_str_equal(n, "host") && !g_str_equal(n, "max") && !g_str_equal(n, "base")) {
        m = vmc_catalog_model_lookup(host->cat, host->arch, n);
        if (!m) {
            g_string_free(skipped.names, TRUE);
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                        "%s: field 'response.return.model.name': unknown %s CPU model '%s'",
                        where, vmc_arch_to_string(host->arch), n);
            return FALSE;
        }
        *ret = *vmc_cpu_model_get_features(m);
    }
    if (props) {
        json_object_object_foreach(props, key, val) {
            const VmcFeature *f;
            const VmcFeatureSet *group;
            gboolean on;

            if (!json_object_is_type(val, json_type_boolean)) {
                vmc_qmp_cpu_prop(host, key, val);
                continue;
            }
            on = json_object_get_boolean(val);
            if ((f = vmc_catalog_feature_lookup(host->cat, host->arch, key))) {
                if (on)
                    vmc_feature_set_add(ret, vmc_feature_get_id(f));
                else
                    vmc_feature_set_remove(ret, vmc_feature_get_id(f));
            } else if ((group = vmc_qmp_group(host, key))) {
                if (on)
                    vmc_feature_set_or(ret, ret, group);
                else
                    vmc_feature_set_andnot(ret, ret, group);
            } else if (on) {
                vmc_skipped_add(&skipped, key);
            }
        }
    }
    vmc_skipped_note(host, &skipped, where);
    return TRUE;
}

VmcHost *
vmc__host_load_qmp_dir(VmcCatalog *cat, const char *dir, GError **error)
{
    json_object *replies[G_N_ELEMENTS(vmc_qmp_capture_names)] = { NULL };
    g_autoptr(VmcHost) host = NULL;
    VmcHost *result = NULL;
    guint found = 0;
    gint cpu_from = -1;
    VmcArch arch;

    for (guint i = 0; i < G_N_ELEMENTS(vmc_qmp_capture_names); i++) {
        GError *err = NULL;
        replies[i] = vmc_qmp_read_capture(dir, vmc_qmp_capture_names[i], &err);
        if (err) {
            g_propagate_error(error, err);
            goto out;
        }
        found += replies[i] != NULL;
    }
    if (!found) {
        vmc__host_not_a_host(error, dir, 0,
                             "a directory without QMP capture files such as query-cpu-definitions.json");
        goto out;
    }
    arch = vmc_qmp_arch(cat, replies);
    if (arch == VMC_ARCH_N) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "%s: query-target.json: missing, or names an architecture vmcompat has no CPU driver for",
                    dir);
        goto out;
    }
    host = vmc__host_new(cat, arch, VMC_HOST_SOURCE_QMP_CAPTURE);
    host->name = g_strdup(dir);
    for (guint i = 0; i < G_N_ELEMENTS(vmc_qmp_capture_names); i++) {
        if (!replies[i])
            continue;
        vmc__host_set_qmp_reply(host, vmc_qmp_capture_names[i],
                                json_object_to_json_string_ext(replies[i],
                                                               JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE));
        if (i >= VMC_QMP_FIRST_EXPANSION && cpu_from < 0 &&
            vmc_qmp_return(replies[i], json_type_object))
            cpu_from = (gint) i;
    }
    vmc_qmp_version(host, replies[1]);
    vmc_qmp_kvm(host, replies[2]);
    if (!vmc_qmp_machines(host, replies[3], error))
        goto out;
    if (cpu_from < 0) {
        vmc__host_note(host,
                       "QMP capture: no answered query-cpu-model-expansion of 'host' or 'max': the CPU is unknown");
    } else {
        const char *cname = vmc_qmp_capture_names[cpu_from];
        json_object *model = vmc_qmp_member(vmc_qmp_return(replies[cpu_from], json_type_object),
                                            "model", json_type_object);
        g_autofree char *where = g_strdup_printf("%s/%s.json", dir, cname);
        VmcFeatureSet set;

        if (!vmc_qmp_cpu(host, model, where, &set, error))
            goto out;
        if (host->has_kvm)
            host->kvm_features = set;
        else
            host->hw_features = set;
        vmc__host_note(host,
                       "QMP capture: the CPU is QEMU's answer to %s under %s; hardware CPUID and the kernel are unknown",
                       cname, host->has_kvm ? "KVM" : "TCG");
    }
    if (!vmc__host_finish(host, error))
        goto out;
    result = g_steal_pointer(&host);

 out:
    for (guint i = 0; i < G_N_ELEMENTS(replies); i++)
        if (replies[i])
            json_object_put(replies[i]);
    return result;
}
