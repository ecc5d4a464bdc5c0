import Foundation
import Testing
import TallyCore
import TallyAggregation

/// crowd-kit 1.4.2's BradleyTerry and NoisyBradleyTerry on its own test data and on generated
/// comparisons (fixtures from scripts/pairwise_fixtures.py).
@Suite("Pairwise: crowd-kit parity")
struct PairwiseParityTests {
    static let folder = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/pairwise")
    static let sets = ["abc", "equal", "gen-2k", "gen-int"]

    static func comparisons(_ set: String) throws -> PairwiseAnswers {
        let file = try AnswerReader.read(folder.appendingPathComponent("\(set)/comparisons.csv").path, as: nil)
        guard case .pairwise(let p) = file.answers else { throw AggregationError("\(set): not read as pairwise") }
        return p
    }

    /// (key, values…) rows of a fixture, header dropped.
    static func fixture(_ set: String, _ name: String) throws -> [(String, [Double])] {
        let text = try String(contentsOf: folder.appendingPathComponent("\(set)/\(name)"), encoding: .utf8)
        return TestData.rows(text).dropFirst().map { ($0[0], $0.dropFirst().map { Double($0)! }) }
    }

    /// Checks `scores` (by item id) against a fixture: every score within `tolerance`, and the
    /// ranking (score descending, ties in item order) identical.
    static func expectScores(_ p: PairwiseAnswers, _ scores: [Double], _ expected: [(String, [Double])], tolerance: Double, _ what: String) {
        #expect(expected.count == p.itemCount, "\(what): item count")
        var worst = 0.0
        for (item, values) in expected {
            guard let id = p.items.lookup(item) else { Issue.record("\(what): no item \(item)"); continue }
            worst = max(worst, abs(scores[Int(id)] - values[0]))
        }
        #expect(worst <= tolerance, "\(what): largest difference \(worst)")
        let ours = ResultWriter.rankOrder(scores, names: p.sortedItems, items: p.items).map { p.items.name($0) }
        var theirScores = [Double](repeating: .nan, count: p.itemCount)
        for (item, values) in expected { if let id = p.items.lookup(item) { theirScores[Int(id)] = values[0] } }
        let theirs = ResultWriter.rankOrder(theirScores, names: p.sortedItems, items: p.items).map { p.items.name($0) }
        #expect(ours == theirs, "\(what): ranking differs")
    }

    @Test("BradleyTerry, crowd-kit stopping (n_iter 100, tol 1e-5): scores within 1e-12", arguments: sets)
    func btCrowdKit(set: String) throws {
        let p = try Self.comparisons(set)
        let model = BradleyTerry(maxIterations: 100, tolerance: 1e-5, stopping: .crowdKit).fit(p)
        #expect(model.iterations == 2)
        Self.expectScores(p, model.scores, try Self.fixture(set, "bt-ck.tsv"), tolerance: 1e-12, "\(set) bt-ck")
    }

    @Test("BradleyTerry, 50 iterations (tol 0): scores within 1e-12", arguments: sets)
    func bt50(set: String) throws {
        let p = try Self.comparisons(set)
        for stopping in BradleyTerry.Stopping.allCases {
            let model = BradleyTerry(maxIterations: 50, tolerance: 0, stopping: stopping).fit(p)
            #expect(model.iterations == 50)
            Self.expectScores(p, model.scores, try Self.fixture(set, "bt-50.tsv"), tolerance: 1e-12, "\(set) bt-50 \(stopping)")
        }
    }

    @Test("NoisyBradleyTerry (crowd-kit defaults): scores, skills and biases within 1e-6", arguments: sets)
    func noisy(set: String) throws {
        let p = try Self.comparisons(set)
        let model = NoisyBradleyTerry().fit(p)
        Self.expectScores(p, model.scores, try Self.fixture(set, "noisy-bt.tsv"), tolerance: 1e-6, "\(set) noisy-bt")
        var worst = 0.0
        for (worker, values) in try Self.fixture(set, "noisy-bt-workers.tsv") {
            let id = try #require(p.workers.lookup(worker))
            worst = max(worst, abs(model.skills[Int(id)] - values[0]), abs(model.biases[Int(id)] - values[1]))
        }
        #expect(worst <= 1e-6, "\(set) noisy-bt workers: largest difference \(worst)")
    }

    @Test("Tally's stopping runs Hunter's MM to its fixed point")
    func converged() throws {
        let p = try Self.comparisons("gen-2k")
        let model = BradleyTerry(maxIterations: 10_000, tolerance: 1e-12).fit(p)
        #expect(model.iterations > 2 && model.iterations < 10_000)
        #expect(abs(model.scores.reduce(0, +) - 1) < 1e-12)
        let again = BradleyTerry(maxIterations: 1, tolerance: 0).fit(p)
        #expect(again.iterations == 1)
        // One more MM step from the fit changes nothing beyond the tolerance.
        let last = try #require(model.lossHistory.last)
        #expect(last < 1e-12)
    }

    @Test("the registry fits bt and noisy-bt on pairwise answers only")
    func registry() throws {
        let p = try Self.comparisons("gen-2k")
        for name in ["bt", "noisy-bt"] {
            let m = try MethodRegistry.method(named: name)
            #expect(m.accepts(.pairwise) && !m.accepts(.categorical))
            let r = try m.fit(.pairwise(p), parameters: MethodParameters(compatibility: .crowdKit))
            #expect(r.itemScores?.count == p.itemCount && r.model == nil)
            #expect(throws: AggregationError.self) { try m.fit(try MethodRegistryTests.table()) }
        }
        let bt = try MethodRegistry.method(named: "bt").fit(.pairwise(p), parameters: MethodParameters(compatibility: .crowdKit))
        Self.expectScores(p, try #require(bt.itemScores), try Self.fixture("gen-2k", "bt-ck.tsv"), tolerance: 1e-12, "registry bt")
        let noisy = try MethodRegistry.method(named: "noisy-bt").fit(.pairwise(p))
        #expect(noisy.skills?.count == p.workerCount && noisy.table("biases")?.values.count == p.workerCount)
    }
}
