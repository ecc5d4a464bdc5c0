/// Average win rate (evalica 0.4.2's `average_win_rate`): each item's win rate against every
/// item it met, averaged over those opponents.
///
/// With `m = win·weights.win + tie·weights.tie`, the rate of `i` against `j` is `m[i][j] / (m[i][j] +
/// m[j][i])`; pairs that never met (0/0) are left out of the mean, and an item that met no one
/// scores 0.
public struct EvalicaAverageWinRate: EvalicaMethod {
    /// The value of a win and of a draw.
    public var weights: EvalicaWeights

    /// Average win rate with `weights` (evalica's defaults: a win counts 1, a draw 0.5).
    public init(weights: EvalicaWeights = EvalicaWeights()) { self.weights = weights }

    /// The average win rate of each item, by position.
    public func scores(_ c: EvalicaComparisons) -> [Double] {
        guard c.count > 0 else { return [] }
        let n = c.itemCount
        let m = c.combinedMatrix(weights, nan: 0)
        var s = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = 0.0, seen = 0.0
            for j in 0..<n {
                let rate = m[i * n + j] / Evalica.finite(m[i * n + j] + m[j * n + i], 0)
                if !rate.isNaN { sum += rate; seen += 1 }
            }
            s[i] = Evalica.finite(seen > 0 ? sum / seen : 0, 0)
        }
        return s
    }
}
