/*
 * main.c - the dfsum command: describe CSV files like pandas does.
 *
 * Every table is formatted into memory first and standard output is
 * written once at the end, so a failure prints exactly one line on stderr
 * and nothing on stdout. Only this file prints and picks the exit status.
 */
/* mpi.h before anything that includes dfsum.h: dfsum.h then declares
 * dfsum_set_comm. */
#include <mpi.h>

#include "options.h"
#include "progress.h"

#include <dfsum.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* A growing output buffer that remembers an allocation failure. */
typedef struct {
    char *data;
    size_t len, cap;
    int failed;
} out_buf;

static void out_append(out_buf *b, const char *s, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < n && cap <= ((size_t)-1) / 2)
            cap *= 2;
        char *data = cap - b->len >= n ? realloc(b->data, cap) : NULL;
        if (!data) {
            b->failed = 1;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void out_puts(out_buf *b, const char *s)
{
    out_append(b, s, strlen(s));
}

/* Everything one run needs. */
typedef struct {
    const cli_options *opts;
    dfsum *session;
    dfsum_format format;
    size_t width;
    out_buf out;
    cli_progress progress;
} run_state;

static size_t terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *columns = getenv("COLUMNS");
    long n = columns ? strtol(columns, NULL, 10) : 0;
    return n > 0 ? (size_t)n : 80;
}

/* Table on a terminal (wrapped to its width), CSV into a pipe or file. */
static void choose_output(run_state *rs)
{
    int tty = isatty(STDOUT_FILENO);
    rs->format = rs->opts->format_given ? rs->opts->format
                 : tty                  ? DFSUM_FORMAT_TABLE
                                        : DFSUM_FORMAT_CSV;
    rs->width = rs->opts->width_given ? rs->opts->width
                : tty                 ? terminal_width()
                                      : 0;
}

/* A value the library refuses is a usage error quoting its reason. */
static int option_refused(const dfsum *d, dfsum_status st, const char *option)
{
    const char *msg = dfsum_errmsg(d);
    fprintf(stderr, "dfsum: %s: %s\n", option,
            msg && *msg ? msg : dfsum_strerror(st));
    return st == DFSUM_ENOMEM ? CLI_EXIT_FAILURE : CLI_EXIT_USAGE;
}

/* --delimiter and --quotechar. Each setter checks the pair against the
 * other's current value, so when both are given the quote first steps
 * aside to a byte neither uses (the two defaults may be swapped). Prints
 * why on failure. */
static dfsum_status apply_dialect(dfsum *d, const cli_options *o)
{
    dfsum_status st = DFSUM_OK;
    if (o->delimiter_given && o->quotechar) {
        const char *aside = "'`~^";
        while (*aside == o->delimiter || *aside == o->quotechar ||
               *aside == ',')
            aside++;
        dfsum_set_quotechar(d, *aside); /* beside ',' */
    }
    if (o->delimiter_given && (st = dfsum_set_delimiter(d, o->delimiter)))
        option_refused(d, st, "--delimiter");
    else if (o->quotechar && (st = dfsum_set_quotechar(d, o->quotechar)))
        option_refused(d, st, "--quotechar");
    return st;
}

static int apply_options(dfsum *d, const cli_options *o)
{
    dfsum_status st = dfsum_set_include(d, o->include);
    if (st != DFSUM_OK)
        return option_refused(d, st, "--include");
    if (o->percentiles &&
        (st = dfsum_set_percentiles(d, o->percentiles, o->npercentiles)))
        return option_refused(d, st, "--percentiles");
    if (o->index_cols &&
        (st = dfsum_set_index_columns(d, (const char *const *)o->index_cols,
                                      o->nindex_cols)))
        return option_refused(d, st, "--index-col");
    if ((st = apply_dialect(d, o)) != DFSUM_OK)
        return CLI_EXIT_USAGE;
    if (o->decimal && (st = dfsum_set_decimal(d, o->decimal)))
        return option_refused(d, st, "--decimal");
    if (o->thousands && (st = dfsum_set_thousands(d, o->thousands)))
        return option_refused(d, st, "--thousands");
    if (o->columns && (st = dfsum_set_columns(
                           d, (const char *const *)o->columns, o->ncolumns)))
        return option_refused(d, st, "--columns");
    if (o->threads_given && (st = dfsum_set_threads(d, o->threads)))
        return option_refused(d, st, "--threads");
    if (o->chunk_size_given && (st = dfsum_set_chunk_size(d, o->chunk_size)))
        return option_refused(d, st, "--chunk-size");
    if ((o->kinds_in | o->kinds_out) &&
        (st = dfsum_set_kinds(d, o->kinds_in, o->kinds_out)))
        return option_refused(d, st, "--include");
    if (o->parser_given && (st = dfsum_set_parser(d, o->parser)))
        return option_refused(d, st, "--parser");
    if (o->encoding && (st = dfsum_set_encoding(d, o->encoding)))
        return option_refused(d, st, "--encoding");
    if (o->na_values &&
        (st = dfsum_set_na_values(d, (const char *const *)o->na_values,
                                  o->nna_values)))
        return option_refused(d, st, "--na-values");
    if (o->true_values &&
        (st = dfsum_set_true_values(d, (const char *const *)o->true_values,
                                    o->ntrue_values)))
        return option_refused(d, st, "--true-values");
    if (o->false_values &&
        (st = dfsum_set_false_values(d, (const char *const *)o->false_values,
                                     o->nfalse_values)))
        return option_refused(d, st, "--false-values");
    if (o->no_header && (st = dfsum_set_header(d, 0)))
        return option_refused(d, st, "--no-header");
    if (o->nrows_given && (st = dfsum_set_nrows(d, o->nrows)))
        return option_refused(d, st, "--nrows");
    if (o->skip_rows && (st = dfsum_set_skip_rows(d, o->skip_rows)))
        return option_refused(d, st, "--skip-rows");
    if (o->bad_lines_given && (st = dfsum_set_on_bad_lines(d, o->bad_lines)))
        return option_refused(d, st, "--on-bad-lines");
    if (o->hdf5_transfer_given &&
        (st = dfsum_set_hdf5_transfer(d, o->hdf5_transfer)))
        return option_refused(d, st, "--hdf5-transfer");
    return CLI_EXIT_OK;
}

/* A bad --columns name or argument is the user's; the rest is the data's
 * or the system's. */
static int describe_failed(const dfsum *d, dfsum_status st, const char *path)
{
    const char *msg = dfsum_errmsg(d);
    if (msg && *msg)
        fprintf(stderr, "dfsum: %s\n", msg);
    else
        fprintf(stderr, "dfsum: %s: %s\n", path, dfsum_strerror(st));
    return st == DFSUM_ENOTFOUND || st == DFSUM_EINVAL ? CLI_EXIT_USAGE
                                                       : CLI_EXIT_FAILURE;
}

/* Appends one file's JSON object ({"file":..,"columns":[...]}); several
 * files make a JSON array of them. */
static void append_json(run_state *rs, const char *text, size_t len,
                        size_t index)
{
    size_t nfiles = rs->opts->nfiles;
    if (nfiles > 1)
        out_puts(&rs->out, index == 0 ? "[" : ",\n");
    while (len > 0 && text[len - 1] == '\n')
        len--;
    out_append(&rs->out, text, len);
    if (index + 1 == nfiles)
        out_puts(&rs->out, nfiles > 1 ? "]\n" : "\n");
}

static void append_table(run_state *rs, const char *path, const char *text,
                         size_t len, size_t index)
{
    if (rs->opts->nfiles > 1) {
        out_puts(&rs->out, index > 0 ? "\n==> " : "==> ");
        out_puts(&rs->out, strcmp(path, "-") ? path : "standard input");
        out_puts(&rs->out, " <==\n");
    }
    out_append(&rs->out, text, len);
}

/* --list: the HDF5 objects of a file, headed like a table. */
static int list_one(run_state *rs, size_t index)
{
    const char *path = rs->opts->files[index];
    char *text = NULL;
    size_t len = 0;
    dfsum_status st = dfsum_list(rs->session, path, &text, &len);
    if (st != DFSUM_OK)
        return describe_failed(rs->session, st, path);
    append_table(rs, path, text, len, index);
    free(text);
    return CLI_EXIT_OK;
}

/* What the input left out (a group's skipped members), one "dfsum: "
 * line each on stderr; -q silences it. Only process 0 prints at all. */
static void print_note(const run_state *rs, const dfsum_result *r)
{
    const char *note = dfsum_result_note(r);
    if (rs->opts->progress == CLI_PROGRESS_OFF || !note)
        return;
    while (*note) {
        size_t n = strcspn(note, "\n");
        fprintf(stderr, "dfsum: %.*s\n", (int)n, note);
        note += n + (note[n] == '\n');
    }
}

static int describe_one(run_state *rs, size_t index)
{
    const char *path = rs->opts->files[index];
    if (rs->opts->list)
        return list_one(rs, index);
    dfsum_result *r = NULL;
    cli_progress_begin(&rs->progress, path);
    dfsum_status st = dfsum_describe_path(rs->session, path, &r);
    cli_progress_end(&rs->progress);
    if (st != DFSUM_OK)
        return describe_failed(rs->session, st, path);
    print_note(rs, r);
    char *text = NULL;
    size_t len = 0;
    st = dfsum_result_format(r, rs->format, rs->opts->flags, rs->width, &text,
                             &len);
    dfsum_result_free(r);
    if (st != DFSUM_OK) {
        fprintf(stderr, "dfsum: %s: %s\n", path, dfsum_strerror(st));
        return CLI_EXIT_FAILURE;
    }
    if (rs->format == DFSUM_FORMAT_JSON)
        append_json(rs, text, len, index);
    else
        append_table(rs, path, text, len, index);
    free(text);
    return CLI_EXIT_OK;
}

/* Writes all of stdout at once and makes sure it really got written. */
static int write_stdout(const char *data, size_t len)
{
    /* fwrite(NULL, ...) is undefined even for 0 bytes (empty --list). */
    if ((len && fwrite(data, 1, len, stdout) != len) || fflush(stdout) != 0) {
        fprintf(stderr, "dfsum: write error: %s\n", strerror(errno));
        fclose(stdout);
        return CLI_EXIT_FAILURE;
    }
    if (fclose(stdout) != 0) {
        fprintf(stderr, "dfsum: write error: %s\n", strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/* Under mpiexec the processes describe each file together. */
static int join_world(dfsum *d)
{
    int started = 0, size = 1;
    MPI_Initialized(&started);
    if (started)
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size == 1 || dfsum_set_comm(d, MPI_COMM_WORLD) == DFSUM_OK)
        return CLI_EXIT_OK;
    fprintf(stderr, "dfsum: %s\n", dfsum_errmsg(d));
    return CLI_EXIT_FAILURE;
}

static int run(const cli_options *opts)
{
    run_state rs = {.opts = opts};
    if (dfsum_create(&rs.session) != DFSUM_OK) {
        fprintf(stderr, "dfsum: %s\n", dfsum_strerror(DFSUM_ENOMEM));
        return CLI_EXIT_FAILURE;
    }
    choose_output(&rs);
    cli_progress_init(&rs.progress, opts->progress);
    dfsum_set_progress(rs.session, cli_progress_update, &rs.progress);
    int status = apply_options(rs.session, opts);
    if (status == CLI_EXIT_OK)
        status = join_world(rs.session);
    for (size_t i = 0; status == CLI_EXIT_OK && i < opts->nfiles; i++)
        status = describe_one(&rs, i);
    if (status == CLI_EXIT_OK && rs.out.failed) {
        fprintf(stderr, "dfsum: %s\n", dfsum_strerror(DFSUM_ENOMEM));
        status = CLI_EXIT_FAILURE;
    }
    if (status == CLI_EXIT_OK)
        status = write_stdout(rs.out.data, rs.out.len);
    free(rs.out.data);
    dfsum_free(rs.session);
    return status;
}

/* The parts joined, for write_stdout's one write. */
static int print_help(void)
{
    size_t len = 0;
    const char *part;
    for (unsigned i = 0; (part = cli_help_text(i)) != NULL; i++)
        len += strlen(part);
    char *text = malloc(len + 1);
    if (text == NULL) {
        fprintf(stderr, "dfsum: out of memory\n");
        return CLI_EXIT_FAILURE;
    }
    text[0] = '\0';
    for (unsigned i = 0; (part = cli_help_text(i)) != NULL; i++)
        strcat(text, part);
    int status = write_stdout(text, len);
    free(text);
    return status;
}

static int print_version(void)
{
    char line[64];
    snprintf(line, sizeof line, "dfsum %s\n", dfsum_version());
    return write_stdout(line, strlen(line));
}

/* Whether a process manager (mpiexec, srun, ...) started this process:
 * each one leaves its mark in the environment. DFSUM_MPI=1 starts MPI in
 * any case (a singleton), DFSUM_MPI=0 never. */
static int launched_by_mpi(void)
{
    static const char *const marks[] = {
        "PMI_RANK",       "PMI_SIZE",  "PMI_FD",
        "PMI_PORT",       "PMIX_RANK", "OMPI_COMM_WORLD_SIZE",
        "MPI_LOCALNRANKS"};
    const char *force = getenv("DFSUM_MPI");
    if (force && *force)
        return strcmp(force, "0") != 0;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (getenv(marks[i]))
            return 1;
    return 0;
}

/* MPI starts when a process manager launched dfsum; a plain run stays a
 * plain process (MPI's start-up would cost it some 18 MB and 20 ms for
 * nothing). Only the main thread calls MPI. The processes agree on every
 * outcome, so process 0 speaks for all of them: the others write nothing. */
static int start_mpi(int *argc, char ***argv)
{
    int provided, rank = 0;
    if (!launched_by_mpi())
        return 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) !=
        MPI_SUCCESS) {
        fprintf(stderr, "dfsum: cannot start MPI\n");
        return -1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank != 0 && (!freopen("/dev/null", "w", stdout) ||
                      !freopen("/dev/null", "w", stderr)))
        return MPI_Finalize(), -1;
    return 0;
}

static void stop_mpi(void)
{
    int started = 0;
    MPI_Initialized(&started);
    if (started)
        MPI_Finalize();
}

int main(int argc, char **argv)
{
    cli_options opts;
    cli_error err;
    if (start_mpi(&argc, &argv) != 0)
        return CLI_EXIT_FAILURE;
    int status = cli_parse(argc, argv, &opts, &err);
    if (status != CLI_EXIT_OK)
        fprintf(stderr, "dfsum: %s\n", err.text);
    else if (opts.action == CLI_HELP)
        status = print_help();
    else if (opts.action == CLI_VERSION)
        status = print_version();
    else
        status = run(&opts);
    cli_options_free(&opts);
    stop_mpi();
    return status;
}
