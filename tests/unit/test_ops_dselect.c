/*
 * test_ops_dselect.c - ops_select_ranks_reduced against the single process.
 *
 * P = 1..5 processes are threads; their reducer adds every thread's array
 * under a mutex and hands out the total after a barrier, and notes any
 * call whose length differs between threads (that would hang MPI). Each
 * data set is spread over the processes (at random, or all on one), and
 * every process must get, for every rank, the key ops_select_ranks finds
 * over all keys in one process, which must also be the sorted array's.
 * The seed is printed; DFSUM_SEED=n replays one.
 *
 * The file includes ops_dselect.c itself, to reach ds_select, which takes
 * the copy budget as an argument: each data set also runs with no copies
 * at all (every round reads all keys) and with budgets that differ between
 * processes, which must change neither the keys nor the calls. The
 * library's own ops_dselect.o is then not linked in, as nothing else here
 * needs it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_dselect.c"

#define MAX_PROCS 5
#define DEFAULT   SIZE_MAX /* a budget that means the public function */

typedef struct {
    pthread_mutex_t mu;
    pthread_barrier_t bar;
    uint64_t *acc;
    size_t cap, n;
    unsigned arrived;
    int bad;      /* lengths differed, or no memory */
    size_t calls; /* sum_u64 calls so far */
} sim_world;

typedef struct {
    sim_world *w;
    ops_vec vec[2]; /* two vecs per process, the second often empty */
    const uint64_t *ranks;
    size_t nranks;
    size_t budget; /* of copies, in keys; DEFAULT: the library's */
    uint64_t *out;
    int rc;
} sim_proc;

/* The first thread of a call sizes and zeroes the total; each adds its
 * counts; after a barrier each copies the total; the last barrier keeps
 * the next call from starting before everyone has copied. */
static int sim_sum(void *ctx, uint64_t *counts, size_t n)
{
    sim_world *w = ctx;
    pthread_mutex_lock(&w->mu);
    if (w->arrived++ == 0) {
        w->n = n;
        w->calls++;
        if (n > w->cap) {
            free(w->acc);
            w->acc = malloc(n * sizeof *w->acc);
            w->cap = w->acc ? n : 0;
        }
        if (w->acc)
            memset(w->acc, 0, n * sizeof *w->acc);
    }
    w->bad |= n != w->n || w->acc == NULL;
    size_t m = w->bad ? 0 : n;
    for (size_t i = 0; i < m; i++)
        w->acc[i] += counts[i];
    pthread_mutex_unlock(&w->mu);
    pthread_barrier_wait(&w->bar);
    if (!w->bad)
        memcpy(counts, w->acc, n * sizeof *counts);
    if (pthread_barrier_wait(&w->bar) == PTHREAD_BARRIER_SERIAL_THREAD)
        w->arrived = 0;
    pthread_barrier_wait(&w->bar);
    return w->bad ? -1 : 0;
}

static void *sim_main(void *arg)
{
    sim_proc *p = arg;
    ops_reducer red = {.sum_u64 = sim_sum, .ctx = p->w};
    const ops_vec *vecs[2] = {&p->vec[0], &p->vec[1]};
    if (p->budget == DEFAULT)
        p->rc = ops_select_ranks_reduced(vecs, 2, p->ranks, p->nranks, p->out,
                                         &red);
    else
        p->rc =
            ds_select(vecs, 2, p->ranks, p->nranks, p->out, &red, p->budget);
    return NULL;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t test_seed(void)
{
    const char *env = getenv("DFSUM_SEED");
    return env ? strtoull(env, NULL, 10) : 20260611;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The reference keys: ops_select_ranks over one vec, checked against a
 * sorted copy. */
static void reference(const uint64_t *keys, size_t n, const uint64_t *ranks,
                      size_t nranks, uint64_t *want)
{
    ops_vec all;
    ops_vec_init(&all);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ops_vec_push(&all, keys[i]), 0);
    const ops_vec *vecs[1] = {&all};
    assert_int_equal(ops_select_ranks(vecs, 1, ranks, nranks, want), 0);
    ops_vec_free(&all);
    uint64_t *sorted = malloc((n + 1) * sizeof *sorted);
    assert_non_null(sorted);
    memcpy(sorted, keys, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_u64);
    for (size_t i = 0; i < nranks; i++)
        assert_true(want[i] == sorted[ranks[i]]);
    free(sorted);
}

/* Spreads keys over np processes: at random, or all on process `only`
 * (when only < np). A third of each process's keys go to its second vec. */
static void spread(sim_proc *p, size_t np, const uint64_t *keys, size_t n,
                   size_t only, uint64_t *seed)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t r = splitmix(seed);
        size_t to = only < np ? only : (size_t)(r % np);
        ops_vec *v = &p[to].vec[(r >> 32) % 3 == 0];
        assert_int_equal(ops_vec_push(v, keys[i]), 0);
    }
}

/* The copy budgets of a world's processes. */
typedef enum {
    BUDGET_DEFAULT, /* the library's */
    BUDGET_NONE,    /* no copies: every round reads all keys */
    BUDGET_MIXED,   /* none, a few keys, some, the library's, by process */
} budget_kind;

static size_t budget_of(budget_kind kind, size_t proc)
{
    static const size_t mixed[4] = {0, 40, 3000, DEFAULT};
    return kind == BUDGET_DEFAULT ? DEFAULT
           : kind == BUDGET_NONE  ? 0
                                  : mixed[proc % 4];
}

/* Runs one distributed selection on np threads and checks every
 * process's keys; returns the number of sum_u64 calls. */
static size_t run_budget(const uint64_t *keys, size_t n, size_t np, size_t only,
                         const uint64_t *ranks, size_t nranks,
                         const uint64_t *want, int want_rc, uint64_t *seed,
                         budget_kind kind)
{
    sim_world w = {.acc = NULL};
    sim_proc p[MAX_PROCS];
    pthread_t th[MAX_PROCS];
    pthread_mutex_init(&w.mu, NULL);
    pthread_barrier_init(&w.bar, NULL, (unsigned)np);
    for (size_t i = 0; i < np; i++) {
        p[i] = (sim_proc){.w = &w,
                          .ranks = ranks,
                          .nranks = nranks,
                          .budget = budget_of(kind, i)};
        ops_vec_init(&p[i].vec[0]);
        ops_vec_init(&p[i].vec[1]);
        p[i].out = calloc(nranks + 1, sizeof *p[i].out);
        assert_non_null(p[i].out);
    }
    spread(p, np, keys, n, only, seed);
    for (size_t i = 0; i < np; i++)
        assert_int_equal(pthread_create(&th[i], NULL, sim_main, &p[i]), 0);
    for (size_t i = 0; i < np; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(w.bad, 0);
    for (size_t i = 0; i < np; i++) {
        assert_int_equal(p[i].rc, want_rc);
        for (size_t r = 0; r < nranks && want_rc == 0; r++)
            if (p[i].out[r] != want[r])
                fail_msg("process %zu rank %llu: %llx, want %llx", i,
                         (unsigned long long)ranks[r],
                         (unsigned long long)p[i].out[r],
                         (unsigned long long)want[r]);
        ops_vec_free(&p[i].vec[0]);
        ops_vec_free(&p[i].vec[1]);
        free(p[i].out);
    }
    pthread_barrier_destroy(&w.bar);
    pthread_mutex_destroy(&w.mu);
    free(w.acc);
    return w.calls;
}

static size_t run_world(const uint64_t *keys, size_t n, size_t np, size_t only,
                        const uint64_t *ranks, size_t nranks,
                        const uint64_t *want, int want_rc, uint64_t *seed)
{
    return run_budget(keys, n, np, only, ranks, nranks, want, want_rc, seed,
                      BUDGET_DEFAULT);
}

/* Ranks 0 and n-1, a repeat, and random ones in no order. */
static size_t pick_ranks(uint64_t n, uint64_t *ranks, size_t max,
                         uint64_t *seed)
{
    size_t k = 0;
    ranks[k++] = n - 1;
    ranks[k++] = 0;
    ranks[k++] = n / 2;
    ranks[k++] = n - 1;
    while (k < max)
        ranks[k++] = splitmix(seed) % n;
    return k;
}

/* Checks one data set with 1..5 processes, with all keys on one process
 * and spread at random; the same spread also without copies and with
 * mixed budgets, which must take as many calls as the library's budget
 * (the calls follow the sample, so they may differ between spreads). */
static void check_keys(const uint64_t *keys, size_t n, size_t nranks,
                       uint64_t *seed)
{
    uint64_t *ranks = malloc(nranks * sizeof *ranks);
    uint64_t *want = malloc(nranks * sizeof *want);
    assert_non_null(ranks);
    assert_non_null(want);
    nranks = pick_ranks(n, ranks, nranks, seed);
    reference(keys, n, ranks, nranks, want);
    for (size_t np = 1; np <= MAX_PROCS; np++) {
        run_world(keys, n, np, splitmix(seed) % np, ranks, nranks, want, 0,
                  seed);
        uint64_t s0 = splitmix(seed), s1 = s0, s2 = s0; /* one spread */
        size_t calls = run_world(keys, n, np, np, ranks, nranks, want, 0, &s0);
        assert_int_equal(run_budget(keys, n, np, np, ranks, nranks, want, 0,
                                    &s1, BUDGET_NONE),
                         calls);
        assert_int_equal(run_budget(keys, n, np, np, ranks, nranks, want, 0,
                                    &s2, BUDGET_MIXED),
                         calls);
    }
    free(ranks);
    free(want);
}

static uint64_t *new_keys(size_t n)
{
    uint64_t *k = malloc((n + 1) * sizeof *k);
    assert_non_null(k);
    return k;
}

static void test_random_u64(void **state)
{
    uint64_t seed = test_seed() ^ 1;
    size_t n = 60000;
    uint64_t *k = new_keys(n);
    (void)state;
    for (size_t i = 0; i < n; i++)
        k[i] = splitmix(&seed);
    check_keys(k, n, 12, &seed);
    free(k);
}

/* Doubles of all signs and many magnitudes, and a block in [1, 2) whose
 * keys share their top bits (big brackets, copies of several blocks). */
static void test_random_doubles(void **state)
{
    uint64_t seed = test_seed() ^ 2;
    size_t n = 80000;
    uint64_t *k = new_keys(n);
    (void)state;
    for (size_t i = 0; i < n; i++) {
        double u = (double)(splitmix(&seed) >> 11) * 0x1p-53;
        double x =
            i % 2 ? 1.0 + u : (u - 0.5) * (double)(UINT64_C(1) << (i % 40));
        k[i] = ops_key_from_f64(x);
    }
    k[7] = ops_key_from_f64(-0.0);
    k[8] = ops_key_from_f64(0.0);
    check_keys(k, n, 10, &seed);
    free(k);
}

static void test_duplicates(void **state)
{
    uint64_t seed = test_seed() ^ 3, pool[7];
    size_t n = 30000;
    uint64_t *k = new_keys(n);
    (void)state;
    for (size_t i = 0; i < 7; i++)
        pool[i] = splitmix(&seed);
    pool[1] = pool[0] + 1; /* neighbours: differ in the last bit only */
    for (size_t i = 0; i < n; i++)
        k[i] = pool[splitmix(&seed) % 7];
    check_keys(k, n, 16, &seed);
    free(k);
}

static void test_all_equal(void **state)
{
    uint64_t seed = test_seed() ^ 4;
    size_t n = 20000;
    uint64_t *k = new_keys(n);
    (void)state;
    for (size_t i = 0; i < n; i++)
        k[i] = ops_key_from_f64(3.25);
    check_keys(k, n, 6, &seed);
    free(k);
}

static void test_two_values(void **state)
{
    uint64_t seed = test_seed() ^ 5;
    size_t n = 20000;
    uint64_t *k = new_keys(n);
    (void)state;
    for (size_t i = 0; i < n; i++)
        k[i] = ops_key_from_f64(splitmix(&seed) % 5 ? 1.0 : 1.5);
    check_keys(k, n, 8, &seed);
    free(k);
}

static void test_extremes(void **state)
{
    uint64_t seed = test_seed() ^ 6;
    size_t n = 10000;
    uint64_t *k = new_keys(n);
    (void)state;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = splitmix(&seed);
        k[i] = r % 3 == 0 ? 0 : r % 3 == 1 ? UINT64_MAX : r;
    }
    check_keys(k, n, 8, &seed);
    for (size_t i = 0; i < n; i++) /* only the two extremes */
        k[i] = i % 2 ? UINT64_MAX : 0;
    check_keys(k, n, 8, &seed);
    free(k);
}

/* Narrow ranges under equal top bits: small integers, and keys that
 * differ only in their low 20 bits under a random prefix. */
static void test_narrow(void **state)
{
    uint64_t seed = test_seed() ^ 7, prefix = splitmix(&seed) << 20;
    size_t n = 30000;
    uint64_t *k = new_keys(n);
    (void)state;
    for (size_t i = 0; i < n; i++)
        k[i] = ops_key_from_i64((int64_t)(splitmix(&seed) % 1000) - 500);
    check_keys(k, n, 10, &seed);
    for (size_t i = 0; i < n; i++)
        k[i] = prefix | (splitmix(&seed) & 0xFFFFF);
    check_keys(k, n, 10, &seed);
    free(k);
}

static void test_tiny(void **state)
{
    uint64_t seed = test_seed() ^ 8;
    uint64_t k[2] = {ops_key_from_f64(-1.5), ops_key_from_f64(2.0)};
    (void)state;
    check_keys(k, 1, 4, &seed);
    check_keys(k, 2, 5, &seed);
    k[1] = k[0];
    check_keys(k, 2, 5, &seed);
}

/* Every rank of a few thousand keys: many brackets share a round, and
 * without copies many share each bin of the top bits. */
static void test_every_rank(void **state)
{
    uint64_t seed = test_seed() ^ 9;
    size_t n = 3000;
    uint64_t *k = new_keys(n), *ranks = new_keys(n), *want = new_keys(n);
    (void)state;
    for (size_t i = 0; i < n; i++) {
        k[i] = splitmix(&seed) % 4 ? splitmix(&seed) : 42;
        ranks[i] = (i * 7919) % n; /* every rank once, shuffled */
    }
    reference(k, n, ranks, n, want);
    for (size_t np = 1; np <= MAX_PROCS; np += 2) {
        run_world(k, n, np, np, ranks, n, want, 0, &seed);
        run_budget(k, n, np, np, ranks, n, want, 0, &seed, BUDGET_NONE);
    }
    free(k);
    free(ranks);
    free(want);
}

/* A rank not below the total count fails on every process, and nothing
 * to select makes no call. */
static void test_bad_rank(void **state)
{
    uint64_t seed = test_seed() ^ 10, k[3] = {5, 6, 7}, ranks[2] = {1, 3};
    (void)state;
    for (size_t np = 1; np <= MAX_PROCS; np++) {
        run_world(k, 3, np, np, ranks, 2, NULL, -1, &seed);
        run_world(k, 0, np, np, ranks, 1, NULL, -1, &seed);
        assert_int_equal(run_world(k, 3, np, np, ranks, 0, NULL, 0, &seed), 0);
    }
}

/* Few rounds: random doubles take the first call, the sample, two
 * counting rounds and one of shapes only (a third counting one when
 * unlucky); equal keys are resolved by the shape of round 1. */
static void test_rounds(void **state)
{
    uint64_t seed = test_seed() ^ 11, ranks[3] = {0, 50000, 99999}, want[3];
    size_t n = 100000;
    uint64_t *k = new_keys(n);
    (void)state;
    for (size_t i = 0; i < n; i++)
        k[i] = ops_key_from_f64((double)(splitmix(&seed) >> 11) * 0x1p-53);
    reference(k, n, ranks, 3, want);
    assert_true(run_world(k, n, 2, 2, ranks, 3, want, 0, &seed) <= 6);
    for (size_t i = 0; i < n; i++)
        k[i] = 12345;
    reference(k, n, ranks, 3, want);
    assert_int_equal(run_world(k, n, 3, 3, ranks, 3, want, 0, &seed), 3);
    free(k);
}

/* Two processes holding more keys each than the library's least budget
 * (2^17), crowded into the ranks' brackets: the public function itself
 * counts from all keys for a round or more before it copies, or never
 * copies. Small integers on both sides of zero, keys under one long
 * prefix, three values, and a value holding most keys among random
 * ones. */
static void test_crowded(void **state)
{
    uint64_t seed = test_seed() ^ 12, prefix = splitmix(&seed) << 24;
    uint64_t ranks[12], want[12];
    size_t n = 300000, nr;
    uint64_t *k = new_keys(n);
    (void)state;
    for (int set = 0; set < 4; set++) {
        for (size_t i = 0; i < n; i++) {
            uint64_t r = splitmix(&seed);
            k[i] = set == 0   ? ops_key_from_i64((int64_t)(r % 1000) - 500)
                   : set == 1 ? prefix | (r & 0xFFFFFF)
                   : set == 2 ? UINT64_C(1) << (61 + r % 3)
                   : r % 8    ? ops_key_from_f64(-2.5)
                              : r;
        }
        nr = pick_ranks(n, ranks, 12, &seed);
        reference(k, n, ranks, nr, want);
        uint64_t s0 = splitmix(&seed), s1 = s0; /* one spread */
        size_t calls = run_world(k, n, 2, 2, ranks, nr, want, 0, &s0);
        assert_int_equal(
            run_budget(k, n, 2, 2, ranks, nr, want, 0, &s1, BUDGET_NONE),
            calls);
    }
    free(k);
}

/* The plan of round 1 never needs more bins than ROOT_CAP, however the
 * sample falls: all in one bin of the top bits, one key per bin, even,
 * or at random; and its bins follow each other in key order. */
static void test_plan(void **state)
{
    uint64_t seed = test_seed() ^ 13, *sample = new_keys(1u << ROOT_BITS);
    ds_state s = {.first = calloc(1u << ROOT_BITS, sizeof(uint32_t))};
    (void)state;
    assert_non_null(s.first);
    for (int kind = 0; kind < 6; kind++) {
        for (size_t r = 0; r < (1u << ROOT_BITS); r++)
            sample[r] = kind == 0   ? 0
                        : kind == 1 ? (r == 77 ? 1000000 : 0)
                        : kind == 2 ? 1
                        : kind == 3 ? 12345
                        : kind == 4 ? splitmix(&seed) % 1000
                                    : splitmix(&seed) >> 20;
        size_t bins = plan_root(&s, sample);
        assert_true(bins > 0 && bins <= ROOT_CAP);
        size_t next = 0;
        for (size_t r = 0; r < (1u << ROOT_BITS); r++) {
            unsigned shift = s.first[r] & 63;
            assert_int_equal(s.first[r] >> 6, next);
            assert_true(shift >= ROOT_SHIFT - ROOT_FINE - 1 &&
                        shift <= ROOT_SHIFT);
            next += (size_t)1 << (ROOT_SHIFT - shift);
        }
        assert_int_equal(next, bins);
    }
    free(s.first);
    free(sample);
}

static void test_no_reducer(void **state)
{
    ops_vec v;
    uint64_t ranks[3] = {2, 0, 1}, out[3];
    const ops_vec *vecs[1] = {&v};
    (void)state;
    ops_vec_init(&v);
    for (uint64_t i = 0; i < 3; i++)
        assert_int_equal(ops_vec_push(&v, 30 - 10 * i), 0);
    assert_int_equal(ops_select_ranks_reduced(vecs, 1, ranks, 3, out, NULL), 0);
    assert_true(out[0] == 30 && out[1] == 10 && out[2] == 20);
    ops_vec_free(&v);
}

int main(void)
{
    printf("seed %llu (set DFSUM_SEED to replay)\n",
           (unsigned long long)test_seed());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_u64),
        cmocka_unit_test(test_random_doubles),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_all_equal),
        cmocka_unit_test(test_two_values),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_narrow),
        cmocka_unit_test(test_tiny),
        cmocka_unit_test(test_every_rank),
        cmocka_unit_test(test_bad_rank),
        cmocka_unit_test(test_rounds),
        cmocka_unit_test(test_crowded),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_no_reducer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
