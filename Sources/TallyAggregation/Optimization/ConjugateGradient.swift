import Foundation

/// Nonlinear conjugate gradient (Polak–Ribière+, Moré–Thuente line search), as SciPy runs it.
///
/// E. Polak and G. Ribière (1969); the "+" restart and the sufficient-descent check of
/// J. C. Gilbert and J. Nocedal, "Global convergence properties of conjugate gradient methods
/// for optimization", SIAM J. Optim. 2(1), 1992. This follows `scipy.optimize.minimize(method=
/// "CG")` step for step — first step `min(1, 2.02 (f_k − f_{k−1}) / φ'(0))`, `c1 = 1e-4`,
/// `c2 = 0.4`, stop when the largest gradient component is at most `gradientTolerance` or after
/// `maxIterations` — because crowd-kit's GLAD runs its M-step with it, and GLAD's compatibility
/// stopping depends on the exact objective values reached.
///
/// When the Moré–Thuente search fails, or its step is not a sufficient descent direction for the
/// next iteration, the bracketing-and-zoom search (``WolfeZoomLineSearch``) is tried, as SciPy
/// does; if that fails too, the minimiser stops at the last accepted point.
///
/// Its dot products are exact sums rounded once (``ExactSum``), so the iterates do not depend on
/// the order of the coordinates.
///
/// `evaluate(x, &gradient)` returns `f(x)` and writes `∇f(x)`; it is called once per trial point.
struct ConjugateGradient {
    var gradientTolerance: Double
    var maxIterations: Int
    var c1 = 1e-4
    var c2 = 0.4

    func minimize(from x0: [Double], evaluate: (_ x: [Double], _ gradient: inout [Double]) -> Double) -> MinimizerResult {
        let n = x0.count
        var xk = x0
        var gfk = [Double](repeating: 0, count: n)
        var oldValue = evaluate(xk, &gfk)
        var evaluations = 1
        var oldOldValue = oldValue + Self.norm2(gfk) / 2
        var pk = gfk.map { -$0 }
        var gnorm = Self.infNorm(gfk)
        var k = 0
        var failed = false
        var xTrial = [Double](repeating: 0, count: n)
        var gTrial = [Double](repeating: 0, count: n)
        let search = MoreThuenteLineSearch(ftol: c1, gtol: c2)
        while gnorm > gradientTolerance && k < maxIterations {
            let deltak = Self.dot(gfk, gfk)
            let dphi0 = Self.dot(gfk, pk)
            var alpha1 = 1.0
            if dphi0 != 0 {
                alpha1 = min(1.0, 1.01 * 2 * (oldValue - oldOldValue) / dphi0)
                if alpha1 < 0 { alpha1 = 1 }
            }
            // SciPy keeps the last point's value and gradient; asking again for it costs nothing.
            var last: (step: Double, value: Double, slope: Double)? = nil
            let trial = { (s: Double) -> (Double, Double) in
                if let last, last.step == s { return (last.value, last.slope) }
                xTrial.withUnsafeMutableBufferPointer { xt in
                    xk.withUnsafeBufferPointer { x in
                        pk.withUnsafeBufferPointer { p in
                            for i in 0..<n { xt[i] = x[i] + s * p[i] }
                        }
                    }
                }
                let f = evaluate(xTrial, &gTrial)
                evaluations += 1
                let slope = Self.dot(gTrial, pk)
                last = (s, f, slope)
                return (f, slope)
            }
            // The Polak–Ribière+ direction at the point evaluated last, and whether it is a
            // sufficient descent direction (or the gradient test is met there).
            var pNext = [Double](repeating: 0, count: n)
            var gnormNext = 0.0
            let direction = { () -> Bool in
                var y = [Double](repeating: 0, count: n)
                for i in 0..<n { y[i] = gTrial[i] - gfk[i] }
                let yDotG = Self.dot(y, gTrial)
                let betaK = max(0, yDotG / deltak)
                for i in 0..<n { pNext[i] = -gTrial[i] + betaK * pk[i] }
                gnormNext = Self.infNorm(gTrial)
                return gnormNext <= gradientTolerance || Self.dot(pNext, gTrial) <= -0.01 * Self.dot(gTrial, gTrial)
            }
            var accepted: Double? = nil
            if let found = search.search(initialStep: alpha1, phi0: oldValue, dphi0: dphi0, evaluate: trial), direction() {
                accepted = found.phi
            } else {
                let fallback = WolfeZoomLineSearch(c1: c1, c2: c2)
                if let found = fallback.search(phi0: oldValue, oldPhi0: oldOldValue, dphi0: dphi0, evaluate: trial, accept: { _, _ in direction() }) {
                    _ = direction()
                    accepted = found.phi
                }
            }
            guard let acceptedValue = accepted else { failed = true; break }
            oldOldValue = oldValue
            oldValue = acceptedValue
            swap(&xk, &xTrial)
            swap(&gfk, &gTrial)
            pk = pNext
            gnorm = gnormNext
            k += 1
        }
        let stop: MinimizerResult.Stop = failed ? .lineSearch : gnorm <= gradientTolerance ? .gradient : .iterations
        return MinimizerResult(x: xk, value: oldValue, iterations: k, evaluations: evaluations, stop: stop)
    }

    /// The exact dot product rounded once (``ExactSum/dot(_:_:)``): the same bits in any order
    /// of the coordinates, so that GLAD on partitions (tasks in another order) steps as one machine.
    static func dot(_ a: [Double], _ b: [Double]) -> Double { ExactSum.dot(a, b) }

    static func norm2(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    static func infNorm(_ a: [Double]) -> Double {
        var m = 0.0
        for v in a { m = max(m, abs(v)) }
        return m
    }
}
