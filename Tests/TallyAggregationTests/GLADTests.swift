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
        // The first EM iteration (one E-step, one 25-step conjugate-gradient M-step) reaches
        // crowd-kit's objective closely; later iterations drift apart through rounding.
        let firstRow = try #require(loss["1"])
        let firstLoss = try #require(Double(firstRow[0]))
        let first = try #require(model.lossHistory.first)
        #expect(abs(first - firstLoss) <= 1e-4 * abs(firstLoss), "\(dataset): first loss \(first), crowd-kit \(firstLoss)")
        if dataset == "toy" {
            // Small enough to follow crowd-kit to the last digit or so through all 11 iterations.
            #expect(model.iterations == row.iterations)
            for (i, value) in model.lossHistory.enumerated() {
                let r = try #require(loss[String(i + 1)])
                let expected = try #require(Double(r[0]))
                #expect(abs(value - expected) <= 1e-9)
            }
            #expect(maxAlpha <= 1e-9)
        }
        print("GLAD \(dataset): agreement \(agreement) accuracy \(accuracy) vs \(row.accuracy) iterations \(model.iterations) vs \(row.iterations) loss \(model.lossHistory.last ?? .nan) vs \(lastLoss) max|Δα| \(maxAlpha) evals \(model.evaluations) lsfail \(model.lineSearchFailures)")
        #expect(agreement >= 0.995, "\(dataset): labels agree on \(agreement)")
        #expect(abs(accuracy - row.accuracy) <= 0.003, "\(dataset): accuracy \(accuracy), crowd-kit \(row.accuracy)")
    }
}

@Suite("GLAD")
struct GLADTests {
    @Test("default stopping: the relative change of the objective", arguments: ["vldb-possent", "act-sp-amt"])
    func relativeStopping(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let gold = try GoldReader.read(TestData.goldPath(dataset))
        let model = try GLAD().fit(table)
        let h = model.lossHistory
        #expect(h.count >= 2 && h.count < 100)
        let n = h.count
        #expect(abs(h[n - 1] - h[n - 2]) <= 1e-5 * abs(h[n - 2]))
        for i in 1..<(n - 1) { #expect(abs(h[i] - h[i - 1]) > 1e-5 * abs(h[i - 1])) }
        #expect(Evaluation(labels: model.labels, of: table, gold: gold).accuracy >= 0.94)
        let oneStep = try GLAD(maxIterations: 1).fit(table)
        #expect(oneStep.iterations == 1)
        let none = try GLAD(maxIterations: 0).fit(table)
        #expect(none.iterations == 0 && none.alphas.allSatisfy { $0 == 1 })
    }

    @Test("degenerate data gives finite results", arguments: ["one worker", "one class", "5000 answers on a task", "unanimous", "ten labels"])
    func degenerate(_ kind: String) throws {
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        func add(_ t: String, _ w: String, _ l: String) { tasks.append(t); workers.append(w); labels.append(l) }
        switch kind {
        case "one worker":
            for t in 0..<50 { add("t\(t)", "w", t % 3 == 0 ? "a" : "b") }
        case "one class":
            for t in 0..<20 { for w in 0..<3 { add("t\(t)", "w\(w)", "same") } }
        case "5000 answers on a task":
            for w in 0..<5000 { add("big", "w\(w)", w % 2 == 0 ? "a" : "b") }
            for t in 0..<30 { for w in 0..<3 { add("t\(t)", "w\(w)", (t + w) % 4 == 0 ? "a" : "b") } }
        case "unanimous":
            for t in 0..<30 { for w in 0..<5 { add("t\(t)", "w\(w)", t % 2 == 0 ? "yes" : "no") } }
        default:
            for t in 0..<200 { for w in 0..<4 { add("t\(t)", "w\(w)", w == 3 ? "l\((t * 7) % 10)" : "l\(t % 10)") } }
        }
        let table = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        for stopping in GLAD.Stopping.allCases {
            let model = try GLAD(stopping: stopping).fit(table)
            #expect(model.probabilities.values.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 }, "\(kind)")
            #expect(model.alphas.allSatisfy(\.isFinite) && model.betas.allSatisfy(\.isFinite), "\(kind)")
            #expect(model.lossHistory.allSatisfy { !$0.isNaN }, "\(kind)")
            for t in 0..<table.taskCount {
                let row = model.probabilities.row(t)
                #expect(abs(row.reduce(0, +) - 1) < 1e-9)
            }
            if kind == "unanimous" {
                // Every task gets the label all its workers gave.
                let mv = try MajorityVote().fit(table)
                #expect(model.labels == mv.labels)
            }
        }
    }

    @Test("label priors and prior means are used; bad ones are refused")
    func priors() throws {
        let table = try AnswerTable(tasks: ["t1", "t1", "t2", "t2"], workers: ["a", "b", "a", "b"], labels: ["x", "y", "x", "y"])
        // A split vote: the prior decides.
        let toY = try GLAD(labelPriors: ["x": 0.2, "y": 0.8]).fit(table)
        #expect(toY.labels == [1, 1])
        #expect(toY.priors == [0.2, 0.8])
        let toX = try GLAD(labelPriors: ["x": 0.8, "y": 0.2]).fit(table)
        #expect(toX.labels == [0, 0])
        #expect(throws: AggregationError.self) { try GLAD(labelPriors: ["x": 1]).fit(table) }
        #expect(throws: AggregationError.self) { try GLAD(labelPriors: ["x": 0.5, "y": 0.5, "z": 0.1]).fit(table) }
        #expect(throws: AggregationError.self) { try GLAD(labelPriors: ["x": 0, "y": 1]).fit(table) }
        // Trusting worker b a priori (a high prior mean of α) sides with b.
        let trustB = try GLAD(alphaPriorMeans: ["a": -2, "b": 3]).fit(table)
        #expect(trustB.labels == [1, 1])
        #expect(trustB.alphas[1] > trustB.alphas[0])
        #expect(throws: AggregationError.self) { try GLAD(maxIterations: -1).fit(table) }
        #expect(throws: AggregationError.self) { try GLAD(tolerance: .nan).fit(table) }
    }

    @Test("one thread or two: the same bits")
    func threads() throws {
        // 250,000 answers: large enough to be split in two parts.
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        for t in 0..<50_000 {
            let truth = t % 3
            for j in 0..<5 {
                let w = (t * 7 + j * 13) % 400
                let right = (t &* 2_654_435_761 &+ j &* 40_503) % 100 < 40 + (w % 5) * 12
                tasks.append("t\(t)"); workers.append("w\(w)"); labels.append("c\(right ? truth : (truth + 1 + j % 2) % 3)")
            }
        }
        let table = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        let one = try GLAD(maxIterations: 3, execution: ExecutionSettings(threads: 1)).fit(table)
        let two = try GLAD(maxIterations: 3, execution: ExecutionSettings(threads: 2)).fit(table)
        #expect(one.labels == two.labels)
        #expect(one.alphas == two.alphas)
        #expect(one.betas == two.betas)
        #expect(one.lossHistory == two.lossHistory)
    }
}
