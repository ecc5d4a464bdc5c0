import Foundation
import Testing
@testable import TallyCore
import TallyTestSupport

@Suite("ResultWriter")
struct ResultWriterTests {
    static let taskNames = ["plain", "tab\there", "comma,here", "quote\"here", "new\nline", "back\\slash", "ctl\u{1}", "é 日本"]

    /// One answer per task, labels "x,y" (a comma) and "q" so that headers need quoting too.
    static func table() throws -> AnswerTable {
        let n = taskNames.count
        return try AnswerTable(tasks: taskNames, workers: Array(repeating: "w\t1", count: n), labels: (0..<n).map { $0 % 2 == 0 ? "q" : "x,y" })
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("labels as TSV: RFC 4180 quoting of tabs, quotes and line breaks")
    func labelsTSV() throws {
        let t = try Self.table()
        let labels = (0..<t.taskCount).map { Int32($0 % 2) }    // "q", "x,y", …
        let out = Self.text(ResultWriter.labels(t, labels, format: .tsv))
        #expect(out == """
            task\tlabel
            plain\tq
            "tab\there"\tx,y
            comma,here\tq
            "quote""here"\tx,y
            "new
            line"\tq
            back\\slash\tx,y
            ctl\u{1}\tq
            é 日本\tx,y

            """)
    }

    @Test("labels as CSV: commas and quotes quoted")
    func labelsCSV() throws {
        let t = try Self.table()
        let labels = (0..<t.taskCount).map { Int32($0 % 2) }
        let out = Self.text(ResultWriter.labels(t, labels, format: .csv))
        #expect(out == """
            task,label
            plain,q
            tab\there,"x,y"
            "comma,here",q
            "quote""here","x,y"
            "new
            line",q
            back\\slash,"x,y"
            ctl\u{1},q
            é 日本,"x,y"

            """)
    }

    @Test("labels written as TSV/CSV read back through the gold reader", arguments: [OutputFormat.tsv, .csv])
    func roundTrip(format: OutputFormat) throws {
        let t = try Self.table()
        let labels = (0..<t.taskCount).map { Int32($0 % 2) }
        let bytes = ResultWriter.labels(t, labels, format: format)
        let gold = try withTempDirectory { dir in
            try GoldReader.read(try writeFile(dir, "labels.\(format.rawValue)", bytes))
        }
        #expect(gold.entries.map(\.task) == Self.taskNames)
        #expect(gold.entries.map(\.label) == labels.map { t.labels[Int($0)] })
    }

    @Test("labels rendered in parts on several threads: the same bytes as TextBuffer writes", arguments: [OutputFormat.tsv, .csv])
    func labelsInParts(format: OutputFormat) throws {
        // 150,000 tasks: past the 131,072 at which the parts start; names that need quotes spread over all parts.
        let names = ["plain", "tab\tin", "comma,in", "q\"uo\"te", "line\nbreak", "é 日本"]
        let tasks = (0..<150_000).map { names[($0 * 7) % names.count] + "\($0)" }
        let table = try AnswerTable(tasks: tasks, workers: tasks.map { _ in "w" }, labels: tasks.indices.map { $0 % 3 == 0 ? "x,y" : "q" })
        let labels = (0..<table.taskCount).map { Int32(($0 * 5) % table.labelCount) }
        let reference = TextBuffer.labelsFile(table, labels, format: format)
        for threads in [1, 2, 3] {
            #expect(ResultWriter.labels(table, labels, format: format, threads: threads) == reference, "threads \(threads)")
        }
    }

    @Test("labels as JSON: escaping")
    func labelsJSON() throws {
        let t = try AnswerTable(tasks: ["a\"b", "c\\d", "e\nf\tg\r", "h\u{1}\u{1F}", "é"], workers: ["w", "w", "w", "w", "w"], labels: ["1", "2", "1", "2", "1"])
        let out = Self.text(ResultWriter.labels(t, [0, 1, 0, 1, 0], format: .json))
        #expect(out == #"""
            [
              {"task": "a\"b", "label": "1"},
              {"task": "c\\d", "label": "2"},
              {"task": "e\nf\tg\r", "label": "1"},
              {"task": "h\u0001\u001f", "label": "2"},
              {"task": "é", "label": "1"}
            ]

            """#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: String]])
        #expect(parsed.map { $0["task"]! } == ["a\"b", "c\\d", "e\nf\tg\r", "h\u{1}\u{1F}", "é"])
        #expect(parsed.map { $0["label"]! } == ["1", "2", "1", "2", "1"])
    }

    static let awkward: [Double] = [0.1, 1.0 / 3.0, 2.0 / 3.0, 1e-300, Double.leastNonzeroMagnitude, 0.30000000000000004, 1 - 1e-16, 123456789.125, 0, 1]

    @Test("probabilities as TSV: task then labels in label order; numbers round-trip")
    func probabilitiesTSV() throws {
        let n = Self.awkward.count / 2
        let t = try AnswerTable(tasks: (0..<n).map { "t\($0)" }, workers: Array(repeating: "w", count: n), labels: (0..<n).map { $0 % 2 == 0 ? "10" : "9" })
        #expect(t.labels.names == ["9", "10"])
        let p = ProbabilityMatrix(rows: n, columns: 2, values: Self.awkward)
        let out = Self.text(ResultWriter.probabilities(t, p, format: .tsv))
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "task\t9\t10")
        #expect(lines.last == "")
        #expect(lines.count == n + 2)
        for r in 0..<n {
            let f = lines[r + 1].split(separator: "\t").map(String.init)
            #expect(f.count == 3)
            #expect(f[0] == "t\(r)")
            #expect(Double(f[1]) == Self.awkward[2 * r], "exact round trip of \(Self.awkward[2 * r])")
            #expect(Double(f[2]) == Self.awkward[2 * r + 1], "exact round trip of \(Self.awkward[2 * r + 1])")
        }
    }

    @Test("probabilities as CSV: a label with a comma is quoted in the header")
    func probabilitiesCSVHeader() throws {
        let t = try AnswerTable(tasks: ["t"], workers: ["w"], labels: ["a,b"])
        let out = Self.text(ResultWriter.probabilities(t, ProbabilityMatrix(rows: 1, columns: 1, values: [1]), format: .csv))
        #expect(out == "task,\"a,b\"\nt,1.0\n")
    }

    @Test("probabilities as JSON: an object per task; numbers round-trip; NaN is null")
    func probabilitiesJSON() throws {
        let t = try AnswerTable(tasks: ["t1", "t\"2"], workers: ["w", "w"], labels: ["b", "a\"q"])
        let p = ProbabilityMatrix(rows: 2, columns: 2, values: [0.1, 0.9, .nan, 1.0 / 3.0])
        let out = Self.text(ResultWriter.probabilities(t, p, format: .json))
        #expect(out == """
            [
              {"task": "t1", "probabilities": {"a\\"q": 0.1, "b": 0.9}},
              {"task": "t\\"2", "probabilities": {"a\\"q": null, "b": 0.3333333333333333}}
            ]

            """)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        let second = try #require(parsed[1]["probabilities"] as? [String: Any])
        #expect((second["b"] as? NSNumber)?.doubleValue == 1.0 / 3.0)
        #expect(second["a\"q"] is NSNull)
    }

    @Test("skills: TSV, CSV and JSON; NaN is nan in text and null in JSON")
    func skills() throws {
        let t = try AnswerTable(tasks: ["t", "t", "t"], workers: ["w1", "w,2", "w\"3"], labels: ["a", "a", "a"])
        let s = [0.75, .nan, 2.0 / 3.0]
        #expect(Self.text(ResultWriter.skills(t, s, format: .tsv)) == "worker\tskill\nw1\t0.75\nw,2\tnan\n\"w\"\"3\"\t0.6666666666666666\n")
        #expect(Self.text(ResultWriter.skills(t, s, format: .csv)) == "worker,skill\nw1,0.75\n\"w,2\",nan\n\"w\"\"3\",0.6666666666666666\n")
        let json = Self.text(ResultWriter.skills(t, s, format: .json))
        #expect(json == """
            [
              {"worker": "w1", "skill": 0.75},
              {"worker": "w,2", "skill": null},
              {"worker": "w\\"3", "skill": 0.6666666666666666}
            ]

            """)
        #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(json.utf8)) }
    }

    @Test("JSON numbers round-trip exactly")
    func jsonNumbersRoundTrip() throws {
        let n = Self.awkward.count
        let t = try AnswerTable(tasks: Array(repeating: "t", count: n), workers: (0..<n).map { "w\($0)" }, labels: Array(repeating: "a", count: n))
        let json = Self.text(ResultWriter.skills(t, Self.awkward, format: .json))
        // Valid JSON with one object per worker…
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(parsed.count == n)
        // …whose number tokens read back (with Swift's exact parser; Foundation's JSON parser on
        // Linux rounds some 17-digit numbers) to the very same Doubles.
        let tokens = json.split(separator: "\n").compactMap { line -> String? in
            guard let r = line.range(of: "\"skill\": ") else { return nil }
            return String(line[r.upperBound...].prefix { $0 != "}" })
        }
        #expect(tokens.count == n)
        for (i, token) in tokens.enumerated() {
            #expect(token.allSatisfy { "0123456789.-+e".contains($0) }, "JSON number syntax: \(token)")
            #expect(Double(token) == Self.awkward[i], "skill \(i): \(token) vs \(Self.awkward[i])")
        }
    }

    @Test("output format from a path's extension", arguments: [
        ("out.tsv", OutputFormat.tsv), ("OUT.TSV", .tsv), ("a.txt", .tsv), ("a.csv", .csv), ("dir.json/a.CSV", .csv), ("x.json", .json),
    ] as [(String, OutputFormat)])
    func formatFromExtension(path: String, format: OutputFormat) {
        #expect(OutputFormat(pathExtensionOf: path) == format)
    }

    @Test("no format for other extensions", arguments: ["out", "-", "a.tsv.gz", "a.jsonl", "csv"])
    func noFormat(path: String) {
        #expect(OutputFormat(pathExtensionOf: path) == nil)
    }
}

extension TextBuffer {
    /// The labels file `ResultWriter.labels` must write, made the plain way: a header, then each
    /// task's record field by field.
    static func labelsFile(_ table: AnswerTable, _ labels: [Int32], format: OutputFormat) -> [UInt8] {
        var expected = TextBuffer(format: format)
        expected.header(["task", "label"])
        for t in 0..<table.taskCount {
            expected.beginRecord()
            expected.field("task", table.tasks.name(Int32(t)))
            expected.field("label", table.labels[Int(labels[t])])
            expected.endRecord()
        }
        return expected.finish()
    }
}
