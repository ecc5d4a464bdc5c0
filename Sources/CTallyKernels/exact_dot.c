// ExactSum.dot's sum in C (ExactSum.swift documents the grid): each product a[i]*b[i] rounded as a
// double, truncated onto a grid relative to max|a|*max|b|, the integers added in wrapping 128-bit
// arithmetic (associative: the same sum in any order and any lane split). Four products at a
// time with AVX2: the 128-bit integer of each from its bits with variable shifts (which give 0
// for counts of 64 or more), the low words' carries counted into the high ones.
#include "CTallyKernels.h"
#include <math.h>
#include <string.h>

// trunc(|p| 2^shift) with p's sign, by the bits of p (ExactSum.scaled: the same integers); the
// caller's bound keeps |p| 2^shift below 2^126.
static inline unsigned __int128 scaled_scalar(double p, int shift) {
    uint64_t bits;
    memcpy(&bits, &p, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff);
    if (e == 0) return 0;
    uint64_t m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
    int s = e - 1075 + shift;
    unsigned __int128 v = s >= 0 ? (unsigned __int128)m << s : (s > -64 ? (unsigned __int128)(m >> -s) : 0);
    return (bits >> 63) ? -v : v;
}

static unsigned __int128 sum_scalar(const double *a, const double *b, int64_t from, int64_t n, int shift) {
    unsigned __int128 sum = 0;
    for (int64_t i = from; i < n; i++) {
        double p = a[i] * b[i];
        sum += scaled_scalar(p, shift);
    }
    return sum;
}

// 1 when every entry is finite, with the largest magnitudes.
static int maxima_scalar(const double *a, const double *b, int64_t n, double *ma, double *mb) {
    double x = 0, y = 0;
    for (int64_t i = 0; i < n; i++) {
        double u = fabs(a[i]), v = fabs(b[i]);
        if (!isfinite(u) || !isfinite(v)) return 0;
        if (u > x) x = u;
        if (v > y) y = v;
    }
    *ma = x;
    *mb = y;
    return 1;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static int maxima_avx2(const double *a, const double *b, int64_t n, double *ma, double *mb) {
    const __m256d absMask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
    const __m256d inf = _mm256_set1_pd(INFINITY);
    __m256d x = _mm256_setzero_pd(), y = x, ok = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256d u = _mm256_and_pd(_mm256_loadu_pd(a + i), absMask), v = _mm256_and_pd(_mm256_loadu_pd(b + i), absMask);
        ok = _mm256_and_pd(ok, _mm256_and_pd(_mm256_cmp_pd(u, inf, _CMP_LT_OQ), _mm256_cmp_pd(v, inf, _CMP_LT_OQ)));
        x = _mm256_max_pd(x, u);
        y = _mm256_max_pd(y, v);
    }
    if (_mm256_movemask_pd(ok) != 15) return 0;
    double xs[4], ys[4], tx, ty;
    _mm256_storeu_pd(xs, x);
    _mm256_storeu_pd(ys, y);
    if (!maxima_scalar(a + i, b + i, n - i, &tx, &ty)) return 0;
    for (int r = 0; r < 4; r++) {
        if (xs[r] > tx) tx = xs[r];
        if (ys[r] > ty) ty = ys[r];
    }
    *ma = tx;
    *mb = ty;
    return 1;
}

__attribute__((target("avx2,fma")))
static unsigned __int128 sum_avx2(const double *a, const double *b, int64_t n, int shift) {
    const __m256i zero = _mm256_setzero_si256();
    const __m256i flip = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
    const __m256i bias = _mm256_set1_epi64x(1075 - shift);
    __m256i lo = zero, hi = zero;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const __m256i bits = _mm256_castpd_si256(_mm256_mul_pd(_mm256_loadu_pd(a + i), _mm256_loadu_pd(b + i)));
        const __m256i e = _mm256_and_si256(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(0x7ff));
        // Zero and subnormal products add 0 (as ExactSum.scaled).
        const __m256i m = _mm256_andnot_si256(_mm256_cmpeq_epi64(e, zero),
                                              _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL)), _mm256_set1_epi64x(0x0010000000000000LL)));
        const __m256i s = _mm256_sub_epi64(e, bias);
        const __m256i l = _mm256_or_si256(_mm256_sllv_epi64(m, s), _mm256_srlv_epi64(m, _mm256_sub_epi64(zero, s)));
        const __m256i h = _mm256_or_si256(_mm256_srlv_epi64(m, _mm256_sub_epi64(_mm256_set1_epi64x(64), s)),
                                          _mm256_sllv_epi64(m, _mm256_sub_epi64(s, _mm256_set1_epi64x(64))));
        const __m256i negative = _mm256_cmpgt_epi64(zero, bits);
        const __m256i nl = _mm256_sub_epi64(zero, l);
        const __m256i nh = _mm256_add_epi64(_mm256_sub_epi64(zero, h), _mm256_xor_si256(_mm256_cmpeq_epi64(l, zero), _mm256_set1_epi64x(-1)));
        const __m256i tl = _mm256_blendv_epi8(l, nl, negative), th = _mm256_blendv_epi8(h, nh, negative);
        const __m256i sum = _mm256_add_epi64(lo, tl);
        const __m256i carry = _mm256_cmpgt_epi64(_mm256_xor_si256(tl, flip), _mm256_xor_si256(sum, flip));
        hi = _mm256_sub_epi64(_mm256_add_epi64(hi, th), carry);
        lo = sum;
    }
    uint64_t ls[4], hs[4];
    _mm256_storeu_si256((__m256i *)ls, lo);
    _mm256_storeu_si256((__m256i *)hs, hi);
    unsigned __int128 total = sum_scalar(a, b, i, n, shift);
    for (int r = 0; r < 4; r++) total += ((unsigned __int128)hs[r] << 64) | ls[r];
    return total;
}
#endif

int tally_exact_dot(const double *a, const double *b, int64_t n, int *exponent, void *sum) {
    double ma = 0, mb = 0;
#if defined(__x86_64__)
    const int avx2 = tally_kernels_avx2();
    if (!(avx2 ? maxima_avx2(a, b, n, &ma, &mb) : maxima_scalar(a, b, n, &ma, &mb))) return 0;
#else
    if (!maxima_scalar(a, b, n, &ma, &mb)) return 0;
#endif
    if (ma == 0 || mb == 0) return 1;
    // |a_i| < 2^ea, |b_i| < 2^eb; the grid 2^-(fraction) of 2^(ea + eb), fraction = 126 - bits(n).
    const int ea = ilogb(ma) + 1, eb = ilogb(mb) + 1;
    const uint64_t count = n > 1 ? (uint64_t)n : 1;
    const int fraction = 126 - (64 - __builtin_clzll(count));
    const int shift = fraction - ea - eb;
#if defined(__x86_64__)
    unsigned __int128 total = avx2 ? sum_avx2(a, b, n, shift) : sum_scalar(a, b, 0, n, shift);
#else
    unsigned __int128 total = sum_scalar(a, b, 0, n, shift);
#endif
    memcpy(sum, &total, sizeof total);
    *exponent = ea + eb - fraction;
    return 2;
}
