import Foundation
import TallyCore

/// `{"output_values": {...}, "correctness_weight"?: n}` — a control task's accepted answer.
public struct KnownSolution: Codable, Sendable, Hashable {
    public var outputValues: [String: JSONValue]
    public var correctnessWeight: Double?
    public init(outputValues: [String: JSONValue], correctnessWeight: Double? = nil) {
        self.outputValues = outputValues; self.correctnessWeight = correctnessWeight
    }
    enum CodingKeys: String, CodingKey { case outputValues = "output_values", correctnessWeight = "correctness_weight" }
}

/// A Toloker's answer: `{"output_values": {...}}`.
public struct Solution: Codable, Sendable, Hashable {
    public var outputValues: [String: JSONValue]
    public init(outputValues: [String: JSONValue]) { self.outputValues = outputValues }
    enum CodingKeys: String, CodingKey { case outputValues = "output_values" }
}

/// A task (spec §5.1).
///
/// Overlap is written as toloka-kit writes it: neither `overlap` nor `infinite_overlap` when
/// unset; `"infinite_overlap": true, "overlap": null` for infinite overlap;
/// `"overlap": n, "infinite_overlap": false` for a finite one.
public struct TolokaTask: TolokaObject, Hashable {
    public var id: String?
    public var poolID: String
    public var inputValues: [String: JSONValue]
    public var knownSolutions: [KnownSolution]?
    public var messageOnUnknownSolution: String?
    public var overlap: Int?
    public var infiniteOverlap: Bool?
    public var baselineSolutions: JSONValue?
    public var reservedFor: [String]?
    public var unavailableFor: [String]?
    public var traitsAllOf: [String]?
    public var traitsAnyOf: [String]?
    public var traitsNoneOfAny: [String]?
    public var created: String?
    public var remainingOverlap: Int?
    public var originTaskID: String?
    public var unknownFields: [String: JSONValue] = [:]

    public init(poolID: String, inputValues: [String: JSONValue], knownSolutions: [KnownSolution]? = nil,
                overlap: Int? = nil, infiniteOverlap: Bool? = nil) {
        self.poolID = poolID; self.inputValues = inputValues; self.knownSolutions = knownSolutions
        self.overlap = overlap; self.infiniteOverlap = infiniteOverlap
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, overlap, created
        case poolID = "pool_id", inputValues = "input_values", knownSolutions = "known_solutions"
        case messageOnUnknownSolution = "message_on_unknown_solution", infiniteOverlap = "infinite_overlap"
        case baselineSolutions = "baseline_solutions", reservedFor = "reserved_for", unavailableFor = "unavailable_for"
        case traitsAllOf = "traits_all_of", traitsAnyOf = "traits_any_of", traitsNoneOfAny = "traits_none_of_any"
        case remainingOverlap = "remaining_overlap", originTaskID = "origin_task_id"
    }

    /// A control (golden) task: one with known solutions.
    public var isGolden: Bool { !(knownSolutions ?? []).isEmpty }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encode(poolID, forKey: .poolID)
        try c.encode(inputValues, forKey: .inputValues)
        try c.encodeIfPresent(knownSolutions, forKey: .knownSolutions)
        try c.encodeIfPresent(messageOnUnknownSolution, forKey: .messageOnUnknownSolution)
        if infiniteOverlap == true {
            try c.encode(true, forKey: .infiniteOverlap)
            try c.encodeNil(forKey: .overlap)
        } else if let overlap {
            try c.encode(overlap, forKey: .overlap)
            try c.encode(false, forKey: .infiniteOverlap)
        } else if let infiniteOverlap {
            try c.encode(infiniteOverlap, forKey: .infiniteOverlap)
        }
        try c.encodeIfPresent(baselineSolutions, forKey: .baselineSolutions)
        try c.encodeIfPresent(reservedFor, forKey: .reservedFor)
        try c.encodeIfPresent(unavailableFor, forKey: .unavailableFor)
        try c.encodeIfPresent(traitsAllOf, forKey: .traitsAllOf)
        try c.encodeIfPresent(traitsAnyOf, forKey: .traitsAnyOf)
        try c.encodeIfPresent(traitsNoneOfAny, forKey: .traitsNoneOfAny)
        try c.encodeIfPresent(created, forKey: .created)
        try c.encodeIfPresent(remainingOverlap, forKey: .remainingOverlap)
        try c.encodeIfPresent(originTaskID, forKey: .originTaskID)
    }

    /// A key naming the task by its content (inputs and known solutions), used to find a task
    /// the server already has without relying on its id.
    public var contentKey: String {
        var o: [String: JSONValue] = ["input_values": .object(inputValues)]
        if let ks = knownSolutions, !ks.isEmpty, let j = try? JSONValue(encoding: ks) { o["known_solutions"] = j }
        return JSONValue.object(o).serialized(numbers: .python)
    }
}

/// A task suite (a page of tasks issued together).
public struct TaskSuite: Codable, Sendable, Hashable {
    public struct Item: Codable, Sendable, Hashable {
        public var taskID: String?
        public var inputValues: [String: JSONValue]?
        public var knownSolutions: [KnownSolution]?
        public var messageOnUnknownSolution: String?
        enum CodingKeys: String, CodingKey {
            case taskID = "task_id", inputValues = "input_values", knownSolutions = "known_solutions"
            case messageOnUnknownSolution = "message_on_unknown_solution"
        }
    }
    public var id: String?
    public var poolID: String
    public var tasks: [Item]
    public var overlap: Int?
    public var infiniteOverlap: Bool?
    public var remainingOverlap: Int?
    public var mixed: Bool?
    public var created: String?
    enum CodingKeys: String, CodingKey {
        case id, tasks, overlap, mixed, created
        case poolID = "pool_id", infiniteOverlap = "infinite_overlap", remainingOverlap = "remaining_overlap"
    }
}

/// `POST /api/v1/tasks` in synchronous mode with an array: results keyed by request index.
public struct TaskBatchCreateResult: Codable, Sendable {
    public var items: [String: TolokaTask]
    public var validationErrors: [String: JSONValue]?
    enum CodingKeys: String, CodingKey { case items, validationErrors = "validation_errors" }
}
