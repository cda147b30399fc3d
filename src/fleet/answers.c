/* answers.c: the fleet's answers — where can a guest go, the cluster
 * baseline, the CPU model ladder, KubeVirt node labels.
 *
 * Every answer evaluates the single-host rule once per host kind
 * (vmc_abi_check_mode, vmc_migrate_check, vmc_guest_resolve,
 * vmc_cpu_baseline, vmc_cpu_models_accel) and multiplies by the kind's host
 * count: the fleet's answer is the single-host answer by construction, and
 * costs kinds × one check, not hosts × one check.
 */
#include "fleet/fleet-private.h"
#include "fleet/answers-private.h"

#include <json-c/json.h>
#include <string.h>

#include <vmcompat/cpu-ops.h>
#include <vmcompat/error.h>
#include <vmcompat/migrate.h>

#include "base/util.h"
#include "catalog/catalog-private.h"
#include "migrate/migrate-private.h"

void
vmc_fleet_kind_verdict_clear(VmcFleetKindVerdict *kv)
{
    g_free(kv->fingerprint);
    g_free(kv->example);
    g_clear_pointer(&kv->verdict, vmc_verdict_unref);
}

static gint
vmc_kv_cmp(gconstpointer a, gconstpointer b)
{
    const VmcFleetKindVerdict *x = a, *y = b;
    gboolean ox = vmc_verdict_ok(x->verdict), oy = vmc_verdict_ok(y->verdict);
    if (ox != oy)
        return ox ? -1 : 1;
    if (x->n_hosts != y->n_hosts)
        return x->n_hosts > y->n_hosts ? -1 : 1;
    return x->kind < y->kind ? -1 : x->kind > y->kind;
}

VmcAbi *
vmc_fleet_resolve(VmcFleet *fleet, const VmcGuest *guest, const char *host, GError **error)
{
    gint64 kind;
    const VmcHost *h;

    if (!vmc__fleet_host_kind(fleet, host, &kind, error) || !(h = vmc__fleet_kind_host(fleet, kind, error)))
        return NULL;
    return vmc_guest_resolve(fleet->cat, guest, h, NULL, error);
}

GArray *
vmc_fleet_where(VmcFleet *fleet, const VmcAbi *abi, const VmcGuest *guest, const char *from,
                VmcCpuCheck mode, const char *where, GError **error)
{
    g_autoptr(GHashTable) examples = NULL;
    g_autoptr(GHashTable) counts = NULL;
    g_autoptr(VmcAbiNeeds) needs = NULL;
    g_autoptr(VmcVerdict) at_src = NULL;
    const VmcHost *src = NULL;
    GHashTableIter it;
    gpointer k, v;
    GArray *rows;

    g_return_val_if_fail((abi != NULL) != (guest != NULL), NULL);
    if (from) {
        gint64 src_kind;
        if (!abi) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                        "migration targets need the guest's resolved ABI, not its definition");
            return NULL;
        }
        if (!vmc__fleet_host_kind(fleet, from, &src_kind, error) ||
            !(src = vmc__fleet_kind_host(fleet, src_kind, error)))
            return NULL;
        /* the source's part of vmc_migrate_check: the same for every target */
        at_src = vmc_abi_check(abi, src);
    }
    if (!(counts = vmc__fleet_kind_counts(fleet, where, &examples, error)))
        return NULL;
    /* vmc_abi_check_mode, compiled once and judged per kind */
    if (abi)
        needs = vmc__abi_needs_new(abi, mode);
    rows = g_array_new(FALSE, TRUE, sizeof(VmcFleetKindVerdict));
    g_array_set_clear_func(rows, (GDestroyNotify) vmc_fleet_kind_verdict_clear);
    g_hash_table_iter_init(&it, counts);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        gint64 kind = *(gint64 *) k;
        VmcHostView *view = vmc__fleet_kind_view(fleet, kind, error);
        const VmcHost *host = view ? vmc__host_view_get_host(view) : NULL;
        VmcFleetKindVerdict kv = { .kind = kind, .n_hosts = GPOINTER_TO_UINT(v) };
        VmcFleetKind *fk;

        if (!host) {
            g_array_unref(rows);
            return NULL;
        }
        fk = g_hash_table_lookup(fleet->kinds, &kind);
        kv.fingerprint = g_strdup(fk->fingerprint);
        kv.example = g_strdup(g_hash_table_lookup(examples, &kind));
        if (abi) {
            kv.verdict = vmc__abi_needs_check(needs, view);
            if (src)
                vmc__migrate_check_add(kv.verdict, abi, src, at_src, host);
        } else {
            g_autoptr(GError) local = NULL;
            g_autoptr(VmcAbi) resolved = vmc_guest_resolve(fleet->cat, guest, host, NULL, &local);
            if (resolved) {
                g_autoptr(VmcAbiNeeds) own = vmc__abi_needs_new(resolved, mode);
                kv.verdict = vmc__abi_needs_check(own, view);
            } else {
                kv.verdict = vmc_verdict_new();
                vmc_verdict_add(kv.verdict, VMC_SEVERITY_ERROR, "unresolvable", NULL, "%s",
                                local->message);
            }
        }
        g_array_append_val(rows, kv);
    }
    g_array_sort(rows, vmc_kv_cmp);
    return rows;
}

/* The CPU a kind offers a guest: its host-model (deprecated features
 * disabled; computed once per open inventory), or with @hardware the host
 * CPU itself. */
static VmcCpuDef *
vmc_fleet_kind_cpu(VmcFleet *fleet, gint64 kind, gboolean hardware, GError **error)
{
    const VmcHost *host = vmc__fleet_kind_host(fleet, kind, error);
    VmcFleetKind *k;

    if (!host)
        return NULL;
    if (hardware) {
        const VmcCpuDef *cpu = vmc_host_get_cpu(host);
        if (!cpu) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "host %s: the CPU is unknown",
                        vmc_host_get_name(host));
            return NULL;
        }
        return vmc_cpu_def_ref((VmcCpuDef *) cpu);
    }
    k = g_hash_table_lookup(fleet->kinds, &kind);
    if (!k->host_model && !(k->host_model = vmc_host_model(host, NULL, error)))
        return NULL;
    return vmc_cpu_def_ref(k->host_model);
}

VmcCpuDef *
vmc__fleet_kinds_baseline(VmcFleet *fleet, GArray *kinds, gint64 skip, gboolean hardware,
                          GError **error)
{
    g_autoptr(GPtrArray) cpus = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);

    for (guint i = 0; i < kinds->len; i++) {
        gint64 k = g_array_index(kinds, gint64, i);
        VmcCpuDef *cpu;
        if (k == skip)
            continue;
        if (!(cpu = vmc_fleet_kind_cpu(fleet, k, hardware, error)))
            return NULL;
        g_ptr_array_add(cpus, cpu);
    }
    if (cpus->len == 0)
        return NULL;
    return vmc_cpu_baseline((VmcCpuDef *const *) cpus->pdata, cpus->len, NULL,
                            VMC_BASELINE_MIGRATABLE, error);
}

VmcCpuDef *
vmc_fleet_baseline(VmcFleet *fleet, const char *where, gboolean keep_deprecated, guint *ret_hosts,
                   GError **error)
{
    g_autoptr(GHashTable) counts = vmc__fleet_kind_counts(fleet, where, NULL, error);
    g_autoptr(GArray) kinds = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_autoptr(GError) local = NULL;
    GHashTableIter it;
    gpointer k, v;
    guint hosts = 0;
    VmcCpuDef *b;

    if (!counts)
        return NULL;
    g_hash_table_iter_init(&it, counts);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        g_array_append_val(kinds, *(gint64 *) k);
        hosts += GPOINTER_TO_UINT(v);
    }
    if (kinds->len == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "fleet inventory %s: no host matches%s%s",
                    fleet->path, where ? " " : "", where ? where : "");
        return NULL;
    }
    if (ret_hosts)
        *ret_hosts = hosts;
    b = vmc__fleet_kinds_baseline(fleet, kinds, -1, keep_deprecated, &local);
    if (!b && g_error_matches(local, VMC_ERROR, VMC_ERROR_INCOMPATIBLE)) {
        /* no common CPU: name the vendors when they differ */
        g_autoptr(GError) mixed = NULL;
        if (!vmc_fleet_check_one_vendor(fleet, where, &mixed))
            g_propagate_error(error, g_steal_pointer(&mixed));
        else
            g_set_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE, "the %u hosts%s%s have no common "
                        "CPU: %s — narrow them with --where (e.g. cluster=C)", hosts,
                        where ? " where " : "", where ? where : "", local->message);
    } else if (!b) {
        g_propagate_error(error, g_steal_pointer(&local));
    }
    return b;
}

GPtrArray *
vmc__fleet_features_lost(VmcCatalog *cat, const VmcCpuDef *from, const VmcCpuDef *to, GError **error)
{
    VmcFeatureSet ff, ft;

    if (!vmc_cpu_effective_features(from, &ff, error) || !vmc_cpu_effective_features(to, &ft, error))
        return NULL;
    vmc_feature_set_andnot(&ff, &ff, &ft);
    return vmc__catalog_set_names(cat, vmc_cpu_def_get_arch(from), &ff);
}

gint
vmc__gint64_cmp(gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
    return x < y ? -1 : x > y;
}

void
vmc_fleet_rung_clear(VmcFleetRung *r)
{
    g_free(r->model);
}

/* The models a kind runs: name → TRUE (transfer full). */
static GHashTable *
vmc_fleet_kind_models(VmcCatalog *cat, const VmcHost *host, gboolean aliases, GHashTable *deprecated,
                      GError **error)
{
    const VmcCpuDef *cpu = vmc_host_get_cpu(host);
    /* as `cpu models --host`, `host report` and query-cpu-definitions judge it */
    VmcAccel accel = vmc_host_default_accel(host);
    g_autoptr(GArray) rows = NULL;
    GHashTable *ok;

    if (!cpu) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "host %s: the CPU is unknown",
                    vmc_host_get_name(host));
        return NULL;
    }
    if (!(rows = vmc_cpu_models_accel(cat, vmc_host_get_arch(host), cpu, accel, error)))
        return NULL;
    ok = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < rows->len; i++) {
        const VmcModelAvailability *r = &g_array_index(rows, VmcModelAvailability, i);
        if (r->alias_of && !aliases)
            continue;
        if (deprecated && r->deprecated)
            g_hash_table_add(deprecated, g_strdup(r->name));
        if (r->unavailable && r->unavailable->len == 0)
            g_hash_table_add(ok, g_strdup(r->name));
    }
    for (guint i = 0; i < rows->len; i++)
        vmc_model_availability_clear(&g_array_index(rows, VmcModelAvailability, i));
    return ok;
}

GArray *
vmc_fleet_ladder(VmcFleet *fleet, const char *where, GError **error)
{
    g_autoptr(GHashTable) counts = vmc__fleet_kind_counts(fleet, where, NULL, error);
    g_autoptr(GHashTable) tally = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) deprecated = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer k, v;
    guint total = 0;
    VmcArch arch = VMC_ARCH_N;
    GArray *rungs;

    if (!counts)
        return NULL;
    g_hash_table_iter_init(&it, counts);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const VmcHost *host = vmc__fleet_kind_host(fleet, *(gint64 *) k, error);
        g_autoptr(GHashTable) ok = host ? vmc_fleet_kind_models(fleet->cat, host, FALSE, deprecated,
                                                                      error) : NULL;
        GHashTableIter mi;
        gpointer name;
        if (!ok)
            return NULL;
        arch = vmc_host_get_arch(host);
        total += GPOINTER_TO_UINT(v);
        g_hash_table_iter_init(&mi, ok);
        while (g_hash_table_iter_next(&mi, &name, NULL)) {
            guint n = GPOINTER_TO_UINT(g_hash_table_lookup(tally, name));
            g_hash_table_replace(tally, g_strdup(name), GUINT_TO_POINTER(n + GPOINTER_TO_UINT(v)));
        }
    }
    rungs = g_array_new(FALSE, TRUE, sizeof(VmcFleetRung));
    g_array_set_clear_func(rungs, (GDestroyNotify) vmc_fleet_rung_clear);
    if (arch == VMC_ARCH_N)
        return rungs;
    /* catalog order: oldest models first, as an operator reads a ladder */
    for (guint i = 0; i < vmc_catalog_model_count(fleet->cat, arch); i++) {
        const VmcCpuModel *m = vmc_catalog_model(fleet->cat, arch, i);
        const char *name = vmc_cpu_model_get_name(m);
        VmcFleetRung r = {
            .model = g_strdup(name),
            .deprecated = vmc_cpu_model_get_deprecated(m) != NULL,
            .n_hosts = GPOINTER_TO_UINT(g_hash_table_lookup(tally, name)),
            .n_total = total,
        };
        g_array_append_val(rungs, r);
    }
    return rungs;
}

/* ---- KubeVirt node labels --------------------------------------------------- */

/* KubeVirt's default obsoleteCPUModels: never labelled. */
static const char *const vmc_kubevirt_obsolete[] = {
    "486", "pentium", "pentium2", "pentium3", "pentiumpro", "coreduo", "n270", "core2duo",
    "Conroe", "athlon", "phenom", "qemu64", "qemu32", "kvm64", "kvm32",
};

static gboolean
vmc_kubevirt_is_obsolete(const char *model)
{
    for (guint i = 0; i < G_N_ELEMENTS(vmc_kubevirt_obsolete); i++)
        if (g_str_equal(model, vmc_kubevirt_obsolete[i]))
            return TRUE;
    return FALSE;
}

GPtrArray *
vmc_host_kubevirt_labels(VmcCatalog *cat, const VmcHost *host, GError **error)
{
    g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(VmcCpuDef) model = vmc_host_model(host, NULL, error);
    g_autoptr(VmcCpuDef) full = NULL;
    g_autoptr(GHashTable) usable = NULL;
    GPtrArray *mts = vmc_host_get_machine_types(host);
    const char *vendor, *hm;

    if (!model)
        return NULL;
    hm = vmc_cpu_def_get_model(model);
    vendor = vmc_cpu_def_get_vendor(model);
    if (vendor)
        g_ptr_array_add(labels, g_strdup_printf("cpu-vendor.node.kubevirt.io/%s=true", vendor));
    if (hm) {
        g_ptr_array_add(labels, g_strdup_printf("host-model-cpu.node.kubevirt.io/%s=true", hm));
        g_ptr_array_add(labels, g_strdup_printf("cpu-model-migration.node.kubevirt.io/%s=true", hm));
    }
    /* the host-model's features beyond its model */
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(model); i++) {
        VmcFeaturePolicy p;
        const VmcFeature *f = vmc_cpu_def_get_feature(model, i, &p);
        if (p == VMC_FEATURE_POLICY_REQUIRE || p == VMC_FEATURE_POLICY_FORCE)
            g_ptr_array_add(labels, g_strdup_printf("host-model-required-features.node.kubevirt.io/%s=true",
                                                    vmc_feature_get_name(f)));
    }
    /* every feature the host-model enables */
    if (!(full = vmc_cpu_expand(model, VMC_EXPANSION_FULL, NULL, error)))
        return NULL;
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(full); i++) {
        VmcFeaturePolicy p;
        const VmcFeature *f = vmc_cpu_def_get_feature(full, i, &p);
        if (p == VMC_FEATURE_POLICY_REQUIRE)
            g_ptr_array_add(labels, g_strdup_printf("cpu-feature.node.kubevirt.io/%s=true",
                                                    vmc_feature_get_name(f)));
    }
    /* usable models and aliases (not obsolete), also migration targets of host-model VMs */
    if (!(usable = vmc_fleet_kind_models(cat, host, TRUE, NULL, error)))
        return NULL;
    {
        GHashTableIter it;
        gpointer name;
        g_hash_table_iter_init(&it, usable);
        while (g_hash_table_iter_next(&it, &name, NULL)) {
            if (vmc_kubevirt_is_obsolete(name))
                continue;
            g_ptr_array_add(labels, g_strdup_printf("cpu-model.node.kubevirt.io/%s=true", (char *) name));
            if (!hm || !g_str_equal(hm, name))
                g_ptr_array_add(labels, g_strdup_printf("cpu-model-migration.node.kubevirt.io/%s=true",
                                                        (char *) name));
        }
    }
    for (guint i = 0; mts && i < mts->len; i++)
        g_ptr_array_add(labels, g_strdup_printf("machine-type.node.kubevirt.io/%s=true",
                                                (const char *) g_ptr_array_index(mts, i)));
    g_ptr_array_sort(labels, vmc_strptr_cmp);
    return g_steal_pointer(&labels);
}

GPtrArray *
vmc_fleet_labels(VmcFleet *fleet, const char *name, GError **error)
{
    gint64 kind;
    const VmcHost *host;

    if (!vmc__fleet_host_kind(fleet, name, &kind, error) ||
        !(host = vmc__fleet_kind_host(fleet, kind, error)))
        return NULL;
    return vmc_host_kubevirt_labels(fleet->cat, host, error);
}
