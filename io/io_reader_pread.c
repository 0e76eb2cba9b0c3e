/*
 * io_reader_pread.c - the reader's fallback: pread on a helper thread.
 *
 * One thread fills free buffers with the next blocks, in file order, one
 * pread loop at a time (the kernel's own readahead does the rest). It
 * sleeps on `freed` when every buffer is taken or nothing is left to read;
 * the consumer sleeps on `filled` until its block is there. The thread
 * holds the lock only to pick a slot and to report it, never while
 * reading; a slot that is READING belongs to the thread alone.
 */
#include "io_reader_impl.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/* One read call at most this long: the kernel returns at most about
 * 2 GiB per call anyway. */
#define READ_MAX ((size_t)1 << 30)

typedef struct {
    pthread_t thread;
} pread_state;

/* A slot's block from a growing source, through io_source_pread, which
 * waits for its bytes; returns 0, or -1 with *why set. */
static int read_growing(const io_reader *r, io_slot *s, io_error *why)
{
    ssize_t n =
        io_source_pread(r->src, s->buf + r->headroom, s->want, s->offset, why);
    if (n < 0)
        return -1;
    s->got = (size_t)n;
    return 0;
}

/* Reads the rest of a slot's block; returns 0 (a short block means the
 * end of the file) or the errno of the failed read. */
static int read_block(const io_reader *r, io_slot *s)
{
    char *data = s->buf + r->headroom;
    while (s->got < s->want) {
        size_t len = s->want - s->got < READ_MAX ? s->want - s->got : READ_MAX;
        ssize_t n =
            pread(r->fd, data + s->got, len, (off_t)(s->offset + s->got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        if (n == 0)
            break;
        s->got += (size_t)n;
    }
    return 0;
}

static void *read_ahead(void *arg)
{
    io_reader *r = arg;
    pthread_mutex_lock(&r->lock);
    while (!r->closing) {
        int slot = io_reader_assign(r);
        if (slot < 0) {
            pthread_cond_wait(&r->freed, &r->lock);
            continue;
        }
        pthread_mutex_unlock(&r->lock);
        io_error why;
        int e = r->growing ? read_growing(r, &r->slots[slot], &why)
                           : read_block(r, &r->slots[slot]);
        pthread_mutex_lock(&r->lock);
        if (r->growing && e != 0)
            io_reader_source_failed(r, (unsigned)slot, &why);
        else
            io_reader_done(r, (unsigned)slot, e);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* The thread takes no signals: they are the program's business. */
static io_status pread_start(io_reader *r)
{
    pread_state *p = malloc(sizeof *p);
    if (p == NULL)
        return IO_ENOMEM;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(&p->thread, NULL, read_ahead, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        free(p);
        return IO_ENOMEM;
    }
    r->impl = p;
    return IO_OK;
}

/* Releases signal `freed` themselves, which is what the thread waits on. */
static void pread_wake(io_reader *r)
{
    (void)r;
}

static void pread_wait(io_reader *r)
{
    pthread_cond_wait(&r->filled, &r->lock);
}

/* io_reader_close has set closing and woken the thread: join it. */
static int pread_stop(io_reader *r)
{
    pread_state *p = r->impl;
    pthread_join(p->thread, NULL);
    free(p);
    return 1;
}

const io_reader_variant io_reader_pread_variant = {
    "pread", pread_start, pread_wake, pread_wait, pread_stop, NULL,
};
