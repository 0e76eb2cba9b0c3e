/*
 * frame_bench.c - the cost of describing an in-memory array with dfsum
 * against a hand-written loop computing the same statistics.
 *
 * The loop is what a careful programmer writes without the library: one
 * pass for count, mean, std (sum and sum of squares), min and max, then,
 * on a copy of the data, one quickselect (nth_element) per percentile for
 * the lower neighbour and a scan of the part above it for the upper one,
 * and numpy's linear interpolation. dfsum does more (exact sums, the
 * correctly rounded std, any number of batches and threads), so the ratio
 * is the price of that and of the API.
 *
 *   cc -std=c11 -O2 bench/frame_bench.c $(pkg-config --cflags --libs dfsum) \
 *      -o /tmp/frame_bench
 *   /tmp/frame_bench --n 100000000 --threads 1 [--batch 4096]
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <dfsum.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    size_t n;
    int threads;
    size_t batch; /* 0: one call */
} options;

typedef struct {
    double count, mean, std, min, q[3], max;
} stats;

static const double pct[3] = {0.25, 0.5, 0.75};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Doubles with full mantissas over several magnitudes, from a fixed seed. */
static void fill(double *v, size_t n)
{
    uint64_t s = 0x2545f4914f6cdd1du;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double u = (double)(s >> 11) * 0x1.0p-53;
        v[i] = (u - 0.5) * ldexp(1.0, (int)(s & 15));
    }
}

/* ---- the hand-written loop ----------------------------------------------- */

static void swap(double *a, double *b)
{
    double t = *a;
    *a = *b;
    *b = t;
}

/* Puts the k-th smallest of v[0..n) at v[k], smaller ones before it and
 * larger ones after (Hoare partition around a median of three). */
static void select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo])
            swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            swap(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            swap(&v[hi], &v[mid]);
        double pivot = v[mid];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                swap(&v[i], &v[j]);
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

static double min_of(const double *v, size_t n)
{
    double m = v[0];
    for (size_t i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

/* numpy's linear quantile: h = (n-1)q, between x[floor(h)] and the next. */
static double quantile(double *copy, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t k = (size_t)h;
    select_kth(copy, n, k);
    double lo = copy[k];
    double hi = k + 1 < n ? min_of(copy + k + 1, n - k - 1) : lo;
    double t = h - (double)k;
    return t == 0 ? lo : lo + (hi - lo) * t;
}

static void by_hand(const double *v, size_t n, stats *s)
{
    double sum = 0, sum2 = 0, lo = v[0], hi = v[0];
    for (size_t i = 0; i < n; i++) {
        sum += v[i];
        sum2 += v[i] * v[i];
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    s->count = (double)n;
    s->mean = sum / (double)n;
    s->std = sqrt((sum2 - sum * s->mean) / (double)(n - 1));
    s->min = lo;
    s->max = hi;
    double *copy = malloc(n * sizeof *copy);
    if (!copy) {
        fprintf(stderr, "frame_bench: out of memory\n");
        exit(1);
    }
    memcpy(copy, v, n * sizeof *copy);
    for (int i = 0; i < 3; i++)
        s->q[i] = quantile(copy, n, pct[i]);
    free(copy);
}

/* ---- dfsum -----------------------------------------------------------------
 */

static int fail(dfsum_status st, const char *msg)
{
    fprintf(stderr, "frame_bench: %s: %s\n", dfsum_strerror(st), msg);
    return 1;
}

static dfsum_status add_all(dfsum_frame *f, const double *v, size_t n,
                            size_t batch)
{
    if (batch == 0)
        return dfsum_frame_add_double(f, "x", v, n, NULL);
    for (size_t at = 0; at < n; at += batch) {
        size_t k = n - at < batch ? n - at : batch;
        dfsum_status st = dfsum_frame_add_double(f, "x", v + at, k, NULL);
        if (st != DFSUM_OK)
            return st;
    }
    return DFSUM_OK;
}

static void read_stats(const dfsum_result *r, stats *s)
{
    double *out[] = {&s->count, &s->mean, &s->std,  &s->min,
                     &s->q[0],  &s->q[1], &s->q[2], &s->max};
    for (size_t row = 0; row < 8; row++)
        *out[row] = dfsum_result_cell(r, row, 0).f;
}

/* Adds v and describes it; *add_s is the time spent adding. */
static int with_dfsum(const options *o, const double *v, stats *s,
                      double *add_s)
{
    dfsum *d = NULL;
    dfsum_frame *f = NULL;
    dfsum_result *r = NULL;
    if (dfsum_create(&d) != DFSUM_OK)
        return fail(DFSUM_ENOMEM, "session");
    dfsum_status st = dfsum_set_threads(d, o->threads);
    if (st == DFSUM_OK)
        st = dfsum_frame_create(d, &f);
    double t0 = now();
    if (st == DFSUM_OK)
        st = add_all(f, v, o->n, o->batch);
    *add_s = now() - t0;
    if (st == DFSUM_OK)
        st = dfsum_frame_describe(f, &r);
    if (st == DFSUM_OK)
        read_stats(r, s);
    else
        fail(st, f ? dfsum_frame_errmsg(f) : dfsum_errmsg(d));
    dfsum_result_free(r);
    dfsum_frame_free(f);
    dfsum_free(d);
    return st != DFSUM_OK;
}

/* ---- main ------------------------------------------------------------------
 */

static int parse(int argc, char **argv, options *o)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        unsigned long long x = strtoull(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--n") == 0 && x >= 2)
            o->n = (size_t)x;
        else if (strcmp(argv[i], "--threads") == 0)
            o->threads = (int)x;
        else if (strcmp(argv[i], "--batch") == 0)
            o->batch = (size_t)x;
        else
            return -1;
    }
    return argc % 2 == 1 ? 0 : -1;
}

static void print_stats(const char *who, const stats *s)
{
    printf("%-8s count %.0f mean %.17g std %.17g min %.17g 25%% %.17g "
           "50%% %.17g 75%% %.17g max %.17g\n",
           who, s->count, s->mean, s->std, s->min, s->q[0], s->q[1], s->q[2],
           s->max);
}

int main(int argc, char **argv)
{
    options o = {.n = 100000000, .threads = 1, .batch = 0};
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: frame_bench [--n N] [--threads T] "
                        "[--batch B]\n");
        return 2;
    }
    double *v = malloc(o.n * sizeof *v);
    if (!v)
        return fail(DFSUM_ENOMEM, "data");
    fill(v, o.n);
    stats hand, lib;
    double add_s = 0;
    double t0 = now();
    by_hand(v, o.n, &hand);
    double t1 = now();
    int rc = with_dfsum(&o, v, &lib, &add_s);
    double t2 = now();
    free(v);
    if (rc)
        return rc;
    print_stats("by hand", &hand);
    print_stats("dfsum", &lib);
    printf("n %zu threads %d batch %zu: by hand %.3f s, dfsum %.3f s "
           "(adding %.3f s), ratio %.2fx\n",
           o.n, o.threads, o.batch, t1 - t0, t2 - t1, add_s,
           (t2 - t1) / (t1 - t0));
    return 0;
}
