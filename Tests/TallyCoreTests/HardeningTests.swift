import Foundation
import Testing
import TallyCore
import TallyTestSupport

/// Regression tests for the reader, label-order and error-message defects of issue 19 (a hostile
/// probe of the readers): each failed before its fix.
@Suite("issue 19: readers, label order, error messages")
struct HardeningTests {
    // MARK: - Defect 6: label order with integers beyond Int64

    @Test("defect 6: one integer label beyond Int64 keeps the numeric order")
    func bigIntegerLabelsStayNumeric() throws {
        let set = LabelSet(["10", "9", "99999999999999999999", "-123456789012345678901234567890", "0", "-1"])
        #expect(set.isNumeric)
        #expect(set.names == ["-123456789012345678901234567890", "-1", "0", "9", "10", "99999999999999999999"])
        // In a table, a tie on a task that never sees the big label still goes to the numerically
        // first label ("9", not "10" as in text order).
        let table = try readAnswers("task\tworker\tlabel\nt1\tw1\t10\nt1\tw2\t9\nt2\tw1\t18446744073709551616\n").table
        #expect(table.labels.names == ["9", "10", "18446744073709551616"])
    }

    // MARK: - Defect 9: error messages echo raw input

    @Test("defect 9: terminal escapes in echoed input are escaped, not passed through")
    func errorsEscapeControlCharacters() throws {
        let header = "task\tworker\t\u{1B}]0;owned\u{07}\u{1B}[2J\u{9B}31m\u{202E}x\n"
        let e = try readError(Array((header + "t1\tw1\ta\n").utf8), name: "bad.tsv")
        let text = e.description
        for bad in ["\u{1B}", "\u{07}", "\u{9B}", "\u{202E}"] {
            #expect(!text.unicodeScalars.contains { String($0) == bad }, "\(text.debugDescription)")
        }
        #expect(text.contains("\\u{1B}]0;owned\\u{07}"), "\(text.debugDescription)")
        #expect(text.hasPrefix("bad.tsv:1: field 'label': missing column"))
    }

    @Test("defect 9: a 100,000-column header gives a short message that still says what is wrong")
    func hugeHeaderIsTruncated() throws {
        let names = (0..<100_000).map { "column\($0)" }
        let e = try readError(Array((names.joined(separator: "\t") + "\n" + names.joined(separator: "\t") + "\n").utf8), name: "wide.tsv")
        #expect(e.description.unicodeScalars.count <= 1_000, "\(e.description.unicodeScalars.count) characters")
        #expect(e.description.hasPrefix("wide.tsv:1: field 'task, worker, label': missing columns"))
        #expect(e.description.contains("100000 columns"), "\(e.description)")
    }

    @Test("defect 9: a 1 M-character value is cut in a conflicting-gold message")
    func longValueIsTruncated() throws {
        let long = String(repeating: "x", count: 1_000_000)
        let error = try #require(throws: InputError.self) {
            try GoldLabels([.init(task: long, label: "a"), .init(task: long, label: "b\u{1B}[31m")], file: "gold.tsv")
        }
        #expect(error.description.unicodeScalars.count <= 1_000)
        #expect(error.description.contains("characters"), "says how long the value was")
        #expect(!error.description.contains("\u{1B}"))
    }

    // MARK: - Defect 10: JSON Lines and headers

    @Test("defect 10: the JSON Lines reader refuses mismatched or malformed nested values", arguments: [
        #"{"x": [}, "task": "t", "worker": "w", "label": "a"}"#,
        #"{"x": {], "task": "t", "worker": "w", "label": "a"}"#,
        #"{"x": [1,,2], "task": "t", "worker": "w", "label": "a"}"#,
        #"{"x": [1 2], "task": "t", "worker": "w", "label": "a"}"#,
        #"{"x": {"a" 1}, "task": "t", "worker": "w", "label": "a"}"#,
        #"{"x": {1: 2}, "task": "t", "worker": "w", "label": "a"}"#,
        #"{"x": [tru], "task": "t", "worker": "w", "label": "a"}"#,
        #"{"x": [1,], "task": "t", "worker": "w", "label": "a"}"#,
    ])
    func jsonLinesNestedValues(line: String) throws {
        let e = try readError(Array((line + "\n").utf8), name: "bad.jsonl")
        #expect(e.code == .invalidJSON)
        #expect(e.line == 1)
    }

    @Test("JSON Lines: well-formed nested values are still skipped; deep nesting is refused, not a crash")
    func jsonLinesNestedOK() throws {
        let ok = #"{"x": [1, {"a": [true, null, "s]"]}, [], {}], "task": "t", "worker": "w", "label": "a"}"#
        #expect(triples(try readAnswers(ok + "\n", name: "a.jsonl").table) == [["t", "w", "a"]])
        let deep = "{\"x\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + ", \"task\": \"t\", \"worker\": \"w\", \"label\": \"a\"}\n"
        let e = try readError(Array(deep.utf8), name: "deep.jsonl")
        #expect(e.code == .invalidJSON)
        #expect(e.message.contains("nested"), "\(e.message)")
    }

    @Test("defect 10: a duplicated header column is refused", arguments: [
        ("answers.tsv", "task\tworker\tlabel\tlabel\nt1\tw1\ta\tb\n", "label"),
        ("answers.csv", "task,worker,task,label\nt1,w1,t2,a\n", "task"),
        ("answers.tsv", "task\tperformer\tworker\tlabel\tnote\tnote\nt1\tw1\tw2\ta\tx\ty\n", "note"),
        ("export.tsv", "INPUT:x\tOUTPUT:y\tASSIGNMENT:worker_id\tASSIGNMENT:worker_id\nq\ta\tw1\tw2\n", "ASSIGNMENT:worker_id"),
    ])
    func duplicatedHeaderColumn(name: String, text: String, column: String) throws {
        let e = try readError(Array(text.utf8), name: name)
        #expect(e.line == 1)
        #expect(e.field == column)
        #expect(e.message.contains("appears twice"), "\(e.message)")
    }

    @Test("defect 10: a duplicated column in a gold file is refused")
    func duplicatedGoldColumn() throws {
        try withTempDirectory { dir in
            let path = try writeFile(dir, "gold.tsv", "task\tlabel\tlabel\nt1\ta\tb\n")
            let e = try #require(throws: InputError.self) { try GoldReader.read(path) }
            #expect(e.field == "label")
            #expect(e.message.contains("appears twice"), "\(e.message)")
        }
    }

    @Test("ErrorText: escapes, cuts long values in the middle, keeps ordinary text as it is")
    func errorTextRules() {
        #expect(ErrorText.sanitized("answers.tsv:3: field 'label': row has 2 fields") == "answers.tsv:3: field 'label': row has 2 fields")
        #expect(ErrorText.sanitized("a\tb\nc\u{0}d\u{7F}é日本") == "a\\tb\\nc\\u{00}d\\u{7F}é日本")
        let value = ErrorText.value(String(repeating: "ab", count: 1_000))
        #expect(value.unicodeScalars.count < 200)
        #expect(value.contains("2000 characters"))
        #expect(ErrorText.value("short") == "short")
        #expect(ErrorText.list(["a", "b", "c"], limit: 2) == "'a', 'b' and 1 more")
        #expect(ErrorText.list(["a", "b"]) == "'a', 'b'")
        let long = String(repeating: "y", count: 50_000)
        let cut = ErrorText.sanitized("start " + long + " end")
        #expect(cut.hasPrefix("start yyy") && cut.hasSuffix("yyy end"))
        #expect(cut.unicodeScalars.count <= ErrorText.messageLimit)
    }

    @Test("defect 10: a duplicate in predicted labels is not called gold")
    func predictedDuplicateNamed() throws {
        try withTempDirectory { dir in
            let path = try writeFile(dir, "labels.tsv", "task\tlabel\nt1\ta\nt1\tb\n")
            let e = try #require(throws: InputError.self) { try GoldReader.read(path, kind: .predicted) }
            #expect(e.message == "task 't1' has two predicted labels, 'a' and 'b'")
        }
    }
}
