/*
 * engine.h - the one internal header of engine/: the session, the result
 * table and the describe pipeline that joins io/ and ops/.
 *
 *   source -> chunks -> batches -> column partials -> merge -> finish
 *            (io/)      (io/)       (ops/)             (here)   (here)
 */
#ifndef DFSUM_ENGINE_H
#define DFSUM_ENGINE_H

#include "dfsum.h"
#include "io.h"
#include "ops.h"

#define ENGINE_MSG_MAX       (IO_MSG_MAX + 256)
#define ENGINE_DEFAULT_CHUNK ((size_t)4 << 20)

/* The options of a session and the message of its last failure. */
struct dfsum {
    dfsum_include include;
    double pct[64 + 1]; /* normalized percentiles (0.5 included, sorted) */
    size_t npct;
    char delim;
    char **columns; /* --columns selection, NULL when all */
    size_t ncolumns;
    int threads;
    size_t chunk_size;
    io_parser parser;
    dfsum_progress_fn progress; /* called serialized, from any thread */
    void *progress_ctx;
    char errmsg[ENGINE_MSG_MAX];
};

/* Records a formatted message in d and returns status. */
dfsum_status engine_fail(dfsum *d, dfsum_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The public status of an io/ status. */
dfsum_status engine_status_of_io(io_status status);
/* Maps an io_error to a status and copies its message into d. */
dfsum_status engine_fail_io(dfsum *d, const io_error *err);

/* One described column of the input, in file order. */
typedef struct {
    const char *name; /* borrowed from the header */
    ops_summary sum;
} engine_column;

/* Builds the describe() table from summarized columns (already filtered
 * by --columns) of the file `source`; applies the include rule. Takes ownership
 * of the summaries' heap parts on success. */
dfsum_status engine_result_build(dfsum *d, const char *source,
                                 engine_column *cols, size_t ncols,
                                 dfsum_result **out);

#endif
