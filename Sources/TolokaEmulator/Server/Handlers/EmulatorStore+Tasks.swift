import Foundation
import TallyCore

extension EmulatorStore {
    // MARK: - Tasks

    /// A task that passed validation, waiting to be created.
    struct PreparedTask {
        let index: Int
        let pool: PoolRecord
        let json: [String: JSONValue]
        let overlap: Int?
        let knownSolutions: [[String: JSONValue]]
    }

    /// Tasks one synchronous `POST /api/v1/tasks` may carry (Toloka's limit).
    static let maxTasksPerSyncRequest = 5000
    /// Tasks one asynchronous `POST /api/v1/tasks` may carry.
    static let maxTasksPerAsyncRequest = 100_000

    /// The most bytes of `input_values` (as compact JSON) the tasks of one request may carry (Toloka's limit).
    static let maxInputBytesPerRequest = 1 << 20
    /// The most bytes of known solutions' `output_values` one request may carry (Toloka's limit).
    static let maxOutputBytesPerRequest = 4 << 20

    /// The 400 for a task upload (`body`: one task or an array) whose tasks' `input_values`, or
    /// known solutions' `output_values`, total more bytes than one request may carry; nil when
    /// they fit or the body is not tasks (the handler says what is wrong with it then).
    static func taskPayloadError(_ body: JSONValue) -> APIError? {
        let items: [JSONValue]
        switch body {
        case .array(let a): items = a
        case .object: items = [body]
        default: return nil
        }
        var inputs = 0, outputs = 0
        for item in items {
            if let v = item["input_values"] { inputs += v.serialized(numbers: .python).utf8.count }
            for s in item["known_solutions"]?.arrayValue ?? [] {
                if let v = s["output_values"] { outputs += v.serialized(numbers: .python).utf8.count }
            }
        }
        var fields: [String: FieldError] = [:]
        if inputs > maxInputBytesPerRequest {
            fields["input_values"] = FieldError("OBJECT_SIZE_BYTES_GREATER_THAN_MAX", "The tasks' input_values total \(inputs) bytes; at most \(maxInputBytesPerRequest) in one request", params: [.int(Int64(maxInputBytesPerRequest))])
        }
        if outputs > maxOutputBytesPerRequest {
            fields["known_solutions.output_values"] = FieldError("OBJECT_SIZE_BYTES_GREATER_THAN_MAX", "The known solutions' output_values total \(outputs) bytes; at most \(maxOutputBytesPerRequest) in one request", params: [.int(Int64(maxOutputBytesPerRequest))])
        }
        return fields.isEmpty ? nil : APIError.validation(fields, message: "The request carries more task data than Toloka accepts in one request; split it")
    }

    /// The 413 for a task upload of `count` tasks, or nil when the count is allowed.
    static func taskCountError(_ count: Int, asyncMode: Bool) -> APIError? {
        if !asyncMode, count > maxTasksPerSyncRequest {
            return APIError(413, "REQUEST_TOO_LARGE", "At most \(maxTasksPerSyncRequest) tasks in a synchronous request (got \(count)); use async_mode=true")
        }
        if count > maxTasksPerAsyncRequest { return APIError(413, "REQUEST_TOO_LARGE", "At most \(maxTasksPerAsyncRequest) tasks in one request (got \(count))") }
        return nil
    }

    func queryBool(_ q: [String: String], _ name: String) throws -> Bool? {
        guard let raw = q[name] else { return nil }
        switch raw.lowercased() {
        case "true": return true
        case "false": return false
        default: throw APIError.validation(name, "BOOLEAN_EXPECTED", "Expected true or false, got \(raw)")
        }
    }

    /// `POST /api/v1/tasks`: one task object (201 with the task) or an array (201 with `items` and
    /// `validation_errors` keyed by index); with `async_mode=true`, 202 with a `TASK.BATCH_CREATE` operation.
    ///
    /// *Choices*: an async request whose items are invalid (without `skip_invalid_items`, or all of
    /// them) creates nothing and its operation ends `FAIL`, with a `TASK_VALIDATE` log entry per
    /// invalid item; tasks are created when the request is handled (the operation only reports it);
    /// a task's unknown fields are kept and echoed, except `__`-prefixed client bookkeeping such as
    /// `__client_uuid` / `__item_idx`, which only the operation log echoes (in `input`, verbatim).
    ///
    /// `keys`, when the server hashed them with the parse (``PreparedBody/prepareWithKeys(_:)``), are
    /// the items' crowd keys in item order; otherwise each is hashed here.
    func createTasks(_ body: JSONValue, query: [String: String], keys: [UInt64]? = nil) throws -> EmulatorResponse {
        var batch = try BatchUpload(body, expected: "a task object or an array of tasks")
        let items = batch.items
        let asyncMode = try queryBool(query, "async_mode") ?? false
        let allowDefaults = try queryBool(query, "allow_defaults") ?? false
        let skipInvalid = try queryBool(query, "skip_invalid_items") ?? false
        let openPool = try queryBool(query, "open_pool") ?? false
        let operationID = try newOperationID(query)
        guard !items.isEmpty else { throw APIError(400, "VALIDATION_ERROR", "No tasks in the request") }
        if let error = Self.taskCountError(items.count, asyncMode: asyncMode) { throw error }

        var prepared: [PreparedTask] = []
        for (i, item) in items.enumerated() {
            switch prepareTask(item, index: i, allowDefaults: allowDefaults) {
            case .success(let t): prepared.append(t)
            case .failure(let e): batch.errors[i] = e.fields
            }
        }
        for pool in Set(prepared.map { ObjectIdentifier($0.pool) }).compactMap({ id in prepared.first { ObjectIdentifier($0.pool) == id }?.pool }) {
            if pool.status == "ARCHIVED" { throw APIError.inappropriateStatus(["OPEN", "CLOSED"]) }
            if pool.mixer == nil { throw APIError(409, "MIXER_CONFIG_REQUIRED", "Pool \(pool.id) has no mixer_config; tasks need one (or upload task suites)") }
        }
        let errors = batch.errors
        var log = batch.validationLog(type: "TASK_VALIDATE")
        let parameters: JSONValue = ["open_pool": .bool(openPool), "allow_defaults": .bool(allowDefaults), "skip_invalid_items": .bool(skipInvalid)]
        if (!errors.isEmpty && !skipInvalid) || prepared.isEmpty {
            return try rejectBatch(batch, type: "TASK.BATCH_CREATE", parameters: parameters, valid: prepared.count, asyncMode: asyncMode,
                                   log: log, operationID: operationID)
        }

        let now = clock.now()
        var created: [Int: JSONValue] = [:]
        for t in prepared {
            // Labels named by control tasks become answer options before any truth is drawn.
            for s in t.knownSolutions { if let v = s[t.pool.answerField] { t.pool.noteOption(v.labelText) } }
        }
        for t in prepared {
            let id = world.taskIDs.next(pool: t.pool.id, time: now)
            let inputs = t.json["input_values"]?.objectValue ?? [:]
            let key = keys.flatMap { $0.indices.contains(t.index) ? $0[t.index] : nil } ?? CrowdTask.key(inputs: inputs)
            let truth: String
            if let known = t.knownSolutions.first?[t.pool.answerField] {
                truth = known.labelText
            } else if let label = configuration.truth.label(for: inputs) {
                truth = label
            } else if let label = crowd.trueLabel(forTask: key, options: t.pool.options) {
                truth = label
            } else {
                let options = t.pool.options.isEmpty ? ["true", "false"] : t.pool.options
                truth = options[Int(mixSeed(key ^ configuration.seed, 5) % UInt64(options.count))]
            }
            let record = TaskRecord(id: id, json: t.json, created: now, overlap: t.overlap, isControl: !t.knownSolutions.isEmpty,
                                    knownSolutions: t.knownSolutions, truth: truth, key: key)
            let index = t.pool.add(record)
            if let unavailable = t.json["unavailable_for"]?.arrayValue, !unavailable.isEmpty {
                let ids = Set(unavailable.compactMap(\.stringValue))
                t.pool.exclude(world.workers.indices.filter { ids.contains(world.workers[$0].id) }.map(Int32.init), fromTask: index)
            }
            taskPools[id] = t.pool.id
            created[t.index] = record.rendered(poolID: t.pool.id)
            log.append(["type": "TASK_CREATE", "success": true, "input": items[t.index], "output": ["task_id": .string(id)]])
        }
        var noted = Set<Int>()
        for t in prepared where noted.insert(t.pool.id).inserted {
            if let line = crowd.labelNote(options: t.pool.options) { note("pool \(t.pool.id): \(line)") }
        }
        if openPool {
            var seen = Set<Int>()
            for t in prepared where seen.insert(t.pool.id).inserted && t.pool.status == "CLOSED" {
                t.pool.open(at: now, world: &world)
                log.append(["type": "POOL_OPEN", "success": true, "input": ["pool_id": .string(String(t.pool.id))], "output": [:]])
            }
            advanceAll()
        }
        if asyncMode {
            let op = newOperation(type: "TASK.BATCH_CREATE", parameters: parameters,
                                  details: ["total_count": .int(Int64(items.count)), "valid_count": .int(Int64(prepared.count)),
                                            "not_valid_count": .int(Int64(errors.count)), "success_count": .int(Int64(prepared.count)),
                                            "failed_count": .int(Int64(errors.count)), "items_count": .int(Int64(prepared.count))],
                                  log: log, id: operationID)
            return .json(202, op.rendered(realNow: op.submittedReal))
        }
        return createdBatch(batch, created: created)
    }

    struct TaskErrors: Error { let fields: [String: FieldError] }

    func prepareTask(_ item: JSONValue, index: Int, allowDefaults: Bool) -> Result<PreparedTask, TaskErrors> {
        guard let o = item.objectValue else { return .failure(TaskErrors(fields: ["task": .object])) }
        var v = Validator(o)
        var pool: PoolRecord?
        if let pid = v.id("pool_id", required: true) {
            pool = numericID(pid).flatMap { pools[$0] }
            if pool == nil { v.fail("pool_id", .doesNotExist("Pool \(pid)")) }
        }
        if let inputs = v.object("input_values", required: true), let pool, let project = projects[pool.projectID] {
            let spec = project.inputSpec
            for (field, fieldSpec) in spec {
                if let e = Validator.check(inputs[field], spec: fieldSpec) { v.fail("input_values.\(field)", e) }
            }
            for field in inputs.keys where spec[field] == nil { v.fail("input_values.\(field)", .unknownField) }
        }
        var solutions: [[String: JSONValue]] = []
        if let known = v.array("known_solutions") {
            for (k, s) in known.enumerated() {
                guard let values = s["output_values"]?.objectValue else {
                    v.fail("known_solutions.\(k).output_values", s.objectValue == nil ? .object : .required)
                    continue
                }
                if let w = s["correctness_weight"], w != .null {
                    if let n = w.doubleValue { if n < 0 || n > 1 { v.fail("known_solutions.\(k).correctness_weight", n < 0 ? .min(0) : .max(1)) } } else {
                        v.fail("known_solutions.\(k).correctness_weight", .float)
                    }
                }
                if let pool, let project = projects[pool.projectID] {
                    for (field, value) in values {
                        guard let spec = project.outputSpec[field] else { v.fail("known_solutions.\(k).output_values.\(field)", .unknownField); continue }
                        if let e = Validator.check(value, spec: spec) { v.fail("known_solutions.\(k).output_values.\(field)", e) }
                    }
                }
                solutions.append(values)
            }
        }
        let overlap = v.integer("overlap", min: 1, max: 30000)
        let infinite = v.bool("infinite_overlap") ?? false
        v.string("message_on_unknown_solution")
        if !infinite, overlap == nil, o["overlap"] ?? .null == .null, !allowDefaults {
            v.fail("overlap", FieldError("VALUE_REQUIRED", "Value must be present and not equal to null (or pass allow_defaults=true)"))
        }
        if let pool, pool.training != nil, solutions.isEmpty, v.errors["known_solutions"] == nil {
            v.fail("known_solutions", FieldError("VALUE_REQUIRED", "A training task needs known_solutions"))
        }
        guard v.isValid, let pool else { return .failure(TaskErrors(fields: v.errors)) }
        var json = o.filter { !$0.key.hasPrefix("__") }
        for key in ["id", "created", "remaining_overlap", "origin_task_id"] { json[key] = nil }
        json["pool_id"] = .string(String(pool.id))
        return .success(PreparedTask(index: index, pool: pool, json: json, overlap: infinite || pool.training != nil ? nil : overlap ?? pool.defaultOverlap, knownSolutions: solutions))
    }

    func listTasks(_ q: [String: String]) throws -> JSONValue {
        guard let pid = q["pool_id"] else { throw APIError.validation("pool_id", "VALUE_REQUIRED", "pool_id is required") }
        guard let pool = numericID(pid).flatMap({ pools[$0] }) else { return ["items": [], "has_more": false] }
        var items = pool.tasks
        if let raw = q["overlap"] {
            guard let o = Int(raw) else { throw APIError.validation("overlap", "INTEGER_EXPECTED", "Expected an integer") }
            items = items.filter { $0.overlap == o }
        }
        let page = try Listing.page(items, query: q, fields: ["id": .objectID, "created": .number, "overlap": .number], defaultLimit: 50, maxLimit: 100_000, idOrdered: true) { t, field in
            switch field {
            case "id": .string(t.id)
            case "created": .number(t.created)
            case "overlap": t.overlap.map { .number(Double($0)) }
            default: nil
            }
        }
        return page.json { $0.rendered(poolID: pool.id) }
    }

    func task(_ id: String) throws -> JSONValue {
        guard let pid = taskPools[id], let pool = pools[pid], let i = pool.taskIndexByID[id] else { throw APIError.notFound("Task", id) }
        return pool.tasks[i].rendered(poolID: pid)
    }
}
