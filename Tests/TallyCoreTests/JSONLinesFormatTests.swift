import Foundation
import Testing
import TallyCore

@Suite("JSON Lines reader")
struct JSONLinesFormatTests {
    @Test("strings and numbers, other keys ignored", arguments: ["answers.jsonl", "answers.ndjson", "answers.txt"])
    func stringsAndNumbers(name: String) throws {
        let text = """
            {"task": "t1", "worker": "w1", "label": "yes", "time": 3.5}
            {"worker": 7, "task": 12, "label": 1}
            {"task": "t1", "worker": 7, "label": -2, "extra": {"nested": [1, 2]}}

            """
        let file = try readAnswers(text, name: name)
        #expect(file.format == .jsonl)
        #expect(triples(file.table) == [["t1", "w1", "yes"], ["12", "7", "1"], ["t1", "7", "-2"]])
    }

    @Test("a number label keeps its JSON spelling", arguments: ["1", "-3", "0", "2.5", "1.50", "1e2", "0.10"])
    func numberSpelling(spelling: String) throws {
        let file = try readAnswers("{\"task\": \"t\", \"worker\": \"w\", \"label\": \(spelling)}\n", name: "n.jsonl")
        #expect(file.table.labels.names == [spelling])
    }

    @Test("performer is accepted as the worker key")
    func performer() throws {
        let file = try readAnswers("{\"task\": \"t1\", \"performer\": \"p1\", \"label\": \"a\"}\n", name: "a.jsonl")
        #expect(triples(file.table) == [["t1", "p1", "a"]])
    }

    @Test("blank and whitespace-only lines are skipped; CRLF and a BOM are fine")
    func blankLines() throws {
        let text = "\n{\"task\": \"t1\", \"worker\": \"w1\", \"label\": \"a\"}\r\n\r\n  \t \n{\"task\": \"t2\", \"worker\": \"w1\", \"label\": \"b\"}"
        let file = try readAnswers([0xEF, 0xBB, 0xBF] + Array(text.utf8), name: "a.jsonl")
        #expect(triples(file.table) == [["t1", "w1", "a"], ["t2", "w1", "b"]])
    }

    @Test("JSON escapes and Unicode in names")
    func escapes() throws {
        let text = #"{"task": "tab\there \"q\" \u00e9", "worker": "w\/1", "label": "日本"}"# + "\n"
        let file = try readAnswers(text, name: "a.jsonl")
        #expect(triples(file.table) == [["tab\there \"q\" é", "w/1", "日本"]])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let code: InputError.Code
        let line: Int?
        let field: String?
        let message: String
        var testDescription: String { name }
    }

    static let ok = #"{"task": "t1", "worker": "w1", "label": "a"}"#

    static let bad: [Bad] = [
        Bad(name: "invalid JSON", text: ok + "\n\n" + #"{"task": "t2", "worker": "w1", "label": }"# + "\n",
            code: .invalidJSON, line: 3, field: nil,
            message: #"invalid JSON (expected a value); expected one object per line like {"task": "t1", "worker": "w1", "label": "yes"}"#),
        Bad(name: "truncated last line", text: ok + "\n" + #"{"task": "t2", "wor"#,
            code: .invalidJSON, line: 2, field: nil,
            message: #"invalid JSON (unterminated string); expected one object per line like {"task": "t1", "worker": "w1", "label": "yes"}"#),
        Bad(name: "an array, not an object", text: ok + "\n[\"t\", \"w\", \"l\"]\n",
            code: .invalidJSON, line: 2, field: nil,
            message: #"invalid JSON (expected a JSON object starting with {); expected one object per line like {"task": "t1", "worker": "w1", "label": "yes"}"#),
        Bad(name: "missing label key", text: ok + "\n" + #"{"task": "t2", "worker": "w1"}"# + "\n",
            code: .missingColumn, line: 2, field: "label", message: "missing key; expected task, worker (or performer) and label"),
        Bad(name: "missing worker key", text: #"{"task": "t2", "label": "a"}"# + "\n",
            code: .missingColumn, line: 1, field: "worker", message: "missing key; expected task, worker (or performer) and label"),
        Bad(name: "boolean label", text: ok + "\n" + #"{"task": "t2", "worker": "w1", "label": true}"# + "\n",
            code: .invalidValue, line: 2, field: "label", message: "expected a string or a number"),
        Bad(name: "null worker", text: #"{"task": "t2", "worker": null, "label": "a"}"# + "\n",
            code: .invalidValue, line: 1, field: "worker", message: "expected a string or a number"),
        Bad(name: "object task", text: #"{"task": {"id": 1}, "worker": "w", "label": "a"}"# + "\n",
            code: .invalidValue, line: 1, field: "task", message: "expected a string or a number"),
        Bad(name: "empty task", text: ok + "\n" + #"{"task": "", "worker": "w1", "label": "a"}"# + "\n",
            code: .emptyField, line: 2, field: "task", message: "empty value; every answer needs a task, a worker and a label"),
        Bad(name: "empty performer", text: #"{"task": "t", "performer": "", "label": "a"}"# + "\n",
            code: .emptyField, line: 1, field: "worker", message: "empty value; every answer needs a task, a worker and a label"),
        Bad(name: "empty file", text: "", code: .emptyFile, line: nil, field: nil, message: "the file is empty; expected one JSON object per line"),
        Bad(name: "only blank lines", text: "\n  \n\r\n", code: .emptyFile, line: nil, field: nil, message: "the file is empty; expected one JSON object per line"),
    ]

    @Test("malformed JSON Lines", arguments: bad)
    func malformed(_ b: Bad) throws {
        let error = try readError(Array(b.text.utf8), name: "bad.jsonl")
        #expect(error.code == b.code)
        #expect(error.file == "bad.jsonl")
        #expect(error.line == b.line)
        #expect(error.field == b.field)
        #expect(error.message == b.message)
    }

    @Test("invalid UTF-8 on a line names the line")
    func invalidUTF8() throws {
        let bytes = Array((Self.ok + "\n").utf8) + Array(#"{"task": "t"#.utf8) + [0xFF, 0xFE] + Array(#"", "worker": "w", "label": "a"}"#.utf8) + [0x0A]
        let error = try readError(bytes, name: "bad.jsonl")
        #expect(error.code == .invalidUTF8)
        #expect(error.line == 2)
        #expect(error.message == "invalid UTF-8; expected text in UTF-8")
    }
}
