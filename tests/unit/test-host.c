/* test-host.c: hosts — the host document, its readers and the host-model.
 *
 * 1. Every libvirt 10.7 CPUID dump (shared/data/libvirt/data/
 *    x86_64-cpuid-<H>.xml, 61 of them) read as a HOST with libvirt's
 *    cpu_map gives libvirt's expected host CPU (x86_64-cpuid-<H>-host.xml:
 *    model, vendor, signature, features — by meaning), and its host-model
 *    is consistent: its features are the host's, the host compares
 *    identical or superset with it, every deprecated feature of the host
 *    is disabled in it and listed.
 * 2. Seed 000 on s390x: z14 hardware with csske (tests/data/hosts/
 *    s390x-z14-csske.json): the host-model disables csske (and the other
 *    deprecated features z14 has), yet the host is identical/superset to
 *    "z14", never incompatible.
 * 3. QEMU 7.2's QMP captures (x86_64-kvm, x86_64-tcg) read as hosts: for
 *    every model of their query-cpu-definitions that the built-in catalog
 *    knows, vmc_cpu_models_accel() with the capture's accelerator gives
 *    QEMU's unavailable features exactly, except for the per-feature
 *    known_exceptions[], each with its reason (KVM's TOPOEXT; TCG has
 *    none). A libvirt domcapabilities fixture (trimmed from libvirt's own
 *    test data: its <blockers> are compared the same way, under KVM) and a
 *    virsh capabilities fixture read as hosts.
 * 4. Empty, truncated and foreign inputs are VMC_ERROR_PARSE/IO errors
 *    that name the file and line/field; save/load round trips are
 *    identical; saving is atomic (no half-written target, no temp file
 *    left behind on failure).
 */
#include "harness.h"
#include "base/util.h"

#include <errno.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "host/host-private.h"

/* ---- helpers ------------------------------------------------------------ */

static char *
hosts_path(const char *name)
{
    return vmc_test_source_path("tests", "data", "hosts", name, NULL);
}

static char *
feature_names(const VmcCatalog *cat, VmcArch arch, const VmcFeatureSet *set)
{
    g_autoptr(GString) s = g_string_new(NULL);
    VMC_FEATURE_SET_FOREACH(set, i) {
        const VmcFeature *f = vmc_catalog_feature(cat, arch, (guint) i);
        g_string_append_printf(s, "%s%s", s->len ? "," : "", vmc_feature_get_name(f));
    }
    return g_strdup(s->len ? s->str : "(none)");
}

static const char *
str0(const char *s)
{
    return s ? s : "(none)";
}

/* Does @got mean the host CPU @exp means? Differences go to @why. */
static gboolean
same_host_cpu(const VmcCpuDef *exp, const VmcCpuDef *got, GString *why)
{
    g_autoptr(GError) error = NULL;
    VmcFeatureSet fe, fg, only;
    gsize start = why->len;

    if (vmc_cpu_def_get_type(got) != VMC_CPU_TYPE_HOST)
        g_string_append(why, "  type: not a host CPU\n");
    if (exp->model_ref != got->model_ref)
        g_string_append_printf(why, "  model: expected %s, got %s\n",
                               str0(exp->model), str0(got->model));
    if (g_strcmp0(exp->vendor, got->vendor) != 0)
        g_string_append_printf(why, "  vendor: expected %s, got %s\n",
                               str0(exp->vendor), str0(got->vendor));
    if (exp->has_signature &&
        (!got->has_signature || exp->sig_family != got->sig_family ||
         exp->sig_model != got->sig_model || exp->sig_stepping != got->sig_stepping))
        g_string_append_printf(why, "  signature: expected %u/%u/%u, got %u/%u/%u\n",
                               exp->sig_family, exp->sig_model, exp->sig_stepping,
                               got->sig_family, got->sig_model, got->sig_stepping);
    if (!vmc_cpu_effective_features(exp, &fe, &error) ||
        !vmc_cpu_effective_features(got, &fg, &error)) {
        g_string_append_printf(why, "  features: %s\n", error->message);
        return FALSE;
    }
    vmc_feature_set_andnot(&only, &fe, &fg);
    if (!vmc_feature_set_is_empty(&only)) {
        g_autofree char *n = feature_names(exp->cat, exp->arch, &only);
        g_string_append_printf(why, "  features missing: %s\n", n);
    }
    vmc_feature_set_andnot(&only, &fg, &fe);
    if (!vmc_feature_set_is_empty(&only)) {
        g_autofree char *n = feature_names(exp->cat, exp->arch, &only);
        g_string_append_printf(why, "  features extra: %s\n", n);
    }
    return why->len == start;
}

/* The host-model of @host is consistent with it (seed 000 included). */
static void
check_host_model(const VmcHost *host)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) disabled = NULL;
    g_autoptr(GPtrArray) responsible = NULL;
    g_autoptr(VmcCpuDef) model = vmc_host_model(host, &disabled, &error);
    const VmcCpuDef *cpu = vmc_host_get_cpu(host);
    VmcFeatureSet fm, fh, extra, dep;
    VmcCompareResult r;

    VMC_ASSERT_OK(model != NULL, error);
    g_assert_cmpint(vmc_cpu_def_get_type(model), ==, VMC_CPU_TYPE_GUEST);
    g_assert_cmpint(vmc_cpu_def_get_mode(model), ==, VMC_CPU_MODE_CUSTOM);
    g_assert_cmpint(vmc_cpu_def_get_match(model), ==, VMC_CPU_MATCH_EXACT);
    g_assert_cmpint(vmc_cpu_def_get_fallback(model), ==, VMC_CPU_FALLBACK_FORBID);
    g_assert_cmpstr(vmc_cpu_def_get_model(model), ==, vmc_cpu_def_get_model(cpu));
    VMC_ASSERT_OK(vmc_cpu_effective_features(model, &fm, &error), error);
    VMC_ASSERT_OK(vmc_cpu_effective_features(cpu, &fh, &error), error);
    vmc_feature_set_or(&fh, &fh, &cpu->host_deprecated_disabled);
    /* Its features are the host's ... */
    vmc_feature_set_andnot(&extra, &fm, &fh);
    if (!vmc_feature_set_is_empty(&extra)) {
        g_autofree char *n = feature_names(host->cat, host->arch, &extra);
        g_test_message("%s: host-model has features the host lacks: %s", host->name, n);
        g_test_fail();
    }
    /* ... the host runs it ... */
    VMC_ASSERT_OK(vmc_cpu_compare(cpu, model, &r, &responsible, &error), error);
    if (r != VMC_COMPARE_IDENTICAL && r != VMC_COMPARE_SUPERSET) {
        g_test_message("%s: compare(host, host-model) is %s", host->name,
                       vmc_compare_result_to_string(r));
        g_test_fail();
    }
    /* ... and every deprecated feature the host has is disabled and listed. */
    vmc_feature_set_and(&dep, &fh, vmc_catalog_deprecated_features(host->cat, host->arch));
    g_assert_cmpuint(disabled->len, ==, vmc_feature_set_count(&dep));
    VMC_FEATURE_SET_FOREACH(&dep, i) {
        const VmcFeature *f = vmc_catalog_feature(host->cat, host->arch, (guint) i);
        gboolean listed = FALSE;
        g_assert_cmpint(vmc_cpu_def_get_policy(model, (guint) i), ==, VMC_FEATURE_POLICY_DISABLE);
        g_assert_false(vmc_feature_set_has(&fm, (guint) i));
        for (guint k = 0; k < disabled->len; k++)
            listed |= g_str_equal(g_ptr_array_index(disabled, k), vmc_feature_get_name(f));
        g_assert_true(listed);
    }
}

/* ---- 1. the 61 CPUID dumps as hosts -------------------------------------- */


static void
test_cpuid_dump(gconstpointer p)
{
    const char *base = p;   /* "x86_64-cpuid-Core-i7-8700" */
    VmcCatalog *cat = vmc_test_cpu_map_catalog();
    g_autofree char *dump_name = g_strconcat(base, ".xml", NULL);
    g_autofree char *exp_name = g_strconcat(base, "-host.xml", NULL);
    g_autofree char *dump = vmc_test_shared_path("data", "libvirt", "data", dump_name, NULL);
    g_autofree char *exp_path = vmc_test_shared_path("data", "libvirt", "data", exp_name, NULL);
    g_autofree char *exp_xml = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = vmc_host_load(cat, dump, &error);
    g_autoptr(GPtrArray) exp = NULL;
    g_autoptr(GString) why = g_string_new(NULL);
    gsize len = 0;

    VMC_ASSERT_OK(host != NULL, error);
    g_assert_cmpint(vmc_host_get_source(host), ==, VMC_HOST_SOURCE_CPUID_DUMP);
    g_assert_cmpint(vmc_host_get_arch(host), ==, VMC_ARCH_X86_64);
    g_assert_false(vmc_host_has_kvm(host));
    g_assert_nonnull(host->cpuid);
    g_assert_nonnull(vmc_host_get_cpu(host));
    exp_xml = vmc_test_read(exp_path, &len);
    g_assert_nonnull(exp_xml);
    exp = vmc_cpu_def_parse_xml(cat, VMC_ARCH_X86_64, exp_xml, (gssize) len, exp_path, &error);
    VMC_ASSERT_OK(exp != NULL, error);
    if (!same_host_cpu(g_ptr_array_index(exp, 0), vmc_host_get_cpu(host), why)) {
        g_autofree char *got = vmc_cpu_def_format_xml(vmc_host_get_cpu(host), 0);
        g_test_message("%s: host CPU differs from %s:\n%sgot:\n%s", dump, exp_name,
                       why->str, got);
        g_test_fail();
    }
    check_host_model(host);
}

/* The x86_64-cpuid-<H>.xml dumps (no -host/-guest/-json/-enabled/
 * -disabled/baseline files), sorted, without ".xml" (transfer full). */
static GPtrArray *
list_cpuid_dumps(void)
{
    g_autofree char *dir = vmc_test_shared_path("data", "libvirt", "data", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    static const char *const skip[] = {
        "-host.xml", "-guest.xml", "-json.xml", "-enabled.xml", "-disabled.xml",
    };

    while (d && (n = g_dir_read_name(d))) {
        gboolean keep = g_str_has_prefix(n, "x86_64-cpuid-") &&
                        g_str_has_suffix(n, ".xml") && !strstr(n, "baseline");
        for (guint i = 0; keep && i < G_N_ELEMENTS(skip); i++)
            keep = !g_str_has_suffix(n, skip[i]);
        if (keep)
            g_ptr_array_add(out, g_strndup(n, strlen(n) - 4));
    }
    g_ptr_array_sort(out, vmc_strptr_cmp);
    return out;
}

/* ---- 2. seed 000 on s390x ------------------------------------------------- */

static void
test_s390x_seed000(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autofree char *path = hosts_path("s390x-z14-csske.json");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = vmc_host_load(cat, path, &error);
    g_autoptr(VmcCpuDef) z14 = NULL;
    g_autoptr(VmcCpuDef) z14_off = NULL;
    g_autoptr(VmcCpuDef) model = NULL;
    g_autoptr(GPtrArray) disabled = NULL;
    g_autoptr(GArray) rows = NULL;
    const VmcFeature *csske;
    const VmcCpuDef *cpu;
    VmcCompareResult r;

    VMC_ASSERT_OK(host != NULL, error);
    g_assert_cmpint(vmc_host_get_arch(host), ==, VMC_ARCH_S390X);
    g_assert_cmpint(vmc_host_get_source(host), ==, VMC_HOST_SOURCE_DOCUMENT);
    g_assert_true(vmc_host_has_kvm(host));
    cpu = vmc_host_get_cpu(host);
    g_assert_nonnull(cpu);
    /* Features cannot tell z14 from z14.2 or z14ZR1: the modest claim. */
    g_assert_cmpstr(vmc_cpu_def_get_model(cpu), ==, "z14");
    csske = vmc_catalog_feature_lookup(cat, VMC_ARCH_S390X, "csske");
    g_assert_nonnull(csske);
    g_assert_true(vmc_feature_set_has(&cpu->host_deprecated_disabled, vmc_feature_get_id(csske)));

    model = vmc_host_model(host, &disabled, &error);
    VMC_ASSERT_OK(model != NULL, error);
    g_assert_cmpint(vmc_cpu_def_get_policy(model, vmc_feature_get_id(csske)), ==,
                    VMC_FEATURE_POLICY_DISABLE);
    g_assert_true(g_ptr_array_find_with_equal_func(disabled, "csske", g_str_equal, NULL));
    check_host_model(host);

    /* The hardware still has csske: z14 (csske on) runs here. */
    z14 = vmc_cpu_def_parse_cli(cat, VMC_ARCH_S390X, "z14", &error);
    VMC_ASSERT_OK(z14 != NULL, error);
    VMC_ASSERT_OK(vmc_cpu_compare(cpu, z14, &r, NULL, &error), error);
    g_assert_true(r == VMC_COMPARE_IDENTICAL || r == VMC_COMPARE_SUPERSET);
    z14_off = vmc_cpu_def_parse_cli(cat, VMC_ARCH_S390X, "z14,csske=off", &error);
    VMC_ASSERT_OK(z14_off != NULL, error);
    VMC_ASSERT_OK(vmc_cpu_compare(cpu, z14_off, &r, NULL, &error), error);
    g_assert_cmpint(r, ==, VMC_COMPARE_SUPERSET);
    VMC_ASSERT_OK(vmc_cpu_compare(cpu, model, &r, NULL, &error), error);
    g_assert_cmpint(r, ==, VMC_COMPARE_SUPERSET);

    /* And z14 is usable on it, gen15a is not. */
    rows = vmc_cpu_models(cat, VMC_ARCH_S390X, cpu, &error);
    VMC_ASSERT_OK(rows != NULL, error);
    for (guint i = 0; i < rows->len; i++) {
        VmcModelAvailability *row = &g_array_index(rows, VmcModelAvailability, i);
        if (g_str_equal(row->name, "z14"))
            g_assert_cmpuint(row->unavailable->len, ==, 0);
        if (g_str_equal(row->name, "gen15a"))
            g_assert_cmpuint(row->unavailable->len, >, 0);
    }
}

/* ---- 3. QMP captures and libvirt XML as hosts ---------------------------- */

/* vmc_cpu_models_accel() instantiates models as QEMU does (accelerator
 * defaults, feature dependencies). The differences from QEMU that remain
 * are listed here, per accelerator and feature, each with its reason:
 * features vmcompat lists as unavailable and QEMU does not. Keep it short. */
typedef struct {
    VmcAccel accel;
    const char *feature;
    const char *reason;
} KnownException;

static const KnownException known_exceptions[] = {
    { VMC_ACCEL_KVM, "topoext",
      "QEMU adds TOPOEXT to what KVM supports (kvm_arch_get_supported_cpuid: "
      "\"safe to enable TOPOEXT even if it's not returned by GET_SUPPORTED_CPUID\") "
      "but never auto-enables it in \"host\" (no_autoenable_flags), so a host read "
      "from QEMU's \"host\" expansion lacks a feature that models may still use" },
};

/* The known exceptions of @accel as a set; their reasons go to @why. */
static void
known_exception_set(VmcCatalog *cat, VmcAccel accel, VmcFeatureSet *ret, GString *why)
{
    vmc_feature_set_clear(ret);
    for (guint i = 0; i < G_N_ELEMENTS(known_exceptions); i++) {
        const KnownException *k = &known_exceptions[i];
        const VmcFeature *f;
        if (k->accel != accel)
            continue;
        f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, k->feature);
        g_assert_nonnull(f);
        vmc_feature_set_add(ret, vmc_feature_get_id(f));
        g_string_append_printf(why, "%s%s: %s", why->len ? "; " : "", k->feature, k->reason);
    }
}

typedef struct {
    guint agree, known, mismatches, skipped;
    guint blocked;            /* models QEMU reports unavailable features for */
} Tally;

/* QEMU's unavailable features @q (catalog ids; @other: names that are no
 * catalog feature) against vmcompat's @row for model @name. */
static void
compare_unavailable(VmcCatalog *cat, const char *label, const char *name,
                    const VmcFeatureSet *q, const char *other,
                    const VmcModelAvailability *row, VmcAccel accel, Tally *t)
{
    g_autoptr(GString) why = g_string_new(NULL);
    VmcFeatureSet v, only_q, only_v, known;

    vmc_feature_set_clear(&v);
    for (guint k = 0; k < row->unavailable->len; k++) {
        const VmcFeature *f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64,
                                                         g_ptr_array_index(row->unavailable, k));
        g_assert_nonnull(f);
        vmc_feature_set_add(&v, vmc_feature_get_id(f));
    }
    t->blocked += !vmc_feature_set_is_empty(q);
    vmc_feature_set_andnot(&only_q, q, &v);
    vmc_feature_set_andnot(&only_v, &v, q);
    if (vmc_feature_set_is_empty(&only_q) && vmc_feature_set_is_empty(&only_v) && !*other) {
        t->agree++;
        return;
    }
    known_exception_set(cat, accel, &known, why);
    vmc_feature_set_and(&known, &known, &only_v);
    vmc_feature_set_andnot(&only_v, &only_v, &known);
    if (vmc_feature_set_is_empty(&only_q) && vmc_feature_set_is_empty(&only_v) && !*other) {
        g_autofree char *n = feature_names(cat, VMC_ARCH_X86_64, &known);
        g_debug("%s: %s: only vmcompat lists %s — known: %s", label, name, n, why->str);
        t->known++;
        return;
    }
    {
        g_autofree char *nq = feature_names(cat, VMC_ARCH_X86_64, &only_q);
        g_autofree char *nv = feature_names(cat, VMC_ARCH_X86_64, &only_v);
        g_test_message("%s: %s: only QEMU: %s; only vmcompat: %s; QEMU non-features: %s",
                       label, name, nq, nv, *other ? other : "(none)");
    }
    t->mismatches++;
}

/* QEMU's unavailable-features as catalog ids; names that are no catalog
 * feature go to @other. */
static void
qemu_unavailable(VmcCatalog *cat, json_object *list, VmcFeatureSet *ret, GString *other)
{
    vmc_feature_set_clear(ret);
    for (gsize i = 0; list && i < json_object_array_length(list); i++) {
        const char *n = json_object_get_string(json_object_array_get_idx(list, i));
        const VmcFeature *f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, n);
        if (f)
            vmc_feature_set_add(ret, vmc_feature_get_id(f));
        else
            g_string_append_printf(other, "%s%s", other->len ? "," : "", n);
    }
}


static void
test_qmp_capture(gconstpointer p)
{
    const char *capture = p;
    VmcCatalog *cat = vmc_test_catalog();
    g_autofree char *dir = vmc_test_shared_path("data", "qemu-qmp", capture, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = vmc_host_load(cat, dir, &error);
    g_autoptr(GArray) rows = NULL;
    g_autoptr(GHashTable) ours = NULL;
    json_object *reply = NULL;
    json_object *defs;
    const char *text;
    VmcAccel accel;
    Tally t = { 0 };

    VMC_ASSERT_OK(host != NULL, error);
    g_assert_cmpint(vmc_host_get_source(host), ==, VMC_HOST_SOURCE_QMP_CAPTURE);
    g_assert_cmpint(vmc_host_get_arch(host), ==, VMC_ARCH_X86_64);
    g_assert_cmpstr(vmc_host_get_qemu_version(host), ==, "7.2.22");
    g_assert_cmpint(vmc_host_has_kvm(host), ==, g_str_has_suffix(capture, "-kvm"));
    g_assert_nonnull(vmc_host_get_machine_types(host));
    g_assert_true(g_ptr_array_find_with_equal_func(vmc_host_get_machine_types(host),
                                                   "pc-q35-7.2", g_str_equal, NULL));
    g_assert_nonnull(vmc_host_get_cpu(host));
    check_host_model(host);

    text = g_hash_table_lookup(host->qmp, "query-cpu-definitions");
    g_assert_nonnull(text);
    reply = json_tokener_parse(text);
    g_assert_true(json_object_object_get_ex(reply, "return", &defs));

    accel = vmc_host_has_kvm(host) ? VMC_ACCEL_KVM : VMC_ACCEL_TCG;
    rows = vmc_cpu_models_accel(cat, VMC_ARCH_X86_64, vmc_host_get_cpu(host), accel, &error);
    VMC_ASSERT_OK(rows != NULL, error);
    ours = vmc_test_rows_by_name(rows);
    for (gsize i = 0; i < json_object_array_length(defs); i++) {
        json_object *d = json_object_array_get_idx(defs, i);
        json_object *name_o = NULL, *unav = NULL;
        g_autoptr(GString) other = g_string_new(NULL);
        VmcModelAvailability *row;
        VmcFeatureSet q;
        const char *name;

        json_object_object_get_ex(d, "name", &name_o);
        json_object_object_get_ex(d, "unavailable-features", &unav);
        name = json_object_get_string(name_o);
        if (g_str_equal(name, "host") || g_str_equal(name, "max") || g_str_equal(name, "base"))
            continue;   /* accelerator models, not catalog data */
        row = g_hash_table_lookup(ours, name);
        if (!row) {
            g_test_message("%s: %s: not in the built-in catalog, skipped", capture, name);
            t.skipped++;
            continue;
        }
        /* QEMU 7.2 resolves an unversioned name to -v1 (machine "none"
         * has no default CPU version); so must the catalog. */
        if (row->alias_of && !g_str_has_suffix(row->alias_of, "-v1") &&
            !strstr(name, "-"))
            g_test_message("%s: %s is an alias of %s here", capture, name, row->alias_of);
        qemu_unavailable(cat, unav, &q, other);
        compare_unavailable(cat, capture, name, &q, other->str, row, accel, &t);
    }
    g_test_message("%s: of %u QEMU models (%u with unavailable features): %u agree with QEMU, %u differ only by known exceptions, %u mismatches, %u not in the catalog",
                   capture, (guint) json_object_array_length(defs) - 3, t.blocked, t.agree,
                   t.known, t.mismatches, t.skipped);
    g_assert_cmpuint(t.mismatches, ==, 0);
    g_assert_cmpuint(t.agree + t.known, ==, json_object_array_length(defs) - 3);
    /* TCG has no known exception: every model agrees. */
    if (accel == VMC_ACCEL_TCG)
        g_assert_cmpuint(t.known, ==, 0);
    json_object_put(reply);
    g_assert_cmpuint(t.blocked, >, 10);
}

/* Small libxml2 helpers for reading the fixture's <blockers>. */
static gboolean
xml_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name);
}

static xmlNode *
xml_child(xmlNode *n, const char *name)
{
    for (xmlNode *c = n->children; c; c = c->next)
        if (xml_is(c, name))
            return c;
    return NULL;
}

static gboolean
xml_prop_is(xmlNode *n, const char *attr, const char *value)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST attr);
    gboolean r = v && xmlStrEqual(v, BAD_CAST value);
    xmlFree(v);
    return r;
}

/* Blockers of the fixture's <mode name='custom'> models (libvirt's copy of
 * QEMU's unavailable-features) vs vmc_cpu_models on the host it reads. */
static void
test_domcaps(void)
{
    VmcCatalog *cat = vmc_test_cpu_map_catalog();
    g_autofree char *path = hosts_path("domcaps-qemu-7.2.0-x86_64.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = vmc_host_load(cat, path, &error);
    g_autoptr(VmcHost) host_builtin = NULL;
    g_autoptr(GArray) rows = NULL;
    g_autoptr(GHashTable) ours = NULL;
    const VmcCpuDef *cpu;
    Tally t = { 0 };
    GPtrArray *mt;

    VMC_ASSERT_OK(host != NULL, error);
    g_assert_cmpint(vmc_host_get_source(host), ==, VMC_HOST_SOURCE_LIBVIRT_DOMCAPABILITIES);
    g_assert_cmpint(vmc_host_get_arch(host), ==, VMC_ARCH_X86_64);
    g_assert_true(vmc_host_has_kvm(host));
    g_assert_cmpstr(host->qemu_binary, ==, "/usr/bin/qemu-system-x86_64");
    mt = vmc_host_get_machine_types(host);
    g_assert_nonnull(mt);
    g_assert_cmpuint(mt->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(mt, 0), ==, "pc-i440fx-7.2");
    cpu = vmc_host_get_cpu(host);
    g_assert_nonnull(cpu);
    g_assert_cmpstr(vmc_cpu_def_get_model(cpu), ==, "EPYC-Rome");
    g_assert_cmpstr(vmc_cpu_def_get_vendor(cpu), ==, "AMD");
    check_host_model(host);

    /* The host-model read as a CPU is exactly what the host offers. */
    {
        g_autofree char *xml = NULL;
        g_autoptr(GPtrArray) defs = NULL;
        VmcFeatureSet fh, fm;
        gsize len = 0;

        xml = vmc_test_read(path, &len);
        defs = vmc_cpu_def_parse_xml(cat, VMC_ARCH_X86_64, xml, (gssize) len, path, &error);
        VMC_ASSERT_OK(defs != NULL, error);
        VMC_ASSERT_OK(vmc_cpu_effective_features(g_ptr_array_index(defs, 0), &fm, &error), error);
        VMC_ASSERT_OK(vmc_cpu_effective_features(cpu, &fh, &error), error);
        g_assert_true(vmc_feature_set_equal(&fh, &fm));
    }

    /* The same file with the built-in (QEMU-named) catalog. */
    host_builtin = vmc_host_load(vmc_test_catalog(), path, &error);
    VMC_ASSERT_OK(host_builtin != NULL, error);
    g_assert_cmpstr(vmc_cpu_def_get_model(vmc_host_get_cpu(host_builtin)), ==, "EPYC-Rome-v1");
    check_host_model(host_builtin);

    /* libvirt's <blockers> (QEMU's unavailable-features under KVM, on
     * QEMU's full host CPU) against vmc_cpu_models_accel(KVM) on the
     * host-model, with the same known exceptions as the QMP captures. */
    rows = vmc_cpu_models_accel(vmc_test_catalog(), VMC_ARCH_X86_64,
                                vmc_host_get_cpu(host_builtin), VMC_ACCEL_KVM, &error);
    VMC_ASSERT_OK(rows != NULL, error);
    ours = vmc_test_rows_by_name(rows);
    {
        g_autofree char *xml = NULL;
        xmlDoc *doc;
        xmlNode *mode = NULL;
        xmlNode *cpu_node;
        gsize len = 0;
        guint n = 0;

        xml = vmc_test_read(path, &len);
        doc = xmlReadMemory(xml, (int) len, path, NULL, XML_PARSE_NONET);
        g_assert_nonnull(doc);
        cpu_node = xml_child(xmlDocGetRootElement(doc), "cpu");
        if (!cpu_node)
            g_error("%s: no <cpu>", path);
        for (xmlNode *c = cpu_node->children; c; c = c->next)
            if (xml_is(c, "mode") && xml_prop_is(c, "name", "custom"))
                mode = c;
        g_assert_nonnull(mode);
        for (xmlNode *m = mode->children; m; m = m->next) {
            g_autofree char *name = NULL;
            VmcModelAvailability *row;
            VmcFeatureSet q;
            xmlChar *content;

            if (!xml_is(m, "model"))
                continue;
            content = xmlNodeGetContent(m);
            name = g_strdup((const char *) content);
            xmlFree(content);
            vmc_feature_set_clear(&q);
            for (xmlNode *b = m->next; b; b = b->next) {
                if (b->type != XML_ELEMENT_NODE)
                    continue;
                if (!xml_is(b, "blockers"))
                    break;
                for (xmlNode *f = b->children; f; f = f->next) {
                    xmlChar *fname;
                    const VmcFeature *feat;
                    if (f->type != XML_ELEMENT_NODE)
                        continue;
                    fname = xmlGetProp(f, BAD_CAST "name");
                    feat = vmc_catalog_feature_lookup(vmc_test_catalog(), VMC_ARCH_X86_64,
                                                      (const char *) fname);
                    g_assert_nonnull(feat);
                    vmc_feature_set_add(&q, vmc_feature_get_id(feat));
                    xmlFree(fname);
                }
            }
            row = g_hash_table_lookup(ours, name);
            g_assert_nonnull(row);
            compare_unavailable(vmc_test_catalog(), "domcapabilities", name, &q, "", row,
                                VMC_ACCEL_KVM, &t);
            n++;
        }
        xmlFreeDoc(doc);
        g_test_message("domcapabilities: of %u models (%u blocked): %u agree, %u differ only by known exceptions, %u mismatches",
                       n, t.blocked, t.agree, t.known, t.mismatches);
        g_assert_cmpuint(t.mismatches, ==, 0);
        g_assert_cmpuint(t.agree + t.known, ==, n);
    }
}

static void
test_capabilities(void)
{
    VmcCatalog *cat = vmc_test_cpu_map_catalog();
    g_autofree char *path = hosts_path("capabilities-i7-8700.xml");
    g_autofree char *exp_path = vmc_test_shared_path("data", "libvirt", "data",
                                                     "x86_64-cpuid-Core-i7-8700-host.xml", NULL);
    g_autofree char *exp_xml = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = vmc_host_load(cat, path, &error);
    g_autoptr(GPtrArray) exp = NULL;
    g_autoptr(GString) why = g_string_new(NULL);
    GPtrArray *mt;
    gsize len = 0;

    VMC_ASSERT_OK(host != NULL, error);
    g_assert_cmpint(vmc_host_get_source(host), ==, VMC_HOST_SOURCE_LIBVIRT_CAPABILITIES);
    g_assert_true(vmc_host_has_kvm(host));
    g_assert_cmpstr(host->qemu_binary, ==, "/usr/bin/qemu-system-x86_64");
    mt = vmc_host_get_machine_types(host);
    g_assert_nonnull(mt);
    g_assert_cmpuint(mt->len, ==, 3);   /* aliases (pc, q35) are not listed */
    g_assert_cmpstr(g_ptr_array_index(mt, 1), ==, "pc-q35-7.2");
    exp_xml = vmc_test_read(exp_path, &len);
    exp = vmc_cpu_def_parse_xml(cat, VMC_ARCH_X86_64, exp_xml, (gssize) len, exp_path, &error);
    VMC_ASSERT_OK(exp != NULL, error);
    if (!same_host_cpu(g_ptr_array_index(exp, 0), vmc_host_get_cpu(host), why)) {
        g_test_message("capabilities host CPU differs:\n%s", why->str);
        g_test_fail();
    }
    check_host_model(host);
}

/* The documented example: every accessor. */
static void
test_document_example(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autofree char *path = hosts_path("x86_64-example.json");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = vmc_host_load(cat, path, &error);
    const VmcCpuDef *cpu;
    const VmcFeature *f;

    VMC_ASSERT_OK(host != NULL, error);
    g_assert_cmpint(vmc_host_get_source(host), ==, VMC_HOST_SOURCE_DOCUMENT);
    g_assert_cmpint(host->doc_source, ==, VMC_HOST_SOURCE_PROBE);
    g_assert_cmpstr(vmc_host_get_name(host), ==, "kvm-host-01.example.org");
    g_assert_cmpstr(vmc_host_get_kernel(host), ==, "6.1.0-18-amd64");
    g_assert_cmpstr(vmc_host_get_qemu_version(host), ==, "7.2.22");
    g_assert_true(vmc_host_has_kvm(host));
    g_assert_cmpint(host->kvm_api_version, ==, 12);
    g_assert_cmpuint(vmc_host_get_machine_types(host)->len, ==, 3);
    g_assert_true(vmc_host_has_capability(host, "kvm.cap.x2apic-api"));
    g_assert_true(vmc_host_has_capability(host, "kvm.cap.max-vcpus"));
    g_assert_true(vmc_host_has_capability(host, "vhost-net"));
    g_assert_false(vmc_host_has_capability(host, "tap.uso"));
    g_assert_false(vmc_host_has_capability(host, "no-such-capability"));
    g_assert_cmpstr(g_hash_table_lookup(vmc_host_get_capabilities(host), "kvm.cap.max-vcpus"),
                    ==, "1024");
    g_assert_cmpuint(vmc_host_get_notes(host)->len, ==, 1);
    cpu = vmc_host_get_cpu(host);
    g_assert_nonnull(cpu);
    g_assert_true(g_str_has_prefix(vmc_cpu_def_get_model(cpu), "Skylake-Client-v"));
    g_assert_cmpstr(vmc_cpu_def_get_vendor(cpu), ==, "Intel");
    /* The CPU is KVM's: kvm-pv-eoi is in, the hardware-only invtsc is not. */
    f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "kvm-pv-eoi");
    g_assert_cmpint(vmc_cpu_def_get_policy(cpu, vmc_feature_get_id(f)), >=, 0);
    f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "invtsc");
    g_assert_cmpint(vmc_cpu_def_get_policy(cpu, vmc_feature_get_id(f)), <, 0);
    check_host_model(host);
}

/* ---- 4. bad inputs --------------------------------------------------------- */

typedef struct {
    const char *name;        /* file name in the temporary directory */
    const char *content;     /* NULL: take @from truncated */
    const char *from;        /* a source file (relative to the shared data) */
    gsize cut;               /* bytes of @from to keep */
    VmcErrorCode code;
    const char *expect[3];   /* substrings of the message (file is checked) */
} BadInput;

static const BadInput bad_inputs[] = {
    { "empty.json", "", NULL, 0, VMC_ERROR_PARSE, { ":1: not a host (empty file)", "accepted:", NULL } },
    { "blank.xml", " \n\n\t\n", NULL, 0, VMC_ERROR_PARSE, { ":1: not a host (empty input)", NULL } },
    { "text.txt", "hello\nworld\n", NULL, 0, VMC_ERROR_PARSE, { ":1: not a host (neither JSON nor XML)", NULL } },
    { "binary.bin", "\x7f" "ELF\x02\x01\x01", NULL, 0, VMC_ERROR_PARSE, { "not a host", NULL } },
    { "foreign.json", "{\"name\": \"z14\", \"props\": {}}", NULL, 0, VMC_ERROR_PARSE,
      { "not a host (JSON without a \"format\" member)", "QMP capture directory", NULL } },
    { "array.json", "[1, 2, 3]", NULL, 0, VMC_ERROR_PARSE, { ":1: not a host (JSON that is not an object)", NULL } },
    { "foreign.xml", "<domain type='kvm'>\n  <name>vm</name>\n</domain>\n", NULL, 0, VMC_ERROR_PARSE,
      { ":1: not a host (XML root element <domain>)", NULL } },
    { "capture.json", "{\"request\": {\"execute\": \"query-kvm\"}, \"response\": {}}", NULL, 0,
      VMC_ERROR_PARSE, { "one QMP capture file: give its directory", NULL } },
    { "format2.json", "{\"format\": 2, \"arch\": \"x86_64\"}", NULL, 0, VMC_ERROR_PARSE,
      { "field 'format': unsupported host document format 2", NULL } },
    { "format-str.json", "{\"format\": \"1\", \"arch\": \"x86_64\"}", NULL, 0, VMC_ERROR_PARSE,
      { "field 'format'", NULL } },
    { "no-arch.json", "{\"format\": 1}", NULL, 0, VMC_ERROR_PARSE, { "field 'arch': missing", NULL } },
    { "arm.json", "{\"format\": 1, \"arch\": \"aarch64\"}", NULL, 0, VMC_ERROR_UNSUPPORTED,
      { "field 'arch': unsupported architecture 'aarch64'", NULL } },
    { "bad-feature.json", "{\"format\": 1, \"arch\": \"x86_64\", \"cpu\": {\"hardware_features\": [\"fpu\", 7]}}",
      NULL, 0, VMC_ERROR_PARSE, { "field 'cpu.hardware_features[1]'", NULL } },
    { "bad-kvm.json", "{\"format\": 1, \"arch\": \"x86_64\", \"kvm\": {\"present\": \"yes\"}}",
      NULL, 0, VMC_ERROR_PARSE, { "field 'kvm.present': expected boolean", NULL } },
    { "bad-leaf.json", "{\"format\": 1, \"arch\": \"x86_64\", \"cpu\": {\"cpuid\": [{\"eax_in\": \"0x1\", \"eax\": \"zz\"}]}}",
      NULL, 0, VMC_ERROR_PARSE, { "field 'cpu.cpuid[0].eax'", NULL } },
    { "trailing.json", "{\"format\": 1, \"arch\": \"x86_64\"}\n}\n", NULL, 0, VMC_ERROR_PARSE,
      { ":2: invalid JSON: trailing data", NULL } },
    { "caps-arm.xml", "<capabilities>\n<host>\n<cpu>\n<arch>aarch64</arch>\n</cpu>\n</host>\n</capabilities>\n",
      NULL, 0, VMC_ERROR_UNSUPPORTED, { ":4: field 'host/cpu/arch': unsupported architecture 'aarch64'", NULL } },
    { "caps-model.xml", "<capabilities>\n<host>\n<cpu>\n<arch>x86_64</arch>\n<model>Pentium9</model>\n</cpu>\n</host>\n</capabilities>\n",
      NULL, 0, VMC_ERROR_UNKNOWN, { ":5: field 'model': unknown x86_64 CPU model 'Pentium9'", NULL } },
    { "domcaps-noarch.xml", "<domainCapabilities>\n<domain>kvm</domain>\n</domainCapabilities>\n",
      NULL, 0, VMC_ERROR_PARSE, { ":1: field 'arch': missing", NULL } },
    { "dump-truncated.xml", NULL, "data/libvirt/data/x86_64-cpuid-Core-i7-8700.xml", 700,
      VMC_ERROR_PARSE, { "malformed XML", NULL } },
    { "domcaps-truncated.xml", NULL, "tests/data/hosts/domcaps-qemu-7.2.0-x86_64.xml", 2500,
      VMC_ERROR_PARSE, { "malformed XML", NULL } },
    { "doc-truncated.json", NULL, "tests/data/hosts/x86_64-example.json", 600,
      VMC_ERROR_PARSE, { "invalid JSON: unexpected end of input (truncated?)", NULL } },
};

static char *
make_tmpdir(void)
{
    g_autoptr(GError) error = NULL;
    char *dir = g_dir_make_tmp("vmc-test-host-XXXXXX", &error);
    g_assert_no_error(error);
    return dir;
}

static void
rm_rf(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *n;

    while (d && (n = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, n, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR))
            rm_rf(p);
        else
            g_unlink(p);
    }
    g_rmdir(dir);
}

static void
test_bad_inputs(void)
{
    g_autofree char *dir = make_tmpdir();

    for (guint i = 0; i < G_N_ELEMENTS(bad_inputs); i++) {
        const BadInput *b = &bad_inputs[i];
        g_autofree char *path = g_build_filename(dir, b->name, NULL);
        g_autofree char *src = NULL;
        g_autofree char *data = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcHost) host = NULL;
        gsize len;

        if (b->content) {
            data = g_strdup(b->content);
            len = strlen(data);
        } else {
            src = g_str_has_prefix(b->from, "tests/")
                ? vmc_test_source_path(b->from, NULL)
                : vmc_test_shared_path(b->from, NULL);
            data = vmc_test_read(src, &len);
            g_assert_nonnull(data);
            g_assert_cmpuint(len, >, b->cut);
            len = b->cut;
        }
        g_assert_true(g_file_set_contents(path, data, (gssize) len, NULL));
        host = vmc_host_load(vmc_test_catalog(), path, &error);
        g_assert_null(host);
        g_assert_nonnull(error);
        g_test_message("%s: %s", b->name, error->message);
        g_assert_true(error->domain == VMC_ERROR);
        g_assert_cmpint(error->code, ==, b->code);
        g_assert_nonnull(strstr(error->message, path));
        for (guint k = 0; k < G_N_ELEMENTS(b->expect) && b->expect[k]; k++)
            if (!strstr(error->message, b->expect[k])) {
                g_test_message("%s: message lacks '%s'", b->name, b->expect[k]);
                g_test_fail();
            }
    }
    /* A missing file, an empty directory, a capture directory with a
     * truncated capture. */
    {
        g_autofree char *missing = g_build_filename(dir, "no-such-host.json", NULL);
        g_autofree char *empty = g_build_filename(dir, "empty-dir", NULL);
        g_autofree char *cap = g_build_filename(dir, "capture", NULL);
        g_autofree char *cap_file = g_build_filename(cap, "query-version.json", NULL);
        g_autoptr(GError) e1 = NULL;
        g_autoptr(GError) e2 = NULL;
        g_autoptr(GError) e3 = NULL;

        g_assert_null(vmc_host_load(vmc_test_catalog(), missing, &e1));
        g_assert_error(e1, VMC_ERROR, VMC_ERROR_IO);
        g_assert_nonnull(strstr(e1->message, missing));
        g_assert_cmpint(g_mkdir(empty, 0700), ==, 0);
        g_assert_null(vmc_host_load(vmc_test_catalog(), empty, &e2));
        g_assert_error(e2, VMC_ERROR, VMC_ERROR_PARSE);
        g_assert_nonnull(strstr(e2->message, "not a host (a directory without QMP capture files"));
        g_test_message("%s", e2->message);
        g_assert_cmpint(g_mkdir(cap, 0700), ==, 0);
        g_assert_true(g_file_set_contents(cap_file, "{\"request\": {\"execute\":\n \"query-version\"}, \"resp",
                                          -1, NULL));
        g_assert_null(vmc_host_load(vmc_test_catalog(), cap, &e3));
        g_assert_error(e3, VMC_ERROR, VMC_ERROR_PARSE);
        g_assert_nonnull(strstr(e3->message, cap_file));
        g_assert_nonnull(strstr(e3->message, ":2: invalid JSON"));
        g_test_message("%s", e3->message);
    }
    /* In-memory parse names the given name. */
    {
        g_autoptr(GError) error = NULL;
        g_assert_null(vmc_host_parse(vmc_test_catalog(), "", 0, "stdin", &error));
        g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
        g_assert_true(g_str_has_prefix(error->message, "stdin:1: not a host"));
    }
    rm_rf(dir);
}

/* Limits: a document listing more features than any catalog has. */
static void
test_limits(void)
{
    g_autoptr(GString) doc = g_string_new("{\"format\": 1, \"arch\": \"x86_64\", \"cpu\": {\"hardware_features\": [");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = NULL;

    for (guint i = 0; i < VMC_HOST_MAX_ITEMS + 1; i++)
        g_string_append_printf(doc, "%s\"fpu\"", i ? "," : "");
    g_string_append(doc, "]}}");
    host = vmc_host_parse(vmc_test_catalog(), doc->str, doc->len, "big.json", &error);
    g_assert_null(host);
    g_assert_error(error, VMC_ERROR, VMC_ERROR_LIMIT);
    g_assert_nonnull(strstr(error->message, "big.json: field 'cpu.hardware_features'"));
}

/* Names unknown to this catalog are left out, with a note. */
static void
test_unknown_features(void)
{
    static const char doc[] =
        "{\"format\": 1, \"arch\": \"x86_64\", \"name\": \"h\",\n"
        " \"cpu\": {\"vendor\": \"GenuineIntel\",\n"
        "         \"hardware_features\": [\"fpu\", \"de\", \"pse\", \"tsc\", \"msr\", \"pae\",\n"
        "           \"mce\", \"cx8\", \"apic\", \"sep\", \"mtrr\", \"pge\", \"mca\", \"cmov\",\n"
        "           \"pat\", \"pse36\", \"clflush\", \"mmx\", \"fxsr\", \"sse\", \"sse2\",\n"
        "           \"syscall\", \"nx\", \"lm\", \"pni\", \"cx16\",\n"
        "           \"future-feature-1\", \"future-feature-2\"]}}\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = vmc_host_parse(vmc_test_catalog(), doc, strlen(doc), "new.json",
                                             &error);
    GPtrArray *notes;
    gboolean noted = FALSE;

    VMC_ASSERT_OK(host != NULL, error);
    g_assert_cmpstr(host->vendor, ==, "Intel");
    g_assert_nonnull(vmc_host_get_cpu(host));
    notes = vmc_host_get_notes(host);
    for (guint i = 0; i < notes->len; i++) {
        const char *n = g_ptr_array_index(notes, i);
        noted |= strstr(n, "field 'cpu.hardware_features': 2 feature(s) unknown") &&
                 strstr(n, "future-feature-1, future-feature-2");
    }
    g_assert_true(noted);
}

/* ---- round trips and atomic save ------------------------------------------ */

static VmcHost *
load_or_fail(VmcCatalog *cat, const char *path)
{
    g_autoptr(GError) error = NULL;
    VmcHost *host = vmc_host_load(cat, path, &error);
    if (!host)
        g_error("%s: %s", path, error->message);
    return host;
}

static void
check_round_trip(VmcHost *host, const char *tmpdir)
{
    g_autofree char *text = vmc_host_to_json(host);
    g_autofree char *path = g_build_filename(tmpdir, "host.json", NULL);
    g_autofree char *saved = NULL;
    g_autofree char *again = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) h2 = vmc_host_parse(host->cat, text, strlen(text), "round-trip", &error);
    g_autoptr(VmcHost) h3 = NULL;
    g_autoptr(GString) why = g_string_new(NULL);

    VMC_ASSERT_OK(h2 != NULL, error);
    again = vmc_host_to_json(h2);
    if (!g_str_equal(text, again)) {
        g_test_message("%s: round trip differs", host->name);
        g_assert_cmpstr(text, ==, again);
    }
    g_assert_cmpint(vmc_host_get_source(h2), ==, VMC_HOST_SOURCE_DOCUMENT);
    g_assert_cmpint(h2->doc_source, ==, host->doc_source);
    if (host->cpu) {
        g_assert_true(same_host_cpu(host->cpu, h2->cpu, why));
        g_assert_true(vmc_feature_set_equal(&host->cpu->host_deprecated_disabled,
                                            &h2->cpu->host_deprecated_disabled));
    }
    /* Through a file: the file is the text, and reads back the same. */
    VMC_ASSERT_OK(vmc_host_save(host, path, &error), error);
    g_assert_true(g_file_get_contents(path, &saved, NULL, NULL));
    g_assert_cmpstr(saved, ==, text);
    h3 = vmc_host_load(host->cat, path, &error);
    VMC_ASSERT_OK(h3 != NULL, error);
    g_free(again);
    again = vmc_host_to_json(h3);
    g_assert_cmpstr(again, ==, text);
}

static void
test_round_trip(void)
{
    g_autofree char *tmp = make_tmpdir();
    g_autofree char *dump = vmc_test_shared_path("data", "libvirt", "data",
                                                 "x86_64-cpuid-Core-i7-8700.xml", NULL);
    g_autofree char *dump_msr = vmc_test_shared_path("data", "libvirt", "data",
                                                     "x86_64-cpuid-Xeon-Platinum-8268.xml", NULL);
    g_autofree char *kvm = vmc_test_shared_path("data", "qemu-qmp", "x86_64-kvm", NULL);
    g_autofree char *tcg = vmc_test_shared_path("data", "qemu-qmp", "x86_64-tcg", NULL);
    g_autofree char *domcaps = hosts_path("domcaps-qemu-7.2.0-x86_64.xml");
    g_autofree char *caps = hosts_path("capabilities-i7-8700.xml");
    g_autofree char *s390 = hosts_path("s390x-z14-csske.json");
    g_autofree char *example = hosts_path("x86_64-example.json");
    struct {
        VmcCatalog *cat;
        const char *path;
    } cases[] = {
        { vmc_test_cpu_map_catalog(), dump },
        { vmc_test_catalog(), dump },
        { vmc_test_cpu_map_catalog(), dump_msr },
        { vmc_test_catalog(), kvm },
        { vmc_test_catalog(), tcg },
        { vmc_test_cpu_map_catalog(), domcaps },
        { vmc_test_cpu_map_catalog(), caps },
        { vmc_test_catalog(), s390 },
        { vmc_test_catalog(), example },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(VmcHost) host = load_or_fail(cases[i].cat, cases[i].path);
        check_round_trip(host, tmp);
    }
    rm_rf(tmp);
}

/* Raw CPUID in a document is decoded again (another catalog can learn more
 * from it) and MSRs are kept. */
static void
test_raw_cpuid(void)
{
    g_autofree char *dump = vmc_test_shared_path("data", "libvirt", "data",
                                                 "x86_64-cpuid-Xeon-Platinum-8268.xml", NULL);
    g_autoptr(VmcHost) host = load_or_fail(vmc_test_cpu_map_catalog(), dump);
    g_autofree char *text = vmc_host_to_json(host);
    g_autoptr(json_object) doc = json_tokener_parse(text);
    g_autoptr(VmcHost) h2 = NULL;
    g_autoptr(GError) error = NULL;
    json_object *cpu = NULL, *feats = NULL;
    const char *text2;

    g_assert_nonnull(strstr(text, "\"msrs\""));
    /* Drop the feature names: the raw leaves alone give the same CPU. */
    g_assert_true(json_object_object_get_ex(doc, "cpu", &cpu));
    g_assert_true(json_object_object_get_ex(cpu, "hardware_features", &feats));
    json_object_object_del(cpu, "hardware_features");
    json_object_object_del(cpu, "vendor");
    json_object_object_del(cpu, "signature");
    text2 = json_object_to_json_string(doc);
    h2 = vmc_host_parse(host->cat, text2, strlen(text2), "raw.json", &error);
    VMC_ASSERT_OK(h2 != NULL, error);
    g_assert_true(vmc_feature_set_equal(&host->hw_features, &h2->hw_features));
    g_assert_cmpstr(h2->vendor, ==, host->vendor);
    g_assert_true(h2->has_signature);
    g_assert_cmpuint(h2->model, ==, host->model);
    g_assert_true(h2->cpu->model_ref == host->cpu->model_ref);
}

static gboolean
dir_has_temp_files(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *n;

    while (d && (n = g_dir_read_name(d)))
        if (strstr(n, ".tmp-"))
            return TRUE;
    return FALSE;
}

static void
test_atomic_save(void)
{
    g_autofree char *tmp = make_tmpdir();
    g_autofree char *example = hosts_path("x86_64-example.json");
    g_autoptr(VmcHost) host = load_or_fail(vmc_test_catalog(), example);
    g_autofree char *target = g_build_filename(tmp, "host.json", NULL);
    g_autofree char *dir_target = g_build_filename(tmp, "a-directory", NULL);
    g_autofree char *missing = g_build_filename(tmp, "no-such-dir", "host.json", NULL);
    g_autofree char *ro = g_build_filename(tmp, "read-only", NULL);
    g_autofree char *ro_target = g_build_filename(ro, "host.json", NULL);
    g_autofree char *text = vmc_host_to_json(host);
    g_autofree char *got = NULL;
    g_autoptr(GError) error = NULL;

    /* Replacing an existing file: the whole new document, nothing else. */
    g_assert_true(g_file_set_contents(target, "old content", -1, NULL));
    VMC_ASSERT_OK(vmc_host_save(host, target, &error), error);
    g_assert_true(g_file_get_contents(target, &got, NULL, NULL));
    g_assert_cmpstr(got, ==, text);
    g_assert_false(dir_has_temp_files(tmp));

    /* The rename fails (the target is a directory): the temporary file is
     * written, then removed; the directory is untouched. */
    g_assert_cmpint(g_mkdir(dir_target, 0700), ==, 0);
    g_assert_false(vmc_host_save(host, dir_target, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_IO);
    g_assert_nonnull(strstr(error->message, dir_target));
    g_test_message("%s", error->message);
    g_clear_error(&error);
    g_assert_true(g_file_test(dir_target, G_FILE_TEST_IS_DIR));
    g_assert_false(dir_has_temp_files(tmp));

    /* No directory to write in. */
    g_assert_false(vmc_host_save(host, missing, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_IO);
    g_assert_nonnull(strstr(error->message, "cannot create a temporary file"));
    g_clear_error(&error);

    /* A read-only directory (root writes anyway: checked by the others). */
    g_assert_cmpint(g_mkdir(ro, 0500), ==, 0);
    if (geteuid() != 0) {
        g_assert_false(vmc_host_save(host, ro_target, &error));
        g_assert_error(error, VMC_ERROR, VMC_ERROR_IO);
        g_clear_error(&error);
        g_assert_false(g_file_test(ro_target, G_FILE_TEST_EXISTS));
        g_assert_false(dir_has_temp_files(ro));
    } else {
        g_test_message("running as root: the read-only directory case is not meaningful");
    }
    g_chmod(ro, 0700);
    rm_rf(tmp);
}

/* A host without any CPU feature still loads; it has no host-model. */
static void
test_no_cpu(void)
{
    static const char caps[] =
        "<capabilities>\n  <host>\n    <cpu>\n      <arch>x86_64</arch>\n    </cpu>\n"
        "  </host>\n</capabilities>\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = vmc_host_parse(vmc_test_catalog(), caps, strlen(caps), "caps.xml",
                                             &error);
    g_autoptr(VmcCpuDef) model = NULL;

    VMC_ASSERT_OK(host != NULL, error);
    g_assert_null(vmc_host_get_cpu(host));
    g_assert_false(vmc_host_has_kvm(host));
    model = vmc_host_model(host, NULL, &error);
    g_assert_null(model);
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED);
    g_assert_nonnull(strstr(error->message, "caps.xml"));
}

/* A CPU no catalog model fits (a nested hypervisor hiding SSE3 and more)
 * is its feature list; its host-model is QEMU's "base" plus the features. */
static void
test_modelless(void)
{
    static const char doc[] =
        "{\"format\": 1, \"arch\": \"x86_64\", \"name\": \"odd\",\n"
        " \"cpu\": {\"vendor\": \"AMD\", \"hardware_features\": [\"fpu\", \"lm\", \"nx\", \"syscall\"]}}\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) host = vmc_host_parse(vmc_test_catalog(), doc, strlen(doc), "odd.json",
                                             &error);
    g_autoptr(GArray) rows = NULL;
    const VmcCpuDef *cpu;
    gboolean noted = FALSE;

    VMC_ASSERT_OK(host != NULL, error);
    cpu = vmc_host_get_cpu(host);
    g_assert_nonnull(cpu);
    g_assert_null(vmc_cpu_def_get_model(cpu));
    g_assert_cmpuint(vmc_cpu_def_get_feature_count(cpu), ==, 4);
    for (guint i = 0; i < host->notes->len; i++)
        noted |= strstr(g_ptr_array_index(host->notes, i), "feature list only") != NULL;
    g_assert_true(noted);
    check_host_model(host);
    rows = vmc_cpu_models(vmc_test_catalog(), VMC_ARCH_X86_64, cpu, &error);
    VMC_ASSERT_OK(rows != NULL, error);
    for (guint i = 0; i < rows->len; i++)
        g_assert_cmpuint(g_array_index(rows, VmcModelAvailability, i).unavailable->len, >, 0);
}

int
main(int argc, char **argv)
{
    g_autoptr(GPtrArray) dumps = NULL;

    g_test_init(&argc, &argv, NULL);
    if (!vmc_test_shared_dir()) {
        /* Without shared/ (QEMU and libvirt reference data) nothing here
         * can be checked against anything. */
        g_test_skip("VMC_SHARED_DATA is not set or not a directory");
        g_print("1..0 # SKIP VMC_SHARED_DATA is not set\n");
        return 0;
    }
    dumps = list_cpuid_dumps();
    g_assert_cmpuint(dumps->len, ==, 61);
    for (guint i = 0; i < dumps->len; i++) {
        const char *base = g_ptr_array_index(dumps, i);
        g_autofree char *name = g_strdup_printf("/host/cpuid-dump/%s",
                                                base + strlen("x86_64-cpuid-"));
        g_test_add_data_func(name, base, test_cpuid_dump);
    }
    g_test_add_func("/host/s390x-seed000", test_s390x_seed000);
    g_test_add_data_func("/host/qmp-capture/x86_64-kvm", "x86_64-kvm", test_qmp_capture);
    g_test_add_data_func("/host/qmp-capture/x86_64-tcg", "x86_64-tcg", test_qmp_capture);
    g_test_add_func("/host/domcapabilities", test_domcaps);
    g_test_add_func("/host/capabilities", test_capabilities);
    g_test_add_func("/host/document-example", test_document_example);
    g_test_add_func("/host/bad-inputs", test_bad_inputs);
    g_test_add_func("/host/limits", test_limits);
    g_test_add_func("/host/unknown-features", test_unknown_features);
    g_test_add_func("/host/round-trip", test_round_trip);
    g_test_add_func("/host/raw-cpuid", test_raw_cpuid);
    g_test_add_func("/host/atomic-save", test_atomic_save);
    g_test_add_func("/host/no-cpu", test_no_cpu);
    g_test_add_func("/host/modelless", test_modelless);
    return g_test_run();
}
