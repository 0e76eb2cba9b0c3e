/*
 * io_inflate_isal.c - gzip members inflated by ISA-L's igzip (see
 * io_inflate.h): hand-vectorized Huffman decoding and CRC-32, several
 * times zlib's speed on x86-64 and AArch64.
 */
#include "io_inflate.h"

#include <isa-l/igzip_lib.h>
#include <limits.h>
#include <stdlib.h>

/* The state is large (some 85 KiB): on the heap. */
static void *isal_open(void)
{
    struct inflate_state *s = malloc(sizeof *s);
    if (s) {
        isal_inflate_init(s);
        s->crc_flag = ISAL_GZIP; /* the gzip header, CRC-32 and length */
    }
    return s;
}

static const char *isal_why(int r)
{
    switch (r) {
    case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
        return "invalid deflate code";
    case ISAL_INVALID_LOOKBACK:
        return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER:
        return "incorrect header check";
    case ISAL_UNSUPPORTED_METHOD:
        return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM: /* igzip does not say which */
        return "incorrect data check (CRC-32 or length)";
    case ISAL_NEED_DICT:
        return "needs a preset dictionary";
    default:
        return "igzip failed";
    }
}

static uint32_t at_most_u32(size_t n)
{
    return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

static io_inflate_status isal_step(void *inf, io_inflate_bufs *b,
                                   const char **why)
{
    struct inflate_state *s = inf;
    s->next_in = (uint8_t *)b->in; /* igzip does not write it */
    s->avail_in = at_most_u32(b->avail_in);
    s->next_out = b->out;
    s->avail_out = at_most_u32(b->avail_out);
    int r = isal_inflate(s);
    b->avail_in -= (size_t)(s->next_in - b->in);
    b->in = s->next_in;
    b->avail_out -= (size_t)(s->next_out - b->out);
    b->out = s->next_out;
    if (r < 0 || r == ISAL_NEED_DICT) {
        *why = isal_why(r);
        return IO_INFLATE_BROKEN;
    }
    if (s->block_state != ISAL_BLOCK_FINISH)
        return IO_INFLATE_OK;
    isal_inflate_reset(s);
    s->crc_flag = ISAL_GZIP;
    return IO_INFLATE_END;
}

static void isal_close(void *inf)
{
    free(inf);
}

const io_inflate_variant io_inflate_isal_variant = {
    "isa-l",
    isal_open,
    isal_step,
    isal_close,
};
