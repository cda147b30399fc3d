/* pg-server.c: a private PostgreSQL server for tests (pg-server.h). */
#include "pg-server.h"

#include <errno.h>
#include <gio/gio.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct _VmcTestPg {
    char *bindir;
    char *dir;                        /* socket directory; data in dir/data */
    gboolean as_nobody;
    uid_t uid;
    gid_t gid;
    gboolean running;
    GPid reaper;                      /* stops the server when our end of its stdin closes */
    int reaper_in;
};

/* The newest /usr/lib/postgresql/<N>/bin with initdb, or $VMC_TEST_PG_BINDIR. */
static char *
vmc_test_pg_bindir(void)
{
    const char *env = g_getenv("VMC_TEST_PG_BINDIR");
    g_autoptr(GDir) d = NULL;
    g_autofree char *best = NULL;
    gint64 best_v = -1;
    const char *name;

    if (env && *env)
        return g_strdup(env);
    if (!(d = g_dir_open("/usr/lib/postgresql", 0, NULL)))
        return NULL;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *bin = g_build_filename("/usr/lib/postgresql", name, "bin", NULL);
        g_autofree char *initdb = g_build_filename(bin, "initdb", NULL);
        gint64 v = g_ascii_strtoll(name, NULL, 10);
        if (g_file_test(initdb, G_FILE_TEST_IS_EXECUTABLE) && v > best_v) {
            best_v = v;
            g_free(best);
            best = g_steal_pointer(&bin);
        }
    }
    return g_steal_pointer(&best);
}

static void
vmc_test_pg_child_setup(gpointer data)
{
    VmcTestPg *pg = data;

    if (!pg->as_nobody)
        return;
    if (setgroups(0, NULL) != 0 || setgid(pg->gid) != 0 || setuid(pg->uid) != 0)
        _exit(127);
}

/* Run @argv (as the server's user); its output goes to @log. */
static gboolean
vmc_test_pg_run(VmcTestPg *pg, const char *const *argv, GError **error)
{
    g_autofree char *out = NULL, *err = NULL;
    g_auto(GStrv) env = g_get_environ();
    gint status = 0;

    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    env = g_environ_setenv(env, "TZ", "UTC", TRUE);
    if (!g_spawn_sync(pg->dir, (char **) argv, env, G_SPAWN_DEFAULT, vmc_test_pg_child_setup, pg,
                      &out, &err, &status, error))
        return FALSE;
    if (!g_spawn_check_wait_status(status, error)) {
        g_prefix_error(error, "%s: %s%s: ", argv[0], out ? out : "", err ? err : "");
        return FALSE;
    }
    return TRUE;
}

/* A shell, as the server's user, that waits for its stdin to close — when
 * the test stops the server or dies (an assertion aborts it) — then stops
 * the server and removes the directory. */
static void
vmc_test_pg_spawn_reaper(VmcTestPg *pg, const char *pg_ctl, const char *data)
{
    const char *argv[] = { "/bin/sh", "-c",
                           "cat >/dev/null; \"$0\" -D \"$1\" -m fast -w stop >/dev/null 2>&1; rm -rf \"$2\"",
                           pg_ctl, data, pg->dir, NULL };
    g_autoptr(GError) error = NULL;

    if (!g_spawn_async_with_pipes("/", (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                  vmc_test_pg_child_setup, pg, &pg->reaper, &pg->reaper_in, NULL,
                                  NULL, &error)) {
        g_printerr("# test PostgreSQL server: no reaper (%s): stopped only by a clean exit\n",
                   error->message);
        pg->reaper_in = -1;
    }
}

VmcTestPg *
vmc_test_pg_start(gboolean durable, char **ret_skip, GError **error)
{
    g_autoptr(VmcTestPg) pg = g_new0(VmcTestPg, 1);
    g_autofree char *initdb = NULL, *pg_ctl = NULL, *data = NULL, *log = NULL, *opts = NULL;
    char tmpl[] = "/tmp/vmc-pg-XXXXXX";

    *ret_skip = NULL;
    pg->reaper_in = -1;
    if (!(pg->bindir = vmc_test_pg_bindir())) {
        *ret_skip = g_strdup("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/"
                             "initdb, or set VMC_TEST_PG_BINDIR); apt-get install postgresql");
        return NULL;
    }
    initdb = g_build_filename(pg->bindir, "initdb", NULL);
    pg_ctl = g_build_filename(pg->bindir, "pg_ctl", NULL);
    if (!g_file_test(pg_ctl, G_FILE_TEST_IS_EXECUTABLE)) {
        *ret_skip = g_strdup_printf("PostgreSQL: no pg_ctl in %s", pg->bindir);
        return NULL;
    }
    /* /tmp, not $TMPDIR: "nobody" must reach it, and a socket path is short */
    if (!g_mkdtemp(tmpl)) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s", tmpl, g_strerror(e));
        return NULL;
    }
    pg->dir = g_strdup(tmpl);
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam("nobody");
        if (!pw) {
            *ret_skip = g_strdup("PostgreSQL: running as root and there is no user 'nobody' to "
                                 "run the server as");
            return NULL;
        }
        pg->as_nobody = TRUE;
        pg->uid = pw->pw_uid;
        pg->gid = pw->pw_gid;
        if (chown(pg->dir, pg->uid, pg->gid) != 0) {
            int e = errno;
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "chown %s: %s", pg->dir,
                        g_strerror(e));
            return NULL;
        }
    }
    data = g_build_filename(pg->dir, "data", NULL);
    log = g_build_filename(pg->dir, "server.log", NULL);
    {
        const char *argv[] = { initdb, "-D", data, "-U", "vmc", "-A", "trust", "-E", "UTF8",
                               "--locale=C", "--no-sync", NULL };
        if (!vmc_test_pg_run(pg, argv, error))
            return NULL;
    }
    opts = g_strdup_printf("-k %s -c listen_addresses='' -c max_connections=50%s", pg->dir,
                           durable ? "" : " -c fsync=off -c synchronous_commit=off");
    {
        const char *argv[] = { pg_ctl, "-D", data, "-l", log, "-w", "-t", "60", "-o", opts, "start", NULL };
        if (!vmc_test_pg_run(pg, argv, error)) {
            g_autofree char *text = NULL;
            if (g_file_get_contents(log, &text, NULL, NULL))
                g_prefix_error(error, "server log: %s\n", text);
            return NULL;
        }
    }
    pg->running = TRUE;
    vmc_test_pg_spawn_reaper(pg, pg_ctl, data);
    return g_steal_pointer(&pg);
}

const char *
vmc_test_pg_dir(VmcTestPg *pg)
{
    return pg->dir;
}

char *
vmc_test_pg_create_db(VmcTestPg *pg, const char *name, GError **error)
{
    g_autofree char *admin = g_strdup_printf("postgresql:///postgres?host=%s&user=vmc", pg->dir);
    g_autofree char *sql = g_strdup_printf("CREATE DATABASE \"%s\"", name);
    PGconn *conn = PQconnectdb(admin);
    PGresult *res;
    gboolean ok;

    if (PQstatus(conn) != CONNECTION_OK) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", admin, PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    res = PQexec(conn, sql);
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    return ok ? g_strdup_printf("postgresql:///%s?host=%s&user=vmc", name, pg->dir) : NULL;
}

void
vmc_test_pg_stop(VmcTestPg *pg)
{
    if (!pg)
        return;
    if (pg->reaper_in >= 0) {
        int status;
        close(pg->reaper_in);
        waitpid(pg->reaper, &status, 0);
        g_spawn_close_pid(pg->reaper);
    } else if (pg->running) {
        g_autofree char *pg_ctl = g_build_filename(pg->bindir, "pg_ctl", NULL);
        g_autofree char *data = g_build_filename(pg->dir, "data", NULL);
        const char *argv[] = { pg_ctl, "-D", data, "-m", "fast", "-w", "stop", NULL };
        g_autoptr(GError) error = NULL;
        if (!vmc_test_pg_run(pg, argv, &error))
            g_printerr("# stopping the test PostgreSQL server: %s\n", error->message);
    }
    if (pg->dir && pg->reaper_in < 0) {
        const char *argv[] = { "rm", "-rf", pg->dir, NULL };
        g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, NULL, NULL);
    }
    g_free(pg->bindir);
    g_free(pg->dir);
    g_free(pg);
}
