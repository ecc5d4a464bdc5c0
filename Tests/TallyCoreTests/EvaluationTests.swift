import Foundation
import Testing
import TallyCore
import TallyTestSupport

@Suite("Evaluation")
struct EvaluationTests {
    static func labels(_ pairs: KeyValuePairs<String, String>) throws -> GoldLabels {
        try GoldLabels(pairs.map { GoldLabels.Entry(task: $0.key, label: $0.value) })
    }

    /// y_true = [a, a, b, b, c, a], y_pred = [a, b, b, b, a, d] on the scored tasks t1…t6, plus a
    /// prediction without gold (t7) and gold without a prediction (t8).
    ///
    /// scikit-learn 1.5.2: accuracy_score = 0.5; f1_score(average="macro") = 0.30000000000000004;
    /// precision_recall_fscore_support(zero_division=0) over labels [a, b, c, d]:
    /// precision [0.5, 0.6667, 0, 0], recall [0.3333, 1, 0, 0], f1 [0.4, 0.8, 0, 0], support [3, 2, 1, 0].
    static func example() throws -> Evaluation {
        let predictions = try labels(["t1": "a", "t2": "b", "t3": "b", "t4": "b", "t5": "a", "t6": "d", "t7": "c"])
        let gold = try labels(["t1": "a", "t2": "a", "t3": "b", "t4": "b", "t5": "c", "t6": "a", "t8": "c"])
        return Evaluation(predictions: predictions, gold: gold)
    }

    @Test("accuracy and counts")
    func accuracy() throws {
        let e = try Self.example()
        #expect(e.scored == 6)
        #expect(e.goldTasks == 7)
        #expect(e.unscored == 1)
        #expect(e.correct == 3)
        #expect(e.accuracy == 0.5)
    }

    @Test("macro-F1 equals scikit-learn's f1_score(average=\"macro\")")
    func macroF1() throws {
        let e = try Self.example()
        #expect(abs(e.macroF1 - 0.30000000000000004) < 1e-12)
    }

    @Test("per-class precision, recall, F1, support, predicted")
    func perClass() throws {
        let e = try Self.example()
        #expect(e.perClass.map(\.label) == ["a", "b", "c", "d"])
        let expected: [(p: Double, r: Double, f1: Double, support: Int, predicted: Int)] = [
            (0.5, 1.0 / 3.0, 0.4, 3, 2),
            (2.0 / 3.0, 1.0, 0.8, 2, 3),
            (0, 0, 0, 1, 0),
            (0, 0, 0, 0, 1),
        ]
        for (c, x) in zip(e.perClass, expected) {
            #expect(abs(c.precision - x.p) < 1e-12, "precision of \(c.label)")
            #expect(abs(c.recall - x.r) < 1e-12, "recall of \(c.label)")
            #expect(abs(c.f1 - x.f1) < 1e-12, "F1 of \(c.label)")
            #expect(c.support == x.support, "support of \(c.label)")
            #expect(c.predicted == x.predicted, "predictions of \(c.label)")
        }
    }

    /// Binary with integer labels (numeric class order): y_true = [0, 0, 1, 1, 1, 10],
    /// y_pred = [0, 1, 1, 1, 0, 10]. scikit-learn: accuracy 0.6666666666666666,
    /// macro-F1 0.7222222222222222 (per class F1 [0.5, 0.6666666666666666, 1.0] over labels [0, 1, 10]).
    @Test("numeric labels: classes in numeric order")
    func numericLabels() throws {
        let e = Evaluation(
            predictions: try Self.labels(["a": "0", "b": "1", "c": "1", "d": "1", "e": "0", "f": "10"]),
            gold: try Self.labels(["a": "0", "b": "0", "c": "1", "d": "1", "e": "1", "f": "10"]))
        #expect(e.perClass.map(\.label) == ["0", "1", "10"])
        #expect(abs(e.accuracy - 0.6666666666666666) < 1e-12)
        #expect(abs(e.macroF1 - 0.7222222222222222) < 1e-12)
        #expect(e.perClass.map(\.f1).enumerated().allSatisfy { abs($0.element - [0.5, 0.6666666666666666, 1.0][$0.offset]) < 1e-12 })
    }

    @Test("nothing scored: accuracy and macro-F1 are NaN")
    func nothingScored() throws {
        let e = Evaluation(predictions: try Self.labels(["x": "a"]), gold: try Self.labels(["y": "a"]))
        #expect(e.scored == 0)
        #expect(e.unscored == 1)
        #expect(e.accuracy.isNaN)
        #expect(e.macroF1.isNaN)
        #expect(e.perClass.isEmpty)
    }

    @Test("Unicode-equivalent labels are different classes")
    func equivalentLabels() throws {
        let e = Evaluation(predictions: try Self.labels(["t": "e\u{301}"]), gold: try Self.labels(["t": "\u{E9}"]))
        #expect(e.correct == 0)
        #expect(e.perClass.count == 2)
    }
}

@Suite("GoldLabels and GoldReader")
struct GoldTests {
    @Test("gold from a file: task and label or true_label, other columns ignored, CSV or TSV", arguments: [
        ("gold.tsv", "task\tlabel\nt1\ta\nt2\tb\n"),
        ("gold.csv", "id,true_label,task\n1,a,t1\n2,b,t2\n"),
        ("gold.csv", "\u{FEFF}task,label\r\nt1,a\r\n\r\n\"t2\",\"b\"\r\n"),
    ])
    func read(name: String, text: String) throws {
        let gold = try withTempDirectory { dir in try GoldReader.read(try writeFile(dir, name, text)) }
        #expect(gold.entries == [.init(task: "t1", label: "a"), .init(task: "t2", label: "b")])
    }

    @Test("a repeated identical entry is kept once")
    func repeatedEntry() throws {
        let gold = try GoldLabels([.init(task: "t", label: "a"), .init(task: "t", label: "a")])
        #expect(gold.count == 1)
    }

    @Test("conflicting entries in memory throw conflictingGold")
    func conflictInMemory() throws {
        let error = try #require(throws: InputError.self) {
            try GoldLabels([.init(task: "t", label: "a"), .init(task: "u", label: "a"), .init(task: "t", label: "b")])
        }
        #expect(error.code == .conflictingGold)
        #expect(error.file == "<memory>")
        #expect(error.field == "label")
        #expect(error.message == "task 't' has two gold labels, 'a' and 'b'")
    }

    @Test("aligned to a table: label ids, unknown labels, tasks without answers")
    func aligned() throws {
        let table = try AnswerTable(tasks: ["t1", "t2", "t3"], workers: ["w", "w", "w"], labels: ["b", "a", "b"])
        let gold = try GoldLabels([.init(task: "t2", label: "b"), .init(task: "t3", label: "z"), .init(task: "t9", label: "a")])
        let a = gold.aligned(to: table)
        #expect(a.labelOfTask == [GoldLabels.Alignment.none, 1, GoldLabels.Alignment.unknownLabel])
        #expect(a.goldTasks == 2)
        #expect(a.tasksWithoutAnswers == 1)
    }
}
