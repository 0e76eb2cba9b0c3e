/*
 * options.h - the dfsum command line, parsed into one struct.
 *
 * Parsing only checks the shape of each value (a number, a known word);
 * what the library decides (a percentile out of [0, 1], a forbidden
 * delimiter) is reported when the options are applied to a session.
 */
#ifndef DFSUM_CLI_OPTIONS_H
#define DFSUM_CLI_OPTIONS_H

#include <dfsum.h>

#include <stddef.h>

/* Exit statuses of the dfsum command. */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

typedef enum { CLI_RUN, CLI_HELP, CLI_VERSION } cli_action;

/* The progress bar: on a terminal for large inputs, forced, or never. */
typedef enum {
    CLI_PROGRESS_AUTO = 0,
    CLI_PROGRESS_ON,
    CLI_PROGRESS_OFF
} cli_progress_mode;

/* A usage error message, without the "dfsum: " prefix. */
typedef struct {
    char text[512];
} cli_error;

typedef struct {
    cli_action action;
    int format_given;
    dfsum_format format;
    dfsum_include include;
    double *percentiles; /* NULL: the default list */
    size_t npercentiles;
    int delimiter_given;
    char delimiter;
    char **columns; /* NULL: all; each points into columns_text */
    size_t ncolumns;
    char *columns_text;
    char **na_values; /* --na-values, pointing into na_values_text */
    size_t nna_values;
    char *na_values_text;
    char **true_values; /* --true-values, pointing into true_values_text */
    size_t ntrue_values;
    char *true_values_text;
    char **false_values; /* --false-values, likewise */
    size_t nfalse_values;
    char *false_values_text;
    int threads_given;
    int threads;
    int chunk_size_given;
    size_t chunk_size;
    int width_given;
    size_t width;
    unsigned flags; /* DFSUM_WRITE_* */
    int parser_given;
    dfsum_parser parser;
    unsigned kinds_in, kinds_out; /* --include KINDS, --exclude KINDS */
    char quotechar;               /* --quotechar; 0: not given */
    char decimal;                 /* --decimal; 0: not given */
    char thousands;               /* --thousands; 0: not given */
    char **index_cols; /* --index-col, pointing into index_cols_text */
    size_t nindex_cols;
    char *index_cols_text;
    const char *encoding; /* --encoding, NULL: not given */
    int no_header;        /* --no-header */
    size_t skip_rows;     /* --skip-rows */
    int nrows_given;
    size_t nrows; /* --nrows */
    int bad_lines_given;
    dfsum_bad_lines bad_lines;
    cli_progress_mode progress;
    int list; /* --list: print the HDF5 objects instead of describing */
    int hdf5_transfer_given;
    dfsum_hdf5_transfer hdf5_transfer;
    const char **files; /* argv strings; none given: "-" */
    size_t nfiles;
} cli_options;

/* Parses argv into *o (which cli_options_free releases in every case).
 * Returns CLI_EXIT_OK, or CLI_EXIT_USAGE with the message in *err, or
 * CLI_EXIT_FAILURE when memory runs out. */
int cli_parse(int argc, char **argv, cli_options *o, cli_error *err);
void cli_options_free(cli_options *o);

/* The text of --help, in parts 0, 1, ...; NULL past the last. */
const char *cli_help_text(unsigned part);

#endif
