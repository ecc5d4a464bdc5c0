import CTallyKernels
import Foundation
import TallyCore

/// What the compact passes write per task: for two labels one byte (the argmax), for more the
/// posteriors (and the offsets widened to the general kernel's `Int64`).
final class PassState: @unchecked Sendable {
    let k: Int
    let labels: UnsafeMutableBufferPointer<UInt8>
    let posteriors: UnsafeMutableBufferPointer<Double>
    let offsets64: [Int]

    init(tasks: Int, k: Int, offsets: [UInt32]) {
        self.k = k
        if k == 2 {
            labels = .allocate(capacity: tasks)
            labels.initialize(repeating: 0)
            posteriors = UnsafeMutableBufferPointer(start: nil, count: 0)
            offsets64 = []
        } else {
            labels = UnsafeMutableBufferPointer(start: nil, count: 0)
            posteriors = .allocate(capacity: tasks * k)
            posteriors.initialize(repeating: 0)
            offsets64 = offsets.map { Int($0) }
        }
    }

    deinit {
        if labels.baseAddress != nil { labels.deallocate() }
        if posteriors.baseAddress != nil { posteriors.deallocate() }
    }

    /// The labels of the last pass: the bytes the binary kernel wrote, or the first argmax of the
    /// posteriors floored at 1e-10 (as ``DawidSkeneModel/labels`` takes them).
    func finalLabels() -> [UInt8] {
        if k == 2 { return Array(labels) }
        let tasks = posteriors.count / k
        return [UInt8](unsafeUninitializedCapacity: tasks) { out, count in
            for t in 0..<tasks {
                var best = 0
                var bestValue = -Double.infinity
                for c in 0..<k {
                    let x = max(posteriors[t * k + c], DawidSkeneEngine.eps)
                    if x > bestValue { bestValue = x; best = c }
                }
                out[t] = UInt8(best)
            }
            count = tasks
        }
    }
}

extension CompactEngine {
    /// ``DawidSkeneEngine/passBinary``'s E-step and scatter over the compact table: the blocked kernel
    /// (`binary_blocked.c`, the same bits as `compact.c`'s simple pass) with `UInt32` offsets.
    func passBinary(logPrior: [Double], logConfusion: [Double], counts: inout [Double], slots: PassSlots,
                    state: PassState) -> (priorSum: [Double], entropyTerm: Double) {
        let logOdds = DawidSkeneEngine.logOdds(logConfusion, observed: observed)
        let priorOdds = logPrior[1] - logPrior[0]
        let parts = partitions
        return DawidSkeneEngine.binaryResults(parts: parts.count) { out in
            answers.offsets.withUnsafeBufferPointer { offsets in
                answers.entries.withUnsafeBufferPointer { entries in
                    logOdds.withUnsafeBufferPointer { d in
                        counts.withUnsafeMutableBufferPointer { counts in
                            let first = UncheckedSendable(counts)
                            let shared = UncheckedSendable((offsets, entries, d))
                            parallelFor(parts.count) { part in
                                let (offsets, entries, d) = shared.value
                                let target = part == 0 ? first.value : slots.counts[part]
                                target.update(repeating: 0)
                                var r = (0.0, 0.0, 0.0)
                                withUnsafeMutableBytes(of: &r) { raw in
                                    let o = raw.baseAddress!.assumingMemoryBound(to: Double.self)
                                    _ = tally_ds_binary_blocked(offsets.baseAddress!, 1, entries.baseAddress!, 0, d.baseAddress!, priorOdds,
                                                                nil, nil, state.labels.baseAddress!, target.baseAddress!,
                                                                Int64(parts[part].lowerBound), Int64(parts[part].upperBound), 0, o,
                                                                Int32(TALLY_DS_AUTO))
                                }
                                out.value[part] = (r.0, r.1, r.2)
                            }
                            slots.addSlots(into: first)
                        }
                    }
                }
            }
        }
    }

    /// ``DawidSkeneEngine/pass``'s general E-step and scatter (the C kernel up to K = 64, else the
    /// Swift one), posteriors into `state`.
    func passGeneral(logPrior: [Double], logConfusion: [Double], counts: inout [Double], slots: PassSlots,
                     state: PassState) -> (priorSum: [Double], entropyTerm: Double) {
        let k = self.k
        let parts = partitions
        let useC = k <= Int(TALLY_KERNELS_MAX_K)
        let noGold: [Int32] = []
        state.offsets64.withUnsafeBufferPointer { offsets in
            answers.entries.withUnsafeBufferPointer { entries in
                logConfusion.withUnsafeBufferPointer { logE in
                    noGold.withUnsafeBufferPointer { gold in
                        counts.withUnsafeMutableBufferPointer { counts in
                            let shared = SharedPointers(offsets: offsets, entries: entries, d: logE, p: state.posteriors, gold: gold)
                            let first = UncheckedSendable(counts)
                            parallelFor(parts.count) { part in
                                let target = part == 0 ? first.value : slots.counts[part]
                                DawidSkeneEngine.generalPart(part, parts[part], shared, k: k, logPrior: logPrior, hard: false, useC: useC,
                                                             target: target, slots: slots)
                            }
                            slots.addSlots(into: first)
                        }
                    }
                }
            }
        }
        return slots.combined(k: k)
    }

    /// ``DawidSkeneEngine/maximise``: confusion matrices (or one-coin skills) from the counts over
    /// the observed (worker, label) rows, each thread a range of workers.
    func maximise(_ counts: [Double], confusion: inout [Double], logConfusion: inout [Double]) -> [Double]? {
        let k = self.k
        let parts = workerPartitions
        let mStep = self.mStep
        var skills = [Double](repeating: 0, count: mStep == .oneCoin ? answers.workerCount : 0)
        let answersOf = self.answersOf
        counts.withUnsafeBufferPointer { counts in
            observed.withUnsafeBufferPointer { mask in
                confusion.withUnsafeMutableBufferPointer { e in
                    logConfusion.withUnsafeMutableBufferPointer { logE in
                        skills.withUnsafeMutableBufferPointer { skillBuffer in
                            let shared = UncheckedSendable((counts, mask, e, logE, skillBuffer))
                            parallelFor(parts.count) { part in
                                let (counts, mask, e, logE, skills) = shared.value
                                for w in parts[part] {
                                    DawidSkeneEngine.maximiseWorker(w, mStep: mStep, pseudoCounts: nil, k: k, answers: answersOf[w + 1] - answersOf[w],
                                                                    counts: counts, mask: mask, e: e, logE: logE, skills: skills)
                                }
                            }
                        }
                    }
                }
            }
        }
        return mStep == .oneCoin ? skills : nil
    }

    /// ``DawidSkeneEngine/elbo``, each thread a range of workers.
    func elbo(counts: [Double], logConfusion: [Double], prior: [Double], entropyTerm: Double) -> Double {
        DawidSkeneEngine.elbo(workerParts: workerPartitions, k: k, counts: counts, logConfusion: logConfusion, observed: observed,
                              prior: prior, entropyTerm: entropyTerm)
    }
}
