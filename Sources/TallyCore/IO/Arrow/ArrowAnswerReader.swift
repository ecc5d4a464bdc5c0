import Dispatch

/// Reads answers from an Arrow IPC file (Feather v2) or stream by memory-mapping it.
///
/// The file needs columns `task`, `worker` (or `performer`) and `label`; other columns are
/// skipped. Each may be dictionary-encoded (any integer index type) or plain, with string
/// values (utf8, large utf8, utf8 view) or integers (read as their decimal spelling, so that an
/// `int64` label column gives the labels `"0"`, `"1"`, … as the same answers in a TSV file do).
///
/// Nothing is copied per answer besides the ``AnswerTable``'s own columns: dictionary indices are
/// turned into interned ids in one pass over the mapped index buffers (an index seen for the first
/// time interns its dictionary value, so ids follow first appearance exactly as in the text
/// readers), and each buffer's pages are handed back to the kernel once read. A dictionary in
/// first-appearance order (the one Tally and pyarrow write) takes a copy loop with one compare per
/// answer; any other order goes through a table with one entry per dictionary value.
enum ArrowAnswerReader {
    /// Reads `path`; with `threads` ≥ 2 the task column is read beside the worker and label columns.
    static func read(_ path: String, threads: Int = 1) throws -> AnswerFile {
        let arrow = try ArrowFile(path: path)
        func column(_ names: [String]) throws -> Int {
            if let i = arrow.fields.firstIndex(where: { names.contains($0.name) }) { return i }
            let have = ErrorText.list(arrow.fields.map(\.name))
            throw InputError(.missingColumn, file: path, field: names[0], "no column '\(names[0])'; the file has columns \(have), expected task, worker and label")
        }
        let columns = [try column(["task"]), try column(["worker", "performer"]), try column(["label"])]
        let roles = ["task", "worker", "label"]
        // Tally's own task-grouped files: dictionaries in first-appearance order of the source.
        let dictionaryOrder = arrow.metadata[ArrowWriter.taskGroupedKey] == ArrowWriter.taskGroupedValue
        var total = 0
        for batch in arrow.batches {
            // Every row takes at least one byte of the file (an index or a value), so this bounds the allocation.
            guard batch.length <= arrow.mapping.count - total else {
                throw InputError(.invalidValue, file: path, "not a valid Arrow IPC file: record batch \(batch.index) claims \(batch.length) rows, more than the file can hold")
            }
            total += batch.length
        }
        guard total > 0 else { throw InputError(.noAnswers, file: path, "no answers: the file has a schema but no rows") }
        // Tally's own task-grouped file: one pass builds the columns and the views together.
        if dictionaryOrder, let table = try ArrowGroupedReader.read(arrow, columns: columns, total: total, threads: threads) {
            return AnswerFile(table: table, gold: nil, format: .arrow, skipped: [:])
        }

        final class Part: @unchecked Sendable {
            var interner: Interner
            var error: (any Error)?
            init(_ capacity: Int) { interner = Interner(capacity: capacity) }
        }
        let parts = [Part(1024), Part(1024), Part(16)]
        let arrowBox = UncheckedSendable(arrow)
        var worker: [Int32] = [], label: [Int32] = []
        let task = try [Int32](unsafeUninitializedCapacity: total) { taskOut, taskCount in
            worker = try [Int32](unsafeUninitializedCapacity: total) { workerOut, workerCount in
                label = try [Int32](unsafeUninitializedCapacity: total) { labelOut, labelCount in
                    for out in [taskOut, workerOut, labelOut] {
                        FreshArray.adviseHugePages(UnsafeMutableRawPointer(out.baseAddress!), byteCount: 4 * total)
                    }
                    let outs = UncheckedSendable([taskOut.baseAddress!, workerOut.baseAddress!, labelOut.baseAddress!])
                    let work: @Sendable (Int) -> Void = { job in
                        // Job 0: tasks; job 1: workers then labels (the two halves take about as long).
                        for c in job == 0 ? [0] : [1, 2] {
                            let part = parts[c]
                            do {
                                let reader = ArrowColumnReader(arrow: arrowBox.value, column: columns[c], role: roles[c])
                                try reader.read(into: outs.value[c], interner: &part.interner, dictionaryOrder: dictionaryOrder && c < 2)
                            } catch {
                                part.error = error
                                return
                            }
                        }
                    }
                    if threads >= 2 && total >= 1 << 16 {
                        DispatchQueue.concurrentPerform(iterations: 2, execute: work)
                    } else {
                        work(0)
                        work(1)
                    }
                    for p in parts { if let e = p.error { throw e } }
                    labelCount = total
                }
                workerCount = total
            }
            taskCount = total
        }
        let table = try ArrowAnswerReader.table(file: path, tasks: parts[0].interner, workers: parts[1].interner,
                                                rawLabels: parts[2].interner, task: task, worker: worker, label: label, threads: threads)
        return AnswerFile(table: table, gold: nil, format: .arrow, skipped: [:])
    }

    /// The table from interned columns; label ids (first-seen order) are renumbered into
    /// ``LabelSet`` order, as the text readers' builder does.
    static func table(file: String, tasks: Interner, workers: Interner, rawLabels: Interner,
                      task: [Int32], worker: [Int32], label: [Int32], threads: Int = 1) throws -> AnswerTable {
        let set = LabelSet(rawLabels.names)
        let k = set.count
        guard (tasks.count + 1) * k < Int(Int32.max), (workers.count + 1) * k < Int(Int32.max) else {
            throw InputError(.tooLarge, file: file, "\(tasks.count) tasks × \(k) labels exceed the 2^31 fused-index limit")
        }
        let remap = rawLabels.names.map { Int32(set.index(of: $0)!) }
        var labels = label
        if remap != Array(0..<Int32(remap.count)) {
            labels.withUnsafeMutableBufferPointer { l in
                remap.withUnsafeBufferPointer { remap in
                    for i in 0..<l.count { l[i] = remap[Int(l[i])] }
                }
            }
        }
        return AnswerTable(tasks: tasks, workers: workers, labels: set, task: task, worker: worker, label: labels, threads: threads)
    }
}

/// Turns one column of every record batch into interned ids.
final class ArrowColumnReader {
    let arrow: ArrowFile
    let column: Int
    let role: String
    private let field: ArrowField
    private let scratch = UnsafeMutableRawPointer.allocate(byteCount: 32, alignment: 8)

    init(arrow: ArrowFile, column: Int, role: String) {
        self.arrow = arrow
        self.column = column
        self.role = role
        field = arrow.fields[column]
    }

    deinit { scratch.deallocate() }

    private func nullError(row: Int, batch: Int, inBatch: Int) -> InputError {
        InputError(.emptyField, file: arrow.file, field: role,
                   "null at row \(row) (0-based; record batch \(batch), row \(inBatch)); every answer needs a task, a worker and a label")
    }

    /// Interns value `bytes` (checked: not empty, UTF-8 when new).
    @inline(__always)
    private func intern(_ bytes: UnsafeRawBufferPointer, _ interner: inout Interner, row: Int) throws -> (id: Int32, isNew: Bool) {
        if bytes.isEmpty {
            throw InputError(.emptyField, file: arrow.file, field: role, "empty value at row \(row) (0-based); every answer needs a task, a worker and a label")
        }
        let r = interner.intern(bytes)
        if r.isNew && !isValidUTF8(bytes) {
            throw InputError(.invalidUTF8, file: arrow.file, field: role, "invalid UTF-8 at row \(row) (0-based); expected text in UTF-8")
        }
        return r
    }

    /// Fills `out` (one id per row of the file) and hands each read buffer back to the kernel.
    /// With `dictionaryOrder` (a file Tally wrote grouped by task), a dictionary-encoded column's
    /// ids are its dictionary indices: the values are taken as the names, in order, trusted to be
    /// distinct (as Tally writes them; the key is Tally's own), their hash table left for a lookup.
    func read(into out: UnsafeMutablePointer<Int32>, interner: inout Interner, dictionaryOrder: Bool = false) throws {
        let dictionary = try field.dictionary.map { try Dictionary(arrow, id: $0.id, role: role) }
        // Room for every dictionary value up front: no rehashing while a large dictionary is met.
        if let dictionary, interner.count == 0, dictionary.count > 1024 { interner = Interner(capacity: dictionary.count) }
        var state = DictionaryState()
        if let dictionary, dictionaryOrder, interner.count == 0 {
            interner = try distinctInterner(dictionary)
            state.identityCount = dictionary.count
        }
        var row = 0
        for batch in arrow.batches {
            let (node, buffer, views) = try arrow.layout(of: column, in: batch)
            let what = "column \(ErrorText.quoted(field.name)) of record batch \(batch.index)"
            let type = field.dictionary?.index ?? field.type
            let values = try ArrowValues(arrow, batch: batch, node: node, buffer: buffer, views: views, type: type, what: what)
            guard values.count == batch.length else {
                throw InputError(.invalidValue, file: arrow.file, "not a valid Arrow IPC file: \(what) has \(values.count) rows, its batch \(batch.length)")
            }
            if let r = values.firstNull() { throw nullError(row: row + r, batch: batch.index, inBatch: r) }
            let o = out + row
            if let dictionary {
                guard case .int(let bits, let signed, let p) = values.storage else {
                    throw InputError(.invalidValue, file: arrow.file, "\(what): dictionary indices of type \(type.name); expected integers")
                }
                switch (bits, signed) {
                case (8, true): try map(p.assumingMemoryBound(to: Int8.self), values.count, o, dictionary, &state, &interner, row)
                case (8, false): try map(p.assumingMemoryBound(to: UInt8.self), values.count, o, dictionary, &state, &interner, row)
                case (16, true): try map(p.assumingMemoryBound(to: Int16.self), values.count, o, dictionary, &state, &interner, row)
                case (16, false): try map(p.assumingMemoryBound(to: UInt16.self), values.count, o, dictionary, &state, &interner, row)
                case (32, true): try map(p.assumingMemoryBound(to: Int32.self), values.count, o, dictionary, &state, &interner, row)
                case (32, false): try map(p.assumingMemoryBound(to: UInt32.self), values.count, o, dictionary, &state, &interner, row)
                case (64, true): try map(p.assumingMemoryBound(to: Int64.self), values.count, o, dictionary, &state, &interner, row)
                default: try map(p.assumingMemoryBound(to: UInt64.self), values.count, o, dictionary, &state, &interner, row)
                }
            } else if case .int = values.storage {
                try mapIntegers(values, o, &interner, row)
            } else {
                for i in 0..<values.count {
                    o[i] = try intern(try values.value(i, scratch: scratch), &interner, row: row + i).id
                }
            }
            for b in buffer..<min(buffer + 3, batch.buffers.count) { arrow.mapping.release(batch.buffers[b]) }
            row += batch.length
        }
    }

    /// The interner of a dictionary whose values are the names in id order (a file Tally wrote
    /// grouped by task): each value checked (present, not empty, UTF-8), then the names as they
    /// are: Tally wrote them distinct, and the hash table waits for a lookup.
    func distinctInterner(_ dictionary: Dictionary) throws -> Interner {
        if let interner = Self.asciiInterner(dictionary) { return interner }
        for v in 0..<dictionary.count {
            guard let bytes = try dictionary.value(v, scratch: scratch) else {
                throw InputError(.emptyField, file: arrow.file, field: role, "null dictionary value \(v); every answer needs a task, a worker and a label")
            }
            if bytes.isEmpty {
                throw InputError(.emptyField, file: arrow.file, field: role, "empty dictionary value \(v); every answer needs a task, a worker and a label")
            }
            if !ParallelDelimitedReader.isASCII(bytes) && !isValidUTF8(bytes) {
                throw InputError(.invalidUTF8, file: arrow.file, field: role, "invalid UTF-8 in dictionary value \(v); expected text in UTF-8")
            }
        }
        let scratch = self.scratch
        return Interner(distinctCount: dictionary.count, deferringTable: true) { v, body in
            if let bytes = try? dictionary.value(v, scratch: scratch) { body(bytes) }
        }
    }

    /// ``distinctInterner(_:)``'s fast path, for the dictionary Tally writes (one batch of utf8
    /// values, no nulls): the values are checked in bulk (offsets strictly increasing inside the
    /// data, so none is empty; the data ASCII, so all are UTF-8) and copied with no per-value
    /// lookup; `nil` (the value-by-value path decides) for anything else.
    private static func asciiInterner(_ dictionary: Dictionary) -> Interner? {
        guard dictionary.chunks.count == 1, let values = dictionary.chunks.first, values.validity == nil,
              case .utf8(let offsets) = values.storage, let data = values.data.baseAddress else { return nil }
        let n = values.count
        guard n > 0, offsets[0] >= 0, Int(offsets[n]) <= values.data.count else { return nil }
        for i in 0..<n where offsets[i + 1] <= offsets[i] { return nil }
        guard ParallelDelimitedReader.isASCII(UnsafeRawBufferPointer(start: data + Int(offsets[0]), count: Int(offsets[n] - offsets[0]))) else { return nil }
        return Interner(distinctCount: n, deferringTable: true) { v, body in
            body(UnsafeRawBufferPointer(start: data + Int(offsets[v]), count: Int(offsets[v + 1] - offsets[v])))
        }
    }

    /// The values of one dictionary (its batch and deltas, concatenated).
    struct Dictionary {
        let chunks: [ArrowValues]
        let starts: [Int]
        var count: Int { starts.last ?? 0 }

        init(_ arrow: ArrowFile, id: Int64, role: String) throws {
            let batches = arrow.dictionaryBatches.filter { $0.id == id }
            guard !batches.isEmpty else { throw InputError(.invalidValue, file: arrow.file, field: role, "not a valid Arrow IPC file: dictionary \(id) of column '\(role)' is missing") }
            guard let type = arrow.fields.first(where: { $0.dictionary?.id == id })?.type else {
                throw InputError(.invalidValue, file: arrow.file, "not a valid Arrow IPC file: no column uses dictionary \(id)")
            }
            var chunks: [ArrowValues] = [], starts = [0]
            for (i, d) in batches.enumerated() {
                let v = try ArrowValues(arrow, batch: d.data, node: 0, buffer: 0, views: 0, type: type, what: "dictionary \(id) (batch \(i)) of column '\(role)'")
                chunks.append(v)
                starts.append(starts.last! + v.count)
            }
            self.chunks = chunks
            self.starts = starts
        }

        /// Value `i`, or `nil` when it is null.
        func value(_ i: Int, scratch: UnsafeMutableRawPointer) throws -> UnsafeRawBufferPointer? {
            var c = 0
            while starts[c + 1] <= i { c += 1 }
            let local = i - starts[c]
            if chunks[c].isNull(local) { return nil }
            return try chunks[c].value(local, scratch: scratch)
        }
    }

    /// Dictionary index → id: the identity while the dictionary is met in first-appearance order
    /// (`identityCount` indices seen so far), else a table (`-1`: not yet seen).
    struct DictionaryState {
        var identityCount = 0
        var table: [Int32]? = nil
    }

    /// Interns dictionary value `v` for row `row`.
    private func internValue(_ v: Int, _ dictionary: Dictionary, _ interner: inout Interner, row: Int) throws -> (id: Int32, isNew: Bool) {
        guard let bytes = try dictionary.value(v, scratch: scratch) else {
            throw InputError(.emptyField, file: arrow.file, field: role, "null at row \(row) (0-based: its dictionary value \(v) is null); every answer needs a task, a worker and a label")
        }
        return try intern(bytes, &interner, row: row)
    }

    @inline(__always)
    private func map<I: FixedWidthInteger>(_ p: UnsafePointer<I>, _ n: Int, _ out: UnsafeMutablePointer<Int32>, _ dictionary: Dictionary,
                                           _ state: inout DictionaryState, _ interner: inout Interner, _ row: Int) throws {
        let size = dictionary.count
        var i = 0
        while i < n {
            if state.table == nil {
                let next = state.identityCount
                while i < n {
                    let v = Int(truncatingIfNeeded: p[i])
                    guard v >= 0, v < next else { break }
                    out[i] = Int32(truncatingIfNeeded: v)
                    i += 1
                }
                if i == n { break }
                let v = Int(truncatingIfNeeded: p[i])
                guard v >= 0, v < size else { throw outOfRange(v, size, row + i) }
                var id: Int32 = -1
                if v == next {
                    let r = try internValue(v, dictionary, &interner, row: row + i)
                    if r.isNew {
                        state.identityCount += 1
                        out[i] = r.id
                        i += 1
                        continue
                    }
                    id = r.id
                }
                // Not in first-appearance order (or a repeated value): switch to the table.
                var table = [Int32](repeating: -1, count: size)
                for j in 0..<next { table[j] = Int32(j) }
                if id >= 0 { table[v] = id }
                state.table = table
            } else {
                try state.table!.withUnsafeMutableBufferPointer { table in
                    while i < n {
                        let v = Int(truncatingIfNeeded: p[i])
                        guard v >= 0, v < size else { throw outOfRange(v, size, row + i) }
                        var id = table[v]
                        if id < 0 {
                            id = try internValue(v, dictionary, &interner, row: row + i).id
                            table[v] = id
                        }
                        out[i] = id
                        i += 1
                    }
                }
            }
        }
    }

    private func outOfRange(_ v: Int, _ size: Int, _ row: Int) -> InputError {
        InputError(.invalidValue, file: arrow.file, field: role, "dictionary index \(v) at row \(row) (0-based) is outside its dictionary of \(size) values")
    }

    /// A plain integer column: each distinct value is spelled in decimal and interned once (a
    /// direct table over the batch's range of values when it is small, else a hash map).
    private func mapIntegers(_ values: ArrowValues, _ out: UnsafeMutablePointer<Int32>, _ interner: inout Interner, _ row: Int) throws {
        let n = values.count
        var lo = Int64.max, hi = Int64.min
        for i in 0..<n {
            let v = values.integer(i)
            lo = min(lo, v)
            hi = max(hi, v)
        }
        if n > 0, hi.subtractingReportingOverflow(lo).partialValue < 1 << 20, !hi.subtractingReportingOverflow(lo).overflow {
            var table = [Int32](repeating: -1, count: Int(hi - lo) + 1)
            try table.withUnsafeMutableBufferPointer { table in
                for i in 0..<n {
                    let slot = Int(values.integer(i) - lo)
                    var id = table[slot]
                    if id < 0 {
                        id = try intern(ArrowValues.decimal(values.integer(i), into: scratch), &interner, row: row + i).id
                        table[slot] = id
                    }
                    out[i] = id
                }
            }
        } else {
            var seen: [Int64: Int32] = [:]
            for i in 0..<n {
                let v = values.integer(i)
                if let id = seen[v] {
                    out[i] = id
                } else {
                    let id = try intern(ArrowValues.decimal(v, into: scratch), &interner, row: row + i).id
                    seen[v] = id
                    out[i] = id
                }
            }
        }
    }
}
