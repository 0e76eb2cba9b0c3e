/*
 * io_rowline.c - the physical line of a row, for error messages.
 *
 * Chunks carry no line numbers (counting lines would slow down the one
 * sequential step of the reader), so the line of a row is found again
 * when a message needs it: the file is rescanned from the start of the
 * data (whose line the header reader knows) to the chunk, then the chunk
 * record by record, with the same scanner (io_scan) that cut the chunks,
 * so that both agree on every line end, quoted or not.
 */
#include "io.h"

#include <stdlib.h>

#define RESCAN_READ ((size_t)64 << 10)

/* Scans the file bytes [from, to); stops early on a read error (the line
 * is then a best guess, in a message about something else). */
static void scan_file(io_source *src, io_scan *s, uint64_t from, uint64_t to)
{
    char *buf = malloc(RESCAN_READ);
    io_error err;
    while (buf != NULL && from < to) {
        size_t want =
            to - from < RESCAN_READ ? (size_t)(to - from) : RESCAN_READ;
        ssize_t n = io_source_pread(src, buf, want, from, &err);
        if (n <= 0)
            break;
        size_t edge;
        uint64_t edge_line;
        io_scan_edges(s, buf, (size_t)n, &edge, &edge_line);
        from += (uint64_t)n;
    }
    free(buf);
}

/* Rows are the records that are not blank, counted from the chunk start;
 * past the last row this returns the line at the end of the chunk. */
uint64_t io_chunk_row_line(io_source *src, const io_csv_opts *o,
                           const io_csv_header *h, const io_chunk *chunk,
                           size_t row)
{
    io_scan s;
    io_scan_init(&s, o, h->data_line);
    if (chunk->offset > h->data_start)
        scan_file(src, &s, h->data_start, chunk->offset);
    /* A chunk starts a record: restart the quote state there, keeping the
     * line (and whether a \n there would end a \r\n). */
    unsigned char after_cr = s.after_cr;
    io_scan_init(&s, o, s.line);
    s.after_cr = after_cr;
    size_t off = 0, content;
    for (;;) {
        size_t start = off;
        uint64_t line = s.line;
        if (!io_scan_next_record(&s, chunk->data, chunk->len, &off, &content))
            return line;
        if (io_record_is_blank(chunk->data + start, content, o->delim))
            continue;
        if (row-- == 0)
            return line;
    }
}

void io_record_lines(io_source *src, const io_csv_opts *o,
                     const io_csv_header *h, const uint64_t *offs, size_t n,
                     uint64_t *lines)
{
    io_scan s;
    uint64_t at = h->data_start;
    io_scan_init(&s, o, h->data_line);
    for (size_t i = 0; i < n; i++) {
        if (offs[i] > at)
            scan_file(src, &s, at, offs[i]);
        at = offs[i] > at ? offs[i] : at;
        lines[i] = s.line;
    }
}
