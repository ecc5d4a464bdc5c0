import Foundation
import Testing
import TallyAggregation
import TallyCore
import TallySimulation

/// Scenarios that ask pairwise, numeric or text questions (`QuestionScenario`,
/// `QuestionSimulation`): the worker models, the files and the scoring.
@Suite("Simulated pairwise, numeric and text questions")
struct QuestionSimulationTests {
    static func scenario(_ name: String) throws -> QuestionScenario {
        try QuestionScenario.read(path: Scenarios.root.appendingPathComponent("datasets/scenarios/questions/\(name).json").path)
    }

    static func decode(_ json: String) throws(ScenarioError) -> QuestionScenario { try QuestionScenario.decode(Data(json.utf8)) }

    @Test("the shipped question scenarios read, and are told apart from categorical ones")
    func shipped() throws {
        for (name, type) in [("speaker-age", AnswerType.numeric), ("clarity-comparisons", .pairwise), ("transcription", .text)] {
            let path = Scenarios.root.appendingPathComponent("datasets/scenarios/questions/\(name).json").path
            #expect(QuestionScenario.isQuestionScenario(path: path))
            #expect(try QuestionScenario.read(path: path).type == type)
        }
        #expect(!QuestionScenario.isQuestionScenario(path: Scenarios.root.appendingPathComponent("datasets/scenarios/audio-gender.json").path))
    }

    @Test("numbers: the truth plus each worker's bias and Gaussian noise; mean and median close to it")
    func numeric() throws {
        var s = try Self.scenario("speaker-age")
        s.workerTypes = [.init(name: "biased", share: 1, model: .numeric(bias: .fixed(3), noise: .fixed(0)))]
        let run = try QuestionSimulation.run(s, seed: 4)
        guard case .numeric(let n) = run.answers, case .numeric(let gold) = run.gold else { Issue.record("not numeric"); return }
        #expect(n.answerCount == s.tasks * s.overlap && gold.count == s.tasks)
        // No noise: every answer is its task's truth plus 3.
        for i in 0..<n.answerCount { #expect(n.value[i] == gold[n.tasks.name(n.task[i])]! + 3) }
        let scores = try QuestionSimulation.run(try Self.scenario("speaker-age"), seed: 1).scores(MethodRegistry.methods(for: .numeric))
        #expect(scores.map(\.method) == MethodRegistry.methods(for: .numeric).map(\.name))
        let mean = try #require(scores.first { $0.method == "mean" }?.score)
        #expect(mean.scored == 400 && mean.mae! > 0 && mean.mae! < 15)
    }

    @Test("comparisons: Thurstone and Bradley-Terry noise; BT ranks the items close to the truth")
    func pairwise() throws {
        var s = try Self.scenario("clarity-comparisons")
        s.workerTypes = [.init(name: "exact", share: 1, model: .pairwise(scale: .fixed(1e-9), random: .fixed(0)))]
        let exact = try QuestionSimulation.run(s, seed: 2)
        guard case .pairwise(let p) = exact.answers, case .pairwiseScores(let truth) = exact.gold else { Issue.record("not pairwise"); return }
        #expect(p.comparisonCount == s.tasks * s.overlap && truth.count == s.items)
        // With (almost) no noise the better item always wins.
        for i in 0..<p.comparisonCount {
            let l = truth[p.items.name(p.left[i])]!, r = truth[p.items.name(p.right[i])]!
            #expect(p.items.name(p.winner[i]) == p.items.name(l > r ? p.left[i] : p.right[i]))
        }
        // Distinct pairs: no pair of items is asked twice.
        var pairs = Set<String>()
        for i in Swift.stride(from: 0, to: p.comparisonCount, by: s.overlap) {
            pairs.insert([p.items.name(p.left[i]), p.items.name(p.right[i])].sorted().joined(separator: "|"))
        }
        #expect(pairs.count == s.tasks)
        for noise in [QuestionScenario.ComparisonNoise.thurstone, .bradleyTerry] {
            var noisy = try Self.scenario("clarity-comparisons")
            noisy.noise = noise
            let scores = try QuestionSimulation.run(noisy, seed: 1).scores(MethodRegistry.methods("bt", for: .pairwise))
            let bt = try #require(scores.first?.score)
            #expect(bt.kendallTau! > 0.6 && bt.spearmanRho! > 0.8, "\(noise): \(bt)")
        }
    }

    @Test("text: substitution, deletion and insertion rates show in the answers' word error rate")
    func text() throws {
        var s = try Self.scenario("transcription")
        s.workerTypes = [.init(name: "perfect", share: 1, model: .text(substitution: .fixed(0), deletion: .fixed(0), insertion: .fixed(0)))]
        let perfect = try QuestionSimulation.run(s, seed: 3)
        guard case .text(let t) = perfect.answers, case .text(let gold) = perfect.gold else { Issue.record("not text"); return }
        for i in 0..<t.answerCount { #expect(t.text[i] == gold[t.tasks.name(t.task[i])]) }
        s.workerTypes = [.init(name: "sloppy", share: 1, model: .text(substitution: .fixed(0.2), deletion: .fixed(0.1), insertion: .fixed(0.1)))]
        let sloppy = try QuestionSimulation.run(s, seed: 3)
        guard case .text(let st) = sloppy.answers, case .text(let sg) = sloppy.gold else { Issue.record("not text"); return }
        // Each worker's own WER is near 0.2 + 0.1 + 0.1 (edits per true word).
        let own = WordErrorRate(predictions: Dictionary((0..<st.answerCount).filter { st.workers.name(st.worker[$0]) == st.workers.name(st.worker[0]) }
            .map { (st.tasks.name(st.task[$0]), st.text[$0]) }, uniquingKeysWith: { a, _ in a }), gold: sg)
        #expect(own.wer > 0.25 && own.wer < 0.55, "\(own.wer)")
    }

    @Test("the same seed gives the same files; another seed other answers")
    func determinism() throws {
        let s = try Self.scenario("clarity-comparisons")
        let a = try QuestionSimulation.run(s, seed: 9).files(summaryJSON: []), b = try QuestionSimulation.run(s, seed: 9).files(summaryJSON: [])
        let c = try QuestionSimulation.run(s, seed: 10).files(summaryJSON: [])
        #expect(a.map(\.bytes) == b.map(\.bytes))
        #expect(a.first { $0.name == "answers.tsv" }?.bytes != c.first { $0.name == "answers.tsv" }?.bytes)
        let names = a.map(\.name)
        #expect(names == ["answers.tsv", "gold.tsv", "workers.tsv", "dataset.json", "summary.json"])
        let header = String(decoding: a[0].bytes.prefix(while: { $0 != 0x0A }), as: UTF8.self)
        #expect(header == "worker\tleft\tright\tlabel")
    }

    @Test("scenario errors name the JSON path", arguments: [
        ("{\"question\": {\"type\": \"numeric\", \"tasks\": 5, \"overlap\": 3, \"workers\": 2, \"worker_types\": [{}]}}", "question.overlap", "at most the 2 workers"),
        ("{\"question\": {\"type\": \"pairwise\", \"tasks\": 50, \"items\": 4, \"overlap\": 1, \"workers\": 2, \"worker_types\": [{}]}}", "question.tasks", "6 distinct pairs"),
        ("{\"question\": {\"type\": \"text\", \"tasks\": 5, \"overlap\": 1, \"workers\": 2, \"noise\": \"thurstone\", \"worker_types\": [{}]}}", "question.noise", "not a setting of text questions"),
        ("{\"question\": {\"type\": \"numeric\", \"tasks\": 5, \"overlap\": 1, \"workers\": 2, \"worker_types\": [{\"scale\": 1}]}}", "question.worker_types[0].scale", "unknown key"),
        ("{\"question\": {\"type\": \"categorical\"}}", "question.type", "categorical questions are described"),
        ("{\"question\": {\"type\": \"text\", \"tasks\": 5, \"overlap\": 1, \"workers\": 2, \"worker_types\": [{\"deletion\": 1.5}]}}", "question.worker_types[0].deletion", "from 0 to 1"),
    ])
    func errors(json: String, path: String, message: String) {
        do {
            _ = try Self.decode(json)
            Issue.record("no error for \(json)")
        } catch {
            #expect(error.path == path, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }
}
