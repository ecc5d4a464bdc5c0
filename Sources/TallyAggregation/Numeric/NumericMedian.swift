/// The median of each task's answers (the mean of the two middle answers when their number is
/// even, as numpy's `median`): robust to a few wild answers.
///
/// Parity: the VLDB 2017 benchmark's `l_median` (Zheng et al., PVLDB 10(5), 2017), to 1e-9 on
/// `vldb-emotion` and generated data (`NumericParityTests`).
///
/// ```swift
/// let model = try NumericMedian().fit(task: [0, 0, 0, 1, 1], worker: [0, 1, 2, 0, 1],
///                                     value: [30, 40, 90, 7, 8], taskCount: 2, workerCount: 3)
/// model.estimates   // [40.0, 7.5]
/// ```
///
/// - Complexity: O(answers × log(answers per task)).
public struct NumericMedian: Sendable {
    /// The median; it has no parameters.
    public init() {}

    /// The median of every task's answers; ids index `0..<taskCount` and `0..<workerCount`.
    ///
    /// - Throws: ``AggregationError`` when the columns differ in length, are empty, hold an id out
    ///   of range or a value that is not finite.
    public func fit(task: [Int32], worker: [Int32], value: [Double], taskCount: Int, workerCount: Int) throws -> NumericModel {
        let index = try NumericIndex(task: task, worker: worker, value: value, taskCount: taskCount, workerCount: workerCount)
        return NumericModel(estimates: Self.medians(index))
    }

    /// Per task, the median of its values (NaN for a task without answers).
    static func medians(_ index: NumericIndex) -> [Double] {
        (0..<index.taskCount).map { t in median(index.values(ofTask: t)) }
    }

    /// The median of `values` as numpy computes it; NaN when empty.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
