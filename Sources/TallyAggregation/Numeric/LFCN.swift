/// LFC_N, learning from crowds for numeric answers (Raykar et al., JMLR 11, 2010): each worker's
/// answers are the truth plus Gaussian noise of its own variance.
///
/// Starts from each task's mean; then alternates: a worker's weight is the inverse of its mean
/// squared deviation from the current estimates (`1 / (msd + 1e-9)`), and every task's estimate
/// is the weight-averaged answer. Stops after ``maxIterations`` rounds or once the sum over tasks
/// of the squared change of the estimate is at most ``tolerance`` (the first round measures the
/// change from zero).
///
/// The model's weights are the inverse variances, unnormalised, as the benchmark reports them.
///
/// Parity: the VLDB 2017 benchmark's `l_LFCcont` (50 rounds, tolerance 1e-6; Zheng et al., PVLDB
/// 10(5), 2017), to 1e-9 on `vldb-emotion` and generated data (`NumericParityTests`).
///
/// ```swift
/// let model = try LFCN().fit(task: [0, 0, 0, 1, 1, 1], worker: [0, 1, 2, 0, 1, 2],
///                            value: [10, 11, 30, 20, 21, 5], taskCount: 2, workerCount: 3)
/// model.estimates   // pulled towards workers 0 and 1
/// ```
///
/// - Complexity: O(iterations × answers).
public struct LFCN: Sendable {
    /// At most this many rounds (the benchmark: 50).
    public var maxIterations: Int
    /// Stop once the summed squared change of the estimates is at most this (the benchmark: 1e-6).
    public var tolerance: Double

    /// LFC_N with at most `maxIterations` rounds and the stopping `tolerance`.
    public init(maxIterations: Int = 50, tolerance: Double = 1e-6) {
        self.maxIterations = maxIterations
        self.tolerance = tolerance
    }

    /// Fits LFC_N; ids index `0..<taskCount` and `0..<workerCount`.
    ///
    /// - Throws: ``AggregationError`` when `maxIterations` is negative or `tolerance` not finite,
    ///   or the columns differ in length, are empty, hold an id out of range or a value that is
    ///   not finite.
    public func fit(task: [Int32], worker: [Int32], value: [Double], taskCount: Int, workerCount: Int) throws -> NumericModel {
        try AggregationError.checkIterations(maxIterations, tolerance: tolerance)
        let index = try NumericIndex(task: task, worker: worker, value: value, taskCount: taskCount, workerCount: workerCount)
        var truth = NumericMean.means(index)
        var old = [Double](repeating: 0, count: index.taskCount)
        var weight = [Double](repeating: 0, count: index.workerCount)
        var change = Double.infinity
        var iterations = 0
        while iterations < maxIterations && change > tolerance {
            iterations += 1
            for w in 0..<index.workerCount {
                let squares = index.sum(ofWorker: w) { t, v in
                    let d = v - truth[t]
                    return d * d
                }
                let msd = squares / Double(index.answerCount(ofWorker: w))
                weight[w] = 1 / (msd + 1e-9)
            }
            change = 0
            for t in 0..<index.taskCount {
                let (sum, weights) = index.weightedSum(ofTask: t, weight: weight)
                truth[t] = sum / weights
                change += (truth[t] - old[t]) * (truth[t] - old[t])
                old[t] = truth[t]
            }
        }
        return NumericModel(estimates: truth, weights: iterations == 0 ? nil : weight, iterations: iterations)
    }
}
