/*
 * test_ops_select.c - ops_select_ranks against a full sort.
 *
 * Every data set is split over 1, 3 and 8 vecs (big ones over 3 and 8;
 * some vecs empty, some spliced so that partly filled blocks sit in the
 * middle of a list); every split must give the keys of the sorted array at
 * the requested ranks. Sets above 2^18 keys go through the histogram
 * passes; smaller ones are copied whole. Seeds are fixed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

#define BIG (700 * 1000) /* well above the copy budget of 2^18 keys */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform01(uint64_t *s)
{
    return (double)(splitmix(s) >> 11) * 0x1p-53;
}

/* The reference: an LSD radix sort (qsort would dominate the run time). */
static void sort_keys(uint64_t *a, size_t n)
{
    uint64_t *tmp = malloc(n * sizeof *tmp);
    size_t *count = malloc(65536 * sizeof *count);
    assert_non_null(tmp);
    assert_non_null(count);
    for (unsigned shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(a[i] >> shift) & 0xFFFF]++;
        size_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i] >> shift) & 0xFFFF]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
    free(tmp);
    free(count);
}

/* Spreads keys over nv vecs at random; vec 0 stays empty when nv > 2, and
 * the last vec is built in two halves spliced together. */
static void split(const uint64_t *keys, size_t n, ops_vec *v, size_t nv,
                  uint64_t seed)
{
    ops_vec extra;
    ops_vec_init(&extra);
    for (size_t i = 0; i < nv; i++)
        ops_vec_init(&v[i]);
    for (size_t i = 0; i < n; i++) {
        size_t to = nv > 2 ? 1 + splitmix(&seed) % (nv - 1) : 0;
        ops_vec *dst = (to == nv - 1 && (i & 1)) ? &extra : &v[to];
        assert_int_equal(ops_vec_push(dst, keys[i]), 0);
    }
    ops_vec_splice(&v[nv - 1], &extra);
}

static void free_split(ops_vec *v, size_t nv)
{
    for (size_t i = 0; i < nv; i++)
        ops_vec_free(&v[i]);
}

/* Selects ranks over keys split 1, 3 and 8 ways and compares with sorted. */
static void check_ranks(const uint64_t *keys, size_t n, const uint64_t *ranks,
                        size_t nranks, const uint64_t *sorted)
{
    static const size_t splits[] = {1, 3, 8};
    uint64_t *got = malloc((nranks ? nranks : 1) * sizeof *got);
    assert_non_null(got);
    /* big sets: one split of each kind is enough (time under sanitizers) */
    size_t first = n > 100000 ? 1 : 0;
    for (size_t s = first; s < sizeof splits / sizeof splits[0]; s++) {
        ops_vec v[8];
        const ops_vec *vp[8];
        split(keys, n, v, splits[s], 1000 + s);
        for (size_t i = 0; i < splits[s]; i++)
            vp[i] = &v[i];
        assert_int_equal(ops_select_ranks(vp, splits[s], ranks, nranks, got),
                         0);
        for (size_t i = 0; i < nranks; i++) {
            if (got[i] != sorted[ranks[i]])
                fail_msg("n=%zu split=%zu rank=%llu: got %llx want %llx", n,
                         splits[s], (unsigned long long)ranks[i],
                         (unsigned long long)got[i],
                         (unsigned long long)sorted[ranks[i]]);
        }
        free_split(v, splits[s]);
    }
    free(got);
}

/* Ranks pandas asks for (floor and ceiling of several percentiles), the
 * ends, random ones and repeats, in no particular order. */
static size_t pick_ranks(size_t n, uint64_t *r, uint64_t seed)
{
    static const double q[] = {0.25, 0.5, 0.75, 0.05, 0.95, 0.001, 0.999};
    size_t k = 0;
    r[k++] = n - 1;
    r[k++] = 0;
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        uint64_t lo = (uint64_t)((double)(n - 1) * q[i]);
        r[k++] = lo;
        r[k++] = lo + 1 < n ? lo + 1 : lo;
    }
    for (int i = 0; i < 12; i++)
        r[k++] = splitmix(&seed) % n;
    r[k++] = r[2]; /* a repeat */
    r[k++] = n > 1 ? 1 : 0;
    r[k++] = n > 1 ? n - 2 : 0;
    return k;
}

/* Checks keys[0..n) with pick_ranks, or every rank when n is small. */
static void check_keys(uint64_t *keys, size_t n)
{
    uint64_t *sorted = malloc(n * sizeof *sorted);
    assert_non_null(sorted);
    memcpy(sorted, keys, n * sizeof *keys);
    sort_keys(sorted, n);
    if (n <= 2000) {
        uint64_t *all = malloc(n * sizeof *all);
        assert_non_null(all);
        for (size_t i = 0; i < n; i++)
            all[i] = n - 1 - i;
        check_ranks(keys, n, all, n, sorted);
        free(all);
    } else {
        uint64_t r[64];
        check_ranks(keys, n, r, pick_ranks(n, r, n), sorted);
    }
    free(sorted);
}

typedef double (*gen_f64)(uint64_t *seed, size_t i);

static void check_f64(gen_f64 gen, size_t n, uint64_t seed)
{
    uint64_t *keys = malloc(n * sizeof *keys);
    assert_non_null(keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = ops_key_from_f64(gen(&seed, i));
    check_keys(keys, n);
    free(keys);
}

static double gen_uniform(uint64_t *s, size_t i)
{
    (void)i;
    return uniform01(s);
}

static double gen_wide(uint64_t *s, size_t i)
{
    (void)i;
    return (uniform01(s) - 0.5) * 2e6;
}

static double gen_normalish(uint64_t *s, size_t i)
{
    (void)i;
    return 100 + 15 * (uniform01(s) + uniform01(s) + uniform01(s) +
                       uniform01(s) - 2.0);
}

static double gen_narrow(uint64_t *s, size_t i)
{
    (void)i;
    return 1.0 + uniform01(s) * 1e-4;
}

static double gen_half_same(uint64_t *s, size_t i)
{
    return (i & 1) ? 0.5 : uniform01(s);
}

static double gen_log_spread(uint64_t *s, size_t i)
{
    double x = pow(10.0, uniform01(s) * 600 - 300);
    return (i % 3 == 0) ? -x : x;
}

static double gen_specials(uint64_t *s, size_t i)
{
    static const double sp[] = {INFINITY, -INFINITY, 0.0, -0.0, 1.0, -1.0};
    uint64_t r = splitmix(s);
    (void)i;
    return (r & 3) ? sp[r % 6] : (uniform01(s) - 0.5) * 1e308;
}

static double gen_spikes(uint64_t *s, size_t i)
{
    /* 30 values holding most keys, with a little noise next to each */
    double base = 1.0 + (double)(splitmix(s) % 30) * 0.03125;
    return (i % 16 == 0) ? base + uniform01(s) * 1e-9 : base;
}

static double gen_wide_spikes(uint64_t *s, size_t i)
{
    /* 60 values far apart (each in its own top-16-bit bucket) */
    double base = pow(2.0, (double)(splitmix(s) % 60) * 0.37);
    return (i % 64 == 0) ? base * (1 + uniform01(s) * 1e-12) : base;
}

static double gen_two_spikes(uint64_t *s, size_t i)
{
    /* two runs far apart with a little spread between them */
    size_t r = i % 20;
    return r < 9 ? 0.0 : r < 18 ? 1e9 : uniform01(s) * 1e9;
}

static void test_small_doubles(void **state)
{
    (void)state;
    static const gen_f64 gens[] = {
        gen_uniform,  gen_wide,      gen_normalish,
        gen_narrow,   gen_half_same, gen_log_spread,
        gen_specials, gen_spikes,    gen_wide_spikes};
    static const size_t sizes[] = {1, 2, 3, 5, 17, 100, 1999, 50000};
    for (size_t g = 0; g < sizeof gens / sizeof gens[0]; g++) {
        for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++)
            check_f64(gens[g], sizes[z], 10 * g + z);
    }
}

static void test_big_uniform(void **state)
{
    (void)state;
    check_f64(gen_uniform, BIG, 1);
}

static void test_big_normalish(void **state)
{
    (void)state;
    check_f64(gen_normalish, BIG, 2);
}

static void test_big_narrow(void **state)
{
    (void)state;
    check_f64(gen_narrow, BIG, 3);
}

static void test_big_half_same(void **state)
{
    (void)state;
    check_f64(gen_half_same, BIG, 4);
}

static void test_big_specials(void **state)
{
    (void)state;
    check_f64(gen_specials, BIG, 5);
}

static void test_big_log_spread(void **state)
{
    (void)state;
    check_f64(gen_log_spread, BIG, 6);
}

/* Selects nranks evenly spread ranks of keys[0..n). */
static void check_spread(uint64_t *keys, size_t n, size_t nranks)
{
    uint64_t *sorted = malloc(n * sizeof *sorted);
    uint64_t *ranks = malloc(nranks * sizeof *ranks);
    assert_non_null(sorted);
    assert_non_null(ranks);
    memcpy(sorted, keys, n * sizeof *keys);
    sort_keys(sorted, n);
    for (size_t i = 0; i < nranks; i++)
        ranks[i] = nranks == 1 ? n / 2
                               : (uint64_t)((double)(n - 1) * (double)i /
                                            (double)(nranks - 1));
    check_ranks(keys, n, ranks, nranks, sorted);
    free(sorted);
    free(ranks);
}

static void check_spread_ranks(gen_f64 gen, size_t nranks, uint64_t seed)
{
    size_t n = BIG;
    uint64_t *keys = malloc(n * sizeof *keys);
    assert_non_null(keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = ops_key_from_f64(gen(&seed, i));
    check_spread(keys, n, nranks);
    free(keys);
}

/* More windows than one pass takes (255): the rest wait for the next. */
static void test_big_many_windows(void **state)
{
    (void)state;
    size_t n = BIG;
    uint64_t seed = 12, *keys = malloc(n * sizeof *keys);
    assert_non_null(keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = splitmix(&seed); /* int64 keys over the full range */
    check_spread(keys, n, 700);
    free(keys);
}

/* Many windows at once: more than fit in one pass's copy budget and
 * histogram slots, so some wait for a later pass. */
static void test_big_spikes_many_ranks(void **state)
{
    (void)state;
    check_spread_ranks(gen_spikes, 400, 7);
    check_spread_ranks(gen_wide_spikes, 300, 8);
}

/* One target inside a big run of equal keys: the windows narrow one at a
 * time down to that run. */
static void test_big_single_rank(void **state)
{
    (void)state;
    check_spread_ranks(gen_half_same, 1, 9);
    check_spread_ranks(gen_wide_spikes, 1, 10);
    check_spread_ranks(gen_two_spikes, 5, 11);
}

static void check_ints(int64_t lo, uint64_t span, size_t n, uint64_t seed)
{
    uint64_t *keys = malloc(n * sizeof *keys);
    assert_non_null(keys);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = splitmix(&seed);
        uint64_t off = span == UINT64_MAX ? r : r % (span + 1);
        keys[i] = ops_key_from_i64((int64_t)((uint64_t)lo + off));
    }
    check_keys(keys, n);
    free(keys);
}

static void test_ints(void **state)
{
    (void)state;
    check_ints(0, 0, 1000, 1);    /* all equal */
    check_ints(-5, 1, 3000, 2);   /* two values */
    check_ints(0, 999, 50000, 3); /* many duplicates */
    check_ints(INT64_MIN, UINT64_MAX, 50000, 4);
    check_ints(INT64_MAX - 10, 10, 1000, 5);
    check_ints(0, 999, BIG, 6);
    check_ints(-1000000000, 2000000000, BIG, 7);
    check_ints(INT64_MIN, UINT64_MAX, BIG, 8);
}

static void test_all_equal_big(void **state)
{
    (void)state;
    check_ints(123, 0, BIG, 9);
}

/* uint64 keys are the values themselves; top bits all set here. */
static void test_uint64(void **state)
{
    (void)state;
    size_t n = BIG;
    uint64_t seed = 11, *keys = malloc(n * sizeof *keys);
    assert_non_null(keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = UINT64_MAX - splitmix(&seed) % 100000;
    check_keys(keys, n);
    for (size_t i = 0; i < 1000; i++)
        keys[i] = (i % 2) ? UINT64_MAX : 0;
    check_keys(keys, 1000);
    free(keys);
}

static void test_edges(void **state)
{
    (void)state;
    ops_vec a, b;
    ops_vec_init(&a);
    ops_vec_init(&b);
    const ops_vec *v[2] = {&a, &b};
    uint64_t r[3] = {0, 0, 0}, k[3] = {9, 9, 9};
    /* nothing to select: fine even with no data */
    assert_int_equal(ops_select_ranks(v, 2, r, 0, k), 0);
    assert_int_equal(ops_select_ranks(NULL, 0, r, 0, k), 0);
    /* a rank past the data is refused */
    assert_int_equal(ops_select_ranks(v, 2, r, 1, k), -1);
    assert_int_equal(ops_vec_push(&b, 77), 0);
    assert_int_equal(ops_select_ranks(v, 2, r, 3, k), 0);
    assert_int_equal(k[0], 77);
    assert_int_equal(k[2], 77);
    r[1] = 1;
    assert_int_equal(ops_select_ranks(v, 2, r, 3, k), -1);
    ops_vec_free(&a);
    ops_vec_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_small_doubles),
        cmocka_unit_test(test_ints),
        cmocka_unit_test(test_uint64),
        cmocka_unit_test(test_all_equal_big),
        cmocka_unit_test(test_big_uniform),
        cmocka_unit_test(test_big_normalish),
        cmocka_unit_test(test_big_narrow),
        cmocka_unit_test(test_big_half_same),
        cmocka_unit_test(test_big_specials),
        cmocka_unit_test(test_big_log_spread),
        cmocka_unit_test(test_big_spikes_many_ranks),
        cmocka_unit_test(test_big_single_rank),
        cmocka_unit_test(test_big_many_windows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
