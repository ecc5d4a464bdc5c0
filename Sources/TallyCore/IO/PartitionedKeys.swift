#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
import _Builtin_intrinsics.intel
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// Two-phase interning of one column of a chunked read (the task names of a large TSV file).
///
/// Interning a million shuffled names into one hash table misses the cache on nearly every
/// answer (the table is larger than the L3 cache). Here each chunk's reader only hashes the name
/// and appends a 16-byte key to one of ``partitionCount`` buckets chosen by the hash's top bits
/// (``ChunkKeys``); then each thread interns whole partitions, whose tables are small enough to
/// stay in cache, every chunk's bucket of a partition in chunk order. A name's id is the rank of
/// its first answer among the first answers of all names, so ids follow first appearance in the
/// file exactly as a one-thread read gives them.
///
/// Keys of at most 8 bytes are held in the bucket entry itself; longer keys are compared in the
/// mapped file (the entry holds their offset and length).
enum PartitionedKeys {
    /// log2 of the number of partitions.
    static let partitionBits = 8
    /// The number of partitions (buckets per chunk).
    static let partitionCount = 1 << partitionBits
    /// Keys longer than this many bytes (16 MiB) make the reader give up the partitioned path.
    static let maxLongKey = (1 << 24) - 1

    /// One key: `key` is the zero-padded key when it is at most 8 bytes long, else its file
    /// offset `<< 24 | length`; `meta` is the answer's index in its chunk `<< 32`, the length code
    /// (the length, or 9 for a long key) `<< 28` and 28 bits of the hash. After interning, `key`
    /// holds the key's id.
    struct Entry {
        var key: UInt64
        var meta: UInt64
    }

    /// One partition's names by local id: keys, length codes with hashes, first answers, and
    /// the answers of each name (`counts[lid]`).
    final class Partition: @unchecked Sendable {
        var keys: [UInt64] = []
        var codes: [UInt32] = []
        var first: [Int] = []
        var counts: [UInt32] = []
    }

    /// Interns every partition of `chunks` (on `threads` threads): afterwards each bucket entry's
    /// `key` holds its name's id (read them back in answer order with ``ChunkIDs``). Returns the
    /// names in id order and the answers of each name, `counts[id]` (the caller deallocates
    /// them).
    static func intern(_ chunks: [ChunkKeys], answerStarts: [Int], file base: UnsafeRawPointer, threads: Int)
        -> (names: Interner, counts: UnsafeMutablePointer<UInt32>) {
        let total = answerStarts.last!
        let parts = max(1, threads)
        let words = (total + 63) / 64
        // Phase 2: intern each partition; mark each name's first answer in the thread's bitmap.
        let partitions = (0..<partitionCount).map { _ in Partition() }
        let bitmaps = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, words * parts))
        bitmaps.initialize(repeating: 0, count: max(1, words * parts))
        defer { bitmaps.deallocate() }
        let shared = UncheckedSendable((chunks, bitmaps, base))
        DispatchQueue.concurrentPerform(iterations: parts) { t in
            let (chunks, bitmaps, base) = shared.value
            let bitmap = bitmaps + t * words
            var p = t
            while p < partitionCount {
                internPartition(p, chunks, answerStarts: answerStarts, base: base, into: partitions[p], bitmap: bitmap)
                p += parts
            }
        }
        // The first answers of all names, and the rank of each word's first bit.
        let ranks = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, words))
        defer { ranks.deallocate() }
        var running: UInt32 = 0
        for w in 0..<words {
            var bits: UInt64 = 0
            for t in 0..<parts { bits |= bitmaps[t * words + w] }
            bitmaps[w] = bits
            ranks[w] = running
            running &+= UInt32(bits.nonzeroBitCount)
        }
        let count = Int(running)
        // Phase 2.5: each name's id from its first answer; each entry's key becomes its id.
        let nameKey = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, count))
        let nameCode = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, count))
        defer { nameKey.deallocate(); nameCode.deallocate() }
        let counts = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, count))
        let ranked = UncheckedSendable((chunks, bitmaps, ranks, nameKey, nameCode, counts))
        DispatchQueue.concurrentPerform(iterations: parts) { t in
            let (chunks, bitmaps, ranks, nameKey, nameCode, counts) = ranked.value
            var global: [Int32] = []
            var p = t
            while p < partitionCount {
                let part = partitions[p]
                global.removeAll(keepingCapacity: true)
                for (lid, r) in part.first.enumerated() {
                    let id = Int(ranks[r >> 6]) + (bitmaps[r >> 6] & ((1 << UInt64(r & 63)) &- 1)).nonzeroBitCount
                    global.append(Int32(truncatingIfNeeded: id))
                    nameKey[id] = part.keys[lid]
                    nameCode[id] = part.codes[lid]
                    counts[id] = part.counts[lid]
                }
                global.withUnsafeBufferPointer { g in
                    for chunk in chunks {
                        let e = chunk.bases[p]
                        for i in 0..<chunk.counts[p] { e[i].key = UInt64(UInt32(bitPattern: g[Int(e[i].key)])) }
                    }
                }
                part.keys = []
                part.codes = []
                part.first = []
                part.counts = []
                p += parts
            }
        }
        // The names, in id order, end to end (the hash table is built if something looks a name up).
        let names = self.names(count: count, keys: nameKey, codes: nameCode, file: base, threads: parts)
        return (names, counts)
    }

    /// The interner of `count` names given by their bucket keys and length codes (a short name's
    /// bytes in its key, a long one's offset and length in the file): the offsets by one prefix
    /// sum, the bytes copied on `threads` threads (a short name with one 8-byte store).
    private static func names(count: Int, keys: UnsafeMutablePointer<UInt64>, codes: UnsafeMutablePointer<UInt32>,
                              file base: UnsafeRawPointer, threads: Int) -> Interner {
        @inline(__always) func length(_ id: Int) -> Int {
            let code = Int(codes[id] >> 28)
            return code <= 8 ? code : Int(keys[id] & 0xFF_FFFF)
        }
        let starts: [Int] = FreshArray.uninitialized(count + 1) { s in
            var at = 0
            for id in 0..<count {
                s[id] = at
                at += length(id)
            }
            s[count] = at
        }
        let bytes = starts[count]
        let arena: [UInt8] = FreshArray.uninitialized(bytes) { out in
            let parts = count >= 1 << 16 ? max(1, threads) : 1
            let shared = UncheckedSendable((out.baseAddress, keys, codes, base))
            let run: @Sendable (Int) -> Void = { part in
                let (out, keys, codes, base) = shared.value
                guard let out else { return }
                let lo = count * part / parts, hi = count * (part + 1) / parts
                starts.withUnsafeBufferPointer { starts in
                    let end = starts[hi]
                    for id in lo..<hi {
                        let a = starts[id], n = starts[id + 1] - a
                        let code = codes[id] >> 28, key = keys[id]
                        if code <= 8 {
                            // Eight bytes when this part's later names overwrite the excess.
                            if a + 8 <= end {
                                UnsafeMutableRawPointer(out + a).storeBytes(of: key.littleEndian, as: UInt64.self)
                            } else {
                                withUnsafeBytes(of: key.littleEndian) { (out + a).update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n) }
                            }
                        } else {
                            UnsafeMutableRawPointer(out + a).copyMemory(from: base + Int(key >> 24), byteCount: n)
                        }
                    }
                }
            }
            if parts > 1 { DispatchQueue.concurrentPerform(iterations: parts, execute: run) } else { run(0) }
        }
        return Interner(distinctArena: arena, starts: starts)
    }

    /// Interns partition `p` of every chunk, in chunk order: keys, length codes and first answers
    /// by local id into `part`; each entry's key becomes its local id.
    private static func internPartition(_ p: Int, _ chunks: [ChunkKeys], answerStarts: [Int], base: UnsafeRawPointer,
                                        into part: Partition, bitmap: UnsafeMutablePointer<UInt64>) {
        var expected = 0
        for chunk in chunks { expected += chunk.counts[p] }
        var size = 64
        while size < expected / 4 { size <<= 1 }
        // Slot: code and hash (32 bits) << 32 | local id + 1 (0: empty).
        var slots = [UInt64](repeating: 0, count: size)
        var mask = size - 1
        var keys: [UInt64] = [], codes: [UInt32] = [], first: [Int] = [], counts: [UInt32] = []
        counts.reserveCapacity(expected / 8 + 16)
        keys.reserveCapacity(expected / 8 + 16)
        codes.reserveCapacity(expected / 8 + 16)
        first.reserveCapacity(expected / 8 + 16)
        for (c, chunk) in chunks.enumerated() {
            let e = chunk.bases[p]
            let start = answerStarts[c]
            for i in 0..<chunk.counts[p] {
                let key = e[i].key, meta = e[i].meta
                let code = UInt32(truncatingIfNeeded: meta)
                let want = UInt64(code) << 32
                var s = Int(code) & mask
                var id = -1
                slots.withUnsafeBufferPointer { slots in
                    while true {
                        let v = slots[s]
                        if v == 0 { return }
                        if v & 0xFFFF_FFFF_0000_0000 == want {
                            let lid = Int(v & 0xFFFF_FFFF) - 1
                            if code >> 28 <= 8 ? keys[lid] == key : longEqual(keys[lid], key, base) {
                                id = lid
                                return
                            }
                        }
                        s = (s + 1) & mask
                    }
                }
                if id < 0 {
                    id = keys.count
                    keys.append(key)
                    codes.append(code)
                    let row = start + Int(meta >> 32)
                    first.append(row)
                    counts.append(0)
                    bitmap[row >> 6] |= 1 << UInt64(row & 63)
                    slots[s] = want | UInt64(id + 1)
                    if keys.count * 2 > size {
                        size <<= 1
                        mask = size - 1
                        slots = [UInt64](repeating: 0, count: size)
                        for (lid, c) in codes.enumerated() {
                            var j = Int(c) & mask
                            while slots[j] != 0 { j = (j + 1) & mask }
                            slots[j] = UInt64(c) << 32 | UInt64(lid + 1)
                        }
                    }
                }
                counts[id] &+= 1
                e[i].key = UInt64(id)
            }
        }
        part.counts = counts
        part.keys = keys
        part.codes = codes
        part.first = first
    }

    @inline(__always)
    private static func longEqual(_ a: UInt64, _ b: UInt64, _ base: UnsafeRawPointer) -> Bool {
        let n = Int(a & 0xFF_FFFF)
        guard n == Int(b & 0xFF_FFFF) else { return false }
        return memcmpBytes(base + Int(a >> 24), base + Int(b >> 24), n)
    }
}

/// A chunk's ids in answer order, after ``PartitionedKeys/intern(_:answerStarts:file:threads:)``
/// put each name's id into its bucket entries: one cursor per bucket, the answer's bucket from
/// ``ChunkKeys/partOf``. A value holding a pointer; ``deallocate()`` frees it once.
struct ChunkIDs {
    private let cursors: UnsafeMutablePointer<UnsafeMutablePointer<PartitionedKeys.Entry>>
    private let partOf: UnsafeMutablePointer<UInt8>

    /// Cursors at the start of each of `chunk`'s buckets.
    init(_ chunk: ChunkKeys) {
        cursors = .allocate(capacity: PartitionedKeys.partitionCount)
        for p in 0..<PartitionedKeys.partitionCount { cursors[p] = chunk.bases[p] }
        partOf = chunk.partOf
    }

    /// The id of answer `i`; answers must be asked for in order, each once.
    @inline(__always)
    func next(_ i: Int) -> Int32 {
        let p = Int(partOf[i])
        let id = Int32(truncatingIfNeeded: cursors[p].pointee.key)
        cursors[p] += 1
        return id
    }

    /// Frees the cursors (once).
    func deallocate() { cursors.deallocate() }
}

/// One chunk's keys of a column, hashed into the buckets of ``PartitionedKeys`` as the chunk is
/// read, and the bucket of each answer (so that the ids can be put back in answer order).
///
/// A value holding pointers (a reader keeps it in a local variable, so that appending involves no
/// exclusivity check); ``deallocate()`` frees the memory once.
struct ChunkKeys: @unchecked Sendable {
    /// Per partition: the entries, their number and the room allocated.
    let bases: UnsafeMutablePointer<UnsafeMutablePointer<PartitionedKeys.Entry>>
    let counts: UnsafeMutablePointer<Int>
    private let capacities: UnsafeMutablePointer<Int>
    /// The partition of each answer, in order.
    private(set) var partOf: UnsafeMutablePointer<UInt8>
    private var partCapacity: Int
    /// The number of answers appended.
    private(set) var answers = 0

    /// One 64-byte-aligned allocation holding every bucket's first room; a bucket that outgrows
    /// it moves to its own.
    private let arena: UnsafeMutablePointer<PartitionedKeys.Entry>
    private let arenaEnd: UnsafeMutablePointer<PartitionedKeys.Entry>
    /// Four entries (one cache line) per bucket, gathered here until the line is full and then
    /// written to the bucket whole, past the cache (``flushLine(_:to:)``): 512 store streams per
    /// two threads thrash the cache and read every line before writing it otherwise.
    private let staging: UnsafeMutablePointer<PartitionedKeys.Entry>

    /// Entries per cache line.
    private static let line = 4

    /// `count` entries of fresh memory at a 64-byte boundary.
    private static func lines(_ count: Int) -> UnsafeMutablePointer<PartitionedKeys.Entry> {
        var p: UnsafeMutableRawPointer?
        guard posix_memalign(&p, 64, max(1, count) * MemoryLayout<PartitionedKeys.Entry>.stride) == 0, let p else {
            fatalError("out of memory for \(count) task keys")
        }
        return p.assumingMemoryBound(to: PartitionedKeys.Entry.self)
    }

    /// Buckets for about `expected` answers.
    init(expected: Int) {
        let n = PartitionedKeys.partitionCount
        bases = .allocate(capacity: n)
        counts = .allocate(capacity: n)
        capacities = .allocate(capacity: n)
        let each = (max(16, expected / n + expected / (4 * n)) + Self.line - 1) / Self.line * Self.line
        arena = Self.lines(n * each)
        arenaEnd = arena + n * each
        staging = Self.lines(n * Self.line)
        for p in 0..<n {
            bases[p] = arena + p * each
            counts[p] = 0
            capacities[p] = each
        }
        partCapacity = max(64, expected + expected / 8)
        partOf = malloc(partCapacity)!.assumingMemoryBound(to: UInt8.self)
    }

    /// Whether bucket `p` still lives in the arena.
    private func inArena(_ p: Int) -> Bool { bases[p] >= arena && bases[p] < arenaEnd }

    /// Frees the buckets (once; the value must not be used after).
    func deallocate() {
        for p in 0..<PartitionedKeys.partitionCount where !inArena(p) { free(bases[p]) }
        free(arena)
        free(staging)
        bases.deallocate()
        counts.deallocate()
        capacities.deallocate()
        free(partOf)
    }

    /// Appends the key at `offset` in the file `base`, `count` bytes long (1 …
    /// ``PartitionedKeys/maxLongKey``), as the next answer; `word` is its
    /// ``Interner/shortWord(_:size:offset:count:)``. The entry reaches its bucket when its
    /// cache line is full or at ``finish()``.
    @inline(__always)
    mutating func append(_ base: UnsafeRawPointer, offset: Int, count: Int, word: UInt64) {
        let key = UnsafeRawBufferPointer(start: base + offset, count: count)
        let h = Interner.hash(key, word: word)
        let p = Int(truncatingIfNeeded: h >> UInt64(64 - PartitionedKeys.partitionBits))
        let short = count <= 8
        let code = UInt64(short ? count : 9) << 28 | (h & 0x0FFF_FFFF)
        let entry = PartitionedKeys.Entry(key: short ? word : UInt64(offset) << 24 | UInt64(count),
                                          meta: UInt64(answers) << 32 | code)
        let n = counts[p]
        let j = n & (Self.line - 1)
        let stage = staging + p * Self.line
        stage[j] = entry
        if j == Self.line - 1 {
            if n + 1 > capacities[p] { grow(p) }
            Self.flushLine(stage, to: bases[p] + (n + 1 - Self.line))
        }
        counts[p] = n + 1
        if answers == partCapacity {
            partCapacity *= 2
            partOf = realloc(partOf, partCapacity)!.assumingMemoryBound(to: UInt8.self)
        }
        partOf[answers] = UInt8(truncatingIfNeeded: p)
        answers += 1
    }

    /// Writes every bucket's entries still gathered in ``staging``: call once, after the last
    /// ``append(_:offset:count:word:)`` and before the buckets are read.
    func finish() {
        for p in 0..<PartitionedKeys.partitionCount {
            let n = counts[p], j = n & (Self.line - 1)
            guard j > 0 else { continue }
            if n > capacities[p] { grow(p) }
            (bases[p] + (n - j)).update(from: staging + p * Self.line, count: j)
        }
        // The streaming stores are weakly ordered: fenced before another thread reads the buckets.
        atomicMemoryFence(ordering: .sequentiallyConsistent)
    }

    /// Copies the four entries at `from` to the 64-byte-aligned line `to`, past the cache on x86-64.
    @inline(__always)
    private static func flushLine(_ from: UnsafeMutablePointer<PartitionedKeys.Entry>, to: UnsafeMutablePointer<PartitionedKeys.Entry>) {
        #if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
        let s = UnsafeMutableRawPointer(from), d = UnsafeMutableRawPointer(to)
        for i in 0..<4 {
            let v = (s + 16 * i).assumingMemoryBound(to: __m128i.self).pointee
            _mm_stream_si128((d + 16 * i).assumingMemoryBound(to: __m128i.self), v)
        }
        #else
        to.update(from: from, count: line)
        #endif
    }

    /// Doubles bucket `p`'s room (a new 64-byte-aligned allocation; its whole lines copied).
    private func grow(_ p: Int) {
        let moved = Self.lines(2 * capacities[p])
        let written = counts[p] & ~(Self.line - 1)
        moved.update(from: bases[p], count: written)
        if !inArena(p) { free(bases[p]) }
        bases[p] = moved
        capacities[p] *= 2
    }
}
