import Foundation
import TallyCore

/// Skills, Tolokers' skill values, trainings, pool updates and Toloka's own aggregation: the calls
/// a workflow with a training pool and skills makes (toloka-kit's `get_skills`, `create_skill`,
/// `get_user_skills`, `set_user_skill`, `create_training`, `open_training`, `update_pool`,
/// `aggregate_solutions_by_pool`, `get_aggregated_solutions`), with the same retries, error
/// handling and credential hygiene as the other calls.
extension TolokaAPIClient {
    // MARK: - Skills

    /// Every skill, in id order; `name` keeps those with exactly that name (`GET /v1/skills?name=`).
    public func skills(name: String? = nil) async throws -> [Skill] {
        var out: [Skill] = []
        try await forEachPage("v1/skills", query: name.map { ["name": $0] } ?? [:]) { (page: [JSONValue]) in
            out += try page.map { try Skill.decodePreservingUnknownFields($0) }
        }
        return out
    }

    /// `GET /v1/skills/{id}`: one skill.
    public func skill(id: String) async throws -> Skill {
        try decodePreserving(try await send("GET", "v1/skills/\(escaped(id))"))
    }

    /// `POST /v1/skills`: creates the skill and returns it with its `id`.
    ///
    /// Skill names need not be unique on Toloka, so a create whose answer was lost (no answer, or
    /// 408/5xx) is settled by looking the name up among the skills created after `listedAfter`
    /// (an id; nil: all) before the request is sent again: the newest one found is returned.
    public func createSkill(_ skill: Skill, listedAfter: String? = nil) async throws -> Skill {
        try await createOnce("v1/skills", body: try skill.creationJSON()) {
            try await skills(name: skill.name).last { s in listedAfter.map { Self.idGreater(s.id, than: $0) } ?? true }
        }
    }

    /// The first skill named `skill.name` (toloka-kit's examples: `next(get_skills(name=…), None)`),
    /// or a new one created from `skill` when there is none. Returns the skill and whether it was created.
    public func skill(named skill: Skill) async throws -> (skill: Skill, created: Bool) {
        let found = try await skills(name: skill.name)
        if let first = found.first { return (first, false) }
        let before = try await newestID("v1/skills")
        return (try await createSkill(skill, listedAfter: before), true)
    }

    /// The values of skills per Toloker (`GET /v1/user-skills`), in id order; `skillID` and
    /// `userID` narrow the list.
    public func userSkills(skillID: String? = nil, userID: String? = nil) async throws -> [UserSkill] {
        var q: [String: String] = [:]
        if let skillID { q["skill_id"] = skillID }
        if let userID { q["user_id"] = userID }
        var out: [UserSkill] = []
        try await forEachPage("v1/user-skills", query: q) { (page: [UserSkill]) in out += page }
        return out
    }

    /// `PUT /v1/user-skills`: sets Toloker `userID`'s value of skill `skillID` (0–100) and returns it.
    /// Setting a value is idempotent, so a lost answer is simply sent again.
    @discardableResult
    public func setUserSkill(skillID: String, userID: String, value: Decimal) async throws -> UserSkill {
        let body: JSONValue = ["skill_id": .string(skillID), "user_id": .string(userID), "value": try JSONValue(encoding: value)]
        return try decode(UserSkill.self, try await send("PUT", "v1/user-skills", body: body), "PUT /v1/user-skills")
    }

    // MARK: - Trainings

    /// `POST /v1/trainings`: creates the training (`CLOSED`, with its `training_skill_id`) and
    /// returns it with its `id`.
    ///
    /// With a `key`, the create is idempotent as ``createPool(_:key:)`` is: the key goes into the
    /// training's `metadata`, and a lost answer is settled by looking for it among the trainings
    /// of `training.projectID` before sending again.
    public func createTraining(_ training: Training, key: String? = nil) async throws -> Training {
        try await createProjectObject(training, at: "v1/trainings", key: key)
    }

    /// `GET /v1/trainings/{id}`: one training, with its current `status`.
    public func training(id: String) async throws -> Training {
        try decodePreserving(try await send("GET", "v1/trainings/\(escaped(id))"))
    }

    /// Every training of a project, in id order.
    public func trainings(projectID: String, query: [String: String] = [:]) async throws -> [Training] {
        try await projectObjects(at: "v1/trainings", projectID: projectID, query: query)
    }

    /// `POST /v1/trainings/{id}/open`, waits for the operation (204: already open), then reads
    /// the training. A lost answer is settled by reading the training: open means the request
    /// took effect.
    public func openTraining(id: String) async throws -> Training {
        try await trainingAction(id: id, action: "open") {
            try await self.training(id: id).isOpen ? HTTPResponse(status: 204) : nil
        }
    }

    /// `POST /v1/trainings/{id}/close`, waits, reads the training.
    public func closeTraining(id: String) async throws -> Training {
        try await trainingAction(id: id, action: "close") {
            try await self.training(id: id).isClosed ? HTTPResponse(status: 204) : nil
        }
    }

    private func trainingAction(id: String, action: String, settle: @escaping () async throws -> HTTPResponse?) async throws -> Training {
        try await projectObjectAction("training", at: "v1/trainings", id: id, action: action, settle: settle) { try await training(id: $0) }
    }

    // MARK: - Pool update

    /// `PUT /v1/pools/{id}`: replaces the pool's settings with `pool` (read-only fields are not
    /// sent, unknown fields are) and returns the pool as stored. Toloka takes the whole pool, so
    /// read it with ``pool(id:)``, change it and send it back. A PUT is idempotent, so a lost
    /// answer is simply sent again.
    public func updatePool(id: String, _ pool: Pool) async throws -> Pool {
        try decodePreserving(try await send("PUT", "v1/pools/\(escaped(id))", body: pool.updateJSON()))
    }

    // MARK: - Toloka's aggregation

    /// `POST /v1/aggregated-solutions/aggregate-by-pool` and waits for the `SOLUTION.AGGREGATE`
    /// operation; read its results with ``aggregatedSolutions(operationID:)``. Throws
    /// `.operationFailed` when the operation fails.
    ///
    /// A request whose answer was lost is sent again (Toloka starts a second operation; both give
    /// the same solutions).
    public func aggregateByPool(_ request: AggregationRequest) async throws -> TolokaOperation {
        let path = "v1/aggregated-solutions/aggregate-by-pool"
        let op = try decode(TolokaOperation.self, try await send("POST", path, body: JSONValue(encoding: request)), "POST /\(path)")
        let done = try await waitForOperation(op)
        guard done.succeeded else {
            throw TolokaError(kind: .operationFailed, code: done.type, message: "aggregation operation \(done.id) of pool \(request.poolID) ended in \(done.status): \(done.details?.serialized(numbers: .python) ?? "")")
        }
        return done
    }

    /// Every aggregated solution of a finished aggregation operation, in task-id order.
    public func aggregatedSolutions(operationID: String) async throws -> [AggregatedSolution] {
        var out: [AggregatedSolution] = []
        try await forEachAggregatedSolutionPage(operationID: operationID) { out += $0 }
        return out
    }

    /// Reads an aggregation operation's solutions page by page (`sort=task_id`, then
    /// `task_id_gt=<last task id>` while `has_more`, as toloka-kit pages them), starting after
    /// `afterTaskID`; `body` gets each page in order.
    public func forEachAggregatedSolutionPage(operationID: String, afterTaskID: String? = nil,
                                              _ body: ([AggregatedSolution]) async throws -> Void) async throws {
        let path = "v1/aggregated-solutions/\(escaped(operationID))"
        var cursor = afterTaskID
        while true {
            var q = ["sort": "task_id"]
            if let cursor { q["task_id_gt"] = cursor }
            if let size = configuration.pageSize { q["limit"] = String(size) }
            let page = try decode(Page<AggregatedSolution>.self, try await send("GET", path, query: q), "GET /\(path)")
            try await body(page.items)
            guard page.hasMore else { return }
            guard let last = page.items.last?.taskID else {
                throw TolokaError(kind: .decoding, message: "has_more is true but the page has no task id to continue after", request: "GET /\(path)")
            }
            if let cursor, last <= cursor, last.count == cursor.count {
                throw TolokaError(kind: .decoding, message: "the server returned task ids up to \(last) after task_id_gt=\(cursor); it does not honour task_id_gt", request: "GET /\(path)")
            }
            cursor = last
        }
    }

    // MARK: - Helpers

    /// The largest id of a list endpoint (`sort=-id&limit=1`), nil when it is empty.
    func newestID(_ path: String) async throws -> String? {
        let data = try await send("GET", path, query: ["sort": "-id", "limit": "1"])
        return (try? JSONValue(parsing: data))?["items"]?[0]?["id"]?.stringValue
    }

    /// Numeric ids compared as numbers (a longer decimal id is larger); others as text.
    static func idGreater(_ id: String?, than other: String) -> Bool {
        guard let id else { return false }
        if id.count != other.count, id.allSatisfy(\.isNumber), other.allSatisfy(\.isNumber) { return id.count > other.count }
        return id > other
    }
}
