import Foundation
import Testing
import TallyCore
import TallyTestSupport

/// Paths and loaders shared by the aggregation tests.
enum TestData {
    /// The repository root.
    static let repoRoot = Repository.root
    static let fixtures = repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/crowdkit")
    /// The answers file of a dataset: the toy set ships with the fixtures, the rest in
    /// `datasets/real` (``RealDatasets``); cancels the test case when no copy has the set.
    static func answersPath(_ dataset: String) throws -> String {
        dataset == "toy" ? fixtures.appendingPathComponent("toy/answers.tsv").path : try RealDatasets.answers(dataset).path
    }

    /// The gold file of a dataset, found as ``answersPath(_:)`` finds the answers.
    static func goldPath(_ dataset: String) throws -> String {
        dataset == "toy" ? fixtures.appendingPathComponent("toy/gold.tsv").path : try RealDatasets.gold(dataset).path
    }

    /// Rows of a TSV text (header included), split on tabs; fixtures hold no quoted cells.
    static func rows(_ text: String) -> [[String]] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The bytes of fixture `NAME.json` in `folder`, or of `NAME.json.gz` when only the compressed
    /// copy is there (the larger reference fixtures of IBCC, BWA and EBCC).
    static func fixtureJSON(_ folder: URL, _ name: String) throws -> Data {
        let plain = folder.appendingPathComponent("\(name).json")
        if FileManager.default.fileExists(atPath: plain.path) { return try Data(contentsOf: plain) }
        return Data(try gunzip(folder.appendingPathComponent("\(name).json.gz")).utf8)
    }

    /// The text of a gzip-compressed fixture, through the system's `gzip`.
    static func gunzip(_ url: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-dc", url.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile) }
        return String(decoding: data, as: UTF8.self)
    }

    /// The manifest of the crowd-kit fixtures: (dataset, method) → status and message.
    struct ManifestRow: Sendable {
        let dataset: String, method: String, status: String, tasks: Int, labels: Int, message: String
    }

    static let manifest: [ManifestRow] = {
        let text = (try? String(contentsOf: fixtures.appendingPathComponent("manifest.tsv"), encoding: .utf8)) ?? ""
        return rows(text).filter { !$0[0].hasPrefix("#") && $0[0] != "dataset" }.map {
            ManifestRow(dataset: $0[0], method: $0[1], status: $0[2], tasks: Int($0[3]) ?? -1, labels: Int($0[4]) ?? -1, message: $0.count > 5 ? $0[5] : "")
        }
    }()

    static let datasets: [String] = {
        var seen: [String] = []
        for r in manifest where !seen.contains(r.dataset) { seen.append(r.dataset) }
        return seen
    }()
}
