// The Dawid-Skene general pass in C, so that one build carries both a baseline (SSE2) and an
// AVX2+FMA variant chosen at run time: per-function target attributes need no compiler flags,
// so the package stays usable as a dependency. The Swift engine (DawidSkeneEngine.swift) has the
// same algorithm; see its comments for the numerics (crowd-kit's clips, the e^-69 flush).
#include "CTallyKernels.h"
#include <math.h>
#include <string.h>
#include "exp_inline.h"

#define EPS 1e-10
#define MAX_K TALLY_KERNELS_MAX_K

static inline __attribute__((always_inline)) double range_impl(
    const int64_t *restrict offsets, const int32_t *restrict entries, const double *restrict logE,
    const double *restrict logPrior, const int32_t *restrict gold, double *restrict p,
    double *restrict counts, double *restrict priorSum, int64_t begin, int64_t end, int k, int hard) {
    const double epsTerm = EPS * log(EPS);
    double entropy = 0.0;
    double l[MAX_K], x[MAX_K];
    // Prefetch the rows of the task PREFETCH_AHEAD positions ahead: its answers' log-confusion
    // and count rows live in tables far larger than L2 (8 MB each at 10 k workers, K = 10).
    enum { PREFETCH_AHEAD = 6 };
    for (int64_t t = begin; t < end; t++) {
        if (t + PREFETCH_AHEAD < end) {
            for (int64_t i = offsets[t + PREFETCH_AHEAD]; i < offsets[t + PREFETCH_AHEAD + 1]; i++) {
                const int64_t base = (int64_t)entries[i] * k;
                __builtin_prefetch(logE + base, 0, 3);
                __builtin_prefetch(logE + base + k - 1, 0, 3);
                __builtin_prefetch(counts + base, 1, 3);
                __builtin_prefetch(counts + base + k - 1, 1, 3);
            }
        }
        const int64_t lo = offsets[t], hi = offsets[t + 1];
        double *restrict row = p + t * k;
        if (gold && gold[t] >= 0) {
            for (int c = 0; c < k; c++) row[c] = 0.0;
            row[gold[t]] = 1.0;
            entropy += (double)(k - 1) * epsTerm;
        } else {
            for (int c = 0; c < k; c++) l[c] = logPrior[c];
            for (int64_t i = lo; i < hi; i++) {
                const double *restrict e = logE + (int64_t)entries[i] * k;
                for (int c = 0; c < k; c++) l[c] += e[c];
            }
            double m = -INFINITY;
            for (int c = 0; c < k; c++) m = l[c] > m ? l[c] : m;
            for (int c = 0; c < k; c++) l[c] -= m;
            double sum = 0.0;
            for (int c = 0; c < k; c++) {
                x[c] = exp_nonpositive(l[c]);
                sum += x[c];
            }
            const double inverse = 1.0 / sum;
            for (int c = 0; c < k; c++) row[c] = x[c] * inverse;
            if (hard) {
                int best = 0;
                for (int c = 1; c < k; c++) if (row[c] > row[best]) best = c;
                for (int c = 0; c < k; c++) row[c] = c == best ? 1.0 : 0.0;
                entropy += (double)(k - 1) * epsTerm;
            } else {
                const double logSum = log(sum);
                for (int c = 0; c < k; c++) {
                    const double v = row[c];
                    entropy += v >= EPS ? v * (l[c] - logSum) : epsTerm;
                }
            }
        }
        for (int c = 0; c < k; c++) priorSum[c] += row[c];
        for (int64_t i = lo; i < hi; i++) {
            double *restrict n = counts + (int64_t)entries[i] * k;
            for (int c = 0; c < k; c++) n[c] += row[c];
        }
    }
    return entropy;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma")))
static double range_avx2(const int64_t *offsets, const int32_t *entries, const double *logE,
                         const double *logPrior, const int32_t *gold, double *p, double *counts,
                         double *priorSum, int64_t begin, int64_t end, int k, int hard) {
    return range_impl(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
}
#endif

static double range_baseline(const int64_t *offsets, const int32_t *entries, const double *logE,
                             const double *logPrior, const int32_t *gold, double *p, double *counts,
                             double *priorSum, int64_t begin, int64_t end, int k, int hard) {
    return range_impl(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
}

#include <pthread.h>
static int has_avx2 = 0;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static void detect_cpu(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
}

int tally_kernels_avx2(void) {
    pthread_once(&cpu_once, detect_cpu);
    return has_avx2;
}

double tally_ds_general_range(const int64_t *offsets, const int32_t *entries, const double *logE,
                              const double *logPrior, const int32_t *gold, double *p,
                              double *counts, double *priorSum,
                              int64_t begin, int64_t end, int k, int hard) {
    if (k > MAX_K) return NAN;
#if defined(__x86_64__)
    if (tally_kernels_avx2())
        return range_avx2(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
#endif
    return range_baseline(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
}
