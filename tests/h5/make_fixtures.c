/*
 * make_fixtures.c - writes the HDF5 test inputs, each table with its CSV
 * twin (the same values as read_csv would read them), into a folder.
 *
 *   make_fixtures OUTDIR
 *
 * Good inputs (OUTDIR/x.h5 with OUTDIR/x.csv, same table):
 *   types.h5:/table     1-D compound of every supported type (int8 ..
 *                       uint64, float32/64 with NaN, bool enum, fixed and
 *                       variable-length strings), 5000 rows
 *   types_be.h5:/table  the same with every number big-endian
 *   group.h5:/g         a group: chunked + gzip + shuffle 1-D datasets Z,
 *                       a, b, c (name order: 'Z' before 'a'); skipped: a 2-D,
 *                       a scalar, a subgroup, a compound, one of another
 *                       length; group.h5:/tie two lengths, one member each
 *   compact.h5:/compact 1-D int16 in the compact layout
 *   grid.h5:/grid       2-D float64 2000 x 3 with NaN, chunked
 *   flags.h5:/flags     h5py's bool enum
 *   empty.h5:/empty     a 0-row compound (no CSV twin)
 * Bad inputs (bad.h5): /cube (3-D), /refs (references), /opaque,
 * /nested (a nested compound field), /arr (an array field), /filtered (a
 * filter no reader has); truncated.h5 (types.h5 cut short).
 * vlen.h5 (/rec with vlen.csv, /names, /grid: contiguous strings) and
 * corrupt/000.h5 .. 299.h5, copies of it with random bytes overwritten.
 */
#include <hdf5.h>

#include <math.h>
#include <sys/stat.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NROWS    5000
#define NCORRUPT 300

static const char *const codes[] = {"alpha", "beta", "ab  ", "Z\xc3\xbcrich",
                                    "eightchr"};
static const char *const labels[] = {"north", "south", "east", "west",
                                     "\xe6\x9d\xb1\xe4\xba\xac"};

typedef struct {
    int8_t i8;
    uint8_t u8;
    int16_t i16;
    uint16_t u16;
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
    float f32;
    double f64;
    uint8_t flag;
    char code[8];
    const char *label;
} row;

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 11;
}

static double rng_unit(uint64_t *s)
{
    return (double)rng_next(s) / (double)(1ull << 53);
}

static void fill_rows(row *r, size_t n)
{
    uint64_t s = 42;
    for (size_t i = 0; i < n; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].i8 = (int8_t)(int)(rng_next(&s) % 256 - 128);
        r[i].u8 = (uint8_t)rng_next(&s);
        r[i].i16 = (int16_t)(int)(rng_next(&s) % 65536 - 32768);
        r[i].u16 = (uint16_t)rng_next(&s);
        r[i].i32 =
            (int32_t)(int64_t)(rng_next(&s) % 4294967296ull - 2147483648ull);
        r[i].u32 = (uint32_t)rng_next(&s);
        r[i].i64 =
            (int64_t)(rng_next(&s) % 2000000000000000ull) - 1000000000000000ll;
        /* above INT64_MAX, so read_csv also says uint64 */
        r[i].u64 = (1ull << 63) + rng_next(&s);
        r[i].f32 = i % 37 == 5 ? NAN : (float)(rng_unit(&s) * 40.0 - 10.0);
        r[i].f64 = i % 53 == 7 ? NAN : exp(rng_unit(&s) * 8.0 - 4.0);
        r[i].flag = rng_next(&s) % 3 == 0;
        const char *code = codes[rng_next(&s) % 5];
        memcpy(r[i].code, code, strlen(code)); /* at most 8: NUL-padded */
        r[i].label = labels[rng_next(&s) % 5];
    }
}

/* ---- types ------------------------------------------------------------- */

static hid_t bool_enum(void)
{
    int8_t no = 0, yes = 1;
    hid_t t = H5Tenum_create(H5T_STD_I8LE);
    H5Tenum_insert(t, "FALSE", &no);
    H5Tenum_insert(t, "TRUE", &yes);
    return t;
}

static hid_t mem_bool_enum(void)
{
    uint8_t no = 0, yes = 1;
    hid_t t = H5Tenum_create(H5T_NATIVE_UINT8);
    H5Tenum_insert(t, "FALSE", &no);
    H5Tenum_insert(t, "TRUE", &yes);
    return t;
}

static hid_t fixed_str(size_t n)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, n);
    H5Tset_strpad(t, H5T_STR_NULLPAD);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

static hid_t vlen_str(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

/* The compound type of row, in memory (file: 0) or in the file with the
 * numbers in the given byte order. */
static hid_t row_type(int file, int big)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(row));
    hid_t num[10] = {H5T_NATIVE_INT8,   H5T_NATIVE_UINT8,  H5T_NATIVE_INT16,
                     H5T_NATIVE_UINT16, H5T_NATIVE_INT32,  H5T_NATIVE_UINT32,
                     H5T_NATIVE_INT64,  H5T_NATIVE_UINT64, H5T_NATIVE_FLOAT,
                     H5T_NATIVE_DOUBLE};
    if (file) {
        hid_t le[10] = {H5T_STD_I8LE,  H5T_STD_U8LE,  H5T_STD_I16LE,
                        H5T_STD_U16LE, H5T_STD_I32LE, H5T_STD_U32LE,
                        H5T_STD_I64LE, H5T_STD_U64LE, H5T_IEEE_F32LE,
                        H5T_IEEE_F64LE};
        hid_t be[10] = {H5T_STD_I8BE,  H5T_STD_U8BE,  H5T_STD_I16BE,
                        H5T_STD_U16BE, H5T_STD_I32BE, H5T_STD_U32BE,
                        H5T_STD_I64BE, H5T_STD_U64BE, H5T_IEEE_F32BE,
                        H5T_IEEE_F64BE};
        memcpy(num, big ? be : le, sizeof num);
    }
    static const char *const names[10] = {"i8",  "u8",  "i16", "u16", "i32",
                                          "u32", "i64", "u64", "f32", "f64"};
    static const size_t offs[10] = {offsetof(row, i8),  offsetof(row, u8),
                                    offsetof(row, i16), offsetof(row, u16),
                                    offsetof(row, i32), offsetof(row, u32),
                                    offsetof(row, i64), offsetof(row, u64),
                                    offsetof(row, f32), offsetof(row, f64)};
    for (int k = 0; k < 10; k++)
        H5Tinsert(t, names[k], offs[k], num[k]);
    hid_t b = file ? bool_enum() : mem_bool_enum();
    hid_t fs = fixed_str(8), vs = vlen_str();
    H5Tinsert(t, "flag", offsetof(row, flag), b);
    H5Tinsert(t, "code", offsetof(row, code), fs);
    H5Tinsert(t, "label", offsetof(row, label), vs);
    H5Tclose(b);
    H5Tclose(fs);
    H5Tclose(vs);
    if (file)
        H5Tpack(t);
    return t;
}

/* ---- writing helpers --------------------------------------------------------
 */

static char path_buf[4096];

static const char *in_dir(const char *dir, const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
    return path_buf;
}

static hid_t create_file(const char *dir, const char *name)
{
    hid_t f =
        H5Fcreate(in_dir(dir, name), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        fprintf(stderr, "make_fixtures: cannot create %s\n", path_buf);
        exit(1);
    }
    return f;
}

static FILE *create_csv(const char *dir, const char *name)
{
    FILE *f = fopen(in_dir(dir, name), "w");
    if (!f) {
        fprintf(stderr, "make_fixtures: cannot create %s\n", path_buf);
        exit(1);
    }
    return f;
}

static void write_1d(hid_t loc, const char *name, hid_t ftype, hid_t mtype,
                     hsize_t n, hid_t dcpl, const void *data)
{
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t d = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT,
                         dcpl > 0 ? dcpl : H5P_DEFAULT, H5P_DEFAULT);
    if (d < 0 || H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        fprintf(stderr, "make_fixtures: cannot write %s\n", name);
        exit(1);
    }
    H5Dclose(d);
    H5Sclose(space);
}

/* A double as read_csv reads it back exactly; NaN is an empty field. */
static void put_double(FILE *f, double x, const char *sep)
{
    if (isnan(x))
        fprintf(f, "%s", sep);
    else
        fprintf(f, "%.17g%s", x, sep);
}

/* ---- the tables
 * --------------------------------------------------------------- */

static void write_types(const char *dir, const char *name, int big,
                        const row *r)
{
    hid_t f = create_file(dir, name);
    hid_t ft = row_type(1, big), mt = row_type(0, 0);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hsize_t chunk = 700; /* the last chunk is partial */
    H5Pset_chunk(dcpl, 1, &chunk);
    write_1d(f, "table", ft, mt, NROWS, dcpl, r);
    H5Pclose(dcpl);
    H5Tclose(ft);
    H5Tclose(mt);
    H5Fclose(f);
}

static void write_types_csv(const char *dir, const row *r)
{
    FILE *f = create_csv(dir, "types.csv");
    fprintf(f, "i8,u8,i16,u16,i32,u32,i64,u64,f32,f64,flag,code,label\n");
    for (size_t i = 0; i < NROWS; i++) {
        fprintf(f, "%d,%u,%d,%u,%ld,%lu,%lld,%llu,", r[i].i8, r[i].u8, r[i].i16,
                r[i].u16, (long)r[i].i32, (unsigned long)r[i].u32,
                (long long)r[i].i64, (unsigned long long)r[i].u64);
        put_double(f, (double)r[i].f32, ",");
        put_double(f, r[i].f64, ",");
        fprintf(f, "%s,%.8s,%s\n", r[i].flag ? "True" : "False", r[i].code,
                r[i].label);
    }
    fclose(f);
}

static hid_t gzip_chunks(hsize_t rows)
{
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, &rows);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 6);
    return dcpl;
}

/* Members that map: Z (float64), a (int32), b (uint16), c (vlen text). */
static void write_group_members(hid_t g, FILE *csv)
{
    enum { N = 3000 };
    static double z[N];
    static int32_t a[N];
    static uint16_t b[N];
    static const char *c[N];
    uint64_t s = 7;
    for (size_t i = 0; i < N; i++) {
        z[i] = i % 11 == 0 ? NAN : rng_unit(&s) * 100.0 - 50.0;
        a[i] = (int32_t)(rng_next(&s) % 100000) - 50000;
        b[i] = (uint16_t)rng_next(&s);
        c[i] = labels[rng_next(&s) % 4];
    }
    hid_t dcpl = gzip_chunks(512), vs = vlen_str();
    write_1d(g, "Z", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, N, dcpl, z);
    write_1d(g, "a", H5T_STD_I32BE, H5T_NATIVE_INT32, N, dcpl, a);
    write_1d(g, "b", H5T_STD_U16LE, H5T_NATIVE_UINT16, N, dcpl, b);
    write_1d(g, "c", vs, vs, N, dcpl, c);
    H5Tclose(vs);
    H5Pclose(dcpl);
    fprintf(csv, "Z,a,b,c\n");
    for (size_t i = 0; i < N; i++) {
        put_double(csv, z[i], ",");
        fprintf(csv, "%d,%u,%s\n", a[i], b[i], c[i]);
    }
}

/* Members a group skips. */
static void write_group_skipped(hid_t g)
{
    static double m[3000][2];
    hsize_t dims[2] = {3000, 2};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t d = H5Dcreate2(g, "m", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m);
    H5Dclose(d);
    H5Sclose(sp);
    sp = H5Screate(H5S_SCALAR);
    int one = 1;
    d = H5Dcreate2(g, "s", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT,
                   H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, &one);
    H5Dclose(d);
    H5Sclose(sp);
    static double shorter[10];
    write_1d(g, "short", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 10, 0, shorter);
    hid_t sub = H5Gcreate2(g, "sub", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    write_1d(sub, "inner", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 10, 0, shorter);
    H5Gclose(sub);
    static row recs[3000];
    hid_t ft = row_type(1, 0), mt = row_type(0, 0);
    for (size_t i = 0; i < 3000; i++)
        recs[i].label = "x";
    write_1d(g, "rec", ft, mt, 3000, 0, recs);
    H5Tclose(ft);
    H5Tclose(mt);
}

/* /tie: y (6 rows) and x (4 rows) are one each: the common length is the
 * first in name order, 4, so y is skipped. */
static void write_group_tie(hid_t f)
{
    static const double x[4] = {1, 2, 3, 4}, y[6] = {0};
    hid_t g = H5Gcreate2(f, "tie", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    write_1d(g, "y", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 6, 0, y);
    write_1d(g, "x", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 4, 0, x);
    H5Gclose(g);
}

static void write_group(const char *dir)
{
    hid_t f = create_file(dir, "group.h5");
    FILE *csv = create_csv(dir, "group.csv");
    hid_t g = H5Gcreate2(f, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    write_group_members(g, csv);
    write_group_skipped(g);
    H5Gclose(g);
    write_group_tie(f);
    H5Fclose(f);
    fclose(csv);
}

static void write_compact(const char *dir)
{
    int16_t v[50];
    FILE *csv = create_csv(dir, "compact.csv");
    fprintf(csv, "compact\n");
    for (int i = 0; i < 50; i++) {
        v[i] = (int16_t)(i * i * 13 % 2001 - 1000);
        fprintf(csv, "%d\n", v[i]);
    }
    fclose(csv);
    hid_t f = create_file(dir, "compact.h5");
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_layout(dcpl, H5D_COMPACT);
    write_1d(f, "compact", H5T_STD_I16BE, H5T_NATIVE_INT16, 50, dcpl, v);
    H5Pclose(dcpl);
    H5Fclose(f);
}

static void write_grid(const char *dir)
{
    enum { N = 2000, M = 3 };
    static double g[N][M];
    uint64_t s = 99;
    FILE *csv = create_csv(dir, "grid.csv");
    fprintf(csv, "0,1,2\n");
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < M; j++) {
            g[i][j] = rng_next(&s) % 7 == 0 ? NAN : rng_unit(&s) * 1e3;
            put_double(csv, g[i][j], j + 1 < M ? "," : "\n");
        }
    fclose(csv);
    hid_t f = create_file(dir, "grid.h5");
    hsize_t dims[2] = {N, M}, chunk[2] = {128, M};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    hid_t d = H5Dcreate2(f, "grid", H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl,
                         H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, g);
    H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(sp);
    H5Fclose(f);
}

static void write_flags(const char *dir)
{
    uint8_t v[300];
    FILE *csv = create_csv(dir, "flags.csv");
    fprintf(csv, "flags\n");
    for (int i = 0; i < 300; i++) {
        v[i] = i % 4 == 1;
        fprintf(csv, "%s\n", v[i] ? "True" : "False");
    }
    fclose(csv);
    hid_t f = create_file(dir, "flags.h5");
    hid_t ft = bool_enum(), mt = mem_bool_enum();
    write_1d(f, "flags", ft, mt, 300, 0, v);
    H5Tclose(ft);
    H5Tclose(mt);
    H5Fclose(f);
}

static void write_empty(const char *dir)
{
    hid_t f = create_file(dir, "empty.h5");
    hid_t t = H5Tcreate(H5T_COMPOUND, 16);
    hid_t s4 = fixed_str(4);
    H5Tinsert(t, "x", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "n", 8, H5T_NATIVE_INT32);
    H5Tinsert(t, "tag", 12, s4);
    hsize_t zero = 0;
    hid_t sp = H5Screate_simple(1, &zero, NULL);
    hid_t d =
        H5Dcreate2(f, "empty", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(s4);
    H5Tclose(t);
    H5Fclose(f);
}

/* ---- bad inputs
 * ------------------------------------------------------------------ */

static size_t pass_through(unsigned flags, size_t cd_nelmts,
                           const unsigned cd_values[], size_t nbytes,
                           size_t *buf_size, void **buf)
{
    (void)flags, (void)cd_nelmts, (void)cd_values, (void)buf_size, (void)buf;
    return nbytes;
}

/* A filter only this program knows: readers lack its plugin. */
static void write_filtered(hid_t f)
{
    const H5Z_class2_t cls = {H5Z_CLASS_T_VERS,
                              (H5Z_filter_t)31999,
                              1,
                              1,
                              "dfsum-test-filter",
                              NULL,
                              NULL,
                              pass_through};
    H5Zregister(&cls);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hsize_t chunk = 10;
    double v[20] = {0};
    H5Pset_chunk(dcpl, 1, &chunk);
    H5Pset_filter(dcpl, (H5Z_filter_t)31999, H5Z_FLAG_MANDATORY, 0, NULL);
    write_1d(f, "filtered", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 20, dcpl, v);
    H5Pclose(dcpl);
}

static void write_odd_types(hid_t f)
{
    hobj_ref_t refs[4];
    for (int i = 0; i < 4; i++)
        H5Rcreate(&refs[i], f, "/cube", H5R_OBJECT, -1);
    write_1d(f, "refs", H5T_STD_REF_OBJ, H5T_STD_REF_OBJ, 4, 0, refs);
    hid_t op = H5Tcreate(H5T_OPAQUE, 4);
    H5Tset_tag(op, "raw bytes");
    char raw[16] = {0};
    write_1d(f, "opaque", op, op, 4, 0, raw);
    H5Tclose(op);
    hid_t inner = H5Tcreate(H5T_COMPOUND, 8);
    H5Tinsert(inner, "x", 0, H5T_NATIVE_DOUBLE);
    hid_t outer = H5Tcreate(H5T_COMPOUND, 16);
    H5Tinsert(outer, "a", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(outer, "inner", 8, inner);
    double nested[8] = {0};
    write_1d(f, "nested", outer, outer, 4, 0, nested);
    H5Tclose(outer);
    H5Tclose(inner);
    hsize_t three = 3;
    hid_t arr = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &three);
    hid_t with_arr = H5Tcreate(H5T_COMPOUND, 32);
    H5Tinsert(with_arr, "a", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(with_arr, "v", 8, arr);
    double arrays[16] = {0};
    write_1d(f, "arr", with_arr, with_arr, 4, 0, arrays);
    H5Tclose(with_arr);
    H5Tclose(arr);
}

static void write_bad(const char *dir)
{
    hid_t f = create_file(dir, "bad.h5");
    hsize_t dims[3] = {4, 3, 2};
    double cube[24] = {0};
    hid_t sp = H5Screate_simple(3, dims, NULL);
    hid_t d = H5Dcreate2(f, "cube", H5T_IEEE_F64LE, sp, H5P_DEFAULT,
                         H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, cube);
    H5Dclose(d);
    H5Sclose(sp);
    write_odd_types(f);
    write_filtered(f);
    H5Fclose(f);
}

/* ---- variable-length strings, contiguous ---- */

typedef struct {
    int32_t a;
    const char *s;
    double x;
    const char *t;
} vl_rec;

/* /rec: a compound whose strings move the fields after them (a pointer
 * in memory, a 16-byte descriptor in the file). */
static void write_vlen_rec(hid_t f, FILE *csv)
{
    enum { N = 60 };
    static vl_rec r[N];
    hid_t vs = vlen_str(), t = H5Tcreate(H5T_COMPOUND, sizeof(vl_rec));
    H5Tinsert(t, "a", offsetof(vl_rec, a), H5T_NATIVE_INT32);
    H5Tinsert(t, "s", offsetof(vl_rec, s), vs);
    H5Tinsert(t, "x", offsetof(vl_rec, x), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "t", offsetof(vl_rec, t), vs);
    fprintf(csv, "a,s,x,t\n");
    for (int i = 0; i < N; i++) {
        r[i] = (vl_rec){i * 7 % 23, codes[i % 4], i * 0.25, labels[i % 5]};
        fprintf(csv, "%d,%s,%.17g,%s\n", r[i].a, r[i].s, r[i].x, r[i].t);
    }
    write_1d(f, "rec", t, t, N, 0, r);
    H5Tclose(t);
    H5Tclose(vs);
}

/* /names: 1-D strings (40 rows); /grid: 2-D strings 12 x 3. */
static void write_vlen_plain(hid_t f)
{
    static char text[40][16];
    static const char *names[40], *grid[12][3];
    for (int i = 0; i < 40; i++) {
        snprintf(text[i], sizeof text[i], "name%d", i * 7 % 13);
        names[i] = text[i];
        grid[i % 12][i % 3] = text[i];
    }
    hid_t vs = vlen_str();
    write_1d(f, "names", vs, vs, 40, 0, names);
    hsize_t dims[2] = {12, 3};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t d =
        H5Dcreate2(f, "grid", vs, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, vs, H5S_ALL, H5S_ALL, H5P_DEFAULT, grid);
    H5Dclose(d);
    H5Sclose(sp);
    H5Tclose(vs);
}

static void write_vlen(const char *dir)
{
    hid_t f = create_file(dir, "vlen.h5");
    FILE *csv = create_csv(dir, "vlen.csv");
    write_vlen_rec(f, csv);
    write_vlen_plain(f);
    H5Fclose(f);
    fclose(csv);
}

static unsigned char *read_all(const char *path, size_t *n)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        exit(1);
    fseek(in, 0, SEEK_END);
    *n = (size_t)ftell(in);
    fseek(in, 0, SEEK_SET);
    unsigned char *buf = malloc(*n);
    if (!buf || fread(buf, 1, *n, in) != *n)
        exit(1);
    fclose(in);
    return buf;
}

/* corrupt/NNN.h5: vlen.h5 with 1 to 4 random bytes overwritten (fixed
 * seed), for the guard against libhdf5 crashing on a corrupted heap. */
static void write_corrupted(const char *dir)
{
    size_t n;
    unsigned char *orig = read_all(in_dir(dir, "vlen.h5"), &n);
    unsigned char *copy = malloc(n);
    uint64_t seed = 2024;
    char name[64];
    for (int i = 0; copy && i < NCORRUPT; i++) {
        memcpy(copy, orig, n);
        for (uint64_t k = rng_next(&seed) % 4 + 1; k > 0; k--)
            copy[rng_next(&seed) % n] = (unsigned char)rng_next(&seed);
        snprintf(name, sizeof name, "corrupt/%03d.h5", i);
        FILE *out = create_csv(dir, name);
        fwrite(copy, 1, n, out);
        fclose(out);
    }
    free(copy);
    free(orig);
}

/* types.h5 cut to 60 %: the superblock is there, the rest is not. */
static void write_truncated(const char *dir)
{
    FILE *in = fopen(in_dir(dir, "types.h5"), "rb");
    if (!in)
        exit(1);
    fseek(in, 0, SEEK_END);
    long n = ftell(in) * 6 / 10;
    fseek(in, 0, SEEK_SET);
    char *buf = malloc((size_t)n);
    if (!buf || fread(buf, 1, (size_t)n, in) != (size_t)n)
        exit(1);
    fclose(in);
    FILE *out = create_csv(dir, "truncated.h5");
    fwrite(buf, 1, (size_t)n, out);
    fclose(out);
    free(buf);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_fixtures OUTDIR\n");
        return 2;
    }
    const char *dir = argv[1];
    row *r = calloc(NROWS, sizeof *r);
    if (!r)
        return 1;
    fill_rows(r, NROWS);
    write_types(dir, "types.h5", 0, r);
    write_types(dir, "types_be.h5", 1, r);
    write_types_csv(dir, r);
    write_group(dir);
    write_compact(dir);
    write_grid(dir);
    write_flags(dir);
    write_empty(dir);
    write_bad(dir);
    write_truncated(dir);
    write_vlen(dir);
    mkdir(in_dir(dir, "corrupt"), 0777);
    write_corrupted(dir);
    free(r);
    return 0;
}
