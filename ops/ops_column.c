/*
 * ops_column.c - the summary of one column over some rows, and its merge.
 *
 * Each field is classified once with read_csv's rules. Numbers are kept
 * (8 bytes each) for exact quantiles and summed exactly; True/False are
 * counted; from the first text value on, every value is counted by its raw
 * bytes and the numeric state is dropped, since the column can only be
 * object. The dtype is decided over the merged whole from the OPS_SAW_* bits,
 * which are an OR over all values, so no partition can change it.
 *
 * The hot path (ops_col_add_fields, and ops_col_add for one field): a
 * missing field, or a plain number going to a column whose rep holds it as
 * it is, with room in the head block, is read and stored inline
 * (ops_hot.h) with the column's state in registers, a few stores and no
 * call. The exact sums are not touched
 * there: a full block of values is summed in one loop (ops_exact_add_values)
 * before the next block starts, and the head block's rest before a merge
 * or a result, so the sums always come out of the same values. Summed
 * values are then turned into their order-preserving keys (ops.h) while
 * the block is still in cache, so the selection of the quantiles finds
 * keys and needs no pass of its own to make them: every slot but the
 * head block's unsummed tail holds a key of the column's rep.
 *
 * Representation of the kept values (rep): int64 at first; a uint64 above
 * INT64_MAX with no negative integer seen switches to uint64 (same bits);
 * anything else that does not fit turns every kept value into the double of
 * its original number. A double is always made from the original integer,
 * never from another double, so the values do not depend on when a switch
 * happened, and the final rep is a function of the SAW bits alone:
 *   F64 if a float or a big integer was seen, or a uint64 and a negative;
 *   else U64 if a uint64 was seen; else I64.
 */
#include "ops.h"
#include "ops_hot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SAW_NUMBER                                                             \
    (OPS_SAW_INT | OPS_SAW_NEG | OPS_SAW_UINT | OPS_SAW_BIGINT |               \
     OPS_SAW_FLOAT | OPS_SAW_U64ARR)

static void bools_init(ops_bools *b)
{
    b->n_true = b->n_false = 0;
    b->first_true = b->first_false = UINT64_MAX;
}

void ops_col_init(ops_col *c)
{
    c->n_rows = c->n_na = 0;
    c->saw = 0;
    c->text_complete = 1; /* nothing seen: the (empty) text holds it all */
    c->rep = OPS_REP_I64;
    ops_vec_init(&c->vals);
    c->n_posinf = c->n_neginf = c->n_negzero = c->n_na_marker = 0;
    ops_exact_init(&c->sums);
    c->summed = 0;
    bools_init(&c->bools);
    c->text = NULL;
    c->na_text = NULL;
    c->na_floats = NULL;
    c->n_na_floats = 0;
}

void ops_col_set_na_floats(ops_col *c, const double *v, size_t n)
{
    c->na_floats = v;
    c->n_na_floats = n;
}

void ops_col_free(ops_col *c)
{
    ops_vec_free(&c->vals);
    ops_distinct_free(c->text);
    ops_distinct_free(c->na_text);
    c->text = c->na_text = NULL;
}

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline __attribute__((always_inline)) uint64_t key_of(ops_rep rep,
                                                             uint64_t slot)
{
    if (rep == OPS_REP_F64)
        return ops_key_from_f64_bits(slot);
    return rep == OPS_REP_I64 ? slot ^ (uint64_t)1 << 63 : slot;
}

static uint64_t slot_of_key(ops_rep rep, uint64_t key)
{
    if (rep == OPS_REP_F64)
        return bits_of(ops_f64_from_key(key));
    return rep == OPS_REP_I64 ? key ^ (uint64_t)1 << 63 : key;
}

/* Slots of b that hold keys: all but the head block's unsummed tail. */
static uint32_t keyed_slots(const ops_col *c, const ops_block *b)
{
    return b == c->vals.head ? (uint32_t)c->summed : b->n;
}

/* The number a slot of rep holds, as a double. */
static double number_of_slot(ops_rep rep, uint64_t slot)
{
    if (rep == OPS_REP_F64) {
        double x;
        memcpy(&x, &slot, sizeof x);
        return x;
    }
    return rep == OPS_REP_I64 ? (double)(int64_t)slot : (double)slot;
}

static double number_of_key(ops_rep rep, uint64_t key)
{
    return number_of_slot(rep, slot_of_key(rep, key));
}

/* A key of rep `from` as a key of the wider rep `to`: the same number, as
 * a double for F64; an int64 known to be >= 0 is its own uint64 key.
 * Widening is monotone, so keys keep their order. */
static uint64_t rekey(ops_rep from, ops_rep to, uint64_t key)
{
    if (from == to)
        return key;
    if (to == OPS_REP_F64)
        return ops_key_from_f64(number_of_key(from, key));
    return slot_of_key(from, key);
}

/* n_negzero of the zeros just turned into 0.0 become -0.0: which ones
 * does not matter, every statistic reads the values as a multiset. */
static void sign_zeros(ops_col *c)
{
    const uint64_t zero_key = ops_key_from_f64(0.0), zero = bits_of(0.0);
    const uint64_t neg_key = ops_key_from_f64(-0.0), neg = bits_of(-0.0);
    for (ops_block *b = c->vals.head; b && c->n_negzero; b = b->next) {
        uint32_t keyed = keyed_slots(c, b);
        for (uint32_t i = 0; i < b->n && c->n_negzero; i++) {
            uint64_t *slot = &b->slot[i];
            if (*slot == (i < keyed ? zero_key : zero)) {
                *slot = i < keyed ? neg_key : neg;
                c->n_negzero--;
            }
        }
    }
}

/* Turns every kept value into the double of its number, in place, keys
 * staying keys. */
static void convert_to_f64(ops_col *c)
{
    if (c->rep == OPS_REP_F64)
        return;
    for (ops_block *b = c->vals.head; b; b = b->next) {
        uint32_t keyed = keyed_slots(c, b);
        for (uint32_t i = 0; i < b->n; i++)
            b->slot[i] = i < keyed
                             ? rekey(c->rep, OPS_REP_F64, b->slot[i])
                             : bits_of(number_of_slot(c->rep, b->slot[i]));
    }
    c->rep = OPS_REP_F64;
    if (c->n_negzero)
        sign_zeros(c);
}

/* int64 values known to be >= 0 become uint64 ones: the same bits, but
 * not the same keys. */
static void int_to_uint(ops_col *c)
{
    for (ops_block *b = c->vals.head; b; b = b->next) {
        uint32_t keyed = keyed_slots(c, b);
        for (uint32_t i = 0; i < keyed; i++)
            b->slot[i] = rekey(OPS_REP_I64, OPS_REP_U64, b->slot[i]);
    }
    c->rep = OPS_REP_U64;
}

/* Once a column has text it can only be object: its numbers are dead. */
static void drop_numbers(ops_col *c)
{
    ops_vec_free(&c->vals);
    ops_vec_init(&c->vals);
    c->rep = OPS_REP_I64;
    c->n_posinf = c->n_neginf = c->n_negzero = c->n_na_marker = 0;
    ops_exact_init(&c->sums);
    c->summed = 0;
    bools_init(&c->bools);
}

void ops_col_drop_numbers(ops_col *c)
{
    drop_numbers(c);
}

/* Slots into keys, in place. rep is a constant in each call below, so
 * each loop is branch-free and vectorizes. */
static inline __attribute__((always_inline)) void
keys_of_block(ops_rep rep, uint64_t *slot, size_t n)
{
    for (size_t i = 0; i < n; i++)
        slot[i] = key_of(rep, slot[i]);
}

static void block_to_keys(ops_rep rep, uint64_t *slot, size_t n)
{
    if (rep == OPS_REP_F64)
        keys_of_block(OPS_REP_F64, slot, n);
    else if (rep == OPS_REP_I64)
        keys_of_block(OPS_REP_I64, slot, n);
}

/* Adds the values of the head block not summed yet to the exact sums,
 * and turns them into keys. A rep change converts summed and unsummed
 * values alike to the double the sums take of them, so this may come at
 * any time. */
static void catch_up(ops_col *c)
{
    ops_block *b = c->vals.head;
    if (b == NULL || c->summed == b->n)
        return;
    ops_exact_add_values(&c->sums, b->slot + c->summed, b->n - c->summed,
                         c->rep);
    block_to_keys(c->rep, b->slot + c->summed, b->n - c->summed);
    c->summed = b->n;
}

void ops_col_settle(ops_col *c)
{
    catch_up(c);
}

/* Every push but the hot path's: the head block is summed before a new
 * one starts. */
static int push_value(ops_col *c, uint64_t slot)
{
    ops_block *b = ops_vec_room(&c->vals);
    if (b != NULL) {
        ops_vec_put(&c->vals, b, slot);
        return 0;
    }
    catch_up(c);
    if (ops_vec_push(&c->vals, slot))
        return -1;
    c->summed = 0;
    return 0;
}

/* "-0" is an int64 zero, yet read_csv's uint64 pass sees its sign. */
static int has_minus(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    return i < n && s[i] == '-';
}

static unsigned kind_bits(ops_kind k, ops_value v, const char *s, size_t n)
{
    switch (k) {
    case OPS_TRUE:
    case OPS_FALSE:
        return OPS_SAW_BOOL;
    case OPS_INT:
        if (v.i < 0 || (v.i == 0 && has_minus(s, n)))
            return OPS_SAW_INT | OPS_SAW_NEG;
        return OPS_SAW_INT;
    case OPS_UINT:
        return OPS_SAW_UINT;
    case OPS_BIGINT:
        return OPS_SAW_BIGINT | (v.f < 0 ? OPS_SAW_NEG : 0u);
    case OPS_FLOAT:
        return OPS_SAW_FLOAT;
    case OPS_TEXT:
        return OPS_SAW_TEXT;
    default:
        return 0;
    }
}

static void count_bool(uint64_t *count, uint64_t *first, uint64_t pos)
{
    (*count)++;
    if (pos < *first)
        *first = pos;
}

/* Keeps a double (from a float, a big integer or a converted integer);
 * infinities are counted aside, and left out of the sums. */
static int keep_double(ops_col *c, double x)
{
    convert_to_f64(c);
    if (push_value(c, bits_of(x)))
        return -1;
    if (isinf(x)) {
        if (x > 0)
            c->n_posinf++;
        else
            c->n_neginf++;
    }
    return 0;
}

static int keep_int(ops_col *c, int64_t i, int negative)
{
    int negzero = i == 0 && negative; /* "-0" */
    c->n_na_marker += (uint64_t)(i == INT64_MIN);
    if (c->rep == OPS_REP_F64 || (c->rep == OPS_REP_U64 && negative))
        return keep_double(c, negzero ? -0.0 : (double)i);
    if (push_value(c, (uint64_t)i))
        return -1;
    c->n_negzero += (uint64_t)negzero;
    return 0;
}

static int keep_uint(ops_col *c, uint64_t u)
{
    if (c->rep == OPS_REP_I64 && !(c->saw & OPS_SAW_NEG))
        int_to_uint(c); /* the int64 kept so far are >= 0 */
    if (c->rep != OPS_REP_U64)
        return keep_double(c, (double)u);
    return push_value(c, u);
}

static int keep_value(ops_col *c, ops_kind k, ops_value v, unsigned bits,
                      uint64_t pos)
{
    switch (k) {
    case OPS_TRUE:
        count_bool(&c->bools.n_true, &c->bools.first_true, pos);
        return 0;
    case OPS_FALSE:
        count_bool(&c->bools.n_false, &c->bools.first_false, pos);
        return 0;
    case OPS_INT:
        return keep_int(c, v.i, (bits & OPS_SAW_NEG) != 0);
    case OPS_UINT:
        return keep_uint(c, v.u);
    default: /* BIGINT, FLOAT */
        return keep_double(c, v.f);
    }
}

/* Counts raw bytes in *table (created on demand); checked: s is known to
 * be valid UTF-8 (or of a single-byte encoding). */
static int count_raw(ops_distinct **table, const char *s, size_t n,
                     uint64_t pos, int checked)
{
    if (!checked && !ops_utf8_valid(s, n))
        return OPS_EUTF8;
    if (!*table && !(*table = ops_distinct_new()))
        return -1;
    return ops_distinct_add(*table, s, n, pos);
}

/* A classified non-text value into a column without text: keep it, then
 * count the row. */
static int add_kept(ops_col *c, ops_kind k, ops_value v, unsigned bits,
                    uint64_t pos)
{
    int rc = keep_value(c, k, v, bits, pos);
    c->text_complete = 0;
    if (rc)
        return rc;
    c->saw |= bits;
    c->n_rows++;
    return 0;
}

/* Any field, after the hot path declined it (a rep change, a new block,
 * any field but the common ones). */
static __attribute__((noinline)) int
add_field(ops_col *c, const char *s, size_t n, uint64_t pos, int checked)
{
    ops_value v;
    ops_kind k = ops_classify(s, n, &v);
    if (k == OPS_NA) {
        c->n_rows++;
        c->n_na++;
        return 0;
    }
    unsigned bits = kind_bits(k, v, s, n);
    if (k != OPS_TEXT && !(c->saw & OPS_SAW_TEXT))
        return add_kept(c, k, v, bits, pos);
    int rc = count_raw(&c->text, s, n, pos, checked);
    if (rc)
        return rc;
    if (!(c->saw & OPS_SAW_TEXT))
        drop_numbers(c);
    c->saw |= bits;
    c->n_rows++;
    return 0;
}

/* ---- The hot path ------------------------------------------------------
 *
 * A run of fields is fed with the column's hot state in locals (the head
 * block, its fill, the SAW bits, the row counts), written back only when
 * a field needs the general path, or at the end. The common fields (a
 * missing one, a plain number or a short exponent form whose value the
 * rep holds as it is, with room in the head block) are a few stores. */

typedef struct {
    ops_block *b;   /* the head block */
    uint32_t k, k0; /* its fill now, and when loaded */
    uint32_t room;  /* k may grow up to here: 0 in a text column */
    ops_rep rep;
    unsigned saw;
    uint64_t na; /* missing fields taken since the load (the values taken
                    are k - k0) */
} hot_state;

static inline __attribute__((always_inline)) void hot_load(const ops_col *c,
                                                           hot_state *h)
{
    h->b = c->vals.head;
    h->k = h->k0 = h->b ? h->b->n : 0;
    h->room = h->b && !(c->saw & OPS_SAW_TEXT) ? OPS_VEC_BLOCK : 0;
    h->rep = c->rep;
    h->saw = c->saw;
    h->na = 0;
}

static inline __attribute__((always_inline)) void hot_flush(ops_col *c,
                                                            hot_state *h)
{
    if (h->k != h->k0) {
        h->b->n = h->k;
        c->vals.n += h->k - h->k0;
        c->text_complete = 0;
    }
    c->saw = h->saw;
    c->n_rows += h->k - h->k0 + h->na;
    c->n_na += h->na;
}

/* The slot of a plain number for the rep, or 0 when the rep does not hold
 * it as it is (a float into an integer rep, an int64 into uint64), or for
 * "-0", which keep_int counts. An INT is negative for OPS_SAW_NEG also as
 * "-0" (it had a '-'). */
static inline __attribute__((always_inline)) int
hot_slot(ops_rep rep, int kind, ops_value v, int minus, uint64_t *slot,
         unsigned *bits)
{
    if (kind == OPS_INT) {
        unsigned negzero = (v.i == 0) & minus; /* "-0": the slow path's */
        unsigned neg = (unsigned)(v.u >> 63) | negzero;
        *bits = OPS_SAW_INT | neg * OPS_SAW_NEG;
        *slot = rep == OPS_REP_I64 ? v.u : bits_of((double)v.i);
        return (rep != OPS_REP_U64) & !negzero;
    }
    *bits = OPS_SAW_FLOAT;
    *slot = v.u;
    return rep == OPS_REP_F64;
}

/* The slot and SAW bits of a common non-empty field s[0..n) (the fast
 * cases of ops_classify) for the rep; 0 for any other field. */
static inline __attribute__((always_inline)) int
hot_value(ops_rep rep, const char *s, size_t n, uint64_t *slot, unsigned *bits)
{
    ops_value v;
    int kind = ops_plain_number(s, n, &v);
    if (kind == OPS_PLAIN_NONE) {
        if (!ops_exponent_number(s, n, &v.f))
            return 0;
        kind = OPS_FLOAT;
    }
    return hot_slot(rep, kind, v, s[0] == '-', slot, bits);
}

#ifdef OPS_HAVE_SSE41
/* hot_value with the 16-byte reader; 17 bytes from s may be read. */
OPS_HOT_SSE41 int hot_value_sse41(ops_rep rep, const char *s, size_t n,
                                  uint64_t *slot, unsigned *bits)
{
    ops_value v;
    int kind = ops_plain_number_sse41(s, n, &v);
    if (kind == OPS_PLAIN_NONE) {
        if (!ops_exponent_number(s, n, &v.f))
            return 0;
        kind = OPS_FLOAT;
    }
    return hot_slot(rep, kind, v, s[0] == '-', slot, bits);
}
#endif

/* The values the head block can still take. */
static inline __attribute__((always_inline)) size_t hot_room(const hot_state *h)
{
    return h->k < h->room ? h->room - h->k : 0;
}

int ops_col_add(ops_col *c, const char *s, size_t n, uint64_t pos)
{
    hot_state h;
    hot_load(c, &h);
    uint64_t slot;
    unsigned bits;
    if (n == 0) {
        h.na++;
    } else if (hot_room(&h) > 0 && hot_value(h.rep, s, n, &slot, &bits)) {
        h.b->slot[h.k++] = slot;
        h.saw |= bits;
    } else {
        return add_field(c, s, n, pos, 0); /* h changed nothing */
    }
    hot_flush(c, &h);
    return 0;
}

/* The field of span sp: in the chunk, or in the tokenizer's own bytes. */
static inline const char *span_field(const char *chunk, const char *own,
                                     const ops_span *sp, size_t *len)
{
    *len = sp->len & ~OPS_SPAN_OWN;
    return (sp->len & OPS_SPAN_OWN ? own : chunk) + sp->off;
}

static inline const char *field_at(const ops_fields *f, size_t i, size_t *len)
{
    return span_field(f->base[0], f->base[1], f->spans + i * f->stride, len);
}

/* The common fields of spans [sp, stop) (every stride-th), for room in the
 * head block: stops at the first other field and returns its span, or
 * stop. The rep is a constant in each copy the caller makes, and the
 * state lives in locals: the loop keeps them all in registers. */
static inline __attribute__((always_inline)) const ops_span *
hot_run(hot_state *h, ops_rep rep, const char *chunk, const char *own,
        const ops_span *sp, const ops_span *stop, size_t stride)
{
    if (sp == stop)
        return sp;
    uint64_t *out = h->b->slot + h->k;
    unsigned saw = h->saw;
    uint64_t na = h->na;
    for (; sp != stop; sp += stride) {
        size_t len;
        const char *s = span_field(chunk, own, sp, &len);
        uint64_t slot;
        unsigned bits;
        if (len == 0) {
            na++;
            continue;
        }
        if (!hot_value(rep, s, len, &slot, &bits))
            break;
        *out++ = slot;
        saw |= bits;
    }
    h->k = (uint32_t)(out - h->b->slot);
    h->saw = saw;
    h->na = na;
    return sp;
}

#ifdef OPS_HAVE_SSE41
/* The 16-byte reader reads 17 bytes from a field's start (a sign, then
 * 16); a field too near the end of its bytes is read from a copy. */
#define SSE41_READ 17

/* hot_run for a column of doubles (rep F64) with the 16-byte reader;
 * size: the bytes that may be read from chunk and own. The loop is
 * hot_run's, written again: GCC will not inline an SSE4.1 function into
 * hot_run's default-target copies, not even into a branch they never
 * take. */
static OPS_SSE41 const ops_span *
hot_run_f64_sse41(hot_state *h, const char *chunk, const char *own,
                  const size_t size[2], const ops_span *sp,
                  const ops_span *stop, size_t stride)
{
    uint64_t *out = h->b->slot + h->k;
    unsigned saw = h->saw;
    uint64_t na = h->na;
    char copy[SSE41_READ] = {0}; /* lanes past a field's end are masked */
    for (; sp != stop; sp += stride) {
        size_t len;
        const char *s = span_field(chunk, own, sp, &len);
        uint64_t slot;
        unsigned bits;
        if (len == 0) {
            na++;
            continue;
        }
        if (len < SSE41_READ &&
            sp->off + SSE41_READ > size[(sp->len & OPS_SPAN_OWN) != 0]) {
            memcpy(copy, s, len);
            s = copy;
        }
        if (!hot_value_sse41(OPS_REP_F64, s, len, &slot, &bits))
            break;
        *out++ = slot;
        saw |= bits;
    }
    h->k = (uint32_t)(out - h->b->slot);
    h->saw = saw;
    h->na = na;
    return sp;
}
#endif

/* Whether the fields of f may go through the 16-byte reader. */
static int use_sse41(const ops_fields *f)
{
#ifdef OPS_HAVE_SSE41
    return f->simd && __builtin_cpu_supports("sse4.1");
#else
    (void)f;
    return 0;
#endif
}

/* Fields [i, n) of a column without text, until one fails or text comes.
 * Returns the index reached, *rc set. The inner loop stops where the head
 * block fills (a missing field takes no room, so it may stop early), so
 * that it need not check for room field by field; the general path then
 * takes the field it stopped at. */
static size_t add_number_fields(ops_col *c, const ops_fields *f, size_t i,
                                size_t n, uint64_t pos0, int *rc)
{
    const char *const own = f->base[1], *const chunk = f->base[0];
    const size_t stride = f->stride;
    const ops_span *sp = f->spans + i * stride;
    const int sse41 = use_sse41(f);
    hot_state h;
    hot_load(c, &h);
    *rc = 0;
    for (;;) {
        size_t room = hot_room(&h), run = n - i < room ? n - i : room;
        const ops_span *stop = sp + run * stride, *from = sp;
#ifdef OPS_HAVE_SSE41
        if (h.rep == OPS_REP_F64 && sse41)
            sp = hot_run_f64_sse41(&h, chunk, own, f->size, sp, stop, stride);
        else
#endif
            if (h.rep == OPS_REP_F64)
            sp = hot_run(&h, OPS_REP_F64, chunk, own, sp, stop, stride);
        else if (h.rep == OPS_REP_I64)
            sp = hot_run(&h, OPS_REP_I64, chunk, own, sp, stop, stride);
        else
            sp = hot_run(&h, OPS_REP_U64, chunk, own, sp, stop, stride);
        i += (size_t)(sp - from) / stride;
        if (i == n)
            break;
        hot_flush(c, &h);
        size_t len;
        const char *s = span_field(chunk, own, sp, &len);
        if ((*rc = add_field(c, s, len, pos0 + i, f->utf8_valid)) != 0)
            return i;
        if (c->saw & OPS_SAW_TEXT)
            return i + 1;
        i++;
        sp += stride;
        hot_load(c, &h);
    }
    hot_flush(c, &h);
    return n;
}

/* Text values gathered for one ops_distinct_add_run. */
#define TEXT_GROUP 64

static int count_text_group(ops_col *c, const ops_text *v, size_t n,
                            unsigned bits)
{
    if (n == 0)
        return 0;
    if (!c->text && !(c->text = ops_distinct_new()))
        return -1;
    if (ops_distinct_add_run(c->text, v, n))
        return -1;
    c->saw |= bits;
    c->n_rows += n;
    return 0;
}

/* The text values of a group, counted with their SAW bits; in pass 2
 * (raw) as raw text. */
static int count_group(ops_col *c, const ops_text *v, size_t n, unsigned bits,
                       int raw)
{
    if (!raw)
        return count_text_group(c, v, n, bits);
    if (n == 0)
        return 0;
    int rc = count_text_group(c, v, n, bits | OPS_SAW_RAW);
    c->text_complete = 1;
    return rc;
}

/* Fields [i, n) as text, classified one by one as add_field does, the
 * values counted a group at a time. A missing field is only counted in
 * pass 1; in pass 2 (raw) it goes to the table of missing values, as
 * ops_col_add_text puts it (rare, so one at a time; the tables are apart,
 * so the group need not be counted first). */
static size_t add_text_fields(ops_col *c, const ops_fields *f, size_t i,
                              size_t n, uint64_t pos0, int raw, int *rc)
{
    ops_text group[TEXT_GROUP];
    size_t g = 0;
    unsigned bits = 0;
    for (*rc = 0; i < n && *rc == 0; i++) {
        size_t len;
        const char *s = field_at(f, i, &len);
        ops_value v;
        ops_kind k = ops_classify(s, len, &v);
        if (k == OPS_NA) {
            if (raw && (*rc = ops_col_add_text(c, s, len, pos0 + i)) != 0)
                break;
            c->n_rows += !raw;
            c->n_na += !raw;
            continue;
        }
        if (!f->utf8_valid && !ops_utf8_valid(s, len)) {
            *rc = OPS_EUTF8;
            break;
        }
        bits |= kind_bits(k, v, s, len);
        group[g++] = (ops_text){s, len, pos0 + i};
        if (g == TEXT_GROUP) {
            *rc = count_group(c, group, g, bits, raw);
            g = 0;
        }
    }
    if (count_group(c, group, g, bits, raw) && *rc == 0)
        *rc = -1;
    return *rc ? i : n;
}

size_t ops_col_add_fields(ops_col *c, const ops_fields *f, size_t n,
                          uint64_t pos0, int *rc)
{
    size_t i = 0;
    *rc = 0;
    while (i < n && *rc == 0)
        i = c->saw & OPS_SAW_TEXT ? add_text_fields(c, f, i, n, pos0, 0, rc)
                                  : add_number_fields(c, f, i, n, pos0, rc);
    return i;
}

int ops_col_add_text(ops_col *c, const char *s, size_t n, uint64_t pos)
{
    ops_value v;
    ops_kind k = ops_classify(s, n, &v);
    int rc = count_raw(k == OPS_NA ? &c->na_text : &c->text, s, n, pos, 0);
    if (rc)
        return rc;
    c->saw |= kind_bits(k, v, s, n) | OPS_SAW_RAW;
    c->n_rows++;
    c->n_na += k == OPS_NA;
    c->text_complete = 1;
    return 0;
}

size_t ops_col_add_texts(ops_col *c, const ops_fields *f, size_t n,
                         uint64_t pos0, int *rc)
{
    return add_text_fields(c, f, 0, n, pos0, 1, rc);
}

/* *into += *from; the larger table absorbs the smaller one. */
static int merge_tables(ops_distinct **into, ops_distinct **from)
{
    if (!*from)
        return 0;
    if (*into && ops_distinct_unique(*into) < ops_distinct_unique(*from)) {
        ops_distinct *t = *into;
        *into = *from;
        *from = t;
    }
    if (!*into) {
        *into = *from;
        *from = NULL;
        return 0;
    }
    return ops_distinct_absorb(*into, *from);
}

static ops_rep common_rep(ops_rep a, ops_rep b, unsigned saw)
{
    if (a == b)
        return a;
    if (a == OPS_REP_F64 || b == OPS_REP_F64 || (saw & OPS_SAW_NEG))
        return OPS_REP_F64;
    return OPS_REP_U64; /* I64 without negatives + U64: same bits */
}

/* Reps only widen: I64 to U64 (no negative seen) or F64, U64 to F64. */
static void set_rep(ops_col *c, ops_rep rep)
{
    if (rep == c->rep)
        return;
    if (rep == OPS_REP_F64)
        convert_to_f64(c);
    else
        int_to_uint(c);
}

void ops_col_set_rep(ops_col *c, ops_rep rep)
{
    set_rep(c, rep);
}

/* The rule of the file header, with a uint64 array counted as a uint64. */
ops_rep ops_col_rep_of_saw(unsigned saw)
{
    unsigned uint = OPS_SAW_UINT | OPS_SAW_U64ARR;
    if ((saw & (OPS_SAW_FLOAT | OPS_SAW_BIGINT)) ||
        ((saw & uint) && (saw & OPS_SAW_NEG)))
        return OPS_REP_F64;
    return (saw & uint) ? OPS_REP_U64 : OPS_REP_I64;
}

static void merge_bools(ops_bools *into, const ops_bools *from)
{
    into->n_true += from->n_true;
    into->n_false += from->n_false;
    if (from->first_true < into->first_true)
        into->first_true = from->first_true;
    if (from->first_false < into->first_false)
        into->first_false = from->first_false;
}

/* Both sums are made whole first; after the splice every value is in. */
static void merge_numbers(ops_col *into, ops_col *from, unsigned saw)
{
    ops_rep rep = common_rep(into->rep, from->rep, saw);
    catch_up(into);
    catch_up(from);
    set_rep(into, rep);
    set_rep(from, rep);
    into->n_negzero += from->n_negzero; /* 0 when the rep is F64 */
    into->n_na_marker += from->n_na_marker;
    ops_vec_splice(&into->vals, &from->vals);
    into->summed = into->vals.head ? into->vals.head->n : 0;
    ops_exact_merge(&into->sums, &from->sums);
    into->n_posinf += from->n_posinf;
    into->n_neginf += from->n_neginf;
    merge_bools(&into->bools, &from->bools);
}

/* On failure into is valid but holds only part of from's text. */
int ops_col_merge(ops_col *into, ops_col *from)
{
    if (into == from)
        return 0;
    if (merge_tables(&into->text, &from->text) ||
        merge_tables(&into->na_text, &from->na_text))
        return -1;
    unsigned saw = into->saw | from->saw;
    if (saw & (OPS_SAW_TEXT | OPS_SAW_RAW))
        drop_numbers(into);
    else
        merge_numbers(into, from, saw);
    into->n_rows += from->n_rows;
    into->n_na += from->n_na;
    into->saw = saw;
    into->text_complete = into->text_complete && from->text_complete;
    ops_col_free(from);
    ops_col_init(from);
    return 0;
}

/*
 * The dtype read_csv gives the whole column. pandas 1.5.3 answers, checked
 * with pd.read_csv(io.StringIO("a\n" + rows)) (see test_ops_column.c):
 *   1,2 -> int64          1,NA -> float64        1.5,2 -> float64
 *   18446744073709551615,1 -> uint64
 *   18446744073709551615 with -1, -0 or NA -> object
 *   99999999999999999999 (alone, with ints or NA) -> object
 *   True,false -> bool    True,NA -> object      True,1 -> object
 *   NA,NA -> float64      header only -> object  1,x -> object
 * read_csv tries int64, then uint64, then float64 on the values in file
 * order and stops at the first failure, so a few mixes depend on the order:
 * a big integer or a uint64 together with a float is float64 when a float
 * comes first and object otherwise. Here such a mix is always float64.
 *
 * Typed arrays (ops_typed.c) record their kind even without rows, so only
 * a column that saw nothing at all is read_csv's header-only object. A
 * uint64 array meeting a missing or negative value is float64, as pandas
 * converts such data (numpy's int64 + uint64 is float64 too).
 */
static ops_dtype uint_dtype(unsigned saw, uint64_t n_na)
{
    if (!(saw & OPS_SAW_NEG) && n_na == 0)
        return OPS_DT_UINT64;
    return (saw & OPS_SAW_U64ARR) ? OPS_DT_FLOAT64 : OPS_DT_OBJECT;
}

void ops_col_saw_grouped_int(ops_col *c)
{
    c->saw |= OPS_SAW_GROUPED_INT;
}

ops_dtype ops_col_dtype(const ops_col *c)
{
    unsigned saw = c->saw;
    if ((c->n_rows == 0 && saw == 0) || (saw & (OPS_SAW_TEXT | OPS_SAW_RAW)))
        return OPS_DT_OBJECT;
    if ((saw & OPS_SAW_GROUPED_INT) && (saw & (OPS_SAW_FLOAT | OPS_SAW_BIGINT)))
        return OPS_DT_OBJECT;
    if (saw & OPS_SAW_BOOL) {
        if ((saw & SAW_NUMBER) || c->n_na)
            return OPS_DT_OBJECT;
        return OPS_DT_BOOL;
    }
    if (!(saw & SAW_NUMBER) || (saw & OPS_SAW_FLOAT))
        return OPS_DT_FLOAT64;
    if (saw & OPS_SAW_BIGINT)
        return OPS_DT_OBJECT;
    if (saw & (OPS_SAW_UINT | OPS_SAW_U64ARR))
        return uint_dtype(saw, c->n_na);
    return c->n_na ? OPS_DT_FLOAT64 : OPS_DT_INT64;
}

static int bools_only(const ops_col *c)
{
    return (c->saw & (SAW_NUMBER | OPS_SAW_TEXT | OPS_SAW_BOOL |
                      OPS_SAW_RAW)) == OPS_SAW_BOOL;
}

int ops_col_only_bools(const ops_col *c)
{
    return bools_only(c);
}

int ops_col_needs_text_pass(const ops_col *c)
{
    if (ops_col_dtype(c) != OPS_DT_OBJECT || bools_only(c))
        return 0;
    return !c->text_complete;
}

/*
 * read_csv's uint64 pass fails with "cannot convert" when a uint64 meets a
 * negative integer or a missing value, and then keeps the column *without*
 * missing-value filtering: "NA", "" and "nan" become text values that count.
 * pandas: a = 1, NA, 18446744073709551615 -> object ['1', 'NA', '1844...'],
 * count 3. A big integer makes that pass overflow first (missing values stay
 * missing); a text or float value stops it in file order, which is not kept
 * here, so those mixes keep missing values missing.
 */
static int missing_counts_as_text(const ops_col *c)
{
    unsigned ints = OPS_SAW_INT | OPS_SAW_NEG | OPS_SAW_UINT;
    unsigned saw = c->saw & ~(unsigned)OPS_SAW_RAW;
    return (saw & ~ints) == 0 && (saw & OPS_SAW_UINT) &&
           ((saw & OPS_SAW_NEG) || c->n_na);
}

static void summary_blank(ops_summary *s, ops_dtype dt)
{
    s->dtype = dt;
    s->count = 0;
    s->mean = s->std = s->min = s->max = NAN;
    s->quantiles = NULL;
    s->npct = 0;
    s->unique = 0;
    s->top = NULL;
    s->top_len = 0;
    s->freq = 0;
}

static int set_top(ops_summary *s, const char *top, size_t len, uint64_t freq)
{
    s->top = malloc(len + 1);
    if (!s->top)
        return -1;
    memcpy(s->top, top, len);
    s->top[len] = '\0';
    s->top_len = len;
    s->freq = freq;
    return 0;
}

/* True/False from the bool counts; a tie goes to the one seen first. */
static int finish_bools(const ops_col *c, ops_summary *s)
{
    const ops_bools *b = &c->bools;
    s->count = b->n_true + b->n_false;
    s->unique = (b->n_true > 0) + (b->n_false > 0);
    if (s->count == 0)
        return 0;
    int is_true = b->n_true > b->n_false ||
                  (b->n_true == b->n_false && b->first_true < b->first_false);
    if (is_true)
        return set_top(s, "True", 4, b->n_true);
    return set_top(s, "False", 5, b->n_false);
}

static int finish_text(ops_col *c, ops_summary *s)
{
    s->count = c->n_rows - c->n_na;
    if (missing_counts_as_text(c)) {
        if (merge_tables(&c->text, &c->na_text))
            return -1;
        s->count = c->n_rows;
    }
    if (!c->text)
        return 0;
    s->unique = ops_distinct_unique(c->text);
    size_t len;
    uint64_t freq;
    const char *top = ops_distinct_top(c->text, &len, &freq);
    return top ? set_top(s, top, len, freq) : 0;
}

static ops_rep rep_of(ops_dtype dt)
{
    if (dt == OPS_DT_INT64)
        return OPS_REP_I64;
    return dt == OPS_DT_UINT64 ? OPS_REP_U64 : OPS_REP_F64;
}

static double lerp_keys(ops_rep rep, uint64_t lo, uint64_t hi, double t)
{
    if (rep == OPS_REP_F64)
        return ops_lerp_f64(ops_f64_from_key(lo), ops_f64_from_key(hi), t);
    if (rep == OPS_REP_I64)
        return ops_lerp_i64(ops_i64_from_key(lo), ops_i64_from_key(hi), t);
    return ops_lerp_u64(lo, hi, t);
}

/* mean and std as pandas gives them around infinities: inf - inf is NaN. */
static void moments(const ops_col *c, uint64_t n, ops_summary *s)
{
    if (c->n_posinf && c->n_neginf)
        s->mean = NAN;
    else if (c->n_posinf || c->n_neginf)
        s->mean = c->n_posinf ? INFINITY : -INFINITY;
    else
        s->mean = ops_exact_mean(&c->sums, n);
    if (n <= 1 || c->n_posinf || c->n_neginf)
        s->std = NAN;
    else
        s->std = sqrt(ops_exact_var(&c->sums, n));
}

/* The ranks {0, n-1, then the two neighbours of each percentile}. */
static void spread_ranks(uint64_t n, const double *pct, size_t npct,
                         uint64_t *ranks)
{
    double t;
    ranks[0] = 0;
    ranks[1] = n - 1;
    for (size_t i = 0; i < npct; i++)
        ops_quantile_index(n, pct[i], &ranks[2 + 2 * i], &ranks[3 + 2 * i], &t);
}

/* A run of equal keys the order statistics pass over: `below` keys are
 * smaller, `count` are in it. */
typedef struct {
    uint64_t below, count;
} key_run;

/* Rank r among the keys outside the runs (disjoint, sorted by below) as a
 * rank among all keys. */
static uint64_t past_runs(uint64_t r, const key_run *runs, size_t nruns)
{
    for (size_t i = 0; i < nruns && runs[i].below <= r; i++)
        r += runs[i].count;
    return r;
}

/* min, max and every quantile from one selection over the keys (with
 * red, a collective one over every process's keys), in the column's rep;
 * the keys selected are then read in rep `out`, the dtype's. Widening is
 * monotone (a larger int64 never becomes a smaller double), so the k-th
 * smallest widened value is the widened k-th smallest: only the selected
 * keys are converted, not the column. A stack buffer serves the usual
 * few percentiles, so that running out of memory rarely leaves the other
 * processes waiting in the collective call. */
static int order_stats(const ops_col *c, ops_rep out, uint64_t n,
                       const key_run *runs, size_t nruns, const double *pct,
                       size_t npct, const ops_reducer *red, ops_summary *s)
{
    uint64_t small[2 * (2 + 2 * 8)];
    size_t k = 2 + 2 * npct;
    uint64_t *ranks = npct <= 8 ? small : malloc(2 * k * sizeof *ranks);
    if (!ranks)
        return -1;
    uint64_t *keys = ranks + k;
    spread_ranks(n, pct, npct, ranks);
    for (size_t i = 0; i < k; i++) /* past the keys left out */
        ranks[i] = past_runs(ranks[i], runs, nruns);
    const ops_vec *vecs[1] = {&c->vals};
    int rc = ops_select_ranks_reduced(vecs, 1, ranks, k, keys, red);
    for (size_t i = 0; rc == 0 && i < k; i++)
        keys[i] = rekey(c->rep, out, keys[i]);
    for (size_t i = 0; rc == 0 && i < npct; i++) {
        double t;
        ops_quantile_index(n, pct[i], &ranks[2 + 2 * i], &ranks[3 + 2 * i], &t);
        s->quantiles[i] = lerp_keys(out, keys[2 + 2 * i], keys[3 + 2 * i], t);
    }
    s->min = rc ? s->min : number_of_key(out, keys[0]);
    s->max = rc ? s->max : number_of_key(out, keys[1]);
    if (ranks != small)
        free(ranks);
    return rc;
}

/* The kept values read_csv takes for missing: the NA markers of an int64
 * column with missing values, i.e. a float64 column whose values are all
 * int64 (rep I64, after merges or adopt). They are its lowest keys. */
static uint64_t marked_missing(const ops_col *c, ops_dtype dtype)
{
    if (dtype != OPS_DT_FLOAT64 || c->rep != OPS_REP_I64)
        return 0;
    return c->n_na_marker;
}

/* The keys of c's na floats (rep F64), with their values, sorted and
 * without repeats (0 stands for both zeros). At most 2 * n_na_floats. */
static size_t na_keys(const ops_col *c, uint64_t *keys, double *vals)
{
    size_t m = 0;
    for (size_t i = 0; i < c->n_na_floats; i++) {
        double f = c->na_floats[i] == 0 ? 0.0 : c->na_floats[i];
        keys[m] = key_of(OPS_REP_F64, bits_of(f));
        vals[m++] = f;
        if (f == 0) {
            keys[m] = key_of(OPS_REP_F64, bits_of(-0.0));
            vals[m++] = -0.0;
        }
    }
    for (size_t i = 1; i < m; i++) /* insertion sort: a few keys */
        for (size_t j = i; j > 0 && keys[j - 1] > keys[j]; j--) {
            uint64_t k = keys[j];
            double v = vals[j];
            keys[j] = keys[j - 1], vals[j] = vals[j - 1];
            keys[j - 1] = k, vals[j - 1] = v;
        }
    size_t u = 0;
    for (size_t i = 0; i < m; i++)
        if (u == 0 || keys[u - 1] != keys[i])
            keys[u] = keys[i], vals[u++] = vals[i];
    return u;
}

/* For each of the m sorted keys: how many of v's keys are below it and
 * equal to it. One pass; every slot must hold a key. */
static void count_keys(const ops_vec *v, const uint64_t *keys, size_t m,
                       uint64_t *below, uint64_t *equal)
{
    for (const ops_block *b = v->head; b != NULL; b = b->next)
        for (uint32_t i = 0; i < b->n; i++) {
            uint64_t k = b->slot[i];
            for (size_t t = 0; t < m; t++) {
                below[t] += k < keys[t];
                equal[t] += k == keys[t];
            }
        }
}

/* The values a float64 column leaves out as missing, as runs of keys
 * sorted by place: its NA markers (the lowest keys), and the values equal
 * to an na float, whose counts are summed over the processes (the
 * collective call comes whenever c has na floats) and which leave the
 * sums and the infinity counts here. *out gets how many values that is. */
static int left_out_runs(ops_col *c, uint64_t marked, const ops_reducer *red,
                         key_run *runs, size_t *nruns, uint64_t *out)
{
    uint64_t keys[2 * OPS_NA_FLOATS_MAX], counts[4 * OPS_NA_FLOATS_MAX] = {0};
    double vals[2 * OPS_NA_FLOATS_MAX];
    size_t m = na_keys(c, keys, vals);
    uint64_t *below = counts, *equal = counts + m;
    *nruns = 0;
    *out = marked;
    if (marked)
        runs[(*nruns)++] = (key_run){0, marked};
    if (c->n_na_floats == 0)
        return 0;
    count_keys(&c->vals, keys, m, below, equal);
    if (red && red->sum_u64(red->ctx, counts, 2 * m))
        return -1;
    for (size_t t = 0; t < m; t++) {
        if (equal[t] == 0)
            continue;
        runs[(*nruns)++] = (key_run){below[t], equal[t]};
        *out += equal[t];
        if (isinf(vals[t]))
            *(vals[t] > 0 ? &c->n_posinf : &c->n_neginf) -= equal[t];
        else
            ops_exact_remove(&c->sums, vals[t], equal[t]);
    }
    return 0;
}

/* With red, c has adopted the global flat: count, rep and sums are the
 * whole column's (its own values were summed into that flat, and adopt
 * marked them summed), so only the order statistics need the others. */
static int finish_numeric(ops_col *c, const double *pct, size_t npct,
                          const ops_reducer *red, ops_summary *s)
{
    uint64_t marked = marked_missing(c, s->dtype), out;
    key_run runs[1 + 2 * OPS_NA_FLOATS_MAX];
    size_t nruns;
    catch_up(c); /* every value a key */
    if (marked)
        ops_exact_remove_int(&c->sums, INT64_MIN, marked);
    /* read_csv matches numbers only where it reads the column as doubles:
     * not in an int64 column with missing values, which it reads as
     * integers (rep I64) */
    if (s->dtype != OPS_DT_FLOAT64 || c->rep != OPS_REP_F64)
        c->n_na_floats = 0;
    if (left_out_runs(c, marked, red, runs, &nruns, &out))
        return -1;
    uint64_t n = c->n_rows - c->n_na - out;
    s->count = n;
    if (n == 0)
        return 0;
    moments(c, n, s);
    return order_stats(c, rep_of(s->dtype), n, runs, nruns, pct, npct, red, s);
}

/* The local top candidate: highest count, then smallest first position
 * (positions are rows, so no two values share one). */
typedef struct {
    const char *s;
    size_t len;
    uint64_t count, first;
} top_candidate;

static int better_top(void *ctx, const char *s, size_t n, uint64_t count,
                      uint64_t first_pos)
{
    top_candidate *best = ctx;
    if (count > best->count ||
        (count == best->count && first_pos < best->first))
        *best = (top_candidate){s, n, count, first_pos};
    return 0;
}

/* Each value is counted at exactly one process (its hash's owner), so
 * unique adds up and the best local top is a candidate for the global
 * one. Both collective calls come whatever the local table holds. */
static int finish_text_reduced(ops_col *c, const ops_reducer *red,
                               ops_summary *s)
{
    s->count = c->n_rows - c->n_na;
    if (missing_counts_as_text(c)) { /* owners are by value: still exact */
        if (merge_tables(&c->text, &c->na_text))
            return -1;
        s->count = c->n_rows;
    }
    top_candidate top = {NULL, 0, 0, UINT64_MAX};
    uint64_t unique = 0;
    if (c->text) {
        unique = ops_distinct_unique(c->text);
        ops_distinct_each(c->text, better_top, &top);
    }
    if (red->sum_u64(red->ctx, &unique, 1) ||
        red->best_text(red->ctx, &top.s, &top.len, &top.count, &top.first))
        return -1;
    s->unique = unique;
    return top.count ? set_top(s, top.s, top.len, top.count) : 0;
}

static int finish_with(ops_col *c, const double *pct, size_t npct,
                       const ops_reducer *red, ops_summary *out)
{
    if (ops_col_needs_text_pass(c))
        return -1;
    ops_summary s;
    summary_blank(&s, ops_col_dtype(c));
    if (npct) {
        s.quantiles = malloc(npct * sizeof *s.quantiles);
        if (!s.quantiles)
            return -1;
        for (size_t i = 0; i < npct; i++)
            s.quantiles[i] = NAN;
        s.npct = npct;
    }
    int rc;
    if (s.dtype == OPS_DT_BOOL || (s.dtype == OPS_DT_OBJECT && bools_only(c)))
        rc = finish_bools(c, &s);
    else if (s.dtype == OPS_DT_OBJECT)
        rc = red ? finish_text_reduced(c, red, &s) : finish_text(c, &s);
    else
        rc = finish_numeric(c, pct, npct, red, &s);
    if (rc) {
        ops_summary_free(&s);
        return -1;
    }
    *out = s;
    return 0;
}

int ops_col_finish(ops_col *c, const double *pct, size_t npct, ops_summary *out)
{
    return finish_with(c, pct, npct, NULL, out);
}

/* Every decision below (dtype, text pass, bools, count) reads only the
 * adopted global state, so all processes make the same collective calls:
 * none for bools, one selection for numbers, two calls for text. */
int ops_col_finish_reduced(ops_col *c, const double *pct, size_t npct,
                           const ops_reducer *red, ops_summary *out)
{
    return finish_with(c, pct, npct, red, out);
}

void ops_summary_free(ops_summary *s)
{
    free(s->quantiles);
    free(s->top);
    s->quantiles = NULL;
    s->top = NULL;
}

/* ------------------------------------------------------------------------
 * Partials across processes: the scalar state as one flat record.
 * ---------------------------------------------------------------------- */

void ops_col_flatten(ops_col *c, ops_col_flat *out)
{
    catch_up(c);
    memset(out, 0, sizeof *out); /* padding too: the record is plain bytes */
    out->n_rows = c->n_rows;
    out->n_na = c->n_na;
    out->n_posinf = c->n_posinf;
    out->n_neginf = c->n_neginf;
    out->n_na_marker = c->n_na_marker;
    out->saw = c->saw;
    out->text_complete = c->text_complete != 0;
    out->bools = c->bools;
    out->sums = c->sums;
}

void ops_col_flat_merge(ops_col_flat *into, const ops_col_flat *from)
{
    into->n_rows += from->n_rows;
    into->n_na += from->n_na;
    into->n_posinf += from->n_posinf;
    into->n_neginf += from->n_neginf;
    into->n_na_marker += from->n_na_marker;
    into->saw |= from->saw;
    into->text_complete &= from->text_complete;
    merge_bools(&into->bools, &from->bools);
    ops_exact_merge(&into->sums, &from->sums);
}

/* The kept values stay; they were summed into the flat, so they are all
 * marked summed here, or a later catch_up would count them twice. Under
 * the global bits they take the global rep, which is never below the
 * local one (bits only accumulate), or die when the column has text. */
void ops_col_adopt(ops_col *c, const ops_col_flat *g)
{
    c->n_rows = g->n_rows;
    c->n_na = g->n_na;
    c->n_posinf = g->n_posinf;
    c->n_neginf = g->n_neginf;
    c->n_na_marker = g->n_na_marker;
    c->saw = g->saw;
    c->text_complete = g->text_complete != 0;
    c->bools = g->bools;
    c->sums = g->sums;
    c->summed = c->vals.head ? c->vals.head->n : 0;
    if (c->saw & (OPS_SAW_TEXT | OPS_SAW_RAW)) {
        ops_vec_free(&c->vals);
        c->rep = OPS_REP_I64;
        c->summed = 0;
        c->n_negzero = 0;
        return;
    }
    set_rep(c, ops_col_rep_of_saw(c->saw));
}

static void shift_first(uint64_t *first, uint64_t by)
{
    if (*first != UINT64_MAX) /* unseen stays unseen */
        *first += by;
}

void ops_col_shift(ops_col *c, uint64_t by)
{
    shift_first(&c->bools.first_true, by);
    shift_first(&c->bools.first_false, by);
    ops_distinct_shift(c->text, by);
    ops_distinct_shift(c->na_text, by);
}
