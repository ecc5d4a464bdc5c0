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
/// - Complexity: `iterations + 1` passes over the answers.
public struct ZeroBasedSkill: Aggregator {
    public var iterations: Int
    public var learningRate: Double
    public var learningRateStepsToReduce: Int
    public var learningRateReduceFactor: Double
    public var eps: Double

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
