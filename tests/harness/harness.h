/* harness.h: shared helpers for vmcompat's GTest suites.
 *
 * - VMC_ASSERT_OK(expr, error): assert a GError-returning call succeeded,
 *   printing error->message on failure (libgit2 cl_git_pass style).
 * - vmc_test_shared_path(): a path under shared/ (QEMU/libvirt reference
 *   data), from $VMC_SHARED_DATA.
 * - vmc_test_golden(): compare text with an expected file; with
 *   VMC_TEST_REGENERATE_OUTPUT=1 the expected file is rewritten instead;
 *   VMC_TEST_DEBUG=1 prints a trimmed diff on mismatch.
 */
#pragma once

#include <glib.h>
#include <vmcompat/vmcompat.h>

#define VMC_ASSERT_OK(expr, error) \
    G_STMT_START { \
        if (!(expr)) { \
            g_test_message("%s:%d: %s failed: %s", __FILE__, __LINE__, #expr, \
                           (error) ? (error)->message : "(no error set)"); \
            g_test_fail(); \
            g_clear_error(&(error)); \
            return; \
        } \
    } G_STMT_END

/* The shared/ reference data directory, or skip the test when missing. */
const char *vmc_test_shared_dir(void);
/* A path under shared/ (transfer full). */
char *vmc_test_shared_path(const char *first, ...) G_GNUC_NULL_TERMINATED;
/* A path under the source tree (transfer full). */
char *vmc_test_source_path(const char *first, ...) G_GNUC_NULL_TERMINATED;
/* Read a file or fail the test (transfer full, NULL on failure). */
char *vmc_test_read(const char *path, gsize *len);
/* The built-in catalog (no overlays), cached per test binary. */
VmcCatalog *vmc_test_catalog(void);
/* A catalog whose x86 part is libvirt 10.7's cpu_map from shared/. */
VmcCatalog *vmc_test_cpu_map_catalog(void);
/* Compare @actual to the file @expected_path; regenerate when asked.
 * Returns TRUE when equal (or regenerated). */
gboolean vmc_test_golden(const char *expected_path, const char *actual);
/* vmc_cpu_models() rows by listed name; the table does not own them. */
GHashTable *vmc_test_rows_by_name(GArray *rows);
/* TRUE when the program @name is on PATH. */
gboolean vmc_test_have_program(const char *name);
