import TallyCore

extension EvalicaEigen {
    /// `eigen` in ``MethodRegistry``.
    public static let method = EvalicaFamily.descriptor(
        name: "eigen", title: "Eigenvector (evalica)", iterative: true,
        summary: "The leading eigenvector of the win matrix by power iteration (unit length), as evalica 0.4.2."
    ) { p in EvalicaEigen(weights: EvalicaWeights(p), stopping: EvalicaStopping(p)) }
}
