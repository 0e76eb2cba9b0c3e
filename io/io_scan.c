/*
 * io_scan.c - where libcsv's records end, without parsing them.
 *
 * The chunker, the header reader and the row finder must agree byte for
 * byte with libcsv 3.0.3 about where a record ends, or a chunk edge could
 * fall inside a quoted field. With spaces kept (the space function returns
 * 0, as io_tokenize sets it) libcsv's parser reduces to four states:
 *
 *   START       at the start of a field or row
 *   UNQUOTED    in a field that did not begin with a quote; a quote here is
 *               an ordinary byte (a"b is the text a"b, as in pandas)
 *   QUOTED      in a field that began with a quote; delimiters and line
 *               ends are text
 *   QUOTE_SEEN  just after a quote in a quoted field: a second quote makes
 *               one literal quote, a delimiter or line end closes the
 *               field, and any other byte keeps the quote as text and the
 *               field stays QUOTED ("a"b,c\n is not closed at the comma -
 *               pandas would read ab here and close the field)
 *
 * A \r or \n outside a quoted field ends the record; a \r\n is therefore a
 * record end followed by an empty record, which libcsv skips as it skips
 * every blank line. Physical lines are counted apart from records: \n,
 * \r\n and a lone \r each end one line, inside quotes or not.
 *
 * This file is the byte-at-a-time machine, the reference. io_scan_edges
 * hands whole blocks to io_split_edges (io_split.c), which finds the same
 * edges from bitmaps and comes back here for any 64 bytes where a quote
 * sits mid-field.
 */
#include "io.h"

#include <string.h>

enum { ST_START = IO_ST_START, ST_UNQUOTED, ST_QUOTED, ST_QUOTE_SEEN };
enum { CL_TEXT, CL_DELIM, CL_QUOTE, CL_CR, CL_LF, CL_NUL };

/* The state after a byte of class TEXT, DELIM or QUOTE; line ends and NUL
 * bytes are handled apart. */
static const unsigned char next_state[4][3] = {
    [ST_START] = {ST_UNQUOTED, ST_START, ST_QUOTED},
    [ST_UNQUOTED] = {ST_UNQUOTED, ST_START, ST_UNQUOTED},
    [ST_QUOTED] = {ST_QUOTED, ST_QUOTED, ST_QUOTE_SEEN},
    [ST_QUOTE_SEEN] = {ST_QUOTED, ST_START, ST_QUOTED},
};

static int plain_byte(char c)
{
    return c != '\r' && c != '\n' && c != '\0';
}

int io_dialect_ok(const io_csv_opts *o)
{
    return plain_byte(o->delim) && plain_byte(io_quote_of(o)) &&
           o->delim != io_quote_of(o);
}

void io_scan_init(io_scan *s, const io_csv_opts *o, uint64_t line)
{
    memset(s->cls, CL_TEXT, sizeof s->cls);
    s->cls[(unsigned char)o->delim] = CL_DELIM;
    s->cls[(unsigned char)io_quote_of(o)] = CL_QUOTE;
    s->cls['\r'] = CL_CR;
    s->cls['\n'] = CL_LF;
    s->cls[0] = CL_NUL;
    s->state = ST_START;
    s->after_cr = 0;
    s->delim = o->delim;
    s->quote = io_quote_of(o);
    s->simd = IO_SIMD_AUTO;
    s->line = line;
    s->quote_line = line;
}

/* The bytes that end a run of ordinary bytes in each state: inside an
 * unquoted field only a delimiter, a line end or a NUL byte matter; inside
 * a quoted field only a quote, a line end (to count it) or a NUL byte. */
static const unsigned run_stops[4] = {
    [ST_START] = ~0u,
    [ST_UNQUOTED] = 1u << CL_DELIM | 1u << CL_CR | 1u << CL_LF | 1u << CL_NUL,
    [ST_QUOTED] = 1u << CL_QUOTE | 1u << CL_CR | 1u << CL_LF | 1u << CL_NUL,
    [ST_QUOTE_SEEN] = ~0u,
};

/* How scan() ends: after the first record end (else it runs to n), and
 * before a NUL byte (else a NUL byte is text, as for libcsv). */
enum { FIRST_ONLY = 1, NUL_STOPS = 2 };

/* The scanning loop: returns the number of bytes consumed. *edge is 1 +
 * the index of the last record terminator consumed (0: none), *edge_line
 * the line just after it. The inner loop skips the runs of bytes that
 * change nothing, which are most bytes. */
static inline size_t scan(io_scan *s, const char *p, size_t n, int how,
                          size_t *edge, uint64_t *edge_line)
{
    const unsigned char *cls = s->cls;
    unsigned state = s->state;
    uint64_t line = s->line, last_line = line;
    size_t i, last = 0;
    for (i = 0; i < n; i++) {
        unsigned stops = run_stops[state];
        while (i < n && !(stops >> cls[(unsigned char)p[i]] & 1))
            i++;
        if (i == n)
            break;
        unsigned k = cls[(unsigned char)p[i]];
        if (k == CL_NUL) {
            if (how & NUL_STOPS)
                break;
            k = CL_TEXT;
        }
        if (k <= CL_QUOTE) {
            if (state == ST_START && k == CL_QUOTE)
                s->quote_line = line;
            state = next_state[state][k];
            continue;
        }
        int after_cr = i > 0 ? p[i - 1] == '\r' : s->after_cr;
        line += k == CL_CR || !after_cr;
        if (state == ST_QUOTED)
            continue;
        state = ST_START;
        last = i + 1;
        last_line = line;
        if (how & FIRST_ONLY) {
            i++;
            break;
        }
    }
    if (i > 0)
        s->after_cr = p[i - 1] == '\r';
    s->state = (unsigned char)state;
    s->line = line;
    *edge = last;
    *edge_line = last_line;
    return i;
}

size_t io_scan_edges_exact(io_scan *s, const char *p, size_t n, size_t *edge,
                           uint64_t *edge_line)
{
    return scan(s, p, n, 0, edge, edge_line);
}

/* The number of bytes c in p[0, n): counted in byte lanes, at most 255
 * rounds before the lanes are summed, a loop that compilers vectorize. */
static size_t count_byte(const char *p, size_t n, char c)
{
    enum { LANES = 32, ROUNDS = 255 };
    size_t count = 0, i = 0;
    while (n - i >= LANES) {
        unsigned char lane[LANES] = {0};
        size_t rounds = (n - i) / LANES < ROUNDS ? (n - i) / LANES : ROUNDS;
        for (size_t r = 0; r < rounds; r++, i += LANES)
            for (size_t j = 0; j < LANES; j++)
                lane[j] += p[i + j] == c;
        for (size_t j = 0; j < LANES; j++)
            count += lane[j];
    }
    for (; i < n; i++)
        count += p[i] == c;
    return count;
}

/* 1 + the offset of the last \n in p[0, n), or 0. */
static size_t after_last_lf(const char *p, size_t n)
{
    while (n > 0 && p[n - 1] != '\n')
        n--;
    return n;
}

/* io_scan_edges for the common block: entered outside a quoted field and
 * not after a \r, without a quote or a \r. Every \n then ends a record
 * and a line, so the edge is after the last one, and the state depends
 * on the last byte only. Returns 0, changing nothing, for another block. */
static int edges_plain(io_scan *s, const char *p, size_t n, size_t *edge,
                       uint64_t *edge_line)
{
    if (n == 0 || s->after_cr ||
        (s->state != ST_START && s->state != ST_UNQUOTED) ||
        memchr(p, s->quote, n) != NULL || memchr(p, '\r', n) != NULL)
        return 0;
    size_t last = after_last_lf(p, n); /* no \n after it */
    s->line += count_byte(p, last, '\n');
    *edge = last;
    *edge_line = s->line;
    if (last == n || p[n - 1] == s->delim)
        s->state = ST_START;
    else
        s->state = ST_UNQUOTED;
    return 1;
}

size_t io_scan_edges(io_scan *s, const char *p, size_t n, size_t *edge,
                     uint64_t *edge_line)
{
    if (edges_plain(s, p, n, edge, edge_line))
        return n;
    const io_split_kernels *k = io_split_pick(s->simd);
    s->simd = k->kind; /* resolve AUTO once */
    io_split_edges(s, k, p, n, edge, edge_line);
    return n;
}

io_scan_stop io_scan_record(io_scan *s, const char *p, size_t n, size_t *used)
{
    size_t edge;
    uint64_t edge_line;
    *used = scan(s, p, n, FIRST_ONLY | NUL_STOPS, &edge, &edge_line);
    if (edge != 0)
        return IO_SCAN_EDGE;
    return *used < n ? IO_SCAN_NUL : IO_SCAN_MORE;
}

int io_scan_in_quotes(const io_scan *s)
{
    return s->state == ST_QUOTED;
}

int io_scan_next_record(io_scan *s, const char *p, size_t n, size_t *off,
                        size_t *content)
{
    if (*off >= n)
        return 0;
    size_t edge;
    uint64_t edge_line;
    /* A NUL byte is text here, as for libcsv. */
    size_t used = scan(s, p + *off, n - *off, FIRST_ONLY, &edge, &edge_line);
    *off += used;
    *content = used - (edge != 0);
    return 1;
}

int io_record_is_blank(const char *p, size_t n, char delim)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i] != ' ' && p[i] != '\t') || p[i] == delim)
            return 0;
    return 1;
}
