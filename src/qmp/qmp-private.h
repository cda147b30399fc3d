/* qmp-private.h: the command set's insides, shared by the schema and
 * dispatch code (qmp.c) and the command implementations (qmp-commands.c).
 *
 * Invariants: a VmcQmp is immutable once vmc_qmp_new() returns; its schema
 * types are resolved (every name points to its definition) and every
 * command of the schema with run inline/worker has exactly one
 * implementation in vmc__qmp_handlers.
 */
#pragma once

#include <vmcompat/qmp.h>
#include <vmcompat/guestos.h>

#ifndef VMC_JSON_OBJECT_AUTOPTR_DEFINED
#define VMC_JSON_OBJECT_AUTOPTR_DEFINED 1
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_object, json_object_put)
#endif

/* Bounds on the schema file itself (it is ours, but read like any input). */
#define VMC_QMP_SCHEMA_MAX_DEPTH 16

typedef enum {
    VMC_QMP_TYPE_STR,
    VMC_QMP_TYPE_INT,
    VMC_QMP_TYPE_NUMBER,
    VMC_QMP_TYPE_BOOL,
    VMC_QMP_TYPE_NULL,
    VMC_QMP_TYPE_ANY,
    VMC_QMP_TYPE_DICT,        /* any JSON object */
    VMC_QMP_TYPE_ARRAY,
    VMC_QMP_TYPE_ENUM,
    VMC_QMP_TYPE_STRUCT,
    VMC_QMP_TYPE_ALTERNATE,
    VMC_QMP_TYPE_N,
} VmcQmpTypeKind;

typedef struct _VmcQmpType VmcQmpType;

typedef struct {
    char *name;
    gboolean optional;
    const VmcQmpType *type;
    char *doc;                 /* nullable */
} VmcQmpMember;

struct _VmcQmpType {
    char *name;                /* "str", "CpuModelInfo", "[str]" */
    VmcQmpTypeKind kind;
    const VmcQmpType *element; /* ARRAY */
    GPtrArray *members;        /* STRUCT, ALTERNATE: VmcQmpMember* in order */
    GHashTable *by_name;       /* STRUCT: member name → VmcQmpMember* */
    char **values;             /* ENUM */
    char *doc;
};

/* An implementation: arguments already checked against the schema. */
typedef json_object *(*VmcQmpHandler)(const VmcQmp *qmp, json_object *args,
                                      GError **error);

typedef struct {
    const char *name;
    VmcQmpHandler handler;
} VmcQmpHandlerEntry;

struct _VmcQmpCommand {
    char *name;
    const VmcQmpType *args;    /* a STRUCT (maybe without members) */
    const VmcQmpType *ret;
    VmcQmpRun run;
    VmcQmpHandler handler;     /* NULL for session commands */
};

struct _VmcQmp {
    gint refs;
    VmcCatalog *cat;
    VmcQmpOptions opts;
    GHashTable *types;         /* name → VmcQmpType* (owned) */
    GHashTable *commands;      /* name → VmcQmpCommand* (owned) */
    GPtrArray *command_order;  /* VmcQmpCommand*, schema order */
    json_object *introspection;   /* query-qmp-schema's answer */
    VmcOsDb *osdb;             /* the osinfo database, or NULL ... */
    GError *osdb_error;        /* ... and why */
};

/* The implementations (qmp-commands.c), NULL-terminated. */
extern const VmcQmpHandlerEntry vmc__qmp_handlers[];

/* vmc__qmp_check_value: @value against @type; @path names it in errors
 * ("modelb.name": members are appended while descending and removed on the
 * way back, so a check allocates nothing unless it fails). Used for
 * arguments and, with check_returns, replies. */
gboolean vmc__qmp_check_value(const VmcQmpType *type, json_object *value,
                              GString *path, GError **error);
