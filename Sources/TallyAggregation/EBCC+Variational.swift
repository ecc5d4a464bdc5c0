import CTallyKernels
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
    /// The (worker, label) pairs that occur, as table entry codes `worker · K + label`, in order.
    let pairCodes: [Int]
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
        pairCodes = (0..<(answers.workerCount * k)).filter { given[$0] }
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
    /// `q(z)` moved by at most `tolerance + 1e-5 · |new|` everywhere. With `history` the ELBO is
    /// recorded after every iteration (see ``EBCC`` for its definition); without, only after the
    /// last (the reference computes it once, at the end): the same value, by the same function of
    /// the same inputs, so a restart's ELBO does not depend on `history`.
    func run(start: [Double], maxIterations: Int, tolerance: Double, history: Bool = true) -> Run {
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
        var permutedLogV = logV, permutedCounts = logV
        var prefix = [Double](repeating: 0, count: km)
        var rowDigamma = [Double](repeating: 0, count: workers * km)
        let scratch = GatherScratch(capacity: Swift.max(workers * km, pairCodes.count * km))
        defer { scratch.deallocate() }
        var score = [Double](repeating: 0, count: km)
        let priorTerms = PriorTerms(diagonal: diagonalPrior, offDiagonal: offDiagonalPrior, labels: k)
        let rowPrior = priorTerms.row.value
        var elbos: [Double] = []
        var iterations = 0, converged = false, entropy = 0.0

        while iterations < maxIterations && !converged {
            iterations += 1
            // q(τ), q(π): E ln τ_k + E ln π_km.
            var nuTotal = 0.0
            for c in 0..<k { nuTotal += classPrior[c] + classTotals[c] }
            let nuNorm = MACECrowdKitEngine.digamma(nuTotal)
            for c in 0..<k {
                let tau = MACECrowdKitEngine.digamma(classPrior[c] + classTotals[c]) - nuNorm
                var etaTotal = 0.0
                for g in 0..<m { etaTotal += groupPrior + groupTotals[c * m + g] }
                let etaNorm = MACECrowdKitEngine.digamma(etaTotal)
                for g in 0..<m { prefix[c * m + g] = MACECrowdKitEngine.digamma(groupPrior + groupTotals[c * m + g]) - etaNorm + tau }
            }
            // q(v): E ln v for the (worker, label) pairs that occur. The ψ arguments that are not
            // negligible are gathered for the vector kernel (`tally_digamma_loggamma`, AVX2 where
            // the CPU has it): first the row sums of every worker, then every occurring cell.
            counts.withUnsafeBufferPointer { counts in
            logV.withUnsafeMutableBufferPointer { logV in
            rowDigamma.withUnsafeMutableBufferPointer { rowDigamma in
                let rowTerms = priorTerms.row
                var gathered = 0
                for j in 0..<workers {
                    let labels = workerOffsets[j]..<workerOffsets[j + 1]
                    if labels.isEmpty { continue }
                    let rd = rowDigamma.baseAddress! + j * km
                    for x in 0..<km { rd[x] = 0 }
                    for l in labels {
                        let row = (j * k + Int(workerLabels[l])) * km
                        for x in 0..<km { rd[x] += counts[row + x] }
                    }
                    for x in 0..<km {
                        let count = rd[x]
                        if count < rowTerms.negligible {
                            rd[x] = rowTerms.digamma + rowTerms.trigamma * count
                        } else {
                            scratch.args[gathered] = rowPrior + count
                            scratch.slot[gathered] = j * km + x
                            gathered += 1
                        }
                    }
                }
                tally_digamma_loggamma(scratch.args, scratch.psi, nil, Int64(gathered))
                for i in 0..<gathered { rowDigamma[scratch.slot[i]] = scratch.psi[i] }
                gathered = 0
                for j in 0..<workers {
                    let rd = rowDigamma.baseAddress! + j * km
                    for l in workerOffsets[j]..<workerOffsets[j + 1] {
                        let label = Int(workerLabels[l])
                        let row = (j * k + label) * km
                        for c in 0..<k {
                            let prior = c == label ? priorTerms.diagonal : priorTerms.offDiagonal
                            for g in 0..<m {
                                let x = c * m + g
                                let count = counts[row + x]
                                // First order about the prior below `negligible`: exact to about 1e-16 here.
                                if count < prior.negligible {
                                    logV[row + x] = prior.digamma + prior.trigamma * count - rd[x]
                                } else {
                                    scratch.args[gathered] = prior.value + count
                                    scratch.slot[gathered] = row + x
                                    scratch.rowOf[gathered] = j * km + x
                                    gathered += 1
                                }
                            }
                        }
                    }
                }
                tally_digamma_loggamma(scratch.args, scratch.psi, nil, Int64(gathered))
                for i in 0..<gathered { logV[scratch.slot[i]] = scratch.psi[i] - rowDigamma[scratch.rowOf[i]] }
            }
            }
            }
            if history { elbos.append(bound(counts: counts, groupTotals: groupTotals, classTotals: classTotals, priorTerms: priorTerms)) }
            nextCounts.withUnsafeMutableBufferPointer { c in
                for code in pairCodes { for x in 0..<km { c[code * km + x] = 0 } }
            }
            for x in 0..<km { nextGroups[x] = 0 }
            for c in 0..<k { nextClasses[c] = 0 }
            let (h, moved) = taskPass(prefix: prefix, logV: logV, zg: &zg, z: &z, score: &score,
                                      nextCounts: &nextCounts, nextGroups: &nextGroups, nextClasses: &nextClasses,
                                      permutedLogV: &permutedLogV, permutedCounts: &permutedCounts,
                                      atol: tolerance, rtol: EBCC.relativeTolerance)
            entropy = h
            if history { elbos[elbos.count - 1] += h }
            swap(&counts, &nextCounts)
            swap(&groupTotals, &nextGroups)
            swap(&classTotals, &nextClasses)
            converged = !moved
        }
        if !history && iterations > 0 {
            // The last iteration's Dirichlet parameters came from what is now in the `next` buffers.
            elbos = [bound(counts: nextCounts, groupTotals: nextGroups, classTotals: nextClasses, priorTerms: priorTerms) + entropy]
        }
        return Run(zg: zg, z: z, counts: counts, groupTotals: groupTotals, classTotals: classTotals,
                   elboHistory: elbos, iterations: iterations, converged: converged)
    }

    /// The Dirichlet part of the ELBO for the parameters made from `counts`, `groupTotals` and
    /// `classTotals`: `ln B(ν) + Σ_k ln B(η_k) + Σ_{j,k,m} ln B(μ_jkm)` (a label a worker never gave
    /// keeps its prior, a constant; negligible counts to first order, as in the digammas).
    func bound(counts: [Double], groupTotals: [Double], classTotals: [Double], priorTerms: PriorTerms) -> Double {
        let (k, m, km) = (k, groups, k * groups)
        let rowPrior = priorTerms.row.value
        let lgDiagonal = priorTerms.diagonal.logGamma, lgOff = priorTerms.offDiagonal.logGamma
        var bound = 0.0
        var nuTotal = 0.0
        for c in 0..<k { nuTotal += classPrior[c] + classTotals[c] }
        bound -= lgamma(nuTotal)
        for c in 0..<k {
            bound += lgamma(classPrior[c] + classTotals[c])
            var etaTotal = 0.0
            for g in 0..<m { etaTotal += groupPrior + groupTotals[c * m + g] }
            bound -= lgamma(etaTotal)
            for g in 0..<m { bound += lgamma(groupPrior + groupTotals[c * m + g]) }
        }
        var rowSum = [Double](repeating: 0, count: km)
        counts.withUnsafeBufferPointer { counts in
            for j in 0..<workers {
                let labels = workerOffsets[j]..<workerOffsets[j + 1]
                for x in 0..<km { rowSum[x] = 0 }
                for l in labels {
                    let row = (j * k + Int(workerLabels[l])) * km
                    for x in 0..<km { rowSum[x] += counts[row + x] }
                }
                let rowTerms = priorTerms.row
                for x in 0..<km {
                    let count = rowSum[x]
                    bound -= count < rowTerms.negligible ? rowTerms.logGamma + rowTerms.digamma * count : lgamma(rowPrior + count)
                }
                bound += Double((k - labels.count) * m) * (lgDiagonal + Double(k - 1) * lgOff)
                for l in labels {
                    let label = Int(workerLabels[l])
                    let row = (j * k + label) * km
                    for c in 0..<k {
                        let prior = c == label ? priorTerms.diagonal : priorTerms.offDiagonal
                        for g in 0..<m {
                            let count = counts[row + c * m + g]
                            bound += count < prior.negligible ? prior.logGamma + prior.digamma * count : lgamma(prior.value + count)
                        }
                    }
                }
            }
        }
        return bound
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
    /// prefix are always scored. When some are left out and there are at least two answers per
    /// (worker, label) pair, `E ln v` and the prefixes are first copied into that order
    /// (`permutedLogV`, one row per pair), so that the per-answer loops read and write contiguous
    /// cells; the counts are gathered in `permutedCounts` and put back in storage order at the
    /// end. Every sum is made of the same terms in the same order as without the copy.
    private func taskPass(prefix: [Double], logV: [Double], zg: inout [Double], z: inout [Double], score: inout [Double],
                          nextCounts: inout [Double], nextGroups: inout [Double], nextClasses: inout [Double],
                          permutedLogV: inout [Double], permutedCounts: inout [Double],
                          atol: Double, rtol: Double) -> (entropy: Double, moved: Bool) {
        let (k, m, km, tasks) = (k, groups, k * groups, tasks)
        var order = (0..<km).sorted { prefix[$0] > prefix[$1] || (prefix[$0] == prefix[$1] && $0 < $1) }
        let always = order.prefix { prefix[$0] >= prefix[order[0]] - EBCCEngine.prefixWindow }.count
        // Every pair scored (the first iterations): in storage order, no copies.
        let full = always == km
        if full { order = Array(0..<km) }
        // The copies cost a pass over the pairs: worth it when there are many answers per pair.
        let permuted = !full && entries.count >= 2 * pairCodes.count
        let orderedPrefix = order.map { prefix[$0] }
        let order32 = order.map { Int32($0) }
        if permuted {
            logV.withUnsafeBufferPointer { logV in
            permutedLogV.withUnsafeMutableBufferPointer { out in
            permutedCounts.withUnsafeMutableBufferPointer { c in
            order.withUnsafeBufferPointer { order in
                for code in pairCodes {
                    let (o, l) = (out.baseAddress! + code * km, logV.baseAddress! + code * km)
                    for a in 0..<km { o[a] = l[order[a]] }
                    let row = c.baseAddress! + code * km
                    for a in 0..<km { row[a] = 0 }
                }
            }}}}
        }
        var shares = [Double](repeating: 0, count: km)
        var entropy = 0.0, moved = false
        offsets.withUnsafeBufferPointer { offsets in
        entries.withUnsafeBufferPointer { entries in
        orderedPrefix.withUnsafeBufferPointer { prefix in
        (permuted ? permutedLogV : logV).withUnsafeBufferPointer { logV in
        zg.withUnsafeMutableBufferPointer { zg in
        z.withUnsafeMutableBufferPointer { z in
        score.withUnsafeMutableBufferPointer { s in
        shares.withUnsafeMutableBufferPointer { q in
        order.withUnsafeBufferPointer { order in
        nextCounts.withUnsafeMutableBufferPointer { nextCounts in
        permutedCounts.withUnsafeMutableBufferPointer { permutedCounts in
        nextGroups.withUnsafeMutableBufferPointer { nextGroups in
        nextClasses.withUnsafeMutableBufferPointer { nextClasses in
            let counts = permuted ? permutedCounts.baseAddress! : nextCounts.baseAddress!
            // The pass itself is C (`tally_ebcc_task_pass`, ebcc.c: AVX2 where the CPU has it).
            // Column of the a-th pair in the rows read and written: nil when the rows are in order.
            var isMoved: Int32 = 0
            entropy = order32.withUnsafeBufferPointer { order32 in
                tally_ebcc_task_pass(UnsafePointer(OpaquePointer(offsets.baseAddress!)), entries.baseAddress!, Int64(tasks), Int32(k), Int32(m),
                                     prefix.baseAddress!, logV.baseAddress!, order32.baseAddress!,
                                     permuted || full ? nil : order32.baseAddress!, Int32(always), zg.baseAddress!,
                                     z.baseAddress!, s.baseAddress!, q.baseAddress!, counts, nextGroups.baseAddress!,
                                     nextClasses.baseAddress!, atol, rtol, &isMoved)
            }
            moved = isMoved != 0
            let order = order.baseAddress!
            if permuted {
                for code in pairCodes {
                    let (out, row) = (nextCounts.baseAddress! + code * km, counts + code * km)
                    for a in 0..<km { out[order[a]] = row[a] }
                }
            }
        }}}}}}}}}}}}}
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

/// Buffers for gathering special-function arguments before one call of the vector kernel: the
/// arguments, ψ of each, where each result goes and the row it subtracts.
struct GatherScratch {
    let args: UnsafeMutablePointer<Double>, psi: UnsafeMutablePointer<Double>
    let slot: UnsafeMutablePointer<Int>, rowOf: UnsafeMutablePointer<Int>

    /// Room for `capacity` arguments (at least one).
    init(capacity: Int) {
        let n = Swift.max(1, capacity)
        args = .allocate(capacity: n); psi = .allocate(capacity: n)
        slot = .allocate(capacity: n); rowOf = .allocate(capacity: n)
    }

    /// Frees the buffers.
    func deallocate() { args.deallocate(); psi.deallocate(); slot.deallocate(); rowOf.deallocate() }
}
