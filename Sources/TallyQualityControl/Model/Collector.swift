/// What a quality-control config counts (`collector_config`): its type and parameters.
///
/// Decodes and encodes the Toloka API's JSON shape:
/// `{"type": "GOLDEN_SET", "uuid"?: …, "parameters": {"history_size": 10}}`. Parameters a type
/// does not take are ignored when decoding and never written.
public struct Collector: Sendable, Equatable, Codable {
    /// The collector types of the Toloka API.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// Answers to control (golden) tasks, and training answers.
        case goldenSet = "GOLDEN_SET"
        /// The Toloker's answers against the majority answer of each completed task.
        case majorityVote = "MAJORITY_VOTE"
        /// The number of suites the Toloker submitted in the pool.
        case answerCount = "ANSWER_COUNT"
        /// Submitted suites, and how many were submitted faster than a threshold.
        case assignmentSubmitTime = "ASSIGNMENT_SUBMIT_TIME"
        /// Captcha results (deprecated by Toloka; not emulated).
        case captcha = "CAPTCHA"
        /// Suites skipped in a row since the last submission.
        case skippedInRowAssignments = "SKIPPED_IN_ROW_ASSIGNMENTS"
        /// Accepted and rejected assignments in manual review.
        case acceptanceRate = "ACCEPTANCE_RATE"
        /// Review events of a task suite (not emulated).
        case assignmentsAssessment = "ASSIGNMENTS_ASSESSMENT"
        /// A Toloker losing access to the pool (not emulated).
        case usersAssessment = "USERS_ASSESSMENT"
        /// The Toloker's earnings in the pool over the last 24 hours (not emulated).
        case income = "INCOME"
        /// Answers in a training pool (not emulated).
        case training = "TRAINING"

        /// Whether the type takes `history_size`.
        var takesHistorySize: Bool {
            switch self {
            case .goldenSet, .majorityVote, .assignmentSubmitTime, .captcha, .acceptanceRate: return true
            default: return false
            }
        }

        /// Whether ``QualityControlEngine`` emulates this type.
        package var isEmulated: Bool {
            switch self {
            case .goldenSet, .majorityVote, .answerCount, .assignmentSubmitTime, .skippedInRowAssignments, .acceptanceRate: return true
            default: return false
            }
        }
    }

    /// The collector's type (`type`).
    public var kind: Kind
    /// Server-assigned; pools cloned from one another share it (and so, on Toloka, the history).
    public var uuid: String?
    /// The sliding window: the last N relevant events; `nil` counts every event in the pool.
    public var historySize: Int?
    /// `MAJORITY_VOTE` only (required there): how many Tolokers must give an answer for it to be the majority.
    public var answerThreshold: Int?
    /// `ASSIGNMENT_SUBMIT_TIME` only (required there): a suite submitted sooner than this after it was issued is fast.
    public var fastSubmitThresholdSeconds: Int?

    /// A collector of type `kind`; give the parameters its type takes (``answerThreshold`` for
    /// `MAJORITY_VOTE`, ``fastSubmitThresholdSeconds`` for `ASSIGNMENT_SUBMIT_TIME`).
    public init(_ kind: Kind, uuid: String? = nil, historySize: Int? = nil, answerThreshold: Int? = nil, fastSubmitThresholdSeconds: Int? = nil) {
        self.kind = kind
        self.uuid = uuid
        self.historySize = kind.takesHistorySize ? historySize : nil
        self.answerThreshold = kind == .majorityVote ? answerThreshold : nil
        self.fastSubmitThresholdSeconds = kind == .assignmentSubmitTime ? fastSubmitThresholdSeconds : nil
    }

    /// Answers to control (and training) tasks.
    public static func goldenSet(historySize: Int? = nil) -> Collector { Collector(.goldenSet, historySize: historySize) }
    /// Agreement with the majority on general tasks whose overlap completed.
    public static func majorityVote(answerThreshold: Int, historySize: Int? = nil) -> Collector {
        Collector(.majorityVote, historySize: historySize, answerThreshold: answerThreshold)
    }
    /// Suites submitted, and how many of them fast.
    public static func assignmentSubmitTime(fastSubmitThresholdSeconds: Int, historySize: Int? = nil) -> Collector {
        Collector(.assignmentSubmitTime, historySize: historySize, fastSubmitThresholdSeconds: fastSubmitThresholdSeconds)
    }
    /// Suites submitted in the pool.
    public static var answerCount: Collector { Collector(.answerCount) }
    /// Suites skipped in a row.
    public static var skippedInRowAssignments: Collector { Collector(.skippedInRowAssignments) }
    /// Reviewed assignments: accepted and rejected shares.
    public static func acceptanceRate(historySize: Int? = nil) -> Collector { Collector(.acceptanceRate, historySize: historySize) }

    enum CodingKeys: String, CodingKey { case type, uuid, parameters }
    enum ParameterKeys: String, CodingKey {
        case historySize = "history_size"
        case answerThreshold = "answer_threshold"
        case fastSubmitThresholdSeconds = "fast_submit_threshold_seconds"
    }

    /// Decodes `{"type": …, "uuid"?: …, "parameters"?: {…}}`.
    /// - Throws: `DecodingError` for an unknown type, a missing required parameter or a value out of
    ///   range (``QualityControl/decode(_:)`` reports it as a ``QualityControlError`` with its JSON path).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeEnum(Kind.self, forKey: .type)
        uuid = try c.decodeIfPresent(String.self, forKey: .uuid)
        let needsParameters = kind == .majorityVote || kind == .assignmentSubmitTime
        guard c.contains(.parameters) || needsParameters else { return }
        let p = try c.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters)
        if kind.takesHistorySize {
            historySize = try p.decodeIntIfPresent(forKey: .historySize, in: 1...Int(Int32.max))
        }
        if kind == .majorityVote {
            answerThreshold = try p.decodeInt(forKey: .answerThreshold, in: 1...Int(Int32.max))
        }
        if kind == .assignmentSubmitTime {
            fastSubmitThresholdSeconds = try p.decodeInt(forKey: .fastSubmitThresholdSeconds, in: 0...Int(Int32.max))
        }
    }

    /// Encodes the collector with only the parameters its type takes.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .type)
        try c.encodeIfPresent(uuid, forKey: .uuid)
        if historySize != nil || answerThreshold != nil || fastSubmitThresholdSeconds != nil {
            var p = c.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters)
            try p.encodeIfPresent(answerThreshold, forKey: .answerThreshold)
            try p.encodeIfPresent(fastSubmitThresholdSeconds, forKey: .fastSubmitThresholdSeconds)
            try p.encodeIfPresent(historySize, forKey: .historySize)
        }
    }
}
