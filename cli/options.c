/*
 * options.c - parse the dfsum command line.
 *
 * One table lists every option: its name, whether it takes a value and the
 * function that stores it. The loop accepts "--opt value" and
 * "--opt=value", treats "-" as standard input and "--" as the end of the
 * options.
 */
#include "options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two strings, each below the 4095 bytes C compilers must take. */
static const char HELP_ABOUT[] =
    "Usage: dfsum [OPTIONS] [FILE...]\n"
    "\n"
    "Summarize CSV files the way pandas' read_csv(FILE).describe() does:\n"
    "count, mean, std, min, percentiles and max of the numeric columns, and\n"
    "count, unique, top and freq of text and bool columns. With no FILE, or\n"
    "when FILE is -, read standard input.\n"
    "\n"
    "Compressed CSV - gzip, bzip2, xz, zstd, LZ4, or a ZIP archive of one\n"
    "file, known by its first bytes - is decompressed into a temporary\n"
    "file in $TMPDIR (default /tmp), while it is being described.\n"
    "\n"
    "An HDF5 file (known by its signature) is read as a table too:\n"
    "FILE.h5:/path names a 1-D compound dataset (one column per field), a\n"
    "group (its 1-D datasets of one length), a 2-D dataset (columns 0..M-1)\n"
    "or a 1-D dataset (one column); FILE.h5 alone is its root group.\n"
    "\n";

static const char HELP_OPTIONS[] =
    "Options:\n"
    "  --format FORMAT     output format: table, csv, json or markdown\n"
    "                      (default: table on a terminal, csv otherwise);\n"
    "                      csv is exactly pandas' describe().to_csv()\n"
    "                        dfsum --format json data.csv\n"
    "  --include WHICH     all: describe every column, as\n"
    "                      describe(include='all') does; numeric or default:\n"
    "                      the numeric columns, or every column when none is\n"
    "                      numeric (the default); or kinds of columns, as\n"
    "                      describe(include=[...]): number, object, bool\n"
    "                        dfsum --include all data.csv\n"
    "                        dfsum --include object,bool data.csv\n"
    "  --exclude KINDS     leave out columns of these kinds, as\n"
    "                      describe(exclude=[...])\n"
    "                        dfsum --exclude bool data.csv\n"
    "  --percentiles LIST  comma-separated percentiles between 0 and 1\n"
    "                      (default 0.25,0.5,0.75); 0.5 is always added\n"
    "                        dfsum --percentiles 0.05,0.95 data.csv\n"
    "  --delimiter CHAR    field separator of the input (default ','); tab\n"
    "                      or '\\t' for a tab\n"
    "                        dfsum --delimiter ';' data.csv\n"
    "  --quotechar CHAR    the character that quotes fields (default '\"';\n"
    "                      doubled inside a quoted field it is itself)\n"
    "                        dfsum --quotechar \"'\" data.csv\n"
    "  --decimal CHAR      the decimal mark of numbers (default '.'), as\n"
    "                      read_csv's decimal: with ',' 1,5 is 1.5 and\n"
    "                      1.5 is text\n"
    "                        dfsum --delimiter ';' --decimal , data.csv\n"
    "  --thousands CHAR    the separator of digit groups in numbers, as\n"
    "                      read_csv's thousands: with ',' 1,234 is 1234\n"
    "                        dfsum --decimal , --thousands . eu.csv\n"
    "  --columns LIST      describe only these comma-separated columns, in\n"
    "                      this order\n"
    "                        dfsum --columns price,qty data.csv\n"
    "  --index-col LIST    columns that are the index, not described, by\n"
    "                      0-based position or name (index_col=[...])\n"
    "                        dfsum --index-col 0 written_by_pandas.csv\n"
    "  --encoding NAME     the text encoding of CSV input: utf-8 (the\n"
    "                      default), latin-1 or cp1252; names and values\n"
    "                      are written in UTF-8\n"
    "                        dfsum --encoding cp1252 export.csv\n"
    "  --na-values LIST    comma-separated strings read as missing too, as\n"
    "                      read_csv's na_values: in any column as written,\n"
    "                      and in float64 columns by value (-999 makes\n"
    "                      -999.0 missing there)\n"
    "                        dfsum --na-values=-999,missing data.csv\n"
    "  --true-values LIST  comma-separated words read as True too, as\n"
    "  --false-values LIST read_csv's true_values and false_values\n"
    "                        dfsum --true-values yes --false-values no f.csv\n"
    "  --no-header         the first row is data, not column names; the\n"
    "                      columns are named 0, 1, ... (header=None)\n"
    "                        dfsum --no-header sensor.csv\n"
    "  --skip-rows N       pass over the first N records (blank lines\n"
    "                      included) before the header (skiprows=N)\n"
    "                        dfsum --skip-rows 3 export.csv\n"
    "  --nrows N           describe only the first N rows (blank lines\n"
    "                      are not rows), as read_csv's nrows=N\n"
    "                        dfsum --nrows 100000 huge.csv\n"
    "  --on-bad-lines WHAT  a row with more fields than the header has\n"
    "                      columns: error (stop, naming its line; the\n"
    "                      default), skip (leave it out) or warn (leave it\n"
    "                      out and say so on stderr), as read_csv's\n"
    "                      on_bad_lines\n"
    "                        dfsum --on-bad-lines warn data.csv\n";

static const char HELP_OUTPUT[] =
    "  --transpose         table and markdown: one line per column, one\n"
    "                      column per statistic\n"
    "                        dfsum --format table --transpose data.csv\n"
    "  --width N           table: wrap the columns into blocks at most N\n"
    "                      characters wide (0: never; default: the terminal\n"
    "                      width on a terminal, else 0)\n"
    "                        dfsum --format table --width 100 data.csv\n"
    "  --threads N         worker threads (default 0: OMP_NUM_THREADS if\n"
    "                      set, else one per core)\n"
    "                        dfsum --threads 4 big.csv\n"
    "  --chunk-size BYTES  bytes read and summarized as one unit, with an\n"
    "                      optional K, M or G suffix (default 1M); the\n"
    "                      result never depends on it\n"
    "                        dfsum --chunk-size 64M big.csv\n"
    "  --parser NAME       how records are split into fields: auto (a\n"
    "                      vectorized splitter where no quote is involved,\n"
    "                      libcsv for the rest; the default) or libcsv\n"
    "                      (every byte through libcsv); same result\n"
    "                        dfsum --parser libcsv data.csv\n"
    "  --list              print the describable objects of HDF5 FILE\n"
    "                      (or of FILE:/obj and below): path, rows x\n"
    "                      columns, types\n"
    "                        dfsum --list sim.h5\n"
    "  --hdf5-transfer MODE  with several MPI processes: independent (each\n"
    "                      process reads its rows alone; the default) or\n"
    "                      collective (MPI-IO collective reads); same result\n"
    "                        mpiexec -n 4 dfsum --hdf5-transfer collective "
    "sim.h5:/t\n"
    "  --progress          always show a progress bar on stderr (by default\n"
    "                      it shows for inputs over 64 MiB when stderr is a\n"
    "                      terminal)\n"
    "  -q, --quiet         no progress bar nor notes\n"
    "  -h, --help          print this help and exit\n"
    "  -V, --version       print the version and exit\n";

static const char HELP_NOTES[] =
    "\n"
    "Every option that takes a value also accepts --option=VALUE.\n"
    "\n"
    "With several files, each table is headed by a line \"==> FILE <==\";\n"
    "with --format json the output is an array of {\"file\": FILE,\n"
    "\"columns\": [...]} objects (one file: a single such object).\n"
    "\n"
    "Exit status:\n"
    "  0  success\n"
    "  1  an input cannot be read or is malformed, or the output cannot be\n"
    "     written\n"
    "  2  usage error: an unknown option, a bad option value, a --columns\n"
    "     name not in the file, or no such object in an HDF5 file\n";

const char *cli_help_text(unsigned part)
{
    static const char *const parts[] = {HELP_ABOUT, HELP_OPTIONS, HELP_OUTPUT,
                                        HELP_NOTES};
    return part < sizeof parts / sizeof parts[0] ? parts[part] : NULL;
}

static int usage_error(cli_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(cli_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

static int out_of_memory(cli_error *err)
{
    snprintf(err->text, sizeof err->text, "out of memory");
    return CLI_EXIT_FAILURE;
}

/* Splits a copy of list at commas: *text owns the bytes, *items points
 * into it. An empty list gives one empty item. */
static int split_list(const char *list, char **text, char ***items, size_t *n)
{
    size_t count = 1;
    for (const char *p = list; *p; p++)
        count += *p == ',';
    *text = strdup(list);
    *items = malloc(count * sizeof **items);
    if (!*text || !*items)
        return 0;
    char *p = *text;
    for (size_t i = 0; i < count; i++) {
        (*items)[i] = p;
        p += strcspn(p, ",");
        if (*p)
            *p++ = '\0';
    }
    *n = count;
    return 1;
}

/* A plain decimal number: [+-]digits[.digits][e[+-]digits], no inf, nan
 * or hexadecimal. */
static int parse_decimal(const char *s, double *out)
{
    static const char digits[] = "0123456789";
    const char *p = s + (*s == '+' || *s == '-');
    size_t whole = strspn(p, digits), frac = 0;
    p += whole;
    if (*p == '.') {
        frac = strspn(++p, digits);
        p += frac;
    }
    if (whole + frac == 0)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p += 1 + (p[1] == '+' || p[1] == '-');
        size_t exp = strspn(p, digits);
        if (exp == 0)
            return 0;
        p += exp;
    }
    if (*p)
        return 0;
    *out = strtod(s, NULL);
    return 1;
}

/* A non-negative integer with an optional binary suffix (K, M or G). */
static int parse_size(const char *s, int allow_suffix, size_t *out)
{
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    if (allow_suffix && *end) {
        const char *units = "KMG";
        int unit = end[0] & ~0x20; /* upper case */
        const char *u = unit ? strchr(units, unit) : NULL;
        if (!u || end[1])
            return 0;
        shift = 10u * (unsigned)(u - units + 1);
        end++;
    }
    if (*end || errno || v > (SIZE_MAX >> shift))
        return 0;
    *out = (size_t)(v << shift);
    return 1;
}

typedef int (*option_store)(cli_options *o, const char *value, cli_error *err);

static int store_format(cli_options *o, const char *v, cli_error *err)
{
    static const char *const names[] = {"table", "csv", "json", "markdown"};
    static const dfsum_format formats[] = {DFSUM_FORMAT_TABLE, DFSUM_FORMAT_CSV,
                                           DFSUM_FORMAT_JSON,
                                           DFSUM_FORMAT_MARKDOWN};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(v, names[i]) == 0) {
            o->format = formats[i];
            o->format_given = 1;
            return CLI_EXIT_OK;
        }
    }
    return usage_error(
        err, "--format: expected table, csv, json or markdown, got '%s'", v);
}

/* A comma-separated list of kinds (select_dtypes' names) as a mask; 0 for
 * a name that is none. */
static unsigned parse_kinds(const char *v)
{
    static const struct {
        const char *name;
        unsigned kind;
    } kinds[] = {{"number", DFSUM_KIND_NUMBER},
                 {"object", DFSUM_KIND_OBJECT},
                 {"O", DFSUM_KIND_OBJECT},
                 {"bool", DFSUM_KIND_BOOL}};
    unsigned mask = 0;
    while (*v) {
        size_t n = strcspn(v, ","), k = 0;
        while (k < sizeof kinds / sizeof kinds[0] &&
               (strlen(kinds[k].name) != n || strncmp(v, kinds[k].name, n)))
            k++;
        if (k == sizeof kinds / sizeof kinds[0])
            return 0;
        mask |= kinds[k].kind;
        v += n + (v[n] == ',');
    }
    return mask;
}

static int store_include(cli_options *o, const char *v, cli_error *err)
{
    o->kinds_in = 0;
    if (strcmp(v, "all") == 0)
        o->include = DFSUM_INCLUDE_ALL;
    else if (strcmp(v, "numeric") == 0 || strcmp(v, "default") == 0)
        o->include = DFSUM_INCLUDE_DEFAULT;
    else if ((o->kinds_in = parse_kinds(v)) == 0)
        return usage_error(err,
                           "--include: expected all, default, or kinds among "
                           "number, object and bool, got '%s'",
                           v);
    return CLI_EXIT_OK;
}

static int store_exclude(cli_options *o, const char *v, cli_error *err)
{
    if ((o->kinds_out = parse_kinds(v)) == 0)
        return usage_error(err,
                           "--exclude: expected kinds among number, object "
                           "and bool, got '%s'",
                           v);
    return CLI_EXIT_OK;
}

static int store_percentiles(cli_options *o, const char *v, cli_error *err)
{
    char *text, **items = NULL;
    size_t n = 0;
    int ok = split_list(v, &text, &items, &n);
    double *p = ok ? malloc(n * sizeof *p) : NULL;
    int status = p ? CLI_EXIT_OK : out_of_memory(err);
    for (size_t i = 0; p && i < n && status == CLI_EXIT_OK; i++)
        if (!parse_decimal(items[i], &p[i]))
            status = usage_error(err, "--percentiles: '%s' is not a number",
                                 items[i]);
    free(text);
    free(items);
    if (status != CLI_EXIT_OK) {
        free(p);
        return status;
    }
    free(o->percentiles);
    o->percentiles = p;
    o->npercentiles = n;
    return CLI_EXIT_OK;
}

/* One byte, or tab spelled as "tab" or "\t". */
static int store_delimiter(cli_options *o, const char *v, cli_error *err)
{
    if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
        o->delimiter = '\t';
    else if (strlen(v) == 1)
        o->delimiter = v[0];
    else
        return usage_error(
            err, "--delimiter: expected one character (or tab), got '%s'", v);
    o->delimiter_given = 1;
    return CLI_EXIT_OK;
}

/* A comma-separated list option: its items replace an earlier one's. */
static int store_items(const char *v, char **text, char ***items, size_t *n,
                       cli_error *err)
{
    free(*text);
    free(*items);
    *text = NULL;
    *items = NULL;
    return split_list(v, text, items, n) ? CLI_EXIT_OK : out_of_memory(err);
}

static int store_index_col(cli_options *o, const char *v, cli_error *err)
{
    return store_items(v, &o->index_cols_text, &o->index_cols, &o->nindex_cols,
                       err);
}

/* The one character v of option `name` into *out. */
static int store_char(const char *name, const char *v, char *out,
                      cli_error *err)
{
    if (strlen(v) != 1)
        return usage_error(err, "%s: expected one character, got '%s'", name,
                           v);
    *out = v[0];
    return CLI_EXIT_OK;
}

static int store_quotechar(cli_options *o, const char *v, cli_error *err)
{
    return store_char("--quotechar", v, &o->quotechar, err);
}

static int store_decimal(cli_options *o, const char *v, cli_error *err)
{
    return store_char("--decimal", v, &o->decimal, err);
}

static int store_thousands(cli_options *o, const char *v, cli_error *err)
{
    return store_char("--thousands", v, &o->thousands, err);
}

static int store_columns(cli_options *o, const char *v, cli_error *err)
{
    return store_items(v, &o->columns_text, &o->columns, &o->ncolumns, err);
}

static int store_encoding(cli_options *o, const char *v, cli_error *err)
{
    (void)err;
    o->encoding = v; /* checked by dfsum_set_encoding */
    return CLI_EXIT_OK;
}

static int store_true_values(cli_options *o, const char *v, cli_error *err)
{
    return store_items(v, &o->true_values_text, &o->true_values,
                       &o->ntrue_values, err);
}

static int store_false_values(cli_options *o, const char *v, cli_error *err)
{
    return store_items(v, &o->false_values_text, &o->false_values,
                       &o->nfalse_values, err);
}

static int store_na_values(cli_options *o, const char *v, cli_error *err)
{
    return store_items(v, &o->na_values_text, &o->na_values, &o->nna_values,
                       err);
}

static int store_threads(cli_options *o, const char *v, cli_error *err)
{
    size_t n;
    if (!parse_size(v, 0, &n) || n > 1000000)
        return usage_error(
            err,
            "--threads: expected a number of threads (0 = all cores), "
            "got '%s'",
            v);
    o->threads = (int)n;
    o->threads_given = 1;
    return CLI_EXIT_OK;
}

static int store_chunk_size(cli_options *o, const char *v, cli_error *err)
{
    if (!parse_size(v, 1, &o->chunk_size) || o->chunk_size == 0)
        return usage_error(err,
                           "--chunk-size: expected a size in bytes such as "
                           "65536, 64K or 4M, got '%s'",
                           v);
    o->chunk_size_given = 1;
    return CLI_EXIT_OK;
}

static int store_width(cli_options *o, const char *v, cli_error *err)
{
    if (!parse_size(v, 0, &o->width))
        return usage_error(err,
                           "--width: expected a number of characters, "
                           "got '%s'",
                           v);
    o->width_given = 1;
    return CLI_EXIT_OK;
}

static int store_transpose(cli_options *o, const char *v, cli_error *err)
{
    (void)v, (void)err;
    o->flags |= DFSUM_WRITE_TRANSPOSE;
    return CLI_EXIT_OK;
}

static int store_parser(cli_options *o, const char *v, cli_error *err)
{
    if (strcmp(v, "auto") == 0)
        o->parser = DFSUM_PARSER_AUTO;
    else if (strcmp(v, "libcsv") == 0)
        o->parser = DFSUM_PARSER_LIBCSV;
    else
        return usage_error(err, "--parser: expected auto or libcsv, got '%s'",
                           v);
    o->parser_given = 1;
    return CLI_EXIT_OK;
}

static int store_no_header(cli_options *o, const char *v, cli_error *err)
{
    (void)v, (void)err;
    o->no_header = 1;
    return CLI_EXIT_OK;
}

static int store_skip_rows(cli_options *o, const char *v, cli_error *err)
{
    size_t n;
    if (!parse_size(v, 0, &n))
        return usage_error(
            err, "--skip-rows: expected a number of records, got '%s'", v);
    o->skip_rows = n;
    return CLI_EXIT_OK;
}

static int store_nrows(cli_options *o, const char *v, cli_error *err)
{
    size_t n;
    if (!parse_size(v, 0, &n) || n == SIZE_MAX)
        return usage_error(err, "--nrows: expected a number of rows, got '%s'",
                           v);
    o->nrows = n;
    o->nrows_given = 1;
    return CLI_EXIT_OK;
}

static int store_bad_lines(cli_options *o, const char *v, cli_error *err)
{
    if (strcmp(v, "error") == 0)
        o->bad_lines = DFSUM_BAD_LINES_ERROR;
    else if (strcmp(v, "skip") == 0)
        o->bad_lines = DFSUM_BAD_LINES_SKIP;
    else if (strcmp(v, "warn") == 0)
        o->bad_lines = DFSUM_BAD_LINES_WARN;
    else
        return usage_error(
            err, "--on-bad-lines: expected error, skip or warn, got '%s'", v);
    o->bad_lines_given = 1;
    return CLI_EXIT_OK;
}

static int store_list(cli_options *o, const char *v, cli_error *err)
{
    (void)v, (void)err;
    o->list = 1;
    return CLI_EXIT_OK;
}

static int store_hdf5_transfer(cli_options *o, const char *v, cli_error *err)
{
    if (strcmp(v, "independent") == 0)
        o->hdf5_transfer = DFSUM_HDF5_INDEPENDENT;
    else if (strcmp(v, "collective") == 0)
        o->hdf5_transfer = DFSUM_HDF5_COLLECTIVE;
    else
        return usage_error(err,
                           "--hdf5-transfer: expected independent or "
                           "collective, got '%s'",
                           v);
    o->hdf5_transfer_given = 1;
    return CLI_EXIT_OK;
}

static int store_progress(cli_options *o, const char *v, cli_error *err)
{
    (void)v, (void)err;
    o->progress = CLI_PROGRESS_ON;
    return CLI_EXIT_OK;
}

static int store_quiet(cli_options *o, const char *v, cli_error *err)
{
    (void)v, (void)err;
    o->progress = CLI_PROGRESS_OFF;
    return CLI_EXIT_OK;
}

static int store_help(cli_options *o, const char *v, cli_error *err)
{
    (void)v, (void)err;
    o->action = CLI_HELP;
    return CLI_EXIT_OK;
}

static int store_version(cli_options *o, const char *v, cli_error *err)
{
    (void)v, (void)err;
    o->action = CLI_VERSION;
    return CLI_EXIT_OK;
}

static const struct cli_option {
    const char *name;
    const char *short_name;
    int takes_value;
    option_store store;
} OPTIONS[] = {
    {"--format", NULL, 1, store_format},
    {"--include", NULL, 1, store_include},
    {"--exclude", NULL, 1, store_exclude},
    {"--percentiles", NULL, 1, store_percentiles},
    {"--delimiter", NULL, 1, store_delimiter},
    {"--quotechar", NULL, 1, store_quotechar},
    {"--decimal", NULL, 1, store_decimal},
    {"--thousands", NULL, 1, store_thousands},
    {"--index-col", NULL, 1, store_index_col},
    {"--columns", NULL, 1, store_columns},
    {"--encoding", NULL, 1, store_encoding},
    {"--na-values", NULL, 1, store_na_values},
    {"--true-values", NULL, 1, store_true_values},
    {"--false-values", NULL, 1, store_false_values},
    {"--no-header", NULL, 0, store_no_header},
    {"--skip-rows", NULL, 1, store_skip_rows},
    {"--nrows", NULL, 1, store_nrows},
    {"--on-bad-lines", NULL, 1, store_bad_lines},
    {"--transpose", NULL, 0, store_transpose},
    {"--width", NULL, 1, store_width},
    {"--threads", NULL, 1, store_threads},
    {"--chunk-size", NULL, 1, store_chunk_size},
    {"--parser", NULL, 1, store_parser},
    {"--list", NULL, 0, store_list},
    {"--hdf5-transfer", NULL, 1, store_hdf5_transfer},
    {"--progress", NULL, 0, store_progress},
    {"--quiet", "-q", 0, store_quiet},
    {"--help", "-h", 0, store_help},
    {"--version", "-V", 0, store_version},
};

/* The option named by arg (up to '=' for a long option), or NULL. */
static const struct cli_option *find_option(const char *arg, size_t name_len)
{
    for (size_t i = 0; i < sizeof OPTIONS / sizeof OPTIONS[0]; i++) {
        const struct cli_option *opt = &OPTIONS[i];
        if (strlen(opt->name) == name_len &&
            strncmp(arg, opt->name, name_len) == 0)
            return opt;
        if (opt->short_name && strcmp(arg, opt->short_name) == 0)
            return opt;
    }
    return NULL;
}

/* Handles the option at argv[*i], consuming its value. */
static int parse_option(int argc, char **argv, int *i, cli_options *o,
                        cli_error *err)
{
    const char *arg = argv[*i];
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct cli_option *opt = find_option(arg, name_len);
    if (!opt)
        return usage_error(err, "unknown option '%.*s' (try 'dfsum --help')",
                           (int)name_len, arg);
    if (!opt->takes_value && eq)
        return usage_error(err, "option '%s' takes no value", opt->name);
    const char *value = eq ? eq + 1 : NULL;
    if (opt->takes_value && !value) {
        if (*i + 1 >= argc)
            return usage_error(err, "option '%s' needs a value", opt->name);
        value = argv[++*i];
    }
    return opt->store(o, value, err);
}

int cli_parse(int argc, char **argv, cli_options *o, cli_error *err)
{
    *o = (cli_options){.action = CLI_RUN};
    o->files = malloc((size_t)(argc > 0 ? argc : 1) * sizeof *o->files);
    if (!o->files)
        return out_of_memory(err);
    int only_files = 0;
    for (int i = 1; i < argc && o->action == CLI_RUN; i++) {
        const char *arg = argv[i];
        if (only_files || arg[0] != '-' || strcmp(arg, "-") == 0) {
            o->files[o->nfiles++] = arg;
        } else if (strcmp(arg, "--") == 0) {
            only_files = 1;
        } else {
            int status = parse_option(argc, argv, &i, o, err);
            if (status != CLI_EXIT_OK)
                return status;
        }
    }
    if (o->nfiles == 0)
        o->files[o->nfiles++] = "-";
    return CLI_EXIT_OK;
}

void cli_options_free(cli_options *o)
{
    free(o->percentiles);
    free(o->columns);
    free(o->columns_text);
    free(o->na_values);
    free(o->na_values_text);
    free(o->true_values);
    free(o->true_values_text);
    free(o->false_values);
    free(o->false_values_text);
    free(o->index_cols);
    free(o->index_cols_text);
    free(o->files);
    *o = (cli_options){.action = CLI_RUN};
}
