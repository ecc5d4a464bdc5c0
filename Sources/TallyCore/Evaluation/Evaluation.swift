/// How well predicted labels match gold labels: accuracy, macro-F1 and per-class scores.
///
/// Only gold tasks that have a prediction are scored (crowd-kit's evaluation and the published
/// tables do the same). Per-class scores cover every label seen in the scored gold or the
/// predictions (scikit-learn's `f1_score(average="macro")` convention); a class never predicted
/// has precision 0, a class never in gold has recall 0.
public struct Evaluation: Sendable {
    /// Precision, recall and F1 of one class.
    public struct ClassScore: Sendable, Equatable {
        /// The class's label.
        public let label: String
        /// Scored tasks predicted as this class that are of it, over all predicted as it (0 when none is).
        public let precision: Double
        /// Scored tasks of this class predicted as it, over all of it (0 when gold has none).
        public let recall: Double
        /// The harmonic mean of ``precision`` and ``recall`` (0 when both are 0).
        public let f1: Double
        /// Scored gold tasks of this class.
        public let support: Int
        /// Scored tasks predicted as this class.
        public let predicted: Int
    }

    /// Gold tasks that have a prediction.
    public let scored: Int
    /// All gold tasks given.
    public let goldTasks: Int
    /// Scored tasks whose prediction equals the gold label.
    public let correct: Int
    /// The unweighted mean F1 over ``perClass`` (NaN when nothing could be scored).
    public let macroF1: Double
    /// One score per class, in ``LabelSet`` order of the labels seen in scored gold and predictions.
    public let perClass: [ClassScore]

    /// `correct / scored` (NaN when nothing could be scored).
    public var accuracy: Double { scored == 0 ? .nan : Double(correct) / Double(scored) }
    /// Gold tasks with no prediction.
    public var unscored: Int { goldTasks - scored }

    /// Scores a table's predicted label ids (one per task, as aggregators return them) against `gold`.
    public init(labels: [Int32], of table: AnswerTable, gold: GoldLabels) {
        let predictions = try! GoldLabels((0..<table.taskCount).map {
            GoldLabels.Entry(task: table.tasks.name(Int32($0)), label: table.labels[Int(labels[$0])])
        })  // one entry per task: cannot conflict
        self.init(predictions: predictions, gold: gold)
    }

    /// Scores `predictions` (task → label) against `gold`.
    public init(predictions: GoldLabels, gold: GoldLabels) {
        var index = Interner(capacity: predictions.count)
        for e in predictions.entries { index.intern(e.task) }
        var pairs: [(gold: String, predicted: String)] = []
        for g in gold.entries {
            if let i = index.lookup(g.task) { pairs.append((g.label, predictions.entries[Int(i)].label)) }
        }
        scored = pairs.count
        goldTasks = gold.count
        correct = pairs.reduce(0) { $0 + ($1.gold.utf8.elementsEqual($1.predicted.utf8) ? 1 : 0) }
        let classes = LabelSet(pairs.flatMap { [$0.gold, $0.predicted] })
        var tp = [Int](repeating: 0, count: classes.count)
        var support = tp, predictedCount = tp
        for p in pairs {
            let g = classes.index(of: p.gold)!, q = classes.index(of: p.predicted)!
            support[g] += 1
            predictedCount[q] += 1
            if g == q { tp[g] += 1 }
        }
        perClass = classes.indices.map { c in
            let precision = predictedCount[c] == 0 ? 0 : Double(tp[c]) / Double(predictedCount[c])
            let recall = support[c] == 0 ? 0 : Double(tp[c]) / Double(support[c])
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassScore(label: classes[c], precision: precision, recall: recall, f1: f1, support: support[c], predicted: predictedCount[c])
        }
        macroF1 = perClass.isEmpty ? .nan : perClass.reduce(0) { $0 + $1.f1 } / Double(perClass.count)
    }
}
