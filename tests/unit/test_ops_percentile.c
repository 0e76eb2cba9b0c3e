/*
 * test_ops_percentile.c - the percentile list, its labels and numpy's
 * linear quantile, against answers produced by pandas 1.5.3 / numpy 1.24
 * themselves:
 *   labels:    pandas.io.formats.format.format_percentiles(p)
 *   quantiles: np.percentile(sorted_x, q * 100), which equals
 *              pd.Series(x).quantile(q) bit for bit (checked for each case)
 * Expected doubles are bit patterns, compared exactly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "ops.h"

#define NQ 20

typedef struct {
    size_t n;
    double p[6];
    const char *labels[6];
} label_case;

typedef struct {
    size_t n;
    uint64_t x[40]; /* sorted doubles, as bits */
    uint64_t want[NQ];
} f64_case;

typedef struct {
    size_t n;
    int64_t x[10];
    uint64_t want[NQ];
} i64_case;

typedef struct {
    size_t n;
    uint64_t x[10];
    uint64_t want[NQ];
} u64_case;

static const label_case label_cases[] = {
    {3, {0.25, 0.5, 0.75}, {"25%", "50%", "75%"}},
    {3, {0.05, 0.5, 0.95}, {"5%", "50%", "95%"}},
    {3, {0.025, 0.5, 0.975}, {"2.5%", "50%", "97.5%"}},
    {3,
     {0.3333333333333333, 0.5, 0.6666666666666666},
     {"33.3%", "50%", "66.7%"}},
    {3, {0.001, 0.5, 0.999}, {"0.1%", "50%", "99.9%"}},
    {3, {0.999, 0.9999, 0.5}, {"99.9%", "99.99%", "50%"}},
    {3, {0.0, 0.5, 1.0}, {"0%", "50%", "100%"}},
    {3, {0.1, 0.5, 0.9}, {"10%", "50%", "90%"}},
    {2, {0.12345, 0.5}, {"12.3%", "50%"}},
    {1, {0.5}, {"50%"}},
    {2, {0.57, 0.5}, {"57.0%", "50%"}},
    {2, {0.29, 0.5}, {"29.0%", "50%"}},
    {2, {1e-07, 0.5}, {"1e-05%", "50%"}},
    {2, {1e-20, 0.5}, {"0%", "50%"}},
    {3, {5e-324, 0.3333333333333333, 0.5}, {"0%", "nan%", "50%"}},
    {3, {1e-300, 0.3333333333333333, 0.5}, {"0%", "33.33333333333333%", "50%"}},
    {3, {0.0, 1e-09, 0.5}, {"0%", "1e-07%", "50%"}},
    {5,
     {0.01999, 0.02001, 0.5, 0.666666, 0.9999},
     {"1.999%", "2.001%", "50%", "66.667%", "99.99%"}},
    {6,
     {0.0, 0.5, 0.02001, 0.5, 0.666666, 0.9999},
     {"0%", "50%", "2.0%", "50%", "66.67%", "99.99%"}},
    {2, {0.5, 0.5000001}, {"50%", "50%"}},
    {2, {0.123456789, 0.5}, {"12.3%", "50%"}},
    {2, {0.99999999, 0.5}, {"99.999999%", "50%"}},
    {2, {0.000123, 0.5}, {"0.01%", "50%"}},
    {3, {0.3, 0.5, 0.7}, {"30%", "50%", "70%"}},
    {3, {0.15, 0.5, 0.85}, {"15%", "50%", "85%"}},
    {2, {0.07, 0.5}, {"7%", "50%"}},
    {3,
     {0.14285714285714285, 0.2857142857142857, 0.5},
     {"14.3%", "28.6%", "50%"}},
    {3, {0.0001, 0.5, 0.9999}, {"0.01%", "50%", "99.99%"}},
    {5, {0.2, 0.4, 0.5, 0.6, 0.8}, {"20%", "40%", "50%", "60%", "80%"}},
    {3, {1.0, 0.5, 0.0}, {"100%", "50%", "0%"}},
    {5,
     {1.3625769378964223e-08, 0.45183232059956535, 0.5, 0.8039003127210486,
      0.877},
     {"1e-06%", "45.183232%", "50%", "80.390031%", "87.7%"}},
    {2, {0.05224710713075801, 0.5}, {"5.2%", "50%"}},
    {3,
     {0.03565278045988274, 0.5, 0.6231284515187199},
     {"3.6%", "50%", "62.3%"}},
    {5,
     {1.6799764635618303e-07, 9.958300278038291e-06, 0.005488036967822366, 0.5,
      0.86},
     {"2e-05%", "0.001%", "0.5488%", "50%", "86%"}},
    {4,
     {1.3649721179515598e-09, 0.11, 0.5, 0.7579900490467689},
     {"1e-07%", "11%", "50%", "75.7990049%"}},
    {2, {0.5, 0.949}, {"50%", "94.9%"}},
    {5,
     {1.1933607532045717e-08, 2.2820818021007834e-06, 0.34, 0.5, 0.797},
     {"1e-06%", "0.000228%", "34%", "50%", "79.7%"}},
    {2, {0.01095501378099173, 0.5}, {"1.1%", "50%"}},
    {3, {0.392, 0.44742487750102156, 0.5}, {"39.2%", "44.7%", "50%"}},
    {3,
     {0.05853726802557033, 0.3041451498709895, 0.5},
     {"5.9%", "30.4%", "50%"}},
    {5,
     {5.259414310199964e-09, 0.149, 0.5, 0.624, 0.9958357204077907},
     {"5e-07%", "14.9%", "50%", "62.4%", "99.583572%"}},
    {3, {7.409625633705375e-06, 0.377, 0.5}, {"0.0007%", "37.7%", "50%"}},
};
static const double qs[] = {0.0,
                            1.0,
                            0.5,
                            0.25,
                            0.75,
                            0.05,
                            0.95,
                            0.013,
                            0.041,
                            0.999,
                            0.001,
                            0.3333333333333333,
                            0.6666666666666666,
                            0.29,
                            0.57,
                            0.675831,
                            0.214323,
                            0.309452,
                            0.799466,
                            0.995802};
static const f64_case f64_cases[] = {
    {7,
     {0x3fb4275b48de30a0ull, 0x3fc234a6f18a0d74ull, 0x3fc5b6156521c530ull,
      0x3fc7253c17153f14ull, 0x3fd70474657a7bf8ull, 0x3fe2d71dc6aeabeaull,
      0x3fe3bce31c799b32ull},
     {0x3fb4275b48de30a0ull, 0x3fe3bce31c799b32ull, 0x3fc7253c17153f14ull,
      0x3fc3f55e2b55e952ull, 0x3fde5957f96be9e6ull, 0x3fb907f0dd87f6e9ull,
      0x3fe377f4b5efed03ull, 0x3fb56bfd0e3d8805ull, 0x3fb8273219cfce19ull,
      0x3fe3bb822ee77e1dull, 0x3fb440540947fc45ull, 0x3fc5b6156521c530ull,
      0x3fd70474657a7bf5ull, 0x3fc4ccc05b8ecdbcull, 0x3fd0612627133470ull,
      0x3fd7d2dc22ed083eull, 0x3fc335430a6608f5ull, 0x3fc5357e0f03c35eull,
      0x3fe159b99754dcb0ull, 0x3fe3b71984fa1bfbull}}, /* uniform 7 */
    {1,
     {0x4004000000000000ull},
     {0x4004000000000000ull, 0x4004000000000000ull, 0x4004000000000000ull,
      0x4004000000000000ull, 0x4004000000000000ull, 0x4004000000000000ull,
      0x4004000000000000ull, 0x4004000000000000ull, 0x4004000000000000ull,
      0x4004000000000000ull, 0x4004000000000000ull, 0x4004000000000000ull,
      0x4004000000000000ull, 0x4004000000000000ull, 0x4004000000000000ull,
      0x4004000000000000ull, 0x4004000000000000ull, 0x4004000000000000ull,
      0x4004000000000000ull, 0x4004000000000000ull}}, /* one value */
    {2,
     {0x3ff0000000000000ull, 0x4008000000000000ull},
     {0x3ff0000000000000ull, 0x4008000000000000ull, 0x4000000000000000ull,
      0x3ff8000000000000ull, 0x4004000000000000ull, 0x3ff199999999999aull,
      0x4007333333333333ull, 0x3ff06a7ef9db22d1ull, 0x3ff14fdf3b645a1dull,
      0x4007fbe76c8b4396ull, 0x3ff0083126e978d5ull, 0x3ffaaaaaaaaaaaaaull,
      0x4002aaaaaaaaaaaaull, 0x3ff947ae147ae148ull, 0x40011eb851eb851eull,
      0x4002d0342aa9f7b6ull, 0x3ff6dbbbe878fabeull, 0x3ff9e707e175d13eull,
      0x4004ca9cdc443915ull, 0x4007eece13f4a98aull}}, /* two */
    {9,
     {0xdf02a1ff68149c06ull, 0xbb177d1ca7b55e31ull, 0xac8393f0ac1e6394ull,
      0xa7d01d5efa6f35dcull, 0x9c305c9cc37814c9ull, 0x2c7cae2c92d982d4ull,
      0x2d1eef388b0aac95ull, 0x2d41a303a59914d7ull, 0x5955a0ef15c4a3e6ull},
     {0xdf02a1ff68149c06ull, 0x5955a0ef15c4a3e6ull, 0x9c305c9cc37814c9ull,
      0xac8393f0ac1e6394ull, 0x2d1eef388b0aac95ull, 0xdef65bff49b254d4ull,
      0x5949f4521a1f2b10ull, 0xdf00b1eafd0008baull, 0xdef90ae07b800d16ull,
      0x595574a371c104eaull, 0xdf027bd673892e3bull, 0xac6a1a963ad32f7dull,
      0x2d04a90a6b8d6624ull, 0xac7aa03d130a9beaull, 0x2c700f9e14cbb9e4ull,
      0x2d09312def6f79efull, 0xbafad0f413887450ull, 0xac74885cc7b6f2a6ull,
      0x2d32a1c6a630f706ull, 0x5954e6fb460136f3ull}}, /* wide 9 */
    {3,
     {0xfff0000000000000ull, 0x3ff0000000000000ull, 0x7ff0000000000000ull},
     {0xfff8000000000000ull, 0xfff8000000000000ull, 0xfff8000000000000ull,
      0xfff0000000000000ull, 0xfff8000000000000ull, 0xfff8000000000000ull,
      0xfff8000000000000ull, 0xfff8000000000000ull, 0xfff8000000000000ull,
      0xfff8000000000000ull, 0xfff8000000000000ull, 0xfff0000000000000ull,
      0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff0000000000000ull,
      0x7ff0000000000000ull, 0xfff8000000000000ull, 0xfff0000000000000ull,
      0xfff8000000000000ull, 0xfff8000000000000ull}}, /* infinities */
    {2,
     {0x3ff0000000000000ull, 0x7ff0000000000000ull},
     {0xfff8000000000000ull, 0xfff8000000000000ull, 0xfff8000000000000ull,
      0x7ff0000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000000ull,
      0xfff8000000000000ull, 0x7ff0000000000000ull, 0x7ff0000000000000ull,
      0xfff8000000000000ull, 0x7ff0000000000000ull, 0x7ff0000000000000ull,
      0xfff8000000000000ull, 0x7ff0000000000000ull, 0xfff8000000000000ull,
      0xfff8000000000000ull, 0x7ff0000000000000ull, 0x7ff0000000000000ull,
      0xfff8000000000000ull, 0xfff8000000000000ull}}, /* one inf */
    {2,
     {0x7ff0000000000000ull, 0x7ff0000000000000ull},
     {0xfff8000000000000ull, 0xfff8000000000000ull, 0xfff8000000000000ull,
      0xfff8000000000000ull, 0xfff8000000000000ull, 0xfff8000000000000ull,
      0xfff8000000000000ull, 0xfff8000000000000ull, 0xfff8000000000000ull,
      0xfff8000000000000ull, 0xfff8000000000000ull, 0xfff8000000000000ull,
      0xfff8000000000000ull, 0xfff8000000000000ull, 0xfff8000000000000ull,
      0xfff8000000000000ull, 0xfff8000000000000ull, 0xfff8000000000000ull,
      0xfff8000000000000ull, 0xfff8000000000000ull}}, /* inf inf */
    {2,
     {0x8000000000000000ull, 0x8000000000000000ull},
     {0x0000000000000000ull, 0x0000000000000000ull, 0x8000000000000000ull,
      0x0000000000000000ull, 0x8000000000000000ull, 0x0000000000000000ull,
      0x8000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull,
      0x8000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull,
      0x8000000000000000ull, 0x0000000000000000ull, 0x8000000000000000ull,
      0x8000000000000000ull, 0x0000000000000000ull, 0x0000000000000000ull,
      0x8000000000000000ull, 0x8000000000000000ull}}, /* -0.0 x2 */
    {1,
     {0x8000000000000000ull},
     {0x8000000000000000ull, 0x8000000000000000ull, 0x8000000000000000ull,
      0x8000000000000000ull, 0x8000000000000000ull, 0x8000000000000000ull,
      0x8000000000000000ull, 0x8000000000000000ull, 0x8000000000000000ull,
      0x8000000000000000ull, 0x8000000000000000ull, 0x8000000000000000ull,
      0x8000000000000000ull, 0x8000000000000000ull, 0x8000000000000000ull,
      0x8000000000000000ull, 0x8000000000000000ull, 0x8000000000000000ull,
      0x8000000000000000ull, 0x8000000000000000ull}}, /* -0.0 x1 */
    {11,
     {0x3ff0000000000024ull, 0x3ff000000000006eull, 0x3ff0000000000077ull,
      0x3ff0000000000081ull, 0x3ff00000000000d2ull, 0x3ff00000000000d3ull,
      0x3ff00000000000dbull, 0x3ff000000000015cull, 0x3ff0000000000190ull,
      0x3ff0000000000195ull, 0x3ff00000000001b3ull},
     {0x3ff0000000000024ull, 0x3ff00000000001b3ull, 0x3ff00000000000d3ull,
      0x3ff000000000007cull, 0x3ff0000000000176ull, 0x3ff0000000000049ull,
      0x3ff00000000001a4ull, 0x3ff000000000002eull, 0x3ff0000000000042ull,
      0x3ff00000000001b3ull, 0x3ff0000000000025ull, 0x3ff000000000009cull,
      0x3ff0000000000131ull, 0x3ff0000000000080ull, 0x3ff00000000000d9ull,
      0x3ff000000000013dull, 0x3ff0000000000078ull, 0x3ff0000000000089ull,
      0x3ff0000000000190ull, 0x3ff00000000001b2ull}}, /* narrow 11 */
    {10,
     {0xc045800000000000ull, 0xc040000000000000ull, 0xc03e000000000000ull,
      0xc02a000000000000ull, 0x4014000000000000ull, 0x402a000000000000ull,
      0x403f000000000000ull, 0x4040800000000000ull, 0x4044000000000000ull,
      0x4044800000000000ull},
     {0xc045800000000000ull, 0x4044800000000000ull, 0x4022000000000000ull,
      0xc039c00000000000ull, 0x4040400000000000ull, 0xc043066666666666ull,
      0x4044466666666666ull, 0xc044db4395810625ull, 0xc0437872b020c49cull,
      0x40447ed916872b02ull, 0xc0457353f7ced917ull, 0xc02a000000000008ull,
      0x403efffffffffff7ull, 0xc033a147ae147ae2ull, 0x402eae147ae147adull,
      0x403f2a3aafff36adull, 0xc03e24664d3bf2f5ull, 0xc030a7625204af93ull,
      0x40412ee4d1a65061ull, 0x40447b29f59ccfafull}}, /* ints 10 */
    {4,
     {0xffe1ccf385ebc8a0ull, 0xffe1ccf385ebc8a0ull, 0x7fe1ccf385ebc8a0ull,
      0x7fe1ccf385ebc8a0ull},
     {0xffe1ccf385ebc8a0ull, 0x7fe1ccf385ebc8a0ull, 0xfff0000000000000ull,
      0xffe1ccf385ebc8a0ull, 0x7fe1ccf385ebc8a0ull, 0xffe1ccf385ebc8a0ull,
      0x7fe1ccf385ebc8a0ull, 0xffe1ccf385ebc8a0ull, 0xffe1ccf385ebc8a0ull,
      0x7fe1ccf385ebc8a0ull, 0xffe1ccf385ebc8a0ull, 0xffe1ccf385ebc8a0ull,
      0xfff0000000000000ull, 0xffe1ccf385ebc8a0ull, 0xfff0000000000000ull,
      0x7fe1ccf385ebc8a0ull, 0xffe1ccf385ebc8a0ull, 0xffe1ccf385ebc8a0ull,
      0x7fe1ccf385ebc8a0ull, 0x7fe1ccf385ebc8a0ull}}, /* huge */
    {33,
     {0x401eec4c2e26586aull, 0x402af3f1c188fb0cull, 0x4037df4e571d91c3ull,
      0x404525c60a6e67d5ull, 0x40481b2f39355072ull, 0x404b20cfdd23a597ull,
      0x40693dc0f863ee99ull, 0x406c8b37de107b7cull, 0x406e2837a7f9edd6ull,
      0x406f6affe2e2e435ull, 0x40713d743202e842ull, 0x40742190888e9c51ull,
      0x4074612e3ef66bf7ull, 0x4074ddb314d45687ull, 0x40750da4edb7dd52ull,
      0x40755fe1ae25ea27ull, 0x4075cc5c7b32831aull, 0x407937265d1001eaull,
      0x40796ffab7dfb8d4ull, 0x407a44cd75837ee3ull, 0x407a99908e65b9a0ull,
      0x407c8f418a35ace7ull, 0x407f928e0320c5efull, 0x408037735d7101deull,
      0x4081d0d81f7f1939ull, 0x40824b190a793694ull, 0x40826899a049a8cbull,
      0x4082b3a21da23124ull, 0x40854d3b7f9b5424ull, 0x4085c0f3ad9cad96ull,
      0x408661e284e9049eull, 0x408ad965131b6154ull, 0x408d7f8ae37a8e46ull},
     {0x401eec4c2e26586aull, 0x408d7f8ae37a8e46ull, 0x4075cc5c7b32831aull,
      0x406e2837a7f9edd6ull, 0x4081d0d81f7f1939ull, 0x4033b6c5c1605678ull,
      0x40882b49f0fd29b2ull, 0x40243def8d171ff3ull, 0x4030b84eef2a02d1ull,
      0x408d69d780a69d3bull, 0x401fa8928f1342d6ull, 0x40732adc6bb5604aull,
      0x407d905b07d95fe6ull, 0x4070233f36b8e51bull, 0x4079a30e9377aaecull,
      0x407e728badef0359ull, 0x406c1372447b9c23ull, 0x4071173968948770ull,
      0x40825c4b8891099dull, 0x408d247160c25c5dull}}, /* uniform 33 */
};
static const i64_case i64_cases[] = {
    {3,
     {INT64_MIN, 12ll, 9223372036854775807ll},
     {0xc3e0000000000000ull, 0x43e0000000000000ull, 0x4028000000000000ull,
      0x43d0000000000000ull, 0x43d0000000000000ull, 0xc3e199999999999aull,
      0x43dcccccccccccccull, 0xc3e06a7ef9db22d1ull, 0xc3e14fdf3b645a1dull,
      0x43dfef9db22d0e58ull, 0xc3e0083126e978d5ull, 0x43c5555555555558ull,
      0x43c5555555555550ull, 0x43cae147ae147ae2ull, 0x43b1eb851eb851e8ull,
      0x43c681a1554fbdb0ull, 0xc3e6dbbbe878fabeull, 0x43c863e07a28bb0aull,
      0x43d32a737110e454ull, 0x43dfbb384fd2a628ull}}, /* oracle huge_ints */
    {8,
     {-6736403052862374229ll, -6522871652491409046ll, -4414009739793487150ll,
      -2226468326125270628ll, -1663607094965755604ll, -1173979363366955512ll,
      1214185183454185083ll, 5570160441134915958ll},
     {0xc3d75f20b8ad6e00ull, 0x43d3534bda30f1e8ull, 0xc3bafe297e13cdebull,
      0xc3d124b089fc0bb4ull, 0xc3a003648553067cull, 0xc3d71cbfb98185eeull,
      0x43cc125fd4dc1c68ull, 0xc3d74dde8ad01810ull, 0xc3d728b276cbfc81ull,
      0x43d33836d046a5aeull, 0xc3d75dccdc88b629ull, 0xc3c99192592d8f9cull,
      0xc3b28ea5f41bd5e7ull, 0xc3ce2c47e0465afaull, 0xc3b72a510822aa18ull,
      0xc3b21f0eec4dd9aeull, 0xc3d2f8764f83fc97ull, 0xc3cc1b2ad5900d4aull,
      0x438bc13625ba5f1cull, 0x43d2e19af4a9bf2eull}}, /* full range 8 */
    {9,
     {-935ll, -799ll, -563ll, -441ll, -327ll, -238ll, -190ll, 291ll, 405ll},
     {0xc08d380000000000ull, 0x4079500000000000ull, 0xc074700000000000ull,
      0xc081980000000000ull, 0xc067c00000000000ull, 0xc08b84cccccccccdull,
      0x4076766666666666ull, 0xc08cc6d916872b02ull, 0xc08bd322d0e56041ull,
      0x4079416872b020c6ull, 0xc08d2f4bc6a7ef9eull, 0xc07e1aaaaaaaaaacull,
      0xc06bc00000000002ull, 0xc0805fae147ae148ull, 0xc071528f5c28f5c3ull,
      0xc06b4f63800218deull, 0xc083b2dd8b60f1b2ull, 0xc07f8f98fa376923ull,
      0x3fd6173b85e80e00ull, 0x407912be27179bfcull}}, /* small 9 */
    {1,
     {7ll},
     {0x401c000000000000ull, 0x401c000000000000ull, 0x401c000000000000ull,
      0x401c000000000000ull, 0x401c000000000000ull, 0x401c000000000000ull,
      0x401c000000000000ull, 0x401c000000000000ull, 0x401c000000000000ull,
      0x401c000000000000ull, 0x401c000000000000ull, 0x401c000000000000ull,
      0x401c000000000000ull, 0x401c000000000000ull, 0x401c000000000000ull,
      0x401c000000000000ull, 0x401c000000000000ull, 0x401c000000000000ull,
      0x401c000000000000ull, 0x401c000000000000ull}}, /* one */
    {4,
     {INT64_MIN, INT64_MIN, 9223372036854775807ll, 9223372036854775807ll},
     {0xc3e0000000000000ull, 0x43e0000000000000ull, 0x43e0000000000000ull,
      0xc3e0000000000000ull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
      0x43e0000000000000ull, 0xc3e0000000000000ull, 0xc3e0000000000000ull,
      0x43e0000000000000ull, 0xc3e0000000000000ull, 0xc3e0000000000000ull,
      0x43e0000000000000ull, 0xc3e0000000000000ull, 0x43e0000000000000ull,
      0x43e0000000000000ull, 0xc3e0000000000000ull, 0xc3e0000000000000ull,
      0x43e0000000000000ull, 0x43e0000000000000ull}}, /* extremes */
    {3,
     {9223372036854775804ll, 9223372036854775806ll, 9223372036854775807ll},
     {0x43e0000000000000ull, 0x43e0000000000000ull, 0x43e0000000000000ull,
      0x43e0000000000000ull, 0x43e0000000000000ull, 0x43e0000000000000ull,
      0x43e0000000000000ull, 0x43e0000000000000ull, 0x43e0000000000000ull,
      0x43e0000000000000ull, 0x43e0000000000000ull, 0x43e0000000000000ull,
      0x43e0000000000000ull, 0x43e0000000000000ull, 0x43e0000000000000ull,
      0x43e0000000000000ull, 0x43e0000000000000ull, 0x43e0000000000000ull,
      0x43e0000000000000ull, 0x43e0000000000000ull}}, /* near max */
    {3,
     {9007199254740993ll, 1152921504606846979ll, 4611686018427387909ll},
     {0x4340000000000000ull, 0x43d0000000000000ull, 0x43b0000000000000ull,
      0x43a0200000000000ull, 0x43c4000000000000ull, 0x437b666666666667ull,
      0x43cd999999999999ull, 0x4361353f7ced9169ull, 0x4376d3f7ced91688ull,
      0x43cff3b645a1cac2ull, 0x434410624dd2f1aaull, 0x43a56aaaaaaaaaaaull,
      0x43bffffffffffffcull, 0x43a2aa3d70a3d70aull, 0x43b6b851eb851eb7ull,
      0x43c0709c7ffde722ull, 0x439bb811c2a02321ull, 0x43a3e673a365cb36ull,
      0x43c65fd694ccab3full, 0x43cfcc6a3bddfc9eull}}, /* big odd */
};
static const u64_case u64_cases[] = {
    {2,
     {1uLL, 18446744073709551615uLL},
     {0x3ff0000000000000ull, 0x43f0000000000000ull, 0x43e0000000000000ull,
      0x43d0000000000000ull, 0x43e8000000000000ull, 0x43a999999999999aull,
      0x43ee666666666666ull, 0x438a9fbe76c8b43aull, 0x43a4fdf3b645a1ccull,
      0x43eff7ced916872cull, 0x4350624dd2f1a9fcull, 0x43d5555555555554ull,
      0x43e5555555555554ull, 0x43d28f5c28f5c28full, 0x43e23d70a3d70a3dull,
      0x43e5a0685553ef6cull, 0x43cb6eefa1e3eaf7ull, 0x43d3ce0fc2eba27bull,
      0x43e99539b888722aull, 0x43efdd9c27e95314ull}}, /* oracle uint64_ints */
    {8,
     {1622872020040411150uLL, 3633218257984529752uLL, 5162740260772946086uLL,
      10128943758598775338uLL, 10424489705485658466uLL, 11441253525545595612uLL,
      13856632580884595430uLL, 17856597627210995107uLL},
     {0x43b6859980fe6de8ull, 0x43eef9ec1de05fd3ull, 0x43e1d3c76d6bd611ull,
      0x43d095cff7f57918ull, 0x43e4e5192272e5c8ull, 0x43c024ae9efe2668ull,
      0x43ec8c33ef497cddull, 0x43b90f89d5f8c176ull, 0x43be876816d8d7e4ull,
      0x43eeed7ce9bea2f8ull, 0x43b6b7984c742590ull, 0x43d7a7b9e039edd1ull,
      0x43e3426d0b8ac913ull, 0x43d26dc2bf290575ull, 0x43e2141745cb8cc5ull,
      0x43e35f645a5c95d3ull, 0x43ce8516f479bec8ull, 0x43d4c65cf2f437fdull,
      0x43e6588392f4c5c2ull, 0x43eec5b9071f8b16ull}}, /* full range 8 */
    {3,
     {9223372036854775808uLL, 18446744073709551614uLL, 18446744073709551615uLL},
     {0x43e0000000000000ull, 0x43f0000000000000ull, 0x43f0000000000000ull,
      0x43e8000000000000ull, 0x43f0000000000000ull, 0x43e199999999999aull,
      0x43f0000000000000ull, 0x43e06a7ef9db22d1ull, 0x43e14fdf3b645a1dull,
      0x43f0000000000000ull, 0x43e0083126e978d5ull, 0x43eaaaaaaaaaaaaaull,
      0x43f0000000000000ull, 0x43e947ae147ae148ull, 0x43f0000000000000ull,
      0x43f0000000000000ull, 0x43e6dbbbe878fabeull, 0x43e9e707e175d13eull,
      0x43f0000000000000ull, 0x43f0000000000000ull}}, /* top */
    {2,
     {0uLL, 18446744073709551615uLL},
     {0x0000000000000000ull, 0x43f0000000000000ull, 0x43e0000000000000ull,
      0x43d0000000000000ull, 0x43e8000000000000ull, 0x43a999999999999aull,
      0x43ee666666666666ull, 0x438a9fbe76c8b43aull, 0x43a4fdf3b645a1ccull,
      0x43eff7ced916872cull, 0x4350624dd2f1a9fcull, 0x43d5555555555554ull,
      0x43e5555555555554ull, 0x43d28f5c28f5c28full, 0x43e23d70a3d70a3dull,
      0x43e5a0685553ef6cull, 0x43cb6eefa1e3eaf7ull, 0x43d3ce0fc2eba27bull,
      0x43e99539b888722aull, 0x43efdd9c27e95314ull}}, /* zero max */
    {1,
     {18446744073709551615uLL},
     {0x43f0000000000000ull, 0x43f0000000000000ull, 0x43f0000000000000ull,
      0x43f0000000000000ull, 0x43f0000000000000ull, 0x43f0000000000000ull,
      0x43f0000000000000ull, 0x43f0000000000000ull, 0x43f0000000000000ull,
      0x43f0000000000000ull, 0x43f0000000000000ull, 0x43f0000000000000ull,
      0x43f0000000000000ull, 0x43f0000000000000ull, 0x43f0000000000000ull,
      0x43f0000000000000ull, 0x43f0000000000000ull, 0x43f0000000000000ull,
      0x43f0000000000000ull, 0x43f0000000000000ull}}, /* one */
};

static uint64_t bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static double from_bits(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* ---- ops_percentiles_normalize ---------------------------------------- */

static void expect_list(const double *in, size_t n, const double *want,
                        int nwant)
{
    double out[8];
    const char *why = NULL;
    assert_int_equal(ops_percentiles_normalize(in, n, out, &why), nwant);
    for (int i = 0; i < nwant; i++)
        assert_int_equal(bits(out[i]), bits(want[i]));
}

static void expect_error(const double *in, size_t n, const char *msg)
{
    double out[8];
    const char *why = NULL;
    assert_int_equal(ops_percentiles_normalize(in, n, out, &why), -1);
    assert_non_null(why);
    assert_string_equal(why, msg);
}

static void test_normalize(void **state)
{
    (void)state;
    static const char interval[] =
        "percentiles should all be in the interval [0,1]";
    static const char dup[] = "percentiles cannot contain duplicates";
    expect_list(NULL, 0, (const double[]){0.5}, 1);
    expect_list((const double[]){0.5}, 1, (const double[]){0.5}, 1);
    expect_list((const double[]){0.9, 0.1}, 2, (const double[]){0.1, 0.5, 0.9},
                3);
    expect_list((const double[]){1.0, 0.0, 0.75}, 3,
                (const double[]){0.0, 0.5, 0.75, 1.0}, 4);
    /* pandas keeps -0.0 as given (np.unique) */
    expect_list((const double[]){-0.0}, 1, (const double[]){-0.0, 0.5}, 2);
    /* describe(percentiles=[0.5, 0.5]) and [0.25, 0.25]: both refused */
    expect_error((const double[]){0.5, 0.5}, 2, dup);
    expect_error((const double[]){0.25, 0.25}, 2, dup);
    expect_error((const double[]){0.0, -0.0}, 2, dup);
    expect_error((const double[]){0.25, 0.5, 0.25}, 3, dup);
    expect_error((const double[]){NAN}, 1, interval);
    expect_error((const double[]){1.5}, 1, interval);
    expect_error((const double[]){-0.1}, 1, interval);
    expect_error((const double[]){0.2, INFINITY}, 2, interval);
    expect_error((const double[]){1.0000000000000002}, 1, interval);
    /* the range check comes first, as in pandas */
    expect_error((const double[]){0.5, 0.5, 2.0}, 3, interval);
}

/* ---- ops_percentile_labels -------------------------------------------- */

static void test_labels(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof label_cases / sizeof label_cases[0]; c++) {
        const label_case *lc = &label_cases[c];
        char got[6][OPS_LABEL_MAX];
        ops_percentile_labels(lc->p, lc->n, got);
        for (size_t i = 0; i < lc->n; i++) {
            if (strcmp(got[i], lc->labels[i]) != 0)
                fail_msg("case %zu label %zu: got %s want %s", c, i, got[i],
                         lc->labels[i]);
        }
    }
}

/* ---- ops_quantile_index ----------------------------------------------- */

static void test_quantile_index(void **state)
{
    (void)state;
    uint64_t lo, hi;
    double t;
    ops_quantile_index(5, 0.25, &lo, &hi, &t);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 2);
    assert_true(t == 0.0);
    ops_quantile_index(4, 0.5, &lo, &hi, &t);
    assert_int_equal(lo, 1);
    assert_int_equal(hi, 2);
    assert_true(t == 0.5);
    /* at the top numpy weighs against index -1: t = h + 1 */
    ops_quantile_index(4, 1.0, &lo, &hi, &t);
    assert_int_equal(lo, 3);
    assert_int_equal(hi, 3);
    assert_true(t == 4.0);
    ops_quantile_index(1, 0.3, &lo, &hi, &t);
    assert_int_equal(lo, 0);
    assert_int_equal(hi, 0);
    assert_true(t == 1.0);
    /* numpy sees (0.013 * 100) / 100 = 0.013000000000000001 */
    ops_quantile_index(1001, 0.013, &lo, &hi, &t);
    assert_int_equal(lo, 13);
    assert_int_equal(hi, 14);
    assert_int_equal(bits(t), bits(1000 * ((0.013 * 100) / 100) - 13));
    assert_true(t > 0);
}

/* ---- lerps: pandas' own answers --------------------------------------- */

static void check_f64(const f64_case *fc, size_t c)
{
    for (size_t k = 0; k < NQ; k++) {
        uint64_t lo, hi;
        double t;
        ops_quantile_index(fc->n, qs[k], &lo, &hi, &t);
        double got =
            ops_lerp_f64(from_bits(fc->x[lo]), from_bits(fc->x[hi]), t);
        if (bits(got) != fc->want[k])
            fail_msg("f64 case %zu q=%.17g: got %.17g want %.17g", c, qs[k],
                     got, from_bits(fc->want[k]));
    }
}

static void test_lerp_f64(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof f64_cases / sizeof f64_cases[0]; c++)
        check_f64(&f64_cases[c], c);
}

static void test_lerp_i64(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof i64_cases / sizeof i64_cases[0]; c++) {
        const i64_case *ic = &i64_cases[c];
        for (size_t k = 0; k < NQ; k++) {
            uint64_t lo, hi;
            double t;
            ops_quantile_index(ic->n, qs[k], &lo, &hi, &t);
            double got = ops_lerp_i64(ic->x[lo], ic->x[hi], t);
            if (bits(got) != ic->want[k])
                fail_msg("i64 case %zu q=%.17g: got %.17g want %.17g", c, qs[k],
                         got, from_bits(ic->want[k]));
        }
    }
}

static void test_lerp_u64(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof u64_cases / sizeof u64_cases[0]; c++) {
        const u64_case *uc = &u64_cases[c];
        for (size_t k = 0; k < NQ; k++) {
            uint64_t lo, hi;
            double t;
            ops_quantile_index(uc->n, qs[k], &lo, &hi, &t);
            double got = ops_lerp_u64(uc->x[lo], uc->x[hi], t);
            if (bits(got) != uc->want[k])
                fail_msg("u64 case %zu q=%.17g: got %.17g want %.17g", c, qs[k],
                         got, from_bits(uc->want[k]));
        }
    }
}

/* The oracle's csv__huge_ints and csv__uint64_ints, and the brief's
 * infinities, spelled out. */
static void test_lerp_known(void **state)
{
    (void)state;
    /* [INT64_MIN, 12, INT64_MAX]: 25% and 75% are 4.611686018427388e+18 */
    assert_true(ops_lerp_i64(INT64_MIN, 12, 0.5) == 4.611686018427388e+18);
    assert_true(ops_lerp_i64(12, INT64_MAX, 0.5) == 4.611686018427388e+18);
    /* [1, UINT64_MAX]: 25%, 50%, 75% */
    assert_true(ops_lerp_u64(1, UINT64_MAX, 0.25) == 4.611686018427388e+18);
    assert_true(ops_lerp_u64(1, UINT64_MAX, 0.5) == 9.223372036854776e+18);
    assert_true(ops_lerp_u64(1, UINT64_MAX, 0.75) == 1.3835058055282164e+19);
    /* [-inf, 1, inf]: 25% = -inf, 50% = NaN (inf * 0), 75% = NaN */
    assert_true(ops_lerp_f64(-INFINITY, 1, 0.5) == -INFINITY);
    assert_true(isnan(ops_lerp_f64(1, INFINITY, 0.0)));
    assert_true(isnan(ops_lerp_f64(1, INFINITY, 0.5)));
    /* [-0.0, -0.0]: 0% and 100% are +0.0, 50% is -0.0 */
    assert_int_equal(bits(ops_lerp_f64(-0.0, -0.0, 0.0)), bits(0.0));
    assert_int_equal(bits(ops_lerp_f64(-0.0, -0.0, 0.5)), bits(-0.0));
    assert_int_equal(bits(ops_lerp_f64(-0.0, -0.0, 2.0)), bits(0.0));
    assert_int_equal(bits(ops_lerp_f64(-0.0, -0.0, 1.0)), bits(-0.0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_quantile_index),
        cmocka_unit_test(test_lerp_known),
        cmocka_unit_test(test_lerp_f64),
        cmocka_unit_test(test_lerp_i64),
        cmocka_unit_test(test_lerp_u64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
