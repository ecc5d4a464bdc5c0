/// The result of a numeric truth-inference method: one estimate per task, and per-worker
/// weights for the methods that estimate them.
///
/// Ids are those of the answers the method was fitted on: ``estimates``[t] belongs to task id
/// `t`, ``weights``[w] to worker id `w`.
public struct NumericModel: Sendable {
    /// The estimated true value of every task, by task id.
    public let estimates: [Double]
    /// Each worker's weight (its quality as the method measures it), by worker id; `nil` for
    /// mean and median. Scales differ by method: see each method.
    public let weights: [Double]?
    /// Iterations run; `nil` for mean and median.
    public let iterations: Int?

    /// A model of `estimates`, with optional `weights` and `iterations`.
    public init(estimates: [Double], weights: [Double]? = nil, iterations: Int? = nil) {
        self.estimates = estimates
        self.weights = weights
        self.iterations = iterations
    }
}
