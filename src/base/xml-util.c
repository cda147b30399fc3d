/* xml-util.c: libxml2 helpers shared by the XML readers. */
#include "base/xml-util.h"

#include "base/util.h"
#include <vmcompat/error.h>

char *
vmc_xml_prop(xmlNode *n, const char *name)
{
    xmlChar *v = xmlGetProp(n, (const xmlChar *) name);
    char *r = v ? g_strdup((const char *) v) : NULL;
    xmlFree(v);
    return r;
}

gboolean
vmc_xml_prop_u32(xmlNode *n, const char *name, guint32 *ret, gboolean required,
                 const char *file, GError **error)
{
    g_autofree char *v = vmc_xml_prop(n, name);
    if (!v) {
        if (!required) {
            *ret = 0;
            return TRUE;
        }
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: field '%s/@%s': missing attribute", file,
                    xmlGetLineNo(n), (const char *) n->name, name);
        return FALSE;
    }
    if (!vmc_parse_uint32(v, ret)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: field '%s/@%s': invalid number '%s'", file,
                    xmlGetLineNo(n), (const char *) n->name, name, v);
        return FALSE;
    }
    return TRUE;
}

xmlDoc *
vmc_xml_parse(const char *data, gsize len, const char *file, GError **error)
{
    xmlParserCtxt *ctxt;
    xmlDoc *doc;

    if (len > VMC_MAX_INPUT_SIZE) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "%s: input larger than the %d MiB limit", file,
                    VMC_MAX_INPUT_SIZE / (1024 * 1024));
        return NULL;
    }
    if (len == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:1: empty input", file);
        return NULL;
    }
    ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED, "%s: out of memory", file);
        return NULL;
    }
    doc = xmlCtxtReadMemory(ctxt, data, (int) len, file, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (!doc || !ctxt->wellFormed) {
        const xmlError *xe = xmlCtxtGetLastError(ctxt);
        g_autofree char *msg = g_strdup(xe && xe->message ? xe->message : "not well-formed");
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:%d: malformed XML: %s",
                    file, xe ? xe->line : 1, g_strstrip(msg));
        if (doc)
            xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

xmlNode *
vmc_xml_child(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, (const xmlChar *) name))
            return c;
    return NULL;
}

char *
vmc_xml_content(xmlNode *n)
{
    xmlChar *v;
    char *r;
    if (!n)
        return NULL;
    v = xmlNodeGetContent(n);
    if (!v)
        return NULL;
    r = g_strstrip(g_strdup((const char *) v));
    xmlFree(v);
    return r;
}
