/*
 * consumer_mpi.c - an MPI program built against the installed library:
 * rank r adds the values r*10 .. r*10+9; rank 0 prints the global table.
 * Then rank 1 names its column differently: every rank must refuse.
 */
#include <mpi.h>

#include <dfsum.h>

#include <stdint.h>
#include <stdio.h>

/* DFSUM_OK when describing different column names fails everywhere. */
static dfsum_status mismatch_refused(dfsum_frame *f, const int64_t *v, int rank)
{
    dfsum_result *r = NULL;
    dfsum_status st =
        dfsum_frame_add_int64(f, rank == 1 ? "w" : "v", v, 10, NULL);
    if (st == DFSUM_OK)
        st = dfsum_frame_describe(f, &r);
    dfsum_result_free(r);
    return st == DFSUM_EINVAL ? DFSUM_OK : DFSUM_EINVAL;
}

int main(int argc, char **argv)
{
    int rank = 0;
    int64_t v[10];
    dfsum *d = NULL;
    dfsum_frame *f = NULL;
    dfsum_result *r = NULL;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    for (int i = 0; i < 10; i++)
        v[i] = rank * 10 + i;
    dfsum_status st = dfsum_create(&d);
    if (st == DFSUM_OK)
        st = dfsum_set_comm(d, MPI_COMM_WORLD);
    if (st == DFSUM_OK)
        st = dfsum_frame_create(d, &f);
    if (st == DFSUM_OK)
        st = dfsum_frame_add_int64(f, "v", v, 10, NULL);
    if (st == DFSUM_OK)
        st = dfsum_frame_describe(f, &r);
    if (st == DFSUM_OK && rank == 0)
        st = dfsum_result_write(r, DFSUM_FORMAT_CSV, 0, 0, stdout);
    if (st == DFSUM_OK)
        st = mismatch_refused(f, v, rank);
    if (st != DFSUM_OK)
        fprintf(stderr, "consumer_mpi: %s\n", dfsum_errmsg(d));
    dfsum_result_free(r);
    dfsum_frame_free(f);
    dfsum_free(d);
    MPI_Finalize();
    return st != DFSUM_OK;
}
