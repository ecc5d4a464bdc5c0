/// The value of a win and of a draw: the weights every evalica method puts on the outcomes
/// (evalica's `win_weight` and `tie_weight`).
///
/// ```swift
/// let scores = EvalicaCounting(weights: EvalicaWeights(win: 1, tie: 0)).scores(comparisons)
/// ```
public struct EvalicaWeights: Sendable, Equatable {
    /// The value of a win (evalica's `win_weight`).
    public var win: Double
    /// The value of a draw to each side (evalica's `tie_weight`).
    public var tie: Double

    /// Weights with evalica's defaults (a win counts 1, a draw 0.5; Newman's draws count 1).
    public init(win: Double = 1, tie: Double = 0.5) {
        self.win = win
        self.tie = tie
    }
}

/// When an iterative evalica method (`eigen`, `pagerank`, `newman`, `bradley_terry`) stops.
public struct EvalicaStopping: Sendable, Equatable {
    /// Stop when the Euclidean change of the scores is below this.
    public var tolerance: Double
    /// At most this many iterations (evalica's `limit`).
    public var limit: Int

    /// evalica's defaults: tolerance 1e-6, at most 100 iterations.
    public init(tolerance: Double = 1e-6, limit: Int = 100) {
        self.tolerance = tolerance
        self.limit = limit
    }
}

extension Evalica {
    /// The transpose of the row-major `n × n` matrix `m` (so that sums over a column read a row).
    static func transposed(_ m: [Double], n: Int) -> [Double] {
        var t = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { t[i * n + j] = m[j * n + i] } }
        return t
    }
}
