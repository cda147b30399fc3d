/* qmp-agree.h: QMP answers compared by meaning — QEMU's and vmcompat's
 * replies to the same request (tests, benchmarks). Includes the library's
 * QMP client (base/qmp-client.h), which tests use to ask both.
 */
#pragma once

#include <glib.h>
#include <json-c/json.h>
#include <vmcompat/vmcompat.h>
#include "base/qmp-client.h"

/* ---- Reading CPU-model answers by meaning ------------------------------
 * QEMU's answers name feature groups ("msa8") and order props arbitrarily;
 * tests compare them with ours as feature sets over a catalog.
 */
G_BEGIN_DECLS

/**
 * vmc_qmp_model_info_features:
 * @info: a CpuModelInfo {"name": ..., "props": {...}}
 * @ret: (out): the catalog features of model "name" with the boolean props
 *     applied (true adds, false removes; a group name stands for all its
 *     features; non-boolean props are ignored)
 *
 * Returns: FALSE with @error when the model, a feature or a group is not in
 *     @cat.
 */
gboolean vmc_qmp_model_info_features(VmcCatalog *cat, VmcArch arch,
                                     json_object *info, VmcFeatureSet *ret,
                                     GError **error);

/**
 * vmc_qmp_names_features:
 * @names: a JSON array of feature or group names (responsible-properties)
 * @ret: (out): their features
 * @others: (nullable): receives (g_strdup) names that are neither, e.g.
 *     "type"
 */
void vmc_qmp_names_features(VmcCatalog *cat, VmcArch arch, json_object *names,
                            VmcFeatureSet *ret, GPtrArray *others);

/**
 * vmc_qmp_replies_agree:
 * @request: the request both sides answered; its "execute" says how to
 *     read the replies (query-cpu-model-expansion, -baseline, -comparison)
 * @expected: QEMU's reply ({"return": ...} or {"error": ...})
 * @actual: the reply to check, in the same shape
 * @universe: (nullable): compare feature sets only on these features
 *     (e.g. the ones an older QEMU knows)
 * @diag: receives one line per difference
 *
 * Compares two replies by meaning. Models (expansion, baseline): the same
 * model name and the same features, groups expanded. Comparisons: the same
 * result, the same responsible features and the same other responsible
 * properties ("type"). Errors: both are errors (texts differ between
 * implementations).
 *
 * Returns: TRUE when they agree.
 */
gboolean vmc_qmp_replies_agree(VmcCatalog *cat, VmcArch arch,
                               json_object *request, json_object *expected,
                               json_object *actual,
                               const VmcFeatureSet *universe, GString *diag);

/**
 * vmc_qmp_reply_from_def / _from_comparison / _from_error:
 * vmcompat's answers in QMP reply shape, for vmc_qmp_replies_agree().
 * Returns: (transfer full).
 */
json_object *vmc_qmp_reply_from_def(const VmcCpuDef *def);
json_object *vmc_qmp_reply_from_comparison(VmcCompareResult result,
                                           GPtrArray *responsible);
json_object *vmc_qmp_reply_from_error(const GError *error);

G_END_DECLS
