/* json-util.c: json-c helpers shared by the catalog readers. */
#include "base/json-util.h"

#include "base/util.h"
#include <vmcompat/error.h>

json_object *
vmc_json_parse(const char *text, gsize len, const char *name, GError **error)
{
    g_autoptr(GError) unused = NULL;
    json_tokener *tok = json_tokener_new();
    json_object *obj = json_tokener_parse_ex(tok, text, (int) len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);

    if (!obj || jerr != json_tokener_success) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: byte %zu: invalid JSON: %s", name,
                    json_tokener_get_parse_end(tok),
                    jerr == json_tokener_success || jerr == json_tokener_continue ?
                    "unexpected end of input (truncated?)" : json_tokener_error_desc(jerr));
        json_object_put(obj);
        json_tokener_free(tok);
        return NULL;
    }
    {
        size_t end = json_tokener_get_parse_end(tok);
        while (end < len && g_ascii_isspace(text[end]))
            end++;
        if (end < len && text[end] != '\0') {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: byte %zu: invalid JSON: unexpected data after the document", name, end);
            json_object_put(obj);
            json_tokener_free(tok);
            return NULL;
        }
    }
    json_tokener_free(tok);
    return obj;
}

const char *
vmc_json_str(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

json_object *
vmc_json_get(json_object *o, const char *key, json_type type)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
        return NULL;
    return v;
}

gboolean
vmc_json_u32(json_object *o, const char *key, guint32 *ret)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return FALSE;
    if (json_object_is_type(v, json_type_int)) {
        gint64 i = json_object_get_int64(v);
        if (i < 0 || i > G_MAXUINT32)
            return FALSE;
        *ret = (guint32) i;
        return TRUE;
    }
    if (json_object_is_type(v, json_type_string))
        return vmc_parse_uint32(json_object_get_string(v), ret);
    return FALSE;
}

