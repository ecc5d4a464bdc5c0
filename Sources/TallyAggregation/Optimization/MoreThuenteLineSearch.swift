import Foundation

/// The Moré–Thuente line search for a step that satisfies the strong Wolfe conditions.
///
/// J. J. Moré and D. J. Thuente, "Line Search Algorithms with Guaranteed Sufficient Decrease",
/// ACM TOMS 20(3), 1994 — MINPACK-2's `dcsrch`/`dcstep`, step for step as SciPy runs it
/// (`scipy.optimize._dcsrch`, used by `line_search_wolfe1`), so that an optimiser built on it
/// takes the same steps as SciPy's: a parity requirement for GLAD, whose M-step is SciPy's
/// nonlinear conjugate gradient in crowd-kit.
///
/// `phi(s)` is the objective along the search direction and `dphi(s)` its derivative; the search
/// evaluates both at each trial step (one call of `evaluate`, which returns the pair).
struct MoreThuenteLineSearch {
    /// Sufficient-decrease (Armijo) constant.
    var ftol: Double
    /// Curvature constant.
    var gtol: Double
    var xtol = 1e-14
    var stepMin = 1e-100
    var stepMax = 1e100
    var maxEvaluations = 100

    enum Outcome: Equatable {
        case converged
        case failed(String)
    }

    /// Searches from `initialStep`; `evaluate(s)` returns `(phi(s), phi'(s))`.
    ///
    /// Returns the accepted step with its value and derivative (the last point evaluated), or
    /// `nil` when MINPACK reports an error or a warning (SciPy then treats the search as failed).
    func search(initialStep: Double, phi0: Double, dphi0: Double, evaluate: (Double) -> (Double, Double)) -> (step: Double, phi: Double, dphi: Double, evaluations: Int)? {
        var state = State()
        var stp = initialStep
        var f = phi0, g = dphi0
        var task = Task.start
        var evaluations = 0
        for _ in 0..<maxEvaluations {
            (stp, task) = iterate(&state, stp: stp, f: f, g: g, task: task)
            if !stp.isFinite { return nil }
            switch task {
            case .evaluate:
                (f, g) = evaluate(stp)
                evaluations += 1
            case .converged:
                return (stp, f, g, evaluations)
            case .error, .warning:
                return nil
            case .start:
                return nil
            }
        }
        return nil
    }

    private enum Task { case start, evaluate, converged, error, warning }

    private typealias State = DcsrchState

    private func iterate(_ s: inout State, stp stpIn: Double, f: Double, g: Double, task: Task) -> (Double, Task) {
        var stp = stpIn
        if task == .start {
            if stp < stepMin || stp > stepMax || g >= 0 || ftol < 0 || gtol < 0 || xtol < 0 || stepMin < 0 || stepMax < stepMin {
                return (stp, .error)
            }
            s = State(start: stp, f: f, g: g, ftol: ftol, stepMin: stepMin, stepMax: stepMax)
            return (stp, .evaluate)
        }
        let ftest = s.sufficientDecreaseBound(at: stp)
        switch s.test(stp: stp, f: f, g: g, ftest: ftest, gtol: gtol, xtol: xtol, stepMin: stepMin, stepMax: stepMax) {
        case .converged?: return (stp, .converged)
        case .warning?: return (stp, .warning)
        case nil: break
        }
        s.step(&stp, f: f, g: g, ftest: ftest, .python)
        s.narrow(&stp, .python)
        stp = State.Flavour.python.clip(stp, stepMin, stepMax)
        if s.fallsBack(at: stp, xtol: xtol) { stp = s.stx }
        return (stp, .evaluate)
    }
}
