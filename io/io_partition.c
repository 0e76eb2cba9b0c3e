/*
 * io_partition.c - the quote state at any byte of a file, found from the
 * ranges before it rather than by reading from the start.
 *
 * Where a record starts depends on every byte before it (a quote opens a
 * field that may hold newlines). The record scanner (io_scan.c) has four
 * states, so the effect of a range of bytes is a function from four
 * states to four, and functions of consecutive ranges compose. Processes
 * that each sum up their own range this way and compose the sums of the
 * ranges before theirs know the exact state at their start, having read
 * only their own bytes.
 *
 * The function is found by running the scanner once per distinct state:
 * the runs from START, UNQUOTED and QUOTE_SEEN usually merge at the first
 * delimiter, so there are about two runs (inside and outside quotes). A
 * block without any quote byte (the usual case of numeric data) needs no
 * run at all: there nothing but the last separator matters.
 */
#include "io.h"

#include <stdlib.h>
#include <string.h>

#define PART_BLOCK ((size_t)1 << 20)
#define PART_DEPTH 4
#define SEEK_READ  ((size_t)64 << 10)

void io_states_identity(io_states *f)
{
    for (unsigned s = 0; s < 4; s++)
        f->to[s] = (unsigned char)s;
}

void io_states_then(const io_states *first, const io_states *second,
                    io_states *out)
{
    io_states f;
    for (unsigned s = 0; s < 4; s++)
        f.to[s] = second->to[first->to[s] & 3];
    *out = f;
}

static int is_separator(char c, char delim)
{
    return c == delim || c == '\r' || c == '\n';
}

/* The state after p[0, n) (n > 0, no quote byte) entered outside a quoted
 * field (START or UNQUOTED): START just after a separator, UNQUOTED after
 * any other byte, since text after START opens an unquoted field. */
static unsigned outside_quotes_after(const char *p, size_t n, char delim)
{
    return is_separator(p[n - 1], delim) ? IO_ST_START : IO_ST_UNQUOTED;
}

/* The state after p[0, n), n > 0, which holds no quote byte. */
static unsigned quote_free_after(unsigned state, const char *p, size_t n,
                                 char delim)
{
    switch (state) {
    case IO_ST_QUOTED: /* only a quote could end the field */
        return IO_ST_QUOTED;
    case IO_ST_QUOTE_SEEN: /* "a"b: text keeps the field quoted */
        if (!is_separator(p[0], delim))
            return IO_ST_QUOTED;
        return n == 1 ? IO_ST_START : outside_quotes_after(p + 1, n - 1, delim);
    default:
        return outside_quotes_after(p, n, delim);
    }
}

/* The state after p[0, n) by the scanner itself. */
static unsigned scanned_after(const io_csv_opts *o, unsigned state,
                              const char *p, size_t n)
{
    io_scan s;
    size_t edge;
    uint64_t edge_line;
    io_scan_init(&s, o, 1);
    s.state = (unsigned char)state;
    io_scan_edges(&s, p, n, &edge, &edge_line);
    return s.state;
}

/* f := f then the block p[0, n): each distinct state is run once. */
static void block_then(io_states *f, const io_csv_opts *o, const char *p,
                       size_t n)
{
    int quoted = memchr(p, io_quote_of(o), n) != NULL;
    unsigned char after[4];
    unsigned done = 0; /* bit s: after[s] is known */
    for (unsigned s = 0; s < 4; s++) {
        unsigned from = f->to[s] & 3;
        if (!(done >> from & 1)) {
            after[from] = (unsigned char)(quoted ? scanned_after(o, from, p, n)
                                                 : quote_free_after(from, p, n,
                                                                    o->delim));
            done |= 1u << from;
        }
        f->to[s] = after[from];
    }
}

io_status io_range_states(io_source *src, const io_csv_opts *o, uint64_t from,
                          uint64_t to, io_states *out, io_error *err)
{
    io_states f;
    io_reader *r;
    io_states_identity(&f);
    if (to <= from) {
        *out = f;
        return IO_OK;
    }
    io_status st =
        io_reader_open(src, from, to, PART_BLOCK, 0, PART_DEPTH, &r, err);
    if (st != IO_OK)
        return st;
    io_block b;
    int got;
    while ((got = io_reader_next(r, &b, err)) == 1) {
        block_then(&f, o, b.data, b.len);
        io_reader_release(r, &b);
    }
    io_reader_close(r);
    if (got < 0)
        return err->status;
    *out = f;
    return IO_OK;
}

/* 1 + at + the index of the first record terminator in buf[0, n) when
 * scanning from s, else 0. */
static uint64_t first_terminator(io_scan *s, const char *buf, size_t n,
                                 uint64_t at)
{
    size_t off = 0, content = 0;
    io_scan_next_record(s, buf, n, &off, &content);
    return content < off ? at + off : 0;
}

/* A record ended by a \r followed by \n is followed by an empty one (the
 * \n): the next true record start is after it. */
static io_status skip_lf(io_source *src, uint64_t *start, io_error *err)
{
    char c[2];
    ssize_t n = io_source_pread(src, c, 2, *start - 1, err);
    if (n < 0)
        return err->status;
    if (n == 2 && c[0] == '\r' && c[1] == '\n')
        (*start)++;
    return IO_OK;
}

io_status io_record_start_after(io_source *src, const io_csv_opts *o,
                                uint64_t at, unsigned state, uint64_t *start,
                                io_error *err)
{
    uint64_t size = io_source_size(src), found = 0;
    char *buf = malloc(SEEK_READ);
    io_scan s;
    if (buf == NULL)
        return io_fail(err, IO_ENOMEM, "%s: out of memory",
                       io_source_name(src));
    io_scan_init(&s, o, 1);
    s.state = (unsigned char)(state & 3);
    while (at < size && found == 0) {
        size_t want = size - at < SEEK_READ ? (size_t)(size - at) : SEEK_READ;
        ssize_t n = io_source_pread(src, buf, want, at, err);
        if (n < 0) {
            free(buf);
            return err->status;
        }
        if (n == 0) /* the file shrank: its end is the start */
            break;
        found = first_terminator(&s, buf, (size_t)n, at);
        at += (uint64_t)n;
    }
    free(buf);
    *start = found ? found : size;
    return found ? skip_lf(src, start, err) : IO_OK;
}
