import Foundation
import Testing
import TallyCore
import TallyAggregation

/// crowd-kit 1.4.2's ROVER and BinaryRelevance, and jiwer's word error rate, on crowd-kit's own
/// test data and on generated sets (fixtures from scripts/text_fixtures.py).
@Suite("Texts and multi-label: crowd-kit parity")
struct TextParityTests {
    static let folder = TestData.repoRoot.appendingPathComponent("Tests/TallyAggregationTests/Fixtures/text")

    static func object(_ name: String) throws -> [String: Any] {
        let data = try TestData.fixtureJSON(folder, name)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func textAnswers(_ fixture: [String: Any]) throws -> TextAnswers {
        let rows = try #require(fixture["answers"] as? [[String]])
        return try TextAnswers(tasks: rows.map { $0[0] }, workers: rows.map { $0[1] }, texts: rows.map { $0[2] })
    }

    @Test("ROVER: identical strings to crowd-kit for every task and tokenizer",
          arguments: ["toy", "simple", "gen", "chars"])
    func rover(set: String) throws {
        let fixture = try Self.object("rover-\(set)")
        let answers = try Self.textAnswers(fixture)
        let outputs = try #require(fixture["outputs"] as? [String: [String: String]])
        #expect(!outputs.isEmpty)
        for (name, expected) in outputs {
            let tokenizer = try #require(TextTokenizer(rawValue: name))
            let detokenizer: TextDetokenizer = tokenizer == .character ? .concatenate : .space
            for threads in [1, 2] {
                let texts = ROVER(tokenizer: tokenizer, detokenizer: detokenizer, execution: ExecutionSettings(threads: threads)).fit(answers)
                #expect(expected.count == answers.taskCount, "\(set) \(name): task count")
                var differing: [String] = []
                for (task, text) in expected {
                    let id = try #require(answers.tasks.lookup(task))
                    // Byte-for-byte: Swift's == would accept canonically equivalent strings.
                    if !Array(texts[Int(id)].utf8).elementsEqual(text.utf8) { differing.append("\(task): \(texts[Int(id)]) ≠ \(text)") }
                }
                #expect(differing.isEmpty, "\(set) \(name) threads \(threads): \(differing.count) differ, e.g. \(differing.prefix(3))")
            }
        }
    }

    @Test("rover through the registry: the same texts as ROVER with the space tokenizer")
    func roverRegistry() throws {
        let fixture = try Self.object("rover-simple")
        let answers = try Self.textAnswers(fixture)
        let expected = try #require((fixture["outputs"] as? [String: [String: String]])?["space"])
        let result = try MethodRegistry.method(named: "rover").fit(.text(answers), parameters: MethodParameters(["tokenizer": .string("space")]))
        let texts = try #require(result.taskTexts)
        for (task, text) in expected { #expect(texts[Int(answers.tasks.lookup(task)!)] == text) }
        #expect(throws: AggregationError.self) { try MethodRegistry.method(named: "rover").fit(.categorical(try AnswerTable(tasks: ["t"], workers: ["w"], labels: ["a"]))) }
    }

    @Test("ROVER's tie-breaking: most votes, then the longest word, then the largest by code points")
    func roverTies() {
        let rover = ROVER(tokenizer: .whitespace)
        #expect(rover.aggregate(["a b", "a c"]) == "a c")          // b and c one vote each: c is larger
        #expect(rover.aggregate(["x ab", "x c"]) == "x ab")        // longer wins over larger
        #expect(rover.aggregate(["b", "a", "a"]) == "a")            // votes first
        #expect(rover.aggregate(["", ""]) == "")
        #expect(rover.aggregate(["a b c"]) == "a b c")
        #expect(ROVER(tokenizer: .space).aggregate(["a  b", "a b"]) == "a b")
    }

    @Test("word error rate: jiwer's corpus rate and per-task rates, substitutions, deletions and insertions")
    func wer() throws {
        let w = try Self.object("wer")
        let gold = try #require(try Self.object("rover-gen")["gold"] as? [String: String])
        let hyp = try #require((try Self.object("rover-gen")["outputs"] as? [String: [String: String]])?["whitespace"])
        let ours = WordErrorRate(predictions: hyp, gold: gold)
        let tasks = try #require(w["tasks"] as? [String: [Double]])
        #expect(ours.scored == tasks.count)
        var rateMismatch = 0, breakdownMismatch = 0
        for t in ours.tasks {
            let theirs = try #require(tasks[t.task])
            if abs(t.wer - theirs[0]) > 1e-12 || Double(t.referenceWords) != theirs[4] { rateMismatch += 1 }
            if [Double(t.substitutions), Double(t.deletions), Double(t.insertions)] != Array(theirs[1...3]) { breakdownMismatch += 1 }
        }
        #expect(rateMismatch == 0)
        #expect(breakdownMismatch == 0)
        #expect(abs(ours.wer - (w["wer"] as! Double)) <= 1e-12)
        let counts = try #require(w["counts"] as? [Int])
        #expect([ours.substitutions, ours.deletions, ours.insertions] == Array(counts[0...2]))
        let pairs = try #require(w["pairs"] as? [[Any]])
        #expect(pairs.count == 2_000)
        var differing: [String] = []
        for p in pairs {
            let (ref, hyp) = (p[0] as! String, p[1] as! String)
            let s = WordErrorRate.score(task: "p", reference: ref, hypothesis: hyp)
            let theirs = p[2...4].map { $0 as! Int }
            if [s.substitutions, s.deletions, s.insertions] != theirs { differing.append("\(ref) | \(hyp): \(theirs)") }
        }
        #expect(differing.isEmpty, "\(differing.count) of \(pairs.count) random pairs differ from jiwer's S, D, I, e.g. \(differing.prefix(2))")
    }

    @Test("word error rate: edge cases as jiwer 4 gives them")
    func werEdges() {
        #expect(WordErrorRate.score(task: "t", reference: "a b c", hypothesis: "a b c").wer == 0)
        #expect(WordErrorRate.score(task: "t", reference: "a b c", hypothesis: "").wer == 1)
        #expect(WordErrorRate.score(task: "t", reference: "", hypothesis: "a b").wer == 2)   // jiwer: the insertions
        let s = WordErrorRate.score(task: "t", reference: "a b c", hypothesis: "a c d e")
        #expect(s.errors == 3 && s.substitutions == 2 && s.deletions == 0 && s.insertions == 1)
        let w = WordErrorRate(predictions: ["x": "a b", "y": "q"], gold: ["x": "a b c", "y": "q", "z": "n"])
        #expect(w.scored == 2 && w.goldTasks == 3)
        #expect(abs(w.wer - 0.25) < 1e-15 && abs(w.meanTaskWER - 1.0 / 6) < 1e-15)
    }

    @Test("binary relevance: identical label sets to crowd-kit with mv, ds and glad",
          arguments: ["toy", "gen"])
    func binaryRelevance(set: String) throws {
        let fixture = try Self.object("multilabel-\(set)")
        let rows = try #require(fixture["answers"] as? [[Any]])
        let answers = try MultiLabelAnswers(tasks: rows.map { $0[0] as! String }, workers: rows.map { $0[1] as! String },
                                            labelSets: rows.map { $0[2] as! [String] })
        let outputs = try #require(fixture["outputs"] as? [String: [String: [String]]])
        #expect(Set(outputs.keys) == ["mv", "ds", "glad"])
        for (method, expected) in outputs {
            let result = try MethodRegistry.method(named: "binary-relevance").fit(
                .multiLabel(answers), parameters: MethodParameters(["base-method": .string(method)], compatibility: .crowdKit))
            let sets = try #require(result.taskLabelSets)
            var differing: [String] = []
            for (task, labels) in expected {
                let ours = sets[Int(answers.tasks.lookup(task)!)].map { answers.labels[Int($0)] }
                if ours != labels { differing.append("\(task): \(ours) ≠ \(labels)") }
            }
            #expect(expected.count == answers.taskCount)
            #expect(differing.isEmpty, "\(set) \(method): \(differing.count) differ, e.g. \(differing.prefix(3))")
        }
    }

    @Test("binary relevance: base parameters, and a base method of another kind refused")
    func binaryRelevanceOptions() throws {
        let m = try MultiLabelAnswers(tasks: ["t1", "t1", "t2"], workers: ["w1", "w2", "w1"], labelSets: [["a"], ["a", "b"], ["b"]])
        let br = try MethodRegistry.method(named: "binary-relevance")
        let r = try br.fit(.multiLabel(m), parameters: MethodParameters(["base-method": .string("ds"), "base-parameters": .string("max-iterations=3, tolerance=0")]))
        #expect(r.taskLabelSets?.count == 2)
        #expect(throws: AggregationError.self) { try br.fit(.multiLabel(m), parameters: MethodParameters(["base-method": .string("rover")])) }
        #expect(throws: AggregationError.self) { try br.fit(.multiLabel(m), parameters: MethodParameters(["base-method": .string("nope")])) }
        #expect(throws: AggregationError.self) { try br.fit(.multiLabel(m), parameters: MethodParameters(["base-parameters": .string("bogus=1")])) }
        #expect(throws: AggregationError.self) { try br.fit(.multiLabel(m), parameters: MethodParameters(["base-method": .string("ds"), "base-parameters": .string("max-iterations=x")])) }
    }
}
