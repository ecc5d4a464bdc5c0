import Foundation
import Testing
import TallyCore

/// Inputs larger than the scanner's 4 MiB read chunk, and records that straddle a chunk end.
@Suite("large inputs and the 4 MiB chunk boundary")
struct LargeInputTests {
    static let chunk = 4 << 20

    /// 300k CSV rows, every 997th with a quoted task holding a comma, doubled quotes and a newline.
    static func bigCSV(rows: Int, badLastRow: Bool) -> (bytes: [UInt8], multiline: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(rows * 32)
        out.append(contentsOf: Array("task,worker,label\n".utf8))
        var multiline = 0
        for i in 0..<rows {
            let task = i % 997 == 0 ? "\"t\(i), \"\"quoted\"\"\nsecond line\"" : "t\(i)"
            if i % 997 == 0 { multiline += 1 }
            out.append(contentsOf: Array("\(task),worker-\(i % 1000),\(i % 7)\n".utf8))
        }
        if badLastRow { out.append(contentsOf: Array("tbad,worker-1\n".utf8)) }
        return (out, multiline)
    }

    static let big = bigCSV(rows: 300_000, badLastRow: false)

    static func taskName(_ i: Int) -> String { i % 997 == 0 ? "t\(i), \"quoted\"\nsecond line" : "t\(i)" }

    @Test("300k rows with quoted fields read correctly", arguments: [AnswerFormat.auto, .crowdkit])
    func threeHundredThousandRows(format: AnswerFormat) throws {
        let n = 300_000
        let (data, _) = Self.big
        #expect(data.count > Self.chunk, "the input must cross the chunk boundary")
        let table = try readAnswers(data, name: "big.csv", options: .with(format: format)).table
        #expect(table.answerCount == n)
        #expect(table.taskCount == n)
        #expect(table.workerCount == 1000)
        #expect(table.labels.names == ["0", "1", "2", "3", "4", "5", "6"])
        #expect(table.labels.isNumeric)
        for i in [0, 1, 996, 997, 998, 150_000, 190_409, 199_400, 250_001, 299_999] {
            #expect(table.tasks.name(table.task[i]) == Self.taskName(i), "task of row \(i)")
            #expect(table.workers.name(table.worker[i]) == "worker-\(i % 1000)", "worker of row \(i)")
            #expect(table.labels[Int(table.label[i])] == "\(i % 7)", "label of row \(i)")
        }
        // Every answer is where it should be (cheap: ids follow first appearance).
        #expect(table.task == (0..<Int32(n)).map { $0 })
    }

    @Test("line numbers stay right across chunks and multi-line fields")
    func lineNumbersAcrossChunks() throws {
        let n = 300_000
        let (data, multiline) = (Self.big.bytes + Array("tbad,worker-1\n".utf8), Self.big.multiline)
        let error = try readError(data, name: "big.csv")
        #expect(error.code == .raggedRow)
        #expect(error.line == 1 + n + multiline + 1)
        #expect(error.field == "label")
    }

    /// A record placed so that one of its bytes is the last byte of the first 4 MiB chunk.
    struct Straddle: Sendable, CustomTestStringConvertible {
        let name: String
        /// The record, with a line end.
        let row: String
        /// The byte of `row` that must land at offset 4 MiB − 1.
        let at: Int
        let expected: [String]
        var testDescription: String { name }
    }

    static let straddles: [Straddle] = [
        Straddle(name: "embedded newline of a quoted field", row: "\"q\nr\",wq,lq\n", at: 2, expected: ["q\nr", "wq", "lq"]),
        Straddle(name: "inside a quoted field's text", row: "\"quoted, text\",wq,lq\n", at: 5, expected: ["quoted, text", "wq", "lq"]),
        Straddle(name: "first quote of a doubled quote", row: "tq,wq,\"a\"\"b\"\n", at: 8, expected: ["tq", "wq", "a\"b"]),
        Straddle(name: "second quote of a doubled quote", row: "tq,wq,\"a\"\"b\"\n", at: 9, expected: ["tq", "wq", "a\"b"]),
        Straddle(name: "opening quote", row: "tq,wq,\"ab\"\n", at: 6, expected: ["tq", "wq", "ab"]),
        Straddle(name: "closing quote", row: "tq,wq,\"ab\"\n", at: 9, expected: ["tq", "wq", "ab"]),
        Straddle(name: "closing quote of a record ending in CRLF", row: "tq,wq,\"ab\"\r\n", at: 9, expected: ["tq", "wq", "ab"]),
        Straddle(name: "CR after a closing quote", row: "tq,wq,\"ab\"\r\n", at: 10, expected: ["tq", "wq", "ab"]),
        Straddle(name: "CR of a CRLF line end", row: "tq,wq,lq\r\n", at: 8, expected: ["tq", "wq", "lq"]),
        Straddle(name: "CR of a CRLF inside quotes", row: "\"q\r\nr\",wq,lq\r\n", at: 2, expected: ["q\r\nr", "wq", "lq"]),
        Straddle(name: "line end", row: "tq,wq,lq\n", at: 8, expected: ["tq", "wq", "lq"]),
        Straddle(name: "delimiter", row: "tq,wq,lq\n", at: 2, expected: ["tq", "wq", "lq"]),
        Straddle(name: "first byte of a record", row: "tq,wq,lq\n", at: 0, expected: ["tq", "wq", "lq"]),
        Straddle(name: "inside a two-byte UTF-8 character", row: "té,wq,lq\n", at: 1, expected: ["té", "wq", "lq"]),
        Straddle(name: "empty trailing field", row: "tq,wq,lq,\n", at: 8, expected: ["tq", "wq", "lq"]),
    ]

    /// Filler rows `f<i>,w<i % 97>,l<i % 5>` (ending in `trailing`) and the offset where each ends.
    struct Filler: Sendable {
        let bytes: [UInt8]
        let rowEnds: [Int]
        init(trailing: String) {
            var out: [UInt8] = []
            var ends: [Int] = []
            out.reserveCapacity(LargeInputTests.chunk)
            var i = 0
            while out.count < LargeInputTests.chunk {
                out.append(contentsOf: "f\(i),w\(i % 97),l\(i % 5)\(trailing)".utf8)
                ends.append(out.count)
                i += 1
            }
            bytes = out
            rowEnds = ends
        }
    }

    static let fillers = [("\n", Filler(trailing: "\n")), (",\n", Filler(trailing: ",\n"))]

    /// Filler rows, a padding row, the record under test at the right offset, then 10 rows.
    static func straddleFile(_ s: Straddle, badLastRow: Bool) -> (bytes: [UInt8], fillerRows: Int) {
        let trailing = s.row.hasSuffix(",\n") ? ",\n" : "\n"
        let header = trailing == ",\n" ? "task,worker,label,note\n" : "task,worker,label\n"
        let filler = fillers.first { $0.0 == trailing }!.1
        var out = Array(header.utf8)
        let target = chunk - 1 - s.at
        // Whole filler rows up to at most 60 bytes before the target, then one padding row.
        let rows = filler.rowEnds.firstIndex { out.count + $0 > target - 60 }!
        out.append(contentsOf: filler.bytes[0..<(rows == 0 ? 0 : filler.rowEnds[rows - 1])])
        let tail = ",wp,lp" + trailing
        let remaining = target - out.count
        out.append(contentsOf: Array(("p" + String(repeating: "x", count: remaining - tail.utf8.count - 1) + tail).utf8))
        precondition(out.count == target)
        out.append(contentsOf: Array(s.row.utf8))
        for i in 0..<10 { out.append(contentsOf: Array("after\(i),w1,l1\(trailing)".utf8)) }
        if badLastRow { out.append(contentsOf: Array("bad,,l1\(trailing)".utf8)) }
        return (out, rows + 1)
    }

    @Test("a record straddling the chunk end", arguments: straddles)
    func straddlingRecord(_ s: Straddle) throws {
        let (data, filler) = Self.straddleFile(s, badLastRow: false)
        // Read as crowd-kit explicitly: no format sniffing, so the first read is a whole chunk.
        let table = try readAnswers(data, name: "straddle.csv", options: .with(format: .crowdkit)).table
        #expect(table.answerCount == filler + 1 + 10)
        func row(_ t: AnswerTable, _ i: Int) -> [String] {
            [t.tasks.name(t.task[i]), t.workers.name(t.worker[i]), t.labels[Int(t.label[i])]]
        }
        #expect(row(table, filler) == s.expected)
        #expect(bytes(row(table, filler)) == bytes(s.expected))
        #expect(row(table, filler - 1)[1...] == ["wp", "lp"])
        #expect(row(table, filler + 1) == ["after0", "w1", "l1"])
        #expect(row(table, table.answerCount - 1) == ["after9", "w1", "l1"])
        #expect(row(table, 0) == ["f0", "w0", "l0"])
        #expect(row(table, filler - 2) == ["f\(filler - 2)", "w\((filler - 2) % 97)", "l\((filler - 2) % 5)"])
    }

    @Test("the same file read with format sniffing (chunks then fall elsewhere)")
    func straddlingRecordSniffed() throws {
        let s = Self.straddles[0]
        let (data, filler) = Self.straddleFile(s, badLastRow: false)
        let explicit = try readAnswers(data, name: "straddle.csv", options: .with(format: .crowdkit)).table
        let sniffed = try readAnswers(data, name: "straddle.csv").table
        #expect(sniffed.answerCount == filler + 1 + 10)
        #expect(sniffed.task == explicit.task)
        #expect(sniffed.worker == explicit.worker)
        #expect(sniffed.label == explicit.label)
        #expect(sniffed.tasks.name(sniffed.task[filler]) == "q\nr")
    }

    @Test("line numbers after a record straddling the chunk end", arguments: straddles.filter {
        ["embedded newline of a quoted field", "CR of a CRLF inside quotes", "closing quote", "line end"].contains($0.name)
    })
    func straddlingLineNumbers(_ s: Straddle) throws {
        let (data, filler) = Self.straddleFile(s, badLastRow: true)
        let newlinesInside = s.row.utf8.filter { $0 == 0x0A }.count - 1
        let error = try readError(data, name: "straddle.csv", options: .with(format: .crowdkit))
        #expect(error.code == .emptyField)
        #expect(error.field == "worker")
        #expect(error.line == 1 + filler + 1 + newlinesInside + 10 + 1)
    }

    @Test("a single record longer than the chunk (the buffer grows)", arguments: [false, true])
    func recordLongerThanChunk(quoted: Bool) throws {
        let long = String(repeating: quoted ? "ab,\"\"c\n" : "abcdefgh", count: (5 << 20) / 8)
        let expected = quoted ? long.replacingOccurrences(of: "\"\"", with: "\"") : long
        let cell = quoted ? "\"\(long)\"" : long
        let text = "task,worker,label\nfirst,w1,a\n\(cell),w2,b\nlast,w3,c\nbad,w4\n"
        let newlines = quoted ? (5 << 20) / 8 : 0
        let error = try readError(Array(text.utf8), name: "long.csv", options: .with(format: .crowdkit))
        #expect(error.code == .raggedRow)
        #expect(error.line == 5 + newlines)
        let good = String(text.dropLast("bad,w4\n".count))
        let table = try readAnswers(good, name: "long.csv", options: .with(format: .crowdkit)).table
        #expect(table.answerCount == 3)
        #expect(table.tasks.name(1).utf8.count == expected.utf8.count)
        #expect(table.tasks.name(1) == expected)
        #expect(triples(table)[2] == ["last", "w3", "c"])
    }
}
