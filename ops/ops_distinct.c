/*
 * ops_distinct.c - distinct byte strings with their count and first position.
 *
 * Open addressing with linear probing over power-of-two arrays of 16-byte
 * entries (the XXH3-64 hash of the bytes and a pointer to the value's
 * record), four to a cache line. A table with many values is
 * OPS_DISTINCT_SHARDS such arrays, a value's shard given by the top bits
 * of its hash and its slot by the low bits: shards grow, merge and rank on
 * their own, so the merge of two large tables can go shard by shard on
 * several threads. A smaller table is one array (shard 0): finding the
 * shard first, and keeping its leader (below), cost its adds a few ns,
 * which only the merge of a large table repays; an add splits it into
 * shards when it reaches OPS_DISTINCT_SPLIT_AT values (a merge does not).
 *
 * A record holds the count, the first position and the bytes; records
 * live in an arena of large blocks that never move, so an insert needs no
 * allocation of its own and a record survives table growth. A repeat
 * updates the record its byte compare has just read. A shard doubles at
 * 70% load and rehashes from the stored hashes, without reading a record.
 *
 * Absorbing another table (the merge of thread partials) moves its arena
 * blocks over: a value new here keeps its record, one already here adds
 * its count and first position and its record is marked dead (count 0).
 * So every live record of a table's arena is the record of exactly one
 * entry, and walks over all values (each, shift, the top of a table not
 * split) read the arena in order, block by block, instead of the entries.
 *
 * top is the first under a total order (count descending, first position
 * ascending, then the bytes), so it depends only on the multiset of values,
 * never on the insertion or merge order that shaped the table. Each shard
 * keeps its leader as values come: an add or a merge only raises the rank
 * of the record it touches (its count grows, its first position shrinks),
 * so comparing that record with the leader keeps the leader right, and top
 * is the best of the shard leaders, without a walk over the values. The
 * shard keeps a copy of its leader's count and first position, so that
 * the compare mostly reads nothing more than the shard. Only the shards of
 * a split table keep leaders: a small table's top is a short walk, and
 * the compare would cost its adds more.
 *
 * The UTF-8 check lives here too: text values are validated before they are
 * counted.
 */
#include "ops_hot.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

#define INITIAL_SLOTS 16
#define FIRST_BLOCK   4096
#define MAX_BLOCK     (1u << 20)
#define SHARD_SHIFT   (64 - 4) /* the top 4 bits of a hash pick the shard */
#define HUGE_PAGE     ((size_t)2 << 20)

_Static_assert(OPS_DISTINCT_SHARDS == 1u << (64 - SHARD_SHIFT),
               "the shard bits of a hash cover the shards");

typedef struct {
    uint64_t count; /* 0: dead, merged into another record */
    uint64_t first_pos;
    uint64_t len;
    char bytes[];
} record;

/* 16 bytes, four to a cache line. */
typedef struct {
    uint64_t hash;
    record *rec; /* NULL marks an empty slot */
} entry;

typedef struct {
    entry *slots; /* NULL (cap 0) in shards 1.. of a table not split */
    size_t cap;   /* power of two */
    size_t used;  /* occupied slots */
    int ranked;   /* the table is split: lead is kept */
    record *lead; /* the shard's top record; NULL when empty */
    uint64_t lead_count, lead_first; /* lead's, when there is one */
} shard;

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[]; /* records, each at a multiple of 8 */
} arena_block;

struct ops_distinct {
    shard shards[OPS_DISTINCT_SHARDS];
    uint64_t shard_mask; /* 0 (one array) or OPS_DISTINCT_SHARDS - 1 */
    arena_block *arena;  /* the block being filled comes first */
    size_t next_block;   /* size of the next ordinary arena block */
};

/* A table of cap empty slots. Written, not calloc'd: fresh pages from
 * calloc read as the shared zero page, and the first write to each (the
 * rehash probes read before they write) then costs a copy-on-write fault
 * that flushes the TLB of every thread of the process. explicit_bzero,
 * as compilers turn malloc and memset into calloc. A large table goes on
 * huge pages where the system gives them: its probes land anywhere in it,
 * and with 4 KiB pages nearly each one also missed the TLB. */
static entry *zeroed_slots(size_t cap)
{
    size_t size = cap * sizeof(entry);
    entry *slots;
    if (size >= HUGE_PAGE) { /* a power of two: a multiple of the page */
        slots = aligned_alloc(HUGE_PAGE, size);
#ifdef MADV_HUGEPAGE
        if (slots)
            madvise(slots, size, MADV_HUGEPAGE); /* advice: may fail */
#endif
    } else {
        slots = malloc(size);
    }
    if (slots)
        explicit_bzero(slots, size);
    return slots;
}

ops_distinct *ops_distinct_new(void)
{
    ops_distinct *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->shards[0].slots = zeroed_slots(INITIAL_SLOTS);
    if (!d->shards[0].slots) {
        free(d);
        return NULL;
    }
    d->shards[0].cap = INITIAL_SLOTS;
    d->next_block = FIRST_BLOCK;
    return d;
}

void ops_distinct_free(ops_distinct *d)
{
    if (!d)
        return;
    arena_block *b = d->arena;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    for (size_t s = 0; s < OPS_DISTINCT_SHARDS; s++)
        free(d->shards[s].slots);
    free(d);
}

/* ---- the arena ------------------------------------------------------------
 */

/* Bytes a record of n bytes takes, a multiple of 8; 0 when too large. */
static size_t record_size(size_t n)
{
    if (n > SIZE_MAX - sizeof(record) - 7)
        return 0;
    return (sizeof(record) + n + 7) & ~(size_t)7;
}

/* A value larger than an ordinary block gets a block of its own, linked
 * behind the current one so the free room of the current block is kept. */
static arena_block *arena_new_block(ops_distinct *d, size_t need)
{
    size_t cap = need > d->next_block ? need : d->next_block;
    if (cap > SIZE_MAX - sizeof(arena_block))
        return NULL;
    arena_block *b = malloc(sizeof *b + cap);
    if (!b)
        return NULL;
    b->used = 0;
    b->cap = cap;
    if (need > d->next_block && d->arena) {
        b->next = d->arena->next;
        d->arena->next = b;
        return b;
    }
    b->next = d->arena;
    d->arena = b;
    if (d->next_block < MAX_BLOCK)
        d->next_block *= 2;
    return b;
}

/* A new record of s[0..n); NULL when out of memory. */
static record *new_record(ops_distinct *d, const char *s, size_t n,
                          uint64_t count, uint64_t first_pos)
{
    size_t size = record_size(n);
    if (size == 0)
        return NULL;
    arena_block *b = d->arena;
    if (!b || b->cap - b->used < size) {
        b = arena_new_block(d, size);
        if (!b)
            return NULL;
    }
    record *r = (record *)(void *)(b->data + b->used);
    r->count = count;
    r->first_pos = first_pos;
    r->len = n;
    memcpy(r->bytes, s, n);
    b->used += size;
    return r;
}

/* Calls fn on every live record, in arena order; stops at a non-zero
 * return, which it returns. */
static int each_record(const ops_distinct *d, int (*fn)(record *, void *),
                       void *ctx)
{
    for (arena_block *b = d->arena; b; b = b->next)
        for (size_t at = 0; at < b->used;) {
            record *r = (record *)(void *)(b->data + at);
            at += record_size(r->len);
            int rc = r->count ? fn(r, ctx) : 0;
            if (rc)
                return rc;
        }
    return 0;
}

/* ---- the table ------------------------------------------------------------
 */

/* a[0..n) == b[0..n). Values are mostly short: up to 16 bytes they are
 * compared as two words that may overlap (a memcmp call costs more than
 * the compare), never reading past either. */
static int same_bytes(const char *a, const char *b, size_t n)
{
    if (n > 16)
        return memcmp(a, b, n) == 0;
    if (n >= 8)
        return ops_load64_le(a) == ops_load64_le(b) &&
               ops_load64_le(a + n - 8) == ops_load64_le(b + n - 8);
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static int entry_is(const entry *e, uint64_t h, const char *s, size_t n)
{
    return e->hash == h && e->rec->len == n && same_bytes(e->rec->bytes, s, n);
}

/* A table not split has its one array at a fixed place, so that the
 * address of a slot does not wait for the shard's. */
static shard *shard_of(ops_distinct *d, uint64_t h)
{
    if (__builtin_expect(d->shard_mask == 0, 1))
        return &d->shards[0];
    return &d->shards[h >> SHARD_SHIFT];
}

/* Where hash h starts its probe in slots[0..cap). */
static entry *home_in(entry *slots, size_t cap, uint64_t h)
{
    return &slots[(size_t)h & (cap - 1)];
}

/* The slot of sh holding s, or the empty slot where it would go. */
static entry *find_slot(const shard *sh, uint64_t h, const char *s, size_t n)
{
    size_t mask = sh->cap - 1;
    size_t i = (size_t)h & mask;
    while (sh->slots[i].rec && !entry_is(&sh->slots[i], h, s, n))
        i = (i + 1) & mask;
    return &sh->slots[i];
}

/* Puts e in the first free slot from its home in slots[0..cap), an array
 * being filled from stored hashes (it holds no equal value). */
static void place(entry *slots, size_t cap, const entry *e)
{
    size_t j = (size_t)e->hash & (cap - 1);
    while (slots[j].rec)
        j = (j + 1) & (cap - 1);
    slots[j] = *e;
}

static int grow(shard *sh)
{
    size_t cap = sh->cap * 2;
    if (cap > SIZE_MAX / 2 / sizeof(entry))
        return -1;
    entry *slots = zeroed_slots(cap);
    if (!slots)
        return -1;
    for (size_t i = 0; i < sh->cap; i++) {
        if (i + 16 < sh->cap) /* the new slot of an entry further on */
            __builtin_prefetch(home_in(slots, cap, sh->slots[i + 16].hash), 1);
        if (sh->slots[i].rec)
            place(slots, cap, &sh->slots[i]);
    }
    free(sh->slots);
    sh->slots = slots;
    sh->cap = cap;
    return 0;
}

/* Nonzero when a ranks above b for top. */
static int ranks_above(const record *a, const record *b)
{
    if (a->count != b->count)
        return a->count > b->count;
    if (a->first_pos != b->first_pos)
        return a->first_pos < b->first_pos;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->bytes, b->bytes, n);
    if (c)
        return c < 0;
    return a->len < b->len;
}

static void set_lead(shard *sh, record *r)
{
    sh->lead = r;
    sh->lead_count = r ? r->count : 0;
    sh->lead_first = r ? r->first_pos : 0;
}

/* r has just come into sh or risen in rank. The copies of the leader's
 * count and first position settle most compares. */
static void contend(shard *sh, record *r)
{
    if (!sh->ranked || r->count < sh->lead_count ||
        (r->count == sh->lead_count && r->first_pos > sh->lead_first))
        return;
    if (!sh->lead || r == sh->lead || ranks_above(r, sh->lead))
        set_lead(sh, r);
}

static void add_to_record(shard *sh, record *r, uint64_t count,
                          uint64_t first_pos)
{
    r->count += count;
    if (first_pos < r->first_pos)
        r->first_pos = first_pos;
    contend(sh, r);
}

/* Whether used entries in cap slots are over the load limit (70%). */
static int over_load(size_t used, size_t cap)
{
    return used * 10 > cap * 7;
}

/* Slots for `used` entries under the load limit, at least INITIAL_SLOTS. */
static size_t slots_for(size_t used)
{
    size_t cap = INITIAL_SLOTS;
    while (over_load(used, cap))
        cap *= 2;
    return cap;
}

/* The entries of shard 0 dealt to all the shards by their hash. 0, or -1
 * out of memory with the table as it was. */
__attribute__((noinline, cold)) static int split(ops_distinct *d)
{
    shard *one = &d->shards[0];
    shard part[OPS_DISTINCT_SHARDS] = {{0}};
    size_t cap = slots_for(2 * one->used / OPS_DISTINCT_SHARDS);
    for (size_t s = 0; s < OPS_DISTINCT_SHARDS; s++) {
        part[s].slots = zeroed_slots(cap);
        part[s].cap = cap;
        part[s].ranked = 1;
        if (!part[s].slots) {
            for (size_t k = 0; k < s; k++)
                free(part[k].slots);
            return -1;
        }
    }
    for (size_t i = 0; i < one->cap; i++) {
        const entry *e = &one->slots[i];
        if (!e->rec)
            continue;
        shard *sh = &part[e->hash >> SHARD_SHIFT];
        place(sh->slots, sh->cap, e);
        sh->used++;
        contend(sh, e->rec);
    }
    free(one->slots);
    memcpy(d->shards, part, sizeof part);
    d->shard_mask = OPS_DISTINCT_SHARDS - 1;
    return 0;
}

/* Inserts or updates; on failure the table is unchanged. Inlined in the
 * loop of ops_distinct_add_run, where a call costs more than the insert. */
OPS_HOT int add_hashed(ops_distinct *d, uint64_t h, const char *s, size_t n,
                       uint64_t count, uint64_t first_pos)
{
    shard *sh = shard_of(d, h);
    entry *e = find_slot(sh, h, s, n);
    if (e->rec) {
        add_to_record(sh, e->rec, count, first_pos);
        return 0;
    }
    if (over_load(sh->used + 1, sh->cap)) {
        if (grow(sh))
            return -1;
        e = find_slot(sh, h, s, n);
    }
    record *r = new_record(d, s, n, count, first_pos);
    if (!r)
        return -1;
    *e = (entry){h, r};
    sh->used++;
    contend(sh, r);
    if (d->shard_mask == 0 && sh->used >= OPS_DISTINCT_SPLIT_AT)
        split(d); /* stays one array when memory is short */
    return 0;
}

int ops_distinct_add_n(ops_distinct *d, const char *s, size_t n, uint64_t count,
                       uint64_t first_pos)
{
    if (count == 0)
        return 0;
    if (n == 0)
        s = ""; /* s may be NULL for an empty value */
    return add_hashed(d, XXH3_64bits(s, n), s, n, count, first_pos);
}

int ops_distinct_add(ops_distinct *d, const char *s, size_t n, uint64_t pos)
{
    return ops_distinct_add_n(d, s, n, 1, pos);
}

/* Values hashed and prefetched ahead of their inserts: enough misses in
 * flight to cover the memory latency, few enough to stay in L1. */
#define PREFETCH_GROUP 16

static entry *home_slot(ops_distinct *d, uint64_t h)
{
    shard *sh = shard_of(d, h);
    return home_in(sh->slots, sh->cap, h);
}

/* The record of the entry in h's first slot when that entry has hash h
 * (the slot was prefetched before). */
static void prefetch_record(ops_distinct *d, uint64_t h)
{
    const entry *e = home_slot(d, h);
    if (e->rec && e->hash == h)
        __builtin_prefetch(e->rec, 1);
}

int ops_distinct_add_run(ops_distinct *d, const ops_text *v, size_t n)
{
    uint64_t h[PREFETCH_GROUP];
    for (size_t at = 0; at < n; at += PREFETCH_GROUP) {
        size_t g = n - at < PREFETCH_GROUP ? n - at : PREFETCH_GROUP;
        for (size_t i = 0; i < g; i++) {
            h[i] = XXH3_64bits(v[at + i].n ? v[at + i].s : "", v[at + i].n);
            __builtin_prefetch(home_slot(d, h[i]), 1);
        }
        for (size_t i = 0; i < g; i++) /* a repeat compares the bytes */
            prefetch_record(d, h[i]);
        for (size_t i = 0; i < g; i++) {
            const ops_text *t = &v[at + i];
            if (add_hashed(d, h[i], t->n ? t->s : "", t->n, 1, t->pos))
                return -1;
        }
    }
    return 0;
}

/* Grows sh until `used` entries fit under the load limit. Absorbing walks
 * the source in slot order, i.e. sorted by the low bits of the hash; into
 * a smaller table those keys would pile up in one long probe run
 * (quadratic), so the target is sized for everything first. */
static int reserve(shard *sh, size_t used)
{
    while (over_load(used, sh->cap))
        if (grow(sh))
            return -1;
    return 0;
}

static int double_count(record *r, void *ctx)
{
    (void)ctx;
    r->count *= 2;
    return 0;
}

/* The copies of the leaders' counts and positions, after a change of
 * every record that keeps their order. */
static void refresh_leads(ops_distinct *d)
{
    for (size_t s = 0; s < OPS_DISTINCT_SHARDS; s++)
        set_lead(&d->shards[s], d->shards[s].lead);
}

/* Counts an entry of another table whose record stays where it is (it
 * moves with its arena block); room was reserved, so the shard does not
 * grow. A value already here takes the record's counts, which dies. */
static void absorb_entry(shard *sh, const entry *e)
{
    record *r = e->rec;
    entry *slot = find_slot(sh, e->hash, r->bytes, r->len);
    if (slot->rec) {
        add_to_record(sh, slot->rec, r->count, r->first_pos);
        r->count = 0;
        return;
    }
    *slot = *e;
    sh->used++;
    contend(sh, r);
}

/* from's arena blocks join into's behind its block being filled. */
static void take_arena(ops_distinct *into, ops_distinct *from)
{
    arena_block *last = from->arena;
    if (!last)
        return;
    while (last->next)
        last = last->next;
    if (into->arena) {
        last->next = into->arena->next;
        into->arena->next = from->arena;
    } else {
        into->arena = from->arena;
    }
    from->arena = NULL;
}

/* A shard left empty: its large array goes back, when a small one can be
 * had. */
static void empty_shard(shard *sh)
{
    entry *small = sh->cap > INITIAL_SLOTS ? zeroed_slots(INITIAL_SLOTS) : NULL;
    if (small) {
        free(sh->slots);
        sh->slots = small;
        sh->cap = INITIAL_SLOTS;
    } else {
        memset(sh->slots, 0, sh->cap * sizeof *sh->slots);
    }
    sh->used = 0;
    set_lead(sh, NULL); /* still ranked when it was */
}

int ops_distinct_absorb_begin(ops_distinct *into, ops_distinct *from)
{
    if (into->shard_mask != from->shard_mask)
        return split(into->shard_mask ? from : into);
    return 0;
}

int ops_distinct_absorb_shard(ops_distinct *into, ops_distinct *from,
                              unsigned s)
{
    shard *to = &into->shards[s];
    const shard *src = &from->shards[s];
    if (src->used == 0) /* also every shard but 0 of a table not split */
        return 0;
    if (reserve(to, to->used + src->used))
        return -1;
    for (size_t i = 0; i < src->cap; i++) {
        if (i + PREFETCH_GROUP < src->cap)
            __builtin_prefetch(home_in(to->slots, to->cap,
                                       src->slots[i + PREFETCH_GROUP].hash),
                               1);
        if (src->slots[i].rec)
            absorb_entry(to, &src->slots[i]);
    }
    empty_shard(&from->shards[s]);
    return 0;
}

void ops_distinct_absorb_end(ops_distinct *into, ops_distinct *from)
{
    take_arena(into, from);
}

/* Merging a table into itself doubles every count. Every shard has its
 * room before the first moves, so a failure changes neither table. */
int ops_distinct_absorb(ops_distinct *into, ops_distinct *from)
{
    if (into == from) {
        each_record(into, double_count, NULL);
        refresh_leads(into);
        return 0;
    }
    if (ops_distinct_absorb_begin(into, from))
        return -1;
    for (unsigned s = 0; s < OPS_DISTINCT_SHARDS; s++)
        if (from->shards[s].used &&
            reserve(&into->shards[s],
                    into->shards[s].used + from->shards[s].used))
            return -1;
    for (unsigned s = 0; s < OPS_DISTINCT_SHARDS; s++)
        ops_distinct_absorb_shard(into, from, s); /* cannot fail now */
    ops_distinct_absorb_end(into, from);
    return 0;
}

uint64_t ops_distinct_unique(const ops_distinct *d)
{
    uint64_t n = 0;
    for (size_t s = 0; s < OPS_DISTINCT_SHARDS; s++)
        n += d->shards[s].used;
    return n;
}

static int keep_best(record *r, void *ctx)
{
    const record **best = ctx;
    if (!*best || ranks_above(r, *best))
        *best = r;
    return 0;
}

const char *ops_distinct_top(const ops_distinct *d, size_t *len, uint64_t *freq)
{
    const record *best = NULL;
    if (d->shard_mask == 0)
        each_record(d, keep_best, &best);
    for (size_t s = 0; d->shard_mask && s < OPS_DISTINCT_SHARDS; s++) {
        const record *r = d->shards[s].lead;
        if (r && (!best || ranks_above(r, best)))
            best = r;
    }
    if (len)
        *len = best ? best->len : 0;
    if (freq)
        *freq = best ? best->count : 0;
    return best ? best->bytes : NULL;
}

typedef struct {
    ops_distinct_fn fn;
    void *ctx;
} visit;

static int visit_record(record *r, void *ctx)
{
    const visit *v = ctx;
    return v->fn(v->ctx, r->bytes, r->len, r->count, r->first_pos);
}

int ops_distinct_each(const ops_distinct *d, ops_distinct_fn fn, void *ctx)
{
    visit v = {fn, ctx};
    return each_record(d, visit_record, &v);
}

/* Skips ASCII: 32 bytes at a time while it can, then 8, then one. Text
 * with a non-ASCII letter every few dozen bytes is common (names, places),
 * so the step into the word that has it goes straight to its first high
 * byte (the lowest address: the high bits are found in memory order). */
static const unsigned char *skip_ascii(const unsigned char *p,
                                       const unsigned char *end)
{
    const char *c = (const char *)p;
    size_t n = (size_t)(end - p), i = 0;
    while (n - i >= 32 &&
           !((ops_load64_le(c + i) | ops_load64_le(c + i + 8) |
              ops_load64_le(c + i + 16) | ops_load64_le(c + i + 24)) &
             OPS_HIGHS))
        i += 32;
    for (; n - i >= 8; i += 8) {
        uint64_t high = ops_load64_le(c + i) & OPS_HIGHS;
        if (high)
            return p + i + __builtin_ctzll(high) / 8;
    }
    while (i < n && p[i] < 0x80)
        i++;
    return p + i;
}

/* Length of the well-formed multi-byte sequence at p, or 0. The lead byte
 * narrows the range of the second byte: E0 (no overlongs), ED (no
 * surrogates), F0 (no overlongs), F4 (nothing above U+10FFFF). */
static size_t utf8_sequence(const unsigned char *p, size_t avail)
{
    unsigned c = p[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : lo;
        hi = c == 0xED ? 0x9F : hi;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : lo;
        hi = c == 0xF4 ? 0x8F : hi;
    } else {
        return 0;
    }
    if (avail < len || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

int ops_utf8_valid(const char *s, size_t n)
{
    if (n == 0)
        return 1;
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + n;
    for (;;) {
        p = skip_ascii(p, end);
        if (p == end)
            return 1;
        size_t len = utf8_sequence(p, (size_t)(end - p));
        if (!len)
            return 0;
        p += len;
    }
}

static int shift_record(record *r, void *ctx)
{
    if (r->first_pos != UINT64_MAX) /* unseen stays unseen */
        r->first_pos += *(const uint64_t *)ctx;
    return 0;
}

void ops_distinct_shift(ops_distinct *d, uint64_t by)
{
    if (!d)
        return;
    each_record(d, shift_record, &by);
    refresh_leads(d);
}

/* ------------------------------------------------------------------------
 * Packing for other processes. An entry is three little-endian uint64
 * (length, count, first position) and the bytes; a packing is entries
 * end to end, so packings received from several senders can simply be
 * concatenated. Owners go by the table's own hash, so packing hashes
 * nothing.
 * ---------------------------------------------------------------------- */
#define ENTRY_HEAD 24

void ops_buf_free(ops_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static int buf_reserve(ops_buf *b, size_t more)
{
    if (b->cap - b->len >= more)
        return 0;
    if (more > SIZE_MAX / 2 - b->len)
        return -1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < more)
        cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data)
        return -1;
    b->data = data;
    b->cap = cap;
    return 0;
}

static void put_u64(char *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (char)(unsigned char)(x >> (8 * i));
}

static uint64_t get_u64(const char *p)
{
    uint64_t x = 0;
    for (int i = 0; i < 8; i++)
        x |= (uint64_t)(unsigned char)p[i] << (8 * i);
    return x;
}

static int pack_entry(ops_buf *b, const record *r)
{
    if (r->len > SIZE_MAX - ENTRY_HEAD || buf_reserve(b, ENTRY_HEAD + r->len))
        return -1;
    char *p = b->data + b->len;
    put_u64(p, r->len);
    put_u64(p + 8, r->count);
    put_u64(p + 16, r->first_pos);
    memcpy(p + ENTRY_HEAD, r->bytes, r->len);
    b->len += ENTRY_HEAD + r->len;
    return 0;
}

int ops_distinct_pack(const ops_distinct *d, unsigned nparts, ops_buf *out)
{
    if (!d)
        return 0;
    if (nparts == 0)
        return -1;
    for (size_t s = 0; s < OPS_DISTINCT_SHARDS; s++) {
        const shard *sh = &d->shards[s];
        for (size_t i = 0; i < sh->cap; i++) {
            const entry *e = &sh->slots[i];
            if (e->rec && pack_entry(&out[e->hash % nparts], e->rec))
                return -1;
        }
    }
    return 0;
}

/* The hash ops_distinct_add_n gives the same bytes. */
unsigned ops_distinct_owner(const char *s, size_t n, unsigned nparts)
{
    if (nparts <= 1)
        return 0;
    return (unsigned)(XXH3_64bits(n ? s : "", n) % nparts);
}

/* Nonzero when buf[0..len) is whole entries with a count each. */
static int is_packing(const char *buf, size_t len)
{
    size_t at = 0;
    while (at < len) {
        if (len - at < ENTRY_HEAD)
            return 0;
        uint64_t n = get_u64(buf + at);
        if (n > len - at - ENTRY_HEAD || get_u64(buf + at + 8) == 0)
            return 0;
        at += ENTRY_HEAD + (size_t)n;
    }
    return 1;
}

/* The whole buffer is checked before anything is added, so a malformed
 * one leaves *d as it was. */
int ops_distinct_unpack(ops_distinct **d, const char *buf, size_t len)
{
    if (len && !buf)
        return -2;
    if (!is_packing(buf, len))
        return -2;
    if (!*d && !(*d = ops_distinct_new()))
        return -1;
    for (size_t at = 0; at < len;) {
        size_t n = (size_t)get_u64(buf + at);
        const char *s = buf + at + ENTRY_HEAD;
        if (ops_distinct_add_n(*d, s, n, get_u64(buf + at + 8),
                               get_u64(buf + at + 16)))
            return -1;
        at += ENTRY_HEAD + n;
    }
    return 0;
}
