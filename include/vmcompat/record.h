/* record.h: the vmcompat migration record — a small binary container that
 * carries a resolved ABI through a migration or a save/restore, together
 * with the *original* and the *updated* guest CPU as libvirt <cpu> XML (for
 * readers that only know libvirt), the guest definition it was resolved
 * from and free-form extensions (seed 001).
 *
 * Layout (docs/record.md): a 32-byte header (magic "\x89VMC\r\n\x1a\n",
 * format version, flags, section count, CRC32C of the section table and of
 * the header), a table of 32-byte section entries (type, flags, offset,
 * length, CRC32C of the payload), then the payloads, contiguous, in table
 * order; the file ends with the last payload. Every integer is
 * little-endian. Every single-bit flip anywhere in a record is detected.
 *
 * Compatibility: an old reader reads what a newer writer wrote. A newer
 * minor version only adds section types; a section type this reader does
 * not know is skipped with a note unless its CRITICAL flag says the record
 * cannot be understood without it. A newer major version is refused.
 */
#pragma once

#include <glib.h>
#include <vmcompat/abi.h>
#include <vmcompat/catalog.h>

G_BEGIN_DECLS

/** VMC_RECORD_FORMAT_MAJOR: the record format this vmcompat writes (and
 * the only major it reads). Since: 0.1 */
#define VMC_RECORD_FORMAT_MAJOR 1
/** VMC_RECORD_FORMAT_MINOR: the minor version this vmcompat writes; any
 * minor is read. Since: 0.1 */
#define VMC_RECORD_FORMAT_MINOR 0
/** VMC_RECORD_MAX_SIZE: bound on a whole record, in bytes. Since: 0.1 */
#define VMC_RECORD_MAX_SIZE (64 * 1024 * 1024)
/** VMC_RECORD_MAX_SECTIONS: bound on the number of sections. Since: 0.1 */
#define VMC_RECORD_MAX_SECTIONS 1024
/** VMC_RECORD_TYPE_VENDOR: section types from here on are free-form
 * extension sections of other writers. Since: 0.1 */
#define VMC_RECORD_TYPE_VENDOR 0x10000u

/**
 * VmcRecordSectionType:
 * @VMC_RECORD_SECTION_ABI: "abi" — the resolved ABI JSON
 *     (vmc_abi_to_json()); always CRITICAL
 * @VMC_RECORD_SECTION_CPU_ORIGINAL: "cpu-original" — the CPU as asked, as
 *     libvirt <cpu> XML (absent when the guest named no CPU)
 * @VMC_RECORD_SECTION_CPU_UPDATED: "cpu-updated" — the CPU QEMU presents,
 *     as libvirt <cpu> XML
 * @VMC_RECORD_SECTION_GUEST: "guest" — the guest definition the ABI was
 *     resolved from, verbatim (optional)
 * @VMC_RECORD_SECTION_EXTENSIONS: "extensions" — a JSON object of string
 *     to string (created-by, created-at, source-host, ...)
 * @VMC_RECORD_SECTION_N: one past the last type this vmcompat knows; types
 *     from here to VMC_RECORD_TYPE_VENDOR - 1 are reserved for later
 *     vmcompat versions
 *
 * Section types of format 1.0. Type 0 is invalid.
 *
 * Since: 0.1
 */
typedef enum {
    VMC_RECORD_SECTION_ABI = 1,
    VMC_RECORD_SECTION_CPU_ORIGINAL = 2,
    VMC_RECORD_SECTION_CPU_UPDATED = 3,
    VMC_RECORD_SECTION_GUEST = 4,
    VMC_RECORD_SECTION_EXTENSIONS = 5,
    VMC_RECORD_SECTION_N,
} VmcRecordSectionType;

/**
 * VmcRecordSectionFlags:
 * @VMC_RECORD_SECTION_CRITICAL: a reader that does not know the section's
 *     type must refuse the record; other bits are reserved (0)
 *
 * Since: 0.1
 */
typedef enum {
    VMC_RECORD_SECTION_CRITICAL = 1u << 0,
} VmcRecordSectionFlags;

typedef struct _VmcRecord VmcRecord;

/**
 * vmc_record_section_type_to_string:
 * @type: a section type
 *
 * Returns: the name of a type this vmcompat knows ("abi", "cpu-updated",
 *     ...), or NULL for 0, reserved and vendor types.
 * Since: 0.1
 */
const char *vmc_record_section_type_to_string(guint32 type);

/**
 * vmc_record_section_type_from_string:
 * @name: a section type name
 *
 * Returns: the type named @name, or 0 when no known type has that name.
 * Since: 0.1
 */
guint32 vmc_record_section_type_from_string(const char *name);

/**
 * vmc_record_section_type_is_known:
 * @type: a section type
 *
 * Returns: TRUE when this vmcompat understands sections of @type.
 * Since: 0.1
 */
gboolean vmc_record_section_type_is_known(guint32 type);

/**
 * vmc_record_crc32c:
 * @crc: the CRC of the bytes before @data (0 to start)
 * @data: (array length=len): bytes
 * @len: the number of bytes
 *
 * The checksum of the format: CRC-32C (Castagnoli, reflected polynomial
 * 0x82F63B78, initial value and final XOR 0xFFFFFFFF), so that
 * vmc_record_crc32c(0, "123456789", 9) == 0xE3069283. Chainable:
 * crc(crc(0, a), b) == crc(0, a‖b). For tools that write records by other
 * means.
 *
 * Returns: the CRC-32C of the bytes so far.
 * Since: 0.1
 */
guint32 vmc_record_crc32c(guint32 crc, const void *data, gsize len);

/**
 * vmc_record_new:
 *
 * Returns: (transfer full): an empty record (format 1.0, no sections).
 * Since: 0.1
 */
VmcRecord *vmc_record_new(void);

/**
 * vmc_record_ref:
 * @rec: a record
 *
 * Returns: (transfer full): @rec with one more reference.
 * Since: 0.1
 */
VmcRecord *vmc_record_ref(VmcRecord *rec);

/**
 * vmc_record_unref:
 * @rec: (nullable): a record
 *
 * Drops a reference; frees @rec with the last one.
 * Since: 0.1
 */
void vmc_record_unref(VmcRecord *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcRecord, vmc_record_unref)

/**
 * vmc_record_add:
 * @rec: a record
 * @type: the section type (not 0); a known type at most once per record
 * @flags: #VmcRecordSectionFlags (reserved bits must be 0)
 * @data: (array length=len) (nullable): the payload, copied
 * @len: the payload's length
 * @error: return location for a #GError
 *
 * Appends a section.
 *
 * Returns: TRUE; FALSE with VMC_ERROR_LIMIT when the record would exceed
 *     VMC_RECORD_MAX_SECTIONS or VMC_RECORD_MAX_SIZE, VMC_ERROR_INCOMPATIBLE
 *     when a section of the known @type is already there.
 * Since: 0.1
 */
gboolean vmc_record_add(VmcRecord *rec, guint32 type, guint32 flags,
                        const void *data, gsize len, GError **error);

/**
 * vmc_record_serialize:
 * @rec: a record
 *
 * The record's bytes in format 1.0 — every section in order, the unknown
 * sections of a record read from a newer writer included.
 *
 * Returns: (transfer full): the bytes.
 * Since: 0.1
 */
GBytes *vmc_record_serialize(const VmcRecord *rec);

/**
 * vmc_record_save:
 * @rec: a record
 * @path: the file to write; a regular file is replaced atomically (a
 *     temporary file in the same directory, synced, then renamed), an
 *     existing non-regular file (a FIFO, /dev/stdout) is written in place
 * @error: return location for a #GError
 *
 * Returns: TRUE; FALSE with VMC_ERROR_IO naming @path.
 * Since: 0.1
 */
gboolean vmc_record_save(const VmcRecord *rec, const char *path, GError **error);

/**
 * vmc_record_parse:
 * @data: (array length=len): the bytes of a record
 * @len: their number
 * @name: (nullable): the name errors begin with (a file name)
 * @error: return location for a #GError
 *
 * Reads and verifies a whole record: magic, version, header and table
 * CRCs, the layout (contiguous payloads, nothing after the last), every
 * payload's CRC, and that each known type appears at most once. Sections of
 * types this vmcompat does not know are kept but skipped, each with a note
 * (vmc_record_get_notes()).
 *
 * Returns: (transfer full): the record, or NULL with @error set:
 *     VMC_ERROR_PARSE for a damaged, truncated or malformed record (the
 *     message names the part: "header", "section table", "section 2
 *     (cpu-updated)"), VMC_ERROR_UNSUPPORTED for a newer major version,
 *     unknown header or section flags, or an unknown CRITICAL section
 *     (named), VMC_ERROR_LIMIT beyond VMC_RECORD_MAX_SIZE or
 *     VMC_RECORD_MAX_SECTIONS.
 * Since: 0.1
 */
VmcRecord *vmc_record_parse(const guint8 *data, gsize len, const char *name,
                            GError **error);

/**
 * vmc_record_load:
 * @path: a record file
 * @error: return location for a #GError
 *
 * vmc_record_parse() of a file's bytes; errors begin with @path.
 *
 * Returns: (transfer full): the record, or NULL with @error set (also
 *     VMC_ERROR_IO when the file cannot be read).
 * Since: 0.1
 */
VmcRecord *vmc_record_load(const char *path, GError **error);

/**
 * vmc_record_get_version:
 * @rec: a record
 * @ret_major: (out) (optional): the format major version as read
 * @ret_minor: (out) (optional): the format minor version as read
 *
 * The version a parsed record was written in; for a new record
 * VMC_RECORD_FORMAT_MAJOR.VMC_RECORD_FORMAT_MINOR (vmc_record_serialize() always
 * writes that).
 * Since: 0.1
 */
void vmc_record_get_version(const VmcRecord *rec, guint *ret_major,
                            guint *ret_minor);

/**
 * vmc_record_get_size:
 * @rec: a record
 *
 * Returns: the size of the serialized record in bytes.
 * Since: 0.1
 */
gsize vmc_record_get_size(const VmcRecord *rec);

/**
 * vmc_record_get_section_count:
 * @rec: a record
 *
 * Returns: the number of sections, unknown ones included.
 * Since: 0.1
 */
guint vmc_record_get_section_count(const VmcRecord *rec);

/**
 * vmc_record_get_section_type:
 * @rec: a record
 * @idx: a section index, in file order
 *
 * Returns: the section's type.
 * Since: 0.1
 */
guint32 vmc_record_get_section_type(const VmcRecord *rec, guint idx);

/**
 * vmc_record_get_section_flags:
 * @rec: a record
 * @idx: a section index, in file order
 *
 * Returns: the section's #VmcRecordSectionFlags.
 * Since: 0.1
 */
guint32 vmc_record_get_section_flags(const VmcRecord *rec, guint idx);

/**
 * vmc_record_get_section_payload:
 * @rec: a record
 * @idx: a section index, in file order
 *
 * Returns: (transfer none): the section's payload (verified).
 * Since: 0.1
 */
GBytes *vmc_record_get_section_payload(const VmcRecord *rec, guint idx);

/**
 * vmc_record_lookup:
 * @rec: a record
 * @type: a known section type
 *
 * Returns: (transfer none) (nullable): the payload of the section of
 *     @type, or NULL when the record has none.
 * Since: 0.1
 */
GBytes *vmc_record_lookup(const VmcRecord *rec, guint32 type);

/**
 * vmc_record_get_notes:
 * @rec: a record
 *
 * What a reader skipped, and why: "section 5 (unknown type 0x10001, 12
 * bytes, not critical): not known to this vmcompat, skipped"; also a newer
 * minor version.
 *
 * Returns: (transfer none): a NULL-terminated list, possibly empty.
 * Since: 0.1
 */
const char *const *vmc_record_get_notes(const VmcRecord *rec);

/**
 * vmc_record_new_from_abi:
 * @abi: a resolved ABI
 * @guest_text: (nullable): the guest definition @abi was resolved from,
 *     stored verbatim
 * @extensions: (nullable) (element-type utf8 utf8): free-form string
 *     pairs for the "extensions" section (created-by, created-at,
 *     source-host, ...)
 * @error: return location for a #GError
 *
 * The record of @abi: sections "abi" (CRITICAL), "cpu-original" (when the
 * ABI has one), "cpu-updated", then "guest" and "extensions" when given.
 *
 * Returns: (transfer full): the record, or NULL with VMC_ERROR_LIMIT when
 *     it would exceed VMC_RECORD_MAX_SIZE, VMC_ERROR_PARSE when an
 *     extension key is empty.
 * Since: 0.1
 */
VmcRecord *vmc_record_new_from_abi(const VmcAbi *abi, const char *guest_text,
                                   GHashTable *extensions, GError **error);

/**
 * vmc_record_get_abi:
 * @rec: a record
 * @cat: the catalog to read the ABI and CPUs against
 * @error: return location for a #GError
 *
 * Reads section "abi" with vmc_abi_parse() (which verifies the ABI's
 * fingerprint) and checks that the "cpu-original" and "cpu-updated"
 * sections, when present, agree with the ABI's CPUs: same mode, same model,
 * same enabled features.
 *
 * Returns: (transfer full): the ABI, or NULL with @error set naming the
 *     record and the section: VMC_ERROR_PARSE when there is no "abi"
 *     section, it is not a valid ABI, or a CPU section disagrees;
 *     VMC_ERROR_UNKNOWN for models or features the catalog lacks.
 * Since: 0.1
 */
VmcAbi *vmc_record_get_abi(const VmcRecord *rec, VmcCatalog *cat,
                           GError **error);

/**
 * vmc_record_get_extensions:
 * @rec: a record
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type utf8 utf8): the pairs of the
 *     "extensions" section (empty when there is none), or NULL with
 *     VMC_ERROR_PARSE when it is not a JSON object of strings.
 * Since: 0.1
 */
GHashTable *vmc_record_get_extensions(const VmcRecord *rec, GError **error);

G_END_DECLS
