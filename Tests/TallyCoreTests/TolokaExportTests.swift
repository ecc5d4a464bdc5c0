import Foundation
import Testing
import TallyCore

@Suite("Toloka TSV export reader")
struct TolokaExportTests {
    static let header = [
        "INPUT:path", "INPUT:lang", "OUTPUT:result", "GOLDEN:result", "HINT:text", "HINT:default_language",
        "ASSIGNMENT:link", "ASSIGNMENT:task_id", "ASSIGNMENT:assignment_id", "ASSIGNMENT:worker_id",
        "ASSIGNMENT:status", "ASSIGNMENT:started",
    ]

    /// One export row: (path, lang, result, golden, task id, worker, status).
    static func row(_ path: String, _ lang: String, _ result: String, _ golden: String, _ taskID: String, _ worker: String, _ status: String) -> String {
        [path, lang, result, golden, "", "", "https://platform.toloka.ai/task/456/a-\(worker)", taskID, "a-\(worker)", worker, status, "2024-02-04T19:13:23.631"]
            .joined(separator: "\t")
    }

    static func export(_ rows: [String], header: [String] = header) -> String {
        ([header.joined(separator: "\t")] + rows).joined(separator: "\n") + "\n"
    }

    static let sample = export([
        row("a.mp3", "en", "male", "male", "ta", "w1", "APPROVED"),       // line 2: golden
        row("a.mp3", "en", "female", "male", "ta", "w2", "SUBMITTED"),    // line 3: golden, wrong answer
        row("b.mp3", "en", "female", "", "tb", "w1", "APPROVED"),         // line 4
        row("b.mp3", "de", "male", "", "tc", "w2", "REJECTED"),           // line 5: left out by default
        row("c.mp3", "en", "", "", "td", "w3", "SKIPPED"),                // line 6: never an answer
        row("c.mp3", "en", "", "", "td", "w4", "EXPIRED"),                // line 7: never an answer
        row("b.mp3", "en", "female", "", "tb", "w3", "APPROVED"),         // line 8
        row("d.mp3", "en", "male", "", "te", "w4", "SKIPPED"),            // line 9
    ])

    @Test("tasks are keyed by the INPUT values, joined by ' | '")
    func taskKeyAndAnswers() throws {
        let file = try readAnswers(Self.sample, name: "export.tsv")
        #expect(file.format == .toloka)
        #expect(triples(file.table) == [
            ["a.mp3 | en", "w1", "male"],
            ["a.mp3 | en", "w2", "female"],
            ["b.mp3 | en", "w1", "female"],
            ["b.mp3 | en", "w3", "female"],
        ])
        #expect(file.table.labels.names == ["female", "male"])
    }

    @Test("REJECTED, SKIPPED and EXPIRED rows are left out and counted")
    func skippedCounts() throws {
        let file = try readAnswers(Self.sample, name: "export.tsv")
        #expect(file.skipped == ["rejected": 1, "skipped": 2, "expired": 1])
    }

    @Test("includeRejected keeps rejected answers; skipped and expired rows stay out")
    func includeRejected() throws {
        let file = try readAnswers(Self.sample, name: "export.tsv", options: .with(includeRejected: true))
        #expect(triples(file.table).contains(["b.mp3 | de", "w2", "male"]))
        #expect(file.table.answerCount == 5)
        #expect(file.skipped == ["skipped": 2, "expired": 1])
    }

    @Test("ACTIVE assignments carry no answer")
    func activeLeftOut() throws {
        let file = try readAnswers(Self.export([
            Self.row("a", "en", "x", "", "t", "w1", "APPROVED"),
            Self.row("a", "en", "", "", "t", "w2", "ACTIVE"),
        ]), name: "export.tsv")
        #expect(file.table.answerCount == 1)
        #expect(file.skipped == ["active": 1])
    }

    @Test("GOLDEN rows give gold labels and stay answers")
    func goldenRows() throws {
        let file = try readAnswers(Self.sample, name: "export.tsv")
        let gold = try #require(file.gold)
        #expect(gold.entries == [GoldLabels.Entry(task: "a.mp3 | en", label: "male")])
        // Both answers on the golden task are in the table.
        #expect(file.table.byTask.range(of: 0).count == 2)
    }

    @Test("no GOLDEN values: no gold")
    func noGold() throws {
        let file = try readAnswers(Self.export([Self.row("a", "en", "x", "", "t", "w1", "APPROVED")]), name: "e.tsv")
        #expect(file.gold == nil)
    }

    @Test("a single INPUT column names the task by itself")
    func singleInput() throws {
        let header = Self.header.filter { $0 != "INPUT:lang" }
        let rows = ["a.mp3\tmale\t\t\t\tlink\tta\tas1\tw1\tAPPROVED\t2024-01-01T00:00:00.000"]
        let file = try readAnswers(Self.export(rows, header: header), name: "e.tsv")
        #expect(triples(file.table) == [["a.mp3", "w1", "male"]])
    }

    @Test("the task column can be chosen", arguments: ["ASSIGNMENT:task_id", "INPUT:path", "path"])
    func taskColumn(column: String) throws {
        let file = try readAnswers(Self.sample, name: "export.tsv", options: .with(taskColumn: column))
        let expected = column == "ASSIGNMENT:task_id" ? ["ta", "tb"] : ["a.mp3", "b.mp3"]
        #expect(file.table.tasks.names == expected)
    }

    static let twoOutputs: String = {
        let header = ["INPUT:url", "OUTPUT:gender", "OUTPUT:age", "GOLDEN:gender", "GOLDEN:age", "ASSIGNMENT:worker_id", "ASSIGNMENT:status"]
        return export([
            "u1\tm\tadult\tm\tchild\tw1\tAPPROVED",
            "u1\tf\tchild\tm\tchild\tw2\tAPPROVED",
            "u2\tf\tadult\t\t\tw1\tAPPROVED",
        ], header: header)
    }()

    @Test("several OUTPUT columns need a label column")
    func severalOutputsNeedChoice() throws {
        let error = try readError(Array(Self.twoOutputs.utf8), name: "two.tsv")
        #expect(error.code == .missingColumn)
        #expect(error.file == "two.tsv")
        #expect(error.line == 1)
        #expect(error.field == "OUTPUT:")
        #expect(error.message == "several OUTPUT: columns ('OUTPUT:gender', 'OUTPUT:age'); choose one with --label-column")
    }

    @Test("the label column picks the OUTPUT and its GOLDEN", arguments: [
        ("gender", ["m", "f", "f"], "m"), ("OUTPUT:gender", ["m", "f", "f"], "m"), ("age", ["adult", "child", "adult"], "child"),
    ])
    func labelColumn(column: String, labels: [String], gold: String) throws {
        let file = try readAnswers(Self.twoOutputs, name: "two.tsv", options: .with(labelColumn: column))
        #expect(triples(file.table).map { $0[2] } == labels)
        #expect(try #require(file.gold).entries == [GoldLabels.Entry(task: "u1", label: gold)])
    }

    @Test("an unknown label column is an error naming the OUTPUT columns")
    func unknownLabelColumn() throws {
        let error = try readError(Array(Self.twoOutputs.utf8), name: "two.tsv", options: .with(labelColumn: "colour"))
        #expect(error.code == .missingColumn)
        #expect(error.line == 1)
        #expect(error.field == "colour")
        #expect(error.message == "no such label column; the OUTPUT columns are 'OUTPUT:gender', 'OUTPUT:age'")
    }

    @Test("conflicting golden answers are an error at the second one")
    func conflictingGolden() throws {
        let text = Self.export([
            Self.row("a.mp3", "en", "male", "male", "ta", "w1", "APPROVED"),
            Self.row("b.mp3", "en", "male", "", "tb", "w1", "APPROVED"),
            Self.row("a.mp3", "en", "male", "female", "ta", "w2", "APPROVED"),
        ])
        let error = try readError(Array(text.utf8), name: "export.tsv")
        #expect(error.code == .conflictingGold)
        #expect(error.file == "export.tsv")
        #expect(error.line == 4)
        #expect(error.field == "GOLDEN:result")
        #expect(error.message == "task 'a.mp3 | en' has two golden answers, 'male' and 'female'")
    }

    @Test("the same golden answer repeated is fine")
    func repeatedGolden() throws {
        let text = Self.export([
            Self.row("a.mp3", "en", "male", "male", "ta", "w1", "APPROVED"),
            Self.row("a.mp3", "en", "female", "male", "ta", "w2", "APPROVED"),
        ])
        let file = try readAnswers(text, name: "export.tsv")
        #expect(try #require(file.gold).count == 1)
    }

    @Test("multi-line quoted INPUT cells; line numbers stay right after them")
    func multilineInput() throws {
        let rows = [
            Self.row("\"# Title\n\nsome *markdown* with a \"\"quote\"\"\"", "en", "yes", "", "ta", "w1", "APPROVED"),  // lines 2-4
            Self.row("plain", "en", "no", "", "tb", "w1", "APPROVED"),                                              // line 5
        ]
        let file = try readAnswers(Self.export(rows), name: "md.tsv")
        #expect(file.table.tasks.names == ["# Title\n\nsome *markdown* with a \"quote\" | en", "plain | en"])
        let bad = Self.export(rows + [Self.row("x", "en", "", "", "tc", "w2", "APPROVED")])  // line 6: empty label
        let error = try readError(Array(bad.utf8), name: "md.tsv")
        #expect(error.code == .emptyField)
        #expect(error.line == 6)
        #expect(error.field == "OUTPUT:result")
    }

    @Test("the export is recognised with a byte-order mark and CRLF line ends")
    func bomAndCRLF() throws {
        let text = Self.sample.replacingOccurrences(of: "\n", with: "\r\n")
        let file = try readAnswers([0xEF, 0xBB, 0xBF] + Array(text.utf8), name: "export.tsv")
        #expect(file.format == .toloka)
        #expect(file.table.answerCount == 4)
        #expect(file.table.labels.names == ["female", "male"])
        #expect(file.skipped == ["rejected": 1, "skipped": 2, "expired": 1])
    }

    @Test("blank lines before the header: still recognised as an export")
    func blankLinesBeforeHeader() throws {
        let file = try readAnswers("\n" + Self.sample, name: "export.tsv")
        #expect(file.format == .toloka)
        #expect(file.table.answerCount == 4)
    }

    @Test("format .toloka can be forced")
    func forcedFormat() throws {
        let file = try readAnswers(Self.sample, name: "export.txt", options: .with(format: .toloka))
        #expect(file.format == .toloka)
        #expect(file.table.answerCount == 4)
    }
}
