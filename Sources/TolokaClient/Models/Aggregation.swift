import Foundation
import TallyCore

/// Toloka's server-side aggregation of a pool (`POST /v1/aggregated-solutions/aggregate-by-pool`):
/// what to aggregate and how. The result is an operation (`SOLUTION.AGGREGATE`) whose solutions
/// ``TolokaAPIClient/aggregatedSolutions(operationID:)`` reads.
public struct AggregationRequest: Codable, Sendable, Hashable {
    /// One output field to aggregate.
    public struct Field: Codable, Sendable, Hashable {
        /// The output field's name.
        public var name: String
        /// The field named `name`.
        public init(name: String) { self.name = name }
    }
    /// `DAWID_SKENE` (pools without dynamic overlap; one field) or `WEIGHTED_DYNAMIC_OVERLAP`
    /// (weighted by `answerWeightSkillID`). Other values are sent as given.
    public var type: String
    /// The pool whose accepted answers are aggregated.
    public var poolID: String
    /// The skill whose value weighs each Toloker's answers (`WEIGHTED_DYNAMIC_OVERLAP`).
    public var answerWeightSkillID: String?
    /// The output fields to aggregate (one for `DAWID_SKENE`).
    public var fields: [Field]

    /// A request to aggregate `fields` of pool `poolID` by `type`.
    public init(type: String, poolID: String, fields: [String], answerWeightSkillID: String? = nil) {
        self.type = type; self.poolID = poolID; self.fields = fields.map(Field.init); self.answerWeightSkillID = answerWeightSkillID
    }

    enum CodingKeys: String, CodingKey { case type, fields; case poolID = "pool_id"; case answerWeightSkillID = "answer_weight_skill_id" }

    /// Toloka's two aggregation types.
    public static let types = ["DAWID_SKENE", "WEIGHTED_DYNAMIC_OVERLAP"]
}

/// One task's aggregated answer, as `GET /v1/aggregated-solutions/{operation id}` lists it.
public struct AggregatedSolution: Codable, Sendable, Hashable {
    /// The pool the task belongs to.
    public var poolID: String?
    /// The task.
    public var taskID: String
    /// The server's confidence in the answer, 0–1.
    public var confidence: Double?
    /// The aggregated answer: output field → value.
    public var outputValues: [String: JSONValue]

    enum CodingKeys: String, CodingKey { case confidence; case poolID = "pool_id"; case taskID = "task_id"; case outputValues = "output_values" }
}
