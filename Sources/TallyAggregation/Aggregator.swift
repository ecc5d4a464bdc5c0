import TallyCore

/// What every fitted aggregation model offers.
///
/// A model is an immutable value: fitting never changes the aggregator, and the model holds
/// ids that index the ``AnswerTable`` it was fitted on: task `t` is `answers.tasks.name(Int32(t))`,
/// label id `l` is `answers.labels[Int(l)]`, worker `w` is `answers.workers.name(Int32(w))`.
public protocol FittedModel: Sendable {
    /// The chosen label id of every task, indexed by task id (ties go to the first label in
    /// ``LabelSet`` order).
    var labels: [Int32] { get }
    /// Tasks × labels posterior probabilities (or normalised scores), rows by task id, columns
    /// in label order.
    var probabilities: ProbabilityMatrix { get }
    /// A skill per worker id, for methods that estimate one; `nil` for the others.
    var skills: [Double]? { get }
}

/// An algorithm that turns a table of noisy answers into one label per task.
///
/// Hyperparameters go in the aggregator's initialiser; ``fit(_:)`` returns a fitted model.
///
/// ```swift
/// func labelNames(_ method: some Aggregator, _ answers: AnswerTable) throws -> [String] {
///     try method.fit(answers).labels.map { answers.labels[Int($0)] }
/// }
/// ```
public protocol Aggregator: Sendable {
    /// The fitted model ``fit(_:)`` returns.
    associatedtype Model: FittedModel
    /// Fits the method to `answers` and returns the model; the aggregator itself is unchanged.
    ///
    /// - Throws: ``AggregationError`` when the settings are invalid or the data cannot be
    ///   aggregated with them (for example KOS on more than two labels).
    func fit(_ answers: AnswerTable) throws -> Model
}

/// A problem an aggregator cannot get past with the data and settings it was given.
public struct AggregationError: LocatedError {
    /// What went wrong, in words meant for the person who ran the fit.
    public let message: String
    /// An error with `message`; aggregators written outside Tally may throw it too.
    public init(_ message: String) { self.message = message }
    /// Always nil: the ``description`` is the ``message``.
    public var location: String? { nil }
}

extension AggregationError {
    /// Throws unless `iterations ≥ 0` and, when given, `tolerance` is finite: the settings every
    /// iterative method checks before it fits.
    static func checkIterations(_ iterations: Int, tolerance: Double? = nil) throws {
        guard iterations >= 0 else { throw AggregationError("the number of iterations must be ≥ 0") }
        if let tolerance, !tolerance.isFinite { throw AggregationError("the tolerance must be a finite number") }
    }

    /// Throws unless every named value is a positive finite number (the priors of the Bayesian
    /// methods); the message starts with `method` and names the first value that is not.
    static func checkPositive(_ method: String, _ values: KeyValuePairs<String, Double>) throws {
        for (name, v) in values {
            guard v.isFinite && v > 0 else { throw AggregationError("\(method): \(name) must be a positive number, got \(v)") }
        }
    }

    /// Throws unless `answers` holds at least one answer, task and label; the message starts with `method`.
    static func checkNotEmpty(_ answers: AnswerTable, method: String) throws {
        guard answers.answerCount > 0, answers.taskCount > 0, answers.labelCount > 0 else {
            throw AggregationError("\(method): no answers to aggregate")
        }
    }
}

/// The result of the majority-vote family: labels, vote shares and worker skills.
public struct VoteModel: FittedModel {
    /// Per task id, the chosen label id (ties to the first label in ``LabelSet`` order).
    public let labels: [Int32]
    /// Per task, each label's share of the (weighted) votes.
    public let probabilities: ProbabilityMatrix
    /// Per worker: the skill used as the vote weight (MV: agreement with the final labels).
    public let skills: [Double]?
    /// Workers whose skill was not known and was filled in or left out (see each method).
    public let workersWithoutSkill: Int
    /// Tasks whose weighted votes summed to zero, scored by plain vote shares instead.
    public let tasksWithZeroWeight: Int
}
