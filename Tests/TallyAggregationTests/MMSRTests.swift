import Foundation
import Testing
import TallyAggregation
import TallyCore

@Suite("M-MSR")
struct MMSRTests {
    /// crowd-kit 1.4.2's M-MSR accuracy in the JOSS paper (vldb-product: "—", it did not run).
    @Test("reproduces crowd-kit's JOSS accuracy", arguments: [("vldb-possent", 0.9370), ("vldb-rel", 0.4251), ("vldb-adult", 0.7508)])
    func joss(dataset: String, expected: Double) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let model = try MMSR().fit(table)
        let gold = try GoldReader.read(TestData.goldPath(dataset))
        let accuracy = Evaluation(labels: model.labels, of: table, gold: gold).accuracy
        #expect(abs(accuracy - expected) < 5e-4, "\(dataset): \(accuracy)")
    }

    @Test("runs on vldb-product, where crowd-kit's skills come out missing")
    func vldbProduct() throws {
        let table = try AnswerReader.read(TestData.answersPath("vldb-product")).table
        let model = try MMSR().fit(table)
        let gold = try GoldReader.read(TestData.goldPath("vldb-product"))
        #expect(model.workerSkills.allSatisfy { $0.isFinite })
        #expect(model.probabilities.values.allSatisfy { $0.isFinite })
        let accuracy = Evaluation(labels: model.labels, of: table, gold: gold).accuracy
        let mv = Evaluation(labels: try MajorityVote().fit(table).labels, of: table, gold: gold).accuracy
        #expect(accuracy > mv - 0.05, "M-MSR \(accuracy), MV \(mv)")
    }

    @Test("the same seed gives the same result; the model is complete")
    func seeded() throws {
        let table = try AnswerReader.read(TestData.answersPath("snow-rte")).table
        let a = try MMSR(seed: 7).fit(table), b = try MMSR(seed: 7).fit(table)
        #expect(a.labels == b.labels && a.workerSkills == b.workerSkills && a.lossHistory == b.lossHistory)
        #expect(a.probabilities.values == b.probabilities.values)
        #expect(a.lossHistory.count == a.iterationsRun && a.iterationsRun > 0)
        #expect(a.workerSkills.count == table.workerCount && a.accuracies.count == table.workerCount)
        #expect(a.probabilities.rows == table.taskCount && a.probabilities.columns == table.labelCount)
        let observed = try MMSR(seed: 7, signGraph: .observedPairs).fit(table)
        #expect(observed.labels.count == table.taskCount)
    }

    @Test("degenerate data: finite results, no crash", arguments: MMSR.SignGraph.allCases)
    func degenerate(signGraph: MMSR.SignGraph) throws {
        // Every pair (maxCoworkersPerTask 0), as this test was written; HardeningAggregationTests
        // covers sampled pairs.
        let mmsr = MMSR(signGraph: signGraph, maxCoworkersPerTask: 0)
        func check(_ table: AnswerTable, _ note: Comment) throws {
            let m = try mmsr.fit(table)
            #expect(m.labels.count == table.taskCount, note)
            #expect(m.workerSkills.allSatisfy { $0.isFinite }, note)
            #expect(m.probabilities.values.allSatisfy { $0.isFinite }, note)
        }
        // One worker.
        let one = try AnswerTable(tasks: ["t1", "t2", "t3"], workers: ["a", "a", "a"], labels: ["x", "y", "x"])
        try check(one, "one worker")
        #expect(try mmsr.fit(one).workersWithoutCoworkers == 1)
        #expect(try mmsr.fit(one).labels == [0, 1, 0])
        // One class.
        let oneClass = try AnswerTable(tasks: ["t1", "t1", "t2"], workers: ["a", "b", "a"], labels: ["x", "x", "x"])
        try check(oneClass, "one class")
        #expect(try mmsr.fit(oneClass).labels == [0, 0])
        // A task with 5,000 answers: 1,000 workers, each answering it five times (the last answer
        // counts for agreement, all five vote), plus a few small tasks.
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        for r in 0..<5 {
            for w in 0..<1000 { tasks.append("big"); workers.append("w\(w)"); labels.append((w + r) % 3 == 0 ? "n" : "y") }
        }
        for t in 0..<20 {
            for w in 0..<3 { tasks.append("t\(t)"); workers.append("w\((t * 7 + w) % 1000)"); labels.append((t + w) % 2 == 0 ? "y" : "n") }
        }
        let big = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        try check(big, "a task with 5,000 answers")
        #expect(try mmsr.fit(big).labels[0] == 1)
        // Every worker agrees on every task.
        tasks = []; workers = []; labels = []
        for t in 0..<30 {
            for w in 0..<4 { tasks.append("t\(t)"); workers.append("w\(w)"); labels.append(t % 2 == 0 ? "a" : "b") }
        }
        let unanimous = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        try check(unanimous, "unanimous")
        #expect(try mmsr.fit(unanimous).labels == (0..<30).map { Int32($0 % 2) })
        // Workers without co-workers beside a connected group; a repeated answer.
        tasks = ["s1", "s2", "s3", "c1", "c1", "c1", "c2", "c2", "c2", "c3", "c3", "c1"]
        workers = ["solo1", "solo2", "solo2", "a", "b", "c", "a", "b", "c", "a", "b", "a"]
        labels = ["x", "y", "x", "x", "x", "y", "y", "y", "y", "x", "y", "y"]
        let lonely = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        try check(lonely, "workers without co-workers")
        let m = try mmsr.fit(lonely)
        #expect(m.workersWithoutCoworkers == 2)
        #expect(m.workerSkills[0] == 0 && m.workerSkills[1] == 0)
        #expect(m.labels[0] == 0 && m.labels[1] == 1)
        // Two workers who share nothing but a 50/50 task (C = 0).
        let half = try AnswerTable(tasks: ["t1", "t1", "t2", "t2"], workers: ["a", "b", "a", "b"], labels: ["x", "y", "x", "x"])
        try check(half, "C = 0")
    }
}

@Suite("M-MSR against crowd-kit")
struct MMSRCrowdKitTests {
    static let dir = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/crowdkit-more")

    /// (dataset, crowd-kit accuracy) for every data set crowd-kit's M-MSR finished on.
    static let rows: [(String, Double)] = {
        let text = (try? String(contentsOf: dir.appendingPathComponent("manifest.tsv"), encoding: .utf8)) ?? ""
        return TestData.rows(text).filter { $0.count > 6 && $0[1] == "mmsr" && $0[2] == "ok" }.compactMap { r in
            Double(r[6]).map { (r[0], $0) }
        }
    }()

    @Test("the fixtures hold crowd-kit's M-MSR on the data sets")
    func coverage() {
        #expect(Self.rows.count >= 22, "\(Self.rows.count) M-MSR fixtures")
    }

    /// crowd-kit's labels, by task name.
    static func labels(_ dataset: String) throws -> [String: String] {
        let text = try TestData.gunzip(dir.appendingPathComponent("\(dataset)/mmsr.labels.tsv.gz"))
        var out: [String: String] = [:]
        for r in TestData.rows(text).dropFirst() where r.count >= 2 { out[r[0]] = r[1] }
        return out
    }

    /// crowd-kit's skills, by worker name.
    static func skills(_ dataset: String) throws -> [String: Double] {
        let text = try TestData.gunzip(dir.appendingPathComponent("\(dataset)/mmsr.skills.tsv.gz"))
        var out: [String: Double] = [:]
        for r in TestData.rows(text).dropFirst() where r.count >= 2 { out[r[0]] = Double(r[1]) }
        return out
    }

    @Test("accuracy within 0.5 points of crowd-kit's on every data set it finished", arguments: rows.map(\.0))
    func accuracy(dataset: String) throws {
        let expected = try #require(Self.rows.first { $0.0 == dataset }?.1)
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let model = try MMSR().fit(table)
        let gold = try GoldReader.read(TestData.goldPath(dataset))
        let accuracy = Evaluation(labels: model.labels, of: table, gold: gold).accuracy
        // Agreement with crowd-kit's labels and skill correlation, for the report.
        let theirs = try Self.labels(dataset)
        var same = 0
        for t in 0..<table.taskCount where theirs[table.tasks.name(Int32(t))] == table.labels.names[Int(model.labels[t])] { same += 1 }
        let theirSkills = try Self.skills(dataset)
        var xs: [Double] = [], ys: [Double] = []
        for w in 0..<table.workerCount {
            if let s = theirSkills[table.workers.name(Int32(w))], s.isFinite { xs.append(model.workerSkills[w]); ys.append(s) }
        }
        let observed = try MMSR(signGraph: .observedPairs).fit(table)
        let observedAccuracy = Evaluation(labels: observed.labels, of: table, gold: gold).accuracy
        print(String(format: "MMSR-REPORT\t%@\tcrowdkit=%.6f\ttally=%.6f\tagree=%.2f%%\tskill_r=%.4f\titers=%d\tF=%d\tobserved=%.6f",
                     dataset, expected, accuracy, 100 * Double(same) / Double(table.taskCount), pearson(xs, ys), model.iterationsRun, model.trimming, observedAccuracy))
        #expect(abs(accuracy - expected) <= 5e-3, "\(dataset): ours \(accuracy), crowd-kit \(expected)")
        #expect(observed.workerSkills.allSatisfy { $0.isFinite } && observedAccuracy.isFinite)
    }

    func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        guard n > 1 else { return .nan }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my) }
        return sxy / (sxx * syy).squareRoot()
    }
}
