/* verdict.c: answers with typed reasons. */
#include <json-c/json.h>

#include <vmcompat/verdict.h>

struct _VmcVerdict {
    gint refs;
    GArray *reasons;   /* VmcReason */
};

static void
vmc_reason_clear(gpointer p)
{
    VmcReason *r = p;
    g_free(r->kind);
    g_free(r->subject);
    g_free(r->message);
}

VmcVerdict *
vmc_verdict_new(void)
{
    VmcVerdict *v = g_new0(VmcVerdict, 1);
    v->refs = 1;
    v->reasons = g_array_new(FALSE, TRUE, sizeof(VmcReason));
    g_array_set_clear_func(v->reasons, vmc_reason_clear);
    return v;
}

VmcVerdict *
vmc_verdict_ref(VmcVerdict *v)
{
    g_atomic_int_inc(&v->refs);
    return v;
}

void
vmc_verdict_unref(VmcVerdict *v)
{
    if (!v || !g_atomic_int_dec_and_test(&v->refs))
        return;
    g_array_unref(v->reasons);
    g_free(v);
}

void
vmc_verdict_add(VmcVerdict *v, VmcSeverity severity, const char *kind,
                const char *subject, const char *fmt, ...)
{
    VmcReason r = { .severity = severity, .kind = g_strdup(kind), .subject = g_strdup(subject) };
    va_list ap;

    va_start(ap, fmt);
    r.message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_array_append_val(v->reasons, r);
}

gboolean
vmc_verdict_ok(const VmcVerdict *v)
{
    return vmc_verdict_first_error(v) == NULL;
}

guint vmc_verdict_count(const VmcVerdict *v) { return v->reasons->len; }

const VmcReason *
vmc_verdict_get(const VmcVerdict *v, guint idx)
{
    g_return_val_if_fail(idx < v->reasons->len, NULL);
    return &g_array_index(v->reasons, VmcReason, idx);
}

const VmcReason *
vmc_verdict_first_error(const VmcVerdict *v)
{
    for (guint i = 0; i < v->reasons->len; i++)
        if (g_array_index(v->reasons, VmcReason, i).severity == VMC_SEVERITY_ERROR)
            return &g_array_index(v->reasons, VmcReason, i);
    return NULL;
}

const char *
vmc_severity_to_string(VmcSeverity s)
{
    static const char *const names[] = { "error", "warning", "note" };
    return (guint) s < G_N_ELEMENTS(names) ? names[s] : "unknown";
}

char *
vmc_verdict_to_json(const VmcVerdict *v)
{
    json_object *root = json_object_new_object();
    json_object *list = json_object_new_array();
    char *out;

    json_object_object_add(root, "ok", json_object_new_boolean(vmc_verdict_ok(v)));
    for (guint i = 0; i < v->reasons->len; i++) {
        const VmcReason *r = &g_array_index(v->reasons, VmcReason, i);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "severity", json_object_new_string(vmc_severity_to_string(r->severity)));
        json_object_object_add(o, "kind", json_object_new_string(r->kind));
        json_object_object_add(o, "subject", r->subject ? json_object_new_string(r->subject) : NULL);
        json_object_object_add(o, "message", json_object_new_string(r->message));
        json_object_array_add(list, o);
    }
    json_object_object_add(root, "reasons", list);
    out = g_strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                  JSON_C_TO_STRING_SPACED |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
    return out;
}
