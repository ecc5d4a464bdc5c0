import Foundation
import Testing
@testable import TallyAggregation
import TallyCore

/// IBCC against its authors' reference, `code/ibcc.py` of yuan-li/truth-inference-at-scale
/// (commit 621789b), run on the toy set and four real ones: `Fixtures/ibcc` (see its README).
@Suite("IBCC")
struct IBCCTests {
    static let fixtures = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/ibcc")

    /// The reference's loop is repeated operation for operation, so what remains are last-bit
    /// differences in the order of the sums (scipy's sparse products sum per label, Tally per
    /// answer): measured at most 1.4e-15 on posteriors (Tally uses SciPy's digamma, ported). The
    /// iteration counts are equal, so the posteriors are those of the same iterate; 1e-9 leaves
    /// room for another libm while staying far inside the 1e-6.
    static let posteriorTolerance = 1e-9
    /// The ELBO (not in the reference: computed by the fixture script beside its loop, from the
    /// same quantities) is a sum over every task and worker: within 1e-9 relative.
    static let elboRelativeTolerance = 1e-9

    struct Run {
        let diagonalPrior: Double, offDiagonalPrior: Double, classPrior: Double
        let iterations: Int
        let elbo: [Double]
        let labels: [Int]
        let posteriors: [Double]
    }

    static func load(_ dataset: String) throws -> (labels: [String], runs: [Run]) {
        let data = try TestData.fixtureJSON(fixtures, dataset)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let runs = try #require(json["runs"] as? [[String: Any]]).map { r in
            Run(diagonalPrior: try #require(r["a_v"] as? Double), offDiagonalPrior: try #require(r["b_v"] as? Double),
                classPrior: try #require(r["alpha"] as? Double), iterations: try #require(r["iterations"] as? Int),
                elbo: try #require(r["elbo"] as? [Double]), labels: try #require(r["labels"] as? [Int]),
                posteriors: try #require(r["posteriors"] as? [Double]))
        }
        return (try #require(json["labels"] as? [String]), runs)
    }

    static func answersPath(_ dataset: String) throws -> String {
        dataset == "toy" ? TestData.repoRoot.appendingPathComponent("datasets/toy/answers.tsv").path : try TestData.answersPath(dataset)
    }

    @Test("labels, posteriors, iterations and ELBO are the reference's", arguments: ["toy", "bluebirds", "snow-rte", "vldb-dog", "zhou-web"])
    func parity(dataset: String) throws {
        let table = try AnswerReader.read(Self.answersPath(dataset)).table
        let (labelNames, runs) = try Self.load(dataset)
        #expect(table.labels.names == labelNames)
        for run in runs {
            let model = try IBCC(diagonalPrior: run.diagonalPrior, offDiagonalPrior: run.offDiagonalPrior, classPrior: run.classPrior).fit(table)
            #expect(model.iterations == run.iterations, "\(dataset)")
            #expect(model.converged)
            #expect(model.labels.map(Int.init) == run.labels, "\(dataset)")
            #expect(model.probabilities.values.count == run.posteriors.count)
            let worst = zip(model.probabilities.values, run.posteriors).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= Self.posteriorTolerance, "\(dataset): max |Δ posterior| = \(worst)")
            #expect(model.elboHistory.count == run.elbo.count)
            for (a, b) in zip(model.elboHistory, run.elbo) {
                #expect(abs(a - b) <= Self.elboRelativeTolerance * abs(b), "\(dataset): ELBO \(a) vs \(b)")
            }
            #expect(zip(model.elboHistory, model.elboHistory.dropFirst()).allSatisfy { $1 >= $0 - 1e-9 * abs($0) }, "\(dataset): ELBO decreased")
            print("ibcc \(dataset) a_v \(run.diagonalPrior): max |Δ posterior| \(worst), ELBO \(model.elboHistory.last!) vs \(run.elbo.last!)")
        }
    }

    @Test("the prior options: defaults are the reference's, each changes the fit, bad values are refused")
    func priors() throws {
        let defaults = IBCC()
        #expect(defaults.diagonalPrior == 4 && defaults.offDiagonalPrior == 1 && defaults.classPrior == 1)
        #expect(defaults.maxIterations == 500 && defaults.tolerance == 1e-3)
        let table = try AnswerReader.read(Self.answersPath("toy")).table
        let base = try defaults.fit(table)
        for changed in [IBCC(diagonalPrior: 10), IBCC(offDiagonalPrior: 0.1), IBCC(classPrior: 50)] {
            let m = try changed.fit(table)
            #expect(m.probabilities != base.probabilities)
        }
        // Confusion rows are probability vectors over the answered label, prior-filled.
        let k = table.labelCount
        for w in 0..<table.workerCount {
            for c in 0..<k {
                let column = (0..<k).reduce(0.0) { $0 + base.confusions[w, $1, c] }
                #expect(abs(column - 1) < 1e-12)
            }
        }
        #expect(abs(base.classProportions.reduce(0, +) - 1) < 1e-12)
        // Through the registry: the parameters and their defaults.
        let r = try IBCC.method.fit(table, parameters: MethodParameters(["diagonal-prior": .double(10)]))
        #expect(r.probabilities == (try IBCC(diagonalPrior: 10).fit(table)).probabilities)
        #expect(IBCC.method.parameter("off-diagonal-prior")?.defaultValue == .double(1))
        #expect(IBCC.method.parameter("class-prior")?.defaultValue == .double(1))
        #expect(IBCC.method.parameter("max-iterations")?.defaultValue == .int(500))
        for bad in [IBCC(diagonalPrior: 0), IBCC(offDiagonalPrior: -1), IBCC(classPrior: .nan), IBCC(maxIterations: -1), IBCC(tolerance: .infinity)] {
            #expect(throws: AggregationError.self) { try bad.fit(table) }
        }
        // No iterations: the majority-vote start.
        let start = try IBCC(maxIterations: 0).fit(table)
        #expect(start.iterations == 0 && start.elboHistory.isEmpty)
        let mv = try MajorityVote().fit(table).probabilities.values
        #expect(zip(start.probabilities.values, mv).allSatisfy { abs($0 - $1) < 1e-15 })
        // Few iterations: not converged, said so.
        let short = try IBCC(maxIterations: 2).fit(table)
        #expect(short.iterations == 2 && !short.converged)
    }

    @Test("no answers: refused before fitting")
    func noAnswers() throws {
        #expect(throws: InputError.self) { try AnswerTable(tasks: [], workers: [], labels: []) }
    }

    @Test("a repeated (task, worker, label) answer counts once, as in the reference")
    func repeatedAnswers() throws {
        let once = try AnswerTable(tasks: ["a", "a", "b", "b", "b"], workers: ["x", "y", "x", "y", "z"], labels: ["1", "0", "0", "1", "1"])
        let twice = try AnswerTable(tasks: ["a", "a", "a", "b", "b", "b"], workers: ["x", "y", "x", "x", "y", "z"], labels: ["1", "0", "1", "0", "1", "1"])
        #expect(try IBCC().fit(once).probabilities == (try IBCC().fit(twice)).probabilities)
    }
}
