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

/* Kinds of columns, as describe(include=[...], exclude=[...]) selects
 * them by dtype (select_dtypes). */
enum {
    DFSUM_KIND_NUMBER = 1, /* int64, uint64, float64 ('number') */
    DFSUM_KIND_OBJECT = 2, /* object ('object', 'O') */
    DFSUM_KIND_BOOL = 4    /* bool ('bool') */
};

/* Describes the columns of the kinds in include (0: every kind) but not
 * in exclude, in place of dfsum_set_include's rule; a describe that keeps
 * no column fails with DFSUM_ENOTFOUND. (0, 0), the default, gives the
 * rule back. */
DFSUM_API dfsum_status dfsum_set_kinds(dfsum *d, unsigned include,
                                       unsigned exclude);

/* Percentiles in [0, 1], without duplicates; 0.5 is always added and the
 * list is sorted, as describe() does. DFSUM_EINVAL (message says why) on
 * a bad list; the previous list is kept then. n == 0 restores the default. */
DFSUM_API dfsum_status dfsum_set_percentiles(dfsum *d, const double *p,
                                             size_t n);

/* Field delimiter of CSV input (',' by default). Not '"', '\r' or '\n'. */
DFSUM_API dfsum_status dfsum_set_delimiter(dfsum *d, char delim);
/* The character that quotes fields of CSV files (default '"'; doubled
 * inside a quoted field it stands for itself), as read_csv's quotechar. */
DFSUM_API dfsum_status dfsum_set_quotechar(dfsum *d, char quote);
/* The decimal mark of numbers in CSV files ('.' by default), as
 * read_csv's decimal: with ',' "1,5" is 1.5 and "1.5" is text. One ASCII
 * punctuation character, not '+' or '-'; a file is refused (DFSUM_EINVAL)
 * when it is the delimiter or the quote character, or when '.' is. */
DFSUM_API dfsum_status dfsum_set_decimal(dfsum *d, char mark);
/* The separator of digit groups in numbers of CSV files (none by
 * default; 0 restores that), as read_csv's thousands: with ',' "1,234" is
 * 1234. One ASCII punctuation character or a space, not '+' or '-'; a
 * file is refused (DFSUM_EINVAL) when it is the decimal mark, the
 * delimiter or the quote character. */
DFSUM_API dfsum_status dfsum_set_thousands(dfsum *d, char sep);

/* Describe only these columns, in this order (names as in the output,
 * after deduplication), of files and frames alike. n == 0 restores all.
 * A name listed twice is shown twice, as pandas' df[["a", "a"]] is (and
 * summarized once). An unknown name makes describe fail with
 * DFSUM_ENOTFOUND. The strings are copied. */
DFSUM_API dfsum_status dfsum_set_columns(dfsum *d, const char *const *names,
                                         size_t n);

/* Columns of a CSV file that are its index, not described (read_csv's
 * index_col=[...]): each a 0-based position when it is all digits, else
 * a name. Naming one in dfsum_set_columns too is an error. n = 0: none. */
DFSUM_API dfsum_status dfsum_set_index_columns(dfsum *d,
                                               const char *const *cols,
                                               size_t n);

/* Worker threads (0, the default: OMP_NUM_THREADS when set, else one per
 * core). */
DFSUM_API dfsum_status dfsum_set_threads(dfsum *d, int threads);

/* Bytes per chunk read and summarized as a unit (default 1 MiB; >= 1).
 * The result never depends on it. */
DFSUM_API dfsum_status dfsum_set_chunk_size(dfsum *d, size_t bytes);

typedef enum {
    DFSUM_PARSER_AUTO = 0,  /* quote-free spans by a vectorized splitter, the
                               rest by libcsv; fields are identical */
    DFSUM_PARSER_LIBCSV = 1 /* every byte through libcsv */
} dfsum_parser;

/* How CSV records are split into fields. The result never depends on it. */
DFSUM_API dfsum_status dfsum_set_parser(dfsum *d, dfsum_parser parser);

/* The encoding of CSV files, as read_csv's encoding=: "utf-8" (the
 * default; text must be valid UTF-8), "latin-1" (also "iso-8859-1") or
 * "cp1252" (also "windows-1252"), in any case. Names and top values come
 * out in UTF-8 whatever the file's encoding. */
DFSUM_API dfsum_status dfsum_set_encoding(dfsum *d, const char *name);

/* Whether a CSV file's first row (after the skipped ones) is the header:
 * 1, the default; 0 makes it the first data row and names the columns
 * "0", "1", ... as read_csv(header=None) does. */
DFSUM_API dfsum_status dfsum_set_header(dfsum *d, int present);

/* Records passed over at the start of a CSV file, before the header;
 * blank ones count (read_csv's skiprows=N). Default 0. */
DFSUM_API dfsum_status dfsum_set_skip_rows(dfsum *d, uint64_t rows);

/* More strings read as missing in CSV files, besides read_csv's default
 * ones (its na_values=[...]): a field equal to one is missing in any
 * column; and a value that is one of them read as a number (Python's
 * float(): "1_000", " 5 ", "inf" too) is missing in a float64 column
 * however it is spelled ("2.50" for "2.5"; "1000" and "1000.0" for
 * "1e3", in any column as text). At most 32 distinct numbers. n = 0
 * clears the list. */
DFSUM_API dfsum_status dfsum_set_na_values(dfsum *d, const char *const *values,
                                           size_t n);

/* More words read as True / False in CSV files (read_csv's true_values,
 * false_values): matched exactly, after missing values and numbers ("1"
 * stays a number); pandas' own True words come first ("True" listed as
 * false is still True). A column of bools and missing values shows True
 * and False; in a text column the words are text as written. n = 0
 * clears the list. */
DFSUM_API dfsum_status dfsum_set_true_values(dfsum *d,
                                             const char *const *values,
                                             size_t n);
DFSUM_API dfsum_status dfsum_set_false_values(dfsum *d,
                                              const char *const *values,
                                              size_t n);

/* Describes only the first `rows` rows of a CSV file (read_csv's
 * nrows=N; blank lines are not rows); UINT64_MAX, the default, for all. */
DFSUM_API dfsum_status dfsum_set_nrows(dfsum *d, uint64_t rows);

/* What a CSV row with more fields than the header has columns (a "bad
 * line", as read_csv's on_bad_lines calls it) does. A first data row
 * that is longer makes its leading fields an index instead, as in pandas;
 * shorter rows are padded with missing values. */
typedef enum {
    DFSUM_BAD_LINES_ERROR = 0, /* the describe fails (the default):
                                  "data.csv:7: expected 3 fields, saw 4" */
    DFSUM_BAD_LINES_SKIP = 1,  /* the row is left out */
    DFSUM_BAD_LINES_WARN = 2   /* left out, and the result's note has a
                                  line for it, in file order:
                                  "data.csv:7: expected 3 fields, saw 4;
                                  line skipped" */
} dfsum_bad_lines;

DFSUM_API dfsum_status dfsum_set_on_bad_lines(dfsum *d, dfsum_bad_lines mode);

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

/* Describes the CSV or HDF5 file at path ("-" = standard input, CSV). A
 * compressed CSV (gzip, bzip2, xz, zstd, LZ4, a ZIP of one file; known by
 * its first bytes) is decompressed first, into a temporary file in
 * $TMPDIR. On success *out is a new result. Fails with DFSUM_EIO (cannot
 * open/read), DFSUM_EPARSE (malformed or damaged input), DFSUM_EEMPTY (no
 * columns), DFSUM_ENOTFOUND (unknown --columns name or HDF5 object),
 * DFSUM_EUNSUPPORTED (an HDF5 object or type that maps to no table),
 * DFSUM_ENOMEM; the message names the file and the place. */
DFSUM_API dfsum_status dfsum_describe_path(dfsum *d, const char *path,
                                           dfsum_result **out);

/* ------------------------------------------------------------------------
 * HDF5 input
 *
 * dfsum_describe_path also reads HDF5 files: "FILE.h5:/object" names an
 * object inside one (a file is HDF5 by its signature, not its name). An
 * object maps to a table as pandas would see it in pd.DataFrame(...):
 *   a 1-D compound dataset      one column per field, in field order
 *   a group                     one column per 1-D dataset of the common
 *                               length, in name order (others skipped)
 *   a 2-D dataset N x M         M columns named "0" .. "M-1"
 *   a 1-D dataset               one column named by the dataset
 *   no object ("FILE.h5")       the root group when it maps to a table
 * ---------------------------------------------------------------------- */

/* Lists every object of the HDF5 file at path that describe can read, one
 * per line ("/group/data  3000 x 4  float64, int32, ..."), into a new
 * NUL-terminated buffer (*out, *len; free() it). "FILE.h5:/object" lists
 * that object and everything below it; an object that does not map to a
 * table fails with the reason describe would give. */
DFSUM_API dfsum_status dfsum_list(dfsum *d, const char *path, char **out,
                                  size_t *len);

typedef enum {
    DFSUM_HDF5_INDEPENDENT = 0, /* each process reads its slabs on its own
                                   (the default: faster on one node) */
    DFSUM_HDF5_COLLECTIVE = 1   /* MPI-IO collective transfers */
} dfsum_hdf5_transfer;

/* How processes of a communicator read HDF5 slabs. The result never
 * depends on it. */
DFSUM_API dfsum_status dfsum_set_hdf5_transfer(dfsum *d,
                                               dfsum_hdf5_transfer mode);

/* ------------------------------------------------------------------------
 * Many processes (MPI)
 *
 * With a communicator set, dfsum_describe_path and dfsum_frame_describe are
 * collective: every process of comm calls them with the same arguments,
 * each reads and summarizes its own part of the input, the parts are
 * reduced exactly (no value is gathered), and every process gets the same
 * result, byte for byte the one a single process gives. An error on any
 * process is the error of all (same status, same message).
 *
 * Declared only when <mpi.h> was included before this header.
 * ---------------------------------------------------------------------- */
#if defined(MPI_VERSION)
/* comm is duplicated (and freed with d); MPI must be initialized and stay
 * so while d lives. MPI_COMM_NULL returns to one process. */
DFSUM_API dfsum_status dfsum_set_comm(dfsum *d, MPI_Comm comm);
#endif

/* ------------------------------------------------------------------------
 * In-memory columns: describe a program's own arrays.
 *
 * A frame collects named columns, in one call or batch after batch (a
 * streaming accumulator: memory grows only with the values quantiles
 * need, 8 bytes per number, and with the distinct texts). Columns are
 * independent and keep the order in which they were first added; a
 * column's rows are numbered in the order they arrive (first-seen breaks
 * ties for `top`). A value is missing when `valid` is non-NULL and
 * valid[i] == 0, and a float or double is also missing when NaN; a NULL
 * text pointer is missing. Types follow pd.DataFrame: double and float
 * columns are float64, integer ones int64 (float64 once a value is
 * missing), bool ones bool, text ones object. A column keeps one type
 * family: adding text to a numeric column fails with DFSUM_EINVAL.
 *
 * The frame takes its options (percentiles, include, threads, comm) from
 * the session that created it, when it is described; the session must
 * outlive it. A frame is used by one thread at a time; frames of one
 * session may be filled by different threads at once (then merged), as
 * their errors are kept on the frame: dfsum_frame_errmsg(f).
 *
 * Adding returns DFSUM_EINVAL (NULL name or values, a text value that is
 * not UTF-8, a batch of another family than the column's: the frame is
 * then unchanged) or DFSUM_ENOMEM (the column may hold part of the batch).
 * The arrays are read during the call only; names are copied.
 * ---------------------------------------------------------------------- */
typedef struct dfsum_frame dfsum_frame;

/* A new empty frame of session d. DFSUM_ENOMEM on failure. */
DFSUM_API dfsum_status dfsum_frame_create(dfsum *d, dfsum_frame **out);
DFSUM_API void dfsum_frame_free(dfsum_frame *f);

/* The detailed message of the last failed call on f; "" when none. */
DFSUM_API const char *dfsum_frame_errmsg(const dfsum_frame *f);

DFSUM_API dfsum_status dfsum_frame_add_double(dfsum_frame *f, const char *name,
                                              const double *v, size_t n,
                                              const uint8_t *valid);
DFSUM_API dfsum_status dfsum_frame_add_float(dfsum_frame *f, const char *name,
                                             const float *v, size_t n,
                                             const uint8_t *valid);
DFSUM_API dfsum_status dfsum_frame_add_int64(dfsum_frame *f, const char *name,
                                             const int64_t *v, size_t n,
                                             const uint8_t *valid);
DFSUM_API dfsum_status dfsum_frame_add_int32(dfsum_frame *f, const char *name,
                                             const int32_t *v, size_t n,
                                             const uint8_t *valid);
/* v[i] != 0 is True. */
DFSUM_API dfsum_status dfsum_frame_add_bool(dfsum_frame *f, const char *name,
                                            const uint8_t *v, size_t n,
                                            const uint8_t *valid);
/* NUL-terminated UTF-8 strings; v[i] == NULL is missing. */
DFSUM_API dfsum_status dfsum_frame_add_text(dfsum_frame *f, const char *name,
                                            const char *const *v, size_t n);

/* into += from, column by column (matched by name; new names are added
 * after into's); from is left empty. The rows of from count as coming
 * after into's. For partials built by several threads of one process.
 * DFSUM_EINVAL (nothing moved) when a column's families differ. */
DFSUM_API dfsum_status dfsum_frame_merge(dfsum_frame *into, dfsum_frame *from);

/* Describes every column added so far (collective when the session has a
 * communicator: the columns of all processes, rows of lower ranks first;
 * every process must have added the same names in the same order with the
 * same families, else DFSUM_EINVAL everywhere). DFSUM_EEMPTY when there
 * is no column. The message is on f and on the session. Whatever the
 * outcome, the frame is left empty and may be filled again. */
DFSUM_API dfsum_status dfsum_frame_describe(dfsum_frame *f, dfsum_result **out);

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

/* What the input left out while still being described, or "" when nothing
 * was: one line per note (joined by '\n', no final newline), each naming
 * the file and object, e.g.
 * "sim.h5: /g: skipped m (2-D), sub (group), t (length 10, not 3000)"
 * for the members of a group that are no column. Owned by r; NULL only
 * when r is NULL. */
DFSUM_API const char *dfsum_result_note(const dfsum_result *r);

/* The rows left out as bad lines (dfsum_set_on_bad_lines); 0 when r is
 * NULL. */
DFSUM_API uint64_t dfsum_result_bad_lines(const dfsum_result *r);

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
/* Index of the row labelled `label` ("mean", "25%", ...), or (size_t)-1. */
DFSUM_API size_t dfsum_result_find_label(const dfsum_result *r,
                                         const char *label);
/* Index of the column named `name`, or (size_t)-1. */
DFSUM_API size_t dfsum_result_find_col(const dfsum_result *r, const char *name);

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
