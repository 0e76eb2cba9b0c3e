/*
 * decimal.c - read_csv's decimal: another character as the decimal mark
 * ("1,5" is 1.5 and "1.5" text with decimal=',').
 *
 * The readers of ops/ know only '.', so a chunk is read through a copy in
 * which the mark and '.' trade places. That is a one-to-one map of bytes,
 * so under it a field is a number exactly when pandas reads the original
 * as one, with the same value, and text fields stay as many distinct
 * values with the same counts: only a top value is mapped back for the
 * table. Neither byte may be a delimiter, quote or line end, so records
 * and fields fall where they did (engine_decimal_ok).
 *
 * The map misses one rule: pandas matches its missing-value strings
 * before any number syntax, on the original bytes, and four of them hold
 * a '.' ("1.#IND", "-1.#IND", "1.#QNAN", "-1.#QNAN"). In the copy, such a
 * field is written with the mark and would be text, and the same words
 * written with the mark in the file ("1,#IND", text for pandas) would be
 * missing: engine_decimal_fix blanks the first and maps the second back,
 * so that it is counted with its own bytes. Those four words with the
 * mark are the map's only fixed points among stored text, and a top value
 * that is one of them is shown as it is.
 */
#include "engine.h"

#include <string.h>

int engine_number_mark_ok(char mark, int space)
{
    unsigned char c = (unsigned char)mark;
    if (c == ' ')
        return space;
    return c > 0x20 && c < 0x7F && !(c >= '0' && c <= '9') &&
           !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') && c != '+' &&
           c != '-';
}

int engine_decimal_ok(char mark, char delim, char quote)
{
    if (mark == '.')
        return 1;
    return engine_number_mark_ok(mark, 0) && mark != delim && mark != quote &&
           delim != '.' && quote != '.';
}

void engine_decimal_swap(char mark, const char *in, char *out, size_t n)
{
    /* '.' ^ flip is the mark and the mark ^ flip is '.': a loop without a
     * branch, which the compiler vectorizes */
    const unsigned char flip = (unsigned char)('.' ^ mark);
    const unsigned char *src = (const unsigned char *)in;
    unsigned char *dst = (unsigned char *)out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = src[i];
        unsigned char hit =
            (unsigned char)(c == '.' || c == (unsigned char)mark);
        dst[i] = c ^ (unsigned char)(flip & (0u - hit));
    }
}

/* The missing-value words of read_csv that hold a '.'. */
static const char *const dotted_na[] = {"1.#IND", "-1.#IND", "1.#QNAN",
                                        "-1.#QNAN"};
#define N_DOTTED (sizeof dotted_na / sizeof dotted_na[0])

/* Whether s[0..n) is dotted_na[k] with its '.' written as c. */
static int dotted_as(const char *s, size_t n, size_t k, char c)
{
    const char *w = dotted_na[k];
    if (strlen(w) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != (w[i] == '.' ? c : w[i]))
            return 0;
    return 1;
}

/* -1: s is none of the words with its '.' written as c; else which. */
static int which_dotted(const char *s, size_t n, char c)
{
    if (n < 6 || n > 8 || (s[2] != '#' && s[3] != '#')) /* most fields */
        return -1;
    for (size_t k = 0; k < N_DOTTED; k++)
        if (dotted_as(s, n, k, c))
            return (int)k;
    return -1;
}

int engine_decimal_fix(char mark, char *s, size_t len)
{
    if (which_dotted(s, len, mark) >= 0) /* "1.#IND" in the file */
        return 1;
    if (which_dotted(s, len, '.') >= 0) /* "1,#IND" */
        engine_decimal_swap(mark, s, s, len);
    return 0;
}

void engine_decimal_top(char mark, char *top, size_t len)
{
    if (mark != '.' && which_dotted(top, len, mark) < 0)
        engine_decimal_swap(mark, top, top, len);
}
