import TallyCore

extension EvalicaBradleyTerry {
    /// `evalica-bt` in ``MethodRegistry`` (`bt` is crowd-kit's).
    public static let method = EvalicaFamily.descriptor(
        name: "evalica-bt", title: "Bradley-Terry (evalica)", iterative: true,
        summary: "evalica 0.4.2's Bradley-Terry: in-place MM updates in evalica's item order, scores with geometric mean 1 (crowd-kit's is bt).",
        citation: "Bradley & Terry (1952), Biometrika 39; Newman (2023), JMLR 24"
    ) { p in EvalicaBradleyTerry(weights: EvalicaWeights(p), stopping: EvalicaStopping(p)) }
}
