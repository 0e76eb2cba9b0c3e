/*
 * io_inflate_zlib.c - gzip members inflated by zlib (see io_inflate.h).
 */
#include "io_inflate.h"

#include <limits.h>
#include <stdlib.h>
#include <zlib.h>

static void *zlib_open(void)
{
    z_stream *z = calloc(1, sizeof *z);
    if (z && inflateInit2(z, 15 + 16) != Z_OK) { /* 16: gzip wrapper only */
        free(z);
        return NULL;
    }
    return z;
}

/* zlib counts in uInt: a call takes at most UINT_MAX bytes either way. */
static uInt at_most_uint(size_t n)
{
    return n > UINT_MAX ? UINT_MAX : (uInt)n;
}

static io_inflate_status zlib_step(void *inf, io_inflate_bufs *b,
                                   const char **why)
{
    z_stream *z = inf;
    z->next_in = (unsigned char *)b->in; /* zlib does not write it */
    z->avail_in = at_most_uint(b->avail_in);
    z->next_out = b->out;
    z->avail_out = at_most_uint(b->avail_out);
    int r = inflate(z, Z_NO_FLUSH);
    b->avail_in -= (size_t)(z->next_in - b->in);
    b->in = z->next_in;
    b->avail_out -= (size_t)(z->next_out - b->out);
    b->out = z->next_out;
    if (r == Z_STREAM_END) {
        if (inflateReset(z) == Z_OK)
            return IO_INFLATE_END;
        *why = "zlib reset failed";
        return IO_INFLATE_BROKEN;
    }
    if (r == Z_OK || r == Z_BUF_ERROR) /* no progress: the caller tells */
        return IO_INFLATE_OK;
    *why = z->msg ? z->msg : zError(r);
    return IO_INFLATE_BROKEN;
}

static void zlib_close(void *inf)
{
    if (inf)
        inflateEnd(inf);
    free(inf);
}

const io_inflate_variant io_inflate_zlib_variant = {
    "zlib",
    zlib_open,
    zlib_step,
    zlib_close,
};
