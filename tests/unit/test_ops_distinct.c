/*
 * test_ops_distinct.c - the distinct table (counts, first positions, top
 * with its first-seen tie-break, merge in any grouping) and the UTF-8 check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

/* One entry as ops_distinct_each reports it, with its own copy of the
 * bytes, so whole tables can be sorted and compared. */
typedef struct {
    char *s;
    size_t n;
    uint64_t count, first;
} snap_entry;

typedef struct {
    snap_entry *e;
    size_t n, cap;
} snapshot;

static int snap_one(void *ctx, const char *s, size_t n, uint64_t count,
                    uint64_t first)
{
    snapshot *sn = ctx;
    if (sn->n == sn->cap) {
        sn->cap = sn->cap ? 2 * sn->cap : 64;
        sn->e = realloc(sn->e, sn->cap * sizeof *sn->e);
        assert_non_null(sn->e);
    }
    snap_entry *e = &sn->e[sn->n++];
    e->s = malloc(n + 1);
    assert_non_null(e->s);
    memcpy(e->s, s, n);
    e->s[n] = '\0'; /* read with atoi below */
    e->n = n;
    e->count = count;
    e->first = first;
    return 0;
}

static int snap_cmp(const void *a, const void *b)
{
    const snap_entry *x = a, *y = b;
    size_t m = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->s, y->s, m);
    if (c)
        return c;
    return (x->n > y->n) - (x->n < y->n);
}

static snapshot take_snapshot(const ops_distinct *d)
{
    snapshot sn = {NULL, 0, 0};
    assert_int_equal(ops_distinct_each(d, snap_one, &sn), 0);
    if (sn.n)
        qsort(sn.e, sn.n, sizeof *sn.e, snap_cmp);
    return sn;
}

static void snapshot_free(snapshot *sn)
{
    for (size_t i = 0; i < sn->n; i++)
        free(sn->e[i].s);
    free(sn->e);
}

/* Nonzero when x ranks above y for top: count descending, then first
 * position, then the bytes (a prefix first). */
static int snap_above(const snap_entry *x, const snap_entry *y)
{
    if (x->count != y->count)
        return x->count > y->count;
    if (x->first != y->first)
        return x->first < y->first;
    return snap_cmp(x, y) < 0;
}

/* ops_distinct_top, which a large table keeps as values come, is the best
 * of sn, a walk over every value of d. */
static void assert_top_of(const ops_distinct *d, const snapshot *sn)
{
    const snap_entry *best = NULL;
    for (size_t i = 0; i < sn->n; i++)
        if (!best || snap_above(&sn->e[i], best))
            best = &sn->e[i];
    size_t len;
    uint64_t freq;
    const char *top = ops_distinct_top(d, &len, &freq);
    if (!best) {
        assert_null(top);
    } else {
        assert_non_null(top);
        assert_int_equal(len, best->n);
        assert_memory_equal(top, best->s, len);
        assert_int_equal(freq, best->count);
    }
}

static void assert_top_is_best(const ops_distinct *d)
{
    snapshot sn = take_snapshot(d);
    assert_top_of(d, &sn);
    snapshot_free(&sn);
}

/* The same values, counts, first positions, top and unique; each top the
 * best of its table's values. */
static void assert_same_table(const ops_distinct *a, const ops_distinct *b)
{
    snapshot x = take_snapshot(a), y = take_snapshot(b);
    assert_top_of(a, &x);
    assert_top_of(b, &y);
    assert_int_equal(x.n, y.n);
    for (size_t i = 0; i < x.n; i++) {
        assert_int_equal(x.e[i].n, y.e[i].n);
        assert_memory_equal(x.e[i].s, y.e[i].s, x.e[i].n);
        assert_int_equal(x.e[i].count, y.e[i].count);
        assert_int_equal(x.e[i].first, y.e[i].first);
    }
    snapshot_free(&x);
    snapshot_free(&y);
    size_t la, lb;
    uint64_t fa, fb;
    const char *ta = ops_distinct_top(a, &la, &fa);
    const char *tb = ops_distinct_top(b, &lb, &fb);
    assert_int_equal(la, lb);
    assert_int_equal(fa, fb);
    if (ta || tb) {
        assert_non_null(ta);
        assert_non_null(tb);
        assert_memory_equal(ta, tb, la);
    }
    assert_int_equal(ops_distinct_unique(a), ops_distinct_unique(b));
}

static ops_distinct *new_table(void)
{
    ops_distinct *d = ops_distinct_new();
    assert_non_null(d);
    return d;
}

static void add_str(ops_distinct *d, const char *s, uint64_t pos)
{
    assert_int_equal(ops_distinct_add(d, s, strlen(s), pos), 0);
}

static void assert_top(const ops_distinct *d, const char *want,
                       uint64_t want_freq)
{
    size_t len;
    uint64_t freq;
    const char *top = ops_distinct_top(d, &len, &freq);
    assert_non_null(top);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(top, want, len);
    assert_int_equal(freq, want_freq);
}

static int count_entries(void *ctx, const char *s, size_t n, uint64_t count,
                         uint64_t first)
{
    (void)s;
    (void)n;
    (void)count;
    (void)first;
    (*(int *)ctx)++;
    return 0;
}

static void test_empty_table(void **state)
{
    (void)state;
    ops_distinct *d = new_table();
    size_t len = 99;
    uint64_t freq = 99;
    assert_null(ops_distinct_top(d, &len, &freq));
    assert_int_equal(len, 0);
    assert_int_equal(freq, 0);
    assert_int_equal(ops_distinct_unique(d), 0);
    int visits = 0;
    assert_int_equal(ops_distinct_each(d, count_entries, &visits), 0);
    assert_int_equal(visits, 0);
    /* Merging empties stays empty; count 0 adds nothing. */
    ops_distinct *e = new_table();
    assert_int_equal(ops_distinct_absorb(d, e), 0);
    assert_int_equal(ops_distinct_add_n(d, "x", 1, 0, 5), 0);
    assert_int_equal(ops_distinct_unique(d), 0);
    ops_distinct_free(d);
    ops_distinct_free(e);
    ops_distinct_free(NULL);
}

/* The oracle's ties_for_top: b a b a c -> top b (seen first), freq 2. */
static void test_tie_goes_to_first_seen(void **state)
{
    (void)state;
    ops_distinct *d = new_table();
    const char *vals[] = {"b", "a", "b", "a", "c"};
    for (uint64_t i = 0; i < 5; i++)
        add_str(d, vals[i], i);
    assert_int_equal(ops_distinct_unique(d), 3);
    assert_top(d, "b", 2);
    /* Positions, not insertion order, decide: "a" gets an earlier one. */
    add_str(d, "a", 1000);
    assert_top(d, "a", 3);
    ops_distinct *e = new_table();
    assert_int_equal(ops_distinct_add_n(e, "z", 1, 3, 7), 0);
    assert_int_equal(ops_distinct_add_n(e, "y", 1, 3, 2), 0);
    assert_int_equal(ops_distinct_add_n(e, "z", 1, 0, 0), 0);
    assert_top(e, "y", 3);
    assert_int_equal(ops_distinct_add_n(e, "z", 1, 1, 1), 0);
    assert_top(e, "z", 4);
    ops_distinct_free(d);
    ops_distinct_free(e);
}

/* Equal count and equal first position still give one answer (the
 * bytewise smaller value), whatever the insertion order. */
static void test_total_tie_is_deterministic(void **state)
{
    (void)state;
    ops_distinct *a = new_table(), *b = new_table();
    char buf[16];
    for (int i = 0; i < 200; i++) {
        snprintf(buf, sizeof buf, "v%03d", i);
        assert_int_equal(ops_distinct_add_n(a, buf, 4, 2, 5), 0);
        snprintf(buf, sizeof buf, "v%03d", 199 - i);
        assert_int_equal(ops_distinct_add_n(b, buf, 4, 2, 5), 0);
    }
    assert_top(a, "v000", 2);
    assert_top(b, "v000", 2);
    /* A prefix ranks before the longer value. */
    ops_distinct *c = new_table();
    assert_int_equal(ops_distinct_add_n(c, "ab", 2, 1, 0), 0);
    assert_int_equal(ops_distinct_add_n(c, "a", 1, 1, 0), 0);
    assert_top(c, "a", 1);
    ops_distinct_free(a);
    ops_distinct_free(b);
    ops_distinct_free(c);
}

static void test_embedded_nul_and_empty(void **state)
{
    (void)state;
    ops_distinct *d = new_table();
    assert_int_equal(ops_distinct_add(d, "a\0b", 3, 0), 0);
    assert_int_equal(ops_distinct_add(d, "a\0c", 3, 1), 0);
    assert_int_equal(ops_distinct_add(d, "a", 1, 2), 0);
    assert_int_equal(ops_distinct_add(d, "a\0c", 3, 3), 0);
    assert_int_equal(ops_distinct_add(d, NULL, 0, 4), 0);
    assert_int_equal(ops_distinct_add(d, "", 0, 5), 0);
    assert_int_equal(ops_distinct_add(d, "", 0, 6), 0);
    assert_int_equal(ops_distinct_unique(d), 4);
    size_t len;
    uint64_t freq;
    const char *top = ops_distinct_top(d, &len, &freq);
    /* "" has 3, "a\0c" 2. */
    assert_non_null(top);
    assert_int_equal(len, 0);
    assert_int_equal(freq, 3);
    assert_int_equal(ops_distinct_add(d, "a\0c", 3, 9), 0);
    assert_int_equal(ops_distinct_add(d, "a\0c", 3, 9), 0);
    top = ops_distinct_top(d, &len, &freq);
    assert_int_equal(len, 3);
    assert_memory_equal(top, "a\0c", 3);
    assert_int_equal(freq, 4);
    ops_distinct_free(d);
}

/* Many distinct values force repeated growth; every count must survive. */
static void test_growth_keeps_counts(void **state)
{
    (void)state;
    ops_distinct *d = new_table();
    enum { N = 100000 };
    char buf[32];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N; i++) {
            if (round == 2 && i % 2)
                continue;
            int len = snprintf(buf, sizeof buf, "value-%d", i);
            assert_int_equal(ops_distinct_add(d, buf, (size_t)len,
                                              (uint64_t)(round * N + i)),
                             0);
        }
    }
    assert_int_equal(ops_distinct_unique(d), N);
    snapshot sn = take_snapshot(d);
    assert_int_equal(sn.n, N);
    uint64_t total = 0;
    for (size_t i = 0; i < sn.n; i++) {
        int v = atoi(sn.e[i].s + 6);
        assert_int_equal(sn.e[i].count, v % 2 ? 2 : 3);
        assert_int_equal(sn.e[i].first, (uint64_t)v);
        total += sn.e[i].count;
    }
    assert_int_equal(total, 2 * N + N / 2);
    snapshot_free(&sn);
    assert_top(d, "value-0", 3);
    ops_distinct_free(d);
}

/* A value bigger than an arena block gets its own block; small values
 * around it keep working. */
static void test_large_values(void **state)
{
    (void)state;
    ops_distinct *d = new_table();
    size_t big = 3u << 20;
    char *s = malloc(big);
    assert_non_null(s);
    memset(s, 'x', big);
    add_str(d, "small", 0);
    assert_int_equal(ops_distinct_add(d, s, big, 1), 0);
    add_str(d, "small2", 2);
    s[big - 1] = 'y';
    assert_int_equal(ops_distinct_add(d, s, big, 3), 0);
    assert_int_equal(ops_distinct_add(d, s, big, 4), 0);
    assert_int_equal(ops_distinct_unique(d), 4);
    size_t len;
    uint64_t freq;
    const char *top = ops_distinct_top(d, &len, &freq);
    assert_int_equal(len, big);
    assert_int_equal(freq, 2);
    assert_memory_equal(top, s, big);
    free(s);
    ops_distinct_free(d);
}

static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

enum { PARTS = 6, PART_ROWS = 3000, PART_VALUES = 150 };

/* Deals rows values (of `values` distinct ones) at random over
 * part[0..PARTS) (new tables), the same way for the same seed, and adds
 * them all to whole when not NULL. */
static void deal_n(ops_distinct **part, uint64_t seed, ops_distinct *whole,
                   uint64_t rows, unsigned values)
{
    uint64_t rng = seed;
    char buf[16];
    for (int k = 0; k < PARTS; k++)
        part[k] = new_table();
    for (uint64_t pos = 0; pos < rows; pos++) {
        int len = snprintf(buf, sizeof buf, "%u",
                           (unsigned)(next_rand(&rng) % values));
        size_t k = next_rand(&rng) % PARTS;
        assert_int_equal(ops_distinct_add(part[k], buf, (size_t)len, pos), 0);
        if (whole)
            assert_int_equal(ops_distinct_add(whole, buf, (size_t)len, pos), 0);
    }
}

static void deal(ops_distinct **part, uint64_t seed, ops_distinct *whole)
{
    deal_n(part, seed, whole, PART_ROWS, PART_VALUES);
}

static void free_parts(ops_distinct **part)
{
    for (int k = 0; k < PARTS; k++)
        ops_distinct_free(part[k]);
}

/* The same multiset of (value, position) spread over k tables, merged in
 * different orders and groupings, gives identical tables and top; the
 * merged tables are left empty, and still free cleanly. */
static void test_merge_any_grouping(void **state)
{
    (void)state;
    for (uint64_t trial = 0; trial < 20; trial++) {
        uint64_t seed = 0x9e3779b97f4a7c15ull + trial;
        ops_distinct *a[PARTS], *b[PARTS], *c[PARTS], *whole = new_table();
        deal(a, seed, whole);
        deal(b, seed, NULL);
        deal(c, seed, NULL);
        /* Left fold in order, right fold in reverse, and a tree. */
        ops_distinct *left = new_table(), *right = new_table();
        for (int k = 0; k < PARTS; k++) {
            assert_int_equal(ops_distinct_absorb(left, a[k]), 0);
            assert_int_equal(ops_distinct_unique(a[k]), 0);
            assert_int_equal(ops_distinct_absorb(right, b[PARTS - 1 - k]), 0);
        }
        assert_int_equal(ops_distinct_absorb(c[0], c[1]), 0);
        assert_int_equal(ops_distinct_absorb(c[2], c[3]), 0);
        assert_int_equal(ops_distinct_absorb(c[5], c[4]), 0);
        assert_int_equal(ops_distinct_absorb(c[2], c[5]), 0);
        assert_int_equal(ops_distinct_absorb(c[2], c[0]), 0);
        if (ops_distinct_unique(left) != ops_distinct_unique(whole))
            fprintf(stderr, "seed %llu\n", (unsigned long long)seed);
        assert_same_table(left, whole);
        assert_same_table(right, whole);
        assert_same_table(c[2], whole);
        /* Into a full table the counts add: right now holds twice the
         * values, as whole merged into itself does. */
        assert_int_equal(ops_distinct_absorb(right, left), 0);
        assert_int_equal(ops_distinct_absorb(whole, whole), 0);
        assert_same_table(right, whole);
        free_parts(a);
        free_parts(b);
        free_parts(c);
        ops_distinct_free(whole);
        ops_distinct_free(left);
        ops_distinct_free(right);
    }
}

/* The merge of the engine: each part begun, then every part's shard s
 * into one table, shards in a random order, then the ends; the same table
 * as one fold, whatever the order. Values repeat across parts (counts
 * add) and tie (the first position decides). The large deal makes parts
 * of about OPS_DISTINCT_SPLIT_AT values, so some have split into shards
 * and some have not. */
static void merge_shard_by_shard(uint64_t seed, uint64_t rows, unsigned values)
{
    uint64_t rng = seed;
    ops_distinct *a[PARTS], *whole = new_table(), *into = new_table();
    deal_n(a, seed, whole, rows, values);
    unsigned order[OPS_DISTINCT_SHARDS];
    for (unsigned s = 0; s < OPS_DISTINCT_SHARDS; s++)
        order[s] = s;
    for (unsigned s = OPS_DISTINCT_SHARDS - 1; s > 0; s--) {
        unsigned k = (unsigned)(next_rand(&rng) % (s + 1)), t = order[s];
        order[s] = order[k];
        order[k] = t;
    }
    for (int k = 0; k < PARTS; k++)
        assert_int_equal(ops_distinct_absorb_begin(into, a[k]), 0);
    for (unsigned s = 0; s < OPS_DISTINCT_SHARDS; s++)
        for (int k = 0; k < PARTS; k++)
            assert_int_equal(ops_distinct_absorb_shard(into, a[k], order[s]),
                             0);
    for (int k = 0; k < PARTS; k++) {
        assert_int_equal(ops_distinct_unique(a[k]), 0);
        ops_distinct_absorb_end(into, a[k]);
    }
    if (ops_distinct_unique(into) != ops_distinct_unique(whole))
        fprintf(stderr, "seed %llu\n", (unsigned long long)seed);
    assert_same_table(into, whole);
    /* Into an empty table every value arrives new, none rises. */
    ops_distinct *moved = new_table();
    assert_int_equal(ops_distinct_absorb(moved, into), 0);
    assert_same_table(moved, whole);
    free_parts(a);
    ops_distinct_free(whole);
    ops_distinct_free(into);
    ops_distinct_free(moved);
}

static void test_merge_shard_by_shard(void **state)
{
    (void)state;
    for (uint64_t trial = 0; trial < 20; trial++)
        merge_shard_by_shard(0x51ed2701a3b5c8d9ull + trial, PART_ROWS,
                             PART_VALUES);
    /* Parts of about 1.2 S rows over 3.33 S values: S distinct values
     * each, give or take a few hundred (S = OPS_DISTINCT_SPLIT_AT). */
    uint64_t split = OPS_DISTINCT_SPLIT_AT;
    merge_shard_by_shard(0x7f4a7c159e3779b9ull, PARTS * split * 6 / 5,
                         (unsigned)(10 * split / 3));
}

/* The top is kept while a table splits into shards (the top value is not
 * seen again after), and after its positions shift (a value that then
 * ties the top's count wins by its shifted first position). */
static void test_top_kept_through_split_and_shift(void **state)
{
    (void)state;
    ops_distinct *d = new_table();
    for (uint64_t i = 0; i < 5; i++)
        add_str(d, "early", 100 + i);
    char buf[16];
    for (uint64_t i = 0; i < OPS_DISTINCT_SPLIT_AT + 100; i++) {
        snprintf(buf, sizeof buf, "v%llu", (unsigned long long)i);
        add_str(d, buf, 200 + i);
    }
    assert_top(d, "early", 5);
    assert_top_is_best(d);
    ops_distinct_free(d);

    d = new_table();
    add_str(d, "a", 10);
    add_str(d, "a", 11);
    add_str(d, "b", 5);
    assert_top(d, "a", 2);
    ops_distinct_shift(d, 100); /* a first at 110, b at 105 */
    add_str(d, "b", 300);
    assert_top(d, "b", 2);
    assert_top_is_best(d);
    ops_distinct_free(d);
}

/* A table split into shards and one that is not, merged either way. */
static void test_merge_split_with_whole(void **state)
{
    (void)state;
    ops_distinct *big = new_table(), *small = new_table(), *whole = new_table();
    char buf[16];
    const uint64_t values = OPS_DISTINCT_SPLIT_AT + 1000;
    for (uint64_t i = 0; i < 2 * values; i++) { /* each value twice */
        snprintf(buf, sizeof buf, "b%llu", (unsigned long long)(i % values));
        add_str(big, buf, i);
        add_str(whole, buf, i);
    }
    for (uint64_t i = 0; i < 3000; i++) { /* half of them in big too */
        int n = snprintf(buf, sizeof buf, "b%llu",
                         (unsigned long long)(i * 13 % 2000 + values - 1000));
        assert_int_equal(
            ops_distinct_add(small, buf, (size_t)n, 3 * values + i), 0);
        assert_int_equal(
            ops_distinct_add(whole, buf, (size_t)n, 3 * values + i), 0);
    }
    ops_distinct *big2 = new_table(), *small2 = new_table();
    assert_int_equal(ops_distinct_absorb(big2, big), 0);
    assert_int_equal(ops_distinct_absorb(small2, small), 0);
    assert_int_equal(ops_distinct_absorb(big2, small2), 0); /* split <- one */
    assert_same_table(big2, whole);
    ops_distinct *one = new_table();
    snprintf(buf, sizeof buf, "b%llu", (unsigned long long)(values - 1000));
    add_str(one, buf, 0); /* now first seen, and one more */
    assert_int_equal(ops_distinct_absorb(one, big2), 0); /* one <- split */
    add_str(whole, buf, 0);
    assert_same_table(one, whole);
    assert_top(whole, buf, 5); /* 2 + 2 + 1 */
    ops_distinct_free(big);
    ops_distinct_free(small);
    ops_distinct_free(big2);
    ops_distinct_free(small2);
    ops_distinct_free(one);
    ops_distinct_free(whole);
}

/* ops_distinct_add_run in runs of random length (empty values and
 * values that grow the table among them) builds the same table as
 * ops_distinct_add value by value. */
static void test_add_run_same_as_add(void **state)
{
    (void)state;
    enum { ROWS = 50000, MAX_RUN = 200 };
    uint64_t rng = 0x2545f4914f6cdd1dull;
    static char bytes[ROWS][24];
    ops_text *v = malloc(ROWS * sizeof *v);
    assert_non_null(v);
    ops_distinct *one = new_table(), *runs = new_table();
    for (size_t i = 0; i < ROWS; i++) {
        uint64_t r = next_rand(&rng);
        int len = r % 10 == 0 ? 0
                              : snprintf(bytes[i], sizeof bytes[i], "v%u",
                                         (unsigned)(r >> 8) % 20000);
        v[i] = (ops_text){bytes[i], (size_t)len, i};
        assert_int_equal(ops_distinct_add(one, bytes[i], (size_t)len, i), 0);
    }
    for (size_t i = 0; i < ROWS;) {
        size_t n = next_rand(&rng) % MAX_RUN; /* 0 too */
        n = n < ROWS - i ? n : ROWS - i;
        assert_int_equal(ops_distinct_add_run(runs, v + i, n), 0);
        i += n;
    }
    assert_same_table(one, runs);
    ops_distinct_free(one);
    ops_distinct_free(runs);
    free(v);
}

static void test_merge_into_itself_doubles(void **state)
{
    (void)state;
    ops_distinct *d = new_table();
    add_str(d, "a", 3);
    add_str(d, "b", 1);
    add_str(d, "a", 2);
    assert_int_equal(ops_distinct_absorb(d, d), 0);
    assert_top(d, "a", 4);
    assert_int_equal(ops_distinct_unique(d), 2);
    ops_distinct_free(d);
}

static int stop_at_second(void *ctx, const char *s, size_t n, uint64_t count,
                          uint64_t first)
{
    (void)s;
    (void)n;
    (void)count;
    (void)first;
    return ++*(int *)ctx == 2 ? 42 : 0;
}

static void test_each_stops_early(void **state)
{
    (void)state;
    ops_distinct *d = new_table();
    add_str(d, "a", 0);
    add_str(d, "b", 1);
    add_str(d, "c", 2);
    int seen = 0;
    assert_int_equal(ops_distinct_each(d, stop_at_second, &seen), 42);
    assert_int_equal(seen, 2);
    ops_distinct_free(d);
}

/* A table big enough to grow many times, with values that share long
 * prefixes: packed to three owners, unpacked and merged back, then shifted,
 * it holds exactly what a direct build holds. */
static void test_pack_roundtrip_after_growth(void **state)
{
    (void)state;
    ops_distinct *d = new_table(), *shifted = new_table();
    char key[64];
    for (uint64_t i = 0; i < 60000; i++) {
        int n = snprintf(key, sizeof key, "a long shared prefix %llu",
                         (unsigned long long)(i % 20000));
        assert_int_equal(ops_distinct_add(d, key, (size_t)n, 1000 - i % 7), 0);
        assert_int_equal(ops_distinct_add(shifted, key, (size_t)n, i + 5), 0);
    }
    assert_int_equal(ops_distinct_unique(d), 20000);
    ops_buf out[3] = {{NULL, 0, 0}, {NULL, 0, 0}, {NULL, 0, 0}};
    assert_int_equal(ops_distinct_pack(d, 3, out), 0);
    ops_distinct *back = NULL, *part = NULL;
    for (int k = 0; k < 3; k++) {
        assert_int_equal(ops_distinct_unpack(&part, out[k].data, out[k].len),
                         0);
        ops_buf_free(&out[k]);
    }
    assert_int_equal(ops_distinct_unpack(&back, NULL, 0), 0);
    assert_int_equal(ops_distinct_absorb(back, part), 0);
    assert_same_table(d, back);
    ops_distinct_free(back);
    ops_distinct_free(part);
    /* Positions i + 5 shifted by 3 against a direct build at i + 8. */
    ops_distinct_shift(shifted, 3);
    ops_distinct *direct = new_table();
    for (uint64_t i = 0; i < 60000; i++) {
        int n = snprintf(key, sizeof key, "a long shared prefix %llu",
                         (unsigned long long)(i % 20000));
        assert_int_equal(ops_distinct_add(direct, key, (size_t)n, i + 8), 0);
    }
    assert_same_table(shifted, direct);
    assert_top(direct, "a long shared prefix 0", 3);
    ops_distinct_free(direct);
    ops_distinct_free(shifted);
    ops_distinct_free(d);
}

#define VALID(lit)   assert_true(ops_utf8_valid(lit, sizeof(lit) - 1))
#define INVALID(lit) assert_false(ops_utf8_valid(lit, sizeof(lit) - 1))

static void test_utf8(void **state)
{
    (void)state;
    assert_true(ops_utf8_valid(NULL, 0));
    VALID("");
    VALID("plain ascii, long enough for the 8-byte path");
    VALID("a\0b");
    VALID("caf\xc3\xa9");                      /* U+00E9 */
    VALID("\xc2\x80");                         /* U+0080, smallest 2-byte */
    VALID("\xdf\xbf");                         /* U+07FF */
    VALID("\xe0\xa0\x80");                     /* U+0800, smallest 3-byte */
    VALID("\xed\x9f\xbf");                     /* U+D7FF, below surrogates */
    VALID("\xee\x80\x80");                     /* U+E000, above surrogates */
    VALID("\xef\xbf\xbf");                     /* U+FFFF */
    VALID("\xf0\x90\x80\x80");                 /* U+10000 */
    VALID("\xf4\x8f\xbf\xbf");                 /* U+10FFFF */
    VALID("12345678\xe6\x97\xa5\xe6\x9c\xac"); /* after a full ASCII word */
    INVALID("\x80");                           /* lone continuation */
    INVALID("\xbf");
    INVALID("\xc0\x80");     /* overlong NUL */
    INVALID("\xc1\xbf");     /* overlong */
    INVALID("\xe0\x80\x80"); /* overlong 3-byte */
    INVALID("\xe0\x9f\xbf");
    INVALID("\xed\xa0\x80");     /* U+D800 surrogate */
    INVALID("\xed\xbf\xbf");     /* U+DFFF */
    INVALID("\xf0\x80\x80\x80"); /* overlong 4-byte */
    INVALID("\xf0\x8f\xbf\xbf");
    INVALID("\xf4\x90\x80\x80"); /* U+110000 */
    INVALID("\xf5\x80\x80\x80");
    INVALID("\xff");
    INVALID("\xfe");
    INVALID("\xc3"); /* truncated */
    INVALID("\xe6\x97");
    INVALID("\xf0\x90\x80");
    INVALID("\xc3\x28"); /* bad continuation */
    INVALID("\xe6\x28\xa5");
    INVALID("\xf0\x90\x28\x80");
    INVALID("abcdefgh\xc3"); /* truncated after a word */
    INVALID("abcdefghijklmno\x80");
    /* Truncation must be caught from the given length, not a NUL. */
    assert_false(ops_utf8_valid("\xc3\xa9", 1));
    assert_true(ops_utf8_valid("\xc3\xa9", 2));
}

/* Every place in a long ASCII run, for the 32- and 8-byte steps: a lone
 * continuation byte is found, a well-formed sequence passes, and so does
 * the text after it. */
static void test_utf8_every_offset(void **state)
{
    (void)state;
    enum { LEN = 80 };
    char buf[LEN];
    for (size_t at = 0; at + 2 <= LEN; at++) {
        memset(buf, 'a', LEN);
        buf[at] = '\x80';
        assert_false(ops_utf8_valid(buf, LEN));
        assert_true(ops_utf8_valid(buf, at)); /* stops before it */
        buf[at] = '\xc3';
        buf[at + 1] = '\xa9';
        assert_true(ops_utf8_valid(buf, LEN));
        assert_false(ops_utf8_valid(buf, at + 1)); /* cut inside it */
        buf[LEN - 1] = '\xff';
        assert_int_equal(ops_utf8_valid(buf, LEN), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_tie_goes_to_first_seen),
        cmocka_unit_test(test_total_tie_is_deterministic),
        cmocka_unit_test(test_embedded_nul_and_empty),
        cmocka_unit_test(test_growth_keeps_counts),
        cmocka_unit_test(test_large_values),
        cmocka_unit_test(test_merge_any_grouping),
        cmocka_unit_test(test_merge_shard_by_shard),
        cmocka_unit_test(test_merge_split_with_whole),
        cmocka_unit_test(test_top_kept_through_split_and_shift),
        cmocka_unit_test(test_add_run_same_as_add),
        cmocka_unit_test(test_merge_into_itself_doubles),
        cmocka_unit_test(test_each_stops_early),
        cmocka_unit_test(test_pack_roundtrip_after_growth),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_utf8_every_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
