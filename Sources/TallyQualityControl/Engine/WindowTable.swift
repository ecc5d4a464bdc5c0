/// Every rule's per-worker sliding window, in flat worker-major arrays.
///
/// A window holds small codes (0…3) and keeps a running count per code; its length is the sum of
/// the counts. Worker `w`'s state for rule `r` sits at `w * rules + r` in `counts`, `heads` and
/// `pausedUntil`, and its entries at `w * stride + offsets[r]` in `entries`, where `stride` is the
/// sum of the rules' capacities — so one worker's state for all rules is contiguous, and a new
/// worker is an append. A rule with capacity 0 stores no entries, only counts: an unbounded history.
///
/// - Complexity: `push` and `clear` are O(1) and allocate nothing once the worker is in range.
struct WindowTable: Sendable {
    /// Per rule: the window's length (`history_size`), or 0 for unbounded.
    let capacities: [Int]
    private let offsets: [Int]
    private let stride: Int
    let rules: Int
    private(set) var workers = 0
    /// Per worker × rule: how many of each code the window holds.
    private(set) var counts: [SIMD4<Int32>] = []
    /// Per worker × rule: until when the rule ignores the worker (the end of the restriction it imposed).
    var pausedUntil: [Double] = []
    private var heads: [Int32] = []
    private var entries: [UInt8] = []

    init(capacities: [Int]) {
        self.capacities = capacities
        var offsets: [Int] = []
        var total = 0
        for c in capacities {
            offsets.append(total)
            total += c
        }
        self.offsets = offsets
        stride = total
        rules = capacities.count
    }

    /// Makes room for workers `0..<workers`.
    mutating func grow(to workers: Int) {
        guard workers > self.workers else { return }
        let added = workers - self.workers
        counts.append(contentsOf: repeatElement(SIMD4<Int32>(), count: added * rules))
        pausedUntil.append(contentsOf: repeatElement(-.infinity, count: added * rules))
        heads.append(contentsOf: repeatElement(0, count: added * rules))
        entries.append(contentsOf: repeatElement(0, count: added * stride))
        self.workers = workers
    }

    /// Adds `code` as the newest entry of `worker`'s window for `rule`, dropping the oldest if it is
    /// full; returns the window's new counts.
    @inline(__always) @discardableResult
    mutating func push(_ worker: Int, _ rule: Int, _ code: Int) -> SIMD4<Int32> {
        let i = worker &* rules &+ rule
        let capacity = capacities[rule]
        var c = counts[i]
        if capacity > 0 {
            let n = Int(c.wrappedSum())
            let base = worker &* stride &+ offsets[rule]
            let head = Int(heads[i])
            if n == capacity {
                let old = Int(entries[base &+ head])
                entries[base &+ head] = UInt8(truncatingIfNeeded: code)
                heads[i] = Int32(truncatingIfNeeded: head &+ 1 == capacity ? 0 : head &+ 1)
                c[old] &-= 1
            } else {
                var slot = head &+ n
                if slot >= capacity { slot &-= capacity }
                entries[base &+ slot] = UInt8(truncatingIfNeeded: code)
            }
        }
        c[code] &+= 1
        counts[i] = c
        return c
    }

    /// Asks the CPU to fetch `worker`'s counts, pauses, heads and entries (a hint; changes nothing).
    @inline(__always)
    func prefetch(_ worker: Int) {
        guard worker < workers, rules > 0 else { return }
        counts.withUnsafeBufferPointer { prefetchLine($0.baseAddress! + worker &* rules) }
        pausedUntil.withUnsafeBufferPointer { prefetchLine($0.baseAddress! + worker &* rules) }
        heads.withUnsafeBufferPointer { prefetchLine($0.baseAddress! + worker &* rules) }
        if stride > 0 { entries.withUnsafeBufferPointer { prefetchLine($0.baseAddress! + worker &* stride) } }
    }

    /// Empties `worker`'s window for `rule`.
    @inline(__always)
    mutating func clear(_ worker: Int, _ rule: Int) {
        let i = worker &* rules &+ rule
        counts[i] = SIMD4()
        heads[i] = 0
    }

    /// The codes in `worker`'s window for `rule`, oldest first (for tests and inspection).
    func window(_ worker: Int, _ rule: Int) -> [Int] {
        guard worker < workers, capacities[rule] > 0 else { return [] }
        let i = worker * rules + rule
        let n = Int(counts[i].wrappedSum())
        return (0..<n).map { Int(entries[worker * stride + offsets[rule] + (Int(heads[i]) + $0) % capacities[rule]]) }
    }
}

/// LLVM's prefetch intrinsic (`prefetcht0` on x86-64, `prfm` on arm64): a hint that never faults.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ dataCache: Int32)

/// Asks the CPU to bring the cache line at `address` into cache.
@inline(__always)
func prefetchLine(_ address: UnsafeRawPointer) { llvmPrefetch(address, 0, 3, 1) }
