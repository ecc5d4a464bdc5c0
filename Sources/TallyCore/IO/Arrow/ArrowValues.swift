/// The values of one column in one batch, read in place from the mapped file: strings (utf8,
/// large utf8, utf8 view) or integers (read as their decimal spelling, as a text reader would see
/// them). Every offset is checked before it is followed.
struct ArrowValues {
    enum Storage {
        case utf8(UnsafePointer<Int32>)
        case largeUtf8(UnsafePointer<Int64>)
        case view(UnsafeRawPointer, [UnsafeRawBufferPointer])
        case int(bits: Int, signed: Bool, UnsafeRawPointer)
    }

    /// Rows.
    let count: Int
    /// Null rows (0: the validity bitmap, if any, is not consulted).
    let nullCount: Int
    /// The validity bitmap when there are nulls.
    let validity: UnsafeRawPointer?
    let data: UnsafeRawBufferPointer
    let storage: Storage
    /// Where the values came from, for messages ("column 'task', record batch 3").
    let what: String
    let file: String

    /// The values of the field whose first node and buffer are given, of type `type`.
    init(_ arrow: ArrowFile, batch: ArrowFile.Batch, node: Int, buffer: Int, views: Int, type: ArrowType, what: String) throws {
        file = arrow.file
        self.what = what
        guard node < batch.nodes.count else { throw InputError(.invalidValue, file: file, "not a valid Arrow IPC file: \(what) has no field node") }
        let (length, nulls) = batch.nodes[node]
        // Every row of a column Tally reads takes at least one byte of the file.
        guard length >= 0, length <= arrow.mapping.count, nulls >= 0, nulls <= length else {
            throw InputError(.invalidValue, file: arrow.file, "not a valid Arrow IPC file: \(what) claims \(length) rows (\(nulls) null) in a file of \(arrow.mapping.count) bytes")
        }
        count = length
        nullCount = nulls
        func buf(_ i: Int, atLeast bytes: Int, alignment: Int) throws -> UnsafeRawBufferPointer {
            guard buffer + i < batch.buffers.count else { throw InputError(.invalidValue, file: arrow.file, "not a valid Arrow IPC file: \(what) lacks buffer \(i)") }
            let b = arrow.mapping.bytes(batch.buffers[buffer + i])
            guard b.count >= bytes else { throw InputError(.invalidValue, file: arrow.file, "not a valid Arrow IPC file: buffer \(i) of \(what) holds \(b.count) bytes, expected at least \(bytes)") }
            if bytes > 0, let p = b.baseAddress, Int(bitPattern: p) % alignment != 0 {
                throw InputError(.invalidValue, file: arrow.file, "not a valid Arrow IPC file: buffer \(i) of \(what) is not \(alignment)-byte aligned")
            }
            return b
        }
        validity = nulls > 0 ? try buf(0, atLeast: (length + 7) / 8, alignment: 1).baseAddress : nil
        switch type {
        case .utf8:
            let offsets = try buf(1, atLeast: 4 * (length + 1), alignment: 4)
            data = try buf(2, atLeast: 0, alignment: 1)
            storage = .utf8(offsets.baseAddress!.assumingMemoryBound(to: Int32.self))
        case .largeUtf8:
            let offsets = try buf(1, atLeast: 8 * (length + 1), alignment: 8)
            data = try buf(2, atLeast: 0, alignment: 1)
            storage = .largeUtf8(offsets.baseAddress!.assumingMemoryBound(to: Int64.self))
        case .utf8View:
            let viewBuffer = try buf(1, atLeast: 16 * length, alignment: 4)
            let extra = views < batch.variadic.count ? batch.variadic[views] : 0
            let parts = try (0..<extra).map { try buf(2 + $0, atLeast: 0, alignment: 1) }
            data = UnsafeRawBufferPointer(start: nil, count: 0)
            storage = .view(viewBuffer.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!, parts)
        case .int(let bits, let signed):
            guard [8, 16, 32, 64].contains(bits) else { throw InputError(.invalidValue, file: arrow.file, "\(what) has an integer width of \(bits) bits") }
            let values = try buf(1, atLeast: bits / 8 * length, alignment: bits / 8)
            data = values
            storage = .int(bits: bits, signed: signed, values.baseAddress ?? UnsafeRawPointer(bitPattern: 16)!)
        case .other:
            throw InputError(.invalidValue, file: arrow.file, "\(what) holds \(type.name) values; expected strings (utf8, large utf8, utf8 view) or integers")
        }
    }

    /// Whether row `i` is null.
    @inline(__always)
    func isNull(_ i: Int) -> Bool {
        guard let validity else { return false }
        return validity.load(fromByteOffset: i >> 3, as: UInt8.self) & (1 << UInt8(i & 7)) == 0
    }

    /// The first null row, if any.
    func firstNull() -> Int? {
        guard nullCount > 0, validity != nil else { return nil }
        return (0..<count).first(where: isNull)
    }

    private func damaged(_ i: Int) -> InputError {
        InputError(.invalidValue, file: file, "not a valid Arrow IPC file: the offsets of row \(i) of \(what) point outside its data")
    }

    /// The bytes of row `i` (not null); integers are spelled in decimal into `scratch` (24 bytes).
    @inline(__always)
    func value(_ i: Int, scratch: UnsafeMutableRawPointer) throws -> UnsafeRawBufferPointer {
        switch storage {
        case .utf8(let offsets):
            let a = Int(offsets[i]), b = Int(offsets[i + 1])
            guard a >= 0, a <= b, b <= data.count else { throw damaged(i) }
            return UnsafeRawBufferPointer(start: data.baseAddress.map { $0 + a }, count: b - a)
        case .largeUtf8(let offsets):
            let a = Int(offsets[i]), b = Int(offsets[i + 1])
            guard a >= 0, a <= b, b <= data.count else { throw damaged(i) }
            return UnsafeRawBufferPointer(start: data.baseAddress.map { $0 + a }, count: b - a)
        case .view(let views, let parts):
            let v = views + 16 * i
            let n = Int(Int32(littleEndian: v.loadUnaligned(as: Int32.self)))
            guard n >= 0 else { throw damaged(i) }
            if n <= 12 { return UnsafeRawBufferPointer(start: v + 4, count: n) }
            let part = Int(Int32(littleEndian: v.loadUnaligned(fromByteOffset: 8, as: Int32.self)))
            let offset = Int(Int32(littleEndian: v.loadUnaligned(fromByteOffset: 12, as: Int32.self)))
            guard part >= 0, part < parts.count, offset >= 0, offset <= parts[part].count - n else { throw damaged(i) }
            return UnsafeRawBufferPointer(start: parts[part].baseAddress! + offset, count: n)
        case .int:
            return ArrowValues.decimal(integer(i), into: scratch)
        }
    }

    /// Row `i` of an integer column, widened (unsigned 64-bit values above `Int64.max` wrap).
    @inline(__always)
    func integer(_ i: Int) -> Int64 {
        guard case .int(let bits, let signed, let p) = storage else { return 0 }
        switch (bits, signed) {
        case (8, true): return Int64(p.load(fromByteOffset: i, as: Int8.self))
        case (8, false): return Int64(p.load(fromByteOffset: i, as: UInt8.self))
        case (16, true): return Int64(p.load(fromByteOffset: 2 * i, as: Int16.self))
        case (16, false): return Int64(p.load(fromByteOffset: 2 * i, as: UInt16.self))
        case (32, true): return Int64(p.load(fromByteOffset: 4 * i, as: Int32.self))
        case (32, false): return Int64(p.load(fromByteOffset: 4 * i, as: UInt32.self))
        default: return p.load(fromByteOffset: 8 * i, as: Int64.self)
        }
    }

    /// Writes `v` in decimal at `scratch` (at least 24 bytes) and returns those bytes.
    static func decimal(_ v: Int64, into scratch: UnsafeMutableRawPointer) -> UnsafeRawBufferPointer {
        var digits = 0
        var m = v.magnitude
        repeat {
            scratch.storeBytes(of: UInt8(ascii: "0") + UInt8(m % 10), toByteOffset: 23 - digits, as: UInt8.self)
            m /= 10
            digits += 1
        } while m > 0
        if v < 0 {
            scratch.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 23 - digits, as: UInt8.self)
            digits += 1
        }
        return UnsafeRawBufferPointer(start: scratch + 24 - digits, count: digits)
    }
}
