// The blocked two-label Dawid-Skene pass (issue 17, item 5): the arithmetic of binary.c's
// tally_ds_binary_range and compact.c's tally_ds_binary_compact, in the same order and so with the
// same bits, restructured so that the CPU can overlap tasks.
//
// Why: the simple pass runs each task as one long dependent chain (gather the answers' log-odds
// from L2, add, exp, divide, then scatter the posterior into the answers' count cells), about 150
// instructions with a latency near 100 cycles, so the out-of-order window holds little more than
// one task and the pass is latency-bound (2.5 ns per answer on one thread against a memory floor
// near 0.15). Here the tasks go in blocks of BLOCK: first every task's log-odds sum (independent
// chains, the loads overlap), then the posteriors four tasks at a time with AVX2 (the same
// operations as exp_nonpositive, unfused, so the same bits) and the running sums in task order,
// then the scatter in task order (each count cell receives its additions in the same order as
// before, so the counts are bit-identical too).
//
// With AVX-512 (binary_blocked_avx512) the posteriors go eight tasks at a time, with the same bits.
//
// Variants: the entries as int32 (the engine's fused worker*2+label) or as uint16 (when
// workers * 2 <= 65536: half the bytes streamed), the offsets as int64 (the engine) or uint32
// (CompactAnswers).
#include "CTallyKernels.h"
#include <math.h>
#include "exp_inline.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// Same bits as the scalar code: no multiply-add may be fused in the AVX2 copy either.
#pragma STDC FP_CONTRACT OFF

#define EPS 1e-10
#define ALWAYS_INLINE __attribute__((always_inline))

// Tasks per block: their log-odds, posteriors and answers stay in L1 between the phases.
enum { BLOCK = 32 };

// The offsets and entries of one variant (constant-folded where the inline function is used).
#define OFFSET(t) (offsets32 ? (int64_t)((const uint32_t *)offsetsV)[t] : ((const int64_t *)offsetsV)[t])
#define ENTRY(i) (entries16 ? (int64_t)((const uint16_t *)entriesV)[i] : (int64_t)((const int32_t *)entriesV)[i])

// Phase 1: each task's log-odds, priorOdds + the answers' d in four partial sums (binary.c's order).
static inline ALWAYS_INLINE void gather_block(const void *restrict offsetsV, const void *restrict entriesV,
                                              const int offsets32, const int entries16, const int stride,
                                              const double *restrict d, double priorOdds, int64_t t0, int nb,
                                              double *restrict delta) {
    for (int j = 0; j < nb; j++) {
        const int64_t lo = OFFSET(t0 + j), hi = OFFSET(t0 + j + 1);
        double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
        int64_t i = lo;
        for (; i + 4 <= hi; i += 4) {
            a0 += d[stride * ENTRY(i)];
            a1 += d[stride * ENTRY(i + 1)];
            a2 += d[stride * ENTRY(i + 2)];
            a3 += d[stride * ENTRY(i + 3)];
        }
        for (; i < hi; i++) a0 += d[stride * ENTRY(i)];
        delta[j] = priorOdds + ((a0 + a1) + (a2 + a3));
    }
}

// Phase 3: each task's posterior pair into its answers' two adjacent count cells, in task order.
static inline ALWAYS_INLINE void scatter_block(const void *restrict offsetsV, const void *restrict entriesV,
                                               const int offsets32, const int entries16, const int stride,
                                               double *restrict n, int64_t t0, int nb, const double *restrict pairs) {
    for (int j = 0; j < nb; j++) {
        const int64_t lo = OFFSET(t0 + j), hi = OFFSET(t0 + j + 1);
#if defined(__x86_64__)
        const __m128d pair = _mm_loadu_pd(pairs + 2 * j);
        for (int64_t i = lo; i < hi; i++) {
            double *c = n + stride * ENTRY(i);
            _mm_storeu_pd(c, _mm_add_pd(_mm_loadu_pd(c), pair));
        }
#else
        const double p0 = pairs[2 * j], p1 = pairs[2 * j + 1];
        for (int64_t i = lo; i < hi; i++) {
            double *c = n + stride * ENTRY(i);
            c[0] += p0;
            c[1] += p1;
        }
#endif
    }
}

// The running sums of phase 2, carried across blocks.
typedef struct {
    double sum0, sum1, entropy, product;
    int inBlock;
} Sums;

// Phase 2 for one task given z = e^{-|delta|} (0 at |delta| >= 69) and high = 1/(1+z): binary.c's
// branches and sums, in task order. Writes the pair into pairs[0..1].
static inline ALWAYS_INLINE void posterior_one(Sums *restrict s, double delta, double z, double high, int goldLabel,
                                               int hard, double epsTerm, double *restrict pairs) {
    double p0, p1;
    if (goldLabel >= 0) {
        p1 = goldLabel == 1 ? 1.0 : 0.0;
        p0 = 1.0 - p1;
        s->entropy += epsTerm;
    } else if (hard) {
        p1 = delta > 0 ? 1.0 : 0.0;
        p0 = 1.0 - p1;
        s->entropy += epsTerm;
    } else {
        const double a = fabs(delta);
        const double low = z * high;
        if (delta > 0) { p0 = low; p1 = high; } else { p0 = high; p1 = low; }
        s->product *= 1.0 + z;
        if (++s->inBlock == 512) {
            s->entropy -= log(s->product);
            s->product = 1.0;
            s->inBlock = 0;
        }
        s->entropy += low >= EPS ? -low * a : epsTerm;
    }
    pairs[0] = p0;
    pairs[1] = p1;
    s->sum0 += p0;
    s->sum1 += p1;
}

static inline ALWAYS_INLINE void posterior_block_scalar(Sums *restrict s, const double *restrict delta, int nb,
                                                        const int32_t *restrict gold, int64_t t0, int hard,
                                                        double epsTerm, double *restrict pairs) {
    for (int j = 0; j < nb; j++) {
        const double a = fabs(delta[j]);
        const double z = a < 69.0 ? exp_nonpositive(-a) : 0.0;
        posterior_one(s, delta[j], z, 1.0 / (1.0 + z), gold ? gold[t0 + j] : -1, hard, epsTerm, pairs + 2 * j);
    }
}

#if defined(__x86_64__)
// exp_nonpositive's degree-12 Taylor coefficients (exp_inline.h), highest first: the vector copies
// below run Horner's rule over them with a multiply and an add a step (no FMA), as the scalar does.
static const double exp_taylor[13] = {1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
                                      1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0,
                                      1.0 / 6.0, 0.5, 1.0, 1.0};
// The running sums of `count` tasks' posteriors, computed lane-wise by a vector phase, added in
// task order as posterior_one adds them (so the vector phases keep the scalar pass's bits), and the
// pairs interleaved into `pairs`.
static inline ALWAYS_INLINE void sums_in_order(Sums *restrict s, const double *restrict factors, const double *restrict terms,
                                               const double *restrict p0s, const double *restrict p1s, int count,
                                               double *restrict pairs) {
    double sum0 = s->sum0, sum1 = s->sum1, entropy = s->entropy, product = s->product;
    int inBlock = s->inBlock;
    for (int j = 0; j < count; j++) {
        product *= factors[j];
        if (++inBlock == 512) {
            entropy -= log(product);
            product = 1.0;
            inBlock = 0;
        }
        entropy += terms[j];
        pairs[2 * j] = p0s[j];
        pairs[2 * j + 1] = p1s[j];
        sum0 += p0s[j];
        sum1 += p1s[j];
    }
    s->sum0 = sum0, s->sum1 = sum1, s->entropy = entropy, s->product = product, s->inBlock = inBlock;
}

#define TARGET_AVX2 __attribute__((target("avx2")))
// exp_nonpositive(-a) for a >= 0 four at a time, with the same operations in the same order (no
// FMA), so every lane has the scalar function's bits; 0 where a >= 69 (the pass's flush).
TARGET_AVX2 static inline ALWAYS_INLINE __m256d exp_minus_avx2(__m256d a) {
    const __m256d x = _mm256_sub_pd(_mm256_setzero_pd(), a);
    const __m256d shifter = _mm256_set1_pd(6755399441055744.0);
    const __m256d xc = _mm256_max_pd(x, _mm256_set1_pd(-70.0));
    const __m256d t = _mm256_add_pd(_mm256_mul_pd(xc, _mm256_set1_pd(1.4426950408889634)), shifter);
    const __m256d kd = _mm256_sub_pd(t, shifter);
    const __m256d r = _mm256_sub_pd(_mm256_sub_pd(xc, _mm256_mul_pd(kd, _mm256_set1_pd(0.6931471803691238))),
                                    _mm256_mul_pd(kd, _mm256_set1_pd(1.9082149292705877e-10)));
    __m256d q = _mm256_set1_pd(exp_taylor[0]);
    for (int i = 1; i < 13; i++) q = _mm256_add_pd(_mm256_mul_pd(q, r), _mm256_set1_pd(exp_taylor[i]));
    const __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(1023)), 52);
    const __m256d result = _mm256_mul_pd(q, _mm256_castsi256_pd(bits));
    return _mm256_and_pd(result, _mm256_cmp_pd(a, _mm256_set1_pd(69.0), _CMP_LT_OQ));
}

TARGET_AVX2 static inline ALWAYS_INLINE void posterior_block_avx2(Sums *restrict s, const double *restrict delta, int nb,
                                                                  const int32_t *restrict gold, int64_t t0, int hard,
                                                                  double epsTerm, double *restrict pairs) {
    if (gold || hard) {  // the rare paths: one task at a time
        posterior_block_scalar(s, delta, nb, gold, t0, hard, epsTerm, pairs);
        return;
    }
    // Soft EM without gold: everything per task four lanes at a time, then the running sums (and
    // the pairs' interleaving) in task order, as posterior_one adds them.
    double p0s[BLOCK], p1s[BLOCK], factors[BLOCK], terms[BLOCK];
    const __m256d sign = _mm256_set1_pd(-0.0), one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
    const __m256d eps = _mm256_set1_pd(EPS), epsTerms = _mm256_set1_pd(epsTerm);
    const int vectorEnd = nb & ~3;
    for (int j = 0; j < vectorEnd; j += 4) {
        const __m256d dl = _mm256_loadu_pd(delta + j);
        const __m256d a = _mm256_andnot_pd(sign, dl);
        const __m256d z = exp_minus_avx2(a);
        const __m256d factor = _mm256_add_pd(one, z);
        const __m256d high = _mm256_div_pd(one, factor), low = _mm256_mul_pd(z, high);
        const __m256d positive = _mm256_cmp_pd(dl, zero, _CMP_GT_OQ);
        _mm256_storeu_pd(p0s + j, _mm256_blendv_pd(high, low, positive));
        _mm256_storeu_pd(p1s + j, _mm256_blendv_pd(low, high, positive));
        _mm256_storeu_pd(factors + j, factor);
        const __m256d term = _mm256_mul_pd(_mm256_xor_pd(low, sign), a);
        _mm256_storeu_pd(terms + j, _mm256_blendv_pd(epsTerms, term, _mm256_cmp_pd(low, eps, _CMP_GE_OQ)));
    }
    sums_in_order(s, factors, terms, p0s, p1s, vectorEnd, pairs);
    for (int j = vectorEnd; j < nb; j++) {
        const double a = fabs(delta[j]);
        const double z = a < 69.0 ? exp_nonpositive(-a) : 0.0;
        posterior_one(s, delta[j], z, 1.0 / (1.0 + z), -1, 0, epsTerm, pairs + 2 * j);
    }
}

// The same phase eight tasks at a time with AVX-512 (issue 17, item 5): the exp's Horner chain is
// about 100 cycles of dependent operations per vector, so with four lanes the pass waited on it;
// eight lanes halve the chains. The same operations in the same order as exp_minus_avx2 (no FMA),
// so every lane still has the scalar function's bits; the rest as posterior_block_avx2.
#define TARGET_AVX512 __attribute__((target("avx2,avx512f")))
TARGET_AVX512 static inline ALWAYS_INLINE __m512d exp_minus_avx512(__m512d a) {
    const __m512d x = _mm512_sub_pd(_mm512_setzero_pd(), a);
    const __m512d shifter = _mm512_set1_pd(6755399441055744.0);
    const __m512d xc = _mm512_max_pd(x, _mm512_set1_pd(-70.0));
    const __m512d t = _mm512_add_pd(_mm512_mul_pd(xc, _mm512_set1_pd(1.4426950408889634)), shifter);
    const __m512d kd = _mm512_sub_pd(t, shifter);
    const __m512d r = _mm512_sub_pd(_mm512_sub_pd(xc, _mm512_mul_pd(kd, _mm512_set1_pd(0.6931471803691238))),
                                    _mm512_mul_pd(kd, _mm512_set1_pd(1.9082149292705877e-10)));
    __m512d q = _mm512_set1_pd(exp_taylor[0]);
    for (int i = 1; i < 13; i++) q = _mm512_add_pd(_mm512_mul_pd(q, r), _mm512_set1_pd(exp_taylor[i]));
    const __m512i bits = _mm512_slli_epi64(_mm512_add_epi64(_mm512_castpd_si512(t), _mm512_set1_epi64(1023)), 52);
    const __m512d result = _mm512_mul_pd(q, _mm512_castsi512_pd(bits));
    return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(a, _mm512_set1_pd(69.0), _CMP_LT_OQ), result);
}

// The AVX2 phase as a call: inlined into an AVX-512 function, exp_inline.h's scalar exp (outside
// this file's FP_CONTRACT OFF) would be contracted into FMAs there and lose the scalar bits.
TARGET_AVX2 __attribute__((noinline)) static void posterior_block_avx2_call(Sums *restrict s, const double *restrict delta, int nb,
                                                                          const int32_t *restrict gold, int64_t t0, int hard,
                                                                          double epsTerm, double *restrict pairs) {
    posterior_block_avx2(s, delta, nb, gold, t0, hard, epsTerm, pairs);
}

TARGET_AVX512 static inline ALWAYS_INLINE void posterior_block_avx512(Sums *restrict s, const double *restrict delta, int nb,
                                                                      const int32_t *restrict gold, int64_t t0, int hard,
                                                                      double epsTerm, double *restrict pairs) {
    if (gold || hard || nb & 7) {  // the rare paths, and a last block of another size: the AVX2 phase
        posterior_block_avx2_call(s, delta, nb, gold, t0, hard, epsTerm, pairs);
        return;
    }
    double p0s[BLOCK], p1s[BLOCK], factors[BLOCK], terms[BLOCK];
    const __m512i sign = _mm512_set1_epi64((long long)0x8000000000000000ULL);
    const __m512d one = _mm512_set1_pd(1.0), zero = _mm512_setzero_pd();
    const __m512d eps = _mm512_set1_pd(EPS), epsTerms = _mm512_set1_pd(epsTerm);
    for (int j = 0; j < nb; j += 8) {
        const __m512d dl = _mm512_loadu_pd(delta + j);
        const __m512d a = _mm512_castsi512_pd(_mm512_andnot_si512(sign, _mm512_castpd_si512(dl)));
        const __m512d z = exp_minus_avx512(a);
        const __m512d factor = _mm512_add_pd(one, z);
        const __m512d high = _mm512_div_pd(one, factor), low = _mm512_mul_pd(z, high);
        const __mmask8 positive = _mm512_cmp_pd_mask(dl, zero, _CMP_GT_OQ);
        _mm512_storeu_pd(p0s + j, _mm512_mask_blend_pd(positive, high, low));
        _mm512_storeu_pd(p1s + j, _mm512_mask_blend_pd(positive, low, high));
        _mm512_storeu_pd(factors + j, factor);
        const __m512d term = _mm512_mul_pd(_mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(low), sign)), a);
        _mm512_storeu_pd(terms + j, _mm512_mask_blend_pd(_mm512_cmp_pd_mask(low, eps, _CMP_GE_OQ), epsTerms, term));
    }
    sums_in_order(s, factors, terms, p0s, p1s, nb, pairs);
}
#endif

// The posteriors are written once per pass and not read again in it: streaming (non-temporal)
// stores when p is 16-byte aligned, so their lines are not first read into the cache.
static inline ALWAYS_INLINE void store_pairs(double *restrict dst, const double *restrict src, int count) {
#if defined(__x86_64__)
    if (((uintptr_t)dst & 15) == 0) {
        for (int j = 0; j < count; j += 2) _mm_stream_pd(dst + j, _mm_loadu_pd(src + j));
        return;
    }
#endif
    for (int j = 0; j < count; j++) dst[j] = src[j];
}

static inline ALWAYS_INLINE void store_fence(void) {
#if defined(__x86_64__)
    _mm_sfence();
#endif
}

// The whole pass over [begin, end); p (tasks x 2) and labels (argmax byte, ties to 0) when non-NULL.
// POSTERIORS is the phase-2 function (scalar, or AVX2 in functions compiled for it).
#define BLOCKED_BODY(POSTERIORS)                                                                          \
    const double epsTerm = EPS * log(EPS);                                                                \
    Sums s = {0.0, 0.0, 0.0, 1.0, 0};                                                                     \
    double delta[BLOCK], pairs[2 * BLOCK];                                                                \
    for (int64_t t0 = begin; t0 < end; t0 += BLOCK) {                                                     \
        const int nb = end - t0 < BLOCK ? (int)(end - t0) : BLOCK;                                        \
        gather_block(offsetsV, entriesV, offsets32, entries16, 1, d, priorOdds, t0, nb, delta);              \
        POSTERIORS(&s, delta, nb, gold, t0, hard, epsTerm, pairs);                                        \
        if (p) store_pairs(p + 2 * t0, pairs, 2 * nb);                                 \
        if (labels) for (int j = 0; j < nb; j++) labels[t0 + j] = pairs[2 * j + 1] > pairs[2 * j] ? 1 : 0; \
        scatter_block(offsetsV, entriesV, offsets32, entries16, 2, n, t0, nb, pairs);                        \
    }                                                                                                     \
    if (p) store_fence();                                                                                 \
    s.entropy -= log(s.product);                                                                          \
    out[0] = s.sum0;                                                                                      \
    out[1] = s.sum1;                                                                                      \
    out[2] = s.entropy;

#define BLOCKED_PARAMETERS                                                                                \
    const void *restrict offsetsV, const void *restrict entriesV, const int offsets32, const int entries16, \
    const double *restrict d, double priorOdds, const int32_t *restrict gold, double *restrict p,         \
    uint8_t *restrict labels, double *restrict n, int64_t begin, int64_t end, int hard, double *restrict out

static inline ALWAYS_INLINE void binary_blocked_scalar(BLOCKED_PARAMETERS) { BLOCKED_BODY(posterior_block_scalar) }
#if defined(__x86_64__)
TARGET_AVX2 static inline ALWAYS_INLINE void binary_blocked_avx2(BLOCKED_PARAMETERS) { BLOCKED_BODY(posterior_block_avx2) }
TARGET_AVX512 static inline ALWAYS_INLINE void binary_blocked_avx512(BLOCKED_PARAMETERS) { BLOCKED_BODY(posterior_block_avx512) }
#endif

// One function per layout (offsets, entries) and instruction set, each with the layout constant.
#define DEFINE(NAME, OFF32, ENT16, BODY, ATTR)                                                                 \
    ATTR static void NAME(const void *offsets, const void *entries, const double *d, double priorOdds,         \
                          const int32_t *gold, double *p, uint8_t *labels, double *n, int64_t begin,          \
                          int64_t end, int hard, double *out) {                                               \
        BODY(offsets, entries, OFF32, ENT16, d, priorOdds, gold, p, labels, n, begin, end, hard, out);         \
    }
#define DEFINE_ALL(SUFFIX, BODY, ATTR)                                                                        \
    DEFINE(b_64_32##SUFFIX, 0, 0, BODY, ATTR) DEFINE(b_64_16##SUFFIX, 0, 1, BODY, ATTR)                        \
    DEFINE(b_32_32##SUFFIX, 1, 0, BODY, ATTR) DEFINE(b_32_16##SUFFIX, 1, 1, BODY, ATTR)                        \
    static const BlockedPass passes##SUFFIX[4] = {b_64_32##SUFFIX, b_64_16##SUFFIX, b_32_32##SUFFIX, b_32_16##SUFFIX};

typedef void (*BlockedPass)(const void *, const void *, const double *, double, const int32_t *, double *, uint8_t *,
                            double *, int64_t, int64_t, int, double *);

DEFINE_ALL(_base, binary_blocked_scalar, )
#if defined(__x86_64__)
DEFINE_ALL(_avx2, binary_blocked_avx2, TARGET_AVX2)
DEFINE_ALL(_avx512, binary_blocked_avx512, TARGET_AVX512)
#endif

// The pass for a layout and variant, or NULL when the variant is not available on this CPU.
static BlockedPass choose(int offsets32, int entries16, int variant) {
    const int index = (offsets32 ? 2 : 0) + (entries16 ? 1 : 0);
#if defined(__x86_64__)
    if (variant == TALLY_DS_AVX512 || (variant == TALLY_DS_AUTO && tally_kernels_avx512()))
        return tally_kernels_avx512() ? passes_avx512[index] : 0;
    const int avx2 = variant == TALLY_DS_AVX2 || (variant == TALLY_DS_AUTO && tally_kernels_avx2());
    if (avx2) return tally_kernels_avx2() ? passes_avx2[index] : 0;
#else
    if (variant == TALLY_DS_AVX2 || variant == TALLY_DS_AVX512) return 0;
#endif
    return passes_base[index];
}

int tally_ds_binary_blocked(const void *offsets, int offsets32, const void *entries, int entries16, const double *d,
                            double priorOdds, const int32_t *gold, double *p, uint8_t *labels, double *n,
                            int64_t begin, int64_t end, int hard, double *out, int variant) {
    const BlockedPass pass = choose(offsets32, entries16, variant);
    if (!pass) return -1;
    pass(offsets, entries, d, priorOdds, gold, p, labels, n, begin, end, hard, out);
    return 0;
}
