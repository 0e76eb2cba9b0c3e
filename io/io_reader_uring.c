/*
 * io_reader_uring.c - the reader's io_uring variant: no helper thread.
 *
 * A read is wanted for every free buffer (at most one per buffer, so the
 * ring never holds more than `depth`), by whoever frees it: release() on
 * any thread marks it pending under the reader's lock, then, that lock
 * dropped, puts it on the submission queue and submits it (flush).
 * Reads are plain buffered reads: from the page cache the kernel copies
 * at once, in the submitting thread. A copy made under the reader's lock
 * kept the next next() waiting for it, with the chunker's lock held, so
 * that the threads of a run waited in turn; the submission queue has a
 * lock of its own, never taken with the reader's. Completions are reaped
 * only by the consumer, inside next(), which first submits the first
 * pending read (its own block's, unless a release took it already) and
 * then waits on the ring with the reader's lock dropped; liburing's submission
 * and completion sides are independent. The wait has a timeout, after which the
 * consumer looks again: should a flush fail, the reader fails, and nothing
 * would come round the ring to say so. A short read is pending again for the
 * rest, a read of 0 bytes means the file shrank. Not in the page cache, a read
 * completes later, the kernel reading ahead. (IOSQE_ASYNC, which hands every
 * read to a kernel worker, measured no faster here, cold or warm.)
 *
 * When the ring cannot be set up or used (an old kernel, seccomp in a
 * container), start fails and the front uses pread instead.
 */
#include "io_reader_impl.h"

#include <errno.h>
#include <limits.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>

/* How often one block's read may fail to happen before it is an error. */
#define TRIES_MAX 16

/* One read at most this long (the length is 32 bits in the ring, and the
 * kernel returns at most about 2 GiB per read). */
#define READ_MAX ((size_t)1 << 30)

/* Slots a flush takes from the pending list at a time. */
#define TAKE_MAX 16

/* How long the consumer waits on the ring before it looks again. */
#define WAIT_NS 100000000 /* 0.1 s */

typedef struct {
    struct io_uring ring;
    /* With r->lock: reads wanted and not reaped (pending, queued or in
     * the kernel), and the slots whose reads are pending. */
    unsigned inflight;
    unsigned *pending, npending;
    pthread_mutex_t sq_lock; /* the submission queue */
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
    /* a wait with a timeout that takes no submission entry */
    if (!can_read || sqe == NULL || !(ring->features & IORING_FEAT_EXT_ARG))
        return 0;
    io_uring_prep_nop(sqe);
    if (io_uring_submit_and_wait(ring, 1) != 1 ||
        io_uring_wait_cqe(ring, &cqe) != 0)
        return 0;
    int ok = cqe->res == 0;
    io_uring_cqe_seen(ring, cqe);
    return ok;
}

/* With r->lock held: the rest of a slot's block is to be read. */
static void want_read(uring_state *u, unsigned slot)
{
    u->pending[u->npending++] = slot;
    u->inflight++;
}

/* The read of the rest of a slot's block, as taken from the pending list
 * under r->lock: the slot is not read while the lock is dropped. */
typedef struct {
    unsigned slot;
    unsigned len;
    char *buf;
    uint64_t offset;
} read_req;

/* With sq_lock held: queues a read; -1 when the queue is full (it cannot
 * be: one read per buffer). */
static int queue_read(uring_state *u, int fd, const read_req *q)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
    if (sqe == NULL)
        return -1;
    io_uring_prep_read(sqe, fd, q->buf, q->len, q->offset);
    io_uring_sqe_set_data64(sqe, q->slot);
    return 0;
}

/* Takes up to max (at most TAKE_MAX) pending reads into out, in file
 * order; how many. */
static unsigned take_pending(io_reader *r, uring_state *u, read_req *out,
                             unsigned max)
{
    pthread_mutex_lock(&r->lock);
    unsigned n = u->npending < max ? u->npending : max;
    for (unsigned i = 0; i < n; i++) {
        const io_slot *s = &r->slots[u->pending[i]];
        size_t len = s->want - s->got < READ_MAX ? s->want - s->got : READ_MAX;
        out[i] = (read_req){u->pending[i], (unsigned)len,
                            s->buf + r->headroom + s->got, s->offset + s->got};
    }
    u->npending -= n;
    memmove(u->pending, u->pending + n, u->npending * sizeof *u->pending);
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* With sq_lock held: submits what is queued; 0, or the errno of a
 * submission the kernel refused (what it did not take stays queued, and
 * the next submission tries it again). */
static int submit_queued(uring_state *u)
{
    while (io_uring_sq_ready(&u->ring) > 0) {
        int n = io_uring_submit(&u->ring);
        if (n == 0)
            return EAGAIN;
        if (n < 0 && n != -EINTR)
            return -n;
    }
    return 0;
}

/* Without r->lock: queues and submits up to max pending reads; 0 or an
 * errno. A read the queue has no room for ends its slot with EAGAIN. */
static int submit_pending(io_reader *r, uring_state *u, unsigned max)
{
    read_req took[TAKE_MAX];
    unsigned n;
    int e = 0;
    while (e == 0 && max > 0 &&
           (n = take_pending(r, u, took, max < TAKE_MAX ? max : TAKE_MAX)) >
               0) {
        max -= n;
        unsigned queued = 0;
        pthread_mutex_lock(&u->sq_lock);
        while (queued < n && queue_read(u, r->fd, &took[queued]) == 0)
            queued++;
        e = submit_queued(u);
        pthread_mutex_unlock(&u->sq_lock);
        if (queued == n)
            continue;
        pthread_mutex_lock(&r->lock);
        for (unsigned i = queued; i < n; i++) {
            u->inflight--;
            io_reader_done(r, took[i].slot, EAGAIN);
        }
        pthread_mutex_unlock(&r->lock);
    }
    return e;
}

static void uring_wake(io_reader *r)
{
    int slot;
    while ((slot = io_reader_assign(r)) >= 0)
        want_read(r->impl, (unsigned)slot);
}

/* Without r->lock: submits up to max pending reads. Should the kernel
 * refuse, the reading fails: nothing is submitted once the reader has
 * stopped. */
static void submit_or_fail(io_reader *r, unsigned max)
{
    int e = submit_pending(r, r->impl, max);
    if (e != 0) {
        pthread_mutex_lock(&r->lock);
        io_reader_fail(r, e);
        pthread_mutex_unlock(&r->lock);
    }
}

static void uring_flush(io_reader *r)
{
    submit_or_fail(r, UINT_MAX);
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
        want_read(u, slot);
        return;
    }
    if (res < 0) {
        io_reader_done(r, slot, -res);
        return;
    }
    s->got += (size_t)res;
    if (res > 0 && s->got < s->want)
        want_read(u, slot);
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

/* The next block is either being read (submit the first pending read,
 * then wait on the ring, lock dropped) or waits for a buffer (wait for a
 * release). */
static void uring_wait(io_reader *r)
{
    uring_state *u = r->impl;
    if (r->next_seq >= r->assigned || u->inflight == 0) {
        pthread_cond_wait(&r->freed, &r->lock);
        return;
    }
    struct io_uring_cqe *cqe;
    struct __kernel_timespec ts = {0, WAIT_NS};
    pthread_mutex_unlock(&r->lock);
    int e = submit_pending(r, u, 1);
    int w = e == 0 ? io_uring_wait_cqe_timeout(&u->ring, &cqe, &ts) : 0;
    pthread_mutex_lock(&r->lock);
    if (e != 0)
        io_reader_fail(r, e);
    else if (w < 0 && w != -EINTR && w != -ETIME)
        io_reader_fail(r, -w);
    else if (w == 0)
        reap(r, u);
}

static void free_state(uring_state *u)
{
    free(u->pending);
    free(u);
}

static io_status uring_start(io_reader *r)
{
    uring_state *u = calloc(1, sizeof *u);
    if (u == NULL ||
        (u->pending = calloc(r->nslots + 1, sizeof *u->pending)) == NULL) {
        free(u);
        return IO_ENOMEM;
    }
    if (io_uring_queue_init(r->nslots > 0 ? r->nslots : 1, &u->ring, 0) < 0) {
        free_state(u);
        return IO_EIO;
    }
    if (!ring_works(&u->ring) || pthread_mutex_init(&u->sq_lock, NULL) != 0) {
        io_uring_queue_exit(&u->ring);
        free_state(u);
        return IO_EIO;
    }
    r->impl = u;
    pthread_mutex_lock(&r->lock);
    uring_wake(r);
    pthread_mutex_unlock(&r->lock);
    /* Only the first block is read here, before any thread computes: the
     * others are read by the releases and next()s that follow, spread
     * over the threads (from the page cache, the reads of all the buffers
     * at once kept the other threads waiting for a few ms). */
    submit_or_fail(r, 1);
    return IO_OK;
}

/* Every read the kernel took must land before its buffer is freed; reads
 * pending or queued (a refused submission) were never taken. */
static int uring_stop(io_reader *r)
{
    uring_state *u = r->impl;
    unsigned untaken = u->npending + io_uring_sq_ready(&u->ring);
    while (u->inflight > untaken) {
        struct io_uring_cqe *cqe;
        int e = io_uring_wait_cqe(&u->ring, &cqe);
        if (e == -EINTR)
            continue;
        if (e < 0)
            break;
        io_uring_cqe_seen(&u->ring, cqe);
        u->inflight--;
    }
    int drained = u->inflight == untaken;
    if (drained)
        io_uring_queue_exit(&u->ring);
    pthread_mutex_destroy(&u->sq_lock);
    free_state(u);
    return drained;
}

const io_reader_variant io_reader_uring_variant = {
    "io_uring", uring_start, uring_wake, uring_wait, uring_stop, uring_flush,
};
