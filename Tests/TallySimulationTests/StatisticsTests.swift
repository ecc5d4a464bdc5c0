import Foundation
import Testing
import TallyQualityControl
@testable import TallySimulation

/// Observed behaviour against the model's parameters, with fixed seeds and stated tolerances.
@Suite struct StatisticsTests {
    @Test func oneCoinAccuracyMatchesParameter() throws {
        // One-coin p = 0.8, no rules: every answer is an independent Bernoulli(0.8) → within 4 standard errors.
        let s = Scenarios.simple(tasks: 3000, types: [WorkerType(share: 1, .oneCoin(accuracy: .fixed(0.8)))])
        let r = try PoolSimulator.run(s, seed: 11)
        let (t, _, l) = r.acceptedAnswers()
        let correct = zip(t, l).filter { r.taskLabels[Int($0.0)] == $0.1 }.count
        let n = Double(t.count), p = Double(correct) / n
        let se = (0.8 * 0.2 / n).squareRoot()
        #expect(t.count >= 8000)
        #expect(abs(p - 0.8) < 4 * se, "observed \(p) over \(t.count) answers")
    }

    @Test(arguments: [WorkerType.Model.uniformSpammer, .adversarial(strength: .fixed(1)), .glad(ability: .fixed(1.5)), .fastCheater])
    func typeAccuracyMatchesExpectation(_ model: WorkerType.Model) throws {
        var s = Scenarios.simple(tasks: 2000, types: [WorkerType(share: 1, model)])
        s.labels = ["a", "b", "c"]
        let r = try PoolSimulator.run(s, seed: 5)
        let (t, _, l) = r.acceptedAnswers()
        let p = Double(zip(t, l).filter { r.taskLabels[Int($0.0)] == $0.1 }.count) / Double(t.count)
        let expected = r.expectedAccuracy(of: 0)
        let se = (max(expected * (1 - expected), 1e-4) / Double(t.count)).squareRoot()
        #expect(abs(p - expected) < 4 * se + 1e-12, "\(model.kindName): observed \(p), expected \(expected)")
    }

    @Test func poissonArrivalRate() throws {
        // 120 arrivals per hour, pool never completes in the window: count arrivals in 50 hours.
        var s = Scenarios.simple(tasks: 100_000, overlap: 1, arrivals: 120)
        s.simulation.maxDurationSeconds = 50 * 3600
        s.crowd.activity = .fixed(1)
        let r = try PoolSimulator.run(s, seed: 3)
        let n = Double(r.workerCount), mean = 120.0 * 50
        #expect(abs(n - mean) < 4 * mean.squareRoot(), "\(n) arrivals, expected \(mean) ± \(4 * mean.squareRoot())")
        // Gaps are exponential: their coefficient of variation is 1 (± 0.05 at 6000 gaps).
        let gaps = zip(r.workerArrivalMilliseconds.dropFirst(), r.workerArrivalMilliseconds).map { Double($0 - $1) }
        let m = gaps.reduce(0, +) / Double(gaps.count)
        let sd = (gaps.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(gaps.count - 1)).squareRoot()
        #expect(abs(sd / m - 1) < 0.05)
    }

    @Test func goldenShareFollowsMixer() throws {
        let s = Scenarios.simple(tasks: 500, real: 3, golden: 2, goldenCount: 40)
        let r = try PoolSimulator.run(s, seed: 8)
        for a in 0..<r.assignmentCount {
            let first = Int(r.assignmentSlotStart[a]), n = Int(r.assignmentSlotCount[a])
            let golden = (first..<first + n).filter { r.slotKind[$0] == 1 }.count
            #expect(golden == 2)
            #expect(n - golden <= 3 && n - golden >= 1)
        }
        #expect(r.summary().assignments.controlShare! > 0.39)
    }

    @Test func fixedOverlapHonouredAndGoldenNeverRepeated() throws {
        let s = try Scenarios.load("audio-gender")
        for seed: UInt64 in [1, 2, 3] {
            let r = try PoolSimulator.run(s, seed: seed)
            var answers = [Int](repeating: 0, count: r.taskLabels.count)
            var seen = Set<String>()
            for a in 0..<r.assignmentCount where [.submitted, .accepted, .rejected].contains(r.assignmentStatus[a]) {
                let first = Int(r.assignmentSlotStart[a])
                for sl in first..<first + Int(r.assignmentSlotCount[a]) {
                    if r.slotKind[sl] == 0 { answers[Int(r.slotTask[sl])] += 1 }
                }
            }
            for a in 0..<r.assignmentCount {
                let first = Int(r.assignmentSlotStart[a])
                for sl in first..<first + Int(r.assignmentSlotCount[a]) where r.slotKind[sl] == 1 {
                    #expect(seen.insert("\(r.assignmentWorker[a]) \(r.slotTask[sl])").inserted, "a control task shown twice to one worker")
                }
            }
            for t in answers.indices where r.taskResolvedMilliseconds[t] >= 0 { #expect(answers[t] == 3) }
            #expect(r.closeReason == .completed)
        }
    }

    @Test func goldenCapLimitsSuitesPerWorker() throws {
        // 5 control tasks, 1 per suite: no worker can do more than 5 suites.
        var s = Scenarios.simple(tasks: 400, goldenCount: 5)
        s.crowd.activity = .fixed(50)
        let r = try PoolSimulator.run(s, seed: 2)
        var perWorker = [Int](repeating: 0, count: r.workerCount)
        for a in 0..<r.assignmentCount { perWorker[Int(r.assignmentWorker[a])] += 1 }
        #expect(perWorker.max()! <= 5)
    }

    @Test func dynamicOverlapStaysWithinBounds() throws {
        let r = try PoolSimulator.run(try Scenarios.load("dynamic-overlap"), seed: 4)
        #expect(r.taskOverlap.allSatisfy { (2...5).contains($0) })
        #expect(r.taskOverlap.contains { $0 > 2 })
    }

    @Test func recompletionAddsAnswersForBannedWorkers() throws {
        let r = try PoolSimulator.run(try Scenarios.load("mixed-crowd"), seed: 3)
        let sum = r.summary()
        #expect(sum.workers.banned > 0)
        #expect(r.taskOverlap.contains { $0 > 3 })
        #expect(sum.assignments.rejected > 0)
        #expect(abs(sum.cost.total - (sum.cost.real + sum.cost.golden + sum.cost.wasted)) < 1e-9)
        #expect(sum.spam.leakRate! < 1)
    }
}
