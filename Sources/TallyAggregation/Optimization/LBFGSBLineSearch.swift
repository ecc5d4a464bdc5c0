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
        s.step(&stp, f: f, g: g, ftest: ftest, .c)
        s.narrow(&stp, .c)
        stp = fmax(stp, stpmin)
        stp = fmin(stp, stpmax)
        if s.fallsBack(at: stp, xtol: xtol) { stp = s.stx }
        return .evaluate
    }
}
