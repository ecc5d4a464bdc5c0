import TallyCore

/// Dawid-Skene with one skill per worker: a worker answers right with probability `s_w` and
/// spreads the rest evenly over the other labels.
///
/// Same loop as ``DawidSkene``; the M-step sets `s_w` to the mean posterior of the worker's own
/// answers, then `e[w,y,c] = s_w` if `y = c`, else `(1 − s_w)/(K − 1)`, on the labels the worker
/// gave, clipped to [1e-10, 1 − 1e-10] and not renormalised — exactly as crowd-kit 1.4.2's
/// `OneCoinDawidSkene`.
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let model = try OneCoinDawidSkene().fit(answers)
/// let accuracy = model.skills!   // per worker id, P(answers right)
/// ```
public struct OneCoinDawidSkene: Aggregator {
    /// The most EM iterations (default 100); 0 returns the starting posteriors.
    public var maxIterations: Int
    /// Stop when the per-answer ELBO grows by less than this (signed, so a decrease stops too;
    /// default 1e-5).
    public var tolerance: Double
    /// A saved fit to resume from (``InitialConfusions/init(resuming:)``); confusion cells are not
    /// taken by the one-coin model.
    public var initialConfusions: InitialConfusions?
    /// Called after every iteration with (iteration, loss).
    public var progress: (@Sendable (Int, Double) -> Void)?
    /// Threads, kernel choice and iteration timing.
    public var execution: ExecutionSettings

    /// A one-coin Dawid-Skene aggregator; the defaults are crowd-kit 1.4.2's.
    public init(maxIterations: Int = 100, tolerance: Double = 1e-5, initialConfusions: InitialConfusions? = nil,
                progress: (@Sendable (Int, Double) -> Void)? = nil, execution: ExecutionSettings = ExecutionSettings()) {
        self.initialConfusions = initialConfusions
        self.execution = execution
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.progress = progress
    }

    /// Runs EM; the model's ``DawidSkeneModel/skills`` are the one-coin skills.
    ///
    /// - Throws: ``AggregationError`` when `maxIterations` is negative, when ``initialConfusions``
    ///   holds cells rather than a saved fit, or when the saved fit's labels are not the answers'.
    public func fit(_ answers: AnswerTable) throws -> DawidSkeneModel {
        if let initialConfusions, initialConfusions.resumed == nil {
            throw AggregationError("onecoin-ds: initial confusion cells (--initial-error) apply to ds only; onecoin-ds takes a saved model (--init-model)")
        }
        return try DawidSkeneEngine.fit(answers, mStep: .oneCoin, maxIterations: maxIterations, tolerance: tolerance,
                                        initial: initialConfusions, progress: progress, execution: execution)
    }
}
