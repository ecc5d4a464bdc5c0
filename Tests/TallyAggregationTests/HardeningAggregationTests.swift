import Foundation
import Testing
@testable import TallyAggregation
import TallyCore

/// Regression tests for the aggregator defects of issue 19: each failed before its fix.
@Suite("issue 19: aggregators at scale")
struct HardeningAggregationTests {
    /// One task answered by `workers` workers, about 70 % "yes".
    static func crowdedTask(_ workers: Int, seed: UInt64 = 1) throws -> AnswerTable {
        var rng = SplitMix64(seed: seed)
        let labels = (0..<workers).map { _ in Double(rng.next() >> 11) / Double(1 << 53) < 0.7 ? "yes" : "no" }
        return try AnswerTable(tasks: [String](repeating: "t0", count: workers), workers: (0..<workers).map { "w\($0)" }, labels: labels)
    }

    // MARK: - Defect 1: M-MSR quadratic in the answers of one task

    @Test("defect 1: M-MSR's pairs on one crowded task grow linearly, not quadratically")
    func mmsrPairsBounded() throws {
        // 1,000 answers on one task: every pair would be 1,000 · 999 ordered pairs (499,500
        // worker pairs, what M-MSR counted before). Each worker now keeps at most 100 co-workers.
        let table = try Self.crowdedTask(1_000)
        let graph = PairGraph(table, threads: 1, maxCoworkers: MMSR().maxCoworkersPerTask)
        #expect(graph.neighbor.count == 1_000 * 100, "\(graph.neighbor.count) ordered pairs")
        #expect(graph.sampledTasks == 1)
        let all = PairGraph(table, threads: 1, maxCoworkers: 0)
        #expect(all.neighbor.count == 1_000 * 999 && all.sampledTasks == 0)
        // Through the method (a smaller bound, so that the sign graph is solved densely and fast).
        let model = try MMSR(iterations: 5, maxCoworkersPerTask: 4).fit(try Self.crowdedTask(120))
        #expect(model.observedPairs == 120 * 4 / 2 && model.sampledTasks == 1)
        #expect(model.labels.count == 1)
    }

    @Test("defect 1: on a crowded task's sampled pairs the rank-one fit meets its tolerance in hundreds of rounds, not 10,000")
    func mmsrSampledPairsConverge() throws {
        // 1,000 workers on one task, 20 co-workers each. Paired with their neighbours on a circle,
        // the trimmed means spread around it slowly (with 100 co-workers the change was still 0.05
        // after 300 rounds) and the fit ran all 10,000 rounds. Random strides make the pair graph mix
        // quickly: 313 rounds here, about 60 with 100 co-workers.
        let model = try MMSR(signGraph: .observedPairs, maxCoworkersPerTask: 20).fit(try Self.crowdedTask(1_000))
        #expect(model.sampledTasks == 1)
        #expect(model.iterationsRun < 1_000, "\(model.iterationsRun) rounds")
        #expect(model.lossHistory.last! < 1e-10)
        #expect(model.labels == [try #require(model.labels.first)] && model.workerSkills.allSatisfy(\.isFinite))
    }

    @Test("M-MSR's sampled pairs: the same seed gives the same pairs, another seed other pairs")
    func mmsrSampledPairsSeeded() throws {
        let table = try Self.crowdedTask(600)
        let a = PairGraph(table, threads: 1, maxCoworkers: 100, seed: 3), b = PairGraph(table, threads: 2, maxCoworkers: 100, seed: 3)
        let c = PairGraph(table, threads: 1, maxCoworkers: 100, seed: 4)
        let entries = { (g: PairGraph) in (0..<g.neighbor.count).map { g.neighbor[$0] } }
        #expect(a.offsets == b.offsets && entries(a) == entries(b))
        #expect(entries(a) != entries(c))
        // Each worker has exactly 100 distinct co-workers, and the pairs are symmetric.
        var pairs = Set<[Int32]>()
        for w in 0..<600 {
            #expect(a.offsets[w + 1] - a.offsets[w] == 100)
            for e in a.offsets[w]..<a.offsets[w + 1] { pairs.insert([Int32(w), a.neighbor[e]]) }
        }
        #expect(pairs.allSatisfy { pairs.contains([$0[1], $0[0]]) })
        let small = try Self.crowdedTask(120)
        let m1 = try MMSR(iterations: 5, seed: 3, maxCoworkersPerTask: 4).fit(small), m2 = try MMSR(iterations: 5, seed: 3, maxCoworkersPerTask: 4).fit(small)
        #expect(m1.workerSkills == m2.workerSkills && m1.labels == m2.labels)
        #expect(throws: AggregationError.self) { try MMSR(maxCoworkersPerTask: 1).fit(small) }
    }

    @Test("M-MSR: tasks of ordinary size are not sampled, so results are unchanged")
    func mmsrOrdinaryTasksUnchanged() throws {
        // 30 tasks × 60 workers: every task below the bound of 100 co-workers.
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        var rng = SplitMix64(seed: 9)
        for t in 0..<30 {
            for w in 0..<60 where rng.next() % 4 != 0 {
                tasks.append("t\(t)"); workers.append("w\(w)"); labels.append(rng.next() % 3 == 0 ? "b" : "a")
            }
        }
        let table = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        let bounded = try MMSR().fit(table), unbounded = try MMSR(maxCoworkersPerTask: 0).fit(table)
        #expect(bounded.sampledTasks == 0)
        #expect(bounded.workerSkills == unbounded.workerSkills && bounded.labels == unbounded.labels)
        #expect(bounded.observedPairs == unbounded.observedPairs)
    }

    // MARK: - Defect 2: Dawid-Skene allocates workers × K² without a guard

    /// `labels` distinct labels over 40 workers, five answers a task.
    static func manyLabels(_ labels: Int) throws -> AnswerTable {
        let n = labels
        return try AnswerTable(tasks: (0..<n).map { "t\($0 / 5)" }, workers: (0..<n).map { "w\(($0 * 7) % 40)" }, labels: (0..<n).map { "v\($0)" })
    }

    @Test("defect 2: Dawid-Skene and one-coin DS refuse 20,000 labels with an error instead of aborting")
    func dawidSkeneRefusesWhatCannotFit() throws {
        let table = try Self.manyLabels(20_000)
        for fit in [{ _ = try DawidSkene().fit(table) }, { _ = try OneCoinDawidSkene().fit(table) }] as [() throws -> Void] {
            let error = try #require(throws: AggregationError.self) { try fit() }
            #expect(error.message.contains("20000 labels"), "\(error.message)")
            #expect(error.message.contains("GB"), "\(error.message)")
        }
    }

    @Test("MemoryGuard: within the limit nothing happens; beyond it the error names labels and memory")
    func memoryGuardMessage() throws {
        try MemoryGuard.require("ds", bytes: 1_000, labels: 3, detail: "small")
        let error = try #require(throws: AggregationError.self) {
            try MemoryGuard.require("ds", bytes: 1e15, labels: 5000, detail: "a 5000 × 5000 table for each of 40 workers")
        }
        #expect(error.message.hasPrefix("ds would need about 1000000.0 GB for 5000 labels (a 5000 × 5000 table for each of 40 workers)"), "\(error.message)")
        #expect(error.message.contains("numeric"))
    }
}
