/// Numeric answers: each answer is a real number (an age, a rating, a count).
///
/// Layout `task, worker, value`. Tasks and workers are interned to dense ids in order of first
/// appearance; the columns are parallel arrays in input order. Every value is finite.
///
///     let n = try NumericAnswers(tasks: ["t1", "t1"], workers: ["w1", "w2"], values: [31, 35])
///     print(n.value)   // [31.0, 35.0]
public struct NumericAnswers: Sendable, TaskWorkerColumns {
    /// Task names by id.
    public let tasks: Interner
    /// Worker names by id.
    public let workers: Interner
    /// The task of each answer, in input order.
    public let task: [Int32]
    /// The worker of each answer.
    public let worker: [Int32]
    /// The value of each answer.
    public let value: [Double]
}

extension NumericAnswers {
    /// Answers from parallel columns.
    ///
    /// - Throws: ``InputError`` when the columns differ in length, hold nothing or a value is not finite.
    public init(tasks: [String], workers: [String], values: [Double]) throws {
        try InputError.checkColumnLengths(["tasks": tasks.count, "workers": workers.count, "values": values.count])
        var b = TaskValueBuilder<NumericAnswers>()
        for i in tasks.indices {
            guard values[i].isFinite else {
                throw InputError(.invalidValue, file: "<memory>", line: i + 1, field: "value", "\(values[i]) is not a finite number")
            }
            b.append(task: b.tasks.intern(tasks[i]), worker: b.workers.intern(workers[i]), value: values[i])
        }
        self = try b.build(file: "<memory>")
    }
}

extension NumericAnswers: TaskValueAnswers {
    init(tasks: Interner, workers: Interner, task: [Int32], worker: [Int32], values: [Double]) {
        self.init(tasks: tasks, workers: workers, task: task, worker: worker, value: values)
    }
}
