import Foundation
import TallyCore

extension MinimaxEntropy {
    /// `minimax` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "minimax", title: "Minimax entropy",
        summary: "Minimax conditional entropy: worker and task confusion terms, each fitted by L-BFGS (categorical variant).",
        citation: "Zhou, Liu, Platt & Meek (2014), Aggregating Ordinal Labels from Crowds by Minimax Conditional Entropy, ICML; Zhou et al. (2012), NeurIPS; fit as in the VLDB 2017 benchmark's l_minimax",
        family: .dawidSkene, crowdKitClass: nil,
        parameters: [
            .maxIterations(MinimaxEntropy().maxIterations, "At most this many EM iterations."),
            .tolerance(MinimaxEntropy().tolerance, "Stop when no posterior moves by this much or more."),
            ParameterDescriptor("m-step-iterations", "L-BFGS iterations per worker and per task in each M-step (the reference: 25).",
                                default: .int(MinimaxEntropy().mStepIterations)),
            ParameterDescriptor("m-step-tolerance", "L-BFGS optimality and progress tolerance (the reference: 1e-3).",
                                default: .double(MinimaxEntropy().mStepTolerance)),
            ParameterDescriptor("worker-regularization", "λ of the worker terms, as a multiple of K² (the benchmark: 0.25).",
                                default: .double(MinimaxEntropy().workerRegularization)),
            ParameterDescriptor("task-regularization", "λ of the task terms, as a multiple of the worker λ × answers per worker / answers per task (the benchmark: 1).",
                                default: .double(MinimaxEntropy().taskRegularization)),
        ],
        makesConfusions: true, makesSkills: false
    ) { table, _, p in
        let m = try MinimaxEntropy(workerRegularization: p.double("worker-regularization"), taskRegularization: p.double("task-regularization"),
                                   maxIterations: p.int("max-iterations"), tolerance: p.double("tolerance"),
                                   mStepIterations: p.int("m-step-iterations"), mStepTolerance: p.double("m-step-tolerance"),
                                   execution: p.execution).fit(table)
        let note = "minimax: \(m.iterations) iterations\(m.converged ? "" : " (not converged)"), last change \(String(format: "%.3g", m.lastChange)); λ worker \(String(format: "%.4g", m.workerRegularization)), task \(String(format: "%.4g", m.taskRegularization))"
        return MethodResult(model: m, iterations: m.iterations, confusions: m.confusions, notes: [note])
    }
}
