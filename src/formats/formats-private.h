/* formats-private.h: helpers shared by the CPU format readers/writers and
 * by later layers that embed CPUs in their own documents. Not installed. */
#pragma once

#include <json-c/json.h>
#include "catalog/cpu-def-private.h"

/* Apply one QEMU feature property (or s390x feature group) to @def. */
gboolean vmc__cpu_def_apply_prop(VmcCpuDef *def, const char *name, gboolean on,
                                 const char *where, GError **error);
/* A CpuModelInfo object (or {"model": {...}} / {"return": ...}) to a def;
 * arch VMC_ARCH_N guesses the arch from the model name. */
VmcCpuDef *vmc__cpu_def_from_json(VmcCatalog *cat, VmcArch arch, json_object *obj,
                                  const char *file, GError **error);
/* A def as a CpuModelInfo object (transfer full). */
json_object *vmc__cpu_def_to_json(const VmcCpuDef *def);
