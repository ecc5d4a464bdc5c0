import CTallyKernels
import Foundation
import Testing
import TallyAggregation
import TallyCore

/// GLAD's own e^x, log1p and ln (glad_math.h, exported by glad_math.c): the AVX2 lanes against the
/// scalar spelling bit for bit, the accuracy against libm, and the Swift objective pass against
/// the C one. Together these make GLAD's fit the same bits on a CPU with or without AVX2 and with
/// any libm (``BaselineKernelTests`` checks the fits).
@Suite("GLAD's e^x and log1p")
struct GLADMathTests {
    /// `count` values `f(u)` for u uniform in [0, 1), from a fixed seed.
    static func sample(_ count: Int, seed: UInt64, _ f: (Double) -> Double) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in f(Double(rng.next() >> 11) * 0x1p-53) }
    }

    /// The arguments of each function: its whole range, its edges, and (for e^x) NaN and infinities.
    static let expArguments = sample(200_000, seed: 7) { -760 + 1520 * $0 }
        + [0, -0.0, 708, -708, 708.5, -708.5, 709, -745, 1e300, -1e300, .nan, .infinity, -.infinity, -69, -69.5, -70, -71]
    static let nonpositiveArguments = sample(200_000, seed: 8) { -75 * $0 }
        + [0, -0.0, -69, -69.000000001, -70, -70.5, -1e300, .nan, -.infinity, -0.34657359027997264, -0.34657359027997259, -1e-300]
    static let log1pArguments = sample(100_000, seed: 9) { exp(-30 * $0) } + sample(100_000, seed: 10) { $0 }
        + [0, 1, 0x1p-1074, 0x1p-60, 0x1p-29, 0.41421356237309503, 0.41421356237309509, 0.41421356237309498, 1 - 0x1p-53, .nan]

    /// Pads to a multiple of four (the lanes' check takes whole vectors).
    static func padded(_ x: [Double]) -> [Double] { x + [Double](repeating: 0.5, count: (4 - x.count % 4) % 4) }

    @Test("the AVX2 lanes give the scalar bits on every argument", .enabled(if: tally_kernels_avx2() == 1))
    func lanes() {
        for (function, x) in [(0, Self.expArguments), (1, Self.nonpositiveArguments), (2, Self.log1pArguments)] {
            let v = Self.padded(x)
            #expect(tally_glad_math_mismatches(v, Int64(v.count), Int32(function)) == 0, "function \(function)")
        }
    }

    /// |ours − libm's| in libm's ulps, the largest over `x`.
    static func worstUlps(_ x: [Double], ours: (Double) -> Double, libm: (Double) -> Double) -> Double {
        var worst = 0.0
        for v in x {
            let a = ours(v), b = libm(v)
            guard b.isFinite, b != 0 else { continue }
            worst = max(worst, abs(a - b) / b.ulp)
        }
        return worst
    }

    /// Measured against 80-bit references on 10^7 arguments (2026-12-08): e^x within 1.00 ulp,
    /// log1p 0.83 ulp (glibc's 0.83), ln 1.12 ulp; libm itself is within about 0.5 ulp (log1p 0.83),
    /// so against libm the bounds below leave some room.
    @Test("within about one ulp of libm")
    func accuracy() {
        let inRange = Self.expArguments.filter { abs($0) <= 708 }
        let e = Self.worstUlps(inRange, ours: tally_glad_exp, libm: Foundation.exp)
        let n = Self.worstUlps(Self.nonpositiveArguments.filter { $0 >= -69 }, ours: tally_glad_exp_nonpositive, libm: Foundation.exp)
        let l = Self.worstUlps(Self.log1pArguments.filter { !$0.isNaN }, ours: tally_glad_log1p_unit, libm: Foundation.log1p)
        let g = Self.worstUlps(Self.sample(200_000, seed: 11) { Foundation.exp(-700 + 1400 * $0) }, ours: tally_glad_log, libm: Foundation.log)
        #expect(e <= 1.5 && n <= 1.5 && l <= 1.7 && g <= 1.7, "e^x \(e), e^x (x ≤ 0) \(n), log1p \(l), ln \(g) ulps")
        #expect(tally_glad_exp(-709) == 0 && tally_glad_exp(-.infinity) == 0 && tally_glad_exp(.nan).isNaN)
        #expect(tally_glad_exp(0) == 1 && tally_glad_exp_nonpositive(-69.5) == 0 && tally_glad_log1p_unit(0) == 0)
        #expect(tally_glad_log(1) == 0 && tally_glad_log(0) == -.infinity && tally_glad_log(-1).isNaN)
        #expect(tally_glad_log1p_unit(1) == Foundation.log(2.0))
    }

    @Test("the Swift objective pass and the C pass fit the same bits", arguments: ["bluebirds", "snow-rte"])
    func swiftPass(dataset: String) throws {
        let table = try AnswerReader.read(try TestData.answersPath(dataset)).table
        let c = try GLAD(execution: ExecutionSettings(threads: 1)).fit(table)
        let swift = try GLAD(execution: ExecutionSettings(threads: 1, cKernels: false)).fit(table)
        #expect(c.labels == swift.labels)
        #expect(c.probabilities.values.map(\.bitPattern) == swift.probabilities.values.map(\.bitPattern))
        #expect(c.alphas.map(\.bitPattern) == swift.alphas.map(\.bitPattern))
        #expect(c.betas.map(\.bitPattern) == swift.betas.map(\.bitPattern))
        #expect(c.evaluations == swift.evaluations)
    }
}
