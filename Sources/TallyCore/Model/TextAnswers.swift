/// Text answers: each answer is a string, such as a transcription of a recording.
///
/// crowd-kit's layout `task, worker, text`. Tasks and workers are interned to dense ids in order
/// of first appearance; texts are kept as given (valid UTF-8, possibly empty), in input order.
///
///     let t = try TextAnswers(tasks: ["a1", "a1"], workers: ["w1", "w2"], texts: ["hello world", "hello word"])
///     print(t.taskCount)   // 1
public struct TextAnswers: Sendable, TaskWorkerColumns {
    /// Task names by id.
    public let tasks: Interner
    /// Worker names by id.
    public let workers: Interner
    /// The task of each answer, in input order.
    public let task: [Int32]
    /// The worker of each answer.
    public let worker: [Int32]
    /// The text of each answer.
    public let text: [String]
}

extension TextAnswers {
    /// Answers from parallel columns.
    ///
    /// - Throws: ``InputError`` when the columns differ in length or hold nothing.
    public init(tasks: [String], workers: [String], texts: [String]) throws {
        try InputError.checkColumnLengths(["tasks": tasks.count, "workers": workers.count, "texts": texts.count])
        var b = TaskValueBuilder<TextAnswers>()
        for i in tasks.indices {
            b.append(task: b.tasks.intern(tasks[i]), worker: b.workers.intern(workers[i]), value: texts[i])
        }
        self = try b.build(file: "<memory>")
    }
}

extension TextAnswers: TaskValueAnswers {
    init(tasks: Interner, workers: Interner, task: [Int32], worker: [Int32], values: [String]) {
        self.init(tasks: tasks, workers: workers, task: task, worker: worker, text: values)
    }
}
