/// An Arrow IPC file (Feather v2) or stream, memory-mapped and decoded down to the location of
/// every column's buffers; the buffers themselves stay in the mapping.
///
/// Read: the schema; every dictionary batch (with deltas) and record batch listed in the file's
/// footer (or, for a stream, met in order); little-endian, uncompressed bodies. Anything else —
/// a compressed body (LZ4 or ZSTD), a big-endian file, Feather v1, a damaged footer — is an
/// ``InputError`` that names what the file holds.
final class ArrowFile {
    /// A record batch (or a dictionary's data): its row count and where its nodes and buffers are.
    struct Batch {
        /// Rows in the batch.
        let length: Int
        /// One (length, null count) per field node, in schema pre-order.
        let nodes: [(length: Int, nullCount: Int)]
        /// One absolute byte range of the file per buffer, in the columnar format's order.
        let buffers: [Range<Int>]
        /// Buffer counts of the view columns (`variadicBufferCounts`), in schema pre-order.
        let variadic: [Int]
        /// The batch's position among the file's record batches (for messages).
        let index: Int
    }

    /// A dictionary batch: the dictionary it fills, whether it appends, and its values.
    struct DictionaryBatch {
        let id: Int64
        let isDelta: Bool
        let data: Batch
    }

    /// The file name as given.
    let file: String
    /// The mapped bytes.
    let mapping: MappedFile
    /// Top-level columns.
    private(set) var fields: [ArrowField] = []
    /// Record batches, in order.
    private(set) var batches: [Batch] = []
    /// Dictionary batches, in order.
    private(set) var dictionaryBatches: [DictionaryBatch] = []
    /// The schema's custom metadata (key → value; a repeated key keeps its last value).
    private(set) var metadata: [String: String] = [:]

    /// Whether the file starts with Arrow's magic (`ARROW1`), or with a stream's first message.
    static func looksLikeArrow(_ head: [UInt8]) -> Bool {
        head.starts(with: Array("ARROW1".utf8)) || head.starts(with: [0xFF, 0xFF, 0xFF, 0xFF])
    }

    /// Maps and decodes `path`.
    init(path: String) throws {
        file = path
        mapping = try MappedFile(path: path)
        let magic = Array("ARROW1".utf8)
        let head = Array(mapping.bytes(0..<min(8, mapping.count)))
        if head.starts(with: magic) {
            try readFile()
        } else if head.starts(with: [0xFF, 0xFF, 0xFF, 0xFF]) {
            try readStream()
        } else if head.starts(with: Array("FEA1".utf8)) {
            throw InputError(.invalidValue, file: path, "a Feather v1 file; Tally reads Feather v2 (Arrow IPC files): rewrite it with pyarrow.feather.write_feather(df, path, compression='uncompressed')")
        } else {
            throw InputError(.invalidValue, file: path, "not an Arrow IPC file: it does not start with the magic bytes ARROW1")
        }
    }

    private func error(_ message: String) -> InputError { InputError(.invalidValue, file: file, message) }

    private func readFile() throws {
        let n = mapping.count
        guard n >= 18, Array(mapping.bytes(n - 6..<n)) == Array("ARROW1".utf8) else {
            throw error("not a complete Arrow IPC file: it lacks the closing ARROW1 magic (truncated, or still being written)")
        }
        let footerLength = Int(Int32(littleEndian: mapping.base.loadUnaligned(fromByteOffset: n - 10, as: Int32.self)))
        guard footerLength > 0, footerLength <= n - 18 else { throw error("not a valid Arrow IPC file: footer length \(footerLength) does not fit the file") }
        let footer = FlatBuffer(base: mapping.base + (n - 10 - footerLength), count: footerLength, what: "the footer", file: file)
        let root = try footer.root()
        guard let schema = try root.table(1) else { throw footer.damaged("no schema") }
        try readSchema(schema)
        for (i, block) in try blocks(root, 2, footer).enumerated() {
            let (kind, header, body) = try message(at: block.offset, metaLength: block.metaLength, bodyLength: block.bodyLength, what: "dictionary batch \(i)")
            guard kind == 2 else { throw error("not a valid Arrow IPC file: footer block \(i) of the dictionaries holds a message of type \(kind)") }
            try addDictionary(header, body: body, what: "dictionary batch \(i)")
        }
        for (i, block) in try blocks(root, 3, footer).enumerated() {
            let (kind, header, body) = try message(at: block.offset, metaLength: block.metaLength, bodyLength: block.bodyLength, what: "record batch \(i)")
            guard kind == 3 else { throw error("not a valid Arrow IPC file: footer block \(i) of the record batches holds a message of type \(kind)") }
            batches.append(try recordBatch(header, body: body, index: i, what: "record batch \(i)"))
        }
    }

    /// An IPC stream: messages one after another, the schema first, until the end marker.
    private func readStream() throws {
        var offset = 0
        var sawSchema = false
        var index = 0
        while offset + 8 <= mapping.count {
            let word = UInt32(littleEndian: mapping.base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            let lengthAt = word == 0xFFFF_FFFF ? offset + 4 : offset
            let length = Int(Int32(littleEndian: mapping.base.loadUnaligned(fromByteOffset: lengthAt, as: Int32.self)))
            if length == 0 { break }
            let metaLength = lengthAt + 4 - offset + length
            let (kind, header, body) = try message(at: offset, metaLength: metaLength, bodyLength: nil, what: "message \(index)")
            switch kind {
            case 1:
                try readSchema(header)
                sawSchema = true
            case 2: try addDictionary(header, body: body, what: "message \(index)")
            case 3: batches.append(try recordBatch(header, body: body, index: batches.count, what: "record batch \(batches.count)"))
            default: throw error("an Arrow stream message of type \(kind) (tensor?); Tally reads schemas, dictionaries and record batches")
            }
            offset = body.upperBound
            index += 1
        }
        guard sawSchema else { throw error("an Arrow stream without a schema message") }
    }

    private func readSchema(_ schema: FlatTable) throws {
        let endianness: Int16 = try schema.scalar(0, 0)
        guard endianness == 0 else { throw error("a big-endian Arrow file; Tally reads little-endian files only") }
        fields = try schema.tables(1).map { try ArrowField($0) }
        for kv in try schema.tables(2) {
            if let key = try kv.string(0) { metadata[key] = try kv.string(1) ?? "" }
        }
    }

    private func blocks(_ footer: FlatTable, _ index: Int, _ fb: FlatBuffer) throws -> [(offset: Int, metaLength: Int, bodyLength: Int)] {
        guard let (start, count) = try footer.vector(index, elementSize: 24) else { return [] }
        return try (0..<count).map { i in
            let p = start + 24 * i
            return (Int(try fb.load(p, as: Int64.self)), Int(try fb.load(p + 8, as: Int32.self)), Int(try fb.load(p + 16, as: Int64.self)))
        }
    }

    /// Decodes the encapsulated message at `offset`: its header type, header table and body range.
    private func message(at offset: Int, metaLength: Int, bodyLength: Int?, what: String) throws -> (UInt8, FlatTable, Range<Int>) {
        let n = mapping.count
        guard offset >= 0, metaLength >= 8, offset <= n - metaLength else { throw error("not a valid Arrow IPC file: \(what) lies outside the file") }
        let word = UInt32(littleEndian: mapping.base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        let flatStart = word == 0xFFFF_FFFF ? offset + 8 : offset + 4
        let flatLength = Int(Int32(littleEndian: mapping.base.loadUnaligned(fromByteOffset: flatStart - 4, as: Int32.self)))
        guard flatLength > 0, flatStart + flatLength <= offset + metaLength else { throw error("not a valid Arrow IPC file: \(what) has a metadata length of \(flatLength)") }
        let fb = FlatBuffer(base: mapping.base + flatStart, count: flatLength, what: what, file: file)
        let message = try fb.root()
        let version: Int16 = try message.scalar(0, 0)
        guard version >= 3 else { throw error("an Arrow file of metadata version V\(version + 1); Tally reads V4 and V5 (Arrow 0.15 and later)") }
        let kind: UInt8 = try message.scalar(1, 0)
        guard let header = try message.table(2) else { throw fb.damaged("a message without a header") }
        let declared = Int(try message.scalar(3, Int64(0)))
        let length = bodyLength ?? declared
        let bodyStart = offset + metaLength
        guard length >= 0, bodyStart <= n, length <= n - bodyStart else { throw error("not a complete Arrow IPC file: the body of \(what) (\(length) bytes) runs past the end of the file") }
        return (kind, header, bodyStart..<bodyStart + length)
    }

    private func addDictionary(_ header: FlatTable, body: Range<Int>, what: String) throws {
        let id: Int64 = try header.scalar(0, 0)
        guard let data = try header.table(1) else { throw error("not a valid Arrow IPC file: \(what) has no data") }
        let isDelta = try header.bool(2)
        if !isDelta && dictionaryBatches.contains(where: { $0.id == id }) {
            throw error("\(what) replaces dictionary \(id); Tally reads one dictionary per column (with deltas), as the IPC file format allows")
        }
        dictionaryBatches.append(DictionaryBatch(id: id, isDelta: isDelta, data: try recordBatch(data, body: body, index: -1, what: what)))
    }

    /// Decodes `RecordBatch`: length 0, nodes 1, buffers 2, compression 3, variadicBufferCounts 4.
    private func recordBatch(_ t: FlatTable, body: Range<Int>, index: Int, what: String) throws -> Batch {
        if let compression = try t.table(3) {
            let codec: Int8 = try compression.scalar(0, 0)
            let name = codec == 0 ? "LZ4 (frame)" : codec == 1 ? "ZSTD" : "codec \(codec)"
            throw error("\(what) is compressed with \(name); Tally reads uncompressed Arrow files only (write with compression='uncompressed', or run `tally convert` on an uncompressed copy)")
        }
        let length = Int(try t.scalar(0, Int64(0)))
        guard length >= 0 else { throw error("not a valid Arrow IPC file: \(what) has \(length) rows") }
        let fb = t.buffer
        var nodes: [(Int, Int)] = []
        if let (start, count) = try t.vector(1, elementSize: 16) {
            nodes.reserveCapacity(count)
            for i in 0..<count {
                nodes.append((Int(try fb.load(start + 16 * i, as: Int64.self)), Int(try fb.load(start + 16 * i + 8, as: Int64.self))))
            }
        }
        var buffers: [Range<Int>] = []
        if let (start, count) = try t.vector(2, elementSize: 16) {
            buffers.reserveCapacity(count)
            for i in 0..<count {
                let offset = Int(try fb.load(start + 16 * i, as: Int64.self))
                let size = Int(try fb.load(start + 16 * i + 8, as: Int64.self))
                guard offset >= 0, size >= 0, offset <= body.count, size <= body.count - offset else {
                    throw error("not a valid Arrow IPC file: buffer \(i) of \(what) (\(size) bytes at \(offset)) lies outside its body of \(body.count) bytes")
                }
                buffers.append(body.lowerBound + offset..<body.lowerBound + offset + size)
            }
        }
        var variadic: [Int] = []
        if let (start, count) = try t.vector(4, elementSize: 8) {
            variadic = try (0..<count).map { Int(try fb.load(start + 8 * $0, as: Int64.self)) }
        }
        return Batch(length: length, nodes: nodes, buffers: buffers, variadic: variadic, index: index)
    }

    /// Where top-level column `column` starts in a batch: its first node and first buffer.
    func layout(of column: Int, in batch: Batch) throws -> (node: Int, buffer: Int, views: Int) {
        var node = 0, buffer = 0, views = 0
        for f in fields[..<column] {
            guard let n = f.bufferCount(variadic: { batch.variadic.indices.contains($0) ? batch.variadic[$0] : 0 }, views: &views) else {
                throw error("column \(ErrorText.quoted(f.name)) has type \(f.type.name), whose layout Tally does not know, so the columns after it cannot be found")
            }
            node += f.nodeCount
            buffer += n
        }
        return (node, buffer, views)
    }
}
