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
        let lgDiagonal: Double = lgamma(diagonalPrior), lgOff: Double = lgamma(offDiagonalPrior)
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
                    for x in 0..<km { rowDigamma[x] = rowPrior }
                    for l in labels {
                        let row = (j * k + Int(workerLabels[l])) * km
                        for x in 0..<km { rowDigamma[x] += counts[row + x] }
                    }
                    for x in 0..<km {
                        bound -= lgamma(rowDigamma[x])
                        rowDigamma[x] = MACECrowdKitEngine.digamma(rowDigamma[x])
                    }
                    var next = labels.lowerBound
                    for l in 0..<k {
                        if next < labels.upperBound && Int(workerLabels[next]) == l {
                            next += 1
                            let row = (j * k + l) * km
                            for c in 0..<k {
                                let prior = c == l ? diagonalPrior : offDiagonalPrior
                                for g in 0..<m {
                                    let x = c * m + g
                                    let mu = prior + counts[row + x]
                                    logV[row + x] = MACECrowdKitEngine.digamma(mu) - rowDigamma[x]
                                    bound += lgamma(mu)
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
    private func taskPass(prefix: [Double], logV: [Double], zg: inout [Double], z: inout [Double], score: inout [Double],
                          nextCounts: inout [Double], nextGroups: inout [Double], nextClasses: inout [Double],
                          atol: Double, rtol: Double) -> (entropy: Double, moved: Bool) {
        let (k, m, km, tasks) = (k, groups, k * groups, tasks)
        var entropy = 0.0, moved = false
        offsets.withUnsafeBufferPointer { offsets in
        entries.withUnsafeBufferPointer { entries in
        prefix.withUnsafeBufferPointer { prefix in
        logV.withUnsafeBufferPointer { logV in
        zg.withUnsafeMutableBufferPointer { zg in
        z.withUnsafeMutableBufferPointer { z in
        score.withUnsafeMutableBufferPointer { s in
        nextCounts.withUnsafeMutableBufferPointer { nextCounts in
        nextGroups.withUnsafeMutableBufferPointer { nextGroups in
        nextClasses.withUnsafeMutableBufferPointer { nextClasses in
            let (entries, prefix, logV, zg, z, s) = (entries.baseAddress!, prefix.baseAddress!, logV.baseAddress!,
                                                      zg.baseAddress!, z.baseAddress!, s.baseAddress!)
            let (nextCounts, nextGroups, nextClasses) = (nextCounts.baseAddress!, nextGroups.baseAddress!, nextClasses.baseAddress!)
            var localEntropy = 0.0, localMoved = false
            for t in 0..<tasks {
                for x in 0..<km { s[x] = prefix[x] }
                let range = offsets[t]..<offsets[t + 1]
                for e in range {
                    let row = logV + Int(entries[e]) * km
                    for x in 0..<km { s[x] += row[x] }
                }
                var top = s[0]
                for x in 1..<km where s[x] > top { top = s[x] }
                var total = 0.0
                let p = zg + t * km
                for x in 0..<km { p[x] = exp(s[x] - top); total += p[x] }
                let logSum = top + log(total)
                // H(q(z_t, g_t)) = −Σ p ln p with ln p = s − logSum.
                var expected = 0.0
                for x in 0..<km {
                    p[x] /= total
                    expected += p[x] * s[x]
                    nextGroups[x] += p[x]
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
                for e in range {
                    let row = nextCounts + Int(entries[e]) * km
                    for x in 0..<km { row[x] += p[x] }
                }
            }
            entropy = localEntropy
            moved = localMoved
        }}}}}}}}}}
        return (entropy, moved)
    }
}
