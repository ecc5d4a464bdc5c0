import Foundation
import TallyCore
import TallyQualityControl

extension EmulatorStore {
    // MARK: - Assignments

    func render(_ a: AssignmentRecord, in pool: PoolRecord) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(a.id), "task_suite_id": .string(a.suiteID), "pool_id": .string(String(pool.id)),
            "user_id": .string(world.workers[Int(a.worker)].id), "status": .string(a.status), "reward": .double(a.reward),
            "tasks": .array(a.tasks.map { pool.tasks[$0].rendered(poolID: pool.id) }),
            "mixed": true, "automerged": false, "created": .string(TolokaTime.format(a.created)), "owner": owner,
        ]
        if !a.solutions.isEmpty { o["solutions"] = .array(a.solutions.map { ["output_values": .object($0)] }) }
        for (key, t) in [("submitted", a.submitted), ("accepted", a.accepted), ("rejected", a.rejected), ("expired", a.expired), ("skipped", a.skipped)] {
            if let t { o[key] = .string(TolokaTime.format(t)) }
        }
        if let c = a.publicComment { o["public_comment"] = .string(c) }
        return .object(o)
    }

    static let assignmentStatuses: Set<String> = ["ACTIVE", "SUBMITTED", "ACCEPTED", "REJECTED", "SKIPPED", "EXPIRED"]

    /// `GET /api/v1/assignments`: one of `pool_id`, `task_suite_id`, `task_id` is required.
    func listAssignments(_ q: [String: String]) throws -> JSONValue {
        var candidates: [(AssignmentRecord, PoolRecord)] = []
        if let pid = q["pool_id"] {
            if let pool = numericID(pid).flatMap({ pools[$0] }) { candidates = pool.assignments.map { ($0, pool) } }
        } else if let sid = q["task_suite_id"] {
            if let pool = poolOf(objectID: sid) { candidates = pool.assignments.filter { $0.suiteID == sid }.map { ($0, pool) } }
        } else if let tid = q["task_id"] {
            if let pid = taskPools[tid], let pool = pools[pid], let ti = pool.taskIndexByID[tid] {
                candidates = pool.assignments.filter { $0.tasks.contains(ti) }.map { ($0, pool) }
            }
        } else {
            throw APIError.validation("pool_id", "VALUE_REQUIRED", "One of pool_id, task_suite_id, task_id is required")
        }
        if let raw = q["status"] {
            let wanted = Set(raw.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
            if let bad = wanted.first(where: { !Self.assignmentStatuses.contains($0) }) {
                throw APIError.validation("status", "UNKNOWN_ENUM_VALUE", "Unknown status \(bad); expected one of \(Self.assignmentStatuses.sorted().joined(separator: ", "))")
            }
            candidates = candidates.filter { wanted.contains($0.0.status) }
        }
        if let user = q["user_id"] {
            candidates = candidates.filter { world.workers[Int($0.0.worker)].id == user }
        }
        var fields: [String: Listing.FieldKind] = ["id": .objectID]
        for f in ["created", "submitted", "accepted", "rejected", "skipped", "expired"] { fields[f] = .number }
        let page = try Listing.page(candidates, query: q, fields: fields, defaultLimit: 50, maxLimit: 100_000, idOrdered: true) { pair, field in
            field == "id" ? .string(pair.0.id) : pair.0.time(field).map(SortKey.number)
        }
        return page.json { render($0.0, in: $0.1) }
    }

    func poolOf(objectID: String) -> PoolRecord? {
        guard let dash = objectID.range(of: "--"), let n = Int(objectID[..<dash.lowerBound], radix: 16) else { return nil }
        return pools[n]
    }

    func assignmentRecord(_ id: String) throws -> (PoolRecord, Int) {
        guard let pool = poolOf(objectID: id), let i = pool.assignmentIndexByID[id] else { throw APIError.notFound("Assignment", id) }
        return (pool, i)
    }

    func assignment(_ id: String) throws -> JSONValue {
        let (pool, i) = try assignmentRecord(id)
        return render(pool.assignments[i], in: pool)
    }

    /// `PATCH /api/v1/assignments/{id}` with `{"status": "ACCEPTED"|"REJECTED", "public_comment": …}`; a rejection needs the comment.
    func reviewAssignment(_ id: String, _ body: JSONValue) throws -> JSONValue {
        let (pool, i) = try assignmentRecord(id)
        let o = try body.requestObject()
        var v = Validator(o)
        let status = v.string("status", required: true)
        let comment = v.string("public_comment")
        if let status, status != "ACCEPTED", status != "REJECTED" { v.fail("status", FieldError("VALUE_NOT_ALLOWED", "Expected ACCEPTED or REJECTED")) }
        if status == "REJECTED", comment == nil { v.fail("public_comment", .required) }
        guard v.isValid, let status else { throw APIError.validation(v.errors) }
        let current = pool.assignments[i].status
        let allowed = status == "ACCEPTED" ? ["SUBMITTED", "REJECTED"] : ["SUBMITTED"]
        if current == status { return render(pool.assignments[i], in: pool) }
        guard allowed.contains(current), pool.status != "ARCHIVED" else { throw APIError.inappropriateStatus(allowed) }
        pool.review(i, accept: status == "ACCEPTED", comment: comment, at: clock.now(), world: &world)
        return render(pool.assignments[i], in: pool)
    }

    // MARK: - User restrictions

    /// `GET /api/v1/user-restrictions`: the restrictions quality-control rules made (filters `pool_id`,
    /// `project_id`, `user_id`, `scope`; sort and ranges on `id`, `created`).
    func listRestrictions(_ q: [String: String]) throws -> JSONValue {
        var items = world.restrictions
        if let p = q["pool_id"] { items = items.filter { $0.scope == .pool && String($0.poolID) == p } }
        if let p = q["project_id"] { items = items.filter { $0.scope == .project && String($0.projectID) == p } }
        if let s = q["scope"] { items = items.filter { $0.scope.rawValue == s } }
        if let u = q["user_id"] { items = items.filter { world.workers[Int($0.worker)].id == u } }
        let page = try Listing.page(items, query: q, fields: ["id": .number, "created": .number], defaultLimit: 50, maxLimit: 500) { r, field in
            field == "id" ? .number(Double(r.id)) : field == "created" ? .number(r.created) : nil
        }
        return page.json { r in
            var o: [String: JSONValue] = ["id": .string(String(r.id)), "user_id": .string(world.workers[Int(r.worker)].id),
                                          "scope": .string(r.scope.rawValue), "created": .string(TolokaTime.format(r.created))]
            switch r.scope {
            case .pool: o["pool_id"] = .string(String(r.poolID))
            case .project: o["project_id"] = .string(String(r.projectID))
            case .allProjects: break
            }
            if let end = r.end { o["will_expire"] = .string(TolokaTime.format(end)) }
            if let c = r.privateComment { o["private_comment"] = .string(c) }
            return .object(o)
        }
    }

    // MARK: - TSV export

    /// `GET /api/new/requester/pools/{id}/assignments.tsv`: the web UI's "Download results" file.
    ///
    /// *Choices*: input and output columns in field-name order (the emulator does not keep the spec's
    /// key order); `status` takes the export's names (`APPROVED` for ACCEPTED), default `APPROVED`;
    /// the time filters are ignored; the columns are the 2024 export's, plus the `field`s asked for
    /// beyond them (`ASSIGNMENT:submitted`, `accepted`, `rejected`, `skipped`, `expired`, `reward`,
    /// `task_suite_id`; another name is a 400).
    func exportTSV(_ id: String, query q: [String: String]) throws -> String {
        let pool = try pool(id)
        guard let project = projects[pool.projectID] else { throw APIError.notFound("Project", String(pool.projectID)) }
        let wanted = Set((q["status"] ?? "APPROVED").split(separator: ",").map { $0 == "APPROVED" ? "ACCEPTED" : String($0) })
        let excludeBanned = q["excludeBanned"] == "true"
        let inputs = project.inputSpec.keys.sorted(), outputs = project.outputSpec.keys.sorted()
        var header = inputs.map { "INPUT:\($0)" } + outputs.map { "OUTPUT:\($0)" } + outputs.map { "GOLDEN:\($0)" }
        header += ["HINT:text", "HINT:default_language", "ASSIGNMENT:link", "ASSIGNMENT:task_id", "ASSIGNMENT:assignment_id",
                   "ASSIGNMENT:worker_id", "ASSIGNMENT:status", "ASSIGNMENT:started"]
        // `field` asks for more ASSIGNMENT columns (toloka-kit's autoquality scores by `ASSIGNMENT:submitted`).
        let extraFields = ["ASSIGNMENT:submitted", "ASSIGNMENT:accepted", "ASSIGNMENT:rejected", "ASSIGNMENT:skipped", "ASSIGNMENT:expired",
                           "ASSIGNMENT:reward", "ASSIGNMENT:task_suite_id"]
        var extras: [String] = []
        for f in (q["field"] ?? "").split(separator: ",").map(String.init) where !header.contains(f) && !extras.contains(f) {
            guard extraFields.contains(f) else {
                throw APIError.validation("field", "VALUE_NOT_ALLOWED", "Unknown field \(f); expected ASSIGNMENT:link, task_id, assignment_id, worker_id, status, started or \(extraFields.joined(separator: ", "))")
            }
            extras.append(f)
        }
        header += extras
        var lines = [header.joined(separator: "\t")]
        let now = clock.now()
        func cell(_ v: JSONValue?) -> String {
            guard let v, v != .null else { return "" }
            let s = v.labelText
            return s.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\"" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        for a in pool.assignments where wanted.contains(a.status) {
            if excludeBanned, world.isRestricted(worker: a.worker, projectID: pool.projectID, poolID: pool.id, at: now) { continue }
            for (k, ti) in a.tasks.enumerated() {
                let t = pool.tasks[ti]
                let inValues = t.json["input_values"]?.objectValue ?? [:]
                let out = k < a.solutions.count ? a.solutions[k] : [:]
                let golden = t.knownSolutions.first ?? [:]
                var row = inputs.map { cell(inValues[$0]) } + outputs.map { cell(out[$0]) } + outputs.map { cell(golden[$0]) }
                row += [cell(t.json["message_on_unknown_solution"]), "", "https://platform.toloka.ai/task/\(pool.id)/\(a.id)", t.id, a.id,
                        world.workers[Int(a.worker)].id, a.status == "ACCEPTED" ? "APPROVED" : a.status, TolokaTime.format(a.created)]
                for f in extras {
                    let time: Double?? = switch f {
                    case "ASSIGNMENT:submitted": .some(a.submitted)
                    case "ASSIGNMENT:accepted": .some(a.accepted)
                    case "ASSIGNMENT:rejected": .some(a.rejected)
                    case "ASSIGNMENT:skipped": .some(a.skipped)
                    case "ASSIGNMENT:expired": .some(a.expired)
                    default: nil
                    }
                    if let time { row.append(time.map { TolokaTime.format($0) } ?? ""); continue }
                    row.append(f == "ASSIGNMENT:reward" ? String(a.reward) : a.suiteID)
                }
                lines.append(row.joined(separator: "\t"))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
