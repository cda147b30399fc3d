/* fleet-gen.h: generated fleets for the store's crash test and import
 * benchmark — JSON Lines of host documents made from the 7 scenario hosts
 * (tests/data/hosts/scenario), fast enough for 100,000 lines.
 *
 * Line i: scenario document i % 7, named "h%07u", its kernel at another
 * patch level (X.Y.(i % 9)-(100 + i % 61)-generic: the same release), in
 * cluster "c<i % 20>" with labels {"rack": "r<i % 40>", "zone":
 * "z<i % 3>"}, and one capability flipped ((i / 7) % 11: none or one of
 * ten), so 77 host kinds. About 11-14 KB a line.
 *
 * VMC_TEST_FLEET_DISTINCT keeps every line's meaning but makes its large
 * members differ byte for byte from line to line (the QEMU binary path,
 * array order, whitespace): the worst case for the import's memo caches.
 */
#pragma once

#include <glib.h>

typedef struct _VmcTestFleetGen VmcTestFleetGen;

typedef enum {
    VMC_TEST_FLEET_PLAIN = 0,
    VMC_TEST_FLEET_DISTINCT = 1 << 0,
} VmcTestFleetFlags;

VmcTestFleetGen *vmc_test_fleet_gen_new(VmcTestFleetFlags flags, GError **error);
void vmc_test_fleet_gen_free(VmcTestFleetGen *gen);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VmcTestFleetGen, vmc_test_fleet_gen_free)

/* Append line @i (without its newline) to @out. */
void vmc_test_fleet_gen_line(VmcTestFleetGen *gen, guint i, GString *out);
/* Write lines [@first, @first + @n) to @path; ret_bytes: the file size. */
gboolean vmc_test_fleet_gen_write(VmcTestFleetGen *gen, const char *path, guint first, guint n,
                                  guint64 *ret_bytes, GError **error);
