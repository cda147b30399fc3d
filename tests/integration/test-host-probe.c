/* test-host-probe.c: the host probe on this machine, and the probe against
 * what QEMU itself reports.
 *
 * /host-probe/this-machine   the probe succeeds without QEMU; on x86_64 the
 *                            hardware CPUID decodes to a vendor and a model,
 *                            and the host CPU carries exactly the features
 *                            the probe measured
 * /host-probe/no-kvm         a sysroot without /dev (and one whose /dev/kvm
 *                            is not a KVM device): still succeeds, says why
 * /host-probe/kvm-vs-qemu    with /dev/kvm and qemu-system-x86_64: QEMU
 *                            (-machine none -accel kvm -S) expands "host"
 *                            (query-cpu-model-expansion full); its true
 *                            props that are catalog features must equal the
 *                            probe's kvm_features, except for the documented
 *                            exceptions below
 * /host-probe/host-model-vs-qemu  the same for vmc_host_model(): its
 *                            features plus the deprecated ones it disables
 *                            must be QEMU's "host"
 * /host-probe/qmp            the probe with opts->qemu records QEMU's answers
 *                            and agrees with the probe without it; a QEMU
 *                            that cannot start is an error naming it
 *
 * Comparison rules (each a documented class, not a tolerance):
 *   - Only features the live QEMU names in its reply are compared: QEMU 7.2
 *     is older than the catalog (QEMU 11) and leaves out what it does not
 *     know. The probe's features outside that universe are listed.
 *   - QEMU's "host" is migratable=on by default and drops the features it
 *     marks unmigratable (catalog: migratable false, e.g. invtsc).
 *   - host_exceptions[] below: bits QEMU itself adds to or removes from
 *     KVM_GET_SUPPORTED_CPUID (target/i386/kvm/kvm.c,
 *     kvm_arch_get_supported_cpuid and kvm_arch_get_supported_msr_feature),
 *     or sets only on request. Every exception that is used is printed.
 * Any other difference fails the test.
 *
 * Skipped with a message when /dev/kvm cannot be opened or
 * qemu-system-x86_64 is not on PATH. QEMU is always killed (qmp-client.c).
 */
#include "harness/harness.h"
#include "harness/qmp-agree.h"
#include "host/host-private.h"
#include "catalog/catalog-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define QEMU_BINARY "qemu-system-x86_64"

/* Assertions are non-fatal (the run goes on): stop the test at a NULL. */
#define ASSERT_NONNULL(x) \
    G_STMT_START { \
        g_assert_nonnull(x); \
        if (!(x)) \
            return; \
    } G_STMT_END

typedef enum {
    ONLY_QEMU,       /* QEMU's "host" has it, KVM_GET_SUPPORTED_CPUID not */
    ONLY_PROBE,      /* KVM reports it, QEMU's "host" leaves it out */
} Side;

/* Differences QEMU makes on purpose. Feature names are the catalog's. */
static const struct {
    const char *feature;
    Side side;
    const char *reason;
} host_exceptions[] = {
    /* kvm_arch_get_supported_cpuid(): bits QEMU adds to KVM's answer */
    { "hypervisor", ONLY_QEMU,
      "CPUID[1].ECX: QEMU always sets it (\"even if KVM does not return it\")" },
    { "tsc-deadline", ONLY_QEMU,
      "CPUID[1].ECX: not in KVM's answer; QEMU adds it (irqchip + KVM_CAP_TSC_DEADLINE_TIMER)" },
    { "ht", ONLY_QEMU,
      "CPUID[1].EDX: \"KVM never reports CPUID_HT but QEMU can support when vcpus > 1\"" },
    { "mtrr", ONLY_QEMU,
      "CPUID[1].EDX: QEMU adds MTRR/PAT/MCE/MCA (\"KVM before 2.6.30 misreports\")" },
    { "pat", ONLY_QEMU, "CPUID[1].EDX: as mtrr" },
    { "mce", ONLY_QEMU, "CPUID[1].EDX: as mtrr" },
    { "mca", ONLY_QEMU, "CPUID[1].EDX: as mtrr" },
    { "arat", ONLY_QEMU,
      "CPUID[6].EAX: QEMU adds ARAT (\"safe to allow because of emulated APIC\")" },
    { "erms", ONLY_QEMU, "CPUID[7,0].EBX: QEMU copies ERMS from the host CPU" },
    { "fsrm", ONLY_QEMU, "CPUID[7,0].EDX: QEMU copies FSRM from the host CPU" },
    { "fzrm", ONLY_QEMU, "CPUID[7,1].EAX: QEMU copies FZRM/FSRS/FSRC from the host CPU" },
    { "fsrs", ONLY_QEMU, "CPUID[7,1].EAX: as fzrm" },
    { "fsrc", ONLY_QEMU, "CPUID[7,1].EAX: as fzrm" },
    { "overflow-recov", ONLY_QEMU,
      "CPUID[0x80000007].EBX: QEMU always adds OVERFLOW_RECOV and SUCCOR" },
    { "succor", ONLY_QEMU, "CPUID[0x80000007].EBX: as overflow-recov" },
    { "kvm-msi-ext-dest-id", ONLY_QEMU,
      "CPUID[0x40000001].EAX: QEMU adds it with a split irqchip" },
    { "fb-clear", ONLY_QEMU,
      "MSR 0x10a: QEMU sets FB_CLEAR when MDS/TAA/SBDR/FBSDP/PSDP_NO are all set" },
    /* kvm_arch_get_supported_cpuid(): bits QEMU removes */
    { "x2apic", ONLY_PROBE,
      "CPUID[1].ECX: QEMU removes x2apic without an in-kernel irqchip" },
    { "kvm-pv-unhalt", ONLY_PROBE,
      "CPUID[0x40000001].EAX: QEMU removes PV_UNHALT without an in-kernel irqchip" },
    { "arch-capabilities", ONLY_PROBE,
      "CPUID[7,0].EDX: QEMU removes it when MSR 0x10a is not in KVM_GET_MSR_INDEX_LIST" },
    { "hle", ONLY_PROBE, "CPUID[7,0].EBX: QEMU removes HLE/RTM on Haswells with broken TSX" },
    { "rtm", ONLY_PROBE, "CPUID[7,0].EBX: as hle" },
    /* x86_cpu_expand_features(): bits "-cpu host" never enables by itself
     * (feature_word_info[].no_autoenable_flags in target/i386/cpu.c) */
    { "topoext", ONLY_PROBE,
      "CPUID[0x80000001].ECX: no_autoenable (needs consistent cache topology)" },
    { "kvm-hint-dedicated", ONLY_PROBE,
      "CPUID[0x40000001].EDX: no_autoenable (KVM hints only on request)" },
};

/* One probe and one QEMU for the whole run. */
typedef struct {
    VmcCatalog *cat;
    VmcHost *host;             /* the probe without QEMU, or NULL */
    char *probe_error;
    VmcQmpClient *qemu;        /* QEMU with KVM, or NULL */
    char *why_not;             /* skip message for the QEMU tests */
    json_object *host_full;    /* QEMU's full expansion of "host" */
    VmcFeatureSet qemu_host;   /* its true props, as catalog features */
    VmcFeatureSet known;       /* every catalog feature QEMU names */
} Fixture;

static Fixture fx;

static json_object *
jget(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Names of @set, comma separated (transfer full). */
static char *
names(const VmcFeatureSet *set)
{
    if (vmc_feature_set_is_empty(set))
        return g_strdup("(none)");
    return vmc__catalog_format_set(fx.cat, VMC_ARCH_X86_64, set);
}

static const VmcFeature *
feature(guint id)
{
    return vmc_catalog_feature(fx.cat, VMC_ARCH_X86_64, id);
}

/* QEMU's full expansion of "host": true props → @ret, all props → @known. */
static gboolean
qemu_props_features(json_object *reply, VmcFeatureSet *ret, VmcFeatureSet *known)
{
    json_object *props = jget(jget(jget(reply, "return"), "model"), "props");

    vmc_feature_set_clear(ret);
    vmc_feature_set_clear(known);
    if (!props)
        return FALSE;
    json_object_object_foreach(props, key, val) {
        const VmcFeature *f = vmc_catalog_feature_lookup(fx.cat, VMC_ARCH_X86_64, key);
        if (!f || !json_object_is_type(val, json_type_boolean))
            continue;
        vmc_feature_set_add(known, vmc_feature_get_id(f));
        if (json_object_get_boolean(val))
            vmc_feature_set_add(ret, vmc_feature_get_id(f));
    }
    return TRUE;
}

/* Start QEMU with KVM and read its "host" once. */
static void
fixture_start_qemu(void)
{
    static const char *const args[] = {
        "-machine", "none", "-accel", "kvm", "-nodefaults", "-nographic",
        "-S", NULL,
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(json_object) a = NULL;
    int fd;

    if (!vmc_test_have_program(QEMU_BINARY)) {
        fx.why_not = g_strdup("no " QEMU_BINARY " on PATH: the probe is not compared with QEMU");
        return;
    }
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fx.why_not = g_strdup_printf("/dev/kvm: %s: the probe is not compared with QEMU",
                                     g_strerror(errno));
        return;
    }
    close(fd);
    fx.qemu = vmc__qmp_client_spawn(QEMU_BINARY, args, 0, &error);
    if (!fx.qemu) {
        fx.why_not = g_strdup_printf("%s with KVM does not start: %s", QEMU_BINARY,
                                     error->message);
        return;
    }
    a = json_tokener_parse("{\"type\": \"full\", \"model\": {\"name\": \"host\"}}");
    fx.host_full = vmc__qmp_client_execute(fx.qemu, "query-cpu-model-expansion", a,
                                          &error);
    if (!fx.host_full || !qemu_props_features(fx.host_full, &fx.qemu_host, &fx.known)) {
        fx.why_not = g_strdup_printf("QEMU did not expand 'host': %s",
                                     error ? error->message
                                           : json_object_to_json_string(fx.host_full));
        g_clear_pointer(&fx.host_full, json_object_put);
    }
}

/* ---- this machine --------------------------------------------------- */

static void
test_this_machine(void)
{
    GHashTable *caps;
    GPtrArray *machines;

    if (!fx.host) {
        g_test_message("vmc_host_probe failed: %s", fx.probe_error);
        g_test_fail();
        return;
    }
    g_assert_cmpint(vmc_host_get_source(fx.host), ==, VMC_HOST_SOURCE_PROBE);
    g_assert_nonnull(vmc_host_get_kernel(fx.host));
    caps = vmc_host_get_capabilities(fx.host);
    g_assert_nonnull(g_hash_table_lookup(caps, "tun"));
    g_assert_nonnull(g_hash_table_lookup(caps, "vhost-net"));
    if (vmc_host_has_kvm(fx.host)) {
        g_assert_cmpint(fx.host->kvm_api_version, ==, 12);
        g_assert_nonnull(g_hash_table_lookup(caps, "kvm.cap.x2apic-api"));
        g_assert_nonnull(g_hash_table_lookup(caps, "kvm.pv.async-pf-int"));
    }
    for (guint i = 0; i < vmc_host_get_notes(fx.host)->len; i++)
        g_test_message("note: %s",
                       (const char *) g_ptr_array_index(vmc_host_get_notes(fx.host), i));
    machines = vmc_host_get_machine_types(fx.host);
    g_test_message("%u hardware features, %u KVM features, %u capabilities",
                   vmc_feature_set_count(&fx.host->hw_features),
                   vmc_feature_set_count(&fx.host->kvm_features),
                   g_hash_table_size(caps));
    g_test_message("QEMU %s, %u machine types",
                   vmc_host_get_qemu_version(fx.host) ? vmc_host_get_qemu_version(fx.host) : "-",
                   machines ? machines->len : 0);

#if defined(__x86_64__)
    {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcCpuDef) hw = NULL;
        const VmcCpuDef *cpu = vmc_host_get_cpu(fx.host);
        VmcFeatureSet eff, want;

        /* The hardware CPU decodes with the same code as `cpu decode`. */
        ASSERT_NONNULL(fx.host->cpuid);
        g_assert_cmpuint(vmc_feature_set_count(&fx.host->hw_features), >, 20);
        g_assert_nonnull(fx.host->vendor);
        g_assert_true(fx.host->has_signature);
        hw = vmc_cpu_decode(fx.cat, fx.host->cpuid, VMC_CPU_TYPE_HOST, NULL, NULL,
                            &error);
        VMC_ASSERT_OK(hw, error);
        g_assert_nonnull(vmc_cpu_def_get_vendor(hw));
        g_assert_nonnull(vmc_cpu_def_get_model(hw));
        g_test_message("hardware CPU: %s %s (family %u model %u stepping %u)",
                       vmc_cpu_def_get_vendor(hw), vmc_cpu_def_get_model(hw),
                       fx.host->family, fx.host->model, fx.host->stepping);

        /* The host CPU carries exactly what the probe measured. */
        ASSERT_NONNULL(cpu);
        VMC_ASSERT_OK(vmc_cpu_effective_features(cpu, &eff, &error), error);
        want = vmc_host_has_kvm(fx.host) ? fx.host->kvm_features : fx.host->hw_features;
        if (!vmc_feature_set_equal(&eff, &want)) {
            VmcFeatureSet a, b;
            g_autofree char *x = NULL, *y = NULL;
            vmc_feature_set_andnot(&a, &want, &eff);
            vmc_feature_set_andnot(&b, &eff, &want);
            x = names(&a);
            y = names(&b);
            g_test_message("host CPU vs probe: lost %s; added %s", x, y);
            g_test_fail();
        }
    }
#endif
}

/* A sysroot with no /dev, then one whose /dev/kvm is a plain file. */
static void
test_no_kvm(void)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *root = g_dir_make_tmp("vmc-sysroot-XXXXXX", &error);
    g_autofree char *dev = NULL, *net = NULL, *kvm = NULL, *tun = NULL;
    VmcHostProbeOptions opts = { .version = VMC_HOST_PROBE_OPTIONS_VERSION };
    gboolean noted = FALSE;

    VMC_ASSERT_OK(root, error);
    opts.sysroot = root;
    {
        g_autoptr(VmcHost) h = vmc_host_probe(fx.cat, &opts, &error);
        VMC_ASSERT_OK(h, error);
        g_assert_false(vmc_host_has_kvm(h));
        g_assert_cmpstr(g_hash_table_lookup(vmc_host_get_capabilities(h), "tun"), ==, "no");
        g_assert_cmpstr(g_hash_table_lookup(vmc_host_get_capabilities(h), "vhost-net"), ==,
                        "no");
        g_assert_cmpstr(g_hash_table_lookup(vmc_host_get_capabilities(h), "tap.uso"), ==,
                        "no");
        for (guint i = 0; i < vmc_host_get_notes(h)->len; i++)
            noted |= strstr(g_ptr_array_index(vmc_host_get_notes(h), i), "KVM absent") != NULL;
        g_assert_true(noted);
    }
    /* Files where devices should be: noted, never mistaken for them. */
    dev = g_build_filename(root, "dev", NULL);
    net = g_build_filename(dev, "net", NULL);
    kvm = g_build_filename(dev, "kvm", NULL);
    tun = g_build_filename(net, "tun", NULL);
    g_assert_cmpint(g_mkdir_with_parents(net, 0700), ==, 0);
    g_assert_true(g_file_set_contents(kvm, "not a device", -1, NULL));
    g_assert_true(g_file_set_contents(tun, "not a device", -1, NULL));
    {
        g_autoptr(VmcHost) h = vmc_host_probe(fx.cat, &opts, &error);
        const char *v;
        VMC_ASSERT_OK(h, error);
        g_assert_false(vmc_host_has_kvm(h));
        noted = FALSE;
        for (guint i = 0; i < vmc_host_get_notes(h)->len; i++)
            noted |= strstr(g_ptr_array_index(vmc_host_get_notes(h), i), "KVM not usable") != NULL;
        g_assert_true(noted);
        v = g_hash_table_lookup(vmc_host_get_capabilities(h), "tun");
        g_assert_true(v && g_str_has_prefix(v, "unknown: "));
        v = g_hash_table_lookup(vmc_host_get_capabilities(h), "tap.uso");
        g_assert_true(v && g_str_has_prefix(v, "unknown: "));
        g_assert_false(vmc_host_has_capability(h, "tun"));
    }
    g_unlink(tun);
    g_unlink(kvm);
    g_rmdir(net);
    g_rmdir(dev);
    g_rmdir(root);
}

/* ---- the probe vs QEMU ----------------------------------------------- */

/* The exception for @id on @side, or NULL. */
static const char *
exception_for(guint id, Side side)
{
    const char *name = vmc_feature_get_name(feature(id));

    for (guint i = 0; i < G_N_ELEMENTS(host_exceptions); i++)
        if (host_exceptions[i].side == side &&
            g_str_equal(host_exceptions[i].feature, name))
            return host_exceptions[i].reason;
    return NULL;
}

/* Compare @ours with QEMU's "host" by the rules in the file comment. */
static void
compare_with_qemu(const char *what, const VmcFeatureSet *ours)
{
    const VmcFeatureSet *migratable =
        vmc_catalog_migratable_features(fx.cat, VMC_ARCH_X86_64);
    VmcFeatureSet a = *ours, q = fx.qemu_host, unknown, only_q, only_p;
    g_autoptr(GString) bad = g_string_new(NULL);

    vmc_feature_set_andnot(&unknown, ours, &fx.known);
    if (!vmc_feature_set_is_empty(&unknown)) {
        g_autofree char *n = names(&unknown);
        g_test_message("%s: not known to this QEMU (not compared): %s", what, n);
    }
    vmc_feature_set_and(&a, &a, &fx.known);
    vmc_feature_set_and(&q, &q, &fx.known);
    vmc_feature_set_andnot(&only_q, &q, &a);
    vmc_feature_set_andnot(&only_p, &a, &q);

    VMC_FEATURE_SET_FOREACH(&only_q, i) {
        const char *why = exception_for((guint) i, ONLY_QEMU);
        if (why)
            g_test_message("%s: only QEMU has %s: %s", what,
                           vmc_feature_get_name(feature((guint) i)), why);
        else
            g_string_append_printf(bad, " +%s", vmc_feature_get_name(feature((guint) i)));
    }
    VMC_FEATURE_SET_FOREACH(&only_p, i) {
        const char *why = exception_for((guint) i, ONLY_PROBE);
        if (!why && !vmc_feature_set_has(migratable, (guint) i))
            why = "QEMU's host is migratable=on and drops unmigratable features";
        if (why)
            g_test_message("%s: only the probe has %s: %s", what,
                           vmc_feature_get_name(feature((guint) i)), why);
        else
            g_string_append_printf(bad, " -%s", vmc_feature_get_name(feature((guint) i)));
    }
    if (bad->len) {
        g_test_message("%s vs QEMU 'host': unexplained (+QEMU only, -probe only):%s",
                       what, bad->str);
        g_test_fail();
    }
}

static gboolean
need_qemu(void)
{
    if (!fx.host) {
        g_test_message("vmc_host_probe failed: %s", fx.probe_error);
        g_test_fail();
        return FALSE;
    }
    if (!fx.host_full) {
        g_test_skip(fx.why_not);
        return FALSE;
    }
    if (!vmc_host_has_kvm(fx.host)) {
        g_test_message("QEMU started with KVM, but the probe says KVM is absent");
        g_test_fail();
        return FALSE;
    }
    return TRUE;
}

static void
test_kvm_vs_qemu(void)
{
    if (!need_qemu())
        return;
    g_test_message("QEMU 'host': %u catalog features true, %u named",
                   vmc_feature_set_count(&fx.qemu_host), vmc_feature_set_count(&fx.known));
    compare_with_qemu("kvm_features", &fx.host->kvm_features);
}

static void
test_host_model_vs_qemu(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) disabled = NULL;
    g_autoptr(VmcCpuDef) model = NULL;
    const VmcFeatureSet *deprecated =
        vmc_catalog_deprecated_features(fx.cat, VMC_ARCH_X86_64);
    VmcFeatureSet eff, dis, expect_dis;

    if (!need_qemu())
        return;
    model = vmc_host_model(fx.host, &disabled, &error);
    VMC_ASSERT_OK(model, error);
    VMC_ASSERT_OK(vmc_cpu_effective_features(model, &eff, &error), error);
    vmc_feature_set_clear(&dis);
    for (guint i = 0; i < disabled->len; i++) {
        const VmcFeature *f = vmc_catalog_feature_lookup(fx.cat, VMC_ARCH_X86_64,
                                                         g_ptr_array_index(disabled, i));
        ASSERT_NONNULL(f);
        g_assert_true(vmc_feature_set_has(deprecated, vmc_feature_get_id(f)));
        g_assert_false(vmc_feature_set_has(&eff, vmc_feature_get_id(f)));
        vmc_feature_set_add(&dis, vmc_feature_get_id(f));
    }
    /* Seed 000: exactly the deprecated features the host has are off. */
    vmc_feature_set_and(&expect_dis, &fx.host->kvm_features, deprecated);
    g_assert_true(vmc_feature_set_equal(&dis, &expect_dis));
    g_test_message("host-model: %s, %u features, %u deprecated disabled",
                   vmc_cpu_def_get_model(model) ? vmc_cpu_def_get_model(model) : "(none)",
                   vmc_feature_set_count(&eff), disabled->len);
    /* QEMU 7.2 has no deprecated-props: its "host" keeps them on. */
    vmc_feature_set_or(&eff, &eff, &dis);
    compare_with_qemu("host-model", &eff);
}

/* The QEMU names of a reply's "return" (array of {"name"}), sorted. */
static GPtrArray *
reply_names(const char *json)
{
    g_autoptr(json_object) o = json_tokener_parse(json);
    json_object *list = jget(o, "return");
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    for (gsize i = 0; list && i < json_object_array_length(list); i++)
        g_ptr_array_add(out, g_strdup(json_object_get_string(
                                 jget(json_object_array_get_idx(list, i), "name"))));
    return out;
}

static void
test_qmp(void)
{
    static const char *const keys[] = {
        "query-version", "query-machines", "query-cpu-definitions",
        "query-cpu-model-expansion-static-host", "query-cpu-model-expansion-full-host",
        "query-cpu-model-expansion-static-max", "query-cpu-model-expansion-full-max",
    };
    VmcHostProbeOptions opts = { .version = VMC_HOST_PROBE_OPTIONS_VERSION,
                                 .qemu = QEMU_BINARY };
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcHost) h = NULL;
    GPtrArray *m1, *m2;

    if (!need_qemu())
        return;
    h = vmc_host_probe(fx.cat, &opts, &error);
    VMC_ASSERT_OK(h, error);
    for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
        const char *text = g_hash_table_lookup(h->qmp, keys[i]);
        g_autoptr(json_object) o = text ? json_tokener_parse(text) : NULL;
        if (!o || !jget(o, "return")) {
            g_test_message("qmp['%s']: %s", keys[i], text ? text : "(missing)");
            g_test_fail();
        }
    }
    /* QEMU's own words agree with what the probe measured alone. */
    g_assert_cmpstr(vmc_host_get_qemu_version(h), ==, vmc_host_get_qemu_version(fx.host));
    m1 = vmc_host_get_machine_types(h);
    m2 = vmc_host_get_machine_types(fx.host);
    ASSERT_NONNULL(m1);
    ASSERT_NONNULL(m2);
    g_assert_cmpuint(m1->len, ==, m2->len);
    for (guint i = 0; i < MIN(m1->len, m2->len); i++)
        g_assert_cmpstr(g_ptr_array_index(m1, i), ==, g_ptr_array_index(m2, i));
    g_assert_true(vmc_feature_set_equal(&h->kvm_features, &fx.host->kvm_features));
    {
        const char *text = g_hash_table_lookup(h->qmp, "query-cpu-model-expansion-full-host");
        g_autoptr(json_object) full = json_tokener_parse(text ? text : "null");
        VmcFeatureSet s, k;
        g_assert_true(qemu_props_features(full, &s, &k));
        g_assert_true(vmc_feature_set_equal(&s, &fx.qemu_host));
    }
    {
        const char *text = g_hash_table_lookup(h->qmp, "query-cpu-definitions");
        g_autoptr(GPtrArray) defs = reply_names(text ? text : "null");
        g_assert_cmpuint(defs->len, >, 10);
    }

    /* A QEMU that cannot start: the error names it. */
    g_clear_pointer(&h, vmc_host_unref);
    opts.qemu = "/nonexistent/qemu-system-x86_64";
    h = vmc_host_probe(fx.cat, &opts, &error);
    g_assert_null(h);
    ASSERT_NONNULL(error);
    g_assert_nonnull(strstr(error->message, "/nonexistent/qemu-system-x86_64"));
    g_clear_error(&error);
    opts.qemu = "false";
    h = vmc_host_probe(fx.cat, &opts, &error);
    g_assert_null(h);
    ASSERT_NONNULL(error);
    g_assert_nonnull(strstr(error->message, "'false'"));
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    VmcHostProbeOptions opts = { .version = VMC_HOST_PROBE_OPTIONS_VERSION };
    int ret;

    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();
    fx.cat = vmc_test_catalog();
    fx.host = vmc_host_probe(fx.cat, &opts, &error);
    if (!fx.host)
        fx.probe_error = g_strdup(error->message);
    fixture_start_qemu();

    g_test_add_func("/host-probe/this-machine", test_this_machine);
    g_test_add_func("/host-probe/no-kvm", test_no_kvm);
    g_test_add_func("/host-probe/kvm-vs-qemu", test_kvm_vs_qemu);
    g_test_add_func("/host-probe/host-model-vs-qemu", test_host_model_vs_qemu);
    g_test_add_func("/host-probe/qmp", test_qmp);
    ret = g_test_run();

    json_object_put(fx.host_full);
    vmc__qmp_client_free(fx.qemu);
    if (fx.host)
        vmc_host_unref(fx.host);
    g_free(fx.probe_error);
    g_free(fx.why_not);
    return ret;
}
