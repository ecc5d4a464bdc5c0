import Foundation
import Testing
@testable import TallyAggregation
import TallyCore

/// Dawid-Skene with Dirichlet pseudo-counts (MAP) and the worker report.
@Suite("Dawid-Skene MAP and worker report")
struct DawidSkeneMAPTests {
    /// Task a: x says 1, y says 0; task b: x says 1. Labels "0" (id 0) and "1" (id 1).
    static func tiny() throws -> AnswerTable {
        try AnswerTable(tasks: ["a", "a", "b"], workers: ["x", "y", "x"], labels: ["1", "0", "1"])
    }

    @Test("the first M-step by hand: pseudo-counts on every label, the class prior smoothed")
    func handComputedMStep() throws {
        let table = try Self.tiny()
        let a = DawidSkene.PseudoCounts(diagonal: 2, offDiagonal: 1, classes: 1)
        let m = try DawidSkene(maxIterations: 0, pseudoCounts: a).fit(table)
        // Majority-vote start: a = (1/2, 1/2), b = (0, 1). Counts n[x,1,·] = (1/2, 3/2), n[x,0,·] = 0,
        // n[y,0,·] = (1/2, 1/2), n[y,1,·] = 0.
        // Worker x, truth 0: (0 + 2, 1/2 + 1) / 3.5; truth 1: (0 + 1, 3/2 + 2) / 4.5.
        let x = 0, y = 1
        #expect(abs(m.confusions[x, 0, 0] - 2 / 3.5) < 1e-15 && abs(m.confusions[x, 1, 0] - 1.5 / 3.5) < 1e-15)
        #expect(abs(m.confusions[x, 0, 1] - 1 / 4.5) < 1e-15 && abs(m.confusions[x, 1, 1] - 3.5 / 4.5) < 1e-15)
        // Worker y, truth 0: (1/2 + 2, 0 + 1) / 3.5; truth 1: (1/2 + 1, 0 + 2) / 3.5.
        #expect(abs(m.confusions[y, 0, 0] - 2.5 / 3.5) < 1e-15 && abs(m.confusions[y, 1, 0] - 1 / 3.5) < 1e-15)
        #expect(abs(m.confusions[y, 0, 1] - 1.5 / 3.5) < 1e-15 && abs(m.confusions[y, 1, 1] - 2 / 3.5) < 1e-15)
        // Class prior (Σ P + 1) / (2 + 2).
        #expect(abs(m.priors[0] - 1.5 / 4) < 1e-15 && abs(m.priors[1] - 2.5 / 4) < 1e-15)
        // Without pseudo-counts worker y's unseen answer has probability 0 and x's columns are 0/1.
        let plain = try DawidSkene(maxIterations: 0).fit(table)
        #expect(plain.confusions[y, 1, 0] == 0 && plain.confusions[x, 1, 1] == 1)

        // One E-step from those: task a's posterior ∝ π_c e[x,1,c] e[y,0,c].
        let one = try DawidSkene(maxIterations: 1, pseudoCounts: a).fit(table)
        let s0 = 1.5 / 4 * (1.5 / 3.5) * (2.5 / 3.5), s1 = 2.5 / 4 * (3.5 / 4.5) * (1.5 / 3.5)
        #expect(abs(one.probabilities[0, 1] - s1 / (s0 + s1)) < 1e-12)
    }

    @Test("MAP's M-step from IBCC's posteriors gives IBCC's expected confusions and class proportions")
    func coincidesWithIBCC() throws {
        let table = try AnswerReader.read(TestData.answersPath("bluebirds")).table
        #expect(table.duplicates.pairs == 0)
        for (diagonal, offDiagonal, classes) in [(4.0, 1.0, 1.0), (2.0, 0.5, 3.0)] {
            let ibcc = try IBCC(diagonalPrior: diagonal, offDiagonalPrior: offDiagonal, classPrior: classes).fit(table)
            let a = DawidSkene.PseudoCounts(diagonal: diagonal, offDiagonal: offDiagonal, classes: classes)
            let ds = try DawidSkeneEngine.fit(table, mStep: .full, maxIterations: 0, tolerance: 0, progress: nil,
                                              execution: ExecutionSettings()) { engine in
                engine.start = ibcc.probabilities.values
                engine.pseudoCounts = a
            }
            let worst = zip(ds.confusions.values, ibcc.confusions.values).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-12, "max |Δ confusion| \(worst)")
            #expect(zip(ds.priors, ibcc.classProportions).allSatisfy { abs($0 - $1) < 1e-12 })
        }
    }

    @Test("off by default: zero pseudo-counts and the registry's defaults are plain Dawid-Skene, bit for bit")
    func defaultOff() throws {
        let table = try AnswerReader.read(TestData.answersPath("zhou-web")).table
        let plain = try DawidSkene().fit(table)
        let zero = try DawidSkene(pseudoCounts: .init(diagonal: 0, offDiagonal: 0, classes: 0)).fit(table)
        #expect(plain.probabilities == zero.probabilities && plain.lossHistory == zero.lossHistory && plain.confusions == zero.confusions)
        let registry = try DawidSkene.method.fit(table)
        #expect(registry.probabilities == plain.probabilities)
        let map = try DawidSkene.method.fit(table, parameters: MethodParameters(["prior-diagonal": .double(2), "prior-off-diagonal": .double(1)]))
        #expect(map.probabilities == (try DawidSkene(pseudoCounts: .init(diagonal: 2, offDiagonal: 1, classes: 0)).fit(table)).probabilities)
        #expect(throws: AggregationError.self) { try DawidSkene(pseudoCounts: .init(diagonal: -1, offDiagonal: 0, classes: 0)).fit(table) }
        #expect(throws: AggregationError.self) { try DawidSkene(pseudoCounts: .init(diagonal: 1, offDiagonal: .nan, classes: 0)).fit(table) }
    }

    @Test("sparse workers: plain DS gives one-answer workers 0/1 confusion columns, MAP does not")
    func sparseWorkers() throws {
        let table = try AnswerReader.read(TestData.answersPath("act-cf")).table
        let k = table.labelCount
        let single = (0..<table.workerCount).filter { table.byWorker.offsets[$0 + 1] - table.byWorker.offsets[$0] == 1 }
        #expect(single.count > 100)
        let plain = try DawidSkene().fit(table)
        let map = try DawidSkene(pseudoCounts: .init(diagonal: 2, offDiagonal: 1, classes: 1)).fit(table)
        // The one answer's row: plain DS puts (clipped) probability 1 on it for every truth.
        let w = single[0], y = Int(table.byWorker.entries[table.byWorker.offsets[w]]) % k
        #expect((0..<k).allSatisfy { plain.confusions[w, y, $0] > 1 - 1e-8 })
        #expect((0..<k).allSatisfy { map.confusions[w, y, $0] < 0.5 })
        #expect(map.confusions[w, y, y] > map.confusions[w, y, (y + 1) % k])
        #expect(map.lossHistory.allSatisfy { $0.isFinite })
    }

    @Test("worker report by hand: trace, spammer score, rank-one distance")
    func workerReport() throws {
        let table = try AnswerTable(tasks: ["a", "a", "b"], workers: ["x", "y", "z"], labels: ["0", "1", "1"])
        // values[(w * K + answer) * K + truth]. x: sensitivity 0.8 (truth 1 → answer 1), specificity 0.9;
        // y: answers 1 with probability 0.7 whatever the truth (a spammer); z: perfect.
        let values: [Double] = [0.9, 0.2, 0.1, 0.8, 0.3, 0.3, 0.7, 0.7, 1, 0, 0, 1]
        let c = ConfusionMatrices(workerCount: 3, labelCount: 2, values: values, observed: [Bool](repeating: true, count: 6))
        let r = WorkerReport(table, confusions: c)
        #expect(abs(r.trace[0] - 1.7) < 1e-14 && abs(r.trace[1] - 1.0) < 1e-14 && r.trace[2] == 2)
        // Two labels: S = (sensitivity + specificity − 1)²; distance² = (K − 1) S.
        #expect(abs(r.spammerScore[0] - 0.49) < 1e-14 && abs(r.spammerScore[1]) < 1e-14 && abs(r.spammerScore[2] - 1) < 1e-14)
        #expect(abs(r.rankOneDistance[0] - 0.7) < 1e-14 && abs(r.rankOneDistance[2] - 1) < 1e-14)
        #expect(r.answers == [1, 1, 1])
        // Three labels: rows (truth) (1,0,0), (0,1,0), (1/3,1/3,1/3): mean row (4/9, 4/9, 1/9);
        // ‖A − e āᵀ‖² = (25+16+1)/81 + (16+25+1)/81 + (1+1+4)/81 = 90/81; S = that / 2.
        let one = try AnswerTable(tasks: ["a"], workers: ["x"], labels: ["0"])
        let third = 1.0 / 3
        var v3 = [Double](repeating: 0, count: 9)
        for (truth, row) in [[1, 0, 0], [0, 1, 0], [third, third, third]].enumerated() {
            for (answer, p) in row.enumerated() { v3[answer * 3 + truth] = p }
        }
        let r3 = WorkerReport(one, confusions: ConfusionMatrices(workerCount: 1, labelCount: 3, values: v3, observed: [true, true, true]))
        #expect(abs(r3.spammerScore[0] - 45.0 / 81) < 1e-14)
        #expect(abs(r3.rankOneDistance[0] - (90.0 / 81).squareRoot()) < 1e-14)
        #expect(abs(r3.trace[0] - (2 + third)) < 1e-14)
    }

    @Test("worker report from posteriors (BWA): expected confusions under the normalised scores")
    func posteriorConfusions() throws {
        let table = try Self.tiny()
        // Posteriors a = (0.2, 0.6) (normalised (0.25, 0.75)), b = (0, 1).
        let p = ProbabilityMatrix(rows: 2, columns: 2, values: [0.2, 0.6, 0, 1])
        let c = WorkerReport.posteriorConfusions(table, p)
        // x answered 1 on a and b: every truth column puts all mass on answer 1.
        #expect(c[0, 1, 0] == 1 && c[0, 1, 1] == 1 && c[0, 0, 0] == 0)
        // y answered 0 on a only: answer 0 for both truths.
        #expect(c[1, 0, 0] == 1 && c[1, 0, 1] == 1)
        let table2 = try AnswerTable(tasks: ["a", "b"], workers: ["x", "x"], labels: ["0", "1"])
        let c2 = WorkerReport.posteriorConfusions(table2, ProbabilityMatrix(rows: 2, columns: 2, values: [0.25, 0.75, 0.5, 0.5]))
        // Truth 0 mass: a 0.25 (answer 0), b 0.5 (answer 1) → (1/3, 2/3); truth 1: 0.75, 0.5 → (0.6, 0.4).
        #expect(abs(c2[0, 0, 0] - 1.0 / 3) < 1e-15 && abs(c2[0, 1, 1] - 0.4) < 1e-15)
        let bwa = try BWA.method.fit(table2)
        #expect(WorkerReport(table2, bwa).confusions.workerCount == 1)
    }
}
