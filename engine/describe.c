/*
 * describe.c - the describe pipeline for one CSV file.
 *
 * Pass 1 streams the file chunk by chunk (edges on record starts), turns
 * each chunk into a batch of field spans and feeds every described column's
 * partial summary. read_csv decides a column's type over the whole column,
 * so a column that turns out to be text after numbers were seen (or whose
 * integers do not fit any integer dtype) needs its raw bytes: pass 2 reads
 * the file again for those columns only. Then each column is finished and
 * the describe() table is built.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    dfsum *d;
    io_source *src;
    io_csv_opts opts;
    io_csv_header hdr;
    size_t nsel;
    size_t *sel;         /* header index of each described column */
    ops_col *cols;       /* one partial per described column */
    unsigned char *redo; /* pass 2 reads this column as raw text */
} engine_run;

static void run_free(engine_run *run)
{
    for (size_t j = 0; run->cols && j < run->nsel; j++)
        ops_col_free(&run->cols[j]);
    free(run->cols);
    free(run->sel);
    free(run->redo);
    io_csv_header_free(&run->hdr);
    io_source_close(run->src);
}

static dfsum_status run_open(engine_run *run, const char *path)
{
    io_error err = {0};
    run->opts.delim = run->d->delim;
    if (io_source_open(path, &run->src, &err) != IO_OK)
        return engine_fail_io(run->d, &err);
    if (io_csv_read_header(run->src, &run->opts, &run->hdr, &err) != IO_OK)
        return engine_fail_io(run->d, &err);
    return DFSUM_OK;
}

static size_t find_name(const io_csv_header *h, const char *name)
{
    for (size_t i = 0; i < h->ncols; i++)
        if (strcmp(h->names[i], name) == 0)
            return i;
    return (size_t)-1;
}

/* Maps the session's --columns (or all columns) to header indices. */
static dfsum_status run_select(engine_run *run)
{
    const dfsum *d = run->d;
    run->nsel = d->ncolumns ? d->ncolumns : run->hdr.ncols;
    run->sel = calloc(run->nsel + 1, sizeof *run->sel);
    run->cols = calloc(run->nsel + 1, sizeof *run->cols);
    run->redo = calloc(run->nsel + 1, 1);
    if (!run->sel || !run->cols || !run->redo)
        return engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    for (size_t j = 0; j < run->nsel; j++) {
        run->sel[j] = d->ncolumns ? find_name(&run->hdr, d->columns[j]) : j;
        if (run->sel[j] == (size_t)-1)
            return engine_fail(run->d, DFSUM_ENOTFOUND,
                               "%s: no column named '%s'",
                               io_source_name(run->src), d->columns[j]);
        ops_col_init(&run->cols[j]);
    }
    return DFSUM_OK;
}

/* Reports a failed ops_col_add at row `row` of the chunk. */
static dfsum_status add_failed(engine_run *run, int rc, const io_chunk *chunk,
                               size_t row, size_t j)
{
    if (rc != OPS_EUTF8)
        return engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    return engine_fail(
        run->d, DFSUM_EPARSE, "%s:%llu: invalid UTF-8 in column '%s'",
        io_source_name(run->src),
        (unsigned long long)io_chunk_row_line(chunk, &run->opts, row),
        run->hdr.names[run->sel[j]]);
}

/* Feeds one column of a batch to its partial. text: pass-2 raw text. */
static dfsum_status add_column(engine_run *run, const io_chunk *chunk,
                               const io_batch *b, size_t j, int text)
{
    ops_col *c = &run->cols[j];
    const io_span *span = b->spans + run->sel[j];
    for (size_t r = 0; r < b->nrows; r++, span += b->ncols) {
        const char *s = b->bytes + span->off;
        int rc = text ? ops_col_add_text(c, s, span->len, b->pos0 + r)
                      : ops_col_add(c, s, span->len, b->pos0 + r);
        if (rc != 0)
            return add_failed(run, rc, chunk, r, j);
    }
    return DFSUM_OK;
}

static dfsum_status add_batch(engine_run *run, const io_chunk *chunk,
                              const io_batch *b, int pass)
{
    for (size_t j = 0; j < run->nsel; j++) {
        if (pass == 2 && !run->redo[j])
            continue;
        dfsum_status st = add_column(run, chunk, b, j, pass == 2);
        if (st != DFSUM_OK)
            return st;
    }
    return DFSUM_OK;
}

/* Streams every chunk of the data through the tokenizer into the
 * partials. pass 1 classifies; pass 2 counts raw text of redo columns. */
static dfsum_status run_pass(engine_run *run, int pass)
{
    io_error err = {0};
    io_chunker *chunker = NULL;
    io_tokenizer *tok = NULL;
    io_batch batch;
    io_chunk chunk;
    dfsum_status st = DFSUM_OK;
    int more = 0;
    io_batch_init(&batch);
    if (io_chunker_open(run->src, &run->opts, run->hdr.data_start,
                        run->hdr.data_line, run->d->chunk_size, &chunker,
                        &err) != IO_OK ||
        io_tokenizer_new(&run->opts, &run->hdr, io_source_name(run->src), &tok,
                         &err) != IO_OK)
        st = engine_fail_io(run->d, &err);
    while (st == DFSUM_OK &&
           (more = io_chunker_next(chunker, &chunk, &err)) == 1) {
        if (io_tokenize(tok, &chunk, &batch, &err) != IO_OK)
            st = engine_fail_io(run->d, &err);
        else
            st = add_batch(run, &chunk, &batch, pass);
    }
    if (st == DFSUM_OK && more < 0)
        st = engine_fail_io(run->d, &err);
    io_batch_free(&batch);
    io_tokenizer_free(tok);
    io_chunker_close(chunker);
    return st;
}

/* Marks the columns that need raw text and resets their partials.
 * Returns how many. */
static size_t plan_text_pass(engine_run *run)
{
    size_t n = 0;
    for (size_t j = 0; j < run->nsel; j++) {
        run->redo[j] =
            (unsigned char)(ops_col_needs_text_pass(&run->cols[j]) != 0);
        if (!run->redo[j])
            continue;
        ops_col_free(&run->cols[j]);
        ops_col_init(&run->cols[j]);
        n++;
    }
    return n;
}

static dfsum_status run_finish(engine_run *run, dfsum_result **out)
{
    engine_column *ec = calloc(run->nsel + 1, sizeof *ec);
    dfsum_status st = DFSUM_OK;
    size_t done = 0;
    if (!ec)
        return engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    for (; done < run->nsel && st == DFSUM_OK; done++) {
        ec[done].name = run->hdr.names[run->sel[done]];
        if (ops_col_finish(&run->cols[done], run->d->pct, run->d->npct,
                           &ec[done].sum) != 0)
            st = engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    }
    if (st == DFSUM_OK)
        st = engine_result_build(run->d, io_source_name(run->src), ec,
                                 run->nsel, out);
    for (size_t j = 0; j < done; j++)
        ops_summary_free(&ec[j].sum);
    free(ec);
    return st;
}

dfsum_status dfsum_describe_path(dfsum *d, const char *path, dfsum_result **out)
{
    engine_run run = {.d = d};
    dfsum_status st;
    if (!d || !path || !out)
        return d ? engine_fail(d, DFSUM_EINVAL, "missing argument")
                 : DFSUM_EINVAL;
    d->errmsg[0] = '\0';
    st = run_open(&run, path);
    if (st == DFSUM_OK)
        st = run_select(&run);
    if (st == DFSUM_OK)
        st = run_pass(&run, 1);
    if (st == DFSUM_OK && plan_text_pass(&run) > 0)
        st = run_pass(&run, 2);
    if (st == DFSUM_OK)
        st = run_finish(&run, out);
    run_free(&run);
    return st;
}
