import TallyCore

/// M-MSR's worker pairs on crowded tasks, sampled so that their number grows linearly with the
/// task's answers (see ``PairGraph``).
///
/// A task with more than `maxCoworkers + 1` answers (one answer per worker) has its workers put in
/// a circle, in an order drawn from `seed` and the task's id, and each is paired with the workers
/// `d` places before it and after it for `maxCoworkers / 2` distinct strides `d` drawn from the same
/// seed (a random circulant graph, which mixes quickly, unlike neighbours on the circle, through
/// which M-MSR's trimmed means spread slowly): `2 · (maxCoworkers / 2)` co-workers each, so
/// `answers × maxCoworkers` ordered pairs for the task instead of `answers × (answers − 1)`. Every
/// pair kept still counts the task as one in common and its agreement as observed, so `C` stays an
/// unbiased estimate for the pairs there are; the pairs left out are treated as not observed on
/// that task. The same seed gives the same pairs.
struct SampledPairs: Sendable {
    /// Per task: whether its pairs are sampled (empty when no task is).
    private let sampled: [Bool]
    /// Per worker: where its sampled pairs start in ``coworker`` (empty when no task is sampled).
    private let offsets: [Int]
    /// The co-worker of each sampled pair, grouped by worker.
    let coworker: [Int32]
    /// Whether the two workers of each sampled pair gave the same label.
    let agrees: [Bool]
    /// The tasks whose pairs are sampled.
    let taskCount: Int

    /// - Parameters:
    ///   - taskOffsets, taskEntries: the task-sorted answers, one per (task, worker), as fused
    ///     entries `worker · K + label`.
    ///   - maxCoworkers: the most co-workers on one task (0: no limit, nothing sampled).
    init(taskOffsets: [Int], taskEntries: [Int32], labelCount k: Int, workerCount: Int, maxCoworkers: Int, seed: UInt64) {
        let half = maxCoworkers / 2
        let tasks = maxCoworkers <= 0 || half == 0 ? [] : (0..<(taskOffsets.count - 1)).filter { taskOffsets[$0 + 1] - taskOffsets[$0] - 1 > maxCoworkers }
        taskCount = tasks.count
        guard !tasks.isEmpty else {
            (sampled, offsets, coworker, agrees) = ([], [], [], [])
            return
        }
        var sampled = [Bool](repeating: false, count: taskOffsets.count - 1)
        var offsets = [Int](repeating: 0, count: workerCount + 1)
        for t in tasks {
            sampled[t] = true
            for b in taskOffsets[t]..<taskOffsets[t + 1] { offsets[Int(taskEntries[b]) / k + 1] += 2 * half }
        }
        for w in 0..<workerCount { offsets[w + 1] += offsets[w] }
        var cursor = offsets
        var coworker = [Int32](repeating: 0, count: offsets[workerCount])
        var agrees = [Bool](repeating: false, count: offsets[workerCount])
        for t in tasks {
            var order = Array(taskEntries[taskOffsets[t]..<taskOffsets[t + 1]])
            var rng = SplitMix64(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(t + 1)))
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.next().multipliedFullWidth(by: UInt64(i + 1)).high))
            }
            // `half` distinct strides out of 1...⌊(n − 1)/2⌋ (all below n/2, so no pair twice): a
            // circulant graph with random strides mixes in a few rounds, where the plain circle
            // (strides 1...half) took thousands of M-MSR rounds to settle on 1,000 workers.
            let n = order.count
            var strides = Array(1...((n - 1) / 2))
            for i in 0..<half {
                strides.swapAt(i, i + Int(rng.next().multipliedFullWidth(by: UInt64(strides.count - i)).high))
            }
            for p in 0..<n {
                let a = Int(order[p])
                for d in strides[0..<half] {
                    let b = Int(order[(p + d) % n])
                    let same = a % k == b % k
                    let wa = a / k, wb = b / k
                    coworker[cursor[wa]] = Int32(wb)
                    agrees[cursor[wa]] = same
                    cursor[wa] += 1
                    coworker[cursor[wb]] = Int32(wa)
                    agrees[cursor[wb]] = same
                    cursor[wb] += 1
                }
            }
        }
        (self.sampled, self.offsets, self.coworker, self.agrees) = (sampled, offsets, coworker, agrees)
    }

    /// Whether task `t`'s pairs are sampled (and so left out of the all-pairs count).
    func isSampled(_ t: Int) -> Bool { !sampled.isEmpty && sampled[t] }

    /// The positions of worker `w`'s sampled pairs in ``coworker`` and ``agrees``.
    func range(of w: Int) -> Range<Int> { offsets.isEmpty ? 0..<0 : offsets[w]..<offsets[w + 1] }
}
