/*
 * gen_data.c - deterministic CSV tables for the dfsum benchmarks.
 *
 *   gen_data KIND [--rows N] [--seed S] [-o FILE]
 *
 * KIND is one of
 *   numeric  8 numeric columns (ints, floats with 0-9 decimals, exponents),
 *            2 of them with ~5% missing cells; ~70 bytes a row, default
 *            14,000,000 rows (~1 GB)
 *   mixed    5 numeric and 3 text columns; some text fields are quoted and
 *            hold commas, doubled quotes or newlines; ~85 bytes a row,
 *            default 3,000,000 rows (~0.26 GB)
 *   wide     400 numeric columns; ~3 KB a row, default 100,000 rows
 *            (~0.3 GB)
 *
 * The bytes written depend only on (KIND, N, S): the random numbers come
 * from xoshiro256** seeded by splitmix64, and every value is built from
 * integers and IEEE +, -, * only (no libm; build with -ffp-contract=off so
 * no multiply-add is fused), so any compiler and C library give the same
 * file. Numbers are formatted by hand: printf would dominate
 * the run time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_CAPACITY (1u << 20)
#define FIELD_MAX    512 /* no field or separator run is longer than this */

typedef struct {
    uint64_t s[4];
} rng;

typedef struct {
    FILE *f;
    size_t len;
    int failed;
    char buf[OUT_CAPACITY];
} out;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform integer in [0, n), n > 0 (the tiny modulo bias does not matter). */
static uint64_t rng_below(rng *r, uint64_t n)
{
    return rng_next(r) % n;
}

/* Uniform integer in [lo, hi]. */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo) + 1);
}

/* Uniform double in [0, 1) with 53 random bits. */
static double rng_unit(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Roughly standard normal: Irwin-Hall sum of 4 uniforms, rescaled. Only
 * + and * so that every platform produces the same bits. */
static double rng_normal(rng *r)
{
    double s = rng_unit(r) + rng_unit(r) + rng_unit(r) + rng_unit(r);
    return (s - 2.0) * 1.7320508075688772;
}

/* True with probability percent/100. */
static int rng_percent(rng *r, unsigned percent)
{
    return rng_below(r, 100) < percent;
}

static void out_flush(out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        o->failed = 1;
    o->len = 0;
}

/* Makes room for one field; call before every field. */
static void out_reserve(out *o)
{
    if (o->len + FIELD_MAX > OUT_CAPACITY)
        out_flush(o);
}

static void put_char(out *o, char c)
{
    o->buf[o->len++] = c;
}

static void put_str(out *o, const char *s)
{
    size_t n = strlen(s);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void put_u64(out *o, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put_char(o, tmp[--n]);
}

static void put_i64(out *o, int64_t v)
{
    if (v < 0) {
        put_char(o, '-');
        put_u64(o, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(o, (uint64_t)v);
    }
}

static const uint64_t POW10[] = {1,         10,         100,        1000,
                                 10000,     100000,     1000000,    10000000,
                                 100000000, 1000000000, 10000000000};

/* Writes mantissa / 10^decimals with exactly `decimals` digits after the
 * point ("-12.050"); decimals == 0 writes an integer. */
static void put_fixed(out *o, int64_t mantissa, int decimals)
{
    uint64_t m =
        mantissa < 0 ? (uint64_t)0 - (uint64_t)mantissa : (uint64_t)mantissa;
    if (mantissa < 0)
        put_char(o, '-');
    put_u64(o, m / POW10[decimals]);
    if (decimals == 0)
        return;
    put_char(o, '.');
    uint64_t frac = m % POW10[decimals];
    for (int d = decimals - 1; d >= 0; d--)
        put_char(o, (char)('0' + frac / POW10[d] % 10));
}

/* Rounds x * 10^decimals to an integer (half away from zero). */
static int64_t to_mantissa(double x, int decimals)
{
    double scaled = x * (double)POW10[decimals];
    return (int64_t)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
}

/* "d.dddde-05": a random 5-digit mantissa and an exponent in [-8, 8]. */
static void put_scientific(out *o, rng *r)
{
    int64_t exp10 = rng_range(r, -8, 8);
    if (rng_percent(r, 20))
        put_char(o, '-');
    put_fixed(o, rng_range(r, 10000, 99999), 4);
    put_char(o, 'e');
    put_char(o, exp10 < 0 ? '-' : '+');
    int64_t a = exp10 < 0 ? -exp10 : exp10;
    put_char(o, (char)('0' + a / 10));
    put_char(o, (char)('0' + a % 10));
}

/* ---- numeric: 8 columns, two with missing cells ---------------------- */

static void numeric_row(out *o, rng *r, uint64_t row)
{
    out_reserve(o);
    put_u64(o, row + 1);
    put_char(o, ',');
    put_i64(o, rng_range(r, -1000, 1000));
    put_char(o, ',');
    double u = rng_unit(r);
    put_fixed(o, to_mantissa(u * u * u * 5000.0 + 0.01, 2), 2);
    put_char(o, ',');
    int decimals = (int)rng_range(r, 0, 9);
    put_fixed(o, to_mantissa(rng_normal(r) * 25.0, decimals), decimals);
    put_char(o, ',');
    if (!rng_percent(r, 5))
        put_fixed(o, rng_range(r, 0, 999999999), 3);
    put_char(o, ',');
    if (!rng_percent(r, 5))
        put_i64(o, rng_range(r, 0, 100000));
    put_char(o, ',');
    out_reserve(o);
    put_scientific(o, r);
    put_char(o, ',');
    put_i64(o, rng_range(r, -999999999999999LL, 999999999999999LL));
    put_char(o, '\n');
}

/* ---- mixed: 5 numeric + 3 text columns ------------------------------- */

static const char *const CATEGORIES[] = {
    "books",  "garden", "kitchen", "toys",   "music",  "sports",
    "tools",  "office", "beauty",  "health", "auto",   "pets",
    "baby",   "games",  "outdoor", "shoes",  "bags",   "lights",
    "crafts", "food",   "drinks",  "phones", "camera", "Zürich"};

static const char *const WORDS[] = {
    "fast",   "delivery", "great",  "value", "broken", "box",     "works",
    "as",     "expected", "would",  "buy",   "again",  "colour",  "size",
    "small",  "large",    "return", "the",   "item",   "quality", "cheap",
    "sturdy", "gift",     "late",   "ok",    "five",   "stars",   "never"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* What a quoted comment holds after its first word, by its kind (see
 * put_comment): a newline, a doubled quote or a comma. */
static const char *quoted_extra(uint64_t kind)
{
    if (kind < 20)
        return "\nsecond line";
    if (kind < 30)
        return " \"\"x\"\"";
    return ",";
}

/* A free-text comment of 2-12 words; kind is uniform in [0, 1000). 1% are
 * empty; 1% hold a newline, 1% a doubled quote, 2.5% a comma, and those
 * (and only those) are quoted. */
static void put_comment(out *o, rng *r)
{
    uint64_t kind = rng_below(r, 1000);
    if (kind < 10)
        return;
    int quoted = kind < 55;
    if (quoted)
        put_char(o, '"');
    int nwords = (int)rng_range(r, 2, 12);
    for (int i = 0; i < nwords; i++) {
        if (i)
            put_char(o, ' ');
        put_str(o, WORDS[rng_below(r, COUNT(WORDS))]);
        if (quoted && i == 0)
            put_str(o, quoted_extra(kind));
    }
    if (quoted)
        put_char(o, '"');
}

static void mixed_row(out *o, rng *r, uint64_t row)
{
    out_reserve(o);
    put_u64(o, row + 1);
    put_char(o, ',');
    if (!rng_percent(r, 2))
        put_str(o, CATEGORIES[rng_below(r, COUNT(CATEGORIES))]);
    put_char(o, ',');
    put_i64(o, rng_range(r, 1, 50));
    put_char(o, ',');
    double u = rng_unit(r);
    put_fixed(o, to_mantissa(u * u * 900.0 + 0.5, 2), 2);
    put_char(o, ',');
    out_reserve(o);
    put_comment(o, r);
    put_char(o, ',');
    if (!rng_percent(r, 5))
        put_fixed(o, to_mantissa(rng_normal(r) * 1.5 + 3.0, 4), 4);
    put_char(o, ',');
    put_str(o, "SKU-");
    put_i64(o, rng_range(r, 100000, 199999));
    put_char(o, ',');
    put_fixed(o, rng_range(r, 0, 50), 2);
    put_char(o, '\n');
}

/* ---- wide: 400 numeric columns ---------------------------------------- */

#define WIDE_COLS 400

static void wide_row(out *o, rng *r, uint64_t row)
{
    (void)row;
    for (int c = 0; c < WIDE_COLS; c++) {
        out_reserve(o);
        if (c)
            put_char(o, ',');
        switch (c % 4) {
        case 0:
            put_i64(o, rng_range(r, 0, 999999));
            break;
        case 1:
            put_fixed(o, rng_range(r, -10000000, 10000000), 2);
            break;
        case 2:
            put_fixed(o, to_mantissa(rng_normal(r) * 100.0, 4), 4);
            break;
        default:
            put_i64(o, rng_range(r, 0, 9));
        }
    }
    put_char(o, '\n');
}

static void wide_header(out *o)
{
    for (int c = 0; c < WIDE_COLS; c++) {
        out_reserve(o);
        if (c)
            put_char(o, ',');
        put_char(o, 'c');
        put_u64(o, (uint64_t)c);
    }
    put_char(o, '\n');
}

/* ---- driver ------------------------------------------------------------ */

typedef struct {
    const char *name;
    const char *header; /* NULL: built by header_fn */
    void (*header_fn)(out *o);
    void (*row_fn)(out *o, rng *r, uint64_t row);
    uint64_t default_rows;
    uint64_t seed_salt;
} table_kind;

static const table_kind KINDS[] = {
    {"numeric", "id,small_int,price,measure,reading,count_na,ratio,big_int\n",
     NULL, numeric_row, 14000000, 1},
    {"mixed", "id,category,qty,price,comment,score,code,discount\n", NULL,
     mixed_row, 3000000, 2},
    {"wide", NULL, wide_header, wide_row, 100000, 3},
};

static const table_kind *find_kind(const char *name)
{
    for (size_t i = 0; i < COUNT(KINDS); i++)
        if (strcmp(KINDS[i].name, name) == 0)
            return &KINDS[i];
    return NULL;
}

static int usage(void)
{
    fputs("usage: gen_data numeric|mixed|wide [--rows N] [--seed S] "
          "[-o FILE]\n",
          stderr);
    return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return 0;
    *v = x;
    return 1;
}

static int generate(const table_kind *k, uint64_t rows, uint64_t seed, FILE *f)
{
    out *o = malloc(sizeof *o);
    if (!o) {
        fputs("gen_data: out of memory\n", stderr);
        return 1;
    }
    o->f = f;
    o->len = 0;
    o->failed = 0;
    rng r;
    rng_seed(&r, seed * 0x100 + k->seed_salt);
    if (k->header)
        put_str(o, k->header);
    else
        k->header_fn(o);
    for (uint64_t i = 0; i < rows && !o->failed; i++)
        k->row_fn(o, &r, i);
    out_flush(o);
    int failed = o->failed;
    free(o);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const table_kind *k = find_kind(argv[1]);
    if (!k)
        return usage();
    uint64_t rows = k->default_rows, seed = 42;
    const char *path = NULL;
    for (int i = 2; i < argc; i++) {
        if (i + 1 >= argc)
            return usage();
        if (strcmp(argv[i], "--rows") == 0 && parse_u64(argv[i + 1], &rows))
            i++;
        else if (strcmp(argv[i], "--seed") == 0 &&
                 parse_u64(argv[i + 1], &seed))
            i++;
        else if (strcmp(argv[i], "-o") == 0)
            path = argv[++i];
        else
            return usage();
    }
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f) {
        fprintf(stderr, "gen_data: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int failed = generate(k, rows, seed, f);
    if (fclose(f) != 0 || failed) {
        fprintf(stderr, "gen_data: write failed: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
