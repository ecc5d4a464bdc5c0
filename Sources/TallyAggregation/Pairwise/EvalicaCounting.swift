/// Counting (evalica 0.4.2's `counting`): each item's weighted wins plus a share of its draws.
///
/// A win adds `weight · weights.win` to the winner; a draw adds `weight · weights.tie` to both items.
public struct EvalicaCounting: EvalicaMethod {
    /// The value of a win and of a draw.
    public var weights: EvalicaWeights

    /// Counting with `weights` (evalica's defaults: a win counts 1, a draw 0.5).
    public init(weights: EvalicaWeights = EvalicaWeights()) { self.weights = weights }

    /// The count of each item, by position.
    public func scores(_ c: EvalicaComparisons) -> [Double] {
        guard c.count > 0 else { return [] }
        var s = [Double](repeating: 0, count: c.itemCount)
        for i in 0..<c.count {
            let w = c.weights[i]
            switch c.winners[i] {
            case .x: s[Int(c.xs[i])] += w * weights.win
            case .y: s[Int(c.ys[i])] += w * weights.win
            case .draw:
                s[Int(c.xs[i])] += w * weights.tie
                s[Int(c.ys[i])] += w * weights.tie
            }
        }
        return s.map { Evalica.finite($0, 0) }
    }
}
