// The Dawid-Skene pass for two labels over the compact table (`CompactAnswers`, issue 17): task
// offsets as uint32 (4 bytes per task instead of 8), no gold, and the posteriors optional: EM does
// not read the previous iteration's posteriors, so during the iterations only a byte per task (the
// argmax label) is written, and the posterior pair only when the caller asks for it.
// The arithmetic is tally_ds_binary_range's (binary.c), in the same order, so the two passes give
// the same bits (the compact fit's labels and losses equal the normal path's).
#include "CTallyKernels.h"
#include <math.h>
#include "exp_inline.h"
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#define EPS 1e-10

void tally_ds_binary_compact(const uint32_t *restrict offsets, const int32_t *restrict entries,
                             const double *restrict d, double priorOdds, double *restrict p,
                             uint8_t *restrict labels, double *restrict n, int64_t begin, int64_t end,
                             int hard, double *restrict out) {
    const double epsTerm = EPS * log(EPS);
    double sum0 = 0.0, sum1 = 0.0, entropy = 0.0, product = 1.0;
    int inBlock = 0;
    for (int64_t t = begin; t < end; t++) {
        const int64_t lo = offsets[t], hi = offsets[t + 1];
        double p0, p1;
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        int64_t i = lo;
        for (; i + 4 <= hi; i += 4) {
            a0 += d[entries[i]];
            a1 += d[entries[i + 1]];
            a2 += d[entries[i + 2]];
            a3 += d[entries[i + 3]];
        }
        for (; i < hi; i++) a0 += d[entries[i]];
        const double delta = priorOdds + ((a0 + a1) + (a2 + a3));
        if (hard) {
            p1 = delta > 0 ? 1.0 : 0.0;
            p0 = 1.0 - p1;
            entropy += epsTerm;
        } else {
            const double a = fabs(delta);
            const double z = a < 69.0 ? exp_nonpositive(-a) : 0.0;
            const double high = 1.0 / (1.0 + z), low = z * high;
            if (delta > 0) { p0 = low; p1 = high; } else { p0 = high; p1 = low; }
            product *= 1.0 + z;
            if (++inBlock == 512) {
                entropy -= log(product);
                product = 1.0;
                inBlock = 0;
            }
            entropy += low >= EPS ? -low * a : epsTerm;
        }
        if (p) {
            p[2 * t] = p0;
            p[2 * t + 1] = p1;
        }
        if (labels) labels[t] = p1 > p0 ? 1 : 0;
        sum0 += p0;
        sum1 += p1;
#if defined(__x86_64__)
        const __m128d pair = _mm_set_pd(p1, p0);
        for (int64_t j = lo; j < hi; j++) {
            double *c = n + 2 * (int64_t)entries[j];
            _mm_storeu_pd(c, _mm_add_pd(_mm_loadu_pd(c), pair));
        }
#else
        for (int64_t j = lo; j < hi; j++) {
            double *c = n + 2 * (int64_t)entries[j];
            c[0] += p0;
            c[1] += p1;
        }
#endif
    }
    entropy -= log(product);
    out[0] = sum0;
    out[1] = sum1;
    out[2] = entropy;
}
