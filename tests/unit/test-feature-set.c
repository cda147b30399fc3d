/* test-feature-set.c: the bitmap tested differentially against a naive
 * model (a gboolean array) on random sets, as SQLite tests bitvec.c. */
#include "harness.h"

#define N_ROUNDS 2000

typedef struct {
    gboolean b[VMC_FEATURE_SET_BITS];
} NaiveSet;

static void
random_sets(GRand *r, VmcFeatureSet *s, NaiveSet *n)
{
    /* Mix sparse, dense and word-edge heavy sets. */
    guint mode = g_rand_int_range(r, 0, 4);
    gint limit = mode == 3 ? 130 : VMC_FEATURE_SET_BITS;
    gint density = mode == 0 ? 2 : mode == 1 ? 50 : 98;

    vmc_feature_set_clear(s);
    memset(n, 0, sizeof(*n));
    for (gint i = 0; i < limit; i++) {
        if (g_rand_int_range(r, 0, 100) < density) {
            vmc_feature_set_add(s, (guint) i);
            n->b[i] = TRUE;
        }
    }
}

static void
check_equal(const VmcFeatureSet *s, const NaiveSet *n)
{
    guint count = 0;
    gint prev = -1;
    for (guint i = 0; i < VMC_FEATURE_SET_BITS; i++) {
        g_assert_cmpint(vmc_feature_set_has(s, i), ==, n->b[i]);
        count += n->b[i];
    }
    g_assert_cmpuint(vmc_feature_set_count(s), ==, count);
    g_assert_cmpint(vmc_feature_set_is_empty(s), ==, count == 0);
    /* Iteration visits exactly the members, ascending. */
    count = 0;
    VMC_FEATURE_SET_FOREACH(s, i) {
        g_assert_true(n->b[i]);
        g_assert_cmpint(i, >, prev);
        prev = i;
        count++;
    }
    g_assert_cmpuint(count, ==, vmc_feature_set_count(s));
}

static void
test_differential(void)
{
    g_autoptr(GRand) r = g_rand_new_with_seed(0x5eed);

    for (guint round = 0; round < N_ROUNDS; round++) {
        VmcFeatureSet a, b, d;
        NaiveSet na, nb, nd;
        gboolean subset = TRUE, inter = FALSE, eq = TRUE;

        random_sets(r, &a, &na);
        random_sets(r, &b, &nb);
        if (round % 7 == 0) {
            b = a;
            nb = na;
        }
        check_equal(&a, &na);

        vmc_feature_set_or(&d, &a, &b);
        for (guint i = 0; i < VMC_FEATURE_SET_BITS; i++)
            nd.b[i] = na.b[i] || nb.b[i];
        check_equal(&d, &nd);

        vmc_feature_set_and(&d, &a, &b);
        for (guint i = 0; i < VMC_FEATURE_SET_BITS; i++)
            nd.b[i] = na.b[i] && nb.b[i];
        check_equal(&d, &nd);

        vmc_feature_set_andnot(&d, &a, &b);
        for (guint i = 0; i < VMC_FEATURE_SET_BITS; i++)
            nd.b[i] = na.b[i] && !nb.b[i];
        check_equal(&d, &nd);

        for (guint i = 0; i < VMC_FEATURE_SET_BITS; i++) {
            if (na.b[i] && !nb.b[i])
                subset = FALSE;
            if (na.b[i] && nb.b[i])
                inter = TRUE;
            if (na.b[i] != nb.b[i])
                eq = FALSE;
        }
        g_assert_cmpint(vmc_feature_set_is_subset(&a, &b), ==, subset);
        g_assert_cmpint(vmc_feature_set_intersects(&a, &b), ==, inter);
        g_assert_cmpint(vmc_feature_set_equal(&a, &b), ==, eq);

        /* Single-bit edits at random positions, including word edges. */
        for (guint k = 0; k < 8; k++) {
            guint i = k < 4 ? (guint[]){ 0, 63, 64, VMC_FEATURE_SET_BITS - 1 }[k]
                            : (guint) g_rand_int_range(r, 0, VMC_FEATURE_SET_BITS);
            if (g_rand_boolean(r)) {
                vmc_feature_set_add(&a, i);
                na.b[i] = TRUE;
            } else {
                vmc_feature_set_remove(&a, i);
                na.b[i] = FALSE;
            }
        }
        check_equal(&a, &na);
    }
}

static void
test_bounds(void)
{
    VmcFeatureSet s;
    vmc_feature_set_clear(&s);
    g_assert_false(vmc_feature_set_has(&s, VMC_FEATURE_SET_BITS));
    g_assert_cmpint(vmc_feature_set_next(&s, 0), ==, -1);
    vmc_feature_set_add(&s, VMC_FEATURE_SET_BITS - 1);
    g_assert_cmpint(vmc_feature_set_next(&s, 0), ==, VMC_FEATURE_SET_BITS - 1);
    g_assert_cmpint(vmc_feature_set_next(&s, VMC_FEATURE_SET_BITS), ==, -1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/feature-set/differential", test_differential);
    g_test_add_func("/feature-set/bounds", test_bounds);
    return g_test_run();
}
