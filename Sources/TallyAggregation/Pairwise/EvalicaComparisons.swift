import Foundation
import TallyCore

/// Pairwise comparisons as the Python package evalica 0.4.2 takes them: a left item `x`, a right
/// item `y`, the outcome (``Winner``: `x` won, `y` won, or a draw) and a weight per comparison.
///
/// Items are numbered as `evalica.indexing` numbers them: every distinct left item in order of
/// first appearance, then the right items not seen among them. That order matters: evalica's
/// Bradley-Terry updates the items in it, and it breaks ties in the ranking. Tally's
/// ``PairwiseAnswers`` has no draws: its winner becomes ``Winner/x`` or ``Winner/y``.
///
/// ```swift
/// let c = try EvalicaComparisons(left: ["a", "b"], right: ["b", "c"], winners: [.x, .draw])
/// let elo = EvalicaElo().scores(c)   // by position in c.items
/// ```
public struct EvalicaComparisons: Sendable {
    /// The outcome of one comparison (evalica's `Winner`; the raw values are evalica's).
    public enum Winner: UInt8, Sendable, CaseIterable {
        /// A tie (`Winner.Draw`).
        case draw = 0
        /// The left item won (`Winner.X`).
        case x = 1
        /// The right item won (`Winner.Y`).
        case y = 2
    }

    /// Item names by position (evalica's index).
    public let items: [String]
    /// The left item's position of each comparison.
    public var xs: [Int32]
    /// The right item's position of each comparison.
    public var ys: [Int32]
    /// The outcome of each comparison.
    public var winners: [Winner]
    /// The weight of each comparison (1 when none are given, as evalica).
    public var weights: [Double]

    /// The number of items.
    public var itemCount: Int { items.count }
    /// The number of comparisons.
    public var count: Int { xs.count }

    /// Comparisons of named items, numbered as `evalica.indexing`.
    ///
    /// - Throws: ``AggregationError`` when the columns differ in length or a weight is not finite
    ///   (evalica asserts finite weights).
    public init(left: [String], right: [String], winners: [Winner], weights: [Double]? = nil) throws {
        guard left.count == right.count, right.count == winners.count, weights.map({ $0.count == left.count }) ?? true else {
            throw AggregationError("evalica comparisons: columns differ in length (\(left.count) left, \(right.count) right, \(winners.count) winners\(weights.map { ", \($0.count) weights" } ?? ""))")
        }
        var position: [String: Int32] = [:]
        var items: [String] = []
        for name in left + right where position[name] == nil {
            position[name] = Int32(items.count)
            items.append(name)
        }
        self.items = items
        self.xs = left.map { position[$0]! }
        self.ys = right.map { position[$0]! }
        self.winners = winners
        self.weights = weights ?? [Double](repeating: 1, count: left.count)
        if let bad = self.weights.firstIndex(where: { !$0.isFinite }) {
            throw AggregationError("evalica comparisons: weight \(self.weights[bad]) of comparison \(bad + 1) is not finite")
        }
    }

    /// Tally's pairwise answers, each a win of its left or right item (weight 1). `itemIds` maps
    /// each position back to the item id of `answers`.
    public init(_ answers: PairwiseAnswers) {
        var position = [Int32](repeating: -1, count: answers.itemCount)
        var ids: [Int32] = []
        for column in [answers.left, answers.right] {
            for id in column where position[Int(id)] < 0 {
                position[Int(id)] = Int32(ids.count)
                ids.append(id)
            }
        }
        self.items = ids.map { answers.items.name($0) }
        self.xs = answers.left.map { position[Int($0)] }
        self.ys = answers.right.map { position[Int($0)] }
        self.winners = (0..<answers.comparisonCount).map { answers.leftWon($0) ? .x : .y }
        self.weights = [Double](repeating: 1, count: answers.comparisonCount)
        self.itemIds = ids
    }

    /// The item id (of the ``PairwiseAnswers`` these were made from) at each position; empty
    /// when made from names.
    public private(set) var itemIds: [Int32] = []

    init(items: [String], xs: [Int32], ys: [Int32], winners: [Winner], weights: [Double], itemIds: [Int32]) {
        self.items = items
        self.xs = xs
        self.ys = ys
        self.winners = winners
        self.weights = weights
        self.itemIds = itemIds
    }

    /// The comparisons at `rows` (repeats allowed), over the same items.
    public func resampled(_ rows: UnsafeBufferPointer<Int>) -> EvalicaComparisons {
        EvalicaComparisons(items: items, xs: rows.map { xs[$0] }, ys: rows.map { ys[$0] }, winners: rows.map { winners[$0] },
                           weights: rows.map { weights[$0] }, itemIds: itemIds)
    }

    /// Scores by position as scores by item id of the answers these were made from.
    public func byItemId(_ scores: [Double]) -> [Double] {
        var out = [Double](repeating: .nan, count: scores.count)
        for (pos, id) in itemIds.enumerated() { out[Int(id)] = scores[pos] }
        return out
    }

    /// evalica's win and tie matrices (row-major `itemCount²`): `win[x][y]` adds the weight of
    /// each win of `x` over `y`, `tie` adds a draw's weight both ways.
    func matrices() -> (win: [Double], tie: [Double]) {
        let n = itemCount
        var win = [Double](repeating: 0, count: n * n), tie = [Double](repeating: 0, count: n * n)
        for i in 0..<count {
            let x = Int(xs[i]), y = Int(ys[i]), w = weights[i]
            switch winners[i] {
            case .x: win[x * n + y] += w
            case .y: win[y * n + x] += w
            case .draw:
                tie[x * n + y] += w
                tie[y * n + x] += w
            }
        }
        return (win, tie)
    }

    /// evalica's `win_plus_tie_matrix`: `win·weights.win + tie·weights.tie`, NaN replaced by `nan`.
    func combinedMatrix(_ weights: EvalicaWeights, nan: Double) -> [Double] {
        let (win, tie) = matrices()
        var m = [Double](repeating: 0, count: win.count)
        for k in m.indices {
            m[k] = Evalica.finite(Evalica.finite(win[k], nan) * weights.win + Evalica.finite(tie[k], nan) * weights.tie, nan)
        }
        return m
    }
}

/// A ranking method of the evalica family: scores by item position of ``EvalicaComparisons``.
public protocol EvalicaMethod: Sendable {
    /// The score of each item (by position in `comparisons.items`); higher ranks first.
    func scores(_ comparisons: EvalicaComparisons) -> [Double]
}

/// Numerics shared by the evalica family, as its Rust core (`utils.rs`) computes them.
enum Evalica {
    /// `one_nan_to_num`: NaN becomes `nan`, ±∞ the largest finite magnitude with its sign.
    @inline(__always) static func finite(_ x: Double, _ nan: Double) -> Double {
        if x.isNaN { return nan }
        if x.isInfinite { return x > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude }
        return x
    }

    /// ndarray's `unrolled_fold` sum of a contiguous slice (eight partial sums).
    static func unrolledSum(_ a: UnsafeBufferPointer<Double>) -> Double {
        unrolledFold(a.count) { a[$0] }
    }

    /// ndarray's `unrolled_dot` of two contiguous slices of one length.
    static func unrolledDot(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        unrolledFold(a.count) { a[$0] * b[$0] }
    }

    /// ndarray's `unrolled_fold` of `term(0) + … + term(count − 1)`: eight partial sums over
    /// blocks of eight, combined as (0+4) + (1+5) + (2+6) + (3+7), then the rest in order.
    @inline(__always) private static func unrolledFold(_ count: Int, _ term: (Int) -> Double) -> Double {
        var p = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
        var i = 0
        while count - i >= 8 {
            p.0 += term(i); p.1 += term(i + 1); p.2 += term(i + 2); p.3 += term(i + 3)
            p.4 += term(i + 4); p.5 += term(i + 5); p.6 += term(i + 6); p.7 += term(i + 7)
            i += 8
        }
        var acc = 0.0
        acc += p.0 + p.4
        acc += p.1 + p.5
        acc += p.2 + p.6
        acc += p.3 + p.7
        while i < count { acc += term(i); i += 1 }
        return acc
    }

    /// The Euclidean norm of `a − b`, summed in order (evalica 0.4.2's convergence test).
    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { let d = a[i] - b[i]; s += d * d }
        return s.squareRoot()
    }
}
