import TallyCore

/// One test in a rule: a collector statistic compared with a constant (`{"key", "operator", "value"}`).
///
/// A rule's conditions are joined by AND. Rates are percentages from 0 to 100, counts are integers.
public struct Condition: Sendable, Equatable, Codable {
    /// The statistic tested.
    public var key: ConditionKey
    /// The comparison.
    public var `operator`: ComparisonOperator
    /// The constant the statistic is compared with.
    public var value: Value

    /// The condition `key op value`, for example `Condition(.goldenSetCorrectAnswersRate, .lte, 80)`.
    public init(_ key: ConditionKey, _ op: ComparisonOperator, _ value: Value) {
        self.key = key
        self.operator = op
        self.value = value
    }

    /// A condition's constant: a number for counts and rates, a string or a boolean for the few
    /// enumerated keys (`assessment_event`, `pool_access_revoked_reason`, `skill_id`, `next_assignment_available`).
    public enum Value: Sendable, Equatable, Codable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
        /// A count or a rate (rates are percentages, 0–100).
        case number(Double)
        /// A boolean (`next_assignment_available`).
        case bool(Bool)
        /// A string (`assessment_event`, `pool_access_revoked_reason`, `skill_id`).
        case string(String)

        /// `80.5` as ``number(_:)``.
        public init(floatLiteral value: Double) { self = .number(value) }
        /// `80` as ``number(_:)``.
        public init(integerLiteral value: Int) { self = .number(Double(value)) }

        /// The number, when the value is one.
        public var number: Double? {
            if case .number(let d) = self { return d }
            return nil
        }

        /// Decodes a number, a string or `true`/`false`.
        /// - Throws: `DecodingError` for any other JSON value.
        public init(from decoder: any Decoder) throws {
            switch try? JSONValue(from: decoder) {
            case .bool(let b): self = .bool(b)
            case .int(let i): self = .number(Double(i))
            case .double(let d): self = .number(d)
            case .string(let s): self = .string(s)
            default: throw invalid(decoder.codingPath, "expected a number, a string or true/false")
            }
        }

        /// Encodes the constant; an integral number within ±9·10¹⁵ is written without a fraction.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let d):
                if d.rounded() == d, abs(d) < 9e15 { try c.encode(Int64(d)) } else { try c.encode(d) }
            case .bool(let b): try c.encode(b)
            case .string(let s): try c.encode(s)
            }
        }
    }

    enum CodingKeys: String, CodingKey { case key, `operator`, value }

    /// Decodes `{"key", "operator", "value"}`; a ``QualityControl`` also checks the key against
    /// the rule's collector.
    /// - Throws: `DecodingError` for an unknown key or operator, or a value of the wrong type.
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, collector: nil)
    }

    /// Decodes a condition, checking its key against what `collector` offers.
    init(from decoder: any Decoder, collector: Collector.Kind?) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let allowed = collector.map { ConditionKey.allowed(for: $0) }
        let key = try c.decodeEnum(ConditionKey.self, forKey: .key, allowed: allowed)
        let op = try c.decodeEnum(ComparisonOperator.self, forKey: .operator)
        let value = try c.decode(Value.self, forKey: .value)
        switch (key.valueKind, value) {
        case (.number, .number), (.bool, .bool), (.string, .string): break
        case (.number, _):
            throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "expected a number for \(key.rawValue)")
        case (.bool, _):
            throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "expected true or false for \(key.rawValue)")
        case (.string, _):
            throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "expected a string for \(key.rawValue)")
        }
        if key.valueKind != .number, op != .eq, op != .ne {
            throw DecodingError.dataCorruptedError(forKey: .operator, in: c, debugDescription: "expected EQ or NE for \(key.rawValue), got \"\(op.rawValue)\"")
        }
        self.init(key, op, value)
    }
}

/// The comparison in a condition.
public enum ComparisonOperator: String, Sendable, Equatable, Codable, CaseIterable {
    /// Equal, not equal, greater than, greater or equal, less than, less or equal.
    case eq = "EQ", ne = "NE", gt = "GT", gte = "GTE", lt = "LT", lte = "LTE"

    /// Whether `lhs <op> rhs` holds.
    @inline(__always)
    public func holds(_ lhs: Double, _ rhs: Double) -> Bool {
        switch self {
        case .eq: return lhs == rhs
        case .ne: return lhs != rhs
        case .gt: return lhs > rhs
        case .gte: return lhs >= rhs
        case .lt: return lhs < rhs
        case .lte: return lhs <= rhs
        }
    }
}

/// A statistic a collector offers to conditions (the Toloka API's `key` names; `SET_SKILL_FROM_OUTPUT_FIELD`
/// names one too). Rates are percentages from 0 to 100; counts are integers.
public enum ConditionKey: String, Sendable, Equatable, Codable, CaseIterable {
    // GOLDEN_SET, MAJORITY_VOTE, TRAINING
    /// Answers counted (control and training for `GOLDEN_SET`; general for `MAJORITY_VOTE`).
    case totalAnswersCount = "total_answers_count"
    /// Percentage of counted answers that were correct.
    case correctAnswersRate = "correct_answers_rate"
    /// Percentage of counted answers that were wrong.
    case incorrectAnswersRate = "incorrect_answers_rate"
    // GOLDEN_SET
    /// Control answers counted (training answers left out).
    case goldenSetAnswersCount = "golden_set_answers_count"
    /// Percentage of control answers that were correct.
    case goldenSetCorrectAnswersRate = "golden_set_correct_answers_rate"
    /// Percentage of control answers that were wrong.
    case goldenSetIncorrectAnswersRate = "golden_set_incorrect_answers_rate"
    // ANSWER_COUNT
    /// Suites the Toloker submitted in the pool (Toloka's name notwithstanding).
    case assignmentsAcceptedCount = "assignments_accepted_count"
    // ASSIGNMENT_SUBMIT_TIME
    /// Submitted suites counted.
    case totalSubmittedCount = "total_submitted_count"
    /// Of those, suites submitted faster than the collector's threshold.
    case fastSubmittedCount = "fast_submitted_count"
    // CAPTCHA
    /// Captchas answered.
    case storedResultsCount = "stored_results_count"
    /// Percentage of captchas answered correctly.
    case successRate = "success_rate"
    /// Percentage of captchas answered wrongly.
    case failRate = "fail_rate"
    // SKIPPED_IN_ROW_ASSIGNMENTS
    /// Suites skipped in a row since the last submission.
    case skippedInRowCount = "skipped_in_row_count"
    // ACCEPTANCE_RATE
    /// Reviewed assignments counted.
    case totalAssignmentsCount = "total_assignments_count"
    /// Percentage of reviewed assignments that were accepted.
    case acceptedAssignmentsRate = "accepted_assignments_rate"
    /// Percentage of reviewed assignments that were rejected.
    case rejectedAssignmentsRate = "rejected_assignments_rate"
    // ASSIGNMENTS_ASSESSMENT
    /// A suite's submitted assignments not yet reviewed.
    case pendingAssignmentsCount = "pending_assignments_count"
    /// A suite's accepted assignments.
    case acceptedAssignmentsCount = "accepted_assignments_count"
    /// A suite's rejected assignments.
    case rejectedAssignmentsCount = "rejected_assignments_count"
    /// The review event: `ACCEPT`, `ACCEPT_AFTER_REJECT` or `REJECT`.
    case assessmentEvent = "assessment_event"
    // USERS_ASSESSMENT
    /// Why a Toloker lost access: `RESTRICTION` or `SKILL_CHANGE`.
    case poolAccessRevokedReason = "pool_access_revoked_reason"
    /// The skill whose change revoked access.
    case skillID = "skill_id"
    // INCOME
    /// The Toloker's earnings in the pool over the last 24 hours, in US dollars.
    case incomeSumForLast24Hours = "income_sum_for_last_24_hours"
    // TRAINING
    /// Training suites submitted.
    case submittedAssignmentsCount = "submitted_assignments_count"
    /// Whether another training suite is available (`false`: the Toloker has done them all).
    case nextAssignmentAvailable = "next_assignment_available"

    enum ValueKind { case number, bool, string }

    var valueKind: ValueKind {
        switch self {
        case .assessmentEvent, .poolAccessRevokedReason, .skillID: return .string
        case .nextAssignmentAvailable: return .bool
        default: return .number
        }
    }

    /// The condition keys the Toloka API allows with a collector of this kind.
    public static func allowed(for kind: Collector.Kind) -> [ConditionKey] {
        switch kind {
        case .goldenSet: return [.totalAnswersCount, .correctAnswersRate, .incorrectAnswersRate, .goldenSetAnswersCount, .goldenSetCorrectAnswersRate, .goldenSetIncorrectAnswersRate]
        case .majorityVote: return [.totalAnswersCount, .correctAnswersRate, .incorrectAnswersRate]
        case .answerCount: return [.assignmentsAcceptedCount]
        case .assignmentSubmitTime: return [.totalSubmittedCount, .fastSubmittedCount]
        case .captcha: return [.storedResultsCount, .successRate, .failRate]
        case .skippedInRowAssignments: return [.skippedInRowCount]
        case .acceptanceRate: return [.totalAssignmentsCount, .acceptedAssignmentsRate, .rejectedAssignmentsRate]
        case .assignmentsAssessment: return [.pendingAssignmentsCount, .acceptedAssignmentsCount, .rejectedAssignmentsCount, .assessmentEvent]
        case .usersAssessment: return [.poolAccessRevokedReason, .skillID]
        case .income: return [.incomeSumForLast24Hours]
        case .training: return [.submittedAssignmentsCount, .totalAnswersCount, .correctAnswersRate, .incorrectAnswersRate, .nextAssignmentAvailable]
        }
    }
}
