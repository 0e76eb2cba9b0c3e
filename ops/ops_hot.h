/*
 * ops_hot.h - the per-field hot path of ops_col_add, inline: plain numbers
 * read without a loop, and the value push. Private to ops/ (ops_parse.c
 * and ops_column.c share it; ops_distinct.c its word loads).
 *
 * Each inline step either does the common case or declines without
 * changing anything, so that ops_col_add hands the field to its slow path
 * by a tail call, and the fast path calls nothing.
 *
 * Plain numbers ("[+-]? digits [. digits]", at most 16 bytes after the
 * sign) are checked and read 8 bytes at once (SWAR: the bytes of a word as
 * lanes); their value is exact, or one division by an exact power of ten,
 * so correctly rounded. Exponent forms ("4.0793e-01") add one multiply or
 * divide (Clinger's fast path). Any other field goes to the general
 * scanner of ops_parse.c.
 */
#ifndef DFSUM_OPS_HOT_H
#define DFSUM_OPS_HOT_H

#include "ops.h"

#include <string.h>

/* For the small helpers of the hot paths, which the compiler would
 * otherwise call rather than inline. */
#define OPS_HOT static inline __attribute__((always_inline))

/* ---- Plain numbers ---------------------------------------------------- */

#define OPS_PLAIN_NONE (-1)
#define OPS_MAX_POW10  22 /* 1e22 is the last exact power of ten */
#define OPS_ONES       0x0101010101010101ull
#define OPS_HIGHS      (OPS_ONES * 0x80)

static const double ops_pow10_exact[OPS_MAX_POW10 + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static const uint64_t ops_pow10_u64[9] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/* 1 for a sign byte, else 0: a load, where a test would let the compiler
 * split the code into a signed and an unsigned copy and branch between
 * them, which mispredicts on a column of random signs. */
static const unsigned char ops_sign_length[256] = {['+'] = 1, ['-'] = 1};

OPS_HOT uint32_t ops_load32_le(const char *s)
{
    uint32_t x;
    memcpy(&x, s, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap32(x);
#endif
    return x;
}

OPS_HOT uint64_t ops_load64_le(const char *s)
{
    uint64_t x;
    memcpy(&x, s, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

/* s[0..n), 1 <= n <= 8, as a word with s[0] in the low byte and zeros
 * above byte n. Two loads that overlap (their common bytes are equal, so
 * OR-ing them is harmless); never a byte past s[n-1]. */
OPS_HOT uint64_t ops_load_short(const char *s, size_t n)
{
    if (n >= 4)
        return ops_load32_le(s) | (uint64_t)ops_load32_le(s + n - 4)
                                      << (8 * (n - 4));
    uint64_t w = (unsigned char)s[0];
    if (n >= 2)
        w |= (uint64_t)(unsigned char)s[1] << 8 |
             (uint64_t)(unsigned char)s[n - 1] << (8 * (n - 1));
    return w;
}

/* The value of the nd (1..8) digits at the bottom of t, one digit value
 * (0..9) per byte, most significant first. Moved to the top, the zero bytes
 * below act as leading zeros; then three multiplies combine the 8 digits
 * (as fast_float's parse_eight_digits_unrolled). */
OPS_HOT uint64_t ops_digits_value(uint64_t t, size_t nd)
{
    uint64_t d = t << (8 * (8 - nd));
    d = d * 10 + (d >> 8);
    return ((d & 0x000000FF000000FFull) * (100 + (1000000ull << 32)) +
            ((d >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32))) >>
           32;
}

/* The flags of the bytes of t (digits XOR '0') that are not digits, among
 * the bytes selected by lanes. XOR with '0' turns digits into 0..9 and '.'
 * into 0x1E; adding 0x76 sets the high bit of exactly the bytes above 9,
 * without a carry out of any byte below 0x8A, and a byte from 0x8A up is
 * flagged by its own high bit. So every non-digit byte is flagged, and
 * when only one is, the flag is exact. */
OPS_HOT uint64_t ops_non_digits(uint64_t t, uint64_t lanes)
{
    return ((t + OPS_ONES * 0x76) | t) & lanes & OPS_HIGHS;
}

/* Byte `at` (a bit index, multiple of 8) of t is the point: removes it,
 * moving the bytes above down by one. */
OPS_HOT uint64_t ops_drop_byte(uint64_t t, unsigned at)
{
    return (t & ((1ull << at) - 1)) | (t >> at >> 8 << at);
}

OPS_HOT double ops_with_sign(double d, int neg)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    bits ^= (uint64_t)neg << 63;
    memcpy(&d, &bits, sizeof d);
    return d;
}

OPS_HOT int64_t ops_with_sign_i64(uint64_t m, int neg)
{
    return (int64_t)((m ^ (0 - (uint64_t)neg)) + (uint64_t)neg);
}

/* "digits [. digits]" of 1 to 8 bytes: *mant gets the digits (at most 8)
 * and *nfrac the count of digits after the point, -1 without a point.
 * Returns 0 for any other shape. */
OPS_HOT int ops_short_mantissa(const char *s, size_t n, uint64_t *mant,
                               int *nfrac)
{
    uint64_t lanes = ~0ull >> (8 * (8 - n));
    uint64_t t = ops_load_short(s, n) ^ (lanes & OPS_ONES * '0');
    uint64_t bad = ops_non_digits(t, lanes);
    if (!bad) {
        *mant = ops_digits_value(t, n);
        *nfrac = -1;
        return 1;
    }
    unsigned at = (unsigned)__builtin_ctzll(bad) & ~7u;
    if ((bad & (bad - 1)) || ((t >> at) & 0xFF) != ('.' ^ '0') || n < 2)
        return 0;
    *mant = ops_digits_value(ops_drop_byte(t, at), n - 1);
    *nfrac = (int)(n - 1 - at / 8);
    return 1;
}

/* The same for 9 to 16 bytes, as two words t0 (bytes 0..7) and t1: at
 * most 16 digits (below 2^63), or 15 and a point (below 2^53). */
OPS_HOT int ops_medium_mantissa(const char *s, size_t n, uint64_t *mant,
                                int *nfrac)
{
    size_t n1 = n - 8;
    uint64_t lanes1 = ~0ull >> (8 * (8 - n1));
    uint64_t t0 = ops_load64_le(s) ^ OPS_ONES * '0';
    uint64_t t1 = ops_load_short(s + 8, n1) ^ (lanes1 & OPS_ONES * '0');
    uint64_t bad0 = ops_non_digits(t0, ~0ull);
    uint64_t bad1 = ops_non_digits(t1, lanes1);
    if (!(bad0 | bad1)) {
        *mant = ops_digits_value(t0, 8) * ops_pow10_u64[n1] +
                ops_digits_value(t1, n1);
        *nfrac = -1;
        return 1;
    }
    uint64_t bad = bad0 ? bad0 : bad1;
    unsigned at = (unsigned)__builtin_ctzll(bad) & ~7u;
    if ((bad0 && bad1) || (bad & (bad - 1)) ||
        (((bad0 ? t0 : t1) >> at) & 0xFF) != ('.' ^ '0'))
        return 0;
    size_t point = at / 8 + (bad0 ? 0 : 8);
    if (bad0) { /* the first byte of t1 moves up into t0 */
        t0 = ops_drop_byte(t0, at) | t1 << 56;
        t1 >>= 8;
    } else {
        t1 = ops_drop_byte(t1, at);
    }
    size_t nd = n - 1; /* 8..15 digits */
    uint64_t m = ops_digits_value(t0, 8);
    if (nd > 8)
        m = m * ops_pow10_u64[nd - 8] + ops_digits_value(t1, nd - 8);
    *mant = m;
    *nfrac = (int)(nd - point);
    return 1;
}

/* "digits [. digits]" of 1 to 16 bytes, without a loop and without a
 * branch on the digits themselves. */
OPS_HOT int ops_plain_mantissa(const char *s, size_t n, uint64_t *mant,
                               int *nfrac)
{
    if (n <= 8)
        return ops_short_mantissa(s, n, mant, nfrac);
    return ops_medium_mantissa(s, n, mant, nfrac);
}

/* ---- Plain numbers, 16 bytes at once (x86-64, SSE4.1) --------------
 *
 * The same reading for a field whose lengths vary across the 8-byte line
 * (a float column: "-13.75", "30.738875515"), where the choice between
 * the two word readers above mispredicts: one 16-byte load, lanes past n
 * masked, the point found by a compare and squeezed out by a shuffle, the
 * digits moved to the right end by another, then combined in four steps
 * (two digits, four, eight, sixteen). No branch depends on the length or
 * on where the point is. Slower than the word readers on short integers,
 * which is why only float columns use it. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define OPS_HAVE_SSE41 1
#include <immintrin.h>

#define OPS_SSE41     __attribute__((target("sse4.1")))
#define OPS_HOT_SSE41 static inline __attribute__((always_inline)) OPS_SSE41

/* Lane j of row p takes lane j + (j >= p): drops the byte at p (16: none). */
#define OPS_DROP(p)                                                            \
    {                                                                          \
        0 + (0 >= p), 1 + (1 >= p), 2 + (2 >= p), 3 + (3 >= p), 4 + (4 >= p),  \
            5 + (5 >= p), 6 + (6 >= p), 7 + (7 >= p), 8 + (8 >= p),            \
            9 + (9 >= p), 10 + (10 >= p), 11 + (11 >= p), 12 + (12 >= p),      \
            13 + (13 >= p), 14 + (14 >= p), 15                                 \
    }
static const char ops_drop_lane[17][16] __attribute__((aligned(16))) = {
    OPS_DROP(0),  OPS_DROP(1),  OPS_DROP(2),  OPS_DROP(3),  OPS_DROP(4),
    OPS_DROP(5),  OPS_DROP(6),  OPS_DROP(7),  OPS_DROP(8),  OPS_DROP(9),
    OPS_DROP(10), OPS_DROP(11), OPS_DROP(12), OPS_DROP(13), OPS_DROP(14),
    OPS_DROP(15), OPS_DROP(16)};
#undef OPS_DROP

/* Lane j of row nd takes lane j - (16 - nd), or is zero (a leading zero):
 * nd digits moved to the right end. */
#define OPS_LANE(j, nd) ((j) < 16 - (nd) ? -128 : (j) - (16 - (nd)))
#define OPS_RIGHT(nd)                                                          \
    {                                                                          \
        OPS_LANE(0, nd), OPS_LANE(1, nd), OPS_LANE(2, nd), OPS_LANE(3, nd),    \
            OPS_LANE(4, nd), OPS_LANE(5, nd), OPS_LANE(6, nd),                 \
            OPS_LANE(7, nd), OPS_LANE(8, nd), OPS_LANE(9, nd),                 \
            OPS_LANE(10, nd), OPS_LANE(11, nd), OPS_LANE(12, nd),              \
            OPS_LANE(13, nd), OPS_LANE(14, nd), OPS_LANE(15, nd)               \
    }
static const signed char ops_right_lane[17][16] __attribute__((aligned(16))) = {
    OPS_RIGHT(0),  OPS_RIGHT(1),  OPS_RIGHT(2),  OPS_RIGHT(3),  OPS_RIGHT(4),
    OPS_RIGHT(5),  OPS_RIGHT(6),  OPS_RIGHT(7),  OPS_RIGHT(8),  OPS_RIGHT(9),
    OPS_RIGHT(10), OPS_RIGHT(11), OPS_RIGHT(12), OPS_RIGHT(13), OPS_RIGHT(14),
    OPS_RIGHT(15), OPS_RIGHT(16)};
#undef OPS_RIGHT
#undef OPS_LANE

/* The value of 16 digit values (0..9), most significant in lane 0. */
OPS_HOT_SSE41 uint64_t ops_digits16_value(__m128i d)
{
    const __m128i tens =
        _mm_setr_epi8(10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1);
    __m128i t = _mm_maddubs_epi16(d, tens); /* 8 x 2 digits */
    t = _mm_madd_epi16(t, _mm_setr_epi16(100, 1, 100, 1, 100, 1, 100, 1));
    t = _mm_packus_epi32(t, t); /* 4 x 4 digits, twice */
    t = _mm_madd_epi16(t, _mm_setr_epi16(10000, 1, 10000, 1, 10000, 1, 10000,
                                         1)); /* 2 x 8 digits */
    uint64_t high = (uint32_t)_mm_cvtsi128_si32(t);
    uint64_t low = (uint32_t)_mm_extract_epi32(t, 1);
    return high * 100000000u + low;
}

/* ops_plain_mantissa for s[0..n), 1 <= n <= 16, where 16 bytes from s
 * may be read. */
OPS_HOT_SSE41 int ops_plain_mantissa_sse41(const char *s, size_t n,
                                           uint64_t *mant, int *nfrac)
{
    const __m128i lane =
        _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
    unsigned in = (unsigned)_mm_movemask_epi8(
        _mm_cmpgt_epi8(_mm_set1_epi8((char)n), lane));
    unsigned digits = (unsigned)_mm_movemask_epi8(digit) & in;
    unsigned point =
        (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))) & in;
    if ((digits | point) != in || (point & (point - 1)) || digits == 0)
        return 0;
    unsigned at = (unsigned)__builtin_ctz(point | 0x10000); /* 16: none */
    d = _mm_shuffle_epi8(d, _mm_load_si128((const void *)ops_drop_lane[at]));
    d = _mm_shuffle_epi8(
        d, _mm_load_si128((const void *)ops_right_lane[n - (point != 0)]));
    *mant = ops_digits16_value(d);
    *nfrac = point ? (int)(n - 1 - at) : -1;
    return 1;
}
#endif

/* The number of a plain mantissa: OPS_INT (v->i, exact) or OPS_FLOAT (v->f,
 * finite and correctly rounded). A plain decimal has at most 15 digits, so
 * they are an exact double and one division by an exact power of ten
 * rounds correctly. */
OPS_HOT int ops_plain_value(uint64_t mant, int nfrac, int neg, ops_value *v)
{
    if (nfrac < 0) {
        v->i = ops_with_sign_i64(mant, neg);
        return OPS_INT;
    }
    v->f = ops_with_sign((double)(int64_t)mant / ops_pow10_exact[nfrac], neg);
    return OPS_FLOAT;
}

/* Reads a plain number s[0..n) (n >= 1), or returns OPS_PLAIN_NONE. A
 * long field ending like "e-05" is not read: only to save time, as the
 * reading would fail. */
OPS_HOT int ops_plain_number(const char *s, size_t n, ops_value *v)
{
    int neg = s[0] == '-';
    size_t sign = ops_sign_length[(unsigned char)s[0]];
    uint64_t mant;
    int nfrac;
    if (n - sign - 1 >= 16 || /* n - sign == 0 wraps around */
        (n - sign > 8 && (s[n - 4] | 0x20) == 'e') ||
        !ops_plain_mantissa(s + sign, n - sign, &mant, &nfrac))
        return OPS_PLAIN_NONE;
    return ops_plain_value(mant, nfrac, neg, v);
}

#ifdef OPS_HAVE_SSE41
/* ops_plain_number where 17 bytes from s may be read (and the same
 * shortcut for "e-05"). */
OPS_HOT_SSE41 int ops_plain_number_sse41(const char *s, size_t n, ops_value *v)
{
    int neg = s[0] == '-';
    size_t sign = ops_sign_length[(unsigned char)s[0]];
    uint64_t mant;
    int nfrac;
    if (n - sign - 1 >= 16 || (n - sign > 8 && (s[n - 4] | 0x20) == 'e') ||
        !ops_plain_mantissa_sse41(s + sign, n - sign, &mant, &nfrac))
        return OPS_PLAIN_NONE;
    return ops_plain_value(mant, nfrac, neg, v);
}
#endif

/* The exponent at the end of s[0..n): "(e|E) [+-]? d{1,3}". Returns the
 * position of the e, or 0 when there is none or nothing before it. The
 * printf form "e-05" is checked first, without a loop. */
OPS_HOT size_t ops_exponent_suffix(const char *s, size_t n, int *exp10)
{
    if (n >= 5) {
        char sign = s[n - 3];
        unsigned high = (unsigned char)(s[n - 2] - '0');
        unsigned low = (unsigned char)(s[n - 1] - '0');
        if ((s[n - 4] | 0x20) == 'e' && (sign == '-' || sign == '+') &&
            high < 10 && low < 10) {
            int e = (int)(high * 10 + low);
            *exp10 = sign == '-' ? -e : e;
            return n - 4;
        }
    }
    size_t k = n;
    int e = 0, scale = 1;
    while (k > 0 && n - k < 3 && (unsigned char)(s[k - 1] - '0') < 10) {
        e += (s[--k] - '0') * scale;
        scale *= 10;
    }
    if (k == n || k < 2)
        return 0;
    if (s[k - 1] == '-' || s[k - 1] == '+')
        e = s[--k] == '-' ? -e : e;
    if (k < 2 || (s[k - 1] | 0x20) != 'e')
        return 0;
    *exp10 = e;
    return k - 1;
}

/* "[+-]? mantissa (e|E) [+-]? d{1,3}" with a plain mantissa (as above)
 * below 2^53 and 10^|power| <= 10^22, the power being the exponent less
 * the fraction digits: then mant and the power of ten are exact doubles,
 * and one multiply or one divide (the other operand is 1) rounds correctly
 * (Clinger's fast path, in the default round-to-nearest mode). Returns 0
 * for any other field (the general scanner rounds those). */
OPS_HOT int ops_exponent_number(const char *s, size_t n, double *out)
{
    int neg = n > 0 && s[0] == '-';
    size_t sign = n > 0 ? ops_sign_length[(unsigned char)s[0]] : 0;
    int exp10 = 0, nfrac;
    uint64_t mant;
    size_t epos = ops_exponent_suffix(s + sign, n - sign, &exp10);
    if (epos == 0 || epos > 16 ||
        !ops_plain_mantissa(s + sign, epos, &mant, &nfrac) ||
        mant > (1ull << 53))
        return 0;
    exp10 -= nfrac > 0 ? nfrac : 0;
    if (exp10 < -OPS_MAX_POW10 || exp10 > OPS_MAX_POW10)
        return 0;
    /* Both steps always, one of them by 1e0: a column's exponents often
     * change sign from field to field, and a branch on it mispredicts. */
    unsigned down = 0u - (unsigned)(exp10 < 0); /* all ones below zero */
    unsigned mag = ((unsigned)exp10 ^ down) - down;
    double d = (double)(int64_t)mant * ops_pow10_exact[mag & ~down] /
               ops_pow10_exact[mag & down];
    *out = ops_with_sign(d, neg);
    return 1;
}

/* ---- Value store: the push -------------------------------------------- */

/* The head block when it has room for one more value, else NULL (then
 * ops_vec_push allocates). */
OPS_HOT ops_block *ops_vec_room(const ops_vec *v)
{
    ops_block *b = v->head;
    return b != NULL && b->n < OPS_VEC_BLOCK ? b : NULL;
}

/* Pushes into b, which ops_vec_room returned. */
OPS_HOT void ops_vec_put(ops_vec *v, ops_block *b, uint64_t slot)
{
    b->slot[b->n++] = slot;
    v->n++;
}

#endif
