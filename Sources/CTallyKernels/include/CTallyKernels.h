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

/// 1 when the AVX2+FMA variant is in use on this CPU.
int tally_kernels_avx2(void);
#endif
