/// Every answer of a data set, with names interned to dense ids.
///
/// Strings live only at the edges: tasks, workers and labels are interned to `Int32` ids once,
/// the answers are three columnar `Int32` arrays in input order, and the task-sorted and
/// worker-sorted ``CSRView``s are built once here and shared by every aggregator.
///
/// Task and worker ids follow first appearance in the input; label ids follow ``LabelSet``'s
/// order. Duplicated (task, worker) pairs are kept, as crowd-kit keeps them, and counted in
/// ``duplicates``.
public struct AnswerTable: Sendable, TaskWorkerColumns {
    /// Task names by id.
    public let tasks: Interner
    /// Worker names by id.
    public let workers: Interner
    /// The labels that occur in the answers, in the toolkit's order.
    public let labels: LabelSet
    /// The task of each answer, in input order.
    @inlinable public var task: [Int32] { deferredColumns?.task ?? storedTask }
    /// The worker of each answer, in input order.
    @inlinable public var worker: [Int32] { deferredColumns?.worker ?? storedWorker }
    /// The label of each answer, in input order.
    @inlinable public var label: [Int32] { deferredColumns?.label ?? storedLabel }
    /// The columns of a table built with them (empty when they are deferred).
    @usableFromInline let storedTask: [Int32], storedWorker: [Int32], storedLabel: [Int32]
    /// The columns of a table read in task order (``ArrowGroupedReader``), made from ``byTask``
    /// the first time one is read; `nil` when they are stored.
    @usableFromInline let deferredColumns: DeferredColumns?
    /// Answers grouped by task; entries are `worker * K + label`.
    public let byTask: CSRView
    /// Answers grouped by worker; entries are `task * K + label`.
    public let byWorker: CSRView
    /// Repeated (task, worker) pairs.
    public let duplicates: DuplicateReport
    /// The number of distinct labels, `K`.
    public var labelCount: Int { labels.count }

    /// A table from parallel columns of names.
    ///
    /// - Throws: ``InputError`` when the columns differ in length or hold no answers.
    public init(tasks: [String], workers: [String], labels: [String]) throws {
        try InputError.checkColumnLengths(["tasks": tasks.count, "workers": workers.count, "labels": labels.count])
        var b = AnswerTableBuilder()
        for i in tasks.indices {
            b.append(task: b.tasks.intern(tasks[i]), worker: b.workers.intern(workers[i]), label: b.rawLabels.intern(labels[i]))
        }
        self = try b.build(file: "<memory>")
    }

    /// The table of these columns, its views built by ``AnswerTableViews`` (on two threads with
    /// `threads` ≥ 2 and 65,536 answers or more; the worker view's entries when first read).
    init(tasks: Interner, workers: Interner, labels: LabelSet, task: [Int32], worker: [Int32], label: [Int32], threads: Int = 1) {
        let views = AnswerTableViews(task: task, worker: worker, label: label, tasks: tasks, workers: workers,
                                     labelCount: max(labels.count, 1), threads: threads)
        self.init(tasks: tasks, workers: workers, labels: labels, task: task, worker: worker, label: label,
                  byTask: views.byTask, byWorker: views.byWorker, duplicates: views.duplicates)
    }
}

extension AnswerTable {
    /// A table whose views and duplicate count were built with its columns (one pass over a
    /// task-grouped file, ``ArrowGroupedReader``); they must be what the columns give.
    init(tasks: Interner, workers: Interner, labels: LabelSet, task: [Int32], worker: [Int32], label: [Int32],
         byTask: CSRView, byWorker: CSRView, duplicates: DuplicateReport) {
        self.tasks = tasks
        self.workers = workers
        self.labels = labels
        storedTask = task
        storedWorker = worker
        storedLabel = label
        deferredColumns = nil
        self.byTask = byTask
        self.byWorker = byWorker
        self.duplicates = duplicates
    }

    /// A table of answers in task order (row `i` is entry `i` of `byTask`) whose columns are made
    /// from `byTask` when first read (``DeferredColumns``): a method that reads only the views
    /// (Dawid-Skene) never pays for them.
    init(tasks: Interner, workers: Interner, labels: LabelSet, byTask: CSRView, byWorker: CSRView, duplicates: DuplicateReport) {
        self.tasks = tasks
        self.workers = workers
        self.labels = labels
        storedTask = []
        storedWorker = []
        storedLabel = []
        deferredColumns = DeferredColumns(taskView: byTask)
        self.byTask = byTask
        self.byWorker = byWorker
        self.duplicates = duplicates
    }

    /// The number of answers (rows of the input); read from the task view, so deferred columns stay unbuilt.
    @inlinable public var answerCount: Int { deferredColumns == nil ? storedTask.count : byTask.offsets.last ?? 0 }

    /// Whether ``task``, ``worker`` and ``label`` exist yet (`false` only for deferred columns not yet read).
    public var columnsBuilt: Bool { deferredColumns?.isBuilt ?? true }
}

/// Builds an ``AnswerTable`` from interned ids; readers feed it one answer at a time.
struct AnswerTableBuilder: Sendable {
    var tasks = Interner(capacity: 1024)
    var workers = Interner(capacity: 1024)
    /// Labels in first-seen order; ``build(file:)`` puts them in ``LabelSet`` order.
    var rawLabels = Interner(capacity: 16)
    private(set) var task: [Int32] = []
    private(set) var worker: [Int32] = []
    private(set) var label: [Int32] = []

    init() {}

    var count: Int { task.count }

    mutating func append(task t: Int32, worker w: Int32, label l: Int32) {
        task.append(t)
        worker.append(w)
        label.append(l)
    }

    /// Appends another builder's answers after these, interning its names into these tables in
    /// its own first-seen order (so ids are as if one reader had read both, one after the other).
    mutating func append(_ other: AnswerTableBuilder) throws {
        func remap(_ from: Interner, into: inout Interner) -> [Int32] {
            // Batched like the reader: touch the slots of 256 keys, then intern them.
            var ids: [Int32] = []
            ids.reserveCapacity(from.count)
            var probes: [Interner.Probe] = []
            var sink: UInt64 = 0
            from.forEachBatch(256) { keys in
                sink &+= into.prefetch(keys, into: &probes)
                for (i, key) in keys.enumerated() { ids.append(into.intern(key, probe: probes[i]).id) }
            }
            if sink == 0x5EED_5EED { ids.reserveCapacity(0) }  // keeps the touching loads alive
            return ids
        }
        let t = remap(other.tasks, into: &tasks)
        let w = remap(other.workers, into: &workers)
        let l = remap(other.rawLabels, into: &rawLabels)
        reserveCapacity(count + other.count)
        for i in 0..<other.count {
            append(task: t[Int(other.task[i])], worker: w[Int(other.worker[i])], label: l[Int(other.label[i])])
        }
    }

    mutating func reserveCapacity(_ n: Int) {
        task.reserveCapacity(n)
        worker.reserveCapacity(n)
        label.reserveCapacity(n)
    }

    /// The finished table; label ids are renumbered into ``LabelSet`` order.
    ///
    /// - Throws: ``InputError/Code/noAnswers`` when nothing was appended, ``InputError/Code/tooLarge``
    ///   when `tasks × labels` does not fit the fused `Int32` index.
    consuming func build(file: String) throws -> AnswerTable {
        guard !task.isEmpty else { throw InputError(.noAnswers, file: file, "no answers: the file has a header but no answer rows") }
        let raw = rawLabels.names
        let set = LabelSet(raw)
        let k = set.count
        guard (tasks.count + 1) * k < Int(Int32.max), (workers.count + 1) * k < Int(Int32.max) else {
            throw InputError(.tooLarge, file: file, "\(tasks.count) tasks × \(k) labels exceed the 2^31 fused-index limit")
        }
        let remap = raw.map { Int32(set.index(of: $0)!) }
        var labels = label
        labels.withUnsafeMutableBufferPointer { l in
            remap.withUnsafeBufferPointer { remap in
                for i in 0..<l.count { l[i] = remap[Int(l[i])] }
            }
        }
        return AnswerTable(tasks: tasks, workers: workers, labels: set, task: task, worker: worker, label: labels)
    }
}

/// Repeated (task, worker) pairs: counted and reported, and kept, as crowd-kit keeps them.
public struct DuplicateReport: Sendable, Equatable {
    /// Distinct (task, worker) pairs that occur more than once.
    public let pairs: Int
    /// Answers beyond the first on those pairs.
    public let extraAnswers: Int
    /// The first repeated pair in task order, by name.
    public let example: (task: String, worker: String)?
    /// Ids of the workers who answered some task more than once.
    public let repeatedWorkers: Set<Int32>

    /// Equal when the counts and the example pair are equal (``repeatedWorkers`` is not compared).
    public static func == (a: Self, b: Self) -> Bool {
        a.pairs == b.pairs && a.extraAnswers == b.extraAnswers && a.example?.task == b.example?.task && a.example?.worker == b.example?.worker
    }

    init(pairs: Int, extraAnswers: Int, repeatedWorkers: Set<Int32>, example: (task: String, worker: String)?) {
        self.pairs = pairs
        self.extraAnswers = extraAnswers
        self.repeatedWorkers = repeatedWorkers
        self.example = example
    }

    init(byTask: CSRView, workerCount: Int, tasks: Interner, workers: Interner) {
        // stamp[w] = last task (+1) in which w answered; count[w] = answers of w in that task.
        var stamp = [Int32](repeating: 0, count: workerCount)
        var seen = [Int32](repeating: 0, count: workerCount)
        var pairs = 0, extra = 0
        var example: (Int32, Int32)?
        var repeated = Set<Int32>()
        let k = Int32(byTask.labelCount)
        byTask.entries.withUnsafeBufferPointer { e in
            for t in 0..<byTask.rowCount {
                for i in byTask.range(of: t) {
                    let w = Int(e[i] / k)
                    if stamp[w] == Int32(t + 1) {
                        seen[w] += 1
                        extra += 1
                        if seen[w] == 2 { pairs += 1 }
                        repeated.insert(Int32(w))
                        if example == nil { example = (Int32(t), Int32(w)) }
                    } else {
                        stamp[w] = Int32(t + 1)
                        seen[w] = 1
                    }
                }
            }
        }
        self.pairs = pairs
        self.extraAnswers = extra
        self.repeatedWorkers = repeated
        self.example = example.map { (tasks.name($0.0), workers.name($0.1)) }
    }
}
