import Foundation
import TallyCore

extension MACE {
    /// `mace` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "mace", title: "MACE",
        summary: "Each worker either knows the answer or spams with a strategy; variational Bayes or EM with random restarts.",
        citation: "Hovy et al. (2013), Learning Whom to Trust with MACE, NAACL-HLT",
        family: .mace, crowdKitClass: "MACE",
        parameters: [
            .maxIterations(MACE().iterations, "EM iterations per restart."),
            ParameterDescriptor("restarts", "Random restarts (each seeded differently); the most likely is kept.", default: .int(MACE().restarts)),
            ParameterDescriptor("mace-method", "vb (variational Bayes, crowd-kit's default) or em.",
                                default: .string(MACE().method.rawValue), choices: MACE.Method.allCases.map(\.rawValue)),
            .seed(MACE().seed, "Master seed of the restarts (under crowd-kit compatibility: numpy's random_state)."),
            ParameterDescriptor("mace-compat", "none (the correct model) or crowd-kit (crowd-kit 1.4.2's MACE exactly, defects included; not for labelling data).",
                                default: .string(MACE().compatibility.rawValue), choices: MACE.Compatibility.allCases.map(\.rawValue),
                                crowdKit: .string(MACE.Compatibility.crowdKit.rawValue)),
        ],
        tables: ["spamming", "strategies"]
    ) { table, _, p in
        let iterations = p.int("max-iterations"), seed = p.unsigned("seed")
        let compat: MACE.Compatibility = p.choice("mace-compat")
        let m = try MACE(restarts: p.int("restarts"), iterations: iterations, method: p.choice("mace-method"), seed: seed, execution: p.execution, compatibility: compat).fit(table)
        var notes: [String] = []
        if compat == .crowdKit {
            notes.append("mace: crowd-kit 1.4.2 compatibility (its defects included; random_state \(seed)): \(m.restartLogLikelihoods.count) identical restarts, log-likelihood \(String(format: "%.6f", m.logLikelihood))")
            if m.underflowTasks > 0 {
                notes.append("warning: \(m.underflowTasks) tasks underflowed to 0 for every label (as in crowd-kit): their probabilities are NaN and their label is meaningless")
            }
        } else {
            notes.append("mace: restart \(m.bestRestart + 1) of \(m.restartLogLikelihoods.count) kept, log-likelihood \(String(format: "%.6f", m.logLikelihood))")
        }
        return MethodResult(model: m, iterations: iterations, tables: [
            MethodTable(name: "spamming", rows: .workers, columns: ["spamming", "knowing"], values: m.spamming.values),
            MethodTable(name: "strategies", rows: .workers, columns: table.labels.names, values: m.strategies.values),
        ], notes: notes)
    }
}
