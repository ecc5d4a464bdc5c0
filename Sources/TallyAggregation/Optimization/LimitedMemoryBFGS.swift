import Foundation

/// L-BFGS-B without bounds, step for step as `scipy.optimize.minimize(method="L-BFGS-B")` runs
/// it on an unbounded problem: crowd-kit's NoisyBradleyTerry fits with it, so its scores depend
/// on the exact iterates.
///
/// R. H. Byrd, P. Lu, J. Nocedal and C. Zhu, "A limited memory algorithm for bound constrained
/// optimization", SIAM J. Sci. Comput. 16(5), 1995 (L-BFGS-B 3.0). Without bounds every variable
/// is free, so the generalized Cauchy point is `x − g` while the memory is empty and is skipped
/// afterwards, and the subspace minimisation is the quasi-Newton step `−H g` of the last `m`
/// correction pairs (computed here by the two-loop recursion, equal to the compact form up to
/// rounding). The line search is MINPACK-2's `dcsrch` (``LBFGSBLineSearch``) with `ftol 1e-3`,
/// `gtol 0.9`, `xtol 0.1`, first step `1/‖d‖` on the first iteration and 1 after; a warning
/// accepts the step; a request beyond `maxLineSearch` evaluations, or an ascent direction, fails
/// the search: the iterate is restored
/// and the memory dropped, or, with an empty memory, the minimiser stops. A pair is kept only
/// when `sᵀy > ε · (−gᵀs)`. It stops when the largest gradient component is at most
/// `gradientTolerance`, when `(f_old − f) ≤ relativeReduction · max(|f_old|, |f|, 1)`, or after
/// `maxIterations` accepted steps (SciPy's `maxiter`, checked first).
struct LimitedMemoryBFGS {
    var maxIterations: Int
    /// SciPy's `ftol` (`factr · ε`).
    var relativeReduction: Double
    /// SciPy's `gtol` (`pgtol`).
    var gradientTolerance = 1e-5
    /// SciPy's `maxcor`.
    var memory = 10
    /// SciPy's `maxls`.
    var maxLineSearch = 20

    /// Minimises from `x0`; `evaluate(x, &g)` returns `f(x)` and writes its gradient into `g`.
    func minimize(_ x0: [Double], evaluate: (_ x: [Double], _ g: inout [Double]) -> Double) -> MinimizerResult {
        let n = x0.count
        var x = x0
        var g = [Double](repeating: 0, count: n)
        var f = evaluate(x, &g)
        var evaluations = 1
        /// projgr: the largest |gᵢ|, NaN when a component is NaN.
        func infNorm(_ v: [Double]) -> Double {
            var m = 0.0
            for x in v {
                if x.isNaN { return x }
                m = fmax(m, abs(x))
            }
            return m
        }
        func dot(_ a: [Double], _ b: [Double]) -> Double {
            var s = 0.0
            for i in 0..<a.count { s += a[i] * b[i] }
            return s
        }
        if infNorm(g) <= gradientTolerance { return MinimizerResult(x: x, value: f, iterations: 0, evaluations: evaluations, stop: .gradient) }
        var sList: [[Double]] = [], yList: [[Double]] = [], rhoList: [Double] = []
        var theta = 1.0
        var iterations = 0
        while true {
            // The point z the step aims at, and d = z − x.
            var z = [Double](repeating: 0, count: n)
            if sList.isEmpty {
                for i in 0..<n { z[i] = x[i] + (1 / theta) * -g[i] }
            } else {
                var q = g.map { -$0 }
                var alpha = [Double](repeating: 0, count: sList.count)
                for k in stride(from: sList.count - 1, through: 0, by: -1) {
                    alpha[k] = rhoList[k] * dot(sList[k], q)
                    for i in 0..<n { q[i] -= alpha[k] * yList[k][i] }
                }
                for i in 0..<n { q[i] /= theta }
                for k in 0..<sList.count {
                    let beta = rhoList[k] * dot(yList[k], q)
                    for i in 0..<n { q[i] += (alpha[k] - beta) * sList[k][i] }
                }
                for i in 0..<n { z[i] = x[i] + q[i] }
            }
            var d = [Double](repeating: 0, count: n)
            for i in 0..<n { d[i] = z[i] - x[i] }
            let t = x, r = g, fold = f
            let gdold = dot(g, d)
            let dnorm = dot(d, d).squareRoot()
            // lnsrlb: dcsrch driven by reverse communication; a request beyond maxLineSearch fails.
            let search = LBFGSBLineSearch(stpmax: 1e10)
            var state = LBFGSBLineSearch.State()
            var stp = iterations == 0 ? fmin(1 / dnorm, 1e10) : 1
            var task = LBFGSBLineSearch.Task.start
            var gd = gdold
            var requests = 0
            var failed = gdold >= 0  // an ascent direction fails (a NaN slope goes on, as in C)
            trialLoop: while !failed {
                task = search.iterate(&state, stp: &stp, f: f, g: gd, task: task)
                if task == .converged || task == .warning { break trialLoop }
                if task == .error { failed = true; break trialLoop }
                requests += 1
                if stp == 1 {
                    x = z
                } else {
                    for i in 0..<n { x[i] = stp * d[i] + t[i] }
                }
                if requests - 1 >= maxLineSearch { failed = true; break trialLoop }
                evaluations += 1
                f = evaluate(x, &g)
                gd = dot(g, d)
            }
            if failed {
                x = t
                g = r
                f = fold
                if sList.isEmpty { return MinimizerResult(x: x, value: f, iterations: iterations + 1, evaluations: evaluations, stop: .lineSearch) }
                sList.removeAll(); yList.removeAll(); rhoList.removeAll()
                theta = 1
                continue
            }
            let step = (step: stp, dphi: gd)
            iterations += 1
            if iterations >= maxIterations { return MinimizerResult(x: x, value: f, iterations: iterations, evaluations: evaluations, stop: .iterations) }
            if infNorm(g) <= gradientTolerance { return MinimizerResult(x: x, value: f, iterations: iterations, evaluations: evaluations, stop: .gradient) }
            if fold - f <= relativeReduction * fmax(fmax(abs(fold), abs(f)), 1) {
                return MinimizerResult(x: x, value: f, iterations: iterations, evaluations: evaluations, stop: .reduction)
            }
            var y = [Double](repeating: 0, count: n)
            for i in 0..<n { y[i] = g[i] - r[i] }
            let rr = pow(dot(y, y).squareRoot(), 2.0)
            let dr: Double, ddum: Double
            if step.step == 1 {
                dr = step.dphi - gdold
                ddum = -gdold
            } else {
                dr = (step.dphi - gdold) * step.step
                for i in 0..<n { d[i] *= step.step }
                ddum = -gdold * step.step
            }
            if dr <= Double.ulpOfOne * ddum { continue }
            if sList.count == memory {
                sList.removeFirst(); yList.removeFirst(); rhoList.removeFirst()
            }
            sList.append(d)
            yList.append(y)
            rhoList.append(1 / dr)
            theta = rr / dr
        }
    }
}
