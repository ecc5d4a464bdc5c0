import TallyCore

extension EvalicaElo {
    /// `elo` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "elo", title: "Elo (evalica)",
        summary: "Elo ratings from one pass over the comparisons in file order, as evalica 0.4.2 (initial 1000, base 10, scale 400, K 4).",
        citation: "Elo (1978), The Rating of Chessplayers, Past and Present, Arco",
        family: .pairwise, crowdKitClass: nil, accepts: [.pairwise],
        parameters: [
            ParameterDescriptor("initial", "Every item's starting rating.", default: .double(1000)),
            ParameterDescriptor("base", "The base of the exponent.", default: .double(10)),
            ParameterDescriptor("scale", "The scale factor.", default: .double(400)),
            ParameterDescriptor("k", "The K-factor.", default: .double(4)),
        ] + EvalicaFamily.weights() + EvalicaFamily.bootstrap, tables: ["intervals"]
    ) { answers, _, p in
        try EvalicaFamily.fit("elo", answers, p, EvalicaElo(initial: p.double("initial"), base: p.double("base"), scale: p.double("scale"), k: p.double("k"),
                                                            winWeight: p.double("win-weight"), tieWeight: p.double("tie-weight")))
    }
}
