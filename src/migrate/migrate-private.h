/* migrate-private.h: pieces of the migration check for callers that check
 * one ABI against many destinations (the fleet). Not installed. */
#pragma once

#include <vmcompat/migrate.h>

/* What vmc_migrate_check adds to the destination's check @v: the ABI must
 * run on @src as resolved (@at_src = vmc_abi_check(abi, src), computed once
 * for all destinations), and a backward migration note. */
void vmc__migrate_check_add(VmcVerdict *v, const VmcAbi *abi, const VmcHost *src,
                            const VmcVerdict *at_src, const VmcHost *dst);
