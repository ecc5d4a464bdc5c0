import TallyCore

/// What to do with answers of workers whose skill is not known, when votes are weighted.
///
/// The choices of crowd-kit's `on_missing_skill`, plus one of Tally's own.
public enum MissingSkillPolicy: Sendable, Equatable {
    /// Refuse to aggregate (crowd-kit's default).
    case error
    /// Leave those answers out; fail if a task is left with no answer.
    case ignore
    /// Give those workers this skill.
    case value(Double)
    /// Give those workers the mean skill of the workers whose skill is known.
    case mean
}

/// Majority vote: each task gets the label most of its answers (or most of the weight) gave.
///
/// Unweighted, a label's probability is its share of the task's answers. Given skills, each
/// answer weighs its worker's skill. Ties go to the first label in ``LabelSet`` order. The
/// fitted skills are each worker's agreement with the chosen labels (crowd-kit's `skills_`).
///
/// Parity: crowd-kit 1.4.2 `MajorityVote` (labels identical, probabilities to 1e-9 on the 23
/// categorical data sets of crowd-kit's benchmark; `CrowdKitParityTests`).
///
/// One difference, by design: with ``MissingSkillPolicy/ignore`` the answers of workers without
/// a skill are left out of the vote, but the model still has every worker (their agreement skill
/// is reported) and every label as a probability column; crowd-kit drops those workers and any
/// label only they gave. Ids stay those of the ``AnswerTable``.
///
/// ```swift
/// let answers = try AnswerTable(
///     tasks: ["t1", "t1", "t1", "t2", "t2", "t2"],
///     workers: ["w1", "w2", "w3", "w1", "w2", "w3"],
///     labels: ["yes", "yes", "no", "no", "no", "yes"])
/// let model = try MajorityVote().fit(answers)
/// answers.labels[Int(model.labels[0])]   // "yes"
/// model.probabilities[0, 1]              // 2/3, the share of "yes" on t1
/// let weighted = try MajorityVote(skills: WorkerSkills(["w1": 0.9, "w2": 0.6, "w3": 0.7])).fit(answers)
/// ```
///
/// - Complexity: O(answers + tasks × labels).
public struct MajorityVote: Aggregator {
    /// Vote weights by worker; `nil` for an unweighted vote.
    public var skills: WorkerSkills?
    /// What to do with workers ``skills`` does not list (default ``MissingSkillPolicy/error``,
    /// as crowd-kit).
    public var onMissingSkill: MissingSkillPolicy

    /// A majority vote, unweighted unless `skills` is given.
    public init(skills: WorkerSkills? = nil, onMissingSkill: MissingSkillPolicy = .error) {
        self.skills = skills
        self.onMissingSkill = onMissingSkill
    }

    /// Votes on every task.
    ///
    /// - Throws: ``AggregationError`` when a skill is not finite, when a worker has no skill
    ///   under ``MissingSkillPolicy/error``, or when ``MissingSkillPolicy/ignore`` leaves a task
    ///   with no answer.
    public func fit(_ answers: AnswerTable) throws -> VoteModel {
        var weights: [Double]?
        var missing = 0
        if let skills {
            (weights, missing) = try Self.resolve(skills.aligned(to: answers), policy: onMissingSkill, table: answers)
        }
        return Self.vote(answers, weights: weights, workersWithoutSkill: missing)
    }

    /// Weighted vote with per-worker weights (NaN = leave out), then agreement skills.
    static func vote(_ answers: AnswerTable, weights: [Double]?, workersWithoutSkill: Int, reportedSkills: [Double]? = nil) -> VoteModel {
        let (p, labels, zero) = VoteKernels.shares(answers, weights: weights)
        let skills = reportedSkills ?? VoteKernels.agreement(answers, reference: labels)
        return VoteModel(labels: labels, probabilities: p, skills: skills, workersWithoutSkill: workersWithoutSkill, tasksWithZeroWeight: zero)
    }

    /// Turns optional per-worker skills into weights under `policy` (NaN = leave the answers out).
    static func resolve(_ known: [Double?], policy: MissingSkillPolicy, table: AnswerTable) throws -> (weights: [Double], missing: Int) {
        if let bad = known.indices.first(where: { known[$0].map { !$0.isFinite } ?? false }) {
            throw AggregationError("the skill of worker \(ErrorText.quoted(table.workers.name(Int32(bad)))) is \(known[bad]!); skills must be finite numbers")
        }
        let missingWorkers = known.indices.filter { known[$0] == nil }
        if missingWorkers.isEmpty { return (known.map { $0! }, 0) }
        let fill: Double
        switch policy {
        case .error:
            let first = table.workers.name(Int32(missingWorkers[0]))
            throw AggregationError("no skill for \(missingWorkers.count) of \(table.workerCount) workers (first: \(ErrorText.quoted(first))); give every worker a skill, or choose what to do with the others (on missing skill: ignore, value, or mean)")
        case .ignore:
            fill = .nan
        case .value(let v):
            guard v.isFinite else { throw AggregationError("the skill for workers without one is \(v); it must be a finite number") }
            fill = v
        case .mean:
            let knownValues = known.compactMap { $0 }
            guard !knownValues.isEmpty else { throw AggregationError("no worker has a known skill, so there is no mean to fill in") }
            fill = knownValues.reduce(0, +) / Double(knownValues.count)
        }
        let weights = known.map { $0 ?? fill }
        if fill.isNaN {
            // A task whose every answer is left out has nothing to vote with.
            let k32 = Int32(table.labelCount)
            let view = table.byTask
            var orphans = 0
            for t in 0..<view.rowCount where !view.range(of: t).contains(where: { !weights[Int(view.entries[$0] / k32)].isNaN }) {
                orphans += 1
            }
            if orphans > 0 {
                throw AggregationError("\(orphans) tasks have no answer from a worker with a known skill; give those workers skills or choose another policy for missing skills")
            }
        }
        return (weights, missingWorkers.count)
    }
}
