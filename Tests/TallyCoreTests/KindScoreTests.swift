import Foundation
import Testing
import TallyCore
import TallyTestSupport

/// The scores of answers other than categorical labels (`KindScore` and its parts) and the gold
/// files they are scored against (`KindGold`).
@Suite("Scores and gold of every answer type")
struct KindScoreTests {
    /// Kendall's τ-b and Spearman's ρ equal scipy.stats.kendalltau / spearmanr (scipy 1.x in
    /// /work/venv-ibcc, printed with repr), ties included.
    @Test("rank correlations equal scipy's, with ties", arguments: [
        ([1.0, 2, 3, 4], [1.0, 3, 2, 4], 0.6666666666666669, 0.7999999999999999),
        ([1.0, 2, 2, 3, 5, 4], [1.0, 2, 3, 3, 4, 6], 0.7857142857142858, 0.8970588235294118),
        ([0.5, -1, 2, 7, 3], [3.0, 1, 2, 9, 4], 0.7999999999999999, 0.8999999999999998),
    ])
    func rankCorrelation(x: [Double], y: [Double], tau: Double, rho: Double) {
        let r = RankCorrelation(x, y)
        #expect(abs(r.kendallTau - tau) < 1e-12)
        #expect(abs(r.spearmanRho - rho) < 1e-12)
        #expect(r.count == x.count)
    }

    @Test("word error rate: edits over gold words, summed over tasks; missing tasks not scored")
    func wer() {
        // t1: "b"→"x" and "d" deleted (2 edits of 4 words); t2: "g" inserted (1 of 2); t3 has no text.
        let e = WordErrorRate(predictions: ["t1": "a x c", "t2": "e f g", "t9": "z"], gold: ["t1": "a b c d", "t2": "e  f", "t3": "h"])
        #expect(e.scored == 2 && e.goldTasks == 3)
        #expect(e.errors == 3 && e.referenceWords == 6)
        #expect(e.wer == 0.5)
        #expect(WordErrorRate(predictions: ["t": "one two"], gold: ["t": "one\ttwo"]).wer == 0)
    }

    @Test("label sets: micro precision, recall and F1")
    func labelSets() {
        let e = LabelSetErrors(predicted: ["t1": ["a", "b"], "t2": ["c"]], gold: ["t1": ["a", "c"], "t2": ["c"], "t3": ["d"]])
        // tp 2 (a, c), fp 1 (b), fn 1 (c of t1).
        #expect(e.scored == 2 && e.goldTasks == 3)
        #expect(abs(e.precision - 2.0 / 3) < 1e-15 && abs(e.recall - 2.0 / 3) < 1e-15 && abs(e.f1 - 2.0 / 3) < 1e-15)
        #expect(e.exactMatch == 0.5)
    }

    @Test("KindScore picks the kind's metric, and refuses a prediction of another kind")
    func primary() throws {
        let numeric = try KindScore(.values(["t1": 30, "t2": 10]), gold: .numeric(["t1": 28, "t2": 14]))
        #expect(numeric.primary.name == "mae" && numeric.primary.value == 3 && !numeric.primary.higherIsBetter)
        #expect(abs(numeric.rmse! - (10.0).squareRoot()) < 1e-12)
        let ranking = try KindScore(.itemScores(["a": 3, "b": 2, "c": 1]), gold: .pairwiseScores(["a": 1, "b": 0.5, "c": 0]))
        #expect(ranking.primary.name == "kendall_tau" && ranking.kendallTau == 1 && ranking.spearmanRho == 1)
        let agreement = try KindScore(.itemScores(["a": 3, "b": 2, "c": 2]), gold: .pairwiseComparisons([
            GoldComparison(left: "a", right: "b", winner: "a"), GoldComparison(left: "b", right: "c", winner: "c"),
            GoldComparison(left: "c", right: "a", winner: "c"), GoldComparison(left: "a", right: "z", winner: "z"),
        ]))
        #expect(agreement.primary.name == "agreement" && agreement.scored == 3 && agreement.agreement == 0.5)
        let text = try KindScore(.texts(["t": "a b"]), gold: .text(["t": "a c"]))
        #expect(text.primary.name == "wer" && text.wer == 0.5)
        #expect(throws: MetricError.self) { try KindScore(.texts(["t": "a"]), gold: .numeric(["t": 1])) }
    }

    @Test("gold of each kind: layouts read, errors name file, line and field")
    func gold() throws {
        try withTempDirectory { dir in
            let numeric = try KindGold.read(try writeFile(dir, "n.tsv", "task\tlabel\nt1\t2.5\nt2\t-3\n"), as: .numeric)
            guard case .numeric(let v) = numeric else { Issue.record("not numeric"); return }
            #expect(v == ["t1": 2.5, "t2": -3])
            let scores = try KindGold.read(try writeFile(dir, "s.tsv", "item\tscore\na\t1\nb\t0.5\n"), as: .pairwise)
            guard case .pairwiseScores(let s) = scores else { Issue.record("not scores"); return }
            #expect(s == ["a": 1, "b": 0.5])
            let comparisons = try KindGold.read(try writeFile(dir, "c.csv", "left,right,label\na,b,b\n"), as: .pairwise)
            guard case .pairwiseComparisons(let c) = comparisons else { Issue.record("not comparisons"); return }
            #expect(c == [GoldComparison(left: "a", right: "b", winner: "b")])
            let sets = try KindGold.read(try writeFile(dir, "m.tsv", "task\tlabels\nt1\t[\"x\", \"y\"]\nt2\tz\nt2\tw\n"), as: .multiLabel)
            guard case .multiLabel(let m) = sets else { Issue.record("not sets"); return }
            #expect(m == ["t1": ["x", "y"], "t2": ["z", "w"]])
            let text = try KindGold.read(try writeFile(dir, "t.tsv", "task\ttext\nt1\thello world\n"), as: .text)
            #expect(text.count == 1 && text.type == .text)

            let bad = try writeFile(dir, "bad.tsv", "task\tvalue\nt1\t3\nt2\tabc\n")
            let e = try #require(throws: InputError.self) { try KindGold.read(bad, as: .numeric) }
            #expect(e.line == 3 && e.field == "value" && e.description.contains("not a number"))
            let twice = try writeFile(dir, "twice.tsv", "left\tright\tlabel\na\ta\ta\n")
            let e2 = try #require(throws: InputError.self) { try KindGold.read(twice, as: .pairwise) }
            #expect(e2.line == 2 && e2.field == "right")
            let noScore = try writeFile(dir, "noscore.tsv", "item\tfoo\na\t1\n")
            let e3 = try #require(throws: InputError.self) { try KindGold.read(noScore, as: .pairwise) }
            #expect(e3.field == "score")
        }
    }

    @Test("detectType reads the header: pairwise, numeric (value), text, multi-label (labels), else categorical")
    func detect() throws {
        let dir = try makeTempDirectory("tally-detect")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files: [(String, String, AnswerType)] = [
            ("p.tsv", "worker\tleft\tright\tlabel\nw\ta\tb\ta\n", .pairwise),
            ("n.tsv", "task\tworker\tvalue\nt\tw\t1\n", .numeric),
            ("t.csv", "task,worker,text\nt,w,hi there\n", .text),
            ("m.tsv", "task\tworker\tlabels\nt\tw\t[\"a\"]\n", .multiLabel),
            ("c.tsv", "task\tworker\tlabel\nt\tw\t1\n", .categorical),
        ]
        for (name, text, type) in files {
            let detected = try AnswerReader.detectType(try writeFile(dir, name, text))
            #expect(detected == type, "\(name)")
        }
    }
}
