/* bench-abi.c: resolving guests and checking ABIs, against what the same
 * answer costs by trial — starting QEMU with the arguments.
 *
 * Not a test. Figures (median of N runs):
 *   resolve       vmc_guest_resolve() of the USO guest on the 6.8 host
 *                 fixture (tests/data/guests/xml-web-uso-6.8), microseconds
 *   check         vmc_abi_check() of that ABI against the 5.15 host (the
 *                 "can it go there?" question), microseconds
 *   qemu -S       same-run baseline: qemu-system-x86_64 -S with the ABI's
 *                 arguments written for this QEMU (an ABI resolved for the
 *                 local QEMU), started over QMP and quit — the only way to
 *                 learn by trial whether a QEMU takes a command line
 * and the ratios. Output: lines, then one JSON line {"bench": "abi", ...}.
 *
 * Usage: build/bench/bench-abi [--quick]
 */
#include "harness.h"
#include "qmp-agree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QEMU_BINARY "qemu-system-x86_64"

static double
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double
median(double *t, guint n)
{
    qsort(t, n, sizeof(double), cmp_double);
    return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static VmcHost *
load_host(VmcCatalog *cat, const char *name)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = vmc_test_source_path("tests", "data", "hosts", name, NULL);
    VmcHost *h = vmc_host_load(cat, path, &error);
    if (!h)
        g_error("%s", error->message);
    return h;
}

int
main(int argc, char **argv)
{
    gboolean quick = argc > 1 && g_str_equal(argv[1], "--quick");
    guint n = quick ? 200 : 2000, nq = quick ? 3 : 9;
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(VmcHost) h68 = load_host(cat, "x86_64-kernel-6.8.json");
    g_autoptr(VmcHost) h515 = load_host(cat, "x86_64-kernel-5.15.json");
    g_autofree char *gpath = vmc_test_source_path("tests", "data", "guests", "xml-web-uso-6.8",
                                                  "guest.xml", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcGuest) guest = vmc_guest_load(cat, gpath, &error);
    g_autoptr(VmcAbi) abi = NULL;
    g_autofree double *t = g_new0(double, n);
    g_autofree char *qemu = g_find_program_in_path(QEMU_BINARY);
    double resolve_us, check_us, qemu_us = 0;

    if (!guest)
        g_error("%s", error->message);
    for (guint i = 0; i < n; i++) {
        double t0 = now_us();
        g_autoptr(VmcAbi) a = vmc_guest_resolve(cat, guest, h68, NULL, &error);
        t[i] = now_us() - t0;
        if (!a)
            g_error("%s", error->message);
        if (!abi)
            abi = g_steal_pointer(&a);
    }
    resolve_us = median(t, n);
    for (guint i = 0; i < n; i++) {
        double t0 = now_us();
        g_autoptr(VmcVerdict) v = vmc_abi_check(abi, h515);
        t[i] = now_us() - t0;
    }
    check_us = median(t, n);
    printf("resolve (USO guest, 6.8 host)  %9.1f us  (%u runs)\n", resolve_us, n);
    printf("check (that ABI, 5.15 host)    %9.1f us  (%u runs)\n", check_us, n);
    if (qemu) {
        /* an ABI for this machine's QEMU: plain q35 guest, TCG */
        const char *text = "{\"format\": 1, \"arch\": \"x86_64\", \"machine\": \"q35\", "
                           "\"accel\": \"tcg\", \"cpu\": \"qemu64\"}";
        VmcHostProbeOptions opts = { .version = VMC_HOST_PROBE_OPTIONS_VERSION };
        g_autoptr(VmcHost) me = vmc_host_probe(cat, &opts, &error);
        g_autoptr(VmcGuest) g = vmc_guest_parse(cat, text, strlen(text), "bench.json", &error);
        g_autoptr(VmcAbi) local = me && g ? vmc_guest_resolve(cat, g, me, NULL, &error) : NULL;
        g_auto(GStrv) args = local ? vmc_abi_qemu_args(local, &error) : NULL;
        g_autofree double *tq = g_new0(double, nq);
        if (!args) {
            printf("qemu -S baseline: unavailable (%s)\n", error ? error->message : "?");
        } else {
            g_autoptr(GStrvBuilder) b = g_strv_builder_new();
            g_auto(GStrv) full = NULL;
            g_strv_builder_add_many(b, "-S", "-nodefaults", "-display", "none", NULL);
            g_strv_builder_addv(b, (const char **) args);
            full = g_strv_builder_end(b);
            for (guint i = 0; i < nq; i++) {
                double t0 = now_us();
                g_autoptr(VmcQmpClient) c = vmc__qmp_client_spawn(qemu, (const char *const *) full,
                                                                 0, &error);
                if (!c)
                    g_error("%s", error->message);
                g_clear_pointer(&c, vmc__qmp_client_free);
                tq[i] = now_us() - t0;
            }
            qemu_us = median(tq, nq);
            printf("qemu -S with the ABI's args   %9.1f us  (%u runs)\n", qemu_us, nq);
            printf("ratio qemu -S / resolve        %9.0fx\n", qemu_us / resolve_us);
            printf("ratio qemu -S / check          %9.0fx\n", qemu_us / check_us);
        }
    } else {
        printf("%s not on PATH: the baseline is not measured\n", QEMU_BINARY);
    }
    printf("{\"bench\": \"abi\", \"resolve_us\": %.1f, \"check_us\": %.1f, \"qemu_start_us\": %.1f}\n",
           resolve_us, check_us, qemu_us);
    return 0;
}
