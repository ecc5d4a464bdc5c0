import Foundation

/// evalica 0.4.2's own Bradley-Terry (`bradley_terry`), distinct from crowd-kit's ``BradleyTerry``.
///
/// On `m = win·winWeight + tie·tieWeight` (draws count half a win each way by default), each
/// iteration updates the items in evalica's order, in place (Gauss-Seidel): `pᵢ = Σⱼ mᵢⱼ pⱼ /
/// (pᵢ + pⱼ) / Σⱼ mⱼᵢ / (pᵢ + pⱼ)`, then divides by the geometric mean; it stops when the
/// Euclidean change is below the tolerance. An item that never wins gets 0, which makes the
/// geometric mean 0 and, as in evalica, the scores of that iteration ±∞ → the largest double
/// and NaN → the tolerance (`nan_to_num`).
public struct EvalicaBradleyTerry: EvalicaMethod {
    /// The value of a win (evalica's `win_weight`).
    public var winWeight: Double
    /// The value of a draw to each side (evalica's `tie_weight`).
    public var tieWeight: Double
    /// Stop when the Euclidean change of the scores is below this.
    public var tolerance: Double
    /// At most this many iterations (evalica's `limit`).
    public var limit: Int

    /// Bradley-Terry with evalica's defaults.
    public init(winWeight: Double = 1, tieWeight: Double = 0.5, tolerance: Double = 1e-6, limit: Int = 100) {
        self.winWeight = winWeight
        self.tieWeight = tieWeight
        self.tolerance = tolerance
        self.limit = limit
    }

    /// The score of each item, by position (geometric mean 1).
    public func scores(_ c: EvalicaComparisons) -> [Double] { fit(c).scores }

    /// The scores and the iterations run.
    public func fit(_ c: EvalicaComparisons) -> (scores: [Double], iterations: Int) {
        let n = c.itemCount
        var s = [Double](repeating: 1, count: n)
        guard c.count > 0, n > 0 else { return (s, 0) }
        let m = c.combinedMatrix(winWeight: winWeight, tieWeight: tieWeight, nan: tolerance)
        var mt = [Double](repeating: 0, count: n * n)  // mᵀ, so both sums read rows
        for i in 0..<n { for j in 0..<n { mt[i * n + j] = m[j * n + i] } }
        var iterations = 0, converged = false
        var next = s
        while !converged && iterations < limit {
            iterations += 1
            for i in 0..<n { next[i] = s[i] }
            m.withUnsafeBufferPointer { m in
              mt.withUnsafeBufferPointer { mt in
                for i in 0..<n {
                    var num = 0.0, den = 0.0
                    let si = next[i]
                    for j in 0..<n {
                        let sum = si + next[j]
                        num += m[i * n + j] * next[j] / sum
                        den += mt[i * n + j] / sum
                    }
                    next[i] = num / den
                }
              }
            }
            var logSum = 0.0
            for v in next { logSum += log(v) }
            let mean = exp(logSum / Double(n))
            for i in 0..<n { next[i] = Evalica.finite(next[i] / mean, tolerance) }
            converged = Evalica.distance(next, s) < tolerance
            swap(&s, &next)
        }
        return (s, iterations)
    }
}
