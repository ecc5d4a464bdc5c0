/// What a rule does when all its conditions hold (`{"type": …, "parameters": {…}}` in a rule of a
/// pool's `quality_control`).
public enum Action: Sendable, Equatable, Codable {
    /// `RESTRICTION_V2`: bar the Toloker from a scope for a time.
    case restriction(Restriction)
    /// `RESTRICTION` (legacy): the same with `duration_days` (absent = permanent). Kept apart so it encodes back as it came.
    case legacyRestriction(Restriction)
    /// `SET_SKILL`: set a skill to a constant (0…100).
    case setSkill(skillID: String, skillValue: Int)
    /// `SET_SKILL_FROM_OUTPUT_FIELD`: set a skill to the current value of a statistic.
    case setSkillFromOutputField(skillID: String, fromField: ConditionKey)
    /// `APPROVE_ALL_ASSIGNMENTS`: accept the Toloker's submitted assignments in the pool (manual review).
    case approveAllAssignments
    /// `REJECT_ALL_ASSIGNMENTS`: reject them.
    case rejectAllAssignments(publicComment: String?)
    /// `CHANGE_OVERLAP`: add `delta` to the suite's overlap (assessment collectors only).
    case changeOverlap(delta: Int, openPool: Bool)

    /// The action types of the Toloka API that Tally reads.
    public enum Kind: String, Sendable, CaseIterable {
        /// ``Action/restriction(_:)``.
        case restrictionV2 = "RESTRICTION_V2"
        /// ``Action/legacyRestriction(_:)``.
        case restriction = "RESTRICTION"
        /// ``Action/setSkill(skillID:skillValue:)``.
        case setSkill = "SET_SKILL"
        /// ``Action/setSkillFromOutputField(skillID:fromField:)``.
        case setSkillFromOutputField = "SET_SKILL_FROM_OUTPUT_FIELD"
        /// ``Action/approveAllAssignments``.
        case approveAllAssignments = "APPROVE_ALL_ASSIGNMENTS"
        /// ``Action/rejectAllAssignments(publicComment:)``.
        case rejectAllAssignments = "REJECT_ALL_ASSIGNMENTS"
        /// ``Action/changeOverlap(delta:openPool:)``.
        case changeOverlap = "CHANGE_OVERLAP"
    }

    /// The action's type.
    public var kind: Kind {
        switch self {
        case .restriction: return .restrictionV2
        case .legacyRestriction: return .restriction
        case .setSkill: return .setSkill
        case .setSkillFromOutputField: return .setSkillFromOutputField
        case .approveAllAssignments: return .approveAllAssignments
        case .rejectAllAssignments: return .rejectAllAssignments
        case .changeOverlap: return .changeOverlap
        }
    }

    /// The restriction, for either restriction type.
    public var restrictionValue: Restriction? {
        switch self {
        case .restriction(let r), .legacyRestriction(let r): return r
        default: return nil
        }
    }

    /// The action types the Toloka API allows with a collector of this kind: `CHANGE_OVERLAP` only
    /// with the two assessment collectors; `SET_SKILL_FROM_OUTPUT_FIELD` with `GOLDEN_SET`,
    /// `MAJORITY_VOTE`, `ACCEPTANCE_RATE`, `CAPTCHA` and `TRAINING`; restrictions and `SET_SKILL`
    /// with every per-Toloker collector; the bulk review actions with those except `TRAINING`.
    static func allowed(for collector: Collector.Kind) -> [Kind] {
        switch collector {
        case .assignmentsAssessment, .usersAssessment:
            return [.changeOverlap]
        case .goldenSet, .majorityVote, .acceptanceRate, .captcha:
            return [.restrictionV2, .restriction, .setSkill, .setSkillFromOutputField, .approveAllAssignments, .rejectAllAssignments]
        case .training:
            return [.restrictionV2, .restriction, .setSkill, .setSkillFromOutputField]
        case .answerCount, .assignmentSubmitTime, .skippedInRowAssignments, .income:
            return [.restrictionV2, .restriction, .setSkill, .approveAllAssignments, .rejectAllAssignments]
        }
    }

    enum CodingKeys: String, CodingKey { case type, parameters }
    enum ParameterKeys: String, CodingKey {
        case scope, duration
        case durationUnit = "duration_unit"
        case durationDays = "duration_days"
        case privateComment = "private_comment"
        case publicComment = "public_comment"
        case skillID = "skill_id"
        case skillValue = "skill_value"
        case fromField = "from_field"
        case delta
        case openPool = "open_pool"
    }

    /// Decodes `{"type": …, "parameters": {…}}`.
    /// - Throws: `DecodingError` for an unknown type or a missing or ill-typed parameter
    ///   (``QualityControl/decode(_:)`` reports it as a ``QualityControlError`` with its JSON path).
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, collector: nil)
    }

    /// Decodes an action, checking that `collector` accepts its type.
    init(from decoder: any Decoder, collector: Collector.Kind?) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decodeEnum(Kind.self, forKey: .type, allowed: collector.map { Action.allowed(for: $0) })
        func parameters() throws -> KeyedDecodingContainer<ParameterKeys> {
            try c.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters)
        }
        switch kind {
        case .restrictionV2:
            let p = try parameters()
            let scope = try p.decodeEnum(Restriction.Scope.self, forKey: .scope)
            let unit = try p.decodeEnum(Restriction.DurationUnit.self, forKey: .durationUnit)
            let duration = unit == .permanent
                ? try p.decodeIntIfPresent(forKey: .duration, in: 0...Int(Int32.max))
                : try p.decodeInt(forKey: .duration, in: 0...Int(Int32.max))
            let comment = try p.decodeIfPresent(String.self, forKey: .privateComment)
            self = .restriction(Restriction(scope: scope, duration: duration, unit: unit, privateComment: comment))
        case .restriction:
            let p = try parameters()
            let scope = try p.decodeEnum(Restriction.Scope.self, forKey: .scope)
            let days = try p.decodeIntIfPresent(forKey: .durationDays, in: 0...Int(Int32.max))
            let comment = try p.decodeIfPresent(String.self, forKey: .privateComment)
            self = .legacyRestriction(Restriction(scope: scope, duration: days, unit: days == nil ? .permanent : .days, privateComment: comment))
        case .setSkill:
            let p = try parameters()
            self = .setSkill(skillID: try p.decode(String.self, forKey: .skillID), skillValue: try p.decodeInt(forKey: .skillValue, in: 0...100))
        case .setSkillFromOutputField:
            let p = try parameters()
            let skill = try p.decode(String.self, forKey: .skillID)
            let allowed = collector.map { ConditionKey.allowed(for: $0).filter { $0.valueKind == .number } }
            self = .setSkillFromOutputField(skillID: skill, fromField: try p.decodeEnum(ConditionKey.self, forKey: .fromField, allowed: allowed))
        case .approveAllAssignments:
            self = .approveAllAssignments
        case .rejectAllAssignments:
            let comment = c.contains(.parameters) ? try parameters().decodeIfPresent(String.self, forKey: .publicComment) : nil
            self = .rejectAllAssignments(publicComment: comment)
        case .changeOverlap:
            let p = try parameters()
            self = .changeOverlap(delta: try p.decode(Int.self, forKey: .delta), openPool: try p.decodeIfPresent(Bool.self, forKey: .openPool) ?? false)
        }
    }

    /// Encodes the action in the shape it is read in.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind.rawValue, forKey: .type)
        switch self {
        case .restriction(let r):
            var p = c.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters)
            try p.encode(r.scope, forKey: .scope)
            try p.encodeIfPresent(r.duration, forKey: .duration)
            try p.encode(r.unit, forKey: .durationUnit)
            try p.encodeIfPresent(r.privateComment, forKey: .privateComment)
        case .legacyRestriction(let r):
            var p = c.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters)
            try p.encode(r.scope, forKey: .scope)
            if r.unit != .permanent { try p.encodeIfPresent(r.duration, forKey: .durationDays) }
            try p.encodeIfPresent(r.privateComment, forKey: .privateComment)
        case .setSkill(let skill, let value):
            var p = c.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters)
            try p.encode(skill, forKey: .skillID)
            try p.encode(value, forKey: .skillValue)
        case .setSkillFromOutputField(let skill, let field):
            var p = c.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters)
            try p.encode(skill, forKey: .skillID)
            try p.encode(field, forKey: .fromField)
        case .approveAllAssignments:
            break
        case .rejectAllAssignments(let comment):
            if let comment {
                var p = c.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters)
                try p.encode(comment, forKey: .publicComment)
            }
        case .changeOverlap(let delta, let open):
            var p = c.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters)
            try p.encode(delta, forKey: .delta)
            try p.encode(open, forKey: .openPool)
        }
    }
}

/// A restriction's parameters: scope, duration and comment.
public struct Restriction: Sendable, Equatable {
    /// Where the Toloker is barred from.
    public enum Scope: String, Sendable, Equatable, Codable, CaseIterable {
        /// This pool (the web UI's "suspend").
        case pool = "POOL"
        /// Every pool of this project.
        case project = "PROJECT"
        /// Every project of this requester.
        case allProjects = "ALL_PROJECTS"
    }

    /// The unit of ``duration``.
    public enum DurationUnit: String, Sendable, Equatable, Codable, CaseIterable {
        /// `MINUTES`, `HOURS`, `DAYS`, or `PERMANENT` (no end; the duration is ignored).
        case minutes = "MINUTES", hours = "HOURS", days = "DAYS", permanent = "PERMANENT"

        /// Seconds in one unit; infinite for `PERMANENT`.
        public var seconds: Double {
            switch self {
            case .minutes: return 60
            case .hours: return 3600
            case .days: return 86_400
            case .permanent: return .infinity
            }
        }
    }

    /// Where the Toloker is barred from.
    public var scope: Scope
    /// In ``unit``s; ignored (and may be absent) when the unit is `PERMANENT`.
    public var duration: Int?
    /// The unit of ``duration``.
    public var unit: DurationUnit
    /// A note for the requester (`private_comment`); Tolokers do not see it.
    public var privateComment: String?

    /// A restriction from `scope` for `duration` `unit`s.
    public init(scope: Scope, duration: Int?, unit: DurationUnit, privateComment: String? = nil) {
        self.scope = scope
        self.duration = duration
        self.unit = unit
        self.privateComment = privateComment
    }

    /// How long the restriction lasts, in seconds (infinite when permanent).
    public var seconds: Double {
        unit == .permanent ? .infinity : Double(duration ?? 0) * unit.seconds
    }
}
