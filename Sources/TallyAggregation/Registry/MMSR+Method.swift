import Foundation
import TallyCore

extension MMSR {
    /// `mmsr` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "mmsr", title: "M-MSR",
        summary: "Skills from a robust rank-one fit of the workers' agreement matrix, then a weighted vote.",
        citation: "Ma & Olshevsky (2020), Adversarial Crowdsourcing Through Robust Rank-One Matrix Completion, NeurIPS",
        family: .mmsr, crowdKitClass: "MMSR",
        parameters: [
            .maxIterations(MMSR().iterations, "The most alternating rounds (crowd-kit's n_iter)."),
            .tolerance(MMSR().tolerance, "Stop when the change of u vᵀ is below this (crowd-kit's tol)."),
            .seed(MMSR().seed, "numpy's random_state of the start (crowd-kit's)."),
            ParameterDescriptor("sign-graph", "crowd-kit (default, for parity: pairs with no common task count as disagreeing) or observed-pairs (the paper's).",
                                default: .string(MMSR().signGraph.rawValue), choices: MMSR.SignGraph.allCases.map(\.rawValue),
                                crowdKit: .string(MMSR.SignGraph.crowdKit.rawValue)),
            ParameterDescriptor("max-coworkers", "The most co-workers a worker is compared with on one task; a task with more answers has its pairs sampled (seeded), keeping the cost linear in its answers (0: every pair).",
                                default: .int(MMSR().maxCoworkersPerTask)),
        ]
    ) { table, _, p in
        let m = try MMSR(iterations: p.int("max-iterations"), tolerance: p.double("tolerance"), seed: p.unsigned("seed"), signGraph: p.choice("sign-graph"),
                         maxCoworkersPerTask: p.int("max-coworkers"), execution: p.execution).fit(table)
        var notes = ["mmsr: \(m.iterationsRun) rounds, \(m.observedPairs) worker pairs" + (m.workersWithoutCoworkers > 0 ? ", \(m.workersWithoutCoworkers) workers without co-workers (skill 0)" : "")]
        if m.sampledTasks > 0 {
            notes.append("mmsr: \(m.sampledTasks) tasks have more than \(p.int("max-coworkers") + 1) answers; there each worker was compared with \(p.int("max-coworkers") / 2 * 2) co-workers, chosen by the seed")
        }
        if m.signsFromMajorityVote {
            notes.append("mmsr: the sign graph's eigenvector did not settle (residual \(String(format: "%.1e", m.signResidual))); signs taken from agreement with majority vote")
        }
        return MethodResult(model: m, iterations: m.iterationsRun, lossHistory: m.lossHistory, notes: notes)
    }
}
