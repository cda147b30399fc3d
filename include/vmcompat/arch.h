/* arch.h: the architectures vmcompat knows. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * VmcArch:
 *
 * Architectures with a CPU driver. Wire names are QEMU's target names.
 *
 * Since: 0.1
 */
typedef enum {
    VMC_ARCH_X86_64,
    VMC_ARCH_S390X,
    VMC_ARCH_N,
} VmcArch;

#define VMC_ARCH_NONE VMC_ARCH_N

/**
 * vmc_arch_to_string:
 * Returns: the wire name ("x86_64", "s390x") or NULL for an invalid value.
 */
const char *vmc_arch_to_string(VmcArch arch);

/**
 * vmc_arch_from_string:
 * Accepts QEMU and libvirt spellings ("x86_64", "x86", "i686", "s390x", "s390").
 * Returns: the arch, or VMC_ARCH_N when @name is unknown.
 */
VmcArch vmc_arch_from_string(const char *name);

G_END_DECLS
