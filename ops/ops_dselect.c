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
 * Round 1 is planned from a sample: every process counts one key in 64
 * into 2^16 bins of the top bits, the counts are summed, and each such
 * bin is split into 2^e bins of the bits below it, 2^e about its share
 * of the sample times 2^13. So round 1's bins hold similar numbers of
 * keys even where keys crowd under equal top bits (doubles in [0, 1)
 * share their sign, most of their exponent). A misleading sample costs
 * rounds, never exactness.
 *
 * Memory: round 1 counts all local keys. A later round counts from this
 * process's copies of the open brackets' keys when it has them, else
 * from all its keys again (a key outside the open brackets costs one
 * table look-up and no branch). The first round whose open brackets hold
 * at most a budget of this process's keys (1/64 of them, at least 2^17:
 * 1 MiB) copies them while it counts; later rounds compact the copies in
 * place. So the memory of a call beyond its fixed arrays (about 2 MB)
 * stays within the budget whatever the data. After a fair sample round
 * 2 copies: two full passes and the sampled one. Keys crowded in the
 * ranks' brackets (few distinct values, long shared prefixes) take more
 * full passes instead, each narrowing them 2^12 times, unless their
 * shape resolves them first. Whether and when to copy is each process's
 * own choice: it changes where the counts come from, never the counts,
 * so every process still makes the same calls.
 *
 * Calls: one of two counts agrees on the total and on every process
 * having its buffers, one sums the sample; then the rounds. Round 1 fixes
 * at least 16 bits and each later one at least 12 more (fewer only when
 * brackets are many), so at most five rounds count bins.
 *
 * Traffic: 2^16 counts for the sample; at most 2^16 + 2^15 + 65 in round
 * 1; later 2^12 + 65 per open bracket (2^18 bins over all brackets beyond
 * 64 of them, at least 16 each). Nothing allocated after the first call
 * can fail the call: a process that cannot allocate its copies counts
 * from all keys again.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>

#define ROOT_BITS   16 /* round 1 splits each bin of the top bits */
#define ROOT_SHIFT  (64 - ROOT_BITS)
#define ROOT_LOW    (UINT64_MAX >> ROOT_BITS)
#define ROOT_FINE   13 /* into about 2^13 bins over all sampled keys */
#define ROOT_CAP    (3 * ((size_t)1 << 15)) /* bins of round 1, at most */
#define SAMPLE_STEP 64                      /* one key in 64 is sampled */
#define MAX_BITS    12 /* bins of later rounds, per bracket */
#define MIN_BITS    4
#define BUDGET_BITS 18 /* bins of a round over many brackets */
#define SHAPE       65 /* holders, then one count per key bit */
#define HALF        32 /* OR count << HALF | AND count */
#define LOW_HALF    ((UINT64_C(1) << HALF) - 1)
#define SHAPE_LANES 4                 /* copies of a bracket's local shape */
#define COPY_MIN    ((size_t)1 << 17) /* copies allowed: 1 MiB of keys, */
#define COPY_SHIFT  6                 /* or 1/64 of the local keys */

typedef struct {
    uint64_t lo;    /* the fixed top len bits; zeros below */
    uint64_t span;  /* its keys are lo..lo + span */
    unsigned len;   /* 0 only for the whole key space */
    unsigned bits;  /* this round: 2^bits bins past round 1 */
    size_t nb;      /* bins this round, 0 for its shape only */
    uint64_t count; /* keys inside, over all processes */
    uint64_t below; /* keys below lo, over all processes */
    uint64_t mine;  /* keys inside held here */
    size_t t0, t1;  /* its targets t[t0..t1) */
    size_t off;     /* its counts in the round: bins, then shape */
} ds_bracket;

/* How a counting pass past round 1 finds a key's bracket and bin. */
typedef struct {
    uint64_t lo, size; /* the bracket's keys are lo..lo + size - 1 */
    size_t base;       /* its first bin in the counts, or the spare one */
    size_t left;       /* brackets from it to the last in its top bits */
    unsigned shift;    /* a key's bin is base + ((key - lo) >> shift) */
} ds_look;

typedef struct {
    uint64_t rank;
    size_t out; /* index in the caller's arrays */
} ds_target;

typedef struct {
    const ops_vec *const *vecs;
    size_t nvecs;
    ds_target *t; /* sorted by rank */
    size_t nt;
    ds_bracket *br, *next; /* open brackets of this round and the next, */
    size_t nbr, nnext;     /* in key order, disjoint */
    uint64_t *sum;         /* the round's counts, summed in place */
    uint64_t *local;       /* this process's share of them */
    size_t cap;            /* counts either can hold, and one spare */
    ds_look *look;         /* one holding nothing, then per open bracket */
    uint64_t *ors, *ands;  /* this process's shape of each, in lanes */
    uint64_t *stage;       /* a block of keys inside open brackets */
    uint32_t *stage_at;    /* and their look-up entries */
    uint32_t *first;       /* top bits -> look-up entry of the first */
                           /* bracket there; in round 1 its plan */
    size_t root_bins;      /* bins of round 1 (plan_root) */
    uint64_t *cand;        /* copies of the open brackets' local keys, */
    size_t ncand;          /* or NULL: the rounds read the vecs */
    size_t budget;         /* most keys this process may copy */
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
    size_t root = ROOT_CAP;
    if (nt <= 64)
        return nt << MAX_BITS > root ? nt << MAX_BITS : root;
    size_t budget = (size_t)1 << BUDGET_BITS;
    return nt << MIN_BITS > budget ? nt << MIN_BITS : budget;
}

static unsigned shift_of(const ds_bracket *b)
{
    return 64u - b->len - b->bits;
}

/* ---- reading the keys ------------------------------------------------ */

/* Round 1: counts keys into their bins (hist NULL: none) and folds them
 * into the OR / AND of the shape. */
static void count_root(const uint32_t *plan, const uint64_t *k, size_t n,
                       uint64_t *hist, uint64_t shape[2])
{
    uint64_t o = shape[0], a = shape[1];
    if (hist != NULL) {
        for (size_t i = 0; i < n; i++) {
            uint32_t p = plan[k[i] >> ROOT_SHIFT];
            hist[(p >> 6) + ((k[i] & ROOT_LOW) >> (p & 63))]++;
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

/* The look-up entry of key k: of the last open bracket that starts at
 * or below k among those of k's top bits (past round 1 every bracket lies
 * inside one bin of round 1), or entry 0, which holds nothing. No branch
 * depends on k beyond the number of brackets in its top bits. */
static size_t look_up(const ds_state *s, uint64_t k)
{
    size_t i = s->first[k >> ROOT_SHIFT];
    size_t m = s->look[i].left;
    while (m > 1) {
        size_t half = m / 2;
        i = s->look[i + half].lo <= k ? i + half : i;
        m -= half;
    }
    return i;
}

/* Stages the keys of k[0..n) (n <= OPS_VEC_BLOCK) that lie in open
 * brackets, with their look-up entries; returns how many. Without a
 * branch on the key nor a chain through memory, a key outside costs
 * little whether such keys are rare or common. */
static size_t stage_keys(const ds_state *s, const uint64_t *k, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t key = k[i];
        size_t j = look_up(s, key);
        s->stage[m] = key;
        s->stage_at[m] = (uint32_t)j;
        m += key - s->look[j].lo < s->look[j].size;
    }
    return m;
}

/* Folds the m staged keys into the shapes of their brackets, in
 * SHAPE_LANES copies taken in turn so that keys of one bracket do not
 * wait on each other's OR and AND in memory. */
static void shape_staged(ds_state *s, size_t m)
{
    size_t lane = s->nt + 1;
    for (size_t i = 0; i < m; i++) {
        size_t at = (i % SHAPE_LANES) * lane + s->stage_at[i];
        s->ors[at] |= s->stage[i];
        s->ands[at] &= s->stage[i];
    }
}

/* Counts the m staged keys into their bins and shapes. Their shape is
 * folded in registers while they all belong to one bracket, the usual
 * case when the ranks' brackets hold most keys. */
static void count_staged(ds_state *s, size_t m)
{
    uint64_t o = 0, a = UINT64_MAX;
    uint32_t one = m ? s->stage_at[0] : 0, mixed = 0;
    for (size_t i = 0; i < m; i++) {
        uint64_t key = s->stage[i];
        const ds_look *l = &s->look[s->stage_at[i]];
        s->sum[l->base + (size_t)((key - l->lo) >> l->shift)]++;
        mixed |= s->stage_at[i] ^ one;
        o |= key;
        a &= key;
    }
    if (mixed) {
        shape_staged(s, m);
    } else {
        s->ors[one] |= o;
        s->ands[one] &= a;
    }
}

/* Counts the keys k[0..n) of open brackets past round 1 into their bins
 * and shapes; with dst, also keeps them at dst in order (dst may be k:
 * it never writes ahead of what it has read). Returns the number kept. */
static size_t count_keys(ds_state *s, const uint64_t *k, size_t n,
                         uint64_t *dst)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i += OPS_VEC_BLOCK) {
        size_t m =
            stage_keys(s, k + i, n - i < OPS_VEC_BLOCK ? n - i : OPS_VEC_BLOCK);
        count_staged(s, m);
        if (dst != NULL)
            memcpy(dst + kept, s->stage, m * sizeof *dst);
        kept += m;
    }
    return kept;
}

/* The shape counts of one process: whether it holds keys of the bracket,
 * then per bit whether its OR and its AND have it. */
static void put_shape(uint64_t *c, uint64_t ors, uint64_t ands, uint64_t held)
{
    if (held == 0)
        return; /* zeros: it says nothing about the bits */
    c[0] = 1;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t o = (ors >> i) & 1, a = (ands >> i) & 1;
        c[1 + i] = o << HALF | a;
    }
}

/* Room for copies of the open brackets' local keys, when they are few
 * enough; NULL otherwise, or when out of memory (the next round then
 * reads all keys again). */
static uint64_t *copies_for(const ds_state *s)
{
    size_t total = 0;
    for (size_t i = 0; i < s->nbr; i++) {
        if (s->br[i].mine > s->budget - total)
            return NULL;
        total += (size_t)s->br[i].mine;
    }
    return malloc((total + 1) * sizeof(uint64_t));
}

/* Round 1 over all local keys, copying them all into dst (if not NULL). */
static void count_all_root(ds_state *s, uint64_t *dst)
{
    uint64_t shape[2] = {0, UINT64_MAX}, *hist = s->br[0].nb ? s->sum : NULL;
    size_t kept = 0;
    for (size_t v = 0; v < s->nvecs; v++) {
        for (const ops_block *k = s->vecs[v]->head; k; k = k->next) {
            count_root(s->first, k->slot, k->n, hist, shape);
            if (dst != NULL)
                memcpy(dst + kept, k->slot, k->n * sizeof *dst);
            kept += k->n;
        }
    }
    s->ors[1] = shape[0];
    s->ands[1] = shape[1];
}

/* A later round over all local keys, copying those of the open brackets
 * into dst (if not NULL). */
static void count_all(ds_state *s, uint64_t *dst)
{
    size_t kept = 0;
    for (size_t v = 0; v < s->nvecs; v++)
        for (const ops_block *k = s->vecs[v]->head; k; k = k->next)
            kept += count_keys(s, k->slot, k->n, dst ? dst + kept : NULL);
}

/* Counts all local keys, and copies those of the open brackets when
 * they are few enough. */
static void count_vecs(ds_state *s)
{
    uint64_t *dst = copies_for(s);
    if (s->br[0].len == 0)
        count_all_root(s, dst);
    else
        count_all(s, dst);
    s->cand = dst;
    for (size_t i = 0; dst != NULL && i < s->nbr; i++)
        s->ncand += (size_t)s->br[i].mine;
}

/* This process's counts of the round, in s->sum (zeroed). */
static void count_round(ds_state *s)
{
    size_t lane = s->nt + 1;
    for (size_t i = 0; i < SHAPE_LANES * lane; i++) {
        s->ors[i] = 0;
        s->ands[i] = UINT64_MAX;
    }
    if (s->cand != NULL)
        s->ncand = count_keys(s, s->cand, s->ncand, s->cand);
    else
        count_vecs(s);
    for (size_t i = 0; i < s->nbr; i++) {
        const ds_bracket *b = &s->br[i];
        uint64_t o = 0, a = UINT64_MAX;
        for (size_t l = 0; l < SHAPE_LANES; l++) {
            o |= s->ors[l * lane + 1 + i];
            a &= s->ands[l * lane + 1 + i];
        }
        put_shape(s->sum + b->off + b->nb, o, a, b->mine);
    }
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
    size_t nb = b->nb;
    while (*bin < nb && *cum + g[*bin] <= r)
        *cum += g[(*bin)++];
    return *bin < nb ? 0 : -1;
}

/* The key interval of bin `bin` of round 1: a bin of top bits r split
 * 2^e ways holds bins base .. base + 2^e - 1 (see plan_root). */
static void root_bin(const ds_state *s, size_t bin, ds_bracket *c)
{
    size_t lo = 0, hi = (size_t)1 << ROOT_BITS; /* the last r at or below */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->first[mid] >> 6 <= bin)
            lo = mid;
        else
            hi = mid;
    }
    unsigned shift = s->first[lo] & 63;
    c->len = 64u - shift;
    c->lo = (uint64_t)lo << ROOT_SHIFT | (uint64_t)(bin - (s->first[lo] >> 6))
                                             << shift;
}

/* The child bracket for bin `bin` of b. Bits that no key of b varies in
 * are fixed too: the child's len may jump past the bin's bits. */
static ds_bracket child_of(const ds_state *s, const ds_bracket *b,
                           const uint64_t *g, size_t bin, uint64_t cum,
                           uint64_t varying, uint64_t value)
{
    ds_bracket c = {0};
    unsigned common = (unsigned)__builtin_clzll(varying);
    if (b->len == 0) {
        root_bin(s, bin, &c);
    } else {
        c.len = b->len + b->bits;
        c.lo = b->lo + ((uint64_t)bin << shift_of(b));
    }
    if (common > c.len) {
        c.len = common;
        c.lo = value & ~(UINT64_MAX >> common);
    }
    c.count = g[bin];
    c.below = b->below + cum;
    c.span = c.len < 64 ? UINT64_MAX >> c.len : 0;
    c.mine = s->local[b->off + bin];
    return c;
}

/* Hands each target of b its bin: a bin of one key value resolves its
 * targets, any other becomes an open bracket of the next round. */
static int split_bins(ds_state *s, const ds_bracket *b, const uint64_t *g,
                      uint64_t varying, uint64_t value, uint64_t *keys_out)
{
    size_t bin = 0;
    uint64_t cum = 0;
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
    return 0;
}

/* After the sum: resolves or splits bracket b. -1 when the counts
 * contradict themselves (a reducer that does not sum). */
static int decide(ds_state *s, const ds_bracket *b, uint64_t *keys_out)
{
    const uint64_t *g = s->sum + b->off;
    uint64_t varying, value;
    if (read_shape(g + b->nb, &varying, &value) != 0)
        return -1;
    if (varying == 0) {
        resolve(s, b->t0, b->t1, value, keys_out);
        return 0;
    }
    if (b->nb == 0)
        return -1; /* one key varies in no bit */
    return split_bins(s, b, g, varying, value, keys_out);
}

/* ---- rounds ---------------------------------------------------------- */

/* Places each bracket's counts in the round's array; returns its length,
 * or 0 when it would not fit. */
static size_t layout(ds_state *s)
{
    unsigned bits = bits_for(s->nbr);
    size_t off = 0;
    for (size_t i = 0; i < s->nbr; i++) {
        ds_bracket *b = &s->br[i];
        unsigned room = 64u - b->len;
        b->bits = bits < room ? bits : room;
        b->nb = b->len == 0 ? s->root_bins : (size_t)1 << b->bits;
        if (b->count <= 1)
            b->bits = 0, b->nb = 0;
        b->off = off;
        off += b->nb + SHAPE;
    }
    return off <= s->cap ? off : 0;
}

/* The look-up entries of the open brackets past round 1 (after layout):
 * entry 1 + i is bracket i's, and the top bits of each point at the
 * entry of the first bracket there. */
static void build_look(ds_state *s)
{
    s->look[0] = (ds_look){.base = s->cap, .left = 1};
    for (size_t i = s->nbr; i-- > 0;) {
        const ds_bracket *b = &s->br[i];
        uint64_t top = b->lo >> ROOT_SHIFT;
        int same = i + 1 < s->nbr && s->br[i + 1].lo >> ROOT_SHIFT == top;
        s->look[i + 1] = (ds_look){
            .lo = b->lo,
            .size = b->span + 1,
            .base = b->nb ? b->off : s->cap,
            .left = same ? s->look[i + 2].left + 1 : 1,
            .shift = b->nb ? shift_of(b) : 64u - b->len,
        };
        s->first[top] = (uint32_t)(i + 1);
    }
}

/* Empties the top-bits table after a round (round 1's is a plan). */
static void clear_first(ds_state *s)
{
    if (s->nbr > 0 && s->br[0].len == 0)
        memset(s->first, 0, ((size_t)1 << ROOT_BITS) * sizeof *s->first);
    for (size_t i = 0; i < s->nbr; i++)
        s->first[s->br[i].lo >> ROOT_SHIFT] = 0;
}

/* One round: count, sum, decide. 0, or -1 (the same everywhere unless
 * the reducer itself fails). */
static int round_trip(ds_state *s, const ops_reducer *red, uint64_t *keys_out)
{
    size_t n = layout(s);
    if (n == 0)
        return -1;
    memset(s->sum, 0, n * sizeof *s->sum);
    if (s->br[0].len > 0)
        build_look(s);
    count_round(s);
    memcpy(s->local, s->sum, n * sizeof *s->sum);
    if (red->sum_u64(red->ctx, s->sum, n) != 0)
        return -1;
    s->nnext = 0;
    for (size_t i = 0; i < s->nbr; i++)
        if (decide(s, &s->br[i], keys_out) != 0)
            return -1;
    clear_first(s);
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
    if (nranks > SIZE_MAX / 1024 || nranks >= UINT32_MAX)
        return -1; /* indexes of brackets are kept in 32 bits */
    s->nt = nranks;
    s->cap = bins_cap(nranks) + nranks * SHAPE;
    s->t = malloc(nranks * sizeof *s->t);
    s->br = malloc(nranks * sizeof *s->br);
    s->next = malloc(nranks * sizeof *s->next);
    s->sum = malloc((s->cap + 1) * sizeof *s->sum);
    s->local = malloc(s->cap * sizeof *s->local);
    s->look = malloc((nranks + 1) * sizeof *s->look);
    s->ors = malloc(SHAPE_LANES * (nranks + 1) * sizeof *s->ors);
    s->ands = malloc(SHAPE_LANES * (nranks + 1) * sizeof *s->ands);
    s->stage = malloc(OPS_VEC_BLOCK * sizeof *s->stage);
    s->stage_at = malloc(OPS_VEC_BLOCK * sizeof *s->stage_at);
    s->first = calloc((size_t)1 << ROOT_BITS, sizeof *s->first);
    if (!s->t || !s->br || !s->next || !s->sum || !s->local || !s->look ||
        !s->ors || !s->ands || !s->stage || !s->stage_at || !s->first)
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
    free(s->look);
    free(s->ors);
    free(s->ands);
    free(s->stage);
    free(s->stage_at);
    free(s->first);
    free(s->cand);
}

static uint64_t local_count(const ops_vec *const *vecs, size_t nvecs)
{
    uint64_t n = 0;
    for (size_t i = 0; i < nvecs; i++)
        n += vecs[i]->n;
    return n;
}

/* Counts one key in SAMPLE_STEP of every block into the bins of the top
 * bits: a sixty-fourth of the keys at an eighth of a pass's reads. */
static void sample_keys(const ds_state *s, uint64_t *hist)
{
    for (size_t v = 0; v < s->nvecs; v++)
        for (const ops_block *k = s->vecs[v]->head; k; k = k->next)
            for (size_t i = 0; i < k->n; i += SAMPLE_STEP)
                hist[k->slot[i] >> ROOT_SHIFT]++;
}

/* Round 1's bins from the summed sample: the bin of top bits r splits
 * 2^e ways, 2^e about r's share of the sample times 2^ROOT_FINE, so that
 * dense stretches of keys get fine bins and the ranks' bins of round 1
 * are small enough to copy, if the sample is fair (the answer is exact
 * whatever it is). first[r] = base << 6 | (48 - e): r's bins are base
 * onwards, and a key's is base + (its low 48 bits >> (48 - e)). Split
 * 2^e < 2w ways for w = ceil(sample / q) > 0, with q = t >> 13 at least
 * t / 2^14, the bins number at most 2t/q + 2^16 = ROOT_CAP. Returns their
 * number, or 0 for sums that do not add up. */
static size_t plan_root(ds_state *s, const uint64_t *sample)
{
    size_t nr = (size_t)1 << ROOT_BITS, base = 0;
    uint64_t t = 0;
    for (size_t r = 0; r < nr; r++)
        t += sample[r];
    uint64_t q = t >> ROOT_FINE ? t >> ROOT_FINE : 1;
    for (size_t r = 0; r < nr && base <= ROOT_CAP; r++) {
        uint64_t want = sample[r] / q + (sample[r] % q != 0);
        unsigned e = want > ROOT_CAP ? ROOT_FINE + 2 : ceil_log2(want);
        s->first[r] = (uint32_t)(base << 6 | (ROOT_SHIFT - e));
        base += (size_t)1 << e;
    }
    return base <= ROOT_CAP ? base : 0;
}

/* Agrees on the plan of round 1, then runs the rounds from the whole key
 * space of total keys, mine of them here. */
static int ds_run(ds_state *s, uint64_t total, uint64_t mine,
                  const ops_reducer *red, uint64_t *keys_out)
{
    size_t nr = (size_t)1 << ROOT_BITS;
    if (s->t[s->nt - 1].rank >= total)
        return -1;
    memset(s->sum, 0, nr * sizeof *s->sum);
    sample_keys(s, s->sum);
    if (red->sum_u64(red->ctx, s->sum, nr) != 0)
        return -1;
    s->root_bins = plan_root(s, s->sum);
    s->br[0] = (ds_bracket){
        .span = UINT64_MAX, .count = total, .mine = mine, .t1 = s->nt};
    s->nbr = 1;
    while (s->nbr > 0 && s->root_bins > 0)
        if (round_trip(s, red, keys_out) != 0)
            return -1;
    return s->root_bins > 0 ? 0 : -1;
}

/* The copy budget of a process holding local keys. */
static size_t copy_budget(uint64_t local)
{
    uint64_t share = local >> COPY_SHIFT;
    return share > COPY_MIN && share < SIZE_MAX ? (size_t)share : COPY_MIN;
}

/* ops_select_ranks_reduced with this process's copies limited to budget
 * keys (any value: the calls and the keys found do not depend on it). */
static int ds_select(const ops_vec *const *vecs, size_t nvecs,
                     const uint64_t *ranks, size_t nranks, uint64_t *keys_out,
                     const ops_reducer *red, size_t budget)
{
    ds_state s = {.vecs = vecs, .nvecs = nvecs, .budget = budget};
    uint64_t mine = local_count(vecs, nvecs);
    uint64_t start[2] = {ds_alloc(&s, ranks, nranks) != 0, mine};
    int rc = -1;
    if (red->sum_u64(red->ctx, start, 2) == 0 && start[0] == 0)
        rc = ds_run(&s, start[1], mine, red, keys_out);
    ds_free(&s);
    return rc;
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
    size_t budget = copy_budget(local_count(vecs, nvecs));
    return ds_select(vecs, nvecs, ranks, nranks, keys_out, red, budget);
}
