/* error.c: the vmcompat GError domain and the arch name table. */
#include <vmcompat/error.h>
#include <vmcompat/arch.h>

G_DEFINE_QUARK(vmc-error-quark, vmc_error)

static const char *const vmc_arch_names[] = {
    [VMC_ARCH_X86_64] = "x86_64",
    [VMC_ARCH_S390X] = "s390x",
};
G_STATIC_ASSERT(G_N_ELEMENTS(vmc_arch_names) == VMC_ARCH_N);

const char *
vmc_arch_to_string(VmcArch arch)
{
    if ((guint) arch >= VMC_ARCH_N)
        return NULL;
    return vmc_arch_names[arch];
}

VmcArch
vmc_arch_from_string(const char *name)
{
    if (!name)
        return VMC_ARCH_N;
    if (g_str_equal(name, "x86_64") || g_str_equal(name, "x86") ||
        g_str_equal(name, "i686") || g_str_equal(name, "i386") ||
        g_str_equal(name, "amd64"))
        return VMC_ARCH_X86_64;
    if (g_str_equal(name, "s390x") || g_str_equal(name, "s390"))
        return VMC_ARCH_S390X;
    return VMC_ARCH_N;
}
