/*
 * test_io_csv.c - the CSV reader of io/: source, header, chunker and
 * tokenizer, checked against what pandas 1.5.3 reads.
 *
 * Each pandas answer quoted here was obtained with
 *   /usr/bin/python3 -c 'import pandas as pd, io;
 *       print(pd.read_csv(io.BytesIO(DATA)).values.tolist())'
 * Where libcsv (which dfsum follows) reads a file differently from pandas,
 * the test pins libcsv's reading and says what pandas does.
 *
 * The chunk-size sweep reads every fixture (every .csv file in tests/data and,
 * when present, the oracle's cases) with every chunk size from 1 to the file's
 * length and checks the fields, rows, row lines and errors are those of a
 * single-chunk read. Files above SWEEP_ALL_MAX bytes get sizes about 6%
 * apart, from the size that cuts them into about SWEEP_CHUNKS chunks, to
 * stay within a few seconds; DFSUM_FULL_SWEEP=1 in the environment sweeps
 * every size of every file.
 * The sweep runs the chunker's reader ahead by 2 to 4 blocks and takes
 * turns between its two ways of reading (io_uring, DFSUM_READER=pread).
 * The same files are read again by 2 to 4 threads sharing one chunker,
 * which must give the same rows once put back in chunk order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "io.h"
#include "scratch_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DFSUM_TEST_DATA
#define DFSUM_TEST_DATA "tests/data"
#endif
#define ORACLE_CSV DFSUM_TEST_DATA "/../../../shared/oracle/cases/csv"

#define SWEEP_ALL_MAX 4096
#define SWEEP_CHUNKS  1024
#define ROW_LINES_MAX 2048 /* check every row's line on files this small */
#define LINES_DENSE   64   /* ... for chunk sizes up to this, then 1 in 16 */

/* Byte strings may hold NUL bytes: always pass their length along. */
#define BYTES(s) s, sizeof(s) - 1

static const io_csv_opts COMMA = {.delim = ','};

/* ------------------------------------------------------------------------
 * Files: fixtures are opened by their bare name from their directory, so
 * that messages read "name.csv:3: ...".
 * ---------------------------------------------------------------------- */
typedef struct {
    char dir[PATH_MAX]; /* scratch directory for inputs written by tests */
} scratch;

static int make_scratch(void **state)
{
    scratch *s = calloc(1, sizeof *s);
    if (s == NULL || scratch_dir_make(s->dir, sizeof s->dir, "test_io_csv"))
        return -1;
    *state = s;
    return 0;
}

static int drop_scratch(void **state)
{
    scratch *s = *state;
    int rc = scratch_dir_remove(s->dir);
    free(s);
    return rc;
}

static io_status open_in(const char *dir, const char *name, io_source **src,
                         io_error *err)
{
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    io_status st = io_source_open(name, src, err);
    assert_int_equal(chdir(cwd), 0);
    return st;
}

static void put_file(const scratch *s, const char *name, const char *data,
                     size_t n)
{
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", s->dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static io_source *open_bytes(const scratch *s, const char *name,
                             const char *data, size_t n)
{
    io_source *src = NULL;
    io_error err;
    put_file(s, name, data, n);
    assert_int_equal(open_in(s->dir, name, &src, &err), IO_OK);
    return src;
}

static char *slurp(io_source *src, size_t *n)
{
    *n = (size_t)io_source_size(src);
    char *buf = malloc(*n + 1);
    io_error err;
    assert_non_null(buf);
    assert_int_equal(io_source_pread(src, buf, *n, 0, &err), (ssize_t)*n);
    return buf;
}

/* ------------------------------------------------------------------------
 * Reading a whole file: header, chunker, tokenizer. The result is every
 * field as [bytes], a row per line, plus the status and message.
 * ---------------------------------------------------------------------- */
typedef struct {
    size_t chunk_size;
    unsigned depth;
    int pread;      /* DFSUM_READER=pread */
    int want_lines; /* the line of every row too */
} plan;

/* Reads in one chunk, the reference. */
static plan whole(int want_lines)
{
    return (plan){SIZE_MAX, 2, 0, want_lines};
}

/* The depth and reader for chunk size `size`: every combination comes
 * round as sizes go by. */
static plan sized(size_t size, int want_lines)
{
    return (plan){size, 2 + (unsigned)(size % 3), (int)(size / 3 % 2),
                  want_lines};
}

static void use_reader(int pread)
{
    if (pread)
        setenv("DFSUM_READER", "pread", 1);
    else
        unsetenv("DFSUM_READER");
}

typedef struct {
    io_status status;
    char msg[IO_MSG_MAX];
    char *text;
    size_t len, cap;
    size_t nrows, nchunks;
    uint64_t *lines; /* the line of every row, when asked for */
    size_t nlines, cap_lines;
} reading;

static void add_text(reading *r, const char *p, size_t n)
{
    if (r->len + n + 1 > r->cap) {
        r->cap = 2 * (r->len + n + 1);
        r->text = realloc(r->text, r->cap);
        assert_non_null(r->text);
    }
    memcpy(r->text + r->len, p, n);
    r->len += n;
    r->text[r->len] = '\0';
}

static void add_line(reading *r, uint64_t line)
{
    if (r->nlines == r->cap_lines) {
        r->cap_lines = r->cap_lines ? 2 * r->cap_lines : 64;
        r->lines = realloc(r->lines, r->cap_lines * sizeof *r->lines);
        assert_non_null(r->lines);
    }
    r->lines[r->nlines++] = line;
}

static void add_batch(reading *r, const io_batch *b)
{
    for (size_t i = 0; i < b->nrows; i++) {
        for (size_t j = 0; j < b->ncols; j++) {
            size_t len;
            const char *field = io_batch_field(b, i, j, &len);
            add_text(r, "[", 1);
            add_text(r, field, len);
            add_text(r, "]", 1);
        }
        add_text(r, "\n", 1);
    }
    r->nrows += b->nrows;
}

static void free_reading(reading *r)
{
    free(r->text);
    free(r->lines);
}

/* The physical line at every offset of data, counted independently of
 * io_scan: lines[i] is the line of data[i]. */
static uint64_t *count_lines(const char *data, size_t n)
{
    uint64_t *lines = malloc((n + 1) * sizeof *lines);
    assert_non_null(lines);
    lines[0] = 1;
    for (size_t i = 0; i < n; i++)
        lines[i + 1] =
            lines[i] + (data[i] == '\r' ||
                        (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')));
    return lines;
}

/* Checks what the chunker promises about one chunk. */
static void check_chunk(const io_chunk *c, const char *data, uint64_t offset,
                        uint64_t seq)
{
    assert_int_equal(c->offset, offset);
    assert_int_equal(c->seq, seq);
    assert_true(c->len > 0);
    assert_memory_equal(c->data, data + offset, c->len);
    /* A \r\n is never cut in two. */
    assert_false(data[offset + c->len - 1] == '\r' &&
                 data[offset + c->len] == '\n');
}

static void read_data(io_source *src, const io_csv_opts *o,
                      const io_csv_header *h, const char *data,
                      const uint64_t *lines, const plan *p, reading *r)
{
    io_chunker *ck = NULL;
    io_tokenizer *tk = NULL;
    io_batch b;
    io_error err;
    io_chunk c;
    io_batch_init(&b);
    use_reader(p->pread);
    assert_int_equal(io_chunker_open(src, o, h->data_start, p->chunk_size,
                                     p->depth, &ck, &err),
                     IO_OK);
    assert_int_equal(io_tokenizer_new(o, h, src, &tk, &err), IO_OK);
    uint64_t offset = h->data_start;
    int got;
    while ((got = io_chunker_next(ck, &c, &err)) == 1) {
        check_chunk(&c, data, offset, r->nchunks++);
        offset += c.len;
        if ((r->status = io_tokenize(tk, &c, &b, &err)) != IO_OK) {
            io_chunker_release(ck, &c);
            break;
        }
        assert_int_equal(b.pos0, c.offset);
        add_batch(r, &b);
        for (size_t i = 0; p->want_lines && i < b.nrows; i++) {
            uint64_t line = io_chunk_row_line(src, o, h, &c, i);
            /* a row starts on the line of its first byte */
            assert_true(line >= lines[c.offset]);
            add_line(r, line);
        }
        io_chunker_release(ck, &c);
    }
    if (got == 0)
        assert_int_equal(offset, io_source_size(src));
    if (got < 0)
        r->status = err.status;
    if (r->status != IO_OK)
        snprintf(r->msg, sizeof r->msg, "%s", err.msg);
    io_batch_free(&b);
    io_tokenizer_free(tk);
    io_chunker_close(ck);
    use_reader(0);
}

static void read_csv(io_source *src, const io_csv_opts *o, const plan *p,
                     reading *r)
{
    io_csv_header h;
    io_error err;
    size_t n;
    char *data = slurp(src, &n);
    uint64_t *lines = count_lines(data, n);
    memset(r, 0, sizeof *r);
    r->status = io_csv_read_header(src, o, &h, &err);
    if (r->status == IO_OK)
        read_data(src, o, &h, data, lines, p, r);
    else
        snprintf(r->msg, sizeof r->msg, "%s", err.msg);
    io_csv_header_free(&h);
    free(lines);
    free(data);
}

/* Reads bytes written to the scratch directory as `name`. */
static void read_bytes(void **state, const char *name, char delim,
                       const char *data, size_t n, const plan *p, reading *r)
{
    io_csv_opts o = {.delim = delim};
    io_source *src = open_bytes(*state, name, data, n);
    read_csv(src, &o, p, r);
    io_source_close(src);
}

/* ------------------------------------------------------------------------
 * Source
 * ---------------------------------------------------------------------- */
static void test_source_missing_file(void **state)
{
    io_source *src = NULL;
    io_error err;
    assert_int_equal(open_in(((scratch *)*state)->dir, "nope.csv", &src, &err),
                     IO_EIO);
    assert_int_equal(err.status, IO_EIO);
    assert_string_equal(err.msg, "nope.csv: No such file or directory");
    assert_null(src);
}

static void test_source_directory(void **state)
{
    scratch *s = *state;
    char sub[PATH_MAX + 16];
    io_source *src = NULL;
    io_error err;
    snprintf(sub, sizeof sub, "%s/adir", s->dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(open_in(s->dir, "adir", &src, &err), IO_EIO);
    assert_string_equal(err.msg, "adir: Is a directory");
    assert_int_equal(rmdir(sub), 0);
}

static void test_source_unreadable(void **state)
{
    io_source *src = NULL;
    io_error err;
    if (geteuid() == 0)
        skip(); /* root reads anything */
    put_file(*state, "locked.csv", BYTES("a\n1\n"));
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/locked.csv", ((scratch *)*state)->dir);
    assert_int_equal(chmod(path, 0), 0);
    assert_int_equal(
        open_in(((scratch *)*state)->dir, "locked.csv", &src, &err), IO_EIO);
    assert_string_equal(err.msg, "locked.csv: Permission denied");
}

static void test_source_pread(void **state)
{
    io_source *src = open_bytes(*state, "p.csv", BYTES("hello, world\n"));
    io_error err;
    char buf[32];
    assert_string_equal(io_source_name(src), "p.csv");
    assert_int_equal(io_source_size(src), 13);
    assert_int_equal(io_source_pread(src, buf, 5, 7, &err), 5);
    assert_memory_equal(buf, "world", 5);
    assert_int_equal(io_source_pread(src, buf, sizeof buf, 10, &err), 3);
    assert_int_equal(io_source_pread(src, buf, sizeof buf, 13, &err), 0);
    io_source_close(src);
    io_source_close(NULL);
}

/* Runs io_source_open("-") with descriptor 0 replaced by fd. */
static io_source *open_stdin_from(int fd)
{
    int saved = dup(STDIN_FILENO);
    io_source *src = NULL;
    io_error err;
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
    io_status st = io_source_open("-", &src, &err);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    assert_int_equal(st, IO_OK);
    return src;
}

static void test_source_stdin_pipe(void **state)
{
    (void)state;
    static const char text[] = "a,b\n1,2\n3,4\n";
    int fds[2];
    char buf[32];
    io_error err;
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], text, sizeof text - 1),
                     (ssize_t)sizeof text - 1);
    close(fds[1]);
    io_source *src = open_stdin_from(fds[0]);
    assert_string_equal(io_source_name(src), "<stdin>");
    assert_int_equal(io_source_size(src), sizeof text - 1);
    /* The spooled copy can be read twice, at any offset. */
    assert_int_equal(io_source_pread(src, buf, sizeof buf, 4, &err), 8);
    assert_memory_equal(buf, "1,2\n3,4\n", 8);
    assert_int_equal(io_source_pread(src, buf, 3, 0, &err), 3);
    assert_memory_equal(buf, "a,b", 3);
    io_source_close(src);
}

static void test_source_stdin_file(void **state)
{
    scratch *s = *state;
    char path[PATH_MAX + 16], buf[16];
    io_error err;
    put_file(s, "in.csv", BYTES("x\n42\n"));
    snprintf(path, sizeof path, "%s/in.csv", s->dir);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    io_source *src = open_stdin_from(fd);
    assert_string_equal(io_source_name(src), "<stdin>");
    assert_int_equal(io_source_size(src), 5);
    assert_int_equal(io_source_pread(src, buf, sizeof buf, 0, &err), 5);
    assert_memory_equal(buf, "x\n42\n", 5);
    io_source_close(src);
}

/* ------------------------------------------------------------------------
 * Column names
 * ---------------------------------------------------------------------- */
static void check_names(const char *const *fields, size_t n,
                        const char *const *want)
{
    char **names = io_csv_names(fields, n);
    assert_non_null(names);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(names[i], want[i]);
    io_csv_names_free(names, n);
}

/* pandas 1.5.3, pd.read_csv(io.BytesIO(HEADER + b"\n1,2,3,4\n")).columns */
static void test_names_dedup_like_pandas(void **state)
{
    (void)state;
    /* b'a,a,a' -> ['a', 'a.1', 'a.2'] */
    check_names((const char *[]){"a", "a", "a"}, 3,
                (const char *[]){"a", "a.1", "a.2"});
    /* b'a,a,a.1' -> ['a', 'a.2', 'a.1']: a.1 is taken by the header */
    check_names((const char *[]){"a", "a", "a.1"}, 3,
                (const char *[]){"a", "a.2", "a.1"});
    /* b'a,a.1,a' -> ['a', 'a.1', 'a.2'] */
    check_names((const char *[]){"a", "a.1", "a"}, 3,
                (const char *[]){"a", "a.1", "a.2"});
    /* b'a,a,a.1,a.1' -> ['a', 'a.2', 'a.1', 'a.1.1'] */
    check_names((const char *[]){"a", "a", "a.1", "a.1"}, 4,
                (const char *[]){"a", "a.2", "a.1", "a.1.1"});
    /* b'a.1,a,a' -> ['a.1', 'a', 'a.2'] */
    check_names((const char *[]){"a.1", "a", "a"}, 3,
                (const char *[]){"a.1", "a", "a.2"});
    /* case matters: b'A,a' -> ['A', 'a'] */
    check_names((const char *[]){"A", "a"}, 2, (const char *[]){"A", "a"});
}

static void test_names_unnamed_like_pandas(void **state)
{
    (void)state;
    /* b',b,' -> ['Unnamed: 0', 'b', 'Unnamed: 2'] */
    check_names((const char *[]){"", "b", ""}, 3,
                (const char *[]){"Unnamed: 0", "b", "Unnamed: 2"});
    /* b',Unnamed: 0,b' -> ['Unnamed: 0.1', 'Unnamed: 0', 'b']: named
     * columns are deduplicated first */
    check_names((const char *[]){"", "Unnamed: 0", "b"}, 3,
                (const char *[]){"Unnamed: 0.1", "Unnamed: 0", "b"});
    /* b'Unnamed: 1,,x' -> ['Unnamed: 1', 'Unnamed: 1.1', 'x'] */
    check_names((const char *[]){"Unnamed: 1", "", "x"}, 3,
                (const char *[]){"Unnamed: 1", "Unnamed: 1.1", "x"});
}

static void test_names_many_duplicates(void **state)
{
    (void)state;
    enum { N = 3000 };
    const char **fields = malloc(N * sizeof *fields);
    assert_non_null(fields);
    for (size_t i = 0; i < N; i++)
        fields[i] = "x";
    char **names = io_csv_names(fields, N);
    assert_non_null(names);
    assert_string_equal(names[0], "x");
    assert_string_equal(names[1], "x.1");
    assert_string_equal(names[N - 1], "x.2999");
    io_csv_names_free(names, N);
    free(fields);
}

/* ------------------------------------------------------------------------
 * Header
 * ---------------------------------------------------------------------- */
typedef struct {
    const char *data;
    size_t len;
    char delim;
    const char *names; /* joined by '|' */
    size_t nindex;
    uint64_t data_start, data_line;
} header_case;

static const header_case HEADER_CASES[] = {
    {BYTES("a,b\n1,2\n"), ',', "a|b", 0, 4, 2},
    /* BOM dropped: b'\xef\xbb\xbfa,b\n1,2\n' -> ['a', 'b'] */
    {BYTES("\xEF\xBB\xBF"
           "a,b\n1,2\n"),
     ',', "a|b", 0, 7, 2},
    {BYTES("\xEF\xBB\xBF\"a\",b\n1,2\n"), ',', "a|b", 0, 9, 2},
    /* b'\xef\xbb\xbf\na,b\n1,2\n' -> ['a', 'b'] */
    {BYTES("\xEF\xBB\xBF\na,b\n1,2\n"), ',', "a|b", 0, 8, 3},
    /* only at the very start: b'\n\xef\xbb\xbfa,b\n' -> ['\ufeffa', 'b'] */
    {BYTES("\n\xEF\xBB\xBF"
           "a,b\n1,2\n"),
     ',',
     "\xEF\xBB\xBF"
     "a|b",
     0, 8, 3},
    /* leading blank lines: b'\n\n\na,b\n1,2\n' -> ['a', 'b'] */
    {BYTES("\n\n\na,b\n1,2\n"), ',', "a|b", 0, 7, 5},
    /* lines of spaces and tabs are blank: b'  \na,b\n1,2\n' -> ['a', 'b'] */
    {BYTES("  \n\t\r\n \t\ra,b\n1,2\n"), ',', "a|b", 0, 13, 5},
    {BYTES("a,b\r\n1,2\r\n"), ',', "a|b", 0, 5, 2},
    {BYTES("a,b\r\n\n1,2\r\n"), ',', "a|b", 0, 5, 2},
    {BYTES("a,b\r1,2\r"), ',', "a|b", 0, 4, 2},
    {BYTES("a,b\r\r\n1,2\n"), ',', "a|b", 0, 4, 2},
    {BYTES("a,b\n"), ',', "a|b", 0, 4, 2},
    {BYTES("a,b"), ',', "a|b", 0, 3, 1},
    /* spaces kept: b' a , b \n1,2\n' -> [' a ', ' b '] */
    {BYTES(" a , b \n1,2\n"), ',', " a | b ", 0, 8, 2},
    /* b'"x,y",plain,"say ""q"""\n1,2,3\n' -> ['x,y', 'plain', 'say "q"'] */
    {BYTES("\"x,y\",plain,\"say \"\"q\"\"\"\n1,2,3\n"), ',',
     "x,y|plain|say \"q\"", 0, 24, 2},
    /* b'"x\ny",b\n1,2\n' -> ['x\ny', 'b'] */
    {BYTES("\"x\ny\",b\n1,2\n"), ',', "x\ny|b", 0, 8, 3},
    {BYTES("\"x\r\ny\",b\r\n1,2\n"), ',', "x\r\ny|b", 0, 10, 3},
    /* b'""\n1\n' -> ['Unnamed: 0'] */
    {BYTES("\"\"\n1\n"), ',', "Unnamed: 0", 0, 3, 2},
    /* b'"  "\n1\n' -> ['  '] (quoted spaces are a name, not a blank) */
    {BYTES("\"  \"\n1\n"), ',', "  ", 0, 5, 2},
    {BYTES("a,a,,a.1\n"), ',', "a|a.2|Unnamed: 2|a.1", 0, 9, 2},
    /* implicit index: b'a,b\n1,2,3\n4,5,6\n' -> index [1, 4] */
    {BYTES("a,b\n1,2,3\n4,5,6\n"), ',', "a|b", 1, 4, 2},
    {BYTES("a,b\n1,2,3,4\n5,6,7,8\n"), ',', "a|b", 2, 4, 2},
    /* the first data record that is not blank decides */
    {BYTES("a,b\n\n  \n1,2,3\n"), ',', "a|b", 1, 4, 2},
    {BYTES("a,b\n1,2\n1,2,3\n"), ',', "a|b", 0, 4, 2},
    /* b'a,b\n,,\n1,2\n' -> index [nan, 1.0]: ',,' is a row of three */
    {BYTES("a,b\n,,\n1,2\n"), ',', "a|b", 1, 4, 2},
    /* b'a,b\n "x,y",2\n' -> index [' "x']: a quote after a space is text */
    {BYTES("a,b\n \"x,y\",2\n"), ',', "a|b", 1, 4, 2},
    {BYTES("a;b\n1,5;x\n"), ';', "a|b", 0, 4, 2},
    {BYTES("a;b\n1;2\n"), ',', "a;b", 0, 4, 2},
    {BYTES("name\tvalue\nx,y\t1.5\n"), '\t', "name|value", 0, 11, 2},
    {BYTES("\xC3\xA9t\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80\n"), ',',
     "\xC3\xA9t\xC3\xA9|\xE2\x82\xAC|\xF0\x9F\x98\x80", 0, 15, 2},
};

/* Reads the header of src into h and checks its names, joined by '|'. */
static void read_header_named(io_source *src, const io_csv_opts *o,
                              io_csv_header *h, const char *names)
{
    io_error err;
    char joined[256] = "";
    assert_int_equal(io_csv_read_header(src, o, h, &err), IO_OK);
    for (size_t j = 0; j < h->ncols; j++) {
        strcat(joined, j ? "|" : "");
        strcat(joined, h->names[j]);
    }
    assert_string_equal(joined, names);
}

static void test_header_cases(void **state)
{
    for (size_t i = 0; i < sizeof HEADER_CASES / sizeof *HEADER_CASES; i++) {
        const header_case *c = &HEADER_CASES[i];
        io_csv_opts o = {.delim = c->delim};
        io_csv_header h;
        io_source *src = open_bytes(*state, "h.csv", c->data, c->len);
        print_message("header case %zu\n", i);
        read_header_named(src, &o, &h, c->names);
        assert_int_equal(h.nindex, c->nindex);
        assert_int_equal(h.data_start, c->data_start);
        assert_int_equal(h.data_line, c->data_line);
        io_csv_header_free(&h);
        io_source_close(src);
    }
}

/* The single-byte encodings: every defined byte goes to UTF-8 and back,
 * the five bytes cp1252 leaves undefined are found, names are Python's. */
static void test_encodings(void **state)
{
    (void)state;
    static const unsigned char undefined[] = {0x81, 0x8D, 0x8F, 0x90, 0x9D};
    for (int e = IO_ENC_LATIN1; e <= IO_ENC_CP1252; e++) {
        io_encoding enc = (io_encoding)e;
        for (unsigned b = 0; b < 256; b++) {
            char in = (char)b;
            int bad = enc == IO_ENC_CP1252 && memchr(undefined, (int)b, 5);
            assert_int_equal(io_encoding_invalid(enc, &in, 1), bad ? 0 : 1);
            if (bad)
                continue;
            size_t n, m;
            char *utf8 = io_encoding_to_utf8(enc, &in, 1, &n);
            assert_non_null(utf8);
            assert_true(n >= 1 && n <= 3);
            char *back = io_encoding_from_utf8(enc, utf8, n, &m);
            assert_non_null(back);
            assert_int_equal(m, 1);
            assert_int_equal((unsigned char)back[0], b);
            free(utf8);
            free(back);
        }
    }
    size_t n;
    char *euro = io_encoding_to_utf8(IO_ENC_CP1252, "\x80", 1, &n);
    assert_string_equal(euro, "\xE2\x82\xAC");
    free(euro);
    assert_null(io_encoding_from_utf8(IO_ENC_LATIN1, "\xE2\x82\xAC", 3, &n));
    io_encoding enc;
    assert_true(io_encoding_named("ISO-8859-1", &enc) && enc == IO_ENC_LATIN1);
    assert_true(io_encoding_named("Windows-1252", &enc) &&
                enc == IO_ENC_CP1252);
    assert_false(io_encoding_named("koi8-r", &enc));
}

/* A latin-1 header comes out in UTF-8; a UTF-8 BOM is latin-1 text there,
 * as read_csv(encoding='latin-1') reads it. */
static void test_header_latin1(void **state)
{
    io_csv_opts o = {.delim = ',', .encoding = IO_ENC_LATIN1};
    io_csv_header h;
    io_error err;
    io_source *src = open_bytes(*state, "l1.csv",
                                BYTES("\xEF\xBB\xBF"
                                      "caf\xE9,b\n1,2\n"));
    assert_int_equal(io_csv_read_header(src, &o, &h, &err), IO_OK);
    assert_string_equal(h.names[0], "\xC3\xAF\xC2\xBB\xC2\xBF"
                                    "caf\xC3\xA9");
    assert_int_equal(h.data_start, 10);
    io_csv_header_free(&h);
    io_source_close(src);
    o.encoding = IO_ENC_CP1252;
    src = open_bytes(*state, "bad.csv", BYTES("a\x81,b\n1,2\n"));
    assert_int_equal(io_csv_read_header(src, &o, &h, &err), IO_EPARSE);
    assert_string_equal(err.msg, "bad.csv:1: header is not valid cp1252");
    io_source_close(src);
}

/* --nrows: where the data to read ends, as file offsets (rows are the
 * records that are not blank and, under skip_bad, not too long). */
static void test_header_nrows(void **state)
{
    static const char data[] = "a,b\n1,\"x\ny\"\n\n2,z\r\n3,4,5\n6,7\n";
    static const struct {
        uint64_t nrows;
        int skip_bad;
        uint64_t end;
    } cases[] = {{0, 0, 4},          {1, 0, 12},        {2, 0, 18},
                 {3, 0, 24},         {3, 1, 28},        {4, 0, 28},
                 {5, 0, UINT64_MAX}, {4, 1, UINT64_MAX}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        io_csv_opts o = {.delim = ',',
                         .limit_rows = 1,
                         .nrows = cases[i].nrows,
                         .skip_bad = cases[i].skip_bad};
        io_csv_header h;
        io_error err;
        io_source *src = open_bytes(*state, "n.csv", data, sizeof data - 1);
        print_message("nrows case %zu\n", i);
        assert_int_equal(io_csv_read_header(src, &o, &h, &err), IO_OK);
        assert_int_equal(h.data_end, cases[i].end);
        io_csv_header_free(&h);
        io_source_close(src);
    }
}

/* --skip-rows and --no-header, each case checked against
 * read_csv(skiprows=N, header=None or 0). */
typedef struct {
    const char *data;
    size_t len;
    uint64_t skip_rows;
    int no_header;
    const char *names; /* joined by '|' */
    uint64_t data_start, data_line;
} header_option_case;

static const header_option_case HEADER_OPTION_CASES[] = {
    /* skiprows=2: two records, the second over two lines (quoted) */
    {BYTES("x\n\"p\nq\"\na,b\n1,2\n"), 2, 0, "a|b", 12, 5},
    /* skiprows=1 skips a blank line; the next blank one is skipped anyway */
    {BYTES("\n\na,b\n1,2\n"), 1, 0, "a|b", 6, 4},
    /* the BOM goes first, then the records */
    {BYTES("\xEF\xBB\xBFnote\na,b\n1,2\n"), 1, 0, "a|b", 12, 3},
    /* header=None: the first row is data, after blank lines */
    {BYTES("\n1,2,3\n4,5,6\n"), 0, 1, "0|1|2", 1, 2},
    {BYTES("skip\r\n\"a,b\",c\n"), 1, 1, "0|1", 6, 2},
};

static void test_header_options(void **state)
{
    size_t ncases = sizeof HEADER_OPTION_CASES / sizeof *HEADER_OPTION_CASES;
    for (size_t i = 0; i < ncases; i++) {
        const header_option_case *c = &HEADER_OPTION_CASES[i];
        io_csv_opts o = {
            .delim = ',', .no_header = c->no_header, .skip_rows = c->skip_rows};
        io_csv_header h;
        io_source *src = open_bytes(*state, "h.csv", c->data, c->len);
        print_message("header option case %zu\n", i);
        read_header_named(src, &o, &h, c->names);
        assert_int_equal(h.nindex, 0);
        assert_int_equal(h.data_start, c->data_start);
        assert_int_equal(h.data_line, c->data_line);
        io_csv_header_free(&h);
        io_source_close(src);
    }
    /* skipping past the end: no columns, as read_csv's EmptyDataError */
    io_csv_opts o = {.delim = ',', .skip_rows = 3};
    io_csv_header h;
    io_error err;
    io_source *src = open_bytes(*state, "short.csv", BYTES("a,b\n1,2\n"));
    assert_int_equal(io_csv_read_header(src, &o, &h, &err), IO_EEMPTY);
    assert_non_null(strstr(err.msg, "short.csv: no columns to parse"));
    io_source_close(src);
}

/* A \r\n whose \r is the last byte of the header reader's first 64 KiB:
 * the data must still start after the \n, on line 2. */
static void test_header_crlf_across_reads(void **state)
{
    size_t n = ((size_t)64 << 10) + 8;
    char *data = malloc(n);
    assert_non_null(data);
    memset(data, 'h', n);
    size_t cr = ((size_t)64 << 10) - 1;
    memcpy(data + cr, "\r\n1\n", 4);
    io_source *src = open_bytes(*state, "wide.csv", data, cr + 4);
    io_csv_header h;
    io_error err;
    assert_int_equal(io_csv_read_header(src, &COMMA, &h, &err), IO_OK);
    assert_int_equal(h.ncols, 1);
    assert_int_equal(strlen(h.names[0]), cr);
    assert_int_equal(h.data_start, cr + 2);
    assert_int_equal(h.data_line, 2);
    io_csv_header_free(&h);
    io_source_close(src);
    free(data);
}

typedef struct {
    const char *name;
    const char *data;
    size_t len;
    io_status status;
    const char *msg;
} error_case;

static const error_case HEADER_ERRORS[] = {
    /* pandas: EmptyDataError: No columns to parse from file */
    {"empty.csv", BYTES(""), IO_EEMPTY,
     "empty.csv: no columns to parse (empty file)"},
    {"blank.csv", BYTES("\n\r\n  \n\t\n"), IO_EEMPTY,
     "blank.csv: no columns to parse (empty file)"},
    {"bom.csv", BYTES("\xEF\xBB\xBF"), IO_EEMPTY,
     "bom.csv: no columns to parse (empty file)"},
    /* pandas: UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff */
    {"bad.csv", BYTES("\n\na\xFF,b\n1,2\n"), IO_EPARSE,
     "bad.csv:3: header is not valid UTF-8"},
    {"overlong.csv", BYTES("\xC0\xAF\n"), IO_EPARSE,
     "overlong.csv:1: header is not valid UTF-8"},
    {"surrogate.csv", BYTES("\xED\xA0\x80\n"), IO_EPARSE,
     "surrogate.csv:1: header is not valid UTF-8"},
    {"cut.csv", BYTES("ab\xE2\x82"), IO_EPARSE,
     "cut.csv:1: header is not valid UTF-8"},
    {"big.csv", BYTES("\xF4\x90\x80\x80\n"), IO_EPARSE,
     "big.csv:1: header is not valid UTF-8"},
    /* pandas reads the name up to the NUL (b'a\x00,b' -> ['a', 'b']) */
    {"nul.csv", BYTES("\n\na\0,b\n1,2\n"), IO_EPARSE,
     "nul.csv:3: binary data (NUL byte), not a CSV file"},
    /* pandas: EOF inside string starting at row 0 */
    {"q.csv", BYTES("\n\"a\nb,\"c\n1,2\n"), IO_EPARSE,
     "q.csv:2: unterminated quoted field"},
};

static void test_header_errors(void **state)
{
    for (size_t i = 0; i < sizeof HEADER_ERRORS / sizeof *HEADER_ERRORS; i++) {
        const error_case *c = &HEADER_ERRORS[i];
        io_source *src = open_bytes(*state, c->name, c->data, c->len);
        io_csv_header h;
        io_error err;
        assert_int_equal(io_csv_read_header(src, &COMMA, &h, &err), c->status);
        assert_int_equal(err.status, c->status);
        assert_string_equal(err.msg, c->msg);
        assert_null(h.names);
        assert_int_equal(h.ncols, 0);
        io_source_close(src);
    }
}

/* ------------------------------------------------------------------------
 * Tokenizing: what rows and fields come out, next to pandas' reading
 * ---------------------------------------------------------------------- */
typedef struct {
    const char *data;
    size_t len;
    char delim;
    const char *rows; /* every field as [bytes], a line per row */
} rows_case;

static const rows_case ROWS_CASES[] = {
    /* lines of only spaces or tabs are blank:
     * b'a,b\n1,2\n   \n3,4\n' -> [[1, 2], [3, 4]] */
    {BYTES("a,b\n1,2\n   \n3,4\n"), ',', "[1][2]\n[3][4]\n"},
    {BYTES("a,b\n1,2\n\t\n3,4\n"), ',', "[1][2]\n[3][4]\n"},
    {BYTES("a\n1\n  \r\n2\n  \r3\n \t"), ',', "[1]\n[2]\n[3]\n"},
    /* quoted spaces are a value: b'a\n1\n"   "\n3\n' -> ['1', '   ', '3'] */
    {BYTES("a\n1\n\"   \"\n3\n"), ',', "[1]\n[   ]\n[3]\n"},
    /* b'a,b\n1,2\n  ,\n3,4\n' -> [['1', 2.0], ['  ', nan], ['3', 4.0]] */
    {BYTES("a,b\n1,2\n  ,\n3,4\n"), ',', "[1][2]\n[  ][]\n[3][4]\n"},
    /* with a tab delimiter a tab is a field separator:
     * b'a\tb\n\t\n1\t2\n' -> [[nan, nan], [1.0, 2.0]],
     * b'a\tb\n \t \n1\t2\n' -> [[' ', ' '], ['1', '2']] */
    {BYTES("a\tb\n\t\n \t \n1\t2\n"), '\t', "[][]\n[ ][ ]\n[1][2]\n"},
    /* sep=' ': b'a b\n1 2\n \n3 4\n' -> [[1.0, 2.0], [nan, nan], ...] */
    {BYTES("a b\n1 2\n \n3 4\n"), ' ', "[1][2]\n[][]\n[3][4]\n"},
    /* ',' is a row of empties, not a blank line:
     * b'a,b\n,\n1,2\n' -> [[nan, nan], [1.0, 2.0]] */
    {BYTES("a,b\n,\n1,2\n"), ',', "[][]\n[1][2]\n"},
    /* ',,' first: one index field, b'a,b\n,,\n1,2\n' -> a [nan, 2.0] */
    {BYTES("a,b\n,,\n1,2\n"), ',', "[][]\n[2][]\n"},
    /* spaces are kept: b'a,b\n1, \n2,3\n' -> [[1, ' '], [2, '3']] */
    {BYTES("a,b\n 1 , \n2,3\n"), ',', "[ 1 ][ ]\n[2][3]\n"},
    /* a quote inside an unquoted field is text: b'a,b\nx"y,2\n' ->
     * [['x"y', 2]] */
    {BYTES("a,b\nx\"y,2\n"), ',', "[x\"y][2]\n"},
    /* b'a,b\n "x,y",2\n' -> index ' "x', [['y"', 2]] */
    {BYTES("a,b\n \"x,y\",2\n"), ',', "[y\"][2]\n"},
    /* b'a,b\n"x""y",2\n' -> [['x"y', 2]] */
    {BYTES("a,b\n\"x\"\"y\",2\n\"\",\"\"\"\"\n"), ',', "[x\"y][2]\n[][\"]\n"},
    /* Differs from pandas. After a closing quote, libcsv keeps the quote
     * as text and the field stays quoted up to the next lone quote;
     * pandas ends the quoted part and reads on unquoted:
     * b'a,b\n"x"y,2\n"z",4\n' -> pandas [['xy', '2'], ['z', '4']] */
    {BYTES("a,b\n\"x\"y,2\n\"z\",4\n"), ',', "[x\"y,2\n\"z][4]\n"},
    /* b'a,b\n"x" ,2\n"z",4\n' -> pandas [['x ', '2'], ['z', '4']] */
    {BYTES("a,b\n\"x\" ,2\n\"z\",4\n"), ',', "[x\" ,2\n\"z][4]\n"},
    /* line ends: b'a,b\r\n1,2\r\n3,4\r\n' and b'a,b\r1,2\r3,4\r' ->
     * [[1, 2], [3, 4]] */
    {BYTES("a,b\r\n1,2\r\n3,4\r\n"), ',', "[1][2]\n[3][4]\n"},
    {BYTES("a,b\r1,2\r3,4\r"), ',', "[1][2]\n[3][4]\n"},
    {BYTES("a,b\n1,2\r\n\r\n3,4\r\r5,6"), ',', "[1][2]\n[3][4]\n[5][6]\n"},
    /* quoted line ends are kept as they are:
     * b'a,b\r\n"x\r\ny",2\r\n' -> [['x\r\ny', 2]] */
    {BYTES("a,b\r\n\"x\r\ny\",2\r\n\"\n\",\"\r\"\n"), ',',
     "[x\r\ny][2]\n[\n][\r]\n"},
    /* short rows are padded: b'a,b\n1,2,3\n4,5\n' -> b [3.0, nan] */
    {BYTES("a,b,c\n1\n2,3\n"), ',', "[1][][]\n[2][3][]\n"},
    {BYTES("a,b\n1,2,3\n4,5\n6\n"), ',', "[2][3]\n[5][]\n[][]\n"},
    {BYTES("a,b\n1,2,3,4\n5,6,7,8\n"), ',', "[3][4]\n[7][8]\n"},
    /* b'a;b;c\n"1;5";x;"y\n z"\n2;;\n' (sep=';') ->
     * [['1;5', 'x', 'y\n z'], ['2', '', '']] */
    {BYTES("a;b;c\n\"1;5\";x;\"y\n z\"\n2;;\n"), ';',
     "[1;5][x][y\n z]\n[2][][]\n"},
    {BYTES("a\n\"last\"\"\""), ',', "[last\"]\n"},
    {BYTES("a\n1\n"), ',', "[1]\n"},
    {BYTES("a\n"), ',', ""},
};

static void test_rows_cases(void **state)
{
    for (size_t i = 0; i < sizeof ROWS_CASES / sizeof *ROWS_CASES; i++) {
        const rows_case *c = &ROWS_CASES[i];
        reading r;
        print_message("rows case %zu\n", i);
        plan p = whole(1);
        read_bytes(state, "r.csv", c->delim, c->data, c->len, &p, &r);
        assert_int_equal(r.status, IO_OK);
        assert_string_equal(r.text != NULL ? r.text : "", c->rows);
        free_reading(&r);
    }
}

/* The line of each row: blank lines and quoted line ends count, a \r\n
 * counts once. */
static void test_row_lines(void **state)
{
    static const char data[] = "a,b\r\n\r\n1,\"x\r\ny\"\r\n  \r\n"
                               "2,3\n\"z\nz\",4\r5,6";
    static const uint64_t want[] = {3, 6, 7, 9};
    for (size_t size = 1; size <= sizeof data; size++) {
        reading r;
        plan p = size < sizeof data ? sized(size, 1) : whole(1);
        read_bytes(state, "l.csv", ',', BYTES(data), &p, &r);
        assert_int_equal(r.status, IO_OK);
        assert_int_equal(r.nlines, 4);
        for (size_t i = 0; i < 4; i++)
            assert_int_equal(r.lines[i], want[i]);
        free_reading(&r);
    }
}

static void test_batch_memory_reused(void **state)
{
    static const char data[] = "a,b\n1,2\n3,4\n5,6\n7,8\n";
    io_source *src = open_bytes(*state, "m.csv", BYTES(data));
    io_csv_header h;
    io_tokenizer *tk;
    io_error err;
    io_batch b;
    io_batch_init(&b);
    assert_int_equal(io_csv_read_header(src, &COMMA, &h, &err), IO_OK);
    assert_int_equal(io_tokenizer_new(&COMMA, &h, src, &tk, &err), IO_OK);
    io_chunk big = {data + 4, 16, 4, 0, NULL},
             small = {data + 12, 8, 12, 1, NULL};
    size_t len;
    assert_int_equal(io_tokenize(tk, &big, &b, &err), IO_OK);
    assert_int_equal(b.nrows, 4);
    const io_span *spans = b.spans;
    assert_int_equal(io_tokenize(tk, &small, &b, &err), IO_OK);
    assert_int_equal(b.nrows, 2);
    assert_int_equal(b.pos0, 12);
    assert_ptr_equal(b.spans, spans);
    assert_memory_equal(io_batch_field(&b, 1, 1, &len), "8", 1);
    assert_int_equal(len, 1);
    io_batch_free(&b);
    io_tokenizer_free(tk);
    io_tokenizer_free(NULL);
    io_csv_header_free(&h);
    io_source_close(src);
}

/* Many rows and a long field: the batch and libcsv's buffer grow. */
static void test_batch_growth(void **state)
{
    size_t nrows = 5000, n = 0;
    char *data = malloc(nrows * 8 + 300000);
    assert_non_null(data);
    n += (size_t)sprintf(data, "a,b\n");
    for (size_t i = 0; i < nrows; i++)
        n += (size_t)sprintf(data + n, "%zu,\n", i % 1000);
    data[n++] = '"';
    memset(data + n, 'x', 200000);
    n += 200000;
    n += (size_t)sprintf(data + n, "\",end\n");
    reading r;
    plan p = sized(1 << 16, 0);
    read_bytes(state, "g.csv", ',', data, n, &p, &r);
    assert_int_equal(r.status, IO_OK);
    assert_int_equal(r.nrows, nrows + 1);
    assert_memory_equal(r.text, "[0][]\n[1][]\n", 12);
    const char *last = r.text + r.len - (1 + 200000 + 7);
    assert_memory_equal(last - 1, "\n[xxx", 5);
    assert_memory_equal(r.text + r.len - 7, "][end]\n", 7);
    free_reading(&r);
    free(data);
}

/* ------------------------------------------------------------------------
 * Errors, pinned (pandas' own text in the comments)
 * ---------------------------------------------------------------------- */
static void check_error(void **state, const char *name, const char *data,
                        size_t n, io_status status, const char *msg)
{
    for (size_t size = 1; size <= n + 1; size++) {
        reading r;
        plan p = sized(size, 0);
        read_bytes(state, name, ',', data, n, &p, &r);
        assert_int_equal(r.status, status);
        assert_string_equal(r.msg, msg);
        free_reading(&r);
    }
}

static void test_error_ragged_long_row(void **state)
{
    (void)state;
    io_source *src = NULL;
    io_error err;
    reading r;
    /* pandas: Expected 2 fields in line 3, saw 3 */
    assert_int_equal(
        open_in(DFSUM_TEST_DATA, "ragged_long_row.csv", &src, &err), IO_OK);
    plan p = whole(0);
    read_csv(src, &COMMA, &p, &r);
    assert_int_equal(r.status, IO_EPARSE);
    assert_string_equal(r.msg,
                        "ragged_long_row.csv:3: expected 2 fields, saw 3");
    free_reading(&r);
    io_source_close(src);
}

static void test_error_ragged_lines(void **state)
{
    /* pandas: Expected 2 fields in line 4, saw 3 (blank lines count) */
    check_error(state, "r1.csv", BYTES("a,b\r\n\r\n1,2\r\n3,4,5\r\n6,7\r\n"),
                IO_EPARSE, "r1.csv:4: expected 2 fields, saw 3");
    /* pandas: Expected 2 fields in line 4, saw 3 */
    check_error(state, "r2.csv", BYTES("a,b\n  \n1,2\n3,4,5\n"), IO_EPARSE,
                "r2.csv:4: expected 2 fields, saw 3");
    /* Physical lines: pandas says line 3 here, as it does not count the
     * line end inside the quotes. */
    check_error(state, "r3.csv", BYTES("a,b\n\"1\n\",2\n3,4,5\n6,7\n"),
                IO_EPARSE, "r3.csv:4: expected 2 fields, saw 3");
    /* with an implicit index the width grows: pandas: Expected 3 fields in
     * line 3, saw 4 */
    check_error(state, "r4.csv", BYTES("a,b\n1,2,3\n4,5,6,7\n"), IO_EPARSE,
                "r4.csv:3: expected 3 fields, saw 4");
    /* pandas: Expected 2 fields in line 3, saw 3 */
    check_error(state, "r5.csv", BYTES("a,b\n1,2\n,,\n"), IO_EPARSE,
                "r5.csv:3: expected 2 fields, saw 3");
}

static void test_error_unterminated_quote(void **state)
{
    /* pandas: EOF inside string starting at row 1 */
    check_error(state, "unterminated_quote.csv", BYTES("a,b\n1,\"open\n2,3\n"),
                IO_EPARSE,
                "unterminated_quote.csv:2: unterminated quoted field");
    /* pandas: EOF inside string starting at row 2 */
    check_error(state, "u2.csv", BYTES("a,b\n\"ab\"\n\r\n\""), IO_EPARSE,
                "u2.csv:4: unterminated quoted field");
    /* libcsv keeps the field open after "x"y (see the rows cases); pandas
     * reads [['xy', 2], ['3', 4]] */
    check_error(state, "u3.csv", BYTES("a,b\n\"x\"y,2\n3,4\n"), IO_EPARSE,
                "u3.csv:2: unterminated quoted field");
}

static void test_error_nul_byte(void **state)
{
    /* pandas reads b'a,b\n1,2\x003\n' as [[1, 2]] (the NUL ends the text) */
    check_error(state, "nul.csv", BYTES("a,b\n1,2\n\"x\ny\",\0003\n"),
                IO_EPARSE, "nul.csv:4: binary data (NUL byte), not a CSV file");
    check_error(state, "nul2.csv", BYTES("a\n\0"), IO_EPARSE,
                "nul2.csv:2: binary data (NUL byte), not a CSV file");
}

static void test_error_empty_file(void **state)
{
    reading r;
    plan p = sized(1, 0);
    read_bytes(state, "empty_file.csv", ',', "", 0, &p, &r);
    assert_int_equal(r.status, IO_EEMPTY);
    assert_string_equal(r.msg,
                        "empty_file.csv: no columns to parse (empty file)");
    free_reading(&r);
}

static void test_error_sticky(void **state)
{
    static const char data[] = "a\n\"x\n";
    io_source *src = open_bytes(*state, "s.csv", BYTES(data));
    io_chunker *ck;
    io_chunk c;
    io_error err;
    assert_int_equal(io_chunker_open(src, &COMMA, 2, 2, 2, &ck, &err), IO_OK);
    assert_int_equal(io_chunker_next(ck, &c, &err), -1);
    assert_int_equal(io_chunker_next(ck, &c, &err), -1);
    assert_string_equal(err.msg, "s.csv:2: unterminated quoted field");
    io_chunker_close(ck);
    io_chunker_close(NULL);
    io_source_close(src);
}

/* A range that starts inside the file (as a rank's part does): chunks
 * cover exactly the rest, and an unterminated quote still names its
 * physical line, also when the start cuts a \r\n. */
static void test_chunker_mid_file(void **state)
{
    static const char data[] = "a,b\r\n1,2\r\n\r\n3,\"x\r\n4\r\n";
    io_source *src = open_bytes(*state, "mid.csv", BYTES(data));
    static const uint64_t starts[] = {5, 9, 10, 11, 12};
    for (size_t i = 0; i < 5; i++) {
        for (size_t size = 1; size <= 8; size++) {
            io_chunker *ck;
            io_chunk c;
            io_error err;
            uint64_t at = starts[i];
            use_reader(size % 2);
            assert_int_equal(
                io_chunker_open(src, &COMMA, starts[i], size, 2, &ck, &err),
                IO_OK);
            int got;
            while ((got = io_chunker_next(ck, &c, &err)) == 1) {
                assert_int_equal(c.offset, at);
                assert_memory_equal(c.data, data + at, c.len);
                at += c.len;
                io_chunker_release(ck, &c);
            }
            assert_int_equal(got, -1);
            assert_string_equal(err.msg,
                                "mid.csv:4: unterminated quoted field");
            /* every record before the one left open was handed out */
            assert_int_equal(at, 12);
            io_chunker_close(ck);
        }
    }
    use_reader(0);
    io_source_close(src);
}

/* ------------------------------------------------------------------------
 * The chunk-size sweep
 * ---------------------------------------------------------------------- */
static char delim_for(const char *name)
{
    if (strstr(name, "semicolon") != NULL)
        return ';';
    return strstr(name, "tab_sep") != NULL ? '\t' : ',';
}

/* Same rows and fields, same error; same row lines when b has them. */
static int same_reading(const reading *a, const reading *b, int lines)
{
    if (a->status != b->status || strcmp(a->msg, b->msg) != 0)
        return 0;
    if (a->status != IO_OK)
        return 1;
    if (a->nrows != b->nrows || a->len != b->len ||
        (lines && a->nlines != b->nlines))
        return 0;
    return (a->len == 0 || memcmp(a->text, b->text, a->len) == 0) &&
           (!lines || a->nlines == 0 ||
            memcmp(a->lines, b->lines, a->nlines * sizeof *a->lines) == 0);
}

/* The first chunk size to try, for a file of n bytes. */
static size_t first_size(size_t n, int full)
{
    if (full || n <= SWEEP_ALL_MAX)
        return 1;
    return n / SWEEP_CHUNKS;
}

/* The chunk size to try after size: every size on small files; on larger
 * ones sizes about 6% apart, then n. */
static size_t next_size(size_t size, size_t n, int full)
{
    if (full || n <= SWEEP_ALL_MAX)
        return size + 1;
    size_t next = size + 1 + size / 16;
    return next < n ? next : (size < n ? n : n + 1);
}

static void sweep_file(const char *dir, const char *name, int full)
{
    io_csv_opts o = {.delim = delim_for(name)};
    io_source *src = NULL;
    io_error err;
    reading one, r;
    assert_int_equal(open_in(dir, name, &src, &err), IO_OK);
    size_t n = (size_t)io_source_size(src);
    int lines = n <= ROW_LINES_MAX;
    plan p = whole(lines);
    read_csv(src, &o, &p, &one);
    size_t runs = 0;
    for (size_t size = first_size(n, full); size <= n;
         size = next_size(size, n, full)) {
        /* Row lines rescan the file: check them on a share of the sizes. */
        p = sized(size, lines && (size <= LINES_DENSE || size % 16 == 0));
        read_csv(src, &o, &p, &r);
        if (!same_reading(&one, &r, p.want_lines))
            fail_msg("%s/%s: chunk size %zu, depth %u, %s reads differently "
                     "(%s / %s)",
                     dir, name, size, p.depth, p.pread ? "pread" : "default",
                     one.msg, r.msg);
        if (r.status == IO_OK && size == 1 && n > 0)
            assert_true(r.nchunks >= one.nrows);
        free_reading(&r);
        runs++;
    }
    print_message("%-32s %7zu bytes %5zu rows %6zu chunk sizes  %s\n", name, n,
                  one.nrows, runs, one.status == IO_OK ? "ok" : one.msg);
    free_reading(&one);
    io_source_close(src);
}

static int is_csv(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 4 && strcmp(e->d_name + n - 4, ".csv") == 0;
}

static size_t sweep_dir(const char *dir)
{
    struct dirent **list;
    const char *env = getenv("DFSUM_FULL_SWEEP");
    int full = env != NULL && strcmp(env, "1") == 0;
    int n = scandir(dir, &list, is_csv, alphasort);
    if (n < 0)
        return 0;
    for (int i = 0; i < n; i++) {
        sweep_file(dir, list[i]->d_name, full);
        free(list[i]);
    }
    free(list);
    return (size_t)n;
}

static void test_sweep_fixtures(void **state)
{
    (void)state;
    assert_true(sweep_dir(DFSUM_TEST_DATA) >= 10);
}

static void test_sweep_oracle_cases(void **state)
{
    (void)state;
    const char *dir = getenv("DFSUM_ORACLE_CSV");
    if (dir == NULL)
        dir = ORACLE_CSV;
    if (sweep_dir(dir) == 0)
        skip(); /* the oracle lives outside the repository */
}

/* ------------------------------------------------------------------------
 * Records longer than the chunker's headroom (64 KiB) and than a chunk
 * ---------------------------------------------------------------------- */
static size_t put_long_field(char *p, size_t len, int quoted, size_t seed)
{
    size_t n = 0;
    if (quoted)
        p[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        size_t k = (i * 7919 + seed) % 4099;
        if (quoted && k == 0)
            n += (size_t)sprintf(p + n, "\r\n");
        else if (quoted && k == 1)
            n += (size_t)sprintf(p + n, "\"\"");
        else if (quoted && k == 2)
            p[n++] = ',';
        else
            p[n++] = (char)('a' + k % 26);
    }
    if (quoted)
        p[n++] = '"';
    return n;
}

/* Short rows between fields of 64 KiB - 1, + 0, + 1 and far longer,
 * quoted (holding line ends, quotes and delimiters) or not; \r\n ends. */
static char *long_table(size_t *n)
{
    static const size_t lens[] = {65535,  65536, 65537,  10, 70000,
                                  200000, 65530, 131075, 3};
    char *p = malloc(4 * 1024 * 1024);
    assert_non_null(p);
    *n = (size_t)sprintf(p, "a,b\r\n");
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        for (int quoted = 0; quoted < 2; quoted++) {
            *n += (size_t)sprintf(p + *n, "%zu,", i);
            *n += put_long_field(p + *n, lens[i], quoted, i);
            *n += (size_t)sprintf(p + *n, "\r\nshort,%d\r\n\r\n", quoted);
        }
    }
    return p;
}

static void test_long_records(void **state)
{
    static const size_t sizes[] = {1000,  4096,   65535,  65536,
                                   65537, 100000, 300000, 1 << 20};
    size_t n;
    char *data = long_table(&n);
    io_source *src = open_bytes(*state, "long.csv", data, n);
    reading one, r;
    plan p = whole(1);
    read_csv(src, &COMMA, &p, &one);
    assert_int_equal(one.status, IO_OK);
    assert_int_equal(one.nrows, 36);
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        for (int pread = 0; pread < 2; pread++) {
            /* row lines rescan the whole file: on a few sizes only */
            p = (plan){sizes[i], 2 + (unsigned)i % 3, pread,
                       i % 4 == (size_t)pread};
            read_csv(src, &COMMA, &p, &r);
            if (!same_reading(&one, &r, p.want_lines))
                fail_msg("long.csv: chunk size %zu reads differently (%s)",
                         sizes[i], r.msg);
            free_reading(&r);
        }
    }
    free_reading(&one);
    io_source_close(src);
    free(data);
}

/* ------------------------------------------------------------------------
 * Threads sharing one chunker, as the engine runs it: each takes the next
 * chunk, tokenizes it and gives it back. The rows, put back in chunk
 * order, must be those of one thread; the error kept is the one of the
 * first chunk that fails. Workers do not assert (cmocka is not
 * thread-safe): they keep what they saw for the main thread to check.
 * ---------------------------------------------------------------------- */
typedef struct {
    char *text;
    size_t len, nrows;
} part;

typedef struct {
    io_chunker *ck;
    io_source *src;
    const io_csv_opts *o;
    const io_csv_header *h;
    pthread_mutex_t lock;
    part *parts; /* by chunk seq */
    size_t nparts;
    uint64_t fail_seq; /* UINT64_MAX - 1: the chunker; UINT64_MAX: none */
    io_error failure;
    int oom;
} shared_read;

/* A batch as [field] text, a line per row (as add_batch writes it). */
static char *batch_text(const io_batch *b, size_t *len)
{
    size_t n = b->nrows;
    for (size_t i = 0; i < b->nrows; i++)
        for (size_t j = 0; j < b->ncols; j++) {
            size_t flen;
            io_batch_field(b, i, j, &flen);
            n += flen + 2;
        }
    char *text = malloc(n + 1), *q = text;
    for (size_t i = 0; text != NULL && i < b->nrows; i++) {
        for (size_t j = 0; j < b->ncols; j++) {
            size_t flen;
            const char *f = io_batch_field(b, i, j, &flen);
            *q++ = '[';
            if (flen > 0)
                memcpy(q, f, flen);
            q += flen;
            *q++ = ']';
        }
        *q++ = '\n';
    }
    *len = n;
    return text;
}

static void keep_part(shared_read *m, uint64_t seq, part pt)
{
    pthread_mutex_lock(&m->lock);
    if (seq >= m->nparts) {
        size_t cap = 2 * (size_t)seq + 16;
        part *parts = realloc(m->parts, cap * sizeof *parts);
        if (parts == NULL) {
            m->oom = 1;
            pthread_mutex_unlock(&m->lock);
            free(pt.text);
            return;
        }
        memset(parts + m->nparts, 0, (cap - m->nparts) * sizeof *parts);
        m->parts = parts;
        m->nparts = cap;
    }
    m->parts[seq] = pt;
    pthread_mutex_unlock(&m->lock);
}

static void note_failure(shared_read *m, uint64_t seq, const io_error *err)
{
    pthread_mutex_lock(&m->lock);
    if (seq < m->fail_seq) {
        m->fail_seq = seq;
        m->failure = *err;
    }
    pthread_mutex_unlock(&m->lock);
}

static void *consume(void *arg)
{
    shared_read *m = arg;
    io_tokenizer *tk = NULL;
    io_batch b;
    io_error err;
    io_chunk c;
    int got;
    io_batch_init(&b);
    if (io_tokenizer_new(m->o, m->h, m->src, &tk, &err) != IO_OK) {
        note_failure(m, 0, &err);
        return NULL;
    }
    while ((got = io_chunker_next(m->ck, &c, &err)) == 1) {
        uint64_t seq = c.seq;
        part pt = {NULL, 0, 0};
        io_status st = io_tokenize(tk, &c, &b, &err);
        if (st == IO_OK) {
            pt.text = batch_text(&b, &pt.len);
            pt.nrows = b.nrows;
        }
        io_chunker_release(m->ck, &c);
        if (st != IO_OK)
            note_failure(m, seq, &err);
        else
            keep_part(m, seq, pt);
    }
    if (got < 0)
        note_failure(m, UINT64_MAX - 1, &err);
    io_batch_free(&b);
    io_tokenizer_free(tk);
    return NULL;
}

/* Reads with nthreads threads and puts the parts together as `reading`. */
static void read_threaded(io_source *src, const io_csv_opts *o,
                          const io_csv_header *h, const plan *p,
                          unsigned nthreads, reading *r)
{
    shared_read m = {.src = src, .o = o, .h = h, .fail_seq = UINT64_MAX};
    io_error err;
    pthread_t threads[4];
    pthread_mutex_init(&m.lock, NULL);
    use_reader(p->pread);
    assert_int_equal(io_chunker_open(src, o, h->data_start, p->chunk_size,
                                     p->depth, &m.ck, &err),
                     IO_OK);
    for (unsigned i = 0; i < nthreads; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, consume, &m), 0);
    for (unsigned i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    io_chunker_close(m.ck);
    use_reader(0);
    assert_false(m.oom);
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < m.nparts; i++) {
        if (m.parts[i].text != NULL && i < m.fail_seq) {
            add_text(r, m.parts[i].text, m.parts[i].len);
            r->nrows += m.parts[i].nrows;
        }
        free(m.parts[i].text);
    }
    free(m.parts);
    if (m.fail_seq != UINT64_MAX) {
        r->status = m.failure.status;
        snprintf(r->msg, sizeof r->msg, "%s", m.failure.msg);
    }
    pthread_mutex_destroy(&m.lock);
}

static void thread_file(const char *dir, const char *name)
{
    io_csv_opts o = {.delim = delim_for(name)};
    io_source *src = NULL;
    io_csv_header h;
    io_error err;
    reading one, r;
    assert_int_equal(open_in(dir, name, &src, &err), IO_OK);
    size_t n = (size_t)io_source_size(src);
    plan p = whole(0);
    read_csv(src, &o, &p, &one);
    if (io_csv_read_header(src, &o, &h, &err) == IO_OK) {
        static const size_t small[] = {1, 5, 64, 1000}, large[] = {1000, 4096};
        const size_t *sizes = n <= 20000 ? small : large;
        size_t nsizes = n <= 20000 ? 4 : 2;
        for (unsigned t = 2; t <= 4; t++)
            for (size_t i = 0; i < nsizes; i++) {
                p = (plan){sizes[i], t - 1 + (unsigned)i % 3, (int)(t + i) % 2,
                           0};
                read_threaded(src, &o, &h, &p, t, &r);
                if (!same_reading(&one, &r, 0))
                    fail_msg("%s: %u threads, chunk size %zu, depth %u, %s: "
                             "%s / %s",
                             name, t, sizes[i], p.depth,
                             p.pread ? "pread" : "default", one.msg, r.msg);
                free_reading(&r);
            }
    }
    io_csv_header_free(&h);
    free_reading(&one);
    io_source_close(src);
}

static size_t thread_dir(const char *dir)
{
    struct dirent **list;
    int n = scandir(dir, &list, is_csv, alphasort);
    if (n < 0)
        return 0;
    for (int i = 0; i < n; i++) {
        thread_file(dir, list[i]->d_name);
        free(list[i]);
    }
    free(list);
    return (size_t)n;
}

static void test_threads_fixtures(void **state)
{
    size_t n;
    char *data = long_table(&n);
    put_file(*state, "long.csv", data, n);
    free(data);
    thread_file(((scratch *)*state)->dir, "long.csv");
    assert_true(thread_dir(DFSUM_TEST_DATA) >= 10);
}

static void test_threads_oracle_cases(void **state)
{
    (void)state;
    const char *dir = getenv("DFSUM_ORACLE_CSV");
    if (thread_dir(dir != NULL ? dir : ORACLE_CSV) == 0)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_missing_file),
        cmocka_unit_test(test_source_directory),
        cmocka_unit_test(test_source_unreadable),
        cmocka_unit_test(test_source_pread),
        cmocka_unit_test(test_source_stdin_pipe),
        cmocka_unit_test(test_source_stdin_file),
        cmocka_unit_test(test_names_dedup_like_pandas),
        cmocka_unit_test(test_names_unnamed_like_pandas),
        cmocka_unit_test(test_names_many_duplicates),
        cmocka_unit_test(test_header_cases),
        cmocka_unit_test(test_header_options),
        cmocka_unit_test(test_header_nrows),
        cmocka_unit_test(test_header_latin1),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_header_crlf_across_reads),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_rows_cases),
        cmocka_unit_test(test_row_lines),
        cmocka_unit_test(test_batch_memory_reused),
        cmocka_unit_test(test_batch_growth),
        cmocka_unit_test(test_error_ragged_long_row),
        cmocka_unit_test(test_error_ragged_lines),
        cmocka_unit_test(test_error_unterminated_quote),
        cmocka_unit_test(test_error_nul_byte),
        cmocka_unit_test(test_error_empty_file),
        cmocka_unit_test(test_error_sticky),
        cmocka_unit_test(test_chunker_mid_file),
        cmocka_unit_test(test_long_records),
        cmocka_unit_test(test_sweep_fixtures),
        cmocka_unit_test(test_sweep_oracle_cases),
        cmocka_unit_test(test_threads_fixtures),
        cmocka_unit_test(test_threads_oracle_cases),
    };
    return cmocka_run_group_tests(tests, make_scratch, drop_scratch);
}
