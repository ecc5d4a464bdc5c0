import Foundation
import TallyCore

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
