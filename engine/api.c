/*
 * api.c - the session handle: creation, typed option setters, status text.
 *
 * Setters validate everything up front so that describe never meets a bad
 * option; a failed setter leaves the previous value in place.
 */
#include "engine.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double default_pct[] = {0.25, 0.5, 0.75};

const char *dfsum_version(void)
{
    return DFSUM_VERSION_STRING;
}

const char *dfsum_strerror(dfsum_status status)
{
    switch (status) {
#define DFSUM_STATUS_TEXT_(name, code, text)                                   \
    case DFSUM_##name:                                                         \
        return text;
        DFSUM_STATUS_LIST(DFSUM_STATUS_TEXT_)
#undef DFSUM_STATUS_TEXT_
    }
    return "unknown status";
}

const char *dfsum_status_name(dfsum_status status)
{
    switch (status) {
#define DFSUM_STATUS_NAME_(name, code, text)                                   \
    case DFSUM_##name:                                                         \
        return "DFSUM_" #name;
        DFSUM_STATUS_LIST(DFSUM_STATUS_NAME_)
#undef DFSUM_STATUS_NAME_
    }
    return "DFSUM_UNKNOWN";
}

dfsum_status engine_fail(dfsum *d, dfsum_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->errmsg, sizeof d->errmsg, fmt, ap);
    va_end(ap);
    return status;
}

dfsum_status engine_status_of_io(io_status status)
{
    static const dfsum_status map[] = {
        [IO_OK] = DFSUM_OK,
        [IO_ENOMEM] = DFSUM_ENOMEM,
        [IO_EIO] = DFSUM_EIO,
        [IO_EPARSE] = DFSUM_EPARSE,
        [IO_EEMPTY] = DFSUM_EEMPTY,
        [IO_ENOTFOUND] = DFSUM_ENOTFOUND,
        [IO_EUNSUPPORTED] = DFSUM_EUNSUPPORTED,
    };
    if ((size_t)status < sizeof map / sizeof map[0])
        return map[status];
    return DFSUM_EIO;
}

dfsum_status engine_fail_io(dfsum *d, const io_error *err)
{
    return engine_fail(d, engine_status_of_io(err->status), "%s", err->msg);
}

dfsum_status dfsum_create(dfsum **out)
{
    dfsum *d = calloc(1, sizeof *d);
    if (!d)
        return DFSUM_ENOMEM;
    d->include = DFSUM_INCLUDE_DEFAULT;
    memcpy(d->pct, default_pct, sizeof default_pct);
    d->npct = 3;
    d->delim = ',';
    d->quote = '"';
    d->decimal = '.';
    d->chunk_size = ENGINE_DEFAULT_CHUNK;
    d->nrows = UINT64_MAX;
    d->comm = MPI_COMM_NULL;
    *out = d;
    return DFSUM_OK;
}

static void free_columns(dfsum *d)
{
    for (size_t i = 0; i < d->ncolumns; i++)
        free(d->columns[i]);
    free(d->columns);
    free(d->listed);
    d->columns = NULL;
    d->listed = NULL;
    d->ncolumns = d->nlisted = 0;
}

/* Frees the session's communicator, if MPI still allows it (a program may
 * finalize MPI before freeing the session). */
static void free_comm(dfsum *d)
{
    int finalized = 1;
    if (d->comm == MPI_COMM_NULL)
        return;
    MPI_Finalized(&finalized);
    if (!finalized)
        MPI_Comm_free(&d->comm);
    d->comm = MPI_COMM_NULL;
}

void engine_strings_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

dfsum_status engine_strings_dup(dfsum *d, const char *const *v, size_t n,
                                char ***out)
{
    for (size_t i = 0; i < n; i++)
        if (!v || !v[i])
            return engine_fail(d, DFSUM_EINVAL, "missing argument");
    char **copy = calloc(n + 1, sizeof *copy);
    int ok = copy != NULL;
    for (size_t i = 0; ok && i < n; i++)
        ok = (copy[i] = strdup(v[i])) != NULL;
    if (!ok) {
        engine_strings_free(copy, n);
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    }
    *out = copy;
    return DFSUM_OK;
}

dfsum_status engine_strings_set(dfsum *d, const char *const *v, size_t n,
                                char ***list, size_t *count)
{
    char **copy;
    dfsum_status st = engine_strings_dup(d, v, n, &copy);
    if (st != DFSUM_OK)
        return st;
    engine_strings_free(*list, *count);
    *list = copy;
    *count = n;
    return DFSUM_OK;
}

static void free_index_cols(dfsum *d)
{
    engine_strings_free(d->index_cols, d->n_index_cols);
    d->index_cols = NULL;
    d->n_index_cols = 0;
}

void dfsum_free(dfsum *d)
{
    if (!d)
        return;
    free_columns(d);
    free_comm(d);
    engine_na_release(d);
    engine_bool_words_release(d);
    free_index_cols(d);
    free(d);
}

/* A duplicate keeps the session's messages apart from the caller's. A
 * communicator of one process is the same as none: no MPI call then. */
dfsum_status dfsum_set_comm(dfsum *d, MPI_Comm comm)
{
    int ready = 0, done = 1, size = 1;
    MPI_Comm dup = MPI_COMM_NULL;
    if (comm != MPI_COMM_NULL) {
        MPI_Initialized(&ready);
        MPI_Finalized(&done);
        if (!ready || done)
            return engine_fail(d, DFSUM_EINVAL, "MPI is not initialized");
        MPI_Comm_size(comm, &size);
        if (size > 1 && MPI_Comm_dup(comm, &dup) != MPI_SUCCESS)
            return engine_fail(d, DFSUM_EINVAL,
                               "cannot duplicate the communicator");
    }
    free_comm(d);
    d->comm = dup;
    return DFSUM_OK;
}

const char *dfsum_errmsg(const dfsum *d)
{
    return d ? d->errmsg : "no session";
}

dfsum_status dfsum_set_kinds(dfsum *d, unsigned include, unsigned exclude)
{
    unsigned every = DFSUM_KIND_NUMBER | DFSUM_KIND_OBJECT | DFSUM_KIND_BOOL;
    if ((include | exclude) & ~every)
        return engine_fail(d, DFSUM_EINVAL, "unknown column kind in %#x, %#x",
                           include, exclude);
    if (include & exclude)
        return engine_fail(d, DFSUM_EINVAL,
                           "the kinds to include and to exclude overlap");
    d->kinds_in = include;
    d->kinds_out = exclude;
    return DFSUM_OK;
}

dfsum_status dfsum_set_include(dfsum *d, dfsum_include include)
{
    if (include != DFSUM_INCLUDE_DEFAULT && include != DFSUM_INCLUDE_ALL)
        return engine_fail(d, DFSUM_EINVAL, "unknown include mode %d",
                           (int)include);
    d->include = include;
    return DFSUM_OK;
}

dfsum_status dfsum_set_percentiles(dfsum *d, const double *p, size_t n)
{
    double norm[sizeof d->pct / sizeof d->pct[0]];
    const char *why = NULL;
    if (n == 0) {
        memcpy(d->pct, default_pct, sizeof default_pct);
        d->npct = 3;
        return DFSUM_OK;
    }
    if (n >= sizeof norm / sizeof norm[0])
        return engine_fail(d, DFSUM_EINVAL, "at most %zu percentiles",
                           sizeof norm / sizeof norm[0] - 1);
    int count = ops_percentiles_normalize(p, n, norm, &why);
    if (count < 0)
        return engine_fail(d, DFSUM_EINVAL, "%s", why);
    memcpy(d->pct, norm, (size_t)count * sizeof norm[0]);
    d->npct = (size_t)count;
    return DFSUM_OK;
}

/* Takes delimiter and quote when io/ accepts them as a dialect (two
 * bytes, neither a line end nor NUL); `what` names the one being set. */
static dfsum_status set_dialect(dfsum *d, char delim, char quote,
                                const char *what, const char *other)
{
    io_csv_opts o = {.delim = delim, .quote = quote};
    if (!io_dialect_ok(&o))
        return engine_fail(d, DFSUM_EINVAL,
                           "the %s cannot be the %s, a newline or NUL", what,
                           other);
    d->delim = delim;
    d->quote = quote;
    return DFSUM_OK;
}

dfsum_status dfsum_set_delimiter(dfsum *d, char delim)
{
    return set_dialect(d, delim, d->quote, "delimiter", "quote character");
}

dfsum_status dfsum_set_quotechar(dfsum *d, char quote)
{
    return set_dialect(d, d->delim, quote, "quote character", "delimiter");
}

dfsum_status dfsum_set_decimal(dfsum *d, char mark)
{
    /* the delimiter and the quote are checked when a file is read, as
     * they may be set after */
    if (!engine_decimal_ok(mark, 0, 0))
        return engine_fail(d, DFSUM_EINVAL,
                           "the decimal mark must be '.' or one ASCII "
                           "punctuation character other than '+' and '-'");
    d->decimal = mark;
    return DFSUM_OK;
}

dfsum_status dfsum_set_thousands(dfsum *d, char sep)
{
    /* beside the decimal mark, delimiter and quote: checked at the read */
    if (sep != 0 && !engine_thousands_ok(sep, 0, 0, 0))
        return engine_fail(d, DFSUM_EINVAL,
                           "the thousands separator must be one ASCII "
                           "punctuation character or a space, other than "
                           "'+' and '-'");
    d->thousands = sep;
    return DFSUM_OK;
}

typedef struct {
    const char *name;
    size_t pos;
} list_entry;

/* By name, then position. */
static int by_name(const void *a, const void *b)
{
    const list_entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* listed[i] for every position i of names[0..n): the index, among the
 * names without repeats in first-seen order, of names[i]. Returns that
 * count; (size_t)-1 out of memory. Sorted, as a list may name thousands. */
static size_t index_names(const char *const *names, size_t n, size_t *listed)
{
    list_entry *order = malloc(n * sizeof *order);
    size_t *first = malloc(n * sizeof *first);
    if (!order || !first) {
        free(order);
        free(first);
        return (size_t)-1;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (list_entry){names[i], i};
    qsort(order, n, sizeof *order, by_name);
    for (size_t k = 0; k < n; k++) { /* the first of a run comes first */
        int repeat = k > 0 && strcmp(order[k].name, order[k - 1].name) == 0;
        first[order[k].pos] = repeat ? first[order[k - 1].pos] : order[k].pos;
    }
    size_t unique = 0;
    for (size_t i = 0; i < n; i++)
        listed[i] = first[i] == i ? unique++ : listed[first[i]];
    free(order);
    free(first);
    return unique;
}

/* The first entry of sorted[0..n) named name, or NULL. */
static const list_entry *find_sorted(const list_entry *sorted, size_t n,
                                     const char *name)
{
    size_t lo = 0, hi = n; /* the first entry not below name is in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(sorted[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(sorted[lo].name, name) == 0 ? &sorted[lo] : NULL;
}

/* The indexes of the session's list among n named columns, by a sorted
 * copy of the names: a list of thousands against a header of thousands
 * stays cheap. */
static dfsum_status pick_listed(dfsum *d, const char *source, size_t n,
                                engine_name_fn name_of, const void *ctx,
                                size_t *sel)
{
    list_entry *sorted = malloc((n + 1) * sizeof *sorted);
    if (!sorted)
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        sorted[i] = (list_entry){name_of(ctx, i), i};
    qsort(sorted, n, sizeof *sorted, by_name);
    dfsum_status st = DFSUM_OK;
    for (size_t j = 0; j < d->ncolumns && st == DFSUM_OK; j++) {
        const list_entry *e = find_sorted(sorted, n, d->columns[j]);
        if (e)
            sel[j] = e->pos;
        else
            st = engine_fail(d, DFSUM_ENOTFOUND, "%s: no column named '%s'",
                             source, d->columns[j]);
    }
    free(sorted);
    return st;
}

dfsum_status engine_pick_columns(dfsum *d, const char *source, size_t n,
                                 engine_name_fn name_of, const void *ctx,
                                 size_t **sel, size_t *nsel)
{
    *nsel = d->ncolumns ? d->ncolumns : n;
    *sel = malloc((*nsel + 1) * sizeof **sel);
    if (!*sel)
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    if (d->ncolumns)
        return pick_listed(d, source, n, name_of, ctx, *sel);
    for (size_t j = 0; j < n; j++)
        (*sel)[j] = j;
    return DFSUM_OK;
}

dfsum_status dfsum_set_columns(dfsum *d, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!names[i])
            return engine_fail(d, DFSUM_EINVAL, "bad column list");
    size_t *listed = n ? malloc(n * sizeof *listed) : NULL;
    size_t unique = !n       ? 0
                    : listed ? index_names(names, n, listed)
                             : (size_t)-1;
    char **copy =
        unique && unique != (size_t)-1 ? calloc(unique, sizeof *copy) : NULL;
    int failed = n && !copy;
    for (size_t i = 0; !failed && i < n; i++)
        if (!copy[listed[i]] && !(copy[listed[i]] = strdup(names[i])))
            failed = 1;
    if (failed) {
        for (size_t k = 0; copy && k < unique; k++)
            free(copy[k]);
        free(copy);
        free(listed);
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    }
    free_columns(d);
    d->columns = copy;
    d->ncolumns = unique;
    d->listed = listed;
    d->nlisted = n;
    return DFSUM_OK;
}

dfsum_status dfsum_set_index_columns(dfsum *d, const char *const *cols,
                                     size_t n)
{
    return engine_strings_set(d, cols, n, &d->index_cols, &d->n_index_cols);
}

dfsum_status dfsum_set_threads(dfsum *d, int threads)
{
    if (threads < 0)
        return engine_fail(d, DFSUM_EINVAL, "threads must be >= 0, got %d",
                           threads);
    d->threads = threads;
    return DFSUM_OK;
}

dfsum_status dfsum_set_chunk_size(dfsum *d, size_t bytes)
{
    if (bytes == 0)
        return engine_fail(d, DFSUM_EINVAL, "chunk size must be >= 1 byte");
    d->chunk_size = bytes;
    return DFSUM_OK;
}

dfsum_status dfsum_set_parser(dfsum *d, dfsum_parser parser)
{
    if (parser != DFSUM_PARSER_AUTO && parser != DFSUM_PARSER_LIBCSV)
        return engine_fail(d, DFSUM_EINVAL, "unknown parser %d", (int)parser);
    d->parser =
        parser == DFSUM_PARSER_LIBCSV ? IO_PARSER_LIBCSV : IO_PARSER_AUTO;
    return DFSUM_OK;
}

dfsum_status dfsum_set_encoding(dfsum *d, const char *name)
{
    io_encoding enc;
    if (!name || !io_encoding_named(name, &enc))
        return engine_fail(d, DFSUM_EINVAL,
                           "unknown encoding '%s' (utf-8, latin-1 or cp1252)",
                           name ? name : "");
    d->encoding = enc;
    return engine_na_reencode(d);
}

dfsum_status dfsum_set_header(dfsum *d, int present)
{
    d->no_header = !present;
    return DFSUM_OK;
}

dfsum_status dfsum_set_nrows(dfsum *d, uint64_t rows)
{
    d->nrows = rows;
    return DFSUM_OK;
}

dfsum_status dfsum_set_skip_rows(dfsum *d, uint64_t rows)
{
    d->skip_rows = rows;
    return DFSUM_OK;
}

dfsum_status dfsum_set_on_bad_lines(dfsum *d, dfsum_bad_lines mode)
{
    if (mode != DFSUM_BAD_LINES_ERROR && mode != DFSUM_BAD_LINES_SKIP &&
        mode != DFSUM_BAD_LINES_WARN)
        return engine_fail(d, DFSUM_EINVAL, "unknown on-bad-lines mode %d",
                           (int)mode);
    d->bad_lines = mode;
    return DFSUM_OK;
}

dfsum_status dfsum_set_progress(dfsum *d, dfsum_progress_fn fn, void *ctx)
{
    d->progress = fn;
    d->progress_ctx = ctx;
    return DFSUM_OK;
}
