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
        s.step(&stp, f: f, g: g, ftest: ftest, Self.step(stx:fx:dx:sty:fy:dy:stp:fp:dp:brackt:stpmin:stpmax:))
        s.narrow(&stp, lo: Swift.min, hi: Swift.max)
        stp = Self.clip(stp, stepMin, stepMax)
        if s.fallsBack(at: stp, xtol: xtol) { stp = s.stx }
        return (stp, .evaluate)
    }

    @inline(__always) private static func clip(_ x: Double, _ lo: Double, _ hi: Double) -> Double {
        x.isNaN ? x : Swift.min(Swift.max(x, lo), hi)
    }

    /// The cubic through `(stA, fa)` and `(stB, fb)` with slopes `da` and `db`, as MINPACK's
    /// `dcstep` writes it: `θ = 3 (fa − fb) / (stB − stA) + da + db` and
    /// `γ = s √((θ/s)² − (da/s)(db/s))`, `s = max(|θ|, |da|, |db|)` (scaled against overflow);
    /// `floorAtZero` clamps the radicand at 0.
    @inline(__always) private static func cubic(
        _ fa: Double, _ fb: Double, _ stA: Double, _ stB: Double, _ da: Double, _ db: Double, floorAtZero: Bool = false
    ) -> (theta: Double, gamma: Double) {
        let theta = 3 * (fa - fb) / (stB - stA) + da + db
        let s = max(abs(theta), abs(da), abs(db))
        let radicand = (theta / s) * (theta / s) - (da / s) * (db / s)
        return (theta, s * (floorAtZero ? max(0, radicand) : radicand).squareRoot())
    }

    /// The minimiser of a ``cubic(_:_:_:_:_:_:floorAtZero:)`` written from the end `st` (slope
    /// `d`) towards the other end `other` (slope `dOther`), as MINPACK's `dcstep` writes it:
    /// `st + (p / q)·(other − st)` with `p = (γ − d) + θ`, `q = ((γ − d) + γ) + dOther`, and `γ`
    /// negated when `other` lies below `st`.
    @inline(__always) private static func cubicMinimizer(
        from st: Double, slope d: Double, to other: Double, slope dOther: Double, _ cubic: (theta: Double, gamma: Double)
    ) -> Double {
        let gamma = other < st ? -cubic.gamma : cubic.gamma
        let p = (gamma - d) + cubic.theta
        let q = ((gamma - d) + gamma) + dOther
        return st + (p / q) * (other - st)
    }

    @inline(__always) private static func sign(_ x: Double) -> Double {
        x > 0 ? 1 : (x < 0 ? -1 : (x.isNaN ? .nan : 0))
    }

    /// MINPACK-2 `dcstep`: a safeguarded cubic/quadratic step and the update of the interval of
    /// uncertainty.
    private static func step(stx: inout Double, fx: inout Double, dx: inout Double, sty: inout Double, fy: inout Double, dy: inout Double, stp: inout Double, fp: Double, dp: Double, brackt: inout Bool, stpmin: Double, stpmax: Double) {
        let sgnd = sign(dp) * sign(dx)
        var stpf: Double
        if fp > fx {
            let stpc = cubicMinimizer(from: stx, slope: dx, to: stp, slope: dp, cubic(fx, fp, stx, stp, dx, dp))
            let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2) * (stp - stx)
            stpf = abs(stpc - stx) <= abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2
            brackt = true
        } else if sgnd < 0 {
            let stpc = cubicMinimizer(from: stp, slope: dp, to: stx, slope: dx, cubic(fx, fp, stx, stp, dx, dp))
            let stpq = stp + (dp / (dp - dx)) * (stx - stp)
            stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
            brackt = true
        } else if abs(dp) < abs(dx) {
            let (theta, gamma) = cubic(fx, fp, stx, stp, dx, dp, floorAtZero: true)
            let (stpc, stpq) = DcsrchState.thirdCaseSteps(theta: theta, gamma: gamma, stx: stx, stp: stp, dx: dx, dp: dp, stpmin: stpmin, stpmax: stpmax)
            if brackt {
                stpf = abs(stpc - stp) < abs(stpq - stp) ? stpc : stpq
                stpf = stp > stx ? min(stp + 0.66 * (sty - stp), stpf) : max(stp + 0.66 * (sty - stp), stpf)
            } else {
                stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
                stpf = clip(stpf, stpmin, stpmax)
            }
        } else {
            if brackt {
                stpf = cubicMinimizer(from: stp, slope: dp, to: sty, slope: dy, cubic(fp, fy, stp, sty, dy, dp))
            } else {
                stpf = stp > stx ? stpmax : stpmin
            }
        }
        DcsrchState.moveInterval(stx: &stx, fx: &fx, dx: &dx, sty: &sty, fy: &fy, dy: &dy, to: stp, fp: fp, dp: dp, slopesDiffer: sgnd < 0)
        stp = stpf
    }
}
