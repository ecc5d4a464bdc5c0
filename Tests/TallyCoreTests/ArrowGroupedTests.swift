import Foundation
import Testing
@testable import TallyCore
import TallyTestSupport

/// Arrow files Tally writes grouped by task (`tally convert`'s default): the reader takes the
/// dictionaries' order as ids, so the table read back has the ids, names, task view and worker
/// counts of the source, on shuffled answers and across record batches.
@Suite struct ArrowGroupedTests {
    /// `rows` answers over shuffled tasks, with repeats, several labels and numeric or named labels.
    static func text(rows: Int, numeric: Bool, seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        var out = "task\tworker\tlabel\n"
        for _ in 0..<rows {
            let t = rng.next() % 97, w = rng.next() % 23, l = rng.next() % 3
            out += "task-\(t * 7919 % 97)\tworker \(w)\t\(numeric ? "\(Int(l) * 5 - 3)" : ["no", "yes", "maybe"][Int(l)])\n"
        }
        return out
    }

    struct SplitMix64 {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("grouped files read back with the source's ids, names, task view and worker counts",
          arguments: [(1, false), (7, true), (64, false), (1 << 20, true)])
    func groupedRoundTrip(rowsPerBatch: Int, numeric: Bool) throws {
        try withTempDirectory { dir in
            let tsv = try writeFile(dir, "a.tsv", Self.text(rows: 1_500, numeric: numeric, seed: UInt64(rowsPerBatch)))
            let source = try AnswerReader.read(tsv).table
            let path = dir.appendingPathComponent("g.arrow").path
            try ArrowWriter.write(source, to: path, rowsPerBatch: rowsPerBatch, groupByTask: true)
            #expect(try ArrowFile(path: path).metadata[ArrowWriter.taskGroupedKey] == ArrowWriter.taskGroupedValue)
            for threads in [1, 2] {
                var options = AnswerReadOptions()
                options.execution.threads = threads
                let back = try AnswerReader.read(path, options: options).table
                #expect(back.tasks.names == source.tasks.names && back.workers.names == source.workers.names)
                #expect(back.labels == source.labels)
                #expect(back.byTask.offsets == source.byTask.offsets && back.byTask.entries == source.byTask.entries)
                #expect(back.byWorker.offsets == source.byWorker.offsets)
                #expect(back.duplicates == source.duplicates)
                // The rows are the source's, grouped: task ids never decrease.
                #expect(zip(back.task, back.task.dropFirst()).allSatisfy { $0 <= $1 })
                #expect(triples(back).sorted { $0.lexicographicallyPrecedes($1) } == triples(source).sorted { $0.lexicographicallyPrecedes($1) })
            }
            // Written in input order, the file has no such key and reads as before.
            let plain = dir.appendingPathComponent("p.arrow").path
            try ArrowWriter.write(source, to: plain, rowsPerBatch: rowsPerBatch)
            #expect(try ArrowFile(path: plain).metadata[ArrowWriter.taskGroupedKey] == nil)
            let back = try AnswerReader.read(plain).table
            #expect(back.task == source.task && back.worker == source.worker && back.label == source.label)
        }
    }

    @Test("grouped rows without Tally's key still get ids by first appearance in the file")
    func groupedWithoutKey() throws {
        try withTempDirectory { dir in
            let tsv = try writeFile(dir, "a.tsv", "task\tworker\tlabel\na\tw1\t1\nb\tw2\t0\na\tw3\t1\n")
            let source = try AnswerReader.read(tsv).table
            // The same rows grouped by task, written with no metadata: a foreign file.
            let rows = [[0, 0, 1], [0, 2, 1], [1, 1, 0]].map { $0.map(Int32.init) }
            let path = dir.appendingPathComponent("f.arrow").path
            let writer = try ArrowAnswerWriter(path: path, tasks: ArrowNames(source.tasks), workers: ArrowNames(source.workers),
                                               labels: .dictionary(ArrowNames(Interner(source.labels.names))), batchRows: [3])
            for c in 0..<3 {
                try rows.map { $0[c] }.withUnsafeBytes { try writer.write(batch: 0, column: c, firstRow: 0, $0) }
            }
            try writer.finish()
            let back = try AnswerReader.read(path).table
            #expect(source.workers.names == ["w1", "w2", "w3"])
            #expect(back.tasks.names == ["a", "b"])
            #expect(back.workers.names == ["w1", "w3", "w2"], "first appearance in the grouped rows")
        }
    }

    @Test("Tally's key on rows that are not grouped: ids from the dictionaries, the views sorted as usual")
    func keyWithoutGrouping() throws {
        try withTempDirectory { dir in
            let tsv = try writeFile(dir, "a.tsv", Self.text(rows: 600, numeric: false, seed: 9))
            let source = try AnswerReader.read(tsv).table
            let path = dir.appendingPathComponent("k.arrow").path
            let writer = try ArrowAnswerWriter(path: path, tasks: ArrowNames(source.tasks), workers: ArrowNames(source.workers),
                                               labels: .dictionary(ArrowNames(Interner(source.labels.names))), batchRows: [250, 250, 100],
                                               metadata: [(ArrowWriter.taskGroupedKey, ArrowWriter.taskGroupedValue)])
            for (b, start) in [0, 250, 500].enumerated() {
                let n = [250, 250, 100][b]
                for (c, column) in [source.task, source.worker, source.label].enumerated() {
                    try Array(column[start..<start + n]).withUnsafeBytes { try writer.write(batch: b, column: c, firstRow: 0, $0) }
                }
            }
            try writer.finish()
            let back = try AnswerReader.read(path).table
            #expect(back.task == source.task && back.worker == source.worker && back.label == source.label)
            #expect(back.byTask.entries == source.byTask.entries && back.byWorker.entries == source.byWorker.entries)
            #expect(back.tasks.names == source.tasks.names && back.workers.names == source.workers.names)
            // The deferred hash table answers lookups.
            for (id, name) in source.tasks.names.enumerated() { #expect(back.tasks.lookup(name) == Int32(id)) }
            #expect(back.tasks.lookup("no such task") == nil)
        }
    }
}
