import ArgumentParser
import TallyAggregation

extension EvalicaBootstrap.Method: ExpressibleByArgument {}

/// `aggregate`'s options of the evalica family (counting, win-rate, elo, eigen, pagerank,
/// newman, evalica-bt): bootstrap confidence intervals, written as `low, high` columns.
struct PairwiseOptions: ParsableArguments {
    @Option(help: ArgumentHelp("evalica methods: confidence intervals from N bootstrap resamples of the comparisons (evalica's bootstrap; adds low and high columns; --seed seeds numpy's RandomState, default 0).", valueName: "N"))
    var bootstrap: Int?

    @Option(help: ArgumentHelp("evalica methods: the intervals' confidence level (default 0.95; alone it asks for evalica's 1000 resamples).", valueName: "level"))
    var confidence: Double?

    @Option(help: ArgumentHelp("evalica methods: bca (default, evalica's; refits once per comparison for the jackknife), percentile or basic.", valueName: "method"))
    var bootstrapMethod: EvalicaBootstrap.Method?

    /// Whether any of these options was given.
    var given: Bool { bootstrap != nil || confidence != nil || bootstrapMethod != nil }

    mutating func validate() throws {
        if let bootstrap, bootstrap < 1 { throw ValidationError("--bootstrap must be at least 1, got \(bootstrap)") }
        if let confidence, !(confidence > 0 && confidence < 1) { throw ValidationError("--confidence must be between 0 and 1, got \(confidence)") }
    }

    /// The parameter values given (`bootstrap` 1000 when only the level or method is given).
    var values: [String: ParameterValue] {
        guard given else { return [:] }
        var v: [String: ParameterValue] = ["bootstrap": .int(bootstrap ?? 1000)]
        if let confidence { v["confidence"] = .double(confidence) }
        if let bootstrapMethod { v["bootstrap-method"] = .string(bootstrapMethod.rawValue) }
        return v
    }
}
