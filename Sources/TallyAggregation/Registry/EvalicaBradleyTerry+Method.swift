import TallyCore

extension EvalicaBradleyTerry {
    /// `evalica-bt` in ``MethodRegistry`` (`bt` is crowd-kit's).
    public static let method = MethodDescriptor(
        name: "evalica-bt", title: "Bradley-Terry (evalica)",
        summary: "evalica 0.4.2's Bradley-Terry: in-place MM updates in evalica's item order, scores with geometric mean 1 (crowd-kit's is bt).",
        citation: "Bradley & Terry (1952), Biometrika 39; Newman (2023), JMLR 24",
        family: .pairwise, crowdKitClass: nil, accepts: [.pairwise],
        parameters: EvalicaFamily.iterations + EvalicaFamily.weights() + EvalicaFamily.bootstrap, tables: ["intervals"]
    ) { answers, _, p in
        try EvalicaFamily.fit("evalica-bt", answers, p, EvalicaBradleyTerry(winWeight: p.double("win-weight"), tieWeight: p.double("tie-weight"),
                                                                            tolerance: p.double("tolerance"), limit: p.int("max-iterations")))
    }
}
