// Micro-benchmarks of the hot paths (package-benchmark, opt-in):
//   TALLY_BENCHMARKS=1 swift package benchmark --target TallyBenchmarks
// End-to-end comparisons with crowd-kit live in Benchmarks/compare-mv.sh.

import Benchmark
import Foundation
import TallyAggregation
import TallyCore

/// A seeded synthetic crowd: `tasks × overlap` answers by `workers` workers, `k` labels, each
/// worker right with probability 0.8. A 64-bit LCG keeps it dependency-free and repeatable.
struct SyntheticCrowd {
    var tasks: [String] = [], workers: [String] = [], labels: [String] = []

    init(tasks nTasks: Int, workers nWorkers: Int, overlap: Int, k: Int, seed: UInt64 = 1) {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        for t in 0..<nTasks {
            let truth = Int(next() % UInt64(k))
            for _ in 0..<overlap {
                let w = Int(next() % UInt64(nWorkers))
                let right = next() % 10 < 8
                tasks.append("t\(t)")
                workers.append("w\(w)")
                labels.append("c\(right ? truth : Int(next() % UInt64(k)))")
            }
        }
    }

    var tsv: String {
        var s = "task\tworker\tlabel\n"
        s.reserveCapacity(tasks.count * 20)
        for i in tasks.indices { s += "\(tasks[i])\t\(workers[i])\t\(labels[i])\n" }
        return s
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 20
    )

    let crowd = SyntheticCrowd(tasks: 200_000, workers: 2_000, overlap: 5, k: 2)
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tally-bench-1m.tsv").path
    try? crowd.tsv.write(toFile: path, atomically: true, encoding: .utf8)
    let table = try! AnswerReader.read(path).table

    Benchmark("read TSV, 1M answers") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try AnswerReader.read(path).table.answerCount)
        }
    }

    Benchmark("MajorityVote.fit, 1M answers, K=2") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try MajorityVote().fit(table).labels.count)
        }
    }

    Benchmark("Wawa.fit, 1M answers, K=2") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Wawa().fit(table).labels.count)
        }
    }

    // Dense expert panel: 8 workers label every one of 100 k tasks, K = 4. The E-step's logits
    // L = X · logE, X the tasks × (worker·label) one-hot matrix (exactly 8 ones per 32-wide row),
    // as a BLAS product against the sparse gather the engine uses.
    let panelTasks = 100_000, panelWorkers = 8, panelK = 4
    var panelEntries = [Int32](), panelOneHot = [Double](repeating: 0, count: panelTasks * panelWorkers * panelK)
    for t in 0..<panelTasks {
        for w in 0..<panelWorkers {
            let y = (t * 7 + w * 3) % panelK
            panelEntries.append(Int32(w * panelK + y))
            panelOneHot[t * panelWorkers * panelK + w * panelK + y] = 1
        }
    }
    let panelLogE = (0..<(panelWorkers * panelK * panelK)).map { -Double($0 % 7) * 0.3 - 0.1 }
    let entries = panelEntries, oneHot = panelOneHot

    Benchmark("dense panel E-step logits, 100k tasks x 8 workers, K=4: sparse gather") { benchmark in
        for _ in benchmark.scaledIterations {
            // As the engine does it: raw pointers, no bounds checks.
            var logits = [Double](repeating: 0, count: panelTasks * panelK)
            logits.withUnsafeMutableBufferPointer { l in
                entries.withUnsafeBufferPointer { e in
                    panelLogE.withUnsafeBufferPointer { logE in
                        for t in 0..<panelTasks {
                            for a in 0..<panelWorkers {
                                let base = Int(e[t * panelWorkers + a]) * panelK
                                for c in 0..<panelK { l[t * panelK + c] += logE[base + c] }
                            }
                        }
                    }
                }
            }
            blackHole(logits)
        }
    }

    Benchmark("dense panel E-step logits, 100k tasks x 8 workers, K=4: cblas_dgemm") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(BLAS.multiply(oneHot, panelLogE, m: panelTasks, k: panelWorkers * panelK, n: panelK))
        }
    }

    Benchmark("ZeroBasedSkill.fit (100 iterations), 1M answers, K=2", configuration: .init(maxIterations: 3)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ZeroBasedSkill().fit(table).labels.count)
        }
    }
}
