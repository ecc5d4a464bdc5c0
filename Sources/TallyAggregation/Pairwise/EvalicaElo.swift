import Foundation

/// Elo ratings (evalica 0.4.2's `elo`): one pass over the comparisons in order, each moving both
/// items' ratings by `k · (scored − expected)`.
///
/// The expected score of `x` is `qx / (qx + qy)` with `q = base^(rating / scale)`; a win scores
/// `weight · weights.win` for the winner, a draw `weight · weights.tie` for both.
public struct EvalicaElo: EvalicaMethod {
    /// Every item's starting rating.
    public var initial: Double
    /// The base of the exponent.
    public var base: Double
    /// The scale factor.
    public var scale: Double
    /// The K-factor (evalica's default is 4).
    public var k: Double
    /// The value of a win and of a draw.
    public var weights: EvalicaWeights

    /// Elo (evalica's defaults unless given).
    public init(initial: Double = 1000, base: Double = 10, scale: Double = 400, k: Double = 4, weights: EvalicaWeights = EvalicaWeights()) {
        self.initial = initial
        self.base = base
        self.scale = scale
        self.k = k
        self.weights = weights
    }

    /// The final rating of each item, by position.
    public func scores(_ c: EvalicaComparisons) -> [Double] {
        guard c.count > 0 else { return [] }
        var s = [Double](repeating: initial, count: c.itemCount)
        for i in 0..<c.count {
            let x = Int(c.xs[i]), y = Int(c.ys[i]), w = c.weights[i]
            let qx = Evalica.finite(pow(base, s[x] / scale), 0)
            let qy = Evalica.finite(pow(base, s[y] / scale), 0)
            let q = Evalica.finite(qx + qy, 0)
            let ex = Evalica.finite(qx / q, 0), ey = Evalica.finite(qy / q, 0)
            var sx = 0.0, sy = 0.0
            switch c.winners[i] {
            case .x: sx = w * weights.win
            case .y: sy = w * weights.win
            case .draw: sx = w * weights.tie; sy = sx
            }
            s[x] += k * (sx - ex)
            s[y] += k * (sy - ey)
        }
        return s.map { Evalica.finite($0, 0) }
    }
}
