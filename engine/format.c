/*
 * format.c - render a describe() result as CSV, JSON, a text table or a
 * markdown table.
 *
 * Everything here goes through the public accessors of <dfsum.h>, so the
 * formats see exactly what a library user sees. Text is built in a growing
 * buffer that remembers an allocation failure; the caller checks it once.
 *
 * Numbers come in two styles:
 *  - CSV and JSON print Python's repr(float): the shortest digits that read
 *    back as the same double, laid out as Python does (exponent form when
 *    the decimal exponent is < -4 or >= 16: 0.0001, 1e-05, 1e+16).
 *  - TABLE and MARKDOWN format each column like pandas prints a float
 *    column: "% .6f" with the trailing zeros every value shares removed,
 *    or "% .6e" for the whole column when a value is tiny, or large and
 *    long.
 */
#include "engine.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing byte buffer. After a failed allocation every append is a
 * no-op and `failed` stays set, so callers check once at the end. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} text_buf;

static int buf_reserve(text_buf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (extra <= b->cap - b->len)
        return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) {
        if (cap > ((size_t)-1) / 2) {
            b->failed = 1;
            return 0;
        }
        cap *= 2;
    }
    char *data = realloc(b->data, cap);
    if (!data) {
        b->failed = 1;
        return 0;
    }
    b->data = data;
    b->cap = cap;
    return 1;
}

static void buf_append(text_buf *b, const char *s, size_t n)
{
    if (n == 0 || !buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void buf_put_count(text_buf *b, uint64_t i)
{
    char num[24];
    buf_append(b, num, (size_t)sprintf(num, "%llu", (unsigned long long)i));
}

static void buf_puts(text_buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

static void buf_putc(text_buf *b, char c)
{
    buf_append(b, &c, 1);
}

static void buf_repeat(text_buf *b, char c, size_t n)
{
    if (n == 0 || !buf_reserve(b, n))
        return;
    memset(b->data + b->len, c, n);
    b->len += n;
}

/* ------------------------------------------------------------------------
 * Python's repr(float)
 * ---------------------------------------------------------------------- */

/* Moves the last mantissa digit of a "%e" string one unit up (dir > 0) or
 * down. Returns 0 when that changes the number of digits (9.99 -> 10.00,
 * 1.00 -> 0.99): such a neighbour has fewer digits and was tried before.
 * Non-digits (the decimal point of any locale) are skipped. */
static int step_last_digit(char *s, int dir)
{
    char *end = strpbrk(s, "eE");
    char *first = s + strcspn(s, "0123456789");
    if (!end)
        return 0;
    for (char *p = end - 1; p >= first; p--) {
        if (*p < '0' || *p > '9')
            continue;
        if (dir > 0 && *p != '9') {
            (*p)++;
            return 1;
        }
        if (dir < 0 && *p != '0') {
            (*p)--;
            return p != first || *p != '0';
        }
        *p = dir > 0 ? '0' : '9';
    }
    return 0;
}

/* Tries to write x (finite, > 0) with prec significant digits that read
 * back exactly. The correctly rounded string is the candidate, except at a
 * power of two: there the rounding interval of x is lopsided, so the
 * neighbour on the other side of x may read back when the nearest does
 * not - and it is then the one Python prints. */
static int round_trips_at(double x, int prec, char *buf, size_t size)
{
    snprintf(buf, size, "%.*e", prec - 1, x);
    double y = strtod(buf, NULL);
    if (y == x)
        return 1;
    if (!step_last_digit(buf, y < x ? 1 : -1))
        return 0;
    return strtod(buf, NULL) == x;
}

/* The shortest digits that read back as x (finite, > 0), without trailing
 * zeros, and the decimal exponent of the first digit: x = d.ddd * 10^exp.
 * A normal x starts at 15 digits, not 1: when k <= 15 digits D read back
 * as x, x is within half an ulp (2^-53 of x) of D, well within half a unit
 * of the 15th digit (5e-16 of x at least), so x rounded to 15 digits is D
 * with zeros behind, which the trimming takes off. Subnormals have fewer
 * bits, so they start at 1. (Checked against the walk from 1 on 3 million
 * random doubles, every power of two, and short decimals and their
 * neighbours.) */
static void shortest_digits(double x, char digits[20], int *exp10)
{
    char buf[48];
    int prec = x >= DBL_MIN ? 15 : 1;
    while (prec < 17 && !round_trips_at(x, prec, buf, sizeof buf))
        prec++;
    if (prec == 17)
        snprintf(buf, sizeof buf, "%.16e", x);
    size_t n = 0;
    const char *p = buf;
    for (; *p && *p != 'e' && *p != 'E'; p++)
        if (*p >= '0' && *p <= '9' && n < 19)
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10 = *p ? atoi(p + 1) : 0;
}

/* Lays out digits the way Python's float_repr_style 'short' does. */
static size_t repr_layout(const char *digits, int exp10, char *out)
{
    size_t n = strlen(digits), k = 0;
    int point = exp10 + 1; /* digits before the decimal point */
    if (exp10 < -4 || exp10 >= 16) {
        out[k++] = digits[0];
        if (n > 1) {
            out[k++] = '.';
            memcpy(out + k, digits + 1, n - 1);
            k += n - 1;
        }
        return k + (size_t)sprintf(out + k, "e%c%02d", exp10 < 0 ? '-' : '+',
                                   abs(exp10));
    }
    if (point <= 0) {
        memcpy(out, "0.", 2);
        memset(out + 2, '0', (size_t)-point);
        memcpy(out + 2 - point, digits, n + 1);
        return 2 + (size_t)-point + n;
    }
    for (int i = 0; i < point || i < (int)n; i++) {
        if (i == point)
            out[k++] = '.';
        out[k++] = i < (int)n ? digits[i] : '0';
    }
    if ((int)n <= point)
        k += (size_t)sprintf(out + k, ".0");
    out[k] = '\0';
    return k;
}

size_t engine_float_repr(double x, char *out)
{
    if (isnan(x))
        return (size_t)sprintf(out, "nan");
    if (isinf(x))
        return (size_t)sprintf(out, x < 0 ? "-inf" : "inf");
    size_t sign = 0;
    if (signbit(x)) {
        out[sign++] = '-';
        x = -x;
    }
    if (x == 0)
        return sign + (size_t)sprintf(out + sign, "0.0");
    char digits[20];
    int exp10;
    shortest_digits(x, digits, &exp10);
    return sign + repr_layout(digits, exp10, out + sign);
}

/* Names and labels, "" instead of NULL (out of range). */
static const char *col_name(const dfsum_result *r, size_t col)
{
    const char *s = dfsum_result_name(r, col);
    return s ? s : "";
}

static const char *row_label(const dfsum_result *r, size_t row)
{
    const char *s = dfsum_result_row_label(r, row);
    return s ? s : "";
}

/* ------------------------------------------------------------------------
 * CSV: describe().to_csv()
 * ---------------------------------------------------------------------- */

/* Python's csv QUOTE_MINIMAL with pandas' settings: quote a field holding
 * the delimiter, a quote or a line break. (Python 3.11 itself leaves a lone
 * '\r' unquoted, which its own reader then misreads; quoting it is the
 * readable choice.) Leading spaces and empty strings stay unquoted. */
static void csv_field(text_buf *b, const char *s, size_t n)
{
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        buf_append(b, s, n);
        return;
    }
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            buf_putc(b, '"');
        buf_putc(b, s[i]);
    }
    buf_putc(b, '"');
}

static void csv_cell(text_buf *b, dfsum_cell cell)
{
    char num[ENGINE_REPR_MAX];
    switch (cell.kind) {
    case DFSUM_CELL_FLOAT:
        if (!isnan(cell.f))
            buf_append(b, num, engine_float_repr(cell.f, num));
        break;
    case DFSUM_CELL_INT:
        buf_put_count(b, cell.i);
        break;
    case DFSUM_CELL_TEXT:
        csv_field(b, cell.text, cell.text_len);
        break;
    default:
        break;
    }
}

static void format_csv(const dfsum_result *r, text_buf *b)
{
    size_t ncols = dfsum_result_ncols(r), nrows = dfsum_result_nrows(r);
    for (size_t c = 0; c < ncols; c++) {
        const char *name = col_name(r, c);
        buf_putc(b, ',');
        csv_field(b, name, strlen(name));
    }
    buf_putc(b, '\n');
    for (size_t row = 0; row < nrows; row++) {
        const char *label = row_label(r, row);
        csv_field(b, label, strlen(label));
        for (size_t c = 0; c < ncols; c++) {
            buf_putc(b, ',');
            csv_cell(b, dfsum_result_cell(r, row, c));
        }
        buf_putc(b, '\n');
    }
}

/* ------------------------------------------------------------------------
 * JSON: {"file":..,"columns":[{"name":..,"dtype":..,<row label>:<cell>,...}]}
 * ---------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid:
 * overlong forms, surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_sequence_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0], cp, min;
    size_t need;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 2, cp = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 3, cp = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

/* Escapes one ASCII byte the way Python's json.dumps does, or returns 0
 * when it needs none. */
static int json_escape(unsigned char c, char esc[8])
{
    static const char short_forms[] = "\bb\ff\nn\rr\tt\"\"\\\\";
    for (size_t i = 0; i + 1 < sizeof short_forms; i += 2) {
        if ((unsigned char)short_forms[i] == c) {
            esc[0] = '\\';
            esc[1] = short_forms[i + 1];
            return 2;
        }
    }
    return c < 0x20 ? sprintf(esc, "\\u%04x", c) : 0;
}

/* A JSON string as json.dumps(ensure_ascii=False) writes it. Bytes that
 * are not valid UTF-8 become U+FFFD so that the document always parses. */
static void json_string(text_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        size_t k = utf8_sequence_len(u + i, n - i);
        char esc[8];
        int e = k == 1 ? json_escape(u[i], esc) : 0;
        if (k == 0)
            buf_puts(b, "\xEF\xBF\xBD");
        else if (e > 0)
            buf_append(b, esc, (size_t)e);
        else
            buf_append(b, s + i, k);
        i += k ? k : 1;
    }
    buf_putc(b, '"');
}

static void json_cell(text_buf *b, dfsum_cell cell)
{
    char num[ENGINE_REPR_MAX];
    switch (cell.kind) {
    case DFSUM_CELL_FLOAT:
        if (isnan(cell.f))
            buf_puts(b, "null");
        else if (isinf(cell.f))
            buf_puts(b, cell.f < 0 ? "\"-inf\"" : "\"inf\"");
        else
            buf_append(b, num, engine_float_repr(cell.f, num));
        break;
    case DFSUM_CELL_INT:
        buf_put_count(b, cell.i);
        break;
    case DFSUM_CELL_TEXT:
        json_string(b, cell.text, cell.text_len);
        break;
    default:
        buf_puts(b, "null");
        break;
    }
}

static void json_column(text_buf *b, const dfsum_result *r, size_t col)
{
    const char *name = col_name(r, col);
    buf_puts(b, "{\"name\":");
    json_string(b, name, strlen(name));
    buf_puts(b, ",\"dtype\":");
    buf_puts(b, "\"");
    buf_puts(b, dfsum_dtype_name(dfsum_result_dtype(r, col)));
    buf_puts(b, "\"");
    for (size_t row = 0; row < dfsum_result_nrows(r); row++) {
        const char *label = row_label(r, row);
        buf_putc(b, ',');
        json_string(b, label, strlen(label));
        buf_putc(b, ':');
        json_cell(b, dfsum_result_cell(r, row, col));
    }
    buf_putc(b, '}');
}

static void format_json(const dfsum_result *r, text_buf *b)
{
    const char *source = dfsum_result_source(r);
    buf_puts(b, "{\"file\":");
    json_string(b, source ? source : "", source ? strlen(source) : 0);
    buf_puts(b, ",\"columns\":[");
    for (size_t c = 0; c < dfsum_result_ncols(r); c++) {
        if (c > 0)
            buf_putc(b, ',');
        json_column(b, r, c);
    }
    buf_puts(b, "]}\n");
}

/* ------------------------------------------------------------------------
 * Grid: the strings of a TABLE or MARKDOWN table before layout.
 *
 * Line 0 is the header, field 0 the labels. Without transposition a line
 * is a statistic and a field a column of the result; transposed it is the
 * other way round. Either way the numbers of one field share one style.
 * ---------------------------------------------------------------------- */
typedef struct {
    size_t off, len; /* bytes in grid.text */
    size_t width;    /* display width: UTF-8 code points */
} grid_cell;

typedef struct {
    const dfsum_result *r;
    int transposed;
    int markdown; /* escape '|', no pandas leading space */
    /* Transposing a table that holds counts or text gives pandas a frame
     * of object columns: each float is then formatted on its own. */
    int object_fields;
    size_t nlines, nfields;
    grid_cell *cells; /* nlines * nfields, line by line */
    text_buf text;
} grid;

static dfsum_cell grid_source(const grid *g, size_t line, size_t field)
{
    if (g->transposed)
        return dfsum_result_cell(g->r, field - 1, line - 1);
    return dfsum_result_cell(g->r, line - 1, field - 1);
}

static size_t display_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Text as it should show in a table: control bytes as visible escapes so
 * that a name holding a newline cannot break the layout. */
static void display_text(grid *g, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '\n' || c == '\r' || c == '\t') {
            buf_putc(&g->text, '\\');
            buf_putc(&g->text, c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
        } else if (c < 0x20 || c == 0x7F) {
            buf_append(&g->text, esc, (size_t)sprintf(esc, "\\x%02x", c));
        } else {
            if (c == '|' && g->markdown)
                buf_putc(&g->text, '\\');
            buf_putc(&g->text, (char)c);
        }
    }
}

/* Opens cell (line, field): its text is what is appended until the next
 * grid_close. */
static void grid_open(grid *g, size_t line, size_t field)
{
    g->cells[line * g->nfields + field].off = g->text.len;
}

static void grid_close(grid *g, size_t line, size_t field)
{
    grid_cell *cell = &g->cells[line * g->nfields + field];
    cell->len = g->text.len - cell->off;
    cell->width =
        g->text.failed ? 0 : display_width(g->text.data + cell->off, cell->len);
}

static void grid_put_text(grid *g, size_t line, size_t field, const char *s,
                          size_t n)
{
    grid_open(g, line, field);
    display_text(g, s, n);
    grid_close(g, line, field);
}

/* How pandas prints the numbers of one float column. */
typedef struct {
    int scientific; /* "% .6e" for all values */
    int decimals;   /* else "% .*f" with this many decimals */
} float_style;

/* Decimals "% .6f" shows for x once its trailing zeros are cut. */
static int significant_decimals(double x)
{
    char buf[400];
    int n = snprintf(buf, sizeof buf, "% .6f", x), d = 6;
    while (d > 0 && buf[n - 7 + d] == '0')
        d--;
    return d;
}

static int is_number(dfsum_cell cell)
{
    return cell.kind == DFSUM_CELL_FLOAT && !isnan(cell.f);
}

/* The decimals a column needs once the trailing zeros of "% .6f" that
 * all its finite values share are cut; at least one. */
static int shared_decimals(const dfsum_cell *cells, size_t n)
{
    int decimals = 1;
    for (size_t i = 0; i < n; i++) {
        if (is_number(cells[i]) && isfinite(cells[i].f)) {
            int d = significant_decimals(cells[i].f);
            decimals = d > decimals ? d : decimals;
        }
    }
    return decimals;
}

/* pandas' FloatArrayFormatter: "% .6f" without the shared trailing zeros,
 * except that the whole column switches to "% .6e" when a value is below
 * 1e-6 in magnitude (but not 0), or when a value is above 1e6 (inf
 * included) and some value's text is longer than 12. */
static float_style choose_float_style(const dfsum_cell *cells, size_t n)
{
    float_style st = {0, shared_decimals(cells, n)};
    int large = 0, small = 0, longest = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_number(cells[i]))
            continue;
        double a = fabs(cells[i].f);
        large |= a > 1e6;
        small |= a > 0 && a < 1e-6;
        int len = snprintf(NULL, 0, "% .*f", st.decimals, cells[i].f);
        longest = len > longest ? len : longest;
    }
    st.scientific = small || (large && longest > 12);
    return st;
}

/* A number, count or NaN as pandas shows it: with a leading space unless
 * negative. */
static size_t format_value(char *buf, size_t size, dfsum_cell cell,
                           float_style st)
{
    int n;
    if (is_number(cell) && st.scientific)
        n = snprintf(buf, size, "% .6e", cell.f);
    else if (is_number(cell))
        n = snprintf(buf, size, "% .*f", st.decimals, cell.f);
    else if (cell.kind == DFSUM_CELL_INT)
        n = snprintf(buf, size, " %llu", (unsigned long long)cell.i);
    else
        n = snprintf(buf, size, " NaN");
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* One cell of a field; markdown drops pandas' leading space. */
static void grid_put_value(grid *g, size_t line, size_t field, dfsum_cell cell,
                           float_style st)
{
    grid_open(g, line, field);
    if (cell.kind == DFSUM_CELL_TEXT) {
        if (!g->markdown)
            buf_putc(&g->text, ' ');
        display_text(g, cell.text, cell.text_len);
    } else {
        char buf[400];
        size_t n = format_value(buf, sizeof buf, cell, st);
        size_t skip = g->markdown && buf[0] == ' ';
        buf_append(&g->text, buf + skip, n - skip);
    }
    grid_close(g, line, field);
}

static const char *grid_heading(const grid *g, int of_line, size_t i)
{
    if (of_line == g->transposed)
        return col_name(g->r, i);
    return row_label(g->r, i);
}

/* The heading of a field. pandas puts a space before the name of a
 * numeric column (one that holds only floats and NaN). */
static void grid_put_field_heading(grid *g, size_t field, int numeric)
{
    const char *s = grid_heading(g, 0, field - 1);
    grid_open(g, 0, field);
    if (numeric && !g->markdown)
        buf_putc(&g->text, ' ');
    display_text(g, s, strlen(s));
    grid_close(g, 0, field);
}

/* Fills the heading and values of one field; `scratch` holds nlines - 1
 * cells. */
static void grid_fill_field(grid *g, size_t field, dfsum_cell *scratch)
{
    int numeric = !g->object_fields;
    for (size_t line = 1; line < g->nlines; line++) {
        scratch[line - 1] = grid_source(g, line, field);
        numeric &= scratch[line - 1].kind == DFSUM_CELL_FLOAT ||
                   scratch[line - 1].kind == DFSUM_CELL_MISSING;
    }
    grid_put_field_heading(g, field, numeric);
    float_style st = choose_float_style(scratch, g->nlines - 1);
    for (size_t line = 1; line < g->nlines; line++) {
        if (g->object_fields)
            st = choose_float_style(&scratch[line - 1], 1);
        grid_put_value(g, line, field, scratch[line - 1], st);
    }
}

static void grid_fill_labels(grid *g)
{
    grid_put_text(g, 0, 0, "", 0);
    for (size_t line = 1; line < g->nlines; line++) {
        const char *s = grid_heading(g, 1, line - 1);
        grid_put_text(g, line, 0, s, strlen(s));
    }
}

static int has_counts_or_text(const dfsum_result *r)
{
    for (size_t row = 0; row < dfsum_result_nrows(r); row++) {
        for (size_t col = 0; col < dfsum_result_ncols(r); col++) {
            dfsum_cell_kind kind = dfsum_result_cell(r, row, col).kind;
            if (kind == DFSUM_CELL_INT || kind == DFSUM_CELL_TEXT)
                return 1;
        }
    }
    return 0;
}

static void grid_free(grid *g)
{
    free(g->cells);
    free(g->text.data);
}

static dfsum_status grid_build(grid *g, const dfsum_result *r, int transposed,
                               int markdown)
{
    size_t ncols = dfsum_result_ncols(r), nrows = dfsum_result_nrows(r);
    *g = (grid){.r = r, .transposed = transposed, .markdown = markdown};
    g->object_fields = transposed && has_counts_or_text(r);
    g->nlines = 1 + (transposed ? ncols : nrows);
    g->nfields = 1 + (transposed ? nrows : ncols);
    g->cells = calloc(g->nlines * g->nfields, sizeof *g->cells);
    dfsum_cell *scratch = malloc(g->nlines * sizeof *scratch);
    if (g->cells && scratch) {
        grid_fill_labels(g);
        for (size_t field = 1; field < g->nfields; field++)
            grid_fill_field(g, field, scratch);
    }
    free(scratch);
    if (!g->cells || !scratch || g->text.failed) {
        grid_free(g);
        return DFSUM_ENOMEM;
    }
    return DFSUM_OK;
}

static const grid_cell *grid_at(const grid *g, size_t line, size_t field)
{
    return &g->cells[line * g->nfields + field];
}

static size_t grid_field_width(const grid *g, size_t field)
{
    size_t w = 0;
    for (size_t line = 0; line < g->nlines; line++)
        if (grid_at(g, line, field)->width > w)
            w = grid_at(g, line, field)->width;
    return w;
}

/* Appends a cell padded to width, left- or right-aligned. */
static void put_padded(text_buf *b, const grid *g, const grid_cell *cell,
                       size_t width, int right)
{
    size_t pad = width > cell->width ? width - cell->width : 0;
    if (right)
        buf_repeat(b, ' ', pad);
    buf_append(b, g->text.data + cell->off, cell->len);
    if (!right)
        buf_repeat(b, ' ', pad);
}

/* ------------------------------------------------------------------------
 * TABLE: print(df.describe())
 * ---------------------------------------------------------------------- */

/* The end of the block of fields that starts at `first` and fits in
 * `room` columns: pandas' _binify, which keeps room for the " \" that
 * marks a continued block. A block holds at least one field. */
static size_t block_end(const size_t *widths, size_t first, size_t nfields,
                        size_t room)
{
    size_t used = 0;
    for (size_t field = first; field < nfields; field++) {
        used += widths[field] + 1;
        size_t marker = field + 1 == nfields ? 1 : 2;
        if (field > first && used + marker > room)
            return field;
    }
    return nfields;
}

static void table_block(text_buf *b, const grid *g, const size_t *widths,
                        size_t first, size_t end)
{
    for (size_t line = 0; line < g->nlines; line++) {
        int more = end < g->nfields;
        put_padded(b, g, grid_at(g, line, 0), end > first ? widths[0] : 0, 0);
        for (size_t field = first; field < end; field++) {
            buf_putc(b, ' ');
            put_padded(b, g, grid_at(g, line, field), widths[field], 1);
        }
        if (line == 0 && more)
            buf_puts(b, "  \\");
        buf_putc(b, '\n');
    }
}

/* Lays the grid out in blocks of fields no wider than `width` (0: one
 * block), each block repeating the labels, separated by a blank line. */
static void table_layout(text_buf *b, const grid *g, size_t *widths,
                         size_t width)
{
    for (size_t field = 0; field < g->nfields; field++)
        widths[field] = grid_field_width(g, field);
    size_t room = (size_t)-1;
    if (width > 0)
        room = width > widths[0] + 1 ? width - widths[0] - 1 : 0;
    size_t first = 1;
    do {
        size_t end = block_end(widths, first, g->nfields, room);
        if (first > 1)
            buf_putc(b, '\n');
        table_block(b, g, widths, first, end);
        first = end;
    } while (first < g->nfields);
}

/* ------------------------------------------------------------------------
 * MARKDOWN: a GitHub table, labels left-aligned, values right-aligned.
 * ---------------------------------------------------------------------- */
static void markdown_rule(text_buf *b, const size_t *widths, size_t nfields)
{
    for (size_t field = 0; field < nfields; field++) {
        buf_puts(b, field == 0 ? "|:" : "|");
        buf_repeat(b, '-', widths[field] + 1);
        buf_puts(b, field == 0 ? "" : ":");
    }
    buf_puts(b, "|\n");
}

static void markdown_layout(text_buf *b, const grid *g, size_t *widths)
{
    for (size_t field = 0; field < g->nfields; field++) {
        widths[field] = grid_field_width(g, field);
        widths[field] = widths[field] < 3 ? 3 : widths[field];
    }
    for (size_t line = 0; line < g->nlines; line++) {
        for (size_t field = 0; field < g->nfields; field++) {
            buf_puts(b, "| ");
            put_padded(b, g, grid_at(g, line, field), widths[field], field);
            buf_putc(b, ' ');
        }
        buf_puts(b, "|\n");
        if (line == 0)
            markdown_rule(b, widths, g->nfields);
    }
}

static dfsum_status format_grid(const dfsum_result *r, dfsum_format format,
                                unsigned flags, size_t width, text_buf *b)
{
    grid g;
    int markdown = format == DFSUM_FORMAT_MARKDOWN;
    dfsum_status st =
        grid_build(&g, r, (flags & DFSUM_WRITE_TRANSPOSE) != 0, markdown);
    if (st != DFSUM_OK)
        return st;
    size_t *widths = malloc(g.nfields * sizeof *widths);
    if (!widths) {
        grid_free(&g);
        return DFSUM_ENOMEM;
    }
    if (markdown)
        markdown_layout(b, &g, widths);
    else
        table_layout(b, &g, widths, width);
    free(widths);
    grid_free(&g);
    return DFSUM_OK;
}

/* ------------------------------------------------------------------------
 * Public entry points
 * ---------------------------------------------------------------------- */
static dfsum_status format_into(const dfsum_result *r, dfsum_format format,
                                unsigned flags, size_t width, text_buf *b)
{
    switch (format) {
    case DFSUM_FORMAT_CSV:
        format_csv(r, b);
        return DFSUM_OK;
    case DFSUM_FORMAT_JSON:
        format_json(r, b);
        return DFSUM_OK;
    case DFSUM_FORMAT_TABLE:
    case DFSUM_FORMAT_MARKDOWN:
        return format_grid(r, format, flags, width, b);
    }
    return DFSUM_EINVAL;
}

dfsum_status dfsum_result_format(const dfsum_result *r, dfsum_format format,
                                 unsigned flags, size_t width, char **out,
                                 size_t *len)
{
    if (!r || !out || (flags & ~(unsigned)DFSUM_WRITE_TRANSPOSE))
        return DFSUM_EINVAL;
    text_buf b = {0};
    dfsum_status st = format_into(r, format, flags, width, &b);
    buf_putc(&b, '\0');
    if (st == DFSUM_OK && b.failed)
        st = DFSUM_ENOMEM;
    if (st != DFSUM_OK) {
        free(b.data);
        return st;
    }
    *out = b.data;
    if (len)
        *len = b.len - 1;
    return DFSUM_OK;
}

dfsum_status dfsum_result_write(const dfsum_result *r, dfsum_format format,
                                unsigned flags, size_t width, FILE *f)
{
    if (!f)
        return DFSUM_EINVAL;
    char *text;
    size_t len;
    dfsum_status st = dfsum_result_format(r, format, flags, width, &text, &len);
    if (st != DFSUM_OK)
        return st;
    if (fwrite(text, 1, len, f) != len || fflush(f) != 0)
        st = DFSUM_EIO;
    free(text);
    return st;
}
