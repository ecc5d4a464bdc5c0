import CTallyKernels
import Foundation
import TallyCore

/// Dawid-Skene's EM split into what a partition of tasks computes (the E-step and the scatter
/// into count tables) and what the driver computes from the summed tables (the M-step, the ELBO
/// and the stopping test). The arithmetic is the single-machine engine's: the same kernels over
/// the same task-sorted entries, the same M-step formulas; only the order in which the partitions'
/// sums are added differs.
extension DawidSkeneEngine {
    /// The first pass on a partition: majority-vote shares as posteriors, scattered into
    /// `counts` (W·K·K), their column sums into `priorSum` (K), and the number of answers of each
    /// `(worker, label)` row into `rowAnswers` (W·K).
    static func partitionStart(_ part: TaskPartition, posteriors p: UnsafeMutableBufferPointer<Double>,
                               counts: UnsafeMutableBufferPointer<Double>, priorSum: UnsafeMutableBufferPointer<Double>,
                               rowAnswers: UnsafeMutableBufferPointer<Double>) {
        let k = part.labelCount
        part.byTask.offsets.withUnsafeBufferPointer { offsets in
            part.byTask.entries.withUnsafeBufferPointer { entries in
                _ = VoteKernels.shares(offsets: offsets, entries: entries, k: k, tasks: part.taskCount, weights: nil, into: p)
                for t in 0..<part.taskCount {
                    for c in 0..<k { priorSum[c] += p[t * k + c] }
                    for i in offsets[t]..<offsets[t + 1] {
                        let e = Int(entries[i])
                        rowAnswers[e] += 1
                        let base = e * k
                        for c in 0..<k { counts[base + c] += p[t * k + c] }
                    }
                }
            }
        }
    }

    /// One E-step on a partition with the global `logPrior` (K) and `logConfusion` (W·K·K): the
    /// posteriors into `p`, the next M-step's counts into `counts` (zeroed here), the posteriors'
    /// column sums into `priorSum`; returns the entropy term `Σ P' ln P'`. The kernel is the one the
    /// single-machine engine runs for this K (binary log-odds, the C kernel, or the Swift pass above
    /// the C kernel's K).
    static func partitionEStep(_ part: TaskPartition, logPrior: [Double], logConfusion: UnsafeBufferPointer<Double>, hard: Bool,
                               cKernels: Bool, posteriors p: UnsafeMutableBufferPointer<Double>,
                               counts: UnsafeMutableBufferPointer<Double>, priorSum: UnsafeMutableBufferPointer<Double>) -> Double {
        let k = part.labelCount
        let rows = part.workerCount * k
        counts.update(repeating: 0)
        priorSum.update(repeating: 0)
        return part.byTask.offsets.withUnsafeBufferPointer { offsets in
            part.byTask.entries.withUnsafeBufferPointer { entries in
                let range = 0..<part.taskCount
                if k == 2 {
                    var logOdds = [Double](repeating: 0, count: rows)
                    for r in 0..<rows where logConfusion[2 * r].isFinite || logConfusion[2 * r + 1].isFinite {
                        logOdds[r] = logConfusion[2 * r + 1] - logConfusion[2 * r]
                    }
                    return logOdds.withUnsafeBufferPointer { d in
                        let shared = SharedPointers(offsets: offsets, entries: entries, d: d, p: p, gold: UnsafeBufferPointer(start: nil, count: 0))
                        let r = binaryRange(range, shared, priorOdds: logPrior[1] - logPrior[0], hard: hard, counts: counts)
                        priorSum[0] = r.sum0
                        priorSum[1] = r.sum1
                        return r.entropy
                    }
                }
                let shared = SharedPointers(offsets: offsets, entries: entries, d: logConfusion, p: p, gold: UnsafeBufferPointer(start: nil, count: 0))
                if cKernels && k <= Int(TALLY_KERNELS_MAX_K) {
                    return logPrior.withUnsafeBufferPointer { prior in
                        tally_ds_general_range(
                            UnsafePointer(OpaquePointer(offsets.baseAddress!)), entries.baseAddress!, logConfusion.baseAddress!,
                            prior.baseAddress!, nil, p.baseAddress!, counts.baseAddress!, priorSum.baseAddress!,
                            Int64(range.lowerBound), Int64(range.upperBound), Int32(k), hard ? 1 : 0)
                    }
                }
                return generalRange(range, shared, k: k, logPrior: logPrior, hard: hard, counts: counts, priorSum: priorSum)
            }
        }
    }

    /// The M-step of `mStep` over every worker from summed counts: confusion matrices and their
    /// logs, as ``maximise(_:mask:confusion:logConfusion:)`` computes them; one-coin skills need
    /// each worker's answer count (`answersOfWorker`). Returns the skills (one-coin) or nil.
    static func maximiseAll(mStep: MStep, k: Int, workers: Int, counts: [Double], mask: [Bool], answersOfWorker: [Int],
                            confusion: inout [Double], logConfusion: inout [Double]) -> [Double]? {
        var skills = [Double](repeating: 0, count: mStep == .oneCoin ? workers : 0)
        counts.withUnsafeBufferPointer { counts in
            mask.withUnsafeBufferPointer { mask in
                confusion.withUnsafeMutableBufferPointer { e in
                    logConfusion.withUnsafeMutableBufferPointer { logE in
                        skills.withUnsafeMutableBufferPointer { s in
                            for w in 0..<workers {
                                maximiseWorker(w, mStep: mStep, pseudoCounts: nil, k: k, answers: answersOfWorker[w],
                                               counts: counts, mask: mask, e: e, logE: logE, skills: s)
                            }
                        }
                    }
                }
            }
        }
        return mStep == .oneCoin ? skills : nil
    }

    /// The ELBO from summed counts (``elbo(counts:logConfusion:prior:entropyTerm:)`` over one
    /// range of every worker).
    static func elboAll(k: Int, rows: Int, counts: [Double], logConfusion: [Double], observed: [Bool], prior: [Double], entropyTerm: Double) -> Double {
        let (partial, column) = counts.withUnsafeBufferPointer { counts in
            logConfusion.withUnsafeBufferPointer { logE in
                observed.withUnsafeBufferPointer { observed in
                    elboPartial(rows: 0..<rows, k: k, counts: counts, logE: logE, observed: observed)
                }
            }
        }
        var joint = partial
        for c in 0..<k { joint += column[c] * log(max(prior[c], Self.eps)) }
        return joint - entropyTerm
    }
}
