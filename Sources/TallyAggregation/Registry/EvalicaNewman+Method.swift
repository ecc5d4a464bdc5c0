import TallyCore

extension EvalicaNewman {
    /// `newman` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "newman", title: "Newman's algorithm (evalica)",
        summary: "Bradley-Terry with ties (Davidson) fitted by Newman's iteration with the tie parameter re-estimated, as evalica 0.4.2.",
        citation: "Newman (2023), Efficient Computation of Rankings from Pairwise Comparisons, JMLR 24",
        family: .pairwise, crowdKitClass: nil, accepts: [.pairwise],
        parameters: [ParameterDescriptor("v-init", "The starting tie parameter.", default: .double(0.5))]
            + EvalicaFamily.iterations + EvalicaFamily.weights(tie: 1) + EvalicaFamily.bootstrap, tables: ["intervals"]
    ) { answers, _, p in
        try EvalicaFamily.fit("newman", answers, p, EvalicaNewman(vInit: p.double("v-init"), winWeight: p.double("win-weight"), tieWeight: p.double("tie-weight"),
                                                                  tolerance: p.double("tolerance"), limit: p.int("max-iterations")))
    }
}
