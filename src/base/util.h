/* util.h: small shared helpers of the library (not public API). */
#pragma once

#include <glib.h>

/* Bounds on user-controlled sizes. */
#define VMC_MAX_INPUT_SIZE (64 * 1024 * 1024)

/*
 * vmc_enum_from_string:
 * Index of @s in the NULL-free @table of @n entries, or -1.
 */
int vmc_enum_from_string(const char *const *table, guint n, const char *s);

/*
 * vmc_file_read:
 * Reads a whole file, refusing more than VMC_MAX_INPUT_SIZE bytes and empty
 * files, with errors that name the file.
 */
gboolean vmc_file_read(const char *path, char **ret_data, gsize *ret_len,
                       GError **error);

/* vmc_parse_uint32: strict hex ("0x..") or decimal uint32. */
gboolean vmc_parse_uint32(const char *s, guint32 *ret);

/* vmc_strv_contains0: like g_strv_contains but @strv may be NULL. */
gboolean vmc_strv_contains0(const char *const *strv, const char *s);

/* vmc_strptr_cmp: strcmp for g_ptr_array_sort() over char* elements. */
gint vmc_strptr_cmp(gconstpointer a, gconstpointer b);
