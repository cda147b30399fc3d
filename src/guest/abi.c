/* abi.c: guest resolution, the resolved ABI document, runnability checks
 * and the QEMU command line of an ABI.
 *
 * Workload: one guest at a time; resolution walks ~60 tunables and ~400
 * CPU features. The ABI's canonical JSON (keys in a fixed order, lists
 * sorted, no whitespace) is what the fingerprint hashes.
 */
#include <json-c/json.h>
#include <string.h>

#include "base/json-util.h"
#include "base/util.h"
#include "catalog/catalog-private.h"
#include "catalog/cpu-def-private.h"
#include "cpu/arch/arch-ops.h"
#include "guest/guest-private.h"
#include <vmcompat/abi.h>
#include <vmcompat/error.h>
#include <vmcompat/machine.h>
#include <vmcompat/platform.h>

#define VMC_ABI_FORMAT 1

typedef struct {
    char *name, *driver, *property, *value, *source;
} VmcAbiTunablePriv;


static VmcAbi *
vmc_abi_new(VmcCatalog *cat)
{
    VmcAbi *abi = g_new0(VmcAbi, 1);
    abi->refs = 1;
    abi->cat = vmc_catalog_ref(cat);
    abi->tunables = g_array_new(FALSE, TRUE, sizeof(VmcAbiTunable));
    abi->properties = g_array_new(FALSE, TRUE, sizeof(VmcAbiTunable));
    abi->strings = g_string_chunk_new(512);
    abi->virtio = g_array_new(FALSE, TRUE, sizeof(VmcGuestVirtio));
    return abi;
}

VmcAbi *
vmc_abi_ref(VmcAbi *abi)
{
    g_atomic_int_inc(&abi->refs);
    return abi;
}

void
vmc_abi_unref(VmcAbi *abi)
{
    if (!abi || !g_atomic_int_dec_and_test(&abi->refs))
        return;
    g_free(abi->machine);
    g_free(abi->platform);
    g_strfreev(abi->devices);
    g_array_unref(abi->tunables);
    g_array_unref(abi->properties);
    g_string_chunk_free(abi->strings);
    g_clear_pointer(&abi->original, vmc_cpu_def_unref);
    g_clear_pointer(&abi->updated, vmc_cpu_def_unref);
    g_free(abi->guest_name);
    g_free(abi->fingerprint);
    g_free(abi->os);
    g_array_unref(abi->virtio);
    vmc_catalog_unref(abi->cat);
    g_free(abi);
}

static void
vmc_abi_add(VmcAbi *abi, GArray *into, const char *driver, const char *property,
            const char *value, const char *source)
{
    g_autofree char *name = g_strconcat(driver, ".", property, NULL);
    VmcAbiTunable t = {
        .name = g_string_chunk_insert_const(abi->strings, name),
        .driver = g_string_chunk_insert_const(abi->strings, driver),
        .property = g_string_chunk_insert_const(abi->strings, property),
        .value = g_string_chunk_insert_const(abi->strings, value),
        .source = g_string_chunk_insert_const(abi->strings, source),
    };
    g_array_append_val(into, t);
}

static gint
vmc_abi_tunable_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(((const VmcAbiTunable *) a)->name, ((const VmcAbiTunable *) b)->name);
}

/* ---- CPU as JSON -------------------------------------------------------- */

const char *
vmc__abi_model_name(const VmcCpuDef *def)
{
    return def->model_ref ? vmc_cpu_model_get_name(def->model_ref) : def->model;
}

/* original: {"mode", "model", "check", "features": {name: policy}} */
static json_object *
vmc_abi_cpu_original_json(const VmcCpuDef *def)
{
    json_object *o = json_object_new_object();
    json_object *feats = json_object_new_object();
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    json_object_object_add(o, "check", json_object_new_string(vmc_cpu_check_to_string(def->check)));
    for (guint i = 0; i < def->features->len; i++)
        g_ptr_array_add(names, (gpointer) vmc_feature_get_name(
            vmc_catalog_feature(def->cat, def->arch, g_array_index(def->features, VmcCpuFeature, i).id)));
    g_ptr_array_sort(names, vmc_strptr_cmp);
    for (guint i = 0; i < names->len; i++) {
        const VmcFeature *f = vmc_catalog_feature_lookup(def->cat, def->arch, g_ptr_array_index(names, i));
        json_object_object_add(feats, g_ptr_array_index(names, i),
                               json_object_new_string(vmc_feature_policy_to_string(
                                   vmc_cpu_def_get_policy(def, vmc_feature_get_id(f)))));
    }
    json_object_object_add(o, "features", feats);
    json_object_object_add(o, "mode", json_object_new_string(vmc_cpu_mode_to_string(def->mode)));
    if (def->model)
        json_object_object_add(o, "model", json_object_new_string(def->model));
    return o;
}

/* updated: {"disabled": [...], "enabled": [...], "model"} — every feature */
static json_object *
vmc_abi_cpu_updated_json(const VmcCpuDef *def)
{
    json_object *o = json_object_new_object();
    g_autoptr(GPtrArray) on = g_ptr_array_new();
    g_autoptr(GPtrArray) off = g_ptr_array_new();
    json_object *jon = json_object_new_array(), *joff = json_object_new_array();

    for (guint i = 0; i < def->features->len; i++) {
        const VmcCpuFeature *f = &g_array_index(def->features, VmcCpuFeature, i);
        const char *n = vmc_feature_get_name(vmc_catalog_feature(def->cat, def->arch, f->id));
        g_ptr_array_add(f->policy == VMC_FEATURE_POLICY_REQUIRE ||
                        f->policy == VMC_FEATURE_POLICY_FORCE ? on : off, (gpointer) n);
    }
    g_ptr_array_sort(on, vmc_strptr_cmp);
    g_ptr_array_sort(off, vmc_strptr_cmp);
    for (guint i = 0; i < off->len; i++)
        json_object_array_add(joff, json_object_new_string(g_ptr_array_index(off, i)));
    for (guint i = 0; i < on->len; i++)
        json_object_array_add(jon, json_object_new_string(g_ptr_array_index(on, i)));
    json_object_object_add(o, "disabled", joff);
    json_object_object_add(o, "enabled", jon);
    json_object_object_add(o, "model", json_object_new_string(vmc__abi_model_name(def)));
    return o;
}

static json_object *
vmc_abi_tunables_json(const GArray *list, gboolean with_source)
{
    json_object *arr = json_object_new_array();
    for (guint i = 0; i < list->len; i++) {
        const VmcAbiTunable *t = &g_array_index(list, VmcAbiTunable, i);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "driver", json_object_new_string(t->driver));
        json_object_object_add(o, "property", json_object_new_string(t->property));
        if (with_source)
            json_object_object_add(o, "source", json_object_new_string(t->source));
        json_object_object_add(o, "value", json_object_new_string(t->value));
        json_object_array_add(arr, o);
    }
    return arr;
}

/* The fingerprinted part, keys in alphabetical order. Where a value came
 * from (source) is not part of the ABI. */
static json_object *
vmc_abi_core_json(const VmcAbi *abi)
{
    json_object *o = json_object_new_object();
    json_object *cpu = json_object_new_object();
    json_object *devs = json_object_new_array();
    g_autofree char *rel = vmc_release_to_string(&abi->release);

    json_object_object_add(o, "accel", json_object_new_string(vmc_accel_to_string(abi->accel)));
    json_object_object_add(o, "arch", json_object_new_string(vmc_arch_to_string(abi->arch)));
    json_object_object_add(cpu, "original", abi->original ?
                           vmc_abi_cpu_original_json(abi->original) : NULL);
    json_object_object_add(cpu, "updated", vmc_abi_cpu_updated_json(abi->updated));
    json_object_object_add(o, "cpu", cpu);
    for (char **d = abi->devices; d && *d; d++)
        json_object_array_add(devs, json_object_new_string(*d));
    json_object_object_add(o, "devices", devs);
    json_object_object_add(o, "machine", json_object_new_string(abi->machine));
    json_object_object_add(o, "platform", abi->platform ? json_object_new_string(abi->platform) : NULL);
    json_object_object_add(o, "properties", vmc_abi_tunables_json(abi->properties, FALSE));
    json_object_object_add(o, "release", json_object_new_string(rel));
    json_object_object_add(o, "tunables", vmc_abi_tunables_json(abi->tunables, FALSE));
    return o;
}

static char *
vmc_abi_compute_fingerprint(const VmcAbi *abi)
{
    json_object *core = vmc_abi_core_json(abi);
    const char *text = json_object_to_json_string_ext(core, JSON_C_TO_STRING_PLAIN |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
    char *out = g_strconcat("sha256:", sum, NULL);
    json_object_put(core);
    return out;
}

/* "guest-os": what the guest says it runs and where its virtio devices
 * sit — the input of the guest OS check (docs/guestos.md); informative,
 * outside the fingerprint. */
static json_object *
vmc_abi_guest_os_json(const VmcAbi *abi)
{
    json_object *o = json_object_new_object();
    json_object *arr = json_object_new_array();

    json_object_object_add(o, "os", json_object_new_string(abi->os));
    for (guint i = 0; i < abi->virtio->len; i++) {
        const VmcGuestVirtio *v = &g_array_index(abi->virtio, VmcGuestVirtio, i);
        json_object *d = json_object_new_object();
        json_object_object_add(d, "device", json_object_new_string(v->what));
        json_object_object_add(d, "kind", json_object_new_string(v->kind));
        json_object_object_add(d, "model", json_object_new_string(vmc_virtio_model_to_string(v->model)));
        json_object_object_add(d, "slot", json_object_new_string(v->slot));
        json_object_object_add(d, "placed-by-default", json_object_new_boolean(v->slot_by_default));
        json_object_array_add(arr, d);
    }
    json_object_object_add(o, "virtio", arr);
    return o;
}

static void
vmc_abi_add_virtio(VmcAbi *abi, const char *what, const char *kind, VmcVirtioModel model,
                   const char *slot, gboolean by_default)
{
    vmc__virtio_append(abi->virtio, abi->strings, what, kind, model, slot, by_default, NULL);
}

static gboolean
vmc_abi_parse_guest_os(VmcAbi *abi, json_object *o, const char *name, GError **error)
{
    json_object *arr = vmc_json_get(o, "virtio", json_type_array);
    const char *os = vmc_json_str(o, "os");

    if (!os || !*os) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'guest-os.os': missing", name);
        return FALSE;
    }
    abi->os = g_strdup(os);
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        json_object *d = json_object_array_get_idx(arr, i);
        const char *what = json_object_is_type(d, json_type_object) ? vmc_json_str(d, "device") : NULL;
        const char *kind = what ? vmc_json_str(d, "kind") : NULL;
        const char *slot = what ? vmc_json_str(d, "slot") : NULL;
        json_object *bydef = what ? vmc_json_get(d, "placed-by-default", json_type_boolean) : NULL;
        VmcVirtioModel model;
        if (!what || !kind || !slot || !vmc_virtio_model_from_string(vmc_json_str(d, "model"), &model)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field 'guest-os.virtio[%zu]': needs device, kind, slot and model "
                        "(virtio, virtio-transitional, virtio-non-transitional)", name, i);
            return FALSE;
        }
        vmc_abi_add_virtio(abi, what, kind, model, slot, bydef && json_object_get_boolean(bydef));
    }
    return TRUE;
}

char *
vmc_abi_to_json(const VmcAbi *abi)
{
    json_object *o = json_object_new_object();
    json_object *core = vmc_abi_core_json(abi);
    char *out;

    json_object_object_add(o, "format", json_object_new_int(VMC_ABI_FORMAT));
    json_object_object_add(o, "fingerprint", json_object_new_string(abi->fingerprint));
    if (abi->guest_name)
        json_object_object_add(o, "guest", json_object_new_string(abi->guest_name));
    if (abi->os)
        json_object_object_add(o, "guest-os", vmc_abi_guest_os_json(abi));
    /* the guest named its platform (a restart keeps it): not guest-visible,
     * so outside the fingerprint; written only when true */
    if (abi->platform_named)
        json_object_object_add(o, "platform-named", json_object_new_boolean(TRUE));
    json_object_object_foreach(core, key, val) {
        if (g_str_equal(key, "tunables"))
            json_object_object_add(o, key, vmc_abi_tunables_json(abi->tunables, TRUE));
        else
            json_object_object_add(o, key, json_object_get(val));
    }
    out = g_strdup_printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                                 JSON_C_TO_STRING_SPACED |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(core);
    json_object_put(o);
    return out;
}

/* ---- resolution ----------------------------------------------------------- */

static gboolean
vmc_tunable_applies(const VmcTunable *t, const char *const *devices)
{
    const char *const *to = vmc_tunable_get_applies_to(t);
    for (guint i = 0; to[i]; i++) {
        if (g_str_equal(to[i], "*machine*") || g_str_equal(to[i], "*cpu*"))
            return TRUE;
        if (devices && g_strv_contains(devices, to[i]))
            return TRUE;
    }
    return FALSE;
}

/* Whether QEMU @rel predates tunable @t (it arrived in a later release). */
gboolean
vmc__release_after(const VmcRelease *since, const VmcRelease *rel)
{
    return since && vmc_release_compare(since, rel) > 0;
}

gboolean
vmc__tunable_after(const VmcTunable *t, const VmcRelease *rel)
{
    VmcRelease since;
    return vmc_tunable_get_since(t) && vmc_release_parse(vmc_tunable_get_since(t), &since, NULL) &&
           vmc__release_after(&since, rel);
}

/* Whether some value of @t needs a KVM capability (kvm.cap.*, kvm.pv.*). */
static gboolean
vmc_tunable_needs_kvm(const VmcTunable *t)
{
    for (guint i = 0; t->need_values[i]; i++) {
        const char *const *caps = g_ptr_array_index(t->need_caps, i);
        for (guint c = 0; caps[c]; c++)
            if (g_str_has_prefix(caps[c], "kvm."))
                return TRUE;
    }
    return FALSE;
}

/* The tunable an explicit property sets: same property, on the tunable's
 * driver or one of the concrete types it reaches. */
static const VmcTunable *
vmc_tunable_for_prop(const VmcCatalog *cat, const VmcGuestProp *p)
{
    const VmcTunable *t = vmc_catalog_tunable_lookup(cat, p->driver, p->property);
    if (t)
        return t;
    for (guint i = 0; i < vmc_catalog_tunable_count(cat); i++) {
        t = vmc_catalog_tunable(cat, i);
        if (g_str_equal(vmc_tunable_get_property(t), p->property) &&
            g_strv_contains(vmc_tunable_get_applies_to(t), p->driver))
            return t;
    }
    return NULL;
}

/* Whether a compat property on QOM type @driver reaches the guest's CPU:
 * "x86_64-cpu" reaches every x86 CPU; "Skylake-Server-x86_64-cpu" only the
 * unversioned name as the guest wrote it (QEMU registers the -vN versions
 * as other types, compat-props.json notes). */
static gboolean
vmc_abi_compat_reaches_cpu(const char *driver, const VmcGuest *g)
{
    const char *suffix = g->arch == VMC_ARCH_S390X ? "-s390x-cpu" : "-x86_64-cpu";
    const char *model = g->cpu && g->cpu->mode == VMC_CPU_MODE_CUSTOM ?
                        vmc_cpu_def_get_model(g->cpu) : NULL;
    gsize n;

    if (g_str_equal(driver, suffix + 1))
        return TRUE;
    if (!model && g->arch == VMC_ARCH_X86_64 && !g->cpu)
        model = "qemu64";   /* QEMU's default CPU */
    n = model ? strlen(model) : 0;
    return model && g_str_has_prefix(driver, model) && g_str_equal(driver + n, suffix);
}

static gboolean
vmc_host_release(const VmcHost *host, VmcRelease *ret)
{
    const char *v = vmc_host_get_qemu_version(host);
    return v && vmc_release_parse(v, ret, NULL);
}

static VmcCpuDef *
vmc_abi_default_cpu(VmcCatalog *cat, VmcArch arch, GError **error)
{
    /* QEMU's default: qemu64 on x86 (pc/q35); s390x under KVM: host */
    if (arch == VMC_ARCH_X86_64)
        return vmc_cpu_def_parse_cli(cat, arch, "qemu64", error);
    {
        VmcCpuDef *def = vmc_cpu_def_new(cat, arch, VMC_CPU_TYPE_GUEST);
        vmc_cpu_def_set_mode(def, VMC_CPU_MODE_HOST_MODEL);
        return def;
    }
}

/* A host-model CPU as QEMU @rel would present it: without the features
 * that release does not know, and (x86) decoded to a model it has. */
static gboolean
vmc_abi_fit_release(VmcCatalog *cat, VmcCpuDef **def, const VmcHost *host,
                    const VmcRelease *rel, GError **error)
{
    VmcArch arch = (*def)->arch;
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, arch);
    const VmcCpuDef *hcpu = vmc_host_get_cpu(host);
    g_autoptr(GPtrArray) allowed = g_ptr_array_new();
    VmcFeatureSet set;
    guint fam = 0, mod = 0, step = 0;
    gboolean has_sig;
    VmcCpuDef *fitted;

    if (!vmc_cpu_effective_features(*def, &set, error))
        return FALSE;
    for (guint id = 0; id < ac->features->len; id++) {
        const VmcFeature *f = g_ptr_array_index(ac->features, id);
        if (vmc_feature_set_has(&set, id) &&
            vmc_release_knows_feature(cat, arch, rel, f->name, NULL) == VMC_RELEASE_KNOWS_NO)
            vmc_feature_set_remove(&set, id);
    }
    if (arch != VMC_ARCH_X86_64) {
        for (guint i = 0; i < (*def)->features->len; i++) {
            VmcCpuFeature *f = &g_array_index((*def)->features, VmcCpuFeature, i);
            if (!vmc_feature_set_has(&set, f->id))
                f->policy = VMC_FEATURE_POLICY_DISABLE;
        }
        return TRUE;
    }
    for (guint i = 0; i < ac->models->len; i++) {
        const VmcCpuModel *m = g_ptr_array_index(ac->models, i);
        if (vmc_release_knows_model(cat, arch, rel, m->name, NULL) != VMC_RELEASE_KNOWS_NO)
            g_ptr_array_add(allowed, m->name);
    }
    g_ptr_array_add(allowed, NULL);
    has_sig = hcpu && vmc_cpu_def_get_signature(hcpu, &fam, &mod, &step);
    fitted = vmc_cpu_decode_features(cat, arch, &set, hcpu ? vmc_cpu_def_get_vendor(hcpu) : NULL,
                                     has_sig, fam, mod, step, VMC_CPU_TYPE_GUEST,
                                     (const char *const *) allowed->pdata, NULL, error);
    if (!fitted)
        return FALSE;
    fitted->mode = VMC_CPU_MODE_CUSTOM;
    vmc_cpu_def_unref(*def);
    *def = fitted;
    return TRUE;
}

/* The capabilities of platform @name that @host lacks, comma separated, or
 * NULL when it supports the platform (or no such platform is known). */
static char *
vmc_abi_platform_missing(const VmcCatalog *cat, const VmcHost *host, const char *name)
{
    g_autoptr(GArray) rows = vmc_host_query_platforms(host, cat);

    for (guint i = 0; i < rows->len; i++) {
        VmcHostPlatform *r = &g_array_index(rows, VmcHostPlatform, i);
        if (g_str_equal(vmc_platform_get_name(r->platform), name) && !r->supported) {
            g_ptr_array_add(r->missing, NULL);
            return g_strjoinv(", ", (char **) r->missing->pdata);
        }
    }
    return NULL;
}

VmcAbi *
vmc_guest_resolve(VmcCatalog *cat, const VmcGuest *g, const VmcHost *host,
                  const VmcRelease *release, GError **error)
{
    g_autoptr(VmcAbi) abi = vmc_abi_new(cat);
    g_autoptr(VmcCpuDef) work = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(GHashTable) explicit_set = g_hash_table_new(g_direct_hash, g_direct_equal);
    const VmcMachineType *mt;
    const VmcPlatform *platform = NULL;
    const VmcReason *bad;
    VmcRelease newest;

    g_return_val_if_fail(cat && g && host, NULL);
    abi->arch = g->arch;
    abi->guest_name = g_strdup(g->name);
    if (g->os) {
        abi->os = g_strdup(g->os);
        for (guint i = 0; i < g->virtio->len; i++) {
            const VmcGuestVirtio *gv = &g_array_index(g->virtio, VmcGuestVirtio, i);
            vmc_abi_add_virtio(abi, gv->what, gv->kind, gv->model, gv->slot, gv->slot_by_default);
        }
    }
    if (vmc_host_get_arch(host) != g->arch) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_HOST_CAPABILITY,
                    "host does not support running this guest: the guest is %s, the host %s",
                    vmc_arch_to_string(g->arch), vmc_arch_to_string(vmc_host_get_arch(host)));
        return NULL;
    }
    if (release)
        abi->release = *release;
    else if (!vmc_host_release(host, &abi->release)) {
        if (!vmc_catalog_newest_release(cat, &newest)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG, "the catalog knows no QEMU release");
            return NULL;
        }
        abi->release = newest;
    }
    /* accelerator */
    abi->accel = g->accel != VMC_ACCEL_NONE ? g->accel :
                 vmc_host_has_kvm(host) ? VMC_ACCEL_KVM : VMC_ACCEL_TCG;
    /* machine type */
    mt = g->machine ? vmc_catalog_machine_lookup(cat, g->arch, g->machine, &abi->release)
                    : vmc_catalog_machine_default(cat, g->arch, &abi->release);
    if (!mt) {
        g_autofree char *rel = vmc_release_to_string(&abi->release);
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "machine type '%s' is not a known %s machine type for %s",
                    g->machine ? g->machine : "(default)", vmc_arch_to_string(g->arch), rel);
        return NULL;
    }
    {
        VmcMachineStatus st = vmc_machine_type_status(mt, &abi->release);
        if (st == VMC_MACHINE_NOT_YET || st == VMC_MACHINE_DELETED) {
            g_autofree char *rel = vmc_release_to_string(&abi->release);
            g_autofree char *since = vmc_release_to_string(vmc_machine_type_get_since(mt));
            g_set_error(error, VMC_ERROR, VMC_ERROR_HOST_CAPABILITY,
                        "host does not support running this guest: machine type %s %s %s",
                        vmc_machine_type_get_name(mt),
                        st == VMC_MACHINE_NOT_YET ? "arrived in" : "is no longer in",
                        st == VMC_MACHINE_NOT_YET ? since : rel);
            return NULL;
        }
    }
    abi->machine = g_strdup(vmc_machine_type_get_name(mt));
    /* platform */
    if (g->platform) {
        g_autofree char *missing = NULL;
        platform = vmc_catalog_platform_lookup(cat, g->platform);
        if (!platform) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                        "unknown platform '%s' (see 'vmcompat catalog platforms')", g->platform);
            return NULL;
        }
        missing = vmc_abi_platform_missing(cat, host, g->platform);
        if (missing) {
            g_autofree char *kernel = vmc_host_kernel_version(host);
            g_set_error(error, VMC_ERROR, VMC_ERROR_HOST_CAPABILITY,
                        "host does not support running this guest: platform %s needs "
                        "capabilities %s; this host%s%s lacks them", g->platform, missing,
                        kernel ? "'s kernel " : "", kernel ? kernel : "");
            return NULL;
        }
    } else {
        platform = vmc_host_default_platform(host, cat);
    }
    abi->platform = platform ? g_strdup(vmc_platform_get_name(platform)) : NULL;
    abi->platform_named = g->platform != NULL;
    abi->devices = g_strdupv((char **) vmc_guest_get_devices(g));

    /* explicit settings: tunables or guest-ABI-only properties */
    for (guint i = 0; i < g->props->len; i++) {
        const VmcGuestProp *p = &g_array_index(g->props, VmcGuestProp, i);
        const VmcTunable *t = vmc_tunable_for_prop(cat, p);
        if (!t) {
            vmc_abi_add(abi, abi->properties, p->driver, p->property, p->value, "guest");
            continue;
        }
        g_hash_table_insert(explicit_set, (gpointer) t, (gpointer) p);
    }
    for (guint i = 0; i < vmc_catalog_tunable_count(cat); i++) {
        const VmcTunable *t = vmc_catalog_tunable(cat, i);
        const VmcGuestProp *p = g_hash_table_lookup(explicit_set, t);
        const VmcCompatProp *cp;
        const char *value, *source;

        if (!vmc_tunable_has_arch(t, g->arch))
            continue;
        if (vmc_tunable_get_kind(t) == VMC_TUNABLE_CPU_FEATURE) {
            /* A CPUID bit the machine type sets on a CPU model (pc-*-3.1:
             * Skylake-Server mpx=on): the model as QEMU defines it on that
             * machine type. Absent a compat value the model's own holds. */
            if (!p && !vmc__tunable_after(t, &abi->release) &&
                (cp = vmc_machine_type_compat_lookup(mt, vmc_tunable_get_driver(t),
                                                           vmc_tunable_get_property(t))) &&
                vmc_abi_compat_reaches_cpu(vmc_tunable_get_driver(t), g))
                vmc_abi_add(abi, abi->tunables, vmc_tunable_get_driver(t),
                            vmc_tunable_get_property(t), cp->value, "machine-type");
            else if (p)
                vmc_abi_add(abi, abi->tunables, vmc_tunable_get_driver(t),
                            vmc_tunable_get_property(t), p->value, "guest");
            continue;
        }
        if (!p && !vmc_tunable_applies(t, (const char *const *) abi->devices))
            continue;
        if (!p && abi->accel != VMC_ACCEL_KVM && vmc_tunable_needs_kvm(t))
            continue;   /* a KVM knob: TCG has no such thing */
        /* A knob the release lacks is nothing to fix — unless the guest
         * asks for it: then it stays, and the check below refuses it. */
        if (!p && vmc__tunable_after(t, &abi->release))
            continue;
        cp = vmc_machine_type_compat_lookup(mt, vmc_tunable_get_driver(t), vmc_tunable_get_property(t));
        if (p) {
            value = p->value;
            source = "guest";
        } else if (cp) {
            value = cp->value;
            source = "machine-type";
        } else if (vmc_tunable_get_kind(t) == VMC_TUNABLE_PLATFORM && platform &&
                   vmc_platform_tunable_value(platform, t)) {
            value = vmc_platform_tunable_value(platform, t);
            source = "platform";
        } else if (vmc_tunable_get_kind(t) == VMC_TUNABLE_BACKEND && vmc_tunable_get_qemu_default(t)) {
            value = vmc_tunable_get_qemu_default(t);
            source = "default";
        } else {
            value = vmc_tunable_get_safe_value(t);
            source = "safe-default";
        }
        vmc_abi_add(abi, abi->tunables, vmc_tunable_get_driver(t), vmc_tunable_get_property(t),
                    value, source);
    }
    g_array_sort(abi->tunables, vmc_abi_tunable_cmp);
    g_array_sort(abi->properties, vmc_abi_tunable_cmp);

    /* CPU: original as asked; updated = what QEMU presents, with the CPU
     * tunables (KVM paravirt bits) fixed as resolved above */
    if (g->cpu)
        abi->original = vmc_cpu_def_copy(g->cpu);
    if (abi->original && abi->original->mode == VMC_CPU_MODE_CUSTOM) {
        work = vmc_cpu_def_copy(abi->original);
    } else if (!abi->original && g->arch == VMC_ARCH_X86_64) {
        work = vmc_abi_default_cpu(cat, g->arch, error);
        if (!work)
            return NULL;
    } else {
        work = vmc_host_model(host, NULL, error);
        if (!work) {
            g_prefix_error(error, "host does not support running this guest: host-model CPU: ");
            return NULL;
        }
        if (!vmc_abi_fit_release(cat, &work, host, &abi->release, error))
            return NULL;
    }
    for (guint i = 0; i < abi->tunables->len; i++) {
        const VmcAbiTunable *t = &g_array_index(abi->tunables, VmcAbiTunable, i);
        const VmcFeature *f = vmc_catalog_feature_lookup(cat, g->arch, t->property);
        if (!f || vmc_cpu_def_get_policy(work, vmc_feature_get_id(f)) >= 0 ||
            !g_str_has_suffix(t->driver, "-cpu"))
            continue;
        vmc_cpu_def_set_feature(work, vmc_feature_get_id(f),
                                vmc_tunable_value_equal(t->value, "on") ?
                                VMC_FEATURE_POLICY_REQUIRE : VMC_FEATURE_POLICY_DISABLE);
    }
    abi->updated = vmc_cpu_present(work, vmc_host_get_cpu(host), abi->accel, error);
    if (!abi->updated)
        return NULL;
    abi->fingerprint = vmc_abi_compute_fingerprint(abi);

    /* fail, never flip: the ABI must run here as resolved */
    v = vmc_abi_check(abi, host);
    bad = vmc_verdict_first_error(v);
    if (bad) {
        g_autoptr(GString) msg = g_string_new(NULL);
        guint more = 0;
        g_string_printf(msg, "host does not support running this guest: %s", bad->message);
        for (guint i = 0; i < vmc_verdict_count(v); i++) {
            const VmcReason *r = vmc_verdict_get(v, i);
            if (r == bad || r->severity != VMC_SEVERITY_ERROR)
                continue;
            g_string_append_printf(msg, "%s%s", more++ ? "; " : "; also: ", r->message);
        }
        g_set_error_literal(error, VMC_ERROR, VMC_ERROR_HOST_CAPABILITY, msg->str);
        return NULL;
    }
    return g_steal_pointer(&abi);
}

/* ---- reading an ABI back --------------------------------------------------- */

static gboolean
vmc_abi_parse_list(VmcAbi *abi, GArray *into, json_object *arr, const char *file,
                   const char *field, GError **error)
{
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        const char *d = vmc_json_str(o, "driver"), *p = vmc_json_str(o, "property");
        const char *val = vmc_json_str(o, "value"), *src = vmc_json_str(o, "source");
        if (!d || !p || !val) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field '%s[%zu]': needs driver, property and value", file, field, i);
            return FALSE;
        }
        vmc_abi_add(abi, into, d, p, val, src ? src : "guest");
    }
    g_array_sort(into, vmc_abi_tunable_cmp);
    return TRUE;
}

static gboolean
vmc_abi_set_feature(VmcCpuDef *def, const char *name, VmcFeaturePolicy pol,
                    const char *file, const char *field, GError **error)
{
    const VmcFeature *f = vmc_catalog_feature_lookup(def->cat, def->arch, name);
    if (!f) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "%s: field '%s': unknown %s CPU feature '%s'", file, field,
                    vmc_arch_to_string(def->arch), name);
        return FALSE;
    }
    vmc_cpu_def_set_feature(def, vmc_feature_get_id(f), pol);
    return TRUE;
}

static VmcCpuDef *
vmc_abi_parse_cpu(VmcCatalog *cat, VmcArch arch, json_object *o, gboolean updated,
                  const char *file, GError **error)
{
    g_autoptr(VmcCpuDef) def = vmc_cpu_def_new(cat, arch, VMC_CPU_TYPE_GUEST);
    const char *model = vmc_json_str(o, "model");
    const char *what = updated ? "cpu.updated" : "cpu.original";

    if (!json_object_is_type(o, json_type_object)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field '%s': not an object", file, what);
        return NULL;
    }
    if (!updated) {
        const char *mode = vmc_json_str(o, "mode"), *check = vmc_json_str(o, "check");
        json_object *feats = vmc_json_get(o, "features", json_type_object);
        if (mode) {
            VmcCpuMode m = vmc_cpu_mode_from_string(mode);
            if (m == VMC_CPU_MODE_N) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s: field '%s.mode': unknown CPU mode '%s'", file, what, mode);
                return NULL;
            }
            vmc_cpu_def_set_mode(def, m);
        }
        if (check) {
            VmcCpuCheck c = vmc_cpu_check_from_string(check);
            if (c == VMC_CPU_CHECK_N) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s: field '%s.check': unknown check mode '%s'", file, what, check);
                return NULL;
            }
            vmc_cpu_def_set_check(def, c);
        }
        if (model && !vmc_cpu_def_set_model(def, model, error)) {
            g_prefix_error(error, "%s: field '%s.model': ", file, what);
            return NULL;
        }
        if (feats) {
            json_object_object_foreach(feats, key, val) {
                VmcFeaturePolicy pol = vmc_feature_policy_from_string(json_object_get_string(val));
                if (pol == VMC_FEATURE_POLICY_N) {
                    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                                "%s: field '%s.features.%s': unknown policy", file, what, key);
                    return NULL;
                }
                if (!vmc_abi_set_feature(def, key, pol, file, what, error))
                    return NULL;
            }
        }
        return g_steal_pointer(&def);
    }
    if (!model || !vmc_cpu_def_set_model(def, model, error)) {
        if (error && !*error)
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field '%s.model': missing", file, what);
        else
            g_prefix_error(error, "%s: field '%s.model': ", file, what);
        return NULL;
    }
    for (guint k = 0; k < 2; k++) {
        json_object *list = vmc_json_get(o, k ? "disabled" : "enabled", json_type_array);
        for (size_t i = 0; list && i < json_object_array_length(list); i++) {
            const char *n = json_object_get_string(json_object_array_get_idx(list, i));
            if (!vmc_abi_set_feature(def, n ? n : "", k ? VMC_FEATURE_POLICY_DISABLE :
                                     VMC_FEATURE_POLICY_REQUIRE, file, what, error))
                return NULL;
        }
    }
    return g_steal_pointer(&def);
}

VmcAbi *
vmc_abi_parse(VmcCatalog *cat, const char *data, gsize len, const char *name,
              GError **error)
{
    json_object *root = vmc_json_parse(data, len, name, error);
    g_autoptr(VmcAbi) abi = NULL;
    json_object *fmt, *cpu, *devs, *orig, *upd;
    const char *s;
    VmcAbi *ret = NULL;

    if (!root)
        return NULL;
    abi = vmc_abi_new(cat);
    fmt = vmc_json_get(root, "format", json_type_int);
    if (!fmt || json_object_get_int(fmt) != VMC_ABI_FORMAT) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'format': not a resolved ABI (format %d) — write one with "
                    "'vmcompat guest resolve'", name, VMC_ABI_FORMAT);
        goto out;
    }
    s = vmc_json_str(root, "arch");
    abi->arch = s ? vmc_arch_from_string(s) : VMC_ARCH_N;
    if (abi->arch == VMC_ARCH_N) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'arch': missing or unknown", name);
        goto out;
    }
    if (!vmc_release_parse(vmc_json_str(root, "release"), &abi->release, error)) {
        g_prefix_error(error, "%s: field 'release': ", name);
        goto out;
    }
    s = vmc_json_str(root, "accel");
    abi->accel = s ? vmc_accel_from_string(s) : VMC_ACCEL_N;
    if (abi->accel == VMC_ACCEL_N || abi->accel == VMC_ACCEL_NONE) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'accel': kvm or tcg", name);
        goto out;
    }
    s = vmc_json_str(root, "machine");
    if (!s || !vmc_catalog_machine_lookup(cat, abi->arch, s, NULL)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "%s: field 'machine': unknown machine type '%s'",
                    name, s ? s : "");
        goto out;
    }
    abi->machine = g_strdup(s);
    abi->platform = g_strdup(vmc_json_str(root, "platform"));
    {
        json_object *named = NULL;
        if (json_object_object_get_ex(root, "platform-named", &named)) {
            if (!json_object_is_type(named, json_type_boolean)) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s: field 'platform-named': expected true or false", name);
                goto out;
            }
            abi->platform_named = json_object_get_boolean(named);
        }
    }
    abi->guest_name = g_strdup(vmc_json_str(root, "guest"));
    if (vmc_json_get(root, "guest-os", json_type_object) &&
        !vmc_abi_parse_guest_os(abi, vmc_json_get(root, "guest-os", json_type_object), name, error))
        goto out;
    devs = vmc_json_get(root, "devices", json_type_array);
    abi->devices = g_new0(char *, (devs ? json_object_array_length(devs) : 0) + 1);
    for (size_t i = 0; devs && i < json_object_array_length(devs); i++)
        abi->devices[i] = g_strdup(json_object_get_string(json_object_array_get_idx(devs, i)));
    if (!vmc_abi_parse_list(abi, abi->tunables, vmc_json_get(root, "tunables", json_type_array),
                            name, "tunables", error) ||
        !vmc_abi_parse_list(abi, abi->properties, vmc_json_get(root, "properties", json_type_array),
                            name, "properties", error))
        goto out;
    cpu = vmc_json_get(root, "cpu", json_type_object);
    upd = cpu ? vmc_json_get(cpu, "updated", json_type_object) : NULL;
    if (!upd) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'cpu.updated': missing", name);
        goto out;
    }
    orig = vmc_json_get(cpu, "original", json_type_object);
    if (orig && !(abi->original = vmc_abi_parse_cpu(cat, abi->arch, orig, FALSE, name, error)))
        goto out;
    if (!(abi->updated = vmc_abi_parse_cpu(cat, abi->arch, upd, TRUE, name, error)))
        goto out;
    abi->fingerprint = vmc_abi_compute_fingerprint(abi);
    s = vmc_json_str(root, "fingerprint");
    if (!s || !g_str_equal(s, abi->fingerprint)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'fingerprint': %s does not match the content (%s): the ABI was "
                    "edited after resolution; resolve the guest again", name, s ? s : "(missing)",
                    abi->fingerprint);
        goto out;
    }
    ret = g_steal_pointer(&abi);
out:
    json_object_put(root);
    return ret;
}

VmcAbi *
vmc_abi_load(VmcCatalog *cat, const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;

    if (!vmc_file_read(path, &data, &len, error))
        return NULL;
    return vmc_abi_parse(cat, data, len, path, error);
}

/* ---- QEMU command line ----------------------------------------------------- */

/* Whether to write tunable @at for QEMU @target. A tunable @target lacks
 * is left out when its value is the safe one — what a QEMU without the knob
 * does — and refused otherwise (FALSE with @error). */
static gboolean
vmc_abi_tunable_for_target(const VmcAbi *abi, const VmcAbiTunable *at, const VmcRelease *target,
                           const char *target_text, gboolean *write, GError **error)
{
    const VmcTunable *t = vmc_catalog_tunable_lookup(abi->cat, at->name, NULL);

    *write = !t || !vmc__tunable_after(t, target);
    if (*write || vmc_tunable_value_equal(at->value, vmc_tunable_get_safe_value(t)))
        return TRUE;
    g_set_error(error, VMC_ERROR, VMC_ERROR_HOST_CAPABILITY,
                "%s does not know %s property %s (it arrived in %s); it cannot be set to %s",
                target_text, at->driver, at->property, vmc_tunable_get_since(t), at->value);
    return FALSE;
}

GStrv
vmc_abi_qemu_args(const VmcAbi *abi, GError **error)
{
    return vmc_abi_qemu_args_for(abi, NULL, error);
}

GStrv
vmc_abi_qemu_args_for(const VmcAbi *abi, const VmcRelease *target, GError **error)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_autoptr(GString) cpu = g_string_new(vmc__abi_model_name(abi->updated));
    const char *cpu_type = abi->arch == VMC_ARCH_S390X ? "s390x-cpu" : "x86_64-cpu";
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    g_autofree char *target_text = NULL;

    if (!target)
        target = &abi->release;
    target_text = vmc_release_to_string(target);
    g_strv_builder_add_many(b, "-machine", abi->machine, "-accel",
                            vmc_accel_to_string(abi->accel), NULL);
    for (guint i = 0; i < abi->updated->features->len; i++) {
        const VmcCpuFeature *f = &g_array_index(abi->updated->features, VmcCpuFeature, i);
        const char *n = vmc_feature_get_name(vmc_catalog_feature(abi->cat, abi->arch, f->id));
        gboolean on = f->policy == VMC_FEATURE_POLICY_REQUIRE || f->policy == VMC_FEATURE_POLICY_FORCE;
        const char *since = NULL;
        if (vmc_release_knows_feature(abi->cat, abi->arch, target, n, &since) ==
            VMC_RELEASE_KNOWS_NO) {
            if (!on)
                continue;   /* that QEMU does not have it: off by construction */
            g_set_error(error, VMC_ERROR, VMC_ERROR_HOST_CAPABILITY,
                        "CPU feature %s arrived in %s; %s cannot enable it", n, since, target_text);
            return NULL;
        }
        g_ptr_array_add(names, g_strdup_printf("%s=%s", n, on ? "on" : "off"));
    }
    g_ptr_array_sort(names, vmc_strptr_cmp);
    for (guint i = 0; i < names->len; i++) {
        g_string_append_printf(cpu, ",%s", (char *) g_ptr_array_index(names, i));
        g_free(g_ptr_array_index(names, i));
    }
    for (guint i = 0; i < abi->tunables->len; i++) {
        const VmcAbiTunable *t = &g_array_index(abi->tunables, VmcAbiTunable, i);
        gboolean write;
        if (!g_str_equal(t->driver, cpu_type) ||
            vmc_catalog_feature_lookup(abi->cat, abi->arch, t->property))
            continue;
        if (!vmc_abi_tunable_for_target(abi, t, target, target_text, &write, error))
            return NULL;
        if (write)
            g_string_append_printf(cpu, ",%s=%s", t->property, t->value);
    }
    g_string_append(cpu, ",enforce");
    g_strv_builder_add_many(b, "-cpu", cpu->str, NULL);
    for (guint l = 0; l < 2; l++) {
        const GArray *list = l ? abi->properties : abi->tunables;
        for (guint i = 0; i < list->len; i++) {
            const VmcAbiTunable *t = &g_array_index(list, VmcAbiTunable, i);
            g_autofree char *arg = NULL;
            gboolean write = TRUE;
            if (g_str_has_suffix(t->driver, "-cpu"))
                continue;   /* in -cpu */
            if (!l && !vmc_abi_tunable_for_target(abi, t, target, target_text, &write, error))
                return NULL;
            if (!write)
                continue;   /* absent there, and its value is that QEMU's behaviour */
            arg = g_strdup_printf("%s.%s=%s", t->driver, t->property, t->value);
            g_strv_builder_add_many(b, "-global", arg, NULL);
        }
    }
    return g_strv_builder_end(b);
}

/* ---- accessors ------------------------------------------------------------- */

VmcArch vmc_abi_get_arch(const VmcAbi *abi) { return abi->arch; }
const VmcRelease *vmc_abi_get_release(const VmcAbi *abi) { return &abi->release; }
VmcAccel vmc_abi_get_accel(const VmcAbi *abi) { return abi->accel; }
const char *vmc_abi_get_machine(const VmcAbi *abi) { return abi->machine; }
const char *vmc_abi_get_platform(const VmcAbi *abi) { return abi->platform; }
gboolean vmc_abi_get_platform_named(const VmcAbi *abi) { return abi->platform_named; }
const char *const *vmc_abi_get_devices(const VmcAbi *abi) { return (const char *const *) abi->devices; }
guint vmc_abi_get_tunable_count(const VmcAbi *abi) { return abi->tunables->len; }
const VmcCpuDef *vmc_abi_get_cpu_original(const VmcAbi *abi) { return abi->original; }
const VmcCpuDef *vmc_abi_get_cpu_updated(const VmcAbi *abi) { return abi->updated; }
const char *vmc_abi_get_fingerprint(const VmcAbi *abi) { return abi->fingerprint; }

const VmcAbiTunable *
vmc_abi_get_tunable(const VmcAbi *abi, guint idx)
{
    g_return_val_if_fail(idx < abi->tunables->len, NULL);
    return &g_array_index(abi->tunables, VmcAbiTunable, idx);
}

const VmcAbiTunable *
vmc_abi_lookup_tunable(const VmcAbi *abi, const char *name)
{
    for (guint i = 0; i < abi->tunables->len; i++)
        if (g_str_equal(g_array_index(abi->tunables, VmcAbiTunable, i).name, name))
            return &g_array_index(abi->tunables, VmcAbiTunable, i);
    return NULL;
}

const char *vmc_abi_get_os(const VmcAbi *abi) { return abi->os; }
guint vmc_abi_get_virtio_count(const VmcAbi *abi) { return abi->virtio->len; }

const VmcGuestVirtio *
vmc_abi_get_virtio(const VmcAbi *abi, guint idx)
{
    g_return_val_if_fail(abi && idx < abi->virtio->len, NULL);
    return &g_array_index(abi->virtio, VmcGuestVirtio, idx);
}

const char *vmc_abi_get_guest_name(const VmcAbi *abi) { return abi->guest_name; }
