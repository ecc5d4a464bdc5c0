import TallyCore

extension NoisyBradleyTerry {
    /// `noisy-bt` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "noisy-bt", title: "Noisy Bradley-Terry",
        summary: "Item scores from pairwise comparisons with a skill and a left/right bias per worker, fitted by L-BFGS-B.",
        citation: "Bugakova et al. (2019), Aggregation of pairwise comparisons with reduction of biases, NeurIPS Workshop on Learning with Rich Experience",
        family: .pairwise, crowdKitClass: "NoisyBradleyTerry", accepts: [.pairwise],
        parameters: [
            .maxIterations(100, "At most this many L-BFGS-B iterations (crowd-kit's n_iter)."),
            .tolerance(1e-5, "Stop when the objective's relative reduction is at most this (crowd-kit's tol, as a 32-bit float)."),
            ParameterDescriptor("regularization", "Weight of the scores' regularisation (crowd-kit's regularization_ratio).", default: .double(1e-5)),
            .seed(0, "Seed of numpy's RandomState for the starting values (crowd-kit's random_state)."),
        ],
        tables: ["biases"], makesSkills: true
    ) { answers, _, p in
        let seed = p.unsigned("seed")
        guard seed <= UInt64(UInt32.max) else { throw AggregationError("noisy-bt: seed must be below 2^32 (numpy's RandomState), got \(seed)") }
        let model = NoisyBradleyTerry(maxIterations: p.int("max-iterations"), tolerance: p.double("tolerance"),
                                      regularization: p.double("regularization"), seed: UInt32(seed)).fit(try answers.pairwiseAnswers(for: "noisy-bt"))
        var result = MethodResult(iterations: model.iterations,
                                  tables: [MethodTable(name: "biases", rows: .workers, columns: ["bias"], values: model.biases)],
                                  notes: ["noisy-bt: L-BFGS-B stopped (\(model.stoppedBy)) after \(model.iterations) iterations, \(model.evaluations) evaluations; loss \(model.loss)"])
        result.itemScores = model.scores
        result.workerSkills = model.skills
        return result
    }
}
