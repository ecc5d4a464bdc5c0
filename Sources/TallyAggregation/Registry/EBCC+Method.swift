import Foundation
import TallyCore

extension EBCC {
    /// `ebcc` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "ebcc", title: "EBCC",
        summary: "IBCC with worker-correlation subtypes per true class, fitted by variational Bayes; restarts in parallel, the best ELBO kept.",
        citation: "Li, Rubinstein & Cohn (2019), Exploiting Worker Correlation for Label Aggregation in Crowdsourcing, ICML (PMLR 97); fit as in the authors' code/ebcc.py",
        family: .dawidSkene, crowdKitClass: nil,
        parameters: [
            .maxIterations(EBCC().maxIterations, "At most this many variational iterations per restart."),
            .tolerance(EBCC().tolerance, "Stop when no class posterior moves by more than this (+ 1e-5 × its value)."),
            ParameterDescriptor("groups", "Subtypes per true class (the reference's num_groups).", default: .int(EBCC().groups)),
            ParameterDescriptor("empirical-prior", "Class-proportion prior from the majority-vote totals (the authors' protocol) instead of class-prior.",
                                default: .flag(EBCC().empiricalPrior)),
            ParameterDescriptor("class-prior", "Dirichlet pseudo-count of each class proportion when empirical-prior is false (alpha).", default: .double(EBCC().classPrior)),
            ParameterDescriptor("group-prior", "Total Dirichlet pseudo-count of a class's subtype weights (a_pi).", default: .double(EBCC().groupPrior)),
            ParameterDescriptor("diagonal-prior", "Dirichlet pseudo-count on each confusion row's diagonal (a_v).", default: .double(EBCC().diagonalPrior)),
            ParameterDescriptor("off-diagonal-prior", "Dirichlet pseudo-count off the diagonal (b_v).", default: .double(EBCC().offDiagonalPrior)),
            ParameterDescriptor("restarts", "Random restarts, run in parallel; the one of highest ELBO is kept.", default: .int(EBCC().restarts)),
            .seed(EBCC().seed, "numpy RandomState seed of the first restart; restart r uses seed + r."),
        ],
        makesConfusions: true, makesSkills: false
    ) { table, inputs, p in
        let m = try EBCC(groups: p.int("groups"), empiricalPrior: p.flag("empirical-prior"), classPrior: p.double("class-prior"),
                         groupPrior: p.double("group-prior"), diagonalPrior: p.double("diagonal-prior"),
                         offDiagonalPrior: p.double("off-diagonal-prior"), maxIterations: p.int("max-iterations"),
                         tolerance: p.double("tolerance"), seed: p.unsigned("seed"), restarts: p.int("restarts"),
                         execution: p.execution, progress: inputs.progress).fit(table)
        let proportions = MethodResult.perLabel(m.classProportions, of: table)
        let notes = ["ebcc: restart \(m.bestRestart + 1) of \(m.restartELBOs.count) kept (seed \(m.seed.map(String.init) ?? "-")), "
                     + "ELBO \(String(format: "%.6f", m.elbo)), \(m.iterations) iterations\(m.converged ? "" : " (not converged)"); class proportions \(proportions)"]
        return MethodResult(model: m, iterations: m.iterations, lossHistory: m.elboHistory, confusions: m.confusions, notes: notes)
    }
}
