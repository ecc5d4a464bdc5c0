import TallyCore

extension EvalicaEigen {
    /// `eigen` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "eigen", title: "Eigenvector (evalica)",
        summary: "The leading eigenvector of the win matrix by power iteration (unit length), as evalica 0.4.2.",
        citation: "Ustalov (2025), Reliable, Reproducible, and Really Fast Leaderboards with Evalica, COLING 2025 System Demonstrations",
        family: .pairwise, crowdKitClass: nil, accepts: [.pairwise],
        parameters: EvalicaFamily.iterations + EvalicaFamily.weights() + EvalicaFamily.bootstrap, tables: ["intervals"]
    ) { answers, _, p in
        try EvalicaFamily.fit("eigen", answers, p, EvalicaEigen(winWeight: p.double("win-weight"), tieWeight: p.double("tie-weight"),
                                                                tolerance: p.double("tolerance"), limit: p.int("max-iterations")))
    }
}
