/*
 * io_inflate_noisal.c - the ISA-L inflater where the build found no
 * libisal: it never opens, so gzip input goes to zlib
 * (io_inflate_zlib.c).
 */
#include "io_inflate.h"

#include <stddef.h>

static void *noisal_open(void)
{
    return NULL;
}

/* Never reached: open always fails. */
static io_inflate_status noisal_step(void *inf, io_inflate_bufs *b,
                                     const char **why)
{
    (void)inf;
    (void)b;
    *why = "built without ISA-L";
    return IO_INFLATE_BROKEN;
}

static void noisal_close(void *inf)
{
    (void)inf;
}

const io_inflate_variant io_inflate_isal_variant = {
    "isa-l",
    noisal_open,
    noisal_step,
    noisal_close,
};
