/// Steele, Lea & Flood's SplitMix64 generator ("Fast splittable pseudorandom number generators",
/// OOPSLA 2014): small, fast and seeded, so that the same seed gives the same numbers on every
/// platform. Aggregators' random starts, the emulator's crowd and ids, the simulator's seeding and
/// tests draw from it.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    /// A generator starting from `seed`; the same seed always gives the same sequence.
    @inlinable
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1): the top 53 bits of a draw.
    @inlinable
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
