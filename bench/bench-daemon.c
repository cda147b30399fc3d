/* bench-daemon.c: vmcompatd under load — requests per second and p50/p99
 * latency of query-cpu-model-comparison with 1, 8 and 64 concurrent
 * clients, and the same request, in the same run, against QEMU's own QMP
 * (qemu-system-s390x, TCG, -machine none, one monitor per client) as a
 * ratio.
 *
 * Not a test: nothing is asserted. Each client is a connection of the
 * library's QMP client (the same code for both servers) with one request
 * outstanding (closed loop); one load thread drives all of them with
 * poll(). The daemon runs with its defaults. Targets (issue 7): >= 50,000
 * requests/s on 2 cores; p99 <= 1 ms at 64 clients.
 *
 * On a VM, one client is bound by the wake-up of the other vCPU (tens of
 * microseconds); --same-cpu runs everything on CPU 0 to show the servers'
 * own round trip.
 *
 * Usage: build/bench/bench-daemon [--seconds S] [--vmcompatd PATH] [--quick] [--same-cpu]
 *        build/bench/bench-daemon --connect SOCKET [--seconds S]   (a running
 *        daemon, e.g. under perf; no QEMU)
 * Output: one line per figure, then one JSON line {"bench": "daemon", ...}.
 */
#include "base/qmp-client.h"

#include <errno.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>

static const char request[] =
    "{\"execute\": \"query-cpu-model-comparison\", \"arguments\": {\"modela\": "
    "{\"name\": \"z14\", \"props\": {\"csske\": false}}, \"modelb\": {\"name\": \"z14\"}}, "
    "\"id\": 1}\n";

static const guint concurrency[] = { 1, 8, 64 };

typedef struct {
    double rps;
    double p50_us, p99_us;
    guint64 requests;
    guint errors;
    double cpu_us;             /* server CPU time per request (all threads) */
} Figure;

/* CPU seconds @pid has used (user + system, all threads), or -1. */
static double
cpu_seconds(GPid pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) f = NULL;
    const char *p;

    if (pid <= 0 || !g_file_get_contents(path, &text, NULL, NULL) || !(p = strrchr(text, ')')))
        return -1;
    f = g_strsplit(p + 2, " ", -1);
    if (g_strv_length(f) < 13)
        return -1;
    /* fields 14 and 15 of stat; f[0] is field 3 */
    return (g_ascii_strtod(f[11], NULL) + g_ascii_strtod(f[12], NULL)) /
           (double) sysconf(_SC_CLK_TCK);
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* Closed-loop load on @n clients for @seconds (after @warmup); @server:
 * the server's pid, for its CPU time (0: unknown). */
static Figure
run_load(VmcQmpClient **clients, guint n, double warmup, double seconds, GPid server)
{
    g_autofree struct pollfd *pfds = g_new0(struct pollfd, n);
    g_autofree double *sent_at = g_new0(double, n);
    g_autoptr(GArray) lat = g_array_sized_new(FALSE, FALSE, sizeof(double), 1 << 20);
    Figure f = { 0 };
    double t_start = now_s(), t_measure = t_start + warmup, t_end = t_measure + seconds;
    double first = 0, last = 0, cpu0 = -1, cpu1;
    guint64 total = 0, total_at_measure = 0;
    gboolean measuring = FALSE;

    for (guint i = 0; i < n; i++) {
        pfds[i].fd = vmc__qmp_client_fd(clients[i]);
        pfds[i].events = POLLIN;
        sent_at[i] = now_s();
        if (!vmc__qmp_client_send_raw(clients[i], request, sizeof(request) - 1, NULL))
            f.errors++;
    }
    for (;;) {
        double t = now_s();
        int r;

        if (t >= t_end)
            break;
        if (!measuring && t >= t_measure) {
            measuring = TRUE;
            cpu0 = cpu_seconds(server);
            total_at_measure = total;
        }
        r = poll(pfds, n, 1000);
        if (r < 0 && errno != EINTR)
            break;
        for (guint i = 0; r > 0 && i < n; i++) {
            g_autoptr(GError) error = NULL;
            g_autoptr(json_object) reply = NULL;
            double done;

            if (!(pfds[i].revents & POLLIN))
                continue;
            reply = vmc__qmp_client_receive(clients[i], &error);
            done = now_s();
            total++;
            if (!reply || !json_object_object_get_ex(reply, "return", NULL)) {
                f.errors++;
                if (!reply) {
                    pfds[i].fd = -1;
                    continue;
                }
            }
            if (sent_at[i] >= t_measure && done <= t_end) {
                double us = (done - sent_at[i]) * 1e6;
                g_array_append_val(lat, us);
                if (!first)
                    first = sent_at[i];
                last = done;
            }
            sent_at[i] = now_s();
            if (!vmc__qmp_client_send_raw(clients[i], request, sizeof(request) - 1, NULL))
                f.errors++;
        }
    }
    cpu1 = cpu_seconds(server);
    if (cpu0 >= 0 && cpu1 >= 0 && total > total_at_measure)
        f.cpu_us = (cpu1 - cpu0) * 1e6 / (double) (total - total_at_measure);
    /* Drain the outstanding replies so the next run starts clean. */
    for (guint i = 0; i < n; i++) {
        g_autoptr(json_object) reply = pfds[i].fd >= 0 ? vmc__qmp_client_receive(clients[i], NULL)
                                                       : NULL;
    }
    f.requests = lat->len;
    if (lat->len > 0) {
        qsort(lat->data, lat->len, sizeof(double), cmp_double);
        f.p50_us = g_array_index(lat, double, lat->len / 2);
        f.p99_us = g_array_index(lat, double, (gsize) ((double) (lat->len - 1) * 0.99));
        f.rps = (double) lat->len / (last - first);
    }
    return f;
}

/* In the child, before exec: die with the bench. */
static void
child_setup(gpointer data)
{
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* Start vmcompatd on @sock; its pid, or 0. */
static GPid
start_daemon(const char *binary, const char *sock)
{
    const char *argv[] = { binary, "--socket", sock, "--max-clients", "256", "--no-osinfo", NULL };
    g_autoptr(GError) error = NULL;
    GPid pid = 0;

    if (!g_spawn_async(NULL, (char **) argv, NULL,
                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, child_setup, NULL,
                       &pid, &error)) {
        fprintf(stderr, "bench-daemon: cannot start %s: %s\n", binary, error->message);
        return 0;
    }
    return pid;
}

/* @n connected clients of the server at @sock (retrying while it starts). */
static GPtrArray *
connect_clients(const char *sock, guint n)
{
    GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify) vmc__qmp_client_free);

    for (guint i = 0; i < n; i++) {
        VmcQmpClient *c = NULL;
        for (guint tries = 0; !c && tries < 2000; tries++) {
            c = vmc__qmp_client_connect(sock, 10000, NULL);
            if (!c)
                g_usleep(5000);
        }
        if (!c) {
            g_ptr_array_unref(a);
            return NULL;
        }
        g_ptr_array_add(a, c);
    }
    return a;
}

static void
print_figure(const char *who, guint n, const Figure *f)
{
    printf("%-10s %3u client%s %10.0f req/s   p50 %8.1f us   p99 %8.1f us   server CPU %6.1f us/req"
           "   (%" G_GUINT64_FORMAT " requests, %u errors)\n", who, n, n == 1 ? " " : "s", f->rps,
           f->p50_us, f->p99_us, f->cpu_us, f->requests, f->errors);
    fflush(stdout);
}

static char *
default_daemon_path(void)
{
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *dir = self ? g_path_get_dirname(self) : g_strdup(".");

    return g_build_filename(dir, "..", "tools", "vmcompatd", "vmcompatd", NULL);
}

int
main(int argc, char **argv)
{
    g_autofree char *daemon_bin = NULL;
    g_autofree char *connect_to = NULL;
    g_autofree char *tmp = NULL;
    g_autofree char *sock = NULL;
    gboolean quick = FALSE, same_cpu = FALSE;
    double seconds = 2.0, start = now_s();
    Figure ours[G_N_ELEMENTS(concurrency)] = { 0 }, qemu[G_N_ELEMENTS(concurrency)] = { 0 };
    gboolean have_qemu = FALSE;
    GPid pid;
    g_autoptr(GString) json = g_string_new(NULL);
    g_autoptr(GError) error = NULL;

    for (int i = 1; i < argc; i++) {
        if (g_str_equal(argv[i], "--quick"))
            quick = TRUE;
        else if (g_str_equal(argv[i], "--seconds") && i + 1 < argc)
            seconds = g_ascii_strtod(argv[++i], NULL);
        else if (g_str_equal(argv[i], "--vmcompatd") && i + 1 < argc)
            daemon_bin = g_strdup(argv[++i]);
        else if (g_str_equal(argv[i], "--connect") && i + 1 < argc)
            connect_to = g_strdup(argv[++i]);
        else if (g_str_equal(argv[i], "--same-cpu"))
            same_cpu = TRUE;
        else {
            fprintf(stderr, "usage: bench-daemon [--seconds S] [--vmcompatd PATH | --connect "
                    "SOCKET] [--quick]\n");
            return 2;
        }
    }
    if (quick)
        seconds = 0.5;
    if (same_cpu) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(0, &set);
        if (sched_setaffinity(0, sizeof(set), &set) < 0)    /* children inherit it */
            fprintf(stderr, "bench-daemon: --same-cpu: %s\n", g_strerror(errno));
    }
    if (!daemon_bin)
        daemon_bin = default_daemon_path();
    tmp = g_dir_make_tmp("vmcd-bench-XXXXXX", &error);
    if (!tmp) {
        fprintf(stderr, "bench-daemon: %s\n", error->message);
        return 1;
    }
    sock = g_build_filename(tmp, "vmcompatd.sock", NULL);
    printf("query-cpu-model-comparison {z14, csske=off} vs {z14}: %.1f s per figure, "
           "%u CPUs%s\n", seconds, g_get_num_processors(),
           same_cpu ? ", everything on CPU 0" : "");

    if (connect_to) {
        for (guint k = 0; k < G_N_ELEMENTS(concurrency); k++) {
            g_autoptr(GPtrArray) cl = connect_clients(connect_to, concurrency[k]);
            if (!cl)
                return 1;
            ours[k] = run_load((VmcQmpClient **) cl->pdata, cl->len, 0.2, seconds, 0);
            print_figure("vmcompatd", concurrency[k], &ours[k]);
        }
        g_rmdir(tmp);
        return 0;
    }

    /* vmcompatd */
    pid = start_daemon(daemon_bin, sock);
    if (!pid)
        return 1;
    for (guint k = 0; k < G_N_ELEMENTS(concurrency); k++) {
        g_autoptr(GPtrArray) cl = connect_clients(sock, concurrency[k]);
        if (!cl) {
            fprintf(stderr, "bench-daemon: cannot connect to %s\n", sock);
            kill(pid, SIGKILL);
            return 1;
        }
        ours[k] = run_load((VmcQmpClient **) cl->pdata, cl->len, 0.2, seconds, pid);
        print_figure("vmcompatd", concurrency[k], &ours[k]);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);

    /* QEMU: one monitor per client (a monitor serves one connection). */
    if (g_find_program_in_path("qemu-system-s390x")) {
        guint max_n = concurrency[G_N_ELEMENTS(concurrency) - 1];
        g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) socks = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(VmcQmpClient) first = NULL;
        const char *base[] = { "-machine", "none", "-accel", "tcg", "-nodefaults", "-nographic",
                               "-S" };

        for (gsize i = 0; i < G_N_ELEMENTS(base); i++)
            g_ptr_array_add(args, g_strdup(base[i]));
        for (guint i = 1; i < max_n; i++) {
            char *s = g_strdup_printf("%s/qemu-%u.sock", tmp, i);
            g_ptr_array_add(socks, s);
            g_ptr_array_add(args, g_strdup("-qmp"));
            g_ptr_array_add(args, g_strdup_printf("unix:%s,server=on,wait=off", s));
        }
        g_ptr_array_add(args, NULL);
        first = vmc__qmp_client_spawn("qemu-system-s390x", (const char *const *) args->pdata,
                                      30000, &error);
        if (first) {
            g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func(
                (GDestroyNotify) vmc__qmp_client_free);
            have_qemu = TRUE;
            for (guint i = 0; i + 1 < max_n; i++) {
                VmcQmpClient *c = vmc__qmp_client_connect(g_ptr_array_index(socks, i), 30000,
                                                          &error);
                if (!c) {
                    fprintf(stderr, "bench-daemon: QEMU monitor %u: %s\n", i + 1,
                            error->message);
                    have_qemu = FALSE;
                    break;
                }
                g_ptr_array_add(all, c);
            }
            for (guint k = 0; have_qemu && k < G_N_ELEMENTS(concurrency); k++) {
                g_autofree VmcQmpClient **cl = g_new0(VmcQmpClient *, concurrency[k]);
                cl[0] = first;
                for (guint i = 1; i < concurrency[k]; i++)
                    cl[i] = g_ptr_array_index(all, i - 1);
                qemu[k] = run_load(cl, concurrency[k], 0.1, MIN(seconds, 1.0),
                                   vmc__qmp_client_pid(first));
                print_figure("QEMU", concurrency[k], &qemu[k]);
            }
        } else {
            fprintf(stderr, "bench-daemon: QEMU unavailable: %s\n", error->message);
        }
        for (guint i = 0; i < socks->len; i++)
            g_unlink(g_ptr_array_index(socks, i));
    } else {
        printf("QEMU: qemu-system-s390x not on PATH, no ratio\n");
    }
    g_unlink(sock);
    g_rmdir(tmp);

    g_string_append(json, "{\"bench\":\"daemon\",\"request\":\"query-cpu-model-comparison\","
                          "\"unit\":{\"rps\":\"requests/s\",\"p50\":\"us\",\"p99\":\"us\"},"
                          "\"figures\":[");
    for (guint k = 0; k < G_N_ELEMENTS(concurrency); k++) {
        g_string_append_printf(json, "%s{\"clients\":%u,\"vmcompatd\":{\"rps\":%.0f,\"p50\":%.1f,"
                               "\"p99\":%.1f,\"cpu_us\":%.1f}", k ? "," : "", concurrency[k], ours[k].rps,
                               ours[k].p50_us, ours[k].p99_us, ours[k].cpu_us);
        if (have_qemu && qemu[k].rps > 0) {
            printf("ratio      %3u client%s  vmcompatd/QEMU %.0fx requests/s, QEMU/vmcompatd "
                   "%.0fx p50 latency\n", concurrency[k], concurrency[k] == 1 ? " " : "s",
                   ours[k].rps / qemu[k].rps, qemu[k].p50_us / MAX(ours[k].p50_us, 0.001));
            g_string_append_printf(json, ",\"qemu\":{\"rps\":%.0f,\"p50\":%.1f,\"p99\":%.1f,\"cpu_us\":%.1f},"
                                   "\"ratio_rps\":%.1f", qemu[k].rps, qemu[k].p50_us,
                                   qemu[k].p99_us, qemu[k].cpu_us, ours[k].rps / qemu[k].rps);
        }
        g_string_append_c(json, '}');
    }
    g_string_append_printf(json, "],\"cpus\":%u,\"same_cpu\":%s,\"seconds\":%.1f}",
                           g_get_num_processors(), same_cpu ? "true" : "false", now_s() - start);
    printf("%s\n", json->str);
    return 0;
}
