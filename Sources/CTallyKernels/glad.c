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
// subtracted); f = 1 + e^{-|x|} when |x| <= 30, else 1 (its log is subtracted).
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
        f[i] = ax <= SOFTPLUS_LIMIT ? onePlus : 1.0;
    }
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static void values_avx2(const double *x, const double *py, double *d, double *q, double *f, int64_t n, double lnOthers) {
    const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0);
    const __m256d signBit = _mm256_set1_pd(-0.0);
    const __m256d limit = _mm256_set1_pd(SOFTPLUS_LIMIT);
    const __m256d others = _mm256_set1_pd(lnOthers);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d xv = _mm256_loadu_pd(x + i), p = _mm256_loadu_pd(py + i);
        __m256d ax = _mm256_andnot_pd(signBit, xv);
        __m256d z = exp_nonpositive_avx2(_mm256_sub_pd(zero, ax));  // 0 beyond |x| > 69, as exp_nonpositive
        __m256d onePlus = _mm256_add_pd(one, z);
        __m256d num = _mm256_blendv_pd(z, one, _mm256_cmp_pd(xv, zero, _CMP_GE_OQ));
        _mm256_storeu_pd(d + i, _mm256_sub_pd(p, _mm256_div_pd(num, onePlus)));
        __m256d pos = _mm256_max_pd(xv, zero), neg = _mm256_max_pd(_mm256_sub_pd(zero, xv), zero);
        _mm256_storeu_pd(q + i, _mm256_fmadd_pd(p, neg, _mm256_mul_pd(_mm256_sub_pd(one, p), _mm256_add_pd(pos, others))));
        _mm256_storeu_pd(f + i, _mm256_blendv_pd(one, onePlus, _mm256_cmp_pd(ax, limit, _CMP_LE_OQ)));
    }
    values_scalar(x, py, d, q, f, i, n, lnOthers);
}

// e^x in place for |x| <= 700 (clamped), four at a time: the task factors e^{beta}.
__attribute__((target("avx2,fma")))
static void exp_in_place_avx2(double *v, int64_t n) {
    const __m256d lo = _mm256_set1_pd(-700.0), hi = _mm256_set1_pd(700.0);
    int64_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(v + i, exp_clamped_avx2(_mm256_min_pd(_mm256_max_pd(_mm256_loadu_pd(v + i), lo), hi)));
    for (; i < n; i++) v[i] = exp(v[i]);
}
#endif

static void values_baseline(const double *x, const double *py, double *d, double *q, double *f, int64_t n, double lnOthers) {
    values_scalar(x, py, d, q, f, 0, n, lnOthers);
}

int64_t tally_glad_scratch_doubles(int64_t capacity) { return 6 * capacity; }

double tally_glad_objective_range(const int64_t *offsets, const int32_t *entries, int64_t begin, int64_t end,
                                  int k, uint64_t divider, const double *alpha, const double *beta,
                                  const double *post, double *alphaGrad, double *betaGrad, double lnOthers,
                                  double *scratch, int32_t *scratchWorkers, int64_t capacity) {
    double *xb = scratch, *pyb = scratch + capacity, *db = scratch + 2 * capacity;
    double *qb = scratch + 3 * capacity, *fb = scratch + 4 * capacity, *ebb = scratch + 5 * capacity;
#if defined(__x86_64__)
    const int avx2 = tally_kernels_avx2();
#endif
    double qTotal = 0, logTotal = 0;
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
        // Scatter the gradients.
        int64_t j = 0;
        for (int64_t tt = tStart; tt < t; tt++) {
            double eb = ebb[tt - tStart], gb = 0;
            for (int64_t i = offsets[tt]; i < offsets[tt + 1]; i++, j++) {
                alphaGrad[scratchWorkers[j]] += db[j] * eb;
                gb += db[j] * xb[j];
            }
            betaGrad[tt] = gb;
        }
        // Sums: four running products of factors in (1, 2], logged every 1024 answers.
        for (int64_t s = 0; s < n; s += 1024) {
            int64_t e = s + 1024 < n ? s + 1024 : n;
            double p0 = 1, p1 = 1, p2 = 1, p3 = 1, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
            int64_t i = s;
            for (; i + 4 <= e; i += 4) {
                p0 *= fb[i]; p1 *= fb[i + 1]; p2 *= fb[i + 2]; p3 *= fb[i + 3];
                q0 += qb[i]; q1 += qb[i + 1]; q2 += qb[i + 2]; q3 += qb[i + 3];
            }
            for (; i < e; i++) { p0 *= fb[i]; q0 += qb[i]; }
            logTotal += log(p0 * p1) + log(p2 * p3);
            qTotal += (q0 + q1) + (q2 + q3);
        }
    }
    return -(qTotal + logTotal);
}
