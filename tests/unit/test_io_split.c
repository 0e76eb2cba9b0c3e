/*
 * test_io_split.c - the fast splitter against libcsv, and the bitmap edge
 * finder against the byte-at-a-time machine.
 *
 * The tokenizer has two paths that must give the same batch: AUTO (the
 * splitter, with libcsv for records that hold quotes) and LIBCSV (the
 * referee). The differential tests write random and adversarial CSV files,
 * cut them into chunks at random record edges as the chunker would, and
 * read them with LIBCSV and with AUTO on every kernel (SWAR, SSE2, AVX2
 * where the CPU has them): fields, row counts, statuses and messages must
 * be identical. io_scan_edges is checked the same way against
 * io_scan_edges_exact at random block splits. A failing case prints its
 * seed; DFSUM_SEED=n in the environment replays one.
 *
 * The unit tests pin what both paths read on small inputs, the way libcsv
 * 3.0.3 reads them with spaces kept; the blank-line rule is pandas':
 *   pd.read_csv(io.StringIO('a,b\n1,2\n  \n\t\n3,4\n')).values.tolist()
 *   -> [[1, 2], [3, 4]]  (pandas 1.5.3: whitespace-only lines skipped)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "io.h"
#include "scratch_dir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BYTES(s) s, sizeof(s) - 1

typedef struct {
    char dir[PATH_MAX];
    char path[PATH_MAX + 16];
} scratch;

static int make_scratch(void **state)
{
    scratch *s = calloc(1, sizeof *s);
    if (s == NULL || scratch_dir_make(s->dir, sizeof s->dir, "test_io_split"))
        return -1;
    snprintf(s->path, sizeof s->path, "%s/t.csv", s->dir);
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

static io_source *put_file(const scratch *s, const char *data, size_t n)
{
    FILE *f = fopen(s->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    io_source *src = NULL;
    io_error err;
    assert_int_equal(io_source_open(s->path, &src, &err), IO_OK);
    return src;
}

/* ------------------------------------------------------------------------
 * Random numbers (xorshift64*), seeded per case.
 * ---------------------------------------------------------------------- */
typedef struct {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1Dull;
}

static size_t below(rng *r, size_t n)
{
    return (size_t)(next(r) % n);
}

static uint64_t base_seed(void)
{
    const char *env = getenv("DFSUM_SEED");
    return env != NULL ? strtoull(env, NULL, 10) : 20240611;
}

/* ------------------------------------------------------------------------
 * Reading a file: chunks cut at record edges, every field as [len][bytes],
 * the status and message of the first failure.
 * ---------------------------------------------------------------------- */
typedef struct {
    char *text;
    size_t len, cap;
    size_t rows;
    io_status status;
    char msg[IO_MSG_MAX];
} reading;

static void add_bytes(reading *r, const void *p, size_t n)
{
    if (r->len + n > r->cap) {
        r->cap = 2 * (r->len + n) + 64;
        r->text = realloc(r->text, r->cap);
        assert_non_null(r->text);
    }
    memcpy(r->text + r->len, p, n);
    r->len += n;
}

/* The batch's fields, then its left-out records (file offset, field
 * count and the row they came before). */
static void add_batch(reading *r, const io_batch *b, size_t start)
{
    for (size_t i = 0; i < b->nrows; i++)
        for (size_t j = 0; j < b->ncols; j++) {
            size_t len;
            const char *f = io_batch_field(b, i, j, &len);
            uint32_t n = (uint32_t)len;
            add_bytes(r, &n, sizeof n);
            add_bytes(r, f, len);
        }
    for (size_t i = 0; i < b->nskips; i++) {
        uint64_t rec[3] = {start + b->skips[i].off, b->skips[i].nfields,
                           r->rows + b->skips[i].row};
        add_bytes(r, "S", 1);
        add_bytes(r, rec, sizeof rec);
    }
    r->rows += b->nrows;
}

typedef struct {
    const char *data;
    size_t n;
    const size_t *cuts; /* chunk starts after 0, ascending, < n */
    size_t ncuts;
    io_csv_opts opts;
    io_csv_header hdr;
} table;

static reading read_table(io_source *src, const table *t, io_simd simd)
{
    reading r = {0};
    io_tokenizer *tk = NULL;
    io_error err;
    io_batch b;
    io_batch_init(&b);
    assert_int_equal(io_tokenizer_new(&t->opts, &t->hdr, src, &tk, &err),
                     IO_OK);
    io_tokenizer_set_simd(tk, simd);
    for (size_t i = 0, start = 0; i <= t->ncuts; i++) {
        size_t end = i < t->ncuts ? t->cuts[i] : t->n;
        io_chunk c = {t->data + start, end - start, start, i, NULL};
        r.status = io_tokenize(tk, &c, &b, &err);
        if (r.status != IO_OK) {
            snprintf(r.msg, sizeof r.msg, "%s", err.msg);
            break;
        }
        assert_int_equal(b.pos0, start);
        add_batch(&r, &b, start);
        start = end;
    }
    io_batch_free(&b);
    io_tokenizer_free(tk);
    return r;
}

static int same_reading(const reading *a, const reading *b)
{
    return a->status == b->status && a->rows == b->rows && a->len == b->len &&
           (a->len == 0 || memcmp(a->text, b->text, a->len) == 0) &&
           strcmp(a->msg, b->msg) == 0;
}

/* Record edges where the chunker may cut: after a record, never between
 * the \r and \n of a \r\n. Each is taken with probability 1/every. */
static size_t random_cuts(rng *r, const char *p, size_t n, char delim,
                          size_t every, size_t *cuts)
{
    io_csv_opts o = {.delim = delim, .parser = IO_PARSER_AUTO};
    io_scan s;
    size_t off = 0, content, ncuts = 0;
    io_scan_init(&s, &o, 1);
    while (io_scan_next_record(&s, p, n, &off, &content))
        if (off < n && below(r, every) == 0 &&
            !(p[off - 1] == '\r' && p[off] == '\n'))
            cuts[ncuts++] = off;
    return ncuts;
}

static const io_simd KERNELS[] = {IO_SIMD_OFF, IO_SIMD_SSE2, IO_SIMD_AVX2};

/* Reads t with LIBCSV and with AUTO on every kernel; all must agree. */
static void check_paths_once(const scratch *sc, table *t, uint64_t seed)
{
    io_source *src = put_file(sc, t->data, t->n);
    t->opts.parser = IO_PARSER_LIBCSV;
    reading want = read_table(src, t, IO_SIMD_AUTO);
    t->opts.parser = IO_PARSER_AUTO;
    for (size_t k = 0; k < sizeof KERNELS / sizeof *KERNELS; k++) {
        reading got = read_table(src, t, KERNELS[k]);
        if (!same_reading(&want, &got)) {
            print_error("seed %llu kernel %d skip_bad %d: libcsv %d rows, "
                        "status %d '%s'; auto %d rows, status %d '%s'\n",
                        (unsigned long long)seed, (int)KERNELS[k],
                        t->opts.skip_bad, (int)want.rows, (int)want.status,
                        want.msg, (int)got.rows, (int)got.status, got.msg);
            fail();
        }
        free(got.text);
    }
    free(want.text);
    io_source_close(src);
}

/* Reads t with LIBCSV and with AUTO on every kernel, long rows failing
 * and left out, and once more with ' for quote (its " and ' bytes
 * swapped); all must agree. */
static void check_paths(const scratch *sc, table *t, uint64_t seed)
{
    for (int skip = 0; skip < 2; skip++) {
        t->opts.skip_bad = skip;
        check_paths_once(sc, t, seed);
    }
    if (t->opts.delim == '\'')
        return;
    char *swapped = malloc(t->n + 1);
    assert_non_null(swapped);
    for (size_t i = 0; i < t->n; i++)
        swapped[i] = t->data[i] == '"'    ? '\''
                     : t->data[i] == '\'' ? '"'
                                          : t->data[i];
    table q = *t;
    q.data = swapped;
    q.opts.quote = '\'';
    check_paths_once(sc, &q, seed);
    free(swapped);
}

/* ------------------------------------------------------------------------
 * Random CSV text
 * ---------------------------------------------------------------------- */
typedef struct {
    char *p;
    size_t n, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (n == 0)
        return;
    if (t->n + n > t->cap) {
        t->cap = 2 * (t->n + n) + 256;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* How a file is made: percentages of quoted and odd fields, and whether
 * errors (long rows, NUL bytes) may appear. */
typedef struct {
    unsigned quoted, odd, blank, ragged;
    int errors;
    char delim;
} style;

static const char *const WORDS[] = {"a",     "bc",      "12",   "-3.5",
                                    "x y",   "é",       "中文", "1e5",
                                    " lead", "tab\tin", "NaN",  "true"};

static void quoted_field(rng *r, text *t, char delim)
{
    static const char *const parts[] = {"w",    "\"\"", "\n", "\r",
                                        "\r\n", " ",    "9",  "é"};
    char d[2] = {delim, 0};
    puts_(t, "\"");
    for (size_t k = below(r, 6); k > 0; k--)
        puts_(t, below(r, 5) == 0 ? d : parts[below(r, 8)]);
    puts_(t, "\"");
}

static void odd_field(rng *r, text *t)
{
    static const char *const odd[] = {"a\"b",   "\"a\"b", "\"a\" ",  "x\"",
                                      "\"\"\"", "\"\"",   "\"a\"\"", "\"open"};
    puts_(t, odd[below(r, 8)]);
}

static void long_field(rng *r, text *t)
{
    size_t n = 64 + below(r, 3000);
    for (size_t i = 0; i < n; i++)
        put(t, &"abcdefgh0123 "[below(r, 13)], 1);
}

/* One field; outside quotes, a byte that is the delimiter becomes 'z' (a
 * space-delimited file has no spaces in its words). */
static void field(rng *r, text *t, const style *st)
{
    unsigned roll = (unsigned)below(r, 100);
    size_t at = t->n;
    if (roll < st->quoted) {
        quoted_field(r, t, st->delim);
        return;
    }
    if (roll < st->quoted + st->odd)
        odd_field(r, t);
    else if (roll < st->quoted + st->odd + 2)
        long_field(r, t);
    else if (roll < st->quoted + st->odd + 12)
        return; /* empty */
    else
        puts_(t, WORDS[below(r, sizeof WORDS / sizeof *WORDS)]);
    for (; at < t->n; at++)
        if (t->p[at] == st->delim)
            t->p[at] = 'z';
}

static void line_end(rng *r, text *t)
{
    static const char *const ends[] = {"\n", "\n", "\n", "\r\n", "\r\n", "\r"};
    puts_(t, ends[below(r, 6)]);
}

static void record(rng *r, text *t, const style *st, size_t width)
{
    char d[2] = {st->delim, 0};
    unsigned roll = (unsigned)below(r, 100);
    if (roll < st->blank) { /* blank and whitespace-only lines */
        static const char *const blank[] = {"", " ", "\t", "  \t "};
        puts_(t, blank[below(r, 4)]);
        line_end(r, t);
        return;
    }
    size_t n = width;
    if (roll < st->blank + st->ragged)
        n = 1 + below(r, width);
    if (st->errors && below(r, 500) == 0)
        n = width + 1 + below(r, 2); /* too many fields */
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            puts_(t, d);
        field(r, t, st);
    }
    if (st->errors && below(r, 700) == 0)
        put(t, "\0", 1);
    line_end(r, t);
}

static const style STYLES[] = {
    {0, 0, 5, 5, 0, ','},    /* quote-free: the splitter alone */
    {8, 0, 5, 5, 0, ','},    /* some quoted fields */
    {60, 1, 3, 3, 0, ','},   /* quotes everywhere */
    {10, 4, 10, 10, 1, ','}, /* odd quotes, ragged rows, errors */
    {10, 1, 8, 5, 1, ';'},   /* another delimiter */
    {10, 1, 8, 5, 1, '\t'},  /* tab: blank lines hold delimiters */
    {10, 1, 8, 5, 0, ' '},   /* space */
    {3, 1, 20, 20, 1, '|'},
};

static void make_table(rng *r, text *t, const style *st, size_t width,
                       size_t bytes)
{
    t->n = 0;
    while (t->n < bytes)
        record(r, t, st, width);
    if (below(r, 3) == 0) /* no terminator on the last record */
        while (t->n > 0 && (t->p[t->n - 1] == '\n' || t->p[t->n - 1] == '\r'))
            t->n--;
}

static void random_table_case(const scratch *sc, uint64_t seed, size_t bytes)
{
    rng r = {seed * 0x9E3779B97F4A7C15ull + 1};
    text t = {0};
    const style *st = &STYLES[below(&r, sizeof STYLES / sizeof *STYLES)];
    size_t width = 1 + below(&r, 6);
    make_table(&r, &t, st, width, 1 + below(&r, bytes));
    size_t *cuts = malloc((t.n + 1) * sizeof *cuts);
    assert_non_null(cuts);
    table tb = {
        t.p, t.n, cuts, 0, {.delim = st->delim, .parser = IO_PARSER_AUTO}, {0}};
    tb.hdr.nindex = below(&r, 4) == 0 ? 1 + below(&r, 2) : 0;
    tb.hdr.ncols = width > tb.hdr.nindex ? width - tb.hdr.nindex : 1;
    tb.hdr.data_line = 1;
    check_paths(sc, &tb, seed); /* one chunk */
    tb.ncuts = random_cuts(&r, t.p, t.n, st->delim, 1 + below(&r, 40), cuts);
    check_paths(sc, &tb, seed);
    free(cuts);
    free(t.p);
}

static void test_differential_random(void **state)
{
    uint64_t seed = base_seed();
    for (uint64_t i = 0; i < 1200; i++)
        random_table_case(*state, seed + i, 6000);
}

static void test_differential_large(void **state)
{
    uint64_t seed = base_seed() + 1000000;
    for (uint64_t i = 0; i < 12; i++)
        random_table_case(*state, seed + i, 300000);
}

/* ------------------------------------------------------------------------
 * io_scan_edges against the exact machine
 * ---------------------------------------------------------------------- */
static int same_scan(const io_scan *a, const io_scan *b)
{
    return a->state == b->state && a->after_cr == b->after_cr &&
           a->line == b->line && a->quote_line == b->quote_line;
}

static void edges_differ(uint64_t seed, int kernel, size_t at, size_t len,
                         size_t e1, size_t e2, uint64_t l1, uint64_t l2,
                         const io_scan *want, const io_scan *got)
{
    print_error("seed %llu kernel %d: block at %zu+%zu: edge %zu/%zu line "
                "%llu/%llu state %d/%d\n",
                (unsigned long long)seed, kernel, at, len, e1, e2,
                (unsigned long long)l1, (unsigned long long)l2, want->state,
                got->state);
    fail();
}

/* Random blocks of p through the exact machine, through the bitmaps of
 * each kernel (kernel -1: io_scan_edges, which takes quote-free blocks
 * apart), all ending in the same edges and states. */
static void check_edges(const char *p, size_t n, char delim, rng *r,
                        uint64_t seed)
{
    io_csv_opts o = {.delim = delim, .parser = IO_PARSER_AUTO};
    size_t maxblock = below(r, 2) ? 1 + below(r, 200) : n + 1;
    for (int k = -1; k < (int)(sizeof KERNELS / sizeof *KERNELS); k++) {
        io_scan want, got;
        io_scan_init(&want, &o, 7);
        io_scan_init(&got, &o, 7);
        for (size_t at = 0; at < n;) {
            size_t len = 1 + below(r, maxblock), e1, e2;
            uint64_t l1, l2;
            len = len < n - at ? len : n - at;
            io_scan_edges_exact(&want, p + at, len, &e1, &l1);
            if (k < 0)
                io_scan_edges(&got, p + at, len, &e2, &l2);
            else
                io_split_edges(&got, io_split_pick(KERNELS[k]), p + at, len,
                               &e2, &l2);
            if (e1 != e2 || l1 != l2 || !same_scan(&want, &got))
                edges_differ(seed, k, at, len, e1, e2, l1, l2, &want, &got);
            at += len;
        }
    }
}

static void test_edges_random(void **state)
{
    (void)state;
    uint64_t seed = base_seed() + 2000000;
    text t = {0};
    for (uint64_t i = 0; i < 600; i++) {
        rng r = {(seed + i) * 0x9E3779B97F4A7C15ull + 1};
        const style *st = &STYLES[below(&r, sizeof STYLES / sizeof *STYLES)];
        make_table(&r, &t, st, 1 + below(&r, 6), 1 + below(&r, 8000));
        check_edges(t.p, t.n, st->delim, &r, seed + i);
    }
    free(t.p);
}

/* Bytes drawn from a tiny alphabet hit every quote pattern often. */
static void test_edges_alphabet_soup(void **state)
{
    (void)state;
    static const char soup[] = "\"\",,\r\n\nab\0 ";
    uint64_t seed = base_seed() + 3000000;
    char buf[3000];
    for (uint64_t i = 0; i < 1000; i++) {
        rng r = {(seed + i) * 0x9E3779B97F4A7C15ull + 1};
        size_t n = 1 + below(&r, sizeof buf);
        size_t alpha = 2 + below(&r, sizeof soup - 2);
        for (size_t j = 0; j < n; j++)
            buf[j] = soup[below(&r, alpha)];
        check_edges(buf, n, ',', &r, seed + i);
    }
}

static void test_edges_soup_tables(void **state)
{
    static const char soup[] = "\",\r\nab\0 ;";
    uint64_t seed = base_seed() + 4000000;
    char buf[700];
    for (uint64_t i = 0; i < 600; i++) {
        rng r = {(seed + i) * 0x9E3779B97F4A7C15ull + 1};
        size_t n = 1 + below(&r, sizeof buf);
        for (size_t j = 0; j < n; j++)
            buf[j] = soup[below(&r, sizeof soup - 1)];
        size_t cuts[sizeof buf];
        table tb = {buf, n, cuts, 0, {.delim = ',', .parser = IO_PARSER_AUTO},
                    {0}};
        tb.hdr.ncols = 1 + below(&r, 5);
        tb.hdr.data_line = 1;
        tb.ncuts = random_cuts(&r, buf, n, ',', 1 + below(&r, 8), cuts);
        check_paths(*state, &tb, seed + i);
    }
}

/* Hand-checked edges: lines, quote_line, the state at the end. */
static void test_edges_known(void **state)
{
    (void)state;
    static const char p[] = "a,b\r\n\"x\ny\",z\rq,\"r";
    io_csv_opts o = {.delim = ',', .parser = IO_PARSER_AUTO};
    for (size_t k = 0; k < sizeof KERNELS / sizeof *KERNELS; k++) {
        io_scan s;
        size_t edge;
        uint64_t line;
        io_scan_init(&s, &o, 1);
        s.simd = KERNELS[k];
        assert_int_equal(io_scan_edges(&s, BYTES(p), &edge, &line),
                         sizeof p - 1);
        assert_int_equal(edge, 13); /* after the \r that ends line 3 */
        assert_int_equal(line, 4);
        assert_true(io_scan_in_quotes(&s));
        assert_int_equal(s.quote_line, 4);
        assert_int_equal(s.line, 4);
    }
}

/* ------------------------------------------------------------------------
 * Kernels: every byte value, every kernel, against a plain loop
 * ---------------------------------------------------------------------- */
static void test_kernels_agree(void **state)
{
    (void)state;
    enum { WORDS_ = 8 };
    char buf[64 * WORDS_];
    rng r = {base_seed()};
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i < 256 ? i : below(&r, 256));
    for (size_t k = 0; k < sizeof KERNELS / sizeof *KERNELS; k++) {
        const io_split_kernels *kn = io_split_pick(KERNELS[k]);
        for (const char *d = ",;\t |a\x80\xff"; *d; d++) {
            char q = *d == '\'' || *d == 'a' ? '"' : *d == ';' ? '\'' : '"';
            uint32_t at[sizeof buf + 8];
            io_edge_bits eb[WORDS_];
            size_t count = kn->specials(buf, WORDS_, *d, q, 1000, at), seen = 0;
            kn->edges(buf, WORDS_, *d, q, eb);
            for (size_t i = 0; i < sizeof buf; i++) {
                char c = buf[i];
                uint64_t bit = (uint64_t)1 << (i % 64);
                int special =
                    c == *d || c == q || c == '\r' || c == '\n' || c == 0;
                if (special) {
                    assert_true(seen < count);
                    assert_int_equal(at[seen++], 1000 + i);
                }
                assert_int_equal(!!(eb[i / 64].quote & bit), c == q);
                assert_int_equal(!!(eb[i / 64].cr & bit), c == '\r');
                assert_int_equal(!!(eb[i / 64].lf & bit), c == '\n');
                assert_int_equal(!!(eb[i / 64].delim & bit), c == *d);
            }
            assert_int_equal(seen, count);
        }
    }
}

static void test_kernel_pick(void **state)
{
    (void)state;
    assert_int_equal(io_split_pick(IO_SIMD_OFF)->kind, IO_SIMD_OFF);
    setenv("DFSUM_SIMD", "off", 1);
    assert_int_equal(io_split_pick(IO_SIMD_AUTO)->kind, IO_SIMD_OFF);
    setenv("DFSUM_SIMD", "sse2", 1);
    io_simd k = io_split_pick(IO_SIMD_AUTO)->kind;
    assert_true(k == IO_SIMD_SSE2 || k == IO_SIMD_OFF); /* OFF: not x86 */
    unsetenv("DFSUM_SIMD");
    k = io_split_pick(IO_SIMD_AVX2)->kind;
    assert_true(k == IO_SIMD_AVX2 || k == IO_SIMD_SSE2 || k == IO_SIMD_OFF);
}

/* ------------------------------------------------------------------------
 * What both paths read, pinned
 * ---------------------------------------------------------------------- */
typedef struct {
    const char *data;
    size_t n;
    size_t nindex, ncols;
    char delim;
    const char *fields; /* rows joined by '|' ... see expect_fields */
    size_t rows;
} pinned;

/* Every field of the reading, each followed by ';', in fields[]. */
static void expect_fields(const reading *r, const char *fields)
{
    char got[4096];
    size_t at = 0;
    for (size_t i = 0; i < r->len;) {
        uint32_t n;
        memcpy(&n, r->text + i, sizeof n);
        i += sizeof n;
        assert_true(at + n + 2 < sizeof got);
        memcpy(got + at, r->text + i, n);
        at += n;
        got[at++] = ';';
        i += n;
    }
    got[at] = '\0';
    assert_string_equal(got, fields);
}

static void check_pinned(const scratch *sc, const pinned *c)
{
    io_source *src = put_file(sc, c->data, c->n);
    table tb = {
        c->data, c->n, NULL, 0, {.delim = c->delim, .parser = IO_PARSER_AUTO},
        {0}};
    tb.hdr.nindex = c->nindex;
    tb.hdr.ncols = c->ncols;
    tb.hdr.data_line = 1;
    for (int path = 0; path < 2; path++) {
        tb.opts.parser = path ? IO_PARSER_LIBCSV : IO_PARSER_AUTO;
        for (size_t k = 0; k < sizeof KERNELS / sizeof *KERNELS; k++) {
            reading r = read_table(src, &tb, KERNELS[k]);
            assert_int_equal(r.status, IO_OK);
            assert_int_equal(r.rows, c->rows);
            expect_fields(&r, c->fields);
            free(r.text);
        }
    }
    io_source_close(src);
}

static void test_pinned_rows(void **state)
{
    static const pinned cases[] = {
        {BYTES("a,b,c\n1,,3\n\n  \n x ,y\r\nlast,row"), 0, 3, ',',
         "a;b;c;1;;3; x ;y;;last;row;;", 4},
        /* lone \r, \r\n, a trailing delimiter, a last record unended */
        {BYTES("1,2\r3,4\r\n\r\n5,\n6"), 0, 2, ',', "1;2;3;4;5;;6;;", 4},
        /* quotes: escapes, delimiters and line ends inside, a"b as text */
        {BYTES("\"a,b\",\"c\"\"d\"\n\"x\r\ny\",a\"b\n"), 0, 2, ',',
         "a,b;c\"d;x\r\ny;a\"b;", 2},
        /* "a"b: the field stays quoted, as in libcsv */
        {BYTES("\"a\"b,c\nd,e\n"), 0, 2, ',', "a\"b,c\nd,e\n;;", 1},
        /* an implicit index is dropped; a quoted blank is a row */
        {BYTES("0,a,b\n1,c\n\" \"\n\t\n"), 1, 2, ',', "a;b;c;;;;", 3},
        /* blank for pandas unless the blank bytes are delimiters */
        {BYTES("a\t\tb\n\t\n  \n"), 0, 3, '\t', "a;;b;;;;", 2},
        {BYTES("x\xc3\xa9;\xe4\xb8\xad\n;\n"), 0, 2, ';',
         "x\xc3\xa9;\xe4\xb8\xad;;;", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_pinned(*state, &cases[i]);
}

static reading read_one(const scratch *sc, const char *p, size_t n,
                        size_t ncols, io_parser parser, io_simd simd)
{
    io_source *src = put_file(sc, p, n);
    table tb = {p, n, NULL, 0, {.delim = ',', .parser = parser}, {0}};
    tb.hdr.ncols = ncols;
    tb.hdr.data_line = 1;
    reading r = read_table(src, &tb, simd);
    io_source_close(src);
    free(r.text);
    r.text = NULL;
    return r;
}

/* msg must be "<path>:<rest>" on every path and kernel. */
static void expect_error(const scratch *sc, const char *p, size_t n,
                         size_t ncols, const char *rest)
{
    char want[IO_MSG_MAX + PATH_MAX];
    snprintf(want, sizeof want, "%s:%s", sc->path, rest);
    for (int path = 0; path < 2; path++)
        for (size_t k = 0; k < sizeof KERNELS / sizeof *KERNELS; k++) {
            reading r =
                read_one(sc, p, n, ncols,
                         path ? IO_PARSER_LIBCSV : IO_PARSER_AUTO, KERNELS[k]);
            assert_int_equal(r.status, IO_EPARSE);
            assert_string_equal(r.msg, want);
        }
}

static void test_errors_pinned(void **state)
{
    const scratch *sc = *state;
    expect_error(sc, BYTES("1,2\n\n3,4,5\n"), 2, "3: expected 2 fields, saw 3");
    expect_error(sc, BYTES("1,2\n\"x\ny\",\"3\",4\n"), 2,
                 "2: expected 2 fields, saw 3");
    expect_error(sc, BYTES("1,2\n3,\0\n"), 2,
                 "2: binary data (NUL byte), not a CSV file");
    /* a NUL byte on the second line of a quoted record */
    expect_error(sc, BYTES("a,b\n1,2\n\"x\ny\",\0003\n"), 2,
                 "4: binary data (NUL byte), not a CSV file");
    expect_error(sc, BYTES("a,b\r\n\"x\r\n\0\"\r\n"), 2,
                 "3: binary data (NUL byte), not a CSV file");
    expect_error(sc, BYTES("a\r\"x\ry\r\n\0\"\n"), 2,
                 "4: binary data (NUL byte), not a CSV file");
    /* in one row the NUL byte wins; an earlier long row comes first */
    expect_error(sc, BYTES("1,2,3\0\n"), 2,
                 "1: binary data (NUL byte), not a CSV file");
    expect_error(sc, BYTES("1,2,3\n\0\n"), 2, "1: expected 2 fields, saw 3");
    expect_error(sc, BYTES("\"1\",2,3\n\0\n"), 2,
                 "1: expected 2 fields, saw 3");
}

/* Fields longer than libcsv's buffer block and the splitter's windows. */
static void test_long_fields(void **state)
{
    size_t n = 200000;
    char *p = malloc(3 * n + 16);
    assert_non_null(p);
    memset(p, 'x', n);
    p[n] = ',';
    p[n + 1] = '"';
    memset(p + n + 2, 'y', n);
    memcpy(p + 2 * n + 2, "\"\n", 2);
    table tb = {
        p, 2 * n + 4, NULL, 0, {.delim = ',', .parser = IO_PARSER_AUTO}, {0}};
    tb.hdr.ncols = 2;
    tb.hdr.data_line = 1;
    check_paths(*state, &tb, 0);
    io_source *src = put_file(*state, p, tb.n);
    reading r = read_table(src, &tb, IO_SIMD_AUTO);
    assert_int_equal(r.rows, 1);
    assert_int_equal(r.len, 2 * (4 + n));
    free(r.text);
    io_source_close(src);
    free(p);
}

/* The batch's memory is reused, and fields stay right when it grows. */
static void test_batch_reuse(void **state)
{
    text t = {0};
    for (int i = 0; i < 3000; i++) {
        char row[64];
        snprintf(row, sizeof row, i % 7 ? "%d,v%d\n" : "\"%d\",\"v%d\"\n", i,
                 i);
        puts_(&t, row);
    }
    table tb = {t.p, t.n, NULL, 0, {.delim = ',', .parser = IO_PARSER_AUTO},
                {0}};
    tb.hdr.ncols = 2;
    tb.hdr.data_line = 1;
    io_source *src = put_file(*state, t.p, t.n);
    io_tokenizer *tk;
    io_error err;
    io_batch b;
    io_batch_init(&b);
    assert_int_equal(io_tokenizer_new(&tb.opts, &tb.hdr, src, &tk, &err),
                     IO_OK);
    for (int pass = 0; pass < 2; pass++) {
        io_chunk c = {t.p, t.n, 0, 0, NULL};
        assert_int_equal(io_tokenize(tk, &c, &b, &err), IO_OK);
        assert_int_equal(b.nrows, 3000);
        for (size_t i = 0; i < 3000; i += 499) {
            char want[32];
            size_t len;
            const char *f = io_batch_field(&b, i, 1, &len);
            snprintf(want, sizeof want, "v%zu", i);
            assert_int_equal(len, strlen(want));
            assert_memory_equal(f, want, len);
        }
    }
    io_chunk empty = {"", 0, 0, 0, NULL};
    assert_int_equal(io_tokenize(tk, &empty, &b, &err), IO_OK);
    assert_int_equal(b.nrows, 0);
    io_batch_free(&b);
    io_tokenizer_free(tk);
    io_tokenizer_free(NULL);
    io_source_close(src);
    free(t.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernels_agree),
        cmocka_unit_test(test_kernel_pick),
        cmocka_unit_test(test_pinned_rows),
        cmocka_unit_test(test_errors_pinned),
        cmocka_unit_test(test_long_fields),
        cmocka_unit_test(test_batch_reuse),
        cmocka_unit_test(test_edges_known),
        cmocka_unit_test(test_edges_random),
        cmocka_unit_test(test_edges_alphabet_soup),
        cmocka_unit_test(test_edges_soup_tables),
        cmocka_unit_test(test_differential_random),
        cmocka_unit_test(test_differential_large),
    };
    return cmocka_run_group_tests(tests, make_scratch, drop_scratch);
}
