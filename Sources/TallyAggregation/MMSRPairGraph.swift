import Foundation
import TallyCore

/// A heap buffer the parallel kernels share; each thread writes only its own indices.
final class RawBuffer<T>: @unchecked Sendable {
    let p: UnsafeMutableBufferPointer<T>
    init(_ count: Int, _ value: T) {
        p = .allocate(capacity: count)
        p.initialize(repeating: value)
    }
    deinit { p.deallocate() }
    var count: Int { p.count }
    subscript(i: Int) -> T {
        get { p[i] }
        set { p[i] = newValue }
    }
}

/// The observed worker pairs: for every worker, its co-workers (ascending) and `C` with each.
///
/// On a task with more than `maxCoworkers + 1` answers, not every pair of its workers is counted
/// (that would be quadratic in the task's answers): its workers are put in a circle in a seeded
/// random order and each is paired with the `maxCoworkers / 2` before and after it
/// (``SampledPairs``), so the task adds `answers × maxCoworkers` ordered pairs.
struct PairGraph: @unchecked Sendable {
    let workerCount: Int
    let offsets: [Int]
    let neighbor: RawBuffer<Int32>
    let value: RawBuffer<Double>
    /// Tasks whose pairs were sampled.
    let sampledTasks: Int

    /// - Parameters:
    ///   - maxCoworkers: the most co-workers a worker is compared with on one task (0: no limit).
    ///   - seed: the seed of the circular orders of the sampled tasks.
    init(_ table: AnswerTable, threads: Int, maxCoworkers: Int = 0, seed: UInt64 = 0) {
        let k = table.labelCount
        let k32 = Int32(k)
        let nWorkers = table.workerCount
        workerCount = nWorkers
        let (taskOffsets, taskEntries, workerOffsets, workerEntries) = Self.lastAnswers(table)
        let sampled = SampledPairs(taskOffsets: taskOffsets, taskEntries: taskEntries, labelCount: k, workerCount: nWorkers,
                                   maxCoworkers: maxCoworkers, seed: seed)
        sampledTasks = sampled.taskCount
        let scale = Double(k) / Double(k - 1), shift = 1 / Double(k - 1)
        // Work per worker ≈ the answers on its tasks; balance parts on answers.
        let parts = balancedParts(workerOffsets, count: threads * 8)
        final class Out: @unchecked Sendable {
            var neighbor: [Int32] = [], value: [Double] = [], degree: [Int] = []
        }
        let outs = parts.map { _ in Out() }
        parallelFor(parts.count) { part in
            let out = outs[part]
            var common = [Int32](repeating: 0, count: nWorkers)
            var agree = [Int32](repeating: 0, count: nWorkers)
            var touched: [Int32] = []
            for i in parts[part] {
                touched.removeAll(keepingCapacity: true)
                for a in workerOffsets[i]..<workerOffsets[i + 1] {
                    let t = Int(workerEntries[a] / k32), li = workerEntries[a] % k32
                    if sampled.isSampled(t) { continue }
                    for b in taskOffsets[t]..<taskOffsets[t + 1] {
                        let e = taskEntries[b]
                        let j = Int(e / k32)
                        if j == i { continue }
                        if common[j] == 0 { touched.append(Int32(j)) }
                        common[j] += 1
                        if e % k32 == li { agree[j] += 1 }
                    }
                }
                for c in sampled.range(of: i) {
                    let j = Int(sampled.coworker[c])
                    if common[j] == 0 { touched.append(Int32(j)) }
                    common[j] += 1
                    if sampled.agrees[c] { agree[j] += 1 }
                }
                touched.sort()
                for j in touched {
                    let jj = Int(j)
                    out.neighbor.append(j)
                    out.value.append(Double(agree[jj]) / Double(common[jj]) * scale - shift)
                    common[jj] = 0
                    agree[jj] = 0
                }
                out.degree.append(touched.count)
            }
        }
        var offsets = [Int](repeating: 0, count: nWorkers + 1)
        var w = 0
        for out in outs {
            for d in out.degree { offsets[w + 1] = offsets[w] + d; w += 1 }
        }
        self.offsets = offsets
        neighbor = RawBuffer(offsets[nWorkers], 0)
        value = RawBuffer(offsets[nWorkers], 0)
        var at = 0
        for out in outs {
            for i in out.neighbor.indices { neighbor[at + i] = out.neighbor[i]; value[at + i] = out.value[i] }
            at += out.neighbor.count
            out.neighbor = []; out.value = []
        }
    }

    /// Task and worker views with one answer per (task, worker): the last one in input order.
    static func lastAnswers(_ table: AnswerTable) -> ([Int], [Int32], [Int], [Int32]) {
        if table.duplicates.pairs == 0 {
            return (table.byTask.offsets, table.byTask.entries, table.byWorker.offsets, table.byWorker.entries)
        }
        let k32 = Int32(table.labelCount)
        let view = table.byTask
        var stamp = [Int32](repeating: -1, count: table.workerCount)
        var offsets = [Int](repeating: 0, count: view.rowCount + 1)
        var entries: [Int32] = []
        entries.reserveCapacity(view.entries.count)
        var row: [Int32] = []
        for t in 0..<view.rowCount {
            row.removeAll(keepingCapacity: true)
            for i in view.range(of: t).reversed() {
                let w = Int(view.entries[i] / k32)
                if stamp[w] == Int32(t) { continue }
                stamp[w] = Int32(t)
                row.append(view.entries[i])
            }
            entries.append(contentsOf: row.reversed())
            offsets[t + 1] = entries.count
        }
        // Worker view by counting sort.
        var wOffsets = [Int](repeating: 0, count: table.workerCount + 1)
        for e in entries { wOffsets[Int(e / k32) + 1] += 1 }
        for w in 0..<table.workerCount { wOffsets[w + 1] += wOffsets[w] }
        var cursor = wOffsets
        var wEntries = [Int32](repeating: 0, count: entries.count)
        for t in 0..<view.rowCount {
            for i in offsets[t]..<offsets[t + 1] {
                let w = Int(entries[i] / k32)
                wEntries[cursor[w]] = Int32(t) * k32 + entries[i] % k32
                cursor[w] += 1
            }
        }
        return (offsets, entries, wOffsets, wEntries)
    }

    /// crowd-kit's trimmed mean of `|C_rj| / divisor_j` over row `r`'s co-workers: drop the `F`
    /// smallest ratios, or all below `current` if fewer than `F` are; likewise at the top; keep
    /// `current` if nothing is left; a single 0 left becomes `floorValue`; `F < 0` keeps only the
    /// largest ratio. Ratios over a zero divisor are left out.
    func trimmedMean(row r: Int, divisor: RawBuffer<Double>, f: Int, current a: Double, floorValue: Double, scratch: RawBuffer<Double>) -> Double {
        let x = scratch.p.baseAddress!
        var n = 0
        for e in offsets[r]..<offsets[r + 1] {
            let d = divisor[Int(neighbor[e])]
            if d == 0 { continue }
            x[n] = abs(value[e]) / d
            n += 1
        }
        if n == 0 { return a }
        if f < 0 {
            var m = x[0]
            for i in 1..<n where x[i] > m { m = x[i] }
            return m == 0 ? floorValue : m
        }
        var below = 0, above = 0
        for i in 0..<n {
            if x[i] < a { below += 1 } else if x[i] > a { above += 1 }
        }
        let lo = min(below, f), hi = min(above, f)
        let kept = n - lo - hi
        if kept <= 0 { return a }
        if lo > 0 { select(x, 0, n, lo) }
        if hi > 0 { select(x, lo, n, n - hi) }
        if kept == 1 && x[lo] == 0 { return floorValue }
        var sum = 0.0
        for i in lo..<(n - hi) { sum += x[i] }
        return sum / Double(kept)
    }
}

/// Rearranges `x[lo..<hi]` so that `x[k]` holds its sorted value, with no larger value before it
/// and no smaller one after (quickselect, median-of-three pivots).
func select(_ x: UnsafeMutablePointer<Double>, _ lo: Int, _ hi: Int, _ k: Int) {
    var lo = lo, hi = hi - 1
    while hi > lo {
        let mid = lo + (hi - lo) / 2
        if x[mid] < x[lo] { swap(&x[mid], &x[lo]) }
        if x[hi] < x[lo] { swap(&x[hi], &x[lo]) }
        if x[hi] < x[mid] { swap(&x[hi], &x[mid]) }
        let pivot = x[mid]
        var i = lo, j = hi
        while i <= j {
            while x[i] < pivot { i += 1 }
            while x[j] > pivot { j -= 1 }
            if i <= j {
                if i != j { swap(&x[i], &x[j]) }
                i += 1; j -= 1
            }
        }
        if k <= j { hi = j } else if k >= i { lo = i } else { return }
    }
}

