/*
 * bad_lines.c - the rows --on-bad-lines skip|warn leaves out.
 *
 * The tokenizer lists each record with more fields than the header in its
 * batch (io_skipped: where it starts in the chunk). Workers keep their
 * records' file offsets, the run takes every worker's list and sorts it,
 * and with several processes the lists are gathered in rank order, which
 * is file order, as the processes' ranges follow their ranks. Only under
 * WARN are the lines wanted: one rescan of the file up to the last record
 * finds them all (io_record_lines), so a file without bad lines costs
 * nothing more.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

void engine_bad_free(engine_bad *b)
{
    free(b->off);
    free(b->nfields);
    *b = (engine_bad){0};
}

/* Room for n more; 0, or -1 when out of memory. */
static int bad_reserve(engine_bad *b, size_t n)
{
    if (b->cap - b->n >= n)
        return 0;
    size_t cap = b->cap * 2 > b->n + n ? b->cap * 2 : b->n + n;
    uint64_t *off = realloc(b->off, cap * sizeof *off);
    if (off)
        b->off = off;
    uint64_t *nf = off ? realloc(b->nfields, cap * sizeof *nf) : NULL;
    if (nf)
        b->nfields = nf;
    if (!off || !nf)
        return -1;
    b->cap = cap;
    return 0;
}

int engine_bad_keep(engine_bad *b, const io_batch *batch, uint64_t chunk_off)
{
    if (batch->nskips == 0)
        return 0;
    if (bad_reserve(b, batch->nskips) != 0)
        return -1;
    for (size_t i = 0; i < batch->nskips; i++) {
        b->off[b->n] = chunk_off + batch->skips[i].off;
        b->nfields[b->n++] = batch->skips[i].nfields;
    }
    return 0;
}

int engine_bad_take(engine_bad *into, engine_bad *from)
{
    if (from->n == 0)
        return 0;
    if (bad_reserve(into, from->n) != 0)
        return -1;
    memcpy(into->off + into->n, from->off, from->n * sizeof *from->off);
    memcpy(into->nfields + into->n, from->nfields,
           from->n * sizeof *from->nfields);
    into->n += from->n;
    engine_bad_free(from);
    return 0;
}

static int by_offset(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int engine_bad_sort(engine_bad *b)
{
    if (b->n < 2)
        return 0;
    /* sorted as (offset, fields) pairs in one array, then split */
    uint64_t *pair = malloc(2 * b->n * sizeof *pair);
    if (!pair)
        return -1;
    for (size_t k = 0; k < b->n; k++) {
        pair[2 * k] = b->off[k];
        pair[2 * k + 1] = b->nfields[k];
    }
    qsort(pair, b->n, 2 * sizeof *pair, by_offset);
    for (size_t k = 0; k < b->n; k++) {
        b->off[k] = pair[2 * k];
        b->nfields[k] = pair[2 * k + 1];
    }
    free(pair);
    return 0;
}

/* Gathers the lists of every process into all (collective). */
static void gather_lists(dfsum *d, const engine_bad *mine, const int *n,
                         const int *at, engine_bad *all)
{
    MPI_Allgatherv(mine->off, (int)mine->n, MPI_UINT64_T, all->off, n, at,
                   MPI_UINT64_T, d->comm);
    MPI_Allgatherv(mine->nfields, (int)mine->n, MPI_UINT64_T, all->nfields, n,
                   at, MPI_UINT64_T, d->comm);
}

dfsum_status engine_bad_share(dfsum *d, const char *name, engine_bad *b,
                              uint64_t *total)
{
    int np = engine_nprocs(d), warn = d->bad_lines == DFSUM_BAD_LINES_WARN;
    *total = b->n;
    if (d->comm == MPI_COMM_NULL || d->bad_lines == DFSUM_BAD_LINES_ERROR)
        return DFSUM_OK;
    uint64_t mine = b->n, *counts = malloc((size_t)np * sizeof *counts);
    int *n = malloc((size_t)np * sizeof *n),
        *at = malloc((size_t)np * sizeof *at);
    dfsum_status st = engine_agree(
        d,
        counts && n && at ? DFSUM_OK
                          : engine_fail(d, DFSUM_ENOMEM, "out of memory"),
        0);
    if (st == DFSUM_OK)
        MPI_Allgather(&mine, 1, MPI_UINT64_T, counts, 1, MPI_UINT64_T, d->comm);
    *total = 0;
    for (int p = 0; st == DFSUM_OK && p < np; p++) {
        at[p] = (int)*total;
        n[p] = (int)counts[p];
        *total += counts[p];
    }
    if (st == DFSUM_OK && warn && *total > INT32_MAX)
        st = engine_fail(d, DFSUM_EUNSUPPORTED,
                         "%s: over 2^31 bad lines to list", name);
    engine_bad all = {0};
    if (st == DFSUM_OK && warn)
        st = engine_agree(d,
                          bad_reserve(&all, (size_t)*total + 1) == 0
                              ? DFSUM_OK
                              : engine_fail(d, DFSUM_ENOMEM, "out of memory"),
                          0);
    if (st == DFSUM_OK && warn) {
        gather_lists(d, b, n, at, &all);
        all.n = (size_t)*total;
        engine_bad_free(b);
        *b = all;
    } else {
        engine_bad_free(&all);
    }
    free(counts);
    free(n);
    free(at);
    return st;
}

dfsum_status engine_bad_note(dfsum *d, io_source *src, const io_csv_opts *o,
                             const io_csv_header *h, const engine_bad *b,
                             dfsum_result *r)
{
    if (b->n == 0)
        return DFSUM_OK;
    const char *name = io_source_name(src);
    size_t width = h->nindex + h->ncols;
    /* a line: the name, three numbers of at most 20 digits, 45 more */
    size_t cap = b->n * (strlen(name) + 3 * 20 + 45) + 1, len = 0;
    uint64_t *lines = malloc(b->n * sizeof *lines);
    char *text = malloc(cap);
    dfsum_status st = DFSUM_ENOMEM;
    if (lines && text) {
        io_record_lines(src, o, h, b->off, b->n, lines);
        for (size_t i = 0; i < b->n; i++)
            len += (size_t)snprintf(
                text + len, cap - len,
                "%s%s:%llu: expected %zu fields, saw %llu; line skipped",
                i ? "\n" : "", name, (unsigned long long)lines[i], width,
                (unsigned long long)b->nfields[i]);
        st = engine_result_set_note(d, r, text);
    } else {
        engine_fail(d, DFSUM_ENOMEM, "out of memory");
    }
    free(lines);
    free(text);
    return st;
}
