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
/// AVX512 is for tally_ds_binary_blocked only (its posteriors eight tasks at a time; the same bits).
enum { TALLY_DS_AUTO = 0, TALLY_DS_GENERIC = 1, TALLY_DS_BASELINE = 2, TALLY_DS_AVX2 = 3, TALLY_DS_AVX2_BLOCKED = 4,
       TALLY_DS_AVX512 = 5 };

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
/// label 0) are written for the range when non-NULL; gold may be NULL. variant: TALLY_DS_AUTO (AVX-512
/// when the CPU has it, else AVX2 when it has that), TALLY_DS_BASELINE, TALLY_DS_AVX2 or
/// TALLY_DS_AVX512 (the soft posteriors eight tasks at a time). Every variant gives the same bits.
/// Returns 0, or -1 when the variant is not available on this CPU.
int tally_ds_binary_blocked(const void *offsets, int offsets32, const void *entries, int entries16, const double *d,
                            double priorOdds, const int32_t *gold, double *p, uint8_t *labels, double *n,
                            int64_t begin, int64_t end, int hard, double *out, int variant);

/// A Dawid-Skene fit's starting posteriors: each task's unweighted vote shares (count of each label
/// over the task's answers; the same bits as the Swift VoteKernels.shares), written into p
/// (tasks x K; every cell written). offsets: tasks + 1 task-sorted CSR offsets; entries: fused
/// worker*K+label.
void tally_ds_vote_shares(const int64_t *offsets, const int32_t *entries, int64_t tasks, int k, double *p);

/// counts[e*K + c] += p[t*K + c] for every answer (entry e) of every task t, in task order then
/// answer order (one thread; the first M-step's expected counts, the same bits as the Swift loop).
void tally_ds_scatter_rows(const int64_t *offsets, const int32_t *entries, int64_t tasks, int k, const double *p,
                           double *counts);

/// observed[e] = 1 for each of the `count` entries (observed zeroed by the caller, as large as the
/// largest entry + 1); with narrow non-NULL, also narrow[i] = entries[i] as a 16-bit number (the
/// caller checks that every entry is below 65536).
void tally_mark_entries(const int32_t *entries, int64_t count, uint8_t *observed, uint16_t *narrow);

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

/// GLAD's e^x (glad_math.h, Tally's own, no libm): 0 below -708, e^708 above 708, NaN for NaN.
/// The same bits on every CPU (no fused multiply-add); the objective pass uses the same function.
double tally_glad_exp(double x);

/// GLAD's e^x for x <= 0, 0 below -69 (the sigmoid's e^{-|x|} in the objective pass).
double tally_glad_exp_nonpositive(double x);

/// GLAD's ln(1 + x) for x in [0, 1] (fdlibm's algorithm, no libm, no fused multiply-add).
double tally_glad_log1p_unit(double x);

/// ln(1 + e^{-ax}) for ax <= 30 (tally_glad_log1p_unit of tally_glad_exp_nonpositive(-ax), the
/// objective pass's softplus term), 0 above 30 or for NaN.
double tally_glad_softplus_negative(double ax);

/// GLAD's ln y (through tally_glad_log1p_unit): -inf for 0, NaN for NaN or y < 0, inf for inf.
double tally_glad_log(double y);

/// The AVX2 lanes of GLAD's functions against their scalar spelling on x[0..<n] (n a multiple of
/// 4; function 0: tally_glad_exp, 1: tally_glad_exp_nonpositive, 2: tally_glad_log1p_unit): the
/// number of values whose bits differ (0 expected), or -1 without AVX2 (or under
/// tally_kernels_force_baseline).
int64_t tally_glad_math_mismatches(const double *x, int64_t n, int function);

/// ExactSum.dot's exact sum (exact_dot.c): 0 when an entry of a[0..<n] or b[0..<n] is not finite
/// (nothing written); 1 when max|a| or max|b| is 0 (the dot is 0); else 2, with the sum of every
/// product a[i]*b[i] (rounded as a double) truncated onto the grid 2^exponent, as one int128
/// written to sum (the dot is sum * 2^exponent, rounded once).
int tally_exact_dot(const double *a, const double *b, int64_t n, int *exponent, void *sum);

/// 1 when the AVX2+FMA variant is in use on this CPU (and not turned off for the calling thread).
int tally_kernels_avx2(void);

/// 1 when the CPU (and OS) has AVX-512F as well as AVX2+FMA, for the kernels that have an AVX-512
/// copy (the two-label blocked pass's posteriors, binary_blocked.c); 0 when the calling thread was
/// switched to the baseline copies.
int tally_kernels_avx512(void);

/// on = 1: every kernel called from this thread runs its baseline (non-AVX2) copy, as on a CPU
/// without AVX2; on = 0 undoes it. Other threads are not affected. For tests of the baseline copies.
void tally_kernels_force_baseline(int on);

/// psi[i] = ψ(x[i]) and, when lg is not NULL, lg[i] = ln Γ(x[i]), for i < n and x[i] > 0 (special.c):
/// the shift to x >= 10 by the recurrence, then the asymptotic series, as DirichletFunctions.swift;
/// four at a time with AVX2+FMA when the CPU has them (arguments below 1e-280 or above 1e300 go
/// through the scalar path). About 1e-15 absolute from SciPy's digamma and gammaln.
void tally_digamma_loggamma(const double *x, double *psi, double *lg, int64_t n);

/// Variants of tally_digamma_loggamma, for measurements and tests: AUTO is what it runs (AVX2 when
/// the CPU has it), BASELINE the scalar code with libm's log.
enum { TALLY_SPECIAL_AUTO = 0, TALLY_SPECIAL_BASELINE = 1 };

void tally_digamma_loggamma_variant(const double *x, double *psi, double *lg, int64_t n, int variant);

/// EBCC's task pass over all tasks (ebcc.c; EBCCEngine.taskPass in EBCC+Variational.swift): per
/// task, the scores of the `always` pairs of highest prefix plus any other pair within e^-69 of the
/// best, q(z, g) by a softmax over them, written into zg (tasks x K*M, pair order), z (tasks x K),
/// added into nextGroups (K*M), nextClasses (K) and, per answer, into counts (rows of K*M at
/// entries[e] * K*M). prefix: K*M in `order`; logV: rows of K*M, in `order` when column is NULL,
/// else in storage order with column = order; s, q: K*M scratch. *moved = 1 when some z moved
/// beyond atol + rtol |new|. Returns the sum over tasks of the entropy of q(z, g). AVX2+FMA code
/// when the CPU has it.
double tally_ebcc_task_pass(const int64_t *offsets, const int32_t *entries, int64_t tasks, int k, int m,
                            const double *prefix, const double *logV, const int32_t *order, const int32_t *column,
                            int always, double *zg, double *z, double *s, double *q, double *counts,
                            double *nextGroups, double *nextClasses, double atol, double rtol, int *moved);

/// Variants of tally_ebcc_task_pass for measurements and tests: AUTO (AVX2 when the CPU has it) or BASELINE.
enum { TALLY_EBCC_AUTO = 0, TALLY_EBCC_BASELINE = 1 };

double tally_ebcc_task_pass_variant(const int64_t *offsets, const int32_t *entries, int64_t tasks, int k, int m,
                                    const double *prefix, const double *logV, const int32_t *order,
                                    const int32_t *column, int always, double *zg, double *z, double *s, double *q,
                                    double *counts, double *nextGroups, double *nextClasses, double atol,
                                    double rtol, int *moved, int variant);

/// BWA's update pass (bwa.c; BWA.Pairs.update in BWA.swift): for every task, the new score of
/// each active label into next (tasks x K; inactive labels copied from z), moved[c] = 1 when some
/// score of label c moved beyond atol + rtol |new|; residual (workers x K, zeroed here) and sums
/// (K, zeroed here) remade for the new scores. Pairs are task-sorted (taskOffsets), worker[p] their
/// worker; labelOffsets[p]..labelOffsets[p+1] index their labels in `labels`, or, when
/// labelOffsets is NULL, pair p gave the one label labels[p]. K <= TALLY_KERNELS_MAX_K.
void tally_bwa_update(const int64_t *taskOffsets, int64_t tasks, const int32_t *worker, const int64_t *labelOffsets,
                      const int32_t *labels, int k, const double *v, const double *mean, double lambda,
                      const uint8_t *active, const double *z, double *next, double *residual, double *sums,
                      double atol, double rtol, uint8_t *moved, int64_t workers);

/// BWA's precisions: precision[j*K + c] = (a + tasksOfWorker[j]) / (rate[c] + residual[j*K + c])
/// for the active labels c (bwa.c).
void tally_bwa_precisions(int64_t workers, int k, double a, const double *tasksOfWorker, const double *rate,
                          const double *residual, const uint8_t *active, double *precision);

/// BWA's residuals of the scores z (bwa.c; BWA.Pairs.residuals): residual[j*K + c] = sum over the
/// pairs of worker j of (z[t*K + c] - [c answered])^2, zeroed first; pairs as tally_bwa_update.
void tally_bwa_residuals(const int64_t *taskOffsets, int64_t tasks, const int32_t *worker, const int64_t *labelOffsets,
                         const int32_t *labels, int k, const double *z, double *residual, int64_t workers);
#endif
