/* util.c: small shared helpers: enum tables, bounded file reads, numbers. */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vmcompat/error.h>

int
vmc_enum_from_string(const char *const *table, guint n, const char *s)
{
    if (!s)
        return -1;
    for (guint i = 0; i < n; i++)
        if (table[i] && g_str_equal(table[i], s))
            return (int) i;
    return -1;
}

gboolean
vmc_file_read(const char *path, char **ret_data, gsize *ret_len, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (fd < 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s: cannot open: %s",
                    path, g_strerror(errno));
        return FALSE;
    }
    if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s: not a regular file",
                    path);
        close(fd);
        return FALSE;
    }
    buf = g_malloc(65536 + 1);
    gsize cap = 65536;
    for (;;) {
        ssize_t n;
        if (len == cap) {
            if (cap >= VMC_MAX_INPUT_SIZE) {
                g_set_error(error, VMC_ERROR, VMC_ERROR_LIMIT,
                            "%s: file larger than the %d MiB input limit",
                            path, VMC_MAX_INPUT_SIZE / (1024 * 1024));
                close(fd);
                return FALSE;
            }
            cap *= 2;
            buf = g_realloc(buf, cap + 1);
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            g_set_error(error, VMC_ERROR, VMC_ERROR_IO, "%s: read error: %s",
                        path, g_strerror(errno));
            close(fd);
            return FALSE;
        }
        if (n == 0)
            break;
        len += (gsize) n;
    }
    close(fd);
    if (len == 0) {
        g_set_error(error, VMC_ERROR, VMC_ERROR_PARSE, "%s:1: empty file", path);
        return FALSE;
    }
    buf[len] = '\0';
    *ret_data = g_steal_pointer(&buf);
    if (ret_len)
        *ret_len = len;
    return TRUE;
}

gboolean
vmc_parse_uint32(const char *s, guint32 *ret)
{
    guint64 v;
    char *end = NULL;

    if (!s || !*s)
        return FALSE;
    errno = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        v = g_ascii_strtoull(s + 2, &end, 16);
    else
        v = g_ascii_strtoull(s, &end, 10);
    if (errno || !end || *end || v > G_MAXUINT32 ||
        (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && end == s + 2))
        return FALSE;
    *ret = (guint32) v;
    return TRUE;
}

gboolean
vmc_strv_contains0(const char *const *strv, const char *s)
{
    return strv && g_strv_contains(strv, s);
}

gint
vmc_strptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}
