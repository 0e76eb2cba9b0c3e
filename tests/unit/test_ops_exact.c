/*
 * test_ops_exact.c - the exact sums behind mean and std: exactness against
 * references computed with fractions.Fraction, and bit-identical results
 * whatever the order of the adds and the grouping of the merges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double from_bits(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Bit-exact compare (tells +0.0 from -0.0, and inf from DBL_MAX). */
#define assert_same_double(got, want)                                          \
    assert_int_equal(bits_of(got), bits_of(want))

static ops_exact *exact_of(const double *x, size_t n)
{
    ops_exact *e = malloc(sizeof *e);
    assert_non_null(e);
    ops_exact_init(e);
    for (size_t i = 0; i < n; i++)
        ops_exact_add(e, x[i]);
    return e;
}

static double mean_of(const double *x, size_t n)
{
    ops_exact *e = exact_of(x, n);
    double m = ops_exact_mean(e, n);
    free(e);
    return m;
}

static double var_of(const double *x, size_t n)
{
    ops_exact *e = exact_of(x, n);
    double v = ops_exact_var(e, n);
    free(e);
    return v;
}

/* xorshift64*: the same stream as the script that made the references. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* Random doubles of a given style: 0 any finite, 1 binades 2^-40..2^40,
 * 2 subnormal or barely normal, 3 near DBL_MAX, 4 around 2^-520 (subnormal
 * variance), 5 around 2^511 (variance near DBL_MAX). */
static double random_value(uint64_t *s, int style)
{
    uint64_t r = next_random(s);
    uint64_t e = (r >> 52) & 0x7FF;
    switch (style) {
    case 0:
        e = e == 0x7FF ? 0x7FE : e;
        break;
    case 1:
        e = 1023 - 40 + e % 81;
        break;
    case 2:
        e = e % 3;
        break;
    case 3:
        e = 2046 - e % 4;
        break;
    case 4:
        e = 499 + e % 8;
        break;
    default:
        e = 1533 + e % 3;
        break;
    }
    return from_bits((r & (1ull << 63)) | e << 52 | (r & ((1ull << 52) - 1)));
}

static double *random_values(int style, size_t n)
{
    uint64_t s = 0x9E3779B97F4A7C15ull ^ (uint64_t)(style * 1000 + (int)n);
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = random_value(&s, style);
    return x;
}

/* ---- Exact values ---- */

static void test_constant_column(void **state)
{
    (void)state;
    double x[50];
    for (size_t i = 0; i < 50; i++)
        x[i] = 0.3;
    assert_same_double(mean_of(x, 50), 0.3);
    assert_same_double(var_of(x, 50), 0.0);
    for (size_t i = 0; i < 50; i++)
        x[i] = -1e300;
    assert_same_double(mean_of(x, 50), -1e300);
    assert_same_double(var_of(x, 50), 0.0);
}

static void test_tenths_mean_exactly_a_tenth(void **state)
{
    (void)state;
    double x[10];
    for (size_t i = 0; i < 10; i++)
        x[i] = 0.1;
    assert_same_double(mean_of(x, 10), 0.1); /* naive summing gives 0.09999.. */
}

static void test_huge_ints_as_doubles(void **state)
{
    (void)state;
    /* huge_ints: 2^63 - 1 (read as 2^63), -2^63, 12: pandas says mean 4. */
    double x[] = {9223372036854775808.0, -9223372036854775808.0, 12.0};
    assert_same_double(mean_of(x, 3), 4.0);
    /* var = (3 * (2^127 + 144) - 144) / 6 = 2^126 + 48, rounds to 2^126 */
    assert_same_double(var_of(x, 3), 0x1p126);
}

static void test_big_cancellation(void **state)
{
    (void)state;
    /* 1e16 + k: the small differences survive exactly. */
    double x[] = {1e16 + 2, 1e16 + 4, 1e16 + 6, 1e16 + 8};
    assert_same_double(mean_of(x, 4), 1e16 + 5);
    assert_same_double(var_of(x, 4), 20.0 / 3.0);
    double y[] = {1e16, 1e16 + 2, 1e16 + 2, 1e16 + 4, 1e16};
    assert_same_double(mean_of(y, 5),
                       1e16 + 1.6); /* exact 10000000000000001.6 */
    assert_same_double(var_of(y, 5), 2.8);
}

/* The oracle's csv/cancellation: 1e8 + (i % 7) * 1e-3 for 1000 rows. pandas
 * prints std 0.0019997451477432337; the exact std of those doubles is
 * 0.00199974514715804007..., so the variance rounds to 3.998980653582131e-06
 * and its root is 0.00199974514715804 (within the checker's 1e-9). */
static void test_oracle_cancellation(void **state)
{
    (void)state;
    static const char *text[7] = {
        "100000000.0",   "100000000.001", "100000000.002", "100000000.003",
        "100000000.004", "100000000.005", "100000000.006"};
    double x[1000];
    for (size_t i = 0; i < 1000; i++)
        x[i] = strtod(text[i % 7], NULL);
    assert_same_double(mean_of(x, 1000), 100000000.002997);
    double var = var_of(x, 1000);
    assert_same_double(var, 3.998980653582131e-06);
    assert_same_double(sqrt(var), 0.00199974514715804);
    assert_true(fabs(sqrt(var) - 0.0019997451477432337) <=
                1e-9 * 0.0019997451477432337);
}

static void test_variance_overflow_is_inf(void **state)
{
    (void)state;
    double x[] = {1e300, -1e300, 1e-300, 1e300};
    assert_same_double(var_of(x, 4), INFINITY); /* pandas: std inf too */
    double y[] = {DBL_MAX, -DBL_MAX};
    assert_same_double(var_of(y, 2), INFINITY);
    /* the mean itself never overflows on the way */
    double z[] = {DBL_MAX, DBL_MAX, DBL_MAX};
    assert_same_double(mean_of(z, 3), DBL_MAX);
    assert_same_double(var_of(z, 3), 0.0);
}

static void test_subnormals(void **state)
{
    (void)state;
    double tiny = 0x1p-1074; /* 4.9e-324 */
    double a[] = {tiny, 0.0};
    assert_same_double(mean_of(a, 2), 0.0); /* exactly half: ties to even */
    double b[] = {tiny, tiny, tiny, 0.0};
    assert_same_double(mean_of(b, 4), tiny); /* 0.75 ulp rounds up */
    double c[] = {3 * tiny, 0.0};
    assert_same_double(mean_of(c, 2), 2 * tiny); /* 1.5: to even */
    double d[] = {-tiny, -tiny, -tiny};
    assert_same_double(mean_of(d, 3), -tiny);
    double e[] = {0x1p-1022, -0x1p-1022, 0x1p-1060};
    assert_same_double(mean_of(e, 3), 0x1p-1060 / 3);
    /* variance far below the smallest subnormal rounds to 0 */
    assert_same_double(var_of(a, 2), 0.0);
    /* 2^-537 and -2^-537: var = 2 * 2^-1074 = the second subnormal */
    double f[] = {0x1p-537, -0x1p-537};
    assert_same_double(var_of(f, 2), 2 * tiny);
}

static void test_signs_and_zeros(void **state)
{
    (void)state;
    double x[] = {-2.5, -3.5};
    assert_same_double(mean_of(x, 2), -3.0);
    assert_same_double(var_of(x, 2), 0.5);
    double z[] = {0.0, -0.0, 0.0};
    assert_same_double(mean_of(z, 3), 0.0);
    assert_same_double(var_of(z, 3), 0.0);
    double y[] = {1.0};
    assert_same_double(mean_of(y, 1), 1.0);
    assert_true(isnan(var_of(y, 1))); /* std of one value is NaN */
    ops_exact e;
    ops_exact_init(&e);
    assert_true(isnan(ops_exact_mean(&e, 0)));
}

/* References made once with fractions.Fraction over the same streams. */
static void test_random_against_fractions(void **state)
{
    (void)state;
    static const struct {
        int style;
        size_t n;
        uint64_t mean, var;
    } ref[] = {
        {0, 2, 0x7daa174b87478e40u, 0x7ff0000000000000u},
        {0, 7, 0xf26cddd5e23153d6u, 0x7ff0000000000000u},
        {0, 100, 0xfeab9f78755a641eu, 0x7ff0000000000000u},
        {0, 1000, 0xfe8f4d5765302cd5u, 0x7ff0000000000000u},
        {1, 2, 0x4185162246556419u, 0x432bca3897377e97u},
        {1, 7, 0x40ad76c87121a2efu, 0x4197d1b54f074864u},
        {1, 100, 0x41f9e0122de76fccu, 0x44a2a3f23621e480u},
        {1, 1000, 0xc1d73142badaef11u, 0x44a92c0408207c30u},
        {2, 2, 0x0001559a1f63c9cau, 0x0000000000000000u},
        {2, 7, 0x0010490676cd7c0eu, 0x0000000000000000u},
        {2, 100, 0x80040405a3828cb9u, 0x0000000000000000u},
        {2, 1000, 0x00003daa15a6fd6cu, 0x0000000000000000u},
        {3, 2, 0xffca595218536de5u, 0x7ff0000000000000u},
        {3, 7, 0x7fa8e590c0a6fe47u, 0x7ff0000000000000u},
        {3, 100, 0x7fac5962a0e2ac6bu, 0x7ff0000000000000u},
        {3, 1000, 0xffa049a6da1483b1u, 0x7ff0000000000000u},
        {4, 2, 0x9f448dbd3a0e1188u, 0x00000048c403c985u},
        {4, 7, 0x9f794d01aad95b54u, 0x00000037d3a96851u},
        {4, 100, 0x1f4d9b6cd0c476e1u, 0x0000005b14d24386u},
        {4, 1000, 0x9f3eb37e7be15c6du, 0x00000059bdec243du},
        {5, 2, 0xdfe004705c5bca85u, 0x7fa3ad2924bc38d3u},
        {5, 7, 0xdf9ea8f5e5fb2232u, 0x7ff0000000000000u},
        {5, 100, 0x5fc5f3228918fb32u, 0x7ff0000000000000u},
        {5, 1000, 0x5fad14e79e251406u, 0x7ff0000000000000u},
    };
    for (size_t k = 0; k < sizeof ref / sizeof ref[0]; k++) {
        double *x = random_values(ref[k].style, ref[k].n);
        assert_int_equal(bits_of(mean_of(x, ref[k].n)), ref[k].mean);
        assert_int_equal(bits_of(var_of(x, ref[k].n)), ref[k].var);
        free(x);
    }
}

/* n far beyond what can be added: the formulas still hold for any n, and
 * n(n-1) needs up to 128 bits. Data 1, 2, 3 (S1 = 6, S2 = 14). */
static void test_huge_n(void **state)
{
    (void)state;
    static const struct {
        uint64_t n, mean, var;
    } ref[] = {
        {4294967297u, 0x3e17ffffffe80000u, 0x3e2bffffffb80000u},
        {4611686018427387907u, 0x3c38000000000000u, 0x3c4c000000000000u},
        {9223372036854775808ull, 0x3c28000000000000u, 0x3c3c000000000000u},
        {18446744073709551615ull, 0x3c18000000000000u, 0x3c2c000000000000u},
    };
    double x[] = {1.0, 2.0, 3.0};
    ops_exact *e = exact_of(x, 3);
    for (size_t k = 0; k < sizeof ref / sizeof ref[0]; k++) {
        assert_int_equal(bits_of(ops_exact_mean(e, ref[k].n)), ref[k].mean);
        assert_int_equal(bits_of(ops_exact_var(e, ref[k].n)), ref[k].var);
    }
    free(e);
}

/* ---- Order and grouping do not matter ---- */

static void shuffle(double *x, size_t n, uint64_t *s)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(next_random(s) % i);
        double t = x[i - 1];
        x[i - 1] = x[j];
        x[j] = t;
    }
}

/* Adds x into `parts` partials picked at random, then merges them in a
 * random order; returns the merged result. */
static ops_exact *split_and_merge(const double *x, size_t n, size_t parts,
                                  uint64_t *s)
{
    ops_exact *p = malloc(parts * sizeof *p);
    assert_non_null(p);
    for (size_t k = 0; k < parts; k++)
        ops_exact_init(&p[k]);
    for (size_t i = 0; i < n; i++)
        ops_exact_add(&p[next_random(s) % parts], x[i]);
    for (size_t left = parts; left > 1; left--) {
        size_t a = (size_t)(next_random(s) % left);
        size_t b = (size_t)(next_random(s) % (left - 1));
        b += b >= a; /* b != a */
        ops_exact_merge(&p[a], &p[b]);
        p[b] = p[left - 1]; /* drop b (a, if it was last, moves to b) */
    }
    return p; /* the whole is in p[0] */
}

static void test_order_and_grouping_invariance(void **state)
{
    (void)state;
    uint64_t s = 12345;
    for (int style = 0; style <= 5; style++) {
        size_t n = 3000; /* crosses several periodic flushes */
        double *x = random_values(style, n);
        ops_exact *whole = exact_of(x, n);
        double mean = ops_exact_mean(whole, n), var = ops_exact_var(whole, n);
        for (int round = 0; round < 4; round++) {
            shuffle(x, n, &s);
            ops_exact *m = split_and_merge(x, n, 1 + (size_t)round * 3, &s);
            assert_same_double(ops_exact_mean(m, n), mean);
            assert_same_double(ops_exact_var(m, n), var);
            free(m);
        }
        free(whole);
        free(x);
    }
}

/* Values of several binades, many sharing a slot (fields 64 apart), in
 * runs and interleaved: the slot path and the direct path must agree. */
static void test_colliding_exponents(void **state)
{
    (void)state;
    double x[4096];
    uint64_t s = 99;
    for (size_t i = 0; i < 4096; i++) {
        double base = (i / 64) % 2 ? ldexp(1.0, 64 * (int)(i % 5)) : 1.0;
        x[i] = base * (1.0 + (double)(next_random(&s) >> 12) * 0x1p-52) *
               ((i % 3) ? 1 : -1);
    }
    ops_exact *runs = exact_of(x, 4096);
    uint64_t t = 7;
    shuffle(x, 4096, &t);
    ops_exact *mixed = exact_of(x, 4096);
    assert_same_double(ops_exact_mean(mixed, 4096), ops_exact_mean(runs, 4096));
    assert_same_double(ops_exact_var(mixed, 4096), ops_exact_var(runs, 4096));
    free(runs);
    free(mixed);
}

static void test_merge_associative_and_with_empty(void **state)
{
    (void)state;
    double *x = random_values(1, 300);
    ops_exact a, b, c, a2, b2, c2, empty;
    ops_exact_init(&a);
    ops_exact_init(&b);
    ops_exact_init(&c);
    ops_exact_init(&empty);
    for (size_t i = 0; i < 300; i++)
        ops_exact_add(i < 100 ? &a : i < 200 ? &b : &c, x[i]);
    a2 = a, b2 = b, c2 = c;
    ops_exact_merge(&a, &b); /* (a + b) + c */
    ops_exact_merge(&a, &c);
    ops_exact_merge(&b2, &c2); /* a + (b + c) */
    ops_exact_merge(&a2, &b2);
    ops_exact_merge(&a2, &empty);
    assert_same_double(ops_exact_mean(&a, 300), ops_exact_mean(&a2, 300));
    assert_same_double(ops_exact_var(&a, 300), ops_exact_var(&a2, 300));
    ops_exact_merge(&empty, &a); /* an empty partial takes all */
    assert_same_double(ops_exact_var(&empty, 300), ops_exact_var(&a, 300));
    free(x);
}

/* The carry settlement every 2^29 direct adds, forced by moving the
 * counter; values of any binade, so most of them collide in the slots and
 * go straight into the limbs. */
static void test_settlement_keeps_values(void **state)
{
    (void)state;
    double *x = random_values(0, 2000);
    ops_exact *plain = exact_of(x, 2000);
    ops_exact *forced = malloc(sizeof *forced);
    assert_non_null(forced);
    ops_exact_init(forced);
    for (size_t i = 0; i < 2000; i++) {
        if (i % 500 == 0)
            forced->direct = (1u << 29) - 1; /* next direct add settles */
        ops_exact_add(forced, x[i]);
    }
    assert_true(forced->direct < 500); /* it did settle */
    assert_same_double(ops_exact_mean(forced, 2000),
                       ops_exact_mean(plain, 2000));
    assert_same_double(ops_exact_var(forced, 2000), ops_exact_var(plain, 2000));
    free(plain);
    free(forced);
    free(x);
}

/* ops_exact_add_int sums integers of at most 2^53 as they are, and rounds
 * larger ones to doubles first: the same sums as ops_exact_add of the
 * double, mixed with doubles and merged in any way. */
static void test_int_adds_match_double_adds(void **state)
{
    (void)state;
    static const int64_t edge[] = {0,
                                   1,
                                   -1,
                                   (1ll << 53),
                                   -(1ll << 53),
                                   (1ll << 53) - 1,
                                   (1ll << 53) + 1,
                                   -(1ll << 53) - 1,
                                   (1ll << 53) + 3,
                                   INT64_MAX,
                                   INT64_MIN,
                                   INT64_MIN + 1,
                                   999999999999999,
                                   -999999999999999};
    uint64_t s = 4242;
    ops_exact *as_int = malloc(sizeof *as_int);
    ops_exact *as_double = malloc(sizeof *as_double);
    ops_exact *half = malloc(sizeof *half);
    assert_true(as_int && as_double && half);
    ops_exact_init(as_int);
    ops_exact_init(as_double);
    ops_exact_init(half);
    size_t n = 0;
    for (size_t k = 0; k < 20000; k++, n++) {
        int64_t i = k < sizeof edge / sizeof edge[0]
                        ? edge[k]
                        : (int64_t)(next_random(&s) >> (next_random(&s) % 64));
        if (k % 2)
            i = -i;
        ops_exact_add_int(k % 3 ? as_int : half, i);
        ops_exact_add(as_double, (double)i);
        if (k % 7 == 0) { /* doubles among the integers */
            double x = random_value(&s, 1);
            ops_exact_add(k % 3 ? as_int : half, x);
            ops_exact_add(as_double, x);
            n++;
        }
    }
    ops_exact_merge(as_int, half);
    assert_same_double(ops_exact_mean(as_int, n), ops_exact_mean(as_double, n));
    assert_same_double(ops_exact_var(as_int, n), ops_exact_var(as_double, n));
    free(as_int);
    free(as_double);
    free(half);
}

/* ops_exact_add_values over runs of kept values (int64, uint64 or double
 * bits; infinities left out) in chunks of any size, against one
 * ops_exact_add per value: the same sums. Doubles of any binade collide in
 * the slots; a chunk past 2^20 values crosses the loop's carry limit. */
static void check_values(const uint64_t *v, size_t n, ops_rep rep,
                         const size_t *chunks, size_t nchunks)
{
    ops_exact *one = malloc(sizeof *one), *many = malloc(sizeof *many);
    assert_true(one && many);
    ops_exact_init(one);
    ops_exact_init(many);
    size_t count = 0;
    for (size_t k = 0; k < n; k++) {
        double x = rep == OPS_REP_I64   ? (double)(int64_t)v[k]
                   : rep == OPS_REP_U64 ? (double)v[k]
                                        : from_bits(v[k]);
        if (isinf(x))
            continue;
        ops_exact_add(one, x);
        count++;
    }
    for (size_t k = 0, c = 0; k < n; c++) {
        size_t m = chunks[c % nchunks];
        m = m < n - k ? m : n - k;
        ops_exact_add_values(many, v + k, m, rep);
        k += m;
    }
    assert_same_double(ops_exact_mean(many, count), ops_exact_mean(one, count));
    assert_same_double(ops_exact_var(many, count), ops_exact_var(one, count));
    free(one);
    free(many);
}

/* Removing count copies of a value added before (an integer i when
 * as_int, else the double x) gives the sums of the other values back: the
 * same mean and variance to the bit. */
static void check_removal(int as_int, int64_t i, double x)
{
    uint64_t s = 77;
    for (uint64_t count = 1; count <= 3000; count = count * 7 + 1) {
        ops_exact plain, with;
        ops_exact_init(&plain);
        ops_exact_init(&with);
        size_t n = 0;
        for (uint64_t c = 0; c < count || n < 200; n++) {
            /* the others: small doubles of many binades and ints, so
             * that a wrong S2 would show in the variance */
            double y = n % 3 ? ldexp((double)(next_random(&s) >> 11),
                                     (int)(next_random(&s) % 40) - 80)
                             : (double)(int64_t)(next_random(&s) >> 44);
            y = next_random(&s) & 1 ? -y : y;
            ops_exact_add(&plain, y);
            ops_exact_add(&with, y);
            if (c < count && next_random(&s) % 3 == 0) {
                if (as_int)
                    ops_exact_add_int(&with, i);
                else
                    ops_exact_add(&with, x);
                c++;
            }
        }
        if (as_int)
            ops_exact_remove_int(&with, i, count);
        else
            ops_exact_remove(&with, x, count);
        assert_same_double(ops_exact_mean(&with, n), ops_exact_mean(&plain, n));
        assert_same_double(ops_exact_var(&with, n), ops_exact_var(&plain, n));
    }
}

static void test_remove_int(void **state)
{
    (void)state;
    static const int64_t ints[] = {
        INT64_MIN, INT64_MIN + 1,   INT64_MAX,   -1, 0,
        7,         (1ll << 53) + 1, -(1ll << 60)};
    for (size_t k = 0; k < sizeof ints / sizeof *ints; k++)
        check_removal(1, ints[k], 0);
}

/* The same for doubles of every kind: subnormal, tiny, huge, negative,
 * with a fraction, integral beyond 2^53. */
static void test_remove_double(void **state)
{
    (void)state;
    static const double xs[] = {
        -999.0,   2.5, -0.1, 4.9e-324,           1e-310, 1e-300,  1.7e308,
        -1.5e300, 0.0, -0.0, 9007199254740993.0, 1e22,   123.456, -7.0};
    for (size_t k = 0; k < sizeof xs / sizeof *xs; k++)
        check_removal(0, 0, xs[k]);
}

static void test_add_values_matches_adds(void **state)
{
    (void)state;
    static const size_t chunks[] = {8192, 1, 3, 8191, 100, 4097};
    size_t n = 40000;
    uint64_t *v = malloc(n * sizeof *v);
    assert_non_null(v);
    uint64_t s = 777;
    for (int style = 0; style <= 5; style++) { /* doubles, inf among them */
        double *x = random_values(style, n);
        for (size_t k = 0; k < n; k++)
            v[k] = k % 1001 == 5 ? bits_of(k % 2 ? INFINITY : -INFINITY)
                                 : bits_of(x[k]);
        check_values(v, n, OPS_REP_F64, chunks, 6);
        free(x);
    }
    for (int shift = 0; shift < 64; shift += 9) { /* int64, every size */
        for (size_t k = 0; k < n; k++)
            v[k] = next_random(&s) >> (shift + next_random(&s) % 8) % 64;
        check_values(v, n, OPS_REP_I64, chunks, 6);
        check_values(v, n, OPS_REP_U64, chunks, 6);
    }
    free(v);
    size_t big = ((size_t)1 << 20) + 5;
    v = malloc(big * sizeof *v);
    assert_non_null(v);
    for (size_t k = 0; k < big; k++) /* large squares, one sign */
        v[k] = (uint64_t)(-(int64_t)(1ll << 53) + (int64_t)(k % 3));
    size_t whole[] = {big};
    check_values(v, big, OPS_REP_I64, whole, 1);
    for (size_t k = 0; k < big; k++)
        v[k] = bits_of(-0x1.fffffffffffffp1000 * (1.0 - (double)(k % 2) / 4));
    check_values(v, big, OPS_REP_F64, whole, 1);
    free(v);
}

/* 2^22 squares of 2^53 fill 128 bits: the square sums carry into their
 * third word, for integers and for slots alike. */
static void test_square_sums_carry(void **state)
{
    (void)state;
    ops_exact *ints = malloc(sizeof *ints);
    ops_exact *slots = malloc(sizeof *slots);
    assert_true(ints && slots);
    ops_exact_init(ints);
    ops_exact_init(slots);
    size_t n = 5000000;
    int64_t a = 1ll << 53, b = (1ll << 53) - 1;
    for (size_t k = 0; k < n; k++) {
        int64_t i = k % 2 ? a : -b;
        ops_exact_add_int(ints, i);
        ops_exact_add(slots, (double)i);
    }
    /* S1 = (n/2)(a - b) = n/2, S2 = (n/2)(a^2 + b^2) */
    assert_same_double(ops_exact_mean(ints, n), 0.5);
    assert_same_double(ops_exact_mean(slots, n), 0.5);
    double var = ops_exact_var(ints, n);
    assert_same_double(ops_exact_var(slots, n), var);
    assert_true(fabs(var - 0x1p106) < 0x1p106 * 1e-6);
    free(ints);
    free(slots);
}

/* Many large values of one sign: the limbs grow without overflowing. */
static void test_long_run_of_large_values(void **state)
{
    (void)state;
    ops_exact *e = malloc(sizeof *e);
    assert_non_null(e);
    ops_exact_init(e);
    double big = 0x1.fffffffffffffp1000;
    for (size_t i = 0; i < 200000; i++)
        ops_exact_add(e, big);
    assert_same_double(ops_exact_mean(e, 200000), big);
    assert_same_double(ops_exact_var(e, 200000), 0.0);
    free(e);
}

/* A caller bug (non-finite value) must not crash; the result is junk. */
static void test_non_finite_does_not_crash(void **state)
{
    (void)state;
    double x[] = {INFINITY, -INFINITY, NAN, 1.0};
    ops_exact *e = exact_of(x, 4);
    (void)ops_exact_mean(e, 4);
    (void)ops_exact_var(e, 4);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_column),
        cmocka_unit_test(test_remove_int),
        cmocka_unit_test(test_remove_double),
        cmocka_unit_test(test_tenths_mean_exactly_a_tenth),
        cmocka_unit_test(test_huge_ints_as_doubles),
        cmocka_unit_test(test_big_cancellation),
        cmocka_unit_test(test_oracle_cancellation),
        cmocka_unit_test(test_variance_overflow_is_inf),
        cmocka_unit_test(test_subnormals),
        cmocka_unit_test(test_signs_and_zeros),
        cmocka_unit_test(test_random_against_fractions),
        cmocka_unit_test(test_huge_n),
        cmocka_unit_test(test_order_and_grouping_invariance),
        cmocka_unit_test(test_colliding_exponents),
        cmocka_unit_test(test_merge_associative_and_with_empty),
        cmocka_unit_test(test_settlement_keeps_values),
        cmocka_unit_test(test_int_adds_match_double_adds),
        cmocka_unit_test(test_square_sums_carry),
        cmocka_unit_test(test_add_values_matches_adds),
        cmocka_unit_test(test_long_run_of_large_values),
        cmocka_unit_test(test_non_finite_does_not_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
