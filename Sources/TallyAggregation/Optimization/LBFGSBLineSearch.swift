import Foundation

/// MINPACK-2's `dcsrch`/`dcstep` (Moré–Thuente) as SciPy's C L-BFGS-B carries it: the same
/// algorithm as ``MoreThuenteLineSearch`` but with C's `fmin`/`fmax` (a NaN operand yields the
/// other one) and `sgnd = dp · (dx/|dx|)`, which decide where the search goes once the objective
/// or its slope is not finite. One `iterate` call is one `dcsrch` call of L-BFGS-B's `lnsrlb`.
struct LBFGSBLineSearch {
    let ftol = 1e-3, gtol = 0.9, xtol = 0.1
    let stpmin = 0.0
    let stpmax: Double

    enum Task { case start, evaluate, converged, warning, error }

    /// `dcsrch`'s state between calls.
    typealias State = DcsrchState

    /// One `dcsrch` call: `stp` is the step whose value `f` and slope `g` are given (at `.start`,
    /// the initial step with `phi(0)` and `phi'(0)`); returns the next task, `stp` updated.
    func iterate(_ s: inout State, stp: inout Double, f: Double, g: Double, task: Task) -> Task {
        if task == .start {
            if stp < stpmin || stp > stpmax || g >= 0 || stpmax < stpmin { return .error }
            s = State(start: stp, f: f, g: g, ftol: ftol, stepMin: stpmin, stepMax: stpmax)
            return .evaluate
        }
        let ftest = s.sufficientDecreaseBound(at: stp)
        switch s.test(stp: stp, f: f, g: g, ftest: ftest, gtol: gtol, xtol: xtol, stepMin: stpmin, stepMax: stpmax) {
        case .converged?: return .converged
        case .warning?: return .warning
        case nil: break
        }
        s.step(&stp, f: f, g: g, ftest: ftest, Self.dcstep)
        s.narrow(&stp, lo: fmin, hi: fmax)
        stp = fmax(stp, stpmin)
        stp = fmin(stp, stpmax)
        if s.fallsBack(at: stp, xtol: xtol) { stp = s.stx }
        return .evaluate
    }

    @inline(__always) static func square(_ x: Double) -> Double { pow(x, 2.0) }

    static func dcstep(_ stx: inout Double, _ fx: inout Double, _ dx: inout Double, _ sty: inout Double, _ fy: inout Double, _ dy: inout Double,
                       _ stp: inout Double, _ fp: Double, _ dp: Double, _ brackt: inout Bool, _ stpmin: Double, _ stpmax: Double) {
        let sgnd = dp * (dx / abs(dx))
        var stpf: Double
        if fp > fx {
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp
            let s = fmax(abs(theta), fmax(abs(dx), abs(dp)))
            var gamma = s * (square(theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp < stx { gamma = -gamma }
            let p = (gamma - dx) + theta
            let q = ((gamma - dx) + gamma) + dp
            let r = p / q
            let stpc = stx + r * (stp - stx)
            let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2.0) * (stp - stx)
            stpf = abs(stpc - stx) < abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2.0
            brackt = true
        } else if sgnd < 0 {
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp
            let s = fmax(abs(theta), fmax(abs(dx), abs(dp)))
            var gamma = s * (square(theta / s) - (dx / s) * (dp / s)).squareRoot()
            if stp > stx { gamma = -gamma }
            let p = (gamma - dp) + theta
            let q = ((gamma - dp) + gamma) + dx
            let r = p / q
            let stpc = stp + r * (stx - stp)
            let stpq = stp + (dp / (dp - dx)) * (stx - stp)
            stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
            brackt = true
        } else if abs(dp) < abs(dx) {
            let theta = 3.0 * (fx - fp) / (stp - stx) + dx + dp
            let s = fmax(abs(theta), fmax(abs(dx), abs(dp)))
            let gamma = s * fmax(0.0, square(theta / s) - (dx / s) * (dp / s)).squareRoot()
            let (stpc, stpq) = DcsrchState.thirdCaseSteps(theta: theta, gamma: gamma, stx: stx, stp: stp, dx: dx, dp: dp, stpmin: stpmin, stpmax: stpmax)
            if brackt {
                stpf = abs(stpc - stp) < abs(stpq - stp) ? stpc : stpq
                stpf = stp > stx ? fmin(stp + 0.66 * (sty - stp), stpf) : fmax(stp + 0.66 * (sty - stp), stpf)
            } else {
                stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
                stpf = fmin(stpmax, stpf)
                stpf = fmax(stpmin, stpf)
            }
        } else {
            if brackt {
                let theta = 3.0 * (fp - fy) / (sty - stp) + dy + dp
                let s = fmax(abs(theta), fmax(abs(dy), abs(dp)))
                var gamma = s * (square(theta / s) - (dy / s) * (dp / s)).squareRoot()
                if stp > sty { gamma = -gamma }
                let p = (gamma - dp) + theta
                let q = ((gamma - dp) + gamma) + dy
                let r = p / q
                stpf = stp + r * (sty - stp)
            } else if stp > stx {
                stpf = stpmax
            } else {
                stpf = stpmin
            }
        }
        DcsrchState.moveInterval(stx: &stx, fx: &fx, dx: &dx, sty: &sty, fy: &fy, dy: &dy, to: stp, fp: fp, dp: dp, slopesDiffer: sgnd < 0)
        stp = stpf
    }
}
