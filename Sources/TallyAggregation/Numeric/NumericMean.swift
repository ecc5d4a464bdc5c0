/// The mean of each task's answers: the simplest numeric aggregate.
///
/// Parity: the VLDB 2017 benchmark's `l_mean` (numpy's mean; Zheng et al., PVLDB 10(5), 2017), to
/// 1e-9 on `vldb-emotion` and generated data (`NumericParityTests`).
///
/// ```swift
/// let model = try NumericMean().fit(task: [0, 0, 1], worker: [0, 1, 0], value: [30, 40, 7],
///                                   taskCount: 2, workerCount: 2)
/// model.estimates   // [35.0, 7.0]
/// ```
///
/// - Complexity: O(answers).
public struct NumericMean: Sendable {
    /// The mean; it has no parameters.
    public init() {}

    /// The mean of every task's answers; ids index `0..<taskCount` and `0..<workerCount`.
    ///
    /// - Throws: ``AggregationError`` when the columns differ in length, are empty, hold an id out
    ///   of range or a value that is not finite.
    public func fit(task: [Int32], worker: [Int32], value: [Double], taskCount: Int, workerCount: Int) throws -> NumericModel {
        let index = try NumericIndex(task: task, worker: worker, value: value, taskCount: taskCount, workerCount: workerCount)
        return NumericModel(estimates: Self.means(index))
    }

    /// Per task, the sum of its values in input order over their count (NaN for a task without answers).
    static func means(_ index: NumericIndex) -> [Double] {
        var sum = [Double](repeating: 0, count: index.taskCount)
        var count = [Int](repeating: 0, count: index.taskCount)
        for i in 0..<index.answerCount {
            sum[Int(index.task[i])] += index.value[i]
            count[Int(index.task[i])] += 1
        }
        return (0..<index.taskCount).map { count[$0] == 0 ? .nan : sum[$0] / Double(count[$0]) }
    }
}
