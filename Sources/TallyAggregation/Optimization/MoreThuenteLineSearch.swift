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

    private struct State {
        var brackt = false
        var stage = 1
        var ginit = 0.0, gtest = 0.0, gx = 0.0, gy = 0.0
        var finit = 0.0, fx = 0.0, fy = 0.0
        var stx = 0.0, sty = 0.0, stmin = 0.0, stmax = 0.0
        var width = 0.0, width1 = 0.0
    }

    private func iterate(_ s: inout State, stp stpIn: Double, f: Double, g: Double, task: Task) -> (Double, Task) {
        var stp = stpIn
        let p5 = 0.5, p66 = 0.66, xtrapl = 1.1, xtrapu = 4.0
        if task == .start {
            if stp < stepMin || stp > stepMax || g >= 0 || ftol < 0 || gtol < 0 || xtol < 0 || stepMin < 0 || stepMax < stepMin {
                return (stp, .error)
            }
            s.brackt = false
            s.stage = 1
            s.finit = f
            s.ginit = g
            s.gtest = ftol * s.ginit
            s.width = stepMax - stepMin
            s.width1 = s.width / p5
            s.stx = 0; s.fx = s.finit; s.gx = s.ginit
            s.sty = 0; s.fy = s.finit; s.gy = s.ginit
            s.stmin = 0
            s.stmax = stp + xtrapu * stp
            return (stp, .evaluate)
        }
        let ftest = s.finit + stp * s.gtest
        if s.stage == 1 && f <= ftest && g >= 0 { s.stage = 2 }
        var outcome: Task? = nil
        if s.brackt && (stp <= s.stmin || stp >= s.stmax) { outcome = .warning }  // rounding errors prevent progress
        if s.brackt && s.stmax - s.stmin <= xtol * s.stmax { outcome = .warning }  // xtol test satisfied
        if stp == stepMax && f <= ftest && g <= s.gtest { outcome = .warning }
        if stp == stepMin && (f > ftest || g >= s.gtest) { outcome = .warning }
        if f <= ftest && abs(g) <= gtol * -s.ginit { outcome = .converged }
        if let outcome { return (stp, outcome) }

        if s.stage == 1 && f <= s.fx && f > ftest {
            // The modified function (with the sufficient-decrease line subtracted).
            var fxm = s.fx - s.stx * s.gtest
            var fym = s.fy - s.sty * s.gtest
            var gxm = s.gx - s.gtest
            var gym = s.gy - s.gtest
            let fm = f - stp * s.gtest
            let gm = g - s.gtest
            Self.step(stx: &s.stx, fx: &fxm, dx: &gxm, sty: &s.sty, fy: &fym, dy: &gym, stp: &stp, fp: fm, dp: gm, brackt: &s.brackt, stpmin: s.stmin, stpmax: s.stmax)
            s.fx = fxm + s.stx * s.gtest
            s.fy = fym + s.sty * s.gtest
            s.gx = gxm + s.gtest
            s.gy = gym + s.gtest
        } else {
            Self.step(stx: &s.stx, fx: &s.fx, dx: &s.gx, sty: &s.sty, fy: &s.fy, dy: &s.gy, stp: &stp, fp: f, dp: g, brackt: &s.brackt, stpmin: s.stmin, stpmax: s.stmax)
        }
        if s.brackt {
            if abs(s.sty - s.stx) >= p66 * s.width1 { stp = s.stx + p5 * (s.sty - s.stx) }
            s.width1 = s.width
            s.width = abs(s.sty - s.stx)
            s.stmin = min(s.stx, s.sty)
            s.stmax = max(s.stx, s.sty)
        } else {
            s.stmin = stp + xtrapl * (stp - s.stx)
            s.stmax = stp + xtrapu * (stp - s.stx)
        }
        stp = Self.clip(stp, stepMin, stepMax)
        if s.brackt && (stp <= s.stmin || stp >= s.stmax) || (s.brackt && s.stmax - s.stmin <= xtol * s.stmax) {
            stp = s.stx
        }
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
            let (theta, cubicGamma) = cubic(fx, fp, stx, stp, dx, dp, floorAtZero: true)
            var gamma = cubicGamma
            if stp > stx { gamma = -gamma }
            let p = (gamma - dp) + theta
            let q = (gamma + (dx - dp)) + gamma
            let r = p / q
            let stpc: Double
            if r < 0 && gamma != 0 {
                stpc = stp + r * (stx - stp)
            } else if stp > stx {
                stpc = stpmax
            } else {
                stpc = stpmin
            }
            let stpq = stp + (dp / (dp - dx)) * (stx - stp)
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
        if fp > fx {
            sty = stp; fy = fp; dy = dp
        } else {
            if sgnd < 0 { sty = stx; fy = fx; dy = dx }
            stx = stp; fx = fp; dx = dp
        }
        stp = stpf
    }
}
