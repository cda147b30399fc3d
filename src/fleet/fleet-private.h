/* fleet-private.h: the inventory's internals, shared by the store
 * (store*.c) and answers.c. answers.c sees no SQL: only these functions.
 * Not installed. */
#pragma once

#include <json-c/json.h>
#include <vmcompat/fleet.h>

#include "fleet/store-private.h"
#include "guest/abi-check.h"

/* One host kind, loaded on demand. */
typedef struct {
    gint64 id;
    char *fingerprint;
    VmcHost *host;            /* the kind's document, parsed on first use */
    VmcHostView *view;        /* the host prepared for checks, on first use */
    VmcCpuDef *host_model;    /* its host-model, on first use */
} VmcFleetKind;

struct _VmcFleet {
    VmcCatalog *cat;
    VmcStore *store;          /* SQLite or PostgreSQL (store-private.h) */
    char *path;               /* the inventory for messages (a URI without its password) */
    GHashTable *kinds;        /* id (gint64*) → VmcFleetKind* */
    GHashTable *counts;       /* --where text → kind counts, with the hosts' generation */
};

/* The kind's host (parsed once per open inventory). */
const VmcHost *vmc__fleet_kind_host(VmcFleet *fleet, gint64 kind, GError **error);

/* The kind's host prepared for checks (kept while the inventory is open). */
VmcHostView *vmc__fleet_kind_view(VmcFleet *fleet, gint64 kind, GError **error);

/* Kinds with hosts matching @where: id → number of such hosts; and one
 * example host name per kind (@ret_examples: id → name). Read-only tables:
 * kept (and shared with later calls) while the hosts' generation — bumped
 * by every transaction that changes hosts, in any process — stays. */
GHashTable *vmc__fleet_kind_counts(VmcFleet *fleet, const char *where, GHashTable **ret_examples,
                                   GError **error);

/* Inside a transaction that changes hosts, as its last statement. */
gboolean vmc__fleet_bump_generation(VmcFleet *fleet);
void vmc__fleet_counts_free(gpointer p);

/* The kind fingerprint of a host document (JSON object, not consumed):
 * SHA-256 over the canonical JSON of what changes a verdict. */
char *vmc__fleet_fingerprint(json_object *doc);

/* The store's last failure → GError (VMC_ERROR_IO, "fleet inventory
 * PATH: what: message"); returns FALSE. */
gboolean vmc__fleet_sql_fail(VmcFleet *fleet, GError **error, const char *what);

/* Every recorded guest: @fn(name, abi document text, host name or NULL,
 * user_data) in name order; FALSE from @fn stops. */
typedef gboolean (*VmcFleetGuestFn)(const char *name, const char *abi_doc, const char *abi_fp,
                                    const char *host, gpointer user_data);
gboolean vmc__fleet_foreach_guest(VmcFleet *fleet, VmcFleetGuestFn fn, gpointer user_data,
                                  GError **error);

/* Every recorded guest without its ABI document: @fn(name, abi id, host
 * name or NULL, user_data) in name order; FALSE from @fn stops. */
typedef gboolean (*VmcFleetGuestAbiFn)(const char *name, gint64 abi, const char *host,
                                       gpointer user_data);
gboolean vmc__fleet_foreach_guest_abi(VmcFleet *fleet, VmcFleetGuestAbiFn fn, gpointer user_data,
                                      GError **error);

/* Every recorded ABI's requirement vector under the default check mode and
 * this catalog: abi id (gint64*) → vector text. Vectors the inventory does
 * not hold yet (older ABIs, another catalog) are computed from the ABI
 * documents and kept (*@ret_computed: how many). */
GHashTable *vmc__fleet_abi_vectors(VmcFleet *fleet, guint *ret_computed, GError **error);

/* vectors.c: requirement vectors over many host views. The caller numbers
 * its views (@slot 0, 1, ...) and keeps each slot to one view. */
typedef struct _VmcFleetVectors VmcFleetVectors;
VmcFleetVectors *vmc__fleet_vectors_new(void);
void vmc__fleet_vectors_free(VmcFleetVectors *vs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcFleetVectors, vmc__fleet_vectors_free)
/* The id of a vector (equal text, equal id: 0, 1, ...). */
guint vmc__fleet_vectors_add(VmcFleetVectors *vs, const char *vector);
guint vmc__fleet_vectors_count(const VmcFleetVectors *vs);
/* Whether @view (slot @slot) meets every key of vector @id; FALSE with
 * @error for a key this vmcompat cannot read. */
gboolean vmc__fleet_vectors_met(VmcFleetVectors *vs, guint id, VmcHostView *view, guint slot,
                                gboolean *ret, GError **error);

/* The kind of a host, by name (VMC_ERROR_UNKNOWN: no such host). */
gboolean vmc__fleet_host_kind(VmcFleet *fleet, const char *name, gint64 *ret, GError **error);

/* jsonl.c: call @fn for each non-blank line of a JSON Lines file (the line
 * NUL-terminated, 1-based @lineno); stops at the first FALSE. Lines longer
 * than 16 MiB, and read errors, are errors naming file and line. */
typedef gboolean (*VmcFleetLineFn)(char *line, gsize len, const char *path, guint lineno,
                                   gpointer data, GError **error);
gboolean vmc__fleet_jsonl_foreach(const char *path, VmcFleetLineFn fn, gpointer data, GError **error);
