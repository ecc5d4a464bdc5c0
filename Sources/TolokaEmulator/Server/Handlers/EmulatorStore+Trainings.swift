import Foundation
import TallyCore
import TallyQualityControl

extension EmulatorStore {
    // MARK: - Trainings

    /// The record of training `id` (404 `DOES_NOT_EXIST` when the id names no training).
    func training(_ id: String) throws -> PoolRecord {
        guard let n = numericID(id), let p = pools[n], p.training != nil else { throw APIError.notFound("Training", id) }
        return p
    }

    /// `POST /api/v1/trainings`: validates and creates a training `CLOSED`, in the pools' id space
    /// (pool routes accept its id), with a skill of its own (`training: true`) that passing it sets.
    ///
    /// The training runs on the pool engine as a pool of control tasks only:
    /// `training_tasks_in_task_suite_count` known-solution tasks per suite, each of infinite overlap,
    /// no auto-close. A Toloker who has submitted `task_suites_required_to_pass` suites (or answered
    /// every training task, when the training has fewer suites than it requires) gets the share of
    /// their answers that matched a known solution (0–100, rounded) as the skill's value, once; a
    /// main pool whose `quality_control.training_requirement` names the training issues suites only to
    /// Tolokers whose value reached `training_passing_skill_value`. *Choices*: a Toloker takes a
    /// training once (`retry_training_after_days` is stored, not acted on); hints are not simulated
    /// (the score counts first answers).
    func createTraining(_ body: JSONValue) throws -> JSONValue {
        var o = try body.requestObject()
        var v = Validator(o)
        let project = projectReference(&v)
        v.string("private_name", required: true, maxLength: Self.poolTextMaxLength, nonBlank: true)
        v.string("private_comment", maxLength: Self.poolTextMaxLength)
        v.string("public_instructions", maxLength: Self.poolInstructionsMaxLength)
        v.integer("assignment_max_duration_seconds", required: true, min: 5, max: Int(Int32.max))
        let perSuite = v.integer("training_tasks_in_task_suite_count", required: true, min: 1, max: 500)
        // Optional (the intent-classification example leaves it out): one suite by default.
        let toPass = v.integer("task_suites_required_to_pass", min: 1, max: 10_000) ?? 1
        v.integer("retry_training_after_days", min: 0, max: 365)
        for f in ["may_contain_adult_content", "mix_tasks_in_creation_order", "shuffle_tasks_in_task_suite", "inherited_instructions"] { v.bool(f) }
        guard v.isValid, let project, let perSuite else { throw APIError.validation(v.errors) }
        for key in ["id", "status", "created", "last_started", "last_stopped", "last_close_reason", "owner", "training_skill_id"] { o[key] = nil }
        o["project_id"] = .string(String(project.id))
        if o["mix_tasks_in_creation_order"] == nil { o["mix_tasks_in_creation_order"] = true }
        if o["shuffle_tasks_in_task_suite"] == nil { o["shuffle_tasks_in_task_suite"] = true }
        let skill = addSkill(["name": .string("Training: \(o["private_name"]?.stringValue ?? "")"), "training": true, "hidden": true])
        // What the engine reads: control tasks only, per suite; never expiring, never auto-closing.
        let mechanics: [String: JSONValue] = [
            "mixer_config": ["real_tasks_count": 0, "golden_tasks_count": .int(Int64(perSuite)), "training_tasks_count": 0,
                             "mix_tasks_in_creation_order": o["mix_tasks_in_creation_order"]!, "shuffle_tasks_in_task_suite": o["shuffle_tasks_in_task_suite"]!],
            "auto_accept_solutions": true, "assignment_max_duration_seconds": o["assignment_max_duration_seconds"]!,
            "defaults": ["default_overlap_for_new_task_suites": 1],
        ]
        let id = nextPoolID
        nextPoolID += 1
        let field = project.answerField
        let pool = PoolRecord(id: id, projectID: project.id, json: mechanics, created: clock.now(),
                              qualityControl: try QualityControlEngine(QualityControl(configs: [])),
                              crowd: crowd, seed: mixSeed(configuration.seed, UInt64(id)), answerField: field,
                              outputType: (project.outputSpec[field]?["type"]?.stringValue ?? "string").lowercased(),
                              declaredOptions: project.declaredOptions(field: field))
        pool.json = o
        pool.training = TrainingSettings(skillID: skill.id, suitesToPass: toPass)
        pools[id] = pool
        poolOrder.append(id)
        return renderTraining(pool)
    }

    /// A training as `/api/v1/trainings` shows it.
    func renderTraining(_ p: PoolRecord) -> JSONValue {
        guard case .object(var o) = render(p) else { return render(p) }
        o["type"] = nil
        if let skill = p.training?.skillID { o["training_skill_id"] = .string(skill) }
        return .object(o)
    }

    /// `GET /api/v1/trainings`: by `project_id` and `status`, with `id`/`created` ranges, `sort` and `limit`.
    func listTrainings(_ q: [String: String]) throws -> JSONValue {
        try listPoolRecords(q, trainings: true, render: renderTraining)
    }
}
