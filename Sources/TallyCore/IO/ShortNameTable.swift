#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A chunk reader's front table for worker and label names of at most eight bytes: the name's
/// bytes as one little-endian word, and its length, map to the id the chunk's ``Interner`` gave
/// it. A name is put here only after the interner has it (so it was checked as UTF-8 and its id
/// is the interner's): a hit returns exactly what interning again would return, with no hashing of
/// bytes, no reference counting and one cache line per probe (16-byte slots, at most ¾ full).
///
/// A value holding a pointer (the reader keeps it in a local variable); ``deallocate()`` frees it once.
struct ShortNameTable: @unchecked Sendable {
    /// Two words per slot: the name's word, then `length << 32 | (id + 1)` (0: empty).
    private var slots: UnsafeMutablePointer<UInt64>
    private var mask: Int
    private var shift: UInt64
    private var count = 0

    /// A table with room for about `capacity` names before it grows.
    init(capacity: Int) {
        var bits = 4
        while (1 << bits) * 3 / 4 < capacity { bits += 1 }
        slots = .allocate(capacity: 2 << bits)
        slots.initialize(repeating: 0, count: 2 << bits)
        mask = (1 << bits) - 1
        shift = UInt64(64 - bits)
    }

    /// Frees the slots (once; the value must not be used after).
    func deallocate() { slots.deallocate() }

    @inline(__always)
    private func home(_ word: UInt64, _ length: Int) -> Int {
        Int(truncatingIfNeeded: ((word ^ UInt64(truncatingIfNeeded: length) << 61) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The id of the name of `length` bytes (1 … 8) whose word is `word`, or `nil` when it is
    /// not in the table.
    @inline(__always)
    func lookup(word: UInt64, length: Int) -> Int32? {
        let want = UInt64(truncatingIfNeeded: length) << 32
        var s = home(word, length)
        while true {
            let meta = slots[2 * s + 1]
            if meta == 0 { return nil }
            if slots[2 * s] == word && meta & 0xFFFF_FFFF_0000_0000 == want {
                return Int32(truncatingIfNeeded: meta & 0xFFFF_FFFF) - 1
            }
            s = (s + 1) & mask
        }
    }

    /// Adds a name that ``lookup(word:length:)`` did not find, with the interner's `id`.
    mutating func insert(word: UInt64, length: Int, id: Int32) {
        place(word, UInt64(truncatingIfNeeded: length) << 32 | UInt64(UInt32(bitPattern: id) &+ 1))
        count += 1
        if count > (mask + 1) * 3 / 4 { grow() }
    }

    private func place(_ word: UInt64, _ meta: UInt64) {
        var s = home(word, Int(meta >> 32))
        while slots[2 * s + 1] != 0 { s = (s + 1) & mask }
        slots[2 * s] = word
        slots[2 * s + 1] = meta
    }

    private mutating func grow() {
        let old = slots, oldSize = mask + 1
        let size = 2 * oldSize
        slots = .allocate(capacity: 2 * size)
        slots.initialize(repeating: 0, count: 2 * size)
        mask = size - 1
        shift -= 1
        for s in 0..<oldSize where old[2 * s + 1] != 0 { place(old[2 * s], old[2 * s + 1]) }
        old.deallocate()
    }
}
