/* lint.c: seed 003's catalog rules (no new host-side requirements).
 *
 * Workload: two catalogs, a few hundred models and machine types; feature
 * names are compared (not ids), so the two catalogs may number features
 * differently.
 */
#include "catalog/catalog-private.h"

#include <string.h>

#include "base/util.h"

#include <vmcompat/lint.h>
#include <vmcompat/machine.h>
#include <vmcompat/platform.h>

#define VMC_KVM_PV_LEAF 0x40000001u

static GHashTable *
vmc_lint_model_names(const VmcCatalog *cat, VmcArch arch, const VmcCpuModel *m)
{
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) names = vmc__catalog_set_names(cat, arch, &m->features);
    for (guint i = 0; i < names->len; i++)
        g_hash_table_add(h, g_strdup(g_ptr_array_index(names, i)));
    return h;
}

/* The keys of @a missing from @b, sorted and comma separated, or NULL. */
static char *
vmc_lint_diff(GHashTable *a, GHashTable *b)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;

    g_hash_table_iter_init(&it, a);
    while (g_hash_table_iter_next(&it, &k, NULL))
        if (!g_hash_table_contains(b, k))
            g_ptr_array_add(out, k);
    if (!out->len)
        return NULL;
    g_ptr_array_sort(out, vmc_strptr_cmp);
    g_ptr_array_add(out, NULL);
    return g_strjoinv(", ", (char **) out->pdata);
}

/* CPU model versions are final. */
static void
vmc_lint_models(const VmcCatalog *old_cat, const VmcCatalog *new_cat, VmcVerdict *v)
{
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        const VmcArchCatalog *nac = vmc_catalog_arch(new_cat, a);
        const VmcArchCatalog *oac = vmc_catalog_arch(old_cat, a);
        for (guint i = 0; i < nac->models->len; i++) {
            const VmcCpuModel *nm = g_ptr_array_index(nac->models, i);
            const VmcCpuModel *om = g_hash_table_lookup(oac->model_by_name, nm->name);
            g_autoptr(GHashTable) on = NULL, nn = NULL;
            g_autofree char *added = NULL, *removed = NULL;

            if (!om || g_strcmp0(om->name, nm->name) != 0)
                continue;   /* new, or only an alias before */
            on = vmc_lint_model_names(old_cat, a, om);
            nn = vmc_lint_model_names(new_cat, a, nm);
            added = vmc_lint_diff(nn, on);
            removed = vmc_lint_diff(on, nn);
            if (!added && !removed)
                continue;
            vmc_verdict_add(v, VMC_SEVERITY_ERROR, "cpu-model-changed", nm->name,
                            "CPU model %s changed%s%s%s%s: CPU model versions are final — a "
                            "change that adds a host-side requirement needs a new model version",
                            nm->name, added ? ": adds " : "", added ? added : "",
                            removed ? (added ? "; removes " : ": removes ") : "",
                            removed ? removed : "");
        }
        for (guint i = 0; i < oac->models->len; i++) {
            const VmcCpuModel *om = g_ptr_array_index(oac->models, i);
            if (!g_hash_table_lookup(nac->model_by_name, om->name))
                vmc_verdict_add(v, VMC_SEVERITY_WARNING, "cpu-model-removed", om->name,
                                "CPU model %s is gone: guests using it cannot start or migrate "
                                "in", om->name);
        }
    }
}

/* The machine type of @family whose own compat arrays include @array. */
static const VmcMachineType *
vmc_lint_array_holder(const VmcCatalog *cat, VmcArch arch, const char *family,
                      const char *array)
{
    for (guint i = 0; i < vmc_catalog_machine_count(cat, arch); i++) {
        const VmcMachineType *mt = vmc_catalog_machine(cat, arch, i);
        if (g_str_equal(mt->family, family) &&
            g_strv_contains((const char *const *) mt->own_arrays, array))
            return mt;
    }
    return NULL;
}

/* A new machine-type version must not turn on a host-dependent default:
 * when version N is added, the previous newest P gains the compat entries
 * that keep the old defaults; a host-dependent one among them is the
 * violation. */
static void
vmc_lint_machines(const VmcCatalog *old_cat, const VmcCatalog *new_cat, VmcVerdict *v)
{
    for (guint a = 0; a < VMC_ARCH_N; a++) {
        for (guint i = 0; i < vmc_catalog_machine_count(new_cat, a); i++) {
            const VmcMachineType *nt = vmc_catalog_machine(new_cat, a, i);
            const VmcMachineType *old_newest, *prev_new, *holder, *culprit;
            const VmcCompatProp *props;
            guint n;

            if (vmc_catalog_machine_lookup(old_cat, a, vmc_machine_type_get_name(nt), NULL) ||
                vmc_machine_type_get_parent(nt))
                continue;   /* known before, or not the new newest */
            old_newest = vmc__machine_newest(old_cat, a, vmc_machine_type_get_family(nt));
            if (!old_newest)
                continue;   /* a new family: nothing to compare with */
            prev_new = vmc_catalog_machine_lookup(new_cat, a, vmc_machine_type_get_name(old_newest), NULL);
            if (!prev_new)
                continue;
            props = vmc_machine_type_compat_props(prev_new, &n);
            for (guint k = 0; k < n; k++) {
                const VmcCompatProp *was = vmc_machine_type_compat_lookup(old_newest, props[k].driver,
                                                                          props[k].property);
                if (props[k].host_dependency != VMC_HOST_DEP_HOST_DEPENDENT)
                    continue;
                if (was && g_str_equal(was->value, props[k].value))
                    continue;
                holder = vmc_lint_array_holder(new_cat, a, vmc_machine_type_get_family(nt),
                                               props[k].array);
                culprit = holder && vmc_machine_type_get_parent(holder) ?
                          vmc_machine_type_get_parent(holder) : nt;
                vmc_verdict_add(v, VMC_SEVERITY_ERROR, "machine-type-host-requirement",
                                props[k].property,
                                "new machine type %s turns on a host-dependent default: "
                                "%s.%s (%s pins the old value %s); a new machine-type version "
                                "must not add a host-side requirement — leave the default off "
                                "and let a platform fix it (machine/tunables.json, platforms/)",
                                vmc_machine_type_get_name(culprit), props[k].driver,
                                props[k].property, props[k].array, props[k].value);
            }
        }
    }
}

/* Whether every platform fixes a value for tunable @name. */
static gboolean
vmc_lint_all_platforms_fix(const VmcCatalog *cat, const VmcTunable *t)
{
    if (!vmc_catalog_platform_count(cat))
        return FALSE;
    for (guint i = 0; i < vmc_catalog_platform_count(cat); i++)
        if (!vmc_platform_tunable_value(vmc_catalog_platform(cat, i), t))
            return FALSE;
    return TRUE;
}

static void
vmc_lint_kvm_pv_one(const VmcCatalog *cat, const VmcFeature *f, const char *where,
                    VmcVerdict *v)
{
    g_autofree char *name = NULL;
    const VmcTunable *t;

    if (f->loc != VMC_FEATURE_LOC_CPUID || f->leaf != VMC_KVM_PV_LEAF)
        return;
    t = vmc_catalog_tunable_lookup(cat, "x86_64-cpu", f->name);
    if (t && vmc_tunable_get_kind(t) == VMC_TUNABLE_PLATFORM && vmc_lint_all_platforms_fix(cat, t))
        return;
    vmc_verdict_add(v, VMC_SEVERITY_ERROR, "kvm-pv-default-without-platform", f->name,
                    "KVM paravirt CPUID bit %s is enabled by default (%s) without a platform: "
                    "it needs the host kernel's KVM; make x86_64-cpu.%s a platform tunable "
                    "that every platform fixes", f->name, where, f->name);
}

/* KVM paravirt bits (leaf 0x40000001) on by default must be platform
 * tunables. */
static void
vmc_lint_kvm_pv(const VmcCatalog *cat, VmcVerdict *v)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, VMC_ARCH_X86_64);
    const GArray *lists[] = { ac->defaults_always, ac->defaults_kvm };
    const char *names[] = { "always-on CPU default", "KVM accelerator default" };

    for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
        for (guint i = 0; lists[l] && i < lists[l]->len; i++) {
            const VmcFeatureProp *p = &g_array_index(lists[l], VmcFeatureProp, i);
            if (p->value)
                vmc_lint_kvm_pv_one(cat, g_ptr_array_index(ac->features, p->feature), names[l], v);
        }
    for (guint i = 0; i < ac->models->len; i++) {
        const VmcCpuModel *m = g_ptr_array_index(ac->models, i);
        VMC_FEATURE_SET_FOREACH(&m->features, id) {
            g_autofree char *where = g_strdup_printf("CPU model %s", m->name);
            vmc_lint_kvm_pv_one(cat, g_ptr_array_index(ac->features, id), where, v);
        }
    }
}

/* Every host-dependent compat property needs a tunables entry. */
static void
vmc_lint_unclassified(const VmcCatalog *cat, VmcVerdict *v)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint a = 0; a < VMC_ARCH_N; a++)
        for (guint i = 0; i < vmc_catalog_machine_count(cat, a); i++) {
            guint n;
            const VmcCompatProp *p = vmc_machine_type_compat_props(vmc_catalog_machine(cat, a, i), &n);
            for (guint k = 0; k < n; k++) {
                g_autofree char *key = NULL;
                if (p[k].host_dependency != VMC_HOST_DEP_HOST_DEPENDENT ||
                    vmc_catalog_tunable_lookup(cat, p[k].driver, p[k].property))
                    continue;
                key = g_strconcat(p[k].driver, ".", p[k].property, NULL);
                if (!g_hash_table_add(seen, g_steal_pointer(&key)))
                    continue;
                vmc_verdict_add(v, VMC_SEVERITY_ERROR, "host-dependent-unclassified", p[k].property,
                                "%s.%s is host-dependent (%s) but machine/tunables.json does not "
                                "say what it needs from a host", p[k].driver, p[k].property,
                                p[k].array);
            }
        }
}

VmcVerdict *
vmc_catalog_lint(const VmcCatalog *old_cat, const VmcCatalog *new_cat)
{
    VmcVerdict *v = vmc_verdict_new();

    g_return_val_if_fail(old_cat && new_cat, v);
    vmc_lint_models(old_cat, new_cat, v);
    vmc_lint_machines(old_cat, new_cat, v);
    vmc_lint_kvm_pv(new_cat, v);
    vmc_lint_unclassified(new_cat, v);
    return v;
}
