/*
 * test_api.c - the public API end to end on small files: values, options,
 * errors, and the invariant that the chunk size never changes a result.
 * Includes only <dfsum.h> (plus the test harness), like a user would.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfsum.h"

typedef struct {
    char dir[64];
    char path[128];
} tmpfile_t;

/* Writes text to a fresh temporary file named name. */
static void write_tmp(tmpfile_t *t, const char *name, const char *text)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/dfsum_api_XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
    FILE *f = fopen(t->path, "wb");
    assert_non_null(f);
    fwrite(text, 1, strlen(text), f);
    fclose(f);
}

static void remove_tmp(tmpfile_t *t)
{
    unlink(t->path);
    rmdir(t->dir);
}

static dfsum_result *describe_text(dfsum *d, const char *text)
{
    tmpfile_t t;
    dfsum_result *r = NULL;
    write_tmp(&t, "t.csv", text);
    dfsum_status st = dfsum_describe_path(d, t.path, &r);
    if (st != DFSUM_OK)
        fail_msg("describe failed: %s", dfsum_errmsg(d));
    remove_tmp(&t);
    return r;
}

static size_t col_index(const dfsum_result *r, const char *name)
{
    size_t j = dfsum_result_find_col(r, name);
    if (j == (size_t)-1)
        fail_msg("no column %s", name);
    return j;
}

static double num(const dfsum_result *r, dfsum_stat stat, const char *col)
{
    dfsum_cell c =
        dfsum_result_cell(r, dfsum_result_find_row(r, stat), col_index(r, col));
    return c.kind == DFSUM_CELL_FLOAT ? c.f : NAN;
}

static void test_find_by_name(void **state)
{
    (void)state;
    dfsum *d = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    dfsum_result *r = describe_text(d, "a,b\n1,2\n3,4\n5,6\n");
    assert_int_equal(dfsum_result_find_col(r, "b"), 1);
    assert_int_equal(dfsum_result_find_col(r, "c"), (size_t)-1);
    assert_int_equal(dfsum_result_find_col(r, NULL), (size_t)-1);
    size_t q1 = dfsum_result_find_label(r, "25%");
    assert_int_equal(q1, 4);
    assert_int_equal(dfsum_result_row_stat(r, q1), DFSUM_STAT_PERCENTILE);
    assert_true(dfsum_result_cell(r, q1, 1).f == 3.0);
    assert_int_equal(dfsum_result_find_label(r, "mean"),
                     dfsum_result_find_row(r, DFSUM_STAT_MEAN));
    assert_int_equal(dfsum_result_find_label(r, "top"), (size_t)-1);
    assert_int_equal(dfsum_result_find_label(NULL, "mean"), (size_t)-1);
    dfsum_result_free(r);
    dfsum_free(d);
}

static void test_numeric_table(void **state)
{
    (void)state;
    dfsum *d = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    dfsum_result *r = describe_text(d, "a,b,t\n1,2.5,x\n3,,y\n5,4.5,x\n");
    assert_int_equal(dfsum_result_ncols(r), 2); /* t is text: left out */
    assert_int_equal(dfsum_result_dtype(r, 0), DFSUM_DTYPE_INT64);
    assert_int_equal(dfsum_result_dtype(r, 1), DFSUM_DTYPE_FLOAT64);
    assert_int_equal(dfsum_result_nrows(r), 8);
    assert_string_equal(dfsum_result_row_label(r, 4), "25%");
    assert_true(num(r, DFSUM_STAT_COUNT, "a") == 3.0);
    assert_true(num(r, DFSUM_STAT_MEAN, "a") == 3.0);
    assert_true(num(r, DFSUM_STAT_STD, "a") == 2.0);
    assert_true(num(r, DFSUM_STAT_COUNT, "b") == 2.0);
    assert_true(num(r, DFSUM_STAT_MEAN, "b") == 3.5);
    assert_true(num(r, DFSUM_STAT_MAX, "b") == 4.5);
    dfsum_result_free(r);
    dfsum_free(d);
}

static void test_include_all(void **state)
{
    (void)state;
    dfsum *d = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    assert_int_equal(dfsum_set_include(d, DFSUM_INCLUDE_ALL), DFSUM_OK);
    dfsum_result *r = describe_text(d, "a,t\n1,x\n2,y\n3,x\n");
    assert_int_equal(dfsum_result_ncols(r), 2);
    assert_int_equal(dfsum_result_nrows(r), 11);
    assert_string_equal(dfsum_result_row_label(r, 1), "unique");
    dfsum_cell top = dfsum_result_cell(r, 2, 1);
    assert_int_equal(top.kind, DFSUM_CELL_TEXT);
    assert_string_equal(top.text, "x");
    dfsum_cell freq = dfsum_result_cell(r, 3, 1);
    assert_int_equal(freq.kind, DFSUM_CELL_INT);
    assert_int_equal(freq.i, 2);
    assert_int_equal(dfsum_result_cell(r, 2, 0).kind, DFSUM_CELL_MISSING);
    assert_int_equal(dfsum_result_cell(r, 4, 1).kind, DFSUM_CELL_MISSING);
    dfsum_result_free(r);
    dfsum_free(d);
}

static void test_percentiles_and_columns(void **state)
{
    (void)state;
    dfsum *d = NULL;
    const double p[] = {0.9, 0.1};
    const char *cols[] = {"b", "a"};
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    assert_int_equal(dfsum_set_percentiles(d, p, 2), DFSUM_OK);
    assert_int_equal(dfsum_set_columns(d, cols, 2), DFSUM_OK);
    dfsum_result *r = describe_text(d, "a,b,c\n1,10,0\n2,20,0\n3,30,0\n");
    assert_int_equal(dfsum_result_ncols(r), 2);
    assert_string_equal(dfsum_result_name(r, 0), "b");
    assert_string_equal(dfsum_result_row_label(r, 4), "10%");
    assert_string_equal(dfsum_result_row_label(r, 5), "50%");
    assert_string_equal(dfsum_result_row_label(r, 6), "90%");
    assert_true(dfsum_result_cell(r, 4, 0).f == 12.0);
    dfsum_result_free(r);
    const double bad[] = {1.5};
    assert_int_equal(dfsum_set_percentiles(d, bad, 1), DFSUM_EINVAL);
    assert_string_equal(dfsum_errmsg(d),
                        "percentiles should all be in the interval [0,1]");
    dfsum_free(d);
}

static void test_errors(void **state)
{
    (void)state;
    dfsum *d = NULL;
    dfsum_result *r = NULL;
    tmpfile_t t;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    assert_int_equal(dfsum_describe_path(d, "/nonexistent/x.csv", &r),
                     DFSUM_EIO);
    assert_null(r);
    assert_non_null(strstr(dfsum_errmsg(d), "/nonexistent/x.csv"));
    write_tmp(&t, "ragged.csv", "a,b\n1,2\n3,4,5\n");
    assert_int_equal(dfsum_describe_path(d, t.path, &r), DFSUM_EPARSE);
    assert_non_null(strstr(dfsum_errmsg(d), "ragged.csv:3: expected 2 fields"));
    remove_tmp(&t);
    const char *cols[] = {"zz"};
    dfsum_set_columns(d, cols, 1);
    write_tmp(&t, "ok.csv", "a\n1\n");
    assert_int_equal(dfsum_describe_path(d, t.path, &r), DFSUM_ENOTFOUND);
    assert_non_null(strstr(dfsum_errmsg(d), "no column named 'zz'"));
    remove_tmp(&t);
    assert_null(r);
    dfsum_free(d);
}

/* --on-bad-lines: rows longer than the header left out (counted, and
 * named in the note under WARN); a later fault still names its line. */
static void test_bad_lines(void **state)
{
    (void)state;
    const char *text = "a,b\n1,2\n3,4,5\n\n\"6\n\",7\n8,9,10,11\n12,13\n";
    dfsum *d = NULL;
    dfsum_result *r = NULL;
    tmpfile_t t;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    assert_int_equal(dfsum_set_on_bad_lines(d, (dfsum_bad_lines)3),
                     DFSUM_EINVAL);
    assert_int_equal(dfsum_set_on_bad_lines(d, DFSUM_BAD_LINES_SKIP), DFSUM_OK);
    r = describe_text(d, text);
    assert_int_equal(dfsum_result_bad_lines(r), 2);
    assert_string_equal(dfsum_result_note(r), "");
    assert_true(num(r, DFSUM_STAT_COUNT, "b") == 3.0);
    assert_true(num(r, DFSUM_STAT_MAX, "b") == 13.0);
    dfsum_result_free(r);
    assert_int_equal(dfsum_set_on_bad_lines(d, DFSUM_BAD_LINES_WARN), DFSUM_OK);
    write_tmp(&t, "bad.csv", text);
    assert_int_equal(dfsum_describe_path(d, t.path, &r), DFSUM_OK);
    char want[512];
    snprintf(want, sizeof want,
             "%s:3: expected 2 fields, saw 3; line skipped\n"
             "%s:7: expected 2 fields, saw 4; line skipped",
             t.path, t.path);
    assert_string_equal(dfsum_result_note(r), want);
    dfsum_result_free(r);
    remove_tmp(&t);
    write_tmp(&t, "late.csv", "a,b\n1,2\n3,4,5\n5,\xff\n");
    assert_int_equal(dfsum_describe_path(d, t.path, &r), DFSUM_EPARSE);
    assert_non_null(strstr(dfsum_errmsg(d), "late.csv:4: invalid UTF-8"));
    remove_tmp(&t);
    assert_int_equal(dfsum_result_bad_lines(NULL), 0);
    dfsum_free(d);
}

/* --na-values: Python's float() decides which strings are numbers too. */
static void test_na_values(void **state)
{
    (void)state;
    dfsum *d = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    dfsum_set_include(d, DFSUM_INCLUDE_ALL);
    const char *tens[] = {" 1_0 ", "0x10", "1__0"};
    assert_int_equal(dfsum_set_na_values(d, tens, 3), DFSUM_OK);
    dfsum_result *r =
        describe_text(d, "x,t\n10,0x10\n10.00,16\n5.5,1__0\n16,10.0\n3,a\n");
    assert_true(num(r, DFSUM_STAT_COUNT, "x") == 3.0); /* 10, 10.00 gone */
    assert_true(num(r, DFSUM_STAT_MAX, "x") == 16.0);  /* 0x10 is text */
    dfsum_cell t = dfsum_result_cell(
        r, dfsum_result_find_row(r, DFSUM_STAT_COUNT), col_index(r, "t"));
    assert_int_equal(t.i, 2); /* 0x10, 1__0 and 10.0 gone */
    dfsum_result_free(r);
    char names[40][8];
    const char *many[40];
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof names[i], "%d", -i);
        many[i] = names[i];
    }
    assert_int_equal(dfsum_set_na_values(d, many, 40), DFSUM_EINVAL);
    assert_non_null(strstr(dfsum_errmsg(d), "at most 32 distinct numbers"));
    assert_int_equal(dfsum_set_na_values(d, many, 32), DFSUM_OK);
    assert_int_equal(dfsum_set_na_values(d, NULL, 0), DFSUM_OK);
    r = describe_text(d, "x\n-1\n-2\n");
    assert_true(num(r, DFSUM_STAT_COUNT, "x") == 2.0);
    dfsum_result_free(r);
    dfsum_free(d);
}

/* Index columns are left out, by position or name; none left fails. */
static void test_index_columns(void **state)
{
    (void)state;
    dfsum *d = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    const char *idx[] = {"0", "c"};
    assert_int_equal(dfsum_set_index_columns(d, idx, 2), DFSUM_OK);
    dfsum_result *r = describe_text(d, ",b,c\n0,1.5,7\n1,2.5,8\n");
    assert_int_equal(dfsum_result_ncols(r), 1);
    assert_int_equal(dfsum_result_find_col(r, "b"), 0);
    dfsum_result_free(r);
    const char *only[] = {"a"};
    assert_int_equal(dfsum_set_index_columns(d, only, 1), DFSUM_OK);
    tmpfile_t t;
    write_tmp(&t, "one.csv", "a\n1\n");
    assert_int_equal(dfsum_describe_path(d, t.path, &r), DFSUM_ENOTFOUND);
    assert_non_null(strstr(dfsum_errmsg(d), "no column left to describe"));
    remove_tmp(&t);
    dfsum_free(d);
}

/* The quote character and the delimiter are two different bytes. */
static void test_quotechar(void **state)
{
    (void)state;
    dfsum *d = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    assert_int_equal(dfsum_set_quotechar(d, ','), DFSUM_EINVAL);
    assert_int_equal(dfsum_set_quotechar(d, '\n'), DFSUM_EINVAL);
    assert_int_equal(dfsum_set_quotechar(d, '\''), DFSUM_OK);
    assert_int_equal(dfsum_set_delimiter(d, '\''), DFSUM_EINVAL);
    assert_int_equal(dfsum_set_delimiter(d, '"'), DFSUM_OK); /* free now */
    dfsum_result *r = describe_text(d, "a\"b\n'1\"5'\"2\n");
    assert_true(num(r, DFSUM_STAT_MAX, "b") == 2.0);
    dfsum_result_free(r);
    dfsum_free(d);
}

/* The decimal mark: numbers written with it, '.' text, the top value
 * shown as written; a mark that is the delimiter is refused at the read. */
static void test_decimal(void **state)
{
    (void)state;
    dfsum *d = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    assert_int_equal(dfsum_set_decimal(d, 'e'), DFSUM_EINVAL);
    assert_int_equal(dfsum_set_decimal(d, '-'), DFSUM_EINVAL);
    assert_int_equal(dfsum_set_decimal(d, ' '), DFSUM_EINVAL);
    assert_int_equal(dfsum_set_decimal(d, ','), DFSUM_OK);
    tmpfile_t t;
    dfsum_result *r = NULL;
    write_tmp(&t, "c.csv", "a,b\n1,5\n");
    assert_int_equal(dfsum_describe_path(d, t.path, &r), DFSUM_EINVAL);
    assert_non_null(strstr(dfsum_errmsg(d), "is also the delimiter"));
    remove_tmp(&t);
    assert_int_equal(dfsum_set_delimiter(d, ';'), DFSUM_OK);
    dfsum_set_include(d, DFSUM_INCLUDE_ALL);
    const char *na[] = {"2.5"};
    assert_int_equal(dfsum_set_na_values(d, na, 1), DFSUM_OK);
    r = describe_text(d, "x;t\n1,5;1.5\n2,5;1.5\n-1,25e1;1,#IND\n"
                         "1.#IND;2.5\n");
    assert_true(num(r, DFSUM_STAT_COUNT, "x") == 2.0); /* 2,5 is 2.5 */
    assert_true(num(r, DFSUM_STAT_MIN, "x") == -12.5);
    dfsum_cell top = dfsum_result_cell(
        r, dfsum_result_find_row(r, DFSUM_STAT_TOP), col_index(r, "t"));
    assert_int_equal(top.kind, DFSUM_CELL_TEXT);
    assert_memory_equal(top.text, "1.5", 3);
    dfsum_cell unique = dfsum_result_cell(
        r, dfsum_result_find_row(r, DFSUM_STAT_UNIQUE), col_index(r, "t"));
    assert_int_equal(unique.i, 2); /* 1.5 and 1,#IND; 2.5 is missing */
    dfsum_result_free(r);
    assert_int_equal(dfsum_set_decimal(d, '.'), DFSUM_OK);
    r = describe_text(d, "x\n1,5\n");
    assert_int_equal(dfsum_result_cell(r, 0, 0).kind, DFSUM_CELL_INT);
    dfsum_result_free(r);
    dfsum_free(d);
}

/* The thousands separator: dropped from numbers, kept in text; it may
 * not be the decimal mark. */
static void test_thousands(void **state)
{
    (void)state;
    dfsum *d = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    assert_int_equal(dfsum_set_thousands(d, '1'), DFSUM_EINVAL);
    assert_int_equal(dfsum_set_thousands(d, '+'), DFSUM_EINVAL);
    assert_int_equal(dfsum_set_thousands(d, '.'), DFSUM_OK);
    tmpfile_t t;
    dfsum_result *r = NULL;
    write_tmp(&t, "c.csv", "a\n1.5\n");
    assert_int_equal(dfsum_describe_path(d, t.path, &r), DFSUM_EINVAL);
    assert_non_null(strstr(dfsum_errmsg(d), "is also the decimal mark"));
    remove_tmp(&t);
    assert_int_equal(dfsum_set_decimal(d, ','), DFSUM_OK);
    assert_int_equal(dfsum_set_delimiter(d, ';'), DFSUM_OK);
    dfsum_set_include(d, DFSUM_INCLUDE_ALL);
    r = describe_text(d, "x;t\n1.234,5;1.234\n-2.000;.5\n");
    assert_true(num(r, DFSUM_STAT_MIN, "x") == -2000.0);
    assert_true(num(r, DFSUM_STAT_MAX, "x") == 1234.5);
    dfsum_cell top = dfsum_result_cell(
        r, dfsum_result_find_row(r, DFSUM_STAT_TOP), col_index(r, "t"));
    assert_int_equal(top.text_len, 5); /* .5 is text: "1.234" as written */
    assert_memory_equal(top.text, "1.234", 5);
    dfsum_result_free(r);
    assert_int_equal(dfsum_set_thousands(d, 0), DFSUM_OK);
    r = describe_text(d, "x\n1.234\n");
    assert_int_equal(dfsum_result_cell(r, 0, 0).kind, DFSUM_CELL_INT);
    dfsum_result_free(r);
    dfsum_free(d);
}

/* true_values / false_values: bools after missing values and numbers,
 * pandas' own True words first; text columns keep the words. */
static void test_bool_words(void **state)
{
    (void)state;
    dfsum *d = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    const char *yes[] = {"yes", "1"}, *no[] = {"no", "True", NULL};
    assert_int_equal(dfsum_set_false_values(d, no, 3), DFSUM_EINVAL);
    assert_int_equal(dfsum_set_true_values(d, yes, 2), DFSUM_OK);
    assert_int_equal(dfsum_set_false_values(d, no, 2), DFSUM_OK);
    dfsum_set_include(d, DFSUM_INCLUDE_ALL);
    dfsum_result *r = describe_text(d, "b,t,n\nyes,yes,1\nno,x,0\nTrue,no,1\n");
    size_t top = dfsum_result_find_row(r, DFSUM_STAT_TOP);
    size_t freq = dfsum_result_find_row(r, DFSUM_STAT_FREQ);
    dfsum_cell b = dfsum_result_cell(r, top, col_index(r, "b"));
    assert_memory_equal(b.text, "True", 4); /* yes, True: both True */
    assert_int_equal(dfsum_result_cell(r, freq, col_index(r, "b")).i, 2);
    dfsum_cell t = dfsum_result_cell(r, top, col_index(r, "t"));
    assert_int_equal(t.text_len, 3); /* text: the words as written */
    assert_memory_equal(t.text, "yes", 3);
    assert_true(num(r, DFSUM_STAT_MAX, "n") == 1.0); /* numbers first */
    dfsum_result_free(r);
    assert_int_equal(dfsum_set_true_values(d, NULL, 0), DFSUM_OK);
    assert_int_equal(dfsum_set_false_values(d, NULL, 0), DFSUM_OK);
    r = describe_text(d, "b\nyes\nno\n");
    assert_int_equal(dfsum_result_cell(r, 1, 0).i, 2); /* unique: text */
    dfsum_result_free(r);
    dfsum_free(d);
}

/* describe(include=[...], exclude=[...]) by kinds of columns. */
static void test_kinds(void **state)
{
    (void)state;
    dfsum *d = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    assert_int_equal(dfsum_set_kinds(d, 8, 0), DFSUM_EINVAL);
    assert_int_equal(dfsum_set_kinds(d, DFSUM_KIND_BOOL, DFSUM_KIND_BOOL),
                     DFSUM_EINVAL);
    const char *text = "n,t,b\n1,x,True\n2,y,False\n";
    assert_int_equal(dfsum_set_kinds(d, 0, DFSUM_KIND_NUMBER), DFSUM_OK);
    dfsum_result *r = describe_text(d, text);
    assert_int_equal(dfsum_result_ncols(r), 2); /* t and b */
    assert_int_equal(dfsum_result_find_col(r, "n"), (size_t)-1);
    dfsum_result_free(r);
    assert_int_equal(dfsum_set_kinds(d, DFSUM_KIND_BOOL, 0), DFSUM_OK);
    r = describe_text(d, text);
    assert_int_equal(dfsum_result_ncols(r), 1);
    assert_int_equal(dfsum_result_find_col(r, "b"), 0);
    dfsum_result_free(r);
    assert_int_equal(dfsum_set_kinds(d, 0, 0), DFSUM_OK); /* the rule back */
    r = describe_text(d, text);
    assert_int_equal(dfsum_result_ncols(r), 1);
    assert_int_equal(dfsum_result_find_col(r, "n"), 0);
    dfsum_result_free(r);
    dfsum_free(d);
}

/* Bitwise equality of two results, cell by cell. */
static void assert_same_result(const dfsum_result *x, const dfsum_result *y)
{
    assert_int_equal(dfsum_result_ncols(x), dfsum_result_ncols(y));
    assert_int_equal(dfsum_result_nrows(x), dfsum_result_nrows(y));
    for (size_t i = 0; i < dfsum_result_nrows(x); i++) {
        for (size_t j = 0; j < dfsum_result_ncols(x); j++) {
            dfsum_cell a = dfsum_result_cell(x, i, j);
            dfsum_cell b = dfsum_result_cell(y, i, j);
            assert_int_equal(a.kind, b.kind);
            assert_memory_equal(&a.f, &b.f, sizeof a.f);
            assert_int_equal(a.i, b.i);
            if (a.kind == DFSUM_CELL_TEXT)
                assert_string_equal(a.text, b.text);
        }
    }
}

static const char *const invariance_inputs[] = {
    "x,y,t\n1,2.5,a\n\"3\",-1e3,\"b,c\"\n\n5,,\"multi\nline\"\n7,inf,a\n",
    "a,b\r\n1,True\r\n2,False\r\n3,\r\n4,True\r\n",
    "n,late\n1,1\n2,2.50\n3,2.5\n4,x\n",
    "a\n18446744073709551615\n1\n",
    "i,j\n1,2,3\n4,5,6\n",
};

static void test_chunk_size_invariance(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof invariance_inputs / sizeof(char *); k++) {
        const char *text = invariance_inputs[k];
        dfsum *d = NULL;
        assert_int_equal(dfsum_create(&d), DFSUM_OK);
        dfsum_set_include(d, DFSUM_INCLUDE_ALL);
        dfsum_result *ref = describe_text(d, text);
        for (size_t chunk = 1; chunk <= strlen(text) + 1; chunk++) {
            dfsum_set_chunk_size(d, chunk);
            dfsum_result *r = describe_text(d, text);
            assert_same_result(ref, r);
            dfsum_result_free(r);
        }
        dfsum_result_free(ref);
        dfsum_free(d);
    }
}

static void test_status_text(void **state)
{
    (void)state;
    assert_string_equal(dfsum_strerror(DFSUM_EPARSE), "malformed input");
    assert_string_equal(dfsum_status_name(DFSUM_ENOTFOUND), "DFSUM_ENOTFOUND");
    assert_string_equal(dfsum_version(), DFSUM_VERSION_STRING);
    assert_string_equal(dfsum_dtype_name(DFSUM_DTYPE_UINT64), "uint64");
    dfsum_free(NULL);
    dfsum_result_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric_table),
        cmocka_unit_test(test_include_all),
        cmocka_unit_test(test_percentiles_and_columns),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_na_values),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_quotechar),
        cmocka_unit_test(test_decimal),
        cmocka_unit_test(test_thousands),
        cmocka_unit_test(test_bool_words),
        cmocka_unit_test(test_index_columns),
        cmocka_unit_test(test_chunk_size_invariance),
        cmocka_unit_test(test_status_text),
        cmocka_unit_test(test_find_by_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
