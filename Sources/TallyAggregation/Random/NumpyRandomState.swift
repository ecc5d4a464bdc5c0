/// numpy's legacy `numpy.random.RandomState(seed)` for an integer seed: MT19937 seeded with
/// `init_genrand` (Matsumoto–Nishimura's 32-bit seeding, which numpy uses for an `int` seed in
/// `0 ..< 2³²`), and `random_sample()` doubles built from two 32-bit outputs (`a >> 5`, `b >> 6`,
/// `(a·2²⁶ + b) / 2⁵³`).
///
/// This is how crowd-kit draws its starting values: `scipy.stats.uniform(loc, scale).rvs(size,
/// random_state=seed)` is `random_sample() · scale + loc` from a fresh `RandomState(seed)`, in
/// row-major order. ``MMSR`` (the start `u = v`) and ``MACE``'s crowd-kit mode (``MACE/Compatibility/crowdKit``)
/// use it so that a seed gives crowd-kit's start for the same `random_state`.
struct NumpyRandomState {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 624

    /// `RandomState(seed)` for an integer seed (numpy accepts `0 ..< 2³²`).
    init(seed: UInt32) {
        mt[0] = seed
        for i in 1..<624 { mt[i] = 1_812_433_253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i) }
    }

    /// The next tempered 32-bit output.
    mutating func nextUInt32() -> UInt32 {
        if index >= 624 {
            for i in 0..<624 {
                let y = (mt[i] & 0x8000_0000) | (mt[(i + 1) % 624] & 0x7FFF_FFFF)
                mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
            }
            index = 0
        }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// Uniform in [0, 1) with 53 random bits: numpy's `random_sample()`.
    mutating func randomSample() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864 + b) / 9_007_199_254_740_992
    }

    /// `count` draws of `scipy.stats.uniform(loc, scale).rvs(size, random_state: seed)`: a fresh
    /// `RandomState(seed)`, each value `random_sample() · scale + loc` (scipy's order of operations).
    static func uniformDraws(count: Int, loc: Double, scale: Double, seed: UInt32) -> [Double] {
        var rng = NumpyRandomState(seed: seed)
        return (0..<count).map { _ in rng.randomSample() * scale + loc }
    }
}
