/* main.c: vmcompatd — every vmcompat operation over QMP, on a UNIX socket.
 *
 * Thin: options, the catalog, the command set (libvmcompat's VmcQmp), the
 * server (server.c), systemd readiness. Exit status 0 after a graceful
 * shutdown (SIGTERM, SIGINT), 2 on bad options, 1 when the daemon cannot
 * start. Manual: docs/vmcompatd.8.md.
 */
#include "server.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

static char *arg_socket;
static char *arg_listen;
static char *arg_group;
static char **arg_catalog;
static char *arg_cpu_map;
static char *arg_db;
static char *arg_arch;
static gint arg_max_clients = VMCD_DEFAULT_MAX_CLIENTS;
static gint64 arg_max_message = VMCD_DEFAULT_MAX_MESSAGE_SIZE;
static gint arg_max_in_flight = VMCD_DEFAULT_MAX_IN_FLIGHT;
static gint arg_idle_timeout = VMCD_DEFAULT_IDLE_TIMEOUT_S;
static gint arg_workers;
static gint arg_shutdown_timeout = VMCD_DEFAULT_SHUTDOWN_TIMEOUT_S;
static gboolean arg_check_returns;
static char *arg_osinfo_db;
static gboolean arg_no_osinfo;
static gboolean arg_version;

static GOptionEntry vmcd_entries[] = {
    { "socket", 's', 0, G_OPTION_ARG_FILENAME, &arg_socket,
      "Listen on this UNIX socket (created mode 0600)", "PATH" },
    { "group", 0, 0, G_OPTION_ARG_STRING, &arg_group,
      "Also let this group use the socket (mode 0660)", "GROUP" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &arg_listen,
      "Also listen on TCP, loopback only (127.0.0.1:PORT, [::1]:PORT)", "ADDR:PORT" },
    { "catalog", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &arg_catalog,
      "Overlay catalog directory (repeatable)", "DIR" },
    { "cpu-map", 0, 0, G_OPTION_ARG_FILENAME, &arg_cpu_map,
      "Use the x86 models and features of a libvirt cpu_map directory", "DIR" },
    { "db", 0, 0, G_OPTION_ARG_STRING, &arg_db,
      "Fleet inventory (not served yet: refused; see vmcompat fleet)", "FILE" },
    { "arch", 0, 0, G_OPTION_ARG_STRING, &arg_arch,
      "Arch of commands that name none (default: this machine's)", "ARCH" },
    { "max-clients", 0, 0, G_OPTION_ARG_INT, &arg_max_clients,
      "Connections at once (default 1024)", "N" },
    { "max-message-size", 0, 0, G_OPTION_ARG_INT64, &arg_max_message,
      "Bytes of one request (default 4 MiB)", "BYTES" },
    { "max-in-flight", 0, 0, G_OPTION_ARG_INT, &arg_max_in_flight,
      "Unanswered requests per connection (default 64)", "N" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &arg_idle_timeout,
      "Close connections idle this long; 0: never (default 600)", "SECONDS" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &arg_workers,
      "Worker threads for document commands (default: one per CPU)", "N" },
    { "shutdown-timeout", 0, 0, G_OPTION_ARG_INT, &arg_shutdown_timeout,
      "On SIGTERM, how long running requests may finish (default 10)", "SECONDS" },
    { "osinfo-db", 0, 0, G_OPTION_ARG_FILENAME, &arg_osinfo_db,
      "The osinfo database for guest OS support (default: libosinfo's locations)", "DIR" },
    { "no-osinfo", 0, 0, G_OPTION_ARG_NONE, &arg_no_osinfo,
      "Do not load the osinfo database (guest OS commands then say so)", NULL },
    { "check-returns", 0, 0, G_OPTION_ARG_NONE, &arg_check_returns,
      "Check every reply against the schema too (tests, developers)", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &arg_version, "Print the version and exit", NULL },
    { NULL },
};

/* Print "vmcompatd: <message>" and return @status. */
static int
vmcd_fail(int status, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int
vmcd_fail(int status, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "vmcompatd: %s\n", msg);
    return status;
}

/* Tell systemd (Type=notify) that the socket is ready; no-op elsewhere. */
static void
vmcd_notify_ready(void)
{
    const char *path = g_getenv("NOTIFY_SOCKET");
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    static const char msg[] = "READY=1\nSTATUS=answering QMP";
    gsize len;
    int fd;

    if (!path || (path[0] != '/' && path[0] != '@') ||
        (len = strlen(path)) >= sizeof(addr.sun_path))
        return;
    memcpy(addr.sun_path, path, len);
    if (addr.sun_path[0] == '@')
        addr.sun_path[0] = '\0';          /* abstract namespace */
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return;
    if (sendto(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL, (struct sockaddr *) &addr,
               (socklen_t) (offsetof(struct sockaddr_un, sun_path) + len)) < 0)
        g_debug("sd_notify: %s", g_strerror(errno));
    close(fd);
}

/* Enough descriptors for the clients: raise the soft limit to the hard. */
static void
vmcd_raise_fd_limit(guint max_clients)
{
    struct rlimit rl;
    rlim_t want = (rlim_t) max_clients + 64;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = MIN(rl.rlim_max, want);
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
        g_warning("only %lu descriptors for %u clients: more connections are paused, not "
                  "refused", (unsigned long) rl.rlim_cur, max_clients);
}

/* The arch this machine runs (x86_64 when it has no CPU driver). */
static VmcArch
vmcd_native_arch(void)
{
    struct utsname u;
    VmcArch a = uname(&u) == 0 ? vmc_arch_from_string(u.machine) : VMC_ARCH_N;

    return a == VMC_ARCH_N ? VMC_ARCH_X86_64 : a;
}

/* The command set; says once when guest OS support is off and why. */
static VmcQmp *
vmcd_load_commands(VmcCatalog *cat, const VmcQmpOptions *opts, GError **error)
{
    VmcQmp *qmp = vmc_qmp_new(cat, opts, error);

    if (qmp && opts->osinfo && vmc_qmp_get_osinfo_error(qmp))
        g_warning("guest OS support is off: %s", vmc_qmp_get_osinfo_error(qmp)->message);
    return qmp;
}

int
main(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx = g_option_context_new("- vmcompat over QMP");
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCatalog) cat = NULL;
    g_autoptr(VmcQmp) qmp = NULL;
    g_autoptr(VmcdServer) srv = NULL;
    VmcQmpOptions qopts = { .version = VMC_QMP_OPTIONS_VERSION };
    VmcdLimits limits = { 0 };
    gint64 gid = -1;

    g_option_context_add_main_entries(ctx, vmcd_entries, NULL);
    g_option_context_set_description(ctx,
        "Answers every vmcompat operation over QMP, the protocol management stacks\n"
        "already speak to QEMU: query-cpu-model-comparison, -expansion, -baseline,\n"
        "query-cpu-definitions, query-platforms, resolve-guest, check-migration, ...\n"
        "(query-commands lists them). See vmcompatd(8).\n");
    if (!g_option_context_parse(ctx, &argc, &argv, &error))
        return vmcd_fail(2, "%s", error->message);
    if (arg_version) {
        printf("vmcompatd %s\n", VMC_VERSION);
        return 0;
    }
    if (argc > 1)
        return vmcd_fail(2, "unexpected argument '%s'", argv[1]);
    if (arg_db)
        return vmcd_fail(2, "--db '%s': vmcompatd does not serve the fleet inventory yet "
                         "(no fleet-* commands); use 'vmcompat fleet --db FILE', and start "
                         "vmcompatd without --db", arg_db);
    if (!arg_socket && !arg_listen)
        return vmcd_fail(2, "give --socket PATH (and/or --listen 127.0.0.1:PORT)");
    if (arg_group && !arg_socket)
        return vmcd_fail(2, "--group applies to --socket");
    if (arg_osinfo_db && arg_no_osinfo)
        return vmcd_fail(2, "--osinfo-db and --no-osinfo contradict each other");
    if (arg_max_clients < 1 || arg_max_in_flight < 1 || arg_idle_timeout < 0 ||
        arg_workers < 0 || arg_shutdown_timeout < 0 || arg_max_message < 64 ||
        arg_max_message > G_MAXINT)
        return vmcd_fail(2, "limits must be positive (--max-message-size: 64 bytes to 2 GiB)");
    if (arg_group) {
        struct group *gr = getgrnam(arg_group);
        if (!gr)
            return vmcd_fail(2, "--group '%s': no such group", arg_group);
        gid = gr->gr_gid;
    }
    qopts.default_arch = arg_arch ? vmc_arch_from_string(arg_arch) : vmcd_native_arch();
    if (qopts.default_arch == VMC_ARCH_N)
        return vmcd_fail(2, "--arch '%s': unknown architecture (x86_64, s390x)", arg_arch);
    qopts.check_returns = arg_check_returns;
    qopts.osinfo = !arg_no_osinfo;
    qopts.osinfo_dir = arg_osinfo_db;
    limits.max_clients = (guint) arg_max_clients;
    limits.max_message_size = (gsize) arg_max_message;
    limits.max_in_flight = (guint) arg_max_in_flight;
    limits.idle_timeout_s = (guint) arg_idle_timeout;
    limits.workers = (guint) arg_workers;
    limits.shutdown_timeout_s = (guint) arg_shutdown_timeout;

    signal(SIGPIPE, SIG_IGN);
    vmcd_raise_fd_limit(limits.max_clients);
    cat = vmc_catalog_load((const char *const *) arg_catalog, VMC_CATALOG_DEFAULT, &error);
    if (!cat || (arg_cpu_map && !vmc_catalog_load_cpu_map(cat, arg_cpu_map, &error)) ||
        !(qmp = vmcd_load_commands(cat, &qopts, &error)) ||
        !(srv = vmcd_server_new(qmp, &limits, &error)) ||
        /* TCP first: once the UNIX socket answers, every listener is up */
        (arg_listen && !vmcd_server_listen_tcp(srv, arg_listen, &error)) ||
        (arg_socket && !vmcd_server_listen_unix(srv, arg_socket, gid, &error)) ||
        !vmcd_server_run(srv, vmcd_notify_ready, &error))
        return vmcd_fail(1, "%s", error->message);
    return 0;
}
