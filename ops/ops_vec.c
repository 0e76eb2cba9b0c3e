/*
 * ops_vec.c - the value store and its order-preserving keys.
 *
 * A vec is a singly linked list of fixed-size blocks, newest first: a push
 * fills the head block and starts a new one when it is full, so growing
 * never copies. Blocks in the middle of the list may be partly filled
 * (after a splice); every block carries its own count.
 *
 * Blocks come from slabs owned by the vec: each slab holds twice the
 * blocks of the one before, up to 2 MiB, 2 MiB aligned and marked for huge
 * pages where the system has them (madvise). Touching fresh memory costs a
 * page fault per 4 KiB page otherwise, about as much as reading the values
 * themselves. A splice moves the slabs with the blocks, so a vec always
 * owns the memory of its blocks.
 *
 * Keys map int64 and double to uint64 so that unsigned comparison of keys
 * is numeric comparison of values:
 *   int64:  flip the sign bit (two's complement -> offset binary);
 *   double: flip the sign bit of a positive number and every bit of a
 *           negative one, so -inf < ... < -0.0 < +0.0 < ... < +inf.
 * NaN is never stored, so its keys (below -inf or above +inf) never occur.
 */
#include "ops.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SIGN_BIT ((uint64_t)1 << 63)

struct ops_slab {
    struct ops_slab *next;
    uint32_t nblocks; /* blocks it holds */
    uint32_t used;    /* blocks handed out */
    ops_block block[];
};

#define HUGE_SLAB   ((size_t)2 << 20) /* a huge page on x86-64 and arm64 */
#define HUGE_BLOCKS ((HUGE_SLAB - sizeof(ops_slab)) / sizeof(ops_block))

void ops_vec_init(ops_vec *v)
{
    v->head = NULL;
    v->n = 0;
    v->slabs = NULL;
}

/* A hint only: without huge pages the slab works the same. */
static void advise_huge_pages(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
    (void)madvise(p, size, MADV_HUGEPAGE);
#else
    (void)p;
    (void)size;
#endif
}

static ops_slab *new_slab(size_t nblocks)
{
    ops_slab *s;
    if (nblocks == HUGE_BLOCKS) {
        s = aligned_alloc(HUGE_SLAB, HUGE_SLAB);
        if (s)
            advise_huge_pages(s, HUGE_SLAB);
    } else {
        s = malloc(sizeof *s + nblocks * sizeof(ops_block));
    }
    if (s) {
        s->nblocks = (uint32_t)nblocks;
        s->used = 0;
    }
    return s;
}

/* The next unused block of the vec's slabs, or NULL out of memory. */
static ops_block *new_block(ops_vec *v)
{
    ops_slab *s = v->slabs;
    if (s == NULL || s->used == s->nblocks) {
        size_t want = s ? 2 * (size_t)s->nblocks : 1;
        ops_slab *fresh = new_slab(want < HUGE_BLOCKS ? want : HUGE_BLOCKS);
        if (fresh == NULL)
            return NULL;
        fresh->next = s;
        v->slabs = s = fresh;
    }
    return &s->block[s->used++];
}

int ops_vec_push(ops_vec *v, uint64_t slot)
{
    ops_block *b = v->head;
    if (b == NULL || b->n == OPS_VEC_BLOCK) {
        b = new_block(v);
        if (b == NULL)
            return -1;
        b->next = v->head;
        b->n = 0;
        v->head = b;
    }
    b->slot[b->n++] = slot;
    v->n++;
    return 0;
}

/* The last block of a non-empty list. */
static ops_block *last_block(ops_block *b)
{
    while (b->next != NULL)
        b = b->next;
    return b;
}

/* Nonzero when list a has no more blocks than list b. Walks both lists in
 * step, so the cost is bounded by the shorter one. */
static int shorter_or_equal(const ops_block *a, const ops_block *b)
{
    while (a != NULL && b != NULL) {
        a = a->next;
        b = b->next;
    }
    return a == NULL;
}

/* from's slabs go after into's first one, which keeps handing out
 * blocks. */
static void splice_slabs(ops_vec *into, ops_vec *from)
{
    ops_slab *last = from->slabs;
    if (last == NULL)
        return;
    if (into->slabs == NULL) {
        into->slabs = from->slabs;
        return;
    }
    while (last->next != NULL)
        last = last->next;
    last->next = into->slabs->next;
    into->slabs->next = from->slabs;
}

/* The header keeps no tail pointer, so joining two lists walks one of them;
 * we walk the shorter one: one pointer per 64 KiB block of values. The
 * order of blocks carries no meaning, only the head matters for pushes. */
void ops_vec_splice(ops_vec *into, ops_vec *from)
{
    if (from->head == NULL)
        return;
    if (into->head == NULL) {
        into->head = from->head;
    } else if (shorter_or_equal(from->head, into->head)) {
        last_block(from->head)->next = into->head;
        into->head = from->head;
    } else {
        last_block(into->head)->next = from->head;
    }
    splice_slabs(into, from);
    into->n += from->n;
    ops_vec_init(from);
}

void ops_vec_free(ops_vec *v)
{
    ops_slab *s = v->slabs;
    while (s != NULL) {
        ops_slab *next = s->next;
        free(s);
        s = next;
    }
    ops_vec_init(v);
}

uint64_t ops_key_from_f64(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return (bits & SIGN_BIT) ? ~bits : bits | SIGN_BIT;
}

double ops_f64_from_key(uint64_t key)
{
    uint64_t bits = (key & SIGN_BIT) ? key ^ SIGN_BIT : ~key;
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

uint64_t ops_key_from_i64(int64_t x)
{
    return (uint64_t)x ^ SIGN_BIT;
}

/* Written without an out-of-range unsigned -> signed conversion, which C
 * leaves implementation-defined; compilers reduce it to one xor. */
int64_t ops_i64_from_key(uint64_t key)
{
    uint64_t u = key ^ SIGN_BIT;
    if (u <= (uint64_t)INT64_MAX)
        return (int64_t)u;
    return -(int64_t)(UINT64_MAX - u) - 1;
}
