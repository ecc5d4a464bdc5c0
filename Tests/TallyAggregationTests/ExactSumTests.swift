import CTallyKernels
import Foundation
import Testing
import TallyCore
@testable import TallyAggregation

/// ``ExactSum``: order-free sums on a fixed-point grid and exact dot products.
@Suite("ExactSum: order-free sums")
struct ExactSumTests {
    @Test("the fast conversions agree with the standard library's; limbs round-trip and add up")
    func conversionsAndLimbs() {
        var rng = SplitMix64(seed: 18)
        var values: [Int128] = [0, 1, -1, .max, .min, 1 << 64, -(1 << 64), (1 << 53) + 1, (1 << 80) + 3]
        for _ in 0..<300 {
            let hi = rng.next(), lo = rng.next()
            values.append(ExactSum.make(lo, hi >> (rng.next() % 64)))
            values.append(0 &- ExactSum.make(lo, hi >> (rng.next() % 64)))
        }
        for v in values {
            #expect(ExactSum.double(v) == Double(v), "\(v)")
            let (a, b, c) = ExactSum.limbs(v)
            #expect(ExactSum.fromLimbs(a, b, c) == v)
        }
        // Limbs summed as Int64 give the Int128 sum (mod 2^128).
        var s = (Int64(0), Int64(0), Int64(0)), total: Int128 = 0
        for v in values.prefix(500) {
            let (a, b, c) = ExactSum.limbs(v)
            s = (s.0 &+ a, s.1 &+ b, s.2 &+ c)
            total &+= v
        }
        #expect(ExactSum.fromLimbs(s.0, s.1, s.2) == total)
        // The grid: trunc(t · 2^64), by the bits of t.
        for t in [1.0, -2.5, 0x1p-70, 3.141592653589793, -1e-5, 1e12] {
            #expect(ExactSum.scaled(t, shift: 64) == Int128(t * 0x1p64))
        }
    }

    @Test("sums and dot products: the same bits in any order, close to the exact value")
    func orderFree() {
        var rng = SplitMix64(seed: 7)
        let n = 2000
        let a = (0..<n).map { _ in Double(rng.next() % 1_000_000) / 1000 - 500 }
        let b = (0..<n).map { i in (Double(rng.next() % 1000) / 1000 - 0.5) * pow(10, Double(i % 9) - 4) }
        var acc = ExactSum.Accumulator()
        for x in b { acc.add(x) }
        let dot = ExactSum.dot(a, b)
        let naive = zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 }
        #expect(abs(dot - naive) <= 1e-9 * max(1, abs(naive)))
        for _ in 0..<5 {
            let order = (0..<n).shuffled(using: &rng)
            var other = ExactSum.Accumulator()
            for i in order { other.add(b[i]) }
            #expect(other.sum == acc.sum)
            #expect(ExactSum.dot(order.map { a[$0] }, order.map { b[$0] }).bitPattern == dot.bitPattern)
        }
        var nan = ExactSum.Accumulator()
        nan.add(1)
        nan.add(.nan)
        #expect(nan.value.isNaN)
        #expect(ExactSum.dot([1, .infinity], [1, 1]) == .infinity)
        #expect(ExactSum.dot([0, 0], [1, 2]) == 0)
    }

    /// ExactSum.dot as it was written in Swift before it moved to C (the specification): every
    /// product on the grid by ``ExactSum/scaled(_:shift:)``, added in `Int128`.
    static func referenceDot(_ a: [Double], _ b: [Double]) -> Double {
        let n = min(a.count, b.count)
        var ma = 0.0, mb = 0.0
        for i in 0..<n {
            let x = abs(a[i]), y = abs(b[i])
            if !x.isFinite || !y.isFinite { return zip(a, b).reduce(0.0) { $0 + $1.0 * $1.1 } }
            ma = max(ma, x)
            mb = max(mb, y)
        }
        if ma == 0 || mb == 0 { return 0 }
        let ea = Int(ma.exponent) + 1, eb = Int(mb.exponent) + 1
        let fraction = 126 - (Int.bitWidth - max(n, 1).leadingZeroBitCount)
        var sum: Int128 = 0
        for i in 0..<n {
            let p = a[i] * b[i]
            if p != 0 { sum &+= ExactSum.scaled(p, shift: fraction - ea - eb) }
        }
        return Double(sign: .plus, exponent: ea + eb - fraction, significand: ExactSum.double(sum))
    }

    @Test("the C dot product (AVX2 when the CPU has it) gives the Swift algorithm's bits, tiny and huge magnitudes included")
    func dotMatchesReference() {
        var rng = SplitMix64(seed: 1818)
        func uniform() -> Double { Double(rng.next() >> 11) * 0x1p-53 }
        for trial in 0..<400 {
            let n = 1 + Int(rng.next() % (trial % 3 == 0 ? 3000 : 40))
            let sa = pow(2, (uniform() - 0.5) * (trial % 4 == 0 ? 1800 : 60))
            let sb = pow(2, (uniform() - 0.5) * (trial % 5 == 0 ? 1800 : 60))
            var a = (0..<n).map { _ in (uniform() - 0.5) * sa * pow(2, (uniform() - 0.5) * 100) }
            var b = (0..<n).map { _ in (uniform() - 0.5) * sb }
            for i in 0..<n where rng.next() % 20 == 0 { a[i] = 0 }
            for i in 0..<n where rng.next() % 50 == 0 { b[i] = -0.0 }
            if trial % 7 == 0 { for i in 0..<n where rng.next() % 10 == 0 { a[i] = Double.leastNonzeroMagnitude * Double(1 + rng.next() % 100) } }
            if trial % 11 == 0 { a[Int(rng.next() % UInt64(n))] = trial % 2 == 0 ? .infinity : .nan }
            let want = Self.referenceDot(a, b), got = ExactSum.dot(a, b)
            #expect(got.bitPattern == want.bitPattern || (got.isNaN && want.isNaN), "trial \(trial): \(got) vs \(want)")
        }
    }
}
