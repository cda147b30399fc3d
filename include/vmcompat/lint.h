/* lint.h: catalog rules of seed 003 — no new host-side requirements.
 *
 * vmc_catalog_lint(OLD, NEW) fails (errors in the verdict) when:
 *  - cpu-model-changed: a CPU model (version) present in both has different
 *    features — CPU model versions are final; a change needs a new version;
 *  - machine-type-host-requirement: a machine-type version new in NEW turns
 *    on a host-dependent default (its predecessor gained a compat entry,
 *    classed host-dependent, that pins the old value);
 *  - kvm-pv-default-without-platform: a KVM paravirt CPUID bit (leaf
 *    0x40000001) is on by default (accelerator defaults or a CPU model)
 *    without being a platform tunable that every platform fixes;
 *  - host-dependent-unclassified: a host-dependent compat property has no
 *    entry in the tunables table (nobody says what it needs from a host).
 * Linting a catalog against itself checks the absolute rules only.
 */
#pragma once

#include <vmcompat/catalog.h>
#include <vmcompat/verdict.h>

G_BEGIN_DECLS

VmcVerdict *vmc_catalog_lint(const VmcCatalog *old_cat, const VmcCatalog *new_cat);

G_END_DECLS
