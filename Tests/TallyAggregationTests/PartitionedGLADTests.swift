import Foundation
import Testing
import TallyCore
@testable import TallyAggregation

/// GLAD on partitions of tasks (``PartitionedGLAD``) against ``GLAD/fit(_:)`` on the whole table.
@Suite("Partitioned GLAD: the single-machine fit from partitions")
struct PartitionedGLADTests {
    /// The partitioned fit over `parts` partitions of consecutive tasks (so the global task order
    /// is the table's), the driver adding the partitions' sums in partition order; returns the
    /// result and the reported posteriors and labels in the table's task order.
    static func fit(_ table: AnswerTable, parts count: Int, glad: GLAD = GLAD()) throws -> (PartitionedGLAD.Result, [Double], [Int32], Int) {
        let parts = try TaskPartition.split(table, parts: count)
        let (w, k) = (table.workerCount, table.labelCount)
        var starts: [Int] = [0]
        for p in parts { starts.append(starts.last! + p.taskCount) }
        var posteriors = parts.map { [Double](repeating: 0, count: $0.taskCount * k) }
        let driver = try PartitionedGLAD(glad: glad, workers: w, tasks: table.taskCount, labels: k, answers: table.answerCount)
        func eStep(_ x: [Double], labels: inout [Int32]?) throws {
            var all: [Int32] = []
            for (i, part) in parts.enumerated() {
                var l = [Int32](repeating: 0, count: part.taskCount)
                try x.withUnsafeBufferPointer { xp in
                    try posteriors[i].withUnsafeMutableBufferPointer { pp in
                        try l.withUnsafeMutableBufferPointer { lp in
                            try part.gladEStep(alphas: UnsafeBufferPointer(rebasing: xp[0..<w]),
                                               betas: UnsafeBufferPointer(rebasing: xp[(w + starts[i])..<(w + starts[i + 1])]), posteriors: pp, labels: lp)
                        }
                    }
                }
                all += l
            }
            if labels != nil { labels = all }
        }
        var failure: (any Error)?
        var passes = 0
        let result = driver.fit(eStep: { x in
            var none: [Int32]? = nil
            do { try eStep(x, labels: &none) } catch { failure = error }
        }, likelihood: { x, g in
            passes += 1
            var q = 0.0
            for (i, part) in parts.enumerated() {
                var ga = [Double](repeating: 0, count: w), gb = [Double](repeating: 0, count: part.taskCount)
                do {
                    let qi = try x.withUnsafeBufferPointer { xp in
                        try posteriors[i].withUnsafeBufferPointer { pp in
                            try ga.withUnsafeMutableBufferPointer { gap in
                                try gb.withUnsafeMutableBufferPointer { gbp in
                                    try part.gladLikelihood(alphas: UnsafeBufferPointer(rebasing: xp[0..<w]),
                                                            betas: UnsafeBufferPointer(rebasing: xp[(w + starts[i])..<(w + starts[i + 1])]),
                                                            posteriors: pp, alphaGradient: gap, betaGradient: gbp)
                                }
                            }
                        }
                    }
                    q += qi
                } catch { failure = error }
                for j in 0..<w { g[j] += ga[j] }
                for j in 0..<part.taskCount { g[w + starts[i] + j] = gb[j] }
            }
            return q
        })
        if let failure { throw failure }
        var labels: [Int32]? = []
        try eStep(result.eStepX, labels: &labels)
        return (result, posteriors.flatMap { $0 }, labels!, passes)
    }

    @Test("one partition: the same bits as GLAD.fit")
    func onePartitionSameBits() throws {
        let table = try AnswerReader.read(TestData.answersPath("act-ms")).table
        let single = try GLAD().fit(table)
        let (result, p, labels, passes) = try Self.fit(table, parts: 1)
        #expect(labels == single.labels)
        #expect(p == single.probabilities.values)
        #expect(result.lossHistory == single.lossHistory)
        #expect(Array(result.x[0..<table.workerCount]) == single.alphas)
        #expect(result.evaluations == single.evaluations)
        #expect(passes == single.evaluations)
    }

    @Test("the passes add up: posteriors bit for bit, likelihood and gradients to rounding",
          arguments: ["toy", "act-ms", "snow-rte", "bluebirds"])
    func passesAddUp(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let (w, t, k) = (table.workerCount, table.taskCount, table.labelCount)
        // Some point away from the start: α and β of a short fit.
        let x = { let m = try! GLAD(maxIterations: 2).fit(table); return m.alphas + m.betas }()
        let whole = TaskPartition(table)
        func passes(_ parts: [TaskPartition]) throws -> (p: [Double], q: Double, g: [Double]) {
            var p: [Double] = [], q = 0.0, g = [Double](repeating: 0, count: w + t), start = 0
            for part in parts {
                var post = [Double](repeating: 0, count: part.taskCount * k)
                var ga = [Double](repeating: 0, count: w), gb = [Double](repeating: 0, count: part.taskCount)
                let alphas = Array(x[0..<w]), betas = Array(x[(w + start)..<(w + start + part.taskCount)])
                try alphas.withUnsafeBufferPointer { a in
                    try betas.withUnsafeBufferPointer { b in
                        try post.withUnsafeMutableBufferPointer { try part.gladEStep(alphas: a, betas: b, posteriors: $0) }
                        q += try post.withUnsafeBufferPointer { pp in
                            try ga.withUnsafeMutableBufferPointer { gap in
                                try gb.withUnsafeMutableBufferPointer { try part.gladLikelihood(alphas: a, betas: b, posteriors: pp, alphaGradient: gap, betaGradient: $0) }
                            }
                        }
                    }
                }
                for i in 0..<w { g[i] += ga[i] }
                for j in 0..<part.taskCount { g[w + start + j] = gb[j] }
                p += post
                start += part.taskCount
            }
            return (p, q, g)
        }
        let one = try passes([whole])
        for count in [2, 5] {
            let split = try passes(try TaskPartition.split(table, parts: count))
            #expect(split.p == one.p, "\(dataset): posteriors differ")
            // The C pass vectorises over blocks of answers that start where the partition starts,
            // so a task's β-gradient may differ in its last bit.
            let beta = zip(split.g[w...], one.g[w...]).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(beta <= 1e-12, "\(dataset): β-gradients differ by \(beta)")
            #expect(abs(split.q - one.q) <= 1e-12 * abs(one.q), "\(dataset): likelihood \(split.q) vs \(one.q)")
            let alpha = zip(split.g[0..<w], one.g[0..<w]).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(alpha <= 1e-12, "\(dataset): α-gradients differ by \(alpha)")
        }
    }

    @Test("several partitions: GLAD's truncated conjugate gradient amplifies the sums' last bits, as on one machine in another row order",
          arguments: ["act-ms", "snow-rte", "bluebirds", "gal-bm"])
    func partitionsClose(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let single = try GLAD().fit(table)
        for count in [2, 5] {
            let (_, p, labels, _) = try Self.fit(table, parts: count)
            let differing = zip(labels, single.labels).filter { $0 != $1 }.count
            #expect(differing <= table.taskCount / 100, "\(dataset), \(count) partitions: \(differing) labels differ")
            let diff = zip(p, single.probabilities.values).map { abs($0 - $1) }.max() ?? 0
            #expect(diff <= 0.05, "\(dataset), \(count) partitions: probabilities differ by \(diff)")
        }
    }

    @Test("crowd-kit stopping and M-step settings carry over; bad settings and buffers are refused")
    func settingsAndErrors() throws {
        let table = try AnswerReader.read(TestData.answersPath("snow-rte")).table
        let glad = GLAD(maxIterations: 7, tolerance: 1e-9, stopping: .crowdKit, mStepMaxIterations: 10, mStepTolerance: 1e-3)
        let single = try glad.fit(table)
        let (result, p, labels, _) = try Self.fit(table, parts: 1, glad: glad)
        #expect(labels == single.labels)
        #expect(p == single.probabilities.values)
        #expect(result.lossHistory == single.lossHistory)
        #expect(throws: AggregationError.self) {
            try PartitionedGLAD(glad: GLAD(labelPriors: ["0": 0.5, "1": 0.5]), workers: 2, tasks: 2, labels: 2, answers: 4)
        }
        #expect(throws: AggregationError.self) { try PartitionedGLAD(glad: GLAD(), workers: 0, tasks: 2, labels: 2, answers: 4) }
        let part = try TaskPartition.split(table, parts: 2)[0]
        let alphas = [Double](repeating: 1, count: table.workerCount), betas = [Double](repeating: 1, count: part.taskCount + 1)
        var post = [Double](repeating: 0, count: part.taskCount * table.labelCount)
        #expect(throws: AggregationError.self) {
            try alphas.withUnsafeBufferPointer { a in
                try betas.withUnsafeBufferPointer { b in try post.withUnsafeMutableBufferPointer { try part.gladEStep(alphas: a, betas: b, posteriors: $0) } }
            }
        }
    }
}
