#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

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

    /// One partition's names by local id: keys, length codes with hashes, first answers.
    final class Partition: @unchecked Sendable {
        var keys: [UInt64] = []
        var codes: [UInt32] = []
        var first: [Int] = []
    }

    /// Interns every partition of `chunks` (on `threads` threads) and fills `out` with one id per
    /// answer (chunk `c`'s answers from `answerStarts[c]`); returns the names in id order.
    static func intern(_ chunks: [ChunkKeys], answerStarts: [Int], file base: UnsafeRawPointer, threads: Int,
                       into out: UnsafeMutablePointer<Int32>) -> Interner {
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
        let ranked = UncheckedSendable((chunks, bitmaps, ranks, nameKey, nameCode))
        DispatchQueue.concurrentPerform(iterations: parts) { t in
            let (chunks, bitmaps, ranks, nameKey, nameCode) = ranked.value
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
                p += parts
            }
        }
        // Phase 3: each chunk's answers in order, from its buckets in order.
        let target = UncheckedSendable((chunks, out))
        DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
            let (chunks, out) = target.value
            let chunk = chunks[c]
            let o = out + answerStarts[c]
            let cursors = UnsafeMutablePointer<UnsafeMutablePointer<Entry>>.allocate(capacity: partitionCount)
            defer { cursors.deallocate() }
            for p in 0..<partitionCount { cursors[p] = chunk.bases[p] }
            let part = chunk.partOf
            for i in 0..<chunk.answers {
                let p = Int(part[i])
                o[i] = Int32(truncatingIfNeeded: cursors[p].pointee.key)
                cursors[p] += 1
            }
        }
        // The names, in id order (the hash table is built if something looks a name up).
        return Interner(distinctCount: count, deferringTable: true) { id, body in
            let code = nameCode[id] >> 28, key = nameKey[id]
            if code <= 8 {
                withUnsafeBytes(of: key.littleEndian) { body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(code)])) }
            } else {
                body(UnsafeRawBufferPointer(start: base + Int(key >> 24), count: Int(key & 0xFF_FFFF)))
            }
        }
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
        var keys: [UInt64] = [], codes: [UInt32] = [], first: [Int] = []
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
                e[i].key = UInt64(id)
            }
        }
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

    /// Buckets for about `expected` answers.
    init(expected: Int) {
        let n = PartitionedKeys.partitionCount
        bases = .allocate(capacity: n)
        counts = .allocate(capacity: n)
        capacities = .allocate(capacity: n)
        let each = max(16, expected / n + expected / (4 * n))
        for p in 0..<n {
            bases[p] = malloc(each * MemoryLayout<PartitionedKeys.Entry>.stride)!.assumingMemoryBound(to: PartitionedKeys.Entry.self)
            counts[p] = 0
            capacities[p] = each
        }
        partCapacity = max(64, expected + expected / 8)
        partOf = malloc(partCapacity)!.assumingMemoryBound(to: UInt8.self)
    }

    /// Frees the buckets (once; the value must not be used after).
    func deallocate() {
        for p in 0..<PartitionedKeys.partitionCount { free(bases[p]) }
        bases.deallocate()
        counts.deallocate()
        capacities.deallocate()
        free(partOf)
    }

    /// Appends the key at `offset` in the file `base`, `count` bytes long (1 …
    /// ``PartitionedKeys/maxLongKey``), as the next answer; `word` is its
    /// ``Interner/shortWord(_:size:offset:count:)``.
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
        if n == capacities[p] { grow(p) }
        bases[p][n] = entry
        counts[p] = n + 1
        if answers == partCapacity {
            partCapacity *= 2
            partOf = realloc(partOf, partCapacity)!.assumingMemoryBound(to: UInt8.self)
        }
        partOf[answers] = UInt8(truncatingIfNeeded: p)
        answers += 1
    }

    private func grow(_ p: Int) {
        capacities[p] *= 2
        bases[p] = realloc(bases[p], capacities[p] * MemoryLayout<PartitionedKeys.Entry>.stride)!
            .assumingMemoryBound(to: PartitionedKeys.Entry.self)
    }
}
