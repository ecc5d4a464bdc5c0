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
        let predicted = try GoldLabels((0..<table.taskCount).map {
            GoldLabels.Entry(task: table.tasks.name(Int32($0)), label: table.labels[Int(model.labels[$0])])
        })
        let e = Evaluation(predictions: predicted, gold: gold)
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

    @Test("hard EM gives one-hot posteriors; hybrid ends hard")
    func hardAndHybrid() throws {
        let table = try AnswerReader.read(TestData.answersPath("vldb-possent")).table
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
