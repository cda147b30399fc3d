/* test-s390x-qemu.c: the s390x CPU driver against real QEMU 7.2 answers.
 *
 * For every captured query-cpu-model-{expansion,comparison,baseline} in
 * shared/data/qemu-qmp/s390x-tcg/, the same request runs through vmcompat
 * and the answers are compared by meaning:
 *  - models: the same model name and the same feature set, once QEMU's
 *    group props ("msa8") are expanded into features;
 *  - comparisons: the same result and the same responsible set (groups
 *    expanded, "type" kept);
 *  - errors: when QEMU refuses a request, we refuse it too (at parse time
 *    or in the operation), and the other way round.
 *
 * Versions, honestly: the catalog comes from QEMU 11 (development tree),
 * the captures from QEMU 7.2. Feature sets are compared only on the
 * features QEMU 7.2 knows (its `-cpu help` list, s390x-cpu-help.txt):
 * later QEMUs added features (qai subfunctions, plo-ext, vxeh3, ...) that
 * 7.2 cannot report. Each comparison counts the catalog features it left
 * out. Requests naming a model 7.2 did not know (query-cpu-definitions.json)
 * are skipped with a message.
 *
 * QEMU's "max" and "qemu" are accelerator models, not catalog data. Under
 * TCG, with -machine none, both are the gen15a definition with the
 * S390_FEAT_LIST_QEMU_MAX features; the test stands them in by QEMU 7.2's
 * own full expansion of "max" (gen15a-base + every feature) read as a host
 * CPU (no full-set check, as QEMU widens the qemu model's full set).
 *
 * Besides the captures: seed 000 (csske, deprecated, in host and guest
 * CPUs), QEMU 9.1 deprecated-props, and property checks over all catalog
 * models (compare(a,a) identical, antisymmetry, every input ⊇ baseline,
 * expansion fixpoints).
 */
#include "harness/harness.h"
#include "harness/qmp-agree.h"
#include "catalog/cpu-def-private.h"

#include <string.h>

#define ARCH VMC_ARCH_S390X

/* What the test knows about QEMU 7.2; filled once in main(). */
typedef struct {
    char *dir;                 /* the s390x-tcg capture directory */
    VmcFeatureSet known72;     /* catalog features QEMU 7.2 knows */
    GHashTable *models72;      /* model names QEMU 7.2 knows */
    VmcCpuDef *max72;          /* stand-in for "max"/"qemu" */
    guint agree, skipped, errors_agree;
} Ctx;

static Ctx ctx;

/* ---- helpers ------------------------------------------------------------ */

static json_object *
read_json(const char *path)
{
    g_autofree char *text = vmc_test_read(path, NULL);
    return text ? json_tokener_parse(text) : NULL;
}

static json_object *
jget(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* Names of @set, comma separated (transfer full). */
static char *
set_names(const VmcFeatureSet *set)
{
    g_autoptr(GString) s = g_string_new(NULL);
    VMC_FEATURE_SET_FOREACH(set, i) {
        const VmcFeature *f = vmc_catalog_feature(vmc_test_catalog(), ARCH, (guint) i);
        g_string_append_printf(s, "%s%s", s->len ? "," : "", vmc_feature_get_name(f));
    }
    return g_strdup(s->len ? s->str : "(none)");
}

/* The features a definition names: its model's features with require and
 * force added and disable and forbid removed (computed here, not by the
 * driver, so the driver's answers are checked independently). */
static void
def_meaning(const VmcCpuDef *def, VmcFeatureSet *ret)
{
    const VmcCpuModel *m = vmc_catalog_model_lookup(vmc_cpu_def_get_catalog(def), ARCH,
                                                    vmc_cpu_def_get_model(def));
    g_assert_nonnull(m);
    *ret = *vmc_cpu_model_get_features(m);
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(def); i++) {
        VmcFeaturePolicy p;
        const VmcFeature *f = vmc_cpu_def_get_feature(def, i, &p);
        if (p == VMC_FEATURE_POLICY_REQUIRE || p == VMC_FEATURE_POLICY_FORCE)
            vmc_feature_set_add(ret, vmc_feature_get_id(f));
        else if (p == VMC_FEATURE_POLICY_DISABLE || p == VMC_FEATURE_POLICY_FORBID)
            vmc_feature_set_remove(ret, vmc_feature_get_id(f));
    }
}

/* A host-type copy of @src (model and listed features). */
static VmcCpuDef *
host_copy(const VmcCpuDef *src)
{
    VmcCpuDef *def = vmc_cpu_def_new(vmc_cpu_def_get_catalog(src), ARCH, VMC_CPU_TYPE_HOST);
    g_assert_true(vmc_cpu_def_set_model(def, vmc_cpu_def_get_model(src), NULL));
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(src); i++) {
        VmcFeaturePolicy p;
        const VmcFeature *f = vmc_cpu_def_get_feature(src, i, &p);
        vmc_cpu_def_set_feature(def, vmc_feature_get_id(f), p);
    }
    return def;
}

/* Our definition of a request's CpuModelInfo; NULL with @error when we
 * refuse it (as QEMU should, then). "max"/"qemu" → the 7.2 stand-in. */
static VmcCpuDef *
def_from_info(json_object *info, GError **error)
{
    const char *name = json_object_get_string(jget(info, "name"));
    const char *text;

    if (name && (g_str_equal(name, "max") || g_str_equal(name, "qemu"))) {
        g_assert_null(jget(info, "props"));  /* no capture sets props on them */
        return vmc_cpu_def_ref(ctx.max72);
    }
    text = json_object_to_json_string_ext(info, JSON_C_TO_STRING_PLAIN);
    return vmc_cpu_def_parse_qmp(vmc_test_catalog(), ARCH, text, -1, "request", error);
}

/* A model our catalog knows but QEMU 7.2 did not (→ skip), or NULL. */
static const char *
newer_model(json_object *info)
{
    const char *name = json_object_get_string(jget(info, "name"));
    if (!name || g_hash_table_contains(ctx.models72, name))
        return NULL;
    return vmc_catalog_model_lookup(vmc_test_catalog(), ARCH, name) ? name : NULL;
}

/* Our reply to a captured request, in QMP shape; NULL (with @ret_skip)
 * when the request names a model newer than QEMU 7.2. */
static json_object *
our_reply(json_object *req, char **ret_skip)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) a = NULL;
    g_autoptr(VmcCpuDef) b = NULL;
    g_autoptr(VmcCpuDef) result = NULL;
    const char *cmd = json_object_get_string(jget(req, "execute"));
    json_object *args = jget(req, "arguments");
    const char *newer;

    if (g_str_equal(cmd, "query-cpu-model-expansion")) {
        if ((newer = newer_model(jget(args, "model")))) {
            *ret_skip = g_strdup_printf("model '%s' is newer than QEMU 7.2", newer);
            return NULL;
        }
        a = def_from_info(jget(args, "model"), &error);
        if (a)
            result = vmc_cpu_expand(a, vmc_expansion_type_from_string(
                                        json_object_get_string(jget(args, "type"))),
                                    NULL, &error);
        return result ? vmc_qmp_reply_from_def(result) : vmc_qmp_reply_from_error(error);
    }
    if ((newer = newer_model(jget(args, "modela"))) ||
        (newer = newer_model(jget(args, "modelb")))) {
        *ret_skip = g_strdup_printf("model '%s' is newer than QEMU 7.2", newer);
        return NULL;
    }
    a = def_from_info(jget(args, "modela"), &error);
    if (a)
        b = def_from_info(jget(args, "modelb"), &error);
    if (!a || !b)
        return vmc_qmp_reply_from_error(error);
    if (g_str_equal(cmd, "query-cpu-model-comparison")) {
        g_autoptr(GPtrArray) resp = NULL;
        VmcCompareResult r;
        if (!vmc_cpu_compare(a, b, &r, &resp, &error))
            return vmc_qmp_reply_from_error(error);
        return vmc_qmp_reply_from_comparison(r, resp);
    }
    {
        VmcCpuDef *cpus[] = { a, b };
        result = vmc_cpu_baseline(cpus, 2, NULL, VMC_BASELINE_DEFAULT, &error);
    }
    return result ? vmc_qmp_reply_from_def(result) : vmc_qmp_reply_from_error(error);
}

/* Catalog features newer than QEMU 7.2 in a model reply: left out of the
 * comparison, and counted so the omission is visible. */
static void
report_newer_features(const char *what, json_object *reply)
{
    json_object *model = jget(jget(reply, "return"), "model");
    VmcFeatureSet s;

    if (!model || !vmc_qmp_model_info_features(vmc_test_catalog(), ARCH, model, &s, NULL))
        return;
    vmc_feature_set_andnot(&s, &s, &ctx.known72);
    if (!vmc_feature_set_is_empty(&s)) {
        g_autofree char *n = set_names(&s);
        g_test_message("%s: %u catalog features newer than QEMU 7.2 left out: %s", what,
                       vmc_feature_set_count(&s), n);
    }
}

/* ---- one capture file ----------------------------------------------------- */

static void
test_capture(gconstpointer data)
{
    const char *path = data;
    g_autofree char *base = g_path_get_basename(path);
    g_autoptr(json_object) root = read_json(path);
    g_autoptr(json_object) ours = NULL;
    g_autoptr(GString) diag = g_string_new(NULL);
    g_autofree char *skip = NULL;
    json_object *req, *resp, *qerr;

    g_assert_nonnull(root);
    req = jget(root, "request");
    resp = jget(root, "response");
    qerr = jget(resp, "error");
    ours = our_reply(req, &skip);
    if (!ours) {
        ctx.skipped++;
        g_test_skip(skip);
        return;
    }
    if (!vmc_qmp_replies_agree(vmc_test_catalog(), ARCH, req, resp, ours, &ctx.known72,
                               diag)) {
        g_test_message("%s disagrees with QEMU 7.2:\n%s", base, diag->str);
        g_test_fail();
        return;
    }
    if (qerr) {
        const char *desc = json_object_get_string(jget(qerr, "desc"));
        const char *mine = json_object_get_string(jget(jget(ours, "error"), "desc"));
        g_test_message("%s: both refuse; QEMU: %s; ours: %s", base, desc, mine);
        /* "Feature 'x' is not available ...": we name the same feature. */
        if (g_str_has_prefix(desc, "Feature '")) {
            g_autofree char *feat = g_strndup(desc + 8, strchr(desc + 9, '\'') - desc - 7);
            g_assert_nonnull(strstr(mine, feat));
        }
        ctx.errors_agree++;
        return;
    }
    report_newer_features(base, ours);
    ctx.agree++;
}

/* ---- seed 000: csske ------------------------------------------------------- */

static VmcCpuDef *
cli(const char *s)
{
    g_autoptr(GError) error = NULL;
    VmcCpuDef *def = vmc_cpu_def_parse_cli(vmc_test_catalog(), ARCH, s, &error);
    if (!def)
        g_error("cannot parse '%s': %s", s, error->message);
    return def;
}

static guint
fid(const char *name)
{
    const VmcFeature *f = vmc_catalog_feature_lookup(vmc_test_catalog(), ARCH, name);
    g_assert_nonnull(f);
    return vmc_feature_get_id(f);
}

/* Model vs model keeps QEMU's answer: z14,csske=off is a subset of z14
 * because of csske (the captured answer). */
static void
test_seed000_model_vs_model(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) a = cli("z14,csske=off");
    g_autoptr(VmcCpuDef) b = cli("z14");
    g_autoptr(GPtrArray) resp = NULL;
    VmcCompareResult r;

    VMC_ASSERT_OK(vmc_cpu_compare(a, b, &r, &resp, &error), error);
    g_assert_cmpint(r, ==, VMC_COMPARE_SUBSET);
    g_assert_cmpuint(resp->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(resp, 0), ==, "csske");
}

/* A z14 host whose host-model disables the deprecated csske still has it
 * in hardware: against z14 it is identical, against z13 a superset — never
 * incompatible (seed 000). Without csske in hardware it is a subset. */
static void
test_seed000_host_vs_model(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) z14 = cli("z14");
    g_autoptr(VmcCpuDef) z13 = cli("z13");
    g_autoptr(VmcCpuDef) host = vmc_cpu_def_new(vmc_test_catalog(), ARCH, VMC_CPU_TYPE_HOST);
    g_autoptr(VmcCpuDef) bare = NULL;
    g_autoptr(GPtrArray) resp = NULL;
    VmcCompareResult r;

    /* host-model as libvirt records it: z14-base + z14's default features,
     * csske disabled because it is deprecated. */
    g_assert_true(vmc_cpu_def_set_model(host, "z14-base", NULL));
    {
        g_autoptr(VmcCpuDef) st = vmc_cpu_expand(z14, VMC_EXPANSION_STATIC, NULL, &error);
        g_assert_nonnull(st);
        for (guint i = 0; i < vmc_cpu_def_get_feature_count(st); i++) {
            VmcFeaturePolicy p;
            const VmcFeature *f = vmc_cpu_def_get_feature(st, i, &p);
            vmc_cpu_def_set_feature(host, vmc_feature_get_id(f), p);
        }
    }
    bare = vmc_cpu_def_copy(host);
    vmc_cpu_def_set_feature(host, fid("csske"), VMC_FEATURE_POLICY_DISABLE);
    vmc_cpu_def_set_feature(bare, fid("csske"), VMC_FEATURE_POLICY_DISABLE);
    vmc_feature_set_add(&host->host_deprecated_disabled, fid("csske"));

    VMC_ASSERT_OK(vmc_cpu_compare(host, z14, &r, &resp, &error), error);
    g_assert_cmpint(r, ==, VMC_COMPARE_IDENTICAL);
    g_assert_cmpuint(resp->len, ==, 0);
    g_clear_pointer(&resp, g_ptr_array_unref);
    VMC_ASSERT_OK(vmc_cpu_compare(host, z13, &r, NULL, &error), error);
    g_assert_cmpint(r, ==, VMC_COMPARE_SUPERSET);
    /* The guest z14,csske=off runs there too. */
    {
        g_autoptr(VmcCpuDef) g = cli("z14,csske=off");
        VMC_ASSERT_OK(vmc_cpu_compare(host, g, &r, NULL, &error), error);
        g_assert_cmpint(r, ==, VMC_COMPARE_SUPERSET);
    }
    /* Hardware really without csske: QEMU's model-vs-model answer. */
    VMC_ASSERT_OK(vmc_cpu_compare(bare, z14, &r, &resp, &error), error);
    g_assert_cmpint(r, ==, VMC_COMPARE_SUBSET);
    g_assert_cmpuint(resp->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(resp, 0), ==, "csske");
}

/* ---- QEMU 9.1 deprecated-props ------------------------------------------- */

static gboolean
names_equal(GPtrArray *names, const char *const *want)
{
    g_autoptr(GHashTable) h = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < names->len; i++)
        g_hash_table_add(h, g_ptr_array_index(names, i));
    if (g_hash_table_size(h) != g_strv_length((char **) want))
        return FALSE;
    for (; *want; want++)
        if (!g_hash_table_contains(h, *want))
            return FALSE;
    return TRUE;
}

/* qmp_query_cpu_model_expansion (QEMU ≥ 9.1): static lists the deprecated
 * features enabled in the model, full lists all of them. */
static void
test_deprecated_props(void)
{
    static const char *const all[] = { "csske", "bpb", "cte", "te", NULL };
    static const char *const gen15a[] = { "cte", "te", NULL };
    static const char *const none[] = { NULL };
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) z14 = cli("z14");
    g_autoptr(VmcCpuDef) g15 = cli("gen15a");
    g_autoptr(VmcCpuDef) z900 = cli("z900");
    struct { VmcCpuDef *def; VmcExpansionType t; const char *const *want; } cases[] = {
        { z14, VMC_EXPANSION_STATIC, all },
        { z14, VMC_EXPANSION_FULL, all },
        { g15, VMC_EXPANSION_STATIC, gen15a },
        { g15, VMC_EXPANSION_FULL, all },
        { z900, VMC_EXPANSION_STATIC, none },
        { z900, VMC_EXPANSION_FULL, all },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GPtrArray) dep = NULL;
        g_autoptr(VmcCpuDef) r = vmc_cpu_expand(cases[i].def, cases[i].t, &dep, &error);
        VMC_ASSERT_OK(r != NULL, error);
        g_assert_true(names_equal(dep, cases[i].want));
    }
}

/* ---- generation only ------------------------------------------------------ */

/* Same features, different generation/GA: the generation decides and
 * "type" is responsible (qmp_query_cpu_model_comparison: an identical
 * feature relation yields to the generation relation). The machine type
 * itself is not compared: z800 and z900.3 are both gen 7 GA 3. */
static void
test_generation_only(void)
{
    static const struct { const char *a, *b; VmcCompareResult r; guint n; } cases[] = {
        { "z900", "z900.2", VMC_COMPARE_SUBSET, 1 },
        { "z900.2", "z900", VMC_COMPARE_SUPERSET, 1 },
        { "z800", "z900.3", VMC_COMPARE_IDENTICAL, 0 },
    };
    g_autoptr(GError) error = NULL;

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(VmcCpuDef) a = cli(cases[i].a);
        g_autoptr(VmcCpuDef) b = cli(cases[i].b);
        g_autoptr(GPtrArray) resp = NULL;
        VmcCompareResult r;

        VMC_ASSERT_OK(vmc_cpu_compare(a, b, &r, &resp, &error), error);
        g_assert_cmpint(r, ==, cases[i].r);
        g_assert_cmpuint(resp->len, ==, cases[i].n);
        if (cases[i].n)
            g_assert_cmpstr(g_ptr_array_index(resp, 0), ==, "type");
    }
}

/* ---- errors ------------------------------------------------------------- */

static void
test_errors(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) vxeh = cli("z13,vxeh=on");
    g_autoptr(VmcCpuDef) host = cli("host");
    g_autoptr(VmcCpuDef) z13 = cli("z13");
    VmcCompareResult r;

    g_assert_null(vmc_cpu_expand(vxeh, VMC_EXPANSION_STATIC, NULL, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_INCOMPATIBLE);
    g_assert_nonnull(strstr(error->message, "'vxeh'"));
    g_assert_nonnull(strstr(error->message, "'z13'"));
    g_clear_error(&error);
    g_assert_false(vmc_cpu_compare(host, z13, &r, NULL, &error));
    g_assert_error(error, VMC_ERROR, VMC_ERROR_UNSUPPORTED);
    g_clear_error(&error);
    /* The same feature on a host CPU is what the hardware has. */
    {
        g_autoptr(VmcCpuDef) h = host_copy(vxeh);
        VmcFeatureSet s;
        VMC_ASSERT_OK(vmc_cpu_effective_features(h, &s, &error), error);
        g_assert_true(vmc_feature_set_has(&s, fid("vxeh")));
    }
}

/* ---- properties over the whole catalog ------------------------------------ */

/* Every catalog model (default and -base) as a definition. */
static GPtrArray *
all_models(gboolean with_static)
{
    VmcCatalog *cat = vmc_test_catalog();
    GPtrArray *defs = g_ptr_array_new_with_free_func((GDestroyNotify) vmc_cpu_def_unref);
    for (guint i = 0; i < vmc_catalog_model_count(cat, ARCH); i++) {
        const VmcCpuModel *m = vmc_catalog_model(cat, ARCH, i);
        VmcCpuDef *d;
        if (!with_static && vmc_cpu_model_is_static(m))
            continue;
        d = vmc_cpu_def_new(cat, ARCH, VMC_CPU_TYPE_GUEST);
        g_assert_true(vmc_cpu_def_set_model(d, vmc_cpu_model_get_name(m), NULL));
        g_ptr_array_add(defs, d);
    }
    return defs;
}

static VmcCompareResult
mirror(VmcCompareResult r)
{
    return r == VMC_COMPARE_SUPERSET ? VMC_COMPARE_SUBSET :
           r == VMC_COMPARE_SUBSET ? VMC_COMPARE_SUPERSET : r;
}

/* compare(a,a) is identical; compare(b,a) mirrors compare(a,b) with the
 * same responsible set; baseline(a,b) runs on both (each input compares
 * identical or superset to it) and its features are in both. */
static void
test_properties_pairs(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) defs = all_models(TRUE);

    for (guint i = 0; i < defs->len; i++) {
        VmcCpuDef *a = g_ptr_array_index(defs, i);
        VmcFeatureSet fa;
        VMC_ASSERT_OK(vmc_cpu_effective_features(a, &fa, &error), error);
        for (guint j = 0; j < defs->len; j++) {
            VmcCpuDef *b = g_ptr_array_index(defs, j);
            VmcCpuDef *pair[] = { a, b };
            g_autoptr(GPtrArray) r1 = NULL;
            g_autoptr(GPtrArray) r2 = NULL;
            g_autoptr(VmcCpuDef) bl = NULL;
            VmcCompareResult ab, ba, ra, rb;
            VmcFeatureSet fb, fbl, both;

            VMC_ASSERT_OK(vmc_cpu_compare(a, b, &ab, &r1, &error), error);
            VMC_ASSERT_OK(vmc_cpu_compare(b, a, &ba, &r2, &error), error);
            g_assert_cmpint(ba, ==, mirror(ab));
            g_assert_cmpuint(r1->len, ==, r2->len);
            if (i == j)
                g_assert_cmpint(ab, ==, VMC_COMPARE_IDENTICAL);

            bl = vmc_cpu_baseline(pair, 2, NULL, VMC_BASELINE_DEFAULT, &error);
            VMC_ASSERT_OK(bl != NULL, error);
            g_assert_true(vmc_cpu_model_is_static(
                vmc_catalog_model_lookup(vmc_test_catalog(), ARCH, vmc_cpu_def_get_model(bl))));
            VMC_ASSERT_OK(vmc_cpu_compare(a, bl, &ra, NULL, &error), error);
            VMC_ASSERT_OK(vmc_cpu_compare(b, bl, &rb, NULL, &error), error);
            g_assert_true(ra == VMC_COMPARE_IDENTICAL || ra == VMC_COMPARE_SUPERSET);
            g_assert_true(rb == VMC_COMPARE_IDENTICAL || rb == VMC_COMPARE_SUPERSET);
            VMC_ASSERT_OK(vmc_cpu_effective_features(b, &fb, &error), error);
            def_meaning(bl, &fbl);
            vmc_feature_set_and(&both, &fa, &fb);
            g_assert_true(vmc_feature_set_is_subset(&fbl, &both));
        }
    }
}

/* The N-way baseline of many CPUs runs on each of them; one CPU's baseline
 * is QEMU's baseline of it with itself. */
static void
test_properties_nway(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) defs = all_models(FALSE);
    g_autoptr(VmcCpuDef) bl = NULL;
    g_autoptr(VmcCpuDef) one = NULL;
    g_autoptr(VmcCpuDef) self = NULL;
    GRand *rand = g_rand_new_with_seed(42);

    bl = vmc_cpu_baseline((VmcCpuDef *const *) defs->pdata, defs->len, NULL,
                          VMC_BASELINE_DEFAULT, &error);
    VMC_ASSERT_OK(bl != NULL, error);
    g_assert_cmpstr(vmc_cpu_def_get_model(bl), ==, "z900-base");
    for (int round = 0; round < 200; round++) {
        g_autoptr(GPtrArray) pick = g_ptr_array_new();
        g_autoptr(VmcCpuDef) r = NULL;
        guint n = (guint) g_rand_int_range(rand, 1, 8);
        for (guint k = 0; k < n; k++)
            g_ptr_array_add(pick, g_ptr_array_index(defs, g_rand_int_range(rand, 0,
                                                                          (gint32) defs->len)));
        r = vmc_cpu_baseline((VmcCpuDef *const *) pick->pdata, n, NULL,
                             VMC_BASELINE_DEFAULT, &error);
        VMC_ASSERT_OK(r != NULL, error);
        for (guint k = 0; k < n; k++) {
            VmcCompareResult c;
            VMC_ASSERT_OK(vmc_cpu_compare(g_ptr_array_index(pick, k), r, &c, NULL, &error),
                          error);
            g_assert_true(c == VMC_COMPARE_IDENTICAL || c == VMC_COMPARE_SUPERSET);
        }
    }
    g_rand_free(rand);
    one = cli("z14");
    {
        VmcCpuDef *pair[] = { one, one };
        VmcCpuDef *single[] = { one };
        g_autoptr(VmcCpuDef) r1 = vmc_cpu_baseline(single, 1, NULL, 0, &error);
        g_autoptr(VmcCpuDef) r2 = vmc_cpu_baseline(pair, 2, NULL, 0, &error);
        VmcFeatureSet s1, s2;
        g_assert_nonnull(r1);
        g_assert_nonnull(r2);
        g_assert_cmpstr(vmc_cpu_def_get_model(r1), ==, vmc_cpu_def_get_model(r2));
        def_meaning(r1, &s1);
        def_meaning(r2, &s2);
        g_assert_true(vmc_feature_set_equal(&s1, &s2));
    }
    /* allowed_models restricts the chosen definition. */
    {
        const char *const allowed[] = { "z13-base", NULL };
        VmcCpuDef *single[] = { one };
        self = vmc_cpu_baseline(single, 1, allowed, 0, &error);
        VMC_ASSERT_OK(self != NULL, error);
        g_assert_cmpstr(vmc_cpu_def_get_model(self), ==, "z13-base");
    }
}

/* Static and full expansions mean the same features; expanding an
 * expansion changes nothing. */
static void
test_properties_expansion(void)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) defs = all_models(TRUE);

    for (guint i = 0; i < defs->len; i++) {
        VmcCpuDef *d = g_ptr_array_index(defs, i);
        g_autoptr(VmcCpuDef) st = vmc_cpu_expand(d, VMC_EXPANSION_STATIC, NULL, &error);
        g_autoptr(VmcCpuDef) fu = vmc_cpu_expand(d, VMC_EXPANSION_FULL, NULL, &error);
        g_autoptr(VmcCpuDef) st2 = NULL;
        VmcFeatureSet eff, s1, s2, s3;

        VMC_ASSERT_OK(st && fu, error);
        g_assert_cmpuint(vmc_cpu_def_get_feature_count(fu), ==,
                         vmc_catalog_feature_count(vmc_test_catalog(), ARCH));
        VMC_ASSERT_OK(vmc_cpu_effective_features(d, &eff, &error), error);
        def_meaning(st, &s1);
        def_meaning(fu, &s2);
        g_assert_true(vmc_feature_set_equal(&eff, &s1));
        g_assert_true(vmc_feature_set_equal(&eff, &s2));
        st2 = vmc_cpu_expand(st, VMC_EXPANSION_STATIC, NULL, &error);
        VMC_ASSERT_OK(st2 != NULL, error);
        def_meaning(st2, &s3);
        g_assert_cmpstr(vmc_cpu_def_get_model(st2), ==, vmc_cpu_def_get_model(st));
        g_assert_cmpuint(vmc_cpu_def_get_feature_count(st2), ==,
                         vmc_cpu_def_get_feature_count(st));
        g_assert_true(vmc_feature_set_equal(&s1, &s3));
    }
}

static void
test_summary(void)
{
    g_test_message("QEMU 7.2 captures: %u answers agree, %u refusals agree, %u skipped",
                   ctx.agree, ctx.errors_agree, ctx.skipped);
    g_assert_cmpuint(ctx.agree, >, 0);
}

/* ---- setup ---------------------------------------------------------------- */

/* QEMU 7.2's features (from `-cpu help`) as catalog ids. */
static gboolean
load_known72(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "..", "s390x-cpu-help.txt", NULL);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    gboolean in_flags = FALSE;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return FALSE;
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        g_auto(GStrv) w = NULL;
        const VmcFeature *f;
        if (g_str_has_prefix(*l, "Recognized feature flags:")) {
            in_flags = TRUE;
            continue;
        }
        if (g_str_has_prefix(*l, "Recognized feature groups:"))
            break;
        if (!in_flags || !**l)
            continue;
        w = g_strsplit_set(*l, " \t", 2);
        f = vmc_catalog_feature_lookup(vmc_test_catalog(), ARCH, w[0]);
        if (!f)
            g_error("QEMU 7.2 feature '%s' is not in the catalog", w[0]);
        vmc_feature_set_add(&ctx.known72, vmc_feature_get_id(f));
    }
    return !vmc_feature_set_is_empty(&ctx.known72);
}

static gboolean
load_models72(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "query-cpu-definitions.json", NULL);
    g_autoptr(json_object) root = read_json(path);
    json_object *list = jget(jget(root, "response"), "return");

    ctx.models72 = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (gsize i = 0; list && i < json_object_array_length(list); i++) {
        json_object *e = json_object_array_get_idx(list, i);
        g_hash_table_add(ctx.models72, g_strdup(json_object_get_string(jget(e, "name"))));
    }
    return g_hash_table_size(ctx.models72) > 0;
}

static gboolean
load_max72(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "query-cpu-model-expansion-full-max.json",
                                             NULL);
    g_autoptr(json_object) root = read_json(path);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) def = NULL;
    json_object *model = jget(jget(jget(root, "response"), "return"), "model");

    if (!model)
        return FALSE;
    def = vmc_cpu_def_parse_qmp(vmc_test_catalog(), ARCH,
                                json_object_to_json_string(model), -1, path, &error);
    if (!def)
        g_error("%s", error->message);
    ctx.max72 = host_copy(def);
    return TRUE;
}

static gint
cmp_strptr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

int
main(int argc, char **argv)
{
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    g_test_init(&argc, &argv, NULL);
    ctx.dir = vmc_test_shared_path("data", "qemu-qmp", "s390x-tcg", NULL);

    g_test_add_func("/s390x-qemu/seed000/model-vs-model", test_seed000_model_vs_model);
    g_test_add_func("/s390x-qemu/seed000/host-vs-model", test_seed000_host_vs_model);
    g_test_add_func("/s390x-qemu/deprecated-props", test_deprecated_props);
    g_test_add_func("/s390x-qemu/generation-only", test_generation_only);
    g_test_add_func("/s390x-qemu/errors", test_errors);
    g_test_add_func("/s390x-qemu/property/pairs", test_properties_pairs);
    g_test_add_func("/s390x-qemu/property/nway-baseline", test_properties_nway);
    g_test_add_func("/s390x-qemu/property/expansion", test_properties_expansion);

    d = g_dir_open(ctx.dir, 0, NULL);
    if (d && load_known72(ctx.dir) && load_models72(ctx.dir) && load_max72(ctx.dir)) {
        while ((name = g_dir_read_name(d))) {
            if (g_str_has_prefix(name, "query-cpu-model-") && g_str_has_suffix(name, ".json"))
                g_ptr_array_add(files, g_build_filename(ctx.dir, name, NULL));
        }
        g_ptr_array_sort(files, cmp_strptr);
    } else {
        g_printerr("# no QEMU 7.2 s390x captures under %s: capture tests not run\n", ctx.dir);
    }
    for (guint i = 0; i < files->len; i++) {
        const char *p = g_ptr_array_index(files, i);
        g_autofree char *base = g_path_get_basename(p);
        g_autofree char *tpath = NULL;
        base[strlen(base) - 5] = '\0';
        tpath = g_strdup_printf("/s390x-qemu/capture/%s", base);
        g_test_add_data_func(tpath, p, test_capture);
    }
    if (files->len)
        g_test_add_func("/s390x-qemu/capture/~summary", test_summary);
    return g_test_run();
}
