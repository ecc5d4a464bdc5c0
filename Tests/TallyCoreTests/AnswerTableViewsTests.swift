import Dispatch
import Testing
@testable import TallyCore

/// The views an ``AnswerTable`` builds in one pass (task-sorted answers, split in two halves on
/// two threads) or by counting sort, the deferred worker view, and the duplicate count, each
/// checked against a definition computed here; and the labels writer against ``TextBuffer``.
@Suite("AnswerTable views: one pass, two halves, deferred worker view")
struct AnswerTableViewsTests {
    /// The view by definition: rows in id order, input order within a row.
    static func reference(rows: [Int32], rowCount: Int, other: [Int32], label: [Int32], k: Int) -> (offsets: [Int], entries: [Int32]) {
        var buckets = [[Int32]](repeating: [], count: rowCount)
        for i in rows.indices { buckets[Int(rows[i])].append(other[i] * Int32(k) + label[i]) }
        var offsets = [0]
        for b in buckets { offsets.append(offsets.last! + b.count) }
        return (offsets, buckets.flatMap { $0 })
    }

    /// Repeated pairs by definition: (pairs, extra answers, first repeated pair in task order by ids).
    static func duplicates(task: [Int32], worker: [Int32], taskCount: Int) -> (Int, Int, (Int32, Int32)?, Set<Int32>) {
        var perTask = [[Int32]](repeating: [], count: taskCount)
        for i in task.indices { perTask[Int(task[i])].append(worker[i]) }
        var pairs = 0, extra = 0
        var example: (Int32, Int32)?
        var repeated = Set<Int32>()
        for (t, ws) in perTask.enumerated() {
            var count: [Int32: Int] = [:]
            for w in ws {
                count[w, default: 0] += 1
                if count[w]! >= 2 {
                    extra += 1
                    repeated.insert(w)
                    if count[w]! == 2 { pairs += 1 }
                    if example == nil { example = (Int32(t), w) }
                }
            }
        }
        return (pairs, extra, example, repeated)
    }

    /// 200,000 answers over 20,000 tasks, 300 workers and 3 labels, some (task, worker) pairs
    /// repeated (also across the middle, where the halves split), task-sorted or shuffled.
    static func columns(sorted: Bool) -> (task: [Int32], worker: [Int32], label: [Int32]) {
        var rng = SplitMix64(seed: 17)
        var task: [Int32] = [], worker: [Int32] = [], label: [Int32] = []
        for t in 0..<20_000 {
            for _ in 0..<10 {
                task.append(Int32(t))
                worker.append(Int32(rng.next() % 300))
                label.append(Int32(rng.next() % 3))
            }
        }
        if !sorted {
            var order = Array(task.indices)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            (task, worker, label) = (order.map { task[$0] }, order.map { worker[$0] }, order.map { label[$0] })
        }
        return (task, worker, label)
    }

    /// The table of these ids with names "t<id>" and "w<id>"; ids are first-appearance ids only
    /// for the sorted columns, which is all the views need.
    static func table(_ c: (task: [Int32], worker: [Int32], label: [Int32]), threads: Int) -> AnswerTable {
        let tasks = Interner((0..<20_000).map { "t\($0)" }), workers = Interner((0..<300).map { "w\($0)" })
        return AnswerTable(tasks: tasks, workers: workers, labels: LabelSet(["a", "b", "c"]), task: c.task, worker: c.worker, label: c.label, threads: threads)
    }

    @Test("task view, deferred worker view and duplicates equal their definitions", arguments: [(true, 1), (true, 2), (false, 1), (false, 2)])
    func viewsMatchDefinitions(sorted: Bool, threads: Int) {
        let c = Self.columns(sorted: sorted)
        let table = Self.table(c, threads: threads)
        let byTask = Self.reference(rows: c.task, rowCount: 20_000, other: c.worker, label: c.label, k: 3)
        #expect(table.byTask.offsets == byTask.offsets)
        #expect(table.byTask.entries == byTask.entries)
        #expect(!table.byWorker.entriesBuilt, "the worker view's entries wait for a reader")
        let byWorker = Self.reference(rows: c.worker, rowCount: 300, other: c.task, label: c.label, k: 3)
        #expect(table.byWorker.offsets == byWorker.offsets)
        #expect(table.byWorker.entries == byWorker.entries)
        #expect(table.byWorker.entriesBuilt)
        let (pairs, extra, example, repeated) = Self.duplicates(task: c.task, worker: c.worker, taskCount: 20_000)
        #expect(pairs > 0)
        #expect(table.duplicates.pairs == pairs)
        #expect(table.duplicates.extraAnswers == extra)
        #expect(table.duplicates.repeatedWorkers == repeated)
        #expect(table.duplicates.example?.task == example.map { "t\($0.0)" })
        #expect(table.duplicates.example?.worker == example.map { "w\($0.1)" })
    }

    @Test("the deferred worker view read from eight threads at once is built once, the same for all")
    func deferredConcurrentReads() {
        let c = Self.columns(sorted: true)
        let table = Self.table(c, threads: 2)
        let expected = Self.reference(rows: c.worker, rowCount: 300, other: c.task, label: c.label, k: 3).entries
        let ok = UnsafeMutablePointer<Bool>.allocate(capacity: 8)
        ok.initialize(repeating: false, count: 8)
        defer { ok.deallocate() }
        let slots = UncheckedSendable(ok)
        let view = table.byWorker
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            slots.value[i] = view.entries == expected
        }
        #expect(Array(UnsafeBufferPointer(start: ok, count: 8)) == [Bool](repeating: true, count: 8))
    }

    @Test("a decrease at the split of the two halves falls back to the counting sort")
    func decreaseAtTheSplit() {
        // Sorted halves, the second starting below the first's end.
        var task: [Int32] = [], worker: [Int32] = [], label: [Int32] = []
        for half in 0..<2 {
            for t in 0..<10_000 {
                for j in 0..<5 {
                    task.append(Int32(half == 0 ? 10_000 + t : t))
                    worker.append(Int32((t + j) % 300))
                    label.append(Int32(j % 3))
                }
            }
        }
        let table = Self.table((task, worker, label), threads: 2)
        let byTask = Self.reference(rows: task, rowCount: 20_000, other: worker, label: label, k: 3)
        #expect(table.byTask.offsets == byTask.offsets)
        #expect(table.byTask.entries == byTask.entries)
    }

    @Test("labels as TSV and CSV: byte for byte what TextBuffer writes, names that need quotes included", arguments: [OutputFormat.tsv, .csv])
    func labelsAsTextBuffer(format: OutputFormat) throws {
        let names = ["plain", "tab\tin", "comma,in", "q\"uo\"te", "line\nbreak", "car\rret", "", "é 日本", "\"", "x"]
        let tasks = (0..<1_000).map { names[$0 % names.count] + "\($0)" }
        let labelNames = ["yes", "no,maybe", "a\tb", "\"q\""]
        let table = try AnswerTable(tasks: tasks, workers: tasks.map { _ in "w" }, labels: tasks.indices.map { labelNames[$0 % 4] })
        let labels = (0..<table.taskCount).map { Int32(($0 * 7) % table.labelCount) }
        #expect(ResultWriter.labels(table, labels, format: format) == TextBuffer.labelsFile(table, labels, format: format))
    }
}
