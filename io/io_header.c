/*
 * io_header.c - the header record, and a peek at the first data record.
 *
 * Like pandas, the reader drops a UTF-8 BOM at the very start of the file
 * and skips blank lines (empty, or only spaces and tabs); the first other
 * record is the header. Its fields, as libcsv reads them (spaces kept),
 * become the column names (io_names.c). The data starts just after the
 * header's terminator - after both bytes of a \r\n, so that the chunker
 * starts on a fresh line.
 *
 * pandas then looks at the first data record that is not blank: when it
 * has k more fields than the header, the first k fields of every row are
 * an implicit index, not described ("a,b\n1,2,3\n4,5,6" describes a = 2, 5
 * and b = 3, 6).
 *
 * Options, as read_csv's: skip_rows records (skiprows=N: blank ones count,
 * a quoted line end does not end one) are passed over first; no_header
 * (header=None) makes the first record that is not blank the first row,
 * its field count the width, and the names "0", "1", ...
 */
#include "io.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_STEP ((size_t)64 << 10)

/* The first bytes of the file, read as far as needed. */
typedef struct {
    io_source *src;
    char *buf; /* file bytes [0, len) */
    size_t len, cap;
    int eof;
} file_prefix;

/* One record: content [start, start + content), then its terminator up to
 * end; line is the physical line it starts on. */
typedef struct {
    size_t start, content, end;
    uint64_t line;
} record;

typedef struct {
    char **fields; /* NULL when only counting */
    size_t n, cap;
    int oom;
} field_list;

static io_status read_more(file_prefix *f, io_error *err)
{
    if (f->cap - f->len < READ_STEP) {
        size_t cap =
            f->cap * 2 > f->len + READ_STEP ? f->cap * 2 : f->len + READ_STEP;
        char *buf = realloc(f->buf, cap);
        if (buf == NULL)
            return io_fail(err, IO_ENOMEM, "%s: out of memory",
                           io_source_name(f->src));
        f->buf = buf;
        f->cap = cap;
    }
    ssize_t n =
        io_source_pread(f->src, f->buf + f->len, READ_STEP, f->len, err);
    if (n < 0)
        return IO_EIO;
    f->len += (size_t)n;
    f->eof = (size_t)n < READ_STEP;
    return IO_OK;
}

/* After a record terminator: a \r followed by \n takes the \n along. */
static io_status end_record(file_prefix *f, io_scan *s, size_t *pos, record *r,
                            io_error *err)
{
    r->content = *pos - r->start - 1;
    if (f->buf[*pos - 1] == '\r') {
        if (*pos == f->len && !f->eof && read_more(f, err) != IO_OK)
            return IO_EIO;
        size_t used;
        if (*pos < f->len && f->buf[*pos] == '\n') {
            io_scan_record(s, f->buf + *pos, 1, &used);
            *pos += used;
        }
    }
    r->end = *pos;
    return IO_OK;
}

/* Reads the record at *pos into r; *found is 0 at the end of the file. */
static io_status next_record(file_prefix *f, io_scan *s, size_t *pos, record *r,
                             int *found, io_error *err)
{
    const char *name = io_source_name(f->src);
    r->start = *pos;
    r->line = s->line;
    *found = 1;
    for (;;) {
        size_t used;
        io_scan_stop stop =
            io_scan_record(s, f->buf + *pos, f->len - *pos, &used);
        *pos += used;
        if (stop == IO_SCAN_EDGE)
            return end_record(f, s, pos, r, err);
        if (stop == IO_SCAN_NUL)
            return io_fail(err, IO_EPARSE,
                           "%s:%llu: binary data (NUL byte), not a CSV file",
                           name, (unsigned long long)s->line);
        if (f->eof && io_scan_in_quotes(s))
            return io_fail(err, IO_EPARSE, "%s:%llu: unterminated quoted field",
                           name, (unsigned long long)s->quote_line);
        if (f->eof) {
            *found = *pos > r->start;
            r->content = *pos - r->start;
            r->end = *pos;
            return IO_OK;
        }
        if (read_more(f, err) != IO_OK)
            return IO_EIO;
    }
}

/* The next record that is not blank. */
static io_status next_row(file_prefix *f, const io_csv_opts *o, io_scan *s,
                          size_t *pos, record *r, int *found, io_error *err)
{
    io_status status;
    do
        status = next_record(f, s, pos, r, found, err);
    while (status == IO_OK && *found &&
           io_record_is_blank(f->buf + r->start, r->content, o->delim));
    return status;
}

static int keep_spaces(unsigned char c)
{
    (void)c;
    return 0;
}

static void collect_field(void *p, size_t len, void *data)
{
    field_list *l = data;
    if (l->fields == NULL || l->oom) {
        l->n++;
        return;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **fields = realloc(l->fields, cap * sizeof *fields);
        if (fields == NULL) {
            l->oom = 1;
            return;
        }
        l->fields = fields;
        l->cap = cap;
    }
    char *s = malloc(len + 1);
    l->oom = s == NULL;
    if (s != NULL) {
        memcpy(s, p, len);
        s[len] = '\0';
        l->fields[l->n++] = s;
    }
}

/* Splits one record's content into fields with libcsv; a list without a
 * fields array only counts them. Returns -1 when out of memory. */
static int split_record(const io_csv_opts *o, const char *p, size_t n,
                        field_list *l)
{
    struct csv_parser parser;
    if (csv_init(&parser, 0) != 0)
        return -1;
    csv_set_space_func(&parser, keep_spaces);
    csv_set_delim(&parser, (unsigned char)o->delim);
    csv_set_quote(&parser, (unsigned char)io_quote_of(o));
    size_t used = csv_parse(&parser, p, n, collect_field, NULL, l);
    csv_fini(&parser, collect_field, NULL, l);
    csv_free(&parser);
    return used == n && !l->oom ? 0 : -1;
}

/* The length of the UTF-8 sequence led by c (0: not a lead byte) and the
 * range of its second byte, which rules out overlong forms, surrogates and
 * code points above U+10FFFF - Python's strict decoder. */
static size_t utf8_lead(unsigned c, unsigned *lo, unsigned *hi)
{
    *lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    *hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return 2;
    if (c < 0xF0)
        return 3;
    return c < 0xF5 ? 4 : 0;
}

static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned lo, hi;
        size_t len = utf8_lead(s[i], &lo, &hi);
        if (len == 0 || n - i < len)
            return 0;
        if (len > 1 && (s[i + 1] < lo || s[i + 1] > hi))
            return 0;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += len;
    }
    return 1;
}

/* The header's fields of a single-byte encoding, as UTF-8. */
static int decode_fields(io_encoding enc, field_list *l)
{
    for (size_t i = 0; enc != IO_ENC_UTF8 && i < l->n; i++) {
        size_t len;
        char *utf8 =
            io_encoding_to_utf8(enc, l->fields[i], strlen(l->fields[i]), &len);
        if (utf8 == NULL)
            return -1;
        free(l->fields[i]);
        l->fields[i] = utf8;
    }
    return 0;
}

static io_status name_columns(const file_prefix *f, const io_csv_opts *o,
                              const record *r, io_csv_header *h, io_error *err)
{
    const char *name = io_source_name(f->src);
    const char *p = f->buf + r->start;
    if (o->encoding == IO_ENC_UTF8
            ? !utf8_valid((const unsigned char *)p, r->content)
            : io_encoding_invalid(o->encoding, p, r->content) < r->content)
        return io_fail(err, IO_EPARSE, "%s:%llu: header is not valid %s", name,
                       (unsigned long long)r->line,
                       io_encoding_name(o->encoding));
    field_list l = {NULL, 0, 0, 0};
    l.fields = malloc(16 * sizeof *l.fields);
    l.cap = 16;
    int ok = l.fields != NULL && split_record(o, p, r->content, &l) == 0 &&
             decode_fields(o->encoding, &l) == 0;
    if (ok && (h->names = io_csv_names((const char *const *)l.fields, l.n)))
        h->ncols = l.n;
    io_csv_names_free(l.fields, l.n);
    if (h->names == NULL)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    return IO_OK;
}

/* The number of implicit index fields. Errors in the peeked record are
 * left for the chunker, which reports them at their place. */
static size_t implicit_index(file_prefix *f, const io_csv_opts *o, io_scan *s,
                             size_t pos, size_t ncols)
{
    io_error ignored;
    record r;
    int found;
    if (next_row(f, o, s, &pos, &r, &found, &ignored) != IO_OK || !found)
        return 0;
    field_list l = {NULL, 0, 0, 0};
    split_record(o, f->buf + r.start, r.content, &l);
    return l.n > ncols ? l.n - ncols : 0;
}

/* Names "0" .. "n-1" for the n fields of the first row (no header). */
static io_status number_columns(const file_prefix *f, const io_csv_opts *o,
                                const record *r, io_csv_header *h,
                                io_error *err)
{
    field_list count = {NULL, 0, 0, 0};
    split_record(o, f->buf + r->start, r->content, &count);
    char **names = calloc(count.n + 1, sizeof *names);
    int ok = names != NULL;
    for (size_t i = 0; ok && i < count.n; i++) {
        char num[24];
        snprintf(num, sizeof num, "%zu", i);
        ok = (names[i] = strdup(num)) != NULL;
    }
    if (ok) {
        h->names = names;
        h->ncols = count.n;
        return IO_OK;
    }
    io_csv_names_free(names, count.n);
    return io_fail(err, IO_ENOMEM, "%s: out of memory", io_source_name(f->src));
}

/* Passes over the first n records, blank ones included. */
static io_status skip_records(file_prefix *f, io_scan *s, size_t *pos,
                              uint64_t n, io_error *err)
{
    record r;
    int found = 1;
    for (uint64_t k = 0; k < n && found; k++) {
        io_status status = next_record(f, s, pos, &r, &found, err);
        if (status != IO_OK)
            return status;
    }
    return IO_OK;
}

#define ROWS_STEP ((size_t)256 << 10)

/* Room for ROWS_STEP more bytes in buf (holding len); 0, or -1. */
static int rows_room(char **buf, size_t *cap, size_t len)
{
    if (*cap - len >= ROWS_STEP)
        return 0;
    size_t want = *cap * 2 > len + ROWS_STEP ? *cap * 2 : len + ROWS_STEP;
    char *p = realloc(*buf, want);
    if (p == NULL)
        return -1;
    *buf = p;
    *cap = want;
    return 0;
}

/* Past a row ending at file offset at with a \r: past the \n of a \r\n. */
static uint64_t past_crlf(io_source *src, uint64_t at, io_error *err)
{
    char next;
    return io_source_pread(src, &next, 1, at, err) == 1 && next == '\n' ? at + 1
                                                                        : at;
}

/* Whether the record p[0..n) is a row: not blank, and under skip_bad not
 * longer than width fields (read_csv's nrows counts the rows it keeps). */
static int is_row(const io_csv_opts *o, const char *p, size_t n, size_t width)
{
    if (n == 0 || io_record_is_blank(p, n, o->delim))
        return 0;
    field_list count = {NULL, 0, 0, 0};
    return !o->skip_bad ||
           (split_record(o, p, n, &count) == 0 && count.n <= width);
}

/* Where row o->nrows ends, counting from start the records that are rows
 * (is_row): just past its terminator (a \r\n whole), or UINT64_MAX when
 * the file holds fewer rows (or a NUL byte, which the chunker reports).
 * The file is read a block at a time; buf keeps the record being scanned
 * (from rec), buf[0] being file offset base. */
static io_status rows_end(io_source *src, const io_csv_opts *o, uint64_t start,
                          size_t width, uint64_t *end, io_error *err)
{
    uint64_t base = start, rows = 0;
    char *buf = NULL;
    size_t cap = 0, len = 0, pos = 0, rec = 0;
    io_scan s;
    io_scan_init(&s, o, 1);
    io_status st = IO_OK;
    *end = o->nrows == 0 ? start : UINT64_MAX;
    while (rows < o->nrows) {
        if (pos == len) {
            if (rec > 0) /* the scanned records go */
                memmove(buf, buf + rec, len - rec);
            base += rec, len -= rec, pos -= rec, rec = 0;
            if (rows_room(&buf, &cap, len) != 0) {
                st = io_fail(err, IO_ENOMEM, "%s: out of memory",
                             io_source_name(src));
                break;
            }
            ssize_t got =
                io_source_pread(src, buf + len, ROWS_STEP, base + len, err);
            if (got <= 0) {
                st = got < 0 ? IO_EIO : IO_OK;
                break;
            }
            len += (size_t)got;
        }
        size_t used;
        io_scan_stop stop = io_scan_record(&s, buf + pos, len - pos, &used);
        pos += used;
        if (stop == IO_SCAN_NUL)
            break;
        if (stop != IO_SCAN_EDGE)
            continue;
        if (is_row(o, buf + rec, pos - rec - 1, width) && ++rows == o->nrows)
            *end = buf[pos - 1] == '\r' ? past_crlf(src, base + pos, err)
                                        : base + pos;
        rec = pos;
    }
    free(buf);
    return st;
}

static io_status read_header(file_prefix *f, const io_csv_opts *o,
                             io_csv_header *h, io_error *err)
{
    io_scan s;
    io_scan_init(&s, o, 1);
    if (read_more(f, err) != IO_OK)
        return IO_EIO;
    size_t pos = o->encoding == IO_ENC_UTF8 && f->len >= 3 &&
                         memcmp(f->buf, "\xEF\xBB\xBF", 3) == 0
                     ? 3
                     : 0;
    record r;
    int found;
    io_status status = skip_records(f, &s, &pos, o->skip_rows, err);
    if (status == IO_OK)
        status = next_row(f, o, &s, &pos, &r, &found, err);
    if (status != IO_OK)
        return status;
    if (!found)
        return io_fail(err, IO_EEMPTY, "%s: no columns to parse (empty file)",
                       io_source_name(f->src));
    if (o->no_header) {
        h->data_start = r.start;
        h->data_line = r.line;
        status = number_columns(f, o, &r, h, err);
    } else if ((status = name_columns(f, o, &r, h, err)) == IO_OK) {
        h->data_start = r.end;
        h->data_line = s.line;
        h->nindex = implicit_index(f, o, &s, pos, h->ncols);
    }
    h->data_end = UINT64_MAX;
    if (status == IO_OK && o->limit_rows)
        status = rows_end(f->src, o, h->data_start, h->nindex + h->ncols,
                          &h->data_end, err);
    return status;
}

io_status io_csv_read_header(io_source *src, const io_csv_opts *o,
                             io_csv_header *h, io_error *err)
{
    memset(h, 0, sizeof *h);
    if (!io_dialect_ok(o))
        return io_fail(err, IO_EPARSE, "%s: invalid delimiter",
                       io_source_name(src));
    file_prefix f = {src, NULL, 0, 0, 0};
    io_status status = read_header(&f, o, h, err);
    free(f.buf);
    if (status != IO_OK)
        io_csv_header_free(h);
    return status;
}

void io_csv_header_free(io_csv_header *h)
{
    if (h == NULL)
        return;
    io_csv_names_free(h->names, h->ncols);
    memset(h, 0, sizeof *h);
}
