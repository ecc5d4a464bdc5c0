import TallyCore

extension EvalicaBootstrap.Method: CustomStringConvertible {
    /// The CLI spelling.
    public var description: String { rawValue }
}

/// What the registry entries of the evalica family (`counting`, `win-rate`, `elo`, `eigen`,
/// `pagerank`, `newman`, `evalica-bt`) share: the win and tie weights, the bootstrap parameters,
/// and the fit that maps Tally's pairwise answers to evalica's comparisons and back.
///
/// The names are evalica's own (`counting`, `elo`, `eigen`, `pagerank`, `newman`, average win
/// rate as `win-rate`); only Bradley-Terry takes a prefix, `evalica-bt`, because `bt` is
/// crowd-kit's (a different iteration and normalisation).
public enum EvalicaFamily {
    /// The registry name of evalica's Python function `function` (`average_win_rate` → `win-rate`).
    public static func registryName(of function: String) -> String {
        switch function {
        case "average_win_rate": return "win-rate"
        case "bradley_terry": return "evalica-bt"
        default: return function
        }
    }

    /// `win-weight` and `tie-weight` with evalica's defaults for the method (`tie` is 1 for Newman, else 0.5).
    static func weights(tie: Double = 0.5) -> [ParameterDescriptor] {
        [ParameterDescriptor("win-weight", "The value of a win (evalica's win_weight).", default: .double(1)),
         ParameterDescriptor("tie-weight", "The value of a draw (evalica's tie_weight); crowd-kit's layout has no draws.", default: .double(tie))]
    }

    /// `bootstrap`, `confidence`, `bootstrap-method` and `seed`: evalica's `bootstrap` around the method.
    static let bootstrap: [ParameterDescriptor] = [
        ParameterDescriptor("bootstrap", "Resamples for confidence intervals (evalica's n_resamples; 0: no intervals). Writes low and high columns.", default: .int(0)),
        ParameterDescriptor("confidence", "The confidence level of the intervals.", default: .double(0.95)),
        ParameterDescriptor("bootstrap-method", "How scipy reads the interval: bca (evalica's default; refits once per comparison for the jackknife), percentile or basic.",
                            default: .string(EvalicaBootstrap.Method.bca.rawValue), choices: EvalicaBootstrap.Method.allCases.map(\.rawValue)),
        .seed(0, "Seed of numpy's RandomState for the resamples (evalica's random_state)."),
    ]

    /// `tolerance` and `max-iterations` (evalica's `limit`) of the iterative methods.
    static let iterations: [ParameterDescriptor] = [
        .maxIterations(100, "At most this many iterations (evalica's limit)."),
        .tolerance(1e-6, "Stop when the Euclidean change of the scores is below this."),
    ]

    /// The paper every evalica method without one of its own cites.
    static let citation = "Ustalov (2025), Reliable, Reproducible, and Really Fast Leaderboards with Evalica, COLING 2025 System Demonstrations"

    /// The registry entry of an evalica method: pairwise answers, its `own` parameters, then
    /// (when `iterative`) ``iterations``, ``weights(tie:)`` and ``bootstrap``; the `intervals`
    /// table; `make` builds the method from the resolved parameters and ``fit(_:_:_:_:)`` runs it.
    static func descriptor<Method: EvalicaMethod>(
        name: String, title: String, iterative: Bool, tie: Double = 0.5, summary: String, citation: String = EvalicaFamily.citation,
        own: [ParameterDescriptor] = [],
        make: @escaping @Sendable (ResolvedParameters) -> Method
    ) -> MethodDescriptor {
        MethodDescriptor(name: name, title: title, summary: summary, citation: citation, family: .pairwise, crowdKitClass: nil, accepts: [.pairwise],
                         parameters: own + (iterative ? iterations : []) + weights(tie: tie) + bootstrap, tables: ["intervals"]) { answers, _, p in
            try fit(name, answers, p, make(p))
        }
    }

    /// Fits `method` (made from the resolved parameters) on pairwise answers: scores by item id,
    /// and an `intervals` table (item, low, high) when `bootstrap` is positive.
    static func fit(_ name: String, _ answers: Answers, _ p: ResolvedParameters, _ method: some EvalicaMethod) throws -> MethodResult {
        let comparisons = EvalicaComparisons(try answers.pairwiseAnswers(for: name))
        var result = MethodResult()
        let resamples = p.int("bootstrap")
        if resamples > 0 {
            let seed = p.unsigned("seed")
            guard seed <= UInt64(UInt32.max) else { throw AggregationError("\(name): seed must be below 2^32 (numpy's RandomState), got \(seed)") }
            let settings = EvalicaBootstrap(resamples: resamples, confidence: p.double("confidence"), method: p.choice("bootstrap-method"),
                                            seed: UInt32(seed), threads: p.execution.threads)
            let intervals = try settings.intervals(method, comparisons)
            let low = comparisons.byItemId(intervals.low), high = comparisons.byItemId(intervals.high)
            result.itemScores = comparisons.byItemId(intervals.scores)
            result.tables = [MethodTable(name: "intervals", rows: .items, columns: ["low", "high"], values: zip(low, high).flatMap { [$0, $1] })]
            result.notes = ["\(name): \(resamples) bootstrap resamples (\(settings.method.rawValue), confidence \(settings.confidence), seed \(seed))"]
        } else {
            result.itemScores = comparisons.byItemId(method.scores(comparisons))
        }
        return result
    }
}

extension EvalicaWeights {
    /// The weights given as `win-weight` and `tie-weight`.
    init(_ p: ResolvedParameters) { self.init(win: p.double("win-weight"), tie: p.double("tie-weight")) }
}

extension EvalicaStopping {
    /// The stopping rule given as `tolerance` and `max-iterations`.
    init(_ p: ResolvedParameters) { self.init(tolerance: p.double("tolerance"), limit: p.int("max-iterations")) }
}
