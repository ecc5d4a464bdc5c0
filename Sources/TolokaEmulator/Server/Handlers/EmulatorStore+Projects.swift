import Foundation
import TallyCore
import TallyQualityControl

extension EmulatorStore {
    // MARK: - Projects

    /// The project a pool, training or restriction body names in its required `project_id`, or nil
    /// with the field failed on `v` (absent, not an id, or no such project).
    func projectReference(_ v: inout Validator) -> ProjectRecord? {
        guard let pid = v.id("project_id", required: true) else { return nil }
        guard let project = numericID(pid).flatMap({ projects[$0] }) else {
            v.fail("project_id", .doesNotExist("Project \(pid)"))
            return nil
        }
        return project
    }

    func validateProject(_ body: JSONValue) throws -> [String: JSONValue] {
        let o = try body.requestObject()
        var v = Validator(o)
        v.string("public_name", required: true)
        v.string("public_description", required: true)
        v.string("public_instructions")
        v.string("private_comment")
        if let spec = v.object("task_spec", required: true) {
            var s = Validator(spec, prefix: "task_spec")
            for name in ["input_spec", "output_spec"] {
                guard let fields = s.object(name, required: true) else { continue }
                for (field, fieldSpec) in fields {
                    let path = "\(name).\(field)"
                    guard let t = fieldSpec["type"] else { s.fail("\(path).type", .required); continue }
                    guard let type = t.stringValue else { s.fail("\(path).type", .string); continue }
                    if !Validator.fieldTypes.contains(type.lowercased()) {
                        s.fail("\(path).type", FieldError("UNKNOWN_ENUM_VALUE", "Unknown value \(type); expected one of \(Validator.fieldTypes.sorted().joined(separator: ", "))"))
                    }
                }
            }
            s.object("view_spec")
            v.errors.merge(s.errors) { a, _ in a }
        }
        if let type = v.string("assignments_issuing_type"), !["AUTOMATED", "MAP_SELECTOR"].contains(type) {
            v.fail("assignments_issuing_type", FieldError("UNKNOWN_ENUM_VALUE", "Expected AUTOMATED or MAP_SELECTOR"))
        }
        guard v.isValid else { throw APIError.validation(v.errors) }
        var json = o
        for key in ["id", "status", "created", "owner"] { json[key] = nil }
        return json
    }

    func createProject(_ body: JSONValue) throws -> JSONValue {
        let json = try validateProject(body)
        let id = nextProjectID
        nextProjectID += 1
        let p = ProjectRecord(id: id, json: json, created: clock.now())
        projects[id] = p
        projectOrder.append(id)
        return p.renderedJSON(owner: owner)
    }

    func updateProject(_ id: String, _ body: JSONValue) throws -> JSONValue {
        let p = try project(id)
        p.json = try validateProject(body)
        return p.renderedJSON(owner: owner)
    }

    func listProjects(_ q: [String: String]) throws -> JSONValue {
        var items = projectOrder.map { projects[$0]! }
        if let status = q["status"] { items = items.filter { $0.status == status } }
        let page = try Listing.page(items, query: q, fields: ["id": .number, "created": .number, "public_name": .string], defaultLimit: 20, maxLimit: 300) { p, field in
            switch field {
            case "id": .number(Double(p.id))
            case "created": .number(p.created)
            case "public_name": .string(p.json["public_name"]?.stringValue ?? "")
            default: nil
            }
        }
        return page.json { $0.renderedJSON(owner: owner) }
    }

    // MARK: - Pools

    /// The longest `private_name`, `private_comment` and `public_description` of a pool.
    static let poolTextMaxLength = 4096
    /// The longest `public_instructions` of a pool (HTML).
    static let poolInstructionsMaxLength = 100_000
    /// The largest `reward_per_assignment`, in US dollars.
    static let maxRewardPerAssignment = 1000.0

    /// `POST /api/v1/pools`: validates the pool as Toloka does and creates it `CLOSED`.
    ///
    /// Besides types, required fields and the documented ranges, a pool is refused (400
    /// `VALIDATION_ERROR`, the field in `payload`) when `will_expire` is not in the future
    /// (`DATE_OUT_OF_RANGE`), when `mixer_config` puts no task in a suite (all three counts 0:
    /// the pool could never issue anything) or asks for a minimum above its count.
    /// *Choices* (Toloka documents no limit): `reward_per_assignment` at most
    /// ``maxRewardPerAssignment``; `private_name` (not blank), `private_comment` and
    /// `public_description` at most ``poolTextMaxLength`` characters, `public_instructions` at
    /// most ``poolInstructionsMaxLength`` (`STRING_LENGTH_GREATER_THAN_MAX`).
    func createPool(_ body: JSONValue) throws -> JSONValue {
        let valid = try validatePool(body)
        let (o, project) = (valid.json, valid.project)
        let id = nextPoolID
        nextPoolID += 1
        let field = project.answerField
        let pool = PoolRecord(id: id, projectID: project.id, json: o, created: clock.now(),
                              qualityControl: valid.engine,
                              crowd: crowd, seed: mixSeed(configuration.seed, UInt64(id)), answerField: field,
                              outputType: (project.outputSpec[field]?["type"]?.stringValue ?? "string").lowercased(),
                              declaredOptions: project.declaredOptions(field: field))
        pool.trainingRequirement = valid.requirement
        pool.attachmentKind = project.attachmentKind
        pool.otherOutputs = project.outputSpec.filter { $0.key != field }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        pools[id] = pool
        poolOrder.append(id)
        return render(pool)
    }

    /// A pool body checked as Toloka checks it (see ``createPool(_:)``), with the server's fields
    /// dropped, defaults filled in, collector uuids drawn, its rules compiled and its training requirement read.
    func validatePool(_ body: JSONValue) throws -> (json: [String: JSONValue], project: ProjectRecord, engine: QualityControlEngine, requirement: (skillID: String, passing: Double)?) {
        var o = try body.requestObject()
        var v = Validator(o)
        let project = projectReference(&v)
        v.string("private_name", required: true, maxLength: Self.poolTextMaxLength, nonBlank: true)
        for f in ["private_comment", "public_description"] { v.string(f, maxLength: Self.poolTextMaxLength) }
        v.string("public_instructions", maxLength: Self.poolInstructionsMaxLength)
        if let reward = v.number("reward_per_assignment", required: true, min: 0, max: Self.maxRewardPerAssignment), reward > 0, reward < 0.005 {
            v.fail("reward_per_assignment", .min(0.005))
        }
        v.integer("assignment_max_duration_seconds", required: true, min: 5, max: Int(Int32.max))
        if let expires = v.date("will_expire", required: true), expires <= clock.now() {
            v.fail("will_expire", FieldError("DATE_OUT_OF_RANGE", "will_expire must be in the future (now is \(TolokaTime.format(clock.now())) UTC)"))
        }
        if let defaults = v.object("defaults", required: true) {
            var d = Validator(defaults, prefix: "defaults")
            // 0 is accepted beside a per-task default (as Toloka does: learn-the-basics sends it).
            let suites = d.integer("default_overlap_for_new_task_suites", required: true, min: 0, max: 30000)
            let tasks = d.integer("default_overlap_for_new_tasks", min: 1, max: 30000)
            if suites == 0, tasks == nil { d.fail("default_overlap_for_new_task_suites", .min(1)) }
            v.errors.merge(d.errors) { a, _ in a }
        }
        if let mixer = v.object("mixer_config") {
            var m = Validator(mixer, prefix: "mixer_config")
            var counts: [Int] = []
            for kind in ["real", "golden", "training"] {
                let count = m.integer("\(kind)_tasks_count", required: true, min: 0, max: 500)
                if let count { counts.append(count) }
                if let least = m.integer("min_\(kind)_tasks_count", min: 0, max: 500), let count, least > count {
                    m.fail("min_\(kind)_tasks_count", .max(Double(count)))
                }
            }
            if counts.count == 3, counts.allSatisfy({ $0 == 0 }) {
                v.fail("mixer_config", FieldError("INVALID_VALUE", "A task suite needs at least one task: real_tasks_count, golden_tasks_count and training_tasks_count are all 0"))
            }
            m.integer("force_last_assignment_delay_seconds", min: 0, max: 86400)
            for f in ["force_last_assignment", "mix_tasks_in_creation_order", "shuffle_tasks_in_task_suite"] { m.bool(f) }
            v.errors.merge(m.errors) { a, _ in a }
        }
        for f in ["may_contain_adult_content", "auto_accept_solutions"] { v.bool(f) }
        v.integer("auto_close_after_complete_delay_seconds", min: 0, max: 259_200)
        v.integer("auto_accept_period_day", min: 1, max: 21)
        v.integer("priority", min: 0, max: 100)
        v.object("filter")
        var engine: QualityControlEngine?
        if let qc = v.object("quality_control") {
            do {
                let decoded = try QualityControl.decode(JSONValue.object(["quality_control": .object(qc)]).serializedData(numbers: .python))
                engine = try QualityControlEngine(decoded, ignoringUnsupported: true)
            } catch {
                let path = error.path.isEmpty ? "quality_control" : (error.path.hasPrefix("quality_control") ? error.path : "quality_control.\(error.path)")
                v.fail(path, FieldError(error.code == .missingField ? "VALUE_REQUIRED" : "VALUE_NOT_ALLOWED", error.message))
            }
        }
        let requirement = trainingRequirement(o, &v)
        guard v.isValid, let project else { throw APIError.validation(v.errors) }
        // Server fields and defaults.
        for key in ["id", "status", "created", "last_started", "last_stopped", "last_close_reason", "owner", "type"] { o[key] = nil }
        o["project_id"] = .string(String(project.id))
        if o["auto_close_after_complete_delay_seconds"] == nil { o["auto_close_after_complete_delay_seconds"] = 0 }
        if o["auto_accept_solutions"] == nil { o["auto_accept_solutions"] = true }
        if o["auto_accept_period_day"] == nil { o["auto_accept_period_day"] = 21 }
        if o["priority"] == nil { o["priority"] = 0 }
        if o["assignments_issuing_config"] == nil { o["assignments_issuing_config"] = ["issue_task_suites_in_creation_order": false] }
        if case .object(var qc) = o["quality_control"], case .array(var configs) = qc["configs"] {
            for i in configs.indices {
                guard case .object(var config) = configs[i], case .object(var collector) = config["collector_config"] else { continue }
                if collector["uuid"] == nil { collector["uuid"] = .string(rng.uuid()) }
                config["collector_config"] = .object(collector)
                configs[i] = .object(config)
            }
            qc["configs"] = .array(configs)
            o["quality_control"] = .object(qc)
        }
        return (o, project, try engine ?? QualityControlEngine(QualityControl(configs: [])), requirement)
    }

    /// `quality_control.training_requirement` of a pool being created or updated: the training's
    /// skill and the passing value, or nil; a training that does not exist fails `v`.
    func trainingRequirement(_ o: [String: JSONValue], _ v: inout Validator) -> (skillID: String, passing: Double)? {
        guard let r = o["quality_control"]?["training_requirement"]?.objectValue else { return nil }
        var t = Validator(r, prefix: "quality_control.training_requirement")
        let passing = t.number("training_passing_skill_value", required: true, min: 0, max: 100)
        var training: PoolRecord?
        if let tid = t.id("training_pool_id", required: true) {
            training = numericID(tid).flatMap { pools[$0] }
            if training?.training == nil { t.fail("training_pool_id", .doesNotExist("Training \(tid)")) }
        }
        v.errors.merge(t.errors) { a, _ in a }
        guard let skill = training?.training?.skillID, let passing else { return nil }
        return (skill, passing)
    }

    func render(_ p: PoolRecord) -> JSONValue {
        var o = p.json
        o["id"] = .string(String(p.id))
        o["project_id"] = .string(String(p.projectID))
        o["status"] = .string(p.status)
        o["created"] = .string(TolokaTime.format(p.created))
        o["owner"] = owner
        o["type"] = p.training == nil ? "REGULAR" : "TRAINING"
        if let t = p.lastStarted { o["last_started"] = .string(TolokaTime.format(t)) }
        if let t = p.lastStopped { o["last_stopped"] = .string(TolokaTime.format(t)) }
        if let r = p.lastCloseReason { o["last_close_reason"] = .string(r) }
        return .object(o)
    }

    func listPools(_ q: [String: String]) throws -> JSONValue {
        try listPoolRecords(q, trainings: false) { render($0) }
    }

    /// A page of the pools (or, with `trainings`, the trainings) that match `q`'s `status` and
    /// `project_id`, sorted by `id`, `created` or `last_started` and limited as `q` asks.
    func listPoolRecords(_ q: [String: String], trainings: Bool, render: (PoolRecord) -> JSONValue) throws -> JSONValue {
        var items = poolOrder.map { pools[$0]! }.filter { ($0.training != nil) == trainings }
        if let s = q["status"] { items = items.filter { $0.status == s } }
        if let p = q["project_id"] { items = items.filter { String($0.projectID) == p } }
        let page = try Listing.page(items, query: q, fields: ["id": .number, "created": .number, "last_started": .number], defaultLimit: 20, maxLimit: 300) { p, field in
            switch field {
            case "id": .number(Double(p.id))
            case "created": .number(p.created)
            case "last_started": p.lastStarted.map(SortKey.number)
            default: nil
            }
        }
        return page.json(render)
    }

    /// `POST /pools/{id}/open|close|archive`: 202 with an operation, or 204 when already there.
    ///
    /// `asTraining`: the same on `/trainings/{id}/…` (a `TRAINING.*` operation; the id must name a training).
    func poolAction(_ id: String, _ action: String, asTraining: Bool = false) throws -> EmulatorResponse {
        let p = asTraining ? try training(id) : try pool(id)
        let now = clock.now()
        let params: JSONValue = asTraining ? ["training_id": .string(String(p.id))] : ["pool_id": .string(String(p.id))]
        let kind = asTraining ? "TRAINING" : "POOL"
        switch action {
        case "open":
            if p.status == "OPEN" { return EmulatorResponse(status: 204) }
            guard p.status == "CLOSED" else { throw APIError.inappropriateStatus(["CLOSED"]) }
            guard !p.tasks.isEmpty else { throw APIError(409, "EMPTY_POOL", "The pool has no tasks; upload tasks before opening it") }
            guard configuration.balance >= 0 else { throw APIError(409, "NOT_ENOUGH_BALANCE", "Not enough money on the balance") }
            p.open(at: now, world: &world)
            let op = newOperation(type: "\(kind).OPEN", parameters: params, details: nil)
            advanceAll()
            return .json(202, op.rendered(realNow: op.submittedReal))
        case "close":
            if p.status == "CLOSED" { return EmulatorResponse(status: 204) }
            guard p.status == "OPEN" else { throw APIError.inappropriateStatus(["OPEN"]) }
            p.close(reason: "MANUAL", at: now, world: &world)
            let op = newOperation(type: "\(kind).CLOSE", parameters: params, details: nil)
            return .json(202, op.rendered(realNow: op.submittedReal))
        default:
            if p.status == "ARCHIVED" { return EmulatorResponse(status: 204) }
            guard p.status == "CLOSED" else { throw APIError.inappropriateStatus(["CLOSED"]) }
            p.status = "ARCHIVED"
            let op = newOperation(type: "\(kind).ARCHIVE", parameters: params, details: nil)
            return .json(202, op.rendered(realNow: op.submittedReal))
        }
    }
}

extension ProjectRecord {
    /// The project as the API shows it: the client's fields and the server's (id, status, created, owner).
    func renderedJSON(owner: JSONValue) -> JSONValue {
        var o = json
        o["id"] = .string(String(id))
        o["status"] = .string(status)
        o["created"] = .string(TolokaTime.format(created))
        o["owner"] = owner
        if o["assignments_issuing_type"] == nil { o["assignments_issuing_type"] = "AUTOMATED" }
        return .object(o)
    }

    /// What a Toloker attaches to a `file` answer in this project: a video when the view accepts
    /// video, a recording for an audio field, else a photo.
    var attachmentKind: AttachmentRecord.Kind {
        let view = (json["task_spec"]?["view_spec"].map { $0.serialized(numbers: .python) } ?? "")
            .lowercased().filter { $0 != " " && $0 != "\\" }
        if view.contains("\"video\":true") { return .mp4 }
        if view.contains("field.audio") { return .wav }
        return .png
    }
}
