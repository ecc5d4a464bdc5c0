import Foundation
import Testing
@testable import TallyAggregation
import TallyCore

/// crowd-kit's MACE on data renamed so that worker and label names sort in first-appearance order
/// (the only case where crowd-kit 1.4.2's MACE computes the model; scripts/crowdkit_fixtures_mace_sorted.py).
enum MACEFixtures {
    static let dir = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/crowdkit-mace-sorted")

    /// (dataset, method tag, crowd-kit accuracy).
    static let rows: [(dataset: String, method: String, accuracy: Double)] = {
        let text = (try? String(contentsOf: dir.appendingPathComponent("manifest.tsv"), encoding: .utf8)) ?? ""
        return TestData.rows(text).filter { $0.count > 6 && $0[2] == "ok" && !$0[0].hasPrefix("#") }.compactMap { r in
            Double(r[6]).map { (r[0], r[1], $0) }
        }
    }()

    static func accuracy(_ dataset: String, _ method: String) -> Double? {
        rows.first { $0.dataset == dataset && $0.method == method }?.accuracy
    }

    /// crowd-kit's initial `spamming_` (W×2) and `thetas_` (W×K) for `random_state` 0, in the
    /// default engine's test hook (the draws of ``MACECrowdKitEngine``, numpy's MT19937).
    static func crowdKitStart(workers: Int, labels: Int) -> (spamming: [Double], strategies: [Double]) {
        let p = MACECrowdKitEngine.initialParameters(workers: workers, labels: labels, noise: 0.5, seed: 0)
        return (p.spamming, p.thetas)
    }

    /// The table with workers renamed `w%07d` and labels `c%04d` by first appearance (as the script
    /// does), so Tally's worker and label ids are crowd-kit's `pd.factorize` codes.
    static func renamed(_ table: AnswerTable) throws -> AnswerTable {
        var labelCode: [Int32: Int] = [:]
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        for i in 0..<table.answerCount {
            let l = table.label[i]
            let code = labelCode[l] ?? labelCode.count
            labelCode[l] = code
            tasks.append(table.tasks.name(table.task[i]))
            workers.append(String(format: "w%07d", Int(table.worker[i])))
            labels.append(String(format: "c%04d", code))
        }
        return try AnswerTable(tasks: tasks, workers: workers, labels: labels)
    }
}

@Suite("MACE")
struct MACETests {
    @Test("digamma")
    func digamma() {
        let cases: [(Double, Double)] = [
            // scipy.special.digamma
            (1, -0.5772156649015329), (0.5, -1.9635100260214235), (10, 2.251752589066721),
            (10.5, 2.3030010342976865), (3.25, 1.016990911068179), (1e-3, -1000.5755719318103), (1e6, 13.81551005796419),
        ]
        for (x, expected) in cases {
            #expect(abs(MACEEngine.digamma(x) - expected) <= 4e-15 * max(1, abs(expected)), "ψ(\(x)) = \(MACEEngine.digamma(x)), expected \(expected)")
        }
    }

    @Test("numpy's RandomState(0) draws")
    func numpyDraws() {
        var rng = NumpyRandomState(seed: 0)
        let expected = [0.5488135039273248, 0.7151893663724195, 0.6027633760716439, 0.5448831829968969]
        for e in expected { #expect(rng.randomSample() == e) }
        // np.random.RandomState(12345).random_sample(3)
        var other = NumpyRandomState(seed: 12345)
        for e in [0.9296160928171479, 0.3163755545817859, 0.18391881167709445] { #expect(other.randomSample() == e) }
        // The 701st double of RandomState(0): 1,402 32-bit outputs, across two regenerations of the state.
        var long = NumpyRandomState(seed: 0)
        for _ in 0..<700 { _ = long.randomSample() }
        #expect(long.randomSample() == 0.37321595574479416)
        // scipy.stats.uniform(1, 1.5).rvs(2, random_state=0)
        #expect(NumpyRandomState.uniformDraws(count: 2, loc: 1, scale: 1.5, seed: 0) == [1.8232202558909871, 2.072784049558629])
    }

    /// From crowd-kit's exact initial parameters (MT19937 reproduced above) and one restart, Tally
    /// gives crowd-kit's probabilities and spamming — on the renamed data, where crowd-kit's
    /// name-dependent bookkeeping happens to be right.
    @Test("from crowd-kit's initial draws: crowd-kit's probabilities", arguments: ["toy", "act-cf", "snow-wsd", "vldb-dog", "act-ms", "vldb-possent", "snow-rte", "gal-bm"])
    func exactParity(dataset: String) throws {
        let table = try MACEFixtures.renamed(AnswerReader.read(TestData.answersPath(dataset)).table)
        var mace = MACE(restarts: 1)
        mace.initialization = { _, w, k in MACEFixtures.crowdKitStart(workers: w, labels: k) }
        let model = try mace.fit(table)
        let probas = TestData.rows(try TestData.gunzip(MACEFixtures.dir.appendingPathComponent("\(dataset)/mace.probas.tsv.gz")))
        #expect(probas.count == table.taskCount + 1)
        var worst = 0.0
        for row in probas.dropFirst() {
            let t = try #require(table.tasks.lookup(row[0]))
            for c in 0..<table.labelCount { worst = max(worst, abs(model.probabilities[Int(t), c] - Double(row[c + 1])!)) }
        }
        #expect(worst < 1e-9, "\(dataset): max |Δ proba| = \(worst)")
        let spam = TestData.rows(try TestData.gunzip(MACEFixtures.dir.appendingPathComponent("\(dataset)/mace.spamming.tsv.gz")))
        var worstSpam = 0.0
        for (w, row) in spam.dropFirst().enumerated() {
            worstSpam = max(worstSpam, abs(model.spamming[w, 0] - Double(row[1])!), abs(model.spamming[w, 1] - Double(row[2])!))
        }
        #expect(worstSpam < 1e-9, "\(dataset): max |Δ spamming| = \(worstSpam)")
    }

    @Test("EM from crowd-kit's initial draws: crowd-kit's method='em' probabilities", arguments: ["vldb-possent", "vldb-product"])
    func exactParityEM(dataset: String) throws {
        let table = try MACEFixtures.renamed(AnswerReader.read(TestData.answersPath(dataset)).table)
        var mace = MACE(restarts: 1, method: .expectationMaximization)
        mace.initialization = { _, w, k in MACEFixtures.crowdKitStart(workers: w, labels: k) }
        let model = try mace.fit(table)
        let probas = TestData.rows(try TestData.gunzip(MACEFixtures.dir.appendingPathComponent("\(dataset)/mace_em.probas.tsv.gz")))
        var worst = 0.0
        for row in probas.dropFirst() {
            let t = try #require(table.tasks.lookup(row[0]))
            for c in 0..<table.labelCount { worst = max(worst, abs(model.probabilities[Int(t), c] - Double(row[c + 1])!)) }
        }
        #expect(worst < 1e-9, "\(dataset): max |Δ proba| = \(worst)")
    }

    /// Sanity of EM with Tally's own restarts. Its ten different starts may find a likelier
    /// optimum than crowd-kit's one start (the exact test above shows the steps agree), so the
    /// check is one-sided: no worse than crowd-kit by more than 0.5 points, and at least as likely
    /// as the fit from crowd-kit's start.
    @Test("EM: accuracy no worse than crowd-kit's method='em'", arguments: ["vldb-possent", "vldb-product"])
    func em(dataset: String) throws {
        let expected = try #require(MACEFixtures.accuracy(dataset, "mace_em"))
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let model = try MACE(method: .expectationMaximization).fit(table)
        let accuracy = Evaluation(labels: model.labels, of: table, gold: try GoldReader.read(TestData.goldPath(dataset))).accuracy
        #expect(accuracy >= expected - 0.005, "\(dataset): Tally \(accuracy), crowd-kit \(expected)")
        #expect(accuracy > 0.8)
        #expect(model.skills!.indices.allSatisfy { abs(model.skills![$0] - model.spamming[$0, 1]) < 1e-12 })
        var fromCrowdKit = MACE(restarts: 1, method: .expectationMaximization)
        fromCrowdKit.initialization = { _, w, k in MACEFixtures.crowdKitStart(workers: w, labels: k) }
        let single = try fromCrowdKit.fit(try MACEFixtures.renamed(table))
        #expect(model.logLikelihood >= single.logLikelihood - 1e-9 * abs(single.logLikelihood))
    }

    @Test("renaming workers changes nothing")
    func renaming() throws {
        for dataset in ["act-cf", "act-sp-amt", "vldb-possent"] {
            let table = try AnswerReader.read(TestData.answersPath(dataset)).table
            // A permutation of the names: worker i gets the name of worker (n − 1 − i), so the
            // sorted order of the names is scrambled with respect to appearance.
            let names = table.workers.names
            let n = names.count
            let renamed = try AnswerTable(
                tasks: table.task.map { table.tasks.name($0) },
                workers: table.worker.map { "x" + names[n - 1 - Int($0)] },
                labels: table.label.map { table.labels[Int($0)] })
            let a = try MACE().fit(table), b = try MACE().fit(renamed)
            #expect(a.labels == b.labels)
            #expect(a.probabilities == b.probabilities)
            #expect(a.spamming == b.spamming)
            #expect(a.logLikelihood == b.logLikelihood)
        }
    }

    @Test("restarts differ; the same seed repeats; threads do not matter")
    func restarts() throws {
        let table = try AnswerReader.read(TestData.answersPath("act-cf")).table
        let a = try MACE(seed: 7).fit(table)
        #expect(Set(a.restartLogLikelihoods).count == 10)
        #expect(a.restartLogLikelihoods[a.bestRestart] == a.restartLogLikelihoods.max())
        #expect(abs(a.logLikelihood - a.restartLogLikelihoods[a.bestRestart]) < 1e-9 * abs(a.logLikelihood))
        let b = try MACE(seed: 7, execution: ExecutionSettings(threads: 1)).fit(table)
        #expect(a.probabilities == b.probabilities && a.restartLogLikelihoods == b.restartLogLikelihoods)
        let c = try MACE(seed: 8).fit(table)
        #expect(c.restartLogLikelihoods != a.restartLogLikelihoods)
        // Restart r of a ten-restart fit is the one-restart fit only for r = 0 (same first seed).
        #expect(try MACE(restarts: 1, seed: 7).fit(table).restartLogLikelihoods[0] == a.restartLogLikelihoods[0])
    }

    @Test("the general pass agrees with the binary one", arguments: ["vldb-possent", "act-sp-amt"])
    func generalPass(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        for method in MACE.Method.allCases {
            let binary = try MACE(restarts: 2, method: method).fit(table)
            var general = MACE(restarts: 2, method: method)
            general.forceGeneralPass = true
            let g = try general.fit(table)
            let worst = zip(binary.probabilities.values, g.probabilities.values).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-9, "\(method): \(worst)")
            #expect(abs(binary.logLikelihood - g.logLikelihood) < 1e-9 * abs(g.logLikelihood))
        }
    }

    @Test("degenerate data stays finite")
    func degenerate() throws {
        func check(_ table: AnswerTable, _ name: String, method: MACE.Method = .variational) throws -> MACEModel {
            let m = try MACE(restarts: 3, iterations: 20, method: method).fit(table)
            #expect(m.probabilities.values.allSatisfy { $0.isFinite }, "\(name)")
            #expect(m.spamming.values.allSatisfy { $0.isFinite } && m.strategies.values.allSatisfy { $0.isFinite }, "\(name)")
            #expect(m.logLikelihood.isFinite && m.skills!.allSatisfy { $0.isFinite }, "\(name)")
            for t in 0..<table.taskCount {
                #expect(abs(m.probabilities.row(t).reduce(0, +) - 1) < 1e-12, "\(name)")
            }
            return m
        }
        for method in MACE.Method.allCases {
            // One worker.
            let one = try AnswerTable(tasks: ["a", "b", "c"], workers: ["w", "w", "w"], labels: ["x", "y", "x"])
            let m1 = try check(one, "one worker", method: method)
            #expect(m1.labels == [0, 1, 0])
            // One class only.
            let single = try AnswerTable(tasks: ["a", "b", "a"], workers: ["u", "u", "v"], labels: ["x", "x", "x"])
            let m2 = try check(single, "one class", method: method)
            #expect(m2.probabilities.values.allSatisfy { $0 == 1 })
            // All workers agree.
            let agree = try AnswerTable(tasks: ["a", "a", "b", "b"], workers: ["u", "v", "u", "v"], labels: ["x", "x", "y", "y"])
            #expect(try check(agree, "agreement", method: method).labels == [0, 1])
            // A task with 5,000 split answers (crowd-kit: NaN) next to small ones.
            var tasks: [String] = [], workers: [String] = [], labels: [String] = []
            for i in 0..<5_000 {
                tasks.append("big"); workers.append("w\(i % 50)"); labels.append(i % 5 < 3 ? "pos" : "neg")
            }
            for t in 0..<200 {
                for j in 0..<3 { tasks.append("t\(t)"); workers.append("w\((t + j) % 50)"); labels.append((t + j) % 4 == 0 ? "neg" : "pos") }
            }
            let big = try check(AnswerTable(tasks: tasks, workers: workers, labels: labels), "5,000 answers", method: method)
            #expect(big.labels[0] == 1)  // "pos" (3 of 5 answers)
            // K = 10.
            var t10: [String] = [], w10: [String] = [], l10: [String] = []
            var rng = SplitMix64(seed: 3)
            for t in 0..<300 {
                for j in 0..<4 {
                    t10.append("t\(t)"); w10.append("w\((t * 7 + j) % 40)")
                    l10.append("c\(rng.nextUniform() < 0.6 ? t % 10 : Int(rng.next() % 10))")
                }
            }
            let ten = try check(AnswerTable(tasks: t10, workers: w10, labels: l10), "K = 10", method: method)
            #expect(ten.probabilities.columns == 10)
        }
    }
}

@Suite("MACE against crowd-kit on sorted names")
struct MACECrowdKitTests {
    static let datasets = MACEFixtures.rows.filter { $0.method == "mace" }.map(\.dataset)

    @Test("the fixtures cover every data set and the toy set")
    func coverage() {
        #expect(Self.datasets.count == 24, "\(Self.datasets.count) data sets")
        #expect(Self.datasets.contains("toy"))
    }

    @Test("accuracy within 0.5 points of crowd-kit on sorted names", arguments: datasets)
    func accuracy(dataset: String) throws {
        let expected = try #require(MACEFixtures.accuracy(dataset, "mace"))
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let model = try MACE().fit(table)
        let accuracy = Evaluation(labels: model.labels, of: table, gold: try GoldReader.read(TestData.goldPath(dataset))).accuracy
        #expect(abs(accuracy - expected) <= 0.005, "\(dataset): Tally \(accuracy), crowd-kit (sorted names) \(expected)")
    }
}
