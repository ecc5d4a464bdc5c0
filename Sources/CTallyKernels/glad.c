// GLAD's objective-and-gradient pass in C: the answers of a block of tasks are gathered into
// small arrays, the per-answer transcendental work (e^{-|x|}, the sigmoid, log1p) is done four
// answers at a time with AVX2 when the CPU has it, then the gradients are scattered. The Swift
// kernel (GLAD.swift) documents the algebra; this computes the same quantities.
//
// Same bits on every CPU: the AVX2 copy and the baseline copy perform the same operations on
// every answer (glad_math.h's e^x and log1p, Tally's own, no libm; no fused multiply-add in
// either copy: FP_CONTRACT is off and the AVX2 functions are compiled without "fma"), so a
// machine without AVX2, or with another libm, computes the same integers and the same fit.
#pragma STDC FP_CONTRACT OFF
#include "CTallyKernels.h"
#include <math.h>
#include <string.h>
#include "glad_math.h"

#define SOFTPLUS_LIMIT 30.0

// Per answer: d = py - sigma(x); q = py*max(-x,0) + (1-py)*(max(x,0) + lnOthers) (to be
// subtracted); f = e^{-|x|} when |x| <= 30, else 0 (log1p(f) is subtracted). Each operation as
// values_avx2's lanes do it (max(a, b) = a > b ? a : b).
static inline __attribute__((always_inline)) void values_scalar(const double *x, const double *py, double *d, double *q,
                                                                double *f, int64_t from, int64_t n, double lnOthers) {
    for (int64_t i = from; i < n; i++) {
        const double xv = x[i], p = py[i];
        const double ax = fabs(xv);
        const double z = glad_exp_nonpositive(0.0 - ax);  // 0 beyond |x| > 69: the sigmoid then differs from 1 or 0 by < 1e-30
        const double onePlus = 1.0 + z;
        const double num = xv >= 0.0 ? 1.0 : z;
        d[i] = p - num / onePlus;
        const double minus = 0.0 - xv;
        const double pos = xv > 0.0 ? xv : 0.0, neg = minus > 0.0 ? minus : 0.0;
        const double a = p * neg, b = (1.0 - p) * (pos + lnOthers);
        q[i] = a + b;
        f[i] = ax <= SOFTPLUS_LIMIT ? z : 0.0;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
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
        __m256d z = glad_exp_nonpositive_avx2(_mm256_sub_pd(zero, ax));  // 0 beyond |x| > 69
        __m256d onePlus = _mm256_add_pd(one, z);
        __m256d num = _mm256_blendv_pd(z, one, _mm256_cmp_pd(xv, zero, _CMP_GE_OQ));
        _mm256_storeu_pd(ds, _mm256_sub_pd(p, _mm256_div_pd(num, onePlus)));
        __m256d pos = _mm256_max_pd(xv, zero), neg = _mm256_max_pd(_mm256_sub_pd(zero, xv), zero);
        _mm256_storeu_pd(qs, _mm256_add_pd(_mm256_mul_pd(p, neg), _mm256_mul_pd(_mm256_sub_pd(one, p), _mm256_add_pd(pos, others))));
        _mm256_storeu_pd(fs, _mm256_blendv_pd(zero, z, _mm256_cmp_pd(ax, limit, _CMP_LE_OQ)));
        if (m < 4)
            for (int64_t r = 0; r < m; r++) { d[i + r] = dt[r]; q[i + r] = qt[r]; f[i + r] = ft[r]; }
    }
}

// e^x in place (glad_exp: clamped to [-708, 708], 0 below), four at a time: the task factors
// e^{beta}.
__attribute__((target("avx2")))
static void exp_in_place_avx2(double *v, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(v + i, glad_exp_avx2(_mm256_loadu_pd(v + i)));
    // The tail one at a time: glad_exp gives each lane's bits.
    for (; i < n; i++) v[i] = glad_exp(v[i]);
}

// fixed64 four at a time (the same integers): t already clamped to +-2^40 and not NaN, so the
// shift s = e - 1011 is at most 52; sllv/srlv give 0 for counts of 64 or more (and for the
// negative ones, as unsigned), which covers e = 0 (s = -1011) and tiny terms.
__attribute__((target("avx2")))
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
__attribute__((target("avx2")))
static inline __attribute__((always_inline)) void grid4(__m256d t, __m256i *lo, __m256i *hi) {
    fixed64x4(_mm256_min_pd(_mm256_max_pd(t, _mm256_set1_pd(-0x1p40)), _mm256_set1_pd(0x1p40)), lo, hi);
}

// values_avx2 and the three terms of every answer of a block on the grid in one sweep: alpha's
// d e^{beta} and beta's d x as words for the caller's per-worker and per-task sums, the value's
// q + log1p(f) (f = 0: q) added into *value; the integers of the scalar pass's fixed64 of the same
// doubles. Returns nonzero when a term was NaN: then nothing is added and the caller redoes the
// block with the scalar sums, which count NaNs.
__attribute__((target("avx2")))
static int block_avx2(const double *x, const double *eb, const double *py, int64_t n, double lnOthers,
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
        const __m256d z = glad_exp_nonpositive_avx2(_mm256_sub_pd(zero, ax));
        const __m256d num = _mm256_blendv_pd(z, one, _mm256_cmp_pd(xv, zero, _CMP_GE_OQ));
        const __m256d d = _mm256_sub_pd(p, _mm256_div_pd(num, _mm256_add_pd(one, z)));
        const __m256d pos = _mm256_max_pd(xv, zero), neg = _mm256_max_pd(_mm256_sub_pd(zero, xv), zero);
        const __m256d q = _mm256_add_pd(_mm256_mul_pd(p, neg), _mm256_mul_pd(_mm256_sub_pd(one, p), _mm256_add_pd(pos, others)));
        const __m256d f = _mm256_blendv_pd(zero, z, _mm256_cmp_pd(ax, limit, _CMP_LE_OQ));
        // The terms.
        const __m256d ta = _mm256_mul_pd(d, _mm256_loadu_pd(es)), tb = _mm256_mul_pd(d, xv);
        const __m256d present = _mm256_cmp_pd(f, zero, _CMP_NEQ_UQ);
        const __m256d l = glad_log1p_unit_avx2(f);
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
        if (avx2) exp_in_place_avx2(ebb, tEnd - tStart); else for (int64_t j = 0; j < tEnd - tStart; j++) ebb[j] = glad_exp(ebb[j]);
#else
        for (int64_t j = 0; j < tEnd - tStart; j++) ebb[j] = glad_exp(ebb[j]);
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
            if (!block_avx2(xb, eba, pyb, n, lnOthers, alo, ahi, blo, bhi, &value)) {
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
                value += fixed64(qb[j] + (fb[j] != 0 ? glad_log1p_unit(fb[j]) : 0.0), nans);
            }
            betaGrad[tt] = taskNans ? NAN : (double)(__int128)gb * 0x1p-64;
        }
    }
    *(unsigned __int128 *)valueSum = value;
}
