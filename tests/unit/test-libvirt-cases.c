/* test-libvirt-cases.c: libvirt 10.7's own x86 CPU-driver test corpus
 * (tests/cputest.c, copied to shared/data/libvirt: cases.json, data/,
 * cpu_map/) run through vmcompat, one GTest case per libvirt case.
 *
 * Kinds: compare, update, guestcpu, baseline, cpuid_host, cpuid_guest,
 * cpuid_signature and cpuid_baseline (x86_64 only). Results are compared
 * by meaning — type, mode, match, model, vendor, fallback, signature and the
 * {feature: policy} map — never by text, and every mismatch is printed as
 * expected vs got with the feature differences. All cases run against the
 * built-in catalog with its x86 part replaced by libvirt's cpu_map.
 *
 * Property checks follow libvirt's cputest: compare(x, x) is identical for
 * every CPU of the corpus, and an N-way baseline is contained in (and
 * compares identical or superset with) every one of its inputs.
 *
 * Cases that cannot pass for a documented reason are listed in
 * known_failures[] and reported with g_test_incomplete().
 */
#include "harness.h"

#include <json-c/json.h>
#include <string.h>

#include "catalog/cpu-def-private.h"
#include "cpu/arch/x86-private.h"

typedef struct {
    const char *label;       /* libvirt_label of the case */
    const char *reason;
} KnownFailure;

static const KnownFailure known_failures[] = {
    { NULL, NULL },
};

typedef struct {
    json_object *obj;        /* the case, referenced */
} LvCase;

static void
lv_case_free(gpointer p)
{
    LvCase *c = p;
    json_object_put(c->obj);
    g_free(c);
}

/* Set when the running test found a mismatch; finish_test() turns it into
 * a failure, or into "incomplete" for a known failure. */
static gboolean case_failed;

static void
case_fail(void)
{
    case_failed = TRUE;
}

static void
finish_test(const char *known_reason)
{
    if (case_failed && known_reason)
        g_test_incomplete(known_reason);
    else if (case_failed)
        g_test_fail();
    else if (known_reason)
        g_test_fail_printf("listed as a known failure but passes now: remove it from known_failures[]");
    case_failed = FALSE;
}

/* ---- small accessors ------------------------------------------------- */

static void
json_put(gpointer o)
{
    json_object_put(o);
}

static const char *
jstr(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static json_object *
jget(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

static gboolean
jflag(json_object *o, const char *flag)
{
    json_object *flags = jget(o, "flags");
    for (gsize i = 0; flags && i < json_object_array_length(flags); i++)
        if (g_str_equal(json_object_get_string(json_object_array_get_idx(flags, i)), flag))
            return TRUE;
    return FALSE;
}

static VmcCatalog *
cat(void)
{
    return vmc_test_cpu_map_catalog();
}

static char *
data_path(const char *file)
{
    return vmc_test_shared_path("data", "libvirt", "data", file, NULL);
}

static const char *
fname(VmcCatalog *c, guint id)
{
    return vmc_feature_get_name(vmc_catalog_feature(c, VMC_ARCH_X86_64, id));
}

/* Every <cpu> of a corpus file. */
static GPtrArray *
load_cpus(const char *file, GError **error)
{
    g_autofree char *path = data_path(file);
    g_autofree char *text = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &text, &len, error))
        return NULL;
    return vmc_cpu_def_parse_xml(cat(), VMC_ARCH_X86_64, text, (gssize) len, path, error);
}

/* The first <cpu> of a corpus file. */
static VmcCpuDef *
load_cpu(const char *file, GError **error)
{
    g_autoptr(GPtrArray) defs = load_cpus(file, error);
    if (!defs)
        return NULL;
    return vmc_cpu_def_ref(g_ptr_array_index(defs, 0));
}

static VmcCpuidData *
load_cpuid(const char *file, GError **error)
{
    g_autofree char *path = data_path(file);
    g_autofree char *text = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &text, &len, error))
        return NULL;
    return vmc_cpuid_data_parse_xml(text, (gssize) len, path, error);
}

/* ---- comparison by meaning ------------------------------------------- */

static const char *
str0(const char *s)
{
    return s ? s : "(none)";
}

/* {feature: policy} of @def; host CPUs have no policies (all present). */
static void
feature_map(const VmcCpuDef *def, int policies[VMC_FEATURE_SET_BITS])
{
    for (guint i = 0; i < VMC_FEATURE_SET_BITS; i++)
        policies[i] = -1;
    for (guint i = 0; i < def->features->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(def->features, VmcCpuFeature, i);
        policies[cf->id] = def->type == VMC_CPU_TYPE_HOST ? VMC_FEATURE_POLICY_REQUIRE
                                                          : (int) cf->policy;
    }
}

/* Does @got mean what @exp means? Differences go to @why, one a line. */
static gboolean
cpu_same(const VmcCpuDef *exp, const VmcCpuDef *got, GString *why)
{
    g_autofree int *pe = g_new(int, VMC_FEATURE_SET_BITS);
    g_autofree int *pg = g_new(int, VMC_FEATURE_SET_BITS);
    gsize start = why->len;

    if (exp->type != got->type)
        g_string_append_printf(why, "  type: expected %s, got %s\n",
                               vmc_cpu_type_to_string(exp->type),
                               vmc_cpu_type_to_string(got->type));
    if (exp->type == VMC_CPU_TYPE_GUEST) {
        if (exp->mode != got->mode)
            g_string_append_printf(why, "  mode: expected %s, got %s\n",
                                   vmc_cpu_mode_to_string(exp->mode),
                                   vmc_cpu_mode_to_string(got->mode));
        if (exp->match != got->match)
            g_string_append_printf(why, "  match: expected %s, got %s\n",
                                   vmc_cpu_match_to_string(exp->match),
                                   vmc_cpu_match_to_string(got->match));
        if (exp->model && exp->fallback != got->fallback)
            g_string_append_printf(why, "  fallback: expected %s, got %s\n",
                                   vmc_cpu_fallback_to_string(exp->fallback),
                                   vmc_cpu_fallback_to_string(got->fallback));
    }
    if (g_strcmp0(exp->model, got->model) != 0)
        g_string_append_printf(why, "  model: expected %s, got %s\n",
                               str0(exp->model), str0(got->model));
    if (g_strcmp0(exp->vendor, got->vendor) != 0)
        g_string_append_printf(why, "  vendor: expected %s, got %s\n",
                               str0(exp->vendor), str0(got->vendor));
    if (exp->has_signature &&
        (!got->has_signature || exp->sig_family != got->sig_family ||
         exp->sig_model != got->sig_model || exp->sig_stepping != got->sig_stepping))
        g_string_append_printf(why, "  signature: expected %u/%u/%u, got %s%u/%u/%u\n",
                               exp->sig_family, exp->sig_model, exp->sig_stepping,
                               got->has_signature ? "" : "none ",
                               got->sig_family, got->sig_model, got->sig_stepping);
    feature_map(exp, pe);
    feature_map(got, pg);
    for (guint i = 0; i < VMC_FEATURE_SET_BITS; i++) {
        if (pe[i] == pg[i])
            continue;
        g_string_append_printf(why, "  feature %s: expected %s, got %s\n",
                               fname(exp->cat, i),
                               pe[i] < 0 ? "(not listed)" : vmc_feature_policy_to_string(pe[i]),
                               pg[i] < 0 ? "(not listed)" : vmc_feature_policy_to_string(pg[i]));
    }
    return why->len == start;
}

/* Compare @got with the CPU of @expected_file; report a mismatch. */
static void
check_cpu(const char *expected_file, const VmcCpuDef *got)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) exp = load_cpu(expected_file, &error);
    g_autoptr(GString) why = g_string_new(NULL);

    if (!exp) {
        g_test_message("cannot read expected %s: %s", expected_file, error->message);
        case_fail();
        return;
    }
    if (!cpu_same(exp, got, why)) {
        g_autofree char *xml = vmc_cpu_def_format_xml(got, 0);
        g_test_message("result differs from %s:\n%sgot:\n%s", expected_file, why->str, xml);
        case_fail();
    }
}

/* An error was expected: @error is it, or the step succeeded wrongly. */
static void
check_error(const char *what, const GError *error)
{
    if (!error) {
        g_test_message("%s succeeded but libvirt reports an error", what);
        case_fail();
        return;
    }
    g_test_message("expected error: %s", error->message);
}

static void
fail_error(const char *what, const GError *error)
{
    g_test_message("%s failed: %s", what, error ? error->message : "(no error set)");
    case_fail();
}

static const char *
result_name(VmcCompareResult r)
{
    return vmc_compare_result_to_string(r);
}

/* Every input compared with @baseline is identical or superset, and
 * @baseline's features are a subset of each input's. */
static void
check_baseline_inputs(VmcCpuDef *const *cpus, gsize n, const VmcCpuDef *baseline)
{
    VmcFeatureSet fb;
    g_autoptr(GError) error = NULL;

    if (!vmc_cpu_effective_features(baseline, &fb, &error)) {
        fail_error("effective features of the baseline", error);
        return;
    }
    for (gsize i = 0; i < n; i++) {
        VmcCompareResult r;
        g_autoptr(GPtrArray) resp = NULL;
        VmcFeatureSet fi;
        VmcFeatureSet extra;

        if (!vmc_cpu_compare(cpus[i], baseline, &r, &resp, &error)) {
            fail_error("compare(input, baseline)", error);
            return;
        }
        if (r != VMC_COMPARE_IDENTICAL && r != VMC_COMPARE_SUPERSET) {
            g_ptr_array_add(resp, NULL);
            g_autofree char *names = g_strjoinv(", ", (char **) resp->pdata);
            g_test_message("input CPU %zu compared with the baseline is %s (%s)",
                           i + 1, result_name(r), names);
            case_fail();
        }
        if (!vmc_cpu_effective_features(cpus[i], &fi, &error)) {
            fail_error("effective features of an input", error);
            return;
        }
        vmc_feature_set_andnot(&extra, &fb, &fi);
        VMC_FEATURE_SET_FOREACH(&extra, f) {
            g_test_message("baseline feature %s is missing from input CPU %zu",
                           fname(cpus[i]->cat, (guint) f), i + 1);
            case_fail();
        }
    }
}

/* ---- one runner per kind --------------------------------------------- */

static void
run_compare(json_object *c)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) host = load_cpu(jstr(c, "host"), &error);
    g_autoptr(VmcCpuDef) cpu = NULL;
    g_autoptr(GPtrArray) resp = NULL;
    const char *expected = jstr(c, "expected");
    VmcCompareResult r;

    if (!host) {
        fail_error("reading the host", error);
        return;
    }
    if (!(cpu = load_cpu(jstr(c, "cpu"), &error)) ||
        !vmc_cpu_compare(host, cpu, &r, &resp, &error)) {
        if (g_str_equal(expected, "error"))
            check_error("compare", error);
        else
            fail_error("compare", error);
        return;
    }
    if (!g_str_equal(expected, result_name(r))) {
        g_ptr_array_add(resp, NULL);
        g_autofree char *names = g_strjoinv(", ", (char **) resp->pdata);
        g_test_message("compare: expected %s, got %s (responsible: %s)", expected,
                       result_name(r), names);
        case_fail();
    }
}

static void
run_update(json_object *c)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) host = load_cpu(jstr(c, "host"), &error);
    g_autoptr(VmcCpuDef) cpu = host ? load_cpu(jstr(c, "cpu"), &error) : NULL;
    g_autoptr(VmcCpuDef) updated = NULL;
    VmcUpdateFlags flags = jflag(c, "host_copy_migratable") ? VMC_UPDATE_HOST_MIGRATABLE : 0;

    if (!cpu) {
        fail_error("reading the CPUs", error);
        return;
    }
    if (!(updated = vmc_cpu_update(cpu, host, flags, &error))) {
        fail_error("update", error);
        return;
    }
    check_cpu(jstr(c, "expected"), updated);
}

static void
run_guestcpu(json_object *c)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) host = load_cpu(jstr(c, "host"), &error);
    g_autoptr(VmcCpuDef) cpu = host ? load_cpu(jstr(c, "cpu"), &error) : NULL;
    g_autoptr(VmcCpuDef) updated = NULL;
    g_autoptr(VmcCpuDef) result = NULL;
    g_autoptr(GPtrArray) models = NULL;
    json_object *jm = jget(c, "models");
    gboolean want_error = g_str_equal(jstr(c, "expected_kind"), "error");
    VmcCompareResult r;

    if (!cpu) {
        fail_error("reading the CPUs", error);
        return;
    }
    if (jm && json_object_is_type(jm, json_type_array)) {
        models = g_ptr_array_new();
        for (gsize i = 0; i < json_object_array_length(jm); i++) {
            json_object *m = json_object_array_get_idx(jm, i);
            g_ptr_array_add(models, (gpointer) json_object_get_string(m));
        }
        g_ptr_array_add(models, NULL);
    }
    /* cpuTestGuestCPU: compare, update against the full host, translate. */
    if (!vmc_cpu_compare(host, cpu, &r, NULL, &error)) {
        if (want_error)
            check_error("compare", error);
        else
            fail_error("compare", error);
        return;
    }
    if (r == VMC_COMPARE_INCOMPATIBLE) {
        if (!want_error) {
            g_test_message("compare(host, cpu) is incompatible");
            case_fail();
        }
        return;
    }
    if (!(updated = vmc_cpu_update(cpu, host, 0, &error)) ||
        !(result = vmc_cpu_translate(updated, models ? (const char *const *) models->pdata : NULL,
                                     &error))) {
        if (want_error)
            check_error("update + translate", error);
        else
            fail_error("update + translate", error);
        return;
    }
    if (want_error) {
        g_autofree char *xml = vmc_cpu_def_format_xml(result, 0);
        g_test_message("guest CPU succeeded but libvirt reports an error; got:\n%s", xml);
        case_fail();
        return;
    }
    check_cpu(jstr(c, "expected"), result);
}

static void
run_baseline(json_object *c)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) cpus = NULL;
    g_autoptr(VmcCpuDef) result = NULL;
    json_object *jc = jget(c, "cpu");
    VmcBaselineFlags flags = 0;

    if (json_object_is_type(jc, json_type_array)) {
        cpus = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);
        for (gsize i = 0; i < json_object_array_length(jc); i++) {
            VmcCpuDef *d = load_cpu(json_object_get_string(json_object_array_get_idx(jc, i)),
                                    &error);
            if (!d) {
                fail_error("reading the CPUs", error);
                return;
            }
            g_ptr_array_add(cpus, d);
        }
    } else if (!(cpus = load_cpus(json_object_get_string(jc), &error))) {
        fail_error("reading the CPUs", error);
        return;
    }
    if (jflag(c, "VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES"))
        flags |= VMC_BASELINE_EXPAND_FEATURES;
    if (jflag(c, "VIR_CONNECT_BASELINE_CPU_MIGRATABLE"))
        flags |= VMC_BASELINE_MIGRATABLE;
    result = vmc_cpu_baseline((VmcCpuDef *const *) cpus->pdata, cpus->len, NULL, flags, &error);
    if (g_str_equal(jstr(c, "expected_kind"), "error")) {
        check_error("baseline", error);
        return;
    }
    if (!result) {
        fail_error("baseline", error);
        return;
    }
    check_cpu(jstr(c, "expected"), result);
    check_baseline_inputs((VmcCpuDef *const *) cpus->pdata, cpus->len, result);
}

/* The query-cpu-definitions reply among the blank-line separated QMP
 * replies of @file: each row's name and unavailable-features. */
static GArray *
load_hv_models(const char *file, GPtrArray *keep, GError **error)
{
    g_autofree char *path = data_path(file);
    g_autofree char *text = NULL;
    gsize len = 0;
    gsize off = 0;
    g_autoptr(GArray) models = g_array_new(FALSE, TRUE, sizeof(VmcX86HvModel));

    if (!g_file_get_contents(path, &text, &len, error))
        return NULL;
    while (off < len) {
        json_tokener *tok;
        json_object *o;
        json_object *ret;

        while (off < len && g_ascii_isspace(text[off]))
            off++;
        if (off >= len)
            break;
        tok = json_tokener_new();
        o = json_tokener_parse_ex(tok, text + off, (int) (len - off));
        if (!o) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: byte %zu: invalid JSON",
                        path, off);
            json_tokener_free(tok);
            return NULL;
        }
        off += json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        g_ptr_array_add(keep, o);
        ret = jget(o, "return");
        if (!ret || !json_object_is_type(ret, json_type_array))
            continue;
        for (gsize i = 0; i < json_object_array_length(ret); i++) {
            json_object *row = json_object_array_get_idx(ret, i);
            json_object *blk = jget(row, "unavailable-features");
            VmcX86HvModel m = { .name = jstr(row, "name") };
            for (gsize k = 0; blk && k < json_object_array_length(blk); k++) {
                const char *b = json_object_get_string(json_object_array_get_idx(blk, k));
                const VmcFeature *f = b ? vmc_catalog_feature_lookup(cat(), VMC_ARCH_X86_64, b)
                                        : NULL;
                /* libvirt ignores blockers its cpu_map does not know. */
                if (f)
                    vmc_feature_set_add(&m.blockers, vmc_feature_get_id(f));
            }
            g_array_append_val(models, m);
        }
    }
    return g_steal_pointer(&models);
}

static void
run_cpuid_decode(json_object *c, VmcCpuType type)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuidData) data = load_cpuid(jstr(c, "cpu"), &error);
    g_autoptr(VmcCpuDef) def = NULL;
    const char *models_from = jstr(c, "models_from");

    if (!data) {
        fail_error("reading the CPUID dump", error);
        return;
    }
    if (type == VMC_CPU_TYPE_GUEST && models_from) {
        /* MODELS modes: the allowed models and their blockers come from
         * QEMU's query-cpu-definitions; only the private decoder takes
         * blockers. */
        g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(json_put);
        g_autoptr(GArray) hv = load_hv_models(models_from, keep, &error);
        g_autofree char *vstr = NULL;
        VmcFeatureSet set;
        guint32 sig = 0;
        VmcX86DecodeArgs args = { 0 };

        if (!hv) {
            fail_error("reading the QEMU replies", error);
            return;
        }
        vmc_cpuid_data_features(data, cat(), &set);
        vstr = vmc_cpuid_data_vendor(data);
        args.features = &set;
        args.vendor = vstr ? vmc_catalog_vendor_name(cat(), VMC_ARCH_X86_64, vstr) : NULL;
        args.has_sig = vmc_cpuid_data_signature(data, &sig, &args.family, &args.model,
                                                &args.stepping);
        args.type = VMC_CPU_TYPE_GUEST;
        args.models = (const VmcX86HvModel *) hv->data;
        args.n_models = hv->len;
        args.fallback = VMC_CPU_FALLBACK_FORBID;
        def = vmc__x86_decode(cat(), &args, &error);
    } else {
        def = vmc_cpu_decode(cat(), data, type, NULL, NULL, &error);
    }
    if (!def) {
        fail_error("decode", error);
        return;
    }
    check_cpu(jstr(c, "expected"), def);
}

static void
run_cpuid_signature(json_object *c)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuidData) data = load_cpuid(jstr(c, "cpu"), &error);
    g_autofree char *sig_path = data_path(jstr(c, "expected"));
    g_autofree char *expected = NULL;
    g_autofree char *got = NULL;
    guint32 sig = 0;
    guint fam = 0, mod = 0, step = 0;

    if (!data) {
        fail_error("reading the CPUID dump", error);
        return;
    }
    if (!vmc_cpuid_data_signature(data, &sig, &fam, &mod, &step)) {
        g_test_message("the dump has no CPUID leaf 1");
        case_fail();
        return;
    }
    /* libvirt's .sig format (cputest.c cpuTestCompareSignature). */
    got = g_strdup_printf("%06lx\nfamily:   %3u (0x%02x)\nmodel:    %3u (0x%02x)\n"
                          "stepping: %3u (0x%02x)\n",
                          (unsigned long) sig, fam, fam, mod, mod, step, step);
    if (!g_file_get_contents(sig_path, &expected, NULL, &error)) {
        fail_error("reading the .sig file", error);
        return;
    }
    if (!g_str_equal(expected, got)) {
        g_test_message("signature: expected\n%sgot\n%s", expected, got);
        case_fail();
    }
}

static void
run_case(gconstpointer p)
{
    const LvCase *lc = p;
    json_object *c = lc->obj;
    const char *kind = jstr(c, "kind");
    const char *label = jstr(c, "libvirt_label");

    const char *known = NULL;

    for (guint i = 0; known_failures[i].label; i++)
        if (label && g_str_equal(label, known_failures[i].label))
            known = known_failures[i].reason;
    g_test_message("%s", label ? label : kind);
    if (g_str_equal(kind, "compare"))
        run_compare(c);
    else if (g_str_equal(kind, "update"))
        run_update(c);
    else if (g_str_equal(kind, "guestcpu"))
        run_guestcpu(c);
    else if (g_str_equal(kind, "baseline") || g_str_equal(kind, "cpuid_baseline"))
        run_baseline(c);
    else if (g_str_equal(kind, "cpuid_host"))
        run_cpuid_decode(c, VMC_CPU_TYPE_HOST);
    else if (g_str_equal(kind, "cpuid_guest"))
        run_cpuid_decode(c, VMC_CPU_TYPE_GUEST);
    else if (g_str_equal(kind, "cpuid_signature"))
        run_cpuid_signature(c);
    else
        g_assert_not_reached();
    finish_test(known);
}

/* ---- property checks ------------------------------------------------- */

/* Every CPU of the corpus (host, guest, -json files; decoded CPUID hosts)
 * compared with itself is identical. */
static void
compare_self(void)
{
    g_autofree char *dir = vmc_test_shared_path("data", "libvirt", "data", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &error);
    const char *name;
    guint n = 0;

    if (!d) {
        fail_error("listing the corpus", error);
        return;
    }
    while ((name = g_dir_read_name(d))) {
        g_autoptr(GPtrArray) defs = NULL;
        g_autoptr(VmcCpuDef) decoded = NULL;

        if (!g_str_has_prefix(name, "x86_64-") || !g_str_has_suffix(name, ".xml"))
            continue;
        if (g_str_has_prefix(name, "x86_64-cpuid-") && !strstr(name, "-json") &&
            !strstr(name, "-host") && !strstr(name, "-guest") &&
            !strstr(name, "-enabled") && !strstr(name, "-disabled") &&
            !strstr(name, "baseline")) {
            g_autoptr(VmcCpuidData) data = load_cpuid(name, &error);
            if (!data || !(decoded = vmc_cpu_decode(cat(), data, VMC_CPU_TYPE_HOST, NULL,
                                                    NULL, &error))) {
                fail_error(name, error);
                g_clear_error(&error);
                continue;
            }
            defs = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);
            g_ptr_array_add(defs, g_steal_pointer(&decoded));
        } else if (g_str_has_prefix(name, "x86_64-cpuid-") &&
                   (strstr(name, "-enabled") || strstr(name, "-disabled"))) {
            continue;   /* CPUID data, not CPUs */
        } else if (!(defs = load_cpus(name, &error))) {
            /* Files libvirt itself rejects or that use a foreign arch. */
            g_test_message("skipping %s: %s", name, error->message);
            g_clear_error(&error);
            continue;
        }
        for (guint i = 0; i < defs->len; i++) {
            VmcCpuDef *def = g_ptr_array_index(defs, i);
            VmcCompareResult r;

            /* libvirt compares nothing with a host CPU that has no model. */
            if (!def->model)
                continue;
            if (!vmc_cpu_compare(def, def, &r, NULL, &error)) {
                fail_error(name, error);
                g_clear_error(&error);
                continue;
            }
            n++;
            if (r != VMC_COMPARE_IDENTICAL) {
                g_test_message("%s cpu %u: compare(x, x) is %s", name, i + 1, result_name(r));
                case_fail();
            }
        }
    }
    g_test_message("%u CPUs compared with themselves", n);
    g_assert_cmpuint(n, >, 100);
}

static void
test_compare_self(void)
{
    compare_self();
    finish_test(NULL);
}

/* The N-way baseline of all QEMU-derived guest CPUs (-json.xml) of one
 * vendor is contained in each of them. */
static void
baseline_nway(const char *vendor)
{
    g_autofree char *dir = vmc_test_shared_path("data", "libvirt", "data", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &error);
    g_autoptr(GPtrArray) cpus = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);
    g_autoptr(VmcCpuDef) result = NULL;
    const char *name;

    if (!d) {
        fail_error("listing the corpus", error);
        return;
    }
    while ((name = g_dir_read_name(d))) {
        VmcCpuDef *def;
        if (!g_str_has_prefix(name, "x86_64-cpuid-") || !g_str_has_suffix(name, "-json.xml"))
            continue;
        if (!(def = load_cpu(name, &error))) {
            fail_error(name, error);
            return;
        }
        if (g_strcmp0(def->vendor, vendor) == 0)
            g_ptr_array_add(cpus, def);
        else
            vmc_cpu_def_unref(def);
    }
    g_assert_cmpuint(cpus->len, >=, 2);
    if (!(result = vmc_cpu_baseline((VmcCpuDef *const *) cpus->pdata, cpus->len, NULL, 0,
                                    &error))) {
        fail_error("baseline", error);
        return;
    }
    g_test_message("baseline of %u %s CPUs: %s", cpus->len, vendor, result->model);
    check_baseline_inputs((VmcCpuDef *const *) cpus->pdata, cpus->len, result);
}

static void
test_baseline_nway(gconstpointer p)
{
    baseline_nway(p);
    finish_test(NULL);
}

/* ---- the public behaviour beyond the corpus ---------------------------- */

/* A CPU built through the API: @spec is "+feat" (require), "-feat"
 * (disable), separated by spaces. */
static VmcCpuDef *
api_cpu(VmcCpuType type, const char *model, const char *spec)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) def = vmc_cpu_def_new(cat(), VMC_ARCH_X86_64, type);
    g_auto(GStrv) items = g_strsplit(spec ? spec : "", " ", -1);

    g_assert_true(vmc_cpu_def_set_model(def, model, &error));
    for (char **it = items; *it; it++) {
        const VmcFeature *f;
        if (!**it)
            continue;
        f = vmc_catalog_feature_lookup(cat(), VMC_ARCH_X86_64, *it + 1);
        g_assert_nonnull(f);
        vmc_cpu_def_set_feature(def, vmc_feature_get_id(f),
                                **it == '+' ? VMC_FEATURE_POLICY_REQUIRE
                                            : VMC_FEATURE_POLICY_DISABLE);
    }
    return g_steal_pointer(&def);
}

/* compare(a, b) gives @expected with @responsible ("a, b" in catalog order). */
static void
check_compare(const VmcCpuDef *a, const VmcCpuDef *b, VmcCompareResult expected,
              const char *responsible)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) resp = NULL;
    g_autofree char *names = NULL;
    VmcCompareResult r;

    if (!vmc_cpu_compare(a, b, &r, &resp, &error)) {
        fail_error("compare", error);
        return;
    }
    g_ptr_array_add(resp, NULL);
    names = g_strjoinv(", ", (char **) resp->pdata);
    if (r != expected || !g_str_equal(names, responsible)) {
        g_test_message("compare: expected %s (%s), got %s (%s)", result_name(expected),
                       responsible, result_name(r), names);
        case_fail();
    }
}

/* Non-XML CPUs compare like QEMU: the relation of the effective feature
 * sets, with the differing features responsible. */
static void
test_compare_qemu(void)
{
    g_autoptr(VmcCpuDef) a = api_cpu(VMC_CPU_TYPE_GUEST, "Haswell", NULL);
    g_autoptr(VmcCpuDef) same = api_cpu(VMC_CPU_TYPE_GUEST, "Haswell-noTSX", "+hle +rtm");
    g_autoptr(VmcCpuDef) less = api_cpu(VMC_CPU_TYPE_GUEST, "Haswell", "-avx2");
    g_autoptr(VmcCpuDef) other = api_cpu(VMC_CPU_TYPE_GUEST, "Haswell", "-avx2 +avx512f");
    g_autoptr(VmcCpuDef) host = api_cpu(VMC_CPU_TYPE_HOST, "Haswell", NULL);
    g_autoptr(VmcCpuDef) wants = api_cpu(VMC_CPU_TYPE_GUEST, "Haswell", "+avx512f");
    const VmcFeature *f = vmc_catalog_feature_lookup(cat(), VMC_ARCH_X86_64, "avx512f");

    check_compare(a, same, VMC_COMPARE_IDENTICAL, "");
    check_compare(a, less, VMC_COMPARE_SUPERSET, "avx2");
    check_compare(less, a, VMC_COMPARE_SUBSET, "avx2");
    check_compare(a, other, VMC_COMPARE_INCOMPATIBLE, "avx2, avx512f");
    check_compare(host, wants, VMC_COMPARE_SUBSET, "avx512f");
    /* Seed 000: a host CPU still has what its host-model disables as
     * deprecated. */
    vmc_feature_set_add(&host->host_deprecated_disabled, vmc_feature_get_id(f));
    check_compare(host, wants, VMC_COMPARE_IDENTICAL, "");
    /* The same CPUs read from libvirt XML follow libvirt's rules: a host
     * feature the guest disables counts as covered, and libvirt knows no
     * subset. */
    less->origin = VMC_CPU_ORIGIN_LIBVIRT_XML;
    check_compare(less, a, VMC_COMPARE_INCOMPATIBLE, "avx2");
    check_compare(a, less, VMC_COMPARE_IDENTICAL, "");
    finish_test(NULL);
}

/* QEMU-style expansion: every feature on or off; static over "base". */
static void
test_expand(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) def = api_cpu(VMC_CPU_TYPE_GUEST, "Skylake-Client", "-hle +avx512f");
    guint n = vmc_catalog_feature_count(cat(), VMC_ARCH_X86_64);
    VmcFeatureSet eff, dep;
    g_autoptr(GPtrArray) deprecated = NULL;

    g_assert_true(vmc_cpu_effective_features(def, &eff, &error));
    for (VmcExpansionType t = 0; t < VMC_EXPANSION_N; t++) {
        g_autoptr(VmcCpuDef) x = vmc_cpu_expand(def, t, &deprecated, &error);
        VmcFeatureSet got;

        g_assert_nonnull(x);
        g_assert_cmpstr(vmc_cpu_def_get_model(x), ==,
                        t == VMC_EXPANSION_STATIC ? "base" : "Skylake-Client");
        g_assert_cmpuint(vmc_cpu_def_get_feature_count(x), ==, n);
        g_assert_true(vmc_cpu_effective_features(x, &got, &error));
        g_assert_true(vmc_feature_set_equal(&got, &eff));
        /* deprecated-props: the enabled deprecated features. */
        vmc_feature_set_and(&dep, &eff, vmc_catalog_deprecated_features(cat(), VMC_ARCH_X86_64));
        g_assert_cmpuint(deprecated->len, ==, vmc_feature_set_count(&dep));
        g_clear_pointer(&deprecated, g_ptr_array_unref);
    }
}

/* The public decode over a feature set: exact model features decode to
 * that model with nothing listed; an allowed-model list restricts it. */
static void
test_decode_features(void)
{
    g_autoptr(GError) error = NULL;
    const VmcCpuModel *m = vmc_catalog_model_lookup(cat(), VMC_ARCH_X86_64, "Haswell-noTSX");
    const char *const allowed[] = { "SandyBridge", NULL };
    g_autoptr(VmcCpuDef) host = NULL;
    g_autoptr(VmcCpuDef) guest = NULL;
    VmcFeatureSet extra;

    host = vmc_cpu_decode_features(cat(), VMC_ARCH_X86_64, vmc_cpu_model_get_features(m),
                                   "Intel", FALSE, 0, 0, 0, VMC_CPU_TYPE_HOST, NULL, NULL,
                                   &error);
    g_assert_nonnull(host);
    g_assert_cmpstr(vmc_cpu_def_get_model(host), ==, "Haswell-noTSX");
    g_assert_cmpuint(vmc_cpu_def_get_feature_count(host), ==, 0);

    guest = vmc_cpu_decode_features(cat(), VMC_ARCH_X86_64, vmc_cpu_model_get_features(m),
                                    "Intel", FALSE, 0, 0, 0, VMC_CPU_TYPE_GUEST, allowed,
                                    NULL, &error);
    g_assert_nonnull(guest);
    g_assert_cmpstr(vmc_cpu_def_get_model(guest), ==, "SandyBridge");
    g_assert_cmpint(vmc_cpu_def_get_fallback(guest), ==, VMC_CPU_FALLBACK_FORBID);
    /* Every Haswell-noTSX feature beyond SandyBridge is required. */
    vmc_feature_set_andnot(&extra, vmc_cpu_model_get_features(m),
                           vmc_cpu_model_get_features(vmc_catalog_model_lookup(
                               cat(), VMC_ARCH_X86_64, "SandyBridge")));
    VMC_FEATURE_SET_FOREACH(&extra, i)
        g_assert_cmpint(vmc_cpu_def_get_policy(guest, (guint) i), ==, VMC_FEATURE_POLICY_REQUIRE);
}

/* ---- registration ---------------------------------------------------- */

static const char *const kinds[] = {
    "compare", "update", "guestcpu", "baseline",
    "cpuid_host", "cpuid_guest", "cpuid_signature", "cpuid_baseline", NULL,
};

/* A GTest path for a case: /libvirt/<kind>/<index> <label tail>. */
static char *
case_path(json_object *c)
{
    const char *label = jstr(c, "libvirt_label");
    const char *tail = label ? strstr(label, "): ") : NULL;
    g_autofree char *name = g_strdup(tail ? tail + 3 : (label ? label : ""));

    g_strdelimit(name, "/", ':');
    return g_strdup_printf("/libvirt/%s/%03d %s", jstr(c, "kind"),
                           json_object_get_int(jget(c, "index")), name);
}

int
main(int argc, char **argv)
{
    g_autofree char *cases_path = NULL;
    json_object *root;
    json_object *cases;
    static const char *const vendors[] = { "Intel", "AMD" };

    /* Run every case even after a failure: the report is the point. */
    g_autofree char **args = g_new0(char *, argc + 2);
    int n_args = argc + 1;

    memcpy(args, argv, sizeof(char *) * argc);
    args[argc] = (char *) "--keep-going";
    argv = args;
    g_test_init(&n_args, &argv, NULL);
    if (!vmc_test_shared_dir()) {
        g_test_skip("VMC_SHARED_DATA is not set: no libvirt corpus");
        return g_test_run();
    }
    cases_path = vmc_test_shared_path("data", "libvirt", "cases.json", NULL);
    root = json_object_from_file(cases_path);
    if (!root || !(cases = jget(root, "cases"))) {
        g_printerr("cannot read %s\n", cases_path);
        return 1;
    }
    for (gsize i = 0; i < json_object_array_length(cases); i++) {
        json_object *c = json_object_array_get_idx(cases, i);
        const char *kind = jstr(c, "kind");
        g_autofree char *path = NULL;
        LvCase *lc;

        if (g_strcmp0(jstr(c, "arch"), "x86_64") != 0 ||
            !g_strv_contains((const char *const *) kinds, kind))
            continue;
        lc = g_new0(LvCase, 1);
        lc->obj = json_object_get(c);
        path = case_path(c);
        g_test_add_data_func_full(path, lc, run_case, lv_case_free);
    }
    g_test_add_func("/libvirt/property/compare-self", test_compare_self);
    g_test_add_func("/x86/api/compare-qemu", test_compare_qemu);
    g_test_add_func("/x86/api/expand", test_expand);
    g_test_add_func("/x86/api/decode-features", test_decode_features);
    for (guint i = 0; i < G_N_ELEMENTS(vendors); i++) {
        g_autofree char *path = g_strdup_printf("/libvirt/property/baseline-nway/%s", vendors[i]);
        g_test_add_data_func(path, vendors[i], test_baseline_nway);
    }
    json_object_put(root);
    return g_test_run();
}
