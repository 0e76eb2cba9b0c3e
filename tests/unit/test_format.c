/*
 * test_format.c - the output formats, checked on real results.
 *
 * Each test writes a small CSV file into a temporary folder, describes it
 * with the library (include all) and compares the formatted text with what
 * pandas 1.5.3 prints for the same file: describe(include='all').to_csv(),
 * its to_string() (trailing spaces removed) and, for JSON, json.dumps of
 * the same frame. The float cases compare with Python's repr(float).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dfsum.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A float column, an int column, a text column, a bool column and one
 * with infinities. */
static const char MIXED_INPUT[] = "f,i,t,b,v\n"
                                  "1.5,3,\"x,y\",True,inf\n"
                                  "2.25,-7,plain,False,1\n"
                                  ",10,\"say \"\"q\"\"\",True,-inf\n"
                                  "0.1,0,plain,True,2.5\n";

/* Names that need quoting (or look like they might): a leading space, a
 * quote, an empty name (pandas calls it "Unnamed: 2") and a newline. */
static const char NAMES_INPUT[] = " lead,\"a\"\"b\",,\"c\nd\"\n"
                                  "1,2,3,4\n";

/* Tiny and large values switch pandas' table to scientific notation. */
static const char SCI_INPUT[] = "x,y\n"
                                "0.000001,1e7\n"
                                "0.0000002,123456789.5\n";

/* A top value holding a quote and a tab, a backslash, UTF-8 text and a
 * control byte in a name. */
static const char ESC_INPUT[] = "t,n\x01\xc3\xbc\n"
                                "\"q\"\"x\t\",1\n"
                                "back\\slash,2\n"
                                "\"q\"\"x\t\",3\n"
                                "Z\xc3\xbcrich,4\n"
                                "a\x01"
                                "b,5\n";

static const char MIXED_CSV[] = ",f,i,t,b,v\n"
                                "count,3.0,4.0,4,4,4.0\n"
                                "unique,,,3,2,\n"
                                "top,,,plain,True,\n"
                                "freq,,,2,3,\n"
                                "mean,1.2833333333333334,1.5,,,\n"
                                "std,1.0912531023247234,7.047458170621991,,,\n"
                                "min,0.1,-7.0,,,-inf\n"
                                "25%,0.8,-1.75,,,-inf\n"
                                "50%,1.5,1.5,,,1.75\n"
                                "75%,1.875,4.75,,,inf\n"
                                "max,2.25,10.0,,,inf\n";

static const char MIXED_TABLE[] =
    "               f          i      t     b     v\n"
    "count   3.000000   4.000000      4     4  4.00\n"
    "unique       NaN        NaN      3     2   NaN\n"
    "top          NaN        NaN  plain  True   NaN\n"
    "freq         NaN        NaN      2     3   NaN\n"
    "mean    1.283333   1.500000    NaN   NaN   NaN\n"
    "std     1.091253   7.047458    NaN   NaN   NaN\n"
    "min     0.100000  -7.000000    NaN   NaN  -inf\n"
    "25%     0.800000  -1.750000    NaN   NaN  -inf\n"
    "50%     1.500000   1.500000    NaN   NaN  1.75\n"
    "75%     1.875000   4.750000    NaN   NaN   inf\n"
    "max     2.250000  10.000000    NaN   NaN   inf\n";

static const char MIXED_JSON[] =
    "{\"columns\":[{\"name\":\"f\",\"dtype\":\"float64\",\"count\":3.0,"
    "\"unique\":null,\"top\":null,\"freq\":null,\"mean\":1.2833333333333334,"
    "\"std\":1.0912531023247234,\"min\":0.1,\"25%\":0.8,\"50%\":1.5,\"75%\":1."
    "875,\"max\":2.25},{\"name\":\"i\",\"dtype\":\"int64\",\"count\":4.0,"
    "\"unique\":null,\"top\":null,\"freq\":null,\"mean\":1.5,\"std\":7."
    "047458170621991,\"min\":-7.0,\"25%\":-1.75,\"50%\":1.5,\"75%\":4.75,"
    "\"max\":10.0},{\"name\":\"t\",\"dtype\":\"object\",\"count\":4,\"unique\":"
    "3,\"top\":\"plain\",\"freq\":2,\"mean\":null,\"std\":null,\"min\":null,"
    "\"25%\":null,\"50%\":null,\"75%\":null,\"max\":null},{\"name\":\"b\","
    "\"dtype\":\"bool\",\"count\":4,\"unique\":2,\"top\":\"True\",\"freq\":3,"
    "\"mean\":null,\"std\":null,\"min\":null,\"25%\":null,\"50%\":null,\"75%\":"
    "null,\"max\":null},{\"name\":\"v\",\"dtype\":\"float64\",\"count\":4.0,"
    "\"unique\":null,\"top\":null,\"freq\":null,\"mean\":null,\"std\":null,"
    "\"min\":\"-inf\",\"25%\":\"-inf\",\"50%\":1.75,\"75%\":\"inf\",\"max\":"
    "\"inf\"}]}\n";

/* pandas' to_string(line_width=40). */
static const char MIXED_TABLE_WIDTH_40[] =
    "               f          i      t  \\\n"
    "count   3.000000   4.000000      4\n"
    "unique       NaN        NaN      3\n"
    "top          NaN        NaN  plain\n"
    "freq         NaN        NaN      2\n"
    "mean    1.283333   1.500000    NaN\n"
    "std     1.091253   7.047458    NaN\n"
    "min     0.100000  -7.000000    NaN\n"
    "25%     0.800000  -1.750000    NaN\n"
    "50%     1.500000   1.500000    NaN\n"
    "75%     1.875000   4.750000    NaN\n"
    "max     2.250000  10.000000    NaN\n"
    "\n"
    "           b     v\n"
    "count      4  4.00\n"
    "unique     2   NaN\n"
    "top     True   NaN\n"
    "freq       3   NaN\n"
    "mean     NaN   NaN\n"
    "std      NaN   NaN\n"
    "min      NaN  -inf\n"
    "25%      NaN  -inf\n"
    "50%      NaN  1.75\n"
    "75%      NaN   inf\n"
    "max      NaN   inf\n";

/* pandas' describe(include='all').T.to_string(). */
static const char MIXED_TABLE_TRANSPOSED[] =
    "  count unique    top freq      mean       std  min   25%   50%    75%   "
    "max\n"
    "f   3.0    NaN    NaN  NaN  1.283333  1.091253  0.1   0.8   1.5  1.875  "
    "2.25\n"
    "i   4.0    NaN    NaN  NaN       1.5  7.047458 -7.0 -1.75   1.5   4.75  "
    "10.0\n"
    "t     4      3  plain    2       NaN       NaN  NaN   NaN   NaN    NaN   "
    "NaN\n"
    "b     4      2   True    3       NaN       NaN  NaN   NaN   NaN    NaN   "
    "NaN\n"
    "v   4.0    NaN    NaN  NaN       NaN       NaN -inf  -inf  1.75    inf   "
    "inf\n";

static const char MIXED_MARKDOWN[] =
    "|        |        f |         i |     t |    b |    v |\n"
    "|:-------|---------:|----------:|------:|-----:|-----:|\n"
    "| count  | 3.000000 |  4.000000 |     4 |    4 | 4.00 |\n"
    "| unique |      NaN |       NaN |     3 |    2 |  NaN |\n"
    "| top    |      NaN |       NaN | plain | True |  NaN |\n"
    "| freq   |      NaN |       NaN |     2 |    3 |  NaN |\n"
    "| mean   | 1.283333 |  1.500000 |   NaN |  NaN |  NaN |\n"
    "| std    | 1.091253 |  7.047458 |   NaN |  NaN |  NaN |\n"
    "| min    | 0.100000 | -7.000000 |   NaN |  NaN | -inf |\n"
    "| 25%    | 0.800000 | -1.750000 |   NaN |  NaN | -inf |\n"
    "| 50%    | 1.500000 |  1.500000 |   NaN |  NaN | 1.75 |\n"
    "| 75%    | 1.875000 |  4.750000 |   NaN |  NaN |  inf |\n"
    "| max    | 2.250000 | 10.000000 |   NaN |  NaN |  inf |\n";

static const char MIXED_MARKDOWN_TRANSPOSED[] =
    "|     | count | unique |   top | freq |     mean |      std |  min |   "
    "25% |  50% |   75% |  max |\n"
    "|:----|------:|-------:|------:|-----:|---------:|---------:|-----:|------"
    ":|-----:|------:|-----:|\n"
    "| f   |   3.0 |    NaN |   NaN |  NaN | 1.283333 | 1.091253 |  0.1 |   "
    "0.8 |  1.5 | 1.875 | 2.25 |\n"
    "| i   |   4.0 |    NaN |   NaN |  NaN |      1.5 | 7.047458 | -7.0 | "
    "-1.75 |  1.5 |  4.75 | 10.0 |\n"
    "| t   |     4 |      3 | plain |    2 |      NaN |      NaN |  NaN |   "
    "NaN |  NaN |   NaN |  NaN |\n"
    "| b   |     4 |      2 |  True |    3 |      NaN |      NaN |  NaN |   "
    "NaN |  NaN |   NaN |  NaN |\n"
    "| v   |   4.0 |    NaN |   NaN |  NaN |      NaN |      NaN | -inf |  "
    "-inf | 1.75 |   inf |  inf |\n";

static const char NAMES_CSV[] = ", lead,\"a\"\"b\",Unnamed: 2,\"c\n"
                                "d\"\n"
                                "count,1.0,1.0,1.0,1.0\n"
                                "mean,1.0,2.0,3.0,4.0\n"
                                "std,,,,\n"
                                "min,1.0,2.0,3.0,4.0\n"
                                "25%,1.0,2.0,3.0,4.0\n"
                                "50%,1.0,2.0,3.0,4.0\n"
                                "75%,1.0,2.0,3.0,4.0\n"
                                "max,1.0,2.0,3.0,4.0\n";

static const char NAMES_TABLE[] = "        lead  a\"b  Unnamed: 2  c\\nd\n"
                                  "count    1.0  1.0         1.0   1.0\n"
                                  "mean     1.0  2.0         3.0   4.0\n"
                                  "std      NaN  NaN         NaN   NaN\n"
                                  "min      1.0  2.0         3.0   4.0\n"
                                  "25%      1.0  2.0         3.0   4.0\n"
                                  "50%      1.0  2.0         3.0   4.0\n"
                                  "75%      1.0  2.0         3.0   4.0\n"
                                  "max      1.0  2.0         3.0   4.0\n";

static const char NAMES_JSON[] =
    "{\"columns\":[{\"name\":\" "
    "lead\",\"dtype\":\"int64\",\"count\":1.0,\"mean\":1.0,\"std\":null,"
    "\"min\":1.0,\"25%\":1.0,\"50%\":1.0,\"75%\":1.0,\"max\":1.0},{\"name\":"
    "\"a\\\"b\",\"dtype\":\"int64\",\"count\":1.0,\"mean\":2.0,\"std\":null,"
    "\"min\":2.0,\"25%\":2.0,\"50%\":2.0,\"75%\":2.0,\"max\":2.0},{\"name\":"
    "\"Unnamed: "
    "2\",\"dtype\":\"int64\",\"count\":1.0,\"mean\":3.0,\"std\":null,\"min\":3."
    "0,\"25%\":3.0,\"50%\":3.0,\"75%\":3.0,\"max\":3.0},{\"name\":\"c\\nd\","
    "\"dtype\":\"int64\",\"count\":1.0,\"mean\":4.0,\"std\":null,\"min\":4.0,"
    "\"25%\":4.0,\"50%\":4.0,\"75%\":4.0,\"max\":4.0}]}\n";

static const char SCI_CSV[] = ",x,y\n"
                              "count,2.0,2.0\n"
                              "mean,6e-07,66728394.75\n"
                              "std,5.65685424949238e-07,80226065.22710468\n"
                              "min,2e-07,10000000.0\n"
                              "25%,4e-07,38364197.375\n"
                              "50%,6e-07,66728394.75\n"
                              "75%,8e-07,95092592.125\n"
                              "max,1e-06,123456789.5\n";

static const char SCI_TABLE[] = "                  x             y\n"
                                "count  2.000000e+00  2.000000e+00\n"
                                "mean   6.000000e-07  6.672839e+07\n"
                                "std    5.656854e-07  8.022607e+07\n"
                                "min    2.000000e-07  1.000000e+07\n"
                                "25%    4.000000e-07  3.836420e+07\n"
                                "50%    6.000000e-07  6.672839e+07\n"
                                "75%    8.000000e-07  9.509259e+07\n"
                                "max    1.000000e-06  1.234568e+08\n";

static const char SCI_JSON[] =
    "{\"columns\":[{\"name\":\"x\",\"dtype\":\"float64\",\"count\":2.0,"
    "\"mean\":6e-07,\"std\":5.65685424949238e-07,\"min\":2e-07,\"25%\":4e-07,"
    "\"50%\":6e-07,\"75%\":8e-07,\"max\":1e-06},{\"name\":\"y\",\"dtype\":"
    "\"float64\",\"count\":2.0,\"mean\":66728394.75,\"std\":80226065.22710468,"
    "\"min\":10000000.0,\"25%\":38364197.375,\"50%\":66728394.75,\"75%\":"
    "95092592.125,\"max\":123456789.5}]}\n";

static const char ESC_CSV[] = ",t,n\x01"
                              "\xc3"
                              "\xbc"
                              "\n"
                              "count,5,5.0\n"
                              "unique,4,\n"
                              "top,\"q\"\"x\t\",\n"
                              "freq,2,\n"
                              "mean,,3.0\n"
                              "std,,1.5811388300841898\n"
                              "min,,1.0\n"
                              "25%,,2.0\n"
                              "50%,,3.0\n"
                              "75%,,4.0\n"
                              "max,,5.0\n";

static const char ESC_TABLE[] = "            t    n\\x01\xc3"
                                "\xbc"
                                "\n"
                                "count       5  5.000000\n"
                                "unique      4       NaN\n"
                                "top     q\"x\\t       NaN\n"
                                "freq        2       NaN\n"
                                "mean      NaN  3.000000\n"
                                "std       NaN  1.581139\n"
                                "min       NaN  1.000000\n"
                                "25%       NaN  2.000000\n"
                                "50%       NaN  3.000000\n"
                                "75%       NaN  4.000000\n"
                                "max       NaN  5.000000\n";

static const char ESC_JSON[] =
    "{\"columns\":[{\"name\":\"t\",\"dtype\":\"object\",\"count\":5,\"unique\":"
    "4,\"top\":\"q\\\"x\\t\",\"freq\":2,\"mean\":null,\"std\":null,\"min\":"
    "null,\"25%\":null,\"50%\":null,\"75%\":null,\"max\":null},{\"name\":"
    "\"n\\u0001\xc3"
    "\xbc"
    "\",\"dtype\":\"int64\",\"count\":5.0,\"unique\":null,\"top\":null,"
    "\"freq\":null,\"mean\":3.0,\"std\":1.5811388300841898,\"min\":1.0,\"25%\":"
    "2.0,\"50%\":3.0,\"75%\":4.0,\"max\":5.0}]}\n";

/* Doubles (as bits) and Python's repr of them: powers of two whose
 * shortest form is the far neighbour of the nearest rounding, the edges of
 * the exponent form (1e-05, 0.0001, 1e+16), subnormals, and random values
 * (random.seed(20240601)). */
struct repr_case {
    uint64_t bits;
    const char *repr;
};

static const struct repr_case REPR_CASES[] = {
    {0x0060000000000000ull, "7.120236347223045e-307"},
    {0x0100000000000000ull, "7.291122019556398e-304"},
    {0x0420000000000000ull, "8.209073602596753e-289"},
    {0x0660000000000000ull, "5.641232424577593e-278"},
    {0x0d70000000000000ull, "5.858190679279809e-244"},
    {0x0e80000000000000ull, "7.678447687145631e-239"},
    {0x0eb0000000000000ull, "6.142758149716505e-238"},
    {0x0f50000000000000ull, "6.290184345309701e-235"},
    {0x13e0000000000000ull, "5.940911144672375e-213"},
    {0x1480000000000000ull, "6.083493012144512e-210"},
    {0x1690000000000000ull, "5.225680706521042e-200"},
    {0x1730000000000000ull, "5.351097043477547e-197"},
    {0x1da0000000000000ull, "5.426657103235053e-166"},
    {0x2020000000000000ull, "5.966672584960166e-154"},
    {0x20f0000000000000ull, "4.887898181599368e-150"},
    {0x2160000000000000ull, "6.256509672447191e-148"},
    {0x2800000000000000ull, "5.075883674631299e-116"},
    {0x2910000000000000ull, "6.653062250012736e-111"},
    {0x2d70000000000000ull, "7.854549544476363e-90"},
    {0x3730000000000000ull, "7.174648137343064e-43"},
    {0x39e0000000000000ull, "6.310887241768095e-30"},
    {0x3b20000000000000ull, "6.617444900424222e-24"},
    {0x3d30000000000000ull, "5.684341886080802e-14"},
    {0x3e70000000000000ull, "5.960464477539063e-08"},
    {0x4580000000000000ull, "6.189700196426902e+26"},
    {0x4790000000000000ull, "5.316911983139664e+36"},
    {0x4830000000000000ull, "5.444517870735016e+39"},
    {0x4ab0000000000000ull, "5.986310706507379e+51"},
    {0x4b50000000000000ull, "6.129982163463556e+54"},
    {0x5120000000000000ull, "6.070840288205404e+82"},
    {0x5300000000000000ull, "6.518515124270356e+91"},
    {0x5580000000000000ull, "7.167183174968974e+103"},
    {0x5790000000000000ull, "6.156563468186638e+113"},
    {0x58d0000000000000ull, "6.455624695217272e+119"},
    {0x5940000000000000ull, "8.263199609878108e+121"},
    {0x5e00000000000000ull, "6.243497100631985e+144"},
    {0x6150000000000000ull, "5.623642243178996e+160"},
    {0x61f0000000000000ull, "5.758609657015292e+163"},
    {0x6290000000000000ull, "5.896816288783659e+166"},
    {0x63d0000000000000ull, "6.183260036827614e+172"},
    {0x0000000000000001ull, "5e-324"},
    {0x0000000000000002ull, "1e-323"},
    {0x0010000000000000ull, "2.2250738585072014e-308"},
    {0x000fffffffffffffull, "2.225073858507201e-308"},
    {0x7fefffffffffffffull, "1.7976931348623157e+308"},
    {0x3fb999999999999aull, "0.1"},
    /* subnormals with fewer than 15 digits (too few bits for 15 to be
     * enough to know them) */
    {0x0000098a47368818ull, "5.182504009491e-311"},
    {0x00005bd0440397c9ull, "4.9875952842315e-310"},
    {0x0000270289997a14ull, "2.119139053733e-310"},
    {0x00000283b4e49607ull, "1.3659427232884e-311"},
    {0x3fc999999999999aull, "0.2"},
    {0x3fd3333333333334ull, "0.30000000000000004"},
    {0x3fd5555555555555ull, "0.3333333333333333"},
    {0x3fe5555555555555ull, "0.6666666666666666"},
    {0x3ee4f8b588e368f1ull, "1e-05"},
    {0x3e8421f5f40d8376ull, "1.5e-07"},
    {0x3f1a36e2eb1c432dull, "0.0001"},
    {0x3f202e4b6ce5dc68ull, "0.00012345"},
    {0x3f1a36e2eb1c432cull, "9.999999999999999e-05"},
    {0x4341c37937e08000ull, "1e+16"},
    {0x430c6bf526340000ull, "1000000000000000.0"},
    {0x4341c37937e07fffull, "9999999999999998.0"},
    {0x42dc12218377de6bull, "123456789012345.67"},
    {0x43118b54f22aeb03ull, "1234567890123456.8"},
    {0x43e0000000000000ull, "9.223372036854776e+18"},
    {0x7e17e43c8800759cull, "2.5e+299"},
    {0x40b3880000000000ull, "5000.0"},
    {0x3ff0000000000000ull, "1.0"},
    {0x4059000000000000ull, "100.0"},
    {0x4480f0cf064dd592ull, "1e+22"},
    {0x44b52d02c7e14af6ull, "1e+23"},
    {0x4011666666666666ull, "4.35"},
    {0x4005666666666666ull, "2.675"},
    {0x3fe0000000000000ull, "0.5"},
    {0x3ffc000000000000ull, "1.75"},
    {0x418fd18e56000000ull, "66728394.75"},
    {0x3ea2fb3367a05473ull, "5.65685424949238e-07"},
    {0x0000000000000003ull, "1.5e-323"},
    {0x0010000000000000ull, "2.2250738585072014e-308"},
    {0x0008000000000000ull, "1.1125369292536007e-308"},
    {0x4330000000000000ull, "4503599627370496.0"},
    {0x4340000000000000ull, "9007199254740992.0"},
    {0x4340000000000001ull, "9007199254740994.0"},
    {0x43e0000000000000ull, "9.223372036854776e+18"},
    {0x43f0000000000000ull, "1.8446744073709552e+19"},
    {0x7fe0000000000000ull, "8.98846567431158e+307"},
    {0xbea2fb3367a05473ull, "-5.65685424949238e-07"},
    {0x8000000000000003ull, "-1.5e-323"},
    {0x8010000000000000ull, "-2.2250738585072014e-308"},
    {0x8008000000000000ull, "-1.1125369292536007e-308"},
    {0xc330000000000000ull, "-4503599627370496.0"},
    {0xc340000000000000ull, "-9007199254740992.0"},
    {0xc340000000000001ull, "-9007199254740994.0"},
    {0xc3e0000000000000ull, "-9.223372036854776e+18"},
    {0xc3f0000000000000ull, "-1.8446744073709552e+19"},
    {0xffe0000000000000ull, "-8.98846567431158e+307"},
    {0x749882321e35049eull, "4.492152248019643e+253"},
    {0x79c8c2926b94b5b5ull, "4.389120112770094e+278"},
    {0x4242aadbc8f429a4ull, "160351883752.32532"},
    {0xeb7a79959588532dull, "-5.4399131119142674e+209"},
    {0x3cf3bd58da60fb1cull, "4.383079907872608e-15"},
    {0x515c61236c88c537ull, "8.614354442467737e+83"},
    {0xf4b1b64633be40f5ull, "-1.2985664392816573e+254"},
    {0x88718c966f3d88f7ull, "-5.314965623006408e-268"},
    {0xda1b195060c40eb7ull, "-1.146488202889241e+126"},
    {0x5b08acc213a5bf07ull, "3.420758551378043e+130"},
    {0x6a5d670af9a3638eull, "2.3046315439163635e+204"},
    {0x4a894db7e48f12b9ull, "1.1833994934170815e+51"},
    {0xdabe22cad37b17c6ull, "-1.3055768296735293e+129"},
    {0x82b9bfbc91ba7257ull, "-1.5748679552677205e-295"},
    {0x0cf197f45625871bull, "2.51627196477289e-246"},
    {0xa5240b6020d0b29cull, "-9.036613517376497e-130"},
    {0xb4a3165de1ab3e01ull, "-3.892215651960722e-55"},
    {0x400cb70f964e03c0ull, "3.589385198837107"},
    {0xe683acdf2060d7c4ull, "-6.688184663054428e+185"},
    {0x83d8e92df2adcc0eull, "-3.994044171376333e-290"},
    {0x4f3d9a4de6cf02bbull, "5.2303534038858595e+73"},
    {0xb039ee169646a718ull, "-2.239361282907897e-76"},
    {0x135ab03d8de49eb1ull, "1.9354693131874806e-215"},
    {0xe085b021e0d44f2bull, "-9.305240496802682e+156"},
    {0xa6a86bd5a7550d23ull, "-1.8471377613108987e-122"},
    {0x428474c15e9ecba7ull, "2811461620697.4565"},
    {0x69d6bd800bc49874ull, "6.962609881020059e+201"},
    {0x94a2de50ff542939ull, "-2.8696480509335243e-209"},
    {0xdcb25c12903c3ad2ull, "-3.41619470970423e+138"},
    {0x764ae4d4359e9d02ull, "6.616060051749092e+261"},
    {0x959ba1690ce64264ull, "-1.3769933585597693e-204"},
    {0x79fdda8fd41f125bull, "4.2336503662127315e+279"},
    {0x4e5ac63a43514e2eull, "2.887337660350333e+69"},
    {0x167dd41a347a2e47ull, "2.4355366694702615e-200"},
    {0x23263c49440a9a11ull, "2.3339888564043163e-139"},
    {0xa30354ef398bdedfull, "-5.072987159160624e-140"},
    {0x98f01733d942b204ull, "-1.444561059875671e-188"},
    {0x67c8765c57810ce8ull, "8.719375264419009e+191"},
    {0x0df2d1aff1067dbdull, "1.7639331668509974e-241"},
    {0xa37f115c6a44f3ccull, "-1.0435487072953564e-137"},
    {0x4a7ce6e5f89c8d33ull, "6.75843876005182e+50"},
    {0xa22fa1f725601b2full, "-5.066499894016898e-144"},
    {0x1b39320448410fe3ull, "1.5544023441874205e-177"},
    {0x5043796d40618823ull, "4.509945161717723e+78"},
    {0xc58718296e887807ull, "-8.934206376953689e+26"},
    {0x1098d6a904943815ull, "1.0239269122939286e-228"},
    {0x3a38b767352e4941ull, "3.119650612955522e-28"},
    {0x9b19cdec60c9e347ull, "-3.979936478258974e-178"},
    {0x780b86486a2a1812ull, "1.8176331567502735e+270"},
    {0x8935b28fafb5454bull, "-2.6916191680102057e-264"},
    {0xef8d8e8e32474e22ull, "-2.2406033019642223e+229"},
    {0x17cde531518bd8abull, "5.1191220706885394e-194"},
    {0x6d33ce50dcfe4bccull, "1.0924257505679557e+218"},
    {0xcfc2ffe4ed2261f1ull, "-1.718751453462524e+76"},
    {0x89e0b9583a589e65ull, "-4.24887536492955e-261"},
    {0x3f0279a1abe7020eull, "3.523850090259374e-05"},
    {0x46f6d2e1c91d6da3ull, "7.406732842697646e+33"},
    {0xc10c2788a8e1f980ull, "-230641.08246226236"},
    {0x9e5d4d25c8ec9febull, "-2.0353077945140491e-162"},
    {0xd703d5b062c4a228ull, "-1.4906461069017133e+111"},
    {0x7d3109bf6bd33d83ull, "1.0881689946975821e+295"},
    {0xc8bd8770d23ad2d9ull, "-2.572344376666327e+42"},
    {0x62f56763d5236ac1ull, "5.048586880232952e+168"},
    {0x26b8e5ba2d10a9f2ull, "3.766303194632279e-122"},
    {0x5439f75f10c01d5dull, "5.546366806697518e+97"},
    {0xfd39265bb32e9ea1ull, "-1.6062418535594396e+295"},
    {0x8ca4c608ef605abfull, "-9.284634142654976e-248"},
    {0x616273cdd6a19e4full, "1.2971183612942818e+161"},
    {0x40fc275e69b5220dull, "115317.90080750753"},
    {0xbb9d2ebef476092full, "-1.544914046103647e-21"},
    {0xc2d14e0a57e101e1ull, "-76107514610695.52"},
    {0x2f62323b36225fadull, "1.9182811083926818e-80"},
    {0x8564f1dc632417c4ull, "-1.1268073132697686e-282"},
    {0x2e3d6a6340ed367eull, "5.9147803353002586e-86"},
    {0x3a5f9ccdad9a6f2dull, "1.596024059935851e-27"},
    {0x9713b93662cb4300ull, "-1.6490982535525327e-197"},
    {0x248fcff28cc334f4ull, "1.4005767696709742e-132"},
    {0x9e8c1878d5464ac5ull, "-1.5612431716807163e-161"},
    {0x769799bacbebb741ull, "1.857879539846099e+263"},
    {0x52bd78ee9ff29d16ull, "3.7522700644430283e+90"},
    {0x168afe5e7d671459ull, "4.408127744872612e-200"},
    {0x670c22f05c9cb0adull, "2.4484828906951957e+188"},
    {0xcc64498c8ee93884ull, "-1.0187636184384608e+60"},
    {0xef5ead0be38a95e0ull, "-2.906798524606354e+228"},
    {0x0e1908e532ae8f10ull, "9.386132684463132e-241"},
    {0x65feb06cdac1d38dull, "2.0375224210602439e+183"},
    {0x5654e963457642bdull, "7.673742163252605e+107"},
    {0x4d0d21a3710efc3full, "1.4979953669761758e+63"},
    {0xa2982e5b770e5f35ull, "-4.957443869699183e-142"},
    {0xf230b77b1c4de493ull, "-1.1146734535427213e+242"},
    {0x036fcbe0d077e1beull, "3.9828335704674696e-292"},
    {0x087d804ebd29370dull, "8.934773985868121e-268"},
    {0x7d66c01f47376eb4ull, "1.1624017815353555e+296"},
    {0x0ba75e632205dad7ull, "1.5937059814357505e-252"},
    {0x15ce2fd817781ac9ull, "1.2035145121442573e-203"},
    {0xfac19bd781637187ull, "-2.0456655896606624e+283"},
    {0xd04883eb74645968ull, "-5.677358274456412e+78"},
    {0xa736357e8e82c020ull, "-8.600624804047986e-120"},
    {0x14f69a60f9d97768ull, "1.1000435959643567e-207"},
    {0xa1a58ce83556173aull, "-1.3483040002715785e-146"},
    {0x76067ae6ac125000ull, "3.456401326348284e+260"},
    {0xfe5dd6f65d04c969ull, "-4.995858102624242e+300"},
    {0xa7e567e387ed23b1ull, "-1.6977098426682013e-116"},
    {0x5d4a47ec58caa18cull, "2.5037389504224344e+141"},
    {0x226a6c288814f4bfull, "6.771203519258164e-143"},
    {0x24b99aa4e600b110ull, "9.018017223717599e-132"},
    {0x6325af54a30a6e7aull, "4.091897097751034e+169"},
    {0x0476dff0f4fbd348ull, "3.755613487225919e-287"},
    {0x7e6b74a0934c4538ull, "9.193401602166176e+300"},
    {0x8c5e5efd1d23e7feull, "-4.241929062227163e-249"},
    {0x34bea62d788c5f34ull, "1.2499682100800243e-54"},
    {0x8b79ec1a5a26fe7aull, "-2.2098195346875435e-253"},
    {0xa4296461beddd096ull, "-1.7467503883805055e-134"},
    {0x509c253003678f48ull, "2.0857592999671978e+80"},
    {0xe3f7b4ef51fb5227ull, "-3.664629130009126e+173"},
    {0xd3a71489888c3c0bull, "-9.628722339994155e+94"},
    {0x851d62b5bd703358ull, "-4.940358355155338e-284"},
    {0x787b118631fd7a9dull, "2.2880185864906387e+272"},
    {0xdda7e515e33a2538ull, "-1.4569093923171344e+143"},
    {0x1e036ff5150fb7fdull, "4.219189736405942e-164"},
    {0xb29bc6b33ac4414bull, "-6.593763150987159e-65"},
    {0x65ce110a2689ae92ull, "2.495233270641561e+182"},
    {0xfd703b61aa80bb6cull, "-1.658695582999252e+296"},
    {0xb2256110d660d13bull, "-3.9649861760688254e-67"},
    {0x8a6e83734bc9404eull, "-1.9845655405218892e-258"},
    {0x993bb873540b742eull, "-3.981841037629933e-187"},
    {0x936cd61319c06515ull, "-4.1824578601242436e-215"},
    {0x5fdd3a168a6189a7ull, "6.1229491867839026e+153"},
    {0xf62e7330ba45cd54ull, "-1.872720725712569e+261"},
    {0xe644c315c2cb1187ull, "-4.41100559443871e+184"},
    {0xcfda60dc99517a7eull, "-4.7725095596129884e+76"},
    {0x0e30277e50b7c84full, "2.422650900233094e-240"},
    {0xd069212df802fea9ull, "-2.3278478198143204e+79"},
    {0x717eafff25aac128ull, "4.995717923186662e+238"},
    {0x5b0f56452c0188bbull, "4.3443565369439083e+130"},
    {0xf6b8f116cc81737bull, "-7.853861037083563e+263"},
    {0x092469ae194a5491ull, "1.2661252577370544e-264"},
    {0x8f841a8ab31f4e8bull, "-6.322792311665379e-234"},
    {0x18498d8838794684ull, "1.1201399405709578e-191"},
    {0xde065c4329c739a0ull, "-8.725443218850247e+144"},
    {0x1d1d95e1ad61682bull, "1.959841638673769e-168"},
    {0x63c7fe352f6d7f84ull, "4.6360922545179674e+172"},
    {0x493544ec8f808c2aull, "4.743197819981564e+44"},
    {0xf631206795ac08c8ull, "-2.106623457646274e+261"},
    {0x87847ff4a1cb8b0aull, "-1.894715984542199e-272"},
    {0x4cb9d2a2e639167bull, "4.149563675033037e+61"},
    {0x38b6a352e2ff5520ull, "1.7030925900288637e-35"},
    {0xf12e90595ea39278ull, "-1.5548727729577764e+237"},
    {0x293afcb7751f5f5full, "4.488683770807075e-110"},
    {0xe676f5d252f0a7f6ull, "-3.902417943885608e+185"},
    {0xc08d78cb7fd9a983ull, "-943.0993649487358"},
    {0x408e2ea7953d0c3aull, "965.8318276185375"},
    {0xc084cfa305e311e6ull, "-665.9546010722959"},
    {0x40604320d163ef58ull, "130.0977560951094"},
    {0x40823aef5e643b6cull, "583.366879256309"},
    {0xc062ad66cc013090ull, "-149.41879844887126"},
    {0x4089f44a9865f09aull, "830.5364234890033"},
    {0xc06ac051c61b0f90ull, "-214.00998215947448"},
    {0xc07d7e93d6b6aca2ull, "-471.9110934386937"},
    {0x4074caa96f9d1a38ull, "332.66636620872623"},
    {0xc077d6f8ffc2da68ull, "-381.43579078783523"},
    {0x406d69718f002208ull, "235.29511213327373"},
    {0xc08a825b728cb81cull, "-848.2946520799337"},
    {0xc07af4a179d3fe56ull, "-431.2894228249546"},
    {0xc0719017e430ec8aull, "-281.00583285437517"},
    {0xc05b8211b0196238ull, "-110.03232958296655"},
    {0x408e0bf6de448544ull, "961.4955411294145"},
    {0xc065687822358c88ull, "-171.26466474970607"},
    {0xc0782e8a586612aaull, "-386.90877570984105"},
    {0x4075999f87f648ecull, "345.6014480228903"},
    {0xc0819da23b7ba00aull, "-563.7042150171485"},
    {0xc05a7b025b4767d8ull, "-105.92201883290488"},
    {0xc07bc365f7912e9eull, "-444.2123943015266"},
    {0xc053b043b44ece30ull, "-78.75413234420625"},
    {0x408112a347aa2f2eull, "546.3297265334747"},
    {0x4066766616fd9908ull, "179.69996213465515"},
    {0x408a7c6824792196ull, "847.5508508170485"},
    {0x406c7218ed7626e8ull, "227.5655429179817"},
    {0xc085a2517ff6d79cull, "-692.2897948536443"},
    {0x407102992c1e56f0ull, "272.16239559031874"},
    {0xc08513b7c7dbb1f4ull, "-674.4647366679842"},
    {0x4088993f345cbd50ull, "787.155861591842"},
    {0x4066238a494e6bb0ull, "177.1106306583074"},
    {0x405482bd6dcb2050ull, "82.0428118213324"},
    {0xc089f91d8b116382ull, "-831.1394254072659"},
    {0x4073b663fd14d88cull, "315.39941127913403"},
    {0x4078140e968964b0ull, "385.2535615317274"},
    {0xc0601986142fbdf8ull, "-128.7976170475447"},
    {0x407c5e0b6fa32fa0ull, "453.8777920126395"},
    {0x4085d845cf1f8a6aull, "699.0340864624134"},
    {0x407c43d35a858794ull, "452.2391"},
    {0x408849999999999aull, "777.2"},
    {0x40807cd2f1a9fbe7ull, "527.603"},
    {0x4079bf4fdf3b645aull, "411.957"},
    {0xc08de80000000000ull, "-957.0"},
    {0x407e887ae147ae14ull, "488.53"},
    {0x408bb89bf9c62a1bull, "887.07616"},
    {0x40860ccccccccccdull, "705.6"},
    {0x4089fbedb0dd82fdull, "831.49106"},
    {0x407a54cccccccccdull, "421.3"},
    {0xc089dbae147ae148ull, "-827.46"},
    {0x408842dd97f62b6bull, "776.3582"},
    {0x408b1c3c504816f0ull, "867.52945"},
    {0x408620cccccccccdull, "708.1"},
    {0xc08be9c28f5c28f6ull, "-893.22"},
    {0x408e2326e978d4feull, "964.394"},
    {0xc076400000000000ull, "-356.0"},
    {0xc085773333333333ull, "-686.9"},
    {0xc080780000000000ull, "-527.0"},
    {0xc07439b573eab368ull, "-323.6068"},
    {0xc07c700000000000ull, "-455.0"},
    {0xc0881ff7318fc505ull, "-771.9957"},
    {0xc055000000000000ull, "-84.0"},
    {0x40825c113e81450full, "587.50842"},
    {0x405364ac083126e9ull, "77.573"},
    {0xc027a8f5c28f5c29ull, "-11.83"},
    {0x405b000000000000ull, "108.0"},
    {0x406565d2f1a9fbe7ull, "171.182"},
    {0x4071149d14e3bcd3ull, "273.28835"},
    {0x40723b3333333333ull, "291.7"},
    {0x4070be8db8bac711ull, "267.9096"},
    {0x408edd0a3d70a3d7ull, "987.63"},
    {0xc08e0cd657fb6998ull, "-961.60466"},
    {0xc081433333333333ull, "-552.4"},
    {0xc06007d70a3d70a4ull, "-128.245"},
    {0xc0758e6666666666ull, "-344.9"},
    {0x4085ce463f141206ull, "697.7843"},
    {0x40836c985f06f694ull, "621.5744"},
    {0x407e2b0a3d70a3d7ull, "482.69"},
    {0xc078cb5810624dd3ull, "-396.709"},
    {0x3fe977b375dbace9ull, "0.7958619405666499"},
    {0x4234912d05629f62ull, "88334992738.62259"},
    {0x3f31b8a04fb1c1bfull, "0.000270403994085757"},
    {0x43506febe6799eadull, "1.8506634408393396e+16"},
    {0x43693d32ada5b5beull, "5.683329830995096e+16"},
    {0x439728dae82d5e93ull, "4.1720608816730234e+17"},
    {0x4182197417d1f557ull, "37957250.97751873"},
    {0x40ea186fc810586full, "53443.493171856615"},
    {0x41fd800b8dc84aadull, "7918893276.518231"},
    {0x4268f54655cac776ull, "857553940054.2332"},
    {0x3fe8dfe0e0afbd2bull, "0.77732890972212"},
    {0x43a23b4d004e88bcull, "6.568641900107771e+17"},
    {0x4302b48d25831224ull, "658133486690884.5"},
    {0x418954e86a9999e3ull, "53124365.32500055"},
    {0x3f735ec3e6c795f1ull, "0.004729047050636024"},
    {0x41c454aa2bc47164ull, "682185815.5347104"},
    {0x3f35d1cdf62750faull, "0.00033293989522788193"},
    {0x43751b3800d770e4ull, "9.50544297145831e+16"},
    {0x432ffcf370f02013ull, "4501923390033929.5"},
    {0x40857bd49e6997d0ull, "687.4788177728133"},
    {0x42224edd56d10e9bull, "39316269928.52853"},
    {0x4181b745a874e80cull, "37152949.05708322"},
    {0x42a18b87adae7314ull, "9645487216441.54"},
    {0x3de2b47b62e250eeull, "1.3609684338009688e-10"},
    {0x41cb2790f5ab7bb8ull, "911155691.3397131"},
    {0x3ee3b5618ce6317cull, "9.397754550354664e-06"},
    {0x413150860d99e5ddull, "1134726.0531295456"},
    {0x421d94beae9b51b1ull, "31762394022.829777"},
    {0x3e79ee46d9fcbe88ull, "9.659964072811939e-08"},
    {0x3fede3829d96649cull, "0.934022243297608"},
    {0x4373f4dac96acb6eull, "8.987592122831434e+16"},
    {0x43532d656ae3488aull, "2.159175266291767e+16"},
    {0x3fd4ef6c2f86a312ull, "0.3271131958122605"},
    {0x3f497816ebdd5bbfull, "0.0007772552414547703"},
    {0x43dfa1e01470288full, "9.117397059247422e+18"},
    {0x400e71b5d6d23a86ull, "3.8055226118952445"},
    {0x41eab348f792fdb7ull, "3583657916.593471"},
    {0x41641f347fc195d0ull, "10549667.992381006"},
    {0x3f331a63520dbf29ull, "0.0002914898378127856"},
    {0x40e94bde083d3d37ull, "51806.93850576359"},
};

#define NCASES (sizeof REPR_CASES / sizeof REPR_CASES[0])

typedef struct {
    char dir[64];
    char path[128];
} temp_dir;

static int make_temp_dir(void **state)
{
    temp_dir *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    strcpy(t->dir, "/tmp/dfsum-test-format-XXXXXX");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    snprintf(t->path, sizeof t->path, "%s/input.csv", t->dir);
    *state = t;
    return 0;
}

static int remove_temp_dir(void **state)
{
    temp_dir *t = *state;
    unlink(t->path);
    rmdir(t->dir);
    free(t);
    return 0;
}

static void write_input(const temp_dir *t, const char *data, size_t len)
{
    FILE *f = fopen(t->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Describes `csv` (include all) and returns the result; free it. */
static dfsum_result *describe_input(void **state, const char *csv)
{
    const temp_dir *t = *state;
    write_input(t, csv, strlen(csv));
    dfsum *d = NULL;
    dfsum_result *r = NULL;
    assert_int_equal(dfsum_create(&d), DFSUM_OK);
    assert_int_equal(dfsum_set_include(d, DFSUM_INCLUDE_ALL), DFSUM_OK);
    dfsum_status st = dfsum_describe_path(d, t->path, &r);
    if (st != DFSUM_OK)
        fail_msg("describe failed: %s", dfsum_errmsg(d));
    dfsum_free(d);
    return r;
}

/* Describes `csv` and returns it formatted; free() it. */
static char *format_input(void **state, const char *csv, dfsum_format format,
                          unsigned flags, size_t width)
{
    dfsum_result *r = describe_input(state, csv);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(dfsum_result_format(r, format, flags, width, &text, &len),
                     DFSUM_OK);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    dfsum_result_free(r);
    return text;
}

static void check_format(void **state, const char *csv, dfsum_format format,
                         unsigned flags, size_t width, const char *expected)
{
    char *text = format_input(state, csv, format, flags, width);
    assert_string_equal(text, expected);
    free(text);
}

static void test_csv_matches_pandas(void **state)
{
    check_format(state, MIXED_INPUT, DFSUM_FORMAT_CSV, 0, 0, MIXED_CSV);
    check_format(state, SCI_INPUT, DFSUM_FORMAT_CSV, 0, 0, SCI_CSV);
}

static void test_csv_quotes_names_and_top_like_pandas(void **state)
{
    check_format(state, NAMES_INPUT, DFSUM_FORMAT_CSV, 0, 0, NAMES_CSV);
    check_format(state, ESC_INPUT, DFSUM_FORMAT_CSV, 0, 0, ESC_CSV);
}

/* One column per case, one row: min is the value itself. */
static char *repr_input(void)
{
    size_t cap = NCASES * 40 + 16, len = 0;
    char *csv = malloc(cap);
    assert_non_null(csv);
    for (size_t i = 0; i < NCASES; i++)
        len +=
            (size_t)snprintf(csv + len, cap - len, "%sc%zu", i ? "," : "", i);
    for (size_t i = 0; i < NCASES; i++) {
        double x;
        memcpy(&x, &REPR_CASES[i].bits, sizeof x);
        /* %.17e always reads back exactly and always as a float. */
        len += (size_t)snprintf(csv + len, cap - len, "%s%.17e", i ? "," : "\n",
                                x);
    }
    snprintf(csv + len, cap - len, "\n");
    return csv;
}

static void test_csv_floats_match_python_repr(void **state)
{
    char *csv = repr_input();
    char *text = format_input(state, csv, DFSUM_FORMAT_CSV, 0, 0);
    char *line = strstr(text, "\nmin,");
    assert_non_null(line);
    line += strlen("\nmin,");
    for (size_t i = 0; i < NCASES; i++) {
        size_t n = strcspn(line, ",\n");
        if (n != strlen(REPR_CASES[i].repr) ||
            memcmp(line, REPR_CASES[i].repr, n) != 0)
            fail_msg("case %zu (0x%016llx): expected %s, got %.*s", i,
                     (unsigned long long)REPR_CASES[i].bits, REPR_CASES[i].repr,
                     (int)n, line);
        line += n + 1;
    }
    free(text);
    free(csv);
}

/* JSON starts with the (temporary) source path: check that it is there,
 * then compare the rest with the expected {"columns":...} text. */
static void check_json(void **state, const char *csv, const char *expected)
{
    char *text = format_input(state, csv, DFSUM_FORMAT_JSON, 0, 0);
    const char *columns = strstr(text, "\",\"columns\":");
    assert_true(strncmp(text, "{\"file\":\"/", 10) == 0);
    assert_non_null(columns);
    assert_string_equal(columns + 2, expected + 1);
    free(text);
}

static void test_json_matches_python(void **state)
{
    check_json(state, MIXED_INPUT, MIXED_JSON);
    check_json(state, NAMES_INPUT, NAMES_JSON);
    check_json(state, SCI_INPUT, SCI_JSON);
}

static void test_json_escapes_text(void **state)
{
    check_json(state, ESC_INPUT, ESC_JSON);
}

static void test_table_matches_pandas_print(void **state)
{
    check_format(state, MIXED_INPUT, DFSUM_FORMAT_TABLE, 0, 0, MIXED_TABLE);
    check_format(state, NAMES_INPUT, DFSUM_FORMAT_TABLE, 0, 0, NAMES_TABLE);
    check_format(state, SCI_INPUT, DFSUM_FORMAT_TABLE, 0, 0, SCI_TABLE);
    check_format(state, ESC_INPUT, DFSUM_FORMAT_TABLE, 0, 0, ESC_TABLE);
}

static void test_table_wraps_like_pandas(void **state)
{
    check_format(state, MIXED_INPUT, DFSUM_FORMAT_TABLE, 0, 40,
                 MIXED_TABLE_WIDTH_40);
    /* Wide enough: one block. */
    check_format(state, MIXED_INPUT, DFSUM_FORMAT_TABLE, 0, 200, MIXED_TABLE);
}

static void test_table_transposed_like_pandas(void **state)
{
    check_format(state, MIXED_INPUT, DFSUM_FORMAT_TABLE, DFSUM_WRITE_TRANSPOSE,
                 0, MIXED_TABLE_TRANSPOSED);
}

static void test_table_wraps_one_column_per_block_when_narrow(void **state)
{
    char *text = format_input(state, SCI_INPUT, DFSUM_FORMAT_TABLE, 0, 1);
    /* Two blocks, the first marked as continued, each with the labels. */
    assert_non_null(strstr(text, "x  \\\n"));
    assert_non_null(strstr(text, "\n\n"));
    const char *second = strstr(text, "\n\n") + 2;
    assert_null(strstr(second, "\n\n"));
    assert_non_null(strstr(second, "max    1.234568e+08\n"));
    free(text);
}

static void test_markdown_tables(void **state)
{
    check_format(state, MIXED_INPUT, DFSUM_FORMAT_MARKDOWN, 0, 0,
                 MIXED_MARKDOWN);
    check_format(state, MIXED_INPUT, DFSUM_FORMAT_MARKDOWN,
                 DFSUM_WRITE_TRANSPOSE, 0, MIXED_MARKDOWN_TRANSPOSED);
}

static void test_format_rejects_bad_arguments(void **state)
{
    dfsum_result *r = describe_input(state, SCI_INPUT);
    char *text = (char *)"untouched";
    size_t len = 7;
    assert_int_equal(
        dfsum_result_format(NULL, DFSUM_FORMAT_CSV, 0, 0, &text, &len),
        DFSUM_EINVAL);
    assert_int_equal(
        dfsum_result_format(r, (dfsum_format)99, 0, 0, &text, &len),
        DFSUM_EINVAL);
    assert_int_equal(
        dfsum_result_format(r, DFSUM_FORMAT_CSV, 1u << 7, 0, &text, &len),
        DFSUM_EINVAL);
    assert_int_equal(dfsum_result_format(r, DFSUM_FORMAT_CSV, 0, 0, NULL, &len),
                     DFSUM_EINVAL);
    assert_string_equal(text, "untouched");
    assert_int_equal(len, 7);
    assert_int_equal(dfsum_result_write(r, DFSUM_FORMAT_CSV, 0, 0, NULL),
                     DFSUM_EINVAL);
    dfsum_result_free(r);
}

static void test_write_matches_format(void **state)
{
    dfsum_result *r = describe_input(state, MIXED_INPUT);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(dfsum_result_write(r, DFSUM_FORMAT_CSV, 0, 0, f),
                     DFSUM_OK);
    char buf[sizeof MIXED_CSV + 16];
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf, f);
    assert_int_equal(n, strlen(MIXED_CSV));
    assert_memory_equal(buf, MIXED_CSV, n);
    fclose(f);
    dfsum_result_free(r);
}

static void test_write_reports_a_full_disk(void **state)
{
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    dfsum_result *r = describe_input(state, MIXED_INPUT);
    assert_int_equal(dfsum_result_write(r, DFSUM_FORMAT_JSON, 0, 0, f),
                     DFSUM_EIO);
    fclose(f);
    dfsum_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_matches_pandas),
        cmocka_unit_test(test_csv_quotes_names_and_top_like_pandas),
        cmocka_unit_test(test_csv_floats_match_python_repr),
        cmocka_unit_test(test_json_matches_python),
        cmocka_unit_test(test_json_escapes_text),
        cmocka_unit_test(test_table_matches_pandas_print),
        cmocka_unit_test(test_table_wraps_like_pandas),
        cmocka_unit_test(test_table_transposed_like_pandas),
        cmocka_unit_test(test_table_wraps_one_column_per_block_when_narrow),
        cmocka_unit_test(test_markdown_tables),
        cmocka_unit_test(test_format_rejects_bad_arguments),
        cmocka_unit_test(test_write_matches_format),
        cmocka_unit_test(test_write_reports_a_full_disk),
    };
    return cmocka_run_group_tests(tests, make_temp_dir, remove_temp_dir);
}
