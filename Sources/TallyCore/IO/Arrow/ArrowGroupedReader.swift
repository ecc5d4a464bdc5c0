import Dispatch

/// Reads a file Tally wrote grouped by task (``ArrowWriter/taskGroupedKey``; `tally convert`'s
/// default) into an ``AnswerTable`` in one pass over the mapped indices.
///
/// In such a file the dictionaries are the names in id order and the rows come task by task in
/// id order, so a row's ids are its dictionary indices (labels through a table into
/// ``LabelSet`` order). One pass per chunk of rows (chunks end at task boundaries, run on the
/// threads at once, beside the building of the task names' interner) writes the task view's
/// offsets and fused entries, counts the repeated (task, worker) pairs (``DuplicateTally``) and
/// each worker's answers. Nothing else is allocated per answer: the worker view's entries are
/// scattered from the task view when first read (``CSRView/deferred(offsets:labelCount:_:)``),
/// and the table's `task`, `worker` and `label` columns are made from the task view when first
/// read (``DeferredColumns``); Dawid-Skene reads neither. The result equals what
/// ``ArrowAnswerReader``'s column-by-column reading and ``AnswerTableViews`` give for the same file.
///
/// Anything unexpected (indices not `int32`, a null, an index outside its dictionary, task ids
/// that decrease, a label value that is empty, repeated or never used) returns `nil`, and the
/// general reader reads the file and reports what it finds.
enum ArrowGroupedReader {
    /// One record batch's three index buffers.
    private struct Batch {
        /// The batch's first row in the file, and its rows.
        let first: Int, count: Int
        let task: UnsafePointer<Int32>, worker: UnsafePointer<Int32>, label: UnsafePointer<Int32>
        /// The byte ranges of the three buffers in the file (handed back to the kernel once read).
        let ranges: [Range<Int>]
    }

    /// What one chunk of rows found.
    private struct Chunk {
        var ok = true
        var pairs = 0, extra = 0
        var example: (task: Int32, worker: Int32)?
        var repeated = Set<Int32>()
        var workerCounts: [Int32] = []
        var labelSeen: [Bool] = []
    }

    static func read(_ arrow: ArrowFile, columns: [Int], total: Int, threads: Int) throws -> AnswerTable? {
        let int32 = ArrowType.int(bits: 32, signed: true)
        for c in columns where arrow.fields[c].dictionary?.index != int32 { return nil }
        let roles = ["task", "worker", "label"]
        let dictionaries = try zip(columns, roles).map { c, role in
            try ArrowColumnReader.Dictionary(arrow, id: arrow.fields[c].dictionary!.id, role: role)
        }
        let taskCount = dictionaries[0].count, workerCount = dictionaries[1].count
        // The labels: every value a distinct, non-empty UTF-8 name (and used, checked after the pass).
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)
        defer { scratch.deallocate() }
        var labelNames: [String] = []
        for v in 0..<dictionaries[2].count {
            guard let b = try dictionaries[2].value(v, scratch: scratch), !b.isEmpty, isValidUTF8(b) else { return nil }
            labelNames.append(String(decoding: b, as: UTF8.self))
        }
        guard !labelNames.isEmpty, Set(labelNames).count == labelNames.count else { return nil }
        let set = LabelSet(labelNames)
        let k = set.count
        guard (taskCount + 1) * k < Int(Int32.max), (workerCount + 1) * k < Int(Int32.max) else { return nil }
        let labelOf = labelNames.map { Int32(set.index(of: $0)!) }

        var batches: [Batch] = []
        var first = 0
        for batch in arrow.batches {
            var pointers: [UnsafePointer<Int32>] = [], ranges: [Range<Int>] = []
            for c in columns {
                let (node, buffer, views) = try arrow.layout(of: c, in: batch)
                let values = try ArrowValues(arrow, batch: batch, node: node, buffer: buffer, views: views, type: int32,
                                             what: "column \(ErrorText.quoted(arrow.fields[c].name)) of record batch \(batch.index)")
                guard values.count == batch.length, values.nullCount == 0, case .int(32, true, let p) = values.storage else { return nil }
                pointers.append(p.assumingMemoryBound(to: Int32.self))
                ranges.append(batch.buffers[buffer + 1])
            }
            batches.append(Batch(first: first, count: batch.length, task: pointers[0], worker: pointers[1], label: pointers[2], ranges: ranges))
            first += batch.length
        }
        guard first == total, total > 0 else { return nil }
        func taskAt(_ row: Int) -> Int32 {
            let b = batches.lastIndex { $0.first <= row }!
            return batches[b].task[row - batches[b].first]
        }
        // Chunks of about equal size, each starting at a task's first row.
        let parts = threads >= 2 && total >= 1 << 16 ? 2 * threads : 1
        var bounds = [0]
        for p in 1..<parts {
            var r = max(bounds.last!, total * p / parts)
            while r > 0, r < total, taskAt(r) == taskAt(r - 1) { r += 1 }
            if r > bounds.last!, r < total { bounds.append(r) }
        }
        bounds.append(total)

        final class Results: @unchecked Sendable {
            var tasks: Interner?
            var error: (any Error)?
        }
        let results = Results()
        let chunkCount = bounds.count - 1
        let slots = UnsafeMutablePointer<Chunk>.allocate(capacity: chunkCount)
        slots.initialize(repeating: Chunk(), count: chunkCount)
        defer { slots.deinitialize(count: chunkCount); slots.deallocate() }
        let taskReader = ArrowColumnReader(arrow: arrow, column: columns[0], role: "task")
        let shared = UncheckedSendable((batches, dictionaries[0], labelOf, bounds, arrow.mapping, slots, taskReader))
        var entries: [Int32] = []
        let offsets: [Int] = FreshArray.uninitialized(taskCount + 1) { o in
            entries = FreshArray.uninitialized(total) { e in
                let out = UncheckedSendable(Output(offsets: o, entries: e))
                // Job 0: the task names' interner; then the chunks, the threads taking them in turn.
                let run: @Sendable (Int) -> Void = { job in
                    let (batches, taskDictionary, labelOf, bounds, mapping, slots, taskReader) = shared.value
                    if job == 0 {
                        do { results.tasks = try taskReader.distinctInterner(taskDictionary) } catch { results.error = error }
                        return
                    }
                    let range = bounds[job - 1]..<bounds[job]
                    slots[job - 1] = Self.chunk(range, batches: batches, labelOf: labelOf, total: total, taskCount: taskCount,
                                                workerCount: workerCount, labelCount: k, out: out.value)
                    Self.release(range, batches: batches, mapping: mapping)
                }
                if threads >= 2 {
                    DispatchQueue.concurrentPerform(iterations: 1 + chunkCount, execute: run)
                } else {
                    for job in 0...chunkCount { run(job) }
                }
            }
        }
        let chunks = Array(UnsafeBufferPointer(start: slots, count: chunkCount))
        if let error = results.error { throw error }
        guard chunks.allSatisfy(\.ok) else { return nil }
        for v in labelOf.indices where !chunks.contains(where: { $0.labelSeen[v] }) { return nil }
        let workers = try ArrowColumnReader(arrow: arrow, column: columns[1], role: "worker").distinctInterner(dictionaries[1])
        guard let tasks = results.tasks else { return nil }

        var pairs = 0, extra = 0
        var example: (task: Int32, worker: Int32)?
        var repeated = Set<Int32>()
        var workerOffsets = [Int](repeating: 0, count: workerCount + 1)
        for c in chunks {
            pairs += c.pairs
            extra += c.extra
            if example == nil { example = c.example }
            repeated.formUnion(c.repeated)
            for w in 0..<workerCount { workerOffsets[w + 1] += Int(c.workerCounts[w]) }
        }
        for w in 0..<workerCount { workerOffsets[w + 1] += workerOffsets[w] }
        let duplicates = DuplicateReport(pairs: pairs, extraAnswers: extra, repeatedWorkers: repeated,
                                         example: example.map { (tasks.name($0.task), workers.name($0.worker)) })
        let byTask = CSRView(offsets: offsets, entries: entries, labelCount: k)
        let byWorker = CSRView.deferred(offsets: workerOffsets, labelCount: k) { [workerOffsets] in
            workerEntries(of: byTask, workerOffsets: workerOffsets)
        }
        return AnswerTable(tasks: tasks, workers: workers, labels: set, byTask: byTask, byWorker: byWorker, duplicates: duplicates)
    }

    /// The worker view's entries (`task * K + label`, grouped by worker, in row order within a
    /// worker) scattered from the task view of answers stored in task order: what the counting
    /// sort of the `worker` column gives, without the columns.
    static func workerEntries(of byTask: CSRView, workerOffsets: [Int]) -> [Int32] {
        var cursor = workerOffsets
        let k = byTask.labelCount, k32 = Int32(k)
        return FreshArray.uninitialized(byTask.entries.count) { fused in
            byTask.offsets.withUnsafeBufferPointer { o in
                byTask.entries.withUnsafeBufferPointer { e in
                    cursor.withUnsafeMutableBufferPointer { cursor in
                        for t in 0..<byTask.rowCount {
                            let base = Int32(truncatingIfNeeded: t) &* k32
                            for i in o[t]..<o[t + 1] {
                                let w = Int(e[i] / k32), y = e[i] % k32
                                fused[cursor[w]] = base &+ y
                                cursor[w] += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// The arrays one pass fills (each chunk its own rows, and its own tasks' offsets).
    private struct Output {
        let offsets: UnsafeMutableBufferPointer<Int>
        let entries: UnsafeMutableBufferPointer<Int32>
    }

    /// One chunk of rows (starting at a task's first row): its entries, the offsets from
    /// the task after the one before the chunk through its last task (through `taskCount` for the
    /// last chunk), its repeated pairs and answers per worker; `ok` false at the first row that
    /// breaks the file's promise (a task id below the one before or above the chunk's last, an
    /// index outside its dictionary).
    private static func chunk(_ range: Range<Int>, batches: [Batch], labelOf: [Int32], total: Int, taskCount: Int,
                              workerCount: Int, labelCount k: Int, out: Output) -> Chunk {
        var c = Chunk()
        func taskAt(_ row: Int) -> Int32 {
            let b = batches.lastIndex { $0.first <= row }!
            return batches[b].task[row - batches[b].first]
        }
        var previous: Int32 = range.lowerBound == 0 ? 0 : taskAt(range.lowerBound - 1)
        let last = taskAt(range.upperBound - 1)
        guard last >= 0, Int(last) < taskCount else { c.ok = false; return c }
        var next = range.lowerBound == 0 ? 0 : Int(previous) + 1
        var counts = [Int32](repeating: 0, count: workerCount)
        var labelSeen = [Bool](repeating: false, count: labelOf.count)
        let k32 = Int32(k)
        let workersU = UInt32(workerCount), labelsU = UInt32(labelOf.count)
        let ok = DuplicateTally.counting(workers: workerCount) { duplicates -> Bool in
            defer { (c.pairs, c.extra, c.example, c.repeated) = (duplicates.found.pairs, duplicates.found.extra, duplicates.found.example, duplicates.found.repeated) }
            return counts.withUnsafeMutableBufferPointer { counts in
                labelSeen.withUnsafeMutableBufferPointer { labelSeen in
                    labelOf.withUnsafeBufferPointer { labelOf -> Bool in
                        for b in batches.indices {
                            let batch = batches[b]
                            let end = b + 1 < batches.count ? batches[b + 1].first : total
                            let lo = max(range.lowerBound, batch.first), hi = min(range.upperBound, end)
                            guard lo < hi else { continue }
                            let base = batch.first
                            for i in lo..<hi {
                                let t = batch.task[i - base], w = batch.worker[i - base], l = batch.label[i - base]
                                guard t >= previous, t <= last, UInt32(bitPattern: w) < workersU, UInt32(bitPattern: l) < labelsU else { return false }
                                previous = t
                                while next <= Int(t) { out.offsets[next] = i; next += 1 }
                                labelSeen[Int(l)] = true
                                out.entries[i] = w &* k32 &+ labelOf[Int(l)]
                                counts[Int(w)] &+= 1
                                duplicates.note(task: t, worker: w)
                            }
                        }
                        return true
                    }
                }
            }
        }
        guard ok else { c.ok = false; return c }
        if range.upperBound == total {
            while next <= taskCount { out.offsets[next] = total; next += 1 }
        }
        (c.workerCounts, c.labelSeen) = (counts, labelSeen)
        return c
    }

    /// Hands the whole pages of the three index buffers that hold rows `range` back to the kernel.
    private static func release(_ range: Range<Int>, batches: [Batch], mapping: MappedFile) {
        for b in batches.indices {
            let end = batches[b].first + batches[b].count
            let lo = max(range.lowerBound, batches[b].first), hi = min(range.upperBound, end)
            guard lo < hi else { continue }
            for r in batches[b].ranges {
                let from = r.lowerBound + 4 * (lo - batches[b].first), to = min(r.upperBound, r.lowerBound + 4 * (hi - batches[b].first))
                if from < to { mapping.release(from..<to) }
            }
        }
    }
}
