import Foundation

/// Maps byte strings to dense `Int32` ids, in the order they are first seen.
///
/// Readers intern task, worker and label names straight from their input buffers, so no
/// `String` is made per answer; a name becomes a `String` only once, when it is first seen and
/// checked as UTF-8. Keys are compared byte for byte (as pandas compares Python strings), so two
/// spellings that Unicode calls equivalent stay two names.
///
/// Open addressing with linear probing over a power-of-two table of 16-byte slots: a 16-bit hash
/// tag, the key's length (capped at 0xFFFF) and the id in one word, and in the other the key
/// itself when it is at most 8 bytes long (else its offset in the arena). A probe touches one
/// cache line; key bytes are compared only on a tag and length match.
///
/// An interner made from distinct names (``init(distinctCount:deferringTable:_:)``, the task
/// names of a large file) may leave its table unbuilt until the first lookup or intern: a run that
/// only writes names by id never pays for hashing a million names into a table larger than the
/// cache.
///
/// - Complexity: `intern` and `lookup` are expected O(length of the key).
public struct Interner: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Two words per slot. `b == 0`: empty; else `b = tag << 48 | length << 32 | (id + 1)` with
    /// `length` capped at 0xFFFF. `a` is the key itself (zero-padded) when it is at most 8 bytes
    /// long, so a lookup of a short name touches one cache line; otherwise `a` is the key's offset
    /// in the arena.
    private var slots: [UInt64]
    private var mask: Int
    /// The table not built yet (`slots` empty): built once, on the first lookup, by whoever asks.
    private var deferred: DeferredTable? = nil

    /// An interner with room for about `capacity` names before it grows.
    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: 2 * size)
        mask = size - 1
    }

    /// An interner holding `names`, in order; duplicate names keep their first id.
    public init<S: Sequence>(_ names: S) where S.Element == String {
        self.init()
        for name in names { _ = intern(name) }
    }

    /// An interner of `count` distinct names, given in id order by `name` (which calls its
    /// second argument with the bytes of name `id`, already checked as UTF-8). The names are not
    /// checked for repeats: the caller guarantees they are distinct. With `deferringTable` the
    /// hash table is built on the first lookup or intern instead of now.
    package init(distinctCount count: Int, deferringTable: Bool = false, _ name: (_ id: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> Void) {
        self.init(capacity: deferringTable ? 0 : count)
        starts.reserveCapacity(count + 1)
        if !deferringTable { hashes.reserveCapacity(count) }
        for id in 0..<count {
            name(id) { key in
                let offset = arena.count
                arena.append(contentsOf: key)
                starts.append(arena.count)
                if !deferringTable {
                    let word = Interner.shortWord(key)
                    let h = Interner.hash(key, word: word)
                    hashes.append(h)
                    place(id: id, hash: h, length: key.count, a: key.count <= 8 ? word : UInt64(offset))
                }
            }
        }
        if deferringTable {
            slots = []
            deferred = DeferredTable()
        }
    }

    /// An interner of distinct names already laid out end to end: name `id` is
    /// `arena[starts[id] ..< starts[id + 1]]` (checked as UTF-8 by the caller, not checked for
    /// repeats). The hash table is built on the first lookup or intern, as with `deferringTable`.
    package init(distinctArena arena: [UInt8], starts: [Int]) {
        self.init(capacity: 0)
        self.arena = arena
        self.starts = starts
        slots = []
        deferred = DeferredTable()
    }

    /// Builds the table of an interner made with `deferringTable` (before it changes).
    @inline(__always)
    private mutating func materialize() {
        guard let d = deferred else { return }
        (slots, mask, hashes) = d.table(arena, starts)
        deferred = nil
    }

    /// The table of an interner made without one: built once, under a lock, by the first lookup.
    private final class DeferredTable: @unchecked Sendable {
        private let lock = NSLock()
        private var built: (slots: [UInt64], mask: Int, hashes: [UInt64])?

        func table(_ arena: [UInt8], _ starts: [Int]) -> (slots: [UInt64], mask: Int, hashes: [UInt64]) {
            lock.lock()
            defer { lock.unlock() }
            if let built { return built }
            let count = starts.count - 1
            var t = Interner(capacity: count)
            t.hashes.reserveCapacity(count)
            arena.withUnsafeBytes { arena in
                for id in 0..<count {
                    let a = starts[id], b = starts[id + 1]
                    let key = UnsafeRawBufferPointer(rebasing: arena[a..<b])
                    let word = Interner.shortWord(key)
                    let h = Interner.hash(key, word: word)
                    t.hashes.append(h)
                    t.place(id: id, hash: h, length: b - a, a: b - a <= 8 ? word : UInt64(a))
                }
            }
            built = (t.slots, t.mask, t.hashes)
            return built!
        }
    }

    /// The slots and mask to probe: this interner's, or its deferred table's.
    @inline(__always)
    private func withTable<R>(_ body: (UnsafeBufferPointer<UInt64>, Int) -> R) -> R {
        if let d = deferred {
            let t = d.table(arena, starts)
            return t.slots.withUnsafeBufferPointer { body($0, t.mask) }
        }
        return slots.withUnsafeBufferPointer { body($0, mask) }
    }

    /// The number of distinct names.
    public var count: Int { starts.count - 1 }

    /// The id of `key`, adding it if it is new.
    @inline(__always)
    package mutating func intern(_ key: UnsafeRawBufferPointer) -> (id: Int32, isNew: Bool) {
        materialize()
        let word = Interner.shortWord(key)
        let h = Interner.hash(key, word: word)
        if let id = find(key, word: word, hash: h) { return (id, false) }
        return (insert(key, word: word, hash: h), true)
    }

    /// A key's precomputed hash, for batched interning (see ``prefetch(_:into:)``).
    package struct Probe: Sendable {
        @usableFromInline let word: UInt64
        @usableFromInline let hash: UInt64
    }

    /// Hashes a batch of keys and touches the table slots they will probe, so that the cache
    /// misses of a batch overlap instead of coming one after another; then ``intern(_:probe:)``
    /// finds the slots in cache. On a table far larger than the cache (a million tasks) this
    /// roughly halves the cost of interning.
    ///
    /// - Returns: a value that depends on the touched slots (keep it, so the loads stay).
    package func prefetch(_ keys: [UnsafeRawBufferPointer], into probes: inout [Probe]) -> UInt64 {
        probes.removeAll(keepingCapacity: true)
        var sink: UInt64 = 0
        withTable { slots, mask in
            for key in keys {
                let word = Interner.shortWord(key)
                let h = Interner.hash(key, word: word)
                probes.append(Probe(word: word, hash: h))
                sink &+= slots[2 * (Int(truncatingIfNeeded: h) & mask) + 1]
            }
        }
        return sink
    }

    /// The id of `key`, whose ``Probe`` was made by ``prefetch(_:into:)``, adding it if new.
    @inline(__always)
    package mutating func intern(_ key: UnsafeRawBufferPointer, probe: Probe) -> (id: Int32, isNew: Bool) {
        materialize()
        if let id = find(key, word: probe.word, hash: probe.hash) { return (id, false) }
        return (insert(key, word: probe.word, hash: probe.hash), true)
    }

    /// The id of `key`, whose ``Probe`` was made by ``prefetch(_:into:)``, or `nil` when it was
    /// never interned (only reads: safe from several threads at once).
    @inline(__always)
    package func lookup(_ key: UnsafeRawBufferPointer, probe: Probe) -> Int32? {
        find(key, word: probe.word, hash: probe.hash)
    }

    /// Calls `body` with the first id and the keys of ids `lo ..< hi`, `size` at a time
    /// (buffers valid during the call; only reads, so several threads may walk disjoint ranges).
    func forEachBatch(_ size: Int, from lo: Int, to hi: Int, _ body: (_ first: Int, _ keys: [UnsafeRawBufferPointer]) -> Void) {
        arena.withUnsafeBytes { arena in
            starts.withUnsafeBufferPointer { starts in
                var keys: [UnsafeRawBufferPointer] = []
                keys.reserveCapacity(size)
                var first = lo
                for id in lo..<max(lo, hi) {
                    keys.append(UnsafeRawBufferPointer(rebasing: arena[starts[id]..<starts[id + 1]]))
                    if keys.count == size || id == hi - 1 {
                        body(first, keys)
                        first = id + 1
                        keys.removeAll(keepingCapacity: true)
                    }
                }
            }
        }
    }

    /// The id of `name`, adding it if it is new.
    @discardableResult
    public mutating func intern(_ name: String) -> Int32 {
        var s = name
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)).id }
    }

    /// The id of `key`, or `nil` when it was never interned.
    package func lookup(_ key: UnsafeRawBufferPointer) -> Int32? {
        let word = Interner.shortWord(key)
        return find(key, word: word, hash: Interner.hash(key, word: word))
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
    package func withBytes<R>(_ id: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let a = starts[Int(id)], b = starts[Int(id) + 1]
        return try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[a..<b])) }
    }

    /// Calls `body` with the keys in id order, `size` at a time (buffers valid during the call).
    func forEachBatch(_ size: Int, _ body: ([UnsafeRawBufferPointer]) -> Void) {
        arena.withUnsafeBytes { arena in
            var keys: [UnsafeRawBufferPointer] = []
            keys.reserveCapacity(size)
            for id in 0..<count {
                keys.append(UnsafeRawBufferPointer(rebasing: arena[starts[id]..<starts[id + 1]]))
                if keys.count == size || id == count - 1 {
                    body(keys)
                    keys.removeAll(keepingCapacity: true)
                }
            }
        }
    }

    /// All names, by id.
    public var names: [String] { (0..<count).map { name(Int32($0)) } }

    @inline(__always)
    private func find(_ key: UnsafeRawBufferPointer, word: UInt64, hash h: UInt64) -> Int32? {
        let n = key.count
        let want = (h >> 48) << 48 | UInt64(min(n, 0xFFFF)) << 32
        return withTable { slots, mask in
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let b = slots[2 * i + 1]
                if b == 0 { return nil }
                if b & 0xFFFF_FFFF_0000_0000 == want {
                    let a = slots[2 * i]
                    let id = Int32(truncatingIfNeeded: b & 0xFFFF_FFFF) - 1
                    if n <= 8 {
                        if a == word { return id }
                    } else if longKeyEquals(id, offset: Int(a), key) {
                        return id
                    }
                }
                i = (i + 1) & mask
            }
        }
    }

    private mutating func insert(_ key: UnsafeRawBufferPointer, word: UInt64, hash h: UInt64) -> Int32 {
        let id = count
        precondition(id < Int(Int32.max) - 1, "more than 2^31 distinct names")
        let offset = arena.count
        arena.append(contentsOf: key)
        starts.append(arena.count)
        hashes.append(h)
        place(id: id, hash: h, length: key.count, a: key.count <= 8 ? word : UInt64(offset))
        if count * 2 > slots.count / 2 { grow() }
        return Int32(id)
    }

    @inline(__always)
    private mutating func place(id: Int, hash h: UInt64, length: Int, a: UInt64) {
        let m = mask
        slots.withUnsafeMutableBufferPointer { slots in
            var i = Int(truncatingIfNeeded: h) & m
            while slots[2 * i + 1] != 0 { i = (i + 1) & m }
            slots[2 * i] = a
            slots[2 * i + 1] = (h >> 48) << 48 | UInt64(min(length, 0xFFFF)) << 32 | UInt64(id + 1)
        }
    }

    private mutating func grow() {
        let size = (mask + 1) * 2
        slots = [UInt64](repeating: 0, count: 2 * size)
        mask = size - 1
        for id in 0..<count {
            let a = starts[id], b = starts[id + 1]
            let word = arena.withUnsafeBytes { Interner.shortWord(UnsafeRawBufferPointer(rebasing: $0[a..<b])) }
            place(id: id, hash: hashes[id], length: b - a, a: b - a <= 8 ? word : UInt64(a))
        }
    }

    @inline(__always)
    private func longKeyEquals(_ id: Int32, offset: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        // The slot holds the length capped at 0xFFFF; very long names check the true length.
        if key.count >= 0xFFFF && starts[Int(id) + 1] - starts[Int(id)] != key.count { return false }
        return arena.withUnsafeBytes { arena in
            memcmpBytes(arena.baseAddress! + offset, key.baseAddress!, key.count)
        }
    }

    /// The key's bytes as a little-endian word, zero-padded, when it is at most 8 bytes long.
    @inline(__always)
    static func shortWord(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let n = key.count
        guard n <= 8, let base = key.baseAddress else { return 0 }
        if n == 8 { return base.loadUnaligned(as: UInt64.self) }
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << UInt64(8 * i) }
        return w
    }

    /// ``shortWord(_:)`` of the `count` bytes at `offset` in the `size` bytes at `base`: one
    /// unaligned load, masked, when eight bytes fit before the end.
    @inline(__always)
    static func shortWord(_ base: UnsafeRawPointer, size: Int, offset: Int, count: Int) -> UInt64 {
        guard count <= 8 else { return 0 }
        guard offset + 8 <= size else { return shortWord(UnsafeRawBufferPointer(start: base + offset, count: count)) }
        let w = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        return count == 8 ? w : w & ((1 << UInt64(8 * count)) &- 1)
    }

    /// The id of `key`, whose ``shortWord(_:)`` is `word`, adding it if it is new.
    @inline(__always)
    package mutating func intern(_ key: UnsafeRawBufferPointer, word: UInt64) -> (id: Int32, isNew: Bool) {
        materialize()
        let h = Interner.hash(key, word: word)
        if let id = find(key, word: word, hash: h) { return (id, false) }
        return (insert(key, word: word, hash: h), true)
    }

    /// A 64-bit hash of `key` (`word` is ``shortWord(_:)`` of it), eight bytes at a time.
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer, word: UInt64) -> UInt64 {
        let n = key.count
        let seed: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: n &+ 1)
        if n <= 8 { return mix(seed ^ word) }
        let base = key.baseAddress!
        var h = seed
        var i = 0
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        if i < n {
            // The last eight bytes, overlapping what came before.
            let w = base.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
        }
        return mix(h)
    }

    @inline(__always)
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
