/*
 * frame.c - describe a program's own arrays: the dfsum_frame accumulator.
 *
 * A frame is a list of named column partials (ops_col) in first-use order,
 * each with its own row counter: a column's values are numbered in the
 * order they arrive, and that number is the position ops/ breaks `top`
 * ties with. A batch is one typed ops_col_add_* call after a hash lookup of
 * the name, so many small batches cost about what one big call does.
 *
 * A column keeps one family (numbers, bools or text): ops/ can type a mix
 * only by re-reading the raw text of a file, which arrays do not have, so
 * a mix is refused when it is added, before anything changes.
 *
 * Describing finishes every column (in parallel, as describe.c does) and
 * builds the table. With a communicator the frames of all processes are one
 * table: the processes agree on the column layout, number their rows
 * globally (lower ranks first) and reduce the partials exactly (reduce.c).
 */
#include "engine.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The source name of a frame's result (dfsum_result_source, JSON "file"). */
#define FRAME_SOURCE "<memory>"

/* int32 values are widened to int64 this many at a time, on the stack. */
#define FRAME_WIDEN_BATCH 1024

typedef enum {
    FAMILY_NUMBER = 1,
    FAMILY_BOOL = 2,
    FAMILY_TEXT = 3
} frame_family;

/* Which arrays fed a number column: an empty one takes its dtype from them. */
enum { KIND_FLOAT = 1u << 0, KIND_INT = 1u << 1 };

typedef struct {
    char *name;    /* owned */
    uint64_t rows; /* rows added so far: the position of the next one */
    frame_family family;
    unsigned kinds; /* KIND_* */
} frame_meta;

struct dfsum_frame {
    dfsum *d;         /* options and describe's messages */
    ops_col *cols;    /* one array: the reduce steps take it as it is */
    frame_meta *meta; /* parallel to cols */
    size_t n, cap;
    uint32_t *index;   /* open addressing by name: column + 1, 0 = free */
    size_t index_size; /* a power of two, 2 * cap: never over half full */
    char errmsg[ENGINE_MSG_MAX];
};

/* The adder of one array type: rows v[0..n) at positions pos0... */
typedef int (*frame_adder)(ops_col *c, const void *v, size_t n,
                           const uint8_t *valid, uint64_t pos0);

static dfsum_status frame_fail(dfsum_frame *f, dfsum_status status,
                               const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static dfsum_status frame_fail(dfsum_frame *f, dfsum_status status,
                               const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->errmsg, sizeof f->errmsg, fmt, ap);
    va_end(ap);
    return status;
}

static const char *family_name(frame_family family)
{
    switch (family) {
    case FAMILY_NUMBER:
        return "numbers";
    case FAMILY_BOOL:
        return "bools";
    case FAMILY_TEXT:
        break;
    }
    return "text";
}

/* ---- columns by name ---------------------------------------------------- */

/* FNV-1a: names are short and the table is small. */
static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211u;
    return h;
}

#define HASH_SEED 14695981039346656037u

static uint64_t name_hash(const char *name)
{
    return hash_bytes(HASH_SEED, name, strlen(name));
}

/* The index of the column called name, or f->n when there is none. */
static size_t find_column(const dfsum_frame *f, const char *name)
{
    if (f->index_size == 0)
        return f->n;
    size_t mask = f->index_size - 1;
    for (size_t i = name_hash(name) & mask;; i = (i + 1) & mask) {
        uint32_t slot = f->index[i];
        if (slot == 0)
            return f->n;
        if (strcmp(f->meta[slot - 1].name, name) == 0)
            return slot - 1;
    }
}

static void index_put(dfsum_frame *f, size_t col)
{
    size_t mask = f->index_size - 1;
    size_t i = name_hash(f->meta[col].name) & mask;
    while (f->index[i] != 0)
        i = (i + 1) & mask;
    f->index[i] = (uint32_t)(col + 1);
}

/* Room for one more column. On failure the frame is unchanged (a larger
 * array may have been kept, which is harmless). */
static int grow(dfsum_frame *f)
{
    if (f->n < f->cap)
        return 0;
    size_t cap = f->cap ? 2 * f->cap : 8;
    if (cap > UINT32_MAX / 2)
        return -1;
    ops_col *cols = realloc(f->cols, cap * sizeof *cols);
    if (!cols)
        return -1;
    f->cols = cols;
    frame_meta *meta = realloc(f->meta, cap * sizeof *meta);
    if (!meta)
        return -1;
    f->meta = meta;
    uint32_t *index = calloc(2 * cap, sizeof *index);
    if (!index)
        return -1;
    free(f->index);
    f->index = index;
    f->index_size = 2 * cap;
    f->cap = cap;
    for (size_t j = 0; j < f->n; j++)
        index_put(f, j);
    return 0;
}

/* Adds an empty column (the name is not in the frame yet). */
static dfsum_status new_column(dfsum_frame *f, const char *name,
                               frame_family family, size_t *out)
{
    char *copy = strdup(name);
    if (!copy || grow(f) != 0) {
        free(copy);
        return frame_fail(f, DFSUM_ENOMEM, "out of memory");
    }
    ops_col_init(&f->cols[f->n]);
    f->meta[f->n] = (frame_meta){.name = copy, .family = family};
    index_put(f, f->n);
    *out = f->n++;
    return DFSUM_OK;
}

/* Refuses a batch of another family than the column's. */
static dfsum_status check_family(dfsum_frame *f, size_t j, frame_family family)
{
    if (j >= f->n || f->meta[j].family == family)
        return DFSUM_OK;
    return frame_fail(
        f, DFSUM_EINVAL, "column '%s' holds %s: cannot add %s to it",
        f->meta[j].name, family_name(f->meta[j].family), family_name(family));
}

/* The column called name, created when new. */
static dfsum_status column_for(dfsum_frame *f, const char *name,
                               frame_family family, size_t *out)
{
    size_t j = find_column(f, name);
    dfsum_status st = check_family(f, j, family);
    if (st != DFSUM_OK)
        return st;
    if (j < f->n) {
        *out = j;
        return DFSUM_OK;
    }
    return new_column(f, name, family, out);
}

/* Frees every column; the frame is empty and may be filled again. */
static void frame_clear(dfsum_frame *f)
{
    for (size_t j = 0; j < f->n; j++) {
        ops_col_free(&f->cols[j]);
        free(f->meta[j].name);
    }
    f->n = 0;
    if (f->index)
        memset(f->index, 0, f->index_size * sizeof *f->index);
}

/* ---- create / free ------------------------------------------------------ */

dfsum_status dfsum_frame_create(dfsum *d, dfsum_frame **out)
{
    if (!d)
        return DFSUM_EINVAL;
    if (!out)
        return engine_fail(d, DFSUM_EINVAL, "missing argument");
    dfsum_frame *f = calloc(1, sizeof *f);
    if (!f)
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    f->d = d;
    *out = f;
    return DFSUM_OK;
}

void dfsum_frame_free(dfsum_frame *f)
{
    if (!f)
        return;
    frame_clear(f);
    free(f->cols);
    free(f->meta);
    free(f->index);
    free(f);
}

const char *dfsum_frame_errmsg(const dfsum_frame *f)
{
    return f ? f->errmsg : "no frame";
}

/* ---- adding arrays ------------------------------------------------------ */

static int add_f64(ops_col *c, const void *v, size_t n, const uint8_t *valid,
                   uint64_t pos0)
{
    return ops_col_add_f64(c, v, n, valid, pos0);
}

static int add_f32(ops_col *c, const void *v, size_t n, const uint8_t *valid,
                   uint64_t pos0)
{
    return ops_col_add_f32(c, v, n, valid, pos0);
}

static int add_i64(ops_col *c, const void *v, size_t n, const uint8_t *valid,
                   uint64_t pos0)
{
    return ops_col_add_i64(c, v, n, valid, pos0);
}

/* int32 goes in as int64 (the same values, the same dtype), widened a
 * stack buffer at a time: no allocation per call. */
static int add_i32(ops_col *c, const void *v, size_t n, const uint8_t *valid,
                   uint64_t pos0)
{
    const int32_t *src = v;
    int64_t wide[FRAME_WIDEN_BATCH];
    for (size_t at = 0; at < n; at += FRAME_WIDEN_BATCH) {
        size_t k = n - at < FRAME_WIDEN_BATCH ? n - at : FRAME_WIDEN_BATCH;
        for (size_t i = 0; i < k; i++)
            wide[i] = src[at + i];
        int rc =
            ops_col_add_i64(c, wide, k, valid ? valid + at : NULL, pos0 + at);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int add_bool(ops_col *c, const void *v, size_t n, const uint8_t *valid,
                    uint64_t pos0)
{
    return ops_col_add_bool(c, v, n, valid, pos0);
}

/* Text has no mask: a NULL pointer is missing. */
static int add_text(ops_col *c, const void *v, size_t n, const uint8_t *valid,
                    uint64_t pos0)
{
    const char *const *s = v;
    (void)valid;
    for (size_t i = 0; i < n; i++) {
        int rc = ops_col_add_str(c, s[i], s[i] ? strlen(s[i]) : 0, pos0 + i);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static dfsum_status check_args(dfsum_frame *f, const char *name, const void *v,
                               size_t n)
{
    if (!f)
        return DFSUM_EINVAL;
    if (!name)
        return frame_fail(f, DFSUM_EINVAL, "NULL column name");
    if (!v && n > 0)
        return frame_fail(f, DFSUM_EINVAL, "column '%s': NULL values", name);
    return DFSUM_OK;
}

/* The one path of every add: find or create the column, append the batch
 * at the column's next positions. Values were checked before, so the
 * adder can only run out of memory (the column may then hold part of the
 * batch). */
static dfsum_status add_array(dfsum_frame *f, const char *name,
                              frame_family family, unsigned kind,
                              frame_adder add, const void *v, size_t n,
                              const uint8_t *valid)
{
    size_t j = 0;
    dfsum_status st = check_args(f, name, v, n);
    if (st == DFSUM_OK)
        st = column_for(f, name, family, &j);
    if (st != DFSUM_OK)
        return st;
    if (add(&f->cols[j], v, n, valid, f->meta[j].rows) != 0)
        return frame_fail(f, DFSUM_ENOMEM, "out of memory");
    f->meta[j].rows += n;
    f->meta[j].kinds |= kind;
    return DFSUM_OK;
}

dfsum_status dfsum_frame_add_double(dfsum_frame *f, const char *name,
                                    const double *v, size_t n,
                                    const uint8_t *valid)
{
    return add_array(f, name, FAMILY_NUMBER, KIND_FLOAT, add_f64, v, n, valid);
}

dfsum_status dfsum_frame_add_float(dfsum_frame *f, const char *name,
                                   const float *v, size_t n,
                                   const uint8_t *valid)
{
    return add_array(f, name, FAMILY_NUMBER, KIND_FLOAT, add_f32, v, n, valid);
}

dfsum_status dfsum_frame_add_int64(dfsum_frame *f, const char *name,
                                   const int64_t *v, size_t n,
                                   const uint8_t *valid)
{
    return add_array(f, name, FAMILY_NUMBER, KIND_INT, add_i64, v, n, valid);
}

dfsum_status dfsum_frame_add_int32(dfsum_frame *f, const char *name,
                                   const int32_t *v, size_t n,
                                   const uint8_t *valid)
{
    return add_array(f, name, FAMILY_NUMBER, KIND_INT, add_i32, v, n, valid);
}

dfsum_status dfsum_frame_add_bool(dfsum_frame *f, const char *name,
                                  const uint8_t *v, size_t n,
                                  const uint8_t *valid)
{
    return add_array(f, name, FAMILY_BOOL, 0, add_bool, v, n, valid);
}

/* The first value of v[0..n) that is not UTF-8, or n. */
static size_t first_bad_utf8(const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] && !ops_utf8_valid(v[i], strlen(v[i])))
            return i;
    return n;
}

/* Every value is checked before any is counted, so a refused batch leaves
 * the column as it was. */
dfsum_status dfsum_frame_add_text(dfsum_frame *f, const char *name,
                                  const char *const *v, size_t n)
{
    size_t bad = f && name && v ? first_bad_utf8(v, n) : n;
    if (bad < n)
        return frame_fail(f, DFSUM_EINVAL,
                          "column '%s': value %zu of the batch is not "
                          "valid UTF-8",
                          name, bad);
    return add_array(f, name, FAMILY_TEXT, 0, add_text, v, n, NULL);
}

/* ---- merge -------------------------------------------------------------- */

/* Refuses the merge before anything moves when a column's family differs. */
static dfsum_status check_merge(dfsum_frame *into, const dfsum_frame *from)
{
    for (size_t j = 0; j < from->n; j++) {
        size_t k = find_column(into, from->meta[j].name);
        dfsum_status st = check_family(into, k, from->meta[j].family);
        if (st != DFSUM_OK)
            return st;
    }
    return DFSUM_OK;
}

/* into's column named like from's column j += it; from's rows are
 * numbered after into's. */
static dfsum_status merge_column(dfsum_frame *into, dfsum_frame *from, size_t j)
{
    const frame_meta *m = &from->meta[j];
    size_t k = 0;
    dfsum_status st = column_for(into, m->name, m->family, &k);
    if (st != DFSUM_OK)
        return st;
    ops_col_shift(&from->cols[j], into->meta[k].rows);
    if (ops_col_merge(&into->cols[k], &from->cols[j]) != 0)
        return frame_fail(into, DFSUM_ENOMEM, "out of memory");
    into->meta[k].rows += m->rows;
    into->meta[k].kinds |= m->kinds;
    return DFSUM_OK;
}

dfsum_status dfsum_frame_merge(dfsum_frame *into, dfsum_frame *from)
{
    if (!into)
        return DFSUM_EINVAL;
    if (!from || from == into)
        return frame_fail(into, DFSUM_EINVAL,
                          from ? "cannot merge a frame into itself"
                               : "missing argument");
    dfsum_status st = check_merge(into, from);
    for (size_t j = 0; st == DFSUM_OK && j < from->n; j++)
        st = merge_column(into, from, j);
    if (st == DFSUM_OK)
        frame_clear(from);
    return st;
}

/* ---- finishing ---------------------------------------------------------- */

/* ops/ types a column by its values. A frame column without any value
 * takes its dtype from its arrays, as pd.DataFrame does (pandas 1.5.3):
 * no rows at all: float64 (double/float), int64, bool, object; only
 * missing values: float64 for numbers (an int column with None is float),
 * object for bools and text (count 0, unique 0). */
static ops_dtype dtype_without_values(const frame_meta *m)
{
    if (m->family == FAMILY_NUMBER)
        return m->rows > 0 || (m->kinds & KIND_FLOAT) ? OPS_DT_FLOAT64
                                                      : OPS_DT_INT64;
    if (m->family == FAMILY_BOOL && m->rows == 0)
        return OPS_DT_BOOL;
    return OPS_DT_OBJECT;
}

/* Applies dtype_without_values; a numeric dtype gets its NaN quantiles. */
static int fix_empty(ops_summary *s, const frame_meta *m, size_t npct)
{
    if (s->count != 0)
        return 0;
    s->dtype = dtype_without_values(m);
    if (npct == 0 || s->quantiles || m->family != FAMILY_NUMBER)
        return 0;
    s->quantiles = malloc(npct * sizeof *s->quantiles);
    if (!s->quantiles)
        return -1;
    for (size_t i = 0; i < npct; i++)
        s->quantiles[i] = NAN;
    s->npct = npct;
    return 0;
}

/* Names and empty-column dtypes of finished summaries, then the table. */
static dfsum_status build(dfsum_frame *f, engine_column *ec, dfsum_result **out)
{
    for (size_t j = 0; j < f->n; j++) {
        ec[j].name = f->meta[j].name;
        if (fix_empty(&ec[j].sum, &f->meta[j], f->d->npct) != 0)
            return engine_fail(f->d, DFSUM_ENOMEM, "out of memory");
    }
    return engine_result_build(f->d, FRAME_SOURCE, ec, f->n, out);
}

static void free_summaries(engine_column *ec, size_t n)
{
    for (size_t j = 0; ec && j < n; j++)
        ops_summary_free(&ec[j].sum);
    free(ec);
}

static const char *meta_name(const void *f, size_t i)
{
    return ((const dfsum_frame *)f)->meta[i].name;
}

/* Keeps only the listed columns, in the listed order, and frees the
 * others (describe clears the frame afterwards anyway, its name index
 * with it). Every process makes the same choice from the same layout. */
static dfsum_status select_columns(dfsum_frame *f)
{
    if (f->d->ncolumns == 0 || f->n == 0)
        return DFSUM_OK;
    size_t *pick = NULL, m = 0;
    dfsum_status st =
        engine_pick_columns(f->d, FRAME_SOURCE, f->n, meta_name, f, &pick, &m);
    unsigned char *taken = calloc(f->n, 1);
    ops_col *cols = malloc(m * sizeof *cols + 1);
    frame_meta *meta = malloc(m * sizeof *meta + 1);
    if (st == DFSUM_OK && (!taken || !cols || !meta))
        st = engine_fail(f->d, DFSUM_ENOMEM, "out of memory");
    for (size_t i = 0; st == DFSUM_OK && i < m; i++) {
        cols[i] = f->cols[pick[i]];
        meta[i] = f->meta[pick[i]];
        taken[pick[i]] = 1; /* the list names each column once */
    }
    for (size_t j = 0; st == DFSUM_OK && j < f->n; j++)
        if (!taken[j]) {
            ops_col_free(&f->cols[j]);
            free(f->meta[j].name);
        }
    if (st == DFSUM_OK) {
        memcpy(f->cols, cols, m * sizeof *cols);
        memcpy(f->meta, meta, m * sizeof *meta);
        f->n = m;
    }
    free(pick);
    free(taken);
    free(cols);
    free(meta);
    return st;
}

/* The describe of one process. */
static dfsum_status describe_here(dfsum_frame *f, dfsum_result **out)
{
    if (f->n == 0)
        return engine_fail(f->d, DFSUM_EEMPTY, "the frame has no columns");
    dfsum_status st = select_columns(f);
    if (st != DFSUM_OK)
        return st;
    engine_column *ec = calloc(f->n, sizeof *ec);
    if (!ec)
        return engine_fail(f->d, DFSUM_ENOMEM, "out of memory");
    /* Alone, this finishes the columns here, threads sharing them. */
    st = engine_finish_reduced(f->d, f->cols, f->n, ec);
    if (st == DFSUM_OK)
        st = build(f, ec, out);
    free_summaries(ec, f->n);
    return st;
}

/* ---- across processes --------------------------------------------------- */

/* A digest of the column names, order and families. */
static uint64_t layout_hash(const dfsum_frame *f)
{
    uint64_t n = f->n;
    uint64_t h = hash_bytes(HASH_SEED, &n, sizeof n);
    for (size_t j = 0; j < f->n; j++) {
        const frame_meta *m = &f->meta[j];
        unsigned char family = (unsigned char)m->family;
        h = hash_bytes(h, m->name, strlen(m->name) + 1);
        h = hash_bytes(h, &family, 1);
    }
    return h;
}

/* Every process must hold the same columns in the same order: the minimum
 * of h and of ~h give the smallest and the largest digest in one call. */
static dfsum_status agree_layout(dfsum_frame *f)
{
    uint64_t h = layout_hash(f);
    uint64_t v[2] = {h, ~h};
    MPI_Allreduce(MPI_IN_PLACE, v, 2, MPI_UINT64_T, MPI_MIN, f->d->comm);
    if (v[0] != ~v[1])
        return engine_fail(f->d, DFSUM_EINVAL,
                           "the processes added different columns: each "
                           "must add the same names, in the same order, "
                           "with the same kinds of values");
    if (f->n == 0)
        return engine_fail(f->d, DFSUM_EEMPTY, "the frame has no columns");
    if (f->n > INT_MAX)
        return engine_fail(f->d, DFSUM_EINVAL, "too many columns");
    return DFSUM_OK;
}

/* Makes positions global (rows of lower ranks first), and row counts and
 * array kinds those of the whole table. buf holds 3 * n words. */
static void number_rows(dfsum_frame *f, uint64_t *buf)
{
    int n = (int)f->n;
    uint64_t *rows = buf, *first = buf + f->n, *kinds = buf + 2 * f->n;
    for (size_t j = 0; j < f->n; j++) {
        rows[j] = f->meta[j].rows;
        kinds[j] = f->meta[j].kinds;
    }
    MPI_Comm comm = f->d->comm;
    MPI_Exscan(rows, first, n, MPI_UINT64_T, MPI_SUM, comm);
    if (engine_rank(f->d) == 0) /* Exscan leaves rank 0's output undefined */
        memset(first, 0, f->n * sizeof *first);
    MPI_Allreduce(MPI_IN_PLACE, rows, n, MPI_UINT64_T, MPI_SUM, comm);
    MPI_Allreduce(MPI_IN_PLACE, kinds, n, MPI_UINT64_T, MPI_BOR, comm);
    for (size_t j = 0; j < f->n; j++) {
        ops_col_shift(&f->cols[j], first[j]);
        f->meta[j].rows = rows[j];
        f->meta[j].kinds = (unsigned)kinds[j];
    }
}

/* Reduces the partials and builds the same table on every process. */
static dfsum_status reduce_and_build(dfsum_frame *f, engine_column *ec,
                                     dfsum_result **out)
{
    dfsum *d = f->d;
    dfsum_result *r = NULL;
    dfsum_status st = engine_reduce_flats(d, f->cols, f->n);
    if (st == DFSUM_OK)
        st = engine_finish_reduced(d, f->cols, f->n, ec);
    if (st != DFSUM_OK)
        return st;
    st = engine_agree(d, build(f, ec, &r), 0);
    if (st == DFSUM_OK)
        *out = r;
    else
        dfsum_result_free(r);
    return st;
}

/* The collective describe: every process gets the same result. */
static dfsum_status describe_across(dfsum_frame *f, dfsum_result **out)
{
    dfsum *d = f->d;
    dfsum_status st = agree_layout(f);
    if (st == DFSUM_OK) /* the same layout: the same outcome everywhere */
        st = engine_agree(d, select_columns(f), 0);
    if (st != DFSUM_OK)
        return st;
    uint64_t *buf = malloc(3 * f->n * sizeof *buf);
    engine_column *ec = calloc(f->n, sizeof *ec);
    st = buf && ec ? DFSUM_OK : engine_fail(d, DFSUM_ENOMEM, "out of memory");
    st = engine_agree(d, st, 0);
    if (st == DFSUM_OK) {
        number_rows(f, buf);
        st = reduce_and_build(f, ec, out);
    }
    free(buf);
    free_summaries(ec, f->n);
    return st;
}

dfsum_status dfsum_frame_describe(dfsum_frame *f, dfsum_result **out)
{
    if (!f)
        return DFSUM_EINVAL;
    if (!out)
        return frame_fail(f, DFSUM_EINVAL, "missing argument");
    f->d->errmsg[0] = '\0';
    dfsum_status st = engine_nprocs(f->d) > 1 ? describe_across(f, out)
                                              : describe_here(f, out);
    if (st != DFSUM_OK)
        snprintf(f->errmsg, sizeof f->errmsg, "%s", f->d->errmsg);
    frame_clear(f);
    return st;
}
