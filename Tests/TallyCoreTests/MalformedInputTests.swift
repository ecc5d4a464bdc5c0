import Foundation
import Testing
import TallyCore
import TallyTestSupport

/// Every kind of bad input, with the exact error each reader gives: code, file, line, field and
/// message.
@Suite("malformed input")
struct MalformedInputTests {
    enum Reader: String, Sendable { case answers, gold }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var reader: Reader = .answers
        let file: String
        let bytes: [UInt8]
        var format: AnswerFormat = .auto
        var labelColumn: String?
        let code: InputError.Code
        let line: Int?
        let field: String?
        let message: String
        var testDescription: String { "\(reader.rawValue): \(name)" }
    }

    static func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    static let crowdkitMissing = "expected a header naming task, worker (or performer) and label"
    static let empty = "empty value; every answer needs a task, a worker and a label"
    static let utf8 = "invalid UTF-8; expected text in UTF-8"
    static let unterminated = "unterminated quoted field: a field opened with \" is not closed before the end of the file"
    static let tolokaHeader = "INPUT:x\tOUTPUT:y\tGOLDEN:y\tASSIGNMENT:worker_id\tASSIGNMENT:status\n"

    static let cases: [Case] = [
        // Missing columns.
        Case(name: "missing worker column", file: "a.tsv", bytes: b("task\tlabel\nt1\ta\n"), code: .missingColumn, line: 1, field: "worker",
             message: "missing column; \(crowdkitMissing), found 'task', 'label'"),
        Case(name: "missing two columns (CSV)", file: "a.csv", bytes: b("task,who,what\nt1,w1,a\n"), code: .missingColumn, line: 1, field: "worker, label",
             message: "missing columns; \(crowdkitMissing), found 'task', 'who', 'what'"),
        Case(name: "column names are case-sensitive", file: "a.tsv", bytes: b("Task\tWorker\tLabel\nt1\tw1\ta\n"), code: .missingColumn, line: 1,
             field: "task, worker, label", message: "missing columns; \(crowdkitMissing), found 'Task', 'Worker', 'Label'"),
        Case(name: "missing column: header after a BOM and blank lines", file: "a.tsv", bytes: [0xEF, 0xBB, 0xBF] + b("\n\r\ntask\tworker\tanswer\nt1\tw1\ta\n"),
             code: .missingColumn, line: 3, field: "label", message: "missing column; \(crowdkitMissing), found 'task', 'worker', 'answer'"),

        // Ragged rows.
        Case(name: "too few fields", file: "a.tsv", bytes: b("task\tworker\tlabel\nt1\tw1\ta\nt2\tw2\n"), code: .raggedRow, line: 3, field: "label",
             message: "row has 2 fields, expected 3 as in the header"),
        Case(name: "one field", file: "a.csv", bytes: b("task,worker,label\nt1,w1,a\n\nt2\n"), code: .raggedRow, line: 4, field: "worker",
             message: "row has 1 field, expected 3 as in the header"),
        Case(name: "too many fields", file: "a.csv", bytes: b("task,worker,label\nt1,w1,a,extra\n"), code: .raggedRow, line: 2, field: "column 4",
             message: "row has 4 fields, expected 3 as in the header"),
        Case(name: "too many fields: an unquoted comma", file: "a.csv", bytes: b("label,task,worker\n\"a,b\",t1,w1\na,b,t2,w2\n"), code: .raggedRow, line: 3,
             field: "column 4", message: "row has 4 fields, expected 3 as in the header"),
        Case(name: "too few fields after a multi-line field, CRLF", file: "a.csv",
             bytes: b("task,worker,label\r\n\"t\r\n1\",w1,a\r\nt2,w2\r\n"), code: .raggedRow, line: 4, field: "label",
             message: "row has 2 fields, expected 3 as in the header"),

        // Quotes.
        Case(name: "unterminated quote in the last column", file: "a.csv", bytes: b("task,worker,label\nt1,w1,a\nt2,w2,\"open\nmore\n"),
             code: .unterminatedQuote, line: 3, field: "label", message: unterminated),
        Case(name: "unterminated quote in the first column", file: "a.tsv", bytes: b("task\tworker\tlabel\n\"t\n1\"\tw1\ta\n\"t2\tw2\tb\n"),
             code: .unterminatedQuote, line: 4, field: "task", message: unterminated),
        Case(name: "text after a closing quote", file: "a.csv", bytes: b("task,worker,label\n\"t1\"x,w1,a\n"), code: .invalidValue, line: 2,
             field: "column 1", message: "unexpected character after a closing quote; expected the delimiter or the end of the line"),

        // Invalid UTF-8.
        Case(name: "invalid UTF-8 in a task", file: "a.tsv", bytes: b("task\tworker\tlabel\nt1\tw1\ta\n") + [0x74, 0xC3, 0x28] + b("\tw2\ta\n"),
             code: .invalidUTF8, line: 3, field: "task", message: utf8),
        Case(name: "invalid UTF-8 in a worker", file: "a.csv", bytes: b("worker,task,label\n") + [0xFF] + b(",t1,a\n"),
             code: .invalidUTF8, line: 2, field: "worker", message: utf8),
        Case(name: "invalid UTF-8 in a label (quoted)", file: "a.csv", bytes: b("task,worker,label\nt1,w1,\"x,") + [0xED, 0xA0, 0x80] + b("\"\n"),
             code: .invalidUTF8, line: 2, field: "label", message: utf8),
        Case(name: "invalid UTF-8 in a performer column", file: "a.tsv", bytes: b("task\tperformer\tlabel\nt1\tw") + [0xC0, 0xAF] + b("\ta\n"),
             code: .invalidUTF8, line: 2, field: "performer", message: utf8),
        Case(name: "truncated UTF-8 sequence at the end of a field", file: "a.tsv", bytes: b("task\tworker\tlabel\nt1\tw1\tcaf") + [0xC3] + b("\n"),
             code: .invalidUTF8, line: 2, field: "label", message: utf8),

        // Empty input.
        Case(name: "empty file", file: "a.tsv", bytes: [], code: .emptyFile, line: nil, field: nil, message: "the file is empty; expected a header line"),
        Case(name: "only blank lines", file: "a.csv", bytes: b("\n\r\n\n"), code: .emptyFile, line: nil, field: nil, message: "the file is empty; expected a header line"),
        Case(name: "only a byte-order mark", file: "a.tsv", bytes: [0xEF, 0xBB, 0xBF], code: .emptyFile, line: nil, field: nil,
             message: "the file is empty; expected a header line"),
        Case(name: "empty file read as crowd-kit", file: "a.tsv", bytes: [], format: .crowdkit, code: .emptyFile, line: nil, field: nil,
             message: "the file is empty; expected a header naming task, worker and label"),
        Case(name: "empty file read as Toloka", file: "a.tsv", bytes: b("\n"), format: .toloka, code: .emptyFile, line: nil, field: nil,
             message: "the file is empty; expected Toloka's export header (INPUT:…, OUTPUT:…, ASSIGNMENT:worker_id)"),
        Case(name: "header only", file: "a.tsv", bytes: b("task\tworker\tlabel\n"), code: .noAnswers, line: nil, field: nil,
             message: "no answers: the file has a header but no answer rows"),
        Case(name: "header and blank lines, no final newline", file: "a.csv", bytes: b("task,worker,label\r\n\r\n\r\n"), code: .noAnswers, line: nil, field: nil,
             message: "no answers: the file has a header but no answer rows"),

        // Empty fields.
        Case(name: "empty worker", file: "a.tsv", bytes: b("task\tworker\tlabel\nt1\t\ta\n"), code: .emptyField, line: 2, field: "worker", message: empty),
        Case(name: "empty task", file: "a.csv", bytes: b("task,worker,label\nt1,w1,a\n,w1,a\n"), code: .emptyField, line: 3, field: "task", message: empty),
        Case(name: "empty label at the end of the line", file: "a.csv", bytes: b("task,worker,label\nt1,w1,\n"), code: .emptyField, line: 2, field: "label", message: empty),
        Case(name: "empty quoted label", file: "a.csv", bytes: b("task,worker,label\nt1,w1,\"\"\n"), code: .emptyField, line: 2, field: "label", message: empty),

        // JSON Lines.
        Case(name: "invalid JSON line", file: "a.jsonl", bytes: b("{\"task\": \"t\", \"worker\": \"w\", \"label\": \"a\"}\n\n{\"task\": \"t\"\n"),
             code: .invalidJSON, line: 3, field: nil,
             message: "invalid JSON (expected , or } in an object); expected one object per line like {\"task\": \"t1\", \"worker\": \"w1\", \"label\": \"yes\"}"),

        // Toloka export.
        Case(name: "Toloka: no worker column", file: "e.tsv", bytes: b("INPUT:x\tOUTPUT:y\nq\ta\n"), code: .missingColumn, line: 1,
             field: "ASSIGNMENT:worker_id", message: "missing column; a Toloka export names the worker in ASSIGNMENT:worker_id, found 'INPUT:x', 'OUTPUT:y'"),
        Case(name: "Toloka: no OUTPUT column", file: "e.tsv", bytes: b("INPUT:x\tASSIGNMENT:worker_id\nq\tw\n"), code: .missingColumn, line: 1,
             field: "OUTPUT:", message: "no OUTPUT: column; expected one holding the workers' labels"),
        Case(name: "Toloka: no INPUT column", file: "e.tsv", bytes: b("OUTPUT:y\tASSIGNMENT:worker_id\na\tw\n"), code: .missingColumn, line: 1,
             field: "INPUT:", message: "no INPUT: column to name tasks by; name one with --task-column (for example ASSIGNMENT:task_id)"),
        Case(name: "Toloka: several OUTPUT columns", file: "e.tsv", bytes: b("INPUT:x\tOUTPUT:a\tOUTPUT:b\tASSIGNMENT:worker_id\nq\t1\t2\tw\n"),
             code: .missingColumn, line: 1, field: "OUTPUT:", message: "several OUTPUT: columns ('OUTPUT:a', 'OUTPUT:b'); choose one with --label-column"),
        Case(name: "Toloka: unknown label column", file: "e.tsv", bytes: b(tolokaHeader + "q\ta\t\tw\tAPPROVED\n"), labelColumn: "z",
             code: .missingColumn, line: 1, field: "z", message: "no such label column; the OUTPUT columns are 'OUTPUT:y'"),
        Case(name: "Toloka: ragged row", file: "e.tsv", bytes: b(tolokaHeader + "q\ta\t\tw\tAPPROVED\nq\ta\t\tw\n"), code: .raggedRow, line: 3,
             field: "ASSIGNMENT:status", message: "row has 4 fields, expected 5 as in the header"),
        Case(name: "Toloka: empty label on an approved row", file: "e.tsv", bytes: b(tolokaHeader + "q\t\t\tw\tAPPROVED\n"), code: .emptyField, line: 2,
             field: "OUTPUT:y", message: empty),
        Case(name: "Toloka: empty worker", file: "e.tsv", bytes: b(tolokaHeader + "q\ta\t\t\tAPPROVED\n"), code: .emptyField, line: 2,
             field: "ASSIGNMENT:worker_id", message: empty),
        Case(name: "Toloka: invalid UTF-8 in INPUT", file: "e.tsv", bytes: b(tolokaHeader + "q") + [0xFE] + b("\ta\t\tw\tAPPROVED\n"), code: .invalidUTF8, line: 2,
             field: "INPUT:x", message: utf8),
        Case(name: "Toloka: invalid UTF-8 in OUTPUT", file: "e.tsv", bytes: b(tolokaHeader + "q\ta") + [0xFE] + b("\t\tw\tAPPROVED\n"), code: .invalidUTF8, line: 2,
             field: "OUTPUT:y", message: utf8),
        Case(name: "Toloka: invalid UTF-8 in GOLDEN", file: "e.tsv", bytes: b(tolokaHeader + "q\ta\t") + [0xFE] + b("\tw\tAPPROVED\n"), code: .invalidUTF8, line: 2,
             field: "GOLDEN:y", message: utf8),
        Case(name: "Toloka: invalid UTF-8 in the worker", file: "e.tsv", bytes: b(tolokaHeader + "q\ta\t\tw") + [0xFE] + b("\tAPPROVED\n"), code: .invalidUTF8,
             line: 2, field: "ASSIGNMENT:worker_id", message: utf8),
        Case(name: "Toloka: conflicting golden answers", file: "e.tsv",
             bytes: b(tolokaHeader + "q\ta\ta\tw1\tAPPROVED\n\"q\"\tb\tb\tw2\tAPPROVED\n"), code: .conflictingGold, line: 3, field: "GOLDEN:y",
             message: "task 'q' has two golden answers, 'a' and 'b'"),
        Case(name: "Toloka: header only", file: "e.tsv", bytes: b(tolokaHeader), code: .noAnswers, line: nil, field: nil,
             message: "no answers: the file has a header but no answer rows"),

        // Gold files.
        Case(name: "gold: missing label column", reader: .gold, file: "g.tsv", bytes: b("task\tanswer\nt1\ta\n"), code: .missingColumn, line: 1, field: "label",
             message: "missing column; expected a header naming task and label (or true_label), found 'task', 'answer'"),
        Case(name: "gold: missing task column", reader: .gold, file: "g.csv", bytes: b("id,label\nt1,a\n"), code: .missingColumn, line: 1, field: "task",
             message: "missing column; expected a header naming task and label (or true_label), found 'id', 'label'"),
        Case(name: "gold: ragged row", reader: .gold, file: "g.csv", bytes: b("task,label,note\nt1,a,\nt2,b\n"), code: .raggedRow, line: 3, field: "note",
             message: "row has 2 fields, expected 3 as in the header"),
        Case(name: "gold: empty label", reader: .gold, file: "g.csv", bytes: b("task,label\nt1,\n"), code: .emptyField, line: 2, field: "label",
             message: "empty value; expected a label"),
        Case(name: "gold: invalid UTF-8 in a task", reader: .gold, file: "g.tsv", bytes: b("task\tlabel\n") + [0xFF] + b("\ta\n"), code: .invalidUTF8, line: 2,
             field: "task", message: utf8),
        Case(name: "gold: empty file", reader: .gold, file: "g.tsv", bytes: [], code: .emptyFile, line: nil, field: nil,
             message: "the file is empty; expected a header naming task and label (or true_label)"),
        Case(name: "gold: header only", reader: .gold, file: "g.tsv", bytes: b("task\tlabel\n"), code: .noAnswers, line: nil, field: nil,
             message: "no rows: the file has a header but no task labels"),
        Case(name: "gold: conflicting labels for a task", reader: .gold, file: "g.tsv", bytes: b("task\tlabel\nt1\ta\nt2\tb\nt1\tb\n"),
             code: .conflictingGold, line: 4, field: "label", message: "task 't1' has two gold labels, 'a' and 'b'"),
    ]

    @Test("malformed input is reported with code, file, line, field and message", arguments: cases)
    func malformed(_ c: Case) throws {
        try withTempDirectory { dir in
            let path = try writeFile(dir, c.file, c.bytes)
            var options = AnswerReadOptions(format: c.format)
            options.labelColumn = c.labelColumn
            let error = try #require(throws: InputError.self) {
                switch c.reader {
                case .answers: _ = try AnswerReader.read(path, options: options)
                case .gold: _ = try GoldReader.read(path)
                }
            }
            #expect(error.code == c.code)
            #expect(error.file == path)
            #expect(error.line == c.line)
            #expect(error.field == c.field)
            #expect(error.message == c.message)
            // The description a person reads: file:line: field 'F': message.
            var expected = path
            if let line = c.line { expected += ":\(line)" }
            expected += ": "
            if let field = c.field { expected += "field '\(field)': " }
            #expect(error.description == expected + c.message)
        }
    }

    @Test("a file that does not exist", arguments: [Reader.answers, .gold])
    func fileNotFound(reader: Reader) throws {
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("nope.tsv").path
            let error = try #require(throws: InputError.self) {
                switch reader {
                case .answers: _ = try AnswerReader.read(path)
                case .gold: _ = try GoldReader.read(path)
                }
            }
            #expect(error.code == .fileNotFound)
            #expect(error.file == path)
            #expect(error.line == nil)
            #expect(error.field == nil)
            #expect(error.message == "no such file")
            #expect(error.description == "\(path): no such file")
        }
    }

    @Test("a directory instead of a file")
    func directory() throws {
        try withTempDirectory { dir in
            let error = try #require(throws: InputError.self) { try AnswerReader.read(dir.path) }
            #expect(error.code == .unreadable)
            #expect(error.message == "is a directory, expected a file")
        }
    }

    @Test("the first bad row is the one reported, whatever kind of problem a later row has", arguments: [
        ("task\tworker\tlabel\nt1\tw1\ta\nt2\t\tb\nt3\tw3\n", InputError.Code.emptyField, 3),
        ("task\tworker\tlabel\nt1\tw1\ta\n\tw2\tb\nt3\tw3\n", .emptyField, 3),
        ("task\tworker\tlabel\nt1\tw1\ta\nt\u{FFFD}2\tw2\tb\nt3\tw3\tc\td\n", nil, 0),
        ("task,worker,label\nt1,w1,a\nt2,w2,\nt3,w3,\"open\n", .emptyField, 3),
        ("task,worker,label\nt1,w1,\nt2,w2\n", .emptyField, 2),
    ] as [(String, InputError.Code?, Int)])
    func firstErrorWins(text: String, code: InputError.Code?, line: Int) throws {
        guard let code else {
            // Invalid UTF-8 in a task (line 3), then a ragged row (line 4).
            var bytes = Array(text.utf8)
            let marker: [UInt8] = [0xEF, 0xBF, 0xBD]   // U+FFFD, replaced by a bare 0xFF byte
            let at = try #require((0..<bytes.count).first { Array(bytes[$0..<min($0 + 3, bytes.count)]) == marker })
            bytes.replaceSubrange(at..<at + 3, with: [0xFF])
            let error = try readError(bytes, name: "a.tsv")
            #expect(error.code == .invalidUTF8)
            #expect(error.line == 3)
            #expect(error.field == "task")
            return
        }
        let error = try readError(Array(text.utf8), name: "a.tsv")
        #expect(error.code == code)
        #expect(error.line == line)
    }
}
