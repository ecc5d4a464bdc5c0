import CTallyKernels
import Foundation
import Testing
@testable import TallyAggregation

/// The vector ψ / ln Γ kernel of the Bayesian models (`tally_digamma_loggamma`, special.c) against
/// the scalar Swift functions it replaces (`DirichletFunctions`, which agree with SciPy to about
/// 1e-15) and against its own baseline variant, on arguments from 1e-300 to 1e12.
@Suite("Special-function kernel")
struct SpecialFunctionKernelTests {
    /// Arguments: log-spaced over 1e-6 … 1e12, a fine grid over (0, 30] where the recurrence runs,
    /// values that go through the scalar path (tiny) and counts plus the models' priors.
    static let arguments: [Double] = {
        var x: [Double] = [1e-300, 1e-281, 2.5e-200, 0.5, 1, 1.5, 4, 9.999999999, 10, 10.000000001, 13, 57.25]
        for i in 0...180 { x.append(pow(10, -6 + Double(i) / 10)) }
        for i in 1...300 { x.append(Double(i) / 10) }
        for i in 0..<50 { x.append(4 + 1e-12 * Double(i * i)) }   // a count just above the negligible cut
        x.append(1.75)                                              // an odd count: the kernel's tail
        return x
    }()

    /// Both variants agree with `DirichletFunctions` within 1e-14 (relative where |value| > 1).
    @Test func agreesWithScalarFunctions() {
        let x = Self.arguments, n = x.count
        for variant in [Int32(TALLY_SPECIAL_AUTO), Int32(TALLY_SPECIAL_BASELINE)] {
            var psi = [Double](repeating: .nan, count: n), lg = [Double](repeating: .nan, count: n)
            tally_digamma_loggamma_variant(x, &psi, &lg, Int64(n), variant)
            var psiOnly = [Double](repeating: .nan, count: n)
            tally_digamma_loggamma_variant(x, &psiOnly, nil, Int64(n), variant)
            var worst = (psi: 0.0, lg: 0.0)
            for i in 0..<n {
                let (p, g) = DirichletFunctions.digammaLogGamma(x[i])
                worst.psi = max(worst.psi, abs(psi[i] - p) / max(1, abs(p)))
                worst.lg = max(worst.lg, abs(lg[i] - g) / max(1, abs(g)))
                #expect(psiOnly[i] == psi[i], "x = \(x[i]): ψ without ln Γ differs")
            }
            #expect(worst.psi <= 1e-14, "variant \(variant): ψ off by \(worst.psi)")
            #expect(worst.lg <= 1e-14, "variant \(variant): ln Γ off by \(worst.lg)")
        }
    }

    /// Known values: ψ(1) = −γ, ln Γ(1) = 0, ψ(1/2) = −γ − 2 ln 2, ln Γ(1/2) = ln √π, at every
    /// position of a vector (lanes and tail).
    @Test func knownValues() {
        let gamma = 0.577_215_664_901_532_860_6
        for n in 1...11 {
            let x = (0..<n).map { $0 % 2 == 0 ? 1.0 : 0.5 }
            var psi = [Double](repeating: .nan, count: n), lg = [Double](repeating: .nan, count: n)
            tally_digamma_loggamma(x, &psi, &lg, Int64(n))
            for i in 0..<n {
                let (p, g) = x[i] == 1 ? (-gamma, 0.0) : (-gamma - 2 * log(2.0), 0.5 * log(Double.pi))
                #expect(abs(psi[i] - p) < 4e-15 && abs(lg[i] - g) < 4e-15, "n = \(n), lane \(i): \(psi[i]), \(lg[i])")
            }
        }
    }
}
