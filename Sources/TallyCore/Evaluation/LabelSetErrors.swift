/// Precision, recall and F1 of predicted label sets against gold label sets, micro-averaged:
/// true positives, false positives and false negatives summed over the scored tasks.
///
/// ```swift
/// let e = LabelSetErrors(predicted: ["t1": ["a", "b"]], gold: ["t1": ["a", "c"]])
/// e.precision  // 0.5
/// e.recall     // 0.5
/// e.f1         // 0.5
/// ```
public struct LabelSetErrors: Sendable, Equatable {
    /// Gold tasks that have a prediction.
    public let scored: Int
    /// All gold tasks given.
    public let goldTasks: Int
    /// Predicted labels that are gold, over predicted labels (NaN when nothing is predicted).
    public let precision: Double
    /// Gold labels predicted, over gold labels (NaN when the gold sets are empty).
    public let recall: Double
    /// The harmonic mean of precision and recall (0 when both are 0, NaN when either is NaN).
    public let f1: Double
    /// Share of scored tasks whose predicted set equals the gold set (NaN when none is scored).
    public let exactMatch: Double

    /// Scores `predicted` (task → labels) against `gold` (task → labels).
    public init(predicted: [String: Set<String>], gold: [String: Set<String>]) {
        var tp = 0, fp = 0, fn = 0, exact = 0, n = 0
        for (task, truth) in gold {
            guard let p = predicted[task] else { continue }
            let hit = p.intersection(truth).count
            tp += hit
            fp += p.count - hit
            fn += truth.count - hit
            if p == truth { exact += 1 }
            n += 1
        }
        scored = n
        goldTasks = gold.count
        precision = tp + fp == 0 ? .nan : Double(tp) / Double(tp + fp)
        recall = tp + fn == 0 ? .nan : Double(tp) / Double(tp + fn)
        if precision.isNaN || recall.isNaN { f1 = .nan } else { f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
        exactMatch = n == 0 ? .nan : Double(exact) / Double(n)
    }
}
