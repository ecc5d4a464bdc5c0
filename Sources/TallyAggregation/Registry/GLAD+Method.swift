import Foundation
import TallyCore

extension GLAD {
    /// `glad` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "glad", title: "GLAD",
        summary: "EM over worker abilities (alpha) and task difficulties (beta).",
        citation: "Whitehill et al. (2009), Whose Vote Should Count More: Optimal Integration of Labels from Labelers of Unknown Expertise, NeurIPS",
        family: .glad, crowdKitClass: "GLAD",
        parameters: [
            .maxIterations(GLAD().maxIterations),
            .tolerance(GLAD().tolerance, "Stop when the objective changes by less than this (see stopping)."),
            ParameterDescriptor("stopping", "relative (the objective's relative change is at most the tolerance) or crowd-kit (crowd-kit 1.4.2's check).",
                                default: .string(GLAD().stopping.rawValue), choices: GLAD.Stopping.allCases.map(\.rawValue),
                                crowdKit: .string(GLAD.Stopping.crowdKit.rawValue)),
            ParameterDescriptor("m-step-iterations", "Conjugate-gradient iterations per M-step (crowd-kit: 25).", default: .int(GLAD().mStepMaxIterations)),
            ParameterDescriptor("m-step-tolerance", "The M-step stops when no gradient component exceeds this (crowd-kit: 0.01).", default: .double(GLAD().mStepTolerance)),
        ],
        tables: ["betas"]
    ) { table, _, p in
        let m = try GLAD(maxIterations: p.int("max-iterations"), tolerance: p.double("tolerance"), stopping: p.choice("stopping"),
                         mStepMaxIterations: p.int("m-step-iterations"), mStepTolerance: p.double("m-step-tolerance"),
                         execution: p.execution).fit(table)
        let note = "glad: \(m.iterations) iterations (\(m.mStepIterations) conjugate-gradient steps, \(m.evaluations) passes), loss \(m.lossHistory.last.map { String(format: "%.9f", $0) } ?? "-")"
        return MethodResult(model: m, iterations: m.iterations, lossHistory: m.lossHistory,
                            tables: [MethodTable(name: "betas", rows: .tasks, columns: ["beta"], values: m.betas)], notes: [note])
    }
}
