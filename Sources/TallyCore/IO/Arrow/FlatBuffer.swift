/// A bounds-checked, read-only view of one FlatBuffers buffer: the encoding of Arrow's metadata
/// (`Schema.fbs`, `Message.fbs`, `File.fbs`).
///
/// Only what Arrow's tables need is here: tables with a vtable, scalar fields, offsets to
/// sub-tables, strings, vectors of tables and vectors of structs. Every access checks that it stays
/// inside the buffer, so a damaged or hostile file gives an error, never a crash.
///
/// Layout reminder: the buffer starts with a `uoffset` (u32) to the root table; a table starts
/// with an `soffset` (i32) back to its vtable (`vtable = table - soffset`); the vtable holds its own
/// size (u16), the table's size (u16) and one u16 offset per field (0 = absent, the default
/// applies); offsets to strings, vectors and tables are u32 relative to where they are stored.
struct FlatBuffer {
    /// The buffer's first byte.
    let base: UnsafeRawPointer
    /// The buffer's size in bytes.
    let count: Int
    /// What the buffer is, for error messages ("the footer", "message 3").
    let what: String
    /// The file, for error messages.
    let file: String

    /// The error for a buffer that does not decode.
    func damaged(_ detail: String) -> InputError {
        InputError(.invalidValue, file: file, "not a valid Arrow IPC file: \(what) is damaged (\(detail))")
    }

    /// Checks that `size` bytes at `position` lie inside the buffer.
    @inline(__always)
    func check(_ position: Int, _ size: Int) throws {
        guard position >= 0, size >= 0, position <= count - size else { throw damaged("offset \(position) + \(size) outside \(count) bytes") }
    }

    /// A little-endian scalar at `position` (checked).
    @inline(__always)
    func load<T: FixedWidthInteger>(_ position: Int, as: T.Type) throws -> T {
        try check(position, MemoryLayout<T>.size)
        return T(littleEndian: base.loadUnaligned(fromByteOffset: position, as: T.self))
    }

    /// The root table.
    func root() throws -> FlatTable {
        let offset = Int(try load(0, as: UInt32.self))
        return try FlatTable(buffer: self, position: offset)
    }
}

/// One table inside a ``FlatBuffer``.
struct FlatTable {
    let buffer: FlatBuffer
    /// Where the table starts (its `soffset`).
    let position: Int
    private let vtable: Int
    private let vtableSize: Int

    init(buffer: FlatBuffer, position: Int) throws {
        self.buffer = buffer
        self.position = position
        let back = Int(try buffer.load(position, as: Int32.self))
        vtable = position - back
        vtableSize = Int(try buffer.load(vtable, as: UInt16.self))
        guard vtableSize >= 4, vtableSize % 2 == 0 else { throw buffer.damaged("vtable size \(vtableSize)") }
        try buffer.check(vtable, vtableSize)
    }

    /// The absolute position of field `index`, or `nil` when the field is absent.
    func field(_ index: Int) throws -> Int? {
        let slot = 4 + 2 * index
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(try buffer.load(vtable + slot, as: UInt16.self))
        return offset == 0 ? nil : position + offset
    }

    /// A scalar field, or `default` when absent.
    func scalar<T: FixedWidthInteger>(_ index: Int, _ default: T) throws -> T {
        guard let p = try field(index) else { return `default` }
        return try buffer.load(p, as: T.self)
    }

    /// A boolean field, or `default` when absent.
    func bool(_ index: Int, _ default: Bool = false) throws -> Bool {
        try scalar(index, UInt8(`default` ? 1 : 0)) != 0
    }

    /// Follows the u32 offset stored at `p`.
    private func indirect(_ p: Int) throws -> Int {
        p + Int(try buffer.load(p, as: UInt32.self))
    }

    /// A sub-table field (a table or a union's value), or `nil` when absent.
    func table(_ index: Int) throws -> FlatTable? {
        guard let p = try field(index) else { return nil }
        return try FlatTable(buffer: buffer, position: try indirect(p))
    }

    /// A string field, or `nil` when absent.
    func string(_ index: Int) throws -> String? {
        guard let p = try field(index) else { return nil }
        let s = try indirect(p)
        let n = Int(try buffer.load(s, as: UInt32.self))
        try buffer.check(s + 4, n)
        return String(decoding: UnsafeRawBufferPointer(start: buffer.base + s + 4, count: n), as: UTF8.self)
    }

    /// A vector field: (position of the first element, element count), or `nil` when absent;
    /// `elementSize` bytes per element are checked to lie inside the buffer.
    func vector(_ index: Int, elementSize: Int) throws -> (start: Int, count: Int)? {
        guard let p = try field(index) else { return nil }
        let v = try indirect(p)
        let n = Int(try buffer.load(v, as: UInt32.self))
        guard n <= (buffer.count - v - 4) / max(elementSize, 1) else { throw buffer.damaged("vector of \(n) elements outside the buffer") }
        return (v + 4, n)
    }

    /// A vector of tables (empty when absent).
    func tables(_ index: Int) throws -> [FlatTable] {
        guard let (start, n) = try vector(index, elementSize: 4) else { return [] }
        return try (0..<n).map { i in
            let p = start + 4 * i
            return try FlatTable(buffer: buffer, position: p + Int(try buffer.load(p, as: UInt32.self)))
        }
    }
}

/// Builds one FlatBuffers buffer front to back: a parent is written before its children, so every
/// `uoffset` points forward, and each vtable is written just before its table. Scalars are aligned
/// to their size relative to the buffer's start (Arrow places the buffer at an 8-aligned offset).
struct FlatBufferBuilder {
    /// A value in the tree to serialise.
    indirect enum Value {
        /// A table; fields by index, `nil` for absent ones.
        case table([Field?])
        /// A string.
        case string(String)
        /// A vector of tables.
        case tables([Value])
        /// A vector of structs whose elements are 8-aligned (Arrow's `Block`, `FieldNode`, `Buffer`).
        case structs8([UInt8], count: Int)
        /// A vector of `Int64`.
        case longs([Int64])
    }

    /// One field of a table.
    enum Field {
        case u8(UInt8)
        case i16(Int16)
        case i32(Int32)
        case i64(Int64)
        /// A struct stored inline, 8-aligned (its bytes, a multiple of 8).
        case struct8([UInt8])
        /// An offset to a table, string or vector.
        case child(Value)

        var size: Int {
            switch self {
            case .u8: 1
            case .i16: 2
            case .i32, .child: 4
            case .i64: 8
            case .struct8(let b): b.count
            }
        }
        var alignment: Int {
            switch self {
            case .struct8: 8
            default: size
            }
        }
    }

    private var bytes: [UInt8] = [0, 0, 0, 0]
    private var queue: [(slot: Int, value: Value)] = []

    /// The serialised buffer for `root`, padded to a multiple of 8 bytes.
    static func build(_ root: Value) -> [UInt8] {
        var b = FlatBufferBuilder()
        b.queue.append((0, root))
        var next = 0
        while next < b.queue.count {
            let (slot, value) = b.queue[next]
            next += 1
            let at = b.emit(value)
            b.patch(slot, UInt32(at - slot))
        }
        b.pad(to: 8, remainder: 0)
        return b.bytes
    }

    private mutating func pad(to alignment: Int, remainder: Int) {
        while bytes.count % alignment != remainder { bytes.append(0) }
    }

    private mutating func put<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func patch(_ at: Int, _ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { for i in 0..<4 { bytes[at + i] = $0[i] } }
    }

    private mutating func emit(_ value: Value) -> Int {
        switch value {
        case .string(let s):
            pad(to: 4, remainder: 0)
            let at = bytes.count
            put(UInt32(s.utf8.count))
            bytes.append(contentsOf: s.utf8)
            bytes.append(0)
            return at
        case .tables(let items):
            pad(to: 4, remainder: 0)
            let at = bytes.count
            put(UInt32(items.count))
            for item in items {
                queue.append((bytes.count, item))
                put(UInt32(0))
            }
            return at
        case .structs8(let raw, let n):
            pad(to: 8, remainder: 4)
            let at = bytes.count
            put(UInt32(n))
            bytes.append(contentsOf: raw)
            return at
        case .longs(let values):
            pad(to: 8, remainder: 4)
            let at = bytes.count
            put(UInt32(values.count))
            for v in values { put(v) }
            return at
        case .table(let fields):
            return emitTable(fields)
        }
    }

    private mutating func emitTable(_ fields: [Field?]) -> Int {
        // Inline layout after the 4-byte soffset: widest alignment first, so no padding inside.
        let present = fields.indices.filter { fields[$0] != nil }
        let order = present.sorted { (fields[$0]!.alignment, -$0) > (fields[$1]!.alignment, -$1) }
        let has8 = order.contains { fields[$0]!.alignment == 8 }
        var offsets = [Int](repeating: 0, count: fields.count)
        var cursor = 4
        for i in order {
            offsets[i] = cursor
            cursor += fields[i]!.size
        }
        let tableSize = cursor
        // vtable, then padding so that the table's 8-byte fields land 8-aligned.
        pad(to: 2, remainder: 0)
        let vtable = bytes.count
        put(UInt16(4 + 2 * fields.count))
        put(UInt16(tableSize))
        for i in fields.indices { put(UInt16(offsets[i])) }
        if has8 { pad(to: 8, remainder: 4) } else { pad(to: 4, remainder: 0) }
        let table = bytes.count
        put(Int32(table - vtable))
        for i in order {
            switch fields[i]! {
            case .u8(let v): put(v)
            case .i16(let v): put(v)
            case .i32(let v): put(v)
            case .i64(let v): put(v)
            case .struct8(let raw): bytes.append(contentsOf: raw)
            case .child(let child):
                queue.append((bytes.count, child))
                put(UInt32(0))
            }
        }
        return table
    }
}
