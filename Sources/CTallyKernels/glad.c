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
#endif

static void values_baseline(const double *x, const double *py, double *d, double *q, double *f, int64_t n, double lnOthers) {
    values_scalar(x, py, d, q, f, 0, n, lnOthers);
}

int64_t tally_glad_scratch_doubles(int64_t capacity) { return 6 * capacity; }

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
#if defined(__x86_64__)
    const int avx2 = tally_kernels_avx2();
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
                pyb[n] = row[y];
                scratchWorkers[n] = (int32_t)w;
                n++;
            }
        }
#if defined(__x86_64__)
        if (avx2) values_avx2(xb, pyb, db, qb, fb, n, lnOthers); else values_baseline(xb, pyb, db, qb, fb, n, lnOthers);
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
