import Foundation
import TallyCore

// Descriptors of the vote family. Each `method` is listed in ``MethodRegistry/all``.

extension MissingSkillPolicy {
    /// How votes of workers without a skill were counted, for notes ("they voted with …").
    public var votedWith: String {
        switch self {
        case .error: return "an error"
        case .ignore: return "no weight (their answers were left out)"
        case .value(let v): return "skill \(v)"
        case .mean: return "the mean skill of the others"
        }
    }
}

extension MajorityVote {
    /// `mv` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "mv", title: "Majority vote",
        summary: "Each task gets the label most of its answers gave (weighted by worker skills when given).",
        citation: "Sheshadri & Lease (2013), SQUARE: A Benchmark for Research on Computing Crowd Consensus, HCOMP",
        family: .votes, crowdKitClass: "MajorityVote"
    ) { table, inputs, _ in
        MethodResult(model: try MajorityVote(skills: inputs.weights, onMissingSkill: inputs.onMissingSkill ?? .error).fit(table))
    }
}

extension Wawa {
    /// `wawa` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "wawa", title: "Worker Agreement With Aggregate",
        summary: "A vote weighted by each worker's agreement with the majority vote.",
        citation: "Ustalov et al. (2024), Learning from Crowds with Crowd-Kit, JOSS 9(96)",
        family: .votes, crowdKitClass: "Wawa"
    ) { table, _, _ in
        MethodResult(model: try Wawa().fit(table))
    }
}

extension ZeroBasedSkill {
    /// `zbs` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "zbs", title: "Zero-Based Skill",
        summary: "An iterated weighted vote: skills move towards each worker's agreement with the current vote.",
        citation: "Ustalov et al. (2024), Learning from Crowds with Crowd-Kit, JOSS 9(96)",
        family: .votes, crowdKitClass: "ZeroBasedSkill",
        parameters: [
            ParameterDescriptor("max-iterations", "Voting rounds (no convergence test, as in crowd-kit).", default: .int(ZeroBasedSkill().iterations)),
        ]
    ) { table, _, p in
        let iterations = p.int("max-iterations")
        return MethodResult(model: try ZeroBasedSkill(iterations: iterations).fit(table), iterations: iterations)
    }
}

extension GoldMajorityVote {
    /// `gold-mv` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "gold-mv", title: "Gold majority vote",
        summary: "A vote weighted by each worker's accuracy on the gold tasks; workers without gold answers vote with the others' mean skill.",
        citation: "Ustalov et al. (2024), Learning from Crowds with Crowd-Kit, JOSS 9(96)",
        family: .votes, crowdKitClass: "GoldMajorityVote", needsGold: true
    ) { table, inputs, _ in
        guard let gold = inputs.gold else { throw AggregationError("gold-mv needs gold labels") }
        let policy = inputs.onMissingSkill ?? .mean
        let m = try GoldMajorityVote(gold: gold, onMissingSkill: policy).fit(table)
        var notes: [String] = []
        if m.workersWithoutSkill > 0 {
            notes.append("\(m.workersWithoutSkill) workers have no golden answer; they voted with \(policy.votedWith)")
        }
        return MethodResult(model: m, notes: notes)
    }
}
