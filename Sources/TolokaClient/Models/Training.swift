import Foundation
import TallyCore

/// A training: a pool of tasks with known answers and hints (`message_on_unknown_solution`) whose
/// result is a skill (`training_skill_id`, set by the server), in the pools' id space. A main pool
/// admits only Tolokers who passed it through its `quality_control.training_requirement`
/// (``Pool/requiringTraining(_:passingSkillValue:)``). Decoded trainings keep the fields Tally
/// does not model in `unknownFields` and send them back.
public struct Training: TolokaObject, Codable, Sendable, Hashable {
    /// The training id, set by the server (nil before creation).
    public var id: String?
    /// The project the training belongs to.
    public var projectID: String
    /// The name only the requester sees (required on creation).
    public var privateName: String?
    /// A note only the requester sees.
    public var privateComment: String?
    /// Whether tasks may show adult content.
    public var mayContainAdultContent: Bool?
    /// Seconds a Toloker has for one training suite (required on creation).
    public var assignmentMaxDurationSeconds: Int?
    /// True (the default): tasks are grouped into suites in upload order.
    public var mixTasksInCreationOrder: Bool?
    /// True (the default): the tasks of a suite are shuffled on the page.
    public var shuffleTasksInTaskSuite: Bool?
    /// Training tasks per suite (required on creation).
    public var trainingTasksInTaskSuiteCount: Int?
    /// Suites a Toloker must complete to get the training skill.
    public var taskSuitesRequiredToPass: Int?
    /// Days after which the training may be taken again (nil: the skill is kept for good).
    public var retryTrainingAfterDays: Int?
    /// True: the project's instructions are shown; false: `publicInstructions`.
    public var inheritedInstructions: Bool?
    /// The instructions when they are not inherited.
    public var publicInstructions: String?
    /// Free-form metadata: key → values.
    public var metadata: [String: [String]]?
    /// The requester account that owns the training (read-only).
    public var owner: Owner?
    /// `OPEN`, `CLOSED`, `ARCHIVED` or `LOCKED` (read-only, as are the fields below).
    public var status: String?
    /// Why the training last closed.
    public var lastCloseReason: String?
    /// When the training was created.
    public var created: String?
    /// When the training was last opened.
    public var lastStarted: String?
    /// When the training was last closed.
    public var lastStopped: String?
    /// The skill whose value a Toloker gets on completing the training (read-only).
    public var trainingSkillID: String?
    /// Fields of the training's JSON that Tally does not model, kept as read and sent back on creation.
    public var unknownFields: [String: JSONValue] = [:]

    /// A training with the fields Toloka requires.
    public init(projectID: String, privateName: String?, assignmentMaxDurationSeconds: Int?, trainingTasksInTaskSuiteCount: Int?,
                taskSuitesRequiredToPass: Int? = nil) {
        self.projectID = projectID; self.privateName = privateName; self.assignmentMaxDurationSeconds = assignmentMaxDurationSeconds
        self.trainingTasksInTaskSuiteCount = trainingTasksInTaskSuiteCount; self.taskSuitesRequiredToPass = taskSuitesRequiredToPass
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, metadata, owner, status, created
        case projectID = "project_id", privateName = "private_name", privateComment = "private_comment"
        case mayContainAdultContent = "may_contain_adult_content", assignmentMaxDurationSeconds = "assignment_max_duration_seconds"
        case mixTasksInCreationOrder = "mix_tasks_in_creation_order", shuffleTasksInTaskSuite = "shuffle_tasks_in_task_suite"
        case trainingTasksInTaskSuiteCount = "training_tasks_in_task_suite_count", taskSuitesRequiredToPass = "task_suites_required_to_pass"
        case retryTrainingAfterDays = "retry_training_after_days", inheritedInstructions = "inherited_instructions"
        case publicInstructions = "public_instructions", lastCloseReason = "last_close_reason", lastStarted = "last_started"
        case lastStopped = "last_stopped", trainingSkillID = "training_skill_id"
    }

    /// True when `status` is `OPEN`.
    public var isOpen: Bool { status == "OPEN" }
    /// True when `status` is `CLOSED`.
    public var isClosed: Bool { status == "CLOSED" }

    /// The training as sent on creation: read-only fields left out.
    func creationJSON() throws -> JSONValue {
        var copy = self
        copy.id = nil; copy.status = nil; copy.lastCloseReason = nil; copy.created = nil; copy.lastStarted = nil
        copy.lastStopped = nil; copy.owner = nil; copy.trainingSkillID = nil
        return try copy.preservingJSON()
    }
}

extension Pool {
    /// The pool with `quality_control.training_requirement` naming `trainingID`: it admits only
    /// Tolokers whose training skill reached `passingSkillValue` (0–100). The rest of
    /// `quality_control` is kept.
    public func requiringTraining(_ trainingID: String, passingSkillValue: Int) -> Pool {
        var copy = self
        var qc = qualityControl?.objectValue ?? [:]
        if qc["configs"] == nil { qc["configs"] = .array([]) }
        qc["training_requirement"] = ["training_pool_id": .string(trainingID), "training_passing_skill_value": .int(Int64(passingSkillValue))]
        copy.qualityControl = .object(qc)
        return copy
    }

    /// The pool as `PUT /v1/pools/{id}` takes it: read-only fields left out, `id` dropped
    /// (the path names the pool).
    func updateJSON() throws -> JSONValue { try creationJSON() }
}
