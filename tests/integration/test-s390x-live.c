/* test-s390x-live.c: the s390x CPU driver against a live QEMU.
 *
 * When qemu-system-s390x is on PATH, one QEMU is started (TCG, -machine
 * none, -S, QMP on a UNIX socket in a temporary directory) and asked
 * query-cpu-model-expansion (static and full), -comparison and -baseline
 * for a set of models and every ordered pair of them; vmcompat answers the
 * same requests and the replies are compared by meaning
 * (vmc_qmp_replies_agree: model name + features with groups expanded;
 * result + responsible set; refusal ↔ refusal). N-way baselines are
 * checked against QEMU's pairwise baseline chained the way libvirt chains
 * it (the previous answer becomes modela).
 *
 * Versions: the installed QEMU may be older than the catalog (QEMU 11).
 * Feature sets are compared on the features the live QEMU knows (the
 * boolean properties of its max-s390x-cpu type that are catalog features),
 * and models it does not list in query-cpu-definitions are left out.
 * "max"/"qemu" are accelerator models: vmcompat reads them as QEMU's own
 * full expansion of "max" (a host-type CPU), asked from the same QEMU.
 *
 * vmcompatd: the same client code (vmc__qmp_client_request) sends every
 * request, unchanged, to a vmcompatd started for the test as well; its
 * reply must agree with QEMU's (by meaning, on the features QEMU knows) and
 * with vmcompat's in-process answer (by meaning, on every feature). "max"
 * and "qemu" are left out there: they are the running QEMU's own CPU, which
 * a daemon without an accelerator does not have. N-way baselines go to the
 * daemon in one request ("models": [...]) and must agree with QEMU's chain.
 *
 * Without qemu-system-s390x every test is skipped with a message. QEMU is
 * killed at the end, also when a test fails (assertions are non-fatal; an
 * abort kills it through PR_SET_PDEATHSIG, see qmp-client.c).
 */
#include "harness/harness.h"
#include "harness/daemon.h"
#include "harness/qmp-agree.h"

#include <string.h>

#define ARCH VMC_ARCH_S390X
#define QEMU_BINARY "qemu-system-s390x"

/* Model specs as -cpu strings; the live QEMU and vmcompat get the same
 * CpuModelInfo for each. */
static const char *const model_specs[] = {
    "z900", "z900.2", "z900.3", "z800", "z990.5", "z9EC", "z10BC.2",
    "z196", "zEC12.2", "z13", "z13-base", "z13s", "z13.2-base", "z14",
    "z14-base", "z14ZR1", "z14.2", "gen15a", "gen15b-base", "gen16a",
    "z14,csske=off", "z13,vx=off", "z14,msa8=off", "gen15a,csske=on",
    "max", "qemu",
    /* refused by both */
    "host", "no-such-model", "z13,vxeh=on", "z13,no-such-prop=on",
};

/* Chains for the N-way baseline. */
static const char *const *const chains[] = {
    (const char *const[]) { "z14", "gen15a", "z13,vx=off", NULL },
    (const char *const[]) { "gen15a", "z14", "z196", "zEC12.2", NULL },
    (const char *const[]) { "max", "z14", "gen16a", NULL },
    (const char *const[]) { "z13s", "z13.2-base", "z14ZR1", NULL },
    (const char *const[]) { "gen16a", "gen15b-base", "z14,csske=off", "z14.2", NULL },
    (const char *const[]) { "z14", NULL },
    (const char *const[]) { "z800", "z900.3", "z990.5", NULL },
};

typedef struct {
    VmcQmpClient *qemu;        /* NULL when QEMU is absent or failed */
    char *why_not;             /* skip message when absent */
    VmcFeatureSet known;       /* catalog features the live QEMU knows */
    GHashTable *models;        /* model names the live QEMU knows */
    VmcCpuDef *max;            /* stand-in for "max"/"qemu" */
    guint agree, refusals, left_out;
    VmcTestDaemon *vmcd;       /* vmcompatd asked the same requests */
    VmcQmpClient *vmcd_client;
    guint daemon_agree, daemon_refusals;
} Live;

static Live live;

static json_object *
jget(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* "z14,csske=off,vx=on" → {"name": "z14", "props": {"csske": false, ...}}. */
static json_object *
info_from_spec(const char *spec)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    json_object *info = json_object_new_object();
    json_object *props = NULL;

    json_object_object_add(info, "name", json_object_new_string(parts[0]));
    for (char **p = parts + 1; *p; p++) {
        g_auto(GStrv) kv = g_strsplit(*p, "=", 2);
        if (!props)
            props = json_object_new_object();
        json_object_object_add(props, kv[0],
                               json_object_new_boolean(kv[1] && g_str_equal(kv[1], "on")));
    }
    if (props)
        json_object_object_add(info, "props", props);
    return info;
}

/* A catalog model the live QEMU does not know (→ leave the request out). */
static gboolean
newer_than_qemu(json_object *info)
{
    const char *name = json_object_get_string(jget(info, "name"));
    return !g_hash_table_contains(live.models, name) &&
           vmc_catalog_model_lookup(vmc_test_catalog(), ARCH, name) != NULL;
}

/* vmcompat's definition of a CpuModelInfo ("max"/"qemu": the stand-in). */
static VmcCpuDef *
def_from_info(json_object *info, GError **error)
{
    const char *name = json_object_get_string(jget(info, "name"));

    if (g_str_equal(name, "max") || g_str_equal(name, "qemu"))
        return vmc_cpu_def_ref(live.max);
    return vmc_cpu_def_parse_qmp(vmc_test_catalog(), ARCH,
                                 json_object_to_json_string_ext(info, JSON_C_TO_STRING_PLAIN),
                                 -1, "request", error);
}

/* vmcompat's reply to @req; baselines take all @infos (N-way). */
static json_object *
our_reply(json_object *req, json_object *const *infos, gsize n)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) defs = g_ptr_array_new_with_free_func(
        (GDestroyNotify) vmc_cpu_def_unref);
    g_autoptr(VmcCpuDef) result = NULL;
    const char *cmd = json_object_get_string(jget(req, "execute"));

    for (gsize i = 0; i < n; i++) {
        VmcCpuDef *d = def_from_info(infos[i], &error);
        if (!d)
            return vmc_qmp_reply_from_error(error);
        g_ptr_array_add(defs, d);
    }
    if (g_str_equal(cmd, "query-cpu-model-expansion")) {
        VmcExpansionType t = vmc_expansion_type_from_string(
            json_object_get_string(jget(jget(req, "arguments"), "type")));
        result = vmc_cpu_expand(g_ptr_array_index(defs, 0), t, NULL, &error);
    } else if (g_str_equal(cmd, "query-cpu-model-comparison")) {
        g_autoptr(GPtrArray) resp = NULL;
        VmcCompareResult r;
        if (!vmc_cpu_compare(g_ptr_array_index(defs, 0), g_ptr_array_index(defs, 1), &r,
                             &resp, &error))
            return vmc_qmp_reply_from_error(error);
        return vmc_qmp_reply_from_comparison(r, resp);
    } else {
        result = vmc_cpu_baseline((VmcCpuDef *const *) defs->pdata, defs->len, NULL,
                                  VMC_BASELINE_DEFAULT, &error);
    }
    return result ? vmc_qmp_reply_from_def(result) : vmc_qmp_reply_from_error(error);
}

/* Ask QEMU; a transport failure fails the test (NULL). */
static json_object *
qemu_reply(json_object *req)
{
    g_autoptr(GError) error = NULL;
    json_object *r = vmc__qmp_client_request(live.qemu, req, &error);
    if (!r) {
        g_test_message("QMP request %s failed: %s",
                       json_object_to_json_string(req), error->message);
        g_test_fail();
    }
    return r;
}

/* Does @req name the accelerator's own CPUs ("max", "qemu")? */
static gboolean
names_accel_model(json_object *req)
{
    const char *text = json_object_to_json_string(jget(req, "arguments"));

    return strstr(text, "\"max\"") || strstr(text, "\"qemu\"");
}

/* Send @req to vmcompatd through the same client code as QEMU's, and
 * check its reply against QEMU's and against the in-process one. */
static gboolean
check_daemon(json_object *req, json_object *daemon_req, json_object *qemu, json_object *ours)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) diag = g_string_new(NULL);
    g_autoptr(json_object) d = NULL;

    if (!live.vmcd_client || names_accel_model(daemon_req ? daemon_req : req))
        return TRUE;
    d = vmc__qmp_client_request(live.vmcd_client, daemon_req ? daemon_req : req, &error);
    if (!d) {
        g_test_message("vmcompatd: %s", error->message);
        g_test_fail();
        return FALSE;
    }
    if (!vmc_qmp_replies_agree(vmc_test_catalog(), ARCH, req, qemu, d, &live.known, diag) ||
        !vmc_qmp_replies_agree(vmc_test_catalog(), ARCH, req, ours, d, NULL, diag)) {
        g_test_message("%s\n  QEMU: %.300s\n  vmcompatd: %.300s\n  in-process: %.300s\n%s",
                       json_object_to_json_string(daemon_req ? daemon_req : req),
                       json_object_to_json_string(qemu), json_object_to_json_string(d),
                       json_object_to_json_string(ours), diag->str);
        g_test_fail();
        return FALSE;
    }
    if (jget(d, "error"))
        live.daemon_refusals++;
    else
        live.daemon_agree++;
    return TRUE;
}

/* Compare QEMU's and our reply to @req; count, and explain differences.
 * vmcompatd is asked @daemon_req (NULL: @req itself). */
static gboolean
check(json_object *req, json_object *qemu, json_object *ours, json_object *daemon_req)
{
    g_autoptr(GString) diag = g_string_new(NULL);
    json_object *model = jget(jget(ours, "return"), "model");
    VmcFeatureSet s;

    if (!vmc_qmp_replies_agree(vmc_test_catalog(), ARCH, req, qemu, ours, &live.known, diag)) {
        g_test_message("%s\n  QEMU: %.300s\n  ours: %.300s\n%s",
                       json_object_to_json_string(req), json_object_to_json_string(qemu),
                       json_object_to_json_string(ours), diag->str);
        g_test_fail();
        return FALSE;
    }
    if (jget(qemu, "error"))
        live.refusals++;
    else
        live.agree++;
    check_daemon(req, daemon_req, qemu, ours);
    if (model && vmc_qmp_model_info_features(vmc_test_catalog(), ARCH, model, &s, NULL)) {
        vmc_feature_set_andnot(&s, &s, &live.known);
        live.left_out += vmc_feature_set_count(&s);
    }
    return TRUE;
}

static gboolean
skip_without_qemu(void)
{
    if (live.qemu)
        return FALSE;
    g_test_skip(live.why_not);
    return TRUE;
}

static json_object *
request(const char *cmd, json_object *args)
{
    json_object *req = json_object_new_object();
    json_object_object_add(req, "execute", json_object_new_string(cmd));
    json_object_object_add(req, "arguments", args);
    return req;
}

static void
test_expansion(void)
{
    static const char *const types[] = { "static", "full" };

    if (skip_without_qemu())
        return;
    for (gsize i = 0; i < G_N_ELEMENTS(model_specs); i++) {
        for (gsize t = 0; t < G_N_ELEMENTS(types); t++) {
            g_autoptr(json_object) info = info_from_spec(model_specs[i]);
            g_autoptr(json_object) args = json_object_new_object();
            g_autoptr(json_object) req = NULL;
            g_autoptr(json_object) q = NULL;
            g_autoptr(json_object) o = NULL;

            if (newer_than_qemu(info))
                continue;
            json_object_object_add(args, "type", json_object_new_string(types[t]));
            json_object_object_add(args, "model", json_object_get(info));
            req = request("query-cpu-model-expansion", json_object_get(args));
            if (!(q = qemu_reply(req)))
                return;
            o = our_reply(req, &info, 1);
            check(req, q, o, NULL);
        }
    }
}

/* Every ordered pair of model specs, for @cmd (comparison or baseline). */
static void
check_pairs(const char *cmd)
{
    for (gsize i = 0; i < G_N_ELEMENTS(model_specs); i++) {
        for (gsize j = 0; j < G_N_ELEMENTS(model_specs); j++) {
            json_object *infos[2] = { info_from_spec(model_specs[i]),
                                      info_from_spec(model_specs[j]) };
            g_autoptr(json_object) args = json_object_new_object();
            g_autoptr(json_object) req = NULL;
            g_autoptr(json_object) q = NULL;
            g_autoptr(json_object) o = NULL;

            if (!newer_than_qemu(infos[0]) && !newer_than_qemu(infos[1])) {
                json_object_object_add(args, "modela", json_object_get(infos[0]));
                json_object_object_add(args, "modelb", json_object_get(infos[1]));
                req = request(cmd, json_object_get(args));
                q = qemu_reply(req);
                if (q) {
                    o = our_reply(req, infos, 2);
                    check(req, q, o, NULL);
                }
            }
            json_object_put(infos[0]);
            json_object_put(infos[1]);
            if (!live.qemu)
                return;
        }
    }
}

static void
test_comparison(void)
{
    if (!skip_without_qemu())
        check_pairs("query-cpu-model-comparison");
}

static void
test_baseline(void)
{
    if (!skip_without_qemu())
        check_pairs("query-cpu-model-baseline");
}

static void
json_free(gpointer o)
{
    json_object_put(o);
}

/* N-way baseline vs QEMU's pairwise baseline chained: baseline(baseline(a,
 * b), c), ... — one CPU is baselined with itself. */
static void
test_baseline_nway(void)
{
    if (skip_without_qemu())
        return;
    for (gsize c = 0; c < G_N_ELEMENTS(chains); c++) {
        g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func(json_free);
        g_autoptr(json_object) acc = NULL;
        g_autoptr(json_object) last_req = NULL;
        g_autoptr(json_object) o = NULL;

        for (const char *const *s = chains[c]; *s; s++)
            g_ptr_array_add(infos, info_from_spec(*s));
        acc = json_object_get(g_ptr_array_index(infos, 0));
        for (guint i = infos->len == 1 ? 0 : 1; i < infos->len; i++) {
            g_autoptr(json_object) args = json_object_new_object();
            json_object *q;

            json_object_object_add(args, "modela",
                                   json_object_get(jget(acc, "model") ? jget(acc, "model")
                                                                      : acc));
            json_object_object_add(args, "modelb",
                                   json_object_get(g_ptr_array_index(infos, i)));
            g_clear_pointer(&last_req, json_object_put);
            last_req = request("query-cpu-model-baseline", json_object_get(args));
            if (!(q = qemu_reply(last_req)))
                return;
            json_object_put(acc);
            if (jget(q, "error")) {
                acc = q;
                break;
            }
            acc = json_object_get(jget(q, "return"));
            json_object_put(q);
        }
        /* acc is QEMU's last {"model": ...} (or its error reply). */
        {
            g_autoptr(json_object) qreply = json_object_new_object();
            if (jget(acc, "error"))
                json_object_object_add(qreply, "error", json_object_get(jget(acc, "error")));
            else
                json_object_object_add(qreply, "return", json_object_get(acc));
            g_autoptr(json_object) nway = json_object_new_object();
            g_autoptr(json_object) nway_args = json_object_new_object();
            g_autoptr(json_object) models = json_object_new_array();

            /* vmcompatd gets the whole chain in one request. */
            for (guint i = 0; i < infos->len; i++)
                json_object_array_add(models, json_object_get(g_ptr_array_index(infos, i)));
            json_object_object_add(nway_args, "models", json_object_get(models));
            json_object_object_add(nway, "execute", json_object_new_string("query-cpu-model-baseline"));
            json_object_object_add(nway, "arguments", json_object_get(nway_args));
            o = our_reply(last_req, (json_object *const *) infos->pdata, infos->len);
            if (!check(last_req, qreply, o, nway))
                g_test_message("chain %zu (%u CPUs) disagrees", c, infos->len);
        }
    }
}

static void
test_summary(void)
{
    if (skip_without_qemu())
        return;
    g_test_message("live QEMU: %u answers agree, %u refusals agree; %u catalog features newer than this QEMU left out of model answers",
                   live.agree, live.refusals, live.left_out);
    g_assert_cmpuint(live.agree, >, 0);
    g_test_message("vmcompatd over QMP: %u answers agree with QEMU and in-process vmcompat, %u refusals agree",
                   live.daemon_agree, live.daemon_refusals);
    g_assert_cmpuint(live.daemon_agree, >, 0);
}

/* ---- setup ---------------------------------------------------------------- */

static gboolean
live_setup(GError **error)
{
    static const char *const args[] = {
        "-machine", "none", "-accel", "tcg", "-nodefaults", "-nographic", "-S", NULL,
    };
    g_autoptr(json_object) props_args = json_object_new_object();
    g_autoptr(json_object) props = NULL;
    g_autoptr(json_object) defs = NULL;
    g_autoptr(json_object) maxreq = NULL;
    g_autoptr(json_object) maxrep = NULL;
    g_autoptr(VmcCpuDef) max = NULL;
    json_object *list, *model;

    live.qemu = vmc__qmp_client_spawn(QEMU_BINARY, args, 0, error);
    if (!live.qemu)
        return FALSE;
    /* The features this QEMU knows: its CPU type's boolean properties that
     * are catalog features (groups and QOM properties are not). */
    json_object_object_add(props_args, "typename", json_object_new_string("max-s390x-cpu"));
    props = vmc__qmp_client_execute(live.qemu, "qom-list-properties", props_args, error);
    if (!props)
        return FALSE;
    list = jget(props, "return");
    for (gsize i = 0; list && i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        const VmcFeature *f = vmc_catalog_feature_lookup(
            vmc_test_catalog(), ARCH, json_object_get_string(jget(p, "name")));
        if (f && g_strcmp0(json_object_get_string(jget(p, "type")), "bool") == 0)
            vmc_feature_set_add(&live.known, vmc_feature_get_id(f));
    }
    defs = vmc__qmp_client_execute(live.qemu, "query-cpu-definitions", NULL, error);
    if (!defs)
        return FALSE;
    live.models = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    list = jget(defs, "return");
    for (gsize i = 0; list && i < json_object_array_length(list); i++)
        g_hash_table_add(live.models, g_strdup(json_object_get_string(
                                          jget(json_object_array_get_idx(list, i), "name"))));
    /* "max"/"qemu": QEMU's own full expansion of "max", as a host CPU. */
    maxreq = json_tokener_parse("{\"execute\": \"query-cpu-model-expansion\", \"arguments\": "
                                "{\"type\": \"full\", \"model\": {\"name\": \"max\"}}}");
    maxrep = vmc__qmp_client_request(live.qemu, maxreq, error);
    if (!maxrep)
        return FALSE;
    model = jget(jget(maxrep, "return"), "model");
    if (!model) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_FAILED, "QEMU cannot expand 'max': %s",
                    json_object_to_json_string(maxrep));
        return FALSE;
    }
    max = vmc_cpu_def_parse_qmp(vmc_test_catalog(), ARCH, json_object_to_json_string(model),
                                -1, "max expansion", error);
    if (!max)
        return FALSE;
    live.max = vmc_cpu_def_new(vmc_test_catalog(), ARCH, VMC_CPU_TYPE_HOST);
    if (!vmc_cpu_def_set_model(live.max, vmc_cpu_def_get_model(max), error))
        return FALSE;
    for (guint i = 0; i < vmc_cpu_def_get_feature_count(max); i++) {
        VmcFeaturePolicy p;
        const VmcFeature *f = vmc_cpu_def_get_feature(max, i, &p);
        vmc_cpu_def_set_feature(live.max, vmc_feature_get_id(f), p);
    }
    g_test_message("live QEMU pid %d knows %u s390x features and %u CPU models",
                   (int) vmc__qmp_client_pid(live.qemu), vmc_feature_set_count(&live.known),
                   g_hash_table_size(live.models));
    /* vmcompatd, asked through the same client code; --arch s390x: requests
     * naming no model an arch knows ("host") are s390x ones, as for
     * qemu-system-s390x. */
    {
        const char *const extra[] = { "--arch", "s390x", "--no-osinfo", NULL };
        live.vmcd = vmc_test_daemon_start(extra, error);
    }
    if (!live.vmcd)
        return FALSE;
    live.vmcd_client = vmc__qmp_client_connect(vmc_test_daemon_socket(live.vmcd), 0, error);
    return live.vmcd_client != NULL;
}

static void
test_setup(void)
{
    g_autoptr(GError) error = NULL;

    if (live.why_not) {
        g_test_skip(live.why_not);
        return;
    }
    if (!live_setup(&error)) {
        g_test_message("cannot use %s: %s", QEMU_BINARY, error->message);
        g_clear_pointer(&live.qemu, vmc__qmp_client_free);
        live.why_not = g_strdup_printf("%s did not start (see /s390x-live/setup)", QEMU_BINARY);
        g_test_fail();
    }
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* Failures are reported, not aborted on, so QEMU is always stopped. */
    g_test_set_nonfatal_assertions();
    if (!vmc_test_have_program(QEMU_BINARY))
        live.why_not = g_strdup(QEMU_BINARY " is not on PATH: live QMP checks skipped");

    g_test_add_func("/s390x-live/setup", test_setup);
    g_test_add_func("/s390x-live/expansion", test_expansion);
    g_test_add_func("/s390x-live/comparison", test_comparison);
    g_test_add_func("/s390x-live/baseline", test_baseline);
    g_test_add_func("/s390x-live/baseline-nway", test_baseline_nway);
    g_test_add_func("/s390x-live/summary", test_summary);
    ret = g_test_run();

    g_clear_pointer(&live.qemu, vmc__qmp_client_free);
    g_clear_pointer(&live.vmcd_client, vmc__qmp_client_free);
    if (live.vmcd && !vmc_test_daemon_stop(live.vmcd, 20000, NULL)) {
        g_autofree char *log = vmc_test_daemon_log(live.vmcd);
        g_printerr("vmcompatd did not exit cleanly:\n%s\n", log);
        ret = 1;
    }
    g_clear_pointer(&live.vmcd, vmc_test_daemon_free);
    g_clear_pointer(&live.max, vmc_cpu_def_unref);
    g_clear_pointer(&live.models, g_hash_table_unref);
    g_free(live.why_not);
    return ret;
}
