/* answers-private.h: helpers shared by the fleet's answer sources
 * (answers.c, pools.c, compat.c, report.c). Not installed. */
#pragma once

#include <vmcompat/fleet.h>

/* The newest machine type of the arch's default family (pc-q35,
 * s390-ccw-virtio) among @names, by the release that introduced it;
 * NULL when none (transfer full). */
char *vmc__fleet_newest_machine(VmcCatalog *cat, VmcArch arch, GPtrArray *names);

/* The baseline (migratable) of the CPUs the @kinds (gint64) offer — their
 * host-models, or with @hardware the host CPUs — leaving out kind @skip
 * (-1: none); NULL without error when no kind is left. */
VmcCpuDef *vmc__fleet_kinds_baseline(VmcFleet *fleet, GArray *kinds, gint64 skip, gboolean hardware,
                                     GError **error);
/* qsort-style compare of two gint64 */
gint vmc__gint64_cmp(gconstpointer a, gconstpointer b);
/* A libvirt domain of @arch: machine @machine (name or alias), @cpu_xml (a
 * <cpu> element, may be ""), an optional -platform (transfer full). */
char *vmc__fleet_domain_xml(VmcArch arch, const char *machine, const char *cpu_xml,
                            const char *platform);
/* A guest with @host's defaults — q35 / s390-ccw-virtio, host-model CPU,
 * default platform — as a domain (transfer full). */
char *vmc__fleet_default_domain_xml(VmcArch arch);
/* The features @from enables and @to does not, by name in catalog order
 * (transfer full): what moving from one CPU to the other loses. */
GPtrArray *vmc__fleet_features_lost(VmcCatalog *cat, const VmcCpuDef *from, const VmcCpuDef *to,
                                    GError **error);
