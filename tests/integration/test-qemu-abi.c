/* test-qemu-abi.c: resolved ABIs against a live QEMU (issue 4, "must show 3").
 *
 * For each guest below (guest JSON, QEMU command line and libvirt XML; five
 * machine types from pc-i440fx-4.2 to pc-q35-7.2; qemu64 and named models
 * with +/- features; virtio-net with tunables and an explicit property):
 *
 *   1. write the guest into a temporary directory, load it (vmc_guest_load)
 *      and resolve it (vmc_guest_resolve) for this machine — a host probed
 *      with its installed QEMU (vmc_host_probe), release = that QEMU's;
 *   2. vmc_abi_check must say runnable, and the ABI must survive its JSON
 *      (same fingerprint, same arguments);
 *   3. start qemu-system-x86_64 -S -nodefaults -display none with
 *      vmc_abi_qemu_args() (plus -netdev user / -device virtio-net-pci for a
 *      virtio-net device of the ABI) and QMP on a UNIX socket;
 *   4. read back over QMP and compare with the ABI:
 *        - qom-get /machine type == "<machine>-machine";
 *        - the CPU (query-cpus-fast → qom-path): its QOM type is the
 *          updated model, every feature of the ABI's updated CPU has the
 *          ABI's value (qom-get <path> <feature>); a feature this QEMU does
 *          not have must be off in the ABI and absent from -cpu; and every
 *          boolean CPU property that is a catalog feature is in the ABI
 *          (nothing left implicit);
 *        - every tunable and explicit guest property: on every instance of
 *          its driver (QOM tree walk; qom-list-types implements=driver),
 *          qom-get == the ABI's value.
 *
 * Each guest runs under TCG, and again under KVM when the probe finds KVM
 * usable. vmcompat may refuse a KVM ABI ("host does not support running
 * this guest": the CPU needs features this host's KVM lacks); then QEMU
 * must refuse the same CPU under KVM too (the TCG ABI's arguments with
 * -accel kvm exit non-zero with "doesn't support requested feature").
 *
 * /qemu-abi/tunable-unknown: a virtio-net guest resolved for QEMU 8.2 (host
 * document tests/data/hosts/x86_64-kernel-6.8.json) carries virtio-net
 * tunables this QEMU does not have (the oracle: qom-list-properties of the
 * live QEMU). vmc_abi_check against this machine must refuse it before any
 * QEMU starts, with a 'tunable-unknown' reason naming each such property;
 * and QEMU itself must fail to start with those arguments (non-zero exit,
 * "Property ... not found"), also with only that tunable's -global.
 *
 * /qemu-abi/newer-release-runs: the converse — an ABI resolved for QEMU 8.2
 * that vmc_abi_check finds runnable here must start here.
 *
 * Without qemu-system-x86_64 every test is skipped with a message. QEMU is
 * always killed (qmp-client.c; the refusal runs kill by pid).
 */
#include "harness/harness.h"
#include "harness/qmp-agree.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define QEMU_BINARY "qemu-system-x86_64"
#define ARCH VMC_ARCH_X86_64
#define NEWER_RELEASE "qemu-8.2"
#define NEWER_HOST "x86_64-kernel-6.8.json"

/* Assertions are non-fatal (the run goes on): stop the test at a NULL. */
#define ASSERT_NONNULL(x) \
    G_STMT_START { \
        g_assert_nonnull(x); \
        if (!(x)) \
            return; \
    } G_STMT_END

/* A guest; @ACCEL@ becomes tcg/kvm, @DOMTYPE@ qemu/kvm (libvirt). */
typedef struct {
    const char *name;
    const char *file;          /* the extension picks the reader */
    const char *text;
    const char *machine;       /* the concrete type; NULL: pc-q35-<release> */
} GuestCase;

static const GuestCase guests[] = {
    { "json-q35-qemu64-virtio", "guest.json",
      "{\"format\": 1, \"arch\": \"x86_64\", \"machine\": \"q35\", \"accel\": \"@ACCEL@\",\n"
      " \"cpu\": \"qemu64\", \"devices\": [\"virtio-net-pci\"],\n"
      " \"properties\": {\"virtio-net-pci.x-mtu-bypass-backend\": \"off\"}}\n",
      NULL },
    { "cmdline-i440fx-7.2-nehalem", "guest.cmdline",
      "qemu-system-x86_64 -machine pc-i440fx-7.2 -accel @ACCEL@ \\\n"
      "  -cpu Nehalem-v1,+aes,-popcnt -m 512 -nographic\n",
      "pc-i440fx-7.2" },
    { "xml-q35-6.2-westmere-virtio", "guest.xml",
      "<domain type='@DOMTYPE@' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
      "  <name>westmere</name>\n"
      "  <memory unit='MiB'>512</memory>\n"
      "  <os><type arch='x86_64' machine='pc-q35-6.2'>hvm</type></os>\n"
      "  <cpu mode='custom' match='exact' check='full'>\n"
      "    <model fallback='forbid'>Westmere</model>\n"
      "    <feature policy='require' name='movbe'/>\n"
      "    <feature policy='disable' name='aes'/>\n"
      "  </cpu>\n"
      "  <devices>\n"
      "    <interface type='user'><model type='virtio'/></interface>\n"
      "  </devices>\n"
      "  <qemu:commandline>\n"
      "    <qemu:arg value='-global'/>\n"
      "    <qemu:arg value='virtio-net-pci.mrg_rxbuf=off'/>\n"
      "  </qemu:commandline>\n"
      "</domain>\n",
      "pc-q35-6.2" },
    { "cmdline-i440fx-4.2-opteron-virtio", "guest.cmdline",
      "qemu-system-x86_64 -M pc-i440fx-4.2 -accel @ACCEL@ -cpu Opteron_G2,popcnt=on,svm=off \\\n"
      "  -netdev user,id=n0 -device virtio-net-pci,netdev=n0,mq=on,x-mtu-bypass-backend=off\n",
      "pc-i440fx-4.2" },
    { "json-q35-5.2-qemu64-nopni-virtio", "guest.json",
      "{\"format\": 1, \"arch\": \"x86_64\", \"machine\": \"pc-q35-5.2\", \"accel\": \"@ACCEL@\",\n"
      " \"cpu\": \"qemu64,-pni\", \"devices\": [\"virtio-net-pci\"]}\n",
      "pc-q35-5.2" },
};

typedef struct {
    const GuestCase *guest;
    VmcAccel accel;
} Run;

static Run runs[G_N_ELEMENTS(guests) * 2];

typedef struct {
    VmcCatalog *cat;
    VmcHost *host;             /* this machine, probed with its QEMU */
    VmcRelease release;        /* that QEMU's release */
    char *why_not;             /* skip message: no QEMU */
    char *tmpdir;              /* guest files */
    /* totals */
    guint abis, kvm_abis, kvm_refused, machines, features, absent, tunables,
          properties, instances;
    gint64 qemu_us;
} Fixture;

static Fixture fx;

/* ---- small helpers ------------------------------------------------------ */

static json_object *
jget(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static char *
replace_all(const char *text, const char *what, const char *with)
{
    g_auto(GStrv) parts = g_strsplit(text, what, -1);
    return g_strjoinv(with, parts);
}

static char *
args_to_string(const char *const *args)
{
    g_autoptr(GString) s = g_string_new(NULL);
    for (guint i = 0; args && args[i]; i++) {
        g_autofree char *q = g_shell_quote(args[i]);
        g_string_append_printf(s, "%s%s", i ? " " : "", q);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static gboolean
skip_without_qemu(void)
{
    if (!fx.why_not)
        return FALSE;
    g_test_skip(fx.why_not);
    return TRUE;
}

/* A QMP command; a transport failure fails the test (NULL). */
static json_object *
qmp(VmcQmpClient *c, const char *cmd, json_object *args)
{
    g_autoptr(GError) error = NULL;
    json_object *r = vmc__qmp_client_execute(c, cmd, args, &error);
    if (!r) {
        g_test_message("QMP %s failed: %s", cmd, error->message);
        g_test_fail();
    }
    return r;
}

/* qom-get @path @prop: the value (a new reference), or NULL with @err_desc
 * set to QEMU's error. */
static json_object *
qom_get(VmcQmpClient *c, const char *path, const char *prop, char **err_desc)
{
    g_autoptr(json_object) a = json_object_new_object();
    g_autoptr(json_object) r = NULL;
    json_object *ret;

    json_object_object_add(a, "path", json_object_new_string(path));
    json_object_object_add(a, "property", json_object_new_string(prop));
    if (!(r = qmp(c, "qom-get", a))) {
        *err_desc = g_strdup("(QMP transport failure)");
        return NULL;
    }
    if ((ret = jget(r, "return")))
        return json_object_get(ret);
    *err_desc = g_strdup(json_object_get_string(jget(jget(r, "error"), "desc")));
    return NULL;
}

static int
parse_bool(const char *s)
{
    static const char *const yes[] = { "on", "true", "yes", "1" };
    static const char *const no[] = { "off", "false", "no", "0" };
    for (guint i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_ascii_strcasecmp(s, yes[i]) == 0)
            return 1;
        if (g_ascii_strcasecmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* Does QEMU's value mean the ABI's text? */
static gboolean
value_matches(json_object *got, const char *want)
{
    switch (json_object_get_type(got)) {
    case json_type_boolean:
        return parse_bool(want) == (json_object_get_boolean(got) ? 1 : 0);
    case json_type_int: {
        gint64 n;
        return g_ascii_string_to_signed(want, 0, G_MININT64, G_MAXINT64, &n, NULL) &&
               n == json_object_get_int64(got);
    }
    case json_type_string:
        return g_str_equal(json_object_get_string(got), want);
    default:
        return g_str_equal(json_object_to_json_string(got), want);
    }
}

/* ---- QEMU that must refuse ---------------------------------------------- */

static void
child_setup(gpointer data)
{
    (void) data;
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* Runs QEMU_BINARY with @args (QMP-less, -S). Returns TRUE when it exited
 * within @timeout_ms (@status: the wait status; @err: its stderr); FALSE
 * when it was still running (then it is killed: it started). */
static gboolean
run_until_exit(const char *const *args, guint timeout_ms, int *status, char **err)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    g_autofree char *err_path = g_build_filename(fx.tmpdir, "refusal-stderr.log", NULL);
    gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;
    int null_fd, err_fd;
    gboolean exited = FALSE;
    GPid pid = 0;

    *status = 0;
    *err = NULL;
    g_ptr_array_add(argv, (gpointer) QEMU_BINARY);
    for (guint i = 0; args[i]; i++)
        g_ptr_array_add(argv, (gpointer) args[i]);
    g_ptr_array_add(argv, NULL);
    null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(null_fd, >=, 0);
    g_assert_cmpint(err_fd, >=, 0);
    if (!g_spawn_async_with_fds(fx.tmpdir, (char **) argv->pdata, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, child_setup,
                                NULL, &pid, null_fd, null_fd, err_fd, &error)) {
        g_test_message("cannot run %s: %s", QEMU_BINARY, error->message);
        g_test_fail();
        close(null_fd);
        close(err_fd);
        *err = g_strdup("");
        return TRUE;
    }
    close(null_fd);
    close(err_fd);
    while (g_get_monotonic_time() < deadline) {
        if (waitpid(pid, status, WNOHANG) == pid) {
            exited = TRUE;
            break;
        }
        g_usleep(10 * 1000);
    }
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, status, 0);
    }
    if (!g_file_get_contents(err_path, err, NULL, NULL))
        *err = g_strdup("");
    g_unlink(err_path);
    return exited;
}

/* QEMU must not start with @args: exits non-zero, stderr has every @needles
 * (NULL-terminated). */
static void
assert_qemu_refuses(const char *what, const char *const *args, const char *const *needles)
{
    g_autofree char *err = NULL;
    g_autofree char *cmd = args_to_string(args);
    int status;
    gint64 t0 = g_get_monotonic_time();

    if (!run_until_exit(args, 20000, &status, &err)) {
        g_test_message("%s: QEMU started, but must refuse: %s %.2000s", what, QEMU_BINARY, cmd);
        g_test_fail();
        return;
    }
    g_strchomp(err);
    g_test_message("%s: QEMU refused in %.0f ms (status %d): %s", what,
                   (g_get_monotonic_time() - t0) / 1000.0,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1, err);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
    for (guint i = 0; needles[i]; i++) {
        if (!strstr(err, needles[i])) {
            g_test_message("%s: QEMU's stderr lacks \"%s\"", what, needles[i]);
            g_test_fail();
        }
    }
}

/* ---- QOM ---------------------------------------------------------------- */

/* Every object under /machine (path → QOM type), memory regions left out. */
static void
qom_walk(VmcQmpClient *c, const char *path, GHashTable *out, guint depth)
{
    g_autoptr(json_object) a = json_object_new_object();
    g_autoptr(json_object) r = NULL;
    json_object *list;

    json_object_object_add(a, "path", json_object_new_string(path));
    if (depth > 12 || !(r = qmp(c, "qom-list", a)))
        return;
    list = jget(r, "return");
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        const char *name = json_object_get_string(jget(p, "name"));
        const char *type = json_object_get_string(jget(p, "type"));
        g_autofree char *child = NULL, *ctype = NULL;
        if (!name || !type || !g_str_has_prefix(type, "child<"))
            continue;
        ctype = g_strndup(type + 6, strlen(type) - 7);
        if (g_str_equal(ctype, "memory-region"))
            continue;
        child = g_str_equal(path, "/") ? g_strconcat("/", name, NULL)
                                       : g_strconcat(path, "/", name, NULL);
        g_hash_table_replace(out, g_strdup(child), g_strdup(ctype));
        qom_walk(c, child, out, depth + 1);
    }
}

/* The live objects a -global @driver applies to, sorted. */
typedef struct {
    VmcQmpClient *qemu;
    GHashTable *objects;       /* path → type; filled on first use */
    GHashTable *implementers;  /* driver → GHashTable set of types */
} Live;

static GPtrArray *
instances_of(Live *l, const char *driver)
{
    GHashTable *types = g_hash_table_lookup(l->implementers, driver);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer path, type;

    if (!l->objects) {
        g_autoptr(json_object) r = NULL;
        g_autofree char *err = NULL;
        l->objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        if ((r = qom_get(l->qemu, "/machine", "type", &err)))
            g_hash_table_replace(l->objects, g_strdup("/machine"),
                                 g_strdup(json_object_get_string(r)));
        qom_walk(l->qemu, "/machine", l->objects, 0);
    }
    if (!types) {
        g_autoptr(json_object) a = json_object_new_object();
        g_autoptr(json_object) r = NULL;
        json_object *list;
        types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_add(types, g_strdup(driver));
        json_object_object_add(a, "implements", json_object_new_string(driver));
        json_object_object_add(a, "abstract", json_object_new_boolean(TRUE));
        r = qmp(l->qemu, "qom-list-types", a);
        list = jget(r, "return");
        for (size_t i = 0; list && i < json_object_array_length(list); i++)
            g_hash_table_add(types, g_strdup(json_object_get_string(
                                        jget(json_object_array_get_idx(list, i), "name"))));
        g_hash_table_replace(l->implementers, g_strdup(driver), types);
    }
    g_hash_table_iter_init(&it, l->objects);
    while (g_hash_table_iter_next(&it, &path, &type))
        if (g_hash_table_contains(types, type))
            g_ptr_array_add(out, g_strdup(path));
    return out;
}

/* A -global setting (tunable or explicit property) on every instance of
 * its driver. Returns the number of instances compared. */
static guint
check_setting(Live *l, const char *what, const char *driver, const char *property,
              const char *value)
{
    g_autoptr(GPtrArray) paths = instances_of(l, driver);
    guint n = 0;

    g_ptr_array_sort(paths, vmc_strptr_cmp);
    if (!paths->len) {
        g_test_message("%s %s.%s=%s: no live instance of %s", what, driver, property, value,
                       driver);
        g_test_fail();
        return 0;
    }
    for (guint i = 0; i < paths->len; i++) {
        const char *path = g_ptr_array_index(paths, i);
        g_autofree char *err = NULL;
        g_autoptr(json_object) got = qom_get(l->qemu, path, property, &err);
        if (!got) {
            g_test_message("%s %s.%s=%s: qom-get %s %s: %s", what, driver, property, value,
                           path, property, err);
            g_test_fail();
            continue;
        }
        if (!value_matches(got, value)) {
            g_test_message("%s %s.%s: the ABI says %s, QEMU's %s has %s", what, driver,
                           property, value, path, json_object_to_json_string(got));
            g_test_fail();
            continue;
        }
        n++;
    }
    return n;
}

/* ---- one resolved ABI ---------------------------------------------------- */

/* Write @gc for @accel into the temporary directory and load it. */
static VmcGuest *
load_guest(const GuestCase *gc, VmcAccel accel, GError **error)
{
    const char *a = accel == VMC_ACCEL_KVM ? "kvm" : "tcg";
    g_autofree char *t1 = replace_all(gc->text, "@ACCEL@", a);
    g_autofree char *t2 = replace_all(t1, "@DOMTYPE@", accel == VMC_ACCEL_KVM ? "kvm" : "qemu");
    g_autofree char *dir = g_build_filename(fx.tmpdir, gc->name, a, NULL);
    g_autofree char *path = g_build_filename(dir, gc->file, NULL);

    if (g_mkdir_with_parents(dir, 0700) != 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "mkdir %s: %s", dir,
                    g_strerror(errno));
        return NULL;
    }
    if (!g_file_set_contents(path, t2, -1, error))
        return NULL;
    return vmc_guest_load(fx.cat, path, error);
}

/* The live QEMU's argv for @abi: -S, no defaults, the ABI's arguments and a
 * backend for each device the ABI has. */
static GStrv
live_argv(const VmcAbi *abi, char *const *abi_args)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    const char *const *devs = vmc_abi_get_devices(abi);

    g_strv_builder_add_many(b, "-S", "-nodefaults", "-display", "none", NULL);
    g_strv_builder_addv(b, (const char **) abi_args);
    for (guint i = 0; devs && devs[i]; i++) {
        g_autofree char *netdev = g_strdup_printf("user,id=n%u", i);
        g_autofree char *dev = g_strdup_printf("%s,netdev=n%u,id=net%u", devs[i], i, i);
        if (!g_str_equal(devs[i], "virtio-net-pci")) {
            g_test_message("the test does not know how to instantiate device %s", devs[i]);
            g_test_fail();
            continue;
        }
        g_strv_builder_add_many(b, "-netdev", netdev, "-device", dev, NULL);
    }
    return g_strv_builder_end(b);
}

/* vmcompat refused the KVM ABI: QEMU must refuse the same CPU under KVM. */
static void
kvm_refusal_agrees(const GuestCase *gc, const GError *refusal)
{
    static const char *const needles[] = { "doesn't support requested feature", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcGuest) g = load_guest(gc, VMC_ACCEL_TCG, &error);
    g_autoptr(VmcAbi) abi = NULL;
    g_auto(GStrv) args = NULL;
    g_auto(GStrv) argv = NULL;

    if (!strstr(refusal->message, "CPU")) {
        g_test_message("KVM refused for a reason other than the CPU: not compared with QEMU");
        return;
    }
    VMC_ASSERT_OK(g, error);
    abi = vmc_guest_resolve(fx.cat, g, fx.host, NULL, &error);
    VMC_ASSERT_OK(abi, error);
    args = vmc_abi_qemu_args(abi, &error);
    VMC_ASSERT_OK(args, error);
    for (guint i = 0; args[i] && args[i + 1]; i++)
        if (g_str_equal(args[i], "-accel")) {
            g_free(args[i + 1]);
            args[i + 1] = g_strdup("kvm");
        }
    argv = live_argv(abi, args);
    assert_qemu_refuses("the TCG ABI's CPU under KVM", (const char *const *) argv, needles);
}

static void
test_guest(gconstpointer data)
{
    const Run *run = data;
    const GuestCase *gc = run->guest;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcGuest) guest = NULL;
    g_autoptr(VmcAbi) abi = NULL, back = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(VmcQmpClient) qemu = NULL;
    g_autoptr(json_object) r = NULL, got = NULL, abi_json = NULL;
    g_auto(GStrv) args = NULL, args_back = NULL, argv = NULL;
    g_autofree char *expect_machine = NULL, *json = NULL, *err = NULL, *cpu_path = NULL;
    g_autofree char *cpu_arg = NULL, *cpu_type = NULL;
    Live live = { 0 };
    const VmcCpuDef *cpu;
    json_object *list;
    gint64 t0, t_resolved, t_started, t_done;
    guint nfeat = 0, nabsent = 0, ntun = 0, nprop = 0, ninst = 0, implicit = 0;

    if (skip_without_qemu())
        return;
    if (run->accel == VMC_ACCEL_KVM && !vmc_host_has_kvm(fx.host)) {
        g_test_skip("KVM is not usable on this machine (see the probe's notes): KVM runs skipped");
        return;
    }
    if (gc->machine && vmc_host_get_machine_types(fx.host)) {
        GPtrArray *mts = vmc_host_get_machine_types(fx.host);
        gboolean offered = FALSE;
        for (guint i = 0; i < mts->len && !offered; i++)
            offered = g_str_equal(g_ptr_array_index(mts, i), gc->machine);
        if (!offered) {
            g_autofree char *msg = g_strdup_printf("this machine's QEMU does not offer %s",
                                                   gc->machine);
            g_test_skip(msg);
            return;
        }
    }
    t0 = g_get_monotonic_time();
    guest = load_guest(gc, run->accel, &error);
    VMC_ASSERT_OK(guest, error);
    g_assert_cmpint(vmc_guest_get_accel(guest), ==, run->accel);
    abi = vmc_guest_resolve(fx.cat, guest, fx.host, NULL, &error);
    if (!abi && run->accel == VMC_ACCEL_KVM && error &&
        g_error_matches(error, VMC_ERROR, VMC_ERROR_HOST_CAPABILITY)) {
        g_test_message("vmcompat refuses this guest under KVM here: %s", error->message);
        fx.kvm_refused++;
        kvm_refusal_agrees(gc, error);
        return;
    }
    VMC_ASSERT_OK(abi, error);
    t_resolved = g_get_monotonic_time();

    /* the resolved ABI */
    expect_machine = gc->machine ? g_strdup(gc->machine)
                                 : g_strdup_printf("pc-q35-%u.%u", fx.release.major,
                                                   fx.release.minor);
    g_assert_cmpstr(vmc_abi_get_machine(abi), ==, expect_machine);
    g_assert_cmpint(vmc_abi_get_accel(abi), ==, run->accel);
    g_assert_cmpint(vmc_release_compare(vmc_abi_get_release(abi), &fx.release), ==, 0);
    v = vmc_abi_check(abi, fx.host);
    if (!vmc_verdict_ok(v)) {
        g_autofree char *vj = vmc_verdict_to_json(v);
        g_test_message("vmc_abi_check refuses the ABI it just resolved: %s", vj);
        g_test_fail();
    }
    args = vmc_abi_qemu_args(abi, &error);
    VMC_ASSERT_OK(args, error);
    /* the ABI document round-trips: same fingerprint, same command line */
    json = vmc_abi_to_json(abi);
    back = vmc_abi_parse(fx.cat, json, strlen(json), "abi", &error);
    VMC_ASSERT_OK(back, error);
    g_assert_cmpstr(vmc_abi_get_fingerprint(back), ==, vmc_abi_get_fingerprint(abi));
    args_back = vmc_abi_qemu_args(back, &error);
    VMC_ASSERT_OK(args_back, error);
    g_assert_true(g_strv_equal((const char *const *) args, (const char *const *) args_back));
    for (guint i = 0; args[i] && args[i + 1]; i++)
        if (g_str_equal(args[i], "-cpu"))
            cpu_arg = g_strdup(args[i + 1]);
    ASSERT_NONNULL(cpu_arg);

    /* start it */
    argv = live_argv(abi, args);
    qemu = vmc__qmp_client_spawn(QEMU_BINARY, (const char *const *) argv, 0, &error);
    if (!qemu) {
        g_autofree char *cmd = args_to_string((const char *const *) argv);
        g_test_message("QEMU does not start with the ABI's arguments: %s\n  %s %.3000s",
                       error->message, QEMU_BINARY, cmd);
        g_test_fail();
        return;
    }
    t_started = g_get_monotonic_time();
    live.qemu = qemu;
    live.implementers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_hash_table_unref);

    /* machine type */
    got = qom_get(qemu, "/machine", "type", &err);
    if (got) {
        g_autofree char *want = g_strconcat(vmc_abi_get_machine(abi), "-machine", NULL);
        g_assert_cmpstr(json_object_get_string(got), ==, want);
    } else {
        g_test_message("qom-get /machine type: %s", err);
        g_test_fail();
    }
    g_clear_pointer(&got, json_object_put);
    g_clear_pointer(&err, g_free);

    /* the CPU */
    r = qmp(qemu, "query-cpus-fast", NULL);
    list = jget(r, "return");
    if (!list || json_object_array_length(list) < 1) {
        g_test_message("query-cpus-fast: %s", r ? json_object_to_json_string(r) : "(none)");
        g_test_fail();
        goto out;
    }
    cpu_path = g_strdup(json_object_get_string(jget(json_object_array_get_idx(list, 0),
                                                    "qom-path")));
    cpu = vmc_abi_get_cpu_updated(abi);
    got = qom_get(qemu, cpu_path, "type", &err);
    cpu_type = g_strconcat(vmc_cpu_def_get_model(cpu), "-x86_64-cpu", NULL);
    g_assert_cmpstr(got ? json_object_get_string(got) : err, ==, cpu_type);
    g_clear_pointer(&got, json_object_put);
    g_clear_pointer(&err, g_free);
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(cpu); i++) {
        VmcFeaturePolicy pol;
        const VmcFeature *f = vmc_cpu_def_get_feature(cpu, i, &pol);
        const char *name = vmc_feature_get_name(f);
        gboolean on = pol == VMC_FEATURE_POLICY_REQUIRE || pol == VMC_FEATURE_POLICY_FORCE;
        g_autofree char *e = NULL;
        g_autofree char *needle = g_strdup_printf(",%s=", name);
        g_autoptr(json_object) val = qom_get(qemu, cpu_path, name, &e);

        if (!val) {
            /* this QEMU has no such feature: then the ABI has it off, and
             * does not name it on -cpu (it would not have started) */
            if (on || strstr(cpu_arg, needle)) {
                g_test_message("CPU feature %s: %s, but the ABI has it %s%s", name, e,
                               on ? "on" : "off", strstr(cpu_arg, needle) ? " on -cpu" : "");
                g_test_fail();
            }
            nabsent++;
            continue;
        }
        if (!json_object_is_type(val, json_type_boolean) ||
            json_object_get_boolean(val) != on) {
            g_test_message("CPU feature %s: the ABI says %s, QEMU has %s", name, on ? "on" : "off",
                           json_object_to_json_string(val));
            g_test_fail();
            continue;
        }
        nfeat++;
    }
    /* nothing implicit: every boolean CPU property that is a catalog
     * feature is in the ABI */
    {
        g_autoptr(json_object) a = json_object_new_object();
        g_autoptr(json_object) props = NULL;
        g_autoptr(GString) missing = g_string_new(NULL);
        json_object_object_add(a, "path", json_object_new_string(cpu_path));
        props = qmp(qemu, "qom-list", a);
        list = jget(props, "return");
        for (size_t i = 0; list && i < json_object_array_length(list); i++) {
            json_object *p = json_object_array_get_idx(list, i);
            const VmcFeature *f;
            if (g_strcmp0(json_object_get_string(jget(p, "type")), "bool") != 0)
                continue;
            f = vmc_catalog_feature_lookup(fx.cat, ARCH, json_object_get_string(jget(p, "name")));
            if (f && vmc_cpu_def_get_policy(cpu, vmc_feature_get_id(f)) < 0 &&
                !strstr(missing->str, vmc_feature_get_name(f))) {
                g_string_append_printf(missing, " %s", vmc_feature_get_name(f));
                implicit++;
            }
        }
        if (implicit) {
            g_test_message("CPU features QEMU has that the ABI leaves implicit:%s", missing->str);
            g_test_fail();
        }
    }

    /* tunables and explicit properties, on every instance of their driver */
    for (guint i = 0; i < vmc_abi_get_tunable_count(abi); i++) {
        const VmcAbiTunable *t = vmc_abi_get_tunable(abi, i);
        guint n = check_setting(&live, "tunable", t->driver, t->property, t->value);
        ninst += n;
        ntun += n > 0;
    }
    abi_json = json_tokener_parse(json);
    list = jget(abi_json, "properties");
    for (size_t i = 0; list && i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        guint n = check_setting(&live, "property",
                                json_object_get_string(jget(p, "driver")),
                                json_object_get_string(jget(p, "property")),
                                json_object_get_string(jget(p, "value")));
        ninst += n;
        nprop += n > 0;
    }

out:
    t_done = g_get_monotonic_time();
    g_test_message("%s (%s): %s, CPU %s (%u features: %u compared, %u not in this QEMU and off),"
                   " %u tunables + %u properties on %u instances; resolve %.1f ms, QEMU start"
                   " %.1f ms, read back %.1f ms (%u QOM objects)",
                   gc->name, vmc_accel_to_string(run->accel), vmc_abi_get_machine(abi),
                   vmc_cpu_def_get_model(vmc_abi_get_cpu_updated(abi)),
                   vmc_cpu_def_get_feature_count(vmc_abi_get_cpu_updated(abi)), nfeat, nabsent,
                   ntun, nprop, ninst, (t_resolved - t0) / 1000.0,
                   (t_started - t_resolved) / 1000.0, (t_done - t_started) / 1000.0,
                   live.objects ? g_hash_table_size(live.objects) : 0);
    fx.abis++;
    fx.kvm_abis += run->accel == VMC_ACCEL_KVM;
    fx.machines++;
    fx.features += nfeat;
    fx.absent += nabsent;
    fx.tunables += ntun;
    fx.properties += nprop;
    fx.instances += ninst;
    fx.qemu_us += t_done - t_resolved;
    g_clear_pointer(&live.objects, g_hash_table_unref);
    g_clear_pointer(&live.implementers, g_hash_table_unref);
}

/* ---- a newer release's ABI on this QEMU ---------------------------------- */

/* The guest resolved for NEWER_RELEASE on NEWER_HOST; NULL (test skipped or
 * failed) when that is not newer than this machine's QEMU. */
static VmcAbi *
resolve_newer(const char *name, const char *text)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *host_path = vmc_test_source_path("tests", "data", "hosts", NEWER_HOST, NULL);
    g_autofree char *path = g_build_filename(fx.tmpdir, name, NULL);
    g_autoptr(VmcHost) host = NULL;
    g_autoptr(VmcGuest) guest = NULL;
    VmcAbi *abi;
    VmcRelease rel;

    g_assert_true(vmc_release_parse(NEWER_RELEASE, &rel, NULL));
    if (vmc_release_compare(&rel, &fx.release) <= 0) {
        g_test_skip("this machine's QEMU is not older than " NEWER_RELEASE);
        return NULL;
    }
    host = vmc_host_load(fx.cat, host_path, &error);
    if (!host || !g_file_set_contents(path, text, -1, &error) ||
        !(guest = vmc_guest_load(fx.cat, path, &error)) ||
        !(abi = vmc_guest_resolve(fx.cat, guest, host, &rel, &error))) {
        g_test_message("resolving %s for %s on %s: %s", name, NEWER_RELEASE, NEWER_HOST,
                       error->message);
        g_test_fail();
        return NULL;
    }
    return abi;
}

/* The properties the live QEMU's type @driver has (qom-list-properties). */
static GHashTable *
live_properties(VmcQmpClient *c, const char *driver)
{
    g_autoptr(json_object) a = json_object_new_object();
    g_autoptr(json_object) r = NULL;
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    json_object *list;

    json_object_object_add(a, "typename", json_object_new_string(driver));
    r = qmp(c, "qom-list-properties", a);
    list = jget(r, "return");
    if (!list)
        g_test_message("qom-list-properties %s: %s", driver,
                       r ? json_object_to_json_string(r) : "(none)");
    for (size_t i = 0; list && i < json_object_array_length(list); i++)
        g_hash_table_add(set, g_strdup(json_object_get_string(
                                  jget(json_object_array_get_idx(list, i), "name"))));
    return set;
}

static void
test_tunable_unknown(void)
{
    static const char *const info_args[] = {
        "-machine", "none", "-accel", "tcg", "-nodefaults", "-display", "none", "-S", NULL,
    };
    static const char *const full_needles[] = { "Property", "not found", NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(VmcQmpClient) info = NULL;
    g_autoptr(GHashTable) props_by_driver = NULL;
    g_autoptr(GPtrArray) unknown = g_ptr_array_new();
    g_auto(GStrv) args = NULL, argv = NULL;
    const VmcReason *first;
    guint named = 0;

    if (skip_without_qemu())
        return;
    /* host_uso=on asked for; guest_uso4/6 stay at pc-q35-7.2's off */
    abi = resolve_newer("newer-virtio.json",
                        "{\"format\": 1, \"arch\": \"x86_64\", \"machine\": \"pc-q35-7.2\","
                        " \"accel\": \"tcg\", \"cpu\": \"qemu64\","
                        " \"devices\": [\"virtio-net-pci\"],"
                        " \"properties\": {\"virtio-net-pci.host_uso\": \"on\"}}\n");
    if (!abi)
        return;

    /* the oracle: which of the ABI's settings this QEMU has at all */
    info = vmc__qmp_client_spawn(QEMU_BINARY, info_args, 0, &error);
    VMC_ASSERT_OK(info, error);
    props_by_driver = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) g_hash_table_unref);
    for (guint i = 0; i < vmc_abi_get_tunable_count(abi); i++) {
        const VmcAbiTunable *t = vmc_abi_get_tunable(abi, i);
        GHashTable *known = g_hash_table_lookup(props_by_driver, t->driver);
        if (!known) {
            known = live_properties(info, t->driver);
            g_hash_table_replace(props_by_driver, g_strdup(t->driver), known);
        }
        if (!g_hash_table_contains(known, t->property))
            g_ptr_array_add(unknown, (gpointer) t);
    }
    g_clear_pointer(&info, vmc__qmp_client_free);
    g_test_message("%s ABI: %u tunables, %u unknown to this QEMU %u.%u", NEWER_RELEASE,
                   vmc_abi_get_tunable_count(abi), unknown->len, fx.release.major,
                   fx.release.minor);
    g_assert_cmpuint(unknown->len, >, 0);

    /* refused before QEMU starts, naming each property */
    v = vmc_abi_check(abi, fx.host);
    g_assert_false(vmc_verdict_ok(v));
    first = vmc_verdict_first_error(v);
    ASSERT_NONNULL(first);
    for (guint i = 0; i < unknown->len; i++) {
        const VmcAbiTunable *t = g_ptr_array_index(unknown, i);
        gboolean found = FALSE;
        /* a value other than the safe one cannot run there (error); the
         * safe one is what that QEMU does without the property (note) */
        const VmcTunable *ct = vmc_catalog_tunable_lookup(fx.cat, t->name, NULL);
        gboolean safe = ct && vmc_tunable_value_equal(t->value, vmc_tunable_get_safe_value(ct));
        for (guint k = 0; k < vmc_verdict_count(v) && !found; k++) {
            const VmcReason *r = vmc_verdict_get(v, k);
            found = r->severity == (safe ? VMC_SEVERITY_NOTE : VMC_SEVERITY_ERROR) &&
                    g_str_equal(r->kind, safe ? "tunable-absent" : "tunable-unknown") &&
                    g_strcmp0(r->subject, t->name) == 0 && strstr(r->message, t->property);
            if (found)
                g_test_message("refused: [%s] %s", r->kind, r->message);
        }
        if (!found) {
            g_autofree char *vj = vmc_verdict_to_json(v);
            g_test_message("no tunable-unknown reason names %s: %s", t->name, vj);
            g_test_fail();
        }
        named += found;
    }
    /* and no tunable-unknown reason for a property this QEMU has */
    for (guint k = 0; k < vmc_verdict_count(v); k++) {
        const VmcReason *r = vmc_verdict_get(v, k);
        gboolean listed = FALSE;
        if (!g_str_equal(r->kind, "tunable-unknown"))
            continue;
        for (guint i = 0; i < unknown->len && !listed; i++)
            listed = g_strcmp0(r->subject,
                               ((const VmcAbiTunable *) g_ptr_array_index(unknown, i))->name) == 0;
        if (!listed) {
            g_test_message("tunable-unknown for a property this QEMU has: %s", r->message);
            g_test_fail();
        }
    }
    g_assert_cmpuint(named, ==, unknown->len);

    /* arguments for this QEMU are refused too, naming the property set on */
    {
        g_auto(GStrv) here = vmc_abi_qemu_args_for(abi, &fx.release, &error);
        g_assert_null(here);
        g_assert_error(error, VMC_ERROR, VMC_ERROR_HOST_CAPABILITY);
        g_assert_nonnull(strstr(error->message, "host_uso"));
        g_clear_error(&error);
    }
    /* QEMU agrees: it does not start with the ABI's arguments ... */
    args = vmc_abi_qemu_args(abi, &error);
    VMC_ASSERT_OK(args, error);
    argv = live_argv(abi, args);
    assert_qemu_refuses("the " NEWER_RELEASE " ABI's arguments", (const char *const *) argv,
                        full_needles);
    /* ... nor with only an unknown tunable's -global, naming the property;
     * without it, the same command line starts */
    for (guint i = 0; i < unknown->len; i++) {
        const VmcAbiTunable *t = g_ptr_array_index(unknown, i);
        g_autofree char *global = g_strdup_printf("%s.%s=%s", t->driver, t->property, t->value);
        g_autofree char *prop = g_strdup_printf("Property '%s.%s' not found", t->driver,
                                                t->property);
        const char *needles[] = { prop, NULL };
        const char *one[] = {
            "-S", "-nodefaults", "-display", "none", "-machine", vmc_abi_get_machine(abi),
            "-accel", "tcg", "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0",
            "-global", global, NULL,
        };
        g_autofree char *what = g_strdup_printf("-global %s alone", global);
        assert_qemu_refuses(what, one, needles);
        if (i == unknown->len - 1) {
            g_autoptr(VmcQmpClient) ok = NULL;
            one[12] = NULL;   /* the same without the -global */
            ok = vmc__qmp_client_spawn(QEMU_BINARY, one, 0, &error);
            VMC_ASSERT_OK(ok, error);
        }
    }
}

static void
test_newer_release_runs(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(VmcVerdict) v = NULL;
    g_autoptr(VmcQmpClient) qemu = NULL;
    g_auto(GStrv) args = NULL, argv = NULL;

    if (skip_without_qemu())
        return;
    abi = resolve_newer("newer-plain.json",
                        "{\"format\": 1, \"arch\": \"x86_64\", \"machine\": \"pc-q35-7.2\","
                        " \"accel\": \"tcg\", \"cpu\": \"qemu64\", \"devices\": []}\n");
    if (!abi)
        return;
    v = vmc_abi_check(abi, fx.host);
    if (!vmc_verdict_ok(v)) {
        /* refusing is fine, if it is for something this QEMU lacks */
        const VmcReason *r = vmc_verdict_first_error(v);
        g_test_message("refused: [%s] %s", r->kind, r->message);
        g_assert_true(g_str_equal(r->kind, "cpu-feature-unknown") ||
                      g_str_equal(r->kind, "tunable-unknown") ||
                      g_str_equal(r->kind, "machine-type-unknown"));
        return;
    }
    /* runnable here, says vmcompat: then it must start here, with the
     * arguments written for this QEMU */
    args = vmc_abi_qemu_args_for(abi, &fx.release, &error);
    VMC_ASSERT_OK(args, error);
    argv = live_argv(abi, args);
    qemu = vmc__qmp_client_spawn(QEMU_BINARY, (const char *const *) argv, 0, &error);
    if (!qemu) {
        g_test_message("vmc_abi_check finds the %s ABI runnable on QEMU %u.%u, but QEMU does "
                       "not start with vmc_abi_qemu_args(): %s", NEWER_RELEASE,
                       fx.release.major, fx.release.minor, error->message);
        g_test_fail();
    }
}

/* ---- summary and setup ------------------------------------------------------ */

static void
test_summary(void)
{
    if (skip_without_qemu())
        return;
    g_test_message("%u ABIs started (%u under KVM; %u KVM guests refused by vmcompat and QEMU "
                   "alike): %u machine types, %u CPU features, %u tunables and %u explicit "
                   "properties compared (%u property instances); %u CPU features not in this "
                   "QEMU and off; %.0f ms in QEMU start + read back",
                   fx.abis, fx.kvm_abis, fx.kvm_refused, fx.machines, fx.features, fx.tunables,
                   fx.properties, fx.instances, fx.absent, fx.qemu_us / 1000.0);
    g_assert_cmpuint(fx.abis, >=, 4);
    g_assert_cmpuint(fx.features, >, 0);
    g_assert_cmpuint(fx.tunables, >, 0);
    g_assert_cmpuint(fx.properties, >, 0);
}

static void
test_setup(void)
{
    g_autoptr(GError) error = NULL;
    VmcHostProbeOptions opts = { .version = VMC_HOST_PROBE_OPTIONS_VERSION, .qemu = QEMU_BINARY };
    const char *qv;

    if (skip_without_qemu())
        return;
    fx.host = vmc_host_probe(fx.cat, &opts, &error);
    if (!fx.host) {
        g_test_message("vmc_host_probe (--qemu %s) failed: %s", QEMU_BINARY, error->message);
        fx.why_not = g_strdup("the host probe failed (see /qemu-abi/setup)");
        g_test_fail();
        return;
    }
    qv = vmc_host_get_qemu_version(fx.host);
    if (!qv || !vmc_release_parse(qv, &fx.release, &error)) {
        g_test_message("the probe does not give QEMU's version: %s",
                       error ? error->message : "(none)");
        fx.why_not = g_strdup("QEMU's version is unknown (see /qemu-abi/setup)");
        g_test_fail();
        return;
    }
    fx.tmpdir = g_dir_make_tmp("vmc-qemu-abi-XXXXXX", &error);
    VMC_ASSERT_OK(fx.tmpdir, error);
    g_test_message("this machine: QEMU %s, KVM %s", qv,
                   vmc_host_has_kvm(fx.host) ? "usable" : "not usable");
    for (guint i = 0; i < vmc_host_get_notes(fx.host)->len; i++)
        g_test_message("probe note: %s",
                       (const char *) g_ptr_array_index(vmc_host_get_notes(fx.host), i));
}

static void
rm_rf(const char *path)
{
    GDir *d;
    const char *n;

    if (!path)
        return;
    if ((d = g_dir_open(path, 0, NULL))) {
        while ((n = g_dir_read_name(d))) {
            g_autofree char *p = g_build_filename(path, n, NULL);
            rm_rf(p);
        }
        g_dir_close(d);
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* Failures are reported, not aborted on, so QEMU is always stopped. */
    g_test_set_nonfatal_assertions();
    fx.cat = vmc_test_catalog();
    if (!vmc_test_have_program(QEMU_BINARY))
        fx.why_not = g_strdup(QEMU_BINARY " is not on PATH: live ABI checks skipped");

    g_test_add_func("/qemu-abi/setup", test_setup);
    for (guint i = 0; i < G_N_ELEMENTS(guests); i++) {
        for (guint k = 0; k < 2; k++) {
            Run *r = &runs[i * 2 + k];
            g_autofree char *path = g_strdup_printf("/qemu-abi/%s-%s", k ? "kvm" : "tcg",
                                                    guests[i].name);
            r->guest = &guests[i];
            r->accel = k ? VMC_ACCEL_KVM : VMC_ACCEL_TCG;
            g_test_add_data_func(path, r, test_guest);
        }
    }
    g_test_add_func("/qemu-abi/tunable-unknown", test_tunable_unknown);
    g_test_add_func("/qemu-abi/newer-release-runs", test_newer_release_runs);
    g_test_add_func("/qemu-abi/summary", test_summary);
    ret = g_test_run();

    rm_rf(fx.tmpdir);
    g_free(fx.tmpdir);
    g_clear_pointer(&fx.host, vmc_host_unref);
    g_free(fx.why_not);
    return ret;
}
