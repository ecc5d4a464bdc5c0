import Foundation
import Testing
import TallyCore
import TallyTestSupport

/// Reads `text` as file `name` with answer type `type` (nil: detect).
private func read(_ text: String, name: String = "answers.tsv", as type: AnswerType?, options: AnswerReadOptions = AnswerReadOptions()) throws -> AnswersFile {
    try read(Array(text.utf8), name: name, as: type, options: options)
}

private func read(_ bytes: [UInt8], name: String = "answers.tsv", as type: AnswerType?, options: AnswerReadOptions = AnswerReadOptions()) throws -> AnswersFile {
    try withTempDirectory { dir in try AnswerReader.read(try writeFile(dir, name, bytes), as: type, options: options) }
}

/// The error reading `bytes` as `type` throws, its file name made relative.
private func kindError(_ bytes: [UInt8], name: String = "answers.tsv", as type: AnswerType?) throws -> InputError {
    try withTempDirectory { dir in
        let path = try writeFile(dir, name, bytes)
        let e = try #require(throws: InputError.self) { try AnswerReader.read(path, as: type) }
        #expect(e.file == path)
        return InputError(e.code, file: name, line: e.line, field: e.field, e.message)
    }
}

/// gzip bytes of `data`, made by the system's `gzip`.
private func gzipped(_ data: [UInt8]) throws -> [UInt8] {
    try withTempDirectory { dir in
        let path = try writeFile(dir, "plain", data)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-n", "-c", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return [UInt8](out)
    }
}

@Suite("answer kinds: pairwise, numeric, multi-label and text readers")
struct AnswerKindsTests {
    static let pairwise = "worker,left,right,label\nw1,a,b,a\nw2,b,c,c\nw1,c,a,a\n"

    @Test("pairwise is detected from its header; items share one interner; the winner is an item id")
    func pairwiseDetected() throws {
        let f = try read(Self.pairwise, name: "cmp.csv", as: nil)
        #expect(f.answers.type == .pairwise)
        guard case .pairwise(let p) = f.answers else { Issue.record("not pairwise"); return }
        #expect(p.comparisonCount == 3 && p.itemCount == 3 && p.workerCount == 2)
        #expect(p.items.names == ["a", "b", "c"])
        #expect((0..<3).map { p.items.name(p.winner[$0]) } == ["a", "c", "a"])
        #expect((0..<3).map { p.leftWon($0) } == [true, false, false])
        #expect(p.sortedItems.names == ["a", "b", "c"])
    }

    @Test("gzip input reads as the plain file")
    func gzip() throws {
        let plain = try read(Self.pairwise, name: "cmp.csv", as: .pairwise)
        let packed = try read(try gzipped(Array(Self.pairwise.utf8)), name: "cmp.csv.gz", as: .pairwise)
        guard case .pairwise(let a) = plain.answers, case .pairwise(let b) = packed.answers else { Issue.record("not pairwise"); return }
        #expect(a.winner == b.winner && a.left == b.left && a.items.names == b.items.names)
    }

    @Test("a comparison naming one item twice is an error with file, line and field")
    func sameItemTwice() throws {
        let e = try kindError(Array("worker\tleft\tright\tlabel\nw1\ta\tb\ta\nw2\tc\tc\tc\n".utf8), as: .pairwise)
        #expect(e.code == .invalidValue && e.line == 3 && e.field == "right")
        #expect(e.description.contains("answers.tsv:3") && e.message.contains("twice"))
    }

    @Test("a winner that is neither item is an error")
    func strangeWinner() throws {
        let e = try kindError(Array("worker,left,right,label\nw1,a,b,z\n".utf8), name: "c.csv", as: .pairwise)
        #expect(e.code == .invalidValue && e.line == 2 && e.field == "label" && e.message.contains("neither"))
    }

    @Test("numeric answers parse numbers; a non-number is an error naming line and field")
    func numeric() throws {
        let f = try read("task\tworker\tvalue\nt1\tw1\t3.5\nt1\tw2\t-2e1\nt2\tw1\t 7 \n", as: .numeric)
        guard case .numeric(let n) = f.answers else { Issue.record("not numeric"); return }
        #expect(n.value == [3.5, -20, 7] && n.taskCount == 2)
        let e = try kindError(Array("task\tworker\tlabel\nt1\tw1\t3\nt1\tw2\tabc\n".utf8), as: .numeric)
        #expect(e.code == .invalidValue && e.line == 3 && e.field == "label" && e.message.contains("not a number"))
        let nan = try kindError(Array("task\tworker\tvalue\nt1\tw1\tnan\n".utf8), as: .numeric)
        #expect(nan.code == .invalidValue && nan.line == 2)
    }

    @Test("text answers keep their strings; invalid UTF-8 is an error naming line and field")
    func text() throws {
        let f = try read("task,worker,text\na1,w1,hello world\na1,w2,\"hello, word\"\n", name: "t.csv", as: .text)
        guard case .text(let t) = f.answers else { Issue.record("not text"); return }
        #expect(t.text == ["hello world", "hello, word"])
        var bytes = Array("task\tworker\ttext\na1\tw1\tok\na2\tw1\tbad ".utf8)
        bytes += [0xC3, 0x28, 0x0A]
        let e = try kindError(bytes, as: .text)
        #expect(e.code == .invalidUTF8 && e.line == 3 && e.field == "text")
    }

    @Test("multi-label: list columns (JSON or Python) and one row per tag give the same answers")
    func multiLabel() throws {
        let lists = try read("task\tworker\tlabel\nt1\tw1\t['cat', 'dog']\nt1\tw2\t[\"dog\"]\nt2\tw1\t[]\n", as: .multiLabel)
        let rows = try read("task,worker,label\nt1,w1,dog\nt1,w2,dog\nt1,w1,cat\n", name: "m.csv", as: .multiLabel)
        guard case .multiLabel(let a) = lists.answers, case .multiLabel(let b) = rows.answers else { Issue.record("not multi-label"); return }
        #expect(a.labels.names == ["cat", "dog"] && b.labels.names == ["cat", "dog"])
        #expect(Array(a.labelSet(ofAnswer: 0)) == [0, 1] && Array(a.labelSet(ofAnswer: 1)) == [1] && a.labelSet(ofAnswer: 2).isEmpty)
        #expect(b.answerCount == 2 && Array(b.labelSet(ofAnswer: 0)) == [0, 1] && Array(b.labelSet(ofAnswer: 1)) == [1])
        let dog = a.binaryTable(for: 1)
        #expect(dog.labels.names == ["0", "1"] && dog.label == [1, 1, 0] && dog.taskCount == 2)
        let e = try kindError(Array("task\tworker\tlabel\nt1\tw1\t['cat', \n".utf8), as: .multiLabel)
        #expect(e.code == .invalidValue && e.line == 2 && e.field == "label")
    }

    @Test("a file of the wrong kind is refused with a hint", arguments: [AnswerType.categorical, .numeric, .text])
    func wrongKind(type: AnswerType) throws {
        let e = try kindError(Array(Self.pairwise.utf8), name: "c.csv", as: type)
        #expect(e.code == .missingColumn && e.line == 1 && e.message.contains("--answer-type pairwise"))
    }

    @Test("a categorical file read as pairwise is refused")
    func categoricalAsPairwise() throws {
        let e = try kindError(Array("task\tworker\tlabel\nt1\tw1\ta\n".utf8), as: .pairwise)
        #expect(e.code == .missingColumn && e.message.contains("not comparisons"))
    }

    @Test("Toloka exports: a numeric OUTPUT, a JSON list OUTPUT and left/right comparisons; rejected rows left out")
    func toloka() throws {
        let numeric = try read("INPUT:audio\tOUTPUT:age\tASSIGNMENT:worker_id\tASSIGNMENT:status\na.wav\t31\tw1\tACCEPTED\na.wav\t35\tw2\tREJECTED\n", name: "e.tsv", as: .numeric)
        guard case .numeric(let n) = numeric.answers else { Issue.record("not numeric"); return }
        #expect(n.value == [31] && numeric.skipped == ["rejected": 1] && numeric.format == .toloka)
        let tags = try read("INPUT:image\tOUTPUT:tags\tASSIGNMENT:worker_id\ni1\t[\"a\",\"b\"]\tw1\ni2\t['b']\tw1\n", name: "e.tsv", as: .multiLabel)
        guard case .multiLabel(let m) = tags.answers else { Issue.record("not multi-label"); return }
        #expect(m.labels.names == ["a", "b"] && m.labelIds == [0, 1, 1])
        let sbs = try read("INPUT:left\tINPUT:right\tOUTPUT:result\tASSIGNMENT:worker_id\nx\ty\tright\tw1\ny\tz\ty\tw2\n", name: "e.tsv", as: .pairwise)
        guard case .pairwise(let p) = sbs.answers else { Issue.record("not pairwise"); return }
        #expect(p.winner.map { p.items.name($0) } == ["y", "y"])
    }

    @Test("in-memory constructors check their columns")
    func memory() throws {
        #expect(throws: InputError.self) { try PairwiseAnswers(workers: ["w"], left: ["a"], right: ["a"], winners: ["a"]) }
        #expect(throws: InputError.self) { try NumericAnswers(tasks: ["t"], workers: ["w"], values: [.infinity]) }
        let m = try MultiLabelAnswers(tasks: ["t1", "t1"], workers: ["w1", "w2"], labelSets: [["b", "a", "a"], []])
        #expect(m.labelIds == [0, 1] && m.labelOffsets == [0, 2, 2])
    }

    @Test("writers: scores by rank, values, texts and label sets")
    func writers() throws {
        let p = try PairwiseAnswers(workers: ["w", "w"], left: ["b", "a"], right: ["c", "c"], winners: ["b", "a"])
        let scores: [Double] = [0.25, 0.25, 0.5]  // b, c, a by id
        let order = ResultWriter.rankOrder(scores, names: p.sortedItems, items: p.items)
        #expect(String(decoding: ResultWriter.itemScores(p.items, scores, order: order, format: .tsv), as: UTF8.self) == "item\tscore\na\t0.5\nb\t0.25\nc\t0.25\n")
        let m = try MultiLabelAnswers(tasks: ["t1"], workers: ["w1"], labelSets: [["x", "y"]])
        #expect(String(decoding: ResultWriter.taskLabelSets(m.tasks, [[0, 1]], labels: m.labels, format: .tsv), as: UTF8.self) == "task\tlabels\nt1\t\"[\"\"x\"\", \"\"y\"\"]\"\n")
        #expect(String(decoding: ResultWriter.taskLabelSets(m.tasks, [[1]], labels: m.labels, format: .json), as: UTF8.self) == "[\n  {\"task\": \"t1\", \"labels\": [\"y\"]}\n]\n")
        let t = try TextAnswers(tasks: ["a1"], workers: ["w"], texts: ["hi"])
        #expect(String(decoding: ResultWriter.taskTexts(t.tasks, ["hi there"], format: .csv), as: UTF8.self) == "task,text\na1,hi there\n")
    }
}
