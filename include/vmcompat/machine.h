/* machine.h: versioned machine types and their compat properties.
 *
 * A machine type ("pc-q35-9.1") fixes the guest ABI: its family's defaults
 * plus every compat array of every newer version, applied newest first so
 * that, for one driver.property, the oldest array relevant to the machine
 * wins — exactly QEMU's compat_props_add()/object_apply_global_props()
 * (../shared/data/qemu/README.md, "Semantics"). Each property is classed
 * host-dependent or guest-ABI-only (seed 003).
 *
 * Aliases ("q35", "pc", "s390-ccw-virtio") resolve to the newest version the
 * catalog — or a given release — knows.
 */
#pragma once

#include <glib.h>
#include <vmcompat/arch.h>
#include <vmcompat/catalog.h>
#include <vmcompat/release.h>

G_BEGIN_DECLS

typedef struct _VmcMachineType VmcMachineType;

typedef enum {
    VMC_HOST_DEP_GUEST_ABI_ONLY,
    VMC_HOST_DEP_HOST_DEPENDENT,
} VmcHostDependency;

typedef struct {
    const char *driver;      /* QOM type it matches, with its subclasses */
    const char *property;
    const char *value;       /* QEMU string, verbatim */
    VmcHostDependency host_dependency;
    const char *aspect;      /* guest-visible, migration-stream, host-feature, ... */
    const char *reason;
    const char *array;       /* the compat array that set the winning value */
    const char *since;       /* release the property/default arrived ("qemu-8.2"), or NULL */
} VmcCompatProp;

typedef enum {
    VMC_MACHINE_SUPPORTED,
    VMC_MACHINE_DEPRECATED,
    VMC_MACHINE_DELETED,       /* no longer registered by that release */
    VMC_MACHINE_NOT_YET,       /* newer than the release */
} VmcMachineStatus;

guint vmc_catalog_machine_count(const VmcCatalog *cat, VmcArch arch);
const VmcMachineType *vmc_catalog_machine(const VmcCatalog *cat, VmcArch arch,
                                          guint idx);
/* vmc_catalog_machine_lookup: a concrete name or an alias; an alias
 * resolves to the newest version @rel (nullable: the catalog's newest
 * release) has. Unknown names are NULL. */
const VmcMachineType *vmc_catalog_machine_lookup(const VmcCatalog *cat,
                                                 VmcArch arch,
                                                 const char *name,
                                                 const VmcRelease *rel);
/* Same, over every arch; @ret_arch (nullable) receives the arch. */
const VmcMachineType *vmc_catalog_machine_find(const VmcCatalog *cat,
                                               const char *name,
                                               const VmcRelease *rel,
                                               VmcArch *ret_arch);
/* The machine type QEMU picks without -machine (pc / s390-ccw-virtio). */
const VmcMachineType *vmc_catalog_machine_default(const VmcCatalog *cat,
                                                  VmcArch arch,
                                                  const VmcRelease *rel);

const char *vmc_machine_type_get_name(const VmcMachineType *mt);
const char *vmc_machine_type_get_family(const VmcMachineType *mt);
const char *vmc_machine_type_get_version(const VmcMachineType *mt);
VmcArch vmc_machine_type_get_arch(const VmcMachineType *mt);
/* The machine type this one inherits from (the next newer), or NULL. */
const VmcMachineType *vmc_machine_type_get_parent(const VmcMachineType *mt);
/* The release that introduced it. */
const VmcRelease *vmc_machine_type_get_since(const VmcMachineType *mt);
/* Compat arrays applied, in QEMU's order (family defaults first). */
const char *const *vmc_machine_type_get_arrays(const VmcMachineType *mt);

/* vmc_machine_type_status: supported, deprecated, deleted or not yet
 * present in @rel, following QEMU's versioned machine-type policy
 * (MACHINE_VER_DEPRECATION_MAJOR 3, MACHINE_VER_DELETION_MAJOR 6; from
 * QEMU 9.1 on — releases before it deprecated by hand and are reported
 * supported). */
VmcMachineStatus vmc_machine_type_status(const VmcMachineType *mt,
                                         const VmcRelease *rel);
const char *vmc_machine_status_to_string(VmcMachineStatus status);

/* vmc_machine_type_compat_props: the effective compat properties, one per
 * driver.property, ordered by (driver, property). @n receives the count. */
const VmcCompatProp *vmc_machine_type_compat_props(const VmcMachineType *mt,
                                                   guint *n);
/* The effective value for driver.property exactly as listed (no type
 * ancestry), or NULL. */
const VmcCompatProp *vmc_machine_type_compat_lookup(const VmcMachineType *mt,
                                                    const char *driver,
                                                    const char *property);

const char *vmc_host_dependency_to_string(VmcHostDependency dep);

G_END_DECLS
