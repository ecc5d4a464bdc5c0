/// Krippendorff's alpha: how much the crowd agrees beyond what chance would give, from 1
/// (perfect agreement) through 0 (chance) to negative values (systematic disagreement).
///
/// `alpha = 1 − Do / De`. The observed disagreement `Do` averages, over tasks with at least two
/// answers, the mean distance between pairs of a task's answers (weighted by the task's
/// answers, `Σ_task Σ_pairs d / (m − 1)`, over all such answers); the expected disagreement `De`
/// is the mean distance between any two of those answers. Tasks with a single answer are left
/// out, as are no workers: a worker's repeated answers all count. The distance is 0/1
/// (``nominal(_:)``, for categorical labels) or the squared difference (``interval(task:value:taskCount:)``,
/// for numbers).
///
/// Parity: crowd-kit 1.4.2's `alpha_krippendorff`, which is NLTK 3.10.4's
/// `AnnotationTask(data, distance).alpha()` with `binary_distance` (nominal) or
/// `interval_distance` (interval): within 1e-9, degenerate cases included (one distinct label
/// overall or among tasks with two answers gives 1). NLTK refuses more than 10,000 distinct
/// labels; Tally has no such limit (its cost is linear in the answers).
///
/// ```swift
/// let answers = try AnswerTable(tasks: ["X", "X", "Y", "Y", "Z", "Z"], workers: ["A", "B", "A", "B", "A", "B"],
///                               labels: ["Yes", "Yes", "No", "No", "Yes", "No"])
/// try KrippendorffAlpha.nominal(answers).alpha   // 0.4444444444444444
/// ```
public struct KrippendorffAlpha: Sendable, Equatable {
    /// The coefficient, `1 − observed / expected`.
    public let alpha: Double
    /// `Do`: the observed disagreement.
    public let observed: Double
    /// `De`: the disagreement expected by chance.
    public let expected: Double
    /// Tasks with at least two answers (the ones that count).
    public let pairableTasks: Int
    /// Answers on those tasks.
    public let pairableAnswers: Int

    /// Alpha with the 0/1 distance over the table's labels.
    ///
    /// - Throws: ``MetricError`` when there is one worker and one task, or no task has two answers
    ///   (and the labels are not all the same).
    /// - Complexity: O(answers + labels).
    public static func nominal(_ table: AnswerTable) throws -> KrippendorffAlpha {
        let k = table.labelCount
        if k == 1 { return KrippendorffAlpha(alpha: 1, observed: 0, expected: 0, pairableTasks: 0, pairableAnswers: 0) }
        if table.workerCount == 1 && table.taskCount == 1 {
            throw MetricError("Krippendorff's alpha needs more than one worker or task: the answers have one of each")
        }
        let csr = table.byTask
        var counts = [Int](repeating: 0, count: k)
        var overall = [Int](repeating: 0, count: k)
        var observedSum = 0.0
        var tasks = 0, n = 0
        csr.entries.withUnsafeBufferPointer { entries in
            counts.withUnsafeMutableBufferPointer { counts in
                overall.withUnsafeMutableBufferPointer { overall in
                    let k32 = Int32(k)
                    for t in 0..<csr.rowCount {
                        let range = csr.range(of: t)
                        let m = range.count
                        guard m >= 2 else { continue }
                        var squares = 0
                        for e in range {
                            let l = Int(entries[e] % k32)
                            squares += 2 * counts[l] + 1  // (c + 1)² − c²
                            counts[l] += 1
                        }
                        for e in range {
                            let l = Int(entries[e] % k32)
                            overall[l] += counts[l]
                            counts[l] = 0
                        }
                        // Σ_j Σ_l n_j n_l [j ≠ l] = m² − Σ n_j², over m (m − 1), times m.
                        observedSum += Double(m * m - squares) / Double(m - 1)
                        tasks += 1
                        n += m
                    }
                }
            }
        }
        guard n > 0 else {
            throw MetricError("Krippendorff's alpha needs a task with at least two answers; every task has one")
        }
        var overallSquares = 0.0, distinct = 0
        for c in overall where c > 0 {
            overallSquares += Double(c) * Double(c)
            distinct += 1
        }
        if distinct == 1 { return KrippendorffAlpha(alpha: 1, observed: 0, expected: 0, pairableTasks: tasks, pairableAnswers: n) }
        let nd = Double(n)
        let observed = observedSum / nd
        let expected = (nd * nd - overallSquares) / (nd * (nd - 1))
        return KrippendorffAlpha(alpha: 1 - observed / expected, observed: observed, expected: expected, pairableTasks: tasks, pairableAnswers: n)
    }

    /// Alpha with the squared-difference distance over numeric answers: `task[i]` (an id below
    /// `taskCount`) answered `value[i]`.
    ///
    /// - Throws: ``MetricError`` when the columns differ in length, a task id is out of range, a
    ///   value is not finite, there is one task and one answer, or no task has two answers (and
    ///   the values are not all the same). NLTK's test for a single coder and item needs worker
    ///   ids; pass them as `worker` to apply it.
    /// - Complexity: O(answers + tasks).
    public static func interval(task: [Int32], value: [Double], taskCount: Int, worker: [Int32]? = nil) throws -> KrippendorffAlpha {
        guard task.count == value.count, worker.map({ $0.count == task.count }) ?? true else {
            throw MetricError("the task, value (and worker) columns differ in length")
        }
        guard !value.isEmpty else { throw MetricError("Krippendorff's alpha needs answers; there are none") }
        if let i = task.firstIndex(where: { $0 < 0 || Int($0) >= taskCount }) {
            throw MetricError("answer \(i + 1): task id \(task[i]) is outside 0..<\(taskCount)")
        }
        if let i = value.firstIndex(where: { !$0.isFinite }) {
            throw MetricError("answer \(i + 1): value \(value[i]) is not a finite number")
        }
        let first = value[0]
        if value.allSatisfy({ $0 == first }) { return KrippendorffAlpha(alpha: 1, observed: 0, expected: 0, pairableTasks: 0, pairableAnswers: 0) }
        if let worker, Set(worker).count == 1, Set(task).count == 1 {
            throw MetricError("Krippendorff's alpha needs more than one worker or task: the answers have one of each")
        }
        var count = [Int](repeating: 0, count: taskCount)
        var sum = [Double](repeating: 0, count: taskCount)
        for i in 0..<task.count {
            count[Int(task[i])] += 1
            sum[Int(task[i])] += value[i]
        }
        // Centred sums of squares, per task and over the pairable answers (stable: no m·Σv² − (Σv)²).
        var ss = [Double](repeating: 0, count: taskCount)
        var n = 0, tasks = 0, total = 0.0
        for t in 0..<taskCount where count[t] >= 2 {
            n += count[t]
            tasks += 1
            total += sum[t]
        }
        guard n > 0 else {
            throw MetricError("Krippendorff's alpha needs a task with at least two answers; every task has one")
        }
        let mean = total / Double(n)
        var ssAll = 0.0
        var firstPairable: Double?
        var oneValue = true
        for i in 0..<task.count {
            let t = Int(task[i])
            guard count[t] >= 2 else { continue }
            let d = value[i] - sum[t] / Double(count[t])
            ss[t] += d * d
            let e = value[i] - mean
            ssAll += e * e
            if let f = firstPairable { if value[i] != f { oneValue = false } } else { firstPairable = value[i] }
        }
        if oneValue { return KrippendorffAlpha(alpha: 1, observed: 0, expected: 0, pairableTasks: tasks, pairableAnswers: n) }
        // Pairs within a task of m answers: Σ (x_a − x_b)² = 2 m SS; Do sums that over (m − 1).
        var observedSum = 0.0
        for t in 0..<taskCount where count[t] >= 2 {
            let m = Double(count[t])
            observedSum += 2 * m * ss[t] / (m - 1)
        }
        let nd = Double(n)
        let observed = observedSum / nd
        let expected = 2 * ssAll / (nd - 1)
        return KrippendorffAlpha(alpha: 1 - observed / expected, observed: observed, expected: expected, pairableTasks: tasks, pairableAnswers: n)
    }
}
