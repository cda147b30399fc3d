/* guests.c: bulk guest import — JSON Lines of {"name", "host", "guest"}
 * (what tools/gen/gen-fleet.py writes): each guest definition is resolved on
 * its host's kind, as `guest resolve` would, and recorded with its host.
 */
#include "fleet/fleet-private.h"

#include <gio/gio.h>
#include <string.h>

#include "base/json-util.h"
#include <vmcompat/error.h>

gboolean
vmc_fleet_guest_import(VmcFleet *fleet, const char *path, guint *ret_added, guint *ret_failed,
                       GPtrArray *failures, GError **error)
{
    g_autoptr(GFile) file = g_file_new_for_path(path);
    g_autoptr(GFileInputStream) in = g_file_read(file, NULL, error);
    g_autoptr(GDataInputStream) data = NULL;
    guint line = 0, added = 0, failed = 0;

    if (!in) {
        g_prefix_error(error, "%s: ", path);
        return FALSE;
    }
    data = g_data_input_stream_new(G_INPUT_STREAM(in));
    for (;;) {
        gsize len = 0;
        g_autoptr(GError) local = NULL;
        g_autofree char *text = g_data_input_stream_read_line(data, &len, NULL, &local);
        g_autofree char *where = NULL, *gtext = NULL;
        g_autoptr(VmcGuest) guest = NULL;
        g_autoptr(VmcAbi) abi = NULL;
        json_object *o, *g;
        const char *name, *host;

        if (!text) {
            if (local) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s:%u: %s", path, line + 1, local->message);
                return FALSE;
            }
            break;
        }
        line++;
        if (text[strspn(text, " \t\r")] == '\0')
            continue;
        where = g_strdup_printf("%s:%u", path, line);
        if (!(o = vmc_json_parse(text, len, where, error)))
            return FALSE;
        name = vmc_json_str(o, "name");
        host = vmc_json_str(o, "host");
        g = vmc_json_get(o, "guest", json_type_object);
        if (!name || !host || !g) {
            json_object_put(o);
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: a guest line needs \"name\", \"host\" and "
                        "\"guest\" (a guest JSON document)", where);
            return FALSE;
        }
        gtext = g_strdup(json_object_to_json_string_ext(g, JSON_C_TO_STRING_PLAIN));
        guest = vmc_guest_parse(fleet->cat, gtext, strlen(gtext), name, error);
        if (!guest) {
            g_prefix_error(error, "%s: ", where);
            json_object_put(o);
            return FALSE;
        }
        abi = vmc_fleet_resolve(fleet, guest, host, &local);
        if (!abi) {
            /* the guest cannot run where it is said to run: counted, reported */
            failed++;
            if (failures)
                g_ptr_array_add(failures, g_strdup_printf("%s: %s on %s: %s", where, name, host,
                                                          local->message));
            json_object_put(o);
            continue;
        }
        if (!vmc_fleet_guest_add(fleet, name, abi, host, error)) {
            json_object_put(o);
            return FALSE;
        }
        added++;
        json_object_put(o);
    }
    if (ret_added)
        *ret_added = added;
    if (ret_failed)
        *ret_failed = failed;
    return TRUE;
}
