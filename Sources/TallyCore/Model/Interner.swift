/// Maps byte strings to dense `Int32` ids, in the order they are first seen.
///
/// Readers intern task, worker and label names straight from their input buffers, so no
/// `String` is made per answer; a name becomes a `String` only once, when it is first seen and
/// checked as UTF-8. Keys are compared byte for byte (as pandas compares Python strings), so two
/// spellings that Unicode calls equivalent stay two names.
///
/// Open addressing with linear probing over a power-of-two table whose slots pack a 32-bit hash
/// tag and the id, so a probe touches one cache line and compares key bytes only on a tag match.
///
/// - Complexity: `intern` and `lookup` are expected O(length of the key).
public struct Interner: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// 0 = empty, else `tag << 32 | (id + 1)`.
    private var slots: [UInt64]
    private var mask: Int

    /// An interner with room for about `capacity` names before it grows.
    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// An interner holding `names`, in order; duplicate names keep their first id.
    public init<S: Sequence>(_ names: S) where S.Element == String {
        self.init()
        for name in names { _ = intern(name) }
    }

    /// The number of distinct names.
    public var count: Int { starts.count - 1 }

    /// The id of `key`, adding it if it is new.
    @inlinable @inline(__always)
    public mutating func intern(_ key: UnsafeRawBufferPointer) -> (id: Int32, isNew: Bool) {
        _intern(key, hash: Interner.hash(key))
    }

    /// The id of `name`, adding it if it is new.
    @discardableResult
    public mutating func intern(_ name: String) -> Int32 {
        var s = name
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)).id }
    }

    /// The id of `key`, or `nil` when it was never interned.
    public func lookup(_ key: UnsafeRawBufferPointer) -> Int32? {
        let h = Interner.hash(key)
        let tag = h >> 32
        return slots.withUnsafeBufferPointer { slots in
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let s = slots[i]
                if s == 0 { return nil }
                if s >> 32 == tag {
                    let id = Int(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
                    if keyEquals(id, key) { return Int32(id) }
                }
                i = (i + 1) & mask
            }
        }
    }

    /// The id of `name`, or `nil` when it was never interned.
    public func lookup(_ name: String) -> Int32? {
        var s = name
        return s.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
    }

    /// The name with id `id`. The bytes were checked as UTF-8 by the reader that added them.
    public func name(_ id: Int32) -> String {
        let a = starts[Int(id)], b = starts[Int(id) + 1]
        return arena.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[a..<b]), as: UTF8.self) }
    }

    /// The bytes of the name with id `id`.
    public func withBytes<R>(_ id: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let a = starts[Int(id)], b = starts[Int(id) + 1]
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[a..<b])) }
    }

    /// All names, by id.
    public var names: [String] { (0..<count).map { name(Int32($0)) } }

    @usableFromInline
    mutating func _intern(_ key: UnsafeRawBufferPointer, hash h: UInt64) -> (id: Int32, isNew: Bool) {
        let tag = h >> 32
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots.withUnsafeBufferPointer { $0[i] }
            if s == 0 { break }
            if s >> 32 == tag {
                let id = Int(truncatingIfNeeded: s & 0xFFFF_FFFF) - 1
                if keyEquals(id, key) { return (Int32(id), false) }
            }
            i = (i + 1) & mask
        }
        let id = count
        precondition(id < Int(Int32.max) - 1, "more than 2^31 distinct names")
        slots.withUnsafeMutableBufferPointer { $0[i] = tag << 32 | UInt64(id + 1) }
        arena.append(contentsOf: key)
        starts.append(arena.count)
        hashes.append(h)
        if count * 2 > slots.count { grow() }
        return (Int32(id), true)
    }

    private mutating func grow() {
        let size = slots.count * 2
        var fresh = [UInt64](repeating: 0, count: size)
        let m = size - 1
        hashes.withUnsafeBufferPointer { hashes in
            fresh.withUnsafeMutableBufferPointer { fresh in
                for id in 0..<hashes.count {
                    let h = hashes[id]
                    var i = Int(truncatingIfNeeded: h) & m
                    while fresh[i] != 0 { i = (i + 1) & m }
                    fresh[i] = (h >> 32) << 32 | UInt64(id + 1)
                }
            }
        }
        slots = fresh
        mask = m
    }

    @inline(__always)
    private func keyEquals(_ id: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let a = starts[id], b = starts[id + 1]
        guard b - a == key.count else { return false }
        if key.count == 0 { return true }
        return arena.withUnsafeBytes { arena in
            memcmpBytes(arena.baseAddress! + a, key.baseAddress!, key.count)
        }
    }

    /// A 64-bit hash of `key`, eight bytes at a time.
    @inlinable @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let n = key.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: n &+ 1)
        guard let base = key.baseAddress else { return mix(h) }
        var i = 0
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
        }
        return mix(h)
    }

    @inlinable @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i + 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}
