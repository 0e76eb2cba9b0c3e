/*
 * io_split_x86.c - the splitter's kernels for x86-64: SSE2 (part of every
 * x86-64 CPU) and AVX2 (picked at run time when the CPU has it; the
 * functions carry a target attribute, so the build needs no -mavx2).
 *
 * Each compares 64 bytes with the bytes looked for and packs the results
 * with movemask, 16 or 32 bits at a time. On other machines this file
 * defines only io_split_x86, which then offers nothing.
 */
#include "io.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>

static inline uint64_t mask16(__m128i m, unsigned at)
{
    return (uint64_t)(uint16_t)_mm_movemask_epi8(m) << at;
}

static size_t specials_sse2(const char *p, size_t nwords, char delim,
                            char quote, uint32_t base, uint32_t *out)
{
    const __m128i d = _mm_set1_epi8(delim), q = _mm_set1_epi8(quote),
                  cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n'),
                  z = _mm_setzero_si128();
    size_t count = 0;
    for (size_t k = 0; k < nwords; k++, p += 64, base += 64) {
        uint64_t m = 0;
        for (unsigned j = 0; j < 4; j++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * j));
            __m128i a =
                _mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, q));
            __m128i b =
                _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, lf));
            a = _mm_or_si128(a, _mm_or_si128(b, _mm_cmpeq_epi8(x, z)));
            m |= mask16(a, 16 * j);
        }
        count += io_flatten(m, io_popcount64(m), base, out + count);
    }
    return count;
}

static void edges_sse2(const char *p, size_t nwords, char delim, char quote,
                       io_edge_bits *out)
{
    const __m128i d = _mm_set1_epi8(delim), q = _mm_set1_epi8(quote),
                  cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
    uint64_t after_cr = 0;
    for (size_t k = 0; k < nwords; k++, p += 64) {
        io_edge_bits e = {0, 0, 0, 0, 0, 0};
        for (unsigned j = 0; j < 4; j++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(p + 16 * j));
            e.quote |= mask16(_mm_cmpeq_epi8(x, q), 16 * j);
            e.cr |= mask16(_mm_cmpeq_epi8(x, cr), 16 * j);
            e.lf |= mask16(_mm_cmpeq_epi8(x, lf), 16 * j);
            e.delim |= mask16(_mm_cmpeq_epi8(x, d), 16 * j);
        }
        e.eol = e.cr | (e.lf & ~(e.cr << 1 | after_cr));
        e.lines = io_popcount64(e.eol); /* SSE2 CPUs may lack POPCNT */
        after_cr = e.cr >> 63;
        out[k] = e;
    }
}

/* Every CPU with AVX2 has POPCNT and BMI1; io_split_x86 checks anyway. */
#define AVX2 __attribute__((target("avx2,popcnt,bmi")))

AVX2 static inline uint64_t mask32(__m256i m, unsigned at)
{
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(m) << at;
}

AVX2 static size_t specials_avx2(const char *p, size_t nwords, char delim,
                                 char quote, uint32_t base, uint32_t *out)
{
    const __m256i d = _mm256_set1_epi8(delim), q = _mm256_set1_epi8(quote),
                  cr = _mm256_set1_epi8('\r'), lf = _mm256_set1_epi8('\n'),
                  z = _mm256_setzero_si256();
    size_t count = 0;
    for (size_t k = 0; k < nwords; k++, p += 64, base += 64) {
        uint64_t m = 0;
        for (unsigned j = 0; j < 2; j++) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(p + 32 * j));
            __m256i a = _mm256_or_si256(_mm256_cmpeq_epi8(x, d),
                                        _mm256_cmpeq_epi8(x, q));
            __m256i b = _mm256_or_si256(_mm256_cmpeq_epi8(x, cr),
                                        _mm256_cmpeq_epi8(x, lf));
            a = _mm256_or_si256(a, _mm256_or_si256(b, _mm256_cmpeq_epi8(x, z)));
            m |= mask32(a, 32 * j);
        }
        count +=
            io_flatten(m, (size_t)__builtin_popcountll(m), base, out + count);
    }
    return count;
}

AVX2 static void edges_avx2(const char *p, size_t nwords, char delim,
                            char quote, io_edge_bits *out)
{
    const __m256i d = _mm256_set1_epi8(delim), q = _mm256_set1_epi8(quote),
                  cr = _mm256_set1_epi8('\r'), lf = _mm256_set1_epi8('\n');
    uint64_t after_cr = 0;
    for (size_t k = 0; k < nwords; k++, p += 64) {
        io_edge_bits e = {0, 0, 0, 0, 0, 0};
        for (unsigned j = 0; j < 2; j++) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(p + 32 * j));
            e.quote |= mask32(_mm256_cmpeq_epi8(x, q), 32 * j);
            e.cr |= mask32(_mm256_cmpeq_epi8(x, cr), 32 * j);
            e.lf |= mask32(_mm256_cmpeq_epi8(x, lf), 32 * j);
            e.delim |= mask32(_mm256_cmpeq_epi8(x, d), 32 * j);
        }
        e.eol = e.cr | (e.lf & ~(e.cr << 1 | after_cr));
        e.lines = (uint64_t)__builtin_popcountll(e.eol);
        after_cr = e.cr >> 63;
        out[k] = e;
    }
}

static const io_split_kernels sse2 = {IO_SIMD_SSE2, specials_sse2, edges_sse2};
static const io_split_kernels avx2 = {IO_SIMD_AVX2, specials_avx2, edges_avx2};

const io_split_kernels *io_split_x86(io_simd want)
{
    if (want == IO_SIMD_OFF)
        return NULL;
    if (want != IO_SIMD_SSE2 && __builtin_cpu_supports("avx2") &&
        __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi"))
        return &avx2;
    return &sse2;
}

#else

const io_split_kernels *io_split_x86(io_simd want)
{
    (void)want;
    return NULL;
}

#endif
