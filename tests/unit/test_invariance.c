/*
 * test_invariance.c - the invariant: the result is a pure function of the
 * table. For every example table and fixture, random thread counts (1..8),
 * chunk sizes (1 byte up) and parsers must give byte-identical output to
 * the reference run. The seed is printed on failure; DFSUM_SEED=N replays.
 * Uses only <dfsum.h>.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dfsum.h"

#define RUNS_PER_FILE 6

static uint64_t rng_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The CSV text of r, then its note and its count of bad lines. */
static char *result_text(const dfsum_result *r)
{
    char *csv = NULL;
    size_t len = 0;
    assert_int_equal(dfsum_result_format(r, DFSUM_FORMAT_CSV, 0, 0, &csv, &len),
                     DFSUM_OK);
    const char *note = dfsum_result_note(r);
    size_t cap = len + strlen(note) + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    snprintf(text, cap, "%s-- note\n%s\n-- bad lines %llu\n", csv, note,
             (unsigned long long)dfsum_result_bad_lines(r));
    free(csv);
    return text;
}

/* Read options beyond the defaults (the number and bool forms of a
 * European export); NULL for none. */
typedef struct {
    char delim, decimal, thousands;
    const char *trues[2], *falses[2];
} read_opts;

static void apply_read_opts(dfsum *d, const read_opts *ro)
{
    if (ro == NULL)
        return;
    assert_int_equal(dfsum_set_delimiter(d, ro->delim), DFSUM_OK);
    assert_int_equal(dfsum_set_decimal(d, ro->decimal), DFSUM_OK);
    assert_int_equal(dfsum_set_thousands(d, ro->thousands), DFSUM_OK);
    assert_int_equal(dfsum_set_true_values(d, ro->trues, 2), DFSUM_OK);
    assert_int_equal(dfsum_set_false_values(d, ro->falses, 2), DFSUM_OK);
}

/* Describes path with --include all and returns result_text (free it),
 * or the error message prefixed with "error: ". */
static char *describe(const char *path, const read_opts *ro, int threads,
                      size_t chunk, dfsum_parser parser,
                      dfsum_bad_lines bad_lines)
{
    dfsum *d = NULL;
    dfsum_result *r = NULL;
    char *text = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    apply_read_opts(d, ro);
    dfsum_set_include(d, DFSUM_INCLUDE_ALL);
    dfsum_set_threads(d, threads);
    dfsum_set_parser(d, parser);
    assert_int_equal(dfsum_set_on_bad_lines(d, bad_lines), DFSUM_OK);
    if (chunk)
        dfsum_set_chunk_size(d, chunk);
    if (dfsum_describe_path(d, path, &r) == DFSUM_OK) {
        text = result_text(r);
    } else {
        const char *msg = dfsum_errmsg(d);
        text = malloc(strlen(msg) + 8);
        assert_non_null(text);
        sprintf(text, "error: %s", msg);
    }
    dfsum_result_free(r);
    dfsum_free(d);
    return text;
}

static off_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : 0;
}

/* A chunk size from 1 byte up, log-uniform; tiny sizes only for small
 * files so the suite stays fast. */
static size_t random_chunk(uint64_t *s, off_t size)
{
    unsigned max_bits = size < 8192 ? 14 : 20;
    unsigned min_bits = size < 8192 ? 0 : 9;
    unsigned bits = min_bits + (unsigned)(rng_next(s) % (max_bits - min_bits));
    return ((size_t)1 << bits) + (size_t)(rng_next(s) % ((size_t)1 << bits));
}

/* Runs path with random partitionings against the reference run (one
 * thread, libcsv, one chunk, the portable code: DFSUM_SIMD=off), each
 * on-bad-lines mode against its own; the runs use the CPU's vector code
 * or not at random. Returns the reference of DFSUM_BAD_LINES_WARN (free
 * it). */
static char *check_file_runs(const char *path, const read_opts *ro,
                             uint64_t seed, int runs)
{
    setenv("DFSUM_SIMD", "off", 1);
    char *ref[2] = {
        describe(path, ro, 1, 0, DFSUM_PARSER_LIBCSV, DFSUM_BAD_LINES_ERROR),
        describe(path, ro, 1, 0, DFSUM_PARSER_LIBCSV, DFSUM_BAD_LINES_WARN)};
    uint64_t s = seed;
    for (int run = 0; run < runs; run++) {
        int threads = 1 + (int)(rng_next(&s) % 8);
        size_t chunk = random_chunk(&s, file_size(path));
        dfsum_parser parser =
            rng_next(&s) & 1 ? DFSUM_PARSER_AUTO : DFSUM_PARSER_LIBCSV;
        int warn = (int)(rng_next(&s) & 1);
        int simd = (int)(rng_next(&s) & 1);
        if (simd)
            unsetenv("DFSUM_SIMD");
        else
            setenv("DFSUM_SIMD", "off", 1);
        char *got =
            describe(path, ro, threads, chunk, parser,
                     warn ? DFSUM_BAD_LINES_WARN : DFSUM_BAD_LINES_ERROR);
        if (strcmp(ref[warn], got) != 0)
            fail_msg("%s: threads %d, chunk %zu, parser %d, bad lines %s, "
                     "simd %s differ from the reference (seed %llu)\n"
                     "--- reference\n%s--- got\n%s",
                     path, threads, chunk, (int)parser, warn ? "warn" : "error",
                     simd ? "on" : "off", (unsigned long long)seed, ref[warn],
                     got);
        free(got);
    }
    unsetenv("DFSUM_SIMD");
    free(ref[0]);
    return ref[1];
}

static void check_file(const char *path, uint64_t seed)
{
    free(check_file_runs(path, NULL, seed, RUNS_PER_FILE));
}

static uint64_t test_seed(void)
{
    const char *env = getenv("DFSUM_SEED");
    return env ? strtoull(env, NULL, 10) : 20261127;
}

static void check_dir(const char *dir, const char *suffix)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    uint64_t seed = test_seed();
    assert_non_null(dp);
    while ((de = readdir(dp)) != NULL) {
        size_t n = strlen(de->d_name), k = strlen(suffix);
        if (n <= k || strcmp(de->d_name + n - k, suffix) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        check_file(path, seed++);
    }
    closedir(dp);
}

/* Every case folder of the golden CLI tests holds its own small inputs. */
static void check_golden_cases(void)
{
    DIR *dp = opendir(DFSUM_GOLDEN_CASES);
    struct dirent *de;
    assert_non_null(dp);
    while ((de = readdir(dp)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", DFSUM_GOLDEN_CASES, de->d_name);
        check_dir(dir, ".csv");
    }
    closedir(dp);
}

static void test_golden_inputs(void **state)
{
    (void)state;
    check_golden_cases();
}

static void test_datasets(void **state)
{
    (void)state;
    check_dir(DFSUM_DATASETS, ".csv");
}

static void test_fixtures(void **state)
{
    (void)state;
    check_dir(DFSUM_TEST_DATA, ".csv");
}

/* ---- bad lines whose places are known ---------------------------------- */

/* Appends to a growing string. */
typedef struct {
    char *p;
    size_t n, cap;
} text_buf;

static void put(text_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->n + (size_t)k + 1 > b->cap) {
        b->cap = 2 * (b->n + (size_t)k + 1);
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* A field, now and then quoted with a comma or line ends in it; *lines
 * grows by the line ends. */
static void put_field(text_buf *csv, uint64_t *s, int row, uint64_t *lines)
{
    switch (rng_next(s) % 6) {
    case 0:
        put(csv, "\"a,%d\"", row);
        break;
    case 1:
        put(csv, "\"x\ny\r\nz %d\"", row % 7);
        *lines += 2;
        break;
    case 2:
        put(csv, "\"\"\"q\"\" %d\"", row % 5);
        break;
    default:
        put(csv, "%d.%d", row % 100, row % 7);
    }
}

/* A table of 3 columns whose rows are now and then too long (up to 7
 * fields), short or blank, with CRLF or LF line ends and quoted line
 * ends; *note gets the lines the warnings must name, as dfsum words
 * them, and *nbad their count. */
static char *bad_lines_table(const char *path, uint64_t seed, int nrows,
                             uint64_t *nbad)
{
    text_buf csv = {0}, note = {0};
    uint64_t s = seed, line = 2;
    put(&csv, "a,b,c\n");
    put(&note, "%s", "");
    *nbad = 0;
    for (int row = 0; row < nrows; row++) {
        uint64_t kind = row == 0 ? 9 : rng_next(&s) % 10, start = line;
        int fields = kind < 2 ? 4 + (int)(rng_next(&s) % 4) : kind < 3 ? 2 : 3;
        if (kind == 3) { /* a blank line */
            put(&csv, "\n");
            line++;
            continue;
        }
        put(&csv, "%d", row);
        for (int f = 1; f < fields; f++) {
            put(&csv, ",");
            put_field(&csv, &s, row, &line);
        }
        put(&csv, rng_next(&s) & 1 ? "\r\n" : "\n");
        line++;
        if (fields > 3) {
            put(&note, "%s%s:%llu: expected 3 fields, saw %d; line skipped",
                *nbad ? "\n" : "", path, (unsigned long long)start, fields);
            ++*nbad;
        }
    }
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(csv.p, 1, csv.n, fp), csv.n);
    assert_int_equal(fclose(fp), 0);
    free(csv.p);
    return note.p;
}

/* Under warn, the note names every bad line and only those, whatever
 * the partitioning; under error, the first one fails the describe. */
static void test_bad_lines_placed(void **state)
{
    (void)state;
    char dir[] = "/tmp/dfsum-badlines-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.csv", dir);
    uint64_t seed = test_seed();
    for (int t = 0; t < 4; t++, seed++) {
        uint64_t nbad;
        char *note = bad_lines_table(path, seed, t < 2 ? 40 : 3000, &nbad);
        char *ref = check_file_runs(path, NULL, seed, 2 * RUNS_PER_FILE);
        const char *at = strstr(ref, "-- note\n");
        assert_non_null(at);
        at += strlen("-- note\n");
        if (strncmp(at, note, strlen(note)) != 0 || at[strlen(note)] != '\n')
            fail_msg("seed %llu: the warnings are not the table's bad lines\n"
                     "--- expected\n%s\n--- got\n%s",
                     (unsigned long long)seed, note, ref);
        char count[64];
        snprintf(count, sizeof count, "-- bad lines %llu\n",
                 (unsigned long long)nbad);
        assert_non_null(strstr(ref, count));
        assert_true(nbad > 0);
        free(note);
        free(ref);
    }
    remove(path);
    rmdir(dir);
}

/* ---- the number and bool forms of a European export ------------------ */

/* A ';' table with ',' decimals, '.' digit groups (now and then two in a
 * row), ja/nein bools, and a column whose grouped integers meet a decimal
 * only near the end (then it is object, whatever the partitioning). */
static void european_table(const char *path, uint64_t seed, int nrows)
{
    text_buf csv = {0};
    uint64_t s = seed;
    put(&csv, "betrag;stueck;spaet;flag;text\n");
    for (int row = 0; row < nrows; row++) {
        uint64_t r = rng_next(&s);
        put(&csv, "%s%llu.%03llu,%02llu;", r & 1 ? "-" : "",
            (unsigned long long)(r >> 8) % 1000,
            (unsigned long long)(r >> 20) % 1000,
            (unsigned long long)(r >> 32) % 100);
        put(&csv, "%llu%s%03llu;", (unsigned long long)(r >> 40) % 100,
            r % 17 == 0 ? ".." : ".", (unsigned long long)(r >> 48) % 1000);
        if (row == nrows - 3)
            put(&csv, "2,5;");
        else
            put(&csv, "1%s234;", r % 5 == 0 ? ".." : ".");
        put(&csv, "%s;", r % 7 == 0 ? "" : r % 3 ? "ja" : "nein");
        put(&csv, "%s\n", r % 4 == 0 ? "\"1,5 kg\"" : r % 4 == 1 ? "a.b" : "x");
    }
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(csv.p, 1, csv.n, fp), csv.n);
    assert_int_equal(fclose(fp), 0);
    free(csv.p);
}

/* Compressed input is decompressed by a thread while the pipeline reads
 * it: random partitionings of each format's file, all of one table, give
 * one result. */
static void test_compressed_inputs(void **state)
{
    (void)state;
    static const char *const files[] = {"data.csv.gz", "data.csv.bz2",
                                        "data.csv.xz", "data.csv.zst",
                                        "data.csv.lz4"};
    char *first = NULL;
    uint64_t seed = test_seed();
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/compressed_formats/%s",
                 DFSUM_GOLDEN_CASES, files[i]);
        char *ref = check_file_runs(path, NULL, seed + i, RUNS_PER_FILE);
        assert_null(strstr(ref, "error: "));
        if (first == NULL) {
            first = ref;
        } else {
            assert_string_equal(ref, first);
            free(ref);
        }
    }
    free(first);
}

static void test_european_forms(void **state)
{
    (void)state;
    char dir[] = "/tmp/dfsum-european-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/eu.csv", dir);
    const read_opts eu = {';', ',', '.', {"ja", "Ja"}, {"nein", "Nein"}};
    uint64_t seed = test_seed();
    for (int t = 0; t < 3; t++, seed++) {
        european_table(path, seed, t == 0 ? 30 : 4000);
        char *ref = check_file_runs(path, &eu, seed, 2 * RUNS_PER_FILE);
        /* spaet met a decimal: object, its numbers as written */
        assert_non_null(strstr(ref, "\ntop,,,1.234,"));
        free(ref);
    }
    remove(path);
    rmdir(dir);
}

int main(void)
{
    printf("seed %llu (set DFSUM_SEED to replay)\n",
           (unsigned long long)test_seed());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datasets),
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_golden_inputs),
        cmocka_unit_test(test_bad_lines_placed),
        cmocka_unit_test(test_european_forms),
        cmocka_unit_test(test_compressed_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
