/*
 * dfsum.h - describe tables the way pandas' DataFrame.describe() does.
 *
 * The one public header of libdfsum. Everything not declared here is
 * internal and may change.
 *
 * Required calls:      dfsum_create, dfsum_describe_path, dfsum_result_free,
 *                      dfsum_free
 * Options (setters):   dfsum_set_*
 * Result accessors:    dfsum_result_*
 * Output:              dfsum_result_write, dfsum_result_format
 *
 * Ownership: every object returned through an `out` pointer belongs to the
 * caller and is released with its matching *_free (all NULL-safe). Strings
 * returned by accessors are owned by the object they come from and live as
 * long as it does. `*out` is written only on success.
 *
 * Errors: functions return a dfsum_status; dfsum_strerror() names the code
 * and dfsum_errmsg() gives the detailed message of the last failing call on
 * that handle ("data.csv:3: expected 2 fields, saw 3"). The library never
 * prints and never exits.
 *
 * Threads: a handle (dfsum, dfsum_result) may be used by one thread at a
 * time; distinct handles are independent. There is no global state.
 */
#ifndef DFSUM_H
#define DFSUM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(DFSUM_STATIC)
#define DFSUM_API
#elif defined(DFSUM_BUILDING)
#define DFSUM_API __attribute__((visibility("default")))
#else
#define DFSUM_API
#endif

#define DFSUM_VERSION_MAJOR  0
#define DFSUM_VERSION_MINOR  1
#define DFSUM_VERSION_PATCH  0
#define DFSUM_VERSION_STRING "0.1.0"
/* Encoded as major * 10000 + minor * 100 + patch. */
#define DFSUM_VERSION_NUMBER                                                   \
    (DFSUM_VERSION_MAJOR * 10000 + DFSUM_VERSION_MINOR * 100 +                 \
     DFSUM_VERSION_PATCH)

/* The library's version at run time ("0.1.0"). */
DFSUM_API const char *dfsum_version(void);

/* ------------------------------------------------------------------------
 * Status codes: one list generates the enum, dfsum_strerror and the names.
 * Codes are never renumbered.
 * ---------------------------------------------------------------------- */
#define DFSUM_STATUS_LIST(X)                                                   \
    X(OK, 0, "success")                                                        \
    X(EINVAL, 1, "invalid argument")                                           \
    X(ENOMEM, 2, "out of memory")                                              \
    X(EIO, 3, "cannot read input")                                             \
    X(EPARSE, 4, "malformed input")                                            \
    X(EEMPTY, 5, "no columns to describe")                                     \
    X(ENOTFOUND, 6, "no such column or object")                                \
    X(EUNSUPPORTED, 7, "unsupported input")

typedef enum {
#define DFSUM_STATUS_ENUM_(name, code, text) DFSUM_##name = code,
    DFSUM_STATUS_LIST(DFSUM_STATUS_ENUM_)
#undef DFSUM_STATUS_ENUM_
} dfsum_status;

/* A static description of a status code ("malformed input"). */
DFSUM_API const char *dfsum_strerror(dfsum_status status);
/* The code's name ("DFSUM_EPARSE"). */
DFSUM_API const char *dfsum_status_name(dfsum_status status);

/* ------------------------------------------------------------------------
 * Session: options and the last error message.
 * ---------------------------------------------------------------------- */
typedef struct dfsum dfsum;
typedef struct dfsum_result dfsum_result;

/* Creates a session with pandas' defaults (numeric columns, percentiles
 * 0.25/0.5/0.75, ',' delimiter). DFSUM_ENOMEM on failure. */
DFSUM_API dfsum_status dfsum_create(dfsum **out);
DFSUM_API void dfsum_free(dfsum *d);

/* The detailed message of the last failed call on d; "" when none. */
DFSUM_API const char *dfsum_errmsg(const dfsum *d);

typedef enum {
    DFSUM_INCLUDE_DEFAULT = 0, /* numeric columns; all when none is numeric */
    DFSUM_INCLUDE_ALL = 1      /* every column (describe(include='all')) */
} dfsum_include;

DFSUM_API dfsum_status dfsum_set_include(dfsum *d, dfsum_include include);

/* Percentiles in [0, 1], without duplicates; 0.5 is always added and the
 * list is sorted, as describe() does. DFSUM_EINVAL (message says why) on
 * a bad list; the previous list is kept then. n == 0 restores the default. */
DFSUM_API dfsum_status dfsum_set_percentiles(dfsum *d, const double *p,
                                             size_t n);

/* Field delimiter of CSV input (',' by default). Not '"', '\r' or '\n'. */
DFSUM_API dfsum_status dfsum_set_delimiter(dfsum *d, char delim);

/* Describe only these columns, in this order (names as in the output,
 * after deduplication). n == 0 restores all. An unknown name makes
 * describe fail with DFSUM_ENOTFOUND. The strings are copied. */
DFSUM_API dfsum_status dfsum_set_columns(dfsum *d, const char *const *names,
                                         size_t n);

/* Worker threads (0, the default: OMP_NUM_THREADS when set, else one per
 * core). */
DFSUM_API dfsum_status dfsum_set_threads(dfsum *d, int threads);

/* Bytes per chunk read and summarized as a unit (default 4 MiB; >= 1).
 * The result never depends on it. */
DFSUM_API dfsum_status dfsum_set_chunk_size(dfsum *d, size_t bytes);

typedef enum {
    DFSUM_PARSER_AUTO = 0, /* quote-free spans by a vectorized splitter, the
                              rest by libcsv; fields are identical */
    DFSUM_PARSER_LIBCSV = 1 /* every byte through libcsv */
} dfsum_parser;

/* How CSV records are split into fields. The result never depends on it. */
DFSUM_API dfsum_status dfsum_set_parser(dfsum *d, dfsum_parser parser);

/* Progress of a describe: fn(ctx, bytes_done, bytes_total) is called after
 * each chunk, from whichever worker thread finished it (calls are
 * serialized). A file that needs a second pass reports twice from 0.
 * fn == NULL turns it off. */
typedef void (*dfsum_progress_fn)(void *ctx, uint64_t bytes_done,
                                  uint64_t bytes_total);
DFSUM_API dfsum_status dfsum_set_progress(dfsum *d, dfsum_progress_fn fn,
                                          void *ctx);

/* ------------------------------------------------------------------------
 * Describe
 * ---------------------------------------------------------------------- */

/* Describes the CSV file at path ("-" = standard input). On success *out is
 * a new result. Fails with DFSUM_EIO (cannot open/read), DFSUM_EPARSE
 * (malformed CSV), DFSUM_EEMPTY (no columns), DFSUM_ENOTFOUND (unknown
 * --columns name), DFSUM_ENOMEM; the message names the file and line. */
DFSUM_API dfsum_status dfsum_describe_path(dfsum *d, const char *path,
                                           dfsum_result **out);

/* ------------------------------------------------------------------------
 * Result: a table with one column per described column and one row per
 * statistic, in describe()'s order.
 * ---------------------------------------------------------------------- */
DFSUM_API void dfsum_result_free(dfsum_result *r);

typedef enum {
    DFSUM_DTYPE_INT64 = 0,
    DFSUM_DTYPE_UINT64 = 1,
    DFSUM_DTYPE_FLOAT64 = 2,
    DFSUM_DTYPE_BOOL = 3,
    DFSUM_DTYPE_OBJECT = 4
} dfsum_dtype;

/* "int64", "uint64", "float64", "bool", "object". */
DFSUM_API const char *dfsum_dtype_name(dfsum_dtype dtype);

/* The path the result was described from, as given ("-" for stdin). */
DFSUM_API const char *dfsum_result_source(const dfsum_result *r);

DFSUM_API size_t dfsum_result_ncols(const dfsum_result *r);
DFSUM_API const char *dfsum_result_name(const dfsum_result *r, size_t col);
DFSUM_API dfsum_dtype dfsum_result_dtype(const dfsum_result *r, size_t col);

/* The statistics, one per row of the table. */
typedef enum {
    DFSUM_STAT_COUNT = 0,
    DFSUM_STAT_UNIQUE = 1,
    DFSUM_STAT_TOP = 2,
    DFSUM_STAT_FREQ = 3,
    DFSUM_STAT_MEAN = 4,
    DFSUM_STAT_STD = 5,
    DFSUM_STAT_MIN = 6,
    DFSUM_STAT_PERCENTILE = 7, /* one row per percentile */
    DFSUM_STAT_MAX = 8
} dfsum_stat;

DFSUM_API size_t dfsum_result_nrows(const dfsum_result *r);
DFSUM_API dfsum_stat dfsum_result_row_stat(const dfsum_result *r, size_t row);
/* The row label as pandas prints it: "count", "mean", "25%", "2.5%", ... */
DFSUM_API const char *dfsum_result_row_label(const dfsum_result *r, size_t row);
/* The percentile (0..1) of a DFSUM_STAT_PERCENTILE row, else NaN. */
DFSUM_API double dfsum_result_row_percentile(const dfsum_result *r, size_t row);
/* Index of the first row with this statistic, or (size_t)-1. */
DFSUM_API size_t dfsum_result_find_row(const dfsum_result *r, dfsum_stat stat);

typedef enum {
    DFSUM_CELL_MISSING = 0, /* pandas NaN: the cell does not apply/undefined */
    DFSUM_CELL_FLOAT = 1,   /* a float64 (may be +-inf) */
    DFSUM_CELL_INT = 2,     /* an integer count (object and bool columns) */
    DFSUM_CELL_TEXT = 3     /* the `top` value of an object or bool column */
} dfsum_cell_kind;

typedef struct {
    dfsum_cell_kind kind;
    double f;         /* DFSUM_CELL_FLOAT */
    uint64_t i;       /* DFSUM_CELL_INT */
    const char *text; /* DFSUM_CELL_TEXT: NUL-terminated, owned by r */
    size_t text_len;  /* bytes (text may hold NUL bytes from HDF5) */
} dfsum_cell;

/* The cell at (row, col). Out of range gives DFSUM_CELL_MISSING. */
DFSUM_API dfsum_cell dfsum_result_cell(const dfsum_result *r, size_t row,
                                       size_t col);

/* ------------------------------------------------------------------------
 * Output
 * ---------------------------------------------------------------------- */
typedef enum {
    DFSUM_FORMAT_TABLE = 0,   /* like print(df.describe()) */
    DFSUM_FORMAT_CSV = 1,     /* exactly describe().to_csv() */
    DFSUM_FORMAT_JSON = 2,    /* {"file":..,"columns":[{"name","dtype",..}]} */
    DFSUM_FORMAT_MARKDOWN = 3 /* a GitHub-flavoured markdown table */
} dfsum_format;

enum {
    DFSUM_WRITE_TRANSPOSE = 1u << 0 /* table/markdown: one row per column */
};

/* Formats r into a new NUL-terminated buffer (*out, *len; free() it).
 * width: terminal width for DFSUM_FORMAT_TABLE (0 = no wrapping). */
DFSUM_API dfsum_status dfsum_result_format(const dfsum_result *r,
                                           dfsum_format format, unsigned flags,
                                           size_t width, char **out,
                                           size_t *len);

/* Writes the formatted table to f. DFSUM_EIO when the write fails. */
DFSUM_API dfsum_status dfsum_result_write(const dfsum_result *r,
                                          dfsum_format format, unsigned flags,
                                          size_t width, FILE *f);

#ifdef __cplusplus
}
#endif

#endif
