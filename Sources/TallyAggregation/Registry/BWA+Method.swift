import Foundation
import TallyCore

extension BWA {
    /// `bwa` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "bwa", title: "BWA",
        summary: "Bayesian weighted average: per label, a one-vs-rest mean with a Gamma-distributed precision per worker.",
        citation: "Li, Rubinstein & Cohn (2019), Truth Inference at Scale: A Bayesian Model for Adjudicating Highly Redundant Crowd Annotations, WWW; fit as in their code/bwa.py",
        family: .votes, crowdKitClass: nil,
        parameters: [
            .maxIterations(BWA().maxIterations, "At most this many updates per label."),
            .tolerance(BWA().tolerance, "Stop a label when no score moves by more than this × its value (+ 1e-8)."),
            ParameterDescriptor("precision-prior", "Shape of the Gamma prior on worker precisions (the reference's a_v).", default: .double(BWA().precisionPriorShape)),
            ParameterDescriptor("mean-weight", "Weight of the label's mean score in each task's update (the reference's lambda_).", default: .double(BWA().meanWeight)),
            ParameterDescriptor("prior-correction", "Scale the prior rate by 4(1 − 1/K) (the reference's prior_correction).", default: .flag(BWA().priorCorrection)),
        ],
        tables: ["precisions"], makesSkills: false
    ) { table, _, p in
        let m = try BWA(precisionPriorShape: p.double("precision-prior"), meanWeight: p.double("mean-weight"),
                        priorCorrection: p.flag("prior-correction"), maxIterations: p.int("max-iterations"),
                        tolerance: p.double("tolerance"), execution: p.execution).fit(table)
        let its = zip(table.labels.names, m.iterations).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let stopped = m.converged.allSatisfy { $0 } ? "" : " (not all converged)"
        return MethodResult(model: m, iterations: m.iterations.max() ?? 0,
                            tables: [MethodTable(name: "precisions", rows: .workers, columns: table.labels.names, values: m.precisions)],
                            notes: ["bwa: updates per label \(its)\(stopped)"])
    }
}
