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

/// The numeric answers of `answers`, or an error naming what the method takes.
private func numericAnswers(_ answers: Answers, method: String) throws -> NumericAnswers {
    guard case .numeric(let n) = answers else {
        throw AggregationError("\(method) aggregates numeric answers; the input holds \(answers.type.rawValue) answers")
    }
    return n
}

extension NumericMean {
    /// `mean`: the mean of each task's answers.
    public static let method = MethodDescriptor(
        name: "mean", title: "Mean", summary: "Mean of each task's numeric answers.",
        citation: "Zheng et al., Truth Inference in Crowdsourcing: Is the Problem Solved?, PVLDB 10(5), 2017 (baseline)",
        family: .numeric, crowdKitClass: nil, accepts: [.numeric]
    ) { answers, _, _ in
        try NumericMean().fit(try numericAnswers(answers, method: "mean")).methodResult
    }
}

extension NumericMedian {
    /// `median`: the median of each task's answers.
    public static let method = MethodDescriptor(
        name: "median", title: "Median", summary: "Median of each task's numeric answers (mean of the two middle ones when even).",
        citation: "Zheng et al., Truth Inference in Crowdsourcing: Is the Problem Solved?, PVLDB 10(5), 2017 (baseline)",
        family: .numeric, crowdKitClass: nil, accepts: [.numeric]
    ) { answers, _, _ in
        try NumericMedian().fit(try numericAnswers(answers, method: "median")).methodResult
    }
}

extension CATD {
    /// `catd`: confidence-aware truth discovery.
    public static let method = MethodDescriptor(
        name: "catd", title: "CATD", summary: "Confidence-aware truth discovery: chi-square confidence weights, weighted means.",
        citation: "Li et al., A Confidence-Aware Approach for Truth Discovery on Long-Tail Data, PVLDB 8(4), 2014",
        family: .numeric, crowdKitClass: nil, accepts: [.numeric],
        parameters: [
            ParameterDescriptor("max-iterations", "Rounds of weight and truth updates (all are run, as the VLDB 2017 benchmark does).", default: .int(100)),
            ParameterDescriptor("normalization", "task: each estimate is its workers' weighted mean (the paper); global: the benchmark code's undivided weighted sum.",
                                default: .string(CATD.Normalization.task.rawValue), choices: CATD.Normalization.allCases.map(\.rawValue)),
        ],
        makesSkills: true
    ) { answers, _, p in
        try CATD(iterations: p.int("max-iterations"), normalization: p.choice("normalization"))
            .fit(try numericAnswers(answers, method: "catd")).methodResult
    }
}

extension PMCRH {
    /// `pm`: PM / CRH with the normalised absolute loss.
    public static let method = MethodDescriptor(
        name: "pm", title: "PM / CRH", summary: "Conflict resolution: log-ratio worker weights from normalised absolute losses, weighted medians.",
        citation: "Li et al., Resolving Conflicts in Heterogeneous Data by Truth Discovery and Source Reliability Estimation, SIGMOD 2014; Aydin et al., AAAI 2014",
        family: .numeric, crowdKitClass: nil, accepts: [.numeric],
        parameters: [ParameterDescriptor("max-iterations", "Rounds of weight and truth updates (all are run, as the VLDB 2017 benchmark does).", default: .int(10))],
        makesSkills: true
    ) { answers, _, p in
        try PMCRH(iterations: p.int("max-iterations")).fit(try numericAnswers(answers, method: "pm")).methodResult
    }
}

extension LFCN {
    /// `lfc-n`: learning from crowds for numeric answers.
    public static let method = MethodDescriptor(
        name: "lfc-n", title: "LFC_N", summary: "Learning from crowds, numeric: Gaussian worker noise, inverse-variance weighted means.",
        citation: "Raykar et al., Learning From Crowds, JMLR 11, 2010",
        family: .numeric, crowdKitClass: nil, accepts: [.numeric],
        parameters: [
            .maxIterations(50, "At most this many rounds."),
            .tolerance(1e-6, "Stop once the summed squared change of the estimates is at most this."),
        ],
        makesSkills: true
    ) { answers, _, p in
        try LFCN(maxIterations: p.int("max-iterations"), tolerance: p.double("tolerance"))
            .fit(try numericAnswers(answers, method: "lfc-n")).methodResult
    }
}
