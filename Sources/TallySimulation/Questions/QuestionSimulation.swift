import Foundation
import TallyCore

/// A run of a ``QuestionScenario``: the true answers, the workers with their drawn parameters,
/// and every answer, in the kind's answer table.
///
/// Each question gets `overlap` answers from distinct workers drawn uniformly from the crowd.
/// The same scenario and seed give the same answers (one ``SimulationRandom`` stream, drawn in a
/// fixed order: truths, workers, then questions in order).
///
///     let s = try QuestionScenario.read(path: "datasets/scenarios/speaker-age.json")
///     let run = QuestionSimulation.run(s, seed: 1)
///     print(run.answers.summary)
public struct QuestionSimulation: Sendable {
    /// One worker: its type and the parameters drawn for it, by name (`bias`, `noise`, `scale`, …).
    public struct Worker: Sendable, Equatable {
        /// The worker's id (`w1`, `w2`, …).
        public let id: String
        /// The name of its type.
        public let type: String
        /// Its drawn parameters, in the type's order.
        public let parameters: [(name: String, value: Double)]

        /// Equal ids, types and parameters.
        public static func == (a: Worker, b: Worker) -> Bool {
            a.id == b.id && a.type == b.type && a.parameters.map(\.name) == b.parameters.map(\.name) && a.parameters.map(\.value) == b.parameters.map(\.value)
        }
    }

    /// The scenario run.
    public let scenario: QuestionScenario
    /// The seed.
    public let seed: UInt64
    /// Every answer.
    public let answers: Answers
    /// The gold: each task's value or text, or each item's true score.
    public let gold: KindGold
    /// The workers.
    public let workers: [Worker]

    /// Runs `scenario` with `seed`.
    public static func run(_ scenario: QuestionScenario, seed: UInt64) throws -> QuestionSimulation {
        var rng = SimulationRandom(seed: seed)
        let s = scenario
        let scale = pow(10, Double(s.decimals))
        func rounded(_ x: Double) -> Double { (x * scale).rounded() / scale }
        // Truths.
        var truths: [Double] = []
        var sentences: [[Int]] = []
        let words = Self.vocabulary(s.vocabulary)
        switch s.type {
        case .numeric: truths = (0..<s.tasks).map { _ in rounded(s.truth.draw(&rng)) }
        case .pairwise: truths = (0..<s.items).map { _ in (s.truth.draw(&rng) * 1e6).rounded() / 1e6 }
        default:
            sentences = (0..<s.tasks).map { _ in
                let n = max(1, Int(s.length.draw(&rng).rounded()))
                return (0..<n).map { _ in rng.below(words.count) }
            }
        }
        // Workers.
        let totalShare = s.workerTypes.reduce(0) { $0 + $1.share }
        var workers: [Worker] = []
        var models: [(type: Int, values: [Double])] = []
        for w in 0..<s.workers {
            var u = rng.uniform() * totalShare, t = 0
            while t < s.workerTypes.count - 1 && u >= s.workerTypes[t].share { u -= s.workerTypes[t].share; t += 1 }
            let type = s.workerTypes[t]
            let named: [(String, ParameterDistribution)]
            switch type.model {
            case .numeric(let bias, let noise): named = [("bias", bias), ("noise", noise)]
            case .pairwise(let sc, let random): named = [("scale", sc), ("random", random)]
            case .text(let sub, let del, let ins): named = [("substitution", sub), ("deletion", del), ("insertion", ins)]
            }
            var values = named.map { $0.1.draw(&rng) }
            if case .numeric = type.model { values[1] = abs(values[1]) }
            if case .pairwise = type.model { values[0] = max(abs(values[0]), 1e-9); values[1] = min(max(values[1], 0), 1) }
            if case .text = type.model { values = values.map { min(max($0, 0), 1) } }
            workers.append(Worker(id: "w\(w + 1)", type: type.name, parameters: zip(named.map(\.0), values).map { ($0, $1) }))
            models.append((t, values))
        }
        func crowd() -> [Int] {
            var chosen: [Int] = []
            while chosen.count < s.overlap {
                let w = rng.below(s.workers)
                if !chosen.contains(w) { chosen.append(w) }
            }
            return chosen
        }
        let answers: Answers, gold: KindGold
        switch s.type {
        case .numeric:
            var tasks: [String] = [], who: [String] = [], values: [Double] = []
            for t in 0..<s.tasks {
                for w in crowd() {
                    let v = models[w].values
                    tasks.append("t\(t + 1)"); who.append(workers[w].id)
                    values.append(rounded(truths[t] + v[0] + rng.normal(mean: 0, sd: v[1])))
                }
            }
            answers = .numeric(try NumericAnswers(tasks: tasks, workers: who, values: values))
            gold = .numeric(Dictionary(uniqueKeysWithValues: truths.enumerated().map { ("t\($0.offset + 1)", $0.element) }))
        case .pairwise:
            var seen = Set<Int>()
            var who: [String] = [], left: [String] = [], right: [String] = [], winners: [String] = []
            for _ in 0..<s.tasks {
                var a = 0, b = 0
                repeat {
                    a = rng.below(s.items); b = rng.below(s.items - 1)
                    if b >= a { b += 1 }
                } while seen.contains(min(a, b) * s.items + max(a, b))
                seen.insert(min(a, b) * s.items + max(a, b))
                for w in crowd() {
                    let v = models[w].values
                    let leftWins: Bool
                    if rng.bernoulli(v[1]) {
                        leftWins = rng.bernoulli(0.5)
                    } else {
                        let d = (truths[a] - truths[b]) / v[0]
                        let p = s.noise == .thurstone ? 0.5 * erfc(-d / 2.0.squareRoot()) : 1 / (1 + exp(-d))
                        leftWins = rng.bernoulli(p)
                    }
                    who.append(workers[w].id); left.append("i\(a + 1)"); right.append("i\(b + 1)")
                    winners.append(leftWins ? "i\(a + 1)" : "i\(b + 1)")
                }
            }
            answers = .pairwise(try PairwiseAnswers(workers: who, left: left, right: right, winners: winners))
            gold = .pairwiseScores(Dictionary(uniqueKeysWithValues: truths.enumerated().map { ("i\($0.offset + 1)", $0.element) }))
        default:
            var tasks: [String] = [], who: [String] = [], texts: [String] = []
            for t in 0..<s.tasks {
                for w in crowd() {
                    let v = models[w].values
                    var out: [String] = []
                    for word in sentences[t] {
                        if rng.bernoulli(v[1]) {
                            // deleted
                        } else if rng.bernoulli(v[0]) {
                            var other = rng.below(words.count - 1)
                            if other >= word { other += 1 }
                            out.append(words[other])
                        } else {
                            out.append(words[word])
                        }
                        if rng.bernoulli(v[2]) { out.append(words[rng.below(words.count)]) }
                    }
                    tasks.append("t\(t + 1)"); who.append(workers[w].id); texts.append(out.joined(separator: " "))
                }
            }
            answers = .text(try TextAnswers(tasks: tasks, workers: who, texts: texts))
            gold = .text(Dictionary(uniqueKeysWithValues: sentences.enumerated().map { ("t\($0.offset + 1)", $0.element.map { words[$0] }.joined(separator: " ")) }))
        }
        return QuestionSimulation(scenario: s, seed: seed, answers: answers, gold: gold, workers: workers)
    }

    /// `count` distinct pseudo-words made of syllables (`ba`, `ko`, …), the same for every run.
    static func vocabulary(_ count: Int) -> [String] {
        let onsets = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z"]
        let vowels = ["a", "e", "i", "o", "u"]
        let syllables = onsets.flatMap { o in vowels.map { o + $0 } }
        var out: [String] = []
        out.reserveCapacity(count)
        var i = 0
        while out.count < count {
            var n = i, word = ""
            repeat { word += syllables[n % syllables.count]; n /= syllables.count } while n > 0
            out.append(word)
            i += 1
        }
        return out
    }
}
