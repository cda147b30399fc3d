/* guestos.h: guest OS support policy (seed 002) — tiers from real OS data
 * (osinfo-db through libosinfo) and which machine-type defaults break which
 * guests, with the fix.
 *
 * Three tiers, as proposed upstream:
 *   Recommended — expected to work well with the machine type's defaults;
 *   Supported   — should work, may need special settings;
 *   Unsupported — will not work (or is no longer looked after) regardless.
 * A policy (VmcOsPolicy) places an OS by its vendor's support status
 * (default) or by its release date; a machine-type check (vmc_os_check)
 * then says what in the machine type's defaults and the guest's devices the
 * OS cannot use, the fix, and the tier on that machine type.
 * docs/guestos.md has the rules and the policy file format.
 */
#pragma once

#include <glib.h>
#include <vmcompat/abi.h>
#include <vmcompat/catalog.h>
#include <vmcompat/guest.h>
#include <vmcompat/verdict.h>

G_BEGIN_DECLS

typedef enum {
    VMC_OS_TIER_RECOMMENDED,
    VMC_OS_TIER_SUPPORTED,
    VMC_OS_TIER_UNSUPPORTED,
} VmcOsTier;

const char *vmc_os_tier_to_string(VmcOsTier tier);      /* "recommended" ... */
const char *vmc_os_tier_title(VmcOsTier tier);          /* "Recommended" ... */
gboolean vmc_os_tier_from_string(const char *s, VmcOsTier *ret);  /* any case */

/* ---- the OS database ------------------------------------------------------ */

typedef struct _VmcOsDb VmcOsDb;

/* What osinfo-db says about one virtio device kind (net, block, ...). */
typedef struct {
    const char *kind;
    gboolean legacy;          /* lists the transitional (0.9) PCI id 1af4:10xx */
    gboolean modern;          /* lists the virtio 1.0 PCI id 1af4:1040+n */
    gboolean driver_legacy;   /* ... through an installable driver (virtio-win) */
    gboolean driver_modern;
} VmcOsVirtio;

typedef struct {
    const char *id;           /* "http://redhat.com/rhel/6.10" */
    const char *short_id;     /* "rhel6.10" (NULL for a few entries) */
    const char *name;         /* "Red Hat Enterprise Linux 6.10" */
    const char *vendor;
    const char *family;       /* "linux", "winnt", ... */
    const char *distro;
    const char *version;
    GDate release;            /* invalid: osinfo-db gives none */
    GDate eol;                /* invalid: none */
    const char *status;       /* "released", "prerelease", "snapshot", "rolling" */
    gboolean has_devices;     /* osinfo-db lists any device (with inherited ones) */
    gboolean q35;             /* lists the q35 chipset (http://qemu.org/chipset/x86/q35) */
    const VmcOsVirtio *virtio;  /* VMC_OS_VIRTIO_KINDS entries */
    guint n_virtio;
} VmcOsInfo;

/**
 * vmc_os_db_open:
 * @dir: (nullable): an osinfo database directory (the layout of
 *     /usr/share/osinfo: os/, device/, ...); NULL reads libosinfo's
 *     default locations, which honour $OSINFO_SYSTEM_DIR (default
 *     /usr/share/osinfo), $OSINFO_LOCAL_DIR (/etc/osinfo) and
 *     $OSINFO_USER_DIR
 *
 * Loads every OS. A missing directory, malformed XML, a date that is no
 * YYYY-MM-DD date, or a database without any OS is an error naming the
 * file and what to install.
 */
VmcOsDb *vmc_os_db_open(const char *dir, GError **error);
void vmc_os_db_free(VmcOsDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcOsDb, vmc_os_db_free)

/* "osinfo-db 20221203 (790 operating systems) at /usr/share/osinfo" */
const char *vmc_os_db_describe(const VmcOsDb *db);
/* By short id ("rhel6.10") or osinfo id; VMC_ERROR_UNKNOWN names close short ids. */
const VmcOsInfo *vmc_os_db_lookup(const VmcOsDb *db, const char *os, GError **error);
/* Every OS, sorted by short id (then id). Owned by @db. */
guint vmc_os_db_count(const VmcOsDb *db);
const VmcOsInfo *vmc_os_db_get(const VmcOsDb *db, guint idx);

/* ---- the policy ----------------------------------------------------------- */

typedef struct _VmcOsPolicy VmcOsPolicy;

/**
 * vmc_os_policy_parse:
 * @spec: "vendor" (default rules), "age:5y" (Recommended when released
 *     within 5 years; "age:5y:10y" also sets the Supported window), or the
 *     path of a policy file (JSON, docs/guestos.md)
 */
VmcOsPolicy *vmc_os_policy_parse(const char *spec, GError **error);
void vmc_os_policy_free(VmcOsPolicy *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcOsPolicy, vmc_os_policy_free)
const char *vmc_os_policy_get_name(const VmcOsPolicy *p);
/* The effective policy as a policy file (JSON, transfer full). */
char *vmc_os_policy_to_json(const VmcOsPolicy *p);

/* The tier of @os on @date, and why in one sentence (transfer full). */
VmcOsTier vmc_os_policy_tier(const VmcOsPolicy *p, const VmcOsInfo *os, const GDate *date,
                             char **reason);

/* "2026-11-22" → @ret; errors name the bad field. */
gboolean vmc_date_parse(const char *s, GDate *ret, GError **error);
/* The reverse: "2026-11-22", or NULL for an invalid (unset) date (transfer full). */
char *vmc_date_to_string(const GDate *d);

/* ---- machine types -------------------------------------------------------- */

/* One thing the OS cannot use as the machine type (and the guest) has it. */
typedef struct {
    const char *code;       /* virtio-legacy-only, virtio-no-driver, virtio-needs-driver,
                             * chipset-q35-unrecorded */
    const char *subject;    /* "virtio-net, virtio-block" or "disk vda" */
    const char *problem;
    const char *fix;
    gboolean fixable;       /* settings fix it on this machine type */
} VmcOsProblem;

typedef struct _VmcOsCheck VmcOsCheck;

/**
 * vmc_os_check:
 * @machine: a machine type name or alias ("q35", "pc-q35-7.2")
 * @devices: (array length=n_devices) (nullable): the guest's virtio PCI
 *     devices and slots (vmc_guest_get_virtio / vmc_abi_get_virtio)
 * @n_devices: how many; -1: no guest — assume the devices management tools
 *     pick for this OS (virtio for every kind it has built-in drivers for),
 *     placed where the machine type puts them by default
 *
 * What in @machine's defaults (and the guest's devices) @os cannot use,
 * with the fix, and the tier of @os on @machine: the policy tier, capped at
 * Supported when settings are needed.
 */
VmcOsCheck *vmc_os_check(VmcCatalog *cat, const VmcOsPolicy *policy, const VmcOsInfo *os,
                         const char *machine, const VmcGuestVirtio *devices, int n_devices,
                         const GDate *date, GError **error);
void vmc_os_check_free(VmcOsCheck *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcOsCheck, vmc_os_check_free)
const char *vmc_os_check_get_machine(const VmcOsCheck *c);   /* concrete name */
VmcOsTier vmc_os_check_get_policy_tier(const VmcOsCheck *c);
const char *vmc_os_check_get_policy_reason(const VmcOsCheck *c);
VmcOsTier vmc_os_check_get_tier(const VmcOsCheck *c);        /* on this machine type */
guint vmc_os_check_get_problem_count(const VmcOsCheck *c);
const VmcOsProblem *vmc_os_check_get_problem(const VmcOsCheck *c, guint idx);
GPtrArray *vmc_os_check_get_notes(const VmcOsCheck *c);        /* char* */
/* {"os","machine","date","policy","policy-tier","tier","problems":[...],"notes":[...]} */
char *vmc_os_check_to_json(const VmcOsCheck *c);

/**
 * vmc_os_check_abi_reasons:
 * @db: (nullable): NULL when the database could not be opened
 *     (@db_error says why): a guest-os-unknown warning, never a failure
 *
 * The typed reasons of a guest that names its OS, added to @v:
 * guest-os-needs-settings (error: the guest as configured has a device the
 * OS cannot drive; the message has the fix), guest-os-unsupported
 * (warning: Unsupported by the policy or on this machine type),
 * guest-os-unknown (warning: not in osinfo-db), guest-os-supported (note:
 * the tier when it is Supported and the settings are in place). Nothing
 * when the ABI names no OS.
 */
void vmc_os_check_abi_reasons(VmcCatalog *cat, const VmcOsDb *db, const GError *db_error,
                              const VmcOsPolicy *policy, const VmcAbi *abi, const GDate *date,
                              VmcVerdict *v);

G_END_DECLS
