/* host-kernel.c: a host document as it would be on another mainline Linux
 * kernel — vmc_host_with_kernel(), the `--to-kernel` of `fleet
 * upgrade-impact`.
 *
 * What a kernel release brings comes from the project's data, never from
 * a guess:
 *   - KVM capabilities and paravirtual bits: the mainline release that
 *     shipped each ("since" in data/host/kvm-capabilities.json, embedded);
 *   - every other capability a platform requires (tap.uso, ...): the
 *     kernel of the oldest upstream platform (based_on null) requiring it —
 *     tools/gen/gen-platforms.py gives a platform to each such release
 *     (linux-6.2: tap.uso, linux-6.17: tap.tunnel-udp), and
 *     tests/unit/test-fleet.c holds this to the release cited in
 *     tools/gen/sources/linux-platforms.json.
 *
 * The rule, for a host on kernel X.Y given kernel K:
 *   - a capability released after K is set to "no": no kernel before its
 *     release has it (a downgrade takes it away);
 *   - a capability the catalog's rules ask of the host's arch (a platform
 *     requires it there, or a tunable of the arch needs it) released after
 *     X.Y and not after K is set to "yes": mainline K ships it (KVM ones
 *     only where the host has KVM);
 *   - everything else keeps the probed value: hardware, configuration and
 *     the probe's privileges decide it, not the release — and the CPU KVM
 *     offers (kvm_features) stays, the data has no release for it.
 * A distribution kernel ("5.14.0-427.el9") is refused: backports make its
 * capabilities differ from mainline's; describe such hosts with a host
 * document.
 *
 * Workload: once per host kind of an upgrade; ~110 dated capabilities.
 */
#include "host/host-kernel-private.h"
#include "host/host-doc.h"

#include <gio/gio.h>
#include <json-c/json.h>
#include <string.h>

#include "base/util.h"
#include "catalog/machine-private.h"
#include <vmcompat/error.h>
#include <vmcompat/platform.h>

#define VMC_KERNEL_CAPS_RESOURCE "/org/vmcompat/data/host/kvm-capabilities.json"
#define VMC_KERNEL_MAX_LEN 64
#define VMC_KERNEL_MAX_PART 9999u

/* Compares two releases {major, minor, patch}. */
static int
vmc_kernel_cmp(const guint a[3], const guint b[3])
{
    for (guint i = 0; i < 3; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Reads the leading "X.Y" or "X.Y.Z" of @s into @rel (a missing Z is 0);
 * the number of characters read, 0 when @s does not start so. */
static gsize
vmc_kernel_scan(const char *s, guint rel[3])
{
    const char *p = s, *end = s;
    guint parts = 0;

    memset(rel, 0, 3 * sizeof(guint));
    while (parts < 3) {
        guint v = 0, d = 0;
        while (d < 5 && g_ascii_isdigit(p[d]))
            v = v * 10 + (guint) (p[d++] - '0');
        if (d == 0 || d == 5 || v > VMC_KERNEL_MAX_PART)
            break;
        rel[parts++] = v;
        p += d;
        end = p;
        if (*p != '.')
            break;
        p++;
    }
    if (parts < 2) {
        memset(rel, 0, 3 * sizeof(guint));
        return 0;
    }
    return (gsize) (end - s);
}

gboolean
vmc__kernel_release_parse(const char *kernel, guint ret[3], GError **error)
{
    guint rel[3];
    gsize n = kernel && strlen(kernel) <= VMC_KERNEL_MAX_LEN ? vmc_kernel_scan(kernel, rel) : 0;

    if (n > 0 && (kernel[n] == '-' || kernel[n] == '+')) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "kernel '%s': not a mainline release: the capabilities of a distribution "
                    "(or development) kernel differ from mainline %u.%u's by what it backports, "
                    "which the data does not say; give a mainline release (X.Y or X.Y.Z), or "
                    "describe such hosts with a host document ('vmcompat host probe' on one of "
                    "them)", kernel, rel[0], rel[1]);
        return FALSE;
    }
    if (n == 0 || kernel[n]) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "kernel '%s': not a Linux release: give a mainline release, X.Y or X.Y.Z "
                    "(e.g. 6.8)", kernel ? kernel : "");
        return FALSE;
    }
    memcpy(ret, rel, sizeof(rel));
    return TRUE;
}

/* One capability whose mainline release the data knows. */
typedef struct {
    guint since[3];
    gboolean asked;          /* a rule of the host's arch asks for it */
} VmcKernelCap;

/* name → VmcKernelCap from kvm-capabilities.json ("capabilities" as
 * kvm.cap.<name>, "paravirt" as kvm.pv.<name>). */
static gboolean
vmc_kernel_caps_kvm(GHashTable *caps, GError **error)
{
    g_autoptr(GBytes) b = g_resources_lookup_data(VMC_KERNEL_CAPS_RESOURCE, 0, NULL);
    static const char *const lists[][2] = {
        { "capabilities", "kvm.cap." },
        { "paravirt", "kvm.pv." },
    };
    json_object *root;
    gsize len = 0;
    const char *text;

    if (!b) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG, "built-in data '%s' is missing",
                    VMC_KERNEL_CAPS_RESOURCE);
        return FALSE;
    }
    text = g_bytes_get_data(b, &len);
    root = json_tokener_parse(text);
    for (guint l = 0; l < G_N_ELEMENTS(lists); l++) {
        json_object *arr = NULL;
        if (!root || !json_object_object_get_ex(root, lists[l][0], &arr) ||
            !json_object_is_type(arr, json_type_array)) {
            json_object_put(root);
            g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG, "%s: expected an array '%s'",
                        VMC_KERNEL_CAPS_RESOURCE, lists[l][0]);
            return FALSE;
        }
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
            json_object *e = json_object_array_get_idx(arr, i), *n = NULL, *s = NULL;
            VmcKernelCap *c = g_new0(VmcKernelCap, 1);
            const char *since;
            if (!json_object_object_get_ex(e, "name", &n) ||
                !json_object_object_get_ex(e, "since", &s) || !(since = json_object_get_string(s)) ||
                vmc_kernel_scan(since, c->since) != strlen(since)) {
                g_free(c);
                json_object_put(root);
                g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG,
                            "%s: field '%s[%zu]': needs a name and a release 'since' "
                            "(X.Y or X.Y.Z)", VMC_KERNEL_CAPS_RESOURCE, lists[l][0], i);
                return FALSE;
            }
            g_hash_table_insert(caps, g_strconcat(lists[l][1], json_object_get_string(n), NULL), c);
        }
    }
    json_object_put(root);
    return TRUE;
}

/* Every capability with a known mainline release, and whether the rules of
 * @arch ask for it. */
static GHashTable *
vmc_kernel_caps(const VmcCatalog *cat, VmcArch arch, GError **error)
{
    g_autoptr(GHashTable) caps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    if (!vmc_kernel_caps_kvm(caps, error))
        return NULL;
    /* platforms, oldest first: the first upstream one requiring a
     * capability dates it (when the KVM data does not) */
    for (guint i = 0; i < vmc_catalog_platform_count(cat); i++) {
        const VmcPlatform *p = vmc_catalog_platform(cat, i);
        guint rel[3];
        if (vmc_platform_get_based_on(p) ||
            vmc_kernel_scan(vmc_platform_get_kernel(p), rel) == 0)
            continue;
        for (guint a = 0; a < VMC_ARCH_N; a++) {
            g_autoptr(GPtrArray) list = vmc_platform_capabilities(p, a);
            for (guint c = 0; c < list->len; c++) {
                const char *name = g_ptr_array_index(list, c);
                VmcKernelCap *kc = g_hash_table_lookup(caps, name);
                if (!kc) {
                    kc = g_new0(VmcKernelCap, 1);
                    memcpy(kc->since, rel, sizeof(rel));
                    g_hash_table_insert(caps, g_strdup(name), kc);
                }
                kc->asked |= a == arch;
            }
        }
    }
    for (guint i = 0; i < vmc_catalog_tunable_count(cat); i++) {
        const VmcTunable *t = vmc_catalog_tunable(cat, i);
        if (!vmc_tunable_has_arch(t, arch))
            continue;
        for (guint v = 0; t->need_values[v]; v++) {
            const char *const *need = g_ptr_array_index(t->need_caps, v);
            for (guint c = 0; need[c]; c++) {
                VmcKernelCap *kc = g_hash_table_lookup(caps, need[c]);
                if (kc)
                    kc->asked = TRUE;
            }
        }
    }
    return g_steal_pointer(&caps);
}

/* Sets capability @name to @value where a host document keeps it (kvm.*
 * under kvm.capabilities, the others under capabilities). */
static void
vmc_kernel_set_cap(json_object *doc, const char *name, const char *value)
{
    gboolean kvm = g_str_has_prefix(name, "kvm.");
    json_object *parent = doc, *obj = NULL, *other = NULL, *kvm_obj = NULL;

    if (json_object_object_get_ex(doc, "kvm", &kvm_obj) &&
        json_object_is_type(kvm_obj, json_type_object)) {
        if (kvm)
            parent = kvm_obj;
        else if (json_object_object_get_ex(kvm_obj, "capabilities", &other))
            json_object_object_del(other, name);
    }
    if (kvm && json_object_object_get_ex(doc, "capabilities", &other))
        json_object_object_del(other, name);
    if (!json_object_object_get_ex(parent, "capabilities", &obj) ||
        !json_object_is_type(obj, json_type_object)) {
        obj = json_object_new_object();
        json_object_object_add(parent, "capabilities", obj);
    }
    json_object_object_add(obj, name, json_object_new_string(value));
}

VmcHost *
vmc_host_with_kernel(VmcCatalog *cat, const VmcHost *host, const char *kernel, GError **error)
{
    g_autoptr(GHashTable) caps = NULL;
    g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *old_text = vmc_host_kernel_version(host);
    g_autofree char *note = NULL;
    g_autofree char *added_text = NULL, *removed_text = NULL;
    json_object *doc, *notes = NULL;
    VmcHost *out;
    guint to[3], old[3];
    GHashTableIter it;
    gpointer k, v;

    g_return_val_if_fail(cat != NULL && host != NULL, NULL);
    if (!vmc__kernel_release_parse(kernel, to, error))
        return NULL;
    if (!old_text || vmc_kernel_scan(old_text, old) == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "host %s: its document names no kernel release (field 'kernel'), so what "
                    "kernel %s would add or take away is unknown; describe the upgraded host "
                    "with a host document", vmc_host_get_name(host), kernel);
        return NULL;
    }
    if (!(caps = vmc_kernel_caps(cat, vmc_host_get_arch(host), error)))
        return NULL;
    doc = vmc__host_document(host);
    g_hash_table_iter_init(&it, caps);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const VmcKernelCap *kc = v;
        gboolean has = vmc_host_has_capability(host, k);
        if (vmc_kernel_cmp(kc->since, to) > 0) {
            if (has)
                g_ptr_array_add(removed, g_strdup(k));
        } else if (kc->asked && !has && vmc_kernel_cmp(kc->since, old) > 0 &&
                   (!g_str_has_prefix(k, "kvm.") || vmc_host_has_kvm(host))) {
            g_ptr_array_add(added, g_strdup(k));
        }
    }
    g_ptr_array_sort(added, vmc_strptr_cmp);
    g_ptr_array_sort(removed, vmc_strptr_cmp);
    for (guint i = 0; i < added->len; i++)
        vmc_kernel_set_cap(doc, g_ptr_array_index(added, i), "yes");
    for (guint i = 0; i < removed->len; i++)
        vmc_kernel_set_cap(doc, g_ptr_array_index(removed, i), "no");
    json_object_object_add(doc, "kernel", json_object_new_string(kernel));
    g_ptr_array_add(added, NULL);
    g_ptr_array_add(removed, NULL);
    added_text = g_strjoinv(", ", (char **) added->pdata);
    removed_text = g_strjoinv(", ", (char **) removed->pdata);
    note = g_strdup_printf("kernel %s made mainline %s (vmc_host_with_kernel, releases from the "
                           "data): capabilities added: %s; taken away: %s", old_text, kernel,
                           *added_text ? added_text : "none", *removed_text ? removed_text : "none");
    if (!json_object_object_get_ex(doc, "notes", &notes) ||
        !json_object_is_type(notes, json_type_array)) {
        notes = json_object_new_array();
        json_object_object_add(doc, "notes", notes);
    }
    json_object_array_add(notes, json_object_new_string(note));
    out = vmc__host_from_document(cat, doc, vmc_host_get_name(host), error);
    json_object_put(doc);
    return out;
}
