import Foundation
import TallyCore

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
