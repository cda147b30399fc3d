/* save-image.c: libvirt QEMU save images, header and XML only.
 *
 * The layout is libvirt's (docs/save-image.md has the full table):
 * - src/qemu/qemu_saveimage.h, struct _virQEMUSaveHeader: 16 magic bytes
 *   "LibvirtQemudSave" ("LibvirtQemudPart" while the save runs or after it
 *   failed), then u32 version, data_len, was_running, format, cookieOffset
 *   and unused[14], in the byte order of the host that wrote it: 92 bytes.
 * - qemu_saveimage.c, virQEMUSaveDataWrite(): the domain XML with its NUL,
 *   then the cookie with its NUL at cookieOffset = strlen(xml) + 1, then
 *   zeros; data_len is the two plus 64 KiB so that the XML can be edited in
 *   place. QEMU's migration stream follows.
 * - qemuSaveImageReadHeader(): a Part magic is "save image is incomplete";
 *   a version above QEMU_SAVE_VERSION (2) is byte-swapped
 *   (qemuSaveImageBswapHeader: version, data_len, was_running, format,
 *   cookieOffset) and checked again; format must be below
 *   QEMU_SAVE_FORMAT_LAST; data_len must not be 0; the XML is cookieOffset
 *   bytes when there is a cookie, else data_len.
 * - src/conf/virsavecookie.c: the cookie is one <cookie> element
 *   (virSaveCookieFormat / virSaveCookieParseString refuse another root).
 * - src/qemu/qemu_domain.c, qemuDomainSaveCookieNew/Format/Parse: the
 *   cookie holds a copy of vm->def->cpu — the CPU as QEMU presented it,
 *   check='full', with the features QEMU added or removed — only when the
 *   domain has priv->origCPU, i.e. when that differs from what was asked;
 *   <slirpHelper/> when the slirp helpers allow migration. Parse reads
 *   ./cpu[1] as a guest CPU. qemu_driver.c formats the domain XML with
 *   qemuDomainDefFormatLive(..., priv->origCPU, ...): the domain XML keeps
 *   the *original* CPU, the cookie the *updated* one.
 *
 * Workload: one image per call. Only 92 + data_len bytes are read (bounded
 * by VMC_SAVE_IMAGE_MAX_DATA_LEN); the memory stream is never touched.
 */
#include <vmcompat/save-image.h>

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xml-util.h"
#include <vmcompat/error.h>

#define VMC_SAVE_MAGIC "LibvirtQemudSave"
#define VMC_SAVE_PARTIAL "LibvirtQemudPart"
#define VMC_SAVE_MAGIC_LEN 16
#define VMC_SAVE_VERSION 2
#define VMC_SAVE_UNUSED 14

G_STATIC_ASSERT(sizeof(VMC_SAVE_MAGIC) - 1 == VMC_SAVE_MAGIC_LEN);
G_STATIC_ASSERT(sizeof(VMC_SAVE_PARTIAL) - 1 == VMC_SAVE_MAGIC_LEN);
G_STATIC_ASSERT(VMC_SAVE_MAGIC_LEN + 4 * (5 + VMC_SAVE_UNUSED) == VMC_SAVE_IMAGE_HEADER_SIZE);

static const char *const save_format_names[] = {
    [VMC_SAVE_FORMAT_RAW] = "raw",
    [VMC_SAVE_FORMAT_GZIP] = "gzip",
    [VMC_SAVE_FORMAT_BZIP2] = "bzip2",
    [VMC_SAVE_FORMAT_XZ] = "xz",
    [VMC_SAVE_FORMAT_LZOP] = "lzop",
    [VMC_SAVE_FORMAT_ZSTD] = "zstd",
    [VMC_SAVE_FORMAT_SPARSE] = "sparse",
};
G_STATIC_ASSERT(G_N_ELEMENTS(save_format_names) == VMC_SAVE_FORMAT_N);

/* The header in host order, after any byte swap. */
typedef struct {
    guint32 version;
    guint32 data_len;
    guint32 was_running;
    guint32 format;
    guint32 cookie_offset;
    guint32 unused[VMC_SAVE_UNUSED];
    gboolean swapped;
} VmcSaveHeader;

/* Invariants: domain_xml is NUL-terminated and non-empty; cookie_xml is
 * NULL exactly when cookie_offset is 0; guest was read from domain_xml;
 * cookie_cpu (nullable) is the cookie's first <cpu>, of the guest's arch. */
struct _VmcSaveImage {
    gint refs;
    char *name;
    VmcSaveHeader hdr;
    VmcSaveFormat format;
    guint64 stream_len;
    char *domain_xml;
    char *cookie_xml;
    VmcGuest *guest;
    VmcCpuDef *cookie_cpu;
    gboolean slirp_helper;
    GPtrArray *notes;
};

const char *
vmc_save_format_to_string(VmcSaveFormat format)
{
    return (guint) format < VMC_SAVE_FORMAT_N ? save_format_names[format] : NULL;
}

VmcSaveFormat
vmc_save_format_from_string(const char *name)
{
    for (guint i = 0; name && i < VMC_SAVE_FORMAT_N; i++)
        if (g_str_equal(name, save_format_names[i]))
            return i;
    return VMC_SAVE_FORMAT_N;
}

static void
vmc_save_image_note(VmcSaveImage *img, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Appends one note. */
static void
vmc_save_image_note(VmcSaveImage *img, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(img->notes, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

VmcSaveImage *
vmc_save_image_ref(VmcSaveImage *img)
{
    g_return_val_if_fail(img != NULL, NULL);
    g_atomic_int_inc(&img->refs);
    return img;
}

void
vmc_save_image_unref(VmcSaveImage *img)
{
    if (!img || !g_atomic_int_dec_and_test(&img->refs))
        return;
    g_free(img->name);
    g_free(img->domain_xml);
    g_free(img->cookie_xml);
    g_clear_pointer(&img->guest, vmc_guest_unref);
    g_clear_pointer(&img->cookie_cpu, vmc_cpu_def_unref);
    g_ptr_array_unref(img->notes);
    g_free(img);
}

/* The 16 magic bytes, printable ("QEVM\x00\x00..."), for messages. */
static char *
vmc_save_magic_printable(const guint8 *magic)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < VMC_SAVE_MAGIC_LEN; i++) {
        if (g_ascii_isprint(magic[i]) && magic[i] != '\\' && magic[i] != '\'')
            g_string_append_c(s, (char) magic[i]);
        else
            g_string_append_printf(s, "\\x%02x", magic[i]);
    }
    return g_string_free(s, FALSE);
}

/* Decodes and checks the header as qemuSaveImageReadHeader does (plus our
 * bounds); @len is how many bytes @data holds. */
static gboolean
vmc_save_header_decode(const guint8 *data, gsize len, const char *name,
                       VmcSaveHeader *ret, GError **error)
{
    VmcSaveHeader h = { 0 };
    guint32 raw_version;

    if (len < VMC_SAVE_IMAGE_HEADER_SIZE) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: truncated header: %" G_GSIZE_FORMAT " bytes, a libvirt save image "
                    "header is %d", name, len, VMC_SAVE_IMAGE_HEADER_SIZE);
        return FALSE;
    }
    if (memcmp(data, VMC_SAVE_MAGIC, VMC_SAVE_MAGIC_LEN) != 0) {
        g_autofree char *magic = vmc_save_magic_printable(data);
        if (memcmp(data, VMC_SAVE_PARTIAL, VMC_SAVE_MAGIC_LEN) == 0) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field 'magic': '%s': the save image is incomplete (libvirt "
                        "marks it complete only after QEMU wrote all memory; the save "
                        "failed or is still running)", name, magic);
            return FALSE;
        }
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'magic': '%s': not a libvirt QEMU save image (expected '%s')",
                    name, magic, VMC_SAVE_MAGIC);
        return FALSE;
    }
    /* host byte order, as libvirt writes and reads the struct */
    memcpy(&h.version, data + 16, 4);
    memcpy(&h.data_len, data + 20, 4);
    memcpy(&h.was_running, data + 24, 4);
    memcpy(&h.format, data + 28, 4);
    memcpy(&h.cookie_offset, data + 32, 4);
    memcpy(h.unused, data + 36, sizeof(h.unused));
    raw_version = h.version;
    if (h.version > VMC_SAVE_VERSION) {
        /* written on a host of the other byte order */
        h.version = GUINT32_SWAP_LE_BE(h.version);
        h.data_len = GUINT32_SWAP_LE_BE(h.data_len);
        h.was_running = GUINT32_SWAP_LE_BE(h.was_running);
        h.format = GUINT32_SWAP_LE_BE(h.format);
        h.cookie_offset = GUINT32_SWAP_LE_BE(h.cookie_offset);
        for (guint i = 0; i < VMC_SAVE_UNUSED; i++)
            h.unused[i] = GUINT32_SWAP_LE_BE(h.unused[i]);
        h.swapped = TRUE;
    }
    if (h.version == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "%s: field 'version': 0 is not a save image version libvirt writes (1 or 2)",
                    name);
        return FALSE;
    }
    if (h.version > VMC_SAVE_VERSION) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "%s: field 'version': %u is not a save image version libvirt writes "
                    "(1 or 2; in the other byte order it reads %u)", name, raw_version,
                    GUINT32_SWAP_LE_BE(raw_version));
        return FALSE;
    }
    if (h.format >= VMC_SAVE_FORMAT_N) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED,
                    "%s: field 'format': unknown memory format %u (known: raw, gzip, bzip2, "
                    "xz, lzop, zstd, sparse)", name, h.format);
        return FALSE;
    }
    if (h.data_len == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'data_len': 0, but the domain XML must follow the header", name);
        return FALSE;
    }
    if (h.data_len > VMC_SAVE_IMAGE_MAX_DATA_LEN) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "%s: field 'data_len': %u bytes of XML is more than the %d MiB limit",
                    name, h.data_len, VMC_SAVE_IMAGE_MAX_DATA_LEN / (1024 * 1024));
        return FALSE;
    }
    if (h.cookie_offset >= h.data_len) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'cookieOffset': %u is not inside the %u bytes of data "
                    "(data_len)", name, h.cookie_offset, h.data_len);
        return FALSE;
    }
    *ret = h;
    return TRUE;
}

/* TRUE when @len bytes at @p are all zero. */
static gboolean
vmc_all_zero(const guint8 *p, gsize len)
{
    for (gsize i = 0; i < len; i++)
        if (p[i])
            return FALSE;
    return TRUE;
}

/* The NUL-terminated text at @p within @len bytes (transfer full), or an
 * error naming @field. */
static char *
vmc_save_take_text(const guint8 *p, gsize len, const char *name,
                   const char *field, const char *bound, GError **error)
{
    const guint8 *nul = memchr(p, '\0', len);

    if (!nul) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field '%s': no terminating NUL byte within its %" G_GSIZE_FORMAT
                    " bytes (%s)", name, field, len, bound);
        return NULL;
    }
    if (nul == p) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field '%s': empty", name, field);
        return NULL;
    }
    return g_strndup((const char *) p, (gsize) (nul - p));
}

/* Parses one <cpu> element of the cookie with the libvirt <cpu> reader; the
 * element is re-serialized after line-1 newlines so that errors carry its
 * line in the cookie. */
static VmcCpuDef *
vmc_save_cookie_cpu(VmcCatalog *cat, VmcArch arch, xmlDoc *doc, xmlNode *cpu,
                    const char *where, GError **error)
{
    g_autoptr(GString) text = g_string_new(NULL);
    g_autoptr(GPtrArray) cpus = NULL;
    xmlBuffer *buf = xmlBufferCreate();
    long line = xmlGetLineNo(cpu);

    for (long i = 1; i < line; i++)
        g_string_append_c(text, '\n');
    xmlNodeDump(buf, doc, cpu, 0, 0);
    g_string_append_len(text, (const char *) xmlBufferContent(buf), xmlBufferLength(buf));
    xmlBufferFree(buf);
    cpus = vmc_cpu_def_parse_xml(cat, arch, text->str, (gssize) text->len, where, error);
    if (!cpus)
        return NULL;
    return vmc_cpu_def_ref(g_ptr_array_index(cpus, 0));
}

/* Reads the cookie text: <cookie> with <cpu> (first one counts, as
 * qemuDomainSaveCookieParse's ./cpu[1]) and <slirpHelper/>. */
static gboolean
vmc_save_image_read_cookie(VmcSaveImage *img, VmcCatalog *cat, GError **error)
{
    g_autofree char *where = g_strdup_printf("%s (cookie)", img->name);
    g_autoptr(xmlDoc) doc = vmc_xml_parse(img->cookie_xml, strlen(img->cookie_xml), where,
                                          error);
    xmlNode *root, *first_cpu = NULL;

    if (!doc)
        return FALSE;
    root = xmlDocGetRootElement(doc);
    if (!root || !xmlStrEqual(root->name, (const xmlChar *) "cookie")) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:%ld: root element <%s>, but libvirt's save cookie is <cookie>", where,
                    root ? xmlGetLineNo(root) : 1L, root ? (const char *) root->name : "");
        return FALSE;
    }
    for (xmlNode *n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(n->name, (const xmlChar *) "cpu")) {
            if (first_cpu)
                vmc_save_image_note(img, "%s:%ld: a second <cpu>; libvirt reads only the "
                                    "first", where, xmlGetLineNo(n));
            else
                first_cpu = n;
        } else if (xmlStrEqual(n->name, (const xmlChar *) "slirpHelper")) {
            img->slirp_helper = TRUE;
        } else {
            vmc_save_image_note(img, "%s:%ld: element <%s> is not one libvirt 9.0 writes; "
                                "ignored", where, xmlGetLineNo(n), (const char *) n->name);
        }
    }
    if (first_cpu) {
        img->cookie_cpu = vmc_save_cookie_cpu(cat, vmc_guest_get_arch(img->guest), doc,
                                              first_cpu, where, error);
        if (!img->cookie_cpu)
            return FALSE;
    }
    return TRUE;
}

/* Header checks that are notes, not errors. */
static void
vmc_save_image_header_notes(VmcSaveImage *img, const guint8 *data)
{
    const VmcSaveHeader *h = &img->hdr;

    if (h->swapped)
        vmc_save_image_note(img, "header in %s byte order: written on a host of the other "
                            "byte order (libvirt swaps it back)",
                            vmc_save_image_get_big_endian(img) ? "big-endian" : "little-endian");
    if (h->version == 1)
        vmc_save_image_note(img, "version 1: written before libvirt compressed save images; "
                            "no format field (libvirt reads the memory raw)%s",
                            h->format ? ", yet the field holds a value" : "");
    if (h->was_running > 1)
        vmc_save_image_note(img, "field 'was_running' is %u; libvirt writes 0 or 1 and "
                            "takes any non-zero value as running", h->was_running);
    for (guint i = 0; i < VMC_SAVE_UNUSED; i++)
        if (h->unused[i])
            vmc_save_image_note(img, "field 'unused[%u]' is 0x%08x, not 0 (written by a "
                                "newer libvirt?)", i, h->unused[i]);
    if (img->format == VMC_SAVE_FORMAT_ZSTD || img->format == VMC_SAVE_FORMAT_SPARSE)
        vmc_save_image_note(img, "memory format '%s' is newer than libvirt 9.0 (which "
                            "knows raw, gzip, bzip2, xz, lzop)",
                            vmc_save_format_to_string(img->format));
    if (img->format != VMC_SAVE_FORMAT_RAW && img->format != VMC_SAVE_FORMAT_SPARSE)
        vmc_save_image_note(img, "the memory stream is %s-compressed: a restore runs '%s -dc'",
                            vmc_save_format_to_string(img->format),
                            vmc_save_format_to_string(img->format));
    if (!h->cookie_offset && h->version == VMC_SAVE_VERSION)
        vmc_save_image_note(img, "no save cookie: the image carries only the domain XML's "
                            "(original) CPU");
    if (img->stream_len == 0)
        vmc_save_image_note(img, "no memory stream follows the header (a header-only copy, "
                            "or truncated): libvirt could not restore it");
    {
        gsize xml_area = h->cookie_offset ? h->cookie_offset : h->data_len;
        gsize xml_used = strlen(img->domain_xml) + 1;
        gsize cookie_used = img->cookie_xml ? strlen(img->cookie_xml) + 1 : 0;
        const guint8 *d = data + VMC_SAVE_IMAGE_HEADER_SIZE;
        if (!vmc_all_zero(d + xml_used, xml_area - xml_used) ||
            !vmc_all_zero(d + xml_area + cookie_used, h->data_len - xml_area - cookie_used))
            vmc_save_image_note(img, "the padding after the XML holds non-zero bytes "
                                "(libvirt writes zeros and ignores them)");
    }
}

/* The image from @len bytes at @data; @stream_len is the size of what
 * follows header and data in the file. */
static VmcSaveImage *
vmc_save_image_new_from(VmcCatalog *cat, const guint8 *data, gsize len,
                        guint64 stream_len, const char *name, GError **error)
{
    g_autoptr(VmcSaveImage) img = NULL;
    g_autofree char *xml_where = NULL;
    VmcSaveHeader h;
    const guint8 *d;
    gsize xml_area;
    const char *p;

    if (!vmc_save_header_decode(data, len, name, &h, error))
        return NULL;
    if (len - VMC_SAVE_IMAGE_HEADER_SIZE < h.data_len) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: field 'data_len': %u bytes of XML should follow the %d-byte header, "
                    "but the file ends after %" G_GSIZE_FORMAT, name, h.data_len,
                    VMC_SAVE_IMAGE_HEADER_SIZE, len - VMC_SAVE_IMAGE_HEADER_SIZE);
        return NULL;
    }
    img = g_new0(VmcSaveImage, 1);
    img->refs = 1;
    img->name = g_strdup(name);
    img->hdr = h;
    img->format = h.version == 1 ? VMC_SAVE_FORMAT_RAW : (VmcSaveFormat) h.format;
    img->stream_len = stream_len;
    img->notes = g_ptr_array_new_with_free_func(g_free);

    d = data + VMC_SAVE_IMAGE_HEADER_SIZE;
    xml_area = h.cookie_offset ? h.cookie_offset : h.data_len;
    img->domain_xml = vmc_save_take_text(d, xml_area, name, "domain XML",
                                         h.cookie_offset ? "cookieOffset" : "data_len", error);
    if (!img->domain_xml)
        return NULL;
    if (h.cookie_offset) {
        img->cookie_xml = vmc_save_take_text(d + h.cookie_offset, h.data_len - h.cookie_offset,
                                             name, "cookie", "data_len - cookieOffset", error);
        if (!img->cookie_xml)
            return NULL;
    }
    vmc_save_image_header_notes(img, data);

    xml_where = g_strdup_printf("%s (domain XML)", name);
    for (p = img->domain_xml; g_ascii_isspace(*p); p++)
        ;
    if (*p != '<') {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s:1: not XML (a save image holds libvirt <domain> XML)", xml_where);
        return NULL;
    }
    {
        /* the guest reader takes other inputs too; a save image holds a domain */
        g_autoptr(xmlDoc) doc = vmc_xml_parse(img->domain_xml, strlen(img->domain_xml),
                                              xml_where, error);
        xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
        if (!doc)
            return NULL;
        if (!root || !xmlStrEqual(root->name, (const xmlChar *) "domain")) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s:%ld: root element <%s>, but a save image holds a libvirt <domain>",
                        xml_where, root ? xmlGetLineNo(root) : 1L,
                        root ? (const char *) root->name : "");
            return NULL;
        }
    }
    img->guest = vmc_guest_parse(cat, img->domain_xml, strlen(img->domain_xml), xml_where,
                                 error);
    if (!img->guest)
        return NULL;
    for (guint i = 0; i < vmc_guest_get_notes(img->guest)->len; i++)
        vmc_save_image_note(img, "%s", (const char *) g_ptr_array_index(
                                           vmc_guest_get_notes(img->guest), i));
    if (img->cookie_xml && !vmc_save_image_read_cookie(img, cat, error))
        return NULL;
    return g_steal_pointer(&img);
}

VmcSaveImage *
vmc_save_image_parse(VmcCatalog *cat, const guint8 *data, gsize len, const char *name,
                     GError **error)
{
    VmcSaveHeader h;

    g_return_val_if_fail(cat != NULL && (data != NULL || len == 0) && name != NULL, NULL);
    if (!vmc_save_header_decode(data, len, name, &h, error))
        return NULL;
    return vmc_save_image_new_from(cat, data, len,
                                   len - VMC_SAVE_IMAGE_HEADER_SIZE > h.data_len ?
                                   len - VMC_SAVE_IMAGE_HEADER_SIZE - h.data_len : 0,
                                   name, error);
}

/* Reads up to @len bytes at the current offset; the count read, or -1. */
static gssize
vmc_read_full(int fd, guint8 *buf, gsize len)
{
    gsize got = 0;

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (gsize) n;
    }
    return (gssize) got;
}

VmcSaveImage *
vmc_save_image_load(VmcCatalog *cat, const char *path, GError **error)
{
    g_autofree guint8 *buf = NULL;
    struct stat st;
    VmcSaveHeader h;
    gsize want;
    gssize n;
    guint64 stream_len = 0;
    int fd;

    g_return_val_if_fail(cat != NULL && path != NULL, NULL);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s: cannot open: %s", path,
                    g_strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    buf = g_malloc(VMC_SAVE_IMAGE_HEADER_SIZE);
    n = vmc_read_full(fd, buf, VMC_SAVE_IMAGE_HEADER_SIZE);
    if (n >= 0 && n == VMC_SAVE_IMAGE_HEADER_SIZE &&
        vmc_save_header_decode(buf, (gsize) n, path, &h, NULL)) {
        /* a valid header: read exactly the data after it, never the stream */
        want = VMC_SAVE_IMAGE_HEADER_SIZE + (gsize) h.data_len;
        buf = g_realloc(buf, want);
        n = vmc_read_full(fd, buf + VMC_SAVE_IMAGE_HEADER_SIZE, h.data_len);
        if (n >= 0)
            n += VMC_SAVE_IMAGE_HEADER_SIZE;
        if ((guint64) st.st_size > want)
            stream_len = (guint64) st.st_size - want;
    }
    if (n < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s: read error: %s", path,
                    g_strerror(errno));
        close(fd);
        return NULL;
    }
    close(fd);
    /* an invalid or short header reports its own error here */
    return vmc_save_image_new_from(cat, buf, (gsize) n, stream_len, path, error);
}

/* ---- getters -------------------------------------------------------------- */

const char *vmc_save_image_get_name(const VmcSaveImage *img) { return img->name; }
guint32 vmc_save_image_get_version(const VmcSaveImage *img) { return img->hdr.version; }
gboolean vmc_save_image_get_byte_swapped(const VmcSaveImage *img) { return img->hdr.swapped; }
guint32 vmc_save_image_get_data_len(const VmcSaveImage *img) { return img->hdr.data_len; }
gboolean vmc_save_image_get_was_running(const VmcSaveImage *img) { return img->hdr.was_running != 0; }
VmcSaveFormat vmc_save_image_get_format(const VmcSaveImage *img) { return img->format; }
guint32 vmc_save_image_get_cookie_offset(const VmcSaveImage *img) { return img->hdr.cookie_offset; }
guint64 vmc_save_image_get_stream_len(const VmcSaveImage *img) { return img->stream_len; }
const char *vmc_save_image_get_domain_xml(const VmcSaveImage *img) { return img->domain_xml; }
const char *vmc_save_image_get_cookie_xml(const VmcSaveImage *img) { return img->cookie_xml; }
const VmcGuest *vmc_save_image_get_guest(const VmcSaveImage *img) { return img->guest; }
const VmcCpuDef *vmc_save_image_get_cookie_cpu(const VmcSaveImage *img) { return img->cookie_cpu; }
gboolean vmc_save_image_get_slirp_helper(const VmcSaveImage *img) { return img->slirp_helper; }
GPtrArray *vmc_save_image_get_notes(const VmcSaveImage *img) { return img->notes; }

gboolean
vmc_save_image_get_big_endian(const VmcSaveImage *img)
{
    gboolean host_be = G_BYTE_ORDER == G_BIG_ENDIAN;
    return img->hdr.swapped ? !host_be : host_be;
}

/* ---- the CPU changes and the summary ----------------------------------------- */

/* Appends a change for @id when its policies differ. */
static void
vmc_save_cpu_change(GArray *out, const VmcCpuDef *orig, const VmcCpuDef *upd, guint id,
                    const VmcFeature *f)
{
    int po = vmc_cpu_def_get_policy(orig, id);
    int pu = vmc_cpu_def_get_policy(upd, id);
    VmcSaveImageCpuChange c = {
        .feature = vmc_feature_get_name(f),
        .original = po < 0 ? VMC_FEATURE_POLICY_N : (VmcFeaturePolicy) po,
        .updated = pu < 0 ? VMC_FEATURE_POLICY_N : (VmcFeaturePolicy) pu,
    };
    if (c.original != c.updated)
        g_array_append_val(out, c);
}

GArray *
vmc_save_image_cpu_changes(const VmcSaveImage *img)
{
    GArray *out = g_array_new(FALSE, TRUE, sizeof(VmcSaveImageCpuChange));
    const VmcCpuDef *orig, *upd;

    g_return_val_if_fail(img != NULL, out);
    orig = vmc_guest_get_cpu(img->guest);
    upd = img->cookie_cpu;
    if (!orig || !upd)
        return out;
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(upd); i++) {
        const VmcFeature *f = vmc_cpu_def_get_feature(upd, i, NULL);
        vmc_save_cpu_change(out, orig, upd, vmc_feature_get_id(f), f);
    }
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(orig); i++) {
        const VmcFeature *f = vmc_cpu_def_get_feature(orig, i, NULL);
        if (vmc_cpu_def_get_policy(upd, vmc_feature_get_id(f)) < 0)
            vmc_save_cpu_change(out, orig, upd, vmc_feature_get_id(f), f);
    }
    return out;
}

/* A CPU definition as {"mode", "match", "check", "model", "features"}. */
static json_object *
vmc_save_cpu_json(const VmcCpuDef *def)
{
    json_object *o, *feats;

    if (!def)
        return NULL;
    o = json_object_new_object();
    json_object_object_add(o, "mode",
                           json_object_new_string(vmc_cpu_mode_to_string(vmc_cpu_def_get_mode(def))));
    json_object_object_add(o, "match",
                           json_object_new_string(vmc_cpu_match_to_string(vmc_cpu_def_get_match(def))));
    json_object_object_add(o, "check",
                           json_object_new_string(vmc_cpu_check_to_string(vmc_cpu_def_get_check(def))));
    json_object_object_add(o, "model", vmc_cpu_def_get_model(def) ?
                           json_object_new_string(vmc_cpu_def_get_model(def)) : NULL);
    feats = json_object_new_object();
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(def); i++) {
        VmcFeaturePolicy p;
        const VmcFeature *f = vmc_cpu_def_get_feature(def, i, &p);
        json_object_object_add(feats, vmc_feature_get_name(f),
                               json_object_new_string(vmc_feature_policy_to_string(p)));
    }
    json_object_object_add(o, "features", feats);
    return o;
}

/* A policy, or null for "not listed". */
static json_object *
vmc_save_policy_json(VmcFeaturePolicy p)
{
    return p == VMC_FEATURE_POLICY_N ? NULL : json_object_new_string(vmc_feature_policy_to_string(p));
}

char *
vmc_save_image_to_json(const VmcSaveImage *img)
{
    json_object *o = json_object_new_object();
    json_object *guest = json_object_new_object();
    json_object *cpu = json_object_new_object();
    json_object *changes = json_object_new_array();
    json_object *notes = json_object_new_array();
    g_autoptr(GArray) ch = NULL;
    const VmcGuest *g;
    char *out;

    g_return_val_if_fail(img != NULL, NULL);
    g = img->guest;
    json_object_object_add(o, "file", json_object_new_string(img->name));
    json_object_object_add(o, "version", json_object_new_int((int) img->hdr.version));
    json_object_object_add(o, "byte-order", json_object_new_string(
                               vmc_save_image_get_big_endian(img) ? "big-endian" : "little-endian"));
    json_object_object_add(o, "data-len", json_object_new_int64(img->hdr.data_len));
    json_object_object_add(o, "cookie-offset", json_object_new_int64(img->hdr.cookie_offset));
    json_object_object_add(o, "was-running", json_object_new_boolean(img->hdr.was_running != 0));
    json_object_object_add(o, "format", json_object_new_string(vmc_save_format_to_string(img->format)));
    json_object_object_add(o, "stream-len", json_object_new_int64((int64_t) img->stream_len));
    json_object_object_add(guest, "name", vmc_guest_get_name(g) ?
                           json_object_new_string(vmc_guest_get_name(g)) : NULL);
    json_object_object_add(guest, "arch", json_object_new_string(vmc_arch_to_string(vmc_guest_get_arch(g))));
    json_object_object_add(guest, "machine", vmc_guest_get_machine(g) ?
                           json_object_new_string(vmc_guest_get_machine(g)) : NULL);
    json_object_object_add(guest, "accel", vmc_guest_get_accel(g) == VMC_ACCEL_NONE ? NULL :
                           json_object_new_string(vmc_accel_to_string(vmc_guest_get_accel(g))));
    json_object_object_add(o, "guest", guest);
    json_object_object_add(cpu, "original", vmc_save_cpu_json(vmc_guest_get_cpu(g)));
    json_object_object_add(cpu, "updated", vmc_save_cpu_json(img->cookie_cpu));
    ch = vmc_save_image_cpu_changes(img);
    for (guint i = 0; i < ch->len; i++) {
        const VmcSaveImageCpuChange *c = &g_array_index(ch, VmcSaveImageCpuChange, i);
        json_object *e = json_object_new_object();
        json_object_object_add(e, "feature", json_object_new_string(c->feature));
        json_object_object_add(e, "original", vmc_save_policy_json(c->original));
        json_object_object_add(e, "updated", vmc_save_policy_json(c->updated));
        json_object_array_add(changes, e);
    }
    json_object_object_add(cpu, "changes", changes);
    json_object_object_add(o, "cpu", cpu);
    json_object_object_add(o, "slirp-helper", json_object_new_boolean(img->slirp_helper));
    for (guint i = 0; i < img->notes->len; i++)
        json_object_array_add(notes, json_object_new_string(g_ptr_array_index(img->notes, i)));
    json_object_object_add(o, "notes", notes);
    out = g_strdup_printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                                 JSON_C_TO_STRING_SPACED |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return out;
}
