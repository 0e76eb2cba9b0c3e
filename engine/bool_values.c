/*
 * bool_values.c - read_csv's true_values / false_values: more words read
 * as True and False.
 *
 * pandas matches them exactly (case counts), after missing values and
 * numbers ("1" in true_values stays the number 1), and its own True words
 * first: "True" in false_values is still True, while a false word spelled
 * like a True one in another case ("tRuE") is False. A matching field is
 * handed to the summaries as the word "True" or "False", which they count
 * as a bool. In a column that is text for pandas the words keep their
 * bytes, so such a column is counted again from the file's bytes (the
 * engine's text pass); a column of bools and missing
 * values shows True and False, as pandas does.
 */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

dfsum_status dfsum_set_true_values(dfsum *d, const char *const *values,
                                   size_t n)
{
    return engine_strings_set(d, values, n, &d->true_given, &d->n_true_given);
}

dfsum_status dfsum_set_false_values(dfsum *d, const char *const *values,
                                    size_t n)
{
    return engine_strings_set(d, values, n, &d->false_given, &d->n_false_given);
}

void engine_bool_words_release(dfsum *d)
{
    engine_strings_free(d->true_given, d->n_true_given);
    engine_strings_free(d->false_given, d->n_false_given);
    d->true_given = d->false_given = NULL;
    d->n_true_given = d->n_false_given = 0;
}

void engine_words_free(engine_words *w)
{
    engine_strings_free(w->word, w->n);
    free(w->len);
    *w = (engine_words){0};
}

/* The n UTF-8 words v in the bytes of the files' encoding (a word it
 * cannot write matches no field and is left out). */
static dfsum_status encode_words(const dfsum *d, char *const *v, size_t n,
                                 engine_words *out)
{
    *out = (engine_words){0};
    out->word = calloc(n + 1, sizeof *out->word);
    out->len = calloc(n + 1, sizeof *out->len);
    if (!out->word || !out->len)
        return DFSUM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]);
        char *w = d->encoding == IO_ENC_UTF8
                      ? strdup(v[i])
                      : io_encoding_from_utf8(d->encoding, v[i], len, &len);
        if (w == NULL && d->encoding == IO_ENC_UTF8)
            return DFSUM_ENOMEM;
        if (w == NULL)
            continue;
        if (d->decimal != '.') /* the fields have '.' and the mark traded */
            engine_decimal_swap(d->decimal, w, w, len);
        out->word[out->n] = w;
        out->len[out->n++] = len;
    }
    return DFSUM_OK;
}

dfsum_status engine_bool_words(const dfsum *d, engine_words *trues,
                               engine_words *falses)
{
    dfsum_status st = encode_words(d, d->true_given, d->n_true_given, trues);
    if (st == DFSUM_OK)
        st = encode_words(d, d->false_given, d->n_false_given, falses);
    return st;
}

static int listed(const engine_words *w, const char *s, size_t n)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->len[i] == n && memcmp(w->word[i], s, n) == 0)
            return 1;
    return 0;
}

/* 1 for True, 0 for False, -1 for neither, as pandas reads field s. */
static int bool_word(const engine_words *trues, const engine_words *falses,
                     const char *s, size_t n)
{
    if (listed(trues, s, n))
        return 1;
    if (!listed(falses, s, n))
        return -1;
    int exact_true =
        (n == 4 && (memcmp(s, "True", 4) == 0 || memcmp(s, "TRUE", 4) == 0 ||
                    memcmp(s, "true", 4) == 0));
    return exact_true ? -1 : 0; /* pandas' own True words come first */
}

const char *engine_bool_word(const engine_words *trues,
                             const engine_words *falses, const char *s,
                             size_t len)
{
    int word = bool_word(trues, falses, s, len);
    ops_value v;
    if (word < 0)
        return NULL;
    ops_kind k = ops_classify(s, len, &v);
    if (k != OPS_TEXT && k != OPS_TRUE && k != OPS_FALSE)
        return NULL; /* missing values and numbers first */
    return word ? "True" : "False";
}
