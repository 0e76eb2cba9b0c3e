/*
 * io_chunker.c - the data part of a CSV file as chunks of whole records,
 * cut from the blocks of the async reader.
 *
 * A chunk is the tail carried over from the previous block (the bytes
 * after its last record end) followed by the current block up to its own
 * last record end. The carry is usually part of one record: it is copied
 * into the block's headroom, just before its data, and the chunk is then
 * one span of the block - the block itself is never copied. Two rarer
 * cases copy more:
 *   - a carry longer than the headroom (a record of over 64 KiB) goes,
 *     with the end of its record from the block, into a side buffer the
 *     chunk owns; the rest of the block up to its last record end becomes
 *     the following chunk, again without a copy;
 *   - a block with no record end at all (a record longer than a block) is
 *     appended to the carry, which then lives in the chunker's own buffer,
 *     and the block goes back to the reader at once.
 * A \r that is the last byte of a block is scanned with the next block,
 * so that a \r\n is never cut in two: every chunk starts on a fresh line.
 *
 * Finding the edges is the only sequential part (the quote state at the
 * start of a block depends on every byte before it): it runs in next(),
 * under the lock, with the carry's copy and some bookkeeping. A block goes
 * back to the reader when the last chunk (or carry) using it lets go - a
 * hold counts them - and that happens outside the lock: next() may be
 * waiting, with the lock, for the very buffer a release gives back.
 */
#include "io.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define HEADROOM  ((size_t)64 << 10)
#define LINE_READ ((size_t)64 << 10)

/* What a chunk (or the carry) points into: a reader block or a side
 * buffer, and how many of them still use it. */
typedef struct hold {
    io_block block; /* block.data NULL: none */
    char *side;     /* malloc'ed, or NULL */
    atomic_uint refs;
    struct hold *next; /* in the free list, or the list to recycle */
    struct hold *all;  /* every hold ever made, for close */
} hold;

/* The bytes after the last record end handed out. */
typedef struct {
    hold *src;        /* where they are; NULL: in the chunker's acc */
    const char *data; /* when src is not NULL */
    size_t len;
    uint64_t offset;
    int cr_pending; /* the last byte is a \r not scanned yet */
} tail;

struct io_chunker {
    pthread_mutex_t lock;       /* everything but the holds' lists */
    pthread_mutex_t holds_lock; /* free_holds and all_holds */
    io_source *src;
    io_reader *reader;
    uint64_t start, end;
    io_scan scan; /* lines counted from 1 at start */
    tail carry;
    char *acc; /* a carry that outgrew its block */
    size_t acc_cap;
    io_chunk pending; /* made with the previous one, handed out next */
    int has_pending;
    hold *free_holds, *dropped, *all_holds;
    uint64_t seq;
    int failed;
    io_error failure; /* kept, so that every later call fails alike */
};

static const char *carry_bytes(const io_chunker *c)
{
    return c->carry.src != NULL ? c->carry.data : c->acc;
}

static io_status out_of_memory(io_chunker *c)
{
    return io_fail(&c->failure, IO_ENOMEM, "%s: out of memory",
                   io_source_name(c->src));
}

/* A hold with no use yet (refs 0, nothing in it). */
static hold *new_hold(io_chunker *c)
{
    pthread_mutex_lock(&c->holds_lock);
    hold *h = c->free_holds;
    if (h != NULL) {
        c->free_holds = h->next;
    } else if ((h = calloc(1, sizeof *h)) != NULL) {
        h->all = c->all_holds;
        c->all_holds = h;
    }
    pthread_mutex_unlock(&c->holds_lock);
    if (h == NULL)
        out_of_memory(c);
    return h;
}

static void free_hold(io_chunker *c, hold *h)
{
    h->block.data = NULL;
    h->side = NULL;
    atomic_store_explicit(&h->refs, 0, memory_order_relaxed);
    pthread_mutex_lock(&c->holds_lock);
    h->next = c->free_holds;
    c->free_holds = h;
    pthread_mutex_unlock(&c->holds_lock);
}

static void use(hold *h)
{
    atomic_fetch_add_explicit(&h->refs, 1, memory_order_relaxed);
}

/* Drops a use of h; 1 when it was the last. */
static int last_use(hold *h)
{
    return atomic_fetch_sub_explicit(&h->refs, 1, memory_order_acq_rel) == 1;
}

/* Gives h's block back and frees its side buffer; without the lock. */
static void recycle_one(io_chunker *c, hold *h)
{
    if (h->block.data != NULL)
        io_reader_release(c->reader, &h->block);
    free(h->side);
    free_hold(c, h);
}

/* Under the lock: a hold nobody uses any more waits on the list that
 * next() recycles once the lock is dropped. */
static void unref(io_chunker *c, hold *h)
{
    if (!last_use(h))
        return;
    h->next = c->dropped;
    c->dropped = h;
}

static void recycle(io_chunker *c, hold *list)
{
    while (list != NULL) {
        hold *next = list->next;
        recycle_one(c, list);
        list = next;
    }
}

static int grow_acc(io_chunker *c, size_t need)
{
    if (need <= c->acc_cap)
        return 0;
    size_t cap = c->acc_cap > need / 2 ? 2 * c->acc_cap : need;
    char *acc = realloc(c->acc, cap);
    if (acc == NULL)
        return -1;
    c->acc = acc;
    c->acc_cap = cap;
    return 0;
}

static void set_carry(io_chunker *c, hold *h, const char *data, size_t len,
                      uint64_t offset, int cr_pending)
{
    c->carry = (tail){NULL, NULL, len, offset, len > 0 && cr_pending};
    if (len > 0) {
        c->carry.src = h;
        c->carry.data = data;
        use(h);
    }
}

static void drop_carry(io_chunker *c)
{
    if (c->carry.src != NULL)
        unref(c, c->carry.src);
    c->carry = (tail){NULL, NULL, 0, c->carry.offset + c->carry.len, 0};
}

static void hand_out(io_chunker *c, io_chunk *chunk, const char *data,
                     size_t len, uint64_t offset, hold *h)
{
    *chunk = (io_chunk){data, len, offset, c->seq++, h};
}

/* Scans p[0, n) and returns 1 + the index of the last record end, 0 when
 * there is none. */
static size_t scan_edges(io_scan *s, const char *p, size_t n)
{
    size_t edge;
    uint64_t edge_line;
    io_scan_edges(s, p, n, &edge, &edge_line);
    return edge;
}

/* 1 + the index of the first record end in p[0, n), scanning from state
 * s (a copy). */
static size_t first_edge(io_scan s, const char *p, size_t n)
{
    size_t off = 0, content;
    io_scan_next_record(&s, p, n, &off, &content);
    return off;
}

/* Scans the \r left at the end of the carry; 1 when it ends a record. */
static int scan_pending_cr(io_chunker *c)
{
    if (!c->carry.cr_pending)
        return 0;
    c->carry.cr_pending = 0;
    return scan_edges(&c->scan, carry_bytes(c) + c->carry.len - 1, 1) != 0;
}

/* Moves an edge that falls between the \r and the \n of a \r\n past the
 * \n (which ends an empty record of its own). first counts in b, 0 being
 * just after the carry. */
static size_t past_lf(const io_chunker *c, const io_block *b, size_t first)
{
    char before =
        first > 0 ? b->data[first - 1] : carry_bytes(c)[c->carry.len - 1];
    return before == '\r' && first < b->len && b->data[first] == '\n'
               ? first + 1
               : first;
}

/* Hands out the carry, followed by extra[0, n), as a chunk: without a
 * copy when it is in a block and nothing follows it, else in a side
 * buffer (the chunker's acc itself, when the carry is there). */
static int carry_out(io_chunker *c, const char *extra, size_t n,
                     io_chunk *chunk)
{
    size_t len = c->carry.len;
    if (n == 0 && c->carry.src != NULL) { /* the carry's use moves over */
        hand_out(c, chunk, c->carry.data, len, c->carry.offset, c->carry.src);
        c->carry = (tail){NULL, NULL, 0, c->carry.offset + len, 0};
        return 1;
    }
    hold *h = new_hold(c);
    char *side = NULL;
    if (h != NULL && c->carry.src == NULL && grow_acc(c, len + n) == 0) {
        side = c->acc;
        c->acc = NULL;
        c->acc_cap = 0;
    } else if (h != NULL && c->carry.src != NULL &&
               (side = malloc(len + n)) != NULL) {
        memcpy(side, c->carry.data, len);
    }
    if (side == NULL) {
        if (h != NULL)
            free_hold(c, h);
        return out_of_memory(c), -1;
    }
    if (n > 0)
        memcpy(side + len, extra, n);
    h->side = side;
    use(h);
    hand_out(c, chunk, side, len + n, c->carry.offset, h);
    drop_carry(c);
    return 1;
}

/* The usual case: the carry fits in the block's headroom. */
static int cut_in_place(io_chunker *c, io_block *b, size_t last, int cr_pending,
                        io_chunk *chunk)
{
    hold *h = new_hold(c);
    if (h == NULL)
        return -1;
    size_t len = c->carry.len;
    char *data = b->data - len;
    if (len > 0)
        memcpy(data, carry_bytes(c), len);
    drop_carry(c);
    h->block = *b;
    use(h);
    hand_out(c, chunk, data, len + last, b->offset - len, h);
    set_carry(c, h, b->data + last, b->len - last, b->offset + last,
              cr_pending);
    return 1;
}

/* A carry too long for the headroom: it ends with the block's first
 * record end, in a side buffer; the rest of the block up to its last
 * record end is the next chunk. */
static int cut_after_long(io_chunker *c, io_block *b, size_t first, size_t last,
                          int cr_pending, io_chunk *chunk)
{
    hold *h = new_hold(c);
    if (h == NULL || carry_out(c, b->data, first, chunk) < 0) {
        if (h != NULL)
            free_hold(c, h);
        return -1;
    }
    h->block = *b;
    use(h); /* held while this function sets things up */
    if (last > first) {
        use(h);
        c->pending = (io_chunk){b->data + first, last - first,
                                b->offset + first, c->seq++, h};
        c->has_pending = 1;
    }
    set_carry(c, h, b->data + last, b->len - last, b->offset + last,
              cr_pending);
    unref(c, h);
    return 1;
}

/* A block without a record end: appended to the carry, given back. */
static int accumulate(io_chunker *c, io_block *b, int cr_pending)
{
    size_t len = c->carry.len;
    if (grow_acc(c, len + b->len) != 0)
        return out_of_memory(c), -1;
    if (c->carry.src != NULL) {
        memcpy(c->acc, c->carry.data, len);
        unref(c, c->carry.src);
        c->carry.src = NULL;
    }
    memcpy(c->acc + len, b->data, b->len);
    if (len == 0)
        c->carry.offset = b->offset;
    c->carry.len = len + b->len;
    c->carry.cr_pending = cr_pending;
    io_reader_release(c->reader, b);
    return 0;
}

/* Scans a new block and makes a chunk of it: 1, or 0 when the block only
 * grew the carry, or -1 (out of memory; b is then left as it came). */
static int take_block(io_chunker *c, io_block *b, io_chunk *chunk)
{
    int carry_edge = scan_pending_cr(c);
    size_t n = b->len;
    if (n > 0 && b->data[n - 1] == '\r' && b->offset + n < c->end)
        n--; /* scanned with the next block */
    int cr_pending = n < b->len;
    int long_carry = c->carry.len > b->headroom;
    io_scan before;
    if (long_carry)
        before = c->scan;
    size_t last = scan_edges(&c->scan, b->data, n);
    if (last == 0 && !carry_edge)
        return accumulate(c, b, cr_pending);
    if (!long_carry)
        return cut_in_place(c, b, last, cr_pending, chunk);
    size_t first = carry_edge ? 0 : first_edge(before, b->data, n);
    return cut_after_long(c, b, past_lf(c, b, first), last, cr_pending, chunk);
}

/* Counts the line ends in the file before the range (error messages
 * only): the scan counted lines from 1 at the range start. A \r\n cut by
 * the start counts once, though the scan took its \n for a line end. */
static uint64_t lines_before(io_chunker *c)
{
    char *buf = malloc(LINE_READ);
    uint64_t lines = 0, at = 0;
    char prev = 0;
    io_error err;
    while (buf != NULL && at <= c->start) {
        ssize_t n = io_source_pread(c->src, buf, LINE_READ, at, &err);
        for (ssize_t i = 0; i < n && at + (uint64_t)i <= c->start; i++) {
            if (at + (uint64_t)i == c->start)
                lines -= prev == '\r' && buf[i] == '\n';
            else
                lines += buf[i] == '\r' || (buf[i] == '\n' && prev != '\r');
            prev = buf[i];
        }
        if (n <= 0)
            break;
        at += (uint64_t)n;
    }
    free(buf);
    return lines;
}

/* At the end of the range: the carry is the last chunk, unless a quoted
 * field is still open. */
static int finish(io_chunker *c, io_chunk *chunk)
{
    scan_pending_cr(c);
    if (io_scan_in_quotes(&c->scan)) {
        uint64_t line = c->scan.quote_line + lines_before(c);
        io_fail(&c->failure, IO_EPARSE, "%s:%llu: unterminated quoted field",
                io_source_name(c->src), (unsigned long long)line);
        return -1;
    }
    if (c->carry.len == 0)
        return 0;
    return carry_out(c, NULL, 0, chunk);
}

static int step(io_chunker *c, io_chunk *chunk)
{
    if (c->has_pending) {
        *chunk = c->pending;
        c->has_pending = 0;
        return 1;
    }
    for (;;) {
        io_block b;
        int got = io_reader_next(c->reader, &b, &c->failure);
        if (got < 0)
            return -1;
        if (got == 0)
            return finish(c, chunk);
        int made = take_block(c, &b, chunk);
        if (made < 0)
            io_reader_release(c->reader, &b);
        if (made != 0)
            return made;
    }
}

static int init_locks(io_chunker *c)
{
    if (pthread_mutex_init(&c->lock, NULL) != 0)
        return -1;
    if (pthread_mutex_init(&c->holds_lock, NULL) != 0) {
        pthread_mutex_destroy(&c->lock);
        return -1;
    }
    return 0;
}

static void destroy_locks(io_chunker *c)
{
    pthread_mutex_destroy(&c->holds_lock);
    pthread_mutex_destroy(&c->lock);
}

io_status io_chunker_open(io_source *src, const io_csv_opts *o, uint64_t start,
                          size_t chunk_size, unsigned depth, io_chunker **out,
                          io_error *err)
{
    return io_chunker_open_range(src, o, start, UINT64_MAX, chunk_size, depth,
                                 out, err);
}

/* The range ends at a record start (or the end of the file), so it ends
 * outside quotes, exactly as the whole file would at that point. */
io_status io_chunker_open_range(io_source *src, const io_csv_opts *o,
                                uint64_t start, uint64_t end, size_t chunk_size,
                                unsigned depth, io_chunker **out, io_error *err)
{
    const char *name = io_source_name(src);
    if (!io_dialect_ok(o))
        return io_fail(err, IO_EPARSE, "%s: invalid delimiter", name);
    io_chunker *c = calloc(1, sizeof *c);
    if (c == NULL || init_locks(c) != 0) {
        free(c);
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    }
    c->src = src;
    uint64_t size = io_source_size_bound(src);
    c->end = end < size ? end : size;
    c->start = start < c->end ? start : c->end;
    c->carry.offset = c->start;
    io_scan_init(&c->scan, o, 1);
    io_status st = io_reader_open(src, c->start, c->end, chunk_size, HEADROOM,
                                  depth < 2 ? 2 : depth, &c->reader, err);
    if (st != IO_OK) {
        destroy_locks(c);
        free(c);
        return st;
    }
    *out = c;
    return IO_OK;
}

int io_chunker_next(io_chunker *c, io_chunk *chunk, io_error *err)
{
    pthread_mutex_lock(&c->lock);
    int got = c->failed ? -1 : step(c, chunk);
    c->failed = got < 0;
    if (got < 0 && err != NULL)
        *err = c->failure;
    hold *dropped = c->dropped;
    c->dropped = NULL;
    pthread_mutex_unlock(&c->lock);
    recycle(c, dropped);
    return got;
}

/* Takes no lock of the chunker's before the block is given back: next()
 * may hold it, waiting for this very buffer. */
void io_chunker_release(io_chunker *c, io_chunk *chunk)
{
    hold *h = chunk->priv;
    if (h == NULL)
        return;
    chunk->priv = NULL;
    if (last_use(h))
        recycle_one(c, h);
}

/* Chunks still held are freed too: they must not be used after close. */
void io_chunker_close(io_chunker *c)
{
    if (c == NULL)
        return;
    io_reader_close(c->reader);
    for (hold *h = c->all_holds, *next; h != NULL; h = next) {
        next = h->all;
        free(h->side);
        free(h);
    }
    free(c->acc);
    destroy_locks(c);
    free(c);
}
