/* abi-check.c: whether a resolved ABI runs on a host — the single-host rule
 * (vmc_abi_check_mode), compiled into needs and judged per host view
 * (abi-check.h says how, and what a requirement vector is).
 *
 * Workload: the CLI checks one ABI on one host; the fleet checks thousands
 * of ABIs on hundreds of host kinds, so everything host-independent is
 * computed once per ABI (the needs) and everything ABI-independent once per
 * host (the view), and a check is a walk over ~50 needs.
 */
#include <stdio.h>
#include <string.h>

#include "base/util.h"
#include "catalog/catalog-private.h"
#include "catalog/cpu-def-private.h"
#include "cpu/arch/arch-ops.h"
#include "guest/abi-check.h"
#include "guest/guest-private.h"
#include <vmcompat/error.h>
#include <vmcompat/machine.h>
#include <vmcompat/platform.h>

/* "virtio-net" of "virtio-net-device" (how people name the device). */
static char *
vmc_driver_label(const char *driver)
{
    if (g_str_has_suffix(driver, "-device"))
        return g_strndup(driver, strlen(driver) - strlen("-device"));
    return g_strdup(driver);
}

/* ---- judging CPU items ----------------------------------------------------- */

/* How one check judges the CPU: the mode, and under partial the features
 * the original CPU asks for (everything else the hypervisor added). */
typedef struct {
    VmcCpuCheck mode;
    gboolean all_asked;      /* host-model, host-passthrough: the updated CPU is the ask */
    VmcFeatureSet asked;
} VmcCpuJudge;

static void
vmc_cpu_judge_init(VmcCpuJudge *j, const VmcAbi *abi, VmcCpuCheck mode)
{
    const VmcCpuDef *orig = abi->original;
    g_autoptr(VmcCpuDef) model_only = NULL;

    memset(j, 0, sizeof(*j));
    j->mode = mode == VMC_CPU_CHECK_DEFAULT ? vmc_abi_get_check(abi) : mode;
    if (j->mode != VMC_CPU_CHECK_PARTIAL)
        return;
    if (orig && orig->mode != VMC_CPU_MODE_CUSTOM) {
        j->all_asked = TRUE;    /* libvirt migrates them as the expanded CPU */
        return;
    }
    if (!orig)    /* QEMU's default CPU: its model is the ask */
        orig = model_only = vmc_cpu_def_parse_cli(abi->cat, abi->arch,
                                                  vmc__abi_model_name(abi->updated), NULL);
    if (!orig || !vmc_cpu_effective_features(orig, &j->asked, NULL)) {
        j->all_asked = TRUE;    /* cannot tell: judge everything as asked */
        return;
    }
    /* the bits a machine type sets on the model, and what the guest set */
    for (guint i = 0; i < abi->tunables->len; i++) {
        const VmcAbiTunable *at = &g_array_index(abi->tunables, VmcAbiTunable, i);
        const VmcTunable *t = vmc_catalog_tunable_lookup(abi->cat, at->name, NULL);
        const VmcFeature *f = vmc_catalog_feature_lookup(abi->cat, abi->arch, at->property);
        if (f && (g_str_equal(at->source, "guest") ||
                  (t && vmc_tunable_get_kind(t) == VMC_TUNABLE_CPU_FEATURE)))
            vmc_feature_set_add(&j->asked, vmc_feature_get_id(f));
    }
}

static gboolean
vmc_cpu_judge_asked(const VmcCpuJudge *j, guint id)
{
    return j->all_asked || vmc_feature_set_has(&j->asked, id);
}

/* Severity of a CPU item the host cannot present, and the words that say
 * why a warning is only a warning. */
static VmcSeverity
vmc_cpu_judge(const VmcCpuJudge *j, gboolean asked, const char **why)
{
    if (j->mode == VMC_CPU_CHECK_FULL || (j->mode == VMC_CPU_CHECK_PARTIAL && asked)) {
        *why = "";
        return VMC_SEVERITY_ERROR;
    }
    *why = j->mode == VMC_CPU_CHECK_PARTIAL ?
           " (check=partial: the hypervisor added it, the original CPU does not ask for it; "
           "the guest would lose it)" :
           " (check=none: the CPU is not verified; the guest would lose it)";
    return VMC_SEVERITY_WARNING;
}

VmcCpuCheck
vmc_abi_get_check(const VmcAbi *abi)
{
    VmcCpuCheck c = abi->original ? vmc_cpu_def_get_check(abi->original) : VMC_CPU_CHECK_DEFAULT;

    if (c != VMC_CPU_CHECK_DEFAULT && c < VMC_CPU_CHECK_N)
        return c;
    /* libvirt's QEMU driver (qemuDomainDefCPUPostParse): none for
     * host-passthrough and maximum, partial for custom and host-model */
    if (abi->original && (abi->original->mode == VMC_CPU_MODE_HOST_PASSTHROUGH ||
                          abi->original->mode == VMC_CPU_MODE_MAXIMUM))
        return VMC_CPU_CHECK_NONE;
    return VMC_CPU_CHECK_PARTIAL;
}

/* ---- host views ------------------------------------------------------------ */

typedef enum {
    VMC_VIEW_CPU_OK,
    VMC_VIEW_CPU_NONE,       /* the host's CPU is not known */
    VMC_VIEW_CPU_ERROR,      /* its features cannot be computed (cpu_error) */
} VmcViewCpu;

struct _VmcHostView {
    VmcCatalog *cat;
    VmcHost *host;
    VmcArch arch;
    gboolean has_kvm;
    gboolean have_rel;
    VmcRelease rel;          /* the host's QEMU release (have_rel) */
    GHashTable *mts;         /* machine types it lists; NULL: it lists none */
    char *kernel;            /* X.Y, or NULL */
    VmcViewCpu cpu;
    VmcFeatureSet cpu_set;   /* KVM-usable features, deprecated ones included */
    char *cpu_error;
    VmcFeatureSet fk_done;   /* features looked up in @rel's release table */
    VmcFeatureSet fk_no;     /* ... that @rel does not know */
    GHashTable *platforms;   /* name → missing capabilities ("": supported); lazy */
};

VmcHostView *
vmc__host_view_new(VmcCatalog *cat, const VmcHost *host)
{
    VmcHostView *view = g_new0(VmcHostView, 1);
    GPtrArray *mts = vmc_host_get_machine_types(host);
    const char *v = vmc_host_get_qemu_version(host);
    const VmcCpuDef *hcpu = vmc_host_get_cpu(host);
    g_autoptr(GError) error = NULL;

    view->cat = vmc_catalog_ref(cat);
    view->host = vmc_host_ref((VmcHost *) host);
    view->arch = vmc_host_get_arch(host);
    view->has_kvm = vmc_host_has_kvm(host);
    view->have_rel = v && vmc_release_parse(v, &view->rel, NULL);
    if (mts && mts->len) {
        view->mts = g_hash_table_new(g_str_hash, g_str_equal);
        for (guint i = 0; i < mts->len; i++)
            g_hash_table_add(view->mts, g_ptr_array_index(mts, i));
    }
    view->kernel = vmc_host_kernel_version(host);
    if (!hcpu) {
        view->cpu = VMC_VIEW_CPU_NONE;
    } else if (!vmc_cpu_effective_features(hcpu, &view->cpu_set, &error)) {
        view->cpu = VMC_VIEW_CPU_ERROR;
        view->cpu_error = g_strdup(error->message);
    } else {
        vmc_feature_set_or(&view->cpu_set, &view->cpu_set, &hcpu->host_deprecated_disabled);
    }
    return view;
}

void
vmc__host_view_free(VmcHostView *view)
{
    if (!view)
        return;
    g_clear_pointer(&view->mts, g_hash_table_unref);
    g_clear_pointer(&view->platforms, g_hash_table_unref);
    g_free(view->kernel);
    g_free(view->cpu_error);
    vmc_host_unref(view->host);
    vmc_catalog_unref(view->cat);
    g_free(view);
}

const VmcHost *
vmc__host_view_get_host(const VmcHostView *view)
{
    return view->host;
}

/* The release a check judges by: the host's QEMU, or — a host that does
 * not say — the ABI's own release (@fallback). */
static const VmcRelease *
vmc_view_release(const VmcHostView *view, const VmcRelease *fallback)
{
    return view->have_rel ? &view->rel : fallback;
}

/* Whether the host's QEMU has machine type @name: the host's list when it
 * has one, else the release's registry (*@status, for the words). */
static gboolean
vmc_view_machine(const VmcHostView *view, const VmcMachineType *mt, const char *name,
                 const VmcRelease *hrel, VmcMachineStatus *status)
{
    *status = mt ? vmc_machine_type_status(mt, hrel) : VMC_MACHINE_SUPPORTED;
    if (view->mts)
        return g_hash_table_contains(view->mts, name);
    return *status != VMC_MACHINE_NOT_YET && *status != VMC_MACHINE_DELETED;
}

/* Whether release @hrel lacks feature @id (remembered for the host's own). */
static gboolean
vmc_view_feature_unknown(VmcHostView *view, const VmcRelease *hrel, guint id, const char **since)
{
    const char *n;
    gboolean no;

    if (!since && hrel == &view->rel && vmc_feature_set_has(&view->fk_done, id))
        return vmc_feature_set_has(&view->fk_no, id);
    n = vmc_feature_get_name(vmc_catalog_feature(view->cat, view->arch, id));
    no = vmc_release_knows_feature(view->cat, view->arch, hrel, n, since) == VMC_RELEASE_KNOWS_NO;
    if (hrel == &view->rel) {
        vmc_feature_set_add(&view->fk_done, id);
        if (no)
            vmc_feature_set_add(&view->fk_no, id);
    }
    return no;
}

/* The features of @want (KVM ones already removed) the host's KVM cannot
 * give: VMC_VIEW_CPU_OK with *@missing, or why they cannot be known. */
static VmcViewCpu
vmc_view_cpu_missing(const VmcHostView *view, const VmcFeatureSet *want, VmcFeatureSet *missing)
{
    VmcFeatureSet required;

    if (view->cpu != VMC_VIEW_CPU_OK)
        return view->cpu;
    vmc__cpu_required_features(view->cat, view->arch, want, &view->cpu_set, &required);
    vmc_feature_set_andnot(missing, &required, &view->cpu_set);
    return VMC_VIEW_CPU_OK;
}

/* The capabilities of platform @name the host lacks, comma separated, or
 * NULL when it supports the platform (or no such platform is known). */
static const char *
vmc_view_platform_missing(VmcHostView *view, const char *name)
{
    const char *missing;

    if (!view->platforms) {
        g_autoptr(GArray) rows = vmc_host_query_platforms(view->host, view->cat);
        view->platforms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        for (guint i = 0; i < rows->len; i++) {
            VmcHostPlatform *r = &g_array_index(rows, VmcHostPlatform, i);
            char *text = g_strdup("");
            if (!r->supported) {
                g_ptr_array_add(r->missing, NULL);
                g_free(text);
                text = g_strjoinv(", ", (char **) r->missing->pdata);
            }
            g_hash_table_replace(view->platforms, g_strdup(vmc_platform_get_name(r->platform)), text);
        }
    }
    missing = g_hash_table_lookup(view->platforms, name);
    return missing && *missing ? missing : NULL;
}

/* ---- needs ------------------------------------------------------------------ */

typedef enum {
    VMC_NEED_ARCH,
    VMC_NEED_KVM,
    VMC_NEED_MACHINE,        /* offered; and a warning when deprecated */
    VMC_NEED_TUNABLE_UNKNOWN,/* this catalog lacks the tunable: always an error */
    VMC_NEED_CAPABILITY,     /* a tunable value needs a host capability */
    VMC_NEED_TUNABLE_SINCE,  /* the host's QEMU has the tunable */
    VMC_NEED_MODEL,          /* ... knows the CPU model */
    VMC_NEED_FEATURE,        /* ... knows a CPU feature */
    VMC_NEED_CPU,            /* the host's KVM offers the CPU's features */
    VMC_NEED_PLATFORM,       /* a note: the host supports the ABI's platform */
} VmcNeedKind;

typedef struct {
    VmcNeedKind kind;
    VmcSeverity sev;         /* of a failure */
    const char *why;         /* words after it (static) */
    const VmcTunable *t;     /* CAPABILITY, TUNABLE_SINCE */
    const char *name;        /* capability, tunable, model, feature; borrowed */
    const char *value;       /* the tunable's value */
    guint id;                /* FEATURE */
    gboolean has_since;      /* TUNABLE_SINCE: the tunable's first release, parsed */
    VmcRelease since;
} VmcNeed;

struct _VmcAbiNeeds {
    VmcAbi *abi;             /* the strings of the needs live in it */
    VmcCatalog *cat;
    VmcArch arch;
    VmcRelease fallback;     /* the ABI's release: for hosts that name none */
    const VmcMachineType *mt;
    GArray *needs;           /* VmcNeed, in the order of the verdict's reasons */
    VmcCpuJudge judge;
    /* VMC_NEED_CPU */
    gboolean want_ok;
    char *want_error;
    VmcFeatureSet want;      /* the updated CPU's features, KVM-owned ones removed */
    VmcFeatureSet cpu_err;   /* features whose absence is an error */
    gboolean cpu_err_all;
    /* VMC_NEED_FEATURE: those judged errors */
    VmcFeatureSet feature_err;
};

static void
vmc_need_add(VmcAbiNeeds *n, VmcNeedKind kind, VmcSeverity sev, const char *why)
{
    VmcNeed need = { .kind = kind, .sev = sev, .why = why ? why : "" };
    g_array_append_val(n->needs, need);
}

static VmcNeed *
vmc_need_last(VmcAbiNeeds *n)
{
    return &g_array_index(n->needs, VmcNeed, n->needs->len - 1);
}

/* The CPU features KVM must offer: the updated CPU's, minus what KVM itself
 * provides (accelerator defaults, paravirt bits judged as tunables). */
static void
vmc_needs_cpu(VmcAbiNeeds *n, const VmcAbi *abi)
{
    VmcFeatureSet own;
    g_autoptr(GError) error = NULL;

    if (!(n->want_ok = vmc_cpu_effective_features(abi->updated, &n->want, &error))) {
        n->want_error = error ? g_strdup(error->message) : NULL;
        return;
    }
    vmc__cpu_accel_on(abi->cat, abi->arch, abi->accel, &own);
    /* KVM paravirt bits are judged as tunables (their capabilities); CPUID
     * bits a machine type sets on a model are the model's, judged here */
    for (guint i = 0; i < abi->tunables->len; i++) {
        const VmcAbiTunable *t = &g_array_index(abi->tunables, VmcAbiTunable, i);
        const VmcFeature *f = vmc_catalog_feature_lookup(abi->cat, abi->arch, t->property);
        const VmcTunable *tt = vmc_catalog_tunable_lookup(abi->cat, t->name, NULL);
        if (f && !(tt && vmc_tunable_get_kind(tt) == VMC_TUNABLE_CPU_FEATURE))
            vmc_feature_set_add(&own, vmc_feature_get_id(f));
    }
    vmc_feature_set_andnot(&n->want, &n->want, &own);
    /* errors: everything under full, what the original asks under partial */
    n->cpu_err_all = n->judge.mode == VMC_CPU_CHECK_FULL ||
                     (n->judge.mode == VMC_CPU_CHECK_PARTIAL && n->judge.all_asked);
    if (n->judge.mode == VMC_CPU_CHECK_PARTIAL && !n->judge.all_asked)
        n->cpu_err = n->judge.asked;
}

VmcAbiNeeds *
vmc__abi_needs_new(const VmcAbi *abi, VmcCpuCheck mode)
{
    VmcAbiNeeds *n = g_new0(VmcAbiNeeds, 1);
    const char *why = "";
    VmcSeverity sev;

    n->abi = vmc_abi_ref((VmcAbi *) abi);
    n->cat = abi->cat;
    n->arch = abi->arch;
    n->fallback = abi->release;
    n->needs = g_array_new(FALSE, TRUE, sizeof(VmcNeed));
    vmc_cpu_judge_init(&n->judge, abi, mode);
    vmc_need_add(n, VMC_NEED_ARCH, VMC_SEVERITY_ERROR, NULL);
    if (abi->accel == VMC_ACCEL_KVM)
        vmc_need_add(n, VMC_NEED_KVM, VMC_SEVERITY_ERROR, NULL);
    n->mt = vmc_catalog_machine_lookup(abi->cat, abi->arch, abi->machine, NULL);
    vmc_need_add(n, VMC_NEED_MACHINE, VMC_SEVERITY_ERROR, NULL);
    for (guint i = 0; i < abi->tunables->len; i++) {
        const VmcAbiTunable *at = &g_array_index(abi->tunables, VmcAbiTunable, i);
        const VmcTunable *t = vmc_catalog_tunable_lookup(abi->cat, at->name, NULL);
        const char *const *caps;
        if (!t) {
            vmc_need_add(n, VMC_NEED_TUNABLE_UNKNOWN, VMC_SEVERITY_ERROR, NULL);
            vmc_need_last(n)->name = at->name;
            continue;
        }
        {
            /* a CPUID bit of the CPU is judged by the check mode */
            const VmcFeature *f = g_str_has_suffix(at->driver, "-cpu") ?
                vmc_catalog_feature_lookup(abi->cat, abi->arch, at->property) : NULL;
            gboolean asked = !f || vmc_cpu_judge_asked(&n->judge, vmc_feature_get_id(f));
            sev = f ? vmc_cpu_judge(&n->judge, asked, &why) : VMC_SEVERITY_ERROR;
            if (!f)
                why = "";
        }
        caps = vmc_tunable_needs(t, at->value);
        for (guint c = 0; caps[c]; c++) {
            vmc_need_add(n, VMC_NEED_CAPABILITY, sev, why);
            vmc_need_last(n)->t = t;
            vmc_need_last(n)->name = caps[c];
            vmc_need_last(n)->value = at->value;
        }
        /* a value that is what a QEMU without the knob does: only a note */
        vmc_need_add(n, VMC_NEED_TUNABLE_SINCE,
                     vmc_tunable_value_equal(at->value, vmc_tunable_get_safe_value(t)) ?
                     VMC_SEVERITY_NOTE : sev, why);
        vmc_need_last(n)->t = t;
        vmc_need_last(n)->name = at->name;
        vmc_need_last(n)->value = at->value;
        vmc_need_last(n)->has_since = vmc_tunable_get_since(t) &&
                                      vmc_release_parse(vmc_tunable_get_since(t), &vmc_need_last(n)->since, NULL);
    }
    if (abi->updated) {
        const char *model = vmc__abi_model_name(abi->updated);
        /* under partial the destination starts the model as the guest
         * named it (an alias resolves by machine type, as on the source) */
        if (n->judge.mode == VMC_CPU_CHECK_PARTIAL && abi->original &&
            abi->original->mode == VMC_CPU_MODE_CUSTOM && vmc_cpu_def_get_model(abi->original))
            model = vmc_cpu_def_get_model(abi->original);
        if (model) {
            sev = vmc_cpu_judge(&n->judge, TRUE, &why);
            vmc_need_add(n, VMC_NEED_MODEL, sev, why);
            vmc_need_last(n)->name = model;
        }
        for (guint i = 0; i < abi->updated->features->len; i++) {
            const VmcCpuFeature *f = &g_array_index(abi->updated->features, VmcCpuFeature, i);
            if (f->policy != VMC_FEATURE_POLICY_REQUIRE)
                continue;
            sev = vmc_cpu_judge(&n->judge, vmc_cpu_judge_asked(&n->judge, f->id), &why);
            vmc_need_add(n, VMC_NEED_FEATURE, sev, why);
            vmc_need_last(n)->id = f->id;
            vmc_need_last(n)->name = vmc_feature_get_name(vmc_catalog_feature(abi->cat, abi->arch, f->id));
            if (sev == VMC_SEVERITY_ERROR)
                vmc_feature_set_add(&n->feature_err, f->id);
        }
    }
    if (abi->accel == VMC_ACCEL_KVM) {   /* TCG emulates; its limits are QEMU's */
        vmc_needs_cpu(n, abi);
        vmc_need_add(n, VMC_NEED_CPU, VMC_SEVERITY_ERROR, NULL);
    }
    if (abi->platform) {
        vmc_need_add(n, VMC_NEED_PLATFORM, VMC_SEVERITY_NOTE, NULL);
        vmc_need_last(n)->name = abi->platform;
    }
    return n;
}

void
vmc__abi_needs_free(VmcAbiNeeds *n)
{
    if (!n)
        return;
    g_array_unref(n->needs);
    g_free(n->want_error);
    vmc_abi_unref(n->abi);
    g_free(n);
}

/* ---- the check ---------------------------------------------------------------- */

/* The features of @part, by name, for the words. */
static void
vmc_check_cpu(const VmcAbiNeeds *n, const VmcHostView *view, VmcVerdict *v)
{
    VmcFeatureSet missing;
    VmcViewCpu st;

    if (view->cpu == VMC_VIEW_CPU_NONE || !n->want_ok) {
        /* the updated CPU's own error only when the host's CPU is known */
        const char *error = view->cpu != VMC_VIEW_CPU_NONE ? n->want_error : NULL;
        vmc_verdict_add(v, VMC_SEVERITY_WARNING, "cpu-unknown", NULL,
                        "the host's CPU is not known; CPU features not checked%s%s",
                        error ? ": " : "", error ? error : "");
        return;
    }
    st = vmc_view_cpu_missing(view, &n->want, &missing);
    if (st == VMC_VIEW_CPU_ERROR) {
        vmc_verdict_add(v, VMC_SEVERITY_WARNING, "cpu-unknown", NULL, "%s", view->cpu_error);
        return;
    }
    if (vmc_feature_set_is_empty(&missing))
        return;
    for (guint pass = 0; pass < 2; pass++) {   /* asked, then added */
        VmcFeatureSet part;
        g_autofree char *list = NULL;
        const char *why;
        VmcSeverity sev;
        if (n->judge.all_asked)
            part = missing;
        else if (pass == 0)
            vmc_feature_set_and(&part, &missing, &n->judge.asked);
        else
            vmc_feature_set_andnot(&part, &missing, &n->judge.asked);
        if ((n->judge.all_asked && pass == 1) || vmc_feature_set_is_empty(&part))
            continue;
        sev = vmc_cpu_judge(&n->judge, !pass, &why);
        list = vmc__catalog_format_set(n->cat, n->arch, &part);
        vmc_verdict_add(v, sev, "cpu-feature-missing", list,
                        "CPU %s needs features the host's KVM does not offer: %s%s",
                        vmc__abi_model_name(n->abi->updated), list, why);
    }
}

/* The sentence for a tunable value whose capability the host lacks. */
static void
vmc_check_capability(const VmcAbiNeeds *n, const VmcHostView *view, const VmcNeed *need, VmcVerdict *v)
{
    const VmcPlatform *first = vmc_catalog_platform_first_with(n->cat, need->t, need->value);
    g_autofree char *label = vmc_driver_label(vmc_tunable_get_driver(need->t));
    g_autofree char *since = first ? g_strdup_printf(" (platform %s or newer)",
                                                     vmc_platform_get_name(first)) : NULL;

    vmc_verdict_add(v, need->sev, "host-capability-missing", need->name,
                    "%s property %s=%s needs capability %s%s; this host%s%s lacks it%s",
                    label, vmc_tunable_get_property(need->t), need->value, need->name,
                    since ? since : "", view->kernel ? "'s kernel " : "",
                    view->kernel ? view->kernel : "", need->why);
}

VmcVerdict *
vmc__abi_needs_check(const VmcAbiNeeds *n, VmcHostView *view)
{
    VmcVerdict *v = vmc_verdict_new();
    const VmcRelease *hrel = vmc_view_release(view, &n->fallback);
    g_autofree char *own_rel = NULL;
    const char *hrel_text, *since = NULL;
    const char *machine = n->abi->machine;

    hrel_text = view->have_rel ? vmc_host_get_qemu_version(view->host) :
                (own_rel = g_strdup_printf("%u.%u", hrel->major, hrel->minor));
    for (guint i = 0; i < n->needs->len; i++) {
        const VmcNeed *need = &g_array_index(n->needs, VmcNeed, i);
        VmcMachineStatus status;
        switch (need->kind) {
        case VMC_NEED_ARCH:
            if (view->arch != n->arch) {
                vmc_verdict_add(v, VMC_SEVERITY_ERROR, "arch-mismatch", vmc_arch_to_string(n->arch),
                                "the guest is %s, the host %s", vmc_arch_to_string(n->arch),
                                vmc_arch_to_string(view->arch));
                return v;
            }
            break;
        case VMC_NEED_KVM:
            if (!view->has_kvm)
                vmc_verdict_add(v, VMC_SEVERITY_ERROR, "accel-unavailable", "kvm",
                                "the guest runs under KVM and this host has no usable KVM");
            break;
        case VMC_NEED_MACHINE:
            if (!vmc_view_machine(view, n->mt, machine, hrel, &status)) {
                if (view->mts)
                    vmc_verdict_add(v, VMC_SEVERITY_ERROR, "machine-type-unknown", machine,
                                    "the host's QEMU %s does not offer machine type %s",
                                    hrel_text, machine);
                else
                    vmc_verdict_add(v, VMC_SEVERITY_ERROR, "machine-type-unknown", machine,
                                    "QEMU %s does not have machine type %s (%s)", hrel_text, machine,
                                    status == VMC_MACHINE_DELETED ? "removed by then" : "newer");
            }
            if (status == VMC_MACHINE_DEPRECATED)
                vmc_verdict_add(v, VMC_SEVERITY_WARNING, "machine-type-deprecated", machine,
                                "machine type %s is deprecated in QEMU %u.%u", machine,
                                hrel->major, hrel->minor);
            break;
        case VMC_NEED_TUNABLE_UNKNOWN:
            vmc_verdict_add(v, VMC_SEVERITY_ERROR, "tunable-unknown", need->name,
                            "this vmcompat's catalog does not know tunable %s", need->name);
            break;
        case VMC_NEED_CAPABILITY:
            if (!vmc_host_has_capability(view->host, need->name))
                vmc_check_capability(n, view, need, v);
            break;
        case VMC_NEED_TUNABLE_SINCE:
            /* vmc__tunable_after, with the release parsed once */
            if (!vmc__release_after(need->has_since ? &need->since : NULL, hrel))
                break;
            if (need->sev == VMC_SEVERITY_NOTE)
                vmc_verdict_add(v, VMC_SEVERITY_NOTE, "tunable-absent", need->name,
                                "QEMU %s has no %s property %s (it arrived in %s); its value "
                                "%s is what that QEMU does without it", hrel_text,
                                vmc_tunable_get_driver(need->t), vmc_tunable_get_property(need->t),
                                vmc_tunable_get_since(need->t), need->value);
            else
                vmc_verdict_add(v, need->sev, "tunable-unknown", need->name,
                                "QEMU %s does not know %s property %s (it arrived in %s); "
                                "it cannot be set to %s%s", hrel_text,
                                vmc_tunable_get_driver(need->t), vmc_tunable_get_property(need->t),
                                vmc_tunable_get_since(need->t), need->value, need->why);
            break;
        case VMC_NEED_MODEL:
            if (vmc_release_knows_model(n->cat, n->arch, hrel, need->name, &since) ==
                VMC_RELEASE_KNOWS_NO)
                vmc_verdict_add(v, need->sev, "cpu-model-unknown", need->name,
                                "QEMU %s does not know CPU model %s (it arrived in %s)%s",
                                hrel_text, need->name, since, need->why);
            break;
        case VMC_NEED_FEATURE:
            if (vmc_view_feature_unknown(view, hrel, need->id, NULL)) {
                vmc_view_feature_unknown(view, hrel, need->id, &since);
                vmc_verdict_add(v, need->sev, "cpu-feature-unknown", need->name,
                                "QEMU %s does not know CPU feature %s (it arrived in %s)%s",
                                hrel_text, need->name, since, need->why);
            }
            break;
        case VMC_NEED_CPU:
            vmc_check_cpu(n, view, v);
            break;
        case VMC_NEED_PLATFORM: {
            const char *missing = vmc_view_platform_missing(view, need->name);
            if (missing)
                vmc_verdict_add(v, VMC_SEVERITY_NOTE, "platform-unsupported", need->name,
                                "the host does not support platform %s (lacks %s); the ABI fixes "
                                "every tunable explicitly, so only the errors above matter",
                                need->name, missing);
            break;
        }
        }
    }
    return v;
}

VmcVerdict *
vmc_abi_check(const VmcAbi *abi, const VmcHost *host)
{
    return vmc_abi_check_mode(abi, host, VMC_CPU_CHECK_FULL);
}

VmcVerdict *
vmc_abi_check_mode(const VmcAbi *abi, const VmcHost *host, VmcCpuCheck mode)
{
    g_autoptr(VmcAbiNeeds) needs = NULL;
    g_autoptr(VmcHostView) view = NULL;

    g_return_val_if_fail(abi && host, vmc_verdict_new());
    needs = vmc__abi_needs_new(abi, mode);
    view = vmc__host_view_new(abi->cat, host);
    return vmc__abi_needs_check(needs, view);
}

/* ---- requirement vectors ---------------------------------------------------- */

/* A feature set as hex words, lowest first, trailing zero words left out
 * ("0" when empty). */
static void
vmc_set_hex(GString *s, const VmcFeatureSet *set)
{
    gint last = VMC_FEATURE_SET_WORDS - 1;

    while (last > 0 && set->w[last] == 0)
        last--;
    for (gint k = 0; k <= last; k++)
        g_string_append_printf(s, "%s%" G_GINT64_MODIFIER "x", k ? ":" : "", set->w[k]);
}

static gboolean
vmc_set_parse(const char *text, VmcFeatureSet *set)
{
    g_auto(GStrv) words = g_strsplit(text, ":", -1);
    guint k = 0;

    vmc_feature_set_clear(set);
    for (; words[k]; k++) {
        char *end = NULL;
        if (k >= VMC_FEATURE_SET_WORDS || !g_ascii_isxdigit(*words[k]))
            return FALSE;
        set->w[k] = g_ascii_strtoull(words[k], &end, 16);
        if (*end)
            return FALSE;
    }
    return k > 0;
}

char *
vmc__abi_needs_vector(const VmcAbiNeeds *n)
{
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *rel = g_strdup_printf("%u.%u", n->fallback.major, n->fallback.minor);

    for (guint i = 0; i < n->needs->len; i++) {
        const VmcNeed *need = &g_array_index(n->needs, VmcNeed, i);
        if (need->sev != VMC_SEVERITY_ERROR)
            continue;
        switch (need->kind) {
        case VMC_NEED_ARCH:
            g_ptr_array_add(keys, g_strdup_printf("arch %s", vmc_arch_to_string(n->arch)));
            break;
        case VMC_NEED_KVM:
            g_ptr_array_add(keys, g_strdup("kvm"));
            break;
        case VMC_NEED_MACHINE:
            g_ptr_array_add(keys, g_strdup_printf("machine %s %s", n->abi->machine, rel));
            break;
        case VMC_NEED_TUNABLE_UNKNOWN:
            g_ptr_array_add(keys, g_strdup_printf("never tunable-unknown %s", need->name));
            break;
        case VMC_NEED_CAPABILITY:
            g_ptr_array_add(keys, g_strdup_printf("cap %s", need->name));
            break;
        case VMC_NEED_TUNABLE_SINCE:
            g_ptr_array_add(keys, g_strdup_printf("since %s %s", need->name, rel));
            break;
        case VMC_NEED_MODEL:
            g_ptr_array_add(keys, g_strdup_printf("model %s %s", need->name, rel));
            break;
        case VMC_NEED_FEATURE:
            break;   /* one key for all, below */
        case VMC_NEED_CPU:
            if (n->want_ok && (n->cpu_err_all || !vmc_feature_set_is_empty(&n->cpu_err))) {
                GString *k = g_string_new("cpu ");
                if (n->cpu_err_all)
                    g_string_append_c(k, '*');
                else
                    vmc_set_hex(k, &n->cpu_err);
                g_string_append_c(k, ' ');
                vmc_set_hex(k, &n->want);
                g_ptr_array_add(keys, g_string_free(k, FALSE));
            }
            break;
        case VMC_NEED_PLATFORM:
            break;
        }
    }
    if (!vmc_feature_set_is_empty(&n->feature_err)) {
        GString *k = g_string_new(NULL);
        g_string_append_printf(k, "features %s ", rel);
        vmc_set_hex(k, &n->feature_err);
        g_ptr_array_add(keys, g_string_free(k, FALSE));
    }
    g_ptr_array_sort(keys, vmc_strptr_cmp);
    for (guint i = 0; i < keys->len; i++) {
        const char *k = g_ptr_array_index(keys, i);
        if (i == 0 || strcmp(k, g_ptr_array_index(keys, i - 1)) != 0)
            g_string_append_printf(out, "%s\n", k);
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

char *
vmc__abi_vector(const VmcAbi *abi, VmcCpuCheck mode)
{
    g_autoptr(VmcAbiNeeds) needs = vmc__abi_needs_new(abi, mode);
    return vmc__abi_needs_vector(needs);
}

static gboolean
vmc_key_bad(const char *key, GError **error)
{
    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "requirement '%s': not one this vmcompat reads", key);
    return FALSE;
}

gboolean
vmc__host_view_meets(VmcHostView *view, const char *key, gboolean *ret_met, GError **error)
{
    g_autofree char *line = g_strndup(key, strcspn(key, "\n"));
    g_auto(GStrv) w = g_strsplit(line, " ", -1);
    guint n = g_strv_length(w);
    VmcRelease fallback;
    const VmcRelease *hrel = NULL;
    gboolean met;

    /* the release, where a key has one: its last word but for features */
    if (n >= 3 && (g_str_equal(w[0], "machine") || g_str_equal(w[0], "since") ||
                   g_str_equal(w[0], "model"))) {
        if (!vmc_release_parse(w[2], &fallback, NULL))
            return vmc_key_bad(line, error);
        hrel = vmc_view_release(view, &fallback);
    } else if (n == 3 && g_str_equal(w[0], "features")) {
        if (!vmc_release_parse(w[1], &fallback, NULL))
            return vmc_key_bad(line, error);
        hrel = vmc_view_release(view, &fallback);
    }
    if (n == 2 && g_str_equal(w[0], "arch")) {
        met = view->arch == vmc_arch_from_string(w[1]);
    } else if (n == 1 && g_str_equal(w[0], "kvm")) {
        met = view->has_kvm;
    } else if (n == 3 && g_str_equal(w[0], "machine")) {
        VmcMachineStatus status;
        met = vmc_view_machine(view, vmc_catalog_machine_lookup(view->cat, view->arch, w[1], NULL),
                               w[1], hrel, &status);
    } else if (n == 3 && g_str_equal(w[0], "never")) {
        met = FALSE;
    } else if (n == 2 && g_str_equal(w[0], "cap")) {
        met = vmc_host_has_capability(view->host, w[1]);
    } else if (n == 3 && g_str_equal(w[0], "since")) {
        const VmcTunable *t = vmc_catalog_tunable_lookup(view->cat, w[1], NULL);
        if (!t)
            return vmc_key_bad(line, error);
        met = !vmc__tunable_after(t, hrel);
    } else if (n == 3 && g_str_equal(w[0], "model")) {
        met = vmc_release_knows_model(view->cat, view->arch, hrel, w[1], NULL) != VMC_RELEASE_KNOWS_NO;
    } else if (n == 3 && g_str_equal(w[0], "features")) {
        VmcFeatureSet set;
        if (!vmc_set_parse(w[2], &set))
            return vmc_key_bad(line, error);
        met = TRUE;
        VMC_FEATURE_SET_FOREACH(&set, id) {
            if ((guint) id >= vmc_catalog_feature_count(view->cat, view->arch))
                return vmc_key_bad(line, error);
            if (vmc_view_feature_unknown(view, hrel, (guint) id, NULL)) {
                met = FALSE;
                break;
            }
        }
    } else if (n == 3 && g_str_equal(w[0], "cpu")) {
        VmcFeatureSet err, want, missing;
        gboolean all = g_str_equal(w[1], "*");
        if ((!all && !vmc_set_parse(w[1], &err)) || !vmc_set_parse(w[2], &want))
            return vmc_key_bad(line, error);
        /* a host whose CPU is unknown gets warnings, not errors */
        met = vmc_view_cpu_missing(view, &want, &missing) != VMC_VIEW_CPU_OK ||
              (all ? vmc_feature_set_is_empty(&missing) : !vmc_feature_set_intersects(&missing, &err));
    } else {
        return vmc_key_bad(line, error);
    }
    *ret_met = met;
    return TRUE;
}
