import Foundation
import TallyCore

/// An object of Toloka's API that keeps the fields Tally does not model.
///
/// Decoding with ``decodePreservingUnknownFields(_:)`` fills `unknownFields` with every key not
/// in `CodingKeys`; ``preservingJSON()`` writes them back. Plain `JSONDecoder` ignores them.
protocol TolokaObject: Codable, Sendable {
    associatedtype CodingKeys: CodingKey & CaseIterable
    var unknownFields: [String: JSONValue] { get set }
}

extension TolokaObject {
    /// Decodes the object and keeps its unknown fields.
    static func decodePreservingUnknownFields(_ json: JSONValue) throws -> Self {
        var object = try json.decode(Self.self)
        if case .object(let o) = json {
            let known = Set(CodingKeys.allCases.map(\.stringValue))
            object.unknownFields = o.filter { !known.contains($0.key) }
        }
        return object
    }

    /// The object's JSON including its unknown fields (a modelled field wins over an unknown one).
    func preservingJSON() throws -> JSONValue {
        var json = try JSONValue(encoding: self)
        if case .object(var o) = json, !unknownFields.isEmpty {
            for (k, v) in unknownFields where o[k] == nil { o[k] = v }
            json = .object(o)
        }
        return json
    }
}

/// The requester account behind a credential, as `GET /v1/requester` returns it.
public struct Requester: Codable, Sendable, Hashable {
    /// The company the account belongs to.
    public struct Company: Codable, Sendable, Hashable {
        /// The company id.
        public var id: String?
        /// The id of the company's superintendent account.
        public var superintendentID: String?
        enum CodingKeys: String, CodingKey { case id; case superintendentID = "superintendent_id" }
    }
    /// The account id (32 hex digits).
    public var id: String
    /// The account balance, in US dollars.
    public var balance: Decimal?
    /// The public name by language (`EN` → `Jack Smith`).
    public var publicName: [String: String]?
    /// The company, for company accounts.
    public var company: Company?
    enum CodingKeys: String, CodingKey {
        case id, balance, company
        case publicName = "public_name"
    }
}

/// The owner of a project, pool or assignment.
public struct Owner: Codable, Sendable, Hashable {
    /// The owner's account id.
    public var id: String?
    /// True when the owner is the account behind the credential.
    public var myself: Bool?
    /// The owner's company id.
    public var companyID: String?
    enum CodingKeys: String, CodingKey { case id, myself; case companyID = "company_id" }
}

/// One input or output field's spec in a project's `task_spec`.
public struct FieldSpec: Codable, Sendable, Hashable {
    /// `string`, `url`, `integer`, `float`, `boolean`, `json`, `file`, `coordinates`, `array_*`.
    public var type: String
    /// Whether a value must be given (Toloka's default: true).
    public var required: Bool?
    /// Whether the field is hidden from Tolokers (Toloka's default: false).
    public var hidden: Bool?
    /// `string`: the shortest allowed length.
    public var minLength: Int?
    /// `string`: the longest allowed length.
    public var maxLength: Int?
    /// `integer`, `float`: the smallest allowed value.
    public var minValue: JSONValue?
    /// `integer`, `float`: the largest allowed value.
    public var maxValue: JSONValue?
    /// `string`, `integer`, `boolean`: the only values accepted.
    public var allowedValues: [JSONValue]?
    /// `array_*`: the fewest items.
    public var minSize: Int?
    /// `array_*`: the most items.
    public var maxSize: Int?
    /// `coordinates`: fill in the Toloker's current location.
    public var currentLocation: Bool?

    /// A field of `type`, required and visible unless told otherwise.
    public init(type: String, required: Bool? = true, hidden: Bool? = false) {
        self.type = type; self.required = required; self.hidden = hidden
    }

    enum CodingKeys: String, CodingKey {
        case type, required, hidden
        case minLength = "min_length", maxLength = "max_length", minValue = "min_value", maxValue = "max_value"
        case allowedValues = "allowed_values", minSize = "min_size", maxSize = "max_size", currentLocation = "current_location"
    }
}

/// `task_spec.view_spec` (how tasks look to Tolokers): a template-builder (`tb`) or
/// `classic` view.
public struct ViewSpec: Codable, Sendable, Hashable {
    /// Which parts of Toloka's task page are shown; every flag is optional (nil: not sent).
    public struct Settings: Codable, Sendable, Hashable {
        /// Show the skip button, timer, title, submit button, full-screen button, instructions,
        /// finish button, message box and reward.
        public var showSkip, showTimer, showTitle, showSubmit, showFullscreen, showInstructions, showFinish, showMessage, showReward: Bool?
        /// Settings; flags left nil are not sent.
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
    /// Component type → version (`core` and every non-`data.*` component used in `config`).
    public var lock: [String: String]?
    /// True: the server derives the input and output specs from the config's `data.*` references.
    public var inferDataSpec: Bool?
    /// Which parts of the task page are shown.
    public var settings: Settings?
    /// Classic views: the HTML markup.
    public var markup: String?
    /// Classic views: the JavaScript.
    public var script: String?
    /// Classic views: the CSS.
    public var styles: String?
    /// Classic views: `{style_urls, script_urls}`, kept as JSON.
    public var assets: JSONValue?

    /// A view spec from its parts (`config` already serialised as JSON text).
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

/// `task_spec`: a project's input fields, output fields and view.
public struct TaskSpec: Codable, Sendable, Hashable {
    /// Input field name → spec (what each task carries, e.g. `path`: `url`).
    public var inputSpec: [String: FieldSpec]
    /// Output field name → spec (what a Toloker answers, e.g. `result`: `string`).
    public var outputSpec: [String: FieldSpec]
    /// How tasks look.
    public var viewSpec: ViewSpec?
    /// A task spec.
    public init(inputSpec: [String: FieldSpec], outputSpec: [String: FieldSpec], viewSpec: ViewSpec?) {
        self.inputSpec = inputSpec; self.outputSpec = outputSpec; self.viewSpec = viewSpec
    }
    enum CodingKeys: String, CodingKey { case inputSpec = "input_spec", outputSpec = "output_spec", viewSpec = "view_spec" }
}

/// A project: the task interface (`task_spec`) and instructions that pools of tasks share.
/// Decoded projects keep the fields Tally does not model in `unknownFields` and send them back.
public struct Project: TolokaObject, Codable, Sendable, Hashable {
    /// The project id, set by the server (nil before creation).
    public var id: String?
    /// The name Tolokers see (required).
    public var publicName: String
    /// The description Tolokers see (required).
    public var publicDescription: String
    /// Instructions for Tolokers (HTML allowed).
    public var publicInstructions: String?
    /// A note only the requester sees.
    public var privateComment: String?
    /// Input and output fields and the view.
    public var taskSpec: TaskSpec?
    /// `AUTOMATED` (the default) or `MAP_SELECTOR`.
    public var assignmentsIssuingType: String?
    /// Whether answers to identical tasks are merged.
    public var assignmentsAutomergeEnabled: Bool?
    /// The most assignments a Toloker may hold at once in this project.
    public var maxActiveAssignmentsCount: Int?
    /// Project-level quality control, kept as JSON (the same shape as a pool's).
    public var qualityControl: JSONValue?
    /// `{default_language, additional_languages}`, kept as JSON.
    public var localizationConfig: JSONValue?
    /// Free-form metadata: key → values.
    public var metadata: [String: [String]]?
    /// `ACTIVE` or `ARCHIVED` (read-only).
    public var status: String?
    /// When the project was created (read-only; Toloka's date-time text, UTC).
    public var created: String?
    /// The requester account that owns the project (read-only).
    public var owner: Owner?
    /// Fields of the project's JSON that Tally does not model, kept as read and sent back on
    /// creation.
    public var unknownFields: [String: JSONValue] = [:]

    /// A project with the fields Toloka requires; assignments are issued `AUTOMATED` unless set.
    public init(publicName: String, publicDescription: String, publicInstructions: String? = nil, taskSpec: TaskSpec? = nil,
                assignmentsIssuingType: String? = "AUTOMATED") {
        self.publicName = publicName; self.publicDescription = publicDescription; self.publicInstructions = publicInstructions
        self.taskSpec = taskSpec; self.assignmentsIssuingType = assignmentsIssuingType
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, status, created, owner, metadata
        case publicName = "public_name", publicDescription = "public_description", publicInstructions = "public_instructions"
        case privateComment = "private_comment", taskSpec = "task_spec", assignmentsIssuingType = "assignments_issuing_type"
        case assignmentsAutomergeEnabled = "assignments_automerge_enabled", maxActiveAssignmentsCount = "max_active_assignments_count"
        case qualityControl = "quality_control", localizationConfig = "localization_config"
    }

    /// The project as sent on creation: read-only fields (`id`, `status`, `created`, `owner`) left out.
    func creationJSON() throws -> JSONValue {
        var copy = self
        copy.id = nil; copy.status = nil; copy.created = nil; copy.owner = nil
        return try copy.preservingJSON()
    }
}
