/*
 * test_io_partition.c - the state functions of byte ranges compose to the
 * scanner's state at any byte, and the record start found from there is
 * the one a scan from the start of the file finds.
 *
 * The reference is io_scan_edges_exact run byte by byte from the start.
 * Random inputs use a fixed seed (printed on failure through the values).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const io_csv_opts opts = {.delim = ',', .parser = IO_PARSER_AUTO};

typedef struct {
    char path[64];
    char *data;
    size_t n;
    unsigned char *state; /* state[k]: the scanner's state before byte k */
    io_source *src;
} fixture;

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Bytes from `alphabet`, quotes once every `quote_every` bytes on average
 * (0: never). */
static void fill(char *p, size_t n, uint64_t *seed, int quote_every)
{
    static const char alphabet[] = "ab ,,\n\n\r1";
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next_random(seed);
        if (quote_every && r % (uint64_t)quote_every == 0)
            p[i] = '"';
        else
            p[i] = alphabet[(r >> 8) % (sizeof alphabet - 1)];
    }
}

static void reference_states(fixture *f)
{
    io_scan s;
    size_t edge;
    uint64_t line;
    io_scan_init(&s, &opts, 1);
    for (size_t k = 0; k < f->n; k++) {
        f->state[k] = s.state;
        io_scan_edges_exact(&s, f->data + k, 1, &edge, &line);
    }
    f->state[f->n] = s.state;
}

/* A file of n random bytes; quote_at < n: one more quote there. */
static void open_fixture(fixture *f, size_t n, uint64_t seed, int quote_every,
                         size_t quote_at)
{
    io_error err;
    memset(f, 0, sizeof *f);
    f->n = n;
    f->data = malloc(n + 1);
    f->state = malloc(n + 1);
    assert_non_null(f->data);
    assert_non_null(f->state);
    fill(f->data, n, &seed, quote_every);
    if (quote_at < n)
        f->data[quote_at] = '"';
    strcpy(f->path, "/tmp/dfsum-test-partition-XXXXXX");
    int fd = mkstemp(f->path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, f->data, n), (ssize_t)n);
    close(fd);
    reference_states(f);
    assert_int_equal(io_source_open(f->path, &f->src, &err), IO_OK);
}

static void close_fixture(fixture *f)
{
    io_source_close(f->src);
    unlink(f->path);
    free(f->data);
    free(f->state);
}

static io_states range(fixture *f, uint64_t from, uint64_t to)
{
    io_states st;
    io_error err;
    assert_int_equal(io_range_states(f->src, &opts, from, to, &st, &err),
                     IO_OK);
    return st;
}

/* Every entering state, against the byte-by-byte scanner. */
static void check_range(fixture *f, uint64_t from, uint64_t to)
{
    io_states st = range(f, from, to);
    for (unsigned s = 0; s < 4; s++) {
        io_scan ref;
        size_t edge;
        uint64_t line;
        io_scan_init(&ref, &opts, 1);
        ref.state = (unsigned char)s;
        io_scan_edges_exact(&ref, f->data + from, (size_t)(to - from), &edge,
                            &line);
        assert_int_equal(st.to[s], ref.state);
    }
    assert_int_equal(st.to[f->state[from]], f->state[to]);
}

static void test_random_ranges(void **unused)
{
    (void)unused;
    fixture f;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    open_fixture(&f, 5000, 42, 7, SIZE_MAX);
    for (int i = 0; i < 300; i++) {
        uint64_t a = next_random(&seed) % (f.n + 1);
        uint64_t b = next_random(&seed) % (f.n + 1);
        check_range(&f, a < b ? a : b, a < b ? b : a);
    }
    close_fixture(&f);
}

/* Pieces composed in order give the state at the end, from START. */
static void test_composition(void **unused)
{
    (void)unused;
    fixture f;
    uint64_t seed = 7;
    open_fixture(&f, 4000, 43, 11, SIZE_MAX);
    for (int round = 0; round < 50; round++) {
        io_states acc;
        io_states_identity(&acc);
        uint64_t at = 0;
        while (at < f.n) {
            uint64_t to = at + 1 + next_random(&seed) % 700;
            to = to < f.n ? to : f.n;
            io_states piece = range(&f, at, to);
            io_states_then(&acc, &piece, &acc);
            assert_int_equal(acc.to[IO_ST_START], f.state[to]);
            at = to;
        }
    }
    close_fixture(&f);
}

/* Blocks of over a MiB without quotes take the memchr path; one quote in
 * the middle of the file makes the runs from each state differ there. */
static void test_quote_free_blocks(void **unused)
{
    (void)unused;
    fixture f;
    open_fixture(&f, (size_t)3 << 20, 44, 0, (size_t)3 << 19);
    check_range(&f, 0, f.n);
    check_range(&f, 1, f.n - 1);
    check_range(&f, (uint64_t)1 << 20, (uint64_t)5 << 19);
    close_fixture(&f);
}

/* The first record start after `at` is the first record end a scan from
 * the start finds past at (a \r\n counts as one end). */
static uint64_t reference_start(const fixture *f, uint64_t at)
{
    io_scan s;
    io_scan_init(&s, &opts, 1);
    size_t off = 0, content;
    while (off < f->n) {
        size_t before = off;
        io_scan_next_record(&s, f->data, f->n, &off, &content);
        int ended = content < off - before;
        if (ended && off > at) {
            if (f->data[off - 1] == '\r' && off < f->n && f->data[off] == '\n')
                off++;
            return off;
        }
    }
    return f->n;
}

static void test_record_start_after(void **unused)
{
    (void)unused;
    fixture f;
    io_error err;
    open_fixture(&f, 3000, 45, 9, SIZE_MAX);
    for (uint64_t at = 0; at < f.n; at += 7) {
        uint64_t start = 0;
        assert_int_equal(
            io_record_start_after(f.src, &opts, at, f.state[at], &start, &err),
            IO_OK);
        assert_int_equal(start, reference_start(&f, at));
    }
    close_fixture(&f);
}

static void test_empty_range_is_identity(void **unused)
{
    (void)unused;
    fixture f;
    open_fixture(&f, 100, 46, 5, SIZE_MAX);
    io_states st = range(&f, 50, 50);
    for (unsigned s = 0; s < 4; s++)
        assert_int_equal(st.to[s], s);
    close_fixture(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_ranges),
        cmocka_unit_test(test_composition),
        cmocka_unit_test(test_quote_free_blocks),
        cmocka_unit_test(test_record_start_after),
        cmocka_unit_test(test_empty_range_is_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
