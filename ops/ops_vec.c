/*
 * ops_vec.c - the value store.
 *
 * A vec is a singly linked list of fixed-size blocks, newest first: a push
 * fills the head block and starts a new one when it is full, so growing
 * never copies. Blocks in the middle of the list may be partly filled
 * (after a splice); every block carries its own count. (The keys its
 * values turn into are in ops.h.)
 */
#include "ops.h"

#include <stdlib.h>

void ops_vec_init(ops_vec *v)
{
    v->head = NULL;
    v->n = 0;
}

int ops_vec_push(ops_vec *v, uint64_t slot)
{
    ops_block *b = v->head;
    if (b == NULL || b->n == OPS_VEC_BLOCK) {
        b = malloc(sizeof *b);
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
    into->n += from->n;
    ops_vec_init(from);
}

void ops_vec_free(ops_vec *v)
{
    ops_block *b = v->head;
    while (b != NULL) {
        ops_block *next = b->next;
        free(b);
        b = next;
    }
    ops_vec_init(v);
}
