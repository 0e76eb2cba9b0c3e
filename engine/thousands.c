/*
 * thousands.c - read_csv's thousands: a separator of digit groups that
 * numbers may hold ("1,234,567" is 1234567 with thousands=',').
 *
 * pandas' parser skips the separator wherever it follows a digit of a
 * number's integer part ("1,2,3" and "123," are 123, "1,,2" is 12), and
 * nowhere else: ",5", "-,5", "1.5,3" and "1e3,4" stay text. So a field
 * with that shape has its separators dropped in place (the chunk is read
 * through a writable copy, decimal.c) before the summaries see it, and
 * any other field is left as it is, text for the readers when it holds
 * the separator. The readers of ops/ then read the digits as they read
 * any number. A column that turns out to be text is counted again from
 * the file's own bytes (the engine's text pass), as its numbers are text
 * as written.
 *
 * One more rule: only pandas' integer reader takes separators in a row
 * ("1,,2" is 12, "1,,2.5" text). A column that also holds a decimal goes
 * through its float reader, which then fails on "1,,2": the column is
 * object. Such a field is read as an integer and its column's partial
 * told (OPS_SAW_GROUPED_INT), which makes it object beside a decimal;
 * the column is then read again as text.
 */
#include "engine.h"

#include <string.h>

int engine_thousands_ok(char sep, char mark, char delim, char quote)
{
    return engine_number_mark_ok(sep, 1) && sep != mark && sep != delim &&
           sep != quote;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The end of the digits from s[i] (and of separators after a digit). */
static size_t digits_end(const char *s, size_t i, size_t n, char sep)
{
    while (i < n && (is_digit(s[i]) || (sep && s[i] == sep)))
        i++;
    return i;
}

/* Whether s[i..end) holds two separators in a row. */
static int doubled(const char *s, size_t i, size_t end, char sep)
{
    for (; i + 1 < end; i++)
        if (s[i] == sep && s[i + 1] == sep)
            return 1;
    return 0;
}

/* The end of "[. digit*] [(e|E) [+-]? digit+]" from s[i], or 0 when an
 * exponent has no digit. */
static size_t tail_end(const char *s, size_t i, size_t n)
{
    if (i < n && s[i] == '.')
        i = digits_end(s, i + 1, n, 0);
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        i += i < n && (s[i] == '+' || s[i] == '-');
        size_t exp = i;
        i = digits_end(s, i, n, 0);
        if (i == exp)
            return 0;
    }
    return i;
}

/* What s[0..n) is with sep between digit groups: not a number holding
 * sep, a number, or an integer with separators in a row. */
enum { GROUPED_NONE, GROUPED_NUMBER, GROUPED_INTEGER_ONLY };

static int grouped_shape(const char *s, size_t n, char sep)
{
    size_t i = 0;
    while (i < n && is_space(s[i])) /* a separator follows a digit */
        i++;
    i += i < n && (s[i] == '+' || s[i] == '-');
    if (i == n || !is_digit(s[i]))
        return GROUPED_NONE;
    size_t start = i, int_end = digits_end(s, i, n, sep);
    if (memchr(s + start, sep, int_end - start) == NULL)
        return GROUPED_NONE;
    size_t end = tail_end(s, int_end, n);
    if (end == 0)
        return GROUPED_NONE;
    for (i = end; i < n && is_space(s[i]);)
        i++;
    if (i != n)
        return GROUPED_NONE;
    if (!doubled(s, start, int_end, sep))
        return GROUPED_NUMBER;
    /* "1,,2": only the integer reader takes doubled separators */
    return end == int_end ? GROUPED_INTEGER_ONLY : GROUPED_NONE;
}

size_t engine_thousands_drop(char sep, char *s, size_t len, int *doubled_seps)
{
    int shape = len < 2 || !memchr(s, sep, len) ? GROUPED_NONE
                                                : grouped_shape(s, len, sep);
    *doubled_seps = shape == GROUPED_INTEGER_ONLY;
    if (shape == GROUPED_NONE)
        return len;
    size_t kept = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] != sep)
            s[kept++] = s[i];
    return kept;
}
