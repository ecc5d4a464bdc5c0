import Foundation

/// A bracketing-and-zoom line search for the strong Wolfe conditions (Nocedal & Wright,
/// "Numerical Optimization", 2nd ed., Algorithms 3.5 and 3.6), step for step as SciPy's
/// `scalar_search_wolfe2`: the fallback SciPy's conjugate gradient uses when the Moré–Thuente
/// search fails or its step is not a sufficient descent direction.
///
/// `evaluate(s)` returns `(phi(s), phi'(s))` and is called once per trial step; `accept(s, phi)` is
/// an extra condition checked on a step that satisfies the Wolfe conditions (right after that
/// step was evaluated).
struct WolfeZoomLineSearch {
    var c1: Double
    var c2: Double
    var stepMax: Double? = 1e100
    var maxIterations = 10

    struct Step { var step: Double; var phi: Double; var evaluations: Int }

    func search(phi0: Double, oldPhi0: Double?, dphi0: Double, evaluate: (Double) -> (Double, Double), accept: (Double, Double) -> Bool) -> Step? {
        var evaluations = 0
        var lastDerivative = (at: Double.nan, value: Double.nan)
        func phi(_ s: Double) -> Double {
            let (f, d) = evaluate(s)
            evaluations += 1
            lastDerivative = (s, d)
            return f
        }
        // phi' is always asked for at the step evaluated last.
        func dphi(_ s: Double) -> Double {
            if lastDerivative.at != s { _ = phi(s) }
            return lastDerivative.value
        }

        var alpha0 = 0.0
        var alpha1 = 1.0
        if let oldPhi0, dphi0 != 0 { alpha1 = min(1.0, 1.01 * 2 * (phi0 - oldPhi0) / dphi0) }
        if alpha1 < 0 { alpha1 = 1 }
        if let stepMax { alpha1 = min(alpha1, stepMax) }
        var phiA1 = phi(alpha1)
        var phiA0 = phi0
        var dphiA0 = dphi0
        for i in 0..<maxIterations {
            if alpha1 == 0 || (stepMax.map { alpha0 > $0 } ?? false) { return nil }
            if phiA1 > phi0 + c1 * alpha1 * dphi0 || (phiA1 >= phiA0 && i > 0) {
                return zoom(lo: alpha0, hi: alpha1, phiLo: phiA0, phiHi: phiA1, dphiLo: dphiA0, phi0: phi0, dphi0: dphi0, phi: phi, dphi: dphi, accept: accept).map { Step(step: $0.0, phi: $0.1, evaluations: evaluations) }
            }
            let dphiA1 = dphi(alpha1)
            if abs(dphiA1) <= -c2 * dphi0 && accept(alpha1, phiA1) {
                return Step(step: alpha1, phi: phiA1, evaluations: evaluations)
            }
            if dphiA1 >= 0 {
                return zoom(lo: alpha1, hi: alpha0, phiLo: phiA1, phiHi: phiA0, dphiLo: dphiA1, phi0: phi0, dphi0: dphi0, phi: phi, dphi: dphi, accept: accept).map { Step(step: $0.0, phi: $0.1, evaluations: evaluations) }
            }
            var alpha2 = 2 * alpha1
            if let stepMax { alpha2 = min(alpha2, stepMax) }
            alpha0 = alpha1
            alpha1 = alpha2
            phiA0 = phiA1
            phiA1 = phi(alpha1)
            dphiA0 = dphiA1
        }
        // SciPy returns the last step when the loop runs out, without the extra condition.
        return Step(step: alpha1, phi: phiA1, evaluations: evaluations)
    }

    private func zoom(lo aLoIn: Double, hi aHiIn: Double, phiLo phiLoIn: Double, phiHi phiHiIn: Double, dphiLo dphiLoIn: Double, phi0: Double, dphi0: Double, phi: (Double) -> Double, dphi: (Double) -> Double, accept: (Double, Double) -> Bool) -> (Double, Double)? {
        var aLo = aLoIn, aHi = aHiIn, phiLo = phiLoIn, phiHi = phiHiIn, dphiLo = dphiLoIn
        let delta1 = 0.2, delta2 = 0.1
        var phiRec = phi0
        var aRec = 0.0
        var i = 0
        while true {
            let dalpha = aHi - aLo
            let (a, b) = dalpha < 0 ? (aHi, aLo) : (aLo, aHi)
            var aj: Double? = nil
            var cchk = 0.0
            if i > 0 {
                cchk = delta1 * dalpha
                aj = Self.cubicMin(aLo, phiLo, dphiLo, aHi, phiHi, aRec, phiRec)
            }
            if i == 0 || aj == nil || aj! > b - cchk || aj! < a + cchk {
                let qchk = delta2 * dalpha
                aj = Self.quadMin(aLo, phiLo, dphiLo, aHi, phiHi)
                if aj == nil || aj! > b - qchk || aj! < a + qchk { aj = aLo + 0.5 * dalpha }
            }
            let step = aj!
            let phiAj = phi(step)
            if phiAj > phi0 + c1 * step * dphi0 || phiAj >= phiLo {
                phiRec = phiHi; aRec = aHi
                aHi = step; phiHi = phiAj
            } else {
                let dphiAj = dphi(step)
                if abs(dphiAj) <= -c2 * dphi0 && accept(step, phiAj) { return (step, phiAj) }
                if dphiAj * (aHi - aLo) >= 0 {
                    phiRec = phiHi; aRec = aHi
                    aHi = aLo; phiHi = phiLo
                } else {
                    phiRec = phiLo; aRec = aLo
                }
                aLo = step; phiLo = phiAj; dphiLo = dphiAj
            }
            i += 1
            if i > 10 { return nil }
        }
    }

    /// The minimiser of the cubic through `(a, fa)` with slope `fpa` at `a`, `(b, fb)` and
    /// `(c, fc)`; nil where SciPy's floating-point checks would raise.
    static func cubicMin(_ a: Double, _ fa: Double, _ fpa: Double, _ b: Double, _ fb: Double, _ c: Double, _ fc: Double) -> Double? {
        let C = fpa
        let db = b - a, dc = c - a
        let denom = (db * dc) * (db * dc) * (db - dc)
        guard denom != 0, denom.isFinite else { return nil }
        let v0 = fb - fa - C * db, v1 = fc - fa - C * dc
        var A = dc * dc * v0 + -(db * db) * v1
        var B = -(dc * dc * dc) * v0 + db * db * db * v1
        A /= denom
        B /= denom
        let radical = B * B - 3 * A * C
        guard A != 0, radical >= 0, A.isFinite, B.isFinite, radical.isFinite else { return nil }
        let xmin = a + (-B + radical.squareRoot()) / (3 * A)
        return xmin.isFinite ? xmin : nil
    }

    /// The minimiser of the quadratic through `(a, fa)` with slope `fpa` and `(b, fb)`.
    static func quadMin(_ a: Double, _ fa: Double, _ fpa: Double, _ b: Double, _ fb: Double) -> Double? {
        let db = b - a * 1.0
        guard db != 0 else { return nil }
        let B = (fb - fa - fpa * db) / (db * db)
        guard B != 0, B.isFinite else { return nil }
        let xmin = a - fpa / (2.0 * B)
        return xmin.isFinite ? xmin : nil
    }
}
