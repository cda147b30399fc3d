/* json-util.h: json-c helpers shared by the catalog readers (not public). */
#pragma once

#include <glib.h>
#include <json-c/json.h>

/* vmc_json_parse: parses @len bytes of @text; errors name @name and the byte
 * offset, and call a truncated document truncated. */
json_object *vmc_json_parse(const char *text, gsize len, const char *name,
                            GError **error);
/* Member @key of @o as a string, or NULL when absent or not a string. */
const char *vmc_json_str(json_object *o, const char *key);
/* Member @key of @o when it has @type, else NULL. */
json_object *vmc_json_get(json_object *o, const char *key, json_type type);
/* Member @key as an unsigned 32-bit number (JSON integer or "0x.."/decimal
 * string); FALSE when absent or out of range. */
gboolean vmc_json_u32(json_object *o, const char *key, guint32 *ret);
