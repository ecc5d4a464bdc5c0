import Foundation
import Testing
import TallyCore
import TallyTestSupport

/// gzip bytes of `data`, made by the system's `gzip` (a second, independent implementation).
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
        #expect(p.terminationStatus == 0)
        return [UInt8](out)
    }
}

@Suite("gzip-compressed input")
struct GzipInputTests {
    static let answers = "task\tworker\tlabel\nt1\tw1\ta\nt2\tw2\tb\nt1\tw2\tb\n"

    @Test("a .gz answers file reads as the plain one (every format, found by its magic bytes, not its name)", arguments: [
        ("answers.tsv.gz", "task\tworker\tlabel\nt1\tw1\ta\nt2\tw2\tb\nt1\tw2\tb\n", AnswerFormat.crowdkit),
        ("answers.csv", "task,worker,label\nt1,w1,a\nt2,w2,b\nt1,w2,b\n", .crowdkit),
        ("answers.jsonl.gz", "{\"task\":\"t1\",\"worker\":\"w1\",\"label\":\"a\"}\n{\"task\":\"t2\",\"worker\":\"w2\",\"label\":\"b\"}\n{\"task\":\"t1\",\"worker\":\"w2\",\"label\":\"b\"}\n", .jsonl),
        ("export.tsv.gz", "INPUT:path\tOUTPUT:result\tASSIGNMENT:worker_id\tASSIGNMENT:status\nt1\ta\tw1\tACCEPTED\nt2\tb\tw2\tACCEPTED\nt1\tb\tw2\tACCEPTED\n", .toloka),
    ])
    func sameAsPlain(name: String, text: String, format: AnswerFormat) throws {
        let plain = try readAnswers(text, name: name.replacingOccurrences(of: ".gz", with: ""))
        let compressed = try readAnswers(try gzipped(Array(text.utf8)), name: name)
        #expect(compressed.format == format)
        #expect(triples(compressed.table) == triples(plain.table))
        #expect(triples(compressed.table) == [["t1", "w1", "a"], ["t2", "w2", "b"], ["t1", "w2", "b"]])
    }

    @Test("a large file spans many compressed and uncompressed chunks; gold reads compressed too")
    func large() throws {
        var text = "task\tworker\tlabel\n"
        for i in 0..<200_000 { text += "t\(i % 5000)\tw\(i % 97)\t\(["x", "y", "z"][i % 3])\n" }
        try withTempDirectory { dir in
            let path = try writeFile(dir, "a.tsv.gz", try gzipped(Array(text.utf8)))
            let table = try AnswerReader.read(path).table
            #expect(table.answerCount == 200_000 && table.taskCount == 5000 && table.workerCount == 97 && table.labelCount == 3)
            let gold = try writeFile(dir, "g.tsv.gz", try gzipped(Array("task\tlabel\nt1\tx\nt2\ty\n".utf8)))
            #expect(try GoldReader.read(gold).entries.map(\.label) == ["x", "y"])
        }
    }

    @Test("concatenated gzip members read as one stream, as gzip -d reads them")
    func members() throws {
        let first = try gzipped(Array("task\tworker\tlabel\nt1\tw1\ta\n".utf8))
        let second = try gzipped(Array("t2\tw2\tb\n".utf8))
        let file = try readAnswers(first + second, name: "a.tsv.gz")
        #expect(triples(file.table) == [["t1", "w1", "a"], ["t2", "w2", "b"]])
    }

    @Test("a damaged, truncated or trailing-garbage gzip file is an error naming the file, not a crash or a short read")
    func damaged() throws {
        let good = try gzipped(Array(Self.answers.utf8))
        var flipped = good
        flipped[good.count / 2] ^= 0xFF
        let cases: [(String, [UInt8])] = [
            ("truncated", Array(good.prefix(good.count - 6))),
            ("damaged", flipped),
            ("garbage after the member", good + Array("not gzip".utf8)),
            ("magic only", [0x1F, 0x8B]),
        ]
        for (what, bytes) in cases {
            let error = try #require(throws: InputError.self, "\(what)") { try readAnswers(bytes, name: "a.tsv.gz") }
            #expect(error.code == .invalidCompression, "\(what)")
            #expect(error.file.hasSuffix("a.tsv.gz") && error.description.contains("not a valid gzip file"), "\(what): \(error)")
        }
    }

    @Test("the shipped data sets read compressed: counts as their READMEs state")
    func shipped() throws {
        let table = try AnswerReader.read(RealDatasets.shipped.appendingPathComponent("bluebirds/answers.tsv.gz").path).table
        #expect(table.answerCount == 4212 && table.taskCount == 108 && table.workerCount == 39 && table.labelCount == 2)
        let gold = try GoldReader.read(RealDatasets.shipped.appendingPathComponent("bluebirds/gold.tsv.gz").path)
        #expect(gold.count == 108)
    }
}
