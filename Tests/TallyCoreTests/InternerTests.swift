import Foundation
import Testing
import TallyCore

/// Byte-level helpers, so that keys with NUL bytes and invalid UTF-8 can be interned directly.
extension Interner {
    fileprivate mutating func internKey(_ key: [UInt8]) -> (id: Int32, isNew: Bool) {
        key.withUnsafeBytes { intern($0) }
    }

    fileprivate func lookupKey(_ key: [UInt8]) -> Int32? {
        key.withUnsafeBytes { lookup($0) }
    }

    fileprivate func keyBytes(_ id: Int32) -> [UInt8] {
        withBytes(id) { Array($0) }
    }
}

/// Interns `keys` in order and checks every id against a first-seen oracle; returns the interner.
private func internAll(_ keys: [[UInt8]], into interner: inout Interner, sourceLocation: SourceLocation = #_sourceLocation) -> [[UInt8]: Int32] {
    var oracle: [[UInt8]: Int32] = [:]
    for key in keys {
        let expected = oracle[key] ?? Int32(oracle.count)
        let isNew = oracle[key] == nil
        if isNew { oracle[key] = expected }
        let got = interner.internKey(key)
        #expect(got.id == expected && got.isNew == isNew, "key \(key) (\(key.count) bytes)", sourceLocation: sourceLocation)
    }
    return oracle
}

@Suite("Interner")
struct InternerTests {
    // MARK: - Order and lookup

    @Test("ids follow first-seen order; repeats return the first id and isNew = false")
    func firstSeenOrder() {
        var interner = Interner()
        #expect(interner.count == 0)
        #expect(interner.names == [])
        let keys = ["b", "a", "c", "a", "b", "", "c", ""]
        let expectedIds: [Int32] = [0, 1, 2, 1, 0, 3, 2, 3]
        let expectedNew = [true, true, true, false, false, true, false, false]
        for (i, key) in keys.enumerated() {
            let got = interner.internKey(Array(key.utf8))
            #expect(got.id == expectedIds[i], "id of '\(key)'")
            #expect(got.isNew == expectedNew[i], "isNew of '\(key)' at \(i)")
        }
        #expect(interner.count == 4)
        #expect(interner.names == ["b", "a", "c", ""])
        // The String overload agrees with the byte overload.
        #expect(interner.intern("c") == 2)
        #expect(interner.intern("d") == 4)
        #expect(interner.count == 5)
    }

    @Test("lookup of absent keys is nil and does not add them")
    func lookupAbsent() {
        var empty = Interner()
        #expect(empty.lookup("x") == nil)
        #expect(empty.lookup("") == nil)
        #expect(empty.lookupKey([]) == nil)
        #expect(empty.count == 0)
        empty.intern("abc")
        empty.intern("abcdefghijklmnop")
        #expect(empty.lookup("abc") == 0)
        #expect(empty.lookup("abcdefghijklmnop") == 1)
        for absent in ["", "ab", "abcd", "ABC", "bc", "abcdefghijklmno", "abcdefghijklmnopq", "bcdefghijklmnop", "abcdefghijklmnoq"] {
            #expect(empty.lookup(absent) == nil, "'\(absent)' was never interned")
        }
        #expect(empty.lookupKey(Array("abc".utf8) + [0]) == nil, "a trailing NUL makes another key")
        #expect(empty.lookupKey(Array("abcdefghijklmnop".utf8) + [0]) == nil)
        #expect(empty.count == 2, "lookups add nothing")
    }

    @Test("an interner made with a tiny capacity still works", arguments: [0, 1, 2, 7, 8, 9])
    func tinyCapacity(capacity: Int) {
        var interner = Interner(capacity: capacity)
        for i in 0..<100 { #expect(interner.intern("k\(i)") == Int32(i)) }
        for i in 0..<100 { #expect(interner.lookup("k\(i)") == Int32(i)) }
        #expect(interner.count == 100)
    }

    // MARK: - Growth

    @Test("200k keys across many resizes: all found again with the right ids; names round-trip")
    func growth() {
        let n = 200_000
        // Lengths from 2 to 27 bytes, so short (inline) and long (arena) keys share the table.
        func key(_ i: Int) -> String { "k\(i)" + String(repeating: "x", count: i % 20) }
        var interner = Interner(capacity: 1)
        for i in 0..<n {
            let got = interner.internKey(Array(key(i).utf8))
            if got.id != Int32(i) || !got.isNew {
                Issue.record("key \(i): got \(got), expected (\(i), true)")
                return
            }
        }
        #expect(interner.count == n)
        var wrong = 0
        for i in 0..<n {
            let k = key(i)
            if interner.lookup(k) != Int32(i) { wrong += 1 }
            let again = interner.internKey(Array(k.utf8))
            if again.id != Int32(i) || again.isNew { wrong += 1 }
            if interner.name(Int32(i)) != k { wrong += 1 }
        }
        #expect(wrong == 0, "\(wrong) mismatches after growth")
        #expect(interner.count == n, "re-interning added nothing")
        let names = interner.names
        #expect(names.count == n)
        #expect(names.indices.allSatisfy { names[$0] == key($0) })
        // Keys that were never added are still absent in the grown table.
        #expect((n..<(n + 1000)).allSatisfy { interner.lookup(key($0)) == nil })
    }

    // MARK: - The 8/9-byte inline boundary

    /// Keys around the 8-byte inline limit: prefixes of lengths 0…20, keys sharing their first 8
    /// bytes, NUL bytes anywhere, keys equal up to trailing zero bytes.
    static let boundaryKeys: [[UInt8]] = {
        let alphabet = Array("abcdefghijklmnopqrstu".utf8)
        var keys: [[UInt8]] = []
        // Prefixes of every length 0…20.
        for n in 0...20 { keys.append(Array(alphabet.prefix(n))) }
        // Runs of NUL bytes of every length 1…20 (all equal up to trailing zeros, and to the empty key).
        for n in 1...20 { keys.append([UInt8](repeating: 0, count: n)) }
        // Each prefix with 1, 2 and 9 trailing zeros.
        for n in 0...20 {
            for z in [1, 2, 9] { keys.append(Array(alphabet.prefix(n)) + [UInt8](repeating: 0, count: z)) }
        }
        // Keys that share their first 8 bytes and differ after them.
        let head = Array("abcdefgh".utf8)
        for tail in ["X", "Y", "XY", "YX", "\u{0}X", "X\u{0}", "XXXXXXXX", "XXXXXXXY", "YXXXXXXX", "XXXXXXXXX"] {
            keys.append(head + Array(tail.utf8))
        }
        // Keys whose last 8 bytes agree (the hash reads the tail overlapping) but heads differ.
        for h in ["a", "b", "ab", "ba", "abcdefgh", "bbcdefgh"] {
            keys.append(Array(h.utf8) + Array("12345678".utf8))
        }
        // NUL bytes at the start, in the middle, and leading zeros.
        keys += [[0, 0x61], [0x61, 0, 0x62], [0, 0, 0, 0, 0, 0, 0, 0x61], [0, 0, 0, 0, 0, 0, 0, 0, 0x61], [0x61, 0, 0, 0, 0, 0, 0, 0, 0x62]]
        // 0xFF bytes (sign bits), short and long.
        keys += [[0xFF], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [UInt8](repeating: 0xFF, count: 9), [0xFF, 0], [0x7F, 0xFF]]
        return keys
    }()

    @Test("keys of 0…20 bytes around the inline boundary: ids, lookups and bytes", arguments: [false, true])
    func inlineBoundary(reversed: Bool) {
        let keys = reversed ? Self.boundaryKeys.reversed() : Self.boundaryKeys
        var interner = Interner()
        let oracle = internAll(keys, into: &interner)
        #expect(interner.count == oracle.count)
        for (key, id) in oracle {
            #expect(interner.lookupKey(key) == id, "lookup of \(key)")
            #expect(interner.keyBytes(id) == key, "bytes of id \(id)")
        }
        // Interning everything a second time adds nothing.
        for key in keys {
            let again = interner.internKey(key)
            #expect(again.id == oracle[key] && !again.isNew, "re-intern \(key)")
        }
        #expect(interner.count == oracle.count)
    }

    @Test("'a' and 'a\\0', '' and '\\0', 8 and 9 bytes that differ by a trailing NUL are distinct")
    func trailingZeros() {
        var interner = Interner()
        let pairs: [([UInt8], [UInt8])] = [
            ([0x61], [0x61, 0]),
            ([], [0]),
            ([0, 0], [0, 0, 0]),
            (Array("abcdefg".utf8), Array("abcdefg".utf8) + [0]),      // 7 vs 8 bytes, both inline
            (Array("abcdefgh".utf8), Array("abcdefgh".utf8) + [0]),    // 8 inline vs 9 in the arena
            (Array("abcdefghi".utf8), Array("abcdefghi".utf8) + [0]),  // 9 vs 10, both in the arena
        ]
        for (a, b) in pairs {
            let ia = interner.internKey(a), ib = interner.internKey(b)
            #expect(ia.isNew && ib.isNew, "\(a) and \(b) are two keys")
            #expect(ia.id != ib.id)
            #expect(interner.lookupKey(a) == ia.id)
            #expect(interner.lookupKey(b) == ib.id)
            #expect(interner.keyBytes(ia.id) == a)
            #expect(interner.keyBytes(ib.id) == b)
        }
        #expect(interner.count == 12)
    }

    // MARK: - Very long keys

    @Test("two 70,000-byte keys that differ only in the last byte")
    func longKeysDifferingInLastByte() {
        var a = [UInt8](repeating: UInt8(ascii: "q"), count: 70_000)
        var b = a
        a[69_999] = UInt8(ascii: "a")
        b[69_999] = UInt8(ascii: "b")
        var c = a
        c[0] = UInt8(ascii: "r")  // and one that differs only in the first byte
        var interner = Interner()
        #expect(interner.internKey(a) == (0, true))
        #expect(interner.internKey(b) == (1, true))
        #expect(interner.internKey(c) == (2, true))
        #expect(interner.internKey(a) == (0, false))
        #expect(interner.internKey(b) == (1, false))
        #expect(interner.lookupKey(c) == 2)
        var d = a
        d[35_000] = UInt8(ascii: "z")
        #expect(interner.lookupKey(d) == nil, "a byte in the middle differs")
        #expect(interner.keyBytes(0) == a)
        #expect(interner.keyBytes(1) == b)
        #expect(interner.name(1).utf8.count == 70_000)
    }

    @Test("keys of ≥ 65535 bytes that differ only in length (the slot caps the length at 0xFFFF)")
    func longKeysDifferingInLength() {
        let lengths = [65_534, 65_535, 65_536, 65_537, 70_000, 131_071, 131_072]
        let base = [UInt8](repeating: UInt8(ascii: "z"), count: 140_000)
        var interner = Interner()
        for (i, n) in lengths.enumerated() {
            let got = interner.internKey(Array(base.prefix(n)))
            #expect(got.id == Int32(i) && got.isNew, "\(n) bytes")
        }
        for (i, n) in lengths.enumerated() {
            #expect(interner.lookupKey(Array(base.prefix(n))) == Int32(i), "lookup of \(n) bytes")
            #expect(interner.withBytes(Int32(i)) { $0.count } == n)
        }
        for n in [65_533, 65_538, 69_999, 70_001, 131_073] {
            #expect(interner.lookupKey(Array(base.prefix(n))) == nil, "\(n) bytes were never interned")
        }
        // Interned in the other order, too (the longer key first).
        var reversed = Interner()
        for (i, n) in lengths.reversed().enumerated() {
            #expect(reversed.internKey(Array(base.prefix(n))) == (Int32(i), true), "\(n) bytes, longest first")
        }
        #expect(reversed.count == lengths.count)
    }

    // MARK: - Random keys against an oracle

    @Test("1M random short keys (0…11 bytes over a 4-byte alphabet) agree with a Set oracle")
    func randomShortKeys() {
        var rng = SplitMix64(seed: 0x7A11_7A11)
        let alphabet: [UInt8] = [0x00, 0x61, 0x62, 0xFF]
        let n = 1_000_000
        var oracle: [[UInt8]: Int32] = [:]
        oracle.reserveCapacity(n)
        var seen = Set<[UInt8]>()
        seen.reserveCapacity(n)
        var interner = Interner()
        var wrong = 0
        var firstWrong: String?
        var key: [UInt8] = []
        key.reserveCapacity(16)
        for _ in 0..<n {
            let length = Int(rng.next() % 12)
            var bits = rng.next()
            key.removeAll(keepingCapacity: true)
            for _ in 0..<length {
                key.append(alphabet[Int(bits & 3)])
                bits >>= 2
            }
            let isNew = seen.insert(key).inserted
            let expected: Int32
            if isNew {
                expected = Int32(oracle.count)
                oracle[key] = expected
            } else {
                expected = oracle[key]!
            }
            let got = interner.internKey(key)
            if got.id != expected || got.isNew != isNew {
                wrong += 1
                if firstWrong == nil { firstWrong = "\(key): got \(got), expected (\(expected), \(isNew))" }
            }
        }
        #expect(wrong == 0, "first mismatch: \(firstWrong ?? "")")
        #expect(interner.count == seen.count)
        // Absent keys: 12…13 bytes never occur above.
        var absentFound = 0
        for _ in 0..<10_000 {
            var bits = rng.next()
            let k = (0..<(12 + Int(bits & 1))).map { _ in bits >>= 2; return alphabet[Int(bits & 3)] }
            if interner.lookupKey(k) != nil { absentFound += 1 }
        }
        #expect(absentFound == 0)
        // Every distinct key's bytes round-trip.
        var badBytes = 0
        for (k, id) in oracle where interner.keyBytes(id) != k { badBytes += 1 }
        #expect(badBytes == 0)
    }

    // MARK: - Names and bytes

    @Test("names, name(_:) and withBytes return the bytes as interned (no Unicode normalisation)")
    func namesAndBytes() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        var interner = Interner()
        let input = [composed, decomposed, "", "plain", "a much longer name than eight bytes", "日本語", composed]
        let ids = input.map { interner.intern($0) }
        #expect(ids == [0, 1, 2, 3, 4, 5, 0])
        #expect(interner.count == 6)
        let expected = [composed, decomposed, "", "plain", "a much longer name than eight bytes", "日本語"]
        #expect(interner.names.map { Array($0.utf8) } == expected.map { Array($0.utf8) })
        for (i, name) in expected.enumerated() {
            #expect(Array(interner.name(Int32(i)).utf8) == Array(name.utf8))
            #expect(interner.withBytes(Int32(i)) { Array($0) } == Array(name.utf8))
            #expect(interner.lookup(name) == Int32(i))
        }
        // Swift's String == calls the two spellings equal; the interner keeps them apart.
        #expect(composed == decomposed)
        #expect(interner.lookup(composed) != interner.lookup(decomposed))

        struct Stop: Error {}
        #expect(throws: Stop.self) { try interner.withBytes(0) { _ in throw Stop() } }
        let length = interner.withBytes(2) { $0.count }
        #expect(length == 0, "the empty name has no bytes")
    }

    @Test("init(_ names:) keeps the first id of a duplicate name")
    func initFromNames() {
        let interner = Interner(["b", "a", "b", "c", "a", "cafe\u{301}", "caf\u{E9}", "b"])
        #expect(interner.count == 5)
        #expect(interner.names.map { Array($0.utf8) } == ["b", "a", "c", "cafe\u{301}", "caf\u{E9}"].map { Array($0.utf8) })
        #expect(interner.lookup("b") == 0)
        #expect(interner.lookup("a") == 1)
        #expect(interner.lookup("c") == 2)
        #expect(interner.lookup("cafe\u{301}") == 3)
        #expect(interner.lookup("caf\u{E9}") == 4)
        #expect(Interner([String]()).count == 0)
    }

    // MARK: - Batched interning

    @Test("prefetch + intern(probe:) give the same ids as intern(_:), across resizes", arguments: [1, 7, 256])
    func prefetchMatchesIntern(batchSize: Int) {
        var rng = SplitMix64(seed: 42)
        // 5000 keys with repeats, lengths 0…24 (short and long), so batches span table growth.
        var keys: [[UInt8]] = []
        for i in 0..<5000 {
            if i > 0 && rng.next() % 3 == 0 {
                keys.append(keys[Int(rng.next() % UInt64(keys.count))])
            } else {
                let length = Int(rng.next() % 25)
                keys.append((0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next() % 5) + 0x61 })
            }
        }
        // A batch may hold the same new key twice: the second must find the first.
        keys += [Array("dup-in-batch".utf8), Array("dup-in-batch".utf8), Array("dup".utf8), Array("dup".utf8)]

        var plain = Interner()
        let expected = keys.map { plain.internKey($0) }

        var batched = Interner(capacity: 1)
        var probes: [Interner.Probe] = []
        var got: [(id: Int32, isNew: Bool)] = []
        var start = 0
        var sink: UInt64 = 0
        while start < keys.count {
            let batch = Array(keys[start..<min(start + batchSize, keys.count)])
            // The buffers must stay alive while they are used: copy them into one arena.
            let flat = batch.flatMap { $0 }
            flat.withUnsafeBytes { raw in
                var buffers: [UnsafeRawBufferPointer] = []
                var offset = 0
                for k in batch {
                    buffers.append(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + k.count)]))
                    offset += k.count
                }
                sink &+= batched.prefetch(buffers, into: &probes)
                #expect(probes.count == buffers.count)
                for (i, b) in buffers.enumerated() { got.append(batched.intern(b, probe: probes[i])) }
            }
            start += batchSize
        }
        _ = sink
        #expect(got.count == expected.count)
        let mismatches = zip(got, expected).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        #expect(mismatches.isEmpty, "first mismatch at key \(mismatches.first.map { "\($0): \(keys[$0])" } ?? "")")
        #expect(batched.count == plain.count)
        #expect(batched.names == plain.names)
        // The two interners agree on lookups too.
        for k in keys { #expect(batched.lookupKey(k) == plain.lookupKey(k)) }
    }

    @Test("an interner of distinct names with a deferred table: lookups from several threads, then interning more", arguments: [false, true])
    func deferredTable(deferring: Bool) {
        let names = (0..<5_000).map { $0 % 3 == 0 ? "a much longer name number \($0)" : "n\($0)" }
        let bytes = names.map { Array($0.utf8) }
        var interner = Interner(distinctCount: names.count, deferringTable: deferring) { id, body in
            bytes[id].withUnsafeBytes { body($0) }
        }
        #expect(interner.names == names)
        let copy = interner
        let misses = UncheckedBox(0)
        DispatchQueue.concurrentPerform(iterations: 4) { part in
            for (id, name) in names.enumerated() where id % 4 == part {
                if copy.lookup(name) != Int32(id) { misses.add() }
            }
        }
        #expect(misses.value == 0)
        #expect(interner.lookup("n1") == 1 && interner.lookup("missing") == nil)
        #expect(interner.intern("n2") == 2)
        #expect(interner.intern("brand new") == Int32(names.count))
        #expect(interner.lookup("brand new") == Int32(names.count) && interner.count == names.count + 1)
        #expect(copy.count == names.count && copy.lookup("brand new") == nil)
    }

    /// A counter several threads add to.
    final class UncheckedBox: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var value: Int
        init(_ v: Int) { value = v }
        func add() { lock.lock(); value += 1; lock.unlock() }
    }
}
