import TallyCore

/// How a registry method's fit refuses answers of a kind it does not take
/// (``MethodDescriptor/fit(_:inputs:parameters:)`` checks the kind first; these keep each fit
/// honest when it is called another way).
extension Answers {
    /// The comparisons, for pairwise methods; else ``refusal(by:takes:)``.
    func pairwiseAnswers(for method: String) throws -> PairwiseAnswers {
        if case .pairwise(let p) = self { return p }
        throw refusal(by: method, takes: "pairwise comparisons")
    }

    /// The error of `method`, which aggregates `takes` ("numeric answers"), given these answers.
    func refusal(by method: String, takes: String) -> AggregationError {
        AggregationError("\(method) aggregates \(takes); the input holds \(type.rawValue) answers")
    }
}
