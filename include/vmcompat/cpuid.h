/* cpuid.h: raw x86 CPUID/MSR data, as in a libvirt CPUID dump (<cpudata>). */
#pragma once

#include <glib.h>
#include <vmcompat/catalog.h>

G_BEGIN_DECLS

typedef struct _VmcCpuidData VmcCpuidData;

/** VmcCpuidLeaf: one CPUID answer. */
typedef struct {
    guint32 eax_in;
    guint32 ecx_in;
    guint32 eax, ebx, ecx, edx;
} VmcCpuidLeaf;

/** VmcMsr: one feature MSR value. */
typedef struct {
    guint32 index;
    guint32 eax, edx;
} VmcMsr;

VmcCpuidData *vmc_cpuid_data_new(void);
void vmc_cpuid_data_free(VmcCpuidData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcCpuidData, vmc_cpuid_data_free)

void vmc_cpuid_data_add_leaf(VmcCpuidData *data, const VmcCpuidLeaf *leaf);
void vmc_cpuid_data_add_msr(VmcCpuidData *data, const VmcMsr *msr);
guint vmc_cpuid_data_leaf_count(const VmcCpuidData *data);
const VmcCpuidLeaf *vmc_cpuid_data_leaf(const VmcCpuidData *data, guint idx);
/** vmc_cpuid_data_find: the leaf for (eax_in, ecx_in) or NULL. */
const VmcCpuidLeaf *vmc_cpuid_data_find(const VmcCpuidData *data,
                                        guint32 eax_in, guint32 ecx_in);
const VmcMsr *vmc_cpuid_data_find_msr(const VmcCpuidData *data, guint32 index);

/** vmc_cpuid_data_vendor: the 12-char vendor string of leaf 0 (transfer full). */
char *vmc_cpuid_data_vendor(const VmcCpuidData *data);
/**
 * vmc_cpuid_data_signature:
 * libvirt's decoding of CPUID.1.EAX: sig = eax & 0x0fff3fff,
 * family = ext-family + family, model = ext-model<<4 + model.
 * Returns: FALSE when leaf 1 is missing.
 */
gboolean vmc_cpuid_data_signature(const VmcCpuidData *data, guint32 *ret_sig,
                                  guint *ret_family, guint *ret_model,
                                  guint *ret_stepping);
/**
 * vmc_cpuid_data_features:
 * The catalog features present in @data: a feature is present when all its
 * mask bits are set in its leaf/subleaf (or MSR).
 */
void vmc_cpuid_data_features(const VmcCpuidData *data, const VmcCatalog *cat,
                             VmcFeatureSet *ret_set);

/**
 * vmc_cpuid_data_parse_xml:
 * Parses a libvirt CPUID dump: <cpudata arch='x86'><cpuid eax_in= ecx_in=
 * eax= ebx= ecx= edx=/>...<msr index= eax= edx=/></cpudata>.
 */
VmcCpuidData *vmc_cpuid_data_parse_xml(const char *data, gssize len,
                                       const char *filename, GError **error);

G_END_DECLS
