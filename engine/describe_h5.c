/*
 * describe_h5.c - the describe pipeline for one HDF5 object.
 *
 * The object's rows are read as slabs of typed columns. OpenMP thread 0 is
 * the reader: it keeps a few slabs read ahead in a bounded queue and only
 * summarizes a slab itself when every buffer is full; the other threads
 * take slabs from the queue and feed each column to their own partials
 * with the typed adders. Thread 0 is the calling thread, so every libhdf5
 * call (not thread-safe here) and every MPI-IO call it makes comes from
 * one thread, which MPI_THREAD_FUNNELED allows.
 *
 * A value's position is its global row index, so partials merge to the
 * same result whatever the slab size, thread count or process count.
 * With a communicator each process reads a contiguous, chunk-aligned
 * range of rows through MPI-IO, and the partials meet in the reduce.
 */
#include "engine.h"

#include <omp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ops_col *cols; /* one partial per selected column */
} h5_worker;

typedef struct {
    dfsum *d;
    const char *path; /* as given: the result's source name */
    io_h5_table *t;
    size_t nsel;
    size_t *sel;   /* table column of each described column */
    ops_col *cols; /* the merged partials */
    int threads;
    uint64_t lo, hi; /* this process's rows */
    size_t slab_rows;
    uint64_t nreads; /* reads this process makes (collective: agreed) */
    uint64_t next_read;
    /* The slab queue: buffers are free, ready (FIFO) or held by a thread. */
    pthread_mutex_t mu;
    pthread_cond_t changed;
    io_h5_slab *slabs;
    size_t nslabs;
    size_t *free_list, nfree;
    size_t *ready, ready_head, nready;
    int reading_done;
    /* The first error by row. */
    uint64_t err_row; /* UINT64_MAX: none */
    dfsum_status err_status;
    char err_msg[ENGINE_MSG_MAX];
    uint64_t done_bytes;
} h5_run;

static void record_error(h5_run *run, uint64_t row, dfsum_status st,
                         const char *msg)
{
    pthread_mutex_lock(&run->mu);
    if (row < run->err_row) {
        run->err_row = row;
        run->err_status = st;
        snprintf(run->err_msg, sizeof run->err_msg, "%s", msg);
    }
    pthread_mutex_unlock(&run->mu);
}

/* ---- opening ---- */

static dfsum_status run_open(h5_run *run)
{
    io_error err = {0};
    io_h5_path p;
    dfsum *d = run->d;
    io_h5_opts o = {.collective = d->h5_transfer == DFSUM_HDF5_COLLECTIVE};
    if (engine_nprocs(d) > 1)
        o.mpi_comm = &d->comm;
    if (io_h5_path_split(run->path, &p, &err) != IO_OK)
        return engine_fail_io(d, &err);
    io_status st = io_h5_open(&p, &o, &run->t, &err);
    io_h5_path_free(&p);
    if (st != IO_OK)
        return engine_fail_io(d, &err);
    return DFSUM_OK;
}

static const char *table_name(const void *t, size_t i)
{
    return io_h5_col_name(t, i);
}

/* Maps the session's --columns (or all columns) to table columns. */
static dfsum_status run_select(h5_run *run)
{
    dfsum_status st =
        engine_pick_columns(run->d, io_h5_name(run->t), io_h5_ncols(run->t),
                            table_name, run->t, &run->sel, &run->nsel);
    if (st != DFSUM_OK)
        return st;
    run->cols = calloc(run->nsel + 1, sizeof *run->cols);
    if (!run->cols)
        return engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    for (size_t j = 0; j < run->nsel; j++)
        ops_col_init(&run->cols[j]);
    io_error err = {0};
    if (io_h5_select(run->t, run->sel, run->nsel, &err) != IO_OK)
        return engine_fail_io(run->d, &err);
    return DFSUM_OK;
}

/* ---- partition and slabs ---- */

/* This process's rows: whole storage chunks, split as evenly as they go. */
static void run_partition(h5_run *run)
{
    uint64_t n = io_h5_nrows(run->t), unit = io_h5_chunk_rows(run->t);
    uint64_t p = (uint64_t)engine_nprocs(run->d);
    uint64_t r = (uint64_t)engine_rank(run->d);
    uint64_t units = unit ? (n + unit - 1) / unit : 0;
    run->lo = units * r / p * unit;
    run->hi = units * (r + 1) / p * unit;
    run->lo = run->lo < n ? run->lo : n;
    run->hi = run->hi < n ? run->hi : n;
}

/* Rows per slab from the chunk size in bytes; a whole number of storage
 * chunks when a slab holds at least one, so no chunk is read twice. */
static void run_slab_rows(h5_run *run)
{
    size_t rows = run->d->chunk_size / io_h5_row_bytes(run->t);
    uint64_t unit = io_h5_chunk_rows(run->t);
    if (rows == 0)
        rows = 1;
    if (unit > 1 && rows >= unit)
        rows -= rows % unit;
    run->slab_rows = rows;
}

/* How many reads every process makes. Collective transfers need the same
 * count everywhere, so a process whose rows end early reads nothing the
 * last times. */
static dfsum_status run_count_reads(h5_run *run)
{
    uint64_t rows = run->hi - run->lo;
    run->nreads = (rows + run->slab_rows - 1) / run->slab_rows;
    if (engine_nprocs(run->d) > 1 &&
        run->d->h5_transfer == DFSUM_HDF5_COLLECTIVE &&
        MPI_Allreduce(MPI_IN_PLACE, &run->nreads, 1, MPI_UINT64_T, MPI_MAX,
                      run->d->comm) != MPI_SUCCESS)
        return engine_fail(run->d, DFSUM_EIO, "%s: MPI_Allreduce failed",
                           io_h5_name(run->t));
    return DFSUM_OK;
}

static void slabs_free(h5_run *run)
{
    for (size_t i = 0; run->slabs && i < run->nslabs; i++)
        io_h5_slab_free(&run->slabs[i]);
    free(run->slabs);
    free(run->free_list);
    free(run->ready);
    run->slabs = NULL;
    run->free_list = run->ready = NULL;
}

/* A few slabs in flight per thread: enough to keep every thread busy
 * while thread 0 reads the next. */
static int slabs_new(h5_run *run)
{
    run->nslabs = (size_t)run->threads + 2;
    run->slabs = calloc(run->nslabs, sizeof *run->slabs);
    run->free_list = calloc(run->nslabs, sizeof *run->free_list);
    run->ready = calloc(run->nslabs, sizeof *run->ready);
    if (!run->slabs || !run->free_list || !run->ready)
        return -1;
    for (size_t i = 0; i < run->nslabs; i++) {
        if (io_h5_slab_init(&run->slabs[i], run->t, run->slab_rows) != 0)
            return -1;
        run->free_list[i] = i;
    }
    run->nfree = run->nslabs;
    return 0;
}

/* ---- summarizing a slab ---- */

static int add_text(ops_col *c, const io_h5_colbuf *b, size_t n, uint64_t pos0,
                    size_t *bad)
{
    for (size_t i = 0; i < n; i++) {
        int rc = ops_col_add_str(c, b->text + b->off[i],
                                 (size_t)(b->off[i + 1] - b->off[i]), pos0 + i);
        if (rc != 0) {
            *bad = i;
            return rc;
        }
    }
    return 0;
}

/* Feeds one column of a slab to a partial; *bad is the failing row. */
static int add_colbuf(ops_col *c, const io_h5_colbuf *b, size_t n,
                      uint64_t pos0, size_t *bad)
{
    *bad = 0;
    switch (b->kind) {
    case IO_H5_F64:
        return ops_col_add_f64(c, b->values, n, NULL, pos0);
    case IO_H5_I64:
        return ops_col_add_i64(c, b->values, n, NULL, pos0);
    case IO_H5_U64:
        return ops_col_add_u64(c, b->values, n, NULL, pos0);
    case IO_H5_BOOL:
        return ops_col_add_bool(c, b->values, n, NULL, pos0);
    case IO_H5_STR:
        break;
    }
    return add_text(c, b, n, pos0, bad);
}

static void report_progress(h5_run *run, size_t rows)
{
    dfsum *d = run->d;
    if (!d->progress)
        return;
    size_t row_bytes = io_h5_row_bytes(run->t);
    pthread_mutex_lock(&run->mu);
    run->done_bytes += rows * row_bytes;
    d->progress(d->progress_ctx, run->done_bytes,
                (run->hi - run->lo) * row_bytes);
    pthread_mutex_unlock(&run->mu);
}

static void process_slab(h5_run *run, h5_worker *w, const io_h5_slab *s)
{
    for (size_t j = 0; j < run->nsel; j++) {
        size_t bad = 0;
        int rc = add_colbuf(&w->cols[j], &s->cols[j], s->nrows, s->row0, &bad);
        if (rc == 0)
            continue;
        char msg[ENGINE_MSG_MAX];
        if (rc == OPS_EUTF8)
            snprintf(msg, sizeof msg,
                     "%s: invalid UTF-8 in column '%s' at "
                     "row %llu",
                     io_h5_name(run->t), io_h5_col_name(run->t, run->sel[j]),
                     (unsigned long long)(s->row0 + bad));
        else
            snprintf(msg, sizeof msg, "out of memory");
        record_error(run, s->row0 + bad,
                     rc == OPS_EUTF8 ? DFSUM_EPARSE : DFSUM_ENOMEM, msg);
    }
    report_progress(run, s->nrows);
}

/* ---- the reader ---- */

/* Makes read number run->next_read into slab s. 1: s holds rows; 0: a
 * read with no rows of this process (collective only) or a failed one;
 * the error is recorded. After a failure, collective reads go on empty so
 * that the other processes are not left waiting. */
static int read_next(h5_run *run, io_h5_slab *s, int *failed)
{
    uint64_t row0 = run->lo + run->next_read * run->slab_rows;
    size_t n = 0;
    if (!*failed && row0 < run->hi)
        n = (size_t)(run->hi - row0 < run->slab_rows ? run->hi - row0
                                                     : run->slab_rows);
    run->next_read++;
    io_error err = {0};
    if (io_h5_read(run->t, n ? row0 : 0, n, s, &err) != IO_OK) {
        record_error(run, row0, engine_status_of_io(err.status), err.msg);
        *failed = 1;
        return 0;
    }
    return n > 0;
}

/* Thread 0, lock held: reads into a free buffer and queues it. */
static void reader_step(h5_run *run, int *failed)
{
    size_t slot = run->free_list[--run->nfree];
    pthread_mutex_unlock(&run->mu);
    int filled = read_next(run, &run->slabs[slot], failed);
    int collective = run->d->h5_transfer == DFSUM_HDF5_COLLECTIVE &&
                     engine_nprocs(run->d) > 1;
    pthread_mutex_lock(&run->mu);
    if (filled)
        run->ready[(run->ready_head + run->nready++) % run->nslabs] = slot;
    else
        run->free_list[run->nfree++] = slot;
    if (run->next_read >= run->nreads || (*failed && !collective))
        run->reading_done = 1;
    pthread_cond_broadcast(&run->changed);
}

/* Lock held: takes the oldest ready slab, summarizes it, frees it. */
static void worker_step(h5_run *run, h5_worker *w)
{
    size_t slot = run->ready[run->ready_head];
    run->ready_head = (run->ready_head + 1) % run->nslabs;
    run->nready--;
    pthread_mutex_unlock(&run->mu);
    process_slab(run, w, &run->slabs[slot]);
    pthread_mutex_lock(&run->mu);
    run->free_list[run->nfree++] = slot;
    pthread_cond_broadcast(&run->changed);
}

/* Every thread's loop. Thread 0 reads whenever a buffer is free (reading
 * is the one serial part), and summarizes only when none is. */
static void thread_loop(h5_run *run, h5_worker *w, int tid)
{
    int failed = 0;
    pthread_mutex_lock(&run->mu);
    for (;;) {
        if (tid == 0 && !run->reading_done && run->nfree > 0)
            reader_step(run, &failed);
        else if (run->nready > 0)
            worker_step(run, w);
        else if (run->reading_done)
            break;
        else
            pthread_cond_wait(&run->changed, &run->mu);
    }
    pthread_mutex_unlock(&run->mu);
}

/* ---- workers ---- */

static void workers_free(h5_run *run, h5_worker *w, int n)
{
    for (int i = 0; w && i < n; i++) {
        for (size_t j = 0; w[i].cols && j < run->nsel; j++)
            ops_col_free(&w[i].cols[j]);
        free(w[i].cols);
    }
    free(w);
}

/* Records each column's kind in a fresh partial, so that even a process
 * or thread that sees no row knows the dtype (an empty string column is
 * object, an empty float one float64). */
static void record_kinds(h5_run *run, ops_col *cols)
{
    for (size_t j = 0; j < run->nsel; j++) {
        ops_col *c = &cols[j];
        switch (io_h5_col_kind(run->t, run->sel[j])) {
        case IO_H5_F64:
            ops_col_add_f64(c, NULL, 0, NULL, 0);
            break;
        case IO_H5_I64:
            ops_col_add_i64(c, NULL, 0, NULL, 0);
            break;
        case IO_H5_U64:
            ops_col_add_u64(c, NULL, 0, NULL, 0);
            break;
        case IO_H5_BOOL:
            ops_col_add_bool(c, NULL, 0, NULL, 0);
            break;
        case IO_H5_STR:
            /* No zero-row text call exists: the bit the adder sets. */
            c->saw |= OPS_SAW_TEXT;
            break;
        }
    }
}

static h5_worker *workers_new(h5_run *run, int n)
{
    h5_worker *w = calloc((size_t)n, sizeof *w);
    for (int i = 0; w && i < n; i++) {
        w[i].cols = calloc(run->nsel + 1, sizeof *w[i].cols);
        if (!w[i].cols) {
            workers_free(run, w, i + 1);
            return NULL;
        }
        for (size_t j = 0; j < run->nsel; j++)
            ops_col_init(&w[i].cols[j]);
        record_kinds(run, w[i].cols);
    }
    return w;
}

static ops_col *worker_cols(void *workers, int i)
{
    return ((h5_worker *)workers)[i].cols;
}

/* Reads and summarizes this process's rows with run->threads threads. */
static dfsum_status run_pass(h5_run *run)
{
    int n = run->threads;
    h5_worker *w = workers_new(run, n);
    if (!w || slabs_new(run) != 0) {
        workers_free(run, w, w ? n : 0);
        return engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    }
    run->err_row = UINT64_MAX;
    run->reading_done = run->nreads == 0;
#pragma omp parallel num_threads(n)
    thread_loop(run, &w[omp_get_thread_num()], omp_get_thread_num());
    dfsum_status st =
        run->err_row == UINT64_MAX
            ? engine_merge_partials(run->d, run->cols, run->nsel, n,
                                    worker_cols, w)
            : engine_fail(run->d, run->err_status, "%s", run->err_msg);
    workers_free(run, w, n);
    return st;
}

/* ---- finishing ---- */

/* The summaries of the described columns, merged across processes when
 * there are several (alone, both steps are the local ones). */
static dfsum_status finish_columns(h5_run *run, engine_column *ec)
{
    dfsum *d = run->d;
    dfsum_status st = engine_reduce_flats(d, run->cols, run->nsel);
    if (st == DFSUM_OK)
        st = engine_finish_reduced(d, run->cols, run->nsel, ec);
    return st;
}

/* The result table, carrying the table's note (a group's skipped
 * members) for the caller to show. */
static dfsum_status build_result(h5_run *run, engine_column *ec,
                                 dfsum_result **out)
{
    dfsum_result *r = NULL;
    dfsum_status st = engine_result_build(run->d, run->path, ec, run->nsel, &r);
    if (st == DFSUM_OK)
        st = engine_result_set_note(run->d, r, io_h5_note(run->t));
    if (st != DFSUM_OK) {
        dfsum_result_free(r);
        return st;
    }
    *out = r;
    return DFSUM_OK;
}

static dfsum_status run_finish(h5_run *run, dfsum_result **out)
{
    engine_column *ec = calloc(run->nsel + 1, sizeof *ec);
    if (!ec)
        return engine_fail(run->d, DFSUM_ENOMEM, "out of memory");
    for (size_t j = 0; j < run->nsel; j++)
        ec[j].name = io_h5_col_name(run->t, run->sel[j]);
    dfsum_status st = finish_columns(run, ec);
    for (size_t j = 0; j < run->nsel; j++) /* the reduce may rewrite them */
        ec[j].name = io_h5_col_name(run->t, run->sel[j]);
    if (st == DFSUM_OK)
        st = build_result(run, ec, out);
    for (size_t j = 0; j < run->nsel; j++)
        ops_summary_free(&ec[j].sum);
    free(ec);
    return st;
}

static void run_free(h5_run *run)
{
    for (size_t j = 0; run->cols && j < run->nsel; j++)
        ops_col_free(&run->cols[j]);
    free(run->cols);
    free(run->sel);
    slabs_free(run);
    io_h5_close(run->t);
    pthread_cond_destroy(&run->changed);
    pthread_mutex_destroy(&run->mu);
}

/* Opening and planning: every process agrees on the outcome before any
 * collective read starts. */
static dfsum_status run_prepare(h5_run *run)
{
    dfsum_status st = run_open(run);
    if (st == DFSUM_OK)
        st = run_select(run);
    if (st == DFSUM_OK) {
        run->threads =
            run->d->threads > 0 ? run->d->threads : omp_get_max_threads();
        run_partition(run);
        run_slab_rows(run);
    }
    st = engine_agree(run->d, st, 0);
    if (st == DFSUM_OK)
        st = run_count_reads(run);
    return st;
}

dfsum_status engine_describe_h5(dfsum *d, const char *path, dfsum_result **out)
{
    h5_run run = {.d = d, .path = path, .err_row = UINT64_MAX};
    if (!d || !path || !out)
        return d ? engine_fail(d, DFSUM_EINVAL, "missing argument")
                 : DFSUM_EINVAL;
    d->errmsg[0] = '\0';
    pthread_mutex_init(&run.mu, NULL);
    pthread_cond_init(&run.changed, NULL);
    dfsum_status st = run_prepare(&run);
    if (st == DFSUM_OK) {
        st = run_pass(&run);
        st = engine_agree(d, st, st == DFSUM_OK ? 0 : run.err_row);
    }
    if (st == DFSUM_OK)
        st = run_finish(&run, out);
    run_free(&run);
    return st;
}

/* ---- the rest of the HDF5 API ---- */

dfsum_status dfsum_list(dfsum *d, const char *path, char **out, size_t *len)
{
    if (!d || !path || !out || !len)
        return d ? engine_fail(d, DFSUM_EINVAL, "missing argument")
                 : DFSUM_EINVAL;
    d->errmsg[0] = '\0';
    io_error err = {0};
    io_h5_path p;
    if (io_h5_path_split(path, &p, &err) != IO_OK)
        return engine_fail_io(d, &err);
    io_status st = io_h5_list(&p, out, len, &err);
    io_h5_path_free(&p);
    return st == IO_OK ? DFSUM_OK : engine_fail_io(d, &err);
}

dfsum_status dfsum_set_hdf5_transfer(dfsum *d, dfsum_hdf5_transfer mode)
{
    if (mode != DFSUM_HDF5_INDEPENDENT && mode != DFSUM_HDF5_COLLECTIVE)
        return engine_fail(d, DFSUM_EINVAL, "unknown HDF5 transfer mode %d",
                           (int)mode);
    d->h5_transfer = mode;
    return DFSUM_OK;
}
