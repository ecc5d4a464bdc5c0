import TallyCore

extension EvalicaNewman {
    /// `newman` in ``MethodRegistry``.
    public static let method = EvalicaFamily.descriptor(
        name: "newman", title: "Newman's algorithm (evalica)", iterative: true, tie: 1,
        summary: "Bradley-Terry with ties (Davidson) fitted by Newman's iteration with the tie parameter re-estimated, as evalica 0.4.2.",
        citation: "Newman (2023), Efficient Computation of Rankings from Pairwise Comparisons, JMLR 24",
        own: [ParameterDescriptor("v-init", "The starting tie parameter.", default: .double(0.5))]
    ) { p in EvalicaNewman(vInit: p.double("v-init"), weights: EvalicaWeights(p), stopping: EvalicaStopping(p)) }
}
