/*
 * ops_typed.c - columns that arrive as binary arrays, not as text.
 *
 * An array's type fixes the column's kind, so nothing is classified: each
 * call records its kind in the OPS_SAW_* bits (even for an empty array, so
 * the dtype is the array's own) and then copies the values straight into
 * the head block of the value store, a block at a time, in the rep the
 * column's bits call for. A missing value (valid[i] == 0, or NaN) is
 * skipped without a branch: every value is stored and the fill index only
 * moves past a kept one. The exact sums are taken a whole block at a time,
 * as ops_col_add does, so an array gives the same sums however it is cut
 * into calls.
 *
 * A column that already has text only counts rows: its numbers are dead,
 * and a text pass (which an array cannot give) is then needed.
 */
#include "ops.h"
#include "ops_hot.h"

#include <stdlib.h>
#include <string.h>

#define EXP_MASK  0x7ff0000000000000ull /* all ones: inf or NaN */
#define MANT_MASK 0x000fffffffffffffull
#define F32_CHUNK 256 /* floats widened per round, on the stack */

/* How the integers of an array go into the slots. */
typedef enum { AS_BITS, I64_AS_F64, U64_AS_F64 } int_mode;

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static unsigned is_valid(const uint8_t *valid, size_t i)
{
    return valid ? valid[i] != 0 : 1u;
}

/* Rows of one call that carry no number count as they do in ops_col_add.
 * Any kept value in a column makes its text table incomplete. */
static void count_rows(ops_col *c, uint64_t rows, uint64_t kept)
{
    c->n_rows += rows;
    c->n_na += rows - kept;
    if (kept)
        c->text_complete = 0;
}

/* Records the kind bits of a call; a column without text climbs to the
 * rep its bits call for. Returns nonzero when the column has text. */
static int record_kind(ops_col *c, unsigned bits)
{
    c->saw |= bits;
    if (c->saw & (OPS_SAW_TEXT | OPS_SAW_RAW))
        return 1;
    ops_col_set_rep(c, ops_col_rep_of_saw(c->saw));
    return 0;
}

/* The head block with room for a value, starting a new one (after the
 * full one is summed) when needed; NULL when out of memory. */
static ops_block *head_with_room(ops_col *c)
{
    ops_block *b = ops_vec_room(&c->vals);
    if (b)
        return b;
    ops_col_settle(c);
    b = malloc(sizeof *b);
    if (!b)
        return NULL;
    b->next = c->vals.head;
    b->n = 0;
    c->vals.head = b;
    c->summed = 0;
    return b;
}

/* ---- Doubles ------------------------------------------------------------ */

/* An inf or NaN bit pattern x of a value kept when keep: NaN is missing,
 * an infinity is kept and counted aside (the sums leave it out). */
static unsigned special_double(ops_col *c, uint64_t x, unsigned keep)
{
    if (x & MANT_MASK)
        return 0;
    if (keep) {
        if (x >> 63)
            c->n_neginf++;
        else
            c->n_posinf++;
    }
    return keep;
}

static unsigned keeps_double(ops_col *c, double x, const uint8_t *valid,
                             size_t i)
{
    uint64_t bits = bits_of(x);
    unsigned keep = is_valid(valid, i);
    return (bits & EXP_MASK) == EXP_MASK ? special_double(c, bits, keep) : keep;
}

/* Stores values of v[0..n) into b until it is full; returns how many of v
 * it went through. */
static size_t fill_f64(ops_col *c, ops_block *b, const double *v, size_t n,
                       const uint8_t *valid)
{
    uint32_t k = b->n, k0 = k;
    size_t i = 0;
    for (; i < n && k < OPS_VEC_BLOCK; i++) {
        b->slot[k] = bits_of(v[i]);
        k += keeps_double(c, v[i], valid, i);
    }
    b->n = k;
    c->vals.n += k - k0;
    count_rows(c, i, k - k0);
    return i;
}

/* The index of the first value of v[i..n) that is kept, counting the
 * missing ones before it; infinities are counted by fill_f64. */
static size_t skip_missing_f64(ops_col *c, const double *v, size_t i, size_t n,
                               const uint8_t *valid)
{
    size_t from = i;
    while (i < n && (!is_valid(valid, i) || v[i] != v[i]))
        i++;
    count_rows(c, i - from, 0);
    return i;
}

static int add_doubles(ops_col *c, const double *v, size_t n,
                       const uint8_t *valid)
{
    size_t i = 0;
    while (i < n) {
        if (!ops_vec_room(&c->vals)) {
            i = skip_missing_f64(c, v, i, n, valid);
            if (i == n)
                break;
        }
        ops_block *b = head_with_room(c);
        if (!b)
            return -1;
        i += fill_f64(c, b, v + i, n - i, valid ? valid + i : NULL);
    }
    return 0;
}

/* A column with text counts the kept values only. */
static void count_doubles(ops_col *c, const double *v, size_t n,
                          const uint8_t *valid)
{
    uint64_t kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += is_valid(valid, i) && v[i] == v[i];
    count_rows(c, n, kept);
}

static int add_f64_values(ops_col *c, const double *v, size_t n,
                          const uint8_t *valid)
{
    if (record_kind(c, OPS_SAW_FLOAT)) {
        count_doubles(c, v, n, valid);
        return 0;
    }
    return add_doubles(c, v, n, valid);
}

int ops_col_add_f64(ops_col *c, const double *v, size_t n, const uint8_t *valid,
                    uint64_t pos0)
{
    (void)pos0; /* positions only order text and bools */
    return add_f64_values(c, v, n, valid);
}

/* Widened exactly, a chunk at a time, then added as doubles. */
int ops_col_add_f32(ops_col *c, const float *v, size_t n, const uint8_t *valid,
                    uint64_t pos0)
{
    double wide[F32_CHUNK];
    (void)pos0;
    if (n == 0)
        return add_f64_values(c, NULL, 0, valid); /* records the kind */
    for (size_t i = 0; i < n; i += F32_CHUNK) {
        size_t m = n - i < F32_CHUNK ? n - i : F32_CHUNK;
        for (size_t j = 0; j < m; j++)
            wide[j] = v[i + j];
        int rc = add_f64_values(c, wide, m, valid ? valid + i : NULL);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- Integers ----------------------------------------------------------- */

static uint64_t int_slot(uint64_t raw, int_mode mode)
{
    if (mode == I64_AS_F64)
        return bits_of((double)(int64_t)raw);
    return mode == U64_AS_F64 ? bits_of((double)raw) : raw;
}

/* As fill_f64; inlined into each caller with its mode a constant. */
static inline size_t fill_ints(ops_col *c, ops_block *b, const uint64_t *v,
                               size_t n, const uint8_t *valid, int_mode mode)
{
    uint32_t k = b->n, k0 = k;
    size_t i = 0;
    for (; i < n && k < OPS_VEC_BLOCK; i++) {
        b->slot[k] = int_slot(v[i], mode);
        k += is_valid(valid, i);
    }
    b->n = k;
    c->vals.n += k - k0;
    count_rows(c, i, k - k0);
    return i;
}

static size_t skip_missing_int(ops_col *c, size_t i, size_t n,
                               const uint8_t *valid)
{
    size_t from = i;
    while (i < n && !is_valid(valid, i))
        i++;
    count_rows(c, i - from, 0);
    return i;
}

static size_t fill_mode(ops_col *c, ops_block *b, const uint64_t *v, size_t n,
                        const uint8_t *valid, int_mode mode)
{
    if (mode == AS_BITS)
        return fill_ints(c, b, v, n, valid, AS_BITS);
    if (mode == I64_AS_F64)
        return fill_ints(c, b, v, n, valid, I64_AS_F64);
    return fill_ints(c, b, v, n, valid, U64_AS_F64);
}

/* The integers v[0..n) (int64 or uint64 bits, as is_signed says) into a
 * column whose rep was already set for them. */
static int add_ints(ops_col *c, const uint64_t *v, size_t n,
                    const uint8_t *valid, int is_signed)
{
    int_mode mode = c->rep != OPS_REP_F64 ? AS_BITS
                    : is_signed           ? I64_AS_F64
                                          : U64_AS_F64;
    size_t i = 0;
    while (i < n) {
        if (!ops_vec_room(&c->vals)) {
            i = skip_missing_int(c, i, n, valid);
            if (i == n)
                break;
        }
        ops_block *b = head_with_room(c);
        if (!b)
            return -1;
        i += fill_mode(c, b, v + i, n - i, valid ? valid + i : NULL, mode);
    }
    return 0;
}

static uint64_t count_valid(const uint8_t *valid, size_t n)
{
    uint64_t kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += is_valid(valid, i);
    return kept;
}

/* Nonzero when a kept value of v[0..n) is negative. */
static int any_negative(const int64_t *v, size_t n, const uint8_t *valid)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= is_valid(valid, i) ? (uint64_t)v[i] : 0;
    return (int)(acc >> 63);
}

int ops_col_add_i64(ops_col *c, const int64_t *v, size_t n,
                    const uint8_t *valid, uint64_t pos0)
{
    (void)pos0;
    unsigned bits = OPS_SAW_INT;
    if (any_negative(v, n, valid))
        bits |= OPS_SAW_NEG;
    if (record_kind(c, bits)) {
        count_rows(c, n, count_valid(valid, n));
        return 0;
    }
    /* int64_t read through uint64_t: the same object, the same bits */
    return add_ints(c, (const uint64_t *)v, n, valid, 1);
}

int ops_col_add_u64(ops_col *c, const uint64_t *v, size_t n,
                    const uint8_t *valid, uint64_t pos0)
{
    (void)pos0;
    if (record_kind(c, OPS_SAW_U64ARR)) {
        count_rows(c, n, count_valid(valid, n));
        return 0;
    }
    return add_ints(c, v, n, valid, 0);
}

/* ---- Bools and text ----------------------------------------------------- */

static void count_bool(uint64_t *count, uint64_t *first, uint64_t pos)
{
    (*count)++;
    if (pos < *first)
        *first = pos;
}

int ops_col_add_bool(ops_col *c, const uint8_t *v, size_t n,
                     const uint8_t *valid, uint64_t pos0)
{
    int has_text = record_kind(c, OPS_SAW_BOOL);
    uint64_t kept = 0;
    ops_bools *b = &c->bools;
    for (size_t i = 0; i < n; i++) {
        if (!is_valid(valid, i))
            continue;
        kept++;
        if (has_text)
            continue;
        if (v[i])
            count_bool(&b->n_true, &b->first_true, pos0 + i);
        else
            count_bool(&b->n_false, &b->first_false, pos0 + i);
    }
    count_rows(c, n, kept);
    return 0;
}

/* The first text value of a column: its numbers are dead from now on. */
static void begin_text(ops_col *c)
{
    if (!(c->saw & OPS_SAW_TEXT))
        ops_col_drop_numbers(c);
    c->saw |= OPS_SAW_TEXT;
}

/* Raw bytes, never classified: "1.5" and "NA" are text here, '' too. */
int ops_col_add_str(ops_col *c, const char *s, size_t n, uint64_t pos)
{
    if (!s) {
        begin_text(c);
        c->n_rows++;
        c->n_na++;
        return 0;
    }
    if (!ops_utf8_valid(s, n))
        return OPS_EUTF8;
    if (!c->text && !(c->text = ops_distinct_new()))
        return -1;
    if (ops_distinct_add(c->text, s, n, pos))
        return -1;
    begin_text(c);
    c->n_rows++;
    return 0;
}
