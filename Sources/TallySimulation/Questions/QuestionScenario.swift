import Foundation
import TallyCore

/// A scenario whose crowd answers pairwise, numeric or text questions instead of picking one
/// label: the true answers, the workers and how each kind of worker errs.
///
/// Scenario files (JSON) with a `question` object:
///
/// ```
/// {
///   "name": "speaker-age", "description": "…",
///   "question": {
///     "type": "numeric" | "pairwise" | "text",
///     "tasks": 300,            questions asked (for pairwise: distinct pairs of items compared)
///     "overlap": 5,            answers per question, from distinct workers
///     "workers": 60,           workers, each of a type drawn by share
///     numeric:  "truth": drawable (each task's true value), "decimals": 2
///     pairwise: "items": 40, "truth": drawable (each item's true score),
///               "noise": "thurstone" (P(left wins) = Φ((s_l − s_r)/scale)) | "bradley_terry" (σ((s_l − s_r)/scale))
///     text:     "vocabulary": 300 (distinct words), "length": drawable (words per sentence)
///     "worker_types": [ {"name": "careful", "share": 0.8, …the kind's parameters, each drawable, per worker…} ]
///       numeric:  "bias" (added to the truth), "noise" (sd of a Gaussian error)
///       pairwise: "scale" (the comparison's noise), "random" (probability of a coin-flip answer)
///       text:     "substitution", "deletion", "insertion" (per-word probabilities)
///   }
/// }
/// ```
///
/// A drawable parameter is a number or one of `{"beta": [a, b]}`, `{"uniform": [lo, hi]}`,
/// `{"normal": [mean, sd]}`, `{"lognormal": [mu, sigma]}`, drawn once per worker (or task, item).
/// Unknown keys are errors naming their path.
public struct QuestionScenario: Sendable, Equatable {
    /// How one type of worker answers, by kind.
    public enum WorkerModel: Sendable, Equatable {
        /// The truth plus `bias`, plus a Gaussian error of sd `noise`.
        case numeric(bias: ParameterDistribution, noise: ParameterDistribution)
        /// Thurstone or Bradley–Terry noise of `scale` around the true scores; with probability
        /// `random`, a coin flip.
        case pairwise(scale: ParameterDistribution, random: ParameterDistribution)
        /// Each true word is deleted with probability `deletion`, else replaced by another word
        /// with probability `substitution`; after each word an extra word comes with
        /// probability `insertion`.
        case text(substitution: ParameterDistribution, deletion: ParameterDistribution, insertion: ParameterDistribution)
    }

    /// One type of worker and its share.
    public struct WorkerType: Sendable, Equatable {
        /// Its name in workers.tsv.
        public var name: String
        /// Relative share of the workers.
        public var share: Double
        /// How it answers.
        public var model: WorkerModel

        /// A worker type called `name`, `share` of the workers, answering by `model`.
        public init(name: String, share: Double, model: WorkerModel) {
            self.name = name
            self.share = share
            self.model = model
        }
    }

    /// How comparisons are noised.
    public enum ComparisonNoise: String, Sendable, Equatable {
        /// Probit: P(left wins) = Φ((s_left − s_right) / scale).
        case thurstone
        /// Logit: P(left wins) = σ((s_left − s_right) / scale).
        case bradleyTerry = "bradley_terry"
    }

    /// A name for reports.
    public var name: String
    /// The kind of question: pairwise, numeric or text.
    public var type: AnswerType
    /// Questions asked (pairs compared, for pairwise).
    public var tasks: Int
    /// Answers per question, each from a different worker.
    public var overlap: Int
    /// Workers in the crowd.
    public var workers: Int
    /// Items compared (pairwise).
    public var items: Int
    /// True values (numeric) or item scores (pairwise).
    public var truth: ParameterDistribution
    /// Decimals numeric answers and truths are rounded to.
    public var decimals: Int
    /// The comparison noise (pairwise).
    public var noise: ComparisonNoise
    /// Distinct words sentences are made of (text).
    public var vocabulary: Int
    /// Words per true sentence (text), rounded and at least 1.
    public var length: ParameterDistribution
    /// The worker types (at least one).
    public var workerTypes: [WorkerType]

    /// Whether a scenario file holds a `question` object (so it is read with ``read(path:)``
    /// rather than as a categorical ``Scenario``).
    public static func isQuestionScenario(path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path), let value = try? JSONValue(parsing: data),
              case .object(let o) = value else { return false }
        return o["question"] != nil
    }

    /// Reads a scenario file with a `question` object.
    /// - Throws: ``ScenarioError`` naming the file, the JSON path and what was expected.
    public static func read(path: String) throws(ScenarioError) -> QuestionScenario {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ScenarioError(.unreadable, path: "", "cannot read the file (\(error.localizedDescription))", file: path)
        }
        do { return try decode(data) } catch {
            var e = error
            e.file = path
            throw e
        }
    }

    /// Reads a scenario with a `question` object from JSON text.
    /// - Throws: ``ScenarioError`` naming the JSON path and what was expected.
    public static func decode(_ data: Data) throws(ScenarioError) -> QuestionScenario {
        let value: JSONValue
        do { value = try JSONValue(parsing: data) } catch { throw ScenarioError(.invalidJSON, path: "", "not valid JSON (\(error))") }
        var w: [String] = []
        let root = JSONNode(value, path: "")
        let o = try root.object(allowed: ["name", "description", "question"], warnings: &w)
        let name = try root.node(o, "name")?.string() ?? "scenario"
        let q = try root.require(o, "question", "an object describing the question")
        let kinds = ["pairwise", "numeric", "text"]
        let qo = try q.object(allowed: ["type", "tasks", "overlap", "workers", "items", "truth", "decimals", "noise", "vocabulary", "length", "worker_types"], warnings: &w)
        let typeNode = try q.require(qo, "type", "one of \(kinds.joined(separator: ", "))")
        if (try? typeNode.string()) == "categorical" {
            throw typeNode.fail(.invalidValue, nil, "categorical questions are described by labels, tasks, crowd and pool (see datasets/scenarios/audio-gender.json), not by a question object")
        }
        let type = AnswerType(rawValue: try typeNode.choice(kinds))!
        let parser = ScenarioParser()
        func allowedOnly(_ keys: [String]) throws(ScenarioError) {
            for key in qo.keys.sorted() where !keys.contains(key) {
                throw ScenarioError(.unknownKey, path: q.child(key), "not a setting of \(type.rawValue) questions; expected one of \(keys.joined(separator: ", "))")
            }
        }
        let common = ["type", "tasks", "overlap", "workers", "worker_types"]
        switch type {
        case .numeric: try allowedOnly(common + ["truth", "decimals"])
        case .pairwise: try allowedOnly(common + ["items", "truth", "noise"])
        default: try allowedOnly(common + ["vocabulary", "length"])
        }
        let tasks = try q.require(qo, "tasks", "the number of questions").int(in: 1...10_000_000)
        let workers = try q.require(qo, "workers", "the number of workers").int(in: 1...10_000_000)
        let overlapNode = try q.require(qo, "overlap", "answers per question")
        let overlap = try overlapNode.int(in: 1...1000)
        guard overlap <= workers else { throw overlapNode.fail(.invalidValue, nil, "expected at most the \(workers) workers (each answer comes from a different worker), got \(overlap)") }
        var s = QuestionScenario(name: name, type: type, tasks: tasks, overlap: overlap, workers: workers, items: 0,
                                 truth: .normal(mean: 0, sd: 1), decimals: 2, noise: .thurstone, vocabulary: 300,
                                 length: .uniform(4, 12), workerTypes: [])
        if let n = q.node(qo, "truth") { s.truth = try parser.distribution(n) }
        if let n = q.node(qo, "decimals") { s.decimals = try n.int(in: 0...12) }
        if let n = q.node(qo, "noise") { s.noise = ComparisonNoise(rawValue: try n.choice(["thurstone", "bradley_terry"]))! }
        if let n = q.node(qo, "vocabulary") { s.vocabulary = try n.int(in: 2...1_000_000) }
        if let n = q.node(qo, "length") { s.length = try parser.distribution(n, in: 1...10_000) }
        if type == .pairwise {
            let itemsNode = try q.require(qo, "items", "the number of items compared")
            s.items = try itemsNode.int(in: 2...1_000_000)
            let pairs = s.items * (s.items - 1) / 2
            guard tasks <= pairs else {
                throw q.fail(.invalidValue, "tasks", "expected at most the \(pairs) distinct pairs of \(s.items) items, got \(tasks)")
            }
        }
        let typesNode = try q.require(qo, "worker_types", "a list of worker types")
        let list = try typesNode.array()
        guard !list.isEmpty else { throw typesNode.fail(.invalidValue, nil, "expected at least one worker type") }
        for (i, t) in list.enumerated() {
            let keys: [String]
            switch type {
            case .numeric: keys = ["name", "share", "bias", "noise"]
            case .pairwise: keys = ["name", "share", "scale", "random"]
            default: keys = ["name", "share", "substitution", "deletion", "insertion"]
            }
            let to = try t.object(allowed: keys, warnings: &w)
            let share = try t.node(to, "share")?.double(in: 0...1e9, "a non-negative share") ?? 1
            let typeName = try t.node(to, "name")?.string() ?? "type\(i + 1)"
            func p(_ key: String, _ fallback: Double, in range: ClosedRange<Double>? = nil) throws(ScenarioError) -> ParameterDistribution {
                guard let n = t.node(to, key) else { return .fixed(fallback) }
                return try parser.distribution(n, in: range)
            }
            let model: WorkerModel
            switch type {
            case .numeric: model = .numeric(bias: try p("bias", 0), noise: try p("noise", 1))
            case .pairwise: model = .pairwise(scale: try p("scale", 1), random: try p("random", 0, in: 0...1))
            default: model = .text(substitution: try p("substitution", 0, in: 0...1), deletion: try p("deletion", 0, in: 0...1), insertion: try p("insertion", 0, in: 0...1))
            }
            s.workerTypes.append(WorkerType(name: typeName, share: share, model: model))
        }
        guard s.workerTypes.contains(where: { $0.share > 0 }) else { throw typesNode.fail(.invalidValue, nil, "expected a worker type with a positive share") }
        return s
    }
}
