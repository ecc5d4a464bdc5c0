import Foundation
import Testing
@testable import TallyAggregation
import TallyCore

/// Minimax conditional entropy against the VLDB 2017 benchmark's reference (`methods/l_minimax` of
/// zhydhkcws/crowd_truth_infer, Qiang Liu's MATLAB with minFunc), run under GNU Octave by
/// `scripts/minimax_fixtures.py`: `Fixtures/minimax` (see its README).
@Suite("Minimax entropy")
struct MinimaxEntropyTests {
    static let fixtures = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/minimax")

    /// Tally repeats the reference's operations in its order (names sorted as `unique` sorts them,
    /// minFunc's L-BFGS and line search step for step), so what differs are last bits: Octave's
    /// BLAS sums its dot products in its own order, and libm's `exp`/`log` may differ in the last
    /// place. Measured on the ten fixture sets: at most 5e-14, with the same labels and no
    /// reference ties; 1e-9 leaves room for another libm and stays far inside the 1e-6.
    static let posteriorTolerance = 1e-9

    static let datasets = ["bluebirds", "vldb-face", "act-cf", "vldb-dog", "snow-rte", "gal-bm", "act-cf-amt", "snow-wsd", "snow-temp", "act-ms"]

    @Test("posteriors are the reference's", arguments: datasets)
    func parity(dataset: String) throws {
        let url = Self.fixtures.appendingPathComponent("\(dataset).json")
        guard FileManager.default.fileExists(atPath: url.path) || FileManager.default.fileExists(atPath: url.path + ".gz") else {
            try Test.cancel("no fixture for \(dataset)")
        }
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let json = try #require(try JSONSerialization.jsonObject(with: TestData.fixtureJSON(Self.fixtures, dataset)) as? [String: Any])
        let labels = try #require(json["labels"] as? [String])
        let tasks = try #require(json["tasks"] as? [String])
        let posteriors = try #require(json["posteriors"] as? [[Double]])
        #expect(table.labels.names == labels)
        #expect(tasks.count == table.taskCount)
        let model = try MinimaxEntropy().fit(table)
        let k = table.labelCount
        var worst = 0.0, labelDifferences = 0, referenceTies = 0
        for (row, name) in tasks.enumerated() {
            let t = try #require(table.tasks.lookup(name))
            let mine = Array(model.probabilities.values[(Int(t) * k)..<(Int(t) * k + k)])
            for c in 0..<k { worst = max(worst, abs(mine[c] - posteriors[row][c])) }
            let top = posteriors[row].max()!
            let tops = posteriors[row].indices.filter { posteriors[row][$0] == top }
            if tops.count > 1 { referenceTies += 1; continue }   // the reference breaks these at random
            if Int(model.labels[Int(t)]) != tops[0] { labelDifferences += 1 }
        }
        print("minimax \(dataset): \(model.iterations) iterations, max |Δ posterior| \(worst), \(labelDifferences) labels differ, \(referenceTies) reference ties")
        #expect(worst <= Self.posteriorTolerance, "\(dataset): max |Δ posterior| = \(worst)")
        #expect(labelDifferences == 0)
    }

    @Test("the model does not depend on the order of the rows, only on the names")
    func rowOrder() throws {
        let table = try AnswerReader.read(TestData.answersPath("toy")).table
        let n = table.answerCount
        let reversed = try AnswerTable(tasks: (0..<n).reversed().map { table.tasks.name(table.task[$0]) },
                                       workers: (0..<n).reversed().map { table.workers.name(table.worker[$0]) },
                                       labels: (0..<n).reversed().map { table.labels[Int(table.label[$0])] })
        let a = try MinimaxEntropy().fit(table), b = try MinimaxEntropy().fit(reversed)
        for t in 0..<table.taskCount {
            let u = Int(try #require(reversed.tasks.lookup(table.tasks.name(Int32(t)))))
            for c in 0..<table.labelCount {
                #expect(a.probabilities.values[t * table.labelCount + c] == b.probabilities.values[u * table.labelCount + c])
            }
        }
    }

    @Test("threads do not change the fit; settings are checked")
    func threadsAndSettings() throws {
        let table = try AnswerReader.read(TestData.answersPath("toy")).table
        var one = MinimaxEntropy(), two = MinimaxEntropy()
        one.execution.threads = 1
        two.execution.threads = 2
        #expect(try one.fit(table).probabilities == two.fit(table).probabilities)
        #expect(throws: AggregationError.self) { try MinimaxEntropy(tolerance: -1).fit(table) }
        #expect(throws: AggregationError.self) { try MinimaxEntropy(workerRegularization: .nan).fit(table) }
        // A stronger task term changes the fit.
        #expect(try MinimaxEntropy(taskRegularization: 10).fit(table).probabilities != one.fit(table).probabilities)
    }

    @Test("minFunc's cubic step: the minimiser of the cubic through two points, clamped")
    func cubic() {
        // f(x) = (x - 1)², sampled at 0 and 3 with derivatives: the cubic is the parabola itself.
        let t = MinFuncLBFGS.cubic((0, 1, -2), (3, 4, 4), lower: 0, upper: 3)
        #expect(abs(t - 1) < 1e-12)
        #expect(MinFuncLBFGS.cubic((0, 1, -2), (3, 4, 4), lower: 2, upper: 3) == 2)
        // L-BFGS finds the minimum of a convex quadratic.
        var x = [5.0, -3.0]
        MinFuncLBFGS(maxIterations: 50, optimalityTolerance: 1e-10, progressTolerance: 1e-14).minimize(&x) { x, g in
            g[0] = 2 * (x[0] - 1); g[1] = 8 * (x[1] + 2)
            return (x[0] - 1) * (x[0] - 1) + 4 * (x[1] + 2) * (x[1] + 2)
        }
        #expect(abs(x[0] - 1) < 1e-6 && abs(x[1] + 2) < 1e-6, "x = \(x)")   // minFunc stops on progress: f moves by < 1e-14
    }
}
