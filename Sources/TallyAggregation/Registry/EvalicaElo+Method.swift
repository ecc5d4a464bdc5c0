import TallyCore

extension EvalicaElo {
    /// `elo` in ``MethodRegistry``.
    public static let method = EvalicaFamily.descriptor(
        name: "elo", title: "Elo (evalica)", iterative: false,
        summary: "Elo ratings from one pass over the comparisons in file order, as evalica 0.4.2 (initial 1000, base 10, scale 400, K 4).",
        citation: "Elo (1978), The Rating of Chessplayers, Past and Present, Arco",
        own: [
            ParameterDescriptor("initial", "Every item's starting rating.", default: .double(1000)),
            ParameterDescriptor("base", "The base of the exponent.", default: .double(10)),
            ParameterDescriptor("scale", "The scale factor.", default: .double(400)),
            ParameterDescriptor("k", "The K-factor.", default: .double(4)),
        ]
    ) { p in
        EvalicaElo(initial: p.double("initial"), base: p.double("base"), scale: p.double("scale"), k: p.double("k"),
                   weights: EvalicaWeights(p))
    }
}
