import TallyCore

extension EvalicaPageRank {
    /// `pagerank` in ``MethodRegistry``.
    public static let method = EvalicaFamily.descriptor(
        name: "pagerank", title: "PageRank (evalica)", iterative: true,
        summary: "PageRank of the comparison graph, each loss a link to the winner (damping 0.85; scores sum to 1), as evalica 0.4.2.",
        citation: "Brin & Page (1998), The anatomy of a large-scale hypertextual Web search engine, Computer Networks 30",
        own: [ParameterDescriptor("damping", "The damping factor (alpha).", default: .double(0.85))]
    ) { p in EvalicaPageRank(damping: p.double("damping"), weights: EvalicaWeights(p), stopping: EvalicaStopping(p)) }
}
