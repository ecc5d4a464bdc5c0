import Foundation
import TallyCore

/// A `tally bench` results folder read back: the rows, the skipped data sets, and how the run
/// was made (the command lines, the tally version and commit, the date), when recorded.
public struct BenchResults: Sendable, Equatable {
    /// One row per method and data set.
    public var rows: [Bench.Row]
    /// Data sets that could not be used.
    public var skipped: [Bench.Skipped]
    /// Shell command lines that produced the results, in order (e.g. `cd …`, `tally bench …`);
    /// empty for results written before `tally bench` recorded them.
    public var commands: [String]
    /// How the run was made; `nil` when not recorded.
    public var run: BenchRun?

    /// Results from their parts.
    public init(rows: [Bench.Row], skipped: [Bench.Skipped] = [], commands: [String] = [], run: BenchRun? = nil) {
        self.rows = rows
        self.skipped = skipped
        self.commands = commands
        self.run = run
    }

    /// The layout of results.json.
    struct Document: Codable {
        let results: [Bench.Row]
        let skipped: [Bench.Skipped]
        let commands: [String]?
        let run: BenchRun?
    }

    /// Reads `folder/results.json`, or `folder/results.tsv` when there is no JSON (results of an
    /// older `tally bench`: no skipped list, no commands).
    ///
    /// - Throws: `InputError` naming the folder or file and what was expected: a missing folder,
    ///   a file given for the folder, neither file present, JSON that is not results.json's
    ///   layout, a TSV without bench's columns or with a bad number.
    public static func read(folder: String) throws -> BenchResults {
        let expected = "expected a folder written by `tally bench` (results.json, results.tsv)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw InputError(.fileNotFound, file: folder, "no such folder; \(expected)")
        }
        guard isDirectory.boolValue else {
            throw InputError(.invalidValue, file: folder, "is a file, not a folder; \(expected)")
        }
        let json = folder + "/results.json", tsv = folder + "/results.tsv"
        if FileManager.default.fileExists(atPath: json) { return try readJSON(json) }
        if FileManager.default.fileExists(atPath: tsv) { return try readTSV(tsv) }
        throw InputError(.fileNotFound, file: json, "missing (and no results.tsv beside it); \(expected)")
    }

    static func readJSON(_ path: String) throws -> BenchResults {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(.unreadable, file: path, "cannot read the file")
        }
        guard !data.isEmpty else { throw InputError(.emptyFile, file: path, "the file is empty; expected results.json written by `tally bench`") }
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            let d = try decoder.decode(Document.self, from: data)
            return BenchResults(rows: d.results, skipped: d.skipped, commands: d.commands ?? [], run: d.run)
        } catch let e as DecodingError {
            let (field, what) = describe(e)
            throw InputError(.invalidJSON, file: path, field: field, "\(what); expected results.json written by `tally bench` ({\"results\": [...], \"skipped\": [...]})")
        }
    }

    /// The field path and a sentence for a decoding error.
    static func describe(_ e: DecodingError) -> (field: String?, message: String) {
        func path(_ p: [any CodingKey]) -> String? {
            p.isEmpty ? nil : p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch e {
        case .keyNotFound(let key, let c): return (path(c.codingPath + [key]), "missing key '\(key.stringValue)'")
        case .typeMismatch(let type, let c): return (path(c.codingPath), "wrong type, expected \(type)")
        case .valueNotFound(let type, let c): return (path(c.codingPath), "null, expected \(type)")
        case .dataCorrupted(let c):
            let underlying = (c.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return (path(c.codingPath), "not valid JSON" + (underlying.map { " (\($0))" } ?? (c.debugDescription.isEmpty ? "" : " (\(c.debugDescription))")))
        @unknown default: return (nil, "\(e)")
        }
    }

    static func readTSV(_ path: String) throws -> BenchResults {
        let required = ["dataset", "method", "answers", "tasks", "gold_tasks", "accuracy", "macro_f1", "iterations", "seconds", "peak_rss_mb", "best"]
        let table = try TableReader.read(path, required: required)
        func index(_ name: String) -> Int { table.header.firstIndex(of: name)! }
        let published = table.column("published_accuracy")
        var rows: [Bench.Row] = []
        for (n, r) in table.rows.enumerated() {
            let line = table.lines[n]
            func number(_ name: String) throws -> Double {
                let s = r[index(name)]
                if s == "nan" { return .nan }
                guard let x = Double(s) else { throw InputError(.invalidValue, file: table.file, line: line, field: name, "'\(s)' is not a number") }
                return x
            }
            func integer(_ name: String) throws -> Int {
                let s = r[index(name)]
                guard let x = Int(s) else { throw InputError(.invalidValue, file: table.file, line: line, field: name, "'\(s)' is not a whole number") }
                return x
            }
            let iterations = r[index("iterations")]
            let publishedText = published.map { r[$0] } ?? ""
            var row = Bench.Row(
                dataset: r[index("dataset")], method: r[index("method")], answers: try integer("answers"), tasks: try integer("tasks"),
                goldTasks: try integer("gold_tasks"), accuracy: try number("accuracy"), macroF1: try number("macro_f1"),
                iterations: iterations.isEmpty ? nil : try integer("iterations"), seconds: try number("seconds"),
                peakRSSMB: try number("peak_rss_mb"), best: r[index("best")] == "1",
                published: publishedText.isEmpty ? nil : try number("published_accuracy"))
            if let k = table.column("answer_type"), r[k] != AnswerType.categorical.rawValue {
                guard let type = AnswerType(rawValue: r[k]) else {
                    throw InputError(.invalidValue, file: table.file, line: line, field: "answer_type", "'\(r[k])' is not an answer type; expected one of \(AnswerType.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                row.answerType = type
            }
            func optional(_ name: String) throws -> Double? {
                guard table.column(name) != nil, !r[index(name)].isEmpty else { return nil }
                return try number(name)
            }
            row.mae = try optional("mae"); row.rmse = try optional("rmse")
            row.kendallTau = try optional("kendall_tau"); row.spearmanRho = try optional("spearman_rho")
            row.agreement = try optional("agreement"); row.wer = try optional("wer")
            row.precision = try optional("precision"); row.recall = try optional("recall"); row.f1 = try optional("f1")
            rows.append(row)
        }
        return BenchResults(rows: rows)
    }
}
