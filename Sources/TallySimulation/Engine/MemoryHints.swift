import Foundation

/// Asks Linux to back the 2 MiB-aligned part of `bytes` bytes at `address` with transparent huge pages
/// (fewer page faults and TLB misses for the run's large arrays; a hint, nothing else).
@inline(__always)
func adviseHugePages(_ address: UnsafeRawPointer, _ bytes: Int) {
    #if os(Linux)
    let huge = 2 << 20
    let start = (Int(bitPattern: address) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: address) + bytes) & ~(huge - 1)
    if end > start { _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE) }
    #endif
}

extension Array {
    /// Reserves room for `n` elements, asking for huge pages when that is large.
    mutating func reserveHuge(_ n: Int) {
        reserveCapacity(n)
        guard n * MemoryLayout<Element>.stride >= 4 << 20 else { return }
        withUnsafeMutableBufferPointer { b in adviseHugePages(UnsafeRawPointer(b.baseAddress!), b.count * MemoryLayout<Element>.stride) }
    }
}

extension Array {
    /// `source.map(transform)` into a buffer on huge pages when it is large.
    init<S>(hugeMap source: [S], _ transform: (S) -> Element) {
        let n = source.count
        self.init(unsafeUninitializedCapacity: n) { b, count in
            if n * MemoryLayout<Element>.stride >= 4 << 20 { adviseHugePages(UnsafeRawPointer(b.baseAddress!), n * MemoryLayout<Element>.stride) }
            source.withUnsafeBufferPointer { s in
                for i in 0..<n { (b.baseAddress! + i).initialize(to: transform(s[i])) }
            }
            count = n
        }
    }
}

/// LLVM's prefetch intrinsic (`prefetcht0` on x86-64, `prfm` on arm64): a hint that never faults.
@_silgen_name("llvm.prefetch.p0")
private func llvmPrefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ dataCache: Int32)

/// Asks the CPU to bring the cache line at `address` into cache.
@inline(__always)
func prefetch(_ address: UnsafeRawPointer) { llvmPrefetch(address, 0, 3, 1) }

/// Sorts a short array in place without allocating.
@inline(__always)
func insertionSort(_ a: inout [UInt64]) {
    var i = 1
    while i < a.count {
        let x = a[i]
        var j = i - 1
        while j >= 0, a[j] > x { a[j + 1] = a[j]; j -= 1 }
        a[j + 1] = x
        i += 1
    }
}
