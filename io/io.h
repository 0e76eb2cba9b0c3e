/*
 * io.h - sources: the one internal header of io/.
 *
 * A CSV file flows through three stages here:
 *   io_source   the bytes (a file, or stdin spooled to a temporary file so
 *               that every input can be read twice and in parallel)
 *   io_chunker  splits the data part of the file into chunks whose edges
 *               are true record starts (quote-aware: a quoted field may
 *               hold delimiters and newlines)
 *   io_tokenize turns one chunk into an io_batch of field spans with its
 *               own libcsv parser; chunks are independent of each other
 *
 * Errors carry a status and a one-line message that names the file and the
 * line ("data.csv:3: expected 2 fields, saw 3"). Nothing here prints.
 */
#ifndef DFSUM_IO_H
#define DFSUM_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum {
    IO_OK = 0,
    IO_ENOMEM, /* out of memory */
    IO_EIO,    /* cannot open or read (missing file, directory, ...) */
    IO_EPARSE, /* malformed CSV (ragged row, unterminated quote, binary) */
    IO_EEMPTY  /* no columns to parse (empty file) */
} io_status;

#define IO_MSG_MAX 512

typedef struct {
    io_status status;
    char msg[IO_MSG_MAX]; /* "file:line: what", no trailing newline */
} io_error;

/* Sets err and returns its status. The message is printf-formatted. */
io_status io_fail(io_error *err, io_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------------
 * Source (io_source.c)
 * ---------------------------------------------------------------------- */
typedef struct io_source io_source;

/* Opens path for reading; path "-" reads standard input, which is first
 * copied to an unlinked temporary file. The display name used in messages
 * is the path as given ("<stdin>" for "-"). A directory, a missing or
 * unreadable file fail with IO_EIO and a message naming it. */
io_status io_source_open(const char *path, io_source **out, io_error *err);
const char *io_source_name(const io_source *s);
uint64_t io_source_size(const io_source *s);
/* Reads up to len bytes at offset; returns bytes read (short only at end
 * of file) or -1 with err set. */
ssize_t io_source_pread(io_source *s, void *buf, size_t len, uint64_t offset,
                        io_error *err);
void io_source_close(io_source *s); /* NULL-safe */

/* ------------------------------------------------------------------------
 * CSV dialect and header (io_header.c)
 * ---------------------------------------------------------------------- */
typedef struct {
    char delim; /* ',' by default */
} io_csv_opts;

typedef struct {
    size_t ncols;        /* named columns (the described ones) */
    size_t nindex;       /* leading fields per row that are an implicit index */
    char **names;        /* ncols names: pandas-deduplicated ("a.1"), empty
                            names as "Unnamed: i"; owned */
    uint64_t data_start; /* file offset of the first byte after the header */
    uint64_t data_line;  /* physical line number (1-based) at data_start */
} io_csv_header;

/* Reads the header record (skipping a UTF-8 BOM and blank lines) and peeks
 * at the first data record: when it has k > 0 more fields than the header,
 * the first k fields of every row are the implicit index (pandas' quirk).
 * Fails with IO_EEMPTY on a file with no header, IO_EPARSE on a header that
 * is not UTF-8 or holds a NUL byte. */
io_status io_csv_read_header(io_source *src, const io_csv_opts *o,
                             io_csv_header *h, io_error *err);
void io_csv_header_free(io_csv_header *h);

/* ------------------------------------------------------------------------
 * Chunker (io_chunker.c)
 * ---------------------------------------------------------------------- */
typedef struct {
    const char *data; /* bytes of whole records */
    size_t len;
    uint64_t offset; /* file offset of data[0] */
    uint64_t line;   /* physical line number (1-based) of data[0] */
    uint64_t seq;    /* 0, 1, 2, ... in file order */
} io_chunk;

typedef struct io_chunker io_chunker;

/* Streams [start, end of file) as chunks of about chunk_size bytes (at
 * least 1) whose edges fall on record starts. first_line is the physical
 * line number at start. */
io_status io_chunker_open(io_source *src, const io_csv_opts *o, uint64_t start,
                          uint64_t first_line, size_t chunk_size,
                          io_chunker **out, io_error *err);
/* Yields the next chunk (valid until the next call). Returns 1 with a
 * chunk, 0 at the end, -1 with err set (unterminated quote at end of file,
 * NUL byte = binary data, read error). */
int io_chunker_next(io_chunker *c, io_chunk *chunk, io_error *err);
void io_chunker_close(io_chunker *c); /* NULL-safe */

/* ------------------------------------------------------------------------
 * Tokenizer (io_tokenize.c)
 * ---------------------------------------------------------------------- */
typedef struct {
    uint32_t off, len; /* field bytes are batch->bytes[off .. off+len) */
} io_span;

/* The fields of one chunk, row-major: row r, column j (index fields
 * dropped) is spans[r * ncols + j]. A missing field (short row) is an
 * empty span, which every reader treats as NA like an empty field. */
typedef struct {
    size_t ncols;
    size_t nrows, cap_rows;
    io_span *spans;
    char *bytes;
    size_t nbytes, cap_bytes;
    uint64_t pos0; /* position of row 0; row r is at pos0 + r */
} io_batch;

void io_batch_init(io_batch *b);
void io_batch_free(io_batch *b);

typedef struct io_tokenizer io_tokenizer;

/* A tokenizer owns one libcsv parser (fields are not trimmed). width is
 * nindex + ncols of the header. */
io_status io_tokenizer_new(const io_csv_opts *o, const io_csv_header *h,
                           const char *name, io_tokenizer **out, io_error *err);
/* Tokenizes a whole chunk into b (reusing its memory). pos0 is set to
 * chunk->offset. A row with more fields than the width fails with
 * IO_EPARSE "name:line: expected W fields, saw M". */
io_status io_tokenize(io_tokenizer *t, const io_chunk *chunk, io_batch *b,
                      io_error *err);
void io_tokenizer_free(io_tokenizer *t); /* NULL-safe */

/* The physical line number (1-based) of row `row` of a chunk (rows as
 * io_tokenize counts them: blank lines are not rows) - a slow rescan of
 * the chunk, used only for error messages. */
uint64_t io_chunk_row_line(const io_chunk *chunk, const io_csv_opts *o,
                           size_t row);

/* ------------------------------------------------------------------------
 * Record scanner (io_scan.c), shared by the stages above; internal to io/
 *
 * libcsv's quoting rules without its output: where a record ends, which
 * physical line a byte is on, and where a NUL byte is. The chunker, the
 * header reader and the row finder all use it, so they agree byte for byte
 * with the libcsv parser that io_tokenize runs on the same bytes.
 * ---------------------------------------------------------------------- */
typedef struct {
    unsigned char cls[256]; /* byte classes of the dialect */
    unsigned char state;    /* where libcsv's parser would be */
    unsigned char after_cr; /* the last byte was \r (a \n then ends no line) */
    uint64_t line;          /* physical line (1-based) at the scan position */
    uint64_t quote_line;    /* line where the last quoted field opened */
} io_scan;

typedef enum {
    IO_SCAN_MORE, /* no record end in the bytes given */
    IO_SCAN_EDGE, /* stopped just after a record terminator */
    IO_SCAN_NUL   /* stopped on a NUL byte (not consumed) */
} io_scan_stop;

/* 1 when c can be a delimiter (not a quote, line end or NUL byte). */
int io_delim_ok(char c);
/* Starts a scan at a record start on physical line `line`. */
void io_scan_init(io_scan *s, const io_csv_opts *o, uint64_t line);
/* Scans n bytes and returns how many were scanned: n, or the index of the
 * first NUL byte (s->line is then its line). *edge is 1 + the index of the
 * last record terminator scanned (0: none) and *edge_line the line there. */
size_t io_scan_edges(io_scan *s, const char *p, size_t n, size_t *edge,
                     uint64_t *edge_line);
/* Scans up to and including the first record terminator; *used is the
 * number of bytes consumed. */
io_scan_stop io_scan_record(io_scan *s, const char *p, size_t n, size_t *used);
/* 1 inside a quoted field that has not been closed. */
int io_scan_in_quotes(const io_scan *s);
/* Steps over the record starting at p[*off] (no NUL bytes expected): sets
 * *content to its length without the terminator and moves *off past it.
 * A \r\n is two records here, the second one empty. Returns 0 when *off
 * is already at n. */
int io_scan_next_record(io_scan *s, const char *p, size_t n, size_t *off,
                        size_t *content);
/* 1 when a record's content (terminator excluded) is not a row for pandas:
 * empty, or only spaces and tabs (unless one of them is the delimiter). */
int io_record_is_blank(const char *p, size_t n, char delim);

/* ------------------------------------------------------------------------
 * Column names (io_names.c)
 * ---------------------------------------------------------------------- */
/* The column names pandas gives header fields: an empty field becomes
 * "Unnamed: i" (i its 0-based position), then repeated names are
 * deduplicated ("a", "a.1", "a.2", skipping names the header already
 * holds). Returns a new array of n new strings, or NULL when out of
 * memory. */
char **io_csv_names(const char *const *fields, size_t n);
void io_csv_names_free(char **names, size_t n); /* NULL-safe */

#endif
