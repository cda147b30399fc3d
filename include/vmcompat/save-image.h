/* save-image.h: libvirt QEMU save images (`virsh save`, managed save), read
 * header-only.
 *
 * An image is libvirt's 92-byte header, then data_len bytes holding the
 * domain XML and the save cookie, then QEMU's migration stream (the guest's
 * memory). This reader takes the header and the XML only — never the stream,
 * so a multi-GiB image costs a few KiB to read — and says what a restore
 * would start: the guest (domain XML) with its *original* CPU, and the
 * *updated* CPU QEMU actually presented (the cookie, seed 001). Byte layout,
 * sources and what is refused: docs/save-image.md.
 *
 * Inputs are untrusted: data_len is bounded (VMC_SAVE_IMAGE_MAX_DATA_LEN),
 * every error names the file and the header field or XML line.
 */
#pragma once

#include <glib.h>
#include <vmcompat/catalog.h>
#include <vmcompat/cpu-def.h>
#include <vmcompat/guest.h>

G_BEGIN_DECLS

/** VMC_SAVE_IMAGE_HEADER_SIZE: sizeof(virQEMUSaveHeader). Since: 0.1 */
#define VMC_SAVE_IMAGE_HEADER_SIZE 92
/** VMC_SAVE_IMAGE_MAX_DATA_LEN: the largest data_len read (64 MiB). */
#define VMC_SAVE_IMAGE_MAX_DATA_LEN (64 * 1024 * 1024)

typedef struct _VmcSaveImage VmcSaveImage;

/**
 * VmcSaveFormat:
 * How the memory stream after the header is stored; the values are
 * libvirt's on-disk numbers (virQEMUSaveFormat), names as in qemu.conf's
 * save_image_format.
 * @VMC_SAVE_FORMAT_RAW: uncompressed
 * @VMC_SAVE_FORMAT_GZIP: gzip
 * @VMC_SAVE_FORMAT_BZIP2: bzip2
 * @VMC_SAVE_FORMAT_XZ: xz
 * @VMC_SAVE_FORMAT_LZOP: lzop
 * @VMC_SAVE_FORMAT_ZSTD: zstd (newer than libvirt 9.0)
 * @VMC_SAVE_FORMAT_SPARSE: QEMU mapped-ram (newer than libvirt 9.0)
 *
 * Since: 0.1
 */
typedef enum {
    VMC_SAVE_FORMAT_RAW,
    VMC_SAVE_FORMAT_GZIP,
    VMC_SAVE_FORMAT_BZIP2,
    VMC_SAVE_FORMAT_XZ,
    VMC_SAVE_FORMAT_LZOP,
    VMC_SAVE_FORMAT_ZSTD,
    VMC_SAVE_FORMAT_SPARSE,
    VMC_SAVE_FORMAT_N,
} VmcSaveFormat;

/** vmc_save_format_to_string: "raw", "gzip", ...; NULL when out of range. */
const char *vmc_save_format_to_string(VmcSaveFormat format);
/** vmc_save_format_from_string: VMC_SAVE_FORMAT_N when unknown. */
VmcSaveFormat vmc_save_format_from_string(const char *name);

/**
 * VmcSaveImageCpuChange:
 * One feature whose policy differs between the original CPU (domain XML)
 * and the updated CPU (cookie).
 * @feature: the catalog's name of the feature
 * @original: its policy in the original CPU, VMC_FEATURE_POLICY_N when the
 *     original does not list it
 * @updated: its policy in the updated CPU, VMC_FEATURE_POLICY_N when the
 *     updated CPU does not list it
 *
 * Since: 0.1
 */
typedef struct {
    const char *feature;
    VmcFeaturePolicy original;
    VmcFeaturePolicy updated;
} VmcSaveImageCpuChange;

/**
 * vmc_save_image_load:
 * @cat: catalog the CPUs are resolved against
 * @path: the save image
 * @error: return location for a #GError
 *
 * Reads the header and the data_len bytes after it (never the memory
 * stream), then the domain XML (vmc_guest_parse) and the cookie.
 *
 * Returns: (transfer full): the image, or NULL with @error set:
 *     VMC_ERROR_IO (cannot open/read, not a regular file), VMC_ERROR_PARSE
 *     (not a save image, incomplete image, truncated, malformed field or
 *     XML), VMC_ERROR_UNSUPPORTED (version or format libvirt does not
 *     write), VMC_ERROR_LIMIT (data_len above 64 MiB), VMC_ERROR_UNKNOWN
 *     (a CPU model or feature the catalog does not know).
 * Since: 0.1
 */
VmcSaveImage *vmc_save_image_load(VmcCatalog *cat, const char *path,
                                  GError **error);

/**
 * vmc_save_image_parse:
 * @cat: catalog the CPUs are resolved against
 * @data: the start of an image: at least the header and data_len bytes;
 *     anything after them is taken as the memory stream and not looked at
 * @len: bytes at @data
 * @name: the name errors start with (a file name)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the image, or NULL with @error set (as
 *     vmc_save_image_load() without VMC_ERROR_IO).
 * Since: 0.1
 */
VmcSaveImage *vmc_save_image_parse(VmcCatalog *cat, const guint8 *data,
                                   gsize len, const char *name,
                                   GError **error);

VmcSaveImage *vmc_save_image_ref(VmcSaveImage *img);
/** vmc_save_image_unref: NULL is allowed. */
void vmc_save_image_unref(VmcSaveImage *img);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcSaveImage, vmc_save_image_unref)

/** vmc_save_image_get_name: the name given to load/parse. */
const char *vmc_save_image_get_name(const VmcSaveImage *img);
/** vmc_save_image_get_version: 1 (no format field, no cookie) or 2. */
guint32 vmc_save_image_get_version(const VmcSaveImage *img);
/** vmc_save_image_get_byte_swapped: TRUE when the header was written by a
 * host of the other byte order than this one (libvirt swaps it back). */
gboolean vmc_save_image_get_byte_swapped(const VmcSaveImage *img);
/** vmc_save_image_get_big_endian: the byte order of the image's header. */
gboolean vmc_save_image_get_big_endian(const VmcSaveImage *img);
guint32 vmc_save_image_get_data_len(const VmcSaveImage *img);
/** vmc_save_image_get_was_running: a restore resumes the guest (unless
 * asked to start paused). */
gboolean vmc_save_image_get_was_running(const VmcSaveImage *img);
/** vmc_save_image_get_format: RAW for version 1 images (no such field). */
VmcSaveFormat vmc_save_image_get_format(const VmcSaveImage *img);
/** vmc_save_image_get_cookie_offset: 0 when the image has no cookie. */
guint32 vmc_save_image_get_cookie_offset(const VmcSaveImage *img);
/** vmc_save_image_get_stream_len: bytes after header and data (the memory
 * stream; 0 for a header-only copy). */
guint64 vmc_save_image_get_stream_len(const VmcSaveImage *img);
/** vmc_save_image_get_domain_xml: the domain XML text (original CPU). */
const char *vmc_save_image_get_domain_xml(const VmcSaveImage *img);
/** vmc_save_image_get_cookie_xml: the <cookie> text, or NULL. */
const char *vmc_save_image_get_cookie_xml(const VmcSaveImage *img);
/** vmc_save_image_get_guest: the domain XML as read by vmc_guest_parse();
 * its CPU is the *original* one. */
const VmcGuest *vmc_save_image_get_guest(const VmcSaveImage *img);
/** vmc_save_image_get_cookie_cpu: the *updated* CPU (what QEMU presented,
 * libvirt feature names resolved through the catalog's aliases), or NULL
 * when the cookie has none (QEMU changed nothing, or no cookie). */
const VmcCpuDef *vmc_save_image_get_cookie_cpu(const VmcSaveImage *img);
/** vmc_save_image_get_slirp_helper: the cookie's <slirpHelper/> flag. */
gboolean vmc_save_image_get_slirp_helper(const VmcSaveImage *img);
/** vmc_save_image_get_notes: what the reader noticed or skipped (strings). */
GPtrArray *vmc_save_image_get_notes(const VmcSaveImage *img);

/**
 * vmc_save_image_cpu_changes:
 * The features whose policy differs between the original CPU and the
 * updated CPU, in the updated CPU's order, then the original's.
 *
 * Returns: (transfer full) (element-type VmcSaveImageCpuChange): possibly
 *     empty; empty when either CPU is absent.
 * Since: 0.1
 */
GArray *vmc_save_image_cpu_changes(const VmcSaveImage *img);

/**
 * vmc_save_image_to_json:
 * A summary: header fields, the guest, both CPUs, the changes, notes
 * (docs/save-image.md).
 * Returns: (transfer full): pretty JSON text ending in a newline.
 * Since: 0.1
 */
char *vmc_save_image_to_json(const VmcSaveImage *img);

G_END_DECLS
