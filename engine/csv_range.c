/*
 * csv_range.c - splitting a CSV file among processes at record starts.
 *
 * Process r aims at the byte B_r = data_start + r * (size - data_start) / P
 * and reads from the first record start at or after B_r up to the one of
 * process r + 1. Where records start depends on the quote state, which
 * depends on every byte before: rather than have anyone read the file
 * from the start, each process sums up the bytes up to its neighbour's
 * aim as a function over the scanner's four states (io_range_states), an
 * exclusive scan composes the functions in rank order, and each process
 * gets the exact state at its own aim. It then scans on to its first
 * record start, and the starts are exchanged. Every byte but those of
 * the last process is read twice, once for the states (a memchr where
 * there is no quote) and once to be summarized; the traffic is a few
 * bytes per process.
 *
 * The header is read by process 0 only and sent to the others: names,
 * index width and where the data starts.
 */
#include "engine.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- the header ------------------------------------------------------------
 */

enum {
    META_NCOLS,
    META_NINDEX,
    META_START,
    META_LINE,
    META_END,
    META_BYTES,
    META_N
};

/* The names one after the other, each NUL-terminated (a header name holds
 * no NUL byte: the header reader refuses them). */
static char *pack_names(const io_csv_header *h, uint64_t *bytes)
{
    size_t total = 0;
    for (size_t i = 0; i < h->ncols; i++)
        total += strlen(h->names[i]) + 1;
    char *buf = malloc(total + 1);
    for (size_t i = 0, at = 0; buf && i < h->ncols; i++) {
        size_t n = strlen(h->names[i]) + 1;
        memcpy(buf + at, h->names[i], n);
        at += n;
    }
    *bytes = total;
    return buf;
}

static int unpack_names(io_csv_header *h, const char *buf, uint64_t bytes)
{
    h->names = calloc(h->ncols + 1, sizeof *h->names);
    if (!h->names)
        return -1;
    for (size_t i = 0, at = 0; i < h->ncols; i++) {
        size_t n = at < bytes ? strnlen(buf + at, bytes - at) : 0;
        if (at + n >= bytes || !(h->names[i] = strdup(buf + at)))
            return -1;
        at += n + 1;
    }
    return 0;
}

static void bcast_bytes(char *buf, uint64_t n, MPI_Comm comm)
{
    while (n > 0) {
        int part = n < INT_MAX ? (int)n : INT_MAX;
        MPI_Bcast(buf, part, MPI_BYTE, 0, comm);
        buf += part;
        n -= (uint64_t)part;
    }
}

/* Sends the header process 0 read; the others fill h. */
static dfsum_status share_header(dfsum *d, io_csv_header *h)
{
    int root = engine_rank(d) == 0;
    uint64_t meta[META_N] = {h->ncols,     h->nindex,   h->data_start,
                             h->data_line, h->data_end, 0};
    char *names = root ? pack_names(h, &meta[META_BYTES]) : NULL;
    MPI_Bcast(meta, META_N, MPI_UINT64_T, 0, d->comm);
    if (!root)
        names = malloc(meta[META_BYTES] + 1);
    dfsum_status st = engine_agree(
        d, names ? DFSUM_OK : engine_fail(d, DFSUM_ENOMEM, "out of memory"), 0);
    if (st == DFSUM_OK)
        bcast_bytes(names, meta[META_BYTES], d->comm);
    if (st == DFSUM_OK && !root) {
        *h = (io_csv_header){.ncols = meta[META_NCOLS],
                             .nindex = meta[META_NINDEX],
                             .data_start = meta[META_START],
                             .data_line = meta[META_LINE],
                             .data_end = meta[META_END]};
        if (unpack_names(h, names, meta[META_BYTES]) != 0)
            st = engine_fail(d, DFSUM_ENOMEM, "out of memory");
    }
    free(names);
    return engine_agree(d, st, 0);
}

dfsum_status engine_csv_header(dfsum *d, io_source *src, const io_csv_opts *o,
                               io_csv_header *h)
{
    io_error err = {0};
    dfsum_status st = DFSUM_OK;
    if (engine_rank(d) == 0 && io_csv_read_header(src, o, h, &err) != IO_OK)
        st = engine_fail_io(d, &err);
    st = engine_agree(d, st, 0);
    if (st != DFSUM_OK || d->comm == MPI_COMM_NULL)
        return st;
    return share_header(d, h);
}

/* ---- the ranges ------------------------------------------------------------
 */

/* Where process k aims to start: B_k, without overflow (len * k may not
 * fit 64 bits). */
static uint64_t aim(uint64_t data_start, uint64_t size, int k, int nprocs)
{
    uint64_t len = size - data_start, p = (uint64_t)nprocs, q = (uint64_t)k;
    return data_start + len / p * q + len % p * q / p;
}

/* The byte just before B_k, whose state decides whether B_k itself is a
 * record start; the data start for process 0 (a record start by itself)
 * and for aims that fall on it; the file size past the last process. */
static uint64_t scan_from(uint64_t data_start, uint64_t size, int k, int nprocs)
{
    if (k >= nprocs)
        return size;
    uint64_t b = aim(data_start, size, k, nprocs);
    return b > data_start ? b - 1 : data_start;
}

/* The MPI operator: inout := in then inout, in coming from lower ranks. */
static void states_then_op(void *in, void *inout, int *len, MPI_Datatype *t)
{
    (void)t;
    const io_states *first = in;
    io_states *second = inout;
    for (int i = 0; i < *len; i++)
        io_states_then(&first[i], &second[i], &second[i]);
}

/* The functions of the ranges of lower ranks, composed in rank order. */
static io_states states_before(const io_states *mine, MPI_Comm comm, int rank)
{
    MPI_Datatype type;
    MPI_Op op;
    io_states before;
    MPI_Type_contiguous((int)sizeof before, MPI_BYTE, &type);
    MPI_Type_commit(&type);
    MPI_Op_create(states_then_op, 0, &op);
    MPI_Exscan(mine, &before, 1, type, op, comm);
    MPI_Op_free(&op);
    MPI_Type_free(&type);
    if (rank == 0) /* Exscan leaves rank 0's result undefined */
        io_states_identity(&before);
    return before;
}

typedef struct {
    dfsum *d;
    io_source *src;
    const io_csv_opts *o;
    uint64_t data_start, size;
    int rank, nprocs;
} range_job;

/* The exact scanner state at the byte this process scans from. */
static dfsum_status entering_state(range_job *j, unsigned *state)
{
    io_error err = {0};
    io_states mine;
    uint64_t from = scan_from(j->data_start, j->size, j->rank, j->nprocs);
    uint64_t to = scan_from(j->data_start, j->size, j->rank + 1, j->nprocs);
    dfsum_status st = DFSUM_OK;
    /* The exclusive scan leaves the last range out: no need to read it. */
    if (j->rank + 1 == j->nprocs)
        io_states_identity(&mine);
    else if (io_range_states(j->src, j->o, from, to, &mine, &err) != IO_OK)
        st = engine_fail_io(j->d, &err);
    st = engine_agree(j->d, st, from);
    if (st != DFSUM_OK)
        return st;
    io_states before = states_before(&mine, j->d->comm, j->rank);
    *state = before.to[IO_ST_START]; /* the data starts a record */
    return DFSUM_OK;
}

/* The first record start at or after this process's aim. */
static dfsum_status first_start(range_job *j, unsigned state, uint64_t *start)
{
    io_error err = {0};
    uint64_t from = scan_from(j->data_start, j->size, j->rank, j->nprocs);
    dfsum_status st = DFSUM_OK;
    *start = j->data_start;
    if (aim(j->data_start, j->size, j->rank, j->nprocs) > j->data_start &&
        io_record_start_after(j->src, j->o, from, state, start, &err) != IO_OK)
        st = engine_fail_io(j->d, &err);
    return engine_agree(j->d, st, from);
}

dfsum_status engine_csv_range(dfsum *d, io_source *src, const io_csv_opts *o,
                              const io_csv_header *h, uint64_t *start,
                              uint64_t *end)
{
    uint64_t size = io_source_size_bound(src);
    range_job j = {d,
                   src,
                   o,
                   h->data_start,
                   size < h->data_end ? size : h->data_end,
                   engine_rank(d),
                   engine_nprocs(d)};
    unsigned state = IO_ST_START;
    *start = j.data_start;
    *end = j.size > j.data_start ? j.size : j.data_start;
    if (j.nprocs == 1)
        return DFSUM_OK;
    dfsum_status st = entering_state(&j, &state);
    if (st == DFSUM_OK)
        st = first_start(&j, state, start);
    if (st != DFSUM_OK)
        return st;
    uint64_t *starts = malloc((size_t)j.nprocs * sizeof *starts);
    st = engine_agree(
        d, starts ? DFSUM_OK : engine_fail(d, DFSUM_ENOMEM, "out of memory"),
        0);
    if (st != DFSUM_OK)
        return free(starts), st;
    MPI_Allgather(start, 1, MPI_UINT64_T, starts, 1, MPI_UINT64_T, d->comm);
    if (j.rank + 1 < j.nprocs)
        *end = starts[j.rank + 1];
    free(starts);
    return DFSUM_OK;
}
