/*
 * test_ops_select.c - ops_select_ranks against a full sort.
 *
 * Every data set is split over 1, 3 and 8 vecs (big ones over 3 and 8;
 * some vecs empty, some spliced so that partly filled blocks sit in the
 * middle of a list); every split must give the keys of the sorted array at
 * the requested ranks. A few ranks among 2^14 keys or more go through the
 * sample's brackets and one pass; many ranks among more than 2^18 keys
 * through the histogram passes; anything else is copied whole. Some sets
 * are laid out in one vec, in order: sorted, periodic, and sets built to
 * fool the sample, whose ranks the brackets cannot hold (those ranks fall
 * back to the histogram passes). Seeds are fixed.
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

/* ---- data in one vec, in a known order --------------------------------- */

/* Selects ranks over keys[0..n) pushed in order into one vec, and compares
 * with sorted. */
static void check_in_order(const uint64_t *keys, size_t n,
                           const uint64_t *ranks, size_t nranks)
{
    uint64_t *sorted = malloc(n * sizeof *sorted);
    uint64_t *got = malloc(nranks * sizeof *got);
    ops_vec v;
    const ops_vec *vp[1] = {&v};
    assert_non_null(sorted);
    assert_non_null(got);
    memcpy(sorted, keys, n * sizeof *keys);
    sort_keys(sorted, n);
    ops_vec_init(&v);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ops_vec_push(&v, keys[i]), 0);
    assert_int_equal(ops_select_ranks(vp, 1, ranks, nranks, got), 0);
    for (size_t i = 0; i < nranks; i++) {
        if (got[i] != sorted[ranks[i]])
            fail_msg("n=%zu rank=%llu: got %llx want %llx", n,
                     (unsigned long long)ranks[i], (unsigned long long)got[i],
                     (unsigned long long)sorted[ranks[i]]);
    }
    ops_vec_free(&v);
    free(sorted);
    free(got);
}

/* The ranks describe() asks for (quartiles, floor and ceiling) and the
 * ends. */
static size_t quartile_ranks(size_t n, uint64_t *r)
{
    static const double q[] = {0.25, 0.5, 0.75};
    size_t k = 0;
    for (size_t i = 0; i < 3; i++) {
        uint64_t lo = (uint64_t)((double)(n - 1) * q[i]);
        r[k++] = lo;
        r[k++] = lo + 1 < n ? lo + 1 : lo;
    }
    r[k++] = 0;
    r[k++] = n - 1;
    return k;
}

static void check_quartiles_in_order(const uint64_t *keys, size_t n)
{
    uint64_t r[8];
    check_in_order(keys, n, r, quartile_ranks(n, r));
    check_in_order(keys, n, r, 6); /* without the ends */
}

/* Ascending and descending keys, at sizes around the thresholds. */
static void test_sorted(void **state)
{
    (void)state;
    static const size_t sizes[] = {16383, 16384, 100000, 300000};
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        size_t n = sizes[z];
        uint64_t *keys = malloc(n * sizeof *keys);
        assert_non_null(keys);
        for (size_t i = 0; i < n; i++)
            keys[i] = ops_key_from_i64((int64_t)i - 5000);
        check_quartiles_in_order(keys, n);
        for (size_t i = 0; i < n; i++)
            keys[i] = ops_key_from_f64(1e6 - (double)i * 0.5);
        check_quartiles_in_order(keys, n);
        free(keys);
    }
}

/* Keys that repeat with a period: a run of the sample, the sample's
 * stride among 2^18 keys, a block. */
static void test_periodic(void **state)
{
    (void)state;
    static const size_t periods[] = {4, 128, 8192};
    size_t n = (size_t)1 << 18;
    uint64_t seed = 21, *keys = malloc(n * sizeof *keys);
    uint64_t *pattern = malloc(8192 * sizeof *pattern);
    assert_non_null(keys);
    assert_non_null(pattern);
    for (size_t p = 0; p < sizeof periods / sizeof periods[0]; p++) {
        for (size_t i = 0; i < periods[p]; i++)
            pattern[i] = ops_key_from_f64(uniform01(&seed));
        for (size_t i = 0; i < n; i++)
            keys[i] = pattern[i % periods[p]];
        check_quartiles_in_order(keys, n);
    }
    free(pattern);
    free(keys);
}

/* All keys equal but a few, below and above, and the ranks of those few. */
static void test_all_equal_but_few(void **state)
{
    (void)state;
    size_t n = 300000;
    uint64_t seed = 22, *keys = malloc(n * sizeof *keys), r[20];
    assert_non_null(keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = ops_key_from_f64(42.0);
    for (size_t i = 0; i < 5; i++) {
        keys[splitmix(&seed) % n] = ops_key_from_f64(-uniform01(&seed));
        keys[splitmix(&seed) % n] = ops_key_from_f64(100 + uniform01(&seed));
    }
    size_t k = quartile_ranks(n, r);
    for (uint64_t i = 0; i < 6; i++) {
        r[k++] = i;
        r[k++] = n - 1 - i;
    }
    check_in_order(keys, n, r, k);
    uint64_t *sorted = malloc(n * sizeof *sorted);
    assert_non_null(sorted);
    memcpy(sorted, keys, n * sizeof *keys);
    sort_keys(sorted, n);
    check_ranks(keys, n, r, k, sorted);
    free(sorted);
    free(keys);
}

/* Half the keys tiny, half huge: the median falls between the two. */
static void test_two_clusters(void **state)
{
    (void)state;
    size_t n = 300000;
    uint64_t seed = 23, *keys = malloc(n * sizeof *keys), r[12];
    assert_non_null(keys);
    for (size_t i = 0; i < n; i++) {
        double x = 1 + uniform01(&seed);
        keys[i] =
            ops_key_from_f64(splitmix(&seed) & 1 ? x * 1e300 : x * 1e-300);
    }
    size_t k = quartile_ranks(n, r);
    check_quartiles_in_order(keys, n);
    uint64_t *sorted = malloc(n * sizeof *sorted);
    assert_non_null(sorted);
    memcpy(sorted, keys, n * sizeof *keys);
    sort_keys(sorted, n);
    for (size_t i = 1; i < n; i++) { /* ranks either side of the gap */
        if (ops_f64_from_key(sorted[i]) > 1 &&
            ops_f64_from_key(sorted[i - 1]) < 1) {
            r[k++] = i - 1;
            r[k++] = i;
        }
    }
    check_ranks(keys, n, r, k, sorted);
    free(sorted);
    free(keys);
}

/* Only the first and last ranks, alone and together. */
static void test_rank_ends(void **state)
{
    (void)state;
    size_t n = 200000;
    uint64_t seed = 24, *keys = malloc(n * sizeof *keys);
    uint64_t r[3] = {0, n - 1, 0};
    assert_non_null(keys);
    for (size_t i = 0; i < n; i++)
        keys[i] = ops_key_from_f64((uniform01(&seed) - 0.5) * 1e9);
    check_in_order(keys, n, r, 2);
    check_in_order(keys, n, r, 1);
    check_in_order(keys, n, r + 1, 1);
    check_in_order(keys, n, r + 1, 2); /* n - 1, then 0 */
    for (size_t i = 0; i < n; i++)     /* key 0 and the top key present */
        keys[i] = i % 3 == 0 ? 0 : i % 3 == 1 ? UINT64_MAX : splitmix(&seed);
    check_quartiles_in_order(keys, n);
    free(keys);
}

/* Long runs of equal keys at and near the ranks: a bracket's end falls in
 * a run, which must not be copied whole, or a rank falls in a run. */
static void test_runs_at_ranks(void **state)
{
    (void)state;
    size_t n = 200000;
    uint64_t seed = 25, *keys = malloc(n * sizeof *keys);
    assert_non_null(keys);
    for (size_t i = 0; i < n; i++) { /* 30% 1.0, 40% between, 30% 2.0 */
        uint64_t r = splitmix(&seed) % 10;
        double x = r < 3 ? 1.0 : r >= 7 ? 2.0 : 1.0 + uniform01(&seed);
        keys[i] = ops_key_from_f64(x);
    }
    check_quartiles_in_order(keys, n);
    uint64_t *sorted = malloc(n * sizeof *sorted), r[8];
    assert_non_null(sorted);
    memcpy(sorted, keys, n * sizeof *keys);
    sort_keys(sorted, n);
    size_t k = 0;
    for (size_t i = 1; i < n && k < 8; i++) { /* either side of a run's end */
        if (sorted[i] != sorted[i - 1] &&
            (sorted[i] == ops_key_from_f64(2.0) ||
             sorted[i - 1] == ops_key_from_f64(1.0))) {
            r[k++] = i - 1;
            r[k++] = i;
        }
    }
    check_in_order(keys, n, r, k);
    for (size_t i = 0; i < n; i++) /* 5% of one value at the median */
        keys[i] = ops_key_from_f64(i % 20 == 0 ? 0.5 : uniform01(&seed));
    check_quartiles_in_order(keys, n);
    for (size_t i = 0; i < n; i++) /* small integers */
        keys[i] = ops_key_from_i64((int64_t)(splitmix(&seed) % 7) - 3);
    check_quartiles_in_order(keys, n);
    for (size_t i = 0; i < 8; i++) /* brackets of one key each */
        r[i] = (i + 1) * (n / 9);
    check_in_order(keys, n, r, 8);
    free(sorted);
    free(keys);
}

/* Few distinct values (a column of small integers, or of prices in
 * cents): every bracket ends in a run of equal keys, so the pass counts
 * many single keys, up to the most boundaries a pass takes. Quartiles
 * and the ends, and nine deciles; integers and doubles; 2 to 60 values,
 * uniform or skewed (one value holding half the keys). */
static void test_few_values(void **state)
{
    (void)state;
    static const unsigned kinds[] = {2, 3, 7, 20, 50, 51, 60};
    size_t n = 300000;
    uint64_t seed = 51, r[24], *keys = malloc(n * sizeof *keys);
    assert_non_null(keys);
    for (size_t z = 0; z < sizeof kinds / sizeof kinds[0]; z++) {
        for (int form = 0; form < 4; form++) {
            for (size_t i = 0; i < n; i++) {
                uint64_t v = splitmix(&seed) % kinds[z];
                if (form & 2 && splitmix(&seed) % 2)
                    v = kinds[z] / 3; /* skewed: half the keys */
                keys[i] = form & 1 ? ops_key_from_f64((double)v * 0.01)
                                   : ops_key_from_i64((int64_t)v + 1);
            }
            check_quartiles_in_order(keys, n);
            size_t k = 0;
            for (int d = 1; d <= 9; d++) { /* deciles, floor and ceiling */
                uint64_t lo = (uint64_t)((double)(n - 1) * d / 10.0);
                r[k++] = lo;
                r[k++] = lo + 1;
            }
            r[k++] = 0;
            r[k++] = n - 1;
            check_in_order(keys, n, r, k);
        }
    }
    free(keys);
}

/* ---- data that fools the sample --------------------------------------- */

/* The keys ops_select.c's sample reads among n keys of one vec, by
 * position in the vec (take_sample and sample_bits there, with 4 keys a
 * run): a test that fools the sample must know them. Were the sample
 * taken otherwise, these tests would still pass but might not reach the
 * fallback; keep the two in step. */
static void sample_positions(size_t n, unsigned char *hit)
{
    unsigned len = 64u - (unsigned)__builtin_clzll(n);
    unsigned bits = (2 * len + 1) / 3;
    bits = bits < 20 ? bits : 20;
    bits = bits + 4 < len ? bits : len - 5;
    uint64_t runs = ((uint64_t)1 << bits) / 4, stride = n / runs;
    memset(hit, 0, n);
    for (uint64_t j = 0; j < runs; j++) {
        uint64_t x = j + 1; /* splitmix64's finalizer */
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
        x ^= x >> 31;
        uint64_t at = j * stride + x % (stride - 3);
        memset(hit + at, 1, 4);
    }
}

/* Keys pushed in order into one vec sit in their blocks in order, the
 * blocks newest first: the push index of position p among n keys (a
 * whole number of blocks). */
static size_t pushed_at(size_t p, size_t n)
{
    size_t nblocks = n / OPS_VEC_BLOCK;
    return (nblocks - 1 - p / OPS_VEC_BLOCK) * OPS_VEC_BLOCK +
           p % OPS_VEC_BLOCK;
}

typedef uint64_t (*gen_key)(uint64_t *seed, int sampled);

/* n keys, those the sample reads from gen(.., 1), the others from
 * gen(.., 0), checked at the quartiles (and with the ends). */
static void check_fooled(gen_key gen, size_t n, uint64_t seed)
{
    uint64_t *keys = malloc(n * sizeof *keys);
    unsigned char *hit = malloc(n);
    assert_non_null(keys);
    assert_non_null(hit);
    assert_int_equal(n % OPS_VEC_BLOCK, 0);
    sample_positions(n, hit);
    for (size_t p = 0; p < n; p++)
        keys[pushed_at(p, n)] = gen(&seed, hit[p]);
    check_quartiles_in_order(keys, n);
    free(hit);
    free(keys);
}

/* The sample sees only small keys: every quartile lies above all of its
 * brackets, in the last cell, whose count sends them to the histogram
 * passes; the last rank's bracket holds nearly every key, more than the
 * room for copies, so that pass gives up. */
static uint64_t gen_low_sample(uint64_t *seed, int sampled)
{
    uint64_t r = splitmix(seed);
    return sampled ? 1 + r % 1000 : ((uint64_t)1 << 40) + (r >> 24);
}

/* The sample is spread over [0, 2^40); half the other keys are too, half
 * are packed in a sliver of it: two quartiles fall between two brackets,
 * in a cell of about 5/8 of the keys. */
static uint64_t gen_sliver(uint64_t *seed, int sampled)
{
    uint64_t r = splitmix(seed) >> 24;
    return sampled || (r & 1) ? r : ((uint64_t)3 << 37) + (r >> 6);
}

/* The sample is all one key, the others are spread: brackets of one key
 * that hold no rank. */
static uint64_t gen_one_key_sample(uint64_t *seed, int sampled)
{
    return sampled ? ops_key_from_f64(0.5) : ops_key_from_f64(uniform01(seed));
}

/* The sample is spread, the others all one key: ranks sit in a run the
 * brackets cut through. */
static uint64_t gen_spread_sample(uint64_t *seed, int sampled)
{
    return sampled ? ops_key_from_f64(uniform01(seed)) : ops_key_from_f64(0.3);
}

/* Sizes above 2^18 keys, where a misled pass is followed by histogram
 * passes (for the sliver, a count of a window of 5/8 of the keys), and
 * one below. */
static void test_fooled_sample(void **state)
{
    (void)state;
    size_t big = 40 * OPS_VEC_BLOCK, small = 3 * OPS_VEC_BLOCK;
    check_fooled(gen_low_sample, big, 31);
    check_fooled(gen_sliver, 64 * OPS_VEC_BLOCK, 32);
    check_fooled(gen_one_key_sample, big, 33);
    check_fooled(gen_spread_sample, big, 34);
    check_fooled(gen_low_sample, small, 35);
    check_fooled(gen_sliver, small, 36);
}

/* A few heavy values (random shares) among spread keys, with ranks near
 * each other: brackets whose keys meet at a run or touch, runs at their
 * ends. Doubles, or integers from a short range (neighbouring heavy
 * keys). Many small sets, fixed seeds. */
static uint64_t mixture_key(uint64_t *seed, int ints)
{
    if (ints)
        return ops_key_from_i64((int64_t)(splitmix(seed) % 40));
    return ops_key_from_f64(uniform01(seed));
}

static void test_mixtures(void **state)
{
    (void)state;
    uint64_t seed = 41, heavy[6], r[10];
    uint64_t *keys = malloc(32768 * sizeof *keys);
    assert_non_null(keys);
    for (int round = 0; round < 80; round++) {
        size_t n = 16384 + splitmix(&seed) % 8192;
        size_t nh = 1 + splitmix(&seed) % 6;
        unsigned spread = (unsigned)(splitmix(&seed) % 101); /* percent */
        for (size_t h = 0; h < nh; h++)
            heavy[h] = mixture_key(&seed, round & 1);
        for (size_t i = 0; i < n; i++) {
            uint64_t x = splitmix(&seed);
            keys[i] = x % 100 < spread ? mixture_key(&seed, round & 1)
                                       : heavy[(x >> 32) % nh];
        }
        size_t k = 2 + splitmix(&seed) % 9;
        for (size_t i = 0; i < k; i++) {
            uint64_t at = i > 0 && splitmix(&seed) % 2
                              ? r[i - 1] + splitmix(&seed) % (n / 40 + 1)
                              : splitmix(&seed) % n;
            r[i] = at < n ? at : n - 1;
        }
        check_in_order(keys, n, r, k);
    }
    free(keys);
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
        cmocka_unit_test(test_sorted),
        cmocka_unit_test(test_periodic),
        cmocka_unit_test(test_all_equal_but_few),
        cmocka_unit_test(test_two_clusters),
        cmocka_unit_test(test_rank_ends),
        cmocka_unit_test(test_runs_at_ranks),
        cmocka_unit_test(test_fooled_sample),
        cmocka_unit_test(test_mixtures),
        cmocka_unit_test(test_few_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
