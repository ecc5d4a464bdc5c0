import Foundation
import TallyCore

extension EmulatorStore {
    // MARK: - Skills

    /// The longest skill `name` and `private_comment`. *Choice*: Toloka documents no limit.
    static let skillTextMaxLength = 1024

    /// `POST /api/v1/skills`: validates and creates a skill (201). `name` is required; toloka-kit's
    /// examples look a skill up by name first and create it only when missing, so names need not be unique.
    func createSkill(_ body: JSONValue) throws -> JSONValue {
        var o = try body.requestObject()
        var v = Validator(o)
        v.string("name", required: true, maxLength: Self.skillTextMaxLength, nonBlank: true)
        v.string("private_comment", maxLength: Self.skillTextMaxLength)
        v.bool("hidden")
        v.bool("training")
        v.integer("skill_ttl_hours", min: 1)
        v.object("public_name")
        v.object("public_requester_description")
        guard v.isValid else { throw APIError.validation(v.errors) }
        for key in ["id", "created"] { o[key] = nil }
        return addSkill(o).rendered
    }

    /// Stores a new skill with the next id.
    @discardableResult
    func addSkill(_ json: [String: JSONValue]) -> SkillRecord {
        let skill = SkillRecord(id: String(nextSkillID), json: json, created: clock.now())
        nextSkillID += 1
        skills[skill.id] = skill
        skillOrder.append(skill.id)
        return skill
    }

    func skill(_ id: String) throws -> SkillRecord {
        guard let s = skills[id] else { throw APIError.notFound("Skill", id) }
        return s
    }

    /// `GET /api/v1/skills`: by `name` (exact), with `id`/`created` ranges, `sort` and `limit`.
    func listSkills(_ q: [String: String]) throws -> JSONValue {
        var items = skillOrder.map { skills[$0]! }
        if let name = q["name"] { items = items.filter { $0.json["name"]?.stringValue == name } }
        let page = try Listing.page(items, query: q, fields: ["id": .number, "created": .number], defaultLimit: 20, maxLimit: 100) { s, field in
            switch field {
            case "id": Double(s.id).map(SortKey.number)
            case "created": .number(s.created)
            default: nil
            }
        }
        return page.json(\.rendered)
    }

    // MARK: - User skills

    /// One Toloker's value of one skill, as `/api/v1/user-skills` shows it.
    struct UserSkill {
        let skillID: String
        let worker: Int32
        let value: Double
        let created: Double
        let modified: Double
        /// `<skill id × 1,000,000 + the Toloker's index>`: stable, and numeric order is skill then Toloker.
        var id: String { String((Int(skillID) ?? 0) * 1_000_000 + Int(worker)) }
    }

    /// Every user skill, by skill (in creation order, then skills only rules named) and Toloker.
    func userSkills() -> [UserSkill] {
        let known = Set(skillOrder)
        let ids = skillOrder + world.skills.keys.filter { !known.contains($0) }.sorted()
        var out: [UserSkill] = []
        for id in ids {
            guard let values = world.skills[id] else { continue }
            for (worker, value) in values.sorted(by: { $0.key < $1.key }) {
                let times = world.skillTimes[id]?[worker] ?? (0, 0)
                out.append(UserSkill(skillID: id, worker: worker, value: value, created: times.created, modified: times.modified))
            }
        }
        return out
    }

    func render(_ u: UserSkill) -> JSONValue {
        ["id": .string(u.id), "skill_id": .string(u.skillID), "user_id": .string(world.workers[Int(u.worker)].id),
         "value": .int(Int64(u.value.rounded(.down))), "exact_value": .double(u.value),
         "created": .string(TolokaTime.format(u.created)), "modified": .string(TolokaTime.format(u.modified))]
    }

    /// `GET /api/v1/user-skills`: by `skill_id` and `user_id`, with `id`/`created`/`modified` ranges, `sort` and `limit`.
    func listUserSkills(_ q: [String: String]) throws -> JSONValue {
        var items = userSkills()
        if let s = q["skill_id"] { items = items.filter { $0.skillID == s } }
        if let u = q["user_id"] { items = items.filter { world.workers[Int($0.worker)].id == u } }
        let page = try Listing.page(items, query: q, fields: ["id": .number, "created": .number, "modified": .number], defaultLimit: 50, maxLimit: 1000) { u, field in
            switch field {
            case "id": Double(u.id).map(SortKey.number)
            case "created": .number(u.created)
            case "modified": .number(u.modified)
            default: nil
            }
        }
        return page.json(render)
    }

    /// `PUT /api/v1/user-skills`: sets `{skill_id, user_id, value}` (0–100) and answers the user skill.
    func setUserSkill(_ body: JSONValue) throws -> JSONValue {
        let o = try body.requestObject()
        var v = Validator(o)
        let skillID = v.id("skill_id", required: true)
        let userID = v.id("user_id", required: true)
        let value = v.number("value", required: true, min: 0, max: 100)
        if let skillID, skills[skillID] == nil { v.fail("skill_id", .doesNotExist("Skill \(skillID)")) }
        let worker = userID.flatMap { id in world.workers.firstIndex { $0.id == id } }
        if let userID, worker == nil { v.fail("user_id", .doesNotExist("User \(userID)")) }
        guard v.isValid, let skillID, let worker, let value else { throw APIError.validation(v.errors) }
        world.setSkill(skillID, worker: Int32(worker), value: value, at: clock.now())
        return render(userSkills().first { $0.skillID == skillID && $0.worker == Int32(worker) }!)
    }
}
