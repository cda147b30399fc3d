/* bench-cpu.c: CPU comparison and baseline speed — vmcompat vs QEMU.
 *
 * Not a test. Figures, in ns per operation:
 *   s390x compare (definitions ready, responsible properties included) and
 *   the same from QMP JSON text (parse both models, compare, build the
 *   reply), static expansion, and the N-way baseline per input CPU;
 *   x86_64 compare of two -cpu CPUs and baseline per input (or
 *   "x86: unavailable" when the x86 driver cannot answer);
 *   where qemu-system-s390x is on PATH, the same s390x requests answered by
 *   QEMU over QMP (round trip on a UNIX socket, TCG, -machine none) and the
 *   ratio QEMU / vmcompat.
 * Each vmcompat figure runs for about 0.3 s (doubling batches), each QEMU
 * figure a fixed number of requests; the whole run takes well under 30 s.
 * Output: one line per figure, then one JSON line {"bench": "cpu", ...}.
 *
 * Usage: build/bench/bench-cpu [--quick]
 */
#include "harness.h"
#include "qmp-agree.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MIN_SECONDS 0.3
#define QEMU_REQUESTS 400

typedef struct {
    GPtrArray *names;          /* figure names */
    GArray *values;            /* double ns/op */
    GPtrArray *notes;          /* "x86: unavailable" and the like */
    double min_seconds;
} Bench;

static double
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

/* Record and print one figure. */
static void
figure(Bench *b, const char *name, double ns, const char *unit)
{
    g_ptr_array_add(b->names, g_strdup(name));
    g_array_append_val(b->values, ns);
    printf("%-44s %12.1f ns/%s\n", name, ns, unit);
    fflush(stdout);
}

static double
figure_value(const Bench *b, const char *name)
{
    for (guint i = 0; i < b->names->len; i++)
        if (g_str_equal(g_ptr_array_index(b->names, i), name))
            return g_array_index(b->values, double, i);
    return 0;
}

typedef gboolean (*BenchFn)(gpointer data);

/* ns per call of @fn: doubling batches until one lasts min_seconds. */
static double
run(const Bench *b, BenchFn fn, gpointer data)
{
    guint64 n = 16;

    for (;;) {
        double t0 = now_ns(), dt;
        for (guint64 i = 0; i < n; i++)
            if (!fn(data))
                return -1;
        dt = now_ns() - t0;
        if (dt >= b->min_seconds * 1e9 || n >= (G_GUINT64_CONSTANT(1) << 32))
            return dt / (double) n;
        n *= 2;
    }
}

/* ---- vmcompat operations ---------------------------------------------------- */

typedef struct {
    VmcCpuDef *a, *b;
} Pair;

static gboolean
op_compare(gpointer data)
{
    Pair *p = data;
    g_autoptr(GPtrArray) resp = NULL;
    VmcCompareResult r;
    return vmc_cpu_compare(p->a, p->b, &r, &resp, NULL);
}

typedef struct {
    VmcCatalog *cat;
    const char *a_json, *b_json;
} JsonPair;

/* The whole QMP-shaped job: parse both models, compare, build the reply
 * text — what QEMU does per request, minus the socket. */
static gboolean
op_compare_json(gpointer data)
{
    JsonPair *p = data;
    g_autoptr(VmcCpuDef) a = vmc_cpu_def_parse_qmp(p->cat, VMC_ARCH_S390X, p->a_json, -1,
                                                   NULL, NULL);
    g_autoptr(VmcCpuDef) b = vmc_cpu_def_parse_qmp(p->cat, VMC_ARCH_S390X, p->b_json, -1,
                                                   NULL, NULL);
    g_autoptr(GPtrArray) resp = NULL;
    g_autoptr(json_object) reply = NULL;
    VmcCompareResult r;

    if (!a || !b || !vmc_cpu_compare(a, b, &r, &resp, NULL))
        return FALSE;
    reply = vmc_qmp_reply_from_comparison(r, resp);
    return json_object_to_json_string(reply) != NULL;
}

static gboolean
op_expand_static(gpointer data)
{
    g_autoptr(VmcCpuDef) r = vmc_cpu_expand(data, VMC_EXPANSION_STATIC, NULL, NULL);
    return r != NULL;
}

typedef struct {
    GPtrArray *cpus;
} Many;

static gboolean
op_baseline(gpointer data)
{
    Many *m = data;
    g_autoptr(VmcCpuDef) r = vmc_cpu_baseline((VmcCpuDef *const *) m->cpus->pdata,
                                              m->cpus->len, NULL, VMC_BASELINE_DEFAULT, NULL);
    return r != NULL;
}

static VmcCpuDef *
cli(VmcCatalog *cat, VmcArch arch, const char *s, GError **error)
{
    return vmc_cpu_def_parse_cli(cat, arch, s, error);
}

/* Non-static catalog models of @arch (only those in @only, or of vendor
 * @vendor, when given), cycled up to @n definitions. */
static GPtrArray *
many_cpus(VmcCatalog *cat, VmcArch arch, guint n, const char *const *only,
          const char *vendor)
{
    GPtrArray *cpus = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    for (guint i = 0; i < vmc_catalog_model_count(cat, arch); i++) {
        const VmcCpuModel *m = vmc_catalog_model(cat, arch, i);
        if (vmc_cpu_model_is_static(m))
            continue;
        if (only && !g_strv_contains(only, vmc_cpu_model_get_name(m)))
            continue;
        if (vendor && g_strcmp0(vmc_cpu_model_get_vendor(m), vendor) != 0)
            continue;
        g_ptr_array_add(names, (gpointer) vmc_cpu_model_get_name(m));
    }
    for (guint i = 0; i < n && names->len; i++) {
        VmcCpuDef *d = cli(cat, arch, g_ptr_array_index(names, i % names->len), NULL);
        if (d)
            g_ptr_array_add(cpus, d);
    }
    return cpus;
}

/* ---- s390x ------------------------------------------------------------------ */

/* Recent models QEMU 7.2 knows: the baseline's worst case. */
static const char *const recent[] = { "gen15a", "gen15b", "gen16a", "gen16b", NULL };

static const struct {
    const char *label, *a, *b;
} s390x_pairs[] = {
    { "z13-vs-z14", "z13", "z14" },
    { "z14+csske=off-vs-z14", "z14,csske=off", "z14" },
    { "gen15a-vs-z14", "gen15a", "z14" },
};

/* The same pair as QMP CpuModelInfo text (transfer full). */
static char *
spec_json(const char *spec)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    g_autoptr(GString) s = g_string_new(NULL);

    g_string_append_printf(s, "{\"name\": \"%s\"", parts[0]);
    if (parts[1]) {
        g_string_append(s, ", \"props\": {");
        for (char **p = parts + 1; *p; p++) {
            g_auto(GStrv) kv = g_strsplit(*p, "=", 2);
            g_string_append_printf(s, "%s\"%s\": %s", p == parts + 1 ? "" : ", ", kv[0],
                                   kv[1] && g_str_equal(kv[1], "on") ? "true" : "false");
        }
        g_string_append(s, "}");
    }
    g_string_append(s, "}");
    return g_strdup(s->str);
}

static void
bench_s390x(Bench *b, VmcCatalog *cat)
{
    g_autoptr(GError) error = NULL;

    for (gsize i = 0; i < G_N_ELEMENTS(s390x_pairs); i++) {
        g_autoptr(VmcCpuDef) a = cli(cat, VMC_ARCH_S390X, s390x_pairs[i].a, &error);
        g_autoptr(VmcCpuDef) c = cli(cat, VMC_ARCH_S390X, s390x_pairs[i].b, &error);
        g_autofree char *aj = spec_json(s390x_pairs[i].a);
        g_autofree char *bj = spec_json(s390x_pairs[i].b);
        g_autofree char *n1 = g_strdup_printf("s390x.compare.%s", s390x_pairs[i].label);
        g_autofree char *n2 = g_strdup_printf("s390x.compare_json.%s", s390x_pairs[i].label);
        Pair p = { a, c };
        JsonPair jp = { cat, aj, bj };

        if (!a || !c) {
            g_printerr("bench: %s\n", error->message);
            return;
        }
        figure(b, n1, run(b, op_compare, &p), "op");
        figure(b, n2, run(b, op_compare_json, &jp), "op");
    }
    {
        g_autoptr(VmcCpuDef) z14 = cli(cat, VMC_ARCH_S390X, "z14", NULL);
        figure(b, "s390x.expand_static.z14", run(b, op_expand_static, z14), "op");
    }
    {
        /* Models QEMU 7.2 knows too, so the QEMU chain can run the same list. */
        static const char *const known[] = {
            "z900", "z990", "z9EC", "z10EC", "z196", "zEC12", "z13", "z13s", "z14",
            "z14ZR1", "gen15a", "gen15b", "gen16a", "gen16b", NULL,
        };
        static const guint sizes[] = { 14, 1000 };
        for (gsize k = 0; k < G_N_ELEMENTS(sizes); k++) {
            Many m = { many_cpus(cat, VMC_ARCH_S390X, sizes[k], known, NULL) };
            g_autofree char *n = g_strdup_printf("s390x.baseline.%u_cpus", m.cpus->len);
            figure(b, n, run(b, op_baseline, &m) / m.cpus->len, "input");
            g_ptr_array_unref(m.cpus);
        }
        /* Worst case: every step stays at gen 15+, so s390_find_cpu_def
         * scans nearly all definitions (the list above drops to gen 7 at
         * once). */
        {
            Many m = { many_cpus(cat, VMC_ARCH_S390X, 1000, recent, NULL) };
            figure(b, "s390x.baseline.1000_cpus_gen15+", run(b, op_baseline, &m) / m.cpus->len,
                   "input");
            g_ptr_array_unref(m.cpus);
        }
    }
}

/* ---- x86_64 ------------------------------------------------------------------ */

static void
bench_x86(Bench *b, VmcCatalog *cat)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) a = cli(cat, VMC_ARCH_X86_64, "Skylake-Client-v4", &error);
    g_autoptr(VmcCpuDef) c = NULL;
    g_autoptr(GPtrArray) resp = NULL;
    VmcCompareResult r;
    Pair p;

    if (a)
        c = cli(cat, VMC_ARCH_X86_64, "Cascadelake-Server-v1", &error);
    if (!a || !c || !vmc_cpu_compare(a, c, &r, &resp, &error)) {
        printf("x86: unavailable (%s)\n", error ? error->message : "no answer");
        g_ptr_array_add(b->notes, g_strdup("x86: unavailable"));
        return;
    }
    p.a = a;
    p.b = c;
    figure(b, "x86_64.compare.Skylake-Client-v4-vs-Cascadelake-Server-v1",
           run(b, op_compare, &p), "op");
    {
        Many m = { many_cpus(cat, VMC_ARCH_X86_64, 1000, NULL, "Intel") };
        g_autoptr(VmcCpuDef) t = vmc_cpu_baseline((VmcCpuDef *const *) m.cpus->pdata,
                                                  m.cpus->len, NULL, 0, &error);
        if (t) {
            g_autofree char *n = g_strdup_printf("x86_64.baseline.%u_cpus", m.cpus->len);
            figure(b, n, run(b, op_baseline, &m) / m.cpus->len, "input");
        } else {
            printf("x86 baseline: unavailable (%s)\n", error->message);
            g_ptr_array_add(b->notes, g_strdup("x86 baseline: unavailable"));
        }
        g_ptr_array_unref(m.cpus);
    }
}

/* ---- QEMU over QMP -------------------------------------------------------------- */

/* ns per request of @req (QMP round trip), or -1. */
static double
qemu_requests(VmcQmpClient *q, const char *req_text, guint n)
{
    g_autoptr(json_object) req = json_tokener_parse(req_text);
    double t0;

    t0 = now_ns();
    for (guint i = 0; i < n; i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(json_object) r = vmc__qmp_client_request(q, req, &error);
        if (!r || !json_object_object_get_ex(r, "return", NULL)) {
            g_printerr("bench: QEMU: %s\n", r ? json_object_to_json_string(r) : error->message);
            return -1;
        }
    }
    return (now_ns() - t0) / n;
}

/* QEMU's N-way baseline as libvirt does it: chained pairwise requests. */
static double
qemu_baseline_chain(VmcQmpClient *q, const char *const *names, guint n_inputs)
{
    g_autoptr(json_object) acc = NULL;
    guint n_names = g_strv_length((char **) names);
    double t0 = now_ns();

    acc = json_tokener_parse("{}");
    json_object_object_add(acc, "name", json_object_new_string(names[0]));
    for (guint i = 1; i < n_inputs; i++) {
        g_autoptr(json_object) req = json_object_new_object();
        g_autoptr(json_object) args = json_object_new_object();
        g_autoptr(json_object) modelb = json_object_new_object();
        g_autoptr(GError) error = NULL;
        g_autoptr(json_object) r = NULL;
        json_object *ret = NULL, *model = NULL;

        json_object_object_add(modelb, "name", json_object_new_string(names[i % n_names]));
        json_object_object_add(args, "modela", json_object_get(acc));
        json_object_object_add(args, "modelb", json_object_get(modelb));
        json_object_object_add(req, "execute", json_object_new_string("query-cpu-model-baseline"));
        json_object_object_add(req, "arguments", json_object_get(args));
        r = vmc__qmp_client_request(q, req, &error);
        if (!r || !json_object_object_get_ex(r, "return", &ret) ||
            !json_object_object_get_ex(ret, "model", &model)) {
            g_printerr("bench: QEMU baseline: %s\n",
                       r ? json_object_to_json_string(r) : error->message);
            return -1;
        }
        json_object_put(acc);
        acc = json_object_get(model);
    }
    return (now_ns() - t0) / n_inputs;
}

static void
bench_qemu(Bench *b)
{
    static const char *const args[] = {
        "-machine", "none", "-accel", "tcg", "-nodefaults", "-nographic", "-S", NULL,
    };
    static const char *const chain[] = {
        "z900", "z990", "z9EC", "z10EC", "z196", "zEC12", "z13", "z13s", "z14",
        "z14ZR1", "gen15a", "gen15b", "gen16a", "gen16b", NULL,
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcQmpClient) q = NULL;
    guint n = b->min_seconds < MIN_SECONDS ? QEMU_REQUESTS / 4 : QEMU_REQUESTS;

    if (!vmc_test_have_program("qemu-system-s390x")) {
        printf("qemu: unavailable (qemu-system-s390x not on PATH)\n");
        g_ptr_array_add(b->notes, g_strdup("qemu: unavailable"));
        return;
    }
    q = vmc__qmp_client_spawn("qemu-system-s390x", args, 0, &error);
    if (!q) {
        printf("qemu: unavailable (%s)\n", error->message);
        g_ptr_array_add(b->notes, g_strdup("qemu: unavailable"));
        return;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(s390x_pairs); i++) {
        g_autofree char *aj = spec_json(s390x_pairs[i].a);
        g_autofree char *bj = spec_json(s390x_pairs[i].b);
        g_autofree char *req = g_strdup_printf(
            "{\"execute\": \"query-cpu-model-comparison\", \"arguments\": "
            "{\"modela\": %s, \"modelb\": %s}}", aj, bj);
        g_autofree char *name = g_strdup_printf("qemu.compare.%s", s390x_pairs[i].label);
        figure(b, name, qemu_requests(q, req, n), "op");
    }
    figure(b, "qemu.expand_static.z14",
           qemu_requests(q, "{\"execute\": \"query-cpu-model-expansion\", \"arguments\": "
                            "{\"type\": \"static\", \"model\": {\"name\": \"z14\"}}}", n),
           "op");
    figure(b, "qemu.baseline.14_cpus", qemu_baseline_chain(q, chain, 14), "input");
    figure(b, "qemu.baseline.1000_cpus", qemu_baseline_chain(q, chain, 1000), "input");
    figure(b, "qemu.baseline.1000_cpus_gen15+", qemu_baseline_chain(q, recent, 1000), "input");
}

/* ---- main ----------------------------------------------------------------------- */

static void
ratios(const Bench *b, json_object *out)
{
    static const struct { const char *qemu, *ours, *label; } r[] = {
        { "qemu.compare.z13-vs-z14", "s390x.compare.z13-vs-z14", "compare.z13-vs-z14" },
        { "qemu.compare.z13-vs-z14", "s390x.compare_json.z13-vs-z14", "compare_json.z13-vs-z14" },
        { "qemu.compare.z14+csske=off-vs-z14", "s390x.compare.z14+csske=off-vs-z14",
          "compare.z14+csske=off-vs-z14" },
        { "qemu.compare.gen15a-vs-z14", "s390x.compare.gen15a-vs-z14", "compare.gen15a-vs-z14" },
        { "qemu.expand_static.z14", "s390x.expand_static.z14", "expand_static.z14" },
        { "qemu.baseline.14_cpus", "s390x.baseline.14_cpus", "baseline.14_cpus" },
        { "qemu.baseline.1000_cpus", "s390x.baseline.1000_cpus", "baseline.1000_cpus" },
        { "qemu.baseline.1000_cpus_gen15+", "s390x.baseline.1000_cpus_gen15+",
          "baseline.1000_cpus_gen15+" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(r); i++) {
        double q = figure_value(b, r[i].qemu), o = figure_value(b, r[i].ours);
        if (q <= 0 || o <= 0)
            continue;
        printf("ratio qemu/vmcompat %-28s %10.1fx\n", r[i].label, q / o);
        json_object_object_add(out, r[i].label, json_object_new_double(q / o));
    }
}

int
main(int argc, char **argv)
{
    Bench b = {
        .names = g_ptr_array_new_with_free_func(g_free),
        .values = g_array_new(FALSE, FALSE, sizeof(double)),
        .notes = g_ptr_array_new_with_free_func(g_free),
        .min_seconds = MIN_SECONDS,
    };
    g_autoptr(json_object) out = json_object_new_object();
    g_autoptr(json_object) figs = json_object_new_object();
    g_autoptr(json_object) rat = json_object_new_object();
    g_autoptr(json_object) notes = json_object_new_array();
    VmcCatalog *cat = vmc_test_catalog();
    double t0 = now_ns();

    if (argc > 1 && g_str_equal(argv[1], "--quick"))
        b.min_seconds = 0.05;
    bench_s390x(&b, cat);
    bench_x86(&b, cat);
    bench_qemu(&b);
    ratios(&b, rat);

    for (guint i = 0; i < b.names->len; i++)
        json_object_object_add(figs, g_ptr_array_index(b.names, i),
                               json_object_new_double(g_array_index(b.values, double, i)));
    for (guint i = 0; i < b.notes->len; i++)
        json_object_array_add(notes, json_object_new_string(g_ptr_array_index(b.notes, i)));
    json_object_object_add(out, "bench", json_object_new_string("cpu"));
    json_object_object_add(out, "unit",
                           json_object_new_string("ns per op (baseline: per input CPU)"));
    json_object_object_add(out, "figures", json_object_get(figs));
    json_object_object_add(out, "ratio_qemu_over_vmcompat", json_object_get(rat));
    json_object_object_add(out, "notes", json_object_get(notes));
    json_object_object_add(out, "seconds", json_object_new_double((now_ns() - t0) / 1e9));
    printf("%s\n", json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));

    g_ptr_array_unref(b.names);
    g_array_unref(b.values);
    g_ptr_array_unref(b.notes);
    return 0;
}
