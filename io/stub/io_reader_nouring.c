/*
 * io_reader_nouring.c - the io_uring variant of the reader where the build
 * found no liburing: it is never available, so the reader always falls
 * back to pread on a helper thread (io_reader_pread.c).
 */
#include "io_reader_impl.h"

static io_status nouring_start(io_reader *r)
{
    (void)r;
    return IO_EIO;
}

/* The other hooks are never reached: start always fails. */
static void nouring_idle(io_reader *r)
{
    (void)r;
}

static int nouring_stop(io_reader *r)
{
    (void)r;
    return 1;
}

const io_reader_variant io_reader_uring_variant = {
    "io_uring", nouring_start, nouring_idle, nouring_idle, nouring_stop, NULL,
};
