import Foundation
import TallyCore

/// A labelling workflow in one declarative file: the original notebook's project, pool
/// (with quality control, filter and mixer) and task list.
///
/// ```json
/// {
///   "format": "tally-toloka-workflow/1",
///   "project": { …Toloka project JSON; view_spec.config may be an object… },
///   "pool": { …Toloka pool JSON without project_id… },
///   "pool_expires_in_days": 365,
///   "tasks": { "file": "tasks.tsv", "batch_size": 500 },
///   "label_field": "result",
///   "poll_interval_seconds": 60
/// }
/// ```
///
/// The task list is a TSV whose header names input fields (`INPUT:path` or `path`) and,
/// optionally, one known-solution column per output field (`GOLDEN:result`). A row with a
/// filled `GOLDEN:` cell is a control task (`known_solutions`, infinite overlap); any other row
/// is a real task that gets the pool's default overlap (`allow_defaults=true`).
public struct Workflow: Sendable {
    /// The project to create.
    public var project: Project
    /// The pool; its `project_id` is filled in when the project exists.
    public var pool: Pool
    /// When the pool has no `will_expire`: this many days after it is created.
    public var poolExpiresInDays: Double?
    /// The task list's rows, in file order.
    public var tasks: [TaskRow]
    /// Tasks per upload request (`tasks.batch_size`, 1–10,000; default 500).
    public var batchSize: Int
    /// The output field that holds the label to aggregate.
    public var labelField: String
    /// Seconds between checks of the pool while waiting for it to close (default 60).
    public var pollIntervalSeconds: Double
    /// Input field names in the order the task list gives them.
    public var inputFields: [String]
    /// A fingerprint of the workflow and its tasks: a resume refuses a changed workflow.
    var fingerprint: String
    /// Skills to look up by name, or create when missing (`skills`); the pool's JSON names them
    /// as `${skill:NAME}` and `skill_filters` by name. Empty when the workflow declares none.
    public var skills: [Skill] = []
    /// The training pool the main pool requires (`training`), nil when there is none.
    public var training: TrainingPlan?
    /// Skill conditions added (AND) to the main pool's filter (`skill_filters`).
    public var skillFilters: [SkillFilter] = []
    /// Toloka's own aggregation to fetch beside Tally's after the run (`toloka_aggregation`), nil for none.
    public var tolokaAggregation: TolokaAggregationPlan?

    /// One row of the task list.
    public struct TaskRow: Sendable, Hashable {
        /// Input field → value, typed by the project's `input_spec` (`integer`, `float`, `boolean`,
        /// `json`, … cells are parsed; others stay text).
        public var inputValues: [String: JSONValue]
        /// Known solution (output field → value) for a control task.
        public var golden: [String: JSONValue]?
        /// The line in the task file.
        public var line: Int
        /// The hint shown on a wrong answer (`HINT:text` column; training tasks), nil when empty.
        public var hint: String? = nil
    }

    /// Reads a workflow file and the task list it names (relative to the workflow's folder).
    /// Throws ``TolokaError`` (`.invalidInput`) naming the file, and line where there is one, when
    /// a file cannot be read or does not make a valid workflow.
    public static func load(_ path: String) throws -> Workflow {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TolokaError.invalidInput("\(path): cannot read the workflow file")
        }
        let json: JSONValue
        do { json = try JSONValue(parsing: data) } catch {
            throw TolokaError.invalidInput("\(path): not valid JSON: \(error.localizedDescription)")
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try Workflow(json: json, file: path) { name in
            let url = name.hasPrefix("/") ? URL(fileURLWithPath: name) : dir.appendingPathComponent(name)
            guard let d = FileManager.default.contents(atPath: url.path) else {
                throw TolokaError.invalidInput("\(url.path): cannot read the task list named in \(path)")
            }
            return (url.path, d)
        }
    }

    /// Builds a workflow from its JSON; `readFile` is given the task list's name and returns its
    /// path (for messages) and content. `file` names the workflow in error messages. Throws
    /// ``TolokaError`` (`.invalidInput`) as ``load(_:)`` does.
    public init(json: JSONValue, file: String = "workflow.json", readFile: (String) throws -> (String, Data)) throws {
        guard case .object(let root) = json else { throw TolokaError.invalidInput("\(file): the workflow must be a JSON object") }
        if let f = root["format"]?.stringValue, f != "tally-toloka-workflow/1" {
            throw TolokaError.invalidInput("\(file): unknown format '\(f)'; expected tally-toloka-workflow/1")
        }
        guard var projectJSON = root["project"]?.objectValue else { throw TolokaError.invalidInput("\(file): missing \"project\" object") }
        guard var poolJSON = root["pool"]?.objectValue else { throw TolokaError.invalidInput("\(file): missing \"pool\" object") }

        // view_spec.config may be written as an object: serialise it as toloka-kit does.
        if var spec = projectJSON["task_spec"]?.objectValue, var view = spec["view_spec"]?.objectValue, let config = view["config"], config.objectValue != nil {
            let tb = try TemplateBuilderConfig(json: config)
            let built = ViewSpec(templateBuilder: tb)
            view["config"] = .string(built.config!)
            if view["lock"] == nil { view["lock"] = try JSONValue(encoding: built.lock!) }
            if view["type"] == nil { view["type"] = "tb" }
            spec["view_spec"] = .object(view)
            projectJSON["task_spec"] = .object(spec)
        }
        do { project = try Project.decodePreservingUnknownFields(.object(projectJSON)) } catch {
            throw TolokaError.invalidInput("\(file): \"project\" is not a valid Toloka project: \(describe(error))")
        }
        if poolJSON["project_id"] == nil { poolJSON["project_id"] = "" }
        do { pool = try Pool.decodePreservingUnknownFields(.object(poolJSON)) } catch {
            throw TolokaError.invalidInput("\(file): \"pool\" is not a valid Toloka pool: \(describe(error))")
        }
        poolExpiresInDays = root["pool_expires_in_days"]?.doubleValue
        if pool.willExpire == nil && poolExpiresInDays == nil {
            throw TolokaError.invalidInput("\(file): the pool needs \"will_expire\" or the workflow \"pool_expires_in_days\"")
        }
        let outputs = project.taskSpec?.outputSpec ?? [:]
        if let l = root["label_field"]?.stringValue {
            labelField = l
        } else if outputs.count == 1 {
            labelField = outputs.keys.first!
        } else {
            throw TolokaError.invalidInput("\(file): name the output field to aggregate in \"label_field\" (output fields: \(outputs.keys.sorted().joined(separator: ", ")))")
        }
        pollIntervalSeconds = root["poll_interval_seconds"]?.doubleValue ?? 60
        guard let tasksJSON = root["tasks"]?.objectValue, let taskFile = tasksJSON["file"]?.stringValue else {
            throw TolokaError.invalidInput("\(file): missing \"tasks\": {\"file\": \"tasks.tsv\"}")
        }
        batchSize = tasksJSON["batch_size"]?.intValue ?? 500
        guard (1...10_000).contains(batchSize) else { throw TolokaError.invalidInput("\(file): tasks.batch_size must be 1…10000") }
        let (taskPath, taskData) = try readFile(taskFile)
        (tasks, inputFields) = try Workflow.readTasks(taskData, file: taskPath, inputSpec: project.taskSpec?.inputSpec ?? [:], outputSpec: outputs)
        guard !tasks.isEmpty else { throw TolokaError.invalidInput("\(taskPath): no tasks") }

        var h = FNV1a()
        h.add(json.serialized(numbers: .python))
        h.add(taskData)
        fingerprint = h.hex
        try readExtensions(root, file: file, hasher: &h, readFile: readFile)
        fingerprint = h.hex
    }

    /// The tasks in upload order (control tasks first, then real tasks, each in file order) for `poolID`.
    func uploadOrder() -> [TaskRow] {
        tasks.filter { $0.golden != nil } + tasks.filter { $0.golden == nil }
    }

    /// The task object sent for a row.
    func task(_ row: TaskRow, poolID: String) -> TolokaTask {
        if let g = row.golden {
            var t = TolokaTask(poolID: poolID, inputValues: row.inputValues, knownSolutions: [KnownSolution(outputValues: g)], infiniteOverlap: true)
            t.messageOnUnknownSolution = row.hint
            return t
        }
        return TolokaTask(poolID: poolID, inputValues: row.inputValues)
    }

    /// Upload batches: ranges of ``uploadOrder()``.
    var batches: [Range<Int>] {
        stride(from: 0, to: tasks.count, by: batchSize).map { $0..<min($0 + batchSize, tasks.count) }
    }

    static func readTasks(_ data: Data, file: String, inputSpec: [String: FieldSpec], outputSpec: [String: FieldSpec]) throws -> ([TaskRow], [String]) {
        let rows = TSV.parse(String(decoding: data, as: UTF8.self))
        guard let header = rows.first else { throw TolokaError.invalidInput("\(file): empty task list") }
        var inputs: [(Int, String)] = [], goldens: [(Int, String)] = []
        var hintColumn: Int?
        for (i, name) in header.enumerated() {
            if name == "HINT:text" { hintColumn = i }
            else if name.hasPrefix("HINT:") { continue }
            else if name.hasPrefix("GOLDEN:") { goldens.append((i, String(name.dropFirst(7)))) }
            else if name.hasPrefix("INPUT:") { inputs.append((i, String(name.dropFirst(6)))) }
            else if !name.isEmpty { inputs.append((i, name)) }
        }
        for (_, f) in inputs where !inputSpec.isEmpty && inputSpec[f] == nil {
            throw TolokaError.invalidInput("\(file): column '\(f)' is not an input field of the project (\(inputSpec.keys.sorted().joined(separator: ", ")))")
        }
        for (_, f) in goldens where !outputSpec.isEmpty && outputSpec[f] == nil {
            throw TolokaError.invalidInput("\(file): column 'GOLDEN:\(f)' is not an output field of the project (\(outputSpec.keys.sorted().joined(separator: ", ")))")
        }
        var out: [TaskRow] = []
        for (n, row) in rows.dropFirst().enumerated() {
            let line = n + 2
            if row.count == 1 && row[0].isEmpty { continue }
            guard row.count == header.count else {
                throw TolokaError.invalidInput("\(file):\(line): \(row.count) fields, expected \(header.count) as in the header")
            }
            var values: [String: JSONValue] = [:]
            for (i, f) in inputs {
                values[f] = try typed(row[i], spec: inputSpec[f], file: file, line: line, field: f)
            }
            var golden: [String: JSONValue] = [:]
            for (i, f) in goldens where !row[i].isEmpty {
                golden[f] = try typed(row[i], spec: outputSpec[f], file: file, line: line, field: "GOLDEN:" + f)
            }
            let hint = hintColumn.map { row[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            out.append(TaskRow(inputValues: values, golden: golden.isEmpty ? nil : golden, line: line, hint: hint))
        }
        return (out, inputs.map(\.1))
    }

    static func typed(_ text: String, spec: FieldSpec?, file: String, line: Int, field: String) throws -> JSONValue {
        func fail(_ expected: String) -> TolokaError { .invalidInput("\(file):\(line): field '\(field)': '\(text)' is not \(expected)") }
        switch spec?.type.lowercased() {
        case "integer": guard let v = Int64(text) else { throw fail("an integer") }; return .int(v)
        case "float": guard let v = Double(text) else { throw fail("a number") }; return .double(v)
        case "boolean":
            switch text.lowercased() { case "true", "1": return .bool(true); case "false", "0": return .bool(false); default: throw fail("true or false") }
        case let t? where t == "json" || t.hasPrefix("array_") || t == "coordinates" && text.hasPrefix("{"):
            guard let v = try? JSONValue(parsing: Data(text.utf8)) else { throw fail("JSON") }
            return v
        default: return .string(text)
        }
    }
}

/// Tab-separated text as Toloka writes it: cells holding a tab, newline or `"` are quoted with
/// inner quotes doubled.
enum TSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = ""
        var inQuotes = false, atCellStart = true
        var it = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? { if let p = pending { pending = nil; return p }; return it.next() }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let d = next() {
                        if d == "\"" { cell.unicodeScalars.append("\"") } else { inQuotes = false; pending = d }
                    } else { inQuotes = false }
                } else { cell.unicodeScalars.append(c) }
                continue
            }
            switch c {
            case "\"" where atCellStart: inQuotes = true; atCellStart = false
            case "\t": row.append(cell); cell = ""; atCellStart = true
            case "\n": row.append(cell); rows.append(row); row = []; cell = ""; atCellStart = true
            case "\r": break
            default: cell.unicodeScalars.append(c); atCellStart = false
            }
        }
        if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
        return rows
    }

    static func cell(_ s: String) -> String {
        guard s.contains(where: { $0 == "\t" || $0 == "\n" || $0 == "\"" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// 64-bit FNV-1a (a change detector, not a cryptographic hash).
struct FNV1a {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ s: String) { add(Data(s.utf8)) }
    mutating func add(_ d: Data) {
        for b in d { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
    }
    var hex: String { String(format: "%016llx", value) }
}
