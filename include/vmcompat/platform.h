/* platform.h: platforms and host-dependent tunables (seed 004).
 *
 * A *tunable* is a device or CPU property whose value needs something from
 * the host (virtio-net-device.host_uso=on needs tap.uso). A *platform*
 * ("linux-6.2", a downstream "linux-rhel-9.5") is a named, ordered set of
 * host capabilities and the value it fixes for every platform-kind tunable.
 * A host supports a platform when it has all of its capabilities; the
 * default platform of a host is the newest it supports. Formats:
 * docs/platforms.md. Platform files in an overlay directory's platforms/
 * are picked up without rebuilding.
 */
#pragma once

#include <glib.h>
#include <vmcompat/arch.h>
#include <vmcompat/catalog.h>

G_BEGIN_DECLS

typedef struct _VmcTunable VmcTunable;
typedef struct _VmcPlatform VmcPlatform;

typedef enum {
    VMC_TUNABLE_PLATFORM,     /* a platform fixes its value */
    VMC_TUNABLE_BACKEND,      /* depends on a backend the guest attaches */
    VMC_TUNABLE_CPU_FEATURE,  /* a CPUID bit: judged by the CPU engine */
} VmcTunableKind;

/* ---- tunables ---------------------------------------------------------- */

guint vmc_catalog_tunable_count(const VmcCatalog *cat);
const VmcTunable *vmc_catalog_tunable(const VmcCatalog *cat, guint idx);
/* By "driver.property" or driver + property (@property NULL: @name is the
 * dotted form). */
const VmcTunable *vmc_catalog_tunable_lookup(const VmcCatalog *cat,
                                             const char *driver,
                                             const char *property);

const char *vmc_tunable_get_driver(const VmcTunable *t);
const char *vmc_tunable_get_property(const VmcTunable *t);
/* "driver.property" */
const char *vmc_tunable_get_name(const VmcTunable *t);
VmcTunableKind vmc_tunable_get_kind(const VmcTunable *t);
gboolean vmc_tunable_has_arch(const VmcTunable *t, VmcArch arch);
/* Concrete -device types it reaches; "*cpu*" and "*machine*" are every
 * guest CPU and every guest. */
const char *const *vmc_tunable_get_applies_to(const VmcTunable *t);
const char *vmc_tunable_get_safe_value(const VmcTunable *t);
const char *vmc_tunable_get_qemu_default(const VmcTunable *t);
const char *vmc_tunable_get_since(const VmcTunable *t);
const char *vmc_tunable_get_source(const VmcTunable *t);
/* Capabilities @value needs (empty vector when none). Boolean spellings
 * (on/off/true/false/yes/no) match each other. */
const char *const *vmc_tunable_needs(const VmcTunable *t, const char *value);
/* Whether two values of a property mean the same (on == true, ...). */
gboolean vmc_tunable_value_equal(const char *a, const char *b);
const char *vmc_tunable_kind_to_string(VmcTunableKind kind);

/* ---- platforms --------------------------------------------------------- */

/* Platforms ordered oldest first (by kernel version, then name). */
guint vmc_catalog_platform_count(const VmcCatalog *cat);
const VmcPlatform *vmc_catalog_platform(const VmcCatalog *cat, guint idx);
const VmcPlatform *vmc_catalog_platform_lookup(const VmcCatalog *cat,
                                               const char *name);

const char *vmc_platform_get_name(const VmcPlatform *p);
const char *vmc_platform_get_kernel(const VmcPlatform *p);
const char *vmc_platform_get_based_on(const VmcPlatform *p);
const char *vmc_platform_get_description(const VmcPlatform *p);
/* The file it was read from (resource path for the built-in ones). */
const char *vmc_platform_get_origin(const VmcPlatform *p);
/* Every capability it requires on @arch, in order (common ones first). */
GPtrArray *vmc_platform_capabilities(const VmcPlatform *p, VmcArch arch);
/* Why the capability belongs to the platform (citation), or NULL. */
const char *vmc_platform_capability_source(const VmcPlatform *p,
                                           const char *capability);
/* The value the platform fixes for @t, or NULL when it says nothing. */
const char *vmc_platform_tunable_value(const VmcPlatform *p,
                                       const VmcTunable *t);
/* The oldest platform whose value for @t is (equal to) @value, or NULL. */
const VmcPlatform *vmc_catalog_platform_first_with(const VmcCatalog *cat,
                                                   const VmcTunable *t,
                                                   const char *value);

G_END_DECLS
