import TallyCore

extension EvalicaCounting {
    /// `counting` in ``MethodRegistry``.
    public static let method = EvalicaFamily.descriptor(
        name: "counting", title: "Counting (evalica)", iterative: false,
        summary: "Item scores by counting weighted wins (draws count tie-weight to both), as evalica 0.4.2."
    ) { p in EvalicaCounting(weights: EvalicaWeights(p)) }
}
