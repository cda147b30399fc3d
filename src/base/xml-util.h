/* xml-util.h: libxml2 helpers shared by the XML readers (not public API). */
#pragma once

#include <glib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)

/* vmc_xml_prop: attribute @name of @n as a new string, or NULL. */
char *vmc_xml_prop(xmlNode *n, const char *name);

/* vmc_xml_prop_u32: a hex/decimal uint32 attribute; missing and !required
 * gives 0. Errors name file, line and field. */
gboolean vmc_xml_prop_u32(xmlNode *n, const char *name, guint32 *ret,
                          gboolean required, const char *file, GError **error);

/* vmc_xml_parse: parse untrusted XML text without network access or entity
 * expansion; errors carry file:line and libxml2's message. */
xmlDoc *vmc_xml_parse(const char *data, gsize len, const char *file,
                      GError **error);

/* vmc_xml_child: first element child named @name, or NULL. */
xmlNode *vmc_xml_child(xmlNode *n, const char *name);

/* vmc_xml_content: trimmed text content of @n (transfer full), or NULL. */
char *vmc_xml_content(xmlNode *n);
