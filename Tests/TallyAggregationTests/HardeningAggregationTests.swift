import Foundation
import Testing
import TallyAggregation
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
        let table = try Self.crowdedTask(1_000)
        let model = try MMSR(iterations: 5).fit(table)
        // Without a bound: 1,000 · 999 / 2 = 499,500 pairs. Each worker keeps at most 100 co-workers.
        #expect(model.observedPairs <= 1_000 * 100 / 2, "\(model.observedPairs) pairs")
        #expect(model.observedPairs >= 1_000 * 50 / 2)
        #expect(model.labels == [Int32(table.labels.index(of: "yes")!)])
    }

    @Test("M-MSR's sampled pairs: the same seed gives the same result, another seed other pairs")
    func mmsrSampledPairsSeeded() throws {
        let table = try Self.crowdedTask(600)
        let a = try MMSR(iterations: 5, seed: 3).fit(table), b = try MMSR(iterations: 5, seed: 3).fit(table)
        #expect(a.workerSkills == b.workerSkills && a.observedPairs == b.observedPairs)
        #expect(a.sampledTasks == 1)
        let c = try MMSR(iterations: 5, seed: 4).fit(table)
        #expect(c.workerSkills != a.workerSkills)
        let all = try MMSR(iterations: 5, maxCoworkersPerTask: 0).fit(table)
        #expect(all.observedPairs == 600 * 599 / 2 && all.sampledTasks == 0)
        #expect(throws: AggregationError.self) { try MMSR(maxCoworkersPerTask: 1).fit(table) }
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
