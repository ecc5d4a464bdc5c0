import Foundation
import TallyAggregation
import TallyCore

extension QuestionSimulation {
    /// One method's score on the simulated answers.
    public struct MethodScore: Sendable, Equatable {
        /// The method's name.
        public let method: String
        /// Its score against the simulated truth.
        public let score: KindScore
    }

    /// Fits each method that takes the answers' kind and scores it against the truth; methods of
    /// other kinds are left out (the CLI refuses them first).
    ///
    /// - Throws: the first method's error, or ``AggregationError`` for a method with no output
    ///   of the kind.
    public func scores(_ methods: [MethodDescriptor], parameters: MethodParameters = MethodParameters()) throws -> [MethodScore] {
        try methods.filter { $0.accepts(answers.type) }.map { m in
            let result = try m.fit(answers, parameters: parameters.only(m))
            guard let p = result.prediction(for: answers) else { throw AggregationError("\(m.name) returned no \(answers.type.rawValue) output") }
            return MethodScore(method: m.name, score: try KindScore(p, gold: gold))
        }
    }

    /// The files of the run, in the kind's crowd-kit layout, by name:
    /// - `answers.tsv`: `task, worker, value` (numeric), `worker, left, right, label` (pairwise,
    ///   the label names the winner) or `task, worker, text`;
    /// - `gold.tsv`: `task, value`, `item, score` or `task, text`;
    /// - `workers.tsv`: each worker's type and drawn parameters;
    /// - `dataset.json`: `{"answer_type": …}`, so that the folder is a `tally bench` data set;
    /// - `summary.json`: `summaryJSON` as given.
    public func files(summaryJSON: [UInt8]) -> [(name: String, bytes: [UInt8])] {
        var a = "", g = ""
        switch answers {
        case .numeric(let n):
            a = "task\tworker\tvalue\n"
            for i in 0..<n.answerCount { a += "\(n.tasks.name(n.task[i]))\t\(n.workers.name(n.worker[i]))\t\(format(n.value[i]))\n" }
        case .pairwise(let p):
            a = "worker\tleft\tright\tlabel\n"
            for i in 0..<p.comparisonCount {
                a += "\(p.workers.name(p.worker[i]))\t\(p.items.name(p.left[i]))\t\(p.items.name(p.right[i]))\t\(p.items.name(p.winner[i]))\n"
            }
        case .text(let t):
            a = "task\tworker\ttext\n"
            for i in 0..<t.answerCount { a += "\(t.tasks.name(t.task[i]))\t\(t.workers.name(t.worker[i]))\t\(t.text[i])\n" }
        default: break
        }
        func ordered<T>(_ d: [String: T]) -> [(String, T)] {
            d.sorted { (Int($0.key.dropFirst()) ?? 0, $0.key) < (Int($1.key.dropFirst()) ?? 0, $1.key) }
        }
        switch gold {
        case .numeric(let v): g = "task\tvalue\n" + ordered(v).map { "\($0.0)\t\(format($0.1))\n" }.joined()
        case .pairwiseScores(let v): g = "item\tscore\n" + ordered(v).map { "\($0.0)\t\(format($0.1))\n" }.joined()
        case .text(let v): g = "task\ttext\n" + ordered(v).map { "\($0.0)\t\($0.1)\n" }.joined()
        default: break
        }
        var w = "worker\ttype" + (workers.first?.parameters.map { "\t" + $0.name }.joined() ?? "") + "\n"
        for worker in workers { w += worker.id + "\t" + worker.type + worker.parameters.map { "\t" + String(format: "%.6g", $0.value) }.joined() + "\n" }
        let dataset = "{\n  \"answer_type\" : \"\(answers.type.rawValue)\",\n  \"source\" : \"tally simulate \(scenario.name) --seed \(seed)\"\n}\n"
        return [("answers.tsv", Array(a.utf8)), ("gold.tsv", Array(g.utf8)), ("workers.tsv", Array(w.utf8)),
                ("dataset.json", Array(dataset.utf8)), ("summary.json", summaryJSON)]
    }

    /// The run's summary: scenario name, kind, seed, counts, and each method's metrics (`null`
    /// for a metric that is not a number), as a JSON object (`commands` added when given).
    public func summary(_ scores: [MethodScore], commands: [String] = []) -> [UInt8] {
        func number(_ x: Double?) -> JSONValue? { x.map { $0.isFinite ? .double($0) : .null } }
        var methods: [String: JSONValue] = [:]
        for m in scores {
            let s = m.score
            var o: [String: JSONValue] = ["scored": .int(Int64(s.scored)), "primary": .string(s.primary.name)]
            let metrics: [(String, Double?)] = [("mae", s.mae), ("rmse", s.rmse), ("kendall_tau", s.kendallTau), ("spearman_rho", s.spearmanRho),
                                                ("agreement", s.agreement), ("wer", s.wer), ("exact_match", s.exactMatch)]
            for (k, v) in metrics { if let v = number(v) { o[k] = v } }
            methods[m.method] = .object(o)
        }
        var root: [String: JSONValue] = [
            "name": .string(scenario.name), "answer_type": .string(answers.type.rawValue), "seed": .int(Int64(seed)),
            "tasks": .int(Int64(scenario.tasks)), "workers": .int(Int64(scenario.workers)), "answers": .int(Int64(answers.answerCount)),
            "overlap": .int(Int64(scenario.overlap)), "methods": .object(methods),
        ]
        if scenario.type == .pairwise { root["items"] = .int(Int64(scenario.items)) }
        if !commands.isEmpty { root["commands"] = .array(commands.map { .string($0) }) }
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return Array(((try? e.encode(JSONValue.object(root))) ?? Data("{}".utf8)) + Data("\n".utf8))
    }

    /// A number as the files write it: Swift's shortest round-trip form (`12.5`, `-3`).
    private func format(_ x: Double) -> String { scenarioNumber(x) }
}
