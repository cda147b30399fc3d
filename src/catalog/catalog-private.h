/* catalog-private.h: the catalog's internal structures, for the library's
 * own layers and its tests. Not installed.
 *
 * Invariants: feature ids are dense per arch (0..features->len-1) and equal
 * the feature's index; every name and alias of a feature (and of a model)
 * maps to exactly one object; a loaded catalog is never modified except by
 * vmc_catalog_load_cpu_map() before it is shared. A feature's dependency
 * (depends) is another feature of the same arch that has no dependency of
 * its own; dep_groups holds exactly one group per feature that others
 * depend on, and is empty for a libvirt cpu_map catalog.
 */
#pragma once

#include <vmcompat/catalog.h>

#include "catalog/machine-private.h"

typedef enum {
    VMC_FEATURE_LOC_NONE,
    VMC_FEATURE_LOC_CPUID,
    VMC_FEATURE_LOC_MSR,
    VMC_FEATURE_LOC_FACILITY,
} VmcFeatureLoc;

/* Register order of masks: eax, ebx, ecx, edx. */
enum { VMC_REG_EAX, VMC_REG_EBX, VMC_REG_ECX, VMC_REG_EDX, VMC_REG_N };

struct _VmcFeature {
    VmcArch arch;
    guint id;
    char *name;
    GStrv aliases;
    gboolean migratable;
    gboolean qemu;           /* QEMU has a property for it (libvirt-only: FALSE) */
    char *deprecated;        /* release or NULL */
    VmcFeatureLoc loc;
    guint32 leaf, subleaf;   /* CPUID */
    guint32 msr_index;       /* MSR: masks in regs[EAX], regs[EDX] */
    guint32 regs[VMC_REG_N];
    char *facility_type;     /* s390x */
    guint facility_bit;
    char *desc;
    guint depends;           /* id of the feature this one needs (QEMU
                              * feature_dependencies[]), or G_MAXUINT */
};

typedef struct {
    guint family;
    guint model;
    guint stepping_min, stepping_max;  /* 0..255 when any */
    gboolean has_stepping;
} VmcSignature;

struct _VmcCpuModel {
    VmcArch arch;
    guint idx;               /* catalog order */
    char *name;
    char *vendor;            /* vendor name or NULL */
    char *description;
    char *deprecated;
    VmcFeatureSet features;  /* what the model enables */
    VmcFeatureSet removed;   /* libvirt removed='yes': always disabled */
    VmcFeatureSet added;     /* libvirt added='yes': not part of the model */
    GArray *signatures;      /* VmcSignature */
    gboolean decode_host, decode_guest;
    char *family_name;       /* x86 versioned: "Skylake-Client" */
    guint version;           /* x86 versioned: N of -vN, 0 otherwise */
    /* s390x */
    gboolean is_static;
    const VmcCpuModel *base_model;   /* "z14" → "z14-base"; self when static */
    VmcFeatureSet full;
    guint gen, ec_ga;
    guint32 cpu_type;
};

typedef struct {
    guint feature;
    gboolean value;
} VmcFeatureProp;

/* VmcFeatureDepGroup: a feature and every feature that depends on it
 * (vmx and the vmx-* capability bits, svm and the SVM leaf). */
typedef struct {
    guint feature;
    VmcFeatureSet dependents;   /* never empty, never holds @feature */
} VmcFeatureDepGroup;

typedef struct {
    char *source;
    GPtrArray *features;         /* VmcFeature*, index = id */
    GHashTable *feature_by_name; /* name and aliases → VmcFeature* */
    GPtrArray *models;           /* VmcCpuModel*, catalog order */
    GHashTable *model_by_name;   /* name and aliases → VmcCpuModel* */
    GPtrArray *alias_names;      /* char* */
    GPtrArray *alias_targets;    /* VmcCpuModel* */
    GPtrArray *vendor_names;     /* char* */
    GPtrArray *vendor_strings;   /* char* */
    VmcFeatureSet deprecated;
    VmcFeatureSet migratable;
    GPtrArray *group_names;      /* s390x feature groups: char* */
    GPtrArray *group_sets;       /* VmcFeatureSet* */
    VmcFeatureSet ignored_base;  /* s390x */
    GArray *defaults_always;     /* VmcFeatureProp, x86 */
    GArray *defaults_kvm;
    GArray *defaults_tcg;
    GArray *dep_groups;          /* VmcFeatureDepGroup, by feature id */
} VmcArchCatalog;

struct _VmcCatalog {
    gint refs;
    VmcArchCatalog arch[VMC_ARCH_N];
    VmcPlatformCatalog pc;       /* machine types, releases, tunables, platforms */
    GPtrArray *sources;          /* GBytes: name, data, name, data ... in load order */
    gsize digest;                /* char *, set once (g_once_init_*) by vmc_catalog_get_digest */
};

/* Remember a data file the catalog is loaded from, for its digest
 * (@data is referenced, not copied). */
void vmc__catalog_add_source(GPtrArray *sources, const char *name, GBytes *data);

static inline const VmcArchCatalog *
vmc_catalog_arch(const VmcCatalog *cat, VmcArch arch)
{
    g_assert((guint) arch < VMC_ARCH_N);
    return &cat->arch[arch];
}

/* Loads one arch's JSON files (features then models) from a directory or
 * resource path into @cat; used by vmc_catalog_load(). */
gboolean vmc__catalog_load_json(VmcCatalog *cat, VmcArch arch,
                                const char *features_json, gsize flen,
                                const char *features_name,
                                const char *models_json, gsize mlen,
                                const char *models_name, GError **error);

/* Format a feature set as a sorted, comma separated list of names. */
char *vmc__catalog_format_set(const VmcCatalog *cat, VmcArch arch,
                              const VmcFeatureSet *set);
/* Names of a feature set in id order (transfer full, element-type utf8). */
GPtrArray *vmc__catalog_set_names(const VmcCatalog *cat, VmcArch arch,
                                  const VmcFeatureSet *set);

void vmc__arch_catalog_init(VmcArchCatalog *ac);
void vmc__arch_catalog_clear(VmcArchCatalog *ac);

/* vmc__catalog_guess_arch: the first arch whose catalog knows model @name
 * (by name or alias), or VMC_ARCH_N. */
VmcArch vmc__catalog_guess_arch(const VmcCatalog *cat, const char *name);
