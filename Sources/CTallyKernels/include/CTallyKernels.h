#ifndef CTALLYKERNELS_H
#define CTALLYKERNELS_H
#include <stdint.h>

/// The largest K the C kernel handles (callers use their own code above it).
#define TALLY_KERNELS_MAX_K 64

/// One Dawid-Skene E-step fused with the M-step's scatter, over tasks [begin, end), K labels.
///
/// offsets: task-sorted CSR offsets; entries: fused worker*K+label; logE: (W*K) x K
/// log-confusion rows; logPrior: K; gold: golden label per task or -1 (NULL if none);
/// p: tasks x K posteriors (written for the range); counts: (W*K) x K, zeroed by the caller,
/// receives the scatter; priorSum: K, zeroed by the caller. Returns the entropy term
/// sum_t sum_c P' ln P' with P' = max(P, 1e-10). Uses AVX2+FMA code when the CPU has it.
double tally_ds_general_range(const int64_t *offsets, const int32_t *entries, const double *logE,
                              const double *logPrior, const int32_t *gold, double *p,
                              double *counts, double *priorSum,
                              int64_t begin, int64_t end, int k, int hard);

/// Variants of the pass, for measurements and tests: AUTO is what tally_ds_general_range runs
/// (AVX2_BLOCKED when the CPU has it, else BASELINE); GENERIC has K as a run-time value; BASELINE has one
/// copy per K from 3 to 16 without AVX2; AVX2 returns NaN on a CPU without AVX2 and FMA; AVX2_BLOCKED
/// is AVX2 in blocks of 8 tasks (logits, then softmax, then scatter; the same bits as AVX2).
enum { TALLY_DS_AUTO = 0, TALLY_DS_GENERIC = 1, TALLY_DS_BASELINE = 2, TALLY_DS_AVX2 = 3, TALLY_DS_AVX2_BLOCKED = 4 };

double tally_ds_general_range_variant(const int64_t *offsets, const int32_t *entries, const double *logE,
                                      const double *logPrior, const int32_t *gold, double *p,
                                      double *counts, double *priorSum,
                                      int64_t begin, int64_t end, int k, int hard, int variant);

/// The Dawid-Skene pass for two labels over tasks [begin, end), in log-odds form.
///
/// offsets: task-sorted CSR offsets; entries: fused worker*2+label; d: per entry
/// ln e[w,y,1] - ln e[w,y,0]; priorOdds: ln prior1 - ln prior0; gold: golden label per task or -1
/// (NULL if none); p: tasks x 2 posteriors (written for the range); n: (W*2) x 2 counts, zeroed
/// by the caller, receives the scatter. Writes out[0], out[1] (the posteriors' column sums) and
/// out[2] (the entropy term sum_t sum_c P' ln P', P' = max(P, 1e-10)); hard != 0 for hard EM.
void tally_ds_binary_range(const int64_t *offsets, const int32_t *entries, const double *d, double priorOdds,
                           const int32_t *gold, double *p, double *n, int64_t begin, int64_t end, int hard,
                           double *out);

/// The two-label pass over the compact table (compact.c, issue 17): offsets are uint32, there is no
/// gold, p (tasks x 2, may be NULL) and labels (one byte per task, the argmax with ties to label 0,
/// may be NULL) are written for the range when given; otherwise as tally_ds_binary_range, whose
/// sums it repeats in the same order.
void tally_ds_binary_compact(const uint32_t *offsets, const int32_t *entries, const double *d, double priorOdds,
                             double *p, uint8_t *labels, double *n, int64_t begin, int64_t end, int hard,
                             double *out);

/// The blocked two-label pass (binary_blocked.c, issue 17): tally_ds_binary_range's (and, with
/// uint32 offsets and no gold, tally_ds_binary_compact's) arithmetic in the same order, so the same
/// bits, with the tasks taken in blocks of 32 (log-odds of the block, then posteriors four at a time,
/// then the scatter) so that their memory accesses overlap. offsets: int64 (offsets32 == 0) or
/// uint32 (offsets32 != 0); entries: the fused worker*2+label as int32 (entries16 == 0) or uint16
/// (entries16 != 0, possible when workers*2 <= 65536); p (tasks x 2) and labels (argmax byte, ties to
/// label 0) are written for the range when non-NULL; gold may be NULL. variant: TALLY_DS_AUTO (AVX2
/// when the CPU has it), TALLY_DS_BASELINE or TALLY_DS_AVX2. Returns 0, or -1 when the variant is not
/// available on this CPU.
int tally_ds_binary_blocked(const void *offsets, int offsets32, const void *entries, int entries16, const double *d,
                            double priorOdds, const int32_t *gold, double *p, uint8_t *labels, double *n,
                            int64_t begin, int64_t end, int hard, double *out, int variant);

/// Doubles of scratch one call of tally_glad_objective_range needs for `capacity` answers
/// (capacity must be at least the largest task's answer count); plus `capacity` int32s.
int64_t tally_glad_scratch_doubles(int64_t capacity);

/// GLAD's objective pass over tasks [begin, end), every sum exact on the fixed-point grid 2^-64
/// (each term clamped to +-2^40, truncated, added in wrapping 128-bit integers: the same integers
/// in any order, see ExactSum.swift): adds into valueSum (one int128) the sum over answers of
/// py (-ln sigma(x)) + (1 - py)(-ln sigma(-x) + lnOthers) with x = alpha[w] e^{beta[t]} and
/// py = post[t*k + y] (crowd-kit's clamped softplus; the negated likelihood), adds each answer's
/// (py - sigma(x)) e^{beta[t]} into alphaSums[w] (int128s, not zeroed here) and writes the sum of
/// (py - sigma(x)) x per task into betaGrad[t] as a double (NaN when a term is). NaN terms of the
/// value or alpha sums are counted in *nans. `divider` = ceil(2^64 / k) splits the fused entry.
void tally_glad_objective_range(const int64_t *offsets, const int32_t *entries, int64_t begin, int64_t end,
                                int k, uint64_t divider, const double *alpha, const double *beta,
                                const double *post, void *alphaSums, double *betaGrad, double lnOthers,
                                double *scratch, int32_t *scratchWorkers, int64_t capacity, void *valueSum, int64_t *nans);

/// 1 when the AVX2+FMA variant is in use on this CPU.
int tally_kernels_avx2(void);
#endif
