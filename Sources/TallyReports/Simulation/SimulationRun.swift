import Foundation
import TallyCore

/// A `tally simulate` output folder read back for a report (without TallySimulation: the files
/// are the interface): summary.json, pool.json, qc_log.tsv, and workers.tsv and tasks.tsv when
/// present.
public struct SimulationRun: Sendable {
    /// summary.json: cost, time, bans, spam, aggregator accuracies, and `commands` when recorded.
    public var summary: JSONValue
    /// pool.json: the pool's settings and quality-control rules in Toloka's shape.
    public var pool: JSONValue
    /// qc_log.tsv: every rule action (time, worker, rule, action, scope, until, statistics, comment).
    package var qcLog: TableReader
    /// workers.tsv: every worker's true type and parameters, arrival, departure and first ban.
    package var workers: TableReader?
    /// tasks.tsv: every task's kind, true label, overlap and completion time.
    package var tasks: TableReader?

    /// The command lines recorded in summary.json (empty for a folder from an older tally).
    public var commands: [String] { ReportFolder.strings(summary["commands"]) }

    /// Reads the folder; summary.json, pool.json and qc_log.tsv are required.
    public static func read(folder: String) throws -> SimulationRun {
        let by = "`tally simulate`"
        let summary = try ReportFolder.readJSON(folder + "/summary.json", writtenBy: by)
        let pool = try ReportFolder.readJSON(folder + "/pool.json", writtenBy: by)
        let log = try TableReader.read(folder + "/qc_log.tsv", required: ["time", "worker", "rule", "action"])
        func optional(_ name: String, _ required: [String]) throws -> TableReader? {
            let path = folder + "/" + name
            return FileManager.default.fileExists(atPath: path) ? try TableReader.read(path, required: required) : nil
        }
        return SimulationRun(
            summary: summary, pool: pool, qcLog: log,
            workers: try optional("workers.tsv", ["worker", "type", "first_banned"]),
            tasks: try optional("tasks.tsv", ["task", "kind", "completed_at"]))
    }
}

/// A `tally study` output folder read back: study.json's points (and the command lines,
/// scenario, seeds and methods, when recorded).
public struct StudyResults: Sendable, Equatable {
    /// The varied parameters, in the order of --vary.
    public var parameters: [String]
    /// One object per grid point: the parameters' values, `seeds`, and `<metric>_mean` /
    /// `<metric>_sd` for every metric.
    public var points: [[String: JSONValue]]
    /// The aggregation methods scored (from `accuracy_<method>_mean` keys when not recorded).
    public var methods: [String]
    /// The command lines recorded in study.json (empty for a folder from an older tally).
    public var commands: [String]
    /// The scenario file the study ran, when recorded.
    public var scenario: String?
    /// Seeds per grid point, when recorded.
    public var seeds: Int?

    /// Results from their parts.
    public init(parameters: [String], points: [[String: JSONValue]], methods: [String], commands: [String] = [], scenario: String? = nil, seeds: Int? = nil) {
        self.parameters = parameters
        self.points = points
        self.methods = methods
        self.commands = commands
        self.scenario = scenario
        self.seeds = seeds
    }

    /// Reads `folder/study.json`.
    /// - Throws: `InputError` naming the file and field when study.json is missing or not as
    ///   `tally study` writes it.
    public static func read(folder: String) throws -> StudyResults {
        let path = folder + "/study.json"
        let json = try ReportFolder.readJSON(path, writtenBy: "`tally study`")
        guard let parameters = json["parameters"]?.arrayValue?.compactMap(\.stringValue) else {
            throw InputError(.invalidJSON, file: path, field: "parameters", "missing or not a list of names; expected study.json written by `tally study`")
        }
        guard let rawPoints = json["points"]?.arrayValue else {
            throw InputError(.invalidJSON, file: path, field: "points", "missing or not a list; expected study.json written by `tally study`")
        }
        var points: [[String: JSONValue]] = []
        for (i, p) in rawPoints.enumerated() {
            guard case .object(let o) = p else {
                throw InputError(.invalidJSON, file: path, field: "points[\(i)]", "not an object; expected study.json written by `tally study`")
            }
            for name in parameters where o[name]?.doubleValue == nil {
                throw InputError(.invalidJSON, file: path, field: "points[\(i)].\(name)", "missing or not a number; expected study.json written by `tally study`")
            }
            points.append(o)
        }
        var methods = ReportFolder.strings(json["methods"])
        if methods.isEmpty, let first = points.first {
            methods = first.keys.filter { $0.hasPrefix("accuracy_") && $0.hasSuffix("_mean") }
                .map { String($0.dropFirst("accuracy_".count).dropLast("_mean".count)) }.sorted()
        }
        return StudyResults(
            parameters: parameters, points: points, methods: methods, commands: ReportFolder.strings(json["commands"]),
            scenario: json["scenario"]?.stringValue, seeds: json["seeds"]?.doubleValue.map { Int($0) })
    }
}
