/* test-record.c: the migration record (docs/record.md).
 *
 *  - CRC32C: the standard test vector, chaining, and slicing-by-8 against
 *    a bit-by-bit CRC on random data;
 *  - the byte layout, exactly as documented;
 *  - every ABI of tests/data/abis round-trips (write, parse, the ABI's JSON
 *    and fingerprint identical; save/load); the *-edited ABI is refused;
 *  - an old reader reads a newer writer: unknown non-critical sections
 *    (0x10001, a future type 6) are skipped with a note naming them, the
 *    known ones intact; an unknown critical section is refused naming it;
 *    minor version 1 is read, major 2 refused;
 *  - every single-bit flip of the record of web-uso-noble.json is detected
 *    and names the damaged part; every truncation is a clear error;
 *  - limits, malformed layouts, CPU sections that disagree with the ABI;
 *  - the binary fixtures of the CLI cases tests/cli/cases/record-* are
 *    what this code writes (VMC_TEST_REGENERATE_OUTPUT=1 rewrites them).
 */
#include <glib/gstdio.h>
#include <string.h>

#include "harness.h"
#include "base/util.h"

/* ---- helpers ------------------------------------------------------------ */

static guint32
crc_bitwise(const guint8 *p, gsize n)
{
    guint32 c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (guint k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

static guint32
get32(const guint8 *p)
{
    return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint64
get64(const guint8 *p)
{
    return (guint64) get32(p) | (guint64) get32(p + 4) << 32;
}

static void
put32(guint8 *p, guint32 v)
{
    for (guint i = 0; i < 4; i++)
        p[i] = (v >> (8 * i)) & 0xff;
}

/* After editing header or table fields: recompute both CRCs, as a writer
 * (of another version) would. */
static void
fix_crcs(guint8 *data)
{
    guint32 n = get32(data + 16);
    put32(data + 20, vmc_record_crc32c(0, data + 32, (gsize) n * 32));
    put32(data + 28, vmc_record_crc32c(0, data, 28));
}

static VmcAbi *
load_abi(const char *name)
{
    g_autofree char *path = vmc_test_source_path("tests", "data", "abis", name, NULL);
    g_autoptr(GError) error = NULL;
    VmcAbi *abi = vmc_abi_load(vmc_test_catalog(), path, &error);
    g_assert_no_error(error);
    g_assert_nonnull(abi);
    return abi;
}

static GHashTable *
extensions(void)
{
    GHashTable *ext = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_insert(ext, g_strdup("created-by"), g_strdup("vmcompat 0.1.0"));
    g_hash_table_insert(ext, g_strdup("created-at"), g_strdup("2026-11-22T00:00:00Z"));
    g_hash_table_insert(ext, g_strdup("source-host"), g_strdup("host-a.example"));
    return ext;
}

/* The sample record: web-uso-noble.json with the guest it was resolved
 * from and three extensions. */
static GBytes *
sample_record(void)
{
    g_autoptr(VmcAbi) abi = load_abi("web-uso-noble.json");
    g_autofree char *gpath = vmc_test_source_path("tests", "data", "guests", "xml-web-uso-6.8",
                                                  "guest.xml", NULL);
    g_autofree char *guest = vmc_test_read(gpath, NULL);
    g_autoptr(GHashTable) ext = extensions();
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcRecord) rec = vmc_record_new_from_abi(abi, guest, ext, &error);

    g_assert_no_error(error);
    return vmc_record_serialize(rec);
}

/* Parse a copy of exactly @len bytes (so that ASan sees any overread). */
static VmcRecord *
parse_exact(const guint8 *data, gsize len, GError **error)
{
    g_autofree guint8 *copy = g_memdup2(data, len);
    return vmc_record_parse(copy, len, "r.vmcr", error);
}

static void
assert_parse_error(const guint8 *data, gsize len, gint code, const char *needle)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcRecord) rec = parse_exact(data, len, &error);

    g_assert_null(rec);
    g_assert_error(error, VMC_ERROR, code);
    if (!strstr(error->message, needle) || !g_str_has_prefix(error->message, "r.vmcr: "))
        g_test_fail_printf("expected '%s' in: %s", needle, error->message);
}

/* ---- CRC32C ------------------------------------------------------------- */

static void
test_crc32c(void)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(20261122);
    g_autofree guint8 *buf = g_malloc(65536 + 7);

    g_assert_cmphex(vmc_record_crc32c(0, "123456789", 9), ==, 0xE3069283u);
    g_assert_cmphex(vmc_record_crc32c(0, "", 0), ==, 0);
    g_assert_cmphex(vmc_record_crc32c(vmc_record_crc32c(0, "1234", 4), "56789", 5), ==,
                    0xE3069283u);
    /* RFC 3720 B.4: 32 bytes of zeros, of 0xff */
    memset(buf, 0, 32);
    g_assert_cmphex(vmc_record_crc32c(0, buf, 32), ==, 0x8A9136AAu);
    memset(buf, 0xff, 32);
    g_assert_cmphex(vmc_record_crc32c(0, buf, 32), ==, 0x62A8AB43u);

    for (gsize i = 0; i < 65536 + 7; i++)
        buf[i] = (guint8) g_rand_int(rand);
    g_assert_cmphex(vmc_record_crc32c(0, buf, 65536 + 7), ==, crc_bitwise(buf, 65536 + 7));
    for (guint i = 0; i < 2000; i++) {
        gsize off = g_rand_int_range(rand, 0, 64), len = g_rand_int_range(rand, 0, 300);
        g_assert_cmphex(vmc_record_crc32c(0, buf + off, len), ==, crc_bitwise(buf + off, len));
    }
}

/* ---- layout ------------------------------------------------------------- */

static void
test_layout(void)
{
    static const guint8 magic[8] = { 0x89, 'V', 'M', 'C', '\r', '\n', 0x1a, '\n' };
    g_autoptr(VmcRecord) empty = vmc_record_new();
    g_autoptr(VmcRecord) rec = vmc_record_new();
    g_autoptr(GBytes) eb = vmc_record_serialize(empty);
    g_autoptr(GBytes) b = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcRecord) back = NULL;
    const guint8 *d;
    gsize len = 0;

    /* an empty record is its header */
    d = g_bytes_get_data(eb, &len);
    g_assert_cmpuint(len, ==, 32);
    g_assert_cmpmem(d, 8, magic, 8);
    g_assert_cmpuint(d[8] | d[9] << 8, ==, 1);
    g_assert_cmpuint(d[10] | d[11] << 8, ==, 0);
    g_assert_cmphex(get32(d + 12), ==, 0);
    g_assert_cmpuint(get32(d + 16), ==, 0);
    g_assert_cmphex(get32(d + 20), ==, 0);
    g_assert_cmphex(get32(d + 24), ==, 0);
    g_assert_cmphex(get32(d + 28), ==, crc_bitwise(d, 28));
    back = vmc_record_parse(d, len, "empty", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(vmc_record_get_section_count(back), ==, 0);

    /* two sections: table entries, then payloads, contiguous */
    g_assert_true(vmc_record_add(rec, VMC_RECORD_SECTION_GUEST, 0, "abc", 3, &error));
    g_assert_true(vmc_record_add(rec, 0x10001, VMC_RECORD_SECTION_CRITICAL, "", 0, &error));
    g_assert_true(vmc_record_add(rec, VMC_RECORD_SECTION_EXTENSIONS, 0, "{}", 2, &error));
    g_assert_no_error(error);
    b = vmc_record_serialize(rec);
    d = g_bytes_get_data(b, &len);
    g_assert_cmpuint(len, ==, 32 + 3 * 32 + 3 + 0 + 2);
    g_assert_cmpuint(vmc_record_get_size(rec), ==, len);
    g_assert_cmpuint(get32(d + 16), ==, 3);
    g_assert_cmphex(get32(d + 20), ==, crc_bitwise(d + 32, 96));
    g_assert_cmphex(get32(d + 28), ==, crc_bitwise(d, 28));
    g_assert_cmpuint(get32(d + 32), ==, 4);
    g_assert_cmpuint(get32(d + 36), ==, 0);
    g_assert_cmpuint(get64(d + 40), ==, 128);
    g_assert_cmpuint(get64(d + 48), ==, 3);
    g_assert_cmphex(get32(d + 56), ==, crc_bitwise((const guint8 *) "abc", 3));
    g_assert_cmpuint(get32(d + 60), ==, 0);
    g_assert_cmpuint(get32(d + 64), ==, 0x10001);
    g_assert_cmpuint(get32(d + 68), ==, 1);
    g_assert_cmpuint(get64(d + 72), ==, 131);
    g_assert_cmpuint(get64(d + 80), ==, 0);
    g_assert_cmpuint(get64(d + 104), ==, 131);
    g_assert_cmpmem(d + 128, 5, "abc{}", 5);

    /* names of the known types, and nothing else */
    g_assert_cmpstr(vmc_record_section_type_to_string(VMC_RECORD_SECTION_ABI), ==, "abi");
    g_assert_cmpstr(vmc_record_section_type_to_string(3), ==, "cpu-updated");
    g_assert_null(vmc_record_section_type_to_string(0));
    g_assert_null(vmc_record_section_type_to_string(6));
    g_assert_null(vmc_record_section_type_to_string(0x10001));
    g_assert_cmpuint(vmc_record_section_type_from_string("extensions"), ==, 5);
    g_assert_cmpuint(vmc_record_section_type_from_string("nope"), ==, 0);
    for (guint32 t = 1; t < VMC_RECORD_SECTION_N; t++)
        g_assert_cmpuint(vmc_record_section_type_from_string(vmc_record_section_type_to_string(t)),
                         ==, t);
}

/* ---- round trip of every ABI ---------------------------------------------- */

static void
round_trip_one(const char *file)
{
    g_autoptr(VmcAbi) abi = load_abi(file);
    g_autoptr(GHashTable) ext = extensions();
    const char *guest = "-machine q35 \"é\"\r\n\tverbatim\n";
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcRecord) rec = vmc_record_new_from_abi(abi, guest, ext, &error);
    g_autoptr(GBytes) bytes = NULL, again = NULL;
    g_autoptr(VmcRecord) back = NULL;
    g_autoptr(VmcAbi) abi2 = NULL;
    g_autoptr(GHashTable) ext2 = NULL;
    g_autofree char *json = vmc_abi_to_json(abi), *json2 = NULL;
    GBytes *g;
    guint expect = vmc_abi_get_cpu_original(abi) ? 5 : 4;

    g_assert_no_error(error);
    bytes = vmc_record_serialize(rec);
    back = vmc_record_parse(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), file, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(vmc_record_get_section_count(back), ==, expect);
    g_assert_null(vmc_record_get_notes(back)[0]);
    g_assert_cmpuint(vmc_record_get_section_flags(back, 0), ==, VMC_RECORD_SECTION_CRITICAL);
    g_assert_cmpuint(vmc_record_get_section_type(back, 0), ==, VMC_RECORD_SECTION_ABI);
    abi2 = vmc_record_get_abi(back, vmc_test_catalog(), &error);
    g_assert_no_error(error);
    json2 = vmc_abi_to_json(abi2);
    g_assert_cmpstr(json, ==, json2);
    g_assert_cmpstr(vmc_abi_get_fingerprint(abi), ==, vmc_abi_get_fingerprint(abi2));
    g = vmc_record_lookup(back, VMC_RECORD_SECTION_GUEST);
    g_assert_nonnull(g);
    g_assert_cmpmem(g_bytes_get_data(g, NULL), g_bytes_get_size(g), guest, strlen(guest));
    ext2 = vmc_record_get_extensions(back, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_hash_table_size(ext2), ==, 3);
    g_assert_cmpstr(g_hash_table_lookup(ext2, "source-host"), ==, "host-a.example");
    /* writing what was read gives the same bytes */
    again = vmc_record_serialize(back);
    g_assert_true(g_bytes_equal(bytes, again));
    g_test_message("%s: %zu bytes, %u sections, %s", file, g_bytes_get_size(bytes), expect,
                   vmc_abi_get_fingerprint(abi2));
}

static void
test_round_trip(void)
{
    g_autofree char *dir = vmc_test_source_path("tests", "data", "abis", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    guint edited = 0;

    g_assert_nonnull(d);
    for (const char *n; (n = g_dir_read_name(d));)
        if (g_str_has_suffix(n, ".json"))
            g_ptr_array_add(names, g_strdup(n));
    g_ptr_array_sort(names, vmc_strptr_cmp);
    for (guint i = 0; i < names->len; i++) {
        const char *n = g_ptr_array_index(names, i);
        if (g_str_has_suffix(n, "-edited.json")) {
            /* deliberately invalid: edited after resolution (refused, as
             * in the guest-check-edited CLI case) */
            g_autofree char *path = g_build_filename(dir, n, NULL);
            g_autoptr(GError) error = NULL;
            g_autoptr(VmcAbi) abi = vmc_abi_load(vmc_test_catalog(), path, &error);
            g_assert_null(abi);
            g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
            g_assert_nonnull(strstr(error->message, "fingerprint"));
            edited++;
            continue;
        }
        round_trip_one(n);
    }
    g_assert_cmpuint(names->len - edited, >=, 3);
    g_test_message("%u ABIs round-tripped, %u edited ABI refused", names->len - edited, edited);
}

/* An edited ABI does not become valid by being put in a record. */
static void
test_edited_abi(void)
{
    g_autofree char *path = vmc_test_source_path("tests", "data", "abis",
                                                 "web-uso-noble-edited.json", NULL);
    gsize len = 0;
    g_autofree char *json = vmc_test_read(path, &len);
    g_autoptr(VmcRecord) rec = vmc_record_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) b = NULL;
    g_autoptr(VmcRecord) back = NULL;
    g_autoptr(VmcAbi) abi = NULL;

    g_assert_true(vmc_record_add(rec, VMC_RECORD_SECTION_ABI, VMC_RECORD_SECTION_CRITICAL, json,
                                 len, &error));
    b = vmc_record_serialize(rec);
    back = vmc_record_parse(g_bytes_get_data(b, NULL), g_bytes_get_size(b), "e.vmcr", &error);
    g_assert_no_error(error);
    abi = vmc_record_get_abi(back, vmc_test_catalog(), &error);
    g_assert_null(abi);
    g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
    g_assert_true(g_str_has_prefix(error->message, "e.vmcr: section 0 (abi): field 'fingerprint'"));
}

static void
test_save_load(void)
{
    g_autoptr(GBytes) bytes = sample_record();
    g_autoptr(GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp("vmc-record-XXXXXX", &error);
    g_autofree char *path = NULL, *bad = NULL;
    g_autoptr(VmcRecord) rec = NULL, back = NULL;
    g_autoptr(GBytes) again = NULL;
    g_autoptr(GDir) d = NULL;
    guint files = 0;

    g_assert_no_error(error);
    path = g_build_filename(dir, "r.vmcr", NULL);
    rec = vmc_record_parse(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), "x", &error);
    g_assert_no_error(error);
    g_assert_true(g_file_set_contents(path, "old content", -1, NULL));
    g_assert_true(vmc_record_save(rec, path, &error));
    g_assert_no_error(error);
    back = vmc_record_load(path, &error);
    g_assert_no_error(error);
    again = vmc_record_serialize(back);
    g_assert_true(g_bytes_equal(bytes, again));
    /* no temporary file is left behind */
    d = g_dir_open(dir, 0, NULL);
    while (g_dir_read_name(d))
        files++;
    g_assert_cmpuint(files, ==, 1);
    /* a character device is written in place, not replaced */
    g_assert_true(vmc_record_save(rec, "/dev/null", &error));
    g_assert_no_error(error);
    g_assert_true(g_file_test("/dev/null", G_FILE_TEST_EXISTS) &&
                  !g_file_test("/dev/null", G_FILE_TEST_IS_REGULAR));
    /* errors name the file */
    bad = g_build_filename(dir, "no-such-dir", "r.vmcr", NULL);
    g_assert_false(vmc_record_save(rec, bad, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_IO);
    g_assert_true(g_str_has_prefix(error->message, bad));
    g_clear_error(&error);
    g_assert_null(vmc_record_load(bad, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_IO);
    g_assert_true(g_str_has_prefix(error->message, bad));
    g_clear_error(&error);
    g_assert_true(g_file_set_contents(path, "", 0, NULL));
    g_assert_null(vmc_record_load(path, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
    g_assert_nonnull(strstr(error->message, "empty"));
    g_unlink(path);
    g_rmdir(dir);
}

/* ---- old readers, newer writers --------------------------------------------- */

/* The sample record plus what a newer writer adds: a future type 6 and a
 * vendor section 0x10001, neither critical. */
static GBytes *
newer_writer_record(guint16 minor)
{
    g_autoptr(GBytes) base = sample_record();
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcRecord) rec = vmc_record_parse(g_bytes_get_data(base, NULL),
                                                g_bytes_get_size(base), "base", &error);
    g_autoptr(GBytes) b = NULL;
    guint8 *d;
    gsize len = 0;
    static const char future[] = "{\"what\": \"a section type of record format 1.1\"}";
    static const char vendor[] = "vendor data: free-form, not critical";

    g_assert_no_error(error);
    g_assert_true(vmc_record_add(rec, 6, 0, future, strlen(future), &error));
    g_assert_true(vmc_record_add(rec, 0x10001, 0, vendor, strlen(vendor), &error));
    g_assert_no_error(error);
    b = vmc_record_serialize(rec);
    d = g_bytes_unref_to_data(g_steal_pointer(&b), &len);
    d[10] = minor & 0xff;
    d[11] = minor >> 8;
    fix_crcs(d);
    return g_bytes_new_take(d, len);
}

static void
test_unknown_sections(void)
{
    g_autoptr(GBytes) b = newer_writer_record(0);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcRecord) rec = vmc_record_parse(g_bytes_get_data(b, NULL), g_bytes_get_size(b),
                                                "new.vmcr", &error);
    g_autoptr(VmcAbi) abi = NULL, orig = load_abi("web-uso-noble.json");
    g_autofree char *j1 = NULL, *j2 = NULL;
    const char *const *notes;
    g_autoptr(GBytes) again = NULL;

    g_assert_no_error(error);
    g_assert_cmpuint(vmc_record_get_section_count(rec), ==, 7);
    g_assert_false(vmc_record_section_type_is_known(vmc_record_get_section_type(rec, 5)));
    g_assert_false(vmc_record_section_type_is_known(vmc_record_get_section_type(rec, 6)));
    notes = vmc_record_get_notes(rec);
    g_assert_nonnull(notes[0]);
    g_assert_nonnull(notes[1]);
    g_assert_null(notes[2]);
    g_assert_cmpstr(notes[0], ==, "section 5 (unknown type 0x6, 47 bytes, not critical): not "
                    "known to this vmcompat, skipped");
    g_assert_true(g_str_has_prefix(notes[1], "section 6 (unknown type 0x10001, "));
    for (guint i = 0; notes[i]; i++)
        g_test_message("note: %s", notes[i]);
    /* everything known is still restored */
    abi = vmc_record_get_abi(rec, vmc_test_catalog(), &error);
    g_assert_no_error(error);
    j1 = vmc_abi_to_json(orig);
    j2 = vmc_abi_to_json(abi);
    g_assert_cmpstr(j1, ==, j2);
    g_assert_nonnull(vmc_record_lookup(rec, VMC_RECORD_SECTION_CPU_UPDATED));
    g_assert_nonnull(vmc_record_lookup(rec, VMC_RECORD_SECTION_GUEST));
    g_assert_nonnull(vmc_record_lookup(rec, VMC_RECORD_SECTION_EXTENSIONS));
    /* and what was skipped is kept when the record is written again */
    again = vmc_record_serialize(rec);
    g_assert_true(g_bytes_equal(b, again));
}

static void
test_unknown_critical(void)
{
    g_autoptr(GBytes) base = sample_record();
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcRecord) rec = vmc_record_parse(g_bytes_get_data(base, NULL),
                                                g_bytes_get_size(base), "base", &error);
    g_autoptr(GBytes) b = NULL;

    g_assert_no_error(error);
    g_assert_true(vmc_record_add(rec, 0x10002, VMC_RECORD_SECTION_CRITICAL, "x", 1, &error));
    b = vmc_record_serialize(rec);
    assert_parse_error(g_bytes_get_data(b, NULL), g_bytes_get_size(b), VMC_ERROR_UNSUPPORTED,
                       "section 5 (unknown type 0x10002) is critical and unknown to this vmcompat");
    /* a critical future vmcompat type, likewise */
    {
        g_autoptr(VmcRecord) r2 = vmc_record_new();
        g_autoptr(GBytes) b2 = NULL;
        g_assert_true(vmc_record_add(r2, 7, VMC_RECORD_SECTION_CRITICAL, "x", 1, &error));
        b2 = vmc_record_serialize(r2);
        assert_parse_error(g_bytes_get_data(b2, NULL), g_bytes_get_size(b2),
                           VMC_ERROR_UNSUPPORTED, "section 0 (unknown type 0x7) is critical");
    }
}

static void
test_versions(void)
{
    g_autoptr(GBytes) b = newer_writer_record(1);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcRecord) rec = vmc_record_parse(g_bytes_get_data(b, NULL), g_bytes_get_size(b),
                                                "1.1.vmcr", &error);
    g_autoptr(VmcAbi) abi = NULL;
    g_autofree guint8 *d = NULL;
    gsize len = 0;
    guint major, minor;

    /* minor 1: read, with a note */
    g_assert_no_error(error);
    vmc_record_get_version(rec, &major, &minor);
    g_assert_cmpuint(major, ==, 1);
    g_assert_cmpuint(minor, ==, 1);
    g_assert_cmpstr(vmc_record_get_notes(rec)[0], ==,
                    "record format 1.1 is newer than this vmcompat's 1.0: what it added is skipped");
    abi = vmc_record_get_abi(rec, vmc_test_catalog(), &error);
    g_assert_no_error(error);

    /* major 2: refused, whatever follows */
    d = g_bytes_unref_to_data(g_bytes_ref(b), &len);
    d[8] = 2;
    d[10] = 0;
    fix_crcs(d);
    assert_parse_error(d, len, VMC_ERROR_UNSUPPORTED,
                       "r.vmcr: written by a newer vmcompat: record format 2.0, this vmcompat "
                       "reads 1.x");
    assert_parse_error(d, 32, VMC_ERROR_UNSUPPORTED, "record format 2.0, this vmcompat reads 1.x");
    /* major 0 does not exist */
    d[8] = 0;
    fix_crcs(d);
    assert_parse_error(d, len, VMC_ERROR_PARSE, "header: record format 0.0 does not exist");
    /* unknown header flags, unknown section flags */
    d[8] = 1;
    d[12] = 0x04;
    fix_crcs(d);
    assert_parse_error(d, len, VMC_ERROR_UNSUPPORTED, "header: flags 0x4 unknown");
    d[12] = 0;
    d[32 + 32 * 2 + 4] = 0x02;
    fix_crcs(d);
    assert_parse_error(d, len, VMC_ERROR_UNSUPPORTED, "section 2 (cpu-updated): flags 0x2 unknown");
}

/* ---- damage ------------------------------------------------------------------ */

/* Every single-bit flip of the sample record is detected, and the error
 * names the damaged part. */
static void
test_bit_flips(void)
{
    g_autoptr(GBytes) b = sample_record();
    gsize len = 0;
    g_autofree guint8 *d = g_bytes_unref_to_data(g_bytes_ref(b), &len);
    guint32 n = get32(d + 16);
    gsize table_end = 32 + (gsize) n * 32;
    guint64 flips = 0, unsupported = 0;
    gint64 t0 = g_get_monotonic_time(), t1;

    for (gsize i = 0; i < len; i++) {
        g_autofree char *want = NULL;
        if (i < 8) {
            want = g_strdup("not a vmcompat record");
        } else if (i < 10) {
            want = g_strdup("record format");
        } else if (i < 32) {
            want = g_strdup("r.vmcr: header: CRC32C mismatch (damaged)");
        } else if (i < table_end) {
            want = g_strdup("r.vmcr: section table: CRC32C mismatch (damaged)");
        } else {
            for (guint k = 0; k < n && !want; k++) {
                const guint8 *e = d + 32 + 32 * k;
                if (i >= get64(e + 8) && i < get64(e + 8) + get64(e + 16))
                    want = g_strdup_printf("r.vmcr: section %u (%s): CRC32C mismatch (damaged)", k,
                                           vmc_record_section_type_to_string(get32(e)));
            }
        }
        g_assert_nonnull(want);
        for (guint bit = 0; bit < 8; bit++) {
            g_autoptr(GError) error = NULL;
            g_autoptr(VmcRecord) rec = NULL;

            d[i] ^= 1u << bit;
            rec = vmc_record_parse(d, len, "r.vmcr", &error);
            d[i] ^= 1u << bit;
            flips++;
            if (rec) {
                g_test_fail_printf("byte %zu bit %u: flip not detected", i, bit);
                return;
            }
            g_assert_nonnull(error);
            g_assert_true(error->domain == VMC_ERROR);
            if (error->code == VMC_ERROR_UNSUPPORTED && (i == 8 || i == 9)) {
                unsupported++;
            } else if (error->code != VMC_ERROR_PARSE) {
                g_test_fail_printf("byte %zu bit %u: code %d: %s", i, bit, error->code,
                                   error->message);
                return;
            }
            if (!strstr(error->message, want)) {
                g_test_fail_printf("byte %zu bit %u: expected '%s' in: %s", i, bit, want,
                                   error->message);
                return;
            }
        }
    }
    t1 = g_get_monotonic_time();
    g_assert_cmpuint(flips, ==, (guint64) len * 8);
    g_test_message("single-bit flips: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                   " detected in a %zu-byte record (%u sections), %" G_GUINT64_FORMAT
                   " of them as a newer major version, in %.2f s (%.1f us each)",
                   flips, flips, len, n, unsupported, (t1 - t0) / 1e6,
                   (double) (t1 - t0) / (double) flips);
}

/* Every truncation is a clear error naming what is cut off. */
static void
test_truncation(void)
{
    g_autoptr(GBytes) b = sample_record();
    gsize len = 0;
    const guint8 *d = g_bytes_get_data(b, &len);
    guint32 n = get32(d + 16);

    for (gsize l = 0; l < len; l++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcRecord) rec = parse_exact(d, l, &error);
        const char *want = l == 0 ? "r.vmcr: empty (0 bytes)" : "(truncated)";
        g_autofree char *section = NULL;

        g_assert_null(rec);
        g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
        if (l > 0 && l < 32 + (gsize) n * 32)
            want = "r.vmcr: truncated: ";
        for (guint k = 0; k < n && l >= 32 + (gsize) n * 32 && !section; k++) {
            const guint8 *e = d + 32 + 32 * k;
            if (l < get64(e + 8) + get64(e + 16))
                section = g_strdup_printf("r.vmcr: section %u (%s): ", k,
                                          vmc_record_section_type_to_string(get32(e)));
        }
        if (!strstr(error->message, want) || (section && !g_str_has_prefix(error->message, section))) {
            g_test_fail_printf("truncated to %zu bytes: %s", l, error->message);
            return;
        }
    }
    g_test_message("truncations: all %zu lengths refused", len);
}

/* Text-mode transfers and other mangling are called what they are. */
static void
test_mangled(void)
{
    g_autoptr(GBytes) b = sample_record();
    gsize len = 0;
    const guint8 *d = g_bytes_get_data(b, &len);
    g_autofree guint8 *m = g_malloc(len + 16);

    /* CR LF -> LF in the magic */
    memcpy(m, d, 4);
    memcpy(m + 4, d + 5, len - 5);
    assert_parse_error(m, len - 1, VMC_ERROR_PARSE, "line-ending bytes after \\x89VMC were changed");
    /* LF -> CR LF */
    memcpy(m, d, 7);
    m[7] = '\r';
    memcpy(m + 8, d + 7, len - 7);
    assert_parse_error(m, len + 1, VMC_ERROR_PARSE, "line-ending bytes after \\x89VMC were changed");
    /* 7-bit */
    memcpy(m, d, len);
    m[0] &= 0x7f;
    assert_parse_error(m, len, VMC_ERROR_PARSE, "high bit of its first byte was cleared");
    /* something else entirely */
    assert_parse_error((const guint8 *) "{\"format\": 1}", 13, VMC_ERROR_PARSE,
                       "not a vmcompat record (no \\x89VMC magic)");
    /* trailing bytes */
    memcpy(m, d, len);
    m[len] = 0;
    assert_parse_error(m, len + 1, VMC_ERROR_PARSE, "1 bytes after the last section");
}

/* Layouts a writer must not produce, with valid CRCs. */
static void
test_malformed(void)
{
    g_autoptr(GBytes) b = sample_record();
    gsize len = 0;
    g_autofree guint8 *d = g_bytes_unref_to_data(g_bytes_ref(b), &len);
    g_autofree guint8 *m = g_malloc(len);

    /* a gap: section 1 starts one byte later */
    memcpy(m, d, len);
    put32(m + 32 + 32 + 8, get32(m + 32 + 32 + 8) + 1);
    fix_crcs(m);
    assert_parse_error(m, len, VMC_ERROR_PARSE, "section 1 (cpu-original): starts at byte");
    /* a second abi section */
    memcpy(m, d, len);
    put32(m + 32 + 32 * 3, VMC_RECORD_SECTION_ABI);
    fix_crcs(m);
    assert_parse_error(m, len, VMC_ERROR_PARSE, "section 3 (abi): a second 'abi' section (the first is section 0");
    /* type 0 */
    memcpy(m, d, len);
    put32(m + 32 + 32 * 4, 0);
    fix_crcs(m);
    assert_parse_error(m, len, VMC_ERROR_PARSE, "section 4: type 0 is invalid");
    /* reserved fields */
    memcpy(m, d, len);
    m[24] = 1;
    fix_crcs(m);
    assert_parse_error(m, len, VMC_ERROR_PARSE, "header: reserved field 0x1 is not 0");
    memcpy(m, d, len);
    m[32 + 28] = 1;
    fix_crcs(m);
    assert_parse_error(m, len, VMC_ERROR_PARSE, "section 0 (abi): reserved field 0x1 is not 0");
    /* a length that runs past the end (and one that would overflow) */
    memcpy(m, d, len);
    put32(m + 32 + 32 * 4 + 16, 0xffffffffu);
    put32(m + 32 + 32 * 4 + 20, 0xffffffffu);
    fix_crcs(m);
    assert_parse_error(m, len, VMC_ERROR_PARSE, "section 4 (extensions): 18446744073709551615 bytes");
}

static void
test_limits(void)
{
    g_autoptr(VmcRecord) rec = vmc_record_new();
    g_autoptr(GError) error = NULL;
    guint8 hdr[32];
    gsize huge = (gsize) VMC_RECORD_MAX_SIZE + 1;
    g_autofree guint8 *big = g_malloc0(huge);

    for (guint i = 0; i < VMC_RECORD_MAX_SECTIONS; i++)
        g_assert_true(vmc_record_add(rec, 0x10000 + i, 0, NULL, 0, &error));
    g_assert_false(vmc_record_add(rec, 0x20000, 0, NULL, 0, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_LIMIT);
    g_clear_error(&error);
    {
        g_autoptr(GBytes) b = vmc_record_serialize(rec);
        g_autoptr(VmcRecord) back = vmc_record_parse(g_bytes_get_data(b, NULL),
                                                     g_bytes_get_size(b), "max", &error);
        g_assert_no_error(error);
        g_assert_cmpuint(vmc_record_get_section_count(back), ==, VMC_RECORD_MAX_SECTIONS);
        g_assert_cmpstr(vmc_record_get_notes(back)[VMC_RECORD_MAX_SECTIONS - 1], ==,
                        "section 1023 (unknown type 0x103ff, 0 bytes, not critical): not known "
                        "to this vmcompat, skipped");
        /* one more section in the header */
        memcpy(hdr, g_bytes_get_data(b, NULL), 32);
    }
    put32(hdr + 16, VMC_RECORD_MAX_SECTIONS + 1);
    put32(hdr + 28, vmc_record_crc32c(0, hdr, 28));
    assert_parse_error(hdr, 32, VMC_ERROR_LIMIT, "header: 1025 sections, more than the limit of 1024");
    /* sizes */
    assert_parse_error(big, huge, VMC_ERROR_LIMIT, "more than the 64 MiB record limit");
    {
        g_autoptr(VmcRecord) r2 = vmc_record_new();
        g_assert_true(vmc_record_add(r2, VMC_RECORD_SECTION_GUEST, 0, big,
                                     VMC_RECORD_MAX_SIZE - 64, &error));
        g_assert_false(vmc_record_add(r2, VMC_RECORD_SECTION_EXTENSIONS, 0, "{}", 2, &error));
        g_assert_error(error, VMC_ERROR, VMC_ERROR_LIMIT);
        g_clear_error(&error);
        g_assert_false(vmc_record_add(r2, VMC_RECORD_SECTION_GUEST, 0, "", 0, &error));
        g_assert_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE);
    }
}

/* CPU sections that say something else than the ABI are refused by name. */
static void
test_cpu_disagree(void)
{
    g_autoptr(VmcAbi) abi = load_abi("web-uso-noble.json");
    g_autofree char *json = vmc_abi_to_json(abi);
    g_autofree char *upd = vmc_cpu_def_format_xml(vmc_abi_get_cpu_updated(abi), 0);
    struct {
        guint32 type;
        const char *from, *to, *message;
    } cases[] = {
        { VMC_RECORD_SECTION_CPU_UPDATED, ">qemu64-v1<", ">Haswell-v1<",
          "r.vmcr: section 1 (cpu-updated): model 'Haswell-v1' differs from the ABI's updated CPU ('qemu64-v1')" },
        { VMC_RECORD_SECTION_CPU_UPDATED, "policy='require' name='sse2'", "policy='disable' name='sse2'",
          "r.vmcr: section 1 (cpu-updated): enabled features differ from the ABI's updated CPU: -sse2" },
        { VMC_RECORD_SECTION_CPU_UPDATED, "<cpu mode='custom'", "<cpu mode='host-model'",
          "r.vmcr: section 1 (cpu-updated): CPU mode 'host-model' differs" },
        { VMC_RECORD_SECTION_CPU_UPDATED, "</cpu>", "<feature name='nosuchfeature'/></cpu>",
          "r.vmcr: section 1 (cpu-updated):" },
        { VMC_RECORD_SECTION_CPU_ORIGINAL, "</cpu>", "<feature policy='require' name='avx2'/></cpu>",
          "r.vmcr: section 1 (cpu-original): enabled features differ from the ABI's original CPU: +avx2" },
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(VmcRecord) rec = vmc_record_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) b = NULL;
        g_autoptr(VmcRecord) back = NULL;
        g_autoptr(VmcAbi) got = NULL;
        const char *src = cases[i].type == VMC_RECORD_SECTION_CPU_UPDATED ? upd :
                          "<cpu mode='custom' match='exact' check='partial'>\n"
                          "  <model fallback='allow'>qemu64</model>\n</cpu>\n";
        const char *at = strstr(src, cases[i].from);
        g_autofree char *xml = NULL;

        g_assert_nonnull(at);
        xml = g_strdup_printf("%.*s%s%s", (int) (at - src), src, cases[i].to, at + strlen(cases[i].from));
        g_assert_true(vmc_record_add(rec, VMC_RECORD_SECTION_ABI, VMC_RECORD_SECTION_CRITICAL,
                                     json, strlen(json), &error));
        g_assert_true(vmc_record_add(rec, cases[i].type, 0, xml, strlen(xml), &error));
        b = vmc_record_serialize(rec);
        back = vmc_record_parse(g_bytes_get_data(b, NULL), g_bytes_get_size(b), "r.vmcr", &error);
        g_assert_no_error(error);
        got = vmc_record_get_abi(back, vmc_test_catalog(), &error);
        g_assert_null(got);
        g_assert_nonnull(error);
        if (!g_str_has_prefix(error->message, cases[i].message))
            g_test_fail_printf("case %u: expected '%s', got: %s", i, cases[i].message, error->message);
    }
    /* an ABI without an original CPU and a record that has one */
    {
        g_autoptr(VmcRecord) rec = vmc_record_new();
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcAbi) got = NULL;
        g_assert_true(vmc_record_add(rec, VMC_RECORD_SECTION_GUEST, 0, "x", 1, &error));
        got = vmc_record_get_abi(rec, vmc_test_catalog(), &error);
        g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
        g_assert_cmpstr(error->message, ==, "(record): no 'abi' section: not the record of a resolved ABI");
    }
}

static void
test_extensions(void)
{
    g_autoptr(VmcAbi) abi = load_abi("plain-q35-jammy.json");
    g_autoptr(GHashTable) ext = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcRecord) rec = NULL, r2 = vmc_record_new();
    g_autoptr(GHashTable) got = NULL;

    /* none: no section, an empty table */
    rec = vmc_record_new_from_abi(abi, NULL, ext, &error);
    g_assert_no_error(error);
    g_assert_null(vmc_record_lookup(rec, VMC_RECORD_SECTION_EXTENSIONS));
    g_assert_null(vmc_record_lookup(rec, VMC_RECORD_SECTION_GUEST));
    got = vmc_record_get_extensions(rec, &error);
    g_assert_cmpuint(g_hash_table_size(got), ==, 0);
    g_clear_pointer(&rec, vmc_record_unref);
    /* an empty key is refused */
    g_hash_table_insert(ext, (gpointer) "", (gpointer) "v");
    rec = vmc_record_new_from_abi(abi, NULL, ext, &error);
    g_assert_null(rec);
    g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
    g_clear_error(&error);
    /* a malformed extensions section is named */
    g_assert_true(vmc_record_add(r2, VMC_RECORD_SECTION_EXTENSIONS, 0, "{\"a\": 1}", 8, &error));
    g_assert_null(vmc_record_get_extensions(r2, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
    g_assert_cmpstr(error->message, ==, "(record): section 0 (extensions): field 'a': not a string");
}

/* ---- the CLI cases' binary fixtures ----------------------------------------- */

/* A tiny record without an ABI: enough for errors found before it is read. */
static GBytes *
tiny_record(guint32 type, guint32 flags)
{
    g_autoptr(VmcRecord) rec = vmc_record_new();
    g_autoptr(GError) error = NULL;
    static const char guest[] = "-machine q35 -cpu Skylake-Client-v4 -device virtio-net-pci,host_uso=on\n";
    static const char ext[] = "{\n  \"created-by\": \"vmcompat 0.1.0\"\n}";

    g_assert_true(vmc_record_add(rec, type, flags, guest, strlen(guest), &error));
    g_assert_true(vmc_record_add(rec, VMC_RECORD_SECTION_EXTENSIONS, 0, ext, strlen(ext), &error));
    return vmc_record_serialize(rec);
}

static GBytes *
fixture_show(void)
{
    return newer_writer_record(1);
}

static GBytes *
fixture_truncated(void)
{
    g_autoptr(GBytes) b = sample_record();
    return g_bytes_new_from_bytes(b, 0, 4096);
}

static GBytes *
fixture_damaged(void)
{
    g_autoptr(GBytes) b = tiny_record(VMC_RECORD_SECTION_GUEST, 0);
    gsize len = 0;
    guint8 *d = g_bytes_unref_to_data(g_steal_pointer(&b), &len);
    d[32 + 2 * 32 + 20] ^= 0x04;    /* one bit in the guest text */
    return g_bytes_new_take(d, len);
}

static GBytes *
fixture_text_mode(void)
{
    g_autoptr(GBytes) b = tiny_record(VMC_RECORD_SECTION_GUEST, 0);
    gsize len = 0;
    const guint8 *d = g_bytes_get_data(b, &len);
    GByteArray *out = g_byte_array_new();

    for (gsize i = 0; i < len; i++)   /* what a text-mode transfer does */
        if (!(d[i] == '\r' && i + 1 < len && d[i + 1] == '\n'))
            g_byte_array_append(out, d + i, 1);
    return g_byte_array_free_to_bytes(out);
}

static GBytes *
fixture_critical(void)
{
    return tiny_record(0x10002, VMC_RECORD_SECTION_CRITICAL);
}

static GBytes *
fixture_format_2(void)
{
    g_autoptr(VmcRecord) rec = vmc_record_new();
    g_autoptr(GBytes) b = vmc_record_serialize(rec);
    gsize len = 0;
    guint8 *d = g_bytes_unref_to_data(g_steal_pointer(&b), &len);
    d[8] = 2;
    fix_crcs(d);
    return g_bytes_new_take(d, len);
}

static void
test_cli_fixtures(void)
{
    static const struct {
        const char *dir, *file;
        GBytes *(*make)(void);
    } fixtures[] = {
        { "record-show", "web-uso-noble.vmcr", fixture_show },
        { "record-show-truncated", "truncated.vmcr", fixture_truncated },
        { "record-show-damaged", "damaged.vmcr", fixture_damaged },
        { "record-show-text-mode", "text-mode.vmcr", fixture_text_mode },
        { "record-show-unknown-critical", "critical.vmcr", fixture_critical },
        { "record-show-newer-major", "format-2.0.vmcr", fixture_format_2 },
    };
    const char *regen = g_getenv("VMC_TEST_REGENERATE_OUTPUT");

    for (guint i = 0; i < G_N_ELEMENTS(fixtures); i++) {
        g_autofree char *path = vmc_test_source_path("tests", "cli", "cases", fixtures[i].dir,
                                                     fixtures[i].file, NULL);
        g_autoptr(GBytes) want = fixtures[i].make();
        g_autofree char *have = NULL;
        g_autoptr(GError) error = NULL;
        gsize len = 0;

        if (regen && g_str_equal(regen, "1")) {
            g_autofree char *dir = g_path_get_dirname(path);
            g_mkdir_with_parents(dir, 0755);
            g_assert_true(g_file_set_contents(path, g_bytes_get_data(want, NULL),
                                              (gssize) g_bytes_get_size(want), &error));
            continue;
        }
        if (!g_file_get_contents(path, &have, &len, &error) ||
            len != g_bytes_get_size(want) || memcmp(have, g_bytes_get_data(want, NULL), len)) {
            g_test_fail_printf("%s is not what this code writes (run with "
                               "VMC_TEST_REGENERATE_OUTPUT=1 and review the CLI cases)", path);
        }
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/record/crc32c", test_crc32c);
    g_test_add_func("/record/layout", test_layout);
    g_test_add_func("/record/abi/round-trip", test_round_trip);
    g_test_add_func("/record/abi/edited", test_edited_abi);
    g_test_add_func("/record/abi/cpu-disagree", test_cpu_disagree);
    g_test_add_func("/record/save-load", test_save_load);
    g_test_add_func("/record/compat/unknown-sections", test_unknown_sections);
    g_test_add_func("/record/compat/unknown-critical", test_unknown_critical);
    g_test_add_func("/record/compat/versions", test_versions);
    g_test_add_func("/record/damage/bit-flips", test_bit_flips);
    g_test_add_func("/record/damage/truncation", test_truncation);
    g_test_add_func("/record/damage/mangled", test_mangled);
    g_test_add_func("/record/malformed", test_malformed);
    g_test_add_func("/record/limits", test_limits);
    g_test_add_func("/record/extensions", test_extensions);
    g_test_add_func("/record/cli-fixtures", test_cli_fixtures);
    return g_test_run();
}
