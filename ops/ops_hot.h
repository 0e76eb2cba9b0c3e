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
    double d = (double)(int64_t)mant * ops_pow10_exact[exp10 > 0 ? exp10 : 0] /
               ops_pow10_exact[exp10 < 0 ? -exp10 : 0];
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
