import Foundation
import Testing
@testable import TallyCore
import TallyTestSupport

/// Arrow IPC files: Tally's writer and reader on small tables, and files written by pyarrow and
/// polars (Tests/ArrowFixtures, made by scripts/arrow_fixtures.py). scripts/test-arrow.sh checks
/// the other direction (pyarrow and polars reading Tally's files) with those libraries.
@Suite struct ArrowTests {
    static let answers = "task\tworker\tlabel\nt1\tw1\tyes\nt2\tw1\tno\nt1\tw2\tyes\nt3\tw2\tno\nt2\tw3\tno\nt3\tw1\tmaybe\nt4\tw3\tyes\n"

    /// The fixtures' six answers, in order.
    static let fixtureRows = [["t1", "w1", "1"], ["t2", "w1", "0"], ["t1", "w2", "1"], ["t3", "w2", "2"], ["t2", "w3", "0"], ["t3", "w1", "2"]]

    func roundTrip(_ text: String, rowsPerBatch: Int) throws -> (AnswerTable, AnswerTable) {
        try withTempDirectory { dir in
            let tsv = try writeFile(dir, "a.tsv", text)
            let original = try AnswerReader.read(tsv).table
            let arrow = dir.appendingPathComponent("a.arrow").path
            try ArrowWriter.write(original, to: arrow, rowsPerBatch: rowsPerBatch)
            let back = try AnswerReader.read(arrow)
            #expect(back.format == .arrow)
            return (original, back.table)
        }
    }

    @Test(arguments: [1, 3, 1 << 20])
    func roundTripKeepsEveryAnswerAndId(rowsPerBatch: Int) throws {
        let (a, b) = try roundTrip(Self.answers, rowsPerBatch: rowsPerBatch)
        #expect(triples(b) == triples(a))
        #expect(b.tasks.names == a.tasks.names && b.workers.names == a.workers.names && b.labels == a.labels)
        #expect(b.task == a.task && b.worker == a.worker && b.label == a.label)
        #expect(b.byTask.entries == a.byTask.entries && b.byWorker.offsets == a.byWorker.offsets)
    }

    @Test func numericLabelsRoundTripAsInt64() throws {
        let text = "task\tworker\tlabel\na\tx\t10\nb\tx\t-2\na\ty\t3\nc\ty\t10\n"
        let (a, b) = try roundTrip(text, rowsPerBatch: 2)
        #expect(a.labels.isNumeric && b.labels == a.labels)
        #expect(triples(b) == triples(a))
        // The label column is int64: its field says so.
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("n.arrow").path
            try ArrowWriter.write(a, to: path)
            let file = try ArrowFile(path: path)
            #expect(file.fields.map(\.name) == ["task", "worker", "label"])
            #expect(file.fields[2].type == .int(bits: 64, signed: true) && file.fields[2].dictionary == nil)
            #expect(file.fields[0].type == .utf8 && file.fields[0].dictionary?.index == .int(bits: 32, signed: true))
        }
    }

    @Test func autoFindsArrowByMagicWhateverTheName() throws {
        let (a, _) = try roundTrip(Self.answers, rowsPerBatch: 4)
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("answers.bin").path
            try ArrowWriter.write(a, to: path)
            #expect(triples(try AnswerReader.read(path).table) == triples(a))
        }
    }

    @Test(arguments: ["pyarrow-dictionary.arrow", "pyarrow-int-labels.arrow", "pyarrow-reversed-dictionary.arrow",
                      "pyarrow-view.arrows", "polars-default.arrow", "polars-categorical.arrow"])
    func readsFilesOfPyarrowAndPolars(name: String) throws {
        let file = try AnswerReader.read(Repository.file("Tests/ArrowFixtures/\(name)").path)
        #expect(triples(file.table) == Self.fixtureRows)
        #expect(file.table.tasks.names == ["t1", "t2", "t3"], "ids follow first appearance, as from text")
        #expect(file.table.labels.isNumeric)
    }

    @Test func nullsAreAnErrorNamingTheRow() throws {
        let path = Repository.file("Tests/ArrowFixtures/null-worker-row-4.arrow").path
        let error = try #require(throws: InputError.self) { try AnswerReader.read(path) }
        #expect(error.field == "worker" && error.message.contains("null at row 4"))
    }

    @Test(arguments: [("lz4.arrow", "LZ4"), ("zstd.arrow", "ZSTD")])
    func compressedFilesAreRefusedByName(name: String, codec: String) throws {
        let path = Repository.file("Tests/ArrowFixtures/\(name)").path
        let error = try #require(throws: InputError.self) { try AnswerReader.read(path) }
        #expect(error.code == .invalidValue && error.message.contains(codec) && error.message.contains("uncompressed"))
    }

    @Test func truncatedAndForeignFilesAreRefused() throws {
        let (a, _) = try roundTrip(Self.answers, rowsPerBatch: 3)
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("a.arrow").path
            try ArrowWriter.write(a, to: path)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let cut = try writeFile(dir, "cut.arrow", Array(bytes.prefix(bytes.count - 40)))
            let e1 = try #require(throws: InputError.self) { try AnswerReader.read(cut) }
            #expect(e1.message.contains("not a complete Arrow IPC file"))
            let v1 = try writeFile(dir, "old.feather", Array("FEA1".utf8) + [UInt8](repeating: 0, count: 60))
            let e2 = try #require(throws: InputError.self) { try AnswerReader.read(v1) }
            #expect(e2.message.contains("Feather v1"))
            let text = try writeFile(dir, "text.arrow", Self.answers)
            let e3 = try #require(throws: InputError.self) { try AnswerReader.read(text) }
            #expect(e3.message.contains("ARROW1"))
        }
    }

    /// A single-byte change of a small file (300 drawn at random) either reads or throws an ``InputError``: bounds are
    /// checked before every offset is followed and before any allocation sized by the file.
    @Test func damagedBytesNeverCrash() throws {
        let (a, _) = try roundTrip(Self.answers, rowsPerBatch: 3)
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("a.arrow").path
            try ArrowWriter.write(a, to: path)
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            var rng = SplitMix64(seed: 17)
            var read = 0, refused = 0
            // 300 positions drawn at random (every byte would take half a minute on a loaded machine).
            let positions = (0..<300).map { _ in Int(rng.next() % UInt64(bytes.count)) }
            for i in positions {
                var damaged = bytes
                damaged[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                let p = try writeFile(dir, "d.arrow", damaged)
                do {
                    _ = try AnswerReader.read(p)
                    read += 1
                } catch is InputError {
                    refused += 1
                }
            }
            #expect(read + refused == positions.count && refused > 0)
        }
    }

    @Test func flatBufferRoundTrip() throws {
        let value = FlatBufferBuilder.Value.table([
            .i16(-3), .u8(7), .child(.string("héllo")), .i64(1 << 40),
            .child(.tables([.table([.i32(5)]), .table([])])), .child(.longs([1, -2, 3])),
        ])
        let bytes = FlatBufferBuilder.build(value)
        #expect(bytes.count % 8 == 0)
        try bytes.withUnsafeBytes { raw in
            let fb = FlatBuffer(base: raw.baseAddress!, count: raw.count, what: "test", file: "test")
            let root = try fb.root()
            #expect(try root.scalar(0, Int16(0)) == -3)
            #expect(try root.scalar(1, UInt8(0)) == 7)
            #expect(try root.string(2) == "héllo")
            #expect(try root.scalar(3, Int64(0)) == 1 << 40)
            let tables = try root.tables(4)
            #expect(tables.count == 2)
            #expect(try tables[0].scalar(0, Int32(0)) == 5 && tables[1].scalar(0, Int32(9)) == 9)
            let (start, n) = try #require(try root.vector(5, elementSize: 8))
            #expect(n == 3 && (start % 8) == 0)
            #expect(try (0..<n).map { try fb.load(start + 8 * $0, as: Int64.self) } == [1, -2, 3])
            #expect(try root.string(9) == nil && root.scalar(9, Int32(42)) == 42)
        }
    }

    @Test func writingIsAtomic() throws {
        let (a, _) = try roundTrip(Self.answers, rowsPerBatch: 3)
        try withTempDirectory { dir in
            let path = try writeFile(dir, "keep.arrow", "old contents")
            let folder = dir.appendingPathComponent("sub").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            #expect(throws: AtomicFile.WriteError.self) { try ArrowWriter.write(a, to: folder) }
            try ArrowWriter.write(a, to: path)
            #expect(try listing(dir).sorted() == ["keep.arrow", "sub"])
        }
    }
}
