/// What MINPACK-2's `dcsrch` (Moré–Thuente) keeps between its calls, with the parts of `dcsrch`
/// that read no `min`, `max` or sign of a slope: the start, the tests that end a search, and the
/// call of `dcstep` on the modified function.
///
/// ``MoreThuenteLineSearch`` (SciPy's Python `dcsrch`) and ``LBFGSBLineSearch`` (the copy in
/// SciPy's C L-BFGS-B) share this and `dcstep` (`Dcstep.swift`); they differ only in how `min`,
/// `max` and the slope's sign treat a NaN and in a few spellings, which their ``Flavour`` names.
struct DcsrchState {
    var brackt = false
    var stage = 1
    var ginit = 0.0, gtest = 0.0, gx = 0.0, gy = 0.0
    var finit = 0.0, fx = 0.0, fy = 0.0
    var stx = 0.0, sty = 0.0, stmin = 0.0, stmax = 0.0
    var width = 0.0, width1 = 0.0

    /// How a search ends when `dcsrch` asks for no further evaluation.
    enum Ending { case converged, warning }

    /// A state before any search.
    init() {}

    /// The state at the start of a search at step `stp`, with `phi(0) = f` and `phi'(0) = g`.
    init(start stp: Double, f: Double, g: Double, ftol: Double, stepMin: Double, stepMax: Double) {
        finit = f
        ginit = g
        gtest = ftol * ginit
        width = stepMax - stepMin
        width1 = width / 0.5
        stx = 0; fx = finit; gx = ginit
        sty = 0; fy = finit; gy = ginit
        stmin = 0
        stmax = stp + 4.0 * stp
    }

    /// The sufficient-decrease (Armijo) bound on `phi(stp)`.
    func sufficientDecreaseBound(at stp: Double) -> Double { finit + stp * gtest }

    /// `dcsrch`'s tests of step `stp` with value `f` and slope `g` (`ftest` its sufficient-decrease
    /// bound), moving to stage 2 once `f ≤ ftest` with `g ≥ 0`: how the search ends, or nil to go on.
    mutating func test(stp: Double, f: Double, g: Double, ftest: Double, gtol: Double, xtol: Double, stepMin: Double, stepMax: Double) -> Ending? {
        if stage == 1 && f <= ftest && g >= 0 { stage = 2 }
        var ending: Ending? = nil
        if brackt && (stp <= stmin || stp >= stmax) { ending = .warning }  // rounding errors prevent progress
        if brackt && stmax - stmin <= xtol * stmax { ending = .warning }  // xtol test satisfied
        if stp == stepMax && f <= ftest && g <= gtest { ending = .warning }
        if stp == stepMin && (f > ftest || g >= gtest) { ending = .warning }
        if f <= ftest && abs(g) <= gtol * -ginit { ending = .converged }
        return ending
    }

    /// `dcsrch`'s call of `dcstep`: in stage 1, when `f` is at most `fx` but above `ftest`, on the
    /// modified function `phi(s) − s·gtest` (values and slopes shifted there and back), else on
    /// `phi` itself.
    mutating func step(_ stp: inout Double, f: Double, g: Double, ftest: Double, _ flavour: Flavour) {
        if stage == 1 && f <= fx && f > ftest {
            let fm = f - stp * gtest
            var fxm = fx - stx * gtest, fym = fy - sty * gtest
            let gm = g - gtest
            var gxm = gx - gtest, gym = gy - gtest
            Self.dcstep(flavour, stx: &stx, fx: &fxm, dx: &gxm, sty: &sty, fy: &fym, dy: &gym, stp: &stp, fp: fm, dp: gm,
                        brackt: &brackt, stpmin: stmin, stpmax: stmax)
            fx = fxm + stx * gtest
            fy = fym + sty * gtest
            gx = gxm + gtest
            gy = gym + gtest
        } else {
            Self.dcstep(flavour, stx: &stx, fx: &fx, dx: &gx, sty: &sty, fy: &fy, dy: &gy, stp: &stp, fp: f, dp: g,
                        brackt: &brackt, stpmin: stmin, stpmax: stmax)
        }
    }

    /// `dcsrch`'s update of the bounds after a step: once bracketed, bisect when the interval did
    /// not shrink to 0.66 of its width two steps ago, and bound the next step by the interval
    /// (with the flavour's `min` and `max`); before that, let the bounds grow ahead of the step
    /// (1.1 and 4 times its distance from `stx`).
    mutating func narrow(_ stp: inout Double, _ flavour: Flavour) {
        if brackt {
            if abs(sty - stx) >= 0.66 * width1 { stp = stx + 0.5 * (sty - stx) }
            width1 = width
            width = abs(sty - stx)
            stmin = flavour.min(stx, sty)
            stmax = flavour.max(stx, sty)
        } else {
            stmin = stp + 1.1 * (stp - stx)
            stmax = stp + 4.0 * (stp - stx)
        }
    }

    /// Whether `dcsrch` falls back to the best step `stx`: once bracketed, when `stp` left the
    /// interval or the interval is narrower than `xtol` relative to its upper end.
    func fallsBack(at stp: Double, xtol: Double) -> Bool {
        (brackt && (stp <= stmin || stp >= stmax)) || (brackt && stmax - stmin <= xtol * stmax)
    }

    /// `dcstep`'s update of the interval of uncertainty after a trial at `stp` (value `fp`, slope
    /// `dp`): a higher value than at `stx` makes `stp` the far end `sty`; otherwise `stp` becomes
    /// the best step `stx`, and the old best the far end when the slopes differ in sign.
    static func moveInterval(stx: inout Double, fx: inout Double, dx: inout Double, sty: inout Double, fy: inout Double, dy: inout Double,
                             to stp: Double, fp: Double, dp: Double, slopesDiffer: Bool) {
        if fp > fx {
            sty = stp; fy = fp; dy = dp
        } else {
            if slopesDiffer { sty = stx; fy = fx; dy = dx }
            stx = stp; fx = fp; dx = dp
        }
    }

    /// The minimiser of the cubic through the ends `st` (slope `d`) and `other` (slope `dOther`),
    /// from its `theta` and `gamma` (each flavour's `cubic`, `gamma` before its sign is set),
    /// as MINPACK's `dcstep` writes it: `st + (p / q)·(other − st)` with `p = (γ − d) + θ`,
    /// `q = ((γ − d) + γ) + dOther`, and `γ` negated when `other` lies below `st`.
    @inline(__always) static func cubicMinimizer(
        from st: Double, slope d: Double, to other: Double, slope dOther: Double, _ cubic: (theta: Double, gamma: Double)
    ) -> Double {
        let gamma = other < st ? -cubic.gamma : cubic.gamma
        let p = (gamma - d) + cubic.theta
        let q = ((gamma - d) + gamma) + dOther
        return st + (p / q) * (other - st)
    }

    /// `dcstep`'s third case (a lower value, slopes of one sign, the slope's magnitude shrinking):
    /// from `theta` and `gamma` of the cubic through `(stx, fx, dx)` and `(stp, fp, dp)` (`gamma`
    /// before its sign is set), the cubic step `stpc` (or the bound it heads to when the cubic
    /// has no minimum that way) and the secant step `stpq`.
    static func thirdCaseSteps(theta: Double, gamma cubicGamma: Double, stx: Double, stp: Double, dx: Double, dp: Double,
                               stpmin: Double, stpmax: Double) -> (stpc: Double, stpq: Double) {
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
        return (stpc, stp + (dp / (dp - dx)) * (stx - stp))
    }
}
