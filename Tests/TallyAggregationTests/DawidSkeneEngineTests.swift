import Foundation
import Testing
import TallyCore
@testable import TallyAggregation

@Suite("Dawid-Skene engine: kernels, threads and hybrid EM")
struct DawidSkeneEngineTests {
    private func maxDifference(_ a: DawidSkeneModel, _ b: DawidSkeneModel) -> Double {
        zip(a.probabilities.values, b.probabilities.values).map { abs($0 - $1) }.max() ?? 0
    }

    @Test("the C kernel and the Swift kernel agree (K = 10, act-ms)")
    func cAndSwiftAgree() throws {
        let table = try AnswerReader.read(TestData.answersPath("act-ms")).table
        var c = DawidSkeneEngine(table, mStep: .full)
        c.useCKernel = true
        var swift = DawidSkeneEngine(table, mStep: .full)
        swift.useCKernel = false
        let a = try c.run(maxIterations: 20, tolerance: 1e-5, em: .soft, initial: nil, progress: nil)
        let b = try swift.run(maxIterations: 20, tolerance: 1e-5, em: .soft, initial: nil, progress: nil)
        #expect(a.labels == b.labels)
        #expect(a.iterations == b.iterations)
        #expect(maxDifference(a, b) < 1e-9)
        #expect(zip(a.lossHistory, b.lossHistory).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    /// A crowd of 40 workers on 600 tasks, 5 answers each, K labels; worker w is right with
    /// probability 0.4 + w / 100, otherwise answers a label drawn from the task and worker.
    private func syntheticTable(labels k: Int) throws -> AnswerTable {
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(k)
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for t in 0..<600 {
            let truth = Int(next() % UInt64(k))
            for a in 0..<5 {
                let w = Int(next() % 40)
                let right = Double(next() % 1000) / 1000 < 0.4 + Double(w) / 100
                tasks.append("t\(t)")
                workers.append("w\(w)-\(a)")
                labels.append("c\(right ? truth : Int(next() % UInt64(k)))")
            }
        }
        return try AnswerTable(tasks: tasks, workers: workers, labels: labels)
    }

    @Test("the two-label C pass agrees with the Swift pass (soft and hard, with golden tasks)")
    func binaryKernelsAgree() throws {
        let table = try syntheticTable(labels: 2)
        for em in [DawidSkene.EM.soft, .hard] {
            var c = DawidSkeneEngine(table, mStep: .full)
            c.useCKernel = true
            var swift = DawidSkeneEngine(table, mStep: .full)
            swift.useCKernel = false
            let gold = (0..<table.taskCount).map { $0 % 7 == 0 ? Int32($0 % 2) : -1 }
            c.clampGold(gold)
            swift.clampGold(gold)
            let a = try c.run(maxIterations: 15, tolerance: -1e30, em: em, initial: nil, progress: nil)
            let b = try swift.run(maxIterations: 15, tolerance: -1e30, em: em, initial: nil, progress: nil)
            #expect(a.labels == b.labels)
            #expect(maxDifference(a, b) < 1e-12, "\(em)")
            #expect(zip(a.lossHistory, b.lossHistory).allSatisfy { abs($0 - $1) < 1e-12 }, "\(em)")
            #expect(zip(a.confusions.values, b.confusions.values).allSatisfy { abs($0 - $1) <= 1e-12 * max(1, abs($1)) })
        }
    }

    /// The C pass has one AVX2 copy per K from 3 to 16 (lanes of 4, partial last vector) and a
    /// generic one above; each must give the Swift pass's EM, soft and hard, with golden tasks.
    @Test("the K-specialised C passes agree with the Swift pass (K = 3 ... 17, soft and hard)",
          arguments: [3, 4, 5, 6, 7, 9, 10, 11, 13, 16, 17])
    func specialisedKernelsAgree(k: Int) throws {
        let table = try syntheticTable(labels: k)
        #expect(table.labelCount == k)
        for em in [DawidSkene.EM.soft, .hard] {
            var c = DawidSkeneEngine(table, mStep: .full)
            c.useCKernel = true
            var swift = DawidSkeneEngine(table, mStep: .full)
            swift.useCKernel = false
            let gold = (0..<table.taskCount).map { $0 % 7 == 0 ? Int32($0 % k) : -1 }
            c.clampGold(gold)
            swift.clampGold(gold)
            let a = try c.run(maxIterations: 15, tolerance: -1e30, em: em, initial: nil, progress: nil)
            let b = try swift.run(maxIterations: 15, tolerance: -1e30, em: em, initial: nil, progress: nil)
            #expect(a.labels == b.labels, "K = \(k), \(em)")
            #expect(maxDifference(a, b) < 1e-12, "K = \(k), \(em)")
            #expect(zip(a.lossHistory, b.lossHistory).allSatisfy { abs($0 - $1) < 1e-12 }, "K = \(k), \(em)")
            #expect(zip(a.priors, b.priors).allSatisfy { abs($0 - $1) < 1e-12 }, "K = \(k), \(em)")
        }
    }

    @Test("two task ranges give the one-range result (K = 2 and K = 5)", arguments: ["act-sp", "act-cf"])
    func threadsAgree(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        var one = DawidSkeneEngine(table, mStep: .full, threads: 1)
        var two = DawidSkeneEngine(table, mStep: .full, threads: 2, minimumAnswersPerThread: 100)
        #expect(two.partitions.count == 2)
        let a = try one.run(maxIterations: 100, tolerance: 1e-5, em: .soft, initial: nil, progress: nil)
        let b = try two.run(maxIterations: 100, tolerance: 1e-5, em: .soft, initial: nil, progress: nil)
        #expect(a.labels == b.labels)
        #expect(a.iterations == b.iterations)
        #expect(maxDifference(a, b) < 1e-9)
    }

    @Test("more labels than the C kernel takes (K = 70) run in Swift, finite")
    func manyLabels() throws {
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        for t in 0..<300 {
            for w in 0..<4 {
                tasks.append("t\(t)"); workers.append("w\((t + w) % 9)"); labels.append("c\((t + (w == 3 ? 1 : 0)) % 70)")
            }
        }
        let table = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        #expect(table.labelCount == 70)
        let m = try DawidSkene().fit(table)
        #expect(m.probabilities.values.allSatisfy { $0.isFinite })
        #expect(m.lossHistory.allSatisfy { $0.isFinite })
    }

    @Test("hybrid EM switches to hard and keeps iterating after the switch", arguments: ["vldb-rel", "act-ms"])
    func hybridKeepsGoing(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let m = try DawidSkene(em: .hybrid).fit(table)
        let first = try #require(m.firstHardIteration)
        #expect(m.iterations >= first + 1, "stopped at \(m.iterations), first hard iteration \(first)")
        #expect(try DawidSkene().fit(table).firstHardIteration == nil)
        #expect(try DawidSkene(em: .hard).fit(table).firstHardIteration == 1)
    }
}
