import Foundation
import Testing
@testable import TallyAggregation
import TallyCore

/// crowd-kit 1.4.2's MACE with its defaults, as fixtures: `Fixtures/crowdkit-more`
/// (scripts/crowdkit_fixtures_more.py: labels and spamming of every data set, probabilities up to
/// 50 000 answers) and `Fixtures/crowdkit-mace-compat` (scripts/crowdkit_fixtures_mace_compat.py:
/// every 10th probability row of vldb-rel and vldb-adult, and act-cf with renamed workers).
enum MACECompatFixtures {
    static let more = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/crowdkit-more")
    static let compat = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/crowdkit-mace-compat")

    /// Every data set crowd-kit's default MACE ran on (the toy set and 23 real ones).
    static let datasets: [String] = {
        let text = (try? String(contentsOf: more.appendingPathComponent("manifest.tsv"), encoding: .utf8)) ?? ""
        var seen: [String] = []
        for r in TestData.rows(text) where r.count > 2 && r[1] == "mace" && r[2] == "ok" && !seen.contains(r[0]) { seen.append(r[0]) }
        return seen
    }()

    /// The measured worst differences are 3e-15 (probabilities) and 6e-15 (spamming): crowd-kit's
    /// operations are repeated in its order, and what remains are last-bit differences between
    /// numpy's vectorised `exp`/`log` and the C library's. The bound leaves room for another libm.
    static let tolerance = 1e-12

    /// A fixture's rows by their first cell (task or worker name), and its header.
    static func readFixture(_ url: URL) throws -> (header: [String], rows: [String: [String]], order: [String]) {
        let rows = TestData.rows(try TestData.gunzip(url))
        var byKey: [String: [String]] = [:]
        for r in rows.dropFirst() { byKey[r[0]] = Array(r.dropFirst()) }
        return (Array(rows[0].dropFirst()), byKey, rows.dropFirst().map { $0[0] })
    }

    /// The largest difference between Tally's probabilities and a crowd-kit probas file (columns
    /// matched by label name); every task of the file must be in the table.
    static func worstProbability(_ model: MACEModel, _ table: AnswerTable, _ url: URL) throws -> (worst: Double, rows: Int) {
        let f = try readFixture(url)
        var worst = 0.0
        for (task, cells) in f.rows {
            let t = try #require(table.tasks.lookup(task), "task \(task)")
            for (j, name) in f.header.enumerated() {
                let l = try #require(table.labels.index(of: name))
                let expected = try #require(Double(cells[j]))
                worst = max(worst, abs(model.probabilities[Int(t), l] - expected))
            }
        }
        return (worst, f.rows.count)
    }

    /// The largest difference from crowd-kit's `spamming_` (rows in first-appearance order, which
    /// are Tally's worker ids; the names are checked).
    static func worstSpamming(_ model: MACEModel, _ table: AnswerTable, _ url: URL) throws -> Double {
        let f = try readFixture(url)
        #expect(f.order.count == table.workerCount)
        var worst = 0.0
        for (w, name) in f.order.enumerated() {
            #expect(table.workers.name(Int32(w)) == name)
            let cells = f.rows[name]!
            worst = max(worst, abs(model.spamming[w, 0] - Double(cells[0])!), abs(model.spamming[w, 1] - Double(cells[1])!))
        }
        return worst
    }

    /// Tasks whose label differs from a crowd-kit labels file.
    static func labelMismatches(_ model: MACEModel, _ table: AnswerTable, _ url: URL) throws -> Int {
        let f = try readFixture(url)
        #expect(f.rows.count == table.taskCount)
        var bad = 0
        for (task, cells) in f.rows {
            let t = try #require(table.tasks.lookup(task))
            if table.labels[Int(model.labels[Int(t)])] != cells[0] { bad += 1 }
        }
        return bad
    }
}

@Suite("MACE: crowd-kit 1.4.2 compatibility")
struct MACECompatibilityTests {
    static let crowdKit = MACE(compatibility: .crowdKit)

    @Test("the fixtures cover the toy set and the 23 data sets")
    func coverage() {
        #expect(MACECompatFixtures.datasets.count == 24)
        #expect(MACECompatFixtures.datasets.contains("toy"))
    }

    /// Labels identical on every task; probabilities (every task where crowdkit-more has them,
    /// every 10th task of vldb-rel and vldb-adult) and spamming within 1e-12.
    @Test("labels, probabilities and spamming are crowd-kit's", arguments: MACECompatFixtures.datasets)
    func parity(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let model = try Self.crowdKit.fit(table)
        let dir = MACECompatFixtures.more.appendingPathComponent(dataset)
        #expect(try MACECompatFixtures.labelMismatches(model, table, dir.appendingPathComponent("mace.labels.tsv.gz")) == 0, "\(dataset)")
        let spam = try MACECompatFixtures.worstSpamming(model, table, dir.appendingPathComponent("mace.spamming.tsv.gz"))
        #expect(spam <= MACECompatFixtures.tolerance, "\(dataset): max |Δ spamming| = \(spam)")
        let full = dir.appendingPathComponent("mace.probas.tsv.gz")
        let sample = MACECompatFixtures.compat.appendingPathComponent("\(dataset)/mace.probas-sample.tsv.gz")
        if FileManager.default.fileExists(atPath: full.path) {
            let (worst, rows) = try MACECompatFixtures.worstProbability(model, table, full)
            #expect(rows == table.taskCount)
            #expect(worst <= MACECompatFixtures.tolerance, "\(dataset): max |Δ proba| = \(worst)")
        } else if FileManager.default.fileExists(atPath: sample.path) {
            let (worst, rows) = try MACECompatFixtures.worstProbability(model, table, sample)
            #expect(rows == (table.taskCount + 9) / 10)
            #expect(worst <= MACECompatFixtures.tolerance, "\(dataset): max |Δ proba| = \(worst) (every 10th task)")
        } else {
            // spectral-trec, crowdscale-fact: no probabilities kept (size budget); labels and spamming above.
            #expect(table.answerCount > 50_000, "\(dataset) has no probability fixture")
        }
        #expect(model.underflowTasks == 0)
        #expect(model.probabilities.values.allSatisfy { $0.isFinite })
    }

    @Test("the four vldb sets: within 0.5 points of crowd-kit 1.4.2's (and JOSS 2024's) MACE accuracy", arguments: [
        ("vldb-product", 0.9290), ("vldb-possent", 0.9500), ("vldb-rel", 0.5009), ("vldb-adult", 0.7628),
    ])
    func publishedAccuracy(dataset: String, expected: Double) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let gold = try GoldReader.read(TestData.goldPath(dataset))
        let accuracy = Evaluation(labels: try Self.crowdKit.fit(table).labels, of: table, gold: gold).accuracy
        #expect(abs(accuracy - expected) <= 0.005, "\(dataset): \(accuracy), crowd-kit 1.4.2 \(expected)")
    }

    /// crowd-kit's result depends on worker names; so does the compatibility mode's, in the same way.
    @Test("renamed workers: crowd-kit's result changes, and the compatibility mode follows it")
    func renamedWorkers() throws {
        let table = try AnswerReader.read(TestData.answersPath("act-cf")).table
        let names = table.workers.names
        let n = names.count
        let renamed = try AnswerTable(
            tasks: table.task.map { table.tasks.name($0) },
            workers: table.worker.map { "x" + names[n - 1 - Int($0)] },
            labels: table.label.map { table.labels[Int($0)] })
        let model = try Self.crowdKit.fit(renamed)
        let dir = MACECompatFixtures.compat.appendingPathComponent("act-cf-renamed")
        #expect(try MACECompatFixtures.labelMismatches(model, renamed, dir.appendingPathComponent("mace.labels.tsv.gz")) == 0)
        let (worst, rows) = try MACECompatFixtures.worstProbability(model, renamed, dir.appendingPathComponent("mace.probas.tsv.gz"))
        #expect(rows == 300 && worst <= MACECompatFixtures.tolerance, "max |Δ proba| = \(worst)")
        #expect(try MACECompatFixtures.worstSpamming(model, renamed, dir.appendingPathComponent("mace.spamming.tsv.gz")) <= MACECompatFixtures.tolerance)
        // The names changed the result (the default model's does not change: MACETests).
        let original = try Self.crowdKit.fit(table)
        let moved = zip(original.probabilities.values, model.probabilities.values).map { abs($0 - $1) }.max()!
        #expect(moved > 0.01, "renaming moved crowd-kit's probabilities by only \(moved)")
    }

    /// Where names already sort in first-appearance order the defect vanishes: the mode is then the
    /// model from crowd-kit's start, which is what the crowdkit-mace-sorted fixtures hold (vb and em).
    @Test("on names in sorted order it gives crowd-kit's sorted-name results, vb and em", arguments: [
        ("toy", MACE.Method.variational), ("snow-wsd", .variational), ("vldb-possent", .expectationMaximization),
    ])
    func sortedNames(dataset: String, method: MACE.Method) throws {
        let table = try MACEFixtures.renamed(AnswerReader.read(TestData.answersPath(dataset)).table)
        let model = try MACE(restarts: 1, method: method, compatibility: .crowdKit).fit(table)
        let file = method == .variational ? "mace.probas.tsv.gz" : "mace_em.probas.tsv.gz"
        // The fixture's columns are the original labels in first-appearance order, which is the
        // order of the renamed labels `c0000`, `c0001`, …
        let probas = TestData.rows(try TestData.gunzip(MACEFixtures.dir.appendingPathComponent("\(dataset)/\(file)")))
        #expect(probas.count == table.taskCount + 1)
        var worst = 0.0
        for row in probas.dropFirst() {
            let t = try #require(table.tasks.lookup(row[0]))
            for c in 0..<table.labelCount { worst = max(worst, abs(model.probabilities[Int(t), c] - Double(row[c + 1])!)) }
        }
        #expect(worst <= MACECompatFixtures.tolerance, "\(dataset) \(method): max |Δ proba| = \(worst)")
    }

    @Test("restarts are one run; the seed is numpy's random_state")
    func restartsAndSeed() throws {
        let table = try AnswerReader.read(TestData.answersPath("act-cf")).table
        let ten = try MACE(restarts: 10, compatibility: .crowdKit).fit(table)
        let one = try MACE(restarts: 1, compatibility: .crowdKit).fit(table)
        #expect(ten.probabilities == one.probabilities && ten.spamming == one.spamming)
        #expect(ten.restartLogLikelihoods.count == 10 && Set(ten.restartLogLikelihoods).count == 1 && ten.bestRestart == 0)
        #expect(ten.logLikelihood == ten.restartLogLikelihoods[0])
        // The default seed is crowd-kit's random_state 0; another seed is another start.
        #expect(try MACE(seed: 0, compatibility: .crowdKit).fit(table).probabilities == ten.probabilities)
        #expect(try MACE(seed: 1, compatibility: .crowdKit).fit(table).probabilities != ten.probabilities)
        #expect(throws: AggregationError.self) { try MACE(seed: 1 << 32, compatibility: .crowdKit).fit(table) }
        // The default mode is untouched by the option's existence.
        #expect(try MACE().fit(table).probabilities == MACE(compatibility: .none).fit(table).probabilities)
    }

    /// crowd-kit multiplies raw probabilities: on this set (checked with crowd-kit 1.4.2 itself) the
    /// 5,000-answer task gets NaN probabilities and no label, and the 200 small tasks get crowd-kit's
    /// probabilities to 1.2e-16. The default model works in log space and stays finite.
    @Test("a task with 5,000 answers underflows to NaN, as in crowd-kit")
    func underflow() throws {
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        for i in 0..<5_000 {
            tasks.append("big"); workers.append("w\(i % 50)"); labels.append(i % 5 < 3 ? "pos" : "neg")
        }
        for t in 0..<200 {
            for j in 0..<3 { tasks.append("t\(t)"); workers.append("w\((t + j) % 50)"); labels.append((t + j) % 4 == 0 ? "neg" : "pos") }
        }
        let table = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        let model = try Self.crowdKit.fit(table)
        #expect(model.underflowTasks == 1)
        #expect(model.probabilities.row(0).allSatisfy { $0.isNaN })
        #expect((1..<table.taskCount).allSatisfy { t in model.probabilities.row(t).allSatisfy { $0.isFinite } })
        // crowd-kit 1.4.2 (n_restarts=1): t0 → pos 0.98880590055828066, neg 0.011194099441719365.
        let t0 = Int(table.tasks.lookup("t0")!)
        #expect(abs(model.probabilities[t0, table.labels.index(of: "pos")!] - 0.98880590055828066) <= 1e-15)
        #expect(model.logLikelihood.isFinite)
        #expect(try MACE().fit(table).probabilities.values.allSatisfy { $0.isFinite })
    }

    @Test("digamma is SciPy's, to the last bit")
    func digamma() {
        // scipy.special.digamma (SciPy 1.17.1)
        let cases: [(Double, Double)] = [
            (0.5, -1.9635100260214235), (1.0, -0.5772156649015329), (1.5, 0.03648997397857652), (2.25, 0.5725464666237347),
            (3.7, 1.1671535393615113), (7.0, 1.872784335098467), (9.99, 2.250700372831201), (10.0, 2.251752589066721),
            (10.5, 2.3030010342976865), (12.34, 2.4717804848135008), (100.5, 4.605174352581845), (1e6, 13.81551005796419),
            (0.0123, -81.85797585258959), (40.000001, 3.676327399349947),
        ]
        for (x, expected) in cases {
            #expect(MACECrowdKitEngine.digamma(x) == expected, "ψ(\(x)) = \(MACECrowdKitEngine.digamma(x)), SciPy \(expected)")
        }
    }

    @Test("numpy's pairwise sum")
    func numpySum() {
        // numpy.sum of the first n values; a left-to-right sum differs from n = 10 on.
        let v: [Double] = (0..<1000).map { (i: Int) -> Double in
            let big: Double = i % 7 == 0 ? 1e8 : 0
            return 1 / Double(i + 1) + big
        }
        let expected: [(Int, Double)] = [
            (3, 100000001.83333333), (10, 200000002.92896822), (100, 1500000005.1873775),
            (129, 1900000005.440899), (1000, 14300000007.485472),
        ]
        v.withUnsafeBufferPointer { p in
            for (n, sum) in expected { #expect(TallyAggregation.numpySum(UnsafeBufferPointer(start: p.baseAddress!, count: n)) == sum, "n = \(n)") }
        }
    }
}
