import ArgumentParser
import Foundation
import TallyCore
import TallyQualityControl
import TallySimulation

struct QCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qc",
        abstract: "Quality-control rules: replay them on an export.",
        subcommands: [QCReplay.self]
    )
}

struct QCReplay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Which workers a pool's rules would have banned, and when, on a Toloka TSV export.",
        discussion: """
            Rebuilds the assignment events from EXPORT (Toloka's TSV export: ASSIGNMENT:worker_id, \
            status, started; ASSIGNMENT:submitted makes submit-time rules work) and runs the rules of \
            --rules (a pool JSON with quality_control, or a bare quality_control object) over them. \
            Prints every action as TSV on stdout: time, worker, rule, action, scope, until, the \
            statistics that fired it. Collectors that cannot be replayed are skipped with a warning.

            With --gold (task, label; tasks named as in the export's INPUT: values), also scores \
            --aggregate methods on the accepted answers with and without the answers each banned \
            worker submitted after the first ban.

            Example:
              tally qc replay run1/export.tsv --rules run1/pool.json --gold run1/gold.tsv --out replay
            """
    )

    @Argument(help: "Toloka's TSV export.")
    var export: String

    @Option(help: "A pool JSON (or its quality_control object) holding the rules.")
    var rules: String

    @Option(help: "Gold labels of general tasks (task, label), to score accuracy with and without the banned workers' later answers.")
    var gold: String?

    @Option(help: "Comma-separated aggregation methods to score with --gold.")
    var aggregate: String = "mv"

    @Option(help: "Also write bans.tsv and replay.json to this folder.")
    var out: String?

    @Flag(name: .shortAndLong, help: "Print nothing on stderr but errors.")
    var quiet = false

    func run() throws {
        try reportingSimulationErrors {
            let methods = try SimulationAggregation.methods(aggregate)
            let qc = try QualityControl.read(path: rules)
            for (i, c) in qc.configs.enumerated() where !c.collector.kind.isEmulated {
                note("tally: warning: \(rules): configs[\(i)]: \(c.collector.kind.rawValue) cannot be replayed; skipped", quiet: quiet)
            }
            // Read once: EXPORT may be `-` (standard input), which can be read only once.
            let table = try TableReader.read(export, required: ["ASSIGNMENT:worker_id"], expecting: "Toloka's export columns (ASSIGNMENT:worker_id, ASSIGNMENT:status, ASSIGNMENT:started, OUTPUT:…)", delimiter: UInt8(ascii: "\t"))
            let events = try TolokaExportEvents(table)
            let actions = try events.replay(qc, ignoringUnsupported: true)
            let log = SimulationResult.qcLogTSV(actions, epoch: 0) { events.workers.name($0) }
            var firstBan: [String: Double] = [:]
            for a in actions where a.restrictionEnd != nil {
                let name = events.workers.name(a.worker)
                firstBan[name] = min(firstBan[name] ?? .infinity, a.time)
            }
            var report: [String: Any] = [
                "export": export, "rules": rules, "actions": actions.count,
                "banned_workers": firstBan.count, "workers": events.workers.count,
            ]
            var summary = "\(actions.count) actions, \(firstBan.count) of \(events.workers.count) workers banned"
            if let gold {
                let g = try GoldReader.read(gold)
                let (with, without) = try answers(table, firstBan)
                let accuracyWith = try SimulationAggregation.accuracies(tasks: with.0, workers: with.1, labels: with.2, gold: g, methods: methods)
                let accuracyWithout = try SimulationAggregation.accuracies(tasks: without.0, workers: without.1, labels: without.2, gold: g, methods: methods)
                report["accuracy_with_banned_later_answers"] = accuracyWith
                report["accuracy_without_banned_later_answers"] = accuracyWithout
                report["answers_removed"] = with.0.count - without.0.count
                func scores(_ accuracy: [String: Double]) -> String {
                    let shown = methods.compactMap { m in accuracy[m].map { "\(m) \(String(format: "%.4f", $0))" } }
                    return shown.isEmpty ? "none scored" : shown.joined(separator: ", ")
                }
                summary += "; accuracy with banned workers' later answers: \(scores(accuracyWith)); without (\(with.0.count - without.0.count) answers removed): \(scores(accuracyWithout))"
            }
            let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            if let out {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                try AtomicFile.write([(log, out + "/bans.tsv"), (Array(json) + [0x0A], out + "/replay.json")])
            }
            FileHandle.standardOutput.write(Data(log))
            note(summary, quiet: quiet)
        }
    }

    /// The export's (`table`'s) accepted general answers (not rejected; no GOLDEN: cell), all of them and without
    /// those a worker submitted after its first ban.
    func answers(_ table: TableReader, _ firstBan: [String: Double]) throws -> (([String], [String], [String]), ([String], [String], [String])) {
        let outputs = table.header.indices.filter { table.header[$0].hasPrefix("OUTPUT:") }
        guard let label = outputs.first else {
            throw InputError(.missingColumn, file: export, field: "OUTPUT:", "no OUTPUT: column; expected one holding the workers' labels")
        }
        let golden = table.column("GOLDEN:" + table.header[label].dropFirst("OUTPUT:".count))
        let inputs = table.header.indices.filter { table.header[$0].hasPrefix("INPUT:") }
        let worker = table.column("ASSIGNMENT:worker_id")!, status = table.column("ASSIGNMENT:status")
        let submitted = table.column("ASSIGNMENT:submitted"), started = table.column("ASSIGNMENT:started")
        var all: ([String], [String], [String]) = ([], [], []), kept: ([String], [String], [String]) = ([], [], [])
        for row in table.rows {
            if let s = status, !["SUBMITTED", "APPROVED", "ACCEPTED"].contains(row[s]) { continue }
            if let g = golden, !row[g].isEmpty { continue }
            let task = inputs.map { row[$0] }.joined(separator: " | ")
            let w = row[worker]
            all.0.append(task); all.1.append(w); all.2.append(row[label])
            let timeText = submitted.map { row[$0] } ?? started.map { row[$0] } ?? ""
            let time = TolokaTime.parse(timeText, accepting: .dateOnly) ?? -.infinity
            if let ban = firstBan[w], time > ban { continue }
            kept.0.append(task); kept.1.append(w); kept.2.append(row[label])
        }
        return (all, kept)
    }
}
