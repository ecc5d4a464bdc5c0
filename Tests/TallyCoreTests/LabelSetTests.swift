import Foundation
import Testing
import TallyCore

@Suite("LabelSet order")
struct LabelSetTests {
    @Test("numeric order when every label is a canonical integer", arguments: [
        (["9", "10", "1"], ["1", "9", "10"]),
        (["10", "-1", "2", "0", "-10"], ["-10", "-1", "0", "2", "10"]),
        (["1", "0"], ["0", "1"]),
        (["100", "99", "9", "11"], ["9", "11", "99", "100"]),
        (["9223372036854775807", "-9223372036854775808", "0"], ["-9223372036854775808", "0", "9223372036854775807"]),
        // Beyond Int64: still numbers (issue 19).
        (["9223372036854775808", "1"], ["1", "9223372036854775808"]),
        (["-9223372036854775809", "-9223372036854775808", "-10", "-9"], ["-9223372036854775809", "-9223372036854775808", "-10", "-9"]),
    ])
    func numeric(input: [String], expected: [String]) {
        let set = LabelSet(input)
        #expect(set.isNumeric)
        #expect(set.names == expected)
        #expect(Array(set) == expected)
        for (i, name) in expected.enumerated() { #expect(set.index(of: name) == i) }
    }

    @Test("Unicode scalar order otherwise", arguments: [
        (["a", "B", "é"], ["B", "a", "é"]),
        (["é", "a", "B", "10", "9"], ["10", "9", "B", "a", "é"]),
        // "01" is not canonical, so the whole set is ordered as text.
        (["2", "01", "10"], ["01", "10", "2"]),
        (["-0", "1"], ["-0", "1"]),
        (["+1", "2"], ["+1", "2"]),
        (["1.5", "2", "10"], ["1.5", "10", "2"]),
        ([" 1", "2"], [" 1", "2"]),
        (["-", "1"], ["-", "1"]),
        // Scalar order, not Swift's String order: U+FB01 (ﬁ) after U+00E9 (é) after "z".
        (["ﬁ", "é", "z", "Z"], ["Z", "z", "é", "ﬁ"]),
        (["😀", "\u{FFFF}", "\u{E000}"], ["\u{E000}", "\u{FFFF}", "😀"]),
    ])
    func text(input: [String], expected: [String]) {
        let set = LabelSet(input)
        #expect(!set.isNumeric)
        #expect(bytes(set.names) == bytes(expected))
    }

    @Test("duplicates collapse")
    func duplicates() {
        #expect(LabelSet(["b", "a", "b", "a"]).names == ["a", "b"])
        #expect(LabelSet(["2", "1", "2"]).names == ["1", "2"])
        #expect(LabelSet([String]()).isEmpty)
        #expect(!LabelSet([String]()).isNumeric)
    }

    @Test("canonicalInteger", arguments: [
        ("0", 0), ("7", 7), ("-7", -7), ("10", 10), ("01", nil), ("-0", nil), ("+1", nil), ("", nil), ("-", nil),
        ("1e3", nil), (" 1", nil), ("١", nil), ("9223372036854775807", Int64.max), ("9223372036854775808", nil),
    ] as [(String, Int64?)])
    func canonicalInteger(s: String, value: Int64?) {
        #expect(LabelSet.canonicalInteger(s) == value)
    }

    @Test("Unicode-equivalent spellings stay two labels")
    func equivalentSpellings() {
        let precomposed = "\u{E9}", decomposed = "e\u{301}"
        #expect(precomposed == decomposed, "Swift's String == calls them equal")
        let set = LabelSet([precomposed, decomposed, precomposed])
        #expect(set.count == 2)
        #expect(bytes(set.names) == bytes([decomposed, precomposed]))
        #expect(set.index(of: decomposed) == 0)
        #expect(set.index(of: precomposed) == 1)
        #expect(set.index(of: "e") == nil)
    }

    @Test("Unicode-equivalent spellings stay two tasks and two labels in the AnswerTable")
    func equivalentSpellingsInTable() throws {
        let precomposed = "caf\u{E9}", decomposed = "cafe\u{301}"
        let text = "task\tworker\tlabel\n\(precomposed)\tw1\t\(precomposed)\n\(decomposed)\tw1\t\(decomposed)\n\(precomposed)\tw2\t\(decomposed)\n"
        let table = try readAnswers(text).table
        #expect(table.taskCount == 2)
        #expect(table.labelCount == 2)
        #expect(bytes(table.tasks.names) == bytes([precomposed, decomposed]))
        #expect(bytes(table.labels.names) == bytes([decomposed, precomposed]))
        #expect(table.task == [0, 1, 0])
        #expect(table.label == [1, 0, 0])
        #expect(table.tasks.lookup(decomposed) == 1)

        let fromColumns = try AnswerTable(tasks: [precomposed, decomposed], workers: ["w", "w"], labels: [decomposed, precomposed])
        #expect(fromColumns.taskCount == 2)
        #expect(fromColumns.labelCount == 2)
        #expect(fromColumns.duplicates.pairs == 0)
    }

    @Test("label ids in the table follow LabelSet order, not first appearance")
    func tableLabelIDs() throws {
        let table = try AnswerTable(tasks: ["t1", "t1", "t2", "t3"], workers: ["w1", "w2", "w1", "w1"], labels: ["10", "9", "-1", "10"])
        #expect(table.labels.names == ["-1", "9", "10"])
        #expect(table.label == [2, 1, 0, 2])
    }
}
