/* qmp.c: the QMP command set of vmcompatd (qmp.h) — the schema
 * data/qmp/schema.json, embedded, read once into resolved types; argument
 * checks with QEMU's wording; query-qmp-schema's introspection; dispatch.
 *
 * Invariants: after vmc_qmp_new() nothing here is written again (the
 * command set is shared by threads); every type name of the schema
 * resolves; every inline/worker command has exactly one implementation
 * (vmc__qmp_handlers) and every implementation is declared.
 *
 * Workload: the schema is read once per process (~40 definitions);
 * argument checks run on every request — for query-cpu-model-comparison a
 * walk over two small objects with hash lookups (well under a microsecond).
 */
#include "qmp/qmp-private.h"

#include <stdlib.h>
#include <string.h>

#include "base/json-util.h"
#include "base/util.h"
#include "vmcompat-qmp-resources.h"

#define VMC_QMP_SCHEMA_RESOURCE "/org/vmcompat/qmp/schema.json"

static const char *const vmc_qmp_run_names[] = { "inline", "worker", "session" };
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_qmp_run_names) == VMC_QMP_RUN_N);

const char *
vmc_qmp_run_to_string(VmcQmpRun run)
{
    return (guint) run < VMC_QMP_RUN_N ? vmc_qmp_run_names[run] : NULL;
}

/* Builtin types: name, kind, QEMU's json-type. */
static const struct {
    const char *name;
    VmcQmpTypeKind kind;
    const char *json_type;
} vmc_qmp_builtins[] = {
    { "str", VMC_QMP_TYPE_STR, "string" },
    { "int", VMC_QMP_TYPE_INT, "int" },
    { "number", VMC_QMP_TYPE_NUMBER, "number" },
    { "bool", VMC_QMP_TYPE_BOOL, "boolean" },
    { "null", VMC_QMP_TYPE_NULL, "null" },
    { "any", VMC_QMP_TYPE_ANY, "value" },
    { "dict", VMC_QMP_TYPE_DICT, "object" },
};

/* ---- types ---------------------------------------------------------------- */

static void
vmc_qmp_member_free(gpointer p)
{
    VmcQmpMember *m = p;

    g_free(m->name);
    g_free(m->doc);
    g_free(m);
}

static void
vmc_qmp_type_free(gpointer p)
{
    VmcQmpType *t = p;

    g_free(t->name);
    g_free(t->doc);
    if (t->members)
        g_ptr_array_unref(t->members);
    if (t->by_name)
        g_hash_table_unref(t->by_name);
    g_strfreev(t->values);
    g_free(t);
}

static void
vmc_qmp_command_free(gpointer p)
{
    VmcQmpCommand *c = p;

    g_free(c->name);
    g_free(c);
}

static VmcQmpType *
vmc_qmp_type_new(VmcQmp *qmp, const char *name, VmcQmpTypeKind kind)
{
    VmcQmpType *t = g_new0(VmcQmpType, 1);

    t->name = g_strdup(name);
    t->kind = kind;
    g_hash_table_insert(qmp->types, t->name, t);
    return t;
}

/* The error for a malformed schema definition. */
static gboolean
vmc_qmp_schema_error(GError **error, const char *where, const char *what)
{
    g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG, "%s: %s: %s",
                VMC_QMP_SCHEMA_RESOURCE, where, what);
    return FALSE;
}

/* The type named @name: a definition, a builtin, or "[T]" (made here). */
static const VmcQmpType *
vmc_qmp_resolve(VmcQmp *qmp, const char *name, const char *where, GError **error)
{
    VmcQmpType *t = g_hash_table_lookup(qmp->types, name);
    gsize len = strlen(name);

    if (t)
        return t;
    if (len > 2 && name[0] == '[' && name[len - 1] == ']') {
        g_autofree char *inner = g_strndup(name + 1, len - 2);
        const VmcQmpType *el = vmc_qmp_resolve(qmp, inner, where, error);
        if (!el)
            return NULL;
        t = vmc_qmp_type_new(qmp, name, VMC_QMP_TYPE_ARRAY);
        t->element = el;
        return t;
    }
    {
        g_autofree char *what = g_strdup_printf("unknown type '%s'", name);
        vmc_qmp_schema_error(error, where, what);
    }
    return NULL;
}

/* Read the members of a struct, alternate or command ("data"). */
static gboolean
vmc_qmp_read_members(VmcQmp *qmp, VmcQmpType *t, json_object *data, const char *where,
                     GError **error)
{
    t->members = g_ptr_array_new_with_free_func(vmc_qmp_member_free);
    t->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    if (!data)
        return TRUE;
    if (!json_object_is_type(data, json_type_object))
        return vmc_qmp_schema_error(error, where, "'data' is not an object");
    json_object_object_foreach(data, key, spec) {
        VmcQmpMember *m = g_new0(VmcQmpMember, 1);
        const char *type_name = NULL;

        m->optional = key[0] == '*';
        m->name = g_strdup(key + (m->optional ? 1 : 0));
        g_ptr_array_add(t->members, m);
        g_hash_table_insert(t->by_name, m->name, m);
        if (json_object_is_type(spec, json_type_string)) {
            type_name = json_object_get_string(spec);
        } else if (json_object_is_type(spec, json_type_object)) {
            json_object *tn = NULL, *doc = NULL;
            if (json_object_object_get_ex(spec, "type", &tn) &&
                json_object_is_type(tn, json_type_string))
                type_name = json_object_get_string(tn);
            if (json_object_object_get_ex(spec, "doc", &doc))
                m->doc = g_strdup(json_object_get_string(doc));
        }
        if (!type_name) {
            g_autofree char *what = g_strdup_printf("member '%s' has no type", m->name);
            return vmc_qmp_schema_error(error, where, what);
        }
        if (!(m->type = vmc_qmp_resolve(qmp, type_name, where, error)))
            return FALSE;
    }
    return TRUE;
}

/* A string member of a definition, or NULL. */
static const char *
vmc_qmp_str(json_object *o, const char *key)
{
    json_object *v = NULL;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* First pass: declare every named type, so that definitions may refer to
 * types defined after them. */
static gboolean
vmc_qmp_declare(VmcQmp *qmp, json_object *defs, GError **error)
{
    static const struct { const char *key; VmcQmpTypeKind kind; } metas[] = {
        { "enum", VMC_QMP_TYPE_ENUM },
        { "struct", VMC_QMP_TYPE_STRUCT },
        { "alternate", VMC_QMP_TYPE_ALTERNATE },
    };

    for (gsize i = 0; i < json_object_array_length(defs); i++) {
        json_object *d = json_object_array_get_idx(defs, i);
        g_autofree char *where = g_strdup_printf("schema[%zu]", i);

        if (!json_object_is_type(d, json_type_object))
            return vmc_qmp_schema_error(error, where, "not an object");
        for (gsize k = 0; k < G_N_ELEMENTS(metas); k++) {
            const char *name = vmc_qmp_str(d, metas[k].key);
            VmcQmpType *t;
            if (!name)
                continue;
            if (g_hash_table_contains(qmp->types, name))
                return vmc_qmp_schema_error(error, where, "a type is defined twice");
            t = vmc_qmp_type_new(qmp, name, metas[k].kind);
            t->doc = g_strdup(vmc_qmp_str(d, "doc"));
        }
    }
    return TRUE;
}

/* The implementation of @name, or NULL. */
static VmcQmpHandler
vmc_qmp_handler(const char *name)
{
    for (const VmcQmpHandlerEntry *h = vmc__qmp_handlers; h->name; h++)
        if (g_str_equal(h->name, name))
            return h->handler;
    return NULL;
}

/* A command definition. */
static gboolean
vmc_qmp_read_command(VmcQmp *qmp, json_object *d, const char *where, GError **error)
{
    const char *name = vmc_qmp_str(d, "command");
    const char *run = vmc_qmp_str(d, "run");
    const char *ret = vmc_qmp_str(d, "returns");
    g_autofree char *arg_name = g_strdup_printf("q_obj_%s-arg", name);
    VmcQmpCommand *cmd;
    VmcQmpType *args;
    json_object *data = NULL;
    int r;

    if (g_hash_table_contains(qmp->commands, name))
        return vmc_qmp_schema_error(error, where, "a command is defined twice");
    r = run ? vmc_enum_from_string(vmc_qmp_run_names, VMC_QMP_RUN_N, run) : -1;
    if (r < 0)
        return vmc_qmp_schema_error(error, where, "'run' is not inline, worker or session");
    if (!ret)
        return vmc_qmp_schema_error(error, where, "'returns' is missing");
    cmd = g_new0(VmcQmpCommand, 1);
    cmd->name = g_strdup(name);
    cmd->run = (VmcQmpRun) r;
    g_hash_table_insert(qmp->commands, cmd->name, cmd);
    g_ptr_array_add(qmp->command_order, cmd);
    args = vmc_qmp_type_new(qmp, arg_name, VMC_QMP_TYPE_STRUCT);
    json_object_object_get_ex(d, "data", &data);
    if (!vmc_qmp_read_members(qmp, args, data, where, error))
        return FALSE;
    cmd->args = args;
    if (!(cmd->ret = vmc_qmp_resolve(qmp, ret, where, error)))
        return FALSE;
    cmd->handler = vmc_qmp_handler(name);
    if (cmd->run != VMC_QMP_RUN_SESSION && !cmd->handler) {
        g_autofree char *what = g_strdup_printf("command '%s' has no implementation", name);
        return vmc_qmp_schema_error(error, where, what);
    }
    if (cmd->run == VMC_QMP_RUN_SESSION && cmd->handler) {
        g_autofree char *what = g_strdup_printf("session command '%s' has an implementation",
                                                name);
        return vmc_qmp_schema_error(error, where, what);
    }
    return TRUE;
}

/* Second pass: members, values and commands. */
static gboolean
vmc_qmp_define(VmcQmp *qmp, json_object *defs, GError **error)
{
    for (gsize i = 0; i < json_object_array_length(defs); i++) {
        json_object *d = json_object_array_get_idx(defs, i);
        g_autofree char *where = g_strdup_printf("schema[%zu]", i);
        const char *name;
        json_object *data = NULL;

        json_object_object_get_ex(d, "data", &data);
        if ((name = vmc_qmp_str(d, "enum"))) {
            VmcQmpType *t = g_hash_table_lookup(qmp->types, name);
            GPtrArray *v = g_ptr_array_new();
            for (gsize k = 0; data && json_object_is_type(data, json_type_array) &&
                              k < json_object_array_length(data); k++)
                g_ptr_array_add(v, g_strdup(json_object_get_string(
                                       json_object_array_get_idx(data, k))));
            g_ptr_array_add(v, NULL);
            t->values = (char **) g_ptr_array_free(v, FALSE);
            if (!t->values[0])
                return vmc_qmp_schema_error(error, where, "an enum without values");
        } else if ((name = vmc_qmp_str(d, "struct")) || (name = vmc_qmp_str(d, "alternate"))) {
            VmcQmpType *t = g_hash_table_lookup(qmp->types, name);
            if (!vmc_qmp_read_members(qmp, t, data, where, error))
                return FALSE;
        } else if (vmc_qmp_str(d, "command")) {
            if (!vmc_qmp_read_command(qmp, d, where, error))
                return FALSE;
        } else {
            return vmc_qmp_schema_error(error, where,
                                        "neither an enum, a struct, an alternate nor a command");
        }
    }
    for (const VmcQmpHandlerEntry *h = vmc__qmp_handlers; h->name; h++) {
        if (!g_hash_table_contains(qmp->commands, h->name)) {
            g_autofree char *what = g_strdup_printf("implementation '%s' is not declared",
                                                    h->name);
            return vmc_qmp_schema_error(error, "commands", what);
        }
    }
    return TRUE;
}

/* ---- introspection (query-qmp-schema) ------------------------------------ */

static const char *
vmc_qmp_builtin_json_type(VmcQmpTypeKind kind)
{
    for (gsize i = 0; i < G_N_ELEMENTS(vmc_qmp_builtins); i++)
        if (vmc_qmp_builtins[i].kind == kind)
            return vmc_qmp_builtins[i].json_type;
    return NULL;
}

/* One SchemaInfo. */
static json_object *
vmc_qmp_schema_info(const VmcQmpType *t)
{
    json_object *o = json_object_new_object();
    json_object *members;

    json_object_object_add(o, "name", json_object_new_string(t->name));
    switch (t->kind) {
    case VMC_QMP_TYPE_ARRAY:
        json_object_object_add(o, "meta-type", json_object_new_string("array"));
        json_object_object_add(o, "element-type", json_object_new_string(t->element->name));
        break;
    case VMC_QMP_TYPE_ENUM:
        json_object_object_add(o, "meta-type", json_object_new_string("enum"));
        members = json_object_new_array();
        {
            json_object *values = json_object_new_array();
            for (char **v = t->values; *v; v++) {
                json_object *m = json_object_new_object();
                json_object_object_add(m, "name", json_object_new_string(*v));
                json_object_array_add(members, m);
                json_object_array_add(values, json_object_new_string(*v));
            }
            json_object_object_add(o, "members", members);
            json_object_object_add(o, "values", values);
        }
        break;
    case VMC_QMP_TYPE_STRUCT:
    case VMC_QMP_TYPE_ALTERNATE:
        json_object_object_add(o, "meta-type", json_object_new_string(
                                   t->kind == VMC_QMP_TYPE_STRUCT ? "object" : "alternate"));
        members = json_object_new_array();
        for (guint i = 0; i < t->members->len; i++) {
            const VmcQmpMember *m = g_ptr_array_index(t->members, i);
            json_object *mo = json_object_new_object();
            if (t->kind == VMC_QMP_TYPE_STRUCT)
                json_object_object_add(mo, "name", json_object_new_string(m->name));
            json_object_object_add(mo, "type", json_object_new_string(m->type->name));
            if (m->optional)
                json_object_object_add(mo, "default", NULL);
            json_object_array_add(members, mo);
        }
        json_object_object_add(o, "members", members);
        break;
    default:
        json_object_object_add(o, "meta-type", json_object_new_string("builtin"));
        json_object_object_add(o, "json-type",
                               json_object_new_string(vmc_qmp_builtin_json_type(t->kind)));
        break;
    }
    return o;
}

/* The whole introspection: commands in schema order, then types by name. */
static json_object *
vmc_qmp_introspect(const VmcQmp *qmp)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    json_object *arr = json_object_new_array();
    GHashTableIter it;
    gpointer k;

    for (guint i = 0; i < qmp->command_order->len; i++) {
        const VmcQmpCommand *c = g_ptr_array_index(qmp->command_order, i);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(c->name));
        json_object_object_add(o, "meta-type", json_object_new_string("command"));
        json_object_object_add(o, "arg-type", json_object_new_string(c->args->name));
        json_object_object_add(o, "ret-type", json_object_new_string(c->ret->name));
        json_object_object_add(o, "allow-oob", json_object_new_boolean(FALSE));
        json_object_array_add(arr, o);
    }
    g_hash_table_iter_init(&it, qmp->types);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(names, k);
    g_ptr_array_sort(names, vmc_strptr_cmp);
    for (guint i = 0; i < names->len; i++)
        json_object_array_add(arr, vmc_qmp_schema_info(
                                       g_hash_table_lookup(qmp->types, g_ptr_array_index(names, i))));
    return arr;
}

/* ---- checking values ------------------------------------------------------- */

/* QEMU's name of the JSON type a value of @t must have. */
static const char *
vmc_qmp_expected(const VmcQmpType *t)
{
    switch (t->kind) {
    case VMC_QMP_TYPE_STR:
    case VMC_QMP_TYPE_ENUM:
        return "string";
    case VMC_QMP_TYPE_INT:
        return "integer";
    case VMC_QMP_TYPE_NUMBER:
        return "number";
    case VMC_QMP_TYPE_BOOL:
        return "boolean";
    case VMC_QMP_TYPE_NULL:
        return "null";
    case VMC_QMP_TYPE_ARRAY:
        return "array";
    case VMC_QMP_TYPE_ALTERNATE:
        return t->name;
    default:
        return "object";
    }
}

static gboolean
vmc_qmp_type_error(const VmcQmpType *t, const char *path, GError **error)
{
    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                "Invalid parameter type for '%s', expected: %s",
                *path ? path : "null", vmc_qmp_expected(t));
    return FALSE;
}

/* Does @value have the JSON type of @t (alternate branches, shallow)? */
static gboolean
vmc_qmp_json_type_fits(const VmcQmpType *t, json_object *value)
{
    json_type jt = json_object_get_type(value);

    switch (t->kind) {
    case VMC_QMP_TYPE_STR:
    case VMC_QMP_TYPE_ENUM:
        return jt == json_type_string;
    case VMC_QMP_TYPE_INT:
        return jt == json_type_int;
    case VMC_QMP_TYPE_NUMBER:
        return jt == json_type_int || jt == json_type_double;
    case VMC_QMP_TYPE_BOOL:
        return jt == json_type_boolean;
    case VMC_QMP_TYPE_NULL:
        return jt == json_type_null;
    case VMC_QMP_TYPE_ANY:
        return TRUE;
    case VMC_QMP_TYPE_ARRAY:
        return jt == json_type_array;
    case VMC_QMP_TYPE_DICT:
    case VMC_QMP_TYPE_STRUCT:
        return jt == json_type_object;
    default:
        return FALSE;
    }
}

/* Append ".@name" (or "@name" at the top) to @path; returns the old length
 * to truncate back to. */
static gsize
vmc_qmp_path_push(GString *path, const char *name)
{
    gsize old = path->len;

    if (path->len)
        g_string_append_c(path, '.');
    g_string_append(path, name);
    return old;
}

gboolean
vmc__qmp_check_value(const VmcQmpType *t, json_object *value, GString *path, GError **error)
{
    switch (t->kind) {
    case VMC_QMP_TYPE_ANY:
        return TRUE;
    case VMC_QMP_TYPE_ENUM:
        if (!vmc_qmp_json_type_fits(t, value))
            return vmc_qmp_type_error(t, path->str, error);
        if (!g_strv_contains((const char *const *) t->values, json_object_get_string(value))) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "Parameter '%s' does not accept value '%s'", path->str,
                        json_object_get_string(value));
            return FALSE;
        }
        return TRUE;
    case VMC_QMP_TYPE_ARRAY:
        if (!vmc_qmp_json_type_fits(t, value))
            return vmc_qmp_type_error(t, path->str, error);
        for (gsize i = 0; i < json_object_array_length(value); i++) {
            gsize old = path->len;
            g_string_append_printf(path, "[%zu]", i);
            if (!vmc__qmp_check_value(t->element, json_object_array_get_idx(value, i), path,
                                      error))
                return FALSE;
            g_string_truncate(path, old);
        }
        return TRUE;
    case VMC_QMP_TYPE_ALTERNATE:
        for (guint i = 0; i < t->members->len; i++) {
            const VmcQmpMember *m = g_ptr_array_index(t->members, i);
            if (vmc_qmp_json_type_fits(m->type, value))
                return vmc__qmp_check_value(m->type, value, path, error);
        }
        return vmc_qmp_type_error(t, path->str, error);
    case VMC_QMP_TYPE_STRUCT:
        if (!value || !json_object_is_type(value, json_type_object))
            return vmc_qmp_type_error(t, path->str, error);
        json_object_object_foreach(value, key, member_value) {
            const VmcQmpMember *m = g_hash_table_lookup(t->by_name, key);
            gsize old = vmc_qmp_path_push(path, key);
            if (!m) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "Parameter '%s' is unexpected", path->str);
                return FALSE;
            }
            if (!vmc__qmp_check_value(m->type, member_value, path, error))
                return FALSE;
            g_string_truncate(path, old);
        }
        for (guint i = 0; i < t->members->len; i++) {
            const VmcQmpMember *m = g_ptr_array_index(t->members, i);
            if (!m->optional && !json_object_object_get_ex(value, m->name, NULL)) {
                vmc_qmp_path_push(path, m->name);
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "Parameter '%s' is missing", path->str);
                return FALSE;
            }
        }
        return TRUE;
    default:
        if (!value && t->kind != VMC_QMP_TYPE_NULL)
            return vmc_qmp_type_error(t, path->str, error);
        if (value && !vmc_qmp_json_type_fits(t, value))
            return vmc_qmp_type_error(t, path->str, error);
        return TRUE;
    }
}

/* ---- the command set -------------------------------------------------------- */

VmcQmp *
vmc_qmp_new(VmcCatalog *cat, const VmcQmpOptions *opts, GError **error)
{
    g_autoptr(VmcQmp) qmp = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(json_object) root = NULL;
    g_autoptr(GError) res_error = NULL;
    json_object *defs = NULL;
    gsize len = 0;
    const char *text;

    g_return_val_if_fail(cat != NULL, NULL);
    g_return_val_if_fail(!opts || opts->version == VMC_QMP_OPTIONS_VERSION, NULL);
    qmp = g_new0(VmcQmp, 1);
    qmp->refs = 1;
    qmp->cat = vmc_catalog_ref(cat);
    qmp->opts.version = VMC_QMP_OPTIONS_VERSION;
    qmp->opts.default_arch = opts ? opts->default_arch : VMC_ARCH_X86_64;
    qmp->opts.check_returns = opts && opts->check_returns;
    if (qmp->opts.default_arch >= VMC_ARCH_N)
        qmp->opts.default_arch = VMC_ARCH_X86_64;
    qmp->types = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, vmc_qmp_type_free);
    qmp->commands = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, vmc_qmp_command_free);
    qmp->command_order = g_ptr_array_new();
    for (gsize i = 0; i < G_N_ELEMENTS(vmc_qmp_builtins); i++)
        vmc_qmp_type_new(qmp, vmc_qmp_builtins[i].name, vmc_qmp_builtins[i].kind);

    bytes = g_resource_lookup_data(vmc_qmp_get_resource(), VMC_QMP_SCHEMA_RESOURCE, 0,
                                   &res_error);
    if (!bytes) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_CATALOG, "%s: %s", VMC_QMP_SCHEMA_RESOURCE,
                    res_error->message);
        return NULL;
    }
    text = g_bytes_get_data(bytes, &len);
    if (!(root = vmc_json_parse(text, len, VMC_QMP_SCHEMA_RESOURCE, error)))
        return NULL;
    if (!json_object_object_get_ex(root, "schema", &defs) ||
        !json_object_is_type(defs, json_type_array)) {
        vmc_qmp_schema_error(error, "schema", "missing or not an array");
        return NULL;
    }
    if (!vmc_qmp_declare(qmp, defs, error) || !vmc_qmp_define(qmp, defs, error))
        return NULL;
    qmp->introspection = vmc_qmp_introspect(qmp);
    if (opts && opts->osinfo)
        qmp->osdb = vmc_os_db_open(opts->osinfo_dir, &qmp->osdb_error);
    else
        qmp->osdb_error = g_error_new_literal(VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                                              "the guest OS database is not loaded here");
    return g_steal_pointer(&qmp);
}

VmcQmp *
vmc_qmp_ref(VmcQmp *qmp)
{
    g_return_val_if_fail(qmp != NULL, NULL);
    g_atomic_int_inc(&qmp->refs);
    return qmp;
}

void
vmc_qmp_unref(VmcQmp *qmp)
{
    if (!qmp || !g_atomic_int_dec_and_test(&qmp->refs))
        return;
    g_clear_pointer(&qmp->commands, g_hash_table_unref);
    g_clear_pointer(&qmp->types, g_hash_table_unref);
    g_clear_pointer(&qmp->command_order, g_ptr_array_unref);
    json_object_put(qmp->introspection);
    vmc_os_db_free(qmp->osdb);
    g_clear_error(&qmp->osdb_error);
    vmc_catalog_unref(qmp->cat);
    g_free(qmp);
}

const VmcQmpCommand *
vmc_qmp_lookup(const VmcQmp *qmp, const char *name)
{
    g_return_val_if_fail(qmp != NULL && name != NULL, NULL);
    return g_hash_table_lookup(qmp->commands, name);
}

const char *
vmc_qmp_command_get_name(const VmcQmpCommand *cmd)
{
    g_return_val_if_fail(cmd != NULL, NULL);
    return cmd->name;
}

VmcQmpRun
vmc_qmp_command_get_run(const VmcQmpCommand *cmd)
{
    g_return_val_if_fail(cmd != NULL, VMC_QMP_RUN_N);
    return cmd->run;
}

gboolean
vmc_qmp_check_arguments(const VmcQmp *qmp, const VmcQmpCommand *cmd,
                        json_object *arguments, GError **error)
{
    g_autoptr(json_object) empty = NULL;
    g_autoptr(GString) path = g_string_sized_new(64);

    g_return_val_if_fail(qmp != NULL && cmd != NULL, FALSE);
    if (!arguments)
        arguments = empty = json_object_new_object();
    return vmc__qmp_check_value(cmd->args, arguments, path, error);
}

json_object *
vmc_qmp_run(const VmcQmp *qmp, const VmcQmpCommand *cmd, json_object *arguments,
            GError **error)
{
    g_autoptr(json_object) empty = NULL;
    g_autoptr(json_object) ret = NULL;
    g_autoptr(GError) check_error = NULL;
    g_autoptr(GString) path = NULL;

    g_return_val_if_fail(qmp != NULL && cmd != NULL, NULL);
    if (!cmd->handler) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "'%s' is about the connection: only a server runs it", cmd->name);
        return NULL;
    }
    if (!arguments)
        arguments = empty = json_object_new_object();
    if (!(ret = cmd->handler(qmp, arguments, error)))
        return NULL;
    if (qmp->opts.check_returns &&
        !vmc__qmp_check_value(cmd->ret, ret, (path = g_string_new("return")), &check_error)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED,
                    "internal error: the reply of '%s' does not match the schema: %s",
                    cmd->name, check_error->message);
        return NULL;
    }
    return g_steal_pointer(&ret);
}

json_object *
vmc_qmp_execute(const VmcQmp *qmp, const char *name, json_object *arguments,
                GError **error)
{
    const VmcQmpCommand *cmd;

    g_return_val_if_fail(qmp != NULL && name != NULL, NULL);
    cmd = vmc_qmp_lookup(qmp, name);
    if (!cmd || cmd->run == VMC_QMP_RUN_SESSION) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "The command %s has not been found",
                    name);
        return NULL;
    }
    if (!vmc_qmp_check_arguments(qmp, cmd, arguments, error))
        return NULL;
    return vmc_qmp_run(qmp, cmd, arguments, error);
}

const GError *
vmc_qmp_get_osinfo_error(const VmcQmp *qmp)
{
    g_return_val_if_fail(qmp != NULL, NULL);
    return qmp->osdb ? NULL : qmp->osdb_error;
}

json_object *
vmc_qmp_get_greeting(const VmcQmp *qmp)
{
    json_object *version = json_object_new_object();
    json_object *v = json_object_new_object();
    json_object *inner = json_object_new_object();
    json_object *greeting = json_object_new_object();
    g_auto(GStrv) parts = g_strsplit(VMC_VERSION, ".", 3);

    g_return_val_if_fail(qmp != NULL, NULL);
    json_object_object_add(v, "major", json_object_new_int(parts[0] ? atoi(parts[0]) : 0));
    json_object_object_add(v, "minor", json_object_new_int(parts[0] && parts[1] ? atoi(parts[1]) : 0));
    json_object_object_add(v, "micro", json_object_new_int(parts[0] && parts[1] && parts[2] ?
                                                           atoi(parts[2]) : 0));
    json_object_object_add(version, "vmcompat", v);
    json_object_object_add(version, "package", json_object_new_string("vmcompatd " VMC_VERSION));
    json_object_object_add(inner, "version", version);
    json_object_object_add(inner, "capabilities", json_object_new_array());
    json_object_object_add(greeting, "QMP", inner);
    return greeting;
}
