/* policy.c: guest OS support tiers (seed 002).
 *
 * Two bases, as the upstream discussion proposed them:
 *  - vendor (default): Recommended while the vendor supports the OS (release
 *    ≤ date < end of life); once it is EOL it is capped at Supported, for
 *    "supported-after-eol" (5 years); after that Unsupported. An OS without an
 *    end-of-life date in osinfo-db is assumed supported for "assumed-support"
 *    (5 years) after its release — said in the reason.
 *  - age ("age:5y"): Recommended when released within 5 years of the date,
 *    Supported within "supported-within" (10 years), else Unsupported.
 * Both: an OS not yet released on the date, or without a release date, is
 * Unsupported; a rolling release is Recommended; a pre-release or snapshot
 * is at most Supported. A policy file can pin OSes (globs) to a tier.
 */
#include "policy/policy-private.h"

#include <json-c/json.h>
#include <string.h>

#include "base/json-util.h"
#include "base/util.h"
#include <vmcompat/error.h>

typedef enum { VMC_BASIS_VENDOR, VMC_BASIS_AGE } VmcBasis;

typedef struct {
    guint years, months, days;
} VmcSpan;

typedef struct {
    char *pattern;
    VmcOsTier tier;
    char *reason;
} VmcPin;

struct _VmcOsPolicy {
    char *name;
    VmcBasis basis;
    VmcSpan recommended_within;
    VmcSpan supported_within;
    VmcSpan after_eol;
    VmcSpan assumed_support;
    GArray *pins;             /* VmcPin */
};

static const char *const vmc_tier_names[] = { "recommended", "supported", "unsupported" };
static const char *const vmc_tier_titles[] = { "Recommended", "Supported", "Unsupported" };

const char *vmc_os_tier_to_string(VmcOsTier t) { return vmc_tier_names[t]; }
const char *vmc_os_tier_title(VmcOsTier t) { return vmc_tier_titles[t]; }

gboolean
vmc_os_tier_from_string(const char *s, VmcOsTier *ret)
{
    for (int i = 0; i < 3; i++)
        if (s && g_ascii_strcasecmp(s, vmc_tier_names[i]) == 0) {
            *ret = i;
            return TRUE;
        }
    return FALSE;
}

static void
vmc_pin_clear(gpointer p)
{
    VmcPin *pin = p;
    g_free(pin->pattern);
    g_free(pin->reason);
}

void
vmc_os_policy_free(VmcOsPolicy *p)
{
    if (!p)
        return;
    g_free(p->name);
    g_array_unref(p->pins);
    g_free(p);
}

static VmcOsPolicy *
vmc_os_policy_new(const char *name)
{
    VmcOsPolicy *p = g_new0(VmcOsPolicy, 1);
    p->name = g_strdup(name);
    p->basis = VMC_BASIS_VENDOR;
    p->recommended_within = (VmcSpan) { 5, 0, 0 };
    p->supported_within = (VmcSpan) { 10, 0, 0 };
    p->after_eol = (VmcSpan) { 5, 0, 0 };
    p->assumed_support = (VmcSpan) { 5, 0, 0 };
    p->pins = g_array_new(FALSE, TRUE, sizeof(VmcPin));
    g_array_set_clear_func(p->pins, vmc_pin_clear);
    return p;
}

/* "5y", "18m", "90d", "1y6m" */
static gboolean
vmc_span_parse(const char *s, VmcSpan *ret, const char *field, GError **error)
{
    VmcSpan span = { 0 };
    const char *c = s;
    gboolean any = FALSE;

    while (c && *c) {
        char *end;
        guint64 n = g_ascii_strtoull(c, &end, 10);
        if (end == c || n > 200)
            break;
        if (*end == 'y')
            span.years += n;
        else if (*end == 'm')
            span.months += n;
        else if (*end == 'd')
            span.days += n;
        else
            break;
        any = TRUE;
        c = end + 1;
    }
    if (!any || !c || *c) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                    "%s: '%s' is not a duration (5y, 18m, 90d, 1y6m)", field, s ? s : "");
        return FALSE;
    }
    *ret = span;
    return TRUE;
}

static char *
vmc_span_to_string(const VmcSpan *s)
{
    GString *out = g_string_new(NULL);
    if (s->years)
        g_string_append_printf(out, "%uy", s->years);
    if (s->months)
        g_string_append_printf(out, "%um", s->months);
    if (s->days || out->len == 0)
        g_string_append_printf(out, "%ud", s->days);
    return g_string_free(out, FALSE);
}

/* "5 years", "18 months" */
static char *
vmc_span_words(const VmcSpan *s)
{
    GString *out = g_string_new(NULL);
    if (s->years)
        g_string_append_printf(out, "%u year%s", s->years, s->years == 1 ? "" : "s");
    if (s->months)
        g_string_append_printf(out, "%s%u month%s", out->len ? " " : "", s->months,
                               s->months == 1 ? "" : "s");
    if (s->days || out->len == 0)
        g_string_append_printf(out, "%s%u day%s", out->len ? " " : "", s->days,
                               s->days == 1 ? "" : "s");
    return g_string_free(out, FALSE);
}

static void
vmc_date_add_span(GDate *d, const VmcSpan *s)
{
    g_date_add_years(d, s->years);
    g_date_add_months(d, s->months);
    g_date_add_days(d, s->days);
}

/* How long from @a to @b (a ≤ b), in words: "2 years 4 months". */
static char *
vmc_date_gap(const GDate *a, const GDate *b)
{
    int months = (g_date_get_year(b) - g_date_get_year(a)) * 12 +
                 ((int) g_date_get_month(b) - (int) g_date_get_month(a));
    VmcSpan s;

    if (g_date_get_day(b) < g_date_get_day(a))
        months--;
    if (months <= 0) {
        s = (VmcSpan) { 0, 0, (guint) MAX(0, g_date_days_between(a, b)) };
        return vmc_span_words(&s);
    }
    s = (VmcSpan) { months / 12, months % 12, 0 };
    return vmc_span_words(&s);
}

static gboolean
vmc_os_policy_parse_file(VmcOsPolicy *p, const char *path, GError **error)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    json_object *root;
    json_object *pins;
    gboolean ok = FALSE;
    static const char *const keys[] = {
        "format", "name", "basis", "recommended-within", "supported-within",
        "supported-after-eol", "assumed-support", "pin", "_comment",
    };

    if (!vmc_file_read(path, &data, &len, error) || !(root = vmc_json_parse(data, len, path, error)))
        return FALSE;
    if (!json_object_is_type(root, json_type_object)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: a policy file is a JSON object", path);
        goto out;
    }
    json_object_object_foreach(root, key, val) {
        gboolean known = FALSE;
        (void) val;
        for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
            known |= g_str_equal(key, keys[i]);
        if (!known) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field '%s': unknown (format 1 knows: basis, recommended-within, "
                        "supported-within, supported-after-eol, assumed-support, pin, name)", path, key);
            goto out;
        }
    }
    if (!vmc_json_get(root, "format", json_type_int) ||
        json_object_get_int(vmc_json_get(root, "format", json_type_int)) != 1) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'format': a policy file needs "
                    "\"format\": 1", path);
        goto out;
    }
    if (vmc_json_str(root, "name")) {
        g_free(p->name);
        p->name = g_strdup(vmc_json_str(root, "name"));
    }
    if (json_object_object_get_ex(root, "basis", NULL)) {
        const char *b = vmc_json_str(root, "basis");
        if (b && g_str_equal(b, "vendor"))
            p->basis = VMC_BASIS_VENDOR;
        else if (b && g_str_equal(b, "age"))
            p->basis = VMC_BASIS_AGE;
        else {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field 'basis': \"vendor\" or \"age\"", path);
            goto out;
        }
    }
    {
        static const char *const spans[] = {
            "recommended-within", "supported-within", "supported-after-eol", "assumed-support",
        };
        VmcSpan *into[] = { &p->recommended_within, &p->supported_within, &p->after_eol,
                            &p->assumed_support };
        for (guint i = 0; i < G_N_ELEMENTS(spans); i++) {
            g_autofree char *field = g_strdup_printf("%s: field '%s'", path, spans[i]);
            if (json_object_object_get_ex(root, spans[i], NULL) &&
                !vmc_span_parse(vmc_json_str(root, spans[i]), into[i], field, error))
                goto out;
        }
    }
    pins = vmc_json_get(root, "pin", json_type_array);
    if (json_object_object_get_ex(root, "pin", NULL) && !pins) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'pin': an array", path);
        goto out;
    }
    for (size_t i = 0; pins && i < json_object_array_length(pins); i++) {
        json_object *e = json_object_array_get_idx(pins, i);
        const char *os = json_object_is_type(e, json_type_object) ? vmc_json_str(e, "os") : NULL;
        const char *tier = os ? vmc_json_str(e, "tier") : NULL;
        VmcPin pin = { 0 };
        if (!os || !*os || !vmc_os_tier_from_string(tier, &pin.tier)) {
            g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                        "%s: field 'pin[%zu]': needs \"os\" (a short id or glob such as "
                        "\"rhel6*\") and \"tier\" (recommended, supported, unsupported)", path, i);
            goto out;
        }
        pin.pattern = g_strdup(os);
        pin.reason = g_strdup(vmc_json_str(e, "reason"));
        g_array_append_val(p->pins, pin);
    }
    ok = TRUE;
out:
    json_object_put(root);
    return ok;
}

VmcOsPolicy *
vmc_os_policy_parse(const char *spec, GError **error)
{
    g_autoptr(VmcOsPolicy) p = NULL;

    if (!spec || g_str_equal(spec, "vendor"))
        return vmc_os_policy_new("vendor");
    if (g_str_has_prefix(spec, "age:")) {
        g_auto(GStrv) parts = g_strsplit(spec + 4, ":", 3);
        p = vmc_os_policy_new(spec);
        p->basis = VMC_BASIS_AGE;
        if (!parts[0] || g_strv_length(parts) > 2 ||
            !vmc_span_parse(parts[0], &p->recommended_within, "--policy age:", error) ||
            (parts[1] && !vmc_span_parse(parts[1], &p->supported_within, "--policy age:N:", error)))
        {
            if (error && !*error)
                g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                            "policy '%s': expected age:RECOMMENDED[:SUPPORTED] (age:5y, age:5y:10y)",
                            spec);
            return NULL;
        }
        return g_steal_pointer(&p);
    }
    if (g_file_test(spec, G_FILE_TEST_EXISTS) || strchr(spec, '/') || g_str_has_suffix(spec, ".json")) {
        g_autofree char *base = g_path_get_basename(spec);
        p = vmc_os_policy_new(base);
        if (!vmc_os_policy_parse_file(p, spec, error))
            return NULL;
        return g_steal_pointer(&p);
    }
    g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE,
                "unknown policy '%s': vendor, age:5y (released within 5 years), or a policy "
                "file (docs/guestos.md)", spec);
    return NULL;
}

const char *vmc_os_policy_get_name(const VmcOsPolicy *p) { return p->name; }

char *
vmc_os_policy_to_json(const VmcOsPolicy *p)
{
    json_object *o = json_object_new_object();
    json_object *pins = json_object_new_array();
    char *out;
    struct { const char *key; const VmcSpan *span; } spans[] = {
        { "recommended-within", &p->recommended_within },
        { "supported-within", &p->supported_within },
        { "supported-after-eol", &p->after_eol },
        { "assumed-support", &p->assumed_support },
    };

    json_object_object_add(o, "format", json_object_new_int(1));
    json_object_object_add(o, "name", json_object_new_string(p->name));
    json_object_object_add(o, "basis", json_object_new_string(p->basis == VMC_BASIS_AGE ?
                                                              "age" : "vendor"));
    for (guint i = 0; i < G_N_ELEMENTS(spans); i++) {
        g_autofree char *s = vmc_span_to_string(spans[i].span);
        json_object_object_add(o, spans[i].key, json_object_new_string(s));
    }
    for (guint i = 0; i < p->pins->len; i++) {
        const VmcPin *pin = &g_array_index(p->pins, VmcPin, i);
        json_object *e = json_object_new_object();
        json_object_object_add(e, "os", json_object_new_string(pin->pattern));
        json_object_object_add(e, "tier", json_object_new_string(vmc_os_tier_to_string(pin->tier)));
        if (pin->reason)
            json_object_object_add(e, "reason", json_object_new_string(pin->reason));
        json_object_array_add(pins, e);
    }
    json_object_object_add(o, "pin", pins);
    out = g_strdup_printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                                 JSON_C_TO_STRING_SPACED));
    json_object_put(o);
    return out;
}

static VmcOsTier
vmc_tier_vendor(const VmcOsPolicy *p, const VmcOsInfo *os, const GDate *date, GString *why)
{
    GDate end = os->eol;
    g_autofree char *end_s = NULL, *grace = NULL, *gap = NULL, *d = vmc_date_to_string(date);
    gboolean assumed = !g_date_valid(&os->eol);
    GDate cap;

    if (assumed) {
        g_autofree char *span = vmc_span_words(&p->assumed_support);
        end = os->release;
        vmc_date_add_span(&end, &p->assumed_support);
        end_s = vmc_date_to_string(&end);
        g_string_append_printf(why, "no end-of-life date in osinfo-db: vendor support assumed for "
                               "%s after release, until %s; ", span, end_s);
    } else {
        end_s = vmc_date_to_string(&end);
    }
    if (g_date_compare(date, &end) < 0) {
        if (!assumed)
            g_string_append_printf(why, "supported by its vendor until %s", end_s);
        else
            g_string_append(why, "still within it");
        return VMC_OS_TIER_RECOMMENDED;
    }
    cap = end;
    vmc_date_add_span(&cap, &p->after_eol);
    grace = vmc_span_words(&p->after_eol);
    gap = vmc_date_gap(&end, date);
    if (g_date_compare(date, &cap) < 0) {
        g_string_append_printf(why, "vendor support ended %s (%s before %s); the policy keeps "
                               "an OS Supported for %s after its end of life", end_s, gap, d, grace);
        return VMC_OS_TIER_SUPPORTED;
    }
    g_string_append_printf(why, "vendor support ended %s (%s before %s), more than the %s "
                           "an OS stays Supported after its end of life", end_s, gap, d, grace);
    return VMC_OS_TIER_UNSUPPORTED;
}

static VmcOsTier
vmc_tier_age(const VmcOsPolicy *p, const VmcOsInfo *os, const GDate *date, GString *why)
{
    g_autofree char *rel = vmc_date_to_string(&os->release);
    g_autofree char *gap = vmc_date_gap(&os->release, date);
    g_autofree char *rec = vmc_span_words(&p->recommended_within);
    g_autofree char *sup = vmc_span_words(&p->supported_within);
    g_autofree char *d = vmc_date_to_string(date);
    GDate cut = os->release;

    vmc_date_add_span(&cut, &p->recommended_within);
    if (g_date_compare(date, &cut) < 0) {
        g_string_append_printf(why, "released %s, %s before %s: within the %s of the "
                               "Recommended tier", rel, gap, d, rec);
        return VMC_OS_TIER_RECOMMENDED;
    }
    cut = os->release;
    vmc_date_add_span(&cut, &p->supported_within);
    if (g_date_compare(date, &cut) < 0) {
        g_string_append_printf(why, "released %s, %s before %s: older than %s, within the "
                               "%s of the Supported tier", rel, gap, d, rec, sup);
        return VMC_OS_TIER_SUPPORTED;
    }
    g_string_append_printf(why, "released %s, %s before %s: older than the %s of the "
                           "Supported tier", rel, gap, d, sup);
    return VMC_OS_TIER_UNSUPPORTED;
}

VmcOsTier
vmc_os_policy_tier(const VmcOsPolicy *p, const VmcOsInfo *os, const GDate *date, char **reason)
{
    g_autoptr(GString) why = g_string_new(NULL);
    VmcOsTier tier;

    for (guint i = 0; i < p->pins->len; i++) {
        const VmcPin *pin = &g_array_index(p->pins, VmcPin, i);
        if ((os->short_id && g_pattern_match_simple(pin->pattern, os->short_id)) ||
            g_pattern_match_simple(pin->pattern, os->id)) {
            g_string_append_printf(why, "pinned by policy %s (%s)%s%s", p->name, pin->pattern,
                                   pin->reason ? ": " : "", pin->reason ? pin->reason : "");
            tier = pin->tier;
            goto out;
        }
    }
    if (g_str_equal(os->status, "rolling")) {
        g_string_append(why, "rolling release: always current");
        tier = VMC_OS_TIER_RECOMMENDED;
        goto out;
    }
    if (!g_date_valid(&os->release)) {
        g_string_append(why, "osinfo-db gives no release date: the policy cannot place it "
                        "(pin it in a policy file)");
        tier = VMC_OS_TIER_UNSUPPORTED;
        goto out;
    }
    if (g_date_compare(date, &os->release) < 0) {
        g_autofree char *rel = vmc_date_to_string(&os->release);
        g_string_append_printf(why, "not released until %s", rel);
        tier = VMC_OS_TIER_UNSUPPORTED;
        goto out;
    }
    tier = p->basis == VMC_BASIS_AGE ? vmc_tier_age(p, os, date, why) :
                                       vmc_tier_vendor(p, os, date, why);
    if (tier == VMC_OS_TIER_RECOMMENDED && !g_str_equal(os->status, "released")) {
        g_string_append_printf(why, "; a %s, so at most Supported", os->status);
        tier = VMC_OS_TIER_SUPPORTED;
    }
out:
    if (reason)
        *reason = g_strdup(why->str);
    return tier;
}
