import Foundation
import Testing
import TallyAggregation
import TallyCore

@Suite("KOS")
struct KOSTests {
    @Test("reproduces crowd-kit's accuracy on the JOSS binary sets", arguments: [("vldb-product", 0.8955), ("vldb-possent", 0.9330)])
    func joss(dataset: String, expected: Double) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let model = try KOS().fit(table)
        let gold = try GoldReader.read(TestData.goldPath(dataset))
                #expect(abs(Evaluation(labels: model.labels, of: table, gold: gold).accuracy - expected) < 5e-5)
    }

    @Test("two labels only; the same seed gives the same labels")
    func binaryOnlyAndSeeded() throws {
        let three = try AnswerTable(tasks: ["t1", "t1", "t2"], workers: ["a", "b", "a"], labels: ["x", "y", "z"])
        #expect(throws: AggregationError.self) { try KOS().fit(three) }
        let table = try AnswerReader.read(TestData.answersPath("act-sp")).table
        #expect(try KOS(seed: 3).fit(table).labels == KOS(seed: 3).fit(table).labels)
        #expect(try KOS().fit(table).probabilities.values.allSatisfy { $0 == 0 || $0 == 1 })
    }
}

@Suite("KOS against crowd-kit")
struct KOSCrowdKitTests {
    static let dir = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/crowdkit-more")

    /// (dataset, crowd-kit accuracy) for every binary data set crowd-kit's KOS finished on.
    static let rows: [(String, Double)] = {
        let text = (try? String(contentsOf: dir.appendingPathComponent("manifest.tsv"), encoding: .utf8)) ?? ""
        return TestData.rows(text).filter { $0.count > 6 && $0[1] == "kos" && $0[2] == "ok" }.compactMap { r in
            Double(r[6]).map { (r[0], $0) }
        }
    }()

    @Test("the fixtures hold crowd-kit's KOS on the binary data sets")
    func coverage() {
        #expect(Self.rows.count >= 10, "\(Self.rows.count) KOS fixtures")
    }

    @Test("no worse than crowd-kit's KOS on every binary data set", arguments: rows.map(\.0))
    func noWorse(dataset: String) throws {
        let expected = try #require(Self.rows.first { $0.0 == dataset }?.1)
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let model = try KOS().fit(table)
        let gold = try GoldReader.read(TestData.goldPath(dataset))
                let accuracy = Evaluation(labels: model.labels, of: table, gold: gold).accuracy
        #expect(accuracy >= expected - 5e-4, "\(dataset): ours \(accuracy), crowd-kit \(expected)")
    }
}
