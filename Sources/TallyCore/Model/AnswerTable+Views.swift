import Dispatch

/// The views and duplicate count of an ``AnswerTable``, built together.
///
/// When the answers come grouped by task with task ids never decreasing (a task-sorted file:
/// `tally convert` and `tally synth` write them so), one sequential pass per thread does it all:
/// the task view's offsets from the run boundaries and its fused entries in input order, the
/// repeated (task, worker) pairs, and each worker's answer count; with `threads` ≥ 2 the answers
/// are split at the task boundary nearest the middle and the halves run at once. Otherwise the
/// task view is a counting sort (and the pairs are counted over it) while a second thread counts
/// the workers' answers. Either way the worker view is *deferred*: its offsets are made now, its
/// entries only if a method reads them (Dawid-Skene reads only the offsets).
struct AnswerTableViews {
    let byTask: CSRView
    let byWorker: CSRView
    let duplicates: DuplicateReport

    init(task: [Int32], worker: [Int32], label: [Int32], tasks: Interner, workers: Interner, labelCount k: Int, threads: Int) {
        let n = task.count
        let taskCount = tasks.count, workerCount = workers.count
        let parallel = threads >= 2 && n >= 1 << 16
        if let sorted = Self.sorted(task: task, worker: worker, label: label, taskCount: taskCount, workerCount: workerCount, k: k, parallel: parallel) {
            byTask = CSRView(offsets: sorted.offsets, entries: sorted.entries, labelCount: k)
            var pairs = 0, extra = 0
            var example: (task: Int32, worker: Int32)?
            var repeated = Set<Int32>()
            var workerOffsets = [Int](repeating: 0, count: workerCount + 1)
            for part in sorted.parts {
                pairs += part.pairs
                extra += part.extra
                if example == nil { example = part.example }
                repeated.formUnion(part.repeated)
                for w in 0..<workerCount { workerOffsets[w + 1] += part.workerCounts[w] }
            }
            for w in 0..<workerCount { workerOffsets[w + 1] += workerOffsets[w] }
            byWorker = CSRView.deferred(rows: worker, offsets: workerOffsets, other: task, label: label, labelCount: k)
            duplicates = DuplicateReport(pairs: pairs, extraAnswers: extra, repeatedWorkers: repeated,
                                         example: example.map { (tasks.name($0.task), workers.name($0.worker)) })
            return
        }
        if parallel {
            final class Slots: @unchecked Sendable {
                var byTask: CSRView?, duplicates: DuplicateReport?, byWorker: CSRView?
            }
            let slots = Slots()
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                if part == 0 {
                    let view = CSRView(rows: task, rowCount: taskCount, other: worker, label: label, labelCount: k)
                    slots.duplicates = DuplicateReport(byTask: view, workerCount: workerCount, tasks: tasks, workers: workers)
                    slots.byTask = view
                } else {
                    slots.byWorker = CSRView.deferred(rows: worker, rowCount: workerCount, other: task, label: label, labelCount: k)
                }
            }
            byTask = slots.byTask!
            byWorker = slots.byWorker!
            duplicates = slots.duplicates!
        } else {
            byTask = CSRView(rows: task, rowCount: taskCount, other: worker, label: label, labelCount: k)
            byWorker = CSRView.deferred(rows: worker, rowCount: workerCount, other: task, label: label, labelCount: k)
            duplicates = DuplicateReport(byTask: byTask, workerCount: workerCount, tasks: tasks, workers: workers)
        }
    }

    /// The task view of task-sorted answers, with the parts' duplicate and worker counts; `nil`
    /// (after reading up to the first decrease) when the task ids decrease somewhere.
    private static func sorted(task: [Int32], worker: [Int32], label: [Int32], taskCount: Int, workerCount: Int, k: Int,
                               parallel: Bool) -> (offsets: [Int], entries: [Int32], parts: [SortedRowsPart])? {
        let n = task.count
        // The split: the first answer of the task nearest after the middle.
        var middle = n / 2
        if parallel {
            task.withUnsafeBufferPointer { t in
                while middle > 0, middle < n, t[middle] == t[middle - 1] { middle += 1 }
            }
        }
        let ranges = parallel && middle > 0 && middle < n ? [0..<middle, middle..<n] : [0..<n]
        final class Results: @unchecked Sendable {
            var first: SortedRowsPart?, second: SortedRowsPart?
        }
        let results = Results()
        var entries: [Int32] = []
        let offsets: [Int] = task.withUnsafeBufferPointer { t in
            worker.withUnsafeBufferPointer { w in
                label.withUnsafeBufferPointer { l in
                    FreshArray.uninitialized(taskCount + 1) { o in
                        entries = FreshArray.uninitialized(n) { e in
                            let shared = UncheckedSendable((t, w, l, o, e))
                            let run: @Sendable (Int) -> Void = { p in
                                let (t, w, l, o, e) = shared.value
                                let part = SortedRowsPart(rows: t, other: w, label: l, range: ranges[p], rowCount: taskCount,
                                                          labelCount: k, offsets: o, entries: e, workers: workerCount)
                                if p == 0 { results.first = part } else { results.second = part }
                            }
                            if ranges.count > 1 {
                                DispatchQueue.concurrentPerform(iterations: ranges.count, execute: run)
                            } else {
                                run(0)
                            }
                        }
                    }
                }
            }
        }
        let parts = [results.first, results.second].compactMap { $0 }
        guard parts.count == ranges.count else { return nil }
        // The second half's first task must not come before the first half's last.
        if ranges.count > 1, task[middle] < task[middle - 1] { return nil }
        return (offsets, entries, parts)
    }
}

/// One range of task-sorted answers, read once: their slice of the task view (offsets and fused
/// entries) and, when `workers` > 0, their repeated (task, worker) pairs and answers per worker.
/// A range must start at a task's first answer for the pairs to be counted right.
struct SortedRowsPart {
    /// Repeated pairs, answers beyond the first, the first repeated pair (ids), the workers concerned.
    var pairs = 0, extra = 0
    var example: (task: Int32, worker: Int32)?
    var repeated = Set<Int32>()
    /// Answers per worker id in this range (empty when `workers` is 0).
    var workerCounts: [Int] = []

    /// Fills `entries[range]` and the offsets of the rows this range ends (from the row after the
    /// one before the range through its last row, and through `rowCount` when the range ends the
    /// answers); `nil` when a row id in the range is below the one before it.
    init?(rows: UnsafeBufferPointer<Int32>, other: UnsafeBufferPointer<Int32>, label: UnsafeBufferPointer<Int32>, range: Range<Int>,
          rowCount: Int, labelCount k: Int, offsets o: UnsafeMutableBufferPointer<Int>, entries e: UnsafeMutableBufferPointer<Int32>,
          workers: Int) {
        let k32 = Int32(k)
        var next = range.lowerBound == 0 ? 0 : Int(rows[range.lowerBound - 1]) + 1
        var previous: Int32 = range.lowerBound == 0 ? Int32.min : rows[range.lowerBound - 1]
        // No row above the range's last (else the ids decrease later): the offsets written stay
        // inside this range's share, so parts never write the same offset.
        let last = range.isEmpty ? Int32.max : rows[range.upperBound - 1]
        if workers > 0 {
            var counts = [Int](repeating: 0, count: workers)
            let found = DuplicateTally.counting(workers: workers) { duplicates -> DuplicateTally.Found? in
                let ok = counts.withUnsafeMutableBufferPointer { counts -> Bool in
                    for i in range {
                        let row = rows[i]
                        if row < previous || row > last { return false }
                        previous = row
                        while next <= Int(row) { o[next] = i; next += 1 }
                        let w = other[i]
                        e[i] = w &* k32 &+ label[i]
                        counts[Int(w)] += 1
                        duplicates.note(task: row, worker: w)
                    }
                    return true
                }
                return ok ? duplicates.found : nil
            }
            guard let found else { return nil }
            (self.pairs, self.extra, self.example, self.repeated, workerCounts) = (found.pairs, found.extra, found.example, found.repeated, counts)
        } else {
            for i in range {
                let row = rows[i]
                if row < previous || row > last { return nil }
                previous = row
                while next <= Int(row) { o[next] = i; next += 1 }
                e[i] = other[i] &* k32 &+ label[i]
            }
        }
        if range.upperBound == rows.count {
            while next <= rowCount { o[next] = rows.count; next += 1 }
        }
    }

    /// The task view of `rows` (all of them, task-sorted) without the counts; `nil` when unsorted.
    init?(rows: [Int32], range: Range<Int>, rowCount: Int, other: [Int32], label: [Int32], labelCount k: Int, workers: Int) {
        var part: SortedRowsPart?
        var entries: [Int32] = []
        let offsets: [Int] = rows.withUnsafeBufferPointer { r in
            other.withUnsafeBufferPointer { w in
                label.withUnsafeBufferPointer { l in
                    FreshArray.uninitialized(rowCount + 1) { o in
                        entries = FreshArray.uninitialized(rows.count) { e in
                            part = SortedRowsPart(rows: r, other: w, label: l, range: range, rowCount: rowCount, labelCount: k,
                                                  offsets: o, entries: e, workers: workers)
                        }
                    }
                }
            }
        }
        guard var part else { return nil }
        part.offsets = offsets
        part.entries = entries
        self = part
    }

    /// The built arrays, set only by ``init(rows:range:rowCount:other:label:labelCount:workers:)``.
    var offsets: [Int] = []
    var entries: [Int32] = []
}
