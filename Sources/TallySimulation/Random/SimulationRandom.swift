import Foundation
import TallyCore

/// The simulator's random numbers: xoshiro256** (Blackman & Vigna 2018) seeded through SplitMix64.
///
/// Nothing here uses Foundation's or the system's randomness, so one seed gives one stream on
/// every machine. The distributions are built only from `log`, `exp`, `sqrt`, `cos`, `pow` of the
/// C library (correctly rounded or within an ulp on glibc and Darwin; the shipped tests compare bytes
/// on one platform).
///
/// Distributions and the methods used:
/// * uniform: the top 53 bits of a draw, `[0, 1)`; `uniformPositive` is `(0, 1]`;
/// * exponential: inversion, `−ln U / rate`;
/// * normal: Box–Muller (the cosine branch only, so one normal costs two uniforms);
/// * lognormal: `exp(μ + σ·Z)`;
/// * gamma: Marsaglia & Tsang (2000), with the `U^{1/α}` boost for shape < 1;
/// * beta: `X / (X + Y)` with gamma `X`, `Y`; Dirichlet: normalised gammas;
/// * Poisson: counting exponential gaps (Knuth) for small means, normal approximation above 500;
/// * Pareto (type I): inversion, `x_m · U^{−1/α}`; its floor is a discrete heavy-tailed (Zipf-like) count.
public struct SimulationRandom: Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// A generator whose state is four SplitMix64 outputs from `seed`.
    public init(seed: UInt64) {
        var g = SplitMix64(seed: seed)
        s0 = g.next()
        s1 = g.next()
        s2 = g.next()
        s3 = g.next()
    }

    /// A stateless hash of three words (SplitMix64 finaliser), for answers that must be the same
    /// wherever they are asked for (a colluding group's answer to a task).
    @inlinable
    public static func hash(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        var g = SplitMix64(seed: a ^ (b &* 0xD6E8_FEB8_6659_FD93) ^ (c &* 0x9E37_79B9_7F4A_7C15))
        _ = g.next()
        return g.next()
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A derived, independent stream (for per-run sub-streams): seeded from this one's next output.
    public mutating func fork() -> SimulationRandom { SimulationRandom(seed: next()) }

    /// Uniform on `[0, 1)`.
    @inlinable
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform on `(0, 1]`: safe to take the logarithm of.
    @inlinable
    public mutating func uniformPositive() -> Double { Double((next() >> 11) &+ 1) * 0x1p-53 }

    /// Uniform integer in `0 ..< n` (Lemire's multiply-shift; the bias is below 2^-32 for the sizes used here).
    @inlinable
    public mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// True with probability `p`.
    @inlinable
    public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

    /// Exponential with the given rate (mean `1/rate`).
    @inlinable
    public mutating func exponential(rate: Double) -> Double { -Foundation.log(uniformPositive()) / rate }

    /// Standard normal (Box–Muller).
    @inlinable
    public mutating func normal() -> Double {
        let u = uniformPositive(), v = uniform()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }

    /// Normal with mean `mu` and standard deviation `sigma`.
    @inlinable
    public mutating func normal(mean mu: Double, sd sigma: Double) -> Double { mu + sigma * normal() }

    /// Lognormal: `exp(mu + sigma Z)`.
    @inlinable
    public mutating func lognormal(mu: Double, sigma: Double) -> Double { Foundation.exp(mu + sigma * normal()) }

    /// Gamma with the given shape and scale 1 (Marsaglia & Tsang 2000).
    public mutating func gamma(shape a: Double) -> Double {
        if a < 1 {
            // Boost: Gamma(a) = Gamma(a + 1) · U^{1/a}.
            return gamma(shape: a + 1) * Foundation.pow(uniformPositive(), 1 / a)
        }
        let d = a - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniformPositive()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }

    /// Beta(a, b) as a ratio of gammas.
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(shape: a), y = gamma(shape: b)
        return x / (x + y)
    }

    /// A Dirichlet draw with the given concentrations.
    public mutating func dirichlet(_ alpha: [Double]) -> [Double] {
        var g = alpha.map { gamma(shape: $0) }
        let s = g.reduce(0, +)
        if s > 0 { for i in g.indices { g[i] /= s } } else { g = alpha.map { _ in 1 / Double(alpha.count) } }
        return g
    }

    /// Poisson with the given mean.
    public mutating func poisson(mean: Double) -> Int {
        if mean <= 0 { return 0 }
        if mean > 500 { return max(0, Int((mean + mean.squareRoot() * normal()).rounded())) }
        let limit = Foundation.exp(-mean)
        var k = 0, p = uniform()
        while p > limit {
            k += 1
            p *= uniform()
        }
        return k
    }

    /// Pareto type I: `x_m · U^{−1/α}` (values at least `xm`).
    @inlinable
    public mutating func pareto(alpha: Double, xm: Double) -> Double { xm * Foundation.pow(uniformPositive(), -1 / alpha) }

    /// Shuffles `a[range]` in place (Fisher–Yates).
    public mutating func shuffle<T>(_ a: inout [T], _ range: Range<Int>) {
        var i = range.upperBound - 1
        while i > range.lowerBound {
            let j = range.lowerBound + below(i - range.lowerBound + 1)
            a.swapAt(i, j)
            i -= 1
        }
    }
}
