/* qmp-client.c: a small QMP client — spawn QEMU, connect its UNIX socket,
 * greeting, qmp_capabilities, then one command at a time.
 *
 * Wire format: QMP sends one JSON object per line ("\r\n" terminated); a
 * reply is the first object carrying "return" or "error", events are
 * skipped. Reads are bounded in time (poll) and size
 * (VMC_QMP_CLIENT_MAX_MESSAGE). Descriptors are O_CLOEXEC.
 *
 * Workload: a few hundred commands per test run; latency matters only for
 * the benchmark, which measures QEMU's round trip through this client.
 */
#include "qmp-client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>
#include <vmcompat/error.h>

struct _VmcQmpClient {
    int fd;                  /* connected socket or -1 */
    GPid pid;                /* spawned QEMU or 0 */
    char *tmpdir;            /* owned temporary directory or NULL */
    char *stderr_path;       /* QEMU's stderr file or NULL */
    GString *buf;            /* bytes read but not yet consumed */
    guint timeout_ms;
    guint64 next_id;
    json_object *greeting;
};

/* The last lines of QEMU's stderr, for error messages (transfer full). */
static char *
vmc_qmp_client_stderr_tail(const VmcQmpClient *c)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    if (!c->stderr_path || !g_file_get_contents(c->stderr_path, &text, &len, NULL) ||
        len == 0)
        return g_strdup("(no output)");
    g_strstrip(text);
    len = strlen(text);
    return g_strdup(len > 400 ? text + len - 400 : text);
}

/* Wait until @fd is readable; FALSE with @error on timeout or failure. */
static gboolean
vmc_qmp_client_wait(VmcQmpClient *c, GError **error)
{
    struct pollfd p = { .fd = c->fd, .events = POLLIN };
    int r;

    do {
        r = poll(&p, 1, (int) c->timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                    "QMP: no answer within %u ms", c->timeout_ms);
        return FALSE;
    }
    if (r < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "QMP: poll failed: %s",
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

/* Read the next JSON message (one line) from the server. */
static json_object *
vmc_qmp_client_read_message(VmcQmpClient *c, GError **error)
{
    for (;;) {
        char *nl = memchr(c->buf->str, '\n', c->buf->len);
        char chunk[65536];
        ssize_t n;

        if (nl) {
            gsize line_len = (gsize) (nl - c->buf->str);
            g_autofree char *line = g_strndup(c->buf->str, line_len);
            json_object *obj;

            g_string_erase(c->buf, 0, (gssize) line_len + 1);
            g_strstrip(line);
            if (!*line)
                continue;
            obj = json_tokener_parse(line);
            if (!obj || !json_object_is_type(obj, json_type_object)) {
                json_object_put(obj);
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "QMP: the server sent something that is not a JSON object: '%.80s'",
                            line);
                return NULL;
            }
            return obj;
        }
        if (c->buf->len > VMC_QMP_CLIENT_MAX_MESSAGE) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                        "QMP: message longer than %u bytes", VMC_QMP_CLIENT_MAX_MESSAGE);
            return NULL;
        }
        if (!vmc_qmp_client_wait(c, error))
            return NULL;
        do {
            n = read(c->fd, chunk, sizeof(chunk));
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "QMP: read failed: %s",
                        g_strerror(errno));
            return NULL;
        }
        if (n == 0) {
            g_autofree char *tail = vmc_qmp_client_stderr_tail(c);
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "QMP: the server closed the connection (stderr: %s)", tail);
            return NULL;
        }
        g_string_append_len(c->buf, chunk, n);
    }
}

/* Write all of @data. */
static gboolean
vmc_qmp_client_write(VmcQmpClient *c, const char *data, gsize len, GError **error)
{
    while (len > 0) {
        ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "QMP: write failed: %s",
                        g_strerror(errno));
            return FALSE;
        }
        data += n;
        len -= (gsize) n;
    }
    return TRUE;
}

json_object *
vmc_qmp_client_request(VmcQmpClient *c, json_object *request, GError **error)
{
    g_autofree char *id = NULL;
    const char *text;
    json_object *req;

    g_return_val_if_fail(c != NULL && request != NULL, NULL);
    /* Send a copy carrying our id so the reply can be matched. */
    req = NULL;
    if (json_object_deep_copy(request, &req, NULL) != 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED, "QMP: cannot copy the request");
        return NULL;
    }
    id = g_strdup_printf("vmc-%" G_GUINT64_FORMAT, c->next_id++);
    json_object_object_add(req, "id", json_object_new_string(id));
    text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
    if (!vmc_qmp_client_write(c, text, strlen(text), error) ||
        !vmc_qmp_client_write(c, "\n", 1, error)) {
        json_object_put(req);
        return NULL;
    }
    json_object_put(req);

    for (;;) {
        json_object *msg = vmc_qmp_client_read_message(c, error);
        json_object *mid = NULL;

        if (!msg)
            return NULL;
        if (!json_object_object_get_ex(msg, "return", NULL) &&
            !json_object_object_get_ex(msg, "error", NULL)) {
            json_object_put(msg);      /* an event */
            continue;
        }
        if (json_object_object_get_ex(msg, "id", &mid) &&
            g_strcmp0(json_object_get_string(mid), id) != 0) {
            json_object_put(msg);      /* a stale reply */
            continue;
        }
        json_object_object_del(msg, "id");
        return msg;
    }
}

json_object *
vmc_qmp_client_execute(VmcQmpClient *c, const char *command, json_object *arguments,
                       GError **error)
{
    json_object *req;
    json_object *reply;

    g_return_val_if_fail(c != NULL && command != NULL, NULL);
    req = json_object_new_object();
    json_object_object_add(req, "execute", json_object_new_string(command));
    if (arguments)
        json_object_object_add(req, "arguments", json_object_get(arguments));
    reply = vmc_qmp_client_request(c, req, error);
    json_object_put(req);
    return reply;
}

/* Greeting and capabilities negotiation on a fresh connection. */
static gboolean
vmc_qmp_client_handshake(VmcQmpClient *c, GError **error)
{
    json_object *reply;

    c->greeting = vmc_qmp_client_read_message(c, error);
    if (!c->greeting)
        return FALSE;
    if (!json_object_object_get_ex(c->greeting, "QMP", NULL)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "QMP: the first message is not a QMP greeting: %.80s",
                    json_object_to_json_string(c->greeting));
        return FALSE;
    }
    reply = vmc_qmp_client_execute(c, "qmp_capabilities", NULL, error);
    if (!reply)
        return FALSE;
    if (!json_object_object_get_ex(reply, "return", NULL)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED,
                    "QMP: qmp_capabilities failed: %s", json_object_to_json_string(reply));
        json_object_put(reply);
        return FALSE;
    }
    json_object_put(reply);
    return TRUE;
}

/* Try once to connect @c to @path; errno is kept on failure. */
static gboolean
vmc_qmp_client_try_connect(VmcQmpClient *c, const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        errno = ENAMETOOLONG;
        return FALSE;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return FALSE;
    if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return FALSE;
    }
    c->fd = fd;
    return TRUE;
}

static VmcQmpClient *
vmc_qmp_client_new(guint timeout_ms)
{
    VmcQmpClient *c = g_new0(VmcQmpClient, 1);
    c->fd = -1;
    c->buf = g_string_new(NULL);
    c->timeout_ms = timeout_ms ? timeout_ms : VMC_QMP_CLIENT_DEFAULT_TIMEOUT_MS;
    return c;
}

VmcQmpClient *
vmc_qmp_client_connect(const char *socket_path, guint timeout_ms, GError **error)
{
    g_autoptr(VmcQmpClient) c = vmc_qmp_client_new(timeout_ms);

    g_return_val_if_fail(socket_path != NULL, NULL);
    if (!vmc_qmp_client_try_connect(c, socket_path)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "QMP: cannot connect to '%s': %s",
                    socket_path, g_strerror(errno));
        return NULL;
    }
    if (!vmc_qmp_client_handshake(c, error))
        return NULL;
    return g_steal_pointer(&c);
}

/* In the child: die with the parent, so no QEMU outlives a crashed test. */
static void
vmc_qmp_client_child_setup(gpointer data)
{
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* TRUE when the spawned child has already exited (and reap it). */
static gboolean
vmc_qmp_client_child_gone(VmcQmpClient *c, int *ret_status)
{
    pid_t r = waitpid(c->pid, ret_status, WNOHANG);
    if (r == c->pid) {
        c->pid = 0;
        return TRUE;
    }
    return FALSE;
}

VmcQmpClient *
vmc_qmp_client_spawn(const char *binary, const char *const *args, guint timeout_ms,
                     GError **error)
{
    g_autoptr(VmcQmpClient) c = vmc_qmp_client_new(timeout_ms);
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *sock = NULL;
    g_autofree char *qmp_arg = NULL;
    gint64 deadline;
    int null_fd, err_fd;
    gboolean ok;

    g_return_val_if_fail(binary != NULL, NULL);
    c->tmpdir = g_dir_make_tmp("vmc-qmp-XXXXXX", error);
    if (!c->tmpdir)
        return NULL;
    sock = g_build_filename(c->tmpdir, "qmp.sock", NULL);
    c->stderr_path = g_build_filename(c->tmpdir, "stderr.log", NULL);
    qmp_arg = g_strdup_printf("unix:%s,server=on,wait=off", sock);

    g_ptr_array_add(argv, g_strdup(binary));
    for (gsize i = 0; args && args[i]; i++)
        g_ptr_array_add(argv, g_strdup(args[i]));
    g_ptr_array_add(argv, g_strdup("-qmp"));
    g_ptr_array_add(argv, g_strdup(qmp_arg));
    g_ptr_array_add(argv, NULL);

    null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    err_fd = open(c->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (null_fd < 0 || err_fd < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "cannot open '%s': %s",
                    c->stderr_path, g_strerror(errno));
        if (null_fd >= 0)
            close(null_fd);
        if (err_fd >= 0)
            close(err_fd);
        return NULL;
    }
    ok = g_spawn_async_with_fds(c->tmpdir, (char **) argv->pdata, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                vmc_qmp_client_child_setup, NULL, &c->pid,
                                null_fd, null_fd, err_fd, error);
    close(null_fd);
    close(err_fd);
    if (!ok)
        return NULL;

    /* The socket appears once QEMU has parsed its command line. */
    deadline = g_get_monotonic_time() + (gint64) c->timeout_ms * 1000;
    while (!vmc_qmp_client_try_connect(c, sock)) {
        int status = 0;
        if (vmc_qmp_client_child_gone(c, &status)) {
            g_autofree char *tail = vmc_qmp_client_stderr_tail(c);
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s' exited (status %d) before its QMP socket was ready: %s",
                        binary, status, tail);
            return NULL;
        }
        if (g_get_monotonic_time() > deadline) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO,
                        "'%s': QMP socket '%s' not ready within %u ms", binary, sock,
                        c->timeout_ms);
            return NULL;
        }
        g_usleep(10 * 1000);
    }
    if (!vmc_qmp_client_handshake(c, error))
        return NULL;
    return g_steal_pointer(&c);
}

json_object *
vmc_qmp_client_greeting(const VmcQmpClient *c)
{
    return c->greeting;
}

GPid
vmc_qmp_client_pid(const VmcQmpClient *c)
{
    return c->pid;
}

/* Stop and reap the spawned QEMU: SIGTERM, then SIGKILL after a second. */
static void
vmc_qmp_client_kill(VmcQmpClient *c)
{
    int status = 0;

    if (c->pid <= 0)
        return;
    kill(c->pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (vmc_qmp_client_child_gone(c, &status))
            return;
        g_usleep(10 * 1000);
    }
    kill(c->pid, SIGKILL);
    waitpid(c->pid, &status, 0);
    c->pid = 0;
}

void
vmc_qmp_client_free(VmcQmpClient *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    vmc_qmp_client_kill(c);
    if (c->tmpdir) {
        g_autofree char *sock = g_build_filename(c->tmpdir, "qmp.sock", NULL);
        g_unlink(sock);
        if (c->stderr_path)
            g_unlink(c->stderr_path);
        g_rmdir(c->tmpdir);
    }
    g_free(c->tmpdir);
    g_free(c->stderr_path);
    g_string_free(c->buf, TRUE);
    json_object_put(c->greeting);
    g_free(c);
}

/* ---- Reading CPU-model answers by meaning ---------------------------- */

#include "catalog/catalog-private.h"

/* The features of group or feature @name, or FALSE when it is neither. */
static gboolean
vmc_qmp_name_features(VmcCatalog *cat, VmcArch arch, const char *name,
                      VmcFeatureSet *ret)
{
    const VmcArchCatalog *ac = vmc_catalog_arch(cat, arch);
    const VmcFeature *f = vmc_catalog_feature_lookup(cat, arch, name);

    vmc_feature_set_clear(ret);
    if (f) {
        vmc_feature_set_add(ret, vmc_feature_get_id(f));
        return TRUE;
    }
    for (guint i = 0; i < ac->group_names->len; i++) {
        if (g_str_equal(g_ptr_array_index(ac->group_names, i), name)) {
            *ret = *(const VmcFeatureSet *) g_ptr_array_index(ac->group_sets, i);
            return TRUE;
        }
    }
    return FALSE;
}

gboolean
vmc_qmp_model_info_features(VmcCatalog *cat, VmcArch arch, json_object *info,
                            VmcFeatureSet *ret, GError **error)
{
    json_object *name_o = NULL;
    json_object *props = NULL;
    const VmcCpuModel *m;
    VmcFeatureSet set;

    if (!json_object_object_get_ex(info, "name", &name_o)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "CpuModelInfo without 'name'");
        return FALSE;
    }
    m = vmc_catalog_model_lookup(cat, arch, json_object_get_string(name_o));
    if (!m) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN, "unknown %s CPU model '%s'",
                    vmc_arch_to_string(arch), json_object_get_string(name_o));
        return FALSE;
    }
    set = *vmc_cpu_model_get_features(m);
    if (json_object_object_get_ex(info, "props", &props)) {
        json_object_object_foreach(props, key, val) {
            VmcFeatureSet fs;
            if (!json_object_is_type(val, json_type_boolean))
                continue;
            if (!vmc_qmp_name_features(cat, arch, key, &fs)) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                            "field 'props.%s': unknown %s feature or group", key,
                            vmc_arch_to_string(arch));
                return FALSE;
            }
            if (json_object_get_boolean(val))
                vmc_feature_set_or(&set, &set, &fs);
            else
                vmc_feature_set_andnot(&set, &set, &fs);
        }
    }
    *ret = set;
    return TRUE;
}

void
vmc_qmp_names_features(VmcCatalog *cat, VmcArch arch, json_object *names,
                       VmcFeatureSet *ret, GPtrArray *others)
{
    vmc_feature_set_clear(ret);
    for (gsize i = 0; names && i < json_object_array_length(names); i++) {
        const char *n = json_object_get_string(json_object_array_get_idx(names, i));
        VmcFeatureSet fs;
        if (n && vmc_qmp_name_features(cat, arch, n, &fs))
            vmc_feature_set_or(ret, ret, &fs);
        else if (n && others)
            g_ptr_array_add(others, g_strdup(n));
    }
}

static gint
vmc_qmp_strptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Names of @set (at most 30), for diagnostics (transfer full). */
static char *
vmc_qmp_set_names(VmcCatalog *cat, VmcArch arch, const VmcFeatureSet *set)
{
    g_autoptr(GString) s = g_string_new(NULL);
    guint n = 0;

    VMC_FEATURE_SET_FOREACH(set, i) {
        if (n++ == 30) {
            g_string_append(s, ",...");
            break;
        }
        g_string_append_printf(s, "%s%s", s->len ? "," : "",
                               vmc_feature_get_name(vmc_catalog_feature(cat, arch, (guint) i)));
    }
    return g_strdup(s->len ? s->str : "(none)");
}

/* Equal on @universe, or explain the difference in @diag. */
static gboolean
vmc_qmp_sets_agree(VmcCatalog *cat, VmcArch arch, const char *what,
                   const VmcFeatureSet *expected, const VmcFeatureSet *actual,
                   const VmcFeatureSet *universe, GString *diag)
{
    VmcFeatureSet e = *expected, a = *actual, only_e, only_a;

    if (universe) {
        vmc_feature_set_and(&e, &e, universe);
        vmc_feature_set_and(&a, &a, universe);
    }
    if (vmc_feature_set_equal(&e, &a))
        return TRUE;
    vmc_feature_set_andnot(&only_e, &e, &a);
    vmc_feature_set_andnot(&only_a, &a, &e);
    {
        g_autofree char *x = vmc_qmp_set_names(cat, arch, &only_e);
        g_autofree char *y = vmc_qmp_set_names(cat, arch, &only_a);
        g_string_append_printf(diag, "%s: only QEMU: %s; only ours: %s\n", what, x, y);
    }
    return FALSE;
}

static json_object *
vmc_qmp_get(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Model answers: the same name and the same features. */
static gboolean
vmc_qmp_models_agree(VmcCatalog *cat, VmcArch arch, json_object *e, json_object *a,
                     const VmcFeatureSet *universe, GString *diag)
{
    g_autoptr(GError) error = NULL;
    const char *en = json_object_get_string(vmc_qmp_get(e, "name"));
    const char *an = json_object_get_string(vmc_qmp_get(a, "name"));
    VmcFeatureSet es, as;

    if (g_strcmp0(en, an) != 0) {
        g_string_append_printf(diag, "model: QEMU '%s', ours '%s'\n", en, an);
        return FALSE;
    }
    if (!vmc_qmp_model_info_features(cat, arch, e, &es, &error) ||
        !vmc_qmp_model_info_features(cat, arch, a, &as, &error)) {
        g_string_append_printf(diag, "cannot read a model answer: %s\n", error->message);
        return FALSE;
    }
    return vmc_qmp_sets_agree(cat, arch, "features", &es, &as, universe, diag);
}

/* Comparison answers: result, responsible features, other properties. */
static gboolean
vmc_qmp_comparisons_agree(VmcCatalog *cat, VmcArch arch, json_object *e, json_object *a,
                          const VmcFeatureSet *universe, GString *diag)
{
    g_autoptr(GPtrArray) eo = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) ao = g_ptr_array_new_with_free_func(g_free);
    const char *er = json_object_get_string(vmc_qmp_get(e, "result"));
    const char *ar = json_object_get_string(vmc_qmp_get(a, "result"));
    VmcFeatureSet es, as;
    gboolean ok = TRUE;

    if (g_strcmp0(er, ar) != 0) {
        g_string_append_printf(diag, "result: QEMU '%s', ours '%s'\n", er, ar);
        ok = FALSE;
    }
    vmc_qmp_names_features(cat, arch, vmc_qmp_get(e, "responsible-properties"), &es, eo);
    vmc_qmp_names_features(cat, arch, vmc_qmp_get(a, "responsible-properties"), &as, ao);
    if (!vmc_qmp_sets_agree(cat, arch, "responsible-properties", &es, &as, universe, diag))
        ok = FALSE;
    g_ptr_array_sort(eo, vmc_qmp_strptr_cmp);
    g_ptr_array_sort(ao, vmc_qmp_strptr_cmp);
    for (guint i = 0; i < MAX(eo->len, ao->len); i++) {
        const char *x = i < eo->len ? g_ptr_array_index(eo, i) : NULL;
        const char *y = i < ao->len ? g_ptr_array_index(ao, i) : NULL;
        if (g_strcmp0(x, y) != 0) {
            g_string_append_printf(diag, "responsible-properties: QEMU '%s', ours '%s'\n",
                                   x ? x : "(none)", y ? y : "(none)");
            ok = FALSE;
        }
    }
    return ok;
}

gboolean
vmc_qmp_replies_agree(VmcCatalog *cat, VmcArch arch, json_object *request,
                      json_object *expected, json_object *actual,
                      const VmcFeatureSet *universe, GString *diag)
{
    const char *cmd = json_object_get_string(vmc_qmp_get(request, "execute"));
    json_object *eerr = vmc_qmp_get(expected, "error");
    json_object *aerr = vmc_qmp_get(actual, "error");
    json_object *eret = vmc_qmp_get(expected, "return");
    json_object *aret = vmc_qmp_get(actual, "return");

    if (eerr || aerr) {
        if (eerr && aerr)
            return TRUE;
        g_string_append_printf(diag, "QEMU %s, ours %s: %s\n",
                               eerr ? "refused" : "answered", aerr ? "refused" : "answered",
                               json_object_get_string(vmc_qmp_get(eerr ? eerr : aerr, "desc")));
        return FALSE;
    }
    if (g_strcmp0(cmd, "query-cpu-model-comparison") == 0)
        return vmc_qmp_comparisons_agree(cat, arch, eret, aret, universe, diag);
    if (g_strcmp0(cmd, "query-cpu-model-expansion") == 0 ||
        g_strcmp0(cmd, "query-cpu-model-baseline") == 0)
        return vmc_qmp_models_agree(cat, arch, vmc_qmp_get(eret, "model"),
                                    vmc_qmp_get(aret, "model"), universe, diag);
    g_string_append_printf(diag, "cannot compare replies to '%s'\n", cmd ? cmd : "(none)");
    return FALSE;
}

json_object *
vmc_qmp_reply_from_def(const VmcCpuDef *def)
{
    g_autofree char *text = vmc_cpu_def_format_qmp(def);
    json_object *ret = json_object_new_object();
    json_object *reply = json_object_new_object();

    json_object_object_add(ret, "model", json_tokener_parse(text));
    json_object_object_add(reply, "return", ret);
    return reply;
}

json_object *
vmc_qmp_reply_from_comparison(VmcCompareResult result, GPtrArray *responsible)
{
    json_object *ret = json_object_new_object();
    json_object *arr = json_object_new_array();
    json_object *reply = json_object_new_object();

    for (guint i = 0; responsible && i < responsible->len; i++)
        json_object_array_add(arr, json_object_new_string(g_ptr_array_index(responsible, i)));
    json_object_object_add(ret, "result",
                           json_object_new_string(vmc_compare_result_to_string(result)));
    json_object_object_add(ret, "responsible-properties", arr);
    json_object_object_add(reply, "return", ret);
    return reply;
}

json_object *
vmc_qmp_reply_from_error(const GError *error)
{
    json_object *err = json_object_new_object();
    json_object *reply = json_object_new_object();

    json_object_object_add(err, "class", json_object_new_string("GenericError"));
    json_object_object_add(err, "desc", json_object_new_string(error->message));
    json_object_object_add(reply, "error", err);
    return reply;
}
