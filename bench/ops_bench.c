/*
 * ops_bench.c - the per-field cost of ops/: ops_classify, ops_col_add_fields
 * and
 * ops_col_finish, column by column, on the fields of a CSV file laid out
 * column-major in memory first (so reading the file is not timed).
 *
 *   ops_bench FILE [ROWS [REPS [COLUMN]]]
 *
 * FILE has a header line and no quoted fields (the generated "numeric" and
 * "wide" tables qualify). Prints, per column, ns per field (best of REPS,
 * thread CPU time, so a busy machine disturbs it less), then the summary
 * of each column as bit patterns: two builds must print the same ones.
 * COLUMN (0-based) limits the run to one column, e.g. for perf record.
 * DFSUM_SIMD=off times the portable number reader instead of the CPU's
 * vector one.
 *
 *   cc -std=c11 -D_GNU_SOURCE -O3 -DNDEBUG -Iops bench/ops_bench.c \
 *      ops/ops_*.c ops_fastfloat.o -o /tmp/ops_bench -lxxhash -lm
 *   (ops_fastfloat.o: c++ -std=c++17 -O3 -fno-exceptions -fno-rtti -Iops
 *    -c ops/ops_fastfloat.cpp)
 *   /tmp/ops_bench /tmp/dfsum-bench/numeric-14000000-s42.csv 2000000 5
 *
 * The time of a fresh column includes its page faults: with REPS > 1 and
 * glibc's trimming off (GLIBC_TUNABLES=glibc.malloc.trim_threshold=
 * 4000000000:glibc.malloc.mmap_threshold=4000000000) the best run reuses
 * memory, which shows the CPU cost alone.
 */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_COLS 256

typedef struct {
    char name[64];
    char *bytes; /* the fields, back to back */
    size_t used, cap;
    size_t *off; /* field i is bytes[off[i] .. off[i + 1]) */
    size_t n, ncap;
} column;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    *cap = need * 2;
    p = realloc(p, *cap * size);
    if (!p) {
        fprintf(stderr, "ops_bench: out of memory\n");
        exit(1);
    }
    return p;
}

static void push_field(column *c, const char *s, size_t n)
{
    c->bytes = grow(c->bytes, &c->cap, c->used + n, 1);
    c->off = grow(c->off, &c->ncap, c->n + 2, sizeof *c->off);
    c->off[0] = 0;
    memcpy(c->bytes + c->used, s, n);
    c->used += n;
    c->off[++c->n] = c->used;
}

/* Splits line at commas into cols[0..*ncols): names on the header line,
 * fields after it (a short row gets empty fields). */
static void take_line(char *line, column *cols, size_t *ncols, int header)
{
    size_t k = 0;
    char *p = line;
    for (;;) {
        char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (header && k < MAX_COLS)
            snprintf(cols[k].name, sizeof cols[k].name, "%.*s", (int)len, p);
        else if (k < *ncols)
            push_field(&cols[k], p, len);
        k++;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (header)
        *ncols = k < MAX_COLS ? k : MAX_COLS;
    for (; !header && k < *ncols; k++)
        push_field(&cols[k], "", 0);
}

static size_t load(const char *path, size_t rows, column *cols)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    char *line = NULL;
    size_t cap = 0, ncols = 0;
    ssize_t got;
    for (size_t row = 0; row <= rows && (got = getline(&line, &cap, f)) > 0;
         row++) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        take_line(line, cols, &ncols, row == 0);
    }
    free(line);
    fclose(f);
    return ncols;
}

static const char *field(const column *c, size_t i, size_t *len)
{
    *len = c->off[i + 1] - c->off[i];
    return c->bytes + c->off[i];
}

static double time_classify(const column *c)
{
    uint64_t sink = 0;
    double t0 = cpu_now();
    for (size_t i = 0; i < c->n; i++) {
        size_t len;
        const char *s = field(c, i, &len);
        ops_value v;
        sink += ops_classify(s, len, &v) + v.u;
    }
    double t = cpu_now() - t0;
    return sink == 1 ? t + 1e-12 : t; /* sink keeps the loop */
}

/* The fields as ops_col_add_fields reads them (as the engine's batches
 * lay them out, one column of them). */
static ops_span *spans_of(const column *c)
{
    ops_span *sp = malloc((c->n + 1) * sizeof *sp);
    if (!sp) {
        fprintf(stderr, "ops_bench: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < c->n; i++)
        sp[i] = (ops_span){(uint32_t)c->off[i],
                           (uint32_t)(c->off[i + 1] - c->off[i])};
    return sp;
}

/* Rows fed per call, as the engine feeds them. */
#define RUN 2048

static double time_add(const column *c, ops_col *col)
{
    ops_span *sp = spans_of(c);
    const char *simd_env = getenv("DFSUM_SIMD"); /* off: the portable reader */
    const int simd = !simd_env || strcmp(simd_env, "off") != 0;
    ops_col_init(col);
    double t0 = cpu_now();
    for (size_t from = 0; from < c->n; from += RUN) {
        size_t n = c->n - from < RUN ? c->n - from : RUN;
        ops_fields f = {.base = {c->bytes, c->bytes},
                        .spans = sp + from,
                        .stride = 1,
                        .size = {c->used, c->used},
                        .simd = simd};
        int rc;
        if (ops_col_add_fields(col, &f, n, from, &rc) != n) {
            fprintf(stderr, "ops_bench: ops_col_add_fields failed\n");
            exit(1);
        }
    }
    double t = cpu_now() - t0;
    free(sp);
    return t;
}

static unsigned long long bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (unsigned long long)u;
}

/* Finishes col (timed) and prints its summary as bit patterns. */
static double finish_and_print(const column *c, ops_col *col)
{
    static const double pct[] = {0.25, 0.5, 0.75};
    ops_summary s;
    if (ops_col_needs_text_pass(col)) {
        printf("  %-12s needs a text pass: not timed\n", c->name);
        return 0;
    }
    double t0 = cpu_now();
    int rc = ops_col_finish(col, pct, 3, &s);
    double t = cpu_now() - t0;
    if (rc) {
        fprintf(stderr, "ops_bench: ops_col_finish failed\n");
        exit(1);
    }
    printf("  %-12s dtype %d count %llu mean %016llx std %016llx min %016llx "
           "max %016llx q %016llx %016llx %016llx unique %llu freq %llu\n",
           c->name, (int)s.dtype, (unsigned long long)s.count, bits(s.mean),
           bits(s.std), bits(s.min), bits(s.max), bits(s.quantiles[0]),
           bits(s.quantiles[1]), bits(s.quantiles[2]),
           (unsigned long long)s.unique, (unsigned long long)s.freq);
    ops_summary_free(&s);
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [ROWS [REPS [COLUMN]]]\n", argv[0]);
        return 2;
    }
    size_t rows = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000000;
    int reps = argc > 3 ? atoi(argv[3]) : 3;
    long only = argc > 4 ? atol(argv[4]) : -1;
    static column cols[MAX_COLS];
    size_t ncols = load(argv[1], rows, cols);
    double total[3] = {0, 0, 0};
    size_t nfields = 0;
    printf("%-14s %10s %10s %10s %10s   (ns/field)\n", "column", "fields",
           "classify", "col_add", "finish");
    for (size_t j = 0; j < ncols; j++) {
        if (only >= 0 && (size_t)only != j)
            continue;
        double best_cls = 1e30, best_add = 1e30;
        ops_col col;
        ops_col_init(&col);
        for (int r = 0; r < reps; r++) {
            double t = time_classify(&cols[j]);
            best_cls = t < best_cls ? t : best_cls;
            ops_col_free(&col);
            t = time_add(&cols[j], &col);
            best_add = t < best_add ? t : best_add;
        }
        double n = cols[j].n ? (double)cols[j].n : 1;
        double fin = finish_and_print(&cols[j], &col);
        ops_col_free(&col);
        printf("%-14s %10zu %10.2f %10.2f %10.2f\n", cols[j].name, cols[j].n,
               best_cls * 1e9 / n, best_add * 1e9 / n, fin * 1e9 / n);
        total[0] += best_cls;
        total[1] += best_add;
        total[2] += fin;
        nfields += cols[j].n;
    }
    double n = nfields ? (double)nfields : 1;
    printf("%-14s %10zu %10.2f %10.2f %10.2f\n", "total", nfields,
           total[0] * 1e9 / n, total[1] * 1e9 / n, total[2] * 1e9 / n);
    return 0;
}
