import Foundation
import Testing
@testable import TallyCore
import TallyTestSupport

/// Files of 16 MiB or more are read by two threads, one half each, then merged; the result must
/// be exactly what one thread gives.
@Suite("reading large files in two halves")
struct ParallelReadTests {
    /// About 17 MiB of answers: 200 k tasks × 4 answers, shuffled-looking order.
    static func columns(rows: Int = 800_000) -> (tasks: [String], workers: [String], labels: [String]) {
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        tasks.reserveCapacity(rows); workers.reserveCapacity(rows); labels.reserveCapacity(rows)
        var state: UInt64 = 7
        for _ in 0..<rows {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            tasks.append("task-number-\(state >> 46)")
            workers.append("worker-\((state >> 20) % 3000)")
            labels.append(["yes", "no", "maybe"][Int((state >> 8) % 3)])
        }
        return (tasks, workers, labels)
    }

    static func text(_ c: (tasks: [String], workers: [String], labels: [String])) -> String {
        var s = "task\tworker\tlabel\n"
        for i in c.tasks.indices { s += "\(c.tasks[i])\t\(c.workers[i])\t\(c.labels[i])\n" }
        return s
    }

    @Test("ids, columns and names equal a one-thread read")
    func sameAsOneThread() throws {
        let c = Self.columns()
        let expected = try AnswerTable(tasks: c.tasks, workers: c.workers, labels: c.labels)
        try withTempDirectory { dir in
            let text = Self.text(c)
            #expect(text.utf8.count >= CrowdKitFormat.parallelThreshold)
            let path = try writeFile(dir, "big.tsv", text)
            let table = try AnswerReader.read(path).table
            #expect(table.task == expected.task)
            #expect(table.worker == expected.worker)
            #expect(table.label == expected.label)
            #expect(table.tasks.names == expected.tasks.names)
            #expect(table.workers.names == expected.workers.names)
            #expect(table.labels == expected.labels)
        }
    }

    @Test("an error in the second half names its true line")
    func secondHalfLine() throws {
        let c = Self.columns()
        var lines = Self.text(c).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let bad = 700_000  // a data row well past the middle; file line = index + 1
        lines[bad] = "only-one-field"
        try withTempDirectory { dir in
            let path = try writeFile(dir, "big.tsv", lines.joined(separator: "\n"))
            let error = try #require(throws: InputError.self) { try AnswerReader.read(path) }
            #expect(error.code == .raggedRow)
            #expect(error.line == bad + 1)
        }
    }

    @Test("a quoted field with a newline across the middle falls back to one thread, correctly")
    func quotedAcrossTheMiddle() throws {
        var c = Self.columns()
        // A task name holding newlines, in the row nearest the middle of the file.
        let middle = c.tasks.count / 2
        c.tasks[middle] = "line one\nline two\nline three " + String(repeating: "x", count: 200)
        var s = "task\tworker\tlabel\n"
        for i in c.tasks.indices {
            let t = c.tasks[i].contains("\n") ? "\"\(c.tasks[i])\"" : c.tasks[i]
            s += "\(t)\t\(c.workers[i])\t\(c.labels[i])\n"
        }
        let expected = try AnswerTable(tasks: c.tasks, workers: c.workers, labels: c.labels)
        try withTempDirectory { dir in
            let path = try writeFile(dir, "big.tsv", s)
            let table = try AnswerReader.read(path).table
            #expect(table.task == expected.task)
            #expect(table.tasks.names == expected.tasks.names)
            #expect(table.answerCount == c.tasks.count)
        }
    }
}
