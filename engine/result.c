/*
 * result.c - the describe() table: which columns and rows, and the cells.
 *
 * Columns: numeric ones by default, every column when none is numeric or
 * with include=all. Rows: pandas sorts the per-column row lists by length
 * and takes their union, so count/unique/top/freq (4 rows) come before
 * mean/std/min/<percentiles>/max whenever both kinds are present.
 */
#include "engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct dfsum_result {
    char *source;       /* the path as given */
    char *note;         /* what the input left out, one line each; NULL: none */
    uint64_t bad_lines; /* rows left out (dfsum_set_on_bad_lines) */
    size_t ncols, nrows;
    char **names;
    dfsum_dtype *dtypes;
    dfsum_stat *row_stat;
    double *row_pct;
    char (*row_label)[OPS_LABEL_MAX];
    dfsum_cell *cells; /* nrows * ncols, row-major */
    char **texts;      /* owned top values, one per column (may be NULL) */
};

static int is_numeric(ops_dtype t)
{
    return t == OPS_DT_INT64 || t == OPS_DT_UINT64 || t == OPS_DT_FLOAT64;
}

static dfsum_dtype public_dtype(ops_dtype t)
{
    switch (t) {
    case OPS_DT_INT64:
        return DFSUM_DTYPE_INT64;
    case OPS_DT_UINT64:
        return DFSUM_DTYPE_UINT64;
    case OPS_DT_FLOAT64:
        return DFSUM_DTYPE_FLOAT64;
    case OPS_DT_BOOL:
        return DFSUM_DTYPE_BOOL;
    case OPS_DT_OBJECT:
        break;
    }
    return DFSUM_DTYPE_OBJECT;
}

const char *dfsum_dtype_name(dfsum_dtype dtype)
{
    static const char *const names[] = {"int64", "uint64", "float64", "bool",
                                        "object"};
    if ((size_t)dtype < sizeof names / sizeof names[0])
        return names[dtype];
    return "unknown";
}

static unsigned kind_of(ops_dtype dt)
{
    return is_numeric(dt)      ? DFSUM_KIND_NUMBER
           : dt == OPS_DT_BOOL ? DFSUM_KIND_BOOL
                               : DFSUM_KIND_OBJECT;
}

int engine_shows(const dfsum *d, ops_dtype dt, int any_numeric)
{
    if (d->kinds_in | d->kinds_out) {
        unsigned in = d->kinds_in ? d->kinds_in : ~0u;
        return (kind_of(dt) & in & ~d->kinds_out) != 0;
    }
    return d->include == DFSUM_INCLUDE_ALL || !any_numeric || is_numeric(dt);
}

/* Marks which columns describe() keeps; returns how many. */
static size_t select_columns(const dfsum *d, const engine_column *cols,
                             size_t n, unsigned char *keep)
{
    size_t numeric = 0, kept = 0;
    for (size_t i = 0; i < n; i++)
        numeric += is_numeric(cols[i].sum.dtype);
    for (size_t i = 0; i < n; i++)
        kept += keep[i] =
            (unsigned char)engine_shows(d, cols[i].sum.dtype, numeric > 0);
    return kept;
}

static void add_row(dfsum_result *r, dfsum_stat stat, const char *label,
                    double pct)
{
    r->row_stat[r->nrows] = stat;
    r->row_pct[r->nrows] = pct;
    size_t len = strnlen(label, OPS_LABEL_MAX - 1);
    memcpy(r->row_label[r->nrows], label, len);
    r->row_label[r->nrows][len] = '\0';
    r->nrows++;
}

static void add_rows(dfsum_result *r, const dfsum *d, int any_text,
                     int any_numeric)
{
    char labels[sizeof d->pct / sizeof d->pct[0]][OPS_LABEL_MAX];
    add_row(r, DFSUM_STAT_COUNT, "count", NAN);
    if (any_text) {
        add_row(r, DFSUM_STAT_UNIQUE, "unique", NAN);
        add_row(r, DFSUM_STAT_TOP, "top", NAN);
        add_row(r, DFSUM_STAT_FREQ, "freq", NAN);
    }
    if (!any_numeric)
        return;
    ops_percentile_labels(d->pct, d->npct, labels);
    add_row(r, DFSUM_STAT_MEAN, "mean", NAN);
    add_row(r, DFSUM_STAT_STD, "std", NAN);
    add_row(r, DFSUM_STAT_MIN, "min", NAN);
    for (size_t i = 0; i < d->npct; i++)
        add_row(r, DFSUM_STAT_PERCENTILE, labels[i], d->pct[i]);
    add_row(r, DFSUM_STAT_MAX, "max", NAN);
}

static dfsum_cell float_cell(double v)
{
    dfsum_cell c = {.kind = isnan(v) ? DFSUM_CELL_MISSING : DFSUM_CELL_FLOAT,
                    .f = v};
    return c;
}

static dfsum_cell int_cell(uint64_t v)
{
    dfsum_cell c = {.kind = DFSUM_CELL_INT, .i = v};
    return c;
}

/* The cell of a numeric column for one row; NaN cells are missing. */
static dfsum_cell numeric_cell(const ops_summary *s, dfsum_stat stat,
                               size_t pct_index)
{
    switch (stat) {
    case DFSUM_STAT_COUNT:
        return float_cell((double)s->count);
    case DFSUM_STAT_MEAN:
        return float_cell(s->mean);
    case DFSUM_STAT_STD:
        return float_cell(s->std);
    case DFSUM_STAT_MIN:
        return float_cell(s->min);
    case DFSUM_STAT_PERCENTILE:
        return float_cell(s->quantiles[pct_index]);
    case DFSUM_STAT_MAX:
        return float_cell(s->max);
    default:
        return float_cell(NAN);
    }
}

/* The cell of an object or bool column; top and freq are missing when the
 * column has no values. */
static dfsum_cell text_cell(const ops_summary *s, dfsum_stat stat)
{
    dfsum_cell c = {.kind = DFSUM_CELL_MISSING};
    switch (stat) {
    case DFSUM_STAT_COUNT:
        return int_cell(s->count);
    case DFSUM_STAT_UNIQUE:
        return int_cell(s->unique);
    case DFSUM_STAT_TOP:
        if (s->top) {
            c.kind = DFSUM_CELL_TEXT;
            c.text = s->top;
            c.text_len = s->top_len;
        }
        return c;
    case DFSUM_STAT_FREQ:
        return s->top ? int_cell(s->freq) : c;
    default:
        return c;
    }
}

static void fill_column(dfsum_result *r, size_t col, const ops_summary *s)
{
    size_t pct_index = 0;
    for (size_t row = 0; row < r->nrows; row++) {
        dfsum_stat stat = r->row_stat[row];
        dfsum_cell *cell = &r->cells[row * r->ncols + col];
        if (is_numeric(s->dtype))
            *cell = numeric_cell(s, stat, pct_index);
        else
            *cell = text_cell(s, stat);
        pct_index += stat == DFSUM_STAT_PERCENTILE;
    }
}

static dfsum_result *result_alloc(size_t ncols, size_t max_rows)
{
    dfsum_result *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->names = calloc(ncols + 1, sizeof *r->names);
    r->dtypes = calloc(ncols + 1, sizeof *r->dtypes);
    r->texts = calloc(ncols + 1, sizeof *r->texts);
    r->row_stat = calloc(max_rows, sizeof *r->row_stat);
    r->row_pct = calloc(max_rows, sizeof *r->row_pct);
    r->row_label = calloc(max_rows, sizeof *r->row_label);
    r->cells = calloc(max_rows * (ncols + 1), sizeof *r->cells);
    if (!r->names || !r->dtypes || !r->texts || !r->row_stat || !r->row_pct ||
        !r->row_label || !r->cells) {
        dfsum_result_free(r);
        return NULL;
    }
    r->ncols = ncols;
    return r;
}

/* The columns shown, as indexes into cols[0..n): the session's list as
 * given, repeats too (cols are then its names without repeats), or every
 * column; those the include rule keeps. *m gets their count; NULL out of
 * memory. */
static size_t *shown_columns(const dfsum *d, size_t n,
                             const unsigned char *keep, size_t *m)
{
    int listed = d->nlisted > 0 && n == d->ncolumns;
    size_t total = listed ? d->nlisted : n;
    size_t *show = malloc((total + 1) * sizeof *show);
    if (!show)
        return NULL;
    *m = 0;
    for (size_t i = 0; i < total; i++) {
        size_t c = listed ? d->listed[i] : i;
        if (keep[c])
            show[(*m)++] = c;
    }
    return show;
}

/* The top string of result column k: cols[c]'s own, moved, the first time
 * c is shown; a copy of that for a repeat (first[c] is where it went). */
static int adopt_top(dfsum_result *r, size_t k, engine_column *col,
                     size_t *first)
{
    ops_summary view = col->sum;
    if (*first != SIZE_MAX && r->texts[*first]) {
        view.top = malloc(view.top_len + 1);
        if (!view.top)
            return -1;
        memcpy(view.top, r->texts[*first], view.top_len + 1);
    } else {
        col->sum.top = NULL;
        *first = k;
    }
    fill_column(r, k, &view); /* cells point into the top */
    r->texts[k] = view.top;
    return 0;
}

/* Moves the shown columns' names and top strings into r. */
static int adopt_columns(dfsum_result *r, engine_column *cols, size_t n,
                         const size_t *show, size_t m)
{
    size_t *first = malloc((n + 1) * sizeof *first);
    if (!first)
        return -1;
    for (size_t c = 0; c < n; c++)
        first[c] = SIZE_MAX;
    int rc = 0;
    for (size_t k = 0; k < m && rc == 0; k++) {
        engine_column *col = &cols[show[k]];
        r->names[k] = strdup(col->name);
        r->dtypes[k] = public_dtype(col->sum.dtype);
        rc = !r->names[k] || adopt_top(r, k, col, &first[show[k]]) ? -1 : 0;
    }
    free(first);
    return rc;
}

dfsum_status engine_result_build(dfsum *d, const char *source,
                                 engine_column *cols, size_t n,
                                 dfsum_result **out)
{
    unsigned char *keep = calloc(n + 1, 1);
    if (!keep)
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    if (select_columns(d, cols, n, keep) == 0 && n > 0 &&
        (d->kinds_in | d->kinds_out)) {
        free(keep);
        return engine_fail(d, DFSUM_ENOTFOUND,
                           "%s: no column of the kinds asked for", source);
    }
    int any_text = 0, any_numeric = 0;
    for (size_t i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        any_numeric |= is_numeric(cols[i].sum.dtype);
        any_text |= !is_numeric(cols[i].sum.dtype);
    }
    size_t shown = 0;
    size_t *show = shown_columns(d, n, keep, &shown);
    dfsum_result *r = show ? result_alloc(shown, 8 + d->npct) : NULL;
    if (r) {
        add_rows(r, d, any_text, any_numeric);
        r->source = strdup(source);
    }
    if (!r || !r->source || adopt_columns(r, cols, n, show, shown) != 0) {
        free(keep);
        free(show);
        dfsum_result_free(r);
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    }
    free(keep);
    free(show);
    *out = r;
    return DFSUM_OK;
}

void dfsum_result_free(dfsum_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->names && i < r->ncols; i++)
        free(r->names[i]);
    for (size_t i = 0; r->texts && i < r->ncols; i++)
        free(r->texts[i]);
    free(r->source);
    free(r->note);
    free(r->names);
    free(r->texts);
    free(r->dtypes);
    free(r->row_stat);
    free(r->row_pct);
    free(r->row_label);
    free(r->cells);
    free(r);
}

const char *dfsum_result_source(const dfsum_result *r)
{
    return r ? r->source : NULL;
}

dfsum_status engine_result_set_note(dfsum *d, dfsum_result *r, const char *note)
{
    char *copy = note && *note ? strdup(note) : NULL;
    if (note && *note && !copy)
        return engine_fail(d, DFSUM_ENOMEM, "out of memory");
    free(r->note);
    r->note = copy;
    return DFSUM_OK;
}

const char *dfsum_result_note(const dfsum_result *r)
{
    return r ? (r->note ? r->note : "") : NULL;
}

void engine_result_set_bad_lines(dfsum_result *r, uint64_t n)
{
    r->bad_lines = n;
}

uint64_t dfsum_result_bad_lines(const dfsum_result *r)
{
    return r ? r->bad_lines : 0;
}

size_t dfsum_result_ncols(const dfsum_result *r)
{
    return r ? r->ncols : 0;
}

const char *dfsum_result_name(const dfsum_result *r, size_t col)
{
    return r && col < r->ncols ? r->names[col] : NULL;
}

dfsum_dtype dfsum_result_dtype(const dfsum_result *r, size_t col)
{
    return r && col < r->ncols ? r->dtypes[col] : DFSUM_DTYPE_OBJECT;
}

size_t dfsum_result_nrows(const dfsum_result *r)
{
    return r ? r->nrows : 0;
}

dfsum_stat dfsum_result_row_stat(const dfsum_result *r, size_t row)
{
    return r && row < r->nrows ? r->row_stat[row] : DFSUM_STAT_COUNT;
}

const char *dfsum_result_row_label(const dfsum_result *r, size_t row)
{
    return r && row < r->nrows ? r->row_label[row] : NULL;
}

double dfsum_result_row_percentile(const dfsum_result *r, size_t row)
{
    return r && row < r->nrows ? r->row_pct[row] : NAN;
}

size_t dfsum_result_find_row(const dfsum_result *r, dfsum_stat stat)
{
    for (size_t i = 0; r && i < r->nrows; i++)
        if (r->row_stat[i] == stat)
            return i;
    return (size_t)-1;
}

size_t dfsum_result_find_label(const dfsum_result *r, const char *label)
{
    for (size_t i = 0; r && label && i < r->nrows; i++)
        if (strcmp(r->row_label[i], label) == 0)
            return i;
    return (size_t)-1;
}

size_t dfsum_result_find_col(const dfsum_result *r, const char *name)
{
    for (size_t j = 0; r && name && j < r->ncols; j++)
        if (strcmp(r->names[j], name) == 0)
            return j;
    return (size_t)-1;
}

dfsum_cell dfsum_result_cell(const dfsum_result *r, size_t row, size_t col)
{
    dfsum_cell missing = {.kind = DFSUM_CELL_MISSING};
    if (!r || row >= r->nrows || col >= r->ncols)
        return missing;
    return r->cells[row * r->ncols + col];
}
