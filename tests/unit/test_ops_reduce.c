/*
 * test_ops_reduce.c - a column spread over processes gives the summary of
 * the whole column, bit for bit.
 *
 * P = 1..4 "processes" are threads joined by a barrier-based reducer
 * (sum_u64 adds every thread's array, best_text picks the best candidate;
 * both check that all threads made the same call with the same size).
 * Each one takes a random slice of the rows of every column and runs what
 * an engine does: add with local positions, shift to global ones, flatten,
 * merge every flat (each thread in its own order), adopt, re-read as text
 * when the global column asks for it, send packed text tables to their
 * owners, finish_reduced. Every thread's summary must equal the one-process
 * ops_col_finish of all rows. The rows are random; DFSUM_SEED replays.
 *
 * Also single-threaded: packing (round trip, owners, concatenation,
 * malformed buffers), shift, flat merge order, red == NULL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "summary_check.h"

enum { MAXP = 4, NROWS = 3000, ROUNDS = 3, MAX_CALL = 300 };

static const double pct3[3] = {0.25, 0.5, 0.75};

/* ------------------------------------------------------------------ */
/* The rows: every cell is a pure function of (seed, column, row)      */

typedef enum {
    C_NUM,     /* decimals, some missing */
    C_NUM_INF, /* with inf and -inf */
    C_INT,     /* int64 */
    C_INT_NA,  /* int64 with missing: float64 */
    C_TEXT,    /* words with count ties, unique values, missing */
    C_BOOL,    /* bool, a tie on counts */
    C_BOOL_NA, /* bools with missing: object */
    C_LATE,    /* numbers, one text value near the end: a text pass */
    C_U64_NA,  /* uint64 beside missing: object, missing count as text */
    C_ALL_NA,  /* nothing but missing */
    T_F64,     /* typed arrays from here on */
    T_I64_NA,
    T_U64,
    T_BOOL_NA,
    T_STR,
    NCOLS
} col_id;

static const char *const words[5] = {"alpha", "beta", "", "delta", "NA"};

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t cell(uint64_t seed, int col, uint64_t row)
{
    return mix64(seed ^ mix64((uint64_t)col << 40 ^ row));
}

static int text_cell(uint64_t h, uint64_t row, char *buf)
{
    if (row < 40) /* each once */
        return sprintf(buf, "u%" PRIu64, row);
    if (h % 20 == 0)
        return 0;
    return sprintf(buf, "%s", words[(row / 7) % 4]);
}

static int number_cell(uint64_t h, char *buf)
{
    double x = (double)(int64_t)(h >> 12) / 1024.0 - 1e12;
    return sprintf(buf, "%.17g", x);
}

static int num_inf_cell(uint64_t h, char *buf)
{
    if (h % 61 == 0)
        return sprintf(buf, "inf");
    if (h % 67 == 1)
        return sprintf(buf, "-inf");
    return number_cell(h, buf);
}

/* The CSV field of a text-backed column at row; its length. */
static int field(uint64_t seed, int col, uint64_t row, char *buf)
{
    uint64_t h = cell(seed, col, row);
    int64_t small = (int64_t)(h >> 40) - (1 << 23);
    switch ((col_id)col) {
    case C_NUM:
        return h % 17 == 0 ? 0 : number_cell(h, buf);
    case C_NUM_INF:
        return num_inf_cell(h, buf);
    case C_INT:
        return sprintf(buf, "%" PRId64, small);
    case C_INT_NA:
        return h % 11 == 0 ? 0 : sprintf(buf, "%" PRId64, small % 50);
    case C_TEXT:
        return text_cell(h, row, buf);
    case C_BOOL:
        return sprintf(buf, row % 2 ? "false" : "True");
    case C_BOOL_NA:
        return h % 9 == 0 ? 0 : sprintf(buf, h % 2 ? "TRUE" : "False");
    case C_LATE:
        if (row == NROWS - 2)
            return sprintf(buf, "late");
        return sprintf(buf, "%" PRId64, small % 1000);
    case C_U64_NA:
        if (h % 7 == 0)
            return h % 2 ? 0 : sprintf(buf, "NA");
        return h % 3 ? sprintf(buf, "%" PRIu64, h % 10)
                     : sprintf(buf, "%" PRIu64, UINT64_MAX - h % 3);
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* Typed columns: a slice of rows as arrays, added in random calls     */

typedef struct {
    double f[NROWS];
    int64_t i[NROWS];
    uint64_t u[NROWS];
    uint8_t b[NROWS], valid[NROWS];
} typed_rows;

static void typed_cells(uint64_t seed, int col, uint64_t lo, uint64_t hi,
                        typed_rows *t)
{
    for (uint64_t r = lo; r < hi; r++) {
        uint64_t h = cell(seed, col, r), k = r - lo;
        t->f[k] = h % 29 == 0   ? NAN
                  : h % 97 == 1 ? INFINITY
                                : (double)(int64_t)(h >> 13) / 3.0;
        t->i[k] = (int64_t)(h >> 50) - 4000;
        t->u[k] = h % 4 ? h >> 48 : h;
        t->b[k] = (uint8_t)(h >> 7);
        t->valid[k] = col == T_F64 || col == T_U64 ? 1 : h % 13 != 0;
        if (col == T_F64 && h % 31 == 2)
            t->valid[k] = 0;
    }
}

static int add_typed_call(ops_col *c, int col, const typed_rows *t, size_t at,
                          size_t n, uint64_t pos)
{
    switch ((col_id)col) {
    case T_F64:
        return ops_col_add_f64(c, t->f + at, n, t->valid + at, pos);
    case T_I64_NA:
        return ops_col_add_i64(c, t->i + at, n, t->valid + at, pos);
    case T_U64:
        return ops_col_add_u64(c, t->u + at, n, NULL, pos);
    default:
        return ops_col_add_bool(c, t->b + at, n, t->valid + at, pos);
    }
}

static int add_strings(ops_col *c, const typed_rows *t, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const char *s = t->valid[k] ? words[t->u[k] % 5] : NULL;
        int rc = ops_col_add_str(c, s, s ? strlen(s) : 0, k);
        if (rc)
            return rc;
    }
    return 0;
}

/* Rows [lo, hi) at local positions 0.. in calls of random size. */
static int add_typed(ops_col *c, uint64_t seed, int col, uint64_t lo,
                     uint64_t hi, uint64_t *rng)
{
    typed_rows *t = malloc(sizeof *t);
    if (!t)
        return -1;
    typed_cells(seed, col, lo, hi, t);
    size_t n = (size_t)(hi - lo);
    int rc = 0;
    if (col == T_STR)
        rc = add_strings(c, t, n);
    for (size_t at = 0; col != T_STR && rc == 0 && (at < n || n == 0);) {
        *rng = mix64(*rng + 1);
        size_t m = 1 + (size_t)(*rng % MAX_CALL);
        m = m < n - at ? m : n - at;
        rc = add_typed_call(c, col, t, at, m, at);
        at += m;
        if (n == 0)
            break;
    }
    free(t);
    return rc;
}

/* Rows [lo, hi) of a column at local positions 0.., as pass 1 or 2. */
static int add_rows(ops_col *c, uint64_t seed, int col, uint64_t lo,
                    uint64_t hi, int text_pass, uint64_t *rng)
{
    if (col >= T_F64)
        return add_typed(c, seed, col, lo, hi, rng);
    char buf[64];
    for (uint64_t r = lo; r < hi; r++) {
        int n = field(seed, col, r, buf);
        int rc = text_pass ? ops_col_add_text(c, buf, (size_t)n, r - lo)
                           : ops_col_add(c, buf, (size_t)n, r - lo);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* One process: the plain path                                         */

static int summary_of_all(uint64_t seed, int col, ops_summary *s)
{
    uint64_t rng = seed;
    ops_col c;
    ops_col_init(&c);
    int rc = add_rows(&c, seed, col, 0, NROWS, 0, &rng);
    if (rc == 0 && ops_col_needs_text_pass(&c)) {
        ops_col_free(&c);
        ops_col_init(&c);
        rc = add_rows(&c, seed, col, 0, NROWS, 1, &rng);
    }
    if (rc == 0)
        rc = ops_col_finish(&c, pct3, 3, s);
    ops_col_free(&c);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The threads' reducer                                                */

enum { OP_SUM = 1, OP_BEST, OP_FLAT, OP_TEXT };

typedef struct {
    const char *s;
    size_t len;
    uint64_t count, first;
} candidate;

typedef struct {
    pthread_barrier_t barrier;
    unsigned nprocs;
    uint64_t seed;
    uint64_t cut[MAXP + 1];
    int failed;        /* first failing line, 0 while all is well */
    int op[MAXP];      /* the call each thread is in */
    size_t size[MAXP]; /* and its size */
    uint64_t *counts[MAXP];
    candidate cand[MAXP];
    ops_col_flat flat[MAXP];
    ops_buf text[MAXP][MAXP], na[MAXP][MAXP]; /* [sender][owner] */
    ops_summary result[MAXP][NCOLS];
} world;

typedef struct {
    world *w;
    unsigned rank;
    char *owned; /* best_text's answer */
    uint64_t rng;
} proc;

static void note_failure(world *w, int line)
{
    if (!w->failed) /* racy but only ever set from 0 to a line */
        w->failed = line;
}

/* Every thread announces its call; after the barrier all must agree. */
static void enter(proc *p, int op, size_t size)
{
    world *w = p->w;
    w->op[p->rank] = op;
    w->size[p->rank] = size;
    pthread_barrier_wait(&w->barrier);
    for (unsigned k = 0; k < w->nprocs; k++)
        if (w->op[k] != op || w->size[k] != size)
            note_failure(w, __LINE__);
}

static int sum_u64(void *ctx, uint64_t *counts, size_t n)
{
    proc *p = ctx;
    world *w = p->w;
    w->counts[p->rank] = counts;
    enter(p, OP_SUM, n);
    uint64_t *sum = calloc(n ? n : 1, sizeof *sum);
    if (!sum)
        note_failure(w, __LINE__);
    for (unsigned k = 0; sum && k < w->nprocs; k++)
        for (size_t i = 0; i < n && w->size[k] == n; i++)
            sum[i] += w->counts[k][i];
    pthread_barrier_wait(&w->barrier); /* all have read every array */
    if (sum)
        memcpy(counts, sum, n * sizeof *sum);
    free(sum);
    return sum ? 0 : -1;
}

static int ranks_above(const candidate *a, const candidate *b)
{
    if (a->count != b->count)
        return a->count > b->count;
    return a->first < b->first;
}

static int best_text(void *ctx, const char **s, size_t *len, uint64_t *count,
                     uint64_t *first)
{
    proc *p = ctx;
    world *w = p->w;
    w->cand[p->rank] = (candidate){*s, *len, *count, *first};
    enter(p, OP_BEST, 0);
    candidate best = {NULL, 0, 0, UINT64_MAX};
    for (unsigned k = 0; k < w->nprocs; k++)
        if (w->cand[k].count && ranks_above(&w->cand[k], &best))
            best = w->cand[k];
    free(p->owned);
    p->owned = malloc(best.len + 1);
    if (p->owned && best.count)
        memcpy(p->owned, best.s, best.len);
    pthread_barrier_wait(&w->barrier); /* candidates may change now */
    if (!p->owned)
        return -1;
    *s = best.count ? p->owned : NULL;
    *len = best.len;
    *count = best.count;
    *first = best.first;
    return 0;
}

/* ------------------------------------------------------------------ */
/* One thread's steps                                                  */

/* Every flat merged in this thread's own rotation, then adopted. */
static void combine(proc *p, ops_col *c)
{
    world *w = p->w;
    ops_col_flatten(c, &w->flat[p->rank]);
    enter(p, OP_FLAT, 0);
    ops_col_flat *g = malloc(sizeof *g);
    if (!g) {
        note_failure(w, __LINE__);
        pthread_barrier_wait(&w->barrier);
        return;
    }
    *g = w->flat[p->rank];
    for (unsigned k = 1; k < w->nprocs; k++)
        ops_col_flat_merge(g, &w->flat[(p->rank + k) % w->nprocs]);
    pthread_barrier_wait(&w->barrier);
    ops_col_adopt(c, g);
    free(g);
}

static void unpack_from_all(proc *p, ops_buf bufs[MAXP][MAXP],
                            ops_distinct **into)
{
    world *w = p->w;
    for (unsigned s = 0; s < w->nprocs; s++) {
        const ops_buf *b = &bufs[s][p->rank];
        if (ops_distinct_unpack(into, b->data, b->len))
            note_failure(w, __LINE__);
    }
}

/* The text tables go to the owners of their values. */
static void exchange_text(proc *p, ops_col *c)
{
    world *w = p->w;
    unsigned r = p->rank;
    if (ops_distinct_pack(c->text, w->nprocs, w->text[r]) ||
        ops_distinct_pack(c->na_text, w->nprocs, w->na[r]))
        note_failure(w, __LINE__);
    enter(p, OP_TEXT, 0);
    ops_distinct *text = NULL, *na = NULL;
    unpack_from_all(p, w->text, &text);
    unpack_from_all(p, w->na, &na);
    pthread_barrier_wait(&w->barrier); /* every owner has read */
    for (unsigned k = 0; k < w->nprocs; k++) {
        ops_buf_free(&w->text[r][k]);
        ops_buf_free(&w->na[r][k]);
    }
    ops_distinct_free(c->text);
    ops_distinct_free(c->na_text);
    c->text = text;
    c->na_text = na;
}

static void local_partial(proc *p, int col, int text_pass, ops_col *c)
{
    world *w = p->w;
    uint64_t lo = w->cut[p->rank], hi = w->cut[p->rank + 1];
    ops_col_init(c);
    if (add_rows(c, w->seed, col, lo, hi, text_pass, &p->rng))
        note_failure(w, __LINE__);
    ops_col_shift(c, lo);
}

static void run_column(proc *p, int col)
{
    world *w = p->w;
    ops_col c;
    local_partial(p, col, 0, &c);
    combine(p, &c);
    if (ops_col_needs_text_pass(&c)) {
        ops_col_free(&c);
        local_partial(p, col, 1, &c);
        combine(p, &c);
    }
    if (ops_col_dtype(&c) == OPS_DT_OBJECT)
        exchange_text(p, &c);
    if (ops_col_finish_reduced(&c, pct3, 3,
                               &(ops_reducer){sum_u64, best_text, p},
                               &w->result[p->rank][col]))
        note_failure(w, __LINE__);
    ops_col_free(&c);
}

static void *process_main(void *arg)
{
    proc *p = arg;
    for (int col = 0; col < NCOLS; col++)
        run_column(p, col);
    free(p->owned);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The runs (main thread only)                                         */

static uint64_t test_seed(void)
{
    const char *env = getenv("DFSUM_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : 20240611;
    printf("test_ops_reduce: seed %" PRIu64 " (DFSUM_SEED replays)\n", seed);
    return seed;
}

/* Random cuts, empty slices allowed. */
static void random_cuts(world *w, uint64_t *rng)
{
    w->cut[0] = 0;
    w->cut[w->nprocs] = NROWS;
    for (unsigned k = 1; k < w->nprocs; k++) {
        *rng = mix64(*rng + k);
        w->cut[k] = *rng % (NROWS + 1);
    }
    for (unsigned a = 1; a < w->nprocs; a++) /* insertion sort */
        for (unsigned b = a; b > 1 && w->cut[b - 1] > w->cut[b]; b--) {
            uint64_t t = w->cut[b];
            w->cut[b] = w->cut[b - 1];
            w->cut[b - 1] = t;
        }
}

static void run_world(world *w)
{
    pthread_t th[MAXP];
    proc procs[MAXP];
    assert_int_equal(pthread_barrier_init(&w->barrier, NULL, w->nprocs), 0);
    for (unsigned k = 0; k < w->nprocs; k++) {
        procs[k] = (proc){w, k, NULL, mix64(w->seed + k)};
        assert_int_equal(pthread_create(&th[k], NULL, process_main, &procs[k]),
                         0);
    }
    for (unsigned k = 0; k < w->nprocs; k++)
        pthread_join(th[k], NULL);
    pthread_barrier_destroy(&w->barrier);
}

static void test_threads_match_one_process(void **state)
{
    (void)state;
    uint64_t seed = test_seed(), rng = seed;
    ops_summary want[NCOLS];
    world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    for (int round = 0; round < ROUNDS; round++) {
        w->seed = mix64(seed + (uint64_t)round);
        for (int col = 0; col < NCOLS; col++)
            assert_int_equal(summary_of_all(w->seed, col, &want[col]), 0);
        for (unsigned np = 1; np <= MAXP; np++) {
            w->nprocs = np;
            random_cuts(w, &rng);
            run_world(w);
            assert_int_equal(w->failed, 0);
            for (unsigned k = 0; k < np; k++)
                for (int col = 0; col < NCOLS; col++) {
                    same_summary(&w->result[k][col], &want[col]);
                    ops_summary_free(&w->result[k][col]);
                }
        }
        for (int col = 0; col < NCOLS; col++)
            ops_summary_free(&want[col]);
    }
    free(w);
}

/* The columns are what they claim to be (the test tests something). */
static void test_columns_cover_the_cases(void **state)
{
    (void)state;
    static const ops_dtype dt[NCOLS] = {
        OPS_DT_FLOAT64, OPS_DT_FLOAT64, OPS_DT_INT64,   OPS_DT_FLOAT64,
        OPS_DT_OBJECT,  OPS_DT_BOOL,    OPS_DT_OBJECT,  OPS_DT_OBJECT,
        OPS_DT_OBJECT,  OPS_DT_FLOAT64, OPS_DT_FLOAT64, OPS_DT_FLOAT64,
        OPS_DT_UINT64,  OPS_DT_OBJECT,  OPS_DT_OBJECT};
    ops_summary s;
    for (int col = 0; col < NCOLS; col++) {
        assert_int_equal(summary_of_all(7, col, &s), 0);
        assert_int_equal(s.dtype, dt[col]);
        if (col == C_U64_NA)
            assert_int_equal(s.count, NROWS); /* missing counted as text */
        if (col == C_NUM_INF)
            assert_true(isnan(s.mean));
        ops_summary_free(&s);
    }
}

/* ------------------------------------------------------------------ */
/* Single-threaded pieces                                              */

static int collect(void *ctx, const char *s, size_t n, uint64_t count,
                   uint64_t first_pos)
{
    ops_distinct *d = ctx;
    return ops_distinct_add_n(d, s, n, count, first_pos);
}

/* Packs a into 3 parts, checks owners, unpacks the concatenation. */
static void test_pack_round_trip(void **state)
{
    (void)state;
    ops_distinct *a = ops_distinct_new(), *back = NULL;
    assert_non_null(a);
    char buf[32];
    for (int i = 0; i < 500; i++) {
        int n = sprintf(buf, "v%d", i % 97);
        assert_int_equal(ops_distinct_add(a, buf, (size_t)n, 1000 - i), 0);
    }
    assert_int_equal(ops_distinct_add(a, "", 0, 5), 0);
    ops_buf out[3] = {{0}};
    assert_int_equal(ops_distinct_pack(a, 3, out), 0);
    assert_int_equal(ops_distinct_pack(NULL, 3, out), 0);
    ops_buf all = {0};
    for (unsigned k = 0; k < 3; k++) {
        ops_distinct *part = NULL;
        assert_int_equal(ops_distinct_unpack(&part, out[k].data, out[k].len),
                         0);
        /* every value in part k is owned by k */
        ops_buf one[3] = {{0}};
        assert_int_equal(ops_distinct_pack(part, 3, one), 0);
        for (unsigned j = 0; j < 3; j++)
            assert_true(j == k || one[j].len == 0);
        for (unsigned j = 0; j < 3; j++)
            ops_buf_free(&one[j]);
        ops_distinct_free(part);
        all.data = realloc(all.data, all.len + out[k].len + 1);
        assert_non_null(all.data);
        if (out[k].len)
            memcpy(all.data + all.len, out[k].data, out[k].len);
        all.len += out[k].len;
        ops_buf_free(&out[k]);
    }
    assert_int_equal(ops_distinct_unpack(&back, all.data, all.len), 0);
    assert_int_equal(ops_distinct_unique(back), 98);
    size_t len;
    uint64_t freq;
    const char *top = ops_distinct_top(back, &len, &freq);
    const char *want = ops_distinct_top(a, NULL, NULL);
    assert_int_equal(freq, 6);
    assert_memory_equal(top, want, len);
    /* a itself merged with the unpacked copy doubles every count */
    ops_distinct *twice = ops_distinct_new();
    assert_int_equal(ops_distinct_each(a, collect, twice), 0);
    assert_int_equal(ops_distinct_absorb(twice, back), 0);
    ops_distinct_top(twice, NULL, &freq);
    assert_int_equal(freq, 12);
    ops_buf_free(&all);
    ops_distinct_free(twice);
    ops_distinct_free(back);
    ops_distinct_free(a);
}

static void test_owner_matches_pack(void **state)
{
    (void)state;
    ops_distinct *d = ops_distinct_new();
    assert_non_null(d);
    assert_int_equal(ops_distinct_add(d, "xyz", 3, 0), 0);
    for (unsigned parts = 1; parts <= 7; parts++) {
        ops_buf out[7] = {{0}};
        assert_int_equal(ops_distinct_pack(d, parts, out), 0);
        unsigned owner = ops_distinct_owner("xyz", 3, parts);
        assert_true(owner < parts);
        assert_int_equal(out[owner].len, 24 + 3);
        for (unsigned k = 0; k < parts; k++)
            ops_buf_free(&out[k]);
    }
    assert_int_equal(ops_distinct_owner("", 0, 1), 0);
    ops_distinct_free(d);
}

static void put_le(char *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (char)(x >> (8 * i));
}

/* Truncated heads, lengths past the end and zero counts are refused
 * before anything is added. */
static void test_unpack_malformed(void **state)
{
    (void)state;
    char buf[64] = {0};
    ops_distinct *d = NULL;
    put_le(buf, 3);
    put_le(buf + 8, 2);
    put_le(buf + 16, 9);
    memcpy(buf + 24, "abc", 3);
    assert_int_equal(ops_distinct_unpack(&d, buf, 27), 0);
    assert_int_equal(ops_distinct_unpack(&d, buf, 26), -2);
    assert_int_equal(ops_distinct_unpack(&d, buf, 23), -2);
    assert_int_equal(ops_distinct_unpack(&d, buf, 30), -2);
    put_le(buf, UINT64_MAX);
    assert_int_equal(ops_distinct_unpack(&d, buf, 27), -2);
    put_le(buf, 3);
    put_le(buf + 8, 0);
    assert_int_equal(ops_distinct_unpack(&d, buf, 27), -2);
    assert_int_equal(ops_distinct_unpack(&d, NULL, 5), -2);
    assert_int_equal(ops_distinct_unpack(&d, NULL, 0), 0);
    assert_int_equal(ops_distinct_unique(d), 1);
    size_t len;
    uint64_t freq;
    const char *top = ops_distinct_top(d, &len, &freq);
    assert_int_equal(len, 3);
    assert_memory_equal(top, "abc", 3);
    assert_int_equal(freq, 2);
    ops_distinct_free(d);
}

static int first_of(void *ctx, const char *s, size_t n, uint64_t count,
                    uint64_t first_pos)
{
    (void)s;
    (void)n;
    (void)count;
    *(uint64_t *)ctx = first_pos;
    return 0;
}

static void test_shift(void **state)
{
    (void)state;
    ops_col c;
    ops_col_init(&c);
    assert_int_equal(ops_col_add(&c, "True", 4, 3), 0);
    ops_col_shift(&c, 100);
    assert_int_equal(c.bools.first_true, 103);
    assert_int_equal(c.bools.first_false, UINT64_MAX);
    assert_int_equal(ops_col_add(&c, "x", 1, 2), 0);
    ops_col_shift(&c, 10);
    uint64_t first = 0;
    ops_distinct_each(c.text, first_of, &first);
    assert_int_equal(first, 12);
    ops_distinct_shift(NULL, 5);
    ops_col_free(&c);
}

/* Flats merged in any order are the same bytes; adopting them into an
 * empty partial gives its dtype and counts. */
static void test_flat_merge_order(void **state)
{
    (void)state;
    ops_col c[3];
    ops_col_flat f[3], ab, ba;
    const char *v[3] = {"1.5", "-2", "7"};
    for (int k = 0; k < 3; k++) {
        ops_col_init(&c[k]);
        assert_int_equal(ops_col_add(&c[k], v[k], strlen(v[k]), 0), 0);
        assert_int_equal(ops_col_add(&c[k], "", 0, 1), 0);
        ops_col_flatten(&c[k], &f[k]);
    }
    ab = f[0];
    ops_col_flat_merge(&ab, &f[1]);
    ops_col_flat_merge(&ab, &f[2]);
    ba = f[2];
    ops_col_flat_merge(&ba, &f[0]);
    ops_col_flat_merge(&ba, &f[1]);
    /* the exact sums' slots are not canonical bytes, their values are */
    assert_memory_equal(&ab, &ba, offsetof(ops_col_flat, sums));
    same_double(ops_exact_mean(&ab.sums, 3), ops_exact_mean(&ba.sums, 3));
    same_double(ops_exact_var(&ab.sums, 3), ops_exact_var(&ba.sums, 3));
    same_double(ops_exact_mean(&ab.sums, 3), 6.5 / 3);
    assert_int_equal(ab.n_rows, 6);
    assert_int_equal(ab.n_na, 3);
    ops_col_adopt(&c[2], &ab); /* int64 values become float64 ones */
    assert_int_equal(ops_col_dtype(&c[2]), OPS_DT_FLOAT64);
    assert_int_equal(c[2].rep, OPS_REP_F64);
    for (int k = 0; k < 3; k++)
        ops_col_free(&c[k]);
}

static void test_null_reducer_is_finish(void **state)
{
    (void)state;
    ops_col a, b;
    ops_summary sa, sb;
    ops_col_init(&a);
    ops_col_init(&b);
    const char *v[4] = {"3", "1", "", "2.5"};
    for (uint64_t k = 0; k < 4; k++) {
        assert_int_equal(ops_col_add(&a, v[k], strlen(v[k]), k), 0);
        assert_int_equal(ops_col_add(&b, v[k], strlen(v[k]), k), 0);
    }
    assert_int_equal(ops_col_finish(&a, pct3, 3, &sa), 0);
    assert_int_equal(ops_col_finish_reduced(&b, pct3, 3, NULL, &sb), 0);
    same_summary(&sa, &sb);
    ops_summary_free(&sa);
    ops_summary_free(&sb);
    ops_col_free(&a);
    ops_col_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pack_round_trip),
        cmocka_unit_test(test_owner_matches_pack),
        cmocka_unit_test(test_unpack_malformed),
        cmocka_unit_test(test_shift),
        cmocka_unit_test(test_flat_merge_order),
        cmocka_unit_test(test_null_reducer_is_finish),
        cmocka_unit_test(test_columns_cover_the_cases),
        cmocka_unit_test(test_threads_match_one_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
