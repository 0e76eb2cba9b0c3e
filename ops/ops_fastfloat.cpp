/*
 * ops_fastfloat.cpp - correctly rounded decimal -> double, a C entry point
 * over the header-only fast_float library (Eisel-Lemire with an exact
 * big-number fallback, round-half-even).
 *
 * fast_float alone accepts "nan", "inf" and stops at the first byte it does
 * not understand; the contract here is stricter: the whole span must be a
 * plain decimal number, and a value beyond DBL_MAX is reported, not turned
 * into infinity. Built without exceptions or RTTI; only templates from
 * headers are used, so no C++ runtime library is needed at run time.
 */
#include <fast_float/fast_float.h>

#include <cstddef>

extern "C" {
#include "ops.h"
}

static bool starts_number(char c)
{
    return (c >= '0' && c <= '9') || c == '.';
}

/* fast_float 3.x rounds an overflow to infinity without an error code. */
static bool is_infinite(double d)
{
    return d > 1.7976931348623157e308 || d < -1.7976931348623157e308;
}

extern "C" int ops_parse_double(const char *s, size_t n, double *out)
{
    if (n == 0)
        return -1;
    const char *end = s + n;
    const char *first = s + (s[0] == '+'); /* fast_float rejects '+' */
    const char *body = first + (first == s && first != end && *first == '-');
    if (body == end || !starts_number(*body))
        return -1; /* rejects nan / inf, "+-1", "--1" */
    double d = 0.0;
    fast_float::from_chars_result r = fast_float::from_chars(first, end, d);
    if (r.ec != std::errc() || r.ptr != end)
        return -1;
    if (is_infinite(d))
        return 1;
    *out = d;
    return 0;
}
