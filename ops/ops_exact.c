/*
 * ops_exact.c - exact sums of x and x*x over finite doubles, for the mean
 * and the variance.
 *
 * A finite double is M * 2^E with M < 2^53 an integer and E >= -1074, so in
 * units of 2^-1074 it is the integer M << (E + 1074), and its square in
 * units of 2^-2148 is the integer M*M << 2(E + 1074). Both sums are plain
 * big integers: adding in any order and merging in any grouping gives the
 * same integers, hence bit-identical results.
 *
 * Three accumulators keep an add cheap:
 *  - a slot per recent exponent field (slot = field % OPS_EXACT_SLOTS, the
 *    field it holds is recorded): an add only adds the signed M to a
 *    128-bit sum and M*M to a 192-bit one, which cannot overflow; real
 *    columns span fewer than 64 binades (1e-9 to 1e9 is 60), so most values
 *    find their slot;
 *  - integers of at most 2^53 (exact doubles) are summed as they are, the
 *    same way, in units of 1 = 2^1074 units of 2^-1074;
 *  - the limbs: 32-bit digits in int64 with carries left for later (Radford
 *    Neal's "small superaccumulator"). A value whose slot holds another
 *    exponent goes straight into them (3 pieces for S1, 5 for S2, each
 *    below 2^32); the slots and the integer sums are added in when the sums
 *    are settled (for a merge or a result). Limbs are settled at least every
 *    SETTLE_EVERY direct adds: until then they received fewer than 2^29 +
 *    OPS_EXACT_SLOTS + 1 < 2^30 pieces, so each stays below 2^62 + 2^32.
 *
 * Columns add their kept values a block at a time (ops_exact_add_values):
 * there the integer sums stay in registers, with lazy carries, and the
 * doubles go through TABLES local slot tables in turn, so that consecutive
 * values of one binade do not wait for each other's stores; the tables are
 * added into the slots at the end. One or two values per ns, where an add
 * per value through memory took several ns.
 *
 * The results are computed with big-integer arithmetic and rounded once,
 * half to even:
 *   mean = S1 / n                     (units 2^-1074)
 *   var  = (n*S2 - S1^2) / (n(n-1))   (units 2^-2148)
 * n(n-1) may need 127 bits, so the division is by n, then by n-1:
 * floor(floor(a / n) / (n-1)) = floor(a / (n(n-1))), and the division is
 * inexact exactly when either remainder is non-zero.
 */
#include "ops.h"

#include <math.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;
__extension__ typedef __int128 i128;

/* For the small helpers of the add loops, which the compiler would
 * otherwise call rather than inline. */
#define HOT static inline __attribute__((always_inline))

#define DIGIT_BITS   32
#define DIGIT_MASK   0xFFFFFFFFu
#define SETTLE_EVERY (1u << 29) /* adds between carry settlements */

#define S1_UNIT_EXP 1074        /* S1 counts units of 2^-1074 */
#define INT_SHIFT   S1_UNIT_EXP /* an integer i is i << 1074 units */
#define S2_UNIT_EXP 2148        /* S2 counts units of 2^-2148 */

/* Extra low digits given to a dividend so that its quotient keeps at least
 * 55 bits even when divided by n(n-1) < 2^128: 6 digits = 192 bits. */
#define GUARD_DIGITS 6
/* Room for n*S2 or S1^2 (2 * 70 digits) plus the guard digits. */
#define BIG_DIGITS (2 * OPS_EXACT_S1_LIMBS + GUARD_DIGITS + 2)

/* ---- Limbs ---- */

/* Settles the carries: limbs 0..n-2 become digits in [0, 2^32) and the top
 * limb holds the signed rest. Needs arithmetic >> on negative int64 (as
 * gcc and clang do). */
static void settle(int64_t *limb, size_t n)
{
    int64_t carry = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        int64_t t = limb[i] + carry;
        carry = t >> DIGIT_BITS; /* floor(t / 2^32) */
        limb[i] = t - carry * ((int64_t)1 << DIGIT_BITS);
    }
    limb[n - 1] += carry;
}

/* +d or -d, by s = 0 or -1, without a branch on the sign. */
static int64_t signed_digit(uint64_t d, int64_t s)
{
    return ((int64_t)d ^ s) - s;
}

/* The exponent field 0 (subnormals) and 1 share the unit 2^-1074. */
static unsigned unit_shift(unsigned field)
{
    return field - (field != 0);
}

/* limb[] += sign * (mag << shift), mag the nd 32-bit digits d (low
 * first): nd + 1 pieces, each below 2^32, from limb shift / 32 on. */
static void add_shifted(int64_t *limb, const uint32_t *d, size_t nd,
                        unsigned shift, int64_t sign)
{
    int64_t *l = limb + shift / DIGIT_BITS;
    unsigned off = shift % DIGIT_BITS;
    uint64_t prev = 0;
    for (size_t j = 0; j <= nd; j++) {
        uint64_t cur = j < nd ? d[j] : 0;
        uint64_t piece =
            ((cur << off) | (prev >> (DIGIT_BITS - off))) & DIGIT_MASK;
        l[j] += signed_digit(piece, sign);
        prev = cur;
    }
}

static void words_to_digits(const uint64_t *w, size_t nw, uint32_t *d)
{
    for (size_t i = 0; i < nw; i++) {
        d[2 * i] = (uint32_t)w[i];
        d[2 * i + 1] = (uint32_t)(w[i] >> 32);
    }
}

/* Adds ints->sum << shift into s1 and ints->sum_sq << 2 * shift into s2:
 * |sum| < 2^127, so 5 pieces; sum_sq < 2^192, so 7. The highest shift (of
 * exponent field 2047) still lands inside the limbs. */
static void add_ints(int64_t *s1, int64_t *s2, const ops_exact_ints *ints,
                     unsigned shift)
{
    uint64_t lo = ints->sum[0], hi = ints->sum[1];
    int64_t sign = (int64_t)hi < 0 ? -1 : 0;
    if (sign) { /* the magnitude: -v = ~v + 1 */
        lo = ~lo + 1;
        hi = ~hi + (lo == 0);
    }
    uint64_t mag[2] = {lo, hi};
    uint32_t d[6];
    words_to_digits(mag, 2, d);
    add_shifted(s1, d, 4, shift, sign);
    words_to_digits(ints->sum_sq, 3, d);
    add_shifted(s2, d, 6, 2 * shift, 0);
}

static int ints_empty(const ops_exact_ints *ints)
{
    return (ints->sum_sq[0] | ints->sum_sq[1] | ints->sum_sq[2]) == 0;
}

/* A slot or the integer sums are empty when the square sum is 0: then
 * every value added was 0, and so is the plain sum. */
static void flush_ints(int64_t *s1, int64_t *s2, ops_exact_ints *ints,
                       unsigned shift)
{
    if (ints_empty(ints))
        return;
    add_ints(s1, s2, ints, shift);
    memset(ints, 0, sizeof *ints);
}

static void flush_all(ops_exact *e)
{
    for (size_t i = 0; i < OPS_EXACT_SLOTS; i++) {
        ops_exact_slot *slot = &e->slot[i];
        flush_ints(e->s1, e->s2, &slot->m, unit_shift(slot->exponent));
    }
    flush_ints(e->s1, e->s2, &e->ints, INT_SHIFT);
}

static void settle_all(ops_exact *e)
{
    flush_all(e);
    settle(e->s1, OPS_EXACT_S1_LIMBS);
    settle(e->s2, OPS_EXACT_S2_LIMBS);
    e->direct = 0;
}

/* ---- Accumulation ---- */

void ops_exact_init(ops_exact *e)
{
    memset(e, 0, sizeof *e);
    for (size_t i = 0; i < OPS_EXACT_SLOTS; i++)
        e->slot[i].exponent = (uint32_t)i; /* empty, each a valid field */
}

/* sums += v (signed, |v| < 2^64) and sum_sq += m * m (m = |v|). Written
 * with 64-bit words and explicit carries: 128-bit temporaries make gcc
 * spill to the stack, which lengthens the chain of adds. */
HOT void ints_add(ops_exact_ints *sums, uint64_t v, uint64_t m)
{
    uint64_t ext = (uint64_t)((int64_t)v >> 63); /* v's sign extension */
    uint64_t s0 = sums->sum[0] + v;
    sums->sum[1] += ext + (s0 < v);
    sums->sum[0] = s0;
    u128 sq = (u128)m * m;
    uint64_t low = (uint64_t)sq, high = (uint64_t)(sq >> 64);
    uint64_t q0 = sums->sum_sq[0] + low;
    uint64_t q1 = sums->sum_sq[1] + high + (q0 < low);
    /* high < 2^63, so high + carry does not wrap and q1 < high tells */
    sums->sum_sq[2] += q1 < high + (q0 < low);
    sums->sum_sq[0] = q0;
    sums->sum_sq[1] = q1;
}

/* into += from, exactly (neither overflows in 2^64 adds). */
static void ints_merge(ops_exact_ints *into, const ops_exact_ints *from)
{
    u128 sum = ((u128)into->sum[1] << 64 | into->sum[0]) +
               ((u128)from->sum[1] << 64 | from->sum[0]);
    into->sum[0] = (uint64_t)sum;
    into->sum[1] = (uint64_t)(sum >> 64);
    u128 a = (u128)into->sum_sq[1] << 64 | into->sum_sq[0];
    u128 b = (u128)from->sum_sq[1] << 64 | from->sum_sq[0];
    u128 low = a + b;
    into->sum_sq[0] = (uint64_t)low;
    into->sum_sq[1] = (uint64_t)(low >> 64);
    into->sum_sq[2] += from->sum_sq[2] + (low < a);
}

/* A finite double as field, mantissa M and sign (0 or -1). */
typedef struct {
    unsigned field;
    uint64_t m;
    int64_t sign;
} parts;

HOT parts parts_of(uint64_t bits)
{
    parts p;
    p.field = (unsigned)(bits >> 52) & 0x7FF;
    p.m = (bits & ((1ull << 52) - 1)) | (uint64_t)(p.field != 0) << 52;
    p.sign = -(int64_t)(bits >> 63);
    return p;
}

HOT void slot_add(ops_exact_slot *slot, parts p)
{
    ints_add(&slot->m, ((uint64_t)p.m ^ (uint64_t)p.sign) - (uint64_t)p.sign,
             p.m);
}

/* v << off for off < 64, as (high word, low word), with 64-bit shifts only
 * (the >> 1 keeps the count below 64 when off is 0). */
static uint64_t shift_left(uint64_t v, unsigned off, uint64_t *high)
{
    *high = v >> 1 >> (63 - off);
    return v << off;
}

/* One value straight into the limbs: m << off < 2^85 is 3 digits, m*m <<
 * off2 < 2^138 is 5. */
static void add_value(ops_exact *e, parts p)
{
    unsigned shift = unit_shift(p.field);
    uint64_t top1, low1 = shift_left(p.m, shift % DIGIT_BITS, &top1);
    int64_t *l1 = e->s1 + shift / DIGIT_BITS;
    l1[0] += signed_digit(low1 & DIGIT_MASK, p.sign);
    l1[1] += signed_digit(low1 >> DIGIT_BITS, p.sign);
    l1[2] += signed_digit(top1, p.sign);

    u128 sq = (u128)p.m * p.m;
    unsigned shift2 = 2 * shift, off2 = shift2 % DIGIT_BITS;
    uint64_t carry, top2;
    uint64_t low2 = shift_left((uint64_t)sq, off2, &carry);
    uint64_t mid2 = shift_left((uint64_t)(sq >> 64), off2, &top2) | carry;
    int64_t *l2 = e->s2 + shift2 / DIGIT_BITS;
    l2[0] += (int64_t)(low2 & DIGIT_MASK);
    l2[1] += (int64_t)(low2 >> DIGIT_BITS);
    l2[2] += (int64_t)(mid2 & DIGIT_MASK);
    l2[3] += (int64_t)(mid2 >> DIGIT_BITS);
    l2[4] += (int64_t)top2;
    if (++e->direct >= SETTLE_EVERY)
        settle_all(e);
}

/* x's slot holds another exponent field: an empty slot (all are, after a
 * settlement) is taken over; otherwise x goes straight into the limbs, so
 * alternating exponents cost about what limbs alone would. */
static void add_other_exponent(ops_exact *e, parts p)
{
    ops_exact_slot *slot = &e->slot[p.field % OPS_EXACT_SLOTS];
    if (ints_empty(&slot->m)) {
        slot->exponent = p.field;
        slot_add(slot, p);
    } else {
        add_value(e, p);
    }
}

HOT void add_parts(ops_exact *e, parts p)
{
    ops_exact_slot *slot = &e->slot[p.field % OPS_EXACT_SLOTS];
    if (slot->exponent == p.field)
        slot_add(slot, p);
    else
        add_other_exponent(e, p);
}

void ops_exact_add(ops_exact *e, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    add_parts(e, parts_of(bits));
}

/* |i| <= 2^53: (double)i is exactly i. */
HOT int int_fits(int64_t i)
{
    return (uint64_t)i + (1ull << 53) <= (1ull << 54);
}

void ops_exact_add_int(ops_exact *e, int64_t i)
{
    uint64_t sign = (uint64_t)(i >> 63);
    if (int_fits(i))
        ints_add(&e->ints, (uint64_t)i, ((uint64_t)i ^ sign) - sign);
    else
        ops_exact_add(e, (double)i);
}

/* Sums over one loop of at most LOOP_MAX values of magnitude at most
 * 2^53: the sum stays below 2^73 and the sum of squares below 2^126, so
 * 128-bit integers hold both and an add is an add-with-carry pair each. */
typedef struct {
    i128 sum;
    u128 sum_sq;
} loop_sums;

#define LOOP_MAX ((size_t)1 << 20)

HOT void loop_add(loop_sums *a, int64_t v)
{
    a->sum += v;
    a->sum_sq += (u128)((i128)v * v);
}

static void loop_sums_to_ints(const loop_sums *a, ops_exact_ints *out)
{
    u128 sum = (u128)a->sum; /* two's complement, as the limbs expect */
    out->sum[0] = (uint64_t)sum;
    out->sum[1] = (uint64_t)(sum >> 64);
    out->sum_sq[0] = (uint64_t)a->sum_sq;
    out->sum_sq[1] = (uint64_t)(a->sum_sq >> 64);
    out->sum_sq[2] = 0;
}

/* int64 values: the sums in locals (registers), added to e's at the end,
 * as the rare larger value may settle e. */
static void add_i64_values(ops_exact *e, const uint64_t *v, size_t n)
{
    loop_sums sums = {0, 0};
    for (size_t k = 0; k < n; k++) {
        int64_t i = (int64_t)v[k];
        if (int_fits(i))
            loop_add(&sums, i);
        else
            ops_exact_add(e, (double)i);
    }
    ops_exact_ints ints;
    loop_sums_to_ints(&sums, &ints);
    ints_merge(&e->ints, &ints);
}

/* The double values go to TABLES local slot tables in turn (value k to
 * table k % TABLES), merged into e at the end: a run of values of one
 * binade then makes TABLES independent chains of adds through memory
 * instead of one, and the loop has no branch on k. */
#define TABLES 4

typedef struct {
    loop_sums m; /* the signed mantissas */
    unsigned field;
} local_slot;

/* Integer sums straight into the limbs, counted as a direct add: one
 * piece below 2^32 per limb. */
static void add_direct(ops_exact *e, const ops_exact_ints *ints, unsigned shift)
{
    add_ints(e->s1, e->s2, ints, shift);
    if (++e->direct >= SETTLE_EVERY)
        settle_all(e);
}

/* The slots of a local table into e: each into e's slot of its field when
 * that holds it or is empty, else straight into the limbs. */
static void merge_table(ops_exact *e, const local_slot *table)
{
    for (size_t i = 0; i < OPS_EXACT_SLOTS; i++) {
        ops_exact_ints from;
        loop_sums_to_ints(&table[i].m, &from);
        if (ints_empty(&from))
            continue;
        unsigned field = table[i].field;
        ops_exact_slot *to = &e->slot[i];
        if (to->exponent != field && ints_empty(&to->m))
            to->exponent = field;
        if (to->exponent == field)
            ints_merge(&to->m, &from);
        else
            add_direct(e, &from, unit_shift(field));
    }
}

/* x's slot of a local table holds another field: an empty slot is taken
 * over, else x goes to e. */
static void table_miss(ops_exact *e, local_slot *slot, parts p)
{
    local_slot empty = {{0, 0}, 0};
    if (memcmp(&slot->m, &empty.m, sizeof empty.m) == 0) {
        slot->field = p.field;
        loop_add(&slot->m,
                 (int64_t)((p.m ^ (uint64_t)p.sign) - (uint64_t)p.sign));
    } else {
        add_parts(e, p);
    }
}

HOT void table_add(ops_exact *e, local_slot *table, uint64_t bits)
{
    parts p = parts_of(bits);
    local_slot *slot = &table[p.field % OPS_EXACT_SLOTS];
    if (p.field == 0x7FF) /* infinities are counted aside */
        return;
    if (slot->field == p.field)
        loop_add(&slot->m,
                 (int64_t)((p.m ^ (uint64_t)p.sign) - (uint64_t)p.sign));
    else
        table_miss(e, slot, p);
}

static void add_f64_values(ops_exact *e, const uint64_t *v, size_t n)
{
    local_slot table[TABLES][OPS_EXACT_SLOTS];
    memset(table, 0, sizeof table);
    size_t k = 0;
    for (; k + TABLES <= n; k += TABLES)
        for (size_t t = 0; t < TABLES; t++)
            table_add(e, table[t], v[k + t]);
    for (; k < n; k++)
        table_add(e, table[0], v[k]);
    for (size_t t = 0; t < TABLES; t++)
        merge_table(e, table[t]);
}

void ops_exact_add_values(ops_exact *e, const uint64_t *v, size_t n,
                          ops_rep rep)
{
    for (size_t k = 0; k < n; k += LOOP_MAX) {
        size_t m = n - k < LOOP_MAX ? n - k : LOOP_MAX;
        if (rep == OPS_REP_I64)
            add_i64_values(e, v + k, m);
        else if (rep == OPS_REP_F64)
            add_f64_values(e, v + k, m);
        else
            for (size_t j = 0; j < m; j++)
                ops_exact_add(e, (double)v[k + j]);
    }
}

/* Takes count copies of the value m << shift units (sign neg) out of the
 * sums: -count*x into S1 and -count*x*x into S2. m < 2^64, so
 * count*m < 2^128 (4 digits) and count*m*m < 2^192 (6 digits). */
static void remove_copies(ops_exact *e, uint64_t m, unsigned shift, int neg,
                          uint64_t count)
{
    u128 sum = (u128)m * count, sq = (u128)m * m;
    u128 sq_lo = (u128)(uint64_t)sq * count;
    u128 sq_hi = (u128)(uint64_t)(sq >> 64) * count + (sq_lo >> 64);
    uint64_t w1[2] = {(uint64_t)sum, (uint64_t)(sum >> 64)};
    uint64_t w2[3] = {(uint64_t)sq_lo, (uint64_t)sq_hi,
                      (uint64_t)(sq_hi >> 64)};
    uint32_t d[6];
    words_to_digits(w1, 2, d);
    add_shifted(e->s1, d, 4, shift, neg ? 0 : -1); /* -(count*x) */
    words_to_digits(w2, 3, d);
    add_shifted(e->s2, d, 6, 2 * shift, -1);
    settle_all(e);
}

/* The inverse of count adds of i, which add the double of i (i itself up
 * to 2^53, and an integer of at most 2^63 in size above), in the units of
 * integers. */
void ops_exact_remove_int(ops_exact *e, int64_t i, uint64_t count)
{
    double x = (double)i;
    remove_copies(e, (uint64_t)fabs(x) /* <= 2^63: exact */, INT_SHIFT, i < 0,
                  count);
}

/* x = m * 2^(field - 1075) is m << unit_shift(field) units of 2^-1074. */
void ops_exact_remove(ops_exact *e, double x, uint64_t count)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    unsigned field = (unsigned)(bits >> 52) & 0x7FF;
    uint64_t m = (bits & (((uint64_t)1 << 52) - 1)) | (uint64_t)(field != 0)
                                                          << 52;
    remove_copies(e, m, unit_shift(field), (int)(bits >> 63), count);
}

/* Adds from's slots and limbs into into's settled limbs: from's limbs are
 * each below 2^62 + 2^32 in size, its slots and integer sums add one piece
 * below 2^32 each. */
void ops_exact_merge(ops_exact *into, const ops_exact *from)
{
    settle_all(into);
    for (size_t i = 0; i < OPS_EXACT_S1_LIMBS; i++)
        into->s1[i] += from->s1[i];
    for (size_t i = 0; i < OPS_EXACT_S2_LIMBS; i++)
        into->s2[i] += from->s2[i];
    for (size_t i = 0; i < OPS_EXACT_SLOTS; i++) {
        const ops_exact_slot *slot = &from->slot[i];
        add_ints(into->s1, into->s2, &slot->m, unit_shift(slot->exponent));
    }
    add_ints(into->s1, into->s2, &from->ints, INT_SHIFT);
    settle_all(into);
}

/* ---- Unsigned big integers (little-endian 32-bit digits) ---- */

typedef struct {
    uint32_t d[BIG_DIGITS];
    size_t n; /* digits in use; d[n-1] != 0 unless n == 0 */
} big;

static void big_trim(big *a)
{
    while (a->n > 0 && a->d[a->n - 1] == 0)
        a->n--;
}

/* The magnitude of a settled signed sum, and its sign. The value is
 * sum(limb[i] * 2^(32 i)); the top limb is a signed int64, taken as two
 * digits of a two's complement number that is negated when negative. */
static int big_from_limbs(const int64_t *limb, size_t n, big *out)
{
    int64_t top = limb[n - 1];
    for (size_t i = 0; i + 1 < n; i++)
        out->d[i] = (uint32_t)limb[i];
    out->d[n - 1] = (uint32_t)(uint64_t)top;
    out->d[n] = (uint32_t)((uint64_t)top >> 32);
    out->n = n + 1;
    int negative = top < 0;
    if (negative) { /* -v = ~v + 1 */
        uint64_t carry = 1;
        for (size_t i = 0; i < out->n; i++) {
            uint64_t t = (uint64_t)(uint32_t)~out->d[i] + carry;
            out->d[i] = (uint32_t)t;
            carry = t >> 32;
        }
    }
    big_trim(out);
    return negative;
}

static void big_mul_u64(big *a, uint64_t m)
{
    uint64_t carry = 0; /* < 2^64: (2^32-1)(2^64-1) + carry < 2^96 */
    for (size_t i = 0; i < a->n; i++) {
        u128 t = (u128)a->d[i] * m + carry;
        a->d[i] = (uint32_t)t;
        carry = (uint64_t)(t >> 32);
    }
    a->d[a->n++] = (uint32_t)carry;
    a->d[a->n++] = (uint32_t)(carry >> 32);
    big_trim(a);
}

static void big_square(const big *a, big *out)
{
    memset(out->d, 0, sizeof out->d[0] * 2 * a->n);
    for (size_t i = 0; i < a->n; i++) {
        uint64_t carry = 0;
        for (size_t j = 0; j < a->n; j++) {
            uint64_t t = (uint64_t)a->d[i] * a->d[j] + out->d[i + j] + carry;
            out->d[i + j] = (uint32_t)t;
            carry = t >> 32;
        }
        out->d[i + a->n] = (uint32_t)carry;
    }
    out->n = 2 * a->n;
    big_trim(out);
}

static int big_less(const big *a, const big *b)
{
    if (a->n != b->n)
        return a->n < b->n;
    for (size_t i = a->n; i-- > 0;)
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i];
    return 0;
}

/* a -= b, for a >= b. */
static void big_sub(big *a, const big *b)
{
    int64_t borrow = 0;
    for (size_t i = 0; i < a->n; i++) {
        int64_t t = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
        borrow = t < 0;
        a->d[i] = (uint32_t)(t + (borrow << 32));
    }
    big_trim(a);
}

/* a *= 2^(32 * GUARD_DIGITS). */
static void big_add_guard(big *a)
{
    if (a->n == 0)
        return;
    memmove(a->d + GUARD_DIGITS, a->d, sizeof a->d[0] * a->n);
    memset(a->d, 0, sizeof a->d[0] * GUARD_DIGITS);
    a->n += GUARD_DIGITS;
}

/* a = floor(a / d), d > 0; returns the remainder. */
static uint64_t big_div_u64(big *a, uint64_t d)
{
    uint64_t rem = 0;
    for (size_t i = a->n; i-- > 0;) {
        if (d <= UINT32_MAX) { /* fast 64-bit division */
            uint64_t cur = rem << 32 | a->d[i];
            a->d[i] = (uint32_t)(cur / d);
            rem = cur % d;
        } else {
            u128 cur = (u128)rem << 32 | a->d[i];
            a->d[i] = (uint32_t)(cur / d); /* < 2^32 since rem < d */
            rem = (uint64_t)(cur % d);
        }
    }
    big_trim(a);
    return rem;
}

static size_t big_bit_length(const big *a)
{
    if (a->n == 0)
        return 0;
    return (a->n - 1) * DIGIT_BITS +
           (DIGIT_BITS - (size_t)__builtin_clz(a->d[a->n - 1]));
}

static unsigned big_bit(const big *a, size_t i)
{
    size_t digit = i / DIGIT_BITS;
    return digit < a->n ? (a->d[digit] >> (i % DIGIT_BITS)) & 1 : 0;
}

/* Nonzero when any bit below bit i is set. */
static int big_any_below(const big *a, size_t i)
{
    size_t digit = i / DIGIT_BITS;
    for (size_t k = 0; k < digit && k < a->n; k++)
        if (a->d[k])
            return 1;
    return digit < a->n && (a->d[digit] & ((1u << (i % DIGIT_BITS)) - 1));
}

/* Bits [lo, lo + count) as an integer, count <= 64. */
static uint64_t big_bits(const big *a, size_t lo, size_t count)
{
    uint64_t v = 0;
    for (size_t k = count; k-- > 0;)
        v = v << 1 | big_bit(a, lo + k);
    return v;
}

/* ---- Rounding to double ---- */

/* m * 2^e2 for m <= 2^53 and e2 >= -1074: exact, or +inf past DBL_MAX. */
static double make_double(uint64_t m, long e2)
{
    if (m == 0)
        return 0.0;
    if (m >> 53) { /* a rounding carry: m == 2^53 */
        m >>= 1;
        e2++;
    }
    while (m < (1ull << 52) && e2 > -1074) {
        m <<= 1;
        e2--;
    }
    if (m < (1ull << 52)) /* subnormal: e2 == -1074 */
        return (double)m * 0x1p-1074;
    long biased = e2 + 52 + 1023;
    if (biased >= 2047)
        return INFINITY;
    uint64_t bits = (uint64_t)biased << 52 | (m & ((1ull << 52) - 1));
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* (q + f) * 2^-scale rounded half to even, where f is a fraction in [0, 1)
 * that is non-zero exactly when inexact != 0. q must have at least 55 bits
 * (the guard digits see to that) unless it is 0. */
static double round_quotient(const big *q, int inexact, long scale)
{
    long length = (long)big_bit_length(q);
    if (length == 0)
        return 0.0;
    if (length - 1 - scale > 1023)
        return INFINITY;
    long lsb = length - 53; /* the last bit the double keeps */
    if (lsb < scale - 1074)
        lsb = scale - 1074; /* subnormal range: fewer bits */
    uint64_t m =
        lsb < length ? big_bits(q, (size_t)lsb, (size_t)(length - lsb)) : 0;
    unsigned half = big_bit(q, (size_t)(lsb - 1));
    int rest = inexact || big_any_below(q, (size_t)(lsb - 1));
    if (half && (rest || (m & 1)))
        m++;
    return make_double(m, lsb - scale);
}

/* ---- Results ---- */

/* A settled copy of e, every slot flushed (e itself is const). */
static void settled_copy(const ops_exact *e, ops_exact *copy)
{
    memcpy(copy, e, sizeof *copy);
    settle_all(copy);
}

double ops_exact_mean(const ops_exact *e, uint64_t n)
{
    if (n == 0)
        return NAN;
    ops_exact c;
    settled_copy(e, &c);
    big a;
    int negative = big_from_limbs(c.s1, OPS_EXACT_S1_LIMBS, &a);
    big_add_guard(&a);
    int inexact = big_div_u64(&a, n) != 0;
    double mean =
        round_quotient(&a, inexact, S1_UNIT_EXP + GUARD_DIGITS * DIGIT_BITS);
    return negative ? -mean : mean;
}

double ops_exact_var(const ops_exact *e, uint64_t n)
{
    if (n < 2)
        return NAN;
    ops_exact c;
    settled_copy(e, &c);
    big sum, sum_sq, num;
    big_from_limbs(c.s1, OPS_EXACT_S1_LIMBS, &sum);
    big_from_limbs(c.s2, OPS_EXACT_S2_LIMBS, &num); /* S2 >= 0 */
    big_mul_u64(&num, n);
    big_square(&sum, &sum_sq);
    if (big_less(&num, &sum_sq)) /* only if n is not the count of adds */
        return 0.0;
    big_sub(&num, &sum_sq); /* n*S2 - S1^2 = sum over pairs (xi-xj)^2 */
    big_add_guard(&num);
    int inexact = big_div_u64(&num, n) != 0;
    inexact |= big_div_u64(&num, n - 1) != 0;
    return round_quotient(&num, inexact,
                          S2_UNIT_EXP + GUARD_DIGITS * DIGIT_BITS);
}
