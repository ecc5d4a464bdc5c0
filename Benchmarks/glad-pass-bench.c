// GLAD's objective pass (Sources/CTallyKernels/glad.c) against another build of it: the same
// integers (value, every worker's alpha sum, every task's beta gradient, NaN count) on 40 random
// problems (K = 2..5, small and large |x|, a NaN, a zero and a huge ability among them, the AVX2
// and the baseline path), then ns per answer of each over REPS passes. With a second argument
// `paths`, "before" runs the baseline (non-AVX2) path and "after" the AVX2 path on every problem:
// build both from the same glad.c to check that the two copies give the same integers. Build with
// the other version's glad.c renamed:
//
//   mkdir -p /tmp/gp && git show main:Sources/CTallyKernels/glad.c > /tmp/gp/glad.c
//   git show main:Sources/CTallyKernels/exp_inline.h > /tmp/gp/exp_inline.h
//   git show main:Sources/CTallyKernels/glad_math.h > /tmp/gp/glad_math.h   # when main has it
//   I=Sources/CTallyKernels/include
//   clang -O2 -c /tmp/gp/glad.c -I$I -Dtally_glad_objective_range=before_objective -Dtally_glad_scratch_doubles=before_scratch -o /tmp/gp/before.o
//   clang -O2 -c Sources/CTallyKernels/glad.c -I$I -o /tmp/gp/after.o
//   clang -O2 Benchmarks/glad-pass-bench.c /tmp/gp/before.o /tmp/gp/after.o -lm -o /tmp/gp/bench && /tmp/gp/bench 200
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int forceAVX2 = 1;
int tally_kernels_avx2(void) { return forceAVX2; }
typedef void Pass(const int64_t *, const int32_t *, int64_t, int64_t, int, uint64_t, const double *, const double *, const double *,
                  void *, double *, double, double *, int32_t *, int64_t, void *, int64_t *);
Pass before_objective, tally_glad_objective_range;
int64_t before_scratch(int64_t), tally_glad_scratch_doubles(int64_t);

static uint64_t state = 88172645463325252ULL;
static double uniform(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return (double)(state >> 11) * 0x1p-53; }

int main(int argc, char **argv) {
    const int tasks = 3000, workers = 200, reps = argc > 1 ? atoi(argv[1]) : 0;
    const int paths = argc > 2 && strcmp(argv[2], "paths") == 0;
    int64_t differing = 0;
    for (int trial = 0; trial < 40; trial++) {
        const int k = 2 + trial % 4;
        int64_t *offsets = malloc(sizeof(int64_t) * (tasks + 1));
        offsets[0] = 0;
        for (int t = 0; t < tasks; t++) offsets[t + 1] = offsets[t] + 1 + (int)(uniform() * (trial % 3 == 0 ? 40 : 8));
        const int64_t n = offsets[tasks];
        int32_t *entries = malloc(4 * n);
        for (int64_t i = 0; i < n; i++) entries[i] = (int32_t)((int)(uniform() * workers) * k + (int)(uniform() * k));
        double *alpha = malloc(8 * workers), *beta = malloc(8 * tasks), *post = malloc(8 * tasks * k);
        const double scale = trial % 5 == 0 ? 40 : (trial % 5 == 1 ? 0.3 : 6);
        for (int w = 0; w < workers; w++) alpha[w] = (uniform() - 0.3) * scale;
        if (trial % 7 == 3) alpha[3] = NAN;
        if (trial % 7 == 4) alpha[5] = 0.0;
        if (trial % 7 == 5) alpha[6] = 1e300;
        for (int t = 0; t < tasks; t++) beta[t] = (uniform() - 0.4) * (trial % 2 ? 3 : 8);
        for (int i = 0; i < tasks * k; i++) post[i] = uniform();
        const uint64_t divider = UINT64_MAX / k + 1;
        int64_t capacity = 1024;
        for (int t = 0; t < tasks; t++) if (offsets[t + 1] - offsets[t] > capacity) capacity = offsets[t + 1] - offsets[t];
        Pass *pass[2] = {before_objective, tally_glad_objective_range};
        double *scratch[2] = {malloc(8 * before_scratch(capacity)), malloc(8 * tally_glad_scratch_doubles(capacity))};
        int32_t *scratchWorkers = malloc(4 * capacity);
        unsigned __int128 *alphaSums[2] = {calloc(workers, 16), calloc(workers, 16)}, value[2] = {0, 0};
        double *betaGrad[2] = {malloc(8 * tasks), malloc(8 * tasks)};
        int64_t nans[2] = {0, 0};
        forceAVX2 = trial % 10 != 9;
        for (int v = 0; v < 2; v++) {
            if (paths) forceAVX2 = v;
            pass[v](offsets, entries, 0, tasks, k, divider, alpha, beta, post, alphaSums[v], betaGrad[v], log(k - 1.0), scratch[v],
                    scratchWorkers, capacity, &value[v], &nans[v]);
        }
        const int bad = (value[0] != value[1]) + (nans[0] != nans[1]) + (memcmp(alphaSums[0], alphaSums[1], 16 * workers) != 0) +
                        (memcmp(betaGrad[0], betaGrad[1], 8 * tasks) != 0);
        if (bad) printf("trial %d (K = %d): the builds differ\n", trial, k);
        differing += bad != 0;
        if (reps && trial == 1) {
            forceAVX2 = 1;
            for (int v = 0; v < 2; v++) {
                const clock_t c0 = clock();
                for (int r = 0; r < reps; r++)
                    pass[v](offsets, entries, 0, tasks, k, divider, alpha, beta, post, alphaSums[v], betaGrad[v], log(k - 1.0),
                            scratch[v], scratchWorkers, capacity, &value[v], &nans[v]);
                printf("%s: %.2f ns CPU per answer (%ld answers, %d passes)\n", v ? "after" : "before",
                       1e9 * (double)(clock() - c0) / CLOCKS_PER_SEC / reps / (double)n, (long)n, reps);
            }
        }
        free(offsets); free(entries); free(alpha); free(beta); free(post); free(scratchWorkers);
        for (int v = 0; v < 2; v++) { free(scratch[v]); free(alphaSums[v]); free(betaGrad[v]); }
    }
    printf("problems whose integers differ: %ld of 40%s\n", (long)differing, paths ? " (baseline path against AVX2 path)" : "");
    return differing != 0;
}
