/*
 * io_inflate.h - the gzip inflaters behind io_decompress.c; private to
 * io/.
 *
 * io_decompress.c reads the file, skips the padding between members and
 * tells a cut stream; an inflater turns one member's bytes into its data
 * and checks its CRC-32 and length. Two variants: ISA-L's igzip
 * (io_inflate_isal.c, where the build found libisal), several times
 * zlib's speed on x86-64 and AArch64, and zlib (io_inflate_zlib.c), which
 * builds anywhere. DFSUM_GZIP=zlib in the environment picks zlib.
 */
#ifndef DFSUM_IO_INFLATE_H
#define DFSUM_IO_INFLATE_H

#include <stddef.h>

typedef enum {
    IO_INFLATE_OK,     /* went on; call again with more input or room */
    IO_INFLATE_END,    /* a member ended, checks passed; ready for the next */
    IO_INFLATE_BROKEN, /* the data is not gzip, or fails its checks */
} io_inflate_status;

typedef struct {
    const unsigned char *in; /* advanced past the bytes taken */
    size_t avail_in;
    unsigned char *out; /* advanced past the bytes made */
    size_t avail_out;
} io_inflate_bufs;

typedef struct io_inflate_variant {
    const char *name;
    /* A new inflater at the start of a member; NULL when out of memory
     * (or, for a variant the build lacks, always). */
    void *(*open)(void);
    /* Inflates what it can of b; *why says what is wrong when BROKEN. */
    io_inflate_status (*step)(void *inf, io_inflate_bufs *b, const char **why);
    void (*close)(void *inf);
} io_inflate_variant;

extern const io_inflate_variant io_inflate_isal_variant;
extern const io_inflate_variant io_inflate_zlib_variant;

#endif
