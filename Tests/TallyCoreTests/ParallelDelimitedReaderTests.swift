import Foundation
import Testing
@testable import TallyCore
import TallyTestSupport

/// The chunked multi-threaded reader of plain TSV/CSV (``ParallelDelimitedReader``) against the
/// one-thread reader: the same ids, names and columns — so the same bytes in every output — on
/// every real data set and on edge cases, at several chunk counts; errors on the same file line.
@Suite("parallel TSV/CSV reading in chunks")
struct ParallelDelimitedReaderTests {
    /// The one-thread reader's table of `path`.
    static func sequential(_ path: String) throws -> AnswerTable {
        var options = AnswerReadOptions(format: .crowdkit)
        options.execution.threads = 1
        return try AnswerReader.read(path, options: options).table
    }

    /// The chunked reader's table of `path` with `threads` chunks (`nil`: it gave up).
    static func parallel(_ path: String, threads: Int) throws -> AnswerTable? {
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        return try ParallelDelimitedReader.read(path: path, total: size, delimiter: nil, threads: threads)
    }

    /// Both tables written as Arrow files: the bytes of every id column and every name.
    static func arrowBytes(_ table: AnswerTable, _ dir: URL, _ name: String) throws -> Data {
        let path = dir.appendingPathComponent(name).path
        try ArrowWriter.write(table, to: path, rowsPerBatch: 1 << 14)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func expectSame(_ a: AnswerTable, _ b: AnswerTable, _ what: String) {
        #expect(a.task == b.task, "\(what): task ids")
        #expect(a.worker == b.worker, "\(what): worker ids")
        #expect(a.label == b.label, "\(what): label ids")
        #expect(a.tasks.names == b.tasks.names, "\(what): task names")
        #expect(a.workers.names == b.workers.names, "\(what): worker names")
        #expect(a.labels == b.labels, "\(what): labels")
        #expect(a.byTask.entries == b.byTask.entries && a.byTask.offsets == b.byTask.offsets, "\(what): task view")
        #expect(a.byWorker.entries == b.byWorker.entries && a.byWorker.offsets == b.byWorker.offsets, "\(what): worker view")
        #expect(a.duplicates == b.duplicates, "\(what): duplicates")
    }

    /// The names of every real data set some copy holds.
    static var datasets: [String] {
        var names = Set(RealDatasets.shippedNames)
        if let outside = RealDatasets.outside, let list = try? FileManager.default.contentsOfDirectory(atPath: outside.path) {
            names.formUnion(list.filter { RealDatasets.isAvailable($0) })
        }
        return names.sorted()
    }

    @Test("every real data set: the same table and the same Arrow bytes at 2, 3 and 7 chunks")
    func realDatasets() throws {
        let names = Self.datasets
        try #require(!names.isEmpty, "no real data set found")
        try withTempDirectory { dir in
            for name in names {
                // Uncompressed first: chunks are read by mapping a plain file.
                let source = try ByteSource(path: RealDatasets.answersIfPresent(name)!.path)
                var bytes: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0.baseAddress!, count: $0.count) }
                    if n == 0 { break }
                    bytes += buffer[0..<n]
                }
                let path = try writeFile(dir, "\(name).tsv", bytes)
                let expected = try Self.sequential(path)
                let expectedArrow = try Self.arrowBytes(expected, dir, "\(name)-1.arrow")
                for threads in [2, 3, 7] {
                    let table = try #require(try Self.parallel(path, threads: threads), "\(name) fell back")
                    Self.expectSame(table, expected, "\(name), \(threads) chunks")
                    #expect(try Self.arrowBytes(table, dir, "\(name)-\(threads).arrow") == expectedArrow, "\(name), \(threads) chunks: Arrow bytes")
                }
            }
        }
    }

    @Test("CRLF, blank and space-only lines, a BOM, no final newline, CSV, extra and reordered columns", arguments: [
        "\u{FEFF}task\tworker\tlabel\r\na\tw1\tx\r\n\r\nb\tw2\ty\r\n   \r\na\tw2\tx\r\nc\tw1\ty",
        "\n\n  \nlabel,extra,worker,task\nx,,w1,a\ny,1,w2,b\n\n\nx,2,w3,a\nz,,w1,c\ny,,w2,d\n",
        "task\tworker\tlabel\tnote\nt1\tw1\t1\t\nt2\tw1\t0\tsome note\nt1\tw2\t1\t\nt3\tw3\t2\t\n\nt2\tw3\t0\t\n",
        "task\tworker\tlabel\n" + (0..<500).map { "task\($0 % 37)\twk\($0 % 11)\tl\($0 % 3)\n" }.joined(),
    ])
    func edgeCases(_ text: String) throws {
        try withTempDirectory { dir in
            let path = try writeFile(dir, "edge.tsv", text)
            let expected = try Self.sequential(path)
            for threads in [2, 3, 4, 9] {
                let table = try #require(try Self.parallel(path, threads: threads))
                Self.expectSame(table, expected, "\(threads) chunks")
            }
        }
    }

    @Test("a quote anywhere gives the file back to the one-thread reader")
    func quotesFallBack() throws {
        try withTempDirectory { dir in
            let text = "task,worker,label\n" + (0..<300).map { "t\($0 % 29),w\($0 % 7),\($0 % 2)\n" }.joined()
                + "\"t,1\",w1,1\nsay \"hi\",w2,0\n" + (0..<300).map { "t\($0 % 31),w\($0 % 5),\($0 % 2)\n" }.joined()
            let path = try writeFile(dir, "quoted.csv", text)
            for threads in [2, 3] { #expect(try Self.parallel(path, threads: threads) == nil) }
        }
    }

    /// A file of `rows` answers, with line `bad` (1-based) replaced.
    static func file(rows: Int, bad: Int, with line: [UInt8]) -> [UInt8] {
        var out = Array("task\tworker\tlabel\n".utf8)
        for r in 0..<rows {
            if r + 2 == bad { out += line; out.append(10); continue }
            out += Array("t\(r % 101)\tw\(r % 13)\tc\(r % 2)\n".utf8)
        }
        return out
    }

    @Test("errors name the file line the one-thread reader names, in any chunk", arguments: [
        (Array("only-one-field".utf8), InputError.Code.raggedRow),
        (Array("a\tb\tc\td".utf8), InputError.Code.raggedRow),
        (Array("\tw1\tc0".utf8), InputError.Code.emptyField),
        (Array("t1\tw1\t".utf8), InputError.Code.emptyField),
        ([0x74, 0xFF, 0xFE, 0x09, 0x77, 0x09, 0x63], InputError.Code.invalidUTF8),
    ])
    func errorLines(_ line: [UInt8], _ code: InputError.Code) throws {
        try withTempDirectory { dir in
            for bad in [2, 700, 1_999, 3_001] {
                let path = try writeFile(dir, "bad.tsv", Self.file(rows: 3_000, bad: bad, with: line))
                let one = try #require(throws: InputError.self) { try Self.sequential(path) }
                #expect(one.code == code && one.line == bad)
                for threads in [2, 3, 5] {
                    let many = try #require(throws: InputError.self) { try Self.parallel(path, threads: threads) }
                    #expect(many == one, "line \(bad), \(threads) chunks: \(many) vs \(one)")
                }
            }
        }
    }

    @Test("the earliest of two errors in different chunks is the one reported")
    func earliestError() throws {
        try withTempDirectory { dir in
            var bytes = Self.file(rows: 3_000, bad: 2_500, with: Array("x".utf8))
            // A second problem, earlier in the file, in another chunk.
            let early = Array("t5\tw5\tc1\n".utf8)
            if let at = bytes.firstRange(of: early) { bytes.replaceSubrange(at, with: Array("t5\t\tc1\n".utf8)) }
            let path = try writeFile(dir, "two.tsv", bytes)
            let one = try #require(throws: InputError.self) { try Self.sequential(path) }
            for threads in [2, 4] {
                let many = try #require(throws: InputError.self) { try Self.parallel(path, threads: threads) }
                #expect(many == one)
            }
        }
    }
}
