/* test-machine.c: machine types, compat properties and releases.
 *
 * The effective compat properties of every pc-q35, pc-i440fx and
 * s390-ccw-virtio version are recomputed here straight from
 * ../shared/data/qemu/compat-props.json — its per-version
 * effective_compat_arrays lists (which the extractor verified against
 * QEMU's options functions) and the raw arrays — and must equal what the
 * library computes from its own parent chains. No hand-written expectations.
 */
#include <json-c/json.h>
#include <string.h>

#include "harness.h"

typedef struct {
    const char *family;
    VmcArch arch;
} Family;

static const Family families[] = {
    { "pc-q35", VMC_ARCH_X86_64 },
    { "pc-i440fx", VMC_ARCH_X86_64 },
    { "s390-ccw-virtio", VMC_ARCH_S390X },
};

static json_object *
load_compat_props(void)
{
    g_autofree char *path = vmc_test_shared_path("data", "qemu", "compat-props.json", NULL);
    g_autofree char *text = vmc_test_read(path, NULL);
    json_object *root = json_tokener_parse(text);
    g_assert_nonnull(root);
    return root;
}

/* The JSON array behind a C array name as compat-props.json lays it out. */
static json_object *
find_array(json_object *root, const char *name)
{
    static const struct { const char *prefix, *section; } map[] = {
        { "hw_compat_", "generic" }, { "pc_compat_", "pc" },
    };
    json_object *section, *arr = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_str_has_prefix(name, map[i].prefix)) {
            g_autofree char *ver = g_strdup(name + strlen(map[i].prefix));
            g_strdelimit(ver, "_", '.');
            g_assert_true(json_object_object_get_ex(root, map[i].section, &section));
            g_assert_true(json_object_object_get_ex(section, ver, &arr));
            return arr;
        }
    }
    if (g_str_has_prefix(name, "ccw_machine_")) {
        g_autofree char *ver = g_strdup(name + strlen("ccw_machine_"));
        char *end = strstr(ver, "_class_options.compat");
        g_assert_nonnull(end);
        *end = '\0';
        g_strdelimit(ver, "_", '.');
        g_assert_true(json_object_object_get_ex(root, "s390-ccw", &section));
        g_assert_true(json_object_object_get_ex(section, ver, &arr));
        return arr;
    }
    /* family defaults */
    g_assert_true(json_object_object_get_ex(root, "family_defaults", &section));
    json_object_object_foreach(section, fam, def) {
        json_object *aname, *props;
        (void) fam;
        if (json_object_object_get_ex(def, "array", &aname) &&
            strcmp(json_object_get_string(aname), name) == 0 &&
            json_object_object_get_ex(def, "props", &props))
            return props;
    }
    g_error("compat array %s not found in compat-props.json", name);
    return NULL;
}

static const char *
jstr(json_object *o, const char *key)
{
    json_object *v;
    g_assert_true(json_object_object_get_ex(o, key, &v));
    return json_object_get_string(v);
}

static void
test_effective_props(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    json_object *root = load_compat_props();
    json_object *machines;
    guint versions = 0, props = 0, host_dep = 0;

    g_assert_true(json_object_object_get_ex(root, "machines", &machines));
    for (guint f = 0; f < G_N_ELEMENTS(families); f++) {
        json_object *fam, *vers;
        g_assert_true(json_object_object_get_ex(machines, families[f].family, &fam));
        g_assert_true(json_object_object_get_ex(fam, "versions", &vers));
        json_object_object_foreach(vers, ver, info) {
            const char *name = jstr(info, "machine_type");
            const VmcMachineType *mt = vmc_catalog_machine_lookup(cat, families[f].arch, name, NULL);
            g_autoptr(GHashTable) expect = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                                 g_free, NULL);
            json_object *eff;
            const VmcCompatProp *p;
            guint n;

            (void) ver;
            g_assert_nonnull(mt);
            g_assert_cmpstr(vmc_machine_type_get_name(mt), ==, name);
            g_assert_true(json_object_object_get_ex(info, "effective_compat_arrays", &eff));
            /* QEMU: apply each array in order, later entries win */
            for (size_t i = 0; i < json_object_array_length(eff); i++) {
                const char *aname = json_object_get_string(json_object_array_get_idx(eff, i));
                json_object *arr = find_array(root, aname);
                g_assert_cmpstr(vmc_machine_type_get_arrays(mt)[i], ==, aname);
                for (size_t j = 0; j < json_object_array_length(arr); j++) {
                    json_object *e = json_object_array_get_idx(arr, j);
                    g_hash_table_replace(expect,
                                         g_strconcat(jstr(e, "driver"), ".", jstr(e, "property"), NULL),
                                         e);
                }
            }
            g_assert_null(vmc_machine_type_get_arrays(mt)[json_object_array_length(eff)]);
            p = vmc_machine_type_compat_props(mt, &n);
            if (n != g_hash_table_size(expect))
                g_test_message("%s: %u props, expected %u", name, n, g_hash_table_size(expect));
            g_assert_cmpuint(n, ==, g_hash_table_size(expect));
            for (guint i = 0; i < n; i++) {
                g_autofree char *key = g_strconcat(p[i].driver, ".", p[i].property, NULL);
                json_object *e = g_hash_table_lookup(expect, key);
                if (!e)
                    g_error("%s: unexpected %s", name, key);
                if (strcmp(p[i].value, jstr(e, "value")) != 0)
                    g_error("%s: %s=%s, compat-props.json says %s", name, key, p[i].value,
                            jstr(e, "value"));
                g_assert_cmpstr(vmc_host_dependency_to_string(p[i].host_dependency), ==,
                                jstr(e, "host_dependency"));
                g_assert_true(vmc_machine_type_compat_lookup(mt, p[i].driver, p[i].property) == &p[i]);
                if (i)
                    g_assert_cmpint(strcmp(p[i - 1].driver, p[i].driver) < 0 ||
                                    (strcmp(p[i - 1].driver, p[i].driver) == 0 &&
                                     strcmp(p[i - 1].property, p[i].property) < 0), ==, TRUE);
                host_dep += p[i].host_dependency == VMC_HOST_DEP_HOST_DEPENDENT;
            }
            props += n;
            versions++;
        }
    }
    g_test_message("%u machine types, %u effective props (%u host-dependent) agree", versions,
                   props, host_dep);
    g_assert_cmpuint(versions, ==, 30 + 29 + 18);
    json_object_put(root);
}

/* The oldest array wins: virtio-balloon-device.qemu-4-0-config-size is true
 * in hw_compat_4_0 and false in hw_compat_3_1 (compat-props README). */
static void
test_oldest_wins(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    const VmcMachineType *m40 = vmc_catalog_machine_lookup(cat, VMC_ARCH_X86_64, "pc-q35-4.0", NULL);
    const VmcMachineType *m31 = vmc_catalog_machine_lookup(cat, VMC_ARCH_X86_64, "pc-q35-3.1", NULL);
    const VmcMachineType *m41 = vmc_catalog_machine_lookup(cat, VMC_ARCH_X86_64, "pc-q35-4.1", NULL);
    const VmcCompatProp *p;

    g_assert_nonnull(m40);
    g_assert_nonnull(m31);
    p = vmc_machine_type_compat_lookup(m40, "virtio-balloon-device", "qemu-4-0-config-size");
    g_assert_nonnull(p);
    g_assert_cmpstr(p->value, ==, "true");
    g_assert_cmpstr(p->array, ==, "hw_compat_4_0");
    p = vmc_machine_type_compat_lookup(m31, "virtio-balloon-device", "qemu-4-0-config-size");
    g_assert_cmpstr(p->value, ==, "false");
    g_assert_cmpstr(p->array, ==, "hw_compat_3_1");
    g_assert_null(vmc_machine_type_compat_lookup(m41, "virtio-balloon-device", "qemu-4-0-config-size"));
    /* 4.0 inherits from the bugfix type 4.0.1 and both carry the 4.0 arrays */
    g_assert_cmpstr(vmc_machine_type_get_name(vmc_machine_type_get_parent(m40)), ==, "pc-q35-4.0.1");
}

static void
test_aliases_and_status(void)
{
    VmcCatalog *cat = vmc_test_catalog();
    g_autofree char *path = vmc_test_shared_path("data", "qemu", "deprecations.json", NULL);
    g_autofree char *text = vmc_test_read(path, NULL);
    json_object *root = json_tokener_parse(text), *mt_info, *by_family;
    g_autoptr(GError) error = NULL;
    VmcRelease r72, r110, newest;
    const VmcMachineType *mt;
    VmcArch arch = VMC_ARCH_N;

    VMC_ASSERT_OK(vmc_release_parse("qemu-7.2", &r72, &error), error);
    VMC_ASSERT_OK(vmc_release_parse("11.0", &r110, &error), error);
    g_assert_true(vmc_catalog_newest_release(cat, &newest));
    g_assert_cmpint(vmc_release_compare(&newest, &r110), ==, 0);

    mt = vmc_catalog_machine_lookup(cat, VMC_ARCH_X86_64, "q35", NULL);
    g_assert_cmpstr(vmc_machine_type_get_name(mt), ==, "pc-q35-11.0");
    mt = vmc_catalog_machine_lookup(cat, VMC_ARCH_X86_64, "q35", &r72);
    g_assert_cmpstr(vmc_machine_type_get_name(mt), ==, "pc-q35-7.2");
    mt = vmc_catalog_machine_default(cat, VMC_ARCH_X86_64, &r72);
    g_assert_cmpstr(vmc_machine_type_get_name(mt), ==, "pc-i440fx-7.2");
    mt = vmc_catalog_machine_find(cat, "s390-ccw-virtio", NULL, &arch);
    g_assert_cmpstr(vmc_machine_type_get_name(mt), ==, "s390-ccw-virtio-11.0");
    g_assert_cmpint(arch, ==, VMC_ARCH_S390X);
    g_assert_null(vmc_catalog_machine_find(cat, "pc-q35-1.0", NULL, NULL));

    mt = vmc_catalog_machine_lookup(cat, VMC_ARCH_X86_64, "pc-q35-8.1", NULL);
    g_assert_cmpint(vmc_machine_type_status(mt, &r72), ==, VMC_MACHINE_NOT_YET);

    /* QEMU's own life cycle at 11.0 (deprecations.json by_family) */
    g_assert_true(json_object_object_get_ex(root, "machine_types", &mt_info));
    g_assert_true(json_object_object_get_ex(mt_info, "by_family", &by_family));
    for (guint f = 0; f < G_N_ELEMENTS(families); f++) {
        json_object *fam, *dep, *gone;
        guint n = vmc_catalog_machine_count(cat, families[f].arch);
        g_assert_true(json_object_object_get_ex(by_family, families[f].family, &fam));
        g_assert_true(json_object_object_get_ex(fam, "deprecated", &dep));
        g_assert_true(json_object_object_get_ex(fam, "not_registered", &gone));
        for (guint i = 0; i < n; i++) {
            const VmcMachineType *m = vmc_catalog_machine(cat, families[f].arch, i);
            VmcMachineStatus want = VMC_MACHINE_SUPPORTED;
            if (strcmp(vmc_machine_type_get_family(m), families[f].family) != 0)
                continue;
            for (size_t j = 0; j < json_object_array_length(dep); j++)
                if (strcmp(json_object_get_string(json_object_array_get_idx(dep, j)),
                           vmc_machine_type_get_version(m)) == 0)
                    want = VMC_MACHINE_DEPRECATED;
            for (size_t j = 0; j < json_object_array_length(gone); j++)
                if (strcmp(json_object_get_string(json_object_array_get_idx(gone, j)),
                           vmc_machine_type_get_version(m)) == 0)
                    want = VMC_MACHINE_DELETED;
            if (vmc_machine_type_status(m, &r110) != want)
                g_error("%s at 11.0: %s, QEMU says %s", vmc_machine_type_get_name(m),
                        vmc_machine_status_to_string(vmc_machine_type_status(m, &r110)),
                        vmc_machine_status_to_string(want));
            /* before the 9.1 policy nothing was deprecated by rule */
            if (vmc_machine_type_status(m, &r72) != VMC_MACHINE_NOT_YET)
                g_assert_cmpint(vmc_machine_type_status(m, &r72), ==, VMC_MACHINE_SUPPORTED);
        }
    }
    json_object_put(root);
}

static void
test_release_parse(void)
{
    static const char *const bad[] = { "", "qemu-", "qemu-7", "7.", "qemu-7.x", "7.2.",
                                       "qemu-7.2-rc1", "x7.2", "99999999999.1" };
    g_autoptr(GError) error = NULL;
    VmcRelease r;

    VMC_ASSERT_OK(vmc_release_parse("qemu-7.2.22", &r, &error), error);
    g_assert_cmpuint(r.major, ==, 7);
    g_assert_cmpuint(r.minor, ==, 2);
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(vmc_release_parse(bad[i], &r, &error));
        g_assert_error(error, VMC_ERROR, VMC_ERROR_PARSE);
        g_assert_nonnull(strstr(error->message, "qemu-X.Y"));
        g_clear_error(&error);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/machine/effective-props", test_effective_props);
    g_test_add_func("/machine/oldest-wins", test_oldest_wins);
    g_test_add_func("/machine/aliases-status", test_aliases_and_status);
    g_test_add_func("/machine/release-parse", test_release_parse);
    return g_test_run();
}
