import TallyCore

/// Zero-Based Skill: a weighted majority vote whose weights move towards each worker's agreement
/// with the current vote, with a decaying learning rate.
///
/// Skills start at `1/K + eps`. For each of `iterations` steps `i = 1…`: when `i` is a multiple of
/// `learningRateStepsToReduce` the rate is multiplied by `learningRateReduceFactor`; a weighted vote
/// gives labels; each skill moves by `rate × (agreement − skill)`. A last weighted vote with the
/// final skills gives the labels and probabilities. There is no convergence test (as in
/// crowd-kit).
///
/// Parity: crowd-kit 1.4.2 `ZeroBasedSkill` (same schedule, same defaults).
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let model = try ZeroBasedSkill(iterations: 200).fit(answers)
/// let skills = model.skills!   // per worker id, the final vote weight
/// ```
///
/// - Complexity: `iterations + 1` passes over the answers.
public struct ZeroBasedSkill: Aggregator {
    /// Update steps (crowd-kit's `n_iter`, default 100); 0 gives the vote with the starting skills.
    public var iterations: Int
    /// The starting learning rate (crowd-kit's `lr_init`, default 1).
    public var learningRate: Double
    /// The rate is reduced at every step that is a multiple of this (`lr_steps_to_reduce`,
    /// default 20; must be > 0).
    public var learningRateStepsToReduce: Int
    /// The factor of each reduction (`lr_reduce_factor`, default 0.5).
    public var learningRateReduceFactor: Double
    /// Added to `1/K` for the starting skills (default 1e-5).
    public var eps: Double

    /// A zero-based-skill aggregator with crowd-kit 1.4.2's defaults.
    public init(
        iterations: Int = 100, learningRate: Double = 1.0, learningRateStepsToReduce: Int = 20,
        learningRateReduceFactor: Double = 0.5, eps: Double = 1e-5
    ) {
        self.iterations = iterations
        self.learningRate = learningRate
        self.learningRateStepsToReduce = learningRateStepsToReduce
        self.learningRateReduceFactor = learningRateReduceFactor
        self.eps = eps
    }

    /// Runs the schedule and the last weighted vote; the model's skills are the final weights.
    ///
    /// - Throws: ``AggregationError`` when `iterations` is negative or
    ///   `learningRateStepsToReduce` is not positive.
    public func fit(_ answers: AnswerTable) throws -> VoteModel {
        guard iterations >= 0, learningRateStepsToReduce > 0 else {
            throw AggregationError("iterations must be ≥ 0 and the steps between learning-rate reductions > 0")
        }
        var skills = [Double](repeating: 1 / Double(answers.labelCount) + eps, count: answers.workerCount)
        var rate = learningRate
        if iterations > 0 {
            for i in 1...iterations {
                if i % learningRateStepsToReduce == 0 { rate *= learningRateReduceFactor }
                let (_, labels, _) = VoteKernels.shares(answers, weights: skills)
                let agreement = VoteKernels.agreement(answers, reference: labels)
                for w in skills.indices { skills[w] = skills[w] + rate * (agreement[w] - skills[w]) }
            }
        }
        return MajorityVote.vote(answers, weights: skills, workersWithoutSkill: 0, reportedSkills: skills)
    }
}
