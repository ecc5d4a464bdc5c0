import Foundation
import TallyCore

extension EmulatorStore {
    // MARK: - Task suites

    /// A task suite as stored: its tasks (created in its pool like any task) and the suite's fields.
    struct TaskSuiteRecord {
        let id: String
        let poolID: Int
        let taskIDs: [String]
        var json: [String: JSONValue]
        let created: Double
    }

    /// `POST /api/v1/task-suites`: one suite (201) or an array (201 with `items` and
    /// `validation_errors` keyed by index); with `async_mode=true`, 202 with a
    /// `TASK_SUITE.BATCH_CREATE` operation.
    ///
    /// Each suite's tasks are created in its pool with the suite's `overlap` (or infinite overlap),
    /// in order. *Choice*: the emulator issues suites through the mixer, so a pool without
    /// `mixer_config` gets one of the first suite's size taking tasks together in upload order
    /// (unshuffled): with suites of one size, each issued suite is an uploaded one.
    func createTaskSuites(_ body: JSONValue, query: [String: String]) throws -> EmulatorResponse {
        var batch = try BatchUpload(body, expected: "a task suite object or an array of task suites")
        let items = batch.items
        guard !items.isEmpty else { throw APIError(400, "VALIDATION_ERROR", "No task suites in the request") }
        let asyncMode = try queryBool(query, "async_mode") ?? false
        let openPool = try queryBool(query, "open_pool") ?? false
        let skipInvalid = try queryBool(query, "skip_invalid_items") ?? false
        let operationID = try newOperationID(query)
        // Validate every suite first (nothing is created when one is invalid, unless skip_invalid_items).
        var valid: [(Int, PoolRecord, [JSONValue], [String: JSONValue])] = []
        for (i, item) in items.enumerated() {
            guard let o = item.objectValue else { batch.errors[i] = ["task_suite": .object]; continue }
            var v = Validator(o)
            var pool: PoolRecord?
            if let pid = v.id("pool_id", required: true) {
                pool = numericID(pid).flatMap { pools[$0] }
                if pool == nil { v.fail("pool_id", .doesNotExist("Pool \(pid)")) }
            }
            let tasks = v.array("tasks", required: true) ?? []
            if tasks.isEmpty, o["tasks"] != nil { v.fail("tasks", .min(1)) }
            let overlap = v.integer("overlap", min: 1, max: 30000)
            let infinite = v.bool("infinite_overlap") ?? false
            var taskItems: [JSONValue] = []
            if let pool {
                for (k, t) in tasks.enumerated() {
                    guard var to = t.objectValue else { v.fail("tasks.\(k)", .object); continue }
                    to["pool_id"] = .string(String(pool.id))
                    if infinite { to["infinite_overlap"] = true } else { to["overlap"] = .int(Int64(overlap ?? pool.defaultOverlap)) }
                    if case .failure(let e) = prepareTask(.object(to), index: k, allowDefaults: true) {
                        for (field, fe) in e.fields { v.fail("tasks.\(k).\(field)", fe) }
                    }
                    taskItems.append(.object(to))
                }
            }
            if v.isValid, let pool { valid.append((i, pool, taskItems, o)) } else { batch.errors[i] = v.errors }
        }
        var log = batch.validationLog(type: "TASK_SUITE_VALIDATE")
        let errors = batch.errors
        let parameters: JSONValue = ["open_pool": .bool(openPool), "skip_invalid_items": .bool(skipInvalid)]
        if (!errors.isEmpty && !skipInvalid) || valid.isEmpty {
            return try rejectBatch(batch, type: "TASK_SUITE.BATCH_CREATE", parameters: parameters, valid: valid.count, asyncMode: asyncMode,
                                   log: log, operationID: operationID)
        }
        var created: [Int: JSONValue] = [:]
        var opened = Set<Int>()
        for (i, pool, taskItems, o) in valid {
            pool.useSuites(of: taskItems.count)
            let response = try createTasks(.array(taskItems), query: ["allow_defaults": "true"])
            let made = (try? JSONValue(parsing: response.body))?["items"]?.objectValue ?? [:]
            let tasks = (0..<taskItems.count).compactMap { made[String($0)] }
            let suiteID = world.taskIDs.next(pool: pool.id, time: clock.now())
            var json = o.filter { !$0.key.hasPrefix("__") }
            log.append(["type": "TASK_SUITE_CREATE", "success": true, "input": items[i], "output": ["task_suite_id": .string(suiteID)]])
            json["id"] = .string(suiteID)
            json["pool_id"] = .string(String(pool.id))
            json["tasks"] = .array(tasks)
            json["created"] = .string(TolokaTime.format(clock.now()))
            if json["infinite_overlap"] == nil { json["infinite_overlap"] = false }
            if json["infinite_overlap"]?.boolValue != true, json["overlap"] == nil { json["overlap"] = .int(Int64(pool.defaultOverlap)) }
            let record = TaskSuiteRecord(id: suiteID, poolID: pool.id, taskIDs: tasks.compactMap { $0["id"]?.stringValue }, json: json, created: clock.now())
            taskSuites[suiteID] = record
            taskSuiteOrder.append(suiteID)
            created[i] = .object(json)
            if openPool, pool.status == "CLOSED", opened.insert(pool.id).inserted { pool.open(at: clock.now(), world: &world) }
        }
        if !opened.isEmpty { advanceAll() }
        if asyncMode {
            let op = newOperation(type: "TASK_SUITE.BATCH_CREATE", parameters: parameters,
                                  details: ["total_count": .int(Int64(items.count)), "valid_count": .int(Int64(valid.count)),
                                            "not_valid_count": .int(Int64(errors.count)), "success_count": .int(Int64(valid.count)),
                                            "failed_count": .int(Int64(errors.count))], log: log, id: operationID)
            return .json(202, op.rendered(realNow: op.submittedReal))
        }
        return createdBatch(batch, created: created)
    }

    /// A suite with its tasks as they are now (remaining overlap).
    func render(_ s: TaskSuiteRecord) -> JSONValue {
        var o = s.json
        if let pool = pools[s.poolID] {
            o["tasks"] = .array(s.taskIDs.compactMap { id in pool.taskIndexByID[id].map { pool.tasks[$0].rendered(poolID: pool.id) } })
        }
        return .object(o)
    }

    /// `GET /api/v1/task-suites`: by `pool_id` (required), with `id`/`created` ranges, `sort` and `limit`.
    func listTaskSuites(_ q: [String: String]) throws -> JSONValue {
        guard let pid = q["pool_id"] else { throw APIError.validation("pool_id", "VALUE_REQUIRED", "pool_id is required") }
        let items = taskSuiteOrder.compactMap { taskSuites[$0] }.filter { String($0.poolID) == pid }
        let page = try Listing.page(items, query: q, fields: ["id": .objectID, "created": .number], defaultLimit: 50, maxLimit: 100_000, idOrdered: true) { s, field in
            field == "id" ? .string(s.id) : field == "created" ? .number(s.created) : nil
        }
        return page.json(render)
    }

    /// `GET /api/v1/task-suites/{id}`.
    func taskSuite(_ id: String) throws -> JSONValue {
        guard let s = taskSuites[id] else { throw APIError.notFound("TaskSuite", id) }
        return render(s)
    }
}
