/// The names of a dictionary, handed to ``ArrowAnswerWriter`` one at a time so that a large
/// dictionary (a hundred million task names) is streamed rather than built in memory.
package struct ArrowNames {
    /// How many names.
    package let count: Int
    /// Calls its second argument with the UTF-8 bytes of name `i`.
    package let bytes: (_ i: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> Void
    /// For names made by ``init(prefix:count:)``: the prefix, so that the writer can lay the
    /// dictionary out arithmetically and fill it from several threads (same bytes).
    package private(set) var generatedPrefix: [UInt8]? = nil

    /// Names by index.
    package init(count: Int, bytes: @escaping (_ i: Int, _ body: (UnsafeRawBufferPointer) -> Void) -> Void) {
        self.count = count
        self.bytes = bytes
    }

    /// The names of an interner, by id.
    package init(_ interner: Interner) {
        self.init(count: interner.count) { i, body in interner.withBytes(Int32(i), body) }
    }

    /// `prefix` followed by the decimal index: `t0`, `t1`, ….
    package init(prefix: String, count: Int) {
        let p = Array(prefix.utf8)
        self.init(count: count) { i, body in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: p.count + 24) { buf in
                for (j, c) in p.enumerated() { buf[j] = c }
                let digits = ArrowValues.decimal(Int64(i), into: UnsafeMutableRawPointer(buf.baseAddress! + p.count))
                let start = UnsafeMutableRawPointer(buf.baseAddress!) + p.count
                start.copyMemory(from: digits.baseAddress!, byteCount: digits.count)
                body(UnsafeRawBufferPointer(start: buf.baseAddress!, count: p.count + digits.count))
            }
        }
        generatedPrefix = p
    }
}

/// Writes an answer table as an Arrow IPC file (Feather v2): columns `task` and `worker`
/// dictionary-encoded (`int32` indices, `utf8` dictionaries, or `large_utf8` past 2 GiB of
/// names), and `label` dictionary-encoded the same way or, for numeric labels, a plain `int64`
/// column; record batches of a fixed number of rows.
///
/// The layout is planned up front from the row counts, so record batches can be filled in any
/// order and from several threads (``write(batch:column:firstRow:_:)``); ``finish()`` writes the
/// footer and renames the file into place (``AtomicOutputFile``).
package final class ArrowAnswerWriter: @unchecked Sendable {
    /// The label column's encoding.
    package enum Labels {
        /// Dictionary-encoded with these names; the values written are indices into it.
        case dictionary(ArrowNames)
        /// Plain `int64` values.
        case int64
    }

    /// Rows per record batch, in order.
    package let batchRows: [Int]
    let out: AtomicOutputFile
    /// Threads that fill a generated dictionary (``ArrowNames/generatedPrefix``).
    let threads: Int
    var dictionaryBlocks: [(Int, Int32, Int)] = []
    private var recordBlocks: [(Int, Int32, Int)] = []
    /// Per batch: where its body starts; per column: the values' offset inside the body.
    private var bodyStart: [Int] = []
    private let width: [Int]
    private var end = 0
    private let schema: FlatBufferBuilder.Value

    private static let alignment = 64

    /// Opens `path` and writes the schema and dictionaries; the record batches come next.
    /// `threads` fill a dictionary of generated names (``ArrowNames/init(prefix:count:)``) in
    /// parallel; the bytes do not depend on it.
    /// `metadata` goes into the schema's custom metadata (key, value), in order.
    package init(path: String, tasks: ArrowNames, workers: ArrowNames, labels: Labels, batchRows: [Int], threads: Int = 1,
                 metadata: [(String, String)] = []) throws {
        self.batchRows = batchRows
        self.threads = max(1, threads)
        out = try AtomicOutputFile(path: path)
        let labelIsInt: Bool
        if case .int64 = labels { labelIsInt = true } else { labelIsInt = false }
        width = [4, 4, labelIsInt ? 8 : 4]
        var names = [tasks, workers]
        if case .dictionary(let l) = labels { names.append(l) }
        let sizes = names.map { n in
            if let prefix = n.generatedPrefix { return GeneratedNames.totalBytes(prefix: prefix.count, count: n.count) }
            var total = 0
            for i in 0..<n.count { n.bytes(i) { total += $0.count } }
            return total
        }
        let large = sizes.map { $0 > Int(Int32.max) }
        var fields: [FlatBufferBuilder.Value] = []
        for (i, name) in ["task", "worker", "label"].enumerated() {
            if i == 2 && labelIsInt {
                fields.append(Self.field(name, type: 2, typeTable: [.i32(64), .u8(1)], dictionary: nil))
            } else {
                fields.append(Self.field(name, type: large[i] ? 20 : 5, typeTable: [], dictionary: Int64(i)))
            }
        }
        let keyValues: FlatBufferBuilder.Field? = metadata.isEmpty ? nil
            : .child(.tables(metadata.map { .table([.child(.string($0.0)), .child(.string($0.1))]) }))
        schema = .table([.i16(0), .child(.tables(fields)), keyValues, nil])
        try out.append(Array("ARROW1".utf8) + [0, 0])
        _ = try message(header: 1, schema, bodyLength: 0)
        for (i, n) in names.enumerated() {
            try writeDictionary(id: Int64(i), n, dataBytes: sizes[i], large: large[i])
        }
        // Plan the record batches: metadata, then each column's values padded to the alignment.
        var at = out.size
        for rows in batchRows {
            let meta = Self.recordBatchMetadata(rows: rows, widths: width)
            bodyStart.append(at + meta.count)
            let body = width.reduce(0) { $0 + Self.padded($1 * rows) }
            recordBlocks.append((at, Int32(meta.count), body))
            at += meta.count + body
        }
        end = at
    }

    static func padded(_ n: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    private static func field(_ name: String, type: UInt8, typeTable: [FlatBufferBuilder.Field?], dictionary: Int64?) -> FlatBufferBuilder.Value {
        let encoding: FlatBufferBuilder.Field? = dictionary.map {
            .child(.table([.i64($0), .child(.table([.i32(32), .u8(1)])), .u8(0)]))
        }
        return .table([.child(.string(name)), .u8(0), .u8(type), .child(.table(typeTable)), encoding, .child(.tables([]))])
    }

    private static func structs(_ pairs: [(Int, Int)]) -> FlatBufferBuilder.Value {
        var raw: [UInt8] = []
        for (a, b) in pairs {
            withUnsafeBytes(of: Int64(a).littleEndian) { raw.append(contentsOf: $0) }
            withUnsafeBytes(of: Int64(b).littleEndian) { raw.append(contentsOf: $0) }
        }
        return .structs8(raw, count: pairs.count)
    }

    /// `RecordBatch` for `rows` rows of the columns (validity buffers empty, no nulls).
    static func recordBatchTable(rows: Int, valueSizes: [[Int]]) -> FlatBufferBuilder.Value {
        var buffers: [(Int, Int)] = []
        var at = 0
        for column in valueSizes {
            buffers.append((at, 0))
            for size in column {
                buffers.append((at, size))
                at += padded(size)
            }
        }
        return .table([.i64(Int64(rows)), .child(structs(Array(repeating: (rows, 0), count: valueSizes.count))), .child(structs(buffers))])
    }

    private static func recordBatchMetadata(rows: Int, widths: [Int]) -> [UInt8] {
        let table = recordBatchTable(rows: rows, valueSizes: widths.map { [$0 * rows] })
        return encapsulate(FlatBufferBuilder.build(message(header: 3, table, bodyLength: widths.reduce(0) { $0 + padded($1 * rows) })))
    }

    private static func message(header kind: UInt8, _ header: FlatBufferBuilder.Value, bodyLength: Int) -> FlatBufferBuilder.Value {
        .table([.i16(4), .u8(kind), .child(header), .i64(Int64(bodyLength))])
    }

    private static func encapsulate(_ flat: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        withUnsafeBytes(of: Int32(flat.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + flat
    }

    /// Appends a message; returns its block (offset, metadata length, body length).
    func message(header kind: UInt8, _ header: FlatBufferBuilder.Value, bodyLength: Int) throws -> (Int, Int32, Int) {
        let meta = Self.encapsulate(FlatBufferBuilder.build(Self.message(header: kind, header, bodyLength: bodyLength)))
        let at = out.size
        try out.append(meta)
        return (at, Int32(meta.count), bodyLength)
    }

    private func writeDictionary(id: Int64, _ names: ArrowNames, dataBytes: Int, large: Bool) throws {
        if let prefix = names.generatedPrefix {
            return try writeGeneratedDictionary(id: id, prefix: prefix, count: names.count, dataBytes: dataBytes, large: large)
        }
        let offsetWidth = large ? 8 : 4
        let offsetBytes = offsetWidth * (names.count + 1)
        let batch = Self.recordBatchTable(rows: names.count, valueSizes: [[offsetBytes, dataBytes]])
        let body = Self.padded(offsetBytes) + Self.padded(dataBytes)
        let block = try message(header: 2, .table([.i64(id), .child(batch), .u8(0)]), bodyLength: body)
        dictionaryBlocks.append(block)
        // The offsets, then the bytes, each streamed through a 1 MiB buffer.
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        func flush() throws {
            try out.append(chunk)
            chunk.removeAll(keepingCapacity: true)
        }
        var total = 0
        func putOffset(_ v: Int) {
            if large { withUnsafeBytes(of: Int64(v).littleEndian) { chunk.append(contentsOf: $0) } }
            else { withUnsafeBytes(of: Int32(v).littleEndian) { chunk.append(contentsOf: $0) } }
        }
        putOffset(0)
        for i in 0..<names.count {
            names.bytes(i) { total += $0.count }
            putOffset(total)
            if chunk.count >= 1 << 20 { try flush() }
        }
        try flush()
        out.seek(to: block.0 + Int(block.1) + Self.padded(offsetBytes))
        for i in 0..<names.count {
            names.bytes(i) { chunk.append(contentsOf: $0) }
            if chunk.count >= 1 << 20 { try flush() }
        }
        try flush()
        out.seek(to: block.0 + Int(block.1) + body)
    }

    /// Writes rows `firstRow ..< firstRow + count` of `column` (0 task, 1 worker, 2 label) of
    /// record batch `batch`: `Int32` ids (or `Int64` values for an `int64` label column).
    /// Safe to call from several threads for different ranges.
    package func write(batch: Int, column: Int, firstRow: Int, _ values: UnsafeRawBufferPointer) throws {
        let rows = batchRows[batch]
        precondition(values.count % width[column] == 0 && firstRow + values.count / width[column] <= rows)
        var at = bodyStart[batch]
        for c in 0..<column { at += Self.padded(width[c] * rows) }
        try out.write(values, at: at + firstRow * width[column])
    }

    /// Writes the record batches' metadata, the end-of-stream marker and the footer, and renames
    /// the file into place (flushed to disk first unless `sync` is false).
    package func finish(sync: Bool = true) throws {
        var metas: [Int: [UInt8]] = [:]
        for (i, rows) in batchRows.enumerated() {
            if metas[rows] == nil { metas[rows] = Self.recordBatchMetadata(rows: rows, widths: width) }
            try metas[rows]!.withUnsafeBytes { try out.write($0, at: recordBlocks[i].0) }
        }
        out.seek(to: end)
        try out.append([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        func blocks(_ b: [(Int, Int32, Int)]) -> FlatBufferBuilder.Value {
            var raw: [UInt8] = []
            for (offset, meta, body) in b {
                withUnsafeBytes(of: Int64(offset).littleEndian) { raw.append(contentsOf: $0) }
                withUnsafeBytes(of: meta.littleEndian) { raw.append(contentsOf: $0) }
                raw.append(contentsOf: [0, 0, 0, 0])
                withUnsafeBytes(of: Int64(body).littleEndian) { raw.append(contentsOf: $0) }
            }
            return .structs8(raw, count: b.count)
        }
        let footer = FlatBufferBuilder.build(.table([.i16(4), .child(schema), .child(blocks(dictionaryBlocks)), .child(blocks(recordBlocks))]))
        var tail = footer
        withUnsafeBytes(of: Int32(footer.count).littleEndian) { tail.append(contentsOf: $0) }
        tail += Array("ARROW1".utf8)
        try out.append(tail)
        try out.truncate(to: out.size)
        try out.commit(sync: sync)
    }

    /// Removes the partial file (the destination stays as it was).
    package func discard() { out.discard() }
}

/// Writes answers as an Arrow IPC file (Feather v2) that pyarrow, polars, pandas and DuckDB read,
/// and that every Tally command reads back by memory-mapping it.
///
///     let file = try AnswerReader.read("answers.tsv")
///     try ArrowWriter.write(file.table, to: "answers.arrow")
///     // pyarrow: pyarrow.feather.read_table("answers.arrow")
///
/// `task` and `worker` are dictionary-encoded (`int32` indices into `utf8` names in the table's
/// id order, that is in order of first appearance in the input); `label` is an `int64` column when
/// every label is an integer (``LabelSet/isNumeric``), else dictionary-encoded like the others.
/// Rows stay in input order, or with `groupByTask` are grouped by task (see
/// ``taskGroupedKey``), in record batches of `rowsPerBatch` rows. The file is written beside its
/// destination and renamed into place.
public enum ArrowWriter {
    /// The schema metadata key of a file whose rows Tally grouped by task, with the value
    /// ``taskGroupedValue``: the rows are grouped by task in the order of the task dictionary (the
    /// task index column never decreases), each task's rows in the order of the source; the task
    /// and worker dictionaries list names in order of first appearance in the source's rows. A
    /// reader may then take dictionary indices as ids and skip grouping: every output is the one
    /// the source gives.
    public static let taskGroupedKey = "tally.row_order"
    /// The value of ``taskGroupedKey`` (version 1 of the layout).
    public static let taskGroupedValue = "task-grouped-v1"

    /// Writes `table` to `path` (see the type's documentation).
    ///
    /// - Throws: ``AtomicFile/WriteError`` when the file cannot be written.
    public static func write(_ table: AnswerTable, to path: String, rowsPerBatch: Int = 1 << 20, groupByTask: Bool = false) throws {
        let n = table.answerCount
        let per = max(1, rowsPerBatch)
        let rows = stride(from: 0, to: n, by: per).map { min(per, n - $0) }
        let numeric: [Int64]? = table.labels.isNumeric ? table.labels.names.compactMap { Int64($0) } : nil
        let useInt = numeric?.count == table.labelCount
        let labels: ArrowAnswerWriter.Labels = useInt ? .int64 : .dictionary(ArrowNames(Interner(table.labels.names)))
        let writer = try ArrowAnswerWriter(path: path, tasks: ArrowNames(table.tasks), workers: ArrowNames(table.workers),
                                           labels: labels, batchRows: rows,
                                           metadata: groupByTask ? [(taskGroupedKey, taskGroupedValue)] : [])
        do {
            var values = [Int64](repeating: 0, count: useInt ? min(per, n) : 0)
            // Grouped rows: the batch's task, worker and label ids, from the task view.
            var grouped = [[Int32]](repeating: [Int32](repeating: 0, count: groupByTask ? min(per, n) : 0), count: 3)
            var task = 0
            for (b, count) in rows.enumerated() {
                let start = b * per
                if groupByTask {
                    let view = table.byTask
                    let k = Int32(view.labelCount)
                    for i in 0..<count {
                        while view.offsets[task + 1] <= start + i { task += 1 }
                        let e = view.entries[start + i]
                        grouped[0][i] = Int32(task)
                        grouped[1][i] = e / k
                        grouped[2][i] = e % k
                    }
                }
                func column(_ c: Int, _ source: [Int32]) throws {
                    if groupByTask {
                        try grouped[c].withUnsafeBytes { try writer.write(batch: b, column: c, firstRow: 0, UnsafeRawBufferPointer(rebasing: $0[0..<4 * count])) }
                    } else {
                        try source.withUnsafeBytes { try writer.write(batch: b, column: c, firstRow: 0, UnsafeRawBufferPointer(rebasing: $0[4 * start..<4 * (start + count)])) }
                    }
                }
                try column(0, table.task)
                try column(1, table.worker)
                if let numeric, useInt {
                    for i in 0..<count { values[i] = numeric[Int(groupByTask ? grouped[2][i] : table.label[start + i])] }
                    try values.withUnsafeBytes { try writer.write(batch: b, column: 2, firstRow: 0, UnsafeRawBufferPointer(rebasing: $0[0..<8 * count])) }
                } else {
                    try column(2, table.label)
                }
            }
            try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
    }
}
