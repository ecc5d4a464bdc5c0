/// What a method predicted, by task or item name, for answers of any kind.
public enum KindPrediction: Sendable {
    /// A label per task (categorical).
    case labels([String: String])
    /// A value per task (numeric).
    case values([String: Double])
    /// A score per item (pairwise; higher ranks first).
    case itemScores([String: Double])
    /// A text per task.
    case texts([String: String])
    /// A label set per task (multi-label).
    case labelSets([String: Set<String>])
}

/// A method's score on a data set of any answer kind, with the metric that fits the kind:
/// accuracy for categorical answers, MAE and RMSE for numbers, Kendall's τ and Spearman's ρ of
/// the item ranking against gold scores (or the share of gold comparisons agreed with) for
/// pairwise, WER for text, and micro precision, recall and F1 for label sets.
///
/// ```swift
/// let s = KindScore(.values(["t1": 30]), gold: .numeric(["t1": 28]))
/// s.primary.name   // "mae"
/// s.primary.value  // 2.0
/// ```
public struct KindScore: Sendable, Equatable {
    /// The kind of answers scored.
    public let type: AnswerType
    /// Gold tasks, items or comparisons that could be scored.
    public var scored = 0
    /// Gold entries given.
    public var goldCount = 0
    /// Share of gold tasks labelled right (categorical).
    public var accuracy: Double?
    /// Mean absolute error (numeric).
    public var mae: Double?
    /// Root mean squared error (numeric).
    public var rmse: Double?
    /// Kendall's τ-b of the item scores against gold scores (pairwise).
    public var kendallTau: Double?
    /// Spearman's ρ of the item scores against gold scores (pairwise).
    public var spearmanRho: Double?
    /// Share of gold comparisons whose winner scores higher (pairwise with gold comparisons; a
    /// tie counts one half).
    public var agreement: Double?
    /// Word error rate (text).
    public var wer: Double?
    /// Micro precision of label sets (multi-label).
    public var precision: Double?
    /// Micro recall of label sets (multi-label).
    public var recall: Double?
    /// Micro F1 of label sets (multi-label).
    public var f1: Double?
    /// Share of tasks predicted exactly (text, multi-label).
    public var exactMatch: Double?

    /// The metric that ranks methods of this kind: its name, value, and whether higher is better.
    public var primary: (name: String, value: Double, higherIsBetter: Bool) {
        switch type {
        case .categorical: return ("accuracy", accuracy ?? .nan, true)
        case .numeric: return ("mae", mae ?? .nan, false)
        case .pairwise: return kendallTau != nil ? ("kendall_tau", kendallTau!, true) : ("agreement", agreement ?? .nan, true)
        case .text: return ("wer", wer ?? .nan, false)
        case .multiLabel: return ("f1", f1 ?? .nan, true)
        }
    }

    /// The primary metric's name for answers of `type` scored against gold of that kind (for
    /// pairwise, Kendall's τ against gold scores).
    public static func primaryName(_ type: AnswerType) -> String {
        switch type {
        case .categorical: return "accuracy"
        case .numeric: return "mae"
        case .pairwise: return "kendall_tau"
        case .text: return "wer"
        case .multiLabel: return "f1"
        }
    }

    /// Scores `prediction` against `gold`.
    ///
    /// - Throws: ``MetricError`` when the prediction is not of the gold's kind.
    public init(_ prediction: KindPrediction, gold: KindGold) throws {
        type = gold.type
        goldCount = gold.count
        switch (prediction, gold) {
        case (.labels(let p), .categorical(let g)):
            var right = 0
            for e in g.entries { if let l = p[e.task] { scored += 1; if l == e.label { right += 1 } } }
            accuracy = scored == 0 ? .nan : Double(right) / Double(scored)
        case (.values(let p), .numeric(let g)):
            let e = NumericErrors(estimates: p, gold: g)
            (scored, mae, rmse) = (e.scored, e.mae, e.rmse)
        case (.itemScores(let p), .pairwiseScores(let g)):
            let items = g.keys.sorted().filter { p[$0] != nil }
            let r = RankCorrelation(items.map { p[$0]! }, items.map { g[$0]! })
            (scored, kendallTau, spearmanRho) = (r.count, r.kendallTau, r.spearmanRho)
        case (.itemScores(let p), .pairwiseComparisons(let g)):
            var agreed = 0.0
            for c in g {
                guard let l = p[c.left], let r = p[c.right] else { continue }
                scored += 1
                let loser = c.winner == c.left ? r : l, winner = c.winner == c.left ? l : r
                agreed += winner > loser ? 1 : winner == loser ? 0.5 : 0
            }
            agreement = scored == 0 ? .nan : agreed / Double(scored)
        case (.texts(let p), .text(let g)):
            let e = WordErrorRate(predictions: p, gold: g)
            let exact = e.tasks.filter { $0.errors == 0 }.count
            (scored, wer, exactMatch) = (e.scored, e.wer, e.scored == 0 ? .nan : Double(exact) / Double(e.scored))
        case (.labelSets(let p), .multiLabel(let g)):
            let e = LabelSetErrors(predicted: p, gold: g)
            (scored, precision, recall, f1, exactMatch) = (e.scored, e.precision, e.recall, e.f1, e.exactMatch)
        default:
            throw MetricError("a \(Self.kindName(prediction)) prediction cannot be scored against \(gold.type.rawValue) gold")
        }
    }

    private static func kindName(_ p: KindPrediction) -> String {
        switch p {
        case .labels: return "categorical"
        case .values: return "numeric"
        case .itemScores: return "pairwise"
        case .texts: return "text"
        case .labelSets: return "multi-label"
        }
    }

    /// Equal when every field is equal (NaN equal to NaN).
    public static func == (a: KindScore, b: KindScore) -> Bool {
        func same(_ x: Double?, _ y: Double?) -> Bool { x == y || (x?.isNaN == true && y?.isNaN == true) }
        return a.type == b.type && a.scored == b.scored && a.goldCount == b.goldCount && same(a.accuracy, b.accuracy)
            && same(a.mae, b.mae) && same(a.rmse, b.rmse) && same(a.kendallTau, b.kendallTau) && same(a.spearmanRho, b.spearmanRho)
            && same(a.agreement, b.agreement) && same(a.wer, b.wer) && same(a.precision, b.precision) && same(a.recall, b.recall)
            && same(a.f1, b.f1) && same(a.exactMatch, b.exactMatch)
    }
}
