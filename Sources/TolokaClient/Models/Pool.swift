import Foundation
import TallyCore

/// A pool filter tree (spec §4.2): a condition, or an AND / OR of filters.
public indirect enum Filter: Sendable, Hashable, Codable {
    case and([Filter])
    case or([Filter])
    case condition(Condition)

    /// `{"category": "profile"|"computed"|"skill", "key": …, "operator": "EQ"|…, "value": …}`.
    public struct Condition: Sendable, Hashable, Codable {
        public var category: String
        public var key: String
        public var `operator`: String
        /// Absent for a skill condition meaning "has no such skill".
        public var value: JSONValue?
        public init(category: String, key: String, operator: String, value: JSONValue?) {
            self.category = category; self.key = key; self.operator = `operator`; self.value = value
        }
    }

    public init(from decoder: any Decoder) throws {
        let json = try JSONValue(from: decoder)
        if let a = json["and"]?.arrayValue {
            self = .and(try a.map { try $0.decode(Filter.self) })
        } else if let o = json["or"]?.arrayValue {
            self = .or(try o.map { try $0.decode(Filter.self) })
        } else {
            self = .condition(try json.decode(Condition.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .and(let a): try JSONValue.object(["and": .array(a.map { (try? JSONValue(encoding: $0)) ?? .null })]).encode(to: encoder)
        case .or(let a): try JSONValue.object(["or": .array(a.map { (try? JSONValue(encoding: $0)) ?? .null })]).encode(to: encoder)
        case .condition(let c): try c.encode(to: encoder)
        }
    }

    /// The AND-of-ORs shape toloka-kit sends (and the web UI shows).
    public var normalized: Filter {
        switch self {
        case .condition: return .and([.or([self])])
        case .or: return .and([self])
        case .and(let items):
            return .and(items.map { item in
                if case .condition = item { return .or([item]) }
                return item
            })
        }
    }
}

/// `mixer_config` (spec §4.4).
public struct MixerConfig: Codable, Sendable, Hashable {
    public var realTasksCount: Int
    public var goldenTasksCount: Int
    public var trainingTasksCount: Int
    public var minRealTasksCount: Int?
    public var minGoldenTasksCount: Int?
    public var minTrainingTasksCount: Int?
    public var forceLastAssignment: Bool?
    public var forceLastAssignmentDelaySeconds: Int?
    public var mixTasksInCreationOrder: Bool?
    public var shuffleTasksInTaskSuite: Bool?
    public var goldenTaskDistributionFunction: JSONValue?
    public var trainingTaskDistributionFunction: JSONValue?

    public init(realTasksCount: Int, goldenTasksCount: Int, trainingTasksCount: Int = 0) {
        self.realTasksCount = realTasksCount; self.goldenTasksCount = goldenTasksCount; self.trainingTasksCount = trainingTasksCount
    }

    enum CodingKeys: String, CodingKey {
        case realTasksCount = "real_tasks_count", goldenTasksCount = "golden_tasks_count", trainingTasksCount = "training_tasks_count"
        case minRealTasksCount = "min_real_tasks_count", minGoldenTasksCount = "min_golden_tasks_count", minTrainingTasksCount = "min_training_tasks_count"
        case forceLastAssignment = "force_last_assignment", forceLastAssignmentDelaySeconds = "force_last_assignment_delay_seconds"
        case mixTasksInCreationOrder = "mix_tasks_in_creation_order", shuffleTasksInTaskSuite = "shuffle_tasks_in_task_suite"
        case goldenTaskDistributionFunction = "golden_task_distribution_function"
        case trainingTaskDistributionFunction = "training_task_distribution_function"
    }
}

/// A pool (spec §4.1). `quality_control` is kept as JSON (its typed model lives in
/// TallyQualityControl, which this module does not depend on).
public struct Pool: TolokaObject, Hashable {
    public struct Defaults: Codable, Sendable, Hashable {
        public var defaultOverlapForNewTaskSuites: Int?
        public var defaultOverlapForNewTasks: Int?
        public init(defaultOverlapForNewTaskSuites: Int?, defaultOverlapForNewTasks: Int? = nil) {
            self.defaultOverlapForNewTaskSuites = defaultOverlapForNewTaskSuites; self.defaultOverlapForNewTasks = defaultOverlapForNewTasks
        }
        enum CodingKeys: String, CodingKey {
            case defaultOverlapForNewTaskSuites = "default_overlap_for_new_task_suites"
            case defaultOverlapForNewTasks = "default_overlap_for_new_tasks"
        }
    }

    public var id: String?
    public var projectID: String
    public var privateName: String?
    public var mayContainAdultContent: Bool?
    public var rewardPerAssignment: Decimal?
    public var assignmentMaxDurationSeconds: Int?
    /// ISO 8601 without a zone, UTC (`2026-01-01T00:00:00`).
    public var willExpire: String?
    public var defaults: Defaults?
    public var privateComment: String?
    public var publicDescription: String?
    public var publicInstructions: String?
    public var autoCloseAfterCompleteDelaySeconds: Int?
    public var autoAcceptSolutions: Bool?
    public var autoAcceptPeriodDay: Int?
    public var assignmentsIssuingConfig: JSONValue?
    public var priority: Int?
    public var filter: Filter?
    public var qualityControl: JSONValue?
    public var mixerConfig: MixerConfig?
    public var dynamicPricingConfig: JSONValue?
    public var dynamicOverlapConfig: JSONValue?
    public var speedQualityBalance: JSONValue?
    public var trainingConfig: JSONValue?
    public var metadata: [String: [String]]?
    public var owner: Owner?
    // Read-only.
    public var status: String?
    public var lastCloseReason: String?
    public var created: String?
    public var lastStarted: String?
    public var lastStopped: String?
    public var type: String?
    public var unknownFields: [String: JSONValue] = [:]

    public init(projectID: String, privateName: String?, rewardPerAssignment: Decimal?, assignmentMaxDurationSeconds: Int?,
                willExpire: String?, defaults: Defaults? = Defaults(defaultOverlapForNewTaskSuites: 1)) {
        self.projectID = projectID; self.privateName = privateName; self.rewardPerAssignment = rewardPerAssignment
        self.assignmentMaxDurationSeconds = assignmentMaxDurationSeconds; self.willExpire = willExpire; self.defaults = defaults
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, defaults, priority, filter, metadata, owner, status, created, type
        case projectID = "project_id", privateName = "private_name", mayContainAdultContent = "may_contain_adult_content"
        case rewardPerAssignment = "reward_per_assignment", assignmentMaxDurationSeconds = "assignment_max_duration_seconds"
        case willExpire = "will_expire", privateComment = "private_comment", publicDescription = "public_description"
        case publicInstructions = "public_instructions", autoCloseAfterCompleteDelaySeconds = "auto_close_after_complete_delay_seconds"
        case autoAcceptSolutions = "auto_accept_solutions", autoAcceptPeriodDay = "auto_accept_period_day"
        case assignmentsIssuingConfig = "assignments_issuing_config", qualityControl = "quality_control", mixerConfig = "mixer_config"
        case dynamicPricingConfig = "dynamic_pricing_config", dynamicOverlapConfig = "dynamic_overlap_config"
        case speedQualityBalance = "speed_quality_balance", trainingConfig = "training_config"
        case lastCloseReason = "last_close_reason", lastStarted = "last_started", lastStopped = "last_stopped"
    }

    public var isOpen: Bool { status == "OPEN" }
    public var isClosed: Bool { status == "CLOSED" }

    /// The pool as sent on creation: read-only fields left out.
    public func creationJSON() throws -> JSONValue {
        var copy = self
        copy.id = nil; copy.status = nil; copy.lastCloseReason = nil; copy.created = nil
        copy.lastStarted = nil; copy.lastStopped = nil; copy.type = nil; copy.owner = nil
        return try copy.preservingJSON()
    }
}
