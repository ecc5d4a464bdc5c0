/// Answers stored as columns whose rows each name a task and a worker, interned to dense ids:
/// ``AnswerTable``, ``NumericAnswers``, ``TextAnswers`` and ``MultiLabelAnswers``. The counts
/// every kind offers are derived here once.
///
/// ```swift
/// let n = try NumericAnswers(tasks: ["t1", "t1"], workers: ["w1", "w2"], values: [31, 35])
/// print(n.answerCount, n.taskCount, n.workerCount)   // 2 1 2
/// ```
public protocol TaskWorkerColumns {
    /// Task names by id.
    var tasks: Interner { get }
    /// Worker names by id.
    var workers: Interner { get }
    /// The task of each answer, in input order.
    var task: [Int32] { get }
}

extension TaskWorkerColumns {
    /// The number of answers (rows of the input).
    @inlinable public var answerCount: Int { task.count }
    /// The number of distinct tasks.
    @inlinable public var taskCount: Int { tasks.count }
    /// The number of distinct workers.
    @inlinable public var workerCount: Int { workers.count }
}

extension InputError {
    /// Checks that columns given together hold as many rows each; otherwise throws
    /// ``Code/raggedRow`` naming every column's length ("columns differ in length: 3 tasks,
    /// 2 workers, 3 labels").
    static func checkColumnLengths(_ columns: KeyValuePairs<String, Int>, file: String = "<memory>") throws {
        guard let first = columns.first?.value, columns.contains(where: { $0.value != first }) else { return }
        throw InputError(.raggedRow, file: file, "columns differ in length: " + columns.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    }
}
