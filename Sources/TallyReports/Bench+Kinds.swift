import Foundation
import TallyAggregation
import TallyCore

extension Bench {
    /// A data set's files and the kind of its answers.
    struct Source {
        /// The answers file.
        let answers: String
        /// The gold file (it may not exist; reading it reports that).
        let gold: String
        /// The kind of answers: from `dataset.json`, else from the answers file's header.
        let type: AnswerType
        /// Whether `dataset.json` named the kind (a categorical file of numbers is then not
        /// taken as numeric).
        let declared: Bool
    }

    /// The answers files a data set folder may hold, in the order they are looked for.
    static let answersNames = ["answers.arrow", "answers.tsv", "crowd_labels.csv"]

    /// The kind named by `folder/dataset.json` (`{"answer_type": "numeric"}`), or `nil` when the
    /// folder has no such file.
    ///
    /// - Throws: ``InputError`` for a file that is not a JSON object or names no known kind.
    public static func declaredType(folder: String) throws -> AnswerType? {
        let path = folder + "/dataset.json"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let kinds = AnswerType.allCases.map(\.rawValue).joined(separator: ", ")
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw InputError(.invalidJSON, file: path, "not a JSON object; expected {\"answer_type\": \"numeric\"} (one of \(kinds))")
        }
        guard let value = object["answer_type"] else { return nil }
        guard let name = value as? String, let type = AnswerType(rawValue: name) else {
            throw InputError(.invalidValue, file: path, field: "answer_type", "\(ErrorText.quoted("\(value)")) is not an answer type; expected one of \(kinds)")
        }
        return type
    }

    /// The answers and gold files of the data set in `folder`, and their kind.
    static func source(of folder: String) throws -> Source {
        let crowdKit = existing(folder, "crowd_labels.csv") != nil && existing(folder, "answers.tsv") == nil && existing(folder, "answers.arrow") == nil
        let answers = answersNames.lazy.compactMap { existing(folder, $0) }.first ?? folder + "/answers.tsv"
        let goldName = crowdKit ? "gt.csv" : "gold.tsv"
        let gold = existing(folder, goldName) ?? folder + "/" + goldName
        if let declared = try declaredType(folder: folder) {
            return Source(answers: answers, gold: gold, type: declared, declared: true)
        }
        return Source(answers: answers, gold: gold, type: try AnswerReader.detectType(answers), declared: false)
    }

    /// Runs the methods that take `answers`' kind on a data set of pairwise, numeric, text or
    /// multi-label answers, each scored against `gold` with the kind's metric.
    func runKind(name: String, answers: Answers, gold: KindGold, published: [String: Double],
                 rows: inout [Row], skipped: inout [Skipped], progress: (String) -> Void) {
        let type = answers.type
        let taskCount: Int
        switch answers {
        case .categorical(let t): taskCount = t.taskCount
        case .pairwise(let p): taskCount = p.itemCount
        case .numeric(let n): taskCount = n.taskCount
        case .text(let t): taskCount = t.taskCount
        case .multiLabel(let m): taskCount = m.taskCount
        }
        var datasetRows: [Row] = []
        var scores: [Double] = []
        for method in methods where method.descriptor.accepts(type) {
            progress("\(name): \(method.name)")
            do {
                var times: [Double] = []
                var result: MethodResult?
                for _ in 0..<repeats {
                    let start = ContinuousClock.now
                    result = try method.descriptor.fit(answers, parameters: method.parameters)
                    times.append((ContinuousClock.now - start).seconds)
                }
                times.sort()
                guard let prediction = result?.prediction(for: answers) else {
                    throw AggregationError("\(method.name) returned no \(type.rawValue) output")
                }
                let s = try KindScore(prediction, gold: gold)
                guard s.scored > 0 else {
                    throw AggregationError("no gold entry of the \(gold.count) matches the method's output (check that task or item names match)")
                }
                var row = Row(
                    dataset: name, method: method.name, answers: answers.answerCount, tasks: taskCount,
                    goldTasks: s.scored, accuracy: .nan, macroF1: .nan, iterations: result?.iterations,
                    seconds: times[times.count / 2], peakRSSMB: Self.peakRSSMB(), best: false,
                    published: published["\(name)\t\(method.name)"])
                row.set(s)
                datasetRows.append(row)
                scores.append(s.primary.higherIsBetter ? s.primary.value : -s.primary.value)
            } catch {
                skipped.append(Skipped(dataset: "\(name)/\(method.name)", reason: "\(error)"))
                progress("\(name): \(method.name) failed (\(error))")
            }
        }
        if let top = scores.filter({ !$0.isNaN }).max() {
            for i in datasetRows.indices where scores[i] == top { datasetRows[i].best = true }
        }
        rows += datasetRows
    }

    /// Reports the named methods that do not take `type` answers: one skipped entry per method,
    /// so that `--methods catd` on a categorical folder says why it wrote no row.
    func refuseOtherKinds(name: String, type: AnswerType, skipped: inout [Skipped], progress: (String) -> Void) {
        for method in methods where method.explicitlyNamed && !method.descriptor.accepts(type) {
            let reason = "\(method.name) takes \(method.descriptor.answerTypes.map(\.rawValue).joined(separator: " or ")) answers; this data set's are \(type.rawValue)"
            skipped.append(Skipped(dataset: "\(name)/\(method.name)", reason: reason))
            progress("\(name): \(method.name) skipped: \(reason)")
        }
    }
}

extension Bench.Row {
    /// The kind of answers scored (``answerType``, categorical when not recorded).
    public var kind: AnswerType { answerType ?? .categorical }

    /// The value of the kind's primary metric (``KindScore/primary``): accuracy, MAE, Kendall's τ
    /// (or agreement with gold comparisons), WER or F1.
    public var primaryScore: Double {
        switch kind {
        case .categorical: return accuracy
        case .numeric: return mae ?? .nan
        case .pairwise: return kendallTau ?? agreement ?? .nan
        case .text: return wer ?? .nan
        case .multiLabel: return f1 ?? .nan
        }
    }

    /// The primary metric's name for this row (as in results.tsv's columns).
    public var primaryName: String {
        kind == .pairwise && kendallTau == nil && agreement != nil ? "agreement" : KindScore.primaryName(kind)
    }

    /// Copies the kind and metrics of `s` onto the row.
    mutating func set(_ s: KindScore) {
        answerType = s.type
        mae = s.mae
        rmse = s.rmse
        kendallTau = s.kendallTau
        spearmanRho = s.spearmanRho
        agreement = s.agreement
        wer = s.wer
        precision = s.precision
        recall = s.recall
        f1 = s.f1
    }
}
