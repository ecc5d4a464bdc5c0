import Foundation
import Testing
@testable import TallyCore
import TallyTestSupport

/// The chunked reader's line splitter (64-byte stop masks, ``StopMask``) and its front tables for
/// short worker and label names (``ShortNameTable``), against the one-thread reader: fields and
/// lines of every length around the 8-byte and 64-byte boundaries, names that differ only by a
/// trailing NUL byte, CRLF lines and a last line with or without a newline.
@Suite("parallel reading: line splitter and short-name tables")
struct ParallelSplitterTests {
    /// A deterministic generator (SplitMix64), so a failure can be replayed.
    struct Mix {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    /// A name of `length` bytes (1 …) drawn from a small alphabet, so that names repeat.
    static func name(_ prefix: String, _ length: Int, _ rng: inout Mix) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        while bytes.count < length { bytes.append(UInt8(ascii: "a") + UInt8(rng.next(3))) }
        return Array(bytes.prefix(length))
    }

    static func text(seed: UInt64, rows: Int, crlf: Bool, finalNewline: Bool) -> [UInt8] {
        var rng = Mix(state: seed)
        var out = Array("task\tworker\textra\tlabel".utf8) + (crlf ? [13, 10] : [10])
        for r in 0..<rows {
            // Lengths around 8 (one-load names) and 64 (the splitter's window), rarely longer.
            let lengths = [1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 130]
            var worker = name("w", lengths[rng.next(5)], &rng)
            // Names that differ only by a trailing NUL byte are two names.
            if rng.next(7) == 0 && worker.count < 8 { worker.append(0) }
            let task = name("t", lengths[rng.next(lengths.count)], &rng)
            let extra = name("", rng.next(4) == 0 ? lengths[rng.next(lengths.count)] : 0, &rng)
            let label = name("l", 1 + rng.next(3), &rng)
            out += task + [9] + worker + [9] + extra + [9] + label
            if r < rows - 1 || finalNewline { out += crlf ? [13, 10] : [10] }
        }
        return out
    }

    @Test("fields and lines of every length: the one-thread reader's table at 2, 3 and 5 chunks",
          arguments: [(UInt64(1), false, true), (2, true, true), (3, false, false), (4, true, false)])
    func lengths(_ seed: UInt64, _ crlf: Bool, _ finalNewline: Bool) throws {
        try withTempDirectory { dir in
            let path = try writeFile(dir, "lengths.tsv", Self.text(seed: seed, rows: 4_000, crlf: crlf, finalNewline: finalNewline))
            let expected = try ParallelDelimitedReaderTests.sequential(path)
            #expect(expected.workers.count > 20 && expected.answerCount == 4_000)
            for threads in [2, 3, 5] {
                let table = try #require(try ParallelDelimitedReaderTests.parallel(path, threads: threads), "fell back")
                ParallelDelimitedReaderTests.expectSame(table, expected, "seed \(seed), \(threads) chunks")
            }
        }
    }

    @Test("a quote after the first 64 bytes of a line still gives the file back")
    func lateQuote() throws {
        try withTempDirectory { dir in
            var text = "task\tworker\tlabel\n" + (0..<500).map { "t\($0 % 29)\tw\($0 % 7)\t\($0 % 2)\n" }.joined()
            text += String(repeating: "x", count: 100) + "\"q\tw1\t1\n"
            text += (0..<500).map { "t\($0 % 31)\tw\($0 % 5)\t\($0 % 2)\n" }.joined()
            let path = try writeFile(dir, "late.tsv", text)
            for threads in [2, 3] { #expect(try ParallelDelimitedReaderTests.parallel(path, threads: threads) == nil) }
        }
    }

    @Test("the short-name table: every name found with the id it was given, across growth")
    func shortNames() {
        var table = ShortNameTable(capacity: 4)
        defer { table.deallocate() }
        var rng = Mix(state: 7)
        var ids: [[UInt8]: Int32] = [:]
        for _ in 0..<20_000 {
            let length = 1 + rng.next(8)
            var bytes = (0..<length).map { _ in UInt8(rng.next(4)) }  // NUL bytes included
            if rng.next(2) == 0 { bytes[length - 1] = 0 }
            let word = bytes.withUnsafeBytes { Interner.shortWord($0) }
            if let known = ids[bytes] {
                #expect(table.lookup(word: word, length: length) == known)
            } else {
                #expect(table.lookup(word: word, length: length) == nil)
                let id = Int32(ids.count)
                ids[bytes] = id
                table.insert(word: word, length: length, id: id)
            }
        }
        #expect(ids.count > 1_000)
    }
}
