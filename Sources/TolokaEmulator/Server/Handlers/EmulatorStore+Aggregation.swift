import Foundation
import TallyAggregation
import TallyCore

extension EmulatorStore {
    // MARK: - Aggregated solutions (Toloka's aggregation endpoint, with Tally's engine behind it)

    /// `POST /api/v1/aggregated-solutions/aggregate-by-pool`: `{pool_id, type, fields: [{name}],
    /// answer_weight_skill_id?}`. Aggregates the answers of the pool's ACCEPTED assignments to its
    /// general tasks on the first field named, and answers 202 with a `SOLUTION.AGGREGATE` operation
    /// whose results `GET /api/v1/aggregated-solutions/{operation}` lists.
    ///
    /// * `DAWID_SKENE`: Tally's `ds` method with its defaults (what `tally aggregate --method ds`
    ///   runs), answers read in the order the pool's TSV export lists them; `confidence` is the
    ///   posterior probability of the chosen label.
    /// * `WEIGHTED_DYNAMIC_OVERLAP`: Tally's `mv` weighted by each Toloker's value of
    ///   `answer_weight_skill_id` (required); a Toloker without a value weighs 0, and a task whose
    ///   Tolokers all weigh 0 is scored by plain vote shares. *Choice*: `confidence` is the chosen
    ///   label's share of the weight (Toloka's own formula is not documented).
    ///
    /// Answers are compared as the field's text (a JSON answer by its compact serialisation).
    /// *Choice*: a pool with no accepted answer on general tasks gives a `SUCCESS` operation with no
    /// results; the operation is finished when returned.
    func aggregateByPool(_ body: JSONValue) throws -> EmulatorResponse {
        guard let o = body.objectValue else { throw APIError(400, "VALIDATION_ERROR", "Expected an aggregation request object") }
        var v = Validator(o)
        let type = v.string("type", required: true)
        if let type, !["DAWID_SKENE", "WEIGHTED_DYNAMIC_OVERLAP"].contains(type) {
            v.fail("type", FieldError("VALUE_NOT_ALLOWED", "Expected DAWID_SKENE or WEIGHTED_DYNAMIC_OVERLAP, got \(type)"))
        }
        var pool: PoolRecord?
        if let pid = v.id("pool_id", required: true) {
            pool = numericID(pid).flatMap { pools[$0] }
            if pool == nil || pool?.training != nil { v.fail("pool_id", .doesNotExist("Pool \(pid)")) }
        }
        var field: String?
        if let fields = v.array("fields", required: true) {
            field = fields.first?["name"]?.stringValue
            if field == nil { v.fail("fields", FieldError("VALUE_REQUIRED", "Expected at least one field {\"name\": …}")) }
            if let field, let pool, projects[pool.projectID]?.outputSpec[field] == nil {
                v.fail("fields.0.name", FieldError("VALUE_NOT_ALLOWED", "The project has no output field \(field)"))
            }
        }
        let skillID = v.id("answer_weight_skill_id", required: type == "WEIGHTED_DYNAMIC_OVERLAP")
        if let skillID, skills[skillID] == nil { v.fail("answer_weight_skill_id", .doesNotExist("Skill \(skillID)")) }
        guard v.isValid, let type, let pool, let field else { throw APIError.validation(v.errors) }

        let results = try aggregate(pool, field: field, type: type, skillID: skillID)
        let parameters: JSONValue = ["pool_id": .string(String(pool.id)), "type": .string(type), "fields": [["name": .string(field)]]]
        let op = newOperation(type: "SOLUTION.AGGREGATE", parameters: parameters, details: ["items_count": .int(Int64(results.count))])
        aggregatedSolutions[op.id] = results
        return .json(202, op.rendered(realNow: op.submittedReal))
    }

    /// The aggregated solutions of `pool`'s accepted answers on `field`, one per general task that
    /// has answers, in task id order.
    func aggregate(_ pool: PoolRecord, field: String, type: String, skillID: String?) throws -> [JSONValue] {
        var taskNames: [String] = [], workerNames: [String] = [], labelNames: [String] = []
        var values: [String: JSONValue] = [:]  // label text → the answer as given
        for a in pool.assignments where a.state == .accepted {
            for (k, ti) in a.tasks.enumerated() where !pool.tasks[ti].isControl && k < a.solutions.count {
                guard let answer = a.solutions[k][field], answer != .null else { continue }
                let text = answer.labelText
                values[text] = answer
                taskNames.append(pool.tasks[ti].id)
                workerNames.append(world.workers[Int(a.worker)].id)
                labelNames.append(text)
            }
        }
        guard !taskNames.isEmpty else { return [] }
        let table = try AnswerTable(tasks: taskNames, workers: workerNames, labels: labelNames)
        let result: MethodResult
        if type == "DAWID_SKENE" {
            let ds = try MethodRegistry.method(named: "ds")
            result = try ds.fit(table, inputs: MethodInputs(), parameters: MethodParameters().only(ds))
        } else {
            let mv = try MethodRegistry.method(named: "mv")
            var weights: [String: Double] = [:]
            if let skillID, let byWorker = world.skills[skillID] {
                for (w, value) in byWorker { weights[world.workers[Int(w)].id] = value }
            }
            result = try mv.fit(table, inputs: MethodInputs(weights: WorkerSkills(weights), onMissingSkill: .value(0)),
                                parameters: MethodParameters().only(mv))
        }
        let labels = result.labels, probabilities = result.probabilities
        var out: [(id: String, json: JSONValue)] = []
        for t in 0..<table.taskCount {
            let label = Int(labels[t])
            let text = table.labels.names[label]
            let confidence = probabilities.rows > t ? probabilities[t, label] : 1
            let id = table.tasks.name(Int32(t))
            out.append((id, ["pool_id": .string(String(pool.id)), "task_id": .string(id), "confidence": .double(confidence),
                             "output_values": [field: values[text] ?? .string(text)]]))
        }
        return out.sorted { $0.id < $1.id }.map(\.json)
    }

    /// `GET /api/v1/aggregated-solutions/{operation}`: a page of the operation's results, by
    /// `task_id` (`task_id_gt`/`_gte`/`_lt`/`_lte`, `sort=task_id`, `limit` up to 100,000).
    func listAggregatedSolutions(_ operation: String, query q: [String: String]) throws -> JSONValue {
        guard let items = aggregatedSolutions[operation] ?? aggregatedSolutions[operation.lowercased()] else {
            throw APIError.notFound("Operation", operation)
        }
        let page = try Listing.page(items, query: q, fields: ["task_id": .objectID], defaultLimit: 50, maxLimit: 100_000, idOrdered: true) { s, field in
            field == "task_id" ? s["task_id"].flatMap(\.stringValue).map(SortKey.string) : nil
        }
        return page.json { $0 }
    }
}
