import TallyCore

/// The passes the majority-vote family is made of, over the shared CSR views.
enum VoteKernels {
    /// Per task, each label's share of the votes, with the first-max label.
    ///
    /// Unweighted, a share is `count / answers` (exactly as crowd-kit's `value_counts` then
    /// division). Weighted, each cell is a Kahan-compensated sum of the voters' weights in input
    /// order (pandas' `groupby().sum()` is Kahan-compensated too, so sums and therefore ties agree
    /// with crowd-kit bit for bit), divided by the row's plain left-to-right sum. A weight of NaN
    /// leaves that answer out. A task whose weights sum to zero is scored by its plain vote
    /// shares instead (crowd-kit would give it NaN); the count of such tasks is returned.
    ///
    /// - Complexity: O(answers + tasks × labels), one pass over the task view.
    static func shares(_ table: AnswerTable, weights: [Double]?) -> (probabilities: ProbabilityMatrix, labels: [Int32], zeroWeightTasks: Int) {
        let k = table.labelCount
        let view = table.byTask
        var values = [Double](repeating: 0, count: table.taskCount * k)
        var zeroTasks = 0
        view.offsets.withUnsafeBufferPointer { offsets in
            view.entries.withUnsafeBufferPointer { entries in
                values.withUnsafeMutableBufferPointer { out in
                    if let weights {
                        weights.withUnsafeBufferPointer { weights in
                            zeroTasks = shares(offsets: offsets, entries: entries, k: k, tasks: view.rowCount, weights: weights, into: out)
                        }
                    } else {
                        zeroTasks = shares(offsets: offsets, entries: entries, k: k, tasks: view.rowCount, weights: nil, into: out)
                    }
                }
            }
        }
        let p = ProbabilityMatrix(rows: table.taskCount, columns: k, values: values)
        return (p, p.argmaxFirst(), zeroTasks)
    }

    /// The shares of ``shares(_:weights:)`` over a task-sorted view (`tasks + 1` offsets, fused
    /// `worker * K + label` entries), written into `out` (tasks × K, zeroed by the caller);
    /// returns the number of tasks whose weights sum to zero.
    static func shares(offsets: UnsafeBufferPointer<Int>, entries: UnsafeBufferPointer<Int32>, k: Int, tasks: Int,
                       weights: UnsafeBufferPointer<Double>?, into out: UnsafeMutableBufferPointer<Double>) -> Int {
        let k32 = Int32(k)
        var zeroTasks = 0
        if let weights {
            var sum = [Double](repeating: 0, count: k)
            var comp = [Double](repeating: 0, count: k)
            for t in 0..<tasks {
                for c in 0..<k { sum[c] = 0; comp[c] = 0 }
                for i in offsets[t]..<offsets[t + 1] {
                    let e = entries[i]
                    let wgt = weights[Int(e / k32)]
                    if wgt.isNaN { continue }
                    let c = Int(e % k32)
                    let y = wgt - comp[c]
                    let s = sum[c] + y
                    comp[c] = (s - sum[c]) - y
                    sum[c] = s
                }
                var total = 0.0
                for c in 0..<k { total += sum[c] }
                let row = t * k
                if total != 0 && total.isFinite {
                    for c in 0..<k { out[row + c] = sum[c] / total }
                } else {
                    zeroTasks += 1
                    var n = 0.0
                    for i in offsets[t]..<offsets[t + 1] where !weights[Int(entries[i] / k32)].isNaN {
                        out[row + Int(entries[i] % k32)] += 1
                        n += 1
                    }
                    for c in 0..<k { out[row + c] /= n }
                }
            }
        } else {
            for t in 0..<tasks {
                let row = t * k
                let n = offsets[t + 1] - offsets[t]
                for i in offsets[t]..<offsets[t + 1] { out[row + Int(entries[i] % k32)] += 1 }
                let total = Double(n)
                for c in 0..<k { out[row + c] /= total }
            }
        }
        return zeroTasks
    }

    /// Per worker: the share of the worker's distinct (task, label) answers that equal
    /// `reference[task]`, over tasks whose reference is not negative; NaN for a worker with no
    /// such answer.
    ///
    /// Repeated identical answers count once (crowd-kit's `get_accuracy` drops duplicate
    /// `(task, worker, label)` rows); a worker who gave two different labels to one task has both
    /// counted.
    ///
    /// - Complexity: O(answers), plus a sort of the answers of each worker who repeated a task.
    static func agreement(_ table: AnswerTable, reference: [Int32]) -> [Double] {
        let view = table.byWorker
        let k32 = Int32(table.labelCount)
        let repeated = table.duplicates.repeatedWorkers
        var skills = [Double](repeating: .nan, count: table.workerCount)
        var scratch: [Int32] = []
        view.offsets.withUnsafeBufferPointer { offsets in
            view.entries.withUnsafeBufferPointer { entries in
                reference.withUnsafeBufferPointer { ref in
                    for w in 0..<view.rowCount {
                        var correct = 0, total = 0
                        let range = offsets[w]..<offsets[w + 1]
                        let dedupe = repeated.contains(Int32(w))
                        if dedupe {
                            scratch.removeAll(keepingCapacity: true)
                            scratch.append(contentsOf: entries[range])
                            scratch.sort()
                        }
                        var last: Int32 = -1
                        for i in 0..<range.count {
                            let e = dedupe ? scratch[i] : entries[range.lowerBound + i]
                            if dedupe {
                                if e == last { continue }
                                last = e
                            }
                            let r = ref[Int(e / k32)]
                            guard r >= 0 || r == GoldLabels.Alignment.unknownLabel else { continue }
                            total += 1
                            if r == e % k32 { correct += 1 }
                        }
                        if total > 0 { skills[w] = Double(correct) / Double(total) }
                    }
                }
            }
        }
        return skills
    }
}
