import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore

// The CLI's option vocabulary, one group per concern. Commands include them with @OptionGroup.

/// Options every command has.
struct CommonOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print nothing on stderr but errors.")
    var quiet = false
}

/// An answers file's layout, as `--input-format` names it (`crowdkit` is the old spelling of `crowd-kit`).
enum InputLayout: String, CaseIterable, ExpressibleByArgument {
    case auto
    case crowdKit = "crowd-kit"
    case toloka, jsonl, arrow
    case crowdkitOld = "crowdkit"

    static var allValueStrings: [String] { ["auto", "crowd-kit", "toloka", "jsonl", "arrow"] }

    var format: AnswerFormat {
        switch self {
        case .auto: return .auto
        case .crowdKit, .crowdkitOld: return .crowdkit
        case .toloka: return .toloka
        case .jsonl: return .jsonl
        case .arrow: return .arrow
        }
    }
}

/// How an answers file is read.
struct InputOptions: ParsableArguments {
    @Option(help: "Input layout: auto, crowd-kit, toloka, jsonl or arrow (Arrow IPC / Feather v2; auto knows it by extension or magic).")
    var inputFormat: InputLayout = .auto

    @Option(help: "Toloka export: the OUTPUT: column holding the label (needed if there are several).")
    var labelColumn: String?

    @Option(help: "Toloka export: the column naming a task (default: the INPUT: values joined by ' | ').")
    var taskColumn: String?

    @Flag(help: "Toloka export: keep answers of rejected assignments.")
    var includeRejected = false

    @Option(help: ArgumentHelp("Refuse answers with more than this many distinct labels (so many usually means a numeric or free-text column read as categorical).", valueName: "N"))
    var maxLabels: Int = InputOptions.defaultMaxLabels

    /// ``maxLabels``'s default.
    static let defaultMaxLabels = 1_000

    mutating func validate() throws {
        if maxLabels < 1 { throw ValidationError("--max-labels must be at least 1") }
    }

    /// Throws when `table` (read from `file`) has more than ``maxLabels`` distinct labels.
    func checkLabelCount(_ table: AnswerTable, file: String) throws {
        let k = table.labelCount
        guard k > maxLabels else { return }
        let numeric = table.labels.isNumeric ? "every one is an integer, so the column looks numeric (a rating, a count, an amount)" : "examples: \(ErrorText.list(table.labels.names, limit: 3))"
        throw InputError(.tooLarge, file: file, field: "label",
            "\(k) distinct labels, more than --max-labels \(maxLabels) (\(numeric)); so many labels usually means a numeric or free-text column read as categorical: check the label column (--label-column for a Toloka export), or give --max-labels \(k) if these really are \(k) categories")
    }

    /// The reader's options; notes a deprecated spelling on stderr.
    func readOptions(quiet: Bool) -> AnswerReadOptions {
        if inputFormat == .crowdkitOld { deprecated("--input-format crowdkit", use: "--input-format crowd-kit", quiet: quiet) }
        var options = AnswerReadOptions(format: inputFormat.format)
        options.labelColumn = labelColumn
        options.taskColumn = taskColumn
        options.includeRejected = includeRejected
        options.execution = .fromEnvironment()
        return options
    }
}

/// Method settings every command that fits methods takes: iteration limits, tolerance and crowd-kit compatibility.
struct MethodTuningOptions: ParsableArguments {
    @Option(help: "At most this many iterations (default: the method's; see `tally methods`).")
    var maxIterations: Int?

    @Option(help: "Stop when the method's convergence measure changes by less than this (default: the method's).")
    var tolerance: Double?

    @Option(help: ArgumentHelp("none (default) or crowd-kit: every method follows crowd-kit 1.4.2 where Tally differs (MACE's defects, GLAD's stopping rule, M-MSR's sign graph).", valueName: "mode"))
    var compat: Compatibility?

    mutating func validate() throws {
        if let tolerance, !tolerance.isFinite && tolerance != -.infinity {
            throw ValidationError("--tolerance must be a number")
        }
    }

    /// The values given, as parameters (each method takes those it has; see ``MethodParameters/only(_:)``).
    var parameters: MethodParameters {
        var v: [String: ParameterValue] = [:]
        if let maxIterations { v["max-iterations"] = .int(maxIterations) }
        if let tolerance { v["tolerance"] = .double(tolerance) }
        return MethodParameters(v, compatibility: compat ?? .none, execution: .fromEnvironment())
    }
}

/// `aggregate`'s options of every iterative method: ``MethodTuningOptions`` and the methods' seed.
struct IterationOptions: ParsableArguments {
    @OptionGroup var tuning: MethodTuningOptions

    @Option(help: "Seed of the methods' random starts (kos, mace, mmsr; default: the method's, 0 as in crowd-kit).")
    var seed: UInt64?

    @Option(help: .hidden)
    var iterations: Int?

    var compat: Compatibility? { tuning.compat }

    mutating func validate() throws {
        if iterations != nil && tuning.maxIterations != nil {
            throw ValidationError("--iterations is the old spelling of --max-iterations; give one")
        }
    }

    /// The shared parameter values given, for the methods that take them.
    func values(quiet: Bool) -> [String: ParameterValue] {
        if iterations != nil { deprecated("--iterations", use: "--max-iterations", quiet: quiet) }
        var v = tuning.parameters.values
        if let n = iterations { v["max-iterations"] = .int(n) }
        if let seed { v["seed"] = .unsigned(seed) }
        return v
    }
}

extension Compatibility: ExpressibleByArgument {}
extension AnswerType: ExpressibleByArgument {}
extension GLAD.Stopping: ExpressibleByArgument {}
extension MACE.Method: ExpressibleByArgument {}
extension MACE.Compatibility: ExpressibleByArgument {}
extension MMSR.SignGraph: ExpressibleByArgument {}
extension DawidSkene.EM: ExpressibleByArgument {}
extension DawidSkene.Initialization: ExpressibleByArgument {}
extension InitialConfusions.Strategy: ExpressibleByArgument {}

/// A list of methods from the registry, `--methods a,b` (or `all`); `--aggregate` is its old spelling.
struct MethodListOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Comma-separated methods (\(MethodRegistry.names.joined(separator: ", "))) or all.", valueName: "list"))
    var methods: String?

    @Option(name: .customLong("aggregate"), help: .hidden)
    var aggregateOld: String?

    mutating func validate() throws {
        if methods != nil && aggregateOld != nil { throw ValidationError("--aggregate is the old spelling of --methods; give one") }
    }

    /// The chosen methods (`fallback` when none given); `all` means the methods for which `inAll` holds.
    func chosen(default fallback: String, quiet: Bool, all inAll: (MethodDescriptor) -> Bool = { _ in true }) throws -> [MethodDescriptor] {
        if aggregateOld != nil { deprecated("--aggregate", use: "--methods", quiet: quiet) }
        return try MethodRegistry.methods(methods ?? aggregateOld ?? fallback, all: inAll)
    }
}

/// What a command's `--out-dir` is for: the option's help line, and whether the command needs it.
protocol OutputFolderRole {
    /// The `--out-dir` help line.
    static var help: String { get }
    /// Whether the command fails without a folder.
    static var isRequired: Bool { get }
}

/// The folder a command writes all its output files into (`bench`, `simulate`, `study`, `toloka run`).
enum OutputFilesFolder: OutputFolderRole {
    static let help = "The folder for the output files (made if missing)."
    static let isRequired = true
}

/// `--out-dir`, with the old folder `--out` as a hidden alias: the one declaration of both
/// spellings, their conflict check and the deprecation notice.
struct OutputFolder<Role: OutputFolderRole>: ParsableArguments {
    @Option(help: ArgumentHelp(Role.help))
    var outDir: String?

    @Option(name: .customLong("out"), help: .hidden)
    var outOld: String?

    mutating func validate() throws {
        if outDir != nil && outOld != nil { throw ValidationError("--out is the old spelling of --out-dir; give one") }
        if Role.isRequired && outDir == nil && outOld == nil { throw ValidationError("Missing expected argument '--out-dir <out-dir>'") }
    }

    /// The folder given under either spelling, or nil; notes the deprecated one.
    func given(quiet: Bool) -> String? {
        if let outOld {
            deprecated("--out (a folder)", use: "--out-dir", quiet: quiet)
            return outOld
        }
        return outDir
    }
}

/// The required `--out-dir` of the commands that write a folder of files.
typealias OutputFolderOptions = OutputFolder<OutputFilesFolder>

extension OutputFolder where Role == OutputFilesFolder {
    /// The folder; notes the deprecated spelling.
    func folder(quiet: Bool) -> String { given(quiet: quiet) ?? "." }
}

/// The kind of answers a file holds, as `--answer-type` names it (`tally aggregate`).
struct AnswerTypeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The kind of answers: \(AnswerType.allCases.map(\.rawValue).joined(separator: ", ")) (default: pairwise when the header is worker, left, right, label; else categorical).", valueName: "type"))
    var answerType: AnswerType?
}
