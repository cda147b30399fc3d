/* jsonl.c: JSON Lines files — host lists (fleet import) and guest lists
 * (fleet guest import) — read line by line through one bounded reader:
 * lines are NUL-terminated in place in a growing buffer, at most
 * VMC_FLEET_MAX_LINE bytes each; blank lines are skipped. */
#include "fleet/fleet-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <vmcompat/error.h>

#define VMC_FLEET_MAX_LINE (16 * 1024 * 1024)

/* Lines of a file, NUL-terminated in place, of at most VMC_FLEET_MAX_LINE. */
typedef struct {
    int fd;
    char *buf;
    gsize cap, start, end;
    gboolean eof;
} VmcLineReader;

/* The next line (without its '\n'): TRUE with *ret_line, or TRUE with
 * NULL at the end; FALSE on a read error or an overlong line. */
static gboolean
vmc_line_reader_next(VmcLineReader *r, char **ret_line, gsize *ret_len, const char *path,
                     guint lineno, GError **error)
{
    for (;;) {
        char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        ssize_t got;

        if (nl || (r->eof && r->start < r->end)) {
            char *line = r->buf + r->start;
            gsize len = nl ? (gsize) (nl - line) : r->end - r->start;
            line[len] = '\0';            /* the buffer keeps a spare byte */
            r->start += len + (nl != NULL);
            *ret_line = line;
            *ret_len = len;
            return TRUE;
        }
        if (r->eof) {
            *ret_line = NULL;
            return TRUE;
        }
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        }
        if (r->end + 1 >= r->cap) {
            if (r->cap > VMC_FLEET_MAX_LINE) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT, "%s:%u: a line longer than %d MiB",
                            path, lineno, VMC_FLEET_MAX_LINE >> 20);
                return FALSE;
            }
            r->cap *= 2;
            r->buf = g_realloc(r->buf, r->cap);
        }
        do
            got = read(r->fd, r->buf + r->end, r->cap - r->end - 1);
        while (got < 0 && errno == EINTR);
        if (got < 0) {
            int e = errno;
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s:%u: %s", path, lineno, g_strerror(e));
            return FALSE;
        }
        if (got == 0)
            r->eof = TRUE;
        r->end += (gsize) got;
    }
}

gboolean
vmc__fleet_jsonl_foreach(const char *path, VmcFleetLineFn fn, gpointer data, GError **error)
{
    VmcLineReader r = { .fd = open(path, O_RDONLY | O_CLOEXEC), .cap = 4 << 20 };
    guint lineno = 0;
    gboolean ok = TRUE;

    if (r.fd < 0) {
        int e = errno;
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s: %s", path, g_strerror(e));
        return FALSE;
    }
    r.buf = g_malloc(r.cap);
    while (ok) {
        char *line;
        gsize len;

        if (!(ok = vmc_line_reader_next(&r, &line, &len, path, lineno + 1, error)) || !line)
            break;
        lineno++;
        if (line[strspn(line, " \t\r")] == '\0' && strlen(line) == len)
            continue;                    /* blank */
        ok = fn(line, len, path, lineno, data, error);
    }
    g_free(r.buf);
    close(r.fd);
    return ok;
}
