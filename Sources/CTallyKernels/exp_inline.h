// Shared inline helpers of the C kernels (not part of the public header).
#ifndef TALLY_EXP_INLINE_H
#define TALLY_EXP_INLINE_H
#include <stdint.h>
#include <string.h>

// e^x for x <= 0; 0 below -69. Range reduction with the 1.5*2^52 shifter, whose low mantissa
// bits then hold k, so 2^k is built with integer adds and shifts (no libm call, no float-to-int
// conversion). With FMA the AVX2 variant may differ from the baseline in the last bits.
static inline __attribute__((always_inline)) double exp_nonpositive(double x) {
    const double shifter = 6755399441055744.0;
    double xc = x < -70.0 ? -70.0 : x;
    double t = xc * 1.4426950408889634 + shifter;
    double kd = t - shifter;
    double r = (xc - kd * 0.6931471803691238) - kd * 1.9082149292705877e-10;
    double q = 1.0 / 479001600.0;
    q = q * r + 1.0 / 39916800.0;
    q = q * r + 1.0 / 3628800.0;
    q = q * r + 1.0 / 362880.0;
    q = q * r + 1.0 / 40320.0;
    q = q * r + 1.0 / 5040.0;
    q = q * r + 1.0 / 720.0;
    q = q * r + 1.0 / 120.0;
    q = q * r + 1.0 / 24.0;
    q = q * r + 1.0 / 6.0;
    q = q * r + 0.5;
    q = q * r + 1.0;
    q = q * r + 1.0;
    uint64_t bits;
    memcpy(&bits, &t, 8);
    bits = (bits + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, 8);
    double result = q * scale;
    return x < -69.0 ? 0.0 : result;
}

#if defined(__x86_64__)
#include <immintrin.h>

// c[0] x^(n-1) + c[1] x^(n-2) + ... + c[n-1] by Horner's rule, one FMA a step (acc = acc x + c[i]),
// four at a time (the loop unrolls over constant coefficients).
__attribute__((target("avx2,fma")))
static inline __attribute__((always_inline)) __m256d horner_avx2(__m256d x, const double *c, int n) {
    __m256d acc = _mm256_set1_pd(c[0]);
    for (int i = 1; i < n; i++) acc = _mm256_fmadd_pd(acc, x, _mm256_set1_pd(c[i]));
    return acc;
}

// e^r for |r| <= ln2/2, degree-12 Taylor polynomial (as exp_nonpositive), four at a time.
__attribute__((target("avx2,fma")))
static inline __attribute__((always_inline)) __m256d exp_reduced_avx2(__m256d r) {
    static const double taylor[13] = {1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
                                      1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0};
    return horner_avx2(r, taylor, 13);
}

// e^x four at a time for x already clamped to [-708, 708]: the reduction x = k ln2 + r with the
// 1.5*2^52 shifter, the polynomial, and 2^k from the exponent bits.
__attribute__((target("avx2,fma")))
static inline __attribute__((always_inline)) __m256d exp_clamped_avx2(__m256d xc) {
    const __m256d shifter = _mm256_set1_pd(6755399441055744.0);
    const __m256d t = _mm256_fmadd_pd(xc, _mm256_set1_pd(1.4426950408889634), shifter);
    const __m256d kd = _mm256_sub_pd(t, shifter);
    __m256d r = _mm256_fnmadd_pd(kd, _mm256_set1_pd(0.6931471803691238), xc);
    r = _mm256_fnmadd_pd(kd, _mm256_set1_pd(1.9082149292705877e-10), r);
    const __m256d c = exp_reduced_avx2(r);
    const __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(c, _mm256_castsi256_pd(bits));
}

// exp_nonpositive four at a time: the same reduction and polynomial, 0 below -69 (and for -inf).
__attribute__((target("avx2,fma")))
static inline __attribute__((always_inline)) __m256d exp_nonpositive_avx2(__m256d x) {
    const __m256d z = exp_clamped_avx2(_mm256_max_pd(x, _mm256_set1_pd(-70.0)));
    return _mm256_andnot_pd(_mm256_cmp_pd(x, _mm256_set1_pd(-69.0), _CMP_LT_OQ), z);
}
#endif

#endif
