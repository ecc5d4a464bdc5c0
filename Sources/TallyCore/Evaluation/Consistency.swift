/// How consistent each task's answers are with its aggregated label: the posterior probability
/// of that label under the one-coin model of the workers' skills, and the mean over tasks.
///
/// For task `t` and label `l`, `P(l) ∝ Π_answers (s if the answer is l, else (1 − s) / (K − 1))`
/// with `s` the answering worker's skill and `K` the labels in the whole table; the consistency
/// is `P(aggregated label)` normalised over the `K` labels (0 when every product is 0).
/// crowd-kit's default takes labels and skills from majority vote (skill: a worker's agreement
/// with the vote); any method's labels and skills, or skills measured on gold, can be given.
///
/// Parity: crowd-kit 1.4.2's `crowdkit.metrics.data.consistency` (`by_task` true or false),
/// within 1e-9.
///
/// ```swift
/// let answers = try AnswerTable(tasks: ["X", "X", "Y", "Y"], workers: ["A", "B", "A", "B"],
///                               labels: ["Yes", "No", "Yes", "Yes"])
/// let vote = try MajorityVote().fit(answers)   // TallyAggregation
/// let c = try Consistency(answers, labels: vote.labels, skills: vote.skills!)
/// c.values   // per task, in task id order
/// ```
public struct Consistency: Sendable {
    /// One posterior probability per task id.
    public let values: [Double]
    /// The mean of ``values``.
    public let mean: Double

    /// The consistency of `table`'s answers with `labels` (one label id per task id) under
    /// `skills` (one per worker id).
    ///
    /// - Throws: ``MetricError`` when the counts do not match the table, a label id is out of
    ///   range or a skill is not finite.
    /// - Complexity: O(answers × labels).
    public init(_ table: AnswerTable, labels: [Int32], skills: [Double]) throws {
        guard labels.count == table.taskCount else {
            throw MetricError("consistency needs one aggregated label per task: \(labels.count) labels for \(table.taskCount) tasks")
        }
        guard skills.count == table.workerCount else {
            throw MetricError("consistency needs one skill per worker: \(skills.count) skills for \(table.workerCount) workers")
        }
        if let w = skills.firstIndex(where: { !$0.isFinite }) {
            throw MetricError("worker \(ErrorText.quoted(table.workers.name(Int32(w)))) has no skill (\(skills[w])); give every worker a skill")
        }
        let k = table.labelCount
        if let t = labels.firstIndex(where: { $0 < 0 || Int($0) >= k }) {
            throw MetricError("task \(ErrorText.quoted(table.tasks.name(Int32(t)))): label id \(labels[t]) is outside 0..<\(k)")
        }
        // Labels in order of first appearance (pandas' unique), the order crowd-kit sums the products in.
        var order: [Int] = []
        var seen = [Bool](repeating: false, count: k)
        for l in table.label where !seen[Int(l)] {
            seen[Int(l)] = true
            order.append(Int(l))
        }
        let csr = table.byTask
        let k32 = Int32(k)
        var product = [Double](repeating: 1, count: k)
        var values = [Double](repeating: 0, count: table.taskCount)
        for t in 0..<table.taskCount {
            for l in 0..<k { product[l] = 1 }
            for e in csr.range(of: t) {
                let entry = csr.entries[e]
                let given = Int(entry % k32)
                let s = skills[Int(entry / k32)]
                let other = k == 1 ? 0 : (1 - s) / Double(k - 1)
                for l in 0..<k { product[l] *= l == given ? s : other }
            }
            var denominator = 0.0
            for l in order { denominator += product[l] }
            values[t] = denominator != 0 ? product[Int(labels[t])] / denominator : 0
        }
        self.values = values
        self.mean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }
}
