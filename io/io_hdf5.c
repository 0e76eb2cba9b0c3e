/*
 * io_hdf5.c - HDF5 objects as tables: map an object to typed columns,
 * then read row slabs of them as native arrays.
 *
 * A table is a list of datasets ("sources") and of columns, each column a
 * (source, field or 2-D column) pair. A slab read makes one H5Dread per
 * source into a row-major buffer whose memory type holds only the
 * selected columns, then scatters each column into its own array. libhdf5
 * converts byte order, widths and string padding on the way; the
 * variable-length strings it allocates are freed after each read.
 */
#include "io.h"

#include <hdf5.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* libhdf5 as Debian builds it (parallel, not thread-safe) must never be
 * entered by two threads at once, whatever handles they use: every entry
 * point below holds this lock. It orders calls and holds no data. */
static pthread_mutex_t h5_lock = PTHREAD_MUTEX_INITIALIZER;

static void h5_enter(void)
{
    pthread_mutex_lock(&h5_lock);
    /* Errors are returned, never printed by the library itself. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void h5_leave(void)
{
    H5Eclear2(H5E_DEFAULT);
    pthread_mutex_unlock(&h5_lock);
}

#define WHY_MAX 200

/* How a column's values go from the read buffer to its array. */
typedef enum {
    CONV_COPY8,  /* double / int64 / uint64 as libhdf5 converted them */
    CONV_BOOL,   /* uint8 of the bool enum */
    CONV_ENUM,   /* another enum: its native integer base, widened */
    CONV_FIXSTR, /* fixed-length string: trailing NULs trimmed */
    CONV_VLSTR   /* char * (NULL reads as '') */
} h5_conv;

typedef struct {
    char *name;
    io_h5_kind kind;
    h5_conv conv;
    hid_t mem;   /* memory type of one value (owned) */
    size_t size; /* its size in bytes */
    int is_signed;
    char type[24];    /* "int16", "float32", "S8", "str", "bool", "enum" */
    size_t src;       /* the source it comes from */
    size_t pos;       /* 2-D: the column index */
    size_t offset;    /* byte offset in a row of the read buffer */
    size_t field_off; /* compound: field offset as libhdf5 reports it */
    size_t file_off;  /* offset of its value in a row of the file */
    int selected;
} h5_col;

typedef struct {
    hid_t dset;
    int ndims;       /* 1 or 2 */
    int compound;    /* columns are fields */
    uint64_t width;  /* values per row: M for 2-D, else 1 */
    hid_t row_mem;   /* compound of the selected fields (owned) */
    size_t row_size; /* bytes per row in the read buffer */
    int used;        /* a selected column comes from here */
    int has_vlen;    /* the read buffer holds heap pointers */
    uint64_t chunk;  /* rows per storage chunk; 1 when not chunked */
    uint64_t raw;    /* file offset of contiguous rows, else RAW_NONE */
    size_t file_row; /* bytes per row in the file */
} h5_src;

/* A string libhdf5 allocated while converting a read (see vl_alloc). */
typedef union vl_block {
    union vl_block *next;
    max_align_t align;
} vl_block;

/* What the variable-length string guard (see vl_check_slab) needs: the
 * file for raw reads, its address sizes, and the last heap collection it
 * checked, decoded into object sizes by index. */
typedef struct {
    int fd;
    uint64_t base; /* file offset of address 0 (the user block) */
    uint64_t file_size;
    unsigned sizeof_addr, sizeof_size;
    uint64_t heap_addr;   /* 0: none decoded */
    uint64_t *obj_size;   /* VL_NOBJ entries; VL_ABSENT where none */
    size_t obj_max;       /* no entry above it is set */
    unsigned char *bytes; /* raw descriptors, then a collection */
    size_t bytes_cap;
} vl_guard;

struct io_h5_table {
    hid_t file, dxpl;
    vl_block *vl_head; /* strings of the current read */
    char *name;        /* "FILE: /object" */
    uint64_t nrows;
    int nrows_set;
    h5_col *cols;
    size_t ncols, cap_cols;
    h5_src *srcs;
    size_t nsrc, cap_src;
    size_t *sel;
    size_t nsel;
    char *note;
    size_t note_len;
    unsigned char *buf; /* the read buffer */
    size_t buf_cap;
    vl_guard guard;
};

/* ---- small helpers ---- */

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void why_set(char *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void why_set(char *why, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, WHY_MAX, fmt, ap);
    va_end(ap);
}

static int walk_first(unsigned n, const H5E_error2_t *e, void *ctx)
{
    (void)n;
    if (e->desc && *e->desc && !*(char *)ctx)
        snprintf(ctx, WHY_MAX, "%s", e->desc);
    return 0;
}

/* The innermost message of libhdf5's error stack ("" when empty), so that
 * a failure says more than "cannot read". Clears the stack. */
static void h5_reason(char *why)
{
    why[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_first, why);
    H5Eclear2(H5E_DEFAULT);
    if (!why[0])
        snprintf(why, WHY_MAX, "unknown error");
}

static void close_type(hid_t t)
{
    if (t > 0)
        H5Tclose(t);
}

/* ---- paths ---- */

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && !S_ISDIR(st.st_mode);
}

void io_h5_path_free(io_h5_path *p)
{
    free(p->file);
    free(p->object);
    p->file = p->object = NULL;
}

static io_status path_set(io_h5_path *out, const char *file, size_t n,
                          const char *object, io_error *err)
{
    out->file = dup_n(file, n);
    out->object = object ? dup_n(object, strlen(object)) : NULL;
    if (!out->file || (object && !out->object)) {
        io_h5_path_free(out);
        return io_fail(err, IO_ENOMEM, "%s: out of memory", file);
    }
    return IO_OK;
}

io_status io_h5_path_split(const char *path, io_h5_path *out, io_error *err)
{
    *out = (io_h5_path){0};
    if (is_file(path))
        return path_set(out, path, strlen(path), NULL, err);
    const char *last = NULL;
    for (const char *p = strstr(path, ":/"); p; p = strstr(p + 1, ":/"))
        last = p;
    /* The object is after the last ":/" whose file part exists. */
    for (const char *p = last; p; p = NULL) {
        for (const char *q = p; q >= path; q--) {
            if (q[0] != ':' || q[1] != '/')
                continue;
            char *file = dup_n(path, (size_t)(q - path));
            int found = file && is_file(file);
            free(file);
            if (found)
                return path_set(out, path, (size_t)(q - path), q + 1, err);
        }
    }
    if (last)
        return io_fail(err, IO_EIO, "%.*s: no such file", (int)(last - path),
                       path);
    return io_fail(err, IO_EIO, "%s: no such file", path);
}

int io_h5_is_hdf5(const char *file)
{
    static const unsigned char sig[8] = {0x89, 'H',  'D',  'F',
                                         '\r', '\n', 0x1a, '\n'};
    FILE *f = fopen(file, "rb");
    if (!f)
        return 0;
    int found = 0;
    /* The superblock sits at 0 or after a user block of 512 * 2^k bytes. */
    for (long off = 0; !found && off >= 0 && off < (1L << 40);
         off = off ? off * 2 : 512) {
        unsigned char b[8];
        if (fseek(f, off, SEEK_SET) != 0 || fread(b, 1, 8, f) != 8)
            break;
        found = memcmp(b, sig, 8) == 0;
    }
    fclose(f);
    return found;
}

/* ---- types ---- */

static const char *map_integer(hid_t t, h5_col *c)
{
    size_t size = H5Tget_size(t);
    int is_signed = H5Tget_sign(t) == H5T_SGN_2;
    if (size == 0 || size > 8)
        return "integer type wider than 64 bits";
    snprintf(c->type, sizeof c->type, "%sint%zu", is_signed ? "" : "u",
             size * 8);
    /* pandas keeps uint64 apart; narrower unsigned values fit int64. */
    int u64 = !is_signed && size == 8;
    c->kind = u64 ? IO_H5_U64 : IO_H5_I64;
    c->mem = H5Tcopy(u64 ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64);
    c->conv = CONV_COPY8;
    return NULL;
}

static const char *map_float(hid_t t, h5_col *c)
{
    snprintf(c->type, sizeof c->type, "float%zu", H5Tget_size(t) * 8);
    /* float32 -> double is exact, as describe() widens it. */
    c->kind = IO_H5_F64;
    c->mem = H5Tcopy(H5T_NATIVE_DOUBLE);
    c->conv = CONV_COPY8;
    return NULL;
}

/* h5py stores numpy bool as an enum {FALSE, TRUE}. */
static int is_bool_enum(hid_t t)
{
    if (H5Tget_nmembers(t) != 2)
        return 0;
    return H5Tget_member_index(t, "FALSE") >= 0 &&
           H5Tget_member_index(t, "TRUE") >= 0;
}

static const char *map_bool(h5_col *c)
{
    unsigned char no = 0, yes = 1;
    c->mem = H5Tenum_create(H5T_NATIVE_UINT8);
    if (c->mem < 0 || H5Tenum_insert(c->mem, "FALSE", &no) < 0 ||
        H5Tenum_insert(c->mem, "TRUE", &yes) < 0)
        return "cannot convert the bool enum";
    /* libhdf5 converts enums by member name. */
    snprintf(c->type, sizeof c->type, "bool");
    c->kind = IO_H5_BOOL;
    c->conv = CONV_BOOL;
    return NULL;
}

static const char *map_enum(hid_t t, h5_col *c)
{
    if (is_bool_enum(t))
        return map_bool(c);
    /* Other enums read as their integer codes, as h5py gives them. */
    c->mem = H5Tget_native_type(t, H5T_DIR_ASCEND);
    hid_t base = c->mem >= 0 ? H5Tget_super(c->mem) : -1;
    if (base < 0)
        return "enum type without an integer base";
    size_t size = H5Tget_size(base);
    c->is_signed = H5Tget_sign(base) == H5T_SGN_2;
    H5Tclose(base);
    if (size == 0 || size > 8)
        return "enum type wider than 64 bits";
    snprintf(c->type, sizeof c->type, "enum");
    c->kind = !c->is_signed && size == 8 ? IO_H5_U64 : IO_H5_I64;
    c->conv = CONV_ENUM;
    return NULL;
}

static const char *map_string(hid_t t, h5_col *c)
{
    c->kind = IO_H5_STR;
    if (H5Tis_variable_str(t) > 0) {
        c->mem = H5Tcopy(H5T_C_S1);
        if (c->mem < 0 || H5Tset_size(c->mem, H5T_VARIABLE) < 0 ||
            H5Tset_cset(c->mem, H5Tget_cset(t)) < 0)
            return "cannot convert the string type";
        snprintf(c->type, sizeof c->type, "str");
        c->conv = CONV_VLSTR;
        return NULL;
    }
    /* The same fixed type in memory: the raw bytes, as numpy sees them. */
    c->mem = H5Tcopy(t);
    snprintf(c->type, sizeof c->type, "S%zu", H5Tget_size(t));
    c->conv = CONV_FIXSTR;
    return NULL;
}

/* Fills c's type fields for the file type t; NULL, or why the type is not
 * supported. */
static const char *map_type(hid_t t, h5_col *c)
{
    const char *why = "unknown type";
    switch (H5Tget_class(t)) {
    case H5T_INTEGER:
        why = map_integer(t, c);
        break;
    case H5T_FLOAT:
        why = map_float(t, c);
        break;
    case H5T_ENUM:
        why = map_enum(t, c);
        break;
    case H5T_STRING:
        why = map_string(t, c);
        break;
    case H5T_COMPOUND:
        return "nested compound type is not supported";
    case H5T_ARRAY:
        return "array type is not supported";
    case H5T_REFERENCE:
        return "reference type is not supported";
    case H5T_OPAQUE:
        return "opaque type is not supported";
    case H5T_VLEN:
        return "variable-length sequence type is not supported";
    case H5T_BITFIELD:
        return "bitfield type is not supported";
    default:
        return "unknown type";
    }
    if (!why && c->mem < 0)
        why = "cannot convert the type";
    if (!why)
        c->size = H5Tget_size(c->mem);
    return why;
}

/* ---- building a table ---- */

static void col_free(h5_col *c)
{
    free(c->name);
    close_type(c->mem);
}

static void table_clear(io_h5_table *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        col_free(&t->cols[i]);
    for (size_t i = 0; i < t->nsrc; i++) {
        if (t->srcs[i].dset > 0)
            H5Dclose(t->srcs[i].dset);
        close_type(t->srcs[i].row_mem);
    }
    free(t->cols);
    free(t->srcs);
    free(t->sel);
    free(t->note);
    t->cols = NULL;
    t->srcs = NULL;
    t->sel = NULL;
    t->note = NULL;
    t->ncols = t->cap_cols = t->nsrc = t->cap_src = t->nsel = 0;
    t->note_len = 0;
    t->nrows = 0;
    t->nrows_set = 0;
}

/* Adds column `name` of file type ftype from source src. 0; -1 with why
 * (unsupported type or out of memory). */
static int add_col(io_h5_table *t, const char *name, hid_t ftype, size_t src,
                   size_t pos, char *why)
{
    if (t->ncols == t->cap_cols) {
        size_t cap = t->cap_cols ? 2 * t->cap_cols : 8;
        h5_col *c = realloc(t->cols, cap * sizeof *c);
        if (!c)
            return why_set(why, "out of memory"), -1;
        t->cols = c;
        t->cap_cols = cap;
    }
    h5_col *c = &t->cols[t->ncols];
    *c = (h5_col){.mem = -1, .src = src, .pos = pos};
    const char *bad = map_type(ftype, c);
    if (!bad && !(c->name = dup_n(name, strlen(name))))
        bad = "out of memory";
    if (bad) {
        col_free(c);
        return why_set(why, "%s", bad), -1;
    }
    t->ncols++;
    return 0;
}

/* Rows per storage chunk of a dataset; 1 for other layouts. */
static uint64_t chunk_rows(hid_t dset)
{
    hid_t dcpl = H5Dget_create_plist(dset);
    hsize_t dims[H5S_MAX_RANK] = {0};
    uint64_t rows = 1;
    if (dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
        H5Pget_chunk(dcpl, H5S_MAX_RANK, dims) > 0 && dims[0] > 0)
        rows = dims[0];
    if (dcpl >= 0)
        H5Pclose(dcpl);
    return rows;
}

#define RAW_NONE UINT64_MAX

/* The file offset of a contiguous dataset's rows (user block included),
 * or RAW_NONE for other layouts and unallocated storage. */
static uint64_t raw_offset(hid_t dset)
{
    hid_t dcpl = H5Dget_create_plist(dset);
    int contiguous = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CONTIGUOUS;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    haddr_t at = contiguous ? H5Dget_offset(dset) : HADDR_UNDEF;
    H5Eclear2(H5E_DEFAULT);
    return at == HADDR_UNDEF ? RAW_NONE : (uint64_t)at;
}

/* Adds dataset dset (taken over, closed on failure) as a source. */
static int add_src(io_h5_table *t, hid_t dset, int ndims, uint64_t width,
                   int compound, char *why)
{
    if (t->nsrc == t->cap_src) {
        size_t cap = t->cap_src ? 2 * t->cap_src : 4;
        h5_src *s = realloc(t->srcs, cap * sizeof *s);
        if (!s) {
            H5Dclose(dset);
            return why_set(why, "out of memory"), -1;
        }
        t->srcs = s;
        t->cap_src = cap;
    }
    t->srcs[t->nsrc++] = (h5_src){.dset = dset,
                                  .ndims = ndims,
                                  .width = width,
                                  .compound = compound,
                                  .row_mem = -1,
                                  .chunk = chunk_rows(dset),
                                  .raw = raw_offset(dset)};
    return 0;
}

/* Nonzero when every filter the dataset needs can run here (a missing
 * plugin would only fail at the first read otherwise). */
static int filters_ok(hid_t dset, char *why)
{
    hid_t dcpl = H5Dget_create_plist(dset);
    int n = dcpl >= 0 ? H5Pget_nfilters(dcpl) : 0, ok = 1;
    for (int i = 0; ok && i < n; i++) {
        unsigned flags = 0, conf = 0;
        size_t nvals = 0;
        char name[64] = "";
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &nvals,
                                         NULL, sizeof name, name, &conf);
        if (id < 0 || (flags & H5Z_FLAG_OPTIONAL))
            continue;
        if (H5Zfilter_avail(id) <= 0) {
            why_set(why, "filter %d%s%s%s is not available (no plugin)",
                    (int)id, name[0] ? " (" : "", name, name[0] ? ")" : "");
            ok = 0;
        }
    }
    if (dcpl >= 0)
        H5Pclose(dcpl);
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

typedef struct {
    int ndims;
    hsize_t dims[H5S_MAX_RANK];
    hid_t type;
    int compound;
    int scalar; /* set when dataset_shape fails on a scalar dataspace */
} ds_shape;

/* The shape and type of a dataset; -1 with why for a scalar or null
 * dataspace. s->type must be closed by the caller when 0 is returned. */
static int dataset_shape(hid_t dset, ds_shape *s, char *why)
{
    hid_t space = H5Dget_space(dset);
    H5S_class_t cls =
        space >= 0 ? H5Sget_simple_extent_type(space) : H5S_NO_CLASS;
    s->ndims =
        cls == H5S_SIMPLE ? H5Sget_simple_extent_dims(space, s->dims, NULL) : 0;
    if (space >= 0)
        H5Sclose(space);
    s->scalar = cls == H5S_SCALAR;
    if (s->scalar)
        return why_set(why, "scalar dataset does not map to a table"), -1;
    if (cls == H5S_NULL)
        return why_set(why, "dataset with a null dataspace"), -1;
    if (cls != H5S_SIMPLE || s->ndims < 1)
        return why_set(why, "unreadable dataspace"), -1;
    s->type = H5Dget_type(dset);
    if (s->type < 0)
        return why_set(why, "unreadable datatype"), -1;
    s->compound = H5Tget_class(s->type) == H5T_COMPOUND;
    return 0;
}

static int set_rows(io_h5_table *t, uint64_t n)
{
    if (t->nrows_set && t->nrows != n)
        return -1;
    t->nrows = n;
    t->nrows_set = 1;
    return 0;
}

/* A 1-D compound dataset: one column per field. */
static int map_compound(io_h5_table *t, const ds_shape *s, char *why)
{
    int n = H5Tget_nmembers(s->type);
    size_t src = t->nsrc - 1;
    for (int i = 0; i < n; i++) {
        char *name = H5Tget_member_name(s->type, (unsigned)i);
        hid_t ft = H5Tget_member_type(s->type, (unsigned)i);
        char sub[WHY_MAX];
        int rc = name && ft >= 0 ? add_col(t, name, ft, src, 0, sub) : -1;
        if (rc == 0)
            t->cols[t->ncols - 1].field_off =
                H5Tget_member_offset(s->type, (unsigned)i);
        if (rc != 0)
            why_set(why, "field '%s': %s", name ? name : "?",
                    name && ft >= 0 ? sub : "unreadable");
        close_type(ft);
        H5free_memory(name);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* A 2-D dataset N x M: columns "0" .. "M-1". */
static int map_grid(io_h5_table *t, const ds_shape *s, char *why)
{
    size_t src = t->nsrc - 1;
    for (hsize_t j = 0; j < s->dims[1]; j++) {
        char name[32];
        snprintf(name, sizeof name, "%llu", (unsigned long long)j);
        if (add_col(t, name, s->type, src, (size_t)j, why) != 0)
            return -1;
    }
    return 0;
}

/* Maps an open dataset (taken over) named `leaf` to columns. */
static int map_dataset(io_h5_table *t, hid_t dset, const char *leaf, char *why)
{
    ds_shape s;
    if (dataset_shape(dset, &s, why) != 0) {
        H5Dclose(dset);
        return -1;
    }
    int rc = -1;
    if (s.ndims > 2)
        why_set(why, "%d-D dataset does not map to a table", s.ndims);
    else if (s.ndims == 2 && s.compound)
        why_set(why, "2-D compound dataset does not map to a table");
    else if (filters_ok(dset, why) &&
             add_src(t, dset, s.ndims, s.ndims == 2 ? s.dims[1] : 1, s.compound,
                     why) == 0) {
        dset = -1; /* the source owns it now */
        set_rows(t, s.dims[0]);
        rc = s.compound     ? map_compound(t, &s, why)
             : s.ndims == 2 ? map_grid(t, &s, why)
                            : add_col(t, leaf, s.type, t->nsrc - 1, 0, why);
    }
    if (dset >= 0)
        H5Dclose(dset);
    H5Tclose(s.type);
    return rc;
}

/* ---- groups ---- */

typedef struct {
    char **names;
    size_t n, cap;
    int failed;
} name_list;

static herr_t collect_name(hid_t g, const char *name, const H5L_info_t *info,
                           void *ctx)
{
    (void)g, (void)info;
    name_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **p = realloc(l->names, cap * sizeof *p);
        if (!p)
            return l->failed = 1, -1;
        l->names = p;
        l->cap = cap;
    }
    if (!(l->names[l->n] = dup_n(name, strlen(name))))
        return l->failed = 1, -1;
    l->n++;
    return 0;
}

static void names_free(name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
}

/* The link names of a group in name (bytewise) order, as h5py lists
 * them. */
static int group_names(hid_t g, name_list *l)
{
    hsize_t idx = 0;
    *l = (name_list){0};
    if (H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_name, l) < 0 ||
        l->failed) {
        names_free(l);
        return -1;
    }
    return 0;
}

/* Adds "member (why)" to the one-line note of a group's table:
 * "FILE: /g: skipped m (2-D), sub (group)". */
static void note_add(io_h5_table *t, const char *member, const char *why)
{
    const char *head = t->note_len ? "" : (t->name ? t->name : "");
    size_t add = strlen(head) + strlen(member) + strlen(why) + 16;
    char *p = realloc(t->note, t->note_len + add);
    if (!p)
        return; /* the note is a courtesy: losing it is harmless */
    t->note = p;
    t->note_len +=
        (size_t)snprintf(p + t->note_len, add, "%s%s%s (%s)", head,
                         t->note_len ? ", " : ": skipped ", member, why);
}

/* A group member: an open 1-D dataset that may become a column
 * (dset >= 0), or why it cannot. */
typedef struct {
    const char *name;
    hid_t dset;
    uint64_t len;
    char why[WHY_MAX];
} member;

/* Why a dataset of shape s cannot be a column of a group, or NULL. */
static const char *member_shape_why(const ds_shape *s)
{
    h5_col probe = {.mem = -1};
    const char *bad = s->ndims == 2  ? "2-D"
                      : s->ndims > 2 ? "N-D"
                      : s->compound  ? "compound"
                                     : map_type(s->type, &probe);
    close_type(probe.mem);
    return bad;
}

/* Opens m->name as a 1-D non-compound dataset with a supported type and
 * filters into m->dset; else leaves m->dset < 0 and says why in m->why. */
static void member_open(hid_t g, member *m)
{
    m->dset = H5Oopen(g, m->name, H5P_DEFAULT);
    H5I_type_t kind = m->dset >= 0 ? H5Iget_type(m->dset) : H5I_BADID;
    ds_shape s = {.type = -1};
    const char *bad = kind == H5I_GROUP      ? "group"
                      : kind == H5I_DATATYPE ? "named datatype"
                      : kind != H5I_DATASET  ? "not a dataset"
                                             : NULL;
    if (!bad && dataset_shape(m->dset, &s, m->why) != 0)
        bad = s.scalar ? "scalar" : m->why;
    if (!bad)
        bad = member_shape_why(&s);
    if (!bad && !filters_ok(m->dset, m->why))
        bad = m->why;
    close_type(s.type);
    if (bad) {
        if (bad != m->why)
            why_set(m->why, "%s", bad);
        if (m->dset >= 0)
            H5Oclose(m->dset);
        m->dset = -1;
        return;
    }
    m->len = s.dims[0];
}

/* The length most usable members share; ties go to the first in name
 * order. A group rarely mixes lengths, but when it does this keeps the
 * table pandas would build from the bulk of it rather than failing. */
static uint64_t common_length(const member *m, size_t n)
{
    uint64_t best = 0;
    size_t best_count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t count = 0;
        for (size_t k = 0; m[i].dset >= 0 && k < n; k++)
            count += m[k].dset >= 0 && m[k].len == m[i].len;
        if (count > best_count) {
            best = m[i].len;
            best_count = count;
        }
    }
    return best;
}

/* Closes the members of another length than len, saying so. */
static void drop_other_lengths(member *m, size_t n, uint64_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (m[i].dset < 0 || m[i].len == len)
            continue;
        why_set(m[i].why, "length %llu, not %llu", (unsigned long long)m[i].len,
                (unsigned long long)len);
        H5Dclose(m[i].dset);
        m[i].dset = -1;
    }
}

/* Turns the members still open into sources and columns, and notes the
 * others, all in name order. */
static int group_take(io_h5_table *t, member *m, size_t n, char *why)
{
    for (size_t i = 0; i < n; i++) {
        if (m[i].dset < 0) {
            note_add(t, m[i].name, m[i].why);
            continue;
        }
        hid_t dset = m[i].dset;
        m[i].dset = -1; /* map_dataset takes it over */
        if (map_dataset(t, dset, m[i].name, why) != 0)
            return -1;
    }
    return 0;
}

static int group_members(hid_t g, const name_list *l, member *m)
{
    size_t usable = 0;
    for (size_t i = 0; i < l->n; i++) {
        m[i].name = l->names[i];
        member_open(g, &m[i]);
        usable += m[i].dset >= 0;
    }
    drop_other_lengths(m, l->n, common_length(m, l->n));
    return usable > 0;
}

/* A group: its 1-D datasets of the common length, in name order. */
static int map_group(io_h5_table *t, hid_t g, char *why)
{
    name_list l;
    if (group_names(g, &l) != 0)
        return why_set(why, "cannot list the group"), -1;
    member *m = calloc(l.n + 1, sizeof *m);
    int rc = -1;
    if (!m)
        why_set(why, "out of memory");
    else if (!group_members(g, &l, m))
        why_set(why, "the group holds no 1-D dataset to describe");
    else
        rc = group_take(t, m, l.n, why);
    for (size_t i = 0; m && i < l.n; i++) /* those not taken over */
        if (m[i].dset >= 0)
            H5Dclose(m[i].dset);
    free(m);
    names_free(&l);
    return rc;
}

/* ---- objects ---- */

/* Nonzero when the path names an object (every step of it exists). */
static int object_exists(hid_t file, const char *path)
{
    if (strcmp(path, "/") == 0)
        return 1;
    int ok = H5Lexists(file, path, H5P_DEFAULT) > 0 &&
             H5Oexists_by_name(file, path, H5P_DEFAULT) > 0;
    H5Eclear2(H5E_DEFAULT);
    return ok;
}

static const char *leaf_of(const char *path)
{
    const char *end = path + strlen(path);
    while (end > path && end[-1] == '/')
        end--;
    const char *p = end;
    while (p > path && p[-1] != '/')
        p--;
    return p;
}

/* Maps the object at path (not NULL) to t's columns. */
static int map_object(io_h5_table *t, const char *path, char *why)
{
    if (!object_exists(t->file, path))
        return why_set(why, "no such object"), -1;
    hid_t o = H5Oopen(t->file, path, H5P_DEFAULT);
    H5I_type_t kind = o >= 0 ? H5Iget_type(o) : H5I_BADID;
    if (kind == H5I_GROUP) {
        int rc = map_group(t, o, why);
        H5Oclose(o);
        return rc;
    }
    if (kind == H5I_DATASET) {
        char *leaf = dup_n(leaf_of(path), strlen(leaf_of(path)));
        size_t n = leaf ? strcspn(leaf, "/") : 0;
        if (leaf)
            leaf[n] = '\0';
        int rc = leaf ? map_dataset(t, o, leaf, why)
                      : (H5Oclose(o), why_set(why, "out of memory"), -1);
        free(leaf);
        return rc;
    }
    if (o >= 0)
        H5Oclose(o);
    return why_set(why, "not a dataset or group"), -1;
}

/* ---- listing ---- */

typedef struct {
    char *data;
    size_t len, cap;
    int failed;
} text_buf;

static void text_add(text_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void text_add(text_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->failed || n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* One line for a table: "/path  N x M  type, type, ...". A 2-D dataset's
 * columns share one type, given once. */
static void list_line(text_buf *b, const char *path, const io_h5_table *t)
{
    text_add(b, "%s  %llu x %zu  ", path, (unsigned long long)t->nrows,
             t->ncols);
    int grid = t->nsrc == 1 && t->srcs[0].ndims == 2;
    for (size_t i = 0; i < (grid ? 1 : t->ncols); i++)
        text_add(b, "%s%s", i ? ", " : "", t->cols[i].type);
    text_add(b, "\n");
}

#define LIST_DEPTH_MAX 32

static void list_group(text_buf *b, hid_t file, const char *path, int depth);

static int is_group(hid_t file, const char *path)
{
    hid_t o = H5Oopen(file, path, H5P_DEFAULT);
    int group = o >= 0 && H5Iget_type(o) == H5I_GROUP;
    if (o >= 0)
        H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    return group;
}

/* Lists the object at path when it maps, and a group's members below.
 * 0, or -1 with why when the object itself maps to no table. */
static int list_object(text_buf *b, hid_t file, const char *path, int depth,
                       char *why)
{
    io_h5_table t = {.file = file};
    int rc = map_object(&t, path, why);
    if (rc == 0 && t.ncols > 0)
        list_line(b, path, &t);
    table_clear(&t);
    H5Eclear2(H5E_DEFAULT);
    if (is_group(file, path) && depth < LIST_DEPTH_MAX)
        list_group(b, file, path, depth + 1);
    return rc;
}

static void list_group(text_buf *b, hid_t file, const char *path, int depth)
{
    hid_t g = H5Gopen2(file, path, H5P_DEFAULT);
    name_list l;
    if (g < 0 || group_names(g, &l) != 0) {
        if (g >= 0)
            H5Gclose(g);
        return;
    }
    for (size_t i = 0; i < l.n && !b->failed; i++) {
        H5L_info_t info;
        if (H5Lget_info(g, l.names[i], &info, H5P_DEFAULT) < 0 ||
            info.type != H5L_TYPE_HARD)
            continue;
        size_t n = strlen(path) + strlen(l.names[i]) + 2;
        char *child = malloc(n);
        if (!child) {
            b->failed = 1;
            break;
        }
        snprintf(child, n, "%s%s%s", path, strcmp(path, "/") ? "/" : "",
                 l.names[i]);
        char why[WHY_MAX];
        list_object(b, file, child, depth, why);
        free(child);
    }
    names_free(&l);
    H5Gclose(g);
}

/* ---- the variable-length string guard ---- */

/* libhdf5 1.10.8 trusts the global heap when it converts variable-length
 * strings. H5HG_read copies as many bytes as the heap collection says the
 * object holds into a buffer sized from the string length stored in the
 * dataset (H5T__conv_vlen), the heap index is not checked against the
 * collection's table, and that table is decoded without bounds checks. A
 * corrupted length, index or object size thus reads or writes out of
 * bounds inside the library and crashes the process: no error comes back.
 *
 * So before libhdf5 converts a slab of a contiguous dataset, its raw
 * descriptors (length, collection address, index) are read from the file
 * and checked against the collection, decoded here as libhdf5 decodes it
 * but with every bound checked: the collection lies in the file, every
 * object lies in the collection, and the object a string names exists and
 * holds exactly its length. Then every copy libhdf5 makes stays in bounds.
 *
 * The limit: only contiguous datasets have raw bytes at a known offset
 * (H5Dget_offset). Chunked ones may be filtered and compact ones sit in
 * the object header, so their strings are converted unchecked, and a
 * corrupted heap behind them can still crash libhdf5. */

#define VL_NOBJ   65536u /* heap indices are 16-bit in a collection */
#define VL_ABSENT UINT64_MAX

static uint64_t get_le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static uint64_t align8(uint64_t n)
{
    return (n + 7) & ~(uint64_t)7;
}

/* Opens the file for raw reads and learns its address sizes; with no
 * guard (fd < 0) contiguous strings are simply read unchecked. */
static void vl_guard_open(vl_guard *g, hid_t file, const char *path)
{
    struct stat st;
    hid_t fcpl = H5Fget_create_plist(file);
    hsize_t user_block = 0;
    size_t sa = 0, ss = 0;
    g->fd = -1;
    if (fcpl < 0 || H5Pget_userblock(fcpl, &user_block) < 0 ||
        H5Pget_sizes(fcpl, &sa, &ss) < 0 || sa < 2 || sa > 8 || ss < 2 ||
        ss > 8)
        sa = 0;
    if (fcpl >= 0)
        H5Pclose(fcpl);
    H5Eclear2(H5E_DEFAULT);
    int fd = sa ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0 && fstat(fd, &st) != 0) {
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        return;
    *g = (vl_guard){.fd = fd,
                    .base = user_block,
                    .file_size = (uint64_t)st.st_size,
                    .sizeof_addr = (unsigned)sa,
                    .sizeof_size = (unsigned)ss};
}

static void vl_guard_close(vl_guard *g)
{
    if (g->fd >= 0)
        close(g->fd);
    free(g->obj_size);
    free(g->bytes);
    *g = (vl_guard){.fd = -1};
}

/* Reads n bytes at file offset `at` into g->bytes; -1 past the end. */
static int vl_pread(vl_guard *g, uint64_t at, size_t n)
{
    if (at > g->file_size || n > g->file_size - at)
        return -1;
    if (n > g->bytes_cap) {
        unsigned char *p = realloc(g->bytes, n);
        if (!p)
            return -1;
        g->bytes = p;
        g->bytes_cap = n;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(g->fd, g->bytes + done, n - done, (off_t)(at + done));
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

/* Walks the objects of the collection in g->bytes (size bytes) as
 * H5HG__cache_heap_deserialize does, recording each object's size by
 * index (the last of a repeated index wins, as there). 0, or -1 when an
 * object leaves the collection or would stop the walk. */
static int vl_walk_heap(vl_guard *g, uint64_t size)
{
    uint64_t hdr = align8(8 + g->sizeof_size), obj_hdr = 8 + g->sizeof_size;
    for (size_t i = 0; i <= g->obj_max; i++)
        g->obj_size[i] = VL_ABSENT;
    g->obj_max = 0;
    for (uint64_t at = hdr; at < size;) {
        if (size - at < obj_hdr)
            break; /* a tail too small for an object: free space */
        const unsigned char *p = g->bytes + at;
        uint64_t idx = get_le(p, 2), len = get_le(p + 8, g->sizeof_size);
        if (len > size)
            return -1;
        uint64_t need = idx ? obj_hdr + align8(len) : len;
        if (need == 0 || need > size - at)
            return -1;
        if (idx)
            g->obj_size[idx] = len;
        if (idx > g->obj_max)
            g->obj_max = (size_t)idx;
        at += need;
    }
    return 0;
}

/* Makes the collection at heap address addr the decoded one. */
static int vl_load_heap(vl_guard *g, uint64_t addr, char *why)
{
    uint64_t hdr = align8(8 + g->sizeof_size);
    if (!g->obj_size) {
        g->obj_size = malloc(VL_NOBJ * sizeof *g->obj_size);
        if (!g->obj_size)
            return why_set(why, "out of memory"), -1;
        g->obj_max = VL_NOBJ - 1; /* all unset: clear them all once */
    }
    g->heap_addr = 0;
    if (addr > UINT64_MAX - g->base || vl_pread(g, g->base + addr, hdr) != 0)
        return why_set(why, "heap collection outside the file"), -1;
    uint64_t size = get_le(g->bytes + 8, g->sizeof_size);
    if (memcmp(g->bytes, "GCOL", 4) != 0 || g->bytes[4] != 1 || size < hdr)
        return why_set(why, "bad heap collection header"), -1;
    if (size > SIZE_MAX || vl_pread(g, g->base + addr, (size_t)size) != 0)
        return why_set(why, "heap collection outside the file"), -1;
    if (vl_walk_heap(g, size) != 0)
        return why_set(why, "corrupted heap collection"), -1;
    g->heap_addr = addr;
    return 0;
}

/* Strings of source si whose field lies before offset `off`. */
static size_t strings_before(const io_h5_table *t, size_t si, size_t off)
{
    size_t n = 0;
    for (size_t k = 0; k < t->ncols; k++)
        n += t->cols[k].src == si && t->cols[k].conv == CONV_VLSTR &&
             t->cols[k].field_off < off;
    return n;
}

/* libhdf5 reports a dataset's type as laid out in memory, where a
 * variable-length string is a pointer; in the file it is a descriptor of
 * 4 + sizeof_addr + 4 bytes, and the compound fields after it sit further
 * by the difference (H5T__set_loc). Sets each source's bytes per row in
 * the file and each column's offset in such a row. */
static void vl_layout(io_h5_table *t)
{
    size_t grow = 8 + t->guard.sizeof_addr - sizeof(char *);
    for (size_t si = 0; si < t->nsrc; si++) {
        h5_src *src = &t->srcs[si];
        hid_t type = H5Dget_type(src->dset);
        size_t elem = type >= 0 ? H5Tget_size(type) : 0;
        close_type(type);
        /* A compound grows by its strings; a 2-D or 1-D dataset is of one
         * type, string or not. */
        elem += grow * (src->compound ? strings_before(t, si, SIZE_MAX)
                                      : strings_before(t, si, 1) > 0);
        for (size_t j = 0; j < t->ncols; j++) {
            h5_col *c = &t->cols[j];
            if (c->src == si)
                c->file_off =
                    src->compound
                        ? c->field_off +
                              grow * strings_before(t, si, c->field_off)
                        : c->pos * elem;
        }
        src->file_row = elem * (size_t)src->width;
    }
}

/* Checks one string descriptor: "length, address, index". */
static int vl_check_one(vl_guard *g, const unsigned char *d, char *why)
{
    uint64_t len = get_le(d, 4), addr = get_le(d + 4, g->sizeof_addr);
    uint64_t idx = get_le(d + 4 + g->sizeof_addr, 4);
    if (addr == 0)
        return 0; /* a null string: libhdf5 reads no heap */
    if (addr != g->heap_addr && vl_load_heap(g, addr, why) != 0)
        return -1;
    if (idx == 0 || idx >= VL_NOBJ || g->obj_size[idx] != len)
        return why_set(why, "string not in its heap collection"), -1;
    return 0;
}

/* Checks the descriptors of rows [row0, row0 + n) of source src for its
 * selected string columns before libhdf5 converts them (see above). */
static int vl_check_slab(io_h5_table *t, const h5_src *src, size_t si,
                         uint64_t row0, size_t n, char *why)
{
    vl_guard *g = &t->guard;
    size_t row = src->file_row, desc = 8 + g->sizeof_addr;
    if (g->fd < 0 || src->raw == RAW_NONE || n == 0 || row == 0)
        return 0;
    if (row0 > (UINT64_MAX - src->raw) / row ||
        vl_pread(g, src->raw + row0 * row, n * row) != 0)
        return why_set(why, "raw data outside the file"), -1;
    unsigned char *raw = malloc(n * row);
    if (!raw)
        return why_set(why, "out of memory"), -1;
    memcpy(raw, g->bytes, n * row); /* g->bytes is reused for the heap */
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < t->nsel; k++) {
        const h5_col *c = &t->cols[t->sel[k]];
        if (c->src != si || c->conv != CONV_VLSTR || c->file_off + desc > row)
            continue;
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = vl_check_one(g, raw + i * row + c->file_off, why);
    }
    free(raw);
    return rc;
}

/* ---- open / close ---- */

static hid_t open_file(const char *file, const io_h5_opts *o)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0)
        return -1;
#ifdef H5_HAVE_PARALLEL
    if (o && o->mpi_comm &&
        H5Pset_fapl_mpio(fapl, *(const MPI_Comm *)o->mpi_comm, MPI_INFO_NULL) <
            0) {
        H5Pclose(fapl);
        return -1;
    }
#else
    (void)o;
#endif
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    return f;
}

/* Variable-length strings are allocated here, on a list, and all freed
 * after each read: H5Dvlen_reclaim would only find those that reached the
 * buffer, and a conversion that fails half way (a corrupted heap) leaves
 * others behind. Freeing is deferred to the end of the read. */
static void *vl_alloc(size_t size, void *info)
{
    io_h5_table *t = info;
    vl_block *b = malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->next = t->vl_head;
    t->vl_head = b;
    return b + 1;
}

static void vl_free(void *p, void *info)
{
    (void)p, (void)info; /* vl_release frees every block */
}

static void vl_release(io_h5_table *t)
{
    while (t->vl_head) {
        vl_block *next = t->vl_head->next;
        free(t->vl_head);
        t->vl_head = next;
    }
}

static hid_t make_dxpl(io_h5_table *t, const io_h5_opts *o)
{
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (dxpl >= 0 &&
        H5Pset_vlen_mem_manager(dxpl, vl_alloc, t, vl_free, t) < 0) {
        H5Pclose(dxpl);
        return -1;
    }
#ifdef H5_HAVE_PARALLEL
    if (dxpl >= 0 && o && o->mpi_comm)
        H5Pset_dxpl_mpio(dxpl, o->collective ? H5FD_MPIO_COLLECTIVE
                                             : H5FD_MPIO_INDEPENDENT);
#else
    (void)o;
#endif
    return dxpl;
}

static char *display_name(const io_h5_path *p)
{
    size_t n = strlen(p->file) + (p->object ? strlen(p->object) : 0) + 3;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", p->file, p->object ? ": " : "",
                 p->object ? p->object : "");
    return s;
}

/* The objects a user could name instead, for the error of a root group
 * that is no table: "/a (3 x 2), /b (5 x 1)". */
static void root_candidates(hid_t file, char *why)
{
    text_buf b = {0};
    list_group(&b, file, "/", 1);
    size_t at = (size_t)snprintf(why, WHY_MAX, "%s",
                                 "no object given and the root group is no "
                                 "table; objects: ");
    for (char *line = b.data; line && *line && at + 1 < WHY_MAX;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        char *gap = memchr(line, ' ', n);
        at += (size_t)snprintf(why + at, WHY_MAX - at, "%s%.*s",
                               line == b.data ? "" : ", ",
                               (int)(gap ? gap - line : (long)n), line);
        line = end ? end + 1 : NULL;
    }
    if (!b.data || !b.len)
        snprintf(why, WHY_MAX, "%s",
                 "no object given and the file holds no "
                 "table");
    free(b.data);
}

/* Maps p->object, or the root group when none is given. */
static int map_requested(io_h5_table *t, const io_h5_path *p, char *why)
{
    if (p->object)
        return map_object(t, p->object, why);
    if (map_object(t, "/", why) == 0)
        return 0;
    table_clear(t);
    root_candidates(t->file, why);
    return -1;
}

void io_h5_close(io_h5_table *t)
{
    if (!t)
        return;
    h5_enter();
    table_clear(t);
    if (t->dxpl > 0)
        H5Pclose(t->dxpl);
    if (t->file > 0)
        H5Fclose(t->file);
    h5_leave();
    vl_guard_close(&t->guard);
    free(t->name);
    free(t->buf);
    free(t);
}

/* The status of an object that does not map to a table, by the reason. */
static io_status mapping_status(const char *why)
{
    return strcmp(why, "no such object") == 0 ? IO_ENOTFOUND : IO_EUNSUPPORTED;
}

static io_status open_locked(io_h5_table *t, const io_h5_path *p,
                             const io_h5_opts *o, io_error *err)
{
    char why[WHY_MAX];
    if (!io_h5_is_hdf5(p->file))
        return io_fail(err, IO_EIO, "%s: not an HDF5 file", p->file);
    t->file = open_file(p->file, o);
    if (t->file < 0) {
        h5_reason(why);
        return io_fail(err, IO_EIO, "%s: cannot open: %s", p->file, why);
    }
    vl_guard_open(&t->guard, t->file, p->file);
    t->dxpl = make_dxpl(t, o);
    if (t->dxpl < 0)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", t->name);
    if (map_requested(t, p, why) != 0)
        return io_fail(err, mapping_status(why), "%s: %s", t->name, why);
    if (t->ncols == 0)
        return io_fail(err, IO_EEMPTY, "%s: no columns to describe", t->name);
    vl_layout(t);
    return IO_OK;
}

static io_status select_all(io_h5_table *t, io_error *err);

io_status io_h5_open(const io_h5_path *p, const io_h5_opts *o,
                     io_h5_table **out, io_error *err)
{
    io_h5_table *t = calloc(1, sizeof *t);
    if (t && !(t->name = display_name(p))) {
        free(t);
        t = NULL;
    }
    if (!t)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", p->file);
    t->file = t->dxpl = -1;
    t->guard.fd = -1;
    h5_enter();
    io_status st = open_locked(t, p, o, err);
    if (st == IO_OK)
        st = select_all(t, err);
    h5_leave();
    if (st != IO_OK) {
        io_h5_close(t);
        return st;
    }
    *out = t;
    return IO_OK;
}

/* ---- accessors ---- */

uint64_t io_h5_nrows(const io_h5_table *t)
{
    return t->nrows;
}

size_t io_h5_ncols(const io_h5_table *t)
{
    return t->ncols;
}

const char *io_h5_col_name(const io_h5_table *t, size_t col)
{
    return col < t->ncols ? t->cols[col].name : NULL;
}

io_h5_kind io_h5_col_kind(const io_h5_table *t, size_t col)
{
    return col < t->ncols ? t->cols[col].kind : IO_H5_F64;
}

const char *io_h5_name(const io_h5_table *t)
{
    return t->name;
}

const char *io_h5_note(const io_h5_table *t)
{
    return t->note ? t->note : "";
}

uint64_t io_h5_chunk_rows(const io_h5_table *t)
{
    for (size_t i = 0; i < t->nsrc; i++)
        if (t->srcs[i].used)
            return t->srcs[i].chunk;
    return 1;
}

/* ---- selection ---- */

/* Lays out the read buffer of one source: a compound source reads only
 * its selected fields, packed; other sources read whole rows. */
static int layout_src(io_h5_table *t, size_t s)
{
    h5_src *src = &t->srcs[s];
    close_type(src->row_mem);
    src->row_mem = -1;
    src->row_size = 0;
    src->used = src->has_vlen = 0;
    for (size_t j = 0; j < t->ncols; j++) {
        h5_col *c = &t->cols[j];
        if (c->src != s)
            continue;
        src->has_vlen |= c->conv == CONV_VLSTR;
        src->used |= c->selected;
        if (!src->compound) {
            c->offset = c->pos * c->size;
            src->row_size = (size_t)src->width * c->size;
        } else if (c->selected) {
            c->offset = src->row_size;
            src->row_size += c->size;
        }
    }
    if (!src->compound || !src->used)
        return 0;
    src->row_mem = H5Tcreate(H5T_COMPOUND, src->row_size);
    for (size_t j = 0; src->row_mem >= 0 && j < t->ncols; j++) {
        const h5_col *c = &t->cols[j];
        if (c->src == s && c->selected &&
            H5Tinsert(src->row_mem, c->name, c->offset, c->mem) < 0)
            return -1;
    }
    return src->row_mem >= 0 ? 0 : -1;
}

static io_status select_locked(io_h5_table *t, const size_t *cols, size_t n,
                               io_error *err)
{
    size_t *sel = malloc((n + 1) * sizeof *sel);
    if (!sel)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", t->name);
    for (size_t j = 0; j < t->ncols; j++)
        t->cols[j].selected = 0;
    for (size_t k = 0; k < n; k++) {
        if (cols[k] >= t->ncols) {
            free(sel);
            return io_fail(err, IO_EIO, "%s: no column %zu", t->name, cols[k]);
        }
        sel[k] = cols[k];
        t->cols[cols[k]].selected = 1;
    }
    free(t->sel);
    t->sel = sel;
    t->nsel = n;
    for (size_t s = 0; s < t->nsrc; s++)
        if (layout_src(t, s) != 0)
            return io_fail(err, IO_ENOMEM, "%s: cannot build a memory type",
                           t->name);
    return IO_OK;
}

static io_status select_all(io_h5_table *t, io_error *err)
{
    size_t *all = malloc((t->ncols + 1) * sizeof *all);
    if (!all)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", t->name);
    for (size_t j = 0; j < t->ncols; j++)
        all[j] = j;
    io_status st = select_locked(t, all, t->ncols, err);
    free(all);
    return st;
}

io_status io_h5_select(io_h5_table *t, const size_t *cols, size_t n,
                       io_error *err)
{
    h5_enter();
    io_status st = select_locked(t, cols, n, err);
    h5_leave();
    return st;
}

size_t io_h5_row_bytes(const io_h5_table *t)
{
    size_t bytes = 0;
    for (size_t k = 0; k < t->nsel; k++) {
        const h5_col *c = &t->cols[t->sel[k]];
        bytes += c->kind == IO_H5_BOOL    ? 1
                 : c->kind != IO_H5_STR   ? 8
                 : c->conv == CONV_FIXSTR ? c->size + 8
                                          : 24;
    }
    return bytes ? bytes : 1;
}

/* ---- slabs ---- */

int io_h5_slab_init(io_h5_slab *s, const io_h5_table *t, size_t cap_rows)
{
    *s = (io_h5_slab){.cap_rows = cap_rows, .ncols = t->nsel};
    s->cols = calloc(t->nsel + 1, sizeof *s->cols);
    if (!s->cols)
        return -1;
    for (size_t k = 0; k < t->nsel; k++) {
        io_h5_colbuf *b = &s->cols[k];
        b->kind = t->cols[t->sel[k]].kind;
        b->values = malloc((cap_rows + 1) * (b->kind == IO_H5_BOOL ? 1 : 8));
        if (!b->values)
            return -1;
        if (b->kind == IO_H5_STR &&
            !(b->off = malloc((cap_rows + 1) * sizeof *b->off)))
            return -1;
    }
    return 0;
}

void io_h5_slab_free(io_h5_slab *s)
{
    for (size_t k = 0; s->cols && k < s->ncols; k++) {
        free(s->cols[k].values);
        free(s->cols[k].off);
        free(s->cols[k].text);
    }
    free(s->cols);
    *s = (io_h5_slab){0};
}

static int text_reserve(io_h5_colbuf *b, size_t need)
{
    if (need <= b->text_cap)
        return 0;
    size_t cap = b->text_cap ? b->text_cap : 4096;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->text, cap);
    if (!p)
        return -1;
    b->text = p;
    b->text_cap = cap;
    return 0;
}

static int scatter_text(const h5_col *c, const unsigned char *row,
                        size_t row_size, size_t n, io_h5_colbuf *b)
{
    uint64_t at = 0;
    for (size_t i = 0; i < n; i++, row += row_size) {
        const char *s = (const char *)row + c->offset;
        size_t len = c->size;
        if (c->conv == CONV_VLSTR) {
            memcpy(&s, row + c->offset, sizeof s);
            len = s ? strlen(s) : 0;
        } else {
            while (len > 0 && s[len - 1] == '\0') /* numpy's 'S' rule */
                len--;
        }
        b->off[i] = at;
        if (text_reserve(b, at + len + 1) != 0)
            return -1;
        if (len)
            memcpy(b->text + at, s, len);
        at += len;
    }
    b->off[n] = at;
    return 0;
}

static int64_t widen(const unsigned char *p, size_t size, int is_signed)
{
    int64_t v = 0;
    if (size == 1)
        v = is_signed ? *(const int8_t *)p : *(const uint8_t *)p;
    else if (size == 2) {
        int16_t s;
        uint16_t u;
        memcpy(&s, p, 2);
        memcpy(&u, p, 2);
        v = is_signed ? s : u;
    } else if (size == 4) {
        int32_t s;
        uint32_t u;
        memcpy(&s, p, 4);
        memcpy(&u, p, 4);
        v = is_signed ? s : (int64_t)u;
    } else if (size == 8)
        memcpy(&v, p, 8);
    return v;
}

/* Moves column c of n rows from the read buffer into b. */
static int scatter(const h5_col *c, const unsigned char *buf, size_t row_size,
                   size_t n, io_h5_colbuf *b)
{
    const unsigned char *row = buf + c->offset;
    unsigned char *out = b->values;
    switch (c->conv) {
    case CONV_COPY8:
        for (size_t i = 0; i < n; i++, row += row_size)
            memcpy(out + 8 * i, row, 8);
        return 0;
    case CONV_BOOL:
        for (size_t i = 0; i < n; i++, row += row_size)
            out[i] = *row != 0;
        return 0;
    case CONV_ENUM:
        for (size_t i = 0; i < n; i++, row += row_size) {
            int64_t v = widen(row, c->size, c->is_signed);
            memcpy(out + 8 * i, &v, 8);
        }
        return 0;
    case CONV_FIXSTR:
    case CONV_VLSTR:
        break;
    }
    return scatter_text(c, buf, row_size, n, b);
}

static int buf_reserve(io_h5_table *t, size_t need)
{
    if (need <= t->buf_cap)
        return 0;
    unsigned char *p = realloc(t->buf, need);
    if (!p)
        return -1;
    t->buf = p;
    t->buf_cap = need;
    return 0;
}

/* Selects rows [row0, row0 + n) of a source in the file and in memory;
 * n == 0 selects nothing (a collective read with no share). */
static int select_rows(const h5_src *src, uint64_t row0, size_t n,
                       hid_t *fspace, hid_t *mspace)
{
    hsize_t start[2] = {row0, 0}, count[2] = {n, src->width};
    *fspace = H5Dget_space(src->dset);
    *mspace = H5Screate_simple(src->ndims, count, NULL);
    if (*fspace < 0 || *mspace < 0)
        return -1;
    if (n == 0)
        return H5Sselect_none(*fspace) < 0 || H5Sselect_none(*mspace) < 0;
    return H5Sselect_hyperslab(*fspace, H5S_SELECT_SET, start, NULL, count,
                               NULL) < 0;
}

/* The memory type source si is read with: its selected fields, or the
 * one type of its columns. */
static hid_t src_mem_type(const io_h5_table *t, size_t si)
{
    if (t->srcs[si].compound)
        return t->srcs[si].row_mem;
    for (size_t j = 0; j < t->ncols; j++)
        if (t->cols[j].src == si)
            return t->cols[j].mem;
    return -1;
}

/* libhdf5's read of rows [row0, row0 + n) of source si into t->buf. */
static int read_rows(io_h5_table *t, size_t si, uint64_t row0, size_t n,
                     char *why)
{
    const h5_src *src = &t->srcs[si];
    hid_t fspace = -1, mspace = -1;
    int bad = select_rows(src, row0, n, &fspace, &mspace) != 0 ||
              H5Dread(src->dset, src_mem_type(t, si), mspace, fspace, t->dxpl,
                      t->buf) < 0;
    if (bad)
        h5_reason(why);
    if (fspace >= 0)
        H5Sclose(fspace);
    if (mspace >= 0)
        H5Sclose(mspace);
    return bad ? -1 : 0;
}

/* One source's share of a slab: check, read, scatter, give heap strings
 * back. */
static io_status read_src(io_h5_table *t, size_t si, uint64_t row0, size_t n,
                          io_h5_slab *s, io_error *err)
{
    const h5_src *src = &t->srcs[si];
    char why[WHY_MAX];
    if (buf_reserve(t, n * src->row_size + 1) != 0)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", t->name);
    if (src->has_vlen) /* a failed read leaves no wild pointer */
        memset(t->buf, 0, n * src->row_size);
    int bad = src->has_vlen && vl_check_slab(t, src, si, row0, n, why) != 0;
    if (!bad)
        bad = read_rows(t, si, row0, n, why) != 0;
    int lost = 0; /* out of memory while scattering */
    for (size_t k = 0; !bad && !lost && k < t->nsel; k++)
        if (t->cols[t->sel[k]].src == si)
            lost = scatter(&t->cols[t->sel[k]], t->buf, src->row_size, n,
                           &s->cols[k]) != 0;
    vl_release(t);
    if (lost || (bad && strcmp(why, "out of memory") == 0))
        return io_fail(err, IO_ENOMEM, "%s: out of memory", t->name);
    if (bad)
        return io_fail(err, IO_EPARSE, "%s: cannot read rows %llu..%llu: %s",
                       t->name, (unsigned long long)row0,
                       (unsigned long long)(row0 + n), why);
    return IO_OK;
}

io_status io_h5_read(io_h5_table *t, uint64_t row0, size_t n, io_h5_slab *s,
                     io_error *err)
{
    if (n > s->cap_rows || row0 > t->nrows || n > t->nrows - row0)
        return io_fail(err, IO_EIO, "%s: rows %llu..%llu out of range", t->name,
                       (unsigned long long)row0,
                       (unsigned long long)(row0 + n));
    io_status st = IO_OK;
    h5_enter();
    for (size_t si = 0; si < t->nsrc && st == IO_OK; si++)
        if (t->srcs[si].used)
            st = read_src(t, si, row0, n, s, err);
    h5_leave();
    s->row0 = row0;
    s->nrows = st == IO_OK ? n : 0;
    return st;
}

/* ---- listing entry point ---- */

/* Lists `object` ("/" for the whole file) and what lies below it. A
 * dataset that maps to no table is an error with the reason, as
 * describing it would be; a group lists whatever maps below it, possibly
 * nothing. */
static int list_requested(text_buf *b, hid_t file, const char *object,
                          char *why)
{
    if (!object_exists(file, object))
        return why_set(why, "no such object"), -1;
    if (list_object(b, file, object, 0, why) != 0 && !is_group(file, object))
        return -1;
    return 0;
}

/* The object part without trailing slashes ("/g/" is "/g"), "/" when
 * none: a new string, NULL when out of memory. */
static char *list_root(const char *object)
{
    size_t n = object ? strlen(object) : 0;
    while (n > 1 && object[n - 1] == '/')
        n--;
    return n ? dup_n(object, n) : dup_n("/", 1);
}

/* Lists `object` of p->file into b. */
static io_status list_file(const io_h5_path *p, const char *object, text_buf *b,
                           io_error *err)
{
    char why[WHY_MAX];
    io_status st = IO_OK;
    h5_enter();
    hid_t f = open_file(p->file, NULL);
    if (f < 0) {
        h5_reason(why);
        st = io_fail(err, IO_EIO, "%s: cannot open: %s", p->file, why);
    } else if (list_requested(b, f, object, why) != 0) {
        st = io_fail(err, mapping_status(why), "%s: %s: %s", p->file, object,
                     why);
    }
    if (f >= 0)
        H5Fclose(f);
    h5_leave();
    return st;
}

io_status io_h5_list(const io_h5_path *p, char **out, size_t *len,
                     io_error *err)
{
    if (!io_h5_is_hdf5(p->file))
        return io_fail(err, IO_EIO, "%s: %s", p->file,
                       is_file(p->file) ? "not an HDF5 file" : "no such file");
    char *object = list_root(p->object);
    if (!object)
        return io_fail(err, IO_ENOMEM, "%s: out of memory", p->file);
    text_buf b = {0};
    io_status st = list_file(p, object, &b, err);
    free(object);
    text_add(&b, "%s", ""); /* a NUL-terminated buffer even when empty */
    if (st == IO_OK && (b.failed || !b.data))
        st = io_fail(err, IO_ENOMEM, "%s: out of memory", p->file);
    if (st != IO_OK) {
        free(b.data);
        return st;
    }
    *out = b.data;
    *len = b.len;
    return IO_OK;
}
