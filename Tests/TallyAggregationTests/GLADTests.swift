import Foundation
import Testing
import TallyAggregation
import TallyCore

/// crowd-kit 1.4.2's GLAD output on every data set, made by `scripts/crowdkit_fixtures_more.py`.
enum GLADFixtures {
    static let dir = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/crowdkit-more")

    struct Row: Sendable { let dataset: String; let iterations: Int; let accuracy: Double }

    static let rows: [Row] = {
        let text = (try? String(contentsOf: dir.appendingPathComponent("manifest.tsv"), encoding: .utf8)) ?? ""
        return TestData.rows(text).filter { $0.count > 6 && $0[1] == "glad" && $0[2] == "ok" }.compactMap { r in
            guard let n = Int(r[5]), let a = Double(r[6]) else { return nil }
            return Row(dataset: r[0], iterations: n, accuracy: a)
        }
    }()

    /// name → value columns of a fixture file (first column is the key).
    static func table(_ dataset: String, _ file: String) throws -> [String: [String]] {
        let rows = TestData.rows(try TestData.gunzip(dir.appendingPathComponent("\(dataset)/\(file)"))).dropFirst()
        var out: [String: [String]] = [:]
        for r in rows { out[r[0]] = Array(r.dropFirst()) }
        return out
    }
}

@Suite("GLAD against crowd-kit")
struct GLADCrowdKitTests {
    @Test("the fixtures hold crowd-kit's GLAD on every data set")
    func coverage() {
        #expect(GLADFixtures.rows.count == 24)
    }

    @Test("compatibility stopping: labels, accuracy, iterations, loss, abilities", arguments: GLADFixtures.rows.map(\.dataset))
    func parity(dataset: String) throws {
        let row = try #require(GLADFixtures.rows.first { $0.dataset == dataset })
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let model = try GLAD(stopping: .crowdKit).fit(table)
        let labels = try GLADFixtures.table(dataset, "glad.labels.tsv.gz")
        var agree = 0
        for (task, value) in labels {
            let t = try #require(table.tasks.lookup(task))
            if table.labels.names[Int(model.labels[Int(t)])] == value[0] { agree += 1 }
        }
        let agreement = Double(agree) / Double(labels.count)
        let gold = try GoldReader.read(TestData.goldPath(dataset))
        let accuracy = Evaluation(labels: model.labels, of: table, gold: gold).accuracy
        let loss = try GLADFixtures.table(dataset, "glad.loss.tsv.gz")
        let lastRow = try #require(loss[String(row.iterations)])
        let lastLoss = try #require(Double(lastRow[0]))
        let alphas = try GLADFixtures.table(dataset, "glad.alphas.tsv.gz")
        var maxAlpha = 0.0
        for (worker, value) in alphas {
            let w = try #require(table.workers.lookup(worker))
            maxAlpha = max(maxAlpha, abs(model.alphas[Int(w)] - Double(value[0])!))
        }
        print("GLAD \(dataset): agreement \(agreement) accuracy \(accuracy) vs \(row.accuracy) iterations \(model.iterations) vs \(row.iterations) loss \(model.lossHistory.last ?? .nan) vs \(lastLoss) max|Δα| \(maxAlpha) evals \(model.evaluations) lsfail \(model.lineSearchFailures)")
        #expect(agreement >= 0.995, "\(dataset): labels agree on \(agreement)")
        #expect(abs(accuracy - row.accuracy) <= 0.003, "\(dataset): accuracy \(accuracy), crowd-kit \(row.accuracy)")
    }
}
