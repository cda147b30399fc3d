/* test-save-image.c: libvirt QEMU save images, header-only (save-image.h).
 *
 * Data-driven part: each directory tests/data/save-images/<case>/ holds
 * image.save — a real libvirt 9.0 image cut after its header and XML
 * (real-*, README.md there says how they were made), or one written by
 * tools/gen/make-save-image.py (built-*, bad-*) — and `expected.json`, the
 * summary (vmc_save_image_to_json), or `expected-error.txt`, the error
 * domain, code and message. VMC_TEST_REGENERATE_OUTPUT=1 rewrites them;
 * VMC_TEST_DEBUG=1 shows a diff. bad-* cases must fail, the others must
 * read. Every case also checks, with no golden file:
 *  - vmc_save_image_load() of the file says exactly what parse says;
 *  - a bad-* error starts with the file name;
 *  - every truncation of the image fails with VMC_ERROR_PARSE before
 *    92 + data_len bytes and reads (a shorter memory stream) after;
 *  - the image rewritten in the other byte order reads the same;
 *  - random byte flips in header and XML either read or fail with a
 *    VMC_ERROR naming the file — never crash (run under ASan too).
 *
 * Named tests: a 2 GiB sparse image is read without reading its memory
 * (/proc/self/io), which CPU is where in a real image, libvirt feature
 * names through the catalog's aliases, I/O errors.
 */
#include "harness.h"
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const error_codes[] = {
    "parse", "unknown", "unsupported", "incompatible", "host-capability",
    "io", "limit", "catalog", "failed",
};

/* ---- helpers ------------------------------------------------------------ */

static char *
case_path(const char *case_name, const char *file)
{
    return vmc_test_source_path("tests", "data", "save-images", case_name, file, NULL);
}

/* The image bytes of a case (transfer full). */
static guint8 *
read_case(const char *case_name, gsize *len)
{
    g_autofree char *path = case_path(case_name, "image.save");
    return (guint8 *) vmc_test_read(path, len);
}

static char *
error_text(const GError *error)
{
    return g_strdup_printf("error: %s/%s\nmessage: %s\n", g_quark_to_string(error->domain),
                           error_codes[error->code], error->message);
}

/* A GError of ours whose message starts with @name. */
static void
assert_named_error(const GError *error, const char *name, const char *what)
{
    g_assert_nonnull(error);
    g_assert_true(error->domain == VMC_ERROR);
    g_assert_cmpint(error->code, >=, 0);
    g_assert_cmpint(error->code, <, (gint) G_N_ELEMENTS(error_codes));
    if (!g_str_has_prefix(error->message, name))
        g_test_fail_printf("%s: the error does not start with '%s': %s", what, name,
                           error->message);
}

/* @json with every mention of the path @from (the "file" member, notes)
 * replaced by @to (transfer full). */
static char *
json_with_file(const char *json, const char *from, const char *to)
{
    g_autofree char *needle = g_strdup_printf("\"file\": \"%s\"", from);
    g_auto(GStrv) parts = NULL;
    g_assert_nonnull(strstr(json, needle));
    parts = g_strsplit(json, from, -1);
    return g_strjoinv(to, parts);
}

/* A copy of @data with the header's five u32 fields and unused[] in the
 * other byte order (what the same image looks like from the other host). */
static guint8 *
swap_header(const guint8 *data, gsize len)
{
    guint8 *copy = g_memdup2(data, len);
    g_assert_cmpuint(len, >=, VMC_SAVE_IMAGE_HEADER_SIZE);
    for (gsize off = 16; off < VMC_SAVE_IMAGE_HEADER_SIZE; off += 4) {
        guint32 v;
        memcpy(&v, copy + off, 4);
        v = GUINT32_SWAP_LE_BE(v);
        memcpy(copy + off, &v, 4);
    }
    return copy;
}

/* @json without the lines that differ between byte orders. */
static char *
json_without_byte_order(const char *json)
{
    g_auto(GStrv) lines = g_strsplit(json, "\n", -1);
    GString *s = g_string_new(NULL);
    for (guint i = 0; lines[i]; i++) {
        if (strstr(lines[i], "\"byte-order\"") || strstr(lines[i], "byte order: written on"))
            continue;
        g_string_append_printf(s, "%s\n", lines[i]);
    }
    return g_string_free(s, FALSE);
}

/* ---- invariants ---------------------------------------------------------- */

static void
check_image_invariants(const char *dir, const VmcSaveImage *img, gsize len)
{
    const VmcGuest *g = vmc_save_image_get_guest(img);
    const VmcCpuDef *upd = vmc_save_image_get_cookie_cpu(img);
    guint32 data_len = vmc_save_image_get_data_len(img);
    guint32 off = vmc_save_image_get_cookie_offset(img);
    g_autoptr(GArray) changes = vmc_save_image_cpu_changes(img);

    g_assert_true(vmc_save_image_get_version(img) == 1 || vmc_save_image_get_version(img) == 2);
    g_assert_cmpuint(data_len, >, 0);
    g_assert_cmpuint(data_len, <=, VMC_SAVE_IMAGE_MAX_DATA_LEN);
    g_assert_cmpuint(off, <, data_len);
    g_assert_cmpuint(vmc_save_image_get_stream_len(img), ==,
                     len - VMC_SAVE_IMAGE_HEADER_SIZE - data_len);
    g_assert_cmpuint(vmc_save_image_get_format(img), <, VMC_SAVE_FORMAT_N);
    g_assert_true(vmc_save_image_get_version(img) == 2 ||
                  vmc_save_image_get_format(img) == VMC_SAVE_FORMAT_RAW);
    /* the XML fits in its part of the data */
    g_assert_cmpuint(strlen(vmc_save_image_get_domain_xml(img)), >, 0);
    g_assert_cmpuint(strlen(vmc_save_image_get_domain_xml(img)), <, off ? off : data_len);
    g_assert_true((off != 0) == (vmc_save_image_get_cookie_xml(img) != NULL));
    if (vmc_save_image_get_cookie_xml(img))
        g_assert_cmpuint(strlen(vmc_save_image_get_cookie_xml(img)), <, data_len - off);
    /* the updated CPU only comes with a cookie, and is the guest's arch */
    g_assert_nonnull(g);
    if (upd) {
        g_assert_nonnull(vmc_save_image_get_cookie_xml(img));
        g_assert_cmpint(vmc_cpu_def_get_arch(upd), ==, vmc_guest_get_arch(g));
    }
    for (guint i = 0; i < changes->len; i++) {
        const VmcSaveImageCpuChange *c = &g_array_index(changes, VmcSaveImageCpuChange, i);
        if (c->original == c->updated)
            g_test_fail_printf("%s: change %s is no change", dir, c->feature);
    }
    if (!upd || !vmc_guest_get_cpu(g))
        g_assert_cmpuint(changes->len, ==, 0);
    if (vmc_save_image_get_slirp_helper(img))
        g_assert_nonnull(strstr(vmc_save_image_get_cookie_xml(img), "slirpHelper"));
}

/* Every prefix of the image: an error before the data ends, an image with
 * a shorter stream after. */
static void
check_truncations(const char *name, const guint8 *data, gsize len, guint32 data_len)
{
    gsize need = VMC_SAVE_IMAGE_HEADER_SIZE + data_len;

    for (gsize n = 0; n < len; n++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcSaveImage) img = vmc_save_image_parse(vmc_test_catalog(), data, n, name,
                                                           &error);
        if (n < need) {
            g_assert_null(img);
            g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
            assert_named_error(error, name, "truncation");
            if (n < VMC_SAVE_IMAGE_HEADER_SIZE)
                g_assert_nonnull(strstr(error->message, "truncated header"));
            else
                g_assert_nonnull(strstr(error->message, "'data_len'"));
        } else {
            g_assert_no_error(error);
            g_assert_nonnull(img);
            g_assert_cmpuint(vmc_save_image_get_stream_len(img), ==, n - need);
        }
    }
}

/* Random byte flips in the header and the XML never crash. */
static void
check_flips(const char *name, const guint8 *data, gsize len, const VmcSaveImage *img,
            guint rounds)
{
    gsize span = VMC_SAVE_IMAGE_HEADER_SIZE + strlen(vmc_save_image_get_domain_xml(img)) + 1;
    g_autofree guint8 *copy = g_malloc(len);

    if (vmc_save_image_get_cookie_xml(img))
        span = VMC_SAVE_IMAGE_HEADER_SIZE + vmc_save_image_get_cookie_offset(img) +
               strlen(vmc_save_image_get_cookie_xml(img)) + 1;
    span = MIN(span + 16, len);
    for (guint r = 0; r < rounds; r++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcSaveImage) again = NULL;
        guint flips = (guint) g_test_rand_int_range(1, 5);

        memcpy(copy, data, len);
        for (guint k = 0; k < flips; k++) {
            /* half the flips in the header, where every byte matters */
            gsize at = g_test_rand_bit() ? (gsize) g_test_rand_int_range(0, VMC_SAVE_IMAGE_HEADER_SIZE)
                                         : (gsize) g_test_rand_int_range(0, (gint32) span);
            copy[at] ^= (guint8) g_test_rand_int_range(1, 256);
        }
        again = vmc_save_image_parse(vmc_test_catalog(), copy, len, name, &error);
        if (!again)
            assert_named_error(error, name, "byte flip");
        else
            g_assert_no_error(error);
    }
}

/* ---- data-driven cases --------------------------------------------------- */

static void
run_case(gconstpointer data)
{
    const char *case_name = data;
    g_autofree char *name = g_strdup_printf("%s/image.save", case_name);
    g_autofree char *path = case_path(case_name, "image.save");
    g_autofree char *expected_json = case_path(case_name, "expected.json");
    g_autofree char *expected_err = case_path(case_name, "expected-error.txt");
    g_autoptr(GError) error = NULL, load_error = NULL;
    g_autoptr(VmcSaveImage) img = NULL, loaded = NULL;
    g_autofree guint8 *bytes = NULL;
    g_autofree char *json = NULL;
    gboolean bad = g_str_has_prefix(case_name, "bad-");
    gsize len = 0;

    bytes = read_case(case_name, &len);
    g_assert_nonnull(bytes);
    img = vmc_save_image_parse(vmc_test_catalog(), bytes, len, name, &error);
    loaded = vmc_save_image_load(vmc_test_catalog(), path, &load_error);

    if (!img) {
        g_autofree char *actual = NULL;
        assert_named_error(error, name, case_name);
        if (!bad)
            g_test_fail_printf("%s: cannot be read: %s", case_name, error->message);
        actual = error_text(error);
        if (!vmc_test_golden(expected_err, actual))
            g_test_fail_printf("%s: unexpected error:\n%s", case_name, actual);
        /* load says the same about the file */
        g_assert_null(loaded);
        g_assert_nonnull(load_error);
        g_assert_cmpint(load_error->code, ==, error->code);
        g_assert_true(g_str_has_prefix(load_error->message, path));
        g_assert_cmpstr(load_error->message + strlen(path), ==, error->message + strlen(name));
        return;
    }
    g_assert_no_error(error);
    if (bad)
        g_test_fail_printf("%s: a bad-* case was read", case_name);
    json = vmc_save_image_to_json(img);
    if (!vmc_test_golden(expected_json, json))
        g_test_fail_printf("%s: the summary differs from expected.json", case_name);
    check_image_invariants(case_name, img, len);

    /* load: the same image, named by its path */
    g_assert_no_error(load_error);
    g_assert_nonnull(loaded);
    {
        g_autofree char *lj = vmc_save_image_to_json(loaded);
        g_autofree char *back = json_with_file(lj, path, name);
        g_assert_cmpstr(back, ==, json);
    }

    /* the other byte order reads the same */
    {
        g_autofree guint8 *swapped = swap_header(bytes, len);
        g_autoptr(VmcSaveImage) other = vmc_save_image_parse(vmc_test_catalog(), swapped, len,
                                                             name, &error);
        g_autofree char *oj = NULL, *a = NULL, *b = NULL;
        g_assert_no_error(error);
        g_assert_nonnull(other);
        g_assert_true(vmc_save_image_get_byte_swapped(other) != vmc_save_image_get_byte_swapped(img));
        g_assert_true(vmc_save_image_get_big_endian(other) != vmc_save_image_get_big_endian(img));
        oj = vmc_save_image_to_json(other);
        a = json_without_byte_order(json);
        b = json_without_byte_order(oj);
        g_assert_cmpstr(a, ==, b);
    }

    check_truncations(name, bytes, len, vmc_save_image_get_data_len(img));
    check_flips(name, bytes, len, img, g_test_slow() ? 5000 : 400);
}

/* ---- named tests ---------------------------------------------------------- */

/* The read-syscall byte count of this process (/proc/self/io rchar), or -1. */
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

/* A 2 GiB image (sparse memory stream) reads like its header-only copy,
 * and only header + data_len bytes are read. */
static void
test_sparse_2gib(void)
{
    const guint64 size = G_GUINT64_CONSTANT(2) << 30;
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *bytes = NULL;
    g_autofree char *dir = g_dir_make_tmp("vmc-save-XXXXXX", &error);
    g_autofree char *path = NULL, *json = NULL, *expected = NULL, *golden = NULL;
    g_autoptr(VmcSaveImage) img = NULL;
    gint64 before, after;
    gsize len = 0;
    int fd;

    g_assert_no_error(error);
    bytes = read_case("built-v2-cookie", &len);
    g_assert_nonnull(bytes);
    path = g_build_filename(dir, "big.save", NULL);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, bytes, len), ==, (gssize) len);
    g_assert_cmpint(ftruncate(fd, (off_t) size), ==, 0);
    close(fd);

    vmc_test_catalog();   /* loaded before measuring */
    before = read_bytes_so_far();
    img = vmc_save_image_load(vmc_test_catalog(), path, &error);
    after = read_bytes_so_far();
    /* removed before any assertion can stop the test */
    g_assert_cmpint(g_unlink(path), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
    g_assert_no_error(error);
    g_assert_nonnull(img);
    g_assert_cmpuint(vmc_save_image_get_stream_len(img), ==,
                     size - VMC_SAVE_IMAGE_HEADER_SIZE - vmc_save_image_get_data_len(img));
    if (before >= 0 && after >= 0) {
        /* header + data, and the /proc read itself */
        g_assert_cmpint(after - before, <=,
                        VMC_SAVE_IMAGE_HEADER_SIZE + vmc_save_image_get_data_len(img) + 4096);
        g_test_message("read %" G_GINT64_FORMAT " bytes of a %" G_GUINT64_FORMAT "-byte image",
                       after - before, size);
    } else {
        g_test_message("/proc/self/io unavailable: read count not checked");
    }
    /* the same summary as the header-only fixture, but for the stream */
    json = vmc_save_image_to_json(img);
    {
        g_autofree char *named = json_with_file(json, path, "built-v2-cookie/image.save");
        g_autofree char *stream = g_strdup_printf("\"stream-len\": %" G_GUINT64_FORMAT,
                                                  vmc_save_image_get_stream_len(img));
        g_autofree char *gpath = case_path("built-v2-cookie", "expected.json");
        char *at;
        g_assert_true(g_file_get_contents(gpath, &golden, NULL, NULL));
        at = strstr(named, stream);
        g_assert_nonnull(at);
        expected = g_strdup_printf("%.*s\"stream-len\": %" G_GSIZE_FORMAT "%s",
                                   (int) (at - named), named,
                                   len - VMC_SAVE_IMAGE_HEADER_SIZE -
                                   vmc_save_image_get_data_len(img), at + strlen(stream));
        g_assert_cmpstr(expected, ==, golden);
    }
}

/* The domain XML keeps the original CPU, the cookie the updated one
 * (libvirt 9.0 + QEMU 7.2, TCG, custom Westmere + pclmuldq). */
static void
test_cpu_placement(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GError) error = NULL;
    gsize len = 0;
    g_autofree guint8 *bytes = read_case("real-9.0-westmere-running", &len);
    g_autoptr(VmcSaveImage) img = vmc_save_image_parse(cat, bytes, len, "real.save", &error);
    const VmcCpuDef *orig, *upd;
    const VmcFeature *pclmul = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "pclmulqdq");
    const VmcFeature *hyper = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, "hypervisor");

    g_assert_no_error(error);
    orig = vmc_guest_get_cpu(vmc_save_image_get_guest(img));
    upd = vmc_save_image_get_cookie_cpu(img);
    g_assert_nonnull(orig);
    g_assert_nonnull(upd);
    g_assert_cmpstr(vmc_guest_get_name(vmc_save_image_get_guest(img)), ==, "vmc-save-demo");
    g_assert_true(vmc_save_image_get_was_running(img));
    g_assert_true(vmc_save_image_get_slirp_helper(img));
    /* as asked: check='partial', pclmuldq (libvirt's name) only */
    g_assert_cmpint(vmc_cpu_def_get_check(orig), ==, VMC_CPU_CHECK_PARTIAL);
    g_assert_cmpstr(vmc_cpu_def_get_model(orig), ==, "Westmere");
    g_assert_cmpint(vmc_cpu_def_get_policy(orig, vmc_feature_get_id(pclmul)), ==,
                    VMC_FEATURE_POLICY_REQUIRE);
    g_assert_cmpint(vmc_cpu_def_get_policy(orig, vmc_feature_get_id(hyper)), ==, -1);
    /* as presented: check='full', plus what QEMU added */
    g_assert_cmpint(vmc_cpu_def_get_check(upd), ==, VMC_CPU_CHECK_FULL);
    g_assert_cmpstr(vmc_cpu_def_get_model(upd), ==, "Westmere");
    g_assert_cmpint(vmc_cpu_def_get_policy(upd, vmc_feature_get_id(hyper)), ==,
                    VMC_FEATURE_POLICY_REQUIRE);
    g_assert_cmpint(vmc_cpu_def_get_policy(upd, vmc_feature_get_id(pclmul)), ==,
                    VMC_FEATURE_POLICY_REQUIRE);
    g_assert_nonnull(strstr(vmc_save_image_get_domain_xml(img), "name='pclmuldq'"));
    g_assert_true(g_str_has_prefix(vmc_save_image_get_cookie_xml(img), "<cookie>"));
}

/* libvirt's spellings resolve to the catalog's features. */
static void
test_libvirt_names(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autoptr(GError) error = NULL;
    gsize len = 0;
    g_autofree guint8 *bytes = read_case("built-v2-cookie", &len);
    g_autoptr(VmcSaveImage) img = vmc_save_image_parse(cat, bytes, len, "b.save", &error);
    const char *libvirt_names[] = { "pclmuldq", "ds_cpl", "vmx-invvpid-single-context-noglobals",
                                    "tsc_adjust" };
    const VmcCpuDef *upd;

    g_assert_no_error(error);
    upd = vmc_save_image_get_cookie_cpu(img);
    for (guint i = 0; i < G_N_ELEMENTS(libvirt_names); i++) {
        const VmcFeature *f = vmc_catalog_feature_lookup(cat, VMC_ARCH_X86_64, libvirt_names[i]);
        g_assert_nonnull(f);
        g_assert_cmpint(vmc_cpu_def_get_policy(upd, vmc_feature_get_id(f)), >=, 0);
    }
}

static void
test_io_errors(void)
{
    g_autoptr(GError) e1 = NULL, e2 = NULL;
    g_autofree char *dir = vmc_test_source_path("tests", "data", "save-images", NULL);
    g_autoptr(VmcSaveImage) a = vmc_save_image_load(vmc_test_catalog(), "/nonexistent/x.save", &e1);
    g_autoptr(VmcSaveImage) b = vmc_save_image_load(vmc_test_catalog(), dir, &e2);

    g_assert_null(a);
    g_assert_error(e1, VMC_ERROR, VMC_ERROR_IO);
    g_assert_true(g_str_has_prefix(e1->message, "/nonexistent/x.save: cannot open"));
    g_assert_null(b);
    g_assert_error(e2, VMC_ERROR, VMC_ERROR_IO);
    g_assert_nonnull(strstr(e2->message, "not a regular file"));
}

static void
test_format_names(void)
{
    for (guint i = 0; i < VMC_SAVE_FORMAT_N; i++)
        g_assert_cmpuint(vmc_save_format_from_string(vmc_save_format_to_string(i)), ==, i);
    g_assert_cmpstr(vmc_save_format_to_string(VMC_SAVE_FORMAT_ZSTD), ==, "zstd");
    g_assert_null(vmc_save_format_to_string(VMC_SAVE_FORMAT_N));
    g_assert_cmpuint(vmc_save_format_from_string("lz4"), ==, VMC_SAVE_FORMAT_N);
    g_assert_cmpuint(vmc_save_format_from_string(NULL), ==, VMC_SAVE_FORMAT_N);
}

/* ---- main ----------------------------------------------------------------- */

int
main(int argc, char **argv)
{
    g_autofree char *root = vmc_test_source_path("tests", "data", "save-images", NULL);
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);

    g_test_init(&argc, &argv, NULL);
    d = g_dir_open(root, 0, NULL);
    g_assert_nonnull(d);
    for (const char *n; (n = g_dir_read_name(d));) {
        g_autofree char *p = g_build_filename(root, n, "image.save", NULL);
        if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add(names, g_strdup(n));
    }
    g_ptr_array_sort(names, vmc_strptr_cmp);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        g_autofree char *path = g_strdup_printf("/save-image/case/%s", n);
        g_test_add_data_func_full(path, g_strdup(n), run_case, g_free);
    }
    g_test_add_func("/save-image/sparse-2gib", test_sparse_2gib);
    g_test_add_func("/save-image/cpu-placement", test_cpu_placement);
    g_test_add_func("/save-image/libvirt-names", test_libvirt_names);
    g_test_add_func("/save-image/io-errors", test_io_errors);
    g_test_add_func("/save-image/format-names", test_format_names);
    return g_test_run();
}
