import Foundation
import Testing
@testable import TallyAggregation
import TallyCore

/// BWA against its authors' reference, `code/bwa.py` of yuan-li/truth-inference-at-scale (commit
/// 621789b), run on the toy set and four real ones: `Fixtures/bwa` (see its README).
@Suite("BWA")
struct BWATests {
    static let fixtures = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/bwa")

    /// The updates are the reference's; what differs is the order of sums (scipy sums per sparse
    /// column, Tally per task-worker pair): last-bit differences, far inside the 1e-6.
    static let posteriorTolerance = 1e-9

    struct Run {
        let a: Double, lambda: Double, correction: Bool
        let iterations: [Int]
        let rates: [Double]
        let labels: [Int]
        let posteriors: [Double]
        let precisions: [Double]
    }

    static func load(_ dataset: String) throws -> (labels: [String], runs: [Run]) {
        let data = try TestData.fixtureJSON(fixtures, dataset)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let runs = try #require(json["runs"] as? [[String: Any]]).map { r in
            Run(a: try #require(r["a_v"] as? Double), lambda: try #require(r["lambda_"] as? Double),
                correction: try #require(r["prior_correction"] as? Bool), iterations: try #require(r["iterations"] as? [Int]),
                rates: try #require(r["b_v"] as? [Double]), labels: try #require(r["labels"] as? [Int]),
                posteriors: try #require(r["posteriors"] as? [Double]), precisions: try #require(r["precisions"] as? [Double]))
        }
        return (try #require(json["labels"] as? [String]), runs)
    }

    static func answersPath(_ dataset: String) throws -> String {
        dataset == "toy" ? TestData.repoRoot.appendingPathComponent("datasets/toy/answers.tsv").path : try TestData.answersPath(dataset)
    }

    static func worst(_ a: [Double], _ b: [Double], relative: Bool = false) -> Double {
        zip(a, b).map { abs($0 - $1) / (relative ? max(abs($1), 1e-300) : 1) }.max() ?? .infinity
    }

    @Test("labels, scores, iterations, prior rates and precisions are the reference's",
          arguments: ["toy", "bluebirds", "vldb-dog", "act-zc-in", "act-ms"])
    func parity(dataset: String) throws {
        let table = try AnswerReader.read(try Self.answersPath(dataset)).table
        let (labelNames, runs) = try Self.load(dataset)
        #expect(table.labels.names == labelNames)
        for run in runs {
            let model = try BWA(precisionPriorShape: run.a, meanWeight: run.lambda, priorCorrection: run.correction).fit(table)
            #expect(model.iterations == run.iterations, "\(dataset)")
            #expect(model.converged.allSatisfy { $0 })
            #expect(model.labels.map(Int.init) == run.labels, "\(dataset)")
            #expect(model.probabilities.values.count == run.posteriors.count)
            let worst = Self.worst(model.probabilities.values, run.posteriors)
            #expect(worst <= Self.posteriorTolerance, "\(dataset): max |Δ score| = \(worst)")
            #expect(Self.worst(model.priorRates, run.rates, relative: true) <= 1e-12, "\(dataset): prior rates")
            #expect(Self.worst(model.precisions, run.precisions, relative: true) <= 1e-9, "\(dataset): precisions")
            print("bwa \(dataset) a \(run.a): max |Δ score| \(worst), iterations \(model.iterations)")
        }
    }

    @Test("a hand-computed first update on three answers")
    func handComputed() throws {
        // Task a: x says 1, y says 0. Task b: x says 1. Label "1" (id 1): start z = (1/2, 1).
        let table = try AnswerTable(tasks: ["a", "a", "b"], workers: ["x", "y", "x"], labels: ["1", "0", "1"])
        let m = try BWA(maxIterations: 1).fit(table)
        // b = a · Σ W z(1−z) / pairs · 4(1 − 1/2) = 15 · (2 · 1/4) / 3 · 2 = 5 for both labels.
        #expect(m.priorRates.map { abs($0 - 5) < 1e-12 } == [true, true])
        // Label 1: μ = 3/4; v_x = (15 + 2) / (5 + (1/2 − 1)² + 0) = 17 / 5.25, v_y = 16 / (5 + 1/4).
        let vx = 17 / 5.25, vy = 16 / 5.25
        #expect(abs(m.precisions[0 * 2 + 1] - vx) < 1e-12 && abs(m.precisions[1 * 2 + 1] - vy) < 1e-12)
        // z_a = (λ μ + v_x) / (λ + v_x + v_y), z_b = (λ μ + v_x) / (λ + v_x).
        #expect(abs(m.probabilities[0, 1] - (0.75 + vx) / (1 + vx + vy)) < 1e-12)
        #expect(abs(m.probabilities[1, 1] - (0.75 + vx) / (1 + vx)) < 1e-12)
        // Label 0: μ = 1/4; z_a = (1/4 + v_y) / (1 + v_x + v_y), z_b = (1/4) / (1 + v_x) with v for label 0:
        // v_x = 17 / (5 + 1/4 + 0), v_y = 16 / (5 + (1/2 − 1)²): the same numbers.
        #expect(abs(m.probabilities[0, 0] - (0.25 + vy) / (1 + vx + vy)) < 1e-12)
        #expect(abs(m.probabilities[1, 0] - 0.25 / (1 + vx)) < 1e-12)
        #expect(m.iterations == [1, 1] && m.converged == [false, false])
    }

    @Test("options: defaults are the reference's, each changes the fit, bad values are refused")
    func options() throws {
        let defaults = BWA()
        #expect(defaults.precisionPriorShape == 15 && defaults.meanWeight == 1 && defaults.priorCorrection)
        #expect(defaults.maxIterations == 500 && defaults.tolerance == 1e-3)
        let table = try AnswerReader.read(try Self.answersPath("toy")).table
        let base = try defaults.fit(table)
        for changed in [BWA(precisionPriorShape: 3), BWA(meanWeight: 10), BWA(priorCorrection: false)] {
            #expect(try changed.fit(table).probabilities != base.probabilities)
        }
        let r = try BWA.method.fit(table, parameters: MethodParameters(["precision-prior": .double(3)]))
        #expect(r.probabilities == (try BWA(precisionPriorShape: 3).fit(table)).probabilities)
        #expect(r.table("precisions")?.values == (try BWA(precisionPriorShape: 3).fit(table)).precisions)
        for bad in [BWA(precisionPriorShape: 0), BWA(meanWeight: -1), BWA(maxIterations: -1), BWA(tolerance: .nan)] {
            #expect(throws: AggregationError.self) { try bad.fit(table) }
        }
        // No updates: the vote shares.
        let start = try BWA(maxIterations: 0).fit(table)
        #expect(start.iterations.allSatisfy { $0 == 0 })
        let mv = try MajorityVote().fit(table).probabilities.values
        #expect(zip(start.probabilities.values, mv).allSatisfy { abs($0 - $1) < 1e-15 })
    }

    @Test("unanimous answers: the shares are kept, no NaN")
    func unanimous() throws {
        let table = try AnswerTable(tasks: ["a", "a", "b", "b"], workers: ["x", "y", "x", "y"], labels: ["1", "1", "0", "0"])
        let m = try BWA().fit(table)
        #expect(m.probabilities.values == [0, 1, 1, 0])
        #expect(m.converged == [true, true] && m.iterations == [0, 0])
    }
}
