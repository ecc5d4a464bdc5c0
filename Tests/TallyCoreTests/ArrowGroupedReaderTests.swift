import Foundation
import Testing
@testable import TallyCore
import TallyTestSupport

/// ``ArrowGroupedReader``: Tally's task-grouped files read in one pass give the table (columns,
/// views, duplicate count, names) of the source; a file it does not recognise is left to the
/// general reader.
@Suite struct ArrowGroupedReaderTests {
    /// 4,000 answers over 300 shuffled tasks, 40 workers (repeats included) and named labels.
    static func source(_ dir: URL) throws -> AnswerTable {
        var rng = SplitMix64(seed: 29)
        var text = "task\tworker\tlabel\n"
        for _ in 0..<4_000 {
            let t = rng.next() % 300, w = rng.next() % 40, l = rng.next() % 3
            text += "task \(t * 131 % 300)\tw\(w)\t\(["no", "yes", "maybe"][Int(l)])\n"
        }
        return try AnswerReader.read(try writeFile(dir, "a.tsv", text)).table
    }

    @Test("one pass over a grouped file gives the source's table, on one thread and on two", arguments: [1, 2])
    func sameTableAsSource(threads: Int) throws {
        try withTempDirectory { dir in
            let source = try Self.source(dir)
            let path = dir.appendingPathComponent("g.arrow").path
            try ArrowWriter.write(source, to: path, rowsPerBatch: 700, groupByTask: true)
            let arrow = try ArrowFile(path: path)
            let back = try #require(try ArrowGroupedReader.read(arrow, columns: [0, 1, 2], total: source.answerCount, threads: threads))
            #expect(back.tasks.names == source.tasks.names && back.workers.names == source.workers.names)
            #expect(back.labels == source.labels)
            #expect(back.byTask.offsets == source.byTask.offsets && back.byTask.entries == source.byTask.entries)
            #expect(back.byWorker.offsets == source.byWorker.offsets)
            #expect(!back.byWorker.entriesBuilt)
            // Nothing but the task view exists yet: the columns and the worker view come on first read,
            // and the worker view is scattered from the task view without making the columns.
            #expect(!back.columnsBuilt && back.answerCount == source.answerCount)
            let workerEntries = back.byWorker.entries
            #expect(!back.columnsBuilt)
            // The worker view of the grouped rows: tasks in id order within each worker.
            let expected = AnswerTableViewsTests.reference(rows: back.worker, rowCount: back.workerCount, other: back.task,
                                                           label: back.label, k: back.labelCount)
            #expect(back.columnsBuilt && workerEntries == expected.entries && back.byWorker.entries == expected.entries)
            #expect(back.duplicates == source.duplicates && back.duplicates.pairs > 0)
            #expect(back.duplicates.repeatedWorkers == source.duplicates.repeatedWorkers)
            // The columns are the grouped rows: each task's answers in a run, in task id order.
            var i = 0
            for t in 0..<back.taskCount {
                for e in back.byTask.entries[back.byTask.range(of: t)] {
                    #expect(back.task[i] == Int32(t) && back.worker[i] * 3 + back.label[i] == e)
                    i += 1
                }
            }
        }
    }

    @Test("an input-order file, and numeric labels (an int64 column), are left to the general reader")
    func notRecognised() throws {
        try withTempDirectory { dir in
            let source = try Self.source(dir)
            let plain = dir.appendingPathComponent("p.arrow").path
            try ArrowWriter.write(source, to: plain, rowsPerBatch: 700)
            // Input order with the key forged on: task ids decrease, so the pass gives up.
            let writer = try ArrowAnswerWriter(path: dir.appendingPathComponent("f.arrow").path, tasks: ArrowNames(source.tasks),
                                               workers: ArrowNames(source.workers), labels: .dictionary(ArrowNames(Interner(source.labels.names))),
                                               batchRows: [source.answerCount], metadata: [(ArrowWriter.taskGroupedKey, ArrowWriter.taskGroupedValue)])
            for (c, column) in [source.task, source.worker, source.label].enumerated() {
                try column.withUnsafeBytes { try writer.write(batch: 0, column: c, firstRow: 0, $0) }
            }
            try writer.finish()
            let forged = try ArrowFile(path: dir.appendingPathComponent("f.arrow").path)
            #expect(try ArrowGroupedReader.read(forged, columns: [0, 1, 2], total: source.answerCount, threads: 2) == nil)
            let numeric = try AnswerReader.read(try writeFile(dir, "n.tsv", "task\tworker\tlabel\na\tw1\t1\nb\tw2\t0\na\tw3\t1\n")).table
            let n = dir.appendingPathComponent("n.arrow").path
            try ArrowWriter.write(numeric, to: n, groupByTask: true)
            #expect(try ArrowGroupedReader.read(ArrowFile(path: n), columns: [0, 1, 2], total: 3, threads: 1) == nil)
            #expect(try AnswerReader.read(n).table.byTask.entries == numeric.byTask.entries)
        }
    }
}
