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
#include <vmcompat/save-image.h>
#include <vmcompat/verdict.h>

G_BEGIN_DECLS

/* Check modes are VmcCpuCheck (cpu-def.h): the rules of each are
 * vmc_abi_check_mode()'s (abi.h). */

/**
 * vmc_migrate_check:
 * @abi: the guest as it runs on @src (resolved there, or on a host like it)
 * @src: the source host
 * @dst: the destination host
 * @mode: the check mode; VMC_CPU_CHECK_DEFAULT: the ABI's own
 *
 * Whether @abi can be migrated live from @src to @dst: the destination must
 * present the same guest ABI — machine type known to its QEMU (and not
 * removed), every tunable known and its capabilities there, the CPU as
 * @mode says (vmc_abi_check_mode). Adds, as notes/warnings: a backward
 * migration to an older QEMU, a platform the destination does not support,
 * an ABI that does not run on @src as resolved.
 *
 * Returns: (transfer full): the verdict, never NULL.
 */
VmcVerdict *vmc_migrate_check(const VmcAbi *abi, const VmcHost *src, const VmcHost *dst,
                              VmcCpuCheck mode);

/**
 * vmc_restore_check:
 * @cat: the catalog
 * @img: a libvirt save image (its header: domain XML and save cookie)
 * @host: where it would be restored
 * @mode: the check mode; VMC_CPU_CHECK_DEFAULT: the domain's own
 * @ret_abi: (out) (optional) (transfer full): the ABI the guest would get
 *     on @host (NULL when it cannot be resolved there)
 *
 * Whether @img can be restored on @host. The domain XML (the *original*
 * CPU) is resolved on @host — fail, never flip: every reason resolution
 * gives is an error (`restore-unresolvable`). The CPU the guest saw when it
 * was saved (the cookie's *updated* CPU) must still be there: features it
 * had that @host would not present are `cpu-feature-lost` — errors under
 * full, and under partial when the original asks for them; warnings
 * otherwise. A note says the image does not record its platform.
 *
 * Returns: (transfer full): the verdict, never NULL.
 */
VmcVerdict *vmc_restore_check(VmcCatalog *cat, const VmcSaveImage *img, const VmcHost *host,
                              VmcCpuCheck mode, VmcAbi **ret_abi);

G_END_DECLS
