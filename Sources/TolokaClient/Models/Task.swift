import Foundation
import TallyCore

/// `{"output_values": {...}, "correctness_weight"?: n}` — a control task's accepted answer. A
/// control task lists every acceptable combination of output values.
public struct KnownSolution: Codable, Sendable, Hashable {
    /// Output field → the accepted value.
    public var outputValues: [String: JSONValue]
    /// How correct this answer counts, 0–1 (Toloka's default 1).
    public var correctnessWeight: Double?
    /// A known solution.
    public init(outputValues: [String: JSONValue], correctnessWeight: Double? = nil) {
        self.outputValues = outputValues; self.correctnessWeight = correctnessWeight
    }
    enum CodingKeys: String, CodingKey { case outputValues = "output_values", correctnessWeight = "correctness_weight" }
}

/// A Toloker's answer: `{"output_values": {...}}`.
public struct Solution: Codable, Sendable, Hashable {
    /// Output field → the Toloker's value.
    public var outputValues: [String: JSONValue]
    /// An answer.
    public init(outputValues: [String: JSONValue]) { self.outputValues = outputValues }
    enum CodingKeys: String, CodingKey { case outputValues = "output_values" }
}

/// A task: the input values one Toloker answer is about, uploaded to a pool. With
/// `known_solutions` it is a control (golden) task.
///
/// Overlap is written as toloka-kit writes it: neither `overlap` nor `infinite_overlap` when
/// unset; `"infinite_overlap": true, "overlap": null` for infinite overlap;
/// `"overlap": n, "infinite_overlap": false` for a finite one.
public struct TolokaTask: TolokaObject, Codable, Sendable, Hashable {
    /// The task id, set by the server (nil before upload).
    public var id: String?
    /// The pool the task belongs to.
    public var poolID: String
    /// Input field → value (the project's `input_spec` fields).
    public var inputValues: [String: JSONValue]
    /// The accepted answers of a control (golden) task; nil for a general task.
    public var knownSolutions: [KnownSolution]?
    /// The hint shown after a wrong answer (training tasks).
    public var messageOnUnknownSolution: String?
    /// How many distinct Tolokers must complete the task (1–30,000); nil with
    /// `allow_defaults` takes the pool's default.
    public var overlap: Int?
    /// True: any number of Tolokers may complete it (control tasks); `overlap` is then nil.
    public var infiniteOverlap: Bool?
    /// Baseline answers for dynamic overlap, kept as JSON.
    public var baselineSolutions: JSONValue?
    /// Toloker ids the task is reserved for.
    public var reservedFor: [String]?
    /// Toloker ids that may not get the task.
    public var unavailableFor: [String]?
    /// Traits a Toloker must all have.
    public var traitsAllOf: [String]?
    /// Traits of which a Toloker must have at least one.
    public var traitsAnyOf: [String]?
    /// Traits a Toloker must have none of.
    public var traitsNoneOfAny: [String]?
    /// When the task was created (read-only; Toloka's date-time text, UTC).
    public var created: String?
    /// How many more Tolokers may complete it (read-only; absent for infinite overlap).
    public var remainingOverlap: Int?
    /// The task this one was copied from (read-only).
    public var originTaskID: String?
    /// Fields of the task's JSON that Tally does not model, kept as read and sent back.
    public var unknownFields: [String: JSONValue] = [:]

    /// A task for `poolID`; without overlap it gets the pool's default when uploaded with
    /// `allowDefaults`.
    public init(poolID: String, inputValues: [String: JSONValue], knownSolutions: [KnownSolution]? = nil,
                overlap: Int? = nil, infiniteOverlap: Bool? = nil) {
        self.poolID = poolID; self.inputValues = inputValues; self.knownSolutions = knownSolutions
        self.overlap = overlap; self.infiniteOverlap = infiniteOverlap
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, overlap, created
        case poolID = "pool_id", inputValues = "input_values", knownSolutions = "known_solutions"
        case messageOnUnknownSolution = "message_on_unknown_solution", infiniteOverlap = "infinite_overlap"
        case baselineSolutions = "baseline_solutions", reservedFor = "reserved_for", unavailableFor = "unavailable_for"
        case traitsAllOf = "traits_all_of", traitsAnyOf = "traits_any_of", traitsNoneOfAny = "traits_none_of_any"
        case remainingOverlap = "remaining_overlap", originTaskID = "origin_task_id"
    }

    /// A control (golden) task: one with known solutions.
    public var isGolden: Bool { !(knownSolutions ?? []).isEmpty }

    /// Writes the task as toloka-kit does (see the type's note on overlap).
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
    var contentKey: String {
        var o: [String: JSONValue] = ["input_values": .object(inputValues)]
        if let ks = knownSolutions, !ks.isEmpty, let j = try? JSONValue(encoding: ks) { o["known_solutions"] = j }
        return JSONValue.object(o).serialized(numbers: .python)
    }
}

/// A task suite (a page of tasks issued together).
struct TaskSuite: Codable, Sendable, Hashable {
    struct Item: Codable, Sendable, Hashable {
        var taskID: String?
        var inputValues: [String: JSONValue]?
        var knownSolutions: [KnownSolution]?
        var messageOnUnknownSolution: String?
        enum CodingKeys: String, CodingKey {
            case taskID = "task_id", inputValues = "input_values", knownSolutions = "known_solutions"
            case messageOnUnknownSolution = "message_on_unknown_solution"
        }
    }
    var id: String?
    var poolID: String
    var tasks: [Item]
    var overlap: Int?
    var infiniteOverlap: Bool?
    var remainingOverlap: Int?
    var mixed: Bool?
    var created: String?
    enum CodingKeys: String, CodingKey {
        case id, tasks, overlap, mixed, created
        case poolID = "pool_id", infiniteOverlap = "infinite_overlap", remainingOverlap = "remaining_overlap"
    }
}

/// `POST /api/v1/tasks` in synchronous mode with an array: results keyed by request index.
public struct TaskBatchCreateResult: Codable, Sendable {
    /// Request index (as text, `"0"`, `"1"`, …) → the created task.
    public var items: [String: TolokaTask]
    /// Request index → field path → `{code, message}` for each task that was not created.
    public var validationErrors: [String: JSONValue]?
    enum CodingKeys: String, CodingKey { case items, validationErrors = "validation_errors" }
}
