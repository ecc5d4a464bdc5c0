import Foundation
import Testing
import TallyAggregation
import TallyCore

@Suite("KOS")
struct KOSTests {
    @Test("reproduces crowd-kit's accuracy on the JOSS binary sets", arguments: [("vldb-product", 0.8955), ("vldb-possent", 0.9330)])
    func joss(dataset: String, expected: Double) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let model = try KOS().fit(table)
        let gold = try GoldReader.read(TestData.goldPath(dataset))
        let predicted = try GoldLabels((0..<table.taskCount).map {
            GoldLabels.Entry(task: table.tasks.name(Int32($0)), label: table.labels[Int(model.labels[$0])])
        })
        #expect(abs(Evaluation(predictions: predicted, gold: gold).accuracy - expected) < 5e-5)
    }

    @Test("two labels only; the same seed gives the same labels")
    func binaryOnlyAndSeeded() throws {
        let three = try AnswerTable(tasks: ["t1", "t1", "t2"], workers: ["a", "b", "a"], labels: ["x", "y", "z"])
        #expect(throws: AggregationError.self) { try KOS().fit(three) }
        let table = try AnswerReader.read(TestData.answersPath("act-sp")).table
        #expect(try KOS(seed: 3).fit(table).labels == KOS(seed: 3).fit(table).labels)
        #expect(try KOS().fit(table).probabilities.values.allSatisfy { $0 == 0 || $0 == 1 })
    }
}
