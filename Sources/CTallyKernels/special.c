// ψ (digamma) and ln Γ of many positive arguments at once, for the Dirichlet steps of the
// variational Bayesian models (IBCC, EBCC). The algorithm is DirichletFunctions.swift's: shift to
// x >= 10 by the recurrence (the reciprocals summed as one fraction), one log of the shifted x and
// one of the shift's product, then the asymptotic series. The AVX2+FMA variant does four lanes at a
// time with a vectorised log (below); the baseline is the same algorithm one value at a time with
// libm's log. Both agree with SciPy's digamma and gammaln to about 1e-15 absolute.
#include "CTallyKernels.h"
#include <math.h>
#include <string.h>

#define LN_SQRT_2PI 0.91893853320467274178

static inline __attribute__((always_inline)) void scalar_one(double x0, double *psi, double *lg) {
    double x = x0, numerator = 0.0, product = 1.0;
    while (x < 10.0) {
        numerator = numerator * x + product;
        product *= x;
        x += 1.0;
    }
    const double inv = 1.0 / x, inv2 = inv * inv, lx = log(x);
    const double psiTail = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132
        - inv2 * (691.0 / 32760 - inv2 * (1.0 / 12)))))));
    double p = lx - 0.5 * inv - psiTail;
    if (x0 < 10.0) p -= numerator / product;
    *psi = p;
    if (lg) {
        const double lgTail = inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 * (1.0 / 1188
            - inv2 * (691.0 / 360360 - inv2 * (1.0 / 156)))))));
        double g = (x - 0.5) * lx - x + LN_SQRT_2PI + lgTail;
        if (x0 < 10.0) g -= log(product);
        *lg = g;
    }
}

static void special_scalar(const double *x, double *psi, double *lg, int64_t n) {
    for (int64_t i = 0; i < n; i++) scalar_one(x[i], psi + i, lg ? lg + i : NULL);
}

#if defined(__x86_64__)
#include <immintrin.h>
#include "exp_inline.h"
#define TARGET_AVX2 __attribute__((target("avx2,fma")))

// ln x for positive normal x, four at a time: x = m 2^e with m in [sqrt(1/2), sqrt(2)), then
// ln m = 2 atanh(s), s = (m - 1)/(m + 1), |s| <= 0.1716, by its series to s^23 (the next term is
// below 1e-18 relative), and e ln 2 in two parts. Within a few ulps of libm's log.
TARGET_AVX2 static inline __attribute__((always_inline)) __m256d log_avx2(__m256d x) {
    const __m256i bits = _mm256_castpd_si256(x);
    const __m256i mantissa = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL)),
                                             _mm256_set1_epi64x(0x3FF0000000000000LL));
    __m256d m = _mm256_castsi256_pd(mantissa);                       // [1, 2)
    // The biased exponent as a double: its 11 bits put into the mantissa of 2^52, minus 2^52.
    const __m256i field = _mm256_srli_epi64(bits, 52);
    __m256d e = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(field, _mm256_set1_epi64x(0x4330000000000000LL))),
                              _mm256_set1_pd(4503599627370496.0 + 1023.0));
    const __m256d big = _mm256_cmp_pd(m, _mm256_set1_pd(1.4142135623730951), _CMP_GT_OQ);
    m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
    e = _mm256_add_pd(e, _mm256_and_pd(big, _mm256_set1_pd(1.0)));
    const __m256d one = _mm256_set1_pd(1.0);
    const __m256d s = _mm256_div_pd(_mm256_sub_pd(m, one), _mm256_add_pd(m, one));
    const __m256d s2 = _mm256_mul_pd(s, s);
    static const double series[11] = {2.0 / 23, 2.0 / 21, 2.0 / 19, 2.0 / 17, 2.0 / 15, 2.0 / 13, 2.0 / 11, 2.0 / 9, 2.0 / 7, 2.0 / 5, 2.0 / 3};
    const __m256d q = horner_avx2(s2, series, 11);
    // ln m = 2s + s·s²·q
    const __m256d lnm = _mm256_fmadd_pd(_mm256_mul_pd(s, s2), q, _mm256_add_pd(s, s));
    // e ln2, ln2 = hi + lo with hi exact in 32 bits (e·hi is exact).
    const __m256d hi = _mm256_mul_pd(e, _mm256_set1_pd(6.93147180369123816490e-01));
    return _mm256_add_pd(hi, _mm256_fmadd_pd(e, _mm256_set1_pd(1.90821492927058770002e-10), lnm));
}

// The series part for shifted x (all lanes >= 10), the shift's numerator/product and the mask of
// lanes that were shifted; writes 4 values of ψ and, when lgOut is not NULL, of ln Γ.
TARGET_AVX2 static inline __attribute__((always_inline)) void finish4(__m256d x, __m256d numerator, __m256d product,
                                                                      __m256d shifted, double *psiOut, double *lgOut) {
    const __m256d one = _mm256_set1_pd(1.0);
    const __m256d inv = _mm256_div_pd(one, x), inv2 = _mm256_mul_pd(inv, inv);
    const __m256d lx = log_avx2(x);
    // The tails' series in -1/x² (one FMA a step: t·(−inv2) + c is −(inv2·t) + c, the same bits).
    const __m256d minusInv2 = _mm256_sub_pd(_mm256_setzero_pd(), inv2);
    static const double psiSeries[7] = {1.0 / 12, 691.0 / 32760, 1.0 / 132, 1.0 / 240, 1.0 / 252, 1.0 / 120, 1.0 / 12};
    const __m256d t = horner_avx2(minusInv2, psiSeries, 7);
    const __m256d psiTail = _mm256_mul_pd(inv2, t);
    __m256d psi = _mm256_sub_pd(_mm256_fnmadd_pd(_mm256_set1_pd(0.5), inv, lx), psiTail);
    psi = _mm256_sub_pd(psi, _mm256_and_pd(shifted, _mm256_div_pd(numerator, product)));
    _mm256_storeu_pd(psiOut, psi);
    if (lgOut) {
        static const double lgSeries[7] = {1.0 / 156, 691.0 / 360360, 1.0 / 1188, 1.0 / 1680, 1.0 / 1260, 1.0 / 360, 1.0 / 12};
        const __m256d g = horner_avx2(minusInv2, lgSeries, 7);
        const __m256d lgTail = _mm256_mul_pd(inv, g);
        __m256d lg = _mm256_fmsub_pd(_mm256_sub_pd(x, _mm256_set1_pd(0.5)), lx, x);
        lg = _mm256_add_pd(lg, _mm256_add_pd(_mm256_set1_pd(LN_SQRT_2PI), lgTail));
        // ln(product) only where a shift happened (product is 1 elsewhere: ln 1 = 0 exactly).
        lg = _mm256_sub_pd(lg, _mm256_and_pd(shifted, log_avx2(product)));
        _mm256_storeu_pd(lgOut, lg);
    }
}

// Eight values: two vectors shifted side by side (the recurrence is a chain of dependent
// multiplies, so two chains keep the FMA units busy), then the series of each.
TARGET_AVX2 static inline __attribute__((always_inline)) void special8(__m256d xa, __m256d xb, double *psiOut, double *lgOut) {
    const __m256d ten = _mm256_set1_pd(10.0), one = _mm256_set1_pd(1.0);
    __m256d na = _mm256_setzero_pd(), nb = na, pa = one, pb = one;
    __m256d ba = _mm256_cmp_pd(xa, ten, _CMP_LT_OQ), bb = _mm256_cmp_pd(xb, ten, _CMP_LT_OQ);
    const __m256d sa = ba, sb = bb;
    while (_mm256_movemask_pd(_mm256_or_pd(ba, bb))) {
        // Where not below 10: multiply by 1 and add 0 (numerator·1 + 0, product·1, x + 0).
        const __m256d ma = _mm256_blendv_pd(one, xa, ba), mb = _mm256_blendv_pd(one, xb, bb);
        na = _mm256_fmadd_pd(na, ma, _mm256_and_pd(ba, pa));
        nb = _mm256_fmadd_pd(nb, mb, _mm256_and_pd(bb, pb));
        pa = _mm256_mul_pd(pa, ma);
        pb = _mm256_mul_pd(pb, mb);
        xa = _mm256_add_pd(xa, _mm256_and_pd(ba, one));
        xb = _mm256_add_pd(xb, _mm256_and_pd(bb, one));
        ba = _mm256_cmp_pd(xa, ten, _CMP_LT_OQ);
        bb = _mm256_cmp_pd(xb, ten, _CMP_LT_OQ);
    }
    finish4(xa, na, pa, sa, psiOut, lgOut);
    finish4(xb, nb, pb, sb, psiOut + 4, lgOut ? lgOut + 4 : NULL);
}

// Arguments at or below this (or not finite, or NaN) go through the scalar path: the vector log
// needs normal numbers, and a product of ten shifts of a tiny x could leave them.
#define VECTOR_MIN 1e-280
#define VECTOR_MAX 1e300

TARGET_AVX2 static void special_avx2(const double *x, double *psi, double *lg, int64_t n) {
    const __m256d lo = _mm256_set1_pd(VECTOR_MIN), hi = _mm256_set1_pd(VECTOR_MAX);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256d a = _mm256_loadu_pd(x + i), b = _mm256_loadu_pd(x + i + 4);
        const __m256d ok = _mm256_and_pd(_mm256_and_pd(_mm256_cmp_pd(a, lo, _CMP_GT_OQ), _mm256_cmp_pd(a, hi, _CMP_LT_OQ)),
                                         _mm256_and_pd(_mm256_cmp_pd(b, lo, _CMP_GT_OQ), _mm256_cmp_pd(b, hi, _CMP_LT_OQ)));
        if (_mm256_movemask_pd(ok) != 15) {
            special_scalar(x + i, psi + i, lg ? lg + i : NULL, 8);
            continue;
        }
        special8(a, b, psi + i, lg ? lg + i : NULL);
    }
    if (i < n) {
        double in[8] = {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}, p[8], g[8];
        const int64_t r = n - i;
        memcpy(in, x + i, (size_t)r * sizeof(double));
        int ok = 1;
        for (int64_t j = 0; j < r; j++) ok &= in[j] > VECTOR_MIN && in[j] < VECTOR_MAX;
        if (!ok) { special_scalar(x + i, psi + i, lg ? lg + i : NULL, r); return; }
        special8(_mm256_loadu_pd(in), _mm256_loadu_pd(in + 4), p, lg ? g : NULL);
        memcpy(psi + i, p, (size_t)r * sizeof(double));
        if (lg) memcpy(lg + i, g, (size_t)r * sizeof(double));
    }
}

#endif

void tally_digamma_loggamma_variant(const double *x, double *psi, double *lg, int64_t n, int variant) {
#if defined(__x86_64__)
    if (variant != TALLY_SPECIAL_BASELINE && tally_kernels_avx2()) { special_avx2(x, psi, lg, n); return; }
#endif
    special_scalar(x, psi, lg, n);
}

void tally_digamma_loggamma(const double *x, double *psi, double *lg, int64_t n) {
    tally_digamma_loggamma_variant(x, psi, lg, n, TALLY_SPECIAL_AUTO);
}
