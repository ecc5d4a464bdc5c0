import Foundation
import TallyCore

/// The driver's side of a fit whose answers are split into partitions of tasks (Spark, or any
/// map-reduce): it says which ``PartitionPass`` the partitions run next and with which global
/// parameters, takes the element-wise sum of their statistics, runs the M-step and the stopping
/// test of the single-machine method, and finally names the pass that gives the reported
/// posteriors.
///
/// Methods: `ds` and `onecoin-ds` (EM: a ``PartitionPass/start`` pass, then one
/// ``PartitionPass/eStep`` pass per iteration, with the single-machine engine's M-step, ELBO and
/// stopping rule: same `max-iterations`, `tolerance` and `em` semantics), `mv` (one
/// ``PartitionPass/vote`` pass) and `wawa` (a vote pass, then the weighted vote).
///
/// ```swift
/// let fit = try PartitionedFit(method: "ds", maxIterations: 100, tolerance: 1e-5, workers: W, labels: K)
/// while !fit.done {
///     let sums = partitions.map { try $0.run(fit.pass, parameters: fit.parameters).statistics }.reduce(elementwise: +)
///     try fit.update(sums)
/// }
/// // fit.pass and fit.parameters now give the reported posteriors; fit.priors, fit.confusions, ...
/// ```
package final class PartitionedFit {
    /// The methods a partitioned fit runs.
    package enum Method: String, Sendable, CaseIterable {
        /// Dawid-Skene.
        case ds
        /// One-coin Dawid-Skene.
        case oneCoin = "onecoin-ds"
        /// Majority vote.
        case mv
        /// Worker agreement with aggregate.
        case wawa
    }

    /// The method.
    package let method: Method
    /// Workers (global ids) and labels.
    package let workers: Int, labels: Int
    /// The EM settings (Dawid-Skene family).
    package let maxIterations: Int, tolerance: Double, em: DawidSkene.EM

    /// The pass the partitions run next; once ``done``, the pass that gives the reported posteriors.
    package private(set) var pass: PartitionPass
    /// The parameters of ``pass``.
    package private(set) var parameters: [Double] = []
    /// Whether the fit has converged or run out of iterations.
    package private(set) var done = false

    /// Tasks and answers over all partitions (known after the first pass).
    package private(set) var tasks = 0, answers = 0
    /// The class prior (Dawid-Skene), floored at 1e-10 once done.
    package private(set) var priors: [Double]?
    /// Per-worker skills: one-coin skills, or the agreement with the majority (mv, wawa).
    package private(set) var skills: [Double]?
    /// Confusion matrices `e[w,y,c]` at `(w·K + y)·K + c` and the observed `(w, y)` rows (Dawid-Skene).
    package private(set) var confusion: [Double]?, observed: [Bool]?
    /// `ELBO / N` after every iteration (Dawid-Skene).
    package private(set) var lossHistory: [Double] = []
    /// EM iterations run (nil for the votes).
    package var iterations: Int? { method == .ds || method == .oneCoin ? lossHistory.count : nil }

    private var logConfusion: [Double] = []
    private var answersOfWorker: [Int] = []
    private var previous = -Double.infinity
    private var hard = false
    private var firstHard: Int?

    /// A fit of `method` over `workers` workers and `labels` labels (global ids).
    ///
    /// - Throws: ``AggregationError`` for a negative iteration count, a tolerance that is not
    ///   finite, or no worker or label.
    package init(method: Method, maxIterations: Int = 100, tolerance: Double = 1e-5, em: DawidSkene.EM = .soft,
                 workers: Int, labels: Int) throws {
        try AggregationError.checkIterations(maxIterations, tolerance: tolerance)
        guard workers >= 1, labels >= 1 else { throw AggregationError("a partitioned fit needs at least one worker and one label, got \(workers) and \(labels)") }
        self.method = method
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.em = em
        self.workers = workers
        self.labels = labels
        pass = method == .ds || method == .oneCoin ? .start : .vote
    }

    /// Takes the summed statistics of the current ``pass`` and decides the next one.
    ///
    /// - Throws: ``AggregationError`` when the vector has the wrong length or the fit is done.
    package func update(_ statistics: [Double]) throws {
        guard !done else { throw AggregationError("the fit is done; there is no pass to update") }
        let need = pass.statisticsCount(workers: workers, labels: labels)
        guard statistics.count == need else { throw AggregationError("pass \(pass) has \(need) statistics, got \(statistics.count)") }
        let (w, k) = (workers, labels)
        let table = w * k * k
        switch pass {
        case .vote:
            tasks = Int(statistics[2 * w])
            answers = Int(statistics[2 * w + 1])
            skills = (0..<w).map { statistics[w + $0] > 0 ? statistics[$0] / statistics[w + $0] : .nan }
            done = true
            if method == .wawa {
                pass = .weightedVote
                parameters = skills!
            } else {
                parameters = []
            }
        case .start:
            tasks = Int(statistics[table + k + w * k])
            answers = Int(statistics[table + k + w * k + 1])
            let counts = Array(statistics[0..<table])
            priors = statistics[table..<(table + k)].map { $0 / Double(tasks) }
            let rowAnswers = statistics[(table + k)..<(table + k + w * k)]
            let observed = rowAnswers.map { $0 > 0 }
            self.observed = observed
            answersOfWorker = (0..<w).map { worker in (0..<k).reduce(0) { $0 + Int(rowAnswers[table + k + worker * k + $1]) } }
            maximise(counts)
            hard = em == .hard
            firstHard = em == .hard ? 1 : nil
            if maxIterations == 0 {
                done = true
                parameters = []
            } else {
                pass = .eStep
                parameters = eStepParameters(floor: false)
            }
        case .eStep:
            let counts = Array(statistics[0..<table])
            let newPrior = statistics[table..<(table + k)].map { $0 / Double(tasks) }
            let entropy = statistics[table + k]
            let iteration = lossHistory.count
            if em == .hybrid && !hard {
                let change = zip(newPrior, priors!).reduce(0) { $0 + abs($1.0 - $1.1) }
                if change <= 0.005 {
                    hard = true
                    firstHard = iteration + 2
                }
            }
            priors = newPrior
            maximise(counts)
            let loss = DawidSkeneEngine.elboAll(k: k, rows: w * k, counts: counts, logConfusion: logConfusion, observed: observed!,
                                                prior: newPrior, entropyTerm: entropy) / Double(answers)
            lossHistory.append(loss)
            var stop = false
            if em == .hybrid && firstHard == iteration + 1 {
                previous = loss
            } else {
                stop = loss - previous < tolerance
                previous = loss
            }
            if stop || lossHistory.count == maxIterations {
                done = true
                // The reported posteriors are this iteration's E-step's, floored; so is the prior.
                parameters[parameters.count - 1] = 1
                priors = priors!.map { max($0, DawidSkeneEngine.eps) }
            } else {
                parameters = eStepParameters(floor: false)
            }
        case .weightedVote:
            throw AggregationError("the weighted vote is the last pass; it has no update")
        }
    }

    /// The first hard-EM iteration (hard and hybrid EM), counting from 1.
    package var firstHardIteration: Int? { firstHard }

    private func maximise(_ counts: [Double]) {
        var confusion = [Double](repeating: 0, count: workers * labels * labels)
        var logConfusion = confusion
        skills = DawidSkeneEngine.maximiseAll(mStep: method == .oneCoin ? .oneCoin : .full, k: labels, workers: workers, counts: counts,
                                              mask: observed!, answersOfWorker: answersOfWorker, confusion: &confusion, logConfusion: &logConfusion)
        self.confusion = confusion
        self.logConfusion = logConfusion
    }

    private func eStepParameters(floor: Bool) -> [Double] {
        var p = priors!.map { log(max($0, DawidSkeneEngine.eps)) }
        p.append(contentsOf: logConfusion)
        p.append(hard ? 1 : 0)
        p.append(floor ? 1 : 0)
        return p
    }
}
