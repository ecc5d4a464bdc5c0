/// How far numeric estimates are from gold values: mean absolute error and root mean squared error.
///
/// Only gold tasks that have an estimate are scored (as ``Evaluation`` scores labels).
///
/// ```swift
/// let e = NumericErrors(estimates: ["t1": 30, "t2": 12], gold: ["t1": 28, "t2": 12, "t3": 5])
/// e.mae    // 1.0  (over the 2 scored tasks)
/// e.rmse   // 1.414…
/// ```
public struct NumericErrors: Sendable, Equatable {
    /// Gold tasks that have an estimate.
    public let scored: Int
    /// All gold tasks given.
    public let goldTasks: Int
    /// Mean of `|estimate − gold|` over scored tasks (NaN when none is).
    public let mae: Double
    /// Square root of the mean of `(estimate − gold)²` over scored tasks (NaN when none is).
    public let rmse: Double

    /// Scores `estimates` (task → value) against `gold` (task → value), summing in gold's key order.
    public init(estimates: [String: Double], gold: [String: Double]) {
        var absolute = 0.0, squared = 0.0, n = 0
        for task in gold.keys.sorted() {
            guard let e = estimates[task] else { continue }
            let d = e - gold[task]!
            absolute += abs(d)
            squared += d * d
            n += 1
        }
        scored = n
        goldTasks = gold.count
        mae = n == 0 ? .nan : absolute / Double(n)
        rmse = n == 0 ? .nan : (squared / Double(n)).squareRoot()
    }
}
