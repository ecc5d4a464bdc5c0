import Foundation

/// CATD, confidence-aware truth discovery (Li et al., PVLDB 8(4), 2014), for numeric answers.
///
/// Starts from each task's median; then, for a fixed number of rounds, gives worker `s` with
/// `n` answers the weight `χ²(α/2; n) / (Σ (truth − answer)² + 1e-9)` (the chi-square quantile
/// rewards workers with many answers: a weight is a confidence bound, not a point estimate),
/// normalises the weights to sum to one, and re-estimates every task as the weighted mean of
/// its answers. α is 0.05; the quantiles are the benchmark's table for n ≤ 30 and
/// `½ (z + √(2n − 1))²` (z = −1.95996) above.
///
/// Parity: the VLDB 2017 benchmark's `c_CATD` (Zheng et al., PVLDB 10(5), 2017; 100 rounds, its
/// tables), to 1e-9 with ``Normalization/global`` on `vldb-emotion` and generated data
/// (`NumericParityTests`). That code forgets to divide a task's weighted sum by its weights
/// (``Normalization/global``); Tally divides, as the paper's formula does
/// (``Normalization/task``, the default), which the parity fixtures check against the same code
/// with that one division added.
///
/// ```swift
/// let model = try CATD().fit(task: [0, 0, 0, 1, 1, 1], worker: [0, 1, 2, 0, 1, 2],
///                            value: [10, 11, 30, 20, 21, 5], taskCount: 2, workerCount: 3)
/// model.estimates   // close to the two agreeing workers' answers
/// model.weights     // worker 2 weighs least
/// ```
///
/// - Complexity: O(iterations × answers).
public struct CATD: Sendable {
    /// How a task's weighted sum becomes its estimate.
    public enum Normalization: String, Sendable, CaseIterable {
        /// Divided by the weights of the task's workers: the weighted mean (the paper's formula).
        case task
        /// Not divided: weights sum to one over all workers (the benchmark code's behaviour).
        case global
    }

    /// Rounds of weight and truth updates (the benchmark runs 100).
    public var iterations: Int
    /// How a task's weighted sum becomes its estimate (default ``Normalization/task``).
    public var normalization: Normalization

    /// CATD with `iterations` rounds and the given `normalization`.
    public init(iterations: Int = 100, normalization: Normalization = .task) {
        self.iterations = iterations
        self.normalization = normalization
    }

    /// The benchmark's χ² quantiles at 0.975 upper-tail probability (α = 0.05) for 1…30 degrees of freedom.
    static let chiSquare: [Double] = [0.001, 0.02, 0.22, 0.48, 0.83, 1.24, 1.69, 2.18, 2.7, 3.25, 3.82, 4.4, 5.01, 5.63, 6.27,
                                      6.91, 7.56, 8.23, 8.91, 9.59, 10.28, 10.98, 11.69, 12.4, 13.12, 13.84, 14.57, 15.31, 16.05, 16.79]
    /// The benchmark's normal quantile paired with the 0.975 column.
    static let normalQuantile = -1.95996

    /// The χ² quantile for a worker with `n` answers.
    static func confidence(answers n: Int) -> Double {
        if n <= 30 { return chiSquare[n - 1] }
        let root = normalQuantile + (Double(2 * n - 1)).squareRoot()
        return 0.5 * root * root
    }

    /// Fits CATD; ids index `0..<taskCount` and `0..<workerCount`. Weights in the model sum to one.
    ///
    /// - Throws: ``AggregationError`` when `iterations` is negative, or the columns differ in
    ///   length, are empty, hold an id out of range or a value that is not finite.
    public func fit(task: [Int32], worker: [Int32], value: [Double], taskCount: Int, workerCount: Int) throws -> NumericModel {
        try AggregationError.checkIterations(iterations)
        let index = try NumericIndex(task: task, worker: worker, value: value, taskCount: taskCount, workerCount: workerCount)
        var truth = NumericMedian.medians(index)
        var weight = [Double](repeating: 0, count: index.workerCount)
        let confidence = (0..<index.workerCount).map { w in
            let n = index.answerCount(ofWorker: w)
            return n == 0 ? 0 : Self.confidence(answers: n)
        }
        for _ in 0..<iterations {
            var total = 0.0
            for w in 0..<index.workerCount {
                let dif = index.sum(ofWorker: w) { t, v in
                    let d = truth[t] - v
                    return d * d
                }
                weight[w] = confidence[w] / (dif + 1e-9)
                total += weight[w]
            }
            for w in 0..<index.workerCount { weight[w] /= total }
            for t in 0..<index.taskCount {
                let (sum, weights) = index.weightedSum(ofTask: t, weight: weight)
                truth[t] = normalization == .task ? sum / weights : sum
            }
        }
        return NumericModel(estimates: truth, weights: iterations == 0 ? nil : weight, iterations: iterations)
    }
}
