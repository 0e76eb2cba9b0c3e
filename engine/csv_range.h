/*
 * csv_range.h - which part of a CSV file this process reads (csv_range.c).
 *
 * Alone (no communicator) the header is read here and the range is all of
 * the data. Otherwise both functions are collective, and their outcome
 * (success or the failure that comes first) is the same on every process.
 */
#ifndef DFSUM_CSV_RANGE_H
#define DFSUM_CSV_RANGE_H

#include "engine.h"

/* Reads the header at process 0 and gives every process a copy. */
dfsum_status engine_csv_header(dfsum *d, io_source *src, const io_csv_opts *o,
                               io_csv_header *h);

/* This process's share of the data, [*start, *end): whole records, about
 * an equal number of bytes per process, the shares in rank order tiling
 * [h->data_start, end of file). A share may be empty. */
dfsum_status engine_csv_range(dfsum *d, io_source *src, const io_csv_opts *o,
                              const io_csv_header *h, uint64_t *start,
                              uint64_t *end);

#endif
