import TallyCore

// The numeric methods' registry entries: one descriptor each, over `NumericAnswers`.

extension NumericModel {
    /// The registry's shape of this model: `taskValues`, and `workerSkills` when there are weights.
    var methodResult: MethodResult {
        var result = MethodResult(iterations: iterations)
        result.taskValues = estimates
        result.workerSkills = weights
        return result
    }
}

/// A numeric method's registry entry: family `Numeric`, numeric answers only; `make` builds the
/// method from the resolved parameters and the fit runs it on the ``NumericAnswers``.
private func numericMethod<Method: NumericAggregator>(
    name: String, title: String, summary: String, citation: String, parameters: [ParameterDescriptor] = [], makesSkills: Bool = false,
    make: @escaping @Sendable (ResolvedParameters) -> Method
) -> MethodDescriptor {
    MethodDescriptor(name: name, title: title, summary: summary, citation: citation, family: .numeric, crowdKitClass: nil, accepts: [.numeric],
                     parameters: parameters, makesSkills: makesSkills) { answers, _, p in
        guard case .numeric(let numeric) = answers else { throw answers.refusal(by: name, takes: "numeric answers") }
        return try make(p).fit(numeric).methodResult
    }
}

/// The VLDB 2017 truth-inference benchmark, which the baselines follow.
private let benchmarkBaseline = "Zheng et al., Truth Inference in Crowdsourcing: Is the Problem Solved?, PVLDB 10(5), 2017 (baseline)"

/// The summary of the benchmark methods' `max-iterations`.
private let benchmarkRounds = "Rounds of weight and truth updates (all are run, as the VLDB 2017 benchmark does)."

extension NumericMean {
    /// `mean`: the mean of each task's answers.
    public static let method = numericMethod(
        name: "mean", title: "Mean", summary: "Mean of each task's numeric answers.", citation: benchmarkBaseline
    ) { _ in NumericMean() }
}

extension NumericMedian {
    /// `median`: the median of each task's answers.
    public static let method = numericMethod(
        name: "median", title: "Median", summary: "Median of each task's numeric answers (mean of the two middle ones when even).",
        citation: benchmarkBaseline
    ) { _ in NumericMedian() }
}

extension CATD {
    /// `catd`: confidence-aware truth discovery.
    public static let method = numericMethod(
        name: "catd", title: "CATD", summary: "Confidence-aware truth discovery: chi-square confidence weights, weighted means.",
        citation: "Li et al., A Confidence-Aware Approach for Truth Discovery on Long-Tail Data, PVLDB 8(4), 2014",
        parameters: [
            ParameterDescriptor("max-iterations", benchmarkRounds, default: .int(100)),
            ParameterDescriptor("normalization", "task: each estimate is its workers' weighted mean (the paper); global: the benchmark code's undivided weighted sum.",
                                default: .string(CATD.Normalization.task.rawValue), choices: CATD.Normalization.allCases.map(\.rawValue)),
        ],
        makesSkills: true
    ) { p in CATD(iterations: p.int("max-iterations"), normalization: p.choice("normalization")) }
}

extension PMCRH {
    /// `pm`: PM / CRH with the normalised absolute loss.
    public static let method = numericMethod(
        name: "pm", title: "PM / CRH", summary: "Conflict resolution: log-ratio worker weights from normalised absolute losses, weighted medians.",
        citation: "Li et al., Resolving Conflicts in Heterogeneous Data by Truth Discovery and Source Reliability Estimation, SIGMOD 2014; Aydin et al., AAAI 2014",
        parameters: [ParameterDescriptor("max-iterations", benchmarkRounds, default: .int(10))],
        makesSkills: true
    ) { p in PMCRH(iterations: p.int("max-iterations")) }
}

extension LFCN {
    /// `lfc-n`: learning from crowds for numeric answers.
    public static let method = numericMethod(
        name: "lfc-n", title: "LFC_N", summary: "Learning from crowds, numeric: Gaussian worker noise, inverse-variance weighted means.",
        citation: "Raykar et al., Learning From Crowds, JMLR 11, 2010",
        parameters: [
            .maxIterations(50, "At most this many rounds."),
            .tolerance(1e-6, "Stop once the summed squared change of the estimates is at most this."),
        ],
        makesSkills: true
    ) { p in LFCN(maxIterations: p.int("max-iterations"), tolerance: p.double("tolerance")) }
}
