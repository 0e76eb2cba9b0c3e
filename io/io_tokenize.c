/*
 * io_tokenize.c - one chunk of records into an io_batch of field spans.
 *
 * Each tokenizer owns one libcsv parser, set to keep spaces (pandas does
 * not trim fields). A chunk holds whole records, so it is parsed by one
 * csv_parse call and csv_fini, which also resets the parser for the next
 * chunk. The callbacks only copy: field bytes go to batch->bytes, which
 * never needs more than the chunk's length (reserved up front), and spans
 * to the row's slots. Index fields are dropped, short rows padded with
 * empty spans, and a row with more fields than the width is an error.
 *
 * One difference between libcsv and pandas is mended here, openly: a line
 * of only spaces and tabs is blank for pandas (skipped) but a one-field
 * row for libcsv. When libcsv ends a row whose only field is spaces and
 * tabs, the row's raw bytes are looked up; if they were not quoted, the
 * row is dropped. Look-ups walk on from the previous one, so together
 * they cost at most one pass over the chunk, and nothing without such
 * lines.
 */
#include "io.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_BLOCK ((size_t)64 << 10) /* libcsv's field buffer growth */
#define FIRST_ROWS  256

struct io_tokenizer {
    struct csv_parser parser;
    io_csv_opts opts;
    size_t nindex, ncols, width;
    char *name;
    /* the chunk being tokenized */
    const io_chunk *chunk;
    io_batch *batch;
    size_t field;     /* fields seen so far in the current row */
    size_t row_bytes; /* batch->nbytes when the current row began */
    int first_blank;  /* the row's first field is spaces and tabs only */
    size_t seek_off;  /* blank-line look-up: raw offset it stopped at */
    size_t seek_rows; /* and the batch rows before that offset */
    io_status failed; /* the first failure; callbacks then do nothing */
    size_t bad_row, bad_fields;
};

void io_batch_init(io_batch *b)
{
    memset(b, 0, sizeof *b);
}

void io_batch_free(io_batch *b)
{
    if (b == NULL)
        return;
    free(b->spans);
    free(b->bytes);
    io_batch_init(b);
}

static int grow_rows(io_batch *b)
{
    size_t cap = b->cap_rows ? 2 * b->cap_rows : FIRST_ROWS;
    size_t ncols = b->ncols > 0 ? b->ncols : 1;
    if (cap > SIZE_MAX / sizeof *b->spans / ncols)
        return -1;
    io_span *spans = realloc(b->spans, cap * ncols * sizeof *spans);
    if (spans == NULL)
        return -1;
    b->spans = spans;
    b->cap_rows = cap;
    return 0;
}

/* Empties the batch and reserves room for the fields of len chunk bytes
 * (libcsv never makes a field longer than its raw bytes) and one row. */
static int batch_prepare(io_batch *b, size_t ncols, size_t len)
{
    if (b->ncols != ncols) {
        free(b->spans);
        b->spans = NULL;
        b->cap_rows = 0;
        b->ncols = ncols;
    }
    b->nrows = 0;
    b->nbytes = 0;
    if (b->cap_rows == 0 && grow_rows(b) != 0)
        return -1;
    if (b->cap_bytes < len || b->bytes == NULL) {
        char *bytes = realloc(b->bytes, len > 0 ? len : 1);
        if (bytes == NULL)
            return -1;
        b->bytes = bytes;
        b->cap_bytes = len > 0 ? len : 1;
    }
    return 0;
}

static int keep_spaces(unsigned char c)
{
    (void)c;
    return 0;
}

io_status io_tokenizer_new(const io_csv_opts *o, const io_csv_header *h,
                           const char *name, io_tokenizer **out, io_error *err)
{
    if (!io_delim_ok(o->delim))
        return io_fail(err, IO_EPARSE, "%s: invalid delimiter", name);
    io_tokenizer *t = calloc(1, sizeof *t);
    if (t == NULL || (t->name = strdup(name)) == NULL) {
        free(t);
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    }
    csv_init(&t->parser, 0);
    csv_set_space_func(&t->parser, keep_spaces);
    csv_set_delim(&t->parser, (unsigned char)o->delim);
    csv_set_blk_size(&t->parser, FIELD_BLOCK);
    t->opts = *o;
    t->nindex = h->nindex;
    t->ncols = h->ncols;
    t->width = h->nindex + h->ncols;
    *out = t;
    return IO_OK;
}

void io_tokenizer_free(io_tokenizer *t)
{
    if (t == NULL)
        return;
    csv_free(&t->parser);
    free(t->name);
    free(t);
}

/* libcsv has just ended a row made of one field of spaces and tabs: were
 * its raw bytes unquoted (a blank line for pandas)? Rows between the last
 * look-up and this one are all real rows, so the walk skips that many
 * non-empty records (empty ones are the blank lines libcsv skips too). */
static int row_is_blank_line(io_tokenizer *t)
{
    const io_chunk *ch = t->chunk;
    size_t skip = t->batch->nrows - t->seek_rows, content;
    io_scan s;
    io_scan_init(&s, &t->opts, ch->line);
    for (;;) {
        size_t start = t->seek_off;
        if (!io_scan_next_record(&s, ch->data, ch->len, &t->seek_off, &content))
            return 0;
        if (content == 0)
            continue;
        if (skip > 0) {
            skip--;
            continue;
        }
        int blank =
            io_record_is_blank(ch->data + start, content, t->opts.delim);
        t->seek_rows = t->batch->nrows + !blank;
        return blank;
    }
}

static void on_field(void *field, size_t len, void *data)
{
    io_tokenizer *t = data;
    size_t j = t->field++;
    if (j == 0)
        t->first_blank =
            len > 0 && io_record_is_blank(field, len, t->opts.delim);
    if (j < t->nindex || j >= t->width || t->failed)
        return;
    io_batch *b = t->batch;
    io_span *span = &b->spans[b->nrows * b->ncols + (j - t->nindex)];
    span->off = (uint32_t)b->nbytes;
    span->len = (uint32_t)len;
    memcpy(b->bytes + b->nbytes, field, len);
    b->nbytes += len;
}

static void on_row(int terminator, void *data)
{
    io_tokenizer *t = data;
    io_batch *b = t->batch;
    size_t nfields = t->field;
    (void)terminator;
    t->field = 0;
    if (t->failed)
        return;
    if (nfields == 1 && t->first_blank && row_is_blank_line(t)) {
        b->nbytes = t->row_bytes;
        return;
    }
    if (nfields > t->width) {
        t->failed = IO_EPARSE;
        t->bad_row = b->nrows;
        t->bad_fields = nfields;
        return;
    }
    io_span *row = &b->spans[b->nrows * b->ncols];
    for (size_t j = nfields > t->nindex ? nfields - t->nindex : 0; j < b->ncols;
         j++)
        row[j] = (io_span){(uint32_t)b->nbytes, 0};
    b->nrows++;
    t->row_bytes = b->nbytes;
    if (b->nrows == b->cap_rows && grow_rows(b) != 0)
        t->failed = IO_ENOMEM;
}

static io_status report(const io_tokenizer *t, const io_chunk *chunk,
                        io_error *err)
{
    if (t->failed == IO_ENOMEM)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", t->name);
    uint64_t line = io_chunk_row_line(chunk, &t->opts, t->bad_row);
    return io_fail(err, IO_EPARSE, "%s:%llu: expected %zu fields, saw %zu",
                   t->name, (unsigned long long)line, t->width, t->bad_fields);
}

io_status io_tokenize(io_tokenizer *t, const io_chunk *chunk, io_batch *b,
                      io_error *err)
{
    if (chunk->len > UINT32_MAX)
        return io_fail(err, IO_EPARSE, "%s:%llu: record over 4 GiB", t->name,
                       (unsigned long long)chunk->line);
    if (batch_prepare(b, t->ncols, chunk->len) != 0)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", t->name);
    b->pos0 = chunk->offset;
    t->chunk = chunk;
    t->batch = b;
    t->field = t->row_bytes = t->seek_off = t->seek_rows = 0;
    t->failed = IO_OK;
    size_t used =
        csv_parse(&t->parser, chunk->data, chunk->len, on_field, on_row, t);
    if (used < chunk->len) { /* libcsv ran out of memory for a field */
        t->failed = IO_ENOMEM;
        csv_fini(&t->parser, NULL, NULL, NULL);
    } else {
        csv_fini(&t->parser, on_field, on_row, t);
    }
    t->chunk = NULL;
    t->batch = NULL;
    return t->failed != IO_OK ? report(t, chunk, err) : IO_OK;
}
