/// A metric that cannot be computed on the answers given (too few answers, a worker without a
/// skill, inputs of different lengths); the message says why and what is needed.
public struct MetricError: LocatedError {
    /// What is missing or wrong.
    public let message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
    /// Always nil: the ``description`` is the ``message``.
    public var location: String? { nil }
}
