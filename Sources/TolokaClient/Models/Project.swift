import Foundation
import TallyCore

/// An object of Toloka's API that keeps the fields Tally does not model.
///
/// Decoding with ``decodePreservingUnknownFields(_:)`` fills `unknownFields` with every key not
/// in `CodingKeys`; ``preservingJSON()`` writes them back. Plain `JSONDecoder` ignores them.
public protocol TolokaObject: Codable, Sendable {
    associatedtype CodingKeys: CodingKey & CaseIterable
    var unknownFields: [String: JSONValue] { get set }
}

extension TolokaObject {
    /// Decodes the object and keeps its unknown fields.
    public static func decodePreservingUnknownFields(_ json: JSONValue) throws -> Self {
        var object = try json.decode(Self.self)
        if case .object(let o) = json {
            let known = Set(CodingKeys.allCases.map(\.stringValue))
            object.unknownFields = o.filter { !known.contains($0.key) }
        }
        return object
    }

    /// The object's JSON including its unknown fields (a modelled field wins over an unknown one).
    public func preservingJSON() throws -> JSONValue {
        var json = try JSONValue(encoding: self)
        if case .object(var o) = json, !unknownFields.isEmpty {
            for (k, v) in unknownFields where o[k] == nil { o[k] = v }
            json = .object(o)
        }
        return json
    }
}

/// `GET /api/v1/requester` (spec §2).
public struct Requester: Codable, Sendable, Hashable {
    public struct Company: Codable, Sendable, Hashable {
        public var id: String?
        public var superintendentID: String?
        enum CodingKeys: String, CodingKey { case id; case superintendentID = "superintendent_id" }
    }
    public var id: String
    public var balance: Decimal?
    public var publicName: [String: String]?
    public var company: Company?
    enum CodingKeys: String, CodingKey {
        case id, balance, company
        case publicName = "public_name"
    }
}

/// The owner of a project, pool or assignment.
public struct Owner: Codable, Sendable, Hashable {
    public var id: String?
    public var myself: Bool?
    public var companyID: String?
    enum CodingKeys: String, CodingKey { case id, myself; case companyID = "company_id" }
}

/// One input or output field's spec (spec §3.2).
public struct FieldSpec: Codable, Sendable, Hashable {
    /// `string`, `url`, `integer`, `float`, `boolean`, `json`, `file`, `coordinates`, `array_*`.
    public var type: String
    public var required: Bool?
    public var hidden: Bool?
    public var minLength: Int?
    public var maxLength: Int?
    public var minValue: JSONValue?
    public var maxValue: JSONValue?
    public var allowedValues: [JSONValue]?
    public var minSize: Int?
    public var maxSize: Int?
    public var currentLocation: Bool?

    public init(type: String, required: Bool? = true, hidden: Bool? = false) {
        self.type = type; self.required = required; self.hidden = hidden
    }

    enum CodingKeys: String, CodingKey {
        case type, required, hidden
        case minLength = "min_length", maxLength = "max_length", minValue = "min_value", maxValue = "max_value"
        case allowedValues = "allowed_values", minSize = "min_size", maxSize = "max_size", currentLocation = "current_location"
    }
}

/// `task_spec.view_spec` (spec §3.3): a template-builder (`tb`) or classic view.
public struct ViewSpec: Codable, Sendable, Hashable {
    public struct Settings: Codable, Sendable, Hashable {
        public var showSkip, showTimer, showTitle, showSubmit, showFullscreen, showInstructions, showFinish, showMessage, showReward: Bool?
        public init(showSkip: Bool? = nil, showTimer: Bool? = nil, showTitle: Bool? = nil, showSubmit: Bool? = nil, showFullscreen: Bool? = nil,
                    showInstructions: Bool? = nil, showFinish: Bool? = nil, showMessage: Bool? = nil, showReward: Bool? = nil) {
            self.showSkip = showSkip; self.showTimer = showTimer; self.showTitle = showTitle; self.showSubmit = showSubmit
            self.showFullscreen = showFullscreen; self.showInstructions = showInstructions; self.showFinish = showFinish
            self.showMessage = showMessage; self.showReward = showReward
        }
    }
    /// `tb` or `classic`.
    public var type: String?
    /// The template-builder config serialised as a JSON string.
    public var config: String?
    public var lock: [String: String]?
    public var inferDataSpec: Bool?
    public var settings: Settings?
    public var markup: String?
    public var script: String?
    public var styles: String?
    public var assets: JSONValue?

    public init(type: String? = "tb", config: String? = nil, lock: [String: String]? = nil, inferDataSpec: Bool? = nil, settings: Settings? = nil) {
        self.type = type; self.config = config; self.lock = lock; self.inferDataSpec = inferDataSpec; self.settings = settings
    }

    /// A template-builder view of `config`, with every component pinned to 1.0.0 in `lock` as
    /// toloka-kit does.
    public init(templateBuilder config: TemplateBuilderConfig, settings: Settings? = nil, inferDataSpec: Bool? = false) {
        var lock = ["core": "1.0.0"]
        for t in config.componentTypes where !t.hasPrefix("data.") { lock[t] = "1.0.0" }
        self.init(type: "tb", config: config.serialized(), lock: lock, inferDataSpec: inferDataSpec, settings: settings)
    }

    /// The parsed template-builder config (nil for classic views or unparsable text).
    public var templateBuilderConfig: TemplateBuilderConfig? {
        guard let config, let json = try? JSONValue(parsing: Data(config.utf8)) else { return nil }
        return try? TemplateBuilderConfig(json: json)
    }
}

/// `task_spec`.
public struct TaskSpec: Codable, Sendable, Hashable {
    public var inputSpec: [String: FieldSpec]
    public var outputSpec: [String: FieldSpec]
    public var viewSpec: ViewSpec?
    public init(inputSpec: [String: FieldSpec], outputSpec: [String: FieldSpec], viewSpec: ViewSpec?) {
        self.inputSpec = inputSpec; self.outputSpec = outputSpec; self.viewSpec = viewSpec
    }
    enum CodingKeys: String, CodingKey { case inputSpec = "input_spec", outputSpec = "output_spec", viewSpec = "view_spec" }
}

/// A project (spec §3.1).
public struct Project: TolokaObject, Hashable {
    public var id: String?
    public var publicName: String
    public var publicDescription: String
    public var publicInstructions: String?
    public var privateComment: String?
    public var taskSpec: TaskSpec?
    public var assignmentsIssuingType: String?
    public var assignmentsAutomergeEnabled: Bool?
    public var maxActiveAssignmentsCount: Int?
    public var qualityControl: JSONValue?
    public var localizationConfig: JSONValue?
    public var metadata: [String: [String]]?
    public var status: String?
    public var created: String?
    public var owner: Owner?
    public var unknownFields: [String: JSONValue] = [:]

    public init(publicName: String, publicDescription: String, publicInstructions: String? = nil, taskSpec: TaskSpec? = nil,
                assignmentsIssuingType: String? = "AUTOMATED") {
        self.publicName = publicName; self.publicDescription = publicDescription; self.publicInstructions = publicInstructions
        self.taskSpec = taskSpec; self.assignmentsIssuingType = assignmentsIssuingType
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case id, status, created, owner, metadata
        case publicName = "public_name", publicDescription = "public_description", publicInstructions = "public_instructions"
        case privateComment = "private_comment", taskSpec = "task_spec", assignmentsIssuingType = "assignments_issuing_type"
        case assignmentsAutomergeEnabled = "assignments_automerge_enabled", maxActiveAssignmentsCount = "max_active_assignments_count"
        case qualityControl = "quality_control", localizationConfig = "localization_config"
    }

    /// The project as sent on creation: read-only fields (`id`, `status`, `created`, `owner`) left out.
    public func creationJSON() throws -> JSONValue {
        var copy = self
        copy.id = nil; copy.status = nil; copy.created = nil; copy.owner = nil
        return try copy.preservingJSON()
    }
}
