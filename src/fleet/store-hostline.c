/* store-hostline.c: one host document → what the inventory keeps of it:
 * name, cluster, labels, kernel and the kind fingerprint.
 *
 * The fingerprint is SHA-256 over the canonical JSON of the document minus
 * what does not change a verdict (name, notes, source, cluster, labels,
 * qemu.binary; the kernel cut to X.Y): object keys sorted, arrays sorted by
 * their elements' canonical text (every array of a host document is a set),
 * strings escaped as json-c escapes them, no whitespace. The text is
 * byte-for-byte what store.c computed at 08f895a, so inventories made then
 * keep their kinds (tests/data/fleet/store/fingerprints-08f895a.txt).
 *
 * Two ways to the same answer:
 *  - the tree path (vmc__fleet_host_line_from_doc): a parsed document;
 *  - the line path (vmc__fleet_host_line_scan), for JSON Lines imports:
 *    a strict scanner splits the line into its top-level members without
 *    building a tree; each member's canonical text is memoised by the
 *    member's exact bytes, and the fingerprint by the exact canonical text
 *    (both are pure functions, so the caches cannot be wrong, only miss).
 *    A member not seen before is parsed alone by json-c, which validates
 *    it. Anything the scanner does not expect (escapes in top-level keys,
 *    duplicate keys, comments, odd whitespace, a field of an unusual type)
 *    makes it decline, and the caller takes the tree path, which also
 *    words every error. tests/unit/test-fleet-store.c checks the two paths
 *    agree on mutated lines.
 *
 * Workload: 100,000 lines of ~12 KB from a few hundred distinct machines;
 * nearly every member of a line was seen byte for byte before. The caches
 * are bounded (VMC_HOSTLINE_CACHE_BYTES each, emptied when full).
 */
#include "fleet/store-private.h"
#include "fleet/fleet-private.h"

#include <stdio.h>
#include <string.h>

#include "base/json-util.h"
#include <vmcompat/error.h>

#define VMC_HOSTLINE_CACHE_BYTES (64u << 20)
#define VMC_HOSTLINE_MAX_MEMBERS 64

/* ---- canonical JSON ---------------------------------------------------------- */

/* Scratch buffers per array nesting depth (json-c bounds depth). */
typedef struct {
    GPtrArray *texts;                 /* depth → GString: elements, NUL-separated */
    GPtrArray *offsets;               /* depth → GArray of gsize */
} VmcCanon;

static void
vmc_gstring_free(gpointer s)
{
    g_string_free(s, TRUE);
}

static void
vmc_canon_init(VmcCanon *c)
{
    c->texts = g_ptr_array_new_with_free_func(vmc_gstring_free);
    c->offsets = g_ptr_array_new_with_free_func((GDestroyNotify) g_array_unref);
}

static void
vmc_canon_clear(VmcCanon *c)
{
    g_ptr_array_unref(c->texts);
    g_ptr_array_unref(c->offsets);
}

/* @len bytes of @s as a JSON string, escaped exactly as json-c 0.16's
 * json_escape_str does without JSON_C_TO_STRING_NOSLASHESCAPE. */
static void
vmc_canon_string(GString *out, const char *s, gsize len)
{
    static const char hex[] = "0123456789abcdef";
    gsize start = 0;

    g_string_append_c(out, '"');
    for (gsize i = 0; i < len; i++) {
        unsigned char ch = (unsigned char) s[i];
        const char *esc = NULL;

        switch (ch) {
        case '\b': esc = "\\b"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\f': esc = "\\f"; break;
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '/': esc = "\\/"; break;
        default:
            if (ch >= ' ')
                continue;
            break;
        }
        g_string_append_len(out, s + start, (gssize) (i - start));
        if (esc) {
            g_string_append(out, esc);
        } else {
            char u[7] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 0xf], 0 };
            g_string_append(out, u);
        }
        start = i + 1;
    }
    g_string_append_len(out, s + start, (gssize) (len - start));
    g_string_append_c(out, '"');
}

static int
vmc_canon_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static void vmc_canon_value(VmcCanon *c, GString *out, json_object *o, guint depth);

/* An object, keys sorted, leaving out @skip (nullable). */
static void
vmc_canon_object(VmcCanon *c, GString *out, json_object *o, guint depth, const char *skip)
{
    const char *stack_keys[64];
    g_autofree const char **heap_keys = NULL;
    const char **keys = stack_keys;
    gsize n = 0, max = (gsize) json_object_object_length(o);
    gboolean first = TRUE;

    if (max > G_N_ELEMENTS(stack_keys))
        keys = heap_keys = g_new(const char *, max);
    json_object_object_foreach(o, key, val) {
        (void) val;
        if (!skip || strcmp(key, skip) != 0)
            keys[n++] = key;
    }
    qsort(keys, n, sizeof(*keys), vmc_canon_cmp_str);
    g_string_append_c(out, '{');
    for (gsize i = 0; i < n; i++) {
        if (!first)
            g_string_append_c(out, ',');
        first = FALSE;
        vmc_canon_string(out, keys[i], strlen(keys[i]));
        g_string_append_c(out, ':');
        vmc_canon_value(c, out, json_object_object_get(o, keys[i]), depth + 1);
    }
    g_string_append_c(out, '}');
}

typedef struct {
    const char *base;
} VmcCanonSortCtx;

static int
vmc_canon_cmp_offset(gconstpointer a, gconstpointer b, gpointer data)
{
    const char *base = ((VmcCanonSortCtx *) data)->base;
    return strcmp(base + *(const gsize *) a, base + *(const gsize *) b);
}

/* An array: its elements' canonical texts, sorted. */
static void
vmc_canon_array(VmcCanon *c, GString *out, json_object *o, guint depth)
{
    size_t n = json_object_array_length(o);
    GString *texts;
    GArray *offsets;
    VmcCanonSortCtx ctx;

    while (c->texts->len <= depth) {
        g_ptr_array_add(c->texts, g_string_sized_new(1024));
        g_ptr_array_add(c->offsets, g_array_new(FALSE, FALSE, sizeof(gsize)));
    }
    texts = g_ptr_array_index(c->texts, depth);
    offsets = g_ptr_array_index(c->offsets, depth);
    g_string_truncate(texts, 0);
    g_array_set_size(offsets, 0);
    for (size_t i = 0; i < n; i++) {
        gsize off = texts->len;
        g_array_append_val(offsets, off);
        vmc_canon_value(c, texts, json_object_array_get_idx(o, i), depth + 1);
        g_string_append_c(texts, '\0');
    }
    ctx.base = texts->str;
    g_array_sort_with_data(offsets, vmc_canon_cmp_offset, &ctx);
    g_string_append_c(out, '[');
    for (guint i = 0; i < offsets->len; i++) {
        if (i)
            g_string_append_c(out, ',');
        g_string_append(out, texts->str + g_array_index(offsets, gsize, i));
    }
    g_string_append_c(out, ']');
}

static void
vmc_canon_value(VmcCanon *c, GString *out, json_object *o, guint depth)
{
    switch (json_object_get_type(o)) {
    case json_type_object:
        vmc_canon_object(c, out, o, depth, NULL);
        break;
    case json_type_array:
        vmc_canon_array(c, out, o, depth);
        break;
    case json_type_string:
        vmc_canon_string(out, json_object_get_string(o), (gsize) json_object_get_string_len(o));
        break;
    case json_type_null:
        g_string_append(out, "null");
        break;
    default:
        /* numbers and booleans: json-c's own text (doubles keep their source) */
        g_string_append(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        break;
    }
}

/* Top-level members that do not change a verdict. */
static gboolean
vmc_fp_excluded(const char *key)
{
    return g_str_equal(key, "name") || g_str_equal(key, "notes") || g_str_equal(key, "source") ||
           g_str_equal(key, "cluster") || g_str_equal(key, "labels");
}

/* The canonical text of top-level member @key (not "kernel"): "qemu"
 * leaves out its "binary". */
static void
vmc_canon_member(VmcCanon *c, GString *out, const char *key, json_object *val)
{
    if (g_str_equal(key, "qemu") && json_object_is_type(val, json_type_object))
        vmc_canon_object(c, out, val, 1, "binary");
    else
        vmc_canon_value(c, out, val, 1);
}

/* The kernel as the fingerprint has it: "X.Y" when it starts so, else the
 * string up to a NUL (as 08f895a had it). */
static void
vmc_canon_kernel(GString *out, const char *kernel)
{
    unsigned x = 0, y = 0;

    if (sscanf(kernel, "%u.%u", &x, &y) == 2) {
        char buf[32];
        g_snprintf(buf, sizeof(buf), "%u.%u", x, y);
        vmc_canon_string(out, buf, strlen(buf));
    } else {
        vmc_canon_string(out, kernel, strlen(kernel));
    }
}

static void
vmc_fp_hex(const char *canonical, gsize len, char ret[65])
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sum, (const guchar *) canonical, (gssize) len);
    g_strlcpy(ret, g_checksum_get_string(sum), 65);
}

/* The canonical text the fingerprint hashes (tree path). */
static void
vmc_fp_canonical_doc(VmcCanon *c, GString *out, json_object *doc)
{
    g_autofree const char **keys = g_new(const char *, json_object_object_length(doc) + 1);
    gsize n = 0;

    json_object_object_foreach(doc, key, val) {
        (void) val;
        if (!vmc_fp_excluded(key))
            keys[n++] = key;
    }
    qsort(keys, n, sizeof(*keys), vmc_canon_cmp_str);
    g_string_append_c(out, '{');
    for (gsize i = 0; i < n; i++) {
        json_object *member = json_object_object_get(doc, keys[i]);
        if (i)
            g_string_append_c(out, ',');
        vmc_canon_string(out, keys[i], strlen(keys[i]));
        g_string_append_c(out, ':');
        if (g_str_equal(keys[i], "kernel") && json_object_is_type(member, json_type_string))
            vmc_canon_kernel(out, json_object_get_string(member));
        else
            vmc_canon_member(c, out, keys[i], member);
    }
    g_string_append_c(out, '}');
}

char *
vmc__fleet_fingerprint(json_object *doc)
{
    VmcCanon c;
    g_autoptr(GString) text = g_string_sized_new(16384);
    char fp[65];

    vmc_canon_init(&c);
    vmc_fp_canonical_doc(&c, text, doc);
    vmc_canon_clear(&c);
    vmc_fp_hex(text->str, text->len, fp);
    return g_strdup(fp);
}

/* ---- host lines: the tree path ---------------------------------------------- */

void
vmc__fleet_host_line_clear(VmcFleetHostLine *h)
{
    g_clear_pointer(&h->name, g_free);
    g_clear_pointer(&h->cluster, g_free);
    g_clear_pointer(&h->labels, g_free);
    g_clear_pointer(&h->kernel, g_free);
    h->fp[0] = '\0';
}

/* Member @key: a string (*ret), absent or null (NULL); FALSE: another type. */
static gboolean
vmc_line_opt_string(json_object *doc, const char *key, const char **ret)
{
    json_object *v = NULL;

    *ret = NULL;
    if (!json_object_object_get_ex(doc, key, &v) || !v)
        return TRUE;
    if (!json_object_is_type(v, json_type_string))
        return FALSE;
    *ret = json_object_get_string(v);
    return TRUE;
}

/* "labels": absent/null → "{}", else an object of strings → its text. */
static gboolean
vmc_line_labels(json_object *labels, char **ret)
{
    if (!labels) {
        *ret = g_strdup("{}");
        return TRUE;
    }
    if (!json_object_is_type(labels, json_type_object))
        return FALSE;
    json_object_object_foreach(labels, k, v) {
        (void) k;
        if (!json_object_is_type(v, json_type_string))
            return FALSE;
    }
    *ret = g_strdup(json_object_to_json_string_ext(labels, JSON_C_TO_STRING_PLAIN));
    return TRUE;
}

gboolean
vmc__fleet_host_line_from_doc(json_object *doc, const char *where, VmcFleetHostLine *out,
                              GError **error)
{
    const char *name, *cluster, *kernel;
    json_object *labels = NULL;
    g_autofree char *labels_text = NULL;
    g_autofree char *fp = NULL;

    if (!json_object_is_type(doc, json_type_object) || !vmc_json_get(doc, "format", json_type_int)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: not a host document (a JSON object "
                    "with \"format\": 1)", where);
        return FALSE;
    }
    if (!vmc_line_opt_string(doc, "name", &name) || !name || !*name) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'name': a fleet host needs a name",
                    where);
        return FALSE;
    }
    if (!vmc_line_opt_string(doc, "cluster", &cluster)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'cluster': a string", where);
        return FALSE;
    }
    if (!vmc_line_opt_string(doc, "kernel", &kernel)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'kernel': a string", where);
        return FALSE;
    }
    json_object_object_get_ex(doc, "labels", &labels);
    if (!vmc_line_labels(labels, &labels_text)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s: field 'labels': an object of strings",
                    where);
        return FALSE;
    }
    fp = vmc__fleet_fingerprint(doc);
    out->name = g_strdup(name);
    out->cluster = g_strdup(cluster);
    out->kernel = g_strdup(kernel);
    out->labels = g_steal_pointer(&labels_text);
    g_strlcpy(out->fp, fp, sizeof(out->fp));
    return TRUE;
}

/* ---- host lines: the line path -------------------------------------------------- */

/* A cache key: bytes (and, for members, the member's name), not owned
 * while looking up. */
typedef struct {
    const char *name;
    gsize name_len;
    const char *bytes;
    gsize len;
    guint hash;
} VmcMemoKey;

typedef struct {
    VmcMemoKey key;                   /* owns its bytes (one block with the value) */
    char *value;                      /* canonical text, or fingerprint */
    gsize value_len;
} VmcMemo;

struct _VmcHostLineCache {
    GHashTable *members;              /* VmcMemoKey* → VmcMemo*: member bytes → canonical */
    GHashTable *fps;                  /* canonical document → fingerprint */
    gsize member_bytes, fp_bytes;
    guint64 lookups, hits;            /* of members, recently */
    VmcCanon canon;
    json_tokener *tok;
    GString *scratch;                 /* a span, NUL-terminated, for json-c */
    GString *doc;                     /* the canonical document being assembled */
    GString *member;                  /* one member's canonical text */
};

/* A fast hash of bytes, 8 at a time (quality only matters for speed:
 * entries compare by their bytes). */
static guint
vmc_memo_hash_bytes(const char *p, gsize len, guint64 h)
{
    const guint64 m = 0x9e3779b97f4a7c15ull;

    h ^= len * m;
    while (len >= 8) {
        guint64 w;
        memcpy(&w, p, 8);
        h = (h ^ w) * m;
        h ^= h >> 29;
        p += 8;
        len -= 8;
    }
    if (len) {
        guint64 w = 0;
        memcpy(&w, p, len);
        h = (h ^ w) * m;
        h ^= h >> 29;
    }
    return (guint) (h ^ (h >> 32));
}

static guint
vmc_memo_hash(gconstpointer k)
{
    return ((const VmcMemoKey *) k)->hash;
}

static gboolean
vmc_memo_equal(gconstpointer a, gconstpointer b)
{
    const VmcMemoKey *x = a, *y = b;
    return x->hash == y->hash && x->len == y->len && x->name_len == y->name_len &&
           memcmp(x->name, y->name, x->name_len) == 0 && memcmp(x->bytes, y->bytes, x->len) == 0;
}

static void
vmc_memo_key_init(VmcMemoKey *k, const char *name, gsize name_len, const char *bytes, gsize len)
{
    k->name = name;
    k->name_len = name_len;
    k->bytes = bytes;
    k->len = len;
    k->hash = vmc_memo_hash_bytes(bytes, len, vmc_memo_hash_bytes(name, name_len, 0));
}

/* Remember @key → @value in @table (copies both) within the byte budget. */
static const VmcMemo *
vmc_memo_add(GHashTable *table, gsize *bytes, const VmcMemoKey *key, const char *value, gsize value_len)
{
    gsize need = key->name_len + key->len + value_len + 3;
    VmcMemo *m;
    char *block;

    if (*bytes + need > VMC_HOSTLINE_CACHE_BYTES) {
        g_hash_table_remove_all(table);
        *bytes = 0;
    }
    m = g_malloc(sizeof(*m) + need);
    block = (char *) (m + 1);
    m->key = *key;
    m->key.name = memcpy(block, key->name, key->name_len);
    block[key->name_len] = '\0';
    block += key->name_len + 1;
    m->key.bytes = memcpy(block, key->bytes, key->len);
    block[key->len] = '\0';
    block += key->len + 1;
    m->value = memcpy(block, value, value_len);
    block[value_len] = '\0';
    m->value_len = value_len;
    g_hash_table_add(table, m);
    *bytes += need + sizeof(*m);
    return m;
}

VmcHostLineCache *
vmc__fleet_host_line_cache_new(void)
{
    VmcHostLineCache *c = g_new0(VmcHostLineCache, 1);

    c->members = g_hash_table_new_full(vmc_memo_hash, vmc_memo_equal, g_free, NULL);
    c->fps = g_hash_table_new_full(vmc_memo_hash, vmc_memo_equal, g_free, NULL);
    vmc_canon_init(&c->canon);
    /* a member is one level below the document: json-c's depth limit
     * must bite at the same place */
    c->tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH - 1);
    c->scratch = g_string_sized_new(16384);
    c->doc = g_string_sized_new(16384);
    c->member = g_string_sized_new(16384);
    return c;
}

void
vmc__fleet_host_line_cache_free(VmcHostLineCache *c)
{
    if (!c)
        return;
    g_hash_table_unref(c->members);
    g_hash_table_unref(c->fps);
    vmc_canon_clear(&c->canon);
    json_tokener_free(c->tok);
    g_string_free(c->scratch, TRUE);
    g_string_free(c->doc, TRUE);
    g_string_free(c->member, TRUE);
    g_free(c);
}

/* One top-level member as the scanner found it. */
typedef struct {
    const char *key;                  /* raw bytes: no escapes (the scanner declines those) */
    gsize key_len;
    const char *val;
    gsize val_len;
    gboolean val_plain_string;        /* a string without escapes: the bytes between quotes are it */
} VmcSpan;

#define VMC_WS(ch) ((ch) == ' ' || (ch) == '\t' || (ch) == '\n' || (ch) == '\r')

/* At '"': past the closing quote. FALSE on a control byte or the end.
 * *escaped: a backslash was seen. */
static gboolean
vmc_scan_string(const char **pp, const char *end, gboolean *escaped)
{
    const char *p = *pp + 1;

    *escaped = FALSE;
    while (p < end) {
        unsigned char ch = (unsigned char) *p;
        if (ch == '"') {
            *pp = p + 1;
            return TRUE;
        }
        if (ch < 0x20)
            return FALSE;
        if (ch == '\\') {
            *escaped = TRUE;
            if (++p >= end || (unsigned char) *p < 0x20)
                return FALSE;
        }
        p++;
    }
    return FALSE;
}

/* Past one value. Only finds where a value ends; json-c (or an identical,
 * already validated member) judges it. FALSE on anything unexpected. */
static gboolean
vmc_scan_value(const char **pp, const char *end, gboolean *plain_string)
{
    const char *p = *pp;
    gsize depth = 0;
    gboolean escaped;

    *plain_string = FALSE;
    if (p < end && *p == '"') {
        if (!vmc_scan_string(&p, end, &escaped))
            return FALSE;
        *plain_string = !escaped;
        *pp = p;
        return TRUE;
    }
    while (p < end) {
        unsigned char ch = (unsigned char) *p;
        switch (ch) {
        case '"':
            if (!vmc_scan_string(&p, end, &escaped))
                return FALSE;
            continue;
        case '{':
        case '[':
            depth++;
            break;
        case '}':
        case ']':
            if (depth == 0)
                goto primitive_end;
            if (--depth == 0) {
                *pp = p + 1;
                return TRUE;
            }
            break;
        case ',':
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            if (depth == 0)
                goto primitive_end;
            break;
        case ':':
            if (depth == 0)
                return FALSE;
            break;
        default:
            /* numbers, true/false/null; anything else (comments, quotes
             * json-c would take, bytes ≥ 0x80 outside strings) declines */
            if (!g_ascii_isalnum(ch) && ch != '-' && ch != '+' && ch != '.')
                return FALSE;
            break;
        }
        p++;
    }
    return FALSE;
 primitive_end:
    if (p == *pp)
        return FALSE;
    *pp = p;
    return TRUE;
}

/* Split @text into top-level members; FALSE: decline. */
static gboolean
vmc_scan_members(const char *text, gsize len, VmcSpan *spans, gsize *ret_n)
{
    const char *p = text, *end = text + len;
    gsize n = 0;

    while (p < end && VMC_WS(*p))
        p++;
    if (p >= end || *p != '{')
        return FALSE;
    p++;
    for (;;) {
        VmcSpan *s;
        gboolean escaped;

        while (p < end && VMC_WS(*p))
            p++;
        if (p >= end || *p != '"' || n == VMC_HOSTLINE_MAX_MEMBERS)
            return FALSE;
        s = &spans[n++];
        s->key = p + 1;
        if (!vmc_scan_string(&p, end, &escaped) || escaped)
            return FALSE;
        s->key_len = (gsize) (p - 1 - s->key);
        while (p < end && VMC_WS(*p))
            p++;
        if (p >= end || *p != ':')
            return FALSE;
        p++;
        while (p < end && VMC_WS(*p))
            p++;
        s->val = p;
        if (!vmc_scan_value(&p, end, &s->val_plain_string))
            return FALSE;
        s->val_len = (gsize) (p - s->val);
        while (p < end && VMC_WS(*p))
            p++;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '}') {
            p++;
            break;
        }
        return FALSE;
    }
    while (p < end && VMC_WS(*p))
        p++;
    if (p != end)
        return FALSE;
    *ret_n = n;
    return TRUE;
}

static int
vmc_span_cmp(const void *a, const void *b)
{
    const VmcSpan *x = a, *y = b;
    int r = memcmp(x->key, y->key, MIN(x->key_len, y->key_len));
    if (r)
        return r;
    return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

static gboolean
vmc_span_is(const VmcSpan *s, const char *key)
{
    gsize n = strlen(key);
    return s->key_len == n && memcmp(s->key, key, n) == 0;
}

/* json-c's value for a span, or NULL (the caller declines). */
static json_object *
vmc_span_parse(VmcHostLineCache *c, const VmcSpan *s)
{
    json_object *o;

    g_string_truncate(c->scratch, 0);
    g_string_append_len(c->scratch, s->val, (gssize) s->val_len);
    json_tokener_reset(c->tok);
    /* the NUL ends a number or literal; everything else ends by itself */
    o = json_tokener_parse_ex(c->tok, c->scratch->str, (int) s->val_len + 1);
    if (!o || json_tokener_get_error(c->tok) != json_tokener_success ||
        json_tokener_get_parse_end(c->tok) < s->val_len) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* A plain string span's value (transfer full). */
static char *
vmc_span_string(const VmcSpan *s)
{
    return g_strndup(s->val + 1, s->val_len - 2);
}

/* Whether to remember a member just computed: yes while lookups hit often
 * enough (a fleet repeats its machines); when they mostly miss, one in 16,
 * so a cache of members that never come back costs little. */
static gboolean
vmc_member_worth_keeping(VmcHostLineCache *c)
{
    if (c->lookups >= 65536) {
        /* recent behaviour counts most */
        c->lookups /= 2;
        c->hits /= 2;
    }
    return c->lookups < 1024 || c->hits * 4 >= c->lookups || c->lookups % 16 == 0;
}

/* The canonical text of a member (*ret_text, valid until the next call),
 * memoised; FALSE: the member is not JSON. */
static gboolean
vmc_member_canonical(VmcHostLineCache *c, const VmcSpan *s, const char **ret_text, gsize *ret_len)
{
    VmcMemoKey key;
    const VmcMemo *m;
    char name[64];
    json_object *o;

    vmc_memo_key_init(&key, s->key, s->key_len, s->val, s->val_len);
    c->lookups++;
    if ((m = g_hash_table_lookup(c->members, &key))) {
        c->hits++;
        *ret_text = m->value;
        *ret_len = m->value_len;
        return TRUE;
    }
    if (s->key_len >= sizeof(name) || !(o = vmc_span_parse(c, s)))
        return FALSE;
    memcpy(name, s->key, s->key_len);
    name[s->key_len] = '\0';
    g_string_truncate(c->member, 0);
    vmc_canon_member(&c->canon, c->member, name, o);
    json_object_put(o);
    if (vmc_member_worth_keeping(c))
        vmc_memo_add(c->members, &c->member_bytes, &key, c->member->str, c->member->len);
    *ret_text = c->member->str;
    *ret_len = c->member->len;
    return TRUE;
}

/* "format": a canonical integer (what json-c prints back unchanged). */
static gboolean
vmc_span_is_int(const VmcSpan *s)
{
    gsize i = s->val[0] == '-';

    if (s->val_len == i || s->val_len - i > 18)
        return FALSE;
    if (s->val[i] == '0')
        return s->val_len == i + 1 && i == 0;
    for (; i < s->val_len; i++)
        if (!g_ascii_isdigit(s->val[i]))
            return FALSE;
    return TRUE;
}

gboolean
vmc__fleet_host_line_scan(VmcHostLineCache *c, const char *text, gsize len, VmcFleetHostLine *out)
{
    VmcSpan spans[VMC_HOSTLINE_MAX_MEMBERS];
    const VmcSpan *name = NULL, *cluster = NULL, *labels = NULL, *kernel = NULL, *format = NULL;
    g_autofree char *labels_text = NULL;
    VmcMemoKey key;
    const VmcMemo *fp;
    gsize n;

    if (!vmc_scan_members(text, len, spans, &n))
        return FALSE;
    qsort(spans, n, sizeof(*spans), vmc_span_cmp);
    g_string_truncate(c->doc, 0);
    g_string_append_c(c->doc, '{');
    for (gsize i = 0; i < n; i++) {
        const VmcSpan *s = &spans[i];
        gboolean fp_member = TRUE;
        const char *canon;
        gsize canon_len;

        if (i && vmc_span_cmp(s, s - 1) == 0)
            return FALSE;                 /* a duplicate key: json-c's rules, the tree path */
        if (vmc_span_is(s, "name") || vmc_span_is(s, "cluster") || vmc_span_is(s, "kernel")) {
            if (!s->val_plain_string)
                return FALSE;
            if (vmc_span_is(s, "name"))
                name = s, fp_member = FALSE;
            else if (vmc_span_is(s, "cluster"))
                cluster = s, fp_member = FALSE;
            else
                kernel = s;
        } else if (vmc_span_is(s, "format")) {
            if (!vmc_span_is_int(s))
                return FALSE;
            format = s;
        } else if (vmc_span_is(s, "labels")) {
            labels = s;
            fp_member = FALSE;
        } else if (vmc_span_is(s, "notes") || vmc_span_is(s, "source")) {
            if (!vmc_member_canonical(c, s, &canon, &canon_len))  /* valid JSON, left out */
                return FALSE;
            fp_member = FALSE;
        }
        if (!fp_member)
            continue;
        if (c->doc->len > 1)
            g_string_append_c(c->doc, ',');
        /* a top-level key has no escapes here; escape it as json-c would */
        vmc_canon_string(c->doc, s->key, s->key_len);
        g_string_append_c(c->doc, ':');
        if (s == kernel) {
            g_autofree char *k = vmc_span_string(s);
            vmc_canon_kernel(c->doc, k);
        } else if (s == format) {
            g_string_append_len(c->doc, s->val, (gssize) s->val_len);
        } else {
            if (!vmc_member_canonical(c, s, &canon, &canon_len))
                return FALSE;
            g_string_append_len(c->doc, canon, (gssize) canon_len);
        }
    }
    g_string_append_c(c->doc, '}');
    if (!format || !name || name->val_len <= 2)
        return FALSE;
    if (labels) {
        json_object *o = vmc_span_parse(c, labels);
        gboolean ok = o && vmc_line_labels(o, &labels_text);
        json_object_put(o);
        if (!ok)
            return FALSE;
    } else {
        labels_text = g_strdup("{}");
    }

    vmc_memo_key_init(&key, "", 0, c->doc->str, c->doc->len);
    if (!(fp = g_hash_table_lookup(c->fps, &key))) {
        char hex[65];
        vmc_fp_hex(c->doc->str, c->doc->len, hex);
        fp = vmc_memo_add(c->fps, &c->fp_bytes, &key, hex, 64);
    }
    out->name = vmc_span_string(name);
    out->cluster = cluster ? vmc_span_string(cluster) : NULL;
    out->kernel = kernel ? vmc_span_string(kernel) : NULL;
    out->labels = g_steal_pointer(&labels_text);
    memcpy(out->fp, fp->value, 65);
    return TRUE;
}
