import TallyCore

extension EvalicaCounting {
    /// `counting` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "counting", title: "Counting (evalica)",
        summary: "Item scores by counting weighted wins (draws count tie-weight to both), as evalica 0.4.2.",
        citation: "Ustalov (2025), Reliable, Reproducible, and Really Fast Leaderboards with Evalica, COLING 2025 System Demonstrations",
        family: .pairwise, crowdKitClass: nil, accepts: [.pairwise],
        parameters: EvalicaFamily.weights() + EvalicaFamily.bootstrap, tables: ["intervals"]
    ) { answers, _, p in
        try EvalicaFamily.fit("counting", answers, p, EvalicaCounting(winWeight: p.double("win-weight"), tieWeight: p.double("tie-weight")))
    }
}
