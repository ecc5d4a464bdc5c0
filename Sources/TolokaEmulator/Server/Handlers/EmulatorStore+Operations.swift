import Foundation
import TallyCore

extension EmulatorStore {
    // MARK: - Operations

    /// The `operation_id` a batch upload asks its operation to have: nil when the query has none; a
    /// 400 `INVALID_UUID` when it is not a UUID, a 409 `OPERATION_ALREADY_EXISTS` when it is taken.
    func newOperationID(_ query: [String: String]) throws -> String? {
        guard let operationID = query["operation_id"] else { return nil }
        guard UUID(uuidString: operationID) != nil else { throw APIError.validation("operation_id", "INVALID_UUID", "Expected a UUID, got \(operationID)") }
        if operations[operationID.lowercased()] != nil || operations[operationID] != nil {
            throw APIError(409, "OPERATION_ALREADY_EXISTS", "Operation with id \(operationID) already exists")
        }
        return operationID
    }

    func readOperation(_ id: String) throws -> JSONValue {
        guard var op = operations[id] ?? operations[id.lowercased()] else { throw APIError.notFound("Operation", id) }
        op.reads += 1
        operations[op.id] = op
        return op.rendered(realNow: clock.realNow())
    }

    func operationLog(_ id: String) throws -> JSONValue {
        guard let op = operations[id] ?? operations[id.lowercased()] else { throw APIError.notFound("Operation", id) }
        return .array(op.log)
    }

    func listOperations(_ q: [String: String]) throws -> JSONValue {
        var items = operationOrder.map { operations[$0]! }
        if let t = q["type"] { items = items.filter { $0.type == t } }
        let page = try Listing.page(items, query: q, fields: ["id": .uuid, "submitted": .number], defaultLimit: 50, maxLimit: 500) { op, field in
            switch field {
            case "id": .string(op.id)
            case "submitted": .number(op.submitted)
            default: nil
            }
        }
        let now = clock.realNow()
        return page.json { $0.rendered(realNow: now) }
    }

    // MARK: - Analytics

    /// `POST /api/staging/analytics-2`: an `ANALYTICS` operation whose details hold each request's result.
    func analytics(_ body: JSONValue) throws -> JSONValue {
        guard let requests = body.arrayValue else { throw APIError(400, "VALIDATION_ERROR", "Expected an array of analytics requests") }
        guard !requests.isEmpty, requests.count <= 10 else { throw APIError(400, "VALIDATION_ERROR", "Expected 1 to 10 analytics requests, got \(requests.count)") }
        var results: [JSONValue] = []
        let finished = TolokaTime.format(clock.now())
        for (i, r) in requests.enumerated() {
            guard let name = r["name"]?.stringValue else { throw APIError.validation("\(i).name", "VALUE_REQUIRED", "name is required") }
            guard r["subject"]?.stringValue == "POOL" else { throw APIError.validation("\(i).subject", "VALUE_NOT_ALLOWED", "Only subject POOL is emulated") }
            guard let sid = r["subject_id"]?.labelText, let pool = numericID(sid).flatMap({ pools[$0] }) else {
                throw APIError.validation("\(i).subject_id", "DOES_NOT_EXIST", "Pool \(r["subject_id"]?.labelText ?? "") does not exist")
            }
            let result: JSONValue
            let submitted = pool.assignments.filter { $0.submitted != nil }
            switch name {
            case "completion_percentage":
                result = ["type": "NORMAL", "value": .int(Int64(pool.completionPercentage)), "infinite": false, "approximate": false]
            case "real_tasks_count": result = .int(Int64(pool.generalTasks.count))
            case "submitted_assignments_count": result = .int(Int64(submitted.count))
            case "skipped_assignments_count": result = .int(Int64(pool.assignments.filter { $0.status == "SKIPPED" }.count))
            case "rejected_assignments_count": result = .int(Int64(pool.assignments.filter { $0.status == "REJECTED" }.count))
            case "approved_assignments_count": result = .int(Int64(pool.assignments.filter { $0.status == "ACCEPTED" }.count))
            case "avg_submit_assignment_millis":
                let total = submitted.reduce(0.0) { $0 + ($1.submitted! - $1.created) }
                result = .int(submitted.isEmpty ? 0 : Int64(total / Double(submitted.count) * 1000))
            case "spent_budget":
                result = .double(pool.assignments.filter { $0.status == "ACCEPTED" }.reduce(0.0) { $0 + $1.reward })
            case "unique_workers_count": result = .int(Int64(Set(pool.assignments.map(\.worker)).count))
            case "unique_submitters_count": result = .int(Int64(Set(submitted.map(\.worker)).count))
            case "estimated_assignments_count":
                let perSuite = max(pool.mixer?.realTasksCount ?? 1, 1)
                let answers = pool.generalTasks.reduce(0) { $0 + (pool.tasks[$1].overlap ?? 0) }
                result = .int(Int64((answers + perSuite - 1) / perSuite))
            case "active_workers_by_filter_count":
                result = .int(Int64(world.workers.indices.filter { world.matches(pool.filter, worker: Int32($0)) }.count))
            default:
                throw APIError.validation("\(i).name", "UNKNOWN_ENUM_VALUE", "Unknown analytics name \(name)")
            }
            results.append(["request": r, "result": result, "finished": .string(finished)])
        }
        let op = newOperation(type: "ANALYTICS", parameters: ["value": body], details: ["value": .array(results)])
        return op.rendered(realNow: op.submittedReal)
    }
}
