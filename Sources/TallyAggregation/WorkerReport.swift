import Foundation
import TallyCore

/// Per-worker summaries of expected confusion matrices: the trace and the spammer score of
/// Raykar & Yu (2011), for the Bayesian models (IBCC, BWA, Dawid-Skene with pseudo-counts) and any
/// other fit.
///
/// V. C. Raykar and S. Yu, "Ranking annotators for crowdsourced labeling tasks", NeurIPS 2011
/// (extended in JMLR 13, 2012). Write worker `w`'s confusion matrix as `A` with rows the true
/// label `c` and columns the answer `y`, `A[c, y] = P(answer y | truth c)`. A spammer answers
/// without looking: every row of `A` is the same vector, `A = e vᵀ` has rank one. The distance to
/// the nearest such matrix is `‖A − e āᵀ‖_F` (`ā` the mean row), and the spammer score is its
/// normalised square, `S = (1 / (K (K − 1))) Σ_{c < c'} ‖A[c] − A[c']‖² = ‖A − e āᵀ‖²_F / (K − 1)`:
/// 0 for a spammer, 1 for a perfect (or perfectly adversarial) worker; with two labels it is
/// `(sensitivity + specificity − 1)²`. The trace `Σ_c A[c, c]` is K for a perfect worker.
///
/// The matrices are the model's own where it has them (``MethodResult/confusions``: IBCC's posterior
/// means, Dawid-Skene's M-step); otherwise (BWA and the vote methods) they are the expected
/// confusions under the fitted posteriors: `A[c, y] = Σ_{t: w answered y} q_t(c) / Σ_{t answered by w} q_t(c)`
/// with `q_t` the task's scores normalised to sum to one (a true label no answered task has mass
/// on gets the uniform row).
///
/// ```swift
/// let answers = try AnswerReader.read("answers.tsv").table
/// let result = try IBCC.method.fit(answers)
/// let report = WorkerReport(answers, result)
/// let spammers = (0..<answers.workerCount).filter { report.spammerScore[$0] < 0.05 }
/// ```
public struct WorkerReport: Sendable {
    /// The expected confusion matrices, `confusions[w, answer, truth]`.
    public let confusions: ConfusionMatrices
    /// Per worker, the trace `Σ_c P(answer c | truth c)`.
    public let trace: [Double]
    /// Per worker, Raykar & Yu's spammer score in [0, 1] (0: answers independent of the truth).
    public let spammerScore: [Double]
    /// Per worker, the Frobenius distance to the nearest rank-one (spammer) confusion matrix.
    public let rankOneDistance: [Double]
    /// Per worker, the number of answers.
    public let answers: [Int]

    /// Column names of ``rows``, in order.
    public static let columns = ["answers", "trace", "spammer_score", "rank_one_distance"]

    /// The report of `result`, fitted on `table`: from the result's confusion matrices, else from
    /// its posteriors.
    public init(_ table: AnswerTable, _ result: MethodResult) {
        self.init(table, confusions: result.confusions ?? Self.posteriorConfusions(table, result.probabilities))
    }

    /// The report of given confusion matrices (`confusions[w, answer, truth]`).
    public init(_ table: AnswerTable, confusions: ConfusionMatrices) {
        let k = confusions.labelCount
        self.confusions = confusions
        var trace = [Double](repeating: 0, count: confusions.workerCount)
        var score = trace, distance = trace
        for w in 0..<confusions.workerCount {
            var mean = [Double](repeating: 0, count: k)
            for c in 0..<k {
                trace[w] += confusions[w, c, c]
                for y in 0..<k { mean[y] += confusions[w, y, c] / Double(k) }
            }
            var squared = 0.0
            for c in 0..<k { for y in 0..<k { let d = confusions[w, y, c] - mean[y]; squared += d * d } }
            distance[w] = squared.squareRoot()
            score[w] = k > 1 ? squared / Double(k - 1) : 0
        }
        self.trace = trace
        spammerScore = score
        rankOneDistance = distance
        answers = (0..<table.workerCount).map { table.byWorker.offsets[$0 + 1] - table.byWorker.offsets[$0] }
    }

    /// Row-major values for ``columns``, one row per worker.
    public var rows: [Double] {
        (0..<trace.count).flatMap { [Double(answers[$0]), trace[$0], spammerScore[$0], rankOneDistance[$0]] }
    }

    /// Expected confusion matrices under task posteriors `probabilities` (rows normalised to one):
    /// `P(answer y | truth c) = Σ_{answers y of w} q_t(c) / Σ_{answers of w} q_t(c)`; a true label
    /// with no mass on the worker's tasks gets the uniform distribution.
    public static func posteriorConfusions(_ table: AnswerTable, _ probabilities: ProbabilityMatrix) -> ConfusionMatrices {
        let k = table.labelCount, workers = table.workerCount
        var counts = [Double](repeating: 0, count: workers * k * k)
        var q = [Double](repeating: 0, count: k)
        let csr = table.byTask
        for t in 0..<table.taskCount {
            var total = 0.0
            for c in 0..<k { q[c] = max(probabilities[t, c], 0); total += q[c] }
            for c in 0..<k { q[c] = total > 0 ? q[c] / total : 1 / Double(k) }
            for e in csr.range(of: t) {
                let row = Int(csr.entries[e]) * k
                for c in 0..<k { counts[row + c] += q[c] }
            }
        }
        var values = [Double](repeating: 0, count: workers * k * k)
        for w in 0..<workers {
            for c in 0..<k {
                var total = 0.0
                for y in 0..<k { total += counts[(w * k + y) * k + c] }
                for y in 0..<k { values[(w * k + y) * k + c] = total > 0 ? counts[(w * k + y) * k + c] / total : 1 / Double(k) }
            }
        }
        var observed = [Bool](repeating: false, count: workers * k)
        for e in csr.entries { observed[Int(e)] = true }
        return ConfusionMatrices(workerCount: workers, labelCount: k, values: values, observed: observed)
    }
}
