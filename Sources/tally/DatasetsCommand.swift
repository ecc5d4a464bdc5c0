import ArgumentParser
import Foundation
import TallyCore
import TallyReports

/// `tally datasets`: the real data sets shipped in `datasets/real`, with their counts and sources.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "List the real data sets in datasets/real: counts (tasks, workers, answers, labels, gold), licence and source.",
        discussion: """
            Counts are read from the files themselves (gzip-compressed answers.tsv.gz and \
            gold.tsv.gz); the licence, source and citation come from the folder's catalog.tsv, \
            which also names the sets left out because no licence allows redistributing them. \
            Without DIR, datasets/real in the current folder is read, else the one of the \
            repository the tally binary was built in.

            Example:
              tally datasets
              tally datasets --format json
              tally bench --datasets datasets/real --methods mv,ds --out-dir bench
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "A folder of data sets (default: datasets/real).")
    var directory: String?

    @Option(help: "text or json.")
    var format: Format = .text

    func run() throws {
        try reportingErrors {
            let catalog = try DatasetCatalog.load(directory: directory ?? Self.defaultDirectory())
            let text = format == .json ? Self.json(catalog) : Self.text(catalog)
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// `datasets/real` here, else beside the repository the binary was built in (`.build/<config>/tally`).
    static func defaultDirectory() -> String {
        let here = "datasets/real"
        if FileManager.default.fileExists(atPath: here) { return here }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            dir = dir.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent(here).path
            if FileManager.default.fileExists(atPath: candidate + "/catalog.tsv") { return candidate }
        }
        return here
    }

    static func text(_ c: DatasetCatalog) -> String {
        let header = ["data set", "tasks", "workers", "answers", "labels", "gold", "licence", "source"]
        var rows: [[String]] = c.datasets.map { d in
            [d.name, "\(d.tasks)", "\(d.workers)", "\(d.answers)", "\(d.labels)", "\(d.goldTasks)",
             Self.shortLicence(d.licence), d.source ?? "-"]
        }
        rows.insert(header, at: 0)
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        let numeric = Set(1...5)
        var s = ""
        for r in rows {
            let cells = r.indices.map { i -> String in
                let pad = String(repeating: " ", count: widths[i] - r[i].count)
                return numeric.contains(i) ? pad + r[i] : (i == r.count - 1 ? r[i] : r[i] + pad)
            }
            s += cells.joined(separator: "  ") + "\n"
        }
        let answers = c.datasets.reduce(0) { $0 + $1.answers }
        s += "\n\(c.datasets.count) data sets, \(answers) answers in \(c.directory); licences, sources and citations: each set's README.md and catalog.tsv\n"
        if !c.leftOut.isEmpty {
            s += "left out (no licence allows redistribution): \(c.leftOut.map(\.name).joined(separator: ", "))\n"
        }
        return s
    }

    /// The licence's name without the explanation in parentheses: `Apache-2.0`, `Clear BSD`, `MIT`.
    static func shortLicence(_ licence: String?) -> String {
        guard let licence, !licence.isEmpty else { return "-" }
        return licence.components(separatedBy: " (").first!.trimmingCharacters(in: .whitespaces)
    }

    static func json(_ c: DatasetCatalog) -> String {
        let sets: [[String: Any]] = c.datasets.map { d in
            ["name": d.name, "title": d.title ?? NSNull(), "tasks": d.tasks, "workers": d.workers, "answers": d.answers,
             "labels": d.labels, "gold_tasks": d.goldTasks, "licence": d.licence ?? NSNull(), "source": d.source ?? NSNull(),
             "citation": d.citation ?? NSNull()]
        }
        let left: [[String: Any]] = c.leftOut.map { ["name": $0.name, "reason": $0.reason, "source": $0.source ?? NSNull()] }
        let object: [String: Any] = ["directory": c.directory, "datasets": sets, "left_out": left]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
