import Foundation
import TallyCore

/// Gaussian draws (Box–Muller) for random starts (``KOS``, ``MACE``, ``MMSR``).
extension SplitMix64 {
    /// Uniform in (0, 1).
    mutating func nextUniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }

    mutating func nextGaussian() -> Double {
        let u = nextUniform(), v = nextUniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}
