import TallyCore

/// Per-worker confusion matrices: `P(worker answers y | true label c)`.
///
/// Stored densely, `values[(w * K + y) * K + c]`, with a mask of the (worker, answered label)
/// rows that exist. As in crowd-kit, a worker's matrix has rows only for labels the worker
/// actually gave; the other rows hold 0 and ``isObserved(worker:answer:)`` is `false`.
///
/// ```swift
/// let model = try DawidSkene().fit(answers)
/// let yes = answers.labels.index(of: "yes")!, no = answers.labels.index(of: "no")!
/// let p = model.confusions[0, yes, no]   // P(worker 0 says "yes" | the truth is "no")
/// ```
public struct ConfusionMatrices: Sendable, Equatable {
    /// `W`, the number of workers (the answer table's worker ids `0..<W`).
    public let workerCount: Int
    /// `K`, the number of labels (label ids `0..<K`).
    public let labelCount: Int
    /// All matrices, `values[(w * K + y) * K + c] = P(worker w answers y | true label c)`; 0 in
    /// rows the worker never answered.
    public let values: [Double]
    /// `observed[w * K + y]`: worker `w` gave label `y` at least once.
    public let observed: [Bool]

    init(workerCount: Int, labelCount: Int, values: [Double], observed: [Bool]) {
        precondition(values.count == workerCount * labelCount * labelCount && observed.count == workerCount * labelCount)
        self.workerCount = workerCount
        self.labelCount = labelCount
        self.values = values
        self.observed = observed
    }

    /// `confusions[w, y, c]`: `P(answer y | truth c)` for worker `w` (ids of the fitted ``AnswerTable``).
    public subscript(worker: Int, answer: Int, truth: Int) -> Double {
        values[(worker * labelCount + answer) * labelCount + truth]
    }

    /// Whether `worker` gave label `answer` at least once (else that row is all 0).
    public func isObserved(worker: Int, answer: Int) -> Bool { observed[worker * labelCount + answer] }
}

/// Confusion counts or matrices given by the user, by name, to start Dawid-Skene from
/// (crowd-kit's `initial_error`): rows are (worker, answered label), columns true labels.
public struct InitialConfusions: Sendable {
    /// How the given matrices enter the first M-step.
    public enum Strategy: String, Sendable, CaseIterable {
        /// Replace the counts: the given matrices must cover every (worker, label) the answers
        /// hold; if every value is at most 1, each worker's columns must sum to 1.
        case assign
        /// Add the given counts to the counts from the data (rows the data lacks are added too).
        case addition
    }

    /// One cell: a count or probability for (worker, answered label, true label), by name.
    public struct Entry: Sendable, Equatable {
        /// The worker's name as in the answers.
        public let worker: String
        /// The label the worker gave.
        public let answer: String
        /// The true label.
        public let truth: String
        /// A non-negative count (or probability, when every value is at most 1).
        public let value: Double
        /// A cell of the initial confusions.
        public init(worker: String, answer: String, truth: String, value: Double) {
            self.worker = worker
            self.answer = answer
            self.truth = truth
            self.value = value
        }
    }

    /// The given cells; cells not listed are 0 (empty for a warm start).
    public let entries: [Entry]
    /// How ``entries`` enter the first M-step (``Strategy/assign`` for a warm start).
    public let strategy: Strategy

    /// Initial confusions from cells given by name.
    ///
    /// ```swift
    /// let start = InitialConfusions([
    ///     .init(worker: "w1", answer: "yes", truth: "yes", value: 9),
    ///     .init(worker: "w1", answer: "no", truth: "yes", value: 1),
    /// ], strategy: .addition)
    /// let model = try DawidSkene(initialConfusions: start).fit(answers)
    /// ```
    public init(_ entries: [Entry], strategy: Strategy) {
        self.entries = entries
        self.strategy = strategy
        resumed = nil
    }

    /// The fitted model a warm start resumes from (``init(resuming:)``); `nil` for cells.
    public let resumed: DawidSkeneParameters?

    /// A warm start: EM resumes from a saved fit instead of starting afresh.
    ///
    /// The first E-step uses the model's class prior and, for every worker the model names, the
    /// model's confusion matrix (labels matched by name); workers the model lacks, or who now give
    /// a label the model has no row for, start as usual (majority-vote shares through one M-step).
    /// Having no earlier posteriors, the stopping test of the first iteration compares its loss with
    /// the loss of the resumed parameters on that iteration's posteriors (the M-step's gain), so a
    /// model that still fits the answers stops after one iteration.
    /// The fit throws ``AggregationError`` when the model's labels are not the answers' labels.
    ///
    /// ```swift
    /// let saved = try DawidSkeneParameters.read("model.json")
    /// let model = try DawidSkene(initialConfusions: InitialConfusions(resuming: saved)).fit(answers)
    /// ```
    public init(resuming model: DawidSkeneParameters) {
        entries = []
        strategy = .assign
        resumed = model
    }
}

extension InitialConfusions {
    /// Reads `worker, label, <true label 1>, <true label 2>, …` TSV or CSV — the layout
    /// `tally aggregate --confusions` writes.
    ///
    /// - Throws: ``InputError`` when the file cannot be read, lacks the `worker` or `label`
    ///   column or any true-label column, or holds a value that is not a non-negative number.
    public static func read(_ path: String, strategy: Strategy) throws -> InitialConfusions {
        let rows = try TableReader.read(path, required: ["worker", "label"])
        var entries: [Entry] = []
        let truthColumns = rows.header.indices.filter { !["worker", "label"].contains(rows.header[$0]) }
        guard !truthColumns.isEmpty else {
            throw InputError(.missingColumn, file: rows.file, line: 1, field: "true label", "expected one column per true label after worker and label")
        }
        let wi = rows.header.firstIndex(of: "worker")!, li = rows.header.firstIndex(of: "label")!
        for (n, r) in rows.rows.enumerated() {
            for c in truthColumns {
                guard let v = Double(r[c]), v.isFinite, v >= 0 else {
                    throw InputError(.invalidValue, file: rows.file, line: rows.lines[n], field: rows.header[c], "'\(r[c])' is not a non-negative number")
                }
                entries.append(Entry(worker: r[wi], answer: r[li], truth: rows.header[c], value: v))
            }
        }
        return InitialConfusions(entries, strategy: strategy)
    }
}
