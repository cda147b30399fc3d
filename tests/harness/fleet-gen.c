/* fleet-gen.c: generated fleets (fleet-gen.h). Each scenario document is
 * serialised once, member by member (arrays element by element); a line is
 * assembled from those texts. */
#include "fleet-gen.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define GEN_DOCS 7
#define GEN_CAPS 10

/* A JSON object's members as texts; arrays also element by element. */
typedef struct {
    char *key;                        /* "\"name\":" */
    char *text;                       /* the value */
    GPtrArray *elems;                 /* array values: element texts; NULL otherwise */
} GenMember;

typedef struct {
    GArray *members;                  /* GenMember */
    guint kx, ky;                     /* the kernel's X.Y */
    char *caps[GEN_CAPS + 1];         /* "capabilities" texts: as is, then one flipped */
    json_object *qemu, *cpu;          /* for the distinct variant */
} GenDoc;

struct _VmcTestFleetGen {
    VmcTestFleetFlags flags;
    GenDoc docs[GEN_DOCS];
};

static const char *const gen_scenario[GEN_DOCS] = {
    "cascadelake-noble", "cascadelake-noble-tsx-off", "jammy-qemu-8.2", "opteron-jammy",
    "opteron-qemu-5.1", "skylake-jammy", "skylake-noble-mpx-off",
};

static char *
gen_text(json_object *o)
{
    return g_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
}

static void
gen_member_clear(gpointer p)
{
    GenMember *m = p;
    g_free(m->key);
    g_free(m->text);
    if (m->elems)
        g_ptr_array_unref(m->elems);
}

static GArray *
gen_members(json_object *obj)
{
    GArray *members = g_array_new(FALSE, TRUE, sizeof(GenMember));

    g_array_set_clear_func(members, gen_member_clear);
    json_object_object_foreach(obj, key, val) {
        GenMember m = { 0 };
        json_object *k = json_object_new_string(key);
        m.key = g_strdup_printf("%s:", json_object_to_json_string_ext(k, JSON_C_TO_STRING_PLAIN));
        json_object_put(k);
        m.text = gen_text(val);
        if (json_object_is_type(val, json_type_array)) {
            m.elems = g_ptr_array_new_with_free_func(g_free);
            for (size_t i = 0; i < json_object_array_length(val); i++)
                g_ptr_array_add(m.elems, gen_text(json_object_array_get_idx(val, i)));
        }
        g_array_append_val(members, m);
    }
    return members;
}

static gboolean
gen_doc_init(GenDoc *d, const char *name, GError **error)
{
    g_autofree char *file = g_strdup_printf("%s.json", name);
    g_autofree char *path = vmc_test_source_path("tests", "data", "hosts", "scenario", file, NULL);
    g_autofree char *text = NULL;
    json_object *doc, *caps = NULL, *v;
    guint c = 0;

    if (!g_file_get_contents(path, &text, NULL, error))
        return FALSE;
    if (!(doc = json_tokener_parse(text))) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not JSON", path);
        return FALSE;
    }
    if (!json_object_object_get_ex(doc, "kernel", &v) ||
        sscanf(json_object_get_string(v), "%u.%u", &d->kx, &d->ky) != 2 ||
        !json_object_object_get_ex(doc, "capabilities", &caps)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no kernel X.Y or capabilities", path);
        json_object_put(doc);
        return FALSE;
    }
    d->caps[0] = gen_text(caps);
    json_object_object_foreach(caps, key, val) {
        json_object *copy = NULL;
        if (++c > GEN_CAPS)
            break;
        json_object_deep_copy(caps, &copy, NULL);
        json_object_object_add(copy, key, json_object_new_string(
            g_str_equal(json_object_get_string(val), "yes") ? "no" : "yes"));
        d->caps[c] = gen_text(copy);
        json_object_put(copy);
    }
    for (; c < GEN_CAPS; c++)
        d->caps[c + 1] = g_strdup(d->caps[0]);
    json_object_object_get_ex(doc, "qemu", &v);
    d->qemu = json_object_get(v);
    json_object_object_get_ex(doc, "cpu", &v);
    d->cpu = json_object_get(v);
    /* the rest, as it is */
    json_object_object_del(doc, "name");
    json_object_object_del(doc, "kernel");
    json_object_object_del(doc, "capabilities");
    d->members = gen_members(doc);
    json_object_put(doc);
    return TRUE;
}

VmcTestFleetGen *
vmc_test_fleet_gen_new(VmcTestFleetFlags flags, GError **error)
{
    g_autoptr(VmcTestFleetGen) gen = g_new0(VmcTestFleetGen, 1);

    gen->flags = flags;
    for (guint i = 0; i < GEN_DOCS; i++)
        if (!gen_doc_init(&gen->docs[i], gen_scenario[i], error))
            return NULL;
    return g_steal_pointer(&gen);
}

void
vmc_test_fleet_gen_free(VmcTestFleetGen *gen)
{
    if (!gen)
        return;
    for (guint i = 0; i < GEN_DOCS; i++) {
        GenDoc *d = &gen->docs[i];
        if (d->members)
            g_array_unref(d->members);
        for (guint c = 0; c <= GEN_CAPS; c++)
            g_free(d->caps[c]);
        json_object_put(d->qemu);
        json_object_put(d->cpu);
    }
    g_free(gen);
}

/* @obj with its arrays rotated by @rot, @pad spaces after '{', and
 * "binary" (if any) suffixed with @suffix: the same meaning, other bytes. */
static void
gen_distinct(GString *out, json_object *obj, guint rot, guint pad, const char *suffix)
{
    gboolean first = TRUE;

    g_string_append_c(out, '{');
    for (guint i = 0; i < pad; i++)
        g_string_append_c(out, ' ');
    json_object_object_foreach(obj, key, val) {
        json_object *k = json_object_new_string(key);
        g_string_append_printf(out, "%s%s:", first ? "" : ",",
                               json_object_to_json_string_ext(k, JSON_C_TO_STRING_PLAIN));
        json_object_put(k);
        first = FALSE;
        if (json_object_is_type(val, json_type_array) && json_object_array_length(val) > 0) {
            size_t n = json_object_array_length(val);
            g_string_append_c(out, '[');
            for (size_t e = 0; e < n; e++)
                g_string_append_printf(out, "%s%s", e ? "," : "",
                                       json_object_to_json_string_ext(
                                           json_object_array_get_idx(val, (e + rot) % n),
                                           JSON_C_TO_STRING_PLAIN));
            g_string_append_c(out, ']');
        } else if (suffix && g_str_equal(key, "binary")) {
            g_string_append_printf(out, "\"%s%s\"", json_object_get_string(val), suffix);
        } else {
            g_string_append(out, json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
        }
    }
    g_string_append_c(out, '}');
}

void
vmc_test_fleet_gen_line(VmcTestFleetGen *gen, guint i, GString *out)
{
    GenDoc *d = &gen->docs[i % GEN_DOCS];

    g_string_append_printf(out, "{\"name\":\"h%07u\",\"kernel\":\"%u.%u.%u-%u-generic\","
                           "\"cluster\":\"c%u\",\"labels\":{\"rack\":\"r%u\",\"zone\":\"z%u\"},"
                           "\"capabilities\":%s",
                           i, d->kx, d->ky, i % 9, 100 + i % 61, i % 20, i % 40, i % 3,
                           d->caps[(i / GEN_DOCS) % (GEN_CAPS + 1)]);
    for (guint m = 0; m < d->members->len; m++) {
        const GenMember *mem = &g_array_index(d->members, GenMember, m);
        g_string_append_c(out, ',');
        g_string_append(out, mem->key);
        if ((gen->flags & VMC_TEST_FLEET_DISTINCT) && g_str_equal(mem->key, "\"qemu\":")) {
            g_autofree char *suffix = g_strdup_printf("-%u", i);
            gen_distinct(out, d->qemu, i, 0, suffix);
        } else if ((gen->flags & VMC_TEST_FLEET_DISTINCT) && g_str_equal(mem->key, "\"cpu\":")) {
            gen_distinct(out, d->cpu, i / GEN_DOCS, i % 17, NULL);
        } else {
            g_string_append(out, mem->text);
        }
    }
    g_string_append_c(out, '}');
}

gboolean
vmc_test_fleet_gen_write(VmcTestFleetGen *gen, const char *path, guint first, guint n,
                         guint64 *ret_bytes, GError **error)
{
    g_autoptr(GString) buf = g_string_sized_new(4 << 20);
    FILE *f = fopen(path, "we");
    guint64 bytes = 0;

    if (!f) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s", path, g_strerror(e));
        return FALSE;
    }
    for (guint i = first; i < first + n; i++) {
        vmc_test_fleet_gen_line(gen, i, buf);
        g_string_append_c(buf, '\n');
        if (buf->len > (3 << 20) || i + 1 == first + n) {
            if (fwrite(buf->str, 1, buf->len, f) != buf->len)
                break;
            bytes += buf->len;
            g_string_truncate(buf, 0);
        }
    }
    if (fclose(f) != 0 || buf->len) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: write failed", path);
        return FALSE;
    }
    if (ret_bytes)
        *ret_bytes = bytes;
    return TRUE;
}
