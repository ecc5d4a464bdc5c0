/// Multi-label answers: each answer is a set of labels (the tags a worker selected).
///
/// Read from crowd-kit's layout (a `label` column holding a list, `["a", "b"]` or Python's
/// `['a', 'b']`) or from one row per selected tag (rows of the same task and worker make one
/// answer). Tasks and workers are interned in order of first appearance; ``labels`` holds every
/// tag in the toolkit's order (``LabelSet``: crowd-kit's `MultiLabelBinarizer` order). The label
/// sets are stored flat: answer `i` holds `labelIds[labelOffsets[i] ..< labelOffsets[i + 1]]`,
/// each set sorted and without repeats.
///
/// Binary relevance aggregates one categorical table per tag, ``binaryTable(for:)``: the same
/// tasks, workers and answers with label `1` where the answer holds the tag and `0` where not.
///
///     let m = try MultiLabelAnswers(tasks: ["t1", "t1"], workers: ["w1", "w2"], labelSets: [["cat"], ["cat", "dog"]])
///     let dog = m.binaryTable(for: Int32(m.labels.index(of: "dog")!))   // labels 0, 1
public struct MultiLabelAnswers: Sendable, TaskWorkerColumns {
    /// Task names by id.
    public let tasks: Interner
    /// Worker names by id.
    public let workers: Interner
    /// Every label that occurs, in the toolkit's order; a label's position is its id.
    public let labels: LabelSet
    /// The task of each answer, in input order.
    public let task: [Int32]
    /// The worker of each answer.
    public let worker: [Int32]
    /// `answerCount + 1` offsets into ``labelIds``.
    public let labelOffsets: [Int]
    /// The label ids of every answer, concatenated (each answer's ids sorted, no repeats).
    public let labelIds: [Int32]

    /// The number of distinct labels.
    public var labelCount: Int { labels.count }

    /// The label ids of answer `i`.
    public func labelSet(ofAnswer i: Int) -> ArraySlice<Int32> { labelIds[labelOffsets[i]..<labelOffsets[i + 1]] }

    /// One categorical table for label `id`: every answer, with label `1` when its set holds the
    /// label and `0` otherwise (the labels `0` and `1` both present in the table's ``LabelSet``).
    public func binaryTable(for id: Int32) -> AnswerTable {
        var label = [Int32](repeating: 0, count: answerCount)
        for i in 0..<answerCount where labelSet(ofAnswer: i).contains(id) { label[i] = 1 }
        return AnswerTable(tasks: tasks, workers: workers, labels: LabelSet(["0", "1"]), task: task, worker: worker, label: label)
    }
}

extension MultiLabelAnswers {
    /// Answers from parallel columns; each answer's labels in any order (repeats are merged).
    ///
    /// - Throws: ``InputError`` when the columns differ in length or hold nothing.
    public init(tasks: [String], workers: [String], labelSets: [[String]]) throws {
        try InputError.checkColumnLengths(["tasks": tasks.count, "workers": workers.count, "label sets": labelSets.count])
        var b = MultiLabelAnswersBuilder()
        for i in tasks.indices {
            let set = labelSets[i].map { b.rawLabels.intern($0) }
            b.append(task: b.tasks.intern(tasks[i]), worker: b.workers.intern(workers[i]), labels: set)
        }
        self = try b.build(file: "<memory>")
    }
}

/// Builds ``MultiLabelAnswers``; readers feed it whole answers (a list column) or one tag at a
/// time (one row per selected tag, merged by task and worker).
struct MultiLabelAnswersBuilder {
    var tasks = Interner(capacity: 1024)
    var workers = Interner(capacity: 1024)
    /// Labels in first-seen order; ``build(file:)`` renumbers them into ``LabelSet`` order.
    var rawLabels = Interner(capacity: 16)
    private var task: [Int32] = [], worker: [Int32] = []
    private var sets: [[Int32]] = []
    /// (task, worker) → answer, for one row per tag.
    private var answerOf: [Int64: Int] = [:]

    var count: Int { task.count }

    /// Appends one whole answer.
    mutating func append(task t: Int32, worker w: Int32, labels: [Int32]) {
        task.append(t)
        worker.append(w)
        sets.append(labels)
    }

    /// Adds one selected tag to the answer of (task, worker), starting that answer if it is new.
    mutating func appendTag(task t: Int32, worker w: Int32, label l: Int32) {
        let key = Int64(t) << 32 | Int64(w)
        if let i = answerOf[key] {
            sets[i].append(l)
        } else {
            answerOf[key] = task.count
            append(task: t, worker: w, labels: [l])
        }
    }

    consuming func build(file: String) throws -> MultiLabelAnswers {
        guard !task.isEmpty else { throw InputError(.noAnswers, file: file, "no answers: the file has a header but no answer rows") }
        let set = LabelSet(rawLabels.names)
        let remap = rawLabels.names.map { Int32(set.index(of: $0)!) }
        var offsets = [0]
        offsets.reserveCapacity(sets.count + 1)
        var ids: [Int32] = []
        for s in sets {
            var mapped = s.map { remap[Int($0)] }
            mapped.sort()
            var last: Int32 = -1
            for id in mapped where id != last {
                ids.append(id)
                last = id
            }
            offsets.append(ids.count)
        }
        return MultiLabelAnswers(tasks: tasks, workers: workers, labels: set, task: task, worker: worker, labelOffsets: offsets, labelIds: ids)
    }
}
