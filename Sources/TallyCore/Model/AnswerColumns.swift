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

/// Answers holding one value per row besides its task and worker (``NumericAnswers``,
/// ``TextAnswers``), so that one ``TaskValueBuilder`` builds every such kind.
protocol TaskValueAnswers: TaskWorkerColumns {
    /// What one answer holds: a number, a text.
    associatedtype Value
    /// Answers from interned names and parallel id and value columns.
    init(tasks: Interner, workers: Interner, task: [Int32], worker: [Int32], values: [Value])
}

/// Builds ``TaskValueAnswers`` (numeric or text answers); readers feed it one answer at a time.
struct TaskValueBuilder<Answers: TaskValueAnswers> {
    var tasks = Interner(capacity: 1024)
    var workers = Interner(capacity: 1024)
    private(set) var task: [Int32] = [], worker: [Int32] = [], values: [Answers.Value] = []

    mutating func append(task t: Int32, worker w: Int32, value v: Answers.Value) {
        task.append(t)
        worker.append(w)
        values.append(v)
    }

    /// The answers fed; throws ``InputError/Code/noAnswers`` when there were none.
    consuming func build(file: String) throws -> Answers {
        guard !task.isEmpty else { throw InputError(.noAnswers, file: file, "no answers: the file has a header but no answer rows") }
        return Answers(tasks: tasks, workers: workers, task: task, worker: worker, values: values)
    }
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
