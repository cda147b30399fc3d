/* abi-guest.c: the guest definition a resolved ABI records — what the
 * guest itself asked for — so that it can be resolved again elsewhere
 * (a restart on an upgraded host: `fleet upgrade-impact`).
 *
 * An ABI keeps the guest's own choices apart from what resolution chose:
 * the original CPU, the machine type (concrete: libvirt, too, stores a
 * domain with its machine alias expanded once defined), the accelerator,
 * the devices, explicit settings (tunables with source "guest" and the
 * "properties"), the OS and its virtio devices. Values the machine type,
 * the platform or a default gave, and the updated CPU, are not part of
 * the definition: resolving it again recomputes them for the new host.
 * The platform is the one thing an ABI cannot attribute (it does not
 * record whether the guest named it), so the caller says what to do.
 *
 * Invariant (tests/unit/test-guest.c): resolving vmc_abi_to_guest(abi, 0)
 * on the host and release @abi was resolved on gives @abi again.
 *
 * Workload: once per guest that is resolved again; a few dozen settings.
 * Only public getters of VmcAbi are used, and its documented JSON
 * ("properties", which has no getter), so abi.c stays as it is.
 */
#include "guest/guest-private.h"

#include <json-c/json.h>
#include <string.h>

#include "base/json-util.h"
#include "catalog/cpu-def-private.h"
#include <vmcompat/abi.h>
#include <vmcompat/error.h>

/* The ABI's "properties" (explicit settings that are not tunables) as
 * guest settings. */
static gboolean
vmc_abi_guest_properties(VmcGuest *g, const VmcAbi *abi, GError **error)
{
    g_autofree char *text = vmc_abi_to_json(abi);
    json_object *root = vmc_json_parse(text, strlen(text), "resolved ABI", error);
    json_object *list;

    if (!root)
        return FALSE;
    list = vmc_json_get(root, "properties", json_type_array);
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        const char *driver = vmc_json_str(p, "driver");
        const char *prop = vmc_json_str(p, "property");
        const char *value = vmc_json_str(p, "value");
        g_autofree char *where = g_strdup_printf("ABI field 'properties[%zu]'", i);

        if (!driver || !prop || !value) {
            json_object_put(root);
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "resolved ABI: field 'properties[%zu]': needs driver, property and value",
                        i);
            return FALSE;
        }
        vmc__guest_add_prop(g, driver, prop, value, where);
    }
    json_object_put(root);
    return TRUE;
}

VmcGuest *
vmc_abi_to_guest(VmcCatalog *cat, const VmcAbi *abi, VmcAbiGuestFlags flags, GError **error)
{
    g_autoptr(VmcGuest) g = NULL;
    const char *const *devices;
    const VmcCpuDef *cpu;

    g_return_val_if_fail(cat != NULL && abi != NULL, NULL);
    g = vmc__guest_new(cat, vmc_abi_get_guest_name(abi));   /* NULL when the ABI names none */
    g->arch = vmc_abi_get_arch(abi);
    g->accel = vmc_abi_get_accel(abi);
    g->machine = g_strdup(vmc_abi_get_machine(abi));
    if (!(flags & VMC_ABI_GUEST_HOST_PLATFORM))
        g->platform = g_strdup(vmc_abi_get_platform(abi));
    if ((cpu = vmc_abi_get_cpu_original(abi)))
        g->cpu = vmc_cpu_def_copy(cpu);
    devices = vmc_abi_get_devices(abi);
    g->devices = g_strdupv((char **) devices);   /* sorted and unique already */
    for (guint i = 0; devices && devices[i]; i++)
        g_ptr_array_add(g->device_list, g_strdup(devices[i]));
    for (guint i = 0; i < vmc_abi_get_tunable_count(abi); i++) {
        const VmcAbiTunable *t = vmc_abi_get_tunable(abi, i);
        g_autofree char *where = NULL;
        if (!g_str_equal(t->source, "guest"))
            continue;   /* resolution's choice, not the guest's */
        where = g_strdup_printf("ABI tunable %s (source guest)", t->name);
        vmc__guest_add_prop(g, t->driver, t->property, t->value, where);
    }
    if (!vmc_abi_guest_properties(g, abi, error))
        return NULL;
    if (vmc_abi_get_os(abi)) {
        g->os = g_strdup(vmc_abi_get_os(abi));
        for (guint i = 0; i < vmc_abi_get_virtio_count(abi); i++) {
            const VmcGuestVirtio *v = vmc_abi_get_virtio(abi, i);
            vmc__virtio_append(g->virtio, g->strings, v->what, v->kind, v->model, v->slot,
                               v->slot_by_default, NULL);
        }
    }
    return g_steal_pointer(&g);
}
