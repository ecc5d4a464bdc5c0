import Foundation
import Testing
import TallyTestSupport

/// `tally aggregate` with the evalica family: `item, score` by rank, plus `low, high` with
/// `--bootstrap`, against evalica 0.4.2's fixtures (scripts/evalica_fixtures.py).
@Suite("aggregate: evalica methods")
struct EvalicaCLITests {
    static let fixtures = Repository.file("Tests/TallyAggregationTests/Fixtures")

    /// item → values of a fixture or output TSV (header dropped), and the item order.
    static func table(_ text: String) -> (order: [String], values: [String: [Double]]) {
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
        return (rows.map { $0[0] }, Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0.dropFirst().map { Double($0)! }) }))
    }

    @Test("evalica-bt --bootstrap 40 --bootstrap-method percentile --seed 42: evalica's scores and intervals within 1e-6")
    func bootstrap() throws {
        try withTempDirectory { dir in
            let input = Self.fixtures.appendingPathComponent("pairwise/gen-2k/comparisons.csv").path
            let r = try CLI.run(["aggregate", input, "--answer-type", "pairwise", "--method", "evalica-bt", "--bootstrap", "40",
                                 "--bootstrap-method", "percentile", "--seed", "42", "--out", "s.tsv"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let text = try #require(readText(dir, "s.tsv"))
            #expect(text.hasPrefix("item\tscore\tlow\thigh\n"))
            let ours = Self.table(text)
            let theirs = Self.table(try String(contentsOf: Self.fixtures.appendingPathComponent("evalica/gen-2k/bootstrap-bradley_terry-percentile-40-42.tsv"), encoding: .utf8))
            #expect(ours.values.count == 40 && theirs.values.count == 40)
            var worst = 0.0
            for (item, expected) in theirs.values {
                let got = try #require(ours.values[item])
                for k in 0..<3 { worst = max(worst, abs(got[k] - expected[k])) }
            }
            #expect(worst <= 1e-6, "largest difference \(worst)")
            let scores = ours.order.map { ours.values[$0]![0] }
            #expect(scores == scores.sorted(by: >))
        }
    }

    @Test("elo without --bootstrap writes item, score only; --bootstrap on another method and a bad --confidence are refused")
    func plainAndRefused() throws {
        try withTempDirectory { dir in
            let input = Self.fixtures.appendingPathComponent("pairwise/gen-2k/comparisons.csv").path
            let r = try CLI.run(["aggregate", input, "--method", "elo", "--out", "e.tsv"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let text = try #require(readText(dir, "e.tsv"))
            #expect(text.hasPrefix("item\tscore\n"))
            let ours = Self.table(text)
            let rows = try String(contentsOf: Self.fixtures.appendingPathComponent("evalica/gen-2k/scores.tsv"), encoding: .utf8)
                .split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
            let worst = rows.map { abs(ours.values[$0[0]]![0] - Double($0[3])!) }.max() ?? .infinity
            #expect(worst <= 1e-6, "elo: largest difference \(worst)")
            let bt = try CLI.run(["aggregate", input, "--method", "bt", "--bootstrap", "10"], in: dir)
            #expect(bt.status != 0 && bt.stderr.contains("--bootstrap") && bt.stderr.contains("elo"), "\(bt.stderr)")
            let level = try CLI.run(["aggregate", input, "--method", "elo", "--confidence", "1.5"], in: dir)
            #expect(level.status != 0 && level.stderr.contains("--confidence"), "\(level.stderr)")
        }
    }
}
