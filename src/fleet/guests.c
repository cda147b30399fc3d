/* guests.c: bulk guest import — JSON Lines of {"name", "host", "guest"}
 * (what tools/gen/gen-fleet.py writes): each guest definition is resolved on
 * its host's kind, as `guest resolve` would, and recorded with its host.
 */
#include "fleet/fleet-private.h"

#include <string.h>

#include "base/json-util.h"
#include <vmcompat/error.h>

typedef struct {
    VmcFleet *fleet;
    guint added, failed;
    GPtrArray *failures;
} VmcGuestImport;

static gboolean
vmc_guest_import_line(char *text, gsize len, const char *path, guint lineno, gpointer data,
                      GError **error)
{
    VmcGuestImport *gi = data;
    g_autofree char *where = g_strdup_printf("%s:%u", path, lineno);
    g_autofree char *gtext = NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(VmcGuest) guest = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    json_object *o, *g;
    const char *name, *host;
    gboolean ok = FALSE;

    if (!(o = vmc_json_parse(text, len, where, error)))
        return FALSE;
    name = vmc_json_str(o, "name");
    host = vmc_json_str(o, "host");
    g = vmc_json_get(o, "guest", json_type_object);
    if (!name || !host || !g) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: a guest line needs \"name\", \"host\" and "
                    "\"guest\" (a guest JSON document)", where);
        goto out;
    }
    gtext = g_strdup(json_object_to_json_string_ext(g, JSON_C_TO_STRING_PLAIN));
    if (!(guest = vmc_guest_parse(gi->fleet->cat, gtext, strlen(gtext), name, error))) {
        g_prefix_error(error, "%s: ", where);
        goto out;
    }
    if (!(abi = vmc_fleet_resolve(gi->fleet, guest, host, &local))) {
        /* the guest cannot run where it is said to run: counted, reported */
        gi->failed++;
        if (gi->failures)
            g_ptr_array_add(gi->failures, g_strdup_printf("%s: %s on %s: %s", where, name, host,
                                                          local->message));
        ok = TRUE;
        goto out;
    }
    if ((ok = vmc_fleet_guest_add(gi->fleet, name, abi, host, error)))
        gi->added++;
out:
    json_object_put(o);
    return ok;
}

gboolean
vmc_fleet_guest_import(VmcFleet *fleet, const char *path, guint *ret_added, guint *ret_failed,
                       GPtrArray *failures, GError **error)
{
    VmcGuestImport gi = { .fleet = fleet, .failures = failures };

    if (!vmc__fleet_jsonl_foreach(path, vmc_guest_import_line, &gi, error))
        return FALSE;
    if (ret_added)
        *ret_added = gi.added;
    if (ret_failed)
        *ret_failed = gi.failed;
    return TRUE;
}
