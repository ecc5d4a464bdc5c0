import TallyCore

extension KOS {
    /// `kos` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "kos", title: "Karger-Oh-Shah",
        summary: "Message passing between tasks and workers on binary tasks.",
        citation: "Karger, Oh & Shah (2011), Iterative Learning for Reliable Crowdsourcing Systems, NeurIPS",
        family: .messagePassing, crowdKitClass: "KOS", labelCounts: .two,
        parameters: [
            .maxIterations(KOS().iterations, "Message-passing rounds (no convergence test, as in crowd-kit)."),
            .seed(KOS().seed, "Seed of the random starting messages."),
        ],
        makesSkills: false
    ) { table, _, p in
        let iterations = p.int("max-iterations")
        return MethodResult(model: try KOS(iterations: iterations, seed: p.unsigned("seed")).fit(table), iterations: iterations)
    }
}
