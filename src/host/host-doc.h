/* host-doc.h: a host's document as a JSON object, to derive another host
 * from it — the fleet's upgraded kinds, vmc_host_with_kernel(). Not
 * installed. */
#pragma once

#include <json-c/json.h>
#include <vmcompat/host.h>

/* The document vmc_host_to_json() writes, as an object (transfer full). */
json_object *vmc__host_document(const VmcHost *host);
/* The host a document describes, as vmc_host_parse() reads it (@doc is
 * not consumed; @name names it in errors, NULL: "(host)"). */
VmcHost *vmc__host_from_document(VmcCatalog *cat, json_object *doc, const char *name,
                                 GError **error);
