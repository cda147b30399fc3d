/* test-save-image-live.c: save images made by the real libvirt at test time.
 *
 * Defines and starts a tiny TCG guest (32 MiB, no disk, custom Westmere +
 * pclmuldq, check='partial') through libvirt's embedded QEMU driver
 * (`virsh -c qemu:///embed?root=DIR`, no daemon), saves it with
 * `virsh save`, and reads the image with vmc_save_image_load():
 *
 *   /save-image-live/running: a complete image (magic LibvirtQemudSave,
 *       version 2, raw, was_running), the domain XML's CPU is the one
 *       asked (check partial, pclmuldq), the cookie's is what QEMU
 *       presented (check full, everything the original lists with the same
 *       policy, plus 'hypervisor'); the memory stream follows and was not
 *       read (stream length > 0, /proc/self/io counts only header + data);
 *       a header-only copy reads the same but for the stream;
 *   /save-image-live/paused: started --paused, saved: was_running FALSE.
 *
 * As root, libvirt's privileged driver needs the libvirt-qemu user (made by
 * libvirt-daemon-system, which tests do not install), so virsh runs as
 * 'nobody' and gets the unprivileged driver; stdio_handler = "file" keeps
 * virtlogd out. Skipped, with the reason, when virsh, qemu-system-x86_64,
 * libvirt's QEMU driver or libvirt_iohelper (package libvirt-daemon) is
 * missing. The same commands made tests/data/save-images/real-* (README.md
 * there).
 */
#include "harness/harness.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define DOMAIN_XML \
    "<domain type='qemu'>\n" \
    "  <name>%s</name>\n" \
    "  <memory unit='MiB'>32</memory>\n" \
    "  <vcpu>1</vcpu>\n" \
    "  <os>\n" \
    "    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>\n" \
    "  </os>\n" \
    "  <cpu mode='custom' match='exact' check='partial'>\n" \
    "    <model fallback='forbid'>Westmere</model>\n" \
    "    <feature policy='require' name='pclmuldq'/>\n" \
    "  </cpu>\n" \
    "  <devices>\n" \
    "    <emulator>%s</emulator>\n" \
    "    <memballoon model='none'/>\n" \
    "  </devices>\n" \
    "</domain>\n"

/* An embedded libvirt root for one test. */
typedef struct {
    char *root;          /* the embed root, owned by @uid */
    uid_t uid;
    gid_t gid;
    gboolean drop;       /* run virsh as uid/gid (we are root) */
} LiveRoot;

static void
live_child_setup(gpointer data)
{
    const LiveRoot *r = data;
    /* only async-signal-safe calls here; failures show as virsh errors */
    if (r->drop && (setgroups(0, NULL) < 0 || setgid(r->gid) < 0 || setuid(r->uid) < 0))
        _exit(125);
}

/* Runs virsh with @commands (one string, ';'-separated) in the embed root;
 * TRUE on exit status 0. @ret_output gets stdout + stderr. */
static gboolean
live_virsh(const LiveRoot *r, const char *commands, char **ret_output)
{
    g_autofree char *uri = g_strdup_printf("qemu:///embed?root=%s", r->root);
    g_autofree char *home = g_strdup_printf("HOME=%s", r->root);
    g_autofree char *xdg = g_strdup_printf("XDG_RUNTIME_DIR=%s/run", r->root);
    const char *argv[] = { "timeout", "180", "virsh", "-q", "-c", uri, commands, NULL };
    const char *envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                           home, xdg, "LC_ALL=C", NULL };
    g_autofree char *out = NULL, *err = NULL;
    g_autoptr(GError) error = NULL;
    int status = -1;

    if (!g_spawn_sync(r->root, (char **) argv, (char **) envp, G_SPAWN_SEARCH_PATH,
                      live_child_setup, (gpointer) r, &out, &err, &status, &error)) {
        *ret_output = g_strdup(error->message);
        return FALSE;
    }
    *ret_output = g_strconcat(out ? out : "", err ? err : "", NULL);
    return g_spawn_check_wait_status(status, NULL);
}

/* Removes the embed root (files of nobody; we may be root). */
static void
live_root_free(LiveRoot *r)
{
    const char *argv[] = { "rm", "-rf", r->root, NULL };
    if (r->root)
        g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    g_free(r->root);
    g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LiveRoot, live_root_free)

/* A fresh embed root, or NULL with the test skipped (reason given). */
static LiveRoot *
live_root_new(void)
{
    g_autoptr(LiveRoot) r = g_new0(LiveRoot, 1);
    g_autoptr(GError) error = NULL;
    g_autofree char *conf_dir = NULL, *conf = NULL, *out = NULL;

    if (!vmc_test_have_program("virsh")) {
        g_test_skip("virsh not installed (Debian: libvirt-clients, libvirt-daemon-driver-qemu, "
                    "libvirt-daemon)");
        return NULL;
    }
    if (!vmc_test_have_program("qemu-system-x86_64")) {
        g_test_skip("qemu-system-x86_64 not installed");
        return NULL;
    }
    r->root = g_dir_make_tmp("vmc-libvirt-XXXXXX", &error);
    g_assert_no_error(error);
    r->uid = getuid();
    r->gid = getgid();
    if (geteuid() == 0) {
        const struct passwd *pw = getpwnam("nobody");
        if (!pw) {
            g_test_skip("running as root without a 'nobody' user to run virsh as");
            return NULL;
        }
        r->uid = pw->pw_uid;
        r->gid = pw->pw_gid;
        r->drop = TRUE;
    }
    conf_dir = g_build_filename(r->root, "etc", NULL);
    conf = g_build_filename(conf_dir, "qemu.conf", NULL);
    g_assert_cmpint(g_mkdir(conf_dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(conf, "stdio_handler = \"file\"\n", -1, NULL));
    if (r->drop) {
        g_assert_cmpint(chown(r->root, r->uid, r->gid), ==, 0);
        g_assert_cmpint(chown(conf_dir, r->uid, r->gid), ==, 0);
        g_assert_cmpint(chown(conf, r->uid, r->gid), ==, 0);
    }
    /* does libvirt's QEMU driver load? */
    if (!live_virsh(r, "uri", &out)) {
        g_test_skip_printf("libvirt's embedded QEMU driver is unavailable: %s", g_strstrip(out));
        return NULL;
    }
    return g_steal_pointer(&r);
}

/* Defines @name, starts it (@start_args), saves it to ROOT/@name.save;
 * returns the image path, or NULL (test skipped or failed). */
static char *
live_save(LiveRoot *r, const char *name, const char *start_args)
{
    g_autofree char *qemu = g_find_program_in_path("qemu-system-x86_64");
    g_autofree char *xml = g_strdup_printf(DOMAIN_XML, name, qemu);
    g_autofree char *xml_path = g_strdup_printf("%s/%s.xml", r->root, name);
    g_autofree char *image = g_strdup_printf("%s/%s.save", r->root, name);
    g_autofree char *cmds = g_strdup_printf("define %s; start %s %s; save %s %s", xml_path,
                                            start_args, name, name, image);
    g_autofree char *out = NULL;

    g_assert_true(g_file_set_contents(xml_path, xml, -1, NULL));
    if (r->drop)
        g_assert_cmpint(chown(xml_path, r->uid, r->gid), ==, 0);
    if (!live_virsh(r, cmds, &out)) {
        g_autofree char *cleanup = g_strdup_printf("destroy %s", name);
        g_autofree char *ignored = NULL;
        live_virsh(r, cleanup, &ignored);   /* never leave QEMU running */
        if (strstr(out, "libvirt_iohelper")) {
            g_test_skip_printf("libvirt cannot write save images here (Debian: "
                               "libvirt-daemon has libvirt_iohelper): %s", g_strstrip(out));
            return NULL;
        }
        g_test_fail_printf("virsh '%s' failed: %s", cmds, out);
        return NULL;
    }
    g_test_message("virsh %s: ok", cmds);
    return g_steal_pointer(&image);
}

/* The read-syscall byte count of this process (/proc/self/io), or -1. */
static gint64
read_bytes_so_far(void)
{
    g_autofree char *text = NULL;
    const char *at;

    if (!g_file_get_contents("/proc/self/io", &text, NULL, NULL))
        return -1;
    at = strstr(text, "rchar: ");
    return at ? g_ascii_strtoll(at + strlen("rchar: "), NULL, 10) : -1;
}

static void
test_running(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(LiveRoot) r = live_root_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcSaveImage) img = NULL, head = NULL;
    g_autofree char *image = NULL, *bytes = NULL;
    const VmcCpuDef *orig, *upd;
    const VmcFeature *hyper, *pclmul;
    gint64 before, after;
    gsize len = 0, keep;

    if (!r)
        return;
    image = live_save(r, "vmc-live-running", "");
    if (!image)
        return;
    before = read_bytes_so_far();
    img = vmc_save_image_load(cat, image, &error);
    after = read_bytes_so_far();
    g_assert_no_error(error);
    g_assert_nonnull(img);

    g_assert_cmpuint(vmc_save_image_get_version(img), ==, 2);
    g_assert_false(vmc_save_image_get_byte_swapped(img));
    g_assert_true(vmc_save_image_get_was_running(img));
    g_assert_cmpint(vmc_save_image_get_format(img), ==, VMC_SAVE_FORMAT_RAW);
    g_assert_cmpuint(vmc_save_image_get_cookie_offset(img), >, 0);
    g_assert_cmpuint(vmc_save_image_get_stream_len(img), >, 0);
    if (before >= 0 && after >= 0)
        g_assert_cmpint(after - before, <=,
                        VMC_SAVE_IMAGE_HEADER_SIZE + vmc_save_image_get_data_len(img) + 4096);
    g_assert_cmpstr(vmc_guest_get_name(vmc_save_image_get_guest(img)), ==, "vmc-live-running");
    g_assert_cmpint(vmc_guest_get_arch(vmc_save_image_get_guest(img)), ==, VMC_ARCH_X86_64);
    g_assert_cmpint(vmc_guest_get_accel(vmc_save_image_get_guest(img)), ==, VMC_ACCEL_TCG);

    /* original in the domain XML, updated in the cookie */
    orig = vmc_guest_get_cpu(vmc_save_image_get_guest(img));
    upd = vmc_save_image_get_cookie_cpu(img);
    g_assert_nonnull(orig);
    g_assert_nonnull(upd);
    hyper = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "hypervisor");
    pclmul = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "pclmuldq");
    g_assert_cmpint(vmc_cpu_def_get_check(orig), ==, VMC_CPU_CHECK_PARTIAL);
    g_assert_cmpint(vmc_cpu_def_get_check(upd), ==, VMC_CPU_CHECK_FULL);
    g_assert_cmpstr(vmc_cpu_def_get_model(orig), ==, "Westmere");
    g_assert_cmpstr(vmc_cpu_def_get_model(upd), ==, "Westmere");
    g_assert_cmpint(vmc_cpu_def_get_policy(orig, vmc_feature_get_id(pclmul)), ==,
                    VMC_FEATURE_POLICY_REQUIRE);
    g_assert_cmpint(vmc_cpu_def_get_policy(orig, vmc_feature_get_id(hyper)), ==, -1);
    g_assert_cmpint(vmc_cpu_def_get_policy(upd, vmc_feature_get_id(hyper)), ==,
                    VMC_FEATURE_POLICY_REQUIRE);
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(orig); i++) {
        VmcFeaturePolicy p;
        const VmcFeature *f = vmc_cpu_def_get_feature(orig, i, &p);
        g_assert_cmpint(vmc_cpu_def_get_policy(upd, vmc_feature_get_id(f)), ==, (int) p);
    }
    for (guint i = 0; i < vmc_save_image_get_notes(img)->len; i++)
        g_test_message("note: %s", (const char *) g_ptr_array_index(vmc_save_image_get_notes(img), i));

    /* the header-only copy (what tests/data/save-images keeps) reads the
     * same, but for the stream */
    g_assert_true(g_file_get_contents(image, &bytes, &len, NULL));
    keep = VMC_SAVE_IMAGE_HEADER_SIZE + vmc_save_image_get_data_len(img);
    g_assert_cmpuint(len, >, keep);
    head = vmc_save_image_parse(cat, (const guint8 *) bytes, keep, image, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(vmc_save_image_get_stream_len(head), ==, 0);
    g_assert_cmpstr(vmc_save_image_get_domain_xml(head), ==, vmc_save_image_get_domain_xml(img));
    g_assert_cmpstr(vmc_save_image_get_cookie_xml(head), ==, vmc_save_image_get_cookie_xml(img));
}

static void
test_paused(void)
{
    g_autoptr(LiveRoot) r = live_root_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcSaveImage) img = NULL;
    g_autofree char *image = NULL;

    if (!r)
        return;
    image = live_save(r, "vmc-live-paused", "--paused");
    if (!image)
        return;
    img = vmc_save_image_load(vmc_test_catalog(), image, &error);
    g_assert_no_error(error);
    g_assert_nonnull(img);
    g_assert_false(vmc_save_image_get_was_running(img));
    g_assert_nonnull(vmc_save_image_get_cookie_cpu(img));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/save-image-live/running", test_running);
    g_test_add_func("/save-image-live/paused", test_paused);
    return g_test_run();
}
