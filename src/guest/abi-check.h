/* abi-check.h: the single-host rule (vmc_abi_check_mode) in two steps, for
 * callers that check many ABIs against many hosts (the fleet). Not
 * installed.
 *
 *   needs  what an ABI needs of any host under one check mode, compiled
 *          once (host-independent);
 *   view   a host with what checks read of it prepared once (its release,
 *          machine types, CPU feature set, platform support);
 *   check  one view against one ABI's needs, in order, with the words:
 *          vmc_abi_check_mode(abi, host, mode) is exactly
 *          vmc__abi_needs_check(vmc__abi_needs_new(abi, mode), view(host)).
 *
 * Requirement vector: each need that can make the check fail (an error
 * reason) has a *key*, one line of text naming the predicate and all its
 * inputs ("cap kvm.cap.x2apic-api", "machine pc-q35-7.1 8.2", "cpu ..."). An
 * ABI's vector is the sorted set of its keys; vmc__host_view_meets()
 * evaluates one key with the very predicate the check uses, so
 *   vmc_verdict_ok(check(needs, view)) == every key of the vector is met.
 * Keys are independent of the ABI they came from: many ABIs share them, and
 * a fleet evaluates each distinct key once per host kind.
 */
#pragma once

#include <vmcompat/abi.h>
#include <vmcompat/host.h>
#include <vmcompat/verdict.h>

typedef struct _VmcAbiNeeds VmcAbiNeeds;
typedef struct _VmcHostView VmcHostView;

VmcAbiNeeds *vmc__abi_needs_new(const VmcAbi *abi, VmcCpuCheck mode);
void vmc__abi_needs_free(VmcAbiNeeds *needs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcAbiNeeds, vmc__abi_needs_free)

/* The requirement vector: keys, sorted and unique, one per line (each line
 * ends with '\n'; "" when nothing can fail). Transfer full. */
char *vmc__abi_needs_vector(const VmcAbiNeeds *needs);
/* The same for @abi under @mode, when its needs are not wanted otherwise. */
char *vmc__abi_vector(const VmcAbi *abi, VmcCpuCheck mode);

/* A view of @host for checks (holds a reference to it). */
VmcHostView *vmc__host_view_new(VmcCatalog *cat, const VmcHost *host);
void vmc__host_view_free(VmcHostView *view);
const VmcHost *vmc__host_view_get_host(const VmcHostView *view);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcHostView, vmc__host_view_free)

/* The verdict of one host: vmc_abi_check_mode's, reasons in its order. */
VmcVerdict *vmc__abi_needs_check(const VmcAbiNeeds *needs, VmcHostView *view);

/* Whether the host meets one key of a vector (@key without its '\n', or
 * with it). A key this vmcompat cannot read is an error (VMC_ERROR_PARSE). */
gboolean vmc__host_view_meets(VmcHostView *view, const char *key, gboolean *ret_met,
                              GError **error);
