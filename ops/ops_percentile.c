/*
 * ops_percentile.c - describe()'s percentiles, bit for bit as pandas 1.5
 * and numpy 1.24 compute them.
 *
 * Three pieces: the percentile list (validated, median added, sorted), its
 * row labels (pandas' format_percentiles), and numpy's 'linear' quantile:
 * the two neighbours of a virtual index and numpy's _lerp between them.
 * Every step mirrors numpy's own order of float operations, because
 * describe() prints full precision and rounding differences would show.
 */
#include "ops.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char msg_interval[] =
    "percentiles should all be in the interval [0,1]";
static const char msg_duplicates[] = "percentiles cannot contain duplicates";
static const char msg_too_many[] = "too many percentiles";

/* ---- the percentile list ---------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int refuse(const char **why, const char *msg)
{
    if (why != NULL)
        *why = msg;
    return -1;
}

/* pandas' refine_percentiles: every value in [0, 1] (NaN is not), 0.5
 * appended when absent, then sorted; duplicates are refused after the
 * append (so [0.5, 0.5] fails, and so does [0, -0.0]: they compare
 * equal). pandas' range message goes on "... [0, 1]. Try [...] instead.";
 * the static one here stops at the interval. */
int ops_percentiles_normalize(const double *in, size_t n, double *out,
                              const char **why)
{
    int has_median = 0;
    if (n >= INT_MAX)
        return refuse(why, msg_too_many);
    for (size_t i = 0; i < n; i++) {
        if (!(in[i] >= 0.0 && in[i] <= 1.0))
            return refuse(why, msg_interval);
        has_median |= in[i] == 0.5;
        out[i] = in[i];
    }
    size_t m = n;
    if (!has_median)
        out[m++] = 0.5;
    qsort(out, m, sizeof *out, cmp_double);
    for (size_t i = 1; i < m; i++) {
        if (out[i] == out[i - 1])
            return refuse(why, msg_duplicates);
    }
    return (int)m;
}

/* ---- labels ----------------------------------------------------------- */

/* numpy's astype(int) of a float64 (truncation), kept defined for values
 * no percentile produces. */
static int64_t trunc_i64(double x)
{
    return (x > -9e18 && x < 9e18) ? (int64_t)x : 0;
}

/* np.isclose(x.astype(int), x) with rtol 1e-5, atol 1e-8. */
static int near_integer(double x)
{
    return fabs((double)trunc_i64(x) - x) <= 1e-8 + 1e-5 * fabs(x);
}

/* numpy's power_of_ten(): a table to 1e8, then repeated multiplication,
 * which is not exactly 10^n past 1e22 and overflows past 1e308. */
static double power_of_ten(int n)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    if (n < 9)
        return p10[n];
    double r = 1e9;
    while (n-- > 9)
        r *= 10.0;
    return r;
}

/* ndarray.round(decimals) for decimals >= 1: rint(x * f) / f. */
static double round_decimals(double x, int decimals)
{
    double f = power_of_ten(decimals);
    double y = rint(x * f);
    return y / f;
}

/* The shortest decimal digits of finite x > 0 that read back to x, and the
 * exponent of the first digit. printf and strtod share the locale, and
 * only digits are kept, so any decimal point works. */
static void shortest_digits(double x, char digits[20], int *exp10)
{
    char s[48];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*e", prec - 1, x);
        if (strtod(s, NULL) == x)
            break;
    }
    size_t nd = 0;
    const char *c = s;
    for (; *c != 'e' && *c != '\0'; c++) {
        if (*c >= '0' && *c <= '9' && nd < 19)
            digits[nd++] = *c;
    }
    digits[nd] = '\0';
    *exp10 = *c == 'e' ? atoi(c + 1) : 0;
}

/* Appends c to buf[*len] when there is room (buf always terminated). */
static void put_char(char *buf, size_t size, size_t *len, char c)
{
    if (*len + 1 < size)
        buf[(*len)++] = c;
    buf[*len] = '\0';
}

static void put_str(char *buf, size_t size, size_t *len, const char *s)
{
    while (*s)
        put_char(buf, size, len, *s++);
}

/* digits (the first at 10^e, -4 <= e < 16) in fixed notation: "123.45",
 * "0.001", "100.0". */
static void put_fixed(char *buf, size_t size, size_t *len, const char *digits,
                      int e)
{
    int nd = (int)strlen(digits);
    if (e < 0) {
        put_str(buf, size, len, "0.");
        for (int i = -1; i > e; i--)
            put_char(buf, size, len, '0');
        put_str(buf, size, len, digits);
        return;
    }
    for (int i = 0; i <= e; i++)
        put_char(buf, size, len, i < nd ? digits[i] : '0');
    put_char(buf, size, len, '.');
    put_str(buf, size, len, nd > e + 1 ? digits + e + 1 : "0");
}

/* digits (the first at 10^e) as "1e-05", "1.5e+16". */
static void put_scientific(char *buf, size_t size, size_t *len,
                           const char *digits, int e)
{
    char exp[16];
    put_char(buf, size, len, digits[0]);
    if (digits[1] != '\0') {
        put_char(buf, size, len, '.');
        put_str(buf, size, len, digits + 1);
    }
    snprintf(exp, sizeof exp, "e%c%02d", e < 0 ? '-' : '+', abs(e));
    put_str(buf, size, len, exp);
}

/* Python's repr of a double, which is also numpy's str of a float64:
 * shortest round-trip digits, fixed notation when the first digit sits at
 * 10^-4 .. 10^15, else scientific with at least two exponent digits. */
static void repr_double(double x, char *buf, size_t size)
{
    char digits[20];
    size_t len = 0;
    int e;
    buf[0] = '\0';
    if (isnan(x)) {
        put_str(buf, size, &len, "nan");
        return;
    }
    if (signbit(x))
        put_char(buf, size, &len, '-');
    if (isinf(x)) {
        put_str(buf, size, &len, "inf");
    } else if (x == 0) {
        put_str(buf, size, &len, "0.0");
    } else {
        shortest_digits(fabs(x), digits, &e);
        if (e >= -4 && e < 16)
            put_fixed(buf, size, &len, digits, e);
        else
            put_scientific(buf, size, &len, digits, e);
    }
}

/* The smallest gap format_percentiles keeps apart, over x = 100 * p:
 * between distinct values, from 0 to the smallest (when above 0) and from
 * the largest to 100 (when below 100). One scan when p is sorted, as
 * describe() passes it (100 * p keeps the order); pairwise otherwise, to
 * need no memory. */
static double smallest_gap(const double *p, size_t n)
{
    double lo = 100 * p[0], hi = lo, gap = INFINITY;
    int sorted = 1;
    for (size_t i = 1; i < n; i++) {
        double x = 100 * p[i], prev = 100 * p[i - 1];
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        sorted &= prev <= x;
        if (sorted && x != prev && x - prev < gap)
            gap = x - prev;
    }
    for (size_t i = 0; !sorted && i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            double d = 100 * p[j] - 100 * p[i];
            if (d > 0 && d < gap)
                gap = d;
        }
    }
    if (lo > 0 && lo < gap)
        gap = lo;
    if (hi < 100 && 100 - hi < gap)
        gap = 100 - hi;
    return gap;
}

/* pandas' prec = max(1, -floor(log10(gap))). */
static int label_decimals(double gap)
{
    if (!(gap > 0) || isinf(gap))
        return 1;
    double d = -floor(log10(gap));
    return d > 1 ? (int)d : 1;
}

static void int_label(double x, char *label)
{
    snprintf(label, OPS_LABEL_MAX, "%lld%%", (long long)trunc_i64(x));
}

/* pandas.io.formats.format.format_percentiles (pandas 1.5): x = 100 * p;
 * when every x is within isclose of its truncation, each label is that
 * integer; otherwise such x keep their integer and the others print
 * round(x, prec) as numpy prints a float64. p should hold values in
 * [0, 1] (pandas refuses others; here they only get odd labels). */
void ops_percentile_labels(const double *p, size_t n,
                           char labels[][OPS_LABEL_MAX])
{
    int all_int = 1;
    for (size_t i = 0; i < n; i++)
        all_int &= near_integer(100 * p[i]);
    int decimals = all_int ? 0 : label_decimals(smallest_gap(p, n));
    for (size_t i = 0; i < n; i++) {
        double x = 100 * p[i];
        if (near_integer(x)) {
            int_label(x, labels[i]);
        } else {
            char num[OPS_LABEL_MAX];
            repr_double(round_decimals(x, decimals), num, sizeof num - 1);
            size_t len = strnlen(num, sizeof num - 2);
            memcpy(labels[i], num, len);
            memcpy(labels[i] + len, "%", 2);
        }
    }
}

/* ---- numpy's linear quantile ------------------------------------------ */

/* pandas calls np.percentile(x, q * 100), which divides by 100 again:
 * numpy sees (q * 100) / 100, not always q (0.013 -> 0.013000000000000001).
 * numpy's virtual index is h = (n - 1) * q; below n - 1 the neighbours are
 * floor(h) and floor(h) + 1 with weight t = h - floor(h). At or above
 * n - 1 both neighbours are the last value and numpy computes the weight
 * against index -1: t = h + 1. That t is kept, because _lerp of two equal
 * values still depends on it (inf - inf is NaN; -0.0 may turn +0.0). */
void ops_quantile_index(uint64_t n, double q, uint64_t *lo_rank,
                        uint64_t *hi_rank, double *t)
{
    double qe = (q * 100.0) / 100.0;
    double last = n > 0 ? (double)(n - 1) : 0.0;
    double h = last * qe;
    if (n == 0 || h >= last) {
        *lo_rank = *hi_rank = n > 0 ? n - 1 : 0;
        *t = h - (-1.0);
        return;
    }
    double below = floor(h);
    *lo_rank = (uint64_t)below;
    *hi_rank = *lo_rank + 1;
    *t = h - below;
}

/* numpy's _lerp: a + (b - a) * t, but b - (b - a) * (1 - t) where
 * t >= 0.5. Separate statements keep compilers from fusing a multiply
 * and an add, which numpy never does. */
double ops_lerp_f64(double lo, double hi, double t)
{
    double diff = hi - lo;
    if (t >= 0.5) {
        double step = diff * (1.0 - t);
        return hi - step;
    }
    double step = diff * t;
    return lo + step;
}

/* int64 arrays: b - a is an int64 subtraction that wraps around; the
 * difference, a and b are then converted to double. */
double ops_lerp_i64(int64_t lo, int64_t hi, double t)
{
    uint64_t wrapped = (uint64_t)hi - (uint64_t)lo;
    int64_t diff = wrapped <= (uint64_t)INT64_MAX
                       ? (int64_t)wrapped
                       : -(int64_t)(UINT64_MAX - wrapped) - 1;
    if (t >= 0.5) {
        double step = (double)diff * (1.0 - t);
        return (double)hi - step;
    }
    double step = (double)diff * t;
    return (double)lo + step;
}

/* uint64 arrays: b - a wraps around modulo 2^64. */
double ops_lerp_u64(uint64_t lo, uint64_t hi, double t)
{
    uint64_t diff = hi - lo;
    if (t >= 0.5) {
        double step = (double)diff * (1.0 - t);
        return (double)hi - step;
    }
    double step = (double)diff * t;
    return (double)lo + step;
}
