import Foundation
import TallyCore

/// EBCC's variational Bayes on one answer table: the parts every restart shares (the task-sorted
/// distinct answers, the majority-vote start, the class prior), and one restart from a given
/// `q(z, g)`. Read-only once built, so restarts run on several threads at once.
///
/// Layout: `q(z_i = k, g_i = m)` is `zg[(i · K + k) · M + m]` (numpy's `(N, K, M)` order); an
/// answer is the pair `p = worker · K + label` (the table's entry code), and the expected count
/// of that pair for (k, m) is `counts[p · K·M + k · M + m]`.
struct EBCCEngine: Sendable {
    let tasks: Int, workers: Int, k: Int, groups: Int
    /// Task-sorted distinct (worker, label) pairs (a repeated answer counts once, as in the reference).
    let offsets: [Int], entries: [Int32]
    /// Per worker, the labels it gave (`workerLabels[workerOffsets[j]..<workerOffsets[j + 1]]`).
    let workerOffsets: [Int], workerLabels: [Int32]
    /// The majority-vote shares the reference starts `q(z)` from (tasks × K).
    let majority: [Double]
    /// The Dirichlet prior of the class proportions τ (per class).
    let classPrior: [Double]
    /// The Dirichlet pseudo-count of every subtype weight π_km (the reference's `a_pi / M`).
    let groupPrior: Double
    let diagonalPrior: Double, offDiagonalPrior: Double

    /// One restart's end state.
    struct Run: Sendable {
        var zg: [Double]
        var z: [Double]
        /// Expected counts from the final `zg` (pairs × K·M), Σ_i zg, Σ_i z.
        var counts: [Double], groupTotals: [Double], classTotals: [Double]
        var elboHistory: [Double]
        var iterations: Int
        var converged: Bool
        var elbo: Double { elboHistory.last ?? -.infinity }
    }

    init(_ answers: AnswerTable, groups: Int, empiricalPrior: Bool, classPrior: Double, groupPrior: Double,
         diagonalPrior: Double, offDiagonalPrior: Double) {
        let k = answers.labelCount
        (tasks, workers, self.k, self.groups) = (answers.taskCount, answers.workerCount, k, groups)
        (offsets, entries) = IBCC.distinctAnswers(answers)
        var z = [Double](repeating: 0, count: tasks * k)
        for t in 0..<tasks {
            for e in offsets[t]..<offsets[t + 1] { z[t * k + Int(entries[e]) % k] += 1 }
            let total = Double(offsets[t + 1] - offsets[t])
            for c in 0..<k { z[t * k + c] /= total }
        }
        majority = z
        if empiricalPrior {
            var totals = [Double](repeating: 0, count: k)
            for t in 0..<tasks { for c in 0..<k { totals[c] += z[t * k + c] } }
            self.classPrior = totals
        } else {
            self.classPrior = [Double](repeating: classPrior, count: k)
        }
        self.groupPrior = groupPrior / Double(groups)
        self.diagonalPrior = diagonalPrior
        self.offDiagonalPrior = offDiagonalPrior
        var given = [Bool](repeating: false, count: answers.workerCount * k)
        for e in entries { given[Int(e)] = true }
        var wo = [0], wl: [Int32] = []
        for j in 0..<answers.workerCount {
            for l in 0..<k where given[j * k + l] { wl.append(Int32(l)) }
            wo.append(wl.count)
        }
        (workerOffsets, workerLabels) = (wo, wl)
    }

    /// The reference's start for `seed`: numpy's `RandomState(seed).dirichlet(ones(M), (N, K))`
    /// times the majority-vote shares.
    func initialGroupPosteriors(seed: UInt32) -> [Double] {
        var rng = NumpyRandomState(seed: seed)
        var zg = [Double](repeating: 0, count: tasks * k * groups)
        zg.withUnsafeMutableBufferPointer { zg in
            for i in 0..<(tasks * k) {
                let row = zg.baseAddress! + i * groups
                rng.flatDirichlet(into: row, count: groups)
                for g in 0..<groups { row[g] *= majority[i] }
            }
        }
        return zg
    }

    /// One restart from `start` (tasks × K × M), the reference's loop: each iteration sets
    /// `q(π_k) = Dir(a_pi/M + Σ_i zg_ik·)`, `q(τ) = Dir(α + Σ_i z_i)`,
    /// `q(v_jkm) = Dir(β_k + Σ_{i: j answered l} zg_ikm)` from the current `q(z, g)`, then
    /// `q(z_i = k, g_i = m) ∝ exp(E ln π_km + E ln τ_k + Σ_answers E ln v_jkml)`, and stops when
    /// `q(z)` moved by at most `tolerance + 1e-5 · |new|` everywhere. The ELBO is recorded after
    /// every iteration (see ``EBCC`` for its definition).
    func run(start: [Double], maxIterations: Int, tolerance: Double) -> Run {
        let (k, m, km) = (k, groups, k * groups)
        var zg = start
        var z = majority
        var counts = [Double](repeating: 0, count: workers * k * km)
        var groupTotals = [Double](repeating: 0, count: km)
        var classTotals = [Double](repeating: 0, count: k)
        for t in 0..<tasks {
            for c in 0..<k { classTotals[c] += z[t * k + c] }
            for x in 0..<km { groupTotals[x] += zg[t * km + x] }
            for e in offsets[t]..<offsets[t + 1] {
                let row = Int(entries[e]) * km
                for x in 0..<km { counts[row + x] += zg[t * km + x] }
            }
        }
        var nextCounts = counts, nextGroups = groupTotals, nextClasses = classTotals
        var logV = [Double](repeating: 0, count: workers * k * km)
        var prefix = [Double](repeating: 0, count: km)
        var rowDigamma = [Double](repeating: 0, count: km)
        var score = [Double](repeating: 0, count: km)
        let rowPrior = diagonalPrior + Double(k - 1) * offDiagonalPrior
        let priorTerms = PriorTerms(diagonal: diagonalPrior, offDiagonal: offDiagonalPrior, labels: k)
        let lgDiagonal = priorTerms.diagonal.logGamma, lgOff = priorTerms.offDiagonal.logGamma
        var elbos: [Double] = []
        var iterations = 0, converged = false

        while iterations < maxIterations && !converged {
            iterations += 1
            // q(τ), q(π) and their ln B terms (the ELBO is Σ ln B(posterior) + H(q(z, g)); see EBCC).
            var nuTotal = 0.0, bound = 0.0
            for c in 0..<k { nuTotal += classPrior[c] + classTotals[c] }
            let nuNorm = MACECrowdKitEngine.digamma(nuTotal)
            bound -= lgamma(nuTotal)
            for c in 0..<k {
                let nu = classPrior[c] + classTotals[c]
                let tau = MACECrowdKitEngine.digamma(nu) - nuNorm
                bound += lgamma(nu)
                var etaTotal = 0.0
                for g in 0..<m { etaTotal += groupPrior + groupTotals[c * m + g] }
                let etaNorm = MACECrowdKitEngine.digamma(etaTotal)
                bound -= lgamma(etaTotal)
                for g in 0..<m {
                    let eta = groupPrior + groupTotals[c * m + g]
                    prefix[c * m + g] = MACECrowdKitEngine.digamma(eta) - etaNorm + tau
                    bound += lgamma(eta)
                }
            }
            // q(v): E ln v for the pairs that occur; ln B(μ_jkm) for every worker, subtype and class
            // (a label the worker never gave keeps its prior, a constant).
            counts.withUnsafeBufferPointer { counts in
            logV.withUnsafeMutableBufferPointer { logV in
                for j in 0..<workers {
                    let labels = workerOffsets[j]..<workerOffsets[j + 1]
                    for x in 0..<km { rowDigamma[x] = 0 }
                    for l in labels {
                        let row = (j * k + Int(workerLabels[l])) * km
                        for x in 0..<km { rowDigamma[x] += counts[row + x] }
                    }
                    let rowTerms = priorTerms.row
                    for x in 0..<km {
                        let count = rowDigamma[x]
                        if count < rowTerms.negligible {
                            bound -= rowTerms.logGamma + rowTerms.digamma * count
                            rowDigamma[x] = rowTerms.digamma + rowTerms.trigamma * count
                        } else {
                            let a0 = rowPrior + count
                            bound -= lgamma(a0)
                            rowDigamma[x] = MACECrowdKitEngine.digamma(a0)
                        }
                    }
                    var next = labels.lowerBound
                    for l in 0..<k {
                        if next < labels.upperBound && Int(workerLabels[next]) == l {
                            next += 1
                            let row = (j * k + l) * km
                            for c in 0..<k {
                                let prior = c == l ? priorTerms.diagonal : priorTerms.offDiagonal
                                for g in 0..<m {
                                    let x = c * m + g
                                    let count = counts[row + x]
                                    if count < prior.negligible {
                                        // First order about the prior: exact to about 1e-16 here.
                                        logV[row + x] = prior.digamma + prior.trigamma * count - rowDigamma[x]
                                        bound += prior.logGamma + prior.digamma * count
                                    } else {
                                        let mu = prior.value + count
                                        logV[row + x] = MACECrowdKitEngine.digamma(mu) - rowDigamma[x]
                                        bound += lgamma(mu)
                                    }
                                }
                            }
                        } else {
                            bound += Double(m) * (lgDiagonal + Double(k - 1) * lgOff)
                        }
                    }
                }
            }
            }
            for i in nextCounts.indices { nextCounts[i] = 0 }
            for x in 0..<km { nextGroups[x] = 0 }
            for c in 0..<k { nextClasses[c] = 0 }
            let (entropy, moved) = taskPass(prefix: prefix, logV: logV, zg: &zg, z: &z, score: &score,
                                            nextCounts: &nextCounts, nextGroups: &nextGroups, nextClasses: &nextClasses,
                                            atol: tolerance, rtol: EBCC.relativeTolerance)
            elbos.append(bound + entropy)
            swap(&counts, &nextCounts)
            swap(&groupTotals, &nextGroups)
            swap(&classTotals, &nextClasses)
            converged = !moved
        }
        return Run(zg: zg, z: z, counts: counts, groupTotals: groupTotals, classTotals: classTotals,
                   elboHistory: elbos, iterations: iterations, converged: converged)
    }

    /// The new `q(z, g)` of every task, whether `q(z)` moved beyond the tolerance, the entropy of
    /// the new `q(z, g)`, and the expected counts of the next iteration.
    ///
    /// Most (class, subtype) pairs are empty after a few iterations (the subtype prior is sparse):
    /// their `E ln τ_k + E ln π_km` is far below the others'. Since every `E ln v` is negative, a
    /// task's score of (k, m) is at most that prefix; when the prefix is more than 69 below the
    /// task's best score, `e^(score − best)` is 0 in `DawidSkeneEngine.expNonPositive(_:)` anyway, so the pair
    /// is skipped without computing its score: the result is the same as scoring every pair.
    /// Pairs are visited in decreasing prefix order; those within `prefixWindow` of the largest
    /// prefix are always scored.
    private func taskPass(prefix: [Double], logV: [Double], zg: inout [Double], z: inout [Double], score: inout [Double],
                          nextCounts: inout [Double], nextGroups: inout [Double], nextClasses: inout [Double],
                          atol: Double, rtol: Double) -> (entropy: Double, moved: Bool) {
        let (k, m, km, tasks) = (k, groups, k * groups, tasks)
        var order = (0..<km).sorted { prefix[$0] > prefix[$1] || (prefix[$0] == prefix[$1] && $0 < $1) }
        let always = order.prefix { prefix[$0] >= prefix[order[0]] - EBCCEngine.prefixWindow }.count
        // Every pair scored (the first iterations): in storage order, with contiguous loops.
        let full = always == km
        if full { order = Array(0..<km) }
        var shares = [Double](repeating: 0, count: km)
        var entropy = 0.0, moved = false
        offsets.withUnsafeBufferPointer { offsets in
        entries.withUnsafeBufferPointer { entries in
        prefix.withUnsafeBufferPointer { prefix in
        logV.withUnsafeBufferPointer { logV in
        zg.withUnsafeMutableBufferPointer { zg in
        z.withUnsafeMutableBufferPointer { z in
        score.withUnsafeMutableBufferPointer { s in
        shares.withUnsafeMutableBufferPointer { q in
        order.withUnsafeBufferPointer { order in
        nextCounts.withUnsafeMutableBufferPointer { nextCounts in
        nextGroups.withUnsafeMutableBufferPointer { nextGroups in
        nextClasses.withUnsafeMutableBufferPointer { nextClasses in
            let (entries, prefix, logV, zg, z, s, q, order) = (entries.baseAddress!, prefix.baseAddress!, logV.baseAddress!,
                                                                zg.baseAddress!, z.baseAddress!, s.baseAddress!, q.baseAddress!, order.baseAddress!)
            let (nextCounts, nextGroups, nextClasses) = (nextCounts.baseAddress!, nextGroups.baseAddress!, nextClasses.baseAddress!)
            var localEntropy = 0.0, localMoved = false
            for t in 0..<tasks {
                // s[a]: the score of pair order[a], for the pairs scored.
                let range = offsets[t]..<offsets[t + 1]
                if full {
                    for x in 0..<km { s[x] = prefix[x] }
                    for e in range {
                        let row = logV + Int(entries[e]) * km
                        for x in 0..<km { s[x] += row[x] }
                    }
                } else {
                    for a in 0..<always { s[a] = prefix[order[a]] }
                    for e in range {
                        let row = logV + Int(entries[e]) * km
                        for a in 0..<always { s[a] += row[order[a]] }
                    }
                }
                var top = s[0]
                for a in 1..<always where s[a] > top { top = s[a] }
                var scored = always
                while scored < km && prefix[order[scored]] - top >= -69 {
                    let x = order[scored]
                    var v = prefix[x]
                    for e in range { v += logV[Int(entries[e]) * km + x] }
                    s[scored] = v
                    if v > top { top = v }
                    scored += 1
                }
                var total = 0.0
                for a in 0..<scored { q[a] = DawidSkeneEngine.expNonPositive(s[a] - top) }
                for a in 0..<scored { total += q[a] }
                let logSum = top + log(total)
                // H(q(z_t, g_t)) = −Σ p ln p with ln p = s − logSum.
                var expected = 0.0
                let p = zg + t * km
                for x in 0..<km { p[x] = 0 }
                for a in 0..<scored {
                    q[a] /= total
                    expected += q[a] * s[a]
                    p[order[a]] = q[a]
                    nextGroups[order[a]] += q[a]
                }
                localEntropy += logSum - expected
                let zt = z + t * k
                for c in 0..<k {
                    var v = 0.0
                    for g in 0..<m { v += p[c * m + g] }
                    if !(abs(zt[c] - v) <= atol + rtol * abs(v)) { localMoved = true }
                    zt[c] = v
                    nextClasses[c] += v
                }
                if full {
                    for e in range {
                        let row = nextCounts + Int(entries[e]) * km
                        for x in 0..<km { row[x] += q[x] }
                    }
                } else {
                    for e in range {
                        let row = nextCounts + Int(entries[e]) * km
                        for a in 0..<scored { row[order[a]] += q[a] }
                    }
                }
            }
            entropy = localEntropy
            moved = localMoved
        }}}}}}}}}}}}
        return (entropy, moved)
    }

    /// Pairs whose prefix is within this of the largest are scored for every task.
    static let prefixWindow = 30.0
}

/// ψ, ψ′ and ln Γ of the two confusion priors, for the expected counts that are negligible: most
/// of them, since the sparse subtype prior empties most subtypes. For a count c below
/// `Terms.negligible`, ψ(β + c) = ψ(β) + ψ′(β)·c and ln Γ(β + c) = ln Γ(β) + ψ(β)·c.
struct PriorTerms {
    struct Terms {
        let value: Double, digamma: Double, trigamma: Double, logGamma: Double
        /// Counts below this are taken to first order: the left-out terms, about c²/β³ and c²/β²,
        /// stay below 1e-18.
        let negligible: Double
        init(_ value: Double) {
            self.value = value
            negligible = 1e-9 * Swift.min(1, value * value.squareRoot())
            digamma = MACECrowdKitEngine.digamma(value)
            trigamma = PriorTerms.trigamma(value)
            logGamma = lgamma(value)
        }
    }
    let diagonal: Terms, offDiagonal: Terms, row: Terms

    init(diagonal: Double, offDiagonal: Double, labels: Int) {
        self.diagonal = Terms(diagonal)
        self.offDiagonal = Terms(offDiagonal)
        row = Terms(diagonal + Double(labels - 1) * offDiagonal)
    }

    /// ψ′(x) for x > 0: the recurrence up to x ≥ 20, then the asymptotic series.
    static func trigamma(_ x0: Double) -> Double {
        var x = x0, sum = 0.0
        while x < 20 {
            sum += 1 / (x * x)
            x += 1
        }
        let z = 1 / (x * x)
        // 1/x + 1/(2x²) + Σ B_2n / x^(2n+1)
        let series = 1.0 / 6.0 - z * (1.0 / 30.0 - z * (1.0 / 42.0 - z * (1.0 / 30.0 - z * (5.0 / 66.0))))
        return sum + 1 / x + z / 2 + series * z / x
    }
}
