import TallyCore

/// Worker Agreement With Aggregate: majority vote, then a vote weighted by each worker's
/// agreement with it.
///
/// 1. Majority vote. 2. A worker's skill is the share of their (distinct) answers that equal the
/// majority label. 3. Majority vote weighted by those skills gives the labels and probabilities.
///
/// Parity: crowd-kit 1.4.2 `Wawa`.
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let model = try Wawa().fit(answers)
/// let agreement = model.skills!   // per worker id: share of answers equal to the majority
/// ```
///
/// - Complexity: three passes over the answers.
public struct Wawa: Aggregator {
    /// Wawa has no settings.
    public init() {}

    /// Runs the two votes; it does not throw on any table.
    public func fit(_ answers: AnswerTable) throws -> VoteModel {
        let mv = MajorityVote.vote(answers, weights: nil, workersWithoutSkill: 0)
        let skills = mv.skills!
        return MajorityVote.vote(answers, weights: skills, workersWithoutSkill: 0, reportedSkills: skills)
    }
}
