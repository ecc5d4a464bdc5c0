import Foundation
import TallyCore

extension ZeroBasedSkill {
    /// `zbs` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "zbs", title: "Zero-Based Skill",
        summary: "An iterated weighted vote: skills move towards each worker's agreement with the current vote.",
        citation: "Ustalov et al. (2024), Learning from Crowds with Crowd-Kit, JOSS 9(96)",
        family: .votes, crowdKitClass: "ZeroBasedSkill",
        parameters: [
            .maxIterations(ZeroBasedSkill().iterations, "Voting rounds (no convergence test, as in crowd-kit)."),
        ]
    ) { table, _, p in
        let iterations = p.int("max-iterations")
        return MethodResult(model: try ZeroBasedSkill(iterations: iterations).fit(table), iterations: iterations)
    }
}
