/*
 * io_split.c - the fast splitter: fields of quote-free records, and the
 * chunker's record edges, read from bitmaps of the bytes that matter.
 *
 * Splitting. In a record without a quote byte, libcsv's rules reduce to:
 * fields end at the delimiter, the record at the first \r or \n, and an
 * empty record is no row. So a walk over the offsets of the delimiters,
 * \r, \n, quotes and NUL bytes (the kernel lists them, 1 KiB at a time)
 * finds every field; a span is written per field, nothing is copied, and
 * no branch depends on where 64-byte words end. The first quote byte of
 * a record sends the record, and the records after it that also hold a
 * quote (or are empty), to libcsv in one call; the walk then resumes at
 * the first record without one. A NUL byte stops everything: its row is
 * reported. Rows are finished exactly as io_tokenize's libcsv callbacks
 * finish them (blank lines dropped, short rows padded, long rows refused
 * or, under skip_bad, listed and left out),
 * so both paths give the same batch.
 *
 * Edges. Model the quotes by parity: a byte is inside a quoted field when
 * an odd number of quote bytes precede it (a prefix XOR of the quote
 * bitmap), and a \r or \n outside is a record end. That is libcsv's rule
 * exactly as long as every quote that opens (by parity) starts a field or
 * follows a quote (a "" escape), and every quote that closes is followed by
 * a delimiter, \r, \n or quote. A 64-byte word that breaks this (a"b, or
 * "a"b) is handed to the byte-at-a-time machine (io_scan.c) with the state
 * the model had at its start, and the model resumes from the state the
 * machine ends in. Lines are counted on the side: every \r, and every \n
 * not right after a \r.
 */
#include "io.h"

#include <stdlib.h>
#include <string.h>

#define SPLIT_WORDS 16 /* kernel call: 1 KiB of input */
#define EDGE_WORDS  64 /* 4 KiB */

const io_split_kernels *io_split_pick(io_simd want)
{
    if (want == IO_SIMD_AUTO) {
        const char *env = getenv("DFSUM_SIMD");
        if (env != NULL && strcmp(env, "off") == 0)
            want = IO_SIMD_OFF;
        else if (env != NULL && strcmp(env, "sse2") == 0)
            want = IO_SIMD_SSE2;
    }
    const io_split_kernels *k = want == IO_SIMD_OFF ? NULL : io_split_x86(want);
    return k != NULL ? k : &io_split_swar;
}

static inline unsigned highest(uint64_t m)
{
    return 63u - (unsigned)__builtin_clzll(m);
}

/* ---- splitting ---------------------------------------------------------- */

/* The offsets of the special bytes of p[at, *next), *next being at most
 * SPLIT_WORDS words on (or n). A last partial word is read from a padded
 * copy, and the offsets past n that its padding gives are dropped. */
static size_t fill_specials(const io_split_kernels *k, const char *p, size_t n,
                            size_t at, char delim, char quote, uint32_t *idx,
                            size_t *next)
{
    size_t full = (n - at) / 64, rest = (n - at) % 64, count = 0;
    if (full >= SPLIT_WORDS) {
        *next = at + 64 * SPLIT_WORDS;
        return k->specials(p + at, SPLIT_WORDS, delim, quote, (uint32_t)at,
                           idx);
    }
    if (full > 0)
        count = k->specials(p + at, full, delim, quote, (uint32_t)at, idx);
    *next = n;
    if (rest == 0)
        return count;
    char pad[64] = {0};
    memcpy(pad, p + at + 64 * full, rest);
    count += k->specials(pad, 1, delim, quote, (uint32_t)(at + 64 * full),
                         idx + count);
    while (count > 0 && idx[count - 1] >= n)
        count--;
    return count;
}

static io_status nul_found(io_split_job *j, size_t rec, size_t at)
{
    j->bad_row = j->b->nrows;
    j->bad_fields = 0;
    j->nul_rec = rec;
    j->nul = at;
    return IO_EPARSE;
}

/* The offset of the first quote, \r, \n or NUL byte in p[i, n), or n. */
static size_t next_stop(const char *p, size_t i, size_t n, char quote)
{
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == (unsigned char)quote || c == '\r' || c == '\n' || c == 0)
            break;
    }
    return i;
}

/* From q, a record start: the end of the run of records that hold a quote
 * or are empty. Each record with a quote is stepped over by the exact
 * machine (a quoted field may hold line ends). A NUL byte ends the run at
 * the start of its record, with *nul set to its offset. */
static size_t run_end(io_scan *s, const char *p, size_t n, size_t q,
                      size_t *nul)
{
    *nul = SIZE_MAX;
    while (q < n) {
        size_t i = next_stop(p, q, n, s->quote), used;
        if (i == n || p[i] == '\r' || p[i] == '\n') {
            if (i != q || i == n)
                return q; /* a record without a quote */
            q++;          /* an empty record */
            continue;
        }
        if (p[i] == 0) {
            *nul = i;
            return q;
        }
        s->state = IO_ST_START;
        if (io_scan_record(s, p + q, n - q, &used) == IO_SCAN_NUL) {
            *nul = q + used;
            return q;
        }
        q += used;
    }
    return q;
}

/* The run of quoted records from rec goes to libcsv; *end is where it
 * stops. */
static io_status quoted_run(io_split_job *j, io_scan *s, size_t rec,
                            size_t *end)
{
    size_t nul, q = run_end(s, j->data, j->len, rec, &nul);
    io_status st = q > rec ? j->quoted(j->ctx, rec, q) : IO_OK;
    if (st != IO_OK)
        return st;
    if (nul != SIZE_MAX)
        return nul_found(j, q, nul);
    *end = q;
    return IO_OK;
}

/* A row of nf fields that is not the width: padded; or, when longer,
 * listed and left out (*keep = 0) under skip_bad, else refused. */
static io_status odd_row(io_split_job *j, io_span *row, size_t nf, size_t rec,
                         int *keep)
{
    if (nf > j->width && j->skip_bad) {
        *keep = 0;
        return io_batch_skip(j->b, rec, nf) != 0 ? IO_ENOMEM : IO_OK;
    }
    if (nf > j->width) {
        j->bad_row = j->b->nrows;
        j->bad_fields = nf;
        return IO_EPARSE;
    }
    for (size_t col = nf > j->nindex ? nf - j->nindex : 0; col < j->b->ncols;
         col++)
        row[col] = (io_span){0, 0};
    return IO_OK;
}

/* Ends the row of record rec, nf fields (their spans written); *row
 * moves on unless the row is left out. */
static inline io_status end_row(io_split_job *j, io_span **row, size_t nf,
                                size_t rec)
{
    io_batch *b = j->b;
    if (nf != j->width) {
        int keep = 1;
        io_status st = odd_row(j, *row, nf, rec, &keep);
        if (st != IO_OK || !keep)
            return st;
    }
    if (++b->nrows == b->cap_rows && io_batch_grow_rows(b) != 0)
        return IO_ENOMEM;
    *row = b->spans + b->nrows * b->ncols;
    return IO_OK;
}

/* Ends the record [rec, at) of nf fields unless it is blank. */
static inline io_status end_record(io_split_job *j, io_span **row, size_t nf,
                                   size_t rec, size_t at)
{
    if (nf == 1 && io_record_is_blank(j->data + rec, at - rec, j->delim))
        return IO_OK;
    return end_row(j, row, nf, rec);
}

/* The hot loop: one special byte per field, from the kernel's offsets of
 * a window [at, next). Every special byte first ends a field (its span goes
 * to column col, when that is a column: col starts at -nindex); then a
 * delimiter is done, a line end ends the record, a quote hands the record
 * to quoted_run and a NUL byte stops. rec is the record's start, fld the
 * field's. */
io_status io_split(io_split_job *j, const io_split_kernels *k)
{
    const char *p = j->data;
    const size_t n = j->len, nindex = j->nindex, ncols = j->b->ncols;
    const unsigned char delim = (unsigned char)j->delim;
    io_span *row = j->b->spans + j->b->nrows * ncols;
    size_t rec = 0, fld = 0, col = 0 - nindex, next = 0, count = 0, i = 0;
    uint32_t idx[64 * SPLIT_WORDS + 8];
    io_scan scan;
    int scan_ready = 0;
    for (;;) {
        if (i == count) {
            if (next >= n)
                break;
            count =
                fill_specials(k, p, n, next, j->delim, j->quote, idx, &next);
            i = 0;
            continue;
        }
        size_t pos = idx[i++];
        unsigned char c = (unsigned char)p[pos];
        if (col < ncols)
            row[col] = (io_span){(uint32_t)fld, (uint32_t)(pos - fld)};
        col++;
        fld = pos + 1;
        if (__builtin_expect(c == delim, 1)) /* the common case inline */
            continue;
        if (c == '\n' || c == '\r') {
            io_status st = end_record(j, &row, col + nindex, rec, pos);
            if (st != IO_OK)
                return st;
            rec = fld;
            col = 0 - nindex;
            continue;
        }
        if (c == 0)
            return nul_found(j, rec, pos);
        if (!scan_ready) {
            io_csv_opts o = {
                .delim = j->delim, .quote = j->quote, .parser = IO_PARSER_AUTO};
            io_scan_init(&scan, &o, 1);
            scan_ready = 1;
        }
        io_status st = quoted_run(j, &scan, rec, &rec);
        if (st != IO_OK)
            return st;
        row = j->b->spans + j->b->nrows * ncols;
        fld = rec;
        col = 0 - nindex;
        while (i < count && idx[i] < rec) /* skip the run's bytes */
            i++;
        if (rec > next)
            next = rec;
    }
    if (rec == n) /* else the last record has no terminator */
        return IO_OK;
    if (col < ncols)
        row[col] = (io_span){(uint32_t)fld, (uint32_t)(n - fld)};
    return end_record(j, &row, col + 1 + nindex, rec, n);
}

/* ---- edges -------------------------------------------------------------- */

/* The model's state, as facts about the byte before the next one, and the
 * last edge found: the terminator at last_off, bit last_bit of a word
 * whose line ends are last_eol and which starts on line last_line (its
 * line is counted only at the end). */
typedef struct {
    unsigned inside;   /* in a quoted field */
    unsigned sep;      /* a delimiter, \r, \n or quote (or a field start) */
    unsigned quote;    /* a quote that cannot open a field (QUOTE_SEEN) */
    unsigned closed;   /* a quote that closed a field */
    unsigned after_cr; /* a \r */
    uint64_t line;
    int found;
    size_t last_off;
    unsigned last_bit;
    uint64_t last_line, last_eol;
} edge_walk;

static void walk_from_state(edge_walk *w, const io_scan *s)
{
    w->inside = s->state == IO_ST_QUOTED;
    w->closed = w->quote = s->state == IO_ST_QUOTE_SEEN;
    w->sep = s->state == IO_ST_START || s->state == IO_ST_QUOTE_SEEN;
    w->after_cr = s->after_cr;
    w->line = s->line;
}

static void walk_to_state(const edge_walk *w, io_scan *s)
{
    if (w->inside)
        s->state = IO_ST_QUOTED;
    else if (w->closed)
        s->state = IO_ST_QUOTE_SEEN;
    else
        s->state = w->sep ? IO_ST_START : IO_ST_UNQUOTED;
    s->after_cr = (unsigned char)w->after_cr;
    s->line = w->line;
}

/* Bit i: an odd number of bits set in m[0..i]. */
static inline uint64_t prefix_xor(uint64_t m)
{
    m ^= m << 1;
    m ^= m << 2;
    m ^= m << 4;
    m ^= m << 8;
    m ^= m << 16;
    m ^= m << 32;
    return m;
}

/* Bits 0..i. */
static inline uint64_t through(unsigned i)
{
    return ~(uint64_t)0 >> (63 - i);
}

/* The quotes of a word of len bytes: *in gets "inside after byte i",
 * *close the closing quotes. Returns 0, changing nothing, when a quote
 * breaks the model. */
static int quotes_fit(const edge_walk *w, const io_edge_bits *e, uint64_t sep,
                      unsigned len, uint64_t *in, uint64_t *close,
                      uint64_t *quote_line)
{
    uint64_t x = prefix_xor(e->quote) ^ *in;
    uint64_t open = e->quote & x, shut = e->quote & ~x;
    uint64_t inner = len > 1 ? through(len - 2) : 0; /* a next byte known */
    if (open & ~(sep << 1 | w->sep))
        return 0; /* opens mid-field: a"b */
    if (shut & ~(sep >> 1) & inner)
        return 0; /* text after a closing quote: "a"b */
    uint64_t first = open & ~(e->quote << 1 | w->quote);
    if (first != 0) /* the line of the last one (a quote ends no line) */
        *quote_line = w->line + io_popcount64(e->eol & through(highest(first)));
    *in = x;
    *close = shut;
    return 1;
}

/* One word of len bytes at offset base under the model; 0, changing
 * nothing, when it does not fit. */
static inline int edge_word(edge_walk *w, const io_edge_bits *e, size_t base,
                            unsigned len, uint64_t *quote_line)
{
    uint64_t top = (uint64_t)1 << (len - 1);
    uint64_t term = e->cr | e->lf, sep = e->delim | term | e->quote;
    uint64_t in = w->inside ? ~(uint64_t)0 : 0, close = 0;
    if (w->closed && !(sep & 1))
        return 0; /* text after a closing quote, across words */
    if (e->quote != 0 && !quotes_fit(w, e, sep, len, &in, &close, quote_line))
        return 0;
    uint64_t edges = term & ~in;
    if (edges != 0) {
        w->found = 1;
        w->last_bit = highest(edges);
        w->last_off = base + w->last_bit;
        w->last_line = w->line;
        w->last_eol = e->eol;
    }
    w->line += e->lines;
    w->inside = (in & top) != 0;
    w->sep = (sep & top) != 0;
    w->quote = (e->quote & top) != 0;
    w->closed = (close & top) != 0;
    w->after_cr = (e->cr & top) != 0;
    return 1;
}

/* A word the model cannot take: the exact machine scans it. */
static void edge_word_exact(edge_walk *w, io_scan *s, const char *p,
                            size_t base, unsigned len)
{
    size_t edge;
    uint64_t edge_line;
    walk_to_state(w, s);
    io_scan_edges_exact(s, p + base, len, &edge, &edge_line);
    if (edge != 0) {
        w->found = 1;
        w->last_off = base + edge - 1;
        w->last_bit = 0;
        w->last_line = edge_line;
        w->last_eol = 0;
    }
    walk_from_state(w, s);
}

/* Full words from i on that hold no quote, outside quotes: each \r and \n
 * is an edge, so only the last one matters. Returns the first word not
 * taken. */
static size_t quote_free_words(edge_walk *w, const io_edge_bits *bits, size_t i,
                               size_t nfull, size_t at)
{
    size_t j = i, last = SIZE_MAX;
    uint64_t line = w->line, last_line = 0;
    if (w->inside || w->closed)
        return i;
    for (; j < nfull && bits[j].quote == 0; j++) {
        if ((bits[j].cr | bits[j].lf) != 0) {
            last = j;
            last_line = line;
        }
        line += bits[j].lines;
    }
    if (j == i)
        return i;
    if (last != SIZE_MAX) {
        w->found = 1;
        w->last_bit = highest(bits[last].cr | bits[last].lf);
        w->last_off = at + 64 * last + w->last_bit;
        w->last_line = last_line;
        w->last_eol = bits[last].eol;
    }
    const io_edge_bits *e = &bits[j - 1];
    w->line = line;
    w->sep = (unsigned)((e->delim | e->cr | e->lf) >> 63);
    w->after_cr = (unsigned)(e->cr >> 63);
    w->quote = 0;
    return j;
}

/* A kernel call takes p[-1] as no \r: mend its first word when it was. */
static void mend_first_eol(io_edge_bits *e, unsigned after_cr)
{
    if (after_cr && (e->lf & 1)) {
        e->eol &= ~(uint64_t)1;
        e->lines--;
    }
}

static size_t fill_edges(const io_split_kernels *k, const char *p, size_t n,
                         size_t at, char delim, char quote, io_edge_bits *bits)
{
    size_t full = (n - at) / 64, rest = (n - at) % 64;
    if (full >= EDGE_WORDS) {
        k->edges(p + at, EDGE_WORDS, delim, quote, bits);
        return EDGE_WORDS;
    }
    if (full > 0)
        k->edges(p + at, full, delim, quote, bits);
    if (rest == 0)
        return full;
    char pad[64] = {0}; /* NUL bytes: in none of the bitmaps */
    memcpy(pad, p + at + 64 * full, rest);
    k->edges(pad, 1, delim, quote, bits + full);
    if (full > 0)
        mend_first_eol(&bits[full], (unsigned)(bits[full - 1].cr >> 63));
    return full + 1;
}

void io_split_edges(io_scan *s, const io_split_kernels *k, const char *p,
                    size_t n, size_t *edge, uint64_t *edge_line)
{
    edge_walk w;
    io_edge_bits bits[EDGE_WORDS];
    uint64_t first_line = s->line; /* s changes on the way */
    walk_from_state(&w, s);
    w.found = 0;
    for (size_t at = 0; at < n;) {
        size_t nw = fill_edges(k, p, n, at, s->delim, s->quote, bits);
        mend_first_eol(&bits[0], w.after_cr);
        size_t nfull = (n - at) / 64 < nw ? (n - at) / 64 : nw;
        for (size_t i = 0; i < nw; i++) {
            if ((i = quote_free_words(&w, bits, i, nfull, at)) == nw)
                break;
            size_t base = at + 64 * i;
            unsigned len = n - base < 64 ? (unsigned)(n - base) : 64;
            if (!edge_word(&w, &bits[i], base, len, &s->quote_line))
                edge_word_exact(&w, s, p, base, len);
        }
        at += 64 * nw;
    }
    *edge = w.found ? w.last_off + 1 : 0;
    *edge_line =
        w.found ? w.last_line + io_popcount64(w.last_eol & through(w.last_bit))
                : first_line;
    walk_to_state(&w, s);
}
