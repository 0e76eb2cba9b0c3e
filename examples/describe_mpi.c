/*
 * describe_mpi.c - every process of a simulation adds its own arrays; one
 * collective describe gives the statistics of the global arrays (rows of
 * lower ranks first), the same on every process, without gathering any
 * value. Rank 0 prints them.
 *
 *   mpicc describe_mpi.c $(pkg-config --cflags --libs dfsum) -o describe_mpi
 *   mpiexec -n 3 ./describe_mpi
 */
#include <mpi.h> /* before dfsum.h: it declares dfsum_set_comm */

#include <dfsum.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CELLS 1000 /* cells owned by each process */

/* The local part of the global arrays: cell g = rank * CELLS + i. */
static void fill_local(int rank, double *energy, int64_t *species,
                       const char **phase)
{
    static const char *const phases[] = {"solid", "liquid", "gas"};
    for (int i = 0; i < CELLS; i++) {
        int64_t g = (int64_t)rank * CELLS + i;
        energy[i] = (double)((g * 7919) % 10007) / 16.0;
        species[i] = g % 11;
        phase[i] = phases[(g / 7) % 3];
    }
}

static dfsum_status describe_local(dfsum *d, int rank, dfsum_result **out)
{
    double energy[CELLS];
    int64_t species[CELLS];
    const char *phase[CELLS];
    dfsum_frame *f = NULL;
    fill_local(rank, energy, species, phase);
    dfsum_status st = dfsum_frame_create(d, &f);
    if (st == DFSUM_OK)
        st = dfsum_frame_add_double(f, "energy", energy, CELLS, NULL);
    if (st == DFSUM_OK)
        st = dfsum_frame_add_int64(f, "species", species, CELLS, NULL);
    if (st == DFSUM_OK)
        st = dfsum_frame_add_text(f, "phase", phase, CELLS);
    /* collective: every process calls it, even after a local failure */
    dfsum_status described = dfsum_frame_describe(f, out);
    dfsum_frame_free(f);
    return st != DFSUM_OK ? st : described;
}

int main(int argc, char **argv)
{
    int rank = 0, rc = 1;
    dfsum *d = NULL;
    dfsum_result *r = NULL;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    dfsum_status st = dfsum_create(&d);
    if (st == DFSUM_OK)
        st = dfsum_set_include(d, DFSUM_INCLUDE_ALL);
    if (st == DFSUM_OK)
        st = dfsum_set_comm(d, MPI_COMM_WORLD);
    if (st == DFSUM_OK)
        st = describe_local(d, rank, &r);
    if (st != DFSUM_OK && rank == 0)
        fprintf(stderr, "describe_mpi: %s: %s\n", dfsum_strerror(st),
                dfsum_errmsg(d));
    if (st == DFSUM_OK && rank == 0)
        st = dfsum_result_write(r, DFSUM_FORMAT_CSV, 0, 0, stdout);
    rc = st != DFSUM_OK;
    dfsum_result_free(r);
    dfsum_free(d);
    MPI_Finalize();
    return rc;
}
