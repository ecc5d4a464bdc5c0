// BWA's two per-iteration loops (BWA.swift) in C, so that one build carries a baseline and an
// AVX2 copy chosen at run time (function-level target attributes, as kernels.c), with one copy per
// K from 2 to 8 where the label loops have a compile-time length. Floating-point contraction is
// off: every sum and product is the one of the Swift loop, in the same order, so the results are
// the same bit for bit in both copies.
#include "CTallyKernels.h"
#include <math.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#define ALWAYS_INLINE __attribute__((always_inline))

// residual row += (z - [c answered])^2 for one answer; labels[lo..hi) are the labels it gave.
static inline ALWAYS_INLINE void add_residual(double *restrict row, const double *restrict zt, const int32_t *restrict labels,
                                              int64_t lo, int64_t hi, const int k) {
    if (hi - lo == 1) {
        const int l = labels[lo];
        for (int c = 0; c < k; c++) {
            const double d = c == l ? zt[c] - 1.0 : zt[c];
            row[c] += d * d;
        }
    } else {
        for (int c = 0; c < k; c++) {
            double d = zt[c];
            for (int64_t e = lo; e < hi; e++) if (labels[e] == c) { d -= 1.0; break; }
            row[c] += d * d;
        }
    }
}

static inline ALWAYS_INLINE int bwa_update_impl(
    const int64_t *restrict taskOffsets, int64_t tasks, const int32_t *restrict worker,
    const int64_t *restrict labelOffsets, const int32_t *restrict labels, const int k, const double *restrict v,
    const double *restrict mean, double lambda, const uint8_t *restrict active, const double *restrict z,
    double *restrict next, double *restrict residual, double *restrict sums, double atol, double rtol,
    uint8_t *restrict moved, int64_t workers) {
    double num[TALLY_KERNELS_MAX_K], den[TALLY_KERNELS_MAX_K];
    memset(residual, 0, (size_t)(workers * k) * sizeof(double));
    for (int c = 0; c < k; c++) { sums[c] = 0.0; moved[c] = 0; }
    for (int64_t t = 0; t < tasks; t++) {
        for (int c = 0; c < k; c++) { num[c] = 0.0; den[c] = 0.0; }
        const int64_t lo = taskOffsets[t], hi = taskOffsets[t + 1];
        for (int64_t p = lo; p < hi; p++) {
            const double *restrict row = v + (int64_t)worker[p] * k;
            if (labelOffsets) {
                for (int c = 0; c < k; c++) den[c] += row[c];
                for (int64_t e = labelOffsets[p]; e < labelOffsets[p + 1]; e++) num[labels[e]] += row[labels[e]];
            } else {
                // num[l] += row[l] as a select over all labels (adding +0 elsewhere, which leaves
                // the sums as they are): the sums stay in registers instead of a store and reload
                // per answer.
                const int l = labels[p];
                for (int c = 0; c < k; c++) {
                    den[c] += row[c];
                    num[c] += c == l ? row[c] : 0.0;
                }
            }
        }
        double *restrict zt = next + t * k;
        const double *restrict old = z + t * k;
        for (int c = 0; c < k; c++) {
            double value = old[c];
            if (active[c]) {
                value = (lambda * mean[c] + num[c]) / (lambda + den[c]);
                if (!(fabs(old[c] - value) <= atol + rtol * fabs(value))) moved[c] = 1;
            }
            zt[c] = value;
            sums[c] += value;
        }
        for (int64_t p = lo; p < hi; p++) {
            double *restrict row = residual + (int64_t)worker[p] * k;
            if (labelOffsets) add_residual(row, zt, labels, labelOffsets[p], labelOffsets[p + 1], k);
            else add_residual(row, zt, labels, p, p + 1, k);
        }
    }
    return 0;
}

static inline ALWAYS_INLINE void bwa_residuals_impl(const int64_t *restrict taskOffsets, int64_t tasks,
                                                    const int32_t *restrict worker, const int64_t *restrict labelOffsets,
                                                    const int32_t *restrict labels, const int k, const double *restrict z,
                                                    double *restrict residual, int64_t workers) {
    memset(residual, 0, (size_t)(workers * k) * sizeof(double));
    for (int64_t t = 0; t < tasks; t++)
        for (int64_t p = taskOffsets[t]; p < taskOffsets[t + 1]; p++) {
            double *restrict row = residual + (int64_t)worker[p] * k;
            if (labelOffsets) add_residual(row, z + t * k, labels, labelOffsets[p], labelOffsets[p + 1], k);
            else add_residual(row, z + t * k, labels, p, p + 1, k);
        }
}

static inline ALWAYS_INLINE void bwa_precisions_impl(int64_t workers, const int k, double a, const double *restrict tasksOfWorker,
                                                     const double *restrict rate, const double *restrict residual,
                                                     const uint8_t *restrict active, double *restrict precision) {
    for (int64_t j = 0; j < workers; j++) {
        const double shape = a + tasksOfWorker[j];
        for (int c = 0; c < k; c++)
            if (active[c]) precision[j * k + c] = shape / (rate[c] + residual[j * k + c]);
    }
}

#define UPDATE_ARGS const int64_t *taskOffsets, int64_t tasks, const int32_t *worker, const int64_t *labelOffsets, \
    const int32_t *labels, int k, const double *v, const double *mean, double lambda, const uint8_t *active, \
    const double *z, double *next, double *residual, double *sums, double atol, double rtol, uint8_t *moved, int64_t workers
#define UPDATE_CALL(K) taskOffsets, tasks, worker, labelOffsets, labels, K, v, mean, lambda, active, z, next, residual, \
    sums, atol, rtol, moved, workers
#define PRECISION_ARGS int64_t workers, int k, double a, const double *tasksOfWorker, const double *rate, \
    const double *residual, const uint8_t *active, double *precision
#define PRECISION_CALL(K) workers, K, a, tasksOfWorker, rate, residual, active, precision

#define RESIDUAL_ARGS const int64_t *taskOffsets, int64_t tasks, const int32_t *worker, const int64_t *labelOffsets, \
    const int32_t *labels, int k, const double *z, double *residual, int64_t workers
#define RESIDUAL_CALL(K) taskOffsets, tasks, worker, labelOffsets, labels, K, z, residual, workers
#define CASE_RESIDUAL(K) case K: bwa_residuals_impl(RESIDUAL_CALL(K)); return;
#define CASE_UPDATE(K) case K: bwa_update_impl(UPDATE_CALL(K)); return;
#define CASE_PRECISION(K) case K: bwa_precisions_impl(PRECISION_CALL(K)); return;
#define SMALL_K(F) F(2) F(3) F(4) F(5) F(6) F(7) F(8)

static void update_baseline(UPDATE_ARGS) {
    switch (k) { SMALL_K(CASE_UPDATE) default: bwa_update_impl(UPDATE_CALL(k)); }
}
static void residuals_baseline(RESIDUAL_ARGS) {
    switch (k) { SMALL_K(CASE_RESIDUAL) default: bwa_residuals_impl(RESIDUAL_CALL(k)); }
}
static void precisions_baseline(PRECISION_ARGS) {
    switch (k) { SMALL_K(CASE_PRECISION) default: bwa_precisions_impl(PRECISION_CALL(k)); }
}

#if defined(__x86_64__)
#define TARGET_AVX2 __attribute__((target("avx2")))
TARGET_AVX2 static void update_avx2(UPDATE_ARGS) {
    switch (k) { SMALL_K(CASE_UPDATE) default: bwa_update_impl(UPDATE_CALL(k)); }
}
TARGET_AVX2 static void residuals_avx2(RESIDUAL_ARGS) {
    switch (k) { SMALL_K(CASE_RESIDUAL) default: bwa_residuals_impl(RESIDUAL_CALL(k)); }
}
TARGET_AVX2 static void precisions_avx2(PRECISION_ARGS) {
    switch (k) { SMALL_K(CASE_PRECISION) default: bwa_precisions_impl(PRECISION_CALL(k)); }
}
#endif

void tally_bwa_update(UPDATE_ARGS) {
#if defined(__x86_64__)
    if (tally_kernels_avx2()) { update_avx2(UPDATE_CALL(k)); return; }
#endif
    update_baseline(UPDATE_CALL(k));
}

void tally_bwa_precisions(PRECISION_ARGS) {
#if defined(__x86_64__)
    if (tally_kernels_avx2()) { precisions_avx2(PRECISION_CALL(k)); return; }
#endif
    precisions_baseline(PRECISION_CALL(k));
}

void tally_bwa_residuals(RESIDUAL_ARGS) {
#if defined(__x86_64__)
    if (tally_kernels_avx2()) { residuals_avx2(RESIDUAL_CALL(k)); return; }
#endif
    residuals_baseline(RESIDUAL_CALL(k));
}
