import Foundation
import TallyCore

/// A pool filter tree (`filter`): which Tolokers may see the pool. A condition, or an AND / OR of
/// filters, written as `{"and": […]}`, `{"or": […]}` or the condition's own object.
public indirect enum Filter: Sendable, Hashable, Codable {
    /// All of these filters must hold.
    case and([Filter])
    /// At least one of these filters must hold.
    case or([Filter])
    /// One condition on a Toloker's profile, computed data or skill.
    case condition(Condition)

    /// `{"category": "profile"|"computed"|"skill", "key": …, "operator": "EQ"|…, "value": …}`, e.g.
    /// `languages IN EN` or `client_type EQ TOLOKA_APP`.
    public struct Condition: Sendable, Hashable, Codable {
        /// `profile`, `computed` or `skill`.
        public var category: String
        /// The attribute: `languages`, `country`, `client_type`, `device_category`, …, or a skill id.
        public var key: String
        /// Upper case: `EQ`, `NE`, `GT`, `GTE`, `LT`, `LTE`, `IN`, `NOT_IN`.
        public var `operator`: String
        /// Absent for a skill condition meaning "has no such skill".
        public var value: JSONValue?
        /// A condition.
        public init(category: String, key: String, operator: String, value: JSONValue?) {
            self.category = category; self.key = key; self.operator = `operator`; self.value = value
        }
    }

    /// Reads a filter from its JSON (`and`, `or`, or a condition).
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

    /// Writes the filter as Toloka's JSON.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .and(let a): try JSONValue.object(["and": .array(a.map { (try? JSONValue(encoding: $0)) ?? .null })]).encode(to: encoder)
        case .or(let a): try JSONValue.object(["or": .array(a.map { (try? JSONValue(encoding: $0)) ?? .null })]).encode(to: encoder)
        case .condition(let c): try c.encode(to: encoder)
        }
    }

    /// The AND-of-ORs shape toloka-kit sends (and the web UI shows).
    var normalized: Filter {
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

/// `mixer_config`: how many general, control (golden) and training tasks each task suite holds
/// (smart mixing). Counts are 0–500.
public struct MixerConfig: Codable, Sendable, Hashable {
    /// General (real) tasks per suite.
    public var realTasksCount: Int
    /// Control (golden) tasks per suite.
    public var goldenTasksCount: Int
    /// Training tasks per suite.
    public var trainingTasksCount: Int
    /// The smallest partial suite of general tasks (default: `realTasksCount`).
    public var minRealTasksCount: Int?
    /// The smallest number of control tasks in a suite (default: `goldenTasksCount`).
    public var minGoldenTasksCount: Int?
    /// The smallest number of training tasks in a suite (default: `trainingTasksCount`).
    public var minTrainingTasksCount: Int?
    /// When fewer general tasks remain than `minRealTasksCount`: true (the default) issues an
    /// incomplete last suite, false waits for more tasks.
    public var forceLastAssignment: Bool?
    /// Seconds to wait before issuing that last suite (0–86,400).
    public var forceLastAssignmentDelaySeconds: Int?
    /// True: general tasks are taken in upload order; false (the default): at random.
    public var mixTasksInCreationOrder: Bool?
    /// True (the default): the tasks of a suite are shuffled on the page.
    public var shuffleTasksInTaskSuite: Bool?
    /// Varies how often control tasks appear with the Toloker's experience (kept as JSON).
    public var goldenTaskDistributionFunction: JSONValue?
    /// The same for training tasks (kept as JSON).
    public var trainingTaskDistributionFunction: JSONValue?

    /// A mixer with these counts per suite; the other settings are left to the server's defaults.
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

/// A pool: a project's tasks offered to Tolokers at a price, with an overlap, filter, quality
/// control and mixer. Decoded pools keep the fields Tally does not model in `unknownFields` and
/// send them back.
public struct Pool: TolokaObject, Codable, Sendable, Hashable {
    /// `defaults`: the overlap given to tasks uploaded without one.
    public struct Defaults: Codable, Sendable, Hashable {
        /// Overlap for new task suites, 1–30,000 (Toloka requires it).
        public var defaultOverlapForNewTaskSuites: Int?
        /// Overlap for new tasks; when nil they take `defaultOverlapForNewTaskSuites`.
        public var defaultOverlapForNewTasks: Int?
        /// Default overlaps.
        public init(defaultOverlapForNewTaskSuites: Int?, defaultOverlapForNewTasks: Int? = nil) {
            self.defaultOverlapForNewTaskSuites = defaultOverlapForNewTaskSuites; self.defaultOverlapForNewTasks = defaultOverlapForNewTasks
        }
        enum CodingKeys: String, CodingKey {
            case defaultOverlapForNewTaskSuites = "default_overlap_for_new_task_suites"
            case defaultOverlapForNewTasks = "default_overlap_for_new_tasks"
        }
    }

    /// The pool id, set by the server (nil before creation).
    public var id: String?
    /// The project the pool belongs to.
    public var projectID: String
    /// The name only the requester sees (required on creation).
    public var privateName: String?
    /// Whether tasks may show adult content.
    public var mayContainAdultContent: Bool?
    /// The payment per task suite, in US dollars (at least 0.005; required on creation).
    public var rewardPerAssignment: Decimal?
    /// Seconds a Toloker has for one suite before the assignment expires (required on creation).
    public var assignmentMaxDurationSeconds: Int?
    /// When the pool closes (reason `EXPIRED`) even if unfinished: ISO 8601 without a zone, UTC
    /// (`2026-01-01T00:00:00`; ``TolokaDate/format(_:)`` writes it).
    public var willExpire: String?
    /// The overlap given to tasks uploaded without one.
    public var defaults: Defaults?
    /// A note only the requester sees.
    public var privateComment: String?
    /// Overrides the project's description for this pool.
    public var publicDescription: String?
    /// Overrides the project's instructions for this pool.
    public var publicInstructions: String?
    /// Seconds to keep the pool open after every task is done (0–259,200; default 0).
    public var autoCloseAfterCompleteDelaySeconds: Int?
    /// True (the default): submitted assignments are accepted at once; false: manual review.
    public var autoAcceptSolutions: Bool?
    /// Days the requester has to review when reviewing manually (1–21).
    public var autoAcceptPeriodDay: Int?
    /// `assignments_issuing_config` as JSON (e.g. `issue_task_suites_in_creation_order`).
    public var assignmentsIssuingConfig: JSONValue?
    /// The pool's priority among the requester's pools, 0–100 (default 0).
    public var priority: Int?
    /// Which Tolokers may see the pool.
    public var filter: Filter?
    /// `quality_control` (collectors and rules), kept as JSON: TallyQualityControl's
    /// `QualityControl` reads and writes it.
    public var qualityControl: JSONValue?
    /// How task suites are assembled from uploaded tasks; needed when tasks (not suites) are
    /// uploaded.
    public var mixerConfig: MixerConfig?
    /// `dynamic_pricing_config`, kept as JSON.
    public var dynamicPricingConfig: JSONValue?
    /// `dynamic_overlap_config`, kept as JSON.
    public var dynamicOverlapConfig: JSONValue?
    /// `speed_quality_balance`, kept as JSON.
    public var speedQualityBalance: JSONValue?
    /// `training_config`, kept as JSON.
    public var trainingConfig: JSONValue?
    /// Free-form metadata: key → values.
    public var metadata: [String: [String]]?
    /// The requester account that owns the pool (read-only).
    public var owner: Owner?
    /// `OPEN`, `CLOSED`, `ARCHIVED` or `LOCKED`. This and the fields below are read-only: the
    /// server sets them and the client does not send them on creation.
    public var status: String?
    /// Why the pool last closed: `MANUAL`, `EXPIRED`, `COMPLETED`, `NOT_ENOUGH_BALANCE`,
    /// `ASSIGNMENTS_LIMIT_EXCEEDED`, `BLOCKED` or `FOR_UPDATE`.
    public var lastCloseReason: String?
    /// When the pool was created (Toloka's date-time text, UTC).
    public var created: String?
    /// When the pool was last opened.
    public var lastStarted: String?
    /// When the pool was last closed.
    public var lastStopped: String?
    /// Deprecated by Toloka; always `REGULAR`.
    public var type: String?
    /// Fields of the pool's JSON that Tally does not model, kept as read and sent back on
    /// creation.
    public var unknownFields: [String: JSONValue] = [:]

    /// A pool with the fields Toloka requires; `defaults` gives new task suites overlap 1 unless
    /// set.
    public init(projectID: String, privateName: String?, rewardPerAssignment: Decimal?, assignmentMaxDurationSeconds: Int?,
                willExpire: String?, defaults: Defaults? = Defaults(defaultOverlapForNewTaskSuites: 1)) {
        self.projectID = projectID; self.privateName = privateName; self.rewardPerAssignment = rewardPerAssignment
        self.assignmentMaxDurationSeconds = assignmentMaxDurationSeconds; self.willExpire = willExpire; self.defaults = defaults
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
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

    /// True when `status` is `OPEN`.
    public var isOpen: Bool { status == "OPEN" }
    /// True when `status` is `CLOSED`.
    public var isClosed: Bool { status == "CLOSED" }

    /// The pool as sent on creation: read-only fields left out.
    func creationJSON() throws -> JSONValue {
        var copy = self
        copy.id = nil; copy.status = nil; copy.lastCloseReason = nil; copy.created = nil
        copy.lastStarted = nil; copy.lastStopped = nil; copy.type = nil; copy.owner = nil
        return try copy.preservingJSON()
    }
}
