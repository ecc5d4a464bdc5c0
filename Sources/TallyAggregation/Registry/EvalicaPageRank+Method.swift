import TallyCore

extension EvalicaPageRank {
    /// `pagerank` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "pagerank", title: "PageRank (evalica)",
        summary: "PageRank of the comparison graph, each loss a link to the winner (damping 0.85; scores sum to 1), as evalica 0.4.2.",
        citation: "Brin & Page (1998), The anatomy of a large-scale hypertextual Web search engine, Computer Networks 30",
        family: .pairwise, crowdKitClass: nil, accepts: [.pairwise],
        parameters: [ParameterDescriptor("damping", "The damping factor (alpha).", default: .double(0.85))]
            + EvalicaFamily.iterations + EvalicaFamily.weights() + EvalicaFamily.bootstrap, tables: ["intervals"]
    ) { answers, _, p in
        try EvalicaFamily.fit("pagerank", answers, p, EvalicaPageRank(damping: p.double("damping"), winWeight: p.double("win-weight"), tieWeight: p.double("tie-weight"),
                                                                      tolerance: p.double("tolerance"), limit: p.int("max-iterations")))
    }
}
