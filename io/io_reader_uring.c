/*
 * io_reader_uring.c - the reader's io_uring variant: no helper thread.
 *
 * A read is queued for every free buffer (at most one per buffer, so the
 * ring never holds more than `depth`), by whoever frees it: release() on
 * any thread, under the reader's lock, which also serializes the
 * submission queue. Completions are reaped only by the consumer, inside
 * next(), which waits on the ring with the lock dropped; liburing's
 * submission and completion sides are independent, so a release may
 * submit while the consumer waits. A short read is resubmitted for the
 * rest, a read of 0 bytes means the file shrank.
 *
 * Reads are plain buffered reads: from the page cache the kernel copies
 * at once, in the submitting thread; otherwise it reads ahead and
 * completes later. (IOSQE_ASYNC, which hands every read to a kernel
 * worker, measured no faster here, cold or warm.)
 *
 * When the ring cannot be set up or used (an old kernel, seccomp in a
 * container), start fails and the front uses pread instead.
 */
#include "io_reader_impl.h"

#include <errno.h>
#include <liburing.h>
#include <stdlib.h>

/* How often one block's read may fail to happen before it is an error. */
#define TRIES_MAX 16

/* One read at most this long (the length is 32 bits in the ring, and the
 * kernel returns at most about 2 GiB per read). */
#define READ_MAX ((size_t)1 << 30)

typedef struct {
    struct io_uring ring;
    unsigned inflight; /* reads submitted and not reaped */
} uring_state;

/* The ring must be able to read and must answer: a NOP goes round. */
static int ring_works(struct io_uring *ring)
{
    struct io_uring_probe *probe = io_uring_get_probe_ring(ring);
    int can_read =
        probe != NULL && io_uring_opcode_supported(probe, IORING_OP_READ);
    io_uring_free_probe(probe);
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    struct io_uring_cqe *cqe;
    if (!can_read || sqe == NULL)
        return 0;
    io_uring_prep_nop(sqe);
    if (io_uring_submit_and_wait(ring, 1) != 1 ||
        io_uring_wait_cqe(ring, &cqe) != 0)
        return 0;
    int ok = cqe->res == 0;
    io_uring_cqe_seen(ring, cqe);
    return ok;
}

/* Queues the rest of a slot's block; 0, or -1 when the queue is full
 * (it cannot be: one read per buffer). */
static int queue_read(io_reader *r, uring_state *u, unsigned slot)
{
    io_slot *s = &r->slots[slot];
    struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
    if (sqe == NULL)
        return -1;
    size_t len = s->want - s->got < READ_MAX ? s->want - s->got : READ_MAX;
    io_uring_prep_read(sqe, r->fd, s->buf + r->headroom + s->got, (unsigned)len,
                       s->offset + s->got);
    io_uring_sqe_set_data64(sqe, slot);
    return 0;
}

/* Submits what is queued. Should the kernel refuse, the reading fails:
 * what it did not take is never taken later, as nothing is submitted
 * once the reader has stopped. */
static void submit(io_reader *r, uring_state *u, unsigned queued)
{
    int n;
    do
        n = io_uring_submit(&u->ring);
    while (n == -EINTR);
    if (n > 0)
        u->inflight += (unsigned)n;
    if (n < (int)queued)
        io_reader_fail(r, n < 0 ? -n : EAGAIN);
}

static void uring_wake(io_reader *r)
{
    uring_state *u = r->impl;
    unsigned queued = 0;
    int slot;
    while ((slot = io_reader_assign(r)) >= 0) {
        if (queue_read(r, u, (unsigned)slot) != 0) {
            io_reader_done(r, (unsigned)slot, EAGAIN);
            break;
        }
        queued++;
    }
    if (queued > 0)
        submit(r, u, queued);
}

static void resubmit(io_reader *r, uring_state *u, unsigned slot)
{
    if (queue_read(r, u, slot) != 0)
        io_reader_done(r, slot, EAGAIN);
    else
        submit(r, u, 1);
}

/* A read that did not happen and may be asked again: interrupted, or
 * cancelled because the thread that submitted it (whoever released the
 * buffer) has exited. */
static int retry(int res)
{
    return res == -EINTR || res == -EAGAIN || res == -ECANCELED;
}

/* One completion: res is bytes read or -errno. */
static void completed(io_reader *r, uring_state *u, unsigned slot, int res)
{
    io_slot *s = &r->slots[slot];
    if (retry(res) && ++s->tries < TRIES_MAX) {
        resubmit(r, u, slot);
        return;
    }
    if (res < 0) {
        io_reader_done(r, slot, -res);
        return;
    }
    s->got += (size_t)res;
    if (res > 0 && s->got < s->want)
        resubmit(r, u, slot);
    else
        io_reader_done(r, slot, 0);
}

static void reap(io_reader *r, uring_state *u)
{
    struct io_uring_cqe *cqe;
    while (io_uring_peek_cqe(&u->ring, &cqe) == 0) {
        unsigned slot = (unsigned)io_uring_cqe_get_data64(cqe);
        int res = cqe->res;
        io_uring_cqe_seen(&u->ring, cqe);
        u->inflight--;
        completed(r, u, slot, res);
    }
}

/* The next block is either being read (wait on the ring, lock dropped) or
 * waits for a buffer (wait for a release). */
static void uring_wait(io_reader *r)
{
    uring_state *u = r->impl;
    if (r->next_seq >= r->assigned || u->inflight == 0) {
        pthread_cond_wait(&r->freed, &r->lock);
        return;
    }
    struct io_uring_cqe *cqe;
    pthread_mutex_unlock(&r->lock);
    int e = io_uring_wait_cqe(&u->ring, &cqe);
    pthread_mutex_lock(&r->lock);
    if (e < 0 && e != -EINTR)
        io_reader_fail(r, -e);
    else if (e == 0)
        reap(r, u);
}

static io_status uring_start(io_reader *r)
{
    uring_state *u = calloc(1, sizeof *u);
    if (u == NULL)
        return IO_ENOMEM;
    if (io_uring_queue_init(r->nslots > 0 ? r->nslots : 1, &u->ring, 0) < 0) {
        free(u);
        return IO_EIO;
    }
    if (!ring_works(&u->ring)) {
        io_uring_queue_exit(&u->ring);
        free(u);
        return IO_EIO;
    }
    r->impl = u;
    pthread_mutex_lock(&r->lock);
    uring_wake(r);
    pthread_mutex_unlock(&r->lock);
    return IO_OK;
}

/* Every read in flight must land before its buffer is freed. */
static int uring_stop(io_reader *r)
{
    uring_state *u = r->impl;
    while (u->inflight > 0) {
        struct io_uring_cqe *cqe;
        int e = io_uring_wait_cqe(&u->ring, &cqe);
        if (e == -EINTR)
            continue;
        if (e < 0)
            break;
        io_uring_cqe_seen(&u->ring, cqe);
        u->inflight--;
    }
    int drained = u->inflight == 0;
    if (drained)
        io_uring_queue_exit(&u->ring);
    free(u);
    return drained;
}

const io_reader_variant io_reader_uring_variant = {
    "io_uring", uring_start, uring_wake, uring_wait, uring_stop,
};
