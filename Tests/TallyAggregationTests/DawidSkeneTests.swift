import Foundation
import Testing
import TallyAggregation
import TallyCore

@Suite("Dawid-Skene: accuracy, options and degenerate data")
struct DawidSkeneTests {
    @Test("accuracy on the real datasets is crowd-kit 1.4.2's", arguments: [
        ("vldb-product", 0.9397), ("vldb-possent", 0.9600), ("vldb-rel", 0.6173), ("vldb-adult", 0.7658),
    ])
    func accuracy(dataset: String, expected: Double) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let model = try DawidSkene().fit(table)
        let gold = try GoldReader.read(TestData.goldPath(dataset))
                let e = Evaluation(labels: model.labels, of: table, gold: gold)
        #expect(abs(e.accuracy - expected) < 5e-5, "\(dataset): \(e.accuracy)")
    }

    /// Every number a model holds is finite and every posterior row sums to about 1.
    private func expectSane(_ m: DawidSkeneModel, _ context: String) {
        #expect(m.probabilities.values.allSatisfy { $0.isFinite }, "\(context): probabilities")
        #expect(m.priors.allSatisfy { $0.isFinite }, "\(context): priors")
        #expect(m.confusions.values.allSatisfy { $0.isFinite }, "\(context): confusions")
        #expect(m.lossHistory.allSatisfy { $0.isFinite }, "\(context): loss")
        for t in 0..<m.probabilities.rows {
            let s = m.probabilities.row(t).reduce(0, +)
            #expect(abs(s - 1) < 1e-6, "\(context): row \(t) sums to \(s)")
        }
    }

    static let degenerate: [(String, [String], [String], [String])] = [
        ("one worker", ["t1", "t2", "t3"], ["w", "w", "w"], ["a", "b", "a"]),
        ("one class", ["t1", "t2", "t3", "t1"], ["w1", "w2", "w1", "w2"], ["x", "x", "x", "x"]),
        ("a worker always says the same", ["t1", "t2", "t3", "t1", "t2", "t3"], ["w1", "w1", "w1", "w2", "w2", "w2"], ["a", "a", "a", "a", "b", "b"]),
        ("three labels, one never given by a worker (empty confusion rows)",
         ["t1", "t2", "t3", "t1", "t2", "t3"], ["w1", "w1", "w1", "w2", "w2", "w2"], ["a", "b", "c", "a", "a", "b"]),
    ]

    @Test("no NaN or crash on degenerate data", arguments: degenerate)
    func degenerateData(name: String, tasks: [String], workers: [String], labels: [String]) throws {
        let table = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        for em in DawidSkene.EM.allCases {
            expectSane(try DawidSkene(em: em).fit(table), "\(name), \(em)")
        }
        expectSane(try OneCoinDawidSkene().fit(table), "\(name), one-coin")
    }

    @Test("one task with 5,000 answers: log space, no underflow")
    func hugeTask() throws {
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        for i in 0..<5000 {
            tasks.append("big"); workers.append("w\(i % 50)"); labels.append(i % 3 == 0 ? "no" : "yes")
            if i < 200 { tasks.append("small\(i)"); workers.append("w\(i % 50)"); labels.append(i % 4 == 0 ? "no" : "yes") }
        }
        let table = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        let m = try DawidSkene().fit(table)
        expectSane(m, "5000 answers")
        expectSane(try OneCoinDawidSkene().fit(table), "5000 answers, one-coin")
        #expect(table.labels[Int(m.labels[Int(table.tasks.lookup("big")!)])] == "yes")
    }

    @Test("zero iterations return the majority-vote shares and the first M-step")
    func zeroIterations() throws {
        let table = try AnswerReader.read(TestData.answersPath("toy")).table
        let m = try DawidSkene(maxIterations: 0).fit(table)
        let mv = try MajorityVote().fit(table)
        #expect(m.probabilities == mv.probabilities)
        #expect(m.iterations == 0)
    }

    @Test("golden tasks stay one-hot, and gold naming an unknown label is reported")
    func clampedGold() throws {
        let table = try AnswerReader.read(TestData.answersPath("toy")).table
        let gold = try GoldLabels([.init(task: "t1", label: "no"), .init(task: "t2", label: "maybe")])
        let m = try DawidSkene(trueLabels: gold).fit(table)
        let t1 = Int(table.tasks.lookup("t1")!)
        #expect(m.probabilities[t1, table.labels.index(of: "no")!] == 1)
        #expect(m.probabilities[t1, table.labels.index(of: "yes")!] == 1e-10)
        #expect(m.unusableGoldTasks == 1)
    }

    @Test("hard EM gives one-hot posteriors; hybrid ends hard", arguments: ["vldb-possent", "act-sp-amt"])
    func hardAndHybrid(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        for em in [DawidSkene.EM.hard, .hybrid] {
            let m = try DawidSkene(em: em).fit(table)
            #expect(m.probabilities.values.allSatisfy { $0 == 1 || $0 == 1e-10 }, "\(em)")
        }
    }

    @Test("assign needs rows for every (worker, label) of the answers")
    func assignCoverage() throws {
        let table = try AnswerReader.read(TestData.answersPath("toy")).table
        let partial = InitialConfusions([.init(worker: "w1", answer: "no", truth: "no", value: 1)], strategy: .assign)
        #expect(throws: AggregationError.self) { try DawidSkene(initialConfusions: partial).fit(table) }
    }
}

@Suite("Dawid-Skene: spectral initialisation")
struct SpectralInitializationTests {
    /// A seeded one-coin crowd: 2,000 tasks × 5 answers, K = 3, 60 workers of known skill
    /// (a third of them near chance).
    static func crowd() throws -> (AnswerTable, [String: String]) {
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let labels = ["a", "b", "c"]
        let skills = (0..<60).map { $0 % 3 == 0 ? 0.38 : 0.6 + 0.35 * next() }
        var t: [String] = [], w: [String] = [], l: [String] = []
        var truth: [String: String] = [:]
        for task in 0..<2000 {
            let y = Int(next() * 3) % 3
            truth["t\(task)"] = labels[y]
            var used = Set<Int>()
            while used.count < 5 { used.insert(Int(next() * 60) % 60) }
            for worker in used.sorted() {
                let right = next() < skills[worker]
                let answer = right ? y : (y + 1 + Int(next() * 2) % 2) % 3
                t.append("t\(task)"); w.append("w\(worker)"); l.append(labels[answer])
            }
        }
        return (try AnswerTable(tasks: t, workers: w, labels: l), truth)
    }

    static func accuracy(_ table: AnswerTable, _ labels: [Int32], _ truth: [String: String]) -> Double {
        var right = 0
        for t in 0..<table.taskCount where truth[table.tasks.name(Int32(t))] == table.labels[Int(labels[t])] { right += 1 }
        return Double(right) / Double(table.taskCount)
    }

    @Test("spectral starting posteriors beat majority vote on a one-coin crowd, and EM runs from them")
    func beatsMajorityVote() throws {
        let (table, truth) = try Self.crowd()
        let mv = Self.accuracy(table, try MajorityVote().fit(table).labels, truth)
        let start = try DawidSkene(maxIterations: 0, initialization: .spectral).fit(table)
        let spectral = Self.accuracy(table, start.labels, truth)
        #expect(spectral > mv, "spectral start \(spectral), majority vote \(mv)")
        let fitted = try DawidSkene(initialization: .spectral).fit(table)
        #expect(fitted.probabilities.values.allSatisfy { $0.isFinite })
        #expect(Self.accuracy(table, fitted.labels, truth) >= spectral - 0.01)
    }
}
