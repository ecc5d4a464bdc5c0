// Shared inline helpers of the C kernels (not part of the public header).
#ifndef TALLY_EXP_INLINE_H
#define TALLY_EXP_INLINE_H
#include <stdint.h>
#include <string.h>

// e^x for x <= 0; 0 below -69. Range reduction with the 1.5*2^52 shifter, whose low mantissa
// bits then hold k, so 2^k is built with integer adds and shifts (no libm call, no float-to-int
// conversion). With FMA the AVX2 variant may differ from the baseline in the last bits.
static inline __attribute__((always_inline)) double exp_nonpositive(double x) {
    const double shifter = 6755399441055744.0;
    double xc = x < -70.0 ? -70.0 : x;
    double t = xc * 1.4426950408889634 + shifter;
    double kd = t - shifter;
    double r = (xc - kd * 0.6931471803691238) - kd * 1.9082149292705877e-10;
    double q = 1.0 / 479001600.0;
    q = q * r + 1.0 / 39916800.0;
    q = q * r + 1.0 / 3628800.0;
    q = q * r + 1.0 / 362880.0;
    q = q * r + 1.0 / 40320.0;
    q = q * r + 1.0 / 5040.0;
    q = q * r + 1.0 / 720.0;
    q = q * r + 1.0 / 120.0;
    q = q * r + 1.0 / 24.0;
    q = q * r + 1.0 / 6.0;
    q = q * r + 0.5;
    q = q * r + 1.0;
    q = q * r + 1.0;
    uint64_t bits;
    memcpy(&bits, &t, 8);
    bits = (bits + 1023) << 52;
    double scale;
    memcpy(&scale, &bits, 8);
    double result = q * scale;
    return x < -69.0 ? 0.0 : result;
}

#endif
