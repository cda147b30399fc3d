/* test-daemon-hostile.c: vmcompatd against hostile clients, while a
 * well-behaved client keeps asking (and must keep getting right answers).
 *
 * The daemon runs with small limits: --max-clients 600,
 * --max-message-size 1 MiB, --max-in-flight 8, --idle-timeout 2.
 *
 * /hostile/malformed     garbage, binary bytes, invalid UTF-8, numbers out
 *                        of range, unterminated texts: each answered with an
 *                        error, the connection still answers afterwards;
 *                        nesting beyond 64 levels: an error, then closed
 * /hostile/huge-line     a 100 MB request: refused once it passes 1 MiB, the
 *                        connection closed, the daemon's memory not grown by
 *                        anything like the request
 * /hostile/never-reads   a client that pipelines thousands of requests and
 *                        never reads: the daemon stops reading it, does not
 *                        buffer without bound, and closes it after the idle
 *                        timeout
 * /hostile/amplification small requests with large answers (query-qmp-schema:
 *                        ~40 bytes in, ~25 KB out), thousands at once, never
 *                        read: the daemon holds about a megabyte of replies,
 *                        not the gigabyte they add up to
 * /hostile/byte-by-byte  a request sent one byte per write is answered
 * /hostile/trickle       bytes slower than the idle timeout never complete
 *                        a request: the connection is closed, with a reason
 * /hostile/idle          a silent connection is told why and closed
 * /hostile/in-flight     20 requests for the workers at once: the first 8 are
 *                        run, the next 8 refused with "too many requests in
 *                        flight"; then (twice the limit) the daemon stops
 *                        taking requests until replies drain: the last 4 are
 *                        run or refused by the time they are read; all in order
 * /hostile/connections   1,000 connections at once: 600 greeted, the rest
 *                        told "too many clients"; afterwards the daemon holds
 *                        as many descriptors as before
 * /hostile/well-behaved  the steady client got only right answers throughout
 * /hostile/shutdown      SIGTERM: exit status 0 — under the ASan build that
 *                        includes LeakSanitizer's verdict on the whole run
 *
 * Timing is never asserted; waits are bounded by generous deadlines.
 */
#include "harness/harness.h"
#include "harness/daemon.h"
#include "harness/qmp-agree.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CLIENTS 600

/* Resident memory says little under ASan (quarantine, shadow memory): the
 * bounds on it are checked in the normal build; ASan checks leaks. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_CHECKED FALSE
#else
#define RSS_CHECKED TRUE
#endif
#define IDLE_TIMEOUT_S 2
#define N_CONNECTIONS 1000

static VmcTestDaemon *d;

/* The well-behaved client, on its own thread. */
typedef struct {
    GThread *thread;
    gint stop;
    guint ok, bad;
    gint64 worst_us;
    char *first_error;
} Steady;

static Steady steady;

static const char compare_req[] =
    "{\"execute\": \"query-cpu-model-comparison\", \"arguments\": {\"modela\": "
    "{\"name\": \"z14\", \"props\": {\"csske\": false}}, \"modelb\": {\"name\": \"z14\"}}}";

static json_object *
jget(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static gpointer
steady_run(gpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcQmpClient) c = vmc__qmp_client_connect(vmc_test_daemon_socket(d), 15000, &error);
    g_autoptr(json_object) req = json_tokener_parse(compare_req);

    if (!c) {
        steady.first_error = g_strdup(error->message);
        steady.bad++;
        return NULL;
    }
    while (!g_atomic_int_get(&steady.stop)) {
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(json_object) r = vmc__qmp_client_request(c, req, &error);
        gint64 dt = g_get_monotonic_time() - t0;
        json_object *ret = jget(r, "return");

        if (r && g_strcmp0(json_object_get_string(jget(ret, "result")), "subset") == 0) {
            steady.ok++;
        } else {
            steady.bad++;
            if (!steady.first_error)
                steady.first_error = g_strdup(r ? json_object_to_json_string(r) : error->message);
            if (!r)
                return NULL;
        }
        steady.worst_us = MAX(steady.worst_us, dt);
        g_usleep(2000);
    }
    return NULL;
}

/* A raw non-blocking connection (greeting not read), or -1. */
static int
raw_connect(void)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_strlcpy(addr.sun_path, vmc_test_daemon_socket(d), sizeof(addr.sun_path));
    if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* Read from @fd until @until appears, EOF, or @timeout_ms; the text read.
 * *@ret_eof tells whether the daemon closed the connection. */
static char *
read_until(int fd, const char *until, guint timeout_ms, gboolean *ret_eof)
{
    g_autoptr(GString) s = g_string_new(NULL);
    gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;

    if (ret_eof)
        *ret_eof = FALSE;
    while (g_get_monotonic_time() < deadline) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char buf[65536];
        ssize_t n;

        if (poll(&p, 1, 50) <= 0)
            continue;
        n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0) {
            if (ret_eof)
                *ret_eof = TRUE;
            break;
        }
        g_string_append_len(s, buf, n);
        if (until && strstr(s->str, until))
            break;
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

/* Send all of @data on a non-blocking @fd (waiting for room); FALSE when
 * the daemon closed the connection. */
static gboolean
send_all(int fd, const char *data, gsize len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            poll(&p, 1, 1000);
            continue;
        }
        if (n < 0)
            return FALSE;
        data += n;
        len -= (gsize) n;
    }
    return TRUE;
}

static int
negotiated_connect(void)
{
    static const char caps[] = "{\"execute\": \"qmp_capabilities\"}\n";
    int fd = raw_connect();
    g_autofree char *got = NULL;

    g_assert_cmpint(fd, >=, 0);
    g_assert_true(send_all(fd, caps, sizeof(caps) - 1));
    got = read_until(fd, "\"return\"", 10000, NULL);
    g_assert_nonnull(strstr(got, "\"QMP\""));
    return fd;
}

static void
test_malformed(void)
{
    static const char *const junk[] = {
        "garbage\n", "\x00\x01\x02\xff\xfe\n", "{\"execute\": \"\xc3\x28\"}\n",
        "{\"execute\": \"query-commands\", \"id\": 1e99999}\n", "[[[[]]]]\n",
        "{\"execute\": \"query-commands\", \"id\": \"unterminated\n\"}\n", "null\n", "-\n",
        "{\"execute\": \"query-commands\", \"arguments\": {\"a\": {\"b\": {\"c\": []}}}}\n",
        "{\"execute\": \"query-cpu-model-comparison\", \"arguments\": {\"modela\": {\"name\": "
        "\"z14\", \"props\": {\"csske\": {\"deep\": [1, 2, {}]}}}, \"modelb\": {\"name\": \"z14\"}}}\n",
        "{\"execute\": \"query-cpu-model-baseline\", \"arguments\": {\"models\": [{\"name\": \"\"}]}}\n",
        "{\"execute\": \"resolve-guest\", \"arguments\": {\"guest\": \"\\u0000\", \"host\": {}}}\n",
        "\"\\ud800\"\n", "{\"\": \"\"}\n",
    };
    int fd = negotiated_connect();
    g_autofree char *got = NULL;
    gboolean eof = FALSE;

    /* Each is answered with one well-formed reply (an error, or an answer
     * where the junk is a valid request after all: ids may be any JSON). */
    for (gsize i = 0; i < G_N_ELEMENTS(junk); i++) {
        g_autofree char *reply = NULL;
        g_autoptr(json_object) o = NULL;
        gsize len = i == 1 ? 6 : strlen(junk[i]);

        g_assert_true(send_all(fd, junk[i], len));
        reply = read_until(fd, "\n", 10000, &eof);
        g_assert_false(eof);
        o = json_tokener_parse(reply);
        if (!o || !(jget(o, "error") || jget(o, "return")))
            g_test_message("junk %zu got '%s'", i, reply);
        g_assert_true(o && (jget(o, "error") || jget(o, "return")));
        if (strstr(junk[i], "deep"))
            g_assert_nonnull(strstr(reply, "not a boolean, number or string"));
    }
    /* Still answering on the same connection. */
    g_assert_true(send_all(fd, compare_req, strlen(compare_req)));
    got = read_until(fd, "\n", 10000, &eof);
    g_assert_nonnull(strstr(got, "\"subset\""));
    close(fd);

    /* Nesting beyond the bound: refused, then closed. */
    {
        g_autoptr(GString) deep = g_string_new(NULL);
        g_autofree char *reply = NULL;
        fd = negotiated_connect();
        for (guint i = 0; i < 5000; i++)
            g_string_append_c(deep, '[');
        send_all(fd, deep->str, deep->len);
        reply = read_until(fd, NULL, 10000, &eof);
        g_assert_nonnull(strstr(reply, "nesting deeper than 64 levels"));
        g_assert_true(eof);
        close(fd);
    }
}

static void
test_huge_line(void)
{
    static const char head[] = "{\"execute\": \"query-commands\", \"arguments\": {\"s\": \"";
    g_autofree char *chunk = g_malloc(1024 * 1024);
    long rss0 = vmc_test_daemon_rss_kib(d), rss1;
    gsize sent = 0;
    int fd = negotiated_connect();
    g_autofree char *reply = NULL;
    gboolean eof = FALSE;

    memset(chunk, 'a', 1024 * 1024);
    g_assert_true(send_all(fd, head, sizeof(head) - 1));
    while (sent < 100u * 1024 * 1024 && send_all(fd, chunk, 1024 * 1024))
        sent += 1024 * 1024;
    rss1 = vmc_test_daemon_rss_kib(d);
    reply = read_until(fd, NULL, 10000, &eof);
    g_test_message("sent %zu MiB before the daemon closed; its RSS %ld -> %ld KiB", sent >> 20,
                   rss0, rss1);
    g_assert_nonnull(strstr(reply, "request longer than 1048576 bytes"));
    g_assert_true(eof);
    g_assert_cmpuint(sent, <, 100u * 1024 * 1024);
    /* At most the limit plus a read is ever buffered (ASan adds its own). */
    if (RSS_CHECKED && rss0 > 0 && rss1 > 0)
        g_assert_cmpint(rss1 - rss0, <, 48 * 1024);
    close(fd);
}

static void
test_never_reads(void)
{
    g_autoptr(GString) batch = g_string_new(NULL);
    long rss0 = vmc_test_daemon_rss_kib(d), rss1;
    int fd = negotiated_connect();
    gsize sent = 0, requests = 0;
    gint64 deadline;
    gboolean closed = FALSE;

    for (guint i = 0; i < 500; i++) {
        g_string_append(batch, compare_req);
        g_string_append_c(batch, '\n');
    }
    /* Pipeline until the kernel buffers are full in both directions. */
    deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < deadline) {
        ssize_t n = send(fd, batch->str, batch->len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            if (poll(&p, 1, 300) == 0)
                break;               /* the daemon stopped reading us */
            continue;
        }
        if (n <= 0)
            break;
        sent += (gsize) n;
    }
    requests = sent / (sizeof(compare_req));
    rss1 = vmc_test_daemon_rss_kib(d);
    g_test_message("pipelined ~%zu requests without reading; daemon RSS %ld -> %ld KiB",
                   requests, rss0, rss1);
    if (RSS_CHECKED && rss0 > 0 && rss1 > 0)
        g_assert_cmpint(rss1 - rss0, <, 48 * 1024);
    /* Within the idle timeout (plus slack) the daemon gives up on it: the
     * connection ends (what it wrote before is still readable). */
    deadline = g_get_monotonic_time() + (IDLE_TIMEOUT_S + 8) * G_USEC_PER_SEC;
    g_usleep((IDLE_TIMEOUT_S + 1) * G_USEC_PER_SEC);
    while (!closed && g_get_monotonic_time() < deadline) {
        char buf[65536];
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
            closed = TRUE;
        else if (n < 0)
            g_usleep(20000);
    }
    g_assert_true(closed);
    close(fd);
}

static void
test_amplification(void)
{
    static const char req[] = "{\"execute\": \"query-qmp-schema\"}\n";
    g_autoptr(GString) batch = g_string_new(NULL);
    long rss0 = vmc_test_daemon_rss_kib(d), rss1;
    int fd = negotiated_connect();
    gsize sent = 0;

    for (guint i = 0; i < 40000; i++)
        g_string_append(batch, req);
    /* As much as the kernel takes (the daemon stops reading us early). */
    while (sent < batch->len) {
        ssize_t n = send(fd, batch->str + sent, batch->len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            if (n < 0 && errno == EAGAIN && poll(&p, 1, 500) > 0)
                continue;
            break;
        }
        sent += (gsize) n;
    }
    g_usleep(300 * 1000);
    rss1 = vmc_test_daemon_rss_kib(d);
    g_test_message("%zu requests sent (%.0f MB of answers owed); daemon RSS %ld -> %ld KiB",
                   sent / (sizeof(req) - 1), (double) (sent / (sizeof(req) - 1)) * 0.025, rss0,
                   rss1);
    /* About max(1 MiB, --max-message-size) of replies, plus one read. */
    if (RSS_CHECKED && rss0 > 0 && rss1 > 0)
        g_assert_cmpint(rss1 - rss0, <, 16 * 1024);
    close(fd);
}

static void
test_byte_by_byte(void)
{
    g_autofree char *line = g_strdup_printf("%s\n", compare_req);
    g_autofree char *reply = NULL;
    int fd = negotiated_connect();

    for (const char *p = line; *p; p++) {
        g_assert_true(send_all(fd, p, 1));
        g_usleep(500);
    }
    reply = read_until(fd, "\n", 10000, NULL);
    g_assert_nonnull(strstr(reply, "\"result\":\"subset\""));
    close(fd);
}

static void
test_trickle(void)
{
    int fd = negotiated_connect();
    g_autofree char *reply = NULL;
    gboolean eof = FALSE;
    gboolean refused = FALSE;

    /* Half a request, a byte every 400 ms: it never completes in time. */
    for (guint i = 0; i < 20 && !refused; i++) {
        if (!send_all(fd, compare_req + i, 1))
            refused = TRUE;
        else
            g_usleep(400 * 1000);
    }
    reply = read_until(fd, NULL, 10000, &eof);
    g_assert_true(eof);
    g_assert_nonnull(strstr(reply, "--idle-timeout"));
    close(fd);
}

static void
test_idle(void)
{
    int fd = raw_connect();
    g_autofree char *reply = NULL;
    gboolean eof = FALSE;

    g_assert_cmpint(fd, >=, 0);
    reply = read_until(fd, NULL, (IDLE_TIMEOUT_S + 8) * 1000, &eof);
    g_assert_nonnull(strstr(reply, "\"QMP\""));
    g_assert_nonnull(strstr(reply, "no request for 2 s (--idle-timeout)"));
    g_assert_true(eof);
    close(fd);
}

static void
test_in_flight(void)
{
    g_autoptr(GString) batch = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcQmpClient) c = vmc__qmp_client_connect(vmc_test_daemon_socket(d), 15000, &error);
    guint run = 0, refused = 0;

    VMC_ASSERT_OK(c, error);
    for (guint i = 0; i < 20; i++)
        g_string_append_printf(batch, "{\"execute\": \"query-cpu-model-baseline\", \"arguments\": "
                               "{\"modela\": {\"name\": \"z14\"}, \"modelb\": {\"name\": "
                               "\"gen15a\"}}, \"id\": %u}\n", i);
    VMC_ASSERT_OK(vmc__qmp_client_send_raw(c, batch->str, batch->len, &error), error);
    for (guint i = 0; i < 20; i++) {
        g_autoptr(json_object) r = vmc__qmp_client_receive(c, &error);
        VMC_ASSERT_OK(r, error);
        g_assert_cmpint(json_object_get_int(jget(r, "id")), ==, (int) i);
        if (jget(r, "return")) {
            run++;
            g_assert_true(i < 8 || i >= 16);
        } else {
            refused++;
            g_assert_cmpuint(i, >=, 8);
            g_assert_nonnull(strstr(json_object_get_string(jget(jget(r, "error"), "desc")),
                                    "too many requests in flight on this connection (limit 8"));
        }
    }
    g_test_message("20 requests at once: %u run, %u refused", run, refused);
    g_assert_cmpuint(run + refused, ==, 20);
    g_assert_cmpuint(refused, >=, 8);
}

static void
test_connections(void)
{
    int fds[N_CONNECTIONS];
    guint greeted = 0, refused = 0, other = 0;
    int before = vmc_test_daemon_fd_count(d), after = -1;

    for (guint i = 0; i < N_CONNECTIONS; i++)
        fds[i] = raw_connect();
    for (guint i = 0; i < N_CONNECTIONS; i++) {
        g_autofree char *line = NULL;
        if (fds[i] < 0) {
            other++;
            continue;
        }
        line = read_until(fds[i], "\n", 10000, NULL);
        if (strstr(line, "\"QMP\""))
            greeted++;
        else if (strstr(line, "too many clients (limit 600, --max-clients)"))
            refused++;
        else
            other++;
    }
    g_test_message("%u connections: %u greeted, %u refused, %u other", N_CONNECTIONS, greeted,
                   refused, other);
    for (guint i = 0; i < N_CONNECTIONS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    g_assert_cmpuint(other, ==, 0);
    g_assert_cmpuint(greeted + refused, ==, N_CONNECTIONS);
    g_assert_cmpuint(greeted, <=, MAX_CLIENTS);
    g_assert_cmpuint(greeted, >=, MAX_CLIENTS - 10);
    g_assert_cmpuint(refused, >, 0);
    /* Every closed connection's descriptor is given back. */
    for (guint i = 0; i < 500; i++) {
        after = vmc_test_daemon_fd_count(d);
        if (after <= before)
            break;
        g_usleep(10000);
    }
    g_test_message("daemon descriptors: %d before, %d after", before, after);
    g_assert_cmpint(after, <=, before);
}

static void
test_well_behaved(void)
{
    g_atomic_int_set(&steady.stop, 1);
    g_thread_join(steady.thread);
    steady.thread = NULL;
    g_test_message("well-behaved client: %u right answers, %u wrong; slowest %.1f ms",
                   steady.ok, steady.bad, (double) steady.worst_us / 1000.0);
    if (steady.first_error)
        g_test_message("first wrong answer: %s", steady.first_error);
    g_assert_cmpuint(steady.bad, ==, 0);
    g_assert_cmpuint(steady.ok, >, 100);
}

static void
test_shutdown(void)
{
    g_autofree char *sock = g_strdup(vmc_test_daemon_socket(d));
    int status = 0;

    if (!vmc_test_daemon_stop(d, 30000, &status)) {
        g_autofree char *log = vmc_test_daemon_log(d);
        g_test_message("exit status %d; log:\n%s", status, log);
        g_test_fail();
    }
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    const char *extra[] = {
        "--max-clients", G_STRINGIFY(MAX_CLIENTS), "--max-message-size", "1048576",
        "--max-in-flight", "8", "--idle-timeout", G_STRINGIFY(IDLE_TIMEOUT_S),
        "--workers", "2", "--no-osinfo", NULL,
    };
    struct rlimit rl;
    int ret;

    g_test_init(&argc, &argv, NULL);
    g_test_set_nonfatal_assertions();
    /* 1,000 connections need more than the usual 1,024 descriptors. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < N_CONNECTIONS + 200) {
        rl.rlim_cur = MIN(rl.rlim_max, (rlim_t) N_CONNECTIONS + 200);
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    d = vmc_test_daemon_start(extra, &error);
    if (!d)
        g_error("cannot start vmcompatd: %s", error->message);
    steady.thread = g_thread_new("steady", steady_run, NULL);

    g_test_add_func("/hostile/malformed", test_malformed);
    g_test_add_func("/hostile/huge-line", test_huge_line);
    g_test_add_func("/hostile/never-reads", test_never_reads);
    g_test_add_func("/hostile/amplification", test_amplification);
    g_test_add_func("/hostile/byte-by-byte", test_byte_by_byte);
    g_test_add_func("/hostile/trickle", test_trickle);
    g_test_add_func("/hostile/idle", test_idle);
    g_test_add_func("/hostile/in-flight", test_in_flight);
    g_test_add_func("/hostile/connections", test_connections);
    g_test_add_func("/hostile/well-behaved", test_well_behaved);
    g_test_add_func("/hostile/shutdown", test_shutdown);
    ret = g_test_run();
    if (steady.thread) {
        g_atomic_int_set(&steady.stop, 1);
        g_thread_join(steady.thread);
    }
    g_free(steady.first_error);
    vmc_test_daemon_free(d);
    return ret;
}
