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

#include "ops.h"

typedef enum {
    IO_OK = 0,
    IO_ENOMEM,      /* out of memory */
    IO_EIO,         /* cannot open or read (missing file, directory, ...) */
    IO_EPARSE,      /* malformed CSV (ragged row, unterminated quote, binary) */
    IO_EEMPTY,      /* no columns to parse (empty file) */
    IO_ENOTFOUND,   /* no such object inside the file */
    IO_EUNSUPPORTED /* an object or type that maps to no table */
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
/* The size of the bytes; of a growing source (below), once they are all
 * there (it waits). */
uint64_t io_source_size(io_source *s);
/* Reads up to len bytes at offset; returns bytes read (short only at end
 * of file) or -1 with err set. */
ssize_t io_source_pread(io_source *s, void *buf, size_t len, uint64_t offset,
                        io_error *err);
void io_source_close(io_source *s); /* NULL-safe */

/* Decompressing while the source is read: io_source_open, but compressed
 * input is decompressed by a thread of its own after the call returns.
 * While it runs the source is growing: io_source_pread waits for the
 * bytes it is asked for (or the end, or the failure of the decompression,
 * whose message it then gives), io_source_size waits for the end, and a
 * reader (io_reader_open) given an end past the bytes stops where they
 * end. io_source_size_estimate guesses the final size from the ratio so
 * far, without waiting. */
io_status io_source_open_streaming(const char *path, io_source **out,
                                   io_error *err);
int io_source_growing(const io_source *s);
uint64_t io_source_size_estimate(io_source *s);
/* An end no read goes past, without waiting: the size, or UINT64_MAX
 * while the source grows (its reads stop where the bytes end). */
uint64_t io_source_size_bound(io_source *s);

/* Sharing one decompression among processes on a machine. io_source_open,
 * but compressed input is decompressed into a temporary file that other
 * processes of the machine can open by the path io_source_shared_path
 * gives (NULL when the input is read in place), until
 * io_source_unlink_shared: /proc/<pid>/fd/<fd> of an unlinked file, so
 * that a killed run leaves nothing behind, or a named file (always with
 * named set, else where the file system has no O_TMPFILE), whose name
 * unlink then removes. The source reads on through its descriptor; closing
 * it removes a name still there. */
io_status io_source_open_shared(const char *path, int named, io_source **out,
                                io_error *err);
const char *io_source_shared_path(const io_source *s);
void io_source_unlink_shared(io_source *s);
/* Opens the decompressed bytes another process shares at shared_path for
 * the input `name` (which messages name), as they are. */
io_status io_source_open_decompressed(const char *shared_path, const char *name,
                                      io_source **out, io_error *err);

/* ------------------------------------------------------------------------
 * Compressed input (io_decompress.c), which io_source_open decompresses
 * into its temporary file
 * ---------------------------------------------------------------------- */
/* Takes n decompressed bytes; IO_OK or a status with err set. */
typedef io_status (*io_sink_fn)(void *ctx, const char *p, size_t n,
                                io_error *err);

/* "gzip", "bzip2", "xz", "zstd", "lz4" or "zip" when fd's first bytes
 * (read at offset 0) are that format's signature; NULL otherwise. */
const char *io_compression_of(int fd);

/* Decodes all of fd (from offset 0) as `format` into sink; *size gets the
 * bytes it took. A ZIP archive must hold exactly one file. Bad data fails
 * with IO_EPARSE and a message naming `name` and the format. */
io_status io_decompress(int fd, const char *name, const char *format,
                        io_sink_fn sink, void *ctx, uint64_t *size,
                        io_error *err);

/* ------------------------------------------------------------------------
 * CSV dialect and header (io_header.c)
 * ---------------------------------------------------------------------- */
typedef enum {
    IO_PARSER_AUTO = 0, /* quote-free spans by the fast splitter, the rest
                           by libcsv (identical fields, faster) */
    IO_PARSER_LIBCSV    /* every byte through libcsv (the referee) */
} io_parser;

/* The encoding of a CSV file's text (io_encoding.c). */
typedef enum {
    IO_ENC_UTF8 = 0, /* validated, as read_csv's default decoding */
    IO_ENC_LATIN1,   /* every byte a character (U+0000..U+00FF) */
    IO_ENC_CP1252    /* Windows' Western European; 5 bytes undefined */
} io_encoding;

typedef struct {
    char delim;           /* ',' by default */
    char quote;           /* the quote character; 0 stands for '"' */
    io_parser parser;     /* IO_PARSER_AUTO by default */
    int skip_bad;         /* a row with more fields than the width is left out
                             and listed in its batch (on_bad_lines='skip'),
                             instead of failing the chunk */
    int no_header;        /* the first row is data; columns are named 0, 1,
                             ... (header=None) */
    uint64_t skip_rows;   /* records skipped at the start, blank ones
                             included, before the header (skiprows=N) */
    io_encoding encoding; /* header names are decoded to UTF-8; a UTF-8
                             BOM is dropped only in UTF-8 */
    int limit_rows;       /* read only the first nrows rows (nrows=N) */
    uint64_t nrows;
} io_csv_opts;

/* The encoding a name stands for, as Python knows it ("latin-1", "cp1252",
 * "utf-8", ... in any case): 1, or 0 for a name it is not. */
int io_encoding_named(const char *name, io_encoding *out);
/* "UTF-8", "latin-1" or "cp1252". */
const char *io_encoding_name(io_encoding enc);
/* The offset of the first byte of s[0..n) that enc leaves undefined, or
 * n (always n for latin-1; UTF-8 is checked elsewhere: n). */
size_t io_encoding_invalid(io_encoding enc, const char *s, size_t n);
/* s[0..n), defined bytes of a single-byte enc, as NUL-terminated UTF-8
 * (malloc'd; *out_len without the NUL), or NULL when out of memory. */
char *io_encoding_to_utf8(io_encoding enc, const char *s, size_t n,
                          size_t *out_len);
/* UTF-8 s[0..n) as the bytes of a single-byte enc (malloc'd,
 * NUL-terminated), or NULL when a character has no byte there (or out of
 * memory). */
char *io_encoding_from_utf8(io_encoding enc, const char *s, size_t n,
                            size_t *out_len);

typedef struct {
    size_t ncols;        /* named columns (the described ones) */
    size_t nindex;       /* leading fields per row that are an implicit index */
    char **names;        /* ncols names: pandas-deduplicated ("a.1"), empty
                            names as "Unnamed: i"; owned */
    uint64_t data_start; /* file offset of the first byte after the header */
    uint64_t data_line;  /* physical line number (1-based) at data_start */
    /* With o->limit_rows: the offset just past row o->nrows (records that
     * are not blank), or UINT64_MAX when the file has no more; else
     * UINT64_MAX. The data to read ends there or at the end of the file. */
    uint64_t data_end;
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
 * Async reader (io_reader.c picks io_reader_uring.c or io_reader_pread.c)
 *
 * Streams a byte range of a source as blocks, reading ahead while the
 * caller computes: at most `depth` blocks are being read or held at once.
 * io_uring where the kernel allows it, else pread on a helper thread;
 * the environment variable DFSUM_READER=pread forces the fallback.
 * ---------------------------------------------------------------------- */
typedef struct {
    char *data;      /* the block; data[-headroom .. -1] is scratch the
                        holder may write (to prepend a carried record) */
    size_t len;      /* block_size, shorter only for the last block */
    uint64_t offset; /* file offset of data[0] */
    uint64_t seq;    /* 0, 1, 2, ... in file order */
    size_t headroom;
    unsigned slot; /* the reader's buffer index */
} io_block;

typedef struct io_reader io_reader;

io_status io_reader_open(io_source *src, uint64_t start, uint64_t end,
                         size_t block_size, size_t headroom, unsigned depth,
                         io_reader **out, io_error *err);
/* The next block in file order: 1 with a block, 0 at the end, -1 with err
 * set. Waits until the block is read. One consumer thread at a time. */
int io_reader_next(io_reader *r, io_block *b, io_error *err);
/* Gives a block's buffer back for reuse; thread-safe, in any order. */
void io_reader_release(io_reader *r, const io_block *b);
/* "io_uring" or "pread". */
const char *io_reader_kind(const io_reader *r);
void io_reader_close(io_reader *r); /* NULL-safe; waits for reads */

/* ------------------------------------------------------------------------
 * Chunker (io_chunker.c)
 *
 * Turns reader blocks into chunks of whole records: the bytes of a record
 * that straddles a block edge are carried into the next chunk (copied into
 * its block's headroom, or a side buffer when longer). Finding the last
 * record edge of a block needs the quote state at its start, so edges are
 * found in file order (io_scan_edges) inside next(); everything after is
 * independent per chunk.
 * ---------------------------------------------------------------------- */
typedef struct {
    const char *data; /* bytes of whole records */
    size_t len;
    uint64_t offset; /* file offset of data[0] */
    uint64_t seq;    /* 0, 1, 2, ... in file order */
    void *priv;      /* the chunker's bookkeeping */
} io_chunk;

typedef struct io_chunker io_chunker;

/* Streams [start, end of file) as chunks of about chunk_size bytes (at
 * least 1) whose edges fall on record starts. At most `depth` chunks (>= 2)
 * are read ahead or held by callers at once. */
io_status io_chunker_open(io_source *src, const io_csv_opts *o, uint64_t start,
                          size_t chunk_size, unsigned depth, io_chunker **out,
                          io_error *err);
/* Yields the next chunk in file order; valid until io_chunker_release.
 * Thread-safe: any thread may call it, chunks are handed out in order.
 * Returns 1 with a chunk, 0 at the end, -1 with err set (unterminated
 * quote at end of file, read error). A caller holds at most one chunk when
 * it calls next (else next may wait for itself). */
int io_chunker_next(io_chunker *c, io_chunk *chunk, io_error *err);
/* Thread-safe; every chunk handed out must be released once. */
void io_chunker_release(io_chunker *c, io_chunk *chunk);
void io_chunker_close(io_chunker *c); /* NULL-safe */

/* io_chunker_open for the range [start, end) of the file; start and end
 * must be record starts (or the end of the file), as io_record_start_after
 * finds them. */
io_status io_chunker_open_range(io_source *src, const io_csv_opts *o,
                                uint64_t start, uint64_t end, size_t chunk_size,
                                unsigned depth, io_chunker **out,
                                io_error *err);

/* The physical line number (1-based) of record `row` of a chunk (its
 * non-blank records: a batch row goes through io_batch_record first). A
 * slow rescan of the file from h->data_start, used only for error
 * messages. */
uint64_t io_chunk_row_line(io_source *src, const io_csv_opts *o,
                           const io_csv_header *h, const io_chunk *chunk,
                           size_t row);
/* The physical lines of n record starts (file offsets of the data, in
 * ascending order) into lines[], in one rescan from h->data_start up to
 * the last of them. */
void io_record_lines(io_source *src, const io_csv_opts *o,
                     const io_csv_header *h, const uint64_t *offs, size_t n,
                     uint64_t *lines);

/* ------------------------------------------------------------------------
 * Partition (io_partition.c)
 *
 * Splitting a file among processes at record starts without reading it
 * from the start: the scanner's state (IO_ST_*) after a byte range is a
 * function of its state before it, one of four. Each process sums up its
 * own range as that function; composing the functions of the ranges
 * before it (an exclusive scan, in order) gives the exact state at its
 * start, from which its first record start is found by scanning on.
 * ---------------------------------------------------------------------- */
/* to[s]: the state after the range when it is entered in state s. */
typedef struct {
    unsigned char to[4];
} io_states;

/* The identity (an empty range). */
void io_states_identity(io_states *f);
/* first then second: out.to[s] = second.to[first.to[s]]. Associative,
 * not commutative. out may be either argument. */
void io_states_then(const io_states *first, const io_states *second,
                    io_states *out);
/* The function of the bytes [from, to) of src. A range without a quote
 * byte takes a memchr; others are scanned once per distinct state. */
io_status io_range_states(io_source *src, const io_csv_opts *o, uint64_t from,
                          uint64_t to, io_states *out, io_error *err);
/* The first record start after the byte at `at`, which is entered in
 * state `state`: 1 + the offset of the first record terminator at or
 * after `at` (past the \n of a \r\n), or the file size when there is
 * none. */
io_status io_record_start_after(io_source *src, const io_csv_opts *o,
                                uint64_t at, unsigned state, uint64_t *start,
                                io_error *err);

/* ------------------------------------------------------------------------
 * Tokenizer (io_tokenize.c)
 * ---------------------------------------------------------------------- */
/* Where a field's bytes are (ops_span): off is counted from one of two
 * bases, and bit 31 of len says which (IO_SPAN_OWN: the batch's own
 * bytes, else the chunk's). A field the fast splitter found points into
 * the chunk; one that libcsv read (quotes removed) was copied into the
 * batch. The type is ops/'s, so that a batch's fields go to ops_col_add_fields
 * as they are. */
typedef ops_span io_span;

#define IO_SPAN_OWN OPS_SPAN_OWN

/* The fields of one chunk, row-major: row r, column j (index fields
 * dropped). A missing field (short row) is empty, which every reader
 * treats as NA like an empty field. Read fields with io_batch_field only:
 * the representation belongs to io_tokenize. */
/* A record left out for having too many fields (io_csv_opts.skip_bad). */
typedef struct {
    size_t off;     /* where the record starts in the chunk */
    size_t row;     /* the batch's row count when it was left out */
    size_t nfields; /* its field count, index fields included */
} io_skipped;

typedef struct {
    size_t ncols;
    size_t nrows, cap_rows;
    io_span *spans;
    const char *base[2]; /* [0] the chunk's bytes, [1] = bytes */
    char *bytes;         /* copies of the fields libcsv read */
    size_t nbytes, cap_bytes;
    uint64_t pos0;     /* position of row 0; row r is at pos0 + r */
    io_skipped *skips; /* the records left out, in chunk order */
    size_t nskips, cap_skips;
} io_batch;

/* Field (row, col) of a batch: its bytes (not NUL-terminated) and length.
 * Valid while the batch and its chunk are. */
static inline const char *io_batch_field(const io_batch *b, size_t row,
                                         size_t col, size_t *len)
{
    const io_span *s = &b->spans[row * b->ncols + col];
    *len = s->len & ~IO_SPAN_OWN;
    return b->base[s->len >> 31] + s->off;
}

/* Field (row, col) for rewriting in place, when the engine reads the
 * chunk through a writable copy (chunk: its bytes): the read options that
 * map or drop bytes of a field (decimal and thousands marks). */
static inline char *io_batch_field_rw(io_batch *b, char *chunk, size_t row,
                                      size_t col, size_t *len)
{
    const io_span *s = &b->spans[row * b->ncols + col];
    *len = s->len & ~IO_SPAN_OWN;
    return (s->len & IO_SPAN_OWN ? b->bytes : chunk) + s->off;
}

/* Keeps the first len bytes of field (row, col); 0 makes it empty, which
 * every reader takes for missing. */
static inline void io_batch_shorten(io_batch *b, size_t row, size_t col,
                                    size_t len)
{
    io_span *s = &b->spans[row * b->ncols + col];
    s->len = (s->len & IO_SPAN_OWN) | (uint32_t)len;
    if (len == 0)
        *s = (io_span){0, 0};
}

/* Makes field (row, col) the n bytes s, copied into the batch's own
 * bytes (which may move: io_batch_field_rw pointers taken before are
 * stale). 0, or -1 when out of memory. */
int io_batch_put(io_batch *b, size_t row, size_t col, const char *s, size_t n);

void io_batch_init(io_batch *b);
void io_batch_free(io_batch *b);
/* The record of row `row` among the chunk's non-blank records, the ones
 * left out counted (io_chunk_row_line takes that). */
size_t io_batch_record(const io_batch *b, size_t row);
/* Doubles the room for rows (used by the splitter); 0, or -1 when out of
 * memory. */
int io_batch_grow_rows(io_batch *b);
/* Lists the record at chunk offset off, of nfields fields, as left out
 * before row b->nrows; 0, or -1 when out of memory. */
int io_batch_skip(io_batch *b, size_t off, size_t nfields);

/* Which kernel the fast splitter runs (see below); results never depend
 * on it. */
typedef enum {
    IO_SIMD_AUTO = 0, /* env DFSUM_SIMD=off|sse2|avx2 if set, else the
                         widest the CPU has */
    IO_SIMD_OFF,      /* the portable SWAR kernel */
    IO_SIMD_SSE2,
    IO_SIMD_AVX2
} io_simd;

typedef struct io_tokenizer io_tokenizer;

/* A tokenizer owns one libcsv parser (fields are not trimmed) and the fast
 * splitter's state; one per thread. width is nindex + ncols of the header.
 * src is used only to find line numbers for error messages. */
io_status io_tokenizer_new(const io_csv_opts *o, const io_csv_header *h,
                           io_source *src, io_tokenizer **out, io_error *err);
/* Tokenizes a whole chunk into b (reusing its memory). pos0 is set to
 * chunk->offset. On IO_EPARSE, b holds the rows before the fault (so
 * that a fault in one of them can be found too). Fails with IO_EPARSE on
 * a row with more fields than the
 * width ("name:line: expected W fields, saw M"; under o->skip_bad such a
 * row is left out and listed in b->skips instead) or a NUL byte
 * ("name:line: binary data (NUL byte), not a CSV file"), whichever comes
 * first (in one row: the NUL byte). */
io_status io_tokenize(io_tokenizer *t, const io_chunk *chunk, io_batch *b,
                      io_error *err);
/* Forces the splitter's kernel (tests, benchmarks); returns the one used,
 * which is narrower when the CPU lacks the one asked for. */
io_simd io_tokenizer_set_simd(io_tokenizer *t, io_simd want);
void io_tokenizer_free(io_tokenizer *t); /* NULL-safe */

/* ------------------------------------------------------------------------
 * Fast splitter (io_split.c; kernels in io_split_swar.c, io_split_x86.c),
 * internal to the tokenizer and the record scanner
 *
 * Stage one, a kernel, reads 64 bytes at a time and finds the bytes that
 * matter: as a list of their offsets (splitting) or as bitmaps, bit i for
 * byte i (edges). Stage two, written once, walks them. Kernels differ only
 * in speed: SWAR (8 bytes in a uint64_t) builds and runs anywhere; SSE2
 * and AVX2 are picked at run time on x86-64.
 * ---------------------------------------------------------------------- */
typedef struct {
    uint64_t quote, cr, lf, delim;
    uint64_t eol;   /* line ends: every \r, every \n not after a \r (p[-1]
                       is taken as no \r) */
    uint64_t lines; /* bits set in eol */
} io_edge_bits;

typedef struct {
    io_simd kind;
    /* The offsets (base + i) of the bytes p[i], i < 64 * nwords, that are
     * delim, \n, \r, the quote or NUL, ascending; returns how many. out needs
     * room for 8 more than that (scratch, see io_flatten). */
    size_t (*specials)(const char *p, size_t nwords, char delim, char quote,
                       uint32_t base, uint32_t *out);
    /* out[k]: the same bytes (but NUL), one bitmap per kind, and lines */
    void (*edges)(const char *p, size_t nwords, char delim, char quote,
                  io_edge_bits *out);
} io_split_kernels;

/* Bits set in m, portably (a kernel built for POPCNT uses the
 * instruction itself). */
static inline unsigned io_popcount64(uint64_t m)
{
    m -= (m >> 1) & 0x5555555555555555ull;
    m = (m & 0x3333333333333333ull) + ((m >> 2) & 0x3333333333333333ull);
    m = (m + (m >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((m * 0x0101010101010101ull) >> 56);
}

/* Writes base + i for each of the count bits i set in m to out[0 ..
 * count) and returns count. Up to 16 bits it writes 8 or 16 entries
 * whatever count is (up to 8 garbage ones past count), so that no branch
 * hangs on how many bits a word has: a bit-by-bit loop would mispredict
 * its exit once per word. */
static inline size_t io_flatten(uint64_t m, size_t count, uint32_t base,
                                uint32_t *out)
{
    const uint64_t stop = (uint64_t)1 << 63; /* ctz of 0 is undefined */
    for (unsigned k = 0; k < 8; k++, m &= m - 1)
        out[k] = base + (uint32_t)__builtin_ctzll(m | stop);
    if (count > 8)
        for (unsigned k = 8; k < 16; k++, m &= m - 1)
            out[k] = base + (uint32_t)__builtin_ctzll(m | stop);
    for (size_t k = 16; k < count; k++, m &= m - 1)
        out[k] = base + (uint32_t)__builtin_ctzll(m);
    return count;
}

extern const io_split_kernels io_split_swar;
/* The SSE2 or AVX2 kernels (AUTO: the widest) when the build and the CPU
 * have them, else NULL. */
const io_split_kernels *io_split_x86(io_simd want);
/* The kernels for want (narrower if need be), never NULL. */
const io_split_kernels *io_split_pick(io_simd want);

/* One chunk for the splitter. Records that hold no quote byte are split
 * straight into b (spans into data); each run of consecutive records that
 * hold one is handed whole to quoted(), which appends their rows to b. */
typedef struct {
    const char *data;
    size_t len;
    char delim, quote;
    size_t nindex, width; /* b->ncols is width - nindex */
    int skip_bad;         /* longer rows are listed (io_batch_skip) */
    io_batch *b;
    io_status (*quoted)(void *ctx, size_t start, size_t end);
    void *ctx;
    /* on IO_EPARSE, set by io_split or quoted() */
    size_t bad_row;      /* the row of b at fault */
    size_t bad_fields;   /* its field count; 0 for a NUL byte */
    size_t nul_rec, nul; /* a NUL byte: offsets of its record and of it */
} io_split_job;

/* Appends the rows of j->data to j->b. Returns IO_OK, or IO_EPARSE /
 * IO_ENOMEM at the first bad row. */
io_status io_split(io_split_job *j, const io_split_kernels *k);

/* ------------------------------------------------------------------------
 * Record scanner (io_scan.c), shared by the stages above; internal to io/
 *
 * libcsv's quoting rules without its output: where a record ends, which
 * physical line a byte is on, and where a NUL byte is. The chunker, the
 * header reader and the row finder all use it, so they agree byte for byte
 * with the libcsv parser that io_tokenize runs on the same bytes.
 * ---------------------------------------------------------------------- */
/* Where libcsv's parser is (see io_scan.c). */
enum { IO_ST_START, IO_ST_UNQUOTED, IO_ST_QUOTED, IO_ST_QUOTE_SEEN };

typedef struct {
    unsigned char cls[256]; /* byte classes of the dialect */
    unsigned char state;    /* IO_ST_* */
    unsigned char after_cr; /* the last byte was \r (a \n then ends no line) */
    char delim, quote;
    io_simd simd;        /* the kernel io_scan_edges runs */
    uint64_t line;       /* physical line (1-based) at the scan position */
    uint64_t quote_line; /* line where the last quoted field opened */
} io_scan;

typedef enum {
    IO_SCAN_MORE, /* no record end in the bytes given */
    IO_SCAN_EDGE, /* stopped just after a record terminator */
    IO_SCAN_NUL   /* stopped on a NUL byte (not consumed) */
} io_scan_stop;

/* The quote character of o ('"' unless o says another). */
static inline char io_quote_of(const io_csv_opts *o)
{
    return o->quote ? o->quote : '"';
}
/* 1 when o's delimiter and quote are two bytes other than a line end or
 * NUL. */
int io_dialect_ok(const io_csv_opts *o);
/* Starts a scan at a record start on physical line `line`. */
void io_scan_init(io_scan *s, const io_csv_opts *o, uint64_t line);
/* Scans all n bytes and returns n. A NUL byte is text here, as it is for
 * libcsv (io_tokenize reports it). *edge is 1 + the index of the last
 * record terminator scanned (0: none) and *edge_line the line there.
 * Bitmaps where the quotes allow (io_split_edges), else byte by byte. */
size_t io_scan_edges(io_scan *s, const char *p, size_t n, size_t *edge,
                     uint64_t *edge_line);
/* The same, always byte by byte: the reference io_scan_edges must match. */
size_t io_scan_edges_exact(io_scan *s, const char *p, size_t n, size_t *edge,
                           uint64_t *edge_line);
/* io_scan_edges by bitmaps, for the kernels k. */
void io_split_edges(io_scan *s, const io_split_kernels *k, const char *p,
                    size_t n, size_t *edge, uint64_t *edge_line);
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

/* ------------------------------------------------------------------------
 * HDF5 (io_hdf5.c)
 *
 * "FILE.h5:/object" names an object inside an HDF5 file; the object maps
 * to a table as pd.DataFrame would see it:
 *   1-D compound dataset   one column per field, in field order
 *   group                  its 1-D datasets of the common length, in name
 *                          order; the others are skipped (io_h5_note)
 *   2-D dataset N x M      M columns "0" .. "M-1"
 *   1-D dataset            one column named by the dataset
 *   no object              the root group when it maps to a table
 * Values arrive as native typed arrays: every float as double (float32
 * widens exactly), signed and narrower unsigned integers as int64, uint64
 * as uint64, h5py's bool enum {FALSE, TRUE} as bytes 0/1, fixed and
 * variable-length strings as text (NUL padding trimmed, '' a value).
 *
 * libhdf5 is not thread-safe in this build, so every io_h5_* call holds
 * one process-wide lock, and libhdf5 never prints its error stack: errors
 * come back as "FILE: /object: reason".
 * ---------------------------------------------------------------------- */
typedef enum {
    IO_H5_F64,  /* double */
    IO_H5_I64,  /* int64_t */
    IO_H5_U64,  /* uint64_t */
    IO_H5_BOOL, /* uint8_t, 0 or 1 */
    IO_H5_STR   /* text spans */
} io_h5_kind;

typedef struct {
    char *file;   /* the file part */
    char *object; /* the object part ("/a/b"), NULL when none was given */
} io_h5_path;

/* Splits "FILE:/object": the whole path when it names an existing file
 * (so a ':' in a directory name is fine), else the part before the last
 * ":/" whose file exists. Fails with IO_EIO ("FILE: no such file") when
 * neither exists; *out is then empty. */
io_status io_h5_path_split(const char *path, io_h5_path *out, io_error *err);
void io_h5_path_free(io_h5_path *p);
/* 1 when path is a readable file holding the HDF5 signature (at offset 0,
 * 512, 1024, ... as a user block allows), else 0. No libhdf5 call. */
int io_h5_is_hdf5(const char *file);

typedef struct {
    /* Points to an MPI_Comm: the file is opened with the MPI-IO driver on
     * it (collectively). NULL: this process alone. */
    const void *mpi_comm;
    int collective; /* with mpi_comm: collective transfers */
} io_h5_opts;

typedef struct io_h5_table io_h5_table;

/* Opens p->file and maps p->object (the root group when NULL) to a table;
 * every column is selected. Errors: IO_EIO (missing or not HDF5, no such
 * object), IO_EPARSE (not a table, unsupported type or filter), IO_EEMPTY
 * (no columns). */
io_status io_h5_open(const io_h5_path *p, const io_h5_opts *o,
                     io_h5_table **out, io_error *err);
void io_h5_close(io_h5_table *t); /* NULL-safe */

uint64_t io_h5_nrows(const io_h5_table *t);
size_t io_h5_ncols(const io_h5_table *t);
const char *io_h5_col_name(const io_h5_table *t, size_t col);
io_h5_kind io_h5_col_kind(const io_h5_table *t, size_t col);
/* The display name "FILE: /object" used in messages. */
const char *io_h5_name(const io_h5_table *t);
/* Rows per storage chunk of the first selected dataset (1 when it is not
 * chunked): slabs aligned to it never share a chunk. */
uint64_t io_h5_chunk_rows(const io_h5_table *t);
/* What a group left out, one line naming the table, or "":
 * "FILE: /g: skipped m (2-D), sub (group), t (length 10, not 3000)". */
const char *io_h5_note(const io_h5_table *t);

/* Reads only the columns cols[0..n) (table indices), in that order: slab
 * column k is table column cols[k]. */
io_status io_h5_select(io_h5_table *t, const size_t *cols, size_t n,
                       io_error *err);
/* Bytes a row of the selected columns takes in memory (about, for
 * variable-length strings): slab sizes are chosen from it. */
size_t io_h5_row_bytes(const io_h5_table *t);

/* One column of a slab. */
typedef struct {
    io_h5_kind kind;
    void *values;  /* nrows double / int64_t / uint64_t / uint8_t */
    uint64_t *off; /* IO_H5_STR: row i is text[off[i] .. off[i+1]) */
    char *text;
    size_t text_cap;
} io_h5_colbuf;

/* Rows [row0, row0 + nrows) of the selected columns. */
typedef struct {
    uint64_t row0;
    size_t nrows, cap_rows;
    size_t ncols;
    io_h5_colbuf *cols;
} io_h5_slab;

/* Makes room for cap_rows rows of t's selected columns. 0, or -1 when out
 * of memory (s is then freeable). */
int io_h5_slab_init(io_h5_slab *s, const io_h5_table *t, size_t cap_rows);
void io_h5_slab_free(io_h5_slab *s);
/* Reads rows [row0, row0 + n) (n <= s->cap_rows) into s. With collective
 * transfers every process makes the same number of calls; n == 0 takes
 * part with nothing selected. Errors name the object and the rows. */
io_status io_h5_read(io_h5_table *t, uint64_t row0, size_t n, io_h5_slab *s,
                     io_error *err);

/* Every object that maps to a table, one per line: "/group/data  3000 x 4
 * float64, int32, ...": those of the whole file, or p->object and those
 * below it. *out is a new NUL-terminated buffer (free() it). Errors:
 * IO_EIO (missing or not HDF5, no such object), IO_EPARSE (p->object is
 * a dataset that maps to no table: the reason, as io_h5_open gives it). */
io_status io_h5_list(const io_h5_path *p, char **out, size_t *len,
                     io_error *err);

#endif
