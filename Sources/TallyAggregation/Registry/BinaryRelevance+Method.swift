import TallyCore

extension BinaryRelevance {
    /// `binary-relevance` in ``MethodRegistry``.
    public static let method = MethodDescriptor(
        name: "binary-relevance", title: "Binary relevance",
        summary: "Multi-label answers: runs a categorical method (base-method) on each tag's yes/no answers and keeps the tags it says yes to (crowd-kit's BinaryRelevance).",
        citation: "Tsoumakas & Katakis (2007), Multi-label classification: an overview, IJDWM 3(3); crowd-kit's BinaryRelevance",
        family: .multiLabel, crowdKitClass: "BinaryRelevance", accepts: [.multiLabel],
        parameters: [
            ParameterDescriptor("base-method", "The categorical method run per tag (any of `tally methods` for categorical answers; crowd-kit's base_aggregator, default MajorityVote).", default: .string("mv")),
            ParameterDescriptor("base-parameters", "The base method's parameters as name=value items separated by commas (e.g. max-iterations=10,tolerance=1e-3); the rest take their defaults (or crowd-kit's under --compat crowd-kit).", default: .string("")),
        ],
        tables: ["tag-probabilities"]
    ) { answers, inputs, p in
        guard case .multiLabel(let m) = answers else { throw answers.refusal(by: "binary-relevance", takes: "multi-label answers") }
        guard case .string(let name)? = p.values["base-method"], case .string(let given)? = p.values["base-parameters"] else { preconditionFailure("binary-relevance parameters") }
        guard name != "binary-relevance" else { throw AggregationError("binary-relevance: base-method must be a categorical method, not binary-relevance") }
        let base = try MethodRegistry.method(named: name)
        let values = try BinaryRelevance.parameterValues(given, for: base)
        let relevance = try BinaryRelevance(base: base, parameters: MethodParameters(values, compatibility: p.compatibility, execution: p.execution), inputs: inputs)
        let fit = try relevance.fit(m)
        var result = MethodResult(tables: [MethodTable(name: "tag-probabilities", rows: .tasks, columns: m.labels.names, values: fit.tagProbabilities)],
                                  notes: ["binary-relevance: \(name) fitted on \(m.labelCount) tags"])
        result.taskLabelSets = fit.labelSets
        return result
    }
}
