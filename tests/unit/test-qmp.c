/* test-qmp.c: the QMP command set (VmcQmp) in-process, without a socket.
 *
 * /qmp/schema        the embedded schema loads; every command it declares
 *                    has its types in query-qmp-schema and is listed by
 *                    query-commands, in schema order
 * /qmp/arguments     argument checks word their errors as QEMU 7.2 does
 *                    (the expected texts are QEMU's own answers to the same
 *                    requests, see tests/data/daemon/ for the wire side)
 * /qmp/answers       answers equal the library's own answers in QMP shape
 *                    (comparison, expansion, baseline): the command set
 *                    decides nothing itself
 * /qmp/check-returns every inline command's answer fits its declared type
 * /qmp/threads       one command set answers from four threads at once, the
 *                    same as from one
 */
#include "harness/harness.h"

#include <string.h>

#include <vmcompat/qmp.h>

static VmcQmp *
new_qmp(gboolean check_returns)
{
    g_autoptr(GError) error = NULL;
    VmcQmpOptions o = { .version = VMC_QMP_OPTIONS_VERSION,
                        .default_arch = VMC_ARCH_S390X, .check_returns = check_returns };
    VmcQmp *qmp = vmc_qmp_new(vmc_test_catalog(), &o, &error);

    g_assert_no_error(error);
    return qmp;
}

static json_object *
jget(json_object *o, const char *k)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static void
test_schema(void)
{
    g_autoptr(VmcQmp) qmp = new_qmp(TRUE);
    g_autoptr(GError) error = NULL;
    g_autoptr(json_object) schema = vmc_qmp_execute(qmp, "query-qmp-schema", NULL, &error);
    g_autoptr(json_object) cmds = vmc_qmp_execute(qmp, "query-commands", NULL, &error);
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    guint n_commands = 0;

    g_assert_no_error(error);
    g_assert_nonnull(schema);
    for (gsize i = 0; i < json_object_array_length(schema); i++) {
        json_object *e = json_object_array_get_idx(schema, i);
        g_hash_table_add(names, (gpointer) json_object_get_string(jget(e, "name")));
    }
    for (gsize i = 0; i < json_object_array_length(schema); i++) {
        json_object *e = json_object_array_get_idx(schema, i);
        const char *meta = json_object_get_string(jget(e, "meta-type"));
        if (g_str_equal(meta, "command")) {
            const char *name = json_object_get_string(jget(e, "name"));
            g_assert_true(g_hash_table_contains(names, json_object_get_string(jget(e, "arg-type"))));
            g_assert_true(g_hash_table_contains(names, json_object_get_string(jget(e, "ret-type"))));
            g_assert_cmpstr(name, ==, json_object_get_string(
                                          jget(json_object_array_get_idx(cmds, n_commands), "name")));
            g_assert_nonnull(vmc_qmp_lookup(qmp, name));
            n_commands++;
        } else if (g_str_equal(meta, "array")) {
            g_assert_true(g_hash_table_contains(names,
                                                json_object_get_string(jget(e, "element-type"))));
        } else if (g_str_equal(meta, "object") || g_str_equal(meta, "alternate")) {
            json_object *m = jget(e, "members");
            for (gsize k = 0; k < json_object_array_length(m); k++)
                g_assert_true(g_hash_table_contains(
                    names, json_object_get_string(jget(json_object_array_get_idx(m, k), "type"))));
        }
    }
    g_assert_cmpuint(n_commands, ==, json_object_array_length(cmds));
    g_assert_cmpuint(n_commands, >=, 17);
    g_assert_null(vmc_qmp_lookup(qmp, "no-such-command"));
    g_assert_cmpint(vmc_qmp_command_get_run(vmc_qmp_lookup(qmp, "quit")), ==,
                    VMC_QMP_RUN_SESSION);
    g_assert_cmpint(vmc_qmp_command_get_run(vmc_qmp_lookup(qmp, "query-cpu-model-comparison")),
                    ==, VMC_QMP_RUN_INLINE);
}

static void
test_arguments(void)
{
    static const struct {
        const char *command, *args, *message;
    } cases[] = {
        /* QEMU 7.2's answers to the same arguments */
        { "query-cpu-model-comparison", "{\"modela\": {\"name\": \"z14\"}}",
          "Parameter 'modelb' is missing" },
        { "query-cpu-model-comparison",
          "{\"modela\": {\"name\": \"z14\"}, \"modelb\": {\"name\": 3}}",
          "Invalid parameter type for 'modelb.name', expected: string" },
        { "query-cpu-model-comparison",
          "{\"modela\": {\"name\": \"z14\"}, \"modelb\": {\"name\": \"z13\"}, \"x\": 1}",
          "Parameter 'x' is unexpected" },
        { "query-cpu-model-expansion", "{\"type\": \"bogus\", \"model\": {\"name\": \"z14\"}}",
          "Parameter 'type' does not accept value 'bogus'" },
        { "query-cpu-model-expansion", "{\"type\": \"static\", \"model\": \"z14\"}",
          "Invalid parameter type for 'model', expected: object" },
        { "query-commands", "{\"a\": 1}", "Parameter 'a' is unexpected" },
        /* ours */
        { "query-cpu-model-baseline", "{\"models\": [{\"name\": \"z14\"}, {\"nam\": \"z13\"}]}",
          "Parameter 'models[1].nam' is unexpected" },
        { "query-platforms", "{\"host\": 5}",
          "Invalid parameter type for 'host', expected: HostInput" },
        { "check-runnable", "{\"abi\": [], \"host\": \"x\"}",
          "Invalid parameter type for 'abi', expected: AbiInput" },
        { "query-machines", "{\"arch\": \"arm\"}", "Parameter 'arch' does not accept value 'arm'" },
        { "no-such-command", "{}", "The command no-such-command has not been found" },
        { "quit", "{}", "The command quit has not been found" },
    };
    g_autoptr(VmcQmp) qmp = new_qmp(TRUE);

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(json_object) args = json_tokener_parse(cases[i].args);
        g_autoptr(json_object) ret = vmc_qmp_execute(qmp, cases[i].command, args, &error);

        g_assert_null(ret);
        g_assert_nonnull(error);
        g_assert_cmpstr(error->message, ==, cases[i].message);
    }
}

/* The library's answer for "A B" -cpu strings, in QMP shape. */
static json_object *
library_comparison(const char *a, const char *b)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcCpuDef) da = vmc_cpu_def_parse_cli(vmc_test_catalog(), VMC_ARCH_N, a, &error);
    g_autoptr(VmcCpuDef) db = vmc_cpu_def_parse_cli(vmc_test_catalog(), VMC_ARCH_N, b, &error);
    g_autoptr(GPtrArray) resp = NULL;
    VmcCompareResult r;

    g_assert_no_error(error);
    g_assert_true(vmc_cpu_compare(da, db, &r, &resp, &error));
    return vmc_qmp_cpu_model_compare_info(r, resp);
}

static void
test_answers(void)
{
    g_autoptr(VmcQmp) qmp = new_qmp(TRUE);
    static const char *const pairs[][4] = {
        { "z14,csske=off", "z14", "{\"name\": \"z14\", \"props\": {\"csske\": false}}",
          "{\"name\": \"z14\"}" },
        { "z13", "gen15a", "{\"name\": \"z13\"}", "{\"name\": \"gen15a\"}" },
        { "Skylake-Client-v4", "Cascadelake-Server-v1", "{\"name\": \"Skylake-Client-v4\"}",
          "{\"name\": \"Cascadelake-Server-v1\"}" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(pairs); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *text = g_strdup_printf("{\"modela\": %s, \"modelb\": %s}",
                                                pairs[i][2], pairs[i][3]);
        g_autoptr(json_object) args = json_tokener_parse(text);
        g_autoptr(json_object) ret = vmc_qmp_execute(qmp, "query-cpu-model-comparison", args,
                                                     &error);
        g_autoptr(json_object) want = library_comparison(pairs[i][0], pairs[i][1]);

        g_assert_no_error(error);
        g_assert_true(json_object_equal(ret, want));
    }
    {
        /* Expansion and baseline: the same CPU as the library's. */
        g_autoptr(GError) error = NULL;
        g_autoptr(VmcCpuDef) z14 = vmc_cpu_def_parse_cli(vmc_test_catalog(), VMC_ARCH_S390X,
                                                         "z14", &error);
        g_autoptr(VmcCpuDef) z13 = vmc_cpu_def_parse_cli(vmc_test_catalog(), VMC_ARCH_S390X,
                                                         "z13,vx=off", &error);
        VmcCpuDef *both[] = { z14, z13 };
        g_autoptr(VmcCpuDef) exp = vmc_cpu_expand(z14, VMC_EXPANSION_STATIC, NULL, &error);
        g_autoptr(VmcCpuDef) base = vmc_cpu_baseline(both, 2, NULL, VMC_BASELINE_DEFAULT, &error);
        g_autoptr(json_object) a1 = json_tokener_parse(
            "{\"type\": \"static\", \"model\": {\"name\": \"z14\"}}");
        g_autoptr(json_object) a2 = json_tokener_parse(
            "{\"models\": [{\"name\": \"z14\"}, {\"name\": \"z13\", \"props\": {\"vx\": false}}]}");
        g_autoptr(json_object) r1 = vmc_qmp_execute(qmp, "query-cpu-model-expansion", a1, &error);
        g_autoptr(json_object) r2 = vmc_qmp_execute(qmp, "query-cpu-model-baseline", a2, &error);
        g_autoptr(json_object) w1 = NULL;
        g_autoptr(json_object) w2 = NULL;

        g_assert_no_error(error);
        w1 = vmc_qmp_cpu_model_expansion_info(exp, NULL);
        w2 = vmc_qmp_cpu_model_baseline_info(base);
        g_assert_true(json_object_equal(jget(r1, "model"), jget(w1, "model")));
        g_assert_true(json_object_equal(r2, w2));
    }
}

static void
test_check_returns(void)
{
    static const char *const inline_cmds[][2] = {
        { "query-commands", NULL },
        { "query-qmp-schema", NULL },
        { "query-cpu-definitions", "{\"arch\": \"s390x\"}" },
        { "query-cpu-definitions", "{\"arch\": \"x86_64\", \"accel\": \"kvm\"}" },
        { "query-cpu-model-deprecated-features", NULL },
        { "query-machines", NULL },
        { "query-machines", "{\"arch\": \"s390x\", \"release\": \"qemu-7.2\"}" },
        { "query-cpu-model-expansion", "{\"type\": \"full\", \"model\": {\"name\": \"gen16a\"}}" },
    };
    g_autoptr(VmcQmp) qmp = new_qmp(TRUE);

    for (gsize i = 0; i < G_N_ELEMENTS(inline_cmds); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(json_object) args = inline_cmds[i][1] ? json_tokener_parse(inline_cmds[i][1])
                                                        : NULL;
        g_autoptr(json_object) ret = vmc_qmp_execute(qmp, inline_cmds[i][0], args, &error);

        if (error)
            g_test_message("%s: %s", inline_cmds[i][0], error->message);
        g_assert_no_error(error);
        g_assert_nonnull(ret);
    }
}

typedef struct {
    VmcQmp *qmp;
    const char *expected;
    guint mismatches;
} ThreadCase;

static gpointer
thread_run(gpointer data)
{
    ThreadCase *tc = data;

    for (guint i = 0; i < 300; i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(json_object) args = json_tokener_parse(
            "{\"modela\": {\"name\": \"gen15a\"}, \"modelb\": {\"name\": \"z14\", "
            "\"props\": {\"vx\": false}}}");
        g_autoptr(json_object) ret = vmc_qmp_execute(tc->qmp, "query-cpu-model-comparison", args,
                                                     &error);
        if (!ret || !g_str_equal(json_object_to_json_string(ret), tc->expected))
            tc->mismatches++;
    }
    return NULL;
}

static void
test_threads(void)
{
    g_autoptr(VmcQmp) qmp = new_qmp(FALSE);
    g_autoptr(GError) error = NULL;
    g_autoptr(json_object) args = json_tokener_parse(
        "{\"modela\": {\"name\": \"gen15a\"}, \"modelb\": {\"name\": \"z14\", "
        "\"props\": {\"vx\": false}}}");
    g_autoptr(json_object) once = vmc_qmp_execute(qmp, "query-cpu-model-comparison", args, &error);
    g_autofree char *expected = NULL;
    ThreadCase tc[4];
    GThread *t[4];

    g_assert_no_error(error);
    /* A copy: json-c rewrites an object's string each time it is asked. */
    expected = g_strdup(json_object_to_json_string(once));
    for (guint i = 0; i < 4; i++) {
        tc[i] = (ThreadCase) { qmp, expected, 0 };
        t[i] = g_thread_new("qmp", thread_run, &tc[i]);
    }
    for (guint i = 0; i < 4; i++) {
        g_thread_join(t[i]);
        g_assert_cmpuint(tc[i].mismatches, ==, 0);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/schema", test_schema);
    g_test_add_func("/qmp/arguments", test_arguments);
    g_test_add_func("/qmp/answers", test_answers);
    g_test_add_func("/qmp/check-returns", test_check_returns);
    g_test_add_func("/qmp/threads", test_threads);
    return g_test_run();
}
