import TallyCore

/// A skill as stored (`/api/v1/skills`): the client's JSON plus what the server adds.
///
/// Its values per Toloker live in ``World/skills`` (set by quality-control rules, by passing a
/// training and by `PUT /api/v1/user-skills`), where pool filters and `GET /api/v1/user-skills` read them.
final class SkillRecord {
    let id: String
    var json: [String: JSONValue]
    let created: Double

    init(id: String, json: [String: JSONValue], created: Double) {
        self.id = id
        self.json = json
        self.created = created
    }

    /// The skill as the API shows it.
    var rendered: JSONValue {
        var o = json
        o["id"] = .string(id)
        o["created"] = .string(TolokaTime.format(created))
        if o["hidden"] == nil { o["hidden"] = true }
        if o["training"] == nil { o["training"] = false }
        return .object(o)
    }
}
