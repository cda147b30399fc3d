/* test-daemon.c: vmcompatd over its socket — golden cases, the protocol,
 * the socket and signals.
 *
 * /daemon/case/<name>   tests/data/daemon/<name>/requests: one raw line per
 *     request, sent in order on one fresh connection (no negotiation unless
 *     the case asks for it); after each line a sentinel request whose reply
 *     marks the end of that line's replies (replies come in request order).
 *     Placeholders: @FILE:path@ (a file under tests/data as a JSON string),
 *     @BASE64:path@ (the same, base64), @JSON:path@ (a JSON file inline),
 *     @DATA@ (tests/data). The replies,
 *     pretty-printed under "# N <request>", must equal `expected`
 *     (VMC_TEST_REGENERATE_OUTPUT=1 rewrites it). An optional `cli` file
 *     holds "N ARGS...": the "return" of request N must equal, as JSON, what
 *     `vmcompat ARGS` prints — the daemon answers exactly as the CLI does.
 * /daemon/greeting      the greeting, QMP-shaped
 * /daemon/pipelining    40 requests in one write, inline and worker
 *     commands mixed, answered in order, ids echoed
 * /daemon/quit          quit closes the connection, not the daemon
 * /daemon/socket        created 0600 (0660 and the group with --group); a live socket,
 *     a regular file and a bad --listen address are refused; a stale socket
 *     is replaced; --db is refused (no fleet-* commands yet)
 * /daemon/tcp           --listen 127.0.0.1:PORT answers QMP
 * /daemon/sigterm       a request running at SIGTERM is answered, then the
 *     connection closes, the daemon exits 0 and removes its socket
 * Every daemon runs with --check-returns: each reply is also checked
 * against the schema.
 */
#include "harness/harness.h"
#include "harness/daemon.h"
#include "harness/qmp-agree.h"
#include "base/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

static VmcTestDaemon *daemon_main;

static void
json_free(gpointer p)
{
    json_object_put(p);
}

static json_object *
jget(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static char *
data_dir(void)
{
    return vmc_test_source_path("tests", "data", NULL);
}

/* Replace @FILE:p@, @BASE64:p@, @JSON:p@ and @DATA@ in @line (transfer
 * full). */
static char *
expand(const char *line, GError **error)
{
    g_autofree char *data = data_dir();
    g_autoptr(GString) out = g_string_new(NULL);
    const char *p = line;

    while (*p) {
        gboolean b64 = g_str_has_prefix(p, "@BASE64:");
        gboolean raw = g_str_has_prefix(p, "@JSON:");
        if (g_str_has_prefix(p, "@FILE:") || b64 || raw) {
            const char *start = p + (b64 ? 8 : 6);
            const char *end = strchr(start, '@');
            g_autofree char *rel = NULL, *path = NULL, *text = NULL;
            gsize len = 0;
            g_autoptr(json_object) s = NULL;

            if (!end) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "unterminated placeholder");
                return NULL;
            }
            rel = g_strndup(start, (gsize) (end - start));
            path = g_build_filename(data, rel, NULL);
            if (!g_file_get_contents(path, &text, &len, error))
                return NULL;
            if (raw) {
                g_strstrip(text);
                g_strdelimit(text, "\n", ' ');
                g_string_append(out, text);
                p = end + 1;
                continue;
            }
            if (b64) {
                g_autofree char *enc = g_base64_encode((const guchar *) text, len);
                s = json_object_new_string(enc);
            } else {
                s = json_object_new_string_len(text, (int) len);
            }
            g_string_append(out, json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN));
            p = end + 1;
        } else if (g_str_has_prefix(p, "@DATA@")) {
            g_string_append(out, data);
            p += 6;
        } else {
            g_string_append_c(out, *p++);
        }
    }
    return g_string_free(g_steal_pointer(&out), FALSE);
}

/* @text with the test tree's absolute paths written as placeholders. */
static char *
scrub(const char *text)
{
    g_autofree char *data = data_dir();
    g_auto(GStrv) parts = g_strsplit(text, data, -1);
    g_autofree char *joined = g_strjoinv("@DATA@", parts);
    const char *shared = vmc_test_shared_dir();

    if (shared) {
        g_auto(GStrv) p2 = g_strsplit(joined, shared, -1);
        return g_strjoinv("@SHARED@", p2);
    }
    return g_steal_pointer(&joined);
}

static void
append_pretty(GString *out, json_object *o)
{
    g_string_append(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                           JSON_C_TO_STRING_SPACED |
                                                           JSON_C_TO_STRING_NOSLASHESCAPE));
    g_string_append_c(out, '\n');
}

/* The CLI's --json answer for "ARGS" (transfer full), or NULL. */
static json_object *
cli_answer(const char *args_line)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *expanded = expand(args_line, &error);
    g_auto(GStrv) args = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *out = NULL, *err = NULL;
    const char *root = g_getenv("VMC_BUILD_ROOT");
    g_auto(GStrv) envp = vmc_test_child_environ();
    int status = 0;

    if (!expanded || !g_shell_parse_argv(expanded, NULL, &args, &error)) {
        g_test_message("cli: %s", error->message);
        return NULL;
    }
    g_ptr_array_add(argv, g_build_filename(root ? root : ".", "tools", "vmcompat", "vmcompat",
                                           NULL));
    for (char **a = args; *a; a++)
        g_ptr_array_add(argv, g_strdup(*a));
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                      &status, &error)) {
        g_test_message("cli: %s", error->message);
        return NULL;
    }
    if (!out || !*out) {
        g_test_message("cli %s: no output (%s)", args_line, err ? err : "");
        return NULL;
    }
    return json_tokener_parse(out);
}

/* One golden case. */
static void
test_case(gconstpointer data)
{
    const char *name = data;
    g_autofree char *dir = vmc_test_source_path("tests", "data", "daemon", name, NULL);
    g_autofree char *req_path = g_build_filename(dir, "requests", NULL);
    g_autofree char *exp_path = g_build_filename(dir, "expected", NULL);
    g_autofree char *cli_path = g_build_filename(dir, "cli", NULL);
    g_autofree char *text = vmc_test_read(req_path, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcQmpClient) c = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GPtrArray) first_return = g_ptr_array_new_with_free_func(
        json_free);
    g_auto(GStrv) lines = NULL;
    g_autofree char *scrubbed = NULL;
    guint n = 0;
    gboolean closed = FALSE;

    if (!text)
        return;
    c = vmc__qmp_client_open(vmc_test_daemon_socket(daemon_main), 20000, &error);
    VMC_ASSERT_OK(c, error);
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l && !closed; l++) {
        g_autofree char *line = NULL;
        g_autofree char *sentinel = NULL;
        json_object *first = NULL;

        if (!**l || **l == '#')
            continue;
        n++;
        line = expand(*l, &error);
        VMC_ASSERT_OK(line, error);
        g_string_append_printf(out, "# %u %.120s\n", n, *l);
        sentinel = g_strdup_printf("%s\n{\"execute\": \"query-commands\", \"id\": \"sentinel-%u\"}\n",
                                   line, n);
        VMC_ASSERT_OK(vmc__qmp_client_send_raw(c, sentinel, strlen(sentinel), &error), error);
        for (;;) {
            g_autoptr(json_object) r = vmc__qmp_client_receive(c, &error);
            json_object *id;

            if (!r) {
                /* quit, or a request the daemon closes the connection on */
                g_string_append(out, "(connection closed)\n");
                g_clear_error(&error);
                closed = TRUE;
                break;
            }
            id = jget(r, "id");
            if (id && json_object_is_type(id, json_type_string) &&
                g_str_has_prefix(json_object_get_string(id), "sentinel-")) {
                g_autofree char *want = g_strdup_printf("sentinel-%u", n);
                g_assert_cmpstr(json_object_get_string(id), ==, want);
                break;
            }
            if (!first)
                first = json_object_get(jget(r, "return"));
            append_pretty(out, r);
        }
        g_ptr_array_add(first_return, first);
    }
    scrubbed = scrub(out->str);
    if (!vmc_test_golden(exp_path, scrubbed))
        g_test_fail();

    /* The CLI's --json for the same operation is the same JSON. */
    if (g_file_test(cli_path, G_FILE_TEST_EXISTS)) {
        g_autofree char *cli_text = vmc_test_read(cli_path, NULL);
        g_auto(GStrv) cli_lines = g_strsplit(cli_text ? cli_text : "", "\n", -1);

        for (char **l = cli_lines; *l; l++) {
            char *end = NULL;
            guint64 idx;
            g_autoptr(json_object) want = NULL;
            json_object *got;

            if (!**l || **l == '#')
                continue;
            idx = g_ascii_strtoull(*l, &end, 10);
            g_assert_true(idx >= 1 && idx <= first_return->len);
            got = g_ptr_array_index(first_return, idx - 1);
            want = cli_answer(end);
            if (!want || !got || !json_object_equal(want, got)) {
                g_test_message("request %" G_GUINT64_FORMAT ": the CLI (%s) says\n%.2000s\n"
                               "the daemon says\n%.2000s", idx, end,
                               want ? json_object_to_json_string(want) : "(nothing)",
                               got ? json_object_to_json_string(got) : "(no return)");
                g_test_fail();
            }
        }
    }
}

static void
test_greeting(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcQmpClient) c = vmc__qmp_client_open(vmc_test_daemon_socket(daemon_main), 0,
                                                     &error);
    json_object *g, *qmp;

    VMC_ASSERT_OK(c, error);
    g = vmc__qmp_client_greeting(c);
    qmp = jget(g, "QMP");
    g_assert_nonnull(qmp);
    g_assert_true(json_object_is_type(jget(qmp, "capabilities"), json_type_array));
    g_assert_cmpuint(json_object_array_length(jget(qmp, "capabilities")), ==, 0);
    g_assert_nonnull(jget(jget(jget(qmp, "version"), "vmcompat"), "major"));
    g_assert_cmpstr(json_object_get_string(jget(jget(qmp, "version"), "package")), ==,
                    "vmcompatd " VMC_VERSION);
}

/* A host document as a JSON string argument (transfer full). */
static json_object *
host_arg(const char *rel)
{
    g_autofree char *path = vmc_test_source_path("tests", "data", rel, NULL);
    g_autofree char *text = vmc_test_read(path, NULL);

    return json_object_new_string(text ? text : "");
}

static void
test_pipelining(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcQmpClient) c = vmc__qmp_client_connect(vmc_test_daemon_socket(daemon_main),
                                                        20000, &error);
    g_autoptr(GString) batch = g_string_new(NULL);
    g_autoptr(GPtrArray) reqs = g_ptr_array_new_with_free_func(json_free);

    VMC_ASSERT_OK(c, error);
    for (guint i = 0; i < 40; i++) {
        json_object *req = json_object_new_object();
        json_object *args = json_object_new_object();

        if (i % 3 == 0) {
            json_object_object_add(req, "execute", json_object_new_string("query-platforms"));
            json_object_object_add(args, "host", host_arg(i % 2 ? "hosts/x86_64-kernel-5.15.json"
                                                                : "hosts/x86_64-kernel-6.8.json"));
        } else {
            g_autofree char *a = g_strdup_printf("{\"name\": \"%s\"}", i % 2 ? "z13" : "gen15a");
            json_object_object_add(req, "execute",
                                   json_object_new_string("query-cpu-model-comparison"));
            json_object_object_add(args, "modela", json_tokener_parse(a));
            json_object_object_add(args, "modelb", json_tokener_parse("{\"name\": \"z14\"}"));
        }
        json_object_object_add(req, "arguments", args);
        g_ptr_array_add(reqs, json_object_get(req));
        json_object_object_add(req, "id", json_object_new_int((int) i));
        g_string_append(batch, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN));
        g_string_append_c(batch, '\n');
        json_object_put(req);
    }
    VMC_ASSERT_OK(vmc__qmp_client_send_raw(c, batch->str, batch->len, &error), error);
    for (guint i = 0; i < 40; i++) {
        g_autoptr(json_object) r = vmc__qmp_client_receive(c, &error);
        VMC_ASSERT_OK(r, error);
        g_assert_cmpint(json_object_get_int(jget(r, "id")), ==, (int) i);
        g_assert_nonnull(jget(r, "return"));
        g_ptr_array_add(reqs, json_object_get(jget(r, "return")));
    }
    /* The same requests one at a time give the same answers. */
    for (guint i = 0; i < 40; i++) {
        g_autoptr(json_object) r = vmc__qmp_client_request(c, g_ptr_array_index(reqs, i), &error);
        VMC_ASSERT_OK(r, error);
        g_assert_true(json_object_equal(jget(r, "return"), g_ptr_array_index(reqs, 40 + i)));
    }
}

static void
test_quit(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcQmpClient) c = vmc__qmp_client_connect(vmc_test_daemon_socket(daemon_main),
                                                        20000, &error);
    g_autoptr(VmcQmpClient) c2 = NULL;
    g_autoptr(json_object) r = NULL;
    g_autoptr(json_object) after = NULL;

    VMC_ASSERT_OK(c, error);
    r = vmc__qmp_client_execute(c, "quit", NULL, &error);
    VMC_ASSERT_OK(r, error);
    g_assert_nonnull(jget(r, "return"));
    after = vmc__qmp_client_receive(c, &error);
    g_assert_null(after);
    g_assert_nonnull(strstr(error->message, "closed the connection"));
    c2 = vmc__qmp_client_connect(vmc_test_daemon_socket(daemon_main), 20000, &error);
    g_assert_nonnull(c2);
}

/* Run the daemon with @args until it exits (it should fail fast); its exit
 * status and stderr. */
static int
run_daemon_sync(const char *const *args, char **ret_err)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) error = NULL;
    int status = -1;

    g_ptr_array_add(argv, vmc_test_daemon_binary());
    for (gsize i = 0; args[i]; i++)
        g_ptr_array_add(argv, g_strdup(args[i]));
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                      NULL, ret_err, &status, &error))
        g_error("%s", error->message);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_socket(void)
{
    const char *sock = vmc_test_daemon_socket(daemon_main);
    g_autoptr(GError) error = NULL;
    g_autofree char *tmp = g_dir_make_tmp("vmcd-sock-XXXXXX", &error);
    g_autofree char *file = g_build_filename(tmp, "file", NULL);
    g_autofree char *stale = g_build_filename(tmp, "stale.sock", NULL);
    struct stat st;

    g_assert_cmpint(stat(sock, &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode));
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    {
        /* --group: the group may connect too (0660), nobody else. */
        struct group *gr = getgrgid(getgid());
        const char *extra[] = { "--group", gr ? gr->gr_name : "root", "--no-osinfo", NULL };
        g_autoptr(VmcTestDaemon) gd = vmc_test_daemon_start(extra, &error);
        struct stat gst;

        VMC_ASSERT_OK(gd, error);
        g_assert_cmpint(stat(vmc_test_daemon_socket(gd), &gst), ==, 0);
        g_assert_cmpint(gst.st_mode & 0777, ==, 0660);
        g_assert_cmpint(gst.st_gid, ==, getgid());
        g_assert_true(vmc_test_daemon_stop(gd, 20000, NULL));
    }
    {
        g_autofree char *err = NULL;
        const char *args[] = { "--socket", stale, "--group", "no-such-group-vmc", NULL };
        g_assert_cmpint(run_daemon_sync(args, &err), ==, 2);
        g_assert_nonnull(strstr(err, "no such group"));
    }
    {
        /* a second daemon on a live socket */
        g_autofree char *err = NULL;
        const char *args[] = { "--socket", sock, NULL };
        g_assert_cmpint(run_daemon_sync(args, &err), ==, 1);
        g_assert_nonnull(strstr(err, "another server is listening there"));
    }
    {
        g_autofree char *err = NULL;
        const char *args[] = { "--socket", file, NULL };
        g_assert_true(g_file_set_contents(file, "x", 1, NULL));
        g_assert_cmpint(run_daemon_sync(args, &err), ==, 1);
        g_assert_nonnull(strstr(err, "exists and is not a socket"));
        g_unlink(file);
    }
    {
        g_autofree char *err = NULL;
        const char *args[] = { "--socket", stale, "--db", "sqlite:///tmp/fleet.db", NULL };
        g_assert_cmpint(run_daemon_sync(args, &err), ==, 2);
        g_assert_nonnull(strstr(err, "does not serve the fleet inventory yet"));
    }
    {
        g_autofree char *err = NULL;
        const char *args[] = { "--socket", stale, "--listen", "0.0.0.0:4444", NULL };
        g_assert_cmpint(run_daemon_sync(args, &err), ==, 1);
        g_assert_nonnull(strstr(err, "only loopback addresses"));
    }
    {
        g_autofree char *err = NULL;
        const char *args[] = { NULL };
        g_assert_cmpint(run_daemon_sync(args, &err), ==, 2);
        g_assert_nonnull(strstr(err, "--socket PATH"));
    }
    {
        /* A stale socket (its daemon died) is replaced. */
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        g_autoptr(VmcQmpClient) c = NULL;

        g_strlcpy(addr.sun_path, stale, sizeof(addr.sun_path));
        g_assert_cmpint(bind(fd, (struct sockaddr *) &addr, sizeof(addr)), ==, 0);
        close(fd);
        g_assert_true(g_file_test(stale, G_FILE_TEST_EXISTS));
        {
            const char *args[] = { "--socket", stale, NULL };
            g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
            GPid pid;
            g_ptr_array_add(argv, vmc_test_daemon_binary());
            for (gsize i = 0; args[i]; i++)
                g_ptr_array_add(argv, g_strdup(args[i]));
            g_ptr_array_add(argv, NULL);
            VMC_ASSERT_OK(g_spawn_async(NULL, (char **) argv->pdata, NULL,
                                        G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                        NULL, NULL, &pid, &error), error);
            for (guint i = 0; i < 2000 && !c; i++) {
                c = vmc__qmp_client_connect(stale, 5000, NULL);
                if (!c)
                    g_usleep(2000);
            }
            g_assert_nonnull(c);
            g_clear_pointer(&c, vmc__qmp_client_free);
            kill(pid, SIGTERM);
            waitpid(pid, NULL, 0);
            g_assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
        }
    }
    g_rmdir(tmp);
}

static void
test_tcp(void)
{
    g_autoptr(GError) error = NULL;
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port, cfd;
    g_autofree char *listen_arg = NULL;
    g_autoptr(VmcTestDaemon) d = NULL;
    char buf[4096];
    ssize_t n;
    gsize got = 0;

    /* A free port: bound, read, released. */
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *) &a, sizeof(a)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *) &a, &len), ==, 0);
    port = ntohs(a.sin_port);
    close(fd);
    listen_arg = g_strdup_printf("127.0.0.1:%d", port);
    {
        const char *extra[] = { "--listen", listen_arg, NULL };
        d = vmc_test_daemon_start(extra, &error);
    }
    VMC_ASSERT_OK(d, error);
    /* The daemon listens on TCP before its UNIX socket answers; retry
     * anyway, a slow (sanitized) start must not make this flaky. */
    for (guint i = 0;; i++) {
        cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(cfd, (struct sockaddr *) &a, sizeof(a)) == 0)
            break;
        close(cfd);
        cfd = -1;
        if (i == 1000)
            break;
        g_usleep(10000);
    }
    g_assert_cmpint(cfd, >=, 0);
    if (cfd < 0)
        return;
    {
        static const char req[] = "{\"execute\": \"qmp_capabilities\"}\r\n"
                                  "{\"execute\": \"query-cpu-model-comparison\", \"arguments\": "
                                  "{\"modela\": {\"name\": \"z14\"}, \"modelb\": {\"name\": \"z13\"}}, "
                                  "\"id\": \"tcp\"}\r\n";
        g_assert_cmpint(send(cfd, req, sizeof(req) - 1, MSG_NOSIGNAL), ==, sizeof(req) - 1);
    }
    while (got < sizeof(buf) - 1 && (n = recv(cfd, buf + got, sizeof(buf) - 1 - got, 0)) > 0) {
        got += (gsize) n;
        buf[got] = '\0';
        if (strstr(buf, "\"tcp\""))
            break;
    }
    close(cfd);
    g_assert_nonnull(strstr(buf, "\"QMP\""));
    g_assert_nonnull(strstr(buf, "\"result\":\"superset\""));
    g_assert_true(vmc_test_daemon_stop(d, 10000, NULL));
}

static void
test_sigterm(void)
{
    g_autoptr(GError) error = NULL;
    const char *extra[] = { "--workers", "1", NULL };
    g_autoptr(VmcTestDaemon) d = vmc_test_daemon_start(extra, &error);
    g_autoptr(VmcQmpClient) c = NULL;
    g_autoptr(json_object) req = json_object_new_object();
    g_autoptr(json_object) args = json_object_new_object();
    g_autoptr(json_object) r = NULL;
    g_autoptr(json_object) eof = NULL;
    g_autofree char *sock = NULL;
    int status = 0;

    VMC_ASSERT_OK(d, error);
    sock = g_strdup(vmc_test_daemon_socket(d));
    c = vmc__qmp_client_connect(sock, 20000, &error);
    VMC_ASSERT_OK(c, error);
    /* lint-catalog loads two catalogs on a worker: it is still running when
     * the signal arrives. */
    json_object_object_add(args, "new", json_object_new_string("builtin"));
    json_object_object_add(args, "old", json_object_new_string("builtin"));
    json_object_object_add(req, "execute", json_object_new_string("lint-catalog"));
    json_object_object_add(req, "arguments", json_object_get(args));
    json_object_object_add(req, "id", json_object_new_string("last"));
    VMC_ASSERT_OK(vmc__qmp_client_send(c, req, &error), error);
    g_usleep(10000);
    kill(vmc_test_daemon_pid(d), SIGTERM);
    r = vmc__qmp_client_receive(c, &error);
    VMC_ASSERT_OK(r, error);
    g_assert_cmpstr(json_object_get_string(jget(r, "id")), ==, "last");
    g_assert_true(json_object_get_boolean(jget(jget(r, "return"), "ok")));
    eof = vmc__qmp_client_receive(c, &error);
    g_assert_null(eof);
    g_clear_error(&error);
    if (!vmc_test_daemon_wait(d, 20000, &status)) {
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
    g_autofree char *cases_dir = vmc_test_source_path("tests", "data", "daemon", NULL);
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *extra[] = { "--workers", "2", "--arch", "x86_64", NULL };
    const char *n;
    int ret, status = 0;

    g_test_init(&argc, &argv, NULL);
    /* Failures are reported, not aborted on: the daemon is always stopped
     * (and its exit status checked). */
    g_test_set_nonfatal_assertions();
    daemon_main = vmc_test_daemon_start(extra, &error);
    if (!daemon_main)
        g_error("cannot start vmcompatd: %s", error->message);
    dir = g_dir_open(cases_dir, 0, &error);
    if (!dir)
        g_error("%s", error->message);
    while ((n = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_strdup(n));
    g_ptr_array_sort(names, vmc_strptr_cmp);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_strdup_printf("/daemon/case/%s",
                                                (char *) g_ptr_array_index(names, i));
        g_test_add_data_func(path, g_ptr_array_index(names, i), test_case);
    }
    g_test_add_func("/daemon/greeting", test_greeting);
    g_test_add_func("/daemon/pipelining", test_pipelining);
    g_test_add_func("/daemon/quit", test_quit);
    g_test_add_func("/daemon/socket", test_socket);
    g_test_add_func("/daemon/tcp", test_tcp);
    g_test_add_func("/daemon/sigterm", test_sigterm);
    ret = g_test_run();
    if (!vmc_test_daemon_stop(daemon_main, 20000, &status)) {
        g_autofree char *log = vmc_test_daemon_log(daemon_main);
        g_printerr("vmcompatd did not exit cleanly (status %d):\n%s\n", status, log);
        ret = 1;
    }
    vmc_test_daemon_free(daemon_main);
    return ret;
}
