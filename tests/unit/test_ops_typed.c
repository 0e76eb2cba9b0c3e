/*
 * test_ops_typed.c - typed arrays against pd.DataFrame(array).describe().
 *
 * 1. Each kind with pandas 1.5.3's answers (values as hex floats, found
 *    with pd.DataFrame({'a': array}).describe(include='all')): empty
 *    arrays keep their dtype, masks and NaN are missing, infinities count.
 * 2. Kinds mixed across calls follow ops_col_dtype's lattice.
 * 3. One array added in one call, in many small calls, and as merged
 *    partials gives byte-identical summaries, equal to the same numbers
 *    read as CSV text by ops_col_add. Random; DFSUM_SEED replays.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "summary_check.h"

static const double pct3[3] = {0.25, 0.5, 0.75};

static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static uint64_t test_seed(void)
{
    const char *env = getenv("DFSUM_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 0x9e3779b97f4a7c15ull;
    printf("test_ops_typed: seed %" PRIu64 " (DFSUM_SEED replays)\n", seed);
    return seed ? seed : 1;
}

static void finish(ops_col *c, ops_summary *s)
{
    assert_int_equal(ops_col_needs_text_pass(c), 0);
    assert_int_equal(ops_col_finish(c, pct3, 3, s), 0);
    ops_col_free(c);
}

/* Bit-identical doubles: NaN equals NaN. */

static void expect_numeric(const ops_summary *s, ops_dtype dt, uint64_t count,
                           const double want[7])
{
    assert_int_equal(s->dtype, dt);
    assert_int_equal(s->count, count);
    double got[7] = {s->mean,         s->std,          s->min, s->quantiles[0],
                     s->quantiles[1], s->quantiles[2], s->max};
    for (int i = 0; i < 7; i++)
        if (!(isnan(want[i]) && isnan(got[i])))
            same_double(got[i], want[i]);
}

static void expect_text(const ops_summary *s, ops_dtype dt, uint64_t count,
                        uint64_t unique, const char *top, uint64_t freq)
{
    assert_int_equal(s->dtype, dt);
    assert_int_equal(s->count, count);
    assert_int_equal(s->unique, unique);
    if (!top) {
        assert_null(s->top);
        return;
    }
    assert_non_null(s->top);
    assert_string_equal(s->top, top);
    assert_int_equal(s->freq, freq);
}

/* ------------------------------------------------------------------ */
/* 1. Each kind                                                        */

static void test_f64_whole_values_are_float64(void **state)
{
    (void)state;
    const double v[2] = {1.0, 2.0};
    const double want[7] = {1.5, 0x1.6a09e667f3bcdp-1, 1.0, 1.25, 1.5, 1.75,
                            2.0};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_f64(&c, v, 2, NULL, 0), 0);
    finish(&c, &s);
    expect_numeric(&s, OPS_DT_FLOAT64, 2, want);
    ops_summary_free(&s);
}

/* pandas: [-3, 5, 7, nan] -> count 3, std 0x1.52a7fa9d2f8eap+2. A masked
 * value and a NaN are both missing. */
static void test_f64_nan_and_mask(void **state)
{
    (void)state;
    const double v[6] = {-3.0, 99.0, 5.0, NAN, 7.0, -NAN};
    const uint8_t valid[6] = {1, 0, 1, 1, 1, 1};
    const double want[7] = {3.0, 0x1.52a7fa9d2f8eap+2, -3.0, 1.0, 5.0, 6.0,
                            7.0};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_f64(&c, v, 6, valid, 0), 0);
    assert_int_equal(c.n_rows, 6);
    assert_int_equal(c.n_na, 3);
    finish(&c, &s);
    expect_numeric(&s, OPS_DT_FLOAT64, 3, want);
    ops_summary_free(&s);
}

/* pandas: [1.5, inf, 2.0] -> mean inf, std NaN, 25% 1.75, 50% and 75%
 * NaN, max inf; [-inf, inf, 2] -> mean NaN, 25% -inf. */
static void test_f64_infinities(void **state)
{
    (void)state;
    const double v1[3] = {1.5, INFINITY, 2.0};
    const double w1[7] = {INFINITY, NAN, 1.5, 1.75, NAN, NAN, INFINITY};
    const double v2[3] = {-INFINITY, INFINITY, 2.0};
    const double w2[7] = {NAN, NAN, -INFINITY, -INFINITY, NAN, NAN, INFINITY};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_f64(&c, v1, 3, NULL, 0), 0);
    assert_int_equal(c.n_posinf, 1);
    finish(&c, &s);
    expect_numeric(&s, OPS_DT_FLOAT64, 3, w1);
    ops_summary_free(&s);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_f64(&c, v2, 3, NULL, 0), 0);
    finish(&c, &s);
    expect_numeric(&s, OPS_DT_FLOAT64, 3, w2);
    ops_summary_free(&s);
}

/* A masked infinity is missing and not counted as an infinity. */
static void test_f64_masked_infinity(void **state)
{
    (void)state;
    const double v[3] = {INFINITY, 1.0, -INFINITY};
    const uint8_t valid[3] = {0, 1, 0};
    ops_col c;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_f64(&c, v, 3, valid, 0), 0);
    assert_int_equal(c.n_posinf + c.n_neginf, 0);
    assert_int_equal(c.n_na, 2);
    assert_int_equal(c.vals.n, 1);
    ops_col_free(&c);
}

/* f32 is widened exactly; pandas of the widened float64 array
 * (np.float32 [1,2,3]/3 .astype(float64)). */
static void test_f32_widened(void **state)
{
    (void)state;
    const float v[4] = {1.0f / 3.0f, 2.0f / 3.0f, 1.0f, NAN};
    const double want[7] = {0x1.555555aaaaaabp-1,
                            0x1.5555550000002p-2,
                            0x1.5555560000000p-2,
                            0x1.0000008000000p-1,
                            0x1.5555560000000p-1,
                            0x1.aaaaab0000000p-1,
                            1.0};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_f32(&c, v, 4, NULL, 0), 0);
    finish(&c, &s);
    expect_numeric(&s, OPS_DT_FLOAT64, 3, want);
    ops_summary_free(&s);
}

/* pandas: np.array([1, 2], dtype=uint64) -> uint64; [3, 2^64-1, 5] ->
 * mean 0x1.5555555555555p+62. pandas' std is 0x1.279a74590331dp+63, from
 * its float two-pass variance; the exact variance rounds one ulp lower,
 * as ops_col_add gives for the same numbers read as CSV. */
static void test_u64_is_uint64(void **state)
{
    (void)state;
    const uint64_t v[3] = {3, UINT64_MAX, 5};
    const double want[7] = {0x1.5555555555555p+62,
                            0x1.279a74590331cp+63,
                            3.0,
                            4.0,
                            5.0,
                            0x1.0p+63,
                            0x1.0p+64};
    const uint64_t small[2] = {1, 2};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_u64(&c, small, 2, NULL, 0), 0);
    assert_int_equal(ops_col_dtype(&c), OPS_DT_UINT64);
    ops_col_free(&c);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_u64(&c, v, 3, NULL, 0), 0);
    finish(&c, &s);
    expect_numeric(&s, OPS_DT_UINT64, 3, want);
    ops_summary_free(&s);
}

/* An int array with a missing value is float64 (pandas converts it). */
static void test_int_with_missing_is_float64(void **state)
{
    (void)state;
    const int64_t v[4] = {-3, 1000, 5, 7};
    const uint64_t u[4] = {3, 1000, 5, UINT64_MAX};
    const uint8_t valid[4] = {1, 0, 1, 1};
    const double want[7] = {3.0, 0x1.52a7fa9d2f8eap+2, -3.0, 1.0, 5.0, 6.0,
                            7.0};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_i64(&c, v, 4, valid, 0), 0);
    finish(&c, &s);
    expect_numeric(&s, OPS_DT_FLOAT64, 3, want);
    ops_summary_free(&s);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_u64(&c, u, 4, valid, 0), 0);
    assert_int_equal(ops_col_dtype(&c), OPS_DT_FLOAT64);
    finish(&c, &s);
    assert_int_equal(s.count, 3);
    same_double(s.max, 0x1.0p+64);
    ops_summary_free(&s);
}

/* pandas: empty float64/int64/uint64 arrays keep their dtype with count
 * 0 and NaN everywhere; an empty bool array is bool with count 0. */
static void test_empty_arrays_keep_dtype(void **state)
{
    (void)state;
    const double nan7[7] = {NAN, NAN, NAN, NAN, NAN, NAN, NAN};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_f64(&c, NULL, 0, NULL, 0), 0);
    finish(&c, &s);
    expect_numeric(&s, OPS_DT_FLOAT64, 0, nan7);
    ops_summary_free(&s);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_f32(&c, NULL, 0, NULL, 0), 0);
    assert_int_equal(ops_col_dtype(&c), OPS_DT_FLOAT64);
    ops_col_free(&c);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_i64(&c, NULL, 0, NULL, 0), 0);
    finish(&c, &s);
    expect_numeric(&s, OPS_DT_INT64, 0, nan7);
    ops_summary_free(&s);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_u64(&c, NULL, 0, NULL, 0), 0);
    finish(&c, &s);
    expect_numeric(&s, OPS_DT_UINT64, 0, nan7);
    ops_summary_free(&s);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_bool(&c, NULL, 0, NULL, 0), 0);
    finish(&c, &s);
    expect_text(&s, OPS_DT_BOOL, 0, 0, NULL, 0);
    ops_summary_free(&s);
    ops_col_init(&c); /* no string at all: object, as pandas */
    finish(&c, &s);
    expect_text(&s, OPS_DT_OBJECT, 0, 0, NULL, 0);
    ops_summary_free(&s);
}

/* pandas: all-NaN float64 -> float64 count 0; an all-missing int array
 * -> float64; an all-missing bool array (object [None, None]) and a
 * column of missing strings -> object, count 0, unique 0, top NaN. */
static void test_all_missing(void **state)
{
    (void)state;
    const double f[2] = {NAN, NAN};
    const int64_t i[2] = {1, 2};
    const uint8_t b[2] = {1, 0}, none[2] = {0, 0};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_f64(&c, f, 2, NULL, 0), 0);
    finish(&c, &s);
    assert_int_equal(s.dtype, OPS_DT_FLOAT64);
    assert_int_equal(s.count, 0);
    ops_summary_free(&s);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_i64(&c, i, 2, none, 0), 0);
    assert_int_equal(ops_col_dtype(&c), OPS_DT_FLOAT64);
    ops_col_free(&c);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_bool(&c, b, 2, none, 0), 0);
    finish(&c, &s);
    expect_text(&s, OPS_DT_OBJECT, 0, 0, NULL, 0);
    ops_summary_free(&s);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_str(&c, NULL, 0, 0), 0);
    assert_int_equal(ops_col_add_str(&c, NULL, 0, 1), 0);
    finish(&c, &s);
    expect_text(&s, OPS_DT_OBJECT, 0, 0, NULL, 0);
    ops_summary_free(&s);
}

/* pandas: [True, False] -> top True; [False, True] -> top False (ties
 * go to the first seen); [True, None, False, False] -> object, count 3,
 * unique 2, top False, freq 2. Positions count across calls. */
static void test_bools(void **state)
{
    (void)state;
    const uint8_t tf[2] = {1, 0}, t[1] = {7}, f[1] = {0};
    const uint8_t mixed[4] = {1, 1, 0, 0}, valid[4] = {1, 0, 1, 1};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_bool(&c, tf, 2, NULL, 0), 0);
    finish(&c, &s);
    expect_text(&s, OPS_DT_BOOL, 2, 2, "True", 1);
    ops_summary_free(&s);
    ops_col_init(&c); /* False at row 0 comes in the second call */
    assert_int_equal(ops_col_add_bool(&c, t, 1, NULL, 5), 0);
    assert_int_equal(ops_col_add_bool(&c, f, 1, NULL, 0), 0);
    finish(&c, &s);
    expect_text(&s, OPS_DT_BOOL, 2, 2, "False", 1);
    ops_summary_free(&s);
    ops_col_init(&c);
    assert_int_equal(ops_col_add_bool(&c, mixed, 4, valid, 0), 0);
    finish(&c, &s);
    expect_text(&s, OPS_DT_OBJECT, 3, 2, "False", 2);
    ops_summary_free(&s);
}

/* pandas: ['', 'a', ''] -> count 3, unique 2, top '', freq 2; strings are
 * never classified: '1.5', '1.50', '1.5', 'x' -> unique 3, top '1.5'. */
static void test_strings(void **state)
{
    (void)state;
    const char *v[4] = {"1.5", "1.50", "1.5", "x"};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_str(&c, "", 0, 0), 0);
    assert_int_equal(ops_col_add_str(&c, "a", 1, 1), 0);
    assert_int_equal(ops_col_add_str(&c, NULL, 0, 2), 0);
    assert_int_equal(ops_col_add_str(&c, "", 0, 3), 0);
    finish(&c, &s);
    expect_text(&s, OPS_DT_OBJECT, 3, 2, "", 2);
    ops_summary_free(&s);
    ops_col_init(&c);
    for (uint64_t i = 0; i < 4; i++)
        assert_int_equal(ops_col_add_str(&c, v[i], strlen(v[i]), i), 0);
    finish(&c, &s);
    expect_text(&s, OPS_DT_OBJECT, 4, 3, "1.5", 2);
    ops_summary_free(&s);
}

static void test_strings_ties_and_utf8(void **state)
{
    (void)state;
    ops_col c;
    ops_summary s;
    ops_col_init(&c); /* b and a twice each: b was seen first */
    assert_int_equal(ops_col_add_str(&c, "a", 1, 9), 0);
    assert_int_equal(ops_col_add_str(&c, "b", 1, 4), 0);
    assert_int_equal(ops_col_add_str(&c, "a", 1, 6), 0);
    assert_int_equal(ops_col_add_str(&c, "b", 1, 8), 0);
    assert_int_equal(ops_col_add_str(&c, "\xff", 1, 10), OPS_EUTF8);
    assert_int_equal(ops_col_add_str(&c, "\xc3\xa9", 2, 11), 0);
    finish(&c, &s);
    expect_text(&s, OPS_DT_OBJECT, 5, 3, "b", 2);
    ops_summary_free(&s);
}

/* ------------------------------------------------------------------ */
/* 2. Kinds mixed across calls                                         */

static ops_dtype dtype_after(int first, int second)
{
    const double f[2] = {1.0, 2.0};
    const int64_t i[2] = {1, 2}, neg[2] = {-1, 2};
    const uint64_t u[2] = {1, UINT64_MAX};
    const uint8_t b[2] = {1, 0};
    ops_col c;
    ops_col_init(&c);
    int kinds[2] = {first, second};
    for (int k = 0; k < 2; k++) {
        switch (kinds[k]) {
        case 'f':
            assert_int_equal(ops_col_add_f64(&c, f, 2, NULL, 0), 0);
            break;
        case 'i':
            assert_int_equal(ops_col_add_i64(&c, i, 2, NULL, 0), 0);
            break;
        case 'n':
            assert_int_equal(ops_col_add_i64(&c, neg, 2, NULL, 0), 0);
            break;
        case 'u':
            assert_int_equal(ops_col_add_u64(&c, u, 2, NULL, 0), 0);
            break;
        case 'b':
            assert_int_equal(ops_col_add_bool(&c, b, 2, NULL, 0), 0);
            break;
        default:
            assert_int_equal(ops_col_add_str(&c, "x", 1, 0), 0);
        }
    }
    ops_dtype dt = ops_col_dtype(&c);
    if (dt == OPS_DT_OBJECT && first != second)
        assert_int_equal(ops_col_needs_text_pass(&c), 1);
    ops_col_free(&c);
    return dt;
}

static void test_mixed_kinds(void **state)
{
    (void)state;
    static const struct {
        char a, b;
        ops_dtype want;
    } cases[] = {
        {'f', 'i', OPS_DT_FLOAT64}, {'i', 'f', OPS_DT_FLOAT64},
        {'i', 'i', OPS_DT_INT64},   {'i', 'u', OPS_DT_UINT64},
        {'u', 'i', OPS_DT_UINT64},  {'n', 'u', OPS_DT_FLOAT64},
        {'u', 'n', OPS_DT_FLOAT64}, {'u', 'f', OPS_DT_FLOAT64},
        {'b', 'b', OPS_DT_BOOL},    {'b', 'i', OPS_DT_OBJECT},
        {'f', 'b', OPS_DT_OBJECT},  {'s', 'f', OPS_DT_OBJECT},
        {'i', 's', OPS_DT_OBJECT},  {'s', 's', OPS_DT_OBJECT},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        assert_int_equal(dtype_after(cases[k].a, cases[k].b), cases[k].want);
}

/* A negative int64 then a uint64: every value is kept as its double. */
static void test_neg_then_u64_values(void **state)
{
    (void)state;
    const int64_t n[2] = {-1, 3};
    const uint64_t u[1] = {UINT64_MAX};
    ops_col c;
    ops_summary s;
    ops_col_init(&c);
    assert_int_equal(ops_col_add_i64(&c, n, 2, NULL, 0), 0);
    assert_int_equal(ops_col_add_u64(&c, u, 1, NULL, 2), 0);
    assert_int_equal(c.rep, OPS_REP_F64);
    finish(&c, &s);
    assert_int_equal(s.dtype, OPS_DT_FLOAT64);
    same_double(s.min, -1.0);
    same_double(s.quantiles[1], 3.0);
    same_double(s.max, 0x1.0p+64);
    ops_summary_free(&s);
}

/* ------------------------------------------------------------------ */
/* 3. One call, many calls, merged partials, CSV text: the same        */

enum { NBIG = 3 * OPS_VEC_BLOCK + 123 };

typedef struct {
    double f[NBIG];
    int64_t i[NBIG];
    uint64_t u[NBIG];
    uint8_t valid[NBIG];
} arrays;

static void fill_arrays(arrays *a, uint64_t *rng, int with_missing)
{
    for (size_t k = 0; k < NBIG; k++) {
        uint64_t r = next_rand(rng);
        a->f[k] = (double)(int64_t)(r >> 11) / 7.0 * ((r & 1) ? -1.0 : 1.0);
        if (r % 97 == 0)
            a->f[k] = NAN;
        a->i[k] = (int64_t)(r >> 20) - (int64_t)(1ll << 43);
        a->u[k] = (r % 5 == 0) ? r | (1ull << 63) : r >> 30;
        a->valid[k] = with_missing ? (r % 13 != 0) : 1;
    }
}

typedef int (*adder)(ops_col *c, const arrays *a, size_t at, size_t n);

static int add_f(ops_col *c, const arrays *a, size_t at, size_t n)
{
    return ops_col_add_f64(c, a->f + at, n, a->valid + at, at);
}

static int add_i(ops_col *c, const arrays *a, size_t at, size_t n)
{
    return ops_col_add_i64(c, a->i + at, n, a->valid + at, at);
}

static int add_u(ops_col *c, const arrays *a, size_t at, size_t n)
{
    return ops_col_add_u64(c, a->u + at, n, a->valid + at, at);
}

static void summary_in_calls(const arrays *a, adder add, uint64_t *rng,
                             size_t max_call, ops_summary *s)
{
    ops_col c;
    ops_col_init(&c);
    for (size_t at = 0; at < NBIG;) {
        size_t n = max_call ? 1 + next_rand(rng) % max_call : NBIG;
        n = n < NBIG - at ? n : NBIG - at;
        assert_int_equal(add(&c, a, at, n), 0);
        at += n;
    }
    finish(&c, s);
}

static void summary_merged(const arrays *a, adder add, uint64_t *rng,
                           ops_summary *s)
{
    ops_col part[3];
    size_t cut1 = next_rand(rng) % NBIG, cut2 = next_rand(rng) % NBIG;
    size_t lo = cut1 < cut2 ? cut1 : cut2, hi = cut1 < cut2 ? cut2 : cut1;
    size_t at[4] = {0, lo, hi, NBIG};
    for (int p = 0; p < 3; p++) {
        ops_col_init(&part[p]);
        assert_int_equal(add(&part[p], a, at[p], at[p + 1] - at[p]), 0);
    }
    assert_int_equal(ops_col_merge(&part[2], &part[0]), 0);
    assert_int_equal(ops_col_merge(&part[1], &part[2]), 0);
    ops_col_free(&part[0]);
    ops_col_free(&part[2]);
    finish(&part[1], s);
}

/* The same numbers as CSV fields: "%.17g" reads back exactly. */
static void summary_as_text(const arrays *a, char kind, ops_summary *s)
{
    ops_col c;
    char buf[40];
    ops_col_init(&c);
    for (size_t k = 0; k < NBIG; k++) {
        int n = 0;
        if (!a->valid[k])
            n = 0;
        else if (kind == 'f')
            n = snprintf(buf, sizeof buf, "%.17g", a->f[k]);
        else if (kind == 'i')
            n = snprintf(buf, sizeof buf, "%" PRId64, a->i[k]);
        else
            n = snprintf(buf, sizeof buf, "%" PRIu64, a->u[k]);
        if (kind == 'f' && a->valid[k] && isnan(a->f[k]))
            n = 0;
        assert_int_equal(ops_col_add(&c, buf, (size_t)n, k), 0);
    }
    finish(&c, s);
}

static void check_kind(const arrays *a, char kind, adder add, uint64_t *rng)
{
    ops_summary one, many, tiny, merged, text;
    summary_in_calls(a, add, rng, 0, &one);
    summary_in_calls(a, add, rng, 3000, &many);
    summary_in_calls(a, add, rng, 5, &tiny);
    summary_merged(a, add, rng, &merged);
    summary_as_text(a, kind, &text);
    same_summary(&one, &many);
    same_summary(&one, &tiny);
    same_summary(&one, &merged);
    same_summary(&one, &text);
    ops_summary_free(&one);
    ops_summary_free(&many);
    ops_summary_free(&tiny);
    ops_summary_free(&merged);
    ops_summary_free(&text);
}

static void test_calls_partials_and_text_agree(void **state)
{
    (void)state;
    uint64_t rng = test_seed();
    arrays *a = malloc(sizeof *a);
    assert_non_null(a);
    for (int with_missing = 0; with_missing < 2; with_missing++) {
        fill_arrays(a, &rng, with_missing);
        check_kind(a, 'f', add_f, &rng);
        check_kind(a, 'i', add_i, &rng);
        if (!with_missing) /* CSV: uint64 beside a missing is object */
            check_kind(a, 'u', add_u, &rng);
    }
    free(a);
}

/* Floats in chunks past the widening buffer, masked, equal their doubles;
 * bools in random calls equal "True"/"False"/"" read as CSV. */
static void test_f32_and_bools_match(void **state)
{
    (void)state;
    enum { N = 1000 };
    static float f[N];
    static double d[N];
    static uint8_t b[N], valid[N];
    uint64_t rng = test_seed();
    ops_col cf, cd, cb, ct;
    ops_summary sf, sd, sb, st;
    ops_col_init(&cf);
    ops_col_init(&cd);
    ops_col_init(&cb);
    ops_col_init(&ct);
    for (size_t k = 0; k < N; k++) {
        uint64_t r = next_rand(&rng);
        f[k] = (float)(int32_t)(r >> 32) / 4096.0f;
        d[k] = f[k];
        b[k] = (uint8_t)(r >> 3);
        valid[k] = r % 7 != 0;
        const char *t = !valid[k] ? "" : b[k] ? "True" : "False";
        assert_int_equal(ops_col_add(&ct, t, strlen(t), k), 0);
    }
    assert_int_equal(ops_col_add_f32(&cf, f, N, valid, 0), 0);
    assert_int_equal(ops_col_add_f64(&cd, d, N, valid, 0), 0);
    for (size_t at = 0; at < N;) {
        size_t n = 1 + next_rand(&rng) % 50;
        n = n < N - at ? n : N - at;
        assert_int_equal(ops_col_add_bool(&cb, b + at, n, valid + at, at), 0);
        at += n;
    }
    finish(&cf, &sf);
    finish(&cd, &sd);
    finish(&cb, &sb);
    finish(&ct, &st);
    same_summary(&sf, &sd);
    same_summary(&sb, &st);
    assert_int_equal(sb.dtype, OPS_DT_OBJECT);
    ops_summary_free(&sf);
    ops_summary_free(&sd);
    ops_summary_free(&sb);
    ops_summary_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f64_whole_values_are_float64),
        cmocka_unit_test(test_f64_nan_and_mask),
        cmocka_unit_test(test_f64_infinities),
        cmocka_unit_test(test_f64_masked_infinity),
        cmocka_unit_test(test_f32_widened),
        cmocka_unit_test(test_u64_is_uint64),
        cmocka_unit_test(test_int_with_missing_is_float64),
        cmocka_unit_test(test_empty_arrays_keep_dtype),
        cmocka_unit_test(test_all_missing),
        cmocka_unit_test(test_bools),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_strings_ties_and_utf8),
        cmocka_unit_test(test_mixed_kinds),
        cmocka_unit_test(test_neg_then_u64_values),
        cmocka_unit_test(test_calls_partials_and_text_agree),
        cmocka_unit_test(test_f32_and_bools_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
