import Foundation
import TallyCore

/// The optional workflow keys for skills, a training pool and Toloka's own aggregation:
///
/// ```json
/// {
///   "skills": [ { "name": "Speaker gender accuracy", "hidden": true } ],
///   "training": {
///     "training": { "private_name": "Training", "assignment_max_duration_seconds": 600,
///                   "training_tasks_in_task_suite_count": 2, "task_suites_required_to_pass": 5 },
///     "tasks": { "file": "training.tsv" },
///     "passing_skill_value": 70
///   },
///   "skill_filters": [ { "skill": "Speaker gender accuracy", "operator": "GTE", "value": 60 } ],
///   "toloka_aggregation": { "type": "DAWID_SKENE" }
/// }
/// ```
///
/// Skills are looked up by name and created when missing; any string `${skill:NAME}` in the
/// pool's JSON (e.g. a `SET_SKILL_FROM_OUTPUT_FIELD` rule's `skill_id`) becomes that skill's id.
/// The training's task list has the main list's columns, a `GOLDEN:` answer on every row and an
/// optional `HINT:text` column (`message_on_unknown_solution`); the main pool gets
/// `quality_control.training_requirement` with the training's id and `passing_skill_value`.
extension Workflow {
    /// A training pool declared by the workflow (`training`).
    public struct TrainingPlan: Sendable {
        /// The training as Toloka's JSON (its `project_id` is filled in when the project exists).
        public var training: Training
        /// The training tasks (each with a known answer, optionally a hint), in file order.
        public var tasks: [TaskRow]
        /// The training skill value (0–100) a Toloker needs to enter the main pool.
        public var passingSkillValue: Int
        /// Whether the training is closed once the main pool has closed (default true).
        public var closeAfterRun: Bool
    }

    /// A skill condition on the main pool (`skill_filters` item).
    public struct SkillFilter: Sendable, Hashable {
        /// The skill's name, as declared in `skills`.
        public var skill: String
        /// `EQ`, `NE`, `GT`, `GTE`, `LT` or `LTE`.
        public var `operator`: String
        /// The value compared with (nil with `EQ`: "has no value of the skill").
        public var value: Double?
    }

    /// Toloka's aggregation of the main pool, fetched after the run (`toloka_aggregation`).
    public struct TolokaAggregationPlan: Sendable, Hashable {
        /// `DAWID_SKENE` or `WEIGHTED_DYNAMIC_OVERLAP` (Toloka's two types; others are refused when the file is read).
        public var type: String
        /// The output field aggregated (default: the workflow's `label_field`).
        public var field: String
        /// The declared skill whose values weigh answers (`WEIGHTED_DYNAMIC_OVERLAP`), by name.
        public var answerWeightSkill: String?
    }

    /// The file holding Toloka's aggregation (`task`, `label`, `confidence`) in the output folder.
    public static let tolokaAggregationFile = "toloka_labels.tsv"

    /// The `${skill:NAME}` placeholders in `json`, in the order met.
    static func skillPlaceholders(in json: JSONValue) -> [String] {
        switch json {
        case .string(let s): return skillName(s).map { [$0] } ?? []
        case .array(let a): return a.flatMap(skillPlaceholders)
        case .object(let o): return o.keys.sorted().flatMap { skillPlaceholders(in: o[$0]!) }
        default: return []
        }
    }

    /// `NAME` when `s` is `${skill:NAME}`.
    static func skillName(_ s: String) -> String? {
        guard s.hasPrefix("${skill:"), s.hasSuffix("}"), s.count > 9 else { return nil }
        return String(s.dropFirst(8).dropLast())
    }

    /// `json` with every `${skill:NAME}` string replaced by `ids[NAME]`.
    static func substitutingSkills(_ json: JSONValue, _ ids: [String: String]) -> JSONValue {
        switch json {
        case .string(let s): return skillName(s).flatMap { ids[$0] }.map(JSONValue.string) ?? json
        case .array(let a): return .array(a.map { substitutingSkills($0, ids) })
        case .object(let o): return .object(o.mapValues { substitutingSkills($0, ids) })
        default: return json
        }
    }

    /// Reads `skills`, `training`, `skill_filters` and `toloka_aggregation`; the training's task
    /// list goes into the fingerprint. Absent keys leave the workflow (and its fingerprint) as before.
    mutating func readExtensions(_ root: [String: JSONValue], file: String, hasher h: inout FNV1a,
                                 readFile: (String) throws -> (String, Data)) throws {
        if let list = root["skills"] {
            guard let items = list.arrayValue else { throw TolokaError.invalidInput("\(file): \"skills\" must be a list of skill objects") }
            for (i, item) in items.enumerated() {
                guard item.objectValue != nil, let name = item["name"]?.stringValue, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw TolokaError.invalidInput("\(file): skills[\(i)] must be an object with a non-empty \"name\"")
                }
                let skill: Skill
                do { skill = try Skill.decodePreservingUnknownFields(item) } catch {
                    throw TolokaError.invalidInput("\(file): skills[\(i)] is not a valid Toloka skill: \(describe(error))")
                }
                if skills.contains(where: { $0.name == name }) { throw TolokaError.invalidInput("\(file): skills[\(i)]: the skill '\(name)' is declared twice") }
                skills.append(skill)
            }
        }
        let declared = Set(skills.map(\.name))
        func requireDeclared(_ name: String, _ where_: String) throws {
            guard declared.contains(name) else {
                throw TolokaError.invalidInput("\(file): \(where_) names the skill '\(name)', which \"skills\" does not declare (declared: \(declared.sorted().joined(separator: ", ")))")
            }
        }
        if let poolJSON = root["pool"] {
            for name in Self.skillPlaceholders(in: poolJSON) { try requireDeclared(name, "\"pool\" (${skill:\(name)})") }
        }
        if let list = root["skill_filters"] {
            guard let items = list.arrayValue else { throw TolokaError.invalidInput("\(file): \"skill_filters\" must be a list") }
            let operators: Set<String> = ["EQ", "NE", "GT", "GTE", "LT", "LTE"]
            for (i, item) in items.enumerated() {
                guard let name = item["skill"]?.stringValue else { throw TolokaError.invalidInput("\(file): skill_filters[\(i)] needs \"skill\": the name of a declared skill") }
                try requireDeclared(name, "skill_filters[\(i)]")
                let op = item["operator"]?.stringValue ?? "GTE"
                guard operators.contains(op) else { throw TolokaError.invalidInput("\(file): skill_filters[\(i)].operator '\(op)' is not one of \(operators.sorted().joined(separator: ", "))") }
                let value = item["value"]?.doubleValue
                if let v = value, !(0...100).contains(v) { throw TolokaError.invalidInput("\(file): skill_filters[\(i)].value must be 0…100; got \(v)") }
                if value == nil && op != "EQ" { throw TolokaError.invalidInput("\(file): skill_filters[\(i)] needs a \"value\" (0…100) with \(op)") }
                skillFilters.append(SkillFilter(skill: name, operator: op, value: value))
            }
        }
        if let t = root["training"] {
            training = try Self.readTraining(t, file: file, project: project, hasher: &h, readFile: readFile)
        }
        if let a = root["toloka_aggregation"] {
            guard a.objectValue != nil else { throw TolokaError.invalidInput("\(file): \"toloka_aggregation\" must be an object such as {\"type\": \"DAWID_SKENE\"}") }
            let type = a["type"]?.stringValue ?? "DAWID_SKENE"
            guard AggregationRequest.types.contains(type) else {
                throw TolokaError.invalidInput("\(file): toloka_aggregation.type '\(type)' is not one of Toloka's aggregation types (\(AggregationRequest.types.joined(separator: ", "))); Toloka has no plain majority vote: WEIGHTED_DYNAMIC_OVERLAP weighted by a skill (answer_weight_skill) is its closest")
            }
            let field = a["field"]?.stringValue ?? labelField
            let outputs = project.taskSpec?.outputSpec ?? [:]
            if !outputs.isEmpty && outputs[field] == nil {
                throw TolokaError.invalidInput("\(file): toloka_aggregation.field '\(field)' is not an output field of the project (\(outputs.keys.sorted().joined(separator: ", ")))")
            }
            let weight = a["answer_weight_skill"]?.stringValue
            if let weight { try requireDeclared(weight, "toloka_aggregation.answer_weight_skill") }
            if type == "WEIGHTED_DYNAMIC_OVERLAP" && weight == nil {
                throw TolokaError.invalidInput("\(file): toloka_aggregation of type WEIGHTED_DYNAMIC_OVERLAP needs \"answer_weight_skill\" (a declared skill's name)")
            }
            tolokaAggregation = TolokaAggregationPlan(type: type, field: field, answerWeightSkill: weight)
        }
    }

    static func readTraining(_ json: JSONValue, file: String, project: Project, hasher h: inout FNV1a,
                             readFile: (String) throws -> (String, Data)) throws -> TrainingPlan {
        guard json.objectValue != nil else { throw TolokaError.invalidInput("\(file): \"training\" must be an object") }
        guard var body = json["training"]?.objectValue else {
            throw TolokaError.invalidInput("\(file): training needs a \"training\" object (Toloka's training JSON without project_id)")
        }
        if body["project_id"] == nil { body["project_id"] = "" }
        let training: Training
        do { training = try Training.decodePreservingUnknownFields(.object(body)) } catch {
            throw TolokaError.invalidInput("\(file): training.training is not a valid Toloka training: \(describe(error))")
        }
        guard training.privateName?.isEmpty == false else { throw TolokaError.invalidInput("\(file): training.training needs \"private_name\"") }
        guard training.assignmentMaxDurationSeconds != nil else { throw TolokaError.invalidInput("\(file): training.training needs \"assignment_max_duration_seconds\"") }
        guard let perSuite = training.trainingTasksInTaskSuiteCount, perSuite >= 1 else {
            throw TolokaError.invalidInput("\(file): training.training needs \"training_tasks_in_task_suite_count\" (1 or more)")
        }
        guard let passing = json["passing_skill_value"]?.intValue, (0...100).contains(passing) else {
            throw TolokaError.invalidInput("\(file): training needs \"passing_skill_value\": the training score (0…100) that admits a Toloker to the pool")
        }
        guard let taskFile = json["tasks"]?["file"]?.stringValue else {
            throw TolokaError.invalidInput("\(file): training needs \"tasks\": {\"file\": \"training.tsv\"}")
        }
        let (path, data) = try readFile(taskFile)
        let outputs = project.taskSpec?.outputSpec ?? [:]
        let (rows, _) = try readTasks(data, file: path, inputSpec: project.taskSpec?.inputSpec ?? [:], outputSpec: outputs)
        guard !rows.isEmpty else { throw TolokaError.invalidInput("\(path): no training tasks") }
        if let row = rows.first(where: { $0.golden == nil }) {
            throw TolokaError.invalidInput("\(path):\(row.line): a training task needs its known answer in a GOLDEN: column")
        }
        if rows.count < perSuite {
            throw TolokaError.invalidInput("\(path): \(rows.count) training tasks, fewer than one suite of training_tasks_in_task_suite_count = \(perSuite)")
        }
        h.add("training")
        h.add(data)
        return TrainingPlan(training: training, tasks: rows, passingSkillValue: passing, closeAfterRun: json["close_after_run"]?.boolValue ?? true)
    }

    /// The training task sent for a row: its known answer and hint, infinite overlap.
    func trainingTask(_ row: TaskRow, trainingID: String) -> TolokaTask {
        task(row, poolID: trainingID)
    }

    /// The main pool's filter with the declared skill conditions added, `ids` giving each skill's id.
    func filterWithSkills(_ filter: Filter?, ids: [String: String]) -> Filter? {
        guard !skillFilters.isEmpty else { return filter }
        var out = filter
        for f in skillFilters {
            let condition = Filter.skill(ids[f.skill] ?? f.skill, f.operator, f.value)
            out = out.map { $0.and(.or([condition])) } ?? .and([.or([condition])])
        }
        return out
    }
}

extension Workflow {
    /// Reads ``tolokaAggregationFile`` as written by a run: task name → Toloka's label. Throws
    /// ``TolokaError`` (`.invalidInput`, with the file and line) when it is not that file.
    public static func readTolokaLabels(_ path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TolokaError.invalidInput("\(path): cannot read") }
        let rows = TSV.parse(String(decoding: data, as: UTF8.self))
        guard rows.first?.prefix(2) == ["task", "label"] else { throw TolokaError.invalidInput("\(path):1: expected the header task, label, confidence") }
        var out: [String: String] = [:]
        for (n, row) in rows.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
            guard row.count >= 2 else { throw TolokaError.invalidInput("\(path):\(n + 2): \(row.count) field, expected task, label, confidence") }
            out[row[0]] = row[1]
        }
        return out
    }
}
