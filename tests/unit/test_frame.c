/*
 * test_frame.c - in-memory columns (dfsum_frame_*) through the public API.
 *
 * Expected tables are describe().to_csv() of pandas 1.5.3, computed with
 * /usr/bin/python3 on the same values built as pd.DataFrame columns (the
 * one-liner is in the comment of each case). Streaming, merging and one
 * call must give byte-identical output.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dfsum.h"

typedef struct {
    dfsum *d;
    dfsum_frame *f;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    assert_int_equal(dfsum_create(&fx->d), DFSUM_OK);
    assert_int_equal(dfsum_frame_create(fx->d, &fx->f), DFSUM_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    dfsum_frame_free(fx->f);
    dfsum_free(fx->d);
    free(fx);
    return 0;
}

/* Describes f and returns the CSV (free() it). */
static char *describe_csv(dfsum_frame *f)
{
    dfsum_result *r = NULL;
    dfsum_status st = dfsum_frame_describe(f, &r);
    if (st != DFSUM_OK)
        fail_msg("describe: %s: %s", dfsum_status_name(st),
                 dfsum_frame_errmsg(f));
    char *csv = NULL;
    size_t len = 0;
    assert_int_equal(dfsum_result_format(r, DFSUM_FORMAT_CSV, 0, 0, &csv, &len),
                     DFSUM_OK);
    assert_int_equal(strlen(csv), len);
    dfsum_result_free(r);
    return csv;
}

static void expect_csv(dfsum_frame *f, const char *expected)
{
    char *csv = describe_csv(f);
    assert_string_equal(csv, expected);
    free(csv);
}

/* ---- values per type ----------------------------------------------------- */

/* pd.DataFrame({"x": [1.5, 2.25, nan, -3.0, nan, 4.0, 7.125]}): a NaN and a
 * masked 10.0 are both missing. */
static void double_mask_and_nan(void **state)
{
    fixture *fx = *state;
    const double v[] = {1.5, 2.25, NAN, -3.0, 10.0, 4.0, 7.125};
    const uint8_t valid[] = {1, 1, 1, 1, 0, 1, 1};
    assert_int_equal(dfsum_frame_add_double(fx->f, "x", v, 7, valid), DFSUM_OK);
    expect_csv(fx->f, ",x\ncount,5.0\nmean,2.375\nstd,3.7038830975072634\n"
                      "min,-3.0\n25%,1.5\n50%,2.25\n75%,4.0\nmax,7.125\n");
}

/* The same with percentiles=[0.1, 0.9]. */
static void double_percentiles(void **state)
{
    fixture *fx = *state;
    const double p[] = {0.1, 0.9};
    const double v[] = {1.5, 2.25, NAN, -3.0, NAN, 4.0, 7.125};
    assert_int_equal(dfsum_set_percentiles(fx->d, p, 2), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_double(fx->f, "x", v, 7, NULL), DFSUM_OK);
    expect_csv(fx->f, ",x\ncount,5.0\nmean,2.375\nstd,3.7038830975072634\n"
                      "min,-3.0\n10%,-1.2\n50%,2.25\n90%,5.875\nmax,7.125\n");
}

/* Widened exactly: pd.DataFrame({"f": np.array([0.5, 0.25, 1.75, -2.0,
 * 0.1], dtype=np.float32).astype(np.float64)}), except std: pandas gives
 * 1.3521279525196934, one ulp off the correctly rounded root of the exact
 * variance, 1.3521279525196936 (fractions.Fraction), which dfsum gives.
 * (pandas describes a float32 column in float32 arithmetic - mean
 * 0.12000000476837158 - while a frame's float column is float64, as the
 * header says.) */
static void float_widened(void **state)
{
    fixture *fx = *state;
    const float v[] = {0.5f, 0.25f, 1.75f, -2.0f, 0.1f};
    assert_int_equal(dfsum_frame_add_float(fx->f, "f", v, 5, NULL), DFSUM_OK);
    expect_csv(fx->f, ",f\ncount,5.0\nmean,0.12000000029802323\n"
                      "std,1.3521279525196936\nmin,-2.0\n"
                      "25%,0.10000000149011612\n50%,0.25\n75%,0.5\n"
                      "max,1.75\n");
}

/* pd.DataFrame({"i": np.array([3, -1, 7, 7, 2], dtype=np.int64)}) */
static void int64_values(void **state)
{
    fixture *fx = *state;
    const int64_t v[] = {3, -1, 7, 7, 2};
    assert_int_equal(dfsum_frame_add_int64(fx->f, "i", v, 5, NULL), DFSUM_OK);
    dfsum_result *r = NULL;
    assert_int_equal(dfsum_frame_add_int64(fx->f, "i", v, 0, NULL), DFSUM_OK);
    assert_int_equal(dfsum_frame_describe(fx->f, &r), DFSUM_OK);
    assert_int_equal(dfsum_result_dtype(r, 0), DFSUM_DTYPE_INT64);
    dfsum_result_free(r);
    assert_int_equal(dfsum_frame_add_int64(fx->f, "i", v, 5, NULL), DFSUM_OK);
    expect_csv(fx->f, ",i\ncount,5.0\nmean,3.6\nstd,3.4351128074635335\n"
                      "min,-1.0\n25%,2.0\n50%,3.0\n75%,7.0\nmax,7.0\n");
}

/* pd.DataFrame({"i": pd.Series([3, -1, None, 7, 2])}): float64. */
static void int64_masked(void **state)
{
    fixture *fx = *state;
    const int64_t v[] = {3, -1, 99, 7, 2};
    const uint8_t valid[] = {1, 1, 0, 1, 1};
    dfsum_result *r = NULL;
    assert_int_equal(dfsum_frame_add_int64(fx->f, "i", v, 5, valid), DFSUM_OK);
    assert_int_equal(dfsum_frame_describe(fx->f, &r), DFSUM_OK);
    assert_int_equal(dfsum_result_dtype(r, 0), DFSUM_DTYPE_FLOAT64);
    dfsum_result_free(r);
    assert_int_equal(dfsum_frame_add_int64(fx->f, "i", v, 5, valid), DFSUM_OK);
    expect_csv(fx->f, ",i\ncount,4.0\nmean,2.75\nstd,3.304037933599835\n"
                      "min,-1.0\n25%,1.25\n50%,2.5\n75%,4.0\nmax,7.0\n");
}

#define N32 3000

/* v[i] = (i * 7919) % 1000 - 500: more than one widening buffer. */
static void fill_int32(int32_t *v, uint8_t *valid)
{
    for (int i = 0; i < N32; i++) {
        v[i] = (int32_t)((i * 7919) % 1000 - 500);
        valid[i] = i % 5 != 0;
    }
}

/* pd.DataFrame({"k": v}) with v as in fill_int32, dtype int32, then the
 * same with the rows i % 5 == 0 missing (float64). */
static void int32_values(void **state)
{
    fixture *fx = *state;
    static int32_t v[N32];
    static uint8_t valid[N32];
    fill_int32(v, valid);
    assert_int_equal(dfsum_frame_add_int32(fx->f, "k", v, N32, NULL), DFSUM_OK);
    expect_csv(fx->f, ",k\ncount,3000.0\nmean,-0.5\nstd,288.7231147870524\n"
                      "min,-500.0\n25%,-250.25\n50%,-0.5\n75%,249.25\n"
                      "max,499.0\n");
    assert_int_equal(dfsum_frame_add_int32(fx->f, "k", v, N32, valid),
                     DFSUM_OK);
    expect_csv(fx->f, ",k\ncount,2400.0\nmean,0.0\nstd,288.7338503682561\n"
                      "min,-499.0\n25%,-249.5\n50%,0.0\n75%,249.5\n"
                      "max,499.0\n");
}

/* np.array([True, False, True, True, False]); then [True, False, None,
 * False, True] (object); then [False, True, True, False]: a tie goes to
 * the value seen first. */
static void bool_values(void **state)
{
    fixture *fx = *state;
    const uint8_t v[] = {1, 0, 7, 1, 0};
    const uint8_t m[] = {1, 0, 0, 0, 1};
    const uint8_t valid[] = {1, 1, 0, 1, 1};
    const uint8_t tie[] = {0, 1, 1, 0};
    assert_int_equal(dfsum_frame_add_bool(fx->f, "b", v, 5, NULL), DFSUM_OK);
    expect_csv(fx->f, ",b\ncount,5\nunique,2\ntop,True\nfreq,3\n");
    assert_int_equal(dfsum_frame_add_bool(fx->f, "b", m, 5, valid), DFSUM_OK);
    expect_csv(fx->f, ",b\ncount,4\nunique,2\ntop,True\nfreq,2\n");
    assert_int_equal(dfsum_frame_add_bool(fx->f, "b", tie, 4, NULL), DFSUM_OK);
    expect_csv(fx->f, ",b\ncount,4\nunique,2\ntop,False\nfreq,2\n");
}

/* pd.Series(["a", "b", None, "b", "", "a"], dtype=object): '' is a value;
 * a and b tie, a was seen first. */
static void text_values(void **state)
{
    fixture *fx = *state;
    const char *v[] = {"a", "b", NULL, "b", "", "a"};
    assert_int_equal(dfsum_frame_add_text(fx->f, "s", v, 6), DFSUM_OK);
    expect_csv(fx->f, ",s\ncount,5\nunique,3\ntop,a\nfreq,2\n");
}

static void add_mixed_frame(dfsum_frame *f)
{
    const double x[] = {1.5, 2.5, NAN, 4.0};
    const char *s[] = {"u", "v", "v", NULL};
    const uint8_t b[] = {1, 1, 0, 0};
    assert_int_equal(dfsum_frame_add_double(f, "x", x, 4, NULL), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_text(f, "s", s, 4), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_bool(f, "b", b, 4, NULL), DFSUM_OK);
}

/* describe(include="all") of the frame below. */
static const char mixed_all_csv[] =
    ",x,s,b\ncount,3.0,3,4\nunique,,2,2\ntop,,v,True\nfreq,,2,2\n"
    "mean,2.6666666666666665,,\nstd,1.2583057392117916,,\nmin,1.5,,\n"
    "25%,2.0,,\n50%,2.5,,\n75%,3.25,,\nmax,4.0,,\n";

/* df = pd.DataFrame({"x": [1.5, 2.5, nan, 4.0], "s": ["u", "v", "v",
 * None], "b": [True, True, False, False]}); describe() and
 * describe(include="all"). */
static void include_rule(void **state)
{
    fixture *fx = *state;
    add_mixed_frame(fx->f);
    expect_csv(fx->f, ",x\ncount,3.0\nmean,2.6666666666666665\n"
                      "std,1.2583057392117916\nmin,1.5\n25%,2.0\n50%,2.5\n"
                      "75%,3.25\nmax,4.0\n");
    assert_int_equal(dfsum_set_include(fx->d, DFSUM_INCLUDE_ALL), DFSUM_OK);
    add_mixed_frame(fx->f);
    expect_csv(fx->f, mixed_all_csv);
}

/* Describing the mixed frame with column list names[0..n) fails with st,
 * a message holding why. */
static void expect_refused(fixture *fx, const char *const *names, size_t n,
                           dfsum_status st, const char *why)
{
    dfsum_result *r = NULL;
    assert_int_equal(dfsum_set_columns(fx->d, names, n), DFSUM_OK);
    add_mixed_frame(fx->f);
    assert_int_equal(dfsum_frame_describe(fx->f, &r), st);
    assert_null(r);
    assert_non_null(strstr(dfsum_frame_errmsg(fx->f), why));
}

/* The mixed frame described with column list names[0..n) is csv. */
static void expect_listed(fixture *fx, const char *const *names, size_t n,
                          const char *csv)
{
    assert_int_equal(dfsum_set_columns(fx->d, names, n), DFSUM_OK);
    add_mixed_frame(fx->f);
    expect_csv(fx->f, csv);
}

/* The session's column list picks and orders a frame's columns:
 * df[["b", "x"]].describe(include="all") of the frame above; a name
 * listed twice is shown twice, as in df[["s", "x", "b", "s"]] and
 * df[["x", "s", "x"]].describe() (pandas 1.5.3). An unknown name is
 * refused (and the frame is cleared, as after any describe). */
static void column_list(void **state)
{
    fixture *fx = *state;
    const char *const pick[] = {"b", "x"};
    assert_int_equal(dfsum_set_include(fx->d, DFSUM_INCLUDE_ALL), DFSUM_OK);
    expect_listed(fx, pick, 2,
                  ",b,x\ncount,4,3.0\nunique,2,\ntop,True,\n"
                  "freq,2,\nmean,,2.6666666666666665\n"
                  "std,,1.2583057392117916\nmin,,1.5\n25%,,2.0\n"
                  "50%,,2.5\n75%,,3.25\nmax,,4.0\n");
    const char *const twice[] = {"s", "x", "b", "s"};
    expect_listed(fx, twice, 4,
                  ",s,x,b,s\ncount,3,3.0,4,3\nunique,2,,2,2\n"
                  "top,v,,True,v\nfreq,2,,2,2\nmean,,2.6666666666666665,,\n"
                  "std,,1.2583057392117916,,\nmin,,1.5,,\n25%,,2.0,,\n"
                  "50%,,2.5,,\n75%,,3.25,,\nmax,,4.0,,\n");
    const char *const numeric_twice[] = {"x", "s", "x"};
    assert_int_equal(dfsum_set_include(fx->d, DFSUM_INCLUDE_DEFAULT), DFSUM_OK);
    expect_listed(fx, numeric_twice, 3,
                  ",x,x\ncount,3.0,3.0\n"
                  "mean,2.6666666666666665,2.6666666666666665\n"
                  "std,1.2583057392117916,1.2583057392117916\n"
                  "min,1.5,1.5\n25%,2.0,2.0\n50%,2.5,2.5\n"
                  "75%,3.25,3.25\nmax,4.0,4.0\n");
    assert_int_equal(dfsum_set_include(fx->d, DFSUM_INCLUDE_ALL), DFSUM_OK);
    const char *const missing[] = {"x", "nope"};
    expect_refused(fx, missing, 2, DFSUM_ENOTFOUND, "'nope'");
    expect_listed(fx, NULL, 0, mixed_all_csv);
}

/* Columns without a value take the dtype of their arrays:
 * pd.DataFrame({"e": np.array([], dtype=float), "i": np.array([],
 * dtype=np.int64), "b": np.array([], dtype=bool), "t": np.array([],
 * dtype=object)}).describe(include="all"), and the same table for columns
 * of missing values only ([nan, nan], [None, None]...), except that
 * integers with None are float64 and bools with None object. */
static void empty_columns(void **state)
{
    fixture *fx = *state;
    const char *expected = ",e,i,b,t\ncount,0.0,0.0,0,0\nunique,,,0,0\n"
                           "top,,,,\nfreq,,,,\nmean,,,,\nstd,,,,\nmin,,,,\n"
                           "25%,,,,\n50%,,,,\n75%,,,,\nmax,,,,\n";
    const double nan2[] = {NAN, NAN};
    const int64_t i2[] = {1, 2};
    const uint8_t none[] = {0, 0};
    const char *t2[] = {NULL, NULL};
    dfsum_result *r = NULL;
    assert_int_equal(dfsum_set_include(fx->d, DFSUM_INCLUDE_ALL), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_double(fx->f, "e", NULL, 0, NULL),
                     DFSUM_OK);
    assert_int_equal(dfsum_frame_add_int64(fx->f, "i", NULL, 0, NULL),
                     DFSUM_OK);
    assert_int_equal(dfsum_frame_add_bool(fx->f, "b", NULL, 0, NULL), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_text(fx->f, "t", NULL, 0), DFSUM_OK);
    assert_int_equal(dfsum_frame_describe(fx->f, &r), DFSUM_OK);
    assert_int_equal(dfsum_result_dtype(r, 0), DFSUM_DTYPE_FLOAT64);
    assert_int_equal(dfsum_result_dtype(r, 1), DFSUM_DTYPE_INT64);
    assert_int_equal(dfsum_result_dtype(r, 2), DFSUM_DTYPE_BOOL);
    assert_int_equal(dfsum_result_dtype(r, 3), DFSUM_DTYPE_OBJECT);
    char *csv = NULL;
    size_t len;
    assert_int_equal(dfsum_result_format(r, DFSUM_FORMAT_CSV, 0, 0, &csv, &len),
                     DFSUM_OK);
    assert_string_equal(csv, expected);
    free(csv);
    dfsum_result_free(r);

    assert_int_equal(dfsum_frame_add_double(fx->f, "e", nan2, 2, NULL),
                     DFSUM_OK);
    assert_int_equal(dfsum_frame_add_int64(fx->f, "i", i2, 2, none), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_bool(fx->f, "b", none, 2, none), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_text(fx->f, "t", t2, 2), DFSUM_OK);
    assert_int_equal(dfsum_frame_describe(fx->f, &r), DFSUM_OK);
    assert_int_equal(dfsum_result_dtype(r, 1), DFSUM_DTYPE_FLOAT64);
    assert_int_equal(dfsum_result_dtype(r, 2), DFSUM_DTYPE_OBJECT);
    dfsum_result_free(r);
    assert_int_equal(dfsum_frame_add_double(fx->f, "e", nan2, 2, NULL),
                     DFSUM_OK);
    assert_int_equal(dfsum_frame_add_int64(fx->f, "i", i2, 2, none), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_bool(fx->f, "b", none, 2, none), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_text(fx->f, "t", t2, 2), DFSUM_OK);
    expect_csv(fx->f, expected);
}

/* ---- batches, merge, one call ------------------------------------------- */

#define NROWS 20000

typedef struct {
    double x[NROWS];
    int32_t k[NROWS];
    uint8_t b[NROWS], valid[NROWS];
    const char *s[NROWS];
} table;

/* xorshift64: a fixed seed, printed on failure by the callers. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void fill_table(table *t, uint64_t seed)
{
    static const char *const words[] = {"red", "green", "blue", "", "cyan"};
    for (size_t i = 0; i < NROWS; i++) {
        uint64_t u = next_random(&seed);
        t->x[i] = (double)(int64_t)(u % 2001) / 8.0 - 100.0;
        if (u % 97 == 0)
            t->x[i] = NAN;
        t->k[i] = (int32_t)(u >> 40) - (1 << 23);
        t->b[i] = (uint8_t)((u >> 7) & 1);
        t->valid[i] = (u >> 20) % 13 != 0;
        t->s[i] = (u >> 30) % 11 == 0 ? NULL : words[(u >> 33) % 5];
    }
}

/* Adds rows [from, to) of every column. */
static void add_rows(dfsum_frame *f, const table *t, size_t from, size_t to)
{
    size_t n = to - from;
    assert_int_equal(dfsum_frame_add_double(f, "x", t->x + from, n, NULL),
                     DFSUM_OK);
    assert_int_equal(
        dfsum_frame_add_int32(f, "k", t->k + from, n, t->valid + from),
        DFSUM_OK);
    assert_int_equal(dfsum_frame_add_bool(f, "b", t->b + from, n, NULL),
                     DFSUM_OK);
    assert_int_equal(dfsum_frame_add_text(f, "s", t->s + from, n), DFSUM_OK);
}

/* One call, random batch sizes (1 to 700 rows), and two frames merged
 * (the second half merged into the first) give the same bytes. */
static void batches_merge_one_call(void **state)
{
    fixture *fx = *state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    table *t = malloc(sizeof *t);
    assert_non_null(t);
    fill_table(t, seed);
    assert_int_equal(dfsum_set_include(fx->d, DFSUM_INCLUDE_ALL), DFSUM_OK);
    add_rows(fx->f, t, 0, NROWS);
    char *one = describe_csv(fx->f);

    uint64_t s = seed;
    for (size_t at = 0; at < NROWS;) {
        size_t n = 1 + next_random(&s) % 700;
        size_t to = at + n < NROWS ? at + n : NROWS;
        add_rows(fx->f, t, at, to);
        at = to;
    }
    char *batched = describe_csv(fx->f);

    dfsum_frame *second = NULL;
    assert_int_equal(dfsum_frame_create(fx->d, &second), DFSUM_OK);
    add_rows(fx->f, t, 0, NROWS / 3);
    add_rows(second, t, NROWS / 3, NROWS);
    assert_int_equal(dfsum_frame_merge(fx->f, second), DFSUM_OK);
    char *merged = describe_csv(fx->f);
    /* second is empty and reusable after the merge */
    add_rows(second, t, 0, NROWS);
    char *again = describe_csv(second);
    dfsum_frame_free(second);

    if (strcmp(one, batched) || strcmp(one, merged) || strcmp(one, again))
        fail_msg("seed %llu: outputs differ:\n%s\n%s\n%s\n%s",
                 (unsigned long long)seed, one, batched, merged, again);
    free(one);
    free(batched);
    free(merged);
    free(again);
    free(t);
}

/* A merge adds new names after into's, in from's order. */
static void merge_new_columns(void **state)
{
    fixture *fx = *state;
    dfsum_frame *g = NULL;
    const double a[] = {1, 2}, b[] = {3, 4, 5};
    assert_int_equal(dfsum_frame_create(fx->d, &g), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_double(fx->f, "a", a, 2, NULL), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_double(g, "b", b, 3, NULL), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_double(g, "a", b, 3, NULL), DFSUM_OK);
    assert_int_equal(dfsum_frame_merge(fx->f, g), DFSUM_OK);
    assert_int_equal(dfsum_frame_merge(fx->f, fx->f), DFSUM_EINVAL);
    /* from's rows come after into's: "b" and "a" tie, "b" was first */
    const char *sb[] = {"b"}, *sa[] = {"a"};
    assert_int_equal(dfsum_frame_add_text(fx->f, "t", sb, 1), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_text(g, "t", sa, 1), DFSUM_OK);
    assert_int_equal(dfsum_frame_merge(fx->f, g), DFSUM_OK);
    dfsum_result *r = NULL;
    assert_int_equal(dfsum_frame_describe(fx->f, &r), DFSUM_OK);
    assert_int_equal(dfsum_result_ncols(r), 2); /* numeric ones only */
    assert_string_equal(dfsum_result_name(r, 0), "a");
    assert_string_equal(dfsum_result_name(r, 1), "b");
    assert_true(dfsum_result_cell(r, 0, 0).f == 5.0);
    assert_true(dfsum_result_cell(r, 0, 1).f == 3.0);
    dfsum_result_free(r);
    assert_int_equal(dfsum_frame_add_text(fx->f, "t", sb, 1), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_text(g, "t", sa, 1), DFSUM_OK);
    assert_int_equal(dfsum_frame_merge(fx->f, g), DFSUM_OK);
    expect_csv(fx->f, ",t\ncount,2\nunique,2\ntop,b\nfreq,1\n");
    assert_int_equal(dfsum_frame_add_text(fx->f, "t", sa, 1), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_text(g, "t", sb, 1), DFSUM_OK);
    assert_int_equal(dfsum_frame_merge(fx->f, g), DFSUM_OK);
    expect_csv(fx->f, ",t\ncount,2\nunique,2\ntop,a\nfreq,1\n");
    dfsum_frame_free(g);
}

/* ---- errors -------------------------------------------------------------- */

/* A column keeps its family; the refused batch changes nothing. */
static void type_mix_refused(void **state)
{
    fixture *fx = *state;
    const double x[] = {1.0, 2.0};
    const char *s[] = {"a"};
    const uint8_t b[] = {1};
    assert_int_equal(dfsum_frame_add_double(fx->f, "x", x, 2, NULL), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_text(fx->f, "x", s, 1), DFSUM_EINVAL);
    assert_string_equal(dfsum_frame_errmsg(fx->f),
                        "column 'x' holds numbers: cannot add text to it");
    assert_int_equal(dfsum_frame_add_bool(fx->f, "x", b, 1, NULL),
                     DFSUM_EINVAL);
    assert_non_null(strstr(dfsum_frame_errmsg(fx->f), "'x'"));
    assert_int_equal(dfsum_frame_add_text(fx->f, "t", s, 1), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_int64(fx->f, "t", NULL, 0, NULL),
                     DFSUM_EINVAL);
    assert_string_equal(dfsum_frame_errmsg(fx->f),
                        "column 't' holds text: cannot add numbers to it");

    dfsum_frame *g = NULL;
    assert_int_equal(dfsum_frame_create(fx->d, &g), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_bool(g, "x", b, 1, NULL), DFSUM_OK);
    assert_int_equal(dfsum_frame_merge(fx->f, g), DFSUM_EINVAL);
    dfsum_frame_free(g);
    expect_csv(fx->f, ",x\ncount,2.0\nmean,1.5\nstd,0.7071067811865476\n"
                      "min,1.0\n25%,1.25\n50%,1.5\n75%,1.75\nmax,2.0\n");
}

static void bad_arguments(void **state)
{
    fixture *fx = *state;
    const char *bad[] = {"ok", "\xff\xfe"};
    dfsum_result *r = (dfsum_result *)fx; /* must stay untouched */
    assert_int_equal(dfsum_frame_add_text(fx->f, "t", bad, 2), DFSUM_EINVAL);
    assert_string_equal(dfsum_frame_errmsg(fx->f),
                        "column 't': value 1 of the batch is not valid UTF-8");
    assert_int_equal(dfsum_frame_add_double(fx->f, NULL, NULL, 0, NULL),
                     DFSUM_EINVAL);
    assert_int_equal(dfsum_frame_add_double(fx->f, "x", NULL, 3, NULL),
                     DFSUM_EINVAL);
    assert_int_equal(dfsum_frame_add_double(NULL, "x", NULL, 0, NULL),
                     DFSUM_EINVAL);
    assert_int_equal(dfsum_frame_create(NULL, NULL), DFSUM_EINVAL);
    assert_int_equal(dfsum_frame_create(fx->d, NULL), DFSUM_EINVAL);
    assert_int_equal(dfsum_frame_describe(NULL, &r), DFSUM_EINVAL);
    assert_int_equal(dfsum_frame_merge(NULL, fx->f), DFSUM_EINVAL);
    assert_int_equal(dfsum_frame_merge(fx->f, NULL), DFSUM_EINVAL);
    /* nothing was added: an empty frame */
    assert_int_equal(dfsum_frame_describe(fx->f, &r), DFSUM_EEMPTY);
    assert_ptr_equal(r, (dfsum_result *)fx);
    assert_string_equal(dfsum_frame_errmsg(fx->f), "the frame has no columns");
    assert_string_equal(dfsum_errmsg(fx->d), "the frame has no columns");
    dfsum_frame_free(NULL);
}

/* After describe the frame is empty: a second describe sees only what was
 * added since, under the same names or others. */
static void reuse_after_describe(void **state)
{
    fixture *fx = *state;
    const double a[] = {1, 2, 3}, b[] = {10, 20};
    const char *s[] = {"p"};
    assert_int_equal(dfsum_frame_add_double(fx->f, "a", a, 3, NULL), DFSUM_OK);
    char *first = describe_csv(fx->f);
    free(first);
    assert_int_equal(dfsum_frame_add_text(fx->f, "a", s, 1), DFSUM_OK);
    assert_int_equal(dfsum_frame_add_double(fx->f, "b", b, 2, NULL), DFSUM_OK);
    assert_int_equal(dfsum_set_include(fx->d, DFSUM_INCLUDE_ALL), DFSUM_OK);
    expect_csv(fx->f, ",a,b\ncount,1,2.0\nunique,1,\ntop,p,\nfreq,1,\n"
                      "mean,,15.0\nstd,,7.0710678118654755\nmin,,10.0\n"
                      "25%,,12.5\n50%,,15.0\n75%,,17.5\nmax,,20.0\n");
}

/* Many columns: the name index grows and keeps first-use order. */
static void many_columns(void **state)
{
    fixture *fx = *state;
    char name[32];
    for (int round = 0; round < 2; round++) {
        for (int j = 0; j < 100; j++) {
            double v = j;
            snprintf(name, sizeof name, "c%d", (j * 37) % 100);
            assert_int_equal(dfsum_frame_add_double(fx->f, name, &v, 1, NULL),
                             DFSUM_OK);
        }
    }
    dfsum_result *r = NULL;
    assert_int_equal(dfsum_frame_describe(fx->f, &r), DFSUM_OK);
    assert_int_equal(dfsum_result_ncols(r), 100);
    for (size_t j = 0; j < 100; j++) {
        snprintf(name, sizeof name, "c%zu", (j * 37) % 100);
        assert_string_equal(dfsum_result_name(r, j), name);
        assert_true(dfsum_result_cell(r, 0, j).f == 2.0);
    }
    dfsum_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(double_mask_and_nan, setup, teardown),
        cmocka_unit_test_setup_teardown(double_percentiles, setup, teardown),
        cmocka_unit_test_setup_teardown(float_widened, setup, teardown),
        cmocka_unit_test_setup_teardown(int64_values, setup, teardown),
        cmocka_unit_test_setup_teardown(int64_masked, setup, teardown),
        cmocka_unit_test_setup_teardown(int32_values, setup, teardown),
        cmocka_unit_test_setup_teardown(bool_values, setup, teardown),
        cmocka_unit_test_setup_teardown(text_values, setup, teardown),
        cmocka_unit_test_setup_teardown(include_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(column_list, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(batches_merge_one_call, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(merge_new_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(type_mix_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(reuse_after_describe, setup, teardown),
        cmocka_unit_test_setup_teardown(many_columns, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
