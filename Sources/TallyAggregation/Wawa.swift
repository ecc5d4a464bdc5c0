import TallyCore

/// Worker Agreement With Aggregate: majority vote, then a vote weighted by each worker's
/// agreement with it.
///
/// 1. Majority vote. 2. A worker's skill is the share of their (distinct) answers that equal the
/// majority label. 3. Majority vote weighted by those skills gives the labels and probabilities.
///
/// Parity: crowd-kit 1.4.2 `Wawa`.
///
/// - Complexity: three passes over the answers.
public struct Wawa: Aggregator {
    public init() {}

    public func fit(_ answers: AnswerTable) throws -> VoteModel {
        let mv = MajorityVote.vote(answers, weights: nil, workersWithoutSkill: 0)
        let skills = mv.skills!
        return MajorityVote.vote(answers, weights: skills, workersWithoutSkill: 0, reportedSkills: skills)
    }
}
