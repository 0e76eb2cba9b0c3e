/*
 * io_decompress.c - compressed input, as pandas.read_csv takes it: a gzip,
 * bzip2, xz, zstd or LZ4 stream, or a ZIP archive of one file.
 *
 * The format is known by the first bytes, not by the file name, so that
 * standard input (`dfsum < data.csv.gz`) and a misnamed file work too.
 * libarchive (loaded when needed, see below) decodes bzip2, xz, zstd, LZ4
 * and ZIP through one loop: its "raw" reader gives a compressed stream's
 * bytes as a single entry, and its ZIP reader the archive's first entry (a
 * second one is refused, as pandas refuses it). A warning on the data (a
 * ZIP entry's bad CRC) fails the input. gzip goes to an inflater of io/
 * (io_inflate.h: ISA-L's igzip, else zlib): libarchive does not check a
 * gzip member's CRC-32 and length, and Python's gzip (so pandas) does.
 * The bytes go to a sink, which io_source.c points at a temporary file:
 * every later stage reads the source by offset, from several threads, so
 * the data must be seekable, as with a pipe.
 */
#include "io.h"
#include "io_inflate.h"

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIGNATURE_BYTES 10
#define INFLATE_BUF     ((size_t)1 << 20)

typedef struct {
    const char *name;
    unsigned char bytes[SIGNATURE_BYTES];
    size_t len;
} signature;

/* bzip2's "BZh" and a level digit are printable, so its block magic
 * (the digits of pi, "1AY&SY") must follow too, or, in a stream of no
 * data, the end-of-stream magic (the digits of sqrt(pi)): read_csv takes
 * an empty .bz2 for an empty file, so must dfsum. */
static const signature SIGNATURES[] = {
    {"gzip", {0x1f, 0x8b}, 2},
    {"xz", {0xfd, '7', 'z', 'X', 'Z', 0x00}, 6},
    {"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4},
    {"lz4", {0x04, 0x22, 0x4d, 0x18}, 4},
    {"zip", {'P', 'K', 0x03, 0x04}, 4},
    {"zip", {'P', 'K', 0x05, 0x06}, 4}, /* an empty archive */
};

static int is_bzip2(const unsigned char *p, size_t n)
{
    static const unsigned char block[] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
    static const unsigned char end[] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};
    return n >= 10 && memcmp(p, "BZh", 3) == 0 && p[3] >= '1' && p[3] <= '9' &&
           (memcmp(p + 4, block, sizeof block) == 0 ||
            memcmp(p + 4, end, sizeof end) == 0);
}

const char *io_compression_of(int fd)
{
    unsigned char p[SIGNATURE_BYTES];
    ssize_t n;
    do
        n = pread(fd, p, sizeof p, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return NULL;
    if (is_bzip2(p, (size_t)n))
        return "bzip2";
    for (size_t i = 0; i < sizeof SIGNATURES / sizeof *SIGNATURES; i++) {
        const signature *s = &SIGNATURES[i];
        if ((size_t)n >= s->len && memcmp(p, s->bytes, s->len) == 0)
            return s->name;
    }
    return NULL;
}

/* A library's words on one line: some end theirs in a newline. */
static const char *one_line(const char *why, char line[256])
{
    size_t n = 0;
    for (; why[n] != '\0' && n + 1 < 256; n++)
        line[n] = why[n] == '\n' || why[n] == '\r' ? ' ' : why[n];
    while (n > 0 && line[n - 1] == ' ')
        n--;
    line[n] = '\0';
    return line;
}

static io_status broken_at(const char *name, const char *format, uint64_t at,
                           const char *why, io_error *err)
{
    char line[256];
    return io_fail(err, IO_EPARSE,
                   "%s: cannot decompress (%s) past byte %llu of the "
                   "content: %s",
                   name, format, (unsigned long long)at, one_line(why, line));
}

/* ---- libarchive, loaded when a file needs it --------------------------- */

/* Linked, libarchive would bring libxml2 and ICU into every run of dfsum:
 * 2-3 ms more to start, for the common case of a plain file. So it is
 * loaded (dlopen) for a compressed file only, its functions looked up by
 * name. The soname has been libarchive.so.13 since libarchive 3.0. */
#define LIBARCHIVE_SONAME "libarchive.so.13"

typedef struct {
    void *lib;
    struct archive *a;
    struct archive *(*read_new)(void);
    int (*read_free)(struct archive *);
    int (*support_format_zip)(struct archive *);
    int (*support_format_raw)(struct archive *);
    int (*support_format_empty)(struct archive *);
    int (*support_filter_all)(struct archive *);
    int (*open_fd)(struct archive *, int, size_t);
    int (*next_header)(struct archive *, struct archive_entry **);
    int (*data_block)(struct archive *, const void **, size_t *, la_int64_t *);
    const char *(*error_string)(struct archive *);
} unpacker;

/* Each function of u, or -1 (u->lib closed) when one is missing. The
 * object pointer from dlsym goes into the function pointer through its
 * bytes, as POSIX allows and ISO C does not say. */
static int load_unpacker(unpacker *u)
{
    static const struct {
        const char *name;
        size_t at;
    } fns[] = {
        {"archive_read_new", offsetof(unpacker, read_new)},
        {"archive_read_free", offsetof(unpacker, read_free)},
        {"archive_read_support_format_zip",
         offsetof(unpacker, support_format_zip)},
        {"archive_read_support_format_raw",
         offsetof(unpacker, support_format_raw)},
        {"archive_read_support_format_empty",
         offsetof(unpacker, support_format_empty)},
        {"archive_read_support_filter_all",
         offsetof(unpacker, support_filter_all)},
        {"archive_read_open_fd", offsetof(unpacker, open_fd)},
        {"archive_read_next_header", offsetof(unpacker, next_header)},
        {"archive_read_data_block", offsetof(unpacker, data_block)},
        {"archive_error_string", offsetof(unpacker, error_string)},
    };
    u->lib = dlopen(LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (u->lib == NULL)
        return -1;
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
        void *fn = dlsym(u->lib, fns[i].name);
        if (fn == NULL) {
            dlclose(u->lib);
            return -1;
        }
        memcpy((char *)u + fns[i].at, &fn, sizeof fn);
    }
    return 0;
}

static const char *why_failed(const unpacker *u)
{
    const char *why = u->error_string(u->a);
    return why ? why : "unknown error";
}

/* A failure before any data. */
static io_status archive_failed(const unpacker *u, const char *name,
                                const char *format, io_error *err)
{
    char line[256];
    return io_fail(err, IO_EPARSE, "%s: cannot decompress (%s): %s", name,
                   format, one_line(why_failed(u), line));
}

/* The entry's bytes to the sink, block by block as they are decoded (so
 * that a failure can say how far the good data went). */
static io_status copy_entry(const unpacker *u, const char *name,
                            const char *format, io_sink_fn sink, void *ctx,
                            uint64_t *size, io_error *err)
{
    for (;;) {
        const void *block;
        size_t n;
        la_int64_t offset;
        int r = u->data_block(u->a, &block, &n, &offset);
        if (r == ARCHIVE_EOF)
            return IO_OK;
        if (r != ARCHIVE_OK)
            return broken_at(name, format, *size, why_failed(u), err);
        if (offset != (la_int64_t)*size)
            return broken_at(name, format, *size, "a hole in the data", err);
        io_status st = sink(ctx, block, n, err);
        if (st != IO_OK)
            return st;
        *size += (uint64_t)n;
    }
}

/* A ZIP archive holds exactly one file, as for pandas. */
static io_status one_zip_entry(const unpacker *u, int r, const char *name,
                               io_error *err)
{
    if (r == ARCHIVE_EOF)
        return io_fail(err, IO_EPARSE,
                       "%s: the ZIP archive holds no file; it must hold "
                       "exactly one",
                       name);
    struct archive_entry *next;
    r = u->next_header(u->a, &next);
    if (r == ARCHIVE_EOF)
        return IO_OK;
    if (r < ARCHIVE_WARN)
        return archive_failed(u, name, "zip", err);
    return io_fail(err, IO_EPARSE,
                   "%s: the ZIP archive holds more than one file; it must "
                   "hold exactly one",
                   name);
}

static io_status unpack(const unpacker *u, int fd, const char *name,
                        const char *format, io_sink_fn sink, void *ctx,
                        uint64_t *size, io_error *err)
{
    int is_zip = strcmp(format, "zip") == 0;
    /* "empty" takes a stream that decodes to no byte, which "raw"
     * refuses: it is then an empty file, as for read_csv. */
    if ((is_zip ? u->support_format_zip(u->a) : u->support_format_raw(u->a)) !=
            ARCHIVE_OK ||
        (!is_zip && u->support_format_empty(u->a) != ARCHIVE_OK) ||
        u->support_filter_all(u->a) != ARCHIVE_OK ||
        u->open_fd(u->a, fd, INFLATE_BUF) != ARCHIVE_OK)
        return archive_failed(u, name, format, err);
    struct archive_entry *entry;
    int r = u->next_header(u->a, &entry);
    if (r < ARCHIVE_WARN)
        return archive_failed(u, name, format, err);
    if (is_zip && r == ARCHIVE_EOF)
        return one_zip_entry(u, r, name, err);
    io_status st = r == ARCHIVE_EOF
                       ? IO_OK
                       : copy_entry(u, name, format, sink, ctx, size, err);
    if (st == IO_OK && is_zip)
        st = one_zip_entry(u, r, name, err);
    return st;
}

static io_status unarchive(int fd, const char *name, const char *format,
                           io_sink_fn sink, void *ctx, uint64_t *size,
                           io_error *err)
{
    unpacker u;
    if (load_unpacker(&u) != 0)
        return io_fail(err, IO_EIO,
                       "%s: %s data needs " LIBARCHIVE_SONAME
                       " (Debian: libarchive13), which cannot be loaded",
                       name, format);
    io_status st;
    if ((u.a = u.read_new()) == NULL) {
        st = io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    } else {
        st = unpack(&u, fd, name, format, sink, ctx, size, err);
        u.read_free(u.a);
    }
    dlclose(u.lib);
    return st;
}

/* ---- gzip, by an inflater (io_inflate.h) ------------------------------ */

typedef struct {
    const io_inflate_variant *v;
    void *inf;
    io_inflate_bufs b;
    unsigned char *in, *out;
    int at_end;    /* the file is read to its end */
    int in_member; /* a member has begun and not ended */
} gz_state;

/* ISA-L's, unless the build lacks it, it cannot start, or DFSUM_GZIP=zlib
 * asks for zlib's. */
static void gz_open_inflater(gz_state *g)
{
    const char *v = getenv("DFSUM_GZIP");
    if (v == NULL || strcmp(v, "zlib") != 0) {
        g->v = &io_inflate_isal_variant;
        if ((g->inf = g->v->open()) != NULL)
            return;
    }
    g->v = &io_inflate_zlib_variant;
    g->inf = g->v->open();
}

/* More of the file into the input buffer when it is empty. */
static io_status gz_fill(gz_state *g, int fd, const char *name, io_error *err)
{
    if (g->b.avail_in > 0 || g->at_end)
        return IO_OK;
    ssize_t n;
    do
        n = read(fd, g->in, INFLATE_BUF);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        char why[128];
        return io_fail(err, IO_EIO, "%s: %s", name,
                       strerror_r(errno, why, sizeof why));
    }
    g->b.in = g->in;
    g->b.avail_in = (size_t)n;
    g->at_end = n == 0;
    return IO_OK;
}

/* Zero bytes between or after members, which gzip files may be padded
 * with (Python's gzip skips them too). Nonzero when they filled the rest
 * of the buffer. */
static int gz_skip_padding(gz_state *g)
{
    while (g->b.avail_in > 0 && *g->b.in == 0) {
        g->b.in++;
        g->b.avail_in--;
    }
    return g->b.avail_in == 0 && !g->at_end;
}

/* One inflate step, its output to the sink. A member's end with more
 * input behind it starts the next member (concatenated gzip files are one
 * stream, as for gzip -d). A step that takes and makes nothing at the
 * file's end means the member was cut; with input in hand it would loop
 * (neither inflater does that). */
static io_status gz_step(gz_state *g, const char *name, io_sink_fn sink,
                         void *ctx, uint64_t *size, io_error *err)
{
    size_t had = g->b.avail_in;
    g->b.out = g->out;
    g->b.avail_out = INFLATE_BUF;
    const char *why = NULL;
    io_inflate_status r = g->v->step(g->inf, &g->b, &why);
    size_t made = INFLATE_BUF - g->b.avail_out;
    io_status st = made ? sink(ctx, (const char *)g->out, made, err) : IO_OK;
    if (st != IO_OK)
        return st;
    *size += made;
    if (r == IO_INFLATE_BROKEN)
        return broken_at(name, "gzip", *size, why, err);
    g->in_member = r != IO_INFLATE_END;
    if (!g->in_member || made > 0 || g->b.avail_in < had)
        return IO_OK;
    if (g->at_end)
        return broken_at(name, "gzip", *size, "truncated gzip input", err);
    return had == 0 ? IO_OK /* refill */
                    : broken_at(name, "gzip", *size, "no progress", err);
}

static io_status gunzip(int fd, const char *name, io_sink_fn sink, void *ctx,
                        uint64_t *size, io_error *err)
{
    gz_state g = {.in = malloc(INFLATE_BUF), .out = malloc(INFLATE_BUF)};
    io_status st = IO_OK;
    if (g.in && g.out)
        gz_open_inflater(&g);
    if (g.inf == NULL) {
        free(g.in);
        free(g.out);
        return io_fail(err, IO_ENOMEM, "%s: out of memory", name);
    }
    for (;;) {
        if ((st = gz_fill(&g, fd, name, err)) != IO_OK)
            break;
        if (!g.in_member && gz_skip_padding(&g))
            continue; /* the buffer was all zeros: refill */
        if (g.at_end && g.b.avail_in == 0 && !g.in_member)
            break; /* every member ended, nothing behind */
        if ((st = gz_step(&g, name, sink, ctx, size, err)) != IO_OK)
            break;
    }
    g.v->close(g.inf);
    free(g.in);
    free(g.out);
    return st;
}

/* ---- the entry point -------------------------------------------------- */

io_status io_decompress(int fd, const char *name, const char *format,
                        io_sink_fn sink, void *ctx, uint64_t *size,
                        io_error *err)
{
    *size = 0;
    if (lseek(fd, 0, SEEK_SET) != 0) {
        char why[128];
        return io_fail(err, IO_EIO, "%s: %s", name,
                       strerror_r(errno, why, sizeof why));
    }
    if (strcmp(format, "gzip") == 0)
        return gunzip(fd, name, sink, ctx, size, err);
    return unarchive(fd, name, format, sink, ctx, size, err);
}
