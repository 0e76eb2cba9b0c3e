/*
 * ops_select.c - exact order statistics by histogram refinement.
 *
 * The k-th smallest of n keys is found without sorting them and without
 * copying them all. Every target rank waits in a window: a key interval
 * [lo, hi] whose count of keys, and of keys below lo, is known. Each pass
 * reads every key once and does one of two things with the windows:
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
 * window 2^15 times) and the refinement ends; usually one count suffices.
 *
 * Uniform keys over a wide range take two passes (count by top bits, copy
 * the target buckets); a narrow range or a bell shape takes three.
 *
 * Reading the data (scan) is separate from deciding (run_pass's choice,
 * next_windows): a distributed caller sums the histograms of every
 * process (min of mins, max of maxes) and gathers the copies in between.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

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
    uint64_t done;  /* keys[0..done) <= keys[done..) */
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
} sel_state;

/* The shift that spreads [lo, hi] over at most 2^bits buckets. */
static unsigned shift_for(uint64_t lo, uint64_t hi, unsigned bits)
{
    uint64_t span = hi - lo;
    unsigned len = span ? 64u - (unsigned)__builtin_clzll(span) : 0u;
    return len > bits ? len - bits : 0u;
}

/* ---- reading ---------------------------------------------------------- */

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

/* ---- preparing a pass ------------------------------------------------- */

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

/* ---- deciding: selection among copies --------------------------------- */

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

/* The key of relative rank r among a window's copies. Targets come in
 * rank order, so each selection searches only past the previous one; a
 * repeated rank finds its key already in place. */
static uint64_t select_copied(sel_window *w, uint64_t r)
{
    if (r < w->done)
        return w->keys[r];
    uint64_t key = select_kth(w->keys + w->done, (size_t)(w->nkeys - w->done),
                              (size_t)(r - w->done));
    w->done = r + 1;
    return key;
}

/* ---- deciding: narrowing by counts ------------------------------------ */

/* The bucket of relative rank r, searching up from bucket b whose first
 * key has relative rank *before. */
static size_t find_bucket(const sel_window *w, uint64_t r, size_t b,
                          uint64_t *before)
{
    while (b + 1 < w->nbuckets && r >= *before + w->cnt[b])
        *before += w->cnt[b++];
    return b;
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

/* After a pass: targets of the active windows are resolved (copy) or
 * narrowed (count); the others keep their windows, which move over to
 * the new list. Targets and windows being in the same order, the new
 * list stays sorted by lo. */
static int next_windows(sel_state *s, int copy)
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
        } else if (copy) {
            found(t, select_copied(w, t->rank - w->below));
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

/* ---- driving ---------------------------------------------------------- */

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
    for (size_t i = 0; !copy && i < s->nact; i++)
        recount(&s->w[i]);
    return next_windows(s, copy);
}

static uint64_t copy_budget(uint64_t n)
{
    uint64_t b = n / 8;
    return b < COPY_MIN ? COPY_MIN : b > COPY_MAX ? COPY_MAX : b;
}

static int select_all(sel_state *s, uint64_t n)
{
    s->n = n;
    s->copy_budget = copy_budget(n);
    s->w = calloc(1, sizeof *s->w);
    s->map = malloc((MAP_SIZE + 1) * sizeof *s->map);
    s->stage = malloc(OPS_VEC_BLOCK * sizeof *s->stage);
    if (!s->w || !s->map || !s->stage)
        return -1;
    s->w[0].hi = UINT64_MAX;
    s->w[0].count = n;
    s->nw = 1;
    for (size_t i = 0; i < s->nt; i++)
        s->t[i].win = 0;
    while (s->nw > 0) {
        if (run_pass(s) < 0)
            return -1;
    }
    return 0;
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
    free(s.t);
    return rc;
}
