/*
 * io_tokenize.c - one chunk of records into an io_batch of field spans.
 *
 * Two paths give the same batch. IO_PARSER_AUTO (the default) lets the
 * fast splitter (io_split.c) take every record without a quote byte and
 * point spans straight into the chunk; each run of records that hold a
 * quote comes back here and goes through libcsv in one csv_parse call and
 * csv_fini. IO_PARSER_LIBCSV sends the whole chunk through libcsv, the
 * referee. libcsv is set to keep spaces (pandas does not trim fields); its
 * callbacks copy each field into batch->bytes (a quoted field loses its
 * quotes) and write the spans. Index fields are dropped, short rows padded
 * with empty spans, and a row with more fields than the width is an error
 * (or, under skip_bad, listed in the batch with where it starts, and left
 * out).
 *
 * One difference between libcsv and pandas is mended here, openly: a line
 * of only spaces and tabs is blank for pandas (skipped) but a one-field
 * row for libcsv. When libcsv ends a row whose only field is spaces and
 * tabs, the row's raw bytes are looked up; if they were not quoted, the
 * row is dropped. Look-ups walk on from the previous one, so together
 * they cost at most one pass over the chunk, and nothing without such
 * lines. The AUTO path needs no look-up: it hands libcsv only records that
 * hold a quote byte, and such a record is never blank.
 *
 * libcsv reads a NUL byte as text; pandas-minded users expect an error,
 * so a NUL byte fails its row (found by the splitter's bitmaps, or by one
 * memchr on the libcsv path).
 */
#include "io.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_BLOCK ((size_t)64 << 10) /* libcsv's field buffer growth */
#define FIRST_ROWS  256
#define CHUNK_MAX   ((size_t)INT32_MAX) /* a span's len keeps bit 31 */

struct io_tokenizer {
    struct csv_parser parser;
    io_csv_opts opts;
    io_csv_header hdr; /* without names: for io_chunk_row_line */
    io_source *src;
    size_t nindex, ncols, width;
    const io_split_kernels *kernels;
    /* the chunk being tokenized */
    const io_chunk *chunk;
    io_batch *batch;
    io_split_job job; /* also holds the bad row, whichever path found it */
    int look_up;      /* whether blank-looking rows need the raw look-up */
    size_t field;     /* fields seen so far in the current row */
    size_t row_bytes; /* batch->nbytes when the current row began */
    int first_blank;  /* the row's first field is spaces and tabs only */
    size_t seek_off;  /* blank-line look-up: raw offset it stopped at */
    size_t seek_rows; /* and the batch's records before that offset */
    /* the libcsv range being parsed, for the start of a long record */
    size_t range_end;  /* where the range ends in the chunk */
    size_t range_recs; /* its records so far (rows and left-out ones) */
    size_t walk_off;   /* record walk: the offset it stopped at */
    size_t walk_recs;  /* and the range's non-blank records before it */
    io_status failed;  /* the first failure; callbacks then do nothing */
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
    free(b->skips);
    io_batch_init(b);
}

int io_batch_skip(io_batch *b, size_t off, size_t nfields)
{
    if (b->nskips == b->cap_skips) {
        size_t cap = b->cap_skips ? 2 * b->cap_skips : 16;
        io_skipped *s = realloc(b->skips, cap * sizeof *s);
        if (s == NULL)
            return -1;
        b->skips = s;
        b->cap_skips = cap;
    }
    b->skips[b->nskips++] = (io_skipped){off, b->nrows, nfields};
    return 0;
}

size_t io_batch_record(const io_batch *b, size_t row)
{
    size_t before = 0;
    while (before < b->nskips && b->skips[before].row <= row)
        before++;
    return row + before;
}

int io_batch_grow_rows(io_batch *b)
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

/* Room for n bytes of field copies. Spans hold offsets, so the bytes may
 * move. */
static int reserve_bytes(io_batch *b, size_t n)
{
    if (b->cap_bytes >= n && b->bytes != NULL)
        return 0;
    size_t cap = b->cap_bytes * 2 > n ? b->cap_bytes * 2 : n;
    char *bytes = realloc(b->bytes, cap > 0 ? cap : 1);
    if (bytes == NULL)
        return -1;
    b->bytes = bytes;
    b->cap_bytes = cap > 0 ? cap : 1;
    return 0;
}

int io_batch_put(io_batch *b, size_t row, size_t col, const char *s, size_t n)
{
    if (n > IO_SPAN_OWN - 1 - b->nbytes || reserve_bytes(b, b->nbytes + n))
        return -1;
    memcpy(b->bytes + b->nbytes, s, n);
    b->spans[row * b->ncols + col] =
        (io_span){(uint32_t)b->nbytes, (uint32_t)n | IO_SPAN_OWN};
    b->nbytes += n;
    b->base[1] = b->bytes;
    return 0;
}

/* Empties the batch, keeping room for one row at least. */
static int batch_prepare(io_batch *b, size_t ncols)
{
    if (b->ncols != ncols) {
        free(b->spans);
        b->spans = NULL;
        b->cap_rows = 0;
        b->ncols = ncols;
    }
    b->nrows = 0;
    b->nbytes = 0;
    b->nskips = 0;
    return b->cap_rows == 0 ? io_batch_grow_rows(b) : 0;
}

static int keep_spaces(unsigned char c)
{
    (void)c;
    return 0;
}

io_status io_tokenizer_new(const io_csv_opts *o, const io_csv_header *h,
                           io_source *src, io_tokenizer **out, io_error *err)
{
    const char *name = io_source_name(src);
    if (!io_dialect_ok(o))
        return io_fail(err, IO_EPARSE, "%s: invalid delimiter", name);
    io_tokenizer *t = calloc(1, sizeof *t);
    if (t == NULL)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    csv_init(&t->parser, 0);
    csv_set_space_func(&t->parser, keep_spaces);
    csv_set_delim(&t->parser, (unsigned char)o->delim);
    csv_set_quote(&t->parser, (unsigned char)io_quote_of(o));
    csv_set_blk_size(&t->parser, FIELD_BLOCK);
    t->opts = *o;
    t->hdr = *h;
    t->hdr.names = NULL;
    t->src = src;
    t->nindex = h->nindex;
    t->ncols = h->ncols;
    t->width = h->nindex + h->ncols;
    t->kernels = io_split_pick(IO_SIMD_AUTO);
    *out = t;
    return IO_OK;
}

io_simd io_tokenizer_set_simd(io_tokenizer *t, io_simd want)
{
    t->kernels = io_split_pick(want);
    return t->kernels->kind;
}

void io_tokenizer_free(io_tokenizer *t)
{
    if (t == NULL)
        return;
    csv_free(&t->parser);
    free(t);
}

/* The batch's records so far: its rows and the ones left out. */
static size_t batch_records(const io_batch *b)
{
    return b->nrows + b->nskips;
}

/* libcsv has just ended a row made of one field of spaces and tabs: were
 * its raw bytes unquoted (a blank line for pandas)? Rows between the last
 * look-up and this one are all real rows, so the walk skips that many
 * non-empty records (empty ones are the blank lines libcsv skips too). */
static int row_is_blank_line(io_tokenizer *t)
{
    const io_chunk *ch = t->chunk;
    size_t skip = batch_records(t->batch) - t->seek_rows, content;
    io_scan s;
    io_scan_init(&s, &t->opts, 1);
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
        t->seek_rows = batch_records(t->batch) + !blank;
        return blank;
    }
}

/* Where the record libcsv has just ended starts: the range's record
 * number range_recs among its non-blank ones. The walk goes on from the
 * previous look-up, so together they cost at most one pass over the
 * range, and nothing in a file without long records. */
static size_t long_record_start(io_tokenizer *t)
{
    const char *p = t->chunk->data;
    io_scan s;
    io_scan_init(&s, &t->opts, 1);
    for (;;) {
        size_t start = t->walk_off, content;
        if (!io_scan_next_record(&s, p, t->range_end, &t->walk_off, &content))
            return start; /* not reached: libcsv has ended a record */
        if (content == 0 ||
            io_record_is_blank(p + start, content, t->opts.delim))
            continue;
        if (t->walk_recs++ == t->range_recs)
            return start;
    }
}

/* A row with more fields than the width: listed and left out under
 * skip_bad, else the chunk's failure. */
static void long_row(io_tokenizer *t, size_t nfields)
{
    io_batch *b = t->batch;
    if (!t->opts.skip_bad) {
        t->failed = IO_EPARSE;
        t->job.bad_row = b->nrows;
        t->job.bad_fields = nfields;
        return;
    }
    b->nbytes = t->row_bytes;
    if (io_batch_skip(b, long_record_start(t), nfields) != 0)
        t->failed = IO_ENOMEM;
    t->range_recs++;
}

static void on_field(void *field, size_t len, void *data)
{
    io_tokenizer *t = data;
    size_t j = t->field++;
    if (j == 0 && t->look_up)
        t->first_blank =
            len > 0 && io_record_is_blank(field, len, t->opts.delim);
    if (j < t->nindex || j >= t->width || t->failed)
        return;
    io_batch *b = t->batch;
    io_span *span = &b->spans[b->nrows * b->ncols + (j - t->nindex)];
    span->off = (uint32_t)b->nbytes;
    span->len = (uint32_t)len | IO_SPAN_OWN;
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
    if (nfields == 1 && t->first_blank && t->look_up && row_is_blank_line(t)) {
        b->nbytes = t->row_bytes;
        return;
    }
    if (nfields > t->width) {
        long_row(t, nfields);
        return;
    }
    io_span *row = &b->spans[b->nrows * b->ncols];
    for (size_t j = nfields > t->nindex ? nfields - t->nindex : 0; j < b->ncols;
         j++)
        row[j] = (io_span){0, 0};
    b->nrows++;
    t->range_recs++;
    t->row_bytes = b->nbytes;
    if (b->nrows == b->cap_rows && io_batch_grow_rows(b) != 0)
        t->failed = IO_ENOMEM;
}

/* Appends the rows of chunk bytes [start, end) by libcsv; room for their
 * field bytes must be reserved. */
static io_status parse_range(io_tokenizer *t, size_t start, size_t end)
{
    const char *p = t->chunk->data + start;
    t->field = 0;
    t->row_bytes = t->batch->nbytes;
    t->failed = IO_OK;
    t->range_end = end;
    t->range_recs = t->walk_recs = 0;
    t->walk_off = start;
    size_t used = csv_parse(&t->parser, p, end - start, on_field, on_row, t);
    if (used < end - start) { /* libcsv ran out of memory for a field */
        t->failed = IO_ENOMEM;
        csv_fini(&t->parser, NULL, NULL, NULL);
    } else {
        csv_fini(&t->parser, on_field, on_row, t);
    }
    return t->failed;
}

/* The splitter's hand-back: a run of records that hold quotes. */
static io_status parse_run(void *ctx, size_t start, size_t end)
{
    io_tokenizer *t = ctx;
    if (reserve_bytes(t->batch, t->batch->nbytes + (end - start)) != 0)
        return IO_ENOMEM;
    return parse_range(t, start, end);
}

static io_status tokenize_auto(io_tokenizer *t)
{
    io_split_job *j = &t->job;
    j->data = t->chunk->data;
    j->len = t->chunk->len;
    j->delim = t->opts.delim;
    j->quote = io_quote_of(&t->opts);
    j->nindex = t->nindex;
    j->width = t->width;
    j->skip_bad = t->opts.skip_bad;
    j->b = t->batch;
    j->quoted = parse_run;
    j->ctx = t;
    t->look_up = 0;
    return io_split(j, t->kernels);
}

/* The start of the record that holds byte at. */
static size_t record_start(const io_tokenizer *t, size_t at)
{
    io_scan s;
    size_t off = 0, start = 0, content;
    io_scan_init(&s, &t->opts, 1);
    while (off <= at) {
        start = off;
        io_scan_next_record(&s, t->chunk->data, t->chunk->len, &off, &content);
    }
    return start;
}

/* Everything through libcsv; a NUL byte ends the bytes it gets, at the
 * start of the record holding it. */
static io_status tokenize_libcsv(io_tokenizer *t)
{
    const io_chunk *ch = t->chunk;
    const char *nul = ch->len > 0 ? memchr(ch->data, 0, ch->len) : NULL;
    size_t end = nul ? record_start(t, (size_t)(nul - ch->data)) : ch->len;
    if (reserve_bytes(t->batch, end) != 0)
        return IO_ENOMEM;
    t->look_up = 1;
    t->seek_off = t->seek_rows = 0;
    io_status st = parse_range(t, 0, end);
    if (st != IO_OK || nul == NULL)
        return st;
    t->job.bad_row = t->batch->nrows;
    t->job.bad_fields = 0;
    t->job.nul_rec = end;
    t->job.nul = (size_t)(nul - ch->data);
    return IO_EPARSE;
}

/* Physical lines that end in p[0, n): every \r, every \n not after one. */
static uint64_t lines_in(const char *p, size_t n)
{
    uint64_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += p[i] == '\r' || (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'));
    return lines;
}

static io_status report(const io_tokenizer *t, io_status st,
                        const io_chunk *chunk, const io_batch *b, io_error *err)
{
    const char *name = io_source_name(t->src);
    const io_split_job *j = &t->job;
    if (st == IO_ENOMEM)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    uint64_t line = io_chunk_row_line(t->src, &t->opts, &t->hdr, chunk,
                                      io_batch_record(b, j->bad_row));
    if (j->bad_fields == 0)
        return io_fail(
            err, IO_EPARSE, "%s:%llu: binary data (NUL byte), not a CSV file",
            name,
            (unsigned long long)(line + lines_in(chunk->data + j->nul_rec,
                                                 j->nul - j->nul_rec)));
    return io_fail(err, IO_EPARSE, "%s:%llu: expected %zu fields, saw %zu",
                   name, (unsigned long long)line, t->width, j->bad_fields);
}

io_status io_tokenize(io_tokenizer *t, const io_chunk *chunk, io_batch *b,
                      io_error *err)
{
    if (batch_prepare(b, t->ncols) != 0)
        return io_fail(err, IO_ENOMEM, "%s: out of memory",
                       io_source_name(t->src));
    if (chunk->len > CHUNK_MAX)
        return io_fail(err, IO_EPARSE, "%s:%llu: record over 2 GiB",
                       io_source_name(t->src),
                       (unsigned long long)io_chunk_row_line(
                           t->src, &t->opts, &t->hdr, chunk, 0));
    b->pos0 = chunk->offset;
    t->chunk = chunk;
    t->batch = b;
    io_status st = t->opts.parser == IO_PARSER_LIBCSV ? tokenize_libcsv(t)
                                                      : tokenize_auto(t);
    b->base[0] = chunk->data != NULL ? chunk->data : "";
    b->base[1] = b->bytes != NULL ? b->bytes : "";
    t->chunk = NULL;
    t->batch = NULL;
    return st != IO_OK ? report(t, st, chunk, b, err) : IO_OK;
}
