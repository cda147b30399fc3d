/* release.h: hypervisor releases ("qemu-7.2") — what a QEMU version knows.
 *
 * A release is written "qemu-X.Y" (a micro part, "qemu-7.2.22", is accepted
 * and ignored: stable releases add no machine types, models or features).
 * The catalog knows, per arch, the release that introduced each machine type
 * version, CPU model version and CPU feature ("since"); where only an upper
 * bound is known ("present in QEMU 7.2, exact release not researched") the
 * answer for an older release is VMC_RELEASE_KNOWS_UNKNOWN, never a guess.
 */
#pragma once

#include <glib.h>
#include <vmcompat/arch.h>
#include <vmcompat/catalog.h>

G_BEGIN_DECLS

typedef struct {
    guint major;
    guint minor;
} VmcRelease;

/* vmc_release_parse: "qemu-7.2", "7.2", "qemu-7.2.22", "7.2.0" → {7, 2}.
 * Errors are VMC_ERROR_PARSE naming the text. */
gboolean vmc_release_parse(const char *text, VmcRelease *ret, GError **error);
/* "qemu-X.Y" (transfer full). */
char *vmc_release_to_string(const VmcRelease *rel);
/* <0, 0, >0 like strcmp. */
int vmc_release_compare(const VmcRelease *a, const VmcRelease *b);

typedef enum {
    VMC_RELEASE_KNOWS_NO,       /* introduced after the release */
    VMC_RELEASE_KNOWS_YES,
    VMC_RELEASE_KNOWS_UNKNOWN,  /* the catalog only bounds the release */
} VmcReleaseKnows;

/* vmc_release_knows_model / _feature: whether QEMU release @rel has the CPU
 * model (a concrete name such as "Skylake-Client-v4") or feature. Names the
 * release table does not list are VMC_RELEASE_KNOWS_UNKNOWN. @since_out
 * (nullable) receives the release text the catalog records, or NULL. */
VmcReleaseKnows vmc_release_knows_model(const VmcCatalog *cat, VmcArch arch,
                                        const VmcRelease *rel,
                                        const char *model,
                                        const char **since_out);
VmcReleaseKnows vmc_release_knows_feature(const VmcCatalog *cat, VmcArch arch,
                                          const VmcRelease *rel,
                                          const char *feature,
                                          const char **since_out);

/* The newest release the catalog knows (its machine types' target). */
gboolean vmc_catalog_newest_release(const VmcCatalog *cat, VmcRelease *ret);

G_END_DECLS
