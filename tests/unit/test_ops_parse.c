/*
 * test_ops_parse.c - field classification as pandas.read_csv (1.5) types
 * fields, and number reading: exact integers, correctly rounded decimals.
 *
 * Every field is copied to a heap block of exactly its length, so that a
 * read past its end shows up under AddressSanitizer.
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
#include "ops_hot.h"

static uint64_t bits_of(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* Classifies s[0..n) from an exact-size copy. */
static ops_kind classify_n(const char *s, size_t n, ops_value *v)
{
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    v->u = 0xDEADBEEFDEADBEEFull;
    ops_kind kind = ops_classify(copy, n, v);
    free(copy);
    return kind;
}

static ops_kind classify(const char *s, ops_value *v)
{
    return classify_n(s, strlen(s), v);
}

static const char *kind_name(ops_kind k)
{
    static const char *names[] = {"NA",   "TRUE",   "FALSE", "INT",
                                  "UINT", "BIGINT", "FLOAT", "TEXT"};
    return (unsigned)k < 8 ? names[k] : "?";
}

/* Fails with the field and both kinds named. */
static void check_kind(const char *s, size_t n, ops_kind want, ops_value *v)
{
    ops_kind got = classify_n(s, n, v);
    if (got != want)
        fail_msg("field \"%.*s\" (%zu bytes): want %s, got %s", (int)n, s, n,
                 kind_name(want), kind_name(got));
}

static void expect_kind(const char *s, ops_kind want)
{
    ops_value v;
    check_kind(s, strlen(s), want, &v);
}

static void expect_int(const char *s, int64_t want)
{
    ops_value v;
    check_kind(s, strlen(s), OPS_INT, &v);
    if (v.i != want)
        fail_msg("\"%s\": want %lld, got %lld", s, (long long)want,
                 (long long)v.i);
}

static void expect_uint(const char *s, uint64_t want)
{
    ops_value v;
    check_kind(s, strlen(s), OPS_UINT, &v);
    assert_int_equal(v.u, want);
}

/* FLOAT or BIGINT with exactly these bits (tells -0.0 from 0.0). */
static void expect_double_n(const char *s, size_t n, ops_kind kind, double want)
{
    ops_value v;
    check_kind(s, n, kind, &v);
    if (bits_of(v.f) != bits_of(want))
        fail_msg("\"%.*s\": want %.17g, got %.17g", (int)n, s, want, v.f);
}

static void expect_float(const char *s, double want)
{
    expect_double_n(s, strlen(s), OPS_FLOAT, want);
}

static void expect_bigint(const char *s, double want)
{
    expect_double_n(s, strlen(s), OPS_BIGINT, want);
}

/* ---- NA strings ---- */

static void test_na_strings(void **state)
{
    (void)state;
    static const char *na[] = {
        "",     "#N/A", "#N/A N/A", "#NA",     "-1.#IND", "-1.#QNAN",
        "-NaN", "-nan", "1.#IND",   "1.#QNAN", "<NA>",    "N/A",
        "NA",   "NULL", "NaN",      "n/a",     "nan",     "null"};
    for (size_t i = 0; i < sizeof na / sizeof na[0]; i++)
        expect_kind(na[i], OPS_NA);
}

static void test_na_lookalikes_are_text(void **state)
{
    (void)state;
    /* matched on the whole field, case-sensitive; 'None' only from 2.0 */
    static const char *text[] = {
        "None",   "NAN",   "Nan",  "nAn",      " NA",       "NA ",
        "nan ",   " nan",  "N/a",  "n/A",      "#N/A  N/A", "#N/A N/A ",
        "Null",   "NULL ", "<na>", "-NAN",     "+nan",      "+NaN",
        "1.#INF", "#n/a",  "N",    "-1.#IND ", "1.#QNAN\t", "na"};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        expect_kind(text[i], OPS_TEXT);
}

/* ---- Bools ---- */

static void test_bools(void **state)
{
    (void)state;
    expect_kind("True", OPS_TRUE);
    expect_kind("TRUE", OPS_TRUE);
    expect_kind("true", OPS_TRUE);
    expect_kind("False", OPS_FALSE);
    expect_kind("FALSE", OPS_FALSE);
    expect_kind("false", OPS_FALSE);
    /* pandas 1.5 falls back to strcasecmp: pd.read_csv of "a\ntRue\nFaLsE"
     * gives dtype bool [True, False]. */
    expect_kind("tRue", OPS_TRUE);
    expect_kind("fALSE", OPS_FALSE);
    /* spaced_bools: ' True' makes the column text */
    expect_kind(" True", OPS_TEXT);
    expect_kind("True ", OPS_TEXT);
    expect_kind("TRUE\t", OPS_TEXT);
    expect_kind("Tru", OPS_TEXT);
    expect_kind("Truee", OPS_TEXT);
    expect_kind("yes", OPS_TEXT);
    expect_kind("T", OPS_TEXT);
    expect_kind("1", OPS_INT); /* not a bool */
    expect_kind("Fal\xd3"
                "e",
                OPS_TEXT); /* 0xD3 | 0x20 is not 's' */
}

/* ---- Integers ---- */

static void test_integers(void **state)
{
    (void)state;
    expect_int("0", 0);
    expect_int("-0", 0);
    expect_int("+0", 0);
    expect_int("7", 7);
    expect_int("+7", 7);
    expect_int("-12", -12);
    expect_int("00012", 12);
    expect_int("12345678", 12345678);
    expect_int("-12345678", -12345678);
    expect_int("123456789", 123456789);
    expect_int("1804289383", 1804289383);
    expect_int("-1234567890123456789", -1234567890123456789LL);
    expect_int("0000000000000000000000000000000000000000000000000000000012",
               12);
    expect_int("9223372036854775807", INT64_MAX);
    expect_int("-9223372036854775808", INT64_MIN);
    expect_int("09223372036854775807", INT64_MAX);
    expect_int("-09223372036854775808", INT64_MIN);
    expect_int("-00000000000000000000000", 0);
}

static void test_integers_with_spaces(void **state)
{
    (void)state;
    /* whitespace_numbers: ' 1' and '3 ' are ints; read_csv's isspace_ascii
     * set is ' ', \t, \n, \v, \f, \r */
    expect_int(" 1", 1);
    expect_int("3 ", 3);
    expect_int("\t7\t", 7);
    expect_int("\v7", 7);
    expect_int("\f7\r", 7);
    expect_int("1\n", 1);
    expect_int("  -5  ", -5);
    expect_int(" +18 ", 18);
    expect_kind("- 1", OPS_TEXT);
    expect_kind("1 2", OPS_TEXT);
    expect_kind(" ", OPS_TEXT);
    expect_kind("  ", OPS_TEXT);
    expect_kind("\t", OPS_TEXT);
    expect_kind("1\xa0", OPS_TEXT); /* no-break space is not ascii space */
}

static void test_uint64_range(void **state)
{
    (void)state;
    /* uint64_ints: 18446744073709551615 makes a uint64 column */
    expect_uint("9223372036854775808", 9223372036854775808ull);
    expect_uint("18446744073709551615", UINT64_MAX);
    expect_uint("+18446744073709551615", UINT64_MAX);
    expect_uint(" 10000000000000000000 ", 10000000000000000000ull);
    expect_uint("0018446744073709551615", UINT64_MAX);
}

static void test_bigints(void **state)
{
    (void)state;
    /* int_overflow_text: 99999999999999999999 is beyond uint64 */
    expect_bigint("99999999999999999999", 1e20);
    expect_bigint("18446744073709551616", 18446744073709551616.0);
    expect_bigint("-9223372036854775809", -9223372036854775808.0);
    expect_bigint("-18446744073709551615", -18446744073709551616.0);
    expect_bigint("-99999999999999999999", -1e20);
    expect_bigint("123456789012345678901234567890123", 1.2345678901234568e32);
    expect_bigint("  36893488147419103232  ", 0x1p65);
    /* 2^64 + 2^11 + 1: just above the halfway point, rounds up */
    expect_bigint("18446744073709553665", 18446744073709555712.0);
    /* a 309-digit integer is beyond DBL_MAX: text */
    char big[320];
    memset(big, '9', 309);
    big[309] = '\0';
    expect_kind(big, OPS_TEXT);
    big[0] = '1';
    memset(big + 1, '0', 308); /* 1e308 */
    expect_bigint(big, 1e308);
}

static void test_integer_text(void **state)
{
    (void)state;
    static const char *text[] = {"--1", "+-1", "-+1", "1_0", "1,0",  "0x10",
                                 "1e",  "12a", "a12", "1-",  "1+",   "-",
                                 "+",   "١",   "1 -", "0b1", "1'000"};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        expect_kind(text[i], OPS_TEXT);
}

/* Bytes next to '0'..'9' and '.' in the ASCII table, and high bytes, in
 * every position of short and long fields (the 8-bytes-at-once paths). */
static void test_bytes_next_to_digits_are_text(void **state)
{
    (void)state;
    static const char odd[] = {'/',    ':',    '-',    ',', '\x7f', '\x80',
                               '\xb0', '\xfa', '\xff', 'e', '+',    ' '};
    char buf[24];
    for (size_t len = 2; len <= 22; len++) {
        for (size_t at = 0; at < len; at++) {
            for (size_t k = 0; k < sizeof odd; k++) {
                memset(buf, '7', len);
                buf[len / 2] = at == len / 2 ? '7' : '.';
                buf[at] = odd[k];
                ops_value v;
                ops_kind got = classify_n(buf, len, &v);
                int could_be_number = odd[k] == '-' || odd[k] == '+' ||
                                      odd[k] == 'e' || odd[k] == ' ';
                if (!could_be_number && got != OPS_TEXT)
                    fail_msg("\"%.*s\": want TEXT, got %s", (int)len, buf,
                             kind_name(got));
            }
        }
    }
    expect_kind("1:2", OPS_TEXT);
    expect_kind("12:30", OPS_TEXT);
    expect_kind("1/2", OPS_TEXT);
    expect_kind("9/", OPS_TEXT);
    expect_kind("0.5:", OPS_TEXT);
}

/* ---- Decimals ---- */

static void test_decimal_forms(void **state)
{
    (void)state;
    /* exponents: 1e3 -2.5E-3 .5 5. +7 */
    expect_float("1e3", 1000.0);
    expect_float("-2.5E-3", -0.0025);
    expect_float(".5", 0.5);
    expect_float("5.", 5.0);
    expect_float("+7.0", 7.0);
    expect_float("1E+3", 1000.0);
    expect_float("1e+03", 1000.0);
    expect_float("+.5", 0.5);
    expect_float("-.5e-3", -0.0005);
    expect_float("1.e5", 100000.0);
    expect_float("0.1", 0.1);
    expect_float("-0.4567", -0.4567);
    expect_float("3.14159e-05", 3.14159e-05);
    expect_float("12345.678", 12345.678);
    expect_float("0000.5", 0.5);
    expect_float("-73.98765432", -73.98765432);
    expect_float("1234567.", 1234567.0);
    expect_float(".1234567", 0.1234567);
    expect_float("0.000001", 1e-6);
    expect_float("100000000.001", 100000000.001);
    expect_float("9007199254740993.0", 9007199254740992.0); /* tie: even */
    expect_float("0.30000000000000004", 0.30000000000000004);
    expect_float("2.2250738585072011e-308", 2.2250738585072011e-308);
    expect_float("2.2250738585072012e-308", 2.2250738585072014e-308);
    expect_float("1.7976931348623157e308", DBL_MAX);
    expect_float("4.9406564584124654e-324", 0x1p-1074);
    expect_float("0.0000000000000000000000000000000000000001", 1e-40);
    expect_float("123456789012345678901234567890.5", 1.2345678901234568e29);
}

static void test_decimals_with_spaces(void **state)
{
    (void)state;
    /* whitespace_numbers: '2.5 ' and ' 4' */
    expect_float("2.5 ", 2.5);
    expect_float(" .5 ", 0.5);
    expect_float("\t-1e3\n", -1000.0);
    expect_float(" 0.30000000000000004\r", 0.30000000000000004);
}

static void test_signed_zero_and_underflow(void **state)
{
    (void)state;
    expect_float("-0.0", -0.0);
    expect_float("0.0", 0.0);
    expect_float("-0e5", -0.0);
    /* exponent_range: 1e-400 reads 0.0 */
    expect_float("1e-400", 0.0);
    expect_float("-1e-400", -0.0);
    expect_float("2.4703282292062327e-324", 0.0); /* just below half */
    expect_float("2.4703282292062328e-324", 0x1p-1074);
    /* pandas 1.5 says text for 0e500 (its exponent > 308 check); the value
     * is 0 and does not overflow, so dfsum reads 0.0 */
    expect_float("0e500", 0.0);
    expect_float("1e-99999999999999999999", 0.0);
}

static void test_overflow_is_text(void **state)
{
    (void)state;
    /* exponent_range: 1.8e308 makes the column text */
    expect_kind("1.8e308", OPS_TEXT);
    expect_kind("1e309", OPS_TEXT);
    expect_kind("-1e309", OPS_TEXT);
    expect_kind("1.797693134862316e308", OPS_TEXT);
    expect_kind("1e99999999999999999999", OPS_TEXT);
    expect_kind("100000e304", OPS_TEXT);
    expect_float("0.00001e309", 1e304);
}

static void test_decimal_text(void **state)
{
    (void)state;
    static const char *text[] = {
        ".",     "e5",   "1e",    "1e+",  "1e-",   ".e5",  "5.e",
        "1e3.5", "1d5",  "1.2.3", "1..2", "1e5e5", "--.5", "+.e1",
        "1.5x",  "x1.5", "0x1p3", "1,5",  ". 5",   "1 .5", "1. 5",
        "1e 5",  "e",    "E",     "-.",   "+.",    "-e1",  "1.5e+-3"};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        expect_kind(text[i], OPS_TEXT);
    /* 40 bytes of a bad long decimal take the long path to fast_float */
    expect_kind("0.123456789012345678901234567890123456x", OPS_TEXT);
    expect_kind("0.1234567890123456789012345678901234567e", OPS_TEXT);
}

/* ---- inf ---- */

static void test_inf_words(void **state)
{
    (void)state;
    /* inf_values: inf, -INF, -Infinity; any case, optional sign */
    static const char *pos[] = {"inf",      "INF",       "Inf",      "inF",
                                "+inf",     "+INF",      "Infinity", "INFINITY",
                                "infinity", "+Infinity", "iNfInItY"};
    static const char *neg[] = {"-inf", "-INF", "-Infinity", "-iNFINITY"};
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++)
        expect_float(pos[i], INFINITY);
    for (size_t i = 0; i < sizeof neg / sizeof neg[0]; i++)
        expect_float(neg[i], -INFINITY);
    static const char *text[] = {" inf",      "inf ", "infinity ", "infinit",
                                 "infinityy", "in",   "--inf",     "+-inf",
                                 "inf.",      "1inf", "infx",      "\tInf"};
    for (size_t i = 0; i < sizeof text / sizeof text[0]; i++)
        expect_kind(text[i], OPS_TEXT);
}

/* ---- The oracle's CSV cases, field by field ---- */

static void test_oracle_fields(void **state)
{
    (void)state;
    /* quoted_numbers: "1.5","2",3 are numbers once unquoted */
    expect_float("1.5", 1.5);
    expect_int("2", 2);
    expect_int("3", 3);
    expect_kind("x", OPS_TEXT);
    /* na_strings */
    expect_kind("#N/A", OPS_NA);
    expect_kind("<NA>", OPS_NA);
    expect_kind("1.#IND", OPS_NA);
    expect_kind("-nan", OPS_NA);
    /* na_case_sensitive: NAN and Nan are text, NaN is missing */
    expect_kind("NAN", OPS_TEXT);
    expect_kind("Nan", OPS_TEXT);
    expect_kind("NaN", OPS_NA);
    /* none_not_na */
    expect_kind("None", OPS_TEXT);
    /* huge_ints */
    expect_int("9223372036854775807", INT64_MAX);
    expect_int("-9223372036854775808", INT64_MIN);
    /* int_overflow_text, exponent_range, spaced_bools, inf_values: above */
    expect_kind("-1", OPS_INT);
    expect_kind("-Infinity", OPS_FLOAT);
}

/* ---- Contract details ---- */

static void test_never_reads_past_n(void **state)
{
    (void)state;
    ops_value v;
    const char *s = "123456789e5";
    /* the bytes after n are digits, an exponent...: only s[0..n) counts */
    assert_int_equal(ops_classify(s, 3, &v), OPS_INT);
    assert_int_equal(v.i, 123);
    assert_int_equal(ops_classify("1.5e3", 3, &v), OPS_FLOAT);
    assert_true(v.f == 1.5);
    assert_int_equal(ops_classify("NaNx", 3, &v), OPS_NA);
    assert_int_equal(ops_classify("Truex", 4, &v), OPS_TRUE);
    assert_int_equal(ops_classify("12 ", 0, &v), OPS_NA);
    expect_double_n("-0.5", 3, OPS_FLOAT, -0.0); /* "-0." */
    /* every prefix of a long number, from an exact-size copy */
    const char *t = " -12345678901234567890.123456789e-12 ";
    for (size_t n = 0; n <= strlen(t); n++)
        (void)classify_n(t, n, &v);
}

/* Every kind of value that is not text, each starting with a different
 * byte: none may be taken for text by its first byte alone. */
static void test_no_value_starts_as_text(void **state)
{
    (void)state;
    static const char *const values[] = {
        "0",         "1",      "2",       "3",        "4",        "5",
        "6",         "7",      "8",       "9",        "+1",       "-1",
        ".5",        " 1",     "\t1",     "\n1",      "\v1",      "\f1",
        "\r1",       "#N/A",   "#NA",     "<NA>",     "NA",       "N/A",
        "NaN",       "NULL",   "nan",     "n/a",      "null",     "-NaN",
        "-nan",      "1.#IND", "-1.#IND", "1.#QNAN",  "-1.#QNAN", "#N/A N/A",
        "True",      "true",   "TRUE",    "tRuE",     "False",    "false",
        "fALSE",     "inf",    "Inf",     "INFINITY", "infinity", "-inf",
        "+Infinity", "1e5",    "-1.5e-3"};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        ops_value v;
        if (classify(values[i], &v) == OPS_TEXT)
            fail_msg("'%s' read as text", values[i]);
    }
}

static void test_embedded_nul_is_text(void **state)
{
    (void)state;
    ops_value v;
    assert_int_equal(classify_n("1\0", 2, &v), OPS_TEXT);
    assert_int_equal(classify_n("\0", 1, &v), OPS_TEXT);
    assert_int_equal(classify_n("NA\0", 3, &v), OPS_TEXT);
}

/* ---- Round trips over random values ---- */

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static double random_finite(uint64_t *s)
{
    for (;;) {
        uint64_t r = next_random(s);
        double d;
        memcpy(&d, &r, sizeof d);
        if (isfinite(d))
            return d;
    }
}

/* %.17g of any double reads back to the very same bits. */
static void test_random_doubles_round_trip(void **state)
{
    (void)state;
    uint64_t s = 20240601;
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        double d = i % 2 ? random_finite(&s)
                         : ldexp((double)(next_random(&s) >> 11),
                                 (int)(next_random(&s) % 120) - 113);
        d = i % 3 ? d : -d;
        snprintf(buf, sizeof buf, "%.17g", d);
        ops_value v;
        ops_kind k = classify(buf, &v);
        if (k == OPS_INT || k == OPS_UINT || k == OPS_BIGINT) {
            /* "%.17g" of a whole number prints no point, e.g. 1e+22 is FLOAT
             * but 123 is INT */
            double back = k == OPS_INT    ? (double)v.i
                          : k == OPS_UINT ? (double)v.u
                                          : v.f;
            assert_true(back == d);
            continue;
        }
        if (k != OPS_FLOAT || bits_of(v.f) != bits_of(d))
            fail_msg("%s: kind %s, bits %016llx, want %016llx", buf,
                     kind_name(k), (unsigned long long)bits_of(v.f),
                     (unsigned long long)bits_of(d));
    }
}

/* Other formats: the value must equal glibc's strtod (correctly rounded). */
static void test_random_formats_match_strtod(void **state)
{
    (void)state;
    static const char *formats[] = {"%.1f", "%.3f",  "%.6f",  "%.15g", "%.16g",
                                    "%.3e", "%.10E", "%.25f", "%.30e", "%g"};
    uint64_t s = 777;
    char buf[400];
    for (int i = 0; i < 100000; i++) {
        double d = ldexp((double)(next_random(&s) >> 11) * 0x1p-53,
                         (int)(next_random(&s) % 200) - 100);
        d = i % 2 ? d : -d;
        snprintf(buf, sizeof buf, formats[i % 10], d);
        double want = strtod(buf, NULL);
        ops_value v;
        ops_kind k = classify(buf, &v);
        if (k == OPS_INT) {
            assert_true((double)v.i == want);
            continue;
        }
        if (k != OPS_FLOAT || bits_of(v.f) != bits_of(want))
            fail_msg("%s: kind %s, got %.17g, want %.17g", buf, kind_name(k),
                     v.f, want);
    }
}

/* Hand-made decimals: random digit strings, points and exponents. */
static void test_random_digit_strings_match_strtod(void **state)
{
    (void)state;
    uint64_t s = 4242;
    char buf[80];
    for (int i = 0; i < 100000; i++) {
        size_t len = 0;
        uint64_t r = next_random(&s);
        if (r & 1)
            buf[len++] = '-';
        size_t int_digits = (r >> 1) % 12, frac_digits = (r >> 5) % 30;
        for (size_t k = 0; k < int_digits; k++)
            buf[len++] = (char)('0' + next_random(&s) % 10);
        buf[len++] = '.';
        for (size_t k = 0; k < frac_digits; k++)
            buf[len++] = (char)('0' + next_random(&s) % 10);
        if (int_digits + frac_digits == 0)
            buf[len++] = '7';
        if ((r >> 10) % 3 == 0)
            len += (size_t)snprintf(buf + len, 16, "e%d",
                                    (int)((r >> 12) % 700) - 350);
        buf[len] = '\0';
        double want = strtod(buf, NULL);
        ops_value v;
        ops_kind k = classify(buf, &v);
        if (!isfinite(want)) {
            assert_int_equal(k, OPS_TEXT);
            continue;
        }
        if (k != OPS_FLOAT || bits_of(v.f) != bits_of(want))
            fail_msg("%s: kind %s, got %.17g, want %.17g", buf, kind_name(k),
                     v.f, want);
    }
}

/* Plain numbers of every length up to 17 bytes, the point at every place
 * (or none), signed or not: the 8-bytes-at-once paths against strtod. */
static void test_plain_numbers_every_length_and_point(void **state)
{
    (void)state;
    uint64_t s = 5150;
    char buf[24];
    for (size_t len = 1; len <= 17; len++) {
        for (size_t point = len == 1; point <= len; point++) { /* no "." */
            for (int rep = 0; rep < 40; rep++) {
                size_t n = 0;
                int sign = (int)(next_random(&s) % 3);
                if (sign)
                    buf[n++] = sign == 1 ? '-' : '+';
                for (size_t k = 0; k < len; k++)
                    buf[n++] =
                        k == point ? '.' : (char)('0' + next_random(&s) % 10);
                buf[n] = '\0';
                ops_value v;
                ops_kind k = classify(buf, &v);
                double want = strtod(buf, NULL);
                if (point == len) { /* no point: an integer */
                    assert_int_equal(k, OPS_INT);
                    assert_int_equal(v.i, strtoll(buf, NULL, 10));
                } else if (k != OPS_FLOAT || bits_of(v.f) != bits_of(want)) {
                    fail_msg("%s: kind %s, got %.17g, want %.17g", buf,
                             kind_name(k), v.f, want);
                }
            }
        }
    }
}

#ifdef OPS_HAVE_SSE41
/* A field for the two plain-number readers: up to 18 bytes of digits,
 * a point, signs, and now and then any other byte (NUL, 'e', a space, a
 * byte above 0x7F, a second point), so that both reject it. */
static size_t near_plain_field(uint64_t *s, char *out)
{
    static const char odd[] = {'\0', 'e', 'E', ' ', '.',        '-',
                               '+',  '/', ':', 'x', (char)0xB9, (char)0x80};
    size_t n = 1 + next_random(s) % 18, k = 0;
    if (next_random(s) % 3 == 0)
        out[k++] = next_random(s) % 4 ? '-' : '+';
    size_t point = next_random(s) % (n + 2); /* n, n + 1: none */
    for (size_t i = 0; i < n; i++)
        out[k++] = i == point ? '.' : (char)('0' + next_random(s) % 10);
    if (next_random(s) % 6 == 0)
        out[next_random(s) % k] = odd[next_random(s) % sizeof odd];
    return k;
}

/* The 16-byte reader against the 8-byte one, field by field: the same
 * answer (none, or the same kind and bits), with 16 readable bytes. */
static OPS_SSE41 void compare_plain_readers(uint64_t *s, int fields)
{
    char buf[48];
    for (int i = 0; i < fields; i++) {
        memset(buf, 'x', sizeof buf);
        size_t n = near_plain_field(s, buf);
        ops_value a = {.u = 1}, b = {.u = 2};
        int ka = ops_plain_number(buf, n, &a);
        int kb = ops_plain_number_sse41(buf, n, &b);
        if (ka != kb || (ka != OPS_PLAIN_NONE && a.u != b.u))
            fail_msg("'%.*s' (%zu bytes): kinds %d and %d, values %016llx "
                     "and %016llx",
                     (int)n, buf, n, ka, kb, (unsigned long long)a.u,
                     (unsigned long long)b.u);
    }
}
#endif

static void test_vector_reader_matches(void **state)
{
    (void)state;
#ifdef OPS_HAVE_SSE41
    if (!__builtin_cpu_supports("sse4.1"))
        skip();
    uint64_t s = 2611;
    compare_plain_readers(&s, 2000000);
#else
    skip();
#endif
}

static void test_random_int64_and_uint64(void **state)
{
    (void)state;
    uint64_t s = 31337;
    char buf[32];
    for (int i = 0; i < 200000; i++) {
        uint64_t r = next_random(&s);
        int64_t x = (int64_t)r / ((int64_t)1 << (next_random(&s) % 63));
        snprintf(buf, sizeof buf, "%lld", (long long)x);
        expect_int(buf, x);
        uint64_t u = r | 1ull << 63;
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)u);
        expect_uint(buf, u);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_na_strings),
        cmocka_unit_test(test_na_lookalikes_are_text),
        cmocka_unit_test(test_bools),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_integers_with_spaces),
        cmocka_unit_test(test_uint64_range),
        cmocka_unit_test(test_bigints),
        cmocka_unit_test(test_integer_text),
        cmocka_unit_test(test_bytes_next_to_digits_are_text),
        cmocka_unit_test(test_decimal_forms),
        cmocka_unit_test(test_decimals_with_spaces),
        cmocka_unit_test(test_signed_zero_and_underflow),
        cmocka_unit_test(test_overflow_is_text),
        cmocka_unit_test(test_decimal_text),
        cmocka_unit_test(test_inf_words),
        cmocka_unit_test(test_oracle_fields),
        cmocka_unit_test(test_never_reads_past_n),
        cmocka_unit_test(test_no_value_starts_as_text),
        cmocka_unit_test(test_embedded_nul_is_text),
        cmocka_unit_test(test_random_doubles_round_trip),
        cmocka_unit_test(test_random_formats_match_strtod),
        cmocka_unit_test(test_random_digit_strings_match_strtod),
        cmocka_unit_test(test_plain_numbers_every_length_and_point),
        cmocka_unit_test(test_vector_reader_matches),
        cmocka_unit_test(test_random_int64_and_uint64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
