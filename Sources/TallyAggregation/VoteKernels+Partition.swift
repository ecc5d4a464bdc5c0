import TallyCore

extension VoteKernels {
    /// Majority vote on a partition of tasks and each worker's agreement counts with it: the
    /// shares into `posteriors` (tasks × K), and for each global worker id `w` the number of its
    /// distinct `(task, label)` answers here (`total[w]`) and how many equal the task's first-max
    /// label (`correct[w]`), both added to. Summed over partitions, `correct / total` is
    /// ``agreement(_:reference:)`` of the whole table exactly (integer counts).
    static func partitionAgreement(_ part: TaskPartition, posteriors: UnsafeMutableBufferPointer<Double>,
                                   correct: UnsafeMutableBufferPointer<Double>, total: UnsafeMutableBufferPointer<Double>) {
        let k = part.labelCount
        let k32 = Int32(k)
        posteriors.update(repeating: 0)
        var scratch: [Int32] = []
        part.byTask.offsets.withUnsafeBufferPointer { offsets in
            part.byTask.entries.withUnsafeBufferPointer { entries in
                _ = shares(offsets: offsets, entries: entries, k: k, tasks: part.taskCount, weights: nil, into: posteriors)
                for t in 0..<part.taskCount {
                    let best = TaskPartition.firstMaxLabel(posteriors, task: t, labels: k)
                    // Distinct (worker, label) entries of the task: crowd-kit drops repeated answers.
                    scratch.removeAll(keepingCapacity: true)
                    scratch.append(contentsOf: entries[offsets[t]..<offsets[t + 1]])
                    scratch.sort()
                    var last: Int32 = -1
                    for e in scratch where e != last {
                        last = e
                        let w = Int(e / k32)
                        total[w] += 1
                        if Int(e % k32) == best { correct[w] += 1 }
                    }
                }
            }
        }
    }

    /// The vote weighted by global per-worker `weights` on a partition (``shares(_:weights:)``):
    /// shares into `posteriors` (tasks × K).
    static func partitionWeightedVote(_ part: TaskPartition, weights: UnsafeBufferPointer<Double>,
                                      posteriors: UnsafeMutableBufferPointer<Double>) {
        posteriors.update(repeating: 0)
        part.byTask.offsets.withUnsafeBufferPointer { offsets in
            part.byTask.entries.withUnsafeBufferPointer { entries in
                _ = shares(offsets: offsets, entries: entries, k: part.labelCount, tasks: part.taskCount, weights: weights, into: posteriors)
            }
        }
    }
}
