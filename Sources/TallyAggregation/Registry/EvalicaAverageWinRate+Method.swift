import TallyCore

extension EvalicaAverageWinRate {
    /// `win-rate` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "win-rate", title: "Average win rate (evalica)",
        summary: "Each item's win rate against every item it met, averaged over those opponents, as evalica 0.4.2.",
        citation: "Ustalov (2025), Reliable, Reproducible, and Really Fast Leaderboards with Evalica, COLING 2025 System Demonstrations",
        family: .pairwise, crowdKitClass: nil, accepts: [.pairwise],
        parameters: EvalicaFamily.weights() + EvalicaFamily.bootstrap, tables: ["intervals"]
    ) { answers, _, p in
        try EvalicaFamily.fit("win-rate", answers, p, EvalicaAverageWinRate(winWeight: p.double("win-weight"), tieWeight: p.double("tie-weight")))
    }
}
