import Dispatch

/// Runs `body(0..<n)` on up to `n` threads (inline when `n` is 1).
func parallelFor(_ n: Int, _ body: @Sendable (Int) -> Void) {
    if n == 1 { body(0); return }
    DispatchQueue.concurrentPerform(iterations: n, execute: body)
}

/// A pointer or buffer handed to worker threads that each touch a disjoint part of it (or only
/// read it): the caller vouches for the absence of data races.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// `count` contiguous row ranges holding about equal numbers of entries.
func balancedParts(_ offsets: [Int], count: Int) -> [Range<Int>] {
    let rows = offsets.count - 1
    guard rows > 0 else { return [0..<0] }
    let total = offsets[rows]
    var parts: [Range<Int>] = []
    var start = 0
    for p in 1...count {
        let target = total * p / count
        var end = start
        while end < rows && (offsets[end] < target || p == count) { end += 1 }
        if end > start { parts.append(start..<end) }
        start = end
    }
    if start < rows { parts.append(start..<rows) }
    return parts.isEmpty ? [0..<0] : parts
}

/// `count` (at most `n`) contiguous ranges of `0..<n` of about equal length.
func balancedRows(_ n: Int, count: Int) -> [Range<Int>] {
    let c = max(1, min(count, n))
    return (0..<c).map { n * $0 / c..<n * ($0 + 1) / c }
}
