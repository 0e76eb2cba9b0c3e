/*
 * io_reader.c - a byte range of a source as blocks, read ahead.
 *
 * The front of the async reader: it plans the blocks, owns the buffers
 * (io_reader_impl.h tells their round) and hands blocks out in file order;
 * the variant chosen at open moves the bytes - io_uring where the kernel
 * lets us set up a ring, else pread on a helper thread. DFSUM_READER=pread
 * in the environment skips io_uring, and so does a source still growing
 * (io_source_open_streaming): its reads must wait for the bytes.
 *
 * A read that comes back short means the file shrank after it was opened:
 * the stream then ends with the bytes that were there. A failed read ends
 * it with an error, after the blocks before it.
 */
#include "io_reader_impl.h"

#include <stdlib.h>
#include <string.h>

static int pread_forced(void)
{
    const char *v = getenv("DFSUM_READER");
    return v != NULL && strcmp(v, "pread") == 0;
}

/* Splits [start, end) into blocks and decides how many buffers it needs:
 * a range shorter than a block is one block of its length. */
static void plan(io_reader *r, uint64_t start, uint64_t end, size_t block_size,
                 unsigned depth)
{
    uint64_t span = end > start ? end - start : 0;
    if (block_size == 0)
        block_size = 1;
    if (span < block_size)
        block_size = span > 0 ? (size_t)span : 1;
    r->start = start;
    r->end = start + span;
    r->block_size = block_size;
    r->nblocks = span / block_size + (span % block_size != 0);
    r->nslots = depth > 0 ? depth : 1;
    if (r->nblocks < r->nslots)
        r->nslots = (unsigned)r->nblocks;
    r->stop_seq = r->nblocks;
}

static int alloc_slots(io_reader *r)
{
    if (r->block_size > SIZE_MAX - r->headroom)
        return -1;
    r->slots = calloc(r->nslots ? r->nslots : 1, sizeof *r->slots);
    r->order = calloc(r->nslots ? r->nslots : 1, sizeof *r->order);
    if (r->slots == NULL || r->order == NULL)
        return -1;
    for (unsigned i = 0; i < r->nslots; i++)
        if ((r->slots[i].buf = malloc(r->headroom + r->block_size)) == NULL)
            return -1;
    return 0;
}

/* Frees what open made; keep_buffers when a read may still be writing
 * into them (a ring that could not be drained). */
static void free_reader(io_reader *r, int keep_buffers)
{
    if (r->slots != NULL && !keep_buffers)
        for (unsigned i = 0; i < r->nslots; i++)
            free(r->slots[i].buf);
    free(r->slots);
    free(r->order);
    free(r);
}

static int init_sync(io_reader *r)
{
    if (pthread_mutex_init(&r->lock, NULL) != 0)
        return -1;
    if (pthread_cond_init(&r->filled, NULL) != 0) {
        pthread_mutex_destroy(&r->lock);
        return -1;
    }
    if (pthread_cond_init(&r->freed, NULL) != 0) {
        pthread_cond_destroy(&r->filled);
        pthread_mutex_destroy(&r->lock);
        return -1;
    }
    return 0;
}

static void destroy_sync(io_reader *r)
{
    pthread_cond_destroy(&r->freed);
    pthread_cond_destroy(&r->filled);
    pthread_mutex_destroy(&r->lock);
}

/* A growing source is read by pread, whose thread may wait for bytes
 * (io_uring would read past them). */
static io_status start_variant(io_reader *r)
{
    if (!pread_forced() && !r->growing) {
        r->variant = &io_reader_uring_variant;
        if (r->variant->start(r) == IO_OK)
            return IO_OK;
    }
    r->variant = &io_reader_pread_variant;
    return r->variant->start(r);
}

io_status io_reader_open(io_source *src, uint64_t start, uint64_t end,
                         size_t block_size, size_t headroom, unsigned depth,
                         io_reader **out, io_error *err)
{
    const char *name = io_source_name(src);
    io_reader *r = calloc(1, sizeof *r);
    if (r == NULL)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    r->src = src;
    r->fd = io_source_fd(src);
    r->growing = io_source_growing(src);
    r->headroom = headroom;
    plan(r, start, end, block_size, depth);
    if (alloc_slots(r) != 0) {
        free_reader(r, 0);
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    }
    if (init_sync(r) != 0) {
        free_reader(r, 0);
        return io_fail(err, IO_ENOMEM, "%s: cannot set up the reader", name);
    }
    if (start_variant(r) != IO_OK) {
        destroy_sync(r);
        free_reader(r, 0);
        return io_fail(err, IO_ENOMEM, "%s: cannot start the reader thread",
                       name);
    }
    *out = r;
    return IO_OK;
}

int io_reader_assign(io_reader *r)
{
    if (r->closing || r->assigned >= r->stop_seq)
        return -1;
    unsigned i = 0;
    while (i < r->nslots && r->slots[i].state != SLOT_FREE)
        i++;
    if (i == r->nslots)
        return -1;
    io_slot *s = &r->slots[i];
    uint64_t seq = r->assigned++;
    s->seq = seq;
    s->offset = r->start + seq * r->block_size;
    s->want = r->end - s->offset < r->block_size ? (size_t)(r->end - s->offset)
                                                 : r->block_size;
    s->got = 0;
    s->tries = 0;
    s->state = SLOT_READING;
    r->order[seq % r->nslots] = i;
    return (int)i;
}

/* Nothing is handed out from seq on; why != NULL makes it a failure with
 * that message. An earlier stop wins. */
static void stop_with(io_reader *r, uint64_t seq, const io_error *why)
{
    if (seq >= r->stop_seq)
        return;
    r->stop_seq = seq;
    r->failed = why != NULL;
    if (why != NULL)
        r->failure = *why;
}

/* stop_with; e != 0 makes it a read error (errno e). */
static void stop_at(io_reader *r, uint64_t seq, int e)
{
    io_error why;
    if (e != 0) {
        char text[128];
        io_fail(&why, IO_EIO, "%s: read error: %s", io_source_name(r->src),
                strerror_r(e, text, sizeof text));
    }
    stop_with(r, seq, e != 0 ? &why : NULL);
}

void io_reader_done(io_reader *r, unsigned slot, int e)
{
    io_slot *s = &r->slots[slot];
    if (e != 0)
        stop_at(r, s->seq, e);
    else if (s->got < s->want) /* the file shrank */
        stop_at(r, s->seq + (s->got > 0), 0);
    s->state = e == 0 && s->got > 0 ? SLOT_READY : SLOT_FREE;
    pthread_cond_signal(&r->filled);
}

void io_reader_source_failed(io_reader *r, unsigned slot, const io_error *why)
{
    io_slot *s = &r->slots[slot];
    stop_with(r, s->seq, why);
    s->state = SLOT_FREE;
    pthread_cond_signal(&r->filled);
}

void io_reader_fail(io_reader *r, int e)
{
    stop_at(r, r->next_seq, e);
    pthread_cond_signal(&r->filled);
}

static void hand_out(io_reader *r, io_slot *s, io_block *b)
{
    s->state = SLOT_HELD;
    b->data = s->buf + r->headroom;
    b->len = s->got;
    b->offset = s->offset;
    b->seq = s->seq;
    b->headroom = r->headroom;
    b->slot = (unsigned)(s - r->slots);
    r->next_seq++;
}

int io_reader_next(io_reader *r, io_block *b, io_error *err)
{
    int got;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        if (r->next_seq >= r->stop_seq) {
            got = r->failed ? -1 : 0;
            break;
        }
        io_slot *s = NULL;
        if (r->next_seq < r->assigned)
            s = &r->slots[r->order[r->next_seq % r->nslots]];
        if (s != NULL && s->state == SLOT_READY) {
            hand_out(r, s, b);
            got = 1;
            break;
        }
        r->variant->wait(r);
    }
    if (got < 0 && err != NULL)
        *err = r->failure;
    pthread_mutex_unlock(&r->lock);
    return got;
}

void io_reader_release(io_reader *r, const io_block *b)
{
    pthread_mutex_lock(&r->lock);
    io_slot *s = &r->slots[b->slot];
    if (s->state == SLOT_HELD && s->seq == b->seq) {
        s->state = SLOT_FREE;
        r->variant->wake(r);
        pthread_cond_signal(&r->freed);
    }
    pthread_mutex_unlock(&r->lock);
    if (r->variant->flush != NULL)
        r->variant->flush(r);
}

const char *io_reader_kind(const io_reader *r)
{
    return r->variant->kind;
}

void io_reader_close(io_reader *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->lock);
    r->closing = 1;
    pthread_cond_broadcast(&r->freed);
    pthread_cond_broadcast(&r->filled);
    pthread_mutex_unlock(&r->lock);
    int drained = r->variant->stop(r);
    destroy_sync(r);
    free_reader(r, !drained);
}
