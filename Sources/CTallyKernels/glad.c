// GLAD's objective-and-gradient pass in C: the answers of a block of tasks are gathered into
// small arrays, the per-answer transcendental work (e^{-|x|}, the sigmoid) is done four answers
// at a time with AVX2+FMA when the CPU has it, then the gradients are scattered. The Swift
// kernel (GLAD.swift) documents the algebra; this computes the same quantities.
#include "CTallyKernels.h"
#include <math.h>
#include <string.h>
#include "exp_inline.h"

#define SOFTPLUS_LIMIT 30.0

// Per answer: d = py - sigma(x); q = py*max(-x,0) + (1-py)*(max(x,0) + lnOthers) (to be
// subtracted); f = e^{-|x|} when |x| <= 30, else 0 (log1p(f) is subtracted).
static inline __attribute__((always_inline)) void values_scalar(const double *x, const double *py, double *d, double *q,
                                                                double *f, int64_t from, int64_t n, double lnOthers) {
    for (int64_t i = from; i < n; i++) {
        double xv = x[i], p = py[i];
        double ax = fabs(xv);
        double z = exp_nonpositive(-ax);  // 0 beyond |x| > 69: the sigmoid then differs from 1 or 0 by < 1e-30
        double onePlus = 1.0 + z;
        d[i] = p - (xv >= 0 ? 1.0 : z) / onePlus;
        double pos = xv > 0 ? xv : 0.0, neg = xv < 0 ? -xv : 0.0;
        q[i] = p * neg + (1.0 - p) * (pos + lnOthers);
        f[i] = ax <= SOFTPLUS_LIMIT ? z : 0.0;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void values_avx2(const double *x, const double *py, double *d, double *q, double *f, int64_t n, double lnOthers) {
    const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
    const __m256d signBit = _mm256_set1_pd(-0.0);
    const __m256d limit = _mm256_set1_pd(SOFTPLUS_LIMIT);
    const __m256d others = _mm256_set1_pd(lnOthers);
    // The last 1-3 answers go through the same vector code (padded), so that an answer's values
    // do not depend on its place in the block (the sums are order-free; so must the terms be).
    double xt[4] = {0, 0, 0, 0}, pt[4] = {0, 0, 0, 0}, dt[4], qt[4], ft[4];
    for (int64_t i = 0; i < n; i += 4) {
        const double *xs = x + i, *ps = py + i;
        double *ds = d + i, *qs = q + i, *fs = f + i;
        int64_t m = n - i;
        if (m < 4) {
            for (int64_t r = 0; r < m; r++) { xt[r] = x[i + r]; pt[r] = py[i + r]; }
            xs = xt; ps = pt; ds = dt; qs = qt; fs = ft;
        }
        __m256d xv = _mm256_loadu_pd(xs), p = _mm256_loadu_pd(ps);
        __m256d ax = _mm256_andnot_pd(signBit, xv);
        __m256d z = exp_nonpositive_avx2(_mm256_sub_pd(zero, ax));  // 0 beyond |x| > 69, as exp_nonpositive
        __m256d onePlus = _mm256_add_pd(one, z);
        __m256d num = _mm256_blendv_pd(z, one, _mm256_cmp_pd(xv, zero, _CMP_GE_OQ));
        _mm256_storeu_pd(ds, _mm256_sub_pd(p, _mm256_div_pd(num, onePlus)));
        __m256d pos = _mm256_max_pd(xv, zero), neg = _mm256_max_pd(_mm256_sub_pd(zero, xv), zero);
        _mm256_storeu_pd(qs, _mm256_fmadd_pd(p, neg, _mm256_mul_pd(_mm256_sub_pd(one, p), _mm256_add_pd(pos, others))));
        _mm256_storeu_pd(fs, _mm256_blendv_pd(zero, z, _mm256_cmp_pd(ax, limit, _CMP_LE_OQ)));
        if (m < 4)
            for (int64_t r = 0; r < m; r++) { d[i + r] = dt[r]; q[i + r] = qt[r]; f[i + r] = ft[r]; }
    }
}

// e^x in place for |x| <= 700 (clamped), four at a time: the task factors e^{beta}.
__attribute__((target("avx2,fma")))
static void exp_in_place_avx2(double *v, int64_t n) {
    const __m256d lo = _mm256_set1_pd(-700.0), hi = _mm256_set1_pd(700.0);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(v + i, exp_clamped_avx2(_mm256_min_pd(_mm256_max_pd(_mm256_loadu_pd(v + i), lo), hi)));
    if (i < n) {  // the tail through the same vector code: a task's factor does not depend on its place
        double t[4] = {0, 0, 0, 0};
        for (int64_t r = 0; i + r < n; r++) t[r] = v[i + r];
        _mm256_storeu_pd(t, exp_clamped_avx2(_mm256_min_pd(_mm256_max_pd(_mm256_loadu_pd(t), lo), hi)));
        for (int64_t r = 0; i + r < n; r++) v[i + r] = t[r];
    }
}

// glibc 2.36's log1p for 0 < x <= 1, four at a time, with the bits of its x86-64 FMA build (the
// variant glibc picks on a CPU with AVX2 and FMA; sysdeps/ieee754/dbl-64/s_log1p.c, its
// contractions as that build has them): |x| < 2^-54: x; < 2^-29: x - x²/2; below 0.41422:
// f = x, k = 0; else u = 1 + x normalised to [sqrt(1/2), sqrt(2)), f = u - 1, k = 1 with the
// correction c; then s = f/(2 + f) and the degree-14 polynomial in s² (Estrin's order). Lanes
// outside those cases (x not in (0, 1], |f| < 2^-20 after the normalisation) are set in *rare:
// the caller takes libm's log1p there. log1p_avx2_ok() checks the bits against libm once.
//
// The algorithm and its constants are fdlibm's s_log1p.c, which glibc's file keeps with this notice:
//   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//   Developed at SunPro, a Sun Microsystems, Inc. business.
//   Permission to use, copy, modify, and distribute this software is freely granted, provided
//   that this notice is preserved.
__attribute__((target("avx2,fma")))
static inline __attribute__((always_inline)) __m256d log1p_unit_avx2(__m256d x, int *rare) {
    const __m256d one = _mm256_set1_pd(1.0), half = _mm256_set1_pd(0.5);
    const __m256i bits = _mm256_castpd_si256(x);
    const __m256i hx = _mm256_srli_epi64(bits, 32);  // the high word (x > 0: no sign bit)
    const __m256i tiny = _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x3c900000), hx);
    const __m256i small = _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x3e200000), hx);
    const __m256i low = _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x3FDA827A), hx);
    // The upper range: u = 1 + x, k from u's exponent, c the rounding error of 1 + x over u.
    const __m256d u = _mm256_add_pd(x, one);
    const __m256i uBits = _mm256_castpd_si256(u);
    const __m256i hu0 = _mm256_srli_epi64(uBits, 32);
    __m256i k = _mm256_sub_epi64(_mm256_srli_epi64(hu0, 20), _mm256_set1_epi64x(1023));
    const __m256i kPositive = _mm256_cmpgt_epi64(k, _mm256_setzero_si256());
    __m256d c = _mm256_blendv_pd(_mm256_sub_pd(x, _mm256_sub_pd(u, one)), _mm256_sub_pd(one, _mm256_sub_pd(u, x)),
                                 _mm256_castsi256_pd(kPositive));
    c = _mm256_div_pd(c, u);
    __m256i hu = _mm256_and_si256(hu0, _mm256_set1_epi64x(0x000fffff));
    const __m256i halve = _mm256_cmpgt_epi64(hu, _mm256_set1_epi64x(0x6a09d));  // hu >= 0x6a09e
    k = _mm256_sub_epi64(k, halve);                                              // k + 1 there
    const __m256i top = _mm256_or_si256(hu, _mm256_blendv_epi8(_mm256_set1_epi64x(0x3ff00000), _mm256_set1_epi64x(0x3fe00000), halve));
    const __m256i un = _mm256_or_si256(_mm256_slli_epi64(top, 32), _mm256_and_si256(uBits, _mm256_set1_epi64x(0xffffffffLL)));
    hu = _mm256_blendv_epi8(hu, _mm256_srli_epi64(_mm256_sub_epi64(_mm256_set1_epi64x(0x00100000), hu), 2), halve);
    // f and k of each lane: the lower range takes x itself.
    const __m256d f = _mm256_blendv_pd(_mm256_sub_pd(_mm256_castsi256_pd(un), one), x, _mm256_castsi256_pd(low));
    const __m256d hfsq = _mm256_mul_pd(_mm256_mul_pd(f, half), f);
    const __m256d s = _mm256_div_pd(f, _mm256_add_pd(f, _mm256_set1_pd(2.0)));
    const __m256d z = _mm256_mul_pd(s, s);
    const __m256d r2 = _mm256_fmadd_pd(z, _mm256_set1_pd(2.857142874366239149e-01), _mm256_set1_pd(3.999999999940941908e-01));
    const __m256d r3 = _mm256_fmadd_pd(z, _mm256_set1_pd(1.818357216161805012e-01), _mm256_set1_pd(2.222219843214978396e-01));
    const __m256d r4 = _mm256_fmadd_pd(z, _mm256_set1_pd(1.479819860511658591e-01), _mm256_set1_pd(1.531383769920937332e-01));
    const __m256d z2 = _mm256_mul_pd(z, z), z4 = _mm256_mul_pd(z2, z2), z6 = _mm256_mul_pd(z4, z2);
    __m256d r = _mm256_fmadd_pd(z, _mm256_set1_pd(6.666666666666735130e-01), _mm256_mul_pd(z2, r2));
    r = _mm256_fmadd_pd(z4, r3, r);
    r = _mm256_fmadd_pd(z6, r4, r);
    const __m256d sr = _mm256_mul_pd(_mm256_add_pd(r, hfsq), s);
    // k = 0: f - (hfsq - s(hfsq + R)); k = 1: k ln2_hi - ((hfsq - ((k ln2_lo + c) + s(hfsq + R))) - f).
    const __m256d lowResult = _mm256_sub_pd(f, _mm256_sub_pd(hfsq, sr));
    const __m256d kd = _mm256_castsi256_pd(_mm256_and_si256(_mm256_castpd_si256(one), _mm256_cmpeq_epi64(k, _mm256_set1_epi64x(1))));
    const __m256d cc = _mm256_add_pd(_mm256_fmadd_pd(kd, _mm256_set1_pd(1.90821492927058770002e-10), c), sr);
    const __m256d highResult = _mm256_fmsub_pd(kd, _mm256_set1_pd(6.93147180369123816490e-01), _mm256_sub_pd(_mm256_sub_pd(hfsq, cc), f));
    __m256d result = _mm256_blendv_pd(highResult, lowResult, _mm256_castsi256_pd(low));
    result = _mm256_blendv_pd(result, _mm256_fnmadd_pd(_mm256_mul_pd(x, x), half, x), _mm256_castsi256_pd(small));
    result = _mm256_blendv_pd(result, x, _mm256_castsi256_pd(tiny));
    // Rare lanes: not in (0, 1] (NaN included), or the upper range with k != 1 or hu == 0.
    const __m256d inside = _mm256_and_pd(_mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GT_OQ), _mm256_cmp_pd(x, one, _CMP_LE_OQ));
    const __m256i upperOdd = _mm256_andnot_si256(low, _mm256_or_si256(_mm256_cmpeq_epi64(hu, _mm256_setzero_si256()),
                                                                      _mm256_xor_si256(_mm256_cmpeq_epi64(k, _mm256_set1_epi64x(1)), _mm256_set1_epi64x(-1))));
    *rare = _mm256_movemask_pd(_mm256_or_pd(_mm256_xor_pd(inside, _mm256_castsi256_pd(_mm256_set1_epi64x(-1))), _mm256_castsi256_pd(upperOdd)));
    return result;
}

// log1p_unit_avx2 of n values against libm's log1p (with the rare lanes taken from libm as the
// pass does): the number of values whose bits differ.
__attribute__((target("avx2,fma")))
static int64_t log1p_mismatches(const double *x, int64_t n) {
    int64_t bad = 0;
    for (int64_t i = 0; i + 4 <= n; i += 4) {
        double out[4];
        int rare = 0;
        _mm256_storeu_pd(out, log1p_unit_avx2(_mm256_loadu_pd(x + i), &rare));
        for (int r = 0; r < 4; r++) {
            double want = log1p(x[i + r]), got = (rare >> r) & 1 ? want : out[r];
            if (memcmp(&want, &got, sizeof want) != 0) bad++;
        }
    }
    return bad;
}

// The values checked once before the vector log1p is used: every boundary of its cases, 1, and
// e^{-t} for t on a grid of [0, 30] (the pass's arguments).
static int64_t log1p_check_values(double *v, int64_t capacity) {
    const uint64_t edges[] = {0x3c90000000000000ULL, 0x3e20000000000000ULL, 0x3FDA827A00000000ULL, 0x3FDA8279FFFFFFFFULL,
                              0x3FF0000000000000ULL, 0x3FEFFFFFFFFFFFFFULL, 0x3FEFFFF000000000ULL, 0x3c8fffffffffffffULL,
                              0x3e1fffffffffffffULL, 0x3FDA827A00000001ULL, 0x3FDA827B00000000ULL, 0x0010000000000000ULL};
    int64_t n = 0;
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) memcpy(&v[n++], &edges[i], sizeof(double));
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    while (n < capacity) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        v[n++] = exp(-30.0 * (double)(state >> 11) * 0x1p-53);
    }
    return n;
}

// 1 when log1p_unit_avx2 gives libm's bits on the check values (another libm may round
// differently: then the pass calls libm's log1p). Checked once; a race only repeats the check.
static int log1p_avx2_ok(void) {
    static int state = 0;  // 0 unknown, 1 yes, 2 no
    int s = __atomic_load_n(&state, __ATOMIC_RELAXED);
    if (s == 0) {
        double v[4096];
        int64_t n = log1p_check_values(v, 4096);
        s = log1p_mismatches(v, n & ~(int64_t)3) == 0 ? 1 : 2;
        __atomic_store_n(&state, s, __ATOMIC_RELAXED);
    }
    return s == 1;
}

int64_t tally_glad_log1p_mismatches(const double *x, int64_t n) {
    if (!tally_kernels_avx2()) return -1;
    return log1p_mismatches(x, n);
}

int tally_glad_log1p_vector(void) { return tally_kernels_avx2() && log1p_avx2_ok(); }

// fixed64 four at a time (the same integers): t already clamped to +-2^40 and not NaN, so the
// shift s = e - 1011 is at most 52; sllv/srlv give 0 for counts of 64 or more (and for the
// negative ones, as unsigned), which covers e = 0 (s = -1011) and tiny terms.
__attribute__((target("avx2,fma")))
static inline __attribute__((always_inline)) void fixed64x4(__m256d t, __m256i *lo, __m256i *hi) {
    const __m256i bits = _mm256_castpd_si256(t);
    const __m256i e = _mm256_and_si256(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(0x7ff));
    const __m256i m = _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL)), _mm256_set1_epi64x(0x0010000000000000LL));
    const __m256i s = _mm256_sub_epi64(e, _mm256_set1_epi64x(1011));
    const __m256i zero = _mm256_setzero_si256();
    const __m256i l = _mm256_or_si256(_mm256_sllv_epi64(m, s), _mm256_srlv_epi64(m, _mm256_sub_epi64(zero, s)));
    const __m256i h = _mm256_srlv_epi64(m, _mm256_sub_epi64(_mm256_set1_epi64x(64), s));
    // Negative terms: the two's complement of (h, l).
    const __m256i negative = _mm256_cmpgt_epi64(zero, bits);
    const __m256i nl = _mm256_sub_epi64(zero, l);
    const __m256i nh = _mm256_add_epi64(_mm256_sub_epi64(zero, h), _mm256_xor_si256(_mm256_cmpeq_epi64(l, zero), _mm256_set1_epi64x(-1)));
    *lo = _mm256_blendv_epi8(l, nl, negative);
    *hi = _mm256_blendv_epi8(h, nh, negative);
}

// A term vector clamped to +-2^40 (NaN lanes: the caller redoes the block) and onto the grid.
__attribute__((target("avx2,fma")))
static inline __attribute__((always_inline)) void grid4(__m256d t, __m256i *lo, __m256i *hi) {
    fixed64x4(_mm256_min_pd(_mm256_max_pd(t, _mm256_set1_pd(-0x1p40)), _mm256_set1_pd(0x1p40)), lo, hi);
}

// values_avx2 and the three terms of every answer of a block on the grid in one sweep: alpha's
// d e^{beta} and beta's d x as words for the caller's per-worker and per-task sums, the value's
// q + log1p(f) (f = 0: q) added into *value; the integers of the scalar pass's fixed64 of the same
// doubles. Returns nonzero when a term was NaN: then nothing is added and the caller redoes the
// block with the scalar sums, which count NaNs.
__attribute__((target("avx2,fma")))
static int block_avx2(const double *x, const double *eb, const double *py, int64_t n, double lnOthers, int vectorLog,
                      uint64_t *alo, uint64_t *ahi, uint64_t *blo, uint64_t *bhi, unsigned __int128 *value) {
    const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
    const __m256d signBit = _mm256_set1_pd(-0.0);
    const __m256d limit = _mm256_set1_pd(SOFTPLUS_LIMIT);
    const __m256d others = _mm256_set1_pd(lnOthers);
    const __m256i flip = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
    __m256i accLo = _mm256_setzero_si256(), accHi = _mm256_setzero_si256();
    int nan = 0;
    double xt[4] = {0, 0, 0, 0}, et[4] = {0, 0, 0, 0}, pt[4] = {0, 0, 0, 0};
    uint64_t wt[4][4];
    for (int64_t i = 0; i < n; i += 4) {
        const double *xs = x + i, *es = eb + i, *ps = py + i;
        uint64_t *o0 = alo + i, *o1 = ahi + i, *o2 = blo + i, *o3 = bhi + i;
        const int64_t m = n - i;
        __m256i lanes = _mm256_set1_epi64x(-1);
        if (m < 4) {  // the tail padded through the same lanes, the padding left out of the value
            for (int64_t r = 0; r < m; r++) { xt[r] = x[i + r]; et[r] = eb[i + r]; pt[r] = py[i + r]; }
            xs = xt; es = et; ps = pt;
            o0 = wt[0]; o1 = wt[1]; o2 = wt[2]; o3 = wt[3];
            lanes = _mm256_cmpgt_epi64(_mm256_set1_epi64x(m), _mm256_setr_epi64x(0, 1, 2, 3));
        }
        const __m256d xv = _mm256_loadu_pd(xs), p = _mm256_loadu_pd(ps);
        // values_avx2's d, q and f.
        const __m256d ax = _mm256_andnot_pd(signBit, xv);
        const __m256d z = exp_nonpositive_avx2(_mm256_sub_pd(zero, ax));
        const __m256d num = _mm256_blendv_pd(z, one, _mm256_cmp_pd(xv, zero, _CMP_GE_OQ));
        const __m256d d = _mm256_sub_pd(p, _mm256_div_pd(num, _mm256_add_pd(one, z)));
        const __m256d pos = _mm256_max_pd(xv, zero), neg = _mm256_max_pd(_mm256_sub_pd(zero, xv), zero);
        const __m256d q = _mm256_fmadd_pd(p, neg, _mm256_mul_pd(_mm256_sub_pd(one, p), _mm256_add_pd(pos, others)));
        const __m256d f = _mm256_blendv_pd(zero, z, _mm256_cmp_pd(ax, limit, _CMP_LE_OQ));
        // The terms.
        const __m256d ta = _mm256_mul_pd(d, _mm256_loadu_pd(es)), tb = _mm256_mul_pd(d, xv);
        const __m256d present = _mm256_cmp_pd(f, zero, _CMP_NEQ_UQ);
        __m256d l;
        if (vectorLog) {
            int rare = 0;
            l = log1p_unit_avx2(f, &rare);
            rare &= _mm256_movemask_pd(present);
            if (rare) {
                double lt[4], ft[4];
                _mm256_storeu_pd(lt, l);
                _mm256_storeu_pd(ft, f);
                for (int r = 0; r < 4; r++) if ((rare >> r) & 1) lt[r] = log1p(ft[r]);
                l = _mm256_loadu_pd(lt);
            }
        } else {
            double lt[4], ft[4];
            _mm256_storeu_pd(ft, f);
            for (int r = 0; r < 4; r++) lt[r] = ft[r] != 0 ? log1p(ft[r]) : 0.0;
            l = _mm256_loadu_pd(lt);
        }
        const __m256d tv = _mm256_add_pd(q, _mm256_and_pd(present, l));
        nan |= _mm256_movemask_pd(_mm256_or_pd(_mm256_cmp_pd(ta, tb, _CMP_UNORD_Q), _mm256_cmp_pd(tv, tv, _CMP_UNORD_Q)));
        __m256i l0, h0, l1, h1, l2, h2;
        grid4(ta, &l0, &h0);
        grid4(tb, &l1, &h1);
        grid4(tv, &l2, &h2);
        _mm256_storeu_si256((__m256i *)o0, l0);
        _mm256_storeu_si256((__m256i *)o1, h0);
        _mm256_storeu_si256((__m256i *)o2, l1);
        _mm256_storeu_si256((__m256i *)o3, h1);
        // The value: 128-bit lanes, the low words' carries into the high ones.
        l2 = _mm256_and_si256(l2, lanes);
        h2 = _mm256_and_si256(h2, lanes);
        const __m256i sum = _mm256_add_epi64(accLo, l2);
        const __m256i carry = _mm256_cmpgt_epi64(_mm256_xor_si256(l2, flip), _mm256_xor_si256(sum, flip));
        accHi = _mm256_sub_epi64(_mm256_add_epi64(accHi, h2), carry);
        accLo = sum;
        if (m < 4)
            for (int64_t r = 0; r < m; r++) { alo[i + r] = wt[0][r]; ahi[i + r] = wt[1][r]; blo[i + r] = wt[2][r]; bhi[i + r] = wt[3][r]; }
    }
    if (nan) return 1;
    uint64_t lo[4], hi[4];
    _mm256_storeu_si256((__m256i *)lo, accLo);
    _mm256_storeu_si256((__m256i *)hi, accHi);
    for (int r = 0; r < 4; r++) *value += ((unsigned __int128)hi[r] << 64) | lo[r];
    return 0;
}
#endif

static void values_baseline(const double *x, const double *py, double *d, double *q, double *f, int64_t n, double lnOthers) {
    values_scalar(x, py, d, q, f, 0, n, lnOthers);
}

// Scratch: x, py, d, q, f, e^{beta} per task, e^{beta} per answer, then (AVX2) the alpha and
// beta terms of each answer on the grid as two 64-bit words each.
int64_t tally_glad_scratch_doubles(int64_t capacity) { return 11 * capacity; }

// trunc(t * 2^64) of t clamped to +-2^40, by the bits of t (ExactSum.fixed in Swift: the same
// integers); a NaN counts in *nans and adds nothing.
static inline __attribute__((always_inline)) unsigned __int128 fixed64(double t, int64_t *nans) {
    if (t != t) { (*nans)++; return 0; }
    if (t > 0x1p40) t = 0x1p40; else if (t < -0x1p40) t = -0x1p40;
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff);
    if (e == 0) return 0;
    uint64_t m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
    int s = e - 1075 + 64;
    unsigned __int128 v = s >= 0 ? (unsigned __int128)m << s : (s > -64 ? (unsigned __int128)(m >> -s) : 0);
    return (bits >> 63) ? -v : v;  // unsigned: wrapping, two's complement
}

void tally_glad_objective_range(const int64_t *offsets, const int32_t *entries, int64_t begin, int64_t end,
                                int k, uint64_t divider, const double *alpha, const double *beta,
                                const double *post, void *alphaSums, double *betaGrad, double lnOthers,
                                double *scratch, int32_t *scratchWorkers, int64_t capacity, void *valueSum, int64_t *nans) {
    // Unsigned 128-bit integers: defined wrapping, the bits of Swift's Int128 (&+).
    unsigned __int128 *alphaAcc = (unsigned __int128 *)alphaSums;
    unsigned __int128 value = *(unsigned __int128 *)valueSum;
    double *xb = scratch, *pyb = scratch + capacity, *db = scratch + 2 * capacity;
    double *qb = scratch + 3 * capacity, *fb = scratch + 4 * capacity, *ebb = scratch + 5 * capacity;
    double *eba = scratch + 6 * capacity;
#if defined(__x86_64__)
    const int avx2 = tally_kernels_avx2();
    const int vectorLog = avx2 && log1p_avx2_ok();
    uint64_t *words = (uint64_t *)(scratch + 7 * capacity);
#endif
    int64_t t = begin;
    while (t < end) {
        // A block of whole tasks (at least one, which the caller made fit), their factors
        // e^{beta}, then their answers gathered.
        int64_t tStart = t, tEnd = t, count = 0;
        while (tEnd < end) {
            int64_t size = offsets[tEnd + 1] - offsets[tEnd];
            if (count > 0 && count + size > capacity) break;
            count += size;
            ebb[tEnd - tStart] = beta[tEnd];
            tEnd++;
        }
#if defined(__x86_64__)
        if (avx2) exp_in_place_avx2(ebb, tEnd - tStart); else for (int64_t j = 0; j < tEnd - tStart; j++) ebb[j] = exp(ebb[j]);
#else
        for (int64_t j = 0; j < tEnd - tStart; j++) ebb[j] = exp(ebb[j]);
#endif
        int64_t n = 0;
        for (; t < tEnd; t++) {
            int64_t a = offsets[t], b = offsets[t + 1];
            double eb = ebb[t - tStart];
            const double *row = post + t * k;
            for (int64_t i = a; i < b; i++) {
                uint64_t e = (uint64_t)(uint32_t)entries[i];
                uint64_t w = (uint64_t)(((unsigned __int128)e * divider) >> 64);
                int64_t y = (int64_t)e - (int64_t)w * k;
                xb[n] = alpha[w] * eb;
                eba[n] = eb;
                pyb[n] = row[y];
                scratchWorkers[n] = (int32_t)w;
                n++;
            }
        }
#if defined(__x86_64__)
        if (avx2) {
            // The terms on the grid four at a time, then the integers added per worker and per
            // task (a block with a NaN term: values_avx2 and the scalar sums below, which count them).
            uint64_t *alo = words, *ahi = words + capacity, *blo = words + 2 * capacity, *bhi = words + 3 * capacity;
            if (!block_avx2(xb, eba, pyb, n, lnOthers, vectorLog, alo, ahi, blo, bhi, &value)) {
                int64_t j = 0;
                for (int64_t tt = tStart; tt < t; tt++) {
                    unsigned __int128 gb = 0;
                    for (int64_t i = offsets[tt]; i < offsets[tt + 1]; i++, j++) {
                        alphaAcc[scratchWorkers[j]] += ((unsigned __int128)ahi[j] << 64) | alo[j];
                        gb += ((unsigned __int128)bhi[j] << 64) | blo[j];
                    }
                    betaGrad[tt] = (double)(__int128)gb * 0x1p-64;
                }
                continue;
            }
            values_avx2(xb, pyb, db, qb, fb, n, lnOthers);
        } else {
            values_baseline(xb, pyb, db, qb, fb, n, lnOthers);
        }
#else
        values_baseline(xb, pyb, db, qb, fb, n, lnOthers);
#endif
        // Every term on the fixed-point grid, added exactly: the sums do not depend on the order
        // of the answers or on how tasks are grouped (ExactSum in Swift).
        int64_t j = 0;
        for (int64_t tt = tStart; tt < t; tt++) {
            double eb = ebb[tt - tStart];
            unsigned __int128 gb = 0;
            int64_t taskNans = 0;
            for (int64_t i = offsets[tt]; i < offsets[tt + 1]; i++, j++) {
                alphaAcc[scratchWorkers[j]] += fixed64(db[j] * eb, nans);
                gb += fixed64(db[j] * xb[j], &taskNans);
                value += fixed64(qb[j] + (fb[j] != 0 ? log1p(fb[j]) : 0.0), nans);
            }
            betaGrad[tt] = taskNans ? NAN : (double)(__int128)gb * 0x1p-64;
        }
    }
    *(unsigned __int128 *)valueSum = value;
}
