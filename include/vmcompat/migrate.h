/* migrate.h: will this guest survive a migration or a restore? (seed 001)
 *
 * A resolved ABI carries two CPU definitions: the *original* (what the user
 * asked for) and the *updated* (what QEMU presented: features the
 * hypervisor added or removed). The check mode — libvirt's
 * <cpu check='none|partial|full'> — says which of the two a destination
 * must reproduce. Rules: docs/migration.md.
 */
#pragma once

#include <glib.h>
#include <vmcompat/abi.h>
#include <vmcompat/host.h>
#include <vmcompat/verdict.h>

G_BEGIN_DECLS

/**
 * VmcCheckMode:
 * @VMC_CHECK_DEFAULT: the ABI's own mode (its original CPU's check
 *     attribute), else libvirt's default for the CPU mode: none for
 *     host-passthrough, partial otherwise
 * @VMC_CHECK_NONE: the CPU is not verified; what would change is reported
 *     as warnings, never hidden
 * @VMC_CHECK_PARTIAL: the original definition must be honoured; features
 *     the hypervisor added may be lost (warnings)
 * @VMC_CHECK_FULL: the updated definition must be reproduced exactly
 */
typedef enum {
    VMC_CHECK_DEFAULT,
    VMC_CHECK_NONE,
    VMC_CHECK_PARTIAL,
    VMC_CHECK_FULL,
    VMC_CHECK_N,
} VmcCheckMode;

const char *vmc_check_mode_to_string(VmcCheckMode mode);
/* VMC_CHECK_N when @name is none of "default", "none", "partial", "full". */
VmcCheckMode vmc_check_mode_from_string(const char *name);
/* The mode a check of @abi uses for @mode (resolves VMC_CHECK_DEFAULT). */
VmcCheckMode vmc_abi_check_mode(const VmcAbi *abi, VmcCheckMode mode);

G_END_DECLS
