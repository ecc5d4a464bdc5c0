import CTallyKernels
import Foundation
import Testing
@testable import TallyAggregation
import TallyCore

/// The blocked two-label pass (`binary_blocked.c`, issue 17) against the simple passes it replaces
/// (`binary.c` for the engine, `compact.c` for the compact table): the same bits in posteriors,
/// labels, counts, column sums and entropy term, for 16- and 32-bit entries, int64 and uint32
/// offsets, soft and hard EM, with and without golden tasks, aligned and unaligned posteriors, and
/// ranges that do not start or end on a block boundary; every variant (baseline, AVX2, AVX-512).
@Suite("Blocked two-label DS kernel: the simple passes' bits")
struct BinaryBlockedKernelTests {
    /// Task-sorted random answers: 1 to 13 per task from `workers` workers.
    private struct Answers {
        var offsets: [Int64] = [0]
        var entries: [Int32] = []
        var gold: [Int32] = []
        var d: [Double] = []
        var tasks: Int { offsets.count - 1 }

        init(tasks: Int, workers: Int, seed: UInt64) {
            var r = SplitMix64(seed: seed)
            for _ in 0..<tasks {
                let count = 1 + Int(r.next() % 13)
                for _ in 0..<count { entries.append(Int32(r.next() % UInt64(workers)) * 2 + Int32(r.next() % 2)) }
                offsets.append(Int64(entries.count))
                gold.append(r.next() % 10 == 0 ? Int32(r.next() % 2) : -1)
            }
            // Log-odds up to ±12 per answer: sums beyond the e^-69 flush and tiny posteriors occur.
            d = (0..<(workers * 2)).map { _ in (Double(r.next() % 4001) - 2000) / 166.0 }
        }
    }

    private func bits(_ x: [Double]) -> [UInt64] { x.map(\.bitPattern) }

    /// Every variant of the pass; AVX2 and AVX-512 are skipped where the CPU lacks them.
    private let variants = [TALLY_DS_AUTO, TALLY_DS_BASELINE, TALLY_DS_AVX2, TALLY_DS_AVX512]

    /// Whether `variant` can run on this CPU.
    private func available(_ variant: Int) -> Bool {
        switch variant {
        case TALLY_DS_AVX2: return tally_kernels_avx2() != 0
        case TALLY_DS_AVX512: return tally_kernels_avx512() != 0
        default: return true
        }
    }

    @Test("engine layout: the bits of binary.c (16- and 32-bit entries, gold, soft and hard, aligned or not)",
          arguments: [300, 40_000])
    func engineLayout(workers: Int) throws {
        let a = Answers(tasks: 1000, workers: workers, seed: UInt64(workers))
        let narrow = a.entries.map { UInt16(truncatingIfNeeded: $0) }
        let (begin, end) = (37, a.tasks - 5)
        for hard in [0, 1] {
            for withGold in [false, true] {
                let gold: [Int32]? = withGold ? a.gold : nil
                var pRef = [Double](repeating: 0, count: 2 * a.tasks), nRef = [Double](repeating: 0, count: 4 * workers)
                var outRef = [Double](repeating: 0, count: 3)
                tally_ds_binary_range(a.offsets, a.entries, a.d, 0.25, gold, &pRef, &nRef, Int64(begin), Int64(end), Int32(hard), &outRef)
                let layouts = workers * 2 <= 65536 ? [false, true] : [false]
                for sixteen in layouts {
                    for variant in variants where available(variant) {
                        for shift in [0, 1] {  // p at a 16-byte boundary (streaming stores) or 8 bytes off
                            var storage = [Double](repeating: 0, count: 2 * a.tasks + 1)
                            var n = [Double](repeating: 0, count: 4 * workers), out = [Double](repeating: 0, count: 3)
                            let status = storage.withUnsafeMutableBufferPointer { s in
                                a.offsets.withUnsafeBufferPointer { o in
                                    a.entries.withUnsafeBufferPointer { e32 in
                                        narrow.withUnsafeBufferPointer { e16 in
                                            let entries = sixteen ? UnsafeRawPointer(e16.baseAddress!) : UnsafeRawPointer(e32.baseAddress!)
                                            return tally_ds_binary_blocked(o.baseAddress!, 0, entries, sixteen ? 1 : 0, a.d, 0.25, gold,
                                                                           s.baseAddress! + shift, nil, &n, Int64(begin), Int64(end),
                                                                           Int32(hard), &out, Int32(variant))
                                        }
                                    }
                                }
                            }
                            #expect(status == 0)
                            let p = Array(storage[shift..<(shift + 2 * a.tasks)])
                            let label = "W \(workers), hard \(hard), gold \(withGold), 16-bit \(sixteen), variant \(variant), shift \(shift)"
                            #expect(bits(Array(p[(2 * begin)..<(2 * end)])) == bits(Array(pRef[(2 * begin)..<(2 * end)])), "\(label)")
                            #expect(p[0..<(2 * begin)].allSatisfy { $0 == 0 }, "\(label): wrote outside the range")
                            #expect(bits(n) == bits(nRef), "\(label)")
                            #expect(bits(out) == bits(outRef), "\(label)")
                        }
                    }
                }
            }
        }
    }

    @Test("compact layout: the bits of compact.c (uint32 offsets, label bytes, no posteriors)")
    func compactLayout() throws {
        let a = Answers(tasks: 777, workers: 500, seed: 9)
        let offsets32 = a.offsets.map { UInt32($0) }
        var labelsRef = [UInt8](repeating: 7, count: a.tasks), nRef = [Double](repeating: 0, count: 2000)
        var outRef = [Double](repeating: 0, count: 3)
        tally_ds_binary_compact(offsets32, a.entries, a.d, -0.5, nil, &labelsRef, &nRef, 0, Int64(a.tasks), 0, &outRef)
        for variant in variants where available(variant) {
            var labels = [UInt8](repeating: 7, count: a.tasks), n = [Double](repeating: 0, count: 2000)
            var out = [Double](repeating: 0, count: 3)
            #expect(tally_ds_binary_blocked(offsets32, 1, a.entries, 0, a.d, -0.5, nil, nil, &labels, &n, 0, Int64(a.tasks), 0, &out,
                                            Int32(variant)) == 0)
            #expect(labels == labelsRef)
            #expect(bits(n) == bits(nRef))
            #expect(bits(out) == bits(outRef))
        }
    }
}
