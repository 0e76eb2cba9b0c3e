/*
 * describe.c - the describe pipeline for one CSV file.
 *
 * Pass 1 streams the file as chunks of whole records (io_chunker reads
 * ahead asynchronously). OpenMP threads each take the next chunk, tokenize
 * it into a batch and feed every described column into the thread's own
 * partial summaries; at the end the partials are merged. Every merge is
 * associative and commutative, so the result does not depend on the thread
 * count, the chunk size or which thread took which chunk.
 *
 * read_csv decides a column's type over the whole column, so a column that
 * turns out to be text after numbers were seen (or whose integers fit no
 * integer dtype) needs its raw bytes: pass 2 reads the file again for those
 * columns only. Then each column is finished and the table is built.
 *
 * Errors are deterministic: the one in the earliest chunk wins, and inside
 * a chunk the one in the earliest row, whatever thread met it first.
 *
 * With a communicator, each process runs this pipeline on its own range
 * of records (csv_range.c) and the processes meet after each step: they
 * agree on its outcome (the failure at the smallest file offset wins), the
 * scalar state of the columns is reduced after each pass so that dtypes
 * and the text pass are decided globally, and the columns are finished
 * together (reduce.c). Positions are file offsets, global already.
 */
#include "engine.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ops_col *cols;          /* one partial per described column */
    unsigned char *skipped; /* pass 1 skipped this column's text, or
                               rewrote fields (thousands, bool words) */
    int chunk_utf8; /* the current chunk is valid UTF-8: 1, 0, -1 unknown */
    char *copy;     /* the chunk's writable copy (chunk_to_read) */
    size_t copy_cap;
    io_tokenizer *tok;
    io_batch batch;
    engine_bad bad; /* the rows this worker left out */
} engine_worker;

/* The first error of a parallel pass, by chunk then row. */
typedef struct {
    uint64_t seq; /* UINT64_MAX: no error */
    size_t row;
    uint64_t where; /* file offset of the chunk, for the processes to agree */
    dfsum_status status;
    char msg[ENGINE_MSG_MAX];
} engine_error;

typedef struct {
    dfsum *d;
    io_source *src;
    io_csv_opts opts;
    io_csv_header hdr;
    size_t nsel;
    size_t *sel;         /* header index of each described column */
    ops_col *cols;       /* the merged partials (from the first pass on) */
    unsigned char *redo; /* pass 2 reads this column as raw text */
    uint64_t start, end; /* this process's records */
    int threads;
    uint64_t done_bytes; /* progress of the current pass */
    /* describe() leaves object columns out when a numeric one exists (or
     * when the kinds asked for have no object), so then pass 1 stops
     * counting a column's text as soon as it is known to be text; pass 2
     * counts it only if needed. */
    int lazy_text;
    unsigned char *skipped;     /* the workers' skipped, or-ed */
    int any_numeric;            /* after pass 1: a column is numeric */
    engine_bad bad;             /* every process's, in file order */
    engine_words trues, falses; /* true_values, false_values */
    int simd; /* ops may read numbers with vector instructions (not under
                 DFSUM_SIMD=off, which keeps every path portable) */
} engine_run;

static void run_free(engine_run *run)
{
    for (size_t j = 0; run->cols && j < run->nsel; j++)
        ops_col_free(&run->cols[j]);
    free(run->cols);
    free(run->sel);
    free(run->redo);
    free(run->skipped);
    engine_words_free(&run->trues);
    engine_words_free(&run->falses);
    engine_bad_free(&run->bad);
    io_csv_header_free(&run->hdr);
    io_source_close(run->src);
}

/* Standard input is spooled by the process that reads it: the others
 * cannot see it. */
static dfsum_status refuse_shared_stdin(dfsum *d, const char *path)
{
    if (engine_nprocs(d) == 1 || strcmp(path, "-") != 0)
        return DFSUM_OK;
    return engine_fail(d, DFSUM_EUNSUPPORTED,
                       "<stdin>: standard input cannot be read by several "
                       "processes; give a file");
}

/* Why the decimal mark cannot go with the delimiter and quote. */
static dfsum_status decimal_refused(dfsum *d)
{
    char mark = d->decimal;
    if (mark == d->delim || mark == d->quote)
        return engine_fail(d, DFSUM_EINVAL,
                           "the decimal mark '%c' is also the %s", mark,
                           mark == d->delim ? "delimiter" : "quote character");
    return engine_fail(d, DFSUM_EINVAL,
                       "with the decimal mark '%c', '.' cannot be the %s", mark,
                       d->delim == '.' ? "delimiter" : "quote character");
}

static dfsum_status run_open(engine_run *run, const char *path)
{
    io_error err = {0};
    dfsum *d = run->d;
    dfsum_status st = refuse_shared_stdin(d, path);
    if (st != DFSUM_OK)
        return st;
    if (!engine_decimal_ok(d->decimal, d->delim, d->quote))
        return decimal_refused(d);
    if (d->thousands &&
        !engine_thousands_ok(d->thousands, d->decimal, d->delim, d->quote))
        return engine_fail(d, DFSUM_EINVAL,
                           "the thousands separator '%c' is also the %s",
                           d->thousands,
                           d->thousands == d->decimal ? "decimal mark"
                           : d->thousands == d->delim ? "delimiter"
                                                      : "quote character");
    if (engine_bool_words(d, &run->trues, &run->falses) != DFSUM_OK)
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    run->opts.delim = d->delim;
    run->opts.quote = d->quote;
    run->opts.parser = d->parser;
    run->opts.skip_bad = d->bad_lines != DFSUM_BAD_LINES_ERROR;
    run->opts.no_header = d->no_header;
    run->opts.encoding = d->encoding;
    run->opts.skip_rows = d->skip_rows;
    run->opts.limit_rows = d->nrows != UINT64_MAX;
    run->opts.nrows = d->nrows;
    if (engine_source_open(d, path, &run->src, &err) != IO_OK)
        st = engine_fail_io(d, &err);
    st = engine_agree(d, st, 0);
    if (st == DFSUM_OK)
        st = engine_csv_header(d, run->src, &run->opts, &run->hdr);
    if (st == DFSUM_OK)
        st = engine_csv_range(d, run->src, &run->opts, &run->hdr, &run->start,
                              &run->end);
    run->threads = d->threads > 0 ? d->threads : omp_get_max_threads();
    return st;
}

static const char *header_name(const void *hdr, size_t i)
{
    return ((const io_csv_header *)hdr)->names[i];
}

/* The header index of index column spec (a position when all digits, else
 * a name), or ncols with a message in d. A file with an implicit index
 * (its first row longer than the header) has an index already: position
 * 0 then names it, as in pandas (SIZE_MAX: nothing to take out); pandas'
 * other choices there move the data under the names, which dfsum does not
 * follow. */
static size_t index_column(engine_run *run, const char *spec)
{
    const io_csv_header *h = &run->hdr;
    const char *name = io_source_name(run->src);
    int position = *spec && strspn(spec, "0123456789") == strlen(spec);
    if (h->nindex > 0 && position && strtoull(spec, NULL, 10) == 0)
        return SIZE_MAX;
    if (h->nindex > 0) {
        engine_fail(run->d, DFSUM_EUNSUPPORTED,
                    "%s: --index-col %s with an implicit index (the first "
                    "row is longer than the header): only 0",
                    name, spec);
        return h->ncols;
    }
    if (position) {
        unsigned long long k = strtoull(spec, NULL, 10);
        if (k < h->ncols)
            return (size_t)k;
        engine_fail(run->d, DFSUM_ENOTFOUND,
                    "%s: no column at position %s (the file has %zu)", name,
                    spec, h->ncols);
        return h->ncols;
    }
    for (size_t k = 0; k < h->ncols; k++)
        if (strcmp(h->names[k], spec) == 0)
            return k;
    engine_fail(run->d, DFSUM_ENOTFOUND, "%s: no column named '%s'", name,
                spec);
    return h->ncols;
}

/* Takes the index columns (dfsum_set_index_columns) out of the selection;
 * one that --columns lists is an error. */
static dfsum_status drop_index_columns(engine_run *run)
{
    dfsum *d = run->d;
    if (d->n_index_cols == 0)
        return DFSUM_OK;
    unsigned char *index = calloc(run->hdr.ncols + 1, 1);
    if (!index)
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    dfsum_status st = DFSUM_OK;
    for (size_t i = 0; st == DFSUM_OK && i < d->n_index_cols; i++) {
        size_t k = index_column(run, d->index_cols[i]);
        if (k == run->hdr.ncols)
            st = DFSUM_ENOTFOUND;
        else if (k != SIZE_MAX)
            index[k] = 1;
    }
    size_t kept = 0;
    for (size_t j = 0; st == DFSUM_OK && j < run->nsel; j++) {
        if (!index[run->sel[j]])
            run->sel[kept++] = run->sel[j];
        else if (d->ncolumns)
            st = engine_fail(
                d, DFSUM_ENOTFOUND, "%s: column '%s' is an index column",
                io_source_name(run->src), run->hdr.names[run->sel[j]]);
    }
    if (st == DFSUM_OK && kept == 0 && run->nsel > 0)
        st = engine_fail(d, DFSUM_ENOTFOUND,
                         "%s: no column left to describe besides the index",
                         io_source_name(run->src));
    if (st == DFSUM_OK)
        run->nsel = kept;
    free(index);
    return st;
}

/* Maps the session's --columns (or all columns), less the index columns,
 * to header indices, and makes the partials. */
static dfsum_status run_select(engine_run *run)
{
    dfsum_status st =
        engine_pick_columns(run->d, io_source_name(run->src), run->hdr.ncols,
                            header_name, &run->hdr, &run->sel, &run->nsel);
    if (st == DFSUM_OK)
        st = drop_index_columns(run);
    if (st != DFSUM_OK)
        return st;
    /* run->cols come from the first pass (merge_workers) */
    run->redo = calloc(run->nsel + 1, 1);
    run->skipped = calloc(run->nsel + 1, 1);
    run->lazy_text = !engine_shows(run->d, OPS_DT_OBJECT, 1);
    run->simd = io_split_pick(IO_SIMD_AUTO)->kind != IO_SIMD_OFF;
    if (!run->redo || !run->skipped)
        return engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    return DFSUM_OK;
}

/* ---- errors ------------------------------------------------------------ */

/* Keeps the error if it comes before the one already recorded. */
static void error_offer(engine_error *e, uint64_t seq, uint64_t where,
                        size_t row, dfsum_status status, const char *msg)
{
#pragma omp critical(engine_error)
    {
        if (seq < e->seq || (seq == e->seq && row < e->row)) {
#pragma omp atomic write
            e->seq = seq;
            e->where = where;
            e->row = row;
            e->status = status;
            snprintf(e->msg, sizeof e->msg, "%s", msg);
        }
    }
}

static uint64_t error_seq(engine_error *e)
{
    uint64_t seq;
#pragma omp atomic read
    seq = e->seq;
    return seq;
}

/* The message of a failed ops_col_add at row `row` of a chunk. */
static void add_failed(engine_run *run, engine_error *e, int rc,
                       const io_chunk *chunk, const io_batch *batch, size_t row,
                       size_t j)
{
    char msg[ENGINE_MSG_MAX];
    if (rc != OPS_EUTF8) {
        error_offer(e, chunk->seq, chunk->offset, row, DFSUM_ENOMEM,
                    "out of memory");
        return;
    }
    uint64_t line = io_chunk_row_line(run->src, &run->opts, &run->hdr, chunk,
                                      io_batch_record(batch, row));
    snprintf(msg, sizeof msg, "%s:%llu: invalid UTF-8 in column '%s'",
             io_source_name(run->src), (unsigned long long)line,
             run->hdr.names[run->sel[j]]);
    error_offer(e, chunk->seq, chunk->offset, row, DFSUM_EPARSE, msg);
}

/* ---- the per-chunk work ------------------------------------------------ */

/* Whether the current chunk is valid UTF-8, checked once per chunk. Separators
 * and quotes are ASCII, which no multi-byte sequence holds, so a chunk
 * that is valid UTF-8 as a whole has only valid fields, libcsv's copies
 * (quotes removed) included: one fast check of the chunk spares the
 * field-by-field one (kept to find a bad field). */
static int chunk_is_utf8(engine_worker *w, const io_chunk *chunk)
{
    if (w->chunk_utf8 < 0)
        w->chunk_utf8 = ops_utf8_valid(chunk->data, chunk->len) != 0;
    return w->chunk_utf8;
}

/* Feeds rows [from, to) of one column to its partial. Returns the first
 * failing row (its code in *rc), or to. */
static size_t add_column(const engine_run *run, engine_worker *w,
                         const io_chunk *chunk, ops_col *c, size_t col,
                         size_t from, size_t to, int text, int *rc)
{
    const io_batch *b = &w->batch;
    ops_fields f = {
        .base = {b->base[0], b->base[1]},
        .spans = b->spans + from * b->ncols + col,
        .stride = b->ncols,
        .utf8_valid =
            w->chunk_utf8 == 1 || /* known (single-byte: always) */
            ((text || (c->saw & OPS_SAW_TEXT)) && chunk_is_utf8(w, chunk)),
        .size = {chunk->len, b->nbytes},
        .simd = run->simd};
    if (text)
        return from + ops_col_add_texts(c, &f, to - from, b->pos0 + from, rc);
    return from + ops_col_add_fields(c, &f, to - from, b->pos0 + from, rc);
}

/* A column known to be text whose values need not be counted: only the
 * check read_csv makes of every field (valid UTF-8) remains, and a valid
 * chunk spares it. */
static size_t check_column(engine_worker *w, const io_chunk *chunk, size_t col,
                           size_t from, size_t to, int *rc)
{
    const io_batch *b = &w->batch;
    if (chunk_is_utf8(w, chunk))
        return to;
    for (size_t r = from; r < to; r++) {
        size_t len;
        const char *s = io_batch_field(b, r, col, &len);
        if (!ops_utf8_valid(s, len)) {
            *rc = OPS_EUTF8;
            return r;
        }
    }
    return to;
}

/* Whether pass 1 may skip counting column j's values in this worker. */
static int skip_text(const engine_run *run, engine_worker *w, size_t j,
                     int pass)
{
    if (pass != 1 || !run->lazy_text || !(w->cols[j].saw & OPS_SAW_TEXT))
        return 0;
    w->skipped[j] = 1;
    return 1;
}

/* Rows fed column by column at a time: few enough that their fields and
 * spans stay in cache while every column walks them (a block of about
 * ENGINE_BLOCK_BYTES), at most ENGINE_ROW_BLOCK. */
#define ENGINE_ROW_BLOCK   2048
#define ENGINE_BLOCK_BYTES (96 * 1024)

static size_t rows_per_block(const io_chunk *chunk, const io_batch *b)
{
    if (b->nrows == 0)
        return ENGINE_ROW_BLOCK;
    size_t row_bytes = chunk->len / b->nrows + b->ncols * sizeof(io_span);
    size_t rows = ENGINE_BLOCK_BYTES / (row_bytes + 1);
    return rows < 16 ? 16 : rows > ENGINE_ROW_BLOCK ? ENGINE_ROW_BLOCK : rows;
}

/* Feeds a batch to a worker's partials, a block of rows at a time. After a
 * failure in row r, later columns are still scanned up to r so that the
 * earliest row is reported, whatever the column order. */
static void add_batch(engine_run *run, engine_worker *w, engine_error *e,
                      const io_chunk *chunk, int pass)
{
    size_t nrows = w->batch.nrows, step = rows_per_block(chunk, &w->batch);
    int failed = 0;
    /* a single-byte encoding has no invalid sequence (chunk_decodes) */
    w->chunk_utf8 = run->opts.encoding == IO_ENC_UTF8 ? -1 : 1;
    for (size_t from = 0; from < nrows && !failed; from += step) {
        size_t to = nrows - from < step ? nrows : from + step;
        for (size_t j = 0; j < run->nsel; j++) {
            if (pass == 2 && !run->redo[j])
                continue;
            int rc = 0;
            size_t bad =
                skip_text(run, w, j, pass)
                    ? check_column(w, chunk, run->sel[j], from, to, &rc)
                    : add_column(run, w, chunk, &w->cols[j], run->sel[j], from,
                                 to, pass == 2, &rc);
            if (bad < to) {
                add_failed(run, e, rc, chunk, &w->batch, bad, j);
                to = bad;
                failed = 1;
            }
        }
    }
}

/* The bytes the progress counts to: of a source still being decompressed,
 * a guess from the ratio so far (else its size, which the range ends
 * within), never below what is done. */
static uint64_t progress_total(engine_run *run)
{
    uint64_t guess = io_source_size_estimate(run->src);
    uint64_t end = guess < run->end ? guess : run->end;
    uint64_t total = end > run->start ? end - run->start : 0;
    return total > run->done_bytes ? total : run->done_bytes;
}

static void report_progress(engine_run *run, size_t bytes)
{
    dfsum *d = run->d;
    if (!d->progress)
        return;
#pragma omp critical(engine_progress)
    {
        run->done_bytes += bytes;
        d->progress(d->progress_ctx, run->done_bytes, progress_total(run));
    }
}

/* cp1252 leaves five bytes undefined and read_csv fails on them: the
 * first in a described field of the chunk (by row, then column) fails it.
 * Returns whether the chunk may go on. */
static int chunk_decodes(engine_run *run, engine_worker *w, engine_error *e,
                         const io_chunk *chunk)
{
    io_encoding enc = run->opts.encoding;
    const io_batch *b = &w->batch;
    if (io_encoding_invalid(enc, chunk->data, chunk->len) == chunk->len)
        return 1;
    for (size_t r = 0; r < b->nrows; r++)
        for (size_t j = 0; j < run->nsel; j++) {
            size_t len;
            const char *s = io_batch_field(b, r, run->sel[j], &len);
            size_t at = io_encoding_invalid(enc, s, len);
            if (at == len)
                continue;
            char msg[ENGINE_MSG_MAX];
            uint64_t line = io_chunk_row_line(run->src, &run->opts, &run->hdr,
                                              chunk, io_batch_record(b, r));
            snprintf(msg, sizeof msg,
                     "%s:%llu: invalid %s (byte 0x%02X) in column '%s'",
                     io_source_name(run->src), (unsigned long long)line,
                     io_encoding_name(enc), (unsigned)(unsigned char)s[at],
                     run->hdr.names[run->sel[j]]);
            error_offer(e, chunk->seq, chunk->offset, r, DFSUM_EPARSE, msg);
            return 0;
        }
    return 1;
}

/* The chunk to read: chunk itself, or under a decimal mark other than
 * '.' its copy with the two traded (decimal.c), or under a thousands
 * separator a copy whose fields may be rewritten (thousands.c); NULL out
 * of memory. */
static const io_chunk *chunk_to_read(const engine_run *run, engine_worker *w,
                                     const io_chunk *chunk, io_chunk *copy)
{
    char mark = run->d->decimal;
    if ((mark == '.' && !run->d->thousands) || chunk->len == 0)
        return chunk;
    if (w->copy_cap < chunk->len) {
        char *p = realloc(w->copy, chunk->len);
        if (p == NULL)
            return NULL;
        w->copy = p;
        w->copy_cap = chunk->len;
    }
    if (mark != '.')
        engine_decimal_swap(mark, chunk->data, w->copy, chunk->len);
    else
        memcpy(w->copy, chunk->data, chunk->len);
    *copy = *chunk;
    copy->data = w->copy;
    return copy;
}

/* The thousands separator as the copy writes it: a '.' is the decimal
 * mark's byte there. */
static char thousands_in_copy(const dfsum *d)
{
    return d->decimal != '.' && d->thousands == '.' ? d->decimal : d->thousands;
}

/* Field (r, col) under the read options that rewrite fields, in this
 * order (decimal.c, na_values.c, thousands.c, bool_values.c). Pass 2
 * counts text as the file writes it, so it drops no separator and makes
 * no bool word; in pass 1 a column where that happened is marked
 * (skipped) to be read again if it turns out text. 0, or -1 when out of
 * memory. */
static int read_option_field(engine_run *run, engine_worker *w, size_t r,
                             size_t j, int pass)
{
    const dfsum *d = run->d;
    io_batch *b = &w->batch;
    size_t col = run->sel[j], len;
    char *rw = w->copy ? io_batch_field_rw(b, w->copy, r, col, &len) : NULL;
    const char *s = io_batch_field(b, r, col, &len);
    if ((d->decimal != '.' && engine_decimal_fix(d->decimal, rw, len)) ||
        (d->n_na_text > 0 && engine_na_text(d, s, len))) {
        io_batch_shorten(b, r, col, 0);
        return 0;
    }
    if (pass != 1)
        return 0;
    int doubled = 0;
    size_t kept = d->thousands ? engine_thousands_drop(thousands_in_copy(d), rw,
                                                       len, &doubled)
                               : len;
    if (kept != len) {
        io_batch_shorten(b, r, col, kept);
        w->skipped[j] = 1;
        if (doubled)
            ops_col_saw_grouped_int(&w->cols[j]);
        return 0;
    }
    const char *word = engine_bool_word(&run->trues, &run->falses, s, len);
    if (word == NULL)
        return 0;
    w->skipped[j] = 1;
    return io_batch_put(b, r, col, word, strlen(word));
}

/* Every field of the batch's described columns under the read options
 * that rewrite fields (none given: nothing to do). */
static int apply_read_options(engine_run *run, engine_worker *w, int pass)
{
    const dfsum *d = run->d;
    int bools = run->trues.n > 0 || run->falses.n > 0;
    if (d->decimal == '.' && d->n_na_text == 0 &&
        (pass != 1 || (!d->thousands && !bools)))
        return 0;
    for (size_t r = 0; r < w->batch.nrows; r++)
        for (size_t j = 0; j < run->nsel; j++)
            if (read_option_field(run, w, r, j, pass) != 0)
                return -1;
    return 0;
}

/* Tokenizes, accumulates (chunk may be chunk_to_read's copy). */
static void read_chunk(engine_run *run, engine_worker *w, engine_error *e,
                       const io_chunk *chunk, int pass)
{
    io_error err = {0};
    io_status st = io_tokenize(w->tok, chunk, &w->batch, &err);
    /* a malformed record fails at its row: the rows before it are read
     * on, as one of them may hold an earlier fault (invalid text) */
    if (st != IO_OK)
        error_offer(e, chunk->seq, chunk->offset, w->batch.nrows,
                    engine_status_of_io(err.status), err.msg);
    if (st == IO_OK && pass == 1 &&
        engine_bad_keep(&w->bad, &w->batch, chunk->offset) != 0)
        error_offer(e, chunk->seq, chunk->offset, 0, DFSUM_ENOMEM,
                    "out of memory");
    else if ((st == IO_OK || st == IO_EPARSE) &&
             chunk_decodes(run, w, e, chunk)) {
        if (apply_read_options(run, w, pass) != 0)
            error_offer(e, chunk->seq, chunk->offset, 0, DFSUM_ENOMEM,
                        "out of memory");
        add_batch(run, w, e, chunk, pass);
    }
}

/* One chunk: read, release. Skipped when an earlier chunk already
 * failed. */
static void do_chunk(engine_run *run, engine_worker *w, engine_error *e,
                     io_chunker *chunker, io_chunk *chunk, int pass)
{
    if (chunk->seq < error_seq(e)) {
        io_chunk copy;
        const io_chunk *in = chunk_to_read(run, w, chunk, &copy);
        if (in != NULL)
            read_chunk(run, w, e, in, pass);
        else
            error_offer(e, chunk->seq, chunk->offset, 0, DFSUM_ENOMEM,
                        "out of memory");
    }
    report_progress(run, chunk->len);
    io_chunker_release(chunker, chunk);
}

/* The chunker only fails past every chunk it handed out (end of file
 * inside quotes, a read error), so its errors rank after theirs, here and
 * among processes (at the end of this one's range). */
#define CHUNKER_ERROR_SEQ (UINT64_MAX - 1)

/* A thread's loop: take chunks until the end or an error. */
static void worker_loop(engine_run *run, engine_worker *w, engine_error *e,
                        io_chunker *chunker, int pass)
{
    for (;;) {
        io_error err = {0};
        io_chunk chunk;
        int more = io_chunker_next(chunker, &chunk, &err);
        if (more < 0)
            error_offer(e, CHUNKER_ERROR_SEQ, run->end, 0,
                        engine_status_of_io(err.status), err.msg);
        if (more != 1)
            return;
        do_chunk(run, w, e, chunker, &chunk, pass);
    }
}

/* ---- workers ------------------------------------------------------------ */

static void workers_free(engine_run *run, engine_worker *w, int n)
{
    for (int i = 0; w && i < n; i++) {
        for (size_t j = 0; w[i].cols && j < run->nsel; j++)
            ops_col_free(&w[i].cols[j]);
        free(w[i].cols);
        free(w[i].skipped);
        free(w[i].copy);
        io_tokenizer_free(w[i].tok);
        io_batch_free(&w[i].batch);
        engine_bad_free(&w[i].bad);
    }
    free(w);
}

static engine_worker *workers_new(engine_run *run, int n, io_error *err)
{
    engine_worker *w = calloc((size_t)n, sizeof *w);
    for (int i = 0; w && i < n; i++) {
        io_batch_init(&w[i].batch);
        w[i].cols = calloc(run->nsel + 1, sizeof *w[i].cols);
        w[i].skipped = calloc(run->nsel + 1, 1);
        if (!w[i].cols || !w[i].skipped ||
            io_tokenizer_new(&run->opts, &run->hdr, run->src, &w[i].tok, err) !=
                IO_OK) {
            workers_free(run, w, i + 1);
            return NULL;
        }
        for (size_t j = 0; j < run->nsel; j++)
            ops_col_init(&w[i].cols[j]);
    }
    return w;
}

static ops_col *worker_cols(void *workers, int i)
{
    return ((engine_worker *)workers)[i].cols;
}

/* Merges every worker's partials into the run's. The first pass has no
 * run partials yet: the first worker's become them, which spares every
 * column a copy of its state (an exact accumulator of 4.7 KB: a table of
 * 20,000 columns held 98 MB more) and a merge. */
static dfsum_status merge_workers(engine_run *run, engine_worker *w, int n)
{
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < run->nsel; j++)
            run->skipped[j] |= w[i].skipped[j];
    int failed = 0; /* the bad lines, in file order */
    for (int i = 0; i < n; i++)
        failed |= engine_bad_take(&run->bad, &w[i].bad) != 0;
    if (failed || engine_bad_sort(&run->bad) != 0)
        return engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    int first = run->cols == NULL;
    if (first) {
        run->cols = w[0].cols;
        w[0].cols = NULL;
    }
    return engine_merge_partials(run->d, run->cols, run->nsel, n - first,
                                 worker_cols, w + first);
}

/* Streams every chunk of this process's range through T threads into the
 * partials. pass 1 classifies; pass 2 counts raw text of the redo columns.
 * *where: the file offset of a failure. */
static dfsum_status run_pass_here(engine_run *run, int pass, uint64_t *where)
{
    io_error err = {.status = IO_ENOMEM, .msg = "out of memory"};
    engine_error e = {.seq = UINT64_MAX};
    io_chunker *chunker = NULL;
    int n = run->threads;
    engine_worker *w = workers_new(run, n, &err);
    *where = run->start;
    if (!w || io_chunker_open_range(run->src, &run->opts, run->start, run->end,
                                    run->d->chunk_size, (unsigned)(2 * n + 2),
                                    &chunker, &err) != IO_OK) {
        workers_free(run, w, w ? n : 0);
        return engine_fail_io(run->d, &err);
    }
    run->done_bytes = 0;
#pragma omp parallel num_threads(n)
    worker_loop(run, &w[omp_get_thread_num()], &e, chunker, pass);
    io_chunker_close(chunker);
    if (e.seq != UINT64_MAX)
        *where = e.where;
    dfsum_status st = e.seq == UINT64_MAX
                          ? merge_workers(run, w, n)
                          : engine_fail(run->d, e.status, "%s", e.msg);
    workers_free(run, w, n);
    return st;
}

/* A pass on every process; they go on only if all of them succeeded. */
static dfsum_status run_pass(engine_run *run, int pass)
{
    uint64_t where;
    dfsum_status st = run_pass_here(run, pass, &where);
    return engine_agree(run->d, st, where);
}

/* Some column partials of the run, side by side (the reduce steps take
 * arrays): copied out by subset_take and back by subset_put, or, when
 * every column is picked, the run's own array (a copy of each column's
 * state is 4.7 KB, which a table of very many columns feels). */
typedef struct {
    ops_col *cols;
    engine_column *ec;
    size_t n;
    int whole; /* cols is run->cols */
} col_subset;

/* The columns j with pick[j] == want. */
static dfsum_status subset_take(engine_run *run, const unsigned char *pick,
                                int want, col_subset *s)
{
    size_t picked = 0;
    for (size_t j = 0; j < run->nsel; j++)
        picked += (pick[j] != 0) == want;
    s->n = 0;
    s->whole = picked == run->nsel;
    s->cols = s->whole ? run->cols : malloc((run->nsel + 1) * sizeof *s->cols);
    s->ec = calloc(run->nsel + 1, sizeof *s->ec);
    dfsum_status st = s->cols && s->ec
                          ? DFSUM_OK
                          : engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    if (s->whole)
        s->n = st == DFSUM_OK ? run->nsel : 0;
    for (size_t j = 0; st == DFSUM_OK && !s->whole && j < run->nsel; j++)
        if ((pick[j] != 0) == want)
            s->cols[s->n++] = run->cols[j];
    return engine_agree(run->d, st, 0);
}

/* Puts the partials back; the summaries go to ec (when not NULL). */
static void subset_put(engine_run *run, const unsigned char *pick, int want,
                       col_subset *s, engine_column *ec)
{
    for (size_t j = 0, k = 0; k < s->n && j < run->nsel; j++) {
        if ((pick[j] != 0) != want)
            continue;
        if (!s->whole)
            run->cols[j] = s->cols[k];
        if (ec && s->ec)
            ec[j].sum = s->ec[k].sum;
        k++;
    }
    if (!s->whole)
        free(s->cols);
    free(s->ec);
}

/* Makes the scalar state of the redo columns global after pass 2. */
static dfsum_status reduce_redo(engine_run *run)
{
    col_subset s;
    dfsum_status st = subset_take(run, run->redo, 1, &s);
    if (st == DFSUM_OK)
        st = engine_reduce_flats(run->d, s.cols, s.n);
    subset_put(run, run->redo, 1, &s, NULL);
    return st;
}

/* Whether some process skipped the text of a column (pass 1): the others
 * must know, for every process to plan the same pass 2. */
static void share_skipped(engine_run *run)
{
    if (run->d->comm == MPI_COMM_NULL || run->nsel == 0)
        return;
    MPI_Allreduce(MPI_IN_PLACE, run->skipped, (int)run->nsel, MPI_UNSIGNED_CHAR,
                  MPI_BOR, run->d->comm);
}

static int is_numeric(ops_dtype dt)
{
    return dt == OPS_DT_INT64 || dt == OPS_DT_UINT64 || dt == OPS_DT_FLOAT64;
}

/* Whether column j's text must be counted (again) in pass 2: its table is
 * incomplete and the table will show it. */
static int needs_text(const engine_run *run, size_t j, int any_numeric)
{
    const ops_col *c = &run->cols[j];
    if (run->lazy_text && !engine_shows(run->d, OPS_DT_OBJECT, any_numeric))
        return 0; /* object columns are left out of the table */
    /* skipped: pass 1 counted its text, if any, not as written (a column
     * of bools and missing values has none) */
    return ops_col_needs_text_pass(c) ||
           (run->skipped[j] && ops_col_dtype(c) == OPS_DT_OBJECT &&
            !ops_col_only_bools(c));
}

/* Marks the columns that need raw text and resets their partials.
 * Returns how many. */
static size_t plan_text_pass(engine_run *run)
{
    size_t n = 0;
    int any_numeric = 0;
    for (size_t j = 0; j < run->nsel; j++)
        any_numeric |= is_numeric(ops_col_dtype(&run->cols[j]));
    run->any_numeric = any_numeric;
    for (size_t j = 0; j < run->nsel; j++) {
        run->redo[j] = needs_text(run, j, any_numeric);
        if (!run->redo[j])
            continue;
        ops_col_free(&run->cols[j]);
        ops_col_init(&run->cols[j]);
        n++;
    }
    return n;
}

/* An object column the table leaves out (its text may be incomplete). */
static int left_out(const engine_run *run, size_t j)
{
    return run->lazy_text &&
           !engine_shows(run->d, OPS_DT_OBJECT, run->any_numeric) &&
           ops_col_dtype(&run->cols[j]) == OPS_DT_OBJECT;
}

/* The top values as the file writes them (the decimal mark traded back,
 * decimal.c), and in UTF-8, as the table shows text, when the file is in
 * a single-byte encoding. */
static int tops_as_written(const engine_run *run, engine_column *ec)
{
    for (size_t j = 0; j < run->nsel; j++) {
        ops_summary *s = &ec[j].sum;
        if (s->top == NULL)
            continue;
        engine_decimal_top(run->d->decimal, s->top, s->top_len);
        if (run->opts.encoding == IO_ENC_UTF8)
            continue;
        size_t len;
        char *utf8 =
            io_encoding_to_utf8(run->opts.encoding, s->top, s->top_len, &len);
        if (utf8 == NULL)
            return -1;
        free(s->top);
        s->top = utf8;
        s->top_len = len;
    }
    return 0;
}

/* Finishes the columns the table shows (together with the other
 * processes) and builds the table, the same on every process. */
static dfsum_status run_finish(engine_run *run, uint64_t nbad,
                               dfsum_result **out)
{
    engine_column *ec = calloc(run->nsel + 1, sizeof *ec);
    unsigned char *omit = calloc(run->nsel + 1, 1);
    col_subset s = {0};
    dfsum_status st = engine_agree(
        run->d,
        ec && omit ? DFSUM_OK
                   : engine_fail(run->d, DFSUM_ENOMEM, "out of memory"),
        0);
    for (size_t j = 0; st == DFSUM_OK && j < run->nsel; j++) {
        ec[j].name = run->hdr.names[run->sel[j]];
        omit[j] = (unsigned char)left_out(run, j);
        if (omit[j])
            ec[j].sum = (ops_summary){.dtype = OPS_DT_OBJECT};
    }
    if (st == DFSUM_OK && (st = subset_take(run, omit, 0, &s)) == DFSUM_OK) {
        for (size_t k = 0; k < s.n; k++)
            ops_col_set_na_floats(&s.cols[k], run->d->na_num, run->d->n_na_num);
        st = engine_finish_reduced(run->d, s.cols, s.n, s.ec);
    }
    subset_put(run, omit, 0, &s, ec);
    if (st == DFSUM_OK && tops_as_written(run, ec) != 0)
        st = engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    if (st == DFSUM_OK)
        st = engine_result_build(run->d, io_source_name(run->src), ec,
                                 run->nsel, out);
    if (st == DFSUM_OK) {
        engine_result_set_bad_lines(*out, nbad);
        st = run->d->bad_lines == DFSUM_BAD_LINES_WARN
                 ? engine_bad_note(run->d, run->src, &run->opts, &run->hdr,
                                   &run->bad, *out)
                 : DFSUM_OK;
        if (st != DFSUM_OK) {
            dfsum_result_free(*out);
            *out = NULL;
        }
    }
    for (size_t j = 0; ec && j < run->nsel; j++)
        ops_summary_free(&ec[j].sum);
    free(ec);
    free(omit);
    return st;
}

dfsum_status engine_describe_csv(dfsum *d, const char *path, dfsum_result **out)
{
    engine_run run = {.d = d};
    dfsum_status st;
    if (!d || !path || !out)
        return d ? engine_fail(d, DFSUM_EINVAL, "missing argument")
                 : DFSUM_EINVAL;
    d->errmsg[0] = '\0';
    st = run_open(&run, path);
    if (st == DFSUM_OK)
        st = engine_agree(d, run_select(&run), 0);
    uint64_t nbad = 0;
    if (st == DFSUM_OK)
        st = run_pass(&run, 1);
    if (st == DFSUM_OK)
        st = engine_bad_share(d, io_source_name(run.src), &run.bad, &nbad);
    if (st == DFSUM_OK)
        st = engine_reduce_flats(d, run.cols, run.nsel);
    if (st == DFSUM_OK)
        share_skipped(&run);
    size_t nredo = st == DFSUM_OK ? plan_text_pass(&run) : 0;
    if (nredo > 0)
        st = run_pass(&run, 2);
    if (st == DFSUM_OK && nredo > 0)
        st = reduce_redo(&run);
    if (st == DFSUM_OK)
        st = run_finish(&run, nbad, out);
    run_free(&run);
    return st;
}
