import Foundation
import TallyCore

/// The emulator's draws: the crowd's timings and answers, ids and UUIDs. The same seed gives the
/// same crowd, answers and ids.
extension SplitMix64 {
    /// Exponentially distributed with the given mean.
    mutating func exponential(mean: Double) -> Double { -mean * log(1 - unit()) }

    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(unit(), 0x1p-53), v = unit()
        return sqrt(-2 * log(u)) * cos(2 * .pi * v)
    }

    /// Log-normal with the given median and log-space standard deviation.
    mutating func logNormal(median: Double, sigma: Double) -> Double { median * exp(sigma * normal()) }

    /// `n` hex digits.
    mutating func hex(_ n: Int) -> String {
        var s = ""
        while s.count < n { s += String(format: "%016llx", next()) }
        return String(s.prefix(n))
    }

    /// A version-4 UUID string.
    mutating func uuid() -> String {
        let h = Array(hex(32))
        let variant = Array("89ab")[Int(next() % 4)]
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-4" + String(h[13..<16]) + "-" + String(variant) + String(h[17..<20]) + "-" + String(h[20..<32])
    }
}

/// Mixes a seed with a salt, so that independent streams come from one seed.
func mixSeed(_ seed: UInt64, _ salt: UInt64) -> UInt64 {
    var g = SplitMix64(seed: seed ^ (salt &* 0x9E37_79B9_7F4A_7C15))
    return g.next()
}

/// FNV-1a over a string: a hash that is the same in every run (Swift's `Hasher` is randomly seeded).
func stableHash(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 {
        h ^= UInt64(b)
        h &*= 0x100_0000_01b3
    }
    return h
}
