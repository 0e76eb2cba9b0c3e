/*
 * na_values.c - read_csv's na_values: more strings read as missing.
 *
 * pandas turns the list into two sets (pandas/io/parsers/base_parser.py,
 * _stringify_na_values and _floatify_na_values):
 *   - strings: each value as given and, when Python's float() reads it as
 *     a finite integral number v, also str(int(v)) and str(int(v)) + ".0"
 *     ("1e3" adds "1000" and "1000.0"), as another finite number, str(v)
 *     (" 2.50" adds "2.5"); a field equal to one is missing, in any
 *     column;
 *   - numbers: every value float() reads, NaN left out; in a column that
 *     ends up float64, a value equal to one is missing too, however it
 *     was spelled ("2.50" for "2.5").
 * The strings are matched here, field by field, before the summaries see
 * a batch: a match becomes an empty field, which every reader takes for
 * missing. The numbers go to the finish of float64 columns
 * (ops_col_set_na_floats).
 */
#include "engine.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Python's float() ---------------------------------------------------- */

/* A run of digits with single underscores between them ("1_000"), copied
 * into out without the underscores. Returns its end, or NULL when there is
 * none or an underscore is misplaced. */
static const char *digit_part(const char *s, char *out, size_t *n)
{
    if (!isdigit((unsigned char)*s))
        return NULL;
    while (isdigit((unsigned char)*s) ||
           (*s == '_' && isdigit((unsigned char)s[1]))) {
        if (*s != '_')
            out[(*n)++] = *s;
        s++;
    }
    return s;
}

static int same_word(const char *s, size_t n, const char *word)
{
    return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

/* The number float(s) reads in Python 3 (surrounding whitespace, a sign,
 * digits with underscores, "inf", "infinity", "nan" in any case), or 0
 * when it raises ValueError. */
static int python_float(const char *s, double *out)
{
    size_t len = strlen(s), n = 0;
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    while (len > 0 && isspace((unsigned char)*s))
        s++, len--;
    char *text = malloc(len + 2);
    if (text == NULL)
        return 0;
    const char *p = s, *end = s + len;
    if (p < end && (*p == '+' || *p == '-'))
        text[n++] = *p++;
    if (same_word(p, (size_t)(end - p), "inf") ||
        same_word(p, (size_t)(end - p), "infinity") ||
        same_word(p, (size_t)(end - p), "nan")) {
        *out = (*p | 0x20) == 'n' ? NAN : (s[0] == '-' ? -INFINITY : INFINITY);
        free(text);
        return 1;
    }
    const char *q = digit_part(p, text, &n);
    int digits = q != NULL;
    p = q ? q : p;
    if (p < end && *p == '.') {
        text[n++] = *p++;
        q = digit_part(p, text, &n);
        digits |= q != NULL;
        p = q ? q : p;
    }
    if (digits && p < end && (*p == 'e' || *p == 'E')) {
        text[n++] = *p++;
        if (p < end && (*p == '+' || *p == '-'))
            text[n++] = *p++;
        q = digit_part(p, text, &n);
        digits = q != NULL;
        p = q ? q : p;
    }
    text[n] = '\0';
    int ok = digits && p == end;
    if (ok)
        *out = strtod(text, NULL);
    free(text);
    return ok;
}

/* ---- the session's lists ---------------------------------------------------
 */

void engine_na_free(dfsum *d)
{
    for (size_t i = 0; i < d->n_na_text; i++)
        free(d->na_text[i]);
    free(d->na_text);
    free(d->na_len);
    free(d->na_num);
    d->na_text = NULL;
    d->na_len = NULL;
    d->na_num = NULL;
    d->n_na_text = d->n_na_num = 0;
    d->na_lengths = 0;
}

/* Adds s (UTF-8) to the strings, in the bytes of the files' encoding: a
 * string it cannot write can match no field and is left out. */
static int add_text(dfsum *d, const char *s)
{
    size_t len = strlen(s);
    char *copy = d->encoding == IO_ENC_UTF8
                     ? strdup(s)
                     : io_encoding_from_utf8(d->encoding, s, len, &len);
    if (copy == NULL)
        return d->encoding == IO_ENC_UTF8 ? -1 : 0;
    for (size_t i = 0; i < d->n_na_text; i++)
        if (d->na_len[i] == len && memcmp(d->na_text[i], copy, len) == 0) {
            free(copy);
            return 0;
        }
    d->na_text[d->n_na_text] = copy;
    d->na_len[d->n_na_text++] = len;
    d->na_lengths |= (uint64_t)1 << (len < 63 ? len : 63);
    return 0;
}

/* str(int(v)) and str(int(v)) + ".0" of a finite integral v: glibc's %.0f
 * prints a double's exact integer value, as Python's int() has it. */
static int add_integral(dfsum *d, double v)
{
    char buf[400];
    snprintf(buf, sizeof buf - 2, "%.0f", v == 0 ? 0.0 : v);
    if (add_text(d, buf) != 0)
        return -1;
    strcat(buf, ".0");
    return add_text(d, buf);
}

/* The strings pandas adds for a number float() reads: of an integral v,
 * str(int(v)) and that + ".0"; of another finite v, str(v) (its repr),
 * as the set of na_values it hands the parser holds v itself, which the
 * parser turns into that string ("39.4862020" adds "39.486202"). */
static int add_float_text(dfsum *d, double v)
{
    if (!isfinite(v))
        return 0;
    if (v == floor(v))
        return add_integral(d, v);
    char repr[ENGINE_REPR_MAX];
    engine_float_repr(v, repr);
    return add_text(d, repr);
}

static dfsum_status add_number(dfsum *d, double v, const char *given)
{
    for (size_t i = 0; i < d->n_na_num; i++)
        if (d->na_num[i] == v && signbit(d->na_num[i]) == signbit(v))
            return DFSUM_OK;
    if (d->n_na_num == OPS_NA_FLOATS_MAX)
        return engine_fail(d, DFSUM_EINVAL,
                           "--na-values: at most %d distinct numbers ('%s' is "
                           "one more)",
                           OPS_NA_FLOATS_MAX, given);
    d->na_num[d->n_na_num++] = v;
    return DFSUM_OK;
}

/* The strings and numbers of the n values. */
static dfsum_status build_na(dfsum *d, const char *const *values, size_t n)
{
    engine_na_free(d);
    d->na_text = calloc(3 * n + 1, sizeof *d->na_text);
    d->na_len = calloc(3 * n + 1, sizeof *d->na_len);
    d->na_num = calloc(OPS_NA_FLOATS_MAX, sizeof *d->na_num);
    dfsum_status st = d->na_text && d->na_len && d->na_num
                          ? DFSUM_OK
                          : engine_fail(d, DFSUM_ENOMEM, "out of memory");
    for (size_t i = 0; st == DFSUM_OK && i < n; i++) {
        double v;
        if (add_text(d, values[i]) != 0)
            st = engine_fail(d, DFSUM_ENOMEM, "out of memory");
        else if (!python_float(values[i], &v) || isnan(v))
            continue;
        else if (add_float_text(d, v) != 0)
            st = engine_fail(d, DFSUM_ENOMEM, "out of memory");
        else
            st = add_number(d, v, values[i]);
    }
    if (st != DFSUM_OK)
        engine_na_free(d);
    return st;
}

dfsum_status dfsum_set_na_values(dfsum *d, const char *const *values, size_t n)
{
    char **given;
    dfsum_status st = engine_strings_dup(d, values, n, &given);
    if (st != DFSUM_OK)
        return st;
    st = build_na(d, (const char *const *)given, n);
    if (st != DFSUM_OK) {
        engine_strings_free(given, n);
        build_na(d, (const char *const *)d->na_given, d->n_na_given);
        return st;
    }
    engine_strings_free(d->na_given, d->n_na_given);
    d->na_given = given;
    d->n_na_given = n;
    return DFSUM_OK;
}

dfsum_status engine_na_reencode(dfsum *d)
{
    return build_na(d, (const char *const *)d->na_given, d->n_na_given);
}

void engine_na_release(dfsum *d)
{
    engine_na_free(d);
    engine_strings_free(d->na_given, d->n_na_given);
    d->na_given = NULL;
    d->n_na_given = 0;
}

/* ---- matching ---------------------------------------------------------------
 */

/* Whether na string t is field s[0..len), which has the decimal mark and
 * '.' traded (decimal.c). */
static int same_field(const char *t, const char *s, size_t len, char mark)
{
    if (mark == '.')
        return memcmp(t, s, len) == 0;
    for (size_t i = 0; i < len; i++) {
        char c = t[i] == '.' ? mark : t[i] == mark ? '.' : t[i];
        if (c != s[i])
            return 0;
    }
    return 1;
}

int engine_na_text(const dfsum *d, const char *s, size_t len)
{
    if (!((d->na_lengths >> (len < 63 ? len : 63)) & 1))
        return 0;
    for (size_t i = 0; i < d->n_na_text; i++)
        if (d->na_len[i] == len &&
            same_field(d->na_text[i], s, len, d->decimal))
            return 1;
    return 0;
}
