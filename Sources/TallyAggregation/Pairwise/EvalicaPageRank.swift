/// PageRank (evalica 0.4.2's `pagerank`) on the comparison graph, each loss a link to the winner.
///
/// With `m = win·weights.win + tie·weights.tie`, column `j` of `m` is normalised to sum 1 (a column
/// of zeros becomes uniform), damped (`d·M + (1 − d)/n`), and the leading eigenvector found by
/// ``EvalicaEigen``'s power iteration is scaled to sum 1.
public struct EvalicaPageRank: EvalicaMethod {
    /// The damping factor (evalica's `damping`, alpha).
    public var damping: Double
    /// The value of a win and of a draw.
    public var weights: EvalicaWeights
    /// When the iteration stops.
    public var stopping: EvalicaStopping

    /// PageRank (evalica's defaults unless given).
    public init(damping: Double = 0.85, weights: EvalicaWeights = EvalicaWeights(), stopping: EvalicaStopping = EvalicaStopping()) {
        self.damping = damping
        self.weights = weights
        self.stopping = stopping
    }

    /// The PageRank of each item, by position (summing to 1).
    public func scores(_ c: EvalicaComparisons) -> [Double] {
        guard c.count > 0 else { return [] }
        let n = c.itemCount
        let m = c.combinedMatrix(weights, nan: stopping.tolerance)
        let p = 1 / Double(n)
        // q[i][j] = d·m[j][i] / Σₖ m[k][i] + (1 − d)·p  (evalica's transposed, row-normalised matrix).
        var q = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            var sum = 0.0
            for j in 0..<n { sum += m[j * n + i] }
            for j in 0..<n { q[i * n + j] = sum == 0 ? p : m[j * n + i] / sum }
        }
        for k in q.indices { q[k] = damping * q[k] + (1 - damping) * p }
        var s = EvalicaEigen.powerIteration(columnsOf: q, n: n, stopping, contiguousColumns: true).scores
        let total = s.withUnsafeBufferPointer(Evalica.unrolledSum)
        for i in 0..<n { s[i] /= total }
        return s
    }
}
