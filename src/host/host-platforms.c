/* host-platforms.c: which platforms a host supports (query-platforms) and
 * its default — the newest it supports, not the newest known (seed 004). */
#include <stdio.h>
#include <string.h>

#include <vmcompat/host.h>

void
vmc_host_platform_clear(VmcHostPlatform *row)
{
    if (row)
        g_clear_pointer(&row->missing, g_ptr_array_unref);
}

static void
vmc_host_platform_clear_cb(gpointer p)
{
    vmc_host_platform_clear(p);
}

GArray *
vmc_host_query_platforms(const VmcHost *host, const VmcCatalog *cat)
{
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(VmcHostPlatform));
    VmcArch arch = vmc_host_get_arch(host);
    g_autofree char *kernel = vmc_host_kernel_version(host);
    guint kmajor = 0, kminor = 0;
    gint last = -1, last_not_newer = -1;

    if (kernel)
        sscanf(kernel, "%u.%u", &kmajor, &kminor);

    g_array_set_clear_func(rows, vmc_host_platform_clear_cb);
    for (guint i = 0; i < vmc_catalog_platform_count(cat); i++) {
        const VmcPlatform *p = vmc_catalog_platform(cat, i);
        g_autoptr(GPtrArray) caps = vmc_platform_capabilities(p, arch);
        VmcHostPlatform row = {
            .platform = p,
            .missing = g_ptr_array_new_with_free_func(g_free),
        };
        for (guint c = 0; c < caps->len; c++)
            if (!vmc_host_has_capability(host, g_ptr_array_index(caps, c)))
                g_ptr_array_add(row.missing, g_strdup(g_ptr_array_index(caps, c)));
        row.supported = row.missing->len == 0;
        if (row.supported) {
            guint pmajor = 0, pminor = 0;
            last = (gint) rows->len;
            sscanf(vmc_platform_get_kernel(p), "%u.%u", &pmajor, &pminor);
            if (kernel && (pmajor < kmajor || (pmajor == kmajor && pminor <= kminor)))
                last_not_newer = (gint) rows->len;
        }
        g_array_append_val(rows, row);
    }
    /* The newest supported platform; among platforms the capabilities
     * cannot tell apart, not one newer than the host's own kernel. */
    if (last_not_newer >= 0)
        last = last_not_newer;
    if (last >= 0)
        g_array_index(rows, VmcHostPlatform, last).is_default = TRUE;
    return rows;
}

const VmcPlatform *
vmc_host_default_platform(const VmcHost *host, const VmcCatalog *cat)
{
    g_autoptr(GArray) rows = vmc_host_query_platforms(host, cat);
    for (guint i = 0; i < rows->len; i++)
        if (g_array_index(rows, VmcHostPlatform, i).is_default)
            return g_array_index(rows, VmcHostPlatform, i).platform;
    return NULL;
}

char *
vmc_host_kernel_version(const VmcHost *host)
{
    const char *k = vmc_host_get_kernel(host);
    const char *p = k;
    int dots = 0;

    if (!k || !g_ascii_isdigit(*k))
        return NULL;
    while (*p && (g_ascii_isdigit(*p) || (*p == '.' && dots++ < 1)))
        p++;
    if (dots < 1)
        return NULL;
    return g_strndup(k, (gsize) (p - k));
}
