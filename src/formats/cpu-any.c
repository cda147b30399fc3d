/* cpu-any.c: read CPUs from whatever a user hands the CLI — a file or an
 * inline argument holding libvirt XML, a libvirt CPUID dump, QMP JSON, or a
 * QEMU -cpu string — and say precisely what was wrong when it is none.
 */
#include <vmcompat/cpu-def.h>
#include <vmcompat/cpu-ops.h>

#include "base/util.h"
#include "formats/formats-private.h"
#include <vmcompat/error.h>

static GPtrArray *
vmc_any_single(VmcCpuDef *def)
{
    GPtrArray *out;
    if (!def)
        return NULL;
    out = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);
    g_ptr_array_add(out, def);
    return out;
}

static GPtrArray *
vmc_any_text(VmcCatalog *cat, VmcArch arch, const char *text, gsize len,
             const char *name, gboolean is_file, GError **error)
{
    const char *p = text;

    while (p < text + len && g_ascii_isspace(*p))
        p++;
    if (p == text + len) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:1: empty input", name);
        return NULL;
    }
    if (*p == '<') {
        if (strstr(text, "<cpudata")) {
            g_autoptr(VmcCpuidData) data = vmc_cpuid_data_parse_xml(text, (gssize) len,
                                                                    name, error);
            VmcCpuDef *def;
            if (!data)
                return NULL;
            def = vmc_cpu_decode(cat, data, VMC_CPU_TYPE_HOST, NULL, NULL, error);
            if (def) {
                g_free(def->source);
                def->source = g_strdup(name);
            }
            return vmc_any_single(def);
        }
        return vmc_cpu_def_parse_xml(cat, arch == VMC_ARCH_N ? VMC_ARCH_X86_64 : arch,
                                     text, (gssize) len, name, error);
    }
    if (*p == '{')
        return vmc_any_single(vmc_cpu_def_parse_qmp(cat, arch, text, (gssize) len, name, error));
    if (is_file) {
        g_autofree char *line = g_strstrip(g_strndup(p, len - (gsize) (p - text)));
        if (strchr(line, '\n')) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s:1: not a CPU definition: expected libvirt XML, a CPUID dump, QMP JSON or one -cpu string",
                        name);
            return NULL;
        }
        return vmc_any_single(vmc_cpu_def_parse_cli(cat, arch, line, error));
    }
    return vmc_any_single(vmc_cpu_def_parse_cli(cat, arch, text, error));
}

GPtrArray *
vmc_cpu_def_parse_any(VmcCatalog *cat, VmcArch arch, const char *arg, GError **error)
{
    g_return_val_if_fail(cat != NULL && arg != NULL, NULL);

    if (!*arg) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "empty CPU argument");
        return NULL;
    }
    if (arg[0] != '<' && arg[0] != '{' &&
        (g_file_test(arg, G_FILE_TEST_EXISTS) || strchr(arg, '/') ||
         g_str_has_suffix(arg, ".xml") || g_str_has_suffix(arg, ".json"))) {
        g_autofree char *data = NULL;
        gsize len = 0;
        if (!vmc_file_read(arg, &data, &len, error))
            return NULL;
        return vmc_any_text(cat, arch, data, len, arg, TRUE, error);
    }
    return vmc_any_text(cat, arch, arg, strlen(arg), arg[0] == '<' || arg[0] == '{' ?
                        "(argument)" : arg, FALSE, error);
}
