/* cpu-def.h: a CPU definition — what a guest asks for, or what a host has.
 *
 * Modelled on libvirt's <cpu>: type (host/guest), mode, match, check,
 * fallback, model, vendor, signature, and features each with a policy.
 * Parsed from libvirt XML, QMP CpuModelInfo JSON or a QEMU -cpu string, and
 * formatted back to each. Features are catalog ids: a definition is bound to
 * the catalog it was parsed against and keeps a reference to it.
 */
#pragma once

#include <glib.h>
#include <vmcompat/arch.h>
#include <vmcompat/catalog.h>

G_BEGIN_DECLS

typedef struct _VmcCpuDef VmcCpuDef;

/** VmcCpuType: a host CPU (features all present) or a guest CPU. */
typedef enum {
    VMC_CPU_TYPE_GUEST,
    VMC_CPU_TYPE_HOST,
    VMC_CPU_TYPE_N,
} VmcCpuType;

typedef enum {
    VMC_CPU_MODE_CUSTOM,
    VMC_CPU_MODE_HOST_MODEL,
    VMC_CPU_MODE_HOST_PASSTHROUGH,
    VMC_CPU_MODE_MAXIMUM,
    VMC_CPU_MODE_N,
} VmcCpuMode;

typedef enum {
    VMC_CPU_MATCH_EXACT,
    VMC_CPU_MATCH_MINIMUM,
    VMC_CPU_MATCH_STRICT,
    VMC_CPU_MATCH_N,
} VmcCpuMatch;

typedef enum {
    VMC_CPU_CHECK_DEFAULT,
    VMC_CPU_CHECK_NONE,
    VMC_CPU_CHECK_PARTIAL,
    VMC_CPU_CHECK_FULL,
    VMC_CPU_CHECK_N,
} VmcCpuCheck;

typedef enum {
    VMC_CPU_FALLBACK_ALLOW,
    VMC_CPU_FALLBACK_FORBID,
    VMC_CPU_FALLBACK_N,
} VmcCpuFallback;

typedef enum {
    VMC_FEATURE_POLICY_FORCE,
    VMC_FEATURE_POLICY_REQUIRE,
    VMC_FEATURE_POLICY_OPTIONAL,
    VMC_FEATURE_POLICY_DISABLE,
    VMC_FEATURE_POLICY_FORBID,
    VMC_FEATURE_POLICY_N,
} VmcFeaturePolicy;

/** VmcCpuOrigin: the syntax a definition was read from (rules follow it). */
typedef enum {
    VMC_CPU_ORIGIN_API,
    VMC_CPU_ORIGIN_LIBVIRT_XML,
    VMC_CPU_ORIGIN_QMP,
    VMC_CPU_ORIGIN_CLI,
    VMC_CPU_ORIGIN_CPUID,
    VMC_CPU_ORIGIN_N,
} VmcCpuOrigin;

const char *vmc_cpu_type_to_string(VmcCpuType v);
const char *vmc_cpu_mode_to_string(VmcCpuMode v);
VmcCpuMode vmc_cpu_mode_from_string(const char *s);
const char *vmc_cpu_match_to_string(VmcCpuMatch v);
VmcCpuMatch vmc_cpu_match_from_string(const char *s);
const char *vmc_cpu_check_to_string(VmcCpuCheck v);
VmcCpuCheck vmc_cpu_check_from_string(const char *s);
const char *vmc_cpu_fallback_to_string(VmcCpuFallback v);
VmcCpuFallback vmc_cpu_fallback_from_string(const char *s);
const char *vmc_feature_policy_to_string(VmcFeaturePolicy v);
VmcFeaturePolicy vmc_feature_policy_from_string(const char *s);

/**
 * vmc_cpu_def_new:
 * Returns: (transfer full): an empty guest definition (custom, exact,
 *     fallback allow, no model) of @arch bound to @cat.
 */
VmcCpuDef *vmc_cpu_def_new(VmcCatalog *cat, VmcArch arch, VmcCpuType type);
VmcCpuDef *vmc_cpu_def_copy(const VmcCpuDef *def);
VmcCpuDef *vmc_cpu_def_ref(VmcCpuDef *def);
void vmc_cpu_def_unref(VmcCpuDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcCpuDef, vmc_cpu_def_unref)

VmcCatalog *vmc_cpu_def_get_catalog(const VmcCpuDef *def);
VmcArch vmc_cpu_def_get_arch(const VmcCpuDef *def);
VmcCpuType vmc_cpu_def_get_type(const VmcCpuDef *def);
VmcCpuMode vmc_cpu_def_get_mode(const VmcCpuDef *def);
VmcCpuMatch vmc_cpu_def_get_match(const VmcCpuDef *def);
VmcCpuCheck vmc_cpu_def_get_check(const VmcCpuDef *def);
VmcCpuFallback vmc_cpu_def_get_fallback(const VmcCpuDef *def);
VmcCpuOrigin vmc_cpu_def_get_origin(const VmcCpuDef *def);
/** vmc_cpu_def_get_model: the model name as written, or NULL. */
const char *vmc_cpu_def_get_model(const VmcCpuDef *def);
/** vmc_cpu_def_get_vendor: the vendor name, or NULL. */
const char *vmc_cpu_def_get_vendor(const VmcCpuDef *def);
/** vmc_cpu_def_get_source: "file:line" the definition came from, or NULL. */
const char *vmc_cpu_def_get_source(const VmcCpuDef *def);
guint vmc_cpu_def_get_feature_count(const VmcCpuDef *def);
/** vmc_cpu_def_get_feature: the @idx-th listed feature and its policy. */
const VmcFeature *vmc_cpu_def_get_feature(const VmcCpuDef *def, guint idx,
                                          VmcFeaturePolicy *ret_policy);
/** vmc_cpu_def_get_policy: the listed policy of @feature_id, or -1. */
int vmc_cpu_def_get_policy(const VmcCpuDef *def, guint feature_id);
/** vmc_cpu_def_get_signature: FALSE when the definition carries none. */
gboolean vmc_cpu_def_get_signature(const VmcCpuDef *def, guint *family,
                                   guint *model, guint *stepping);

void vmc_cpu_def_set_mode(VmcCpuDef *def, VmcCpuMode mode);
void vmc_cpu_def_set_match(VmcCpuDef *def, VmcCpuMatch match);
void vmc_cpu_def_set_check(VmcCpuDef *def, VmcCpuCheck check);
void vmc_cpu_def_set_fallback(VmcCpuDef *def, VmcCpuFallback fallback);
void vmc_cpu_def_set_vendor(VmcCpuDef *def, const char *vendor);
/**
 * vmc_cpu_def_set_model:
 * Sets the model by name or alias; NULL clears it.
 * Returns: FALSE with VMC_ERROR_UNKNOWN when the catalog has no such model.
 */
gboolean vmc_cpu_def_set_model(VmcCpuDef *def, const char *name,
                               GError **error);
/** vmc_cpu_def_set_feature: adds or replaces a listed feature's policy. */
void vmc_cpu_def_set_feature(VmcCpuDef *def, guint feature_id,
                             VmcFeaturePolicy policy);
/** vmc_cpu_def_remove_feature: drops a listed feature, if listed. */
void vmc_cpu_def_remove_feature(VmcCpuDef *def, guint feature_id);

/**
 * VmcCpuFormatFlags:
 * @VMC_CPU_FORMAT_UPDATE_CPU: omit defaults a libvirt reader would fill in
 */
typedef enum {
    VMC_CPU_FORMAT_DEFAULT = 0,
} VmcCpuFormatFlags;

/**
 * vmc_cpu_def_parse_xml:
 * @cat: catalog to resolve models and features against
 * @default_arch: arch for <cpu> elements without <arch> (guest CPUs)
 * @data: XML text of any document; every <cpu> element in it is read, as
 *     virsh does (a bare <cpu>, <cpuTest>, <domain>, <capabilities>, ...)
 * @len: length of @data, or -1 when NUL-terminated
 * @filename: (nullable): name used in error messages
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type VmcCpuDef): one definition per
 *     <cpu> in document order, or NULL with @error set (file:line: field).
 *     A document without any <cpu> is an error.
 */
GPtrArray *vmc_cpu_def_parse_xml(VmcCatalog *cat, VmcArch default_arch,
                                 const char *data, gssize len,
                                 const char *filename, GError **error);

/** vmc_cpu_def_format_xml: libvirt <cpu> XML; (transfer full). */
char *vmc_cpu_def_format_xml(const VmcCpuDef *def, VmcCpuFormatFlags flags);

/**
 * vmc_cpu_def_parse_qmp:
 * Parses a QMP CpuModelInfo: {"name": "z14", "props": {"csske": false}}.
 * Props true become policy require, false disable.
 */
VmcCpuDef *vmc_cpu_def_parse_qmp(VmcCatalog *cat, VmcArch arch,
                                 const char *json, gssize len,
                                 const char *filename, GError **error);
/** vmc_cpu_def_format_qmp: CpuModelInfo JSON text; (transfer full). */
char *vmc_cpu_def_format_qmp(const VmcCpuDef *def);

/**
 * vmc_cpu_def_parse_cli:
 * Parses a QEMU -cpu string: "Skylake-Client-v4,+avx512f,-hle,enforce",
 * "z14,csske=off", "host", "max". enforce sets check=full.
 */
VmcCpuDef *vmc_cpu_def_parse_cli(VmcCatalog *cat, VmcArch arch,
                                 const char *str, GError **error);
/** vmc_cpu_def_format_cli: a QEMU -cpu string; (transfer full). */
char *vmc_cpu_def_format_cli(const VmcCpuDef *def);

/**
 * vmc_cpu_def_parse_any:
 * Reads a CPU from a file path or an inline argument, guessing the syntax:
 * an existing file holding XML or JSON, inline JSON ("{..."), inline XML
 * ("<cpu..."), otherwise a -cpu string. XML files may hold several CPUs.
 * Returns: (element-type VmcCpuDef): at least one definition, or NULL.
 */
GPtrArray *vmc_cpu_def_parse_any(VmcCatalog *cat, VmcArch arch,
                                 const char *arg, GError **error);

G_END_DECLS
