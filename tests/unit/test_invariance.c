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

/* Describes path with --include all and returns the CSV text (free it),
 * or the error message prefixed with "error: ". */
static char *describe(const char *path, int threads, size_t chunk,
                      dfsum_parser parser)
{
    dfsum *d = NULL;
    dfsum_result *r = NULL;
    char *text = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    dfsum_set_include(d, DFSUM_INCLUDE_ALL);
    dfsum_set_threads(d, threads);
    dfsum_set_parser(d, parser);
    if (chunk)
        dfsum_set_chunk_size(d, chunk);
    if (dfsum_describe_path(d, path, &r) == DFSUM_OK) {
        assert_int_equal(
            dfsum_result_format(r, DFSUM_FORMAT_CSV, 0, 0, &text, NULL),
            DFSUM_OK);
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

static void check_file(const char *path, uint64_t seed)
{
    char *ref = describe(path, 1, 0, DFSUM_PARSER_LIBCSV);
    uint64_t s = seed;
    for (int run = 0; run < RUNS_PER_FILE; run++) {
        int threads = 1 + (int)(rng_next(&s) % 8);
        size_t chunk = random_chunk(&s, file_size(path));
        dfsum_parser parser =
            rng_next(&s) & 1 ? DFSUM_PARSER_AUTO : DFSUM_PARSER_LIBCSV;
        char *got = describe(path, threads, chunk, parser);
        if (strcmp(ref, got) != 0)
            fail_msg("%s: threads %d, chunk %zu, parser %d differ from the "
                     "reference (seed %llu)\n--- reference\n%s--- got\n%s",
                     path, threads, chunk, (int)parser,
                     (unsigned long long)seed, ref, got);
        free(got);
    }
    free(ref);
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

int main(void)
{
    printf("seed %llu (set DFSUM_SEED to replay)\n",
           (unsigned long long)test_seed());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datasets),
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_golden_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
