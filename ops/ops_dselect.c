/*
 * ops_dselect.c - exact order statistics of keys spread over processes.
 *
 * Every process holds some of the keys; the ranks are global. The one
 * means of talking is red->sum_u64, an element-wise sum across processes,
 * so the method is histogram refinement over the key bits, where every
 * round sends a fixed number of counts however many keys there are.
 *
 * A bracket is a key interval [lo, lo + 2^(64-len) - 1] (its top len bits
 * fixed) with the global count of its keys and of the keys below it. It
 * starts as the whole key space. Each round every process counts its keys
 * of each open bracket into 2^bits bins of the bits below the fixed ones,
 * and records the bracket's shape: the OR and the AND of its keys. After
 * the sum, each rank's bin (found by prefix sums) is its next bracket;
 * ranks in the same bin share it.
 *
 * The shape makes duplicates and narrow ranges cheap. Packed per key bit
 * as (processes whose OR has the bit) << 32 | (processes whose AND has
 * it), the sum says which bits vary over all the bracket's keys: a bit is
 * constant when every process's OR and AND agree on it and all processes
 * holding keys agree with each other. No varying bit: every key of the
 * bracket is one value, which is the answer. Otherwise the leading
 * constant bits are fixed at once, so small integers (keys 2^63 + 0..999)
 * do not spend rounds on their equal top bits. A bracket of one key only
 * sends its shape, which then always resolves it.
 *
 * Passes: round 1 counts all local keys into 2^16 bins of the top bits;
 * one more pass copies the keys of the ranks' bins into an array grouped
 * by bracket. Later rounds read and compact only those copies (their
 * memory: up to 8 bytes per local key when the ranks' bins hold most keys,
 * twice that while one round's copies move to the next). Each round
 * fixes at least 12 more bits (fewer only when brackets are many), so at
 * most five rounds counting, plus one tiny first call that agrees on the
 * total count and on every process having its buffers.
 *
 * Traffic per round: 2^16 + 66 counts in round 1; later 2^12 + 65 per open
 * bracket (2^18 bins over all brackets beyond 64 of them, at least 16
 * each), plus one count that says whether any process ran out of memory,
 * so that all return -1 together instead of waiting on each other.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

#define ROOT_BITS   16 /* bins of round 1: the top key bits */
#define MAX_BITS    12 /* bins of later rounds, per bracket */
#define MIN_BITS    4
#define BUDGET_BITS 18 /* bins of a round over many brackets */
#define SHAPE       65 /* holders, then one count per key bit */
#define HALF        32 /* OR count << HALF | AND count */
#define LOW_HALF    ((UINT64_C(1) << HALF) - 1)

typedef struct {
    uint64_t lo;    /* the fixed top len bits; zeros below */
    unsigned len;   /* 0 only for the whole key space (the vecs) */
    unsigned bits;  /* this round: 2^bits bins, or 0 (shape only) */
    uint64_t count; /* keys inside, over all processes */
    uint64_t below; /* keys below lo, over all processes */
    uint64_t mine;  /* keys inside held here */
    size_t t0, t1;  /* its targets t[t0..t1) */
    size_t k0, k1;  /* its local keys cand[k0..k1) */
    size_t off;     /* its counts in the round: bins, then shape */
    size_t c0, c1;  /* its children next[c0..c1) */
    size_t bin;     /* its bin in the parent */
} ds_bracket;

typedef struct {
    uint64_t rank;
    size_t out; /* index in the caller's arrays */
} ds_target;

typedef struct {
    const ops_vec *const *vecs;
    size_t nvecs;
    ds_target *t; /* sorted by rank */
    size_t nt;
    ds_bracket *br, *next; /* open brackets of this round and the next */
    size_t nbr, nnext;
    uint64_t *sum;   /* the round's counts, summed in place */
    uint64_t *local; /* this process's share of them */
    size_t cap;      /* counts either can hold */
    uint32_t *map;   /* bin -> 1 + child, 0 for none (2^ROOT_BITS) */
    size_t *pos;     /* next free copy slot per child */
    uint64_t *stage; /* OPS_VEC_BLOCK keys on their way to cand */
    uint32_t *stage_child;
    uint64_t *cand; /* local keys of open brackets, by bracket */
    int failed;     /* out of memory here: count nothing, say so */
} ds_state;

static unsigned ceil_log2(size_t k)
{
    unsigned b = 0;
    while (((size_t)1 << b) < k)
        b++;
    return b;
}

/* Bins per bracket when nbr brackets share a round: 2^12 each up to 64
 * brackets, then about 2^18 over all, but never fewer than 2^4 each. */
static unsigned bits_for(size_t nbr)
{
    if (nbr <= 64)
        return MAX_BITS;
    unsigned lg = ceil_log2(nbr);
    return lg + MIN_BITS >= BUDGET_BITS ? MIN_BITS : BUDGET_BITS - lg;
}

/* The most bins any round of nt targets can have (see bits_for). */
static size_t bins_cap(size_t nt)
{
    size_t root = (size_t)1 << ROOT_BITS;
    if (nt <= 64)
        return nt << MAX_BITS > root ? nt << MAX_BITS : root;
    size_t budget = (size_t)1 << BUDGET_BITS;
    return nt << MIN_BITS > budget ? nt << MIN_BITS : budget;
}

static size_t nbins(const ds_bracket *b)
{
    return b->bits ? (size_t)1 << b->bits : 0;
}

static unsigned shift_of(const ds_bracket *b)
{
    return 64u - b->len - b->bits;
}

/* ---- reading the keys ------------------------------------------------ */

/* Counts keys (all inside the bracket [lo, ...]) into bins and folds them
 * into the OR / AND of the shape. */
static void count_keys(const uint64_t *k, size_t n, uint64_t lo, unsigned shift,
                       uint64_t *hist, uint64_t shape[2])
{
    uint64_t o = shape[0], a = shape[1];
    if (hist != NULL) {
        for (size_t i = 0; i < n; i++) {
            hist[(k[i] - lo) >> shift]++;
            o |= k[i];
            a &= k[i];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            o |= k[i];
            a &= k[i];
        }
    }
    shape[0] = o;
    shape[1] = a;
}

/* The shape counts of one process: whether it holds keys of the bracket,
 * then per bit whether its OR and its AND have it. */
static void put_shape(uint64_t *c, const uint64_t shape[2], uint64_t held)
{
    if (held == 0)
        return; /* zeros: it says nothing about the bits */
    c[0] = 1;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t o = (shape[0] >> i) & 1, a = (shape[1] >> i) & 1;
        c[1 + i] = o << HALF | a;
    }
}

/* Counts this process's keys of bracket b into c (zeroed). The whole key
 * space reads the vecs, any other bracket its copies. */
static void count_bracket(const ds_state *s, const ds_bracket *b, uint64_t *c)
{
    uint64_t shape[2] = {0, UINT64_MAX}, held = 0;
    uint64_t *hist = b->bits ? c : NULL;
    if (b->len == 0) {
        for (size_t v = 0; v < s->nvecs; v++) {
            for (const ops_block *k = s->vecs[v]->head; k; k = k->next) {
                count_keys(k->slot, k->n, 0, shift_of(b), hist, shape);
                held += k->n;
            }
        }
    } else {
        held = b->k1 - b->k0;
        count_keys(s->cand + b->k0, held, b->lo, shift_of(b), hist, shape);
    }
    put_shape(c + nbins(b), shape, held);
}

/* ---- deciding -------------------------------------------------------- */

/* From summed shape counts: the bits that vary over the bracket's keys
 * and the value of the others. -1 when no process holds a key, which
 * counts that agree with each other never say of a bracket with keys. */
static int read_shape(const uint64_t *c, uint64_t *varying, uint64_t *value)
{
    uint64_t m = c[0];
    *varying = 0;
    *value = 0;
    if (m == 0)
        return -1;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t ors = c[1 + i] >> HALF, ands = c[1 + i] & LOW_HALF;
        if (ors != ands || (ands != 0 && ands != m))
            *varying |= UINT64_C(1) << i;
        else if (ands == m)
            *value |= UINT64_C(1) << i;
    }
    return 0;
}

static void resolve(const ds_state *s, size_t t0, size_t t1, uint64_t key,
                    uint64_t *keys_out)
{
    for (size_t i = t0; i < t1; i++)
        keys_out[s->t[i].out] = key;
}

/* The bin of bracket b that holds target i: the first whose running
 * count passes the rank. *cum is the count before bin *bin; both only
 * grow, as targets come in rank order. -1 past the last bin. */
static int find_bin(const ds_state *s, const ds_bracket *b, const uint64_t *g,
                    size_t i, size_t *bin, uint64_t *cum)
{
    uint64_t r = s->t[i].rank - b->below;
    size_t nb = nbins(b);
    while (*bin < nb && *cum + g[*bin] <= r)
        *cum += g[(*bin)++];
    return *bin < nb ? 0 : -1;
}

/* The child bracket for bin `bin` of b. Bits that no key of b varies in
 * are fixed too: the child's len may jump past the bin's bits. */
static ds_bracket child_of(const ds_state *s, const ds_bracket *b,
                           const uint64_t *g, size_t bin, uint64_t cum,
                           uint64_t varying, uint64_t value)
{
    ds_bracket c = {0};
    unsigned common = (unsigned)__builtin_clzll(varying);
    c.len = b->len + b->bits;
    c.lo = b->lo + ((uint64_t)bin << shift_of(b));
    if (common > c.len) {
        c.len = common;
        c.lo = value & ~(UINT64_MAX >> common);
    }
    c.count = g[bin];
    c.below = b->below + cum;
    c.mine = s->local[b->off + bin];
    c.bin = bin;
    return c;
}

/* Hands each target of b its bin: a bin of one key value resolves its
 * targets, any other becomes an open bracket of the next round. */
static int split_bins(ds_state *s, ds_bracket *b, const uint64_t *g,
                      uint64_t varying, uint64_t value, uint64_t *keys_out)
{
    size_t bin = 0;
    uint64_t cum = 0;
    b->c0 = s->nnext;
    for (size_t i = b->t0, j; i < b->t1; i = j) {
        if (find_bin(s, b, g, i, &bin, &cum) != 0)
            return -1;
        uint64_t end = cum + g[bin];
        for (j = i + 1; j < b->t1 && s->t[j].rank - b->below < end; j++)
            ;
        ds_bracket c = child_of(s, b, g, bin, cum, varying, value);
        if (c.len == 64) {
            resolve(s, i, j, c.lo, keys_out);
            continue;
        }
        c.t0 = i;
        c.t1 = j;
        s->next[s->nnext++] = c;
    }
    b->c1 = s->nnext;
    return 0;
}

/* After the sum: resolves or splits bracket b. -1 when the counts
 * contradict themselves (a reducer that does not sum). */
static int decide(ds_state *s, ds_bracket *b, uint64_t *keys_out)
{
    const uint64_t *g = s->sum + b->off;
    uint64_t varying, value;
    b->c0 = b->c1 = s->nnext;
    if (read_shape(g + nbins(b), &varying, &value) != 0)
        return -1;
    if (varying == 0) {
        resolve(s, b->t0, b->t1, value, keys_out);
        return 0;
    }
    if (b->bits == 0)
        return -1; /* one key varies in no bit */
    return split_bins(s, b, g, varying, value, keys_out);
}

/* ---- copying the keys of the next round ------------------------------ */

/* Moves the keys of keys[0..n) (n <= OPS_VEC_BLOCK) that fall in a mapped
 * bin to their child's slots. Staging first keeps the loop over all keys
 * free of branches and of a chain through one position counter. */
static void route_keys(const ds_state *s, const uint64_t *k, size_t n,
                       uint64_t lo, unsigned shift, uint64_t *cand)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t child = s->map[(k[i] - lo) >> shift];
        s->stage[m] = k[i];
        s->stage_child[m] = child;
        m += child != 0;
    }
    for (size_t i = 0; i < m; i++)
        cand[s->pos[s->stage_child[i]]++] = s->stage[i];
}

/* Copies b's local keys into its children's slots of cand. */
static void route_bracket(const ds_state *s, const ds_bracket *b,
                          uint64_t *cand)
{
    unsigned shift = shift_of(b);
    if (b->c0 == b->c1)
        return; /* resolved, or every child was */
    for (size_t c = b->c0; c < b->c1; c++) {
        s->map[s->next[c].bin] = (uint32_t)(1 + c - b->c0);
        s->pos[1 + c - b->c0] = s->next[c].k0;
    }
    if (b->len == 0) {
        for (size_t v = 0; v < s->nvecs; v++)
            for (const ops_block *k = s->vecs[v]->head; k; k = k->next)
                route_keys(s, k->slot, k->n, 0, shift, cand);
    } else {
        for (size_t i = b->k0; i < b->k1; i += OPS_VEC_BLOCK) {
            size_t n = b->k1 - i < OPS_VEC_BLOCK ? b->k1 - i : OPS_VEC_BLOCK;
            route_keys(s, s->cand + i, n, b->lo, shift, cand);
        }
    }
    for (size_t c = b->c0; c < b->c1; c++)
        s->map[s->next[c].bin] = 0;
}

/* Replaces the copies by those of the next round's brackets. Out of
 * memory marks this process failed; the next round tells the others. */
static void route(ds_state *s)
{
    size_t total = 0;
    for (size_t c = 0; c < s->nnext; c++) {
        s->next[c].k0 = total;
        total += (size_t)s->next[c].mine;
        s->next[c].k1 = total;
    }
    uint64_t *cand = malloc((total + 1) * sizeof *cand);
    if (cand == NULL) {
        s->failed = 1;
    } else {
        for (size_t b = 0; b < s->nbr; b++)
            route_bracket(s, &s->br[b], cand);
    }
    free(s->cand);
    s->cand = cand;
}

/* ---- rounds ---------------------------------------------------------- */

/* Places each bracket's counts in the round's array; returns its length
 * (the last count is the failure flag), or 0 when it would not fit. */
static size_t layout(ds_state *s)
{
    unsigned bits = bits_for(s->nbr);
    size_t off = 0;
    for (size_t i = 0; i < s->nbr; i++) {
        ds_bracket *b = &s->br[i];
        unsigned room = 64u - b->len;
        b->bits = b->len == 0 ? ROOT_BITS : (bits < room ? bits : room);
        if (b->count <= 1)
            b->bits = 0;
        b->off = off;
        off += nbins(b) + SHAPE;
    }
    return off + 1 <= s->cap ? off + 1 : 0;
}

/* One round: count, sum, decide, copy. 0, or -1 (the same everywhere
 * unless the reducer itself fails). */
static int round_trip(ds_state *s, const ops_reducer *red, uint64_t *keys_out)
{
    size_t n = layout(s);
    if (n == 0)
        return -1;
    memset(s->sum, 0, n * sizeof *s->sum);
    for (size_t i = 0; i < s->nbr && !s->failed; i++)
        count_bracket(s, &s->br[i], s->sum + s->br[i].off);
    memcpy(s->local, s->sum, n * sizeof *s->sum);
    s->sum[n - 1] = (uint64_t)s->failed;
    if (red->sum_u64(red->ctx, s->sum, n) != 0 || s->sum[n - 1] != 0)
        return -1;
    s->nnext = 0;
    for (size_t i = 0; i < s->nbr; i++)
        if (decide(s, &s->br[i], keys_out) != 0)
            return -1;
    if (s->nnext > 0)
        route(s);
    ds_bracket *tmp = s->br;
    s->br = s->next;
    s->next = tmp;
    s->nbr = s->nnext;
    return 0;
}

static int cmp_target(const void *a, const void *b)
{
    const ds_target *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return (x->out > y->out) - (x->out < y->out);
}

/* Everything of fixed size, before the first collective call. */
static int ds_alloc(ds_state *s, const uint64_t *ranks, size_t nranks)
{
    if (nranks > SIZE_MAX / 1024)
        return -1;
    s->nt = nranks;
    s->cap = bins_cap(nranks) + nranks * SHAPE + 1;
    s->t = malloc(nranks * sizeof *s->t);
    s->br = malloc(nranks * sizeof *s->br);
    s->next = malloc(nranks * sizeof *s->next);
    s->sum = malloc(s->cap * sizeof *s->sum);
    s->local = malloc(s->cap * sizeof *s->local);
    s->map = calloc((size_t)1 << ROOT_BITS, sizeof *s->map);
    s->pos = malloc((nranks + 1) * sizeof *s->pos);
    s->stage = malloc(OPS_VEC_BLOCK * sizeof *s->stage);
    s->stage_child = malloc(OPS_VEC_BLOCK * sizeof *s->stage_child);
    if (!s->t || !s->br || !s->next || !s->sum || !s->local || !s->map ||
        !s->pos || !s->stage || !s->stage_child)
        return -1;
    for (size_t i = 0; i < nranks; i++)
        s->t[i] = (ds_target){ranks[i], i};
    qsort(s->t, nranks, sizeof *s->t, cmp_target);
    return 0;
}

static void ds_free(ds_state *s)
{
    free(s->t);
    free(s->br);
    free(s->next);
    free(s->sum);
    free(s->local);
    free(s->map);
    free(s->pos);
    free(s->stage);
    free(s->stage_child);
    free(s->cand);
}

static uint64_t local_count(const ops_vec *const *vecs, size_t nvecs)
{
    uint64_t n = 0;
    for (size_t i = 0; i < nvecs; i++)
        n += vecs[i]->n;
    return n;
}

/* The rounds, from the whole key space of total keys. */
static int ds_run(ds_state *s, uint64_t total, const ops_reducer *red,
                  uint64_t *keys_out)
{
    if (s->t[s->nt - 1].rank >= total)
        return -1;
    s->br[0] = (ds_bracket){.count = total, .t1 = s->nt};
    s->nbr = 1;
    while (s->nbr > 0)
        if (round_trip(s, red, keys_out) != 0)
            return -1;
    return 0;
}

/* The sequence of sum_u64 calls depends only on the ranks and on earlier
 * sums, so every process makes the same calls; and every process returns
 * the same value, unless sum_u64 itself fails somewhere (the caller's
 * reducer then has to make that failure collective, as MPI does). */
int ops_select_ranks_reduced(const ops_vec *const *vecs, size_t nvecs,
                             const uint64_t *ranks, size_t nranks,
                             uint64_t *keys_out, const ops_reducer *red)
{
    if (red == NULL)
        return ops_select_ranks(vecs, nvecs, ranks, nranks, keys_out);
    if (nranks == 0)
        return 0;
    ds_state s = {.vecs = vecs, .nvecs = nvecs};
    uint64_t start[2] = {0, local_count(vecs, nvecs)};
    start[0] = ds_alloc(&s, ranks, nranks) != 0;
    int rc = -1;
    if (red->sum_u64(red->ctx, start, 2) == 0 && start[0] == 0)
        rc = ds_run(&s, start[1], red, keys_out);
    ds_free(&s);
    return rc;
}
