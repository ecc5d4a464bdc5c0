import Foundation
import TallyCore

/// Initial posteriors for Dawid-Skene from a rank-one fit of the workers' agreement rates.
///
/// Under the one-coin model with skill `s_w` and `K` labels, two workers agree on a task with
/// probability `s_i s_j + (1 − s_i)(1 − s_j)/(K − 1)`, so `K/(K−1) · (P(agree) − 1/K) = u_i u_j`
/// with `u_w = (K s_w − 1)/(K − 1)`: the centred agreement matrix is rank one. This is the idea
/// behind the spectral estimators of worker reliability (N. Dalvi, A. Dasgupta, R. Kumar,
/// V. Rastogi, "Aggregating crowdsourced binary ratings", WWW 2013; Q. Ma, A. Olshevsky,
/// "Adversarial crowdsourcing through robust rank-one matrix completion", NeurIPS 2020).
///
/// The matrix is never formed: pairs of answers on the same task are the observed entries, and
/// the weighted least-squares rank-one fit is solved by alternating updations
/// `u_i ← Σ_pairs M_ij u_j / Σ_pairs u_j²`, each an O(answers × K) pass over the task view using
/// per-task label sums (so ten thousand workers need no 10⁸-entry matrix). A worker who never
/// shares a task keeps the starting value u = 0.5 (skill (1 + (K−1)/2)/K, e.g. 0.75 for K = 2). The sign is fixed so that the average worker is better
/// than chance. Skills become one-coin log-likelihood votes, whose softmax is the starting
/// posterior (in place of crowd-kit's majority-vote shares).
///
/// We use this alternating fit rather than an SVD (LAPACKE) of a dense agreement matrix: the
/// dense matrix has W² entries, most of them unobserved on sparse crowd data, and treating the
/// unobserved ones as zeros biases the leading eigenvector towards the most active workers.
enum SpectralInitialization {
    static func posteriors(_ table: AnswerTable, iterations: Int = 50) -> [Double] {
        let k = table.labelCount
        let workers = table.workerCount
        let view = table.byTask
        guard k >= 2 else { return [Double](repeating: 1, count: table.taskCount * max(k, 1)) }
        let scale = Double(k) / Double(k - 1)
        var u = [Double](repeating: 0.5, count: workers)
        var numerator = [Double](repeating: 0, count: workers)
        var denominator = [Double](repeating: 0, count: workers)
        var labelSum = [Double](repeating: 0, count: k)
        let k32 = Int32(k)
        for _ in 0..<iterations {
            for w in 0..<workers { numerator[w] = 0; denominator[w] = 0 }
            for t in 0..<view.rowCount {
                let range = view.range(of: t)
                guard range.count > 1 else { continue }
                for c in 0..<k { labelSum[c] = 0 }
                var total = 0.0, squares = 0.0
                for i in range {
                    let e = view.entries[i]
                    let x = u[Int(e / k32)]
                    labelSum[Int(e % k32)] += x
                    total += x
                    squares += x * x
                }
                for i in range {
                    let e = view.entries[i]
                    let w = Int(e / k32)
                    let x = u[w]
                    // Σ_{j≠i} M_ij u_j with M_ij = K/(K−1)·(1[y_i = y_j] − 1/K).
                    numerator[w] += scale * ((labelSum[Int(e % k32)] - x) - (total - x) / Double(k))
                    denominator[w] += squares - x * x
                }
            }
            for w in 0..<workers where denominator[w] > 0 {
                u[w] = min(max(numerator[w] / denominator[w], -1 / Double(k - 1)), 1)
            }
        }
        // Better than chance on average, weighted by activity.
        var orientation = 0.0
        for w in 0..<workers { orientation += u[w] * Double(table.byWorker.range(of: w).count) }
        if orientation < 0 { u = u.map { -$0 } }
        // One-coin votes: a worker's label gets ln s, every other label ln((1 − s)/(K − 1)).
        var p = [Double](repeating: 0, count: table.taskCount * k)
        for t in 0..<view.rowCount {
            var logits = [Double](repeating: 0, count: k)
            for i in view.range(of: t) {
                let e = view.entries[i]
                let s = min(max(((Double(k) - 1) * u[Int(e / k32)] + 1) / Double(k), 0.01), 0.99)
                let right = log(s), wrong = log((1 - s) / Double(k - 1))
                for c in 0..<k { logits[c] += c == Int(e % k32) ? right : wrong }
            }
            let m = logits.max()!
            var sum = 0.0
            for c in 0..<k { logits[c] = exp(logits[c] - m); sum += logits[c] }
            for c in 0..<k { p[t * k + c] = logits[c] / sum }
        }
        return p
    }
}
