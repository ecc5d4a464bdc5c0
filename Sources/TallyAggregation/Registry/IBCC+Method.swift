import Foundation
import TallyCore

extension IBCC {
    /// `ibcc` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "ibcc", title: "IBCC",
        summary: "Dawid-Skene with Dirichlet priors on class proportions and confusion rows, fitted by variational Bayes.",
        citation: "Kim & Ghahramani (2012), Bayesian Classifier Combination, AISTATS (JMLR W&CP 22); fit as in Li, Rubinstein & Cohn's code/ibcc.py",
        family: .dawidSkene, crowdKitClass: nil,
        parameters: [
            .maxIterations(IBCC().maxIterations, "At most this many variational iterations."),
            .tolerance(IBCC().tolerance, "Stop when no posterior moves by more than this (+ 1e-5 × its value)."),
            ParameterDescriptor("diagonal-prior", "Dirichlet pseudo-count on each confusion row's diagonal (the reference's a_v).", default: .double(IBCC().diagonalPrior)),
            ParameterDescriptor("off-diagonal-prior", "Dirichlet pseudo-count off the diagonal (the reference's b_v).", default: .double(IBCC().offDiagonalPrior)),
            ParameterDescriptor("class-prior", "Dirichlet pseudo-count of each class proportion (the reference's alpha).", default: .double(IBCC().classPrior)),
        ],
        makesConfusions: true, makesSkills: false
    ) { table, inputs, p in
        let m = try IBCC(diagonalPrior: p.double("diagonal-prior"), offDiagonalPrior: p.double("off-diagonal-prior"),
                         classPrior: p.double("class-prior"), maxIterations: p.int("max-iterations"),
                         tolerance: p.double("tolerance"), progress: inputs.progress, execution: p.execution).fit(table)
        let proportions = MethodResult.perLabel(m.classProportions, of: table)
        let elbo = m.elboHistory.last.map { String(format: "%.6f", $0) } ?? "-"
        let notes = ["ibcc: \(m.iterations) iterations\(m.converged ? "" : " (not converged)"), ELBO \(elbo); class proportions \(proportions)"]
        return MethodResult(model: m, iterations: m.iterations, lossHistory: m.elboHistory, confusions: m.confusions, notes: notes)
    }
}
