/*
 * reduce.c - one describe spread over the processes of a communicator.
 *
 * Each process summarizes its own part of the input; here the parts meet.
 * The traffic does not grow with the number of rows:
 *   - agreeing on the outcome of a step: a few scalars, plus the message
 *     of the failure that wins;
 *   - the scalar state of the columns: one fixed-size record per column,
 *     reduced by a user operator that merges them (exact sums included);
 *   - quantiles: fixed-size histograms, exchanged by ops/ through the
 *     reducer defined here (sum_u64);
 *   - the text tables of object columns: each process sends each of its
 *     distinct values once, to the process that owns the value's hash, so
 *     that every value is counted in one place (this grows with the
 *     distinct values, which unique needs, not with the rows).
 *
 * Alone (d->comm == MPI_COMM_NULL) nothing here calls MPI: a program that
 * never sets a communicator never touches it. MPI is called from the
 * calling thread only (MPI_THREAD_FUNNELED is enough).
 */
#include "engine.h"

#include <limits.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

int engine_rank(const dfsum *d)
{
    int rank = 0;
    if (d->comm != MPI_COMM_NULL)
        MPI_Comm_rank(d->comm, &rank);
    return rank;
}

int engine_nprocs(const dfsum *d)
{
    int n = 1;
    if (d->comm != MPI_COMM_NULL)
        MPI_Comm_size(d->comm, &n);
    return n;
}

/* ---- the input, decompressed once per machine --------------------------- */

/* Each process decompressing on its own would take the machine's cores
 * and temporary space once per process (64 copies under mpiexec -n 64). */
static io_status open_beside_leader(int leader_opened, const char *shared,
                                    const char *path, io_source **out,
                                    io_error *err)
{
    if (!leader_opened)
        return io_fail(err, IO_EIO,
                       "%s: the first process of this machine could not "
                       "open it",
                       path);
    /* /proc/<pid>/fd of a process this one may not see (another PID
     * namespace): decompressing on its own is slower, not wrong */
    if (shared[0] != '\0' &&
        io_source_open_decompressed(shared, path, out, err) == IO_OK)
        return IO_OK;
    return io_source_open(path, out, err); /* in place, or decompressed */
}

io_status engine_source_open(const dfsum *d, const char *path, io_source **out,
                             io_error *err)
{
    if (d->comm == MPI_COMM_NULL) /* decompressing while the pipeline reads */
        return io_source_open_streaming(path, out, err);
    MPI_Comm node;
    int here = 0, opened = 0;
    char shared[PATH_MAX] = "";
    MPI_Comm_split_type(d->comm, MPI_COMM_TYPE_SHARED, engine_rank(d),
                        MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &here);
    io_status st = IO_OK;
    if (here == 0) {
        st = io_source_open_shared(path, 0, out, err);
        opened = st == IO_OK;
        const char *name = opened ? io_source_shared_path(*out) : NULL;
        if (name && strlen(name) < sizeof shared)
            memcpy(shared, name, strlen(name) + 1);
        /* (a longer name: the others decompress on their own) */
    }
    MPI_Bcast(&opened, 1, MPI_INT, 0, node);
    MPI_Bcast(shared, (int)sizeof shared, MPI_CHAR, 0, node);
    if (here != 0)
        st = open_beside_leader(opened, shared, path, out, err);
    MPI_Barrier(node); /* every process holds the file open */
    if (here == 0 && opened)
        io_source_unlink_shared(*out);
    MPI_Comm_free(&node);
    return st;
}

/* ---- agreeing on the outcome of a step ---------------------------------- */

dfsum_status engine_agree(dfsum *d, dfsum_status st, uint64_t where)
{
    if (d->comm == MPI_COMM_NULL)
        return st;
    /* A success offers INT64_MAX, which no failure does: the minimum is
     * then the earliest failure, or INT64_MAX when there is none. Signed:
     * MPICH 4.0's MPI_MIN on MPI_UINT64_T compares values from 2^63 on as
     * negative numbers. */
    int64_t key = st == DFSUM_OK                    ? INT64_MAX
                  : where < (uint64_t)INT64_MAX - 1 ? (int64_t)where
                                                    : INT64_MAX - 1;
    int64_t first;
    MPI_Allreduce(&key, &first, 1, MPI_INT64_T, MPI_MIN, d->comm);
    if (first == INT64_MAX)
        return DFSUM_OK;
    int mine = key == first ? engine_rank(d) : INT_MAX, winner;
    MPI_Allreduce(&mine, &winner, 1, MPI_INT, MPI_MIN, d->comm);
    int code = (int)st;
    MPI_Bcast(&code, 1, MPI_INT, winner, d->comm);
    MPI_Bcast(d->errmsg, (int)sizeof d->errmsg, MPI_CHAR, winner, d->comm);
    d->errmsg[sizeof d->errmsg - 1] = '\0';
    return (dfsum_status)code;
}

/* ---- scalar state of the columns ---------------------------------------- */

/* The reduction operator: element-wise ops_col_flat_merge. MPI promises
 * no alignment for the buffers of a byte-built type, so each record is
 * merged through aligned copies. */
static void flat_merge_op(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    const char *from = in;
    char *into = inout;
    ops_col_flat a, b;
    for (int i = 0; i < *len; i++) {
        size_t at = (size_t)i * sizeof a;
        memcpy(&a, into + at, sizeof a);
        memcpy(&b, from + at, sizeof b);
        ops_col_flat_merge(&a, &b);
        memcpy(into + at, &a, sizeof a);
    }
}

/* Reduces n records in place on every process. */
static void allreduce_flats(MPI_Comm comm, ops_col_flat *flats, int n)
{
    MPI_Datatype type;
    MPI_Op op;
    MPI_Type_contiguous((int)sizeof *flats, MPI_BYTE, &type);
    MPI_Type_commit(&type);
    MPI_Op_create(flat_merge_op, 1, &op);
    MPI_Allreduce(MPI_IN_PLACE, flats, n, type, op, comm);
    MPI_Op_free(&op);
    MPI_Type_free(&type);
}

dfsum_status engine_reduce_flats(dfsum *d, ops_col *cols, size_t n)
{
    if (d->comm == MPI_COMM_NULL || n == 0)
        return DFSUM_OK;
    ops_col_flat *flats = n <= INT_MAX ? malloc(n * sizeof *flats) : NULL;
    /* Every process must take part in the reduce, or none. */
    dfsum_status st = engine_agree(
        d, flats ? DFSUM_OK : engine_fail(d, DFSUM_ENOMEM, "out of memory"), 0);
    if (st != DFSUM_OK) {
        free(flats);
        return st;
    }
    for (size_t j = 0; j < n; j++)
        ops_col_flatten(&cols[j], &flats[j]);
    allreduce_flats(d->comm, flats, (int)n);
    for (size_t j = 0; j < n; j++)
        ops_col_adopt(&cols[j], &flats[j]);
    free(flats);
    return DFSUM_OK;
}

/* ---- alone: every column finished here, threads sharing them ---------- */

/* Runs fn(ctx, k) for every job k < n, jobs dealt one at a time to the
 * session's threads (they are independent, and their costs differ
 * widely); any failure is out of memory. */
static dfsum_status each_job(dfsum *d, size_t n, int (*fn)(void *ctx, size_t k),
                             void *ctx)
{
    int failed = 0;
    int threads = d->threads > 0 ? d->threads : omp_get_max_threads();
    long count = (long)n;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)             \
    reduction(|                                                                \
              : failed)
    for (long k = 0; k < count; k++)
        failed |= fn(ctx, (size_t)k) != 0;
    return failed ? engine_fail(d, DFSUM_ENOMEM, "out of memory") : DFSUM_OK;
}

/* The text tables of the columns, merged before the columns are: one job
 * per table and shard, so that a column with millions of distinct values
 * spreads its merge over the threads instead of leaving it to the one
 * that merges the column. Row g of slot is where one table (text or
 * na_text of a column) lives in into, then in each part; the largest
 * table of a row is moved to its head and absorbs the others. */
typedef struct {
    ops_distinct ***slot; /* [nrows * width] */
    size_t nrows;
    size_t width; /* 1 + the parts */
} text_merge;

/* Puts the largest table of row at its head; 0 when the row has fewer
 * than two tables (nothing to merge). */
static int lead_row(ops_distinct ***row, size_t width)
{
    size_t best = 0, tables = 0;
    for (size_t i = 0; i < width; i++) {
        if (!*row[i])
            continue;
        tables++;
        if (!*row[best] ||
            ops_distinct_unique(*row[i]) > ops_distinct_unique(*row[best]))
            best = i;
    }
    ops_distinct *t = *row[0];
    *row[0] = *row[best];
    *row[best] = t;
    return tables >= 2;
}

static int text_merge_init(text_merge *t, ops_col *into, size_t n, int nparts,
                           ops_col *(*cols_of)(void *ctx, int i), void *ctx)
{
    t->width = (size_t)nparts + 1;
    t->nrows = 0;
    t->slot = malloc(2 * n * t->width * sizeof *t->slot + 1);
    if (!t->slot)
        return -1;
    for (size_t j = 0; j < n; j++)
        for (int kind = 0; kind < 2; kind++) {
            ops_distinct ***row = &t->slot[t->nrows * t->width];
            row[0] = kind ? &into[j].na_text : &into[j].text;
            for (int i = 0; i < nparts; i++) {
                ops_col *part = &cols_of(ctx, i)[j];
                row[1 + i] = kind ? &part->na_text : &part->text;
            }
            t->nrows += (size_t)lead_row(row, t->width);
        }
    return 0;
}

static int merge_table_shard(void *ctx, size_t k)
{
    const text_merge *t = ctx;
    ops_distinct ***row = &t->slot[k / OPS_DISTINCT_SHARDS * t->width];
    unsigned shard = (unsigned)(k % OPS_DISTINCT_SHARDS);
    int failed = 0;
    for (size_t i = 1; i < t->width; i++)
        if (*row[i])
            failed |= ops_distinct_absorb_shard(*row[0], *row[i], shard) != 0;
    return failed;
}

/* After the shards (also after a failed one): the merged tables take the
 * others' records, and the others go. */
static void text_merge_end(text_merge *t)
{
    for (size_t g = 0; g < t->nrows; g++) {
        ops_distinct ***row = &t->slot[g * t->width];
        for (size_t i = 1; i < t->width; i++) {
            if (!*row[i])
                continue;
            ops_distinct_absorb_end(*row[0], *row[i]);
            ops_distinct_free(*row[i]);
            *row[i] = NULL;
        }
    }
    free(t->slot);
}

static dfsum_status merge_text_tables(dfsum *d, ops_col *into, size_t n,
                                      int nparts,
                                      ops_col *(*cols_of)(void *ctx, int i),
                                      void *ctx)
{
    text_merge t;
    if (text_merge_init(&t, into, n, nparts, cols_of, ctx))
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    int failed = 0;
    for (size_t g = 0; g < t.nrows; g++) {
        ops_distinct ***row = &t.slot[g * t.width];
        for (size_t i = 1; i < t.width; i++)
            if (*row[i])
                failed |= ops_distinct_absorb_begin(*row[0], *row[i]) != 0;
    }
    dfsum_status st = failed ? engine_fail(d, DFSUM_ENOMEM, "out of memory")
                             : each_job(d, t.nrows * OPS_DISTINCT_SHARDS,
                                        merge_table_shard, &t);
    text_merge_end(&t);
    return st;
}

typedef struct {
    ops_col *into;
    int nparts;
    ops_col *(*cols_of)(void *ctx, int i);
    void *ctx;
} merge_job;

static int merge_column(void *ctx, size_t j)
{
    const merge_job *m = ctx;
    int failed = 0;
    for (int i = 0; i < m->nparts; i++)
        failed |= ops_col_merge(&m->into[j], &m->cols_of(m->ctx, i)[j]) != 0;
    return failed;
}

dfsum_status engine_merge_partials(dfsum *d, ops_col *into, size_t n,
                                   int nparts,
                                   ops_col *(*cols_of)(void *ctx, int i),
                                   void *ctx)
{
    dfsum_status st = merge_text_tables(d, into, n, nparts, cols_of, ctx);
    if (st != DFSUM_OK)
        return st;
    merge_job m = {into, nparts, cols_of, ctx};
    return each_job(d, n, merge_column, &m);
}

typedef struct {
    const dfsum *d;
    ops_col *cols;
    engine_column *out;
} finish_job;

static int finish_column(void *ctx, size_t j)
{
    const finish_job *f = ctx;
    return ops_col_finish(&f->cols[j], f->d->pct, f->d->npct, &f->out[j].sum);
}

/* The exact selection of quantiles is the costly part. */
static dfsum_status finish_alone(dfsum *d, ops_col *cols, size_t n,
                                 engine_column *out)
{
    finish_job f = {d, cols, out};
    return each_job(d, n, finish_column, &f);
}

/* ---- text tables to their owners --------------------------------------- */

/* The text tables that travel: text and na_text of each object column,
 * in column order (the same list on every process, as the dtype is
 * global once the columns adopted the global flats). */
typedef struct {
    ops_distinct ***slot; /* where each table lives in its column */
    size_t n;
    int nprocs;
    ops_buf *out;  /* [nprocs]: the packed entries for each process */
    uint64_t *seg; /* [n * nprocs]: bytes of table k for process p */
} text_route;

static void route_free(text_route *r)
{
    for (int p = 0; r->out && p < r->nprocs; p++)
        ops_buf_free(&r->out[p]);
    free(r->out);
    free(r->seg);
    free(r->slot);
}

static int route_init(text_route *r, ops_col *cols, size_t n, int nprocs)
{
    *r = (text_route){.nprocs = nprocs};
    r->slot = calloc(2 * n + 1, sizeof *r->slot);
    r->out = calloc((size_t)nprocs, sizeof *r->out);
    if (!r->slot || !r->out)
        return -1;
    for (size_t j = 0; j < n; j++) {
        if (ops_col_dtype(&cols[j]) != OPS_DT_OBJECT)
            continue;
        r->slot[r->n++] = &cols[j].text;
        r->slot[r->n++] = &cols[j].na_text;
    }
    r->seg = calloc(r->n * (size_t)nprocs + 1, sizeof *r->seg);
    return r->seg ? 0 : -1;
}

/* Packs every table, remembering how many bytes each adds for each
 * process (the receiver splits its bytes back into tables by them). */
static int route_pack(text_route *r)
{
    for (size_t k = 0; k < r->n; k++) {
        uint64_t *seg = &r->seg[k * (size_t)r->nprocs];
        for (int p = 0; p < r->nprocs; p++)
            seg[p] = r->out[p].len;
        if (ops_distinct_pack(*r->slot[k], (unsigned)r->nprocs, r->out) != 0)
            return -1;
        for (int p = 0; p < r->nprocs; p++)
            seg[p] = r->out[p].len - seg[p];
    }
    return 0;
}

/* What goes to process p: the n segment sizes, then the segments. */
static size_t message_size(const text_route *r, int p)
{
    return r->n * sizeof(uint64_t) + r->out[p].len;
}

/* Lays the messages out one after the other in one buffer. */
static char *route_messages(const text_route *r, MPI_Count *counts,
                            MPI_Aint *displs)
{
    size_t total = 0;
    for (int p = 0; p < r->nprocs; p++) {
        counts[p] = (MPI_Count)message_size(r, p);
        displs[p] = (MPI_Aint)total;
        total += message_size(r, p);
    }
    char *buf = malloc(total + 1);
    for (int p = 0; buf && p < r->nprocs; p++) {
        char *at = buf + displs[p];
        for (size_t k = 0; k < r->n; k++, at += sizeof(uint64_t))
            memcpy(at, &r->seg[k * (size_t)r->nprocs + (size_t)p],
                   sizeof(uint64_t));
        if (r->out[p].len > 0)
            memcpy(at, r->out[p].data, r->out[p].len);
    }
    return buf;
}

#if MPI_VERSION >= 4
static void alltoallv_bytes(const char *send, const MPI_Count *scount,
                            const MPI_Aint *sdispl, char *recv,
                            const MPI_Count *rcount, const MPI_Aint *rdispl,
                            MPI_Comm comm)
{
    MPI_Alltoallv_c(send, scount, sdispl, MPI_BYTE, recv, rcount, rdispl,
                    MPI_BYTE, comm);
}
#else
#error "MPI 4 (large counts) is required"
#endif

/* Adds the entries of one message (from one process) to the fresh
 * tables. -1 when out of memory or when the message is malformed. */
static int unpack_message(const text_route *r, const char *msg, size_t len,
                          ops_distinct **fresh)
{
    size_t head = r->n * sizeof(uint64_t), at = head;
    if (len < head)
        return -1;
    for (size_t k = 0; k < r->n; k++) {
        uint64_t seg;
        memcpy(&seg, msg + k * sizeof seg, sizeof seg);
        if (seg > len - at)
            return -1;
        if (seg > 0 && ops_distinct_unpack(&fresh[k], msg + at, seg) != 0)
            return -1;
        at += seg;
    }
    return 0;
}

/* Every process gets the sizes of what the others send, then the bytes. */
static int route_exchange(text_route *r, MPI_Comm comm, ops_distinct **fresh)
{
    size_t np = (size_t)r->nprocs;
    MPI_Count *cnt = calloc(2 * np, sizeof *cnt); /* sent, then received */
    MPI_Aint *dsp = calloc(2 * np, sizeof *dsp);
    char *send = cnt && dsp ? route_messages(r, cnt, dsp) : NULL;
    int failed = send == NULL;
    for (size_t p = 0; send && p < np; p++) /* copied: keep one copy */
        ops_buf_free(&r->out[p]);
    MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, comm);
    if (failed) {
        free(send), free(dsp), free(cnt);
        return -1;
    }
    MPI_Alltoall(cnt, 1, MPI_COUNT, cnt + np, 1, MPI_COUNT, comm);
    size_t total = 0;
    for (size_t p = 0; p < np; p++) {
        dsp[np + p] = (MPI_Aint)total;
        total += (size_t)cnt[np + p];
    }
    char *recv = malloc(total + 1);
    int bad = recv == NULL;
    MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm);
    if (!bad)
        alltoallv_bytes(send, cnt, dsp, recv, cnt + np, dsp + np, comm);
    for (size_t p = 0; !bad && p < np; p++)
        bad = unpack_message(r, recv + dsp[np + p], (size_t)cnt[np + p], fresh);
    free(recv), free(send), free(dsp), free(cnt);
    return bad ? -1 : 0;
}

/* Replaces every object column's tables by the entries this process owns,
 * gathered from all processes. */
static dfsum_status route_text(dfsum *d, ops_col *cols, size_t n)
{
    text_route r;
    int failed =
        route_init(&r, cols, n, engine_nprocs(d)) != 0 || route_pack(&r) != 0;
    ops_distinct **fresh = calloc(r.n + 1, sizeof *fresh);
    failed |= fresh == NULL;
    MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MAX, d->comm);
    if (!failed && r.n > 0)
        failed = route_exchange(&r, d->comm, fresh) != 0;
    for (size_t k = 0; fresh && k < r.n; k++) {
        ops_distinct_free(*r.slot[k]);
        *r.slot[k] = failed ? NULL : fresh[k];
        if (failed)
            ops_distinct_free(fresh[k]);
    }
    free(fresh);
    route_free(&r);
    return engine_agree(
        d, failed ? engine_fail(d, DFSUM_ENOMEM, "out of memory") : DFSUM_OK,
        0);
}

/* ---- the reducer ops/ finishes columns with ------------------------------ */

typedef struct {
    MPI_Comm comm;
    int rank, nprocs;
    uint64_t *cands; /* [3 * nprocs]: every process's (count, first, len) */
    char *text;      /* the best text, NUL-terminated */
    size_t cap;
} reducer_ctx;

static int sum_u64(void *ctx, uint64_t *counts, size_t n)
{
    reducer_ctx *r = ctx;
    while (n > 0) {
        int part = n < INT_MAX ? (int)n : INT_MAX;
        MPI_Allreduce(MPI_IN_PLACE, counts, part, MPI_UINT64_T, MPI_SUM,
                      r->comm);
        counts += part;
        n -= (size_t)part;
    }
    return 0;
}

/* The process whose candidate is best: highest count, then smallest first
 * position, then lowest rank; -1 when no process has one. */
static int best_candidate(const uint64_t *c, int nprocs)
{
    int best = -1;
    for (int p = 0; p < nprocs; p++) {
        const uint64_t *x = &c[3 * p];
        if (x[0] == 0)
            continue;
        const uint64_t *b = best < 0 ? NULL : &c[3 * best];
        if (!b || x[0] > b[0] || (x[0] == b[0] && x[1] < b[1]))
            best = p;
    }
    return best;
}

static void bcast_bytes(char *buf, size_t n, int root, MPI_Comm comm)
{
    while (n > 0) {
        int part = n < INT_MAX ? (int)n : INT_MAX;
        MPI_Bcast(buf, part, MPI_BYTE, root, comm);
        buf += part;
        n -= (size_t)part;
    }
}

static int grow_text(reducer_ctx *r, size_t need)
{
    if (need <= r->cap)
        return 0;
    char *text = realloc(r->text, need);
    if (!text)
        return -1;
    r->text = text;
    r->cap = need;
    return 0;
}

/* Every process learns who holds the best candidate, and only its bytes
 * travel (a broadcast from it, rather than gathering every candidate). */
static int best_text(void *ctx, const char **s, size_t *len, uint64_t *count,
                     uint64_t *first)
{
    reducer_ctx *r = ctx;
    uint64_t mine[3] = {*count, *first, *count ? *len : 0};
    MPI_Allgather(mine, 3, MPI_UINT64_T, r->cands, 3, MPI_UINT64_T, r->comm);
    int best = best_candidate(r->cands, r->nprocs);
    if (best < 0) {
        *count = 0;
        return 0;
    }
    size_t n = (size_t)r->cands[3 * best + 2];
    if (grow_text(r, n + 1) != 0)
        return -1;
    if (best == r->rank && n > 0)
        memmove(r->text, *s, n);
    bcast_bytes(r->text, n, best, r->comm);
    r->text[n] = '\0';
    *s = r->text;
    *len = n;
    *count = r->cands[3 * best];
    *first = r->cands[3 * best + 1];
    return 0;
}

/* Finishes the columns one after the other: every call is collective, so
 * every process must make them in the same order. */
static int finish_shared(dfsum *d, ops_col *cols, size_t n, engine_column *out)
{
    reducer_ctx ctx = {
        .comm = d->comm, .rank = engine_rank(d), .nprocs = engine_nprocs(d)};
    ctx.cands = malloc(3 * (size_t)ctx.nprocs * sizeof *ctx.cands);
    ops_reducer red = {sum_u64, best_text, &ctx};
    int failed = ctx.cands == NULL, ctx_failed;
    MPI_Allreduce(&failed, &ctx_failed, 1, MPI_INT, MPI_MAX, d->comm);
    /* A process that failed on one column keeps making the calls of the
     * others, so that no process waits for it in vain. */
    for (size_t j = 0; !ctx_failed && j < n; j++)
        failed |= ops_col_finish_reduced(&cols[j], d->pct, d->npct, &red,
                                         &out[j].sum) != 0;
    free(ctx.cands);
    free(ctx.text);
    return failed;
}

dfsum_status engine_finish_reduced(dfsum *d, ops_col *cols, size_t n,
                                   engine_column *out)
{
    if (d->comm == MPI_COMM_NULL)
        return finish_alone(d, cols, n, out);
    dfsum_status st = route_text(d, cols, n);
    if (st != DFSUM_OK)
        return st;
    int failed = finish_shared(d, cols, n, out);
    return engine_agree(
        d, failed ? engine_fail(d, DFSUM_ENOMEM, "out of memory") : DFSUM_OK,
        0);
}
