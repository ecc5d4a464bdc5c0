import TallyCore

/// The Bradley–Terry model of pairwise comparisons, fitted by Hunter's MM algorithm.
///
/// Item `i` beats item `j` with probability `pᵢ / (pᵢ + pⱼ)`. Each iteration sets
/// `pⱼ = wⱼ / Σᵢ nᵢⱼ / (pᵢ + pⱼ)` (`wⱼ` wins of `j`, `nᵢⱼ` comparisons of `i` and `j`) and
/// normalises the scores to sum to 1, starting from equal scores: crowd-kit 1.4.2's
/// `BradleyTerry`. The comparison graph should be strongly connected (every item has beaten and
/// lost to some chain of others); an item that never wins gets score 0.
///
/// crowd-kit's loop compares each iterate with itself from the second iteration on (its previous
/// iterate is the same array), so with a positive tolerance it always stops after two iterations;
/// ``Stopping/crowdKit`` reproduces that, ``Stopping/change`` (the default) runs until the L1
/// change of the scores is below the tolerance.
///
/// ```swift
/// let comparisons = try PairwiseAnswers(workers: ["w1", "w1", "w2"], left: ["a", "b", "c"], right: ["b", "c", "a"], winners: ["a", "b", "a"])
/// let model = BradleyTerry().fit(comparisons)
/// print(model.scores)   // one score per item id, summing to 1
/// ```
public struct BradleyTerry: Sendable {
    /// When the iterations stop.
    public enum Stopping: String, Sendable, CaseIterable {
        /// When the L1 change between successive score vectors is below the tolerance.
        case change
        /// As crowd-kit 1.4.2: after the second iteration when the tolerance is positive.
        case crowdKit = "crowd-kit"
    }

    /// At most this many MM iterations (crowd-kit's `n_iter`).
    public var maxIterations: Int
    /// Stop when the L1 change of the scores is below this (crowd-kit's `tol`).
    public var tolerance: Double
    /// The stopping rule.
    public var stopping: Stopping

    /// A model with these settings.
    public init(maxIterations: Int = 100, tolerance: Double = 1e-5, stopping: Stopping = .change) {
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.stopping = stopping
    }

    /// Fits the scores of `answers`' items.
    public func fit(_ answers: PairwiseAnswers) -> BradleyTerryModel {
        let g = PairwiseGraph(answers)
        let n = g.itemCount
        var p = [Double](repeating: 1, count: n)
        var next = [Double](repeating: 1 / Double(n), count: n)
        var previous: [Double]?
        var losses: [Double] = []
        var iterations = 0
        var change = [Double](repeating: 0, count: n)
        for _ in 0..<max(0, maxIterations) {
            iterations += 1
            g.offsets.withUnsafeBufferPointer { off in
                g.neighbours.withUnsafeBufferPointer { nb in
                    g.counts.withUnsafeBufferPointer { cnt in
                        p.withUnsafeBufferPointer { p in
                            for j in 0..<n {
                                var z = 0.0
                                for k in off[j]..<off[j + 1] { z += cnt[k] / (p[j] + p[Int(nb[k])]) }
                                next[j] = g.wins[j] / z
                            }
                        }
                    }
                }
            }
            let total = numpySum(next)
            for j in 0..<n { next[j] /= total }
            p = next
            switch stopping {
            case .crowdKit:
                // crowd-kit's previous iterate aliases the current one: the change is 0 from the second iteration.
                if previous != nil {
                    losses.append(0)
                    if 0 < tolerance { return model(g, p, iterations, losses) }
                }
                previous = next
            case .change:
                if let old = previous {
                    for j in 0..<n { change[j] = abs(next[j] - old[j]) }
                    let loss = numpySum(change)
                    losses.append(loss)
                    if loss < tolerance { return model(g, p, iterations, losses) }
                }
                previous = next
            }
        }
        return model(g, next, iterations, losses)
    }

    private func model(_ g: PairwiseGraph, _ p: [Double], _ iterations: Int, _ losses: [Double]) -> BradleyTerryModel {
        BradleyTerryModel(scores: g.byItemId(p), iterations: iterations, lossHistory: losses)
    }
}

/// A fitted ``BradleyTerry`` model.
public struct BradleyTerryModel: Sendable {
    /// The score of each item id of the fitted ``PairwiseAnswers`` (they sum to 1; higher ranks first).
    public let scores: [Double]
    /// Iterations run.
    public let iterations: Int
    /// The L1 change of the scores after each iteration from the second on.
    public let lossHistory: [Double]
}
