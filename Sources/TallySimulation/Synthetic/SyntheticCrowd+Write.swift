import Dispatch
import Foundation
import TallyCore

extension SyntheticCrowd {
    /// Tasks per record batch: about a million answers.
    var tasksPerBatch: Int { max(1, (1 << 20) / overlap) }

    /// Draws the crowd into `folder` (made if missing): `answers.arrow` (task, worker and label
    /// dictionary-encoded: `t0…`, `w0…`, `c0…`), `gold.tsv` (every task's true class) and
    /// `workers.tsv` (each worker's accuracy, whether a spammer, and for ``Model/confusion`` the
    /// matrix, `p_cT_cA` = P(answer cA | truth cT)). Record batches are drawn on `threads` threads;
    /// the bytes do not depend on it. `sync: false` skips flushing the Arrow file to disk.
    ///
    /// - Throws: ``InputError`` for impossible settings (``problem``), ``AtomicFile/WriteError``
    ///   when a file cannot be written.
    public func write(to folder: String, threads: Int = ExecutionSettings.defaultThreads, sync: Bool = true) throws -> Summary {
        if let problem { throw InputError(.invalidValue, file: folder, problem) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let start = ContinuousClock.now
        let crowd = drawWorkers()
        let per = tasksPerBatch
        let batches = (tasks + per - 1) / per
        let rows = (0..<batches).map { min(per, tasks - $0 * per) * overlap }
        let labelNames = (0..<classes).map { "c\($0)" }
        let writer = try ArrowAnswerWriter(path: folder + "/answers.arrow", tasks: ArrowNames(prefix: "t", count: tasks),
                                           workers: ArrowNames(prefix: "w", count: workers),
                                           labels: .dictionary(ArrowNames(Interner(labelNames))), batchRows: rows,
                                           threads: max(1, threads))
        final class Shared: @unchecked Sendable {
            var errors: [(any Error)?]
            var correct: [Int]
            init(_ n: Int) { errors = Array(repeating: nil, count: n); correct = Array(repeating: 0, count: n) }
        }
        let parallel = max(1, min(threads, batches))
        let shared = Shared(parallel)
        let thresholds = crowd.thresholds, prior = priorThresholds
        let me = self
        DispatchQueue.concurrentPerform(iterations: parallel) { part in
            let n = per * me.overlap
            let task = UnsafeMutablePointer<Int32>.allocate(capacity: n)
            let worker = UnsafeMutablePointer<Int32>.allocate(capacity: n)
            let label = UnsafeMutablePointer<Int32>.allocate(capacity: n)
            defer { task.deallocate(); worker.deallocate(); label.deallocate() }
            var correct = 0
            do {
                for b in stride(from: part, to: batches, by: parallel) {
                    correct += me.draw(batch: b, thresholds: thresholds, prior: prior, task: task, worker: worker, label: label)
                    let bytes = 4 * rows[b]
                    try writer.write(batch: b, column: 0, firstRow: 0, UnsafeRawBufferPointer(start: task, count: bytes))
                    try writer.write(batch: b, column: 1, firstRow: 0, UnsafeRawBufferPointer(start: worker, count: bytes))
                    try writer.write(batch: b, column: 2, firstRow: 0, UnsafeRawBufferPointer(start: label, count: bytes))
                }
            } catch {
                shared.errors[part] = error
            }
            shared.correct[part] = correct
        }
        if let error = shared.errors.compactMap({ $0 }).first {
            writer.discard()
            throw error
        }
        let drawn = ContinuousClock.now
        try writer.finish(sync: sync)
        let flushed = ContinuousClock.now
        try writeGold(folder + "/gold.tsv", prior: prior, names: labelNames, threads: parallel)
        try AtomicFile.write(workersTable(crowd, names: labelNames), to: folder + "/workers.tsv")
        return Summary(answers: tasks * overlap, answerSeconds: (drawn - start).seconds, flushSeconds: (flushed - drawn).seconds,
                       truthSeconds: (ContinuousClock.now - flushed).seconds,
                       answerAccuracy: Double(shared.correct.reduce(0, +)) / Double(tasks * overlap))
    }

    /// Draws record batch `b` into the three columns; returns how many answers are right.
    private func draw(batch b: Int, thresholds: [UInt64], prior: [UInt64],
                      task: UnsafeMutablePointer<Int32>, worker: UnsafeMutablePointer<Int32>, label: UnsafeMutablePointer<Int32>) -> Int {
        let first = b * tasksPerBatch, count = min(tasksPerBatch, tasks - first)
        let k = classes, r = overlap, w64 = UInt64(workers)
        var correct = 0
        var row = 0
        thresholds.withUnsafeBufferPointer { thr in
            prior.withUnsafeBufferPointer { prior in
                for t in first..<first + count {
                    let truth = SyntheticCrowd.truth(t, seed: seed, prior: prior.baseAddress!, classes: k)
                    var rng = SplitMix64(seed: SyntheticCrowd.key(seed, 0x5441_534B, UInt64(t)))
                    let rowStart = row
                    for _ in 0..<r {
                        var x: UInt64, w: Int32
                        repeat {
                            x = rng.next()
                            w = Int32(truncatingIfNeeded: ((x & 0xFFFF_FFFF) &* w64) >> 32)
                            var seen = false
                            for j in rowStart..<row where worker[j] == w { seen = true; break }
                            if !seen { break }
                        } while true
                        let u = x >> 32
                        let base = (Int(w) * k + truth) * k
                        var c = 0
                        while c < k - 1 && u >= thr[base + c] { c += 1 }
                        task[row] = Int32(truncatingIfNeeded: t)
                        worker[row] = w
                        label[row] = Int32(truncatingIfNeeded: c)
                        if c == truth { correct += 1 }
                        row += 1
                    }
                }
            }
        }
        return correct
    }

    /// `gold.tsv`: `task<TAB>label` for every task, formatted in chunks on `threads` threads.
    private func writeGold(_ path: String, prior: [UInt64], names: [String], threads: Int) throws {
        let out = try AtomicOutputFile(path: path)
        do {
            try out.append(Array("task\tlabel\n".utf8))
            let chunk = 1 << 20
            let chunks = (tasks + chunk - 1) / chunk
            let labelBytes = names.map { Array($0.utf8) }
            final class Buffers: @unchecked Sendable { var parts: [[UInt8]] = [] }
            var wave = 0
            while wave < chunks {
                let n = min(threads, chunks - wave)
                let buffers = Buffers()
                buffers.parts = Array(repeating: [], count: n)
                let me = self, first = wave
                DispatchQueue.concurrentPerform(iterations: n) { i in
                    let c = first + i
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(chunk * 16)
                    let scratch = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)
                    defer { scratch.deallocate() }
                    prior.withUnsafeBufferPointer { prior in
                        for t in c * chunk..<min(me.tasks, (c + 1) * chunk) {
                            bytes.append(UInt8(ascii: "t"))
                            bytes.append(contentsOf: SyntheticCrowd.decimal(t, scratch))
                            bytes.append(9)
                            bytes.append(contentsOf: labelBytes[SyntheticCrowd.truth(t, seed: me.seed, prior: prior.baseAddress!, classes: me.classes)])
                            bytes.append(10)
                        }
                    }
                    buffers.parts[i] = bytes
                }
                for part in buffers.parts { try out.append(part) }
                wave += n
            }
            try out.commit()
        } catch {
            out.discard()
            throw error
        }
    }

    private static func decimal(_ v: Int, _ scratch: UnsafeMutableRawPointer) -> UnsafeRawBufferPointer {
        var n = 0, m = v
        repeat {
            scratch.storeBytes(of: UInt8(ascii: "0") + UInt8(m % 10), toByteOffset: 23 - n, as: UInt8.self)
            m /= 10
            n += 1
        } while m > 0
        return UnsafeRawBufferPointer(start: scratch + 24 - n, count: n)
    }

    /// `workers.tsv`: worker, accuracy (mean of the diagonal), spammer, and the matrix for confusion crowds.
    private func workersTable(_ crowd: Workers, names: [String]) -> [UInt8] {
        var text = "worker\taccuracy\tspammer"
        let k = classes
        if model == .confusion {
            for t in 0..<k { for a in 0..<k { text += "\tp_\(names[t])_\(names[a])" } }
        }
        text += "\n"
        var bytes = Array(text.utf8)
        for w in 0..<workers {
            var line = "w\(w)\t\(crowd.accuracy[w])\t\(crowd.spammer[w] ? 1 : 0)"
            if model == .confusion {
                for i in 0..<k * k { line += "\t\(crowd.probabilities[w * k * k + i])" }
            }
            line += "\n"
            bytes += Array(line.utf8)
        }
        return bytes
    }
}
