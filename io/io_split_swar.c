/*
 * io_split_swar.c - the splitter's portable kernel: 8 bytes at a time in a
 * uint64_t (SWAR), no instruction-set extension needed.
 *
 * Byte b of x equals c exactly when byte b of y = x ^ c is zero. The sum
 * (y & 0x7f..) + 0x7f.. cannot carry from one byte into the next, so
 * ((y & 0x7f..) + 0x7f..) | y has the high bit of a byte set exactly when
 * that byte of y is not zero: an exact test, unlike the common "has a zero
 * byte" trick. ANDing it over the bytes looked for leaves a clear high bit
 * where any of them is; a multiply then gathers the eight high bits into
 * one byte of the bitmap.
 */
#include "io.h"

#include <string.h>

#define LOW7 0x7f7f7f7f7f7f7f7full
#define HIGH 0x8080808080808080ull
#define ONES 0x0101010101010101ull
#define GLUE 0x0102040810204080ull /* byte i's bit 0 -> bit 56 + i */

/* Eight bytes with p[0] in the low byte, whatever the byte order. */
static inline uint64_t load8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

/* High bit of each byte of y that is not zero. */
static inline uint64_t nonzero(uint64_t y)
{
    return ((y & LOW7) + LOW7) | y;
}

/* Eight bits, bit i set when byte i of keep has a clear high bit. */
static inline uint64_t gather(uint64_t keep)
{
    return (((~keep & HIGH) >> 7) * GLUE) >> 56;
}

static inline uint64_t match(uint64_t x, uint64_t c)
{
    return gather(nonzero(x ^ c));
}

static size_t specials(const char *p, size_t nwords, char delim, char quote,
                       uint32_t base, uint32_t *out)
{
    const uint64_t d = ONES * (unsigned char)delim,
                   q = ONES * (unsigned char)quote, cr = ONES * '\r',
                   lf = ONES * '\n';
    size_t count = 0;
    for (size_t k = 0; k < nwords; k++, p += 64, base += 64) {
        uint64_t m = 0;
        for (unsigned j = 0; j < 8; j++) {
            uint64_t x = load8(p + 8 * j);
            uint64_t keep = nonzero(x ^ d) & nonzero(x ^ q) & nonzero(x ^ cr) &
                            nonzero(x ^ lf) & nonzero(x);
            m |= gather(keep) << (8 * j);
        }
        count += io_flatten(m, io_popcount64(m), base, out + count);
    }
    return count;
}

static void edges(const char *p, size_t nwords, char delim, char quote,
                  io_edge_bits *out)
{
    const uint64_t d = ONES * (unsigned char)delim,
                   q = ONES * (unsigned char)quote, cr = ONES * '\r',
                   lf = ONES * '\n';
    uint64_t after_cr = 0;
    for (size_t k = 0; k < nwords; k++, p += 64) {
        io_edge_bits e = {0, 0, 0, 0, 0, 0};
        for (unsigned j = 0; j < 8; j++) {
            uint64_t x = load8(p + 8 * j);
            e.quote |= match(x, q) << (8 * j);
            e.cr |= match(x, cr) << (8 * j);
            e.lf |= match(x, lf) << (8 * j);
            e.delim |= match(x, d) << (8 * j);
        }
        e.eol = e.cr | (e.lf & ~(e.cr << 1 | after_cr));
        e.lines = io_popcount64(e.eol);
        after_cr = e.cr >> 63;
        out[k] = e;
    }
}

const io_split_kernels io_split_swar = {IO_SIMD_OFF, specials, edges};
