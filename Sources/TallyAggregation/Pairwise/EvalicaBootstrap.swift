import Foundation

/// Bootstrap confidence intervals of an evalica method's scores, as evalica 0.4.2's `bootstrap`
/// computes them: `scipy.stats.bootstrap(paired=True, vectorized=False, random_state=seed)` over
/// the comparisons.
///
/// - Resampling: `numpy.random.RandomState(seed).randint(0, n, (resamples, n))` (scipy turns an
///   integer `random_state` into a legacy `RandomState`: MT19937 with masked rejection sampling),
///   one row of comparison indices per resample, drawn row by row; the method is refitted on each
///   resample over all items.
/// - Intervals: `percentile` (the `α/2` and `1 − α/2` quantiles, `α = 1 − confidence`),
///   `basic` (`2θ̂ − ` those, swapped) or `bca` (evalica's default: bias-corrected and
///   accelerated, the acceleration from the jackknife, which refits the method `n` times with one
///   comparison left out). Quantiles are `scipy.stats.quantile`'s `linear` (Hyndman-Fan 7).
///
/// The same seed draws the same resamples as evalica, so the intervals agree up to the rounding
/// of the scores. An interval is NaN where scipy's is (a degenerate bootstrap distribution under BCa).
public struct EvalicaBootstrap: Sendable {
    /// How the interval is read off the bootstrap distribution (scipy's `method`).
    public enum Method: String, Sendable, CaseIterable {
        /// The percentile interval.
        case percentile
        /// The basic (reverse percentile) interval.
        case basic
        /// Bias-corrected and accelerated (evalica's default).
        case bca
    }

    /// The number of resamples (evalica's `n_resamples`, default 1000).
    public var resamples: Int
    /// The confidence level (default 0.95).
    public var confidence: Double
    /// The interval method (default BCa).
    public var method: Method
    /// The seed of numpy's `RandomState` (evalica's `random_state`).
    public var seed: UInt32
    /// Threads refitting resamples at once (the result does not depend on it).
    public var threads: Int

    /// Bootstrap settings with evalica's defaults.
    public init(resamples: Int = 1000, confidence: Double = 0.95, method: Method = .bca, seed: UInt32 = 0,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.resamples = resamples
        self.threads = max(1, threads)
        self.confidence = confidence
        self.method = method
        self.seed = seed
    }

    /// The point scores of `ranking` on `comparisons` and their intervals, by item position.
    ///
    /// - Throws: ``AggregationError`` with fewer than two comparisons (scipy refuses them), no
    ///   resamples, or a confidence outside (0, 1).
    public func intervals(_ ranking: some EvalicaMethod, _ comparisons: EvalicaComparisons) throws -> EvalicaIntervals {
        let n = comparisons.count, k = comparisons.itemCount
        guard n >= 2 else { throw AggregationError("bootstrap: needs at least two comparisons, got \(n)") }
        guard resamples >= 1 else { throw AggregationError("bootstrap: the number of resamples must be positive, got \(resamples)") }
        guard confidence > 0 && confidence < 1 else { throw AggregationError("bootstrap: the confidence must be in (0, 1), got \(confidence)") }
        let theta = ranking.scores(comparisons)
        // Every resample's indices first, in numpy's order.
        var rs = NumpyRandomState(seed: seed)
        let bound = UInt32(n - 1)
        var mask = bound
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16
        var rows = [Int](repeating: 0, count: resamples * n)
        for r in rows.indices {
            var value: UInt32
            repeat { value = rs.nextUInt32() & mask } while value > bound
            rows[r] = Int(value)
        }
        // distribution[item * resamples + b]
        let B = resamples
        var distribution = [Double](repeating: 0, count: k * B)
        rows.withUnsafeBufferPointer { rows in
            distribution.withUnsafeMutableBufferPointer { out in
                let shared = UncheckedSendable((rows, out))
                let parts = balancedRows(B, count: threads)
                parallelFor(parts.count) { part in
                    let (rows, out) = shared.value
                    for b in parts[part] {
                        let s = ranking.scores(comparisons.resampled(UnsafeBufferPointer(rebasing: rows[(b * n)..<(b * n + n)])))
                        for i in 0..<k { out[i * B + b] = s[i] }
                    }
                }
            }
        }
        let alpha = (1 - confidence) / 2
        var levels = [(Double, Double)](repeating: (alpha, 1 - alpha), count: k)
        if method == .bca { levels = bcaLevels(ranking, comparisons, theta: theta, distribution: distribution, alpha: alpha) }
        var low = [Double](repeating: .nan, count: k), high = low, stderr = low
        for i in 0..<k {
            let sorted = distribution[(i * B)..<(i * B + B)].sorted()
            let hasNaN = sorted.contains { $0.isNaN }
            low[i] = hasNaN ? .nan : Self.quantile(sorted, levels[i].0)
            high[i] = hasNaN ? .nan : Self.quantile(sorted, levels[i].1)
            if method == .basic { (low[i], high[i]) = (2 * theta[i] - high[i], 2 * theta[i] - low[i]) }
            let values = Array(distribution[(i * B)..<(i * B + B)])
            let mean = numpySum(values) / Double(B)
            stderr[i] = B > 1 ? (numpySum(values.map { ($0 - mean) * ($0 - mean) }) / Double(B - 1)).squareRoot() : .nan
        }
        return EvalicaIntervals(scores: theta, low: low, high: high, stderr: stderr, distribution: distribution, resamples: B)
    }

    /// scipy's `_bca_interval`: the two quantile levels of each item.
    private func bcaLevels(_ ranking: some EvalicaMethod, _ c: EvalicaComparisons, theta: [Double], distribution: [Double], alpha: Double) -> [(Double, Double)] {
        let n = c.count, k = c.itemCount, B = resamples
        var jack = [Double](repeating: 0, count: k * n)  // jack[item * n + left-out]
        jack.withUnsafeMutableBufferPointer { out in
            let shared = UncheckedSendable(out)
            let parts = balancedRows(n, count: threads)
            parallelFor(parts.count) { part in
                let out = shared.value
                for j in parts[part] {
                    var rows = [Int](0..<(n - 1))
                    for r in j..<(n - 1) { rows[r] = r + 1 }
                    let s = rows.withUnsafeBufferPointer { ranking.scores(c.resampled($0)) }
                    for i in 0..<k { out[i * n + j] = s[i] }
                }
            }
        }
        let zAlpha = Self.ndtri(alpha), z1Alpha = -zAlpha
        let nd = Double(n)
        return (0..<k).map { i in
            var below = 0, atMost = 0
            for b in 0..<B {
                let x = distribution[i * B + b]
                if x < theta[i] { below += 1 }
                if x <= theta[i] { atMost += 1 }
            }
            let z0 = Self.ndtri(Double(below + atMost) / Double(2 * B))
            let values = Array(jack[(i * n)..<(i * n + n)])
            let dot = numpySum(values) / nd
            let u = values.map { (nd - 1) * (dot - $0) }
            let num = numpySum(u.map { pow($0, 3) }) / pow(nd, 3)
            let den = numpySum(u.map { $0 * $0 }) / (nd * nd)
            let a = 1.0 / 6 * num / pow(den, 1.5)
            let n1 = z0 + zAlpha, n2 = z0 + z1Alpha
            return (Self.ndtr(z0 + n1 / (1 - a * n1)), Self.ndtr(z0 + n2 / (1 - a * n2)))
        }
    }

    /// `scipy.stats.quantile(method="linear")` of ascending `y` at level `p` (NaN outside [0, 1]).
    static func quantile(_ y: [Double], _ p: Double) -> Double {
        guard !p.isNaN, p >= 0, p <= 1 else { return .nan }
        let n = Double(y.count)
        let jg = p * n + (1 - p)
        let jp1 = jg.rounded(.down)
        let j = jp1 - 1
        var g = jg - jp1
        if j < 0 { g = 0 }
        let lo = Int(min(max(j, 0), n - 1)), hi = Int(min(max(jp1, 0), n - 1))
        return (1 - g) * y[lo] + g * y[hi]
    }

    /// The standard normal distribution function (Cephes' `ndtr`, as scipy).
    static func ndtr(_ a: Double) -> Double {
        if a.isNaN { return .nan }
        let x = a * 0.70710678118654752440, z = abs(x)
        if z < 0.70710678118654752440 { return 0.5 + 0.5 * erf(x) }
        let y = 0.5 * erfc(z)
        return x > 0 ? 1 - y : y
    }

    /// The standard normal quantile function: Acklam's approximation refined by one Halley step
    /// (within a few ulps of scipy's `ndtri`).
    static func ndtri(_ p: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        var x: Double
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - 0.02425 {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log1p(-p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        for _ in 0..<2 {
            let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
            let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
            x -= u / (1 + x * u / 2)
        }
        return x
    }
}

/// Scores with bootstrap intervals, by item position of the ``EvalicaComparisons``.
public struct EvalicaIntervals: Sendable {
    /// The point scores on all comparisons.
    public let scores: [Double]
    /// The lower bound of each item's interval.
    public let low: [Double]
    /// The upper bound of each item's interval.
    public let high: [Double]
    /// The standard deviation (ddof 1) of each item's bootstrap scores (scipy's `standard_error`).
    public let stderr: [Double]
    /// Every resample's scores, item-major: `distribution[item · resamples + b]`.
    public let distribution: [Double]
    /// The number of resamples.
    public let resamples: Int
}
