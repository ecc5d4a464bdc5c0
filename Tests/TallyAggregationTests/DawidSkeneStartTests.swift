import Foundation
import Testing
import TallyCore
@testable import TallyAggregation

/// The set-up of a Dawid-Skene fit runs in C (`tally_ds_vote_shares`, `tally_ds_scatter_rows`,
/// `tally_mark_entries`, issue 17): each must give the bits of the Swift code it replaced.
@Suite("Dawid-Skene start: vote shares, first scatter and observed rows in C")
struct DawidSkeneStartTests {
    /// 300 tasks with 1 to 7 answers from 25 workers, K labels (some workers answer a task twice).
    private func table(labels k: Int) throws -> AnswerTable {
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        var state: UInt64 = 0x2545_F491_4F6C_DD1D &* UInt64(k + 1)
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        for t in 0..<300 {
            for _ in 0..<(1 + Int(next() % 7)) {
                tasks.append("t\(t)")
                workers.append("w\(next() % 25)")
                labels.append("c\(next() % UInt64(k))")
            }
        }
        return try AnswerTable(tasks: tasks, workers: workers, labels: labels)
    }

    /// The Swift loop the C scatter replaced.
    private func swiftScatter(_ engine: DawidSkeneEngine, _ p: [Double]) -> [Double] {
        let k = engine.k
        var counts = [Double](repeating: 0, count: engine.rows * k)
        for t in 0..<engine.tasks {
            for i in engine.taskOffsets[t]..<engine.taskOffsets[t + 1] {
                let base = Int(engine.taskEntries[i]) * k
                for c in 0..<k { counts[base + c] += p[t * k + c] }
            }
        }
        return counts
    }

    @Test("vote shares, scatter and observed rows equal the Swift code's bits", arguments: [2, 3, 5, 10, 12])
    func sameBits(k: Int) throws {
        let table = try table(labels: k)
        let engine = DawidSkeneEngine(table, mStep: .full)
        let shares = engine.voteShares()
        let reference = VoteKernels.shares(table, weights: nil).probabilities.values
        #expect(shares.count == table.taskCount * k)
        #expect(shares.map(\.bitPattern) == reference.map(\.bitPattern))
        #expect(shares.contains { $0 != 0 && $0 != 1 }, "the shares are not all one-hot")
        let counts = engine.scatter(shares)
        #expect(counts.map(\.bitPattern) == swiftScatter(engine, shares).map(\.bitPattern))
        var observed = [Bool](repeating: false, count: engine.rows)
        for e in engine.taskEntries { observed[Int(e)] = true }
        #expect(engine.observed == observed)
    }
}
