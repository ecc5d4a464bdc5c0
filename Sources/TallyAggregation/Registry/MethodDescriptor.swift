import TallyCore

/// How many distinct labels a method handles.
public enum LabelCountSupport: String, Sendable, Codable, CaseIterable {
    /// Any number of labels.
    case any
    /// Exactly two labels (a binary task).
    case two

    /// Whether answers with `count` distinct labels can be aggregated.
    public func allows(_ count: Int) -> Bool { self == .any || count == 2 }
}

/// Groups methods in listings and in `--help`.
public enum MethodFamily: String, Sendable, Codable, CaseIterable {
    /// Majority vote and its weighted variants (mv, wawa, zbs, gold-mv).
    case votes = "Votes"
    /// Confusion-matrix EM (ds, onecoin-ds).
    case dawidSkene = "Dawid-Skene"
    /// Belief propagation between tasks and workers (kos).
    case messagePassing = "Message passing"
    /// Abilities and difficulties (glad).
    case glad = "GLAD"
    /// Knowing or spamming workers (mace).
    case mace = "MACE"
    /// Rank-one matrix completion (mmsr).
    case mmsr = "M-MSR"
    /// Scores and rankings from pairwise comparisons (bt, noisy-bt).
    case pairwise = "Pairwise"
    /// Truth inference for numeric answers (mean, median, catd, pm, lfc-n).
    case numeric = "Numeric"
    /// Transcriptions aggregated word by word (rover).
    case texts = "Texts"
    /// Label sets aggregated one tag at a time (binary-relevance).
    case multiLabel = "Multi-label"
}

/// Which reference behaviour a method follows where Tally and crowd-kit differ.
public enum Compatibility: String, Sendable, Codable, CaseIterable {
    /// Tally's own defaults.
    case none
    /// crowd-kit 1.4.2's behaviour, defects included, for parity with published numbers.
    case crowdKit = "crowd-kit"
}

/// A hyper-parameter value.
public enum ParameterValue: Sendable, Equatable, CustomStringConvertible {
    /// A count (iterations, restarts).
    case int(Int)
    /// A seed.
    case unsigned(UInt64)
    /// A real number (tolerances).
    case double(Double)
    /// One of the parameter's ``ParameterDescriptor/choices``.
    case string(String)
    /// On or off.
    case flag(Bool)

    /// The value as the CLI spells it.
    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .unsigned(let v): return String(v)
        case .double(let v): return String(v)
        case .string(let v): return v
        case .flag(let v): return v ? "true" : "false"
        }
    }

    /// The value's type name, for listings and errors.
    public var typeName: String {
        switch self {
        case .int, .unsigned: return "integer"
        case .double: return "number"
        case .string: return "choice"
        case .flag: return "flag"
        }
    }
}

/// One hyper-parameter of a method: the one place its default lives.
public struct ParameterDescriptor: Sendable {
    /// The name, as the CLI option spells it (`max-iterations`, `seed`, …).
    public let name: String
    /// One line.
    public let summary: String
    /// The value when none is given.
    public let defaultValue: ParameterValue
    /// The allowed values of a choice parameter.
    public let choices: [String]?
    /// The value under ``Compatibility/crowdKit`` when the parameter is not given (nil: the default).
    public let crowdKitValue: ParameterValue?

    /// A parameter called `name` with its one-line `summary` and default.
    public init(_ name: String, _ summary: String, default defaultValue: ParameterValue, choices: [String]? = nil, crowdKit: ParameterValue? = nil) {
        self.name = name
        self.summary = summary
        self.defaultValue = defaultValue
        self.choices = choices
        self.crowdKitValue = crowdKit
    }
}

extension ParameterDescriptor {
    /// `max-iterations`: the one name every iterative method gives its iteration limit.
    public static func maxIterations(_ defaultValue: Int, _ summary: String = "At most this many EM iterations.") -> ParameterDescriptor {
        ParameterDescriptor("max-iterations", summary, default: .int(defaultValue))
    }

    /// `tolerance`: the one name every method with a convergence test gives its threshold.
    public static func tolerance(_ defaultValue: Double, _ summary: String) -> ParameterDescriptor {
        ParameterDescriptor("tolerance", summary, default: .double(defaultValue))
    }

    /// `seed`: the one name of every method's random seed.
    public static func seed(_ defaultValue: UInt64, _ summary: String) -> ParameterDescriptor {
        ParameterDescriptor("seed", summary, default: .unsigned(defaultValue))
    }
}

/// Parameter values chosen by a caller: only the ones given; the rest take their defaults.
public struct MethodParameters: Sendable {
    /// Values by parameter name.
    public var values: [String: ParameterValue]
    /// Switches parameters with a ``ParameterDescriptor/crowdKitValue`` to it (unless given).
    public var compatibility: Compatibility
    /// Threads, kernel choice and iteration timing for the fit (not a hyper-parameter: results do not depend on it).
    public var execution: ExecutionSettings

    /// Parameter values, the compatibility mode for those not given, and how to use the machine.
    public init(_ values: [String: ParameterValue] = [:], compatibility: Compatibility = .none,
                execution: ExecutionSettings = ExecutionSettings()) {
        self.values = values
        self.compatibility = compatibility
        self.execution = execution
    }

    /// These values without those `method` does not take (for settings given to several methods at once).
    public func only(_ method: MethodDescriptor) -> MethodParameters {
        MethodParameters(values.filter { method.takes($0.key) }, compatibility: compatibility, execution: execution)
    }
}

/// What a method fits from besides the answers.
public struct MethodInputs: Sendable {
    /// Gold labels (task, label): needed by methods with ``MethodDescriptor/needsGold``, used by some (ds's clamp-gold).
    public var gold: GoldLabels?
    /// Fixed worker weights (mv).
    public var weights: WorkerSkills?
    /// Workers without a known skill (mv with weights, gold-mv); nil for the method's default.
    public var onMissingSkill: MissingSkillPolicy?
    /// Confusion counts or matrices to start from (ds), or a saved fit to resume from (ds, onecoin-ds).
    public var initialConfusions: InitialConfusions?
    /// Called after every EM iteration with (iteration, loss), where the method reports it.
    public var progress: (@Sendable (Int, Double) -> Void)?

    /// The inputs; each defaults to none.
    public init(gold: GoldLabels? = nil, weights: WorkerSkills? = nil, onMissingSkill: MissingSkillPolicy? = nil,
                initialConfusions: InitialConfusions? = nil, progress: (@Sendable (Int, Double) -> Void)? = nil) {
        self.gold = gold
        self.weights = weights
        self.onMissingSkill = onMissingSkill
        self.initialConfusions = initialConfusions
        self.progress = progress
    }
}

/// A per-worker or per-task table a method estimates besides labels (MACE's spamming, GLAD's betas…).
public struct MethodTable: Sendable {
    /// What a row is; the raw value names the key column when written.
    public enum Rows: String, Sendable { case workers = "worker", tasks = "task", items = "item" }
    /// The table's name (`spamming`, `strategies`, `betas`).
    public let name: String
    /// One row per worker id, per task id, or per item id (of pairwise answers) of the fitted table.
    public let rows: Rows
    /// Column names.
    public let columns: [String]
    /// Row-major, `rows × columns.count`.
    public let values: [Double]

    /// A table of `values`, row-major.
    public init(name: String, rows: Rows, columns: [String], values: [Double]) {
        self.name = name
        self.rows = rows
        self.columns = columns
        self.values = values
    }
}

/// What fitting any method gives: one shape for every caller.
///
/// A categorical method gives its fitted ``model`` (labels, probabilities, skills); a method of
/// another answer type gives no such model and fills the output of its kind instead:
/// ``itemScores`` (pairwise), ``taskValues`` (numeric), ``taskTexts`` (text) or
/// ``taskLabelSets`` (multi-label), each indexed by the ids of the answers it was fitted on.
public struct MethodResult: Sendable {
    /// The fitted categorical model; nil for methods of other answer types.
    public let model: (any FittedModel)?
    /// Pairwise methods: a score per item id of the ``PairwiseAnswers`` (higher ranks first).
    public var itemScores: [Double]?
    /// Numeric methods: the estimated value per task id of the ``NumericAnswers``.
    public var taskValues: [Double]?
    /// Text methods: the aggregated text per task id of the ``TextAnswers``.
    public var taskTexts: [String]?
    /// Multi-label methods: the chosen label ids (into ``MultiLabelAnswers/labels``, ascending)
    /// per task id.
    public var taskLabelSets: [[Int32]]?
    /// Per-worker values of non-categorical methods (NoisyBT's skills), by worker id.
    public var workerSkills: [Double]?
    /// Iterations run (or, for methods without a convergence test, the iterations asked for).
    public var iterations: Int?
    /// The loss after each iteration, for methods that track one.
    public var lossHistory: [Double]?
    /// Per-worker confusion matrices (Dawid-Skene family).
    public var confusions: ConfusionMatrices?
    /// Further estimated tables, by name.
    public var tables: [MethodTable]
    /// Lines for the person at the terminal (stderr), in order.
    public var notes: [String]

    /// A result around `model`; the rest default to none.
    public init(model: any FittedModel, iterations: Int? = nil, lossHistory: [Double]? = nil, confusions: ConfusionMatrices? = nil,
                tables: [MethodTable] = [], notes: [String] = []) {
        self.init(categorical: model, iterations: iterations, lossHistory: lossHistory, confusions: confusions, tables: tables, notes: notes)
    }

    /// A result of a method of another answer type: set the output of its kind (``itemScores``,
    /// ``taskValues``, ``taskTexts`` or ``taskLabelSets``) on it.
    public init(iterations: Int? = nil, lossHistory: [Double]? = nil, tables: [MethodTable] = [], notes: [String] = []) {
        self.init(categorical: nil, iterations: iterations, lossHistory: lossHistory, confusions: nil, tables: tables, notes: notes)
    }

    private init(categorical model: (any FittedModel)?, iterations: Int?, lossHistory: [Double]?, confusions: ConfusionMatrices?,
                 tables: [MethodTable], notes: [String]) {
        self.model = model
        self.iterations = iterations
        self.lossHistory = lossHistory
        self.confusions = confusions
        self.tables = tables
        self.notes = notes
    }

    /// The model's label id per task (empty for methods of other answer types).
    public var labels: [Int32] { model?.labels ?? [] }
    /// The model's tasks × labels probabilities (0 × 0 for methods of other answer types).
    public var probabilities: ProbabilityMatrix { model?.probabilities ?? ProbabilityMatrix(rows: 0, columns: 0) }
    /// The model's skill per worker, when it estimates one (or ``workerSkills`` of other kinds).
    public var skills: [Double]? { model?.skills ?? workerSkills }

    /// The table called `name`, if the method made one.
    public func table(_ name: String) -> MethodTable? { tables.first { $0.name == name } }
}

/// Parameter values with the defaults filled in, as a method's fit reads them.
public struct ResolvedParameters: Sendable {
    /// Every parameter's value.
    public let values: [String: ParameterValue]
    /// The compatibility mode they were resolved under.
    public let compatibility: Compatibility
    /// Threads, kernel choice and iteration timing (``MethodParameters/execution``).
    public let execution: ExecutionSettings

    /// An integer parameter (the descriptor guarantees the type).
    public func int(_ name: String) -> Int {
        switch values[name] {
        case .int(let v)?: return v
        case .unsigned(let v)?: return Int(clamping: v)
        default: preconditionFailure("parameter \(name) is not an integer")
        }
    }

    /// A seed parameter.
    public func unsigned(_ name: String) -> UInt64 {
        switch values[name] {
        case .unsigned(let v)?: return v
        case .int(let v)?: return UInt64(max(0, v))
        default: preconditionFailure("parameter \(name) is not an integer")
        }
    }

    /// A real parameter (an integer given for it is converted).
    public func double(_ name: String) -> Double {
        switch values[name] {
        case .double(let v)?: return v
        case .int(let v)?: return Double(v)
        default: preconditionFailure("parameter \(name) is not a number")
        }
    }

    /// A flag parameter.
    public func flag(_ name: String) -> Bool {
        if case .flag(let v)? = values[name] { return v }
        preconditionFailure("parameter \(name) is not a flag")
    }

    /// A choice parameter as its enum.
    public func choice<E: RawRepresentable>(_ name: String, _ type: E.Type = E.self) -> E where E.RawValue == String {
        guard case .string(let s)? = values[name], let e = E(rawValue: s) else { preconditionFailure("parameter \(name) is not a valid choice") }
        return e
    }
}

/// One aggregation method, described once: what it is, what it takes, and how to fit it.
public struct MethodDescriptor: Sendable {
    /// The CLI name (`mv`, `ds`, …).
    public let name: String
    /// The method's usual name.
    public let title: String
    /// One line.
    public let summary: String
    /// The paper.
    public let citation: String
    /// The --help and listing group.
    public let family: MethodFamily
    /// The crowd-kit class with the same algorithm, if there is one.
    public let crowdKitClass: String?
    /// The answer types it aggregates.
    public let answerTypes: [AnswerType]
    /// The label counts it handles.
    public let labelCounts: LabelCountSupport
    /// Whether fitting needs ``MethodInputs/gold``.
    public let needsGold: Bool
    /// Its hyper-parameters, each with its default.
    public let parameters: [ParameterDescriptor]
    /// Names of the ``MethodResult/tables`` it makes.
    public let tables: [String]
    /// Whether it makes ``MethodResult/confusions``.
    public let makesConfusions: Bool
    /// Whether it estimates one skill per worker (``MethodResult/skills``); Dawid-Skene, IBCC and
    /// KOS do not, and `tally aggregate --skills` refuses them.
    public let makesSkills: Bool
    /// Fits categorical answers (nil for methods that take none).
    let body: (@Sendable (AnswerTable, MethodInputs, ResolvedParameters) throws -> MethodResult)?
    /// Fits answers of the other kinds the method lists (nil for categorical-only methods).
    let answersBody: (@Sendable (Answers, MethodInputs, ResolvedParameters) throws -> MethodResult)?

    /// Describes a method; `fit` gets the answers, the inputs and every parameter resolved.
    public init(name: String, title: String, summary: String, citation: String, family: MethodFamily, crowdKitClass: String?,
                answerTypes: [AnswerType] = [.categorical], labelCounts: LabelCountSupport = .any, needsGold: Bool = false,
                parameters: [ParameterDescriptor] = [], tables: [String] = [], makesConfusions: Bool = false, makesSkills: Bool = true,
                fit: @escaping @Sendable (AnswerTable, MethodInputs, ResolvedParameters) throws -> MethodResult) {
        self.init(name: name, title: title, summary: summary, citation: citation, family: family, crowdKitClass: crowdKitClass,
                  answerTypes: answerTypes, labelCounts: labelCounts, needsGold: needsGold, parameters: parameters, tables: tables,
                  makesConfusions: makesConfusions, makesSkills: makesSkills, body: fit, answersBody: nil)
    }

    /// Describes a method of any answer types: `accepts` lists the kinds it takes (the registry
    /// and every command refuse the others) and `fit` gets ``Answers`` of one of those kinds.
    /// A method that also takes categorical answers receives them as ``Answers/categorical(_:)``.
    public init(name: String, title: String, summary: String, citation: String, family: MethodFamily, crowdKitClass: String?,
                accepts answerTypes: [AnswerType], needsGold: Bool = false, parameters: [ParameterDescriptor] = [], tables: [String] = [],
                makesSkills: Bool = false,
                fit: @escaping @Sendable (Answers, MethodInputs, ResolvedParameters) throws -> MethodResult) {
        self.init(name: name, title: title, summary: summary, citation: citation, family: family, crowdKitClass: crowdKitClass,
                  answerTypes: answerTypes, labelCounts: .any, needsGold: needsGold, parameters: parameters, tables: tables,
                  makesConfusions: false, makesSkills: makesSkills, body: nil, answersBody: fit)
    }

    private init(name: String, title: String, summary: String, citation: String, family: MethodFamily, crowdKitClass: String?,
                 answerTypes: [AnswerType], labelCounts: LabelCountSupport, needsGold: Bool, parameters: [ParameterDescriptor], tables: [String],
                 makesConfusions: Bool, makesSkills: Bool,
                 body: (@Sendable (AnswerTable, MethodInputs, ResolvedParameters) throws -> MethodResult)?,
                 answersBody: (@Sendable (Answers, MethodInputs, ResolvedParameters) throws -> MethodResult)?) {
        self.name = name
        self.title = title
        self.summary = summary
        self.citation = citation
        self.family = family
        self.crowdKitClass = crowdKitClass
        self.answerTypes = answerTypes
        self.labelCounts = labelCounts
        self.needsGold = needsGold
        self.parameters = parameters
        self.tables = tables
        self.makesConfusions = makesConfusions
        self.makesSkills = makesSkills
        self.body = body
        self.answersBody = answersBody
    }

    /// The parameter called `name`.
    public func parameter(_ name: String) -> ParameterDescriptor? { parameters.first { $0.name == name } }

    /// Whether the method has a parameter called `name`.
    public func takes(_ name: String) -> Bool { parameter(name) != nil }

    /// Every parameter's value: given, else crowd-kit's under ``Compatibility/crowdKit``, else the default.
    /// Throws for a name the method does not take, a value of the wrong type or an unknown choice.
    public func resolve(_ given: MethodParameters) throws -> ResolvedParameters {
        for (name, value) in given.values {
            guard let p = parameter(name) else {
                throw AggregationError("\(self.name) has no parameter '\(name)'; it takes \(parameters.isEmpty ? "none" : parameters.map(\.name).joined(separator: ", "))")
            }
            let compatible: Bool
            switch (p.defaultValue, value) {
            case (.int, .int), (.int, .unsigned), (.unsigned, .unsigned), (.unsigned, .int), (.double, .double), (.double, .int), (.string, .string), (.flag, .flag):
                compatible = true
            default:
                compatible = false
            }
            guard compatible else { throw AggregationError("\(self.name): parameter '\(name)' takes a \(p.defaultValue.typeName), got '\(value)'") }
            if let choices = p.choices, case .string(let s) = value, !choices.contains(s) {
                throw AggregationError("\(self.name): parameter '\(name)' must be one of \(choices.joined(separator: ", ")); got '\(s)'")
            }
        }
        var values: [String: ParameterValue] = [:]
        for p in parameters {
            values[p.name] = given.values[p.name] ?? (given.compatibility == .crowdKit ? p.crowdKitValue : nil) ?? p.defaultValue
        }
        return ResolvedParameters(values: values, compatibility: given.compatibility, execution: given.execution)
    }

    /// Fits the method on categorical `answers` (the method itself refuses a label count it
    /// cannot handle).
    ///
    /// - Throws: ``AggregationError`` when the method takes no categorical answers.
    public func fit(_ answers: AnswerTable, inputs: MethodInputs = MethodInputs(), parameters: MethodParameters = MethodParameters()) throws -> MethodResult {
        try fit(.categorical(answers), inputs: inputs, parameters: parameters)
    }

    /// Whether the method takes answers of kind `type`.
    public func accepts(_ type: AnswerType) -> Bool { answerTypes.contains(type) }

    /// Fits the method on answers of any kind it takes.
    ///
    /// - Throws: ``AggregationError`` when the method does not take the answers' kind (naming the
    ///   kinds it takes), or needs gold labels that are not given.
    public func fit(_ answers: Answers, inputs: MethodInputs = MethodInputs(), parameters: MethodParameters = MethodParameters()) throws -> MethodResult {
        guard accepts(answers.type) else {
            let takes = answerTypes.map(\.rawValue).joined(separator: ", ")
            throw AggregationError("\(name) aggregates \(takes) answers; the input holds \(answers.type.rawValue) answers (choose a method for \(answers.type.rawValue) answers: \(MethodRegistry.all.filter { $0.accepts(answers.type) }.map(\.name).joined(separator: ", ").nonEmpty ?? "none yet"))")
        }
        if needsGold && inputs.gold == nil {
            throw AggregationError("\(name) needs gold labels")
        }
        let resolved = try resolve(parameters)
        if case .categorical(let table) = answers, let body { return try body(table, inputs, resolved) }
        guard let answersBody else { throw AggregationError("\(name) cannot fit \(answers.type.rawValue) answers") }
        return try answersBody(answers, inputs, resolved)
    }
}

extension String {
    /// The string, or nil when it is empty.
    var nonEmpty: String? { isEmpty ? nil : self }
}
