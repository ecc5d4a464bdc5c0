import TallyCore

/// The answers of one partition of tasks, for EM run as sufficient statistics across machines.
///
/// Every answer of a task is in the same partition. Tasks are numbered locally (`0..<taskCount`);
/// workers and labels carry *global* ids from dictionaries built once over all the data, labels
/// in ``LabelSet`` order, so that the per-worker tables of every partition line up and add up.
/// A worker id with no answer here is allowed (it is somebody else's worker).
///
/// The answers are kept as a task-sorted CSR view (``CSRView``: fused `worker * K + label`
/// entries, input order within a task), the view Dawid-Skene's and the votes' passes read.
///
/// ```swift
/// let part = try TaskPartition(task: [0, 0, 1], worker: [4, 7, 4], label: [1, 1, 0],
///                              taskCount: 2, workerCount: 10, labelCount: 2)
/// var stats = [Double](repeating: 0, count: PartitionPass.start.statisticsCount(workers: 10, labels: 2))
/// try part.run(.start, parameters: [], statistics: &stats)
/// ```
package struct TaskPartition: Sendable {
    /// Tasks in this partition (local ids).
    package let taskCount: Int
    /// Workers in the whole data (global ids).
    package let workerCount: Int
    /// Labels in the whole data (global ids, ``LabelSet`` order).
    package let labelCount: Int
    /// Answers in this partition.
    package var answerCount: Int { byTask.entries.count }
    /// The answers grouped by task.
    package let byTask: CSRView

    /// Builds the partition from three columns of codes.
    ///
    /// - Throws: ``InputError`` naming the answer and the column when a code is out of range, the
    ///   columns differ in length, a task has no answer, or `workerCount × labelCount` does not fit
    ///   the 2^31 fused-index limit.
    package init(task: [Int32], worker: [Int32], label: [Int32], taskCount: Int, workerCount: Int, labelCount: Int) throws {
        let source = "<partition>"
        let n = task.count
        guard worker.count == n, label.count == n else {
            throw InputError(.raggedRow, file: source, "columns differ in length: \(task.count) tasks, \(worker.count) workers, \(label.count) labels")
        }
        guard taskCount >= 0, workerCount >= 1, labelCount >= 1 else {
            throw InputError(.invalidValue, file: source, "counts must be positive: \(taskCount) tasks, \(workerCount) workers, \(labelCount) labels")
        }
        guard (workerCount + 1) * labelCount < Int(Int32.max) else {
            throw InputError(.tooLarge, file: source, "\(workerCount) workers × \(labelCount) labels exceed the 2^31 fused-index limit")
        }
        var seen = [Bool](repeating: false, count: taskCount)
        let (nt, nw, nl) = (Int32(clamping: taskCount), Int32(workerCount), Int32(labelCount))
        for i in 0..<n {
            let t = task[i], w = worker[i], l = label[i]
            guard t >= 0, t < nt else { throw InputError(.invalidValue, file: source, line: i, field: "task", "answer \(i): task code \(t) is outside 0..<\(nt)") }
            guard w >= 0, w < nw else { throw InputError(.invalidValue, file: source, line: i, field: "worker", "answer \(i): worker code \(w) is outside 0..<\(nw)") }
            guard l >= 0, l < nl else { throw InputError(.invalidValue, file: source, line: i, field: "label", "answer \(i): label code \(l) is outside 0..<\(nl)") }
            seen[Int(t)] = true
        }
        if let t = seen.firstIndex(of: false) {
            throw InputError(.invalidValue, file: source, field: "task", "task code \(t) has no answer; number the partition's tasks 0..<tasks without gaps")
        }
        self.taskCount = taskCount
        self.workerCount = workerCount
        self.labelCount = labelCount
        byTask = CSRView(rows: task, rowCount: taskCount, other: worker, label: label, labelCount: labelCount)
    }

    /// A partition of a whole table (every task, global ids = the table's ids): what a machine
    /// holding all the data would be one partition of; tests split tables with ``split(_:parts:)``.
    package init(_ table: AnswerTable) {
        taskCount = table.taskCount
        workerCount = table.workerCount
        labelCount = table.labelCount
        byTask = table.byTask
    }

    /// `table` cut into `parts` partitions of consecutive tasks (whole tasks, global worker and label
    /// ids), answers in the table's order within each task.
    package static func split(_ table: AnswerTable, parts: Int) throws -> [TaskPartition] {
        let k = table.labelCount
        let ranges = DawidSkeneEngine.split(table.byTask, into: max(1, parts))
        return try ranges.filter { !$0.isEmpty }.map { range in
            var task: [Int32] = [], worker: [Int32] = [], label: [Int32] = []
            for t in range {
                for i in table.byTask.range(of: t) {
                    let e = Int(table.byTask.entries[i])
                    task.append(Int32(t - range.lowerBound))
                    worker.append(Int32(e / k))
                    label.append(Int32(e % k))
                }
            }
            return try TaskPartition(task: task, worker: worker, label: label, taskCount: range.count,
                                     workerCount: table.workerCount, labelCount: k)
        }
    }
}

extension TaskPartition {
    /// The first label of highest posterior in task `t`'s row of the tasks × `k` `posteriors`
    /// (NaNs never win), as ``ProbabilityMatrix/argmaxFirst()`` chooses it.
    @inline(__always)
    static func firstMaxLabel(_ posteriors: UnsafeMutableBufferPointer<Double>, task t: Int, labels k: Int) -> Int {
        var best = 0
        var bestValue = -Double.infinity
        for c in 0..<k where posteriors[t * k + c] > bestValue { bestValue = posteriors[t * k + c]; best = c }
        return best
    }
}
