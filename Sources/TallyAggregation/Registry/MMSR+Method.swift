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
        ]
    ) { table, _, p in
        let m = try MMSR(iterations: p.int("max-iterations"), tolerance: p.double("tolerance"), seed: p.unsigned("seed"), signGraph: p.choice("sign-graph"),
                         execution: p.execution).fit(table)
        var notes = ["mmsr: \(m.iterationsRun) rounds, \(m.observedPairs) worker pairs" + (m.workersWithoutCoworkers > 0 ? ", \(m.workersWithoutCoworkers) workers without co-workers (skill 0)" : "")]
        if m.signsFromMajorityVote {
            notes.append("mmsr: the sign graph's eigenvector did not settle (residual \(String(format: "%.1e", m.signResidual))); signs taken from agreement with majority vote")
        }
        return MethodResult(model: m, iterations: m.iterationsRun, lossHistory: m.lossHistory, notes: notes)
    }
}
