/*
 * progress.h - a progress bar on stderr: bytes done / total, rate, ETA.
 */
#ifndef DFSUM_CLI_PROGRESS_H
#define DFSUM_CLI_PROGRESS_H

#include "options.h"

#include <stdint.h>

typedef struct {
    int enabled;  /* draw at all (decided once per run) */
    int forced;   /* --progress: draw even for small inputs */
    int drawn;    /* something is on the line now */
    double start; /* seconds, monotonic, at the first report */
    double last;  /* when the bar was last drawn */
    const char *name;
} cli_progress;

/* Decides from the mode and whether stderr is a terminal. */
void cli_progress_init(cli_progress *p, cli_progress_mode mode);
/* Starts a new bar for the named input. */
void cli_progress_begin(cli_progress *p, const char *name);
/* A dfsum_progress_fn: redraws at most ten times a second. */
void cli_progress_update(void *ctx, uint64_t done, uint64_t total);
/* Erases the bar so the next output starts on a clean line. */
void cli_progress_end(cli_progress *p);

#endif
