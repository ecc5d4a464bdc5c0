import Foundation
import Testing
import TallyCore

@Suite("crowd-kit TSV/CSV reader")
struct CrowdKitFormatTests {
    static let expected = [["t1", "w1", "a"], ["t2", "w2", "b"], ["t1", "w2", "b"]]

    @Test("TSV and CSV are sniffed from the header", arguments: [
        ("answers.tsv", "task\tworker\tlabel\nt1\tw1\ta\nt2\tw2\tb\nt1\tw2\tb\n"),
        ("answers.csv", "task,worker,label\nt1,w1,a\nt2,w2,b\nt1,w2,b\n"),
        // The extension does not decide: the header does.
        ("answers.txt", "task,worker,label\nt1,w1,a\nt2,w2,b\nt1,w2,b\n"),
        ("answers.csv", "task\tworker\tlabel\nt1\tw1\ta\nt2\tw2\tb\nt1\tw2\tb\n"),
    ])
    func sniffsDelimiter(name: String, text: String) throws {
        let file = try readAnswers(text, name: name)
        #expect(file.format == .crowdkit)
        #expect(file.gold == nil)
        #expect(file.skipped.isEmpty)
        #expect(triples(file.table) == Self.expected)
    }

    @Test("an explicit delimiter overrides sniffing")
    func explicitDelimiter() throws {
        // Sniffing would pick the tab (the header holds one inside a column name).
        let text = "task,worker,label,note\tx\nt1,w1,a,n\n"
        let file = try readAnswers(text, name: "a.csv", options: .with(format: .crowdkit, delimiter: UInt8(ascii: ",")))
        #expect(triples(file.table) == [["t1", "w1", "a"]])
    }

    @Test("columns in any order, extra columns ignored", arguments: [
        "label\tworker\ttask\na\tw1\tt1\nb\tw2\tt2\nb\tw2\tt1\n",
        "id\tlabel\tsource\ttask\tworker\ttime\n1\ta\tx\tt1\tw1\t9\n2\tb\ty\tt2\tw2\t8\n3\tb\tz\tt1\tw2\t7\n",
        "worker,extra,task,label\nw1,,t1,a\nw2,,t2,b\nw2,\"q,q\",t1,b\n",
    ])
    func anyColumnOrder(text: String) throws {
        let file = try readAnswers(text)
        #expect(triples(file.table) == Self.expected)
    }

    @Test("performer is accepted as the worker column")
    func performerAlias() throws {
        let file = try readAnswers("performer\ttask\tlabel\nw1\tt1\ta\nw2\tt2\tb\nw2\tt1\tb\n")
        #expect(triples(file.table) == Self.expected)
    }

    @Test("RFC 4180: quoted delimiter, doubled quotes, embedded newline")
    func rfc4180Quoting() throws {
        let text = "task,worker,label\n"
            + "\"t,1\",w1,\"say \"\"hi\"\"\"\n"
            + "\"multi\nline\ntask\",w2,\"a,b\"\n"
            + "t3,\"w\"\"3\",plain\n"
            + "\"\"\"\",w4,x\n"
            + "t5,w5,\"crlf\r\ninside\"\n"
        let file = try readAnswers(text, name: "q.csv")
        #expect(triples(file.table) == [
            ["t,1", "w1", "say \"hi\""],
            ["multi\nline\ntask", "w2", "a,b"],
            ["t3", "w\"3", "plain"],
            ["\"", "w4", "x"],
            ["t5", "w5", "crlf\r\ninside"],
        ])
    }

    @Test("a quote inside an unquoted field is an ordinary character")
    func quoteInsideUnquotedField() throws {
        let file = try readAnswers("task\tworker\tlabel\n5\" disk\tw1\ta\"b\n")
        #expect(triples(file.table) == [["5\" disk", "w1", "a\"b"]])
    }

    @Test("line numbers after a multi-line quoted field stay right", arguments: ["\n", "\r\n"])
    func lineNumbersAfterMultilineField(eol: String) throws {
        // Lines: 1 header, 2-4 one record, 5 blank, 6 good, 7 bad.
        let lines = ["task,worker,label", "\"a", "b", "c\",w1,x", "", "t2,w2,y", "t3,,z"]
        let error = try readError(Array(lines.joined(separator: eol).appending(eol).utf8), name: "lines.csv")
        #expect(error.code == .emptyField)
        #expect(error.line == 7)
        #expect(error.field == "worker")
    }

    @Test("line numbers count multi-line fields in several records and columns")
    func lineNumbersManyMultilineFields() throws {
        var text = "task\tworker\tlabel\n"          // line 1
        text += "\"t\n1\"\tw1\t\"x\n\ny\"\n"        // lines 2-5 (4 lines)
        text += "t2\t\"w\n2\"\ty\n"                  // lines 6-7
        text += "\n\n"                               // lines 8-9 (blank)
        text += "t3\tw3\n"                           // line 10: ragged
        let error = try readError(Array(text.utf8), name: "many.tsv")
        #expect(error.code == .raggedRow)
        #expect(error.line == 10)
        #expect(error.field == "label")
    }

    @Test("CRLF line ends", arguments: ["answers.tsv", "answers.csv"])
    func crlf(name: String) throws {
        let d = name.hasSuffix(".csv") ? "," : "\t"
        let text = ["task", "worker", "label"].joined(separator: d) + "\r\n"
            + ["t1", "w1", "a"].joined(separator: d) + "\r\n"
            + ["t2", "w2", "\"b\""].joined(separator: d) + "\r\n"
            + ["t1", "w2", "b"].joined(separator: d) + "\r\n"
        let file = try readAnswers(text, name: name)
        #expect(triples(file.table) == Self.expected)
        #expect(file.table.labels.names == ["a", "b"], "no label carries a trailing \\r")
    }

    @Test("CRLF without a final line end")
    func crlfNoFinalNewline() throws {
        let file = try readAnswers("task\tworker\tlabel\r\nt1\tw1\ta\r\nt2\tw2\tb\r\nt1\tw2\tb")
        #expect(triples(file.table) == Self.expected)
    }

    @Test("a UTF-8 byte-order mark is skipped", arguments: ["answers.tsv", "answers.csv"])
    func byteOrderMark(name: String) throws {
        let d = name.hasSuffix(".csv") ? "," : "\t"
        let text = "task\(d)worker\(d)label\nt1\(d)w1\(d)a\nt2\(d)w2\(d)b\nt1\(d)w2\(d)b\n"
        let file = try readAnswers([0xEF, 0xBB, 0xBF] + Array(text.utf8), name: name)
        #expect(triples(file.table) == Self.expected)
        let explicit = try readAnswers([0xEF, 0xBB, 0xBF] + Array(text.utf8), name: name, options: .with(format: .crowdkit))
        #expect(triples(explicit.table) == Self.expected)
    }

    @Test("blank lines are skipped", arguments: ["answers.tsv", "answers.csv"])
    func blankLines(name: String) throws {
        let d = name.hasSuffix(".csv") ? "," : "\t"
        let text = "task\(d)worker\(d)label\n\n\nt1\(d)w1\(d)a\n\r\nt2\(d)w2\(d)b\n\nt1\(d)w2\(d)b\n\n\n"
        let file = try readAnswers(text, name: name)
        #expect(triples(file.table) == Self.expected)
    }

    @Test("blank lines before the header are skipped", arguments: ["answers.tsv", "answers.csv"])
    func blankLinesBeforeHeader(name: String) throws {
        let d = name.hasSuffix(".csv") ? "," : "\t"
        let text = "\n\ntask\(d)worker\(d)label\nt1\(d)w1\(d)a\nt2\(d)w2\(d)b\nt1\(d)w2\(d)b\n"
        let file = try readAnswers(text, name: name)
        #expect(triples(file.table) == Self.expected)
    }

    @Test("a trailing empty last field counts as a field", arguments: [
        ("answers.tsv", "task\tworker\tlabel\tnote\nt1\tw1\ta\t\nt2\tw2\tb\t\nt1\tw2\tb\t\n"),
        ("answers.csv", "task,worker,label,note\nt1,w1,a,\nt2,w2,b,\"\"\nt1,w2,\"b\",\n"),
        ("answers.csv", "task,worker,label,note\r\nt1,w1,a,\r\nt2,w2,b,\r\nt1,w2,b,\r\n"),
    ])
    func trailingEmptyField(name: String, text: String) throws {
        let file = try readAnswers(text, name: name)
        #expect(triples(file.table) == Self.expected)
    }

    @Test("a trailing empty field where the header has no such column is a ragged row")
    func trailingEmptyFieldRagged() throws {
        let error = try readError(Array("task\tworker\tlabel\nt1\tw1\ta\t\n".utf8), name: "a.tsv")
        #expect(error.code == .raggedRow)
        #expect(error.line == 2)
        #expect(error.field == "column 4")
        #expect(error.message == "row has 4 fields, expected 3 as in the header")
    }

    @Test("names are kept byte for byte: spaces and Unicode")
    func namesKeptVerbatim() throws {
        let file = try readAnswers("task\tworker\tlabel\n t1 \tw 1\tnaïve\n日本\tw2\t😀\n")
        #expect(triples(file.table) == [[" t1 ", "w 1", "naïve"], ["日本", "w2", "😀"]])
    }
}
