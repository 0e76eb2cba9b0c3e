/*
 * ops_select.c - exact order statistics without sorting.
 *
 * The k-th smallest of n keys is found by reading every key once or a few
 * times and copying only a small part of them. Three methods share the
 * work.
 *
 * Brackets: the usual case, a few ranks among many keys, in one pass. A
 * sample of the keys (runs of SAMPLE_RUN keys, one run in each stretch of
 * the data, at a place fixed by a hash) gives each rank a key interval
 * that very likely holds it: the sample's keys 4 standard deviations of
 * its rank error either side. The intervals' ends cut the key space into
 * cells, and one pass counts the keys at or above every cell boundary and
 * copies the keys of the bracket cells (SIMD compares, no branch). The
 * counts then say exactly which cell holds each rank: in a copied cell it
 * is selected among the copies, in a cell of one key value it is that
 * key. An end of a bracket in a long run of equal keys becomes a cell of
 * its own, counted and not copied. A sample that misleads (an unlucky or
 * adversarial order) costs time, never correctness: the rank's cell, with
 * its count and the count below it, becomes a window of the refinement;
 * a pass that would copy far more than the sample promised gives up, and
 * the refinement starts over.
 *
 * Refinement: many ranks among many keys, and the fallback. Every target
 * rank waits in a window: a key interval [lo, hi] whose count of keys,
 * and of keys below lo, is known. Each pass reads every key once and does
 * one of two things with the windows:
 *   - copy: when they hold at most the copy budget together, their keys
 *     are copied and each rank is selected among the copies;
 *   - count: otherwise each window is counted into buckets,
 *     bucket = (key - lo) >> shift, with shift from the bit length of
 *     hi - lo so that a narrow range (doubles in [1, 2) share their top
 *     12 bits) still spreads over all buckets. Prefix sums locate the
 *     bucket of every rank, and that bucket is its next window.
 * The first window is the whole key space counted by the top 16 key bits;
 * that pass also finds min and max, which clip the buckets. Deeper windows
 * (two levels down) also keep each bucket's min and max: many keys there
 * mean many equal keys, and a bucket of one distinct key resolves at once.
 * A lone window gets 2^16 buckets; k windows share about as many (at least
 * 2^8 each), and windows within 2^4 times the widest of them share one
 * histogram. So every count narrows every window at least 8 times (a lone
 * window 2^15 times) and the refinement ends.
 *
 * Copy all: few keys (fewer than the sample needs, or than the refinement
 * would copy at once) are all copied.
 *
 * Selection among copies narrows the same way, by 2^11 buckets (counts
 * that stay in L1), and sorts out the last few hundred keys by
 * quickselect.
 *
 * Reading the data (the passes) is separate from deciding: a distributed
 * caller would join the samples, sum the boundary counts and histograms of
 * every process (min of mins, max of maxes) and gather the copies in
 * between.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

/* The pass of the brackets has AVX2 and AVX-512 kernels on x86-64, picked
 * at run time; they carry target attributes, so the build needs no -m
 * flags. OPS_SELECT_SIMD caps the choice (0: the plain kernel, 1: AVX2,
 * 2: AVX-512), so that each kernel can be tested on any machine. */
#ifndef OPS_SELECT_SIMD
#define OPS_SELECT_SIMD 2
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) &&        \
    OPS_SELECT_SIMD > 0
#define SEL_X86 1
#include <immintrin.h>
#endif

#define HIST_BITS    16
#define MIN_BITS     8 /* buckets per window at least 2^MIN_BITS */
#define JOIN_BITS    4 /* join windows within 2^JOIN_BITS of the widest */
#define MAP_SIZE     ((size_t)1 << HIST_BITS)
#define PASS_WINDOWS 255                 /* per pass: the map is 8-bit */
#define COPY_MIN     ((uint64_t)1 << 18) /* copy budget: n/8 keys, ... */
#define COPY_MAX     ((uint64_t)1 << 24) /* ... within [256 Ki, 16 Mi] */
#define SMALL_SELECT 16
#define NO_WINDOW    SIZE_MAX
#define SPARE        8 /* buckets after the last, for keys outside */

#define ARRAY_BITS    11 /* buckets of selection among copies */
#define ARRAY_BUCKETS ((size_t)1 << ARRAY_BITS)
#define ARRAY_SMALL   256 /* fewer copies: quickselect */

#define BRACKET_MIN  ((uint64_t)1 << 14) /* fewer keys: copy them all */
#define DIRECT_MAX   COPY_MIN            /* at most: copy them all */
#define SAMPLE_RUN   4                   /* consecutive keys per draw */
#define SAMPLE_BITS  20                  /* at most 2^20 sample keys */
#define MAX_BRACKETS 8
#define CELL_BOUNDS  32 /* boundaries one pass counts, at most */
#define CELL_SLACK   (OPS_VEC_BLOCK + 8) /* copy room past cap */
#define PREFETCH     1024                /* keys ahead */

typedef struct {
    uint64_t min, max;
} sel_range;

/* A key interval [lo, hi] holding count keys, below keys being smaller
 * than lo over all data. Windows are disjoint and sorted by lo. */
typedef struct {
    uint64_t lo, hi, count, below;
    unsigned depth; /* 0 for the first window, parent's + 1 */
    /* counting */
    unsigned shift; /* bucket = (key - lo) >> shift */
    size_t nbuckets;
    uint64_t *cnt;    /* nbuckets counts, then SPARE unused ones */
    sel_range *range; /* as many min/max, or NULL for counts only */
    sel_range seen;   /* min and max of the window's keys */
    /* copying */
    uint64_t *keys; /* count slots */
    uint64_t nkeys; /* filled */
} sel_window;

typedef struct {
    uint64_t rank, key;
    size_t win; /* its window while pending, else NO_WINDOW */
    size_t out; /* index in the caller's arrays */
} sel_target;

typedef struct {
    const ops_vec *const *vecs;
    size_t nvecs;
    uint64_t n;           /* keys in all vecs */
    uint64_t copy_budget; /* keys one pass may copy */
    sel_target *t;        /* sorted by rank */
    size_t nt;
    sel_window *w; /* windows of the pending targets, sorted by lo */
    size_t nw;
    size_t nact; /* this pass works on w[0..nact) */
    /* Keys in [env_lo, env_hi] map through map[(key - env_lo) >> env_shift]
     * to 1 + the first active window meeting that bucket, or 0. */
    uint64_t env_lo, env_hi;
    unsigned env_shift;
    uint8_t *map;    /* MAP_SIZE + 1 entries */
    uint64_t *stage; /* OPS_VEC_BLOCK keys */
    /* selection among copies */
    uint64_t *hist; /* ARRAY_BUCKETS counts */
    uint64_t *rk;   /* 4 * nt ranks to select ... */
    uint64_t *ko;   /* ... their keys (4 * nt) ... */
    size_t *who;    /* ... and their targets (nt) */
} sel_state;

/* The shift that spreads [lo, hi] over at most 2^bits buckets. */
static unsigned shift_for(uint64_t lo, uint64_t hi, unsigned bits)
{
    uint64_t span = hi - lo;
    unsigned len = span ? 64u - (unsigned)__builtin_clzll(span) : 0u;
    return len > bits ? len - bits : 0u;
}

/* ---- refinement: reading ---------------------------------------------- */

static void count_key(sel_window *w, uint64_t k)
{
    size_t b = (size_t)((k - w->lo) >> w->shift);
    w->cnt[b]++;
    if (w->range) {
        if (k < w->range[b].min)
            w->range[b].min = k;
        if (k > w->range[b].max)
            w->range[b].max = k;
    }
    w->seen.min = k < w->seen.min ? k : w->seen.min;
    w->seen.max = k > w->seen.max ? k : w->seen.max;
}

/* Counts keys[0..n) into window w when (nearly) all of them fall inside:
 * the branch is predicted. Locals, not w's fields: the count stores could
 * alias them. */
static void count_inside(sel_window *w, const uint64_t *keys, size_t n)
{
    uint64_t lo = w->lo, span = w->hi - w->lo;
    uint64_t min = w->seen.min, max = w->seen.max;
    unsigned shift = w->shift;
    uint64_t *cnt = w->cnt;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = keys[i], d = k - lo;
        if (d > span)
            continue;
        cnt[d >> shift]++;
        min = k < min ? k : min;
        max = k > max ? k : max;
    }
    w->seen.min = min;
    w->seen.max = max;
}

/* Bucket of a key, or when mask is zero (the key is outside the window) one
 * of the SPARE buckets after the last, taken in turn so that a run of
 * outside keys does not wait on one counter. No branch: inside and outside
 * keys often alternate at random. */
static size_t bucket_or_spare(uint64_t d, unsigned shift, uint64_t mask,
                              size_t nbuckets, size_t i)
{
    return (size_t)(((d >> shift) & mask) |
                    ((nbuckets + (i & (SPARE - 1))) & ~mask));
}

/* Counts the keys of keys[0..n) that fall in window w, whatever their
 * share (a lone window that does not hold nearly all keys). */
static void count_masked(sel_window *w, const uint64_t *keys, size_t n)
{
    uint64_t lo = w->lo, span = w->hi - w->lo;
    uint64_t min = w->seen.min, max = w->seen.max;
    unsigned shift = w->shift;
    size_t nb = w->nbuckets;
    uint64_t *cnt = w->cnt;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = keys[i], d = k - lo;
        uint64_t in = -(uint64_t)(d <= span); /* all ones or zero */
        cnt[bucket_or_spare(d, shift, in, nb, i)]++;
        uint64_t kmin = k | ~in, kmax = k & in; /* neutral when out */
        min = kmin < min ? kmin : min;
        max = kmax > max ? kmax : max;
    }
    w->seen.min = min;
    w->seen.max = max;
}

/* The same, with each bucket's min and max. */
static void count_masked_range(sel_window *w, const uint64_t *keys, size_t n)
{
    uint64_t lo = w->lo, span = w->hi - w->lo;
    uint64_t min = w->seen.min, max = w->seen.max;
    unsigned shift = w->shift;
    size_t nb = w->nbuckets;
    uint64_t *cnt = w->cnt;
    sel_range *range = w->range;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = keys[i], d = k - lo;
        uint64_t in = -(uint64_t)(d <= span);
        size_t b = bucket_or_spare(d, shift, in, nb, i);
        uint64_t kmin = k | ~in, kmax = k & in;
        cnt[b]++;
        range[b].min = kmin < range[b].min ? kmin : range[b].min;
        range[b].max = kmax > range[b].max ? kmax : range[b].max;
        min = kmin < min ? kmin : min;
        max = kmax > max ? kmax : max;
    }
    w->seen.min = min;
    w->seen.max = max;
}

static void count_keys(sel_window *w, const uint64_t *keys, size_t n)
{
    if (w->range)
        count_masked_range(w, keys, n);
    else
        count_masked(w, keys, n);
}

/* Keys whose map bucket meets an active window, moved to stage without a
 * branch (most keys miss, at random). */
static size_t stage_block(const sel_state *s, const uint64_t *slot, uint32_t n)
{
    const uint64_t lo = s->env_lo;
    const unsigned shift = s->env_shift;
    const uint8_t *map = s->map;
    uint64_t *stage = s->stage;
    size_t ns = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t k = slot[i], b = (k - lo) >> shift;
        b = b < MAP_SIZE ? b : MAP_SIZE; /* map[MAP_SIZE] is 0 */
        stage[ns] = k;
        ns += map[b] != 0;
    }
    return ns;
}

/* The active window holding key k, or NULL. */
static sel_window *window_of(const sel_state *s, uint64_t k)
{
    size_t j = s->map[(k - s->env_lo) >> s->env_shift];
    for (; j > 0 && j <= s->nact && s->w[j - 1].lo <= k; j++) {
        if (k <= s->w[j - 1].hi)
            return &s->w[j - 1];
    }
    return NULL;
}

/* Copies or counts the staged keys one by one (several windows). */
static void visit_staged(const sel_state *s, size_t ns, int copy)
{
    for (size_t i = 0; i < ns; i++) {
        uint64_t k = s->stage[i];
        sel_window *w = window_of(s, k);
        if (w == NULL)
            continue;
        if (!copy)
            count_key(w, k);
        else if (w->nkeys < w->count)
            w->keys[w->nkeys++] = k;
    }
}

/* One read of every key: copies or counts the keys of the active
 * windows. */
static void scan(const sel_state *s, int copy)
{
    sel_window *one = s->nact == 1 && !copy ? s->w : NULL;
    int inside = one && !one->range && one->count >= s->n - s->n / 8;
    for (size_t v = 0; v < s->nvecs; v++) {
        for (const ops_block *b = s->vecs[v]->head; b; b = b->next) {
            if (inside)
                count_inside(one, b->slot, b->n);
            else if (one)
                count_keys(one, b->slot, b->n);
            else
                visit_staged(s, stage_block(s, b->slot, b->n), copy);
        }
    }
}

/* ---- refinement: preparing a pass ------------------------------------- */

static size_t env_bucket(const sel_state *s, uint64_t key)
{
    return (size_t)((key - s->env_lo) >> s->env_shift);
}

/* Maps keys to the active windows that may hold them. */
static void index_windows(sel_state *s)
{
    s->env_lo = s->w[0].lo;
    s->env_hi = s->w[s->nact - 1].hi;
    s->env_shift = shift_for(s->env_lo, s->env_hi, HIST_BITS);
    memset(s->map, 0, (MAP_SIZE + 1) * sizeof *s->map);
    for (size_t i = s->nact; i-- > 0;) {
        size_t last = env_bucket(s, s->w[i].hi);
        for (size_t b = env_bucket(s, s->w[i].lo); b <= last; b++)
            s->map[b] = (uint8_t)(i + 1);
    }
}

static int alloc_copy(sel_window *w)
{
    w->keys = malloc((size_t)w->count * sizeof *w->keys);
    return w->keys ? 0 : -1;
}

/* Per-bucket min and max resolve a bucket of equal keys at once, but cost
 * about twice the counting when keys spread over all buckets, as they do
 * in the first two levels. Deeper down, a window holding more keys than
 * the copy budget is a run of equal or near-equal keys that lands in few
 * buckets. */
static int alloc_count(sel_window *w, unsigned bits)
{
    w->shift = shift_for(w->lo, w->hi, bits);
    w->nbuckets = (size_t)((w->hi - w->lo) >> w->shift) + 1;
    w->seen.min = UINT64_MAX;
    w->seen.max = 0;
    w->cnt = calloc(w->nbuckets + SPARE, sizeof *w->cnt);
    if (w->cnt == NULL)
        return -1;
    if (w->depth < 2)
        return 0;
    w->range = malloc((w->nbuckets + SPARE) * sizeof *w->range);
    if (w->range == NULL)
        return -1;
    for (size_t b = 0; b < w->nbuckets + SPARE; b++) {
        w->range[b].min = UINT64_MAX;
        w->range[b].max = 0;
    }
    return 0;
}

/* Bucket bits per window when k windows share a pass: about 2^16 buckets
 * in all, so the counts stay in cache. */
static unsigned bits_for(size_t k)
{
    unsigned bits = HIST_BITS;
    while (bits > MIN_BITS && ((size_t)1 << (HIST_BITS - bits)) < k)
        bits--;
    return bits;
}

static int alloc_pass(sel_state *s, int copy)
{
    unsigned bits = bits_for(s->nact);
    for (size_t i = 0; i < s->nact; i++) {
        if ((copy ? alloc_copy(&s->w[i]) : alloc_count(&s->w[i], bits)) < 0)
            return -1;
    }
    index_windows(s);
    return 0;
}

static void free_windows(sel_window *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(w[i].cnt);
        free(w[i].range);
        free(w[i].keys);
    }
    free(w);
}

/* ---- selection among copies ------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
    if (a > b) {
        uint64_t t = a;
        a = b;
        b = t;
    }
    return c < a ? a : (c > b ? b : c);
}

static void swap_u64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

/* The k-th smallest of a[0..n), k < n, by 3-way quickselect (runs of equal
 * keys cost nothing), sorting what is left if pivots keep being poor.
 * Leaves a[0..k) <= a[k] <= a(k..n). */
static uint64_t select_kth(uint64_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    for (unsigned round = 0; hi - lo > SMALL_SELECT && round < 128; round++) {
        uint64_t p = median3(a[lo], a[lo + (hi - lo) / 2], a[hi - 1]);
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (a[i] < p)
                swap_u64(&a[lt++], &a[i++]);
            else if (a[i] > p)
                swap_u64(&a[i], &a[--gt]);
            else
                i++;
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return p;
    }
    qsort(a + lo, hi - lo, sizeof *a, cmp_u64);
    return a[k];
}

/* Ranks r[0..nr) (ascending, below n) of a[0..n) by quickselect. Each
 * selection searches only past the previous one; a repeated rank finds
 * its key already in place. */
static void select_small(uint64_t *a, size_t n, const uint64_t *r, size_t nr,
                         uint64_t *out)
{
    size_t done = 0;
    for (size_t i = 0; i < nr; i++) {
        if (r[i] < done) {
            out[i] = a[r[i]];
            continue;
        }
        out[i] = select_kth(a + done, n - done, (size_t)r[i] - done);
        done = (size_t)r[i] + 1;
    }
}

/* The bucket of rank r, searching up from bucket b whose first key has
 * rank *before. */
static size_t bucket_of_rank(const uint64_t *cnt, size_t nb, uint64_t r,
                             size_t b, uint64_t *before)
{
    while (b + 1 < nb && r >= *before + cnt[b])
        *before += cnt[b++];
    return b;
}

/* The ranks of one bucket, and its keys once gathered. */
typedef struct {
    size_t bucket, first, end; /* ranks r[first..end) */
    uint64_t before, count;    /* keys in lower buckets, in this one */
    uint64_t min, max;         /* of its keys */
    uint64_t *at;              /* where its next key goes */
} sel_group;

/* Splits ranks r[0..nr) by bucket; returns the number of groups. */
static size_t group_ranks(const uint64_t *cnt, size_t nb, const uint64_t *r,
                          size_t nr, sel_group *g)
{
    size_t ng = 0, b = 0;
    uint64_t before = 0;
    for (size_t i = 0; i < nr; i++) {
        b = bucket_of_rank(cnt, nb, r[i], b, &before);
        if (ng > 0 && g[ng - 1].bucket == b) {
            g[ng - 1].end = i + 1;
            continue;
        }
        g[ng++] = (sel_group){.bucket = b,
                              .first = i,
                              .end = i + 1,
                              .before = before,
                              .count = cnt[b],
                              .min = UINT64_MAX,
                              .max = 0};
    }
    return ng;
}

static void count_array(const uint64_t *a, size_t n, uint64_t lo,
                        unsigned shift, uint64_t *cnt, size_t nb)
{
    memset(cnt, 0, nb * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[(a[i] - lo) >> shift]++;
}

/* Moves the keys of g's bucket to the front of a[0..n), without a branch
 * (they may be any share), and finds their min and max: in a loop apart,
 * as they are few, unless the bucket holds a run of equal keys (which the
 * min and max then resolve). */
static void gather_bucket(uint64_t *a, size_t n, uint64_t lo, unsigned shift,
                          sel_group *g)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = a[i];
        a[m] = k;
        m += ((k - lo) >> shift) == g->bucket;
    }
    g->min = UINT64_MAX;
    g->max = 0;
    for (size_t i = 0; i < m; i++) {
        g->min = a[i] < g->min ? a[i] : g->min;
        g->max = a[i] > g->max ? a[i] : g->max;
    }
}

/* Copies the keys of every group's bucket to g->at. map[b] is 1 + the
 * group of bucket b, or 0. */
static void scatter_groups(const uint64_t *a, size_t n, uint64_t lo,
                           unsigned shift, const uint64_t *map, sel_group *g)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t k = a[i], j = map[(k - lo) >> shift];
        if (j == 0)
            continue;
        sel_group *x = &g[j - 1];
        *x->at++ = k;
        x->min = k < x->min ? k : x->min;
        x->max = k > x->max ? k : x->max;
    }
}

static int array_select(uint64_t *a, size_t n, uint64_t lo, uint64_t hi,
                        uint64_t *r, size_t nr, uint64_t *out, uint64_t *cnt);

/* Ranks in several buckets: their keys are copied out, each bucket's
 * together, and each bucket is selected on apart. */
static int select_groups(const uint64_t *a, size_t n, uint64_t lo,
                         unsigned shift, size_t nb, uint64_t *r, size_t nr,
                         uint64_t *out, uint64_t *cnt)
{
    sel_group *g = malloc(nr * sizeof *g);
    if (g == NULL)
        return -1;
    size_t ng = group_ranks(cnt, nb, r, nr, g);
    uint64_t total = 0;
    for (size_t j = 0; j < ng; j++)
        total += g[j].count;
    uint64_t *sub = malloc((size_t)total * sizeof *sub);
    int rc = sub ? 0 : -1;
    memset(cnt, 0, nb * sizeof *cnt); /* now the map */
    for (size_t j = 0, at = 0; rc == 0 && j < ng; at += g[j++].count) {
        g[j].at = sub + at;
        cnt[g[j].bucket] = j + 1;
    }
    if (rc == 0)
        scatter_groups(a, n, lo, shift, cnt, g);
    for (size_t j = 0; rc == 0 && j < ng; j++) {
        for (size_t i = g[j].first; i < g[j].end; i++)
            r[i] -= g[j].before;
        rc = array_select(g[j].at - g[j].count, (size_t)g[j].count, g[j].min,
                          g[j].max, r + g[j].first, g[j].end - g[j].first,
                          out + g[j].first, cnt);
    }
    free(sub);
    free(g);
    return rc;
}

/* Ranks of buckets one key wide (shift 0): each bucket is its key. */
static void keys_of_buckets(const uint64_t *cnt, size_t nb, uint64_t lo,
                            const uint64_t *r, size_t nr, uint64_t *out)
{
    size_t b = 0;
    uint64_t before = 0;
    for (size_t i = 0; i < nr; i++) {
        b = bucket_of_rank(cnt, nb, r[i], b, &before);
        out[i] = lo + b;
    }
}

/* out[i] = the key of rank r[i] of a[0..n), whose keys all lie in
 * [lo, hi]; ranks ascending and below n. Reorders and overwrites a and r;
 * cnt has room for ARRAY_BUCKETS counts. Each round counts the keys into
 * buckets and keeps those of the ranks' bucket (with their min and max,
 * so a run of equal keys ends the search), so the key range shrinks at
 * least 2^10 times a round. Returns 0, or -1 when out of memory. */
static int array_select(uint64_t *a, size_t n, uint64_t lo, uint64_t hi,
                        uint64_t *r, size_t nr, uint64_t *out, uint64_t *cnt)
{
    while (nr > 0 && lo != hi && n > ARRAY_SMALL) {
        unsigned shift = shift_for(lo, hi, ARRAY_BITS);
        size_t nb = (size_t)((hi - lo) >> shift) + 1;
        count_array(a, n, lo, shift, cnt, nb);
        if (shift == 0) {
            keys_of_buckets(cnt, nb, lo, r, nr, out);
            return 0;
        }
        sel_group g;
        group_ranks(cnt, nb, r, 1, &g);
        uint64_t before = g.before;
        if (bucket_of_rank(cnt, nb, r[nr - 1], g.bucket, &before) != g.bucket)
            return select_groups(a, n, lo, shift, nb, r, nr, out, cnt);
        gather_bucket(a, n, lo, shift, &g);
        for (size_t i = 0; i < nr; i++)
            r[i] -= g.before;
        n = (size_t)g.count;
        lo = g.min;
        hi = g.max;
    }
    if (lo == hi) {
        for (size_t i = 0; i < nr; i++)
            out[i] = lo;
    } else {
        select_small(a, n, r, nr, out);
    }
    return 0;
}

/* ---- refinement: deciding --------------------------------------------- */

/* The bucket of relative rank r, searching up from bucket b whose first
 * key has relative rank *before. */
static size_t find_bucket(const sel_window *w, uint64_t r, size_t b,
                          uint64_t *before)
{
    return bucket_of_rank(w->cnt, w->nbuckets, r, b, before);
}

/* The tightest known key range of bucket b: its recorded min and max, or
 * its interval clipped to the keys seen. */
static sel_range bucket_keys(const sel_window *w, size_t b)
{
    if (w->range)
        return w->range[b];
    uint64_t first = w->lo + ((uint64_t)b << w->shift);
    uint64_t last = first + (((uint64_t)1 << w->shift) - 1);
    if (last < first || last > w->hi) /* the top bucket may be cut short */
        last = w->hi;
    sel_range r = {first > w->seen.min ? first : w->seen.min,
                   last < w->seen.max ? last : w->seen.max};
    return r;
}

/* Index of window c in next[0..*n), appended when missing. Targets come
 * in rank order, so a window shared with the previous target is the last
 * one appended; windows are disjoint, so lo identifies one. */
static size_t add_window(sel_window *next, size_t *n, const sel_window *c)
{
    if (*n > 0 && next[*n - 1].lo == c->lo)
        return *n - 1;
    next[*n] = *c;
    return (*n)++;
}

static void found(sel_target *t, uint64_t key)
{
    t->key = key;
    t->win = NO_WINDOW;
}

/* Where a bucket search stands inside one window. */
typedef struct {
    size_t win, bucket;
    uint64_t before;
} sel_cursor;

/* Resolves target t of counted window w, or gives it the window of its
 * bucket: its key is known when it is the first or last key of w or its
 * bucket holds one distinct key. */
static void narrow_target(sel_target *t, const sel_window *w, sel_cursor *c,
                          sel_window *next, size_t *nnext)
{
    uint64_t r = t->rank - w->below;
    if (r == 0 || r == w->count - 1) {
        found(t, r == 0 ? w->seen.min : w->seen.max);
        return;
    }
    c->bucket = find_bucket(w, r, c->bucket, &c->before);
    sel_range keys = bucket_keys(w, c->bucket);
    if (keys.min == keys.max) {
        found(t, keys.min);
        return;
    }
    sel_window child = {.lo = keys.min,
                        .hi = keys.max,
                        .count = w->cnt[c->bucket],
                        .below = w->below + c->before,
                        .depth = w->depth + 1};
    t->win = add_window(next, nnext, &child);
}

/* After a pass: targets of the active windows, unless resolved among
 * their copies already, are narrowed; the others keep their windows,
 * which move over to the new list. Targets and windows being in the same
 * order, the new list stays sorted by lo. */
static int next_windows(sel_state *s)
{
    sel_window *next = malloc(s->nt * sizeof *next);
    sel_cursor c = {NO_WINDOW, 0, 0};
    size_t nnext = 0;
    if (next == NULL)
        return -1;
    for (size_t i = 0; i < s->nt; i++) {
        sel_target *t = &s->t[i];
        if (t->win == NO_WINDOW)
            continue;
        sel_window *w = &s->w[t->win];
        if (t->win >= s->nact) {
            sel_window idle = *w;
            t->win = add_window(next, &nnext, &idle);
        } else {
            if (c.win != t->win)
                c = (sel_cursor){t->win, 0, 0};
            narrow_target(t, w, &c, next, &nnext);
        }
    }
    free_windows(s->w, s->nact); /* the others moved to next */
    s->w = next;
    s->nw = nnext;
    return 0;
}

/* ---- refinement: driving ---------------------------------------------- */

/* Nonzero when window b can join the group ending in a, whose widest
 * member spans widest: the joint span stays within 2^JOIN_BITS times the
 * widest member's, so counting the group into at least 2^MIN_BITS buckets
 * still narrows its members 2^(MIN_BITS - JOIN_BITS - 1) times. */
static int joinable(const sel_window *a, const sel_window *b, uint64_t widest)
{
    uint64_t bspan = b->hi - b->lo;
    if (bspan > widest)
        widest = bspan;
    return ((b->hi - a->lo) >> JOIN_BITS) <= widest;
}

/* Before counting, joins neighbouring windows among the first limit ones
 * (those this pass counts) that lie close together, such as the
 * quartiles of a bell shape, so that one histogram serves them. A joined
 * window's count includes keys between its members; it is known once
 * counted, so windows left for a later pass are never joined. */
static int join_close(sel_state *s, size_t limit)
{
    size_t *to = malloc(s->nw * sizeof *to), n = 0;
    uint64_t widest = 0;
    if (to == NULL)
        return -1;
    for (size_t i = 0; i < s->nw; i++) {
        sel_window *w = &s->w[i];
        if (n > 0 && i < limit && joinable(&s->w[n - 1], w, widest)) {
            s->w[n - 1].hi = w->hi;
            s->w[n - 1].count += w->count; /* plus keys in between */
            if (w->depth < s->w[n - 1].depth)
                s->w[n - 1].depth = w->depth;
        } else {
            s->w[n++] = *w;
            widest = 0;
        }
        if (w->hi - w->lo > widest)
            widest = w->hi - w->lo;
        to[i] = n - 1;
    }
    for (size_t i = 0; i < s->nt; i++) {
        if (s->t[i].win != NO_WINDOW)
            s->t[i].win = to[s->t[i].win];
    }
    free(to);
    s->nw = n;
    return 0;
}

static void recount(sel_window *w)
{
    w->count = 0;
    for (size_t b = 0; b < w->nbuckets; b++)
        w->count += w->cnt[b];
}

/* Selects the targets of copied window wi among its copies. */
static int select_window_copies(sel_state *s, size_t wi)
{
    sel_window *w = &s->w[wi];
    size_t k = 0;
    for (size_t i = 0; i < s->nt; i++) {
        if (s->t[i].win == wi) {
            s->rk[k] = s->t[i].rank - w->below;
            s->who[k++] = i;
        }
    }
    if (k > 0 && array_select(w->keys, (size_t)w->nkeys, w->lo, w->hi, s->rk, k,
                              s->ko, s->hist) < 0)
        return -1;
    for (size_t j = 0; j < k; j++)
        found(&s->t[s->who[j]], s->ko[j]);
    return 0;
}

/* One pass over the first windows (at most PASS_WINDOWS): copied when they
 * fit the budget, else counted. */
static int run_pass(sel_state *s)
{
    uint64_t total = 0;
    size_t first = s->nw < PASS_WINDOWS ? s->nw : PASS_WINDOWS;
    for (size_t i = 0; i < first; i++)
        total += s->w[i].count;
    int copy = total <= s->copy_budget;
    if (!copy && join_close(s, first) < 0)
        return -1;
    s->nact = s->nw < PASS_WINDOWS ? s->nw : PASS_WINDOWS;
    if (alloc_pass(s, copy) < 0)
        return -1;
    scan(s, copy);
    for (size_t i = 0; i < s->nact; i++) {
        if (!copy)
            recount(&s->w[i]);
        else if (select_window_copies(s, i) < 0)
            return -1;
    }
    return next_windows(s);
}

/* Passes until every target is found. */
static int refine(sel_state *s)
{
    if (s->nw == 0)
        return 0;
    s->map = malloc((MAP_SIZE + 1) * sizeof *s->map);
    s->stage = malloc(OPS_VEC_BLOCK * sizeof *s->stage);
    if (!s->map || !s->stage)
        return -1;
    while (s->nw > 0) {
        if (run_pass(s) < 0)
            return -1;
    }
    return 0;
}

/* The refinement from the whole key space. */
static int refine_all(sel_state *s)
{
    s->w = calloc(1, sizeof *s->w);
    if (s->w == NULL)
        return -1;
    s->w[0].hi = UINT64_MAX;
    s->w[0].count = s->n;
    s->nw = 1;
    for (size_t i = 0; i < s->nt; i++)
        s->t[i].win = 0;
    return refine(s);
}

/* ---- brackets: the sample --------------------------------------------- */

/* Where a walk over the keys of every vec stands. */
typedef struct {
    const ops_block *b;
    uint64_t base; /* index of b's first key among all keys */
    size_t v;      /* b is in vecs[v] */
} sel_walk;

/* Key i of all keys, in vec and block order; i never decreases along a
 * walk and stays below n. */
static uint64_t key_at(const sel_state *s, sel_walk *p, uint64_t i)
{
    while (p->b == NULL || i - p->base >= p->b->n) {
        if (p->b != NULL) {
            p->base += p->b->n;
            p->b = p->b->next;
        } else {
            p->b = s->vecs[++p->v]->head;
        }
    }
    return p->b->slot[i - p->base];
}

/* splitmix64's finalizer: a fixed scramble. */
static uint64_t mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* log2 of the sample size m: about n^(2/3), which balances the cost of
 * the sample against that of the copies (a bracket holds about
 * 4 n / sqrt(m) keys), and at most n/16. n is at least BRACKET_MIN. */
static unsigned sample_bits(uint64_t n)
{
    unsigned len = 64u - (unsigned)__builtin_clzll(n);
    unsigned bits = (2 * len + 1) / 3;
    bits = bits < SAMPLE_BITS ? bits : SAMPLE_BITS;
    return bits + 4 < len ? bits : len - 5;
}

/* Half the width of a bracket in sample ranks, 2 sqrt(m): 4 standard
 * deviations of the error of a sample rank, which is sqrt(m)/2 at most. */
static uint64_t half_width(unsigned bits)
{
    return (uint64_t)(bits & 1 ? 3 : 2) << (bits / 2);
}

/* Fills out[0..m) with runs of SAMPLE_RUN consecutive keys, one in each
 * of m / SAMPLE_RUN equal stretches of the data, at a place in the
 * stretch fixed by a hash of its index, so that no periodic pattern in
 * the data lines up with the sample. */
static void take_sample(const sel_state *s, uint64_t *out, size_t m)
{
    uint64_t runs = m / SAMPLE_RUN, stride = s->n / runs;
    sel_walk p = {s->vecs[0]->head, 0, 0};
    for (uint64_t j = 0; j < runs; j++) {
        uint64_t at = j * stride + mix64(j + 1) % (stride - SAMPLE_RUN + 1);
        for (unsigned l = 0; l < SAMPLE_RUN; l++)
            *out++ = key_at(s, &p, at + l);
    }
}

/* ---- brackets: planning the cells ------------------------------------- */

/* Sample ranks [sl, sh] around one or more targets, their keys [lo, hi],
 * and whether a run of equal keys goes on past an end for a quarter of
 * the bracket's width. */
typedef struct {
    uint64_t sl, sh;
    uint64_t lo, hi;
    int run_lo, run_hi;
} sel_bracket;

/* The cells of one pass: cell i holds the keys in [t[i-1], t[i]), cell 0
 * those below t[0] and cell nb those from t[nb-1] up. The odd cells are
 * copied, the even ones only counted, so a key's copy flag is the parity
 * of the boundaries at or below it. An empty cell (two equal boundaries)
 * keeps the alternation where two cells of a kind meet. */
typedef struct {
    unsigned nb; /* boundaries */
    unsigned nk; /* counted: nb, padded to even */
    /* t[0..nb) ascending (not strictly), none 0; t[nb..nk) = 0 pads */
    uint64_t t[CELL_BOUNDS];
    uint64_t ge[CELL_BOUNDS]; /* keys >= t[i], summed by the pass */
    uint64_t *buf;            /* the copies: cap + CELL_SLACK slots */
    size_t nbuf, cap;
} sel_cells;

static int cell_copied(unsigned i)
{
    return (int)(i & 1);
}

/* Each target's bracket in sample ranks, half_width either side of its
 * estimated sample rank, merged with the previous one where they meet or
 * touch. Returns how many, or 0 when more than MAX_BRACKETS. */
static size_t sample_windows(const sel_state *s, unsigned bits, sel_bracket *br)
{
    uint64_t m = (uint64_t)1 << bits, d = half_width(bits);
    size_t nbr = 0;
    for (size_t i = 0; i < s->nt; i++) {
        double at = (double)s->t[i].rank * (double)m / (double)s->n;
        uint64_t c = at < (double)(m - 1) ? (uint64_t)at : m - 1;
        uint64_t sl = c > d ? c - d : 0;
        uint64_t sh = c + d + 1 < m ? c + d + 1 : m - 1;
        if (nbr > 0 && sl <= br[nbr - 1].sh + 1) {
            br[nbr - 1].sh = sh;
            continue;
        }
        if (nbr == MAX_BRACKETS)
            return 0;
        br[nbr++] = (sel_bracket){.sl = sl, .sh = sh};
    }
    return nbr;
}

/* A quarter of a bracket's width, at least 1. */
static uint64_t quarter(const sel_bracket *b)
{
    return (b->sh - b->sl + 1) / 4 + 1;
}

typedef struct {
    uint64_t rank;
    size_t slot;
} sel_probe;

static int cmp_probe(const void *a, const void *b)
{
    uint64_t x = ((const sel_probe *)a)->rank;
    uint64_t y = ((const sel_probe *)b)->rank;
    return (x > y) - (x < y);
}

/* The sample ranks to look up for the brackets, ascending: kv[4j ..
 * 4j+3] will hold bracket j's keys at sl, at sh, a quarter below sl and
 * a quarter above sh (the last two when inside the sample). */
static size_t bracket_probes(const sel_bracket *br, size_t nbr, uint64_t m,
                             sel_probe *p)
{
    size_t np = 0;
    for (size_t j = 0; j < nbr; j++) {
        uint64_t q = quarter(&br[j]);
        p[np++] = (sel_probe){br[j].sl, 4 * j};
        p[np++] = (sel_probe){br[j].sh, 4 * j + 1};
        if (br[j].sl >= q)
            p[np++] = (sel_probe){br[j].sl - q, 4 * j + 2};
        if (br[j].sh + q < m)
            p[np++] = (sel_probe){br[j].sh + q, 4 * j + 3};
    }
    qsort(p, np, sizeof *p, cmp_probe);
    return np;
}

/* Looks up the probes' keys in the sample (which it reorders). */
static int bracket_keys(sel_state *s, uint64_t *sample, size_t m,
                        const sel_bracket *br, size_t nbr, uint64_t *kv)
{
    sel_probe p[4 * MAX_BRACKETS];
    size_t np = bracket_probes(br, nbr, m, p);
    uint64_t min = UINT64_MAX, max = 0;
    for (size_t i = 0; i < m; i++) {
        min = sample[i] < min ? sample[i] : min;
        max = sample[i] > max ? sample[i] : max;
    }
    for (size_t i = 0; i < np; i++)
        s->rk[i] = p[i].rank;
    if (array_select(sample, m, min, max, s->rk, np, s->ko, s->hist) < 0)
        return -1;
    for (size_t i = 0; i < np; i++)
        kv[p[i].slot] = s->ko[i];
    return 0;
}

/* Each bracket's keys: the whole key space beyond the sample's ends, so
 * that the first and last ranks always fall inside (key 0 is left to the
 * counted cell 0, which then holds only it). */
static void bracket_ends(sel_bracket *br, size_t nbr, const uint64_t *kv,
                         uint64_t m)
{
    for (size_t j = 0; j < nbr; j++) {
        uint64_t q = quarter(&br[j]);
        br[j].lo = br[j].sl == 0 ? 0 : kv[4 * j];
        br[j].hi = br[j].sh == m - 1 ? UINT64_MAX : kv[4 * j + 1];
        br[j].run_lo = br[j].sl >= q && kv[4 * j + 2] == br[j].lo;
        br[j].run_hi = br[j].sh + q < m && kv[4 * j + 3] == br[j].hi;
    }
}

/* Room for the copies: a bracket of w sample ranks stands for about
 * w n/m keys, give or take 4 sqrt(w) ranks' worth, and a run of equal
 * keys past an end adds less than w/4 ranks' worth (a longer one is not
 * copied). */
static uint64_t copy_room(const sel_bracket *br, size_t nbr, uint64_t n,
                          uint64_t m)
{
    uint64_t w = 0;
    for (size_t j = 0; j < nbr; j++) {
        if (br[j].lo != br[j].hi)
            w += br[j].sh - br[j].sl + 1;
    }
    return (w + w / 2) * (n / m) + 4096;
}

/* Starts the next cell at key start (above 0, not below the last
 * boundary) and of the given kind, after an empty cell of the other kind
 * when the alternation needs one. Returns -1 when the boundaries would be
 * too many. */
static int open_cell(sel_cells *c, uint64_t start, int copy)
{
    unsigned need = cell_copied(c->nb + 1) == copy ? 1 : 2;
    if (c->nb + need > CELL_BOUNDS)
        return -1;
    while (need-- > 0)
        c->t[c->nb++] = start;
    return 0;
}

/* A key interval that the pass copies, or (copy 0) a single key that it
 * only counts. */
typedef struct {
    uint64_t lo, hi;
    int copy;
} sel_seg;

static int cmp_seg(const void *a, const void *b)
{
    const sel_seg *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    return x->copy - y->copy; /* a counted key first */
}

/* The segments of one bracket: it is copied, but for an end in a long run
 * of equal keys, which is only counted (as is a bracket of one key, and
 * what is left between two such ends when that is one key): the counts
 * resolve such a key, and copying its run could cost far more than the
 * bracket. Key 0 is left to cell 0, which is counted. */
static size_t bracket_segments(const sel_bracket *b, sel_seg *out)
{
    uint64_t first = b->lo + (uint64_t)(b->run_lo || b->lo == 0);
    uint64_t last = b->hi - (uint64_t)b->run_hi;
    size_t n = 0;
    if (b->lo == b->hi) {
        out[n++] = (sel_seg){b->lo, b->lo, 0};
        return n;
    }
    if (b->run_lo)
        out[n++] = (sel_seg){b->lo, b->lo, 0};
    if (first <= last) /* one key is resolved by its count */
        out[n++] = (sel_seg){first, last, first < last};
    if (b->run_hi)
        out[n++] = (sel_seg){b->hi, b->hi, 0};
    return n;
}

/* Ends the copied interval s[*n - 1] below counted key v and appends v.
 * Brackets come in key order and meet only at a shared end key (their
 * sample ranks are apart, and the sample is sorted), so the interval ends
 * at v; were it to go on, its keys above v would only be counted (a rank
 * among them would go to the refinement). */
static void cut_segment(sel_seg *s, size_t *n, uint64_t v)
{
    sel_seg *last = &s[*n - 1];
    if (v <= last->lo)
        (*n)--;
    else if (v <= last->hi)
        last->hi = v - 1;
    s[(*n)++] = (sel_seg){v, v, 0};
}

/* Appends segment x to the disjoint, ordered s[0..*n), the segments
 * coming in order of lo (a counted key first): copied intervals that
 * meet are joined, and a counted key is cut out of a copied interval
 * (brackets overlap where equal keys make separate sample ranks meet). */
static void settle_segment(sel_seg *s, size_t *n, sel_seg x)
{
    sel_seg *last = *n > 0 ? &s[*n - 1] : NULL;
    if (last && !last->copy && x.lo == last->lo) { /* on a counted key */
        if (!x.copy || x.hi == x.lo)
            return;
        x.lo++;
    }
    if (last && last->copy && x.lo - 1 <= last->hi) { /* x.lo is not 0 */
        if (!x.copy)
            cut_segment(s, n, x.lo);
        else if (x.hi > last->hi)
            last->hi = x.hi;
        return;
    }
    s[(*n)++] = x;
}

/* The cells of all brackets, with the boundaries padded to an even count
 * (t = 0: never at or below a key, to the pass). Returns -1 when they
 * need too many boundaries. */
static int plan_cells(sel_cells *c, const sel_bracket *br, size_t nbr)
{
    sel_seg raw[3 * MAX_BRACKETS], s[3 * MAX_BRACKETS];
    size_t nraw = 0, n = 0;
    for (size_t j = 0; j < nbr; j++)
        nraw += bracket_segments(&br[j], raw + nraw);
    qsort(raw, nraw, sizeof *raw, cmp_seg);
    for (size_t j = 0; j < nraw; j++)
        settle_segment(s, &n, raw[j]);
    memset(c, 0, sizeof *c);
    for (size_t j = 0; j < n; j++) {
        int next_meets = j + 1 < n && s[j + 1].lo - 1 == s[j].hi;
        if (s[j].lo > 0 && open_cell(c, s[j].lo, s[j].copy) < 0)
            return -1;
        if (!next_meets && s[j].hi < UINT64_MAX &&
            open_cell(c, s[j].hi + 1, 0) < 0)
            return -1;
    }
    c->nk = c->nb < 2 ? 2 : (c->nb + 1) & ~1u;
    if (c->nk > 8) /* the kernels are made for up to 8, 16 and 32 */
        c->nk = c->nk > 16 ? CELL_BOUNDS : 16;
    return 0;
}

/* ---- brackets: the pass ----------------------------------------------- */

/* Each kernel counts the keys k[0..n) at or above each boundary and
 * appends those of the copied cells to the buffer from nbuf on, without a
 * branch; it returns the new nbuf. nk is a constant wherever a kernel is
 * inlined, so that the counts stay in registers. A key is at or above t
 * when it is above t - 1, which pads with t = 0 for free. Reading memory
 * takes about as long as the compares, and the two overlap only when each
 * kernel asks for the keys PREFETCH ahead. */

/* Asks for the cache line PREFETCH keys past p (an address past the end
 * of the data does no harm). */
static inline void prefetch_ahead(const uint64_t *p)
{
    __builtin_prefetch((const void *)((uintptr_t)p + PREFETCH * sizeof *p));
}

/* One key: its cell is the number of boundaries at or below it, counted
 * in hist; copied when the cell is. */
static inline __attribute__((always_inline)) size_t
scalar_key(uint64_t x, const uint64_t *below, unsigned nk, uint64_t *hist,
           uint64_t *buf, size_t nbuf)
{
    unsigned cell = 0;
    for (unsigned j = 0; j < nk; j++)
        cell += x > below[j];
    hist[cell]++;
    buf[nbuf] = x;
    return nbuf + (cell & 1);
}

/* Plain C, a key at a time, four keys counted into four histograms of
 * cells (a run of keys in one cell does not wait on one counter); the
 * boundaries' counts are sums of cells. */
static inline __attribute__((always_inline)) size_t
cells_block_scalar(sel_cells *c, const uint64_t *k, size_t n, size_t nbuf,
                   unsigned nk)
{
    uint64_t below[CELL_BOUNDS], hist[4][CELL_BOUNDS + 1], above = 0;
    uint64_t *buf = c->buf;
    size_t i = 0;
    memset(hist, 0, sizeof hist);
    for (unsigned j = 0; j < nk; j++)
        below[j] = c->t[j] - 1;
    for (; i + 4 <= n; i += 4) {
        prefetch_ahead(k + i);
        for (unsigned u = 0; u < 4; u++)
            nbuf = scalar_key(k[i + u], below, nk, hist[u], buf, nbuf);
    }
    for (; i < n; i++)
        nbuf = scalar_key(k[i], below, nk, hist[0], buf, nbuf);
    for (unsigned j = nk; j-- > 0;) {
        above +=
            hist[0][j + 1] + hist[1][j + 1] + hist[2][j + 1] + hist[3][j + 1];
        c->ge[j] += above;
    }
    return nbuf;
}

static size_t cells_scalar(sel_cells *c, const uint64_t *k, size_t n,
                           size_t nbuf)
{
    switch (c->nk) {
    case 2:
        return cells_block_scalar(c, k, n, nbuf, 2);
    case 4:
        return cells_block_scalar(c, k, n, nbuf, 4);
    case 6:
        return cells_block_scalar(c, k, n, nbuf, 6);
    case 8:
        return cells_block_scalar(c, k, n, nbuf, 8);
    case 16:
        return cells_block_scalar(c, k, n, nbuf, 16);
    default:
        return cells_block_scalar(c, k, n, nbuf, CELL_BOUNDS);
    }
}

typedef size_t (*sel_kernel)(sel_cells *c, const uint64_t *k, size_t n,
                             size_t nbuf);

#ifdef SEL_X86
#define AVX2   __attribute__((target("avx2,popcnt")))
#define AVX512 __attribute__((target("avx512f,popcnt")))

/* For each mask of 4 lanes: the 32-bit lanes that bring the 64-bit lanes
 * of the mask to the front, in order. */
static const uint32_t COMPACT[16][8] = {
    {0, 0, 0, 0, 0, 0, 0, 0}, {0, 1, 0, 0, 0, 0, 0, 0},
    {2, 3, 0, 0, 0, 0, 0, 0}, {0, 1, 2, 3, 0, 0, 0, 0},
    {4, 5, 0, 0, 0, 0, 0, 0}, {0, 1, 4, 5, 0, 0, 0, 0},
    {2, 3, 4, 5, 0, 0, 0, 0}, {0, 1, 2, 3, 4, 5, 0, 0},
    {6, 7, 0, 0, 0, 0, 0, 0}, {0, 1, 6, 7, 0, 0, 0, 0},
    {2, 3, 6, 7, 0, 0, 0, 0}, {0, 1, 2, 3, 6, 7, 0, 0},
    {4, 5, 6, 7, 0, 0, 0, 0}, {0, 1, 4, 5, 6, 7, 0, 0},
    {2, 3, 4, 5, 6, 7, 0, 0}, {0, 1, 2, 3, 4, 5, 6, 7}};

/* u as a signed lane, bit for bit. */
static inline long long lane_of(uint64_t u)
{
    long long v;
    memcpy(&v, &u, sizeof v);
    return v;
}

AVX2 static inline uint64_t lanes_sum(__m256i v)
{
    uint64_t l[4];
    _mm256_storeu_si256((__m256i *)l, v);
    return l[0] + l[1] + l[2] + l[3];
}

/* Four keys at a time: AVX2 compares signed lanes, so keys and bounds
 * have their top bit flipped; the copies are packed by a permutation from
 * COMPACT. */
AVX2 static inline __attribute__((always_inline)) size_t
cells_block_avx2(sel_cells *c, const uint64_t *k, size_t n, size_t nbuf,
                 unsigned nk)
{
    const __m256i top = _mm256_set1_epi64x(INT64_MIN);
    __m256i below[CELL_BOUNDS], ge[CELL_BOUNDS];
    uint64_t *buf = c->buf;
    for (unsigned j = 0; j < nk; j++) {
        below[j] =
            _mm256_xor_si256(_mm256_set1_epi64x(lane_of(c->t[j] - 1)), top);
        ge[j] = _mm256_setzero_si256();
    }
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        prefetch_ahead(k + i);
        __m256i raw = _mm256_loadu_si256((const __m256i *)(k + i));
        __m256i x = _mm256_xor_si256(raw, top);
        __m256i copy = _mm256_setzero_si256();
        for (unsigned j = 0; j < nk; j++) {
            __m256i g = _mm256_cmpgt_epi64(x, below[j]);
            ge[j] = _mm256_sub_epi64(ge[j], g);
            copy = _mm256_xor_si256(copy, g);
        }
        unsigned m = (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(copy));
        __m256i to = _mm256_loadu_si256((const __m256i *)COMPACT[m]);
        _mm256_storeu_si256((__m256i *)(buf + nbuf),
                            _mm256_permutevar8x32_epi32(raw, to));
        nbuf += (size_t)__builtin_popcount(m);
    }
    for (unsigned j = 0; j < nk; j++)
        c->ge[j] += lanes_sum(ge[j]);
    return cells_scalar(c, k + i, n - i, nbuf);
}

AVX2 static size_t cells_avx2(sel_cells *c, const uint64_t *k, size_t n,
                              size_t nbuf)
{
    switch (c->nk) {
    case 2:
        return cells_block_avx2(c, k, n, nbuf, 2);
    case 4:
        return cells_block_avx2(c, k, n, nbuf, 4);
    case 6:
        return cells_block_avx2(c, k, n, nbuf, 6);
    case 8:
        return cells_block_avx2(c, k, n, nbuf, 8);
    case 16:
        return cells_block_avx2(c, k, n, nbuf, 16);
    default:
        return cells_block_avx2(c, k, n, nbuf, CELL_BOUNDS);
    }
}

/* Eight keys at a time: unsigned compares into masks, whose xor is the
 * copy mask for a compress. */
AVX512 static inline __attribute__((always_inline)) size_t
cells_block_avx512(sel_cells *c, const uint64_t *k, size_t n, size_t nbuf,
                   unsigned nk)
{
    const __m512i one = _mm512_set1_epi64(1);
    __m512i below[CELL_BOUNDS], ge[CELL_BOUNDS];
    uint64_t *buf = c->buf;
    for (unsigned j = 0; j < nk; j++) {
        below[j] = _mm512_set1_epi64(lane_of(c->t[j] - 1));
        ge[j] = _mm512_setzero_si512();
    }
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        prefetch_ahead(k + i);
        __m512i x = _mm512_loadu_si512((const void *)(k + i));
        __mmask8 copy = 0;
        for (unsigned j = 0; j < nk; j++) {
            __mmask8 g = _mm512_cmpgt_epu64_mask(x, below[j]);
            ge[j] = _mm512_mask_add_epi64(ge[j], g, ge[j], one);
            copy ^= g;
        }
        _mm512_storeu_si512((void *)(buf + nbuf),
                            _mm512_maskz_compress_epi64(copy, x));
        nbuf += (size_t)__builtin_popcount(copy);
    }
    for (unsigned j = 0; j < nk; j++)
        c->ge[j] += (uint64_t)_mm512_reduce_add_epi64(ge[j]);
    return cells_scalar(c, k + i, n - i, nbuf);
}

AVX512 static size_t cells_avx512(sel_cells *c, const uint64_t *k, size_t n,
                                  size_t nbuf)
{
    switch (c->nk) {
    case 2:
        return cells_block_avx512(c, k, n, nbuf, 2);
    case 4:
        return cells_block_avx512(c, k, n, nbuf, 4);
    case 6:
        return cells_block_avx512(c, k, n, nbuf, 6);
    case 8:
        return cells_block_avx512(c, k, n, nbuf, 8);
    case 16:
        return cells_block_avx512(c, k, n, nbuf, 16);
    default:
        return cells_block_avx512(c, k, n, nbuf, CELL_BOUNDS);
    }
}
#endif

/* The widest kernel the CPU runs. */
static sel_kernel pick_kernel(void)
{
#ifdef SEL_X86
    if (OPS_SELECT_SIMD >= 2 && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("popcnt"))
        return cells_avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt"))
        return cells_avx2;
#endif
    return cells_scalar;
}

/* One read of every key: counts for every boundary, copies of the copied
 * cells. A block may overrun cap by up to its size (the buffer has room);
 * more copies than cap mean a sample that misled, and the pass gives up.
 * Returns 0, or -1 when it gave up. */
static int cells_pass(const sel_state *s, sel_cells *c)
{
    sel_kernel kernel = pick_kernel();
    size_t nbuf = 0;
    for (size_t v = 0; v < s->nvecs; v++) {
        for (const ops_block *b = s->vecs[v]->head; b; b = b->next) {
            if (nbuf > c->cap)
                return -1;
            nbuf = kernel(c, b->slot, b->n, nbuf);
        }
    }
    c->nbuf = nbuf;
    return 0;
}

/* ---- brackets: resolving ---------------------------------------------- */

/* Cell i as a window: its keys, their count and the count below. */
static sel_window cell_window(const sel_cells *c, unsigned i, uint64_t n)
{
    sel_window w = {.lo = i == 0 ? 0 : c->t[i - 1],
                    .hi = i == c->nb ? UINT64_MAX : c->t[i] - 1,
                    .below = i == 0 ? 0 : n - c->ge[i - 1],
                    .depth = 1};
    w.count = (i == c->nb ? n : n - c->ge[i]) - w.below;
    return w;
}

/* Copies the keys of w from the buffer to out (room for w->count +
 * CELL_SLACK), by the pass's kernel: w is the one copied cell of a pass
 * over the buffer. */
static void cell_keys(const sel_cells *c, const sel_window *w, uint64_t *out)
{
    sel_cells one = {.nb = 2, .nk = 2, .t = {w->lo, w->hi + 1}, .buf = out};
    if (w->hi == UINT64_MAX)
        one.nb = 1; /* t[1] = 0 pads */
    pick_kernel()(&one, c->buf, c->nbuf, 0);
}

/* Selects the k targets who[0..k) of copied cell w among its copies; rk
 * holds their ranks in the cell. The buffer serves as it is when it holds
 * this cell only. */
static int select_cell(sel_state *s, const sel_cells *c, const sel_window *w,
                       size_t k, uint64_t *scratch)
{
    uint64_t *a = c->buf;
    if (w->count < c->nbuf) {
        cell_keys(c, w, scratch);
        a = scratch;
    }
    if (array_select(a, (size_t)w->count, w->lo, w->hi, s->rk, k, s->ko,
                     s->hist) < 0)
        return -1;
    for (size_t j = 0; j < k; j++)
        found(&s->t[s->who[j]], s->ko[j]);
    return 0;
}

/* The most keys a copied cell holds. */
static uint64_t largest_copy(const sel_cells *c, uint64_t n)
{
    uint64_t most = 0;
    for (unsigned i = 1; i <= c->nb; i += 2) {
        sel_window w = cell_window(c, i, n);
        most = w.count > most ? w.count : most;
    }
    return most;
}

/* Gives every target its key: selected among the copies of its cell, the
 * single key of its cell, or else (the sample misled) its cell as a
 * window for the refinement. Targets come in rank order and so in cell
 * order. */
static int resolve_cells(sel_state *s, const sel_cells *c)
{
    uint64_t most = largest_copy(c, s->n);
    uint64_t *scratch = malloc((most + CELL_SLACK) * sizeof *scratch);
    s->w = calloc(s->nt, sizeof *s->w);
    int rc = scratch && s->w ? 0 : -1;
    unsigned i = 0;
    size_t k = 0; /* targets of copied cell i so far */
    sel_window w = cell_window(c, 0, s->n);
    for (size_t j = 0; rc == 0 && j < s->nt; j++) {
        sel_target *t = &s->t[j];
        while (t->rank >= w.below + w.count) {
            if (k > 0 && (rc = select_cell(s, c, &w, k, scratch)) < 0)
                break;
            k = 0;
            w = cell_window(c, ++i, s->n);
        }
        if (rc < 0)
            break;
        if (cell_copied(i)) {
            s->rk[k] = t->rank - w.below;
            s->who[k++] = j;
        } else if (w.lo == w.hi) {
            found(t, w.lo);
        } else {
            t->win = add_window(s->w, &s->nw, &w);
        }
    }
    if (rc == 0 && k > 0)
        rc = select_cell(s, c, &w, k, scratch);
    free(scratch);
    return rc;
}

/* Selection by brackets when the targets need few enough of them.
 * Returns 1 when done (perhaps leaving windows to refine), 0 when the
 * brackets do not apply or the sample misled too far, -1 when out of
 * memory. */
static int bracket(sel_state *s)
{
    unsigned bits = sample_bits(s->n);
    size_t m = (size_t)1 << bits;
    sel_bracket br[MAX_BRACKETS];
    uint64_t kv[4 * MAX_BRACKETS];
    size_t nbr = sample_windows(s, bits, br);
    if (nbr == 0)
        return 0;
    uint64_t *sample = malloc(m * sizeof *sample);
    if (sample == NULL)
        return -1;
    take_sample(s, sample, m);
    int rc = bracket_keys(s, sample, m, br, nbr, kv);
    free(sample);
    if (rc < 0)
        return -1;
    bracket_ends(br, nbr, kv, m);
    sel_cells c;
    uint64_t room = copy_room(br, nbr, s->n, m);
    if (room > s->n || plan_cells(&c, br, nbr) < 0)
        return 0;
    c.cap = (size_t)room;
    c.buf = malloc((c.cap + CELL_SLACK) * sizeof *c.buf);
    if (c.buf == NULL)
        return -1;
    rc = cells_pass(s, &c) < 0 ? 0 : resolve_cells(s, &c) < 0 ? -1 : 1;
    free(c.buf);
    return rc;
}

/* ---- driving ---------------------------------------------------------- */

/* Few keys: all of them copied, then selected on. */
static int select_direct(sel_state *s)
{
    uint64_t *a = malloc((size_t)s->n * sizeof *a), min = UINT64_MAX, max = 0;
    size_t at = 0;
    if (a == NULL)
        return -1;
    for (size_t v = 0; v < s->nvecs; v++) {
        for (const ops_block *b = s->vecs[v]->head; b; b = b->next) {
            memcpy(a + at, b->slot, b->n * sizeof *a);
            at += b->n;
        }
    }
    for (size_t i = 0; i < at; i++) {
        min = a[i] < min ? a[i] : min;
        max = a[i] > max ? a[i] : max;
    }
    for (size_t j = 0; j < s->nt; j++)
        s->rk[j] = s->t[j].rank;
    int rc = array_select(a, at, min, max, s->rk, s->nt, s->ko, s->hist);
    for (size_t j = 0; rc == 0 && j < s->nt; j++)
        found(&s->t[j], s->ko[j]);
    free(a);
    return rc;
}

static uint64_t copy_budget(uint64_t n)
{
    uint64_t b = n / 8;
    return b < COPY_MIN ? COPY_MIN : b > COPY_MAX ? COPY_MAX : b;
}

/* The brackets when they apply; else all keys copied when they are few,
 * else the refinement from the whole key space. */
static int select_all(sel_state *s, uint64_t n)
{
    s->n = n;
    s->copy_budget = copy_budget(n);
    s->hist = malloc(ARRAY_BUCKETS * sizeof *s->hist);
    s->rk = malloc(4 * s->nt * sizeof *s->rk);
    s->ko = malloc(4 * s->nt * sizeof *s->ko);
    s->who = malloc(s->nt * sizeof *s->who);
    if (!s->hist || !s->rk || !s->ko || !s->who)
        return -1;
    int rc = n < BRACKET_MIN ? 0 : bracket(s);
    if (rc != 0)
        return rc < 0 ? -1 : refine(s);
    return n <= DIRECT_MAX ? select_direct(s) : refine_all(s);
}

static int cmp_target_rank(const void *a, const void *b)
{
    uint64_t x = ((const sel_target *)a)->rank;
    uint64_t y = ((const sel_target *)b)->rank;
    return (x > y) - (x < y);
}

static uint64_t total_count(const ops_vec *const *vecs, size_t nvecs)
{
    uint64_t n = 0;
    for (size_t v = 0; v < nvecs; v++)
        n += vecs[v]->n;
    return n;
}

int ops_select_ranks(const ops_vec *const *vecs, size_t nvecs,
                     const uint64_t *ranks, size_t nranks, uint64_t *keys_out)
{
    uint64_t n = total_count(vecs, nvecs);
    sel_state s = {.vecs = vecs, .nvecs = nvecs, .nt = nranks};
    if (nranks == 0)
        return 0;
    for (size_t i = 0; i < nranks; i++) {
        if (ranks[i] >= n)
            return -1;
    }
    s.t = malloc(nranks * sizeof *s.t);
    if (s.t == NULL)
        return -1;
    for (size_t i = 0; i < nranks; i++) {
        s.t[i].rank = ranks[i];
        s.t[i].out = i;
    }
    qsort(s.t, nranks, sizeof *s.t, cmp_target_rank);
    int rc = select_all(&s, n);
    for (size_t i = 0; rc == 0 && i < nranks; i++)
        keys_out[s.t[i].out] = s.t[i].key;
    free_windows(s.w, s.nw);
    free(s.map);
    free(s.stage);
    free(s.hist);
    free(s.rk);
    free(s.ko);
    free(s.who);
    free(s.t);
    return rc;
}
