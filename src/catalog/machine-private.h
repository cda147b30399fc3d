/* machine-private.h: machine types, releases, tunables and platforms inside
 * a VmcCatalog. Not installed.
 *
 * Invariants: per arch, machine types are ordered family by family, newest
 * version first; a type's parent is the next newer version of its family
 * (NULL for the newest); props are sorted by (driver, property) and unique.
 * Platforms are sorted by kernel version; a platform's tunable values are
 * consistent with the capabilities it lists (checked when loading).
 */
#pragma once

#include <json-c/json.h>
#include <vmcompat/catalog.h>
#include <vmcompat/machine.h>
#include <vmcompat/platform.h>
#include <vmcompat/release.h>

typedef struct {
    const char *array;           /* owning array's name */
    char *driver, *property, *value;
    VmcHostDependency dep;
    char *aspect, *reason, *since;
} VmcCompatEntry;

typedef struct {
    char *name;
    GPtrArray *entries;          /* VmcCompatEntry* */
} VmcCompatArray;

struct _VmcMachineType {
    VmcArch arch;
    char *name, *family, *version;
    char *parent_version;        /* as written, resolved after loading */
    const VmcMachineType *parent;
    VmcRelease since;
    GStrv own_arrays;
    GStrv arrays;                /* effective, QEMU order */
    GArray *props;               /* VmcCompatProp, sorted */
    gboolean family_default;
    GStrv family_aliases;
};

typedef struct {
    char *source;
    GPtrArray *types;            /* VmcMachineType* */
    GHashTable *by_name;         /* concrete name → VmcMachineType* */
    GHashTable *arrays;          /* name → VmcCompatArray* */
} VmcMachineCatalog;

typedef struct {
    char *name;
    VmcRelease since;
    gboolean exact;              /* FALSE: "since_at_most" */
    char *text;
} VmcSince;

typedef struct {
    GArray *releases;            /* VmcRelease, ascending */
    GHashTable *models[VMC_ARCH_N];    /* name → VmcSince* */
    GHashTable *features[VMC_ARCH_N];
    VmcRelease policy_since;     /* versioned deprecation policy */
} VmcReleaseTable;

struct _VmcTunable {
    char *driver, *property, *name;
    VmcTunableKind kind;
    gboolean arch[VMC_ARCH_N];
    GStrv applies_to;
    char *safe, *qemu_default, *since, *source;
    GStrv need_values;           /* parallel: value → capabilities */
    GPtrArray *need_caps;        /* GStrv per value */
};

struct _VmcPlatform {
    char *name, *kernel, *based_on, *description, *origin;
    guint kernel_major, kernel_minor;
    GStrv capabilities;
    GStrv arch_capabilities[VMC_ARCH_N];
    GHashTable *tunables;        /* "driver.property" → value */
    GHashTable *sources;         /* capability → citation */
};

typedef struct {
    VmcMachineCatalog machines[VMC_ARCH_N];
    VmcReleaseTable releases;
    GPtrArray *tunables;         /* VmcTunable* */
    GHashTable *tunable_by_name;
    GPtrArray *platforms;        /* VmcPlatform*, sorted */
} VmcPlatformCatalog;

/* vmc__catalog_strv: a JSON array of strings (NULL: empty) as a GStrv; a
 * non-string element is a VMC_ERROR_CATALOG error naming @file and @field. */
GStrv vmc__catalog_strv(json_object *arr, const char *file, const char *field,
                        GError **error);

/* The newest version of machine-type @family, or NULL. */
const VmcMachineType *vmc__machine_newest(const VmcCatalog *cat, VmcArch arch,
                                          const char *family);

void vmc__platform_catalog_init(VmcPlatformCatalog *pc);
void vmc__tunables_init(VmcPlatformCatalog *pc);
void vmc__tunables_clear(VmcPlatformCatalog *pc);
gboolean vmc__machines_finish(VmcPlatformCatalog *pc, GError **error);
void vmc__platform_catalog_clear(VmcPlatformCatalog *pc);

/* Loaders (JSON text, file or resource name for messages). Machine and
 * release files replace what was loaded before for that arch/table;
 * tunables files add or replace tunables by name; platform files add or
 * replace a platform by name. */
gboolean vmc__machine_load_json(VmcPlatformCatalog *pc, const char *json,
                                gsize len, const char *name, GError **error);
gboolean vmc__releases_load_json(VmcPlatformCatalog *pc, const char *json,
                                 gsize len, const char *name, GError **error);
gboolean vmc__tunables_load_json(VmcPlatformCatalog *pc, const char *json,
                                 gsize len, const char *name, GError **error);
gboolean vmc__platform_load_json(VmcPlatformCatalog *pc, const char *json,
                                 gsize len, const char *name, GError **error);
/* After every file is in: resolve parents, compute effective props, sort
 * platforms, check platform/tunable consistency. */
gboolean vmc__platform_catalog_finish(VmcPlatformCatalog *pc, GError **error);
