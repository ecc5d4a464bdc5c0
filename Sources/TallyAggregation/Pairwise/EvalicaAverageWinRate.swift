/// Average win rate (evalica 0.4.2's `average_win_rate`): each item's win rate against every
/// item it met, averaged over those opponents.
///
/// With `m = win·winWeight + tie·tieWeight`, the rate of `i` against `j` is `m[i][j] / (m[i][j] +
/// m[j][i])`; pairs that never met (0/0) are left out of the mean, and an item that met no one
/// scores 0.
public struct EvalicaAverageWinRate: EvalicaMethod {
    /// The value of a win (evalica's `win_weight`).
    public var winWeight: Double
    /// The value of a draw to each side (evalica's `tie_weight`).
    public var tieWeight: Double

    /// Average win rate with evalica's defaults (a win counts 1, a draw 0.5).
    public init(winWeight: Double = 1, tieWeight: Double = 0.5) {
        self.winWeight = winWeight
        self.tieWeight = tieWeight
    }

    /// The average win rate of each item, by position.
    public func scores(_ c: EvalicaComparisons) -> [Double] {
        guard c.count > 0 else { return [] }
        let n = c.itemCount
        let m = c.combinedMatrix(winWeight: winWeight, tieWeight: tieWeight, nan: 0)
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
