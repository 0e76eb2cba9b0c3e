/*
 * test_io_reader.c - the async block reader of io/, both variants.
 *
 * Every test runs twice: with the reader io_reader_open picks (io_uring
 * where the kernel allows it) and with DFSUM_READER=pread. Files are
 * filled with bytes that depend on their offset (a fixed formula), so a
 * block read from the wrong place or twice shows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "io.h"
#include "io_reader_impl.h"
#include "scratch_dir.h"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SMALL_FILE 10007u
#define LARGE_FILE ((3u << 20) + 4099u)
#define HEADROOM   100u

typedef struct {
    char dir[PATH_MAX];
    char small[PATH_MAX + 32], large[PATH_MAX + 32];
    char *bytes; /* the large file's bytes; the small file is its prefix */
    int pread;   /* DFSUM_READER=pread for this group */
} fixture;

static char byte_at(uint64_t i)
{
    return (char)((i * 2654435761u) >> 13 ^ i);
}

static void write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state, int pread)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL || scratch_dir_make(f->dir, sizeof f->dir, "test_io_reader"))
        return -1;
    snprintf(f->small, sizeof f->small, "%s/small.bin", f->dir);
    snprintf(f->large, sizeof f->large, "%s/large.bin", f->dir);
    f->bytes = malloc(LARGE_FILE);
    for (uint64_t i = 0; i < LARGE_FILE; i++)
        f->bytes[i] = byte_at(i);
    write_file(f->small, f->bytes, SMALL_FILE);
    write_file(f->large, f->bytes, LARGE_FILE);
    f->pread = pread;
    if (pread)
        setenv("DFSUM_READER", "pread", 1);
    else
        unsetenv("DFSUM_READER");
    *state = f;
    return 0;
}

static int setup_default(void **state)
{
    return setup(state, 0);
}

static int setup_pread(void **state)
{
    return setup(state, 1);
}

static int teardown(void **state)
{
    fixture *f = *state;
    int rc = scratch_dir_remove(f->dir);
    free(f->bytes);
    free(f);
    unsetenv("DFSUM_READER");
    return rc;
}

static io_source *open_source(const char *path)
{
    io_source *src = NULL;
    io_error err;
    assert_int_equal(io_source_open(path, &src, &err), IO_OK);
    return src;
}

static io_reader *open_reader(const fixture *f, io_source *src, uint64_t start,
                              uint64_t end, size_t block, unsigned depth)
{
    io_reader *r = NULL;
    io_error err;
    assert_int_equal(
        io_reader_open(src, start, end, block, HEADROOM, depth, &r, &err),
        IO_OK);
    if (f->pread)
        assert_string_equal(io_reader_kind(r), "pread");
    else
        assert_true(strcmp(io_reader_kind(r), "io_uring") == 0 ||
                    strcmp(io_reader_kind(r), "pread") == 0);
    return r;
}

/* Reads [start, end) and checks every block against the file's bytes:
 * in order, contiguous, full length but the last, headroom writable. */
static void read_range(const fixture *f, io_source *src, uint64_t start,
                       uint64_t end, size_t block, unsigned depth)
{
    io_reader *r = open_reader(f, src, start, end, block, depth);
    io_block b;
    io_error err;
    uint64_t at = start, seq = 0;
    int got;
    while ((got = io_reader_next(r, &b, &err)) == 1) {
        assert_int_equal(b.seq, seq++);
        assert_int_equal(b.offset, at);
        assert_int_equal(b.headroom, HEADROOM);
        assert_true(b.len > 0);
        if (at + b.len < end)
            assert_int_equal(b.len, block > 0 ? block : 1);
        assert_memory_equal(b.data, f->bytes + at, b.len);
        memset(b.data - HEADROOM, 'h', HEADROOM);
        at += b.len;
        io_reader_release(r, &b);
    }
    assert_int_equal(got, 0);
    assert_int_equal(at, end > start ? end : start);
    assert_int_equal(io_reader_next(r, &b, &err), 0);
    io_reader_close(r);
}

static void test_block_sizes_and_depths(void **state)
{
    const fixture *f = *state;
    static const size_t small_blocks[] = {1, 2, 3, 7};
    static const size_t large_blocks[] = {4096, 1u << 20};
    static const unsigned depths[] = {2, 3, 8};
    io_source *small = open_source(f->small), *large = open_source(f->large);
    io_reader *r = open_reader(f, small, 0, 1, 1, 1);
    print_message("reading with %s\n", io_reader_kind(r));
    io_reader_close(r);
    for (size_t d = 0; d < 3; d++) {
        for (size_t i = 0; i < 4; i++) {
            read_range(f, small, 0, SMALL_FILE, small_blocks[i], depths[d]);
            read_range(f, small, 5, SMALL_FILE - 3, small_blocks[i], depths[d]);
        }
        for (size_t i = 0; i < 2; i++) {
            size_t blk = large_blocks[i];
            read_range(f, large, 0, LARGE_FILE, blk, depths[d]);
            read_range(f, large, 1, LARGE_FILE, blk, depths[d]);
            read_range(f, large, blk, 3 * blk + 1, blk, depths[d]);
            read_range(f, large, 12345, LARGE_FILE - 777, blk, depths[d]);
        }
    }
    io_source_close(small);
    io_source_close(large);
}

/* A range shorter than a block is one block; an empty range none. */
static void test_short_and_empty_ranges(void **state)
{
    const fixture *f = *state;
    io_source *src = open_source(f->small);
    read_range(f, src, 0, SMALL_FILE, SIZE_MAX, 2);
    read_range(f, src, 100, 101, 4096, 3);
    read_range(f, src, 100, 100, 4096, 3);
    read_range(f, src, 200, 100, 4096, 3);
    read_range(f, src, 10, 20, 0, 1); /* block 0 and depth 0 act as 1 */
    io_source_close(src);
}

/* ------------------------------------------------------------------------
 * Releasing from another thread, in a shuffled order
 * ---------------------------------------------------------------------- */
typedef struct {
    io_reader *r;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    io_block queue[16];
    size_t n;
    int done;
    unsigned keep; /* blocks the releaser sits on before releasing one */
    uint32_t seed;
} releaser;

static uint32_t next_random(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static void *release_shuffled(void *arg)
{
    releaser *rl = arg;
    io_block held[16];
    size_t nheld = 0;
    pthread_mutex_lock(&rl->lock);
    for (;;) {
        while (rl->n == 0 && !rl->done)
            pthread_cond_wait(&rl->cond, &rl->lock);
        if (rl->n == 0 && nheld == 0)
            break;
        while (rl->n > 0)
            held[nheld++] = rl->queue[--rl->n];
        size_t keep = rl->done ? 0 : rl->keep;
        pthread_cond_broadcast(&rl->cond);
        pthread_mutex_unlock(&rl->lock);
        while (nheld > keep) {
            size_t i = next_random(&rl->seed) % nheld;
            io_reader_release(rl->r, &held[i]);
            held[i] = held[--nheld];
        }
        pthread_mutex_lock(&rl->lock);
    }
    pthread_mutex_unlock(&rl->lock);
    return NULL;
}

static void hand_over(releaser *rl, const io_block *b)
{
    pthread_mutex_lock(&rl->lock);
    while (rl->n == 16)
        pthread_cond_wait(&rl->cond, &rl->lock);
    rl->queue[rl->n++] = *b;
    pthread_cond_broadcast(&rl->cond);
    pthread_mutex_unlock(&rl->lock);
}

static void release_elsewhere(const fixture *f, size_t block, unsigned depth)
{
    io_source *src = open_source(f->large);
    releaser rl = {.keep = depth - 1, .seed = (uint32_t)(block * 31 + depth)};
    rl.r = open_reader(f, src, 0, LARGE_FILE, block, depth);
    pthread_mutex_init(&rl.lock, NULL);
    pthread_cond_init(&rl.cond, NULL);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, release_shuffled, &rl), 0);
    io_block b;
    io_error err;
    uint64_t at = 0;
    while (io_reader_next(rl.r, &b, &err) == 1) {
        assert_int_equal(b.offset, at);
        assert_memory_equal(b.data, f->bytes + at, b.len);
        at += b.len;
        hand_over(&rl, &b);
    }
    assert_int_equal(at, LARGE_FILE);
    pthread_mutex_lock(&rl.lock);
    rl.done = 1;
    pthread_cond_broadcast(&rl.cond);
    pthread_mutex_unlock(&rl.lock);
    pthread_join(t, NULL);
    pthread_cond_destroy(&rl.cond);
    pthread_mutex_destroy(&rl.lock);
    io_reader_close(rl.r);
    io_source_close(src);
}

static void test_release_out_of_order(void **state)
{
    const fixture *f = *state;
    release_elsewhere(f, 4096, 2);
    release_elsewhere(f, 4096, 3);
    release_elsewhere(f, 65536, 8);
    release_elsewhere(f, 1u << 20, 3);
}

/* ------------------------------------------------------------------------
 * Closing early, errors, a file that shrinks
 * ---------------------------------------------------------------------- */
static void test_close_early(void **state)
{
    const fixture *f = *state;
    io_source *src = open_source(f->large);
    io_block b[3];
    io_error err;
    /* right after open, reads in flight */
    io_reader_close(open_reader(f, src, 0, LARGE_FILE, 1u << 20, 8));
    /* with every buffer held */
    io_reader *r = open_reader(f, src, 0, LARGE_FILE, 4096, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(io_reader_next(r, &b[i], &err), 1);
    io_reader_close(r);
    /* with some held, some released, some being read */
    r = open_reader(f, src, 0, LARGE_FILE, 65536, 8);
    for (int i = 0; i < 3; i++)
        assert_int_equal(io_reader_next(r, &b[i], &err), 1);
    io_reader_release(r, &b[1]);
    io_reader_close(r);
    io_reader_close(NULL);
    io_source_close(src);
}

/* A source whose descriptor no longer reads (a directory put in its
 * place): the blocks fail with a read error, which stays. */
static void test_read_error(void **state)
{
    const fixture *f = *state;
    io_source *src = open_source(f->small);
    int dir = open(f->dir, O_RDONLY | O_DIRECTORY);
    assert_true(dir >= 0);
    assert_int_equal(dup2(dir, io_source_fd(src)), io_source_fd(src));
    close(dir);
    io_reader *r = open_reader(f, src, 0, SMALL_FILE, 4096, 3);
    io_block b;
    io_error err;
    assert_int_equal(io_reader_next(r, &b, &err), -1);
    assert_int_equal(err.status, IO_EIO);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "%s: read error: Is a directory", f->small);
    assert_string_equal(err.msg, want);
    memset(&err, 0, sizeof err);
    assert_int_equal(io_reader_next(r, &b, &err), -1);
    assert_string_equal(err.msg, want);
    io_reader_close(r);
    io_source_close(src);
}

/* The file is cut short after the source took its size: the stream ends
 * with the bytes still there. */
static void test_file_shrinks(void **state)
{
    const fixture *f = *state;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/shrink.bin", f->dir);
    static const uint64_t cuts[] = {0, 1, 4096, 5000, 3 * 4096};
    for (size_t i = 0; i < 5; i++) {
        write_file(path, f->bytes, 8 * 4096);
        io_source *src = open_source(path);
        assert_int_equal(truncate(path, (off_t)cuts[i]), 0);
        io_reader *r = open_reader(f, src, 0, 8 * 4096, 4096, 3);
        io_block b;
        io_error err;
        uint64_t at = 0;
        while (io_reader_next(r, &b, &err) == 1) {
            assert_int_equal(b.offset, at);
            assert_memory_equal(b.data, f->bytes + at, b.len);
            at += b.len;
            io_reader_release(r, &b);
        }
        assert_int_equal(at, cuts[i]);
        io_reader_close(r);
        io_source_close(src);
    }
}

/* A slow consumer: the reader runs ahead by depth blocks at most, and
 * every block still arrives intact. */
static void test_slow_consumer(void **state)
{
    const fixture *f = *state;
    io_source *src = open_source(f->large);
    io_reader *r = open_reader(f, src, 0, 16 * 65536, 65536, 4);
    io_block b;
    io_error err;
    uint64_t at = 0;
    while (io_reader_next(r, &b, &err) == 1) {
        usleep(2000);
        assert_memory_equal(b.data, f->bytes + at, b.len);
        at += b.len;
        io_reader_release(r, &b);
    }
    assert_int_equal(at, 16 * 65536);
    io_reader_close(r);
    io_source_close(src);
}

#define READER_TESTS(setup_fn)                                                 \
    cmocka_unit_test_setup_teardown(test_block_sizes_and_depths, setup_fn,     \
                                    teardown),                                 \
        cmocka_unit_test_setup_teardown(test_short_and_empty_ranges, setup_fn, \
                                        teardown),                             \
        cmocka_unit_test_setup_teardown(test_release_out_of_order, setup_fn,   \
                                        teardown),                             \
        cmocka_unit_test_setup_teardown(test_close_early, setup_fn, teardown), \
        cmocka_unit_test_setup_teardown(test_read_error, setup_fn, teardown),  \
        cmocka_unit_test_setup_teardown(test_file_shrinks, setup_fn,           \
                                        teardown),                             \
        cmocka_unit_test_setup_teardown(test_slow_consumer, setup_fn,          \
                                        teardown)

int main(void)
{
    const struct CMUnitTest default_reader[] = {READER_TESTS(setup_default)};
    const struct CMUnitTest pread_reader[] = {READER_TESTS(setup_pread)};
    int failed = cmocka_run_group_tests_name("default reader", default_reader,
                                             NULL, NULL);
    failed +=
        cmocka_run_group_tests_name("pread reader", pread_reader, NULL, NULL);
    return failed;
}
