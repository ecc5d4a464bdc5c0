/// PageRank (evalica 0.4.2's `pagerank`) on the comparison graph, each loss a link to the winner.
///
/// With `m = win·winWeight + tie·tieWeight`, column `j` of `m` is normalised to sum 1 (a column
/// of zeros becomes uniform), damped (`d·M + (1 − d)/n`), and the leading eigenvector found by
/// ``EvalicaEigen``'s power iteration is scaled to sum 1.
public struct EvalicaPageRank: EvalicaMethod {
    /// The damping factor (evalica's `damping`, alpha).
    public var damping: Double
    /// The value of a win (evalica's `win_weight`).
    public var winWeight: Double
    /// The value of a draw to each side (evalica's `tie_weight`).
    public var tieWeight: Double
    /// Stop when the Euclidean change of the scores is below this.
    public var tolerance: Double
    /// At most this many iterations (evalica's `limit`).
    public var limit: Int

    /// PageRank with evalica's defaults.
    public init(damping: Double = 0.85, winWeight: Double = 1, tieWeight: Double = 0.5, tolerance: Double = 1e-6, limit: Int = 100) {
        self.damping = damping
        self.winWeight = winWeight
        self.tieWeight = tieWeight
        self.tolerance = tolerance
        self.limit = limit
    }

    /// The PageRank of each item, by position (summing to 1).
    public func scores(_ c: EvalicaComparisons) -> [Double] {
        guard c.count > 0 else { return [] }
        let n = c.itemCount
        let m = c.combinedMatrix(winWeight: winWeight, tieWeight: tieWeight, nan: tolerance)
        let p = 1 / Double(n)
        // q[i][j] = d·m[j][i] / Σₖ m[k][i] + (1 − d)·p  (evalica's transposed, row-normalised matrix).
        var q = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            var sum = 0.0
            for j in 0..<n { sum += m[j * n + i] }
            for j in 0..<n { q[i * n + j] = sum == 0 ? p : m[j * n + i] / sum }
        }
        for k in q.indices { q[k] = damping * q[k] + (1 - damping) * p }
        var s = EvalicaEigen.powerIteration(columnsOf: q, n: n, tolerance: tolerance, limit: limit, contiguousColumns: true).scores
        let total = s.withUnsafeBufferPointer(Evalica.unrolledSum)
        for i in 0..<n { s[i] /= total }
        return s
    }
}
