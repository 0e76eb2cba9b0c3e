/*
 * io_encoding.c - the single-byte encodings a CSV file may be read in
 * besides UTF-8 (read_csv's encoding='latin-1' or 'cp1252').
 *
 * Fields stay in the file's bytes while they are counted: both encodings
 * give each byte its own character, so equal texts are equal bytes and
 * counts do not change. Only what is shown - column names, top values -
 * is turned into UTF-8, and what the user gives to match fields with
 * (--na-values) into the file's bytes. Python's cp1252 codec leaves five
 * bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): read_csv fails on them,
 * and so does dfsum.
 */
#include "io.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Code points of cp1252's bytes 0x80..0x9F; 0: undefined. */
static const uint16_t CP1252_HIGH[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static const struct {
    const char *name;
    io_encoding enc;
} NAMES[] = {{"utf-8", IO_ENC_UTF8},         {"utf8", IO_ENC_UTF8},
             {"utf_8", IO_ENC_UTF8},         {"utf-8-sig", IO_ENC_UTF8},
             {"latin-1", IO_ENC_LATIN1},     {"latin1", IO_ENC_LATIN1},
             {"latin_1", IO_ENC_LATIN1},     {"iso-8859-1", IO_ENC_LATIN1},
             {"iso8859-1", IO_ENC_LATIN1},   {"iso_8859_1", IO_ENC_LATIN1},
             {"l1", IO_ENC_LATIN1},          {"cp1252", IO_ENC_CP1252},
             {"windows-1252", IO_ENC_CP1252}};

int io_encoding_named(const char *name, io_encoding *out)
{
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++)
        if (strcasecmp(name, NAMES[i].name) == 0) {
            *out = NAMES[i].enc;
            return 1;
        }
    return 0;
}

const char *io_encoding_name(io_encoding enc)
{
    return enc == IO_ENC_UTF8     ? "UTF-8"
           : enc == IO_ENC_LATIN1 ? "latin-1"
                                  : "cp1252";
}

/* The code point of byte c, or 0 when enc leaves it undefined. */
static unsigned code_point(io_encoding enc, unsigned char c)
{
    if (enc == IO_ENC_CP1252 && c >= 0x80 && c < 0xA0)
        return CP1252_HIGH[c - 0x80];
    return c == 0 ? 0x100 : c; /* NUL is defined; 0x100 stands for it */
}

size_t io_encoding_invalid(io_encoding enc, const char *s, size_t n)
{
    if (enc != IO_ENC_CP1252)
        return n;
    for (size_t i = 0; i < n; i++)
        if (code_point(enc, (unsigned char)s[i]) == 0)
            return i;
    return n;
}

char *io_encoding_to_utf8(io_encoding enc, const char *s, size_t n,
                          size_t *out_len)
{
    char *out = malloc(3 * n + 1);
    size_t k = 0;
    for (size_t i = 0; out != NULL && i < n; i++) {
        unsigned c = code_point(enc, (unsigned char)s[i]);
        c = c == 0x100 ? 0 : c;
        if (c < 0x80) {
            out[k++] = (char)c;
        } else if (c < 0x800) {
            out[k++] = (char)(0xC0 | c >> 6);
            out[k++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[k++] = (char)(0xE0 | c >> 12);
            out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[k++] = (char)(0x80 | (c & 0x3F));
        }
    }
    if (out != NULL) {
        out[k] = '\0';
        *out_len = k;
    }
    return out;
}

/* The byte enc gives code point cp, or -1 when none does. */
static int byte_of(io_encoding enc, unsigned cp)
{
    if (cp < 0x80 || (cp < 0x100 && (enc == IO_ENC_LATIN1 || cp >= 0xA0)))
        return (int)cp;
    for (unsigned i = 0; enc == IO_ENC_CP1252 && i < 32; i++)
        if (CP1252_HIGH[i] == cp)
            return (int)(0x80 + i);
    return -1;
}

/* The code point of the UTF-8 sequence at s (valid UTF-8 assumed, as
 * every argument of a C program here is taken to be); *len its bytes. */
static unsigned decode_utf8(const unsigned char *s, size_t n, size_t *len)
{
    unsigned c = s[0];
    size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    k = k <= n ? k : n;
    unsigned cp = k == 1 ? c : c & (0x7F >> k);
    for (size_t i = 1; i < k; i++)
        cp = cp << 6 | (s[i] & 0x3F);
    *len = k;
    return cp;
}

char *io_encoding_from_utf8(io_encoding enc, const char *s, size_t n,
                            size_t *out_len)
{
    char *out = malloc(n + 1);
    size_t k = 0;
    for (size_t i = 0; out != NULL && i < n;) {
        size_t len;
        int b = byte_of(enc,
                        decode_utf8((const unsigned char *)s + i, n - i, &len));
        if (b < 0) {
            free(out);
            return NULL;
        }
        out[k++] = (char)b;
        i += len;
    }
    if (out != NULL) {
        out[k] = '\0';
        *out_len = k;
    }
    return out;
}
