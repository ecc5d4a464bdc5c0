// GLAD's special functions for Swift (the E-step, the Swift objective pass, the constants ln(K - 1)
// and the log-priors) and the check that the vector lanes give the scalar bits. glad_math.h has
// the algorithms.
#pragma STDC FP_CONTRACT OFF
#include "CTallyKernels.h"
#include "glad_math.h"

double tally_glad_exp(double x) { return glad_exp(x); }

double tally_glad_exp_nonpositive(double x) { return glad_exp_nonpositive(x); }

double tally_glad_log1p_unit(double x) { return glad_log1p_unit(x); }

double tally_glad_softplus_negative(double ax) { return ax <= 30.0 ? glad_log1p_unit(glad_exp_nonpositive(0.0 - ax)) : 0.0; }

// ln y = e ln2 + ln m with y = m 2^e, m in [sqrt(1/2), sqrt(2)): ln m = log1p(m - 1) (m - 1 exact,
// in [-0.293, 0.415), glad_log1p_unit's lower range, which is fdlibm's for that whole interval),
// e ln2 in two parts (e ln2_hi exact).
double tally_glad_log(double y) {
    if (y != y || y < 0) return __builtin_nan("");
    if (y == 0) return -__builtin_inf();
    if (y == __builtin_inf()) return y;
    int scaled = 0;
    if (y < 0x1p-1022) { y = y * 0x1p54; scaled = 54; }
    uint64_t bits;
    memcpy(&bits, &y, 8);
    int e = (int)((bits >> 52) & 0x7ff) - 1023 - scaled;
    bits = (bits & 0x000FFFFFFFFFFFFFULL) | 0x3FF0000000000000ULL;
    double m;
    memcpy(&m, &bits, 8);
    if (m > 1.0 + GLAD_SQRT2_M1) { m = m * 0.5; e += 1; }
    const double ed = (double)e;
    const double lo = glad_log1p_unit(m - 1.0) + ed * GLAD_LN2_LO;
    return ed * GLAD_LN2_HI + lo;
}

#if defined(__x86_64__)
__attribute__((target("avx2")))
static int64_t mismatches_avx2(const double *x, int64_t n, int function) {
    int64_t bad = 0;
    for (int64_t i = 0; i + 4 <= n; i += 4) {
        const __m256d v = _mm256_loadu_pd(x + i);
        double out[4];
        switch (function) {
        case 0: _mm256_storeu_pd(out, glad_exp_avx2(v)); break;
        case 1: _mm256_storeu_pd(out, glad_exp_nonpositive_avx2(v)); break;
        default: _mm256_storeu_pd(out, glad_log1p_unit_avx2(v)); break;
        }
        for (int r = 0; r < 4; r++) {
            const double a = x[i + r];
            const double want = function == 0 ? glad_exp(a) : function == 1 ? glad_exp_nonpositive(a) : glad_log1p_unit(a);
            if (memcmp(&want, &out[r], sizeof want) != 0) bad++;
        }
    }
    return bad;
}
#endif

int64_t tally_glad_math_mismatches(const double *x, int64_t n, int function) {
#if defined(__x86_64__)
    if (!tally_kernels_avx2()) return -1;
    return mismatches_avx2(x, n, function);
#else
    (void)x; (void)n; (void)function;
    return -1;
#endif
}
