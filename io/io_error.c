/*
 * io_error.c - the one way io/ reports a failure: a status and a one-line
 * message ("data.csv:3: expected 2 fields, saw 3") written into the
 * caller's io_error, never printed.
 */
#include "io.h"

#include <stdarg.h>
#include <stdio.h>

io_status io_fail(io_error *err, io_status status, const char *fmt, ...)
{
    if (err == NULL)
        return status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->status = status;
    return status;
}
