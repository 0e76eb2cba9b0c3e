/*
 * summary_check.h - cmocka checks that two ops_summary values are the same
 * to the bit, shared by the ops/ tests that compare one way of building a
 * column with another (one call vs many, one process vs several).
 * Include after <cmocka.h> and "ops.h".
 */
#ifndef DFSUM_SUMMARY_CHECK_H
#define DFSUM_SUMMARY_CHECK_H

/* Bit for bit: NaN equals NaN, -0.0 differs from +0.0. */
static inline void same_double(double a, double b)
{
    assert_memory_equal(&a, &b, sizeof a);
}

static inline void same_summary(const ops_summary *a, const ops_summary *b)
{
    assert_int_equal(a->dtype, b->dtype);
    assert_int_equal(a->count, b->count);
    same_double(a->mean, b->mean);
    same_double(a->std, b->std);
    same_double(a->min, b->min);
    same_double(a->max, b->max);
    assert_int_equal(a->npct, b->npct);
    for (size_t i = 0; i < a->npct; i++)
        same_double(a->quantiles[i], b->quantiles[i]);
    assert_int_equal(a->unique, b->unique);
    assert_int_equal(a->freq, b->freq);
    assert_int_equal(a->top_len, b->top_len);
    assert_int_equal(a->top == NULL, b->top == NULL);
    if (a->top)
        assert_memory_equal(a->top, b->top, a->top_len + 1);
}

#endif
