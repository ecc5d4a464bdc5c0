/// The eigenvector method (evalica 0.4.2's `eigen`): power iteration on the transposed
/// `win·winWeight + tie·tieWeight` matrix from the uniform vector, normalised to unit length each
/// step, until the Euclidean change is below the tolerance.
public struct EvalicaEigen: EvalicaMethod {
    /// The value of a win (evalica's `win_weight`).
    public var winWeight: Double
    /// The value of a draw to each side (evalica's `tie_weight`).
    public var tieWeight: Double
    /// Stop when the Euclidean change of the scores is below this.
    public var tolerance: Double
    /// At most this many iterations (evalica's `limit`).
    public var limit: Int

    /// The eigenvector method with evalica's defaults.
    public init(winWeight: Double = 1, tieWeight: Double = 0.5, tolerance: Double = 1e-6, limit: Int = 100) {
        self.winWeight = winWeight
        self.tieWeight = tieWeight
        self.tolerance = tolerance
        self.limit = limit
    }

    /// The score of each item, by position (unit Euclidean length).
    public func scores(_ c: EvalicaComparisons) -> [Double] {
        guard c.count > 0 else { return [] }
        let m = c.combinedMatrix(winWeight: winWeight, tieWeight: tieWeight, nan: tolerance)
        return Self.powerIteration(columnsOf: m, n: c.itemCount, tolerance: tolerance, limit: limit, contiguousColumns: false).scores
    }

    /// evalica's `eigen` on the `n × n` row-major `m`: `s ← mᵀs / ‖mᵀs‖`. With
    /// `contiguousColumns` the products are ndarray's unrolled dots (PageRank's matrix is stored
    /// column-major there), otherwise sums in order.
    static func powerIteration(columnsOf m: [Double], n: Int, tolerance: Double, limit: Int, contiguousColumns: Bool) -> (scores: [Double], iterations: Int) {
        var s = [Double](repeating: 1 / Double(n), count: n)
        var next = s
        var iterations = 0, converged = false
        // Column i of m, contiguous (mᵀ's rows).
        var t = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { t[i * n + j] = m[j * n + i] } }
        while !converged && iterations < limit {
            iterations += 1
            t.withUnsafeBufferPointer { t in
                s.withUnsafeBufferPointer { sp in
                    for i in 0..<n {
                        let col = UnsafeBufferPointer(rebasing: t[(i * n)..<(i * n + n)])
                        if contiguousColumns {
                            next[i] = Evalica.unrolledDot(col, sp)
                        } else {
                            var acc = 0.0
                            for j in 0..<n { acc += col[j] * sp[j] }
                            next[i] = acc
                        }
                    }
                }
            }
            let norm = next.withUnsafeBufferPointer { Evalica.unrolledDot($0, $0) }.squareRoot()
            for i in 0..<n {
                if norm != 0 { next[i] /= norm }
                next[i] = Evalica.finite(next[i], tolerance)
            }
            converged = Evalica.distance(next, s) < tolerance
            swap(&s, &next)
        }
        return (s, iterations)
    }
}
