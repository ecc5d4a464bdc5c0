import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore

/// The aggregation methods the CLI offers.
enum Method: String, CaseIterable, ExpressibleByArgument {
    case mv, wawa, zbs
    case goldMV = "gold-mv"
    case ds
    case oneCoinDS = "onecoin-ds"
    case kos
    case glad
    case mace
    case mmsr
}

extension GLAD.Stopping: ExpressibleByArgument {}
extension MACE.Method: ExpressibleByArgument {}
extension MACE.Compatibility: ExpressibleByArgument {}

extension MMSR.SignGraph: ExpressibleByArgument {}
extension DawidSkene.EM: ExpressibleByArgument {}
extension DawidSkene.Initialization: ExpressibleByArgument {}
extension InitialConfusions.Strategy: ExpressibleByArgument {}

enum MissingSkillChoice: String, CaseIterable, ExpressibleByArgument {
    case error, ignore, value, mean
}

struct Aggregate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Aggregate crowd answers into one label per task.",
        discussion: """
            FILE holds one answer per row (- reads standard input). Its layout is \
            taken from the header unless --input-format says:
              crowdkit  TSV/CSV with columns task, worker (or performer), label
              toloka    Toloka's TSV export: INPUT:*, OUTPUT:*, GOLDEN:*,
                        ASSIGNMENT:worker_id, ASSIGNMENT:status
              jsonl     one {"task": …, "worker": …, "label": …} per line

            Methods:
              mv       majority vote (weighted with --weights FILE)
              wawa     vote weighted by agreement with majority vote
              zbs      zero-based skill: iterated weighted vote
              gold-mv  vote weighted by accuracy on gold tasks (--gold, or
                       GOLDEN: cells of an export); workers with no gold
                       answer vote with the others' mean skill
              ds       Dawid-Skene EM, a confusion matrix per worker
                       (crowd-kit's DawidSkene; --confusions writes them)
              onecoin-ds  Dawid-Skene with one skill per worker
              kos      Karger-Oh-Shah message passing (two labels only)
              glad     GLAD: worker abilities and task difficulties (--skills
                       writes the abilities, --betas the task parameters)
              mace     MACE: each worker knows or spams with a strategy
                       (--spamming, --strategies; --skills: P(knows));
                       --mace-compat crowd-kit reproduces crowd-kit 1.4.2's
                       defective MACE (for its published numbers)
              mmsr     M-MSR: skills from a robust rank-one fit of the
                       workers' agreement matrix, then a weighted vote

            Ties go to the first label: numeric order if every label is an \
            integer, otherwise Unicode order (as crowd-kit under pandas 2).

            Examples:
              tally aggregate datasets/toy/answers.tsv --method mv \\
                --out labels.tsv --probabilities probabilities.tsv
              tally aggregate export.tsv --label-column OUTPUT:gender \\
                --method gold-mv --out labels.json
              cat answers.csv | tally aggregate - --method wawa --format csv
              tally aggregate answers.tsv --method ds --max-iterations 20 \\
                --out labels.tsv --confusions confusions.tsv
            """
    )

    @Argument(help: "Answers file (TSV, CSV, Toloka export or JSONL), or - for stdin.")
    var file: String

    @Option(help: "Aggregation method: \(Method.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: Method = .mv

    @Option(help: "Where to write task labels (- for stdout).")
    var out: String = "-"

    @Option(help: "Also write per-task label probabilities (one column per label) here.")
    var probabilities: String?

    @Option(help: "Also write per-worker skills here.")
    var skills: String?

    @Option(help: "Output format: tsv, csv or json (default: from --out's extension, else tsv).")
    var format: OutputFormat?

    @Option(help: "Gold labels (task, label): used by gold-mv, and scored against when given.")
    var gold: String?

    @Option(help: "Input layout: auto, crowdkit, toloka or jsonl.")
    var inputFormat: AnswerFormat = .auto

    @Option(help: "Toloka export: the OUTPUT: column holding the label (needed if there are several).")
    var labelColumn: String?

    @Option(help: "Toloka export: the column naming a task (default: the INPUT: values joined by ' | ').")
    var taskColumn: String?

    @Flag(help: "Toloka export: keep answers of rejected assignments.")
    var includeRejected = false

    @Option(help: "mv: weight votes by these worker skills (worker, skill).")
    var weights: String?

    @Option(help: "mv with --weights, gold-mv: workers without a skill: error, ignore, value (--default-skill) or mean.")
    var onMissingSkill: MissingSkillChoice?

    @Option(help: "The skill used with --on-missing-skill value.")
    var defaultSkill: Double?

    @Option(help: "zbs, kos: number of iterations (default 100); mace: EM iterations per restart (default 50).")
    var iterations: Int?

    @Option(help: "kos: seed of the random starting messages; mace: master seed of the restarts (with --mace-compat crowd-kit: numpy's random_state, crowd-kit's, default 0 as in crowd-kit); mmsr: numpy's random_state of the start (crowd-kit's).")
    var seed: UInt64 = 0

    @Option(help: "mace: random restarts (each seeded differently); the most likely is kept. With --mace-compat crowd-kit they all start alike (crowd-kit's n_restarts), so one is computed.")
    var restarts: Int = 10

    @Option(help: "mace: vb (variational Bayes, crowd-kit's default) or em.")
    var maceMethod: MACE.Method = .variational

    @Option(help: ArgumentHelp("mace: none (default: the correct model) or crowd-kit (reproduce crowd-kit 1.4.2's MACE exactly, defects included, to re-derive tables published with it such as JOSS 2024's: --seed is its random_state and every restart starts from it, so the restarts are identical; expected counts are paired with workers and labels by sorted name, so results depend on how workers are named; raw probabilities, so tasks with thousands of answers underflow to NaN). Not for labelling data.", valueName: "mode"))
    var maceCompat: MACE.Compatibility = .none

    @Option(help: "mmsr: the sign graph: crowd-kit (default, for parity: worker pairs with no common task count as disagreeing) or observed-pairs (the paper's: only pairs that share tasks; more accurate on most data sets).")
    var signGraph: MMSR.SignGraph = .crowdKit

    @Option(help: "mace: also write each worker's spamming probabilities (worker, spamming, knowing) here.")
    var spamming: String?

    @Option(help: "mace: also write each worker's spamming strategy (worker, one column per label) here.")
    var strategies: String?

    @Option(help: "ds, onecoin-ds, glad: at most this many EM iterations.")
    var maxIterations: Int = 100

    @Option(help: "ds, onecoin-ds: stop when the loss (ELBO per answer) improves by less than this; glad: see --stopping.")
    var tolerance: Double = 1e-5

    @Option(help: ArgumentHelp("glad: when EM stops: relative (default: the objective's relative change is at most --tolerance) or crowd-kit (crowd-kit 1.4.2's check, for parity: stop once the objective per answer improves by less than --tolerance, a decrease included; its first check compares with an unnormalised value and never stops).", valueName: "rule"))
    var stopping: GLAD.Stopping = .relativeChange

    @Option(help: "glad: conjugate-gradient iterations per M-step (crowd-kit: 25).")
    var mStepIterations: Int = 25

    @Option(help: "glad: M-step stops when no gradient component exceeds this (crowd-kit: 0.01).")
    var mStepTolerance: Double = 1e-2

    @Option(help: "glad: also write each task's difficulty parameter beta (task, beta; e^beta is the inverse difficulty) here.")
    var betas: String?

    @Flag(help: "ds: hold the --gold tasks at their gold labels during EM (crowd-kit's true_labels).")
    var clampGold = false

    @Option(help: "ds: start from these confusion counts or matrices (worker, label, one column per true label).")
    var initialError: String?

    @Option(help: "ds: how --initial-error enters the first M-step: assign or addition (default).")
    var initialErrorStrategy: InitialConfusions.Strategy?

    @Option(help: "ds: soft (classic EM, crowd-kit), hard (one-hot posteriors), or hybrid (Fast Dawid-Skene: soft, then hard).")
    var em: DawidSkene.EM = .soft

    @Option(help: "ds: start from mv (majority-vote shares, crowd-kit) or spectral (one-coin skills from the workers' agreement rates).")
    var initialization: DawidSkene.Initialization = .majorityVote

    @Option(help: "ds, onecoin-ds: also write each worker's confusion matrix here.")
    var confusions: String?

    @Flag(name: .shortAndLong, help: "Print nothing on stderr but errors.")
    var quiet = false

    mutating func validate() throws {
        if onMissingSkill == .value && defaultSkill == nil {
            throw ValidationError("--on-missing-skill value needs --default-skill")
        }
        if defaultSkill != nil && onMissingSkill != .value {
            throw ValidationError("--default-skill is used only with --on-missing-skill value")
        }
        if weights != nil && method != .mv {
            throw ValidationError("--weights applies to --method mv only")
        }
        if !tolerance.isFinite && tolerance != -.infinity {
            throw ValidationError("--tolerance must be a number")
        }
        if initialErrorStrategy != nil && initialError == nil {
            throw ValidationError("--initial-error-strategy needs --initial-error")
        }
        if (clampGold || initialError != nil || em != .soft || initialization != .majorityVote) && method != .ds {
            throw ValidationError("--clamp-gold, --initial-error, --em and --initialization apply to --method ds only")
        }
        if (spamming != nil || strategies != nil) && method != .mace {
            throw ValidationError("--spamming and --strategies apply to --method mace only")
        }
        if maceCompat != .none && method != .mace {
            throw ValidationError("--mace-compat applies to --method mace only")
        }
        if signGraph != .crowdKit && method != .mmsr {
            throw ValidationError("--sign-graph applies to --method mmsr only")
        }
        if betas != nil && method != .glad {
            throw ValidationError("--betas applies to --method glad only")
        }
        if confusions != nil && method != .ds && method != .oneCoinDS {
            throw ValidationError("--confusions applies to --method ds and onecoin-ds")
        }
    }

    func run() throws {
        try reportingErrors { try execute() }
    }

    private func execute() throws {
        do {
            let start = ContinuousClock.now
            let progress = ProgressLine("reading \(file)", quiet: quiet)
            let execution = ExecutionSettings.fromEnvironment()
            var options = AnswerReadOptions(format: inputFormat)
            options.execution = execution
            options.labelColumn = labelColumn
            options.taskColumn = taskColumn
            options.includeRejected = includeRejected
            if progress.enabled { options.progress = { progress.update($0, $1) } }
            let input = try AnswerReader.read(file, options: options)
            progress.finish()
            let table = input.table
            var summary = "read \(table.answerCount) answers: \(table.taskCount) tasks, \(table.workerCount) workers, \(table.labelCount) labels (\(seconds(since: start)))"
            if !input.skipped.isEmpty {
                summary += "; left out " + input.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            }
            note(summary, quiet: quiet)
            if table.duplicates.pairs > 0, let ex = table.duplicates.example {
                note("warning: \(table.duplicates.pairs) (task, worker) pairs answered more than once (\(table.duplicates.extraAnswers) extra answers; first: task '\(ex.task)', worker '\(ex.worker)'); all answers are kept", quiet: quiet)
            }

            var goldLabels: GoldLabels? = input.gold
            if let gold { goldLabels = try GoldReader.read(gold) }

            let fitStart = ContinuousClock.now
            let iterationLine = ProgressLine(method.rawValue, quiet: quiet)
            var onIteration: (@Sendable (Int, Double) -> Void)?
            if iterationLine.enabled {
                let name = method.rawValue
                onIteration = { @Sendable i, loss in iterationLine.message("\(name): iteration \(i), loss \(loss)") }
            }
            let model: any FittedModel
            var confusionTable: ConfusionMatrices?
            var extraOutputs: [(bytes: (OutputFormat) -> [UInt8], path: String)] = []
            switch method {
            case .mv:
                let w = try weights.map { try WorkerSkills.read($0) }
                model = try MajorityVote(skills: w, onMissingSkill: policy(default: .error)).fit(table)
            case .wawa:
                model = try Wawa().fit(table)
            case .zbs:
                model = try ZeroBasedSkill(iterations: iterations ?? 100).fit(table)
            case .kos:
                model = try KOS(iterations: iterations ?? 100, seed: seed).fit(table)
            case .mmsr:
                let m = try MMSR(seed: seed, signGraph: signGraph, execution: execution).fit(table)
                note("mmsr: \(m.iterationsRun) rounds, \(m.observedPairs) worker pairs" + (m.workersWithoutCoworkers > 0 ? ", \(m.workersWithoutCoworkers) workers without co-workers (skill 0)" : ""), quiet: quiet)
                if m.signsFromMajorityVote {
                    note("mmsr: the sign graph's eigenvector did not settle (residual \(String(format: "%.1e", m.signResidual))); signs taken from agreement with majority vote", quiet: quiet)
                }
                model = m
            case .mace:
                let m = try MACE(restarts: restarts, iterations: iterations ?? 50, method: maceMethod, seed: seed, execution: execution, compatibility: maceCompat).fit(table)
                if maceCompat == .crowdKit {
                    note("mace: crowd-kit 1.4.2 compatibility (its defects included; random_state \(seed)): \(m.restartLogLikelihoods.count) identical restarts, log-likelihood \(String(format: "%.6f", m.logLikelihood))", quiet: quiet)
                    if m.underflowTasks > 0 {
                        note("warning: \(m.underflowTasks) tasks underflowed to 0 for every label (as in crowd-kit): their probabilities are NaN and their label is meaningless", quiet: quiet)
                    }
                } else {
                    note("mace: restart \(m.bestRestart + 1) of \(m.restartLogLikelihoods.count) kept, log-likelihood \(String(format: "%.6f", m.logLikelihood))", quiet: quiet)
                }
                if let spamming {
                    extraOutputs.append(({ ResultWriter.columns("worker", keys: table.workers, columns: ["spamming", "knowing"], values: m.spamming.values, format: $0) }, spamming))
                }
                if let strategies {
                    extraOutputs.append(({ ResultWriter.columns("worker", keys: table.workers, columns: table.labels.names, values: m.strategies.values, format: $0) }, strategies))
                }
                model = m
            case .goldMV:
                guard let goldLabels else {
                    throw AggregationError("gold-mv needs gold labels: give --gold FILE, or an export with GOLDEN: columns")
                }
                let m = try GoldMajorityVote(gold: goldLabels, onMissingSkill: policy(default: .mean)).fit(table)
                if m.workersWithoutSkill > 0 {
                    note("\(m.workersWithoutSkill) workers have no golden answer; they voted with \(describe(policy(default: .mean)))", quiet: quiet)
                }
                model = m
            case .glad:
                let m = try GLAD(maxIterations: maxIterations, tolerance: tolerance, stopping: stopping, mStepMaxIterations: mStepIterations, mStepTolerance: mStepTolerance, execution: execution).fit(table)
                note("glad: \(m.iterations) iterations (\(m.mStepIterations) conjugate-gradient steps, \(m.evaluations) passes), loss \(m.lossHistory.last.map { String(format: "%.9f", $0) } ?? "-")", quiet: quiet)
                if let betas {
                    extraOutputs.append(({ ResultWriter.columns("task", keys: table.tasks, columns: ["beta"], values: m.betas, format: $0) }, betas))
                }
                model = m
            case .ds, .oneCoinDS:
                let m: DawidSkeneModel
                if method == .ds {
                    let initial = try initialError.map { try InitialConfusions.read($0, strategy: initialErrorStrategy ?? .addition) }
                    if clampGold && goldLabels == nil {
                        throw AggregationError("--clamp-gold needs gold labels: give --gold FILE, or an export with GOLDEN: columns")
                    }
                    m = try DawidSkene(maxIterations: maxIterations, tolerance: tolerance, trueLabels: clampGold ? goldLabels : nil,
                                       initialConfusions: initial, em: em, initialization: initialization, progress: onIteration, execution: execution).fit(table)
                } else {
                    m = try OneCoinDawidSkene(maxIterations: maxIterations, tolerance: tolerance, progress: onIteration, execution: execution).fit(table)
                }
                iterationLine.finish()
                if m.unusableGoldTasks > 0 {
                    note("warning: \(m.unusableGoldTasks) gold tasks name a label no worker gave; they were not clamped", quiet: quiet)
                }
                let priors = zip(table.labels.names, m.priors).map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
                note("\(method.rawValue): \(m.iterations) iterations, loss \(m.lossHistory.last.map { String(format: "%.9f", $0) } ?? "-"); priors \(priors)", quiet: quiet)
                confusionTable = m.confusions
                model = m
            }
            if let m = model as? VoteModel, m.tasksWithZeroWeight > 0 {
                note("warning: \(m.tasksWithZeroWeight) tasks had only zero-weight votes; they are scored by plain vote shares", quiet: quiet)
            }
            note("\(method.rawValue): fitted in \(seconds(since: fitStart))", quiet: quiet)

            // Render every output, then write them all or none.
            let outFormat = format ?? OutputFormat(pathExtensionOf: out) ?? .tsv
            var outputs: [(bytes: [UInt8], path: String)] = [(ResultWriter.labels(table, model.labels, format: outFormat), out)]
            if let probabilities {
                let f = format ?? OutputFormat(pathExtensionOf: probabilities) ?? .tsv
                outputs.append((ResultWriter.probabilities(table, model.probabilities, format: f), probabilities))
            }
            if let skills, let values = model.skills {
                let f = format ?? OutputFormat(pathExtensionOf: skills) ?? .tsv
                outputs.append((ResultWriter.skills(table, values, format: f), skills))
            }
            if let confusions, let c = confusionTable {
                let f = format ?? OutputFormat(pathExtensionOf: confusions) ?? .tsv
                outputs.append((ResultWriter.confusions(table, values: c.values, observed: c.observed, format: f), confusions))
            }
            for extra in extraOutputs {
                outputs.append((extra.bytes(format ?? OutputFormat(pathExtensionOf: extra.path) ?? .tsv), extra.path))
            }
            try AtomicFile.write(outputs)
            if let goldLabels {
                let e = Evaluation(labels: model.labels, of: table, gold: goldLabels)
                let caveat = method == .goldMV ? " — the same gold gold-mv weighted workers by, so not an independent estimate" : ""
                note(String(format: "accuracy on %d gold tasks: %.4f (macro-F1 %.4f)", e.scored, e.accuracy, e.macroF1) + caveat, quiet: quiet)
            }
        }
    }

    private func policy(default fallback: MissingSkillPolicy) -> MissingSkillPolicy {
        switch onMissingSkill {
        case nil: return fallback
        case .error: return .error
        case .ignore: return .ignore
        case .value: return .value(defaultSkill ?? 0)
        case .mean: return .mean
        }
    }

    private func describe(_ p: MissingSkillPolicy) -> String {
        switch p {
        case .error: return "an error"
        case .ignore: return "no weight (their answers were left out)"
        case .value(let v): return "skill \(v)"
        case .mean: return "the mean skill of the others"
        }
    }
}
