/// The answers of a data set, of any kind: one case per ``AnswerType``.
///
///     let file = try AnswerReader.read("comparisons.tsv", as: .pairwise)
///     if case .pairwise(let comparisons) = file.answers { print(comparisons.itemCount) }
public enum Answers: Sendable {
    /// One label per answer.
    case categorical(AnswerTable)
    /// One comparison of two items per answer.
    case pairwise(PairwiseAnswers)
    /// One number per answer.
    case numeric(NumericAnswers)
    /// One label set per answer.
    case multiLabel(MultiLabelAnswers)
    /// One text per answer.
    case text(TextAnswers)

    /// The kind of answers held.
    public var type: AnswerType {
        switch self {
        case .categorical: return .categorical
        case .pairwise: return .pairwise
        case .numeric: return .numeric
        case .multiLabel: return .multiLabel
        case .text: return .text
        }
    }

    /// The number of answers (rows of the input; for multi-label answers given one row per tag,
    /// one answer per task and worker).
    public var answerCount: Int {
        switch self {
        case .categorical(let t): return t.answerCount
        case .pairwise(let p): return p.comparisonCount
        case .numeric(let n): return n.answerCount
        case .multiLabel(let m): return m.answerCount
        case .text(let t): return t.answerCount
        }
    }

    /// The categorical table, when the answers are categorical.
    public var categorical: AnswerTable? {
        if case .categorical(let t) = self { return t }
        return nil
    }

    /// One line for the person at the terminal: the counts of what was read.
    public var summary: String {
        switch self {
        case .categorical(let t):
            return "\(t.answerCount) answers: \(t.taskCount) tasks, \(t.workerCount) workers, \(t.labelCount) labels"
        case .pairwise(let p):
            return "\(p.comparisonCount) comparisons: \(p.itemCount) items, \(p.workerCount) workers"
        case .numeric(let n):
            return "\(n.answerCount) numeric answers: \(n.taskCount) tasks, \(n.workerCount) workers"
        case .multiLabel(let m):
            return "\(m.answerCount) multi-label answers: \(m.taskCount) tasks, \(m.workerCount) workers, \(m.labelCount) labels"
        case .text(let t):
            return "\(t.answerCount) texts: \(t.taskCount) tasks, \(t.workerCount) workers"
        }
    }
}
