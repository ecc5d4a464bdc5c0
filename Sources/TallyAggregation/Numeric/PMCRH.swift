import Foundation

/// PM / CRH, conflict resolution on heterogeneous data (Aydin et al. 2014; Li et al., SIGMOD
/// 2014), for numeric answers with the normalised absolute loss.
///
/// Starts from each task's median and measures each task's spread once (the population standard
/// deviation of its answers). Then, for a fixed number of rounds: a worker's loss is the sum over
/// its answers of `|truth − answer| / spread` (1e-8 when zero), divided by the largest worker
/// loss; its weight is `−log(loss + 1e-7) + 1e-7`; every task's estimate becomes the weighted
/// median of its answers (the smallest answer at which the cumulative weight of the sorted
/// distinct answers reaches half the total).
///
/// The model's weights are normalised to sum to one, as the benchmark reports them.
///
/// Parity: the VLDB 2017 benchmark's `c_PM-CRH` with its continuous setting (10 rounds;
/// Zheng et al., PVLDB 10(5), 2017), to 1e-9 on `vldb-emotion` and generated data
/// (`NumericParityTests`).
///
/// ```swift
/// let model = try PMCRH().fit(task: [0, 0, 0, 1, 1, 1], worker: [0, 1, 2, 0, 1, 2],
///                             value: [10, 11, 30, 20, 21, 5], taskCount: 2, workerCount: 3)
/// model.estimates   // [10.0, 20.0] or [11.0, 21.0]: a weighted median is one of the answers
/// ```
///
/// - Complexity: O(iterations × answers × log(answers per task)).
public struct PMCRH: Sendable {
    /// Rounds of weight and truth updates (the benchmark runs 10).
    public var iterations: Int

    /// PM/CRH with `iterations` rounds.
    public init(iterations: Int = 10) {
        self.iterations = iterations
    }

    /// Fits PM/CRH; ids index `0..<taskCount` and `0..<workerCount`.
    ///
    /// - Throws: ``AggregationError`` when `iterations` is negative, or the columns differ in
    ///   length, are empty, hold an id out of range or a value that is not finite.
    public func fit(task: [Int32], worker: [Int32], value: [Double], taskCount: Int, workerCount: Int) throws -> NumericModel {
        try AggregationError.checkIterations(iterations)
        let index = try NumericIndex(task: task, worker: worker, value: value, taskCount: taskCount, workerCount: workerCount)
        var truth = NumericMedian.medians(index)
        let spread = (0..<index.taskCount).map { Self.populationStandardDeviation(index.values(ofTask: $0)) }
        // Each task's distinct values, sorted, and the group of each answer (aligned with taskRows).
        let (groupOffsets, groupValues, answerGroup) = Self.distinctValues(index)
        var sums = [Double](repeating: 0, count: groupValues.count)
        var weight = [Double](repeating: 0, count: index.workerCount)
        for _ in 0..<iterations {
            var largest = 0.0
            for w in 0..<index.workerCount {
                // An answer equal to the truth adds nothing (its task's spread may be 0).
                var dif = index.sum(ofWorker: w) { t, v in truth[t] == v ? 0 : abs(truth[t] - v) / spread[t] }
                if dif == 0 { dif = 0.00000001 }
                weight[w] = dif
                if dif > largest { largest = dif }
            }
            for w in 0..<index.workerCount { weight[w] /= largest }
            for w in 0..<index.workerCount { weight[w] = -log(weight[w] + 0.0000001) + 0.0000001 }
            for t in 0..<index.taskCount {
                // The benchmark's weighted median: per distinct value the sum of its answers'
                // weights and the total, both in input order; then the first value, ascending,
                // whose cumulative weight reaches half the total.
                var total = 0.0
                for k in index.taskOffsets[t]..<index.taskOffsets[t + 1] {
                    let wi = weight[Int(index.worker[Int(index.taskRows[k])])]
                    sums[Int(answerGroup[k])] += wi
                    total += wi
                }
                var cumulative = 0.0
                for g in groupOffsets[t]..<groupOffsets[t + 1] {
                    cumulative += sums[g]
                    sums[g] = 0
                    if cumulative >= 0.5 * total {
                        truth[t] = groupValues[g]
                        for rest in (g + 1)..<groupOffsets[t + 1] { sums[rest] = 0 }
                        break
                    }
                }
            }
        }
        guard iterations > 0 else { return NumericModel(estimates: truth, iterations: 0) }
        let total = weight.reduce(0, +)
        return NumericModel(estimates: truth, weights: weight.map { $0 / total }, iterations: iterations)
    }

    /// Per task, its distinct values in ascending order (`-0.0` and `0.0` are one value, as one
    /// key of a Python dict), as offsets into one array; and per entry of `taskRows` the index of
    /// its answer's value in that array.
    static func distinctValues(_ index: NumericIndex) -> (offsets: [Int], values: [Double], group: [Int32]) {
        var offsets = [0], values: [Double] = [], group = [Int32](repeating: 0, count: index.answerCount)
        for t in 0..<index.taskCount {
            let range = index.taskOffsets[t]..<index.taskOffsets[t + 1]
            let distinct = Array(Set(range.map { index.value[Int(index.taskRows[$0])] + 0 })).sorted()
            var position: [Double: Int32] = [:]
            for (g, v) in distinct.enumerated() { position[v] = Int32(values.count + g) }
            for k in range { group[k] = position[index.value[Int(index.taskRows[k])] + 0]! }
            values += distinct
            offsets.append(values.count)
        }
        return (offsets, values, group)
    }

    /// numpy's `std` (ddof 0): the square root of the mean squared deviation from the mean.
    static func populationStandardDeviation(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let mean = values.reduce(0, +) / Double(values.count)
        let ss = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (ss / Double(values.count)).squareRoot()
    }
}
