import Foundation
import TallyCore

extension OneCoinDawidSkene {
    /// `onecoin-ds` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "onecoin-ds", title: "One-coin Dawid-Skene",
        summary: "Dawid-Skene with one skill per worker (errors spread evenly over the other labels).",
        citation: "Dawid & Skene (1979), JRSS C 28(1); one-coin model as in Zhang et al. (2014), Spectral Methods Meet EM, NeurIPS",
        family: .dawidSkene, crowdKitClass: "OneCoinDawidSkene",
        parameters: [
            .maxIterations(OneCoinDawidSkene().maxIterations),
            .tolerance(OneCoinDawidSkene().tolerance, "Stop when the loss (ELBO per answer) improves by less than this."),
        ],
        makesConfusions: true
    ) { table, inputs, p in
        let m = try OneCoinDawidSkene(maxIterations: p.int("max-iterations"), tolerance: p.double("tolerance"),
                                      initialConfusions: inputs.initialConfusions, progress: inputs.progress,
                                      execution: p.execution).fit(table)
        return DawidSkeneModel.result(m, name: "onecoin-ds", table)
    }
}
