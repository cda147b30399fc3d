/* host-kernel-private.h: kernel releases for vmc_host_with_kernel() and
 * its callers (the fleet checks --to-kernel before any work). Not
 * installed. */
#pragma once

#include <vmcompat/host.h>

/* A mainline Linux release "X.Y" or "X.Y.Z" into {X, Y, Z} (Z 0 when
 * absent). Errors: VMC_ERROR_PARSE (not a release: "abc", "6"),
 * VMC_ERROR_UNSUPPORTED (a distribution or development kernel:
 * "5.14.0-427.el9", "6.9-rc1"). @ret untouched on failure. */
gboolean vmc__kernel_release_parse(const char *kernel, guint ret[3], GError **error);
