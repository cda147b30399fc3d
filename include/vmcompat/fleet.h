/* fleet.h: an inventory of hosts and guests, and the answers operators need
 * over it — where can this guest go, the cluster baseline, the CPU model
 * ladder, KubeVirt node labels.
 *
 * Hosts are deduplicated into *host kinds*: hosts whose documents agree on
 * everything that changes a verdict (arch, CPU vendor/signature/features,
 * QEMU release and machine types, KVM and host capabilities, the kernel's
 * X.Y, hence its platforms) share one kind; per-host columns keep name,
 * cluster, labels and the full kernel string. Every answer is the
 * single-host rule (vmc_abi_check, vmc_guest_resolve, vmc_cpu_baseline,
 * vmc_cpu_models_accel) evaluated once per kind and counted over its hosts —
 * never a second implementation of a rule. docs/fleet.md.
 *
 * Storage: SQLite (a file, WAL) or PostgreSQL (libpq; several management
 * nodes share one inventory), one transaction per import batch; the
 * schema is versioned and migrated on open.
 */
#pragma once

#include <glib.h>
#include <vmcompat/abi.h>
#include <vmcompat/catalog.h>
#include <vmcompat/cpu-def.h>
#include <vmcompat/guest.h>
#include <vmcompat/host.h>
#include <vmcompat/release.h>
#include <vmcompat/verdict.h>

G_BEGIN_DECLS

#define VMC_FLEET_SCHEMA_VERSION 2

typedef struct _VmcFleet VmcFleet;

/**
 * vmc_fleet_open:
 * @db: an SQLite file (created when missing), or a PostgreSQL connection
 *     URI — `postgresql://` or `postgres://`, any libpq URI, e.g.
 *     `postgresql://fleet@db.example/fleet` or
 *     `postgresql:///fleet?host=/run/postgresql` (a UNIX socket
 *     directory). Several vmcompat nodes may share one PostgreSQL
 *     inventory; a password in the URI is masked in messages.
 *
 * Opens the inventory, creating or migrating its schema (one transaction,
 * serialised between nodes). A newer schema than this vmcompat knows is
 * refused.
 *
 * Returns: (transfer full): the inventory, or NULL with @error set.
 */
VmcFleet *vmc_fleet_open(VmcCatalog *cat, const char *db, GError **error);
void vmc_fleet_close(VmcFleet *fleet);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcFleet, vmc_fleet_close)

typedef struct {
    guint hosts_new;
    guint hosts_updated;     /* an existing host whose document changed */
    guint hosts_unchanged;
    guint kinds_new;
    guint batches;
} VmcFleetImportStats;

/**
 * vmc_fleet_import:
 * @paths: host documents (any input vmc_host_load reads), or JSON Lines
 *     files (`.jsonl`: one host document per line, with optional
 *     "cluster" and "labels" members)
 * @cluster: (nullable): cluster of hosts whose input names none
 * @batch: hosts per transaction (0: 1000)
 *
 * Idempotent: a host is keyed by name; importing it again updates it. A bad
 * line is an error naming file and line; the batches before it stay.
 */
gboolean vmc_fleet_import(VmcFleet *fleet, const char *const *paths, const char *cluster,
                          guint batch, VmcFleetImportStats *stats, GError **error);
/* Remove a host (and its kind when no host has it any more). */
gboolean vmc_fleet_forget(VmcFleet *fleet, const char *host, GError **error);

typedef struct {
    char *name;
    char *cluster;
    char *labels;            /* JSON object text */
    char *kernel;
    gint64 kind;
    char *kind_fingerprint;
} VmcFleetHost;
void vmc_fleet_host_clear(VmcFleetHost *h);

/**
 * vmc_fleet_hosts:
 * @where: (nullable): a filter — "cluster=C", "host=GLOB", "label.K=V",
 *     "kind=N", "vendor=V", "arch=A", several joined with "," (all must
 *     hold). V is the CPU vendor recorded for the host's kind ("Intel",
 *     "AMD"; s390x kinds record none), compared without regard to ASCII
 *     case; a CPUID vendor string ("GenuineIntel") means its vendor. An
 *     unknown vendor matches no host. A is "x86_64" or "s390x" (or another
 *     spelling vmc_arch_from_string accepts); an unknown arch is an error.
 *
 * Returns: (element-type VmcFleetHost): the hosts, by name; NULL with
 *     @error set (VMC_ERROR_PARSE naming the bad part of @where).
 */
GArray *vmc_fleet_hosts(VmcFleet *fleet, const char *where, GError **error);
guint vmc_fleet_count_kinds(VmcFleet *fleet);

/* The hosts of one architecture and CPU vendor. */
typedef struct {
    char *arch;              /* "x86_64" */
    char *vendor;            /* "Intel"; NULL: the kinds record none (s390x) */
    guint n_hosts;
    guint n_kinds;
} VmcFleetVendor;
void vmc_fleet_vendor_clear(VmcFleetVendor *v);

/**
 * vmc_fleet_vendors:
 * @fleet: the inventory
 * @where: (nullable): a filter, as vmc_fleet_hosts takes
 * @error: return location for a #GError
 *
 * The (arch, CPU vendor) pairs of the hosts matching @where — a selection
 * with more than one has no baseline CPU.
 *
 * Returns: (transfer full) (element-type VmcFleetVendor): most hosts first
 *     (then by arch and vendor, no vendor last); empty when no host
 *     matches; NULL with @error set.
 *
 * Since: 0.1
 */
GArray *vmc_fleet_vendors(VmcFleet *fleet, const char *where, GError **error);

/**
 * vmc_fleet_check_one_vendor:
 * @fleet: the inventory
 * @where: (nullable): a filter, as vmc_fleet_hosts takes
 * @error: return location for a #GError
 *
 * Whether the hosts matching @where share one arch and CPU vendor — the
 * first thing a baseline over them needs. `fleet baseline` and
 * vmc_fleet_admit use it to explain a selection with no common CPU.
 *
 * Returns: TRUE when they do (or no host matches); FALSE with @error set:
 *     VMC_ERROR_INCOMPATIBLE naming the vendors with their host counts and
 *     the --where selections that would each be one vendor, or the
 *     inventory's failure.
 *
 * Since: 0.1
 */
gboolean vmc_fleet_check_one_vendor(VmcFleet *fleet, const char *where, GError **error);

/* Record a guest instance (its resolved ABI, deduplicated by fingerprint)
 * and the host it runs on (NULL: none). */
gboolean vmc_fleet_guest_add(VmcFleet *fleet, const char *name, const VmcAbi *abi,
                             const char *host, GError **error);
/* Resolve a guest definition on an inventory host (its kind's document), as
 * `guest resolve` would (transfer full). */
VmcAbi *vmc_fleet_resolve(VmcFleet *fleet, const VmcGuest *guest, const char *host, GError **error);
/* Bulk: JSON Lines of {"name", "host", "guest": guest JSON}; each guest is
 * resolved on its host's kind and recorded. Guests that do not resolve
 * there are counted (*ret_failed) and described in @failures (nullable). */
gboolean vmc_fleet_guest_import(VmcFleet *fleet, const char *path, guint *ret_added,
                                guint *ret_failed, GPtrArray *failures, GError **error);
/* The ABI of a recorded guest, and the host it runs on (transfer full). */
VmcAbi *vmc_fleet_guest_get(VmcFleet *fleet, const char *name, char **ret_host, GError **error);

/* One host kind's answer. */
typedef struct {
    gint64 kind;
    char *fingerprint;
    guint n_hosts;           /* hosts of the kind that match the filter */
    char *example;           /* one of them */
    VmcVerdict *verdict;     /* the single-host verdict on the kind */
} VmcFleetKindVerdict;
void vmc_fleet_kind_verdict_clear(VmcFleetKindVerdict *kv);

/**
 * vmc_fleet_where:
 * @abi: (nullable): a resolved ABI — checked with vmc_abi_check_mode
 * @guest: (nullable): a guest definition — resolved on each kind, then
 *     checked (exactly one of @abi and @guest)
 * @from: (nullable): a host name: the guest runs there, so the question is
 *     live migration (vmc_migrate_check from it)
 *
 * Returns: (element-type VmcFleetKindVerdict): one row per kind with hosts
 *     matching @where, runnable kinds first, then by host count.
 */
GArray *vmc_fleet_where(VmcFleet *fleet, const VmcAbi *abi, const VmcGuest *guest,
                        const char *from, VmcCpuCheck mode, const char *where, GError **error);

/**
 * vmc_fleet_baseline:
 * @keep_deprecated: baseline the hardware CPUs (deprecated features a host
 *     has count); default: the host-models, which disable them (seed 000)
 *
 * The CPU every matching host can run: vmc_cpu_baseline over the kinds.
 */
VmcCpuDef *vmc_fleet_baseline(VmcFleet *fleet, const char *where, gboolean keep_deprecated,
                              guint *ret_hosts, GError **error);

/* What admitting a host to a selection does to its baseline. */
typedef struct {
    guint n_hosts;           /* hosts matching the selection */
    VmcCpuDef *before;       /* their baseline (vmc_fleet_baseline: host-models) */
    VmcCpuDef *after;        /* the baseline of @before and the host's host-model;
                              * NULL when the host cannot join */
    GPtrArray *lost;         /* features @before has and @after has not, catalog
                              * order; empty when the host keeps the baseline */
    char *refusal;           /* why the host cannot join at all — another arch or
                              * CPU vendor: no CPU runs on both — else NULL */
} VmcFleetAdmit;
void vmc_fleet_admit_clear(VmcFleetAdmit *a);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VmcFleetAdmit, vmc_fleet_admit_clear)

/**
 * vmc_fleet_admit:
 * @fleet: the inventory
 * @host: the host to admit (a host document; it need not be in the inventory)
 * @where: (nullable): the hosts it would join, a filter as vmc_fleet_hosts
 *     takes (`fleet admit` requires one, e.g. "cluster=C"); NULL: every host
 * @ret: (out caller-allocates): the answer, untouched on failure; free its
 *     members with vmc_fleet_admit_clear (or declare it g_auto(VmcFleetAdmit))
 * @error: return location for a #GError
 *
 * Would @host lower the baseline of the hosts matching @where? The baseline
 * before is vmc_fleet_baseline's (the kinds' host-models, deprecated
 * features disabled); after is vmc_cpu_baseline of it and @host's
 * host-model (migratable features); the lost features are those the first
 * enables and the second does not. A host of another arch or CPU vendor
 * than the selection cannot join: @ret->refusal says why.
 *
 * Returns: TRUE with @ret filled — @host lowers the baseline when
 *     @ret->lost is not empty, cannot join when @ret->refusal is set — or
 *     FALSE with @error set: no host matches @where (VMC_ERROR_UNKNOWN), the
 *     selection itself mixes vendors (VMC_ERROR_INCOMPATIBLE, as
 *     vmc_fleet_check_one_vendor), @host has no host-model, the inventory
 *     failed.
 *
 * Since: 0.1
 */
gboolean vmc_fleet_admit(VmcFleet *fleet, const VmcHost *host, const char *where,
                         VmcFleetAdmit *ret, GError **error);

typedef struct {
    char *model;             /* "Skylake-Client-v4" */
    gboolean deprecated;
    guint n_hosts;           /* hosts that can run it */
    guint n_total;
} VmcFleetRung;
void vmc_fleet_rung_clear(VmcFleetRung *r);
/* For each catalog CPU model of the fleet's arch: how many hosts run it. */
GArray *vmc_fleet_ladder(VmcFleet *fleet, const char *where, GError **error);

/* A kind that holds a pool's baseline down. */
typedef struct {
    gint64 kind;
    guint n_hosts;
    GPtrArray *gains;        /* features the baseline would gain without it */
} VmcFleetLimit;

/* Guests that can run on exactly the same host kinds. */
typedef struct {
    GPtrArray *guests;       /* names */
    GArray *kinds;           /* gint64: the kinds they can run on */
    guint n_hosts;
    VmcCpuDef *baseline;     /* NULL when the kinds share no CPU (vendors) */
    char *baseline_error;
    GPtrArray *machine_types;  /* every kind offers them */
    char *machine;           /* the newest of them (q35 / s390-ccw-virtio), or NULL */
    char *platform;          /* newest platform every kind supports, or NULL */
    GArray *limiting;        /* VmcFleetLimit, most gain first */
} VmcFleetPool;
void vmc_fleet_pool_clear(VmcFleetPool *p);

/**
 * vmc_fleet_pools:
 *
 * The recorded guests grouped by the set of host kinds (matching @where)
 * they can run on (vmc_abi_check_mode, memoised per ABI × kind), largest
 * first, each with its baseline CPU, common machine types, newest common
 * platform and limiting kinds.
 */
GArray *vmc_fleet_pools(VmcFleet *fleet, const char *where, VmcCpuCheck mode, GError **error);

/* One self-contained HTML page (inline CSS, no script): host kinds, pools,
 * the CPU model ladder, the migration matrix between kinds (transfer full). */
char *vmc_fleet_report_html(VmcFleet *fleet, const char *where, GError **error);

/* ---- upgrades ------------------------------------------------------------ */

/* What an upgrade does to one recorded guest (only guests it changes). */
typedef struct {
    char *guest;
    char *host;              /* where it runs, or NULL */
    VmcVerdict *restart;     /* its recorded ABI on its own host after the upgrade;
                              * NULL: its host is not upgraded */
    guint before, after;     /* hosts that can run it */
    gboolean stranded;       /* some host before, none after */
    gboolean loses_most;     /* after < before / 2 */
    /* What a restart on its upgraded host would give (only with @restart):
     * the guest definition the ABI records (vmc_abi_to_guest) resolved
     * there with vmc_guest_resolve. Since: 0.1 (added after the fields
     * above; zero when absent). */
    gboolean restart_platform_kept;  /* TRUE: the recorded platform is kept — it is not
                                      * its host's default, so the guest named it; FALSE:
                                      * the restart takes the upgraded host's default */
    VmcAbi *restart_abi;     /* NULL: it does not resolve there (@restart_error) */
    char *restart_error;     /* why it does not resolve, or NULL */
    GArray *restart_changes; /* (element-type VmcAbiChange) @restart_abi against the
                              * recorded ABI (vmc_abi_diff); NULL without @restart_abi */
} VmcFleetImpact;
void vmc_fleet_impact_clear(VmcFleetImpact *i);

#define VMC_FLEET_UPGRADE_OPTIONS_VERSION 1

/* What the selected hosts become: exactly one of @to_release, @to_kernel
 * and @as. */
typedef struct {
    guint version;                 /* VMC_FLEET_UPGRADE_OPTIONS_VERSION */
    const VmcRelease *to_release;  /* their QEMU becomes this release (its machine types) */
    const char *to_kernel;         /* their kernel becomes this mainline release
                                    * (vmc_host_with_kernel) */
    const VmcHost *as;             /* they become this host document */
    VmcCpuCheck mode;              /* check mode (VMC_CPU_CHECK_DEFAULT: each ABI's own) */
} VmcFleetUpgradeOptions;

#define VMC_FLEET_UPGRADE_OPTIONS_INIT \
    { VMC_FLEET_UPGRADE_OPTIONS_VERSION, NULL, NULL, NULL, VMC_CPU_CHECK_DEFAULT }

/**
 * vmc_fleet_upgrade_impact_opts:
 * @fleet: the inventory
 * @hosts: the hosts upgraded (a --where filter)
 * @opts: what they become (VMC_FLEET_UPGRADE_OPTIONS_INIT, then one of
 *     to_release, to_kernel, as)
 * @ret_hosts: (out) (optional): how many hosts are upgraded
 * @error: return location for a #GError, or NULL
 *
 * Each selected host kind becomes its upgraded document, and every
 * recorded guest is checked (vmc_abi_check_mode) on its own host after
 * the upgrade and on every host before and after; a guest whose host is
 * upgraded is also resolved again there (restart_* fields). Errors: a bad
 * @to_kernel (vmc_host_with_kernel) before anything is read.
 *
 * Returns: (transfer full) (element-type VmcFleetImpact): the guests the
 *     upgrade changes, in name order; NULL with @error set.
 * Since: 0.1
 */
GArray *vmc_fleet_upgrade_impact_opts(VmcFleet *fleet, const char *hosts,
                                      const VmcFleetUpgradeOptions *opts, guint *ret_hosts,
                                      GError **error);

/**
 * vmc_fleet_upgrade_impact:
 * @hosts: the hosts upgraded (a --where filter)
 * @to_release: (nullable): their QEMU becomes this release (its machine types)
 * @as: (nullable): they become this host document (exactly one of the two)
 *
 * vmc_fleet_upgrade_impact_opts() with these options.
 *
 * Returns: (element-type VmcFleetImpact): the guests the upgrade changes.
 */
GArray *vmc_fleet_upgrade_impact(VmcFleet *fleet, const char *hosts, const VmcRelease *to_release,
                                 const VmcHost *as, VmcCpuCheck mode, guint *ret_hosts, GError **error);

/* ---- two hosts (seed 004) ---------------------------------------------- */

typedef struct {
    char *what;              /* "a guest with A's defaults from A to B" */
    VmcVerdict *verdict;     /* resolve on the source + migrate check */
} VmcHostMove;

typedef struct {
    GPtrArray *platforms;    /* both support, catalog order */
    char *platform;          /* the pair's platform: newest common, ≤ either default */
    GPtrArray *machine_types;  /* both QEMUs offer */
    char *machine;           /* newest common q35 / s390-ccw-virtio */
    VmcCpuDef *baseline;     /* of the two host-models; NULL (vendors differ) */
    char *baseline_error;
    VmcHostMove moves[4];    /* A's defaults A→B, B's defaults B→A, common A→B, B→A */
} VmcHostCompat;

/* Are two hosts compatible: common platforms, machine types, baseline CPU,
 * and whether guests move each way (typed reasons when not). */
VmcHostCompat *vmc_host_compat(VmcCatalog *cat, const VmcHost *a, const VmcHost *b, GError **error);
void vmc_host_compat_free(VmcHostCompat *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcHostCompat, vmc_host_compat_free)

/* KubeVirt node-labeller labels of a host: "key=value" strings, sorted. */
GPtrArray *vmc_fleet_labels(VmcFleet *fleet, const char *host, GError **error);
/* The same for a host document (no inventory needed). */
GPtrArray *vmc_host_kubevirt_labels(VmcCatalog *cat, const VmcHost *host, GError **error);

G_END_DECLS
