import Foundation

/// How uncertain the answers are: per task (or per worker) the entropy, in nats, of the label
/// distribution its answers give, and the mean over tasks (or workers).
///
/// Each answer spreads one unit over the labels under the one-coin model: its worker's skill `s`
/// on the label given, `(1 − s) / (K − 1)` on each of the other `K − 1` labels (`K` the labels
/// in the whole table). Without skills every skill is 1 and the distribution is the plain
/// share of answers. A task whose answers all agree (with skill 1) has uncertainty 0; `K`
/// labels given once each have `ln K`.
///
/// Parity: crowd-kit 1.4.2's `crowdkit.metrics.data.uncertainty` (`compute_by` task or worker,
/// `aggregate` true or false, with or without `workers_skills`), within 1e-9, including its
/// `+1e-6` in the normaliser (which scipy's `entropy` then normalises away) and a NaN for a
/// group whose weights are all zero (left out of the mean, as pandas does).
///
/// ```swift
/// let answers = try AnswerTable(tasks: ["X", "X", "Y", "Y"], workers: ["A", "B", "A", "B"],
///                               labels: ["Yes", "No", "Yes", "Yes"])
/// let u = try Uncertainty(answers)
/// u.values   // [0.693147…, 0.0]  (ln 2 for X, 0 for Y)
/// u.mean     // 0.346573…
/// ```
public struct Uncertainty: Sendable {
    /// What a value describes.
    public enum Grouping: String, Sendable, CaseIterable {
        /// One value per task: the uncertainty of its answers.
        case task
        /// One value per worker: how spread its own answers are over the labels.
        case worker
    }

    /// The grouping the values follow.
    public let grouping: Grouping
    /// One entropy per task id (or worker id).
    public let values: [Double]
    /// The mean of ``values``, NaN ones left out.
    public let mean: Double

    /// The uncertainty of `table`'s answers, by task or by worker; `skills` gives one skill per
    /// worker id (nil: every skill is 1).
    ///
    /// - Throws: ``MetricError`` when `skills` does not have one finite value per worker.
    /// - Complexity: O(answers + groups × labels).
    public init(_ table: AnswerTable, skills: [Double]? = nil, by grouping: Grouping = .task) throws {
        if let skills {
            guard skills.count == table.workerCount else {
                throw MetricError("uncertainty needs one skill per worker: \(skills.count) skills for \(table.workerCount) workers")
            }
            if let w = skills.firstIndex(where: { !$0.isFinite }) {
                throw MetricError("worker \(ErrorText.quoted(table.workers.name(Int32(w)))) has no skill (\(skills[w])); give every worker a skill")
            }
        }
        let k = table.labelCount
        let csr = grouping == .task ? table.byTask : table.byWorker
        let groups = csr.rowCount
        var values = [Double](repeating: 0, count: groups)
        var mass = [Double](repeating: 0, count: k)
        let k32 = Int32(k)
        for g in 0..<groups {
            // Σ over answers of the off-label share, plus per label the answers that gave it.
            var base = 0.0
            for l in 0..<k { mass[l] = 0 }
            for e in csr.range(of: g) {
                let entry = csr.entries[e]
                let label = Int(entry % k32)
                let worker = grouping == .task ? Int(entry / k32) : g
                let s = skills?[worker] ?? 1
                let other = k == 1 ? 0 : (1 - s) / Double(k - 1)
                base += other
                mass[label] += s - other
            }
            var total = 0.0
            for l in 0..<k {
                mass[l] += base
                total += mass[l]
            }
            // crowd-kit: entropy(row / (Σ row + 1e-6)); scipy normalises again, then Σ −p ln p.
            let denominator = total + 1e-6
            var normalised = 0.0
            for l in 0..<k {
                mass[l] /= denominator
                normalised += mass[l]
            }
            var h = 0.0
            for l in 0..<k {
                let p = mass[l] / normalised
                if p > 0 { h -= p * log(p) } else if p.isNaN { h = .nan }
            }
            values[g] = h
        }
        self.grouping = grouping
        self.values = values
        let kept = values.filter { !$0.isNaN }
        self.mean = kept.isEmpty ? .nan : kept.reduce(0, +) / Double(kept.count)
    }
}
