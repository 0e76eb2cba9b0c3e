/*
 * ops_parse.c - puts one CSV field in the class pandas.read_csv (1.5, default
 * options) would give it: NA string, bool word, integer, decimal number or
 * text (see ops.h for the classes).
 *
 * Three paths, cheapest first:
 *  - a plain number ("[+-]? digits [. digits] [exponent]", at most 16
 *    bytes after the sign) is checked and read without a loop, 8 bytes at
 *    once (SWAR, ops_hot.h); its decimal value is exact, or one exact
 *    multiply or divide (Clinger), so correctly rounded;
 *  - any other number is scanned once: an integer of up to 19 digits is
 *    read exactly, and so is a decimal of up to 19 significant digits,
 *    which is then rounded by Clinger's fast path when its mantissa and
 *    power of ten are exact doubles; the rest (larger integers, long or
 *    extreme decimals) goes to fast_float (ops_parse_double);
 *  - words (NA strings, bools, inf) are matched by length, then by a few
 *    fixed-size compares.
 *
 * Checked against pandas 1.5.3: bools are "true"/"false" in any case (its
 * to_boolean uses strcasecmp), "None" is text, " True" is text, " 1 " is
 * the integer 1, "1.8e308" is text, "1e-400" is 0.0, "-nan" is missing,
 * "NAN" and "Nan" are text.
 *
 * pandas 1.5's own parser (precise_xstrtod) is not correctly rounded: about
 * a third of 17-digit values read 1 ulp off, it reads
 * "0.00000000000000000123" as 0 and "0e500" as text. dfsum rounds correctly;
 * only such last-bit and corner cases differ.
 */
#include "ops.h"
#include "ops_hot.h"

#include <math.h>
#include <string.h>

#define MAX_EXACT_DIGITS 19           /* 10^19 - 1 < 2^64 */
#define MAX_FAST_MANT    (1ull << 53) /* an exact double */
#define MAX_FAST_POW10   OPS_MAX_POW10

static int is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

/* read_csv's isspace_ascii: ' ', \t, \n, \v, \f, \r. */
static int is_space(char c)
{
    return c == ' ' || (unsigned char)(c - '\t') <= '\r' - '\t';
}

static int may_start_number(char c)
{
    return is_digit(c) || c == '-' || c == '+' || c == '.' || is_space(c);
}

static int same(const char *s, const char *lit, size_t n)
{
    return memcmp(s, lit, n) == 0;
}

/* u is the magnitude of an integer that fits in uint64. */
static ops_kind u64_integer(uint64_t u, int neg, ops_value *v)
{
    if (!neg) {
        if (u <= (uint64_t)INT64_MAX) {
            v->i = (int64_t)u;
            return OPS_INT;
        }
        v->u = u;
        return OPS_UINT;
    }
    if (u <= (uint64_t)INT64_MAX + 1) {
        v->i = u ? -(int64_t)(u - 1) - 1 : 0; /* no overflow at INT64_MIN */
        return OPS_INT;
    }
    v->f = -(double)u; /* uint64 -> double rounds correctly */
    return OPS_BIGINT;
}

/* Digits from p while there are any, up to 8 per step: the first non-digit
 * byte of a word is its lowest flagged byte (see ops_non_digits; bytes beyond
 * end are flagged too). *m wraps past 19 digits; callers count digits. */
OPS_HOT const char *scan_digits(const char *p, const char *end, uint64_t *m)
{
    uint64_t acc = *m;
    while (p < end) {
        size_t avail = end - p < 8 ? (size_t)(end - p) : 8;
        uint64_t lanes = ~0ull >> (8 * (8 - avail));
        uint64_t word =
            avail == 8 ? ops_load64_le(p) : ops_load_short(p, avail);
        uint64_t t = word ^ (lanes & OPS_ONES * '0');
        uint64_t bad = ops_non_digits(t, ~0ull) | (~lanes & OPS_HIGHS);
        size_t k = bad ? (size_t)__builtin_ctzll(bad) / 8 : 8;
        if (k == 0)
            break;
        acc = acc * ops_pow10_u64[k] +
              ops_digits_value(t & (~0ull >> (64 - 8 * k)), k);
        p += k;
        if (k < 8)
            break;
    }
    *m = acc;
    return p;
}

/* A field with the syntax of a number, cut into its parts. */
typedef struct {
    const char *num; /* the number without spaces around, sign included */
    const char *end;
    const char *sig; /* first significant digit of the integer part */
    uint64_t mant;   /* the significant digits; exact when nsig <= 19 */
    size_t nsig;     /* significant digits (leading zeros not counted) */
    int64_t exp10;   /* value = mant * 10^exp10 when nsig <= 19 */
    int neg;
    int is_int;    /* digits only: no '.', no exponent */
    int long_form; /* a decimal left whole to fast_float, unchecked */
} number;

/* A decimal longer than this likely has more than 15 significant digits,
 * too many for the fast path: it goes to fast_float without being scanned
 * first. fast_float checks the same syntax and rounds the same, so this
 * only saves time, as long as no word that starts like a number is this
 * long (the longest, "-Infinity", has 9 bytes). */
#define LONG_DECIMAL 18

static const char *scan_fraction(const char *p, const char *end, number *r)
{
    const char *first = p;
    if (r->nsig == 0) /* zeros right after the point are not significant */
        while (p < end && *p == '0')
            p++;
    const char *sig = p;
    p = scan_digits(p, end, &r->mant);
    r->nsig += (size_t)(p - sig);
    r->exp10 = -(int64_t)(p - first);
    return p;
}

/* Larger exponents all mean overflow or zero; capping avoids overflow. */
#define EXP_CAP 100000

/* After the 'e': [+-]? digits+. NULL when there is no digit. */
static const char *scan_exponent(const char *p, const char *end, int64_t *e)
{
    int neg = 0;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    const char *first = p;
    int64_t acc = 0;
    for (; p < end && is_digit(*p); p++)
        if (acc < EXP_CAP)
            acc = acc * 10 + (*p - '0');
    if (p == first)
        return NULL;
    *e += neg ? -acc : acc;
    return p;
}

/* Reads "spaces [+-]? digits* [. digits*] ([eE] [+-]? digits+)? spaces"
 * with at least one mantissa digit, over the whole field. Returns 0 when
 * the field does not have that syntax. */
static int scan_number(const char *s, size_t n, number *r)
{
    const char *p = s, *end = s + n;
    while (p < end && is_space(*p))
        p++;
    while (end > p && is_space(end[-1]))
        end--;
    r->num = p;
    r->end = end;
    r->neg = p < end && *p == '-';
    p += p < end && (*p == '-' || *p == '+');
    const char *digits = p;
    while (p < end && *p == '0')
        p++;
    r->sig = p;
    r->mant = 0;
    p = scan_digits(p, end, &r->mant);
    r->nsig = (size_t)(p - r->sig);
    r->exp10 = 0;
    r->is_int = p == end;
    r->long_form = !r->is_int && end - r->num > LONG_DECIMAL;
    if (r->long_form)
        return 1;
    size_t ndigits = (size_t)(p - digits);
    if (p < end && *p == '.') {
        const char *frac = p + 1;
        p = scan_fraction(frac, end, r);
        ndigits += (size_t)(p - frac);
    }
    if (ndigits == 0) /* ".", "+", "e5", ".e5", only spaces */
        return 0;
    if (p < end && (*p | 0x20) == 'e')
        p = scan_exponent(p + 1, end, &r->exp10); /* NULL != end */
    return p == end;
}

/* fast_float for what the quick paths do not cover. Any failure means
 * text here: bad syntax is only possible for a long_form field. */
static ops_kind parsed_double(const number *r, ops_kind kind, ops_value *v)
{
    if (ops_parse_double(r->num, (size_t)(r->end - r->num), &v->f) != 0)
        return OPS_TEXT; /* beyond DBL_MAX (1.8e308): text for pandas */
    return kind;
}

static ops_kind integer(const number *r, ops_value *v)
{
    if (r->nsig <= MAX_EXACT_DIGITS)
        return u64_integer(r->mant, r->neg, v);
    if (r->nsig == MAX_EXACT_DIGITS + 1) { /* 18446744073709551615 fits */
        uint64_t head = 0;
        scan_digits(r->sig, r->sig + MAX_EXACT_DIGITS, &head);
        unsigned last = (unsigned)(r->sig[MAX_EXACT_DIGITS] - '0');
        if (head < UINT64_MAX / 10 ||
            (head == UINT64_MAX / 10 && last <= UINT64_MAX % 10))
            return u64_integer(head * 10 + last, r->neg, v);
    }
    return parsed_double(r, OPS_BIGINT, v);
}

/* Clinger's fast path: a mantissa below 2^53 and a power of ten up to
 * 1e22 are exact doubles, so one multiplication or division rounds
 * correctly (in the default round-to-nearest mode). */
static ops_kind decimal(const number *r, ops_value *v)
{
    double d;
    int64_t e = r->exp10;
    if (r->long_form || r->nsig > MAX_EXACT_DIGITS || r->mant > MAX_FAST_MANT)
        return parsed_double(r, OPS_FLOAT, v);
    if (r->mant == 0)
        d = 0.0; /* whatever the exponent */
    else if (e >= 0 && e <= MAX_FAST_POW10)
        d = (double)(int64_t)r->mant * ops_pow10_exact[e];
    else if (e < 0 && e >= -MAX_FAST_POW10)
        d = (double)(int64_t)r->mant / ops_pow10_exact[-e];
    else
        return parsed_double(r, OPS_FLOAT, v);
    v->f = ops_with_sign(d, r->neg);
    return OPS_FLOAT;
}

static int is_na(const char *s, size_t n)
{
    switch (n) {
    case 0:
        return 1;
    case 2:
        return same(s, "NA", 2);
    case 3:
        return same(s, "#NA", 3) || same(s, "N/A", 3) || same(s, "NaN", 3) ||
               same(s, "n/a", 3) || same(s, "nan", 3);
    case 4:
        return same(s, "#N/A", 4) || same(s, "-NaN", 4) || same(s, "-nan", 4) ||
               same(s, "<NA>", 4) || same(s, "NULL", 4) || same(s, "null", 4);
    case 6:
        return same(s, "1.#IND", 6);
    case 7:
        return same(s, "-1.#IND", 7) || same(s, "1.#QNAN", 7);
    case 8:
        return same(s, "#N/A N/A", 8) || same(s, "-1.#QNAN", 8);
    default:
        return 0;
    }
}

/* Lower-cases the letters of s[0..n) and compares with the lower-case word
 * lit: setting bit 0x20 maps exactly 'A'..'Z' and 'a'..'z' onto 'a'..'z'
 * and no other byte onto a letter, so the compare is exact. */
static int same_letters_nocase(const char *s, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != lit[i])
            return 0;
    return 1;
}

/* true / false in any case: pandas 1.5 tries its exact sets, then
 * strcasecmp ("tRuE" is a bool too). No spaces around. */
static ops_kind bool_word(const char *s, size_t n)
{
    if (n == 4 && same_letters_nocase(s, "true", 4))
        return OPS_TRUE;
    if (n == 5 && same_letters_nocase(s, "false", 5))
        return OPS_FALSE;
    return OPS_TEXT;
}

/* inf / infinity in any case, optionally signed, no spaces. */
static int inf_word(const char *s, size_t n, double *out)
{
    size_t sign = n > 0 && (s[0] == '-' || s[0] == '+');
    if ((n - sign != 3 && n - sign != 8) ||
        !same_letters_nocase(s + sign, "infinity", n - sign))
        return 0;
    *out = sign && s[0] == '-' ? -INFINITY : INFINITY;
    return 1;
}

static ops_kind classify_word(const char *s, size_t n, ops_value *v)
{
    if (is_na(s, n))
        return OPS_NA;
    ops_kind kind = bool_word(s, n);
    if (kind == OPS_TEXT && inf_word(s, n, &v->f))
        kind = OPS_FLOAT;
    return kind;
}

/* Everything but the short plain numbers; kept out of line so that the
 * short path stays small. */
__attribute__((noinline)) static ops_kind
classify_general(const char *s, size_t n, ops_value *v)
{
    number r;
    if (n > 0 && may_start_number(s[0]) && scan_number(s, n, &r))
        return r.is_int ? integer(&r, v) : decimal(&r, v);
    return classify_word(s, n, v);
}

/* The bytes that can start a field of a class other than text: a number
 * (digits, sign, point, leading white space), an NA string (#NA, N/A,
 * NaN, NULL, nan, n/a, <NA>, -NaN, 1.#IND, ...), a bool word or inf. Any
 * other first byte makes text at once, which spares a text column every
 * parse attempt. */
static const unsigned char may_start_value[256] = {
    ['0'] = 1,  ['1'] = 1, ['2'] = 1,  ['3'] = 1,  ['4'] = 1,  ['5'] = 1,
    ['6'] = 1,  ['7'] = 1, ['8'] = 1,  ['9'] = 1,  ['+'] = 1,  ['-'] = 1,
    ['.'] = 1,  [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1,
    ['\r'] = 1, ['#'] = 1, ['<'] = 1,  ['N'] = 1,  ['n'] = 1,  ['T'] = 1,
    ['t'] = 1,  ['F'] = 1, ['f'] = 1,  ['I'] = 1,  ['i'] = 1};

ops_kind ops_classify(const char *s, size_t n, ops_value *v)
{
    if (n == 0)
        return OPS_NA;
    if (!may_start_value[(unsigned char)s[0]])
        return OPS_TEXT;
    int kind = ops_plain_number(s, n, v);
    if (kind != OPS_PLAIN_NONE)
        return (ops_kind)kind;
    if (ops_exponent_number(s, n, &v->f))
        return OPS_FLOAT;
    return classify_general(s, n, v);
}
