import CTallyKernels
import Foundation

/// Order-free sums: each term is rounded once, deterministically, onto a fixed-point grid and the
/// integers are added exactly (wrapping `Int128` arithmetic, which is associative), so a sum is a
/// function of the multiset of its terms — the same bits whatever the order, the grouping into
/// threads or the partitions of a Spark job.
///
/// Two grids:
/// - **Absolute** (``fixed(_:)``): `trunc(t · 2^64)` of each term clamped to `±2^40` (≈ 1.1·10^12).
///   Used for GLAD's per-answer terms (likelihood, gradients, E-step logits). The total must stay
///   below `2^63` in magnitude (≈ 9.2·10^18; beyond it the result wraps), each term loses less than
///   `2^-64` (5.4·10^-20) — far below a double sum's rounding of the same terms.
/// - **Relative** (``dot(_:_:)``): a dot product's terms on a grid `2^-(126 − ⌈log₂ n⌉)` of its
///   largest possible term `max|a|·max|b|` (an order-free bound), so the result is the exact sum
///   rounded once to a double, for any magnitudes.
///
/// NaN terms are counted, not added (a sum holding one is NaN).
///
/// ```swift
/// var s = ExactSum.Accumulator()
/// for t in [1e-3, 2.5, -1e-3] { s.add(t) }
/// s.value        // 2.5, in any order
/// ```
package enum ExactSum {
    /// Terms are clamped to `±cap` before rounding (`2^40`).
    package static let cap = 0x1p40
    /// The absolute grid: `2^-64`.
    package static let gridBits = 64

    /// `trunc(t · 2^shift)` as an integer, for `|t| · 2^shift < 2^127` (caller's bound); by the
    /// bits of `t`, so that C (glad.c's `fixed64`) and Swift agree.
    @inline(__always)
    package static func scaled(_ t: Double, shift: Int) -> Int128 {
        let bits = t.bitPattern
        let e = Int((bits &>> 52) & 0x7ff)
        guard e != 0 else { return 0 }  // zero and subnormals: far below every grid used here
        let m = (bits & ((1 << 52) - 1)) | (1 << 52)
        let s = e - 1075 + shift
        let v: Int128
        if s >= 64 {
            v = make(0, m &<< UInt64(s - 64))
        } else if s > 0 {
            v = make(m &<< UInt64(s), m &>> UInt64(64 - s))
        } else if s > -64 {
            v = make(m &>> UInt64(-s), 0)
        } else {
            v = 0
        }
        return bits &>> 63 == 1 ? 0 &- v : v
    }

    /// The `Int128` of two words (`lo`, then `hi`), without the generic conversions.
    @inline(__always)
    static func make(_ lo: UInt64, _ hi: UInt64) -> Int128 { unsafeBitCast((lo, hi), to: Int128.self) }

    /// The two words (`lo`, `hi`) of an `Int128`.
    @inline(__always)
    static func words(_ v: Int128) -> (lo: UInt64, hi: UInt64) { unsafeBitCast(v, to: (UInt64, UInt64).self) }

    /// `v` as a double, correctly rounded (as `Double(v)`, without its generic conversion).
    @inline(__always)
    package static func double(_ v: Int128) -> Double {
        let negative = v < 0
        let (lo, hi) = words(negative ? 0 &- v : v)  // Int128.min: 2^127 as unsigned words
        let r: Double
        if hi == 0 {
            r = Double(lo)
        } else {
            // The top 64 bits of the magnitude, the rest folded into a sticky bit: rounding the
            // 64 bits to 53 is then the correct rounding of all 128.
            let lz = UInt64(hi.leadingZeroBitCount)
            let top = lz == 0 ? hi : (hi &<< lz) | (lo &>> (64 - lz))
            let rest = lz == 0 ? lo : lo &<< lz
            r = Double(top | (rest != 0 ? 1 : 0)) * Double(sign: .plus, exponent: Int(64 - lz), significand: 1)
        }
        return negative ? -r : r
    }

    /// A term on the absolute grid (clamped to ±``cap``); nil for NaN.
    @inline(__always)
    package static func fixed(_ t: Double) -> Int128? {
        if t.isNaN { return nil }
        return scaled(min(max(t, -cap), cap), shift: gridBits)
    }

    /// An absolute-grid integer back as a double (rounded once).
    @inline(__always)
    package static func value(_ v: Int128) -> Double { double(v) * 0x1p-64 }

    /// An order-free sum on the absolute grid.
    package struct Accumulator {
        /// The integer sum (wrapping).
        package var sum: Int128 = 0
        /// NaN terms seen.
        package var nans: Int = 0
        /// An empty sum.
        package init() {}
        /// Adds one term.
        @inline(__always)
        package mutating func add(_ t: Double) {
            if let v = ExactSum.fixed(t) { sum &+= v } else { nans += 1 }
        }
        /// The sum as a double (NaN when a term was).
        package var value: Double { nans > 0 ? .nan : ExactSum.value(sum) }
    }

    /// `Σ aᵢ·bᵢ`, each product rounded as a double, then added exactly on a grid relative to
    /// `max|a|·max|b|`; the exact sum rounded once. Non-finite entries: the plain sum (inf or NaN).
    /// The sum runs in C (`tally_exact_dot`, four products at a time with AVX2): every product
    /// truncated onto the grid `2^-(126 − ⌈log₂ n⌉)` of `2^(ea + eb)` (`|aᵢ| < 2^ea`, `|bᵢ| < 2^eb`),
    /// the integers of ``scaled(_:shift:)``, added in wrapping 128-bit arithmetic.
    package static func dot(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        let n = min(a.count, b.count)
        guard n > 0, let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
        var exponent: Int32 = 0
        var sum: Int128 = 0
        switch tally_exact_dot(pa, pb, Int64(n), &exponent, &sum) {
        case 0:
            var s = 0.0
            for i in 0..<n { s += a[i] * b[i] }
            return s
        case 1:
            return 0
        default:
            return Double(sign: .plus, exponent: Int(exponent), significand: double(sum))
        }
    }

    /// ``dot(_:_:)`` of two arrays.
    package static func dot(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in dot(a, b) } }
    }

    /// An `Int128` as three `Int64` limbs `[v mod 2^40, ⌊v / 2^40⌋ mod 2^40, ⌊v / 2^80⌋]` that can be
    /// summed element-wise in `Int64` (numpy, a Spark reduction) over fewer than 2^16 partials
    /// without overflow, in any order; ``fromLimbs(_:_:_:)`` takes the sums back.
    package static func limbs(_ v: Int128) -> (Int64, Int64, Int64) {
        let (lo, hi) = words(v)
        let mask: UInt64 = (1 << 40) - 1
        // Bits 80… as a signed number: the high word shifted arithmetically by 16.
        return (Int64(bitPattern: lo & mask), Int64(bitPattern: ((lo &>> 40) | (hi &<< 24)) & mask), Int64(bitPattern: hi) &>> 16)
    }

    /// The `Int128` (mod 2^128) of summed limbs.
    package static func fromLimbs(_ l0: Int64, _ l1: Int64, _ l2: Int64) -> Int128 {
        widen(l0) &+ (widen(l1) &<< 40) &+ (widen(l2) &<< 80)
    }

    /// An `Int64` as an `Int128` (sign-extended).
    @inline(__always)
    static func widen(_ x: Int64) -> Int128 { make(UInt64(bitPattern: x), x < 0 ? .max : 0) }
}
