import Foundation
import Testing
@testable import TallyCore
import TallyTestSupport

/// The parallel reader's one-pass table build (``ParallelDelimitedReader/assemble(_:file:path:threads:)``:
/// columns, the task view scattered at per-chunk cursors, worker counts, duplicates by task
/// ranges) against the one-thread reader, on files with repeated (task, worker) pairs, labels
/// whose ``LabelSet`` order differs from their first appearance, and 2, 3 or 4 labels.
@Suite("parallel reading: the table built in one pass per chunk")
struct ParallelAssembleTests {
    /// A shuffled-looking file of `rows` answers over `tasks` tasks and `workers` workers with
    /// labels from `labels`; every 7th row repeats the pair of the row before it.
    static func text(rows: Int, tasks: Int, workers: Int, labels: [String], seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        var out = "task\tworker\tlabel\n"
        var last = ("", "")
        for r in 0..<rows {
            let pair = r % 7 == 6 ? last : ("task-\(Int(rng.next() % UInt64(tasks)))", "w\(Int(rng.next() % UInt64(workers)))")
            out += "\(pair.0)\t\(pair.1)\t\(labels[Int(rng.next() % UInt64(labels.count))])\n"
            last = pair
        }
        return out
    }

    @Test("ids, columns, views and the whole duplicate report equal a one-thread read", arguments: [
        ["yes", "no"], ["10", "9", "2"], ["c", "b", "a", "d"],
    ])
    func sameTable(_ labels: [String]) throws {
        try withTempDirectory { dir in
            let path = try writeFile(dir, "answers.tsv", Self.text(rows: 40_000, tasks: 3_000, workers: 97, labels: labels, seed: 17))
            let expected = try ParallelDelimitedReaderTests.sequential(path)
            #expect(expected.duplicates.pairs > 0)
            for threads in [2, 3, 4] {
                let table = try #require(try ParallelDelimitedReaderTests.parallel(path, threads: threads))
                ParallelDelimitedReaderTests.expectSame(table, expected, "\(labels), \(threads) chunks")
                #expect(table.duplicates.repeatedWorkers == expected.duplicates.repeatedWorkers, "\(threads) chunks: repeated workers")
                #expect(table.duplicates.extraAnswers == expected.duplicates.extraAnswers)
            }
        }
    }

    @Test("duplicates counted by two task ranges equal the one-thread count", arguments: [2, 3, 4])
    func duplicatesByRanges(_ k: Int) throws {
        var rng = SplitMix64(seed: UInt64(k))
        let n = 200_000, taskCount = 20_000, workerCount = 300
        var task: [Int32] = [], worker: [Int32] = [], label: [Int32] = []
        for i in 0..<n {
            if i % 11 == 10 {
                task.append(task[i - 1])
                worker.append(worker[i - 1])
            } else {
                task.append(Int32(rng.next() % UInt64(taskCount)))
                worker.append(Int32(rng.next() % UInt64(workerCount)))
            }
            label.append(Int32(rng.next() % UInt64(k)))
        }
        let tasks = Interner((0..<taskCount).map { "t\($0)" }), workers = Interner((0..<workerCount).map { "w\($0)" })
        let view = CSRView(rows: task, rowCount: taskCount, other: worker, label: label, labelCount: k)
        let one = DuplicateReport(byTask: view, workerCount: workerCount, tasks: tasks, workers: workers)
        let two = DuplicateReport(offsets: view.offsets, entries: view.entries, labelCount: k, workerCount: workerCount,
                                  tasks: tasks, workers: workers, threads: 2)
        #expect(one.pairs > 0)
        #expect(two == one)
        #expect(two.extraAnswers == one.extraAnswers && two.repeatedWorkers == one.repeatedWorkers)
    }
}
