import Foundation
import TallyCore

extension DawidSkene {
    /// `ds` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "ds", title: "Dawid-Skene",
        summary: "EM over a confusion matrix per worker and a class prior.",
        citation: "Dawid & Skene (1979), Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm, JRSS C 28(1)",
        family: .dawidSkene, crowdKitClass: "DawidSkene",
        parameters: [
            .maxIterations(DawidSkene().maxIterations),
            .tolerance(DawidSkene().tolerance, "Stop when the loss (ELBO per answer) improves by less than this."),
            ParameterDescriptor("em", "soft (classic EM, crowd-kit), hard (one-hot posteriors) or hybrid (Fast Dawid-Skene).",
                                default: .string(DawidSkene().em.rawValue), choices: DawidSkene.EM.allCases.map(\.rawValue)),
            ParameterDescriptor("initialization", "mv (majority-vote shares, crowd-kit) or spectral (one-coin skills from agreement rates).",
                                default: .string(DawidSkene().initialization.rawValue), choices: DawidSkene.Initialization.allCases.map(\.rawValue)),
            ParameterDescriptor("clamp-gold", "Hold the gold tasks at their gold labels during EM (crowd-kit's true_labels).", default: .flag(false)),
            ParameterDescriptor("prior-diagonal", "MAP: pseudo-count added to each right answer's confusion count (0: plain DS).", default: .double(0)),
            ParameterDescriptor("prior-off-diagonal", "MAP: pseudo-count added to each wrong answer's confusion count (0: plain DS).", default: .double(0)),
            ParameterDescriptor("prior-class", "MAP: pseudo-count added to each class's total in the class prior (0: plain DS).", default: .double(0)),
        ],
        makesConfusions: true, makesSkills: false
    ) { table, inputs, p in
        if p.flag("clamp-gold") && inputs.gold == nil { throw AggregationError("ds: clamp-gold needs gold labels") }
        let m = try DawidSkene(maxIterations: p.int("max-iterations"), tolerance: p.double("tolerance"),
                               trueLabels: p.flag("clamp-gold") ? inputs.gold : nil, initialConfusions: inputs.initialConfusions,
                               em: p.choice("em"), initialization: p.choice("initialization"),
                               pseudoCounts: DawidSkene.PseudoCounts(diagonal: p.double("prior-diagonal"), offDiagonal: p.double("prior-off-diagonal"),
                                                                     classes: p.double("prior-class")),
                               progress: inputs.progress,
                               execution: p.execution).fit(table)
        return DawidSkeneModel.result(m, name: "ds", table)
    }
}

extension DawidSkeneModel {
    /// The registry's result for a fitted Dawid-Skene model, with its notes.
    static func result(_ m: DawidSkeneModel, name: String, _ table: AnswerTable) -> MethodResult {
        var notes: [String] = []
        if m.unusableGoldTasks > 0 {
            notes.append("warning: \(m.unusableGoldTasks) gold tasks name a label no worker gave; they were not clamped")
        }
        let priors = MethodResult.perLabel(m.priors, of: table)
        if let n = m.resumedWorkers {
            notes.append("\(name): warm start: \(n) of \(table.workerCount) workers and the class prior from the initial model")
            if let start = m.resumedLoss, let first = m.lossHistory.first {
                notes.append("\(name): warm start: the initial model's loss on these answers \(String(format: "%.9f", start)), "
                             + "first iteration's gain \(String(format: "%.3g", first - start))")
            }
        }
        notes.append("\(name): \(m.iterations) iterations, loss \(m.lossHistory.last.map { String(format: "%.9f", $0) } ?? "-"); priors \(priors)")
        return MethodResult(model: m, iterations: m.iterations, lossHistory: m.lossHistory, confusions: m.confusions, notes: notes)
    }

    /// Each worker's expected accuracy: the chance of a right answer, Σ_c prior(c) · P(answer c | truth c).
    public func expectedAccuracy() -> [Double] {
        let k = priors.count
        return (0..<confusions.workerCount).map { w in
            (0..<k).reduce(0.0) { $0 + priors[$1] * confusions.values[(w * k + $1) * k + $1] }
        }
    }
}
