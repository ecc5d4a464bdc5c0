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

    /// Answers from parallel columns.
    ///
    /// - Throws: ``InputError`` when the columns differ in length, hold nothing or a value is not finite.
    public init(tasks: [String], workers: [String], values: [Double]) throws {
        try InputError.checkColumnLengths(["tasks": tasks.count, "workers": workers.count, "values": values.count])
        var b = NumericAnswersBuilder()
        for i in tasks.indices {
            guard values[i].isFinite else {
                throw InputError(.invalidValue, file: "<memory>", line: i + 1, field: "value", "\(values[i]) is not a finite number")
            }
            b.append(task: b.tasks.intern(tasks[i]), worker: b.workers.intern(workers[i]), value: values[i])
        }
        self = try b.build(file: "<memory>")
    }

    init(tasks: Interner, workers: Interner, task: [Int32], worker: [Int32], value: [Double]) {
        self.tasks = tasks
        self.workers = workers
        self.task = task
        self.worker = worker
        self.value = value
    }
}

/// Builds ``NumericAnswers``; readers feed it one answer at a time.
struct NumericAnswersBuilder {
    var tasks = Interner(capacity: 1024)
    var workers = Interner(capacity: 1024)
    private(set) var task: [Int32] = [], worker: [Int32] = [], value: [Double] = []

    mutating func append(task t: Int32, worker w: Int32, value v: Double) {
        task.append(t)
        worker.append(w)
        value.append(v)
    }

    consuming func build(file: String) throws -> NumericAnswers {
        guard !task.isEmpty else { throw InputError(.noAnswers, file: file, "no answers: the file has a header but no answer rows") }
        return NumericAnswers(tasks: tasks, workers: workers, task: task, worker: worker, value: value)
    }
}
