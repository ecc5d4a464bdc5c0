import Foundation
import TallyCore

/// A skill: a number from 0 to 100 per Toloker (a share of correct answers, a passed training),
/// set by quality-control rules, by a training or by ``TolokaAPIClient/setUserSkill(skillID:userID:value:)``,
/// and read by pool filters (`{"category": "skill", "key": <skill id>, …}`). Decoded skills keep
/// the fields Tally does not model in `unknownFields` and send them back.
public struct Skill: TolokaObject, Codable, Sendable, Hashable {
    /// The skill id, set by the server (nil before creation).
    public var id: String?
    /// The name only the requester sees (required on creation); toloka-kit's examples look a
    /// skill up by this name before creating it.
    public var name: String
    /// A note only the requester sees.
    public var privateComment: String?
    /// True (Toloka's default): Tolokers do not see the skill's value.
    public var hidden: Bool?
    /// True for the skill a training sets (read-only in practice: the server creates it with the training).
    public var training: Bool?
    /// Hours after which a value not updated is removed from a Toloker's profile.
    public var skillTTLHours: Int?
    /// The name Tolokers see, by language code (`EN`, `RU`, …).
    public var publicName: [String: String]?
    /// The description Tolokers see, by language code.
    public var publicRequesterDescription: [String: String]?
    /// The requester account that owns the skill (read-only).
    public var owner: Owner?
    /// When the skill was created (read-only; Toloka's date-time text, UTC).
    public var created: String?
    /// Fields of the skill's JSON that Tally does not model, kept as read and sent back on creation.
    public var unknownFields: [String: JSONValue] = [:]

    /// A skill named `name`; the other fields are left to the server's defaults.
    public init(name: String, privateComment: String? = nil, hidden: Bool? = nil) {
        self.name = name; self.privateComment = privateComment; self.hidden = hidden
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, hidden, training, owner, created
        case privateComment = "private_comment", skillTTLHours = "skill_ttl_hours", publicName = "public_name"
        case publicRequesterDescription = "public_requester_description"
    }

    /// The skill as sent on creation: read-only fields left out.
    func creationJSON() throws -> JSONValue {
        var copy = self
        copy.id = nil; copy.created = nil; copy.owner = nil
        return try copy.preservingJSON()
    }
}

/// One Toloker's value of one skill, as `GET /v1/user-skills` lists it.
public struct UserSkill: Codable, Sendable, Hashable {
    /// The id of this value (not the skill's).
    public var id: String?
    /// The skill.
    public var skillID: String
    /// The Toloker.
    public var userID: String
    /// The value rounded down to an integer, 0–100.
    public var value: Int?
    /// The exact value, 0–100.
    public var exactValue: Double?
    /// When the Toloker first got the skill (Toloka's date-time text, UTC).
    public var created: String?
    /// When the value last changed.
    public var modified: String?

    /// The exact value when the server sent one, else the rounded one.
    public var score: Double? { exactValue ?? value.map(Double.init) }

    enum CodingKeys: String, CodingKey {
        case id, value, created, modified
        case skillID = "skill_id", userID = "user_id", exactValue = "exact_value"
    }
}

extension Filter {
    /// A condition on a skill: `skill <id> <op> value` (e.g. `GTE 70`); a nil `value` with `EQ`
    /// means "has no value of this skill".
    public static func skill(_ skillID: String, _ op: String, _ value: Double?) -> Filter {
        .condition(Condition(category: "skill", key: skillID, operator: op, value: value.map { $0.rounded() == $0 ? JSONValue.int(Int64($0)) : .double($0) }))
    }

    /// This filter and `other` both required (an AND of the two, flattened when this is an AND already).
    public func and(_ other: Filter) -> Filter {
        if case .and(let items) = self { return .and(items + [other]) }
        return .and([self, other])
    }
}
