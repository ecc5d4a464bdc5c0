import TallyCore

/// A truth-inference method for numeric answers (``NumericMean``, ``NumericMedian``, ``CATD``,
/// ``PMCRH``, ``LFCN``): fitted on columns of task ids, worker ids and values, or on a
/// ``NumericAnswers`` table.
///
/// ```swift
/// let model = try CATD().fit(answers)   // answers: NumericAnswers
/// model.estimates                       // by the table's task id
/// ```
public protocol NumericAggregator: Sendable {
    /// The method fitted on answer columns; ids index `0..<taskCount` and `0..<workerCount`.
    func fit(task: [Int32], worker: [Int32], value: [Double], taskCount: Int, workerCount: Int) throws -> NumericModel
}

extension NumericAggregator {
    /// The method fitted on `answers`: the model's ids are the table's task and worker ids.
    public func fit(_ answers: NumericAnswers) throws -> NumericModel {
        try fit(task: answers.task, worker: answers.worker, value: answers.value, taskCount: answers.taskCount, workerCount: answers.workerCount)
    }
}

extension NumericMean: NumericAggregator {}
extension NumericMedian: NumericAggregator {}
extension CATD: NumericAggregator {}
extension PMCRH: NumericAggregator {}
extension LFCN: NumericAggregator {}
