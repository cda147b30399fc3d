/* cpu-cli.c: QEMU -cpu strings — "Skylake-Client-v4,+avx512f,-hle,enforce",
 * "z14,csske=off", "host,migratable=off" — parsed into and formatted from a
 * CPU definition.
 *
 * Grammar (QEMU's -cpu, target/i386/cpu.c and s390x cpu_models.c):
 *   MODEL [ "," OPTION ]*
 *   OPTION := "+" FEATURE | "-" FEATURE | FEATURE "=" on|off|true|false|yes|no
 *           | "enforce" | "check" | PROPERTY "=" VALUE
 * enforce sets check=full, check sets check=partial. Identification
 * properties (vendor, family, model, stepping) set vendor/signature; other
 * known non-feature properties (model-id, level, xlevel, migratable, ...)
 * are accepted and ignored.
 */
#include <vmcompat/cpu-def.h>

#include "base/util.h"
#include "formats/formats-private.h"
#include <vmcompat/error.h>

#define VMC_CLI_MAX_LEN 65536

static const char *const vmc_cli_ignored_props[] = {
    "model-id", "level", "xlevel", "xlevel2", "min-level", "min-xlevel",
    "migratable", "host-cache-info", "l3-cache", "pmu", "hv-passthrough",
    "phys-bits", "host-phys-bits", "tsc-frequency", "kvm", "check-cpuid",
    "full-cpuid-auto-level", "x-force-features", "hypervisor-vendor",
    NULL,
};

static gboolean
vmc_cli_bool(const char *v, gboolean *ret)
{
    if (g_str_equal(v, "on") || g_str_equal(v, "true") || g_str_equal(v, "yes")) {
        *ret = TRUE;
        return TRUE;
    }
    if (g_str_equal(v, "off") || g_str_equal(v, "false") || g_str_equal(v, "no")) {
        *ret = FALSE;
        return TRUE;
    }
    return FALSE;
}

VmcCpuDef *
vmc_cpu_def_parse_cli(VmcCatalog *cat, VmcArch arch, const char *str, GError **error)
{
    g_auto(GStrv) opts = NULL;
    g_autoptr(VmcCpuDef) def = NULL;
    const char *name;

    g_return_val_if_fail(cat != NULL && str != NULL, NULL);
    if (strlen(str) > VMC_CLI_MAX_LEN) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                    "-cpu string longer than %d characters", VMC_CLI_MAX_LEN);
        return NULL;
    }
    opts = g_strsplit(str, ",", -1);
    name = opts[0];
    if (!name || !*name) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "-cpu '%s': field 'model' (option 1): empty CPU model name", str);
        return NULL;
    }
    if (arch == VMC_ARCH_N)
        arch = vmc__catalog_guess_arch(cat, name);
    if (arch == VMC_ARCH_N) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "-cpu '%s': field 'model' (option 1): unknown CPU model '%s'%s",
                    str, name,
                    g_str_equal(name, "host") || g_str_equal(name, "max") ?
                    " (give --arch)" : "");
        return NULL;
    }
    def = vmc_cpu_def_new(cat, arch, VMC_CPU_TYPE_GUEST);
    def->origin = VMC_CPU_ORIGIN_CLI;
    def->source = g_strdup_printf("-cpu '%s'", str);
    if (g_str_equal(name, "host")) {
        def->mode = VMC_CPU_MODE_HOST_PASSTHROUGH;
    } else if (g_str_equal(name, "max")) {
        def->mode = VMC_CPU_MODE_MAXIMUM;
    } else if (!vmc_catalog_model_lookup(cat, arch, name)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_UNKNOWN,
                    "-cpu '%s': field 'model' (option 1): unknown %s CPU model '%s'",
                    str, vmc_arch_to_string(arch), name);
        return NULL;
    } else if (!vmc_cpu_def_set_model(def, name, error)) {
        return NULL;
    }

    for (guint i = 1; opts[i]; i++) {
        const char *o = opts[i];
        g_autofree char *where = g_strdup_printf("-cpu '%s': field '%s' (option %u)",
                                                 str, o, i + 1);
        const char *eq;

        if (!*o) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: empty option", where);
            return NULL;
        }
        if (g_str_equal(o, "enforce")) {
            def->check = VMC_CPU_CHECK_FULL;
            continue;
        }
        if (g_str_equal(o, "check")) {
            def->check = VMC_CPU_CHECK_PARTIAL;
            continue;
        }
        if (o[0] == '+' || o[0] == '-') {
            if (!vmc__cpu_def_apply_prop(def, o + 1, o[0] == '+', where, error))
                return NULL;
            continue;
        }
        eq = strchr(o, '=');
        if (eq) {
            g_autofree char *key = g_strndup(o, (gsize) (eq - o));
            const char *val = eq + 1;
            gboolean on;

            if (g_str_equal(key, "vendor")) {
                const char *vn = vmc_catalog_vendor_name(cat, arch, val);
                vmc_cpu_def_set_vendor(def, vn ? vn : val);
                continue;
            }
            if (g_str_equal(key, "family") || g_str_equal(key, "model") ||
                g_str_equal(key, "stepping")) {
                guint32 v;
                if (!vmc_parse_uint32(val, &v) || v > 0xffff) {
                    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                                "%s: invalid number '%s'", where, val);
                    return NULL;
                }
                def->has_signature = TRUE;
                if (key[0] == 'f')
                    def->sig_family = v;
                else if (key[0] == 'm')
                    def->sig_model = v;
                else
                    def->sig_stepping = v;
                continue;
            }
            if (vmc_strv_contains0(vmc_cli_ignored_props, key))
                continue;
            if (g_str_equal(key, "enforce") || g_str_equal(key, "check")) {
                if (!vmc_cli_bool(val, &on)) {
                    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                                "%s: expected on or off, got '%s'", where, val);
                    return NULL;
                }
                if (on)
                    def->check = key[0] == 'e' ? VMC_CPU_CHECK_FULL : VMC_CPU_CHECK_PARTIAL;
                continue;
            }
            if (!vmc_cli_bool(val, &on)) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "%s: expected on or off, got '%s'", where, val);
                return NULL;
            }
            if (!vmc__cpu_def_apply_prop(def, key, on, where, error))
                return NULL;
            continue;
        }
        /* A bare feature name means "on" (QEMU's legacy +feature form). */
        if (!vmc__cpu_def_apply_prop(def, o, TRUE, where, error))
            return NULL;
    }
    return g_steal_pointer(&def);
}

char *
vmc_cpu_def_format_cli(const VmcCpuDef *def)
{
    GString *s = g_string_new(NULL);

    g_return_val_if_fail(def != NULL, NULL);
    if (def->model)
        g_string_append(s, def->model);
    else if (def->mode == VMC_CPU_MODE_MAXIMUM)
        g_string_append(s, "max");
    else
        g_string_append(s, "host");
    for (guint i = 0; i < def->features->len; i++) {
        const VmcCpuFeature *cf = &g_array_index(def->features, VmcCpuFeature, i);
        const VmcFeature *f = vmc_catalog_feature(def->cat, def->arch, cf->id);
        if (cf->policy == VMC_FEATURE_POLICY_OPTIONAL)
            continue;
        g_string_append_printf(s, ",%s=%s", vmc_feature_get_name(f),
                               cf->policy == VMC_FEATURE_POLICY_REQUIRE ||
                               cf->policy == VMC_FEATURE_POLICY_FORCE ? "on" : "off");
    }
    if (def->check == VMC_CPU_CHECK_FULL)
        g_string_append(s, ",enforce");
    else if (def->check == VMC_CPU_CHECK_PARTIAL)
        g_string_append(s, ",check");
    return g_string_free(s, FALSE);
}
