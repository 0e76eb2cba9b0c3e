/*
 * io_reader_impl.h - what the reader's front (io_reader.c) shares with its
 * two variants (io_reader_uring.c, io_reader_pread.c); private to them.
 *
 * The front owns the buffers and the bookkeeping; a variant only moves
 * bytes into them. Every buffer is a slot that goes round
 *
 *   FREE -> READING (a block is assigned to it) -> READY (read) ->
 *   HELD (handed out by next) -> FREE (released)
 *
 * Blocks are assigned to slots in file order, so the blocks between the
 * next one to hand out and the next one to assign are at most `nslots`,
 * and order[seq % nslots] finds the slot of any of them. One mutex guards
 * everything; a variant waits on the condition variables or on its own
 * completions, never by spinning.
 */
#ifndef DFSUM_IO_READER_IMPL_H
#define DFSUM_IO_READER_IMPL_H

#include "io.h"

#include <pthread.h>

typedef enum { SLOT_FREE, SLOT_READING, SLOT_READY, SLOT_HELD } io_slot_state;

typedef struct {
    char *buf;    /* headroom + block_size bytes; the block at buf+headroom */
    uint64_t seq; /* the block assigned to it (not FREE) */
    uint64_t offset;
    size_t want;    /* the block's length as planned */
    size_t got;     /* bytes read so far */
    unsigned tries; /* reads that did not happen (io_uring retries them) */
    io_slot_state state;
} io_slot;

typedef struct io_reader_variant io_reader_variant;

struct io_reader {
    const io_reader_variant *variant;
    void *impl; /* the variant's own state */
    io_source *src;
    int fd;
    int growing; /* the source is still being written: the pread variant
                    reads through io_source_pread, which waits */
    uint64_t start, end;
    size_t block_size, headroom;
    unsigned nslots;
    uint64_t nblocks;
    uint64_t next_seq; /* the block next() hands out next */
    uint64_t assigned; /* blocks [0, assigned) have been given a slot */
    uint64_t stop_seq; /* no block from here on (the end, a shrunk file,
                          a failed read) */
    int failed;        /* the stop is a read error: next fails there */
    int closing;
    io_error failure;
    unsigned *order;
    io_slot *slots;
    pthread_mutex_t lock;
    pthread_cond_t filled; /* a slot became READY, or the reading failed */
    pthread_cond_t freed;  /* a slot became FREE, or closing */
};

/* A way of reading. Every hook but start, stop and flush runs with
 * r->lock held. */
struct io_reader_variant {
    const char *kind;
    /* Sets up the variant and starts reading; anything but IO_OK means
     * this way of reading is not available here (nothing is left to
     * undo). */
    io_status (*start)(io_reader *r);
    /* Slots may have become free: start reading into them. */
    void (*wake)(io_reader *r);
    /* next() needs block r->next_seq, which is not READY: waits for a
     * change (the lock may be dropped meanwhile). */
    void (*wait)(io_reader *r);
    /* Stops reading, waits for reads in flight, frees the variant.
     * Returns 0 when a read may still be writing into a buffer (the
     * buffers must then be left alone), else 1. */
    int (*stop)(io_reader *r);
    /* Called without r->lock after a release: starts the reads that wake
     * queued. NULL when wake starts them itself. */
    void (*flush)(io_reader *r);
};

extern const io_reader_variant io_reader_uring_variant;
extern const io_reader_variant io_reader_pread_variant;

/* With r->lock held: gives the next block a free slot and marks it
 * READING. Returns the slot, or -1 when no slot is free or no block is
 * left to read. */
int io_reader_assign(io_reader *r);
/* With r->lock held: a slot's read has ended. e is 0, or the errno of a
 * failed read. A read that comes back short (got < want) means the file
 * shrank: the stream ends after that block. */
void io_reader_done(io_reader *r, unsigned slot, int e);

/* With r->lock held: a growing source could not give a slot's block (its
 * decompression failed): the stream fails there with the source's
 * message. */
void io_reader_source_failed(io_reader *r, unsigned slot, const io_error *why);

/* With r->lock held: the reading broke down (errno e); next() fails from
 * the block it would hand out next. */
void io_reader_fail(io_reader *r, int e);

/* The descriptor under a source (io_source.c), for the variants' reads. */
int io_source_fd(const io_source *s);

#endif
