/* migrate.c: migration and restore verdicts (seed 001): an ABI checked on
 * a destination under a check mode, both ways. Rules: docs/migration.md. */
#include <string.h>

#include "catalog/catalog-private.h"
#include "migrate/migrate-private.h"
#include <vmcompat/migrate.h>

static gboolean
vmc_migrate_release(const VmcHost *host, VmcRelease *ret)
{
    const char *v = vmc_host_get_qemu_version(host);
    return v && vmc_release_parse(v, ret, NULL);
}

void
vmc__migrate_check_add(VmcVerdict *v, const VmcAbi *abi, const VmcHost *src,
                       const VmcVerdict *at_src, const VmcHost *dst)
{
    const VmcReason *bad = vmc_verdict_first_error(at_src);
    VmcRelease srel, drel;

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
}

VmcVerdict *
vmc_migrate_check(const VmcAbi *abi, const VmcHost *src, const VmcHost *dst, VmcCpuCheck mode)
{
    VmcVerdict *v;
    g_autoptr(VmcVerdict) at_src = NULL;

    g_return_val_if_fail(abi && src && dst, vmc_verdict_new());
    v = vmc_abi_check_mode(abi, dst, mode);
    /* the guest must be what runs on the source: resolved there, exactly */
    at_src = vmc_abi_check(abi, src);
    vmc__migrate_check_add(v, abi, src, at_src, dst);
    return v;
}

VmcVerdict *
vmc_restore_check(VmcCatalog *cat, const VmcSaveImage *img, const VmcHost *host,
                  VmcCpuCheck mode, VmcAbi **ret_abi)
{
    VmcVerdict *v = vmc_verdict_new();
    const VmcGuest *guest = vmc_save_image_get_guest(img);
    const VmcCpuDef *saw = vmc_save_image_get_cookie_cpu(img);
    g_autoptr(GError) error = NULL;
    g_autoptr(VmcAbi) abi = NULL;
    g_autoptr(VmcCpuDef) shown = NULL;
    VmcFeatureSet seen, present, asked, lost;
    gboolean have_asked = FALSE;

    if (ret_abi)
        *ret_abi = NULL;
    g_return_val_if_fail(cat && img && host, v);
    if (!guest) {
        vmc_verdict_add(v, VMC_SEVERITY_ERROR, "restore-unresolvable", NULL,
                        "the save image holds no readable domain");
        return v;
    }
    abi = vmc_guest_resolve(cat, guest, host, NULL, &error);
    if (!abi) {
        vmc_verdict_add(v, VMC_SEVERITY_ERROR, "restore-unresolvable", NULL, "%s", error->message);
        return v;
    }
    if (mode == VMC_CPU_CHECK_DEFAULT)
        mode = vmc_abi_get_check(abi);
    {
        const char *plat = vmc_abi_get_platform(abi);
        vmc_verdict_add(v, VMC_SEVERITY_NOTE, "platform-not-recorded", plat,
                        "a libvirt save image does not record the platform: host-dependent "
                        "tunables were resolved with this host's %s%s", plat ? "platform " : "",
                        plat ? plat : "defaults (no platform)");
    }
    if (!saw) {
        vmc_verdict_add(v, VMC_SEVERITY_WARNING, "cpu-not-recorded", NULL,
                        "the image has no save cookie CPU (libvirt before 3.x, or a CPU it "
                        "did not update): the CPU the guest saw cannot be compared");
    } else if ((shown = vmc_cpu_present(saw, vmc_host_get_cpu(host), vmc_abi_get_accel(abi), &error)) &&
               vmc_cpu_effective_features(shown, &seen, &error) &&
               vmc_cpu_effective_features(vmc_abi_get_cpu_updated(abi), &present, &error)) {
        /* @shown: the cookie CPU as QEMU presents it (accelerator defaults,
         * dependent features cleared), comparable with the ABI's updated */
        const VmcCpuDef *orig = vmc_abi_get_cpu_original(abi);
        vmc_feature_set_andnot(&lost, &seen, &present);
        if (mode == VMC_CPU_CHECK_PARTIAL && orig && vmc_cpu_def_get_mode(orig) == VMC_CPU_MODE_CUSTOM)
            have_asked = vmc_cpu_effective_features(orig, &asked, NULL);
        for (guint pass = 0; pass < 2; pass++) {   /* asked by the original, then added */
            VmcFeatureSet part;
            g_autofree char *list = NULL;
            gboolean is_asked = pass == 0;
            VmcSeverity sev;
            vmc_feature_set_clear(&part);
            VMC_FEATURE_SET_FOREACH(&lost, id) {
                gboolean a = !have_asked || vmc_feature_set_has(&asked, id);
                if (mode != VMC_CPU_CHECK_PARTIAL || a == is_asked)
                    vmc_feature_set_add(&part, id);
            }
            if (mode != VMC_CPU_CHECK_PARTIAL && pass == 1)
                break;
            if (vmc_feature_set_is_empty(&part))
                continue;
            sev = mode == VMC_CPU_CHECK_FULL || (mode == VMC_CPU_CHECK_PARTIAL && is_asked) ?
                  VMC_SEVERITY_ERROR : VMC_SEVERITY_WARNING;
            list = vmc__catalog_format_set(cat, vmc_abi_get_arch(abi), &part);
            vmc_verdict_add(v, sev, "cpu-feature-lost", list,
                            "the guest saw %s when it was saved; QEMU on this host would not "
                            "present %s (check=%s%s)", list,
                            vmc_feature_set_count(&part) == 1 ? "it" : "them",
                            vmc_cpu_check_to_string(mode),
                            sev == VMC_SEVERITY_ERROR ? "" :
                            ": the restored guest would lose them");
        }
    } else {
        vmc_verdict_add(v, VMC_SEVERITY_WARNING, "cpu-unknown", NULL,
                        "the CPUs cannot be compared: %s", error->message);
    }
    if (ret_abi)
        *ret_abi = g_steal_pointer(&abi);
    return v;
}
