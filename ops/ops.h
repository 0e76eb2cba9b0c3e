/*
 * ops.h - per-column statistics: the one internal header of ops/.
 *
 * Everything here is a pure function over buffers and mergeable state:
 * no I/O, no threads, no MPI, libc only (plus the C++ fast_float wrapper
 * and xxhash, both header-only helpers linked into this module).
 *
 * Every accumulator has the same verbs: init / add / merge / finish / free.
 * Every merge is associative and commutative, so the result of a column is
 * a pure function of its multiset of (value, position) pairs, whatever the
 * partition into threads, chunks or ranks.
 *
 * A "position" (uint64_t pos) orders values as the file does: a smaller
 * position came earlier in the file. It only breaks ties for `top`.
 */
#ifndef DFSUM_OPS_H
#define DFSUM_OPS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Field classification (ops_parse.c, ops_fastfloat.cpp)
 *
 * One raw CSV field (bytes as read_csv sees them after unquoting) is put in
 * exactly one class, following pandas.read_csv's default rules:
 *   NA     one of the default NA strings, matched on the whole field
 *   TRUE / FALSE   true / false in any case ("tRuE" too: pandas 1.5 falls
 *          back to strcasecmp), no spaces around
 *   INT    optional spaces, optional sign, digits, optional spaces, and the
 *          value fits int64                                   -> v.i
 *   UINT   same syntax, no '-' , INT64_MAX < value <= UINT64_MAX -> v.u
 *   BIGINT same syntax, beyond uint64 (or negative beyond int64); the
 *          correctly rounded double of the digits               -> v.f
 *          (a BIGINT that overflows double is TEXT)
 *   FLOAT  any other decimal number (".5", "1.", "1e-3", "-2E+10", spaces
 *          around allowed) correctly rounded, or inf / +inf / -inf /
 *          Infinity / +Infinity / -Infinity in any case (no spaces);
 *          a number that overflows double (1.8e308) is TEXT, one that
 *          underflows reads as (signed) zero                    -> v.f
 *   TEXT   anything else
 * ---------------------------------------------------------------------- */
typedef enum {
    OPS_NA = 0,
    OPS_TRUE,
    OPS_FALSE,
    OPS_INT,
    OPS_UINT,
    OPS_BIGINT,
    OPS_FLOAT,
    OPS_TEXT
} ops_kind;

typedef union {
    int64_t i;
    uint64_t u;
    double f;
} ops_value;

/* How a kept value (ops_vec slot, exact sums) holds its number. */
typedef enum { OPS_REP_I64, OPS_REP_U64, OPS_REP_F64 } ops_rep;

/* Classifies field s[0..n) and writes its numeric value to *v when the class
 * is INT, UINT, BIGINT or FLOAT. s need not be NUL-terminated. Never fails. */
ops_kind ops_classify(const char *s, size_t n, ops_value *v);

/* Correctly rounded decimal -> double for s[0..n) which must match
 * [+-]?(digits)[.digits][(e|E)[+-]?digits] with at least one digit (no
 * spaces, no inf). Returns 0 on success, -1 on bad syntax, 1 when the value
 * overflows double. Implemented in C++ over fast_float (ops_fastfloat.cpp). */
int ops_parse_double(const char *s, size_t n, double *out);

/* ------------------------------------------------------------------------
 * Exact sums (ops_exact.c)
 *
 * Holds sum(x) and sum(x*x) over finite doubles *exactly*, as fixed-point
 * big integers (x in units of 2^-1074, x*x in units of 2^-2148), so adding
 * in any order and merging in any grouping gives bit-identical results.
 * mean and variance are derived with one correct rounding each:
 *   mean = S1 / n
 *   var  = (n*S2 - S1^2) / (n*(n-1))      (ddof = 1; exact, then rounded)
 *   std  = sqrt(var)   (the caller takes the root)
 * A variance beyond DBL_MAX rounds to +inf, as pandas' overflows do.
 * ---------------------------------------------------------------------- */
#define OPS_EXACT_S1_LIMBS 70 /* 32-bit digits held in int64 (lazy carry) */
#define OPS_EXACT_S2_LIMBS 135
#define OPS_EXACT_SLOTS    64 /* recent exponents, summed before the limbs */

/* Two sums that cannot overflow in 2^64 adds: of signed 53-bit integers
 * (128-bit two's complement) and of their squares (192 bits); words low
 * first. */
typedef struct {
    uint64_t sum[2];
    uint64_t sum_sq[3];
} ops_exact_ints;

/* The mantissas of one exponent field (slot = field % OPS_EXACT_SLOTS). */
typedef struct {
    ops_exact_ints m;
    uint32_t exponent; /* the exponent field this slot holds */
    uint32_t unused;
} ops_exact_slot;

typedef struct {
    ops_exact_slot slot[OPS_EXACT_SLOTS];
    ops_exact_ints ints; /* integers of at most 2^53, added as they are */
    int64_t s1[OPS_EXACT_S1_LIMBS];
    int64_t s2[OPS_EXACT_S2_LIMBS];
    uint32_t direct; /* values added straight into the limbs since they
                      * were last settled */
} ops_exact;

void ops_exact_init(ops_exact *e);
/* x must be finite. No allocation; a few ns per call. */
void ops_exact_add(ops_exact *e, double x);
/* The same as ops_exact_add(e, (double)i); cheaper for |i| <= 2^53. */
void ops_exact_add_int(ops_exact *e, int64_t i);
/* The same as ops_exact_add of the double of each of the n values v[]
 * held as rep says, infinities left out (a column counts them aside); a
 * value or two per ns, as a loop keeps its sums in registers. */
void ops_exact_add_values(ops_exact *e, const uint64_t *v, size_t n,
                          ops_rep rep);
/* into += from. Associative and commutative. */
void ops_exact_merge(ops_exact *into, const ops_exact *from);
/* Takes out of the sums what count adds of the integer i put in (count
 * copies of the double of i). */
void ops_exact_remove_int(ops_exact *e, int64_t i, uint64_t count);
/* The same for count copies of the finite double x. */
void ops_exact_remove(ops_exact *e, double x, uint64_t count);
/* Correctly rounded S1/n; n >= 1. */
double ops_exact_mean(const ops_exact *e, uint64_t n);
/* Correctly rounded (n*S2 - S1^2)/(n(n-1)); n >= 2. Never negative. */
double ops_exact_var(const ops_exact *e, uint64_t n);

/* ------------------------------------------------------------------------
 * Value store (ops_vec.c)
 *
 * Numeric values are kept (8 bytes each) for exact quantiles, in a list of
 * fixed-size blocks so growing never copies and merging is O(1) splicing.
 * A slot holds an int64, a uint64 or a double bit pattern; which one is
 * the owner's business (see ops_rep). Keys (ops_key_*) map each rep to
 * uint64 so that unsigned key order equals numeric order.
 * ---------------------------------------------------------------------- */
#define OPS_VEC_BLOCK 8192 /* slots per block (64 KiB) */

typedef struct ops_block {
    struct ops_block *next;
    uint32_t n; /* used slots */
    uint64_t slot[OPS_VEC_BLOCK];
} ops_block;

typedef struct {
    ops_block *head; /* newest block first */
    uint64_t n;      /* total slots */
} ops_vec;

void ops_vec_init(ops_vec *v);
/* Returns 0, or -1 when out of memory. */
int ops_vec_push(ops_vec *v, uint64_t slot);
/* Moves every block of from into into; from becomes empty. No value is
 * copied: the lists are linked after a walk of the shorter one. */
void ops_vec_splice(ops_vec *into, ops_vec *from);
void ops_vec_free(ops_vec *v);

/* Keys map int64 and double to uint64 so that unsigned comparison of keys
 * is numeric comparison of values:
 *   int64:  flip the sign bit (two's complement -> offset binary);
 *   double: flip the sign bit of a positive number and every bit of a
 *           negative one, so -inf < ... < -0.0 < +0.0 < ... < +inf.
 * NaN is never stored, so its keys (below -inf or above +inf) never occur.
 * Branch-free, so that a loop of them vectorizes. */
static inline uint64_t ops_key_from_f64_bits(uint64_t bits)
{
    return bits ^ ((uint64_t)(0 - (bits >> 63)) | (uint64_t)1 << 63);
}

static inline uint64_t ops_key_from_f64(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return ops_key_from_f64_bits(bits);
}

static inline double ops_f64_from_key(uint64_t key)
{
    uint64_t bits = key ^ ((uint64_t)((key >> 63) - 1) | (uint64_t)1 << 63);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static inline uint64_t ops_key_from_i64(int64_t x)
{
    return (uint64_t)x ^ (uint64_t)1 << 63;
}

/* Written without an out-of-range unsigned -> signed conversion, which C
 * leaves implementation-defined; compilers reduce it to one xor. */
static inline int64_t ops_i64_from_key(uint64_t key)
{
    uint64_t u = key ^ (uint64_t)1 << 63;
    if (u <= (uint64_t)INT64_MAX)
        return (int64_t)u;
    return -(int64_t)(UINT64_MAX - u) - 1;
}
/* uint64 keys are the values themselves. */

/* ------------------------------------------------------------------------
 * Exact selection (ops_select.c)
 *
 * Finds the keys of given ranks (0-based, in sorted order) among all keys of
 * several ops_vecs without sorting them: a fixed (non-random) sample
 * brackets each rank, one pass counts the keys below each bracket and
 * copies the few inside it, and a small selection finishes. Histogram
 * refinement over the key bits is the general method and the fallback when
 * a sample misleads. The passes over the data are separate from the
 * decisions, so a distributed caller can merge samples, counts and
 * histograms across ranks between rounds.
 * ---------------------------------------------------------------------- */

/* Writes the key of each rank ranks[i] (< total count) to keys_out[i].
 * vecs hold keys (already converted). Returns 0, or -1 when out of memory
 * or when a rank is not below the total count. */
int ops_select_ranks(const ops_vec *const *vecs, size_t nvecs,
                     const uint64_t *ranks, size_t nranks, uint64_t *keys_out);

/* ------------------------------------------------------------------------
 * Percentiles (ops_percentile.c)
 * ---------------------------------------------------------------------- */

/* describe()'s percentile list: validates (each in [0,1], no duplicates,
 * "percentiles should all be in the interval [0,1]" / "percentiles cannot
 * contain duplicates"), adds 0.5 when absent, sorts. out has room for n+1.
 * Returns the count, or -1 with a static message in *why. */
int ops_percentiles_normalize(const double *in, size_t n, double *out,
                              const char **why);

/* pandas' format_percentiles: labels such as "25%", "2.5%", "33.3%".
 * labels[i] must hold OPS_LABEL_MAX bytes. */
#define OPS_LABEL_MAX 40
void ops_percentile_labels(const double *p, size_t n,
                           char labels[][OPS_LABEL_MAX]);

/* numpy's linear quantile of n sorted values, given the two neighbours:
 * h = (n-1)*q, lo = x[floor(h)], hi = x[min(floor(h)+1, n-1)]. Each
 * variant follows numpy's _lerp for that dtype, to the last bit (int64 and
 * uint64 subtract with wrap-around as numpy does). q is describe()'s
 * fraction; numpy sees (q*100)/100 as pandas passes q*100. Pass t on to
 * the lerp as given: at h >= n-1 it is numpy's h+1, not 0. */
void ops_quantile_index(uint64_t n, double q, uint64_t *lo_rank,
                        uint64_t *hi_rank, double *t);
double ops_lerp_f64(double lo, double hi, double t);
double ops_lerp_i64(int64_t lo, int64_t hi, double t);
double ops_lerp_u64(uint64_t lo, uint64_t hi, double t);

/* ------------------------------------------------------------------------
 * Distinct values and top (ops_distinct.c)
 *
 * A hash table (xxh3) of byte strings with their count and first position.
 * top = highest count; ties go to the smallest first position.
 * ---------------------------------------------------------------------- */
typedef struct ops_distinct ops_distinct;

ops_distinct *ops_distinct_new(void); /* NULL when out of memory */
/* Counts one occurrence of s[0..n) seen at pos. 0, or -1 out of memory. */
int ops_distinct_add(ops_distinct *d, const char *s, size_t n, uint64_t pos);
/* One value of a run for ops_distinct_add_run. */
typedef struct {
    const char *s;
    size_t n;
    uint64_t pos;
} ops_text;

/* ops_distinct_add of v[0..n) in turn, faster: the values are hashed a
 * group at a time and their slots fetched from memory together, so that
 * the cache misses of a large table overlap. 0, or -1 out of memory (then
 * some of v may be counted). */
int ops_distinct_add_run(ops_distinct *d, const ops_text *v, size_t n);
/* Adds count occurrences whose earliest position is first_pos. */
int ops_distinct_add_n(ops_distinct *d, const char *s, size_t n, uint64_t count,
                       uint64_t first_pos);
/* into += from (counts add, first positions take the min): from's values
 * move into into without a copy, and from is left empty (still to be
 * freed); into == from doubles every count. On failure (-1, out of
 * memory) neither changed. */
int ops_distinct_absorb(ops_distinct *into, ops_distinct *from);
/* A large table is OPS_DISTINCT_SHARDS independent shards (by hash), so
 * two tables can merge on several threads: ops_distinct_absorb_begin,
 * then ops_distinct_absorb_shard for every shard s, each once, in any
 * order and on any thread, then ops_distinct_absorb_end. The call for s
 * touches shard s of both tables and nothing else they share. into !=
 * from. -1 out of memory: from _begin with both tables as they were; from
 * a shard with into holding part of from, the merge to be abandoned (after
 * _end, both can still be freed). */
#define OPS_DISTINCT_SHARDS 16u
/* A table splits into its shards when it reaches this many values. */
#define OPS_DISTINCT_SPLIT_AT (1u << 18)
int ops_distinct_absorb_begin(ops_distinct *into, ops_distinct *from);
int ops_distinct_absorb_shard(ops_distinct *into, ops_distinct *from,
                              unsigned s);
void ops_distinct_absorb_end(ops_distinct *into, ops_distinct *from);
uint64_t ops_distinct_unique(const ops_distinct *d);
/* The top value (pointer valid until d changes) or NULL when empty. */
const char *ops_distinct_top(const ops_distinct *d, size_t *len,
                             uint64_t *freq);
/* Visits every entry; stops early when fn returns non-zero. */
typedef int (*ops_distinct_fn)(void *ctx, const char *s, size_t n,
                               uint64_t count, uint64_t first_pos);
int ops_distinct_each(const ops_distinct *d, ops_distinct_fn fn, void *ctx);
void ops_distinct_free(ops_distinct *d); /* NULL-safe */
/* Adds by to every first position (NULL-safe). */
void ops_distinct_shift(ops_distinct *d, uint64_t by);

/* Nonzero when s[0..n) is well-formed UTF-8. */
int ops_utf8_valid(const char *s, size_t n);

/* ------------------------------------------------------------------------
 * Column partial (ops_column.c)
 *
 * The summary of one column over some set of rows. Classifies each field,
 * keeps the numeric values, bool counts or text table it needs, and merges
 * with the partial of any other rows. The dtype is decided only over the
 * merged whole (ops_col_dtype), as read_csv decides over the whole column.
 *
 * Text tables are only kept from the first text value on. When the merged
 * column turns out to be object but some partial saw non-text values before
 * (text_complete == 0), the caller re-reads the column with ops_col_add_text
 * into fresh partials (pass 2): raw bytes matter ("1.50" != "1.5").
 * ---------------------------------------------------------------------- */
typedef enum {
    OPS_DT_INT64,
    OPS_DT_UINT64,
    OPS_DT_FLOAT64,
    OPS_DT_BOOL,
    OPS_DT_OBJECT
} ops_dtype;

enum {
    OPS_SAW_INT = 1u << 0,    /* an integer that fits int64 */
    OPS_SAW_NEG = 1u << 1,    /* a negative integer, or "-0" */
    OPS_SAW_UINT = 1u << 2,   /* an integer in (INT64_MAX, UINT64_MAX] */
    OPS_SAW_BIGINT = 1u << 3, /* an integer beyond uint64 */
    OPS_SAW_FLOAT = 1u << 4,  /* a non-integer number (inf included) */
    OPS_SAW_BOOL = 1u << 5,
    OPS_SAW_TEXT = 1u << 6,
    OPS_SAW_RAW = 1u << 7 /* pass 2: every value was counted as raw text */
};

typedef struct {
    uint64_t n_true, n_false;
    uint64_t first_true, first_false; /* UINT64_MAX when unseen */
} ops_bools;

typedef struct {
    uint64_t n_rows;   /* rows seen, missing ones included */
    uint64_t n_na;     /* missing values */
    unsigned saw;      /* OPS_SAW_* bits */
    int text_complete; /* text holds every non-missing value of these rows
                        * (so 1 while there is none) */
    ops_rep rep;       /* how vals are stored */
    ops_vec vals;      /* numeric values (none once text was seen) */
    uint64_t n_posinf, n_neginf;
    /* Zeros of vals written "-0" while the rep is an integer one: they
     * become -0.0 when it turns F64, as read_csv's float pass reads them. */
    uint64_t n_negzero;
    /* Integers -9223372036854775808 read from text (among vals). In an
     * int64 column with missing values they are missing too: read_csv
     * marks missing integers with that very number before the column
     * turns float64, and then cannot tell the two apart. */
    uint64_t n_na_marker;
    /* The finite values, as doubles, added a block of vals at a time:
     * sums holds every value but those of the head block from index
     * `summed` on (see ops_column.c). */
    ops_exact sums;
    uint32_t summed;
    ops_bools bools;
    ops_distinct *text; /* NULL until the first text value */
    /* Pass 2 only: the raw missing fields. read_csv keeps them as text in
     * one case (uint64 beside a negative or missing value). */
    ops_distinct *na_text;
    /* Borrowed, for the finish only (ops_col_set_na_floats). */
    const double *na_floats;
    size_t n_na_floats;
} ops_col;

void ops_col_init(ops_col *c);
/* Classifies and counts one field. Returns 0, -1 when out of memory, or
 * OPS_EUTF8 for a text value that is not valid UTF-8 (read_csv refuses
 * such a file). c stays valid either way. */
#define OPS_EUTF8 (-2)
int ops_col_add(ops_col *c, const char *s, size_t n, uint64_t pos);

/* Where a field's bytes are, as the tokenizer lays fields out: off is
 * counted from one of two bases, and bit 31 of len says which
 * (OPS_SPAN_OWN: base[1], else base[0]). */
typedef struct {
    uint32_t off;
    uint32_t len;
} ops_span;

#define OPS_SPAN_OWN 0x80000000u

/* Fields 0, 1, ... of a run: field i is spans[i * stride]. utf8_valid:
 * the caller knows every field to be valid UTF-8, or text of a
 * single-byte encoding (a text value is then not checked); 0 when it does
 * not know. size[k]: the bytes that may be read from base[k] (a field
 * reader loads 16 bytes at once where they are there). simd: the fields
 * may be read with the CPU's vector instructions where it has them (0:
 * the portable code only; the values are the same). */
typedef struct {
    const char *base[2];
    const ops_span *spans;
    size_t stride;
    int utf8_valid;
    size_t size[2];
    int simd;
} ops_fields;

/* ops_col_add for each of n fields of f in turn, field i at position
 * pos0 + i, but faster: the column's state stays in registers across the
 * common fields. Returns n (*rc 0), or the index of the first field that
 * failed, with its code in *rc (the fields before it are counted). */
size_t ops_col_add_fields(ops_col *c, const ops_fields *f, size_t n,
                          uint64_t pos0, int *rc);
/* Pass-2 variant: every non-missing field is text, counted by raw bytes.
 * The column keeps its OPS_SAW_* bits (plus OPS_SAW_RAW, which makes it
 * object) and the raw missing fields aside. Same returns as ops_col_add. */
int ops_col_add_text(ops_col *c, const char *s, size_t n, uint64_t pos);
/* ops_col_add_text for each of n fields of f in turn, field i at position
 * pos0 + i, the text values counted a group at a time (their slots fetched
 * together). Returns as ops_col_add_fields. */
size_t ops_col_add_texts(ops_col *c, const ops_fields *f, size_t n,
                         uint64_t pos0, int *rc);
/* into += from; from is consumed (left empty but valid). Associative and
 * commutative. 0, or -1 out of memory. */
int ops_col_merge(ops_col *into, ops_col *from);
/* The dtype read_csv would give the merged column. */
ops_dtype ops_col_dtype(const ops_col *c);
/* Nonzero when the column is object but its text table is incomplete. */
int ops_col_needs_text_pass(const ops_col *c);
/* Whether c's values are all True/False words (missing ones aside). */
int ops_col_only_bools(const ops_col *c);
void ops_col_free(ops_col *c);

/* What describe() reports for one column. */
typedef struct {
    ops_dtype dtype;
    uint64_t count;
    /* numeric dtypes (NaN where pandas has NaN, and for other dtypes) */
    double mean, std, min, max;
    double *quantiles; /* npct values, owned; NULL when npct == 0 */
    size_t npct;
    /* bool and object dtypes (0 / NULL for numeric ones) */
    uint64_t unique;
    char *top; /* owned, NUL-terminated; NULL when count == 0 */
    size_t top_len;
    uint64_t freq;
} ops_summary;

/* The numbers read_csv's na_values add as missing in a float64 column
 * (those of its na_values that read as numbers, NaN left out): the finish
 * of a float64 column whose values are doubles (rep F64: read_csv reads
 * it with its float pass) leaves every value equal to one of them out,
 * -0.0 and 0.0 alike. An int64 column with missing values keeps them, as
 * read_csv reads it with its integer pass. The n values are borrowed
 * until the finish. */
#define OPS_NA_FLOATS_MAX 32 /* n at most */
void ops_col_set_na_floats(ops_col *c, const double *v, size_t n);

/* Finalizes a merged column (must not need a text pass). Consumes the
 * column's values (they are turned into keys in place). pct: normalized
 * percentiles. 0, or -1 when out of memory or a text pass is still needed;
 * *out is written only on success. */
int ops_col_finish(ops_col *c, const double *pct, size_t npct,
                   ops_summary *out);
void ops_summary_free(ops_summary *s);

/* ------------------------------------------------------------------------
 * Typed arrays (ops_typed.c)
 *
 * Columns that arrive as binary arrays (HDF5 datasets, a program's own
 * arrays) rather than as text. Row i of a call is at position pos0 + i.
 * A value is missing when valid is non-NULL and valid[i] == 0; a double
 * (or float) is also missing when NaN. The array's type fixes the dtype
 * as pd.DataFrame(array).describe() sees it:
 *   f64 / f32   float64, even when every value is whole (f32 is widened
 *               exactly, as describe() does)
 *   i64         int64 (narrower signed and unsigned integers come here)
 *   u64         uint64, whatever the values
 *   bool        bool (0 is False, anything else True)
 *   str         object; '' is a value, never missing; must be UTF-8
 * An integer or bool column with a missing value is float64 / object, as
 * in pandas. A column fed arrays of different kinds takes the dtype
 * ops_col_dtype's lattice gives; one mixing text with numbers needs a
 * text pass (ops_col_needs_text_pass), which only a file can give, so
 * array callers refuse such a mix. Same returns as ops_col_add.
 * ---------------------------------------------------------------------- */
int ops_col_add_f64(ops_col *c, const double *v, size_t n, const uint8_t *valid,
                    uint64_t pos0);
int ops_col_add_f32(ops_col *c, const float *v, size_t n, const uint8_t *valid,
                    uint64_t pos0);
int ops_col_add_i64(ops_col *c, const int64_t *v, size_t n,
                    const uint8_t *valid, uint64_t pos0);
int ops_col_add_u64(ops_col *c, const uint64_t *v, size_t n,
                    const uint8_t *valid, uint64_t pos0);
int ops_col_add_bool(ops_col *c, const uint8_t *v, size_t n,
                     const uint8_t *valid, uint64_t pos0);
/* One text value s[0..n) at pos; s == NULL counts a missing value. */
int ops_col_add_str(ops_col *c, const char *s, size_t n, uint64_t pos);

/* An array's kind is recorded even when it holds no value, so an empty or
 * all-missing array still gets its dtype: f64/f32 set OPS_SAW_FLOAT, i64
 * OPS_SAW_INT, bool OPS_SAW_BOOL, str OPS_SAW_TEXT on every call, and u64
 * this bit. A uint64 array is uint64 whatever its values, and float64
 * (not read_csv's object) beside a missing or negative value. */
enum { OPS_SAW_U64ARR = 1u << 8 };

/* read_csv's thousands (engine/thousands.c): an integer written with
 * separators in a row ("1,,2"), which only pandas' integer reader takes:
 * beside a decimal (or an integer beyond uint64, which sends the column to
 * the float reader too) the column is object. */
enum { OPS_SAW_GROUPED_INT = 1u << 9 };
void ops_col_saw_grouped_int(ops_col *c);

/* Column internals shared by ops_column.c and ops_typed.c only. */
/* Adds the kept values not summed yet to c->sums. */
void ops_col_settle(ops_col *c);
/* The rep the kept values take under the OPS_SAW_* bits saw. */
ops_rep ops_col_rep_of_saw(unsigned saw);
/* Converts every kept value to rep (never from F64, never I64 -> U64 with
 * a negative value: the rep only climbs ops_col_rep_of_saw's lattice). */
void ops_col_set_rep(ops_col *c, ops_rep rep);
/* Forgets the numbers, infinities and bools of a column that has text. */
void ops_col_drop_numbers(ops_col *c);

/* ------------------------------------------------------------------------
 * Partials across processes (ops_column.c, ops_distinct.c, ops_dselect.c)
 *
 * ops/ knows nothing of MPI: a caller that spreads a column over several
 * processes passes an ops_reducer whose functions are collective (every
 * process calls them in the same order with the same sizes). A column is
 * then combined in three parts:
 *   1. its scalar state, one fixed-size ops_col_flat record, merged by
 *      ops_col_flat_merge (a reduction operator on plain bytes), and put
 *      back into every process's partial (ops_col_adopt), so that dtype
 *      and text-pass decisions are global and identical everywhere;
 *   2. its kept numbers stay where they are: quantiles, min and max come
 *      from a distributed selection whose only traffic is histograms of
 *      fixed size, whatever the number of values;
 *   3. its text tables travel packed to the owner of each value's hash
 *      (ops_distinct_pack / _unpack), so each value is counted at exactly
 *      one process; owners then agree on unique and top.
 * With one process (reducer NULL) every step is the plain local one.
 * ---------------------------------------------------------------------- */
typedef struct {
    /* Sums n counts element-wise across all processes, in place. */
    int (*sum_u64)(void *ctx, uint64_t *counts, size_t n);
    /* Replaces (*s, *len, *count, *first) by the best of all processes'
     * candidates: highest count, then smallest first position; a process
     * with none passes count 0. *s then points to memory owned by the
     * reducer, valid until its next call. */
    int (*best_text)(void *ctx, const char **s, size_t *len, uint64_t *count,
                     uint64_t *first);
    void *ctx;
} ops_reducer;

typedef struct {
    uint64_t n_rows, n_na, n_posinf, n_neginf, n_na_marker;
    uint32_t saw;           /* OPS_SAW_* of all processes, or-ed */
    uint32_t text_complete; /* and-ed */
    ops_bools bools;
    ops_exact sums; /* every finite kept value */
} ops_col_flat;

/* The scalar state of c; settles c's pending sums first. */
void ops_col_flatten(ops_col *c, ops_col_flat *out);
/* into += from. Associative and commutative. */
void ops_col_flat_merge(ops_col_flat *into, const ops_col_flat *from);
/* Makes c's scalar state the merged g of every process; c keeps its own
 * values and text tables (so ops_col_dtype and ops_col_needs_text_pass now
 * answer for the whole column). Values kept in another rep are converted
 * to the global one. */
void ops_col_adopt(ops_col *c, const ops_col_flat *g);
/* Adds `by` to every position held by c (bools, text tables): a process
 * whose rows start at global row `by` makes its local positions global. */
void ops_col_shift(ops_col *c, uint64_t by);
/* ops_col_finish for a column spread over processes: c must have adopted
 * the global flat and, when object, hold this process's owned share of
 * the text tables. Collective through red (NULL: ops_col_finish). Every
 * process gets the same summary. */
int ops_col_finish_reduced(ops_col *c, const double *pct, size_t npct,
                           const ops_reducer *red, ops_summary *out);

/* A growable byte buffer for packed entries. */
typedef struct {
    char *data;
    size_t len, cap;
} ops_buf;
void ops_buf_free(ops_buf *b);

/* Appends every entry of d (may be NULL: nothing) to out[owner] where
 * owner = ops_distinct_owner(entry bytes, nparts). 0, or -1 out of memory. */
int ops_distinct_pack(const ops_distinct *d, unsigned nparts, ops_buf *out);
/* Which of nparts processes owns the value s[0..n). */
unsigned ops_distinct_owner(const char *s, size_t n, unsigned nparts);
/* Adds the packed entries buf[0..len) to *d (created when NULL). 0, -1 out
 * of memory, or -2 when buf is not a packing. */
int ops_distinct_unpack(ops_distinct **d, const char *buf, size_t len);

/* ops_select_ranks over keys spread across processes: every process passes
 * its own vecs and the same global ranks, and gets the same keys. Exact,
 * by histogram refinement over the key bits: each round every process
 * counts its own keys, red->sum_u64 adds the counts, and every rank's
 * bracket narrows. Traffic per round is a fixed number of counts,
 * independent of the number of keys. red NULL: ops_select_ranks. */
int ops_select_ranks_reduced(const ops_vec *const *vecs, size_t nvecs,
                             const uint64_t *ranks, size_t nranks,
                             uint64_t *keys_out, const ops_reducer *red);

#endif
