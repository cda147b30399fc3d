/* catalog.h: the CPU catalog — features, CPU models and aliases per arch.
 *
 * The catalog is data, not code: the shipped catalog (data/cpu/ARCH/features.json, models.json)
 * is embedded in the library as a GResource and overlaid at run time from
 * $VMCOMPAT_DATA_DIRS and /etc/vmcompat. The x86_64 part can be replaced by a
 * libvirt cpu_map directory to get libvirt's exact answers.
 *
 * A catalog is immutable once loaded and reference counted; every object it
 * hands out (VmcFeature, VmcCpuModel) lives as long as the catalog.
 */
#pragma once

#include <glib.h>
#include <vmcompat/arch.h>
#include <vmcompat/feature-set.h>

G_BEGIN_DECLS

typedef struct _VmcCatalog VmcCatalog;
typedef struct _VmcFeature VmcFeature;
typedef struct _VmcCpuModel VmcCpuModel;

/**
 * VmcCatalogFlags:
 * @VMC_CATALOG_NO_OVERLAYS: ignore $VMCOMPAT_DATA_DIRS and /etc/vmcompat
 *
 * Since: 0.1
 */
typedef enum {
    VMC_CATALOG_DEFAULT = 0,
    VMC_CATALOG_NO_OVERLAYS = 1 << 0,
    VMC_CATALOG_NO_BUILTIN = 1 << 1,   /* only @overlay_dirs (a whole catalog tree) */
} VmcCatalogFlags;

/**
 * vmc_catalog_load:
 * @overlay_dirs: (nullable): extra overlay directories, applied after the
 *     built-in data and the environment/system overlays, in order
 * @flags: #VmcCatalogFlags
 * @error: return location for a #GError
 *
 * Loads the built-in catalog and its overlays.
 *
 * Returns: (transfer full): a new catalog, or NULL with @error set.
 * Since: 0.1
 */
VmcCatalog *vmc_catalog_load(const char *const *overlay_dirs,
                             VmcCatalogFlags flags,
                             GError **error);

/**
 * vmc_catalog_load_cpu_map:
 * @cat: a catalog not shared with anyone else yet
 * @dir: a libvirt cpu_map directory (with index.xml)
 * @error: return location for a #GError
 *
 * Replaces the x86_64 features, vendors and models of @cat with those of a
 * libvirt cpu_map directory. Feature names become libvirt's; QEMU spellings
 * stay usable as aliases.
 *
 * Returns: TRUE on success; on failure @cat is unchanged.
 * Since: 0.1
 */
gboolean vmc_catalog_load_cpu_map(VmcCatalog *cat, const char *dir,
                                  GError **error);

VmcCatalog *vmc_catalog_ref(VmcCatalog *cat);
void vmc_catalog_unref(VmcCatalog *cat);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcCatalog, vmc_catalog_unref)

/**
 * vmc_catalog_get_digest:
 *
 * Identifies the catalog's content: SHA-256 over every data file it was
 * loaded from (built-in, overlays, a libvirt cpu_map), in load order, as
 * "sha256:<64 hex>". Two catalogs with equal digests give equal answers;
 * results derived from a catalog (the fleet's requirement vectors) are
 * kept under it. Computed on first use.
 *
 * Returns: (transfer none): the digest.
 */
const char *vmc_catalog_get_digest(VmcCatalog *cat);

/** vmc_catalog_source: where @arch's data came from ("builtin", a dir). */
const char *vmc_catalog_source(const VmcCatalog *cat, VmcArch arch);

guint vmc_catalog_feature_count(const VmcCatalog *cat, VmcArch arch);
/** vmc_catalog_feature: feature @id of @arch (id < feature_count). */
const VmcFeature *vmc_catalog_feature(const VmcCatalog *cat, VmcArch arch,
                                      guint id);
/**
 * vmc_catalog_feature_lookup:
 * Finds a feature by its name or any alias (QEMU legacy spelling, libvirt
 * name). Returns: the feature or NULL.
 */
const VmcFeature *vmc_catalog_feature_lookup(const VmcCatalog *cat,
                                             VmcArch arch,
                                             const char *name);

guint vmc_catalog_model_count(const VmcCatalog *cat, VmcArch arch);
/** vmc_catalog_model: model @idx in catalog order (oldest first). */
const VmcCpuModel *vmc_catalog_model(const VmcCatalog *cat, VmcArch arch,
                                     guint idx);
/**
 * vmc_catalog_model_lookup:
 * Finds a CPU model by name or alias ("Skylake-Client" → "Skylake-Client-v1").
 * Returns: the model or NULL.
 */
const VmcCpuModel *vmc_catalog_model_lookup(const VmcCatalog *cat,
                                            VmcArch arch,
                                            const char *name);
/** vmc_catalog_alias_count / vmc_catalog_alias: model aliases in order. */
guint vmc_catalog_alias_count(const VmcCatalog *cat, VmcArch arch);
const char *vmc_catalog_alias(const VmcCatalog *cat, VmcArch arch, guint idx,
                              const VmcCpuModel **ret_target);

/** vmc_catalog_vendor_string: CPUID vendor string of a vendor name, or NULL. */
const char *vmc_catalog_vendor_string(const VmcCatalog *cat, VmcArch arch,
                                      const char *vendor);
/** vmc_catalog_vendor_name: vendor name of a CPUID vendor string, or NULL. */
const char *vmc_catalog_vendor_name(const VmcCatalog *cat, VmcArch arch,
                                    const char *vendor_string);

/* Features */
const char *vmc_feature_get_name(const VmcFeature *f);
guint vmc_feature_get_id(const VmcFeature *f);
VmcArch vmc_feature_get_arch(const VmcFeature *f);
gboolean vmc_feature_is_migratable(const VmcFeature *f);
/* FALSE for libvirt-only features QEMU has no property for (osxsave, ...). */
gboolean vmc_feature_is_qemu(const VmcFeature *f);
/** vmc_feature_get_deprecated: the release that deprecated it, or NULL. */
const char *vmc_feature_get_deprecated(const VmcFeature *f);
/** vmc_feature_get_aliases: NULL-terminated, possibly empty. */
const char *const *vmc_feature_get_aliases(const VmcFeature *f);
/** vmc_catalog_deprecated_features: the set of deprecated features. */
const VmcFeatureSet *vmc_catalog_deprecated_features(const VmcCatalog *cat,
                                                     VmcArch arch);
/** vmc_catalog_migratable_features: the set of migratable features. */
const VmcFeatureSet *vmc_catalog_migratable_features(const VmcCatalog *cat,
                                                     VmcArch arch);

/* CPU models */
const char *vmc_cpu_model_get_name(const VmcCpuModel *m);
VmcArch vmc_cpu_model_get_arch(const VmcCpuModel *m);
/** vmc_cpu_model_get_vendor: vendor name ("Intel") or NULL. */
const char *vmc_cpu_model_get_vendor(const VmcCpuModel *m);
/** vmc_cpu_model_get_features: the model's feature set (final). */
const VmcFeatureSet *vmc_cpu_model_get_features(const VmcCpuModel *m);
/** vmc_cpu_model_get_deprecated: the release that deprecated it, or NULL. */
const char *vmc_cpu_model_get_deprecated(const VmcCpuModel *m);
/** vmc_cpu_model_is_static: TRUE when the model never changes (s390x -base). */
gboolean vmc_cpu_model_is_static(const VmcCpuModel *m);
/** vmc_cpu_model_get_description: model-id / description or NULL. */
const char *vmc_cpu_model_get_description(const VmcCpuModel *m);

G_END_DECLS
