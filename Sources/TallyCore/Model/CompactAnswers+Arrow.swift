import Dispatch
import Foundation

extension CompactAnswers {
    /// Whether `path` names an Arrow file (by extension, or a regular file by its magic), as
    /// ``AnswerReader`` decides it.
    public static func isArrow(_ path: String) -> Bool { AnswerReader.isArrow(path) }

    /// The number of rows of an Arrow file, from its footer (no column is read).
    public static func rowCount(arrow path: String) throws -> Int {
        try ArrowFile(path: path).batches.reduce(0) { $0 + $1.length }
    }

    /// Why `path` cannot be read into a compact table (`nil` when it can): the task and worker
    /// columns must be dictionary-encoded (as Tally, `tally synth`, pyarrow's `dictionary_encode`
    /// and polars' categoricals write them), the label column dictionary-encoded or integers.
    public static func unsupported(arrow path: String) throws -> String? {
        let arrow = try ArrowFile(path: path)
        let columns = try Columns(arrow)
        for (role, c) in [("task", columns.task), ("worker", columns.worker)] where arrow.fields[c].dictionary == nil {
            return "its \(role) column is not dictionary-encoded (type \(arrow.fields[c].type.name))"
        }
        let label = arrow.fields[columns.label]
        if label.dictionary == nil, case .int = label.type {} else if label.dictionary == nil {
            return "its label column is neither dictionary-encoded nor integers (type \(label.type.name))"
        }
        return nil
    }

    /// The compact table of the answers in the Arrow file at `path`, read by mapping it.
    ///
    /// Two passes over the mapped dictionary indices, each buffer's pages handed back to the kernel
    /// once read: the first (task column on one thread, worker and label columns on another)
    /// assigns ids by first appearance and counts each task's answers; the second fills the fused
    /// entries: in row order, several record batches at once, when every task's rows are contiguous
    /// (tasks met once each, as `tally synth` writes them), else by a stable counting sort.
    ///
    /// Task names are not checked for repeats (Arrow dictionaries hold distinct values, as Tally,
    /// pyarrow and polars write them); worker and label names are interned, so a repeated value
    /// is one worker or label.
    ///
    /// - Parameters:
    ///   - threads: at most this many threads for the second pass.
    ///   - progress: called with (rows done, rows to do) over both passes (`2 × rows`), from any thread.
    /// - Throws: ``InputError`` for a file ``unsupported(arrow:)`` refuses, a null, an index outside
    ///   its dictionary, no rows, or more than 2³² − 1 answers.
    public convenience init(arrow path: String, threads: Int = ExecutionSettings.defaultThreads,
                            progress: (@Sendable (Int, Int) -> Void)? = nil) throws {
        if let why = try Self.unsupported(arrow: path) {
            throw InputError(.invalidValue, file: path, "cannot build the compact table: \(why)")
        }
        let arrow = try ArrowFile(path: path)
        let columns = try Columns(arrow)
        let total = arrow.batches.reduce(0) { $0 + $1.length }
        guard total > 0 else { throw InputError(.noAnswers, file: path, "no answers: the file has a schema but no rows") }
        guard total < Int(UInt32.max) else {
            throw InputError(.tooLarge, file: path, "\(total) answers; the compact table holds at most 2^32 - 1")
        }
        let maxBatch = arrow.batches.map(\.length).max() ?? 0
        let counter = RowCounter(total: 2 * total, progress: progress)

        // Pass 1: ids by first appearance, answers per task.
        let tasks = TaskPass(try ColumnCodes(arrow, column: columns.task, role: "task"))
        let workers = WorkerPass(try ColumnCodes(arrow, column: columns.worker, role: "worker"),
                                 labels: try ColumnCodes(arrow, column: columns.label, role: "label"))
        let labels = workers.labels
        let jobs: [@Sendable () throws -> Void] = [
            { try tasks.run(maxBatch: maxBatch, counter: counter) },
            { try workers.run(maxBatch: maxBatch) },
        ]
        let errors = ErrorSlots(jobs.count)
        if threads >= 2 && total >= 1 << 16 {
            DispatchQueue.concurrentPerform(iterations: jobs.count) { j in errors.run(j, jobs[j]) }
        } else {
            for j in jobs.indices { errors.run(j, jobs[j]) }
        }
        try errors.rethrow()
        tasks.codes.releaseDictionary()
        // A file Tally grouped by task: the worker dictionary is in first-appearance order of the
        // source rows, which the TSV's ids follow (the grouped rows meet workers in another order).
        if arrow.metadata[ArrowWriter.taskGroupedKey] == ArrowWriter.taskGroupedValue { workers.renumberByDictionary() }

        let set = LabelSet(labels.names)
        let k = set.count
        guard (workers.workerCount + 1) * k < Int(Int32.max), (tasks.count + 1) * k < Int(Int32.max) else {
            throw InputError(.tooLarge, file: path, "\(workers.workerCount) workers or \(tasks.count) tasks × \(k) labels exceed the 2^31 fused-index limit")
        }
        // Raw label id (first seen) → label id in LabelSet order.
        let labelOfKey = UncheckedSendable(labels.names.map { Int32(set.index(of: $0)!) })
        let workerOfCode = UncheckedSendable(workers.workerTable)

        // Offsets: prefix sums of the counts, in place.
        var offsets = tasks.counts
        tasks.counts = []
        offsets.append(0)
        var running: UInt32 = 0
        for t in 0..<offsets.count {
            let c = offsets[t]
            offsets[t] = running
            running &+= c
        }

        // Pass 2: the fused entries.
        let grouped = tasks.grouped
        let batchCount = arrow.batches.count
        let entries = try [Int32](unsafeUninitializedCapacity: total) { out, count in
            let target = UncheckedSendable(out.baseAddress!)
            let starts = arrow.batches.reduce(into: [0]) { $0.append($0.last! + $1.length) }
            let wCodes = workers.workerCodes, lCodes = labels
            if grouped {
                let parts = max(1, min(threads, batchCount))
                let slots = ErrorSlots(parts)
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    slots.run(part) {
                        let w = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, maxBatch))
                        let l = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, maxBatch))
                        defer { w.deallocate(); l.deallocate() }
                        var b = part
                        while b < batchCount {
                            let n = try wCodes.load(batch: b, into: w)
                            _ = try lCodes.load(batch: b, into: l)
                            let o = target.value + starts[b]
                            let wt = workerOfCode.value, lt = labelOfKey.value
                            let k32 = Int32(k)
                            wt.withUnsafeBufferPointer { wt in
                                lt.withUnsafeBufferPointer { lt in
                                    for i in 0..<n { o[i] = wt[Int(w[i])] &* k32 &+ lt[Int(l[i])] }
                                }
                            }
                            wCodes.release(batch: b)
                            lCodes.release(batch: b)
                            counter.add(n)
                            b += parts
                        }
                    }
                }
                try slots.rethrow()
            } else {
                var cursor = offsets
                let tw = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, maxBatch))
                let w = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, maxBatch))
                let l = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, maxBatch))
                defer { tw.deallocate(); w.deallocate(); l.deallocate() }
                let k32 = Int32(k)
                for b in arrow.batches.indices {
                    let n = try tasks.codes.load(batch: b, into: tw)
                    _ = try wCodes.load(batch: b, into: w)
                    _ = try lCodes.load(batch: b, into: l)
                    tasks.table.withUnsafeBufferPointer { table in
                        cursor.withUnsafeMutableBufferPointer { cursor in
                            for i in 0..<n {
                                let t = table.isEmpty ? Int(tw[i]) : Int(table[Int(tw[i])])
                                target.value[Int(cursor[t])] = workerOfCode.value[Int(w[i])] &* k32 &+ labelOfKey.value[Int(l[i])]
                                cursor[t] += 1
                            }
                        }
                    }
                    tasks.codes.release(batch: b)
                    wCodes.release(batch: b)
                    lCodes.release(batch: b)
                    counter.add(n)
                }
            }
            count = total
        }
        let taskNames = MappedNames(tasks.codes, codeOfId: tasks.codeOfId())
        let workerNames = MappedNames(workers.workerCodes, codeOfId: workers.codeOfId)
        self.init(offsets: offsets, entries: entries, labels: set, workerCount: workers.workerCount, wasGrouped: grouped,
                  taskNames: taskNames, workerNames: workerNames)
    }
}

/// The task, worker and label columns of an Arrow file, by name (as ``ArrowAnswerReader`` finds them).
private struct Columns {
    let task: Int, worker: Int, label: Int

    init(_ arrow: ArrowFile) throws {
        func column(_ names: [String]) throws -> Int {
            if let i = arrow.fields.firstIndex(where: { names.contains($0.name) }) { return i }
            let have = ErrorText.list(arrow.fields.map(\.name))
            throw InputError(.missingColumn, file: arrow.file, field: names[0], "no column '\(names[0])'; the file has columns \(have), expected task, worker and label")
        }
        task = try column(["task"])
        worker = try column(["worker", "performer"])
        label = try column(["label"])
    }
}

/// One column's integer codes batch by batch: dictionary indices (checked against the dictionary's
/// size), or, for a plain integer column, the values themselves (`dictionary` nil).
final class ColumnCodes: @unchecked Sendable {
    let arrow: ArrowFile
    let column: Int
    let role: String
    let dictionary: ArrowColumnReader.Dictionary?

    init(_ arrow: ArrowFile, column: Int, role: String) throws {
        self.arrow = arrow
        self.column = column
        self.role = role
        dictionary = try arrow.fields[column].dictionary.map { try ArrowColumnReader.Dictionary(arrow, id: $0.id, role: role) }
    }

    /// The values of batch `b`.
    func values(batch b: Int) throws -> ArrowValues {
        let batch = arrow.batches[b]
        let field = arrow.fields[column]
        let (node, buffer, views) = try arrow.layout(of: column, in: batch)
        let what = "column \(ErrorText.quoted(field.name)) of record batch \(batch.index)"
        let values = try ArrowValues(arrow, batch: batch, node: node, buffer: buffer, views: views,
                                     type: field.dictionary?.index ?? field.type, what: what)
        guard values.count == batch.length else {
            throw InputError(.invalidValue, file: arrow.file, "not a valid Arrow IPC file: \(what) has \(values.count) rows, its batch \(batch.length)")
        }
        if let r = values.firstNull() {
            let row = arrow.batches[..<b].reduce(0) { $0 + $1.length } + r
            throw InputError(.emptyField, file: arrow.file, field: role,
                             "null at row \(row) (0-based; record batch \(batch.index), row \(r)); every answer needs a task, a worker and a label")
        }
        return values
    }

    /// Copies batch `b`'s dictionary indices into `out` (checked against the dictionary) and
    /// returns the row count. Only for dictionary-encoded columns.
    func load(batch b: Int, into out: UnsafeMutablePointer<Int32>) throws -> Int {
        let values = try self.values(batch: b)
        guard case .int(let bits, let signed, let p) = values.storage else {
            throw InputError(.invalidValue, file: arrow.file, field: role, "\(values.what): expected integer dictionary indices")
        }
        let size = dictionary?.count ?? Int(Int32.max)
        let n = values.count
        func copy<I: FixedWidthInteger>(_ q: UnsafePointer<I>) -> Int? {
            for i in 0..<n {
                let v = Int(truncatingIfNeeded: q[i])
                guard v >= 0, v < size else { return i }
                out[i] = Int32(truncatingIfNeeded: v)
            }
            return nil
        }
        let bad: Int?
        switch (bits, signed) {
        case (8, true): bad = copy(p.assumingMemoryBound(to: Int8.self))
        case (8, false): bad = copy(p.assumingMemoryBound(to: UInt8.self))
        case (16, true): bad = copy(p.assumingMemoryBound(to: Int16.self))
        case (16, false): bad = copy(p.assumingMemoryBound(to: UInt16.self))
        case (32, true): bad = copy(p.assumingMemoryBound(to: Int32.self))
        case (32, false): bad = copy(p.assumingMemoryBound(to: UInt32.self))
        case (64, true): bad = copy(p.assumingMemoryBound(to: Int64.self))
        default: bad = copy(p.assumingMemoryBound(to: UInt64.self))
        }
        if let i = bad {
            let row = arrow.batches[..<b].reduce(0) { $0 + $1.length } + i
            throw InputError(.invalidValue, file: arrow.file, field: role,
                             "dictionary index \(values.integer(i)) at row \(row) (0-based) is outside its dictionary of \(size) values")
        }
        return n
    }

    /// Hands batch `b`'s buffers of this column back to the kernel.
    func release(batch b: Int) {
        let batch = arrow.batches[b]
        guard let buffer = (try? arrow.layout(of: column, in: batch))?.buffer else { return }
        for i in buffer..<min(buffer + 3, batch.buffers.count) { arrow.mapping.release(batch.buffers[i]) }
    }

    /// Hands the pages of this column's dictionary back to the kernel (read again if touched).
    func releaseDictionary() {
        guard let id = arrow.fields[column].dictionary?.id else { return }
        for d in arrow.dictionaryBatches where d.id == id {
            for r in d.data.buffers { arrow.mapping.release(r) }
        }
    }

    /// Checks dictionary value `code` (not null, not empty, UTF-8) without making a string.
    func check(_ code: Int, row: Int, scratch: UnsafeMutableRawPointer) throws {
        guard let bytes = try dictionary!.value(code, scratch: scratch) else {
            throw InputError(.emptyField, file: arrow.file, field: role, "null at row \(row) (0-based: its dictionary value \(code) is null); every answer needs a task, a worker and a label")
        }
        guard !bytes.isEmpty else {
            throw InputError(.emptyField, file: arrow.file, field: role, "empty value at row \(row) (0-based); every answer needs a task, a worker and a label")
        }
        if bytes.contains(where: { $0 >= 0x80 }), !isValidUTF8(bytes) {
            throw InputError(.invalidUTF8, file: arrow.file, field: role, "invalid UTF-8 at row \(row) (0-based); expected text in UTF-8")
        }
    }

    /// Dictionary value `code` as a string, checked: not null, not empty, UTF-8.
    func name(_ code: Int, row: Int, scratch: UnsafeMutableRawPointer) throws -> String {
        guard let bytes = try dictionary!.value(code, scratch: scratch) else {
            throw InputError(.emptyField, file: arrow.file, field: role, "null at row \(row) (0-based: its dictionary value \(code) is null); every answer needs a task, a worker and a label")
        }
        guard !bytes.isEmpty else {
            throw InputError(.emptyField, file: arrow.file, field: role, "empty value at row \(row) (0-based); every answer needs a task, a worker and a label")
        }
        guard isValidUTF8(bytes) else {
            throw InputError(.invalidUTF8, file: arrow.file, field: role, "invalid UTF-8 at row \(row) (0-based); expected text in UTF-8")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The first pass over the task column: ids by first appearance (the identity while the dictionary
/// is met in its own order, else a table), answers per task, and whether tasks are contiguous.
private final class TaskPass: @unchecked Sendable {
    let codes: ColumnCodes
    /// Answers per task id.
    var counts: [UInt32] = []
    /// Dictionary index → id, once the identity no longer holds (empty while it does).
    var table: [Int32] = []
    /// Every task's rows are contiguous.
    var grouped = true
    /// Distinct tasks (kept when ``counts`` is handed over).
    private(set) var count = 0

    init(_ codes: ColumnCodes) { self.codes = codes }

    func run(maxBatch: Int, counter: RowCounter) throws {
        let buffer = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, maxBatch))
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)
        defer { buffer.deallocate(); scratch.deallocate() }
        var previous = -1
        var row = 0
        for b in codes.arrow.batches.indices {
            let n = try codes.load(batch: b, into: buffer)
            var i = 0
            while i < n {
                let v = Int(buffer[i])
                var id: Int
                var isNew = false
                if table.isEmpty {
                    let next = counts.count
                    if v < next {
                        id = v
                    } else if v == next {
                        id = v
                        isNew = true
                    } else {
                        // Not the dictionary's own order: switch to the table.
                        table = [Int32](repeating: -1, count: codes.dictionary!.count)
                        for j in 0..<next { table[j] = Int32(j) }
                        continue
                    }
                } else {
                    id = Int(table[v])
                    if id < 0 {
                        id = counts.count
                        table[v] = Int32(id)
                        isNew = true
                    }
                }
                if isNew {
                    try codes.check(v, row: row + i, scratch: scratch)
                    counts.append(0)
                    count += 1
                } else if id != previous {
                    grouped = false
                }
                counts[id] &+= 1
                previous = id
                i += 1
            }
            codes.release(batch: b)
            row += n
            counter.add(n)
        }
    }

    /// Per id, its dictionary index (`nil` when ids are the indices).
    func codeOfId() -> [Int32]? {
        guard !table.isEmpty else { return nil }
        var inverse = [Int32](repeating: 0, count: count)
        for (v, id) in table.enumerated() where id >= 0 { inverse[Int(id)] = Int32(v) }
        return inverse
    }
}

/// The first pass over the worker and label columns: worker ids by first appearance (names
/// interned), the labels that occur in first-seen order.
private final class WorkerPass: @unchecked Sendable {
    let workerCodes: ColumnCodes
    let labels: LabelCodes
    /// Worker dictionary index → worker id.
    var workerTable: [Int32] = []
    /// Per worker id, its (first) dictionary index.
    var codeOfId: [Int32] = []
    var workerCount: Int { codeOfId.count }

    init(_ workers: ColumnCodes, labels: ColumnCodes) {
        workerCodes = workers
        self.labels = LabelCodes(labels)
    }

    /// Renumbers the workers in the order of their dictionary indices.
    func renumberByDictionary() {
        let order = codeOfId.indices.sorted { codeOfId[$0] < codeOfId[$1] }
        var newId = [Int32](repeating: 0, count: order.count)
        for (id, old) in order.enumerated() { newId[old] = Int32(id) }
        for v in workerTable.indices where workerTable[v] >= 0 { workerTable[v] = newId[Int(workerTable[v])] }
        codeOfId = order.map { codeOfId[$0] }
    }

    func run(maxBatch: Int) throws {
        workerTable = [Int32](repeating: -1, count: workerCodes.dictionary!.count)
        var byName: [String: Int32] = [:]
        let buffer = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, maxBatch))
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)
        defer { buffer.deallocate(); scratch.deallocate() }
        var row = 0
        for b in workerCodes.arrow.batches.indices {
            let n = try workerCodes.load(batch: b, into: buffer)
            try workerTable.withUnsafeMutableBufferPointer { table in
                for i in 0..<n where table[Int(buffer[i])] < 0 {
                    let v = Int(buffer[i])
                    let name = try workerCodes.name(v, row: row + i, scratch: scratch)
                    if let id = byName[name] {
                        table[v] = id
                    } else {
                        let id = Int32(codeOfId.count)
                        byName[name] = id
                        codeOfId.append(Int32(v))
                        table[v] = id
                    }
                }
            }
            workerCodes.release(batch: b)
            try labels.scan(batch: b, row: row, buffer: buffer)
            row += n
        }
    }
}

/// The label column as raw label ids (first seen, names interned): dictionary indices through a
/// table, or integer values (spelled in decimal, as the readers spell them) through a map.
final class LabelCodes: @unchecked Sendable {
    let codes: ColumnCodes
    /// Raw label names by raw id.
    private(set) var names: [String] = []
    private var byName: [String: Int32] = [:]
    /// Dictionary index → raw id (−1 unseen).
    private var keyTable: [Int32] = []
    /// Integer value → raw id.
    private var byValue: [Int64: Int32] = [:]
    private let scratch = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)

    init(_ codes: ColumnCodes) {
        self.codes = codes
        if let d = codes.dictionary { keyTable = [Int32](repeating: -1, count: d.count) }
    }

    deinit { scratch.deallocate() }

    private func intern(_ name: String) -> Int32 {
        if let id = byName[name] { return id }
        let id = Int32(names.count)
        names.append(name)
        byName[name] = id
        return id
    }

    /// Pass 1: gives every label of batch `b` (its first row `row`) a raw id.
    func scan(batch b: Int, row: Int, buffer: UnsafeMutablePointer<Int32>) throws {
        if codes.dictionary != nil {
            let n = try codes.load(batch: b, into: buffer)
            for i in 0..<n where keyTable[Int(buffer[i])] < 0 {
                keyTable[Int(buffer[i])] = intern(try codes.name(Int(buffer[i]), row: row + i, scratch: scratch))
            }
        } else {
            let values = try codes.values(batch: b)
            for i in 0..<values.count {
                let v = values.integer(i)
                if byValue[v] == nil {
                    let bytes = ArrowValues.decimal(v, into: scratch)
                    byValue[v] = intern(String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        codes.release(batch: b)
    }

    /// Pass 2: batch `b`'s raw label ids into `out`; returns the row count.
    func load(batch b: Int, into out: UnsafeMutablePointer<Int32>) throws -> Int {
        if codes.dictionary != nil {
            let n = try codes.load(batch: b, into: out)
            keyTable.withUnsafeBufferPointer { t in
                for i in 0..<n { out[i] = t[Int(out[i])] }
            }
            return n
        }
        let values = try codes.values(batch: b)
        let n = values.count
        var lo = Int64.max, hi = Int64.min
        for (v, _) in byValue {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        if hi.subtractingReportingOverflow(lo).overflow == false, hi - lo < 1 << 16 {
            var table = [Int32](repeating: 0, count: Int(hi - lo) + 1)
            for (v, id) in byValue { table[Int(v - lo)] = id }
            for i in 0..<n { out[i] = table[Int(values.integer(i) - lo)] }
        } else {
            for i in 0..<n { out[i] = byValue[values.integer(i)] ?? 0 }
        }
        return n
    }

    func release(batch b: Int) { codes.release(batch: b) }
}

/// Rows done over both passes, reported to a progress callback.
final class RowCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    let total: Int
    let progress: (@Sendable (Int, Int) -> Void)?

    init(total: Int, progress: (@Sendable (Int, Int) -> Void)?) {
        self.total = total
        self.progress = progress
    }

    func add(_ n: Int) {
        guard let progress else { return }
        let now = lock.withLock { done += n; return done }
        progress(now, total)
    }
}

/// The first error of each of several jobs run on threads.
final class ErrorSlots: @unchecked Sendable {
    private var errors: [(any Error)?]

    init(_ count: Int) { errors = Array(repeating: nil, count: count) }

    func run(_ j: Int, _ body: () throws -> Void) {
        do { try body() } catch { errors[j] = error }
    }

    func rethrow() throws {
        for e in errors { if let e { throw e } }
    }
}
