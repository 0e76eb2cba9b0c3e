/*
 * ops_distinct.c - distinct byte strings with their count and first position.
 *
 * Open addressing with linear probing over a power-of-two array of entries,
 * keyed by the XXH3-64 hash of the bytes. The bytes live in an arena of large
 * blocks that never move, each value as a record (LEB128 length, bytes), so
 * an insert needs no allocation of its own and an entry's record pointer
 * survives table growth. The table doubles at 70% load
 * and rehashes from the stored hashes.
 *
 * top is found by a scan under a total order (count descending, first
 * position ascending, then the bytes), so it depends only on the multiset of
 * values, never on the insertion or merge order that shaped the table.
 *
 * The UTF-8 check lives here too: text values are validated before they are
 * counted.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define INITIAL_SLOTS 16
#define FIRST_BLOCK   4096
#define MAX_BLOCK     (1u << 20)

/* 32 bytes, two to a cache line: the length lives in the arena record. */
typedef struct {
    uint64_t hash;
    uint64_t count; /* 0 marks an empty slot */
    uint64_t first_pos;
    const unsigned char *rec; /* LEB128 length, then the bytes */
} entry;

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    char data[];
} arena_block;

struct ops_distinct {
    entry *slots;
    size_t cap;         /* power of two */
    size_t used;        /* occupied slots */
    arena_block *arena; /* the block being filled comes first */
    size_t next_block;  /* size of the next ordinary arena block */
};

ops_distinct *ops_distinct_new(void)
{
    ops_distinct *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->slots = calloc(INITIAL_SLOTS, sizeof *d->slots);
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

static size_t varint_size(size_t n)
{
    size_t k = 1;
    while (n >= 0x80) {
        n >>= 7;
        k++;
    }
    return k;
}

/* The bytes of a record; their count goes to *len. */
static const char *rec_bytes(const unsigned char *rec, size_t *len)
{
    size_t n = 0;
    unsigned shift = 0;
    while (*rec & 0x80) {
        n |= (size_t)(*rec++ & 0x7f) << shift;
        shift += 7;
    }
    *len = n | (size_t)*rec << shift;
    return (const char *)rec + 1;
}

/* Copies s[0..n) into the arena as a record; NULL when out of memory. */
static const unsigned char *arena_copy(ops_distinct *d, const char *s, size_t n)
{
    size_t head = varint_size(n);
    if (n > SIZE_MAX - head)
        return NULL;
    arena_block *b = d->arena;
    if (!b || b->cap - b->used < head + n) {
        b = arena_new_block(d, head + n);
        if (!b)
            return NULL;
    }
    unsigned char *rec = (unsigned char *)b->data + b->used;
    unsigned char *p = rec;
    size_t v = n;
    for (; v >= 0x80; v >>= 7)
        *p++ = (unsigned char)(v | 0x80);
    *p++ = (unsigned char)v;
    memcpy(p, s, n);
    b->used += head + n;
    return rec;
}

static uint64_t load64(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* a[0..n) == b[0..n). Values are mostly short: up to 16 bytes they are
 * compared as two words that may overlap (a memcmp call costs more than
 * the compare), never reading past either. */
static int same_bytes(const char *a, const char *b, size_t n)
{
    if (n > 16)
        return memcmp(a, b, n) == 0;
    if (n >= 8)
        return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

static int entry_is(const entry *e, uint64_t h, const char *s, size_t n)
{
    if (e->hash != h)
        return 0;
    size_t len;
    const char *bytes = rec_bytes(e->rec, &len);
    return len == n && same_bytes(bytes, s, n);
}

/* The slot holding s, or the empty slot where it would go. */
static entry *find_slot(const ops_distinct *d, uint64_t h, const char *s,
                        size_t n)
{
    size_t mask = d->cap - 1;
    size_t i = (size_t)h & mask;
    while (d->slots[i].count && !entry_is(&d->slots[i], h, s, n))
        i = (i + 1) & mask;
    return &d->slots[i];
}

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
        if (!e->count)
            continue;
        size_t j = (size_t)e->hash & (cap - 1);
        while (slots[j].count)
            j = (j + 1) & (cap - 1);
        slots[j] = *e;
    }
    free(d->slots);
    d->slots = slots;
    d->cap = cap;
    return 0;
}

/* Inserts or updates; on failure the table is unchanged. */
static int add_hashed(ops_distinct *d, uint64_t h, const char *s, size_t n,
                      uint64_t count, uint64_t first_pos)
{
    entry *e = find_slot(d, h, s, n);
    if (e->count) {
        e->count += count;
        if (first_pos < e->first_pos)
            e->first_pos = first_pos;
        return 0;
    }
    if ((d->used + 1) * 10 > d->cap * 7) {
        if (grow(d))
            return -1;
        e = find_slot(d, h, s, n);
    }
    const unsigned char *rec = arena_copy(d, s, n);
    if (!rec)
        return -1;
    *e = (entry){h, count, first_pos, rec};
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
    if (e->count && e->hash == h)
        __builtin_prefetch(e->rec);
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

/* Grows d until `used` entries fit under the load limit. Merging walks
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

/* Merging a table into itself doubles every count. */
int ops_distinct_merge(ops_distinct *into, const ops_distinct *from)
{
    if (into == from) {
        for (size_t i = 0; i < into->cap; i++)
            into->slots[i].count *= 2;
        return 0;
    }
    if (reserve(into, into->used + from->used))
        return -1;
    for (size_t i = 0; i < from->cap; i++) {
        if (i + PREFETCH_GROUP < from->cap)
            prefetch_slot(into, from->slots[i + PREFETCH_GROUP].hash);
        const entry *e = &from->slots[i];
        if (!e->count)
            continue;
        size_t len;
        const char *bytes = rec_bytes(e->rec, &len);
        if (add_hashed(into, e->hash, bytes, len, e->count, e->first_pos))
            return -1;
    }
    return 0;
}

/* Counts an entry of another table whose record stays where it is;
 * room was reserved, so the table does not grow. */
static void absorb_entry(ops_distinct *d, const entry *e)
{
    size_t len;
    const char *bytes = rec_bytes(e->rec, &len);
    entry *slot = find_slot(d, e->hash, bytes, len);
    if (slot->count) {
        slot->count += e->count;
        if (e->first_pos < slot->first_pos)
            slot->first_pos = e->first_pos;
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

int ops_distinct_absorb(ops_distinct *into, ops_distinct *from)
{
    if (into == from)
        return ops_distinct_merge(into, from);
    if (reserve(into, into->used + from->used))
        return -1;
    for (size_t i = 0; i < from->cap; i++) {
        if (i + PREFETCH_GROUP < from->cap)
            prefetch_slot(into, from->slots[i + PREFETCH_GROUP].hash);
        if (from->slots[i].count)
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
static int ranks_above(const entry *a, const entry *b)
{
    if (a->count != b->count)
        return a->count > b->count;
    if (a->first_pos != b->first_pos)
        return a->first_pos < b->first_pos;
    size_t alen, blen;
    const char *abytes = rec_bytes(a->rec, &alen);
    const char *bbytes = rec_bytes(b->rec, &blen);
    int c = memcmp(abytes, bbytes, alen < blen ? alen : blen);
    if (c)
        return c < 0;
    return alen < blen;
}

const char *ops_distinct_top(const ops_distinct *d, size_t *len, uint64_t *freq)
{
    const entry *best = NULL;
    for (size_t i = 0; i < d->cap; i++) {
        const entry *e = &d->slots[i];
        if (e->count && (!best || ranks_above(e, best)))
            best = e;
    }
    size_t n = 0;
    const char *bytes = best ? rec_bytes(best->rec, &n) : NULL;
    if (len)
        *len = n;
    if (freq)
        *freq = best ? best->count : 0;
    return bytes;
}

int ops_distinct_each(const ops_distinct *d, ops_distinct_fn fn, void *ctx)
{
    for (size_t i = 0; i < d->cap; i++) {
        const entry *e = &d->slots[i];
        if (!e->count)
            continue;
        size_t len;
        const char *bytes = rec_bytes(e->rec, &len);
        int rc = fn(ctx, bytes, len, e->count, e->first_pos);
        if (rc)
            return rc;
    }
    return 0;
}

/* Skips ASCII, 8 bytes at a time while it can. */
static const unsigned char *skip_ascii(const unsigned char *p,
                                       const unsigned char *end)
{
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        if (w & 0x8080808080808080ull)
            break;
        p += 8;
    }
    while (p < end && *p < 0x80)
        p++;
    return p;
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

void ops_distinct_shift(ops_distinct *d, uint64_t by)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->cap; i++)
        if (d->slots[i].count && d->slots[i].first_pos != UINT64_MAX)
            d->slots[i].first_pos += by;
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

static int pack_entry(ops_buf *b, const entry *e)
{
    size_t len;
    const char *bytes = rec_bytes(e->rec, &len);
    if (len > SIZE_MAX - ENTRY_HEAD || buf_reserve(b, ENTRY_HEAD + len))
        return -1;
    char *p = b->data + b->len;
    put_u64(p, len);
    put_u64(p + 8, e->count);
    put_u64(p + 16, e->first_pos);
    memcpy(p + ENTRY_HEAD, bytes, len);
    b->len += ENTRY_HEAD + len;
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
        if (e->count && pack_entry(&out[e->hash % nparts], e))
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
