import TallyCore

/// Majority vote weighted by each worker's accuracy on golden tasks.
///
/// A worker's skill is the share of their (distinct) answers on gold tasks that equal the gold
/// label; then every task, golden or not, gets a vote weighted by those skills.
///
/// crowd-kit's `GoldMajorityVote` raises when any worker has no golden answer. Tally does not:
/// by default such a worker votes with the **mean skill of the workers who do have golden
/// answers** (``MissingSkillPolicy/mean``) — the best guess about an unmeasured member of the
/// same crowd, and one that neither silences new workers nor trusts them more than the rest.
/// ``MissingSkillPolicy/error`` restores crowd-kit's behaviour; `.ignore` and `.value(_:)` are
/// there too. ``VoteModel/workersWithoutSkill`` counts the workers filled in; their reported skill
/// (``VoteModel/skills``, what `--skills` writes) is the weight they voted with — the mean, or the
/// given value — so the skills file says what the vote did; under `.ignore` it is NaN (they did
/// not vote).
///
/// Parity: crowd-kit 1.4.2 `GoldMajorityVote` wherever crowd-kit does not raise.
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let gold = try GoldReader.read("gold.tsv")
/// let model = try GoldMajorityVote(gold: gold).fit(answers)
/// print(model.workersWithoutSkill, "workers had no golden answer")
/// ```
public struct GoldMajorityVote: Aggregator {
    /// The golden tasks and their labels, by name; tasks without answers are ignored.
    public var gold: GoldLabels
    /// What workers with no answer on a golden task vote with (default ``MissingSkillPolicy/mean``).
    public var onMissingSkill: MissingSkillPolicy

    /// A gold-weighted vote.
    public init(gold: GoldLabels, onMissingSkill: MissingSkillPolicy = .mean) {
        self.gold = gold
        self.onMissingSkill = onMissingSkill
    }

    /// Measures each worker on the golden tasks, then votes on every task.
    ///
    /// - Throws: ``AggregationError`` when no gold task has an answer, or when a worker has no
    ///   golden answer and ``onMissingSkill`` is ``MissingSkillPolicy/error`` (or `.ignore`
    ///   leaves a task with no answer).
    public func fit(_ answers: AnswerTable) throws -> VoteModel {
        let alignment = gold.aligned(to: answers)
        guard alignment.goldTasks > 0 else {
            throw AggregationError("none of the \(gold.count) gold tasks has an answer, so no worker's accuracy can be measured")
        }
        let accuracy = VoteKernels.agreement(answers, reference: alignment.labelOfTask)
        let known = accuracy.map { $0.isNaN ? nil : $0 }
        let (weights, missing) = try MajorityVote.resolve(known, policy: onMissingSkill, table: answers)
        // A worker without gold reports the weight it voted with (NaN when left out).
        let reported = accuracy.indices.map { accuracy[$0].isNaN ? weights[$0] : accuracy[$0] }
        return MajorityVote.vote(answers, weights: weights, workersWithoutSkill: missing, reportedSkills: reported)
    }
}
