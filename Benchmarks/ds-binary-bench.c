// Times the two-label Dawid-Skene pass variants (Sources/CTallyKernels/binary.c, compact.c,
// binary_blocked.c) on one thread, side by side in one run, and checks that every variant gives
// the same bits as the simple pass (posteriors, labels, counts, column sums and entropy term).
// Random task-sorted answers: TASKS tasks with OVERLAP answers each from W workers (uniform),
// GOLD_PERCENT % golden tasks (for the engine's variants; the compact ones have no gold).
//
//   clang -O2 -ISources/CTallyKernels/include Benchmarks/ds-binary-bench.c Sources/CTallyKernels/binary.c \
//       Sources/CTallyKernels/compact.c Sources/CTallyKernels/binary_blocked.c Sources/CTallyKernels/kernels.c \
//       -lm -lpthread -o /tmp/ds-binary-bench
//   /tmp/ds-binary-bench [W=10000] [TASKS=1000000] [OVERLAP=10] [REPEATS=7] [GOLD_PERCENT=0]
//
// Prints the median milliseconds (of this thread's CPU time) per pass and ns per answer of each variant, and a memory-only
// reference (read the entries and offsets, write the posteriors: the bytes of the bandwidth floor
// on one thread) and the first and last phases of the blocked pass alone (log-odds sums; the count
// scatter, in task order), to show where a pass's time goes; exits 1 if a variant's bits differ
// from the simple pass's.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "CTallyKernels.h"

static double now(void) {
    struct timespec t;
    // The thread's CPU time, not the wall clock: on a shared machine the pass's own time.
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

enum { SIMPLE, BLOCKED_BASE, BLOCKED_AVX2, BLOCKED_AVX2_16, BLOCKED_AVX512_16, COMPACT_SIMPLE, COMPACT_BLOCKED, COMPACT_BLOCKED_16, STREAM, GATHER_ONLY, SCATTER_ONLY, VARIANTS };
static const char *names[VARIANTS] = {
    "simple (binary.c)", "blocked, SSE2", "blocked, AVX2", "blocked, AVX2, 16-bit entries", "blocked, AVX-512, 16-bit entries",
    "compact simple (compact.c)", "compact blocked, AVX2", "compact blocked, AVX2, 16-bit",
    "memory only (floor bytes)", "phase: log-odds sums only", "phase: count scatter only"};

int main(int argc, char **argv) {
    const int w = argc > 1 ? atoi(argv[1]) : 10000;
    const int64_t tasks = argc > 2 ? atoll(argv[2]) : 1000000;
    const int overlap = argc > 3 ? atoi(argv[3]) : 10, repeats = argc > 4 ? atoi(argv[4]) : 7;
    const int goldPercent = argc > 5 ? atoi(argv[5]) : 0;
    if (w < 1 || tasks < 1 || overlap < 1 || repeats < 1 || repeats > 99 || goldPercent < 0 || goldPercent > 100) {
        fprintf(stderr, "usage: ds-binary-bench [W] [TASKS] [OVERLAP] [REPEATS 1..99] [GOLD_PERCENT]\n");
        return 2;
    }
    const int64_t answers = tasks * overlap, rows = (int64_t)w * 2;
    const int small = rows <= 65536;
    int64_t *offsets = malloc(sizeof(int64_t) * (size_t)(tasks + 1));
    uint32_t *offsets32 = malloc(sizeof(uint32_t) * (size_t)(tasks + 1));
    int32_t *entries = malloc(sizeof(int32_t) * (size_t)answers), *gold = malloc(sizeof(int32_t) * (size_t)tasks);
    uint16_t *entries16 = malloc(sizeof(uint16_t) * (size_t)answers);
    double *d = malloc(sizeof(double) * (size_t)rows);
    for (int64_t t = 0; t <= tasks; t++) offsets[t] = t * overlap, offsets32[t] = (uint32_t)(t * overlap);
    for (int64_t i = 0; i < answers; i++) {
        entries[i] = (int32_t)(next() % (uint64_t)w) * 2 + (int32_t)(next() % 2);
        entries16[i] = (uint16_t)entries[i];
    }
    for (int64_t t = 0; t < tasks; t++) gold[t] = (int)(next() % 100) < goldPercent ? (int32_t)(next() % 2) : -1;
    for (int64_t r = 0; r < rows; r++) d[r] = ((double)(next() % 2001) - 1000.0) / 250.0;
    const double priorOdds = 0.3;
    const int32_t *goldOrNull = goldPercent > 0 ? gold : NULL;

    double *p[VARIANTS], *n[VARIANTS], out[VARIANTS][3], times[VARIANTS][99];
    uint8_t *labels[VARIANTS];
    int available[VARIANTS];
    for (int v = 0; v < VARIANTS; v++) {
        p[v] = calloc((size_t)(tasks * 2), sizeof(double));
        n[v] = calloc((size_t)(rows * 2), sizeof(double));
        labels[v] = calloc((size_t)tasks, 1);
        available[v] = 1;
    }
    available[BLOCKED_AVX2] = available[BLOCKED_AVX2_16] = available[COMPACT_BLOCKED] = available[COMPACT_BLOCKED_16] = tally_kernels_avx2();
    available[BLOCKED_AVX512_16] = tally_kernels_avx512();
    available[GATHER_ONLY] = available[SCATTER_ONLY] = small;
    if (!small) available[BLOCKED_AVX2_16] = available[BLOCKED_AVX512_16] = available[COMPACT_BLOCKED_16] = 0;
    const char *only = getenv("ONLY");  // run one variant alone (for a profiler)
    if (only) for (int v = 1; v < VARIANTS; v++) available[v] = available[v] && v == atoi(only);
    volatile double sink = 0;
    for (int r = 0; r < repeats; r++) {
        for (int v = 0; v < VARIANTS; v++) {  // interleaved, so load changes hit every variant alike
            if (!available[v]) continue;
            memset(n[v], 0, sizeof(double) * (size_t)(rows * 2));
            const double t0 = now();
            switch (v) {
            case SIMPLE:
                tally_ds_binary_range(offsets, entries, d, priorOdds, goldOrNull, p[v], n[v], 0, tasks, 0, out[v]);
                break;
            case BLOCKED_BASE:
                tally_ds_binary_blocked(offsets, 0, entries, 0, d, priorOdds, goldOrNull, p[v], NULL, n[v], 0, tasks, 0, out[v], TALLY_DS_BASELINE);
                break;
            case BLOCKED_AVX2:
                tally_ds_binary_blocked(offsets, 0, entries, 0, d, priorOdds, goldOrNull, p[v], NULL, n[v], 0, tasks, 0, out[v], TALLY_DS_AVX2);
                break;
            case BLOCKED_AVX2_16:
                tally_ds_binary_blocked(offsets, 0, entries16, 1, d, priorOdds, goldOrNull, p[v], NULL, n[v], 0, tasks, 0, out[v], TALLY_DS_AVX2);
                break;
            case BLOCKED_AVX512_16:
                tally_ds_binary_blocked(offsets, 0, entries16, 1, d, priorOdds, goldOrNull, p[v], NULL, n[v], 0, tasks, 0, out[v], TALLY_DS_AVX512);
                break;
            case COMPACT_SIMPLE:
                tally_ds_binary_compact(offsets32, entries, d, priorOdds, NULL, labels[v], n[v], 0, tasks, 0, out[v]);
                break;
            case COMPACT_BLOCKED:
                tally_ds_binary_blocked(offsets32, 1, entries, 0, d, priorOdds, NULL, NULL, labels[v], n[v], 0, tasks, 0, out[v], TALLY_DS_AVX2);
                break;
            case COMPACT_BLOCKED_16:
                tally_ds_binary_blocked(offsets32, 1, entries16, 1, d, priorOdds, NULL, NULL, labels[v], n[v], 0, tasks, 0, out[v], TALLY_DS_AVX2);
                break;
            case GATHER_ONLY:  // the blocked pass's first phase alone (16-bit entries): each task's log-odds
                for (int64_t t = 0; t < tasks; t++) {
                    double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                    int64_t i = offsets[t];
                    for (; i + 4 <= offsets[t + 1]; i += 4) {
                        a0 += d[entries16[i]], a1 += d[entries16[i + 1]];
                        a2 += d[entries16[i + 2]], a3 += d[entries16[i + 3]];
                    }
                    for (; i < offsets[t + 1]; i++) a0 += d[entries16[i]];
                    p[v][t] = priorOdds + ((a0 + a1) + (a2 + a3));
                }
                break;
            case SCATTER_ONLY:  // its last phase alone: the simple pass's posteriors into the counts
                for (int64_t t = 0; t < tasks; t++) {
                    const double p0 = p[SIMPLE][2 * t], p1 = p[SIMPLE][2 * t + 1];
                    for (int64_t i = offsets[t]; i < offsets[t + 1]; i++) {
                        n[v][2 * entries16[i]] += p0;
                        n[v][2 * entries16[i] + 1] += p1;
                    }
                }
                break;
            case STREAM: {
                int64_t acc = 0;
                for (int64_t t = 0; t < tasks; t++) {
                    int64_t s = offsets[t + 1];
                    for (int64_t i = offsets[t]; i < offsets[t + 1]; i++) s += entries[i];
                    p[v][2 * t] = (double)s;
                    p[v][2 * t + 1] = (double)acc;
                    acc += s;
                }
                sink += (double)acc;
                break;
            }
            }
            times[v][r] = now() - t0;
        }
    }
    printf("%lld tasks x %d answers, %d workers, K = 2, %d %% gold, one thread, median of %d passes:\n",
           (long long)tasks, overlap, w, goldPercent, repeats);
    int failed = 0;
    qsort(times[SIMPLE], (size_t)repeats, sizeof(double), compare);
    const double base = times[SIMPLE][repeats / 2];
    for (int v = 0; v < VARIANTS; v++) {
        if (!available[v]) { printf("  %-32s not available (CPU or table size)\n", names[v]); continue; }
        if (v != SIMPLE) qsort(times[v], (size_t)repeats, sizeof(double), compare);
        const double median = times[v][repeats / 2];
        const char *verdict = "";
        if (v < STREAM) {
            const int compact = v >= COMPACT_SIMPLE, ref = compact ? COMPACT_SIMPLE : SIMPLE;
            int same = memcmp(n[v], n[ref], sizeof(double) * (size_t)(rows * 2)) == 0
                && memcmp(out[v], out[ref], sizeof(out[v])) == 0;
            if (compact) same = same && memcmp(labels[v], labels[ref], (size_t)tasks) == 0;
            else same = same && memcmp(p[v], p[ref], sizeof(double) * (size_t)(tasks * 2)) == 0;
            if (compact && goldPercent == 0)  // the compact pass equals the engine's without gold
                same = same && memcmp(n[v], n[SIMPLE], sizeof(double) * (size_t)(rows * 2)) == 0 && memcmp(out[v], out[SIMPLE], sizeof(out[v])) == 0;
            verdict = same ? "bit-identical" : "DIFFERS";
            if (!same) failed = 1;
        }
        printf("  %-32s %8.2f ms  %6.3f ns/answer  x%.2f  %s\n", names[v], median * 1e3, median * 1e9 / (double)answers,
               base / median, verdict);
    }
    printf("  (entropy term %.17g, column sums %.17g %.17g)\n", out[SIMPLE][2], out[SIMPLE][0], out[SIMPLE][1]);
    if (failed) printf("FAIL: a variant's bits differ from the simple pass's\n");
    return failed;
}
