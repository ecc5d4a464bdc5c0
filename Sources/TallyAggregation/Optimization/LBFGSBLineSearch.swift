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

    struct State {
        var brackt = false
        var stage = 1
        var ginit = 0.0, gtest = 0.0, gx = 0.0, gy = 0.0
        var finit = 0.0, fx = 0.0, fy = 0.0
        var stx = 0.0, sty = 0.0, stmin = 0.0, stmax = 0.0
        var width = 0.0, width1 = 0.0
    }

    /// One `dcsrch` call: `stp` is the step whose value `f` and slope `g` are given (at `.start`,
    /// the initial step with `phi(0)` and `phi'(0)`); returns the next task, `stp` updated.
    func iterate(_ s: inout State, stp: inout Double, f: Double, g: Double, task: Task) -> Task {
        if task == .start {
            if stp < stpmin || stp > stpmax || g >= 0 || stpmax < stpmin { return .error }
            s.brackt = false
            s.stage = 1
            s.finit = f
            s.ginit = g
            s.gtest = ftol * s.ginit
            s.width = stpmax - stpmin
            s.width1 = s.width / 0.5
            s.stx = 0; s.fx = s.finit; s.gx = s.ginit
            s.sty = 0; s.fy = s.finit; s.gy = s.ginit
            s.stmin = 0
            s.stmax = stp + 4.0 * stp
            return .evaluate
        }
        let ftest = s.finit + stp * s.gtest
        if s.stage == 1 && f <= ftest && g >= 0 { s.stage = 2 }
        var result: Task? = nil
        if s.brackt && (stp <= s.stmin || stp >= s.stmax) { result = .warning }
        if s.brackt && s.stmax - s.stmin <= xtol * s.stmax { result = .warning }
        if stp == stpmax && f <= ftest && g <= s.gtest { result = .warning }
        if stp == stpmin && (f > ftest || g >= s.gtest) { result = .warning }
        if f <= ftest && abs(g) <= gtol * -s.ginit { result = .converged }
        if let result { return result }
        if s.stage == 1 && f <= s.fx && f > ftest {
            let fm = f - stp * s.gtest
            var fxm = s.fx - s.stx * s.gtest, fym = s.fy - s.sty * s.gtest
            let gm = g - s.gtest
            var gxm = s.gx - s.gtest, gym = s.gy - s.gtest
            Self.dcstep(&s.stx, &fxm, &gxm, &s.sty, &fym, &gym, &stp, fm, gm, &s.brackt, s.stmin, s.stmax)
            s.fx = fxm + s.stx * s.gtest
            s.fy = fym + s.sty * s.gtest
            s.gx = gxm + s.gtest
            s.gy = gym + s.gtest
        } else {
            Self.dcstep(&s.stx, &s.fx, &s.gx, &s.sty, &s.fy, &s.gy, &stp, f, g, &s.brackt, s.stmin, s.stmax)
        }
        if s.brackt {
            if abs(s.sty - s.stx) >= 0.66 * s.width1 { stp = s.stx + 0.5 * (s.sty - s.stx) }
            s.width1 = s.width
            s.width = abs(s.sty - s.stx)
        }
        if s.brackt {
            s.stmin = fmin(s.stx, s.sty)
            s.stmax = fmax(s.stx, s.sty)
        } else {
            s.stmin = stp + 1.1 * (stp - s.stx)
            s.stmax = stp + 4.0 * (stp - s.stx)
        }
        stp = fmax(stp, stpmin)
        stp = fmin(stp, stpmax)
        if (s.brackt && (stp <= s.stmin || stp >= s.stmax)) || (s.brackt && s.stmax - s.stmin <= xtol * s.stmax) {
            stp = s.stx
        }
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
            var gamma = s * fmax(0.0, square(theta / s) - (dx / s) * (dp / s)).squareRoot()
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
        if fp > fx {
            sty = stp; fy = fp; dy = dp
        } else {
            if sgnd < 0 { sty = stx; fy = fx; dy = dx }
            stx = stp; fx = fp; dx = dp
        }
        stp = stpf
    }
}
