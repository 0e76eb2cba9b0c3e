/*
 * test_ops_vec.c - the block list (push, splice, free) and the
 * order-preserving keys of int64 and double.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Sum and count of slots by walking the blocks. */
static void walk(const ops_vec *v, uint64_t *n, uint64_t *sum, size_t *blocks)
{
    *n = *sum = 0;
    *blocks = 0;
    for (const ops_block *b = v->head; b; b = b->next) {
        assert_true(b->n <= OPS_VEC_BLOCK);
        for (uint32_t i = 0; i < b->n; i++)
            *sum += b->slot[i];
        *n += b->n;
        (*blocks)++;
    }
}

static void fill(ops_vec *v, uint64_t first, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        assert_int_equal(ops_vec_push(v, first + i), 0);
}

static void test_push_fills_blocks(void **state)
{
    (void)state;
    ops_vec v;
    ops_vec_init(&v);
    assert_null(v.head);
    assert_int_equal(v.n, 0);
    fill(&v, 1, 3 * OPS_VEC_BLOCK + 5);
    uint64_t n, sum;
    size_t blocks;
    walk(&v, &n, &sum, &blocks);
    assert_int_equal(n, 3 * OPS_VEC_BLOCK + 5);
    assert_int_equal(v.n, n);
    assert_int_equal(blocks, 4);
    assert_int_equal(sum, n * (n + 1) / 2);
    /* newest first: the head holds the last values pushed */
    assert_int_equal(v.head->n, 5);
    assert_int_equal(v.head->slot[4], n);
    ops_vec_free(&v);
    assert_null(v.head);
    assert_int_equal(v.n, 0);
    ops_vec_free(&v); /* freeing twice is harmless */
}

static void check_splice(uint64_t na, uint64_t nb)
{
    ops_vec a, b;
    ops_vec_init(&a);
    ops_vec_init(&b);
    fill(&a, 1, na);
    fill(&b, na + 1, nb);
    ops_vec_splice(&a, &b);
    assert_null(b.head);
    assert_int_equal(b.n, 0);
    uint64_t n, sum;
    size_t blocks;
    walk(&a, &n, &sum, &blocks);
    assert_int_equal(n, na + nb);
    assert_int_equal(a.n, na + nb);
    assert_int_equal(sum, n * (n + 1) / 2);
    /* pushing after a splice keeps every value */
    fill(&a, n + 1, OPS_VEC_BLOCK + 1);
    walk(&a, &n, &sum, &blocks);
    assert_int_equal(n, na + nb + OPS_VEC_BLOCK + 1);
    assert_int_equal(a.n, n);
    assert_int_equal(sum, n * (n + 1) / 2);
    ops_vec_free(&a);
    ops_vec_free(&b);
}

static void test_splice(void **state)
{
    (void)state;
    static const uint64_t sizes[] = {
        0, 1, 7, OPS_VEC_BLOCK, OPS_VEC_BLOCK + 1, 3 * OPS_VEC_BLOCK - 2};
    size_t ns = sizeof sizes / sizeof sizes[0];
    for (size_t i = 0; i < ns; i++) {
        for (size_t j = 0; j < ns; j++)
            check_splice(sizes[i], sizes[j]);
    }
}

/* Large vecs (tens of blocks) spliced both ways, then grown further, keep
 * every value. */
static void test_large_vecs(void **state)
{
    (void)state;
    static const uint64_t sizes[][2] = {
        {70 * OPS_VEC_BLOCK + 3, 1},
        {1, 70 * OPS_VEC_BLOCK + 3},
        {64 * OPS_VEC_BLOCK, 65 * OPS_VEC_BLOCK - 1}};
    for (size_t k = 0; k < 3; k++) {
        ops_vec a, b;
        ops_vec_init(&a);
        ops_vec_init(&b);
        uint64_t na = sizes[k][0], nb = sizes[k][1];
        fill(&a, 1, na);
        fill(&b, na + 1, nb);
        ops_vec_splice(&a, &b);
        fill(&a, na + nb + 1, 40 * OPS_VEC_BLOCK);
        fill(&b, 1, 2); /* the emptied vec is usable again */
        uint64_t n, sum;
        size_t blocks;
        walk(&a, &n, &sum, &blocks);
        assert_int_equal(n, na + nb + 40 * OPS_VEC_BLOCK);
        assert_int_equal(a.n, n);
        assert_int_equal(sum, n * (n + 1) / 2);
        walk(&b, &n, &sum, &blocks);
        assert_int_equal(n, 2);
        assert_int_equal(sum, 3);
        ops_vec_free(&a);
        ops_vec_free(&b);
    }
}

static void test_splice_many(void **state)
{
    (void)state;
    ops_vec all;
    ops_vec_init(&all);
    uint64_t next = 1;
    for (int i = 0; i < 40; i++) {
        ops_vec part;
        ops_vec_init(&part);
        uint64_t n = (uint64_t)(i * 977) % (2 * OPS_VEC_BLOCK);
        fill(&part, next, n);
        next += n;
        ops_vec_splice(&all, &part);
        ops_vec_free(&part);
    }
    uint64_t n, sum;
    size_t blocks;
    walk(&all, &n, &sum, &blocks);
    assert_int_equal(n, next - 1);
    assert_int_equal(all.n, n);
    assert_int_equal(sum, n * (n + 1) / 2);
    ops_vec_free(&all);
}

static double from_bits(uint64_t bits)
{
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static uint64_t bits_of(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

/* Doubles in increasing order, ties only for nothing: -0.0 < +0.0. */
static const double ordered[] = {-INFINITY,
                                 -1.7976931348623157e308,
                                 -1e300,
                                 -2.5,
                                 -1.0,
                                 -2.2250738585072014e-308,
                                 -4.9e-324,
                                 -0.0,
                                 0.0,
                                 4.9e-324,
                                 2.2250738585072009e-308,
                                 2.2250738585072014e-308,
                                 1e-300,
                                 0.1,
                                 1.0,
                                 1.0000000000000002,
                                 2.0,
                                 1e300,
                                 1.7976931348623157e308,
                                 INFINITY};

static void test_f64_keys_order(void **state)
{
    (void)state;
    size_t n = sizeof ordered / sizeof ordered[0];
    for (size_t i = 0; i + 1 < n; i++)
        assert_true(ops_key_from_f64(ordered[i]) <
                    ops_key_from_f64(ordered[i + 1]));
    for (size_t i = 0; i < n; i++) {
        double back = ops_f64_from_key(ops_key_from_f64(ordered[i]));
        assert_int_equal(bits_of(back), bits_of(ordered[i]));
    }
    assert_int_equal(ops_key_from_f64(0.0), (uint64_t)1 << 63);
    assert_int_equal(ops_key_from_f64(-0.0), ((uint64_t)1 << 63) - 1);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_f64_keys_random(void **state)
{
    (void)state;
    uint64_t seed = 42;
    enum { N = 20000 };
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < N; i++) {
        do
            x[i] = from_bits(splitmix(&seed));
        while (isnan(x[i]));
    }
    qsort(x, N, sizeof *x, cmp_double);
    for (size_t i = 0; i < N; i++) {
        uint64_t k = ops_key_from_f64(x[i]);
        assert_int_equal(bits_of(ops_f64_from_key(k)), bits_of(x[i]));
        if (i > 0 && x[i - 1] < x[i])
            assert_true(ops_key_from_f64(x[i - 1]) < k);
    }
    free(x);
}

static void test_i64_keys(void **state)
{
    (void)state;
    static const int64_t v[] = {INT64_MIN, INT64_MIN + 1, -1000000, -1, 0, 1,
                                42,        INT64_MAX - 1, INT64_MAX};
    size_t n = sizeof v / sizeof v[0];
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(ops_i64_from_key(ops_key_from_i64(v[i])), v[i]);
        if (i + 1 < n)
            assert_true(ops_key_from_i64(v[i]) < ops_key_from_i64(v[i + 1]));
    }
    assert_int_equal(ops_key_from_i64(INT64_MIN), 0);
    assert_int_equal(ops_key_from_i64(INT64_MAX), UINT64_MAX);
    assert_int_equal(ops_key_from_i64(0), (uint64_t)1 << 63);
    uint64_t seed = 7;
    for (int i = 0; i < 10000; i++) {
        int64_t a = (int64_t)(splitmix(&seed) >> 1) - (INT64_MAX / 2);
        int64_t b = (int64_t)(splitmix(&seed) >> 1) - (INT64_MAX / 2);
        assert_int_equal(ops_key_from_i64(a) < ops_key_from_i64(b), a < b);
        assert_int_equal(ops_i64_from_key(ops_key_from_i64(a)), a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_push_fills_blocks),
        cmocka_unit_test(test_splice),
        cmocka_unit_test(test_splice_many),
        cmocka_unit_test(test_large_vecs),
        cmocka_unit_test(test_f64_keys_order),
        cmocka_unit_test(test_f64_keys_random),
        cmocka_unit_test(test_i64_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
