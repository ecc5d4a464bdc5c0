import ArgumentParser
import Foundation
import TallyAggregation
import TallyCore

struct Aggregate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Aggregate crowd answers into one label per task.",
        discussion: """
            FILE holds one answer per row (- reads standard input). Its layout is \
            taken from the header unless --input-format says:
              crowd-kit TSV/CSV with columns task, worker (or performer), label
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
                       --compat crowd-kit reproduces crowd-kit 1.4.2's
                       defective MACE (for its published numbers)
              mmsr     M-MSR: skills from a robust rank-one fit of the
                       workers' agreement matrix, then a weighted vote

            `tally methods` lists every method with its parameters and defaults. \
            --compat crowd-kit makes every method follow crowd-kit 1.4.2 where Tally differs.

            Ties go to the first label: numeric order if every label is an \
            integer, otherwise Unicode order (as crowd-kit under pandas 2).

            Other kinds of answers (--answer-type; pairwise is detected from its \
            header worker, left, right, label) go to the methods that take them \
            (`tally methods` lists each method's answer types) and write: \
            pairwise `item, score` (highest first), numeric `task, value`, \
            multi-label `task, labels` (a JSON list), text `task, text`.

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

    @Option(help: ArgumentHelp("Aggregation method: \(MethodRegistry.names.joined(separator: ", ")).", valueName: "method"))
    var method: String = "mv"

    @Option(help: "Where to write task labels (- for stdout).")
    var out: String = "-"

    @Option(help: "Also write per-task label probabilities (one column per label) here.")
    var probabilities: String?

    @Option(help: "Also write per-worker skills here.")
    var skills: String?

    @Option(help: "Also write a per-worker report here: answers, confusion-matrix trace, Raykar & Yu's spammer score (0: answers independent of the truth, 1: perfect) and the distance to the nearest rank-one (spammer) confusion matrix; from the method's confusion matrices (ds, onecoin-ds, ibcc), else from its posteriors.")
    var workerReport: String?

    @Option(help: "bwa: also write each worker's precision per label (worker, one column per label) here.")
    var precisions: String?

    @Option(help: "Output format: tsv, csv or json (default: from --out's extension, else tsv).")
    var format: OutputFormat?

    @Option(help: "Gold labels (task, label): used by gold-mv, and scored against when given.")
    var gold: String?

    @Option(name: .customLong("param"), help: ArgumentHelp(
        "Any parameter of the method by its registry name, as `tally methods` lists it (repeatable); e.g. --param diagonal-prior=4 for ibcc. Every method's parameters are reachable this way, including those without an option of their own.",
        valueName: "name=value"))
    var params: [String] = []

    @Option(help: ArgumentHelp("ds and onecoin-ds on a compact table (4 bytes per answer, names left in the mapped file): auto (an .arrow input of 50 M answers or more, labels only), always, never.", valueName: "when"))
    var compact: CompactChoice = .auto

    @OptionGroup(title: "Input") var input: InputOptions
    @OptionGroup(title: "Input") var kind: AnswerTypeOptions
    @OptionGroup(title: "Execution") var execution: ExecutionOptions
    @OptionGroup(title: "Iterative methods (\(MethodRegistry.all.filter { $0.takes("max-iterations") }.map(\.name).joined(separator: ", ")))") var iteration: IterationOptions
    @OptionGroup(title: familyTitle(.votes)) var votes: VoteOptions
    @OptionGroup(title: familyTitle(.dawidSkene)) var ds: DawidSkeneOptions
    @OptionGroup(title: familyTitle(.glad)) var glad: GLADOptions
    @OptionGroup(title: familyTitle(.mace)) var mace: MACEOptions
    @OptionGroup(title: familyTitle(.mmsr)) var mmsr: MMSROptions
    @OptionGroup(title: "Texts and multi-label (rover, binary-relevance)") var textMultiLabel: TextMultiLabelOptions
    @OptionGroup(title: familyTitle(.pairwise)) var pairwise: PairwiseOptions
    @OptionGroup var common: CommonOptions

    var quiet: Bool { common.quiet }

    mutating func validate() throws {
        guard let descriptor = MethodRegistry.all.first(where: { $0.name == method }) else {
            throw ValidationError("unknown method '\(method)'; choose from \(MethodRegistry.names.joined(separator: ", "))")
        }
        if votes.weights != nil && method != "mv" {
            throw ValidationError("--weights applies to --method mv only")
        }
        if ds.initialErrorStrategy != nil && ds.initialError == nil {
            throw ValidationError("--initial-error-strategy needs --initial-error")
        }
        if ds.changed && method != "ds" {
            throw ValidationError("--clamp-gold, --initial-error, --em, --initialization and --prior apply to --method ds only")
        }
        if (mace.spamming != nil || mace.strategies != nil) && !descriptor.tables.contains("spamming") {
            throw ValidationError("--spamming and --strategies apply to --method mace only")
        }
        if (mace.maceCompat ?? .none) != .none && !descriptor.takes("mace-compat") {
            throw ValidationError("--mace-compat applies to --method mace only")
        }
        if mace.restarts != nil || mace.maceMethod != nil, !descriptor.takes("restarts") {
            throw ValidationError("--restarts and --mace-method apply to --method mace only")
        }
        if let g = mmsr.signGraph, g != .crowdKit, !descriptor.takes("sign-graph") {
            throw ValidationError("--sign-graph applies to --method mmsr only")
        }
        if glad.betas != nil && !descriptor.tables.contains("betas") {
            throw ValidationError("--betas applies to --method glad only")
        }
        if (ds.saveModel != nil || ds.initModel != nil) && !["ds", "onecoin-ds"].contains(method) {
            throw ValidationError("--save-model and --init-model apply to --method ds and onecoin-ds only")
        }
        if ds.initModel != nil && ds.initialError != nil {
            throw ValidationError("--init-model and --initial-error are two ways to start EM; give one")
        }
        if pairwise.given && !descriptor.takes("bootstrap") {
            throw ValidationError("--bootstrap, --confidence and --bootstrap-method apply to --method \(MethodRegistry.all.filter { $0.takes("bootstrap") }.map(\.name).joined(separator: ", "))")
        }
        if ds.confusions != nil && !descriptor.makesConfusions {
            throw ValidationError("--confusions applies to --method \(MethodRegistry.all.filter(\.makesConfusions).map(\.name).joined(separator: ", "))")
        }
        if precisions != nil && !descriptor.tables.contains("precisions") {
            throw ValidationError("--precisions applies to --method bwa only")
        }
        if skills != nil && !descriptor.makesSkills {
            let alternative = descriptor.makesConfusions ? "; --confusions writes its per-worker confusion matrices" : ""
            throw ValidationError("--skills: \(method) estimates no per-worker skill\(alternative)")
        }
    }

    func run() throws {
        try reportingErrors { try execute() }
    }

    /// The parameter values the command line gives for `descriptor` (only those it takes); notes deprecated spellings.
    func parameters(for descriptor: MethodDescriptor) throws -> MethodParameters {
        var given = iteration.values(quiet: quiet)
        if let v = mace.restarts { given["restarts"] = .int(v) }
        if let v = mace.maceMethod { given["mace-method"] = .string(v.rawValue) }
        if let v = mace.maceCompat {
            deprecated("--mace-compat \(v.rawValue)", use: v == .crowdKit ? "--compat crowd-kit" : "--compat none", quiet: quiet)
            given["mace-compat"] = .string(v.rawValue)
        }
        if let v = glad.stopping {
            if v == .crowdKit { deprecated("--stopping crowd-kit", use: "--compat crowd-kit", quiet: quiet) }
            given["stopping"] = .string(v.rawValue)
        }
        for (name, value) in pairwise.values { given[name] = value }
        if let v = glad.mStepIterations { given["m-step-iterations"] = .int(v) }
        if let v = glad.mStepTolerance { given["m-step-tolerance"] = .double(v) }
        if let v = mmsr.signGraph {
            if v == .crowdKit { deprecated("--sign-graph crowd-kit", use: "--compat crowd-kit", quiet: quiet) }
            given["sign-graph"] = .string(v.rawValue)
        }
        if descriptor.takes("em") {
            given["em"] = .string(ds.em.rawValue)
            given["initialization"] = .string(ds.initialization.rawValue)
            given["clamp-gold"] = .flag(ds.clampGold)
            for (name, value) in try ds.priorParameters() { given[name] = value }
        }
        for (name, value) in textMultiLabel.values { given[name] = value }
        var parameters = MethodParameters(given, compatibility: iteration.compat ?? .none, execution: execution.settings).only(descriptor)
        for item in params {
            let (name, value) = try Self.parameter(item, of: descriptor)
            parameters.values[name] = value
        }
        return parameters
    }

    /// Reads one `--param name=value` as the type of the parameter's default.
    static func parameter(_ item: String, of descriptor: MethodDescriptor) throws -> (String, ParameterValue) {
        guard let eq = item.firstIndex(of: "=") else {
            throw ValidationError("--param takes name=value, got '\(item)'")
        }
        let name = String(item[..<eq]), text = String(item[item.index(after: eq)...])
        guard let p = descriptor.parameter(name) else {
            let known = descriptor.parameters.map(\.name)
            throw ValidationError("--param: \(descriptor.name) has no parameter '\(name)'; it takes \(known.isEmpty ? "none" : known.joined(separator: ", "))")
        }
        guard let value = p.value(parsing: text) else {
            throw ValidationError("--param \(name): expected a \(p.defaultValue.typeName), got '\(text)'")
        }
        return (name, value)
    }

    private func execute() throws {
        let descriptor = try MethodRegistry.method(named: method)
        let parameters = try parameters(for: descriptor)
        if try useCompact(parameters) { return try executeCompact(parameters) }
        let start = ContinuousClock.now
        let progress = ProgressLine("reading \(file)", quiet: quiet)
        var options = input.readOptions(quiet: quiet)
        options.execution = execution.settings
        if progress.enabled { options.progress = { progress.update($0, $1) } }
        let answersFile = try AnswerReader.read(file, as: kind.answerType, options: options)
        progress.finish()
        guard case .categorical(let table) = answersFile.answers else {
            return try aggregateOther(answersFile, descriptor: descriptor, parameters: parameters, start: start)
        }
        try refuseUnlessAccepted(descriptor, .categorical)
        let read = answersFile
        var summary = "read \(table.answerCount) answers: \(table.taskCount) tasks, \(table.workerCount) workers, \(table.labelCount) labels (\(seconds(since: start)))"
        if !read.skipped.isEmpty {
            summary += "; left out " + read.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        note(summary, quiet: quiet)
        try input.checkLabelCount(table, file: file == "-" ? "<stdin>" : file)
        if !descriptor.labelCounts.allows(table.labelCount) {
            throw InputError(.invalidValue, file: file == "-" ? "<stdin>" : file, field: "label",
                "\(method) works on two labels only; the answers have \(table.labelCount) labels (\(ErrorText.list(table.labels.names, limit: 5)))")
        }
        if table.duplicates.pairs > 0, let ex = table.duplicates.example {
            note("warning: \(table.duplicates.pairs) (task, worker) pairs answered more than once (\(table.duplicates.extraAnswers) extra answers; first: task \(ErrorText.quoted(ex.task)), worker \(ErrorText.quoted(ex.worker))); all answers are kept", quiet: quiet)
        }

        var goldLabels: GoldLabels? = read.gold
        if let gold { goldLabels = try GoldReader.read(gold) }
        if descriptor.needsGold && goldLabels == nil {
            throw AggregationError("\(method) needs gold labels: give --gold FILE, or an export with GOLDEN: columns")
        }
        if ds.clampGold && goldLabels == nil {
            throw AggregationError("--clamp-gold needs gold labels: give --gold FILE, or an export with GOLDEN: columns")
        }

        var inputs = MethodInputs(gold: goldLabels, onMissingSkill: votes.policy)
        inputs.weights = try votes.weights.map { try WorkerSkills.read($0) }
        inputs.initialConfusions = try ds.initialError.map { try InitialConfusions.read($0, strategy: ds.initialErrorStrategy ?? .addition) }
        if let path = ds.initModel { inputs.initialConfusions = InitialConfusions(resuming: try DawidSkeneParameters.read(path)) }
        let fitStart = ContinuousClock.now
        let result = try fitShowingProgress(descriptor, .categorical(table), inputs: inputs, parameters: parameters)
        if let m = result.model as? VoteModel, m.tasksWithZeroWeight > 0 {
            note("warning: \(m.tasksWithZeroWeight) tasks had only zero-weight votes; they are scored by plain vote shares", quiet: quiet)
        }
        note("\(method): fitted in \(seconds(since: fitStart))", quiet: quiet)

        // Render every output, then write them all or none (TALLY_DEBUG_TIMING: the time it takes).
        let outputStart = ContinuousClock.now
        func format(for path: String) -> OutputFormat { self.format ?? OutputFormat(pathExtensionOf: path) ?? .tsv }
        var outputs: [(bytes: [UInt8], path: String)] = [(ResultWriter.labels(table, result.labels, format: format(for: out), threads: parameters.execution.threads), out)]
        if let probabilities {
            outputs.append((ResultWriter.probabilities(table, result.probabilities, format: format(for: probabilities)), probabilities))
        }
        if let skills {
            guard let values = result.skills else { throw AggregationError("--skills: \(method) estimated no per-worker skill") }
            outputs.append((ResultWriter.skills(table, values, format: format(for: skills)), skills))
        }
        if let path = ds.confusions, let c = result.confusions {
            outputs.append((ResultWriter.confusions(table, values: c.values, observed: c.observed, format: format(for: path)), path))
        }
        if let workerReport {
            let report = WorkerReport(table, result)
            outputs.append((ResultWriter.columns("worker", keys: table.workers, columns: WorkerReport.columns, values: report.rows,
                                                 format: format(for: workerReport)), workerReport))
        }
        for (name, path) in [("spamming", mace.spamming), ("strategies", mace.strategies), ("betas", glad.betas), ("precisions", precisions)] {
            guard let path, let t = result.table(name) else { continue }
            let keys = t.rows == .workers ? table.workers : table.tasks
            outputs.append((ResultWriter.columns(t.rows.rawValue, keys: keys, columns: t.columns, values: t.values, format: format(for: path)), path))
        }
        if let path = ds.saveModel {
            guard let m = result.model as? DawidSkeneModel else { throw AggregationError("--save-model: \(method) fitted no Dawid-Skene model") }
            outputs.append((try DawidSkeneParameters(m, of: table, method: method).jsonBytes(), path))
        }
        let rendered = ContinuousClock.now
        try AtomicFile.write(outputs)
        if parameters.execution.iterationTiming != nil {
            note("outputs: rendered in \(String(format: "%.3f s", (rendered - outputStart).seconds)), written in \(seconds(since: rendered))", quiet: quiet)
        }
        if let goldLabels {
            let e = Evaluation(labels: result.labels, of: table, gold: goldLabels)
            let caveat = descriptor.needsGold ? " — the same gold \(method) weighted workers by, so not an independent estimate" : ""
            note(String(format: "accuracy on %d gold tasks: %.4f (macro-F1 %.4f)", e.scored, e.accuracy, e.macroF1) + caveat, quiet: quiet)
        }
    }
}
