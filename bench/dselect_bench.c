/*
 * dselect_bench.c - time of ops_select_ranks_reduced against
 * ops_select_ranks.
 *
 * P processes are threads, each holding N keys of one kind: random
 * doubles in [0, 1), small integers 0..999, or int64s spread over
 * +-2^50 (both sides of zero); the reducer sums under a mutex between
 * barriers, as the unit test's does.
 * The ranks are describe()'s: min, the two neighbours of the 25%, 50% and
 * 75% quantiles, and max of all P*N keys. Prints the best of a few runs
 * per call, the sum_u64 calls of that run with their lengths and the time
 * between them on process 0, the growth of the resident memory during a call
 * (all P processes together: the peak, reset before each call through
 * /proc/self/clear_refs, less the resident size before it), and
 * ops_select_ranks over one process's keys and over all of them.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iops bench/dselect_bench.c \
 *      ops/ops_dselect.c ops/ops_select.c ops/ops_vec.c -lpthread -lm
 *   ./a.out [N per process, default 7000000] [P, default 2] [runs, 5]
 *           [kind: doubles (default), smallint, int64]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ops.h"

#define MAX_PROCS 16
#define MAX_CALLS 64
#define NRANKS    8

typedef struct {
    pthread_mutex_t mu;
    pthread_barrier_t bar;
    uint64_t *acc;
    size_t cap, n;
    unsigned arrived;
    size_t ncalls;
    size_t call_n[MAX_CALLS];
    double call_t[MAX_CALLS]; /* process 0's clock at each call */
} bench_world;

typedef struct {
    bench_world *w;
    int id;
    ops_vec vec;
    const uint64_t *ranks;
    uint64_t out[NRANKS];
    double t0, t1;
    int rc;
} bench_proc;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench_sum(void *ctx, uint64_t *counts, size_t n)
{
    bench_world *w = ctx;
    pthread_mutex_lock(&w->mu);
    if (w->arrived++ == 0) {
        if (n > w->cap) {
            free(w->acc);
            w->acc = malloc(n * sizeof *w->acc);
            w->cap = w->acc ? n : 0;
        }
        if (w->acc == NULL) {
            pthread_mutex_unlock(&w->mu);
            return -1; /* the bench gives up; threads may hang */
        }
        memset(w->acc, 0, n * sizeof *w->acc);
        w->n = n;
    }
    for (size_t i = 0; i < n; i++)
        w->acc[i] += counts[i];
    pthread_mutex_unlock(&w->mu);
    pthread_barrier_wait(&w->bar);
    memcpy(counts, w->acc, n * sizeof *counts);
    if (pthread_barrier_wait(&w->bar) == PTHREAD_BARRIER_SERIAL_THREAD)
        w->arrived = 0;
    pthread_barrier_wait(&w->bar);
    return 0;
}

/* Process 0 wraps the reducer to log each call. */
static int logged_sum(void *ctx, uint64_t *counts, size_t n)
{
    bench_world *w = ctx;
    if (w->ncalls < MAX_CALLS) {
        w->call_n[w->ncalls] = n;
        w->call_t[w->ncalls++] = now();
    }
    return bench_sum(ctx, counts, n);
}

static void *bench_main(void *arg)
{
    bench_proc *p = arg;
    ops_reducer red = {.sum_u64 = p->id ? bench_sum : logged_sum, .ctx = p->w};
    const ops_vec *vecs[1] = {&p->vec};
    pthread_barrier_wait(&p->w->bar);
    p->t0 = now();
    p->rc = ops_select_ranks_reduced(vecs, 1, p->ranks, NRANKS, p->out, &red);
    p->t1 = now();
    return NULL;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* One key of the kind named (see the file comment). */
static uint64_t make_key(const char *kind, uint64_t *seed)
{
    uint64_t r = splitmix(seed);
    if (strcmp(kind, "smallint") == 0)
        return ops_key_from_i64((int64_t)(r % 1000));
    if (strcmp(kind, "int64") == 0)
        return ops_key_from_i64((int64_t)(r >> 13) - (INT64_C(1) << 50));
    return ops_key_from_f64((double)(r >> 11) * 0x1p-53);
}

/* A kB figure of /proc/self/status ("VmRSS:", "VmHWM:"), or -1. */
static long status_kb(const char *name)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t len = strlen(name);
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, name, len) == 0)
            kb = atol(line + len);
    if (f != NULL)
        fclose(f);
    return kb;
}

/* Makes VmHWM the current resident size (Linux 4.0 and later). */
static void reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f != NULL) {
        fputs("5", f);
        fclose(f);
    }
}

static void describe_ranks(uint64_t total, uint64_t *r)
{
    static const double q[3] = {0.25, 0.5, 0.75};
    r[0] = 0;
    r[NRANKS - 1] = total - 1;
    for (int i = 0; i < 3; i++) {
        uint64_t lo = (uint64_t)((double)(total - 1) * q[i]);
        r[1 + 2 * i] = lo;
        r[2 + 2 * i] = lo + 1 < total ? lo + 1 : lo;
    }
}

/* One distributed call on np threads; returns process 0's seconds. */
static double run_once(bench_proc *p, int np, bench_world *w)
{
    pthread_t th[MAX_PROCS];
    w->ncalls = 0;
    for (int i = 0; i < np; i++)
        pthread_create(&th[i], NULL, bench_main, &p[i]);
    for (int i = 0; i < np; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < np; i++)
        if (p[i].rc != 0 || memcmp(p[i].out, p[0].out, sizeof p[0].out)) {
            fprintf(stderr, "process %d disagrees or failed\n", i);
            exit(1);
        }
    return p[0].t1 - p[0].t0;
}

static double time_local(const ops_vec *const *vecs, size_t nv,
                         const uint64_t *ranks, uint64_t *out, int runs)
{
    double best = 1e30;
    for (int r = 0; r < runs; r++) {
        double t = now();
        if (ops_select_ranks(vecs, nv, ranks, NRANKS, out) != 0)
            exit(1);
        t = now() - t;
        best = t < best ? t : best;
    }
    return best;
}

static void print_calls(const bench_world *w, double t0)
{
    double prev = t0;
    for (size_t i = 0; i < w->ncalls; i++) {
        printf("  call %zu: %7zu counts, %.3f ms of work before it\n", i,
               w->call_n[i], 1e3 * (w->call_t[i] - prev));
        prev = w->call_t[i];
    }
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 7000000;
    int np = argc > 2 ? atoi(argv[2]) : 2, runs = argc > 3 ? atoi(argv[3]) : 5;
    const char *kind = argc > 4 ? argv[4] : "doubles";
    np = np < 1 ? 1 : np > MAX_PROCS ? MAX_PROCS : np;
    bench_world w = {.acc = NULL};
    bench_proc p[MAX_PROCS];
    uint64_t ranks[NRANKS], seed = 42, want[NRANKS];
    const ops_vec *all[MAX_PROCS];
    pthread_mutex_init(&w.mu, NULL);
    pthread_barrier_init(&w.bar, NULL, (unsigned)np);
    describe_ranks(n * (uint64_t)np, ranks);
    for (int i = 0; i < np; i++) {
        p[i] = (bench_proc){.w = &w, .id = i, .ranks = ranks};
        ops_vec_init(&p[i].vec);
        for (size_t k = 0; k < n; k++)
            if (ops_vec_push(&p[i].vec, make_key(kind, &seed)) != 0)
                return 1;
        all[i] = &p[i].vec;
    }
    double best = 1e30, best_t0 = 0;
    long grew = 0;
    bench_world calls = {.ncalls = 0}; /* the best run's */
    for (int r = 0; r < runs; r++) {
        reset_peak();
        long before = status_kb("VmRSS:");
        double t = run_once(p, np, &w);
        long peak = status_kb("VmHWM:") - before;
        if (t < best) {
            best = t;
            best_t0 = p[0].t0;
            calls.ncalls = w.ncalls;
            memcpy(calls.call_n, w.call_n, sizeof w.call_n);
            memcpy(calls.call_t, w.call_t, sizeof w.call_t);
        }
        grew = peak > grew ? peak : grew;
    }
    printf("N = %zu keys per process (%s), P = %d\n", n, kind, np);
    printf("reduced:  %.2f ms per call (best of %d)\n", 1e3 * best, runs);
    printf("resident memory grew by %ld kB at most during a call\n", grew);
    print_calls(&calls, best_t0);
    uint64_t own[NRANKS];
    describe_ranks(n, own);
    printf("ops_select_ranks, one process's keys: %.2f ms\n",
           1e3 * time_local(all, 1, own, want, runs));
    double t = time_local(all, (size_t)np, ranks, want, runs);
    printf("ops_select_ranks, all keys in one process: %.2f ms (%s)\n", 1e3 * t,
           memcmp(want, p[0].out, sizeof want) ? "DIFFERS" : "same");
    for (int i = 0; i < np; i++)
        ops_vec_free(&p[i].vec);
    free(w.acc);
    return 0;
}
