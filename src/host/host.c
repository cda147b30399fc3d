/* host.c: VmcHost — what one machine can give a guest.
 *
 * Holds the lifecycle and accessors; the guest-usable host CPU
 * (vmc__host_finish: the features KVM offers when it offers any, else the
 * hardware's, decoded to a catalog model + features exactly as `cpu decode`
 * does); the host-model of seed 000 (every deprecated feature the host has
 * is disabled, and listed); and the host document — JSON, "format": 1,
 * docs/host-document.md — with its writer, its atomic save (a temporary
 * file in the target's directory, fsync, rename: the target is never
 * half-written) and its reader. vmc_host_load()/vmc_host_parse() detect
 * the input format here; the libvirt and QMP-capture readers live in
 * host-readers.c.
 *
 * Invariants: every host handed out went through vmc__host_finish(), so
 * cpu is NULL only when no CPU feature is known (a note says so); notes
 * hold each text once; every size read from a document is bounded
 * (VMC_HOST_MAX_*), and unknown feature names are left out with a note, so
 * a document written against another catalog version still reads.
 *
 * Workload: one host per command, or one per fleet member; documents are
 * tens to hundreds of KB (QMP replies dominate). Nothing here is hot.
 */
#include "host/host-private.h"
#include "host/host-doc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <vmcompat/cpu-ops.h>
#include <vmcompat/error.h>
#include "base/util.h"

#ifndef VMC_JSON_OBJECT_AUTOPTR_DEFINED
#define VMC_JSON_OBJECT_AUTOPTR_DEFINED 1
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)
#endif

#define VMC_HOST_FORMAT 1
#define VMC_HOST_MAX_NOTES 1024

static const char *const vmc_host_source_names[] = {
    [VMC_HOST_SOURCE_PROBE] = "probe",
    [VMC_HOST_SOURCE_DOCUMENT] = "document",
    [VMC_HOST_SOURCE_LIBVIRT_CAPABILITIES] = "libvirt-capabilities",
    [VMC_HOST_SOURCE_LIBVIRT_DOMCAPABILITIES] = "libvirt-domcapabilities",
    [VMC_HOST_SOURCE_CPUID_DUMP] = "cpuid-dump",
    [VMC_HOST_SOURCE_QMP_CAPTURE] = "qmp-capture",
};
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_host_source_names) == VMC_HOST_SOURCE_N);

const char *
vmc_host_source_to_string(VmcHostSource s)
{
    return (guint) s < VMC_HOST_SOURCE_N ? vmc_host_source_names[s] : NULL;
}

/* ---- lifecycle and accessors ------------------------------------------- */

VmcHost *
vmc__host_new(VmcCatalog *cat, VmcArch arch, VmcHostSource source)
{
    VmcHost *host;

    g_return_val_if_fail(cat != NULL && (guint) arch < VMC_ARCH_N, NULL);
    g_return_val_if_fail((guint) source < VMC_HOST_SOURCE_N, NULL);
    host = g_new0(VmcHost, 1);
    host->refs = 1;
    host->cat = vmc_catalog_ref(cat);
    host->arch = arch;
    host->source = source;
    host->doc_source = source;
    host->kvm_api_version = -1;
    host->capabilities = g_hash_table_new_full(g_str_hash, g_str_equal,
                                               g_free, g_free);
    host->notes = g_ptr_array_new_with_free_func(g_free);
    host->qmp = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return host;
}

VmcHost *
vmc_host_ref(VmcHost *host)
{
    g_return_val_if_fail(host != NULL, NULL);
    g_atomic_int_inc(&host->refs);
    return host;
}

void
vmc_host_unref(VmcHost *host)
{
    if (!host || !g_atomic_int_dec_and_test(&host->refs))
        return;
    g_free(host->name);
    g_free(host->kernel);
    g_free(host->qemu_version);
    g_free(host->qemu_binary);
    g_free(host->vendor);
    vmc_cpuid_data_free(host->cpuid);
    if (host->cpu)
        vmc_cpu_def_unref(host->cpu);
    g_clear_pointer(&host->capabilities, g_hash_table_unref);
    g_clear_pointer(&host->machine_types, g_ptr_array_unref);
    g_clear_pointer(&host->notes, g_ptr_array_unref);
    g_clear_pointer(&host->qmp, g_hash_table_unref);
    vmc_catalog_unref(host->cat);
    g_free(host);
}

VmcArch
vmc_host_get_arch(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, VMC_ARCH_N);
    return host->arch;
}

VmcHostSource
vmc_host_get_source(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, VMC_HOST_SOURCE_N);
    return host->source;
}

const char *
vmc_host_get_name(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, NULL);
    return host->name;
}

const char *
vmc_host_get_kernel(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, NULL);
    return host->kernel;
}

const char *
vmc_host_get_qemu_version(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, NULL);
    return host->qemu_version;
}

gboolean
vmc_host_has_kvm(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, FALSE);
    return host->has_kvm;
}

VmcAccel
vmc_host_default_accel(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, VMC_ACCEL_NONE);
    if (host->has_kvm)
        return VMC_ACCEL_KVM;
    if (host->source == VMC_HOST_SOURCE_QMP_CAPTURE)
        return VMC_ACCEL_TCG;
    return VMC_ACCEL_NONE;
}

const VmcCpuDef *
vmc_host_get_cpu(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, NULL);
    return host->cpu;
}

GHashTable *
vmc_host_get_capabilities(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, NULL);
    return host->capabilities;
}

/* A capability value that means "present": yes/true/on or a number > 0. */
static gboolean
vmc_host_value_is_true(const char *v)
{
    guint32 n = 0;

    if (!v)
        return FALSE;
    if (g_str_equal(v, "yes") || g_str_equal(v, "true") || g_str_equal(v, "on"))
        return TRUE;
    return vmc_parse_uint32(v, &n) && n > 0;
}

gboolean
vmc_host_has_capability(const VmcHost *host, const char *name)
{
    g_return_val_if_fail(host != NULL && name != NULL, FALSE);
    return vmc_host_value_is_true(g_hash_table_lookup(host->capabilities, name));
}

GPtrArray *
vmc_host_get_machine_types(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, NULL);
    return host->machine_types;
}

GPtrArray *
vmc_host_get_notes(const VmcHost *host)
{
    g_return_val_if_fail(host != NULL, NULL);
    return host->notes;
}

void
vmc__host_set_capability(VmcHost *host, const char *name, const char *value)
{
    g_return_if_fail(host != NULL && name != NULL && value != NULL);
    g_hash_table_replace(host->capabilities, g_strdup(name), g_strdup(value));
}

void
vmc__host_note(VmcHost *host, const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list ap;

    g_return_if_fail(host != NULL && fmt != NULL);
    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    for (guint i = 0; i < host->notes->len; i++)
        if (g_str_equal(g_ptr_array_index(host->notes, i), text))
            return;
    if (host->notes->len >= VMC_HOST_MAX_NOTES) {
        g_debug("host %s: note dropped (more than %d): %s",
                host->name ? host->name : "?", VMC_HOST_MAX_NOTES, text);
        return;
    }
    g_debug("host %s: %s", host->name ? host->name : "?", text);
    g_ptr_array_add(host->notes, g_steal_pointer(&text));
}

void
vmc__host_set_qmp_reply(VmcHost *host, const char *key, const char *json)
{
    g_return_if_fail(host != NULL && key != NULL && json != NULL);
    g_hash_table_replace(host->qmp, g_strdup(key), g_strdup(json));
}

void
vmc__host_not_a_host(GError **error, const char *file, long line,
                     const char *found)
{
    if (line > 0)
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: not a host (%s); accepted: host document JSON, virsh capabilities/domcapabilities XML, libvirt CPUID dump, QMP capture directory",
                    file, line, found);
    else
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: not a host (%s); accepted: host document JSON, virsh capabilities/domcapabilities XML, libvirt CPUID dump, QMP capture directory",
                    file, found);
}

/* ---- the host CPU ------------------------------------------------------- */

/* s390x: the newest catalog model (not a static -base one) whose default
 * features the host all has — the highest generation; within it the model
 * with the most features, then the earliest in the catalog (the lowest GA:
 * features alone cannot tell z14 from z14.2, so the claim stays modest). */
static const VmcCpuModel *
vmc_host_s390x_model(const VmcCatalog *cat, const VmcFeatureSet *set)
{
    const VmcCpuModel *best = NULL;
    guint best_count = 0;

    for (guint i = 0; i < vmc_catalog_model_count(cat, VMC_ARCH_S390X); i++) {
        const VmcCpuModel *m = vmc_catalog_model(cat, VMC_ARCH_S390X, i);
        guint n;

        if (m->is_static || !vmc_feature_set_is_subset(&m->features, set))
            continue;
        n = vmc_feature_set_count(&m->features);
        if (!best || m->gen > best->gen ||
            (m->gen == best->gen && n > best_count)) {
            best = m;
            best_count = n;
        }
    }
    return best;
}

/* s390x: the host-type definition of @set — its model plus the extras. */
static VmcCpuDef *
vmc_host_s390x_cpu(VmcHost *host, const VmcFeatureSet *set, GError **error)
{
    const VmcCpuModel *m = vmc_host_s390x_model(host->cat, set);
    g_autoptr(VmcCpuDef) def = NULL;
    VmcFeatureSet extra;

    if (!m) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE,
                    "host '%s': no s390x CPU model of the catalog has only features the host has (%u features known)",
                    host->name ? host->name : "?", vmc_feature_set_count(set));
        return NULL;
    }
    def = vmc_cpu_def_new(host->cat, VMC_ARCH_S390X, VMC_CPU_TYPE_HOST);
    vmc__cpu_def_set_model_ref(def, m);
    vmc_cpu_def_set_vendor(def, host->vendor);
    vmc_feature_set_andnot(&extra, set, &m->features);
    VMC_FEATURE_SET_FOREACH(&extra, i)
        vmc_cpu_def_set_feature(def, (guint) i, VMC_FEATURE_POLICY_REQUIRE);
    return g_steal_pointer(&def);
}

/* A host CPU without a model: every usable feature listed. */
static VmcCpuDef *
vmc_host_modelless_cpu(VmcHost *host, const VmcFeatureSet *set)
{
    VmcCpuDef *def = vmc_cpu_def_new(host->cat, host->arch, VMC_CPU_TYPE_HOST);

    def->origin = VMC_CPU_ORIGIN_CPUID;
    vmc_cpu_def_set_vendor(def, host->vendor);
    def->has_signature = host->has_signature;
    def->sig_family = host->family;
    def->sig_model = host->model;
    def->sig_stepping = host->stepping;
    VMC_FEATURE_SET_FOREACH(set, i)
        vmc_cpu_def_set_feature(def, (guint) i, VMC_FEATURE_POLICY_REQUIRE);
    return def;
}

gboolean
vmc__host_finish(VmcHost *host, GError **error)
{
    const VmcFeatureSet *usable = &host->hw_features;
    g_autoptr(VmcCpuDef) cpu = NULL;
    g_autoptr(GError) err = NULL;
    const char *name;

    g_return_val_if_fail(host != NULL, FALSE);
    name = host->name ? host->name : "?";
    if (host->has_kvm && !vmc_feature_set_is_empty(&host->kvm_features))
        usable = &host->kvm_features;
    else if (host->has_kvm && !vmc_feature_set_is_empty(&host->hw_features))
        vmc__host_note(host,
                       "KVM is present but what it can give a guest is unknown: the host CPU is the hardware's");
    if (vmc_feature_set_is_empty(usable)) {
        if (host->cpu)
            g_clear_pointer(&host->cpu, vmc_cpu_def_unref);
        vmc__host_note(host, "no CPU features known: the host CPU is unknown");
        return TRUE;
    }
    if (host->arch == VMC_ARCH_S390X)
        cpu = vmc_host_s390x_cpu(host, usable, &err);
    else
        cpu = vmc_cpu_decode_features(host->cat, host->arch, usable, host->vendor,
                                      host->has_signature, host->family,
                                      host->model, host->stepping,
                                      VMC_CPU_TYPE_HOST, NULL, NULL, &err);
    if (!cpu && g_error_matches(err, VMC_ERROR, VMC_ERROR_INCOMPATIBLE)) {
        /* Odd CPUs (nested hypervisors that hide SSE3, ...) fit no model:
         * the host still has its features, which answer "does model X
         * run here"; only the host-model needs a model. */
        vmc__host_note(host, "%s: the host CPU is its feature list only", err->message);
        cpu = vmc_host_modelless_cpu(host, usable);
    } else if (!cpu) {
        g_propagate_error(error, g_steal_pointer(&err));
        return FALSE;
    }
    /* Seed 000: the hardware has these; the host-model disables them. */
    vmc_feature_set_and(&cpu->host_deprecated_disabled, usable,
                        vmc_catalog_deprecated_features(host->cat, host->arch));
    g_free(cpu->source);
    cpu->source = g_strdup(name);
    if (host->cpu)
        vmc_cpu_def_unref(host->cpu);
    host->cpu = g_steal_pointer(&cpu);
    return TRUE;
}

VmcCpuDef *
vmc_host_model(const VmcHost *host, GPtrArray **ret_disabled, GError **error)
{
    g_autoptr(VmcCpuDef) def = NULL;
    g_autoptr(GPtrArray) disabled = NULL;
    const VmcCpuDef *cpu;

    g_return_val_if_fail(host != NULL, NULL);
    cpu = host->cpu;
    if (!cpu) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "host '%s': the host CPU is unknown, so there is no host-model",
                    host->name ? host->name : "?");
        return NULL;
    }
    /* A host CPU no catalog model fits gives a host-model without a model:
     * QEMU's "base" plus every feature, as QEMU's static expansion of
     * "host" answers (libvirt would call host-model unsupported). */
    def = vmc_cpu_def_new(host->cat, host->arch, VMC_CPU_TYPE_GUEST);
    vmc_cpu_def_set_mode(def, VMC_CPU_MODE_CUSTOM);
    vmc_cpu_def_set_match(def, VMC_CPU_MATCH_EXACT);
    def->has_match = TRUE;
    vmc_cpu_def_set_fallback(def, VMC_CPU_FALLBACK_FORBID);
    if (cpu->model_ref)
        vmc__cpu_def_set_model_ref(def, cpu->model_ref);
    vmc_cpu_def_set_vendor(def, cpu->vendor);
    def->source = g_strdup(cpu->source);
    /* A host CPU's listed features are all present. */
    for (guint i = 0; i < cpu->features->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(cpu->features, VmcCpuFeature, i);
        vmc_cpu_def_set_feature(def, cf->id, VMC_FEATURE_POLICY_REQUIRE);
    }
    disabled = g_ptr_array_new_with_free_func(g_free);
    VMC_FEATURE_SET_FOREACH(&cpu->host_deprecated_disabled, i) {
        const VmcFeature *f = vmc_catalog_feature(host->cat, host->arch, (guint) i);
        vmc_cpu_def_set_feature(def, (guint) i, VMC_FEATURE_POLICY_DISABLE);
        g_ptr_array_add(disabled, g_strdup(vmc_feature_get_name(f)));
    }
    if (ret_disabled)
        *ret_disabled = g_steal_pointer(&disabled);
    return g_steal_pointer(&def);
}

/* ---- writing the host document ----------------------------------------- */

/* The keys of @table, sorted (transfer container). */
static GPtrArray *
vmc_host_sorted_keys(GHashTable *table)
{
    GPtrArray *keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;

    g_hash_table_iter_init(&it, table);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(keys, k);
    g_ptr_array_sort(keys, vmc_strptr_cmp);
    return keys;
}

static json_object *
vmc_host_json_hex(guint32 v)
{
    char buf[16];
    g_snprintf(buf, sizeof(buf), "0x%08x", v);
    return json_object_new_string(buf);
}

/* Feature names of @set in catalog id order. */
static json_object *
vmc_host_json_names(const VmcHost *host, const VmcFeatureSet *set)
{
    json_object *a = json_object_new_array();
    VMC_FEATURE_SET_FOREACH(set, i) {
        const VmcFeature *f = vmc_catalog_feature(host->cat, host->arch, (guint) i);
        json_object_array_add(a, json_object_new_string(vmc_feature_get_name(f)));
    }
    return a;
}

static json_object *
vmc_host_json_strings(const GPtrArray *list)
{
    json_object *a = json_object_new_array();
    for (guint i = 0; i < list->len; i++)
        json_object_array_add(a, json_object_new_string(g_ptr_array_index(list, i)));
    return a;
}

/* "capabilities" members: those under "kvm." when @kvm, the others else. */
static json_object *
vmc_host_json_caps(const VmcHost *host, gboolean kvm)
{
    g_autoptr(GPtrArray) keys = vmc_host_sorted_keys(host->capabilities);
    json_object *o = json_object_new_object();

    for (guint i = 0; i < keys->len; i++) {
        const char *k = g_ptr_array_index(keys, i);
        if (g_str_has_prefix(k, "kvm.") != kvm)
            continue;
        json_object_object_add(o, k, json_object_new_string(
            g_hash_table_lookup(host->capabilities, k)));
    }
    return o;
}

static json_object *
vmc_host_json_qemu(const VmcHost *host)
{
    json_object *o;

    if (!host->qemu_version && !host->qemu_binary && !host->machine_types)
        return NULL;
    o = json_object_new_object();
    if (host->qemu_version)
        json_object_object_add(o, "version", json_object_new_string(host->qemu_version));
    if (host->qemu_binary)
        json_object_object_add(o, "binary", json_object_new_string(host->qemu_binary));
    if (host->machine_types)
        json_object_object_add(o, "machine_types", vmc_host_json_strings(host->machine_types));
    return o;
}

static json_object *
vmc_host_json_kvm(const VmcHost *host)
{
    json_object *o = json_object_new_object();

    json_object_object_add(o, "present", json_object_new_boolean(host->has_kvm));
    if (host->kvm_api_version >= 0)
        json_object_object_add(o, "api_version",
                               json_object_new_int(host->kvm_api_version));
    json_object_object_add(o, "capabilities", vmc_host_json_caps(host, TRUE));
    return o;
}

static json_object *
vmc_host_json_cpuid(const VmcCpuidData *data)
{
    json_object *leaves = json_object_new_array();

    for (guint i = 0; i < vmc_cpuid_data_leaf_count(data); i++) {
        const VmcCpuidLeaf *l = vmc_cpuid_data_leaf(data, i);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "eax_in", vmc_host_json_hex(l->eax_in));
        json_object_object_add(o, "ecx_in", vmc_host_json_hex(l->ecx_in));
        json_object_object_add(o, "eax", vmc_host_json_hex(l->eax));
        json_object_object_add(o, "ebx", vmc_host_json_hex(l->ebx));
        json_object_object_add(o, "ecx", vmc_host_json_hex(l->ecx));
        json_object_object_add(o, "edx", vmc_host_json_hex(l->edx));
        json_object_array_add(leaves, o);
    }
    return leaves;
}

/* The feature MSRs of host->cpuid that the catalog locates features in,
 * in catalog order (VmcCpuidData offers lookups, not iteration; an MSR no
 * catalog feature lives in decodes to nothing), or NULL when none. */
static json_object *
vmc_host_json_msrs(const VmcHost *host)
{
    guint n = vmc_catalog_feature_count(host->cat, host->arch);
    g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(guint32));
    json_object *msrs = NULL;

    for (guint i = 0; i < n; i++) {
        const VmcFeature *f = vmc_catalog_feature(host->cat, host->arch, i);
        const VmcMsr *m;
        gboolean dup = FALSE;
        json_object *o;

        if (f->loc != VMC_FEATURE_LOC_MSR)
            continue;
        for (guint k = 0; k < seen->len; k++)
            dup |= g_array_index(seen, guint32, k) == f->msr_index;
        if (dup || !(m = vmc_cpuid_data_find_msr(host->cpuid, f->msr_index)))
            continue;
        g_array_append_val(seen, f->msr_index);
        o = json_object_new_object();
        json_object_object_add(o, "index", vmc_host_json_hex(m->index));
        json_object_object_add(o, "eax", vmc_host_json_hex(m->eax));
        json_object_object_add(o, "edx", vmc_host_json_hex(m->edx));
        if (!msrs)
            msrs = json_object_new_array();
        json_object_array_add(msrs, o);
    }
    return msrs;
}

static json_object *
vmc_host_json_cpu(const VmcHost *host)
{
    json_object *o = json_object_new_object();

    if (host->vendor)
        json_object_object_add(o, "vendor", json_object_new_string(host->vendor));
    if (host->has_signature) {
        json_object *sig = json_object_new_object();
        json_object_object_add(sig, "family", json_object_new_int((int) host->family));
        json_object_object_add(sig, "model", json_object_new_int((int) host->model));
        json_object_object_add(sig, "stepping", json_object_new_int((int) host->stepping));
        json_object_object_add(o, "signature", sig);
    }
    if (host->cpuid) {
        json_object *msrs = vmc_host_json_msrs(host);
        json_object_object_add(o, "cpuid", vmc_host_json_cpuid(host->cpuid));
        if (msrs)
            json_object_object_add(o, "msrs", msrs);
    }
    json_object_object_add(o, "hardware_features",
                           vmc_host_json_names(host, &host->hw_features));
    if (!vmc_feature_set_is_empty(&host->kvm_features))
        json_object_object_add(o, "kvm_features",
                               vmc_host_json_names(host, &host->kvm_features));
    return o;
}

/* QEMU's replies, embedded as JSON (text that is not JSON stays a string). */
static json_object *
vmc_host_json_qmp(const VmcHost *host)
{
    g_autoptr(GPtrArray) keys = vmc_host_sorted_keys(host->qmp);
    json_object *o = json_object_new_object();

    for (guint i = 0; i < keys->len; i++) {
        const char *k = g_ptr_array_index(keys, i);
        const char *text = g_hash_table_lookup(host->qmp, k);
        json_object *v = json_tokener_parse(text);
        json_object_object_add(o, k, v ? v : json_object_new_string(text));
    }
    return o;
}

json_object *
vmc__host_document(const VmcHost *host)
{
    json_object *o;
    json_object *qemu;

    g_return_val_if_fail(host != NULL, NULL);
    o = json_object_new_object();
    json_object_object_add(o, "format", json_object_new_int(VMC_HOST_FORMAT));
    json_object_object_add(o, "arch", json_object_new_string(vmc_arch_to_string(host->arch)));
    json_object_object_add(o, "source", json_object_new_string(
        vmc_host_source_to_string(host->doc_source)));
    if (host->name)
        json_object_object_add(o, "name", json_object_new_string(host->name));
    if (host->kernel)
        json_object_object_add(o, "kernel", json_object_new_string(host->kernel));
    if ((qemu = vmc_host_json_qemu(host)))
        json_object_object_add(o, "qemu", qemu);
    json_object_object_add(o, "kvm", vmc_host_json_kvm(host));
    json_object_object_add(o, "capabilities", vmc_host_json_caps(host, FALSE));
    json_object_object_add(o, "cpu", vmc_host_json_cpu(host));
    if (g_hash_table_size(host->qmp) > 0)
        json_object_object_add(o, "qmp", vmc_host_json_qmp(host));
    json_object_object_add(o, "notes", vmc_host_json_strings(host->notes));
    return o;
}

char *
vmc_host_to_json(const VmcHost *host)
{
    json_object *o;
    char *text;

    g_return_val_if_fail(host != NULL, NULL);
    o = vmc__host_document(host);
    text = g_strconcat(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE),
                       "\n", NULL);
    json_object_put(o);
    return text;
}

/* ---- atomic save --------------------------------------------------------- */

/* Write all of @data to @fd. */
static gboolean
vmc_host_write_all(int fd, const char *data, gsize len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return FALSE;
        }
        data += n;
        len -= (gsize) n;
    }
    return TRUE;
}

/* Make the rename durable: fsync the directory (best effort: some file
 * systems refuse to fsync a directory, which loses nothing here). */
static void
vmc_host_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    if (fsync(fd) < 0)
        g_debug("fsync of directory %s: %s", dir, g_strerror(errno));
    close(fd);
}

/* Replace @path by @data atomically: readers see the old file or the whole
 * new one, never a part; on failure the temporary file is removed. */
static gboolean
vmc_host_write_atomic(const char *path, const char *data, gsize len,
                      GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *tmp = g_strdup_printf("%s/.%s.tmp-XXXXXX", dir, base);
    int fd;
    int err;

    fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) {
        err = errno;
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "%s: cannot create a temporary file in '%s': %s", path, dir,
                    g_strerror(err));
        return FALSE;
    }
    if (!vmc_host_write_all(fd, data, len)) {
        err = errno;
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "%s: cannot write the host document: %s", path, g_strerror(err));
        goto fail;
    }
    if (fsync(fd) < 0) {
        err = errno;
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "%s: cannot flush the host document to disk: %s", path,
                    g_strerror(err));
        goto fail;
    }
    if (close(fd) < 0) {
        fd = -1;
        err = errno;
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "%s: cannot write the host document: %s", path, g_strerror(err));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) < 0) {
        err = errno;
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "%s: cannot replace the file with the new host document: %s",
                    path, g_strerror(err));
        goto fail;
    }
    vmc_host_sync_dir(dir);
    return TRUE;

 fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return FALSE;
}

gboolean
vmc_host_save(const VmcHost *host, const char *path, GError **error)
{
    g_autofree char *text = NULL;

    g_return_val_if_fail(host != NULL && path != NULL, FALSE);
    text = vmc_host_to_json(host);
    return vmc_host_write_atomic(path, text, strlen(text), error);
}

/* ---- reading the host document ----------------------------------------- */

/* One JSON member: absent (or null) leaves *@ret NULL; present with
 * another type is an error naming @field. */
static gboolean
vmc_doc_member(json_object *obj, const char *key, json_type type,
               const char *file, const char *field, json_object **ret,
               GError **error)
{
    json_object *v = NULL;

    *ret = NULL;
    if (!json_object_object_get_ex(obj, key, &v) || !v)
        return TRUE;
    if (!json_object_is_type(v, type)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field '%s': expected %s, got %s", file, field,
                    json_type_to_name(type),
                    json_type_to_name(json_object_get_type(v)));
        return FALSE;
    }
    *ret = v;
    return TRUE;
}

/* A string member (bounded), copied to *@ret; absent leaves it alone. */
static gboolean
vmc_doc_string(json_object *obj, const char *key, const char *file,
               const char *field, char **ret, GError **error)
{
    json_object *v;

    if (!vmc_doc_member(obj, key, json_type_string, file, field, &v, error))
        return FALSE;
    if (!v)
        return TRUE;
    if (json_object_get_string_len(v) > VMC_HOST_MAX_STRING) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "%s: field '%s': longer than %d bytes", file, field,
                    VMC_HOST_MAX_STRING);
        return FALSE;
    }
    g_free(*ret);
    *ret = g_strdup(json_object_get_string(v));
    return TRUE;
}

/* An array member of at most @max entries. */
static gboolean
vmc_doc_array(json_object *obj, const char *key, const char *file,
              const char *field, guint max, json_object **ret, GError **error)
{
    if (!vmc_doc_member(obj, key, json_type_array, file, field, ret, error))
        return FALSE;
    if (*ret && json_object_array_length(*ret) > max) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "%s: field '%s': more than %u entries", file, field, max);
        return FALSE;
    }
    return TRUE;
}

/* A uint32 given as a JSON integer or a "0x…"/decimal string. */
static gboolean
vmc_doc_u32(json_object *obj, const char *key, gboolean required,
            const char *file, const char *field, guint32 *ret, GError **error)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(obj, key, &v) || !v) {
        if (!required) {
            *ret = 0;
            return TRUE;
        }
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field '%s': missing", file, field);
        return FALSE;
    }
    if (json_object_is_type(v, json_type_int)) {
        gint64 n = json_object_get_int64(v);
        if (n >= 0 && n <= G_MAXUINT32) {
            *ret = (guint32) n;
            return TRUE;
        }
    } else if (json_object_is_type(v, json_type_string) &&
               vmc_parse_uint32(json_object_get_string(v), ret)) {
        return TRUE;
    }
    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                "%s: field '%s': expected a 32-bit unsigned number, got '%s'",
                file, field, json_object_to_json_string(v));
    return FALSE;
}

/* Feature names to a set; names this catalog does not know are left out
 * and listed in a note (a document from another catalog version reads). */
static gboolean
vmc_doc_features(VmcHost *host, json_object *cpu, const char *key,
                 const char *file, VmcFeatureSet *ret, GError **error)
{
    g_autofree char *field = g_strdup_printf("cpu.%s", key);
    g_autoptr(GString) unknown = g_string_new(NULL);
    guint n_unknown = 0;
    json_object *a;

    if (!vmc_doc_array(cpu, key, file, field, VMC_HOST_MAX_ITEMS, &a, error))
        return FALSE;
    for (gsize i = 0; a && i < json_object_array_length(a); i++) {
        json_object *e = json_object_array_get_idx(a, i);
        const VmcFeature *f;

        if (!json_object_is_type(e, json_type_string)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field '%s[%zu]': expected a feature name, got %s",
                        file, field, i, json_object_to_json_string(e));
            return FALSE;
        }
        f = vmc_catalog_feature_lookup(host->cat, host->arch, json_object_get_string(e));
        if (f) {
            vmc_feature_set_add(ret, vmc_feature_get_id(f));
            continue;
        }
        if (n_unknown++ < 20)
            g_string_append_printf(unknown, "%s%s", unknown->len ? ", " : "",
                                   json_object_get_string(e));
    }
    if (n_unknown)
        vmc__host_note(host, "%s: field '%s': %u feature(s) unknown to this catalog left out: %s%s",
                       file, field, n_unknown, unknown->str, n_unknown > 20 ? ", ..." : "");
    return TRUE;
}

/* A capability value: a string, or a boolean/integer written as one. */
static gboolean
vmc_doc_caps(VmcHost *host, json_object *caps, const char *file,
             const char *field, GError **error)
{
    if (!caps)
        return TRUE;
    if (json_object_object_length(caps) > VMC_HOST_MAX_ITEMS) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "%s: field '%s': more than %d entries", file, field,
                    VMC_HOST_MAX_ITEMS);
        return FALSE;
    }
    json_object_object_foreach(caps, k, v) {
        g_autofree char *value = NULL;

        if (json_object_is_type(v, json_type_string) &&
            json_object_get_string_len(v) <= VMC_HOST_MAX_STRING)
            value = g_strdup(json_object_get_string(v));
        else if (json_object_is_type(v, json_type_boolean))
            value = g_strdup(json_object_get_boolean(v) ? "yes" : "no");
        else if (json_object_is_type(v, json_type_int))
            value = g_strdup_printf("%" G_GINT64_FORMAT, json_object_get_int64(v));
        if (!value || strlen(k) > VMC_HOST_MAX_STRING) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field '%s.%s': expected a string, boolean or integer value",
                        file, field, k);
            return FALSE;
        }
        vmc__host_set_capability(host, k, value);
    }
    return TRUE;
}

static gboolean
vmc_doc_string_list(json_object *obj, const char *key, const char *file,
                    const char *field, GPtrArray **ret, GError **error)
{
    g_autoptr(GPtrArray) list = NULL;
    json_object *a;

    if (!vmc_doc_array(obj, key, file, field, VMC_HOST_MAX_ITEMS, &a, error))
        return FALSE;
    if (!a)
        return TRUE;
    list = g_ptr_array_new_with_free_func(g_free);
    for (gsize i = 0; i < json_object_array_length(a); i++) {
        json_object *e = json_object_array_get_idx(a, i);
        if (!json_object_is_type(e, json_type_string) ||
            json_object_get_string_len(e) > VMC_HOST_MAX_STRING) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field '%s[%zu]': expected a string of at most %d bytes",
                        file, field, i, VMC_HOST_MAX_STRING);
            return FALSE;
        }
        g_ptr_array_add(list, g_strdup(json_object_get_string(e)));
    }
    if (*ret)
        g_ptr_array_unref(*ret);
    *ret = g_steal_pointer(&list);
    return TRUE;
}

static gboolean
vmc_doc_read_qemu(VmcHost *host, json_object *root, const char *file,
                  GError **error)
{
    json_object *q;

    if (!vmc_doc_member(root, "qemu", json_type_object, file, "qemu", &q, error))
        return FALSE;
    if (!q)
        return TRUE;
    return vmc_doc_string(q, "version", file, "qemu.version", &host->qemu_version, error) &&
           vmc_doc_string(q, "binary", file, "qemu.binary", &host->qemu_binary, error) &&
           vmc_doc_string_list(q, "machine_types", file, "qemu.machine_types",
                               &host->machine_types, error);
}

static gboolean
vmc_doc_read_kvm(VmcHost *host, json_object *root, const char *file,
                 GError **error)
{
    json_object *kvm, *present, *api, *caps;

    if (!vmc_doc_member(root, "kvm", json_type_object, file, "kvm", &kvm, error))
        return FALSE;
    if (!kvm)
        return TRUE;
    if (!vmc_doc_member(kvm, "present", json_type_boolean, file, "kvm.present",
                        &present, error) ||
        !vmc_doc_member(kvm, "api_version", json_type_int, file, "kvm.api_version",
                        &api, error) ||
        !vmc_doc_member(kvm, "capabilities", json_type_object, file,
                        "kvm.capabilities", &caps, error))
        return FALSE;
    if (!present) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'kvm.present': missing", file);
        return FALSE;
    }
    host->has_kvm = json_object_get_boolean(present);
    if (api) {
        gint64 v = json_object_get_int64(api);
        if (v < 0 || v > G_MAXINT) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field 'kvm.api_version': out of range: %" G_GINT64_FORMAT,
                        file, v);
            return FALSE;
        }
        host->kvm_api_version = (int) v;
    }
    return vmc_doc_caps(host, caps, file, "kvm.capabilities", error);
}

static gboolean
vmc_doc_read_cpuid(VmcHost *host, json_object *cpu, const char *file,
                   GError **error)
{
    g_autoptr(VmcCpuidData) data = NULL;
    json_object *leaves, *msrs;

    if (!vmc_doc_array(cpu, "cpuid", file, "cpu.cpuid", VMC_HOST_MAX_ITEMS, &leaves, error) ||
        !vmc_doc_array(cpu, "msrs", file, "cpu.msrs", VMC_HOST_MAX_ITEMS, &msrs, error))
        return FALSE;
    if (!leaves && !msrs)
        return TRUE;
    data = vmc_cpuid_data_new();
    for (gsize i = 0; leaves && i < json_object_array_length(leaves); i++) {
        json_object *e = json_object_array_get_idx(leaves, i);
        g_autofree char *f = g_strdup_printf("cpu.cpuid[%zu]", i);
        g_autofree char *f_eax_in = g_strdup_printf("%s.eax_in", f);
        g_autofree char *f_ecx_in = g_strdup_printf("%s.ecx_in", f);
        g_autofree char *f_eax = g_strdup_printf("%s.eax", f);
        g_autofree char *f_ebx = g_strdup_printf("%s.ebx", f);
        g_autofree char *f_ecx = g_strdup_printf("%s.ecx", f);
        g_autofree char *f_edx = g_strdup_printf("%s.edx", f);
        VmcCpuidLeaf l = { 0 };

        if (!json_object_is_type(e, json_type_object)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field '%s': expected an object {eax_in, ecx_in, eax, ebx, ecx, edx}",
                        file, f);
            return FALSE;
        }
        if (!vmc_doc_u32(e, "eax_in", TRUE, file, f_eax_in, &l.eax_in, error) ||
            !vmc_doc_u32(e, "ecx_in", FALSE, file, f_ecx_in, &l.ecx_in, error) ||
            !vmc_doc_u32(e, "eax", TRUE, file, f_eax, &l.eax, error) ||
            !vmc_doc_u32(e, "ebx", TRUE, file, f_ebx, &l.ebx, error) ||
            !vmc_doc_u32(e, "ecx", TRUE, file, f_ecx, &l.ecx, error) ||
            !vmc_doc_u32(e, "edx", TRUE, file, f_edx, &l.edx, error))
            return FALSE;
        vmc_cpuid_data_add_leaf(data, &l);
    }
    for (gsize i = 0; msrs && i < json_object_array_length(msrs); i++) {
        json_object *e = json_object_array_get_idx(msrs, i);
        g_autofree char *f = g_strdup_printf("cpu.msrs[%zu]", i);
        g_autofree char *f_index = g_strdup_printf("%s.index", f);
        g_autofree char *f_eax = g_strdup_printf("%s.eax", f);
        g_autofree char *f_edx = g_strdup_printf("%s.edx", f);
        VmcMsr m = { 0 };

        if (!json_object_is_type(e, json_type_object)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field '%s': expected an object {index, eax, edx}", file, f);
            return FALSE;
        }
        if (!vmc_doc_u32(e, "index", TRUE, file, f_index, &m.index, error) ||
            !vmc_doc_u32(e, "eax", TRUE, file, f_eax, &m.eax, error) ||
            !vmc_doc_u32(e, "edx", TRUE, file, f_edx, &m.edx, error))
            return FALSE;
        vmc_cpuid_data_add_msr(data, &m);
    }
    vmc_cpuid_data_free(host->cpuid);
    host->cpuid = g_steal_pointer(&data);
    return TRUE;
}

static gboolean
vmc_doc_read_signature(VmcHost *host, json_object *cpu, const char *file,
                       GError **error)
{
    json_object *sig;
    guint32 fam = 0, mod = 0, step = 0;

    if (!vmc_doc_member(cpu, "signature", json_type_object, file, "cpu.signature",
                        &sig, error))
        return FALSE;
    if (!sig)
        return TRUE;
    if (!vmc_doc_u32(sig, "family", TRUE, file, "cpu.signature.family", &fam, error) ||
        !vmc_doc_u32(sig, "model", TRUE, file, "cpu.signature.model", &mod, error) ||
        !vmc_doc_u32(sig, "stepping", FALSE, file, "cpu.signature.stepping", &step, error))
        return FALSE;
    if (fam > 0xffff || mod > 0xffff || step > 0xffff) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'cpu.signature': family/model/stepping out of range (%u/%u/%u)",
                    file, fam, mod, step);
        return FALSE;
    }
    host->has_signature = TRUE;
    host->family = fam;
    host->model = mod;
    host->stepping = step;
    return TRUE;
}

/* The vendor name for @v: a catalog vendor name, or the name of a CPUID
 * vendor string ("GenuineIntel" → "Intel"), else @v itself. */
static char *
vmc_host_vendor_name(const VmcHost *host, const char *v)
{
    const char *name;

    if (vmc_catalog_vendor_string(host->cat, host->arch, v))
        return g_strdup(v);
    name = vmc_catalog_vendor_name(host->cat, host->arch, v);
    return g_strdup(name ? name : v);
}

static gboolean
vmc_doc_read_cpu(VmcHost *host, json_object *root, const char *file,
                 GError **error)
{
    g_autofree char *vendor = NULL;
    json_object *cpu;

    if (!vmc_doc_member(root, "cpu", json_type_object, file, "cpu", &cpu, error))
        return FALSE;
    if (!cpu)
        return TRUE;
    if (!vmc_doc_string(cpu, "vendor", file, "cpu.vendor", &vendor, error) ||
        !vmc_doc_read_signature(host, cpu, file, error) ||
        !vmc_doc_read_cpuid(host, cpu, file, error) ||
        !vmc_doc_features(host, cpu, "hardware_features", file, &host->hw_features, error) ||
        !vmc_doc_features(host, cpu, "kvm_features", file, &host->kvm_features, error))
        return FALSE;
    if (vendor)
        host->vendor = vmc_host_vendor_name(host, vendor);
    if (host->cpuid && host->arch == VMC_ARCH_X86_64) {
        /* Raw CPUID is the hardware: decode it with this catalog too. */
        VmcFeatureSet raw;
        vmc_cpuid_data_features(host->cpuid, host->cat, &raw);
        vmc_feature_set_or(&host->hw_features, &host->hw_features, &raw);
        if (!host->vendor) {
            g_autofree char *vs = vmc_cpuid_data_vendor(host->cpuid);
            const char *vn = vs ? vmc_catalog_vendor_name(host->cat, host->arch, vs) : NULL;
            host->vendor = g_strdup(vn);
        }
        if (!host->has_signature) {
            guint32 s = 0;
            host->has_signature = vmc_cpuid_data_signature(host->cpuid, &s, &host->family,
                                                           &host->model, &host->stepping);
        }
    }
    return TRUE;
}

static gboolean
vmc_doc_read_qmp(VmcHost *host, json_object *root, const char *file,
                 GError **error)
{
    json_object *qmp;

    if (!vmc_doc_member(root, "qmp", json_type_object, file, "qmp", &qmp, error))
        return FALSE;
    if (!qmp)
        return TRUE;
    if (json_object_object_length(qmp) > VMC_HOST_MAX_QMP_REPLIES) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "%s: field 'qmp': more than %d replies", file,
                    VMC_HOST_MAX_QMP_REPLIES);
        return FALSE;
    }
    json_object_object_foreach(qmp, k, v) {
        if (strlen(k) > VMC_HOST_MAX_STRING) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                        "%s: field 'qmp': a command name is longer than %d bytes",
                        file, VMC_HOST_MAX_STRING);
            return FALSE;
        }
        vmc__host_set_qmp_reply(host, k, json_object_to_json_string_ext(
                                    v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    }
    return TRUE;
}

static gboolean
vmc_doc_read_format(json_object *root, const char *file, GError **error)
{
    json_object *v = NULL;

    json_object_object_get_ex(root, "format", &v);
    if (!json_object_is_type(v, json_type_int) ||
        json_object_get_int64(v) != VMC_HOST_FORMAT) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'format': unsupported host document format %s (this vmcompat reads format 1)",
                    file, json_object_to_json_string(v));
        return FALSE;
    }
    return TRUE;
}

/* Our host document, "format": 1 (docs/host-document.md). */
VmcHost *
vmc__host_from_document(VmcCatalog *cat, json_object *root, const char *name,
                        GError **error)
{
    const char *file = name ? name : "(host)";
    g_autoptr(VmcHost) host = NULL;
    g_autofree char *arch_name = NULL;
    g_autofree char *source = NULL;
    g_autoptr(GPtrArray) notes = NULL;
    VmcArch arch;
    int src;

    if (!vmc_doc_read_format(root, file, error) ||
        !vmc_doc_string(root, "arch", file, "arch", &arch_name, error) ||
        !vmc_doc_string(root, "source", file, "source", &source, error))
        return NULL;
    if (!arch_name) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'arch': missing", file);
        return NULL;
    }
    arch = vmc_arch_from_string(arch_name);
    if (arch == VMC_ARCH_N) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "%s: field 'arch': unsupported architecture '%s'", file, arch_name);
        return NULL;
    }
    host = vmc__host_new(cat, arch, VMC_HOST_SOURCE_DOCUMENT);
    if (!vmc_doc_string_list(root, "notes", file, "notes", &notes, error))
        return NULL;
    for (guint i = 0; notes && i < notes->len; i++)
        vmc__host_note(host, "%s", (const char *) g_ptr_array_index(notes, i));
    src = vmc_enum_from_string(vmc_host_source_names, VMC_HOST_SOURCE_N, source);
    if (source && src < 0)
        vmc__host_note(host, "%s: field 'source': unknown source '%s', read as 'document'",
                       file, source);
    host->doc_source = src < 0 ? VMC_HOST_SOURCE_DOCUMENT : (VmcHostSource) src;
    if (!vmc_doc_string(root, "name", file, "name", &host->name, error) ||
        !vmc_doc_string(root, "kernel", file, "kernel", &host->kernel, error) ||
        !vmc_doc_read_qemu(host, root, file, error) ||
        !vmc_doc_read_kvm(host, root, file, error))
        return NULL;
    {
        json_object *caps;
        if (!vmc_doc_member(root, "capabilities", json_type_object, file,
                            "capabilities", &caps, error) ||
            !vmc_doc_caps(host, caps, file, "capabilities", error))
            return NULL;
    }
    if (!vmc_doc_read_cpu(host, root, file, error) ||
        !vmc_doc_read_qmp(host, root, file, error))
        return NULL;
    if (!host->name)
        host->name = g_strdup(file);
    if (!vmc__host_finish(host, error))
        return NULL;
    return g_steal_pointer(&host);
}

/* The 1-based line of byte @off of @data. */
static long
vmc_host_line_at(const char *data, gsize len, gsize off)
{
    long line = 1;
    for (gsize i = 0; i < off && i < len; i++)
        line += data[i] == '\n';
    return line;
}

static VmcHost *
vmc_host_parse_json(VmcCatalog *cat, const char *data, gsize len,
                    const char *file, GError **error)
{
    json_tokener *tok = json_tokener_new_ex(64);
    g_autoptr(json_object) root = NULL;
    enum json_tokener_error jerr;
    gsize end;

    if (len > G_MAXINT) {
        json_tokener_free(tok);
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT, "%s: input too large", file);
        return NULL;
    }
    root = json_tokener_parse_ex(tok, data, (int) len);
    jerr = json_tokener_get_error(tok);
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:%ld: invalid JSON: %s",
                    file, vmc_host_line_at(data, len, end),
                    jerr == json_tokener_success || jerr == json_tokener_continue ?
                    "unexpected end of input (truncated?)" : json_tokener_error_desc(jerr));
        return NULL;
    }
    for (gsize i = end; i < len; i++) {
        if (!g_ascii_isspace(data[i])) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s:%ld: invalid JSON: trailing data after the document",
                        file, vmc_host_line_at(data, len, i));
            return NULL;
        }
    }
    if (!json_object_is_type(root, json_type_object)) {
        vmc__host_not_a_host(error, file, 1, "JSON that is not an object");
        return NULL;
    }
    if (!json_object_object_get_ex(root, "format", NULL)) {
        if (json_object_object_get_ex(root, "request", NULL) &&
            json_object_object_get_ex(root, "response", NULL))
            vmc__host_not_a_host(error, file, 1, "one QMP capture file: give its directory");
        else
            vmc__host_not_a_host(error, file, 1, "JSON without a \"format\" member");
        return NULL;
    }
    return vmc__host_from_document(cat, root, file, error);
}

/* ---- load / parse: format detection ------------------------------------ */

VmcHost *
vmc_host_parse(VmcCatalog *cat, const char *data, gsize len, const char *name,
               GError **error)
{
    const char *file = name ? name : "(host)";
    const char *p = data;
    const char *end;

    g_return_val_if_fail(cat != NULL && (data != NULL || len == 0), NULL);
    if (len > VMC_MAX_INPUT_SIZE) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "%s: input larger than the %d MiB limit", file,
                    VMC_MAX_INPUT_SIZE / (1024 * 1024));
        return NULL;
    }
    end = data + len;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (p < end && g_ascii_isspace(*p))
        p++;
    if (p == end) {
        vmc__host_not_a_host(error, file, 1, "empty input");
        return NULL;
    }
    if (*p == '{' || *p == '[')
        return vmc_host_parse_json(cat, data, len, file, error);
    if (*p == '<')
        return vmc__host_parse_xml(cat, data, len, file, error);
    vmc__host_not_a_host(error, file, vmc_host_line_at(data, len, (gsize) (p - data)),
                         "neither JSON nor XML");
    return NULL;
}

VmcHost *
vmc_host_load(VmcCatalog *cat, const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    struct stat st;

    g_return_val_if_fail(cat != NULL && path != NULL, NULL);
    if (stat(path, &st) < 0) {
        int err = errno;
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s: cannot open: %s", path,
                    g_strerror(err));
        return NULL;
    }
    if (S_ISDIR(st.st_mode))
        return vmc__host_load_qmp_dir(cat, path, error);
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
        vmc__host_not_a_host(error, path, 1, "empty file");
        return NULL;
    }
    if (!vmc_file_read(path, &data, &len, error))
        return NULL;
    return vmc_host_parse(cat, data, len, path, error);
}
