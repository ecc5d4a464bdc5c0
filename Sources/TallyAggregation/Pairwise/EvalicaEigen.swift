/// The eigenvector method (evalica 0.4.2's `eigen`): power iteration on the transposed
/// `win·weights.win + tie·weights.tie` matrix from the uniform vector, normalised to unit length each
/// step, until the Euclidean change is below the tolerance.
public struct EvalicaEigen: EvalicaMethod {
    /// The value of a win and of a draw.
    public var weights: EvalicaWeights
    /// When the iteration stops.
    public var stopping: EvalicaStopping

    /// The eigenvector method (evalica's defaults unless given).
    public init(weights: EvalicaWeights = EvalicaWeights(), stopping: EvalicaStopping = EvalicaStopping()) {
        self.weights = weights
        self.stopping = stopping
    }

    /// The score of each item, by position (unit Euclidean length).
    public func scores(_ c: EvalicaComparisons) -> [Double] {
        guard c.count > 0 else { return [] }
        let m = c.combinedMatrix(weights, nan: stopping.tolerance)
        return Self.powerIteration(columnsOf: m, n: c.itemCount, stopping, contiguousColumns: false).scores
    }

    /// evalica's `eigen` on the `n × n` row-major `m`: `s ← mᵀs / ‖mᵀs‖`. With
    /// `contiguousColumns` the products are ndarray's unrolled dots (PageRank's matrix is stored
    /// column-major there), otherwise sums in order.
    static func powerIteration(columnsOf m: [Double], n: Int, _ stopping: EvalicaStopping, contiguousColumns: Bool) -> (scores: [Double], iterations: Int) {
        let tolerance = stopping.tolerance
        var s = [Double](repeating: 1 / Double(n), count: n)
        var next = s
        var iterations = 0, converged = false
        let t = Evalica.transposed(m, n: n)  // column i of m, contiguous (mᵀ's rows)
        while !converged && iterations < stopping.limit {
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
