import Foundation
import TallyCore

/// What kind of folder `tally report` was given, told by the files in it.
public enum ReportFolder: String, Sendable, Equatable {
    /// `tally bench` results: results.json (or results.tsv).
    case bench
    /// One `tally simulate` run: summary.json, pool.json, qc_log.tsv, workers.tsv, ….
    case simulation
    /// A `tally study`: study.json (and study.tsv, runs.tsv).
    case study
    /// One `tally simulate` run of a question scenario (pairwise, numeric or text answers):
    /// summary.json and dataset.json, no pool.json.
    case questions

    static let expected = "expected a folder written by `tally bench` (results.json, results.tsv), `tally simulate` (summary.json, pool.json, qc_log.tsv) or `tally study` (study.json)"

    /// The kind of `folder`: study.json makes a study, summary.json a simulation run, and
    /// anything else is read as bench results (whose reader names what is missing).
    ///
    /// - Throws: `InputError` for a missing folder or a file given for the folder, and for a
    ///   folder holding none of the three kinds' files (naming all three).
    public static func kind(of folder: String) throws -> ReportFolder {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw InputError(.fileNotFound, file: folder, "no such folder; expected a folder written by `tally bench` (results.json, results.tsv)")
        }
        guard isDirectory.boolValue else { throw InputError(.invalidValue, file: folder, "is a file, not a folder; \(expected)") }
        func has(_ name: String) -> Bool { FileManager.default.fileExists(atPath: folder + "/" + name) }
        if has("results.json") || has("results.tsv") { return .bench }
        if has("study.json") { return .study }
        if has("summary.json") && has("dataset.json") && !has("pool.json") { return .questions }
        if has("summary.json") { return .simulation }
        throw InputError(.fileNotFound, file: folder + "/results.json", "missing (and no results.tsv beside it), nor summary.json or study.json; \(expected)")
    }

    /// A JSON file as a value, with errors naming the file and what wrote it.
    static func readJSON(_ path: String, writtenBy: String) throws -> JSONValue {
        guard FileManager.default.fileExists(atPath: path) else {
            throw InputError(.fileNotFound, file: path, "missing; expected the file \(writtenBy) writes")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError(.unreadable, file: path, "cannot read the file") }
        guard !data.isEmpty else { throw InputError(.emptyFile, file: path, "the file is empty; expected JSON written by \(writtenBy)") }
        do {
            let value = try JSONValue(parsing: data)
            guard case .object = value else { throw InputError(.invalidJSON, file: path, "expected a JSON object written by \(writtenBy)") }
            return value
        } catch let e as DecodingError {
            let (field, what) = BenchResults.describe(e)
            throw InputError(.invalidJSON, file: path, field: field, "\(what); expected JSON written by \(writtenBy)")
        }
    }

    /// `value[key]` as a list of strings (empty when missing).
    static func strings(_ value: JSONValue?) -> [String] {
        value?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
