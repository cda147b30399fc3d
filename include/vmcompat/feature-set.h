/* feature-set.h: per-arch CPU feature bitmap.
 *
 * A VmcFeatureSet is a fixed-width bitmap indexed by the dense feature ids a
 * VmcCatalog assigns per arch (0 .. vmc_catalog_feature_count()-1). It is a
 * plain value: copy it with `=`, keep it on the stack.
 *
 * Cheat-sheet (all pure, NULL is a programming error):
 *   vmc_feature_set_clear(s)            s := {}
 *   vmc_feature_set_add(s, i)           s := s ∪ {i}
 *   vmc_feature_set_remove(s, i)        s := s − {i}
 *   vmc_feature_set_has(s, i)           i ∈ s
 *   vmc_feature_set_or(d, a, b)         d := a ∪ b
 *   vmc_feature_set_and(d, a, b)        d := a ∩ b
 *   vmc_feature_set_andnot(d, a, b)     d := a − b
 *   vmc_feature_set_is_empty(s)         s = {}
 *   vmc_feature_set_equal(a, b)         a = b
 *   vmc_feature_set_is_subset(a, b)     a ⊆ b
 *   vmc_feature_set_intersects(a, b)    a ∩ b ≠ {}
 *   vmc_feature_set_count(s)            |s|
 *   vmc_feature_set_next(s, i)          smallest member ≥ i, or -1
 *
 * Workload: test ≫ set; compare/baseline over thousands of sets is the hot
 * path, so everything is inline word arithmetic.
 */
#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

#define VMC_FEATURE_SET_BITS 1024
#define VMC_FEATURE_SET_WORDS (VMC_FEATURE_SET_BITS / 64)

/**
 * VmcFeatureSet:
 * @w: the bits; bit i is word i/64, bit i%64. Bits ≥ the arch's feature
 *     count are always zero.
 *
 * Since: 0.1
 */
typedef struct {
    guint64 w[VMC_FEATURE_SET_WORDS];
} VmcFeatureSet;

static inline void
vmc_feature_set_clear(VmcFeatureSet *s)
{
    memset(s, 0, sizeof(*s));
}

static inline void
vmc_feature_set_add(VmcFeatureSet *s, guint i)
{
    g_assert(i < VMC_FEATURE_SET_BITS);
    s->w[i / 64] |= G_GUINT64_CONSTANT(1) << (i % 64);
}

static inline void
vmc_feature_set_remove(VmcFeatureSet *s, guint i)
{
    g_assert(i < VMC_FEATURE_SET_BITS);
    s->w[i / 64] &= ~(G_GUINT64_CONSTANT(1) << (i % 64));
}

static inline gboolean
vmc_feature_set_has(const VmcFeatureSet *s, guint i)
{
    if (i >= VMC_FEATURE_SET_BITS)
        return FALSE;
    return (s->w[i / 64] >> (i % 64)) & 1;
}

static inline void
vmc_feature_set_or(VmcFeatureSet *d, const VmcFeatureSet *a, const VmcFeatureSet *b)
{
    for (guint k = 0; k < VMC_FEATURE_SET_WORDS; k++)
        d->w[k] = a->w[k] | b->w[k];
}

static inline void
vmc_feature_set_and(VmcFeatureSet *d, const VmcFeatureSet *a, const VmcFeatureSet *b)
{
    for (guint k = 0; k < VMC_FEATURE_SET_WORDS; k++)
        d->w[k] = a->w[k] & b->w[k];
}

static inline void
vmc_feature_set_andnot(VmcFeatureSet *d, const VmcFeatureSet *a, const VmcFeatureSet *b)
{
    for (guint k = 0; k < VMC_FEATURE_SET_WORDS; k++)
        d->w[k] = a->w[k] & ~b->w[k];
}

static inline gboolean
vmc_feature_set_is_empty(const VmcFeatureSet *s)
{
    guint64 acc = 0;
    for (guint k = 0; k < VMC_FEATURE_SET_WORDS; k++)
        acc |= s->w[k];
    return acc == 0;
}

static inline gboolean
vmc_feature_set_equal(const VmcFeatureSet *a, const VmcFeatureSet *b)
{
    guint64 acc = 0;
    for (guint k = 0; k < VMC_FEATURE_SET_WORDS; k++)
        acc |= a->w[k] ^ b->w[k];
    return acc == 0;
}

static inline gboolean
vmc_feature_set_is_subset(const VmcFeatureSet *a, const VmcFeatureSet *b)
{
    guint64 acc = 0;
    for (guint k = 0; k < VMC_FEATURE_SET_WORDS; k++)
        acc |= a->w[k] & ~b->w[k];
    return acc == 0;
}

static inline gboolean
vmc_feature_set_intersects(const VmcFeatureSet *a, const VmcFeatureSet *b)
{
    guint64 acc = 0;
    for (guint k = 0; k < VMC_FEATURE_SET_WORDS; k++)
        acc |= a->w[k] & b->w[k];
    return acc != 0;
}

static inline guint
vmc_feature_set_count(const VmcFeatureSet *s)
{
    guint n = 0;
    for (guint k = 0; k < VMC_FEATURE_SET_WORDS; k++)
        n += (guint) __builtin_popcountll(s->w[k]);
    return n;
}

static inline gint
vmc_feature_set_next(const VmcFeatureSet *s, guint i)
{
    while (i < VMC_FEATURE_SET_BITS) {
        guint64 word = s->w[i / 64] >> (i % 64);
        if (word)
            return (gint) (i + (guint) __builtin_ctzll(word));
        i = (i / 64 + 1) * 64;
    }
    return -1;
}

/* Iterate over the members of a set in ascending order. */
#define VMC_FEATURE_SET_FOREACH(s, i) \
    for (gint i = vmc_feature_set_next((s), 0); i >= 0; \
         i = vmc_feature_set_next((s), (guint) i + 1))

G_END_DECLS
