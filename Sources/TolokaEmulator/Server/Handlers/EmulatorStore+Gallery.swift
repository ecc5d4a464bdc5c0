import Foundation
import TallyCore
import TallyQualityControl

extension EmulatorStore {
    // MARK: - Attachments

    func attachment(_ id: String) throws -> AttachmentRecord {
        guard let a = world.attachments[id] else { throw APIError.notFound("Attachment", id) }
        return a
    }

    /// `GET /api/v1/attachments/{id}`: the attachment's metadata.
    func attachmentJSON(_ id: String) throws -> JSONValue {
        let a = try attachment(id)
        return ["id": .string(a.id), "attachment_type": "ASSIGNMENT_ATTACHMENT", "name": .string(a.name), "media_type": .string(a.mediaType),
                "created": .string(TolokaTime.format(a.created)), "owner": owner,
                "details": ["user_id": .string(world.workers[Int(a.worker)].id), "assignment_id": .string(a.assignmentID), "pool_id": .string(String(a.poolID))]]
    }

    /// `GET /api/v1/attachments/{id}/download`: the file's bytes (see ``AttachmentRecord``).
    func downloadAttachment(_ id: String) throws -> EmulatorResponse {
        let a = try attachment(id)
        return EmulatorResponse(status: 200, headers: [("Content-Type", a.mediaType), ("Content-Disposition", "attachment; filename=\"\(a.name)\"")], body: a.bytes)
    }

    // MARK: - Pool update and clone

    /// `PUT /api/v1/pools/{id}`: the whole pool again, validated as on creation; the stored JSON,
    /// price, overlap default, filter, mixer, acceptance, durations, expiry and training requirement
    /// change. *Choice*: quality-control rules change only while the pool has issued nothing (the
    /// collectors' history would otherwise be lost); later, the new rules are stored and shown but
    /// the running ones keep going.
    func updatePool(_ id: String, _ body: JSONValue) throws -> JSONValue {
        let pool = try pool(id)
        guard pool.training == nil else { throw APIError(400, "VALIDATION_ERROR", "Pool \(id) is a training; update it through /api/v1/trainings") }
        let valid = try validatePool(body)
        guard valid.project.id == pool.projectID else {
            throw APIError.validation("project_id", "VALUE_NOT_ALLOWED", "A pool cannot move to another project (pool \(id) is in project \(pool.projectID))")
        }
        var o = valid.json
        // Collector uuids the pool already has are kept.
        if o["quality_control"] == nil { o["quality_control"] = pool.json["quality_control"] }
        pool.update(json: o, qualityControl: pool.assignments.isEmpty ? valid.engine : nil)
        pool.trainingRequirement = valid.requirement
        return render(pool)
    }

    /// `POST /api/v1/pools/{id}/clone`: a `POOL.CLONE` operation whose details name a new CLOSED pool
    /// with the same settings and no tasks.
    func clonePool(_ id: String) throws -> EmulatorResponse {
        let source = try pool(id)
        var body = render(source).objectValue ?? [:]
        if let expires = body["will_expire"]?.stringValue.flatMap({ TolokaTime.parse($0, accepting: [.dateOnly, .iso8601]) }), expires <= clock.now() {
            body["will_expire"] = .string(TolokaTime.format(clock.now() + 365 * 86_400))
        }
        guard let copy = try createPool(.object(body))["id"]?.stringValue else { throw APIError(500, "INTERNAL_ERROR", "clone failed") }
        let op = newOperation(type: "POOL.CLONE", parameters: ["pool_id": .string(String(source.id))], details: ["pool_id": .string(copy)])
        return .json(202, op.rendered(realNow: op.submittedReal))
    }

    // MARK: - Restrictions set by the requester

    /// `PUT /api/v1/user-restrictions`: `{scope, user_id, pool_id | project_id, private_comment, will_expire}` (201).
    func setRestriction(_ body: JSONValue) throws -> JSONValue {
        let o = try body.requestObject()
        var v = Validator(o)
        let scopeName = v.string("scope", required: true)
        let userID = v.id("user_id", required: true)
        v.string("private_comment")
        let end = v.date("will_expire")
        let scope = scopeName.flatMap(Restriction.Scope.init(rawValue:))
        if let scopeName, scope == nil { v.fail("scope", FieldError("UNKNOWN_ENUM_VALUE", "Expected POOL, PROJECT or ALL_PROJECTS, got \(scopeName)")) }
        let worker = userID.flatMap { id in world.workers.firstIndex { $0.id == id } }
        if let userID, worker == nil { v.fail("user_id", .doesNotExist("User \(userID)")) }
        var poolID = 0, projectID = 0
        if scope == .pool, let pid = v.id("pool_id", required: true) {
            if let p = numericID(pid).flatMap({ pools[$0] }) { (poolID, projectID) = (p.id, p.projectID) } else { v.fail("pool_id", .doesNotExist("Pool \(pid)")) }
        }
        if scope == .project, let p = projectReference(&v) { projectID = p.id }
        guard v.isValid, let scope, let worker else { throw APIError.validation(v.errors) }
        let r = Restriction(scope: scope, duration: nil, unit: .permanent, privateComment: o["private_comment"]?.stringValue)
        world.addRestriction(worker: Int32(worker), r, projectID: projectID, poolID: poolID, at: clock.now(), end: end)
        let page = try listRestrictions(["limit": "1", "sort": "-id"])
        return page["items"]?.arrayValue?.first ?? [:]
    }
}
