/// Numeric answers grouped by task and by worker: two stable counting sorts of the answer rows.
///
/// Row `r` of ``byTask`` lists the answer indices of task `r` in input order (likewise for
/// workers), so every method sums a task's or a worker's answers in the order the file gave them,
/// as the reference implementations iterate their lists.
struct NumericIndex: Sendable {
    /// Task of each answer.
    let task: [Int32]
    /// Worker of each answer.
    let worker: [Int32]
    /// Value of each answer.
    let value: [Double]
    /// `taskCount + 1` offsets into ``taskRows``.
    let taskOffsets: [Int]
    /// Answer indices grouped by task.
    let taskRows: [Int32]
    /// `workerCount + 1` offsets into ``workerRows``.
    let workerOffsets: [Int]
    /// Answer indices grouped by worker.
    let workerRows: [Int32]

    var taskCount: Int { taskOffsets.count - 1 }
    var workerCount: Int { workerOffsets.count - 1 }
    var answerCount: Int { value.count }

    /// Groups the parallel columns; ids must lie below the counts (checked: ``AggregationError`` otherwise).
    init(task: [Int32], worker: [Int32], value: [Double], taskCount: Int, workerCount: Int) throws {
        guard task.count == worker.count, worker.count == value.count else {
            throw AggregationError("columns differ in length: \(task.count) tasks, \(worker.count) workers, \(value.count) values")
        }
        guard !value.isEmpty else { throw AggregationError("no answers") }
        if let i = task.firstIndex(where: { $0 < 0 || Int($0) >= taskCount }) {
            throw AggregationError("answer \(i + 1): task id \(task[i]) is outside 0..<\(taskCount)")
        }
        if let i = worker.firstIndex(where: { $0 < 0 || Int($0) >= workerCount }) {
            throw AggregationError("answer \(i + 1): worker id \(worker[i]) is outside 0..<\(workerCount)")
        }
        if let i = value.firstIndex(where: { !$0.isFinite }) {
            throw AggregationError("answer \(i + 1): value \(value[i]) is not a finite number")
        }
        self.task = task
        self.worker = worker
        self.value = value
        (taskOffsets, taskRows) = Self.group(task, count: taskCount)
        (workerOffsets, workerRows) = Self.group(worker, count: workerCount)
    }

    /// A stable counting sort of answer indices by `keys`.
    private static func group(_ keys: [Int32], count: Int) -> ([Int], [Int32]) {
        var offsets = [Int](repeating: 0, count: count + 1)
        for k in keys { offsets[Int(k) + 1] += 1 }
        for i in 0..<count { offsets[i + 1] += offsets[i] }
        var cursor = offsets
        var rows = [Int32](repeating: 0, count: keys.count)
        for (i, k) in keys.enumerated() {
            rows[cursor[Int(k)]] = Int32(i)
            cursor[Int(k)] += 1
        }
        return (offsets, rows)
    }

    /// The values of task `t`, in input order.
    func values(ofTask t: Int) -> [Double] {
        (taskOffsets[t]..<taskOffsets[t + 1]).map { value[Int(taskRows[$0])] }
    }

    /// The number of answers worker `w` gave.
    func answerCount(ofWorker w: Int) -> Int { workerOffsets[w + 1] - workerOffsets[w] }

    /// `term(task, value)` summed over worker `w`'s answers in input order (how CATD, PM/CRH and
    /// LFC-N measure a worker's distance from the current truth).
    @inline(__always)
    func sum(ofWorker w: Int, _ term: (_ task: Int, _ value: Double) -> Double) -> Double {
        var total = 0.0
        for k in workerOffsets[w]..<workerOffsets[w + 1] {
            let i = Int(workerRows[k])
            total += term(Int(task[i]), value[i])
        }
        return total
    }

    /// Task `t`'s answers weighted by their workers' `weight`, in input order: Σ weight × value and
    /// Σ weight.
    @inline(__always)
    func weightedSum(ofTask t: Int, weight: [Double]) -> (sum: Double, weights: Double) {
        var sum = 0.0, weights = 0.0
        for k in taskOffsets[t]..<taskOffsets[t + 1] {
            let i = Int(taskRows[k])
            let wi = weight[Int(worker[i])]
            sum += wi * value[i]
            weights += wi
        }
        return (sum, weights)
    }
}
