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

// Prefetches the log-confusion and count rows of task t's answers (the rows of a task a few
// positions ahead): the tables are far larger than L2 (8 MB each at 10 k workers, K = 10).
enum { PREFETCH_AHEAD = 6 };
static inline __attribute__((always_inline)) void prefetch_rows(
    const int64_t *restrict offsets, const int32_t *restrict entries, const double *logE, const double *counts,
    int64_t t, int64_t end, const int k) {
    if (t >= end) return;
    for (int64_t i = offsets[t]; i < offsets[t + 1]; i++) {
        const int64_t base = (int64_t)entries[i] * k;
        __builtin_prefetch(logE + base, 0, 3);
        __builtin_prefetch(logE + base + k - 1, 0, 3);
        __builtin_prefetch(counts + base, 1, 3);
        __builtin_prefetch(counts + base + k - 1, 1, 3);
    }
}

static inline __attribute__((always_inline)) double range_impl(
    const int64_t *restrict offsets, const int32_t *restrict entries, const double *restrict logE,
    const double *restrict logPrior, const int32_t *restrict gold, double *restrict p,
    double *restrict counts, double *restrict priorSum, int64_t begin, int64_t end, const int k, int hard) {
    const double epsTerm = EPS * log(EPS);
    double entropy = 0.0;
    double l[MAX_K], x[MAX_K];
    for (int64_t t = begin; t < end; t++) {
        prefetch_rows(offsets, entries, logE, counts, t + PREFETCH_AHEAD, end, k);
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

// K values that get their own copy of a pass, with K a compile-time constant.
#define SPECIALISED_K(F) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10) F(11) F(12) F(13) F(14) F(15) F(16)

#if defined(__x86_64__)
// The AVX2 pass for 3 <= K <= 16, with K a compile-time constant (one copy per K): a task's K
// logits live in ceil(K/4) registers instead of a stack array (a row of K = 10 is two 4-wide
// loads and one 2-wide), the exponentials, the maximum, the entropy term and the prior sums are
// four lanes at a time, and the scatter adds the posterior registers into each count row.
// Lanes past K hold -inf logits (so 0 probability) and are never stored. Same algorithm as
// range_impl; the sums over labels (the softmax denominator, the entropy, the prior sums) are
// added in lane order, so results can differ from range_impl in the last bits.
//
// Measured (Benchmarks/ds-kernel-bench.c, 1 M tasks x 10 answers, 10 k workers, K = 10, one
// thread, clang -O2 as SwiftPM builds it): range_impl 274-295 ms, this 82-85 ms per pass; at
// 100 workers (tables in L2) 160 ms against 57 ms, so the generic pass was bound by arithmetic
// through the stack, not by memory. Maximum differences: 7e-16 in posteriors, 7e-16 relative
// in counts.
#define TARGET_AVX2 __attribute__((target("avx2,fma")))
#define ALWAYS_INLINE __attribute__((always_inline))
#define VECTORS(K) (((K) + 3) / 4)
#define LANES(K, v) ((v) < VECTORS(K) - 1 ? 4 : (K) - 4 * (VECTORS(K) - 1))

// Loads and stores the first `r` (1 to 4) doubles; lanes from r on load as 0.
TARGET_AVX2 static inline ALWAYS_INLINE __m256d load_lanes(const double *p, int r) {
    if (r == 4) return _mm256_loadu_pd(p);
    if (r == 2) return _mm256_zextpd128_pd256(_mm_loadu_pd(p));
    if (r == 1) return _mm256_zextpd128_pd256(_mm_load_sd(p));
    return _mm256_insertf128_pd(_mm256_zextpd128_pd256(_mm_loadu_pd(p)), _mm_load_sd(p + 2), 1);
}

TARGET_AVX2 static inline ALWAYS_INLINE void store_lanes(double *p, __m256d v, int r) {
    if (r == 4) { _mm256_storeu_pd(p, v); return; }
    const __m128d low = _mm256_castpd256_pd128(v);
    if (r == 2) { _mm_storeu_pd(p, low); return; }
    if (r == 1) { _mm_store_sd(p, low); return; }
    _mm_storeu_pd(p, low);
    _mm_store_sd(p + 2, _mm256_extractf128_pd(v, 1));
}

// All ones in lanes below r.
TARGET_AVX2 static inline ALWAYS_INLINE __m256d lanes_below(int r) {
    return _mm256_cmp_pd(_mm256_set_pd(3, 2, 1, 0), _mm256_set1_pd((double)r), _CMP_LT_OQ);
}

TARGET_AVX2 static inline ALWAYS_INLINE double horizontal_sum(__m256d v) {
    const __m128d a = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(a, _mm_unpackhi_pd(a, a)));
}

TARGET_AVX2 static inline ALWAYS_INLINE double horizontal_max(__m256d v) {
    const __m128d a = _mm_max_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_max_sd(a, _mm_unpackhi_pd(a, a)));
}

// One task's posterior row from its logits `l` (changed: shifted by their maximum): the softmax
// into `x` (or its arg-max as 0/1 when `hard`), the task's entropy term, and the row stored.
// The plain and the blocked AVX2 passes share it, so both do the same operations in the same order.
TARGET_AVX2 static inline ALWAYS_INLINE void posterior_row_avx2(
    __m256d *l, __m256d *x, double *restrict row, const int K, int hard, double *entropy, __m256d *entropyLanes) {
    const double epsTerm = EPS * log(EPS);
    const __m256d eps = _mm256_set1_pd(EPS), epsTerms = _mm256_set1_pd(epsTerm);
    __m256d mv = l[0];
    for (int v = 1; v < VECTORS(K); v++) mv = _mm256_max_pd(mv, l[v]);
    const __m256d m = _mm256_set1_pd(horizontal_max(mv));
    __m256d sv = _mm256_setzero_pd();
    for (int v = 0; v < VECTORS(K); v++) {
        l[v] = _mm256_sub_pd(l[v], m);
        x[v] = exp_nonpositive_avx2(l[v]);
        sv = _mm256_add_pd(sv, x[v]);
    }
    const double sum = horizontal_sum(sv);
    const __m256d inverse = _mm256_set1_pd(1.0 / sum);
    for (int v = 0; v < VECTORS(K); v++) x[v] = _mm256_mul_pd(x[v], inverse);
    if (hard) {
        double q[16];
        for (int v = 0; v < VECTORS(K); v++) _mm256_storeu_pd(q + 4 * v, x[v]);
        int best = 0;
        for (int c = 1; c < K; c++) if (q[c] > q[best]) best = c;
        for (int c = 0; c < 4 * VECTORS(K); c++) q[c] = c == best ? 1.0 : 0.0;
        for (int v = 0; v < VECTORS(K); v++) x[v] = _mm256_loadu_pd(q + 4 * v);
        *entropy += (double)(K - 1) * epsTerm;
    } else {
        const __m256d logSum = _mm256_set1_pd(log(sum));
        for (int v = 0; v < VECTORS(K); v++) {
            __m256d term = _mm256_blendv_pd(epsTerms, _mm256_mul_pd(x[v], _mm256_sub_pd(l[v], logSum)),
                                            _mm256_cmp_pd(x[v], eps, _CMP_GE_OQ));
            if (LANES(K, v) < 4) term = _mm256_and_pd(term, lanes_below(LANES(K, v)));
            *entropyLanes = _mm256_add_pd(*entropyLanes, term);
        }
    }
    for (int v = 0; v < VECTORS(K); v++) store_lanes(row + 4 * v, x[v], LANES(K, v));
}

// The pieces both AVX2 passes share, so that they do the same operations in the same order.

// The prior logits (lanes past K at -inf, so 0 probability) and the prior sums, zeroed.
TARGET_AVX2 static inline ALWAYS_INLINE void start_avx2(const double *restrict logPrior, const int K, __m256d *prior,
                                                        __m256d *sums) {
    const __m256d minusInfinity = _mm256_set1_pd(-INFINITY);
    for (int v = 0; v < VECTORS(K); v++) {
        prior[v] = _mm256_blendv_pd(minusInfinity, load_lanes(logPrior + 4 * v, LANES(K, v)), lanes_below(LANES(K, v)));
        sums[v] = _mm256_setzero_pd();
    }
}

// Task t's logits: the prior plus its answers' log-confusion rows, in answer order.
TARGET_AVX2 static inline ALWAYS_INLINE void logits_avx2(const int64_t *restrict offsets, const int32_t *restrict entries,
                                                         const double *restrict logE, int64_t t, const int K,
                                                         const __m256d *prior, __m256d *l) {
    for (int v = 0; v < VECTORS(K); v++) l[v] = prior[v];
    for (int64_t i = offsets[t]; i < offsets[t + 1]; i++) {
        const double *restrict e = logE + (int64_t)entries[i] * K;
        for (int v = 0; v < VECTORS(K); v++) l[v] = _mm256_add_pd(l[v], load_lanes(e + 4 * v, LANES(K, v)));
    }
}

// A golden task's row: one-hot at its label, into `row` and the registers `x`.
TARGET_AVX2 static inline ALWAYS_INLINE void gold_row_avx2(double *restrict row, int32_t label, const int K, __m256d *x,
                                                           double *entropy) {
    const double epsTerm = EPS * log(EPS);
    for (int c = 0; c < K; c++) row[c] = 0.0;
    row[label] = 1.0;
    for (int v = 0; v < VECTORS(K); v++) x[v] = load_lanes(row + 4 * v, LANES(K, v));
    *entropy += (double)(K - 1) * epsTerm;
}

// Task t's posterior `x` added into its answers' count rows, in answer order.
TARGET_AVX2 static inline ALWAYS_INLINE void scatter_avx2(const int64_t *restrict offsets, const int32_t *restrict entries,
                                                          double *restrict counts, int64_t t, const int K, const __m256d *x) {
    for (int64_t i = offsets[t]; i < offsets[t + 1]; i++) {
        double *restrict n = counts + (int64_t)entries[i] * K;
        for (int v = 0; v < VECTORS(K); v++)
            store_lanes(n + 4 * v, _mm256_add_pd(load_lanes(n + 4 * v, LANES(K, v)), x[v]), LANES(K, v));
    }
}

// The end of a pass: the prior sums added into `priorSum`; returns the entropy term.
TARGET_AVX2 static inline ALWAYS_INLINE double finish_avx2(const __m256d *sums, const int K, double *restrict priorSum,
                                                           double entropy, __m256d entropyLanes) {
    double q[16];
    for (int v = 0; v < VECTORS(K); v++) _mm256_storeu_pd(q + 4 * v, sums[v]);
    for (int c = 0; c < K; c++) priorSum[c] += q[c];
    return entropy + horizontal_sum(entropyLanes);
}

// The AVX2 pass in blocks of `block` tasks (issue 17): first every task's logits (the row gathers
// of the block are independent, so their cache misses overlap), then the softmax, entropy and
// posterior rows, then the scatter into the count rows, with the rows of the task `ahead`
// positions on prefetched. Per task the same operations in the same order whatever the block, and
// the tasks in order, so every block size gives the same bits. range_avx2 (TALLY_DS_AVX2) is the
// task-at-a-time pass (block 1, rows six tasks ahead), range_avx2_blocked the default (blocks of 8).
enum { GENERAL_BLOCK = 8 };

TARGET_AVX2 static inline ALWAYS_INLINE double range_avx2_in_blocks(
    const int64_t *restrict offsets, const int32_t *restrict entries, const double *restrict logE,
    const double *restrict logPrior, const int32_t *restrict gold, double *restrict p,
    double *restrict counts, double *restrict priorSum, int64_t begin, int64_t end, const int K, int hard,
    const int block, const int ahead) {
    __m256d prior[4], sums[4];
    start_avx2(logPrior, K, prior, sums);
    double entropy = 0.0;
    __m256d entropyLanes = _mm256_setzero_pd();
    __m256d rows[GENERAL_BLOCK][4];
    for (int64_t t0 = begin; t0 < end; t0 += block) {
        const int nb = end - t0 < block ? (int)(end - t0) : block;
        for (int j = 0; j < nb; j++) {
            prefetch_rows(offsets, entries, logE, counts, t0 + j + ahead, end, K);
            if (gold && gold[t0 + j] >= 0) continue;
            logits_avx2(offsets, entries, logE, t0 + j, K, prior, rows[j]);
        }
        for (int j = 0; j < nb; j++) {
            const int64_t t = t0 + j;
            double *restrict row = p + t * K;
            __m256d *x = rows[j];
            if (gold && gold[t] >= 0) {
                gold_row_avx2(row, gold[t], K, x, &entropy);
            } else {
                __m256d l[4];
                for (int v = 0; v < VECTORS(K); v++) l[v] = x[v];
                posterior_row_avx2(l, x, row, K, hard, &entropy, &entropyLanes);
            }
            for (int v = 0; v < VECTORS(K); v++) sums[v] = _mm256_add_pd(sums[v], x[v]);
        }
        for (int j = 0; j < nb; j++) scatter_avx2(offsets, entries, counts, t0 + j, K, rows[j]);
    }
    return finish_avx2(sums, K, priorSum, entropy, entropyLanes);
}

#define RANGE_PARAMETERS                                                                                  \
    const int64_t *offsets, const int32_t *entries, const double *logE, const double *logPrior,          \
    const int32_t *gold, double *p, double *counts, double *priorSum, int64_t begin, int64_t end, int k, int hard
#define RANGE_ARGUMENTS offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end

TARGET_AVX2 static double range_avx2_blocked(RANGE_PARAMETERS) {
#define CASE_AVX2_BLOCKED(KK) case KK: return range_avx2_in_blocks(RANGE_ARGUMENTS, KK, hard, GENERAL_BLOCK, GENERAL_BLOCK);
    switch (k) { SPECIALISED_K(CASE_AVX2_BLOCKED) default: break; }
    return range_impl(RANGE_ARGUMENTS, k, hard);
}

TARGET_AVX2 static double range_avx2(RANGE_PARAMETERS) {
#define CASE_AVX2(KK) case KK: return range_avx2_in_blocks(RANGE_ARGUMENTS, KK, hard, 1, PREFETCH_AHEAD);
    switch (k) { SPECIALISED_K(CASE_AVX2) default: break; }
    return range_impl(RANGE_ARGUMENTS, k, hard);
}
#endif

static double range_baseline(const int64_t *offsets, const int32_t *entries, const double *logE,
                             const double *logPrior, const int32_t *gold, double *p, double *counts,
                             double *priorSum, int64_t begin, int64_t end, int k, int hard) {
    // A constant K lets the compiler unroll the label loops (about 1.5x faster, measured with gcc
    // and clang on the data of the comment above).
#define CASE_BASELINE(KK) case KK: return range_impl(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, KK, hard);
    switch (k) { SPECIALISED_K(CASE_BASELINE) default: break; }
    return range_impl(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
}

#include <pthread.h>
static int has_avx2 = 0, has_avx512 = 0;
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static void detect_cpu(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    // avx512f is reported only when the OS saves the zmm state as well.
    has_avx512 = has_avx2 && __builtin_cpu_supports("avx512f");
#endif
}

// Set by tally_kernels_force_baseline for the calling thread only, so a test can run the baseline
// copies while other threads keep the AVX2 ones.
static _Thread_local int baseline_on_this_thread = 0;

void tally_kernels_force_baseline(int on) { baseline_on_this_thread = on != 0; }

int tally_kernels_avx2(void) {
    pthread_once(&cpu_once, detect_cpu);
    return has_avx2 && !baseline_on_this_thread;
}

int tally_kernels_avx512(void) {
    pthread_once(&cpu_once, detect_cpu);
    return has_avx512 && !baseline_on_this_thread;
}

// The generic pass with K a run-time value, kept callable for measurements and tests.
static double range_generic(const int64_t *offsets, const int32_t *entries, const double *logE,
                            const double *logPrior, const int32_t *gold, double *p, double *counts,
                            double *priorSum, int64_t begin, int64_t end, int k, int hard) {
    return range_impl(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
}

double tally_ds_general_range_variant(const int64_t *offsets, const int32_t *entries, const double *logE,
                                      const double *logPrior, const int32_t *gold, double *p,
                                      double *counts, double *priorSum,
                                      int64_t begin, int64_t end, int k, int hard, int variant) {
    if (k > MAX_K) return NAN;
    switch (variant) {
    case TALLY_DS_GENERIC:
        return range_generic(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
    case TALLY_DS_BASELINE:
        return range_baseline(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
    case TALLY_DS_AVX2:
#if defined(__x86_64__)
        if (tally_kernels_avx2())
            return range_avx2(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
#endif
        return NAN;
    case TALLY_DS_AVX2_BLOCKED:
#if defined(__x86_64__)
        if (tally_kernels_avx2())
            return range_avx2_blocked(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
#endif
        return NAN;
    default:
#if defined(__x86_64__)
        if (tally_kernels_avx2())
            return range_avx2_blocked(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
#endif
        return range_baseline(offsets, entries, logE, logPrior, gold, p, counts, priorSum, begin, end, k, hard);
    }
}

double tally_ds_general_range(const int64_t *offsets, const int32_t *entries, const double *logE,
                              const double *logPrior, const int32_t *gold, double *p,
                              double *counts, double *priorSum,
                              int64_t begin, int64_t end, int k, int hard) {
    return tally_ds_general_range_variant(offsets, entries, logE, logPrior, gold, p, counts, priorSum,
                                          begin, end, k, hard, TALLY_DS_AUTO);
}

// The start of a Dawid-Skene fit (issue 17: the set-up of a 10 M-answer fit took longer than its
// iterations). The same operations in the same order as the Swift code they replace, so the same
// bits: the vote shares as VoteKernels.shares (unweighted: +1 per answer, then / answers), the
// scatter as DawidSkeneEngine.scatter (task order, answer order).

// K as a constant where it helps (the label of an entry is entry % K).
#define START_K(F) F(2) F(3) F(4) F(5) F(6) F(7) F(8) F(9) F(10)

static inline __attribute__((always_inline)) void vote_shares_k(const int64_t *restrict offsets,
                                                                const int32_t *restrict entries, int64_t tasks,
                                                                const int k, double *restrict p) {
    for (int64_t t = 0; t < tasks; t++) {
        double *restrict row = p + t * k;
        if (k == 2) {
            // Counted in a register: `row[label] += 1` through memory is a chain of dependent
            // store-to-load round trips (most of this function's time at K = 2). The counts are
            // integers, exact in a double either way, so the bits are the same.
            int64_t ones = 0;
            for (int64_t i = offsets[t]; i < offsets[t + 1]; i++) ones += entries[i] & 1;
            row[0] = (double)(offsets[t + 1] - offsets[t] - ones);
            row[1] = (double)ones;
        } else {
            for (int c = 0; c < k; c++) row[c] = 0.0;
            for (int64_t i = offsets[t]; i < offsets[t + 1]; i++) row[entries[i] % k] += 1.0;
        }
        const double total = (double)(offsets[t + 1] - offsets[t]);
        for (int c = 0; c < k; c++) row[c] /= total;
    }
}

void tally_ds_vote_shares(const int64_t *offsets, const int32_t *entries, int64_t tasks, int k, double *p) {
#define CASE_SHARES(KK) case KK: vote_shares_k(offsets, entries, tasks, KK, p); return;
    switch (k) { START_K(CASE_SHARES) default: break; }
    vote_shares_k(offsets, entries, tasks, k, p);
}

static inline __attribute__((always_inline)) void scatter_rows_k(const int64_t *restrict offsets,
                                                                 const int32_t *restrict entries, int64_t tasks,
                                                                 const int k, const double *restrict p,
                                                                 double *restrict counts) {
    for (int64_t t = 0; t < tasks; t++) {
        const double *restrict row = p + t * k;
        for (int64_t i = offsets[t]; i < offsets[t + 1]; i++) {
            double *restrict n = counts + (int64_t)entries[i] * k;
            for (int c = 0; c < k; c++) n[c] += row[c];
        }
    }
}

void tally_ds_scatter_rows(const int64_t *offsets, const int32_t *entries, int64_t tasks, int k, const double *p,
                           double *counts) {
#define CASE_SCATTER(KK) case KK: scatter_rows_k(offsets, entries, tasks, KK, p, counts); return;
    switch (k) { START_K(CASE_SCATTER) default: break; }
    scatter_rows_k(offsets, entries, tasks, k, p, counts);
}

void tally_mark_entries(const int32_t *entries, int64_t count, uint8_t *observed, uint16_t *narrow) {
    if (narrow) {
        for (int64_t i = 0; i < count; i++) {
            observed[entries[i]] = 1;
            narrow[i] = (uint16_t)entries[i];
        }
    } else {
        for (int64_t i = 0; i < count; i++) observed[entries[i]] = 1;
    }
}
