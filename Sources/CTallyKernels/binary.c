// The Dawid-Skene pass for two labels in C (DawidSkeneEngine.binaryRange is the Swift reference;
// see its comments for the log-odds form, the e^-69 flush and the blocked ln(1+z) products).
// Differences from the Swift pass: the inline exp (exp_inline.h, 4.7e-16 relative to libm's)
// instead of a libm call per task, and the scatter of a posterior pair into its two adjacent
// count cells as one 16-byte load, add and store. The sums run in the same order as the Swift
// pass's (four partial sums over the answers of a task), so the two agree to the exp's last bits.
#include "CTallyKernels.h"
#include <math.h>
#include "exp_inline.h"
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#define EPS 1e-10

#define BINARY_RANGE(NAME, ENTRY)                                                                       \
void NAME(const int64_t *restrict offsets, const ENTRY *restrict entries, const double *restrict d,   \
          double priorOdds, const int32_t *restrict gold, double *restrict p, double *restrict n,      \
          int64_t begin, int64_t end, int hard, double *restrict out) {                                \
    const double epsTerm = EPS * log(EPS);                                                              \
    double sum0 = 0.0, sum1 = 0.0, entropy = 0.0, product = 1.0;                                        \
    int inBlock = 0;                                                                                    \
    for (int64_t t = begin; t < end; t++) {                                                             \
        const int64_t lo = offsets[t], hi = offsets[t + 1];                                             \
        double p0, p1;                                                                                  \
        if (gold && gold[t] >= 0) {                                                                     \
            p1 = gold[t] == 1 ? 1.0 : 0.0;                                                              \
            p0 = 1.0 - p1;                                                                              \
            entropy += epsTerm;                                                                         \
        } else {                                                                                        \
            double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;                                              \
            int64_t i = lo;                                                                             \
            for (; i + 4 <= hi; i += 4) {                                                               \
                a0 += d[entries[i]];                                                                    \
                a1 += d[entries[i + 1]];                                                                \
                a2 += d[entries[i + 2]];                                                                \
                a3 += d[entries[i + 3]];                                                                \
            }                                                                                           \
            for (; i < hi; i++) a0 += d[entries[i]];                                                    \
            const double delta = priorOdds + ((a0 + a1) + (a2 + a3));                                   \
            if (hard) {                                                                                 \
                p1 = delta > 0 ? 1.0 : 0.0;                                                             \
                p0 = 1.0 - p1;                                                                          \
                entropy += epsTerm;                                                                     \
            } else {                                                                                    \
                const double a = fabs(delta);                                                           \
                const double z = a < 69.0 ? exp_nonpositive(-a) : 0.0;                                  \
                const double high = 1.0 / (1.0 + z), low = z * high;                                    \
                if (delta > 0) { p0 = low; p1 = high; } else { p0 = high; p1 = low; }                  \
                product *= 1.0 + z;                                                                     \
                if (++inBlock == 512) {                                                                 \
                    entropy -= log(product);                                                            \
                    product = 1.0;                                                                      \
                    inBlock = 0;                                                                        \
                }                                                                                       \
                entropy += low >= EPS ? -low * a : epsTerm;                                             \
            }                                                                                           \
        }                                                                                               \
        p[2 * t] = p0;                                                                                  \
        p[2 * t + 1] = p1;                                                                              \
        sum0 += p0;                                                                                     \
        sum1 += p1;                                                                                     \
        SCATTER(ENTRY)                                                                                  \
    }                                                                                                   \
    entropy -= log(product);                                                                            \
    out[0] = sum0;                                                                                      \
    out[1] = sum1;                                                                                      \
    out[2] = entropy;                                                                                   \
}

#if defined(__x86_64__)
#define SCATTER(ENTRY)                                                                                  \
        {                                                                                               \
            const __m128d pair = _mm_set_pd(p1, p0);                                                    \
            for (int64_t i = lo; i < hi; i++) {                                                         \
                double *c = n + 2 * (int64_t)entries[i];                                                \
                _mm_storeu_pd(c, _mm_add_pd(_mm_loadu_pd(c), pair));                                    \
            }                                                                                           \
        }
#else
#define SCATTER(ENTRY)                                                                                  \
        for (int64_t i = lo; i < hi; i++) {                                                             \
            double *c = n + 2 * (int64_t)entries[i];                                                    \
            c[0] += p0;                                                                                 \
            c[1] += p1;                                                                                 \
        }
#endif

BINARY_RANGE(tally_ds_binary_range, int32_t)
