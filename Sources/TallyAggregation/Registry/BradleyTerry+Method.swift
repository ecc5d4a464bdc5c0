import TallyCore

extension BradleyTerry.Stopping: CustomStringConvertible {
    /// The CLI spelling.
    public var description: String { rawValue }
}

extension BradleyTerry {
    /// `bt` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "bt", title: "Bradley-Terry",
        summary: "Item scores from pairwise comparisons by Hunter's MM algorithm (scores sum to 1).",
        citation: "Bradley & Terry (1952), Biometrika 39; Hunter (2004), MM algorithms for generalized Bradley-Terry models, Ann. Statist. 32",
        family: .pairwise, crowdKitClass: "BradleyTerry", accepts: [.pairwise],
        parameters: [
            .maxIterations(100, "At most this many MM iterations (crowd-kit's n_iter)."),
            .tolerance(1e-5, "Stop when the L1 change of the scores is below this (crowd-kit's tol)."),
            ParameterDescriptor("stopping", "change: until the L1 change is below the tolerance; crowd-kit: after the second iteration when the tolerance is positive, as crowd-kit 1.4.2 (its previous iterate aliases the current one).",
                                default: .string(Stopping.change.rawValue), choices: Stopping.allCases.map(\.rawValue), crowdKit: .string(Stopping.crowdKit.rawValue)),
        ]
    ) { answers, _, p in
        let model = BradleyTerry(maxIterations: p.int("max-iterations"), tolerance: p.double("tolerance"), stopping: p.choice("stopping"))
            .fit(try answers.pairwiseAnswers(for: "bt"))
        var result = MethodResult(iterations: model.iterations, lossHistory: model.lossHistory)
        result.itemScores = model.scores
        return result
    }
}
