/* migrate.c: migration and restore verdicts (seed 001): an ABI checked on
 * a destination under a check mode, both ways. Rules: docs/migration.md. */
#include <string.h>

#include <vmcompat/migrate.h>

static gboolean
vmc_migrate_release(const VmcHost *host, VmcRelease *ret)
{
    const char *v = vmc_host_get_qemu_version(host);
    return v && vmc_release_parse(v, ret, NULL);
}

VmcVerdict *
vmc_migrate_check(const VmcAbi *abi, const VmcHost *src, const VmcHost *dst, VmcCpuCheck mode)
{
    VmcVerdict *v;
    g_autoptr(VmcVerdict) at_src = NULL;
    const VmcReason *bad;
    VmcRelease srel, drel;

    g_return_val_if_fail(abi && src && dst, vmc_verdict_new());
    v = vmc_abi_check_mode(abi, dst, mode);
    /* the guest must be what runs on the source: resolved there, exactly */
    at_src = vmc_abi_check(abi, src);
    bad = vmc_verdict_first_error(at_src);
    if (bad)
        vmc_verdict_add(v, VMC_SEVERITY_WARNING, "source-mismatch", bad->subject,
                        "the ABI does not run on the source host %s as resolved (%s); "
                        "was it resolved on another host?",
                        vmc_host_get_name(src) ? vmc_host_get_name(src) : "", bad->message);
    if (vmc_migrate_release(src, &srel) && vmc_migrate_release(dst, &drel) &&
        vmc_release_compare(&drel, &srel) < 0)
        vmc_verdict_add(v, VMC_SEVERITY_NOTE, "backward-migration", vmc_abi_get_machine(abi),
                        "QEMU %u.%u to the older QEMU %u.%u: QEMU migrates backwards only "
                        "with a machine type both have (here %s)",
                        srel.major, srel.minor, drel.major, drel.minor, vmc_abi_get_machine(abi));
    return v;
}
