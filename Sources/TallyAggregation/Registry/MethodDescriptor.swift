import TallyCore

/// The kinds of answers a method aggregates.
public enum AnswerType: String, Sendable, Codable, CaseIterable {
    /// One label out of a fixed set per answer.
    case categorical
}

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
    public enum Rows: String, Sendable { case workers = "worker", tasks = "task" }
    /// The table's name (`spamming`, `strategies`, `betas`).
    public let name: String
    /// One row per worker id, or per task id, of the fitted table.
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
public struct MethodResult: Sendable {
    /// The fitted model itself.
    public let model: any FittedModel
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
        self.model = model
        self.iterations = iterations
        self.lossHistory = lossHistory
        self.confusions = confusions
        self.tables = tables
        self.notes = notes
    }

    /// The model's label id per task.
    public var labels: [Int32] { model.labels }
    /// The model's tasks × labels probabilities.
    public var probabilities: ProbabilityMatrix { model.probabilities }
    /// The model's skill per worker, when it estimates one.
    public var skills: [Double]? { model.skills }

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
    let body: @Sendable (AnswerTable, MethodInputs, ResolvedParameters) throws -> MethodResult

    /// Describes a method; `fit` gets the answers, the inputs and every parameter resolved.
    public init(name: String, title: String, summary: String, citation: String, family: MethodFamily, crowdKitClass: String?,
                answerTypes: [AnswerType] = [.categorical], labelCounts: LabelCountSupport = .any, needsGold: Bool = false,
                parameters: [ParameterDescriptor] = [], tables: [String] = [], makesConfusions: Bool = false, makesSkills: Bool = true,
                fit: @escaping @Sendable (AnswerTable, MethodInputs, ResolvedParameters) throws -> MethodResult) {
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
        self.body = fit
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

    /// Fits the method on `answers` (the method itself refuses a label count it cannot handle).
    public func fit(_ answers: AnswerTable, inputs: MethodInputs = MethodInputs(), parameters: MethodParameters = MethodParameters()) throws -> MethodResult {
        if needsGold && inputs.gold == nil {
            throw AggregationError("\(name) needs gold labels")
        }
        return try body(answers, inputs, try resolve(parameters))
    }
}
