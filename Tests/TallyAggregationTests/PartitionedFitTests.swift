import Foundation
import Testing
import TallyCore
@testable import TallyAggregation

/// EM as sufficient statistics: a table cut into partitions of whole tasks gives the statistics
/// and the fit of the whole table.
@Suite("Partitioned fit: statistics add up, fits match one machine")
struct PartitionedFitTests {
    /// Element-wise sum of the partitions' statistics of one pass.
    private func sum(_ parts: [TaskPartition], _ pass: PartitionPass, _ parameters: [Double]) throws -> [Double] {
        var total: [Double]?
        for part in parts {
            let s = try part.run(pass, parameters: parameters).statistics
            total = total.map { zip($0, s).map(+) } ?? s
        }
        return total!
    }

    /// Runs a partitioned fit to the end; returns it with the reported posteriors and labels in
    /// the table's task order (partitions hold consecutive tasks).
    private func fit(_ method: PartitionedFit.Method, _ parts: [TaskPartition], workers: Int, labels: Int,
                     maxIterations: Int = 100, em: DawidSkene.EM = .soft) throws -> (PartitionedFit, [Double], [Int32]) {
        let driver = try PartitionedFit(method: method, maxIterations: maxIterations, em: em, workers: workers, labels: labels)
        while !driver.done { try driver.update(try sum(parts, driver.pass, driver.parameters)) }
        var p: [Double] = [], l: [Int32] = []
        for part in parts {
            let r = try part.run(driver.pass, parameters: driver.parameters, posteriors: true)
            p += r.posteriors!
            l += r.labels!
        }
        return (driver, p, l)
    }

    private func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).map { abs($0 - $1) / max(1, abs($0), abs($1)) }.max() ?? 0
    }

    @Test("counts from partitions add up to the whole table's (integers exactly, sums within float order)",
          arguments: ["toy", "act-ms", "snow-rte"])
    func countsAddUp(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let (w, k) = (table.workerCount, table.labelCount)
        let whole = [TaskPartition(table)]
        for parts in [2, 5] {
            let split = try TaskPartition.split(table, parts: parts)
            #expect(split.count > 1)
            #expect(split.map(\.answerCount).reduce(0, +) == table.answerCount)
            // Start: counts and prior sums within summation order; answers per row, tasks and answers exactly.
            let a = try sum(split, .start, []), b = try sum(whole, .start, [])
            let table3 = w * k * k
            #expect(Array(a[(table3 + k)...]) == Array(b[(table3 + k)...]))
            #expect(relativeDifference(Array(a[..<(table3 + k)]), Array(b[..<(table3 + k)])) < 1e-12)
            #expect(b[table3..<(table3 + k)].reduce(0, +).rounded() == Double(table.taskCount))
            // An E-step with the parameters after the first M-step.
            let driver = try PartitionedFit(method: .ds, workers: w, labels: k)
            try driver.update(b)
            let e1 = try sum(split, .eStep, driver.parameters), e2 = try sum(whole, .eStep, driver.parameters)
            #expect(relativeDifference(e1, e2) < 1e-12)
            #expect(Array(e1.suffix(2)) == [Double(table.taskCount), Double(table.answerCount)])
            // Votes: agreement counts are integers and add up exactly.
            #expect(try sum(split, .vote, []) == sum(whole, .vote, []))
        }
    }

    @Test("ds, onecoin-ds, mv and wawa on partitions match the registry's fit on one machine",
          arguments: ["toy", "act-ms", "snow-rte", "snow-temp", "bluebirds", "gal-bm"])
    func fitsMatch(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let parts = try TaskPartition.split(table, parts: 4)
        for method in PartitionedFit.Method.allCases {
            let single = try MethodRegistry.method(named: method.rawValue).fit(table)
            let (driver, p, labels) = try fit(method, parts, workers: table.workerCount, labels: table.labelCount)
            #expect(labels == single.labels, "\(dataset) \(method.rawValue): labels differ")
            let diff = zip(p, single.probabilities.values).map { abs($0 - $1) }.max() ?? 0
            #expect(diff < 1e-9, "\(dataset) \(method.rawValue): probabilities differ by \(diff)")
            #expect(driver.iterations == single.iterations, "\(dataset) \(method.rawValue): iterations")
            if let s = single.skills, let d = driver.skills {
                #expect(zip(s, d).allSatisfy { $0.isNaN && $1.isNaN || abs($0 - $1) < 1e-9 }, "\(dataset) \(method.rawValue): skills")
            } else {
                #expect(single.skills == nil && (driver.skills == nil || method == .ds), "\(dataset) \(method.rawValue): skills presence")
            }
            if let c = single.confusions {
                #expect(relativeDifference(c.values, driver.confusion!) < 1e-9, "\(dataset) \(method.rawValue): confusions")
            }
        }
    }

    @Test("hard and hybrid EM and max-iterations 0 on partitions match one machine")
    func emVariants() throws {
        let table = try AnswerReader.read(TestData.answersPath("act-ms")).table
        let parts = try TaskPartition.split(table, parts: 3)
        for (em, iterations) in [(DawidSkene.EM.hard, 100), (.hybrid, 100), (.soft, 0), (.soft, 1)] {
            let single = try DawidSkene(maxIterations: iterations, em: em).fit(table)
            let (driver, p, labels) = try fit(.ds, parts, workers: table.workerCount, labels: table.labelCount, maxIterations: iterations, em: em)
            #expect(labels == single.labels)
            #expect((zip(p, single.probabilities.values).map { abs($0 - $1) }.max() ?? 0) < 1e-9)
            #expect(driver.iterations == single.iterations)
            #expect(driver.firstHardIteration == single.firstHardIteration)
        }
    }

    @Test("bad codes and wrong vector lengths are refused with the answer and the column named")
    func badInput() throws {
        #expect(throws: InputError.self) { try TaskPartition(task: [0, 1], worker: [0, 5], label: [0, 0], taskCount: 2, workerCount: 3, labelCount: 2) }
        #expect(throws: InputError.self) { try TaskPartition(task: [0, 2], worker: [0, 1], label: [0, 0], taskCount: 3, workerCount: 3, labelCount: 2) }
        do {
            _ = try TaskPartition(task: [0, 0], worker: [0, 1], label: [0, 9], taskCount: 1, workerCount: 3, labelCount: 2)
            Issue.record("a label code out of range was accepted")
        } catch let e as InputError {
            #expect(e.description.contains("answer 1") && e.description.contains("label"))
        }
        let part = try TaskPartition(task: [0, 0], worker: [0, 1], label: [0, 1], taskCount: 1, workerCount: 2, labelCount: 2)
        #expect(throws: AggregationError.self) { try part.run(.eStep, parameters: [1, 2, 3]) }
        let driver = try PartitionedFit(method: .mv, workers: 2, labels: 2)
        #expect(throws: AggregationError.self) { try driver.update([1]) }
        #expect(throws: AggregationError.self) { try PartitionedFit(method: .ds, maxIterations: -1, workers: 2, labels: 2) }
    }
}
