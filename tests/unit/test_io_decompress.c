/*
 * test_io_decompress.c - compressed input through io_source_open: every
 * format read_csv takes gives back its exact bytes, from a file and from
 * a pipe; broken data fails with a message naming the file. Everything
 * runs twice, gzip through ISA-L (where the build has it) and through
 * zlib.
 *
 * The compressed fixtures are written here with libarchive's writers, so
 * the test needs no command-line compressors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "io.h"
#include "scratch_dir.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* More than libarchive's blocks, so the copy loop turns several times. */
#define CONTENT_ROWS 50000u

static const char *const FILTERS[] = {"gzip", "bzip2", "xz", "zstd", "lz4"};

typedef struct {
    char dir[PATH_MAX - 64]; /* room for a file name behind */
    char *content;           /* a CSV table */
    size_t len;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL ||
        scratch_dir_make(f->dir, sizeof f->dir, "test_io_decompress") != 0)
        return -1;
    size_t cap = 32 + (size_t)CONTENT_ROWS * 40;
    f->content = malloc(cap);
    f->len = (size_t)snprintf(f->content, cap, "id,value,name\n");
    for (unsigned i = 0; i < CONTENT_ROWS; i++)
        f->len += (size_t)snprintf(f->content + f->len, cap - f->len,
                                   "%u,%u.%02u,\"n%u, x\"\n", i,
                                   i * 2654435761u % 1000, i % 100, i % 977);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    int rc = scratch_dir_remove(f->dir);
    free(f->content);
    free(f);
    return rc;
}

static void path_of(const fixture *f, const char *name, char out[PATH_MAX])
{
    assert_true(strlen(name) < 60);
    snprintf(out, PATH_MAX, "%s/%s", f->dir, name);
}

/* name: `data` (n bytes) through `filter` as a bare stream ("raw"), or,
 * with filter NULL, a ZIP archive of nentries copies of it. */
static void write_packed(const char *path, const char *filter, int nentries,
                         const char *data, size_t n)
{
    struct archive *a = archive_write_new();
    assert_non_null(a);
    if (filter != NULL) {
        assert_int_equal(archive_write_add_filter_by_name(a, filter),
                         ARCHIVE_OK);
        assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
    } else {
        assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
        /* stored: a flipped data byte then reaches the CRC check as is */
        assert_int_equal(archive_write_set_options(a, "zip:compression=store"),
                         ARCHIVE_OK);
    }
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    for (int i = 0; i < nentries; i++) {
        struct archive_entry *e = archive_entry_new();
        char name[32];
        snprintf(name, sizeof name, "part%d.csv", i);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)n);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (n > 0)
            assert_int_equal(archive_write_data(a, data, n), (la_ssize_t)n);
        archive_entry_free(e);
    }
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

/* The fixture's table through `filter`, as the file `name` (its path in
 * path). */
static void write_table(const fixture *f, const char *name, const char *filter,
                        char path[PATH_MAX])
{
    path_of(f, name, path);
    write_packed(path, filter, 1, f->content, f->len);
}

/* The source's bytes equal data[0..n). */
static void assert_source_holds(io_source *s, const char *data, size_t n)
{
    assert_int_equal(io_source_size(s), n);
    char *got = malloc(n + 1);
    io_error err;
    assert_int_equal(io_source_pread(s, got, n + 1, 0, &err), (ssize_t)n);
    assert_memory_equal(got, data, n);
    free(got);
}

static void assert_opens_as(const char *path, const char *data, size_t n)
{
    io_source *s = NULL;
    io_error err;
    assert_int_equal(io_source_open(path, &s, &err), IO_OK);
    assert_source_holds(s, data, n);
    io_source_close(s);
}

static const char *format_of(const char *path)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    const char *format = io_compression_of(fd);
    close(fd);
    return format;
}

static void test_every_format(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof FILTERS / sizeof *FILTERS; i++) {
        path_of(f, FILTERS[i], path);
        write_packed(path, FILTERS[i], 1, f->content, f->len);
        assert_string_equal(format_of(path), FILTERS[i]);
        assert_opens_as(path, f->content, f->len);
    }
    path_of(f, "one.zip", path);
    write_packed(path, NULL, 1, f->content, f->len);
    assert_string_equal(format_of(path), "zip");
    assert_opens_as(path, f->content, f->len);
}

/* Plain text is left alone, even when it starts like bzip2's "BZh". */
static void test_plain_text_is_not_compressed(void **state)
{
    fixture *f = *state;
    static const char *const texts[] = {"BZh9,a\n1,2\n", "PK,x\n1,2\n", "a\n",
                                        ""};
    char path[PATH_MAX];
    path_of(f, "plain.csv", path);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        FILE *out = fopen(path, "wb");
        assert_non_null(out);
        fputs(texts[i], out);
        fclose(out);
        assert_null(format_of(path));
        assert_opens_as(path, texts[i], strlen(texts[i]));
    }
}

/* A stream that decodes to nothing is an empty source (read_csv then
 * says the file is empty). */
/* A stream of no data is known as such (bzip2's then has no block magic,
 * only its end-of-stream one) and reads as empty. Not LZ4: libarchive's
 * writer crashes on no data. */
static void test_empty_stream(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof FILTERS / sizeof *FILTERS; i++) {
        if (strcmp(FILTERS[i], "lz4") == 0)
            continue;
        path_of(f, "empty", path);
        write_packed(path, FILTERS[i], 1, "", 0);
        const char *format = format_of(path);
        assert_non_null(format);
        assert_string_equal(format, FILTERS[i]);
        assert_opens_as(path, "", 0);
    }
}

static void assert_open_fails(const char *path, const char *part)
{
    io_source *s = NULL;
    io_error err;
    assert_int_equal(io_source_open(path, &s, &err), IO_EPARSE);
    assert_null(s);
    assert_true(strncmp(err.msg, path, strlen(path)) == 0);
    if (strstr(err.msg, part) == NULL)
        fail_msg("'%s' lacks '%s'", err.msg, part);
}

/* Each format cut short fails, with the file and the format named. */
static void test_truncated(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX], want[64];
    for (size_t i = 0; i < sizeof FILTERS / sizeof *FILTERS; i++) {
        path_of(f, FILTERS[i], path);
        write_packed(path, FILTERS[i], 1, f->content, f->len);
        int fd = open(path, O_RDWR);
        off_t size = lseek(fd, 0, SEEK_END);
        assert_int_equal(ftruncate(fd, size / 2), 0);
        close(fd);
        snprintf(want, sizeof want, "cannot decompress (%s)", FILTERS[i]);
        assert_open_fails(path, want);
    }
}

/* As for pandas, a ZIP archive holds exactly one file. */
static void test_zip_entries(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    path_of(f, "two.zip", path);
    write_packed(path, NULL, 2, "a\n1\n", 4);
    assert_open_fails(path, "holds more than one file");
    path_of(f, "none.zip", path);
    write_packed(path, NULL, 0, NULL, 0);
    assert_open_fails(path, "holds no file");
}

static char *read_all(const char *path, size_t *n)
{
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    fseek(in, 0, SEEK_END);
    *n = (size_t)ftell(in);
    rewind(in);
    char *data = malloc(*n + 1);
    assert_int_equal(fread(data, 1, *n, in), *n);
    fclose(in);
    return data;
}

static void write_all(const char *path, const char *data, size_t n)
{
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(data, 1, n, out), n);
    assert_int_equal(fclose(out), 0);
}

/* Flips one bit of the file's byte at `at` (from the end when negative). */
static void flip_bit(const char *path, long at)
{
    size_t n;
    char *data = read_all(path, &n);
    data[at < 0 ? (long)n + at : at] ^= 0x10;
    write_all(path, data, n);
    free(data);
}

/* Data whose check value does not match fails: a gzip member's CRC-32
 * and length (libarchive would not look), a stored ZIP entry's CRC-32. */
static void test_damaged_checksums(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    write_table(f, "crc.gz", "gzip", path);
    flip_bit(path, -8); /* the trailer: CRC-32, then the length */
    assert_open_fails(path, "incorrect data check");
    write_packed(path, "gzip", 1, f->content, f->len);
    flip_bit(path, -1);
    assert_open_fails(path, "incorrect"); /* igzip: "data", zlib: "length" */

    path_of(f, "crc.zip", path);
    write_packed(path, NULL, 1, f->content, f->len);
    size_t n;
    char *zip = read_all(path, &n);
    char *row = memmem(zip, n, "\n7,", 3); /* in the stored data */
    assert_non_null(row);
    long at = (long)(row - zip) + 1;
    free(zip);
    flip_bit(path, at);
    assert_open_fails(path, "cannot decompress (zip)");
}

/* gzip members one after another are one stream (as for gzip -d), and
 * zero padding between and after them is skipped (as Python's gzip, so
 * pandas, skips it). */
static void test_gzip_members(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    size_t half = f->len / 2, n1, n2;
    path_of(f, "m1.gz", path);
    write_packed(path, "gzip", 1, f->content, half);
    char *m1 = read_all(path, &n1);
    path_of(f, "m2.gz", path);
    write_packed(path, "gzip", 1, f->content + half, f->len - half);
    char *m2 = read_all(path, &n2);
    size_t pad = 3 << 20; /* past one read of the input */
    char *joined = calloc(1, n1 + pad + n2 + 7);
    memcpy(joined, m1, n1);
    memcpy(joined + n1 + pad, m2, n2);
    path_of(f, "members.gz", path);
    write_all(path, joined, n1 + pad + n2 + 7);
    assert_opens_as(path, f->content, f->len);
    joined[n1 + 4] = 0x1f; /* a member, padding, a cut second one */
    write_all(path, joined, n1 + 5);
    assert_open_fails(path, "cannot decompress (gzip)");
    free(m1);
    free(m2);
    free(joined);
}

/* Random damage (bytes overwritten, the end cut) never crashes: the open
 * succeeds, or fails with one line that names the file. */
static void test_random_damage(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    size_t small = 6000;
    unsigned seed = 12345;
    for (size_t k = 0; k <= sizeof FILTERS / sizeof *FILTERS; k++) {
        const char *filter =
            k < sizeof FILTERS / sizeof *FILTERS ? FILTERS[k] : NULL;
        path_of(f, "damaged", path);
        write_packed(path, filter, 1, f->content, small);
        size_t n;
        char *packed = read_all(path, &n);
        for (int round = 0; round < 40; round++) {
            char *copy = malloc(n);
            memcpy(copy, packed, n);
            size_t len = n;
            for (int hits = 1 + rand_r(&seed) % 3; hits > 0; hits--)
                copy[(size_t)rand_r(&seed) % len] = (char)rand_r(&seed);
            if (rand_r(&seed) % 3 == 0)
                len = (size_t)rand_r(&seed) % len;
            write_all(path, copy, len);
            free(copy);
            io_source *s = NULL;
            io_error err;
            io_status st = io_source_open(path, &s, &err);
            if (st != IO_OK) {
                assert_int_equal(st, IO_EPARSE);
                assert_true(strncmp(err.msg, path, strlen(path)) == 0);
                assert_null(strchr(err.msg, '\n'));
            }
            io_source_close(s);
        }
        free(packed);
    }
}

/* The source's bytes, NULL when it does not open; *n set. */
static char *open_bytes(const char *path, size_t *n)
{
    io_source *s = NULL;
    io_error err;
    if (io_source_open(path, &s, &err) != IO_OK)
        return NULL;
    *n = (size_t)io_source_size(s);
    char *got = malloc(*n + 1);
    assert_int_equal(io_source_pread(s, got, *n + 1, 0, &err), (ssize_t)*n);
    io_source_close(s);
    return got;
}

/* The two gzip inflaters (ISA-L's and zlib's, io_inflate.h) agree on
 * damaged members, several of them with padding: both fail, or both give
 * the same bytes. Where the build has no ISA-L both runs are zlib's. */
static void test_inflaters_agree(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    unsigned seed = 777;
    size_t n1, n2;
    path_of(f, "m1.gz", path);
    write_packed(path, "gzip", 1, f->content, 5000);
    char *m1 = read_all(path, &n1);
    write_packed(path, "gzip", 1, f->content + 5000, 3000);
    char *m2 = read_all(path, &n2);
    char *joined = calloc(1, n1 + n2 + 16);
    memcpy(joined, m1, n1);
    memcpy(joined + n1 + 4, m2, n2);
    size_t len = n1 + 4 + n2 + 3, agreed_ok = 0, agreed_failed = 0;
    const char *env = getenv("DFSUM_GZIP"); /* the group's, put back */
    char *group_env = env ? strdup(env) : NULL;
    path_of(f, "agree.gz", path);
    for (int round = 0; round < 300; round++) {
        char *copy = malloc(len);
        memcpy(copy, joined, len);
        size_t cut = len;
        for (int hits = rand_r(&seed) % 3; hits > 0; hits--)
            copy[(size_t)rand_r(&seed) % len] ^= (char)(1 << rand_r(&seed) % 8);
        if (rand_r(&seed) % 4 == 0)
            cut = (size_t)rand_r(&seed) % len;
        write_all(path, copy, cut);
        free(copy);
        size_t na = 0, nb = 0;
        unsetenv("DFSUM_GZIP");
        char *a = open_bytes(path, &na);
        setenv("DFSUM_GZIP", "zlib", 1);
        char *b = open_bytes(path, &nb);
        if (group_env)
            setenv("DFSUM_GZIP", group_env, 1);
        else
            unsetenv("DFSUM_GZIP");
        if ((a == NULL) != (b == NULL))
            fail_msg("round %d: one inflater failed, the other did not", round);
        if (a) {
            assert_int_equal(na, nb);
            assert_memory_equal(a, b, na);
            agreed_ok++;
        } else {
            agreed_failed++;
        }
        free(a);
        free(b);
    }
    free(group_env);
    assert_true(agreed_ok > 20 && agreed_failed > 20);
    free(m1);
    free(m2);
    free(joined);
}

typedef struct {
    int fd;
    const char *data;
    size_t n;
} pipe_feed;

static void *feed_pipe(void *arg)
{
    pipe_feed *p = arg;
    size_t done = 0;
    while (done < p->n) {
        ssize_t w = write(p->fd, p->data + done, p->n - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(p->fd);
    return NULL;
}

/* Standard input from a pipe is spooled, then decompressed. */
static void test_compressed_stdin(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    write_table(f, "stdin.zst", "zstd", path);
    size_t n;
    char *packed = read_all(path, &n);

    int fds[2], saved = dup(STDIN_FILENO);
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    close(fds[0]);
    pipe_feed feed = {fds[1], packed, n};
    pthread_t writer;
    assert_int_equal(pthread_create(&writer, NULL, feed_pipe, &feed), 0);
    io_source *s = NULL;
    io_error err;
    io_status st = io_source_open("-", &s, &err);
    pthread_join(writer, NULL);
    dup2(saved, STDIN_FILENO);
    close(saved);
    free(packed);
    assert_int_equal(st, IO_OK);
    assert_string_equal(io_source_name(s), "<stdin>");
    assert_source_holds(s, f->content, f->len);
    io_source_close(s);
}

/* The files in dir whose name starts with prefix. */
static int count_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

/* One decompression shared by processes (io_source_open_shared), named:
 * a file in TMPDIR that another opens as it is, readable by both after its
 * name goes; closing removes a name still there. */
static void check_shared_named(const char *path, const char *spool,
                               const fixture *f)
{
    io_source *first = NULL, *other = NULL;
    io_error err;
    assert_int_equal(io_source_open_shared(path, 1, &first, &err), IO_OK);
    const char *shared = io_source_shared_path(first);
    assert_non_null(shared);
    char shared_gone[PATH_MAX];
    snprintf(shared_gone, sizeof shared_gone, "%s", shared);
    assert_true(strncmp(shared, spool, strlen(spool)) == 0);
    assert_int_equal(count_files(spool, "dfsum-"), 1);
    assert_int_equal(
        io_source_open_decompressed(shared, "shared.gz", &other, &err), IO_OK);
    assert_string_equal(io_source_name(other), "shared.gz");
    io_source_unlink_shared(first);
    assert_null(io_source_shared_path(first));
    assert_int_equal(count_files(spool, "dfsum-"), 0);
    assert_source_holds(first, f->content, f->len);
    assert_source_holds(other, f->content, f->len);
    io_source_close(first);
    io_source_close(other);

    /* a name gone before another opened it: a message naming the input */
    assert_int_equal(
        io_source_open_decompressed(shared_gone, "x.gz", &other, &err), IO_EIO);
    assert_true(strncmp(err.msg, "x.gz: ", 6) == 0);

    assert_int_equal(io_source_open_shared(path, 1, &first, &err), IO_OK);
    assert_int_equal(count_files(spool, "dfsum-"), 1);
    io_source_close(first); /* never unlinked: closing removes it */
    assert_int_equal(count_files(spool, "dfsum-"), 0);
}

/* Unnamed (where the file system has O_TMPFILE, as the test's does): the
 * others open /proc/<pid>/fd/<fd>, and TMPDIR never holds a name, so that
 * a killed run leaves nothing there; once the first has closed it, the
 * path opens no more. */
static void check_shared_unnamed(const char *path, const char *spool,
                                 const fixture *f)
{
    io_source *first = NULL, *other = NULL;
    io_error err;
    assert_int_equal(io_source_open_shared(path, 0, &first, &err), IO_OK);
    const char *shared = io_source_shared_path(first);
    assert_non_null(shared);
    char proc[64], shared_gone[PATH_MAX];
    snprintf(proc, sizeof proc, "/proc/%ld/fd/", (long)getpid());
    assert_true(strncmp(shared, proc, strlen(proc)) == 0);
    snprintf(shared_gone, sizeof shared_gone, "%s", shared);
    assert_int_equal(count_files(spool, "dfsum-"), 0);
    assert_int_equal(
        io_source_open_decompressed(shared, "shared.gz", &other, &err), IO_OK);
    io_source_unlink_shared(first);
    assert_null(io_source_shared_path(first));
    io_source_close(first);
    assert_source_holds(other, f->content, f->len); /* after the first */
    io_source_close(other);
    assert_int_equal(count_files(spool, "dfsum-"), 0);
    assert_int_equal(
        io_source_open_decompressed(shared_gone, "x.gz", &other, &err), IO_EIO);
    assert_true(strncmp(err.msg, "x.gz: ", 6) == 0);
}

/* Both ways of sharing; a plain file has no copy. */
static void test_shared_decompression(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX], spool[PATH_MAX];
    path_of(f, "spool", spool);
    assert_int_equal(mkdir(spool, 0700), 0);
    setenv("TMPDIR", spool, 1);
    write_table(f, "shared.gz", "gzip", path);
    check_shared_named(path, spool, f);
    check_shared_unnamed(path, spool, f);

    io_source *first = NULL;
    io_error err;
    path_of(f, "plain.csv", path);
    write_all(path, f->content, f->len);
    for (int named = 0; named <= 1; named++) {
        assert_int_equal(io_source_open_shared(path, named, &first, &err),
                         IO_OK);
        assert_null(io_source_shared_path(first));
        assert_source_holds(first, f->content, f->len);
        io_source_close(first);
    }
    unsetenv("TMPDIR");
    rmdir(spool);
}

/* The bytes of [0, end of source) through a reader of block_size blocks;
 * NULL (err set) when it fails. */
static char *read_through(io_source *s, size_t block_size, size_t *n,
                          io_error *err)
{
    io_reader *r = NULL;
    assert_int_equal(
        io_reader_open(s, 0, UINT64_MAX, block_size, 0, 3, &r, err), IO_OK);
    size_t cap = 1 << 16, len = 0;
    char *all = malloc(cap);
    io_block b;
    int got;
    while ((got = io_reader_next(r, &b, err)) == 1) {
        while (len + b.len > cap)
            all = realloc(all, cap *= 2);
        memcpy(all + len, b.data, b.len);
        len += b.len;
        io_reader_release(r, &b);
    }
    io_reader_close(r);
    *n = len;
    if (got < 0) {
        free(all);
        return NULL;
    }
    return all;
}

/* Decompressing while the source is read (io_source_open_streaming): the
 * reads wait for their bytes, a reader of any block size gives the whole
 * content, the chunker the same records, the size comes at the end. */
static void test_streaming_source(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    write_table(f, "stream.gz", "gzip", path);
    const size_t blocks[] = {1 << 20, 4096, 777, 1};
    for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++) {
        io_source *s = NULL;
        io_error err;
        assert_int_equal(io_source_open_streaming(path, &s, &err), IO_OK);
        assert_true(io_source_growing(s));
        if (i == 0) { /* the last bytes first: the read waits for them */
            char tail[64];
            assert_int_equal(io_source_pread(s, tail, sizeof tail,
                                             f->len - sizeof tail, &err),
                             (ssize_t)sizeof tail);
            assert_memory_equal(tail, f->content + f->len - sizeof tail,
                                sizeof tail);
        }
        size_t n = 0;
        char *all = read_through(s, blocks[i], &n, &err);
        assert_non_null(all);
        assert_int_equal(n, f->len);
        assert_memory_equal(all, f->content, n);
        free(all);
        assert_int_equal(io_source_size(s), f->len);
        assert_int_equal(io_source_size_estimate(s), f->len);
        io_source_close(s);
    }

    io_source *s = NULL;
    io_error err;
    io_csv_opts o = {.delim = ','};
    io_chunker *c = NULL;
    assert_int_equal(io_source_open_streaming(path, &s, &err), IO_OK);
    assert_int_equal(io_chunker_open(s, &o, 0, 1000, 4, &c, &err), IO_OK);
    io_chunk chunk;
    size_t at = 0;
    while (io_chunker_next(c, &chunk, &err) == 1) {
        assert_int_equal(chunk.offset, at);
        assert_memory_equal(chunk.data, f->content + at, chunk.len);
        at += chunk.len;
        io_chunker_release(c, &chunk);
    }
    assert_int_equal(at, f->len);
    io_chunker_close(c);
    io_source_close(s);
}

/* A stream cut short: the reader hands out the blocks before the cut,
 * then fails with the decompression's message; a read past the cut too.
 * Closing a source whose thread still runs stops it. */
static void test_streaming_failure(void **state)
{
    fixture *f = *state;
    char path[PATH_MAX];
    write_table(f, "cut.gz", "gzip", path);
    int fd = open(path, O_RDWR);
    off_t size = lseek(fd, 0, SEEK_END);
    assert_int_equal(ftruncate(fd, size / 2), 0);
    close(fd);
    io_source *s = NULL;
    io_error err;
    assert_int_equal(io_source_open_streaming(path, &s, &err), IO_OK);
    size_t n = 0;
    assert_null(read_through(s, 4096, &n, &err));
    assert_true(n > 0 && n < f->len);
    assert_non_null(strstr(err.msg, "cannot decompress (gzip)"));
    assert_true(strncmp(err.msg, path, strlen(path)) == 0);
    char one;
    assert_int_equal(io_source_pread(s, &one, 1, f->len - 1, &err), -1);
    assert_non_null(strstr(err.msg, "truncated gzip input"));
    io_source_close(s);

    path_of(f, "big.gz", path); /* closed at once, the thread still busy */
    size_t copies = 8, len = copies * f->len;
    char *big = malloc(len);
    for (size_t i = 0; i < copies; i++)
        memcpy(big + i * f->len, f->content, f->len);
    write_packed(path, "gzip", 1, big, len);
    free(big);
    assert_int_equal(io_source_open_streaming(path, &s, &err), IO_OK);
    io_source_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_format),
        cmocka_unit_test(test_plain_text_is_not_compressed),
        cmocka_unit_test(test_empty_stream),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_zip_entries),
        cmocka_unit_test(test_damaged_checksums),
        cmocka_unit_test(test_gzip_members),
        cmocka_unit_test(test_random_damage),
        cmocka_unit_test(test_compressed_stdin),
        cmocka_unit_test(test_inflaters_agree),
        cmocka_unit_test(test_shared_decompression),
        cmocka_unit_test(test_streaming_source),
        cmocka_unit_test(test_streaming_failure),
    };
    int failed = cmocka_run_group_tests_name("default", tests, setup, teardown);
    /* again with gzip through zlib, the inflater of builds without ISA-L */
    setenv("DFSUM_GZIP", "zlib", 1);
    failed += cmocka_run_group_tests_name("zlib", tests, setup, teardown);
    unsetenv("DFSUM_GZIP");
    return failed;
}
