import Foundation

/// evalica 0.4.2's own Bradley-Terry (`bradley_terry`), distinct from crowd-kit's ``BradleyTerry``.
///
/// On `m = win·weights.win + tie·weights.tie` (draws count half a win each way by default), each
/// iteration updates the items in evalica's order, in place (Gauss-Seidel): `pᵢ = Σⱼ mᵢⱼ pⱼ /
/// (pᵢ + pⱼ) / Σⱼ mⱼᵢ / (pᵢ + pⱼ)`, then divides by the geometric mean; it stops when the
/// Euclidean change is below the tolerance. An item that never wins gets 0, which makes the
/// geometric mean 0 and, as in evalica, the scores of that iteration ±∞ → the largest double
/// and NaN → the tolerance (`nan_to_num`).
public struct EvalicaBradleyTerry: EvalicaMethod {
    /// The value of a win and of a draw.
    public var weights: EvalicaWeights
    /// When the iteration stops.
    public var stopping: EvalicaStopping

    /// Bradley-Terry (evalica's defaults unless given).
    public init(weights: EvalicaWeights = EvalicaWeights(), stopping: EvalicaStopping = EvalicaStopping()) {
        self.weights = weights
        self.stopping = stopping
    }

    /// The score of each item, by position (geometric mean 1).
    public func scores(_ c: EvalicaComparisons) -> [Double] { fit(c).scores }

    /// The scores and the iterations run.
    public func fit(_ c: EvalicaComparisons) -> (scores: [Double], iterations: Int) {
        let n = c.itemCount
        var s = [Double](repeating: 1, count: n)
        guard c.count > 0, n > 0 else { return (s, 0) }
        let tolerance = stopping.tolerance
        let m = c.combinedMatrix(weights, nan: tolerance)
        let mt = Evalica.transposed(m, n: n)  // so both sums read rows
        var iterations = 0, converged = false
        var next = s
        while !converged && iterations < stopping.limit {
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
