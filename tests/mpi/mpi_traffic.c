/*
 * mpi_traffic.c - counts the collective calls of a program and the bytes
 * each process hands to them, through the MPI profiling interface.
 *
 *   DFSUM_MPI_TRAFFIC=/tmp/t LD_PRELOAD=libmpi_traffic.so mpiexec -n 2 dfsum
 * f.csv
 *
 * writes /tmp/t.<rank> at MPI_Finalize: one line per kind of call,
 * "name calls bytes", bytes being what the process passes in (count times
 * the type's size; for Alltoall(v) the sum of what it sends to others).
 * The library itself stays free of any counting.
 */
#include <mpi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ALLREDUCE, BCAST, ALLGATHER, ALLTOALL, ALLTOALLV, EXSCAN, NKINDS };

static const char *const kind_name[NKINDS] = {
    "allreduce", "bcast", "allgather", "alltoall", "alltoallv", "exscan"};

/* A profiling shim has no context to pass around: counters are global. */
static unsigned long long calls[NKINDS], bytes[NKINDS];

static void count(int kind, MPI_Count n, MPI_Datatype type)
{
    int size = 0;
    PMPI_Type_size(type, &size);
    calls[kind]++;
    bytes[kind] += (unsigned long long)n * (unsigned long long)size;
}

int MPI_Allreduce(const void *sbuf, void *rbuf, int n, MPI_Datatype type,
                  MPI_Op op, MPI_Comm comm)
{
    count(ALLREDUCE, n, type);
    return PMPI_Allreduce(sbuf, rbuf, n, type, op, comm);
}

int MPI_Bcast(void *buf, int n, MPI_Datatype type, int root, MPI_Comm comm)
{
    int rank;
    PMPI_Comm_rank(comm, &rank);
    count(BCAST, rank == root ? n : 0, type);
    return PMPI_Bcast(buf, n, type, root, comm);
}

int MPI_Allgather(const void *sbuf, int sn, MPI_Datatype stype, void *rbuf,
                  int rn, MPI_Datatype rtype, MPI_Comm comm)
{
    count(ALLGATHER, sn, stype);
    return PMPI_Allgather(sbuf, sn, stype, rbuf, rn, rtype, comm);
}

int MPI_Alltoall(const void *sbuf, int sn, MPI_Datatype stype, void *rbuf,
                 int rn, MPI_Datatype rtype, MPI_Comm comm)
{
    int size;
    PMPI_Comm_size(comm, &size);
    count(ALLTOALL, (MPI_Count)sn * (size - 1), stype);
    return PMPI_Alltoall(sbuf, sn, stype, rbuf, rn, rtype, comm);
}

int MPI_Alltoallv_c(const void *sbuf, const MPI_Count sn[], const MPI_Aint sd[],
                    MPI_Datatype stype, void *rbuf, const MPI_Count rn[],
                    const MPI_Aint rd[], MPI_Datatype rtype, MPI_Comm comm)
{
    int size, rank;
    MPI_Count total = 0;
    PMPI_Comm_size(comm, &size);
    PMPI_Comm_rank(comm, &rank);
    for (int p = 0; p < size; p++)
        total += p == rank ? 0 : sn[p];
    count(ALLTOALLV, total, stype);
    return PMPI_Alltoallv_c(sbuf, sn, sd, stype, rbuf, rn, rd, rtype, comm);
}

int MPI_Exscan(const void *sbuf, void *rbuf, int n, MPI_Datatype type,
               MPI_Op op, MPI_Comm comm)
{
    count(EXSCAN, n, type);
    return PMPI_Exscan(sbuf, rbuf, n, type, op, comm);
}

int MPI_Finalize(void)
{
    const char *prefix = getenv("DFSUM_MPI_TRAFFIC");
    int rank = 0;
    PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (prefix != NULL && *prefix != '\0') {
        char path[4096];
        snprintf(path, sizeof path, "%s.%d", prefix, rank);
        FILE *f = fopen(path, "w");
        for (int k = 0; f != NULL && k < NKINDS; k++)
            fprintf(f, "%s %llu %llu\n", kind_name[k], calls[k], bytes[k]);
        if (f != NULL)
            fclose(f);
    }
    return PMPI_Finalize();
}
