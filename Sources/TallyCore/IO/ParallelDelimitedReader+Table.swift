#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

extension ParallelDelimitedReader {
    /// The table from the parsed chunks, its columns and its task view written in one pass per
    /// chunk, all chunks at once.
    ///
    /// Worker and label names are merged first (into the first chunk's interners, in chunk order:
    /// small), so each chunk's local ids map straight to the table's ids, labels already in
    /// ``LabelSet`` order. The task names are interned by partitions (``PartitionedKeys``), which
    /// also counts each name's answers; the prefix sums of those counts are the task view's
    /// offsets (a stable counting sort with no second counting pass, whose scatter is split over
    /// the threads by task halves). Then every chunk, on its own thread, reads its answers once in
    /// order: the task id from its buckets, the worker and label ids through the maps, writes the
    /// three columns and counts its workers' answers (the worker view's offsets; its entries are
    /// deferred, as ``AnswerTableViews`` defers them); and each thread scatters the fused entries of
    /// its half of the tasks into the task view.
    /// The repeated (task, worker) pairs are counted over the task view by task ranges, one per
    /// thread (``DuplicateReport/init(offsets:entries:labelCount:workerCount:tasks:workers:threads:)``).
    ///
    /// Ids, columns, views and the duplicate report are exactly those of a one-thread read.
    static func assemble(_ chunks: [Chunk], file: MappedFile, path: String, threads: Int) throws -> AnswerTable {
        var starts = [0]
        for chunk in chunks { starts.append(starts.last! + chunk.keys.answers) }
        let answerStarts = starts
        let total = starts.last!
        guard total > 0 else { throw InputError(.noAnswers, file: path, "no answers: the file has a header but no answer rows") }

        // Worker and label names: the first chunk's interners (moved out: adding copies nothing),
        // then the other chunks' names in chunk order. maps[c]: chunk c's local id → table id.
        var workers = chunks[0].workers, labels = chunks[0].labels
        chunks[0].workers = Interner()
        chunks[0].labels = Interner()
        var workerMaps: [[Int32]] = [Array(0..<Int32(workers.count))]
        var rawLabelMaps: [[Int32]] = [Array(0..<Int32(labels.count))]
        for chunk in chunks.dropFirst() {
            workerMaps.append(remap(chunk.workers, into: &workers, threads: threads))
            rawLabelMaps.append(remap(chunk.labels, into: &labels, threads: 1))
            chunk.workers = Interner()
            chunk.labels = Interner()
        }
        let labelSet = LabelSet(labels.names)
        let k = labelSet.count
        let order = labels.names.map { Int32(labelSet.index(of: $0)!) }
        let labelMaps = rawLabelMaps.map { $0.map { order[Int($0)] } }
        phase("remap")

        let (tasks, counts) = PartitionedKeys.intern(chunks.map(\.keys), answerStarts: answerStarts, file: file.base, threads: threads)
        defer { counts.deallocate() }
        phase("tasks")
        guard (tasks.count + 1) * k < Int(Int32.max), (workers.count + 1) * k < Int(Int32.max) else {
            throw InputError(.tooLarge, file: path, "\(tasks.count) tasks × \(k) labels exceed the 2^31 fused-index limit")
        }
        let taskCount = tasks.count, workerCount = workers.count, parts = chunks.count
        // The task view's offsets, and a copy as the counting sort's cursors (32 bits when the
        // answers fit).
        let narrow = total <= Int(UInt32.max)
        let cursor32 = UnsafeMutablePointer<UInt32>.allocate(capacity: narrow ? max(1, taskCount) : 1)
        let cursor64 = UnsafeMutablePointer<Int>.allocate(capacity: narrow ? 1 : max(1, taskCount))
        defer { cursor32.deallocate(); cursor64.deallocate() }
        let offsets: [Int] = FreshArray.uninitialized(taskCount + 1) { o in
            var running = 0
            for t in 0..<taskCount {
                o[t] = running
                if narrow { cursor32[t] = UInt32(truncatingIfNeeded: running) } else { cursor64[t] = running }
                running += Int(counts[t])
            }
            o[taskCount] = running
        }
        // Answers per worker, per chunk.
        let workerCounts = chunks.map { _ in
            let p = UnsafeMutablePointer<Int>.allocate(capacity: max(1, workerCount))
            p.initialize(repeating: 0, count: max(1, workerCount))
            return p
        }
        defer { for p in workerCounts { p.deallocate() } }
        phase("offsets")

        // The columns: one chunk per thread, in answer order.
        var task: [Int32] = [], worker: [Int32] = [], label: [Int32] = []
        let maps = UncheckedSendable((workerMaps, labelMaps, workerCounts))
        // Plain allocations, as the reader's columns always were: under memory pressure, asking
        // for huge pages here cost more system time (compaction) than it saved.
        task = Self.column(total) { taskOut in
            worker = Self.column(total) { workerOut in
                label = Self.column(total) { labelOut in
                    let out = UncheckedSendable((taskOut.baseAddress!, workerOut.baseAddress!, labelOut.baseAddress!))
                    DispatchQueue.concurrentPerform(iterations: parts) { c in
                        let (workerMaps, labelMaps, workerCounts) = maps.value
                        let (t, w, l) = out.value
                        let start = answerStarts[c]
                        fill(chunks[c], workerMap: workerMaps[c], labelMap: labelMaps[c], workerCounts: workerCounts[c],
                             task: t + start, worker: w + start, label: l + start)
                    }
                }
            }
        }
        phase("columns")
        // The task view: each thread scatters the answers of its own range of tasks (about half
        // the answers; no cache line of the entries or cursors is written by both), then counts
        // that range's repeated pairs.
        let bounds = DuplicateReport.bounds(offsets, threads: threads)
        let ranges = bounds.count - 1
        let results = (0..<ranges).map { _ in DuplicatePart() }
        let entries: [Int32] = FreshArray.uninitialized(total) { entryOut in
            let shared = UncheckedSendable((task, worker, label, offsets, entryOut.baseAddress!, cursor32, cursor64))
            let run: @Sendable (Int) -> Void = { r in
                let (task, worker, label, offsets, e, cursor32, cursor64) = shared.value
                let range = bounds[r]..<bounds[r + 1]
                if narrow {
                    scatter(task, worker, label, k: Int32(k), tasks: range, cursor: cursor32, into: e)
                } else {
                    scatter(task, worker, label, k: Int32(k), tasks: range, cursor: cursor64, into: e)
                }
                offsets.withUnsafeBufferPointer { o in
                    DuplicateReport.count(o, UnsafeBufferPointer(start: e, count: total), labelCount: k, tasks: range,
                                          workerCount: workerCount, into: results[r])
                }
            }
            if ranges > 1 { DispatchQueue.concurrentPerform(iterations: ranges, execute: run) } else { run(0) }
        }
        var workerOffsets = [Int](repeating: 0, count: workerCount + 1)
        for w in 0..<workerCount {
            var n = 0
            for p in workerCounts { n += p[w] }
            workerOffsets[w + 1] = workerOffsets[w] + n
        }
        let duplicates = DuplicateReport(results, tasks: tasks, workers: workers)
        defer { phase("table") }
        return AnswerTable(tasks: tasks, workers: workers, labels: labelSet, task: task, worker: worker, label: label,
                           byTask: CSRView(offsets: offsets, entries: entries, labelCount: k),
                           byWorker: CSRView.deferred(rows: worker, offsets: workerOffsets, other: task, label: label, labelCount: k),
                           duplicates: duplicates)
    }

    /// An array of `count` ids, every one of which `fill` writes.
    private static func column(_ count: Int, _ fill: (UnsafeMutableBufferPointer<Int32>) -> Void) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: count) { buffer, n in
            fill(buffer)
            n = count
        }
    }

    /// The stable counting sort's scatter restricted to the tasks in `range`: every answer is
    /// read in order, and those of the range go to their task's cursor (branch-free: the others
    /// are written to a scratch slot and leave the cursors as they were).
    private static func scatter<Cursor: FixedWidthInteger>(_ task: [Int32], _ worker: [Int32], _ label: [Int32], k: Int32, tasks range: Range<Int>,
                                                           cursor: UnsafeMutablePointer<Cursor>, into entries: UnsafeMutablePointer<Int32>) {
        guard !range.isEmpty else { return }
        let lo = UInt32(truncatingIfNeeded: range.lowerBound), width = UInt32(truncatingIfNeeded: range.count)
        var scratch: Int32 = 0
        withUnsafeMutablePointer(to: &scratch) { scratch in
            task.withUnsafeBufferPointer { t in
                worker.withUnsafeBufferPointer { w in
                    label.withUnsafeBufferPointer { l in
                        let home = range.lowerBound
                        for i in 0..<t.count {
                            let id = t[i]
                            let mine = UInt32(bitPattern: id) &- lo < width
                            let at = mine ? Int(id) : home
                            let slot = cursor[at]
                            cursor[at] = mine ? slot &+ 1 : slot
                            let target = mine ? entries + Int(slot) : scratch
                            target.pointee = w[i] &* k &+ l[i]
                        }
                    }
                }
            }
        }
    }

    /// One chunk's share of the columns: its answers in order, their ids written at `task`,
    /// `worker` and `label` (the chunk's first answer's slots), each worker's answers counted.
    /// Frees the chunk's local id columns and its task buckets.
    private static func fill(_ chunk: Chunk, workerMap: [Int32], labelMap: [Int32], workerCounts: UnsafeMutablePointer<Int>,
                             task: UnsafeMutablePointer<Int32>, worker: UnsafeMutablePointer<Int32>, label: UnsafeMutablePointer<Int32>) {
        let ids = ChunkIDs(chunk.keys)
        defer { ids.deallocate() }
        let n = chunk.keys.answers
        chunk.worker.withUnsafeBufferPointer { localWorker in
            chunk.label.withUnsafeBufferPointer { localLabel in
                workerMap.withUnsafeBufferPointer { wm in
                    labelMap.withUnsafeBufferPointer { lm in
                        for i in 0..<n {
                            let w = wm[Int(localWorker[i])]
                            task[i] = ids.next(i)
                            worker[i] = w
                            label[i] = lm[Int(localLabel[i])]
                            workerCounts[Int(w)] &+= 1
                        }
                    }
                }
            }
        }
        chunk.worker = []
        chunk.label = []
        let used = chunk.keys
        chunk.keys = ChunkKeys(expected: 0)
        used.deallocate()
    }
}

extension DuplicateReport {
    /// The repeated (task, worker) pairs of a task view (`offsets`, fused `entries` with `K` =
    /// `labelCount`), counted by task ranges of about equal answers, one per thread
    /// (``bounds(_:threads:)``); the same report as ``init(byTask:workerCount:tasks:workers:)``.
    init(offsets: [Int], entries: [Int32], labelCount k: Int, workerCount: Int, tasks: Interner, workers: Interner, threads: Int) {
        let bounds = Self.bounds(offsets, threads: threads)
        let results = (0..<bounds.count - 1).map { _ in DuplicatePart() }
        let shared = UncheckedSendable((offsets, entries))
        let run: @Sendable (Int) -> Void = { p in
            let (offsets, entries) = shared.value
            offsets.withUnsafeBufferPointer { o in
                entries.withUnsafeBufferPointer { e in
                    Self.count(o, e, labelCount: k, tasks: bounds[p]..<bounds[p + 1], workerCount: workerCount, into: results[p])
                }
            }
        }
        if results.count > 1 { DispatchQueue.concurrentPerform(iterations: results.count, execute: run) } else { run(0) }
        self.init(results, tasks: tasks, workers: workers)
    }

    /// The report of consecutive task ranges' counts, in task order.
    init(_ parts: [DuplicatePart], tasks: Interner, workers: Interner) {
        var pairs = 0, extra = 0
        var example: (task: Int32, worker: Int32)?
        var repeated = Set<Int32>()
        for part in parts {
            pairs += part.found.pairs
            extra += part.found.extra
            if example == nil { example = part.found.example }
            repeated.formUnion(part.found.repeated)
        }
        self.init(pairs: pairs, extraAnswers: extra, repeatedWorkers: repeated,
                  example: example.map { (tasks.name($0.task), workers.name($0.worker)) })
    }

    /// Task ranges for `threads` threads (two with `threads` ≥ 2 and 65,536 answers or more, else
    /// one): `[0, m, tasks]`, `m` the first task whose answers start at or after the middle one.
    static func bounds(_ offsets: [Int], threads: Int) -> [Int] {
        let taskCount = offsets.count - 1
        let n = offsets[taskCount]
        guard threads >= 2, n >= 1 << 16, taskCount >= 2 else { return [0, taskCount] }
        var lo = 0, hi = taskCount
        while lo < hi {
            let mid = (lo + hi) / 2
            if offsets[mid] < n / 2 { lo = mid + 1 } else { hi = mid }
        }
        return [0, lo, taskCount]
    }

    /// Counts the repeated pairs of the tasks in `range` into `part`.
    static func count(_ o: UnsafeBufferPointer<Int>, _ e: UnsafeBufferPointer<Int32>, labelCount k: Int, tasks range: Range<Int>,
                      workerCount: Int, into part: DuplicatePart) {
        if k > 0 && k & (k - 1) == 0 {
            let shift = Int32(k.trailingZeroBitCount)
            count(o, e, tasks: range, workerCount: workerCount, into: part) { $0 &>> shift }
        } else {
            let k32 = Int32(max(k, 1))
            count(o, e, tasks: range, workerCount: workerCount, into: part) { $0 / k32 }
        }
    }

    /// Counts the repeated pairs of the tasks in `range` into `part` (`worker` takes a fused entry to its worker).
    @inline(__always)
    private static func count(_ o: UnsafeBufferPointer<Int>, _ e: UnsafeBufferPointer<Int32>, tasks range: Range<Int>, workerCount: Int,
                              into part: DuplicatePart, worker: (Int32) -> Int32) {
        part.found = DuplicateTally.counting(workers: workerCount) { duplicates in
            for t in range {
                let task = Int32(truncatingIfNeeded: t)
                for i in o[t]..<o[t + 1] { duplicates.note(task: task, worker: worker(e[i])) }
            }
            return duplicates.found
        }
    }
}

/// One task range's share of a ``DuplicateReport``, written by the thread that counted it.
final class DuplicatePart: @unchecked Sendable {
    /// What ``DuplicateTally`` found in the range.
    var found = DuplicateTally.Found()
}
