/*
 * ops_distinct.c - distinct byte strings with their count and first position.
 *
 * Open addressing with linear probing over a power-of-two array of 16-byte
 * entries (the XXH3-64 hash of the bytes and a pointer to the value's
 * record), four to a cache line. A record holds the count, the first
 * position and the bytes; records live in an arena of large blocks that
 * never move, so an insert needs no allocation of its own and a record
 * survives table growth. A repeat updates the record its byte compare
 * has just read. The table doubles at 70% load and rehashes from the
 * stored hashes, without reading a record.
 *
 * Absorbing another table (the merge of thread partials) moves its arena
 * blocks over: a value new here keeps its record, one already here adds
 * its count and first position and its record is marked dead (count 0).
 * So every live record of a table's arena is the record of exactly one
 * entry, and walks over all values (top, each, shift) read the arena in
 * order, block by block, instead of the entries.
 *
 * top is found under a total order (count descending, first position
 * ascending, then the bytes), so it depends only on the multiset of values,
 * never on the insertion or merge order that shaped the table.
 *
 * The UTF-8 check lives here too: text values are validated before they are
 * counted.
 */
#include "ops_hot.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define INITIAL_SLOTS 16
#define FIRST_BLOCK   4096
#define MAX_BLOCK     (1u << 20)

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

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[]; /* records, each at a multiple of 8 */
} arena_block;

struct ops_distinct {
    entry *slots;
    size_t cap;         /* power of two */
    size_t used;        /* occupied slots */
    arena_block *arena; /* the block being filled comes first */
    size_t next_block;  /* size of the next ordinary arena block */
};

/* A table of cap empty slots. Written, not calloc'd: fresh pages from
 * calloc read as the shared zero page, and the first write to each (the
 * rehash probes read before they write) then costs a copy-on-write fault
 * that flushes the TLB of every thread of the process. explicit_bzero,
 * as compilers turn malloc and memset into calloc. */
static entry *zeroed_slots(size_t cap)
{
    entry *slots = malloc(cap * sizeof *slots);
    if (slots)
        explicit_bzero(slots, cap * sizeof *slots);
    return slots;
}

ops_distinct *ops_distinct_new(void)
{
    ops_distinct *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->slots = zeroed_slots(INITIAL_SLOTS);
    if (!d->slots) {
        free(d);
        return NULL;
    }
    d->cap = INITIAL_SLOTS;
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
    free(d->slots);
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

/* The slot holding s, or the empty slot where it would go. */
static entry *find_slot(const ops_distinct *d, uint64_t h, const char *s,
                        size_t n)
{
    size_t mask = d->cap - 1;
    size_t i = (size_t)h & mask;
    while (d->slots[i].rec && !entry_is(&d->slots[i], h, s, n))
        i = (i + 1) & mask;
    return &d->slots[i];
}

static int grow(ops_distinct *d)
{
    size_t cap = d->cap * 2;
    if (cap > SIZE_MAX / 2 / sizeof(entry))
        return -1;
    entry *slots = zeroed_slots(cap);
    if (!slots)
        return -1;
    for (size_t i = 0; i < d->cap; i++) {
        if (i + 16 < d->cap) /* the new slot of an entry further on */
            __builtin_prefetch(&slots[d->slots[i + 16].hash & (cap - 1)], 1);
        const entry *e = &d->slots[i];
        if (!e->rec)
            continue;
        size_t j = (size_t)e->hash & (cap - 1);
        while (slots[j].rec)
            j = (j + 1) & (cap - 1);
        slots[j] = *e;
    }
    free(d->slots);
    d->slots = slots;
    d->cap = cap;
    return 0;
}

static void add_to_record(record *r, uint64_t count, uint64_t first_pos)
{
    r->count += count;
    if (first_pos < r->first_pos)
        r->first_pos = first_pos;
}

/* Inserts or updates; on failure the table is unchanged. */
static int add_hashed(ops_distinct *d, uint64_t h, const char *s, size_t n,
                      uint64_t count, uint64_t first_pos)
{
    entry *e = find_slot(d, h, s, n);
    if (e->rec) {
        add_to_record(e->rec, count, first_pos);
        return 0;
    }
    if ((d->used + 1) * 10 > d->cap * 7) {
        if (grow(d))
            return -1;
        e = find_slot(d, h, s, n);
    }
    record *r = new_record(d, s, n, count, first_pos);
    if (!r)
        return -1;
    *e = (entry){h, r};
    d->used++;
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

static void prefetch_slot(const ops_distinct *d, uint64_t h)
{
    __builtin_prefetch(&d->slots[(size_t)h & (d->cap - 1)], 1);
}

/* The record of the entry in h's first slot when that entry has hash h
 * (the slot was prefetched before). */
static void prefetch_record(const ops_distinct *d, uint64_t h)
{
    const entry *e = &d->slots[(size_t)h & (d->cap - 1)];
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
            prefetch_slot(d, h[i]);
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

/* Grows d until `used` entries fit under the load limit. Absorbing walks
 * the source in slot order, i.e. sorted by the low bits of the hash; into
 * a smaller table those keys would pile up in one long probe run
 * (quadratic), so the target is sized for everything first. */
static int reserve(ops_distinct *d, size_t used)
{
    while (used * 10 > d->cap * 7)
        if (grow(d))
            return -1;
    return 0;
}

static int double_count(record *r, void *ctx)
{
    (void)ctx;
    r->count *= 2;
    return 0;
}

/* Counts an entry of another table whose record stays where it is (it
 * moves with its arena block); room was reserved, so the table does not
 * grow. A value already here takes the record's counts, which dies. */
static void absorb_entry(ops_distinct *d, const entry *e)
{
    record *r = e->rec;
    entry *slot = find_slot(d, e->hash, r->bytes, r->len);
    if (slot->rec) {
        add_to_record(slot->rec, r->count, r->first_pos);
        r->count = 0;
        return;
    }
    *slot = *e;
    d->used++;
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

/* Merging a table into itself doubles every count. */
int ops_distinct_absorb(ops_distinct *into, ops_distinct *from)
{
    if (into == from)
        return each_record(into, double_count, NULL);
    if (reserve(into, into->used + from->used))
        return -1;
    for (size_t i = 0; i < from->cap; i++) {
        if (i + PREFETCH_GROUP < from->cap)
            prefetch_slot(into, from->slots[i + PREFETCH_GROUP].hash);
        if (from->slots[i].rec)
            absorb_entry(into, &from->slots[i]);
    }
    take_arena(into, from);
    memset(from->slots, 0, from->cap * sizeof *from->slots);
    from->used = 0;
    return 0;
}

uint64_t ops_distinct_unique(const ops_distinct *d)
{
    return d->used;
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

static int keep_best(record *r, void *ctx)
{
    record **best = ctx;
    if (!*best || ranks_above(r, *best))
        *best = r;
    return 0;
}

const char *ops_distinct_top(const ops_distinct *d, size_t *len, uint64_t *freq)
{
    record *best = NULL;
    each_record(d, keep_best, &best);
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
    if (d)
        each_record(d, shift_record, &by);
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
    for (size_t i = 0; i < d->cap; i++) {
        const entry *e = &d->slots[i];
        if (e->rec && pack_entry(&out[e->hash % nparts], e->rec))
            return -1;
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
