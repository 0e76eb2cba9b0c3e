/*
 * engine.h - the one internal header of engine/: the session, the result
 * table and the describe pipeline that joins io/ and ops/.
 *
 *   source -> chunks -> batches -> column partials -> merge -> finish
 *            (io/)      (io/)       (ops/)             (here)   (here)
 */
#ifndef DFSUM_ENGINE_H
#define DFSUM_ENGINE_H

/* mpi.h first: it makes dfsum.h declare dfsum_set_comm. */
#include <mpi.h>

#include "dfsum.h"
#include "io.h"
#include "ops.h"

#define ENGINE_MSG_MAX (IO_MSG_MAX + 256)
/* 1 MiB: a chunk and the spans of its fields stay in a core's L2 cache
 * while it is tokenized and summarized (with 4 MiB, a 400-column table
 * took 30% longer), and a few reads of 1 MiB in flight still keep a disk
 * busy. */
#define ENGINE_DEFAULT_CHUNK ((size_t)1 << 20)

/* The options of a session and the message of its last failure. */
struct dfsum {
    dfsum_include include;
    double pct[64 + 1]; /* normalized percentiles (0.5 included, sorted) */
    size_t npct;
    char delim;
    char quote;     /* dfsum_set_quotechar; '"' by default */
    char **columns; /* --columns selection without repeats, NULL when all */
    size_t ncolumns;
    size_t *listed; /* [nlisted]: the list as given, as indexes into columns
                       (a name listed twice is described once, shown twice) */
    size_t nlisted;
    int threads;
    size_t chunk_size;
    io_parser parser;
    dfsum_bad_lines bad_lines;
    int no_header;                /* dfsum_set_header(d, 0) */
    uint64_t skip_rows;           /* dfsum_set_skip_rows */
    uint64_t nrows;               /* dfsum_set_nrows; UINT64_MAX: all */
    unsigned kinds_in, kinds_out; /* dfsum_set_kinds */
    char **index_cols;            /* dfsum_set_index_columns */
    size_t n_index_cols;
    /* dfsum_set_na_values (na_values.c): the strings read as missing, and
     * bit L of na_lengths set when one is L bytes long (63: or more) */
    char **na_text;
    size_t *na_len, n_na_text;
    uint64_t na_lengths;
    double *na_num; /* the numbers, for float64 columns */
    size_t n_na_num;
    char **na_given; /* the list as given (UTF-8) */
    size_t n_na_given;
    io_encoding encoding;             /* dfsum_set_encoding */
    char decimal;                     /* dfsum_set_decimal; '.' by default */
    char thousands;                   /* dfsum_set_thousands; 0: none */
    char **true_given, **false_given; /* dfsum_set_true_values, ... (UTF-8) */
    size_t n_true_given, n_false_given;
    dfsum_progress_fn progress; /* called serialized, from any thread */
    void *progress_ctx;
    MPI_Comm comm; /* MPI_COMM_NULL: this process alone (own duplicate) */
    dfsum_hdf5_transfer h5_transfer;
    char errmsg[ENGINE_MSG_MAX];
};

/* A copy of the n strings v (api.c): DFSUM_EINVAL for a missing one,
 * DFSUM_ENOMEM; engine_strings_free takes it back (NULL-safe). */
dfsum_status engine_strings_dup(dfsum *d, const char *const *v, size_t n,
                                char ***out);
void engine_strings_free(char **v, size_t n);
/* Replaces the list *list of *count strings with a copy of v[0..n); on
 * failure the list is kept. */
dfsum_status engine_strings_set(dfsum *d, const char *const *v, size_t n,
                                char ***list, size_t *count);

/* Records a formatted message in d and returns status. */
dfsum_status engine_fail(dfsum *d, dfsum_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The public status of an io/ status. */
dfsum_status engine_status_of_io(io_status status);
/* Maps an io_error to a status and copies its message into d. */
dfsum_status engine_fail_io(dfsum *d, const io_error *err);

/* The name of column i of an input. */
typedef const char *(*engine_name_fn)(const void *ctx, size_t i);
/* The columns a describe reads, as indexes among the n columns of its
 * input: the session's list (d->columns) in order, or all n. *sel (*nsel
 * + 1 entries, the caller frees it) gets them; an unknown name fails with
 * DFSUM_ENOTFOUND, "SOURCE: no column named 'NAME'". */
dfsum_status engine_pick_columns(dfsum *d, const char *source, size_t n,
                                 engine_name_fn name_of, const void *ctx,
                                 size_t **sel, size_t *nsel);

/* One described column of the input, in file order. */
typedef struct {
    const char *name; /* borrowed from the header */
    ops_summary sum;
} engine_column;

/* Builds the describe() table from summarized columns (already filtered
 * by --columns: d->columns in order, when there is a list) of the file
 * `source`; shows them as listed (repeats too) and applies the include
 * rule. Takes ownership of the summaries' heap parts on success. */
dfsum_status engine_result_build(dfsum *d, const char *source,
                                 engine_column *cols, size_t ncols,
                                 dfsum_result **out);
/* ------------------------------------------------------------------------
 * Bad lines (bad_lines.c): the rows --on-bad-lines skip|warn leaves out,
 * as file offsets of their records and field counts, side by side.
 * ---------------------------------------------------------------------- */
typedef struct {
    uint64_t *off;
    uint64_t *nfields;
    size_t n, cap;
} engine_bad;

void engine_bad_free(engine_bad *b);
/* Appends the records batch left out; the batch's chunk is at file offset
 * chunk_off. 0, or -1 when out of memory. */
int engine_bad_keep(engine_bad *b, const io_batch *batch, uint64_t chunk_off);
/* Moves from's list to the end of into's; 0, or -1 (from then unchanged). */
int engine_bad_take(engine_bad *into, engine_bad *from);
/* Puts the list in file order; 0, or -1 when out of memory. */
int engine_bad_sort(engine_bad *b);
/* Every process's count into *total; under DFSUM_BAD_LINES_WARN, b gets
 * every process's list, in file order (b must be sorted). Collective when
 * d has a communicator and bad lines are not errors. */
dfsum_status engine_bad_share(dfsum *d, const char *name, engine_bad *b,
                              uint64_t *total);
/* Sets r's note to one line per bad line of b, in order, naming its
 * physical line: "data.csv:7: expected 3 fields, saw 4; line skipped". */
dfsum_status engine_bad_note(dfsum *d, io_source *src, const io_csv_opts *o,
                             const io_csv_header *h, const engine_bad *b,
                             dfsum_result *r);

/* Whether describe() shows a column of dtype dt (result.c): the kinds of
 * dfsum_set_kinds when set, else the include rule (under the default,
 * object and bool columns only when no column is numeric). */
int engine_shows(const dfsum *d, ops_dtype dt, int any_numeric);

/* na_values (na_values.c): whether field s[0..len) is one of the
 * session's na strings (with '.' and the decimal mark traded, as the
 * fields are: decimal.c). */
int engine_na_text(const dfsum *d, const char *s, size_t len);
void engine_na_free(dfsum *d);
/* Builds the strings again, for the session's encoding. */
dfsum_status engine_na_reencode(dfsum *d);
/* Frees the lists and the list as given. */
void engine_na_release(dfsum *d);

/* decimal (decimal.c): a decimal mark other than '.' is read by trading
 * it with '.' in a copy of each chunk. */
/* Whether c may mark something in numbers (decimal.c): one ASCII
 * punctuation byte, not a sign (or a space, when space is set). */
int engine_number_mark_ok(char c, int space);
/* Whether mark may be the decimal mark beside delim and quote: '.', or
 * one ASCII punctuation byte that is neither of them nor a sign (and then
 * '.' is neither of them either). */
int engine_decimal_ok(char mark, char delim, char quote);
/* out[i] = in[i] with '.' and mark traded; out may be in. */
void engine_decimal_swap(char mark, const char *in, char *out, size_t n);
/* A field of a copy (decimal.c), written in place: 1 when it is one of
 * the missing words with a '.' (it is to be empty); those words written
 * with the mark get their own bytes back (as text). */
int engine_decimal_fix(char mark, char *s, size_t len);
/* A top value as the file wrote it. */
void engine_decimal_top(char mark, char *top, size_t len);

/* thousands (thousands.c): whether sep may separate digit groups beside
 * the decimal mark, the delimiter and the quote (ASCII punctuation or a
 * space, not a sign); and, for a field of a writable copy (where sep is
 * written as it is there), drops sep from it in place when it is a number
 * written with it: returns the field's new length (len when it is not),
 * *doubled_seps set for an integer with separators in a row. */
int engine_thousands_ok(char sep, char mark, char delim, char quote);
size_t engine_thousands_drop(char sep, char *s, size_t len, int *doubled_seps);

/* true_values / false_values (bool_values.c). */
typedef struct {
    char **word; /* in the bytes of the files' encoding */
    size_t *len, n;
} engine_words;
/* The session's words for a file (free them with engine_words_free). */
dfsum_status engine_bool_words(const dfsum *d, engine_words *trues,
                               engine_words *falses);
void engine_words_free(engine_words *w);
void engine_bool_words_release(dfsum *d);
/* "True" or "False" for a field that is one of the words (and neither
 * missing nor a number), else NULL. */
const char *engine_bool_word(const engine_words *trues,
                             const engine_words *falses, const char *s,
                             size_t len);

/* Replaces the note of r (dfsum_result_note) with a copy of note; NULL or
 * "" clears it. Fails only with DFSUM_ENOMEM (r keeps its old note). */
dfsum_status engine_result_set_note(dfsum *d, dfsum_result *r,
                                    const char *note);
/* Sets the count dfsum_result_bad_lines reports. */
void engine_result_set_bad_lines(dfsum_result *r, uint64_t n);

/* ------------------------------------------------------------------------
 * Describe entry points (describe.c: CSV; describe_h5.c: HDF5), chosen by
 * dfsum_describe_path (path.c).
 * ---------------------------------------------------------------------- */
dfsum_status engine_describe_csv(dfsum *d, const char *path,
                                 dfsum_result **out);
/* path: "FILE.h5", "FILE.h5:/object" (see dfsum.h, "HDF5 input"). */
dfsum_status engine_describe_h5(dfsum *d, const char *path, dfsum_result **out);

/* Writes Python's repr(x) to out (ENGINE_REPR_MAX bytes, NUL included),
 * returns its length (format.c). The longest is about 24 bytes
 * ("-2.2250738585072014e-308"). */
#define ENGINE_REPR_MAX 32
size_t engine_float_repr(double x, char *out);

/* ------------------------------------------------------------------------
 * Across processes (reduce.c). With d->comm == MPI_COMM_NULL every
 * function is the one-process step and makes no MPI call, so programs
 * that never set a communicator never touch MPI. Every function is
 * collective otherwise: all processes call it in the same order.
 * ---------------------------------------------------------------------- */
/* This process's rank and the number of processes (0 and 1 alone). */
int engine_rank(const dfsum *d);
int engine_nprocs(const dfsum *d);

/* Opens the input at path on every process. Alone, a compressed file is
 * decompressed by a thread while the pipeline reads it
 * (io_source_open_streaming). With several processes, a
 * compressed file is decompressed once per machine: the first process of
 * each machine decompresses it into a temporary file the others open
 * (io_source_open_shared), by /proc/<pid>/fd/<fd> or, where there is no
 * O_TMPFILE, by a name that goes once all have it open. A process whose
 * machine's first process failed fails too, with a message of its own
 * (engine_agree then takes the first process's). */
io_status engine_source_open(const dfsum *d, const char *path, io_source **out,
                             io_error *err);

/* Agrees on the outcome of a step: when any process failed, every process
 * returns the status and message of the failure that comes first by
 * `where` (a position in the input, smaller first; ties: lower rank).
 * A process that succeeded passes DFSUM_OK (where is ignored). */
dfsum_status engine_agree(dfsum *d, dfsum_status st, uint64_t where);

/* Makes the scalar state of each of the n local partials global
 * (flatten, reduce, adopt): dtype and text-pass decisions then agree on
 * every process. */
dfsum_status engine_reduce_flats(dfsum *d, ops_col *cols, size_t n);
/* Merges the partials cols_of(ctx, i)[j] of nparts threads into into[j],
 * for each of n columns (into[j] is no part's column): first the text
 * tables, shard by shard in parallel (a merge of large text tables takes
 * a while), then the columns in parallel. The parts are left empty. */
dfsum_status engine_merge_partials(dfsum *d, ops_col *into, size_t n,
                                   int nparts,
                                   ops_col *(*cols_of)(void *ctx, int i),
                                   void *ctx);

/* Finishes n partials that have adopted the global state: object columns'
 * text tables are routed to their owners first, then each column is
 * finished collectively. Every process gets the same summaries. */
dfsum_status engine_finish_reduced(dfsum *d, ops_col *cols, size_t n,
                                   engine_column *out);

/* ------------------------------------------------------------------------
 * Which part of a CSV file this process reads (csv_range.c). Alone (no
 * communicator) the header is read here and the range is all of the data.
 * Otherwise both functions are collective, and their outcome (success or
 * the failure that comes first) is the same on every process.
 * ---------------------------------------------------------------------- */
/* Reads the header at process 0 and gives every process a copy. */
dfsum_status engine_csv_header(dfsum *d, io_source *src, const io_csv_opts *o,
                               io_csv_header *h);

/* This process's share of the data, [*start, *end): whole records, about
 * an equal number of bytes per process, the shares in rank order tiling
 * [h->data_start, end of file). A share may be empty. */
dfsum_status engine_csv_range(dfsum *d, io_source *src, const io_csv_opts *o,
                              const io_csv_header *h, uint64_t *start,
                              uint64_t *end);

#endif
