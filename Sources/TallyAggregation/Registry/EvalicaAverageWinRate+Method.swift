import TallyCore

extension EvalicaAverageWinRate {
    /// `win-rate` in ``MethodRegistry``.
    public static let method = EvalicaFamily.descriptor(
        name: "win-rate", title: "Average win rate (evalica)", iterative: false,
        summary: "Each item's win rate against every item it met, averaged over those opponents, as evalica 0.4.2."
    ) { p in EvalicaAverageWinRate(weights: EvalicaWeights(p)) }
}
