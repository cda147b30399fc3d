/* migrate.c: check modes and the migration / restore verdicts (seed 001).
 * Rules: docs/migration.md. */
#include <string.h>

#include "guest/guest-private.h"
#include <vmcompat/migrate.h>

static const char *const check_mode_names[VMC_CHECK_N] = {
    [VMC_CHECK_DEFAULT] = "default",
    [VMC_CHECK_NONE] = "none",
    [VMC_CHECK_PARTIAL] = "partial",
    [VMC_CHECK_FULL] = "full",
};

const char *
vmc_check_mode_to_string(VmcCheckMode mode)
{
    return (guint) mode < VMC_CHECK_N ? check_mode_names[mode] : NULL;
}

VmcCheckMode
vmc_check_mode_from_string(const char *name)
{
    for (guint i = 0; name && i < VMC_CHECK_N; i++)
        if (g_str_equal(name, check_mode_names[i]))
            return i;
    return VMC_CHECK_N;
}
