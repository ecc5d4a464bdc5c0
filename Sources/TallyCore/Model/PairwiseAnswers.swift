/// Pairwise comparisons: each answer says which of two items a worker preferred.
///
/// crowd-kit's layout `worker, left, right, label`, where `label` names the winner (the left or
/// the right item). Items (every name in `left` and `right`) share one ``Interner`` and workers
/// another; ids follow first appearance in the input. The columns are parallel arrays in input
/// order. A comparison of an item with itself, or a winner that is neither item, is refused
/// when the answers are made.
///
///     let p = try PairwiseAnswers(workers: ["w1", "w2"], left: ["a", "b"], right: ["b", "c"], winners: ["a", "c"])
///     print(p.itemCount)   // 3
public struct PairwiseAnswers: Sendable {
    /// Item names by id (every item of `left` or `right`).
    public let items: Interner
    /// Worker names by id.
    public let workers: Interner
    /// The worker of each comparison, in input order.
    public let worker: [Int32]
    /// The left item of each comparison.
    public let left: [Int32]
    /// The right item of each comparison.
    public let right: [Int32]
    /// The winning item of each comparison: equal to `left[i]` or `right[i]`.
    public let winner: [Int32]

    /// The number of comparisons.
    public var comparisonCount: Int { worker.count }
    /// The number of distinct items.
    public var itemCount: Int { items.count }
    /// The number of distinct workers.
    public var workerCount: Int { workers.count }
    /// Whether comparison `i` was won by its left item.
    @inlinable public func leftWon(_ i: Int) -> Bool { winner[i] == left[i] }

    /// Item names in the order crowd-kit's pairwise methods number them (`np.unique`: numeric
    /// order when every name is an integer, otherwise Unicode order; see ``LabelSet``).
    public var sortedItems: LabelSet { LabelSet(items.names) }
}

extension PairwiseAnswers {
    /// Comparisons from parallel columns of names.
    ///
    /// - Throws: ``InputError`` when the columns differ in length, hold nothing, a comparison
    ///   names one item twice or its winner is neither of its items.
    public init(workers: [String], left: [String], right: [String], winners: [String]) throws {
        try InputError.checkColumnLengths(["workers": workers.count, "left": left.count, "right": right.count, "winners": winners.count])
        var b = PairwiseAnswersBuilder()
        for i in workers.indices {
            let w = b.workers.intern(workers[i]), l = b.items.intern(left[i]), r = b.items.intern(right[i])
            guard let winner = b.items.lookup(winners[i]) else {
                throw InputError(.invalidValue, file: "<memory>", line: i + 1, field: "label", "winner \(ErrorText.quoted(winners[i])) is neither the left item \(ErrorText.quoted(left[i])) nor the right item \(ErrorText.quoted(right[i]))")
            }
            try b.append(worker: w, left: l, right: r, winner: winner, file: "<memory>", line: i + 1)
        }
        self = try b.build(file: "<memory>")
    }
}

/// Builds ``PairwiseAnswers`` from interned ids; readers feed it one comparison at a time.
struct PairwiseAnswersBuilder {
    var items = Interner(capacity: 1024)
    var workers = Interner(capacity: 1024)
    private(set) var worker: [Int32] = [], left: [Int32] = [], right: [Int32] = [], winner: [Int32] = []

    var count: Int { worker.count }

    /// Appends one comparison, refusing an item compared with itself or a winner that is neither item.
    mutating func append(worker w: Int32, left l: Int32, right r: Int32, winner x: Int32, file: String, line: Int,
                         fields: (left: String, right: String, label: String) = ("left", "right", "label")) throws {
        if l == r {
            throw InputError(.invalidValue, file: file, line: line, field: fields.right,
                "the comparison names item \(ErrorText.quoted(items.name(l))) twice; expected two different items in \(fields.left) and \(fields.right)")
        }
        if x != l && x != r {
            throw InputError(.invalidValue, file: file, line: line, field: fields.label,
                "winner \(ErrorText.quoted(items.name(x))) is neither the left item \(ErrorText.quoted(items.name(l))) nor the right item \(ErrorText.quoted(items.name(r)))")
        }
        worker.append(w)
        left.append(l)
        right.append(r)
        winner.append(x)
    }

    mutating func reserveCapacity(_ n: Int) {
        worker.reserveCapacity(n)
        left.reserveCapacity(n)
        right.reserveCapacity(n)
        winner.reserveCapacity(n)
    }

    consuming func build(file: String) throws -> PairwiseAnswers {
        guard !worker.isEmpty else { throw InputError(.noAnswers, file: file, "no comparisons: the file has a header but no rows") }
        return PairwiseAnswers(items: items, workers: workers, worker: worker, left: left, right: right, winner: winner)
    }
}
