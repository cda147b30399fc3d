/* bench-probe.c: wall time of the host probe — vmcompat's own measurement
 * of this machine, and the same with QEMU asked over QMP.
 *
 * Not a test. Figures, in milliseconds (median of N runs, with min and max):
 *   probe               vmc_host_probe() without QEMU (CPUID, /dev/kvm,
 *                       kernel, vhost/tap, the installed QEMU's --version
 *                       and -machine help); target ≤ 50 ms
 *   probe --qemu        the same with opts->qemu = qemu-system-x86_64
 *                       (-machine none -S, KVM when present, ~7 QMP
 *                       commands), when QEMU is on PATH
 *   qemu --version      same-run baseline: one `qemu-system-x86_64
 *                       --version` (spawn, dynamic loading, exit)
 * and the ratios probe --qemu / probe and probe / qemu --version. The
 * probe's own stages are logged with G_MESSAGES_DEBUG=vmcompat.
 * Output: one line per figure, then one JSON line {"bench": "probe", ...}.
 *
 * Usage: build/bench/bench-probe [--quick]
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QEMU_BINARY "qemu-system-x86_64"
#define TARGET_MS 50.0

typedef struct {
    double median, min, max;
    guint n;
} Figure;

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

typedef gboolean (*BenchFn)(gpointer data, GError **error);

/* Median/min/max of @n timed calls of @fn; FALSE with @error on failure. */
static gboolean
measure(BenchFn fn, gpointer data, guint n, Figure *ret, GError **error)
{
    g_autofree double *t = g_new0(double, n);

    for (guint i = 0; i < n; i++) {
        double t0 = now_ms();
        if (!fn(data, error))
            return FALSE;
        t[i] = now_ms() - t0;
    }
    qsort(t, n, sizeof(double), cmp_double);
    ret->median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    ret->min = t[0];
    ret->max = t[n - 1];
    ret->n = n;
    return TRUE;
}

static void
print_figure(const char *name, const Figure *f)
{
    printf("%-22s %9.1f ms  (min %.1f, max %.1f, %u runs)\n", name, f->median,
           f->min, f->max, f->n);
    fflush(stdout);
}

typedef struct {
    VmcCatalog *cat;
    const char *qemu;          /* opts->qemu or NULL */
} ProbeArgs;

static gboolean
op_probe(gpointer data, GError **error)
{
    ProbeArgs *a = data;
    VmcHostProbeOptions opts = { .version = VMC_HOST_PROBE_OPTIONS_VERSION,
                                 .qemu = a->qemu };
    g_autoptr(VmcHost) host = vmc_host_probe(a->cat, &opts, error);

    return host != NULL;
}

static gboolean
op_qemu_version(gpointer data, GError **error)
{
    const char *argv[] = { data, "--version", NULL };
    g_autofree char *out = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **) argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                      NULL, &out, NULL, &status, error))
        return FALSE;
    return g_spawn_check_wait_status(status, error);
}

int
main(int argc, char **argv)
{
    gboolean quick = argc > 1 && g_str_equal(argv[1], "--quick");
    guint n_probe = quick ? 5 : 21, n_qemu = quick ? 2 : 7;
    g_autoptr(GError) error = NULL;
    g_autofree char *qemu = g_find_program_in_path(QEMU_BINARY);
    ProbeArgs pa = { .cat = vmc_test_catalog() };
    Figure probe = { 0 }, with_qemu = { 0 }, version = { 0 };
    g_autoptr(GString) json = g_string_new("{\"bench\": \"probe\"");

    /* One warm-up run (page cache, catalog resources). */
    if (!op_probe(&pa, &error)) {
        g_printerr("bench-probe: vmc_host_probe: %s\n", error->message);
        return 1;
    }
    if (!measure(op_probe, &pa, n_probe, &probe, &error)) {
        g_printerr("bench-probe: vmc_host_probe: %s\n", error->message);
        return 1;
    }
    print_figure("probe", &probe);
    g_string_append_printf(json, ", \"probe_ms\": %.2f, \"target_ms\": %.0f",
                           probe.median, TARGET_MS);

    if (!qemu) {
        printf("%s not on PATH: probe --qemu and the baseline are not measured\n",
               QEMU_BINARY);
    } else {
        pa.qemu = qemu;
        if (!measure(op_probe, &pa, n_qemu, &with_qemu, &error)) {
            printf("probe --qemu: unavailable (%s)\n", error->message);
            g_clear_error(&error);
        } else {
            print_figure("probe --qemu", &with_qemu);
            g_string_append_printf(json, ", \"probe_qemu_ms\": %.2f", with_qemu.median);
        }
        if (!measure(op_qemu_version, qemu, n_probe, &version, &error)) {
            printf("qemu --version: unavailable (%s)\n", error->message);
            g_clear_error(&error);
        } else {
            print_figure("qemu --version", &version);
            g_string_append_printf(json, ", \"qemu_version_ms\": %.2f", version.median);
        }
    }
    if (with_qemu.n > 0) {
        printf("ratio probe --qemu / probe:      %.1fx\n", with_qemu.median / probe.median);
        g_string_append_printf(json, ", \"qemu_ratio\": %.2f", with_qemu.median / probe.median);
    }
    if (version.n > 0) {
        printf("ratio probe / qemu --version:    %.2fx\n", probe.median / version.median);
        g_string_append_printf(json, ", \"version_ratio\": %.2f",
                               probe.median / version.median);
    }
    printf("target: probe ≤ %.0f ms: %s\n", TARGET_MS,
           probe.median <= TARGET_MS ? "met" : "MISSED");
    g_string_append(json, "}");
    printf("%s\n", json->str);
    return 0;
}
