/// Counting (evalica 0.4.2's `counting`): each item's weighted wins plus a share of its draws.
///
/// A win adds `weight · winWeight` to the winner; a draw adds `weight · tieWeight` to both items.
public struct EvalicaCounting: EvalicaMethod {
    /// The value of a win (evalica's `win_weight`).
    public var winWeight: Double
    /// The value of a draw to each side (evalica's `tie_weight`).
    public var tieWeight: Double

    /// Counting with evalica's defaults (a win counts 1, a draw 0.5).
    public init(winWeight: Double = 1, tieWeight: Double = 0.5) {
        self.winWeight = winWeight
        self.tieWeight = tieWeight
    }

    /// The count of each item, by position.
    public func scores(_ c: EvalicaComparisons) -> [Double] {
        guard c.count > 0 else { return [] }
        var s = [Double](repeating: 0, count: c.itemCount)
        for i in 0..<c.count {
            let w = c.weights[i]
            switch c.winners[i] {
            case .x: s[Int(c.xs[i])] += w * winWeight
            case .y: s[Int(c.ys[i])] += w * winWeight
            case .draw:
                s[Int(c.xs[i])] += w * tieWeight
                s[Int(c.ys[i])] += w * tieWeight
            }
        }
        return s.map { Evalica.finite($0, 0) }
    }
}
