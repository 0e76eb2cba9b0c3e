/*
 * io_chunker.c - the data part of a CSV file as chunks of whole records.
 *
 * Each step reads chunk_size more bytes after the tail carried over from
 * the previous chunk, scans only the new bytes (io_scan keeps libcsv's
 * quote state from one read to the next) and cuts at the last record end
 * found; what follows the cut starts the next chunk. A record longer than
 * chunk_size just makes a larger chunk. A \r that is the last byte read is
 * left unscanned until the byte after it is known, so a \r\n is never cut
 * in two: every chunk starts on a fresh physical line, and its line number
 * is exact.
 *
 * Finding the edges is io_scan_edges, a function of the bytes and the scan
 * state only, so a parallel reader can use it on its own ranges.
 */
#include "io.h"

#include <stdlib.h>
#include <string.h>

struct io_chunker {
    io_source *src;
    size_t chunk_size;
    uint64_t next_read, end; /* file offsets: next byte to read, the end */
    char *buf;               /* bytes not consumed yet, from buf_offset */
    size_t len, cap;
    size_t scanned; /* buf[0, scanned) went through scan */
    size_t handed;  /* buf[0, handed) is the chunk handed out */
    uint64_t buf_offset, buf_line;
    uint64_t cut_line; /* physical line just after the last cut */
    uint64_t seq;
    io_scan scan;
    int failed;
    io_error failure; /* kept, so that every later call fails alike */
};

io_status io_chunker_open(io_source *src, const io_csv_opts *o, uint64_t start,
                          uint64_t first_line, size_t chunk_size,
                          io_chunker **out, io_error *err)
{
    const char *name = io_source_name(src);
    if (!io_delim_ok(o->delim))
        return io_fail(err, IO_EPARSE, "%s: invalid delimiter", name);
    io_chunker *c = calloc(1, sizeof *c);
    if (c == NULL)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    c->src = src;
    c->chunk_size = chunk_size > 0 ? chunk_size : 1;
    c->end = io_source_size(src);
    c->next_read = start < c->end ? start : c->end;
    c->buf_offset = c->next_read;
    c->buf_line = first_line;
    io_scan_init(&c->scan, o, first_line);
    *out = c;
    return IO_OK;
}

/* Forgets the chunk handed out last: its tail moves to the front. */
static void drop_handed(io_chunker *c)
{
    if (c->handed == 0)
        return;
    memmove(c->buf, c->buf + c->handed, c->len - c->handed);
    c->len -= c->handed;
    c->scanned -= c->handed;
    c->buf_offset += c->handed;
    c->buf_line = c->cut_line;
    c->handed = 0;
}

/* Appends the next chunk_size bytes of the file (fewer at its end). */
static io_status read_more(io_chunker *c)
{
    uint64_t left = c->end - c->next_read;
    size_t want = left < c->chunk_size ? (size_t)left : c->chunk_size;
    if (c->cap - c->len < want) {
        size_t cap = c->cap * 2 > c->len + want ? c->cap * 2 : c->len + want;
        char *buf = realloc(c->buf, cap);
        if (buf == NULL)
            return io_fail(&c->failure, IO_ENOMEM, "%s: out of memory",
                           io_source_name(c->src));
        c->buf = buf;
        c->cap = cap;
    }
    ssize_t n = io_source_pread(c->src, c->buf + c->len, want, c->next_read,
                                &c->failure);
    if (n < 0)
        return IO_EIO;
    c->len += (size_t)n;
    c->next_read += (size_t)n;
    if ((size_t)n < want) /* the file shrank: it ends here */
        c->end = c->next_read;
    return IO_OK;
}

/* Scans the bytes not scanned yet (but a final \r while more may follow)
 * and sets *cut just past the last record end among them, 0 if none. */
static io_status scan_new(io_chunker *c, size_t *cut)
{
    size_t upto = c->len;
    if (c->next_read < c->end && upto > c->scanned && c->buf[upto - 1] == '\r')
        upto--;
    size_t n = upto - c->scanned, edge;
    uint64_t edge_line;
    size_t done =
        io_scan_edges(&c->scan, c->buf + c->scanned, n, &edge, &edge_line);
    if (done < n)
        return io_fail(&c->failure, IO_EPARSE,
                       "%s:%llu: binary data (NUL byte), not a CSV file",
                       io_source_name(c->src),
                       (unsigned long long)c->scan.line);
    *cut = edge != 0 ? c->scanned + edge : 0;
    if (edge != 0)
        c->cut_line = edge_line;
    c->scanned = upto;
    return IO_OK;
}

static int hand_out(io_chunker *c, io_chunk *chunk, size_t cut)
{
    chunk->data = c->buf;
    chunk->len = cut;
    chunk->offset = c->buf_offset;
    chunk->line = c->buf_line;
    chunk->seq = c->seq++;
    c->handed = cut;
    return 1;
}

/* At the end of the file: the rest is the last chunk, unless a quoted
 * field is still open. */
static int hand_out_rest(io_chunker *c, io_chunk *chunk)
{
    if (io_scan_in_quotes(&c->scan)) {
        io_fail(&c->failure, IO_EPARSE, "%s:%llu: unterminated quoted field",
                io_source_name(c->src), (unsigned long long)c->scan.quote_line);
        return -1;
    }
    if (c->len == 0)
        return 0;
    c->cut_line = c->scan.line;
    return hand_out(c, chunk, c->len);
}

static int step(io_chunker *c, io_chunk *chunk)
{
    drop_handed(c);
    for (;;) {
        size_t cut = 0;
        if (scan_new(c, &cut) != IO_OK)
            return -1;
        if (cut != 0)
            return hand_out(c, chunk, cut);
        if (c->next_read >= c->end)
            return hand_out_rest(c, chunk);
        if (read_more(c) != IO_OK)
            return -1;
    }
}

int io_chunker_next(io_chunker *c, io_chunk *chunk, io_error *err)
{
    int got = c->failed ? -1 : step(c, chunk);
    c->failed = got < 0;
    if (got < 0 && err != NULL)
        *err = c->failure;
    return got;
}

void io_chunker_close(io_chunker *c)
{
    if (c == NULL)
        return;
    free(c->buf);
    free(c);
}
