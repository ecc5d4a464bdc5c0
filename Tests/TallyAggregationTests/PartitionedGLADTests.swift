import Foundation
import Testing
import TallyCore
@testable import TallyAggregation

/// GLAD on partitions of tasks (``PartitionedGLAD``) against ``GLAD/fit(_:)`` on the whole table.
@Suite("Partitioned GLAD: the single-machine fit from partitions")
struct PartitionedGLADTests {
    /// The partitioned fit over `parts` partitions of consecutive tasks (so the global task order
    /// is the table's); returns the result and the reported posteriors and labels in the table's
    /// task order.
    static func fit(_ table: AnswerTable, parts count: Int, glad: GLAD = GLAD()) throws -> (PartitionedGLAD.Result, [Double], [Int32], Int) {
        try fit(partitions: try TaskPartition.split(table, parts: count), table: table, glad: glad)
    }

    /// The partitioned fit over `parts` (tasks numbered partition after partition in `x`), the
    /// driver adding the partitions' partials in the order `order(evaluation)` gives; returns the
    /// result, the reported posteriors and labels (partition after partition) and the passes.
    static func fit(partitions parts: [TaskPartition], table: AnswerTable, glad: GLAD = GLAD(),
                    order: (Int) -> [Int] = { _ in [] }) throws -> (PartitionedGLAD.Result, [Double], [Int32], Int) {
        let (w, k) = (table.workerCount, table.labelCount)
        var starts: [Int] = [0]
        for p in parts { starts.append(starts.last! + p.taskCount) }
        var posteriors = parts.map { [Double](repeating: 0, count: $0.taskCount * k) }
        let driver = try PartitionedGLAD(glad: glad, workers: w, tasks: starts.last!, labels: k, answers: table.answerCount)
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
            var total = GLADPartial(workers: w)
            let given = order(passes)
            passes += 1
            for i in given.isEmpty ? Array(parts.indices) : given {
                let part = parts[i]
                var gb = [Double](repeating: 0, count: part.taskCount)
                do {
                    let partial = try x.withUnsafeBufferPointer { xp in
                        try posteriors[i].withUnsafeBufferPointer { pp in
                            try gb.withUnsafeMutableBufferPointer { gbp in
                                try part.gladLikelihood(alphas: UnsafeBufferPointer(rebasing: xp[0..<w]),
                                                        betas: UnsafeBufferPointer(rebasing: xp[(w + starts[i])..<(w + starts[i + 1])]),
                                                        posteriors: pp, betaGradient: gbp)
                            }
                        }
                    }
                    // Through the limbs, as Spark ships them.
                    let limbs = partial.limbs
                    total.add(limbs.withUnsafeBufferPointer { GLADPartial(limbs: $0, workers: w) })
                } catch { failure = error }
                for j in 0..<part.taskCount { g[w + starts[i] + j] = gb[j] }
            }
            return total
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

    @Test("the passes add up bit for bit: posteriors, likelihood and both gradients",
          arguments: ["toy", "act-ms", "snow-rte", "bluebirds"])
    func passesAddUp(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let (w, t, k) = (table.workerCount, table.taskCount, table.labelCount)
        // Some point away from the start: α and β of a short fit.
        let x = { let m = try! GLAD(maxIterations: 2).fit(table); return m.alphas + m.betas }()
        let whole = TaskPartition(table)
        func passes(_ parts: [TaskPartition]) throws -> (p: [Double], partial: GLADPartial, g: [Double]) {
            var p: [Double] = [], total = GLADPartial(workers: w), g = [Double](repeating: 0, count: t), start = t
            for part in parts.reversed() {  // the partials in reverse order: integer sums
                start -= part.taskCount
                var post = [Double](repeating: 0, count: part.taskCount * k)
                var gb = [Double](repeating: 0, count: part.taskCount)
                let alphas = Array(x[0..<w]), betas = Array(x[(w + start)..<(w + start + part.taskCount)])
                try alphas.withUnsafeBufferPointer { a in
                    try betas.withUnsafeBufferPointer { b in
                        try post.withUnsafeMutableBufferPointer { try part.gladEStep(alphas: a, betas: b, posteriors: $0) }
                        total.add(try post.withUnsafeBufferPointer { pp in
                            try gb.withUnsafeMutableBufferPointer { try part.gladLikelihood(alphas: a, betas: b, posteriors: pp, betaGradient: $0) }
                        })
                    }
                }
                for j in 0..<part.taskCount { g[start + j] = gb[j] }
                p = post + p
            }
            return (p, total, g)
        }
        let one = try passes([whole])
        #expect(one.partial.likelihood.isFinite && one.partial.likelihood < 0)
        for count in [2, 5] {
            let split = try passes(try TaskPartition.split(table, parts: count))
            #expect(split.p == one.p, "\(dataset): posteriors differ")
            #expect(split.partial == one.partial, "\(dataset): likelihood or α-gradients differ")
            #expect(split.g == one.g, "\(dataset): β-gradients differ")
        }
    }

    @Test("any partitioning and row order: GLAD.fit's bits (1, 3 and 7 partitions, tasks dealt at random, answers shuffled)",
          arguments: ["toy", "snow-rte", "bluebirds", "gal-bm"])
    func anyPartitioning(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let single = try GLAD().fit(table)
        let k = table.labelCount
        for count in [1, 3, 7] {
            var rng = SplitMix64(seed: UInt64(count) &* 7919 &+ UInt64(table.answerCount))
            let (parts, globalTask) = try Self.shuffledPartitions(table, parts: count, using: &rng)
            let (result, p, labels, _) = try Self.fit(partitions: parts, table: table, order: { e in
                // The partials added in a different order at every evaluation.
                var o = Array(parts.indices); o.shuffle(using: &rng); return e % 2 == 0 ? o : o.reversed()
            })
            var differing = 0, maxDiff = 0.0, samePosteriors = true
            for (local, t) in globalTask.enumerated() {
                if labels[local] != single.labels[t] { differing += 1 }
                for c in 0..<k {
                    let a = p[local * k + c], b = single.probabilities.values[t * k + c]
                    if a.bitPattern != b.bitPattern { samePosteriors = false; maxDiff = max(maxDiff, abs(a - b)) }
                }
            }
            #expect(differing == 0, "\(dataset), \(count) partitions: \(differing) labels differ")
            #expect(samePosteriors, "\(dataset), \(count) partitions: probabilities differ by up to \(maxDiff)")
            #expect(result.lossHistory == single.lossHistory, "\(dataset), \(count) partitions: loss history differs")
            #expect(Array(result.x[0..<table.workerCount]) == single.alphas, "\(dataset), \(count) partitions: abilities differ")
            #expect(result.evaluations == single.evaluations)
        }
    }

    @Test("one machine, rows shuffled (workers and tasks renumbered): the same bits", arguments: ["snow-rte", "gal-bm"])
    func shuffledRows(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let single = try GLAD().fit(table)
        var rng = SplitMix64(seed: 18)
        var rows = Array(0..<table.answerCount)
        rows.shuffle(using: &rng)
        let shuffled = try AnswerTable(tasks: rows.map { table.tasks.names[Int(table.task[$0])] },
                                       workers: rows.map { table.workers.names[Int(table.worker[$0])] },
                                       labels: rows.map { table.labels.names[Int(table.label[$0])] })
        #expect(shuffled.tasks.names != table.tasks.names, "the shuffle renumbers the tasks")
        let other = try GLAD().fit(shuffled)
        var same = true
        for t in 0..<table.taskCount {
            let u = Int(try #require(shuffled.tasks.lookup(table.tasks.names[t])))
            if other.labels[u] != single.labels[t] { same = false }
            for c in 0..<table.labelCount where other.probabilities.values[u * table.labelCount + c].bitPattern != single.probabilities.values[t * table.labelCount + c].bitPattern { same = false }
        }
        #expect(same, "\(dataset): labels or probabilities differ after shuffling the rows")
        #expect(other.lossHistory == single.lossHistory)
        for w in 0..<table.workerCount {
            let v = Int(try #require(shuffled.workers.lookup(table.workers.names[w])))
            #expect(other.alphas[v] == single.alphas[w])
        }
    }

    /// `table`'s tasks dealt at random into `parts` partitions, each partition's tasks and answers
    /// in a random order (global worker and label ids); with the table's id of each task, partition
    /// after partition.
    static func shuffledPartitions(_ table: AnswerTable, parts count: Int, using rng: inout SplitMix64) throws -> ([TaskPartition], [Int]) {
        var dealt = [[Int]](repeating: [], count: count)
        for t in 0..<table.taskCount { dealt[Int(rng.next() % UInt64(count))].append(t) }
        var parts: [TaskPartition] = [], globalTask: [Int] = []
        for tasks in dealt where !tasks.isEmpty {
            var rows: [(Int, Int)] = []  // (table task, entry)
            for t in tasks { for i in table.byTask.range(of: t) { rows.append((t, Int(table.byTask.entries[i]))) } }
            rows.shuffle(using: &rng)
            var local: [Int: Int32] = [:]
            var task: [Int32] = [], worker: [Int32] = [], label: [Int32] = []
            for (t, e) in rows {
                if local[t] == nil { local[t] = Int32(local.count); globalTask.append(t) }
                task.append(local[t]!)
                worker.append(Int32(e / table.labelCount))
                label.append(Int32(e % table.labelCount))
            }
            parts.append(try TaskPartition(task: task, worker: worker, label: label, taskCount: tasks.count,
                                           workerCount: table.workerCount, labelCount: table.labelCount))
        }
        return (parts, globalTask)
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
