/* test-parser-robustness.c: hostile inputs for every reader. Real inputs
 * (libvirt XML, CPUID dumps, QMP JSON, -cpu strings, cpu_map-style catalog
 * JSON, guests — libvirt domains, guest JSON, QEMU command lines — and
 * resolved ABIs) are truncated at every length class, byte-flipped and
 * spliced with garbage; each parser must return a result or a GError with
 * a message — never both, never neither, never a crash (scripts/test runs
 * this under ASan+UBSan). A guest that still parses is resolved on a host
 * fixture, and an ABI that results is written, read back, checked and
 * turned into QEMU arguments. */
#include "harness.h"

#include <json-c/json.h>
#include <string.h>

#define N_MUTATIONS 1500

typedef enum { KIND_XML, KIND_CPUID, KIND_QMP, KIND_CLI, KIND_GUEST, KIND_ABI } Kind;

static VmcHost *
robust_host(VmcArch arch)
{
    static VmcHost *hosts[VMC_ARCH_N];
    if (!hosts[arch]) {
        g_autofree char *p = vmc_test_source_path("tests", "data", "hosts",
                                                  arch == VMC_ARCH_S390X ? "s390x-kernel-6.1.json"
                                                                         : "x86_64-kernel-6.8.json",
                                                  NULL);
        g_autoptr(GError) error = NULL;
        hosts[arch] = vmc_host_load(vmc_test_catalog(), p, &error);
        g_assert_no_error(error);
    }
    return hosts[arch];
}

/* What a resolved ABI must survive: written, read back identically,
 * checked, turned into arguments (a result or an error, never both). */
static void
exercise_abi(const VmcAbi *abi, const VmcHost *host)
{
    g_autofree char *json = vmc_abi_to_json(abi);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcAbi) again = vmc_abi_parse(vmc_test_catalog(), json, strlen(json), "abi.json", &error);
    g_autoptr(VmcVerdict) v = NULL;
    g_auto(GStrv) args = NULL;

    g_assert_no_error(error);
    g_assert_nonnull(again);
    {
        g_autofree char *json2 = vmc_abi_to_json(again);
        g_assert_cmpstr(json, ==, json2);
    }
    v = vmc_abi_check(abi, host);
    g_assert_nonnull(v);
    for (guint i = 0; i < vmc_verdict_count(v); i++)
        g_assert_cmpuint(strlen(vmc_verdict_get(v, i)->message), >, 0);
    args = vmc_abi_qemu_args(abi, &error);
    g_assert_true((args == NULL) != (error == NULL));
}

static void
parse_one(Kind kind, const char *buf, gsize len)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GError) error = NULL;
    g_autofree char *z = g_strndup(buf, len);  /* -cpu strings are C strings */
    gboolean ok = FALSE;

    switch (kind) {
    case KIND_XML: {
        g_autoptr(GPtrArray) defs = vmc_cpu_def_parse_xml(cat, VMC_ARCH_X86_64, buf, (gssize) len,
                                                          "mut.xml", &error);
        ok = defs != NULL;
        if (defs) {
            for (guint i = 0; i < defs->len; i++) {
                g_autofree char *x = vmc_cpu_def_format_xml(g_ptr_array_index(defs, i), 0);
                g_assert_nonnull(x);
            }
        }
        break;
    }
    case KIND_CPUID: {
        g_autoptr(VmcCpuidData) d = vmc_cpuid_data_parse_xml(buf, (gssize) len, "mut.xml", &error);
        ok = d != NULL;
        if (d) {
            VmcFeatureSet set;
            g_autofree char *v = vmc_cpuid_data_vendor(d);
            vmc_cpuid_data_features(d, cat, &set);
        }
        break;
    }
    case KIND_QMP: {
        g_autoptr(VmcCpuDef) def = vmc_cpu_def_parse_qmp(cat, VMC_ARCH_N, buf, (gssize) len,
                                                         "mut.json", &error);
        ok = def != NULL;
        break;
    }
    case KIND_CLI: {
        g_autoptr(VmcCpuDef) def = vmc_cpu_def_parse_cli(cat, VMC_ARCH_N, z, &error);
        ok = def != NULL;
        break;
    }
    case KIND_GUEST: {
        g_autoptr(VmcGuest) g = vmc_guest_parse(cat, buf, len, "mut.guest", &error);
        ok = g != NULL;
        if (g) {
            VmcHost *host = robust_host(vmc_guest_get_arch(g) == VMC_ARCH_S390X ? VMC_ARCH_S390X
                                                                                : VMC_ARCH_X86_64);
            g_autoptr(GError) rerr = NULL;
            g_autoptr(VmcAbi) abi = vmc_guest_resolve(cat, g, host, NULL, &rerr);
            g_assert_true((abi == NULL) != (rerr == NULL));
            if (abi)
                exercise_abi(abi, host);
            else
                g_assert_cmpuint(strlen(rerr->message), >, 0);
        }
        break;
    }
    case KIND_ABI: {
        g_autoptr(VmcAbi) abi = vmc_abi_parse(cat, buf, len, "mut.json", &error);
        ok = abi != NULL;
        if (abi)
            exercise_abi(abi, robust_host(vmc_abi_get_arch(abi)));
        break;
    }
    }
    if (ok)
        g_assert_null(error);
    else {
        g_assert_nonnull(error);
        g_assert_true(error->domain == VMC_ERROR);
        g_assert_cmpuint(strlen(error->message), >, 0);
    }
}

static void
mutate_and_parse(Kind kind, const char *seed, gsize len, guint32 rng_seed)
{
    g_autoptr(GRand) r = g_rand_new_with_seed(rng_seed);
    static const char *const garbage[] = {
        "<", ">", "'", "\"", "&", "&#0;", "]]>", "<!ENTITY x SYSTEM 'file:///etc/passwd'>",
        "{", "}", ",", ":", "\\u0000", "\xff\xfe", "\0", "0x", "-", "+", "=", "=on",
        "<cpu>", "</cpu>", "<feature name='", "\"props\":", "null", "1e999",
    };

    parse_one(kind, seed, len);
    for (guint i = 0; i < N_MUTATIONS; i++) {
        g_autofree char *buf = g_malloc0(len + 65);
        memcpy(buf, seed, len);
        gsize n = len;
        switch (g_rand_int_range(r, 0, 4)) {
        case 0:  /* truncate */
            n = (gsize) g_rand_int_range(r, 0, (gint32) len + 1);
            break;
        case 1:  /* flip a few bytes */
            for (guint k = 0; k < 1 + (guint) g_rand_int_range(r, 0, 4) && len; k++)
                buf[g_rand_int_range(r, 0, (gint32) len)] ^= (char) (1 << g_rand_int_range(r, 0, 8));
            break;
        case 2: {  /* splice garbage in */
            const char *g = garbage[g_rand_int_range(r, 0, G_N_ELEMENTS(garbage))];
            gsize gl = strlen(g) ? strlen(g) : 1;
            gsize at = len ? (gsize) g_rand_int_range(r, 0, (gint32) len) : 0;
            if (gl > 64)
                gl = 64;
            memmove(buf + at + gl, buf + at, len - at);
            memcpy(buf + at, g, gl);
            n = len + gl;
            break;
        }
        default:  /* cut a slice out */
            if (len > 2) {
                gsize a = (gsize) g_rand_int_range(r, 0, (gint32) len);
                gsize b = a + (gsize) g_rand_int_range(r, 0, (gint32) (len - a));
                memmove(buf + a, buf + b, len - b);
                n = len - (b - a);
            }
            break;
        }
        parse_one(kind, buf, n);
    }
}

static void
test_xml(void)
{
    const char *files[] = { "x86_64-guest.xml", "x86_64-host.xml", "x86_64-baseline-simple.xml",
                            "x86_64-cpuid-Core-i7-8700-host.xml" };
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *p = vmc_test_shared_path("data", "libvirt", "data", files[i], NULL);
        gsize len = 0;
        g_autofree char *d = vmc_test_read(p, &len);
        if (!d)
            return;
        mutate_and_parse(KIND_XML, d, len, 1000 + i);
    }
}

static void
test_cpuid(void)
{
    g_autofree char *p = vmc_test_shared_path("data", "libvirt", "data",
                                              "x86_64-cpuid-Core-i7-8700.xml", NULL);
    gsize len = 0;
    g_autofree char *d = vmc_test_read(p, &len);
    if (d)
        mutate_and_parse(KIND_CPUID, d, len, 7);
}

static void
test_qmp(void)
{
    const char *seeds[] = {
        "{\"name\": \"z14\", \"props\": {\"csske\": false, \"msa8\": true, \"vx\": true}}",
        "{\"return\": {\"model\": {\"name\": \"Skylake-Client-v4\", \"props\": {\"avx512f\": true, \"family\": 6, \"vendor\": \"GenuineIntel\"}}}}",
    };
    for (guint i = 0; i < G_N_ELEMENTS(seeds); i++)
        mutate_and_parse(KIND_QMP, seeds[i], strlen(seeds[i]), 42 + i);
}

static void
test_cli(void)
{
    const char *seeds[] = {
        "Skylake-Client-v4,+avx512f,-hle,enforce,vendor=GenuineIntel,family=6",
        "z14,csske=off,msa8=on,check",
    };
    for (guint i = 0; i < G_N_ELEMENTS(seeds); i++)
        mutate_and_parse(KIND_CLI, seeds[i], strlen(seeds[i]), 99 + i);
}

/* Guest seeds: one of each syntax and the devices the readers map. */
static const char *const guest_seeds[] = {
    "xml-web-uso-6.8/guest.xml", "xml-qemu-commandline-global/guest.xml", "xml-s390x/guest.xml",
    "xml-cpu-custom-features/guest.xml", "json-guest/guest.json", "cmdline-device-props/guest.cmdline",
    "cmdline-cpu-features-tunable/guest.cmdline",
};

static void
test_guest(void)
{
    for (guint i = 0; i < G_N_ELEMENTS(guest_seeds); i++) {
        g_autofree char *p = vmc_test_source_path("tests", "data", "guests", guest_seeds[i], NULL);
        gsize len = 0;
        g_autofree char *d = vmc_test_read(p, &len);
        if (!d)
            return;
        mutate_and_parse(KIND_GUEST, d, len, 300 + i);
    }
}

static void
test_abi(void)
{
    const char *seeds[] = { "xml-web-uso-6.8/guest.xml", "xml-s390x/guest.xml" };
    for (guint i = 0; i < G_N_ELEMENTS(seeds); i++) {
        g_autofree char *p = vmc_test_source_path("tests", "data", "guests", seeds[i], NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcGuest) g = vmc_guest_load(vmc_test_catalog(), p, &error);
        g_autoptr(VmcAbi) abi = NULL;
        g_autofree char *json = NULL;
        g_assert_no_error(error);
        abi = vmc_guest_resolve(vmc_test_catalog(), g, robust_host(vmc_guest_get_arch(g)), NULL, &error);
        g_assert_no_error(error);
        json = vmc_abi_to_json(abi);
        mutate_and_parse(KIND_ABI, json, strlen(json), 400 + i);
    }
}

static void
test_huge(void)
{
    /* A 1 MiB -cpu string and an XML document with 100k features are bounded. */
    g_autoptr(GString) s = g_string_new("z14");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) def = NULL;
    g_autoptr(GPtrArray) defs = NULL;

    while (s->len < 1024 * 1024)
        g_string_append(s, ",vx=on");
    def = vmc_cpu_def_parse_cli(vmc_test_catalog(), VMC_ARCH_N, s->str, &error);
    g_assert_null(def);
    g_assert_error(error, VMC_ERROR, VMC_ERROR_LIMIT);
    g_clear_error(&error);

    g_string_assign(s, "<cpu><model>Penryn</model>");
    for (guint i = 0; i < 100000; i++)
        g_string_append(s, "<feature name='vmx'/>");
    g_string_append(s, "</cpu>");
    defs = vmc_cpu_def_parse_xml(vmc_test_catalog(), VMC_ARCH_X86_64, s->str, (gssize) s->len,
                                 "huge.xml", &error);
    g_assert_null(defs);
    g_assert_nonnull(error);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/robustness/libvirt-xml", test_xml);
    g_test_add_func("/robustness/cpuid-dump", test_cpuid);
    g_test_add_func("/robustness/qmp-json", test_qmp);
    g_test_add_func("/robustness/cli", test_cli);
    g_test_add_func("/robustness/guest", test_guest);
    g_test_add_func("/robustness/abi", test_abi);
    g_test_add_func("/robustness/huge", test_huge);
    return g_test_run();
}
