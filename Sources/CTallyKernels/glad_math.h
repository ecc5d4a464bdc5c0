// GLAD's special functions (e^x and log1p), Tally's own, in two spellings that give the same bits:
// one double at a time (the baseline copy, the tails, the Swift E-step through glad_math.c) and
// four lanes at a time with AVX2. Each lane performs exactly the scalar operations, in the same
// order, with no fused multiply-add anywhere: a CPU without FMA (or AVX2), another libm, or
// another machine of a Spark cluster computes the same doubles. FP_CONTRACT is off below so the
// compiler cannot fuse a*b+c in one copy and not in the other. Comparisons use the AVX2 min/max
// semantics: max(a, b) = a > b ? a : b (b when either is NaN), min(a, b) = a < b ? a : b.
// Only GLAD includes this header (DS keeps exp_inline.h).
#ifndef TALLY_GLAD_MATH_H
#define TALLY_GLAD_MATH_H
#pragma STDC FP_CONTRACT OFF
#include <stdint.h>
#include <string.h>

#define GLAD_SHIFTER 6755399441055744.0  // 1.5 * 2^52: t = x log2(e) + shifter holds k in its low bits
#define GLAD_LOG2E 1.4426950408889634
#define GLAD_LN2_HI 6.93147180369123816490e-01  // 32 significant bits: k * LN2_HI is exact for |k| < 2^21
#define GLAD_LN2_LO 1.90821492927058770002e-10
#define GLAD_EXP_MAX 708.0                      // e^x is clamped to [e^-708, e^708]; 0 below -708
#define GLAD_SQRT2_M1 0.41421356237309503      // sqrt(2) - 1: log1p's two ranges

// e^r for |r| <= ln2/2: the degree-13 Taylor polynomial (degree 12 leaves 1.5 ulps at r = -ln2/2)
// as 1 + (r + r² P(r)), P(r) = 1/2! + r/3! + ... + r^11/13! in Estrin's order (pairs c + c' r,
// then pairs of pairs with r², then r⁴, r⁸: a short dependency chain); every product and sum
// rounded separately. Adding 1 last keeps the rounding error near half an ulp.
static const double glad_exp_taylor[12] = {0.5, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0, 1.0 / 5040.0,
                                           1.0 / 40320.0, 1.0 / 362880.0, 1.0 / 3628800.0, 1.0 / 39916800.0,
                                           1.0 / 479001600.0, 1.0 / 6227020800.0};

// fdlibm's Lp1..Lp7 (s_log1p.c): R(z) = z (Lp1 + z Lp2 + ... + z^6 Lp7), here in Estrin's order
// ((Lp1 + z Lp2) + z² (Lp3 + z Lp4)) + z⁴ ((Lp5 + z Lp6) + z² Lp7), each step rounded.
// The algorithm and constants are fdlibm's, which carries this notice:
//   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//   Developed at SunPro, a Sun Microsystems, Inc. business.
//   Permission to use, copy, modify, and distribute this software is freely granted, provided
//   that this notice is preserved.
static const double glad_log1p_lp[7] = {6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
                                        2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
                                        1.479819860511658591e-01};

// e^xc for xc in [-708, 708] or NaN: xc = k ln2 + r with the shifter (k from t's low bits), the
// polynomial, then 2^k from the bits of t.
static inline __attribute__((always_inline)) double glad_exp_core(double xc) {
    double t = xc * GLAD_LOG2E;
    t = t + GLAD_SHIFTER;
    const double kd = t - GLAD_SHIFTER;
    double r = xc - kd * GLAD_LN2_HI;
    r = r - kd * GLAD_LN2_LO;
    const double *c = glad_exp_taylor;
    double p[6];
    for (int i = 0; i < 6; i++) {
        const double h = c[2 * i + 1] * r;
        p[i] = c[2 * i] + h;
    }
    const double r2 = r * r;
    const double a0 = p[0] + p[1] * r2, a1 = p[2] + p[3] * r2, a2 = p[4] + p[5] * r2;
    const double r4 = r2 * r2;
    const double b0 = a0 + a1 * r4;
    const double r8 = r4 * r4;
    const double poly = b0 + a2 * r8;
    double q = r2 * poly;
    q = r + q;
    q = 1.0 + q;
    uint64_t bits;
    memcpy(&bits, &t, 8);
    bits = (bits + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, 8);
    return q * scale;
}

// e^x: 0 below -708 (and for -inf), e^708 above 708, NaN for NaN.
static inline __attribute__((always_inline)) double glad_exp(double x) {
    double xc = -GLAD_EXP_MAX > x ? -GLAD_EXP_MAX : x;  // max(-708, x): NaN stays
    xc = GLAD_EXP_MAX < xc ? GLAD_EXP_MAX : xc;          // min(708, xc)
    const double e = glad_exp_core(xc);
    return x < -GLAD_EXP_MAX ? 0.0 : e;
}

// e^x for x <= 0, 0 below -69 (where the sigmoid differs from 0 or 1 by < 1e-30); NaN for NaN.
static inline __attribute__((always_inline)) double glad_exp_nonpositive(double x) {
    const double xc = -70.0 > x ? -70.0 : x;
    const double e = glad_exp_core(xc);
    return x < -69.0 ? 0.0 : e;
}

// ln(1 + x) for x in [0, 1] (NaN for NaN), fdlibm's algorithm without its branches: below
// sqrt(2) - 1, f = x and k = 0; above, u = 1 + x, f = u/2 - 1 (exact), k = 1 and c the rounding
// error of 1 + x over u. Then s = f/(2 + f), R by Horner in s², and
// k ln2_hi - ((hfsq - (s (hfsq + R) + (k ln2_lo + c))) - f), which for k = 0, c = 0 is
// fdlibm's f - (hfsq - s (hfsq + R)) to the bit.
static inline __attribute__((always_inline)) double glad_log1p_unit(double x) {
    const int low = x < GLAD_SQRT2_M1;
    const double u = 1.0 + x;
    const double m = u * 0.5;
    const double f = low ? x : m - 1.0;
    const double craw = x - (u - 1.0);
    const double cu = craw / u;
    const double c = low ? 0.0 : cu;
    const double kd = low ? 0.0 : 1.0;
    const double hfsq = (f * 0.5) * f;
    const double s = f / (f + 2.0);
    const double z = s * s;
    const double *lp = glad_log1p_lp;
    const double z2 = z * z;
    const double e0 = lp[0] + lp[1] * z, e1 = lp[2] + lp[3] * z, e2 = lp[4] + lp[5] * z;
    const double g0 = e0 + e1 * z2, g1 = e2 + lp[6] * z2;
    const double z4 = z2 * z2;
    const double acc = g0 + g1 * z4;
    const double r = acc * z;
    const double sr = s * (hfsq + r);
    const double klo = kd * GLAD_LN2_LO;
    const double khi = kd * GLAD_LN2_HI;
    return khi - ((hfsq - (sr + (klo + c))) - f);
}

#if defined(__x86_64__)
#include <immintrin.h>
#define GLAD_AVX2 __attribute__((target("avx2"), always_inline)) static inline

// glad_exp_core, four lanes.
GLAD_AVX2 __m256d glad_exp_core_avx2(__m256d xc) {
    const __m256d shifter = _mm256_set1_pd(GLAD_SHIFTER);
    const __m256d t = _mm256_add_pd(_mm256_mul_pd(xc, _mm256_set1_pd(GLAD_LOG2E)), shifter);
    const __m256d kd = _mm256_sub_pd(t, shifter);
    __m256d r = _mm256_sub_pd(xc, _mm256_mul_pd(kd, _mm256_set1_pd(GLAD_LN2_HI)));
    r = _mm256_sub_pd(r, _mm256_mul_pd(kd, _mm256_set1_pd(GLAD_LN2_LO)));
    const double *c = glad_exp_taylor;
    __m256d p[6];
    for (int i = 0; i < 6; i++) p[i] = _mm256_add_pd(_mm256_set1_pd(c[2 * i]), _mm256_mul_pd(_mm256_set1_pd(c[2 * i + 1]), r));
    const __m256d r2 = _mm256_mul_pd(r, r);
    const __m256d a0 = _mm256_add_pd(p[0], _mm256_mul_pd(p[1], r2)), a1 = _mm256_add_pd(p[2], _mm256_mul_pd(p[3], r2)),
                  a2 = _mm256_add_pd(p[4], _mm256_mul_pd(p[5], r2));
    const __m256d r4 = _mm256_mul_pd(r2, r2);
    const __m256d b0 = _mm256_add_pd(a0, _mm256_mul_pd(a1, r4));
    const __m256d r8 = _mm256_mul_pd(r4, r4);
    const __m256d poly = _mm256_add_pd(b0, _mm256_mul_pd(a2, r8));
    __m256d q = _mm256_add_pd(r, _mm256_mul_pd(r2, poly));
    q = _mm256_add_pd(_mm256_set1_pd(1.0), q);
    const __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(q, _mm256_castsi256_pd(bits));
}

// glad_exp, four lanes (_mm256_max_pd(a, b) returns b when either is NaN: NaN stays NaN).
GLAD_AVX2 __m256d glad_exp_avx2(__m256d x) {
    const __m256d lo = _mm256_set1_pd(-GLAD_EXP_MAX);
    const __m256d xc = _mm256_min_pd(_mm256_set1_pd(GLAD_EXP_MAX), _mm256_max_pd(lo, x));
    return _mm256_andnot_pd(_mm256_cmp_pd(x, lo, _CMP_LT_OQ), glad_exp_core_avx2(xc));
}

// glad_exp_nonpositive, four lanes.
GLAD_AVX2 __m256d glad_exp_nonpositive_avx2(__m256d x) {
    const __m256d e = glad_exp_core_avx2(_mm256_max_pd(_mm256_set1_pd(-70.0), x));
    return _mm256_andnot_pd(_mm256_cmp_pd(x, _mm256_set1_pd(-69.0), _CMP_LT_OQ), e);
}

// glad_log1p_unit, four lanes.
GLAD_AVX2 __m256d glad_log1p_unit_avx2(__m256d x) {
    const __m256d one = _mm256_set1_pd(1.0), half = _mm256_set1_pd(0.5), zero = _mm256_setzero_pd();
    const __m256d low = _mm256_cmp_pd(x, _mm256_set1_pd(GLAD_SQRT2_M1), _CMP_LT_OQ);
    const __m256d u = _mm256_add_pd(one, x);
    const __m256d m = _mm256_mul_pd(u, half);
    const __m256d f = _mm256_blendv_pd(_mm256_sub_pd(m, one), x, low);
    const __m256d craw = _mm256_sub_pd(x, _mm256_sub_pd(u, one));
    const __m256d cu = _mm256_div_pd(craw, u);
    const __m256d c = _mm256_blendv_pd(cu, zero, low);
    const __m256d kd = _mm256_blendv_pd(one, zero, low);
    const __m256d hfsq = _mm256_mul_pd(_mm256_mul_pd(f, half), f);
    const __m256d s = _mm256_div_pd(f, _mm256_add_pd(f, _mm256_set1_pd(2.0)));
    const __m256d z = _mm256_mul_pd(s, s);
    const double *lp = glad_log1p_lp;
    const __m256d z2 = _mm256_mul_pd(z, z);
    const __m256d e0 = _mm256_add_pd(_mm256_set1_pd(lp[0]), _mm256_mul_pd(_mm256_set1_pd(lp[1]), z));
    const __m256d e1 = _mm256_add_pd(_mm256_set1_pd(lp[2]), _mm256_mul_pd(_mm256_set1_pd(lp[3]), z));
    const __m256d e2 = _mm256_add_pd(_mm256_set1_pd(lp[4]), _mm256_mul_pd(_mm256_set1_pd(lp[5]), z));
    const __m256d g0 = _mm256_add_pd(e0, _mm256_mul_pd(e1, z2)), g1 = _mm256_add_pd(e2, _mm256_mul_pd(_mm256_set1_pd(lp[6]), z2));
    const __m256d z4 = _mm256_mul_pd(z2, z2);
    const __m256d acc = _mm256_add_pd(g0, _mm256_mul_pd(g1, z4));
    const __m256d r = _mm256_mul_pd(acc, z);
    const __m256d sr = _mm256_mul_pd(s, _mm256_add_pd(hfsq, r));
    const __m256d klo = _mm256_mul_pd(kd, _mm256_set1_pd(GLAD_LN2_LO));
    const __m256d khi = _mm256_mul_pd(kd, _mm256_set1_pd(GLAD_LN2_HI));
    return _mm256_sub_pd(khi, _mm256_sub_pd(_mm256_sub_pd(hfsq, _mm256_add_pd(sr, _mm256_add_pd(klo, c))), f));
}
#endif

#endif
