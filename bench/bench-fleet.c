/* bench-fleet.c: in-process figures of the fleet's answers on an inventory
 * (made by bench/bench-fleet.sh from gen-fleet.py's synthetic fleet).
 *   bench-fleet DB [GUEST]
 * Cold: the first call, which parses each host kind's document once; warm:
 * the median of 9 more. Baseline in the same run: vmc_fleet_hosts on one
 * host (an indexed query through the same store). The fleet baseline is
 * measured on vendor=GenuineIntel (three quarters of gen-fleet's hosts):
 * the whole fleet mixes vendors and is refused early. Not a test. */
#include "harness.h"

#include <stdio.h>
#include <sys/resource.h>

static double
now_ms(void)
{
    return g_get_monotonic_time() / 1000.0;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

typedef gboolean (*BenchFn)(VmcFleet *fleet, gpointer data);

static void
bench(const char *what, VmcFleet *fleet, BenchFn fn, gpointer data, double base)
{
    double t[10];
    for (int i = 0; i < 10; i++) {
        double a = now_ms();
        if (!fn(fleet, data)) {
            printf("%s: failed\n", what);
            return;
        }
        t[i] = now_ms() - a;
    }
    qsort(t + 1, 9, sizeof(double), cmp_double);
    printf("%-44s cold %9.2f ms   warm %9.3f ms   (%.0fx the baseline)\n", what, t[0], t[5],
           base > 0 ? t[5] / base : 0.0);
}

static gboolean
run_one_host(VmcFleet *fleet, gpointer data)
{
    g_autofree char *w = g_strdup_printf("host=%s", (const char *) data);
    g_autoptr(GArray) h = vmc_fleet_hosts(fleet, w, NULL);
    return h != NULL;
}

static gboolean
run_where(VmcFleet *fleet, gpointer data)
{
    g_autofree char *from = NULL;
    g_autoptr(VmcAbi) abi = vmc_fleet_guest_get(fleet, data, &from, NULL);
    g_autoptr(GArray) rows = abi ? vmc_fleet_where(fleet, abi, NULL, from, VMC_CPU_CHECK_DEFAULT, NULL, NULL)
                                 : NULL;
    return rows != NULL;
}

/* The baseline of a single-vendor selection: every kind's host-model
 * through vmc_cpu_baseline (it must succeed). */
static gboolean
run_baseline(VmcFleet *fleet, gpointer data)
{
    g_autoptr(VmcCpuDef) b = vmc_fleet_baseline(fleet, data, FALSE, NULL, NULL);
    return b != NULL;
}

/* The baseline of every host: gen-fleet's fleet mixes vendors, so this is
 * refused (the vendor check stops at the first mismatching pair) — a
 * figure of the refusal, not of a baseline. */
static gboolean
run_baseline_refused(VmcFleet *fleet, gpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) b = vmc_fleet_baseline(fleet, data, FALSE, NULL, &error);
    return b != NULL || g_error_matches(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE);
}

static gboolean
run_ladder(VmcFleet *fleet, gpointer data)
{
    g_autoptr(GArray) r = vmc_fleet_ladder(fleet, NULL, NULL);
    return r != NULL;
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcFleet) fleet = NULL;
    g_autoptr(GArray) hosts = NULL;
    const char *guest = argc > 2 ? argv[2] : NULL;
    double base_t[9], base;

    if (argc < 2) {
        fprintf(stderr, "usage: bench-fleet DB [GUEST] [--pools]\n");
        return 2;
    }
    if (!(fleet = vmc_fleet_open(vmc_test_catalog(), argv[1], &error)) ||
        !(hosts = vmc_fleet_hosts(fleet, NULL, &error))) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    printf("%u hosts, %u kinds\n", hosts->len, vmc_fleet_count_kinds(fleet));
    for (int i = 0; i < 9; i++) {
        double a = now_ms();
        run_one_host(fleet, g_array_index(hosts, VmcFleetHost, hosts->len / 2).name);
        base_t[i] = now_ms() - a;
    }
    qsort(base_t, 9, sizeof(double), cmp_double);
    base = base_t[4];
    printf("baseline: one host by name through the store: %.3f ms\n", base);
    if (guest)
        bench("where (migration targets of one guest)", fleet, run_where, (gpointer) guest, base);
    {
        g_autoptr(GArray) vendors = vmc_fleet_vendors(fleet, NULL, &error);
        for (guint i = 0; vendors && i < vendors->len; i++) {
            const VmcFleetVendor *v = &g_array_index(vendors, VmcFleetVendor, i);
            printf("  %s %s: %u hosts, %u kinds\n", v->arch, v->vendor ? v->vendor : "-",
                   v->n_hosts, v->n_kinds);
        }
    }
    /* the largest single-vendor selection of gen-fleet's fleet */
    bench("baseline --where vendor=GenuineIntel", fleet, run_baseline,
          (gpointer) "vendor=GenuineIntel", base);
    bench("baseline of every host (vendor mix: refused)", fleet, run_baseline_refused, NULL, base);
    bench("ladder", fleet, run_ladder, NULL, base);
    if (argc > 3 && g_str_equal(argv[3], "--pools")) {
        double a = now_ms();
        g_autoptr(GArray) p = vmc_fleet_pools(fleet, NULL, VMC_CPU_CHECK_DEFAULT, &error);
        struct rusage ru;
        double t = now_ms() - a;
        getrusage(RUSAGE_SELF, &ru);
        printf("pools: %u pools in %.0f ms; process peak RSS %ld MiB\n", p ? p->len : 0, t,
               ru.ru_maxrss / 1024);
    }
    return 0;
}
