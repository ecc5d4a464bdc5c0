import Foundation
import Testing
import TallyCore
import TallyAggregation

/// The evalica family against evalica 0.4.2 (fixtures from scripts/evalica_fixtures.py): scores
/// within 1e-6 and identical rankings on crowd-kit's pairwise test data, generated sets with and
/// without draws and weights, and a set with an island and an item that never wins; bootstrap
/// intervals for the same seed within 1e-6.
@Suite("Pairwise: evalica parity")
struct EvalicaParityTests {
    static let folder = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/evalica")
    static let sets = ["abc", "equal", "gen-2k", "ties-2k", "ties-weighted", "disconnected"]
    static let columns = ["counting", "average_win_rate", "elo", "eigen", "pagerank", "newman", "bradley_terry"]

    static func method(_ name: String) -> any EvalicaMethod {
        switch name {
        case "counting": return EvalicaCounting()
        case "average_win_rate": return EvalicaAverageWinRate()
        case "elo": return EvalicaElo()
        case "eigen": return EvalicaEigen()
        case "pagerank": return EvalicaPageRank()
        case "newman": return EvalicaNewman()
        default: return EvalicaBradleyTerry()
        }
    }

    static func text(_ set: String, _ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("\(set)/\(name)"), encoding: .utf8)
    }

    static func comparisons(_ set: String) throws -> EvalicaComparisons {
        let rows = TestData.rows(try text(set, "comparisons.tsv")).dropFirst()
        let winners: [EvalicaComparisons.Winner] = rows.map { $0[2] == "x" ? .x : $0[2] == "y" ? .y : .draw }
        return try EvalicaComparisons(left: rows.map { $0[0] }, right: rows.map { $0[1] }, winners: winners, weights: rows.map { Double($0[3])! })
    }

    /// Positions from the highest score down, equal scores in index order (pandas' stable sort).
    static func ranking(_ scores: [Double]) -> [Int] {
        scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    }

    @Test("Every method with evalica's defaults: scores within 1e-6, identical rankings", arguments: sets)
    func scores(set: String) throws {
        let c = try Self.comparisons(set)
        let rows = TestData.rows(try Self.text(set, "scores.tsv"))
        #expect(Array(rows[0].dropFirst()) == Self.columns)
        #expect(rows.dropFirst().map { $0[0] } == c.items, "\(set): evalica's item order")
        for (k, name) in Self.columns.enumerated() {
            let expected = rows.dropFirst().map { Double($0[k + 1])! }
            let ours = Self.method(name).scores(c)
            let worst = zip(ours, expected).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-6, "\(set) \(name): largest difference \(worst)")
            Self.report("\(set) \(name): largest difference \(worst)")
            #expect(Self.ranking(ours) == Self.ranking(expected), "\(set) \(name): ranking differs")
        }
        let v = Double(try Self.text(set, "newman-v.txt").trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(abs(EvalicaNewman().fit(c).v - v) <= 1e-6, "\(set): newman's v")
    }

    static var bootstrapCases: [String] {
        sets.flatMap { set in
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(set).path)) ?? [])
                .filter { $0.hasPrefix("bootstrap-") }.sorted().map { "\(set)/\($0)" }
        }
    }

    @Test("Bootstrap intervals for the same seed: within 1e-6 of evalica's", arguments: bootstrapCases)
    func bootstrap(file: String) throws {
        let set = String(file.split(separator: "/")[0])
        let parts = file.split(separator: "/")[1].dropLast(4).split(separator: "-").dropFirst().map(String.init)  // method, interval, resamples, seed
        let c = try Self.comparisons(set)
        let settings = EvalicaBootstrap(resamples: Int(parts[2])!, confidence: 0.95, method: EvalicaBootstrap.Method(rawValue: parts[1])!, seed: UInt32(parts[3])!)
        // evalica.bootstrap passes its own tie_weight (0.5) to the method: Newman's 1 is not used there.
        let method: any EvalicaMethod = parts[0] == "newman" ? EvalicaNewman(weights: EvalicaWeights(tie: 0.5)) : Self.method(parts[0])
        let result = try settings.intervals(method, c)
        var worst = 0.0, nanMismatch = 0
        for row in TestData.rows(try Self.text(set, String(file.split(separator: "/")[1]))).dropFirst() {
            let i = c.items.firstIndex(of: row[0])!
            let expected = row.dropFirst().map { Double($0)! }
            for (ours, theirs) in zip([result.scores[i], result.low[i], result.high[i], result.stderr[i]], expected) {
                if ours.isNaN || theirs.isNaN { if ours.isNaN != theirs.isNaN { nanMismatch += 1 }; continue }
                worst = max(worst, abs(ours - theirs))
            }
        }
        #expect(nanMismatch == 0, "\(file): NaN in one interval only")
        #expect(worst <= 1e-6, "\(file): largest difference \(worst)")
        Self.report("\(file): largest difference \(worst)")
    }

    /// With TALLY_PARITY_REPORT set, prints a measured difference (for the note).
    static func report(_ line: String) {
        if ProcessInfo.processInfo.environment["TALLY_PARITY_REPORT"] != nil { print("parity: \(line)") }
    }

    @Test("Registry entries on crowd-kit's layout: evalica's scores by item id")
    func registry() throws {
        let file = try AnswerReader.read(TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/pairwise/gen-2k/comparisons.csv").path, as: nil)
        guard case .pairwise(let p) = file.answers else { throw AggregationError("not read as pairwise") }
        let rows = TestData.rows(try Self.text("gen-2k", "scores.tsv")).dropFirst()
        for (k, name) in Self.columns.enumerated() {
            let descriptor = try MethodRegistry.method(named: EvalicaFamily.registryName(of: name))
            #expect(descriptor.accepts(.pairwise))
            let scores = try #require(try descriptor.fit(.pairwise(p), parameters: MethodParameters()).itemScores)
            var worst = 0.0
            for row in rows { worst = max(worst, abs(scores[Int(p.items.lookup(row[0])!)] - Double(row[k + 1])!)) }
            #expect(worst <= 1e-6, "\(name): largest difference \(worst)")
        }
    }
}
