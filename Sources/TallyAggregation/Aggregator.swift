import TallyCore

/// What every fitted aggregation model offers.
///
/// A model is an immutable value: fitting never changes the aggregator, and the model holds
/// ids that index the ``AnswerTable`` it was fitted on.
public protocol FittedModel: Sendable {
    /// The chosen label id of every task (ties go to the first label in ``LabelSet`` order).
    var labels: [Int32] { get }
    /// Tasks × labels posterior probabilities (or normalised scores), columns in label order.
    var probabilities: ProbabilityMatrix { get }
    /// A skill per worker id, for methods that estimate one.
    var skills: [Double]? { get }
}

/// An algorithm that turns a table of noisy answers into one label per task.
///
/// Hyperparameters go in the aggregator's initialiser; ``fit(_:)`` returns a fitted model.
public protocol Aggregator: Sendable {
    associatedtype Model: FittedModel
    func fit(_ answers: AnswerTable) throws -> Model
}

/// A problem an aggregator cannot get past with the data and settings it was given.
public struct AggregationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension AggregationError {
    /// Throws unless `iterations ≥ 0` and, when given, `tolerance` is finite: the settings every
    /// iterative method checks before it fits.
    static func checkIterations(_ iterations: Int, tolerance: Double? = nil) throws {
        guard iterations >= 0 else { throw AggregationError("the number of iterations must be ≥ 0") }
        if let tolerance, !tolerance.isFinite { throw AggregationError("the tolerance must be a finite number") }
    }
}

/// The result of the majority-vote family: labels, vote shares and worker skills.
public struct VoteModel: FittedModel {
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
