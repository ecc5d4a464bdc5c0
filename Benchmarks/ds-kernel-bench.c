// Times the variants of the Dawid-Skene general pass (Sources/CTallyKernels/kernels.c) on one
// thread, side by side in one run, and checks that they agree. Random task-sorted answers:
// TASKS tasks with OVERLAP answers each from W workers (uniform), K labels, 5 % golden tasks.
//
//   cc -O2 -ISources/CTallyKernels/include Benchmarks/ds-kernel-bench.c Sources/CTallyKernels/kernels.c -lm -lpthread -o /tmp/ds-kernel-bench
//   /tmp/ds-kernel-bench [W=10000] [K=10] [TASKS=1000000] [OVERLAP=10] [REPEATS=5]
//
// Prints the median milliseconds per pass (this thread's CPU time, so less sensitive to a loaded
// machine) and ns per answer of each variant, the largest differences from the generic pass, and
// exits 1 if they exceed 1e-12 (posteriors) or 1e-12 relative (counts), or if the blocked AVX2
// pass's bits differ from the AVX2 pass's.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CTallyKernels.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t state = 88172645463325252ULL;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    const int w = argc > 1 ? atoi(argv[1]) : 10000, k = argc > 2 ? atoi(argv[2]) : 10;
    const int64_t tasks = argc > 3 ? atoll(argv[3]) : 1000000;
    const int overlap = argc > 4 ? atoi(argv[4]) : 10, repeats = argc > 5 ? atoi(argv[5]) : 5;
    if (w < 1 || k < 2 || k > TALLY_KERNELS_MAX_K || tasks < 1 || overlap < 1 || repeats < 1 || repeats > 99) {
        fprintf(stderr, "usage: ds-kernel-bench [W] [K 2..%d] [TASKS] [OVERLAP] [REPEATS 1..99]\n", TALLY_KERNELS_MAX_K);
        return 2;
    }
    const int64_t answers = tasks * overlap, table = (int64_t)w * k * k;
    int64_t *offsets = malloc(sizeof(int64_t) * (size_t)(tasks + 1));
    int32_t *entries = malloc(sizeof(int32_t) * (size_t)answers), *gold = malloc(sizeof(int32_t) * (size_t)tasks);
    double *logE = malloc(sizeof(double) * (size_t)table), *logPrior = malloc(sizeof(double) * (size_t)k);
    for (int64_t t = 0; t <= tasks; t++) offsets[t] = t * overlap;
    for (int64_t i = 0; i < answers; i++) entries[i] = (int32_t)(next() % (uint64_t)w) * k + (int32_t)(next() % (uint64_t)k);
    for (int64_t t = 0; t < tasks; t++) gold[t] = next() % 20 == 0 ? (int32_t)(next() % (uint64_t)k) : -1;
    for (int64_t i = 0; i < table; i++) logE[i] = -(double)(next() % 1000) / 100.0 - 0.01;
    for (int c = 0; c < k; c++) logPrior[c] = log((c + 1.0) / (k * (k + 1) / 2.0));

    enum { VARIANTS = 4 };
    const int variants[VARIANTS] = {TALLY_DS_GENERIC, TALLY_DS_BASELINE, TALLY_DS_AVX2, TALLY_DS_AVX2_BLOCKED};
    const char *names[VARIANTS] = {"generic (K at run time)", "baseline (one copy per K)", "AVX2 (one copy per K)", "AVX2, blocks of 8 tasks"};
    double *p[VARIANTS], *counts[VARIANTS], prior[VARIANTS][TALLY_KERNELS_MAX_K], entropy[VARIANTS], times[VARIANTS][99];
    for (int v = 0; v < VARIANTS; v++) {
        p[v] = malloc(sizeof(double) * (size_t)(tasks * k));
        counts[v] = malloc(sizeof(double) * (size_t)table);
    }
    int available[VARIANTS] = {1, 1, tally_kernels_avx2(), tally_kernels_avx2()};
    for (int r = 0; r < repeats; r++) {
        for (int v = 0; v < VARIANTS; v++) {  // interleaved, so load changes hit every variant alike
            if (!available[v]) continue;
            memset(counts[v], 0, sizeof(double) * (size_t)table);
            memset(prior[v], 0, sizeof(prior[v]));
            double t0 = now();
            entropy[v] = tally_ds_general_range_variant(offsets, entries, logE, logPrior, gold, p[v], counts[v], prior[v],
                                                        0, tasks, k, 0, variants[v]);
            times[v][r] = now() - t0;
        }
    }
    printf("%lld tasks x %d answers, %d workers, K = %d, one thread, median of %d passes:\n",
           (long long)tasks, overlap, w, k, repeats);
    int failed = 0;
    for (int v = 0; v < VARIANTS; v++) {
        if (!available[v]) { printf("  %-27s not available on this CPU\n", names[v]); continue; }
        qsort(times[v], (size_t)repeats, sizeof(double), compare);
        double median = times[v][repeats / 2];
        double dp = 0, dc = 0;
        for (int64_t i = 0; i < tasks * k; i++) dp = fmax(dp, fabs(p[v][i] - p[0][i]));
        for (int64_t i = 0; i < table; i++) dc = fmax(dc, fabs(counts[v][i] - counts[0][i]) / fmax(fabs(counts[0][i]), 1e-300));
        printf("  %-27s %8.1f ms  %6.2f ns/answer  x%.2f  max|dP| %.1e  max rel dcount %.1e  entropy %.12g\n", names[v],
               median * 1e3, median * 1e9 / (double)answers, times[0][repeats / 2] / median, dp, dc, entropy[v]);
        if (dp > 1e-12 || dc > 1e-12) failed = 1;
        if (v == 3 && available[2]) {  // the blocked pass must give the AVX2 pass's bits
            const int same = memcmp(p[3], p[2], sizeof(double) * (size_t)(tasks * k)) == 0 &&
                             memcmp(counts[3], counts[2], sizeof(double) * (size_t)table) == 0 &&
                             memcmp(prior[3], prior[2], sizeof(prior[3])) == 0 && entropy[3] == entropy[2];
            printf("  %-27s %s\n", "", same ? "bit-identical to AVX2" : "DIFFERS from AVX2");
            if (!same) failed = 1;
        }
    }
    if (failed) printf("FAIL: a variant differs from the generic pass by more than 1e-12\n");
    return failed;
}
