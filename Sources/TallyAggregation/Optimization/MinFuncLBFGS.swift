import Foundation

/// Limited-memory BFGS as Mark Schmidt's MATLAB `minFunc` (2012) runs it with `Method = 'lbfgs'`
/// and its defaults: steepest descent first with step `min(1, 1/‖g‖₁)`, then the two-loop
/// recursion (`lbfgs.m`) over every stored pair (`lbfgsUpdate.m` keeps a pair when `yᵀs > 1e-10`
/// and scales the initial Hessian by `yᵀs / yᵀy`), unit initial steps, and the Wolfe line search
/// of `WolfeLineSearch.m` with cubic interpolation from function values and derivatives
/// (`LS_interp = 2`, `c1 = 1e-4`, `c2 = 0.9`, at most 25 trials, `polyinterp.m`'s two-point
/// formula). It stops, as `minFunc` does, when the largest gradient component is at most
/// `optimalityTolerance`, when the directional derivative, the step or the change of the
/// objective falls below `progressTolerance`, after `maxFunctionEvaluations` evaluations or after
/// `maxIterations` iterations.
///
/// Minimax conditional entropy's reference (Zhou et al.'s code in the VLDB 2017 benchmark) solves
/// its many small M-step problems with it; Tally follows it operation for operation so that the
/// fitted parameters agree to rounding. Not ported: the Armijo fall-back `minFunc` takes when an
/// objective returns NaN or ±∞ (the minimax objectives are log-sum-exps of finite numbers), in
/// which case this stops at the last finite point.
struct MinFuncLBFGS {
    /// `maxIter`.
    var maxIterations: Int
    /// `optTol`: stop when every gradient component is at most this in magnitude.
    var optimalityTolerance: Double
    /// `progTol`: stop when the directional derivative, the step or the change of the objective is
    /// below this.
    var progressTolerance: Double
    /// `maxFunEvals`.
    var maxFunctionEvaluations = 1000
    /// The Armijo constant of the line search.
    var c1 = 1e-4
    /// The curvature constant of the line search.
    var c2 = 0.9
    /// Trials per line search.
    var maxLineSearch = 25

    /// Minimises the objective `f` from `x` (updated in place); `f(x, &gradient)` returns the
    /// value and writes the gradient. Returns the number of evaluations.
    @discardableResult
    func minimize(_ x: inout [Double], _ f: (_ x: [Double], _ gradient: inout [Double]) -> Double) -> Int {
        let n = x.count
        var g = [Double](repeating: 0, count: n)
        var value = f(x, &g)
        var evaluations = 1
        guard g.allFinite else { return evaluations }
        if Self.maxAbs(g) <= optimalityTolerance { return evaluations }
        var dirs: [[Double]] = [], steps: [[Double]] = []
        var hDiag = 1.0, t = 1.0
        var d = [Double](repeating: 0, count: n), gOld = g
        for i in 1...max(1, maxIterations) {
            if i == 1 {
                for e in 0..<n { d[e] = -g[e] }
            } else {
                // lbfgsUpdate(g - g_old, t*d, ...)
                var y = [Double](repeating: 0, count: n), s = [Double](repeating: 0, count: n)
                for e in 0..<n { y[e] = g[e] - gOld[e]; s[e] = t * d[e] }
                let ys = Self.dot(y, s)
                if ys > 1e-10 {
                    dirs.append(s)
                    steps.append(y)
                    hDiag = ys / Self.dot(y, y)
                }
                d = Self.direction(g, dirs: dirs, steps: steps, hDiag: hDiag)
            }
            gOld = g
            guard d.allFinite else { break }
            let gtd = Self.dot(g, d)
            if gtd > -progressTolerance { break }
            if i == 1 {
                var l1 = 0.0
                for e in 0..<n { l1 += abs(g[e]) }
                t = min(1, 1 / l1)
            } else {
                t = 1
            }
            let previous = value
            let search = wolfe(x, t: t, d: d, f: value, g: g, gtd: gtd, f)
            evaluations += search.evaluations
            guard search.finite else { break }
            t = search.t
            value = search.value
            g = search.gradient
            for e in 0..<n { x[e] += t * d[e] }
            if Self.maxAbs(g) <= optimalityTolerance { break }
            var largestStep = 0.0
            for e in 0..<n { largestStep = max(largestStep, abs(t * d[e])) }
            if largestStep <= progressTolerance { break }
            if abs(value - previous) < progressTolerance { break }
            if evaluations >= maxFunctionEvaluations { break }
        }
        return evaluations
    }

    /// `lbfgs.m`: the two-loop recursion for `-H·g`, with its order of operations.
    static func direction(_ g: [Double], dirs: [[Double]], steps: [[Double]], hDiag: Double) -> [Double] {
        let k = dirs.count, n = g.count
        var ro = [Double](repeating: 0, count: k)
        for i in 0..<k { ro[i] = 1 / dot(steps[i], dirs[i]) }
        var q = g.map { -$0 }
        var al = [Double](repeating: 0, count: k)
        for i in stride(from: k - 1, through: 0, by: -1) {
            // ro(i)*s(:,i)'*q: the scaled row times q.
            var a = 0.0
            for e in 0..<n { a += (ro[i] * dirs[i][e]) * q[e] }
            al[i] = a
            for e in 0..<n { q[e] -= a * steps[i][e] }
        }
        var r = q.map { hDiag * $0 }
        for i in 0..<k {
            var b = 0.0
            for e in 0..<n { b += (ro[i] * steps[i][e]) * r[e] }
            let coefficient = al[i] - b
            for e in 0..<n { r[e] += dirs[i][e] * coefficient }
        }
        return r
    }

    /// The outcome of one line search.
    struct Search {
        var t: Double, value: Double, gradient: [Double], evaluations: Int, finite: Bool
    }

    /// `WolfeLineSearch.m` with `LS_interp = 2`: bracketing by cubic extrapolation, then zooming
    /// by cubic interpolation, with its safeguards.
    func wolfe(_ x: [Double], t start: Double, d: [Double], f: Double, g: [Double], gtd: Double,
               _ objective: (_ x: [Double], _ gradient: inout [Double]) -> Double) -> Search {
        let n = x.count
        var point = [Double](repeating: 0, count: n)
        func evaluate(_ t: Double) -> (Double, [Double]) {
            for e in 0..<n { point[e] = x[e] + t * d[e] }
            var gradient = [Double](repeating: 0, count: n)
            let v = objective(point, &gradient)
            return (v, gradient)
        }
        var t = start
        var (fNew, gNew) = evaluate(t)
        var evaluations = 1
        var gtdNew = Self.dot(gNew, d)
        var iteration = 0
        var tPrev = 0.0, fPrev = f, gPrev = g, gtdPrev = gtd
        var done = false
        var bracket: [Double] = [], bracketF: [Double] = [], bracketG: [[Double]] = []
        while iteration < maxLineSearch {
            guard fNew.isFinite, gNew.allFinite else {
                return Search(t: 0, value: f, gradient: g, evaluations: evaluations, finite: false)
            }
            if fNew > f + c1 * t * gtd || (iteration > 1 && fNew >= fPrev) {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]
                break
            } else if abs(gtdNew) <= -c2 * gtd {
                bracket = [t]; bracketF = [fNew]; bracketG = [gNew]
                done = true
                break
            } else if gtdNew >= 0 {
                bracket = [tPrev, t]; bracketF = [fPrev, fNew]; bracketG = [gPrev, gNew]
                break
            }
            let temp = tPrev
            tPrev = t
            let minStep = t + 0.01 * (t - temp), maxStep = t * 10
            t = Self.cubic((temp, fPrev, gtdPrev), (t, fNew, gtdNew), lower: minStep, upper: maxStep)
            fPrev = fNew; gPrev = gNew; gtdPrev = gtdNew
            (fNew, gNew) = evaluate(t)
            evaluations += 1
            gtdNew = Self.dot(gNew, d)
            iteration += 1
        }
        if iteration == maxLineSearch {
            bracket = [0, t]; bracketF = [f, fNew]; bracketG = [g, gNew]
        }
        var insufficientProgress = false
        while !done && iteration < maxLineSearch {
            let lo = bracketF[1] < bracketF[0] ? 1 : 0, hi = 1 - lo
            let fLo = bracketF[lo]
            let low = min(bracket[0], bracket[1]), high = max(bracket[0], bracket[1])
            if !bracketF.allFinite || !bracketG.allSatisfy(\.allFinite) {
                t = (bracket[0] + bracket[1]) / 2
            } else {
                t = Self.cubic((bracket[0], bracketF[0], Self.dot(bracketG[0], d)),
                               (bracket[1], bracketF[1], Self.dot(bracketG[1], d)), lower: low, upper: high)
            }
            if min(high - t, t - low) / (high - low) < 0.1 {
                if insufficientProgress || t >= high || t <= low {
                    t = abs(t - high) < abs(t - low) ? high - 0.1 * (high - low) : low + 0.1 * (high - low)
                    insufficientProgress = false
                } else {
                    insufficientProgress = true
                }
            } else {
                insufficientProgress = false
            }
            (fNew, gNew) = evaluate(t)
            evaluations += 1
            gtdNew = Self.dot(gNew, d)
            iteration += 1
            if fNew > f + c1 * t * gtd || fNew >= fLo {
                bracket[hi] = t; bracketF[hi] = fNew; bracketG[hi] = gNew
            } else {
                if abs(gtdNew) <= -c2 * gtd {
                    done = true
                } else if gtdNew * (bracket[hi] - bracket[lo]) >= 0 {
                    bracket[hi] = bracket[lo]; bracketF[hi] = bracketF[lo]; bracketG[hi] = bracketG[lo]
                }
                bracket[lo] = t; bracketF[lo] = fNew; bracketG[lo] = gNew
            }
            if !done && abs((bracket[0] - bracket[1]) * gtdNew) < progressTolerance { break }
        }
        var best = 0
        for i in bracketF.indices.dropFirst() where bracketF[i] < bracketF[best] { best = i }
        let finite = bracketF[best].isFinite && bracketG[best].allFinite
        return Search(t: finite ? bracket[best] : 0, value: finite ? bracketF[best] : f,
                      gradient: finite ? bracketG[best] : g, evaluations: evaluations, finite: finite)
    }

    /// `polyinterp.m` for two points with values and derivatives: the minimiser of the cubic
    /// through them, clamped to `[lower, upper]`; the midpoint of the bounds when the cubic has no
    /// real critical point. MATLAB's `max`/`min` ignore NaN, and so does this.
    static func cubic(_ a: (x: Double, f: Double, g: Double), _ b: (x: Double, f: Double, g: Double),
                      lower: Double, upper: Double) -> Double {
        let (p, q) = b.x < a.x ? (b, a) : (a, b)   // p: the point of smaller x (the first on ties)
        let d1 = p.g + q.g - 3 * (p.f - q.f) / (p.x - q.x)
        let radicand = d1 * d1 - p.g * q.g
        guard !(radicand < 0) else { return (upper + lower) / 2 }
        let d2 = radicand.squareRoot()
        let t = q.x - (q.x - p.x) * ((q.g + d2 - d1) / (q.g - p.g + 2 * d2))
        let clampedBelow = t.isNaN ? lower : max(t, lower)
        return clampedBelow.isNaN ? upper : min(clampedBelow, upper)
    }

    /// `xᵀy`, summed in order.
    static func dot(_ x: [Double], _ y: [Double]) -> Double {
        var s = 0.0
        for i in x.indices { s += x[i] * y[i] }
        return s
    }

    /// The largest magnitude.
    static func maxAbs(_ x: [Double]) -> Double {
        var m = 0.0
        for v in x { m = max(m, abs(v)) }
        return m
    }
}

extension Array where Element == Double {
    /// Whether every element is finite.
    var allFinite: Bool { allSatisfy(\.isFinite) }
}
