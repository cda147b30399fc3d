/* error.h: the vmcompat GError domain.
 *
 * Every runtime failure of the library is reported through a GError in
 * VMC_ERROR with one of these codes. Programming errors are not GErrors.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VMC_ERROR (vmc_error_quark())

/**
 * VmcErrorCode:
 * @VMC_ERROR_PARSE: malformed input (XML, JSON, command line, dump)
 * @VMC_ERROR_UNKNOWN: a well-formed input names an unknown model, feature, ...
 * @VMC_ERROR_UNSUPPORTED: the operation is not available for this arch/input
 * @VMC_ERROR_INCOMPATIBLE: the inputs cannot be combined (vendors differ, ...)
 * @VMC_ERROR_HOST_CAPABILITY: the host lacks a capability the guest needs
 * @VMC_ERROR_IO: reading or writing a file failed
 * @VMC_ERROR_LIMIT: a bound on a user-controlled size was exceeded
 * @VMC_ERROR_CATALOG: the catalog data is inconsistent
 * @VMC_ERROR_FAILED: anything else
 *
 * Since: 0.1
 */
typedef enum {
    VMC_ERROR_PARSE,
    VMC_ERROR_UNKNOWN,
    VMC_ERROR_UNSUPPORTED,
    VMC_ERROR_INCOMPATIBLE,
    VMC_ERROR_HOST_CAPABILITY,
    VMC_ERROR_IO,
    VMC_ERROR_LIMIT,
    VMC_ERROR_CATALOG,
    VMC_ERROR_FAILED,
} VmcErrorCode;

GQuark vmc_error_quark(void);

G_END_DECLS
