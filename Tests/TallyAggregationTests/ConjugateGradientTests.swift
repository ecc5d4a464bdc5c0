import Foundation
import Testing
@testable import TallyAggregation

/// The optimiser behind GLAD's M-step takes SciPy's steps: same iterations, same number of
/// function evaluations, same point (SciPy 1.17.1, `minimize(rosen, x0, method="CG",
/// jac=rosen_der, tol=…, options={"maxiter": …})`).
@Suite("Conjugate gradient (SciPy's CG)")
struct ConjugateGradientTests {
    static func rosenbrock(_ x: [Double], _ g: inout [Double]) -> Double {
        var f = 0.0
        for i in 0..<x.count { g[i] = 0 }
        for i in 0..<(x.count - 1) {
            let a = x[i + 1] - x[i] * x[i], b = 1 - x[i]
            f += 100 * a * a + b * b
            g[i] += -400 * x[i] * a - 2 * b
            g[i + 1] += 200 * a
        }
        return f
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let x0: [Double], tolerance: Double, maxIterations: Int
        let x: [Double], iterations: Int, evaluations: Int
        var testDescription: String { "from \(x0), tol \(tolerance)" }
    }

    static let cases: [Case] = [
        Case(x0: [-1.2, 1], tolerance: 1e-5, maxIterations: 200, x: [1.000000005485334, 0.9999999972758241], iterations: 36, evaluations: 78),
        Case(x0: [-1.2, 1, 0.5, 2, -0.3], tolerance: 1e-2, maxIterations: 25, x: [-0.9610563752923303, 0.9335349577249885, 0.8757512010532363, 0.768782291677337, 0.5910575953564883], iterations: 25, evaluations: 55),
        Case(x0: [3, -2], tolerance: 1e-8, maxIterations: 1000, x: [0.9999999990460012, 0.9999999980881266], iterations: 17, evaluations: 38),
    ]

    @Test("Rosenbrock: SciPy's iterations, evaluations and point", arguments: cases)
    func rosenbrockMatchesSciPy(_ c: Case) {
        let result = ConjugateGradient(gradientTolerance: c.tolerance, maxIterations: c.maxIterations).minimize(from: c.x0, evaluate: Self.rosenbrock)
        #expect(result.iterations == c.iterations)
        #expect(result.evaluations == c.evaluations)
        #expect(!result.lineSearchFailed)
        #expect(result.stop == (c.iterations == c.maxIterations ? .iterations : .gradient))
        for (a, b) in zip(result.x, c.x) { #expect(abs(a - b) <= 1e-9, "\(result.x) vs \(c.x)") }
    }

    @Test("a quadratic is solved; a zero gradient stops at once")
    func quadratic() {
        // f = Σ (i+1)(x_i − i)²: minimum at x_i = i.
        let result = ConjugateGradient(gradientTolerance: 1e-10, maxIterations: 100).minimize(from: [5, 5, 5, 5]) { x, g in
            var f = 0.0
            for i in 0..<x.count { let d = x[i] - Double(i); f += Double(i + 1) * d * d; g[i] = 2 * Double(i + 1) * d }
            return f
        }
        for i in 0..<4 { #expect(abs(result.x[i] - Double(i)) < 1e-9) }
        let still = ConjugateGradient(gradientTolerance: 1e-10, maxIterations: 100).minimize(from: [0, 1, 2]) { x, g in
            for i in 0..<x.count { g[i] = 2 * (x[i] - Double(i)) }
            return 0
        }
        #expect(still.iterations == 0 && still.evaluations == 1 && still.x == [0, 1, 2] && still.stop == .gradient)
    }
}
