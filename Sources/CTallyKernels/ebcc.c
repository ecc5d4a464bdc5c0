// EBCC's task pass (EBCCEngine.taskPass in EBCC+Variational.swift) in C, so that one build carries
// a baseline and an AVX2+FMA copy chosen at run time (function-level target attributes, as
// kernels.c): the same loop, written once as an inline function and instantiated twice; in the
// AVX2 copy the compiler vectorises the per-answer gathers and scatters over the scored pairs and
// the exponentials four at a time. Sums are made of the same terms in the same order as the Swift
// loop; with FMA the AVX2 copy can differ from it in the last bits.
#include "CTallyKernels.h"
#include <math.h>
#include "exp_inline.h"

#define ALWAYS_INLINE __attribute__((always_inline))

static inline ALWAYS_INLINE double ebcc_pass_impl(
    const int64_t *restrict offsets, const int32_t *restrict entries, int64_t tasks, int k, int m,
    const double *restrict prefix, const double *restrict logV, const int32_t *restrict order,
    const int32_t *restrict column, int always, double *restrict zg, double *restrict z, double *restrict s,
    double *restrict q, double *restrict counts, double *restrict nextGroups, double *restrict nextClasses,
    double atol, double rtol, int *moved) {
    const int km = k * m;
    double entropy = 0.0;
    int anyMoved = 0;
    for (int64_t t = 0; t < tasks; t++) {
        const int64_t lo = offsets[t], hi = offsets[t + 1];
        // s[a]: the score of pair order[a] (column a of the ordered rows), for the pairs scored.
        for (int a = 0; a < always; a++) s[a] = prefix[a];
        if (column) {
            for (int64_t e = lo; e < hi; e++) {
                const double *restrict row = logV + (int64_t)entries[e] * km;
                for (int a = 0; a < always; a++) s[a] += row[column[a]];
            }
        } else {
            for (int64_t e = lo; e < hi; e++) {
                const double *restrict row = logV + (int64_t)entries[e] * km;
                for (int a = 0; a < always; a++) s[a] += row[a];
            }
        }
        double top = s[0];
        for (int a = 1; a < always; a++) if (s[a] > top) top = s[a];
        int scored = always;
        while (scored < km && prefix[scored] - top >= -69.0) {
            double v = prefix[scored];
            const int x = column ? column[scored] : scored;
            for (int64_t e = lo; e < hi; e++) v += logV[(int64_t)entries[e] * km + x];
            s[scored] = v;
            if (v > top) top = v;
            scored++;
        }
        double total = 0.0;
        for (int a = 0; a < scored; a++) q[a] = exp_nonpositive(s[a] - top);
        for (int a = 0; a < scored; a++) total += q[a];
        const double logSum = top + log(total);
        // H(q(z_t, g_t)) = -sum p ln p with ln p = s - logSum.
        double expected = 0.0;
        double *restrict p = zg + t * km;
        for (int x = 0; x < km; x++) p[x] = 0.0;
        for (int a = 0; a < scored; a++) {
            q[a] /= total;
            expected += q[a] * s[a];
            p[order[a]] = q[a];
            nextGroups[order[a]] += q[a];
        }
        entropy += logSum - expected;
        double *restrict zt = z + t * k;
        for (int c = 0; c < k; c++) {
            double v = 0.0;
            for (int g = 0; g < m; g++) v += p[c * m + g];
            if (!(fabs(zt[c] - v) <= atol + rtol * fabs(v))) anyMoved = 1;
            zt[c] = v;
            nextClasses[c] += v;
        }
        if (column) {
            for (int64_t e = lo; e < hi; e++) {
                double *restrict row = counts + (int64_t)entries[e] * km;
                for (int a = 0; a < scored; a++) row[column[a]] += q[a];
            }
        } else {
            for (int64_t e = lo; e < hi; e++) {
                double *restrict row = counts + (int64_t)entries[e] * km;
                for (int a = 0; a < scored; a++) row[a] += q[a];
            }
        }
    }
    *moved = anyMoved;
    return entropy;
}

#define EBCC_ARGS const int64_t *offsets, const int32_t *entries, int64_t tasks, int k, int m, const double *prefix, \
    const double *logV, const int32_t *order, const int32_t *column, int always, double *zg, double *z, double *s, \
    double *q, double *counts, double *nextGroups, double *nextClasses, double atol, double rtol, int *moved
#define EBCC_CALL offsets, entries, tasks, k, m, prefix, logV, order, column, always, zg, z, s, q, counts, nextGroups, \
    nextClasses, atol, rtol, moved

static double ebcc_pass_baseline(EBCC_ARGS) { return ebcc_pass_impl(EBCC_CALL); }

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static double ebcc_pass_avx2(EBCC_ARGS) { return ebcc_pass_impl(EBCC_CALL); }
#endif

double tally_ebcc_task_pass_variant(EBCC_ARGS, int variant) {
#if defined(__x86_64__)
    if (variant != TALLY_EBCC_BASELINE && tally_kernels_avx2()) return ebcc_pass_avx2(EBCC_CALL);
#endif
    return ebcc_pass_baseline(EBCC_CALL);
}

double tally_ebcc_task_pass(EBCC_ARGS) { return tally_ebcc_task_pass_variant(EBCC_CALL, TALLY_EBCC_AUTO); }
