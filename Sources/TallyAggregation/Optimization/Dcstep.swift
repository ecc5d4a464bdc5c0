import Foundation

extension DcsrchState {
    /// What sets one copy of MINPACK-2's `dcsrch`/`dcstep` apart from the other: how `min`, `max`
    /// and the sign of the slopes treat a NaN, how `(θ/s)²` and the bound of a step are written,
    /// and one comparison. ``MoreThuenteLineSearch`` runs ``python`` (SciPy's Python
    /// `scipy.optimize._dcsrch`), ``LBFGSBLineSearch`` runs ``c`` (the copy in SciPy's C
    /// L-BFGS-B); the rest of the algorithm is ``dcstep(_:stx:fx:dx:sty:fy:dy:stp:fp:dp:brackt:stpmin:stpmax:)``
    /// and ``DcsrchState``, once.
    struct Flavour: Sendable {
        /// `min` of two numbers.
        let min: @Sendable (Double, Double) -> Double
        /// `max` of two numbers.
        let max: @Sendable (Double, Double) -> Double
        /// `sgnd`: a number whose sign is the sign of `dp · dx`.
        let slopeSign: @Sendable (_ dp: Double, _ dx: Double) -> Double
        /// `(θ/s)²` as the copy writes it.
        let square: @Sendable (Double) -> Double
        /// `dcstep`'s bound of a step `x` to `[lo, hi]`.
        let clip: @Sendable (_ x: Double, _ lo: Double, _ hi: Double) -> Double
        /// In `dcstep`'s first case, whether the cubic step is kept when it is exactly as far from
        /// `stx` as the quadratic one (`<=`) or not (`<`).
        let cubicOnTie: Bool

        /// SciPy's Python copy: Swift's `min`/`max`, a sign that is NaN for NaN, `x · x`, a bound
        /// that keeps a NaN, `<=`.
        static let python = Flavour(
            min: Swift.min, max: Swift.max,
            slopeSign: { dp, dx in sign(dp) * sign(dx) },
            square: { $0 * $0 },
            clip: { x, lo, hi in x.isNaN ? x : Swift.min(Swift.max(x, lo), hi) },
            cubicOnTie: true)

        /// The C copy in L-BFGS-B: `fmin`/`fmax` (a NaN operand yields the other one),
        /// `sgnd = dp · (dx/|dx|)`, `pow(x, 2.0)`, `fmax(lo, fmin(hi, x))`, `<`.
        static let c = Flavour(
            min: fmin, max: fmax,
            slopeSign: { dp, dx in dp * (dx / abs(dx)) },
            square: { pow($0, 2.0) },
            clip: { x, lo, hi in fmax(lo, fmin(hi, x)) },
            cubicOnTie: false)

        private static func sign(_ x: Double) -> Double {
            x > 0 ? 1 : (x < 0 ? -1 : (x.isNaN ? .nan : 0))
        }

        /// The cubic through `(stA, fa)` and `(stB, fb)` with slopes `da` and `db`, as MINPACK's
        /// `dcstep` writes it: `θ = 3 (fa − fb) / (stB − stA) + da + db` and
        /// `γ = s √((θ/s)² − (da/s)(db/s))`, `s = max(|θ|, |da|, |db|)` (scaled against overflow);
        /// `floorAtZero` clamps the radicand at 0.
        func cubic(_ fa: Double, _ fb: Double, _ stA: Double, _ stB: Double, _ da: Double, _ db: Double,
                   floorAtZero: Bool = false) -> (theta: Double, gamma: Double) {
            let theta = 3 * (fa - fb) / (stB - stA) + da + db
            let s = max(max(abs(theta), abs(da)), abs(db))
            let radicand = square(theta / s) - (da / s) * (db / s)
            return (theta, s * (floorAtZero ? max(0, radicand) : radicand).squareRoot())
        }
    }

    /// MINPACK-2 `dcstep` in `flavour`: a safeguarded cubic or quadratic step from the interval
    /// `(stx, sty)` towards `stp` (value `fp`, slope `dp`), the update of the interval of
    /// uncertainty and `brackt`; the new `stp` lies in `[stpmin, stpmax]`.
    static func dcstep(_ flavour: Flavour, stx: inout Double, fx: inout Double, dx: inout Double,
                       sty: inout Double, fy: inout Double, dy: inout Double, stp: inout Double, fp: Double, dp: Double,
                       brackt: inout Bool, stpmin: Double, stpmax: Double) {
        let sgnd = flavour.slopeSign(dp, dx)
        var stpf: Double
        if fp > fx {
            let stpc = cubicMinimizer(from: stx, slope: dx, to: stp, slope: dp, flavour.cubic(fx, fp, stx, stp, dx, dp))
            let stpq = stx + ((dx / ((fx - fp) / (stp - stx) + dx)) / 2) * (stp - stx)
            let keepsCubic = flavour.cubicOnTie ? abs(stpc - stx) <= abs(stpq - stx) : abs(stpc - stx) < abs(stpq - stx)
            stpf = keepsCubic ? stpc : stpc + (stpq - stpc) / 2
            brackt = true
        } else if sgnd < 0 {
            let stpc = cubicMinimizer(from: stp, slope: dp, to: stx, slope: dx, flavour.cubic(fx, fp, stx, stp, dx, dp))
            let stpq = stp + (dp / (dp - dx)) * (stx - stp)
            stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
            brackt = true
        } else if abs(dp) < abs(dx) {
            let (theta, gamma) = flavour.cubic(fx, fp, stx, stp, dx, dp, floorAtZero: true)
            let (stpc, stpq) = thirdCaseSteps(theta: theta, gamma: gamma, stx: stx, stp: stp, dx: dx, dp: dp, stpmin: stpmin, stpmax: stpmax)
            if brackt {
                stpf = abs(stpc - stp) < abs(stpq - stp) ? stpc : stpq
                stpf = stp > stx ? flavour.min(stp + 0.66 * (sty - stp), stpf) : flavour.max(stp + 0.66 * (sty - stp), stpf)
            } else {
                stpf = abs(stpc - stp) > abs(stpq - stp) ? stpc : stpq
                stpf = flavour.clip(stpf, stpmin, stpmax)
            }
        } else if brackt {
            stpf = cubicMinimizer(from: stp, slope: dp, to: sty, slope: dy, flavour.cubic(fp, fy, stp, sty, dy, dp))
        } else {
            stpf = stp > stx ? stpmax : stpmin
        }
        moveInterval(stx: &stx, fx: &fx, dx: &dx, sty: &sty, fy: &fy, dy: &dy, to: stp, fp: fp, dp: dp, slopesDiffer: sgnd < 0)
        stp = stpf
    }
}
